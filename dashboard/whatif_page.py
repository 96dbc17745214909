"""What-if page: bot containment, AHT, target, shrinkage, concurrency, patience;
FTE, KPIs and cost recomputed at once; saved scenarios side by side."""

import pandas as pd
import streamlit as st

from . import state


def _inputs(base, cur, queue):
    """Widgets for one queue and the workforce; returns the overrides they set.

    Each input starts at the current scenario's value (what-ifs made earlier
    survive leaving the page) and counts as a change when it differs from
    the loaded scenario.
    """
    q = next(x for x in base.queues if x.name == queue)
    c = next(x for x in cur.queues if x.name == queue)
    t, ct = q.target, c.target
    p = f"queues.{queue}"
    over = {}
    c1, c2, c3 = st.columns(3)
    base_cont = round(100 * (q.bot.containment if q.bot else 0.0))
    cont = c1.number_input("Bot containment (%)", 0, 95,
                           round(100 * (c.bot.containment if c.bot else 0.0)), step=5,
                           key=f"wi_cont_{queue}",
                           help="Share of contacts the bot resolves without an agent.")
    if cont != base_cont:
        over[f"{p}.bot.containment"] = cont / 100
    aht = c2.number_input("AHT change (%)", -50, 100, round(100 * (c.aht_scale / q.aht_scale - 1)),
                          step=5, key=f"wi_aht_{queue}",
                          help="Handle time of every contact, relative to the forecast.")
    if aht:
        over[f"{p}.aht_scale"] = round(q.aht_scale * (1 + aht / 100), 6)
    conc = c3.number_input("Concurrency (contacts at once)", 1, 8, int(c.concurrency), step=1,
                           key=f"wi_conc_{queue}")
    if conc != q.concurrency:
        over[f"{p}.concurrency"] = int(conc)
    c4, c5, c6 = st.columns(3)
    if t.service_level is not None:
        sl = c4.number_input("Service level target (%)", 50, 99,
                             round(100 * ct.service_level), step=1, key=f"wi_sl_{queue}")
        tt = c5.number_input("...answered within (s)", 5, 3600, int(ct.target_time), step=5,
                             key=f"wi_tt_{queue}")
        if sl != round(100 * t.service_level):
            over[f"{p}.target.service_level"] = sl / 100
        if tt != int(t.target_time):
            over[f"{p}.target.target_time"] = float(tt)
    elif t.asa is not None:
        asa = c4.number_input("ASA target (s)", 1, 86400, int(ct.asa), step=10,
                              key=f"wi_asa_{queue}")
        if asa != int(t.asa):
            over[f"{p}.target.asa"] = float(asa)
    pat = c6.number_input("Mean patience (s; 0 = nobody abandons)", 0, 3600,
                          int(c.patience or 0), step=10, key=f"wi_pat_{queue}")
    if pat != int(q.patience or 0):
        over[f"{p}.patience"] = float(pat) if pat else None
    shrink = st.number_input("Shrinkage, all queues (%)", 0, 80,
                             round(100 * cur.workforce.total_shrinkage), step=1,
                             key="wi_shrink")
    if shrink != round(100 * base.workforce.total_shrinkage):
        over["workforce.shrinkage"] = {"total": shrink / 100}
    return over


def _row(name, qp):
    row = {"scenario": name, "FTE": qp.fte, "total cost": qp.total_cost}
    for r in qp.summary.itertuples():
        row[f"{r.queue} service level"] = r.service_level
        row[f"{r.queue} ASA (s)"] = r.asa
        row[f"{r.queue} abandon"] = r.abandon_rate
    return row


def render():
    st.header("What-if")
    ss = st.session_state
    base = state.base()
    queue = st.selectbox("Queue", [q.name for q in base.queues], key="wi_queue")
    # The other queues keep the overrides set earlier; this queue's come from the widgets.
    keep = {k: v for k, v in ss[state.OVERRIDES].items()
            if not k.startswith(f"queues.{queue}.") and k != "workforce.shrinkage"}
    try:
        over = {**keep, **_inputs(base, state.current(), queue)}
        sc = base.with_overrides(over) if over else base
    except ValueError as exc:
        st.error(f"These inputs are not a valid scenario: {exc}")
        return
    ss[state.OVERRIDES] = over
    ref = state.need_quick(base)
    qp = state.need_quick(sc)
    m1, m2, m3 = st.columns(3)
    m1.metric("FTE", f"{qp.fte:,.1f}", delta=f"{qp.fte - ref.fte:+,.1f}" if over else None,
              delta_color="inverse")
    cur = base.finance.currency
    m2.metric(f"Cost of the horizon ({cur})", f"{qp.total_cost:,.0f}",
              delta=f"{qp.total_cost - ref.total_cost:+,.0f}" if over else None,
              delta_color="inverse")
    s = qp.summary.set_index("queue").loc[queue]
    m3.metric(f"{queue}: service level", f"{s['service_level']:.1%}")
    if over:
        st.caption("Changed: " + "; ".join(f"{k} = {v}" for k, v in over.items()))
    fmt = {c: st.column_config.NumberColumn(format="%.3f")
           for c in ("service_level", "abandon_rate", "occupancy")}
    fmt.update({c: st.column_config.NumberColumn(format="%.0f")
                for c in ("offered", "contained", "to_agents", "agent_hours", "paid_hours",
                          "peak_agents", "asa")})
    fmt["fte"] = st.column_config.NumberColumn(format="%.1f")
    st.dataframe(qp.summary, hide_index=True, column_config=fmt)
    st.dataframe(qp.cost.to_frame(), hide_index=True,
                 column_config={"cost": st.column_config.NumberColumn(format="%.0f")})

    st.subheader("Saved scenarios")
    c1, c2 = st.columns([3, 1])
    name = c1.text_input("Name", value=f"what-if {len(ss[state.SAVED]) + 1}", key="wi_name")
    if c2.button("Save scenario", key="wi_save"):
        ss[state.SAVED][name] = dict(over)
    if st.button("Reset the inputs", key="wi_reset"):
        ss[state.OVERRIDES] = {}
        for k in list(ss.keys()):
            if str(k).startswith("wi_") and k not in ("wi_queue", "wi_name"):
                del ss[k]
        st.rerun()
    rows = [_row("base", ref)]
    for nm, ov in ss[state.SAVED].items():
        rows.append(_row(nm, state.need_quick(base.with_overrides(ov) if ov else base)))
    table = pd.DataFrame(rows)
    ss["comparison"] = table
    st.dataframe(table, hide_index=True, column_config={
        c: st.column_config.NumberColumn(format="%.1f" if c == "FTE" else
                                         "%.0f" if c == "total cost" or "ASA" in c else "%.3f")
        for c in table.columns if c != "scenario"})
