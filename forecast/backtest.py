"""Rolling-origin backtests: forecast from past origins, score against what happened."""

import copy

import numpy as np
import pandas as pd

from ccwfm._validation import count as _count
from ._base import _label, check_levels, queue_data
from .calendar import Calendar
from .history import History

METRICS = ("wmape", "mase", "mae", "bias")


def _as_data(history, calendar):
    if isinstance(history, History):
        return {q: queue_data(history, q, calendar) for q in history.queues}
    return history


def origins(history, count, step_days=7, lead_days=5):
    """``count`` origins (days), ``step_days`` apart, the last leaving ``lead_days`` days.

    The last origin is the day that leaves exactly ``lead_days`` days with
    data after it (days with data in any queue); earlier origins step back
    ``step_days`` calendar days.  ``history`` is a :class:`History` or the
    per-queue data a model was given.
    """
    count = _count("count", count, 1)
    step_days = _count("step_days", step_days, 1)
    lead_days = _count("lead_days", lead_days, 1)
    data = _as_data(history, Calendar.empty())
    days = pd.DatetimeIndex(sorted({d for qd in data.values()
                                    for d in qd.days[qd.has_data]}))
    if len(days) <= lead_days:
        raise ValueError(f"the history has {len(days)} days: too short for {lead_days} days "
                         "ahead")
    last = days[-lead_days]
    out = [last - pd.Timedelta(days=step_days * k) for k in range(count)][::-1]
    if out[0] <= days[0]:
        raise ValueError(f"'origins': {count} origins {step_days} days apart start before the "
                         f"history ({days[0].date()})")
    return out


def naive_scale(data):
    """Mean absolute change from the same interval a week earlier (the MASE denominator)."""
    v = data.values()
    if len(v) <= 7:
        return np.nan
    diff = np.abs(v[7:] - v[:-7])
    diff = diff[np.isfinite(diff)]
    return float(diff.mean()) if diff.size else np.nan


def rolling_origin(model, history, origin_days, *, lead_days=5, level=(80, 95),
                   calendar_days=None):
    """Forecasts made at each origin, next to the actuals.

    Parameters
    ----------
    model : Forecaster
        An unfitted model (copied for each origin).
    history : History or dict
        The whole history, or per-queue data prepared by a model.
    origin_days : sequence of dates
        First forecast day of each origin; the model sees the days before it.
    lead_days : int
        Days with data forecast from each origin (business days when the
        center is closed at weekends).
    level : sequence of float
        Interval levels.
    calendar_days : int, optional
        Calendar days forecast to cover ``lead_days`` days with data
        (default ``2 * lead_days + 5``).

    Returns
    -------
    pandas.DataFrame
        ``queue``, ``origin``, ``lead`` (1 = first day with data after the
        origin), ``start``, ``actual``, ``forecast``, the interval bounds, and
        ``scale`` (the MASE denominator known at the origin).
    """
    if calendar_days is None:
        calendar_days = 2 * lead_days + 5
    levels = check_levels(level)
    full = _as_data(history, model.calendar)
    cols = {k: [] for k in ("queue", "origin", "lead", "start", "actual", "forecast", "scale")}
    bounds = {f"{side}_{_label(lv)}": [] for lv in levels for side in ("lo", "hi")}
    for origin in origin_days:
        origin = pd.Timestamp(origin).normalize()
        past = {q: d.before(origin) for q, d in full.items()}
        m = copy.deepcopy(model)
        m.fit_data(past)
        for q, data in full.items():
            days, point = m.point(q, calendar_days)
            d_idx = np.searchsorted(data.days, days.to_numpy())
            keep_days = d_idx < len(data.days)
            days, point, d_idx = days[keep_days], point[keep_days], d_idx[keep_days]
            actual = data.y[d_idx]
            ok = ~np.isnan(actual) & ~np.isnan(point)
            has = ok.any(axis=1)
            lead = np.cumsum(has)
            ok &= (has & (lead <= lead_days))[:, None]
            di, si = np.nonzero(ok)
            cols["queue"].append(np.full(di.size, q, dtype=object))
            cols["origin"].append(np.full(di.size, origin))
            cols["lead"].append(lead[di])
            cols["start"].append(days[di] + pd.to_timedelta(si * data.interval, unit="min"))
            cols["actual"].append(actual[di, si])
            cols["forecast"].append(point[di, si])
            cols["scale"].append(np.full(di.size, naive_scale(past[q])))
            for lv, (lo, hi) in zip(levels, m._bounds(q, point, levels) if levels else ()):
                bounds[f"lo_{_label(lv)}"].append(lo[di, si])
                bounds[f"hi_{_label(lv)}"].append(hi[di, si])
    out = {k: np.concatenate(v) for k, v in cols.items()}
    out.update({k: np.concatenate(v) for k, v in bounds.items()})
    frame = pd.DataFrame(out)
    order = ["queue", "origin", "lead", "start", "actual", "forecast"] + list(bounds) + ["scale"]
    return frame[order]


def score(results, by=("queue",)):
    """Accuracy of backtest results.

    ``wmape`` = sum |actual - forecast| / sum actual; ``mase`` = mean of
    |actual - forecast| / scale (the in-sample MAE of the weekly seasonal
    naive at each origin); ``mae``; ``bias`` = sum (forecast - actual) / sum
    actual; ``coverage_<level>`` = share of actuals inside the interval;
    ``n`` = intervals scored.
    """
    res = results
    abs_err = (res["actual"] - res["forecast"]).abs()
    err = res["forecast"] - res["actual"]
    levels = sorted({c[3:] for c in res.columns if c.startswith("lo_")}, key=float)
    inside = {lv: (res["actual"] >= res[f"lo_{lv}"]) & (res["actual"] <= res[f"hi_{lv}"])
              for lv in levels}
    frame = pd.DataFrame({"abs_err": abs_err, "err": err, "actual": res["actual"],
                          "rel": abs_err / res["scale"],
                          **{f"in_{lv}": v for lv, v in inside.items()}})
    for col in by:
        frame[col] = res[col]
    rows = []
    for key, g in frame.groupby(list(by), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(by, key))
        row["wmape"] = g["abs_err"].sum() / g["actual"].sum()
        row["mase"] = g["rel"].mean()
        row["mae"] = g["abs_err"].mean()
        row["bias"] = g["err"].sum() / g["actual"].sum()
        for lv in levels:
            row[f"coverage_{lv}"] = g[f"in_{lv}"].mean()
        row["n"] = len(g)
        rows.append(row)
    return pd.DataFrame(rows)


__all__ = ["METRICS", "origins", "rolling_origin", "score", "naive_scale"]
