"""Small synthetic histories with a known multiplicative pattern (helpers for the model tests).

Expected volume of interval ``h`` (an hour) on day ``d``::

    level * week_level[week(d)] * day_factor[d] * weekday[dow(d)] * shape[dow(d)](h)

``shape`` is a bell curve over the day's open hours, normalised to sum to 1, so
that ``level * weekday[dow]`` is the expected daily total.  With ``rng`` the
volumes are Poisson draws around the expectation, else they are the
expectation itself (noise-free).
"""

import numpy as np
import pandas as pd

from ccwfm.forecast import History

START = pd.Timestamp("2024-01-01")                      # a Monday
WEEKDAY = (1.2, 1.1, 1.0, 1.0, 0.9, 0.5, 0.0)           # Sunday closed
HOURS = {w: (8, 18) for w in range(6)}                  # Monday-Saturday 08:00-18:00


def shape(hours, centre=None, width=3.0):
    """Bell-shaped intraday profile over ``range(*hours)``, summing to 1."""
    h = np.arange(*hours)
    c = (hours[0] + hours[1] - 1) / 2 if centre is None else centre
    p = np.exp(-0.5 * ((h - c) / width) ** 2)
    return dict(zip(h.tolist(), (p / p.sum()).tolist()))


def pattern(weeks=10, level=500.0, weekday=WEEKDAY, hours=None, shapes=None,
            week_level=None, day_factor=None, rng=None, queue="q", start=START, drop=None):
    """``(History, expected)``: the history and ``expected(starts, factor=1)``, the truth.

    ``drop(day) -> bool`` leaves a day out of the history (a missing day).
    """
    hours = HOURS if hours is None else hours
    shapes = {w: shape(hours[w]) for w in hours} if shapes is None else shapes
    days = pd.date_range(start, periods=7 * weeks, freq="D")
    rows = []
    for i, d in enumerate(days):
        w = d.weekday()
        if w not in hours or weekday[w] == 0 or (drop is not None and drop(d)):
            continue
        lv = level * (week_level[i // 7] if week_level is not None else 1.0)
        lv *= day_factor[i] if day_factor is not None else 1.0
        for hr, p in shapes[w].items():
            mu = lv * weekday[w] * p
            v = float(rng.poisson(mu)) if rng is not None else mu
            rows.append((queue, d + pd.Timedelta(hours=hr), v))
    h = History.from_frame(pd.DataFrame(rows, columns=["queue", "start", "volume"]),
                           interval=60)

    def expected(starts, factor=1.0):
        starts = pd.Series(pd.to_datetime(starts))
        return np.array([level * factor * weekday[s.weekday()] * shapes[s.weekday()][s.hour]
                         for s in starts])

    return h, expected
