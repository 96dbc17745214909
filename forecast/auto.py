"""Automatic choice of model per queue by backtest, with conformal prediction intervals."""

import copy
import math

import numpy as np
import pandas as pd

from ccwfm._validation import number

from ccwfm._validation import choice, count
from ._base import Forecaster, check_levels, nan_mean
from .backtest import METRICS, origins, rolling_origin, score
from .baselines import WeekdayAverage
from .count import CountGLM
from .daily import DailyProfile


def default_models(calendar=None):
    """The candidates :class:`AutoForecaster` tries by default.

    The weekday average, the daily total x profile models (AR(1), exponential
    smoothing and Holt's linear trend, which follows a growing or shrinking
    queue) and the count model.  The seasonal naive and the interval-series
    models (:class:`forecast.interval_models.IntervalETS`,
    :class:`forecast.interval_models.IntervalMSTL`) are left out: on contact
    data they are rarely the best and cost the most backtest time; pass them
    in ``models`` to include them.
    """
    return [WeekdayAverage(4, calendar=calendar), DailyProfile("arima", calendar=calendar),
            DailyProfile("ets", calendar=calendar), DailyProfile("holt", calendar=calendar),
            CountGLM(calendar=calendar)]


class AutoForecaster(Forecaster):
    """Per queue, the model (or ensemble of the best two) with the best backtest.

    Each candidate forecasts ``lead_days`` days with data from ``origins``
    rolling origins in the recent history; per queue the candidate with the
    lowest ``metric`` wins, the mean of the two best replacing it when
    clearly better (``ensemble_margin``).  Prediction intervals are conformal: the winner's backtest
    errors, scaled by ``sqrt(f + (alpha + c^2) f^2 + 1)`` (``f`` the forecast,
    ``c`` the queue's day-to-day variation, ``alpha`` the extra variation of
    single intervals, :meth:`forecast._base.QueueData.dispersion`), give the
    quantiles that set the bounds, so that busy intervals get wider bounds
    than quiet ones in proportion to how their counts really vary.

    Parameters
    ----------
    models : sequence of Forecaster, optional
        Candidates (default :func:`default_models`).
    metric : {"wmape", "mase", "mae", "bias"}
        Selection metric (absolute bias for "bias").
    origins : int
        Backtest origins (>= 2).  A history too short for them uses as many
        as leave :attr:`MIN_TRAIN_DAYS` days of data before the first (at
        least 2; ``origins_`` says how many).
    lead_days : int
        Days with data forecast from each origin.
    step_days : int
        Calendar days between origins.
    ensemble_margin : float
        The mean of the best two replaces the best only when its backtest
        metric is lower by more than this share.
    calendar : Calendar, optional

    Attributes
    ----------
    choice_ : dict
        Chosen model name per queue.
    origins_ : list of Timestamp
        The backtest origins used.
    backtest_ : pandas.DataFrame
        Backtest scores per queue and candidate.
    coverage_ : pandas.DataFrame
        Per queue and level, the coverage the conformal intervals would have
        had on the backtest, each origin's errors calibrated on the others
        (leave-one-origin-out).
    """

    name = "auto"
    MIN_TRAIN_DAYS = 14

    def __init__(self, models=None, metric="wmape", origins=10, lead_days=5, step_days=7,
                 ensemble_margin=0.03, calendar=None):
        super().__init__(calendar)
        choice("metric", metric, METRICS, quote=False)
        origins = count("origins", origins, 2)
        self.models = models
        self.metric = metric
        self.origins = origins
        self.lead_days = lead_days
        self.step_days = step_days
        number("ensemble_margin", ensemble_margin, lo=0, hi=1, hi_open=True)
        self.ensemble_margin = ensemble_margin

    def _candidates(self):
        models = self.models if self.models is not None else default_models(self.calendar)
        out, seen = [], {}
        for m in models:
            m = copy.deepcopy(m)
            m.calendar = self.calendar
            # Two configurations of one model must stay apart: number repeats.
            n = seen.get(m.name, 0)
            seen[m.name] = n + 1
            if n:
                m.name = f"{m.name}#{n + 1}"
            out.append(m)
        return out

    def _origins(self, data):
        """``self.origins`` origins, or as many as the history allows (>= 2)."""
        seen = [qd.days[qd.has_data] for qd in data.values()]
        all_days = pd.DatetimeIndex(sorted({d for ds in seen for d in ds}))
        need = 2 * self.step_days + self.lead_days + self.MIN_TRAIN_DAYS - self.step_days
        if len(all_days) <= self.lead_days or (all_days[-1] - all_days[0]).days + 1 < need:
            span = (all_days[-1] - all_days[0]).days + 1 if len(all_days) else 0
            raise ValueError(
                f"'history' is too short to choose a forecast model: {span} days; at least "
                f"{need} are needed ({self.MIN_TRAIN_DAYS} days to learn from, then 2 backtests "
                f"{self.step_days} days apart, each {self.lead_days} days ahead)")
        for count in range(self.origins, 1, -1):
            try:
                days = origins(data, count, self.step_days, self.lead_days)
            except ValueError:
                continue
            if (days[0] - all_days[0]).days >= self.MIN_TRAIN_DAYS:
                self.origins_ = days
                return days
        raise ValueError(
            f"'history' is too short to choose a forecast model: it has "
            f"{len(all_days)} days with data; at least {need} calendar days are needed")

    def fit_data(self, data):
        candidates = self._candidates()
        days = self._origins(data)
        runs, rows = {}, []
        for m in candidates:
            res = rolling_origin(m, data, days, lead_days=self.lead_days, level=())
            runs[m.name] = res
            s = score(res)
            s["model"] = m.name
            rows.append(s)
        table = pd.concat(rows, ignore_index=True)
        key = (lambda s: s.abs()) if self.metric == "bias" else (lambda s: s)
        self.choice_, self.residuals_ = {}, {}
        self.scale_c_, self.scale_a_ = {}, {}
        ens_rows = []
        for q in data:
            t = table[table["queue"] == q].copy()
            t = t.assign(_k=key(t[self.metric])).sort_values("_k")
            best2 = t["model"].iloc[:2].tolist()
            ens = self._ensemble_run(runs, best2, q)
            es = score(ens)
            es["model"] = "ensemble(" + "+".join(best2) + ")"
            ens_rows.append(es)
            # The mean of two is kept only when clearly better: a backtest of a
            # few weeks does not tell small differences from luck.
            if key(es[self.metric]).iloc[0] < (1.0 - self.ensemble_margin) * t["_k"].iloc[0]:
                self.choice_[q] = ("ensemble", best2)
                run = ens
            else:
                self.choice_[q] = ("single", [t["model"].iloc[0]])
                run = runs[t["model"].iloc[0]][runs[t["model"].iloc[0]]["queue"] == q]
            self.scale_c_[q] = data[q].day_cv()
            self.scale_a_[q] = data[q].dispersion()
            self.residuals_[q] = run.assign(
                r=(run["actual"] - run["forecast"]) / self._scale(
                    run["forecast"].to_numpy(), self.scale_c_[q], self.scale_a_[q]))
        self.backtest_ = pd.concat([table] + ens_rows, ignore_index=True)[
            ["queue", "model"] + [c for c in table.columns if c not in ("queue", "model")]]
        # Fit the models any queue chose on the whole history.
        needed = {n for _, names in self.choice_.values() for n in names}
        self.fitted_ = {m.name: m.fit_data(data) for m in candidates if m.name in needed}
        super().fit_data(data)
        self.coverage_ = self._loo_coverage((80, 95))
        return self

    @staticmethod
    def _ensemble_run(runs, names, queue):
        parts = [runs[n][runs[n]["queue"] == queue].reset_index(drop=True) for n in names]
        out = parts[0].copy()
        out["forecast"] = np.mean([p["forecast"].to_numpy() for p in parts], axis=0)
        return out

    @staticmethod
    def _scale(forecast, c, alpha=0.0):
        f = np.maximum(forecast, 0.0)
        return np.sqrt(f + (alpha + c ** 2) * f ** 2 + 1.0)

    def chosen(self, queue):
        """Name of the model used for ``queue``."""
        kind, names = self.choice_[queue]
        return names[0] if kind == "single" else "ensemble(" + "+".join(names) + ")"

    def _fit_queue(self, data):
        return None

    def _predict_queue(self, data, state, days, weekday, is_open):
        _, names = self.choice_[data.name]
        points = [self.fitted_[n].raw_point(data.name, len(days))[1] for n in names]
        return nan_mean(points)

    def _bounds(self, queue, point, levels):
        r = self.residuals_[queue]["r"].to_numpy()
        scale = self._scale(point, self.scale_c_[queue], self.scale_a_[queue])
        out = []
        for lv in levels:
            lo_q, hi_q = conformal_quantiles(r, lv)
            out.append((np.maximum(point + lo_q * scale, 0.0), point + hi_q * scale))
        return out

    def _loo_coverage(self, levels):
        rows = []
        for q, res in self.residuals_.items():
            for lv in check_levels(levels):
                inside = []
                for o in res["origin"].unique():
                    train = res.loc[res["origin"] != o, "r"].to_numpy()
                    test = res.loc[res["origin"] == o, "r"].to_numpy()
                    lo_q, hi_q = conformal_quantiles(train, lv)
                    inside.append((test >= lo_q) & (test <= hi_q))
                rows.append({"queue": q, "level": lv,
                             "coverage": float(np.concatenate(inside).mean())})
        return pd.DataFrame(rows)


def conformal_quantiles(residuals, level):
    """Lower and upper split-conformal quantiles of ``residuals`` for a ``level`` % interval.

    The finite-sample rank ``ceil((n + 1) (1 - a / 2))`` of each tail
    guarantees at least the nominal coverage for exchangeable errors.
    """
    r = np.sort(np.asarray(residuals, dtype=float))
    r = r[np.isfinite(r)]
    n = r.size
    if n == 0:
        raise ValueError("no backtest errors to calibrate the intervals on")
    a = 1.0 - level / 100.0
    k = min(n, math.ceil((n + 1) * (1.0 - a / 2.0)))
    hi = r[k - 1]
    lo = r[max(0, n - k)]
    return lo, hi
