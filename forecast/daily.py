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

TOTAL_MODELS = ("ets", "arima", "holt")


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


#: Level smoothing parameters searched by :func:`holt_fit`: fine near 0, where
#: a level estimated from months of noisy days usually is.
HOLT_GRID = np.array([0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5,
                      0.65, 0.8, 1.0])
#: Trend smoothing parameters: at most 0.2.  A trend that follows the last few
#: days follows their noise: on 10 weeks of Poisson days (~3,000 a day), allowing
#: up to 1 doubled the spread of the 14-day total's error (1.1% against 0.5%)
#: and gained nothing on steady or growing data.
HOLT_TREND_GRID = HOLT_GRID[HOLT_GRID <= 0.2]


def holt_fit(x, alphas=HOLT_GRID, betas=HOLT_TREND_GRID):
    """Holt's linear trend fitted by least squares: ``(alpha, beta, level, trend)`` at the end.

    The model (ETS(A,A,N) in error-correction form), with one-step error
    ``e_t = x_t - l_{t-1} - b_{t-1}``::

        l_t = l_{t-1} + b_{t-1} + alpha e_t
        b_t = b_{t-1} + alpha beta e_t

    For fixed ``alpha`` and ``beta`` the errors are linear in the initial
    level and trend, so those follow exactly from a 2 x 2 least-squares
    problem; ``alpha`` and ``beta`` are the pair of ``alphas`` x ``betas`` with
    the smallest sum of squared one-step errors (the criterion of
    statsmodels' ``ExponentialSmoothing(trend="add",
    initialization_method="estimated")``, searched on a grid instead of by an
    optimiser: the whole grid runs as one vectorised recursion, a
    millisecond against statsmodels' tenth of a second).  ``alpha = beta =
    0`` is a straight line through the data.
    """
    x = np.asarray(x, dtype=float)
    a, b = (g.ravel() for g in np.meshgrid(alphas, betas, indexing="ij"))
    ab = a * b
    # The recursion run three times: on the data from a zero state, and on zero
    # data from a unit level and from a unit trend.  Errors e = c - p l0 - q b0.
    lev = np.zeros((3, a.size))
    tr = np.zeros((3, a.size))
    lev[1], tr[2] = 1.0, 1.0
    sums = np.zeros((6, a.size))               # pp, pq, qq, pc, qc, cc
    for xt in x:
        e = -(lev + tr)
        e[0] += xt
        c, p, q = e[0], -e[1], -e[2]
        sums += (p * p, p * q, q * q, p * c, q * c, c * c)
        lev += tr + a * e
        tr += ab * e
    pp, pq, qq, pc, qc, cc = sums
    det = pp * qq - pq * pq
    ok = det > 1e-12 * np.maximum(pp * qq, 1e-300)
    l0 = np.where(ok, (qq * pc - pq * qc) / np.where(ok, det, 1.0), 0.0)
    b0 = np.where(ok, (pp * qc - pq * pc) / np.where(ok, det, 1.0), 0.0)
    sse = cc - 2 * (l0 * pc + b0 * qc) + l0 * l0 * pp + 2 * l0 * b0 * pq + b0 * b0 * qq
    sse = np.where(ok, sse, np.inf)
    k = int(np.argmin(sse))
    level = lev[0, k] + l0[k] * lev[1, k] + b0[k] * lev[2, k]
    trend = tr[0, k] + l0[k] * tr[1, k] + b0[k] * tr[2, k]
    return float(a[k]), float(b[k]), float(level), float(trend)


def holt_forecast(x, steps):
    """The next ``steps`` values of ``x`` by Holt's linear trend (:func:`holt_fit`)."""
    _, _, level, trend = holt_fit(x)
    return level + trend * np.arange(1, steps + 1)


class DailyProfile(Forecaster):
    """Daily totals by ETS or ARIMA, times the weekday's intraday profile.

    Parameters
    ----------
    total : {"ets", "arima", "holt"}
        Model of the deseasonalised log daily total (statsmodels): "ets" is
        simple exponential smoothing (ETS(A,N,N)), a level that follows the
        data; "arima" an AR(1) around a mean (ARIMA(1,0,0) fitted by
        conditional least squares, ``AutoReg``), which captures the
        persistence of a busy day and its fading within a few days; "holt"
        Holt's linear trend (ETS(A,A,N), :func:`holt_fit`), a level and a
        growth rate that follow the data, so that a growing or shrinking
        queue is not forecast at last month's level (in logs: the trend is a
        constant percentage per open day).
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
            if self.total == "holt":
                return holt_forecast(x, steps)
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
