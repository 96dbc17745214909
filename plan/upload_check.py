"""Everything a plan will need from an uploaded history, checked at upload and said at once.

:func:`check_history` runs, when a file is loaded, the checks that would
otherwise fail pages later (``history is too short`` on every page after a
"successful" upload), and lists every problem together as :class:`Problem`
rows (queue, field, rule, value).  Errors block the upload; warnings are
shown and do not.

The forecast's real minimum (:class:`forecast.AutoForecaster`): per queue,
two backtests 7 days apart, each forecasting the next 5 days with data,
the first with 14 calendar days to learn from, and the daily models need 10
days with contacts before the first backtest.  For a center open every day
that is 26 calendar days of history; closed days add to it.
"""

import dataclasses

import numpy as np
import pandas as pd

from ccwfm import forecast as fc_lib
from ccwfm._validation import error, whole

__all__ = ["Problem", "check_history", "problems_frame", "raise_problems"]

# What forecast.auto.AutoForecaster and forecast.daily.DailyProfile need (their defaults).
_LEAD_DAYS = 5
_STEP_DAYS = 7
_MIN_TRAIN_DAYS = 14
_ORIGINS = 10
_MIN_DAILY_DAYS = 10
_WEEKLY_WEEKS = 8             # weeks the weekly profile is learned from (forecast._base)
_PLAN_INTERVALS = (15, 30, 60)


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing wrong with an uploaded history.

    Attributes
    ----------
    queue : str
        The queue (``"(all)"`` for the whole file).
    field : str
        The column or property: ``history``, ``volume``, ``aht``,
        ``abandoned``, ``start``, ``interval``.
    rule : str
        What it must be, in words.
    value : str
        What it is.
    severity : {"error", "warning"}
        An error stops the upload; a warning does not.
    """

    queue: str
    field: str
    rule: str
    value: str
    severity: str = "error"

    @property
    def message(self):
        """``queue 'voice': 'history' must be ...: 2 days`` (attrs style)."""
        where = "" if self.queue == "(all)" else f"queue {self.queue!r}: "
        return f"{where}'{self.field}' {self.rule}: {self.value}"


def _frame(history):
    if isinstance(history, fc_lib.History):
        return history.frame, history.interval
    if isinstance(history, pd.DataFrame):
        missing = [c for c in ("queue", "start", "volume") if c not in history.columns]
        if missing:
            raise error("history", f"needs column {missing[0]!r}", list(history.columns))
        frame = history.assign(start=pd.to_datetime(history["start"]))
        return frame, None
    raise error("history", "must be a forecast.History or a long frame (queue, start, volume)",
                type(history).__name__)


def _needed(days):
    """Calendar days of history needed by a queue whose days with data are ``days``.

    The first backtest origin must be 14 days after the first day, and 7
    days before the last origin, which leaves 5 days with data after it.
    """
    need = _STEP_DAYS + _MIN_TRAIN_DAYS + 1      # from the first day to the 5th-last day
    if len(days) <= _LEAD_DAYS:
        return need + _LEAD_DAYS - 1
    return need + (days[-1] - days[-_LEAD_DAYS]).days


def _first_origin(days):
    """The first backtest origin AutoForecaster would use, or None when there is none."""
    if len(days) <= _LEAD_DAYS:
        return None
    last = days[-_LEAD_DAYS]
    for count in range(_ORIGINS, 1, -1):
        first = last - pd.Timedelta(days=_STEP_DAYS * (count - 1))
        if first > days[0] and (first - days[0]).days >= _MIN_TRAIN_DAYS:
            return first
    return None


def _length(q, g, out):
    """The forecast's minimum history for one queue's rows ``g``."""
    vol = g.groupby(g["start"].dt.normalize())["volume"].sum()
    days = pd.DatetimeIndex(vol.index)
    span = (days[-1] - days[0]).days + 1 if len(days) else 0
    first = _first_origin(days)
    need = _needed(days)
    if first is None:
        out.append(Problem(q, "history", f"must cover at least {need} calendar days to forecast "
                           f"({_MIN_TRAIN_DAYS} days to learn from, then 2 backtests "
                           f"{_STEP_DAYS} days apart, each {_LEAD_DAYS} days with data ahead)",
                           f"{_days(span)} ({len(g)} intervals on {_days(len(days))} with data, "
                           f"{days[0].date()} to "
                           f"{days[-1].date()})" if len(days) else "no days"))
        return False
    learn = int((vol[days < first] > 0).sum())
    if learn < _MIN_DAILY_DAYS:
        out.append(Problem(q, "history", f"must have at least {_MIN_DAILY_DAYS} days with "
                           f"contacts before its first backtest ({first.date()}) to forecast: "
                           "add older weeks", _days(learn)))
        return False
    weeks = span / 7
    if weeks < _WEEKLY_WEEKS:
        out.append(Problem(q, "history", f"should cover {_WEEKLY_WEEKS} weeks or more for a "
                           "steady weekly pattern (the forecast works, with wider bounds)",
                           f"{weeks:.1f} weeks", "warning"))
    weekdays = days.day_of_week
    open_days = set(weekdays[-7 * _WEEKLY_WEEKS:]) if len(days) else set()
    every = pd.date_range(days[0], days[-1], freq="D")
    missing = every[every.day_of_week.isin(list(open_days)) & ~every.isin(days)]
    if len(missing):
        out.append(Problem(q, "start", "should have every open day (a day without rows is "
                           "left out of learning)",
                           f"{len(missing)} days missing (first {missing[0].date()})",
                           "warning"))
    return True


def _days(n):
    return f"{n} day" if n == 1 else f"{n} days"


def check_history(history, *, weeks, interval=None):
    """Every problem an uploaded history would cause a plan, found at once.

    Parameters
    ----------
    history : forecast.History or pandas.DataFrame
        As :func:`plan.load_history` gives it, or a long frame ``queue``,
        ``start``, ``volume`` (contacts per interval), ``aht`` (seconds),
        ``abandoned`` (contacts).
    weeks : int
        Weeks to plan after the history (>= 1).
    interval : int, optional
        Minutes of the plan's intervals (15, 30 or 60); the history's
        intervals must be this long or divide it.  Default: the history's
        own (finer than 15 minutes is added up to 15).

    Returns
    -------
    list of Problem
        Errors first, in queue order; empty when the history is fine.

    Examples
    --------
    >>> import pandas as pd
    >>> short = pd.DataFrame({"queue": "voice", "start": pd.date_range(
    ...     "2025-03-03 08:00", periods=2, freq="15min"), "volume": [3.0, 4.0],
    ...     "aht": [200.0, 210.0]})
    >>> [p.message for p in check_history(short, weeks=2)]   # doctest: +NORMALIZE_WHITESPACE
    ["queue 'voice': 'history' must cover at least 26 calendar days to forecast (14 days to
    learn from, then 2 backtests 7 days apart, each 5 days with data ahead): 1 day
    (2 intervals on 1 day with data, 2025-03-03 to 2025-03-03)"]
    """
    weeks = whole("weeks", weeks, lo=1)
    frame, own = _frame(history)
    out = []
    if frame.empty:
        return [Problem("(all)", "history", "must have at least one row", "0 rows")]
    if interval is not None and interval not in _PLAN_INTERVALS:
        raise error("interval", "must be 15, 30 or 60 minutes", interval)
    if own is None:
        try:
            own = fc_lib.history.detect_interval(frame["start"], frame["queue"])
        except ValueError as exc:
            out.append(Problem("(all)", "interval", "must be 5, 15, 30 or 60 minutes", str(exc)))
    plan_interval = interval or (own if own in _PLAN_INTERVALS else 15)
    if own is not None and (own > plan_interval or plan_interval % own):
        out.append(Problem("(all)", "interval", f"must be {plan_interval} minutes or divide it "
                           "(the plan's intervals)", f"{own} minutes"))
    has_aht = "aht" in frame.columns and frame["aht"].notna().any()
    for q, g in frame.groupby("queue", sort=False):
        q = str(q)
        vol = pd.to_numeric(g["volume"], errors="coerce").to_numpy(float)
        bad = ~np.isfinite(vol) | (vol < 0)
        if bad.any():
            out.append(Problem(q, "volume", "must be a number >= 0",
                               f"{vol[bad][0]!r} ({int(bad.sum())} rows, first at "
                               f"{g['start'].iloc[int(np.flatnonzero(bad)[0])]})"))
            continue
        if not (vol > 0).any():
            out.append(Problem(q, "volume", "must have contacts: a queue with none cannot be "
                               "forecast (leave it out of the file)", "0 contacts"))
            continue
        for col in ("aht", "abandoned"):
            if col not in g.columns:
                continue
            x = pd.to_numeric(g[col], errors="coerce").to_numpy(float)
            neg = np.isfinite(x) & (x < 0) | np.isinf(x)
            if neg.any():
                out.append(Problem(q, col, "must be >= 0 and finite",
                                   f"{x[neg][0]!r} ({int(neg.sum())} rows)"))
        if "aht" in g.columns:
            aht = pd.to_numeric(g["aht"], errors="coerce").to_numpy(float)
            busy = vol > 0
            unknown = busy & ~(aht > 0)
            if has_aht and unknown[busy].all():
                out.append(Problem(q, "aht", "must be known (> 0) where the queue has contacts: "
                                   "other queues of the file have handle times, this one none",
                                   f"{int(busy.sum())} intervals without"))
            elif unknown.any():
                zero = int((busy & (aht == 0)).sum())
                out.append(Problem(q, "aht", "should be > 0 where the queue has contacts (read "
                                   "as unknown, forecast from the other intervals)",
                                   f"{int(unknown.sum())} of {int(busy.sum())} intervals "
                                   f"({zero} zero, {int(unknown.sum()) - zero} missing)",
                                   "warning"))
        if "abandoned" in g.columns:
            ab = pd.to_numeric(g["abandoned"], errors="coerce").to_numpy(float)
            over = np.isfinite(ab) & (ab > vol)
            if over.any():
                out.append(Problem(q, "abandoned", "should be at most the contacts offered",
                                   f"{int(over.sum())} intervals", "warning"))
        if not _length(q, g, out):
            continue
        span_weeks = (g["start"].max() - g["start"].min()).days / 7
        if weeks > max(span_weeks, 1):
            out.append(Problem(q, "history", f"should be at least as long as the {weeks} weeks "
                               "planned (the forecast runs further than the data it learns "
                               "from)", f"{span_weeks:.1f} weeks", "warning"))
    return sorted(out, key=lambda p: p.severity != "error")


def problems_frame(problems):
    """The problems as a table: ``severity``, ``queue``, ``field``, ``rule``, ``value``."""
    return pd.DataFrame([{"severity": p.severity, "queue": p.queue, "field": p.field,
                          "rule": p.rule, "value": p.value} for p in problems],
                        columns=["severity", "queue", "field", "rule", "value"])


def raise_problems(problems):
    """Raise one ValueError listing every error of ``problems`` (warnings pass)."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValueError(f"the history cannot be planned ({len(errors)} problems): "
                         + "; ".join(p.message for p in errors))
