"""Compare plans page: full plans of the loaded scenario and saved what-ifs side by side.

Pick two or more of the loaded scenario and each saved what-if
(``st.session_state[state.SAVED]``: name -> dotted overrides on the loaded
scenario); the full plans not built yet are built on request
(:func:`state.run_full`, kept in the session: the newest four) and shown side
by side: paid hours, wages and total cost, peak and mean FTE, hires; paid hours
and FTE per agent group; each queue's targets at their level (share of periods
met, simulated against target: ASA in seconds for an ASA target, service level
and abandonment in percent); weekly cost and FTE, and attainment, as charts.

Definitions (units): paid hours = agents of each shift times its template's paid
hours (hours); wages = the schedule's wages (:class:`plan.Costs`, currency);
total cost = wages + hiring + bot contacts + abandoned contacts; FTE of a week =
paid hours that week / hours of one FTE a week (``capacity.fte_hours``); peak
and mean over the weeks; hires = hires joining over the horizon (the
scenario's classes and those the plan proposes).

Examples
--------
>>> import pandas as pd
>>> met_share(pd.DataFrame({"met": [3], "periods": [4]}))[0]
np.float64(0.75)
"""

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from ccwfm import plan

from . import charts, fmt, state

__all__ = ["BASE", "METRICS", "MAX_PLANS", "attainment_frame", "choices", "group_frame",
           "met_share", "plan_row", "render", "scenario_of", "shift_hours", "summary_frame",
           "weekly_frame"]

BASE = "Loaded scenario"
"""The name the loaded scenario (without what-if inputs) has on this page."""

MAX_PLANS = 4
"""Plans compared at once (the session keeps the newest four full plans)."""

METRICS = {"service_level": ("Service level", "pct"), "asa": ("ASA", "seconds"),
           "abandon_rate": ("Abandonment", "pct")}
"""Target metric -> (heading, display kind)."""


def choices(saved):
    """The plans that may be compared: the loaded scenario, then each saved what-if."""
    return [BASE] + [name for name in saved if name != BASE]


def scenario_of(name, base, saved):
    """The scenario of choice ``name``: the loaded one, or it with a saved what-if's
    overrides (built as :func:`state.current` builds it, so a plan built on another
    page for the same inputs is the same plan)."""
    if name == BASE:
        return base
    over = saved[name]
    return base.with_overrides(over) if over else base


def met_share(summary):
    """Share of periods meeting their target, per row of an attainment summary."""
    periods = summary["periods"].to_numpy(float)
    return np.where(periods > 0, summary["met"].to_numpy(float) / np.maximum(periods, 1),
                    np.nan)


def shift_hours(result):
    """Paid hours of each row of ``result.shifts``: agents x their template's paid hours."""
    return plan.shift_paid_hours(result.shifts, result.scenario.workforce)


def _fte_weeks(result):
    cap = result.capacity
    return cap["required_fte"].to_numpy(float) if not cap.empty else np.array([np.nan])


def plan_row(name, result):
    """One plan's headline figures (a dict; see the module docstring for definitions)."""
    paid = float(shift_hours(result).sum()) \
        if not result.shifts.empty else 0.0
    fte = _fte_weeks(result)
    summary = plan.attainment_summary(result.attainment)
    periods = int(summary["periods"].sum()) if len(summary) else 0
    cap = result.capacity
    return {"plan": name, "paid_hours": paid,
            "wages": result.costs.wages if result.costs else np.nan,
            "total_cost": result.total_cost,
            "peak_fte": float(np.nanmax(fte)), "mean_fte": float(np.nanmean(fte)),
            "hires": float(cap["joining"].sum()) if "joining" in cap else 0.0,
            "periods_met": (int(summary["met"].sum()) / periods) if periods else np.nan}


def summary_frame(results):
    """Headline figures of ``results`` (plan name -> PlanResult), one row per plan."""
    return pd.DataFrame([plan_row(n, r) for n, r in results.items()])


def group_frame(results):
    """Paid hours and FTE per agent group and plan: one row per group and plan, the
    plans of a group one under the other (as many columns however many plans).

    FTE = the group's paid hours / (weeks x hours of one FTE a week).
    """
    rows = []
    for name, r in results.items():
        if r.shifts.empty:
            continue
        sc = r.scenario
        hours = shift_hours(r).groupby(r.shifts["group"]).sum()
        rows += [{"group": g, "plan": name, "paid_hours": float(h),
                  "FTE": float(h) / (sc.weeks * sc.capacity.fte_hours)}
                 for g, h in hours.items()]
    frame = pd.DataFrame(rows, columns=["group", "plan", "paid_hours", "FTE"])
    return fmt.grouped(frame, "group")


def attainment_frame(results, metric):
    """Targets of one ``metric`` per queue and plan.

    Rows: per queue with a ``metric`` target in any plan, one row per plan
    (the plans of a queue one under the other).  Columns: queue, level,
    plan, the plan's target, the simulated value over the horizon (contacts
    weighted) and the share of periods meeting the target.
    """
    frames = []
    for name, r in results.items():
        s = plan.attainment_summary(r.attainment)
        s = s[s["metric"] == metric]
        frames.append(pd.DataFrame({"queue": s["queue"].to_numpy(),
                                    "level": s["level"].to_numpy(), "plan": name,
                                    "target": s["target"].to_numpy(float),
                                    "simulated": s["simulated"].to_numpy(float),
                                    "periods met": met_share(s)}))
    columns = ["queue", "level", "plan", "target", "simulated", "periods met"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return fmt.grouped(pd.concat(frames, ignore_index=True)[columns], "queue")


def weekly_frame(results):
    """Per plan and week: FTE (required) and cost (capacity plan: payroll and hiring)."""
    frames = []
    for name, r in results.items():
        cap = r.capacity
        if cap.empty:
            continue
        frames.append(pd.DataFrame({"plan": name, "week": cap["week"],
                                    "FTE": cap["required_fte"].to_numpy(float),
                                    "cost": cap["total_cost"].to_numpy(float)}))
    if not frames:
        return pd.DataFrame(columns=["plan", "week", "FTE", "cost"])
    return pd.concat(frames, ignore_index=True)


def _weekly_chart(weekly, column, title):
    lo, hi = float(weekly[column].min()), float(weekly[column].max())
    pad = max((hi - lo) * 0.1, abs(hi) * 0.02, 1e-9)
    return alt.Chart(weekly).mark_line(point=True).encode(
        x=alt.X("week:T", axis=charts.time_axis(
            "week", weekly["week"].min(), pd.Timestamp(weekly["week"].max()) + pd.Timedelta(days=1),
            title="week (from Monday)")),
        y=alt.Y(f"{column}:Q", title=title, scale=alt.Scale(domain=[lo - pad, hi + pad])),
        color=alt.Color("plan:N", title=None),
        tooltip=["plan", alt.Tooltip("week:T", format="%a %d %b %Y"),
                 alt.Tooltip(f"{column}:Q", format=",.1f")],
    ).properties(height=240)


def _attainment_chart(results):
    rows = []
    for name, r in results.items():
        s = plan.attainment_summary(r.attainment)
        for row, share in zip(s.itertuples(), met_share(s)):
            rows.append({"plan": name, "target": f"{row.queue} {METRICS[row.metric][0]}"
                         if row.metric in METRICS else f"{row.queue} {row.metric}",
                         "met": share})
    if not rows:
        return None
    data = pd.DataFrame(rows)
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("target:N", title=None, axis=alt.Axis(labelAngle=0)),
        xOffset="plan:N",
        y=alt.Y("met:Q", title="periods meeting the target",
                scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("plan:N", title=None),
        tooltip=["plan", "target", alt.Tooltip("met:Q", format=".0%")],
    ).properties(height=260)


def render():
    st.header("Compare plans")
    ss = st.session_state
    base = state.base()
    saved = ss.get(state.SAVED, {})
    options = choices(saved)
    if len(options) < 2:
        st.info("Save a what-if on the What-if page (or more) to compare its full plan with "
                "the loaded scenario's.")
    default = options[:2]
    if "cmp_pick" in ss:                   # a what-if renamed or deleted since
        ss["cmp_pick"] = [n for n in ss["cmp_pick"] if n in options]
    picked = st.multiselect("Plans to compare", options, default=default, key="cmp_pick",
                            max_selections=MAX_PLANS,
                            help="The loaded scenario and the what-ifs saved on the What-if "
                                 "page (each on the loaded scenario).")
    if not picked:
        return
    scenarios = {}
    for name in picked:
        try:
            scenarios[name] = scenario_of(name, base, saved)
        except ValueError as exc:
            st.error(f"The what-if {name!r} no longer fits the loaded scenario: {exc}")
    results = {n: state.full_if_run(sc) for n, sc in scenarios.items()}
    missing = [n for n, r in results.items() if r is None]
    if missing:
        st.write("Full plans not built yet: " + ", ".join(f"**{n}**" for n in missing)
                 + ". Each takes a while (simulation, shift schedule, capacity plan).")
        if st.button("Build the missing plans", key="cmp_build", type="primary"):
            for n in missing:
                st.caption(f"Building {n}...")
                state.run_full(scenarios[n])
            st.rerun()                  # the plans are kept: drawn without this notice
    built = {n: r for n, r in results.items() if r is not None}
    if not built:
        return
    cur = base.finance.currency
    st.subheader("Plans side by side")
    fmt.table(summary_frame(built), currency=cur, key="cmp_summary", kinds={
        "paid_hours": "count", "wages": "money", "total_cost": "money", "peak_fte": "number",
        "mean_fte": "number", "hires": "count", "periods_met": "pct"}, decimals={
        "peak_fte": 1, "mean_fte": 1})
    st.caption("Paid hours of the shifts; wages of the schedule; total cost = wages + hiring + "
               "bot contacts + abandoned contacts; FTE = paid hours a week / hours of one FTE; "
               "hires joining over the horizon; periods met = share of (queue, target, period "
               "of its level) meeting the target on fresh random numbers.")
    groups = group_frame(built)
    st.markdown("**Paid hours and FTE per agent group**")
    fmt.table(groups, key="cmp_groups", kinds={"paid_hours": "count", "FTE": "number"},
              decimals={"FTE": 1})
    st.subheader("Targets per queue, at their level")
    for metric, (title, kind) in METRICS.items():
        table = attainment_frame(built, metric)
        if table.empty:
            continue
        st.markdown(f"**{title}**" + (" (seconds; lower is better)" if kind == "seconds" else
                                      " (lower is better)" if metric == "abandon_rate" else ""))
        fmt.table(table, kinds={"target": kind, "simulated": kind, "periods met": "pct"},
                  key=f"cmp_att_{metric}")
    chart = _attainment_chart(built)
    if chart is not None:
        st.altair_chart(chart, width="stretch")
    weekly = weekly_frame(built)
    if not weekly.empty:
        c1, c2 = st.columns(2)
        c1.markdown("**FTE per week**")
        c1.altair_chart(_weekly_chart(weekly, "FTE", "FTE"), width="stretch")
        c2.markdown(f"**Cost per week ({cur}; capacity plan: payroll and hiring)**")
        c2.altair_chart(_weekly_chart(weekly, "cost", cur), width="stretch")
