"""Altair charts of the dashboard: history and forecast, weekday x interval heatmap,
KPIs per interval against their targets, coverage, weekly capacity, attainment, rosters.

Rules every chart follows (issue 15):

- **Gaps for closed hours.**  Lines break where there is no data: a row of
  missing values is inserted after each row whose next start is more than one
  step (interval, hour, day) later (:func:`with_gaps`), and marks use
  ``invalid="break-paths-filter-domains"``, so no line is drawn across a closed
  night or Sunday.  A KPI of an interval with no contacts offered (a closed
  queue) is missing, not a service level of 100%.
- **One time format.**  24-hour clock (``%H:%M``), days ``%a %d %b``, weeks
  ``%d %b``; every temporal axis and tooltip sets its format (Vega-Lite's
  default shows AM/PM).
- **Ticks that fit the grain.**  Intervals and hours: ticks every 2, 6 or 12
  hours with the day's name at midnight (one day: the clock only); days: one
  tick per day (every n days on a long window); weeks: one tick per week.
- **Axes that show the range.**  The capacity chart's y axis spans the data
  with a little padding, not from 0.
"""

import math

import altair as alt
import numpy as np
import pandas as pd

__all__ = ["GRAINS", "KPI_NAMES", "WEEKDAYS", "attainment_chart", "capacity_chart",
           "choose_grain", "coverage_chart", "demand_chart", "forecast_chart", "heatmap",
           "kpi_chart", "kpi_targets", "roster_coverage", "roster_gantt", "time_axis",
           "with_gaps"]

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
GRAINS = ("interval", "hour", "day", "week")
KPI_NAMES = {"service_level": "service level", "abandon_rate": "abandonment",
             "occupancy": "occupancy", "asa": "ASA (s)"}
_FREQ = {"hour": "h", "day": "D"}
_STEP = {"hour": pd.Timedelta(hours=1), "day": pd.Timedelta(days=1),
         "week": pd.Timedelta(days=7)}
_TIP_FORMAT = {"interval": "%a %d %b %Y %H:%M", "hour": "%a %d %b %Y %H:%M",
               "day": "%a %d %b %Y", "week": "week of %a %d %b %Y"}
_INVALID = "break-paths-filter-domains"        # a missing value breaks a line or an area
# Midnight ticks get the day's name, the others the 24-hour clock.
_DAY_OR_CLOCK = ("hours(datum.value) == 0 && minutes(datum.value) == 0 ? "
                 "timeFormat(datum.value, '%a %d %b') : timeFormat(datum.value, '%H:%M')")
_DAY_ONLY = ("hours(datum.value) == 0 && minutes(datum.value) == 0 ? "
             "timeFormat(datum.value, '%a %d %b') : ''")
_HISTORY, _FORECAST = "#555555", "#1f77b4"


def _step_of(times):
    """The data's step: the smallest positive difference of consecutive ``times``."""
    t = np.sort(pd.to_datetime(pd.Series(times)).dropna().unique())
    d = np.diff(t)
    d = d[d > np.timedelta64(0)]
    return pd.Timedelta(d.min()) if len(d) else None


def with_gaps(frame, step=None, time="start", by=None):
    """``frame`` sorted by time, with a row of missing values in each gap of the data.

    A line drawn through the result breaks where the data stops: after each
    row whose next row (of the same ``by`` group) starts more than ``step``
    later, a row is inserted at the row's start + ``step`` with every other
    column missing (``by`` columns kept).  Closed nights and Sundays, which
    have no rows in a history or a forecast, become gaps instead of straight
    lines.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long format, a datetime column ``time``.
    step : pandas.Timedelta or str, optional
        The data's step (an interval, ``"1h"``, ``"1D"``); default the smallest
        difference between consecutive times.
    time : str
        The time column.
    by : str or list of str, optional
        Group columns (one line each): gaps are found within a group.

    Returns
    -------
    pandas.DataFrame
        The rows of ``frame`` and the gap rows, sorted by ``by`` and time, a
        fresh index; numeric columns become float (the gap rows hold NaN).

    Examples
    --------
    >>> f = pd.DataFrame({"start": pd.to_datetime(["2025-09-01 08:00", "2025-09-01 08:15",
    ...                                            "2025-09-02 08:00"]), "volume": [3, 4, 5]})
    >>> g = with_gaps(f, "15min")
    >>> g["start"].dt.strftime("%d %H:%M").tolist(), g["volume"].tolist()
    (['01 08:00', '01 08:15', '01 08:30', '02 08:00'], [3.0, 4.0, nan, 5.0])
    """
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    if frame.empty:
        return frame.reset_index(drop=True)
    step = _step_of(frame[time]) if step is None else pd.Timedelta(step)
    f = frame.sort_values(by + [time], kind="stable").reset_index(drop=True)
    if step is None:
        return f
    t = f[time].to_numpy()
    later = np.zeros(len(f), dtype=bool)
    later[:-1] = (t[1:] - t[:-1]) > step.to_timedelta64()
    if by:
        same = np.ones(len(f), dtype=bool)
        for col in by:
            v = f[col].to_numpy()
            same[:-1] &= v[1:] == v[:-1]
        same[-1] = False
        later &= same
    rows = np.flatnonzero(later)
    if not len(rows):
        return f
    gaps = pd.DataFrame({c: (f[c].iloc[rows].to_numpy() if c in by else
                             f[time].iloc[rows].to_numpy() + step.to_timedelta64() if c == time
                             else np.nan) for c in f.columns})
    out = pd.concat([f.astype({c: float for c in f.columns
                               if c not in by and c != time
                               and pd.api.types.is_numeric_dtype(f[c])
                               and not pd.api.types.is_bool_dtype(f[c])}), gaps],
                    ignore_index=True)
    return out.sort_values(by + [time], kind="stable").reset_index(drop=True)


def choose_grain(days):
    """The grain a window of ``days`` days is drawn at: every interval up to 7 days,
    hours up to 21 days, days beyond (so that no line packs more than ~700 points).

    Examples
    --------
    >>> [choose_grain(d) for d in (1, 7, 14, 28, 56)]
    ['interval', 'interval', 'hour', 'day', 'day']
    """
    return "interval" if days <= 7 else "hour" if days <= 21 else "day"


def time_axis(grain, start, end, title=None):
    """An x axis for times at ``grain`` over the window ``[start, end)``: 24-hour clock,
    day names, ticks placed explicitly (Vega's hour intervals are not used).

    Parameters
    ----------
    grain : {"interval", "hour", "day", "week"}
    start, end : datetime-like
        The window drawn.
    title : str, optional

    Returns
    -------
    altair.Axis
        Intervals and hours over at most 7 days: a tick every 2 hours (one
        day: labelled ``%H:%M``), 6 hours (up to 3 days: ``%H:%M`` and, at
        midnight, the day's name ``%a %d %b``) or 12 hours (up to 7 days:
        the day's name at midnight only).  Longer windows and daily data: a tick each midnight
        (every n days, to keep at most ~14), ``%a %d %b``.  Weeks: a tick each
        week from ``start``, ``%d %b``.  Ticks sit on whole hours and
        midnights from ``start``'s midnight.

    Examples
    --------
    >>> a = time_axis("interval", "2025-09-01", "2025-09-02")
    >>> a.format, len(a.values), a.values[1].to_dict()
    ('%H:%M', 13, {'date': 1, 'hours': 2, 'minutes': 0, 'month': 9, 'year': 2025})
    >>> time_axis("day", "2025-09-01", "2025-09-29").format, len(time_axis("day",
    ...     "2025-09-01", "2025-09-29").values)
    ('%a %d %b', 15)
    """
    if grain not in GRAINS:
        raise ValueError(f"'grain' must be one of {', '.join(GRAINS)}: {grain!r}")
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    days = (end - start) / pd.Timedelta(days=1)
    common = {"title": title, "labelOverlap": True, "grid": True}
    first = start.normalize()
    if grain == "week":
        return alt.Axis(format="%d %b", values=_datetimes(pd.date_range(start, end, freq="7D")),
                        **common)
    if grain in ("interval", "hour") and days <= 7:
        hours = 2 if days <= 1 else 6 if days <= 3 else 12
        ticks = pd.date_range(first, end, freq=f"{hours}h")
        ticks = _datetimes(ticks[ticks >= start - pd.Timedelta(minutes=1)])
        if days <= 1:
            return alt.Axis(format="%H:%M", values=ticks, **common)
        # The day's name to the right of its midnight; the clock between (up to 3 days).
        return alt.Axis(format="%H:%M", values=ticks, labelAlign="left",
                        labelExpr=_DAY_OR_CLOCK if days <= 3 else _DAY_ONLY, **common)
    step = max(1, math.ceil(days / 14))
    ticks = pd.date_range(first, end, freq=f"{step}D")
    return alt.Axis(format="%a %d %b", values=_datetimes(ticks[ticks >= start.floor("D")]),
                    **common)


def _datetimes(times):
    """Timestamps as Vega-Lite DateTime objects (local time, as the data are read)."""
    return [alt.DateTime(year=t.year, month=t.month, date=t.day, hours=t.hour,
                         minutes=t.minute) for t in pd.to_datetime(pd.Series(times))]


def _tip(field, grain, title="time"):
    return alt.Tooltip(f"{field}:T", title=title, format=_TIP_FORMAT[grain])


def _aggregate(frame, grain, value, weight=None):
    """``value`` summed per hour or day (``weight`` given: its ``weight``-weighted mean);
    the frame is returned as it is at the interval grain."""
    if grain == "interval" or frame.empty:
        return frame
    key = frame["start"].dt.floor(_FREQ[grain])
    if weight is None:
        return frame.groupby(key)[[value]].sum(min_count=1).reset_index()
    w = frame[weight].where(frame[value].notna(), 0.0)
    num = (frame[value].fillna(0.0) * w).groupby(key).sum()
    den = w.groupby(key).sum()
    return (num / den.where(den > 0)).rename(value).reset_index()


def _window(history, fc, start, end):
    """The default window: the last 14 days of history and the first 14 of the forecast."""
    first = fc["start"].min() if not fc.empty else history["start"].max()
    first = pd.Timestamp(first).normalize()
    start = first - pd.Timedelta(days=14) if start is None else pd.Timestamp(start)
    end = first + pd.Timedelta(days=14) if end is None else pd.Timestamp(end)
    return start, end


def demand_chart(history, fc, queue, measure="volume", start=None, end=None, grain="auto",
                 interval=None):
    """History next to forecast for one queue's volume or AHT over a window.

    Parameters
    ----------
    history : pandas.DataFrame
        Long format: ``queue``, ``start``, ``volume`` (contacts per interval),
        ``aht`` (seconds); open intervals only.
    fc : pandas.DataFrame
        Long format: ``queue``, ``start``, ``forecast`` (contacts per
        interval), ``aht`` (seconds), optionally ``lo_80``, ``hi_80``,
        ``lo_95``, ``hi_95``.
    queue : str
    measure : {"volume", "aht"}
        Contacts (summed over the grain) or AHT (contacts-weighted mean).
    start, end : datetime-like, optional
        The window ``[start, end)``; default the last 14 days before the
        forecast's first day and its first 14 days.
    grain : {"auto", "interval", "hour", "day"}
        ``"auto"``: :func:`choose_grain` of the window's length.
    interval : int, optional
        Interval length in minutes (default: the data's smallest step).

    Returns
    -------
    altair.LayerChart
        Lines of history (grey) and forecast (blue), broken at closed hours
        (:func:`with_gaps`); at the interval grain the forecast's 80% and 95%
        bands (sums of quantiles are not quantiles: no band once aggregated).
        The lines' data (``layer[-1].data``, or the chart's ``data`` when
        they are its only layer) are long: ``start``, ``series``, ``value``.

    Examples
    --------
    >>> h = pd.DataFrame({"queue": "q", "start": pd.date_range("2025-08-31 08:00",
    ...                   periods=4, freq="15min"), "volume": 10.0, "aht": 300.0})
    >>> f = pd.DataFrame({"queue": "q", "start": pd.date_range("2025-09-01 08:00",
    ...                   periods=4, freq="15min"), "forecast": 12.0, "aht": 310.0})
    >>> c = demand_chart(h, f, "q", start="2025-08-31", end="2025-09-02")
    >>> c.data.groupby("series")["value"].count().to_dict()     # no bands: one layer
    {'forecast': 4, 'history': 4}
    """
    if measure not in ("volume", "aht"):
        raise ValueError(f"'measure' must be 'volume' or 'aht': {measure!r}")
    h = history[history["queue"] == queue]
    f = fc[fc["queue"] == queue]
    start, end = _window(h, f, start, end)
    h = h[(h["start"] >= start) & (h["start"] < end)]
    f = f[(f["start"] >= start) & (f["start"] < end)]
    days = max((end - start) / pd.Timedelta(days=1), 1e-9)
    grain = choose_grain(days) if grain == "auto" else grain
    if grain not in ("interval", "hour", "day"):
        raise ValueError(f"'grain' must be 'auto', 'interval', 'hour' or 'day': {grain!r}")
    if grain == "interval":
        step = (pd.Timedelta(minutes=interval) if interval
                else _step_of(pd.concat([h["start"], f["start"]])))
    else:
        step = _STEP[grain]
    if measure == "volume":
        hv = _aggregate(h[["start", "volume"]], grain, "volume").rename(columns={"volume": "value"})
        fv = _aggregate(f[["start", "forecast"]], grain, "forecast").rename(
            columns={"forecast": "value"})
        per = {"interval": f"{int(step / pd.Timedelta(minutes=1))} min" if step else "interval",
               "hour": "hour", "day": "day"}[grain]
        title, fmt = f"contacts per {per}", ",.0f" if grain != "interval" else ",.1f"
    else:
        hv = _aggregate(h[["start", "aht", "volume"]], grain, "aht", "volume")
        fv = _aggregate(f[["start", "aht", "forecast"]], grain, "aht", "forecast")
        hv = hv[["start", "aht"]].rename(columns={"aht": "value"})
        fv = fv[["start", "aht"]].rename(columns={"aht": "value"})
        title, fmt = "AHT (s), contacts-weighted", ",.0f"
    lines = pd.concat([hv[["start", "value"]].assign(series="history"),
                       fv[["start", "value"]].assign(series="forecast")], ignore_index=True)
    lines = with_gaps(lines, step, by="series")
    x = alt.X("start:T", title=None, axis=time_axis(grain, start, end),
              scale=alt.Scale(domain=_datetimes([start, end])))
    layers = []
    if measure == "volume" and grain == "interval" and "lo_95" in f.columns and not f.empty:
        bands = with_gaps(f[["start", "lo_80", "hi_80", "lo_95", "hi_95"]], step)
        for lo, hi, alpha, name in (("lo_95", "hi_95", 0.15, "95%"), ("lo_80", "hi_80", 0.3,
                                                                        "80%")):
            layers.append(alt.Chart(bands).mark_area(opacity=alpha, color=_FORECAST,
                                                     invalid=_INVALID).encode(
                x=x, y=alt.Y(f"{lo}:Q", title=title), y2=f"{hi}:Q",
                tooltip=[_tip("start", grain),
                         alt.Tooltip(f"{lo}:Q", title=f"{name} low", format=fmt),
                         alt.Tooltip(f"{hi}:Q", title=f"{name} high", format=fmt)]))
    layers.append(alt.Chart(lines).mark_line(invalid=_INVALID, strokeWidth=1.3).encode(
        x=x, y=alt.Y("value:Q", title=title),
        color=alt.Color("series:N", title=None,
                        scale=alt.Scale(domain=["history", "forecast"],
                                        range=[_HISTORY, _FORECAST])),
        tooltip=[_tip("start", grain), alt.Tooltip("series:N"),
                 alt.Tooltip("value:Q", title=title, format=fmt)]))
    return alt.layer(*layers).properties(height=280)


def forecast_chart(history, fc, queue, days_back=14, days_ahead=14):
    """History (last ``days_back`` days before the forecast) and forecast (first
    ``days_ahead`` days) of one queue's contacts: :func:`demand_chart` of that window."""
    first = (fc.loc[fc["queue"] == queue, "start"].min()
             if (fc["queue"] == queue).any() else history["start"].max())
    first = pd.Timestamp(first).normalize()
    return demand_chart(history, fc, queue, "volume", first - pd.Timedelta(days=days_back),
                        first + pd.Timedelta(days=days_ahead))


def heatmap(req, value="scheduled", title="agents"):
    """Mean of ``value`` by weekday x time of day (24-hour clock) over the horizon."""
    d = req.assign(weekday=req["start"].dt.day_of_week.map(lambda i: WEEKDAYS[i]),
                   time=req["start"].dt.strftime("%H:%M"))
    g = d.groupby(["weekday", "time"], as_index=False)[value].mean()
    return alt.Chart(g).mark_rect().encode(
        x=alt.X("time:O", title="time of day", axis=alt.Axis(labelAngle=-90, labelOverlap=True)),
        y=alt.Y("weekday:O", sort=WEEKDAYS, title=None),
        color=alt.Color(f"{value}:Q", title=title, scale=alt.Scale(scheme="blues")),
        tooltip=["weekday", "time", alt.Tooltip(f"{value}:Q", format=".1f")],
    ).properties(height=240)


def kpi_targets(scenario, queue):
    """The targets of ``queue`` drawn on :func:`kpi_chart`: KPI column -> target value.

    ``service_level`` and ``abandon_rate`` and ``occupancy`` (fractions),
    ``asa`` (seconds): those the queue's target sets.

    Examples
    --------
    >>> from ccwfm.plan import demo_scenario
    >>> sc = demo_scenario(weeks=1)
    >>> kpi_targets(sc, "voice"), kpi_targets(sc, "email")
    ({'service_level': 0.8, 'abandon_rate': 0.05}, {'asa': 7200.0})
    """
    q = next((q for q in scenario.queues if q.name == queue), None)
    if q is None:
        raise ValueError(f"'queue' must be one of the scenario's queues: {queue!r}")
    t = q.target
    return {k: float(getattr(t, k)) for k in ("service_level", "abandon_rate", "occupancy", "asa")
            if getattr(t, k, None) is not None}


def _closed_as_missing(frame, columns):
    """KPIs of intervals with no contacts offered (a closed queue) set missing."""
    f = frame.copy()
    for col in ("volume", "offered", "agent_volume"):
        if col in f.columns:
            closed = ~(f[col].to_numpy(dtype=float, na_value=np.nan) > 0)
            for c in columns:
                f[c] = f[c].astype(float).mask(closed)
            break
    return f


def _span(times):
    """The whole days ``[first midnight, midnight after the last time)`` of ``times``."""
    t = pd.to_datetime(pd.Series(times)).dropna()
    if t.empty:
        return pd.Timestamp("1970-01-01"), pd.Timestamp("1970-01-02")
    first, last = t.min().normalize(), t.max()
    return first, max(last.normalize() + pd.Timedelta(days=1), first + pd.Timedelta(days=1))


def _kpi_panel(long, names, rules, window, axis_format, title, scale):
    x = alt.X("start:T", title=None, axis=time_axis("interval", *window),
              scale=alt.Scale(domain=_datetimes(window)))
    color = alt.Color("kpi:N", title=None, scale=alt.Scale(domain=names))
    fmt = ".1%" if axis_format.endswith("%") else ",.0f"
    lines = alt.Chart(long).mark_line(invalid=_INVALID).encode(
        x=x, y=alt.Y("value:Q", title=title, axis=alt.Axis(format=axis_format), scale=scale),
        color=color,
        tooltip=[_tip("start", "interval"), alt.Tooltip("kpi:N"),
                 alt.Tooltip("value:Q", format=fmt)])
    layers = [lines]
    if len(rules):
        layers.append(alt.Chart(rules).mark_rule(strokeDash=[6, 4], strokeWidth=1.5).encode(
            y="target:Q", color=color,
            tooltip=[alt.Tooltip("label:N", title="target"),
                     alt.Tooltip("target:Q", title="value", format=fmt)]))
    return alt.layer(*layers).properties(height=220)


def kpi_chart(frame, columns, targets=None):
    """KPIs per interval of one queue (a day or a few), with the queue's targets.

    Parameters
    ----------
    frame : pandas.DataFrame
        One queue's rows of the requirements (``start``, ``volume`` contacts
        offered per interval, and the KPI ``columns``).
    columns : list of str
        KPI columns: fractions (``service_level``, ``abandon_rate``,
        ``occupancy``) share one panel with a percent axis; ``asa`` (seconds)
        gets a panel of its own.
    targets : dict, optional
        KPI column -> target (:func:`kpi_targets`), each drawn as a dashed
        line in its KPI's colour; a target whose KPI is not among
        ``columns`` adds it.  When the targets set an ASA and no service
        level (an e-mail queue), the service-level line is left out: its
        target time is not the queue's and it would read as a failure.

    Returns
    -------
    altair.LayerChart or altair.VConcatChart
        The percent panel (lines, ``layer[0]``, long: ``start``, ``kpi``,
        ``value``; the targets' rules, ``layer[1]``: ``kpi``, ``target``) and,
        for ASA, a panel below.  Intervals with no contacts offered (a closed
        queue) are missing, and missing rows are gaps (:func:`with_gaps`).

    Examples
    --------
    >>> f = pd.DataFrame({"start": pd.date_range("2025-09-01 07:45", periods=3, freq="15min"),
    ...                   "volume": [0.0, 10.0, 12.0], "service_level": [1.0, 0.7, 0.9]})
    >>> c = kpi_chart(f, ["service_level"], targets={"service_level": 0.8})
    >>> c.layer[0].data["value"].tolist(), c.layer[1].data["target"].tolist()
    ([nan, 0.7, 0.9], [0.8])
    """
    targets = dict(targets or {})
    columns = list(columns)
    if "asa" in targets and "service_level" not in targets and "service_level" in columns:
        columns.remove("service_level")
    columns += [c for c in targets if c not in columns and c in frame.columns]
    f = _closed_as_missing(frame[["start"] + [c for c in ("volume", "offered", "agent_volume")
                                              if c in frame.columns] + columns], columns)
    f = with_gaps(f[["start"] + columns])
    window = _span(f["start"])
    panels = []
    for group, axis_format, title in (([c for c in columns if c != "asa"], ".0%", None),
                                      ([c for c in columns if c == "asa"], ",.0f",
                                       "ASA (s)")):
        if not group:
            continue
        names = [KPI_NAMES.get(c, c.replace("_", " ")) for c in group]
        long = f.melt(id_vars="start", value_vars=group, var_name="kpi", value_name="value")
        long["kpi"] = long["kpi"].map(dict(zip(group, names)))
        rules = pd.DataFrame([{"kpi": KPI_NAMES.get(c, c.replace("_", " ")), "target": v,
                               "label": f"{KPI_NAMES.get(c, c)} "
                                        + (f"{v:,.0f} s" if c == "asa" else f"{v:.0%}")}
                              for c, v in targets.items() if c in group],
                             columns=["kpi", "target", "label"])
        scale = alt.Scale(domain=[0, 1]) if axis_format.endswith("%") else alt.Scale(zero=True)
        panels.append(_kpi_panel(long, names, rules, window, axis_format, title, scale))
    if len(panels) == 1:
        return panels[0]
    return alt.vconcat(*panels).resolve_scale(color="independent")


def coverage_chart(cov):
    """Required vs scheduled agents per interval (step lines, 24-hour clock)."""
    long = cov.melt(id_vars="start", value_vars=["required", "scheduled"], var_name="series",
                    value_name="agents")
    long = with_gaps(long, by="series")
    window = _span(cov["start"])
    return alt.Chart(long).mark_line(interpolate="step-after", invalid=_INVALID).encode(
        x=alt.X("start:T", title=None, axis=time_axis("interval", *window),
                  scale=alt.Scale(domain=_datetimes(window))),
        y=alt.Y("agents:Q", title="agents on shift"),
        color=alt.Color("series:N", title=None,
                        scale=alt.Scale(domain=["required", "scheduled"],
                                        range=["#d62728", "#1f77b4"])),
        tooltip=[_tip("start", "interval"), "series", alt.Tooltip("agents:Q", format=".1f")],
    ).properties(height=280)


_CAPACITY = {"required_fte": "FTE required", "productive_fte": "productive FTE",
             "headcount_end": "headcount (end of week)", "headcount": "headcount"}


def capacity_chart(cap):
    """Weekly FTE required against productive FTE and headcount.

    One tick per week labelled ``%d %b``; the y axis spans the data with 10%
    padding (at least 1 FTE), not from 0, so that 180 against 195 FTE shows.

    Examples
    --------
    >>> cap = pd.DataFrame({"week": pd.date_range("2025-09-01", periods=3, freq="7D"),
    ...                     "required_fte": [181.0, 190.0, 195.0],
    ...                     "productive_fte": [185.0, 184.0, 183.0]})
    >>> capacity_chart(cap).to_dict()["encoding"]["y"]["scale"]
    {'domain': [179.6, 196.4], 'nice': False, 'zero': False}
    """
    cols = [c for c in _CAPACITY if c in cap.columns]
    if "headcount_end" in cols and "headcount" in cols:
        cols.remove("headcount")
    long = cap.melt(id_vars="week", value_vars=cols, var_name="series", value_name="fte")
    long["series"] = long["series"].map(_CAPACITY)
    v = long["fte"].to_numpy(dtype=float, na_value=np.nan)
    lo, hi = (float(np.nanmin(v)), float(np.nanmax(v))) if np.isfinite(v).any() else (0.0, 1.0)
    pad = max(1.0, 0.1 * (hi - lo))
    weeks = sorted(pd.to_datetime(cap["week"]).unique())
    axis = alt.Axis(format="%d %b", values=_datetimes(weeks), labelOverlap=True, grid=True,
                    title="week starting")
    return alt.Chart(long).mark_line(point=True, invalid=_INVALID).encode(
        x=alt.X("week:T", axis=axis),
        y=alt.Y("fte:Q", title="FTE", scale=alt.Scale(domain=[round(lo - pad, 6),
                                                               round(hi + pad, 6)],
                                                       zero=False, nice=False)),
        color=alt.Color("series:N", title=None, sort=[_CAPACITY[c] for c in cols]),
        tooltip=[_tip("week", "week", "week"), "series", alt.Tooltip("fte:Q", format=",.1f")],
    ).properties(height=260)


_ATT_NAMES = {"service_level": "service level (%)", "abandon_rate": "abandonment (%)",
              "occupancy": "occupancy (%)", "asa": "ASA (s)"}


def attainment_chart(att):
    """One queue's simulated KPI per period with its 95% interval and the target line.

    One panel per metric (fractions shown in percent, ASA in seconds), a
    point per period (green: met), its 95% confidence interval, and the
    target as a dashed horizontal line; days ``%a %d %b``, weeks ``%d %b``.

    Examples
    --------
    >>> att = pd.DataFrame({"period": pd.date_range("2025-09-01", periods=2),
    ...     "metric": "service_level", "target": 0.8, "simulated": [0.85, 0.79],
    ...     "low": [0.83, 0.77], "high": [0.87, 0.81], "met": [True, False]})
    >>> attainment_chart(att).data[["metric", "simulated", "target"]].values.tolist()
    [['service level (%)', 85.0, 80.0], ['service level (%)', 79.0, 80.0]]
    """
    frames = []
    for metric, g in att.groupby("metric", sort=False):
        scale = 1.0 if metric == "asa" else 100.0
        g = g.assign(metric=_ATT_NAMES.get(metric, metric))
        for col in ("target", "simulated", "low", "high"):
            g[col] = g[col] * scale
        frames.append(g)
    d = pd.concat(frames, ignore_index=True)
    periods = sorted(pd.to_datetime(d["period"]).unique())
    step = _step_of(periods)
    weekly = step is not None and step >= pd.Timedelta(days=7)
    axis = alt.Axis(format="%d %b" if weekly else "%a %d %b", labelOverlap=True,
                    values=_datetimes(periods) if len(periods) <= 62 else alt.Undefined)
    x = alt.X("period:T", title=None, axis=axis)
    band = alt.Chart(d).mark_errorbar().encode(
        x=x, y=alt.Y("low:Q", title=None, scale=alt.Scale(zero=False)), y2="high:Q")
    point = alt.Chart(d).mark_point(filled=True, size=50).encode(
        x=x, y="simulated:Q",
        color=alt.Color("met:N", title="met",
                        scale=alt.Scale(domain=[True, False], range=["#2ca02c", "#d62728"])),
        tooltip=[_tip("period", "week" if weekly else "day", "period"),
                 alt.Tooltip("metric:N"), alt.Tooltip("simulated:Q", format=",.1f"),
                 alt.Tooltip("low:Q", title="95% low", format=",.1f"),
                 alt.Tooltip("high:Q", title="95% high", format=",.1f"),
                 alt.Tooltip("target:Q", format=",.1f")])
    target = alt.Chart(d).mark_rule(color="#444", strokeDash=[4, 3]).encode(
        y="target:Q", tooltip=[alt.Tooltip("target:Q", format=",.1f")])
    return alt.layer(band, point, target).facet(
        row=alt.Row("metric:N", title=None)).resolve_scale(y="independent")


def _hour_axes(start, days, hi, step):
    """x axes of hours from ``start`` (a midnight): ``HH:00`` every ``step`` hours below,
    each day's name above its middle; the domain ``[0, hi]`` hours."""
    names = [f"{start + pd.Timedelta(days=d):%a %d %b}" for d in range(days)]
    clock = "(datum.value % 24 < 10 ? '0' : '') + (datum.value % 24)"
    bottom = alt.Axis(values=list(range(0, int(hi) + 1, step)), grid=True, labelOverlap=True,
                      labelExpr=clock + (" + ':00'" if days <= 2 else ""),
                      title="time of day" + (" (hour)" if days > 2 else ""))
    top = alt.Axis(orient="top", values=[24 * d + 12 for d in range(days)], ticks=False,
                   domain=False, grid=False, title=None, labelFontWeight="bold",
                   labelExpr="[" + ", ".join(f"'{n}'" for n in names) + "]"
                             "[floor(datum.value / 24)]")
    return bottom, top, alt.Scale(domain=[0, hi], nice=False, zero=False)


def _day_rules(days, hi, top, scale):
    """Vertical lines at each midnight of the window (carrying the day names' axis)."""
    edges = pd.DataFrame({"h": [24 * d for d in range(days + 1) if 24 * d <= hi]})
    return alt.Chart(edges).mark_rule(color="#888", strokeWidth=1).encode(
        x=alt.X("h:Q", axis=top, scale=scale, title=None))


def roster_gantt(table, start, days=7, agents=None, templates=None):
    """Gantt chart of a roster: one row per agent, a bar per shift.

    Parameters
    ----------
    table : pandas.DataFrame
        Roster rows (``plan.Roster.table``: ``agent``, ``contract``, ``date``,
        ``shift``, ``start``, ``end``, ``paid_hours``, ``breaks``); the shifts
        starting on the ``days`` days from ``start`` are drawn (days off, with
        ``shift == ""``, are left empty).
    start : datetime-like
        The midnight at the left of the time axis (a Monday for a week).
    days : int
        Days drawn (7: a week, 1: a day).
    agents : sequence of str, optional
        The agents drawn, top to bottom (an agent with no shift in the window
        still gets its empty row; the table's other agents are left out);
        default the table's agents.
    templates : sequence of str, optional
        Every shift template name, so that a template keeps its colour from
        one filter to the next; default the table's.

    Returns
    -------
    altair.LayerChart
        Shift bars from start to end coloured by template (x: hours from
        ``start``, labelled with the hour of the 24-hour clock, ``06``, or
        ``06:00`` for one or two days, with each day's name on top; bars of
        night shifts run past midnight), their breaks drawn
        lighter, and a line at each midnight.  The first dataset (the bars)
        has one row per shift: ``agent``, ``shift``, ``from_h``, ``to_h``
        (hours from ``start``), ``start``, ``end`` (texts), ``paid_hours``,
        ``breaks``, ``contract``.

    Examples
    --------
    >>> t = pd.DataFrame({"agent": ["a", "a"], "contract": "full",
    ...     "date": pd.to_datetime(["2025-09-01", "2025-09-02"]), "shift": ["full", ""],
    ...     "start": pd.to_datetime(["2025-09-01 08:00", None]),
    ...     "end": pd.to_datetime(["2025-09-01 16:30", None]),
    ...     "paid_hours": [8.0, 0.0], "breaks": ["12:00-12:30", ""]})
    >>> chart = roster_gantt(t, "2025-09-01")
    >>> chart.layer[0].data[["agent", "from_h", "to_h"]].values.tolist()
    [['a', 8.0, 16.5]]
    >>> chart.layer[1].data[["from_h", "to_h"]].values.tolist()
    [[12.0, 12.5]]
    """
    start = pd.Timestamp(start).normalize()
    end = start + pd.Timedelta(days=days)
    agents = list(dict.fromkeys(table["agent"].astype(str))) if agents is None \
        else [str(a) for a in agents]
    worked = table[(table["shift"] != "") & table["start"].notna()
                   & (table["date"] >= start) & (table["date"] < end)
                   & table["agent"].astype(str).isin(agents)]
    hour = pd.Timedelta(hours=1)
    bars = pd.DataFrame({
        "agent": worked["agent"].astype(str).to_numpy(),
        "contract": worked["contract"].astype(str).to_numpy(),
        "shift": worked["shift"].astype(str).to_numpy(),
        "from_h": ((worked["start"] - start) / hour).to_numpy(float),
        "to_h": ((worked["end"] - start) / hour).to_numpy(float),
        "start": worked["start"].dt.strftime("%a %d %b %H:%M").to_numpy(),
        "end": worked["end"].dt.strftime("%a %d %b %H:%M").to_numpy(),
        "paid_hours": worked["paid_hours"].to_numpy(float),
        "breaks": worked["breaks"].fillna("").astype(str).to_numpy()})
    pauses = []
    for r in bars.itertuples(index=False):
        s = int(round(r.from_h * 60))
        for span in filter(None, (x.strip() for x in r.breaks.split(";"))):
            a, b = (int(x[:2]) * 60 + int(x[3:5]) for x in span.split("-"))
            lo = s + (a - s % 1440) % 1440        # the break's clock time on or after the start
            pauses.append((r.agent, lo / 60, (lo + (b - a) % 1440) / 60, span))
    pauses = pd.DataFrame(pauses, columns=["agent", "from_h", "to_h", "break"])
    templates = sorted(set(bars["shift"])) if templates is None else list(templates)
    hi = max(24.0 * days, float(bars["to_h"].max()) if len(bars) else 0.0)
    hi = float(-(-hi // 1))                  # whole hours: a night shift may end past the window
    bottom, top, scale = _hour_axes(start, days, hi, 6 if days > 2 else 2)
    y = alt.Y("agent:N", title=None, scale=alt.Scale(domain=agents),
              axis=alt.Axis(labelLimit=160, labelOverlap=False))
    shifts = alt.Chart(bars).mark_bar(height=alt.RelativeBandSize(0.7)).encode(
        x=alt.X("from_h:Q", axis=bottom, scale=scale), x2="to_h:Q", y=y,
        color=alt.Color("shift:N", title="shift", scale=alt.Scale(domain=templates,
                                                                  scheme="tableau10")),
        tooltip=[alt.Tooltip("agent:N"), alt.Tooltip("contract:N"), alt.Tooltip("shift:N"),
                 alt.Tooltip("start:N"), alt.Tooltip("end:N"),
                 alt.Tooltip("paid_hours:Q", title="paid hours", format=".1f"),
                 alt.Tooltip("breaks:N")])
    gaps = alt.Chart(pauses).mark_bar(color="white", opacity=0.75,
                                      height=alt.RelativeBandSize(0.7)).encode(
        x=alt.X("from_h:Q", scale=scale, axis=None), x2="to_h:Q", y=y,
        tooltip=[alt.Tooltip("agent:N"), alt.Tooltip("break:N")])
    return alt.layer(shifts, gaps, _day_rules(days, hi, top, scale)).resolve_axis(
        x="independent").properties(height=max(120, 22 * len(agents)))


def roster_coverage(coverage, start, days=7):
    """Agents on duty per interval: the shift schedule's (the roster's target) and the
    roster's, on :func:`roster_gantt`'s time axis.

    Parameters
    ----------
    coverage : pandas.DataFrame
        One group's rows of ``plan.Roster.coverage`` (``start``, ``target``,
        ``rostered``); those of the ``days`` days from ``start`` are drawn.
    start : datetime-like
        The midnight at the left of the time axis.
    days : int

    Returns
    -------
    altair.LayerChart
        Step lines of agents on duty against hours from ``start``.

    Examples
    --------
    >>> cov = pd.DataFrame({"start": pd.date_range("2025-09-01", periods=96, freq="15min"),
    ...                     "target": 2.0, "rostered": 1.0})
    >>> sorted(roster_coverage(cov, "2025-09-01", 1).layer[0].data["series"].unique())
    ['roster', 'shift schedule']
    """
    start = pd.Timestamp(start).normalize()
    c = coverage[(coverage["start"] >= start)
                 & (coverage["start"] < start + pd.Timedelta(days=days))]
    d = pd.DataFrame({"h": ((c["start"] - start) / pd.Timedelta(hours=1)).to_numpy(float),
                      "time": c["start"].dt.strftime("%a %d %b %H:%M").to_numpy(),
                      "shift schedule": c["target"].to_numpy(float),
                      "roster": c["rostered"].to_numpy(float)})
    long = d.melt(id_vars=["h", "time"], value_vars=["shift schedule", "roster"],
                  var_name="series", value_name="agents")
    hi = 24.0 * days
    bottom, top, scale = _hour_axes(start, days, hi, 6 if days > 2 else 2)
    lines = alt.Chart(long).mark_line(interpolate="step-after").encode(
        x=alt.X("h:Q", axis=bottom, scale=scale),
        y=alt.Y("agents:Q", title="agents on duty"),
        color=alt.Color("series:N", title=None,
                        scale=alt.Scale(domain=["shift schedule", "roster"],
                                        range=["#d62728", "#1f77b4"])),
        tooltip=[alt.Tooltip("time:N"), alt.Tooltip("series:N"),
                 alt.Tooltip("agents:Q", format=".1f")])
    return alt.layer(lines, _day_rules(days, hi, top, scale)).resolve_axis(
        x="independent").properties(height=260)
