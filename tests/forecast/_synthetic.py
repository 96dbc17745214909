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

from ccwfm.forecast import Calendar, History

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


# --- histories with a known truth: trend, overdispersion, calendar, AHT -----------------


class Truth:
    """What a :func:`simulate` history was drawn from: the expected volume and AHT anywhere.

    ``volume(starts)`` and ``aht(starts)`` are the generator's expectations at
    any interval start, past or future (0 volume on closed hours, weekdays and
    calendar days).  ``open_starts(first_day, days)`` lists the open intervals
    of a span of days, ``total(first_day, days)`` their expected volume.
    """

    def __init__(self, level, weekday, shapes, interval, trend, trend_kind, start, closed,
                 multiplier, aht_level, aht_shape):
        self.level, self.weekday, self.shapes, self.interval = level, weekday, shapes, interval
        self.trend, self.trend_kind, self.start = trend, trend_kind, start
        self.closed, self.multiplier = closed, multiplier
        self.aht_level, self.aht_shape = aht_level, aht_shape

    def day_level(self, days):
        """Expected daily total of each day (calendar included)."""
        days = pd.DatetimeIndex(days)
        t = (days - self.start).days.to_numpy() / 7.0          # weeks since the start
        trend = (1.0 + self.trend * t if self.trend_kind == "linear"
                 else (1.0 + self.trend) ** t)
        wd = np.array([self.weekday[w] for w in days.day_of_week])
        cal = np.array([0.0 if d in self.closed else self.multiplier.get(d, 1.0)
                        for d in days])
        return self.level * trend * wd * cal

    def _slot(self, starts):
        starts = pd.DatetimeIndex(pd.to_datetime(starts))
        minute = (starts - starts.normalize()) // pd.Timedelta(minutes=1)
        return starts, starts.day_of_week.to_numpy(), (minute // self.interval).to_numpy()

    def volume(self, starts):
        starts, w, s = self._slot(starts)
        share = np.array([self.shapes[k].get(j, 0.0) if k in self.shapes else 0.0
                          for k, j in zip(w, s)])
        return self.day_level(starts.normalize()) * share

    def aht(self, starts):
        starts, w, s = self._slot(starts)
        return self.aht_level * np.array([self.aht_shape.get(j, 1.0) for j in s])

    def open_starts(self, first_day, days):
        out = []
        for d in pd.date_range(pd.Timestamp(first_day), periods=days, freq="D"):
            if d.weekday() in self.shapes and self.weekday[d.weekday()] > 0 \
                    and d not in self.closed:
                out += [d + pd.Timedelta(minutes=self.interval * j)
                        for j in self.shapes[d.weekday()]]
        return pd.DatetimeIndex(out)

    def total(self, first_day, days):
        return float(self.volume(self.open_starts(first_day, days)).sum())

    def draw(self, starts, rng, alpha=0.0, day_cv=0.0):
        """Fresh actuals at ``starts``: Poisson around the truth, optionally overdispersed.

        ``day_cv`` draws one Gamma factor (mean 1) per day multiplying all its
        intervals; ``alpha`` a Gamma factor per interval, so that an interval
        count is negative binomial with variance ``mu + alpha mu^2`` (before
        the day factor).  The expectation stays :meth:`volume`.
        """
        starts = pd.DatetimeIndex(pd.to_datetime(starts))
        mu = self.volume(starts)
        if day_cv > 0:
            days, inv = np.unique(starts.normalize(), return_inverse=True)
            k = 1.0 / day_cv ** 2
            mu = mu * rng.gamma(k, 1.0 / k, len(days))[inv]
        if alpha > 0:
            mu = rng.gamma(1.0 / alpha, alpha * mu)
        return rng.poisson(mu).astype(float)


def interval_shape(hours, interval, centre=None, width=3.0):
    """Bell-shaped profile over the ``interval``-minute slots of ``range(*hours)``, summing to 1."""
    per_hour = 60 // interval
    slots = np.arange(hours[0] * per_hour, hours[1] * per_hour)
    mid = (slots + 0.5) / per_hour                        # slot midpoints in hours
    c = (hours[0] + hours[1]) / 2 if centre is None else centre
    p = np.exp(-0.5 * ((mid - c) / width) ** 2)
    return dict(zip(slots.tolist(), (p / p.sum()).tolist()))


def simulate(seed, weeks=16, level=3000.0, weekday=WEEKDAY, hours=None, interval=60,
             trend=0.0, trend_kind="linear", alpha=0.0, day_cv=0.0, closed=(),
             multiplier=None, events=None, aht=None, queue="q", start=START):
    """``(History, Truth, Calendar)``: a queue drawn around a known expectation.

    Parameters
    ----------
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    weeks : int
        Weeks of history from ``start`` (a Monday).
    level : float
        Expected daily total of a day with weekday factor 1 at ``start``.
    weekday : tuple of 7 float
        Weekday factors, Monday to Sunday (0 = closed).
    hours : dict, optional
        Open hours per weekday, ``{weekday: (first hour, end hour)}``.
    interval : int
        Minutes per interval (15, 30 or 60).
    trend : float
        Growth per week: ``1 + trend * weeks`` ("linear") or ``(1 + trend) ** weeks``
        ("multiplicative"), weeks counted from ``start``.
    alpha, day_cv : float
        Overdispersion (see :meth:`Truth.draw`).
    closed : sequence of dates
        Holidays (no rows), past or future.
    multiplier : dict, optional
        ``{date: factor}``: special days, past or future, marked as
        ``"multiplier"`` days in the calendar.
    events : dict, optional
        ``{tag: (true uplift, [dates])}``: event days, marked as ``"event"``
        days of that tag with no value (the models must learn the uplift).
    aht : tuple, optional
        ``(level, {slot: factor})``: expected AHT in seconds of each slot; the
        observed AHT of an interval is the mean of its contacts' exponential
        handle times (Gamma with shape = volume).
    """
    rng = np.random.default_rng(seed)
    hours = HOURS if hours is None else hours
    shapes = {w: interval_shape(hours[w], interval) for w in hours if weekday[w] > 0}
    closed = {pd.Timestamp(d).normalize() for d in closed}
    mult = {pd.Timestamp(d).normalize(): float(v) for d, v in (multiplier or {}).items()}
    records = [(d, "closed") for d in sorted(closed)]
    records += [(d, "multiplier", v) for d, v in sorted(mult.items())]
    for tag, (uplift, dates) in (events or {}).items():
        for d in dates:
            d = pd.Timestamp(d).normalize()
            mult[d] = mult.get(d, 1.0) * uplift
            records.append((d, "event", None, tag))
    aht_level, aht_shape = aht if aht is not None else (300.0, {})
    truth = Truth(level, weekday, shapes, interval, trend, trend_kind, start, closed, mult,
                  aht_level, aht_shape)
    starts = truth.open_starts(start, 7 * weeks)
    volume = truth.draw(starts, rng, alpha=alpha, day_cv=day_cv)
    frame = pd.DataFrame({"queue": queue, "start": starts, "volume": volume})
    if aht is not None:
        mean = truth.aht(starts)
        frame["aht"] = np.where(volume > 0, rng.gamma(np.maximum(volume, 1.0),
                                                      mean / np.maximum(volume, 1.0)), np.nan)
    calendar = Calendar.from_records(records) if records else Calendar.empty()
    return History.from_frame(frame, interval=interval), truth, calendar
