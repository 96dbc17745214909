"""read_acd on realistic Anonymous Bank logs with known truth (tests/_acdlog.py).

The generator simulates one pool of agents serving three services and stamps the calls
as a real ACD does, with real logs' artefacts: service starts 1-2 s before the stage
before them, a few overlaps of minutes (invalid), calls ending in the VRU, PHANTOM rows,
NO_SERVER services, negative VRU times, calls crossing midnight.  The import must keep
the valid rows and recover what the simulation knows: arrivals per interval, waits and
handle times, patience, and the agents available.
"""

import math

import numpy as np
import pytest

from ccwfm.forecast import estimate_patience, read_acd
from tests._acdlog import synthetic_log

SEEDS = (1, 2, 3, 4)
ARTEFACTS = dict(skew=0.3, overlaps=3, vru_only=0.05, phantom=0.02, no_server=0.03,
                 negative_vru=5)
PATIENCE = 300.0          # the generator's default mean patience (exponential), seconds
ALL = {"all": ["PS", "NE", "TT"]}


@pytest.fixture(scope="module")
def logs():
    """(generated, read) per seed; every other seed with agents stepping away (85%)."""
    out = {}
    for seed in SEEDS:
        g = synthetic_log(seed=seed, days=4, availability=0.85 if seed % 2 else 1.0,
                          **ARTEFACTS)
        out[seed] = (g, read_acd(g.file()))
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_valid_rows_kept_with_their_outcomes_waits_and_handle_times(logs, seed):
    g, log = logs[seed]
    calls = g.calls.set_index("row")
    kept = log.frame.set_index("row")
    valid = calls[calls["valid"]]
    assert valid.index.isin(kept.index).mean() >= 0.99
    assert not calls[~calls["valid"]].index.isin(kept.index).any()
    issues = {i.kind: i.rows for i in log.report}
    assert set(issues["order"]) == set(calls.index[calls["artefact"] == "overlap"])
    assert set(issues["phantom"]) == set(calls.index[calls["artefact"] == "phantom"])
    assert "clock_skew" in issues and "vru_ignored" in issues and "no_agent" in issues
    truth = calls.loc[kept.index]
    assert (kept["outcome"] == truth["outcome"]).all()
    assert (kept["queue"] == truth["queue"]).all()
    # Stamps are whole seconds: each wait and handle time within a second of the truth.
    off = kept["outcome"] != "other"
    assert (kept.loc[off, "wait"] - truth.loc[off, "wait"]).abs().max() < 1
    ans = kept["outcome"] == "answered"
    assert (kept.loc[ans, "handle"] - truth.loc[ans, "handle"]).abs().max() < 1
    no_server = truth["agent"].eq("NO_SERVER") & ans
    assert kept.loc[no_server, "agent"].isna().all() and no_server.any()


@pytest.mark.parametrize("seed", SEEDS)
def test_arrivals_and_aht_per_interval(logs, seed):
    g, log = logs[seed]
    h = log.to_history(interval=15).frame.set_index(["queue", "start"])
    c = g.calls[g.calls["valid"] & g.calls["outcome"].isin(["answered", "abandoned"])].copy()
    c["start"] = c["arrival"].dt.floor("15min")
    want = c.groupby(["queue", "start"]).agg(
        volume=("row", "size"), answered=("outcome", lambda s: int((s == "answered").sum())),
        handle=("handle", "mean"))
    got = h.reindex(want.index)
    np.testing.assert_array_equal(got["volume"], want["volume"])
    np.testing.assert_array_equal(got["answered"], want["answered"])
    assert h["volume"].sum() == len(c)          # no volume anywhere else
    both = want["handle"].notna()
    assert (got.loc[both, "aht"] - want.loc[both, "handle"]).abs().max() < 1
    for q, sub in c[c["outcome"] == "answered"].groupby("queue"):
        read = log.frame[(log.frame["queue"] == q) & (log.frame["outcome"] == "answered")]
        assert abs(read["handle"].mean() - sub["handle"].mean()) < 0.5


def test_patience_against_the_truth(logs):
    """Kaplan-Meier and exponential estimates vs the exponential truth (mean 300 s), all
    queues pooled per seed: z-scores within 4 (a false alarm in about 1 run in 10^4 per
    check)."""
    for seed in SEEDS:
        _, log = logs[seed]
        p = estimate_patience(log)
        for t in (30.0, 60.0, 120.0, 240.0):
            i = np.searchsorted(p.times, t, side="right") - 1
            z = (p.survival_at(t) - math.exp(-t / PATIENCE)) / p.survival_se[i]
            assert abs(z) < 4, (seed, t, z)
        # Median: error over its standard error SE(S(m)) / f(m), f the density there.
        median = PATIENCE * math.log(2)
        i = np.searchsorted(p.times, p.median_km, side="right") - 1
        z = (p.median_km - median) * (0.5 / PATIENCE) / p.survival_se[i]
        assert abs(z) < 4, (seed, p.median_km, z)
        # Mean (exponential MLE): log(mean) has a standard error of 1 / sqrt(abandoned).
        z = math.log(p.mean_exponential / PATIENCE) * math.sqrt(p.abandoned)
        assert abs(z) < 4, (seed, p.mean_exponential, z)
        # Kaplan-Meier mean restricted to 300 s; the bound on its error sums the
        # curve's standard errors (as if fully correlated).
        grid = np.arange(0.0, 300.0, 1.0) + 0.5
        rmst = p.survival_at(grid).sum()
        se = p.survival_se[np.maximum(np.searchsorted(p.times, grid, side="right") - 1,
                                      0)].sum()
        assert abs(rmst - PATIENCE * (1 - math.exp(-1))) < 3 * se, (seed, rmst, se)


def test_patience_per_pool_is_the_sum_of_its_queues(logs):
    _, log = logs[1]
    pooled = log.pooled(ALL)
    p = estimate_patience(pooled, queue="all")
    assert p.n == estimate_patience(log).n
    assert p.abandoned == sum(estimate_patience(log, queue=q).abandoned for q in ALL["all"])


def test_agents_effective_recovers_the_available_agents(logs):
    """The generator's agents form one pool: pooled, ``agents_effective`` over intervals
    with someone waiting more than half the time is the truth's available agents (on duty
    and not away): exactly most of the time, within 5% on average."""
    for seed in SEEDS:
        g, log = logs[seed]
        h = log.to_history(interval=15, pools=ALL).frame.set_index("start")
        j = h.join(g.available(15).rename("truth"), how="inner")
        busy = j[j["wait_share"] > 0.5]
        assert len(busy) >= 30, (seed, len(busy))
        rel = (busy["agents_effective"] - busy["truth"]) / busy["truth"]
        assert abs(rel.mean()) < 0.05 and rel.abs().median() < 0.03, (seed, rel.describe())
        # Agents stepping away show in the availability factor.
        if seed % 2:
            assert 0.7 < busy["availability"].mean() < 0.92, (seed, busy["availability"].mean())
        else:
            assert busy["availability"].mean() > 0.95, (seed, busy["availability"].mean())
        # Busy agents over whole intervals never exceed those on duty.
        j = h.join(g.truth["staffed"].groupby(g.truth["staffed"].index.floor("15min")).max()
                   .rename("staffed"), how="inner")
        assert (j["agents_busy"] <= j["staffed"] + 1e-9).all()


def test_a_log_with_many_overlaps_is_refused_by_default():
    g = synthetic_log(seed=7, days=1, rate=40.0, overlaps=60)
    with pytest.raises(ValueError) as e:
        read_acd(g.file())
    msg = str(e.value)
    assert msg.startswith("'source' has ") and "Top reasons: order 60 (" in msg, msg
    log = read_acd(g.file(), max_excluded=1)
    assert len({i.kind: i.rows for i in log.report}["order"]) == 60
    assert len(log.frame) == len(g.calls) - 60 - int((g.calls["outcome"] == "phantom").sum())
