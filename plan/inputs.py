"""Demand data brought by a user: an interval file or an ACD log turned into a
scenario the pipeline can plan.

The dashboard and scripts hand in a file's bytes; :func:`load_history` reads
and checks them (every problem is a ``ValueError`` in words, naming the
column, the rule and the value), and :func:`history_scenario` writes the
clean history as a canonical interval CSV next to a scenario that plans
every queue of it with sensible defaults.
"""

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pandas as pd

from ccwfm import forecast
from ccwfm._limits import at_most, limit
from ccwfm._validation import choice, error, number, text, whole

from ._atomic import write_atomic
from .scenario import DEFAULT_TARGET_TIME, INTERVALS, Scenario

__all__ = ["HISTORY_FILE", "MAX_UPLOAD_MB", "history_for_scenario", "history_frame",
           "history_scenario", "load_history",
           "preview_columns"]

MAX_UPLOAD_MB = 50
HISTORY_FILE = "history.csv"
"""Name of the history file :func:`history_scenario` writes next to its scenario."""
_KINDS = ("intervals", "acd")
_READ_INTERVALS = (5, 15, 30, 60)     # minutes the readers take (finer than a plan's)


def _check_size(size, max_mb):
    size = size / 2**20
    if size > max_mb:
        raise ValueError(f"'file' must be at most {max_mb:g} MB: {size:.1f} MB")


def _file_bytes(data, max_mb):
    """The content of an upload: bytes as they are, a binary file object read (after its
    size is checked); anything else is a ValueError naming ``'data'``."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
        _check_size(len(data), max_mb)
        return data
    if isinstance(data, str):
        hint = ("it looks like CSV text: pass text.encode()" if "\n" in data else
                "to read a file by name pass Path(name).read_bytes()")
        raise ValueError(f"'data' must be the file's bytes, not a string ({hint}): "
                         f"{data[:60]!r}")
    if not hasattr(data, "read") or isinstance(data, io.TextIOBase):
        raise error("data", "must be the file's bytes or a binary file object (io.BytesIO, "
                            "an upload)", type(data).__name__)
    try:
        if data.seekable():
            here = data.tell()
            _check_size(data.seek(0, io.SEEK_END) - here, max_mb)
            data.seek(here)
        content = data.read()
    except (OSError, AttributeError, TypeError, UnicodeError) as exc:
        raise ValueError(f"'data' file object cannot be read ({type(exc).__name__}: "
                         f"{exc})") from None
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise error("data", "must be a binary file object, giving bytes when read",
                    type(content).__name__)
    content = bytes(content)
    _check_size(len(content), max_mb)
    return content


def _check_max_mb(max_mb):
    return number("max_mb", max_mb, lo=0, lo_open=True, hi=limit("file_size"))


def preview_columns(data, kind="intervals", sep=None):
    """The header of a file's bytes and which field each column gives.

    Parameters
    ----------
    data : bytes or binary file object
        The file's content (CSV, or for intervals also Excel), as
        :func:`load_history` takes it.
    kind : {"intervals", "acd"}
    sep : str, optional
        Field separator; detected by default.

    Returns
    -------
    (list of str, dict)
        The columns, and for an interval file the canonical field ->
        column recognised by name (empty for ACD logs, whose fields are
        mapped by hand or follow the Anonymous Bank layout).
    """
    choice("kind", kind, _KINDS, quote=False)
    data = _file_bytes(data, limit("file_size"))
    columns = forecast.read_header(data, sep=sep)   # the readers' loader and delimiter sniffer
    if kind == "intervals" and len(columns) < 2:
        raise ValueError("'file' must have columns separated by a comma, semicolon, tab or "
                         f"'|' (queue, interval start, contacts...): its header reads as one "
                         f"column {columns[0] if columns else ''!r}")
    found = forecast.interval_columns(columns) if kind == "intervals" else {}
    return columns, found


def load_history(data, *, kind="intervals", mapping=None, acd_format="anonymous_bank",
                 interval=None, target_time=DEFAULT_TARGET_TIME, max_mb=MAX_UPLOAD_MB, queue="queue"):
    """Read a file's bytes into a checked history of contacts per queue and interval.

    Parameters
    ----------
    data : bytes or binary file object
        The file's content: ``bytes`` (also ``bytearray``, ``memoryview``),
        or a binary file object such as ``io.BytesIO`` or a dashboard
        upload, read to its end.  A string is refused (it could be a name
        or the text itself): pass ``text.encode()`` or
        ``Path(name).read_bytes()``.
    kind : {"intervals", "acd"}
        An interval file (see ``forecast.read_intervals``) or a call-level
        ACD log (see ``forecast.read_acd``).
    mapping : dict, optional
        Canonical field -> source column.
    acd_format : {"anonymous_bank", "generic"}
        Layout of an ACD log.
    interval : int, optional
        Interval length in minutes (5, 15, 30 or 60): for an ACD log the
        intervals it is counted in (default 15); for an interval file the
        length its starts must fit (default detected).
    target_time : float
        Seconds within which an answer counts for the service level measured
        from an ACD log.
    max_mb : float
        Largest file accepted, in megabytes (at most the limit ``file_size``);
        checked before the file is parsed.
    queue : str
        Queue name for an interval file without a queue column (one queue).

    Returns
    -------
    forecast.History

    Raises
    ------
    ValueError
        The file is too large, empty, or not readable as ``kind``; the
        message names the column, the rule and the value.
    """
    choice("kind", kind, _KINDS, quote=False)
    choice("acd_format", acd_format, ("anonymous_bank", "generic"), quote=False)
    if mapping is not None and not isinstance(mapping, dict):
        raise error("mapping", "must be a dict of canonical name -> column", mapping)
    if interval is not None:
        if isinstance(interval, bool) or not isinstance(interval, (int, float, np.number)):
            raise error("interval", "must be one of 5, 15, 30, 60 minutes", interval)
        interval = choice("interval", whole("interval", interval), _READ_INTERVALS,
                          unit=" minutes", quote=False)
    target_time = at_most("target_time", number("target_time", target_time, lo=0),
                          "target_time")
    text("queue", queue)
    data = _file_bytes(data, _check_max_mb(max_mb))
    if not data.strip():
        raise ValueError("'file' must not be empty: 0 data rows")
    if kind == "intervals":
        columns, _ = preview_columns(data, "intervals")   # one column: said in words
        found = forecast.interval_columns(columns, mapping or None)
        single = None if "queue" in found else queue.strip()
        return forecast.read_intervals(data, mapping=mapping or None, queue=single,
                                       interval=interval)
    log = forecast.read_acd(data, format=acd_format, mapping=mapping or None)
    if log.frame.empty:
        raise ValueError("'file' has no contacts that reached a queue")
    return log.to_history(interval=interval or 15, target_time=target_time)


def history_frame(history):
    """The history as a long frame: queue, start, volume, aht, abandoned."""
    return history.frame[[c for c in ("queue", "start", "volume", "aht", "abandoned")
                          if c in history.frame.columns]].copy()


def history_for_scenario(history):
    """``history`` on an interval a plan can use: 15, 30 or 60 minutes (finer data
    added up to 15 minutes); what :func:`history_scenario` writes, and what a
    caller holding the history passes to :func:`plan.run` as the
    ``HISTORY_FILE`` source so that it is not read again.

    Raises
    ------
    ValueError
        The history's intervals are coarser than 15 minutes and not 30 or 60.
    """
    if history.interval in INTERVALS:
        return history
    if history.interval < min(INTERVALS):
        return history.aggregate(min(INTERVALS))
    raise ValueError("'interval' of the history must be 15, 30 or 60 minutes, or finer: "
                     f"{history.interval}")


def history_scenario(history, folder, *, name="uploaded", weeks=4, hourly_cost=25.0,
                     shrinkage=0.3):
    """A scenario planning every queue of ``history``, and its data in ``folder``.

    The history is written to ``folder/history.csv`` (atomically) in the
    canonical interval layout; the scenario starts on the Monday after the
    history's last day (a plan's weeks, its capacity and its rosters run
    Monday to Sunday: a start on another day would split the first week in
    two) and runs ``weeks`` weeks on the history's interval
    (15, 30 or 60 minutes; finer data is added up to 15 minutes), with an
    80/20 service-level target per queue and ``shrinkage`` as one category.

    Parameters
    ----------
    history : forecast.History
    folder : str or Path
        Where the history file is written; the scenario refers to it by
        name, so pipeline runs take ``base_dir=folder``.
    name : str
        Scenario name.
    weeks : int
        Weeks to plan (>= 1).
    hourly_cost : float
        Wage per paid hour.
    shrinkage : float
        Share of paid time off the phones, in [0, 1).

    Returns
    -------
    plan.Scenario
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    history = history_for_scenario(history)
    frame = history_frame(history)
    write_atomic(folder / HISTORY_FILE, lambda tmp: frame.to_csv(tmp, index=False))
    last = pd.Timestamp(frame["start"].max()).date()
    first = pd.Timestamp(frame["start"].min()).date()
    hist_weeks = max(2, (last - first).days // 7)
    start = last + dt.timedelta(days=(7 - last.weekday()) % 7 or 7)     # the next Monday
    aht_known = "aht" in frame.columns and frame["aht"].notna().any()
    queues = []
    for q in history.queues:
        d = {"name": str(q), "history": HISTORY_FILE,
             "target": {"service_level": 0.8, "target_time": DEFAULT_TARGET_TIME}}
        if not aht_known:
            d["aht"] = 300.0
        queues.append(d)
    data = {"scenario": {"name": name, "start": start, "weeks": int(weeks),
                         "history_weeks": int(hist_weeks)},
            "queues": queues,
            "workforce": {"interval": int(history.interval), "hourly_cost": float(hourly_cost),
                          "shrinkage": {"total": float(shrinkage)} if shrinkage else {}}}
    return Scenario.from_dict(data)
