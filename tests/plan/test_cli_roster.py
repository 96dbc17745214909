"""``ccwfm roster``: the roster of the demo written and summarised; bad input refused in one
line with exit code 2, before anything is planned or written."""

import os

import pandas as pd
import pytest

from ccwfm.plan import cli
from ccwfm.plan.roster_rules import ROSTER_COLUMNS


def one_line_error(capsys, code, *fragments):
    """The command's exit code was ``code`` (2), stderr holds one line naming the fragments."""
    err = capsys.readouterr().err
    lines = [x for x in err.splitlines() if x.strip()]
    assert code == 2, err
    assert len(lines) == 1, err
    for f in fragments:
        assert f in lines[0], (f, lines[0])
    return lines[0]


def test_roster_of_the_demo_writes_the_roster_and_keeps_every_rule(tmp_path, capsys):
    out = tmp_path / "ro"
    assert cli.main(["roster", "demo", "--weeks", "1", "--out", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "0 rule violations" in text and "over 1 weeks" in text
    names = set(os.listdir(out))
    assert {"roster.csv", "roster.xlsx", "roster_grid.csv", "roster_rules.csv"} <= names
    assert not [n for n in names if n.startswith(".") or ".tmp" in n]
    assert f"wrote {len(names)} files to {out}" in text
    table = pd.read_csv(out / "roster.csv", keep_default_na=False, parse_dates=["date"])
    assert list(table.columns[:len(ROSTER_COLUMNS)]) == list(ROSTER_COLUMNS)
    assert sorted(table["date"].unique()) == list(pd.date_range("2025-09-01", periods=7))
    per_agent = table.groupby("agent")["date"].nunique()
    assert (per_agent == 7).all() and len(table) == 7 * len(per_agent)
    rules = pd.read_csv(out / "roster_rules.csv")
    assert (rules["violations"] == 0).all()
    # the summary's figures are the files' (agents, paid hours)
    head = text.splitlines()[0]
    assert head.startswith(f"{len(per_agent)} agents over 1 weeks: "
                           f"{table['paid_hours'].sum():,.0f} paid hours")


@pytest.mark.parametrize("weeks", ["9", "0", "two"])
def test_weeks_out_of_range_exit_2_in_one_line(tmp_path, capsys, weeks):
    out = tmp_path / "ro"
    code = cli.main(["roster", "demo", "--weeks", weeks, "--out", str(out), "--quiet"])
    one_line_error(capsys, code, "--weeks", weeks)
    assert not out.exists()


def test_a_missing_agents_file_exits_2_in_one_line(tmp_path, capsys):
    out = tmp_path / "ro"
    missing = tmp_path / "nobody.csv"
    code = cli.main(["roster", "demo", "--weeks", "1", "--agents", str(missing),
                     "--out", str(out), "--quiet"])
    one_line_error(capsys, code, "--agents", "nobody.csv")
    assert not out.exists()


@pytest.mark.parametrize("text, fragments", [
    ("id,group,contract\na,email,full\nb,email,fulll\n", ["agents row 3", "'contract'", "fulll"]),
    ("id,group,contract\na,email,full\na,chat,part\n", ["agents row 3", "'id' must be unique"]),
    ("id,group,contract,days_off\na,email,full,mon\nb,email,full,someday\n",
     ["agents row 3", "days_off", "someday"]),
])
def test_an_agents_file_with_a_bad_row_exits_2_naming_row_and_field(tmp_path, capsys, text,
                                                                    fragments):
    agents = tmp_path / "agents.csv"
    agents.write_text(text)
    out = tmp_path / "ro"
    code = cli.main(["roster", "demo", "--weeks", "1", "--agents", str(agents),
                     "--out", str(out), "--quiet"])
    one_line_error(capsys, code, *fragments)
    assert not out.exists()
