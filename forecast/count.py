"""A count model: negative-binomial GLM with weekday x interval effects and a recent level."""

import numpy as np

from ._base import Forecaster, normal_bounds, poisson_two_way  # noqa: F401 (public here)


class CountGLM(Forecaster):
    """``log E[volume] = weekday x interval effect + week level``, negative binomial.

    The mean is the Poisson maximum-likelihood fit (:func:`poisson_two_way`),
    the dispersion its method-of-moments estimate.  Fitted on the last
    ``weeks`` weeks of ordinary days; the forecast uses the
    mean of the last ``level_weeks`` week levels.  Its intervals are the
    negative-binomial quantiles with the fitted dispersion plus the queue's
    day-level variation.

    Parameters
    ----------
    weeks : int
        Weeks fitted.
    level_weeks : int
        Recent weeks whose levels make the forecast level.
    calendar : Calendar, optional
    """

    name = "count_glm"

    def __init__(self, weeks=8, level_weeks=2, calendar=None):
        super().__init__(calendar)
        self.weeks = weeks
        self.level_weeks = level_weeks

    def _fit_queue(self, data):
        values = data.values()
        idx = np.flatnonzero(data.usable)[-7 * self.weeks:]
        idx = idx[data.days[idx] >= data.days[idx[-1]] - np.timedelta64(7 * self.weeks - 1, "D")]
        rows_d, rows_s = np.nonzero(data.open_slot[data.weekday[idx]])
        y = values[idx[rows_d], rows_s]
        cell = data.weekday[idx[rows_d]] * data.slots + rows_s
        cells, cell_id = np.unique(cell, return_inverse=True)
        week = (data.days[idx[rows_d]] - data.days[idx[0]]).days.to_numpy() // 7
        effect, level = poisson_two_way(y, cell_id, cells.size, week, week.max() + 1)
        mu = effect[cell_id] * level[week]
        # Negative-binomial dispersion by moments, var = mu + alpha mu^2, with
        # the residual sum of squares corrected for the parameters fitted.
        n, p = y.size, cells.size + np.isfinite(level).sum() - 1
        rss = ((y - mu) ** 2).sum() * n / max(n - p, 1)
        alpha = max((rss - mu.sum()) / (mu ** 2).sum(), 1e-6)
        effects = np.zeros(7 * data.slots)
        effects[cells] = effect
        seen = level[np.isfinite(level)]
        return {"effects": effects.reshape(7, data.slots),
                "level": seen[-self.level_weeks:].mean(), "alpha": alpha}

    def _predict_queue(self, data, state, days, weekday, is_open):
        return state["effects"][weekday] * state["level"]

    def _bounds(self, queue, point, levels):
        alpha = self.state_[queue]["alpha"]
        cv = self.data_[queue].day_cv()
        sd = np.sqrt(point + (alpha + cv ** 2) * point ** 2)
        return [normal_bounds(point, sd, lv) for lv in levels]
