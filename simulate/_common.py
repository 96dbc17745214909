"""What the engines and the statistics share: arrival rates with day factors, the interval of
a time, kernel parameters, records, Student-t quantiles."""

import math

import numpy as np
from numba import njit
from scipy import stats as _st

from . import _fast
from ._fast import OUTCOMES

RECORD_FIELDS = ("queue", "contact", "attempt", "arrival", "outcome", "enter", "start",
                 "leave", "group")


def arrival_rates(center, q, key):
    """Arrival rate per second in each interval of queue ``q`` for one replication.

    The queue's volume per interval divided by the interval length, times a
    day-level factor drawn from a Gamma distribution with mean 1 and the
    queue's overdispersion as coefficient of variation (one factor per day of
    ``center.intervals_per_day`` intervals), keyed by (replication, queue).
    """
    queue = center.queues[q]
    rates = np.asarray(queue.volume, dtype=float) / center.interval
    cv = queue.overdispersion
    if cv > 0.0:
        per_day = center.intervals_per_day
        days = -(-center.horizon // per_day)
        rng = _generator(key, q, 0)
        shape = 1.0 / cv ** 2
        factors = rng.gamma(shape, 1.0 / shape, size=days)
        rates = rates * factors[np.arange(center.horizon) // per_day]
    return rates


def _generator(key, q, stream):
    """A numpy generator for one (replication, queue, stream)."""
    key = int(key)
    ss = np.random.SeedSequence([key & 0xFFFFFFFF, key >> 32, q, stream])
    return np.random.Generator(np.random.PCG64(ss))


def first_attempts(center, q, key):
    """Arrival times and attributes of the first attempts of queue ``q``, drawn in bulk.

    Each attribute has its own stream, keyed by (replication, queue), so that
    changing one part of a scenario (adding a bot, more agents) leaves every
    other draw as it was (common random numbers).  Returns a dict of arrays
    indexed by contact: ``arrival`` (sorted, seconds), ``handle``,
    ``patience`` (inf without patience), ``bot_time``, ``bot_u`` (the uniform
    deciding the bot outcome) and ``bot_at`` (where in its bot time an
    abandoning contact hangs up).  Handle times include the queue's
    ``handle_scale`` of the arrival interval.
    """
    queue = center.queues[q]
    rates = arrival_rates(center, q, key)
    expected = float(rates.sum() * center.interval)
    m = int(expected + 10.0 * np.sqrt(expected) + center.horizon + 64)
    while True:
        gaps = _generator(key, q, 1).standard_exponential(m)
        times, ok = _fast.arrivals(gaps, rates, float(center.interval))
        if ok:
            break
        m *= 2          # the same stream, longer: its first m draws are unchanged
    n = times.shape[0]
    handle = queue.handle.sample(_generator(key, q, 2), n)
    scale = handle_scale(center, q)
    if scale is not None:
        _scale_by_interval(handle, times, scale, float(center.interval))
    out = {"arrival": times, "handle": handle}
    if queue.patience is not None:
        out["patience"] = queue.patience.sample(_generator(key, q, 3), n)
    else:
        out["patience"] = np.full(n, np.inf)
    if queue.bot is not None:
        out["bot_time"] = queue.bot.time.sample(_generator(key, q, 4), n)
        u = _generator(key, q, 5).random((2, n))
        out["bot_u"], out["bot_at"] = u[0], u[1]
    else:
        out["bot_time"] = out["bot_u"] = out["bot_at"] = np.zeros(n)
    return out


def t_quantiles(level, dof):
    """Student-t quantiles of a two-sided ``level`` interval for an array of degrees
    of freedom, one ``ppf`` per distinct value (scipy's is slow cell by cell)."""
    dof = np.asarray(dof)
    values, where = np.unique(dof, return_inverse=True)
    return _st.t.ppf(0.5 + level / 2.0, values)[where.reshape(dof.shape)]


@njit(cache=True)
def interval_index(t, interval, last):
    """The interval holding time ``t``, at most ``last``: numpy's ``min(t // interval, last)``.

    Without the ``fmod`` that makes a floor division slow: rounding is
    monotone, so the floor of the rounded quotient ``t / interval`` is the
    floor of the exact one unless the rounded quotient is whole, and only
    then is ``//`` computed.

    Parameters
    ----------
    t : float
        Time, seconds, >= 0.
    interval : float
        Interval length, seconds.
    last : int
        The last interval.

    Returns
    -------
    int
    """
    x = t / interval
    i = math.floor(x)
    if i == x:
        i = int(t // interval)
    return min(i, last)


@njit(cache=True)
def _scale_by_interval(handle, times, scale, interval):
    """Multiply each handle time in place by the multiplier of its arrival interval.

    Parameters
    ----------
    handle : ndarray of float64
        Handle times, multiplied in place.
    times : ndarray of float64
        Arrival times, seconds (past the last interval: its multiplier).
    scale : ndarray of float64
        Multiplier per interval.
    interval : float
        Interval length, seconds.
    """
    last = scale.shape[0] - 1
    for k in range(times.shape[0]):
        handle[k] *= scale[interval_index(times[k], interval, last)]


def handle_scale(center, q):
    """Handle-time multiplier per interval of queue ``q`` (float array), or None."""
    scale = center.queues[q].handle_scale
    return None if scale is None else np.asarray(scale, dtype=float)


def dist_params(dist):
    """Kernel parameters of an optional distribution: ``(present, kind, p1, p2, values)``."""
    if dist is None:
        return False, 0, 0.0, 0.0, np.zeros(0)
    kind, p1, p2, values = dist.params()
    return True, kind, p1, p2, values


def empty_records():
    """Records with no rows (the columns of :data:`RECORD_FIELDS`)."""
    return {"queue": np.zeros(0, np.int32), "contact": np.zeros(0, np.int64),
            "attempt": np.zeros(0, np.int32), "arrival": np.zeros(0),
            "outcome": np.zeros(0, np.int8), "enter": np.zeros(0), "start": np.zeros(0),
            "leave": np.zeros(0), "group": np.zeros(0, np.int32)}


def concat_records(parts):
    """Concatenate record dicts column by column."""
    if not parts:
        return empty_records()
    if len(parts) == 1:
        return parts[0]
    return {k: np.concatenate([p[k] for p in parts]) for k in RECORD_FIELDS}


__all__ = ["OUTCOMES", "RECORD_FIELDS", "arrival_rates", "first_attempts", "dist_params",
           "empty_records", "concat_records", "t_quantiles"]
