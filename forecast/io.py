"""Read interval history files (CSV, Excel, parquet, DataFrame) into a :class:`History`.

:func:`read_intervals` takes contact-center interval reports in long format (one
row per queue and interval start, with offered contacts and optionally the
average handle time and the abandoned contacts), recognises the columns,
parses dates, times, numbers and durations the way exports write them, and
checks the result: interval grid, duplicates, gaps inside opening hours,
daylight-saving changes, non-numeric and negative cells.

It is a short composition of named steps, each in the module of its concept:

1. load the raw table (:mod:`forecast._decode`: format, encoding, delimiter,
   size limit, blank rows);
2. map the columns to fields (:mod:`forecast._columns`);
3. parse the cells (this module's field steps, on the parsers of
   :mod:`forecast._cells`);
4. check and repair the rows (:mod:`forecast._repair`: totals, time zone,
   interval grid, duplicates, daylight saving, gaps);
5. build the :class:`History`.

What it cannot read it refuses with a :class:`ValueError` whose message names
the field, the rule, the offending value and the rows, in the style
``'volume' must be >= 0: -3 (rows 7, 9)``, so that the command line and the
dashboard can show it as it is.  What it repairs (merged duplicates, floored
starts, non-numeric AHT set to unknown, dropped blank or total rows ...) it
records in :attr:`History.report`, one :class:`Issue` per finding, with row
numbers.  Nothing is dropped, merged or changed silently.

Row numbers, everywhere in this module, are the 1-based data rows of the
source: row 1 is the first row after the header line (in a CSV file, the
line after the header when no value spans several lines; in an Excel sheet,
the row after the header row; in a DataFrame, the first row by position).
"""

import datetime as _dt
import re

import numpy as np
import pandas as pd

from ccwfm._limits import at_most, limit
from ccwfm._validation import boolean, choice, count, error, text, whole

from . import _cells, _decode, _repair
from ._cells import (MISSING as MISSING_TEXT, When, is_empty, looks_time_of_day,
                     parse_datetimes, parse_numbers, parse_times, queue_name, time_of_day)
from ._columns import interval_columns, interval_fields
from ._decode import read_header
from ._messages import rows_text, show, where
from ._repair import DUPLICATE_POLICIES
from .history import COLUMNS, INTERVALS, History, Issue

__all__ = ["interval_columns", "read_header", "read_intervals"]


def read_intervals(source, *, mapping=None, interval=None, queue=None, sheet=None, sep=None,
                   date_format=None, dayfirst=False, duplicates="sum", max_rows=None, tz=None):
    """Read interval history (CSV, Excel, parquet or a DataFrame) into a :class:`History`.

    The source is in long format: one row per queue and interval start, with
    the contacts offered and, optionally, the average handle time and the
    abandoned contacts.  Columns are found by name or by ``mapping``; dates,
    times, numbers and durations are parsed as exports write them; the result
    is checked and everything repaired is listed in :attr:`History.report`.

    **Row numbers** in every message and :class:`Issue` are 1-based data rows
    of the source, header excluded: row 1 is the first row under the header
    (for a CSV file the line after the header, for an Excel sheet the row
    after the header row, for a DataFrame the first row by position).

    Parameters
    ----------
    source : str, os.PathLike, file object, bytes or pandas.DataFrame
        A CSV file (any delimiter, UTF-8, UTF-16 or Windows-1252), an Excel
        ``.xlsx`` workbook, a parquet file (needs pyarrow) or a DataFrame.  The
        format is recognised from the content, not the file name.  A string
        is a file name: CSV text is passed as ``io.StringIO(text)`` or
        ``text.encode()`` (a string with a line break is refused as text).
    mapping : dict, optional
        Canonical name -> source column, e.g. ``{"queue": "Skill", "start":
        "Interval", "volume": "Offered", "aht": "AHT", "abandoned": "Aband"}``.
        Keys: ``queue``, ``start``, ``date``, ``time``, ``volume``, ``aht``,
        ``abandoned``; date and time in two columns are given as ``"date"``
        and ``"time"`` or as ``"start": ("Date", "Time")``.  Columns not in
        the mapping are still recognised by name.
    interval : {5, 15, 30, 60}, optional
        Interval length in minutes (``30.0`` is 30); by default the most
        common gap between consecutive starts of a queue within a day.
    queue : str, optional
        Queue name for a file without a queue column (an error if the file has
        one).
    sheet : str or int, optional
        Excel sheet name or 0-based index; default the first sheet.
    sep : str, optional
        CSV delimiter; by default detected among ``,`` ``;`` tab and ``|``.
    date_format : str, optional
        ``strftime`` format of the start (or date) texts, e.g. ``"%d.%m.%Y
        %H:%M"``; by default ISO 8601, else one format inferred for the
        column.
    dayfirst : bool, default False
        Read ``03/04/2024`` as 3 April when the format is inferred.
    duplicates : {"sum", "error", "first", "last"}, default "sum"
        Rows with the same queue and start: add them up (volume and abandoned
        add, AHT is volume-weighted), refuse, or keep the first or last row.
        Every merge is an Issue ``"duplicate"`` listing the rows.
    max_rows : int, optional
        Refuse sources with more data rows (blank rows at the end excluded).
    tz : str, optional
        Time zone of the contact center, e.g. ``"Europe/Paris"``.  Times with a
        UTC offset or a time zone are converted to its clock time; times
        without are taken as its clock time, which places the clock changes
        (see Notes).  Without ``tz``, times with an offset keep the clock time
        they were written in.

    Returns
    -------
    History
        One row per queue and start (local clock time, timezone-naive), sorted.

    Raises
    ------
    ValueError
        Naming the field, the rule, the value and up to 10 rows, e.g.
        ``'volume' must be >= 0: -3 (rows 7, 9)``: unreadable or empty source,
        more than ``max_rows`` rows, a CSV that splits into one column (the
        message suggests the delimiter), a missing required column (the
        message lists the columns found and the nearest match), empty or
        unparseable queue or start cells, text in the volume column, negative
        volume, AHT or abandoned, starts off the interval grid, duplicates
        under ``duplicates="error"``; a header naming a column twice (also
        ``Offered`` and ``offered``); a start with a date but no time of day
        among date-times, or out of the years 1678-2261; values beyond the
        limits of :mod:`ccwfm._limits` (``volume`` for volume and abandoned,
        per row and after duplicates are added up, ``aht``), a file beyond
        ``file_size`` or ``history_rows`` (checked before it is parsed), a
        history spanning more than ``history_weeks``; keyword arguments of
        the wrong type.

    Notes
    -----
    Columns are recognised case-insensitively, ignoring spaces and
    punctuation: queue (queue, skill, split, service), start (start,
    interval, datetime, timestamp; or a date column and a time column),
    volume (volume, offered, calls, contacts), aht (aht, handle_time,
    avg_handle_time, also with a unit such as ``AHT (s)``), abandoned
    (abandoned, abandons, aband).  Two columns matching one name is an error
    (give ``mapping``).

    Cells:

    - *volume*: text is an error; an empty cell (or ``-``, ``n/a``...)
      drops the row (Issue ``"missing"``: the interval is unknown, so it
      shows as a gap); negative is an error.
    - *aht*: seconds (``185``, ``185.5``) or a duration text (``3:05`` is
      mm:ss, ``0:03:05`` h:mm:ss; Excel times and durations); text that is
      neither becomes NaN (unknown) with an Issue ``"non_numeric"``;
      negative is an error; a median below 15 s gives an Issue
      ``"aht_units"`` (minutes instead of seconds?).
    - *abandoned*: like AHT: text -> NaN with an Issue ``"non_numeric"``;
      negative is an error; more abandoned than offered is an Issue
      ``"inconsistent"``.
    - Numbers: spaces and apostrophes grouping digits are ignored.  The
      decimal separator is decided per column: a value with both ``,`` and
      ``.`` (``1.234,5``), a lone comma not followed by exactly three digits
      (``3,5``) or repeated separators (``1,234,567``) settle it; when no
      value does (only ``1,234`` or ``1.234`` shapes), a comma is a
      thousands separator, except in ``;``-delimited files where it is the
      decimal separator, and the guess is an Issue ``"number_format"``.  A
      column that uses both ``3,5`` and ``3.5`` is an error.
    - Fully empty rows are dropped (Issue ``"blank"``, except at the end of
      the file); rows whose start cell reads "Total", "Sum"... are dropped
      (Issue ``"total"``).

    Times:

    - ISO 8601 is read first, then one format inferred for the whole column
      (so ``dayfirst`` or ``date_format`` settle ``03/04/2024``); a cell that
      does not match is an error with its rows.
    - *Interval grid.*  Starts must fall on the interval grid.  A queue whose
      starts are *all* off the grid by the *same* amount (a labelling
      convention such as 08:01, 08:16, ... or 08:14:59) is floored to the
      interval starts, with an Issue ``"misaligned"`` listing its rows:
      flooring keeps the rows distinct and in order.  Any other start off
      the grid (some rows on it, some not, or different offsets) is an
      error naming the rows, because flooring it could merge it into a
      neighbour.  Excel cell times are rounded to the second first.
    - *Gaps.*  Opening hours of a queue on a day run from its first to its
      last row that day; a slot inside them with no row is a gap (one Issue
      ``"gap"`` per run of missing slots, with the rows on either side).
      Rows outside opening hours and closed days are not issues, nor, when
      the queue has data on two days or more, a time slot that has data on
      none of them (a regular closure such as lunch).
    - *Daylight saving.*  Times with a UTC offset (``+02:00``, ``Z``) or a
      time zone are converted to local clock time.  In autumn the repeated
      hour maps twice onto the same local starts: the two rows are added up
      (Issue ``"dst"`` naming the rows), whatever ``duplicates`` says.  In
      spring the skipped hour has no rows: an Issue ``"dst"`` (not
      ``"gap"``) names it.  With naive times and ``tz``, the first of two
      rows at a repeated time is taken as the earlier hour.  With naive
      times and no ``tz`` the repeated hour is a duplicate and the skipped
      hour a gap.  Times marked UTC (``Z``) without ``tz`` keep the clock
      time as written, with an Issue ``"timezone"`` (some exports mark
      local times with a nominal ``Z``; give ``tz`` if they are UTC).

    Examples
    --------
    >>> import io
    >>> text = io.StringIO(
    ...     "Skill;Date;Time;Offered;AHT\\n"
    ...     "sales;04/03/2024;08:00;12;3:05\\n"
    ...     "sales;04/03/2024;08:15;15;190,5\\n"
    ...     "sales;04/03/2024;08:45;9;2:50\\n")
    >>> h = read_intervals(text, dayfirst=True)
    >>> h.interval
    15
    >>> h.frame[["queue", "start", "volume", "aht"]]
       queue               start  volume    aht
    0  sales 2024-03-04 08:00:00    12.0  185.0
    1  sales 2024-03-04 08:15:00    15.0  190.5
    2  sales 2024-03-04 08:45:00     9.0  170.0
    >>> [(i.kind, i.rows) for i in h.report]
    [('gap', (2, 3))]
    >>> print(h.report[0].message)  # doctest: +NORMALIZE_WHITESPACE
    queue 'sales': no row for 2024-03-04 08:30-08:45 (1 interval) inside opening hours,
    between rows 2 and 3
    >>> read_intervals(io.StringIO("queue,start,volume\\nq,2024-03-04 08:00,-3\\n"
    ...                            "q,2024-03-04 08:30,4\\n"))
    Traceback (most recent call last):
    ...
    ValueError: 'volume' must be >= 0: -3 (row 1)
    """
    interval = _check_arguments(interval, duplicates, max_rows, queue, tz, mapping,
                                date_format, dayfirst)
    raw, delimiter = _decode.load(source, sheet=sheet, sep=sep, max_rows=max_rows)
    raw, issues = _decode.drop_blank_rows(raw)
    chosen = interval_fields(list(raw.columns), mapping, queue)
    raw, totals = _repair.drop_totals(raw, chosen.get("start", chosen.get("date")))
    issues += totals
    frame, when, unknown = _parse_rows(raw, chosen, queue, date_format, dayfirst,
                                       european=delimiter == ";", issues=issues)
    _cells.check_span(frame["start"], "start", "the starts run")
    frame, has_instants = _repair.to_local_time(frame, when, tz, issues)
    interval, found = _repair.grid_interval(frame, interval)
    frame = _repair.drop_unknown_volume(frame, unknown, chosen["volume"], issues)
    frame = _repair.align(frame, interval, found, issues)
    frame = _repair.merge_repeats(frame, duplicates, bool(when.aware.any()), issues)
    for field in ("volume", "abandoned"):       # duplicates added up: within the limit?
        _check_limit(frame[field].to_numpy(float), field, None,
                     frame["_row"].to_numpy(), "volume")
    issues += _repair.findings(frame, interval, has_instants)
    out = frame.sort_values(["queue", "start"], kind="stable")[list(COLUMNS)]
    return History.from_frame(out, interval=interval, report=issues)


def _check_arguments(interval, duplicates, max_rows, queue, tz, mapping, date_format,
                     dayfirst):
    """Check the keyword arguments before the source is read; the interval as an int."""
    if interval is not None:
        if isinstance(interval, bool) or not isinstance(interval, (int, float, np.number)):
            choice("interval", interval, INTERVALS, unit=" minutes", quote=False)
        interval = choice("interval", whole("interval", interval), INTERVALS,
                          unit=" minutes", quote=False)
    choice("duplicates", duplicates, DUPLICATE_POLICIES, quote=False)
    if max_rows is not None:
        count("max_rows", max_rows, 1)
    if queue is not None:
        text("queue", queue)
    if mapping is not None and not isinstance(mapping, dict):
        raise error("mapping", "must be a dict of canonical name -> column", mapping)
    if date_format is not None:
        text("date_format", date_format)
    boolean("dayfirst", dayfirst)
    if tz is not None:
        text("tz", tz)
        try:
            pd.Timestamp("2000-01-01").tz_localize(tz)
        except Exception:  # noqa: BLE001 - pytz, zoneinfo and dateutil raise their own
            raise error("tz", "must be a time zone name such as 'Europe/Paris'", tz) from None
    return interval


def _check_limit(values, field, column, rownum, key):
    """Refuse values above the limit ``key`` (:mod:`ccwfm._limits`), naming the rows."""
    with np.errstate(invalid="ignore"):
        over = values > limit(key)
    if over.any():
        at_most(field, values[over][0], key, suffix=f" {where(rownum[over], column, field)}")


# ---------------------------------------------------------------------------
# parsing the cells of each field

def _parse_rows(raw, chosen, queue, date_format, dayfirst, *, european, issues):
    """The rows as a frame of typed fields, the parsed starts, and the rows without volume.

    Returns
    -------
    (pandas.DataFrame, forecast._cells.When, numpy.ndarray of bool)
        Columns ``_row`` (source row), ``queue``, ``start`` (clock time as
        written), ``_instant`` (UTC where known, else the clock time),
        ``volume``, ``aht``, ``abandoned``.
    """
    rownum = raw.index.to_numpy(np.int64)
    names = _parse_queue(raw, chosen, queue, rownum)
    when = _parse_start(raw, chosen, rownum, date_format, dayfirst)
    volume, unknown = _parse_volume(raw[chosen["volume"]], chosen["volume"], rownum,
                                    european, issues)
    frame = pd.DataFrame({"_row": rownum, "queue": names, "start": when.wall,
                          "_instant": np.where(when.aware, when.instant, when.wall),
                          "volume": volume})
    for field in ("aht", "abandoned"):
        col = chosen.get(field)
        frame[field] = (np.nan if col is None else
                        _parse_measure(raw[col], col, field, rownum, european, volume, issues))
    return frame, when, unknown


def _parse_queue(raw, chosen, queue, rownum):
    if "queue" not in chosen:
        return np.full(len(raw), queue.strip(), object)
    col = chosen["queue"]
    cells = raw[col].to_numpy(object)
    empty = np.array([not c.strip() if isinstance(c, str) else is_empty(c)
                      for c in cells], bool)      # a queue may be called "NA"
    if empty.any():
        raise ValueError(f"'queue' must not be empty: {show('')} "
                         f"{where(rownum[empty], col, 'queue')}")
    return np.array([queue_name(c) for c in cells], object)


def _parse_volume(series, col, rownum, european, issues):
    """Offered contacts: numbers >= 0; text is an error; empty cells are returned apart."""
    vol, empty, bad, ambiguous, clash = parse_numbers(series, european=european)
    _check_clash(clash, "volume", col)
    if bad.any():
        first = series.to_numpy(object)[bad][0]
        raise ValueError(f"'volume' must be a number: {show(first)} "
                         f"{where(rownum[bad], col, 'volume')}")
    _check_negative(vol, "volume", col, rownum)
    _check_limit(vol, "volume", col, rownum, "volume")
    _ambiguous_issue(issues, ambiguous, series, vol, "volume", rownum)
    return vol, empty


def _parse_measure(series, col, field, rownum, european, volume, issues):
    """AHT (seconds or durations) or abandoned: >= 0; text is NaN with an Issue."""
    vals, _, bad, ambiguous, clash = parse_numbers(series, durations=field == "aht",
                                                   european=european)
    _check_clash(clash, field, col)
    _check_negative(vals, field, col, rownum)
    _check_limit(vals, field, col, rownum, "aht" if field == "aht" else "volume")
    if bad.any():
        shown = series.to_numpy(object)[bad]
        examples = ", ".join(dict.fromkeys(show(c) for c in shown[:50]).keys())
        examples = ", ".join(examples.split(", ")[:3])
        issues.append(Issue("non_numeric", tuple(int(r) for r in rownum[bad]),
                            f"{field!r} is not a number in {bad.sum()} "
                            f"row{'s' if bad.sum() > 1 else ''} ({examples}): set to NaN "
                            f"(unknown) {where(rownum[bad], col, field)}"))
    _ambiguous_issue(issues, ambiguous, series, vals, field, rownum)
    if field == "aht":
        _aht_units(series, col, vals, volume, issues)
    return vals


def _aht_units(series, col, aht, volume, issues):
    """An Issue when plain-number AHTs look like minutes (median under 15 s)."""
    plain = np.array([not (isinstance(c, str) and ":" in c) and
                      not isinstance(c, (_dt.time, _dt.timedelta))
                      for c in series.to_numpy(object)], bool)
    known = np.isfinite(aht) & plain & (volume > 0)
    if known.sum() >= 3 and np.median(aht[known]) < 15:
        issues.append(Issue("aht_units", (),
                            f"'aht' median is {np.median(aht[known]):g} seconds "
                            f"(column {str(col)!r}): AHT is read as seconds; if the "
                            "column holds minutes, convert it"))


def _check_clash(clash, field, column):
    if clash:
        raise ValueError(f"{field!r} must use one decimal separator: {clash[0]!r} and "
                         f"{clash[1]!r} (column {str(column)!r})")


def _check_negative(values, field, column, rownum):
    neg = values < 0
    if neg.any():
        raise ValueError(f"{field!r} must be >= 0: {show(values[neg][0])} "
                         f"{where(rownum[neg], column, field)}")


def _ambiguous_issue(issues, ambiguous, series, values, field, rownum):
    if ambiguous.any():
        i = int(np.flatnonzero(ambiguous)[0])
        written = str(series.to_numpy(object)[i]).strip()
        sep = "," if "," in written else "."
        role = "decimal" if values[i] != int(values[i]) else "thousands"
        issues.append(Issue("number_format", tuple(int(r) for r in rownum[ambiguous]),
                            f"{field!r}: read {written!r} as {show(values[i])} ({sep!r} taken as "
                            f"the {role} separator: no value in the column settles it) "
                            f"({rows_text(rownum[ambiguous])})"))


# ---------------------------------------------------------------------------
# the start of each interval

def _parse_start(raw, chosen, rownum, date_format, dayfirst):
    """Parse the start from one column or date + time; errors name the rows."""
    start_col, date_col, time_col = chosen.get("start"), chosen.get("date"), chosen.get("time")
    args = raw, rownum, date_format, dayfirst
    if start_col is not None:
        if looks_time_of_day(raw[start_col]):
            if date_col is None:
                raise ValueError(f"'start' must hold dates and times: column {str(start_col)!r} "
                                 "holds times of day only and there is no date column; give "
                                 "mapping={'date': ...}")
            return _start_split(*args, date_col, start_col)
        w = _start_single(*args, start_col)
        midnight = (w.wall == w.wall.astype("datetime64[D]").astype("datetime64[ns]")).all()
        if midnight and time_col is not None and not w.aware.any():
            return _start_split(*args, start_col, time_col, dates=w)
        if midnight:
            raise ValueError(f"'start' must hold times of day: column {str(start_col)!r} holds "
                             "dates only; give the time column with mapping={'time': ...}")
        return w
    if time_col is not None:
        return _start_split(*args, date_col, time_col)
    w = _start_single(*args, date_col)
    if (w.wall == w.wall.astype("datetime64[D]").astype("datetime64[ns]")).all():
        raise ValueError(f"'start' column not found: column {str(date_col)!r} holds dates only "
                         "and there is no time column; give mapping={'start': ...} or "
                         "mapping={'date': ..., 'time': ...}")
    return w


_TIME_MARK = re.compile(r":|T\d|\s\d{4}$|\d\s*[AaPp]\.?[Mm]\.?$")


def _refuse_date_only(cells, col, rownum):
    """Refuse date-only texts in a column whose other texts have a time of day (read as
    midnight, their contacts would move there), and time-only texts among date-times
    (they would be given today's date)."""
    texts = [(i, c.strip()) for i, c in enumerate(cells) if isinstance(c, str)]
    timed = {i for i, t in texts if _TIME_MARK.search(t)}
    if not timed:
        return
    clock = np.array([i for i, t in texts if time_of_day(t) is not None], dtype=np.int64)
    if clock.size and len(clock) < len(texts):
        raise ValueError(f"'start' must hold a date and a time of day in every row: "
                         f"{show(cells[clock[0]])} has no date "
                         f"{where(rownum[clock], col, 'start')}")
    dated = np.array([i for i, t in texts if i not in timed and t.lower() not in MISSING_TEXT],
                     dtype=np.int64)
    if dated.size:
        raise ValueError(f"'start' must hold a date and a time of day in every row: "
                         f"{show(cells[dated[0]])} has no time of day "
                         f"{where(rownum[dated], col, 'start')}; other rows have one, e.g. "
                         f"{show(cells[min(timed)])}")


def _start_single(raw, rownum, date_format, dayfirst, col):
    """Starts from one column of date-times, all with or all without a UTC offset."""
    w = parse_datetimes(raw[col], date_format, dayfirst)
    _refuse(w.empty, w.bad, raw[col], col, "start", rownum, date_format, w.far)
    _refuse_date_only(raw[col].to_numpy(object), col, rownum)
    if w.aware.any() and (~w.aware & ~w.empty).any():
        plain = ~w.aware & ~w.empty
        raise ValueError(f"'start' must be all with or all without a UTC offset: "
                         f"{show(raw[col].iloc[int(np.flatnonzero(plain)[0])])} has "
                         f"none ({rows_text(rownum[plain])}; with an offset: "
                         f"{rows_text(rownum[w.aware])}; column {str(col)!r})")
    return w


def _start_split(raw, rownum, date_format, dayfirst, dcol, tcol, dates=None):
    """Starts from a column of dates and a column of times of day."""
    if dates is None:
        dates = parse_datetimes(raw[dcol], date_format, dayfirst)
        _refuse(dates.empty, dates.bad, raw[dcol], dcol, "date", rownum, date_format,
                dates.far)
    if dates.aware.any():
        raise ValueError(f"'date' must be a calendar date without a UTC offset: "
                         f"{show(raw[dcol].iloc[int(np.flatnonzero(dates.aware)[0])])} "
                         f"{where(rownum[dates.aware], dcol, 'date')}")
    day = dates.wall.astype("datetime64[D]").astype("datetime64[ns]")
    timed = dates.wall != day
    if timed.any():
        raise ValueError(f"'date' must hold dates without a time of day (the time is in "
                         f"column {str(tcol)!r}): "
                         f"{show(raw[dcol].iloc[int(np.flatnonzero(timed)[0])])} "
                         f"{where(rownum[timed], dcol, 'date')}")
    tod, empty, bad = parse_times(raw[tcol])
    if empty.any():
        raise ValueError(f"'time' must not be empty: '' {where(rownum[empty], tcol, 'time')}")
    if bad.any():
        raise ValueError(f"'time' must be a time of day such as 08:30: "
                         f"{show(raw[tcol].iloc[int(np.flatnonzero(bad)[0])])} "
                         f"{where(rownum[bad], tcol, 'time')}")
    w = When(len(raw))
    w.wall = day + tod
    return w


def _refuse(empty, bad, series, column, field, rownum, date_format, far=None):
    if far is not None and far.any():
        value = series.iloc[int(np.flatnonzero(far)[0])]
        raise ValueError(f"{field!r} must be a date from 1678 to 2261: {show(value)} "
                         f"{where(rownum[far], column, field)}")
    if empty.any():
        raise ValueError(f"{field!r} must not be empty: '' {where(rownum[empty], column, field)}")
    if bad.any():
        value = series.iloc[int(np.flatnonzero(bad)[0])]
        hint = ("" if date_format is not None else
                "; give date_format (e.g. '%d/%m/%Y %H:%M') or dayfirst=True")
        raise ValueError(f"{field!r} must be a date and time: {show(value)} "
                         f"{where(rownum[bad], column, field)}{hint}")
