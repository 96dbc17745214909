"""Altair charts of the dashboard: forecast with bands, weekday x interval
heatmap, KPIs per interval, coverage, weekly capacity."""

import altair as alt
import pandas as pd

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def forecast_chart(history, fc, queue, days_back=14, days_ahead=14):
    """History (last ``days_back`` days) and forecast with 80% and 95% bands."""
    h = history[history["queue"] == queue]
    f = fc[fc["queue"] == queue]
    if not f.empty:
        f = f[f["start"] < f["start"].min() + pd.Timedelta(days=days_ahead)]
    if not h.empty:
        h = h[h["start"] >= h["start"].max() - pd.Timedelta(days=days_back)]
    layers = []
    if "lo_95" in f.columns:
        layers.append(alt.Chart(f).mark_area(opacity=0.18, color="#1f77b4").encode(
            x=alt.X("start:T", title=None), y=alt.Y("lo_95:Q", title="contacts per interval"),
            y2="hi_95:Q"))
        layers.append(alt.Chart(f).mark_area(opacity=0.3, color="#1f77b4").encode(
            x="start:T", y="lo_80:Q", y2="hi_80:Q"))
    layers.append(alt.Chart(f.assign(series="forecast")).mark_line(color="#1f77b4").encode(
        x="start:T", y=alt.Y("forecast:Q", title="contacts per interval"),
        tooltip=["start:T", alt.Tooltip("forecast:Q", format=".1f")]))
    if not h.empty:
        layers.append(alt.Chart(h).mark_line(color="#444", strokeWidth=1).encode(
            x="start:T", y="volume:Q",
            tooltip=["start:T", alt.Tooltip("volume:Q", format=".0f")]))
    return alt.layer(*layers).properties(height=320)


def heatmap(req, value="scheduled", title="agents"):
    """Mean of ``value`` by weekday x time of day over the horizon."""
    d = req.assign(weekday=req["start"].dt.day_of_week.map(lambda i: WEEKDAYS[i]),
                   time=req["start"].dt.strftime("%H:%M"))
    g = d.groupby(["weekday", "time"], as_index=False)[value].mean()
    return alt.Chart(g).mark_rect().encode(
        x=alt.X("time:O", title="time of day", axis=alt.Axis(labelAngle=-90, labelOverlap=True)),
        y=alt.Y("weekday:O", sort=WEEKDAYS, title=None),
        color=alt.Color(f"{value}:Q", title=title, scale=alt.Scale(scheme="blues")),
        tooltip=["weekday", "time", alt.Tooltip(f"{value}:Q", format=".1f")],
    ).properties(height=240)


def kpi_chart(frame, columns):
    """Lines of the KPI ``columns`` per interval (long format inside)."""
    long = frame.melt(id_vars="start", value_vars=columns, var_name="kpi", value_name="value")
    return alt.Chart(long).mark_line().encode(
        x=alt.X("start:T", title=None), y=alt.Y("value:Q", title=None),
        color=alt.Color("kpi:N", title=None),
        tooltip=["start:T", "kpi", alt.Tooltip("value:Q", format=".3f")],
    ).properties(height=260)


def coverage_chart(cov):
    """Required vs scheduled agents per interval."""
    long = cov.melt(id_vars="start", value_vars=["required", "scheduled"], var_name="series",
                    value_name="agents")
    return alt.Chart(long).mark_line(interpolate="step-after").encode(
        x=alt.X("start:T", title=None), y=alt.Y("agents:Q", title="agents on shift"),
        color=alt.Color("series:N", title=None,
                        scale=alt.Scale(domain=["required", "scheduled"],
                                        range=["#d62728", "#1f77b4"])),
        tooltip=["start:T", "series", alt.Tooltip("agents:Q", format=".1f")],
    ).properties(height=280)


def capacity_chart(cap):
    """Weekly required FTE against productive FTE."""
    cols = [c for c in ("required_fte", "productive_fte", "headcount") if c in cap.columns]
    long = cap.melt(id_vars="week", value_vars=cols, var_name="series", value_name="fte")
    return alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("week:T", title="week"), y=alt.Y("fte:Q", title="FTE"),
        color=alt.Color("series:N", title=None),
        tooltip=["week:T", "series", alt.Tooltip("fte:Q", format=".1f")],
    ).properties(height=260)


def attainment_chart(att):
    """One queue's simulated KPI per period with its 95% interval and the target line."""
    frames = []
    for metric, g in att.groupby("metric", sort=False):
        frames.append(g.assign(metric=metric))
    d = pd.concat(frames, ignore_index=True)
    base = alt.Chart(d).encode(x=alt.X("period:T", title=None,
                                       axis=alt.Axis(format="%a %d %b")))
    band = base.mark_errorbar().encode(y=alt.Y("low:Q", title=None, scale=alt.Scale(zero=False)),
                                       y2="high:Q")
    point = base.mark_point(filled=True).encode(
        y="simulated:Q", color=alt.Color("met:N", title="met",
                                         scale=alt.Scale(domain=[True, False],
                                                         range=["#2ca02c", "#d62728"])),
        tooltip=[alt.Tooltip("period:T", format="%a %d %b %Y"), "metric",
                 alt.Tooltip("simulated:Q", format=".3f"),
                 alt.Tooltip("target:Q", format=".3f")])
    target = base.mark_rule(color="#444", strokeDash=[4, 3]).encode(y="target:Q")
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
