"""Schedule and capacity page: shifts, coverage, weekly FTE, hiring and cost."""

import pandas as pd
import streamlit as st

from ccwfm import plan

from . import charts, state

_PCT = ("service_level", "abandon_rate")


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
    m1.metric("Shifts scheduled", f"{int(result.shifts['agents'].sum()):,}"
              if not result.shifts.empty else "0")
    m2.metric("Peak weekly FTE", f"{result.capacity['required_fte'].max():,.1f}"
              if not result.capacity.empty else "-")
    m3.metric(f"Total cost ({cur})", f"{result.total_cost:,.0f}" if result.costs else "-")
    comp = result.comparison
    if comp:
        saving = 1.0 - comp["wages"] / comp["wages_two_step"] if comp["wages_two_step"] else 0
        c1, c2 = st.columns(2)
        c1.metric("Paid hours", f"{comp['paid_hours']:,.0f}",
                  f"{comp['paid_hours'] - comp['paid_hours_two_step']:+,.0f} vs two-step",
                  delta_color="inverse")
        c2.metric(f"Wages ({cur})", f"{comp['wages']:,.0f}",
                  f"{-saving:+.1%} vs two-step", delta_color="inverse")
        st.caption("Two-step: every interval staffed to the target by formula, then covered "
                   "by shifts (without its simulation check), on the same forecast. This "
                   "plan chooses the shifts against each queue's target at its level.")

    if plan.is_pooled(sc):
        _groups(result, cur)
    st.subheader("Agents per shift")
    sh = result.shifts
    if sh.empty:
        st.info("No shifts were needed.")
    else:
        piv = sh.assign(day=sh["start"].dt.strftime("%a %d %b"),
                        time=sh["start"].dt.strftime("%H:%M"))
        groups = list(piv["group"].unique())
        group = st.selectbox("Agent group", groups, key="sc_group")
        g = piv[piv["group"] == group]
        table = g.pivot_table(index=["template", "time"], columns="day", values="agents",
                              aggfunc="sum", fill_value=0, sort=False)
        st.dataframe(table)
        cov = result.coverage[result.coverage["group"] == group]
        days = sorted(cov["start"].dt.date.unique())
        day = st.select_slider("Coverage from", options=days, value=days[0], key="sc_day")
        window = cov[(cov["start"].dt.date >= day)
                     & (cov["start"] < pd.Timestamp(day) + pd.Timedelta(days=7))]
        st.subheader("Coverage: required vs scheduled (a week)")
        st.altair_chart(charts.coverage_chart(window), width="stretch")
        under = cov["under"].sum() * sc.workforce.interval / 60
        st.caption(f"Shortfall over the horizon: {under:,.1f} agent-hours; surplus "
                   f"{cov['over'].sum() * sc.workforce.interval / 60:,.1f} agent-hours.")
    if not result.capacity.empty:
        st.subheader("Weekly capacity")
        st.altair_chart(charts.capacity_chart(result.capacity), width="stretch")
        st.dataframe(result.capacity[["week", "required_fte", "headcount_start", "attrition",
                                      "joining", "productive_fte", "gap", "total_cost"]],
                     hide_index=True)
    if result.hires:
        st.subheader("Hiring classes proposed")
        st.dataframe(pd.DataFrame([{"training starts": h.start, "hires": h.size,
                                    "training weeks": h.training_weeks,
                                    "cost per hire": h.cost_per_hire} for h in result.hires]),
                     hide_index=True)
    st.subheader("Costs")
    st.dataframe(result.costs.to_frame(), hide_index=True)
    with st.expander("What the plan did"):
        st.text("\n".join(result.log))


def _groups(result, cur):
    """Multi-skill plans: each group's shifts and cost, each queue's simulated KPIs,
    and the pooling gain against dedicated groups (on request: a second plan)."""
    st.subheader("Agent groups")
    groups = plan.group_summary(result).round({"paid_hours": 0, "wages": 0})
    st.dataframe(groups.rename(columns={"home_of": "home of", "paid_hours": "paid hours",
                                        "wages": f"wages ({cur})",
                                        "paid_share": "share of paid hours"}),
                 hide_index=True, column_config={
                     "shifts": st.column_config.NumberColumn(format="%d"),
                     "paid hours": st.column_config.NumberColumn(format="localized"),
                     f"wages ({cur})": st.column_config.NumberColumn(format="localized"),
                     "share of paid hours": st.column_config.NumberColumn(format="percent")})
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
    c1.metric("Paid hours, pooled", f"{gain.paid_hours:,.0f}",
              f"{gain.paid_hours - gain.paid_hours_dedicated:+,.0f} vs dedicated",
              delta_color="inverse")
    c2.metric("Saved by pooling", f"{gain.saving_pct:.1f}%")
    c3.metric(f"Wages, pooled ({cur})", f"{gain.wages:,.0f}",
              f"{gain.wages - gain.wages_dedicated:+,.0f} vs dedicated", delta_color="inverse")
    if gain.targets_met is not None:
        st.caption(f"Periods meeting their target on fresh random numbers: "
                   f"{gain.targets_met:.0%} pooled, {gain.targets_met_dedicated:.0%} dedicated.")
    _queue_kpis(result, gain)


def _queue_kpis(result, gain):
    """Each queue's simulated KPIs over the horizon (and the dedicated plan's)."""
    st.markdown("**Simulated KPIs per queue** (over the horizon, with this routing)")
    if gain is not None:
        table = gain.queues
    else:
        s = result.summary
        cols = [c for c in s.columns if c.endswith("_sim_plan")]
        if not cols:
            return
        table = s[["queue"] + cols].rename(columns=lambda c: c.replace("_sim_plan", "_pooled"))
        table.insert(1, "target", [q.target.describe() for q in result.scenario.queues])
    table = table.round({c: 0 for c in table.columns if c.startswith("asa")})
    config = {}
    for col in table.columns:
        if col.startswith(_PCT):
            config[col] = st.column_config.NumberColumn(
                col.replace("_", " "), format="percent")
        elif col.startswith("asa"):
            config[col] = st.column_config.NumberColumn(col.replace("_", " ") + " (s)",
                                                        format="localized")
    st.dataframe(table, hide_index=True, column_config=config)
