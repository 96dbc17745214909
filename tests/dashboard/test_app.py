"""Every dashboard page driven through streamlit's AppTest: widgets change results."""

import importlib.util
import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ccwfm import plan

APP = importlib.util.find_spec("ccwfm.dashboard.app").origin     # the installed package's app


def fresh():
    """The app with the one-week demo loaded (the forecast is cached per process)."""
    at = AppTest.from_file(APP, default_timeout=600)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    at.number_input(key="weeks").set_value(1)
    at.button(key="load_demo").click().run()
    return at


def ok(at):
    """``at`` after a run that raised nothing and showed no error."""
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def goto(at, page):
    at.sidebar.radio(key="page").set_value(page).run()
    return ok(at)


def metric(at, label):
    m = next(m for m in at.metric if m.label.startswith(label))
    return float(m.value.replace(",", "").rstrip("%"))


def col(frame, name):
    """Column ``name`` of a shown table, by its human header (``queue`` -> "Queue",
    ``total cost`` -> "Total cost (EUR)")."""
    for c in frame.columns:
        if str(c).lower() == name.lower() or str(c).lower().startswith(name.lower() + " ("):
            return frame[c]
    raise KeyError(f"{name!r} not in {list(frame.columns)}")


@pytest.fixture(scope="module")
def app():
    return fresh()


def test_data_page_loads_demo_and_lists_queues(app):
    assert any("Demo data loaded: 1 weeks" in s.value for s in app.success)
    queues = app.table[0].value             # small: a plain table
    assert col(queues, "queue").tolist() == ["voice", "sales", "chat", "email"]
    assert "1 weeks" in app.sidebar.caption[0].value
    # no CSS transitions (a style sheet, nothing shown), and no stray text from the app script
    from ccwfm.dashboard.app import NO_TRANSITIONS
    assert [h.proto.body for h in app.get("html")] == [NO_TRANSITIONS]
    assert not [m.value for m in app.markdown if "transition" in m.value.lower()]


def test_forecast_page_shows_chart_backtest_and_choice(app):
    goto(app, "Forecast")
    assert app.get("vega_lite_chart")
    backtest = app.dataframe[0].value
    assert len(backtest) >= 3 and col(backtest, "chosen").sum() == 1
    assert any("Model chosen for voice" in m.value for m in app.markdown)
    app.selectbox(key="fc_queue").set_value("chat").run()
    assert any("Model chosen for chat" in m.value for m in app.markdown)


def test_staffing_page_heatmap_and_kpis_per_interval(app):
    goto(app, "Staffing")
    assert app.get("vega_lite_chart")            # the heatmap
    total = metric(app, "FTE")
    app.selectbox(key="st_queue").set_value("voice").run()
    voice = metric(app, "FTE")
    assert 0 < voice < total
    table = next(d.value for d in app.dataframe if "Occupancy" in d.value.columns)
    assert {"Service level", "ASA (s)", "Abandonment", "Occupancy"} <= set(table.columns)
    busy = table[table["To agents"] > 5]
    assert len(busy) and (busy["Service level"] >= 0.8 - 1e-9).all()   # the 80/20 target


def test_whatif_containment_lowers_and_stricter_target_raises_fte():
    at = goto(fresh(), "What-if")
    base = metric(at, "FTE")
    at.number_input(key="wi_cont_voice").set_value(50).run()
    lower = metric(at, "FTE")
    assert lower < base
    at.number_input(key="wi_cont_voice").set_value(15).run()          # back to the demo's 15%
    assert metric(at, "FTE") == pytest.approx(base)
    at.number_input(key="wi_sl_voice").set_value(95).run()
    assert metric(at, "FTE") > base
    at.number_input(key="wi_sl_voice").set_value(80).run()
    at.number_input(key="wi_shrink").set_value(40).run()
    assert metric(at, "FTE") > base
    at.number_input(key="wi_shrink").set_value(22).run()
    at.number_input(key="wi_aht_voice").set_value(-10).run()
    assert metric(at, "FTE") < base
    at.number_input(key="wi_aht_voice").set_value(0).run()
    at.selectbox(key="wi_queue").set_value("chat").run()
    at.number_input(key="wi_conc_chat").set_value(3).run()
    assert metric(at, "FTE") < base


def test_whatif_saved_scenarios_side_by_side():
    at = goto(fresh(), "What-if")
    at.text_input(key="wi_name").set_value("bot 50").run()
    at.number_input(key="wi_cont_voice").set_value(50).run()
    at.button(key="wi_save").click().run()
    at.number_input(key="wi_cont_voice").set_value(15).run()
    at.number_input(key="wi_pat_voice").set_value(60).run()
    at.text_input(key="wi_name").set_value("impatient").run()
    at.button(key="wi_save").click().run()
    table, queues = (d.value for d in at.table[-2:])          # small: plain tables
    assert list(table.columns) == ["What-if", "FTE", "Total cost (EUR)"]
    assert col(table, "what-if").tolist() == ["base", "bot 50", "impatient"]
    fte = col(table, "FTE").set_axis(col(table, "what-if"))
    assert fte["bot 50"] < fte["base"]
    cost = col(table, "total cost").set_axis(col(table, "what-if"))
    assert cost["bot 50"] < cost["base"]
    # per queue and what-if, each queue against its own kind of target, as wide as the page
    demo = plan.demo_scenario()
    assert list(queues.columns) == ["Queue", "What-if", "KPI", "Value", "Target", "Abandonment"]
    assert col(queues, "queue").tolist() == [q.name for q in demo.queues for _ in range(3)]
    assert col(queues, "what-if").tolist() == ["base", "bot 50", "impatient"] * 4
    kpi = dict(zip(col(queues, "queue"), col(queues, "KPI")))
    assert kpi == {"voice": "service_level", "sales": "service_level", "chat": "service_level",
                   "email": "asa"}
    voice = queues[col(queues, "queue") == "voice"].set_index("What-if")
    assert voice.loc["bot 50", "Value"] > voice.loc["base", "Value"]         # service level
    assert voice.loc["impatient", "Abandonment"] > voice.loc["base", "Abandonment"]
    wide = at.session_state["comparison"]            # the download keeps the wide table
    assert wide["voice: service level"].tolist() == voice["Value"].tolist()
    # a what-if with a stricter voice target: its row says it
    at.number_input(key="wi_sl_voice").set_value(90).run()
    at.text_input(key="wi_name").set_value("strict").run()
    at.button(key="wi_save").click().run()
    queues = at.table[-1].value
    voice = queues[col(queues, "queue") == "voice"].set_index("What-if")
    assert voice["Target"].tolist() == [0.8, 0.8, 0.8, 0.9]
    sales = queues[col(queues, "queue") == "sales"]
    assert sales["Target"].tolist() == [0.9] * 4


def test_schedule_page_builds_plan_and_downloads_list_its_tables():
    at = goto(fresh(), "Schedule and capacity")
    at.button(key="run_full").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert metric(at, "Shifts scheduled") > 0
    assert metric(at, "Peak weekly FTE") > 0
    assert at.get("vega_lite_chart")              # coverage and capacity charts
    goto(at, "Staffing")
    # Integrated scheduling: each target at its level, simulated on fresh numbers.
    table = at.dataframe[-1].value
    assert {"Queue", "KPI", "Target", "Simulated", "Mean surplus"} <= set(table.columns)
    assert metric(at, "Periods meeting their target") > 0
    goto(at, "Downloads")
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[:2] == ["All tables (Excel)", "Tables per interval (Excel)"]
    names = [line for m in at.markdown for line in m.value.splitlines()
             if line.startswith("- **")]
    assert any("plan_shifts" in n for n in names)
    assert any("whatif_summary" in n for n in names)


def test_exports_escape_formula_injection():
    frame = pd.DataFrame({"queue": ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "voice"],
                          "agents": [1, 2, 3, 4, 5]})
    back = pd.read_csv(io.BytesIO(plan.csv_bytes(frame)))
    assert back["queue"].tolist() == ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "voice"]
    assert back["agents"].tolist() == [1, 2, 3, 4, 5]
    xl = pd.read_excel(io.BytesIO(plan.excel_bytes({"t": frame})))
    assert xl["queue"].str.startswith("'").sum() == 4


@pytest.mark.parametrize("text, why", [
    (b"[scenario]\nname='x'\nstart=2024-01-01\nweeks=1\n", "'queues'"),
    (b"[scenario\nname='x'", "TOML"),
    (b"\xff\xfe not utf-8", "utf-8"),
])
def test_an_invalid_scenario_file_upload_is_explained_and_the_app_keeps_working(text, why):
    at = fresh()
    at.radio(key="data_source").set_value("Scenario file (TOML)").run()
    at.file_uploader(key="upload_scenario").set_value(("bad.toml", text, "text/plain")).run()
    at.button(key="use_scenario").click().run()
    assert not at.exception, [e.message for e in at.exception]
    (err,) = [e.value for e in at.error]
    assert err.startswith("This file could not be used.") and why in err, err
    assert col(at.table[0].value, "queue").tolist() == ["voice", "sales", "chat", "email"]
    assert "Scenario **demo**: 4 queues, 1 weeks" in at.sidebar.caption[0].value


def test_whatif_inputs_survive_leaving_the_page_and_switching_queue():
    at = goto(fresh(), "What-if")
    base = metric(at, "FTE")
    at.number_input(key="wi_cont_voice").set_value(50).run()
    lower = metric(at, "FTE")
    goto(at, "Staffing")
    assert metric(at, "FTE") == pytest.approx(lower)      # the staffing page sees the what-if
    goto(at, "What-if")
    assert metric(at, "FTE") == pytest.approx(lower)
    assert at.number_input(key="wi_cont_voice").value == 50
    at.selectbox(key="wi_queue").set_value("chat").run()
    assert metric(at, "FTE") == pytest.approx(lower)
    at.selectbox(key="wi_queue").set_value("voice").run()
    assert metric(at, "FTE") == pytest.approx(lower)
    at.button(key="wi_reset").click().run()
    assert metric(at, "FTE") == pytest.approx(base)
    goto(at, "Data")
    assert at.number_input(key="weeks").value == 1          # the loaded scenario's weeks


def test_a_failure_inside_a_page_is_said_in_words_and_the_app_keeps_working(monkeypatch):
    at = goto(fresh(), "What-if")

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(plan, "quick_plan", broken)
    at.number_input(key="wi_cont_voice").set_value(35).run()      # a variant not cached yet
    assert not at.exception
    assert any("Something went wrong on this page (ZeroDivisionError" in e.value
               for e in at.error)
    monkeypatch.undo()
    goto(at, "Data")
    assert col(at.table[0].value, "queue").tolist() == ["voice", "sales", "chat", "email"]


def test_multiskill_demo_shows_routing_groups_and_the_pooling_gain():
    from ccwfm.dashboard.data_page import DEMO_VARIANTS
    at = AppTest.from_file(APP, default_timeout=600)
    at.run()
    at.number_input(key="weeks").set_value(1)
    at.radio(key="demo_variant").set_value(DEMO_VARIANTS[1])
    at.button(key="load_demo").click().run()
    assert not at.exception, [e.message for e in at.exception]
    routing = next(d.value for d in at.table if "Serves" in d.value.columns)
    assert routing.set_index("Agent group").loc["blend", "Serves"] == "sales, voice"
    at = goto(at, "Schedule and capacity")
    at.button(key="run_full").click().run()
    assert not at.exception, [e.message for e in at.exception]
    groups = next(d.value for d in at.dataframe if "Share of paid hours" in d.value.columns)
    assert groups["Agent group"].tolist() == ["voice", "sales", "blend", "digital"]
    kpis = next(d.value for d in at.dataframe if "Simulated" in d.value.columns
                and "KPI" in d.value.columns)
    assert list(dict.fromkeys(kpis["Queue"])) == ["voice", "sales", "chat", "email"]
    at.button(key="sc_pooling").click().run()
    assert not at.exception, [e.message for e in at.exception]
    pooled = metric(at, "Paid hours, pooled")
    m = next(m for m in at.metric if m.label.startswith("Paid hours, pooled"))
    dedicated = pooled - float(m.delta.split()[0].replace(",", ""))
    assert metric(at, "Saved by pooling") == pytest.approx(100 * (1 - pooled / dedicated),
                                                          abs=0.06)
    kpis = next(d.value for d in at.dataframe if "Dedicated groups" in d.value.columns)
    sl = kpis.loc[kpis["KPI"] == "Service level", "Dedicated groups"]
    assert len(sl) and sl.str.rstrip("%").astype(float).between(0, 100).all()
    # the plan and its gain stay after leaving the page
    at = goto(goto(at, "Data"), "Schedule and capacity")
    assert metric(at, "Saved by pooling") == pytest.approx(100 * (1 - pooled / dedicated),
                                                          abs=0.06)
