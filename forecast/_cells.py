"""Cells: the values of one column read the way contact-center exports write them.

Parsers only: each takes texts (or a column of cells, typed or text) and
returns values plus masks of the empty and unreadable cells; deciding what
an unreadable cell means (an error, an issue, an excluded row) is the
reader's business.  Both readers of history use them: :mod:`forecast.io`
for interval files and :mod:`forecast.acd` for call-level logs.

* **Missing markers**: blank, ``nan``, ``n/a``, ``#N/A``, ``null``,
  ``none``, ``-`` and ``--`` (:data:`MISSING`).
* **Numbers** (:func:`parse_numbers`): spaces and apostrophes grouping
  digits are ignored; the decimal separator is decided per column
  (:func:`number_style`).
* **Durations** (:func:`duration`, the one duration parser, and
  :func:`durations` for a column of a log): ``mm:ss`` or ``h:mm:ss`` texts
  in seconds, signed where logs write negative lengths.
* **Clock times** (:func:`time_of_day`, the one clock parser, and
  :func:`clocks`): ``08:30``, ``8:30:15``, ``8:30 PM``, ``08:00-08:15``.
* **Date-times** (:func:`parse_datetimes`): ISO 8601 first, else one format
  for the column; UTC offsets (``+02:00``, ``Z``) and time-zone aware
  values give the instant as well as the wall clock.  Call logs read theirs
  value by value at the wall clock written (:func:`wall_datetimes`).

Examples
--------
>>> duration("3:05"), duration("0:03:05"), duration("-0:00:05", signed=True)
(185.0, 185.0, -5.0)
>>> duration("3:05", short=False) is None      # h:mm:ss only
True
>>> time_of_day("8:30 PM"), time_of_day("08:00-08:15"), time_of_day("25:00")
(73800, 28800, None)
>>> number_style(["1.234,5", "12"], european=False)
(',', ())
>>> to_number("1.234,5", ",")
1234.5
"""

import datetime as _dt
import re
import warnings

import numpy as np
import pandas as pd

from ccwfm._limits import at_most, limit

__all__ = ["MISSING", "When", "clocks", "duration", "durations", "is_empty",
           "looks_time_of_day", "number_style", "offset_minutes", "parse_datetimes",
           "parse_numbers", "parse_times", "queue_name", "time_of_day", "to_ns", "to_number",
           "wall_datetimes"]

NS = 1_000_000_000               # nanoseconds per second
DAY_NS = 86_400 * NS             # nanoseconds per day

MISSING = frozenset({"", "nan", "na", "n/a", "#n/a", "null", "none", "-", "--"})
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f'\u2019]")
# [-]a:b[:c[.frac]]: mm:ss or h:mm:ss
_HMS = re.compile(r"^(-?)(\d+):(\d{1,2})(?::(\d{1,2})([.,]\d+)?)?$")
# h:mm[:ss[.frac]] [AM|PM] [- 08:15 ...]
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})([.,]\d+)?)?(?:\s*([AaPp])\.?[Mm]\.?)?"
                    r"(\s*(?:-|\u2013|to)\s*\d{1,2}:\d{2}.*)?$")
_OFFSET = re.compile(r"^(?P<wall>.*\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*"
                     r"(?P<off>[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$")


def is_empty(v):
    """True for None, NaN/NaT and missing-marker texts (:data:`MISSING`)."""
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip().lower() in MISSING
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def queue_name(v):
    """A queue cell as a name: text stripped, ``12.0`` -> ``'12'``."""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _on_distinct(values, parse):
    """Apply ``parse`` (texts -> float array) to the distinct values only (logs repeat them)."""
    codes, uniques = pd.factorize(values)
    parsed = np.append(parse(pd.Series(uniques, dtype=object)), np.nan)
    return parsed[codes]          # code -1 (missing) picks the trailing NaN


# ---------------------------------------------------------------------------
# numbers

def number_style(texts, european):
    """Decimal separator of a column of number texts, and the texts it was guessed from.

    Parameters
    ----------
    texts : iterable of str
        The column's number texts, grouping spaces removed.
    european : bool
        Guess a comma as the decimal separator when no value settles it.

    Returns
    -------
    (str or None, tuple of str)
        ``","`` or ``"."`` and the ambiguous texts (``1,234``) when the
        separator was a guess; ``None`` and two texts that disagree when
        the column uses both.
    """
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


def to_number(t, decimal):
    """Float of a number text with ``decimal`` as its decimal separator, or None.

    Digits beyond the range of a float give an infinity; ``"inf"`` and ``"nan"``
    give None (they are not numbers written by an export).
    """
    thousands = "." if decimal == "," else ","
    if thousands in t and not re.fullmatch(
            rf"[+-]?\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+(?:{re.escape(decimal)}\d*)?", t):
        return None
    t = t.replace(thousands, "").replace(decimal, ".")
    try:
        v = float(t)
    except ValueError:
        return None
    if np.isfinite(v):
        return v
    # "inf" and "nan" are words, not numbers; digits beyond a float's range are a number
    # too large (the readers refuse it by their limits)
    return v if any(c.isdigit() for c in t) and not np.isnan(v) else None


def _typed_seconds(v):
    """Seconds of an Excel time, timedelta or (beyond a day) 1899-1900 datetime, or None."""
    if isinstance(v, _dt.time):
        return v.hour * 3600.0 + v.minute * 60.0 + v.second + v.microsecond / 1e6
    if isinstance(v, (_dt.timedelta, np.timedelta64)):
        return pd.Timedelta(v).total_seconds()
    if isinstance(v, _dt.datetime) and v.year <= 1900:
        return (v - _dt.datetime(1899, 12, 30)).total_seconds()   # Excel duration > 1 day
    return None


def _sort_cells(raw, durations, values, empty, bad):
    """Fill ``values``/``empty``/``bad`` for typed cells; return the texts to parse by row."""
    texts = {}
    for i, v in enumerate(raw):
        if isinstance(v, str):
            t = _SPACES.sub("", v)
            if t.lower() in MISSING:
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
        elif durations and _typed_seconds(v) is not None:
            values[i] = _typed_seconds(v)
        elif is_empty(v):
            empty[i] = True
        else:
            bad[i] = True
    return texts


def parse_numbers(series, *, durations=False, european=False):
    """Floats from a column of numbers, number texts or (``durations``) duration texts.

    Parameters
    ----------
    series : pandas.Series
        The column, typed (numbers, timedeltas) or of texts and Excel values.
    durations : bool
        Also read ``mm:ss`` / ``h:mm:ss`` texts (:func:`duration`), Excel
        times and timedeltas, as seconds.
    european : bool
        A comma is the decimal separator when no value of the column settles it.

    Returns
    -------
    tuple
        ``(values, empty, bad, ambiguous, style_clash)``: ``values`` floats
        (NaN where empty or bad), ``empty`` marks blank cells and missing
        markers, ``bad`` cells that are not numbers, ``ambiguous`` the cells
        whose separator was guessed, ``style_clash`` two texts with different
        decimal separators (or ``()``; then every text is left NaN).
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
    texts = _sort_cells(series.to_numpy(object), durations, values, empty, bad)
    ambiguous = np.zeros(n, bool)
    plain = {t for t in texts.values() if not (durations and ":" in t)}
    decimal, guessed = number_style(plain, european)
    if decimal is None:
        return values, empty, bad, ambiguous, guessed
    cache = {}
    guessed = set(guessed)
    for i, t in texts.items():
        if t not in cache:
            cache[t] = duration(t) if durations and ":" in t else to_number(t, decimal)
        v = cache[t]
        if v is None:
            bad[i] = True
        else:
            values[i] = v
            ambiguous[i] = t in guessed
    return values, empty, bad, ambiguous, ()


# ---------------------------------------------------------------------------
# durations and clock times

def duration(text, *, signed=False, short=True, exact=False):
    """Seconds of a duration text, or None: the one duration parser.

    Parameters
    ----------
    text : str
        ``"mm:ss"`` (minutes unbounded: ``"75:30"``) or ``"h:mm:ss"``, the
        seconds possibly with a fraction (``"0:03:05.5"``, ``"0:03:05,5"``).
    signed : bool
        Accept a leading ``-`` (a negative length, as ACD logs may hold).
    short : bool
        Accept ``"mm:ss"``; else only ``"h:mm:ss"``.
    exact : bool
        Only ``"h:mm:ss"`` with up to three digits of hours, two of minutes
        and of seconds and no fraction: the durations of ACD logs.

    Returns
    -------
    float or None
        Seconds; None if the text is not such a duration (minutes or
        seconds of 60 or more included).
    """
    m = _HMS.match(text)
    if not m:
        return None
    sign, a, b, c, frac = m.groups()
    if sign and not signed:
        return None
    if exact and (c is None or frac or len(a) > 3 or len(b) != 2 or len(c) != 2):
        return None
    if c is None:                       # mm:ss
        if not short:
            return None
        hours, minutes, seconds = 0, int(a), int(b)
    else:                               # h:mm:ss
        hours, minutes, seconds = int(a), int(b), float(c + (frac or "").replace(",", "."))
        if minutes >= 60:
            return None
    if seconds >= 60:
        return None
    value = hours * 3600.0 + minutes * 60.0 + seconds
    return -value if sign else value


def time_of_day(text, *, exact=False):
    """Seconds after midnight of a clock-time text, or None: the one clock parser.

    Parameters
    ----------
    text : str
        ``"08:30"``, ``"8:30:15"`` (a fraction of a second is dropped),
        ``"8:30 PM"``, or the start of a span ``"08:00-08:15"``.
    exact : bool
        Only ``"h:mm:ss"``, nothing before or after: the clock times of ACD
        logs.

    Returns
    -------
    int or None
        Seconds in [0, 86400); None for anything else (``"24:00"``, ``"13:00 PM"``).
    """
    m = _CLOCK.match(text)
    if not m:
        return None
    h, mi, s, frac, ampm, rest = m.groups()
    if exact and (s is None or frac or ampm or rest):
        return None
    h, mi, s = int(h), int(mi), int(s or 0)
    if ampm:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if ampm.lower() == "p" else 0)
    if h > 23 or mi > 59 or s > 59:
        return None
    return h * 3600 + mi * 60 + s


def durations(values, *, signed=False, short=True, exact=False):
    """Seconds of a column of texts: plain numbers of seconds, or :func:`duration` texts.

    Parameters
    ----------
    values : pandas.Series of str
        Stripped texts.
    signed, short, exact : bool
        As for :func:`duration`.

    Returns
    -------
    numpy.ndarray of float
        Seconds; NaN where a cell is neither.
    """
    def parse(texts):
        num = pd.to_numeric(texts, errors="coerce").to_numpy(float)
        out = np.array(num, dtype=float)                  # writable copy
        for i in np.flatnonzero(~np.isfinite(num)):
            t = texts.iloc[i]
            v = duration(t, signed=signed, short=short, exact=exact) \
                if isinstance(t, str) else None
            out[i] = np.nan if v is None else v
        return out
    return _on_distinct(values, parse)


def clocks(values, *, exact=False):
    """Seconds after midnight of a column of clock-time texts (:func:`time_of_day`); NaN
    where a cell is not one."""
    def parse(texts):
        out = [time_of_day(t, exact=exact) if isinstance(t, str) else None for t in texts]
        return np.array([np.nan if v is None else float(v) for v in out], dtype=float)
    return _on_distinct(values, parse)


def parse_times(series):
    """Times of day of a column: ``(timedelta64[ns] values, empty, bad)``.

    Texts are read by :func:`time_of_day`; Excel times, datetimes (their
    time), timedeltas under a day and fractions of a day are accepted.
    Values are NaT where a cell is empty or bad.
    """
    n = len(series)
    out = np.full(n, np.timedelta64("NaT"), "timedelta64[ns]")
    empty = np.zeros(n, bool)
    bad = np.zeros(n, bool)
    if pd.api.types.is_timedelta64_dtype(series.dtype):
        out = series.to_numpy("timedelta64[ns]")
        empty = np.isnat(out)
        bad = ~empty & ((out < np.timedelta64(0, "ns")) | (out >= np.timedelta64(DAY_NS, "ns")))
        return np.where(bad, np.timedelta64("NaT"), out), empty, bad
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        s = series.dt.tz_localize(None) if isinstance(series.dtype, pd.DatetimeTZDtype) else series
        out = (s - s.dt.normalize()).to_numpy("timedelta64[ns]")
        return out, np.isnat(out), np.zeros(n, bool)
    cache = {}
    for i, v in enumerate(series.to_numpy(object)):
        if isinstance(v, str):
            t = v.strip()
            if t.lower() in MISSING:
                empty[i] = True
                continue
            if t not in cache:
                cache[t] = time_of_day(t)
            sec = cache[t]
        else:
            typed, sec = _typed_time(v)
            if not typed and is_empty(v):
                empty[i] = True
                continue
        if sec is None:
            bad[i] = True
        else:
            out[i] = np.timedelta64(int(round(sec * NS)), "ns")
    return out, empty, bad


def _typed_time(v):
    """``(True, seconds after midnight or None)`` for a typed time cell (time, datetime,
    timedelta, Excel fraction of a day), ``(False, None)`` for any other value."""
    if isinstance(v, (_dt.datetime, _dt.time)):
        return True, v.hour * 3600 + v.minute * 60 + v.second
    if isinstance(v, (_dt.timedelta, np.timedelta64)):
        s = pd.Timedelta(v).total_seconds()
        return True, (s if 0 <= s < 86400 else None)
    if isinstance(v, (float, np.floating, int, np.integer)) and not isinstance(v, bool) \
            and not np.isnan(v):
        return True, (round(float(v) * 86400) if 0 <= v < 1 else None)   # Excel day fraction
    return False, None


def looks_time_of_day(series):
    """True when every non-empty cell of the column is a time of day (and one is)."""
    if pd.api.types.is_timedelta64_dtype(series.dtype):
        return True
    if not pd.api.types.is_object_dtype(series.dtype) and \
            not pd.api.types.is_string_dtype(series.dtype):
        return False
    seen = False
    for v in series.to_numpy(object):
        if isinstance(v, str):
            if v.strip().lower() in MISSING:
                continue
            if time_of_day(v.strip()) is None:
                return False
            seen = True
        elif isinstance(v, (_dt.time, _dt.timedelta)):
            seen = True
        elif not is_empty(v):
            return False
    return seen


# ---------------------------------------------------------------------------
# date-times and time-zone offsets

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
    return _far_iso(texts, out)


def _far_iso(texts, out):
    """``out`` with ISO dates pandas could not hold read at microsecond resolution.

    pandas 2 reads dates at nanosecond resolution and coerces those outside
    1677-2262 (year 9999, say) to NaT, as if unreadable; pandas 3 reads
    them.  Read either way, :func:`to_ns` then names them as out of range.
    """
    missing = np.flatnonzero(out.isna().to_numpy())
    if not missing.size:
        return out
    vals = out.to_numpy().astype("datetime64[us]")
    found = False
    for i in missing:
        text = str(texts.iloc[i]).strip().replace(" ", "T", 1)
        try:
            vals[i] = np.datetime64(text, "us")
            found = True
        except ValueError:
            continue
    return pd.Series(vals) if found else out


_NS_MIN = np.datetime64("1678-01-01", "us")      # datetime64[ns] holds 1677-09-22 to
_NS_MAX = np.datetime64("2261-12-31T23:59:59", "us")   # 2262-04-11, with a margin


def to_ns(values):
    """Date-times as ``datetime64[ns]``, and a mask of those outside the years 1678-2261.

    Those are NaT in the result: pandas reads dates at microsecond resolution
    and a plain conversion to nanoseconds would wrap them round silently
    (year 9999 becomes 1815).
    """
    a = np.asarray(values)
    if a.dtype.kind != "M":
        a = a.astype("datetime64[us]")
    a = a.astype("datetime64[us]")
    far = ~np.isnat(a) & ((a < _NS_MIN) | (a > _NS_MAX))
    return np.where(far, np.datetime64("NaT", "us"), a).astype("datetime64[ns]"), far


def offset_minutes(text):
    """Minutes east of UTC of an offset text (``Z``, ``UTC``, ``+02:00``, ``-0530``), or None."""
    if text.upper() in ("Z", "UTC", "GMT"):
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 14 or minutes >= 60:
        return None
    return sign * (hours * 60 + minutes)


class When:
    """A parsed date-time column: wall clock, UTC instant where known, what was wrong.

    Attributes
    ----------
    wall, instant : numpy.ndarray of datetime64[ns]
        Clock time as written; UTC instant where the cell had an offset or a
        time zone (``aware``), else NaT.
    aware, empty, bad : numpy.ndarray of bool
    far : numpy.ndarray of bool
        Dates beyond 1677-2262 (also ``bad``).
    zone : str or None
        Name of a time zone of tz-aware values.
    utc_only : bool
        Every offset seen is zero.
    example : str or None
        An original text with an offset.
    """

    def __init__(self, n):
        self.wall = np.full(n, np.datetime64("NaT"), "datetime64[ns]")
        self.instant = np.full(n, np.datetime64("NaT"), "datetime64[ns]")
        self.aware = np.zeros(n, bool)
        self.empty = np.zeros(n, bool)
        self.bad = np.zeros(n, bool)
        self.far = np.zeros(n, bool)
        self.zone = None
        self.utc_only = True
        self.example = None


def parse_datetimes(series, date_format, dayfirst):
    """Date-times of a column (typed or texts) as a :class:`When`.

    Texts: ISO 8601 first, else one format inferred for the column (or
    ``date_format``); a trailing UTC offset is read apart.
    """
    n = len(series)
    w = When(n)
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        w.empty = series.isna().to_numpy()
        w.wall, w.far = to_ns(series.dt.tz_localize(None).to_numpy())
        w.instant, far = to_ns(series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy())
        w.far |= far
        w.bad = w.far.copy()
        w.aware = ~w.empty & ~w.far
        w.zone = str(dtype.tz)
        w.utc_only = w.zone in ("UTC", "utc", "Etc/UTC")
        return w
    if pd.api.types.is_datetime64_dtype(dtype):
        w.wall, w.far = to_ns(series.to_numpy())
        w.empty = np.isnat(w.wall) & ~w.far
        w.bad = w.far.copy()
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
            if not t or t.lower() in MISSING:
                w.empty[i] = True
            else:
                text_idx.append(i)
                texts.append(t)
        elif isinstance(v, (_dt.datetime, pd.Timestamp, np.datetime64)):
            typed.append(i)
        elif isinstance(v, _dt.date):
            raw[i] = _dt.datetime(v.year, v.month, v.day)
            typed.append(i)
        elif is_empty(v):
            w.empty[i] = True
        else:
            w.bad[i] = True
    if texts:
        _datetime_texts(w, np.asarray(text_idx), texts, date_format, dayfirst)
    for i in typed:
        _datetime_value(w, i, raw[i])
    return w


def _datetime_texts(w, idx, texts, date_format, dayfirst):
    """Fill ``w`` at rows ``idx`` from date-time texts, reading UTC offsets apart."""
    s = pd.Series(texts, dtype=object)
    parts = s.str.extract(_OFFSET)
    minutes = {o: offset_minutes(o) for o in parts["off"].dropna().unique()}
    offsets = parts["off"].map(minutes).to_numpy(float)     # NaN: none or invalid
    has_off = ~np.isnan(offsets)
    offsets = np.nan_to_num(offsets)
    wall_text = s.where(~has_off, parts["wall"])
    parsed, far = to_ns(_parse_dt_strings(wall_text, date_format, dayfirst).to_numpy())
    w.wall[idx] = parsed
    w.bad[idx] = np.isnat(parsed)
    w.far[idx] = far
    off_ns = (offsets * 60 * NS).astype("timedelta64[ns]")
    w.instant[idx] = np.where(has_off, parsed - off_ns, np.datetime64("NaT"))
    w.aware[idx] = has_off & ~np.isnat(parsed)
    if has_off.any():
        w.utc_only = bool((offsets[has_off] == 0).all())
        w.example = texts[int(np.flatnonzero(has_off)[0])]


def _datetime_value(w, i, value):
    """Fill ``w`` at row ``i`` from a typed date-time (naive or aware)."""
    try:
        ts = pd.Timestamp(value)
    except (ValueError, OverflowError):
        ts = None
    if ts is None or ts is pd.NaT:
        w.bad[i] = True
        return
    naive = ts.tz_localize(None) if ts.tzinfo is not None else ts
    wall, far = to_ns([naive.to_datetime64()])
    if ts.tzinfo is not None:
        instant, far_utc = to_ns([ts.tz_convert("UTC").tz_localize(None).to_datetime64()])
        far |= far_utc
    if far[0] or np.isnat(wall[0]):
        w.bad[i] = w.far[i] = True
        return
    w.wall[i] = wall[0]
    if ts.tzinfo is not None:
        w.instant[i] = instant[0]
        w.aware[i] = True
        w.utc_only &= ts.utcoffset() == pd.Timedelta(0)
        w.zone = w.zone or str(ts.tzinfo)


def wall_datetimes(values, name):
    """Date-times of a column of a call log, each at the wall clock it was written in.

    Lenient, value by value (``pandas.to_datetime``): unreadable cells are
    NaT; time-zone aware values keep their local clock time.

    Raises
    ------
    ValueError
        Values that cannot be read together (mixed time zones), naming ``name``.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        out = pd.Series(values)
    else:
        text = pd.Series(values).astype(str).str.strip()
        text = text.where(~text.isin(["", "nan", "NaT", "None"]))
        try:
            with warnings.catch_warnings():       # value by value is what is meant here
                warnings.simplefilter("ignore", UserWarning)
                out = pd.to_datetime(text, errors="coerce")
        except (ValueError, TypeError, OverflowError) as exc:
            raise ValueError(f"column for {name!r} holds datetimes that cannot be read together "
                             f"(mixed time zones?): {exc}") from None
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_localize(None)   # keep the local wall clock of each value
    return pd.Series(to_ns(out.to_numpy())[0], index=out.index)   # beyond 1677-2262: NaT


def check_span(times, field, moves):
    """Refuse date-times spanning more than the limit ``history_weeks``.

    ``field`` names the column in the error; ``moves`` says what ran from the
    first to the last (``"the starts run"``).
    """
    if not times.notna().any():
        return
    first, last = pd.Timestamp(times.min()), pd.Timestamp(times.max())
    weeks = (last.to_pydatetime() - first.to_pydatetime()).days / 7
    if weeks > limit("history_weeks"):
        at_most(field, round(weeks, 1), "history_weeks",
                suffix=f": {moves} from {first:%Y-%m-%d} to {last:%Y-%m-%d}")
