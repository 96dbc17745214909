"""Staffing page: requirements heatmap, each queue's KPIs against its own targets,
KPIs per interval, formula vs simulation."""

import streamlit as st

from ccwfm import plan

from . import charts, fmt, state

KPIS = ["service_level", "abandon_rate", "occupancy"]


def _columns(queue):
    """The per-interval table's columns for ``queue``: its targets' KPIs first (ASA,
    not a service level, for a queue with an ASA target)."""
    metrics = [m for m, _, _ in fmt.targets_of(queue)]
    if "service_level" not in metrics and "asa" in metrics:
        kpis = ["asa", "occupancy"] + (["abandon_rate"] if queue.patience is not None else [])
    else:
        kpis = ["service_level", "asa", "abandon_rate", "occupancy"]
    return ["start", "volume", "agent_volume", "required", *kpis]


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
    m1.metric("FTE", fmt.value(fte, "number", 1))
    m2.metric("Peak agents on the phones", fmt.value(per["required"].max(), "count"))
    m3.metric("Agent-hours on the phones",
              fmt.value(per["required"].sum() * sc.workforce.interval / 60, "count"))
    st.subheader("Each queue against its own target (Erlang formula, over the horizon)")
    shown = [q for q in sc.queues if queue in ("all queues", q.name)]
    fmt.table(fmt.against_targets(shown, qp.summary, {"Formula": ""}), key="st_targets")
    st.caption("Each KPI the queue's target sets, contacts weighted over the horizon: a "
               "service level for a queue with a service-level target, the ASA for one with "
               "an ASA target (e-mail). Met: the formula's value is on the right side of the "
               "target. The full plan checks each target at its level (a day by default) by "
               "simulation.")
    st.subheader("Agents to schedule, by weekday and time of day (mean over the horizon)")
    st.altair_chart(charts.heatmap(per, "scheduled", "agents"), width="stretch")
    if queue != "all queues":
        q = next(q for q in sc.queues if q.name == queue)
        st.subheader("KPIs per interval (Erlang formula)")
        day = st.date_input("Day", value=sel["start"].min().date(),
                            min_value=sel["start"].min().date(),
                            max_value=sel["start"].max().date(), key="st_day",
                            format="DD/MM/YYYY")
        one = sel[sel["start"].dt.date == day]
        st.altair_chart(charts.kpi_chart(one, KPIS, targets=charts.kpi_targets(sc, queue)),
                        width="stretch")
        fmt.table(one[_columns(q)], kinds={"start": "time"}, key="st_intervals")
        st.caption(f"{day:%A %d %B %Y}, by interval start (24-hour clock). Targets of "
                   f"{queue}: {q.target.describe()}.")
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
        fmt.table(plan.verification_summary(result.verification,
                                            interval=sc.workforce.interval))
        st.caption("Formula: Erlang staffing; sim: simulated with the formula staffing; "
                   "corrected: simulated after the correction loop.")


def attainment_table(summary):
    """:func:`plan.attainment_summary` for people: each row's target and values in its
    KPI's unit (``80.0%``, ``7,200 s``), periods met in words, met yes/no."""
    table = summary.assign(
        met_text=[f"{int(m):,} of {int(n):,}" for m, n in zip(summary["met"], summary["periods"])],
        all_met=summary["met"] == summary["periods"])
    table = table[["queue", "metric", "level", "target", "met_text", "all_met", "simulated",
                   "worst", "worst_period", "surplus"]]
    return table.rename(columns={"met_text": "periods met", "all_met": "met"})


def _attainment(result):
    """Targets at their level, simulated on fresh random numbers: met, worst, surplus."""
    st.subheader("Targets at their level (simulated on fresh random numbers)")
    summary = plan.attainment_summary(result.attainment)
    met, total = int(summary["met"].sum()), int(summary["periods"].sum())
    st.metric("Periods meeting their target", fmt.value(met / max(total, 1), "pct"),
              help=f"{met:,} of {total:,} periods (queue, target and day or week)")
    fmt.table(attainment_table(summary), key="st_attainment")
    st.caption("Each queue's targets must hold over each period of its level (a day by "
               "default), contacts weighted: a service level, an abandonment ceiling or an "
               "ASA ceiling (e-mail), as the queue's target says. Periods met = the whole 95% "
               "confidence interval on the right side of the target; met = every period. "
               "Surplus = simulated minus target, mean over the periods (points, or seconds "
               "of ASA): where the plan serves above its target.")
    a = result.attainment
    queue = st.selectbox("Queue", sorted(a["queue"].unique()), key="st_att_queue")
    one = a[a["queue"] == queue]
    st.altair_chart(charts.attainment_chart(one), width="stretch")
