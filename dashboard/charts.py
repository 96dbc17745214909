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
