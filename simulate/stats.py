"""Statistics per queue and interval (and over the horizon) from contact records.

Both engines return the same records, so the numbers a planner reads are
defined once, here.  A contact attempt counts in the interval of its
arrival (the offered interval).

Queue metrics
-------------
offered
    Attempts arriving (first attempts and retrials).
retrials
    Attempts that are retrials of an earlier abandonment.
contained, abandoned_bot
    Attempts resolved by the bot, or hanging up in it.
entered
    Attempts reaching the agents' queue.
answered, abandoned
    Of those, answered by an agent, or hanging up while waiting.
in_system
    Attempts still in the bot or in the queue at the end of the horizon.
service_level
    Answered within the queue's target time over resolved queue contacts
    (answered + abandoned): the "offered" basis of :mod:`erlang`.
service_level_answered
    Answered within the target time over answered.
prob_wait
    Share of resolved queue contacts that waited at all.
asa
    Mean wait of answered contacts, seconds.
average_wait
    Mean time in queue of resolved contacts, abandoned ones included.
wait_p90
    90th percentile of the waits of answered contacts, seconds.
abandon_rate
    Abandoned over resolved queue contacts.
max_queue
    Most contacts waiting at once during the interval.

Ratios with nothing to measure (no answered contact for the ASA, say) are
NaN; the counts beside them say why.

Group metrics
-------------
agents
    Agents on duty (time average over the interval, as scheduled: a
    fractional staffing of 4.3 counts as 4.3).
busy
    Slot-hours spent handling contacts.
occupancy
    Busy slot time over on-duty slot time (overtime to finish a contact
    counts as on duty).
"""

import numpy as np
from numba import njit

from ._common import interval_index
from ._fast import ABANDONED, ABANDONED_BOT, ANSWERED, CONTAINED, IN_BOT, IN_QUEUE

QUEUE_METRICS = ("offered", "retrials", "contained", "abandoned_bot", "entered", "answered",
                 "abandoned", "in_system", "service_level", "service_level_answered",
                 "prob_wait", "asa", "average_wait", "wait_p90", "abandon_rate", "max_queue")
GROUP_METRICS = ("agents", "busy", "occupancy")
COUNTS = ("offered", "retrials", "contained", "abandoned_bot", "entered", "answered",
          "abandoned", "in_system")


@njit(cache=True)
def _select(a, k):
    """Reorder ``a`` in place so that ``a[k]`` is its ``k``-th smallest value (from 0).

    Hoare's FIND (quickselect) with a median-of-three pivot; its partition
    splits runs of equal values evenly.

    Parameters
    ----------
    a : ndarray of float64
        Values, reordered in place: afterwards no value before ``k`` is
        larger than ``a[k]`` and none after it smaller.
    k : int
        Position, ``0 <= k < len(a)``.
    """
    lo, hi = 0, a.shape[0] - 1
    while lo < hi:
        x, y, z = a[lo], a[(lo + hi) >> 1], a[hi]
        pivot = max(min(x, y), min(max(x, y), z))
        i, j = lo, hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while pivot < a[j]:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if j < k:
            lo = i
        if k < i:
            hi = j


@njit(cache=True)
def _percentile(values, q):
    """The ``q``-th percentile of ``values``, with numpy's linear interpolation.

    Parameters
    ----------
    values : ndarray of float64
        Values, reordered in place (:func:`_select`).
    q : float
        Percentile, in [0, 100].

    Returns
    -------
    float
        NaN when ``values`` is empty.
    """
    n = values.shape[0]
    if n == 0:
        return np.nan
    pos = q / 100.0 * (n - 1)
    i = int(np.floor(pos))
    frac = pos - i
    _select(values, i)
    if i + 1 >= n or frac == 0.0:
        return values[i]
    # The next order statistic is the smallest value after position i.
    return values[i] + frac * (values[i + 1:].min() - values[i])


@njit(cache=True)
def _add_span(out, g, a, b, interval, horizon):
    """Add the length of ``[a, b)`` falling in each interval to ``out[g, i]``.

    Parameters
    ----------
    out : ndarray of float64, shape (groups, horizon)
        Seconds per group and interval, added to in place.
    g : int
        Row of ``out``.
    a, b : float
        The span, seconds; the parts before 0 and after the horizon are left out.
    interval : float
        Interval length, seconds.
    horizon : int
        Intervals.
    """
    a = max(a, 0.0)
    b = min(b, interval * horizon)
    if not b > a:
        return
    i = int(a / interval)
    while a < b and i < horizon:
        edge = (i + 1) * interval
        out[g, i] += min(b, edge) - a
        a = edge
        i += 1


@njit(cache=True)
def _spread(starts, ends, groups, n_groups, interval, horizon, out):
    """Add the length of ``[start, end)`` falling in each interval to ``out[group, i]``."""
    for k in range(starts.shape[0]):
        _add_span(out, groups[k], starts[k], ends[k], interval, horizon)


@njit(cache=True)
def _queue_sums(queue, arrival, outcome, attempt, enter, start, leave, group, target, n_q,
                interval, horizon, busy):
    """Per-cell sums and wait percentiles of one replication's records, and its busy time.

    A cell is ``queue * horizon + interval of arrival``, arrivals past the
    horizon counting in its last interval.  The first pass over the records
    counts and sums per cell, keeps the cell and wait of each answered
    contact and adds its service to ``busy``; the second packs the answered
    waits by cell (a counting sort), so that the waits of a cell, and those
    of a queue (its cells are consecutive), are one slice.

    Parameters
    ----------
    queue, arrival, outcome, attempt, enter, start, leave, group : ndarray
        The record columns (:data:`simulate._common.RECORD_FIELDS`), as the
        engines give them.
    target : ndarray of float64
        Target time of each queue, seconds.
    n_q : int
        Queues.
    interval : float
        Interval length, seconds.
    horizon : int
        Intervals.
    busy : ndarray of float64, shape (groups, horizon)
        Slot seconds spent serving per group and interval, added to in place
        (service from start to leave, clipped to the horizon).

    Returns
    -------
    sums : ndarray of float64, shape (n_q * horizon, 12)
        Per cell: offered, retrials, contained, abandoned_bot, entered,
        answered, abandoned, in_system, within the target time (answered),
        waited at all (resolved), wait of the answered, wait of the resolved.
    p90 : ndarray of float64, shape (n_q * horizon,)
        90th percentile of the answered waits per cell, NaN for none.
    p90_total : ndarray of float64, shape (n_q,)
        The same per queue over the horizon.
    """
    n_cells = n_q * horizon
    last = horizon - 1
    sums = np.zeros((n_cells, 12))
    n = queue.shape[0]
    ans_cell = np.empty(n, np.int64)
    ans_wait = np.empty(n)
    bounds = np.zeros(n_cells + 1, np.int64)
    m = 0
    for k in range(n):
        qk = queue[k]
        c = qk * horizon + interval_index(arrival[k], interval, last)
        o = outcome[k]
        sums[c, 0] += 1.0
        if attempt[k] > 0:
            sums[c, 1] += 1.0
        if o == CONTAINED:
            sums[c, 2] += 1.0
        elif o == ABANDONED_BOT:
            sums[c, 3] += 1.0
        elif o == IN_BOT or o == IN_QUEUE:
            sums[c, 7] += 1.0
        if not np.isnan(enter[k]):
            sums[c, 4] += 1.0
        if o == ANSWERED or o == ABANDONED:
            w = (start[k] if o == ANSWERED else leave[k]) - enter[k]
            if w > 0.0:
                sums[c, 9] += 1.0
            sums[c, 11] += w
            if o == ANSWERED:
                sums[c, 5] += 1.0
                sums[c, 10] += w
                if w <= target[qk]:
                    sums[c, 8] += 1.0
                ans_cell[m] = c
                ans_wait[m] = w
                m += 1
                bounds[c + 1] += 1
                _add_span(busy, group[k], start[k], leave[k], interval, horizon)
            else:
                sums[c, 6] += 1.0
    for c in range(n_cells):
        bounds[c + 1] += bounds[c]
    fill = bounds[:-1].copy()
    packed = np.empty(m)
    for j in range(m):
        c = ans_cell[j]
        packed[fill[c]] = ans_wait[j]
        fill[c] += 1
    p90 = np.empty(n_cells)
    for c in range(n_cells):
        p90[c] = _percentile(packed[bounds[c]:bounds[c + 1]], 90.0)
    # The cells only reordered their own slices: a queue's slice still holds its waits.
    p90_total = np.empty(n_q)
    for qk in range(n_q):
        p90_total[qk] = _percentile(packed[bounds[qk * horizon]:bounds[(qk + 1) * horizon]],
                                    90.0)
    return sums, p90, p90_total


@njit(cache=True)
def _ratio(x, d):
    """``x / d``, NaN when there is nothing to measure (``d`` is 0, and then so is ``x``)."""
    return x / d if d > 0.0 else np.nan


@njit(cache=True)
def _queue_metrics(sums, p90, p90_total, max_queue, qout):
    """Fill ``qout[q, i, m]`` (:data:`QUEUE_METRICS`; ``i = horizon`` the totals) from the
    per-cell sums of :func:`_queue_sums`, in one pass in the output's own order."""
    n_q, h1, _ = qout.shape
    horizon = h1 - 1
    tot = np.zeros(12)
    for q in range(n_q):
        tot[:] = 0.0
        top = -np.inf
        for i in range(h1):
            if i < horizon:
                row = sums[q * horizon + i]
                for k in range(12):
                    tot[k] += row[k]
                p = p90[q * horizon + i]
                mq = max_queue[q, i]
                top = max(top, mq)
            else:
                row = tot
                p = p90_total[q]
                mq = top if horizon > 0 else np.nan
            o = qout[q, i]
            for k in range(8):                      # the COUNTS, in QUEUE_METRICS order
                o[k] = row[k]
            answered, resolved = row[5], row[5] + row[6]
            o[8] = _ratio(row[8], resolved)        # service_level
            o[9] = _ratio(row[8], answered)        # service_level_answered
            o[10] = _ratio(row[9], resolved)       # prob_wait
            o[11] = _ratio(row[10], answered)      # asa
            o[12] = _ratio(row[11], resolved)      # average_wait
            o[13] = p                              # wait_p90
            o[14] = _ratio(row[6], resolved)       # abandon_rate
            o[15] = mq                             # max_queue


def replication_stats(center, records, overtime, max_queue, agents=None, out=None):
    """Queue and group metrics of one replication.

    Parameters
    ----------
    center : Center
        What was simulated.
    records, overtime, max_queue
        One replication of an engine (:func:`simulate._engine_fast.run_fast`).
    agents : ndarray, optional
        Agents on duty per group and interval (:func:`duty_agents`), the
        same in every replication: give them to compute them once.
    out : tuple of two ndarrays, optional
        Arrays of the shapes returned, filled and returned instead of new
        ones (a replication's slices of a whole run's arrays, say).

    Returns
    -------
    queues : ndarray, shape (queues, horizon + 1, len(QUEUE_METRICS))
        ``queues[q, i, m]`` for metric ``QUEUE_METRICS[m]`` in interval
        ``i``, with ``i = horizon`` holding the totals over the horizon.
    groups : ndarray, shape (groups, horizon + 1, len(GROUP_METRICS))
        Likewise for ``GROUP_METRICS``.
    """
    n_q, n_g, horizon = len(center.queues), len(center.groups), center.horizon
    interval = float(center.interval)
    target = np.array([qu.target_time for qu in center.queues], float)
    busy = np.zeros((n_g, horizon))
    sums, p90, p90_total = _queue_sums(
        records["queue"], records["arrival"], records["outcome"], records["attempt"],
        records["enter"], records["start"], records["leave"], records["group"], target, n_q,
        interval, horizon, busy)
    if out is None:
        out = (np.empty((n_q, horizon + 1, len(QUEUE_METRICS))),
               np.empty((n_g, horizon + 1, len(GROUP_METRICS))))
    qout, gout = out
    _queue_metrics(sums, p90, p90_total, np.asarray(max_queue, float), qout)

    # Groups: busy (from the records, above) and on-duty slot time per interval.
    if agents is None:
        agents = duty_agents(center)
    duty = agents * np.array([[g.concurrency] for g in center.groups]) * interval
    _spread(overtime["start"], overtime["end"], overtime["group"].astype(np.int64), n_g,
            interval, horizon, duty)
    gout[:, :horizon, 0] = agents
    gout[:, horizon, 0] = agents.mean(axis=1)
    gout[:, :horizon, 1] = busy / 3600.0
    gout[:, horizon, 1] = busy.sum(axis=1) / 3600.0
    with np.errstate(invalid="ignore", divide="ignore"):
        gout[:, :horizon, 2] = np.where(duty > 0, busy / duty, np.nan)
        tot = duty.sum(axis=1)
        gout[:, horizon, 2] = np.where(tot > 0, busy.sum(axis=1) / tot, np.nan)
    return qout, gout


def duty_agents(center):
    """Time-averaged agents on duty per group and interval (groups x intervals)."""
    return np.array([g.agents_on_duty(center.interval, center.horizon) for g in center.groups])
