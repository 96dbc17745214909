"""Daily total x intraday profile: the classic planning method, with a statistical daily model.

The day's total is forecast on its own (where the signal is: level, weekday
effect, the persistence of a busy day), then spread over the day's intervals
by the weekday's intraday profile learned from recent weeks.
"""

import warnings

import numpy as np
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.ar_model import AutoReg
from statsmodels.tsa.holtwinters import SimpleExpSmoothing

from ccwfm._validation import choice
from ._base import Forecaster, recent_days

TOTAL_MODELS = ("ets", "arima")


def weekday_effects(totals, weekday, weeks, days=None):
    """Log weekday effects (mean 0 over the weekdays seen) from week fixed effects.

    Fits ``log total = week level + weekday effect`` by least squares on the
    last ``weeks`` calendar weeks of the given days, so that a busy or quiet
    week does not bias the weekday pattern.  ``days`` (dates) place each day
    in its Monday-to-Sunday week; without them a week starts whenever the
    weekday does not increase (only right for gap-free histories).
    """
    if days is not None:
        monday = (np.asarray(days, dtype="datetime64[D]")
                  - np.asarray(weekday, dtype="timedelta64[D]"))
        wk = ((monday - monday[0]) // np.timedelta64(7, "D")).astype(int)
    else:
        wk = np.zeros(len(totals), dtype=int)
        for i in range(1, len(totals)):
            wk[i] = wk[i - 1] + (weekday[i] <= weekday[i - 1])
    keep = wk >= wk[-1] - weeks + 1
    lt, w, wk = np.log(totals[keep]), weekday[keep], wk[keep]
    _, wk = np.unique(wk, return_inverse=True)
    days_seen = np.unique(w)
    cols = [(wk == k).astype(float) for k in range(wk.max() + 1)]
    cols += [(w == d).astype(float) for d in days_seen[1:]]
    x = np.column_stack(cols)
    coef, *_ = np.linalg.lstsq(x, lt, rcond=None)
    eff = np.zeros(7)
    eff[days_seen[1:]] = coef[wk.max() + 1:]
    eff[days_seen] -= eff[days_seen].mean()
    return eff


class DailyProfile(Forecaster):
    """Daily totals by ETS or ARIMA, times the weekday's intraday profile.

    Parameters
    ----------
    total : {"ets", "arima"}
        Model of the deseasonalised log daily total (statsmodels): "ets" is
        simple exponential smoothing (ETS(A,N,N)), a level that follows the
        data; "arima" an AR(1) around a mean (ARIMA(1,0,0) fitted by
        conditional least squares, ``AutoReg``), which captures the
        persistence of a busy day and its fading within a few days.
    profile_weeks : int
        Weeks of each weekday averaged into its intraday profile.
    recent_days, recent_weight : int, float
        The profile is tilted towards the shape of the last ``recent_days``
        days (their contacts per interval over what their weekdays' profiles
        expected) with exponent ``recent_weight``, so that a shift of the
        day's timing shows up before many weeks have passed.
    factor_weeks : int
        Weeks used to estimate the weekday effects.
    history_days : int
        Open days the daily model is fitted on.
    calendar : Calendar, optional
        Special days (left out of learning, applied in forecasts).
    """

    def __init__(self, total="arima", profile_weeks=20, factor_weeks=12, history_days=120,
                 recent_days=10, recent_weight=0.5, calendar=None):
        super().__init__(calendar)
        choice("total", total, TOTAL_MODELS, quote=False)
        self.total = total
        self.profile_weeks = profile_weeks
        self.recent_days = recent_days
        self.recent_weight = recent_weight
        self.factor_weeks = factor_weeks
        self.history_days = history_days
        self.name = f"daily_{total}"

    def _fit_queue(self, data):
        values = data.values()
        totals = data.totals()
        idx = np.flatnonzero(data.usable & (totals > 0))[-self.history_days:]
        if idx.size < 10:
            raise ValueError(f"queue {data.name!r} has {idx.size} usable days: at least 10 "
                             "are needed for a daily model")
        t, w = totals[idx], data.weekday[idx]
        eff = weekday_effects(t, w, self.factor_weeks, data.days[idx])
        x = np.log(t) - eff[w]
        profile = np.zeros((7, data.slots))
        for k in range(7):
            days = recent_days(data, k, self.profile_weeks)
            days = days[totals[days] > 0]
            if days.size:
                profile[k] = np.nansum(values[days], axis=0) / totals[days].sum()
        if self.recent_weight > 0:
            # Recent days against what their own weekdays' profiles expected,
            # so that the weekday mix of the last days does not tilt anything.
            recent = idx[-self.recent_days:]
            seen = np.nansum(values[recent], axis=0)
            expected = (profile[data.weekday[recent]] * totals[recent][:, None]).sum(axis=0)
            tilt = np.where((expected > 0) & (seen > 0),
                            (seen / np.where(expected > 0, expected, 1.0)) ** self.recent_weight,
                            1.0)
            profile = profile * tilt
            norm = profile.sum(axis=1, keepdims=True)
            profile = np.where(norm > 0, profile / np.where(norm > 0, norm, 1.0), 0.0)
        return {"x": x, "eff": eff, "profile": profile}

    def _level_forecast(self, x, steps):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("ignore", UserWarning)
            if self.total == "ets":
                fit = SimpleExpSmoothing(x, initialization_method="heuristic").fit()
                return np.asarray(fit.forecast(steps))
            fit = AutoReg(x, lags=1, trend="c").fit()
            return np.asarray(fit.forecast(steps))

    def _predict_queue(self, data, state, days, weekday, is_open):
        steps = int(is_open.sum())
        out = np.full((len(days), data.slots), np.nan)
        if steps == 0:
            return out
        level = self._level_forecast(state["x"], steps)
        j = 0
        for i in range(len(days)):
            if not is_open[i]:
                continue
            w = weekday[i]
            out[i] = np.exp(level[j] + state["eff"][w]) * state["profile"][w]
            j += 1
        return out
