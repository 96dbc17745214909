"""Piecewise-linear bounds of a queue's KPIs as functions of agents, per interval.

The least-cost scheduler (:mod:`plan.least_cost`) needs, for every interval,
how many contacts are answered within the target time, abandoned, or wait,
as a function of the agents on the phones.  Erlang A (or C) gives those at
whole numbers of agents; this module turns them into linear cuts:

* ``within - T * base`` (contacts answered within ``target_time`` less the
  target share of the contacts the service level is measured on) is concave
  in the agents above the offered load: its **upper** concave hull over the
  agents considered gives cuts ``s <= slope * n + intercept`` that are exact
  at whole numbers where the function is concave, and an over-estimate where
  it is not (below the offered load, ruled out in practice by the interval
  floor, and corrected by the simulation check);
* abandoned contacts and the waiting time above the ASA target are convex
  decreasing: their **lower** convex hull gives cuts ``y >= slope * n +
  intercept``.

Between whole numbers the cuts interpolate linearly (the agents on the
phones are fractional: shifts less shrinkage).
"""

import numpy as np
from numba import njit

from ccwfm import erlang

__all__ = []


@njit(cache=True)
def _hulls(values, k0, width, upper, slope, icpt, owner, counts):
    """Hull segments of ``values[i, :width[i]]`` (at agents ``k0[i] + j``) for each row.

    Writes the segments' slope and intercept (``y = slope * n + icpt``) and
    the row they belong to from position 0 on; ``counts[i]`` gets the number
    of segments of row ``i`` (at least one: a single point gives a flat
    cut).  Returns the number of segments written.  Non-finite points are
    skipped.
    """
    m = 0
    n_rows, w = values.shape
    xs = np.empty(w)
    ys = np.empty(w)
    for i in range(n_rows):
        top = 0
        for j in range(width[i]):
            y = values[i, j]
            if not np.isfinite(y):
                continue
            x = k0[i] + j
            while top >= 2:
                cross = ((xs[top - 1] - xs[top - 2]) * (y - ys[top - 2])
                         - (ys[top - 1] - ys[top - 2]) * (x - xs[top - 2]))
                if (upper and cross >= 0) or (not upper and cross <= 0):
                    top -= 1
                else:
                    break
            xs[top] = x
            ys[top] = y
            top += 1
        start = m
        for j in range(top - 1):
            s = (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j])
            slope[m] = s
            icpt[m] = ys[j] - s * xs[j]
            owner[m] = i
            m += 1
        if top >= 1:
            # Beyond the last point: flat (the gain of more agents is not counted).
            slope[m] = 0.0
            icpt[m] = ys[top - 1]
            owner[m] = i
            m += 1
        counts[i] = m - start
    return m


def hull_cuts(values, k0, width, *, upper):
    """Cuts ``(owner, slope, intercept)`` of the hull of each row of ``values``.

    Parameters
    ----------
    values : ndarray (rows, w)
        Function values at agents ``k0[i] + j`` for ``j < width[i]``.
    k0, width : ndarray of int
        First agent count and number of points of each row.
    upper : bool
        Upper concave hull (cuts ``y <= ...``) or lower convex hull
        (``y >= ...``).

    The last cut of each row is flat at its last point: the functions these
    cuts describe increase (upper) or decrease (lower) in the agents, and
    beyond the points given no further gain is counted.
    """
    rows, w = values.shape
    size = rows * (w + 1)
    slope, icpt = np.empty(size), np.empty(size)
    owner = np.empty(size, np.int64)
    counts = np.zeros(rows, np.int64)
    m = _hulls(np.ascontiguousarray(values, dtype=np.float64), k0.astype(np.int64),
               width.astype(np.int64), upper, slope, icpt, owner, counts)
    return owner[:m], slope[:m], icpt[:m]


def kpi_grid(lam, aht, k0, width, *, queue, interval):
    """Erlang metrics at agents ``k0[i] + j`` (j < max width) for each interval.

    Returns ``(metrics, agents)`` with arrays of shape (intervals, w).
    """
    w = int(width.max()) if width.size else 1
    agents = k0[:, None] + np.arange(w)[None, :]
    shape = agents.shape
    m = erlang.metrics(agents.astype(float), np.broadcast_to(lam[:, None], shape),
                       np.broadcast_to(np.where(aht > 0, aht, 1.0)[:, None], shape),
                       target_time=queue.target.measure_time, interval=interval * 60.0,
                       patience=queue.patience, concurrency=queue.concurrency,
                       concurrency_factor=queue.concurrency_factor)
    return m, agents
