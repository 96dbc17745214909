"""The dashboard's charts tell the truth: gaps at closed hours, targets drawn, a 24-hour
clock, ticks that fit the grain, axes that show the range; the Forecast page's window.

Charts are checked through their Vega-Lite spec (``chart.to_dict()``) and data, against
brute-force expectations computed here from the raw frames.
"""

import importlib.util
import json
import re

import numpy as np
import pandas as pd
import pytest

from ccwfm.dashboard import charts
from ccwfm.dashboard.forecast_page import daily_totals, default_window
from ccwfm.plan import demo_scenario

STEP = pd.Timedelta(minutes=15)


def _open_times(start, days, hours=(8, 20), closed=(6,)):
    """Every 15-minute start of ``days`` days from ``start`` while open: ``hours`` on the
    weekdays not in ``closed`` (6: Sunday)."""
    t = pd.date_range(start, periods=days * 96, freq="15min")
    keep = (t.hour >= hours[0]) & (t.hour < hours[1]) & ~t.day_of_week.isin(closed)
    return t[keep]


def _history_and_forecast():
    rng = np.random.default_rng(7)
    th = _open_times("2025-08-04", 28)                  # Mon 04 Aug to Sun 31 Aug
    tf = _open_times("2025-09-01", 28)
    hist = pd.DataFrame({"queue": "q", "start": th, "volume": rng.poisson(40, len(th)) * 1.0,
                         "aht": rng.uniform(200, 400, len(th))})
    f = rng.uniform(30, 50, len(tf))
    fc = pd.DataFrame({"queue": "q", "start": tf, "forecast": f, "aht": rng.uniform(250, 350,
                                                                                    len(tf)),
                       "lo_80": f * 0.8, "hi_80": f * 1.2, "lo_95": f * 0.7, "hi_95": f * 1.3})
    return hist, fc


def _datasets(chart):
    spec = chart.to_dict()
    return spec, {k: pd.DataFrame(v) for k, v in spec.get("datasets", {}).items()}


def _line_data(chart):
    """The data of the chart's history/forecast lines (the dataset with ``series``)."""
    _, data = _datasets(chart)
    return next(d for d in data.values() if "series" in d.columns)


def _walk(node, key):
    """Every value of ``key`` anywhere in a spec."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from _walk(v, key)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v, key)


def _temporal_encodings(spec):
    """Every encoding channel of a temporal field, with its channel name."""
    for enc in _walk(spec, "encoding"):
        for channel, e in enc.items():
            items = e if isinstance(e, list) else [e]
            for x in items:
                if isinstance(x, dict) and x.get("type") == "temporal":
                    yield channel, x


def _assert_clock_24h(chart):
    spec = chart.to_dict()
    text = json.dumps(spec)
    assert "%p" not in text and "%I" not in text and "%l" not in text
    found = 0
    for channel, enc in _temporal_encodings(spec):
        if channel == "tooltip":
            assert enc.get("format"), enc                  # no default (AM/PM) tooltip
        elif channel in ("x", "x2", "y"):
            axis = enc.get("axis")
            assert axis is None or axis.get("format") or axis.get("labelExpr"), enc
            found += 1
    # A temporal axis whose spec sits in a layer's shared encoding counts too.
    return found


def _assert_no_line_across_gaps(lines, step, value="value", by="series"):
    """Brute force: in each series, consecutive drawn points (both present) are at most
    ``step`` apart: no segment is drawn across missing data."""
    lines = lines.assign(start=pd.to_datetime(lines["start"]))
    for _, g in lines.groupby(by):
        g = g.sort_values("start")
        t, v = g["start"].to_numpy(), g[value].to_numpy(dtype=float)
        for i in range(len(g) - 1):
            if np.isfinite(v[i]) and np.isfinite(v[i + 1]):
                assert t[i + 1] - t[i] <= step.to_timedelta64(), (t[i], t[i + 1])


# ------------------------------------------------------------------ gaps

def test_with_gaps_against_brute_force():
    rng = np.random.default_rng(3)
    for _ in range(30):
        n = int(rng.integers(1, 40))
        t = pd.Timestamp("2025-09-01") + pd.to_timedelta(
            np.sort(rng.choice(300, n, replace=False)) * 15, unit="min")
        f = pd.DataFrame({"start": t, "v": rng.normal(size=n), "k": rng.choice(["a", "b"], n)})
        out = charts.with_gaps(f, STEP, by="k")
        for k, g in f.groupby("k"):
            o = out[out["k"] == k]
            # brute force: one missing row after each jump of more than a step
            gaps = [(a, b) for a, b in zip(g["start"], g["start"].iloc[1:]) if b - a > STEP]
            missing = o[o["v"].isna()]
            assert len(missing) == len(gaps)
            assert sorted(missing["start"]) == sorted(a + STEP for a, _ in gaps)
            kept = o[o["v"].notna()]
            assert kept["start"].tolist() == g["start"].tolist()
            assert np.allclose(kept["v"], g["v"])
            _assert_no_line_across_gaps(o, STEP, "v", "k")


def test_demand_chart_lines_break_at_closed_nights_and_sundays():
    hist, fc = _history_and_forecast()
    chart = charts.demand_chart(hist, fc, "q", "volume", "2025-08-28", "2025-09-03",
                                "interval", 15)
    lines = _line_data(chart)
    assert lines["value"].isna().sum() > 0
    _assert_no_line_across_gaps(lines, STEP)
    # every closed night and Sunday of the window is a gap (a missing row) in its series
    h = lines[lines["series"] == "history"].assign(start=lambda d: pd.to_datetime(d["start"]))
    nights = h[h["value"].isna()]["start"]
    assert set(nights.dt.strftime("%a %H:%M")) == {"Thu 20:00", "Fri 20:00"}   # then Sunday
    bands = next(d for d in _datasets(chart)[1].values() if "lo_95" in d.columns)
    assert bands["lo_95"].isna().sum() == 1            # Monday night (Mon and Tue shown)
    spec = chart.to_dict()
    assert {m.get("invalid") for m in _walk(spec, "mark") if isinstance(m, dict)} == {
        "break-paths-filter-domains"}


@pytest.mark.parametrize("grain, step", [("hour", pd.Timedelta(hours=1)),
                                         ("day", pd.Timedelta(days=1))])
def test_demand_chart_aggregates_with_gaps(grain, step):
    hist, fc = _history_and_forecast()
    start, end = pd.Timestamp("2025-08-18"), pd.Timestamp("2025-09-15")
    for measure in ("volume", "aht"):
        lines = _line_data(charts.demand_chart(hist, fc, "q", measure, start, end, grain, 15))
        _assert_no_line_across_gaps(lines, step)
        got = lines[lines["series"] == "history"].dropna().assign(
            start=lambda d: pd.to_datetime(d["start"])).set_index("start")["value"]
        h = hist[(hist["start"] >= start) & (hist["start"] < end)]
        freq = "h" if grain == "hour" else "D"
        for t, value in got.items():           # brute force, one bucket at a time
            rows = h[h["start"].dt.floor(freq) == t]
            if measure == "volume":
                want = rows["volume"].sum()
            else:
                want = sum(a * v for a, v in zip(rows["aht"], rows["volume"])) / rows[
                    "volume"].sum()
            assert value == pytest.approx(want)
        expected = h["start"].dt.floor(freq).nunique()
        assert len(got) == expected
        if grain == "day":                        # Sundays closed: a gap each week
            missing = lines[lines["value"].isna() & (lines["series"] == "history")]
            assert set(pd.to_datetime(missing["start"]).dt.day_name()) == {"Sunday"}


def test_kpi_chart_closed_intervals_are_gaps_and_targets_are_drawn():
    t = pd.date_range("2025-09-01", periods=96, freq="15min")
    open_ = (t.hour >= 8) & (t.hour < 20)
    frame = pd.DataFrame({"start": t, "volume": np.where(open_, 30.0, 0.0),
                          "service_level": np.where(open_, 0.82, 1.0),
                          "abandon_rate": np.where(open_, 0.04, 0.0),
                          "occupancy": np.where(open_, 0.85, 0.0)})
    targets = charts.kpi_targets(demo_scenario(weeks=1), "voice")
    assert targets == {"service_level": 0.8, "abandon_rate": 0.05}
    chart = charts.kpi_chart(frame, ["service_level", "abandon_rate", "occupancy"], targets)
    lines, rules = chart.layer[0].data, chart.layer[1].data
    sl = lines[lines["kpi"] == "service level"].set_index("start")["value"]
    assert sl[~open_].isna().all() and (sl[open_] == 0.82).all()     # never 100% when closed
    assert dict(zip(rules["kpi"], rules["target"])) == {"service level": 0.8,
                                                        "abandonment": 0.05}
    spec = chart.to_dict()
    rule = spec["layer"][1]
    assert rule["mark"]["type"] == "rule" and rule["encoding"]["y"]["field"] == "target"
    _assert_clock_24h(chart)
    axis = spec["layer"][0]["encoding"]["x"]["axis"]
    assert axis["format"] == "%H:%M"
    ticks = [(v["hours"], v["minutes"]) for v in axis["values"]]
    assert ticks == [(h % 24, 0) for h in range(0, 25, 2)]          # one day: every 2 hours
    # the old call still works, without rules
    old = charts.kpi_chart(frame, ["service_level", "abandon_rate", "occupancy"])
    marks = [m["type"] if isinstance(m, dict) else m for m in _walk(old.to_dict(), "mark")]
    assert marks == ["line"]


def test_kpi_chart_of_an_asa_queue_draws_the_asa_target_on_its_own_panel():
    t = pd.date_range("2025-09-01", periods=96, freq="15min")
    frame = pd.DataFrame({"start": t, "volume": 2.0, "service_level": 0.3, "asa": 900.0,
                          "abandon_rate": 0.0, "occupancy": 0.8})
    targets = charts.kpi_targets(demo_scenario(weeks=1), "email")
    assert targets == {"asa": 7200.0}
    chart = charts.kpi_chart(frame, ["service_level", "abandon_rate", "occupancy"], targets)
    top, bottom = chart.vconcat
    assert "service level" not in set(top.data["kpi"])       # not the e-mail queue's target
    assert set(bottom.layer[0].data["kpi"]) == {"ASA (s)"}
    assert bottom.layer[1].data["target"].tolist() == [7200.0]
    _assert_clock_24h(chart)


# ------------------------------------------------------------- time axes

@pytest.mark.parametrize("grain, start, end, hours", [
    ("interval", "2025-09-01", "2025-09-02", 2),
    ("interval", "2025-09-01", "2025-09-04", 6),
    ("hour", "2025-09-01", "2025-09-08", 12),
    ("hour", "2025-09-01", "2025-09-15", 24),
    ("day", "2025-09-01", "2025-10-27", 96)])
def test_ticks_fit_the_grain(grain, start, end, hours):
    axis = charts.time_axis(grain, start, end).to_dict()
    ticks = pd.to_datetime([f"{v['year']}-{v['month']}-{v['date']} {v['hours']}:{v['minutes']}"
                            for v in axis["values"]])
    assert (np.diff(ticks) == pd.Timedelta(hours=hours)).all()
    assert ticks[0] == pd.Timestamp(start) and ticks[-1] <= pd.Timestamp(end)
    assert len(ticks) <= 15
    fmt = axis["format"] + axis.get("labelExpr", "")
    assert "%p" not in fmt and "%I" not in fmt
    if hours >= 24:
        assert axis["format"] == "%a %d %b"
    elif hours > 2:
        assert "%a %d %b" in axis["labelExpr"]          # the day's name at midnight


def test_capacity_chart_weekly_ticks_and_a_range_not_from_zero():
    weeks = pd.date_range("2025-09-01", periods=8, freq="7D")
    cap = pd.DataFrame({"week": weeks, "required_fte": np.linspace(181, 195, 8),
                        "productive_fte": np.linspace(186, 183, 8),
                        "headcount_end": np.linspace(190, 192, 8)})
    chart = charts.capacity_chart(cap)
    spec = chart.to_dict()
    y = spec["encoding"]["y"]["scale"]
    assert y["zero"] is False
    lo, hi = y["domain"]
    assert 170 < lo < 181 and 195 < hi < 200               # the range, with some padding
    axis = spec["encoding"]["x"]["axis"]
    assert axis["format"] == "%d %b"
    ticks = [pd.Timestamp(v["year"], v["month"], v["date"]) for v in axis["values"]]
    assert ticks == list(weeks)                            # one tick per week
    _assert_clock_24h(chart)
    assert set(chart.data["series"]) == {"FTE required", "productive FTE",
                                         "headcount (end of week)"}


def test_every_chart_uses_the_24_hour_clock():
    hist, fc = _history_and_forecast()
    cov = pd.DataFrame({"start": pd.date_range("2025-09-01", periods=7 * 96, freq="15min"),
                        "required": 3.0, "scheduled": 4.0})
    att = pd.DataFrame({"period": pd.date_range("2025-09-01", periods=5), "metric": "asa",
                        "low": 1.0, "high": 3.0, "simulated": 2.0, "target": 4.0, "met": True})
    for chart in (charts.demand_chart(hist, fc, "q"), charts.forecast_chart(hist, fc, "q"),
                  charts.demand_chart(hist, fc, "q", "aht", grain="interval"),
                  charts.coverage_chart(cov), charts.attainment_chart(att)):
        assert _assert_clock_24h(chart) >= 1


def test_attainment_target_is_a_horizontal_line_per_metric():
    att = pd.DataFrame({"period": np.repeat(pd.date_range("2025-09-01", periods=3), 2),
                        "metric": ["service_level", "asa"] * 3, "target": [0.8, 7200.0] * 3,
                        "simulated": [0.85, 3000.0] * 3, "low": [0.8, 2500.0] * 3,
                        "high": [0.9, 3500.0] * 3, "met": True})
    spec = charts.attainment_chart(att).to_dict()
    rule = next(x for x in spec["spec"]["layer"] if x["mark"]["type"] == "rule")
    assert set(rule["encoding"]) == {"y", "tooltip"}          # no x: across the panel
    data = pd.DataFrame(next(iter(spec["datasets"].values())))
    targets = data.groupby("metric")["target"].unique().to_dict()
    assert {k: list(v) for k, v in targets.items()} == {"service level (%)": [80.0],
                                                        "ASA (s)": [7200.0]}
    axis = spec["spec"]["layer"][0]["encoding"]["x"]["axis"]
    assert axis["format"] == "%a %d %b" and len(axis["values"]) == 3


def test_default_window_and_daily_totals():
    hist, fc = _history_and_forecast()
    a, b = default_window(hist, fc)
    assert (a, b) == (pd.Timestamp("2025-08-18").date(), pd.Timestamp("2025-09-14").date())
    days = daily_totals(fc)
    one = fc[fc["start"].dt.date == pd.Timestamp("2025-09-02").date()]
    row = days[days["day"] == pd.Timestamp("2025-09-02")].iloc[0]
    assert row["contacts"] == pytest.approx(one["forecast"].sum())
    assert row["aht"] == pytest.approx(np.average(one["aht"], weights=one["forecast"]))
    assert (days["day"].dt.day_of_week != 6).all()           # no row for a closed Sunday


# ---------------------------------------------------------- the page itself

APP = importlib.util.find_spec("ccwfm.dashboard.app").origin


@pytest.fixture(scope="module")
def forecast_page():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=600)
    at.run()
    at.number_input(key="weeks").set_value(1)
    at.button(key="load_demo").click().run()
    at.sidebar.radio(key="page").set_value("Forecast").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _shown(el):
    import pyarrow

    return pyarrow.ipc.open_stream(el.proto.arrow_data.styler.display_values).read_pandas()


def test_forecast_page_window_grain_and_formatted_tables(forecast_page):
    at = forecast_page
    assert len(at.get("vega_lite_chart")) == 2                      # contacts and AHT
    first, last = at.slider(key="fc_window").value
    assert (first, last) == (pd.Timestamp("2025-08-18").date(),
                             pd.Timestamp("2025-09-06").date())     # 14 days back, to the end
    assert "hourly totals" in at.caption[0].value
    models, days = (_shown(d) for d in at.dataframe[:2])
    assert all(re.fullmatch(r"\d+\.\d%", x) for x in models["wMAPE"])
    assert days["Day"].iloc[0] == "Mon 01 Sep 2025"
    assert all(re.fullmatch(r"[\d,]+", x) for x in days["Contacts"])
    at.slider(key="fc_window").set_value((pd.Timestamp("2025-08-29").date(),
                                          pd.Timestamp("2025-09-02").date())).run()
    assert not at.exception
    assert "every 15-minute interval" in at.caption[0].value and "bands" in at.caption[0].value
    at.selectbox(key="fc_detail").set_value("day").run()
    assert "daily totals" in at.caption[0].value
    at.selectbox(key="fc_queue").set_value("chat").run()          # the window is kept
    assert not at.exception
    assert at.slider(key="fc_window").value == (pd.Timestamp("2025-08-29").date(),
                                                pd.Timestamp("2025-09-02").date())
