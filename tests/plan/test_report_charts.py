"""The report's PNG charts and HTML tables read cleanly: the forecast's first week is 7
days, lines break at closed hours, no tick labels overlap, 24-hour times, the capacity
axis shows the range, targets drawn, tables formatted for people.

The charts are drawn from a small synthetic plan (no pipeline run), and checked on the
drawn figure: line data, axis limits and the rendered tick labels' bounding boxes.
"""

import itertools
import re
import types

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from ccwfm.plan import report

FIRST = pd.Timestamp("2025-09-03")                  # a Wednesday: the week is not Mon-Sun


def _open(start, days, hours=(8, 20), closed=(6,)):
    t = pd.date_range(start, periods=days * 96, freq="15min")
    return t[(t.hour >= hours[0]) & (t.hour < hours[1]) & ~t.day_of_week.isin(closed)]


def _target(service_level=None, asa=None):
    return types.SimpleNamespace(service_level=service_level, asa=asa, abandon_rate=None,
                                 occupancy=None)


def _result(weeks=3, capacity_weeks=8):
    rng = np.random.default_rng(11)
    queues = [types.SimpleNamespace(name="voice", target=_target(0.8)),
              types.SimpleNamespace(name="email", target=_target(asa=7200.0))]
    fc = []
    for q in queues:
        t = _open(FIRST + pd.Timedelta(hours=8), 7 * weeks)    # the first row at 08:00
        f = rng.uniform(20, 60, len(t))
        fc.append(pd.DataFrame({"queue": q.name, "start": t, "forecast": f, "aht": 300.0,
                                "lo_80": f * 0.8, "hi_80": f * 1.2, "lo_95": f * 0.7,
                                "hi_95": f * 1.3}))
    fc = pd.concat(fc, ignore_index=True)
    grid = pd.date_range(FIRST, periods=7 * 96, freq="15min")
    is_open = grid.isin(_open(FIRST, 7))
    req, ach = [], []
    for q in queues:
        vol = np.where(is_open, 30.0, 0.0)
        req.append(pd.DataFrame({"queue": q.name, "start": grid, "volume": vol}))
        ach.append(pd.DataFrame({"queue": q.name, "start": grid, "agents": 5.0,
                                 # the formula's 100% of a closed interval must not show
                                 "service_level": np.where(is_open, 0.85, 1.0),
                                 "service_level_sim": np.where(is_open, 0.83, np.nan),
                                 "asa": np.where(is_open, 900.0, 0.0),
                                 "asa_sim": np.where(is_open, 1000.0, np.nan)}))
    cov = pd.DataFrame({"group": "voice", "start": grid, "required": np.where(is_open, 9.0, 0),
                        "scheduled": np.where(is_open, 10.0, 0.0)})
    weeks_ = pd.date_range("2025-09-01", periods=capacity_weeks, freq="7D")
    cap = pd.DataFrame({"week": weeks_,
                        "required_fte": 181 + 14 * rng.random(capacity_weeks),
                        "productive_fte": np.linspace(186, 183, capacity_weeks),
                        "headcount_end": np.linspace(190, 192, capacity_weeks)})
    scenario = types.SimpleNamespace(workforce=types.SimpleNamespace(interval=15),
                                     queues=queues)
    return types.SimpleNamespace(forecast=fc, requirements=pd.concat(req, ignore_index=True),
                                 achieved=pd.concat(ach, ignore_index=True), coverage=cov,
                                 capacity=cap, scenario=scenario)


def _drawn(fig):
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _labels(fig, axis="x"):
    renderer = _drawn(fig)
    out = []
    for ax in fig.axes:
        ticks = ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()
        out.append([(t.get_text(), t.get_window_extent(renderer)) for t in ticks
                    if t.get_visible() and t.get_text()])
    return out


def _assert_no_overlap(fig):
    for axis in ("x", "y"):
        for labels in _labels(fig, axis):
            for (ta, a), (tb, b) in itertools.combinations(labels, 2):
                assert not a.overlaps(b), f"tick labels overlap: {ta!r} and {tb!r}"


def _assert_24h(fig):
    for labels in _labels(fig, "x"):
        for text, _ in labels:
            assert not re.search(r"\b(AM|PM|am|pm)\b", text), text
            for hh in re.findall(r"\b(\d{1,2}):\d\d\b", text):
                assert len(hh) == 2 and int(hh) <= 24, text


def _x_dates(line):
    x = np.asarray(line.get_xdata())
    if np.issubdtype(x.dtype, np.datetime64):
        return pd.to_datetime(x)
    return pd.to_datetime(mdates.num2date(x)).tz_localize(None)


def test_forecast_png_shows_exactly_the_first_week_with_gaps():
    result = _result()
    fig = report._chart_forecast(result)
    for ax, q in zip(fig.axes, ["voice", "email"]):
        left, right = (pd.Timestamp(mdates.num2date(v)).tz_localize(None)
                       for v in ax.get_xlim())
        assert (left, right) == (FIRST, FIRST + pd.Timedelta(days=7))
        line = next(ln for ln in ax.get_lines() if ln.get_label() == "forecast")
        x, y = _x_dates(line), np.asarray(line.get_ydata(), dtype=float)
        # brute force: the forecast's rows in the 7 days from its first day, one NaN per
        # jump of more than an interval between them (closed nights and the Sunday)
        f = result.forecast[(result.forecast["queue"] == q)
                            & (result.forecast["start"] < FIRST + pd.Timedelta(days=7))]
        jumps = int((f["start"].diff() > pd.Timedelta(minutes=15)).sum())
        assert np.isfinite(y).sum() == len(f) and np.isnan(y).sum() == jumps == 5
        assert x[np.isfinite(y)].min() >= FIRST
        assert x[np.isfinite(y)].max() < FIRST + pd.Timedelta(days=7)
        for a, b, va, vb in zip(x, x[1:], y, y[1:]):       # no segment across a gap
            if np.isfinite(va) and np.isfinite(vb):
                assert b - a <= pd.Timedelta(minutes=15)
        days = [t for t, _ in _labels(fig)[fig.axes.index(ax)]]
        assert days == [f"{FIRST + pd.Timedelta(days=d):%a %d %b}" for d in range(7)]
        assert "Wed 03 Sep to Tue 09 Sep 2025" in ax.get_title()
    _assert_no_overlap(fig)
    _assert_24h(fig)


def test_kpis_png_closed_hours_are_gaps_and_targets_drawn():
    fig = report._chart_kpis(_result())
    voice, email = fig.axes
    for ax, target in ((voice, 0.8), (email, 7200.0)):
        lines = {ln.get_label(): ln for ln in ax.get_lines()}
        rule = next(ln for name, ln in lines.items() if name.startswith("target"))
        assert set(np.asarray(rule.get_ydata(), dtype=float)) == {target}
        data = [ln for name, ln in lines.items() if not name.startswith("target")]
        assert data
        for ln in data:
            x = np.asarray(ln.get_xdata(), dtype=float)
            y = np.asarray(ln.get_ydata(), dtype=float)
            closed = (x < 8) | (x >= 20)
            assert np.isnan(y[closed]).all() and np.isfinite(y[~closed]).all()
            assert np.nanmax(y) < 1.0 or ax is email                 # never the closed 100%
    assert "ASA" in email.get_ylabel() and set(
        ln.get_label() for ln in email.get_lines()) == {"simulation", "target 7,200 s"}
    _assert_no_overlap(fig)
    _assert_24h(fig)


@pytest.mark.parametrize("weeks", [1, 8, 52])
def test_capacity_png_shows_the_range_and_one_tick_per_week(weeks):
    result = _result(capacity_weeks=weeks)
    fig = report._chart_capacity(result)
    ax = fig.axes[0]
    cap = result.capacity
    values = cap[["required_fte", "productive_fte", "headcount_end"]].to_numpy()
    lo, hi = ax.get_ylim()
    assert 0 < lo < values.min() and values.max() < hi
    assert hi - lo < 2 * (values.max() - values.min()) + 3        # not from 0: the range
    ticks = pd.to_datetime(mdates.num2date(ax.get_xticks())).tz_localize(None)
    assert list(ticks) == list(cap["week"])                       # one tick per week
    shown = [t for t, _ in _labels(fig)[0]]
    assert shown[0] == f"{cap['week'].iloc[0]:%d %b}" and len(shown) <= 13
    _assert_no_overlap(fig)


def test_heatmap_png_labels_do_not_overlap():
    fig = report._chart_heatmap(_result())
    _assert_no_overlap(fig)
    _assert_24h(fig)


def test_summary_tables_are_formatted_for_people():
    summary = pd.DataFrame({"queue": ["voice", "=cmd()"], "offered": [21982.913642, 7873.19],
                            "service_level_plan": [0.846535, 0.926684],
                            "asa_plan": [6.509448, 2.392958], "gap": [-3.6123, 1.25]})
    html = report._table_html(summary, currency="EUR")
    cells = re.findall(r"<td>(.*?)</td>", html)
    heads = re.findall(r"<th>(.*?)</th>", html)
    assert heads == ["Queue", "Offered", "Service level by formula", "ASA by formula (s)",
                     "Gap (FTE)"]
    assert cells[:5] == ["voice", "21,983", "84.7%", "7", "-3.61"]
    assert cells[5] == "'=cmd()"                    # text still escaped, numbers are not
    for c in cells:
        assert not re.fullmatch(r"-?[\d,]*\.\d{3,}", c)           # no raw float
