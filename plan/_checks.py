"""Input checks shared by plan's modules: ValueErrors in attrs' style,
``'field' rule: value``."""

import math

import numpy as np


def error(path, rule, value):
    """``ValueError("'path' rule: value")``, numpy scalars shown as Python ones."""
    if isinstance(value, np.generic):
        value = value.item()
    return ValueError(f"'{path}' {rule}: {value!r}")


def number(path, value, *, lo=None, hi=None, lo_open=False, hi_open=False, finite=True,
           keep_int=False):
    """``value`` as a number within the bounds (a float; an int stays one with
    ``keep_int``), or a ValueError naming ``path``, the rule and the value."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise error(path, "must be a number", value)
    v = float(value)
    if math.isnan(v):
        raise error(path, "must not be NaN", value)
    if finite and math.isinf(v):
        raise error(path, "must be finite", value)
    parts = []
    if lo is not None:
        parts.append(f"> {lo:g}" if lo_open else f">= {lo:g}")
    if hi is not None:
        parts.append(f"< {hi:g}" if hi_open else f"<= {hi:g}")
    ok = ((lo is None or (v > lo if lo_open else v >= lo))
          and (hi is None or (v < hi if hi_open else v <= hi)))
    if not ok:
        raise error(path, "must be " + " and ".join(parts), value)
    return int(value) if keep_int and isinstance(value, (int, np.integer)) else v


def whole(path, value, *, lo=None, hi=None, lo_open=False, hi_open=False):
    """``value`` as a whole number within the bounds, or a ValueError naming ``path``."""
    v = number(path, value, lo=lo, hi=hi, lo_open=lo_open, hi_open=hi_open)
    if v != math.floor(v):
        raise error(path, "must be a whole number", value)
    return int(v)
