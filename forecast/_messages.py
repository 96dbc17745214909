"""The words of import findings: how errors and issues name rows, columns and values.

Every reader of history files says where a problem is the same way: the
field, the rule, the value as the planner wrote it, and the source rows,
``'volume' must be >= 0: -3 (rows 7, 9; column 'Offered')``.  Row numbers
are the 1-based data rows of the source, header excluded.

Examples
--------
>>> rows_text([9, 7])
'rows 7, 9'
>>> where([7], "Offered", "volume")
"(row 7; column 'Offered')"
>>> show(-3.0), show("abc")
('-3', "'abc'")
>>> span(pd.Timedelta(seconds=90))
'1:30 (m:ss)'
"""

import datetime as _dt

import numpy as np
import pandas as pd

__all__ = ["columns_list", "rows_text", "show", "span", "stamp", "where"]


def rows_text(rows, limit=10):
    """``'row 3'``, ``'rows 3, 7'`` or ``'rows 1, 2, ..., 10, ... (25 rows)'``.

    Parameters
    ----------
    rows : iterable of int
        Source row numbers (1-based); repeats are shown once, sorted.
    limit : int
        Most rows listed.
    """
    rows = sorted({int(r) for r in rows})
    if len(rows) == 1:
        return f"row {rows[0]}"
    text = ", ".join(str(r) for r in rows[:limit])
    if len(rows) > limit:
        return f"rows {text}, ... ({len(rows)} rows)"
    return f"rows {text}"


def where(rows, column, field):
    """``'(rows 7, 9)'``, with ``; column 'Offered'`` when the source names ``field`` otherwise."""
    text = rows_text(rows)
    if column is not None and str(column) != field:
        text += f"; column {str(column)!r}"
    return f"({text})"


def show(value):
    """A cell value as a planner wrote it: ``-3``, ``2.5``, ``'abc'``, ``'2024-03-04 08:00:00'``."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time, np.datetime64)):
        return repr(str(pd.Timestamp(value)) if not isinstance(value, _dt.time) else str(value))
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return repr(value) if not isinstance(value, (int, np.integer)) else str(int(value))


def stamp(ts):
    """A start time as ``'2024-03-04 08:15'`` (seconds shown only when there are any)."""
    ts = pd.Timestamp(ts)
    return ts.strftime("%Y-%m-%d %H:%M:%S" if ts.second else "%Y-%m-%d %H:%M")


def span(td):
    """A short length of time in words: ``'2 minutes'``, ``'59 seconds'``, ``'1:30 (m:ss)'``."""
    s = int(td.total_seconds())
    if s % 60 == 0:
        return f"{s // 60} minute{'s' if s // 60 != 1 else ''}"
    return f"{s} second{'s' if s != 1 else ''}" if s < 60 else f"{s // 60}:{s % 60:02d} (m:ss)"


def columns_list(columns):
    """Column names for a message: ``"'Skill', 'Interval'"``."""
    return ", ".join(repr(str(c)) for c in columns)
