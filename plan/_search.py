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


@njit(cache=True)
def _delta_n(dN, rows, n_rows, N, lo, floor_pen, c_model, c_upper, c_target, c_pen, ptr,
             slope, icpt, fl, fv, Y, dY):
    """Objective change (without wages) of adding ``dN`` (queues x rows) to the
    queues' agents on the phones ``N``, ``dN`` being zero outside ``rows[:n_rows]``."""
    M = N.shape[0]
    C = c_model.shape[0]
    out = 0.0
    for c in range(C):
        dY[c] = 0.0
    for k in range(n_rows):
        r = rows[k]
        for m in range(M):
            out += floor_pen * max(lo[m, r] - N[m, r] - dN[m, r], 0.0) - fl[m, r]
        for c in range(C):
            if ptr[c, r] == ptr[c, r + 1]:
                continue
            m = c_model[c]
            dY[c] += _cut(c, r, N[m, r] + dN[m, r], c_upper[c], ptr, slope, icpt) - fv[c, r]
    for c in range(C):
        if dY[c] != 0.0:
            out += c_pen[c] * (_violation(c_upper[c], Y[c] + dY[c], c_target[c])
                               - _violation(c_upper[c], Y[c], c_target[c]))
    return out


@njit(cache=True)
def _state_n(N, lo, floor_pen, c_model, c_upper, ptr, slope, icpt, fl, fv, Y):
    M, R = N.shape
    C = c_model.shape[0]
    for c in range(C):
        Y[c] = 0.0
    for r in range(R):
        for m in range(M):
            fl[m, r] = floor_pen * max(lo[m, r] - N[m, r], 0.0)
        for c in range(C):
            v = _cut(c, r, N[c_model[c], r], c_upper[c], ptr, slope, icpt)
            fv[c, r] = v
            Y[c] += v


@njit(cache=True)
def _move(dN, rows, mark, a0, share, keep, col_group, j, sj, k, sk, R):
    """``dN`` of ``sj`` agents on column ``j`` and ``sk`` on column ``k`` (k < 0: none);
    the rows touched in ``rows``, their count returned (``mark`` is scratch)."""
    n_rows = 0
    M = share.shape[1]
    for t in range(2):
        col = j if t == 0 else k
        s = sj if t == 0 else sk
        if col < 0:
            continue
        g = col_group[col]
        for r in range(R):
            v = a0[g * R + r, col]
            if v == 0.0:
                continue
            if not mark[r]:
                mark[r] = True
                rows[n_rows] = r
                n_rows += 1
                for m in range(M):
                    dN[m, r] = 0.0
            for m in range(M):
                dN[m, r] += s * keep * share[g, m, r] * v
    for i in range(n_rows):
        mark[rows[i]] = False
    return n_rows


@njit(cache=True)
def joint_search(x0, a0, col_group, fixed, cost, keep, share, lo, floor_pen, c_model, c_upper,
                 c_target, c_pen, ptr, slope, icpt, max_moves):
    """The search of :func:`local_search` over the shifts of several groups.

    ``a0`` holds each group's rows of agents on duty (``R`` rows per group,
    groups stacked), ``col_group`` the group of each column, ``fixed`` the
    agents on duty already there (groups stacked), ``share[g, m, r]`` the
    share of group ``g``'s agents on the phones that queue ``m`` gets in row
    ``r`` (the linear program's), so that queue ``m`` has ``sum_g keep *
    share[g, m, r] * duty[g, r]`` agents.  Moves: one agent more or fewer on
    a shift, or one moved from a shift to another, in the same group or
    another (a dedicated agent replaced by a cross-trained one).
    """
    G, M, R = share.shape
    F = x0.shape[0]
    C = c_model.shape[0]
    x = x0.copy()
    N = np.zeros((M, R))
    for g in range(G):
        for r in range(R):
            d = fixed[g * R + r]
            for j in range(F):
                if col_group[j] == g:
                    d += a0[g * R + r, j] * x[j]
            for m in range(M):
                N[m, r] += keep * share[g, m, r] * d
    fl = np.zeros((M, R))
    fv = np.zeros((C, R))
    Y = np.zeros(C)
    dY = np.zeros(C)
    dN = np.zeros((M, R))
    rows = np.zeros(R, np.int64)
    mark = np.zeros(R, np.bool_)
    scale = 1.0
    for j in range(F):
        scale = max(scale, abs(cost[j]))
    tol = 1e-9 * scale
    _state_n(N, lo, floor_pen, c_model, c_upper, ptr, slope, icpt, fl, fv, Y)
    for _ in range(max_moves):
        best, bj, bk = -tol, -1, -1
        for j in range(F):
            for sign in (1.0, -1.0):
                if sign < 0 and x[j] < 1:
                    continue
                n_rows = _move(dN, rows, mark, a0, share, keep, col_group, j, sign, -1, 0.0, R)
                d = sign * cost[j] + _delta_n(dN, rows, n_rows, N, lo, floor_pen, c_model,
                                              c_upper, c_target, c_pen, ptr, slope, icpt, fl,
                                              fv, Y, dY)
                if d < best:
                    best = d
                    bj, bk = (j, -1) if sign < 0 else (-1, j)
        if bj < 0 and bk < 0:
            for j in range(F):
                if x[j] < 1:
                    continue
                for k in range(F):
                    if k == j:
                        continue
                    n_rows = _move(dN, rows, mark, a0, share, keep, col_group, j, -1.0, k,
                                   1.0, R)
                    d = cost[k] - cost[j] + _delta_n(dN, rows, n_rows, N, lo, floor_pen,
                                                     c_model, c_upper, c_target, c_pen, ptr,
                                                     slope, icpt, fl, fv, Y, dY)
                    if d < best:
                        best, bj, bk = d, j, k
        if bj < 0 and bk < 0:
            # One agent more on a shift, then the two best removals (a cross-trained
            # agent for two dedicated ones).
            if _add_drop_two(x, N, a0, share, keep, col_group, cost, lo, floor_pen, c_model,
                             c_upper, c_target, c_pen, ptr, slope, icpt, fl, fv, Y, dY, dN,
                             rows, mark, tol, R):
                continue
            break
        n_rows = _move(dN, rows, mark, a0, share, keep, col_group, bj, -1.0, bk, 1.0, R) \
            if bj >= 0 else _move(dN, rows, mark, a0, share, keep, col_group, bk, 1.0, -1,
                                  0.0, R)
        for i in range(n_rows):
            r = rows[i]
            for m in range(M):
                N[m, r] += dN[m, r]
        if bj >= 0:
            x[bj] -= 1.0
        if bk >= 0:
            x[bk] += 1.0
        _state_n(N, lo, floor_pen, c_model, c_upper, ptr, slope, icpt, fl, fv, Y)
    return x


@njit(cache=True)
def _apply(x, N, dN, rows, n_rows, col, sign):
    for i in range(n_rows):
        r = rows[i]
        for m in range(N.shape[0]):
            N[m, r] += dN[m, r]
    x[col] += sign


@njit(cache=True)
def _add_drop_two(x, N, a0, share, keep, col_group, cost, lo, floor_pen, c_model, c_upper,
                  c_target, c_pen, ptr, slope, icpt, fl, fv, Y, dY, dN, rows, mark, tol, R):
    """The best move "one agent more on a shift, then the two best removals" if it
    lowers the objective: applied (``x``, ``N`` and the state updated), True."""
    F = x.shape[0]
    N0 = N.copy()
    x0 = x.copy()
    _state_n(N, lo, floor_pen, c_model, c_upper, ptr, slope, icpt, fl, fv, Y)
    best_total, best = -tol, (-1, -1, -1)
    for l in range(F):
        n_rows = _move(dN, rows, mark, a0, share, keep, col_group, l, 1.0, -1, 0.0, R)
        total = cost[l] + _delta_n(dN, rows, n_rows, N, lo, floor_pen, c_model, c_upper,
                                   c_target, c_pen, ptr, slope, icpt, fl, fv, Y, dY)
        _apply(x, N, dN, rows, n_rows, l, 1.0)
        _state_n(N, lo, floor_pen, c_model, c_upper, ptr, slope, icpt, fl, fv, Y)
        picks = [-1, -1]
        for step in range(2):
            bd, bj = np.inf, -1
            for j in range(F):
                if j == l or x[j] < 1:
                    continue
                n_rows = _move(dN, rows, mark, a0, share, keep, col_group, j, -1.0, -1, 0.0, R)
                d = -cost[j] + _delta_n(dN, rows, n_rows, N, lo, floor_pen, c_model, c_upper,
                                        c_target, c_pen, ptr, slope, icpt, fl, fv, Y, dY)
                if d < bd:
                    bd, bj = d, j
            if bj < 0:
                break
            picks[step] = bj
            total += bd
            n_rows = _move(dN, rows, mark, a0, share, keep, col_group, bj, -1.0, -1, 0.0, R)
            _apply(x, N, dN, rows, n_rows, bj, -1.0)
            _state_n(N, lo, floor_pen, c_model, c_upper, ptr, slope, icpt, fl, fv, Y)
        if picks[1] >= 0 and total < best_total:
            best_total, best = total, (l, picks[0], picks[1])
        # Undo.
        N[:, :] = N0
        x[:] = x0
        _state_n(N, lo, floor_pen, c_model, c_upper, ptr, slope, icpt, fl, fv, Y)
    if best[0] < 0:
        return False
    for col, sign in ((best[0], 1.0), (best[1], -1.0), (best[2], -1.0)):
        n_rows = _move(dN, rows, mark, a0, share, keep, col_group, col, sign, -1, 0.0, R)
        _apply(x, N, dN, rows, n_rows, col, sign)
    _state_n(N, lo, floor_pen, c_model, c_upper, ptr, slope, icpt, fl, fv, Y)
    return True
