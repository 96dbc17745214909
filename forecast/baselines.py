"""Baselines every model must beat: seasonal naive and the weekday x interval average."""

import numpy as np

from ccwfm._validation import count
from ._base import Forecaster, recent_days


class SeasonalNaive(Forecaster):
    """Same interval of the same weekday last week.

    When last week's day was special, missing or closed, the latest ordinary
    day with that weekday is used instead.

    Examples
    --------
    >>> from ccwfm.forecast.demo import demo_history
    >>> h = demo_history(weeks=6, interval=60)
    >>> f = SeasonalNaive().fit(h).predict(7)
    >>> sorted(f["queue"].unique())
    ['chat', 'email', 'voice']
    """

    name = "seasonal_naive"

    def _variance_factor(self):
        # The error is the difference of two draws: last week's and the new one.
        return 2.0

    def _fit_queue(self, data):
        return data.values()

    def _predict_queue(self, data, values, days, weekday, is_open):
        out = np.full((len(days), data.slots), np.nan)
        for i, w in enumerate(weekday):
            idx = recent_days(data, w, 1)
            if idx.size:
                out[i] = values[idx[-1]]
        return out


class WeekdayAverage(Forecaster):
    """Mean of the same weekday and interval over the last ``weeks`` weeks.

    Parameters
    ----------
    weeks : int
        Ordinary days of each weekday averaged (default 4).
    calendar : Calendar, optional
        Special days.
    """

    name = "weekday_average"

    def __init__(self, weeks=4, calendar=None):
        super().__init__(calendar)
        weeks = count("weeks", weeks, 1)
        self.weeks = weeks

    def _variance_factor(self):
        # A mean of ``weeks`` past draws errs by 1/weeks of a draw's variance.
        return 1.0 + 1.0 / self.weeks

    def _fit_queue(self, data):
        values = data.values()
        means = np.full((7, data.slots), np.nan)
        for w in range(7):
            idx = recent_days(data, w, self.weeks)
            if idx.size:
                seen = ~np.isnan(values[idx])
                total = np.where(seen, values[idx], 0.0).sum(axis=0)
                count = seen.sum(axis=0)
                means[w] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        return means

    def _predict_queue(self, data, means, days, weekday, is_open):
        return means[weekday]
