"""The backlog model of deferrable work against brute force and independent implementations.

* deadlines: stepped minute by minute over small random open masks (both
  bases, "next_day", arrivals while closed, the horizon's end), written from
  the definitions only;
* fluid_backlog: against a slow simulation of contacts as small quanta
  served FIFO minute by minute, plus conservation and capacity;
* backlog_lp: solved with HiGHS and judged by the exact evaluator; exact for
  every contact on time (theory, a bisection over constant staffing, and
  every integer staffing of tiny cases), conservative for a share on time
  and a mean wait; the exact (MILP) late count against every integer staffing.
"""

import math
import re
import time

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from ccwfm.plan.backlog import (BacklogLP, BacklogResult, backlog_lp, by_day, deadline_times,
                                deadlines, fluid_backlog, share_within)

DAY = 1440


# ------------------------------------------------------------------ helpers


def random_mask(rng, interval, ndays, partial=False):
    per_day = DAY // interval
    mask = np.zeros(ndays * per_day, bool)
    for d in range(ndays):
        if rng.random() < 0.25:
            continue                                    # a closed day
        lo = int(rng.integers(6, 11)) * 60 // interval
        hi = int(rng.integers(14, 22)) * 60 // interval
        mask[d * per_day + lo:d * per_day + hi] = True
        if rng.random() < 0.3:                          # a closed gap (lunch)
            g = d * per_day + (lo + hi) // 2
            mask[g:g + max(1, 60 // interval)] = False
    if partial:
        mask = mask[:len(mask) - int(rng.integers(1, per_day))]
    return mask


def brute_due_minute(t, mask, interval, window, basis):
    """Deadline (minutes from the first midnight) of an arrival at minute ``t``, stepping
    minute by minute; None when it is after the horizon (whose later time is closed)."""
    end = len(mask) * interval

    def is_open(m):
        return m < end and bool(mask[m // interval])

    if window == "next_day":
        day = t // DAY + 1
        while day * DAY < end:
            last = None
            for m in range(day * DAY, min((day + 1) * DAY, end)):
                if is_open(m):
                    last = m
            if last is not None:
                return last + 1
            day += 1
        return None
    need = window // 60
    if basis == "calendar":
        due = t + need
    else:
        m, counted = t, 0
        while counted < need:
            if m >= end:
                return None
            counted += is_open(m)
            m += 1
        due = m
    return None if due > end else due


def brute_deadline(k, mask, interval, window, basis):
    due = brute_due_minute(k * interval, mask, interval, window, basis)
    if due is None:
        return len(mask)
    j = -1
    while (j + 2) * interval <= due:                    # the last interval ending by `due`
        j += 1
    return j


def slow_fluid(volume, aht, agents, deadline, interval, carry_in=0.0, carry_in_deadline=None,
               quanta=4):
    """Contacts as quanta served FIFO, minute by minute, at the agents' rate."""
    n = len(volume)
    dt = 60.0 * interval
    aht = np.broadcast_to(np.asarray(aht, float), (n,))
    agents = np.broadcast_to(np.asarray(agents, float), (n,))

    def due_time(d):
        return (d + 1) * dt if d < n else math.inf

    cd = deadline[0] if carry_in_deadline is None else carry_in_deadline
    queue = []        # [left, arrival time, deadline time, deadline index, arrival index, late]
    if carry_in > 0:
        queue.append([carry_in, 0.0, due_time(cd), cd, -1, False])
    out = {k: np.zeros(n) for k in ("served", "backlog", "late", "late_arr", "wait_arr", "wait")}
    c_late = c_wait = 0.0
    for i in range(n):
        for _ in range(quanta):
            if volume[i] > 0:
                queue.append([volume[i] / quanta, i * dt, due_time(deadline[i]), deadline[i], i,
                              False])
        rate = agents[i] / aht[i]                      # contacts per second
        for m in range(interval):
            now = i * dt + 60.0 * m
            start = sum(p[0] for p in queue)
            budget, tau, done = rate * 60.0, now, 0.0
            while budget > 0 and queue:
                p = queue[0]
                x = min(p[0], budget)
                w = x * (tau + x / (2 * rate) - p[1])
                if p[4] >= 0:
                    out["wait_arr"][p[4]] += w
                else:
                    c_wait += w
                tau += x / rate
                budget -= x
                done += x
                if x >= p[0]:
                    queue.pop(0)
                else:
                    p[0] -= x
            out["served"][i] += done
            used = done / rate if rate > 0 else 0.0
            out["wait"][i] += 60.0 * start - (done * used / 2 + done * (60.0 - used))
            for p in queue:                             # deadlines passing at this minute's end
                if not p[5] and p[2] <= now + 60.0:
                    p[5] = True
                    out["late"][p[3]] += p[0]
                    if p[4] >= 0:
                        out["late_arr"][p[4]] += p[0]
                    else:
                        c_late += p[0]
        out["backlog"][i] = sum(p[0] for p in queue)
    for p in queue:                                     # still waiting: wait up to the end
        w = p[0] * (n * dt - p[1])
        if p[4] >= 0:
            out["wait_arr"][p[4]] += w
        else:
            c_wait += w
    out["carry_in_late"], out["carry_in_wait"] = c_late, c_wait
    out["overdue_end"] = sum(p[0] for p in queue if p[5])
    return out


def random_deadline(rng, n, tail=True):
    """Non-decreasing deadlines with d[k] >= k, some after the horizon (n)."""
    d = np.arange(n) + rng.integers(0, 4, n)
    d = np.maximum.accumulate(d)
    if not tail:
        d = np.minimum(d, n - 1)
    return np.minimum(d, n)


def check_rows(lp, agents, aux, tol=1e-6):
    """(agents, aux) satisfy the model's rows and bounds."""
    x = lp.a_agents @ agents + lp.a_aux @ aux
    scale = 1 + np.abs(x)
    assert np.all(x >= lp.lb - tol * scale) and np.all(x <= lp.ub + tol * scale)
    assert np.all(aux >= lp.aux_lb - tol) and np.all(aux <= lp.aux_ub + tol * (1 + np.abs(aux)))


def lp_minimum(lp, *, equal=False, integer=False, cost=None, open_mask=None):
    """min cost @ n over the model (optionally n constant over open intervals, or integer)."""
    t = lp.n_intervals
    a = sp.hstack([lp.a_agents, lp.a_aux], format="csr")
    cons = [LinearConstraint(a, lp.lb, lp.ub)]
    if equal:                                           # n_i - n_j = 0 over open intervals
        idx = np.flatnonzero(open_mask) if open_mask is not None else np.arange(t)
        rows = sp.lil_array((len(idx) - 1, t + lp.naux))
        for r, (i, j) in enumerate(zip(idx[:-1], idx[1:])):
            rows[r, i], rows[r, j] = 1.0, -1.0
        cons.append(LinearConstraint(rows.tocsr(), 0.0, 0.0))
    ub = np.full(t, np.inf)
    if open_mask is not None:
        ub[~open_mask] = 0.0
    c = np.ones(t) if cost is None else cost
    integ = np.concatenate((np.full(t, 1 if integer else 0), lp.aux_integrality))
    res = milp(np.concatenate((c, np.zeros(lp.naux))), constraints=cons,
               bounds=Bounds(np.concatenate((np.zeros(t), lp.aux_lb)),
                             np.concatenate((ub, lp.aux_ub))),
               integrality=integ, options={"mip_rel_gap": 0})
    if res.x is None:
        return None, None
    return res.x[:t], res.x[t:]


# ---------------------------------------------------------------- deadlines


WINDOWS = [None, 1200, 4 * 3600, 9 * 3600 + 1800, 86400, 2 * 86400 + 600, "next_day"]


@pytest.mark.parametrize("seed", range(24))
def test_deadlines_brute_force(seed):
    rng = np.random.default_rng(seed)
    interval = int(rng.choice([15, 30, 60]))
    mask = random_mask(rng, interval, int(rng.integers(2, 4)), partial=rng.random() < 0.3)
    if seed == 0:
        mask[:] = False                                 # never open
    n = len(mask)
    ks = np.arange(n) if n <= 100 else np.sort(rng.choice(n, 60, replace=False))
    for window in WINDOWS:
        window = interval * 60 if window is None else window
        if window != "next_day" and window < interval * 60:
            continue
        for basis in ("calendar", "business"):
            d = deadlines(mask, interval=interval, window=window, basis=basis)
            assert d.dtype == np.int64 and d.shape == (n,)
            assert np.all(np.diff(d) >= 0), (window, basis)
            assert np.all(d >= np.arange(n)) and np.all(d <= n)
            want = [brute_deadline(int(k), mask, interval, window, basis) for k in ks]
            assert d[ks].tolist() == want, (interval, window, basis)
            # The exact times agree at interval starts.
            times = deadline_times(np.arange(n) * interval * 60.0, mask, interval=interval,
                                   window=window, basis=basis)
            back = np.where(np.isfinite(times), np.floor(times / (interval * 60.0)) - 1, n)
            assert back.astype(int).tolist() == d.tolist()


def test_deadlines_cases_by_hand():
    mask = np.zeros(96, bool)             # Mon and Tue 08-18 (60 min), Wed and Thu closed
    mask[8:18] = mask[32:42] = True
    bus = deadlines(mask, interval=60, window=4 * 3600, basis="business")
    assert bus[8] == 11 and bus[14] == 17               # 14:00 by 18:00
    assert bus[15] == 32 and bus[17] == 34              # 17:00: 1 h today, 3 h on Tuesday
    assert bus[20] == 35 and bus[0] == 11               # closed: counts from the next opening
    assert bus[40] == 96                                # Tuesday 16:00: never open again
    cal = deadlines(mask, interval=60, window=4 * 3600)
    assert cal[20] == 23 and cal[92] == 95 and cal[93] == 96   # at the end; after it
    nd = deadlines(mask, interval=60, window="next_day")
    assert nd[3] == nd[23] == 41 and nd[24] == 96       # Monday -> Tuesday 18:00; Tuesday: none
    # A window that is not a whole number of intervals is rounded back (conservative).
    assert deadlines(mask, interval=60, window=5400, basis="business")[8] == 8


def test_deadline_times_exact():
    rng = np.random.default_rng(5)
    for _ in range(6):
        interval = int(rng.choice([15, 30, 60]))
        mask = random_mask(rng, interval, 3)
        minutes = rng.integers(0, len(mask) * interval, 40)
        for window in (interval * 60, 1200 if interval == 15 else 3600, 5 * 3600, "next_day"):
            for basis in ("calendar", "business"):
                t = deadline_times(minutes * 60.0, mask, interval=interval, window=window,
                                   basis=basis)
                for m, got in zip(minutes.tolist(), t.tolist()):
                    want = brute_due_minute(m, mask, interval, window, basis)
                    assert (math.isinf(got) if want is None else got == want * 60.0), \
                        (m, window, basis)
                # Within an interval, a later arrival never has an earlier deadline than the
                # interval's start (the start is the conservative end).
                starts = (minutes // interval) * interval * 60.0
                t0 = deadline_times(starts, mask, interval=interval, window=window, basis=basis)
                assert np.all(t >= t0)


def test_share_within_by_hand():
    nan, inf = float("nan"), float("inf")
    arrival = [0, 0, 10, 20, 30, 40]
    answered = [100, 101, nan, nan, 35, nan]
    due = [100, 100, 100, inf, 30, 500]
    # late: 2nd (101 > 100), 3rd (waiting, due passed), 5th (35 > 30), 6th (due finite)
    assert share_within(arrival, answered, due) == pytest.approx(2 / 6)
    # With the horizon's end at 200, the 6th is not due yet.
    assert share_within(arrival, answered, due, horizon=200) == pytest.approx(3 / 6)
    # A deadline at the horizon's end itself has passed by then.
    assert share_within([0, 0], [nan, nan], [200, 201], horizon=200) == pytest.approx(0.5)
    assert share_within([], [], []) == 1.0


# ----------------------------------------------------------- fluid evaluator


@pytest.mark.parametrize("seed", range(12))
def test_fluid_backlog_against_quanta(seed):
    rng = np.random.default_rng(100 + seed)
    interval = int(rng.choice([15, 30, 60]))
    n = int(rng.integers(4, 14))
    volume = rng.choice([0.0, 0.0, 3.0, 7.5, 12.0, 20.0], n) * rng.uniform(0.5, 1.5, n)
    aht = rng.uniform(200, 900, n) if rng.random() < 0.5 else float(rng.uniform(200, 900))
    agents = rng.choice([0.0, 0.5, 1.0, 2.0, 3.3], n)
    deadline = random_deadline(rng, n)
    carry = float(rng.choice([0.0, 0.0, 5.0, 17.3]))
    cd = None if rng.random() < 0.5 else int(rng.integers(0, deadline[0] + 1))
    r = fluid_backlog(volume, aht, agents, deadline, interval=interval, carry_in=carry,
                      carry_in_deadline=cd)
    s = slow_fluid(volume, aht, agents, deadline, interval, carry, cd)
    tol = dict(rel=1e-9, abs=1e-7)
    for name in ("served", "backlog", "late", "wait"):
        assert getattr(r, name) == pytest.approx(s[name], **tol), name
    assert r.late_by_arrival == pytest.approx(s["late_arr"], **tol)
    assert r.wait_by_arrival == pytest.approx(s["wait_arr"], rel=1e-9, abs=1e-4)
    assert r.carry_in_late == pytest.approx(s["carry_in_late"], **tol)
    assert r.carry_in_wait == pytest.approx(s["carry_in_wait"], rel=1e-9, abs=1e-4)
    assert r.overdue_end == pytest.approx(s["overdue_end"], **tol)
    # Conservation, capacity, what there is.
    total = carry + volume.sum()
    assert r.served.sum() + r.carry_out == pytest.approx(total)
    assert np.all(r.served <= r.capacity + 1e-12)
    before = np.concatenate(([carry], r.backlog[:-1])) + volume
    assert np.all(r.served <= before + 1e-12) and np.all(r.backlog >= 0)
    # Totals and the two countings of late contacts and waits agree.
    assert r.late.sum() == pytest.approx(r.late_by_arrival.sum() + r.carry_in_late, abs=1e-9)
    assert r.wait.sum() == pytest.approx(r.wait_by_arrival.sum() + r.carry_in_wait, rel=1e-9)
    if total > 0:
        assert r.share_within == pytest.approx(1 - r.late.sum() / total)
        assert r.asa == pytest.approx(r.wait.sum() / total)


def test_fluid_backlog_by_hand():
    # 10 e-mails at 00:00, one agent at 600 s: 6 an hour; all due by 00:59 -> 4 late.
    r = fluid_backlog([10, 0, 0], 600.0, 1.0, [0, 2, 2], interval=60)
    assert r.served.tolist() == [6.0, 4.0, 0.0] and r.late.tolist() == [4.0, 0.0, 0.0]
    assert r.share_within == pytest.approx(0.6)
    # Deadline after the horizon: waiting at the end is not late; the wait is cut at the end.
    r = fluid_backlog([10, 0], 600.0, [1.0, 0.0], [2, 2], interval=60)
    assert r.late.sum() == 0 and r.carry_out == 4.0 and r.share_within == 1.0
    assert r.asa == pytest.approx((6 * 1800 + 4 * 7200) / 10)
    z = fluid_backlog([0, 0], 600.0, 1.0, [0, 1], interval=60)
    assert z.share_within == 1.0 and z.asa == 0.0


def test_by_day_matches_arrivals():
    rng = np.random.default_rng(7)
    interval = 60
    mask = random_mask(rng, interval, 3)
    volume = np.where(np.arange(len(mask)) % 24 >= 7, rng.uniform(0, 20, len(mask)), 0.0)
    due = deadlines(mask, interval=interval, window=3 * 3600, basis="business")
    agents = np.where(mask, rng.uniform(0, 3, len(mask)), 0.0)
    r = fluid_backlog(volume, 500.0, agents, due, interval=interval, carry_in=12.0)
    s = slow_fluid(volume, 500.0, agents, due, interval, 12.0)
    days = by_day(r)
    assert list(days.columns) == ["day", "contacts", "served", "backlog", "late", "share_within",
                                  "asa"]
    assert len(days) == 3
    for d in range(3):
        sl = slice(24 * d, 24 * (d + 1))
        contacts = volume[sl].sum() + (12.0 if d == 0 else 0.0)
        late = s["late_arr"][sl].sum() + (s["carry_in_late"] if d == 0 else 0.0)
        wait = s["wait_arr"][sl].sum() + (s["carry_in_wait"] if d == 0 else 0.0)
        row = days.iloc[d]
        assert row["contacts"] == pytest.approx(contacts)
        assert row["share_within"] == pytest.approx(1 - late / contacts)
        assert row["asa"] == pytest.approx(wait / contacts)
        assert row["backlog"] == pytest.approx(s["backlog"][24 * d + 23])
    assert days["late"].sum() == pytest.approx(r.late.sum())


# ------------------------------------------------------------------- the LP


def test_lp_within_one_theory():
    """Every contact on time, agents paid per interval: the least agent-intervals serve
    exactly the contacts due within the horizon (each as late as allowed costs the same)."""
    rng = np.random.default_rng(11)
    for _ in range(10):
        interval = int(rng.choice([15, 30, 60]))
        n = int(rng.integers(5, 40))
        volume = rng.uniform(0, 30, n)
        deadline = random_deadline(rng, n)
        aht = float(rng.uniform(120, 900))
        carry = float(rng.choice([0.0, 8.0]))
        lp = backlog_lp(volume, aht, deadline, interval=interval, within=1.0, carry_in=carry)
        agents, aux = lp.solve()
        check_rows(lp, agents, aux)
        due = carry + volume[deadline < n].sum()
        assert agents.sum() == pytest.approx(due * aht / (interval * 60), rel=1e-7)
        r = lp.evaluate(agents)
        assert r.late.sum() == pytest.approx(0, abs=1e-6) and r.share_within > 1 - 1e-9


@pytest.mark.parametrize("seed", range(6))
def test_lp_within_one_constant_staffing(seed):
    """The LP's least constant staffing equals the bisection on the exact evaluator."""
    rng = np.random.default_rng(200 + seed)
    interval = int(rng.choice([30, 60]))
    mask = random_mask(rng, interval, 2)
    if not mask.any():
        mask[10:14] = True
    n = len(mask)
    volume = np.where(np.arange(n) % (DAY // interval) >= 6 * 60 // interval,
                      rng.uniform(0, 25, n), 0.0)
    aht = rng.uniform(300, 700, n)
    window = "next_day" if seed % 3 == 0 else int(rng.choice([2, 4, 8])) * 3600
    due = deadlines(mask, interval=interval, window=window, basis="business")
    lp = backlog_lp(volume, aht, due, interval=interval, within=1.0, open_mask=mask)
    agents, aux = lp_minimum(lp, equal=True, open_mask=mask)
    assert agents is not None
    level = agents[mask][0]

    def meets(c):
        r = fluid_backlog(volume, aht, np.where(mask, c, 0.0), due, interval=interval)
        return r.late.sum() <= 1e-9

    lo, hi = 0.0, 1.0
    while not meets(hi):
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if meets(mid) else (mid, hi)
    assert level == pytest.approx(hi, rel=1e-6, abs=1e-7)


@pytest.mark.parametrize("seed", range(8))
def test_lp_integer_staffing_brute_force(seed):
    """Every integer staffing of a tiny case: the model's integer minimum is the true one
    (every contact on time; and the exact late count for a share), and the linear bound's
    is never below it (conservative)."""
    rng = np.random.default_rng(300 + seed)
    n, top = 4, 4
    volume = rng.choice([0.0, 2.0, 5.0, 9.0, 14.0], n)
    aht = rng.choice([600.0, 900.0, 1200.0], n)
    deadline = random_deadline(rng, n, tail=rng.random() < 0.5)
    carry = float(rng.choice([0.0, 3.0]))
    within = float(rng.choice([0.6, 0.75, 0.9]))
    cost = rng.choice([1.0, 1.0, 1.5, 2.0], n)
    grid = np.array(np.meshgrid(*[np.arange(top + 1)] * n, indexing="ij")).reshape(n, -1).T
    evals = [fluid_backlog(volume, aht, g, deadline, interval=60, carry_in=carry) for g in grid]
    share = np.array([e.share_within for e in evals])
    cleared = np.array([e.overdue_end <= 1e-9 for e in evals])
    costs = grid @ cost
    for target, late, clear in ((1.0, "bound", True), (within, "exact", True),
                                (within, "bound", True), (within, "exact", False)):
        ok = (share >= target - 1e-9) & (cleared | (not clear))
        lp = backlog_lp(volume, aht, deadline, interval=60, within=target, carry_in=carry,
                        late=late, clear_overdue=clear)
        bounded = np.concatenate((np.full(n, top), np.full(lp.naux, np.inf)))
        a = sp.hstack([lp.a_agents, lp.a_aux], format="csr")
        res = milp(np.concatenate((cost, np.zeros(lp.naux))),
                   constraints=LinearConstraint(a, lp.lb, lp.ub),
                   bounds=Bounds(np.concatenate((np.zeros(n), lp.aux_lb)),
                                 np.minimum(bounded, np.concatenate((np.full(n, np.inf),
                                                                     lp.aux_ub)))),
                   integrality=np.concatenate((np.ones(n), lp.aux_integrality)),
                   options={"mip_rel_gap": 0})
        if not ok.any():
            assert res.x is None, (target, late)
            continue
        best = costs[ok].min()
        if late == "bound" and target < 1:
            if res.x is not None:                       # conservative: never cheaper
                assert res.fun >= best - 1e-6
                got = fluid_backlog(volume, aht, np.round(res.x[:n]), deadline, interval=60,
                                    carry_in=carry)
                assert got.share_within >= target - 1e-7
        else:
            assert res.x is not None and res.fun == pytest.approx(best, abs=1e-6), (target, late)


@pytest.mark.parametrize("seed", range(8))
def test_lp_share_conservative(seed):
    """A share on time: the LP's staffing meets it in the exact evaluation, its late bound
    is at least the exact late count, refining never costs more, and the exact model's
    minimum is never above the bound's."""
    rng = np.random.default_rng(400 + seed)
    interval = 60
    mask = random_mask(rng, interval, 2)
    if not mask.any():
        mask[9:17] = True
    n = len(mask)
    volume = np.where(np.arange(n) % 24 >= 7, rng.uniform(0, 30, n), 0.0)
    due = deadlines(mask, interval=interval, window=int(rng.choice([2, 3, 5])) * 3600,
                    basis="business")
    within = float(rng.choice([0.7, 0.8, 0.9, 0.95]))
    lp = backlog_lp(volume, 600.0, due, interval=interval, within=within, open_mask=mask)
    agents, aux = lp.solve()
    check_rows(lp, agents, aux)
    r = lp.evaluate(agents)
    assert r.share_within >= within - 1e-7 and r.overdue_end <= 1e-7
    assert lp.late_bound(aux) >= r.late.sum() - 1e-6
    assert lp.late_bound(aux) <= (1 - within) * lp.contacts + 1e-6
    refined, _ = lp.solve(refine=8)
    assert refined.sum() <= agents.sum() + 1e-6
    assert lp.evaluate(refined).share_within >= within - 1e-7
    exact = backlog_lp(volume, 600.0, due, interval=interval, within=within, open_mask=mask,
                       late="exact")
    best, _ = exact.solve()
    assert exact.evaluate(best).share_within >= within - 1e-7
    assert best.sum() <= refined.sum() * (1 + 2e-4) + 1e-6      # (HiGHS' MIP gap)


@pytest.mark.parametrize("seed", range(10))
def test_late_bound_never_under_counts(seed):
    """For any staffing and any weights, the bound at the exact schedule is at least the
    exact late count; with the result's own weights it is exact."""
    rng = np.random.default_rng(500 + seed)
    n = int(rng.integers(3, 30))
    volume = rng.uniform(0, 20, n)
    deadline = random_deadline(rng, n)
    agents = rng.uniform(0, 3, n) * (rng.random(n) < 0.7)
    carry = float(rng.choice([0.0, 10.0]))
    r = fluid_backlog(volume, 600.0, agents, deadline, interval=30, carry_in=carry)
    for _ in range(5):
        w = rng.uniform(0, 1, n) if rng.random() < 0.6 else rng.integers(0, 2, n).astype(float)
        lp = backlog_lp(volume, 600.0, deadline, interval=30, within=0.5, carry_in=carry,
                        late_weight=w)
        aux = np.concatenate((r.served, r.backlog, np.maximum(0, r.backlog - lp.not_due)))
        assert lp.late_bound(aux) >= r.late.sum() - 1e-9
        # The budget row (the last) counts what late_bound says, within its bound.
        row = (lp.a_agents @ agents + lp.a_aux @ aux)[-1]
        assert row == pytest.approx(lp.late_bound(aux), rel=1e-12, abs=1e-12)
        assert lp.ub[-1] == pytest.approx(0.5 * (carry + volume.sum()))
    lp = backlog_lp(volume, 600.0, deadline, interval=30, within=0.5, carry_in=carry,
                    late_weight=r.late_weight)
    aux = np.concatenate((r.served, r.backlog, np.maximum(0, r.backlog - lp.not_due)))
    assert lp.late_bound(aux) == pytest.approx(r.late.sum(), abs=1e-9)
    exact = backlog_lp(volume, 600.0, deadline, interval=30, within=0.5, carry_in=carry,
                       late="exact")
    assert exact.late_bound(aux[:2 * n]) == pytest.approx(r.late.sum(), abs=1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_lp_asa_conservative(seed):
    rng = np.random.default_rng(600 + seed)
    interval = int(rng.choice([15, 30]))
    mask = random_mask(rng, interval, 2)
    if not mask.any():
        mask[40:60] = True
    n = len(mask)
    volume = np.where(mask, rng.uniform(0, 15, n), 0.0)   # arrivals while open only
    due = deadlines(mask, interval=interval, window="next_day")
    # The least reachable ASA (agents without limit) and a target above it.
    floor = fluid_backlog(volume, 600.0, np.where(mask, 1e6, 0.0), due,
                          interval=interval).asa
    target = max(floor, interval * 30.0) * float(rng.uniform(1.5, 6))
    for carry_out_max in (0.0, None):
        lp = backlog_lp(volume, 600.0, due, interval=interval, asa=target, open_mask=mask,
                        carry_out_max=carry_out_max)
        agents, aux = lp.solve()
        check_rows(lp, agents, aux)
        r = lp.evaluate(agents)
        assert r.asa <= target * (1 + 1e-7)
        assert lp.wait_bound(aux) <= target * lp.contacts * (1 + 1e-7)
        assert lp.wait_bound(aux) >= r.wait.sum() * (1 - 1e-9)
        if carry_out_max == 0:
            assert r.carry_out <= 1e-6
    # The trapezoid is exact while the queue never empties inside an interval.
    busy = lp.evaluate(np.where(mask, 0.05, 0.0))
    assert np.all(busy.backlog[mask] > 0)
    assert lp.wait_bound(np.concatenate((busy.served, busy.backlog))) == pytest.approx(
        busy.wait.sum(), rel=1e-12)
    # The wait bound holds for any staffing, evaluated at the exact schedule.
    for _ in range(5):
        ag = np.where(mask, rng.uniform(0, 4, n), 0.0)
        e = lp.evaluate(ag)
        assert lp.wait_bound(np.concatenate((e.served, e.backlog))) >= e.wait.sum() * (1 - 1e-12)


def test_lp_layout_and_speed():
    interval, n = 15, 672
    per_day = DAY // interval
    mask = np.zeros(n, bool)
    for d in range(5):
        mask[d * per_day + 32:d * per_day + 72] = True
    rng = np.random.default_rng(9)
    volume = np.where(np.arange(n) % per_day >= 28, rng.uniform(0, 20, n), 0.0)
    due = deadlines(mask, interval=interval, window=4 * 3600, basis="business")
    backlog_lp(volume, 600.0, due, interval=interval, within=0.9, open_mask=mask)   # warm up
    for kw in ({"within": 0.9, "asa": 30000.0}, {"within": 0.9, "late": "exact"},
               {"within": 0.9}, {"within": 1.0}):
        t0 = time.perf_counter()
        lp = backlog_lp(volume, 600.0, due, interval=interval, open_mask=mask, **kw)
        assert time.perf_counter() - t0 < 0.1
        assert isinstance(lp, BacklogLP)
        assert lp.a_agents.shape == (lp.lb.size, n) and lp.a_aux.shape == (lp.lb.size, lp.naux)
        assert isinstance(lp.a_agents, sp.csr_array) and isinstance(lp.a_aux, sp.csr_array)
        assert lp.ub.size == lp.lb.size and lp.aux_ub.size == lp.aux_lb.size == lp.naux
    agents, aux = lp.solve()
    assert lp.served(aux).shape == lp.backlog(aux).shape == (n,)
    assert np.all(agents[~mask] == 0)
    assert isinstance(lp.evaluate(agents), BacklogResult)


def test_infeasible_target_is_reported():
    # Calendar 1-hour window at night: due while closed, never servable.
    mask = np.zeros(24, bool)
    mask[8:18] = True
    volume = np.zeros(24)
    volume[2] = 5.0
    due = deadlines(mask, interval=60, window=3600)
    lp = backlog_lp(volume, 600.0, due, interval=60, within=1.0, open_mask=mask)
    with pytest.raises(ValueError, match="cannot be met"):
        lp.solve()
    # ... but a share that lets those 5 go late is fine.
    volume[10] = 95.0
    lp = backlog_lp(volume, 600.0, due, interval=60, within=0.95, open_mask=mask)
    agents, _ = lp.solve()
    assert lp.evaluate(agents).share_within == pytest.approx(0.95, abs=1e-7)


def test_clear_overdue():
    """Late contacts are handled by the horizon's last open interval; without that rule a
    share is met by never handling the last day's late contacts."""
    mask = np.zeros(48, bool)
    mask[8:18] = mask[32:42] = True
    volume = np.where(mask, 12.0, 0.0)
    volume[2] = volume[44] = 4.0                        # due at night: late whatever we do
    due = deadlines(mask, interval=60, window=3600)
    kw = dict(interval=60, within=0.8, open_mask=mask)
    for late in ("bound", "exact"):
        lp = backlog_lp(volume, 600.0, due, late=late, **kw)
        agents, _ = lp.solve()
        r = lp.evaluate(agents)
        # Everything due by 17:59 on day 2 is handled; the 4 of 20:00 cannot be.
        assert r.share_within >= 0.8 - 1e-7
        assert r.backlog[41] == pytest.approx(0, abs=1e-6)
        assert r.overdue_end == pytest.approx(4.0)
        loose = backlog_lp(volume, 600.0, due, late=late, clear_overdue=False, **kw)
        cheap, _ = loose.solve()
        e = loose.evaluate(cheap)
        assert cheap.sum() < agents.sum() - 1 and e.overdue_end > 4.0 + 1
        assert e.share_within >= 0.8 - 1e-7


# ------------------------------------------------------------------ inputs


def _mask():
    m = np.zeros(24, bool)
    m[8:18] = True
    return m


BAD = [
    (lambda: deadlines(_mask(), interval=20, window=3600), "'interval' must be one of"),
    (lambda: deadlines(_mask(), interval=60, window=-5), "'window' must be > 0"),
    (lambda: deadlines(_mask(), interval=60, window=1800), "'window' must be >= the interval"),
    (lambda: deadlines(_mask(), interval=60, window="tomorrow"), "'window' must be seconds"),
    (lambda: deadlines(_mask(), interval=60, window=3600, basis="clock"), "'basis' must be one"),
    (lambda: deadlines(np.ones(24), interval=60, window=3600), "'open_mask' must be an array"),
    (lambda: deadlines(np.zeros(0, bool), interval=60, window=3600), "'open_mask' must be a"),
    (lambda: deadline_times([90000.0], _mask(), interval=60, window=3600), "'arrival' must be"),
    (lambda: share_within([5.0], [1.0], [10.0]), "'answered' must be >= the arrival"),
    (lambda: share_within([5.0], [6.0], [1.0]), "'deadline_time' must be >= the arrival"),
    (lambda: share_within([5.0], [6.0, 7.0], [10.0]), "'answered' must have one value"),
    (lambda: share_within([5.0], [6.0], [float("nan")]), "'deadline_time' must not be NaN"),
    (lambda: fluid_backlog([1, -1], 600, 1, [0, 1], interval=60), "'volume' must be >= 0"),
    (lambda: fluid_backlog([1, np.nan], 600, 1, [0, 1], interval=60), "'volume' must not be NaN"),
    (lambda: fluid_backlog([1, 1], 0, 1, [0, 1], interval=60), "'aht' must be > 0"),
    (lambda: fluid_backlog([1, 1], 600, [1, np.nan], [0, 1], interval=60),
     "'agents' must not be NaN"),
    (lambda: fluid_backlog([1, 1], 600, [1, 1, 1], [0, 1], interval=60),
     "'agents' must have one value per interval"),
    (lambda: fluid_backlog([1, 1], 600, 1, [1, 0], interval=60),
     "'deadline' must be >= its own interval index"),
    (lambda: fluid_backlog([1, 1, 1], 600, 1, [2, 1, 2], interval=60),
     "'deadline' must be non-decreasing"),
    (lambda: fluid_backlog([1, 1], 600, 1, [0, 3], interval=60), "'deadline' must be >= 0 and"),
    (lambda: fluid_backlog([1, 1], 600, 1, [0, 1.5], interval=60), "'deadline' must be a whole"),
    (lambda: fluid_backlog([1, 1], 600, 1, [0, 1], interval=60, carry_in=-1),
     "'carry_in' must be >= 0"),
    (lambda: fluid_backlog([1, 1], 600, 1, [1, 1], interval=60, carry_in_deadline=2),
     "'carry_in_deadline' must be <= deadline"),
    (lambda: backlog_lp([1, 1], 600, [0, 1], interval=60), "'within' or 'asa' must be given"),
    (lambda: backlog_lp([1, 1], 600, [0, 1], interval=60, within=0), "'within' must be > 0"),
    (lambda: backlog_lp([1, 1], 600, [0, 1], interval=60, within=1.2), "'within' must be > 0"),
    (lambda: backlog_lp([1, 1], 600, [0, 1], interval=60, asa=600),
     "'asa' must be >= half the interval"),
    (lambda: backlog_lp([1, 1], 600, [0, 1], interval=60, within=0.9, late="approx"),
     "'late' must be one of"),
    (lambda: backlog_lp([1, 1], 600, [0, 1], interval=60, within=0.9, late_weight=[0, 2]),
     "'late_weight' must be"),
    (lambda: backlog_lp([1, 1], 600, [0, 1], interval=60, within=0.9,
                        open_mask=np.ones(3, bool)), "'open_mask' must have one value"),
    (lambda: backlog_lp([1, 1], 600, [0, 1], interval=60, within=0.9, carry_out_max=-1),
     "'carry_out_max' must be >= 0"),
    (lambda: backlog_lp([[1, 1]], 600, [0, 1], interval=60, within=0.9), "'volume' must be a 1-D"),
    (lambda: backlog_lp([1, 1], 600, [0, 1], interval=60, within=1.0).solve(refine=-1),
     "'refine' must be"),
    (lambda: backlog_lp([1, 1], 600, [0, 1], interval=60, within=0.9, clear_overdue="yes"),
     "'clear_overdue' must be true or false"),
    (lambda: by_day("x"), "'result' must be a BacklogResult"),
    (lambda: by_day(fluid_backlog([1], 600, 1, [0], interval=60), per_day=0),
     "'per_day' must be >= 1"),
]


@pytest.mark.parametrize("call, message", BAD, ids=[m for _, m in BAD])
def test_bad_inputs_name_the_field(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()
