"""Least-cost shifts that meet each queue's target at its level (integrated scheduling).

The two-step method (:mod:`plan.requirements` then :mod:`plan.schedule`)
makes every interval meet the target on its own, then covers that
requirement with whole shifts: a peaky day is over-staffed twice.  Here the
shift starts are chosen directly against each queue's target at its level
(``target.level``: "day" or "week"; "interval" keeps the per-interval
requirement), as in Atlason, Epelman and Henderson (2004, 2008) and Avramidis
et al. (2010):

    minimise   sum_j cost_j x_j                      (x_j agents starting shift j)
    subject to sum_q n_qi <= (1 - shrinkage) * duty_i(x)         (agents on the phones)
               n_qi >= floor_qi                                  (the interval floor)
               s_qi <= cut_k(n_qi)   for every cut k             (within target, concave)
               sum_{i in P} s_qi >= delta_qP * offered_qP        (the level target)
               (and the same for abandonment and ASA, with convex cuts)

``s_qi`` stands for the contacts answered within the target time less the
target share (``within - T * base``), a concave function of the agents
above the offered load, so its hull gives cuts exact at whole numbers
(:mod:`plan._curves`).  Agents on the phones are fractional (shifts less
shrinkage): requirements stay fractional until shifts are chosen.

Solving: HiGHS (:func:`scipy.optimize.milp`) on windows of one day (plus the
next day when shifts cross midnight, whose choice is made again at the next
step: a rolling horizon), in order, with the shifts of earlier days fixed.
Each window is solved as a linear program, then as a small integer program
in which the shifts the LP left whole are fixed and the others may be
rounded down or up: typically within half a percent of the full integer
optimum, in a fraction of its time (see the README, "Least-cost plans").
Weekly targets are split into daily ones by the linear program of the whole
week first.  Penalised slacks keep every window feasible: a target that
cannot be met (a cap on agents, hours no shift covers) is reported as a
shortfall, not an error.
"""

import copy
import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint

from ccwfm import erlang
from ccwfm._validation import DAY_MINUTES as DAY

from ._curves import hull_cuts, kpi_grid
from ._highs import milp
from ._search import backlog_search, backlog_state, joint_search, local_search
from .backlog import backlog_lp, deadlines, fluid_backlog
from .schedule import coverage_model

__all__ = ["GroupSchedule", "QueueDemand", "least_cost_schedule"]

WIDTH_MAX = 400
"""Most agent counts per interval the cuts look at (above, the KPI is taken flat)."""

_MIP_TIME = 30.0       # seconds HiGHS may spend on one window's rounding, at most
_MIP_NODES = 50        # branch-and-bound nodes of one window's rounding
_MIP_GAP = 2e-2
_JOINT_NODES = 100     # the same for a window of several groups (plan.joint)
_JOINT_GAP = 1e-2
_JOINT_EXACT = 24      # a joint window with at most this many shifts a day: HiGHS rounds it
_ROUNDING = "greedy"
_EPS = 1e-9


@dataclass(frozen=True)
class QueueDemand:
    """What one queue brings to its group's schedule, on the horizon's grid.

    Attributes
    ----------
    queue : plan.scenario.QueueConfig
    volume, aht : ndarray
        Contacts reaching agents per interval and their handle time (s).
    delta : dict
        Margins per target and period of the target's level, ``{(kind,
        period): value}`` with kind "sl" (points added to the service-level
        target), "ab" (points taken from the abandonment target) or "wait"
        (share taken from the ASA target): the simulation check's cuts;
        empty at first.
    floor_shift : tuple
        ``(service level, abandonment)``: how far the formula's interval floor
        (``Target.floor_service_level``) is lowered and its abandonment
        ceiling raised, so that they hold in simulation rather than by the
        formula (the simulation check's calibration; zeros at first).
    """

    queue: object
    volume: np.ndarray
    aht: np.ndarray
    delta: dict
    floor_shift: tuple = (0.0, 0.0)


@dataclass(frozen=True)
class GroupSchedule:
    """One group's schedule.

    Attributes
    ----------
    x : ndarray of int
        Agents per shift column (see ``meta``).
    meta : ndarray (columns, 3)
        Template index, day index, start minute of each column.
    breaks : ndarray (rows, 4)
        Breaks placed by the optimiser: column (row of ``meta``), the
        template's break window, offset from the shift start (minutes),
        agents taking it there.
    duty : ndarray
        Agents on duty per interval of the horizon.
    phones : dict
        Queue name -> agents on the phones per interval (fractional) the
        optimiser gave it.
    shortfall : float
        Agent-intervals of floors left unmet plus the periods' unmet targets
        (in contacts) that no schedule within the caps could meet.
    optimal : bool
        Every window's rounding finished within its time limit.
    days : tuple
        Per day: the shifts and breaks chosen, the shortfall, the phones and
        the activities (to schedule again only some days, see ``previous``).
    models : tuple
        The queues' floors and cuts (reused when scheduling again).
    activity : ndarray
        Agents in scheduled activities per interval (``activity`` share),
        among those on duty.
    """

    x: np.ndarray
    meta: np.ndarray
    breaks: np.ndarray
    duty: np.ndarray
    phones: dict
    shortfall: float
    optimal: bool
    days: tuple = ()
    models: tuple = ()
    activity: np.ndarray | None = None


def period_index(n, per_day, weekday0, level):
    """Period of each interval: the day, or the week (Monday to Sunday) from the horizon start."""
    day = np.arange(n) // per_day
    if level == "week":
        return (day + weekday0) // 7
    return day


def open_mask(queue, n, per_day, weekday0, interval):
    """The queue's business hours (:meth:`plan.scenario.QueueConfig.open_minutes`) as one
    boolean per interval of a horizon of ``n`` intervals starting on ``weekday0``."""
    a, b, days = queue.open_minutes()
    minute = (np.arange(n) % per_day) * interval
    weekday = (weekday0 + np.arange(n) // per_day) % 7
    return (minute >= a) & (minute + interval <= b) & np.isin(weekday, days)


def queue_open_mask(queue, starts, interval):
    """:func:`open_mask` of ``queue`` on the horizon of interval ``starts``."""
    starts = pd.DatetimeIndex(starts)
    return open_mask(queue, len(starts), DAY // interval, starts[0].normalize().weekday(),
                     interval)


def queue_deadlines(queue, starts, interval):
    """``(open, deadline)`` of a deferrable ``queue`` with a window: its business
    hours and each interval's deadline (:func:`plan.backlog.deadlines`)."""
    mask = queue_open_mask(queue, starts, interval)
    t = queue.target
    return mask, deadlines(mask, interval=interval, window=t.window, basis=t.window_basis)


def deferrable_target(queue):
    """``(window, within, basis)`` of a deferrable queue's target: its ``window``, or a
    service level within ``target_time`` read as such a window (calendar time)."""
    t = queue.target
    if t.window is not None:
        return t.window, t.within, t.window_basis
    if t.service_level is not None:
        return t.target_time, t.service_level, "calendar"
    return None, None, "calendar"


class _QueueModel:
    """Floors and cuts of one queue over the whole horizon (see :mod:`plan._curves`)."""

    def __init__(self, demand, *, interval, per_day, weekday0):
        q = demand.queue
        t = q.target
        lam = np.asarray(demand.volume, float)
        aht = np.asarray(demand.aht, float)
        n = lam.size
        self.name, self.queue, self.lam, self.delta = q.name, q, lam, demand.delta
        self.floor_shift = tuple(demand.floor_shift)
        self.level = t.level
        self.period = period_index(n, per_day, weekday0, t.level)
        live = lam > 0
        self.live = live
        self.deferrable = q.is_deferrable
        self.sl = self.ab = self.wait = None
        self.kinds = ()
        if self.deferrable:
            self._backlog(q, lam, aht, interval, per_day, weekday0)
            return
        kw = dict(interval=interval * 60.0, patience=q.patience, concurrency=q.concurrency,
                  concurrency_factor=q.concurrency_factor)
        lo = np.zeros(n)
        floors = dict(service_level=t.floor_service_level, asa=t.ceiling_asa,
                      abandon_rate=t.ceiling_abandon_rate if q.patience is not None else None,
                      occupancy=t.occupancy)
        if t.service_level is not None and not floors["service_level"]:
            floors["service_level"] = None
        down, up = self.floor_shift
        if floors["service_level"] and down:
            floors["service_level"] = min(max(floors["service_level"] - down, 0.01), 0.99)
        if floors["abandon_rate"] is not None and up:
            floors["abandon_rate"] = min(max(floors["abandon_rate"] + up, 1e-4), 0.99)
        if any(x is not None for x in floors.values()) and live.any():
            lo[live] = erlang.required_agents(
                lam[live], aht[live], target_time=t.target_time if floors["service_level"]
                else None, basis=t.basis, fractional=True, **floors, **kw)
        self.lo = lo
        if t.level == "interval" or not live.any():
            return
        # The range of agents the cuts describe: from the floor to well above the target.
        strict = {}
        if t.service_level is not None:
            strict.update(service_level=min(0.995, t.service_level + 0.15),
                          target_time=t.target_time)
        if t.asa is not None:
            strict["asa"] = t.asa / 4.0
        if t.abandon_rate is not None and q.patience is not None:
            strict["abandon_rate"] = t.abandon_rate / 4.0
        if not strict:
            return
        idx = np.flatnonzero(live)
        hi = erlang.required_agents(lam[idx], aht[idx], basis=t.basis, **strict, **kw)
        k0 = np.floor(lo[idx] + _EPS).astype(np.int64)
        width = np.clip(np.maximum(hi + 3, np.ceil(lo[idx]) + 3) - k0, 2, WIDTH_MAX).astype(np.int64)
        m, _ = kpi_grid(lam[idx], aht[idx], k0, width, queue=q, interval=interval)
        lam2 = lam[idx][:, None]
        answered = lam2 * (1.0 - m.abandon_rate)
        self.kinds = ()
        if t.service_level is not None:
            if t.basis == "answered":
                within, base = m.service_level_answered * answered, answered
            else:
                within, base = m.service_level * lam2, lam2
            self.sl = self._cuts(idx, within - t.service_level * base, k0, width, upper=True)
        if t.abandon_rate is not None and q.patience is not None:
            self.ab = self._cuts(idx, m.abandon_rate * lam2, k0, width, upper=False)
        if t.asa is not None:
            wait = np.where(np.isfinite(m.asa), m.asa * answered, np.inf)
            self.wait = self._cuts(idx, wait - t.asa * answered, k0, width, upper=False)
        self.kinds = tuple(k for k, c in (("sl", self.sl), ("ab", self.ab), ("wait", self.wait))
                           if c is not None)

    def _backlog(self, q, lam, aht, interval, per_day, weekday0):
        """Deferrable work: deadlines and targets of the backlog model (:mod:`plan.backlog`)."""
        t = q.target
        n = lam.size
        self.lo = np.zeros(n)
        self.interval = interval
        self.open = open_mask(q, n, per_day, weekday0, interval)
        window, within, basis = deferrable_target(q)
        self.window = window
        self.within = within
        self.asa = t.asa
        if window is not None:
            self.deadline = deadlines(self.open, interval=interval, window=window, basis=basis)
        else:
            self.deadline = np.full(n, n, np.int64)
        # A smooth handle time: the day's contact-weighted mean.
        day = np.arange(n) // per_day
        w = np.bincount(day, lam * aht) / np.maximum(np.bincount(day, lam), 1e-12)
        mean = float(np.average(aht, weights=lam)) if lam.sum() > 0 else 600.0
        w = np.where(np.bincount(day, lam) > 0, w, mean)
        self.aht = np.where(w[day] > 0, w[day], mean)
        self.kinds = tuple(k for k, on in (("sl", window is not None), ("wait", t.asa is not None))
                           if on)

    def backlog_targets(self, p):
        """``(within, asa)`` of period ``p`` with the simulation check's margins."""
        within = self.within
        if within is not None:
            within = min(1.0, within + float(self.delta.get(("sl", p), 0.0)))
        asa = self.asa
        if asa is not None:
            asa = max(asa * (1.0 - float(self.delta.get(("wait", p), 0.0))),
                      0.5 * self.interval * 60.0)
        return within, asa

    def carry(self, phones, lo_i):
        """``(carry_in, carry_in_deadline)`` at interval ``lo_i``: the fluid backlog left by
        the agents ``phones`` (final before ``lo_i``) and the deadline of its oldest
        contacts, relative to ``lo_i``."""
        if lo_i == 0:
            return 0.0, None
        res = fluid_backlog(self.lam[:lo_i], self.aht[:lo_i], phones[:lo_i],
                            np.minimum(self.deadline[:lo_i], lo_i), interval=self.interval)
        left = float(res.carry_out)
        if left <= 1e-9:
            return 0.0, None
        # FIFO: what is left is the latest arrivals; the oldest of them is due first.
        cum = np.cumsum(self.lam[:lo_i][::-1])
        k = lo_i - 1 - int(np.searchsorted(cum, left - 1e-9))
        due = int(self.deadline[max(k, 0)]) - lo_i
        return left, max(due, 0)

    @staticmethod
    def _cuts(idx, values, k0, width, *, upper):
        owner, slope, icpt = hull_cuts(values, k0, width, upper=upper)
        return idx[owner], slope, icpt

    def period_target(self, p, kind):
        """Right-hand side of period ``p``'s constraint of ``kind`` (in contacts)."""
        t = self.queue.target
        sel = self.period == p
        offered = float(self.lam[sel].sum())
        d = float(self.delta.get((kind, p), 0.0))
        if kind == "sl":
            return d * offered                          # sum s >= delta * offered
        if kind == "ab":
            return (t.abandon_rate - d) * offered       # sum abandoned <= (A - delta) offered
        return -d * t.asa * offered                     # sum (wait - ASA answered) <= ...


class _Window:
    """The linear program of one window of days (see the module docstring)."""

    def __init__(self, a, breaks, cost, meta, models, lo_i, hi_i, fixed, shrink, cap,
                 floor_duty, targets, bounds_rows, penalty, cut_len, carries=None,
                 relax=False, activity=None, serves=None):
        # ``serves``: several groups scheduled together (:mod:`plan.joint`): per group, in
        # the order of its row block of ``a`` (L rows each), the names of the models it
        # may give agents to.  A queue's agents are then the sum of its groups' shares.
        carries = carries or {}
        nx = a.shape[1]
        a_w, link, link_x = breaks
        nw = a_w.shape[1]
        L = hi_i - lo_i
        self.a_full, self.a_w_full, self.meta = a, a_w, meta
        self.fixed, self.lo_i = fixed, lo_i
        # Scheduled activities: (share of paid time, paid hours per column, hours per
        # interval, activities already placed in the rows by earlier days).
        share, paid, hours, fixed_act = activity if activity is not None else (
            0.0, None, 0.0, np.zeros(np.size(fixed)))
        self.fixed_act = fixed_act
        keep = 1.0 - shrink
        var = [nx + nw]
        blocks = {}

        def add(name, size):
            blocks[name] = var[0]
            var[0] += size
            return blocks[name]

        r_idx, c_idx, vals, lbs, ubs = [], [], [], [], []
        row = [0]

        def rows(ri, ci, vi, lb, ub):
            r_idx.append(ri + row[0])
            c_idx.append(ci)
            vals.append(vi)
            lbs.append(lb)
            ubs.append(ub)
            row[0] += lb.size

        # On duty in the window's rows: a x - a_w w (breaks placed by the optimiser).
        blocks_n = 1 if serves is None else len(serves)
        acoo = sp.hstack([a[:L * blocks_n], -a_w[:L * blocks_n]], format="coo")
        n_off = {}
        var_bounds = []      # (offset, upper, lower) of the KPI variables
        for m in models:
            n_off[m.name] = add(f"n:{m.name}", L)
        self.act_off = add("act", L) if share > 0 else None
        # Duty: sum_q n_qi - keep * (a x - v)_i <= keep * (fixed - fixed_act)_i, v the
        # agents in scheduled activities.
        ri = [acoo.row]
        ci = [acoo.col]
        vi = [-keep * acoo.data]
        self.pair_off = {}
        if serves is None:
            for m in models:
                ri.append(np.arange(L))
                ci.append(n_off[m.name] + np.arange(L))
                vi.append(np.ones(L))
        else:
            # Each group's share of each queue it serves: n_gqi >= 0 in the group's
            # rows; the queue's agents n_qi = sum_g n_gqi (rows added below).
            for gi, names in enumerate(serves):
                for name in names:
                    off = add(f"p:{gi}:{name}", L)
                    self.pair_off[(gi, name)] = off
                    ri.append(gi * L + np.arange(L))
                    ci.append(off + np.arange(L))
                    vi.append(np.ones(L))
        if self.act_off is not None:
            ri.append(np.arange(L))
            ci.append(self.act_off + np.arange(L))
            vi.append(np.full(L, keep))
        rows(np.concatenate(ri), np.concatenate(ci), np.concatenate(vi),
             np.full(L * blocks_n, -np.inf), keep * (fixed - fixed_act))
        if serves is not None:
            # n_qi - sum_g n_gqi = 0
            for m in models:
                pairs = [off for (gi, name), off in self.pair_off.items() if name == m.name]
                rows(np.tile(np.arange(L), 1 + len(pairs)),
                     np.concatenate([n_off[m.name] + np.arange(L)]
                                    + [off + np.arange(L) for off in pairs]),
                     np.concatenate([np.ones(L)] + [-np.ones(L)] * len(pairs)),
                     np.zeros(L), np.zeros(L))
        if self.act_off is not None:
            # Activities only by this day's agents on duty: v - (a x - a_w w) <= 0 ...
            rows(np.concatenate([acoo.row, np.arange(L)]),
                 np.concatenate([acoo.col, self.act_off + np.arange(L)]),
                 np.concatenate([-acoo.data, np.ones(L)]), np.full(L, -np.inf), np.zeros(L))
            # ... and as many hours as their share of the day's paid hours:
            # hours * sum_i v_i - share * sum_j paid_j x_j = 0.
            rows(np.zeros(nx + L, np.int64), np.concatenate([np.arange(nx),
                                                              self.act_off + np.arange(L)]),
                 np.concatenate([-share * paid, np.full(L, hours)]), np.zeros(1), np.zeros(1))
        self.act_share, self.act_paid = share, paid
        # Cap and floor on agents on duty.
        if cap is not None or floor_duty is not None:
            lb = np.full(L * blocks_n, -np.inf) if floor_duty is None else floor_duty - fixed
            ub = np.full(L * blocks_n, np.inf) if cap is None else np.maximum(cap - fixed, 0.0)
            rows(acoo.row, acoo.col, acoo.data, lb, ub)
        slack_cols, slack_cost = [], []
        # Floors with a penalised slack per interval.
        for m in models:
            lo = m.lo[lo_i:hi_i]
            if relax and m.deferrable:
                # Without its backlog target, deferrable work keeps up with what
                # arrives (no backlog is left to grow from day to day).
                lo = m.lam[lo_i:hi_i] * m.aht[lo_i:hi_i] / (m.interval * 60.0)
            need = np.flatnonzero(lo > 0)
            if need.size:
                off = add(f"u:{m.name}", need.size)
                # n + u >= lo
                rows(np.concatenate([np.arange(need.size)] * 2),
                     np.concatenate([n_off[m.name] + need, off + np.arange(need.size)]),
                     np.ones(2 * need.size), lo[need], np.full(need.size, np.inf))
                slack_cost.append(np.full(need.size, penalty))
                slack_cols.append(off + np.arange(need.size))
        # Cuts and period targets.
        self.kpi = {}
        self.cuts = {}
        period_cons = []
        for m in models:
            for kind, cuts, upper in (("sl", m.sl, True), ("ab", m.ab, False),
                                      ("wait", m.wait, False)):
                if cuts is None:
                    continue
                owner, slope, icpt = cuts
                a0, a1 = np.searchsorted(owner, [lo_i, lo_i + cut_len])
                own = owner[a0:a1] - lo_i
                k = own.size
                if not k:
                    continue
                self.cuts[(m.name, kind)] = (own, slope[a0:a1], icpt[a0:a1])
                off = add(f"{kind}:{m.name}", L)
                self.kpi[(m.name, kind)] = off
                # upper: y - slope n <= icpt ; lower: y - slope n >= icpt
                rows(np.concatenate([np.arange(k)] * 2),
                     np.concatenate([off + own, n_off[m.name] + own]),
                     np.concatenate([np.ones(k), -slope[a0:a1]]),
                     np.full(k, -np.inf) if upper else icpt[a0:a1],
                     icpt[a0:a1] if upper else np.full(k, np.inf))
                # Intervals without cuts (no demand): y fixed at 0 by bounds below.
                lives = np.zeros(L, bool)
                lives[own] = True
                var_bounds.append((off, np.where(lives, np.inf, 0.0),
                                  np.where(lives, -np.inf, 0.0)))
                # Period targets inside the window (with a penalised slack).
                for sel, target in targets.get((m.name, kind), ()):
                    period_cons.append((m.name, kind, sel, target))
                    so = add("t", 1)
                    scale = 1.0 if kind != "wait" else 1.0 / max(m.queue.target.asa, 1.0)
                    sign = 1.0 if kind == "sl" else -1.0
                    # sl: sum s + slack >= target ; ab/wait: sum y - slack <= target
                    rows(np.zeros(sel.size + 1, np.int64), np.append(off + sel, so),
                         np.append(np.full(sel.size, scale), sign),
                         np.array([target * scale if kind == "sl" else -np.inf]),
                         np.array([target * scale if kind != "sl" else np.inf]))
                    slack_cost.append(np.array([penalty * 4.0 * scale]))
                    slack_cols.append(np.array([so]))
        # Deferrable work: the backlog model's constraints on the queue's agents.
        aux_bounds = []
        self.backlog = None
        for m in models:
            if not m.deferrable or m.name not in carries:
                continue
            within, asa = m.backlog_targets(int(m.period[lo_i]))
            if relax or (within is None and asa is None):
                continue
            due = np.minimum(m.deadline[lo_i:hi_i] - lo_i, L)
            carry_in, carry_due = carries[m.name]
            blp = backlog_lp(m.lam[lo_i:hi_i], m.aht[lo_i:hi_i], due, interval=m.interval,
                             within=within, asa=asa, carry_in=carry_in,
                             carry_in_deadline=None if carry_due is None
                             else min(carry_due, int(due[0])),
                             open_mask=m.open[lo_i:hi_i])
            self.backlog = (m, due, carry_in, carry_due, within, asa)
            off = add(f"bl:{m.name}", blp.a_aux.shape[1])
            an, ax = blp.a_agents.tocoo(), blp.a_aux.tocoo()
            rows(np.concatenate([an.row, ax.row]),
                 np.concatenate([n_off[m.name] + an.col, off + ax.col]),
                 np.concatenate([an.data, ax.data]), blp.lb, blp.ub)
            aux_bounds.append((off, blp.aux_lb, blp.aux_ub))
        if nw:
            # Each column's agents take one position of each of its break windows.
            lk = sp.hstack([-link_x, link], format="coo")
            rows(lk.row, lk.col, lk.data, np.zeros(lk.shape[0]), np.zeros(lk.shape[0]))
        for ri_, ci_, lb, ub in bounds_rows:
            rows(ri_, ci_, np.ones(ci_.size), lb, ub)
        self.period_cons = period_cons
        self.floor_pen = penalty
        self.keep = keep
        self.models = models
        plain = nw == 0 and cap is None and floor_duty is None and not bounds_rows
        self.simple = plain and not any(m.deferrable for m in models) and serves is None
        self.joint = serves is not None
        # Deferrable work sharing a group with other queues: rounded by the local
        # search with the LP's agents as its floors (see _round).
        self.mixed_backlog = (plain and serves is None and len(models) > 1
                              and any(m.deferrable for m in models)
                              and not relax)
        self.serves = serves
        self.joint_simple = (plain and self.joint and self.act_off is None
                             and not any(m.deferrable for m in models))
        # One deferrable queue alone: rounded by the fluid backlog's search.
        self.backlog_only = (plain and len(models) == 1 and self.backlog is not None
                             and serves is None)
        nvar = var[0]
        self.nx, self.nw, self.nvar, self.n_off, self.L = nx, nw, nvar, n_off, L
        c = np.zeros(nvar)
        c[:nx] = cost
        if slack_cols:
            c[np.concatenate(slack_cols)] = np.concatenate(slack_cost)
        lb = np.zeros(nvar)
        ub = np.full(nvar, np.inf)
        for off, upper_b, lower_b in var_bounds:
            ub[off:off + L] = upper_b
            lb[off:off + L] = lower_b
        for off, a_lb, a_ub in aux_bounds:
            lb[off:off + a_lb.size] = a_lb
            ub[off:off + a_ub.size] = a_ub
        self.c, self.lb, self.ub = c, lb, ub
        nrow = row[0]
        self.A = sp.csr_array((np.concatenate(vals), (np.concatenate(r_idx),
                                                      np.concatenate(c_idx))),
                              shape=(nrow, nvar))
        self.row_lb, self.row_ub = np.concatenate(lbs), np.concatenate(ubs)
        self.slack_cols = np.concatenate(slack_cols) if slack_cols else np.zeros(0, np.int64)

    def solve(self, integer):
        """``(solution, proven)``: the LP's solution, or the rounded one (see the module
        docstring); ``proven`` is False when the rounding ran out of time."""
        con = LinearConstraint(self.A, self.row_lb, self.row_ub)
        lp = milp(self.c, bounds=Bounds(self.lb, self.ub), constraints=con)
        if lp.x is None:
            raise RuntimeError(f"the least-cost schedule's linear program failed: {lp.message}")
        if not integer:
            return lp.x, True
        nx, nxw = self.nx, self.nx + self.nw
        x = lp.x[:nx]
        if (self.simple or self.mixed_backlog) and _ROUNDING == "greedy":
            return self._placed(self._round(lp.x), con), True
        if self.joint_simple and _ROUNDING == "greedy" and \
                int((self.meta[:, 1] == 0).sum()) > _JOINT_EXACT:
            return self._round_joint(lp.x, con), True
        if self.backlog_only and _ROUNDING == "greedy":
            return self._placed(self._round_backlog(lp.x), con), True
        if _ROUNDING == "mip":
            integrality = np.zeros(self.nvar)
            integrality[:nxw] = 1
            res = milp(self.c, integrality=integrality, bounds=Bounds(self.lb, self.ub),
                       constraints=con, options={"time_limit": _MIP_TIME,
                                                 "mip_rel_gap": 1e-3, "presolve": True})
            if res.x is not None:
                sol = res.x.copy()
                sol[:nxw] = np.round(sol[:nxw])
                return sol, res.status == 0
        lb, ub = self.lb.copy(), self.ub.copy()
        if self.joint:
            # Several groups: a group the LP leaves out (a dearer cross-trained one)
            # may be what rounds best, so nothing is fixed at the LP's values.
            lb[:nx] = np.maximum(np.floor(x + 1e-6) - 1.0, 0.0)
            ub[:nx] = np.ceil(x - 1e-6) + 1.0
        else:
            whole = np.abs(x - np.round(x)) <= 1e-6
            lb[:nx] = np.where(whole, np.round(x), np.floor(x))
            ub[:nx] = np.where(whole, np.round(x), np.ceil(x))
        # Only the first day's shifts are kept (the next day's are chosen again
        # at the next step): the others stay continuous.
        integrality = np.zeros(self.nvar)
        integrality[:nx] = self.meta[:, 1] == 0
        integrality[nx:nxw] = self.meta[self.w_col, 1] == 0
        lb[:nx] = np.where(integrality[:nx] > 0, lb[:nx], self.lb[:nx])
        ub[:nx] = np.where(integrality[:nx] > 0, ub[:nx], self.ub[:nx])
        # A node limit, not a time limit: the same inputs give the same schedule
        # however busy the machine (the time limit only guards against a stall).
        opts = {"time_limit": _MIP_TIME, "node_limit": _JOINT_NODES if self.joint else _MIP_NODES,
                "mip_rel_gap": _JOINT_GAP if self.joint else _MIP_GAP, "presolve": True}
        res = milp(self.c, integrality=integrality, bounds=Bounds(lb, ub), constraints=con,
                   options=opts)
        proven = res.x is not None and res.status == 0
        if res.x is None:
            # No integer solution in time: the shifts rounded up (always enough),
            # breaks placed by the program.
            first = integrality[:nx] > 0
            lb[:nx][first] = ub[:nx][first] = np.ceil(x[first] - 1e-6)
            integrality[:nx] = 0
            res = milp(self.c, integrality=integrality, bounds=Bounds(lb, ub), constraints=con,
                       options={**opts, "time_limit": max(_MIP_TIME, 5.0)})
            if res.x is None:
                raise RuntimeError("the least-cost schedule found no whole schedule: "
                                   f"{res.message}")
        sol = res.x.copy()
        sol[:nxw] = np.round(sol[:nxw])
        return sol, proven


    def _placed(self, sol, con):
        """With scheduled activities: ``sol``'s whole shifts kept, the activities (and the
        agents on the phones) placed again for them by the LP (the searches keep the
        LP's activities while they move shifts)."""
        if self.act_off is None:
            return sol
        nxw = self.nx + self.nw
        lb, ub = self.lb.copy(), self.ub.copy()
        lb[:nxw] = ub[:nxw] = np.round(sol[:nxw])
        res = milp(self.c, bounds=Bounds(lb, ub), constraints=con)
        return res.x if res.x is not None else sol

    def _phones_fixed(self, sol, rows):
        """Agents on duty fixed in the first ``rows`` rows for the phones: earlier days'
        shifts less their activities and this window's activities in ``sol``."""
        out = np.asarray(self.fixed[:rows], float) - self.fixed_act[:rows]
        if self.act_off is not None:
            out = out - sol[self.act_off:self.act_off + rows]
        return out

    def _round_backlog(self, sol, max_moves=2000):
        """Whole agents on the first day's shifts of a deferrable queue alone.

        Starts from the LP's shifts rounded up and applies the move that lowers
        the wages most (:func:`plan._search.backlog_search`) while the fluid
        backlog of the window (the day and the next morning its shifts cover)
        stays within what the LP's own
        agents give: the wait (ASA target), the late contacts (share within
        the window) and the backlog left at the window's end.
        """
        first = self.meta[:, 1] == 0
        out = sol.copy()
        if not first.any():
            return out
        L = self.L
        m, due, carry_in, carry_due, within, asa = self.backlog
        rows = slice(self.lo_i, self.lo_i + L)
        lam, aht = m.lam[rows], m.aht[rows]
        due = np.asarray(due, np.int64)
        arrived = carry_in + np.cumsum(lam)
        due_by = np.cumsum(np.bincount(np.minimum(due, L), weights=lam, minlength=L + 1)[:L])
        if carry_in > 0 and carry_due is not None:
            due_by = due_by + np.where(np.arange(L) >= min(carry_due, int(due[0])),
                                       carry_in, 0.0)
        notdue = arrived - due_by
        count = np.ones(L, np.bool_)
        count[:-1] = m.open[rows][1:]
        dt = m.interval * 60.0
        lp_n = np.asarray(sol[self.n_off[m.name]:self.n_off[m.name] + L], float)
        wait, late, end = backlog_state(lp_n, lam, aht, dt, float(carry_in), notdue, count)
        tol = 1e-6 * max(carry_in + float(lam.sum()), 1.0)
        wait_max = wait + tol * dt if asa is not None else np.inf
        late_max = late + tol if within is not None else np.inf
        a = self.a_full[:L]
        fixed = self._phones_fixed(sol, L)
        cols = np.flatnonzero(first)
        x = backlog_search(np.ceil(sol[cols] - 1e-6), np.ascontiguousarray(a[:, cols].toarray()),
                           fixed, np.asarray(self.c[cols], float), float(self.keep), lam, aht,
                           dt, float(carry_in), notdue, count, float(wait_max), float(late_max),
                           float(end + tol), 1.0 / max(asa or 1.0, 1.0), 4.0 * self.floor_pen,
                           max_moves)
        out[cols] = x
        return out

    def _round(self, sol, max_moves=2000):
        """Whole agents on the first day's shifts by local search from the LP.

        Starts from the LP's shifts rounded down and applies the move (one
        agent more or fewer on one shift, or moved from one shift to
        another) that lowers the window's objective most (wages, plus the
        penalties of unmet floors and of the day's unmet targets, the LP's
        own), until none does (:func:`plan._search.local_search`, Numba).
        The queues share the group's agents in the proportions the LP gave
        them.  Deferrable work next to other queues (chat and e-mail in one
        group) keeps at least the LP's agents in every row, as floors: its
        backlog is then no worse than the LP's (the fluid backlog is monotone
        in the agents), which met its targets.  (Deferrable work alone is
        rounded by :meth:`_round_backlog`.)
        """
        per_day = self.L
        first = np.flatnonzero(self.meta[:, 1] == 0)
        out = sol.copy()
        if not first.size:
            return out
        a0 = self.a_full[:per_day][:, first].toarray()          # (rows, F)
        cost = self.c[first]
        keep = self.keep
        fixed = self._phones_fixed(sol, per_day)
        lp_n = {m.name: sol[self.n_off[m.name]:self.n_off[m.name] + per_day]
                for m in self.models}
        total = sum(lp_n.values())
        share = {k: np.where(total > _EPS, v / np.where(total > _EPS, total, 1.0),
                             1.0 / len(lp_n)) for k, v in lp_n.items()}
        lo_i = self.lo_i
        share_a = np.stack([share[m.name] for m in self.models])
        lo_a = np.stack([np.maximum(m.lo[lo_i:lo_i + per_day], lp_n[m.name] - 1e-9)
                         if m.deferrable else m.lo[lo_i:lo_i + per_day] for m in self.models])
        cuts = self._cut_arrays(per_day)
        x = local_search(
            np.floor(sol[first] + 1e-6), np.ascontiguousarray(a0), np.asarray(fixed, float),
            np.asarray(cost, float), float(keep), share_a.astype(float), lo_a.astype(float),
            float(self.floor_pen), *cuts, max_moves)
        out[first] = x
        return out

    def _round_joint(self, sol, con, max_moves=2000, rounds=4):
        """Whole agents on the first day's shifts of several groups.

        Alternates (at most ``rounds`` times) a search over the shifts with each
        group's agents on the phones shared among its queues in fixed proportions
        (:func:`plan._search.joint_search`; from the LP, or where the LP gives a
        group nothing, in proportion to the queues' agents) and the LP with those
        shifts fixed, which shares the agents anew; from the LP rounded down and
        rounded up; the cheapest whole schedule by the LP's objective is kept.
        """
        L = self.L
        first = np.flatnonzero(self.meta[:, 1] == 0)
        if not first.size:
            return sol.copy()
        G = len(self.serves)
        a0 = np.ascontiguousarray(self.a_full[:L * G][:, first].toarray())
        lo_a = np.stack([m.lo[self.lo_i:self.lo_i + L] for m in self.models]).astype(float)
        fixed_args = (self.col_group[first].astype(np.int64), np.asarray(self.fixed, float),
                      np.asarray(self.c[first], float), float(self.keep))
        cut_args = (lo_a, float(self.floor_pen), *self._cut_arrays(L), max_moves)
        best, best_value = sol.copy(), np.inf
        for start in (np.floor(sol[first] + 1e-6), np.ceil(sol[first] - 1e-6)):
            cur, x = sol, start
            for _ in range(rounds):
                x = joint_search(x, a0, *fixed_args, self._shares(cur), *cut_args)
                lb, ub = self.lb.copy(), self.ub.copy()
                lb[first] = ub[first] = x
                res = milp(self.c, bounds=Bounds(lb, ub), constraints=con)
                if res.x is None:
                    break
                if res.fun < best_value - 1e-9:
                    best, best_value = res.x.copy(), float(res.fun)
                if cur is not sol and np.array_equal(np.round(cur[first]), x):
                    break
                cur = res.x
        best[first] = np.round(best[first])
        return best

    def _shares(self, sol):
        """``share[g, m, r]``: the share of group ``g``'s agents on the phones queue ``m``
        gets in row ``r`` in ``sol`` (where ``g`` has none there, in proportion to the
        queues' agents; evenly where they have none)."""
        L = self.L
        names = [m.name for m in self.models]
        N = np.stack([np.maximum(sol[self.n_off[n]:self.n_off[n] + L], 0.0) for n in names])
        share = np.zeros((len(self.serves), len(names), L))
        for gi, served in enumerate(self.serves):
            idx = [names.index(q) for q in served]
            pairs = np.stack([np.maximum(sol[self.pair_off[(gi, q)]:
                                             self.pair_off[(gi, q)] + L], 0.0) for q in served])
            tot = pairs.sum(axis=0)
            need = N[idx]
            need_tot = need.sum(axis=0)
            fallback = np.where(need_tot > _EPS, need / np.where(need_tot > _EPS, need_tot, 1.0),
                                1.0 / len(idx))
            share[gi, idx] = np.where(tot > _EPS, pairs / np.where(tot > _EPS, tot, 1.0),
                                      fallback)
        return share

    def _cut_arrays(self, per_day):
        """The day targets of the window's first ``per_day`` rows as the searches take
        them: ``(model, upper, target, penalty, ptr, slope, icpt)``."""
        c_model, c_upper, c_target, c_pen = [], [], [], []
        ptrs, slopes, icpts, base = [], [], [], 0
        for mi, m in enumerate(self.models):
            for name, kind, sel, target in self.period_cons:
                if name != m.name or sel.max() >= per_day:
                    continue
                own, slope, icpt = self.cuts[(name, kind)]
                inside = own < per_day
                own, slope, icpt = own[inside], slope[inside], icpt[inside]
                scale = 1.0 if kind != "wait" else 1.0 / max(m.queue.target.asa, 1.0)
                c_model.append(mi)
                c_upper.append(kind == "sl")
                c_target.append(target)
                c_pen.append(4.0 * self.floor_pen * scale)
                counts = np.bincount(own, minlength=per_day)
                ptrs.append(base + np.concatenate([[0], np.cumsum(counts)]))
                slopes.append(slope)
                icpts.append(icpt)
                base += own.size
        C = len(c_model)
        return (np.array(c_model, np.int64).reshape(C), np.array(c_upper, np.bool_).reshape(C),
                np.array(c_target, float).reshape(C), np.array(c_pen, float).reshape(C),
                np.stack(ptrs).astype(np.int64) if C else np.zeros((0, per_day + 1), np.int64),
                np.concatenate(slopes) if C else np.zeros(0),
                np.concatenate(icpts) if C else np.zeros(0))


@functools.lru_cache(maxsize=64)
def _day_columns(templates, weekday, nd, interval):
    """The shifts starting in ``nd`` days from a day of this weekday, with one more
    day of rows for what they cover after them: ``(meta, a, (a_w, link, link_x),
    w_meta)`` (see :func:`plan.schedule.coverage_model`; it depends on nothing else)."""
    day0 = pd.Timestamp("2024-01-01") + pd.Timedelta(days=weekday)    # a Monday + weekday
    cov = coverage_model(list(templates), day0, nd + 1, interval)
    inside = np.flatnonzero(cov.meta[:, 1] < nd)
    meta = cov.meta[inside]
    a = cov.a[:, inside]
    # Break variables of the columns kept, and their linking rows.
    w_keep = np.flatnonzero(np.isin(cov.w_meta[:, 0], inside))
    l_keep = np.flatnonzero(np.isin(cov.link_meta[:, 0], inside))
    breaks = (cov.a_w[:, w_keep], cov.link[l_keep][:, w_keep], cov.link_x[l_keep][:, inside])
    w_meta = cov.w_meta[w_keep].copy()
    w_meta[:, 0] = np.searchsorted(inside, w_meta[:, 0])
    return meta, a, breaks, w_meta


def least_cost_schedule(demands, templates, *, day0, ndays, interval, shrinkage, hourly_cost,
                        max_on_duty=None, min_agents=0, previous=None, redo=(), activity=0.0):
    """The least-cost shift starts of one agent group against its queues' targets.

    Parameters
    ----------
    demands : sequence of QueueDemand
        The group's queues with their demand on the horizon's grid.
    templates : sequence of ShiftTemplate
    day0 : pandas.Timestamp
        Midnight of the horizon's first day.
    ndays : int
        Days in the horizon.
    interval : int
        Interval length, minutes.
    shrinkage : float
        Share of paid time off the phones.
    hourly_cost : float
        Wage per paid hour (> 0).
    max_on_duty : float, optional
        Cap on agents on duty per interval.
    min_agents : int
        Agents on duty in every interval with demand, at least.
    previous : GroupSchedule, optional
        A schedule of the same group and horizon: its days not in ``redo``
        are kept as they are (only the days given are scheduled again, with
        what the days kept cover fixed).
    redo : collection of int
        Days (from ``day0``) to schedule again when ``previous`` is given.
        The day after a day scheduled again is scheduled again too when the
        shifts running past midnight into it now cover less of it (agents on
        duty less activities) than before; otherwise it keeps its shifts, and
        whatever its targets were tuned on.
    activity : float
        Share of paid time in scheduled activities (training, meetings: not in
        ``shrinkage``): each day's shifts spend that share of their paid hours
        off the phones in the intervals the program chooses (where they cost
        least), within their time on duty.

    Returns
    -------
    GroupSchedule
    """
    per_day = DAY // interval
    n = ndays * per_day
    weekday0 = pd.Timestamp(day0).weekday()
    models = _queue_models(demands, previous.models if previous is not None else (),
                           interval=interval, per_day=per_day, weekday0=weekday0)
    redo = set(int(d) for d in redo)
    cost_t = np.array([t.paid_hours * hourly_cost * t.cost_factor for t in templates])
    dearest = float(cost_t.max())
    # Penalties (per agent-interval below a floor; per contact of a period's
    # target, times 4) high enough that only an impossible target is left short.
    penalty = 1000.0 * dearest
    demand_any = np.zeros(n, bool)
    for m in models:
        demand_any |= m.live
    duty = np.zeros(n + per_day)           # fixed coverage, with one day of spill
    act = np.zeros(n + per_day)            # agents in scheduled activities, likewise
    xs, metas = [], []
    phones = {m.name: np.zeros(n) for m in models}
    short, optimal = 0.0, True
    breaks, n_cols = [], 0

    # A week-level target is split into daily ones by the LP of its week
    # (every shift free), so that the days add up to the week.
    split = _week_split(models, per_day, None if previous is None else redo,
                        lambda d0, d1: _window(templates, day0, d0, d1, interval, per_day,
                                               cost_t, models, duty, shrinkage, max_on_duty,
                                               min_agents, demand_any, penalty,
                                               whole_weeks=True, activity=(activity, act)))
    days = []
    spill = None          # what the day before, scheduled again, leaves on this day
    for d in range(ndays):
        lo_i = d * per_day
        keep = previous is not None and d not in redo
        if keep and spill is not None:
            # The shifts of the day before run into this one: it is scheduled again
            # only if they now cover less of it than before.
            old = _day_spill(previous.days[d - 1], templates, (weekday0 + d - 1) % 7,
                             interval, per_day)
            keep = not _covers_less(spill, old)
        spill = None
        if keep:
            x, w, short_d, phones_d, v = previous.days[d]
            meta, a, (a_w, _, _), w_meta = _day_columns(
                tuple(templates), (weekday0 + d) % 7, 1, interval)
        else:
            carries = {}
            for m in models:
                if m.deferrable:
                    staff = ((1.0 - shrinkage) * (duty[:n] - act[:n]) if len(models) == 1
                             else phones[m.name])
                    carries[m.name] = m.carry(staff, lo_i)
            args = (templates, day0, d, d + 1, interval, per_day, cost_t, models, duty,
                    shrinkage, max_on_duty, min_agents, demand_any, penalty)
            win = _window(*args, split=split, spill=True, carries=carries,
                          activity=(activity, act))
            try:
                sol, opt = win.solve(integer=True)
            except RuntimeError:
                # The backlog's target cannot be met (a cap, hours no shift covers):
                # schedule without it; the simulation check reports the miss.
                win = _window(*args, split=split, spill=True, carries=carries, relax=True,
                              activity=(activity, act))
                sol, opt = win.solve(integer=True)
                short += 1.0
            optimal &= opt
            meta, a, a_w, w_meta = win.meta, win.a_full, win.a_w_full, win.w_meta
            x = sol[:win.nx].round()
            w = sol[win.nx:win.nx + win.nw].round()
            short_d = float(sol[win.slack_cols].sum())
            phones_d = {m.name: np.maximum(sol[win.n_off[m.name]:win.n_off[m.name] + per_day],
                                           0.0) for m in models}
            v = (np.maximum(sol[win.act_off:win.act_off + win.L], 0.0)
                 if win.act_off is not None else np.zeros(0))
        days.append((x, w, short_d, phones_d, v))
        cov = a @ x - a_w @ w
        if not keep:
            spill = _spill(cov, v, per_day)
        taken = w > 0.5
        if taken.any():
            wm = w_meta[taken]
            breaks.append(np.column_stack([wm[:, 0] + n_cols, wm[:, 1], wm[:, 2],
                                           w[taken]]).astype(np.int64))
        n_cols += x.size
        top = min(cov.size, duty.size - lo_i)
        duty[lo_i:lo_i + top] += cov[:top]
        top = min(v.size, act.size - lo_i)
        act[lo_i:lo_i + top] += v[:top]
        xs.append(x)
        metas.append(meta + np.array([0, d, 0]))
        for m in models:
            phones[m.name][lo_i:lo_i + per_day] = phones_d[m.name]
        short += short_d
    x = np.concatenate(xs).round().astype(np.int64)
    meta = np.concatenate(metas)
    brk = np.concatenate(breaks) if breaks else np.zeros((0, 4), np.int64)
    return GroupSchedule(x, meta, brk, duty[:n], phones, short, optimal, tuple(days),
                         tuple(models), act[:n])


def _spill(cov, activity, per_day):
    """Agents a day's shifts leave on duty and off activities after its midnight, per
    interval of the next day (``cov`` and ``activity`` over the day's rows and after)."""
    out = np.zeros(per_day)
    extra = cov[per_day:2 * per_day]
    out[:extra.size] = extra
    act = activity[per_day:2 * per_day]
    out[:act.size] -= act
    return out


def _day_spill(day, templates, weekday, interval, per_day):
    """:func:`_spill` of a day of a previous schedule (an entry of ``GroupSchedule.days``)."""
    x, w, _, _, v = day
    _, a, (a_w, _, _), _ = _day_columns(tuple(templates), weekday, 1, interval)
    return _spill(a @ x - a_w @ w, v, per_day)


def _covers_less(new, old):
    """Whether a spill ``new`` covers less than ``old`` in some interval."""
    return bool(np.any(new < old - 1e-6))


def _queue_models(demands, previous, *, interval, per_day, weekday0):
    """The :class:`_QueueModel` of each demand; a previous schedule's model of the same
    queue and volume is reused with the new margins (the cuts do not depend on them)."""
    old = {m.name: m for m in previous}
    models = []
    for d in demands:
        m = old.get(d.queue.name)
        if m is not None and m.queue == d.queue and m.lam.size == len(d.volume) \
                and m.floor_shift == tuple(d.floor_shift) \
                and np.array_equal(m.lam, np.asarray(d.volume, float)):
            m = copy.copy(m)
            m.delta = d.delta
        else:
            m = _QueueModel(d, interval=interval, per_day=per_day, weekday0=weekday0)
        models.append(m)
    return models


def _week_split(models, per_day, redo, week_window):
    """``(queue, kind, day) -> target``: each week-level target split into daily ones by
    the LP of its week (``week_window(d0, d1)``, every shift free), so that the days
    add up to the week; only the weeks holding a day of ``redo`` (all when None)."""
    split = {}
    week_models = [m for m in models if m.level == "week" and m.kinds]
    if not week_models:
        return split
    day_of = np.arange(week_models[0].period.size) // per_day
    for wk in np.unique(week_models[0].period):
        wdays = np.unique(day_of[week_models[0].period == wk])
        d0, d1 = int(wdays[0]), int(wdays[-1]) + 1
        if redo is not None and not redo.intersection(range(d0, d1)):
            continue
        win = week_window(d0, d1)
        sol, _ = win.solve(integer=False)
        for m in week_models:
            for kind in m.kinds:
                off = win.kpi.get((m.name, kind))
                if off is None:
                    continue
                y = sol[off:off + win.L].reshape(d1 - d0, per_day).sum(axis=1)
                for d in range(d0, d1):
                    split[(m.name, kind, d)] = float(y[d - d0])
    return split


def _window(templates, day0, d0, d1, interval, per_day, cost_t, models, duty, shrinkage,
            max_on_duty, min_agents, demand_any, penalty, *, split=None, whole_weeks=False,
            spill=False, carries=None, relax=False, activity=(0.0, None)):
    """The :class:`_Window` of days ``d0 <= d < d1`` with the shifts of earlier days fixed."""
    nd = d1 - d0
    first = pd.Timestamp(day0) + pd.Timedelta(days=d0)
    meta, a, breaks, w_meta = _day_columns(tuple(templates), first.weekday(), nd, interval)
    lo_i, hi_i = d0 * per_day, d1 * per_day
    cut_len = hi_i - lo_i
    if spill:
        # The rows after the window its shifts still cover: their floors are kept
        # (the night shift is chosen for the early hours of the next day).
        rows = a.indices
        last = int(rows.max()) + 1 if rows.size else cut_len
        hi_i = min(lo_i + max(last, cut_len), demand_any.size)
    L = hi_i - lo_i
    a = a[:L]
    fixed = duty[lo_i:hi_i]
    cap = None if max_on_duty is None else np.full(L, float(max_on_duty))
    floor = None
    if min_agents:
        floor = np.where(demand_any[lo_i:hi_i], float(min_agents), 0.0)
    bounds_rows = _bound_rows(templates, meta, nd)
    targets = _targets(models, d0, nd, lo_i, hi_i, per_day, split, whole_weeks)
    breaks = tuple(b[:L] if i == 0 else b for i, b in enumerate(breaks))
    share, placed = activity
    act = None
    if share > 0:
        paid = np.array([templates[t].paid_hours for t in meta[:, 0]])
        act = (share, paid, interval / 60.0, placed[lo_i:hi_i])
    win = _Window(a, breaks, cost_t[meta[:, 0]], meta, models, lo_i, hi_i, fixed, shrinkage,
                  cap, floor, targets, bounds_rows, penalty, cut_len, carries, relax, act)
    win.w_meta, win.w_col = w_meta, w_meta[:, 0]
    win.per_day = per_day
    return win


def _bound_rows(templates, meta, nd, col0=0):
    """Rows of the templates' bounds on agents per (template, day): ``(rows, columns
    (+ col0), lower, upper)``."""
    out = []
    for ti, t in enumerate(templates):
        if t.min_agents == 0 and t.max_agents is None:
            continue
        for dd in range(nd):
            sel = np.flatnonzero((meta[:, 0] == ti) & (meta[:, 1] == dd))
            if sel.size:
                out.append((np.zeros(sel.size, np.int64), sel + col0,
                            np.array([float(t.min_agents)]),
                            np.array([np.inf if t.max_agents is None
                                      else float(t.max_agents)])))
    return out


def _targets(models, d0, nd, lo_i, hi_i, per_day, split, whole_weeks):
    """(queue, kind) -> [(rows of the window, target)]: the periods' targets inside
    the window (days; whole weeks; or a week's daily split)."""
    targets = {}
    for m in models:
        per = m.period[lo_i:hi_i]
        for kind in m.kinds:
            out = targets.setdefault((m.name, kind), [])
            if m.level == "day":
                for dd in range(nd):
                    p = d0 + dd
                    if m.live[p * per_day:(p + 1) * per_day].any():
                        out.append((np.arange(dd * per_day, (dd + 1) * per_day),
                                    m.period_target(p, kind)))
            elif m.level == "week" and whole_weeks:
                for p in np.unique(per):
                    out.append((np.flatnonzero(per == p), m.period_target(int(p), kind)))
            elif m.level == "week" and split is not None:
                for dd in range(nd):
                    key = (m.name, kind, d0 + dd)
                    if key in split:
                        out.append((np.arange(dd * per_day, (dd + 1) * per_day), split[key]))
    return targets
