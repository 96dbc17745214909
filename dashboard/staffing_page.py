"""Staffing page: requirements heatmap, KPIs per interval, formula vs simulation."""

import streamlit as st

from ccwfm import plan

from . import charts, state

KPIS = ["service_level", "abandon_rate", "occupancy"]


def render():
    st.header("Staffing")
    sc = state.current()
    qp = state.need_quick(sc)
    req = qp.requirements
    queues = [q.name for q in sc.queues]
    queue = st.selectbox("Queue", ["all queues"] + queues, key="st_queue")
    sel = req if queue == "all queues" else req[req["queue"] == queue]
    per = sel.groupby("start", as_index=False)[["required", "scheduled"]].sum()
    m1, m2, m3 = st.columns(3)
    fte = (qp.summary["fte"].sum() if queue == "all queues"
           else qp.summary.set_index("queue").loc[queue, "fte"])
    m1.metric("FTE", f"{fte:,.1f}")
    m2.metric("Peak agents on the phones", f"{per['required'].max():,.0f}")
    m3.metric("Agent-hours on the phones",
              f"{per['required'].sum() * sc.workforce.interval / 60:,.0f}")
    st.subheader("Agents to schedule, by weekday and time of day (mean over the horizon)")
    st.altair_chart(charts.heatmap(per, "scheduled", "agents"), width="stretch")
    if queue != "all queues":
        st.subheader("KPIs per interval (Erlang formula)")
        day = st.date_input("Day", value=sel["start"].min().date(),
                            min_value=sel["start"].min().date(),
                            max_value=sel["start"].max().date(), key="st_day")
        one = sel[sel["start"].dt.date == day]
        st.altair_chart(charts.kpi_chart(one, KPIS), width="stretch")
        st.dataframe(one[["start", "volume", "agent_volume", "required", "service_level", "asa",
                          "abandon_rate", "occupancy"]], hide_index=True)
    result = state.full_if_run()
    if result is not None and not result.attainment.empty:
        _attainment(result)
        return
    st.subheader("Formula vs simulation")
    if result is None or result.verification is None:
        st.info("The simulation check runs with the full plan (Schedule and capacity page).")
        if st.button("Run the full plan now", key="st_run_full"):
            result = state.run_full()
    if result is not None and result.verification is not None:
        st.dataframe(plan.verification_summary(result.verification,
                                               interval=sc.workforce.interval),
                     hide_index=True)
        st.caption("Formula: Erlang staffing; sim: simulated with the formula staffing; "
                   "corrected: simulated after the correction loop.")


NAMES = {"service_level": "service level", "abandon_rate": "abandonment", "asa": "ASA (s)"}


def _attainment(result):
    """Targets at their level, simulated on fresh random numbers: met, worst, surplus."""
    st.subheader("Targets at their level (simulated on fresh random numbers)")
    summary = plan.attainment_summary(result.attainment)
    met, total = int(summary["met"].sum()), int(summary["periods"].sum())
    st.metric("Periods meeting their target", f"{met / max(total, 1):.0%}",
              help=f"{met:,} of {total:,} periods (queue, target and day or week)")
    shown = summary.assign(
        metric=summary["metric"].map(NAMES),
        worst_period=summary["worst_period"].dt.strftime("%a %d %b %Y"))
    for col in ("target", "simulated", "worst", "best", "surplus"):
        pct = summary["metric"] != "asa"
        shown[col] = [f"{v:.1%}" if p and col != "surplus" else
                      f"{100 * v:+.1f} pts" if p else f"{v:,.0f}"
                      for v, p in zip(summary[col], pct)]
    st.dataframe(shown.rename(columns={"worst_period": "worst period",
                                       "surplus": "mean surplus"}), hide_index=True)
    st.caption("Each queue's targets must hold over each period of its level (a day by "
               "default), contacts weighted; met = the whole 95% confidence interval on the "
               "right side of the target. Surplus = simulated minus target, mean over the "
               "periods: where the plan serves above its target.")
    a = result.attainment
    queue = st.selectbox("Queue", sorted(a["queue"].unique()), key="st_att_queue")
    one = a[a["queue"] == queue]
    st.altair_chart(charts.attainment_chart(one), width="stretch")
