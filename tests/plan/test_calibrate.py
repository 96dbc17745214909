"""`ccwfm calibrate`: the model against a log's own KPIs (plan.calibrate and the CLI)."""

import json
import math
import re
import tomllib

import numpy as np
import pytest

from ccwfm import forecast
from ccwfm.plan import Scenario
from ccwfm.plan.calibrate import MODELS, SUMMARY_KEYS, calibrate
from ccwfm.plan.cli import main
from tests._acdlog import synthetic_log

# Erlang A's own assumptions: Poisson arrivals, exponential handle and patience,
# one pool answering first come first served, every agent on duty available.
ERLANG_A = dict(queues=(("PS", 0.6, 240.0), ("NE", 0.4, 240.0)), handle="exponential",
                patience="exponential", patience_mean=240.0, availability=1.0)


SCENARIO = """
[scenario]
name = "calibrated"
start = 2025-09-01
weeks = 2

[[queues]]
name = "PS"
demo = "voice"
patience = 100
target = { service_level = 0.8, target_time = 20 }

[[queues]]
name = "chat"
demo = true
channel = "chat"
patience = 300

[workforce]
hourly_cost = 28.0
shrinkage = { breaks = 0.08 }
"""


@pytest.fixture(scope="module")
def erlang_log():
    return synthetic_log(seed=11, days=28, rate=110.0, **ERLANG_A)


@pytest.fixture(scope="module")
def erlang_cal(erlang_log):
    return calibrate(erlang_log.file(), pools={"retail": ["PS", "NE"]}, interval=60,
                     models=("erlang_a", "erlang_a_cell"))


def test_summary_keys(erlang_cal):
    s = erlang_cal.summary()
    assert list(s) == [*SUMMARY_KEYS, "model", "by_model"]
    assert s["model"] == "erlang_a"
    assert set(s["by_model"]) == {"erlang_a", "erlang_a_cell"}
    for m in s["by_model"].values():
        assert list(m) == list(SUMMARY_KEYS)
    assert s["rows_kept"] <= s["rows"]
    assert s["cells"] == len(erlang_cal.cells) > 50
    json.dumps(s, allow_nan=False)


def test_cells_conserve_the_log(erlang_log, erlang_cal):
    """Cells hold the offered contacts of the log (those in cells with >= 30)."""
    c = erlang_cal.cells
    assert (c["offered"] >= 30).all()
    assert (c["answered"] + c["abandoned"] == c["offered"]).all()
    truth = erlang_log.calls
    offered = truth["outcome"].isin(["answered", "abandoned"]).sum()
    assert c["offered"].sum() <= offered
    assert c["offered"].sum() > 0.9 * offered
    # Observed abandonment of the cells, pooled, equals the truth's.
    t_ab = (truth["outcome"] == "abandoned").sum() / offered
    assert abs(c["abandoned"].sum() / c["offered"].sum() - t_ab) < 0.01


def test_erlang_a_log_at_noise_floor(erlang_cal):
    """On a log simulated from Erlang A's assumptions the per-interval Erlang A
    errs by about what binomial noise alone gives, with no bias."""
    e = erlang_cal.errors.set_index(["model", "band"])
    row = e.loc[("erlang_a", "all")]
    noise = row["noise_abandon_mae_pp"]
    assert row["abandon_mae_pp"] < 1.35 * noise + 0.2, (row.to_dict())
    # Bias: the mean of n cell errors, each of sd ~ noise / sqrt(2/pi).
    se = noise / math.sqrt(2 / math.pi) / math.sqrt(row["cells"])
    assert abs(row["abandon_bias_pp"]) < 4 * se + 0.4, (row.to_dict())


@pytest.mark.parametrize("seed", [3, 4])
def test_noise_floor_across_seeds(seed):
    log = synthetic_log(seed=seed, days=21, rate=100.0, **ERLANG_A)
    cal = calibrate(log.file(), pools={"retail": ["PS", "NE"]}, models=("erlang_a",))
    row = cal.errors.set_index(["model", "band"]).loc[("erlang_a", "all")]
    assert row["abandon_mae_pp"] < 1.35 * row["noise_abandon_mae_pp"] + 0.2, row.to_dict()


def test_wrong_patience_is_detected(erlang_log):
    """The comparison can fail: patience stretched by abandoned waits four times
    too long under-predicts abandonment and over-predicts the ASA."""
    log = forecast.read_acd(erlang_log.file())
    frame = log.frame.copy()
    # Every abandoned wait four times longer: patience about doubles.
    ab = frame["outcome"] == "abandoned"
    frame.loc[ab, "wait"] = frame.loc[ab, "wait"] * 4
    bad = forecast.AcdLog(frame, log.report)
    kw = dict(pools={"retail": ["PS", "NE"]}, models=("erlang_a",), agent_factor="none")
    cal = calibrate(bad, **kw)
    good = calibrate(log, **kw)
    b = cal.errors.set_index(["model", "band"]).loc[("erlang_a", "all")]
    g = good.errors.set_index(["model", "band"]).loc[("erlang_a", "all")]
    assert b["abandon_bias_pp"] < g["abandon_bias_pp"] - 1.5
    assert b["asa_wape_pct"] > g["asa_wape_pct"] + 20
    # The fitted agent factor absorbs part of such a misfit (fewer agents
    # than measured, to make up for the abandonments the patience misses).
    fitted = calibrate(bad, pools={"retail": ["PS", "NE"]}, models=("erlang_a",))
    assert (fitted.factors["factor"] < 0.97).all()
    assert (good.factors.empty)


def test_generic_log_without_agent_names(erlang_log):
    """A generic log with no agent column: the agents come from the busy time
    (anonymous services), still at the noise floor on an Erlang A log."""
    import io

    import pandas as pd
    f = forecast.read_acd(erlang_log.file()).frame
    f = f[f["outcome"].isin(["answered", "abandoned"])]
    cols = ["queue", "arrival", "queue_start", "queue_exit", "outcome", "handle"]
    buf = io.StringIO()
    pd.DataFrame({c: f[c] for c in cols}).to_csv(buf, index=False)
    buf.seek(0)
    cal = calibrate(buf, format="generic", mapping={c: c for c in cols},
                    pools={"retail": ["PS", "NE"]}, models=("erlang_a",))
    row = cal.errors.set_index(["model", "band"]).loc[("erlang_a", "all")]
    assert row["abandon_mae_pp"] < 1.35 * row["noise_abandon_mae_pp"] + 0.2, row.to_dict()
    assert (cal.cells["agents"] > 0).all()


def test_bands_partition_cells(erlang_cal):
    e = erlang_cal.errors
    for m in e["model"].unique():
        sub = e[e["model"] == m].set_index("band")
        assert sub.loc[["below 0.9", "0.9-1", "above 1"], "cells"].sum() == sub.loc["all",
                                                                                   "cells"]
    c = erlang_cal.cells
    assert ((c["load"] < 0.9) == (c["band"] == "below 0.9")).all()


def test_holdout_modes_differ_only_in_estimates(erlang_log):
    cells = {}
    for h in ("weekday", "week", "none"):
        cal = calibrate(erlang_log.file(), pools={"retail": ["PS", "NE"]}, holdout=h,
                        models=("erlang_a",))
        cells[h] = cal.cells
        assert cal.settings["holdout"] == h
    for h in ("week", "none"):
        assert (cells[h]["offered"].to_numpy() == cells["weekday"]["offered"].to_numpy()).all()
    assert not np.allclose(cells["weekday"]["erlang_a_abandon_rate"],
                           cells["none"]["erlang_a_abandon_rate"])


def test_fragment_applies_to_a_scenario(erlang_cal):
    frag = erlang_cal.fragment()
    names = {q["name"] for q in frag["queues"]}
    assert names == {"PS", "NE"}
    patience = erlang_cal.patience.set_index("pool").loc["retail", "mean_exponential"]
    assert all(abs(q["patience"] - patience) < 0.1 for q in frag["queues"])
    # True patience 240 s: the estimate is within a few standard errors.
    n_ab = erlang_cal.patience.set_index("pool").loc["retail", "abandoned"]
    assert abs(patience - 240.0) < 4 * 240.0 / math.sqrt(n_ab)
    sc = Scenario.from_dict(tomllib.loads(SCENARIO))
    out = erlang_cal.apply(sc, availability=True)
    assert next(q for q in out.queues if q.name == "PS").patience == pytest.approx(
        patience, abs=0.1)
    assert next(q for q in out.queues if q.name == "chat").patience == 300
    assert "unavailable" in out.workforce.shrinkage
    assert out.workforce.shrinkage["breaks"] == 0.08


def test_write_files(erlang_cal, tmp_path):
    files = erlang_cal.write(tmp_path / "out")
    names = sorted(p.name for p in files)
    assert names == sorted(["cells.csv", "errors.csv", "patience.csv", "availability.csv",
                            "calibration.toml", "summary.json", "observed_vs_predicted.png"])
    import tomllib
    frag = tomllib.loads((tmp_path / "out" / "calibration.toml").read_text())
    assert frag == json.loads(json.dumps(erlang_cal.fragment()))
    assert json.loads((tmp_path / "out" / "summary.json").read_text()) == \
        erlang_cal.summary()


def test_simulation_model_agrees_with_erlang_a_on_erlang_a_log(erlang_log):
    """With exponential patience and handle times the stationary simulation
    predicts what Erlang A does, within simulation noise."""
    cal = calibrate(erlang_log.file(), pools={"retail": ["PS", "NE"]},
                    models=("erlang_a_cell", "simulation"), simulation_contacts=20000)
    c = cal.cells
    diff = (c["simulation_abandon_rate"] - c["erlang_a_cell_abandon_rate"]) * 100
    assert abs(diff.mean()) < 0.5, diff.describe()
    e = cal.errors.set_index(["model", "band"])
    assert e.loc[("simulation", "all"), "abandon_mae_pp"] < \
        1.5 * e.loc[("simulation", "all"), "noise_abandon_mae_pp"] + 0.3


# ---------------------------------------------------------------------- arguments

@pytest.mark.parametrize("kwargs, field", [
    (dict(interval=45), "interval"), (dict(holdout="month"), "holdout"),
    (dict(models=("erlang_b",)), "models[0]"), (dict(model="simulation",
                                                     models=("erlang_a",)), "model"),
    (dict(agents="heads"), "agents"), (dict(min_contacts=0), "min_contacts"),
    (dict(agent_factor="yes"), "agent_factor"), (dict(patience_by="hour"), "patience_by"),
    (dict(pools={"retail": "PS"}), "pools.retail"), (dict(pools=["PS"]), "pools"),
    (dict(simulation_contacts=10), "simulation_contacts"), (dict(seed=-1), "seed"),
    (dict(target_time=-1), "target_time"), (dict(sub_interval=45), "sub_interval"),
    (dict(interval=30, sub_interval=60), "sub_interval"),
    (dict(pools={"retail": ["PS", "XX"]}), "pools"),
])
def test_bad_arguments(erlang_log, kwargs, field):
    with pytest.raises(ValueError, match=re.escape(f"'{field}")):
        calibrate(erlang_log.file(), **kwargs)


def test_holdout_needs_two_folds():
    log = synthetic_log(seed=2, days=6, rate=60.0, **ERLANG_A)
    with pytest.raises(ValueError, match="'holdout' needs a log covering at least two weeks"):
        calibrate(log.file(), holdout="week", models=("erlang_a",))
    cal = calibrate(log.file(), holdout="none", models=("erlang_a",))
    assert cal.summary()["cells"] > 0


def test_pool_without_held_out_data_is_not_predicted(erlang_log):
    """A queue open on Mondays only has nothing to estimate its patience from
    when Mondays are held out: its cells get no prediction, the others do."""
    log = forecast.read_acd(erlang_log.file())
    f = log.frame
    monday = f["queue_start"].dt.day_of_week.eq(0)
    keep = ~f["queue"].eq("NE") | monday
    cal = calibrate(forecast.AcdLog(f[keep].reset_index(drop=True), log.report),
                    models=("erlang_a", "erlang_a_cell", "simulation"))
    c = cal.cells
    ne = c["pool"].eq("NE")
    assert ne.any() and (c.loc[ne, "weekday"] == 0).all()
    for m in ("erlang_a", "erlang_a_cell", "simulation"):
        assert c.loc[ne, f"{m}_abandon_rate"].isna().all()
        assert c.loc[~ne, f"{m}_abandon_rate"].notna().all()
    assert cal.summary()["cells"] == int((~ne).sum())


def test_too_few_contacts(erlang_log):
    with pytest.raises(ValueError, match="min_contacts"):
        calibrate(erlang_log.file(), min_contacts=10 ** 6, models=("erlang_a",))


# ---------------------------------------------------------------------- CLI

@pytest.fixture(scope="module")
def log_path(tmp_path_factory, erlang_log):
    path = tmp_path_factory.mktemp("log") / "calls.txt"
    path.write_text(erlang_log.text)
    return path


def test_cli_json(log_path, tmp_path, capsys):
    code = main(["calibrate", str(log_path), "--pool", "retail=PS,NE", "--interval", "60",
                 "--holdout", "weekday", "--target-time", "20", "--no-simulation",
                 "--out", str(tmp_path / "cal"), "--json"])
    out = capsys.readouterr().out
    assert code == 0
    s = json.loads(out)
    assert list(s) == [*SUMMARY_KEYS, "model", "by_model"]
    assert (tmp_path / "cal" / "cells.csv").exists()


def test_cli_text(log_path, tmp_path, capsys):
    code = main(["calibrate", str(log_path), "--pool", "retail=PS,NE", "--no-simulation",
                 "--agents", "presence", "--agent-factor", "none", "--patience-by", "service",
                 "--out", str(tmp_path / "cal")])
    out = capsys.readouterr().out
    assert code == 0
    assert "abandon_mae_pp" in out and "erlang_a" in out


@pytest.mark.parametrize("args, field", [
    (["--pool", "retail"], "--pool"), (["--interval", "45"], "--interval"),
    (["--holdout", "year"], "--holdout"), (["--target-time", "-5"], "--target-time"),
    (["--target-time", "abc"], "--target-time"), (["--max-excluded", "2"], "--max-excluded"),
    (["--min-contacts", "0"], "--min-contacts"), (["--pool", "a=PS", "--pool", "a=NE"],
                                                  "--pool"),
    (["--pool", "a=PS,ZZ"], "pools"), (["--agents", "heads"], "--agents"),
    (["--agent-factor", "x"], "--agent-factor"), (["--patience-by", "hour"], "--patience-by"),
])
def test_cli_bad_arguments(log_path, tmp_path, capsys, args, field):
    code = main(["calibrate", str(log_path), "--no-simulation", "--out",
                 str(tmp_path / "cal"), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert f"'{field}" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_cli_missing_log(tmp_path, capsys):
    assert main(["calibrate", str(tmp_path / "nope.txt")]) == 2
    assert "'log'" in capsys.readouterr().err


def test_models_listed():
    assert MODELS == ("erlang_a", "erlang_a_cell", "simulation")
