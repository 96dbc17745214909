"""Rosters for people: each agent, each day, a shift or a day off, under work rules.

The shift schedule (:func:`plan.shift_plan.plan_shifts` or the integrated
plan) says how many agents of each group are on duty in each interval; a
roster gives those shifts to named agents (:class:`plan.roster_input.Agent`)
so that every week of every agent keeps the rules
(:class:`plan.roster_input.RosterRules`) and the agent's contract, covering
the schedule's agents on duty at least cost and shortfall.

**Method** (:func:`make_roster`).  Each group is rostered on its own, a week
at a time (Monday to Sunday), as a *tour-scheduling* program solved by HiGHS:

* a **tour** is a week of work: the days worked (a pattern of the contract's
  number of days, keeping the days-off, consecutive-days and weekend rules),
  one shift template, and a *start band* (the template's starts within the
  rule's start window: the agent starts every day of the week inside it);
* agents whose past (days worked in a row up to Sunday, the end of their last
  shift, weeks without a weekend off), contract and availability are the same
  are a *class*: any of them can work any tour the class allows, so the
  program counts tours per class (integer ``x``), and daily start counts per
  band (integer ``y``, Aykin-style implicit starts inside the band) cover
  each interval's target (shortfall ``u`` at a penalty per agent-hour);
* what crosses weeks is in the class: a tour's first days worked in a row
  plus the class's run keep the consecutive-days rule, its Monday start keeps
  the rest after the class's last shift, a class that has gone ``N - 1``
  weeks without a weekend off only gets tours with the weekend off;
* within a band two days' starts are at most the band's width apart, and the
  band's width is capped at ``24 h - length - rest`` so that the rest between
  two days always holds.
Every agent works one tour a week (its contract's hours, less its leave); a
class left with no tour it may work gets an empty week, which the rule report
then shows.  A class's bands are made from the starts it may use (its times of
day; on Monday, the rest after its last shift; under the night rule, evening
and night starts apart), so a band is never refused for one start it cannot
use.  The program's LP relaxation is solved first; the best of its tours
rounded class by class, LP diving (fix the whole parts, one more agent on the
largest fraction of each class, solve again) and HiGHS's root node on the
tours the LP uses is kept.  The
tours of a class go to its agents by fairness (the agent who has worked the
fewest weekends, nights and late shifts so far takes the heaviest tour), and
a band's daily starts to the agents working it.

What that costs: one template a week per agent (no mix of early and late
shifts in a week, as the start window asks anyway); the start window is
kept by bands, so a week's starts are in a window starting at one of the
template's starts.  Weeks are optimised one after another (the first
week's choice is not revised for the second's sake).
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint

from ccwfm import _validation as v

from ._highs import milp
from .roster_input import NIGHT, RosterConfig, RosterRules, read_agents
from .roster_rules import contract_bounds, leave_days
from .integrated import _map
from .schedule import coverage_model
from .shift_plan import shift_paid_hours

__all__ = ["Roster", "fairness", "make_roster", "roster_grid", "roster_group", "roster_tables", "write_roster"]

_SHORT_PENALTY = 4.0      # cost of an agent-hour short, in hourly wages of the group
_EMPTY_PENALTY = 1e4      # cost of an agent left without a tour for a week, in hourly wages
_NODES = 1            # branch-and-bound nodes of a group's week (the root: as good as 60 on the demo)
_LATE = 14 * 60           # a shift starting at or after 14:00 is a late shift (fairness)


@dataclass(frozen=True)
class _Tour:
    cls: int
    pattern: int          # bitmask of days worked, bit 0 = Monday
    template: int
    band: int
    cost: float
    owes: bool = False    # the next week must start with a day off


def _popcount(m):
    return bin(m).count("1")


def _runs(mask, n=7):
    """Lengths of the runs of set bits (days worked in a row) of ``mask``."""
    runs, r = [], 0
    for d in range(n):
        if mask >> d & 1:
            r += 1
        else:
            if r:
                runs.append(r)
            r = 0
    if r:
        runs.append(r)
    return runs


def _lead(mask):
    r = 0
    while r < 7 and mask >> r & 1:
        r += 1
    return r


def _trail(mask):
    r = 0
    while r < 7 and mask >> (6 - r) & 1:
        r += 1
    return r


def _patterns(days, rules):
    """Day masks of a week worked on ``days`` days (a contract's), keeping the
    days-off and consecutive-days rules inside the week."""
    out = []
    for m in range(128):
        if _popcount(m) not in days:
            continue
        if rules.days_off is not None and 7 - _popcount(m) < rules.days_off:
            continue
        if rules.max_consecutive_days is not None and \
                max(_runs(m) or [0]) > rules.max_consecutive_days:
            continue
        out.append(m)
    return out


def _off_run(m, before, after):
    """Longest run of days off of week mask ``m`` with the previous Sunday off
    (``before``) and the next Monday off (``after``) counted in."""
    seq = [before] + [not (m >> d & 1) for d in range(7)] + [after]
    best = r = 0
    for off in seq:
        r = r + 1 if off else 0
        best = max(best, r)
    return best


def _average_room(contract, agent, so_far, day0, week, weeks):
    """``(lo, hi)``: the paid hours (a day of leave counted) week ``week`` may have so
    that the weeks after it, each inside its own bounds, can still bring the roster's
    weekly average inside the contract's ``average_hours`` (no bound without one)."""
    if contract.average_hours is None:
        return 0.0, 7 * 24.0
    later_lo = later_hi = 0.0
    for w in range(week + 1, weeks):
        leave = leave_days(agent, pd.Timestamp(day0) + pd.Timedelta(days=7 * w))
        _, lo, hi = contract_bounds(contract, leave)
        credit = leave * contract.min_hours / min(contract.days)
        later_lo += lo + credit
        later_hi += hi + credit
    a_lo, a_hi = contract.average_hours
    return a_lo * weeks - so_far - later_hi, a_hi * weeks - so_far - later_lo


def _days_off_ok(m, rules, sunday_off, last):
    """Whether week mask ``m`` keeps the consecutive-days-off rule after a week whose
    Sunday was off or not: ``(ok, owes)``, ``owes`` when only the next Monday off
    completes the run (then the next week must start with a day off; never in the
    roster's last week)."""
    if rules.days_off is None or not rules.consecutive_days_off or rules.days_off == 0:
        return True, False
    if _off_run(m, sunday_off, False) >= rules.days_off:
        return True, False
    if not last and not m >> 6 & 1 and _off_run(m, sunday_off, True) >= rules.days_off:
        return True, True
    return False, False


def _round_classes(x, tours, ne, nx, size):
    """Whole tours from the LP's ``x``: in each class its agents' number of tours
    (empty weeks included), the largest fractional parts rounded up."""
    out = np.zeros(nx + ne)
    by_class = [[] for _ in range(ne)]
    for xi, t in enumerate(tours):
        by_class[t.cls].append(xi)
    for k in range(ne):
        cols = np.array(by_class[k] + [nx + k])
        vals = np.maximum(x[cols], 0.0)
        base = np.floor(vals + 1e-9)
        extra = int(round(size[k])) - int(base.sum())
        if extra > 0:
            frac = vals - base
            frac[-1] = -1.0                       # an empty week last
            base[np.argsort(-frac, kind="stable")[:extra]] += 1
        elif extra < 0:
            for i in np.argsort(vals - base, kind="stable"):
                take = min(base[i], -extra)
                base[i] -= take
                extra += take
                if extra == 0:
                    break
        out[cols] = base
    return out


def _dive(cost, cons, x, tours, ne, nx, n, size, time_limit, rounds=40):
    """LP diving: fix every tour's whole part, then in each class one more agent on the
    tour with the largest fractional part, and solve the LP again, until every agent
    has a tour; the last LP (whole tours) or None."""
    cls = np.array([t.cls for t in tours] + list(range(ne)))
    lo = np.zeros(n)
    res = None
    for _ in range(rounds):
        lo[:nx + ne] = np.maximum(lo[:nx + ne], np.floor(x[:nx + ne] + 1e-9))
        left = size - np.bincount(cls, lo[:nx + ne], ne)
        if np.all(left < 0.5):
            break
        frac = x[:nx + ne] - lo[:nx + ne]
        for k in np.flatnonzero(left > 0.5):
            cols = np.flatnonzero(cls == k)
            lo[cols[np.argmax(frac[cols])]] += 1.0
        res = milp(cost, constraints=cons, bounds=Bounds(lo, np.inf),
                   options={"disp": False, "time_limit": float(time_limit)})
        if res.x is None:
            return None
        x = res.x
    else:
        return None
    up = np.full(n, np.inf)
    up[:nx + ne] = lo[:nx + ne]
    return milp(cost, constraints=cons, bounds=Bounds(lo, up),
                options={"disp": False, "time_limit": float(time_limit)})


def _night(start, length):
    """On site at some moment of [00:00, 05:00) of the start day or the next."""
    a, b = start, start + length
    return any(a < lo + NIGHT[1] and lo + NIGHT[0] < b for lo in (0, 1440))


def _width(t, rules):
    """How far apart a week's starts of template ``t`` may be (minutes): the rule's
    start window, capped at ``24 h - length - rest`` so that the rest between two
    days always holds; and whether its shifts may be worked two days in a row."""
    width = 1440 if rules.start_window is None else rules.start_window
    if rules.min_rest_hours is not None:
        room = 1440 - t.length - rules.min_rest_hours * 60
        if room < 0:
            return width, False
        width = min(width, int(math.floor(room + 1e-9)))
    return width, True


def _class_bands(starts, width, length, split_nights):
    """Start bands from the starts a class may use: the starts within ``width`` of
    each one (with ``split_nights``, only those that are night shifts exactly when it
    is, so that a band is night or not as a whole), bands contained in another
    dropped."""
    starts = sorted(starts)
    bands = [tuple(s for s in starts if s0 <= s <= s0 + width
                   and (not split_nights or _night(s, length) == _night(s0, length)))
             for s0 in starts]
    keep = [b for b in bands if not any(set(b) < set(o) for o in bands)]
    return list(dict.fromkeys(keep))


@dataclass
class _Person:
    """What the roster remembers of an agent from one week to the next."""

    agent: object
    run: int = 0                  # days worked in a row up to the last Sunday
    last_end: float = -1e18       # end of the last shift, minutes from the roster's start
    no_weekend: int = 0           # weeks in a row without a weekend off
    sunday_off: bool = False      # the last Sunday was a day off (outside the roster: no)
    owes_monday: bool = False     # the last week's days off run on into this Monday
    hours: float = 0.0            # paid hours so far, a day of leave counted (contract average)
    weekends: float = 0.0         # fairness counters
    nights: float = 0.0
    lates: float = 0.0

    def burden(self):
        return self.weekends + self.nights + 0.5 * self.lates


def roster_group(target, templates, agents, contracts, rules, *, day0, weeks, interval,
                 wage=1.0, time_limit=20.0, gap=0.01, day_need=None):
    """Roster the agents of one group over whole weeks.

    Parameters
    ----------
    target : numpy.ndarray
        Agents on duty to cover per interval of the roster (``weeks x 7 x
        1440 / interval`` values; the shift schedule's agents on duty).
    templates : sequence of ShiftTemplate
        The group's shift templates.
    agents : sequence of Agent
        The group's agents.
    contracts : sequence of Contract
    rules : RosterRules
    day0 : date-like
        The roster's first day, a Monday.
    weeks : int
    interval : int
        Minutes per interval.
    wage : float
        Hourly wage of the group (the cost of a tour is its paid hours times
        this times the template's cost factor).
    time_limit : float
        Seconds HiGHS may spend on one week.
    gap : float
        Relative MIP gap at which a week's program stops.
    day_need : numpy.ndarray, optional
        Shifts the schedule starts on each day of the roster: a week may leave
        at most the agents the next Monday does not need off that Monday (days
        off running from Sunday into Monday).  Default: estimated from the
        target's agent-hours and the templates' mean length.

    Returns
    -------
    (rows, rostered) : (list of dict, numpy.ndarray)
        One row per agent and day (``agent``, ``day`` index, ``template``
        name or ``""``, ``start`` minute from the roster's start or None);
        agents on duty per interval of the roster.
    """
    per_day = 1440 // interval
    n_rows = weeks * 7 * per_day
    target = np.asarray(target, float)
    templates = list(templates)
    by_contract = {c.name: c for c in contracts}
    t_index = {t.name: i for i, t in enumerate(templates)}
    widths = [_width(t, rules) for t in templates]
    adjacent = [a for _, a in widths]
    people = [_Person(a) for a in agents]
    rows = []
    rostered = np.zeros(n_rows + per_day)
    pattern_cache = {}
    day0 = pd.Timestamp(day0).normalize()
    # Every week starts on a Monday: one coverage model (a week and the next day, where
    # shifts crossing Sunday midnight end) serves them all.
    model = coverage_model(templates, day0, 8, interval)
    col = {(int(m[0]), int(m[1]), int(m[2])): j for j, m in enumerate(model.meta)}
    a = model.a.tocsr()
    a_col = model.a.tocsc()
    for w in range(weeks):
        monday = day0 + pd.Timedelta(days=7 * w)
        base = w * 7 * per_day
        goal = target[base:base + 7 * per_day] - rostered[base:base + 7 * per_day]
        # classes of agents
        classes, members = {}, []
        for p in people:
            ag = p.agent
            c = by_contract[ag.contract]
            unavailable = set(ag.days_off) if rules.availability else set()
            if rules.availability:
                unavailable |= {d for d in range(7)
                                if (monday + pd.Timedelta(days=d)).date() in ag.unavailable}
            lead_cap = 7 if rules.max_consecutive_days is None else \
                max(rules.max_consecutive_days - p.run, 0)
            thresh = -10 ** 9
            if rules.min_rest_hours is not None and p.last_end > -1e17:
                thresh = int(math.ceil(p.last_end + rules.min_rest_hours * 60
                                       - 7 * w * 1440 - 1e-9))
            must = rules.weekend_off_every is not None and \
                p.no_weekend >= rules.weekend_off_every - 1
            week_lo, week_hi = _average_room(c, ag, p.hours, day0, w, weeks) \
                if rules.contract_hours else (0.0, 7 * 24.0)
            key = (c.name, leave_days(ag, monday), round(week_lo, 6), round(week_hi, 6),
                   lead_cap, max(thresh, -1), must,
                   p.sunday_off, p.owes_monday, frozenset(unavailable),
                   ag.available_from if rules.availability else 0,
                   ag.available_until if rules.availability else 2880)
            if key not in classes:
                classes[key] = len(classes)
                members.append([])
            members[classes[key]].append(p)
        tours = []
        # bands of the week: (template, starts) -> index, made class by class from the
        # starts each class may use (its times of day; on Mondays, the rest after its
        # last shift)
        bands = [[] for _ in templates]
        band_at = [{} for _ in templates]
        night = [[] for _ in templates]

        def band_index(ti, band):
            if band not in band_at[ti]:
                band_at[ti][band] = len(bands[ti])
                bands[ti].append(band)
                night[ti].append(any(_night(x, templates[ti].length) for x in band))
            return band_at[ti][band]
        class_bands = {}
        for key, k in classes.items():
            (cname, leave, week_lo, week_hi, lead_cap, thresh, must, sunday_off, owes,
             unavailable, af, au) = key
            c = by_contract[cname]
            allowed = [t_index[s] for s in c.shifts if s in t_index] if c.shifts else \
                list(range(len(templates)))
            # a day of leave counts for the contract as a day worked
            counts, min_h, max_h = contract_bounds(c, leave) if rules.contract_hours else (
                c.days, 0.0, 7 * 24.0)
            # the contract's average over the roster: this week's hours leave the weeks
            # after it room to reach it (``week_lo``, ``week_hi``: credited hours)
            credit = leave * c.min_hours / min(c.days)
            min_h = max(min_h, week_lo - credit)
            max_h = min(max_h, week_hi - credit)
            if counts not in pattern_cache:
                pattern_cache[counts] = _patterns(counts, rules)
            for m in pattern_cache[counts]:
                if m == 0:          # a week without work (all on leave): no template
                    if not rules.contract_hours or min_h <= 1e-6:
                        tours.append(_Tour(k, 0, -1, -1, 0.0, False))
                    continue
                if any(m >> d & 1 for d in unavailable) or _lead(m) > lead_cap:
                    continue
                if must and (m >> 5 & 1 or m >> 6 & 1):
                    continue
                if owes and m & 1:
                    continue
                ok, owing = _days_off_ok(m, rules, sunday_off, w == weeks - 1)
                if not ok:
                    continue
                n_days = _popcount(m)
                for ti in allowed:
                    if (k, ti, m & 1) not in class_bands:
                        t = templates[ti]
                        ok_starts = [x for x in t.starts if af <= x and x + t.length <= au
                                     and (not m & 1 or x >= thresh)]
                        class_bands[(k, ti, m & 1)] = [
                            band_index(ti, b) for b in _class_bands(
                                ok_starts, widths[ti][0], t.length, rules.max_nights is not None)]
                    t = templates[ti]
                    if any(m >> d & 1 and d not in t.days for d in range(7)):
                        continue
                    if not adjacent[ti] and any(r > 1 for r in _runs(m)):
                        continue
                    if rules.contract_hours and not (
                            min_h - 1e-6 <= n_days * t.paid_hours <= max_h + 1e-6):
                        continue
                    for bi in class_bands[(k, ti, m & 1)]:
                        if rules.max_nights is not None and night[ti][bi] and \
                                n_days > rules.max_nights:
                            continue
                        tours.append(_Tour(k, m, ti, bi,
                                           n_days * t.paid_hours * t.cost_factor * wage, owing))
        # variables: x (tours) | e (classes) | y (template, band, day, start) | u (rows)
        ys = []
        for ti, t in enumerate(templates):
            for bi, band in enumerate(bands[ti]):
                for d in range(7):
                    if d not in t.days:
                        continue
                    for s in band:
                        j = col.get((ti, d, s))
                        if j is not None:
                            ys.append((ti, bi, d, s, j))
        nx, ne, ny, nu = len(tours), len(classes), len(ys), 7 * per_day
        n = nx + ne + ny + nu
        cost = np.concatenate([[t.cost for t in tours], np.full(ne, _EMPTY_PENALTY * wage),
                               np.zeros(ny), np.full(nu, _SHORT_PENALTY * wage * interval / 60)])
        # a small cost on starts, so that a week with slack does not start shifts nobody needs
        cost[nx + ne:nx + ne + ny] = 1e-6
        A_rows, lo, hi = [], [], []
        # 1. each agent one tour (or an empty week)
        r_cls = sparse.coo_array((np.ones(nx + ne), (
            np.concatenate([[t.cls for t in tours], np.arange(ne)]),
            np.arange(nx + ne))), shape=(ne, n))
        size = np.array([len(m) for m in members], float)
        A_rows.append(r_cls)
        lo.append(size)
        hi.append(size)
        # 2. starts in a band on a day = tours of the band working that day
        link = {}
        for yi, (ti, bi, d, s, j) in enumerate(ys):
            link.setdefault((ti, bi, d), []).append(nx + ne + yi)
        keys = list(link)
        kidx = {kk: i for i, kk in enumerate(keys)}
        ri, ci, vals = [], [], []
        for kk, cols in link.items():
            ri += [kidx[kk]] * len(cols)
            ci += cols
            vals += [1.0] * len(cols)
        for xi, t in enumerate(tours):
            for d in range(7):
                if t.pattern >> d & 1:
                    kk = (t.template, t.band, d)
                    if kk in kidx:
                        ri.append(kidx[kk])
                        ci.append(xi)
                        vals.append(-1.0)
                    else:        # no start column that day (outside the horizon): forbid it
                        keys.append(("never", xi, d))
                        kidx[keys[-1]] = len(keys) - 1
                        ri.append(len(keys) - 1)
                        ci.append(xi)
                        vals.append(1.0)
        A_rows.append(sparse.coo_array((vals, (ri, ci)), shape=(len(keys), n)))
        lo.append(np.zeros(len(keys)))
        hi.append(np.zeros(len(keys)))
        # 3. coverage of the week's intervals
        if ny:
            ycols = np.array([y[4] for y in ys])
            cov = a[:7 * per_day][:, ycols].tocoo()
            r3 = sparse.coo_array((np.concatenate([cov.data, np.ones(nu)]), (
                np.concatenate([cov.row, np.arange(nu)]),
                np.concatenate([cov.col + nx + ne, nx + ne + ny + np.arange(nu)]))),
                shape=(nu, n))
        else:
            r3 = sparse.coo_array((np.ones(nu), (np.arange(nu), nx + ne + np.arange(nu))),
                                  shape=(nu, n))
        A_rows.append(r3)
        lo.append(np.maximum(goal, 0.0))
        hi.append(np.full(nu, np.inf))
        # 4. days off running into next Monday: leave enough agents for that Monday
        owing = [xi for xi, t in enumerate(tours) if t.owes]
        if owing and w < weeks - 1:
            nd = 7 * (w + 1)
            need = (day_need[nd] if day_need is not None else
                    target[nd * per_day:(nd + 1) * per_day].sum() * interval
                    / max(np.mean([t.length for t in templates]), 1.0))
            room = max(len(people) - math.ceil(need - 1e-9), 0)
            A_rows.append(sparse.coo_array((np.ones(len(owing)), (np.zeros(len(owing)), owing)),
                                           shape=(1, n)))
            lo.append(np.zeros(1))
            hi.append(np.array([float(room)]))
        A = sparse.vstack(A_rows).tocsr()
        cons = LinearConstraint(A, np.concatenate(lo), np.concatenate(hi))
        # The LP relaxation first; then the tours it uses, as whole agents (HiGHS branch
        # and bound on that support, daily starts continuous), then the starts rounded.
        lp = milp(cost, constraints=cons, bounds=Bounds(0, np.inf),
                  options={"disp": False, "time_limit": float(time_limit)})
        if lp.x is None:
            raise RuntimeError(f"the roster program of week {w + 1} found no solution "
                               f"({lp.message})")
        # (a) the LP's tours rounded class by class (largest remainders, every agent a
        # tour), the daily starts re-solved for them; (b) LP diving (_dive); (c) HiGHS's
        # root node on the tours the LP uses: the best of the three.
        fixed = _round_classes(lp.x, tours, ne, nx, size)
        lo_a = np.zeros(n)
        up_a = np.full(n, np.inf)
        lo_a[:nx + ne] = up_a[:nx + ne] = fixed
        res = milp(cost, constraints=cons, bounds=Bounds(lo_a, up_a),
                   options={"disp": False, "time_limit": float(time_limit)})
        dive = _dive(cost, cons, lp.x, tours, ne, nx, n, size, time_limit)
        if dive is not None and (res.x is None or dive.fun < res.fun - 1e-6):
            res = dive
        upper = np.full(n, np.inf)
        upper[:nx] = np.where(lp.x[:nx] > 1e-7, np.inf, 0.0)
        integrality = np.concatenate([np.ones(nx + ne), np.zeros(ny + nu)])
        # a node limit, not a time limit, bounds the search: the same roster every run
        mip = milp(cost, constraints=cons, integrality=integrality, bounds=Bounds(0, upper),
                   options={"time_limit": float(time_limit), "mip_rel_gap": gap,
                            "node_limit": _NODES, "disp": False})
        if mip.x is not None and (res.x is None or mip.fun < res.fun - 1e-6):
            res = mip
        if res.x is None:
            raise RuntimeError(f"the roster program of week {w + 1} found no solution "
                               f"({res.message})")
        sol = res.x.copy()
        for kk, cols in link.items():          # starts: whole agents, the day's total kept
            cols = np.array(cols)
            vals = np.maximum(sol[cols], 0.0)
            total = int(round(vals.sum()))
            base_ = np.floor(vals + 1e-9)
            extra = total - int(base_.sum())
            if extra > 0:
                base_[np.argsort(-(vals - base_), kind="stable")[:extra]] += 1
            sol[cols] = base_
        sol = np.round(sol).astype(np.int64)
        x, yv = sol[:nx], sol[nx + ne:nx + ne + ny]
        # agents of each class get its tours, the heaviest to the least burdened
        given = {}
        for k, mem in enumerate(members):
            mine = [t for xi, t in enumerate(tours) if t.cls == k for _ in range(x[xi])]

            def heavy(t):
                if t.template < 0:
                    return -1.0
                tt = templates[t.template]
                wk = (t.pattern >> 5 & 1) + (t.pattern >> 6 & 1)
                nights = _popcount(t.pattern) if night[t.template][t.band] else 0
                late = _popcount(t.pattern) if bands[t.template][t.band][0] >= _LATE else 0
                return wk + nights + 0.5 * late + 1e-3 * tt.paid_hours * _popcount(t.pattern)
            mine.sort(key=heavy, reverse=True)
            order = sorted(mem, key=lambda p: (p.burden(), p.agent.id))
            for p, t in zip(order, mine):
                given[p.agent.id] = t
        # daily starts of each band to its agents
        starts = {}
        for yi, (ti, bi, d, s, j) in enumerate(ys):
            starts.setdefault((ti, bi, d), []).extend([s] * int(yv[yi]))
        working = {}
        for p in sorted(people, key=lambda p: p.agent.id):
            t = given.get(p.agent.id)
            if t is None:
                continue
            for d in range(7):
                if t.pattern >> d & 1:
                    working.setdefault((t.template, t.band, d), []).append(p.agent.id)
        start_of = {}
        for kk, ids in working.items():
            ss = sorted(starts.get(kk, []))
            # every agent of the band gets a start (the program links their counts)
            ss = (ss + [bands[kk[0]][kk[1]][0]] * len(ids))[:len(ids)]
            rot = w % max(len(ids), 1)
            ids = ids[rot:] + ids[:rot]
            for aid, s in zip(ids, ss):
                start_of[(aid, kk[2])] = s
        # rows, coverage and the agents' memory
        for p in people:
            t = given.get(p.agent.id)
            worked = []
            for d in range(7):
                day = 7 * w + d
                if t is not None and t.pattern >> d & 1:
                    s = start_of[(p.agent.id, d)]
                    tt = templates[t.template]
                    j = col[(t.template, d, s)]
                    at = slice(a_col.indptr[j], a_col.indptr[j + 1])
                    rostered[base + a_col.indices[at]] += a_col.data[at]
                    rows.append({"agent": p.agent.id, "day": day, "template": tt.name,
                                 "start": day * 1440 + s})
                    worked.append((d, s, tt))
                else:
                    rows.append({"agent": p.agent.id, "day": day, "template": "",
                                 "start": None})
            mask = t.pattern if t is not None else 0
            p.run = (p.run + 7 if mask == 127 else _trail(mask)) if mask else 0
            if worked:
                d, s, tt = worked[-1]
                p.last_end = (7 * w + d) * 1440 + s + tt.length
            weekend_off = not (mask >> 5 & 1 or mask >> 6 & 1)
            p.no_weekend = 0 if weekend_off else p.no_weekend + 1
            p.sunday_off = not mask >> 6 & 1
            p.owes_monday = bool(t is not None and t.owes)
            c = by_contract[p.agent.contract]
            p.hours += sum(tt.paid_hours for _, _, tt in worked) + \
                leave_days(p.agent, monday) * c.min_hours / min(c.days)
            p.weekends += (mask >> 5 & 1) + (mask >> 6 & 1)
            p.nights += sum(_night(s, tt.length) for _, s, tt in worked)
            p.lates += sum(s >= _LATE for _, s, _ in worked)
    return rows, rostered[:n_rows]


@dataclass(frozen=True)
class Roster:
    """A roster and what it achieves (see :func:`plan.make_roster`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per agent and day: ``agent``, ``group``, ``contract``,
        ``date``, ``shift`` (template, ``""`` on a day off), ``start``,
        ``end`` (Timestamps; NaT off), ``paid_hours``, ``breaks`` (clock
        times ``HH:MM-HH:MM`` joined by ``; ``).
    agents : tuple of Agent
    rules : RosterRules
    contracts : tuple of Contract
    violations : pandas.DataFrame
        :func:`plan.roster_rules.check_roster` of the table (empty: none).
    rule_report : pandas.DataFrame
        Every rule, on or off, with its violations.
    coverage : pandas.DataFrame
        Per group and interval: ``target`` (the shift schedule's agents on
        duty), ``rostered``, ``under``, ``over``.
    kpis : pandas.DataFrame
        Per queue and target: the roster's agents on duty simulated on fresh
        random numbers, each target at its level
        (:func:`plan.attainment.attainment_summary`); empty when not simulated.
    paid_hours, paid_hours_schedule : float
        Over the roster's weeks.
    wages : float
    shortfall_agent_hours : float
        Agent-hours of the target the roster leaves uncovered.
    seconds : float
        Time to make it (optimisation and checks, without the simulation).
    weeks : int
    log : tuple of str
    attainment : pandas.DataFrame
        Per queue, period of its target's level and target: simulated value,
        confidence interval and ``met`` (:func:`plan.attainment.attainment`).
    """

    table: pd.DataFrame
    agents: tuple
    rules: RosterRules
    contracts: tuple
    violations: pd.DataFrame
    rule_report: pd.DataFrame
    coverage: pd.DataFrame
    kpis: pd.DataFrame
    paid_hours: float
    paid_hours_schedule: float
    wages: float
    shortfall_agent_hours: float
    seconds: float = 0.0
    weeks: int = 0
    log: tuple = field(default_factory=tuple)
    attainment: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def paid_hours_over_schedule_pct(self):
        """Paid hours above the shift schedule's over the same weeks (the price of the
        rules), in percent."""
        if self.paid_hours_schedule <= 0:
            return 0.0
        return 100.0 * (self.paid_hours / self.paid_hours_schedule - 1.0)


def _roster_job(job):
    return roster_group(**job)


def _simulated(sc, requirements, coverage, starts, simulate):
    """The roster's agents on duty simulated on fresh random numbers as the plan's
    confirmation does (each group's agents on duty less shrinkage, the scenario's
    routing): ``(attainment table, attainment summary)``."""
    from .attainment import attainment_summary
    from .integrated import CONFIRM_RUNS, _confirm, _parts
    from .routing import routing
    from .verify import CONFIRM_STREAM

    if not simulate or not sc.simulation.verify:
        return pd.DataFrame(), pd.DataFrame()
    w = sc.workforce
    req = requirements[requirements["start"].isin(starts)].sort_values(
        ["queue", "start"], kind="stable")
    route = routing(sc.queues, w)
    shrink = w.total_shrinkage
    group_phones = {g: (1.0 - shrink) * coverage[coverage["group"] == g]
                    .set_index("start")["rostered"].reindex(starts).fillna(0.0).to_numpy()
                    for g in route.scheduled()}
    need = {q.name: req.loc[req["queue"] == q.name, "required"].to_numpy(float)
            for q in sc.queues}
    phones = {}
    for q in sc.queues:
        home = route.home[q.name]
        mates = [m for m in sc.queues if route.home[m.name] == home]
        total = sum(need[m.name] for m in mates)
        share = np.where(total > 0, need[q.name] / np.where(total > 0, total, 1.0),
                         1.0 / len(mates))
        phones[q.name] = group_phones[home] * share
    table, _, _ = _confirm(sc.queues, _parts(sc.queues, route), route, req, phones,
                           route.staffing(group_phones, phones), w.interval, CONFIRM_RUNS,
                           starts, [int(sc.simulation.seed), CONFIRM_STREAM], sc.queues)
    return table, attainment_summary(table)


def _clock(minutes):
    minutes = int(round(minutes)) % 1440
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _break_spans(t, s, interval, turn):
    """The breaks ``(offset, minutes)`` of template ``t`` started at minute ``s`` of its
    day: fixed breaks where the schedule puts them, window breaks staggered over the
    window's offsets by ``turn`` (the agent's place among those starting then)."""
    spans = [(o, m) for o, m in t._breaks(s, interval)]
    for bw in t.breaks:
        offs = bw.offsets(interval)
        spans.append((offs[turn % len(offs)], bw.length))
    return sorted(spans)


def _on_duty(shifts, n_rows, interval):
    """Agents on duty per interval (share of the interval, summed) of ``shifts``:
    ``(start minute, length, breaks)`` from the roster's start, on site less breaks."""
    horizon = n_rows * interval
    diff = np.zeros(horizon + 1)

    def add(a, b, x):
        a, b = min(max(a, 0), horizon), min(max(b, 0), horizon)
        if b > a:
            diff[a] += x
            diff[b] -= x
    for a, length, breaks in shifts:
        add(a, a + length, 1.0)
        for o, m in breaks:
            add(a + o, a + o + m, -1.0)
    return np.cumsum(diff[:-1]).reshape(n_rows, interval).mean(axis=1)


def _weekly_paid_hours(shifts, workforce, day0, weeks):
    """Group -> paid hours of its shifts in each week of the roster."""
    out = {}
    if shifts is None or shifts.empty:
        return out
    paid = shift_paid_hours(shifts, workforce)
    week = ((shifts["start"] - day0) // pd.Timedelta(days=7)).astype(int)
    by = paid.groupby([shifts["group"], week]).sum()
    for g in shifts["group"].unique():
        out[g] = [float(by.get((g, i), 0.0)) for i in range(weeks)]
    return out


def _day_need(shifts, group, day0, days):
    """Shifts the schedule starts on each day of the roster (one group)."""
    part = shifts[shifts["group"] == group]
    day = ((part["start"] - day0) // pd.Timedelta(days=1)).astype(int)
    need = part["agents"].groupby(day).sum()
    return np.array([float(need.get(d, 0.0)) for d in range(days)])


def _schedule_mix(shifts, group, workforce, contracts):
    """Contract name -> share of the group's scheduled paid hours on the templates it
    allows (each template counted for the first contract allowing it): generated
    agents then work the shifts the schedule needs."""
    part = shifts[shifts["group"] == group]
    hours = shift_paid_hours(part, workforce).groupby(part["template"]).sum()
    mix = {}
    for name, h in hours.items():
        c = next((c for c in contracts if not c.shifts or name in c.shifts), None)
        if c is not None and h > 0:
            mix[c.name] = mix.get(c.name, 0.0) + float(h)
    total = sum(mix.values())
    if not total > 0:
        return {contracts[0].name: 1.0}
    return {k: x / total for k, x in mix.items()}


def make_roster(result, *, config=None, agents=None, base_dir=".", weeks=None, simulate=True,
                time_limit=60.0, progress=None):
    """Roster a plan's shift schedule: every agent, every day, a shift or a day off.

    Parameters
    ----------
    result : plan.PlanResult
        A plan with a shift schedule (run up to ``"schedule"`` at least);
        its scenario must start on a Monday.
    config : RosterConfig, optional
        Rules, contracts, the agents file or how to make agents, weeks
        (default: the scenario's ``[roster]`` table).
    agents : sequence of Agent, optional
        Who to roster; default the config's agents file (read from
        ``base_dir``), else agents made from the schedule's busiest week per
        group and the contract mix (:func:`plan.roster_input.generate_agents`).
    base_dir : str or Path
        The folder the agents file is relative to.
    weeks : int, optional
        Weeks to roster, 1 to 8 (default: the config's, else the plan's, at
        most 8).
    simulate : bool
        Simulate the roster's agents on duty (the scenario's simulation
        settings and routing) for each queue's KPIs.
    time_limit : float
        Seconds HiGHS may spend on one group's week, a safety net: the search
        is bounded by nodes (``_NODES``), so that the roster is the same on
        every run and machine.
    progress : callable, optional
        ``progress(message)`` after each group.

    Returns
    -------
    Roster

    Raises
    ------
    ValueError
        A plan without a schedule, a start that is not a Monday, weeks out of
        range, agents of unknown groups or contracts, repeated agent ids, a
        bad agents file (naming its row and field).
    """
    from pathlib import Path

    from .roster_rules import check_roster, rule_report
    from .shift_plan import agent_groups

    t0 = time.perf_counter()
    if getattr(result, "shifts", None) is None or result.shifts.empty:
        raise v.error("result", "must be a plan with a shift schedule (run it up to "
                      "'schedule')", getattr(getattr(result, "scenario", None), "name", result))
    sc = result.scenario
    w = sc.workforce
    config = sc.roster if config is None else config
    if not isinstance(config, RosterConfig):
        raise v.error("config", "must be a RosterConfig", config)
    rules = config.rules
    contracts = config.contracts_for(w)
    if weeks is None:
        weeks = config.weeks
    day0 = pd.Timestamp(sc.start).normalize()
    if day0.weekday() != 0:
        raise v.error("scenario.start", "must be a Monday for a roster (weeks run Monday to "
                      "Sunday)", f"{day0:%Y-%m-%d} ({day0:%A})")
    most = min(sc.weeks, 8)
    weeks = most if weeks is None else v.whole("weeks", weeks, lo=1, hi=most)
    configs, owner = agent_groups(sc.queues, w)
    templates = {g: {t.name: t for t in w.templates(cfg)} for g, cfg in configs.items()}
    if agents is None and config.agents is not None:
        path = Path(base_dir) / config.agents
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise v.error("roster.agents", f"must be a readable file ({exc.strerror})",
                          str(path)) from None
        agents = read_agents(data, contracts)
    if agents is None:
        from .roster_input import generate_agents
        hours = _weekly_paid_hours(result.shifts, w, day0, weeks)
        agents = tuple(a for g in hours for a in generate_agents(
            {g: hours[g]}, contracts,
            config.mix if config.mix is not None else _schedule_mix(
                result.shifts, g, w, contracts), reserve=config.reserve))
    agents = tuple(agents)
    v.unique("agents", [a.id for a in agents])
    names = {c.name for c in contracts}
    for a in agents:
        v.known_name(f"agents[{a.id}].group", a.group, list(configs), "agent group")
        v.known_name(f"agents[{a.id}].contract", a.contract, sorted(names), "contract")
    for c in contracts:
        for s in c.shifts:
            if not any(s in ts for ts in templates.values()):
                raise v.error(f"contracts[{c.name}].shifts", "must name shift templates of "
                              "the scenario", s)
    interval = w.interval
    per_day = 1440 // interval
    n_rows = weeks * 7 * per_day
    starts = pd.date_range(day0, periods=n_rows, freq=f"{interval}min")
    cov = result.coverage
    rows, cover, log = [], [], []
    jobs, targets = [], {}
    for g, cfg in configs.items():
        mine = [a for a in agents if a.group == g]
        targets[g] = (cov[cov["group"] == g].set_index("start")["scheduled"]
                      .reindex(starts).fillna(0.0).to_numpy(float))
        if not mine:
            if targets[g].sum() > 0:
                log.append(f"{g}: no agents; its schedule is left uncovered")
            continue
        wage = cfg.hourly_cost if cfg is not None and cfg.hourly_cost is not None \
            else w.hourly_cost
        jobs.append(dict(target=targets[g], templates=list(templates[g].values()), agents=mine,
                         contracts=contracts, rules=rules, day0=day0, weeks=weeks,
                         interval=interval, wage=wage, time_limit=time_limit,
                         day_need=_day_need(result.shifts, g, day0, 7 * weeks)))
    done = dict(zip([j["agents"][0].group for j in jobs], _map(_roster_job, jobs)))
    for g in configs:
        target = targets[g]
        if g not in done:
            cover.append(pd.DataFrame({"group": g, "start": starts, "target": target,
                                       "rostered": 0.0}))
            continue
        g_rows, rostered = done[g]
        for r in g_rows:
            r["group"] = g
        rows += g_rows
        cover.append(pd.DataFrame({"group": g, "start": starts, "target": target,
                                   "rostered": rostered}))
        n_agents = sum(a.group == g for a in agents)
        msg = f"{g}: {n_agents} agents rostered over {weeks} weeks"
        if progress is not None:
            progress(msg)
    by_id = {a.id: a for a in agents}
    turn, on_site = {}, {}
    out = []
    for r in sorted(rows, key=lambda r: (r["group"], r["agent"], r["day"])):
        a = by_id[r["agent"]]
        date = day0 + pd.Timedelta(days=r["day"])
        if r["template"]:
            t = templates[r["group"]][r["template"]]
            s = r["start"] - r["day"] * 1440
            k = (r["group"], r["template"], r["start"])
            turn[k] = turn.get(k, -1) + 1
            start = date + pd.Timedelta(minutes=s)
            spans = _break_spans(t, s, interval, turn[k])
            on_site.setdefault(r["group"], []).append((r["start"], t.length, spans))
            out.append((a.id, r["group"], a.contract, date, t.name, start,
                        start + pd.Timedelta(minutes=t.length), float(t.paid_hours),
                        "; ".join(f"{_clock(s + o)}-{_clock(s + o + m)}" for o, m in spans),
                        float(t.paid_hours) * t.cost_factor))
        else:
            out.append((a.id, r["group"], a.contract, date, "", pd.NaT, pd.NaT, 0.0, "", 0.0))
    table = pd.DataFrame(out, columns=["agent", "group", "contract", "date", "shift", "start",
                                       "end", "paid_hours", "breaks", "_costed"])
    wage_of = {g: (cfg.hourly_cost if cfg is not None and cfg.hourly_cost is not None
                   else w.hourly_cost) for g, cfg in configs.items()}
    wages = float((table["_costed"] * table["group"].map(wage_of)).sum())
    table = table.drop(columns="_costed")
    coverage = pd.concat(cover, ignore_index=True)
    # agents on duty from the roster itself: on site less the breaks it lists (the
    # program counts window breaks as on duty; they are placed afterwards)
    coverage["rostered"] = np.concatenate([_on_duty(on_site.get(g, []), n_rows, interval)
                                           for g in coverage["group"].unique()])
    coverage["under"] = np.maximum(coverage["target"] - coverage["rostered"], 0.0)
    for g, part in coverage.groupby("group", sort=False):
        n_agents = sum(a.group == g for a in agents)
        if n_agents:
            log.append(f"{g}: {n_agents} agents rostered over {weeks} weeks, "
                       f"{part['under'].sum() * interval / 60:,.1f} agent-hours short")
    coverage["over"] = np.maximum(coverage["rostered"] - coverage["target"], 0.0)
    groups_templates = {g: list(ts.values()) for g, ts in templates.items()}
    violations = check_roster(table, agents, rules, contracts, groups_templates)
    report = rule_report(violations, rules)
    end = day0 + pd.Timedelta(days=7 * weeks)
    sh = result.shifts[(result.shifts["start"] >= day0) & (result.shifts["start"] < end)]
    paid_schedule = float(shift_paid_hours(sh, w).sum())
    seconds = time.perf_counter() - t0
    attainment, kpis = _simulated(sc, result.requirements, coverage, starts, simulate)
    return Roster(table, agents, rules, contracts, violations, report, coverage, kpis,
                  float(table["paid_hours"].sum()), paid_schedule, wages,
                  float(coverage["under"].sum() * interval / 60), seconds, weeks, tuple(log),
                  attainment)


def roster_grid(table):
    """The roster as planners publish it: one row per agent, one column per day,
    each cell ``HH:MM-HH:MM`` (the shift's clock times), ``off`` or ``""``.

    Examples
    --------
    >>> t = pd.DataFrame({"agent": ["a", "a"], "group": "g", "contract": "full",
    ...                   "date": pd.to_datetime(["2025-09-01", "2025-09-02"]),
    ...                   "shift": ["full", ""],
    ...                   "start": pd.to_datetime(["2025-09-01 08:00", None]),
    ...                   "end": pd.to_datetime(["2025-09-01 16:30", None])})
    >>> roster_grid(t).iloc[0].tolist()
    ['a', 'g', 'full', '08:00-16:30', 'off']
    """
    cell = np.where(table["shift"] == "", "off",
                    table["start"].dt.strftime("%H:%M") + "-" + table["end"].dt.strftime("%H:%M"))
    t = table.assign(cell=cell, day=table["date"].dt.strftime("%a %d %b"))
    grid = t.pivot_table(index=["agent", "group", "contract"], columns="day", values="cell",
                         aggfunc="first", sort=False)
    days = list(dict.fromkeys(t["day"]))
    return grid[days].reset_index().rename_axis(columns=None)


def fairness(table):
    """How evenly the burdens fall, per group and contract: the weekend days, night
    shifts and late shifts (starting at 14:00 or later) each agent works, as the
    least, mean and most over the agents.

    Examples
    --------
    >>> t = pd.DataFrame({"agent": ["a", "a", "b", "b"], "group": "g", "contract": "full",
    ...                   "date": pd.to_datetime(["2025-09-06", "2025-09-07"] * 2),
    ...                   "shift": ["full", "", "full", "full"],
    ...                   "start": pd.to_datetime(["2025-09-06 15:00", None,
    ...                                            "2025-09-06 08:00", "2025-09-07 22:00"]),
    ...                   "end": pd.to_datetime(["2025-09-06 23:00", None,
    ...                                          "2025-09-06 16:00", "2025-09-08 06:00"])})
    >>> fairness(t)[["measure", "least", "most"]].values.tolist()
    [['weekend days', 1, 2], ['night shifts', 0, 1], ['late shifts', 1, 1]]
    """
    worked = table[table["shift"] != ""]
    start_min = worked["start"].dt.hour * 60 + worked["start"].dt.minute
    length = (worked["end"] - worked["start"]).dt.total_seconds() / 60
    per = pd.DataFrame({
        "agent": worked["agent"],
        "weekend days": worked["date"].dt.day_of_week >= 5,
        "night shifts": [_night(int(a), int(b)) for a, b in zip(start_min, length)],
        "late shifts": start_min >= _LATE}).groupby("agent").sum()
    agents = table.drop_duplicates("agent").set_index("agent")[["group", "contract"]]
    per = per.reindex(agents.index, fill_value=0).join(agents)
    rows = []
    for (g, c), part in per.groupby(["group", "contract"], sort=False):
        for m in ("weekend days", "night shifts", "late shifts"):
            x = part[m].astype(int)
            rows.append({"group": g, "contract": c, "measure": m, "agents": len(x),
                         "least": int(x.min()), "mean": float(x.mean()), "most": int(x.max())})
    return pd.DataFrame(rows)


def roster_tables(roster):
    """The roster's tables by name (what :func:`write_roster` writes): ``roster`` (one
    row per agent and day), ``grid``, ``rules``, ``violations``, ``fairness``,
    ``coverage``, ``kpis``, ``agents`` and ``summary`` (the headline figures)."""
    from .roster_input import agents_frame
    summary = pd.DataFrame([
        ("agents", len(roster.agents)), ("weeks", roster.weeks),
        ("paid hours", roster.paid_hours),
        ("paid hours of the shift schedule", roster.paid_hours_schedule),
        ("paid hours over the shift schedule (%)", roster.paid_hours_over_schedule_pct),
        ("wages", roster.wages), ("shortfall (agent-hours)", roster.shortfall_agent_hours),
        ("rule violations", len(roster.violations))], columns=["measure", "value"])
    out = {"summary": summary, "roster": roster.table, "grid": roster_grid(roster.table),
           "rules": roster.rule_report, "violations": roster.violations,
           "fairness": fairness(roster.table),
           "coverage": roster.coverage, "kpis": roster.kpis,
           "agents": agents_frame(roster.agents)}
    return {k: x for k, x in out.items() if isinstance(x, pd.DataFrame) and not x.empty}


def write_roster(roster, folder):
    """Write the roster's tables as CSV files and one Excel workbook (``roster.xlsx``)
    into ``folder``, each file atomically; returns the paths written."""
    from pathlib import Path

    from .report import write_csv, write_workbook
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frames = roster_tables(roster)
    written = []
    for name, frame in frames.items():
        path = folder / ("roster.csv" if name == "roster" else f"roster_{name}.csv")
        write_csv(frame, path)
        written.append(path)
    path = folder / "roster.xlsx"
    write_workbook(frames, path)
    written.append(path)
    return written
