"""The ccwfm command line: commands, outputs, exit codes, atomic files."""

import io
import os
from pathlib import Path

import pandas as pd
import pytest

from ccwfm.plan import cli, demo_scenario, pipeline
from ccwfm.plan._atomic import write_atomic

SCENARIO = """
[scenario]
name = "small"
start = 2025-09-01
weeks = 1
history_weeks = 12

[[queues]]
name = "voice"
demo = true
patience = 180
target = { service_level = 0.8, target_time = 20 }

[workforce]
interval = 60
hourly_cost = 30.0
shrinkage = { breaks = 0.1 }

[simulation]
replications = 2

[[variants]]
name = "strict"
overrides = { "queues.voice.target.service_level" = 0.9 }
"""


@pytest.fixture()
def scenario(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SCENARIO)
    return path


def test_forecast_command_writes_tables_and_summary(scenario, tmp_path, capsys):
    out = tmp_path / "fc"
    assert cli.main(["forecast", str(scenario), "--out", str(out), "--quiet"]) == 0
    names = set(os.listdir(out))
    assert {"forecast.csv", "models.csv", "plan.xlsx", "forecast.png", "summary.html"} <= names
    assert not [p for p in names if ".tmp" in p]
    fc = pd.read_csv(out / "forecast.csv", parse_dates=["start"])
    assert set(fc["queue"]) == {"voice"}
    assert fc["start"].min() >= pd.Timestamp("2025-09-01")
    assert fc["start"].max() < pd.Timestamp("2025-09-08")
    assert (fc["lo_80"] <= fc["forecast"]).all() and (fc["forecast"] <= fc["hi_80"]).all()
    assert "wrote" in capsys.readouterr().out


def test_capacity_command_runs_the_whole_pipeline(scenario, tmp_path, capsys):
    out = tmp_path / "all"
    assert cli.main(["capacity", str(scenario), "--out", str(out), "--quiet"]) == 0
    names = set(os.listdir(out))
    assert {"requirements.csv", "verification.csv", "coverage.csv", "shifts.csv",
            "achieved.csv", "capacity.csv", "costs.csv", "heatmap.png", "kpis.png",
            "capacity.png"} <= names
    cov = pd.read_csv(out / "coverage.csv")
    assert (cov["under"] <= 1e-9).all()
    costs = pd.read_csv(out / "costs.csv").set_index("item")["cost"]
    assert costs["total"] == pytest.approx(costs.drop("total").sum())
    page = (out / "summary.html").read_text()
    assert "small: staffing plan" in page and "data:image/png;base64" in page


def test_scenarios_command_compares_variants(scenario, tmp_path, capsys):
    out = tmp_path / "cmp"
    assert cli.main(["scenarios", str(scenario), "--out", str(out), "--quiet"]) == 0
    table = pd.read_csv(out / "scenarios.csv")
    assert table["scenario"].tolist() == ["small", "strict"]
    # A stricter target cannot need fewer agents.
    assert table["scheduled_agent_hours"].iloc[1] >= table["scheduled_agent_hours"].iloc[0]


@pytest.mark.parametrize("args, field", [
    (["forecast", "missing.toml"], "cannot read the scenario file"),
    (["demo", "--weeks", "0"], "'--weeks' must be >= 1"),
])
def test_bad_input_exits_2_naming_the_field(args, field, capsys):
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert field in err and "Traceback" not in err


def test_bad_scenario_value_exits_2(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(SCENARIO.replace("patience = 180", "patience = -5"))
    assert cli.main(["forecast", str(path)]) == 2
    assert "'queues[0].patience' must be > 0: -5" in capsys.readouterr().err


def test_unknown_option_exits_2():
    with pytest.raises(SystemExit) as info:
        cli.main(["demo", "--bogus"])
    assert info.value.code == 2


def test_demo_prints_its_scenario(capsys):
    assert cli.main(["demo", "--print-scenario"]) == 0
    out = capsys.readouterr().out
    assert "[[queues]]" in out and 'name = "voice"' in out


def test_every_command_has_help(capsys):
    for command in ("demo", "forecast", "staff", "simulate", "schedule", "capacity",
                    "scenarios", "dashboard"):
        with pytest.raises(SystemExit) as info:
            cli.main([command, "--help"])
        assert info.value.code == 0
        assert "usage: ccwfm" in capsys.readouterr().out


def test_atomic_write_leaves_nothing_half_written(tmp_path):
    target = tmp_path / "table.csv"
    target.write_text("old\n")

    def broken(tmp):
        with open(tmp, "w") as fh:
            fh.write("partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(target, broken)
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["table.csv"]


def test_dashboard_command_starts_streamlit_on_the_app(monkeypatch, capsys):
    seen = {}

    def fake_call(cmd, env=None):
        seen["cmd"] = cmd
        return 0

    monkeypatch.setattr(cli.subprocess, "call", fake_call)
    assert cli.main(["dashboard", "--port", "8765"]) == 0
    cmd = seen["cmd"]
    assert cmd[1:4] == ["-m", "streamlit", "run"]
    assert cmd[4].endswith("dashboard/app.py") and Path(cmd[4]).exists()
    assert cmd[cmd.index("--server.port") + 1] == "8765"
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    assert cli.main(["dashboard", "--port", "0"]) == 2
    assert "'--port' must be in 1-65535: 0" in capsys.readouterr().err


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_draws_in_place_and_reaches_the_end():
    sc = demo_scenario(weeks=1)
    out = _Tty()
    bar = cli._Progress(sc, pipeline.STEPS, stream=out)
    assert bar.total == 4 + 1 + (sc.simulation.max_rounds + 1) + 1 + 2 * 4 + 1
    bar("forecast voice: x")
    first = out.getvalue()
    assert first.startswith("\r\033[K[#") and "forecast voice" in first and "\n" not in first
    bar("simulation check: 2 correction rounds")      # the loop ended early: jump ahead
    assert bar.done == bar.sim_end
    bar.finish()
    assert out.getvalue().rstrip("\n").split("\r\033[K")[-1].startswith("[" + "#" * 28 + "] 100%")
    plain = io.StringIO()
    cli._Progress(sc, pipeline.STEPS, stream=plain)("requirements: peak 3")
    assert plain.getvalue().startswith("[") and plain.getvalue().endswith("requirements: peak 3\n")
    quiet = io.StringIO()
    cli._Progress(sc, pipeline.STEPS, quiet=True, stream=quiet)("x")
    assert quiet.getvalue() == ""
