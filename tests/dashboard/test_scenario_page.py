"""The Scenario page (dashboard/scenario_page.py): edits land in the scenario and its TOML.

The page is rendered by a small script (``AppTest.from_function``) on the one-week
demo.  Expected values are written here from the inputs (percent / 100, hours x 60,
"HH:MM" -> minutes), and the TOML shown on the page is read back with ``tomllib``
and :meth:`plan.Scenario.from_toml`, independently of the page's own code.
"""

import datetime as dt
import tomllib

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from ccwfm import forecast, plan
from ccwfm.dashboard import scenario_page as sp


def _script():
    import streamlit as st

    from ccwfm import plan
    from ccwfm.dashboard import scenario_page, state

    state.init()
    if "test_demo" not in st.session_state:
        state.set_scenario(plan.demo_scenario(weeks=1), "demo contact center")
        st.session_state["test_demo"] = True
    scenario_page.render()
    if st.session_state.get("test_forecast"):
        state.need_forecast()


def _ok(at):
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.fixture
def at():
    app = AppTest.from_function(_script, default_timeout=300)
    return _ok(app.run())


def _scenario(at):
    return at.session_state["scenario"]


def _toml(at):
    """The TOML the page shows (the same text as its download), parsed, and as a Scenario."""
    (code,) = [c.value for c in at.code]
    back = plan.Scenario.from_toml(code)
    assert back == _scenario(at)                       # round trip of the edited scenario
    assert plan.Scenario.from_toml(_scenario(at).to_toml()) == _scenario(at)
    return tomllib.loads(code), back


def _queue(data, name):
    return next(q for q in data["queues"] if q["name"] == name)


def _errors(at):
    return [e.value for e in at.error]


def _shown(el):
    """The texts a formatted table shows."""
    return pa.ipc.open_stream(el.proto.arrow_data.styler.display_values).read_pandas()


def test_queue_edits_land_in_the_scenario_and_its_toml(at):
    demo = _scenario(at)
    at.session_state["saved"] = {"bot 50": {"queues.voice.bot.containment": 0.5}}
    for key, value in {"sl": 85.0, "tt": 30.0, "ab": 4.0, "asa": 25.0, "iasa": 60.0,
                       "floor": 70.0, "occ": 90.0, "patience": 200.0, "conc": 2, "cont": 25.0,
                       "babd": 3.0, "btime": 50.0, "uplift": 1.2}.items():
        at.number_input(key=f"sce_voice_{key}").set_value(value)
    for key in ("asa", "iasa", "floor", "occ"):
        at.checkbox(key=f"sce_voice_{key}_on").check()
    at.selectbox(key="sce_voice_level").set_value("week")
    at.selectbox(key="sce_voice_channel").set_value("chat")
    _ok(at.button(key="sce_voice_apply").click().run())
    assert not _errors(at)
    assert any("Applied: queue voice" in s.value for s in at.success)
    data, sc = _toml(at)
    q = _queue(data, "voice")
    assert q["target"] == {"service_level": 0.85, "target_time": 30.0, "abandon_rate": 0.04,
                           "asa": 25.0, "interval_asa": 60.0, "interval_service_level": 0.7,
                           "occupancy": 0.9, "level": "week", "basis": "offered",
                           "window_basis": "calendar"}
    assert (q["patience"], q["concurrency"], q["channel"]) == (200.0, 2, "chat")
    assert q["bot"] == {"containment": 0.25, "abandon": 0.03, "time": 50.0, "uplift": 1.2}
    assert sc.queue("voice").target.floor_service_level == 0.7
    # the other queues and sections are untouched; saved what-ifs are kept
    assert sc.queues[1:] == demo.queues[1:] and sc.workforce == demo.workforce
    assert at.session_state["saved"] == {"bot 50": {"queues.voice.bot.containment": 0.5}}
    # the inputs start again from the edited scenario
    assert at.number_input(key="sce_voice_sl").value == 85.0


def test_a_target_can_be_removed_and_the_bot_switched_off(at):
    at.checkbox(key="sce_voice_ab_on").uncheck()
    at.checkbox(key="sce_voice_bot").uncheck()
    _ok(at.button(key="sce_voice_apply").click().run())
    data, sc = _toml(at)
    assert "abandon_rate" not in _queue(data, "voice")["target"]
    assert "bot" not in _queue(data, "voice") and sc.queue("voice").bot is None
    at.selectbox(key="sce_queue").set_value("email").run()
    at.number_input(key="sce_email_asa").set_value(3600.0)
    at.checkbox(key="sce_email_patience_on").check()
    at.number_input(key="sce_email_patience").set_value(86400.0)
    _ok(at.button(key="sce_email_apply").click().run())
    data, _ = _toml(at)
    assert _queue(data, "email")["target"]["asa"] == 3600.0
    assert _queue(data, "email")["patience"] == 86400.0
    at.checkbox(key="sce_email_patience_on").uncheck()
    _ok(at.button(key="sce_email_apply").click().run())
    data, _ = _toml(at)
    assert "patience" not in _queue(data, "email")


def test_a_bad_value_is_refused_with_the_plans_message_and_nothing_is_applied(at):
    demo = _scenario(at)
    at.number_input(key="sce_voice_patience").set_value(999.0)     # valid on its own
    at.checkbox(key="sce_voice_floor_on").check()
    at.number_input(key="sce_voice_floor").set_value(90.0)         # above the 80% target
    _ok(at.button(key="sce_voice_apply").click().run())
    (err,) = _errors(at)
    assert ("'queues[voice].target.interval_service_level' must be <= service_level (0.8): "
            "0.9") in err
    assert _scenario(at) == demo                                    # not half-applied
    for key in ("sl", "floor", "ab"):
        at.checkbox(key=f"sce_voice_{key}_on").uncheck()
    _ok(at.button(key="sce_voice_apply").click().run())
    (err,) = _errors(at)
    assert "'queues[voice].target' sets no target" in err
    assert _scenario(at) == demo


def _section(at, name):
    """Show the page's ``name`` section (one form at a time)."""
    return _ok(at.radio(key="sce_section").set_value(name).run())


def test_one_section_is_drawn_at_a_time(at):
    assert at.radio(key="sce_section").value == "Queues"            # the first by default
    keys = {b.key for b in at.button}
    assert "sce_voice_apply" in keys and "sce_templates_apply" not in keys
    for name, button in zip(sp.SECTIONS, ("sce_voice_apply", "sce_hours_apply",
                                          "sce_templates_apply", "sce_workforce_apply",
                                          "sce_capacity_apply")):
        keys = {b.key for b in _section(at, name).button}
        applies = {k for k in keys if k and k.endswith("_apply")}
        assert applies == {button}, (name, applies)
    assert [d.key for d in at.dataframe][1:] == ["sce_hiring"]      # only this section's grid


def test_opening_hours_table(at):
    _section(at, "Opening hours")
    at.session_state["sce_hours"] = {
        "edited_rows": {0: {"open": "08:00", "close": "20:00", "Sun": False},
                        3: {"open": "07:30", "close": "24:00", "Sat": False, "Sun": False}},
        "added_rows": [], "deleted_rows": []}
    _ok(at.button(key="sce_hours_apply").click().run())
    assert not _errors(at)
    data, sc = _toml(at)
    voice, email = _queue(data, "voice"), _queue(data, "email")
    assert voice["open_hours"] == ["08:00", "20:00"]
    assert voice["open_days"] == ["mon", "tue", "wed", "thu", "fri", "sat"]
    assert email["open_hours"] == ["07:30", "24:00"]
    assert email["open_days"] == ["mon", "tue", "wed", "thu", "fri"]
    assert sc.queue("voice").open_minutes() == (480, 1200, (0, 1, 2, 3, 4, 5))
    assert _queue(data, "chat")["open_hours"] == []
    before = _scenario(at)
    at.session_state["sce_hours"] = {"edited_rows": {1: {"open": "09:00", "close": "07:00"}},
                                     "added_rows": [], "deleted_rows": []}
    _ok(at.button(key="sce_hours_apply").click().run())
    (err,) = _errors(at)
    assert "'queues[sales].open_hours[1]' must be after the opening (09:00): '07:00'" in err
    assert _scenario(at) == before


def test_shift_templates_added_edited_deleted(at):
    _section(at, "Shifts")
    at.session_state["sce_templates"] = {
        "edited_rows": {0: {"length_hours": 9.0, "days": "Mon-Sat"}},
        "added_rows": [{"name": "late", "length_hours": 8.0, "first": "12:00", "last": "14:00",
                        "step_min": 60, "days": "mon-fri", "unpaid_break_min": 30,
                        "paid_breaks_min": "15, 15", "cost_factor": 1.1}],
        "deleted_rows": [2]}
    _ok(at.button(key="sce_templates_apply").click().run())
    assert not _errors(at)
    data, sc = _toml(at)
    shifts = {s["name"]: s for s in data["workforce"]["shifts"]}
    assert list(shifts) == ["full", "part", "late"]                 # night deleted
    assert shifts["full"]["length"] == 9.0 and "sun" not in shifts["full"]["days"]
    late = {t.name: t for t in sc.workforce.shifts}["late"]
    assert late.length == 480 and late.starts == (720, 780, 840)
    assert late.days == (0, 1, 2, 3, 4) and late.paid_breaks == (15, 15)
    assert late.unpaid_break == 30 and late.cost_factor == 1.1
    assert late.paid_hours == (480 - 30) / 60
    before = _scenario(at)
    at.session_state["sce_templates"] = {"edited_rows": {1: {"first": "25:00"}},
                                         "added_rows": [], "deleted_rows": []}
    _ok(at.button(key="sce_templates_apply").click().run())
    (err,) = _errors(at)
    assert "'workforce.shifts[part].first'" in err and "25:00" in err
    assert _scenario(at) == before
    at.session_state["sce_templates"] = {"edited_rows": {1: {"days": "Mon-Fri, Holiday"}},
                                         "added_rows": [], "deleted_rows": []}
    _ok(at.button(key="sce_templates_apply").click().run())
    (err,) = _errors(at)
    assert err.endswith("'workforce.shifts[part].days' must be days (Mon ... Sun) or ranges "
                        "(Mon-Fri) separated by commas: 'Mon-Fri, Holiday'")
    assert _scenario(at) == before


def test_days_as_text_round_trip_every_set_of_weekdays():
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    for mask in range(1, 128):
        days = [d for d in range(7) if mask >> d & 1]
        text = sp.days_text(days)
        assert sp.parse_days("days", text) == days, text
        assert sp.parse_days("days", text.upper().replace(", ", ",")) == days
        # the text lists exactly those days, each once, ranges only for 3 days or more
        listed = []
        for part in text.split(", "):
            a, _, b = part.partition("-")
            i, j = names.index(a), names.index(b or a)
            assert not b or j - i >= 2, text
            listed += names[i:j + 1]
        assert listed == [names[d] for d in days]
    assert sp.parse_days("d", "Sat-Mon") == [0, 5, 6]              # over the weekend
    assert sp.parse_days("d", "Tuesday, thurs") == [1, 3]
    assert sp.parse_days("d", "every day") == list(range(7))
    for bad in ("", "  ", "Mo", "Mun", "Mon-Wed-Fri", ",", "Mon Tue"):
        with pytest.raises(plan.ScenarioError, match=r"^'d' must "):
            sp.parse_days("d", bad)


def test_break_windows_are_said_under_the_templates_and_kept_by_an_edit():
    sc = plan.demo_scenario(weeks=1)
    data = sc.to_dict()
    shifts = data["workforce"]["shifts"]
    shifts[0]["breaks"] = [{"length": 30, "earliest": 180, "latest": 300},
                           {"length": 15, "earliest": 360, "latest": 420, "paid": True}]
    for key in ("unpaid_break", "paid_breaks", "paid_break_offsets"):
        shifts[0].pop(key, None)
    sc = plan.Scenario.from_dict(data)
    text = sp.break_windows_text(sc)
    assert text == (f"{shifts[0]['name']}: 30 min starting 180-300 min into the shift, "
                    "15 min starting 360-420 min into the shift (paid)")
    assert "break_windows" not in sp.templates_frame(sc).columns
    again = plan.Scenario.from_dict(sp.templates_edit(sc.to_dict(), sp.templates_frame(sc)))
    assert again.workforce.shifts[0].breaks == sc.workforce.shifts[0].breaks
    assert sp.break_windows_text(plan.demo_scenario(weeks=1)) == ""


def test_pay_shrinkage_headcount_hiring_and_attrition(at):
    _section(at, "Pay and shrinkage")
    at.number_input(key="sce_wage").set_value(30.0)
    at.text_input(key="sce_currency").set_value("USD")
    at.number_input(key="sce_abcost").set_value(2.5)
    at.session_state["sce_shrinkage"] = {"edited_rows": {0: {"share_pct": 10.0}},
                                         "added_rows": [{"category": "coaching",
                                                         "share_pct": 2.0}],
                                         "deleted_rows": [3]}
    _ok(at.button(key="sce_workforce_apply").click().run())
    assert not _errors(at)
    data, sc = _toml(at)
    assert data["workforce"]["hourly_cost"] == 30.0
    assert data["finance"]["currency"] == "USD" and data["finance"]["abandon_cost"] == 2.5
    assert data["workforce"]["shrinkage"] == {"breaks": 0.10, "absence": 0.07, "training": 0.04,
                                              "coaching": 0.02}
    assert sc.workforce.total_shrinkage == pytest.approx(0.23)

    _section(at, "Headcount and hiring")
    at.number_input(key="sce_headcount").set_value(190.0)
    at.number_input(key="sce_attrition").set_value(30.0)
    at.number_input(key="sce_cph").set_value(3500.0)
    at.session_state["sce_hiring"] = {
        "edited_rows": {0: {"training_weeks": 2, "ramp_pct": "60, 90"}},
        "added_rows": [{"start": "2025-09-15", "size": 5, "training_weeks": 4,
                        "ramp_pct": "50", "cost_per_hire": 3000.0, "name": "october"}],
        "deleted_rows": []}
    _ok(at.button(key="sce_capacity_apply").click().run())
    assert not _errors(at)
    data, sc = _toml(at)
    cap = data["capacity"]
    assert (cap["headcount"], cap["attrition"], cap["cost_per_hire"]) == (190.0, 0.3, 3500.0)
    assert cap["hiring"][0] == {"start": dt.date(2025, 9, 8), "size": 8, "training_weeks": 2,
                                "ramp": [0.6, 0.9]}
    assert cap["hiring"][1] == {"start": dt.date(2025, 9, 15), "size": 5, "training_weeks": 4,
                                "ramp": [0.5], "cost_per_hire": 3000.0, "name": "october"}
    assert data["workforce"]["hourly_cost"] == 30.0                 # the earlier apply stays
    _section(at, "Pay and shrinkage")
    before = _scenario(at)
    at.session_state["sce_shrinkage"] = {"edited_rows": {0: {"share_pct": 90.0}},
                                         "added_rows": [], "deleted_rows": []}
    _ok(at.button(key="sce_workforce_apply").click().run())
    (err,) = _errors(at)
    assert "'workforce.shrinkage' must add up to < 1" in err
    assert _scenario(at) == before


def test_defaults_are_shown_and_marked():
    hist = forecast.demo_history(weeks=3)
    up = plan.history_scenario(hist, __import__("tempfile").mkdtemp(), weeks=1)
    t = sp.defaults_table(up).set_index(["applies to", "setting"])["default"]
    for setting in ("Wage per paid hour", "Shrinkage", "Shift templates", "Starting headcount",
                    "Attrition (a year)"):
        assert t[("all queues", setting)], setting
    for q in up.queues:
        for setting in ("Target", "Patience", "Opening hours", "Channel", "Bot"):
            assert t[(q.name, setting)], (q.name, setting)
    demo = sp.defaults_table(plan.demo_scenario(weeks=1)).set_index(
        ["applies to", "setting"])["default"]
    assert not demo[("all queues", "Starting headcount")]
    assert not demo[("all queues", "Shift templates")]
    assert not demo[("voice", "Target")] and not demo[("sales", "Patience")]
    assert demo[("email", "Patience")]                      # e-mail sets none


def test_the_page_shows_the_defaults_table(at):
    shown = _shown(at.dataframe[0])
    assert list(shown.columns) == ["Applies to", "Setting", "Value", "Default"]
    row = shown[(shown["Applies to"] == "all queues") & (shown["Setting"] == "Starting headcount")]
    assert row["Value"].tolist() == ["185"] and row["Default"].tolist() == ["no"]
    assert set(shown["Default"]) == {"yes", "no"}


@pytest.mark.parametrize("multiskill", [False, True])
def test_unedited_tables_rebuild_the_same_scenario(multiskill):
    sc = plan.demo_scenario(weeks=1, multiskill=multiskill)
    data = sc.to_dict()
    data = sp.hours_edit(data, sp.hours_frame(sc))
    data = sp.templates_edit(data, sp.templates_frame(sc))
    wf = sc.workforce
    shrink = __import__("pandas").DataFrame({"category": list(wf.shrinkage),
                                             "share_pct": [100 * x for x in
                                                           wf.shrinkage.values()]})
    data = sp.workforce_edit(data, {"hourly_cost": wf.hourly_cost}, shrink)
    data = sp.capacity_edit(data, {"attrition": 100 * sc.capacity.attrition},
                            sp.hiring_frame(sc))
    for q in sc.queues:
        t = q.target
        data = sp.queue_edit(data, q.name, {
            "service_level": None if t.service_level is None else 100 * t.service_level,
            "target_time": t.target_time, "asa": t.asa, "patience": q.patience,
            "abandon_rate": None if t.abandon_rate is None else 100 * t.abandon_rate})
    assert plan.Scenario.from_dict(data) == sc


def test_a_target_edit_does_not_forecast_again(at, monkeypatch):
    calls = []
    real = plan.forecast_demand

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(plan, "forecast_demand", counting)
    at.session_state["test_forecast"] = True
    _ok(at.run())
    seen = len(calls)
    at.number_input(key="sce_voice_sl").set_value(85.0)
    _ok(at.button(key="sce_voice_apply").click().run())
    assert _scenario(at).queue("voice").target.service_level == 0.85
    assert len(calls) == seen


def _upload_defaults_script():
    import tempfile

    from ccwfm import forecast, plan
    from ccwfm.dashboard import data_page
    sc = plan.history_scenario(forecast.demo_history(weeks=3), tempfile.mkdtemp(), weeks=1)
    data_page._defaults(sc)


def test_the_data_page_and_the_scenario_page_say_the_same_of_an_uploads_headcount():
    hist = forecast.demo_history(weeks=3)
    up = plan.history_scenario(hist, __import__("tempfile").mkdtemp(), weeks=1)
    assert up.capacity.headcount == 0                # an upload: what the first week needs
    t = sp.defaults_table(up).set_index(["applies to", "setting"])["value"]
    at = AppTest.from_function(_upload_defaults_script).run()
    _ok(at)
    shown = _shown(at.dataframe[0]).set_index("Setting")["Value"]
    assert shown["Starting headcount"] == t[("all queues", "Starting headcount")] \
        == "what the first week needs"
    assert shown["Shrinkage"] == f"{sp.UPLOAD_SHRINKAGE:.0%}" == "30%"
    assert shown[f"Wage per paid hour ({up.finance.currency})"] == f"{sp.UPLOAD_HOURLY_COST:,.2f}"
