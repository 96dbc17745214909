"""Numba local search that rounds one day's shift starts (see :meth:`plan.least_cost._Window`).

Private kernel: float64 arrays in, no validation.  The objective of a whole
schedule ``x`` (agents per shift column) is the window's own:

    cost @ x
    + floor_pen * sum_{m, r} max(lo[m, r] - n[m, r], 0)          (interval floors)
    + sum_c pen[c] * violation_c(sum_r f_c(n[model[c], r]))          (day targets)

with ``n[m, r] = keep * (fixed[r] + (a0 @ x)[r]) * share[m, r]`` the agents
of queue ``m`` on the phones in row ``r``, and ``f_c`` at row ``r`` the min
(upper cuts, a service level) or max (lower cuts, abandonment or wait) of the
cuts ``slope * n + icpt`` in ``ptr[c, r]:ptr[c, r + 1]``.
"""

import numpy as np
from numba import njit

__all__ = []


@njit(cache=True)
def _cut(c, r, n, upper, ptr, slope, icpt):
    a, b = ptr[c, r], ptr[c, r + 1]
    if a == b:
        return 0.0
    v = slope[a] * n + icpt[a]
    for k in range(a + 1, b):
        w = slope[k] * n + icpt[k]
        if upper:
            if w < v:
                v = w
        elif w > v:
            v = w
    return v


@njit(cache=True)
def _violation(upper, y, target):
    return max(target - y, 0.0) if upper else max(y - target, 0.0)


@njit(cache=True)
def _delta(dd, duty, keep, share, lo, floor_pen, c_model, c_upper, c_target, c_pen, ptr,
           slope, icpt, fl, fv, Y, dY):
    """Objective change (without wages) of adding ``dd`` to the agents on duty."""
    R = duty.shape[0]
    M = share.shape[0]
    C = c_model.shape[0]
    out = 0.0
    for c in range(C):
        dY[c] = 0.0
    for r in range(R):
        if dd[r] == 0.0:
            continue
        d = duty[r] + dd[r]
        for m in range(M):
            n = keep * d * share[m, r]
            out += floor_pen * max(lo[m, r] - n, 0.0) - fl[m, r]
        for c in range(C):
            if ptr[c, r] == ptr[c, r + 1]:
                continue
            n = keep * d * share[c_model[c], r]
            dY[c] += _cut(c, r, n, c_upper[c], ptr, slope, icpt) - fv[c, r]
    for c in range(C):
        if dY[c] != 0.0:
            out += c_pen[c] * (_violation(c_upper[c], Y[c] + dY[c], c_target[c])
                               - _violation(c_upper[c], Y[c], c_target[c]))
    return out


@njit(cache=True)
def _state(duty, keep, share, lo, floor_pen, c_model, c_upper, ptr, slope, icpt, fl, fv, Y):
    R = duty.shape[0]
    M = share.shape[0]
    C = c_model.shape[0]
    for c in range(C):
        Y[c] = 0.0
    for r in range(R):
        for m in range(M):
            fl[m, r] = floor_pen * max(lo[m, r] - keep * duty[r] * share[m, r], 0.0)
        for c in range(C):
            v = _cut(c, r, keep * duty[r] * share[c_model[c], r], c_upper[c], ptr, slope, icpt)
            fv[c, r] = v
            Y[c] += v


@njit(cache=True)
def local_search(x0, a0, fixed, cost, keep, share, lo, floor_pen, c_model, c_upper, c_target,
                 c_pen, ptr, slope, icpt, max_moves):
    """Best-improvement search over +1, -1 and exchange moves from ``x0``; returns ``x``."""
    R, F = a0.shape
    M = share.shape[0]
    C = c_model.shape[0]
    x = x0.copy()
    duty = fixed.copy()
    for r in range(R):
        for j in range(F):
            duty[r] += a0[r, j] * x[j]
    fl = np.zeros((M, R))
    fv = np.zeros((C, R))
    Y = np.zeros(C)
    dY = np.zeros(C)
    dd = np.zeros(R)
    scale = 1.0
    for j in range(F):
        scale = max(scale, abs(cost[j]))
    tol = 1e-9 * scale
    _state(duty, keep, share, lo, floor_pen, c_model, c_upper, ptr, slope, icpt, fl, fv, Y)
    for _ in range(max_moves):
        best, bj, bk = -tol, -1, -1
        # One agent more (bk = j) or fewer (bj = j) on a shift.
        for j in range(F):
            for sign in (1.0, -1.0):
                if sign < 0 and x[j] < 1:
                    continue
                for r in range(R):
                    dd[r] = sign * a0[r, j]
                d = sign * cost[j] + _delta(dd, duty, keep, share, lo, floor_pen, c_model,
                                            c_upper, c_target, c_pen, ptr, slope, icpt, fl,
                                            fv, Y, dY)
                if d < best:
                    best = d
                    bj, bk = (j, -1) if sign < 0 else (-1, j)
        if bj < 0 and bk < 0:
            # No single move helps: exchanges of one agent from a shift to another.
            for j in range(F):
                if x[j] < 1:
                    continue
                for k in range(F):
                    if k == j:
                        continue
                    for r in range(R):
                        dd[r] = a0[r, k] - a0[r, j]
                    d = cost[k] - cost[j] + _delta(dd, duty, keep, share, lo, floor_pen,
                                                   c_model, c_upper, c_target, c_pen, ptr,
                                                   slope, icpt, fl, fv, Y, dY)
                    if d < best:
                        best, bj, bk = d, j, k
        if bj < 0 and bk < 0:
            break
        if bj >= 0:
            x[bj] -= 1.0
            for r in range(R):
                duty[r] -= a0[r, bj]
        if bk >= 0:
            x[bk] += 1.0
            for r in range(R):
                duty[r] += a0[r, bk]
        _state(duty, keep, share, lo, floor_pen, c_model, c_upper, ptr, slope, icpt, fl, fv, Y)
    return x


@njit(cache=True)
def backlog_state(phones, lam, aht, dt, carry_in, notdue, count):
    """Work-conserving fluid FIFO over the rows: ``(wait, late, backlog at the end)``.

    ``wait`` is the area under the backlog (contact-seconds), ``late`` the
    overdue backlog ``max(b_r - notdue[r], 0)`` summed over the rows where
    ``count[r]`` (the LP's late bound of :func:`plan.backlog.backlog_lp` with
    its default weights).
    """
    b = carry_in
    wait = 0.0
    late = 0.0
    for r in range(lam.shape[0]):
        cap = phones[r] * dt / aht[r]
        start = b + lam[r]
        s = start if start <= cap else cap
        nb = start - s
        if cap > 0.0 and start <= cap:
            wait += start * start * dt / (2.0 * cap)
        else:
            wait += 0.5 * dt * (start + nb)
        if count[r]:
            late += max(nb - notdue[r], 0.0)
        b = nb
    return wait, late, b


@njit(cache=True)
def _backlog_objective(duty, dd, keep, lam, aht, dt, carry_in, notdue, count, wait_max,
                       late_max, end_max, wait_scale, pen, phones):
    """Penalty of the agents on duty ``duty + dd``."""
    for r in range(duty.shape[0]):
        phones[r] = keep * (duty[r] + dd[r])
    wait, late, end = backlog_state(phones, lam, aht, dt, carry_in, notdue, count)
    return pen * (max(wait - wait_max, 0.0) * wait_scale + max(late - late_max, 0.0)
                  + max(end - end_max, 0.0))


@njit(cache=True)
def backlog_search(x0, a0, fixed, cost, keep, lam, aht, dt, carry_in, notdue, count, wait_max,
                   late_max, end_max, wait_scale, pen, max_moves):
    """Whole shifts for deferrable work: best-improvement search from ``x0``.

    Moves: one agent more or fewer on a shift; if none helps, one agent moved
    from a shift to another; if none helps, two agents replaced by one (a
    long shift for two short ones).  Judged by the wages ``cost @ x`` plus the
    fluid backlog of the rows: no more wait than ``wait_max``, late contacts
    than ``late_max``, backlog left at the end than ``end_max``, each excess
    costing ``pen`` per contact (the wait's through ``wait_scale``).  Returns ``x``.
    """
    R, F = a0.shape
    x = x0.copy()
    phones = np.empty(R)
    dd = np.zeros(R)
    duty = fixed.copy()
    for r in range(R):
        for j in range(F):
            duty[r] += a0[r, j] * x[j]
    scale = 1.0
    for j in range(F):
        scale = max(scale, abs(cost[j]))
    tol = 1e-9 * scale
    args = (keep, lam, aht, dt, carry_in, notdue, count, wait_max, late_max, end_max,
            wait_scale, pen, phones)
    cur = _backlog_objective(duty, dd, *args)
    for _ in range(max_moves):
        best, bj, bk, bl = -tol, -1, -1, -1
        for j in range(F):
            for sign in (-1.0, 1.0):
                if sign < 0 and x[j] < 1:
                    continue
                for r in range(R):
                    dd[r] = sign * a0[r, j]
                v = sign * cost[j] + _backlog_objective(duty, dd, *args) - cur
                if v < best:
                    best = v
                    bj, bk = (j, -1) if sign < 0 else (-1, j)
        if bj < 0 and bk < 0:
            for j in range(F):
                if x[j] < 1:
                    continue
                for k in range(F):
                    if k == j:
                        continue
                    for r in range(R):
                        dd[r] = a0[r, k] - a0[r, j]
                    v = cost[k] - cost[j] + _backlog_objective(duty, dd, *args) - cur
                    if v < best:
                        best, bj, bk = v, j, k
        if bj < 0 and bk < 0:
            for j in range(F):
                if x[j] < 1:
                    continue
                for l in range(j, F):
                    if x[l] < (2 if l == j else 1):
                        continue
                    for k in range(F):
                        if k == j or k == l:
                            continue
                        for r in range(R):
                            dd[r] = a0[r, k] - a0[r, j] - a0[r, l]
                        v = (cost[k] - cost[j] - cost[l] + _backlog_objective(duty, dd, *args)
                             - cur)
                        if v < best:
                            best, bj, bk, bl = v, j, k, l
        if bj < 0 and bk < 0:
            break
        for r in range(R):
            if bj >= 0:
                duty[r] -= a0[r, bj]
            if bl >= 0:
                duty[r] -= a0[r, bl]
            if bk >= 0:
                duty[r] += a0[r, bk]
            dd[r] = 0.0
        if bj >= 0:
            x[bj] -= 1.0
        if bl >= 0:
            x[bl] -= 1.0
        if bk >= 0:
            x[bk] += 1.0
        cur = _backlog_objective(duty, dd, *args)
    return x
