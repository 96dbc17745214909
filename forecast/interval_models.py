"""Models on the interval series itself: Holt-Winters (ETS) and MSTL (statsmodels).

The series is the concatenation of the open intervals of the recent weeks'
open days, so a week of the series is one period.  Days missing from the
history or special are filled with the weekday's recent average to keep the
seasonal phase; closed days (weekends of a weekday-only center) are not in
the series at all.
"""

import warnings

import numpy as np
from statsmodels.tsa.holtwinters import ExponentialSmoothing
from statsmodels.tsa.seasonal import MSTL

from ._base import Forecaster, recent_days


def _open_series(data, weeks):
    """The open intervals of the last ``weeks`` weeks as one series, and its layout.

    Returns ``(series, day_slots, open_weekdays)``: ``day_slots[w]`` the open
    slot indices of weekday ``w``.
    """
    values = data.values()
    open_weekdays = [w for w in range(7) if data.open_slot[w].any()]
    day_slots = {w: np.flatnonzero(data.open_slot[w]) for w in open_weekdays}
    fill = {}
    for w in open_weekdays:
        idx = recent_days(data, w, 4)
        fill[w] = (np.nanmean(values[idx][:, day_slots[w]], axis=0) if idx.size
                   else np.zeros(day_slots[w].size))
    n_days = len(data.days)
    first = max(0, n_days - 7 * weeks)
    # Start on the first open weekday of a week so the period is aligned.
    while first < n_days and data.weekday[first] != open_weekdays[0]:
        first += 1
    parts = []
    for d in range(first, n_days):
        w = data.weekday[d]
        if w not in day_slots:
            continue
        if data.usable[d]:
            parts.append(values[d, day_slots[w]])
        else:
            parts.append(fill[w])
    series = np.concatenate(parts) if parts else np.zeros(0)
    return np.nan_to_num(series), day_slots, open_weekdays


def _to_days(path, data, days, weekday, is_open, day_slots):
    """Lay a forecast path of the series out on future days."""
    out = np.full((len(days), data.slots), np.nan)
    pos = 0
    for i, w in enumerate(weekday):
        if w not in day_slots:
            continue
        n = day_slots[w].size
        if is_open[i]:
            out[i, day_slots[w]] = path[pos:pos + n]
        pos += n           # a closed calendar day still takes its place in the series
    return out


def _steps(weekday, day_slots):
    return int(sum(day_slots[w].size for w in weekday if w in day_slots))


class IntervalETS(Forecaster):
    """Holt-Winters exponential smoothing of the interval series, weekly season.

    Parameters
    ----------
    weeks : int
        Weeks of history fitted.
    calendar : Calendar, optional
    """

    name = "interval_ets"

    def __init__(self, weeks=12, calendar=None):
        super().__init__(calendar)
        self.weeks = weeks

    def _fit_queue(self, data):
        series, day_slots, open_weekdays = _open_series(data, self.weeks)
        period = sum(day_slots[w].size for w in open_weekdays)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = ExponentialSmoothing(series, seasonal="add", seasonal_periods=period,
                                       trend=None, initialization_method="heuristic").fit()
        return {"fit": fit, "day_slots": day_slots, "n": series.size}

    def _predict_queue(self, data, state, days, weekday, is_open):
        steps = _steps(weekday, state["day_slots"])
        path = np.asarray(state["fit"].forecast(steps)) if steps else np.zeros(0)
        return _to_days(path, data, days, weekday, is_open, state["day_slots"])


class IntervalMSTL(Forecaster):
    """MSTL decomposition (daily and weekly seasons) of the interval series.

    The seasonal components are carried forward by repeating their last
    period; the trend by damped Holt smoothing.

    Parameters
    ----------
    weeks : int
        Weeks of history decomposed.
    calendar : Calendar, optional
    """

    name = "interval_mstl"

    def __init__(self, weeks=12, calendar=None):
        super().__init__(calendar)
        self.weeks = weeks

    def _fit_queue(self, data):
        series, day_slots, open_weekdays = _open_series(data, self.weeks)
        week = sum(day_slots[w].size for w in open_weekdays)
        sizes = {day_slots[w].size for w in open_weekdays}
        periods = (sizes.pop(), week) if len(sizes) == 1 and len(open_weekdays) > 1 else (week,)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = MSTL(series, periods=periods).fit()
            seasonal = np.asarray(res.seasonal).reshape(series.size, -1)
            trend = np.asarray(res.trend) + np.asarray(res.resid)
            level = ExponentialSmoothing(trend, trend="add", damped_trend=True,
                                         initialization_method="estimated").fit()
        return {"seasonal": seasonal, "periods": periods, "level": level,
                "day_slots": day_slots, "n": series.size}

    def _predict_queue(self, data, state, days, weekday, is_open):
        steps = _steps(weekday, state["day_slots"])
        if steps == 0:
            return np.full((len(days), data.slots), np.nan)
        n = state["n"]
        path = np.asarray(state["level"].forecast(steps))
        for k, p in enumerate(state["periods"]):
            last = state["seasonal"][n - p:, k]
            path = path + np.resize(last, steps)
        return _to_days(path, data, days, weekday, is_open, state["day_slots"])
