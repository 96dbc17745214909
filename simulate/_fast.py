"""Numba fast path: one queue served by its own agent group.

Private module.  For a first-come-first-served queue the service start of
each contact is ``max(entry, earliest time a slot is free)`` with the slots'
free times kept in a binary heap, and a contact whose wait would exceed its
patience abandons without touching the slots (Kiefer-Wolfowitz recursion
with reneging).  Start times never decrease in entry order, so staffing
changes are applied exactly when the next start would pass them.  Bot
stages do not depend on the agents and are resolved when an attempt is
created; retrials of contacts that abandoned in the queue enter a second
heap of pending entries.

The first attempts' attributes are drawn in bulk by :func:`simulate._common.
first_attempts`; later attempts draw theirs from the counter-based generator
of :mod:`simulate._rng`, keyed by (replication key, queue, contact, attempt,
stream).  The SimPy model uses exactly the same draws, so both engines see
the same contacts and, for a single-skill queue, produce the same records.
"""


import numpy as np
from numba import njit

from . import _rng
from .distributions import draw_keyed

ANSWERED, ABANDONED, ABANDONED_BOT, CONTAINED, IN_BOT, IN_QUEUE = 0, 1, 2, 3, 4, 5
OUTCOMES = ("answered", "abandoned", "abandoned_bot", "contained", "in_bot", "in_queue")
_INF = np.inf


# ----------------------------------------------------------------- arrivals


@njit(cache=True)
def arrivals(gaps, rates, interval):
    """Arrival times of a Poisson process with piecewise-constant ``rates`` (per second).

    ``gaps`` are standard exponential numbers, used in order: exponential
    gaps at each interval's rate; a gap crossing the interval's end is
    discarded and the next interval starts afresh (memoryless, so the process
    is exactly the piecewise-constant one).  Returns the times, or an empty
    array with ``ok = False`` when ``gaps`` ran out.
    """
    out = np.empty(gaps.shape[0])
    n = 0
    m = 0
    for i in range(rates.shape[0]):
        r = rates[i]
        if r <= 0.0:
            continue
        t = i * interval
        t_end = (i + 1) * interval
        inv = 1.0 / r
        while True:
            if m == gaps.shape[0]:
                return out[:0], False
            t += inv * gaps[m]
            m += 1
            if t >= t_end:
                break
            out[n] = t
            n += 1
    return out[:n], True


# -------------------------------------------------------------------- heaps


# The slots' free times live in a 4-ary min-heap: half the depth of a binary
# heap, and the four children of a node share a cache line.


@njit(cache=True, inline="always")
def _sift_down(h, n, i):
    v = h[i]
    while True:
        c = 4 * i + 1
        if c >= n:
            break
        m = c
        mv = h[c]
        for j in range(c + 1, min(c + 4, n)):
            hj = h[j]
            if hj < mv:
                mv = hj
                m = j
        if mv >= v:
            break
        h[i] = mv
        i = m
    h[i] = v


@njit(cache=True, inline="always")
def _sift_up(h, i):
    v = h[i]
    while i > 0:
        p = (i - 1) >> 2
        if h[p] <= v:
            break
        h[i] = h[p]
        i = p
    h[i] = v


@njit(cache=True, inline="always")
def _sift_down_bin(h, n, i):
    v = h[i]
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and h[c + 1] < h[c]:
            c += 1
        if h[c] >= v:
            break
        h[i] = h[c]
        i = c
    h[i] = v


@njit(cache=True, inline="always")
def _sift_up_bin(h, i):
    v = h[i]
    while i > 0:
        p = (i - 1) >> 1
        if h[p] <= v:
            break
        h[i] = h[p]
        i = p
    h[i] = v


@njit(cache=True)
def _sift_down_keyed(idx, keys, n, i):
    v = idx[i]
    kv = keys[v]
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and keys[idx[c + 1]] < keys[idx[c]]:
            c += 1
        if keys[idx[c]] >= kv:
            break
        idx[i] = idx[c]
        i = c
    idx[i] = v


@njit(cache=True)
def _sift_up_keyed(idx, keys, i):
    v = idx[i]
    kv = keys[v]
    while i > 0:
        p = (i - 1) >> 1
        if keys[idx[p]] <= kv:
            break
        idx[i] = idx[p]
        i = p
    idx[i] = v


# ------------------------------------------------------------------- engine


@njit(cache=True, inline="always")
def _bot_stage(t0, bt, u, at, end, b_contain, b_abandon):
    """Resolve the bot stage of an attempt arriving at ``t0``.

    ``bt`` is its time in the bot, ``u`` the uniform deciding the outcome and
    ``at`` the uniform point of the bot time where an abandoning one hangs
    up.  Returns ``(outcome, time)``: ``(-1, entry)`` when escalated to the
    queue, ``(CONTAINED, leave)``, ``(ABANDONED_BOT, leave)`` or
    ``(IN_BOT, nan)`` when still in the bot at the end of the horizon.
    """
    if u < b_abandon:
        t = t0 + bt * at
        if t >= end:
            return IN_BOT, np.nan
        return ABANDONED_BOT, t
    if t0 + bt >= end:
        return IN_BOT, np.nan
    if u < b_abandon + b_contain:
        return CONTAINED, t0 + bt
    return -1, t0 + bt


@njit(cache=True, inline="always")
def _keyed_bot_stage(key, q, c, a, t0, end, b_kind, b_p1, b_p2, b_values, b_contain,
                     b_abandon):
    """:func:`_bot_stage` with the attempt's draws from the counter-based generator."""
    bt = draw_keyed(b_kind, b_p1, b_p2, b_values, key, q, c, a, _rng.BOT_TIME)
    u = _rng.uniform(key, q, c, a, _rng.BOT_OUTCOME, 0)
    at = _rng.uniform(key, q, c, a, _rng.BOT_ABANDON_AT, 0)
    return _bot_stage(t0, bt, u, at, end, b_contain, b_abandon)


@njit(cache=True, inline="always")
def _apply_change(heap, n_slots, tc, d, ot_from, ot_to, n_ot):
    """Add ``d`` slots free at ``tc`` (``d > 0``) or remove ``-d`` (``d < 0``).

    Removed are the slots with the smallest free times: idle ones (free
    before ``tc``) first, then those finishing soonest, which finish their
    contact in overtime ``(tc, free time)``.  Returns ``(n_slots, n_ot)``.
    """
    if d > 0:
        for _ in range(d):
            heap[n_slots] = tc
            _sift_up(heap, n_slots)
            n_slots += 1
    else:
        for _ in range(-d):
            if n_slots == 0:
                break
            ft = heap[0]
            if ft > tc:
                ot_from[n_ot] = tc
                ot_to[n_ot] = ft
                n_ot += 1
            n_slots -= 1
            if n_slots > 0:
                heap[0] = heap[n_slots]
                _sift_down(heap, n_slots, 0)
    return n_slots, n_ot


@njit(cache=True, inline="always")
def _retry_at(key, q, c, a, t_leave, end, r_prob, r_max, r_kind, r_p1, r_p2, r_values):
    """Time of the next attempt of a contact that abandoned at ``t_leave``, or -1."""
    if a >= r_max or _rng.uniform(key, q, c, a, _rng.RETRY, 0) >= r_prob:
        return -1.0
    t = t_leave + draw_keyed(r_kind, r_p1, r_p2, r_values, key, q, c, a, _rng.RETRY_DELAY)
    return t if t < end else -1.0


@njit(cache=True)
def simulate_queue(key, q, base, base_h, base_p, base_bt, base_bu, base_ba, end, cap,
                   h_kind, h_p1, h_p2, h_values,
                   has_patience, p_kind, p_p1, p_p2, p_values,
                   has_bot, b_kind, b_p1, b_p2, b_values, b_contain, b_abandon, b_uplift,
                   has_retrial, r_prob, r_max, r_kind, r_p1, r_p2, r_values,
                   slots_per_agent, stretch, change_times, change_agents, interval,
                   max_queue, h_scale):
    """Simulate one queue and its dedicated group over ``[0, end)``.

    ``base`` are the first attempts' arrival times (sorted) and ``base_h``,
    ``base_p``, ``base_bt``, ``base_bu``, ``base_ba`` their handle time,
    patience, bot time, bot-outcome uniform and bot-abandonment point (drawn
    in bulk); later attempts draw theirs from the counter-based generator.
    ``cap`` bounds the number of attempt records.  ``max_queue`` (one entry
    per interval of length ``interval``) receives the largest number of
    contacts waiting at once in each interval.  ``h_scale`` (empty, or one
    per interval) multiplies the handle time of later attempts by their
    arrival interval's factor (first attempts come scaled).  Returns ``(n, records..., overtime...)``
    with ``n = -1`` when ``cap`` was too small (the run is a pure function of
    the key, so the caller simply runs it again with a larger ``cap``).
    Records: ``(contact, attempt, arrival, outcome, enter, start, leave)``;
    overtime: ``(from, to)`` of slots that went off duty while busy.
    """
    r_contact = np.empty(cap, dtype=np.int64)
    r_attempt = np.empty(cap, dtype=np.int32)
    r_arrival = np.empty(cap)
    r_outcome = np.empty(cap, dtype=np.int8)
    r_enter = np.empty(cap)
    r_start = np.empty(cap)
    r_leave = np.empty(cap)
    n_rec = 0
    n_ent = 0
    n_base = base.shape[0]
    fail = (np.int64(-1), r_contact, r_attempt, r_arrival, r_outcome, r_enter, r_start,
            r_leave, r_enter, r_enter)
    # Queue entries of the attempts created before the agents are simulated,
    # in entry order: with a bot, sorted record indices; without, records
    # 0 .. n_base - 1 themselves.
    order = np.empty(0, dtype=np.int64)
    if has_bot:
        e_time = np.empty(cap)
        e_rec = np.empty(cap, dtype=np.int64)
        # Bot stages of first attempts, and of the retrials of bot abandoners.
        for j in range(n_base):
            a = 0
            t0 = base[j]
            while True:
                if n_rec == cap:
                    return fail
                rec = n_rec
                n_rec += 1
                r_contact[rec] = j
                r_attempt[rec] = a
                r_arrival[rec] = t0
                r_enter[rec] = np.nan
                r_start[rec] = np.nan
                r_leave[rec] = np.nan
                if a == 0:
                    outcome, t = _bot_stage(t0, base_bt[j], base_bu[j], base_ba[j], end,
                                            b_contain, b_abandon)
                else:
                    outcome, t = _keyed_bot_stage(key, q, j, a, t0, end, b_kind, b_p1, b_p2,
                                                  b_values, b_contain, b_abandon)
                if outcome < 0:
                    r_outcome[rec] = IN_QUEUE
                    r_enter[rec] = t
                    e_time[n_ent] = t
                    e_rec[n_ent] = rec
                    n_ent += 1
                    break
                r_outcome[rec] = outcome
                r_leave[rec] = t
                if outcome != ABANDONED_BOT or not has_retrial:
                    break
                t0 = _retry_at(key, q, j, a, t, end, r_prob, r_max, r_kind, r_p1, r_p2,
                               r_values)
                if t0 < 0.0:
                    break
                a += 1
        order = e_rec[np.argsort(e_time[:n_ent], kind="mergesort")]
    else:
        if n_base > cap:
            return fail
        for j in range(n_base):
            r_contact[j] = j
            r_attempt[j] = 0
            r_arrival[j] = base[j]
            r_outcome[j] = IN_QUEUE
            r_enter[j] = base[j]
            r_start[j] = np.nan
            r_leave[j] = np.nan
        n_rec = n_base
        n_ent = n_base

    # ---- agents: slot free times in a min-heap
    n_changes = change_times.shape[0]
    max_agents = 0
    level = 0
    for i in range(n_changes):
        level += change_agents[i]
        max_agents = max(max_agents, level)
    heap = np.empty(max(max_agents * slots_per_agent, 1))
    n_slots = 0
    next_change = 0
    removed = 0
    for i in range(n_changes):
        removed += max(-change_agents[i], 0)
    # Each overtime segment ends an answered contact: at most ``cap`` of them.
    ot_from = np.empty(max(min(removed * slots_per_agent, cap), 1))
    ot_to = np.empty(ot_from.shape[0])
    n_ot = 0
    # Entries of retrials after queue abandonment: a heap of record indices.
    p_heap = np.empty(cap if has_retrial else 0, dtype=np.int64)
    n_pend = 0
    # Contacts waiting: a heap of the times they leave the queue.
    w_heap = np.empty(cap)
    n_wait = 0
    cur = 0
    n_int = max_queue.shape[0]
    ib = 0
    while True:
        if ib < n_ent:
            k = order[ib] if has_bot else ib
            if n_pend > 0 and r_enter[p_heap[0]] < r_enter[k]:
                k = -1
            else:
                ib += 1
        elif n_pend > 0:
            k = -1
        else:
            break
        if k < 0:
            k = p_heap[0]
            n_pend -= 1
            if n_pend > 0:
                p_heap[0] = p_heap[n_pend]
                _sift_down_keyed(p_heap, r_enter, n_pend, 0)
        rec = k
        e = r_enter[rec]
        c = r_contact[rec]
        a = r_attempt[rec]
        # Queue length at the interval starts passed, then just before e.
        i_e = min(int(e / interval), n_int - 1)
        while cur < i_e:
            cur += 1
            bound = cur * interval
            while n_wait > 0 and w_heap[0] <= bound:
                n_wait -= 1
                if n_wait > 0:
                    w_heap[0] = w_heap[n_wait]
                    _sift_down_bin(w_heap, n_wait, 0)
            if n_wait > max_queue[cur]:
                max_queue[cur] = n_wait
        while n_wait > 0 and w_heap[0] <= e:
            n_wait -= 1
            if n_wait > 0:
                w_heap[0] = w_heap[n_wait]
                _sift_down_bin(w_heap, n_wait, 0)
        # Staffing changes up to the contact's tentative start.
        while next_change < n_changes:
            f = heap[0] if n_slots > 0 else _INF
            tc = change_times[next_change]
            if tc > max(e, f):
                break
            n_slots, n_ot = _apply_change(heap, n_slots, tc,
                                          change_agents[next_change] * slots_per_agent,
                                          ot_from, ot_to, n_ot)
            next_change += 1
        st = max(e, heap[0]) if n_slots > 0 else _INF
        patience = _INF
        if has_patience:
            if a == 0:
                patience = base_p[c]
            else:
                patience = draw_keyed(p_kind, p_p1, p_p2, p_values, key, q, c, a,
                                      _rng.PATIENCE)
        leaves = min(st, e + patience, end)
        if leaves > e:
            w_heap[n_wait] = leaves
            _sift_up_bin(w_heap, n_wait)
            n_wait += 1
            if n_wait > max_queue[i_e]:
                max_queue[i_e] = n_wait
        if st - e > patience:
            t_ab = e + patience
            if t_ab >= end:
                continue                    # still waiting at the end: IN_QUEUE
            r_outcome[rec] = ABANDONED
            r_leave[rec] = t_ab
            if not has_retrial:
                continue
            # The contact's next attempts: bot stages now (they do not need
            # the agents), then a queue entry into the pending heap.
            t0 = _retry_at(key, q, c, a, t_ab, end, r_prob, r_max, r_kind, r_p1, r_p2,
                           r_values)
            while t0 >= 0.0:
                a += 1
                if n_rec == cap:
                    return fail
                new = n_rec
                n_rec += 1
                r_contact[new] = c
                r_attempt[new] = a
                r_arrival[new] = t0
                r_enter[new] = np.nan
                r_start[new] = np.nan
                r_leave[new] = np.nan
                entry = t0
                if has_bot:
                    outcome, t = _keyed_bot_stage(key, q, c, a, t0, end, b_kind, b_p1,
                                                  b_p2, b_values, b_contain, b_abandon)
                    if outcome >= 0:
                        r_outcome[new] = outcome
                        r_leave[new] = t
                        if outcome != ABANDONED_BOT:
                            break
                        t0 = _retry_at(key, q, c, a, t, end, r_prob, r_max, r_kind, r_p1,
                                       r_p2, r_values)
                        continue
                    entry = t
                r_outcome[new] = IN_QUEUE
                r_enter[new] = entry
                p_heap[n_pend] = new
                _sift_up_keyed(p_heap, r_enter, n_pend)
                n_pend += 1
                break
            continue
        if st >= end:
            continue                        # still waiting at the end: IN_QUEUE
        if a == 0:
            hold = base_h[c] * stretch
        else:
            hold = draw_keyed(h_kind, h_p1, h_p2, h_values, key, q, c, a, _rng.HANDLE) * stretch
            if h_scale.shape[0] > 0:
                hold *= h_scale[min(int(r_arrival[rec] / interval), h_scale.shape[0] - 1)]
        if has_bot:
            hold *= b_uplift
        heap[0] = st + hold
        _sift_down(heap, n_slots, 0)
        r_outcome[rec] = ANSWERED
        r_start[rec] = st
        r_leave[rec] = st + hold
    # Changes after the last entry still send busy agents into overtime.
    while next_change < n_changes:
        n_slots, n_ot = _apply_change(heap, n_slots, change_times[next_change],
                                      change_agents[next_change] * slots_per_agent,
                                      ot_from, ot_to, n_ot)
        next_change += 1
    while cur < n_int - 1:
        cur += 1
        bound = cur * interval
        while n_wait > 0 and w_heap[0] <= bound:
            n_wait -= 1
            if n_wait > 0:
                w_heap[0] = w_heap[n_wait]
                _sift_down_bin(w_heap, n_wait, 0)
        if n_wait > max_queue[cur]:
            max_queue[cur] = n_wait
    return (np.int64(n_rec), r_contact[:n_rec], r_attempt[:n_rec], r_arrival[:n_rec],
            r_outcome[:n_rec], r_enter[:n_rec], r_start[:n_rec], r_leave[:n_rec],
            ot_from[:n_ot], ot_to[:n_ot])
