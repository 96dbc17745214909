"""Write a plan out: CSV and Excel tables, PNG charts and a one-page HTML summary.

Every file is written to a temporary file next to its destination and then
renamed (:func:`plan._atomic.write_atomic`), so an error, Ctrl+C or a kill
never leaves a half-written file.

Formula injection: every text that goes into a table (cells, column
headers, index labels, the levels of a MultiIndex) passes through
:func:`safe_value`, by way of :func:`safe_text`, in every writer: the CSV
files, the Excel workbooks (:func:`write_excel`, also used by
:func:`excel_bytes` and ``ccwfm scenarios``), :func:`csv_bytes` and the
tables of the HTML page.  A text is *dangerous* when it starts with a
control or format character (tab, CR, LF, NUL, zero-width space, BOM...) or
when its first character after any leading blanks and control characters
is ``=``, ``+``, ``-``, ``@`` (OWASP's list) or ``|``, ``%`` (used by DDE
payloads and old spreadsheet syntax; escaped too, cheaply), compatibility
forms included (full-width ``＝`` reads as ``=``).  A dangerous text gets a
leading single quote (OWASP's advice): ``=cmd()`` is written ``'=cmd()``.
Numbers stay numbers (``-3`` in a numeric column is written as ``-3``); a
text that looks like a negative number (``"-3"``) is text and is escaped.
Excel sheet names cannot start with a quote: they get a leading ``_`` and
follow Excel's rules (:func:`sheet_names`).  In CSV every text field is
quoted (:func:`csv_bytes`), so that a CR, ``;`` or tab inside a text cannot
start a new row or cell, with its own formula, in a spreadsheet that splits
on them.  The HTML page escapes every
string with :func:`html.escape`.
"""

import base64
import csv
import datetime
import decimal
import html
import io
import re
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ._atomic import write_atomic
from .pooling import group_summary, is_pooled

__all__ = ["TABLES", "csv_bytes", "dangerous", "excel_bytes", "safe_text",
           "safe_value", "sheet_names", "tables", "write", "write_csv", "write_excel",
           "write_workbook", "zip_bytes"]

TABLES = ("summary", "costs", "attainment", "groups", "pooling", "pooling_queues", "forecast", "models", "requirements",
          "verification", "coverage", "shifts", "breaks", "achieved", "capacity", "hires")
_DANGER = frozenset("=+-@|%")
_SKIP = frozenset(("Cc", "Cf", "Zs", "Zl", "Zp"))     # blanks and controls before a formula
_NUMBER = (bool, int, float, np.bool_, np.integer, np.floating, decimal.Decimal)
_PLAIN = (datetime.date, datetime.time, np.datetime64)  # written as dates, not as text


def dangerous(text):
    """Whether a spreadsheet could read ``text`` as a formula (see the module's notes).

    Examples
    --------
    >>> [dangerous(t) for t in ("=1+1", " \\t=1+1", "\\tvoice", "voice", "-3", "＝1", "")]
    [True, True, True, False, True, True, False]
    """
    if not text:
        return False
    if unicodedata.category(text[0]) in ("Cc", "Cf"):
        return True
    for ch in text:
        if ch.isspace() or unicodedata.category(ch) in _SKIP:
            continue
        return unicodedata.normalize("NFKC", ch)[:1] in _DANGER
    return False


def safe_value(value):
    """One cell or label as written: a dangerous text gets a leading ``'``.

    Numbers, booleans, dates, ``None`` and missing values are returned as
    they are; any other object is written as its text, escaped.

    Examples
    --------
    >>> safe_value("=HYPERLINK(\\"http://x\\")"), safe_value(-3), safe_value("voice")
    ('\\'=HYPERLINK("http://x")', -3, 'voice')
    """
    if isinstance(value, str):
        return "'" + value if dangerous(value) else value
    if isinstance(value, (datetime.timedelta, np.timedelta64)):   # a duration is text
        return safe_value(str(value))
    if value is None or value is pd.NA or isinstance(value, _NUMBER + _PLAIN):
        return value
    return safe_value(str(value))


def _safe_index(index):
    """An index (columns or rows) whose labels and names are escaped, levels one by one."""
    if isinstance(index, pd.MultiIndex):
        levels = [[safe_value(x) for x in index.get_level_values(i)]
                  for i in range(index.nlevels)]
        return pd.MultiIndex.from_arrays(levels, names=[safe_value(n) for n in index.names])
    name = safe_value(index.name)
    if (pd.api.types.is_numeric_dtype(index.dtype) and not pd.api.types.is_bool_dtype(index.dtype)
            or pd.api.types.is_datetime64_any_dtype(index.dtype)):
        return index.rename(name)
    return pd.Index([safe_value(x) for x in index], name=name, dtype=object,
                    tupleize_cols=False)


def _keeps_values(dtype):
    """Whether a column of this dtype holds only numbers, booleans or date-times."""
    if pd.api.types.is_complex_dtype(dtype):
        return False                                # no spreadsheet number: written as text
    return (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_datetime64_any_dtype(dtype))


def safe_text(frame):
    """A copy of ``frame`` as written: every text cell, header and index label escaped.

    Numeric, boolean and date-time columns are kept as they are; any other
    column (text, object, category, duration) is passed cell by cell
    through :func:`safe_value`.  Used by every writer of this module, so no
    output bypasses it.
    """
    out = frame.copy()
    for j in range(out.shape[1]):
        col = out.iloc[:, j]
        if not _keeps_values(col.dtype):
            memo = {}                           # long tables repeat their names
            cells = [(memo[v] if v in memo else memo.setdefault(v, safe_value(v)))
                     if type(v) is str else safe_value(v) for v in col]
            out.isetitem(j, pd.Series(cells, index=out.index, dtype=object))
    out.columns = _safe_index(out.columns)
    out.index = _safe_index(out.index)
    return out


def _header(label):
    """A column label as one Excel header cell: a MultiIndex tuple joined by `` / ``."""
    if isinstance(label, tuple):
        label = " / ".join(str(x) for x in label)
    return safe_value(label)


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Characters an .xlsx (XML) cannot hold at all; xlsxwriter escapes the other controls.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _utf16_prefix(text, units):
    """The longest prefix of ``text`` at most ``units`` UTF-16 code units long (Excel's count)."""
    out, n = [], 0
    for ch in text:
        n += 2 if ord(ch) > 0xFFFF else 1
        if n > units:
            break
        out.append(ch)
    return "".join(out)


def sheet_names(names):
    """Excel sheet names for ``names``, in order, valid and unique.

    Excel's rules: at most 31 characters, none of ``[ ] : * ? / \\``, no
    quote at either end, not ``History``, unique regardless of case (also
    after truncation); control and unassigned characters become ``_`` and a name that
    could read as a formula gets a leading ``_`` (a sheet name cannot
    start with a quote).

    Examples
    --------
    >>> names = sheet_names(["summary", "=cmd|' /C calc'!A0", "a" * 40, "A" * 35, ""])
    >>> names[:2], names[4]
    (['summary', "_=cmd|' _C calc'!A0"], 'Sheet')
    >>> [(len(n), n[-3:]) for n in names[2:4]]
    [(31, 'aaa'), (31, 'A~2')]
    """
    out, seen = [], set()
    for name in names:
        s = _SHEET_FORBIDDEN.sub("_", str(name))
        s = "".join("_" if unicodedata.category(c)[0] == "C" else c for c in s)
        if dangerous(s):
            s = "_" + s
        s = s or "Sheet"
        if s.casefold() == "history":
            s += "_"
        base, k = s, 1
        while True:
            tail = "" if k == 1 else f"~{k}"
            s = _utf16_prefix(base, 31 - len(tail))
            s = re.sub(r"^'|'$", "_", s) + tail
            if s.casefold() not in seen:
                break
            k += 1
        seen.add(s.casefold())
        out.append(s)
    return out


def write_csv(frame, path):
    """Write ``frame`` as a CSV file, atomically; the bytes of :func:`csv_bytes`."""
    write_atomic(path, lambda tmp: _to_csv(frame, tmp))


def write_workbook(frames, path):
    """Write ``frames`` (name -> DataFrame) as an Excel workbook, atomically.

    The workbook of :func:`write_excel` and :func:`excel_bytes`.
    """
    write_atomic(path, lambda tmp: write_excel(frames, tmp))


def tables(result):
    """The plan's tables by name (empty ones left out)."""
    hires = pd.DataFrame([{"start": h.start, "size": h.size, "training_weeks": h.training_weeks,
                           "ramp": ",".join(f"{r:g}" for r in h.ramp),
                           "cost_per_hire": h.cost_per_hire} for h in result.hires])
    out = {name: getattr(result, name, None) for name in TABLES
           if name not in ("hires", "costs")}
    out["costs"] = result.costs.to_frame() if result.costs is not None else pd.DataFrame()
    out["hires"] = hires
    out["groups"] = group_summary(result) if is_pooled(result.scenario) else pd.DataFrame()
    gain = getattr(result, "pooling", None)
    out["pooling"] = gain.to_frame() if gain is not None else pd.DataFrame()
    out["pooling_queues"] = gain.queues if gain is not None else pd.DataFrame()
    out = {name: out[name] for name in TABLES}
    return {k: v for k, v in out.items() if isinstance(v, pd.DataFrame) and not v.empty}


def write(result, folder):
    """Write every table, chart and the summary page into ``folder``.

    Returns the list of files written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    frames = tables(result)
    for name, frame in frames.items():
        path = folder / f"{name}.csv"
        write_csv(frame, path)
        written.append(path)

    path = folder / "plan.xlsx"
    write_workbook(frames, path)
    written.append(path)
    charts = {}
    for name, draw in (("forecast", _chart_forecast), ("heatmap", _chart_heatmap),
                       ("kpis", _chart_kpis), ("capacity", _chart_capacity)):
        fig = draw(result)
        if fig is None:
            continue
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        data = buf.getvalue()
        path = folder / f"{name}.png"
        write_atomic(path, lambda tmp, d=data: Path(tmp).write_bytes(d))
        charts[name] = data
        written.append(path)
    page = _html(result, charts)
    path = folder / "summary.html"
    write_atomic(path, lambda tmp: Path(tmp).write_text(page, encoding="utf-8"))
    written.append(path)
    return written


_EPOCH = datetime.datetime(2000, 1, 1)


def write_excel(frames, path):
    """One sheet per table, written cell by cell with xlsxwriter (fast on long tables).

    ``path`` is a file name or a :class:`io.BytesIO`.  Headers and text are
    escaped as in :func:`safe_text` and always written as strings (never
    as formulas or links, whatever they hold; characters XML cannot hold,
    U+FFFE, U+FFFF and lone surrogates, become U+FFFD); sheet names follow
    :func:`sheet_names`; numbers stay numbers, dates get a date format; NaN
    and infinite numbers are left blank.  A MultiIndex header is written as
    one row, its levels joined by `` / ``; the index is not written.
    """
    import xlsxwriter

    options = {"strings_to_formulas": False, "strings_to_urls": False,
               "strings_to_numbers": False}
    wb = xlsxwriter.Workbook(path if isinstance(path, io.BytesIO) else str(path), options)
    wb.set_properties({"created": _EPOCH})     # no clock inside: the same tables, the same bytes
    try:
        fmt_time = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        bold = wb.add_format({"bold": True})
        for sheet, frame in zip(sheet_names(frames), frames.values()):
            ws = wb.add_worksheet(sheet)
            frame = safe_text(frame)
            for j, label in enumerate(frame.columns):
                _write_cell(ws, 0, j, _header(label), bold)
            for j in range(frame.shape[1]):
                values = frame.iloc[:, j]
                if pd.api.types.is_datetime64_any_dtype(values):
                    ws.set_column(j, j, 17)
                    for i, v in enumerate(values):
                        if not pd.isna(v):
                            ws.write_datetime(i + 1, j, v.to_pydatetime(), fmt_time)
                elif pd.api.types.is_bool_dtype(values):
                    for i, v in enumerate(values):
                        if not pd.isna(v):
                            ws.write_boolean(i + 1, j, bool(v))
                elif pd.api.types.is_numeric_dtype(values):
                    arr = values.to_numpy(dtype=float, na_value=np.nan)
                    for i in np.flatnonzero(np.isfinite(arr)):
                        ws.write_number(int(i) + 1, j, float(arr[i]))
                else:
                    for i, v in enumerate(values):
                        _write_cell(ws, i + 1, j, v)
    finally:
        wb.close()


def _write_cell(ws, row, col, value, fmt=None):
    """One cell of an object column or header, already escaped: numbers as numbers, else text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return
    if isinstance(value, (bool, np.bool_)):
        ws.write_boolean(row, col, bool(value), fmt)
    elif isinstance(value, _NUMBER):
        try:
            number = float(value)
        except (OverflowError, ValueError):         # beyond a double (or a signalling NaN)
            ws.write_string(row, col, safe_value(str(value)), fmt)
            return
        if np.isfinite(number):
            ws.write_number(row, col, number, fmt)
    else:
        if isinstance(value, _PLAIN):
            value = pd.Timestamp(value).isoformat() if isinstance(value, np.datetime64) \
                else value.isoformat()
        ws.write_string(row, col, _NOT_XML.sub("\ufffd", str(value)), fmt)


def excel_bytes(frames):
    """An Excel workbook of ``frames`` (name -> DataFrame) as bytes, as :func:`write_excel`
    (the same frames give the same bytes: no clock is written inside).

    Examples
    --------
    >>> import pandas as pd
    >>> data = excel_bytes({"t": pd.DataFrame({"queue": ["=cmd()"], "agents": [3]})})
    >>> pd.read_excel(io.BytesIO(data))["queue"].tolist()
    ["'=cmd()"]
    """
    buf = io.BytesIO()
    write_excel(frames, buf)
    return buf.getvalue()


def csv_bytes(frame):
    """A table as UTF-8 CSV bytes, without its index, escaped as in :func:`safe_text`.

    Every text field is quoted, numbers are not: a CR, a ``;`` or a tab
    inside a text (a row or cell break to a spreadsheet whose list
    separator is not the comma) cannot start a new row or cell there.
    """
    return _to_csv(frame).encode("utf-8")


_ZIP_STAMP = (1980, 1, 1, 0, 0, 0)      # the earliest date a zip holds: same bytes every time


def zip_bytes(files):
    r"""A zip of ``files`` (name -> bytes, in that order, compressed) as bytes; the same files
    give the same bytes on every system (one fixed date, unix attributes).

    Examples
    --------
    >>> data = zip_bytes({"a.csv": b"x,y\n1,2\n"})
    >>> data == zip_bytes({"a.csv": b"x,y\n1,2\n"})
    True
    >>> zipfile.ZipFile(io.BytesIO(data)).read("a.csv")
    b'x,y\n1,2\n'
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3                 # unix: the same bytes on every system
            zf.writestr(info, content)
    return out.getvalue()


def _to_csv(frame, target=None):
    """The one CSV writer: escaped, no index, every text field in quotes (see the notes)."""
    return safe_text(frame).to_csv(target, index=False, quoting=csv.QUOTE_NONNUMERIC)


# ------------------------------------------------------------------- charts


def _subplots(nrows=1, ncols=1, *, figsize, squeeze=True):
    """A figure and its axes without pyplot: no global backend, no figure manager."""
    fig = Figure(figsize=figsize)
    axes = fig.subplots(nrows, ncols, squeeze=squeeze)
    return fig, axes



def _with_gaps(times, values, step):
    """``times`` and ``values`` with a NaN point after each point whose next time is more
    than ``step`` later: a line drawn through them breaks at closed hours."""
    t = np.asarray(pd.to_datetime(pd.Series(times)).to_numpy())
    y = np.asarray(values, dtype=float)
    if len(t) < 2:
        return t, y
    cut = np.flatnonzero(np.diff(t) > np.timedelta64(step))
    return (np.insert(t, cut + 1, t[cut] + np.timedelta64(step)),
            np.insert(y, cut + 1, np.nan))


def _first_week(fc):
    """The rows of the 7 days from the forecast's first day (midnight to midnight)."""
    first = fc["start"].min().normalize()
    return fc[fc["start"] < first + pd.Timedelta(days=7)], first


def _day_ticks(ax, first, days):
    """x ticks: each midnight labelled ``%a %d %b``, minor ticks every 6 hours."""
    import matplotlib.dates as mdates

    ax.set_xlim(first, first + pd.Timedelta(days=days))
    ax.set_xticks([first + pd.Timedelta(days=d) for d in range(days)])   # the last midnight
    # is the window's end, not a day of it: no label there
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %d %b"))
    ax.xaxis.set_minor_locator(mdates.HourLocator(byhour=[6, 12, 18]))
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("left")       # the day's name inside its day
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(True, axis="x", which="major", color="#ccc", lw=0.6)


def _chart_forecast(result):
    """Each queue's contacts per interval over the forecast's first 7 days, with the 80%
    and 95% bands; lines and bands break at closed hours."""
    fc = result.forecast
    if fc.empty:
        return None
    queues = list(fc["queue"].unique())
    step = pd.Timedelta(minutes=max(result.scenario.workforce.interval, 1))
    fig, axes = _subplots(len(queues), 1, figsize=(11, 2.6 * len(queues)), squeeze=False)
    for ax, q in zip(axes[:, 0], queues):
        f, first = _first_week(fc[fc["queue"] == q].sort_values("start"))
        if "lo_95" in f.columns:
            for lo, hi, alpha, name in (("lo_95", "hi_95", 0.15, "95% interval"),
                                        ("lo_80", "hi_80", 0.3, "80% interval")):
                t, a = _with_gaps(f["start"], f[lo], step)
                _, b = _with_gaps(f["start"], f[hi], step)
                ax.fill_between(t, a, b, color="tab:blue", alpha=alpha, lw=0, label=name)
        t, y = _with_gaps(f["start"], f["forecast"], step)
        ax.plot(t, y, color="tab:blue", lw=1.2, label="forecast")
        _day_ticks(ax, first, 7)
        last = first + pd.Timedelta(days=6)
        ax.set_ylabel(f"contacts per {int(step / pd.Timedelta(minutes=1))} min", fontsize=8)
        ax.set_title(f"{q}: contacts per interval, first week ({first:%a %d %b} to "
                     f"{last:%a %d %b %Y}; gaps: closed)", fontsize=9)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    return fig


def _chart_heatmap(result):
    cov = result.coverage
    if cov.empty:
        return None
    groups = list(cov["group"].unique())
    fig, axes = _subplots(len(groups), 2, figsize=(12, 2.8 * len(groups)), squeeze=False)
    for (ax1, ax2), g in zip(axes, groups):
        c = cov[cov["group"] == g]
        day = c["start"].dt.day_of_week
        slot = c["start"].dt.hour * 60 + c["start"].dt.minute
        req = c.pivot_table(index=day, columns=slot, values="required", aggfunc="mean")
        diff = c.assign(d=c["scheduled"] - c["required"]).pivot_table(
            index=day, columns=slot, values="d", aggfunc="mean")
        im = ax1.imshow(req.to_numpy(), aspect="auto", cmap="viridis")
        fig.colorbar(im, ax=ax1, fraction=0.03)
        lim = max(1.0, float(np.nanmax(np.abs(diff.to_numpy()))))
        im2 = ax2.imshow(diff.to_numpy(), aspect="auto", cmap="RdBu", vmin=-lim, vmax=lim)
        fig.colorbar(im2, ax=ax2, fraction=0.03)
        for ax, title in ((ax1, "required agents on shift"), (ax2, "scheduled - required")):
            ax.set_yticks(range(len(req.index)))
            ax.set_yticklabels(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][i]
                               for i in req.index)
            cols = list(req.columns)
            step = max(1, len(cols) // 8)
            ax.set_xticks(range(0, len(cols), step))
            ax.set_xticklabels([f"{m // 60:02d}:{m % 60:02d}" for m in cols[::step]], fontsize=7)
            ax.set_title(f"{g}: {title} (weekday x interval)", fontsize=9)
    fig.tight_layout()
    return fig


def _kpi_of(queue):
    """The KPI a queue's chart shows and its target: ``(column, target or None, label)``."""
    t = queue.target
    if t.service_level is None and t.asa is not None:
        return "asa", t.asa, "ASA (s)"
    return "service_level", t.service_level, "service level"


def _chart_kpis(result):
    """Each queue's KPI against its target by time of day (mean over the open intervals):
    the service level, or the ASA for a queue whose target is an ASA.  Intervals with no
    contacts offered (closed) are left out: a time of day never open is a gap."""
    a = result.achieved
    if a.empty:
        return None
    req = getattr(result, "requirements", None)
    if req is not None and not req.empty and "volume" in req.columns:
        a = a.merge(req[["queue", "start", "volume"]], on=["queue", "start"], how="left")
        a = a[a["volume"].fillna(0) > 0]
    queues = list(result.achieved["queue"].unique())
    by_name = {x.name: x for x in result.scenario.queues}
    fig, axes = _subplots(len(queues), 1, figsize=(11, 2.4 * len(queues)), squeeze=False)
    day = 24 * 60
    interval = max(result.scenario.workforce.interval, 1)
    slots = np.arange(0, day, interval)
    for ax, q in zip(axes[:, 0], queues):
        col, target, name = _kpi_of(by_name[q]) if q in by_name else ("service_level", None,
                                                                        "service level")
        s = a[a["queue"] == q]
        minute = s["start"].dt.hour * 60 + s["start"].dt.minute
        lines = [(c, label) for c, label in ((col, "formula"), (f"{col}_sim", "simulation"))
                 if c in s.columns]
        if col == "asa" and len(lines) == 2:
            lines = lines[1:]       # a backlog's formula ASA is infinite where work waits
        for c, label in lines:
            mean = s.groupby(minute)[c].mean().reindex(slots)      # NaN: never open
            ax.plot(slots / 60, mean.to_numpy(float), label=label, lw=1.2)
        if target is not None:
            ax.axhline(target, color="grey", ls="--", lw=0.8,
                       label=f"target {target:,.0f} s" if col == "asa" else
                       f"target {target:.0%}")
        if col == "asa":
            ax.set_ylim(bottom=0)
            ax.set_ylabel("ASA (s)", fontsize=8)
            ax.yaxis.set_major_formatter(_thousands)
        else:
            ax.set_ylim(0, 1.02)
            ax.yaxis.set_major_formatter(_percent)
        ax.set_xlim(0, 24)
        ax.set_xticks(range(0, 25, 2))
        ax.set_xticklabels([f"{h:02d}:00" for h in range(0, 25, 2)], fontsize=7)
        ax.set_xlabel("time of day", fontsize=8)
        ax.set_title(f"{q}: {name} by time of day with the schedule (mean over the open "
                     "intervals" + ("; simulated: work may wait in a backlog" if col == "asa"
                                    and len(lines) == 1 and lines[0][1] == "simulation"
                                    else "") + ")", fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def _percent(x, _pos=None):
    return f"{x:.0%}"


def _thousands(x, _pos=None):
    return f"{x:,.0f}"


def _chart_capacity(result):
    """Weekly FTE required, productive FTE and headcount: one tick per week (``%d %b``),
    the y axis spanning the data with padding (not from 0)."""
    c = result.capacity
    if c.empty:
        return None
    fig, ax = _subplots(figsize=(9, 3.2))
    series = [(col, label, style) for col, label, style in (
        ("required_fte", "FTE required", {"marker": "o"}),
        ("productive_fte", "productive FTE", {"marker": "s"}),
        ("headcount_end", "headcount (end of week)", {"ls": ":", "marker": "."}))
        if col in c.columns]
    weeks = pd.to_datetime(c["week"])
    for col, label, style in series:
        ax.plot(weeks, c[col], label=label, **style)
    values = np.concatenate([c[col].to_numpy(dtype=float) for col, _, _ in series])
    values = values[np.isfinite(values)]
    if len(values):
        lo, hi = float(values.min()), float(values.max())
        pad = max(1.0, 0.1 * (hi - lo))
        ax.set_ylim(lo - pad, hi + pad)
    ax.set_ylabel("FTE", fontsize=8)
    every = max(1, int(np.ceil(len(weeks) / 12)))      # at most 12 labels, one tick a week
    ax.set_xticks(weeks)
    ax.set_xticklabels([f"{w:%d %b}" if i % every == 0 else "" for i, w in enumerate(weeks)],
                       fontsize=7)
    if len(weeks):
        half = pd.Timedelta(days=3.5)
        ax.set_xlim(weeks.min() - half, weeks.max() + half)
    ax.set_xlabel("week starting", fontsize=8)
    ax.set_title("Weekly capacity", fontsize=9)
    ax.grid(True, color="#ddd", lw=0.6)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------- page


def _html(result, charts):
    sc = result.scenario
    summary = result.summary
    costs = result.costs
    esc = html.escape
    currency = getattr(getattr(sc, "finance", None), "currency", None)
    head = [f"<h1>{esc(sc.name)}: staffing plan</h1>",
            f"<p>{esc(_period(sc))}, "
            f"{sc.workforce.interval}-minute intervals, shrinkage "
            f"{sc.workforce.total_shrinkage:.0%}.</p>"]
    if costs is not None:
        head.append(f"<p><b>Total cost {costs.total:,.0f} {esc(costs.currency)}</b>"
                    + (f"; peak {result.capacity['required_fte'].max():,.1f} FTE"
                       if not result.capacity.empty else "") + "</p>")
    body = ["<h2>Queues</h2>", _table_html(summary, currency=currency), "<h2>Cost</h2>",
            _table_html(costs.to_frame() if costs is not None else None, currency=currency)]
    att = getattr(result, "attainment", None)
    if att is not None and not att.empty:
        from .attainment import attainment_summary, floor_summary
        body += ["<h2>Targets at their level (simulated on fresh random numbers)</h2>",
                 _table_html(_attainment_texts(attainment_summary(att)),
                             formatted=_ATTAINMENT_FORMATTED),
                 "<p>met: periods whose whole 95% confidence interval is on the right side "
                 "of the target; surplus: simulated minus target, mean over the periods "
                 "(where the plan serves above its target).</p>",
                 "<h3>Interval floors</h3>",
                 _table_html(floor_summary(sc.queues, result.achieved),
                             kinds={"floor": "pct", "at_or_above": "pct", "lowest": "pct"})]
    comp = getattr(result, "comparison", None)
    if comp:
        saving = 1.0 - comp["wages"] / comp["wages_two_step"] if comp["wages_two_step"] else 0
        body.append(f"<p>Against the two-step plan (every interval to its target, then "
                    f"shifts; without its simulation check): {comp['paid_hours']:,.0f} paid "
                    f"hours against {comp['paid_hours_two_step']:,.0f}, wages "
                    f"{saving:.1%} lower.</p>")
    body += _pooling_html(result)
    if result.hires:
        body += ["<h2>Hiring classes proposed</h2>",
                 _table_html(tables(result)["hires"], currency=currency)]
    body += ["<h2>What the pipeline did</h2><ul>"]
    body += [f"<li>{esc(line)}</li>" for line in result.log] + ["</ul>"]
    for name, data in charts.items():
        b64 = base64.b64encode(data).decode("ascii")
        body.append(f'<h2>{esc(name.capitalize())}</h2><img alt="{esc(name)}" '
                    f'src="data:image/png;base64,{b64}" style="max-width:100%">')
    style = ("body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}"
             "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;"
             "padding:3px 6px;text-align:right}th{background:#eee}")
    return ("<!doctype html><html><head><meta charset='utf-8'>"
            f"<title>{esc(sc.name)}</title><style>{style}</style></head><body>"
            + "".join(head + body) + "</body></html>")


def _pooling_html(result):
    """The multi-skill sections: who serves whom, and the pooling gain if computed."""
    shifts = getattr(result, "shifts", None)
    if shifts is None or shifts.empty or not is_pooled(result.scenario):
        return []
    cur = html.escape(result.scenario.finance.currency)
    groups = group_summary(result)
    groups = groups.assign(shifts=groups["shifts"].map(lambda x: f"{x:,.0f}"),
                           paid_hours=groups["paid_hours"].map(lambda x: f"{x:,.0f}"),
                           wages=groups["wages"].map(lambda x: f"{x:,.0f}"),
                           paid_share=groups["paid_share"].map(lambda x: f"{x:.1%}"))
    groups = groups.rename(columns={
        "home_of": "home of", "paid_hours": "paid hours", "wages": f"wages ({cur})",
        "paid_share": "share of paid hours"})
    out = ["<h2>Agent groups and routing</h2>", _table_html(groups),
           "<p>serves: the queues an idle agent of the group takes, in priority order "
           "(overflow queues once a contact has waited the delay); home of: the queues whose "
           "requirement the group is scheduled for. Each queue's KPIs above are simulated "
           "with this routing.</p>"]
    gain = getattr(result, "pooling", None)
    if gain is None:
        return out + ["<p>Pooling gain not computed (ccwfm ... --pooling plans the same "
                      "demand with dedicated groups).</p>"]
    kpis = gain.queues.copy()
    for col in kpis.columns:
        if col.startswith("asa_"):
            kpis[col] = kpis[col].map(lambda x: f"{x:,.0f} s")
        elif col not in ("queue", "target"):
            kpis[col] = kpis[col].map(lambda x: f"{x:.1%}")
    head = gain.to_frame()
    for col in ("pooled", "dedicated", "difference"):
        head[col] = [f"{x:+.1%}" if m.startswith("periods") and col == "difference" else
                     f"{x:.1%}" if m.startswith("periods") else
                     f"{x:+,.0f}" if col == "difference" else f"{x:,.0f}"
                     for m, x in zip(head["measure"], head[col])]
    return out + [
        "<h2>Pooling gain</h2>",
        f"<p>Cross-trained groups: <b>{gain.paid_hours:,.0f} paid hours against "
        f"{gain.paid_hours_dedicated:,.0f}</b> with a dedicated group per queue "
        f"({gain.saving_pct:.1f}% saved; wages {gain.wages:,.0f} against "
        f"{gain.wages_dedicated:,.0f} {cur}), both scheduled against the same targets and "
        "checked by simulation on fresh random numbers.</p>",
        _table_html(head, formatted=("pooled", "dedicated", "difference")),
        "<h3>Simulated KPIs per queue, pooled and dedicated</h3>",
        _table_html(kpis.rename(columns=lambda c: c.replace("_", " ")))]


def _period(sc):
    """``Mon 01 Sep 2025 to Sun 28 Sep 2025 (4 weeks)``: the horizon, its last day included
    (the scenario's ``end`` is the midnight after it)."""
    weeks = f"{sc.weeks} week{'s' if sc.weeks != 1 else ''}"
    try:
        start, end = pd.Timestamp(sc.start), pd.Timestamp(sc.end)
    except (TypeError, ValueError):
        return f"{sc.start} to {sc.end} ({weeks})"
    last = end - pd.Timedelta(days=1) if end.normalize() == end and end > start else end
    return f"{_date(start)} to {_date(last)} ({weeks})"


def _date(value):
    """A date as the page shows it (``Mon 01 Sep 2025``); a text that is no date as it is."""
    from .display import format_value

    try:
        return format_value(pd.Timestamp(value), "date")
    except (TypeError, ValueError):
        return str(value)


_METRICS = {"service_level": "service level", "abandon_rate": "abandonment", "asa": "ASA",
            "occupancy": "occupancy"}


_ATTAINMENT_FORMATTED = ("target", "simulated", "worst", "best", "mean surplus")


def _attainment_texts(summary):
    """:func:`plan.attainment.attainment_summary` with each row's values in its metric's
    unit (a fraction as %, the surplus in points; an ASA in seconds)."""
    from .display import format_value

    out = summary.copy()
    seconds = out["metric"].eq("asa").to_numpy()
    for col in ("target", "simulated", "worst", "best", "surplus"):
        if col not in out.columns:
            continue
        out[col] = [format_value(v, "seconds") + " s" if asa and not pd.isna(v) else
                    format_value(100 * v, "pts") if col == "surplus" and not pd.isna(v) else
                    format_value(v, "pct") for v, asa in zip(summary[col], seconds)]
    out["metric"] = out["metric"].map(lambda m: _METRICS.get(m, m))
    return out.rename(columns={"surplus": "mean surplus"})


def _table_html(frame, kinds=None, currency=None, formatted=()):
    """A table as HTML, formatted for people (:func:`plan.display.texts`: human headers
    with units, %, separators, dates without a midnight time), every text escaped
    (:func:`safe_value`) but those of the ``formatted`` columns, numbers this module
    already wrote as text (``+4.6 pts``)."""
    from .display import column_kind, texts

    if frame is None or frame.empty:
        return "<p>(none)</p>"
    frame = frame.reset_index(drop=True)
    frame.columns = [" / ".join(map(str, c)) if isinstance(c, tuple) else str(c)
                     for c in frame.columns]
    frame = frame.loc[:, ~pd.Index(frame.columns).duplicated()]
    kinds = dict(kinds or {})
    for j, col in enumerate(frame.columns):
        kind = kinds.get(col) or column_kind(col, frame[col])
        if kind == "text":
            kinds[col] = "text"
        if kind == "text" and col not in formatted:   # pasted into a sheet, stays text
            frame.isetitem(j, pd.Series([safe_value(v) if isinstance(v, str) else v
                                         for v in frame.iloc[:, j]], index=frame.index,
                                        dtype=object))
    shown = texts(frame, kinds=kinds, currency=currency)
    shown.columns = [safe_value(c) for c in shown.columns]
    return shown.to_html(index=False, escape=True)
