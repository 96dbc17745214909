"""Several agent groups scheduled together: cross-trained shifts count for every queue
they serve.

Groups linked by the queues they share (a cross-trained group next to the
dedicated ones, an overflow group) cannot be scheduled one by one: how many
voice agents a day needs depends on how many sales-and-voice agents are on
duty.  :func:`joint_schedule` extends the program of
:mod:`plan.least_cost` to a set of groups: each group has its own shift
columns (its templates, its wage, its cap and floor, its breaks) and its own
agents on duty; each group's agents on the phones are shared among the
queues it serves (``n_gqi >= 0``, ``sum_q n_gqi <= (1 - shrinkage) * duty_gi``),
and a queue's agents are the sum over its groups (``n_qi = sum_g n_gqi``),
on which its floors, cuts and period targets act as for one group:

    minimise   sum_g sum_j cost_gj x_gj
    subject to sum_q n_gqi <= (1 - shrinkage) * duty_gi(x_g)    for every group g
               n_qi = sum_g n_gqi                                for every queue q
               (floors, cuts and targets on n_qi as in plan.least_cost)

So a cross-trained agent counts for whichever queue needs it in each
interval (the linear program's view of pooling: agents move between queues
from interval to interval at no cost).  The queueing gain of pooling (an
idle agent takes the other queue's next contact within the interval) is not
in the formula: the simulation of the routing measures it and the integrated
plan's cuts give it back (:mod:`plan.integrated`).

Solving: as in :mod:`plan.least_cost`, day by day with the next day's
shifts chosen again at the next step; each window's linear program, then
its first day's shifts rounded by HiGHS with the shifts the program left
whole fixed and the others rounded down or up (a node-limited branch and
bound).  Scheduled activities are not placed here: a joint schedule grosses
them up with the shrinkage.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .least_cost import (GroupSchedule, _bound_rows, _covers_less, _day_columns, _day_spill,
                         _queue_models, _spill, _targets, _week_split, _Window)

__all__ = ["JointGroup", "joint_schedule"]


@dataclass(frozen=True)
class JointGroup:
    """One group of a joint schedule.

    Attributes
    ----------
    name : str
    templates : tuple of ShiftTemplate
        The shifts it may work.
    hourly_cost : float
        Wage per paid hour (> 0).
    serves : tuple of str
        The queues its agents may answer.
    max_on_duty : float, optional
        Cap on its agents on duty per interval.
    min_agents : int
        Its agents on duty in every interval where a queue it serves has
        demand, at least.
    """

    name: str
    templates: tuple
    hourly_cost: float
    serves: tuple
    max_on_duty: float | None = None
    min_agents: int = 0


def joint_schedule(groups, demands, *, day0, ndays, interval, shrinkage, previous=None,
                   redo=()):
    """The least-cost shift starts of several groups together against their queues' targets.

    Parameters
    ----------
    groups : sequence of JointGroup
    demands : sequence of plan.least_cost.QueueDemand
        Every queue a group serves, with its demand and margins.
    day0 : pandas.Timestamp
        Midnight of the horizon's first day.
    ndays : int
        Days in the horizon.
    interval : int
        Interval length, minutes.
    shrinkage : float
        Share of paid time off the phones.
    previous : dict, optional
        Group name -> its :class:`plan.least_cost.GroupSchedule` from an earlier
        call on the same groups and horizon: the days not in ``redo`` are kept.
    redo : collection of int
        Days to schedule again when ``previous`` is given (and the day after
        each, when the night shifts running into it now cover less of it, as
        in :func:`plan.least_cost.least_cost_schedule`).

    Returns
    -------
    dict
        Group name -> :class:`plan.least_cost.GroupSchedule`; its ``phones``
        are the agents on the phones the program gave each queue the group
        serves (their sum over the groups is the queue's agents).

    Examples
    --------
    >>> import pandas as pd
    >>> from ccwfm.plan.least_cost import QueueDemand
    >>> from ccwfm.plan.scenario import QueueConfig, Target
    >>> from ccwfm.plan.shifts import ShiftTemplate
    >>> day = pd.Timestamp("2025-03-03")
    >>> t = (ShiftTemplate("d", length=480, starts=("08:00",)),)
    >>> vol = [0.0] * 32 + [30.0] * 32 + [0.0] * 32
    >>> qs = [QueueConfig(n, demo=True, target=Target(service_level=0.8, target_time=20,
    ...                                                 level="day")) for n in ("a", "b")]
    >>> dem = [QueueDemand(q, vol, [300.0] * 96, {}) for q in qs]
    >>> gs = [JointGroup("ga", t, 20.0, ("a",)), JointGroup("both", t, 22.0, ("a", "b"))]
    >>> out = joint_schedule(gs, dem, day0=day, ndays=1, interval=15, shrinkage=0.0)
    >>> sorted(out), int(out["ga"].x.sum() + out["both"].x.sum()) >= 20
    (['both', 'ga'], True)
    """
    per_day = 1440 // interval
    n = ndays * per_day
    day0 = pd.Timestamp(day0)
    weekday0 = day0.weekday()
    models = _queue_models(demands, [m for g in (previous or {}).values() for m in g.models],
                           interval=interval, per_day=per_day, weekday0=weekday0)
    names = {m.name for m in models}
    for g in groups:
        for q in g.serves:
            if q not in names:
                raise ValueError(f"'demands' must hold every queue group {g.name!r} serves: "
                                 f"{q!r} missing")
    redo = set(int(d) for d in redo)
    cost_t = [np.array([t.paid_hours * g.hourly_cost * t.cost_factor for t in g.templates])
              for g in groups]
    penalty = 1000.0 * max(float(c.max()) for c in cost_t)
    by_name = {m.name: m for m in models}
    demand_any = [np.any([by_name[q].live for q in g.serves], axis=0) for g in groups]
    duty = [np.zeros(n + per_day) for _ in groups]
    pair = {(gi, q): np.zeros(n) for gi, g in enumerate(groups) for q in g.serves}
    phones = {m.name: np.zeros(n) for m in models}
    state = [dict(xs=[], metas=[], breaks=[], n_cols=0, days=[], short=0.0) for _ in groups]
    optimal = True
    split = _week_split(models, per_day, None if previous is None else redo,
                        lambda d0, d1: _joint_window(
                            groups, day0, d0, d1, interval, per_day, cost_t, models, duty,
                            shrinkage, demand_any, penalty, whole_weeks=True)[0])
    spill = None          # per group, what the day before (scheduled again) leaves on this day
    for d in range(ndays):
        lo_i = d * per_day
        weekday = (weekday0 + d) % 7
        keep = previous is not None and d not in redo
        if keep and spill is not None:
            # Scheduled again when the night shifts of the day before now cover less.
            keep = not any(_covers_less(spill[gi], _day_spill(
                previous[g.name].days[d - 1], g.templates, (weekday0 + d - 1) % 7, interval,
                per_day)) for gi, g in enumerate(groups))
        resolved = not keep
        spill = [] if resolved else None
        if keep:
            per_group = []
            for gi, g in enumerate(groups):
                x, w, short_d, phones_d, _ = previous[g.name].days[d]
                meta, a, (a_w, _, _), w_meta = _day_columns(tuple(g.templates), weekday, 1,
                                                            interval)
                per_group.append((x, w, short_d, phones_d, a, a_w, w_meta, meta))
        else:
            carries = {m.name: m.carry(phones[m.name], lo_i) for m in models if m.deferrable}
            args = (groups, day0, d, d + 1, interval, per_day, cost_t, models, duty, shrinkage,
                    demand_any, penalty)
            win, cols = _joint_window(*args, split=split, spill=True, carries=carries)
            try:
                sol, opt = win.solve(integer=True)
            except RuntimeError:
                win, cols = _joint_window(*args, split=split, spill=True, carries=carries,
                                          relax=True)
                sol, opt = win.solve(integer=True)
                state[0]["short"] += 1.0
            optimal &= opt
            short_all = float(sol[win.slack_cols].sum())
            per_group = []
            for gi, g in enumerate(groups):
                c0, c1, w0, w1, a, a_w, w_meta, meta = cols[gi]
                x = sol[c0:c1].round()
                w = sol[win.nx + w0:win.nx + w1].round()
                phones_d = {q: np.maximum(sol[win.pair_off[(gi, q)]:win.pair_off[(gi, q)]
                                              + per_day], 0.0) for q in g.serves}
                per_group.append((x, w, short_all if gi == 0 else 0.0, phones_d, a, a_w,
                                  w_meta, meta))
        for gi, (x, w, short_d, phones_d, a, a_w, w_meta, meta) in enumerate(per_group):
            st = state[gi]
            st["days"].append((x, w, short_d, phones_d, np.zeros(0)))
            cov = a @ x - a_w @ w
            if resolved:
                spill.append(_spill(cov, np.zeros(0), per_day))
            taken = w > 0.5
            if taken.any():
                wm = w_meta[taken]
                st["breaks"].append(np.column_stack([wm[:, 0] + st["n_cols"], wm[:, 1],
                                                     wm[:, 2], w[taken]]).astype(np.int64))
            st["n_cols"] += x.size
            top = min(cov.size, duty[gi].size - lo_i)
            duty[gi][lo_i:lo_i + top] += cov[:top]
            st["xs"].append(x)
            st["metas"].append(meta + np.array([0, d, 0]))
            st["short"] += short_d
            for q, v in phones_d.items():
                pair[(gi, q)][lo_i:lo_i + per_day] = v
        for m in models:
            phones[m.name][lo_i:lo_i + per_day] = sum(
                pair[(gi, m.name)][lo_i:lo_i + per_day] for gi, g in enumerate(groups)
                if m.name in g.serves)
    out = {}
    for gi, g in enumerate(groups):
        st = state[gi]
        x = np.concatenate(st["xs"]).round().astype(np.int64)
        brk = np.concatenate(st["breaks"]) if st["breaks"] else np.zeros((0, 4), np.int64)
        out[g.name] = GroupSchedule(
            x, np.concatenate(st["metas"]), brk, duty[gi][:n],
            {q: pair[(gi, q)] for q in g.serves}, st["short"], optimal, tuple(st["days"]),
            tuple(models), np.zeros(n))
    return out


def _joint_window(groups, day0, d0, d1, interval, per_day, cost_t, models, duty, shrinkage,
                  demand_any, penalty, *, split=None, whole_weeks=False, spill=False,
                  carries=None, relax=False):
    """The :class:`plan.least_cost._Window` of the groups over days ``d0 <= d < d1``,
    and per group ``(first column, end, first break column, end, a, a_w, w_meta,
    meta)`` of its block."""
    nd = d1 - d0
    first = pd.Timestamp(day0) + pd.Timedelta(days=d0)
    cols = [_day_columns(tuple(g.templates), first.weekday(), nd, interval) for g in groups]
    lo_i, hi_i = d0 * per_day, d1 * per_day
    cut_len = hi_i - lo_i
    if spill:
        last = max((int(a.indices.max()) + 1 if a.indices.size else cut_len)
                   for _, a, _, _ in cols)
        hi_i = min(lo_i + max(last, cut_len), demand_any[0].size)
    L = hi_i - lo_i
    blocks_a, blocks_w, blocks_link, blocks_lx = [], [], [], []
    cost, metas, w_metas, bounds = [], [], [], []
    fixed, cap, floor = [], [], []
    out = []
    c0 = w0 = 0
    for gi, (g, (meta, a, (a_w, link, link_x), w_meta)) in enumerate(zip(groups, cols)):
        a, a_w = a[:L], a_w[:L]
        blocks_a.append(a)
        blocks_w.append(a_w)
        blocks_link.append(link)
        blocks_lx.append(link_x)
        cost.append(cost_t[gi][meta[:, 0]])
        metas.append(meta)
        wm = w_meta.copy()
        wm[:, 0] += c0
        w_metas.append(wm)
        bounds += _bound_rows(g.templates, meta, nd, col0=c0)
        fixed.append(duty[gi][lo_i:hi_i])
        cap.append(np.full(L, np.inf if g.max_on_duty is None else float(g.max_on_duty)))
        floor.append(np.where(demand_any[gi][lo_i:hi_i], float(g.min_agents), 0.0))
        out.append((c0, c0 + a.shape[1], w0, w0 + a_w.shape[1], a, a_w, w_meta, meta))
        c0 += a.shape[1]
        w0 += a_w.shape[1]
    a = sp.block_diag(blocks_a, format="csr")
    a_w = sp.block_diag(blocks_w, format="csr") if w0 else sp.csr_array((L * len(groups), 0))
    link = sp.block_diag(blocks_link, format="csr") if w0 else sp.csr_array((0, 0))
    n_link = link.shape[0]
    link_x = (sp.block_diag(blocks_lx, format="csr") if n_link
              else sp.csr_array((0, c0)))
    if w0 == 0:
        link = sp.csr_array((0, 0))
    meta = np.concatenate(metas)
    w_meta = np.concatenate(w_metas) if w_metas else np.zeros((0, 3), np.int64)
    any_cap = any(g.max_on_duty is not None for g in groups)
    any_floor = any(g.min_agents for g in groups)
    targets = _targets(models, d0, nd, lo_i, hi_i, per_day, split, whole_weeks)
    win = _Window(a, (a_w, link, link_x), np.concatenate(cost), meta, models, lo_i, hi_i,
                  np.concatenate(fixed), shrinkage, np.concatenate(cap) if any_cap else None,
                  np.concatenate(floor) if any_floor else None, targets, bounds, penalty,
                  cut_len, carries, relax, None, serves=[tuple(g.serves) for g in groups])
    win.w_meta, win.w_col = w_meta, w_meta[:, 0]
    win.per_day = per_day
    win.col_group = np.concatenate([np.full(o[1] - o[0], gi, np.int64)
                                    for gi, o in enumerate(out)])
    return win, out
