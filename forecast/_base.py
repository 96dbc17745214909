"""What every forecasting model shares: the day x slot view of a queue, and the output frame.

Private module.  A queue's history becomes a matrix of days (calendar days)
by slots (intervals of the day).  Which slots and weekdays are open is read
from the recent history: a slot is open on a weekday when it has a row on at
least half of that weekday's recent days with data.  Special days of the
calendar are left out of learning.  A missing row in an open slot of a day
with data counts as zero contacts (exports often omit empty intervals).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ccwfm._validation import error

from ccwfm._validation import count
from .calendar import Calendar
from .history import History

RECENT_WEEKS = 8


@dataclass
class QueueData:
    """One queue as a day x slot matrix, with what is open and what is special."""

    name: str
    interval: int
    days: pd.DatetimeIndex
    y: np.ndarray            # days x slots, NaN where no row
    weekday: np.ndarray      # day of week of each day (0 = Monday)
    open_slot: np.ndarray    # 7 x slots: slot open on that weekday
    has_data: np.ndarray     # day has at least one row
    special: np.ndarray      # day is in the calendar (left out of learning)
    closed: np.ndarray       # day is closed by the calendar

    @property
    def slots(self):
        return self.y.shape[1]

    @property
    def usable(self):
        """Days to learn from: with data, on an open weekday, not special."""
        return self.has_data & self.open_slot[self.weekday].any(axis=1) & ~self.special

    def values(self):
        """``y`` with NaN in open slots of days with data read as 0."""
        v = self.y.copy()
        fill = self.has_data[:, None] & self.open_slot[self.weekday] & np.isnan(v)
        v[fill] = 0.0
        return v

    def totals(self):
        """Daily totals over open slots (NaN for days without data)."""
        v = self.values()
        mask = self.open_slot[self.weekday]
        tot = np.where(mask, np.nan_to_num(v), 0.0).sum(axis=1)
        return np.where(self.has_data, tot, np.nan)

    def before(self, day):
        """The queue as known before ``day``: rows sliced, open slots read again."""
        n = int(np.searchsorted(self.days, np.datetime64(pd.Timestamp(day)), side="left"))
        if n == 0:
            raise ValueError(f"queue {self.name!r} has no history before {pd.Timestamp(day).date()}")
        # Trailing days without data are not history yet.
        while n > 0 and not self.has_data[n - 1]:
            n -= 1
        sub = QueueData(self.name, self.interval, self.days[:n], self.y[:n], self.weekday[:n],
                        self.open_slot, self.has_data[:n], self.special[:n], self.closed[:n])
        sub.open_slot = open_slots(sub.y, sub.weekday, sub.has_data, sub.special)
        return sub

    def future(self, horizon, calendar):
        """The next ``horizon`` calendar days after the history and which are open."""
        days = pd.date_range(self.days[-1] + pd.Timedelta(days=1), periods=int(horizon),
                             freq="D")
        weekday = days.day_of_week.to_numpy()
        shut = calendar.closed_days(self.name)
        closed = np.array([d in shut for d in days]) if shut else np.zeros(len(days), bool)
        is_open = self.open_slot[weekday].any(axis=1) & ~closed
        return days, weekday, is_open

    def dispersion(self):
        """Negative-binomial dispersion of interval counts within their day (recent weeks).

        ``alpha`` of ``var = mu + alpha mu^2``, where ``mu`` is the Poisson fit
        ``day level x weekday-and-slot effect`` (:func:`poisson_two_way` with
        one level per day): the day's own level is taken out, so ``alpha`` is
        the extra variation of single intervals, on top of the day-level
        variation :meth:`day_cv` measures.  Method of moments with the
        residual sum of squares corrected for the parameters fitted; 0 for
        Poisson-like data (and for a history too short to tell).
        """
        if "_alpha" not in self.__dict__:
            self._alpha = interval_dispersion(self)
        return self._alpha

    def day_cv(self):
        """Coefficient of variation of daily totals around their weekday means (recent)."""
        tot = self.totals()
        use = self.usable & (tot > 0)
        idx = np.flatnonzero(use)[-7 * RECENT_WEEKS:]
        if idx.size < 6:
            return 0.1
        t, w = tot[idx], self.weekday[idx]
        means = np.array([t[w == k].mean() if (w == k).any() else np.nan for k in range(7)])
        ratio = t / means[w]
        return float(np.clip(np.nanstd(np.log(ratio)), 0.02, 1.0))


def poisson_two_way(y, cell, n_cells, week, n_weeks, iterations=200, tol=1e-10):
    """Maximum-likelihood fit of the Poisson log-linear model ``mu = effect[cell] * level[week]``.

    For two crossed factors the likelihood equations say that fitted and
    observed totals agree for every cell and every week; alternating those
    two closed-form updates (iterative proportional fitting) converges to the
    same estimates as IRLS, without a design matrix.  ``level`` is normalised
    to 1 in the first week with data, and NaN for weeks without data.
    """
    y_cell = np.bincount(cell, weights=y, minlength=n_cells)
    y_week = np.bincount(week, weights=y, minlength=n_weeks)
    effect = np.maximum(y_cell, 1e-12) / np.maximum(np.bincount(cell, minlength=n_cells), 1)
    level = np.ones(n_weeks)
    for _ in range(iterations):
        denom = np.bincount(week, weights=effect[cell], minlength=n_weeks)
        new_level = np.where(denom > 0, y_week / np.where(denom > 0, denom, 1.0), 1.0)
        denom = np.bincount(cell, weights=new_level[week], minlength=n_cells)
        new_effect = np.where(denom > 0, y_cell / np.where(denom > 0, denom, 1.0), 0.0)
        done = (np.abs(new_level - level).max() < tol * max(level.max(), 1.0))
        level, effect = new_level, new_effect
        if done:
            break
    rows = np.bincount(week, minlength=n_weeks)
    level = np.where(rows > 0, level, np.nan)
    first = np.flatnonzero(rows)[0]
    scale = level[first] if level[first] > 0 else 1.0
    return effect * scale, level / scale


def interval_dispersion(data):
    """:meth:`QueueData.dispersion` of ``data``, computed."""
    values = data.values()
    idx = np.flatnonzero(data.usable)[-7 * RECENT_WEEKS:]
    if idx.size < 2:
        return 0.0
    rows_d, rows_s = np.nonzero(data.open_slot[data.weekday[idx]])
    y = values[idx[rows_d], rows_s]
    ok = np.isfinite(y)
    rows_d, rows_s, y = rows_d[ok], rows_s[ok], y[ok]
    cell = data.weekday[idx[rows_d]] * data.slots + rows_s
    cells, cell_id = np.unique(cell, return_inverse=True)
    _, day_id = np.unique(rows_d, return_inverse=True)
    if y.sum() <= 0:
        return 0.0
    effect, level = poisson_two_way(y, cell_id, cells.size, day_id, day_id.max() + 1)
    mu = effect[cell_id] * level[day_id]
    # Days meet only the cells of their own weekday: one block per weekday, each
    # with its cells + days - 1 free parameters.
    n = y.size
    p = cells.size + day_id.max() + 1 - np.unique(data.weekday[idx[rows_d]]).size
    if n <= p or not (mu ** 2).sum() > 0:
        return 0.0
    rss = ((y - mu) ** 2).sum() * n / (n - p)
    return float(max((rss - mu.sum()) / (mu ** 2).sum(), 0.0))


def queue_data(history, queue, calendar, column="volume"):
    """The :class:`QueueData` of ``queue``."""
    days, y = history.grid(queue, column)
    weekday = days.day_of_week.to_numpy()
    has_data = ~np.isnan(y).all(axis=1)
    special_days = calendar.special_days(queue)
    special = np.array([d in special_days for d in days])
    entries = calendar.entries(queue)
    closed = np.array([d in entries and entries[d][0] == "closed" for d in days], dtype=bool)
    return QueueData(queue, history.interval, days, y, weekday,
                     open_slots(y, weekday, has_data, special), has_data, special, closed)


def open_slots(y, weekday, has_data, special):
    """7 x slots: which slots are open on each weekday, from the recent weeks.

    A slot is open on a weekday when it has a row on at least half of that
    weekday's recent days with data; a weekday with data on fewer than half of
    its recent (non-special) occurrences is closed.
    """
    open_slot = np.zeros((7, y.shape[1]), bool)
    for k in range(7):
        idx = np.flatnonzero((weekday == k) & has_data & ~special)[-RECENT_WEEKS:]
        if idx.size:
            open_slot[k] = (~np.isnan(y[idx])).mean(axis=0) >= 0.5
        idx = np.flatnonzero((weekday == k) & ~special)[-RECENT_WEEKS:]
        if idx.size and has_data[idx].mean() < 0.5:
            open_slot[k] = False
    return open_slot


def normal_bounds(point, sd, level):
    """Lower and upper bounds of a central ``level`` % normal interval, floored at 0."""
    z = stats.norm.ppf(0.5 + level / 200.0)
    return np.maximum(point - z * sd, 0.0), point + z * sd


def check_levels(level):
    """Validated tuple of interval levels in percent."""
    if level is None:
        return ()
    if isinstance(level, (int, float)):
        level = (level,)
    out = []
    for lv in level:
        if isinstance(lv, bool) or not isinstance(lv, (int, float)) or not 0 < lv < 100:
            raise error("level", "must be percentages > 0 and < 100", lv)
        out.append(float(lv))
    return tuple(out)


def _label(level):
    return f"{int(level)}" if float(level).is_integer() else f"{level:g}"


class Forecaster:
    """Base class: ``fit(history) -> self``, ``predict(horizon, level) -> long frame``.

    Subclasses implement ``_fit_queue(data) -> state`` and
    ``_predict_queue(data, state, days, weekday, is_open) -> point`` (a
    ``len(days) x slots`` array, NaN where closed).  Intervals default to a
    normal approximation with the variance ``f + (alpha + c^2) f^2`` of a
    forecast ``f``: Poisson, plus the queue's extra variation of single
    intervals (``alpha``, :meth:`QueueData.dispersion`) and of whole days
    (``c``, :meth:`QueueData.day_cv`), times ``_variance_factor()`` where a
    model knows the error of its own estimate (an average of ``n`` past
    days: ``1 + 1/n``); :class:`forecast.auto.AutoForecaster` calibrates them
    on backtests instead.
    """

    name = "base"

    def __init__(self, calendar=None):
        self.calendar = calendar if calendar is not None else Calendar.empty()

    def fit(self, history, column="volume"):
        """Learn every queue of ``history`` (a :class:`forecast.History`)."""
        if not isinstance(history, History):
            raise ValueError(f"'history' must be a forecast.History: {type(history).__name__}")
        return self.fit_data({q: queue_data(history, q, self.calendar, column)
                              for q in history.queues})

    def fit_data(self, data):
        """Learn from prepared :class:`QueueData` per queue (what backtests use)."""
        self.data_ = dict(data)
        self.state_ = {q: self._fit_queue(d) for q, d in self.data_.items()}
        self.uplift_ = {q: learn_uplift(d, self.calendar) for q, d in self.data_.items()}
        return self

    def raw_point(self, queue, horizon):
        """``(days, point)`` before the calendar's multipliers and event uplifts."""
        data = self.data_[queue]
        days, weekday, is_open = data.future(horizon, self.calendar)
        point = self._predict_queue(data, self.state_[queue], days, weekday, is_open)
        return days, np.where(is_open[:, None] & data.open_slot[weekday],
                              np.maximum(point, 0.0), np.nan)

    def point(self, queue, horizon):
        """``(days, point)`` of one queue: the day x slot point forecast (NaN if closed)."""
        days, point = self.raw_point(queue, horizon)
        return days, self._apply_calendar(queue, days, point)

    def _apply_calendar(self, queue, days, point):
        cal = self.calendar.entries(queue)
        if not cal:
            return point
        uplift = self.uplift_.get(queue, {})
        out = point.copy()
        for i, d in enumerate(days):
            if d not in cal:
                continue
            kind, value, tag = cal[d]
            if kind == "multiplier":
                out[i] *= value
            elif kind == "event":
                factor = uplift.get(tag, value if value == value else 1.0)
                out[i] *= factor
        return out

    def predict(self, horizon, level=(80, 95)):
        """Forecast the next ``horizon`` days.

        Parameters
        ----------
        horizon : int
            Calendar days after the last day of the history (>= 1).
        level : sequence of float
            Prediction-interval levels in percent.

        Returns
        -------
        pandas.DataFrame
            One row per queue and open interval: ``queue``, ``start``,
            ``forecast`` and ``lo_<level>``, ``hi_<level>`` per level.
        """
        horizon = count("horizon", horizon, 1, "a whole number of days")
        levels = check_levels(level)
        frames = []
        for q in self.data_:
            days, point = self.point(q, horizon)
            lo_hi = self._bounds(q, point, levels)
            frames.append(self._frame(q, days, point, lo_hi, levels))
        return pd.concat(frames, ignore_index=True)

    def _bounds(self, queue, point, levels):
        data = self.data_[queue]
        cv, alpha = data.day_cv(), data.dispersion()
        sd = np.sqrt((point + (alpha + cv ** 2) * point ** 2) * self._variance_factor())
        return [normal_bounds(point, sd, lv) for lv in levels]

    def _frame(self, queue, days, point, lo_hi, levels):
        minutes = self.data_[queue].interval
        d_idx, s_idx = np.nonzero(~np.isnan(point))
        start = days[d_idx] + pd.to_timedelta(s_idx * minutes, unit="min")
        out = pd.DataFrame({"queue": queue, "start": start, "forecast": point[d_idx, s_idx]})
        for lv, (lo, hi) in zip(levels, lo_hi):
            out[f"lo_{_label(lv)}"] = lo[d_idx, s_idx]
            out[f"hi_{_label(lv)}"] = hi[d_idx, s_idx]
        return out

    def _variance_factor(self):
        """Forecast error variance over the variance of one new count (1: a known mean)."""
        return 1.0

    def _fit_queue(self, data):  # pragma: no cover - abstract
        raise NotImplementedError

    def _predict_queue(self, data, state, days, weekday, is_open):  # pragma: no cover
        raise NotImplementedError


def learn_uplift(data, calendar, weeks=3):
    """Per event tag, the mean ratio of actual to expected daily total on past event days.

    Expected is the median total of the same weekday on ordinary days within
    ``weeks`` weeks either side.  Tags with no past event with data are left
    out (the calendar's ``value`` then applies).
    """
    cal = calendar.for_queue(data.name)
    events = cal[cal["kind"] == "event"]
    if events.empty:
        return {}
    totals = data.totals()
    ordinary = data.usable & (totals > 0)
    ratios = {}
    pos = {d: i for i, d in enumerate(data.days)}
    for day, tag in zip(events["date"], events["tag"]):
        i = pos.get(day)
        if i is None or not data.has_data[i] or not totals[i] > 0:
            continue
        near = np.flatnonzero(ordinary & (data.weekday == data.weekday[i])
                              & (np.abs(np.arange(len(totals)) - i) <= 7 * weeks))
        if near.size:
            ratios.setdefault(tag, []).append(totals[i] / np.median(totals[near]))
    return {tag: float(np.mean(r)) for tag, r in ratios.items()}


def nan_mean(arrays):
    """Element-wise mean ignoring NaN; NaN where every array is NaN (closed intervals)."""
    stack = np.stack(arrays)
    seen = ~np.isnan(stack)
    count = seen.sum(axis=0)
    total = np.where(seen, stack, 0.0).sum(axis=0)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def recent_days(data, weekday, n):
    """Indices of the last ``n`` usable days falling on ``weekday``."""
    return np.flatnonzero(data.usable & (data.weekday == weekday))[-n:]

