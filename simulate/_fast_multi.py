"""Numba fast path for any center: multi-skill routing in one event loop.

Private module.  :func:`simulate_center` simulates one replication of a
whole center (every queue and group together) with exactly the model of the
SimPy engine (:mod:`simulate._engine_simpy`, whose module docstring states
the routing and tie rules), so that on any center both engines give the same
records, overtime and queue-length maxima.

How the SimPy order is reproduced
---------------------------------
SimPy processes events by ``(time, priority, creation order)``.  The kernel
keeps the same key: every event gets the value of a global counter at the
moment the SimPy model creates it, and events are ordered by
``(time, priority << 56 | counter)``.  Events of the SimPy model that never
act (process start and end events) need no counter value: only the relative
order of the others matters.  Patience expiries and overflow eligibilities
of contacts served meanwhile are kept, and ignored when they come up, as in
the SimPy model.  The exogenous streams, like SimPy's processes, hold one
pending event each: the next staffing change of each group (created once
the previous one has been applied) and the next first attempt of each queue
(created once the previous arrival has been handled).  They live in small
arrays beside the heap; every other event (service end, overflow
eligibility, patience expiry, queue entry after the bot, retrial) is in a
binary heap.

State
-----
* Idle slots of a group are a count (agents of a group are exchangeable).
* Busy slots of a group are a list of record indices (their service ends
  are the records' ``leave``); a slot going off duty while busy is taken
  out of the list and flagged, and retires when its contact ends.
* Each queue is a FIFO of record indices, a linked list through the
  records (``r_next``); abandoned records stay in it and are dropped when
  they reach the head, as in the SimPy model.

Inputs are float64 / int64 arrays prepared by
:func:`simulate._engine_fast.run_fast_multi`; nothing is validated here.
The functions run without Numba's reference counting (``_nrt=False``): the
caller allocates every array, and counting the references of the arrays
passed between the steps would cost more than the simulation itself.  The
steps are inlined (``inline="always"``), each called from one place of the
event loop, which keeps the compilation to about 15 s (cached afterwards).
"""

import numpy as np
from numba import njit

from . import _rng
from ._fast import (ABANDONED, ABANDONED_BOT, ANSWERED, IN_QUEUE, _bot_stage, _keyed_bot_stage,
                    _retry_at)
from .distributions import draw_keyed

# Priorities of simultaneous events (smaller first), as in the SimPy model.
_CHANGE, _COMPLETE, _ELIGIBLE, _PATIENCE, _ENTRY = 0, 1, 2, 3, 4
_PRIO = 56
_GBITS = 20
_GMASK = (1 << _GBITS) - 1
_INF = np.inf

# Distribution slots of a queue in the parameter arrays.
D_HANDLE, D_PATIENCE, D_BOT, D_RETRY = 0, 1, 2, 3
# Integer parameters of a queue (columns of ``qi``).
QI_HAS_P, QI_HAS_B, QI_HAS_R, QI_R_MAX, QI_HAS_SCALE, QI_N_DED, QI_N_OV = range(7)
QI_COLS = 7
# Float parameters of a queue (columns of ``qf``).
QF_CONTAIN, QF_ABANDON, QF_UPLIFT, QF_R_PROB = range(4)
QF_COLS = 4
# Status words (``st``).
_ST_HEAP, _ST_SEQ, _ST_REC, _ST_OT, _ST_POOL, _ST_FAIL = range(6)
ST_OT, ST_SIZE = _ST_OT, 6
FAIL_RECORDS, FAIL_HEAP = 1, 2


# ------------------------------------------------------------ keyed draws
# Draws of later attempts (rare) are calls, not inlined code: the contact
# functions below are inlined in several places.


@njit(cache=True, _nrt=False)
def _draw(kind, p1, p2, values, key, q, c, a, stream):
    return draw_keyed(kind, p1, p2, values, key, q, c, a, stream)


@njit(cache=True, _nrt=False)
def _bot(key, q, c, a, t0, end, kind, p1, p2, values, contain, abandon):
    return _keyed_bot_stage(key, q, c, a, t0, end, kind, p1, p2, values, contain, abandon)


# -------------------------------------------------------------------- heap

# Pending events live in a binary min-heap of parallel arrays (time, order,
# payload).


@njit(cache=True, inline="always", _nrt=False)
def _push(H, st, t, prio, payload):
    """Schedule an event at ``t`` with ``prio``; its order is the next counter value."""
    ht, ho, hp = H
    n = st[_ST_HEAP]
    if n == ht.shape[0]:
        st[_ST_FAIL] = FAIL_HEAP
        return
    o = (np.int64(prio) << _PRIO) | st[_ST_SEQ]
    st[_ST_SEQ] += 1
    i = n
    while i > 0:
        p = (i - 1) >> 1
        tp = ht[p]
        if tp < t or (tp == t and ho[p] < o):
            break
        ht[i] = tp
        ho[i] = ho[p]
        hp[i] = hp[p]
        i = p
    ht[i] = t
    ho[i] = o
    hp[i] = payload
    st[_ST_HEAP] = n + 1


@njit(cache=True, inline="always", _nrt=False)
def _pop(H, st):
    """Remove the first event (there is one)."""
    ht, ho, hp = H
    n = st[_ST_HEAP] - 1
    st[_ST_HEAP] = n
    if n == 0:
        return
    t = ht[n]
    o = ho[n]
    p = hp[n]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        m = c
        mt = ht[c]
        mo = ho[c]
        if c + 1 < n:
            tj = ht[c + 1]
            if tj < mt or (tj == mt and ho[c + 1] < mo):
                m = c + 1
                mt = tj
                mo = ho[c + 1]
        if t < mt or (t == mt and o < mo):
            break
        ht[i] = mt
        ho[i] = mo
        hp[i] = hp[m]
        i = m
    ht[i] = t
    ho[i] = o
    hp[i] = p


@njit(cache=True, inline="always", _nrt=False)
def _next_of(n, k, off, times, order):
    """The earliest pending event of ``n`` streams: stream ``i`` is at ``times[k[i]]``
    while ``k[i] < off[i + 1]``, ties by ``order[i]``.  ``(i, time, order)``, i = -1
    when every stream is done."""
    best_i = -1
    best_t = _INF
    best_o = np.int64(0)
    for i in range(n):
        j = k[i]
        if j < off[i + 1]:
            t = times[j]
            if best_i < 0 or t < best_t or (t == best_t and order[i] < best_o):
                best_t = t
                best_o = order[i]
                best_i = i
    return best_i, best_t, best_o


# ------------------------------------------------------------ queue length


@njit(cache=True, inline="always", _nrt=False)
def _grow(QS, mq, q, e, interval, horizon):
    """A contact starts waiting in queue ``q`` at ``e`` (as the SimPy model counts)."""
    qlen, cur_a = QS[2], QS[3]
    n = qlen[q]
    i = min(int(e / interval), horizon - 1)
    cur = cur_a[q]
    while cur < i:
        cur += 1
        if n > mq[q, cur]:
            mq[q, cur] = n
    cur_a[q] = cur
    n += 1
    qlen[q] = n
    if n > mq[q, i]:
        mq[q, i] = n


@njit(cache=True, inline="always", _nrt=False)
def _shrink(QS, mq, q, t, interval, horizon):
    """A contact stops waiting in queue ``q`` at ``t``."""
    qlen, cur_a = QS[2], QS[3]
    n = qlen[q]
    cur = cur_a[q]
    last = horizon - 1
    while cur < last and (cur + 1) * interval < t:
        cur += 1
        if n > mq[q, cur]:
            mq[q, cur] = n
    cur_a[q] = cur
    qlen[q] = n - 1


# ---------------------------------------------------------------- contacts


@njit(cache=True, inline="always", _nrt=False)
def _start(P, R, H, st, GS, rec, g, t):
    """Group ``g`` starts serving record ``rec`` at ``t``."""
    key, end, interval, horizon, qi, qf, dk, d1, d2, dvoff, dv, h_scale = P[:12]
    f_off, f_h, stretch = P[15], P[16], P[24]
    r_queue, r_contact, r_attempt, r_arrival, r_outcome = R[0], R[1], R[2], R[3], R[4]
    r_start, r_leave, r_group, r_pos = R[6], R[7], R[8], R[10]
    busy, busy_n = GS[1], GS[2]
    q = r_queue[rec]
    c = r_contact[rec]
    a = r_attempt[rec]
    if a == 0:
        hold = f_h[f_off[q] + c] * stretch[g]
    else:
        j = q * 4 + D_HANDLE
        hold = _draw(dk[q, D_HANDLE], d1[q, D_HANDLE], d2[q, D_HANDLE],
                          dv[dvoff[j]:dvoff[j + 1]], key, q, c, a, _rng.HANDLE) * stretch[g]
        if qi[q, QI_HAS_SCALE]:
            i = min(int(r_arrival[rec] / interval), horizon - 1)
            hold *= h_scale[q, i]
    if qi[q, QI_HAS_B]:
        hold *= qf[q, QF_UPLIFT]
    done = t + hold
    r_outcome[rec] = ANSWERED
    r_start[rec] = t
    r_leave[rec] = done
    r_group[rec] = g
    k = busy_n[g]
    busy[g, k] = rec
    r_pos[rec] = k
    busy_n[g] = k + 1
    if done < end:
        _push(H, st, done, _COMPLETE, (np.int64(rec) << _GBITS) | g)


@njit(cache=True, inline="always", _nrt=False)
def _pop_head(R, QS, q):
    """Remove and return the oldest waiting record of queue ``q`` (there is one)."""
    r_outcome, r_next = R[4], R[9]
    head, tail = QS[0], QS[1]
    h = head[q]
    while r_outcome[h] != IN_QUEUE:
        h = r_next[h]
    nx = r_next[h]
    head[q] = nx
    if nx < 0:
        tail[q] = -1
    return h


@njit(cache=True, inline="always", _nrt=False)
def _take_work(P, R, H, st, GS, QS, mq, g, t):
    """A slot of group ``g`` is free at ``t``: start its next contact; False if none.

    Its skills in order; the head of the first queue whose head has waited
    at least the skill's ``after``.
    """
    interval, horizon = P[2], P[3]
    sk_q, sk_after, n_sk = P[21], P[22], P[23]
    r_outcome, r_enter, r_next = R[4], R[5], R[9]
    head, tail = QS[0], QS[1]
    for j in range(n_sk[g]):
        q = sk_q[g, j]
        h = head[q]
        while h >= 0 and r_outcome[h] != IN_QUEUE:
            h = r_next[h]
        head[q] = h
        if h < 0:
            tail[q] = -1
            continue
        if r_enter[h] + sk_after[g, j] <= t:
            nx = r_next[h]
            head[q] = nx
            if nx < 0:
                tail[q] = -1
            _shrink(QS, mq, q, t, interval, horizon)
            _start(P, R, H, st, GS, h, g, t)
            return True
    return False


@njit(cache=True, _nrt=False)
def _retry(P, H, st, POOL, q, c, a, t_leave):
    """Schedule the next attempt of a contact that abandoned at ``t_leave``, if any."""
    key, end, interval, horizon, qi, qf, dk, d1, d2, dvoff, dv = P[:11]
    j = q * 4 + D_RETRY
    t0 = _retry_at(key, q, c, a, t_leave, end, qf[q, QF_R_PROB], qi[q, QI_R_MAX],
                   dk[q, D_RETRY], d1[q, D_RETRY], d2[q, D_RETRY], dv[dvoff[j]:dvoff[j + 1]])
    if t0 >= 0.0:
        pq, pc, pa = POOL
        k = st[_ST_POOL]
        if k == pq.shape[0]:
            st[_ST_FAIL] = FAIL_RECORDS
            return
        st[_ST_POOL] = k + 1
        pq[k] = q
        pc[k] = c
        pa[k] = a + 1
        _push(H, st, t0, _ENTRY, (np.int64(k) << 1) | 1)


@njit(cache=True, inline="always", _nrt=False)
def _abandon(P, R, H, st, POOL, rec, t):
    """Record ``rec`` abandons at ``t``; its retrial, if any."""
    r_queue, r_contact, r_attempt, r_outcome, r_leave = R[0], R[1], R[2], R[4], R[7]
    r_outcome[rec] = ABANDONED
    r_leave[rec] = t
    q = r_queue[rec]
    if P[4][q, QI_HAS_R]:
        _retry(P, H, st, POOL, q, r_contact[rec], r_attempt[rec], t)


@njit(cache=True, inline="always", _nrt=False)
def _enter(P, R, H, st, GS, QS, mq, POOL, rec, e):
    """Record ``rec`` enters its queue at ``e``."""
    key, end, interval, horizon, qi, qf, dk, d1, d2, dvoff, dv = P[:11]
    ded, ov_g, ov_after, f_off, f_h, f_p = P[12:18]
    r_queue, r_contact, r_attempt, r_enter, r_next = R[0], R[1], R[2], R[5], R[9]
    idle = GS[0]
    r_enter[rec] = e
    q = r_queue[rec]
    for j in range(qi[q, QI_N_DED]):
        g = ded[q, j]
        if idle[g] > 0:
            idle[g] -= 1
            _start(P, R, H, st, GS, rec, g, e)
            return
    patience = _INF
    if qi[q, QI_HAS_P]:
        c = r_contact[rec]
        a = r_attempt[rec]
        if a == 0:
            patience = f_p[f_off[q] + c]
        else:
            j = q * 4 + D_PATIENCE
            patience = _draw(dk[q, D_PATIENCE], d1[q, D_PATIENCE], d2[q, D_PATIENCE],
                                  dv[dvoff[j]:dvoff[j + 1]], key, q, c, a, _rng.PATIENCE)
    t_ab = e + patience
    if t_ab <= e:                        # no patience at all: leaves without waiting
        _abandon(P, R, H, st, POOL, rec, t_ab)
        return
    head, tail = QS[0], QS[1]
    r_next[rec] = -1
    if tail[q] < 0:
        head[q] = rec
    else:
        r_next[tail[q]] = rec
    tail[q] = rec
    _grow(QS, mq, q, e, interval, horizon)
    if t_ab < end:
        _push(H, st, t_ab, _PATIENCE, np.int64(rec))
    for j in range(qi[q, QI_N_OV]):
        t_el = e + ov_after[q, j]
        if t_el < end and t_el <= t_ab:
            _push(H, st, t_el, _ELIGIBLE, (np.int64(rec) << _GBITS) | ov_g[q, j])


@njit(cache=True, inline="always", _nrt=False)
def _arrive(P, R, st, H, POOL, q, c, a, t0):
    """Attempt ``a`` of contact ``c`` of queue ``q`` arrives at ``t0``: its record, its bot.

    Returns the record if it enters the queue now (no bot), else -1.
    """
    key, end, interval, horizon, qi, qf, dk, d1, d2, dvoff, dv = P[:11]
    f_off, f_bt, f_bu, f_ba = P[15], P[18], P[19], P[20]
    (r_queue, r_contact, r_attempt, r_arrival, r_outcome, r_enter, r_start, r_leave, r_group,
     r_next, r_pos, r_flag) = R
    rec = st[_ST_REC]
    if rec == r_queue.shape[0]:
        st[_ST_FAIL] = FAIL_RECORDS
        return -1
    st[_ST_REC] = rec + 1
    r_queue[rec] = q
    r_contact[rec] = c
    r_attempt[rec] = a
    r_arrival[rec] = t0
    r_outcome[rec] = IN_QUEUE
    r_enter[rec] = np.nan
    r_start[rec] = np.nan
    r_leave[rec] = np.nan
    r_group[rec] = -1
    r_flag[rec] = 0
    if not qi[q, QI_HAS_B]:
        return rec
    if a == 0:
        i = f_off[q] + c
        outcome, t = _bot_stage(t0, f_bt[i], f_bu[i], f_ba[i], end, qf[q, QF_CONTAIN],
                                qf[q, QF_ABANDON])
    else:
        j = q * 4 + D_BOT
        outcome, t = _bot(key, q, c, a, t0, end, dk[q, D_BOT], d1[q, D_BOT], d2[q, D_BOT],
                          dv[dvoff[j]:dvoff[j + 1]], qf[q, QF_CONTAIN], qf[q, QF_ABANDON])
    if outcome < 0:                      # escalated: enters the queue at t
        _push(H, st, t, _ENTRY, np.int64(rec) << 1)
        return -1
    r_outcome[rec] = outcome
    r_leave[rec] = t
    if outcome == ABANDONED_BOT and qi[q, QI_HAS_R]:
        _retry(P, H, st, POOL, q, c, a, t)
    return -1


@njit(cache=True, _nrt=False)
def _remove_slots(R, GS, OT, st, g, t, m):
    """Staffing decrease of ``m`` slots at ``t``: idle ones first, then the next to finish."""
    r_leave, r_pos, r_flag = R[7], R[10], R[11]
    idle, busy, busy_n = GS
    ot_g, ot_s, ot_e = OT
    r = min(m, idle[g])
    idle[g] -= r
    m -= r
    while m > 0 and busy_n[g] > 0:
        # The busy slot ending first (ties: the older record), as heapq.nsmallest.
        n = busy_n[g]
        kb = 0
        rb = busy[g, 0]
        db = r_leave[rb]
        for k in range(1, n):
            rk = busy[g, k]
            dk_ = r_leave[rk]
            if dk_ < db or (dk_ == db and rk < rb):
                kb = k
                rb = rk
                db = dk_
        last = busy[g, n - 1]
        busy[g, kb] = last
        r_pos[last] = kb
        busy_n[g] = n - 1
        r_flag[rb] = 1
        if db > t:
            k = st[_ST_OT]
            ot_g[k] = g
            ot_s[k] = t
            ot_e[k] = db
            st[_ST_OT] = k + 1
        m -= 1


@njit(cache=True, _nrt=False)
def simulate_center(P, R, H, st, GS, QS, mq, OT, POOL, ch_off, ch_t, ch_d, ch_k, ch_o, f_arr,
                    src_k, src_o):
    """Simulate one replication of a whole center over ``[0, end)``.

    ``P`` holds the parameters: ``(key, end, interval, horizon, qi, qf, dk,
    d1, d2, dvoff, dv, h_scale, ded, ov_g, ov_after, f_off, f_h, f_p, f_bt,
    f_bu, f_ba, sk_q, sk_after, n_sk, stretch)``.  Queues ``q``: first
    attempts ``f_*[f_off[q]:f_off[q+1]]`` (arrival ``f_arr`` sorted, handle,
    patience, bot time, bot-outcome uniform, bot abandonment point); integer
    and float parameters ``qi``, ``qf`` (columns ``QI_*``, ``QF_*``);
    distributions ``dk``, ``d1``, ``d2`` ``[q, D_*]`` with the values of
    distribution ``j = q * 4 + d`` in ``dv[dvoff[j]:dvoff[j+1]]``; handle
    multipliers ``h_scale[q, interval]``; dedicated groups ``ded[q, :n_ded]``
    (after == 0, group order) and overflow groups ``ov_g[q, :n_ov]`` with
    thresholds ``ov_after`` (sorted by (after, g)).  Groups ``g``: skills
    ``sk_q[g, :n_sk[g]]`` in routing order with ``sk_after``; handle stretch
    ``stretch[g]``; staffing changes in slots ``ch_t``, ``ch_d`` at
    ``ch_off[g]:ch_off[g+1]``.

    The state is allocated by the caller: records ``R`` (their length bounds
    the attempts), event heap ``H``, status words ``st`` (zeros), groups
    ``GS`` (idle counts, busy lists, their lengths), queues ``QS`` (FIFO
    heads and tails at -1, lengths, current intervals), ``mq`` (zeros, the
    queue maxima), overtime ``OT``, retrial pool ``POOL`` (as long as ``R``)
    and the exogenous streams' cursors ``ch_k``, ``src_k`` (at their first
    events) and orders ``ch_o``, ``src_o``.

    Returns the number of records, or -1 (records too few) or -2 (heap too
    small): the run is a pure function of its inputs, so the caller runs it
    again with more room.
    """
    nq = src_k.shape[0]
    ng = ch_k.shape[0]
    interval, horizon, f_off = P[2], P[3], P[15]
    r_outcome, r_pos, r_flag = R[4], R[10], R[11]
    idle, busy, busy_n = GS
    ht, ho, hp = H
    # Pending events of the exogenous streams, created at time 0 in the
    # SimPy model's process order: group rosters, then queue sources.
    for g in range(ng):
        if ch_k[g] < ch_off[g + 1]:
            ch_o[g] = st[_ST_SEQ]          # priority _CHANGE == 0
            st[_ST_SEQ] += 1
    for q in range(nq):
        if src_k[q] < f_off[q + 1]:
            src_o[q] = (np.int64(_ENTRY) << _PRIO) | st[_ST_SEQ]
            st[_ST_SEQ] += 1

    # The next staffing change (over the groups) and the next first attempt
    # (over the queues), each found again only when its stream has moved.
    r_t = _INF
    r_o = np.int64(0)
    r_i = -1
    s_t = _INF
    s_o = np.int64(0)
    s_i = -1
    scan_r = True
    scan_s = True
    while True:
        if scan_r:
            scan_r = False
            r_i, r_t, r_o = _next_of(ng, ch_k, ch_off, ch_t, ch_o)
        if scan_s:
            scan_s = False
            s_i, s_t, s_o = _next_of(nq, src_k, f_off, f_arr, src_o)
        kind = -1
        bt = _INF
        bo = np.int64(0)
        bi = 0
        if r_i >= 0:
            kind = 1
            bt = r_t
            bo = r_o
            bi = r_i
        if s_i >= 0 and (kind < 0 or s_t < bt or (s_t == bt and s_o < bo)):
            kind = 2
            bt = s_t
            bo = s_o
            bi = s_i
        # The next event: the heap's first or the next exogenous one.
        if st[_ST_HEAP] > 0 and (kind < 0 or ht[0] < bt or (ht[0] == bt and ho[0] < bo)):
            kind = 0
            bt = ht[0]
            bo = ho[0]
        if kind < 0:
            break
        now = bt
        # What the event does, gathered so that each step below has one call
        # site (the steps are inlined: one copy each keeps compilation short):
        # an attempt arrives (``a_q``, ``a_c``, ``a_a``), a record enters its
        # queue (``e_rec``), ``f_n`` slots of group ``f_g`` are free.
        a_q = -1
        a_c = 0
        a_a = 0
        e_rec = -1
        f_g = 0
        f_n = 0
        if kind == 2:
            scan_s = True
            a_q = bi
            a_c = src_k[bi] - f_off[bi]
        elif kind == 1:
            scan_r = True
            g = bi
            d = ch_d[ch_k[g]]
            if d > 0:
                f_g = g
                f_n = d
            else:
                _remove_slots(R, GS, OT, st, g, now, -d)
        else:
            prio = bo >> _PRIO
            p = hp[0]
            _pop(H, st)
            if prio == _COMPLETE:
                rec = p >> _GBITS
                g = p & _GMASK
                if r_flag[rec]:                 # went off duty while busy: leaves now
                    r_flag[rec] = 0
                else:
                    n = busy_n[g] - 1
                    last = busy[g, n]
                    pos = r_pos[rec]
                    busy[g, pos] = last
                    r_pos[last] = pos
                    busy_n[g] = n
                    f_g = g
                    f_n = 1
            elif prio == _ELIGIBLE:
                # Idle slots of g take the oldest contacts: they waited at
                # least as long as rec, so they are eligible too.
                rec = p >> _GBITS
                g = p & _GMASK
                if r_outcome[rec] == IN_QUEUE and idle[g] > 0:
                    q = R[0][rec]
                    while idle[g] > 0 and r_outcome[rec] == IN_QUEUE:
                        h = _pop_head(R, QS, q)
                        idle[g] -= 1
                        _shrink(QS, mq, q, now, interval, horizon)
                        _start(P, R, H, st, GS, h, g, now)
            elif prio == _PATIENCE:
                rec = p
                if r_outcome[rec] == IN_QUEUE:  # not served meanwhile
                    _shrink(QS, mq, R[0][rec], now, interval, horizon)
                    _abandon(P, R, H, st, POOL, rec, now)
            elif p & 1:                         # a retrial arrives
                k = p >> 1
                a_q = POOL[0][k]
                a_c = POOL[1][k]
                a_a = POOL[2][k]
            else:                               # out of the bot, into the queue
                e_rec = p >> 1
        if a_q >= 0:
            e_rec = _arrive(P, R, st, H, POOL, a_q, a_c, a_a, now)
        if e_rec >= 0:
            _enter(P, R, H, st, GS, QS, mq, POOL, e_rec, now)
        for i in range(f_n):
            if not _take_work(P, R, H, st, GS, QS, mq, f_g, now):
                idle[f_g] += f_n - i
                break
        # The stream's next event is created once this one is handled.
        if kind == 2:
            k = src_k[bi] + 1
            src_k[bi] = k
            if k < f_off[bi + 1]:
                src_o[bi] = (np.int64(_ENTRY) << _PRIO) | st[_ST_SEQ]
                st[_ST_SEQ] += 1
        elif kind == 1:
            k = ch_k[bi] + 1
            ch_k[bi] = k
            if k < ch_off[bi + 1]:
                ch_o[bi] = st[_ST_SEQ]
                st[_ST_SEQ] += 1
        if st[_ST_FAIL] != 0:
            return -st[_ST_FAIL]

    last = horizon - 1
    qlen, cur = QS[2], QS[3]
    for q in range(nq):
        n = qlen[q]
        for i in range(cur[q] + 1, last + 1):
            if n > mq[q, i]:
                mq[q, i] = n
    return st[_ST_REC]
