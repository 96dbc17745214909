"""The Roster page (dashboard/roster_page.py) through Streamlit's AppTest, and its charts.

The page is rendered by a tiny script (``AppTest.from_function``) that loads
the one-week demo and calls ``roster_page.render()``, so the test does not
depend on the app's list of pages.  What the page shows is compared with the
roster table filtered here, and the rules are checked on the table by
predicates written here from the rules' words (not by the roster's own
check).
"""

import io
import json
import re

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from ccwfm import plan
from ccwfm.dashboard import charts, roster_page

HOUR = pd.Timedelta(hours=1)


def _script():
    import streamlit as st

    from ccwfm import plan
    from ccwfm.dashboard import roster_page, state

    state.init()
    if "test_demo" not in st.session_state:
        state.set_scenario(plan.demo_scenario(weeks=1), "demo contact center")
        st.session_state["test_demo"] = True
    roster_page.render()


def _ok(at):
    assert not at.exception, [e.message for e in at.exception]
    return at


def _metric(at, label):
    m = next(m for m in at.metric if m.label.startswith(label))
    return float(m.value.replace(",", ""))


def _shown(at):
    """The roster the page shows (from the session)."""
    ss = at.session_state
    return ss[roster_page.ROSTERS][ss[roster_page.SHOWN]]


def _layers(at, index=0):
    """The datasets of the ``index``-th chart, by layer (in the spec's layer order)."""
    chart = at.get("vega_lite_chart")[index].proto
    spec = json.loads(chart.spec)
    data = {d.name: pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.datasets}
    return [data[layer["data"]["name"]] for layer in spec["layer"]]


def _rule_breaks(table, rules):
    """Breaks of the day-based rules, found on the table by brute force: days off a
    week (and together), days worked in a row, rest between shifts, start window.
    For rosters of one week: days off together are counted inside the week (days
    outside the roster count as worked)."""
    out = []
    for agent, g in table.groupby("agent"):
        g = g.sort_values("date")
        worked = (g["shift"] != "").to_numpy()
        if rules.days_off is not None:
            for w in range(len(worked) // 7):
                week = worked[7 * w:7 * w + 7]
                if (~week).sum() < rules.days_off:
                    out.append(("days_off", agent))
                if rules.consecutive_days_off and rules.days_off > 0:
                    best = max((len(r) for r in "".join("o" if not x else "w"
                                                        for x in week).split("w")), default=0)
                    if best < rules.days_off:
                        out.append(("days_off together", agent))
        if rules.max_consecutive_days is not None:
            runs = "".join("w" if x else "o" for x in worked).split("o")
            if max(map(len, runs)) > rules.max_consecutive_days:
                out.append(("max_consecutive_days", agent))
        s = g[g["shift"] != ""].sort_values("start")
        if rules.min_rest_hours is not None and len(s) > 1:
            rest = (s["start"].to_numpy()[1:] - s["end"].to_numpy()[:-1]) / HOUR
            if (rest < rules.min_rest_hours - 1e-9).any():
                out.append(("min_rest_hours", agent))
        if rules.start_window is not None and len(s):
            minutes = s["start"].dt.hour * 60 + s["start"].dt.minute
            week = (s["date"] - s["date"].min()).dt.days // 7
            if (minutes.groupby(week).agg(lambda m: m.max() - m.min())
                    > rules.start_window).any():
                out.append(("start_window", agent))
    return out


@pytest.fixture(scope="module")
def made():
    """The page with the demo's full plan built and a roster made with the scenario's rules."""
    at = _ok(AppTest.from_function(_script, default_timeout=600).run())
    assert "not been built" in at.markdown[0].value
    assert at.button(key="ro_run_full").proto.label == "Build the schedule and capacity plan"
    assert not at.get("vega_lite_chart")
    _ok(at.button(key="ro_run_full").click().run())
    assert not at.metric                           # no roster yet: rules and the button
    _ok(at.button(key="ro_make").click().run())
    assert not at.error, [e.value for e in at.error]
    return at


def test_roster_made_with_the_scenario_rules_keeps_them(made):
    at = made
    ro = _shown(at)
    sc = plan.demo_scenario(weeks=1)
    assert ro.rules == sc.roster.rules and ro.weeks == 1
    assert _metric(at, "Rule violations") == 0
    assert _metric(at, "Agents") == ro.table["agent"].nunique() == len(ro.agents) > 0
    assert _metric(at, "Paid hours") == pytest.approx(ro.table["paid_hours"].sum(), abs=0.5)
    delta = next(m for m in at.metric if m.label == "Paid hours").proto.delta
    pct = 100 * (ro.table["paid_hours"].sum() / ro.paid_hours_schedule - 1)
    assert delta.startswith(f"{pct:+.1f}%")
    short = (ro.coverage["target"] - ro.coverage["rostered"]).clip(lower=0).sum() / 4
    assert _metric(at, "Shortfall") == pytest.approx(short, abs=0.05)
    assert _rule_breaks(ro.table, ro.rules) == []
    # the rule report: every rule, in words, 0 violations or "not checked"
    report = at.dataframe[0].value
    assert list(report.columns) == ["Rule", "On", "What it asks", "Violations", "Example"]
    assert set(report["Rule"]) == set(roster_page.RULE_NAMES.values())
    assert set(report["Violations"]) <= {"0", "not checked", "a preference, not checked"}
    assert report.set_index("Rule").loc["Night shifts a week", "On"] == "off"
    # the KPIs: each queue's targets, periods met in words, no raw floats
    kpis = at.dataframe[1].value
    assert {"Queue", "KPI", "Target", "Periods met", "Met"} <= set(kpis.columns)
    assert set(kpis["Queue"]) == {q.name for q in sc.queues}
    assert all(re.fullmatch(r"\d+ of \d+", x) for x in kpis["Periods met"])
    assert kpis.set_index("Queue").loc["email", "KPI"] == "ASA"     # e-mail: its own target
    assert not any(pd.api.types.is_float_dtype(t) for t in report.dtypes.tolist()
                   + kpis.dtypes.tolist())
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Roster (CSV)", "Grid (CSV)", "All roster tables (Excel)",
                      "Agents (CSV)"]


def test_downloads_give_the_roster_the_grid_and_the_workbook(made, monkeypatch):
    at = made
    files = {}
    real = DeltaGenerator.download_button

    def keep(self, label, data, *args, **kwargs):
        files[label] = data() if callable(data) else data
        return real(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", keep)
    _ok(at.run())
    ro = _shown(at)
    days = ro.table["date"].nunique()
    roster = pd.read_csv(io.BytesIO(files["Roster (CSV)"]), keep_default_na=False)
    assert len(roster) == len(ro.agents) * days == len(ro.table)
    assert set(zip(roster["agent"], roster["date"])) == {
        (a.id, d) for a in ro.agents for d in ro.table["date"].dt.strftime("%Y-%m-%d")}
    assert (roster["shift"] == "").sum() == (ro.table["shift"] == "").sum()
    grid = pd.read_csv(io.BytesIO(files["Grid (CSV)"]), keep_default_na=False)
    assert len(grid) == len(ro.agents) and grid.shape[1] == 3 + days
    off = grid.iloc[:, 3:].eq("off").to_numpy().sum()
    assert off == (ro.table["shift"] == "").sum()
    book = pd.read_excel(io.BytesIO(files["All roster tables (Excel)"]), sheet_name=None)
    assert {"summary", "roster", "grid", "rules", "coverage", "agents"} <= set(book)
    agents = plan.read_agents(files["Agents (CSV)"], ro.contracts)
    assert agents == ro.agents


def _expected_bars(table, group, start, days):
    t = table[(table["group"] == group) & (table["shift"] != "")
              & (table["date"] >= start) & (table["date"] < start + pd.Timedelta(days=days))]
    return sorted(zip(t["agent"], t["shift"], (t["start"] - start) / HOUR,
                      (t["end"] - start) / HOUR))


def _bars(frame):
    return sorted(zip(frame["agent"], frame["shift"], frame["from_h"], frame["to_h"]))


def test_gantt_has_one_bar_per_shift_of_the_group_and_week(made):
    at = made
    table = _shown(at).table
    monday = pd.Timestamp("2025-09-01")
    _ok(at.selectbox(key="ro_group").set_value("chat").run())
    assert at.selectbox(key="ro_week").value == monday.date()
    bars, breaks, _ = _layers(at, 0)
    assert len(bars) > 0
    assert _bars(bars) == _expected_bars(table, "chat", monday, 7)
    # every break drawn inside its agent's shift; as many as the table lists
    spans = table.loc[(table["group"] == "chat") & (table["breaks"] != ""), "breaks"]
    assert len(breaks) == sum(len(b.split("; ")) for b in spans)
    for b in breaks.itertuples():
        mine = bars[bars["agent"] == b.agent]
        assert ((mine["from_h"] <= b.from_h) & (b.to_h <= mine["to_h"])).sum() == 1
    # one day: only the shifts starting that day
    _ok(at.selectbox(key="ro_day").set_value(2).run())
    bars = _layers(at, 0)[0]
    assert _bars(bars) == _expected_bars(table, "chat", monday + pd.Timedelta(days=2), 1)
    _ok(at.selectbox(key="ro_day").set_value(None).run())
    # coverage chart of the same group and week: the roster's agents on duty
    cov = _layers(at, 1)[0]
    ros = cov[cov["series"] == "roster"].sort_values("h")
    want = _shown(at).coverage
    want = want[want["group"] == "chat"].sort_values("start")
    assert ros["agents"].tolist() == pytest.approx(want["rostered"].tolist())


def test_gantt_pages_of_at_most_60_agents_cover_the_group(made):
    at = made
    table = _shown(at).table
    _ok(at.selectbox(key="ro_group").set_value("voice").run())
    voice = set(table.loc[table["group"] == "voice", "agent"])
    assert len(voice) > 60                      # the demo's voice group needs two pages
    seen, rows = set(), []
    for page in at.selectbox(key="ro_page").options:
        _ok(at.selectbox(key="ro_page").set_value(page).run())
        chart = at.get("vega_lite_chart")[0].proto
        domain = json.loads(chart.spec)["layer"][0]["encoding"]["y"]["scale"]["domain"]
        assert len(domain) <= 60
        assert not seen & set(domain)
        seen |= set(domain)
        bars = _layers(at, 0)[0]
        assert set(bars["agent"]) <= set(domain)
        rows += _bars(bars)
    assert seen == voice
    assert sorted(rows) == _expected_bars(table, "voice", pd.Timestamp("2025-09-01"), 7)


def test_moving_a_filter_or_making_the_same_roster_again_does_not_recompute(made,
                                                                          monkeypatch):
    at = made
    calls = []
    real = plan.make_roster
    monkeypatch.setattr(plan, "make_roster", lambda *a, **k: calls.append(1) or real(*a, **k))
    _ok(at.selectbox(key="ro_group").set_value("email").run())
    _ok(at.selectbox(key="ro_day").set_value(3).run())
    _ok(at.button(key="ro_make").click().run())
    assert calls == []
    assert _metric(at, "Rule violations") == 0


def test_changing_rules_changes_the_roster_and_keeps_them(made):
    at = made
    before = _shown(at)
    _ok(at.number_input(key="ro_window").set_value(0).run())
    assert any("differ from the roster shown" in i.value for i in at.info)
    _ok(at.number_input(key="ro_max_days").set_value(5).run())
    _ok(at.button(key="ro_make").click().run())
    assert not at.error, [e.value for e in at.error]
    assert not at.info
    after = _shown(at)
    assert after is not before
    assert after.rules == plan.RosterRules(start_window=0, max_consecutive_days=5)
    assert not after.table.equals(before.table)
    assert _metric(at, "Rule violations") == 0
    assert _rule_breaks(after.table, after.rules) == []
    # the same start all week: each agent one clock time
    worked = after.table[after.table["shift"] != ""]
    assert (worked.groupby("agent")["start"].agg(
        lambda s: (s.dt.hour * 60 + s.dt.minute).nunique()) == 1).all()
    # and under the scenario's rules, which allow a spread, some agent does use it
    b = before.table[before.table["shift"] != ""]
    assert (b.groupby("agent")["start"].agg(
        lambda s: (s.dt.hour * 60 + s.dt.minute).nunique()) > 1).any()
    # a rule turned off is reported as not checked
    _ok(at.checkbox(key="ro_weekend_on").uncheck().run())
    assert at.number_input(key="ro_weekend").proto.disabled


def test_agents_file_errors_keep_the_roster_and_a_good_file_is_used(made):
    at = made
    before = at.session_state[roster_page.SHOWN]
    bad = b"id,group,contract\nc1,chat,full\nc2,chat,fulll\n"
    _ok(at.file_uploader(key="ro_agents_file").set_value(("agents.csv", bad, "text/csv"))
        .run())
    assert any("row 3" in e.value and "fulll" in e.value for e in at.error)
    _ok(at.button(key="ro_make").click().run())
    assert at.session_state[roster_page.SHOWN] == before
    assert _metric(at, "Rule violations") == 0           # the previous roster, still shown
    # read, but of a group the scenario has not: said when making, roster kept
    stray = b"id,group,contract\nc1,nobody,full\n"
    _ok(at.file_uploader(key="ro_agents_file").set_value(("agents.csv", stray, "text/csv"))
        .run())
    assert not at.error
    _ok(at.button(key="ro_make").click().run())
    assert any("could not be made" in e.value and "nobody" in e.value for e in at.error)
    assert at.session_state[roster_page.SHOWN] == before
    # a good file: only its agents are rostered, their days off kept
    ro = _shown(at)
    mine = plan.agents_frame(ro.agents)
    mine = mine[mine["group"] == "chat"].head(12).assign(days_off="")
    mine.loc[mine.index[0], "days_off"] = "sat;sun"
    buf = io.StringIO()
    mine.to_csv(buf, index=False)
    _ok(at.file_uploader(key="ro_agents_file").set_value(
        ("agents.csv", buf.getvalue().encode(), "text/csv")).run())
    assert any(f"{len(mine)} agents read" in c.value for c in at.caption)
    _ok(at.button(key="ro_make").click().run())
    assert not at.error, [e.value for e in at.error]
    new = _shown(at)
    assert at.session_state[roster_page.SHOWN] != before
    assert set(new.table["agent"]) == set(mine["id"])
    first = new.table[new.table["agent"] == mine["id"].iloc[0]]
    assert (first.loc[first["date"].dt.day_of_week >= 5, "shift"] == "").all()
    assert _metric(at, "Rule violations") == 0


# -- the charts on hand-made rosters --------------------------------------------------

def _table(rows):
    t = pd.DataFrame(rows, columns=["agent", "date", "shift", "start", "end", "breaks"])
    t["date"] = pd.to_datetime(t["date"])
    t["start"] = pd.to_datetime(t["start"])
    t["end"] = pd.to_datetime(t["end"])
    return t.assign(contract="full", paid_hours=(t["end"] - t["start"]) / HOUR)


def test_gantt_night_shift_runs_past_midnight_with_its_break_after_midnight():
    t = _table([
        ("a", "2025-09-07", "night", "2025-09-07 22:00", "2025-09-08 06:00", "01:30-02:00"),
        ("b", "2025-09-07", "", None, None, ""),
        ("c", "2025-09-01", "full", "2025-09-01 06:00", "2025-09-01 14:30", "10:00-10:15; "
         "12:00-12:30"),
        ("c", "2025-09-08", "full", "2025-09-08 06:00", "2025-09-08 14:30", ""),  # next week
    ])
    chart = charts.roster_gantt(t, "2025-09-01", 7, agents=["c", "b", "a"],
                                templates=["full", "night", "part"])
    bars, gaps = chart.layer[0].data, chart.layer[1].data
    assert _bars(bars) == [("a", "night", 6 * 24 + 22, 7 * 24 + 6), ("c", "full", 6, 14.5)]
    assert sorted(zip(gaps["agent"], gaps["from_h"], gaps["to_h"])) == [
        ("a", 7 * 24 + 1.5, 7 * 24 + 2), ("c", 10, 10.25), ("c", 12, 12.5)]
    spec = chart.to_dict()
    assert spec["layer"][0]["encoding"]["y"]["scale"]["domain"] == ["c", "b", "a"]  # b: all off
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0, 174]
    assert spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == ["full", "night", "part"]
    # one day: Monday only; agents left out of ``agents`` are not drawn
    day = charts.roster_gantt(t, "2025-09-01", 1, agents=["a", "b"])
    assert day.layer[0].data.empty and day.layer[1].data.empty
    assert day.to_dict()["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0, 24]


def test_coverage_chart_of_a_window():
    cov = pd.DataFrame({"start": pd.date_range("2025-09-01", periods=2 * 96, freq="15min")})
    cov = cov.assign(target=range(len(cov)), rostered=1.0)
    d = charts.roster_coverage(cov, "2025-09-02", 1).layer[0].data
    target = d[d["series"] == "shift schedule"]
    assert target["agents"].tolist() == list(range(96, 192))
    assert target["h"].tolist() == [i / 4 for i in range(96)]
