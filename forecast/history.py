"""Contact history per queue and interval: the canonical long frame the models read.

A :class:`History` holds one row per queue and interval start (local wall-clock
time, timezone-naive) with the offered volume and, when known, the average
handle time and the abandoned contacts.  Importers (:mod:`forecast.io` for
interval files, :mod:`forecast.acd` for call-level logs) build it and record
in :attr:`History.report` everything they fixed or refused, with row numbers,
so that nothing is dropped silently.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ccwfm._validation import error

from ccwfm._validation import choice

COLUMNS = ("queue", "start", "volume", "aht", "abandoned")
INTERVALS = (5, 15, 30, 60)


@dataclass(frozen=True)
class Issue:
    """One thing an importer noticed: what, where, and what it did about it.

    Attributes
    ----------
    kind : str
        Short code: ``"duplicate"``, ``"gap"``, ``"non_numeric"``,
        ``"negative"``, ``"dst"``, ``"misaligned"``, ...
    rows : tuple of int
        Row numbers in the source (1-based, header excluded), if any.
    message : str
        A sentence for a planner.
    """

    kind: str
    rows: tuple
    message: str


@dataclass(frozen=True)
class History:
    """Validated contact history.

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns :data:`COLUMNS`: ``queue`` (str), ``start`` (datetime64,
        local clock time, timezone-naive), ``volume`` (contacts offered,
        >= 0), ``aht`` (seconds, NaN when unknown or when nothing was
        handled), ``abandoned`` (contacts, NaN when unknown).  More columns
        are kept as they are; a history from a call log
        (:meth:`forecast.acd.AcdLog.to_history`) has
        :data:`forecast.acd.HISTORY_COLUMNS`: ``answered`` and
        ``answered_within`` (contacts), ``asa`` (seconds),
        ``service_level`` and ``service_level_answered`` (fractions of the
        offered and of the answered contacts answered within the target),
        ``agents_headcount``, ``agents_effective`` and ``agents_busy``
        (agents), ``availability`` (effective over head count) and
        ``wait_share`` (fraction of the interval with someone waiting).
        Sorted by queue and start, one row per queue and start.
    interval : int
        Interval length in minutes (5, 15, 30 or 60).
    report : tuple of Issue
        What the importer fixed or refused.

    Examples
    --------
    >>> df = pd.DataFrame({"queue": "voice", "start": pd.date_range("2024-01-01 08:00",
    ...                    periods=4, freq="30min"), "volume": [10, 12, 9, 14]})
    >>> h = History.from_frame(df)
    >>> h.interval, h.queues
    (30, ['voice'])
    """

    frame: pd.DataFrame
    interval: int
    report: tuple = field(default=())

    def __post_init__(self):
        choice("interval", self.interval, INTERVALS, unit=" minutes", quote=False)
        df = self.frame
        missing = [c for c in ("queue", "start", "volume") if c not in df.columns]
        if missing:
            raise ValueError(f"'frame' needs column {missing[0]!r}")
        if not pd.api.types.is_datetime64_any_dtype(df["start"]):
            raise ValueError("'frame.start' must hold datetimes")
        if getattr(df["start"].dt, "tz", None) is not None:
            raise ValueError("'frame.start' must be local clock time without a timezone")
        vol = df["volume"].to_numpy(float)
        bad = ~np.isfinite(vol) | (vol < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"'volume' must be finite and >= 0: {float(vol[i])!r} "
                             f"(at position {i})")
        if df.duplicated(["queue", "start"]).any():
            i = int(np.flatnonzero(df.duplicated(["queue", "start"]).to_numpy())[0])
            raise ValueError(f"'start' must be unique per queue: {df['start'].iloc[i]} repeated "
                             f"for queue {df['queue'].iloc[i]!r}")
        minutes = df["start"].dt.hour * 60 + df["start"].dt.minute
        off = (minutes % self.interval != 0) | (df["start"].dt.second != 0)
        if off.any():
            i = int(np.flatnonzero(off.to_numpy())[0])
            raise ValueError(f"'start' must fall on {self.interval}-minute boundaries: "
                             f"{df['start'].iloc[i]} (at position {i})")

    @classmethod
    def from_frame(cls, df, *, interval=None, report=()):
        """Build from a frame already in the canonical columns (see :mod:`forecast.io`
        for files, column mappings and messy data)."""
        df = df.copy()
        for col in ("aht", "abandoned"):
            if col not in df.columns:
                df[col] = np.nan
        df["queue"] = df["queue"].astype(str)
        df["start"] = pd.to_datetime(df["start"])
        for col in ("volume", "aht", "abandoned"):
            df[col] = df[col].astype(float)
        df = df.sort_values(["queue", "start"], kind="stable", ignore_index=True)
        if interval is None:
            interval = detect_interval(df["start"], df["queue"])
        return cls(df, int(interval), tuple(report))

    @property
    def queues(self):
        """Queue names, sorted."""
        return sorted(self.frame["queue"].unique().tolist())

    def series(self, queue, column="volume"):
        """One queue's column as a series indexed by interval start."""
        sel = self.frame[self.frame["queue"] == queue]
        if sel.empty:
            raise ValueError(f"'queue' is not in the history: {queue!r} "
                             f"(queues: {', '.join(self.queues)})")
        return pd.Series(sel[column].to_numpy(), index=pd.DatetimeIndex(sel["start"]),
                         name=column)

    def grid(self, queue, column="volume"):
        """One queue as a day x slot matrix.

        Returns ``(days, values)``: ``days`` the calendar dates from the first
        to the last day with data (a DatetimeIndex at midnight), ``values[d, s]``
        the column in slot ``s`` (of ``1440 / interval`` per day) of day ``d``;
        NaN where the history has no row (closed hours, closed or missing days).
        """
        s = self.series(queue, column)
        day = s.index.normalize()
        days = pd.date_range(day.min(), day.max(), freq="D")
        slots = 1440 // self.interval
        values = np.full((len(days), slots), np.nan)
        d = ((day - days[0]) // pd.Timedelta(days=1)).to_numpy()
        k = ((s.index.hour * 60 + s.index.minute) // self.interval).to_numpy()
        values[d, k] = s.to_numpy()
        return days, values

    def aggregate(self, minutes):
        """The history at a coarser interval (a multiple of the current one).

        Volumes and abandonments add up; AHT is volume-weighted.  Other numeric
        columns are dropped (they do not add up).
        """
        if minutes not in INTERVALS or minutes % self.interval:
            raise error("minutes", f"must be one of {', '.join(map(str, INTERVALS))} and a "
                          f"multiple of {self.interval}", minutes)
        df = self.frame.copy()
        df["start"] = df["start"].dt.floor(f"{minutes}min")
        df["_work"] = df["aht"] * df["volume"]
        df["_known"] = np.where(df["aht"].notna(), df["volume"], 0.0)
        g = df.groupby(["queue", "start"], sort=True)
        out = g.agg(volume=("volume", "sum"), _work=("_work", "sum"),
                    _known=("_known", "sum"),
                    abandoned=("abandoned", lambda x: x.sum(min_count=1))).reset_index()
        out["aht"] = np.where(out["_known"] > 0, out["_work"] / out["_known"].where(
            out["_known"] > 0, 1.0), np.nan)
        out = out[list(COLUMNS)]
        return History(out, minutes, self.report)


def detect_interval(start, queue=None):
    """The interval length in minutes: the most common gap between consecutive starts.

    Gaps are taken within each queue and each day; the result must be one of
    5, 15, 30 or 60 minutes.
    """
    start = pd.to_datetime(pd.Series(start)).reset_index(drop=True)
    keys = [start.dt.normalize()]
    if queue is not None:
        keys.insert(0, pd.Series(queue).reset_index(drop=True))
    frame = pd.DataFrame({"start": start}).assign(**{f"k{i}": k for i, k in enumerate(keys)})
    frame = frame.sort_values([f"k{i}" for i in range(len(keys))] + ["start"])
    gaps = frame.groupby([f"k{i}" for i in range(len(keys))])["start"].diff().dropna()
    gaps = (gaps.dt.total_seconds() / 60).round().astype(int)
    gaps = gaps[gaps > 0]
    if gaps.empty:
        raise ValueError("cannot detect the interval length: give 'interval' (minutes)")
    common = int(gaps.mode().min())
    if common not in INTERVALS:
        raise ValueError(f"detected interval of {common} minutes is not one of {INTERVALS}: "
                         "give 'interval' (minutes)")
    return common
