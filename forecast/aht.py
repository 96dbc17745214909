"""Average handle time per queue, weekday and interval, with its own level."""

import numpy as np
import pandas as pd

from ccwfm._validation import number

from ccwfm._validation import count
from ._base import _label, check_levels, queue_data, recent_days
from .calendar import Calendar
from .history import History


class AhtForecaster:
    """AHT = the queue's recent level x a weekday-by-interval shape.

    The shape is the volume-weighted AHT of each weekday and interval over
    the last ``weeks`` weeks relative to their overall mean, shrunk towards
    the interval's all-weekday shape where few contacts back it (``shrink``
    contacts weigh as much as the pooled shape).  The level is the
    volume-weighted AHT of the last ``level_days`` ordinary days, so a
    process change shows up within days, not weeks.  Intervals are the
    empirical quantiles of the log ratio of actual to fitted AHT over the
    fitting weeks (in-sample; AHT errors are small and stable).

    Parameters
    ----------
    weeks : int
        Weeks that shape the weekday x interval pattern.
    level_days : int
        Ordinary days that set the level.
    shrink : float
        Contacts whose weight equals the pooled shape's.
    calendar : Calendar, optional
        Special days (left out).

    Examples
    --------
    >>> from ccwfm.forecast.demo import demo_history
    >>> f = AhtForecaster().fit(demo_history(weeks=8, interval=60)).predict(7)
    >>> list(f.columns[:3])
    ['queue', 'start', 'aht']
    """

    def __init__(self, weeks=8, level_days=10, shrink=200.0, calendar=None):
        self.weeks = count("weeks", weeks, 1)
        self.level_days = count("level_days", level_days, 1)
        self.shrink = number("shrink", shrink, lo=0, finite=False)
        self.calendar = calendar if calendar is not None else Calendar.empty()

    def fit(self, history):
        """Learn every queue of ``history`` that has AHT values."""
        if not isinstance(history, History):
            raise ValueError(f"'history' must be a forecast.History: {type(history).__name__}")
        self.state_ = {}
        self.data_ = {}
        for q in history.queues:
            vol = queue_data(history, q, self.calendar, "volume")
            aht = queue_data(history, q, self.calendar, "aht").y
            if not np.isfinite(aht).any():
                continue
            self.data_[q] = vol
            self.state_[q] = self._fit_queue(vol, aht)
        if not self.state_:
            raise ValueError("'history' has no AHT values to learn from")
        return self

    def _fit_queue(self, vol, aht):
        v = np.where(np.isfinite(aht), np.nan_to_num(vol.y), 0.0)
        work = np.where(np.isfinite(aht), aht, 0.0) * v
        ordinary = np.flatnonzero(vol.usable)
        recent = ordinary[-7 * self.weeks:]
        total_v, total_w = v[recent].sum(), work[recent].sum()
        mean = total_w / total_v if total_v > 0 else np.nan
        pooled_v, pooled_w = v[recent].sum(axis=0), work[recent].sum(axis=0)
        pooled = np.where(pooled_v > 0, pooled_w / np.maximum(pooled_v, 1e-12) / mean, 1.0)
        shape = np.ones((7, vol.slots))
        for w in range(7):
            idx = recent_days(vol, w, self.weeks)
            if not idx.size:
                continue
            sv, sw = v[idx].sum(axis=0), work[idx].sum(axis=0)
            raw = np.where(sv > 0, sw / np.maximum(sv, 1e-12) / mean, pooled)
            weight = sv + self.shrink
            shape[w] = np.where(weight > 0, (sv * raw + self.shrink * pooled)
                                / np.where(weight > 0, weight, 1.0), pooled)
        last = ordinary[-self.level_days:]
        lw = work[last].sum()
        level_shape = (v[last] * shape[vol.weekday[last]]).sum()
        level = lw / level_shape if level_shape > 0 else mean
        fitted = level * shape[vol.weekday[recent]]
        ok = (v[recent] > 0) & np.isfinite(aht[recent])
        log_ratio = np.log(aht[recent][ok] / fitted[ok])
        weights = v[recent][ok]
        return {"shape": shape, "level": level, "log_ratio": log_ratio, "weights": weights}

    def predict(self, horizon, level=(80, 95)):
        """AHT forecast for the next ``horizon`` days, on the open intervals.

        Returns
        -------
        pandas.DataFrame
            ``queue``, ``start``, ``aht`` (seconds) and ``lo_<level>``,
            ``hi_<level>`` per level.
        """
        horizon = count("horizon", horizon, 1, "a whole number of days")
        levels = check_levels(level)
        frames = []
        for q, st in self.state_.items():
            data = self.data_[q]
            days, weekday, is_open = data.future(horizon, self.calendar)
            point = st["level"] * st["shape"][weekday]
            point = np.where(is_open[:, None] & data.open_slot[weekday], point, np.nan)
            d_idx, s_idx = np.nonzero(~np.isnan(point))
            start = days[d_idx] + pd.to_timedelta(s_idx * data.interval, unit="min")
            out = pd.DataFrame({"queue": q, "start": start, "aht": point[d_idx, s_idx]})
            for lv in levels:
                lo, hi = _weighted_quantiles(st["log_ratio"], st["weights"],
                                             (0.5 - lv / 200.0, 0.5 + lv / 200.0))
                out[f"lo_{_label(lv)}"] = out["aht"] * np.exp(lo)
                out[f"hi_{_label(lv)}"] = out["aht"] * np.exp(hi)
            frames.append(out)
        return pd.concat(frames, ignore_index=True)


def _weighted_quantiles(values, weights, probs):
    """Quantiles of ``values`` weighted by ``weights`` (0 for an empty sample)."""
    if values.size == 0:
        return tuple(0.0 for _ in probs)
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return tuple(float(np.interp(p, cum, v)) for p in probs)
