"""Schedule and capacity page: shifts, coverage, weekly FTE, hiring and cost."""

import pandas as pd
import streamlit as st

from . import charts, state


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
