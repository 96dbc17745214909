"""Schedule and capacity page: shifts by week, coverage, weekly FTE, hiring and cost,
each queue's KPIs against its own target."""

import pandas as pd
import streamlit as st

from ccwfm import plan

from . import charts, fmt, state

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FTE = {c: 1 for c in ("required_fte", "headcount_start", "attrition", "joining",
                       "in_training", "productive_fte", "gap")}


def render():
    st.header("Schedule and capacity")
    sc = state.current()
    result = state.full_if_run()
    if result is None:
        st.write(f"The full plan of **{sc.name}**"
                 f"{' with the what-if inputs' if st.session_state[state.OVERRIDES] else ''}: "
                 "simulation check with the correction loop, a least-cost shift schedule "
                 "(MILP), achieved KPIs and the weekly capacity plan with hiring.")
        if st.button("Build the schedule and capacity plan", key="run_full", type="primary"):
            result = state.run_full()
        else:
            return
    cur = sc.finance.currency
    m1, m2, m3 = st.columns(3)
    m1.metric("Shifts scheduled", fmt.value(result.shifts["agents"].sum(), "count")
              if not result.shifts.empty else "0")
    m2.metric("Peak weekly FTE", fmt.value(result.capacity["required_fte"].max(), "number", 1)
              if not result.capacity.empty else "-")
    m3.metric(f"Total cost ({cur})", fmt.value(result.total_cost, "money", 0)
              if result.costs else "-")
    comp = result.comparison
    if comp:
        saving = 1.0 - comp["wages"] / comp["wages_two_step"] if comp["wages_two_step"] else 0
        c1, c2 = st.columns(2)
        c1.metric("Paid hours", fmt.value(comp["paid_hours"], "count"),
                  f"{comp['paid_hours'] - comp['paid_hours_two_step']:+,.0f} vs two-step",
                  delta_color="inverse")
        c2.metric(f"Wages ({cur})", fmt.value(comp["wages"], "money", 0),
                  f"{-100 * saving:+.1f}% vs two-step",
                  delta_color="inverse")
        st.caption("Two-step: every interval staffed to the target by formula, then covered "
                   "by shifts (without its simulation check), on the same forecast. This "
                   "plan chooses the shifts against each queue's target at its level.")

    if plan.is_pooled(sc):
        _groups(result, cur)
    else:
        _queue_kpis(result, None)
    sh = result.shifts
    st.subheader("Agents per shift, by week")
    if sh.empty:
        st.info("No shifts were needed.")
    else:
        groups = list(dict.fromkeys(sh["group"]))
        mondays = weeks_of(sh["start"])
        c1, c2 = st.columns(2)
        group = c1.selectbox("Agent group", groups, key="sc_group")
        monday = c2.selectbox("Week", mondays, key="sc_week",
                              format_func=lambda d: f"Week of {d:%a %d %b %Y}")
        monday = pd.Timestamp(monday)
        fmt.table(week_table(sh[sh["group"] == group], monday), key="sc_shifts")
        st.caption("One row per shift and start time (24-hour clock), sorted by start time; "
                   "one column per day of the week: the agents starting that shift that day "
                   "(blank: none).")
        cov = result.coverage[result.coverage["group"] == group]
        window = cov[(cov["start"] >= monday) & (cov["start"] < monday + pd.Timedelta(days=7))]
        st.subheader(f"Coverage of {group}: required vs scheduled, week of {monday:%a %d %b}")
        st.altair_chart(charts.coverage_chart(window), width="stretch")
    if not sh.empty or not result.capacity.empty:
        st.info(explain_gap(result))
    if not result.capacity.empty:
        st.subheader("Weekly capacity")
        st.altair_chart(charts.capacity_chart(result.capacity), width="stretch")
        cap = result.capacity[["week", "required_fte", "productive_fte", "gap",
                               "headcount_start", "attrition", "joining", "in_training",
                               "total_cost"]]
        fmt.table(cap, currency=cur, decimals=_FTE, key="sc_capacity")
        st.caption("FTE required: the schedule's paid hours of the week / "
                   f"{sc.capacity.fte_hours:g} h. Productive FTE: the headcount after "
                   "attrition and hiring, less agents in training, ramping agents counted "
                   "at their productivity. Gap = productive FTE − FTE required (negative: "
                   "short).")
    if result.hires:
        st.subheader("Hiring classes proposed")
        fmt.table(pd.DataFrame([{"training starts": h.start, "hires": h.size,
                                 "training weeks": h.training_weeks,
                                 "cost per hire": h.cost_per_hire} for h in result.hires]),
                  currency=cur, key="sc_hires")
    if result.costs is not None:
        st.subheader("Costs")
        fmt.costs(result.costs, cur, key="sc_costs")
    with st.expander("What the plan did"):
        st.text("\n".join(result.log))


def weeks_of(starts):
    """The Mondays of the weeks ``starts`` fall in, sorted (``datetime.date``).

    Examples
    --------
    >>> weeks_of(pd.Series(pd.to_datetime(["2025-09-03 06:00", "2025-09-08 22:00"])))
    [datetime.date(2025, 9, 1), datetime.date(2025, 9, 8)]
    """
    days = pd.to_datetime(pd.Series(starts)).dt.normalize()
    mondays = days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    return [d.date() for d in sorted(mondays.unique())]


def week_table(shifts, monday):
    """One group's shifts of the week from ``monday``: a row per (start time, template),
    sorted by start time; a column per day (``Mon 01 Sep``: agents starting, as text;
    blank when none) and the week's total.

    Examples
    --------
    >>> s = pd.DataFrame({"template": ["full", "part", "full"], "agents": [3, 1, 2],
    ...                   "start": pd.to_datetime(["2025-09-02 08:00", "2025-09-01 06:00",
    ...                                            "2025-09-01 08:00"])})
    >>> week_table(s, pd.Timestamp("2025-09-01")).iloc[:, :5].astype(str).values.tolist()
    [['06:00', 'part', '1', '', ''], ['08:00', 'full', '2', '3', '']]
    """
    monday = pd.Timestamp(monday).normalize()
    days = [monday + pd.Timedelta(days=i) for i in range(7)]
    heads = [f"{d:%a %d %b}" for d in days]
    w = shifts[(shifts["start"] >= monday) & (shifts["start"] < days[-1] + pd.Timedelta(days=1))]
    w = w.assign(time=w["start"].dt.strftime("%H:%M"),
                 day=((w["start"].dt.normalize() - monday).dt.days))
    piv = w.pivot_table(index=["time", "template"], columns="day", values="agents",
                        aggfunc="sum")
    piv = piv.reindex(columns=range(7)).sort_index()
    piv.columns = heads
    piv["Week total"] = piv.sum(axis=1)
    piv = piv.fillna(0).round().astype(int)
    out = piv.astype(str).mask(piv == 0, "")        # blank for none, not a grey "None"
    return out.reset_index().rename(columns={"time": "Start", "template": "Shift"})


def _spans(numbers):
    """Week numbers in words: ``[2, 3, 4, 7]`` -> ``"2-4 and 7"``."""
    runs, out = [], []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    out = [f"{a}" if a == b else f"{a}-{b}" for a, b in runs]
    return out[0] if len(out) == 1 else ", ".join(out[:-1]) + " and " + out[-1]


def _range(values, unit):
    lo, hi = min(values), max(values)
    return (f"{lo:,.1f} {unit}" if round(lo, 1) == round(hi, 1)
            else f"{lo:,.1f}-{hi:,.1f} {unit}")


def explain_gap(result):
    """What the coverage shortfall and the capacity gap each measure, with this plan's
    numbers, in one paragraph.

    Coverage compares, interval by interval, the agents the shifts put on duty
    with the agents the Erlang formula asks for in that interval on its own;
    the capacity gap compares, week by week, the productive FTE of the
    headcount (after attrition, hiring, training) with the FTE the shifts
    need (their paid hours / FTE hours).  The shifts may cover every
    interval while the headcount is too small to work them, and the reverse.
    """
    sc = result.scenario
    hours = sc.workforce.interval / 60
    parts = []
    cov = result.coverage
    if cov is not None and not cov.empty:
        need = float(cov["required"].sum()) * hours
        under = float(cov["under"].sum()) * hours
        if under < 0.05:
            parts.append("**Coverage** (interval by interval): the shifts cover every "
                         "interval's required agents (shortfall 0 agent-hours).")
        else:
            why = (" on purpose: integrated scheduling keeps each target over its period (a "
                   "day by default), so some intervals run below their own requirement and "
                   "others above, and the simulation checks every target at its level"
                   if sc.workforce.scheduling == "integrated" else "")
            parts.append(f"**Coverage** (interval by interval): the shifts leave "
                         f"{under:,.1f} of the {need:,.0f} required agent-hours uncovered "
                         f"({under / max(need, 1e-9):.1%}){why}.")
    cap = result.capacity
    if cap is not None and not cap.empty:
        gap = cap["gap"].to_numpy(dtype=float)
        short = [i + 1 for i, g in enumerate(gap) if g < -0.05]
        what = (f"**Capacity** (week by week): the productive FTE of the headcount, after "
                f"attrition and hiring, against the FTE the shifts need (their paid hours / "
                f"{sc.capacity.fte_hours:g} h): ")
        if short:
            word = "week" if len(short) == 1 else "weeks"
            what += (f"the headcount plan is short of the FTE the shifts need in {word} "
                     f"{_spans(short)} by {_range([-gap[i - 1] for i in short], 'FTE')}: hire "
                     "earlier (training takes weeks) or add overtime, else those shifts "
                     "cannot all be worked.")
        else:
            what += (f"the headcount covers it every week (surplus "
                     f"{_range(list(gap), 'FTE')}).")
        parts.append(what)
    if len(parts) == 2:
        parts.append("The two measure different things: coverage asks whether the shifts are "
                     "in the right places, capacity whether there are enough people to work "
                     "them.")
    return " ".join(parts)


def _groups(result, cur):
    """Multi-skill plans: each group's shifts and cost, each queue's simulated KPIs,
    and the pooling gain against dedicated groups (on request: a second plan)."""
    st.subheader("Agent groups")
    fmt.table(plan.group_summary(result), currency=cur, key="sc_groups")
    gain = result.pooling
    if gain is None:
        st.caption("Pooling gain: what these cross-trained groups save against a dedicated "
                   "group per queue meeting the same targets (plans the same demand a second "
                   "time).")
        if st.button("Compare with dedicated groups", key="sc_pooling"):
            gain = state.run_pooling().pooling
    if gain is None:
        _queue_kpis(result, None)
        return
    c1, c2, c3 = st.columns(3)
    c1.metric("Paid hours, pooled", fmt.value(gain.paid_hours, "count"),
              f"{gain.paid_hours - gain.paid_hours_dedicated:+,.0f} vs dedicated",
              delta_color="inverse")
    c2.metric("Saved by pooling", fmt.value(gain.saving_pct, "pct_pts"))
    c3.metric(f"Wages, pooled ({cur})", fmt.value(gain.wages, "money", 0),
              f"{gain.wages - gain.wages_dedicated:+,.0f} vs dedicated", delta_color="inverse")
    if gain.targets_met is not None:
        st.caption(f"Periods meeting their target on fresh random numbers: "
                   f"{fmt.value(gain.targets_met, 'pct')} pooled, "
                   f"{fmt.value(gain.targets_met_dedicated, 'pct')} dedicated.")
    _queue_kpis(result, gain)


def queue_kpis(result, gain=None):
    """Each queue's KPIs against its own target (:func:`fmt.against_targets`): the
    plan's formula and simulated values, or pooled and dedicated groups'."""
    queues = result.scenario.queues
    if gain is not None:
        return fmt.against_targets(queues, gain.queues,
                                       {"Dedicated groups": "_dedicated", "Pooled": "_pooled"},
                                       met_on="Pooled")
    return fmt.against_targets(queues, result.summary,
                                   {"Formula": "_plan", "Simulated": "_sim_plan"})


def _queue_kpis(result, gain):
    """Each queue's KPIs over the horizon, against its own target."""
    table = queue_kpis(result, gain)
    if table.empty or (table.iloc[:, 3:-1] == "").all().all():
        return
    st.markdown("**KPIs per queue against their targets** (over the horizon, contacts "
                "weighted" + (", with this routing" if plan.is_pooled(result.scenario) else "")
                + ")")
    fmt.table(table, key="sc_kpis")
    st.caption("Each KPI the queue's target sets: the ASA for a queue with an ASA target "
               "(e-mail), not a service level. Met: the "
               + ("pooled plan's" if gain is not None else "simulated")
               + " value is on the right side of the target over the horizon; the Staffing "
                 "page shows each target per period of its level.")
