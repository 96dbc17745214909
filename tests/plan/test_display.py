"""Tables for people (plan/display.py): every kind, missing values, the real tables' columns,
and two properties over random frames: no text with more than 2 decimals, no midnight time
on a daily or weekly column."""

import datetime
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccwfm import plan
from ccwfm.plan import display
from ccwfm.plan.capacity import COLUMNS as CAPACITY_COLUMNS
from ccwfm.plan.scenario import Target

DECIMALS = re.compile(r"\d\.\d{3}")           # a number shown with 3 decimals or more
MIDNIGHT = "00:00"


# -- one value, every kind ---------------------------------------------------------------

@pytest.mark.parametrize("value, kind, text", [
    (0.81234, "pct", "81.2%"),
    (1.0, "pct", "100.0%"),
    (5.04, "pct_pts", "5.0%"),
    (1.26, "pts", "+1.3 pts"),
    (-0.04, "pts", "-0.0 pts".replace("-0.0", "+0.0")),     # no negative zero
    (12.44, "seconds", "12"),
    (7200.0, "seconds", "7,200"),
    (253247.4245, "money", "253,247.42"),                   # one value: cents
    (4395.4316, "number", "4,395"),
    (43.951, "number", "44.0"),
    (4.3951, "number", "4.40"),
    (1234567, "count", "1,234,567"),
    (pd.Timestamp("2025-09-01"), "date", "Mon 01 Sep 2025"),
    (pd.Timestamp("2025-09-01 08:15"), "datetime", "Mon 01 Sep 2025 08:15"),
    (pd.Timestamp("2025-09-01 08:15"), "time", "08:15"),
    (True, "flag", "yes"),
    (False, "flag", "no"),
    ("voice", "text", "voice"),
    (0.123456, "text", "0.12"),                             # a number in a text column
    (pd.Timestamp("2025-09-01"), "text", "Mon 01 Sep 2025"),
    (datetime.date(2025, 9, 1), "text", "Mon 01 Sep 2025"),
    (-0.0004, "pct", "0.0%"),
    (-0.001, "number", "0.00"),
])
def test_format_value_of_each_kind(value, kind, text):
    assert display.format_value(value, kind) == text


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NaT, pd.NA])
@pytest.mark.parametrize("kind", display.KINDS)
def test_missing_values_are_empty(missing, kind):
    assert display.format_value(missing, kind) == ""


@pytest.mark.parametrize("kind", ["number", "seconds", "count", "money", "pct"])
def test_infinity_is_a_sign_not_a_number(kind):
    assert display.format_value(float("inf"), kind) == "∞"
    assert display.format_value(-np.inf, kind) == "-∞"


def test_decimals_asked_are_capped_at_two():
    assert display.format_value(3.14159, "number", decimals=5) == "3.14"
    assert display.format_value(3.14159, "number", decimals=0) == "3"


def test_integer_columns_are_counts_with_separators_and_missing_blank():
    f = pd.DataFrame({"x": np.array([1, 22000, 3], dtype="int64"),
                      "y": pd.array([1, None, 12345], dtype="Int64")})
    assert display.column_kind("x", f["x"]) == display.column_kind("y", f["y"]) == "count"
    t = display.texts(f)
    assert t["X"].tolist() == ["1", "22,000", "3"]
    assert t["Y"].tolist() == ["1", "", "12,345"]


def test_datetime_at_midnight_is_a_date_else_a_date_and_time():
    days = pd.Series(pd.to_datetime(["2025-09-01", "2025-09-08", None]))
    times = pd.Series(pd.to_datetime(["2025-09-01 00:00", "2025-09-01 08:15"]))
    assert display.column_kind("week", days) == "date"
    assert display.column_kind("start", times) == "datetime"
    assert display.texts(pd.DataFrame({"week": days}))["Week"].tolist() == [
        "Mon 01 Sep 2025", "Mon 08 Sep 2025", ""]
    assert display.texts(pd.DataFrame({"start": times}))["Start"].tolist() == [
        "Mon 01 Sep 2025 00:00", "Mon 01 Sep 2025 08:15"]
    # dates in an object column (datetime.date), and dates as a pivot's column names
    objs = pd.Series([datetime.date(2025, 9, 1), datetime.date(2025, 9, 2)], dtype=object)
    assert display.column_kind("day", objs) == "date"
    piv = pd.DataFrame({pd.Timestamp("2025-09-01"): [1]})
    assert display.texts(piv).columns.tolist() == ["Mon 01 Sep 2025"]


def test_forced_kinds_and_a_bad_kind_named():
    f = pd.DataFrame({"value": [0.25]})
    assert display.texts(f, kinds={"value": "pct"}).iloc[0, 0] == "25.0%"
    with pytest.raises(ValueError, match=r"'kinds' must be one of .*'percent'"):
        display.texts(f, kinds={"value": "percent"})


def test_money_headers_carry_the_currency_and_cents_only_below_1000():
    f = pd.DataFrame({"total_cost": [253247.4245, 12.5], "hourly_cost": [28.0, 31.556]})
    t = display.texts(f, currency="EUR")
    assert t.columns.tolist() == ["Total cost (EUR)", "Hourly cost (EUR)"]
    assert t["Total cost (EUR)"].tolist() == ["253,247", "12"]
    assert t["Hourly cost (EUR)"].tolist() == ["28.00", "31.56"]


def test_styled_keeps_numbers_and_shows_the_same_texts():
    f = pd.DataFrame({"queue": ["voice", "email"], "service_level": [0.8312, np.nan],
                      "asa": [7.07, 1075.7], "week": pd.to_datetime(["2025-09-01"] * 2)})
    s = display.styled(f)
    assert s.data["ASA (s)"].iloc[0] == 7.07                         # numbers stay numbers
    # ... but a column with a gap is handed over as its texts (the browser draws a missing
    # raw value as "None" whatever the Styler says)
    assert s.data["Service level"].tolist() == ["83.1%", display.MISSING]
    shown = s.to_string(delimiter="\x1f").splitlines()
    rows = [line.split("\x1f") for line in shown]
    assert rows[0] == display.texts(f).columns.tolist()
    # the same texts, but a dash for the missing service level (see the test below)
    assert rows[1:] == [[display.MISSING if x == "" else x for x in row]
                        for row in display.texts(f).values.tolist()]


def test_kpi_rows_in_their_own_units():
    """A table with a ``metric`` column (attainment): each row's target and values in its
    KPI's unit, whatever the other rows hold."""
    att = pd.DataFrame({"queue": "q", "level": "day", "metric": ["service_level", "asa"],
                        "target": [0.8, 7200.0], "formula": [0.83, 1500.0],
                        "simulated": [0.8234, 3814.88], "low": [0.81, 3500.0],
                        "high": [0.84, 4100.0], "met": True, "contacts": [100.0, 50.0],
                        "period": pd.to_datetime(["2025-09-01"] * 2)})
    t = display.texts(att)
    assert t["KPI"].tolist() == ["Service level", "ASA"]
    assert t["Target"].tolist() == ["80.0%", "7,200 s"]
    assert t["Simulated"].tolist() == ["82.3%", "3,815 s"]
    s = display.texts(plan.attainment_summary(att))
    assert s["Mean surplus"].tolist() == ["+2.3 pts", "-3,385 s"]
    assert s["Worst period"].tolist() == ["Mon 01 Sep 2025"] * 2


# -- KPIs against each queue's own target --------------------------------------------------

def test_email_is_measured_by_its_asa_against_its_asa_target():
    sc = plan.demo_scenario(weeks=1)
    f = pd.DataFrame({"queue": ["voice", "sales", "chat", "email"],
                      "service_level_plan": [0.85, 0.93, 0.79, 0.25],
                      "service_level_sim_plan": [0.86, 0.89, 0.81, 0.17],
                      "abandon_rate_plan": [0.04, 0.02, 0.07, 0.0],
                      "abandon_rate_sim_plan": [0.06, 0.02, 0.05, 0.0],
                      "asa_plan": [6.5, 2.4, 17.4, 912.3],
                      "asa_sim_plan": [6.7, 2.3, 16.1, 7300.0]})
    t = display.against_targets(sc.queues, f, {"Formula": "_plan", "Simulated": "_sim_plan"})
    assert t.columns.tolist() == ["Queue", "KPI", "Target", "Formula", "Simulated", "Met"]
    rows = {(q, k): r for q, k, *r in t.itertuples(index=False, name=None)}
    # e-mail: its ASA, against 7,200 s; no service level (0.17 would read as a failure)
    assert ("email", "Service level") not in rows
    assert rows[("email", "ASA")] == ["≤ 7,200 s", "912 s", "7,300 s", False]
    assert rows[("voice", "Service level")] == ["≥ 80% in 20 s", "85.0%", "86.0%", True]
    assert rows[("voice", "Abandonment")][-1] is False                   # 6% > 5%
    assert rows[("sales", "Service level")][-1] is False                 # 89% < 90%
    assert rows[("chat", "Service level")][-1] is True                   # simulated judges
    on_formula = display.against_targets(sc.queues, f, {"Formula": "_plan",
                                                        "Simulated": "_sim_plan"},
                                         met_on="Formula")
    assert not on_formula.set_index(["Queue", "KPI"]).loc[("chat", "Service level"), "Met"]
    with pytest.raises(ValueError, match="'met_on' must be one of"):
        display.against_targets(sc.queues, f, {"Formula": "_plan"}, met_on="Simulated")


def test_targets_of_each_type():
    class Q:
        def __init__(self, target):
            self.target = target
    assert display.targets_of(Q(Target(service_level=0.9, target_time=15, occupancy=0.85))) == [
        ("service_level", 0.9, "≥ 90% in 15 s"), ("occupancy", 0.85, "≤ 85%")]
    assert display.targets_of(Q(Target(window=86400, within=0.95))) == [
        ("service_level", 0.95, "≥ 95% within 24 h")]
    assert display.targets_of(Q(Target(window="next_day")))[0][2] == (
        "≥ 100% by the end of the next business day")
    assert display.kpi_text("asa", 7199.6) == "7,200 s"
    assert display.kpi_text("abandon_rate", 0.0512) == "5.1%"
    assert display.kpi_text("asa", float("nan")) == ""


# -- the real tables of a quick plan of the demo ---------------------------------------------

@pytest.fixture(scope="module")
def quick():
    sc = plan.demo_scenario(weeks=1)
    fc, models = plan.forecast_demand(sc)
    return plan.quick_plan(sc, fc), models


def test_real_tables_columns_get_their_kinds(quick):
    qp, models = quick
    want = {
        "summary": {"queue": "text", "offered": "number", "to_agents": "number",
                    "agent_hours": "number", "paid_hours": "number", "fte": "number",
                    "peak_agents": "count", "service_level": "pct", "asa": "seconds",
                    "abandon_rate": "pct", "occupancy": "pct"},
        "requirements": {"queue": "text", "start": "datetime", "volume": "number",
                         "aht": "seconds", "agent_aht": "seconds", "required": "count",
                         "service_level": "pct", "asa": "seconds", "occupancy": "pct"},
        "models": {"queue": "text", "model": "text", "chosen": "flag", "wmape": "pct",
                   "mase": "number"},
    }
    frames = {"summary": qp.summary, "requirements": qp.requirements, "models": models}
    for name, kinds in want.items():
        for col, kind in kinds.items():
            assert display.column_kind(col, frames[name][col]) == kind, (name, col)
    # what a planner reads: the summary's service level as a percentage, FTE with 1 decimal
    t = display.texts(qp.summary)
    for x, shown in zip(qp.summary["service_level"], t["Service level"]):
        assert shown == f"{100 * x:.1f}%"
    for x, shown in zip(qp.summary["fte"], t["FTE"]):
        assert float(shown.replace(",", "")) == pytest.approx(x, abs=0.05)
    assert t.columns.tolist()[:3] == ["Queue", "Offered", "By the bot"]
    req = display.texts(qp.requirements)
    assert req["Start"].iloc[0] == "Mon 01 Sep 2025 00:00"
    assert display.texts(models)["wMAPE"].str.fullmatch(r"\d+\.\d%").all()


def test_plan_tables_columns_get_their_kinds():
    """The PlanResult tables' column names (capacity, attainment summary) -> kinds."""
    weeks = pd.date_range("2025-09-01", periods=3, freq="W-MON")
    cap = pd.DataFrame({c: np.linspace(1.5, 190.25, 3) for c in CAPACITY_COLUMNS[1:]})
    cap.insert(0, "week", weeks)
    kinds = dict(zip(cap.columns, [display.column_kind(c, cap[c]) for c in cap.columns]))
    assert kinds["week"] == "date"
    assert {kinds[c] for c in ("wage_cost", "hiring_cost", "total_cost", "cum_total_cost")} == {
        "money"}
    assert {kinds[c] for c in ("required_fte", "productive_fte", "gap", "attrition")} == {
        "number"}
    heads = display.labels(cap, currency="EUR")
    assert not any("_" in h for h in heads) and len(set(heads)) == len(heads)
    assert "Gap (FTE)" in heads and "Total cost (EUR)" in heads
    assert all(MIDNIGHT not in x for x in display.texts(cap)["Week"])


# -- properties over random frames ------------------------------------------------------------

NAMES = ["service_level", "asa", "abandon_rate_sim", "total_cost", "fte", "gap", "agents",
         "volume", "wmape", "saving_pct", "sl_mae_pp", "value", "x_1", "hourly_cost",
         "paid_share", "required", "aht", "week", "start", "day"]
floats = st.floats(allow_nan=True, allow_infinity=True, width=64)
midnights = st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2100, 1, 1)
                     ).map(pd.Timestamp)
moments = st.datetimes(min_value=datetime.datetime(1990, 1, 1),
                       max_value=datetime.datetime(2100, 1, 1)).map(
    lambda d: pd.Timestamp(d).floor("min"))


@st.composite
def frames(draw):
    n = draw(st.integers(0, 6))
    cols = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=6, unique=True))
    data, daily = {}, set()
    for c in cols:
        what = draw(st.sampled_from(["float", "int", "midnight", "moment", "bool", "mixed"]))
        if what == "float":
            data[c] = pd.Series(draw(st.lists(floats, min_size=n, max_size=n)), dtype=float)
        elif what == "int":
            data[c] = pd.Series(draw(st.lists(st.integers(-10 ** 12, 10 ** 12), min_size=n,
                                              max_size=n)), dtype="int64")
        elif what == "midnight":
            data[c] = pd.Series(draw(st.lists(midnights, min_size=n, max_size=n)),
                                dtype="datetime64[ns]")
            daily.add(c)
        elif what == "moment":
            data[c] = pd.Series(draw(st.lists(moments, min_size=n, max_size=n)),
                                dtype="datetime64[ns]")
            if all(x == x.normalize() for x in data[c]):
                daily.add(c)
        elif what == "bool":
            data[c] = pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
        else:                     # text cells holding numbers and dates (an object column)
            data[c] = pd.Series(draw(st.lists(st.one_of(floats, st.text(
                alphabet="abc ", max_size=4), midnights), min_size=n, max_size=n)),
                dtype=object)
            if n and all(isinstance(x, pd.Timestamp) for x in data[c]):
                daily.add(c)
    return pd.DataFrame(data, index=range(n)), daily


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_no_text_shows_more_than_two_decimals_and_headers_are_for_people(case):
    frame, _ = case
    t = display.texts(frame, currency="EUR")
    cells = [x for col in t.columns for x in t[col]]
    assert all(isinstance(x, str) for x in cells)
    assert not [x for x in cells if DECIMALS.search(x)]
    assert not any("_" in h for h in t.columns) and len(set(t.columns)) == len(t.columns)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_no_midnight_time_on_a_daily_or_weekly_column(case):
    frame, daily = case
    t = display.texts(frame)
    for i, col in enumerate(frame.columns):
        shown = t.iloc[:, i]
        if col in daily:
            assert not any(MIDNIGHT in x for x in shown), (col, shown.tolist())
        elif pd.api.types.is_datetime64_any_dtype(frame[col]) and len(frame):
            assert all(re.search(r"\d\d:\d\d$", x) for x in shown)    # a time that means


@settings(max_examples=100, deadline=None)
@given(st.floats(-1e12, 1e12), st.sampled_from(["number", "count", "money", "pct", "seconds"]))
def test_a_shown_number_reads_back_within_its_shown_precision(x, kind):
    text = display.format_value(x, kind)
    back = float(text.replace(",", "").rstrip("%"))
    if kind == "pct":
        back /= 100
    decimals = len(text.rstrip("%").split(".")[1]) if "." in text else 0
    step = 10.0 ** -decimals / (100 if kind == "pct" else 1)
    assert abs(back - x) <= step / 2 + 1e-9 * max(1.0, abs(x)), (x, kind, text)
    assert not math.isnan(back)


def test_styled_shows_a_dash_for_a_missing_value_and_keeps_an_empty_text():
    """Streamlit draws an empty display text as the raw value (a grey "None"): a missing
    value must show a text of its own; a text column's empty string stays empty."""
    frame = pd.DataFrame({"queue": ["voice", None], "service_level_sim": [0.8, np.nan],
                          "asa": [np.nan, 12.0], "note": ["", "x"],
                          "metric": ["service_level", "asa"], "target": [0.8, np.nan]})
    s = display.styled(frame, kinds={"note": "text"})
    s._compute()
    body = [[c["display_value"] for c in row if c.get("type") == "td"]
            for row in s._translate(False, False)["body"]]
    assert body[0][:4] == ["voice", "80.0%", display.MISSING, ""]
    assert body[1][:4] == [display.MISSING, display.MISSING, "12", "x"]
    assert body[1][-1] == display.MISSING           # a per-row KPI column too
    assert display.texts(frame).iloc[1, 1] == ""    # the report's texts are unchanged
