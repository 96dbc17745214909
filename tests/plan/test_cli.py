"""The ccwfm command line: commands, outputs, exit codes, atomic files."""

import io
import os
import sys

import pandas as pd
import pytest

from ccwfm.plan import Progress, cli, demo_scenario, pipeline
from ccwfm.plan.progress import Reporter
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
    assert {"requirements.csv", "attainment.csv", "coverage.csv", "shifts.csv",
            "achieved.csv", "capacity.csv", "costs.csv", "heatmap.png", "kpis.png",
            "capacity.png"} <= names
    att = pd.read_csv(out / "attainment.csv")
    assert set(att["level"]) == {"day"} and att["met"].all()
    assert (att["low"] >= att["target"]).all()
    costs = pd.read_csv(out / "costs.csv").set_index("item")["cost"]
    assert costs["total"] == pytest.approx(costs.drop("total").sum())
    page = (out / "summary.html").read_text()
    assert "small: staffing plan" in page and "data:image/png;base64" in page
    assert "Targets at their level" in page and "Against the two-step plan" in page
    assert "Interval floors" in page


def test_scenarios_command_compares_variants(scenario, tmp_path, capsys):
    out = tmp_path / "cmp"
    assert cli.main(["scenarios", str(scenario), "--out", str(out), "--quiet"]) == 0
    table = pd.read_csv(out / "scenarios.csv")
    assert table["scenario"].tolist() == ["small", "strict"]
    # A stricter target cannot need fewer agents.
    assert table["scheduled_agent_hours"].iloc[1] >= table["scheduled_agent_hours"].iloc[0]


@pytest.mark.parametrize("args, field", [
    (["forecast", "missing.toml"], "'scenario' must be a scenario file (TOML) that exists: "
                                   "'missing.toml'"),
    (["demo", "--weeks", "0"], "'--weeks' must be a whole number >= 1: 0"),
    (["demo", "--weeks", "105"], "'--weeks' must be <= 104 weeks (limit 'weeks'): 105"),
    (["demo", "--weeks", "2.5"], "'--weeks' must be a whole number: '2.5'"),
    (["staff", "demo", "--weeks", "1e9"], "'--weeks' must be a whole number: '1e9'"),
    (["dashboard", "--port", "70000"], "'--port' must be in 1-65535: 70000"),
    (["dashboard", "--port", "http"], "'--port' must be a whole number: 'http'"),
    (["dashboard", "--address", "a b"], "'--address' must be a host name or an IP address"),
    (["scenarios", "demo", "--scheduler", "tcp://"], "'--scheduler' must be a Dask scheduler"),
    (["bogus"], "'COMMAND' invalid choice: 'bogus'"),
    ([], "the following arguments are required: COMMAND"),
    (["forecast"], "the following arguments are required: scenario"),
    (["demo", "--bogus"], "unrecognized arguments: --bogus"),
    (["demo", "--weeks"], "'--weeks' expected one argument"),
])
def test_bad_arguments_exit_2_on_one_line_naming_the_argument(args, field, capsys):
    assert cli.main(args) == cli.EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert field in captured.err and "Traceback" not in captured.err
    assert len(captured.err.strip().splitlines()) == 1 and captured.out == ""


def test_bad_files_exit_2_naming_the_file(tmp_path, capsys):
    (tmp_path / "folder.toml").mkdir()
    (tmp_path / "garbled.toml").write_text("[scenario\nname = 1\n")
    (tmp_path / "latin1.toml").write_bytes("name = 'caf\xe9'".encode("latin-1"))
    (tmp_path / "empty.toml").write_text("")
    (tmp_path / "out.txt").write_text("a file")
    cases = [
        (["forecast", str(tmp_path / "folder.toml")], "not a folder"),
        (["forecast", str(tmp_path / "garbled.toml")], "is not valid TOML: "),
        (["forecast", str(tmp_path / "garbled.toml")], "(at line 1, column 10)"),
        (["forecast", str(tmp_path / "latin1.toml")], "is not UTF-8 text"),
        (["forecast", str(tmp_path / "empty.toml")], "'scenario' is required"),
        (["forecast", "/dev/null"], "not a regular file"),
        (["demo", "--out", str(tmp_path / "out.txt")], "'--out' must be a folder, not a file"),
    ]
    for args, field in cases:
        assert cli.main(args) == cli.EXIT_BAD_INPUT, args
        err = capsys.readouterr().err
        assert field in err and "Traceback" not in err, (args, err)
        assert len(err.strip().splitlines()) == 1, err


def test_bad_scenario_value_exits_2(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(SCENARIO.replace("patience = 180", "patience = -5"))
    assert cli.main(["forecast", str(path)]) == 2
    assert "'queues[voice].patience' must be > 0: -5" in capsys.readouterr().err
    path.write_text(SCENARIO.replace("weeks = 1", "weeks = 500"))
    assert cli.main(["forecast", str(path)]) == 2
    assert "'scenario.weeks' must be <= 104 weeks (limit 'weeks'): 500" in capsys.readouterr().err
    path.write_text(SCENARIO.replace("= 0.9 }", "= 1.9 }"))
    assert cli.main(["scenarios", str(path)]) == 2
    assert ("'variants[strict].\"queues.voice.target.service_level\"' must be > 0 and < 1: 1.9"
            in capsys.readouterr().err)


def test_demo_prints_its_scenario(capsys):
    assert cli.main(["demo", "--print-scenario"]) == 0
    out = capsys.readouterr().out
    assert "[[queues]]" in out and 'name = "voice"' in out


def test_demo_multiskill_prints_a_scenario_that_reads_back(capsys):
    from ccwfm.plan.scenario import Scenario
    assert cli.main(["demo", "--multiskill", "--print-scenario"]) == 0
    sc = Scenario.from_toml(capsys.readouterr().out)
    blend = sc.workforce.group("blend")
    assert blend.skills == ("sales", "voice") and sc.name == "demo-multiskill"


def test_every_command_has_help(capsys):
    for command in ("demo", "forecast", "staff", "simulate", "schedule", "capacity",
                    "scenarios", "dashboard"):
        assert cli.main([command, "--help"]) == 0
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


def test_dashboard_command_runs_the_dashboard_package(monkeypatch, capsys):
    # ``ccwfm dashboard`` hands over to ``python -m ccwfm.dashboard`` (which finds its own
    # app.py and runs streamlit; see tests/dashboard/test_serve.py).
    seen = {}

    def fake_exec(path, cmd):
        assert path == sys.executable
        seen["cmd"] = cmd

    monkeypatch.setattr(cli.os, "execv", fake_exec)
    assert cli.main(["dashboard", "--port", "8765"]) == 1      # execv returned: not reached
    assert seen["cmd"] == [sys.executable, "-m", "ccwfm.dashboard",
                           "--port", "8765", "--address", "127.0.0.1"]
    assert cli.main(["dashboard", "--port", "8766", "--address", "0.0.0.0"]) == 1
    assert seen["cmd"] == [sys.executable, "-m", "ccwfm.dashboard",
                           "--port", "8766", "--address", "0.0.0.0"]
    assert cli.main(["dashboard", "--port", "0"]) == 2
    assert "'--port' must be in 1-65535: 0" in capsys.readouterr().err


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_draws_in_place_and_reaches_the_end():
    out = _Tty()
    bar = cli._Progress(stream=out)
    report = Reporter(pipeline.STEPS, bar)
    report("forecast", 1, 4, "forecast voice: x")
    first = out.getvalue()
    assert first.startswith("\r\033[K[#") and "forecast voice" in first and "\n" not in first
    assert " 8%" in first                              # a quarter of the forecast's 30%
    report("simulation", 9, 9, "simulation check: 2 correction rounds")
    assert "[" + "#" * 20 + "." * 8 + "]  72%" in out.getvalue().split("\r\033[K")[-1]
    bar.finish()
    assert out.getvalue().rstrip("\n").split("\r\033[K")[-1].startswith("[" + "#" * 28 + "] 100%")
    plain = io.StringIO()
    cli._Progress(stream=plain)(Progress("requirements", 0.3, "requirements: peak 3"))
    assert plain.getvalue().startswith("[") and plain.getvalue().endswith("requirements: peak 3\n")
    quiet = io.StringIO()
    cli._Progress(quiet=True, stream=quiet)(Progress("forecast", 0.1, "x"))
    assert quiet.getvalue() == ""
