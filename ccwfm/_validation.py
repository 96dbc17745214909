"""The one validation layer of ccwfm: every package checks its inputs here.

Every check raises :class:`ValueError` in attrs' style, naming the field,
the rule and the value: ``'aht' must be > 0: -3.0``; for arrays the position
of the first offending element is added: ``'volume' must not be NaN: nan
(at index 1)``.  A field is named by its path as the user wrote it
(``'queues[0].patience'``, ``'shifts[early].length'``).

Scalar checks (:func:`number`, :func:`whole`, :func:`share`, :func:`text`,
:func:`boolean`, :func:`choice`, :func:`date`, :func:`clock`,
:func:`sequence`, :func:`known_keys`, :func:`known_name`, :func:`unique`)
return the value converted (a float, an int, minutes from midnight...).
Array checks (:func:`as_array`, :func:`check`, :func:`check_finite_below`,
:func:`broadcast`) are what the broadcasting public wrappers of
:mod:`ccwfm.erlang` use; their scan runs in a Numba kernel compiled on
first use, so importing this module costs nothing.

This module imports nothing of ours, so every package may use it.

Examples
--------
>>> number("aht", -3.0, lo=0, lo_open=True)
Traceback (most recent call last):
...
ValueError: 'aht' must be > 0: -3.0
>>> whole("weeks", 8.0, lo=1)
8
>>> clock("shifts[early].first", "07:30")
450
>>> known_keys("queues[0]", {"patence": 1}, ["name", "patience"])
Traceback (most recent call last):
...
ValueError: 'queues[0].patence' is not a known key (did you mean 'patience'?)
"""

import datetime as dt
import difflib
import math
import re
import unicodedata

import numpy as np

__all__ = [
    "as_array", "boolean", "broadcast", "broadcast_shape", "check", "check_finite_below",
    "choice", "clock", "count", "date", "error", "is_scalar_input", "known_keys", "known_name",
    "number", "printable", "repeated", "sequence", "share", "show", "text", "timestamp", "unique", "whole",
]

DAY_MINUTES = 1440
_SHOW_MOST = 120
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


# ------------------------------------------------------------------ scalars


def show(value):
    """The value as the user wrote it (numpy scalars shown as Python ones)."""
    if isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    # A huge value (a 400-digit int, a megabyte string) is shown by its ends.
    if len(text) <= _SHOW_MOST:
        return text
    return f"{text[:60]}...{text[-20:]} ({len(text)} characters)"


def printable(text, *, newlines=False):
    """``text`` safe to print: control, format, unassigned and surrogate characters
    and line separators escaped as Python writes them (``\\x1b``, ``\\u2028``),
    so that a hostile name can neither drive a terminal nor break a line; line
    feeds are kept with ``newlines``.

    Examples
    --------
    >>> printable("voice\\x1b[2J\\n")
    'voice\\\\x1b[2J\\\\n'
    >>> printable("a\\nb", newlines=True)
    'a\\nb'
    """
    return "".join(c if (newlines and c == "\n") or not _unprintable(c)
                   else c.encode("unicode_escape").decode("ascii") for c in text)


def _unprintable(c):
    cat = unicodedata.category(c)
    return cat[0] == "C" or cat in ("Zl", "Zp")


def error(path, rule, value):
    """``ValueError("'path' rule: value")``."""
    return ValueError(f"'{path}' {rule}: {show(value)}")


def _bounds(lo, hi, lo_open, hi_open):
    parts = []
    if lo is not None:
        parts.append(f"> {lo:g}" if lo_open else f">= {lo:g}")
    if hi is not None:
        parts.append(f"< {hi:g}" if hi_open else f"<= {hi:g}")
    return "must be " + " and ".join(parts)


def number(path, value, *, lo=None, hi=None, lo_open=False, hi_open=False, finite=True,
           keep_int=False):
    """``value`` as a float within the bounds (an int stays one with ``keep_int``).

    Booleans, strings and other non-numbers are refused, and so are NaN and,
    unless ``finite=False``, infinities.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise error(path, "must be a number", value)
    try:
        v = float(value)
    except OverflowError:               # an int beyond float range (10**400)
        raise error(path, "must be finite", value) from None
    if math.isnan(v):
        raise error(path, "must not be NaN", value)
    if finite and math.isinf(v):
        raise error(path, "must be finite", value)
    ok = ((lo is None or (v > lo if lo_open else v >= lo))
          and (hi is None or (v < hi if hi_open else v <= hi)))
    if not ok:
        raise error(path, _bounds(lo, hi, lo_open, hi_open), value)
    return int(value) if keep_int and isinstance(value, (int, np.integer)) else v


def whole(path, value, *, lo=None, hi=None, lo_open=False, hi_open=False):
    """``value`` as an int within the bounds; ``8.0`` is 8, ``8.5`` is refused."""
    v = number(path, value, lo=lo, hi=hi, lo_open=lo_open, hi_open=hi_open)
    if v != math.floor(v):
        raise error(path, "must be a whole number", value)
    return int(v)


def share(path, value, *, lo_open=False, hi_open=False):
    """A fraction in [0, 1] (0.3, not 30)."""
    return number(path, value, lo=0.0, hi=1.0, lo_open=lo_open, hi_open=hi_open)


def text(path, value):
    """A non-empty string (not only blanks)."""
    if not isinstance(value, str) or not value.strip():
        raise error(path, "must be a non-empty string", value)
    return value


def boolean(path, value):
    """``True`` or ``False`` exactly (``"no"``, 0 or 1 are refused, not guessed)."""
    if not isinstance(value, (bool, np.bool_)):
        raise error(path, "must be true or false", value)
    return bool(value)


def choice(path, value, options, *, unit="", quote=True):
    """``value`` if it is one of ``options``, else an error listing them.

    Options are listed as Python literals (``'fast', 'simpy'``), or as
    written with ``quote=False`` (``sum, error, first``), followed by ``unit``.

    Examples
    --------
    >>> choice("interval", 20, (5, 15, 30, 60), unit=" minutes", quote=False)
    Traceback (most recent call last):
    ...
    ValueError: 'interval' must be one of 5, 15, 30, 60 minutes: 20
    """
    try:
        ok = bool(value in options)
    except (TypeError, ValueError):     # unhashable, or an array (ambiguous truth value)
        ok = False
    if not ok:
        listed = ", ".join(repr(o) if quote and isinstance(o, str) else f"{o:g}"
                           if isinstance(o, float) else str(o) for o in options)
        raise error(path, f"must be one of {listed}{unit}", value)
    return value


def count(path, value, lo, what="a whole number"):
    """``value`` as an int >= ``lo``, given as an integer (a bool or ``8.0`` is refused).

    Counts (weeks, origins, rows, seeds) are integers; a float is a sign of a
    mix-up and is refused rather than rounded (:func:`whole` takes ``8.0``).

    Examples
    --------
    >>> count("weeks", 0, 1)
    Traceback (most recent call last):
    ...
    ValueError: 'weeks' must be a whole number >= 1: 0
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
        raise error(path, f"must be {what} >= {lo}", value)
    return int(value)


def date(path, value):
    """A ``datetime.date`` from a date, a datetime or an ISO ``"YYYY-MM-DD"`` string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise error(path, "must be a date (YYYY-MM-DD)", value)


def timestamp(path, value):
    """A tz-naive midnight ``pandas.Timestamp`` from anything date-like."""
    import pandas as pd

    if isinstance(value, (bool, int, float, np.number)) or value is None:
        raise error(path, "must be a date", value)
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise error(path, "must be a date", value) from None
    if ts is pd.NaT:
        raise error(path, "must be a date", value)
    if ts.tz is not None:
        ts = ts.tz_localize(None)
    return ts.normalize()


def clock(path, value):
    """Minutes from midnight of ``"HH:MM"`` or of a whole number in [0, 1440)."""
    if isinstance(value, str):
        m = _CLOCK.match(value)
        if not m or int(m[1]) > 23 or int(m[2]) > 59:
            raise error(path, "must be a time HH:MM (00:00 to 23:59)", value)
        return 60 * int(m[1]) + int(m[2])
    return whole(path, value, lo=0, hi=DAY_MINUTES, hi_open=True)


def sequence(path, value, what, *, empty=False):
    """``value`` as a list (a string is not a sequence here); empty only if allowed."""
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise error(path, f"must be a sequence of {what}", value)
    items = list(value)
    if not items and not empty:
        raise error(path, "must not be empty", value)
    return items


def _hint(name, names):
    near = difflib.get_close_matches(str(name), [str(n) for n in names], n=1, cutoff=0.6)
    return f" (did you mean {near[0]!r}?)" if near else ""


def known_keys(path, mapping, allowed):
    """Refuse a mapping that is not a table, or has a key outside ``allowed``."""
    if not isinstance(mapping, dict):
        raise error(path, "must be a table of keys and values", mapping)
    for key in mapping:
        if key not in allowed:
            where = f"{path}.{key}" if path else key
            raise ValueError(f"'{where}' is not a known key{_hint(key, allowed)}")
    return mapping


def known_name(path, name, names, what):
    """``name`` if it is among ``names``, else ``'path' names an unknown what: 'x'``."""
    if name not in names:
        raise ValueError(f"'{path}' names an unknown {what}: {show(name)}{_hint(name, names)}")
    return name


def repeated(names):
    """The first name that appears twice in ``names``, else None."""
    seen = set()
    for n in names:
        if n in seen:
            return n
        seen.add(n)
    return None


def unique(path, names):
    """Refuse repeated names: ``'queues' must have unique names: 'voice'``."""
    names = list(names)
    dup = repeated(names)
    if dup is not None:
        raise error(path, "must have unique names", dup)
    return names


# ------------------------------------------------------------------- arrays


def _first_bad_py(x, lo, hi, lo_open, hi_open, allow_inf, whole_):
    """Index of the first element of ``x`` outside the rule, or -1 (compiled by Numba)."""
    if not whole_:
        # Fast path: one branch-free pass over a closed range that already
        # excludes every value the rule rejects.
        lo_c = np.nextafter(lo, np.inf) if lo_open else lo
        hi_c = np.nextafter(hi, -np.inf) if hi_open else hi
        if not allow_inf:
            lo_c = max(lo_c, -np.finfo(np.float64).max)
            hi_c = min(hi_c, np.finfo(np.float64).max)
        ok = True
        for i in range(x.shape[0]):
            v = x[i]
            ok &= (v >= lo_c) & (v <= hi_c)
        if ok:
            return -1
    for i in range(x.shape[0]):
        v = x[i]
        if v != v:
            return i
        if (v == np.inf or v == -np.inf) and not allow_inf:
            return i
        if lo_open:
            if not v > lo:
                return i
        elif not v >= lo:
            return i
        if hi_open:
            if not v < hi:
                return i
        elif not v <= hi:
            return i
        if whole_ and v != math.floor(v):
            return i
    return -1


_KERNEL = None


def _first_bad(x, lo, hi, lo_open, hi_open, allow_inf, whole_):
    """Compile :func:`_first_bad_py` on first use and put it in this stub's place.

    The module global is rebound to the Numba dispatcher, so that every later
    :func:`check` calls the kernel directly, with no per-call indirection (a
    caller still holding the stub only pays one extra call).
    """
    global _first_bad, _KERNEL
    if _KERNEL is None:
        from numba import njit

        _KERNEL = njit(cache=True)(_first_bad_py)
    _first_bad = _KERNEL
    return _KERNEL(x, lo, hi, lo_open, hi_open, allow_inf, whole_)


def as_array(name, value):
    """``value`` as a float64 array, or ValueError naming ``name``."""
    if isinstance(value, (str, bytes)):
        raise ValueError(f"'{name}' must be a number or an array of numbers: {value!r}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(
            f"'{name}' must be a number or an array of numbers: {value!r}") from None
    return arr


def _num(x):
    x = float(x)
    return str(int(x)) if x.is_integer() else repr(x)


def _where(arr, i):
    """`` (at index ...)`` for the flat position ``i`` of an array, '' for a scalar."""
    if not arr.ndim:
        return ""
    idx = np.unravel_index(i, arr.shape)
    return f" (at index {idx[0] if len(idx) == 1 else tuple(int(j) for j in idx)})"


def _fmt(v):
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    return repr(v)


def check(name, arr, *, lo=-np.inf, hi=np.inf, lo_open=False, hi_open=False,
          allow_inf=False, whole=False):
    """Raise ValueError unless every element of the float array ``arr`` obeys the rule."""
    if arr.size == 1:
        # A scalar: checked in Python, cheaper than a call into the kernel.
        flat = arr.reshape(1)
        v = float(flat[0])
        ok = (v == v and (allow_inf or not math.isinf(v))
              and (v > lo if lo_open else v >= lo) and (v < hi if hi_open else v <= hi)
              and (not whole or v == math.floor(v)))
        i = -1 if ok else 0
    else:
        flat = np.ascontiguousarray(arr).reshape(-1)
        i = _first_bad(flat, float(lo), float(hi), lo_open, hi_open, allow_inf, whole)
    if i < 0:
        return
    v = flat[i]
    if v != v:
        rule = "must not be NaN"
    elif math.isinf(v) and not allow_inf:
        rule = "must be finite"
    elif whole and v != math.floor(v) and (v > lo or (not lo_open and v == lo)):
        rule = "must be a whole number"
    else:
        parts = []
        if lo > -np.inf:
            parts.append(f"> {_num(lo)}" if lo_open else f">= {_num(lo)}")
        if hi < np.inf:
            parts.append(f"< {_num(hi)}" if hi_open else f"<= {_num(hi)}")
        rule = "must be " + " and ".join(parts)
    raise ValueError(f"'{name}' {rule}: {_fmt(v)}{_where(arr, i)}")


def check_finite_below(name, arr, bound, unit):
    """Raise unless every finite element is <= ``bound`` (infinite ones may pass)."""
    bad = np.isfinite(arr) & (arr > bound)
    if not bad.any():
        return
    i = int(np.flatnonzero(bad.reshape(-1))[0])
    v = arr.reshape(-1)[i]
    raise ValueError(f"'{name}' must be <= {bound:g} {unit}: {_fmt(v)}{_where(arr, i)}")


def broadcast_shape(args):
    """Common shape of named arrays, or ValueError naming the ones that clash."""
    shapes = {a.shape for a in args.values()}
    shapes.discard(())
    if len(shapes) <= 1:
        return shapes.pop() if shapes else ()
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        desc = ", ".join(f"'{k}' {a.shape}" for k, a in args.items() if a.ndim)
        raise ValueError(f"shapes do not broadcast together: {desc}") from None


def broadcast(args):
    """Broadcast named arrays to one shape.

    ``args`` maps names to float64 arrays.  Returns ``(shape, flat)`` where
    ``flat`` maps each name to a contiguous 1-D array of length ``prod(shape)``
    or of length 1 (a scalar, read by kernels as a constant), so that inputs
    already of the full shape, and scalars, are never copied.
    """
    shape = broadcast_shape(args)
    flat = {}
    for k, a in args.items():
        if a.size == 1:
            flat[k] = np.ascontiguousarray(a, dtype=np.float64).reshape(1)
        elif a.shape == shape:
            flat[k] = np.ascontiguousarray(a, dtype=np.float64).reshape(-1)
        else:
            flat[k] = np.ascontiguousarray(np.broadcast_to(a, shape)).reshape(-1)
    return shape, flat


_SCALARS = (int, float, np.number)


def is_scalar_input(*values):
    """True when every input is a plain number (a public wrapper then returns a scalar)."""
    for v in values:
        if v is None or isinstance(v, _SCALARS):
            continue
        if isinstance(v, np.ndarray) and v.ndim == 0:
            continue
        return False
    return True
