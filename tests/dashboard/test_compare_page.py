"""The Compare plans page (dashboard/compare_page.py) through Streamlit's AppTest.

A what-if is saved (voice bot containment +10 points), both full plans of the
one-week demo are built once for the module (slow), and every number the page
shows is recomputed here from each PlanResult's shifts, templates, costs and
attainment table (template paid hours from its length and breaks, FTE from
paid hours by week), not with the page's helpers.
"""

import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from ccwfm.dashboard import compare_page as cp

WHATIF = "bot +10 pts"


def _script():
    import streamlit as st

    from ccwfm import plan
    from ccwfm.dashboard import compare_page, state

    state.init()
    if "test_demo" not in st.session_state:
        state.set_scenario(plan.demo_scenario(weeks=1), "demo contact center")
        st.session_state["test_demo"] = True
        if st.session_state.get("test_save", True):
            st.session_state[state.SAVED]["bot +10 pts"] = {
                "queues.voice.bot.containment": 0.25}
    compare_page.render()


def _ok(at):
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _shown(el):
    return pa.ipc.open_stream(el.proto.arrow_data.styler.display_values).read_pandas()


def _col(row, name):
    """The value under header ``name`` (headers may get a capital first letter)."""
    (key,) = [k for k in row.index if str(k).lower() == name.lower()]
    return row[key]


def _paid_hours(template):
    """Paid hours of one shift, from the template's length and unpaid breaks."""
    unpaid = template.unpaid_break + sum(w.length for w in template.breaks if not w.paid)
    return (template.length - unpaid) / 60


def _hours(result):
    """Paid hours of each shift row, recomputed from the scenario's templates."""
    per = {t.name: _paid_hours(t) for t in result.scenario.workforce.templates(None)}
    return result.shifts["template"].map(per) * result.shifts["agents"]


def test_without_saved_whatifs_the_page_says_how_to_get_one():
    at = AppTest.from_function(_script, default_timeout=300)
    at.session_state["test_save"] = False
    _ok(at.run())
    assert any("Save a what-if" in i.value for i in at.info)
    assert at.multiselect(key="cmp_pick").value == [cp.BASE]


def test_picked_plans_not_built_are_offered_a_build_button():
    at = _ok(AppTest.from_function(_script, default_timeout=300).run())
    assert at.multiselect(key="cmp_pick").value == [cp.BASE, WHATIF]
    assert at.button(key="cmp_build")
    assert not at.dataframe                        # nothing built, nothing shown


@pytest.fixture(scope="module")
def built():
    at = _ok(AppTest.from_function(_script, default_timeout=900).run())
    _ok(at.button(key="cmp_build").click().run())
    base = at.session_state["scenario"]
    whatif = base.with_overrides({"queues.voice.bot.containment": 0.25})
    plans = list(at.session_state["full_plans"].values())
    results = {cp.BASE: next(r for r in plans if r.scenario == base),
               WHATIF: next(r for r in plans if r.scenario == whatif)}
    return at, results


@pytest.mark.slow
def test_the_summary_shows_each_plans_own_numbers(built):
    at, results = built
    table = at.dataframe[0].value.set_index("Plan")
    assert list(table.index) == [cp.BASE, WHATIF]
    for name, r in results.items():
        row = table.loc[name]
        sc = r.scenario
        hours = _hours(r)
        assert row["Paid hours"] == pytest.approx(hours.sum())
        weekly = hours.groupby(r.shifts["start"].dt.to_period("W-SUN")).sum()
        fte = weekly.to_numpy() / sc.capacity.fte_hours
        assert row["Peak FTE"] == pytest.approx(fte.max())
        assert row["Mean FTE"] == pytest.approx(fte.mean())
        wages = (hours * r.shifts["template"].map(
            {t.name: t.cost_factor for t in sc.workforce.templates(None)})).sum() \
            * sc.workforce.hourly_cost
        assert row["Wages (EUR)"] == pytest.approx(wages)
        c = r.costs
        assert row["Total cost (EUR)"] == pytest.approx(
            c.wages + c.hiring + c.bot_contacts + c.abandoned_contacts)
        a = r.attainment
        assert row["Periods met"] == pytest.approx(a["met"].sum() / len(a))
    assert table.loc[WHATIF, "Paid hours"] <= table.loc[cp.BASE, "Paid hours"]


@pytest.mark.slow
def test_the_whatif_needs_no_more_voice_fte_and_groups_match_the_shifts(built):
    at, results = built
    groups = at.dataframe[1].value
    assert list(groups.columns) == ["Agent group", "Plan", "Paid hours", "FTE"]
    for name, r in results.items():
        hours = _hours(r).groupby(r.shifts["group"]).sum()
        fte = hours / (r.scenario.weeks * r.scenario.capacity.fte_hours)
        shown = groups[groups["Plan"] == name].set_index("Agent group")
        assert shown["FTE"].to_dict() == pytest.approx(fte.to_dict())
        assert shown["Paid hours"].to_dict() == pytest.approx(hours.to_dict())
    # a group's plans one under the other
    assert groups["Agent group"].tolist() == [g for g in dict.fromkeys(groups["Agent group"])
                                              for _ in results]
    voice = groups[groups["Agent group"] == "voice"].set_index("Plan")["FTE"]
    assert voice[WHATIF] <= voice[cp.BASE]


@pytest.mark.slow
def test_attainment_per_queue_at_its_target_type(built):
    at, results = built
    assert len(at.dataframe) == 5                  # service level, ASA, abandonment
    by_metric = {}
    for el in at.dataframe[2:]:
        frame = el.value
        queues = set(frame["Queue"])
        metric = ("asa" if queues == {"email"} else
                  "abandon_rate" if queues == {"voice"} else "service_level")
        assert len(frame.columns) == 6                # however many plans
        by_metric[metric] = frame.set_index(["Queue", "Plan"])
    queues = by_metric["service_level"].index.get_level_values("Queue")
    assert set(queues) == {"voice", "sales", "chat"}
    assert set(by_metric["asa"].index.get_level_values("Queue")) == {"email"}  # its ASA target
    for name, r in results.items():
        a = r.attainment
        for (queue, metric), g in a.groupby(["queue", "metric"]):
            row = by_metric[metric].loc[(queue, name)]
            sim = (g["simulated"] * g["contacts"]).sum() / g["contacts"].sum()
            unit = " (s)" if metric == "asa" else ""
            assert _col(row, f"simulated{unit}") == pytest.approx(sim)
            assert _col(row, "periods met") == pytest.approx(g["met"].mean())
            assert _col(row, f"target{unit}") == pytest.approx(g["target"].iloc[0])


@pytest.mark.slow
def test_tables_read_cleanly_and_charts_are_drawn(built):
    at, _ = built
    for el in at.dataframe:
        shown = _shown(el)
        for text in shown.astype(str).to_numpy().ravel():
            assert not re.search(r"\d\.\d{3,}", text), text
            assert "00:00:00" not in text
    shown = _shown(at.dataframe[0])
    assert shown["Total cost (EUR)"].str.match(r"^\d{1,3}(,\d{3})*$").all()
    assert shown["Periods met"].str.endswith("%").all()
    assert shown["Hires"].str.fullmatch(r"\d{1,3}(,\d{3})*").all()   # people: no "0.0"
    charts = at.get("vega_lite_chart")
    assert len(charts) == 3     # attainment, FTE and cost per week
    for chart in charts[1:]:    # weekly: one tick per week, on the Mondays the weeks start
        spec = json.loads(chart.proto.spec)
        ticks = _find(spec, "values")
        assert ticks and all(dt.date(t["year"], t["month"], t["date"]).weekday() == 0
                             for t in ticks), ticks


def _find(spec, key):
    """The first list under ``key`` anywhere in a chart's spec."""
    if isinstance(spec, dict):
        for k, v in spec.items():
            if k == key and isinstance(v, list) and v and isinstance(v[0], dict) \
                    and "year" in v[0]:
                return v
            found = _find(v, key)
            if found:
                return found
    elif isinstance(spec, list):
        for v in spec:
            found = _find(v, key)
            if found:
                return found
    return None


def test_helpers_on_frames():
    s = pd.DataFrame({"met": [3, 0], "periods": [4, 0]})
    share = cp.met_share(s)
    assert share[0] == 0.75 and np.isnan(share[1])
    assert cp.choices({"a": {}, cp.BASE: {}}) == [cp.BASE, "a"]


def test_a_deleted_whatif_leaves_the_choice():
    at = _ok(AppTest.from_function(_script, default_timeout=300).run())
    assert at.multiselect(key="cmp_pick").value == [cp.BASE, WHATIF]
    at.session_state["saved"] = {}
    _ok(at.run())
    assert at.multiselect(key="cmp_pick").value == [cp.BASE]
    assert not at.warning, [w.value for w in at.warning]
