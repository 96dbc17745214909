"""Sources: getting a raw table of cells out of whatever the planner hands in.

The one loader of history files, shared by :func:`forecast.read_intervals`
and :func:`forecast.read_acd`:

* :func:`open_source` takes a path, bytes, an open file (text or binary) or
  a pandas DataFrame; a file's format is recognised from its content, not
  its name: Excel ``.xlsx``, parquet, old ``.xls`` (refused with advice),
  else text.
* :func:`decode` turns text bytes into a string: UTF-16 with a byte-order
  mark, else UTF-8 (a BOM dropped), else Windows-1252.
* :func:`sniff` is the one delimiter detector: among ``,`` ``;`` tab and
  ``|``, the one that splits a sample of lines most consistently.
* :func:`load` gives the raw table: every CSV cell a string, Excel and
  parquet cells typed, rows numbered 1.. from the first row under the
  header (the row numbers of every message), size limits enforced.
  :func:`read_text` gives the text of a line-based log instead, and
  :func:`read_header` the column names alone.
* :func:`drop_blank_rows` removes fully empty rows, reporting those inside
  the data.

Examples
--------
>>> sniff(["queue;start;volume", "a;2024-03-04 08:00;3,5"])
';'
>>> read_header(b"Skill|Interval|Offered\\nsales|2024-03-04 08:00|12\\n")
['Skill', 'Interval', 'Offered']
>>> raw, sep = load(b"queue,volume\\nsales,12\\n")
>>> raw.to_dict("index"), sep
({1: {'queue': 'sales', 'volume': '12'}}, ',')
"""

import codecs
import csv
import datetime as _dt
import difflib
import io
import os
import re
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from ccwfm._limits import at_most, limit
from ccwfm._validation import error, repeated

from ._cells import MISSING
from ._messages import columns_list, rows_text
from .history import Issue

__all__ = ["DELIMITERS", "Source", "decode", "drop_blank_rows", "load", "open_source",
           "read_header", "read_text", "sniff"]

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_LINES = 60                # lines the delimiter is sniffed on
HEADER_BYTES = 65536             # bytes read_header decodes
_HINT = re.compile(r"\s*sep=(.)\s*")        # Excel's delimiter hint line
_MAGIC = {b"PK\x03\x04": "xlsx", b"PAR1": "parquet", b"\xd0\xcf\x11\xe0": "xls"}


class Source(NamedTuple):
    """An opened source: exactly one of ``frame``, ``data`` and ``text`` is set.

    Attributes
    ----------
    frame : pandas.DataFrame or None
    data : bytes or None
        A file's content.
    text : str or None
        What a text file object gave.
    name : str or None
        The file's name, for messages.
    """

    frame: object = None
    data: bytes = None
    text: str = None
    name: str = None

    @property
    def format(self):
        """``"frame"``, ``"xlsx"``, ``"parquet"``, ``"xls"`` or ``"text"``."""
        if self.frame is not None:
            return "frame"
        if self.data is not None:
            return _MAGIC.get(self.data[:4], "text")
        return "text"


def open_source(source):
    """Open a path, bytes, file object or DataFrame as a :class:`Source`.

    A file's size is checked against the limit ``file_size`` before it is
    read (from the path, the length of the bytes or a binary file's
    position); a DataFrame's rows against ``history_rows``.

    Raises
    ------
    ValueError
        A path that is not a file (a string with a line break is taken for
        CSV text and refused with advice: pass ``io.StringIO(text)``), a
        source too large or unreadable, or a source of another type.
    """
    if isinstance(source, pd.DataFrame):
        at_most("source", len(source), "history_rows")
        return Source(frame=source)
    if isinstance(source, (str, os.PathLike)):
        return _open_path(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        _check_bytes(len(memoryview(source).cast("B")))
        return Source(data=bytes(source))
    if hasattr(source, "read"):
        return _open_file_object(source)
    raise ValueError("'source' must be a path, a file object, bytes or a pandas "
                     f"DataFrame: {type(source).__name__}")


def _check_bytes(n):
    """Refuse a file of more than the limit ``file_size`` (MiB) before reading it."""
    mib = n / 2**20
    if mib > limit("file_size"):
        shown = float(f"{mib:.3g}")
        at_most("source", shown if shown > limit("file_size") else mib, "file_size")


def _open_path(source):
    if isinstance(source, str) and ("\n" in source or "\r" in source):
        raise ValueError(f"'source' looks like CSV text, not a file name (it has a line "
                         f"break): {source[:60]!r}: pass io.StringIO(text) or text.encode() "
                         "to read text, a path to read a file")
    try:
        path = Path(source)
        found = path.is_file()
        size = path.stat().st_size if found else 0
    except (OSError, ValueError, TypeError):
        found = False
    if not found:
        hint = ("; to read CSV text pass io.StringIO(text)"
                if any(c in str(source) for c in DELIMITERS) else "")
        raise ValueError(f"'source' file not found: {str(source)[:200]!r}{hint}")
    _check_bytes(size)
    try:
        return Source(data=path.read_bytes(), name=path.name)
    except (OSError, MemoryError) as exc:
        raise ValueError(f"'source' file cannot be read: {path.name!r} "
                         f"({type(exc).__name__}: {exc})") from None


def _open_file_object(source):
    name = getattr(source, "name", None)
    name = name if isinstance(name, str) else None
    if not isinstance(source, io.TextIOBase):
        try:
            if source.seekable():
                here = source.tell()
                end = source.seek(0, io.SEEK_END)
                source.seek(here)
                _check_bytes(end - here)
        except (AttributeError, OSError, TypeError, ValueError) as exc:
            if str(exc).startswith("'source'"):
                raise
    try:
        data = source.read()
    except (OSError, UnicodeError, MemoryError, ValueError, TypeError) as exc:
        raise ValueError(f"'source' file object cannot be read ({type(exc).__name__}: "
                         f"{exc})") from None
    if isinstance(data, str):
        _check_bytes(len(data))
        return Source(text=data, name=name)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError("'source' file object must give text or bytes when read: "
                         f"{type(data).__name__}")
    _check_bytes(len(data))
    return Source(data=bytes(data), name=name)


def decode(data, *, final=True):
    """Text of a file's bytes: UTF-16 (with a BOM), UTF-8 (BOM dropped), Windows-1252.

    Parameters
    ----------
    data : bytes
    final : bool
        False when ``data`` is only the beginning of a file: a character cut
        at the end is left out instead of making the text undecodable.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return codecs.getincrementaldecoder("utf-16")().decode(data, final=final)
        except UnicodeDecodeError as exc:
            raise ValueError(f"'source' starts with a UTF-16 byte-order mark but is not "
                             f"UTF-16 text: {exc}") from None
    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(data, final=final)
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _split_count(lines, delimiter):
    try:
        return [len(r) for r in csv.reader(lines, delimiter=delimiter)]
    except csv.Error as exc:
        raise ValueError(f"'source' is not a readable CSV file (delimiter {delimiter!r}): "
                         f"{exc}") from None


def check_sep(sep):
    """``sep`` if it is None or a delimiter (a non-empty string without quotes or line
    breaks), else a ValueError naming ``'sep'``."""
    if sep is not None and (not isinstance(sep, str) or not sep
                            or any(c in sep for c in "\r\n\"")):
        raise error("sep", "must be a delimiter such as ',' ';' '\\t' or '|'", sep)
    return sep


def _check_sheet(sheet):
    if sheet is not None and (isinstance(sheet, bool)
                              or not isinstance(sheet, (str, int, np.integer))):
        raise error("sheet", "must be a sheet name or a 0-based index", sheet)


def sniff(lines):
    """The delimiter among ``, ; tab |`` that splits ``lines`` most consistently, or None.

    Parameters
    ----------
    lines : list of str
        The header line first, then a sample of data lines (blank lines left out).

    Returns
    -------
    str or None
        The candidate giving the header two fields or more whose data lines
        most often have as many fields as the header (ties: the one giving
        more fields); None when none splits the header.
    """
    best, best_key = None, None
    for cand in DELIMITERS:
        try:
            counts = _split_count(lines, cand)
        except ValueError:
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


def _text_lines(text):
    """Lines of a CSV text from its header on, and the delimiter of an Excel ``sep=`` line."""
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    hinted = None
    if lines and _HINT.fullmatch(lines[0]):
        hinted = _HINT.fullmatch(lines[0]).group(1)
        lines.pop(0)
    return lines, hinted


def _sample(lines):
    return [ln for ln in lines[:SAMPLE_LINES] if ln.strip()]


def _choose_sep(lines, sep):
    """``sep``, else the sniffed delimiter; an error with a hint when the header does not split."""
    header = lines[0]
    detected = sniff(_sample(lines))
    if sep is None:
        sep = detected
    if sep is None or (len(sep) == 1 and sep != " " and _split_count([header], sep)[0] < 2):
        guess = detected if detected not in (None, sep) else _guess_delimiter(header)
        how = "could not be detected" if sep is None else f"{sep!r} does not split it"
        hint = f": pass sep={guess!r}" if guess else ": pass sep"
        raise ValueError(f"'sep' {how}: the header reads as one column {header!r}{hint}")
    return sep


# ---------------------------------------------------------------------------
# the loader

def load(source, *, sheet=None, sep=None, max_rows=None, skip_blank_lines=False):
    """The raw table of a source, rows numbered from 1, and its CSV delimiter.

    Parameters
    ----------
    source : str, os.PathLike, file object, bytes or pandas.DataFrame
        See :func:`open_source`.
    sheet : str or int, optional
        Excel sheet name or 0-based index; default the first sheet.
    sep : str, optional
        CSV delimiter; default :func:`sniff` (or an Excel ``sep=`` line).
    max_rows : int, optional
        Refuse more data rows (blank rows at the end excluded).
    skip_blank_lines : bool
        Leave empty CSV lines out (and out of the row numbers) instead of
        reading them as rows of empty cells.

    Returns
    -------
    (pandas.DataFrame, str or None)
        The cells (CSV: all strings, column names stripped; Excel and
        parquet: typed), index 1..n; the delimiter of a CSV source.

    Raises
    ------
    ValueError
        An unreadable, empty or too large source, a header that does not
        split, rows with more fields than the header, repeated column names,
        ``sheet``/``sep`` given for a format without sheets or delimiters.
    """
    check_sep(sep)
    _check_sheet(sheet)
    src = open_source(source)
    fmt = src.format
    if fmt == "frame":
        if sheet is not None or sep is not None:
            raise ValueError("'sheet' and 'sep' apply to files only, not to a DataFrame")
        return _load_frame(src.frame, max_rows), None
    if fmt == "xlsx":
        if sep is not None:
            raise ValueError("'sep' applies to CSV files only, not to an Excel file")
        return _load_excel(src.data, sheet=sheet, max_rows=max_rows), None
    if fmt == "parquet":
        if sheet is not None or sep is not None:
            raise ValueError("'sheet' and 'sep' apply to Excel and CSV files, not to parquet")
        return _load_parquet(src.data, max_rows=max_rows), None
    if fmt == "xls":
        name = f" {src.name!r}" if src.name else ""
        raise ValueError(f"'source' is an old Excel .xls file{name}: save it as .xlsx or CSV")
    text = src.text if src.text is not None else decode(src.data)
    return _load_csv(text, sep=sep, sheet=sheet, max_rows=max_rows,
                     skip_blank_lines=skip_blank_lines)


def _check_size(n, max_rows):
    at_most("source", n, "history_rows")
    if max_rows is not None and n > max_rows:
        raise ValueError(f"'source' must have at most max_rows={max_rows} data rows: {n}")


def _finish_raw(df):
    """Refuse repeated column names; number the rows 1..n."""
    dup = pd.Index(df.columns)[pd.Index(df.columns).duplicated()]
    if len(dup):
        raise ValueError(f"'source' must name each column once: {str(dup[0])!r} repeats "
                         f"(columns found: {columns_list(df.columns)})")
    df = df.reset_index(drop=True)
    df.index = pd.RangeIndex(1, len(df) + 1)
    return df


def _frame_columns(df):
    """A DataFrame with a meaningful index turned into columns, names as stripped text."""
    if isinstance(df.index, pd.DatetimeIndex) and df.index.name is None:
        df = df.rename_axis("start").reset_index()
    elif isinstance(df.index, pd.MultiIndex) or df.index.name is not None:
        df = df.reset_index()
    df = df.copy()
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _load_frame(df, max_rows):
    df = _frame_columns(df)
    _check_size(len(df), max_rows)
    return _finish_raw(df)


def _read_csv(text, sep, *, nrows=None, skip_blank_lines=False, header="infer"):
    """Every cell a string, nothing read as missing; errors in words."""
    try:
        with warnings.catch_warnings():     # extra empty fields: _check_fields has judged
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, na_filter=False,
                               skip_blank_lines=skip_blank_lines, skipinitialspace=True,
                               index_col=False, nrows=nrows, header=header,
                               engine="c" if len(sep) == 1 else "python")
    except pd.errors.EmptyDataError:
        raise ValueError("'source' is empty: no header and no data rows") from None
    except (ValueError, csv.Error, re.error, OverflowError, MemoryError) as exc:
        if not isinstance(exc, pd.errors.ParserError):
            raise ValueError(f"'source' is not a readable CSV file (delimiter {sep!r}): "
                             f"{type(exc).__name__}: {exc}") from None
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if not m:
            raise ValueError(f"'source' is not a readable CSV file (delimiter {sep!r}): "
                             f"{exc}") from None
        exp, line, saw = (int(g) for g in m.groups())
        raise ValueError(
            f"'source' row {line - 1} has {saw} fields but the header has {exp} "
            f"(delimiter {sep!r}): a value may contain the delimiter unquoted, e.g. a "
            "thousands separator '1,234' in a comma-separated file") from None


def _load_csv(text, *, sep, sheet, max_rows, skip_blank_lines=False):
    if sheet is not None:
        raise ValueError("'sheet' applies to Excel files only, not to CSV")
    lines, hinted = _text_lines(text)
    sep = sep or hinted
    if not lines:
        raise ValueError("'source' is empty: no header and no data rows")
    header = lines[0]
    sep = _choose_sep(lines, sep)
    blank = set(sep) | set(" \t\"'")
    n = len(lines) - 1
    while n and not lines[n].strip("".join(blank)):
        n -= 1
    _check_size(n, max_rows)                # rows counted before any parsing
    _check_header(lines, sep)
    text = "\n".join(lines)
    if len(sep) == 1:
        _check_fields(text, sep)
    df = _read_csv(text, sep, skip_blank_lines=skip_blank_lines)
    df.columns = [str(c).strip() for c in df.columns]
    if df.shape[1] < 2:
        raise ValueError(f"'sep' {sep!r} does not split the header: it reads as one column "
                         f"{header!r}")
    return _finish_raw(df), sep


def _header_names(lines, sep):
    """The header's names as written (pandas would rename a repeated one ``name.1``)."""
    head = _read_csv("\n".join(lines[:SAMPLE_LINES]), sep, nrows=1, header=None)
    return [str(c).strip() for c in head.iloc[0].tolist()] if len(head) else []


def _check_header(lines, sep):
    """Refuse a header naming a column twice (compared stripped)."""
    names = [n for n in _header_names(lines, sep) if n]
    _refuse_repeats(names)


def _refuse_repeats(names):
    dup = repeated(names)
    if dup is not None:
        raise ValueError(f"'source' must name each column once: {dup!r} repeats "
                         f"(columns found: {columns_list(names)}); rename or remove one")


def _check_fields(text, sep):
    """Refuse rows with more (non-empty) fields than the header: values would shift."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    over, saw = [], 0
    try:
        width = len(next(reader))
        for row, fields in enumerate(reader, start=1):
            if len(fields) > width and any(f.strip() for f in fields[width:]):
                over.append(row)
                saw = saw or len(fields)
    except csv.Error as exc:
        raise ValueError(f"'source' is not a readable CSV file (delimiter {sep!r}): "
                         f"{exc}") from None
    if over:
        raise ValueError(f"'source' rows must have at most the {width} fields of the header: "
                         f"{saw} ({rows_text(over)}; delimiter {sep!r}): a value may contain "
                         "the delimiter unquoted, e.g. a thousands separator '1,234' or a "
                         "decimal comma '3,5' in a comma-separated file")


def _open_workbook(data):
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # corrupt archive, not a workbook, ...
        raise ValueError(f"'source' is not a readable .xlsx file: {exc}") from None


def _sheet(wb, sheet):
    """The worksheet named or numbered by ``sheet`` (default the first)."""
    names = wb.sheetnames
    if sheet is None:
        return wb.worksheets[0]
    if isinstance(sheet, (int, np.integer)) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(names):
            raise ValueError(f"'sheet' must be an index from 0 to {len(names) - 1} or a "
                             f"name ({', '.join(map(repr, names))}): {sheet!r}")
        return wb.worksheets[int(sheet)]
    if isinstance(sheet, str) and sheet in names:
        return wb[sheet]
    near = difflib.get_close_matches(str(sheet), names, n=1)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    raise ValueError(f"'sheet' must name a sheet of the workbook "
                     f"({', '.join(map(repr, names))}): {sheet!r}{hint}")


def _sheet_rows(ws, max_rows, header_only=False):
    """The header row (first non-empty row) and the rows under it, up to the last non-empty."""
    header, rows, last = None, [], 0
    for values in ws.iter_rows(values_only=True):
        values = [_excel_value(v) for v in values]
        nonempty = any(not _is_blank_cell(v) for v in values)
        if header is None:
            if nonempty:
                header = values
                if header_only:
                    break
            continue
        rows.append(values)
        if nonempty:
            last = len(rows)
            at_most("source", last, "history_rows")
            if max_rows is not None and last > max_rows:
                raise ValueError(f"'source' must have at most max_rows={max_rows} data "
                                 f"rows: more in sheet {ws.title!r}")
    return header, rows[:last]


def _column_name(header, j):
    from openpyxl.utils import get_column_letter

    v = header[j]
    return str(v).strip() if not _is_blank_cell(v) else f"column {get_column_letter(j + 1)}"


def _read_sheet(data, sheet, max_rows, header_only=False):
    """The title, header and rows of a sheet; a corrupt workbook is a ValueError."""
    wb = _open_workbook(data)
    try:
        ws = _sheet(wb, sheet)
        return (ws.title, *_sheet_rows(ws, max_rows, header_only))
    except ValueError as exc:
        if str(exc).startswith("'"):
            raise
        raise ValueError(f"'source' is not a readable .xlsx file: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl parses corrupt parts lazily
        raise ValueError(f"'source' is not a readable .xlsx file: {type(exc).__name__}: "
                         f"{exc}") from None
    finally:
        wb.close()


def _load_excel(data, *, sheet, max_rows):
    title, header, rows = _read_sheet(data, sheet, max_rows)
    if header is None:
        raise ValueError(f"'source' is empty: sheet {title!r} has no header and no data rows")
    width = max([len(header)] + [len(r) for r in rows])
    header = list(header) + [None] * (width - len(header))
    rows = [list(r) + [None] * (width - len(r)) for r in rows]
    keep = [j for j in range(width)
            if not _is_blank_cell(header[j]) or any(not _is_blank_cell(r[j]) for r in rows)]
    names = [_column_name(header, j) for j in keep]
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
    try:
        if pq is not None:              # rows counted from the metadata, before reading
            _check_size(pq.ParquetFile(io.BytesIO(data)).metadata.num_rows, max_rows)
        df = pd.read_parquet(io.BytesIO(data))
    except ImportError:
        raise ValueError("'source' is a parquet file: reading it needs pyarrow or fastparquet, "
                         "which is not installed") from None
    except Exception as exc:  # noqa: BLE001 - a corrupt file fails anywhere in the reader
        if isinstance(exc, ValueError) and str(exc).startswith("'source'"):
            raise
        raise ValueError(f"'source' is not a readable parquet file: {type(exc).__name__}: "
                         f"{exc}") from None
    if isinstance(df.index, pd.MultiIndex) or df.index.name is not None:
        df = df.reset_index()
    df.columns = [str(c).strip() for c in df.columns]
    _check_size(len(df), max_rows)
    return _finish_raw(df)


# ---------------------------------------------------------------------------
# text and header only

def read_text(source, what="the log"):
    """The text of a line-based source (a path, bytes or a file object).

    Raises
    ------
    ValueError
        A DataFrame, or a binary format (Excel, parquet) where text is needed.
    """
    src = open_source(source)
    fmt = src.format
    if fmt == "frame":
        raise ValueError(f"'source' must be a text file for {what}: a DataFrame")
    if fmt != "text":
        raise ValueError(f"'source' must be a text file for {what}: it is an {fmt} file")
    return src.text if src.text is not None else decode(src.data)


def read_header(source, sep=None):
    """The column names of a table file, as :func:`read_intervals` will name them.

    Only the beginning of a text file is decoded; the delimiter is detected
    the way the readers detect it.

    Parameters
    ----------
    source : str, os.PathLike, file object, bytes or pandas.DataFrame
        A CSV (any delimiter and encoding the readers take), an Excel
        ``.xlsx`` workbook (its first sheet), a parquet file or a DataFrame.
    sep : str, optional
        CSV delimiter; by default detected among ``,`` ``;`` tab and ``|``.

    Returns
    -------
    list of str
        The names, stripped; one name (the whole header line) when no
        delimiter splits it; empty for an empty file.  In a workbook, an
        unnamed column between named ones is called ``"column C"``
        (its letter), as the readers call it.

    Raises
    ------
    ValueError
        An unreadable source or an old ``.xls`` workbook.

    Examples
    --------
    >>> read_header(b"Skill;Interval;Offered;AHT\\nsales;2024-03-04 08:00;12;185\\n")
    ['Skill', 'Interval', 'Offered', 'AHT']
    >>> read_header(b"just some words\\n")
    ['just some words']
    """
    check_sep(sep)
    src = open_source(source)
    fmt = src.format
    if fmt == "frame":
        return list(_frame_columns(src.frame).columns)
    if fmt == "xlsx":
        return _excel_header(src.data)
    if fmt in ("parquet", "xls"):
        return list(load(src.data)[0].columns)
    if src.text is not None:
        text, cut = src.text[:HEADER_BYTES], len(src.text) > HEADER_BYTES
    else:
        text = decode(src.data[:HEADER_BYTES], final=len(src.data) <= HEADER_BYTES)
        cut = len(src.data) > HEADER_BYTES
    lines, hinted = _text_lines(text)
    if cut and len(lines) > 1:
        lines.pop()                     # may be cut short
    if not lines:
        return []
    sep = sep or hinted or sniff(_sample(lines))
    if sep is None:
        return [lines[0].strip().strip('"')]
    names = _header_names(lines, sep)
    _refuse_repeats([n for n in names if n])
    head = _read_csv("\n".join(lines[:SAMPLE_LINES]), sep, nrows=0)
    return [str(c).strip() for c in head.columns]


def _excel_header(data):
    _, header, _ = _read_sheet(data, None, None, header_only=True)
    if header is None:
        return []
    named = [j for j, v in enumerate(header) if not _is_blank_cell(v)]
    return [_column_name(header, j) for j in range(named[-1] + 1)]


# ---------------------------------------------------------------------------
# blank rows

def drop_blank_rows(raw):
    """Drop fully empty rows: those inside the data with an Issue ``"blank"``, those
    at the end silently (padding, not data).

    Returns
    -------
    (pandas.DataFrame, list of Issue)

    Raises
    ------
    ValueError
        A table with a header but no data rows.
    """
    blank = np.ones(len(raw), bool)
    for col in raw.columns:
        cells = raw[col]
        empty = np.array(cells.isna(), dtype=bool)
        if cells.dtype == object or pd.api.types.is_string_dtype(cells.dtype):
            empty |= cells.astype(str).str.strip().str.lower().isin(MISSING).to_numpy()
        blank &= empty
    if not len(raw) or blank.all():
        raise ValueError("'source' has a header but no data rows: "
                         f"columns found: {columns_list(raw.columns)}")
    last = int(np.flatnonzero(~blank)[-1]) + 1
    inner = raw.index[:last][blank[:last]]
    issues = []
    if len(inner):
        issues.append(Issue("blank", tuple(int(r) for r in inner),
                            f"{len(inner)} empty row{'s' if len(inner) > 1 else ''} skipped "
                            f"({rows_text(inner)})"))
    return raw.iloc[:last][~blank[:last]], issues
