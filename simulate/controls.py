"""Control variates: draws of each replication with a known mean, to narrow its estimates.

A replication's service level is noisy mostly because of what it drew: more
contacts than expected in a busy hour, or longer calls.  Those draws are
known exactly, and so is their expectation.  Per replication, queue and
interval, :func:`first_attempt_controls` gives two sums over the first
attempts arriving in the interval that the bot (if any) passes on to the
agents, each with expectation exactly zero:

* ``"arrivals"``: their number minus its expectation (the queue's volume of
  the interval times the share the bot escalates; an overdispersed queue's
  day factor has mean 1);
* ``"handle"``: their handle-time draws minus their number times the
  expected handle time (the distribution's mean times the interval's
  ``handle_scale``).

Whether the bot passes a contact on is decided by its own uniform draw
(escalated when it is at least the bot's ``abandon + containment``), drawn
independently of its arrival and handle time, so both sums keep a zero
mean.

A KPI estimated over replications is then regressed on them
(:func:`control_estimate`): the intercept of the least-squares fit of the
replications' values on the controls is the control-variate estimate, with
the t interval of the regression's intercept on ``R - 1 - m`` degrees of
freedom for ``m`` controls (Lavenberg & Welch 1981; Nelson 1990).  It is
unbiased when the value and the controls are jointly normal (and consistent
in any case), and its interval is narrower by about the share of variance
the controls explain.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> x = rng.normal(size=(40, 1, 1))                 # a control with mean 0
>>> y = 0.8 + 0.05 * x[:, :, 0] + 0.01 * rng.normal(size=(40, 1))
>>> mean, half = control_estimate(y, x)
>>> bool(abs(mean[0] - 0.8) < 3 * half[0]), bool(half[0] < 0.01)
(True, True)
"""

import numpy as np
from numba import njit

from ._common import interval_index, t_quantiles

__all__ = ["CONTROLS", "MIN_REPLICATIONS", "control_estimate", "first_attempt_controls"]

CONTROLS = ("arrivals", "handle")
"""Names of the controls of :func:`first_attempt_controls`, in order."""

MIN_REPLICATIONS = 10
"""Fewest replications a control-variate estimate is made from (below, the plain
mean and its t interval)."""


def first_attempt_controls(center, firsts, out=None):
    """The controls of one replication: per queue and interval, zero-mean sums.

    Parameters
    ----------
    center : simulate.model.Center
    firsts : sequence of dict
        Per queue, its first attempts (:func:`simulate._common.first_attempts`):
        ``arrival`` (seconds) and ``handle`` (seconds, scaled).
    out : ndarray, optional
        ``(queues, horizon, len(CONTROLS))`` array to write into.

    Returns
    -------
    ndarray, shape (queues, horizon, len(CONTROLS))
        ``[q, i, 0]``: first attempts arriving in interval ``i`` and passed
        on by the bot, less their expected number; ``[q, i, 1]``: their
        handle times less their number times the expected handle time of
        the interval (seconds).
    """
    n_q, horizon = len(center.queues), center.horizon
    if out is None:
        out = np.empty((n_q, horizon, len(CONTROLS)))
    length = float(center.interval)
    for q, (queue, first) in enumerate(zip(center.queues, firsts)):
        skip = 0.0
        if queue.bot is not None:
            skip = float(queue.bot.abandon) + float(queue.bot.containment)
        count, work = out[q, :, 0], out[q, :, 1]
        _sums(first["arrival"], first["handle"], first["bot_u"], skip, length, count, work)
        passed = 1.0 - skip
        mean = np.full(horizon, float(queue.handle.mean))
        if queue.handle_scale is not None:
            mean = mean * np.asarray(queue.handle_scale, float)
        work -= count * mean
        count -= np.asarray(queue.volume, float) * passed
    return out


@njit(cache=True)
def _sums(arrival, handle, bot_u, skip, interval, count, work):
    """Per interval, into ``count`` and ``work`` (zeroed here): the first attempts
    whose bot uniform is at least ``skip`` (all with ``skip`` 0) and their handle
    times; arrivals past the last interval count in it."""
    last = count.shape[0] - 1
    count[:] = 0.0
    work[:] = 0.0
    for k in range(arrival.shape[0]):
        if skip > 0.0 and bot_u[k] < skip:
            continue
        i = interval_index(arrival[k], interval, last)
        count[i] += 1.0
        work[i] += handle[k]


def control_estimate(values, controls, level=0.95):
    """Control-variate estimates and confidence half-widths, cell by cell.

    Parameters
    ----------
    values : ndarray, shape (replications, cells)
        A KPI per replication and cell (NaN where a replication has none).
    controls : ndarray, shape (replications, cells, m)
        Controls per replication and cell, each with expectation zero.
    level : float
        Confidence level of the half-widths.

    Returns
    -------
    mean, half : ndarray, shape (cells,)
        The intercept of each cell's least-squares fit of ``values`` on the
        controls, and its Student-t half-width on ``R - 1 - m`` degrees of
        freedom.  A cell with a NaN value, fewer than
        :data:`MIN_REPLICATIONS` replications, or controls that do not vary
        independently of each other gets the plain mean and its t interval
        on ``R - 1`` degrees of freedom (NaN mean without replications,
        zero half-width with one).
    """
    y = np.asarray(values, float)
    x = np.asarray(controls, float)
    reps, cells = y.shape
    m = x.shape[2]
    ok = np.isfinite(y)
    k = ok.sum(axis=0)
    y0 = np.where(ok, y, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(k > 0, y0.sum(axis=0) / np.maximum(k, 1), np.nan)
        dev = np.where(ok, y - mean, 0.0)
        sd = np.sqrt((dev ** 2).sum(axis=0) / np.maximum(k - 1, 1))
    tq = t_quantiles(level, np.maximum(k - 1, 1))
    half = np.where(k > 1, tq * sd / np.sqrt(np.maximum(k, 1)), 0.0)
    full = (k == reps) & np.isfinite(x).all(axis=(0, 2))
    if m == 0 or reps < max(MIN_REPLICATIONS, m + 3) or not full.any():
        return mean, half
    xm = x.mean(axis=0)                                   # (cells, m)
    xc = x - xm
    scale = np.sqrt((xc ** 2).sum(axis=0))                # (cells, m)
    good = full & (scale > 0).all(axis=1)
    z = xc / np.where(scale > 0, scale, 1.0)              # unit-length columns
    sxx = np.einsum("rci,rcj->cij", z, z)                 # (cells, m, m)
    sxy = np.einsum("rci,rc->ci", z, dev)
    # Columns that are (nearly) linearly dependent: no control-variate estimate.
    good &= np.linalg.det(np.where(good[:, None, None], sxx, np.eye(m))) > 1e-8
    if not good.any():
        return mean, half
    g = np.flatnonzero(good)
    beta = np.linalg.solve(sxx[g], sxy[g][..., None])[..., 0]       # (g, m)
    zm = xm[g] / scale[g]                                            # control means, scaled
    est = mean[g] - (beta * zm).sum(axis=1)
    resid = (dev[:, g] ** 2).sum(axis=0) - (beta * sxy[g]).sum(axis=1)
    dof = reps - 1 - m
    s2 = np.maximum(resid, 0.0) / dof
    a = np.linalg.solve(sxx[g], zm[..., None])[..., 0]
    var = s2 * (1.0 / reps + (zm * a).sum(axis=1))
    mean = mean.copy()
    half = half.copy()
    mean[g] = est
    half[g] = t_quantiles(level, dof) * np.sqrt(var)
    return mean, half

