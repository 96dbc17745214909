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

from ._fast import ABANDONED, ABANDONED_BOT, ANSWERED, CONTAINED, IN_BOT, IN_QUEUE

QUEUE_METRICS = ("offered", "retrials", "contained", "abandoned_bot", "entered", "answered",
                 "abandoned", "in_system", "service_level", "service_level_answered",
                 "prob_wait", "asa", "average_wait", "wait_p90", "abandon_rate", "max_queue")
GROUP_METRICS = ("agents", "busy", "occupancy")
COUNTS = ("offered", "retrials", "contained", "abandoned_bot", "entered", "answered",
          "abandoned", "in_system")


@njit(cache=True)
def _percentile_by_group(values, groups, n_groups, q):
    """The ``q``-th percentile (linear interpolation, as numpy) of values per group."""
    counts = np.zeros(n_groups + 1, dtype=np.int64)
    for g in groups:
        counts[g + 1] += 1
    starts = np.cumsum(counts)
    fill = starts[:-1].copy()
    packed = np.empty(values.shape[0])
    for i in range(values.shape[0]):
        g = groups[i]
        packed[fill[g]] = values[i]
        fill[g] += 1
    out = np.full(n_groups, np.nan)
    for g in range(n_groups):
        lo, hi = starts[g], starts[g + 1]
        n = hi - lo
        if n == 0:
            continue
        pos = q / 100.0 * (n - 1)
        i = int(np.floor(pos))
        frac = pos - i
        # Quickselect: after partitioning at i, the next order statistic is
        # the smallest value above position i.
        part = np.partition(packed[lo:hi], i)
        if i + 1 >= n or frac == 0.0:
            out[g] = part[i]
        else:
            out[g] = part[i] + frac * (part[i + 1:].min() - part[i])
    return out


@njit(cache=True)
def _spread(starts, ends, groups, n_groups, interval, horizon, out):
    """Add the length of ``[start, end)`` falling in each interval to ``out[group, i]``."""
    end_all = interval * horizon
    for k in range(starts.shape[0]):
        a = max(starts[k], 0.0)
        b = min(ends[k], end_all)
        if not b > a:
            continue
        g = groups[k]
        i = int(a / interval)
        while a < b and i < horizon:
            edge = (i + 1) * interval
            step = min(b, edge) - a
            out[g, i] += step
            a = edge
            i += 1


@njit(cache=True)
def _cell_sums(cell, outcome, attempt, enter, start, leave, target, n_cells):
    """One pass over the records: per cell the counts and wait sums that
    :func:`replication_stats` needs, and the wait of each record (0 if not
    resolved).  Columns: offered, retrials, contained, abandoned_bot, entered,
    answered, abandoned, in_system, within, waited, wait of answered, wait of
    resolved."""
    out = np.zeros((n_cells, 12))
    wait = np.zeros(cell.shape[0])
    for k in range(cell.shape[0]):
        c = cell[k]
        o = outcome[k]
        out[c, 0] += 1.0
        if attempt[k] > 0:
            out[c, 1] += 1.0
        if o == CONTAINED:
            out[c, 2] += 1.0
        elif o == ABANDONED_BOT:
            out[c, 3] += 1.0
        elif o == IN_BOT or o == IN_QUEUE:
            out[c, 7] += 1.0
        if not np.isnan(enter[k]):
            out[c, 4] += 1.0
        if o == ANSWERED or o == ABANDONED:
            w = (start[k] if o == ANSWERED else leave[k]) - enter[k]
            wait[k] = w
            if w > 0.0:
                out[c, 9] += 1.0
            out[c, 11] += w
            if o == ANSWERED:
                out[c, 5] += 1.0
                out[c, 10] += w
                if w <= target[k]:
                    out[c, 8] += 1.0
            else:
                out[c, 6] += 1.0
    return out, wait


def replication_stats(center, records, overtime, max_queue, agents=None):
    """Queue and group metrics of one replication.

    ``agents`` (groups x intervals, optional) are the agents on duty per
    interval (:meth:`simulate.model.Group.agents_on_duty`), the same in every
    replication: give them to compute them once.

    Returns ``(queues, groups)``: ``queues[q, i, m]`` for metric
    ``QUEUE_METRICS[m]`` in interval ``i``, with ``i = horizon`` holding the
    totals over the horizon; ``groups[g, i, m]`` likewise for
    ``GROUP_METRICS``.
    """
    n_q, n_g, horizon = len(center.queues), len(center.groups), center.horizon
    interval = center.interval
    q = records["queue"].astype(np.int64)
    outcome = records["outcome"]
    cell = q * horizon + np.minimum((records["arrival"] // interval).astype(np.int64),
                                    horizon - 1)
    n_cells = n_q * horizon

    answered = outcome == ANSWERED
    target = np.array([qu.target_time for qu in center.queues], float)[q]
    sums, wait = _cell_sums(cell, outcome, records["attempt"], records["enter"],
                            records["start"], records["leave"], target, n_cells)

    def column(k):
        per_cell = sums[:, k].reshape(n_q, horizon)
        return np.concatenate([per_cell, per_cell.sum(axis=1, keepdims=True)], axis=1)

    out = np.empty((n_q, horizon + 1, len(QUEUE_METRICS)))
    c = {name: column(k) for k, name in enumerate(COUNTS)}
    n_resolved = c["answered"] + c["abandoned"]
    within, waited, wait_answered, wait_resolved = (column(k) for k in range(8, 12))
    with np.errstate(invalid="ignore", divide="ignore"):
        m = dict(c)
        m["service_level"] = within / n_resolved
        m["service_level_answered"] = within / c["answered"]
        m["prob_wait"] = waited / n_resolved
        m["asa"] = wait_answered / c["answered"]
        m["average_wait"] = wait_resolved / n_resolved
        m["abandon_rate"] = c["abandoned"] / n_resolved
    p90 = _percentile_by_group(wait[answered], cell[answered], n_cells, 90.0)
    p90_total = _percentile_by_group(wait[answered], q[answered], n_q, 90.0)
    m["wait_p90"] = np.concatenate([p90.reshape(n_q, horizon), p90_total[:, None]], axis=1)
    m["max_queue"] = np.concatenate([max_queue, max_queue.max(axis=1, keepdims=True)], axis=1)
    for k, name in enumerate(QUEUE_METRICS):
        out[:, :, k] = m[name]

    # Groups: busy and on-duty slot time per interval.
    busy = np.zeros((n_g, horizon))
    g = records["group"]
    _spread(records["start"][answered], records["leave"][answered],
            g[answered].astype(np.int64), n_g, interval, horizon, busy)
    if agents is None:
        agents = duty_agents(center)
    duty = agents * np.array([[g.concurrency] for g in center.groups]) * interval
    _spread(overtime["start"], overtime["end"], overtime["group"].astype(np.int64), n_g,
            interval, horizon, duty)
    gout = np.empty((n_g, horizon + 1, len(GROUP_METRICS)))
    gout[:, :horizon, 0] = agents
    gout[:, horizon, 0] = agents.mean(axis=1)
    gout[:, :horizon, 1] = busy / 3600.0
    gout[:, horizon, 1] = busy.sum(axis=1) / 3600.0
    with np.errstate(invalid="ignore", divide="ignore"):
        gout[:, :horizon, 2] = np.where(duty > 0, busy / duty, np.nan)
        tot = duty.sum(axis=1)
        gout[:, horizon, 2] = np.where(tot > 0, busy.sum(axis=1) / tot, np.nan)
    return out, gout


def duty_agents(center):
    """Time-averaged agents on duty per group and interval (groups x intervals)."""
    return np.array([g.agents_on_duty(center.interval, center.horizon) for g in center.groups])
