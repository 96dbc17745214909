"""What-if page: bot containment, AHT, target, shrinkage, concurrency, patience;
FTE, KPIs and cost recomputed at once; saved what-ifs (kept in the session and
in a saved plan) side by side, each renamed, deleted or applied to the inputs.

Each queue's KPI is shown against its own kind of target: the service level
for a service-level target, the ASA for an ASA target (e-mail), the
abandonment for an abandonment target.
"""

import pandas as pd
import streamlit as st

from . import errors, fmt, state


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


def headline(target):
    """(summary column, label, display kind, target value) of a queue's own target.

    Examples
    --------
    >>> from ccwfm import plan
    >>> headline(plan.Target(asa=3600.0))
    ('asa', 'ASA', 'seconds', 3600.0)
    """
    if target.service_level is not None:
        return "service_level", "service level", "pct", target.service_level
    if target.asa is not None:
        return "asa", "ASA", "seconds", target.asa
    if target.abandon_rate is not None:
        return "abandon_rate", "abandonment", "pct", target.abandon_rate
    if target.occupancy is not None:
        return "occupancy", "occupancy", "pct", target.occupancy
    return "asa", "ASA", "seconds", None


def comparison(named):
    """The saved what-ifs side by side, from ``named``: (name, quick plan, scenario) per row.

    Returns ``(wide, plans, queues)``: ``wide`` one row per what-if with its
    FTE, total cost and per queue its headline KPI (:func:`headline`), target
    and abandonment (``<queue>: <kpi>`` columns: the download,
    ``scenario_comparison``); what the page shows, as wide as the page
    whatever the number of queues: ``plans`` (what-if, FTE, total cost) and
    ``queues``, one row per queue and what-if (a queue's what-ifs one under
    the other): the ``metric`` of its target, its ``value`` and ``target``
    in that KPI's unit, its ``abandon_rate``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from ccwfm import plan
    >>> sc = plan.demo_scenario(weeks=1)
    >>> qp = SimpleNamespace(fte=40.2, total_cost=51000.0, summary=pd.DataFrame({
    ...     "queue": ["voice", "email"], "service_level": [0.86, 0.3], "asa": [9.0, 950.0],
    ...     "abandon_rate": [0.03, 0.0]}))
    >>> wide, plans, queues = comparison([("base", qp, sc), ("more", qp, sc)])
    >>> plans.columns.tolist(), queues["queue"].tolist(), queues["metric"].tolist()[-1]
    (['what-if', 'FTE', 'total cost'], ['voice', 'voice', 'email', 'email'], 'asa')
    """
    wide, long = [], []
    for name, qp, scenario in named:
        row = {"what-if": name, "FTE": qp.fte, "total cost": qp.total_cost}
        for r in qp.summary.itertuples():
            col, label, _, goal = headline(scenario.queue(r.queue).target)
            row[f"{r.queue}: {label}"] = getattr(r, col)
            if goal is not None:
                row[f"{r.queue}: target"] = goal
            row[f"{r.queue}: abandonment"] = r.abandon_rate
            long.append({"queue": r.queue, "what-if": name, "metric": col,
                         "value": getattr(r, col), "target": goal,
                         "abandon_rate": r.abandon_rate})
        wide.append(row)
    wide = pd.DataFrame(wide)
    queues = pd.DataFrame(long, columns=["queue", "what-if", "metric", "value", "target",
                                         "abandon_rate"])
    return wide, wide[["what-if", "FTE", "total cost"]], fmt.grouped(queues, "queue")


def _queue_metric(col, qp, base, queue):
    col_name, label, kind, goal = headline(base.queue(queue).target)
    s = qp.summary.set_index("queue").loc[queue]
    value = s[col_name]
    shown = fmt.value(value, kind) if pd.notna(value) else "-"
    within = (f" within {base.queue(queue).target.target_time:,.0f} s"
              if col_name == "service_level" else "")
    target = f" (target {fmt.value(goal, kind)}{within})" if goal is not None else ""
    col.metric(f"{queue}: {label}{target}", shown,
               help="The queue's KPI against its own kind of target (formula staffing).")


def _saved_list(ss, base):
    """Each saved what-if: apply to the inputs, rename, delete."""
    saved = state.saved_whatifs()
    if not saved:
        st.caption("No saved what-ifs yet: set the inputs above, name them and save.")
        return
    for nm, ov in list(saved.items()):
        with st.expander(f"{nm}: {len(ov)} change{'' if len(ov) == 1 else 's'}"):
            st.caption("; ".join(f"{k} = {v}" for k, v in ov.items()) or "no change (the base)")
            c1, c2, c3, c4 = st.columns([3, 1, 1, 1])
            new = c1.text_input("Name", value=nm, key=f"wi_saved_name_{nm}",
                                label_visibility="collapsed")
            if c2.button("Rename", key=f"wi_saved_rename_{nm}"):
                try:
                    state.rename_whatif(nm, new)
                except ValueError as exc:
                    st.error(str(exc))
                else:
                    st.rerun()
            if c3.button("Apply", key=f"wi_saved_apply_{nm}",
                         help="Set the inputs above to this what-if."):
                state.apply_whatif(nm)
                st.rerun()
            if c4.button("Delete", key=f"wi_saved_delete_{nm}"):
                state.delete_whatif(nm)
                st.rerun()


@st.fragment
def _live():
    """The inputs and what they give: FTE, cost, KPIs, the summary and the costs.

    A fragment: moving an input reruns only this part (not the page, the
    sidebar, the saved what-ifs or their table, which do not depend on the
    inputs), which keeps a what-if fast when several planners share a server.
    Its errors are shown here (a fragment's rerun does not pass the page's
    handler).
    """
    with errors.shown():
        _live_body()


def _live_body():
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
    m1.metric("FTE", fmt.value(qp.fte, "number", 1),
              delta=f"{qp.fte - ref.fte:+,.1f}" if over else None, delta_color="inverse")
    cur = base.finance.currency
    m2.metric(f"Cost of the horizon ({cur})", fmt.value(qp.total_cost, "money"),
              delta=f"{qp.total_cost - ref.total_cost:+,.0f}" if over else None,
              delta_color="inverse")
    _queue_metric(m3, qp, sc, queue)
    if over:
        st.caption("Changed: " + "; ".join(f"{k} = {v}" for k, v in over.items()))
    # Plain tables (as the saved what-ifs' below): small, and drawn again at every input.
    fmt.table(qp.summary, kinds={"fte": "number"}, decimals={"fte": 1}, currency=cur,
              static=True)
    fmt.costs(qp.cost, cur, key="wi_costs", static=True)


def render():
    st.header("What-if")
    ss = st.session_state
    base = state.base()
    _live()
    over = ss[state.OVERRIDES]
    cur = base.finance.currency
    ref = state.need_quick(base)

    st.subheader("Saved what-ifs")
    c1, c2 = st.columns([3, 1])
    name = c1.text_input("Name", value=f"what-if {len(state.saved_whatifs()) + 1}",
                         key="wi_name")
    if c2.button("Save what-if", key="wi_save"):
        try:
            state.save_whatif(name, over)
        except ValueError as exc:
            st.error(str(exc))
    if st.button("Reset the inputs", key="wi_reset"):
        ss[state.OVERRIDES] = {}
        state.clear_whatif_inputs()
        st.rerun()
    _saved_list(ss, base)
    named = [("base", ref, base)]
    for nm, ov in state.saved_whatifs().items():
        variant = base.with_overrides(ov) if ov else base
        named.append((nm, state.need_quick(variant), variant))
    wide, plans, queues = comparison(named)
    ss["comparison"] = wide
    st.caption("Saved what-ifs are kept in this session and in the saved plan (Data page, "
               "Save the plan). Each queue against its own kind of target.")
    fmt.table(plans, kinds={"FTE": "number", "total cost": "money"}, decimals={"FTE": 1},
              currency=cur, key="wi_comparison", static=True)
    fmt.table(queues, key="wi_comparison_queues", static=True)
