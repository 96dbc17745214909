"""An ensemble: the mean of several models' point forecasts."""

import copy


from ._base import Forecaster, nan_mean


class Ensemble(Forecaster):
    """Mean of the point forecasts of ``models`` (each fitted on the same history).

    Parameters
    ----------
    models : sequence of Forecaster
        Unfitted models; copies are fitted.
    calendar : Calendar, optional
        Passed to every member.
    """

    def __init__(self, models, calendar=None):
        super().__init__(calendar)
        if not models:
            raise ValueError("'models' must hold at least one model")
        self.models = [copy.deepcopy(m) for m in models]
        for m in self.models:
            m.calendar = self.calendar
        self.name = "ensemble(" + "+".join(m.name for m in self.models) + ")"

    def fit_data(self, data):
        for m in self.models:
            m.fit_data(data)
        return super().fit_data(data)

    def _fit_queue(self, data):
        return None

    def _predict_queue(self, data, state, days, weekday, is_open):
        horizon = len(days)
        points = [m.raw_point(data.name, horizon)[1] for m in self.models]
        return nan_mean(points)
