"""Read interval history files (CSV, Excel, parquet, DataFrame) into a :class:`History`.

:func:`read_intervals` takes contact-center interval reports in long format (one
row per queue and interval start, with offered contacts and optionally the
average handle time and the abandoned contacts), recognises the columns,
parses dates, times, numbers and durations the way exports write them, and
checks the result: interval grid, duplicates, gaps inside opening hours,
daylight-saving changes, non-numeric and negative cells.

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

import csv
import datetime as _dt
import difflib
import io
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .history import COLUMNS, INTERVALS, History, Issue, detect_interval

__all__ = ["interval_columns", "read_intervals"]

DUPLICATE_POLICIES = ("sum", "error", "first", "last")

_NS = 1_000_000_000
_DAY_NS = 86_400 * _NS


def _norm(name):
    """Column name reduced for matching: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


_AHT_BASES = ("aht", "handletime", "handlingtime", "avghandletime", "averagehandletime",
              "avghandlingtime", "averagehandlingtime", "avgaht", "meanhandletime")
_SYNONYMS = {
    "queue": ("queue", "queuename", "queueid", "skill", "skillname", "skillid", "skillset",
              "split", "splitname", "splitskill", "service", "servicename"),
    "start": ("start", "starttime", "startdatetime", "intervalstart", "intervalstarttime",
              "interval", "datetime", "timestamp", "timestamps", "periodstart", "intervalbegin"),
    "date": ("date", "day", "intervaldate", "reportdate", "calldate", "startdate"),
    "time": ("time", "intervaltime", "timeofday", "timeslot", "slot", "halfhour", "quarterhour"),
    "volume": ("volume", "offered", "calls", "contacts", "callsoffered", "offeredcalls",
               "contactsoffered", "offeredcontacts", "incoming", "incomingcalls", "arrivals",
               "ncalls", "callvolume", "contactvolume", "offeredvolume"),
    "aht": tuple(b + u for b in _AHT_BASES for u in ("", "s", "sec", "secs", "seconds")),
    "abandoned": ("abandoned", "abandons", "aband", "abandon", "abandonedcalls",
                  "callsabandoned", "abandonedcontacts", "contactsabandoned", "abn", "abd"),
}
_MAPPING_KEYS = ("queue", "start", "date", "time", "volume", "aht", "abandoned")
_SHOWN = {"queue": "queue, skill, split, service", "start": "start, interval, datetime, "
          "timestamp, or date + time", "volume": "volume, offered, calls, contacts",
          "aht": "aht, handle_time, avg_handle_time", "abandoned": "abandoned, abandons, aband"}

_MISSING = frozenset({"", "nan", "na", "n/a", "#n/a", "null", "none", "-", "--"})
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f'\u2019]")
_DURATION = re.compile(r"^(\d+):(\d{1,2})(?::(\d{1,2}(?:[.,]\d+)?))?$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:\s*([AaPp])\.?[Mm]\.?)?"
                   r"(?:\s*(?:-|\u2013|to)\s*\d{1,2}:\d{2}.*)?$")
_OFFSET = re.compile(r"^(?P<wall>.*\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*"
                     r"(?P<off>[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$")
_TOTAL = re.compile(r"^\s*(grand\s+|sub-?\s*)?(total|totals|sum|summary)\b", re.I)


# ---------------------------------------------------------------------------
# small helpers for messages

def _rows_text(rows, limit=10):
    """'row 3' / 'rows 3, 7' / 'rows 1, 2, ..., 10, ... (25 rows)'."""
    rows = sorted({int(r) for r in rows})
    if len(rows) == 1:
        return f"row {rows[0]}"
    text = ", ".join(str(r) for r in rows[:limit])
    if len(rows) > limit:
        return f"rows {text}, ... ({len(rows)} rows)"
    return f"rows {text}"


def _where(rows, column, field):
    """'(rows 7, 9)' or '(rows 7, 9; column 'Offered')' when the source names it differently."""
    text = _rows_text(rows)
    if column is not None and str(column) != field:
        text += f"; column {str(column)!r}"
    return f"({text})"


def _show(value):
    """A value as a planner wrote it: -3, 2.5, 'abc'."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time, np.datetime64)):
        return repr(str(pd.Timestamp(value)) if not isinstance(value, _dt.time) else str(value))
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return repr(value) if not isinstance(value, (int, np.integer)) else str(int(value))


def _stamp(ts):
    ts = pd.Timestamp(ts)
    return ts.strftime("%Y-%m-%d %H:%M:%S" if ts.second else "%Y-%m-%d %H:%M")


def _is_empty(v):
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip().lower() in _MISSING
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------------------
# reading the source into a raw table (row numbers 1..n as index)

def _load(source, *, sheet, sep, max_rows):
    """Raw table, its flavour ('text' when every cell is a string) and the delimiter."""
    if isinstance(source, pd.DataFrame):
        if sheet is not None or sep is not None:
            raise ValueError("'sheet' and 'sep' apply to files only, not to a DataFrame")
        df = source
        if isinstance(df.index, pd.DatetimeIndex) and df.index.name is None:
            df = df.rename_axis("start").reset_index()
        elif isinstance(df.index, pd.MultiIndex) or df.index.name is not None:
            df = df.reset_index()
        df = df.copy()
        df.columns = [str(c).strip() for c in df.columns]
        _check_size(len(df), max_rows)
        return _finish_raw(df), "typed", None
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"'source' file not found: {str(source)!r}")
        data, name = path.read_bytes(), path.name
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data, name = bytes(source), None
    elif hasattr(source, "read"):
        data, name = source.read(), getattr(source, "name", None)
        if isinstance(data, str):
            return _load_csv(data, sep=sep, sheet=sheet, max_rows=max_rows)
    else:
        raise ValueError("'source' must be a path, a file object, bytes or a pandas "
                         f"DataFrame: {type(source).__name__}")
    if data[:4] == b"PK\x03\x04":
        if sep is not None:
            raise ValueError("'sep' applies to CSV files only, not to an Excel file")
        return _load_excel(data, sheet=sheet, max_rows=max_rows), "typed", None
    if data[:4] == b"PAR1":
        if sheet is not None or sep is not None:
            raise ValueError("'sheet' and 'sep' apply to Excel and CSV files, not to parquet")
        return _load_parquet(data, max_rows=max_rows), "typed", None
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise ValueError(f"'source' is an old Excel .xls file{' ' + repr(name) if name else ''}: "
                         "save it as .xlsx or CSV")
    return _load_csv(_decode(data), sep=sep, sheet=sheet, max_rows=max_rows)


def _check_size(n, max_rows):
    if max_rows is not None and n > max_rows:
        raise ValueError(f"'source' must have at most max_rows={max_rows} data rows: {n}")


def _finish_raw(df):
    dup = pd.Index(df.columns)[pd.Index(df.columns).duplicated()]
    if len(dup):
        raise ValueError(f"'source' must name each column once: {str(dup[0])!r} repeats "
                         f"(columns found: {_list(df.columns)})")
    df = df.reset_index(drop=True)
    df.index = pd.RangeIndex(1, len(df) + 1)
    return df


def _decode(data):
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")


def _split_count(lines, delimiter):
    return [len(r) for r in csv.reader(lines, delimiter=delimiter)]


def _sniff(lines):
    """The delimiter among , ; tab | that splits the sample most consistently, or None."""
    best, best_key = None, None
    for cand in (",", ";", "\t", "|"):
        try:
            counts = _split_count(lines, cand)
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        same = np.mean([c == counts[0] for c in counts[1:]]) if len(counts) > 1 else 1.0
        key = (same, counts[0])
        if best_key is None or key > best_key:
            best, best_key = cand, key
    return best


def _guess_delimiter(header):
    """Most frequent separator-like character of a header line."""
    counts = {}
    for ch in header:
        if not (ch.isalnum() or ch in "_\"'()[]%.-"):
            counts[ch] = counts.get(ch, 0) + 1
    return max(counts, key=counts.get) if counts else None


def _load_csv(text, *, sep, sheet, max_rows):
    if sheet is not None:
        raise ValueError("'sheet' applies to Excel files only, not to CSV")
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and re.fullmatch(r"\s*sep=(.)\s*", lines[0]):  # Excel's delimiter hint line
        sep = sep or re.fullmatch(r"\s*sep=(.)\s*", lines[0]).group(1)
        lines.pop(0)
    if not lines:
        raise ValueError("'source' is empty: no header and no data rows")
    header = lines[0]
    sample = [ln for ln in lines[:60] if ln.strip()]
    detected = _sniff(sample)
    if sep is None:
        sep = detected
    if sep is None or (len(sep) == 1 and sep != " " and _split_count([header], sep)[0] < 2):
        guess = detected if detected not in (None, sep) else _guess_delimiter(header)
        how = "could not be detected" if sep is None else f"{sep!r} does not split it"
        hint = f": pass sep={guess!r}" if guess else ": pass sep"
        raise ValueError(f"'sep' {how}: the header reads as one column {header!r}{hint}")
    if max_rows is not None:
        blank = set(sep) | set(" \t\"'")
        n = len(lines) - 1
        while n and not lines[n].strip("".join(blank)):
            n -= 1
        _check_size(n, max_rows)
    text = "\n".join(lines)
    if len(sep) == 1:
        _check_fields(text, sep)
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, na_filter=False,
                         skip_blank_lines=False, skipinitialspace=True, index_col=False,
                         engine="c" if len(sep) == 1 else "python")
    except pd.errors.EmptyDataError:
        raise ValueError("'source' is empty: no header and no data rows") from None
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if not m:
            raise ValueError(f"'source' is not a readable CSV file (delimiter {sep!r}): "
                             f"{exc}") from None
        exp, line, saw = (int(g) for g in m.groups())
        raise ValueError(
            f"'source' row {line - 1} has {saw} fields but the header has {exp} "
            f"(delimiter {sep!r}): a value may contain the delimiter unquoted, e.g. a "
            "thousands separator '1,234' in a comma-separated file") from None
    df.columns = [str(c).strip() for c in df.columns]
    if df.shape[1] < 2:
        raise ValueError(f"'sep' {sep!r} does not split the header: it reads as one column "
                         f"{header!r}")
    return _finish_raw(df), "text", sep


def _check_fields(text, sep):
    """Refuse rows with more (non-empty) fields than the header: values would shift."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    width = len(next(reader))
    over, saw = [], 0
    for row, fields in enumerate(reader, start=1):
        if len(fields) > width and any(f.strip() for f in fields[width:]):
            over.append(row)
            saw = saw or len(fields)
    if over:
        raise ValueError(f"'source' rows must have at most the {width} fields of the header: "
                         f"{saw} ({_rows_text(over)}; delimiter {sep!r}): a value may contain "
                         "the delimiter unquoted, e.g. a thousands separator '1,234' or a "
                         "decimal comma '3,5' in a comma-separated file")


def _load_excel(data, *, sheet, max_rows):
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # corrupt archive, not a workbook, ...
        raise ValueError(f"'source' is not a readable .xlsx file: {exc}") from None
    try:
        names = wb.sheetnames
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, (int, np.integer)) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                raise ValueError(f"'sheet' must be an index from 0 to {len(names) - 1} or a "
                                 f"name ({', '.join(map(repr, names))}): {sheet!r}")
            ws = wb.worksheets[int(sheet)]
        elif isinstance(sheet, str) and sheet in names:
            ws = wb[sheet]
        else:
            near = difflib.get_close_matches(str(sheet), names, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise ValueError(f"'sheet' must name a sheet of the workbook "
                             f"({', '.join(map(repr, names))}): {sheet!r}{hint}")
        header, rows, last = None, [], 0
        for values in ws.iter_rows(values_only=True):
            values = [_excel_value(v) for v in values]
            nonempty = any(not _is_blank_cell(v) for v in values)
            if header is None:
                if nonempty:
                    header = values
                continue
            rows.append(values)
            if nonempty:
                last = len(rows)
                if max_rows is not None and last > max_rows:
                    raise ValueError(f"'source' must have at most max_rows={max_rows} data "
                                     f"rows: more in sheet {ws.title!r}")
    finally:
        wb.close()
    if header is None:
        raise ValueError(f"'source' is empty: sheet {ws.title!r} has no header and no data rows")
    rows = rows[:last]
    width = max([len(header)] + [len(r) for r in rows])
    header = list(header) + [None] * (width - len(header))
    rows = [list(r) + [None] * (width - len(r)) for r in rows]
    keep = [j for j in range(width)
            if not _is_blank_cell(header[j]) or any(not _is_blank_cell(r[j]) for r in rows)]
    names = [str(header[j]).strip() if not _is_blank_cell(header[j])
             else f"column {get_column_letter(j + 1)}" for j in keep]
    df = pd.DataFrame([[r[j] for j in keep] for r in rows], columns=names, dtype=object)
    return _finish_raw(df)


def _is_blank_cell(v):
    return v is None or (isinstance(v, str) and not v.strip())


def _excel_value(v):
    """Excel stores times as fractions of a day: round datetimes and times to the second."""
    if isinstance(v, _dt.datetime):
        if v.microsecond:
            v = v.replace(microsecond=0) + _dt.timedelta(seconds=round(v.microsecond / 1e6))
        return v
    if isinstance(v, _dt.time) and v.microsecond:
        full = _dt.datetime.combine(_dt.date(2000, 1, 1), v.replace(microsecond=0))
        return (full + _dt.timedelta(seconds=round(v.microsecond / 1e6))).time()
    if isinstance(v, _dt.timedelta):
        return _dt.timedelta(seconds=round(v.total_seconds()))
    return v


def _load_parquet(data, *, max_rows):
    try:
        import pyarrow.parquet as pq
    except ImportError:
        pq = None
    if pq is not None and max_rows is not None:
        _check_size(pq.ParquetFile(io.BytesIO(data)).metadata.num_rows, max_rows)
    try:
        df = pd.read_parquet(io.BytesIO(data))
    except ImportError:
        raise ValueError("'source' is a parquet file: reading it needs pyarrow or fastparquet, "
                         "which is not installed") from None
    except Exception as exc:  # corrupt file
        raise ValueError(f"'source' is not a readable parquet file: {exc}") from None
    if isinstance(df.index, pd.MultiIndex) or df.index.name is not None:
        df = df.reset_index()
    df.columns = [str(c).strip() for c in df.columns]
    _check_size(len(df), max_rows)
    return _finish_raw(df)


# ---------------------------------------------------------------------------
# columns

def _find_column(value, columns, key):
    if value in columns:
        return value
    hits = [c for c in columns if str(c).strip().lower() == str(value).strip().lower()]
    if len(hits) == 1:
        return hits[0]
    near = difflib.get_close_matches(str(value), [str(c) for c in columns], n=1, cutoff=0.5)
    hint = f"; nearest match {near[0]!r}" if near else ""
    raise ValueError(f"'mapping' must name columns of the source: mapping[{key!r}] = "
                     f"{value!r} is not one; columns found: {_list(columns)}{hint}")


def _list(columns):
    return ", ".join(repr(str(c)) for c in columns)


def _nearest(key, candidates):
    """The candidate column whose name is closest to a synonym of ``key`` (difflib)."""
    best, score = None, 0.0
    for c in candidates:
        n = _norm(c)
        for syn in _SYNONYMS[key]:
            r = difflib.SequenceMatcher(None, n, syn).ratio()
            if r > score:
                best, score = c, r
    return best if score >= 0.6 else None


def _missing_column(key, columns, free, extra=""):
    near = _nearest(key, free)
    hint = (f"; nearest match {str(near)!r}: give mapping={{{key!r}: {str(near)!r}}}" if near
            else f"; give mapping={{{key!r}: ...}}")
    return ValueError(f"{key!r} column not found (looked for {_SHOWN[key]}): columns found: "
                      f"{_list(columns)}{hint}{extra}")


def _resolve(columns, mapping):
    """Canonical key -> source column, from the mapping and then by name."""
    chosen = {}
    if mapping is not None:
        if not isinstance(mapping, dict):
            raise ValueError(f"'mapping' must be a dict of canonical name -> column: {mapping!r}")
        for key, value in mapping.items():
            if key not in _MAPPING_KEYS:
                raise ValueError(f"'mapping' keys must be among {', '.join(_MAPPING_KEYS)}: "
                                 f"{key!r}")
            if key == "start" and isinstance(value, (list, tuple)):
                if len(value) != 2:
                    raise ValueError("'mapping' start must be one column or two (date, time): "
                                     f"{value!r}")
                chosen["date"] = _find_column(value[0], columns, "start")
                chosen["time"] = _find_column(value[1], columns, "start")
            else:
                chosen[key] = _find_column(value, columns, key)
        taken = list(chosen.values())
        if len(set(taken)) < len(taken):
            raise ValueError(f"'mapping' must name each column once: {mapping!r}")
    free = [c for c in columns if c not in chosen.values()]
    both = "date" in chosen and "time" in chosen          # date and time from the mapping
    for key in _MAPPING_KEYS:
        if key in chosen or (key == "start" and both):
            continue
        hits = [c for c in free if _norm(c) in _SYNONYMS[key]]
        if len(hits) > 1:
            raise ValueError(f"{key!r} matches several columns: {_list(hits)}: give "
                             f"mapping={{{key!r}: ...}}")
        if hits:
            chosen[key] = hits[0]
            free.remove(hits[0])
    return chosen, free


def interval_columns(columns, mapping=None):
    """Which source column :func:`read_intervals` takes for each field.

    Parameters
    ----------
    columns : sequence of str
        The source's column names (its header).
    mapping : dict, optional
        Canonical name -> source column, as :func:`read_intervals` takes it.

    Returns
    -------
    dict
        Canonical name (``queue``, ``start``, ``date``, ``time``, ``volume``,
        ``aht``, ``abandoned``) -> source column, for the fields found; the
        fields the mapping names first, the others recognised by name.

    Raises
    ------
    ValueError
        A mapping naming an unknown column or key, or a field matching
        several columns.

    Examples
    --------
    >>> interval_columns(["Skill", "Interval", "Offered", "AHT"])
    {'queue': 'Skill', 'start': 'Interval', 'volume': 'Offered', 'aht': 'AHT'}
    >>> interval_columns(["Day", "Slot", "Calls"], mapping={"volume": "Calls"})
    {'volume': 'Calls', 'date': 'Day', 'time': 'Slot'}
    """
    chosen, _ = _resolve([str(c) for c in columns], mapping)
    return chosen


# ---------------------------------------------------------------------------
# numbers and durations

def _number_style(texts, european):
    """Decimal separator of a column of number strings, and whether it was a guess."""
    comma_dec, dot_dec, ambiguous = [], [], []
    for t in texts:
        has_c, has_d = "," in t, "." in t
        if has_c and has_d:
            (comma_dec if t.rfind(",") > t.rfind(".") else dot_dec).append(t)
        elif has_c:
            if t.count(",") > 1:
                dot_dec.append(t)
            elif re.fullmatch(r"[+-]?\d{1,3},\d{3}", t):
                ambiguous.append(t)
            else:
                comma_dec.append(t)
        elif has_d:
            if t.count(".") > 1:
                comma_dec.append(t)
            elif re.fullmatch(r"[+-]?\d{1,3}\.\d{3}", t):
                ambiguous.append(t)
            else:
                dot_dec.append(t)
    if comma_dec and dot_dec:
        return None, (comma_dec[0], dot_dec[0])
    if comma_dec:
        return ",", ()
    if dot_dec:
        return ".", ()
    return ("," if european else "."), tuple(ambiguous)


def _to_number(t, decimal):
    thousands = "." if decimal == "," else ","
    if thousands in t and not re.fullmatch(
            rf"[+-]?\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+(?:{re.escape(decimal)}\d*)?", t):
        return None
    t = t.replace(thousands, "").replace(decimal, ".")
    try:
        v = float(t)
    except ValueError:
        return None
    return v if np.isfinite(v) else None


def _to_seconds(t):
    m = _DURATION.match(t)
    if not m:
        return None
    a, b, c = m.groups()
    if c is None:                       # mm:ss
        minutes, seconds = int(a), int(b)
        hours = 0
    else:                               # h:mm:ss
        hours, minutes, seconds = int(a), int(b), float(c.replace(",", "."))
        if minutes >= 60:
            return None
    if seconds >= 60:
        return None
    return hours * 3600.0 + minutes * 60.0 + seconds


def _parse_numeric(series, *, durations=False, european=False):
    """Floats from a column of numbers, number strings or (durations) h:mm:ss texts.

    Returns ``(values, empty, bad, ambiguous, style_clash)``: ``empty`` marks
    blank cells and missing markers (NaN in ``values``), ``bad`` marks cells
    that are not numbers (NaN in ``values``), ``ambiguous`` the rows whose
    separator was guessed, ``style_clash`` two values with different decimal
    separators (or ``()``).
    """
    n = len(series)
    values = np.full(n, np.nan)
    empty = np.zeros(n, bool)
    bad = np.zeros(n, bool)
    if pd.api.types.is_bool_dtype(series.dtype):
        return values, empty, np.ones(n, bool), np.zeros(n, bool), ()
    if pd.api.types.is_numeric_dtype(series.dtype):
        v = series.to_numpy(float)
        empty = np.isnan(v)
        bad = np.isinf(v)
        return np.where(bad, np.nan, v), empty, bad, np.zeros(n, bool), ()
    if durations and pd.api.types.is_timedelta64_dtype(series.dtype):
        v = series.dt.total_seconds().to_numpy(float)
        return v, np.isnan(v), np.zeros(n, bool), np.zeros(n, bool), ()
    raw = series.to_numpy(object)
    texts = {}
    for i, v in enumerate(raw):
        if isinstance(v, str):
            t = _SPACES.sub("", v)
            if t.lower() in _MISSING:
                empty[i] = True
            else:
                texts[i] = t
        elif isinstance(v, (bool, np.bool_)):
            bad[i] = True
        elif isinstance(v, (int, float, np.integer, np.floating)):
            if np.isnan(v):
                empty[i] = True
            elif np.isinf(v):
                bad[i] = True
            else:
                values[i] = float(v)
        elif durations and isinstance(v, _dt.time):
            values[i] = v.hour * 3600.0 + v.minute * 60.0 + v.second + v.microsecond / 1e6
        elif durations and isinstance(v, (_dt.timedelta, np.timedelta64)):
            values[i] = pd.Timedelta(v).total_seconds()
        elif durations and isinstance(v, _dt.datetime) and v.year <= 1900:
            values[i] = (v - _dt.datetime(1899, 12, 30)).total_seconds()  # Excel duration > 1 day
        elif _is_empty(v):
            empty[i] = True
        else:
            bad[i] = True
    ambiguous = np.zeros(n, bool)
    plain = {t for t in texts.values() if not (durations and ":" in t)}
    decimal, guessed = _number_style(plain, european)
    if decimal is None:
        return values, empty, bad, ambiguous, guessed
    cache = {}
    guessed = set(guessed)
    for i, t in texts.items():
        if t not in cache:
            cache[t] = _to_seconds(t) if durations and ":" in t else _to_number(t, decimal)
        v = cache[t]
        if v is None:
            bad[i] = True
        else:
            values[i] = v
            ambiguous[i] = t in guessed
    return values, empty, bad, ambiguous, ()


# ---------------------------------------------------------------------------
# dates and times

def _parse_dt_strings(texts, date_format, dayfirst):
    """Datetime64 series from strings (NaT where unparseable), one format for the column."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if date_format is not None:
            try:
                return pd.to_datetime(texts, format=date_format, errors="coerce")
            except ValueError as exc:
                raise ValueError(f"'date_format' must be a strftime format such as "
                                 f"'%d/%m/%Y %H:%M': {date_format!r} ({exc})") from None
        out = pd.to_datetime(texts, format="ISO8601", errors="coerce")
        if out.isna().any():
            other = pd.to_datetime(texts, dayfirst=dayfirst, errors="coerce")
            if other.isna().sum() < out.isna().sum():
                out = other
    return out


def _offset_minutes(text):
    if text.upper() in ("Z", "UTC", "GMT"):
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 14 or minutes >= 60:
        return None
    return sign * (hours * 60 + minutes)


class _When:
    """Parsed start column: wall clock, UTC instant where known, what was wrong."""

    def __init__(self, n):
        self.wall = np.full(n, np.datetime64("NaT"), "datetime64[ns]")
        self.instant = np.full(n, np.datetime64("NaT"), "datetime64[ns]")
        self.aware = np.zeros(n, bool)
        self.empty = np.zeros(n, bool)
        self.bad = np.zeros(n, bool)
        self.zone = None          # name of a timezone of tz-aware values
        self.utc_only = True      # every offset seen is zero
        self.example = None       # an original text with an offset


def _parse_datetimes(series, date_format, dayfirst):
    n = len(series)
    w = _When(n)
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        w.empty = series.isna().to_numpy()
        w.wall = series.dt.tz_localize(None).to_numpy("datetime64[ns]")
        w.instant = series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]")
        w.aware = ~w.empty
        w.zone = str(dtype.tz)
        w.utc_only = w.zone in ("UTC", "utc", "Etc/UTC")
        return w
    if pd.api.types.is_datetime64_dtype(dtype):
        w.wall = series.to_numpy("datetime64[ns]")
        w.empty = np.isnat(w.wall)
        return w
    if not pd.api.types.is_object_dtype(dtype) and not pd.api.types.is_string_dtype(dtype):
        w.empty = series.isna().to_numpy()
        w.bad = ~w.empty
        return w
    raw = np.array(series, dtype=object)      # a copy: dates are replaced in place below
    text_idx, texts, typed = [], [], []
    for i, v in enumerate(raw):
        if isinstance(v, str):
            t = v.strip()
            if not t or t.lower() in _MISSING:
                w.empty[i] = True
            else:
                text_idx.append(i)
                texts.append(t)
        elif isinstance(v, (_dt.datetime, pd.Timestamp, np.datetime64)):
            typed.append(i)
        elif isinstance(v, _dt.date):
            raw[i] = _dt.datetime(v.year, v.month, v.day)
            typed.append(i)
        elif _is_empty(v):
            w.empty[i] = True
        else:
            w.bad[i] = True
    if texts:
        s = pd.Series(texts, dtype=object)
        parts = s.str.extract(_OFFSET)
        minutes = {o: _offset_minutes(o) for o in parts["off"].dropna().unique()}
        offsets = parts["off"].map(minutes).to_numpy(float)     # NaN: none or invalid
        has_off = ~np.isnan(offsets)
        offsets = np.nan_to_num(offsets)
        wall_text = s.where(~has_off, parts["wall"])
        parsed = _parse_dt_strings(wall_text, date_format, dayfirst).to_numpy("datetime64[ns]")
        idx = np.asarray(text_idx)
        w.wall[idx] = parsed
        w.bad[idx] = np.isnat(parsed)
        off_ns = (offsets * 60 * _NS).astype("timedelta64[ns]")
        w.instant[idx] = np.where(has_off, parsed - off_ns, np.datetime64("NaT"))
        w.aware[idx] = has_off & ~np.isnat(parsed)
        if has_off.any():
            w.utc_only = bool((offsets[has_off] == 0).all())
            w.example = texts[int(np.flatnonzero(has_off)[0])]
    for i in typed:
        ts = pd.Timestamp(raw[i])
        if ts.tzinfo is not None:
            w.instant[i] = ts.tz_convert("UTC").tz_localize(None).to_datetime64()
            w.wall[i] = ts.tz_localize(None).to_datetime64()
            w.aware[i] = True
            w.utc_only &= ts.utcoffset() == pd.Timedelta(0)
            w.zone = w.zone or str(ts.tzinfo)
        else:
            w.wall[i] = ts.to_datetime64()
    return w


def _parse_times(series):
    """Time of day as timedelta64[ns] (NaT where empty or bad), empty, bad."""
    n = len(series)
    out = np.full(n, np.timedelta64("NaT"), "timedelta64[ns]")
    empty = np.zeros(n, bool)
    bad = np.zeros(n, bool)
    if pd.api.types.is_timedelta64_dtype(series.dtype):
        out = series.to_numpy("timedelta64[ns]")
        empty = np.isnat(out)
        bad = ~empty & ((out < np.timedelta64(0, "ns")) | (out >= np.timedelta64(_DAY_NS, "ns")))
        return np.where(bad, np.timedelta64("NaT"), out), empty, bad
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        s = series.dt.tz_localize(None) if isinstance(series.dtype, pd.DatetimeTZDtype) else series
        out = (s - s.dt.normalize()).to_numpy("timedelta64[ns]")
        return out, np.isnat(out), np.zeros(n, bool)
    cache = {}
    for i, v in enumerate(series.to_numpy(object)):
        sec = None
        if isinstance(v, str):
            t = v.strip()
            if t.lower() in _MISSING:
                empty[i] = True
                continue
            if t not in cache:
                cache[t] = _time_of_day(t)
            sec = cache[t]
        elif isinstance(v, _dt.datetime):
            sec = v.hour * 3600 + v.minute * 60 + v.second
        elif isinstance(v, _dt.time):
            sec = v.hour * 3600 + v.minute * 60 + v.second
        elif isinstance(v, (_dt.timedelta, np.timedelta64)):
            s = pd.Timedelta(v).total_seconds()
            sec = s if 0 <= s < 86400 else None
        elif isinstance(v, (float, np.floating, int, np.integer)) and not isinstance(v, bool) \
                and not np.isnan(v):
            sec = round(float(v) * 86400) if 0 <= v < 1 else None   # Excel fraction of a day
        elif _is_empty(v):
            empty[i] = True
            continue
        if sec is None:
            bad[i] = True
        else:
            out[i] = np.timedelta64(int(round(sec * _NS)), "ns")
    return out, empty, bad


def _time_of_day(t):
    m = _TIME.match(t)
    if not m:
        return None
    h, mi, s, ampm = m.groups()
    h, mi, s = int(h), int(mi), int(s or 0)
    if ampm:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if ampm.lower() == "p" else 0)
    if h > 23 or mi > 59 or s > 59:
        return None
    return h * 3600 + mi * 60 + s


def _looks_time_of_day(series):
    if pd.api.types.is_timedelta64_dtype(series.dtype):
        return True
    if not pd.api.types.is_object_dtype(series.dtype) and \
            not pd.api.types.is_string_dtype(series.dtype):
        return False
    seen = False
    for v in series.to_numpy(object):
        if isinstance(v, str):
            if v.strip().lower() in _MISSING:
                continue
            if _time_of_day(v.strip()) is None:
                return False
            seen = True
        elif isinstance(v, (_dt.time, _dt.timedelta)):
            seen = True
        elif not _is_empty(v):
            return False
    return seen


# ---------------------------------------------------------------------------
# the importer

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
        format is recognised from the content, not the file name.
    mapping : dict, optional
        Canonical name -> source column, e.g. ``{"queue": "Skill", "start":
        "Interval", "volume": "Offered", "aht": "AHT", "abandoned": "Aband"}``.
        Keys: ``queue``, ``start``, ``date``, ``time``, ``volume``, ``aht``,
        ``abandoned``; date and time in two columns are given as ``"date"``
        and ``"time"`` or as ``"start": ("Date", "Time")``.  Columns not in
        the mapping are still recognised by name.
    interval : {5, 15, 30, 60}, optional
        Interval length in minutes; by default the most common gap between
        consecutive starts of a queue within a day.
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
        under ``duplicates="error"``.

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
    # -- arguments
    if interval is not None and interval not in INTERVALS:
        raise ValueError(f"'interval' must be one of {INTERVALS} minutes: {interval!r}")
    if duplicates not in DUPLICATE_POLICIES:
        raise ValueError(f"'duplicates' must be one of {', '.join(DUPLICATE_POLICIES)}: "
                         f"{duplicates!r}")
    if max_rows is not None and (isinstance(max_rows, bool) or
                                 not isinstance(max_rows, (int, np.integer)) or max_rows < 1):
        raise ValueError(f"'max_rows' must be a whole number >= 1: {max_rows!r}")
    if queue is not None and (not isinstance(queue, str) or not queue.strip()):
        raise ValueError(f"'queue' must be a non-empty name: {queue!r}")
    if tz is not None:
        try:
            pd.Timestamp("2000-01-01").tz_localize(tz)
        except Exception:
            raise ValueError(f"'tz' must be a time zone name such as 'Europe/Paris': "
                             f"{tz!r}") from None

    raw, _, delimiter = _load(source, sheet=sheet, sep=sep, max_rows=max_rows)
    issues = []

    # -- drop empty rows (silently at the end: padding, not data)
    blank = np.ones(len(raw), bool)
    for col in raw.columns:
        cells = raw[col]
        empty = np.array(cells.isna(), dtype=bool)
        if cells.dtype == object or pd.api.types.is_string_dtype(cells.dtype):
            empty |= cells.astype(str).str.strip().str.lower().isin(_MISSING).to_numpy()
        blank &= empty
    if len(raw) and blank.all():
        raise ValueError("'source' has a header but no data rows: "
                         f"columns found: {_list(raw.columns)}")
    if not len(raw):
        raise ValueError(f"'source' has a header but no data rows: columns found: "
                         f"{_list(raw.columns)}")
    last = int(np.flatnonzero(~blank)[-1]) + 1
    inner = raw.index[:last][blank[:last]]
    if len(inner):
        issues.append(Issue("blank", tuple(int(r) for r in inner),
                            f"{len(inner)} empty row{'s' if len(inner) > 1 else ''} skipped "
                            f"({_rows_text(inner)})"))
    raw = raw.iloc[:last][~blank[:last]]

    # -- columns
    columns = list(raw.columns)
    chosen, free = _resolve(columns, mapping)
    if "volume" not in chosen:
        raise _missing_column("volume", columns, free)
    if "queue" in chosen and queue is not None:
        raise ValueError(f"'queue' must be given only for a file without a queue column: the "
                         f"file has {str(chosen['queue'])!r}: {queue!r}")
    if "queue" not in chosen and queue is None:
        raise _missing_column("queue", columns, free,
                              extra="; for a single-queue file give queue='name'")
    start_col, date_col, time_col = chosen.get("start"), chosen.get("date"), chosen.get("time")
    if start_col is None and date_col is None:
        extra = (f" (found time column {str(time_col)!r} but no date column)"
                 if time_col is not None else "")
        raise _missing_column("start", columns, free, extra=extra)

    # -- totals rows ("Total", "Grand total" in the start or date cell)
    key_col = start_col if start_col is not None else date_col
    keycells = raw[key_col]
    total = np.array([isinstance(v, str) and bool(_TOTAL.match(v)) for v in keycells], bool)
    if total.any():
        rows = raw.index[total]
        issues.append(Issue("total", tuple(int(r) for r in rows),
                            f"{total.sum()} total row{'s' if total.sum() > 1 else ''} dropped "
                            f"({_rows_text(rows)}): {str(keycells[total].iloc[0]).strip()!r}"))
        raw = raw[~total]
        if raw.empty:
            raise ValueError("'source' has no data rows besides totals")
    rownum = raw.index.to_numpy(np.int64)
    n = len(raw)

    # -- queue
    if "queue" in chosen:
        qcol = chosen["queue"]
        qraw = raw[qcol].to_numpy(object)
        qempty = np.array([not v.strip() if isinstance(v, str) else _is_empty(v)
                           for v in qraw], bool)      # a queue may be called "NA"
        if qempty.any():
            raise ValueError(f"'queue' must not be empty: {_show('')} "
                             f"{_where(rownum[qempty], qcol, 'queue')}")
        qvals = np.array([_queue_name(v) for v in qraw], object)
    else:
        qvals = np.full(n, queue.strip(), object)

    # -- start
    when, start_desc = _start(raw, start_col, date_col, time_col, rownum, date_format, dayfirst)

    # -- numbers
    european = delimiter == ";"
    vol, v_empty, v_bad, v_amb, clash = _parse_numeric(raw[chosen["volume"]], european=european)
    _check_clash(clash, "volume", chosen["volume"])
    if v_bad.any():
        first = raw[chosen["volume"]].to_numpy(object)[v_bad][0]
        raise ValueError(f"'volume' must be a number: {_show(first)} "
                         f"{_where(rownum[v_bad], chosen['volume'], 'volume')}")
    _check_negative(vol, "volume", chosen["volume"], rownum)
    _ambiguous_issue(issues, v_amb, raw[chosen["volume"]], vol, "volume", rownum)

    frame = pd.DataFrame({"_row": rownum, "queue": qvals, "start": when.wall,
                          "_instant": np.where(when.aware, when.instant, when.wall),
                          "volume": vol})
    for field in ("aht", "abandoned"):
        if field not in chosen:
            frame[field] = np.nan
            continue
        col = chosen[field]
        vals, _, bad, amb, clash = _parse_numeric(raw[col], durations=field == "aht",
                                                  european=european)
        _check_clash(clash, field, col)
        _check_negative(vals, field, col, rownum)
        if bad.any():
            shown = raw[col].to_numpy(object)[bad]
            examples = ", ".join(dict.fromkeys(_show(v) for v in shown[:50]).keys())
            examples = ", ".join(examples.split(", ")[:3])
            issues.append(Issue("non_numeric", tuple(int(r) for r in rownum[bad]),
                                f"{field!r} is not a number in {bad.sum()} "
                                f"row{'s' if bad.sum() > 1 else ''} ({examples}): set to NaN "
                                f"(unknown) {_where(rownum[bad], col, field)}"))
        _ambiguous_issue(issues, amb, raw[col], vals, field, rownum)
        frame[field] = vals
        if field == "aht":
            plain = np.array([not (isinstance(v, str) and ":" in v) and
                              not isinstance(v, (_dt.time, _dt.timedelta))
                              for v in raw[col].to_numpy(object)], bool)
            known = np.isfinite(vals) & plain & (vol > 0)
            if known.sum() >= 3 and np.median(vals[known]) < 15:
                issues.append(Issue("aht_units", (),
                                    f"'aht' median is {np.median(vals[known]):g} seconds "
                                    f"(column {str(col)!r}): AHT is read as seconds; if the "
                                    "column holds minutes, convert it"))

    # -- time zone: local clock time; UTC instants where known (to place clock changes)
    has_instants = bool(when.aware.any())
    if has_instants and tz is not None:
        local = (pd.DatetimeIndex(frame["_instant"]).tz_localize("UTC").tz_convert(tz)
                 .tz_localize(None))
        frame["start"] = local.to_numpy("datetime64[ns]")
    elif has_instants and when.utc_only:
        example = f" (e.g. {when.example!r})" if when.example else ""
        issues.append(Issue("timezone", (),
                            f"'start' is marked UTC{example}: read as local clock time as "
                            "written; if the times are UTC instants, give tz='Area/City' to "
                            "convert them"))
    frame["_fold"] = 0
    if tz is not None and not has_instants:
        frame["_instant"], frame["_fold"] = _localize_naive(frame, tz, issues)
        has_instants = True

    # -- interval, from every row with a start (rows without a volume included)
    starts = pd.Series(frame["start"].to_numpy("datetime64[ns]"))
    found = _detect(starts, frame["queue"].to_numpy(), required=interval is None)
    if interval is None:
        interval = found
    elif found is not None and found > interval:
        minutes = starts.dt.hour * 60 + starts.dt.minute
        if ((minutes % found == 0) & (starts.dt.second == 0)).all():
            raise ValueError(f"'interval' is {interval} minutes but every start is on the "
                             f"{found}-minute grid, {found} minutes apart: the source holds "
                             f"{found}-minute intervals (give interval={found} or leave it out)")

    # -- rows without a volume: unknown interval, dropped
    if v_empty.any():
        rows = rownum[v_empty]
        issues.append(Issue("missing", tuple(int(r) for r in rows),
                            f"'volume' is empty in {v_empty.sum()} "
                            f"row{'s' if v_empty.sum() > 1 else ''}: dropped, the interval is "
                            f"unknown {_where(rows, chosen['volume'], 'volume')}"))
        frame = frame[~v_empty]
        if frame.empty:
            raise ValueError(f"'volume' is empty in every row "
                             f"(column {str(chosen['volume'])!r})")

    frame = _align(frame, interval, found, issues)

    # -- duplicates, then daylight-saving folds (same local start, other side of the change)
    if bool(when.aware.any()):
        frame["_fold"] = (frame.groupby(["queue", "start"])["_instant"]
                          .rank(method="dense").astype(int) - 1)
    frame = _duplicates(frame, duplicates, issues)
    frame = _folds(frame, issues)

    # -- checks on the result
    over = frame["abandoned"].to_numpy() > frame["volume"].to_numpy()
    if over.any():
        rows = frame["_row"].to_numpy()[over]
        issues.append(Issue("inconsistent", tuple(sorted(int(r) for r in rows)),
                            f"'abandoned' exceeds 'volume' in {over.sum()} "
                            f"row{'s' if over.sum() > 1 else ''}: kept as given "
                            f"({_rows_text(rows)})"))
    issues.extend(_gaps(frame, interval, has_instants))

    out = frame.sort_values(["queue", "start"], kind="stable")[list(COLUMNS)]
    return History.from_frame(out, interval=interval, report=issues)


def _detect(starts, queues, required):
    """Interval length: :func:`detect_interval`; if the most common gap is not an
    interval length (a few starts off the grid), the most common gap that is one."""
    try:
        return detect_interval(starts, queues)
    except ValueError as exc:
        error = exc
    frame = pd.DataFrame({"q": queues, "d": starts.dt.normalize(), "s": starts})
    frame = frame.sort_values(["q", "d", "s"])
    gaps = frame.groupby(["q", "d"])["s"].diff().dropna().dt.total_seconds() / 60
    gaps = gaps[gaps.isin(INTERVALS)]
    if gaps.empty:
        if required:
            raise error
        return None
    counts = gaps.value_counts()
    return int(counts[counts == counts.max()].index.min())


def _queue_name(v):
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _check_clash(clash, field, column):
    if clash:
        raise ValueError(f"{field!r} must use one decimal separator: {clash[0]!r} and "
                         f"{clash[1]!r} (column {str(column)!r})")


def _check_negative(values, field, column, rownum):
    neg = values < 0
    if neg.any():
        raise ValueError(f"{field!r} must be >= 0: {_show(values[neg][0])} "
                         f"{_where(rownum[neg], column, field)}")


def _ambiguous_issue(issues, ambiguous, series, values, field, rownum):
    if ambiguous.any():
        i = int(np.flatnonzero(ambiguous)[0])
        text = str(series.to_numpy(object)[i]).strip()
        sep = "," if "," in text else "."
        role = "decimal" if values[i] != int(values[i]) else "thousands"
        issues.append(Issue("number_format", tuple(int(r) for r in rownum[ambiguous]),
                            f"{field!r}: read {text!r} as {_show(values[i])} ({sep!r} taken as "
                            f"the {role} separator: no value in the column settles it) "
                            f"({_rows_text(rownum[ambiguous])})"))


def _start(raw, start_col, date_col, time_col, rownum, date_format, dayfirst):
    """Parse the start from one column or date + time; errors name the rows."""
    def single(col):
        w = _parse_datetimes(raw[col], date_format, dayfirst)
        _refuse(w.empty, w.bad, raw[col], col, "start", rownum, date_format)
        mixed = w.aware.any() and (~w.aware & ~w.empty).any()
        if mixed:
            plain = ~w.aware & ~w.empty
            raise ValueError(f"'start' must be all with or all without a UTC offset: "
                             f"{_show(raw[col].iloc[int(np.flatnonzero(plain)[0])])} has "
                             f"none ({_rows_text(rownum[plain])}; with an offset: "
                             f"{_rows_text(rownum[w.aware])}; column {str(col)!r})")
        return w

    def split(dcol, tcol, dates=None):
        if dates is None:
            dates = _parse_datetimes(raw[dcol], date_format, dayfirst)
            _refuse(dates.empty, dates.bad, raw[dcol], dcol, "date", rownum, date_format)
        if dates.aware.any():
            raise ValueError(f"'date' must be a calendar date without a UTC offset: "
                             f"{_show(raw[dcol].iloc[int(np.flatnonzero(dates.aware)[0])])} "
                             f"{_where(rownum[dates.aware], dcol, 'date')}")
        day = dates.wall.astype("datetime64[D]").astype("datetime64[ns]")
        timed = dates.wall != day
        if timed.any():
            raise ValueError(f"'date' must hold dates without a time of day (the time is in "
                             f"column {str(tcol)!r}): "
                             f"{_show(raw[dcol].iloc[int(np.flatnonzero(timed)[0])])} "
                             f"{_where(rownum[timed], dcol, 'date')}")
        tod, empty, bad = _parse_times(raw[tcol])
        if empty.any():
            raise ValueError(f"'time' must not be empty: '' {_where(rownum[empty], tcol, 'time')}")
        if bad.any():
            raise ValueError(f"'time' must be a time of day such as 08:30: "
                             f"{_show(raw[tcol].iloc[int(np.flatnonzero(bad)[0])])} "
                             f"{_where(rownum[bad], tcol, 'time')}")
        w = _When(len(raw))
        w.wall = day + tod
        return w

    if start_col is not None:
        if _looks_time_of_day(raw[start_col]):
            if date_col is None:
                raise ValueError(f"'start' must hold dates and times: column {str(start_col)!r} "
                                 "holds times of day only and there is no date column; give "
                                 "mapping={'date': ...}")
            return split(date_col, start_col), (date_col, start_col)
        w = single(start_col)
        midnight = (w.wall == w.wall.astype("datetime64[D]").astype("datetime64[ns]")).all()
        if midnight and time_col is not None and not w.aware.any():
            return split(start_col, time_col, dates=w), (start_col, time_col)
        if midnight:
            raise ValueError(f"'start' must hold times of day: column {str(start_col)!r} holds "
                             "dates only; give the time column with mapping={'time': ...}")
        return w, (start_col,)
    if time_col is not None:
        return split(date_col, time_col), (date_col, time_col)
    w = single(date_col)
    if (w.wall == w.wall.astype("datetime64[D]").astype("datetime64[ns]")).all():
        raise ValueError(f"'start' column not found: column {str(date_col)!r} holds dates only "
                         "and there is no time column; give mapping={'start': ...} or "
                         "mapping={'date': ..., 'time': ...}")
    return w, (date_col,)


def _refuse(empty, bad, series, column, field, rownum, date_format):
    if empty.any():
        raise ValueError(f"{field!r} must not be empty: '' {_where(rownum[empty], column, field)}")
    if bad.any():
        value = series.iloc[int(np.flatnonzero(bad)[0])]
        hint = ("" if date_format is not None else
                "; give date_format (e.g. '%d/%m/%Y %H:%M') or dayfirst=True")
        raise ValueError(f"{field!r} must be a date and time: {_show(value)} "
                         f"{_where(rownum[bad], column, field)}{hint}")


def _localize_naive(frame, tz, issues):
    """UTC instants of naive local times in ``tz``; the first of a repeated time is the
    earlier (summer-time) hour; times the clock skipped are reported."""
    start = pd.DatetimeIndex(frame["start"])
    first = ~frame.duplicated(["queue", "start"]).to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loc = start.tz_localize(tz, ambiguous=first, nonexistent="NaT")
        repeated = np.asarray(start.tz_localize(tz, ambiguous="NaT", nonexistent="NaT").isna())
        fold = (repeated & ~first & ~np.asarray(loc.isna())).astype(int)
        skipped = np.asarray(loc.isna()) & ~np.isnat(start.to_numpy())
        if skipped.any():
            rows = frame["_row"].to_numpy()[skipped]
            issues.append(Issue("dst", tuple(int(r) for r in rows),
                                f"'start' {_stamp(start[skipped][0])} does not exist on the "
                                f"clock in {tz} (skipped by the change to summer time): kept "
                                f"as written ({_rows_text(rows)})"))
            loc = start.tz_localize(tz, ambiguous=first, nonexistent="shift_forward")
    return loc.tz_convert("UTC").tz_localize(None).to_numpy("datetime64[ns]"), fold


def _align(frame, interval, found, issues):
    """Floor starts that are all off the grid by one offset; refuse other misalignments."""
    step = interval * 60 * _NS
    start = frame["start"].to_numpy("datetime64[ns]").astype(np.int64)
    off = start % step
    if not off.any():
        return frame
    frame = frame.copy()
    shift = np.zeros(len(frame), np.int64)
    for q in pd.unique(frame["queue"]):
        sel = (frame["queue"] == q).to_numpy()
        offs = np.unique(off[sel])
        if len(offs) == 1 and offs[0] != 0:
            shift[sel] = offs[0]
            rows = frame["_row"].to_numpy()[sel]
            by = pd.Timedelta(int(offs[0]), "ns")
            example = _stamp(pd.Timestamp(int(start[sel][0])))
            issues.append(Issue("misaligned", tuple(sorted(int(r) for r in rows)),
                                f"queue {q!r}: every start is {_duration(by)} past the "
                                f"{interval}-minute grid (e.g. {example}): floored to the "
                                f"interval start ({_rows_text(rows)})"))
        elif len(offs) > 1:
            badsel = sel & (off != 0)
            rows = frame["_row"].to_numpy()[badsel]
            first = _stamp(pd.Timestamp(int(start[badsel][0])))
            hint = ""
            if found is not None and found < interval:
                hint = f"; the starts look like {found}-minute intervals: give interval={found}"
            elif found is None or found == interval:
                smaller = [i for i in INTERVALS
                           if i < interval and not (off % (i * 60 * _NS)).any()]
                if smaller:
                    hint = f"; if the source holds {smaller[-1]}-minute intervals, give " \
                           f"interval={smaller[-1]}"
            raise ValueError(f"'start' must fall on the {interval}-minute grid: {first} "
                             f"({_rows_text(rows)}; queue {q!r}){hint}")
    frame["start"] = (start - shift).astype("datetime64[ns]")
    frame["_instant"] = (frame["_instant"].to_numpy("datetime64[ns]").astype(np.int64)
                         - shift).astype("datetime64[ns]")
    return frame


def _duration(td):
    s = int(td.total_seconds())
    if s % 60 == 0:
        return f"{s // 60} minute{'s' if s // 60 != 1 else ''}"
    return f"{s} second{'s' if s != 1 else ''}" if s < 60 else f"{s // 60}:{s % 60:02d} (m:ss)"


def _merge(frame, key):
    """Add up rows with the same key: volume and abandoned add, AHT volume-weighted."""
    f = frame.copy()
    known = f["aht"].notna()
    f["_work"] = np.where(known, f["aht"] * f["volume"], 0.0)
    f["_known"] = np.where(known, f["volume"], 0.0)
    f["_ahts"] = f["aht"].fillna(0.0)
    f["_ahtn"] = known.astype(float)
    g = f.groupby(key, sort=False)
    spec = dict(_row=("_row", "min"), start=("start", "first"), _instant=("_instant", "min"),
                _fold=("_fold", "min"),
                volume=("volume", "sum"), _work=("_work", "sum"), _known=("_known", "sum"),
                _ahts=("_ahts", "sum"), _ahtn=("_ahtn", "sum"))
    out = g.agg(**{k: v for k, v in spec.items() if k not in key}).reset_index()
    out["abandoned"] = g["abandoned"].sum(min_count=1).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["aht"] = np.where(out["_known"] > 0, out["_work"] / out["_known"],
                              np.where(out["_ahtn"] > 0, out["_ahts"] / out["_ahtn"], np.nan))
    return out[frame.columns]


def _duplicates(frame, policy, issues):
    key = ["queue", "start", "_fold"]
    dup = frame.duplicated(key, keep=False).to_numpy()
    if not dup.any():
        return frame
    d = frame[dup].sort_values(["queue", "start", "_fold", "_row"])
    if policy == "error":
        q, first, fold = d["queue"].iloc[0], d["start"].iloc[0], d["_fold"].iloc[0]
        group = d[(d["queue"] == q) & (d["start"] == first) & (d["_fold"] == fold)]
        raise ValueError(f"'start' must be unique per queue: {_stamp(group['start'].iloc[0])} "
                         f"appears {len(group)} times for queue {q!r} "
                         f"({_rows_text(group['_row'])}); {len(d)} rows in all are duplicates "
                         f"({_rows_text(d['_row'])}): give duplicates='sum', 'first' or 'last'")
    if policy == "sum":
        kept = pd.concat([frame[~dup], _merge(frame[dup], key)], ignore_index=True)
        what = "added up (volume and abandoned summed, AHT volume-weighted)"
    else:
        kept = frame.sort_values("_row").drop_duplicates(key, keep=policy)
        what = f"kept the {policy} row of each"
    for q, sub in d.groupby("queue", sort=True):
        groups = sub.groupby(["start", "_fold"], sort=True)
        examples = ", ".join(f"{_stamp(g['start'].iloc[0])} ({_rows_text(g['_row'])})"
                             for _, g in list(groups)[:5])
        more = f", ... ({groups.ngroups} starts)" if groups.ngroups > 5 else ""
        hint = _dst_hint(sub["start"])
        issues.append(Issue("duplicate", tuple(sorted(int(r) for r in sub["_row"])),
                            f"queue {q!r}: {groups.ngroups} start"
                            f"{'s appear' if groups.ngroups > 1 else ' appears'} more than once: "
                            f"{examples}{more}: {what}{hint}"))
    return kept


def _dst_hint(starts):
    s = pd.DatetimeIndex(starts)
    if s.normalize().nunique() == 1 and (s.hour <= 3).all() and \
            (s.max() - s.min()) < pd.Timedelta(hours=1):
        return " (the hour repeated when clocks go back? give tz to tell them apart)"
    return ""


def _folds(frame, issues):
    """Same queue and local start, different instants: the hour repeated in autumn."""
    fold = frame.duplicated(["queue", "start"], keep=False).to_numpy()
    if not fold.any():
        return frame
    d = frame[fold]
    for (q, day), sub in d.groupby(["queue", d["start"].dt.normalize()], sort=True):
        s = sub["start"]
        issues.append(Issue("dst", tuple(sorted(int(r) for r in sub["_row"])),
                            f"queue {q!r} on {day:%Y-%m-%d}: clocks went back, "
                            f"{s.min():%H:%M}-{s.max():%H:%M} occurred twice; "
                            f"{s.nunique()} interval{'s' if s.nunique() > 1 else ''} combine both "
                            f"hours (volume and abandoned added, AHT volume-weighted) "
                            f"({_rows_text(sub['_row'])})"))
    merged = _merge(d, ["queue", "start"])
    return pd.concat([frame[~fold], merged], ignore_index=True)


def _gaps(frame, interval, has_instants):
    """Missing slots inside each queue's opening hours of a day; spring-forward hours."""
    issues = []
    step = interval * 60 * _NS
    per_day = 1440 // interval
    for q, sub in frame.groupby("queue", sort=True):
        start = sub["start"].to_numpy("datetime64[ns]").astype(np.int64)
        dayi = start // _DAY_NS
        slot = (start - dayi * _DAY_NS) // step
        days, d = np.unique(dayi, return_inverse=True)
        present = np.zeros((len(days), per_day), bool)
        present[d, slot] = True
        rowm = np.zeros((len(days), per_day), np.int64)
        rowm[d, slot] = sub["_row"].to_numpy()
        instm = np.zeros((len(days), per_day), np.int64)
        instm[d, slot] = sub["_instant"].to_numpy("datetime64[ns]").astype(np.int64)
        first = np.full(len(days), per_day)
        last = np.full(len(days), -1)
        np.minimum.at(first, d, slot)
        np.maximum.at(last, d, slot)
        cols = np.arange(per_day)
        opened = present.any(0) if len(days) > 1 else np.ones(per_day, bool)
        miss = (opened[None, :] & ~present & (cols > first[:, None])
                & (cols < last[:, None]))
        for di in np.flatnonzero(miss.any(1)):
            ms = np.flatnonzero(miss[di])
            for run in np.split(ms, np.flatnonzero(np.diff(ms) > 1) + 1):
                a, b = int(run[0]), int(run[-1])
                prev = int(np.flatnonzero(present[di, :a])[-1])
                nxt = b + 1 + int(np.flatnonzero(present[di, b + 1:])[0])
                r1, r2 = int(rowm[di, prev]), int(rowm[di, nxt])
                day = pd.Timestamp(int(days[di]) * _DAY_NS)
                t0 = day + pd.Timedelta(minutes=a * interval)
                t1 = day + pd.Timedelta(minutes=(b + 1) * interval)
                span = f"{t0:%Y-%m-%d %H:%M}-{t1:%H:%M}"
                count = b - a + 1
                what = f"{count} interval{'s' if count > 1 else ''}"
                real = int(instm[di, nxt] - instm[di, prev]) if has_instants else None
                local = (nxt - prev) * step
                if real is not None and real < local and real == step:
                    issues.append(Issue("dst", (r1, r2),
                                        f"queue {q!r}: {span} does not exist on the local clock "
                                        f"(clocks went forward {(local - real) // (60 * _NS)} "
                                        f"minutes): no row expected ({what}), between rows "
                                        f"{r1} and {r2}"))
                    continue
                note = ""
                if real is not None and real < local:
                    note = (f" ({(local - real) // (60 * _NS)} minutes of it skipped by the "
                            f"clocks going forward)")
                issues.append(Issue("gap", (r1, r2),
                                    f"queue {q!r}: no row for {span} ({what}) inside opening "
                                    f"hours{note}, between rows {r1} and {r2}"))
    return issues
