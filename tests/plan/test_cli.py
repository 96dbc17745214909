"""The ccwfm command line: demo output, exit codes, atomic files."""

import csv
import os

import pytest

import erlang
from plan import cli
from plan._atomic import write_atomic


def test_demo_prints_a_staffing_table(capsys):
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "08:00" in out and "19:30" in out
    assert "Erlang A" in out and "Agent-hours" in out


def test_demo_csv_matches_erlang(tmp_path):
    path = tmp_path / "out" / "day.csv"
    assert cli.main(["demo", "--csv", str(path), "--no-patience", "--interval", "60"]) == 0
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 12
    for row in rows:
        vol, aht = float(row["volume"]), float(row["aht_s"])
        want = erlang.required_agents(vol, aht, service_level=0.8, target_time=20,
                                      interval=3600)
        assert int(row["agents"]) == want
        assert int(row["scheduled"]) == erlang.scheduled_agents(want, 0.3)
    assert not [p for p in os.listdir(path.parent) if p.endswith(".tmp")]


@pytest.mark.parametrize("args, field", [
    (["demo", "--shrinkage", "1.5"], "'shrinkage'"),
    (["demo", "--service-level", "80"], "'service_level'"),
    (["demo", "--daily-volume", "-3"], "'daily_volume'"),
    (["demo", "--patience", "0"], "'patience'"),
])
def test_bad_input_exits_2_naming_the_field(args, field, capsys):
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert field in err and "Traceback" not in err


def test_unknown_option_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["demo", "--bogus"])
    assert info.value.code == 2


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
