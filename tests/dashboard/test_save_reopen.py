"""Save the plan (zip) and open it again; uploads checked at upload; saved what-ifs kept,
renamed, deleted and applied; each queue's KPI against its own target (AppTest)."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from ccwfm import plan

from .test_app import fresh, goto, ok


def shown(el):
    """The display texts of a formatted table (what the planner reads)."""
    return pa.ipc.open_stream(el.proto.arrow_data.styler.display_values).read_pandas()


def metric(at, label):
    m = next(m for m in at.metric if m.label.startswith(label))
    return float(m.value.replace(",", "").rstrip("%s ").split()[0])


def upload_csv(at, data, name="calls.csv"):
    at.radio(key="data_source").set_value("Interval file (CSV or Excel)").run()
    at.file_uploader(key="upload_intervals").set_value((name, data, "text/csv")).run()
    at.button(key="use_intervals").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def interval_csv(days, first="2025-03-03"):
    """A one-queue interval file of ``days`` days, 8 hourly intervals a day."""
    rng = np.random.default_rng(5)
    starts = [d + pd.Timedelta(hours=8 + h) for d in pd.date_range(first, periods=days)
              for h in range(8)]
    frame = pd.DataFrame({"queue": "support", "start": starts,
                          "volume": rng.poisson(30, len(starts)).astype(float),
                          "aht": rng.normal(280, 15, len(starts)).round(1)})
    return frame.to_csv(index=False).encode()


def table(at, column):
    """The first table shown with a column headed ``column`` (case-insensitive)."""
    tables = [*at.dataframe, *at.table]           # interactive grids, then plain tables
    found = [d for d in tables if column.lower() in [str(c).lower() for c in d.value.columns]]
    assert found, [list(d.value.columns) for d in tables]
    return found[0]


def test_a_two_interval_file_is_refused_at_upload_with_the_days_needed_and_found():
    at = fresh()
    data = b"queue,start,volume,aht\nvoice,2025-03-03 08:00,5,200\nvoice,2025-03-03 08:15,7,210\n"
    upload_csv(at, data, "tiny.csv")
    (err,) = [e.value for e in at.error]
    assert "cannot be planned" in err and "Nothing was loaded" in err
    text = " ".join(shown(table(at, "Problem")).to_numpy().ravel())
    assert "26 calendar days" in text and "1 day" in text, text
    # Nothing was loaded: the demo stays, and every page works (no "too short" later).
    assert "Scenario **demo**" in at.sidebar.caption[0].value
    for page in ("Forecast", "Staffing", "What-if"):
        goto(at, page)
        assert not any("too short" in e.value for e in at.error)


def test_a_good_upload_shows_its_defaults_and_warnings_then_saves_and_reopens():
    at = fresh()
    upload_csv(at, interval_csv(35))
    ok(at)
    assert any("Loaded 280 intervals" in s.value for s in at.success)
    assert any("Change them on the Scenario page" in m.value for m in at.markdown)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Save the plan (zip)" in labels and "Download the scenario only (TOML)" in labels
    assert any("Use the zip to move a plan" in c.value for c in at.caption)
    defaults = shown(table(at, "Setting"))
    settings = dict(zip(defaults.iloc[:, 0], defaults.iloc[:, 1]))
    assert settings["Shrinkage"] == "30%" and settings["Target, every queue"].startswith("80%")
    # A 5-week file: the short-history warning is shown, the file is loaded.
    assert at.warning and "steady weekly pattern" in " ".join(
        shown(table(at, "Problem")).to_numpy().ravel())
    goto(at, "What-if")
    at.number_input(key="wi_cont_support").set_value(20).run()
    at.text_input(key="wi_name").set_value("bot 20").run()
    at.button(key="wi_save").click().run()
    ok(at)
    fte_bot = metric(at, "FTE")
    at.number_input(key="wi_cont_support").set_value(30).run()      # the current inputs
    ok(at)
    from ccwfm.dashboard import state
    data = _bundle(at)
    b = plan.open_bundle(data)
    assert list(b.whatifs) == ["bot 20", state.CURRENT_INPUTS]
    assert b.whatifs["bot 20"] == {"queues.support.bot.containment": 0.2}
    assert len(b.sources[plan.HISTORY_FILE].frame) == 280

    # Reopen in a new session: same plan, same saved what-ifs, current inputs restored.
    at2 = fresh()
    at2.radio(key="data_source").set_value("Saved plan (zip)").run()
    at2.file_uploader(key="upload_bundle").set_value(("plan.zip", data, "application/zip")).run()
    at2.button(key="use_bundle").click().run()
    ok(at2)
    assert any("Opened the saved plan" in s.value and "2 saved what-ifs" in s.value
               for s in at2.success)
    goto(at2, "What-if")
    assert at2.number_input(key="wi_cont_support").value == 30
    at2.button(key="wi_saved_apply_bot 20").click().run()
    ok(at2)
    assert at2.number_input(key="wi_cont_support").value == 20
    assert metric(at2, "FTE") == pytest.approx(fte_bot)
    for page in ("Forecast", "Staffing"):
        goto(at2, page)


def _bundle(at):
    """The zip the Data page offers, made as the page makes it (the session's state)."""
    from ccwfm.dashboard import state
    ss = at.session_state
    whatifs = dict(ss[state.SAVED])
    if ss[state.OVERRIDES]:
        whatifs[state.CURRENT_INPUTS] = dict(ss[state.OVERRIDES])
    return plan.save_bundle(ss[state.SCENARIO], sources=ss[state.SOURCES] or None,
                            whatifs=whatifs)


def test_saved_whatifs_rename_delete_and_the_table_is_formatted():
    at = goto(fresh(), "What-if")
    at.number_input(key="wi_cont_voice").set_value(50).run()
    at.text_input(key="wi_name").set_value("bot 50").run()
    at.button(key="wi_save").click().run()
    at.number_input(key="wi_cont_voice").set_value(15).run()
    at.text_input(key="wi_name").set_value("other").run()
    at.button(key="wi_save").click().run()
    ok(at)
    at.text_input(key="wi_saved_name_bot 50").set_value("half the calls to the bot").run()
    at.button(key="wi_saved_rename_bot 50").click().run()
    ok(at)
    from ccwfm.dashboard import state
    assert list(at.session_state[state.SAVED]) == ["half the calls to the bot", "other"]
    at.button(key="wi_saved_delete_other").click().run()
    ok(at)
    assert list(at.session_state[state.SAVED]) == ["half the calls to the bot"]
    comparison = table(at, "What-if")              # the plans, then the queues
    texts = shown(comparison)
    assert texts.iloc[:, 0].tolist() == ["base", "half the calls to the bot"]
    # Percentages, currency, FTE with one decimal; e-mail against its ASA target.
    fte = texts[[c for c in texts.columns if c.startswith("FTE")][0]]
    assert all(len(x.split(".")[-1]) == 1 for x in fte), fte.tolist()
    queues = shown(table(at, "KPI")).set_index(["Queue", "What-if"])
    assert set(queues.loc["email", "KPI"]) == {"ASA"}
    assert all(x.endswith(" s") for x in queues.loc["email", "Value"])
    assert all(x.endswith("%") for x in queues.loc["voice", "Value"])
    assert all(x.endswith("%") for x in queues["Abandonment"])
    for frame in (texts, queues.reset_index()):
        for col in frame.columns[1:]:
            for x in frame[col]:
                assert not any(len(p) > 2 for p in x.replace(",", "").split(".")[1:]
                               if p[:1].isdigit()), (col, x)


def test_email_shows_asa_against_its_target():
    at = goto(fresh(), "What-if")
    at.selectbox(key="wi_queue").set_value("email").run()
    ok(at)
    labels = [m.label for m in at.metric]
    assert any(lb.startswith("email: ASA (target") for lb in labels), labels
    assert not any("email: service level" in lb for lb in labels)
