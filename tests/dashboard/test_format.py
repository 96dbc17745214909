"""What a planner reads, page by page (AppTest): every table's shown texts hold no float
with more than 2 decimals and no midnight time on a daily or weekly column, headers have
no "_", and e-mail's KPI is its ASA against its ASA target.

The shown texts of a formatted table are the Styler's display values in the proto; a
table shown raw (``st.dataframe(frame)``) is read as ``str`` of its values, which is
what the browser shows of a float or a timestamp.  The app is built once for the module
(the one-week demo, its full plan and a roster).
"""

import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from ccwfm import plan

from .test_app import fresh, goto

DECIMALS = re.compile(r"\d\.\d{3}")


def shown(el):
    """``(headers, texts)`` of a table element (an interactive grid, ``st.dataframe``, or a
    plain table, ``st.table``) as the browser shows it."""
    styler = el.proto.arrow_data.styler
    if styler.display_values:
        texts = pa.ipc.open_stream(styler.display_values).read_pandas()
        texts = texts.astype(str).where(texts.notna(), "")
    else:                          # raw: as the browser shows a timestamp (with its time)
        texts = el.value.map(str)
    # column_config (a grid's): labels shown instead
    config = json.loads(getattr(el.proto, "columns", "") or "{}")
    heads = [(config.get(str(c)) or config.get(f"_pos:{i}") or {}).get("label") or str(c)
             for i, c in enumerate(el.value.columns)]
    return heads, texts


def problems(at):
    """Every table of the page that breaks a formatting rule, in words."""
    out = []
    for n, el in enumerate([*at.dataframe, *at.table]):
        heads, texts = shown(el)
        out += [f"table {n}: header {h!r} has '_'" for h in heads if "_" in h]
        for i, h in enumerate(heads):
            cells = [x for x in texts.iloc[:, i] if x not in ("", "None", "nan", "<NA>")]
            bad = [x for x in cells if DECIMALS.search(x)]
            if bad:
                out.append(f"table {n}, {h!r}: more than 2 decimals: {bad[:3]}")
            if cells and all("00:00" in x for x in cells):
                out.append(f"table {n}, {h!r}: a midnight time on every row: {cells[:2]}")
    return out


def table_with(at, *columns):
    """The (human-headed) frame and shown texts of the table holding ``columns``."""
    for el in at.dataframe:
        if set(columns) <= set(el.value.columns):
            heads, texts = shown(el)
            texts.columns = heads
            return el.value, texts
    raise AssertionError(f"no table with {columns}: "
                         f"{[list(el.value.columns) for el in at.dataframe]}")


@pytest.fixture(scope="module")
def app():
    """The one-week demo with its full plan built."""
    at = goto(fresh(), "Schedule and capacity")
    at.button(key="run_full").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.fixture(scope="module")
def quick():
    """The demo's formula staffing, computed here (not read from the app)."""
    sc = plan.demo_scenario(weeks=1)
    fc, _ = plan.forecast_demand(sc)
    return plan.quick_plan(sc, fc)


def _result(at):
    (result,) = at.session_state["full_plans"].values()
    return result


def _seconds(text):
    assert text.endswith(" s"), text
    return float(text[:-2].replace(",", ""))


@pytest.mark.parametrize("page", [
    "Data",
    "Forecast",
    "What-if",
    "Staffing", "Schedule and capacity", "Scenario", "Compare plans"])
def test_every_table_of_a_page_reads_cleanly(app, page):
    at = goto(app, page)
    assert at.dataframe or at.table
    assert problems(at) == []


def test_staffing_tables_of_each_queue_read_cleanly(app):
    at = goto(app, "Staffing")
    for queue in ("voice", "email", "all queues"):
        at.selectbox(key="st_queue").set_value(queue).run()
        assert not at.exception, [e.message for e in at.exception]
        assert problems(at) == [], queue


def test_email_kpi_is_its_asa_against_its_asa_target_on_staffing(app, quick):
    at = goto(app, "Staffing")
    at.selectbox(key="st_queue").set_value("all queues").run()
    _, t = table_with(at, "Queue", "KPI", "Target", "Formula", "Met")
    email = t[t["Queue"] == "email"]
    assert email["KPI"].tolist() == ["ASA"]                  # no service level for e-mail
    assert email["Target"].tolist() == ["≤ 7,200 s"]
    req = quick.requirements[quick.requirements["queue"] == "email"]
    asa = np.average(req["asa"], weights=req["agent_volume"])
    assert _seconds(email["Formula"].iloc[0]) == pytest.approx(asa, abs=0.51)
    assert email["Met"].tolist() == ["yes" if asa <= 7200 else "no"]
    voice = t[(t["Queue"] == "voice") & (t["KPI"] == "Service level")]
    sl = quick.requirements[quick.requirements["queue"] == "voice"]
    sl = np.average(sl["service_level"], weights=sl["agent_volume"])
    assert voice["Formula"].tolist() == [f"{100 * sl:.1f}%"]
    assert voice["Target"].tolist() == ["≥ 80% in 20 s"]
    # the interval table of e-mail: its ASA, no service level
    at.selectbox(key="st_queue").set_value("email").run()
    frame, _ = table_with(at, "Start", "ASA (s)")
    assert "Service level" not in frame.columns
    # targets at their level: e-mail's row is an ASA in seconds
    _, att = table_with(at, "Queue", "KPI", "Periods met", "Mean surplus")
    row = att[att["Queue"] == "email"]
    assert row["KPI"].tolist() == ["ASA"] and row["Target"].tolist() == ["7,200 s"]
    assert row["Simulated"].str.fullmatch(r"[\d,]+ s").all()


def test_email_kpi_against_its_target_on_the_schedule_page(app):
    at = goto(app, "Schedule and capacity")
    result = _result(at)
    _, t = table_with(at, "Queue", "KPI", "Target", "Simulated", "Met")
    email = t[t["Queue"] == "email"]
    assert email["KPI"].tolist() == ["ASA"] and email["Target"].tolist() == ["≤ 7,200 s"]
    a = result.achieved[result.achieved["queue"] == "email"].reset_index(drop=True)
    r = result.requirements[result.requirements["queue"] == "email"].reset_index(drop=True)
    ok = a["asa_sim"].notna() & (r["agent_volume"] > 0)
    asa = np.average(a.loc[ok, "asa_sim"], weights=r.loc[ok, "agent_volume"])
    assert _seconds(email["Simulated"].iloc[0]) == pytest.approx(asa, rel=0.01, abs=1)
    assert email["Met"].tolist() == ["yes" if asa <= 7200 else "no"]


def test_agents_per_shift_one_week_sorted_by_start_time(app):
    at = goto(app, "Schedule and capacity")
    result = _result(at)
    frame, texts = table_with(at, "Start", "Shift", "Week total")
    days = [c for c in frame.columns if c not in ("Start", "Shift", "Week total")]
    assert [d[:3] for d in days] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    starts = frame["Start"].tolist()
    assert starts == sorted(starts) and all(re.fullmatch(r"\d\d:\d\d", s) for s in starts)
    group = at.selectbox(key="sc_group").value
    monday = pd.Timestamp(at.selectbox(key="sc_week").value)
    sh = result.shifts[(result.shifts["group"] == group) & (result.shifts["start"] >= monday)
                       & (result.shifts["start"] < monday + pd.Timedelta(days=7))]
    cells = frame[days].replace("", "0").astype(int)          # blank: nobody starts
    assert cells.to_numpy().sum() == sh["agents"].sum()
    by_day = sh.groupby(sh["start"].dt.day_of_week)["agents"].sum()
    assert cells.sum().tolist() == [by_day.get(i, 0) for i in range(7)]
    assert not frame[days].isin(["0", "None", "nan", "<NA>"]).any().any()
    assert texts["Week total"].str.fullmatch(r"[\d,]+").all()


def test_capacity_gap_and_coverage_shortfall_explained_with_the_plan_numbers(app):
    at = goto(app, "Schedule and capacity")
    result = _result(at)
    text = next(i.value for i in at.info if "**Capacity**" in i.value)
    gap = result.capacity["gap"].to_numpy(float)
    if (gap < -0.05).any():
        assert "short of the FTE the shifts need" in text
    else:
        assert "covers it every week" in text and f"{gap.min():,.1f}" in text
    cov = result.coverage
    under = cov["under"].sum() * result.scenario.workforce.interval / 60
    assert (f"{under:,.1f} of the" in text) if under >= 0.05 else ("cover every" in text)
    cap, texts = table_with(at, "Week", "Gap (FTE)", "Productive FTE", "FTE required")
    assert texts["Week"].tolist() == [f"{w:%a %d %b %Y}" for w in result.capacity["week"]]
    assert cap["Gap (FTE)"].to_numpy(float) == pytest.approx(
        cap["Productive FTE"].to_numpy(float) - cap["FTE required"].to_numpy(float))


def test_roster_tables_read_cleanly(app):
    at = goto(app, "Roster")
    at.button(key="ro_make").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert len(at.dataframe) >= 2
    assert problems(at) == []
    _, kpis = table_with(at, "Queue", "KPI", "Target", "Periods met", "Met")
    email = kpis[kpis["Queue"] == "email"]
    assert email["KPI"].tolist() == ["ASA"] and email["Target"].tolist() == ["7,200 s"]


def _raw_and_formatted():
    import pandas as pd
    import streamlit as st

    from ccwfm.dashboard import fmt

    frame = pd.DataFrame({"week": pd.to_datetime(["2025-09-01", "2025-09-08"]),
                          "wmape": [0.1261, 0.2075], "total_cost": [253247.4245, 1.5]})
    st.dataframe(frame)
    fmt.table(frame)


def test_the_checks_catch_a_raw_table_and_pass_a_formatted_one():
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_function(_raw_and_formatted).run()
    found = problems(at)
    assert any("table 0, 'week': a midnight time" in p for p in found), found
    assert any("table 0, 'wmape': more than 2 decimals" in p for p in found), found
    assert any("header 'total_cost'" in p for p in found), found
    assert not [p for p in found if p.startswith("table 1")]
    _, texts = table_with(at, "Week", "wMAPE", "Total cost")
    assert texts["wMAPE"].tolist() == ["12.6%", "20.8%"]


def _static_tables():
    import numpy as np
    import pandas as pd
    import streamlit as st

    from ccwfm.dashboard import fmt

    frame = pd.DataFrame({"week": pd.to_datetime(["2025-09-01", "2025-09-08"]),
                          "wmape": [0.1261, 0.2075], "total_cost": [253247.4245, 1.5]})
    st.table(frame)                                         # raw: the checks must see it
    fmt.table(frame, static=True)                           # small: a plain table
    long = pd.DataFrame({"agents": np.arange(fmt.STATIC_ROWS + 1, dtype=float) + 0.123})
    fmt.table(long, static=True)                            # too long: the grid


def test_static_tables_are_plain_for_small_frames_and_checked_like_grids():
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_function(_static_tables).run()
    assert len(at.table) == 2 and len(at.dataframe) == 1
    assert len(at.dataframe[0].value) == 31
    found = problems(at)
    # the raw plain table is caught (the grid is listed first, then the plain tables)
    assert any("table 1, 'week': a midnight time" in p for p in found), found
    assert any("table 1, 'wmape': more than 2 decimals" in p for p in found), found
    assert not [p for p in found if p.startswith(("table 0", "table 2"))], found
    heads, texts = shown(at.table[1])
    assert heads == ["Week", "wMAPE", "Total cost"]
    assert texts["wMAPE"].tolist() == ["12.6%", "20.8%"]


def test_the_whatif_tables_redrawn_at_each_change_are_plain_tables(app):
    at = goto(app, "What-if")
    heads = [shown(t)[0] for t in at.table]
    # the what-if's summary and costs, the saved what-ifs side by side (plans, queues)
    assert [h[:2] for h in heads] == [["Queue", "Offered"], ["Item", "Cost (EUR)"],
                                      ["What-if", "FTE"], ["Queue", "What-if"]], heads
    assert not at.dataframe
    at.number_input(key="wi_cont_voice").set_value(30).run()
    assert not at.exception
    assert len(at.table) == 4 and problems(at) == []
    at.number_input(key="wi_cont_voice").set_value(15).run()
