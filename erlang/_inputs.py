"""Turn the public arguments (contacts per interval, seconds) into kernel inputs.

Every argument of :mod:`ccwfm.erlang` is checked here before any kernel
runs: it must be a real number or a rectangular array of them (booleans,
strings, ``None``, complex numbers, dates and ragged lists are refused), obey
its rule (``'aht' must be > 0``), and stay within its limit of
:data:`ccwfm._limits.LIMITS`, the bound folded into the rule's one vectorised
pass.  The quantities the kernels' loops depend on, the arrival rate and the
offered load after the one unit conversion, are checked too, as is the
number of cells of the broadcast shape.  A value beyond a limit is refused
in the words of :func:`ccwfm._limits.at_most`, with the position of the
first bad element in an array::

    'aht' must be <= 86400 seconds (limit 'aht'): 1e+300 (at index 3)
"""

import decimal
import math
import numbers

import numpy as np

from ccwfm._limits import LIMITS
from ccwfm._validation import broadcast, broadcast_shape, check

from . import _kernels

_REAL = (numbers.Real, decimal.Decimal)
_BOOL = (bool, np.bool_)


def brief(value, width=80):
    """``repr(value)`` cut to ``width`` characters (numpy scalars shown as Python ones)."""
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= width else text[:width - 3] + "..."


def where(shape, i):
    """`` (at index ...)`` for the flat position ``i`` in ``shape``, '' for a scalar."""
    if not shape:
        return ""
    idx = np.unravel_index(i, shape)
    return f" (at index {idx[0] if len(idx) == 1 else tuple(int(j) for j in idx)})"


def _not_numbers(name, value, shape=(), i=None):
    at = "" if i is None else where(shape, i)
    rule = "must be a number or an array of numbers"
    if isinstance(value, (list, tuple, np.ndarray)) and i is not None:
        rule = "must be a number or a rectangular array of numbers"
    return ValueError(f"'{name}' {rule}: {brief(value)}{at}")


def _too_large(name, value, shape=(), i=None):
    at = "" if i is None else where(shape, i)
    return ValueError(f"'{name}' must be within the range of a float (1.8e308): "
                      f"{brief(value)}{at}")


def numbers_array(name, value):
    """``value`` as a float64 array, or ValueError naming ``name``.

    Real numbers (Python, numpy, ``Fraction``, ``Decimal``) and rectangular
    arrays of them pass; a boolean, a string, ``None``, a complex number, a
    date or a ragged nested list is refused, inside a list too (a list is
    scanned element by element, a numeric numpy array is not), and so is an
    integer too large for a float.
    """
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
        return np.asarray(value, dtype=np.float64)
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, _BOOL):
        try:
            return np.asarray(float(value))
        except OverflowError:
            raise _too_large(name, value) from None
    if isinstance(value, (list, tuple)):
        try:
            raw = np.array(value, dtype=object)
        except (TypeError, ValueError):
            raise _not_numbers(name, value) from None
    else:
        if isinstance(value, (str, bytes, dict, set, frozenset) + _BOOL) or value is None:
            raise _not_numbers(name, value)
        try:
            raw = np.asarray(value)
        except (TypeError, ValueError, OverflowError):
            raise _not_numbers(name, value) from None
        if raw.dtype.kind in "fiu":
            return np.asarray(raw, dtype=np.float64)
        if raw.dtype.kind != "O":
            raise _not_numbers(name, raw.item() if raw.size == 1 else value)
    out = np.empty(raw.shape, dtype=np.float64)
    flat = out.reshape(-1)
    for i, x in enumerate(raw.flat):
        if isinstance(x, _BOOL) or not isinstance(x, _REAL):
            raise _not_numbers(name, x if raw.ndim else value, raw.shape, i if raw.ndim else None)
        try:
            flat[i] = float(x)
        except OverflowError:
            raise _too_large(name, x, raw.shape, i if raw.ndim else None) from None
    return out


def limit_error(path, value, key, shape=(), i=0):
    """The ValueError of a value beyond the limit ``key``, worded as ``at_most``'s."""
    lim = LIMITS[key]
    return ValueError(f"'{path}' must be <= {lim.value:g} {lim.unit} (limit '{key}'): "
                      f"{brief(float(value))}{where(shape, i)}")


def checked(name, arr, key=None, **rule):
    """Check ``arr`` against ``rule`` (keywords of :func:`ccwfm._validation.check`) and
    the limit ``key`` in one vectorised pass; the limit allows ``inf`` when the
    rule does (finite values above the limit are still refused).
    """
    if key is None:
        check(name, arr, **rule)
        return arr
    lim = float(LIMITS[key].value)
    try:
        check(name, arr, **rule, hi=lim)
    except ValueError:
        check(name, arr, **rule)          # a broken rule is reported in its own words
        flat = arr.reshape(-1)
        bad = flat > lim
        if rule.get("allow_inf"):
            bad &= flat < np.inf
        if bad.any():
            i = int(np.argmax(bad))
            raise limit_error(name, flat[i], key, arr.shape, i) from None
    return arr


def cells(shape, args):
    """Refuse a broadcast shape of more cells than the limit ``'cells'``."""
    n = math.prod(shape)
    lim = LIMITS["cells"]
    if n > lim.value:
        desc = ", ".join(f"'{k}' {a.shape}" for k, a in args.items() if a.ndim)
        raise ValueError(f"{desc} broadcast to more than {lim.value:g} {lim.unit} "
                         f"(limit 'cells'): {n}")
    return n


def queue_inputs(volume, aht, *, interval, arrival_rate, patience, concurrency,
                 concurrency_factor, extra):
    """Validate and broadcast the workload description of a queue.

    ``extra`` maps further argument names to ``(value, rule)`` where ``rule`` is
    a dict of :func:`ccwfm._validation.check` keywords, with ``key`` naming a
    limit of :data:`ccwfm._limits.LIMITS`; each is validated and broadcast too.

    Returns ``(shape, flat)`` with kernel-ready 1-D arrays in ``flat``:
    ``lam`` arrivals per second, ``h`` seconds of one server per contact
    (AHT times the concurrency factor), ``theta`` abandonments per second of
    waiting (0 where patience is not given or infinite), ``k`` servers per
    agent, plus the ``extra`` names.  Before returning, the arrival rate and
    the offered load ``lam * h`` of every cell are checked against their
    limits.
    """
    user = {}
    if arrival_rate is not None:
        if volume is not None:
            raise ValueError("give either 'volume' (contacts per interval) or 'arrival_rate' "
                             "(contacts per second), not both")
        user["arrival_rate"] = checked("arrival_rate", numbers_array("arrival_rate", arrival_rate),
                                       "arrival_rate", lo=0.0)
    else:
        if volume is None:
            raise ValueError("'volume' (contacts per interval) or 'arrival_rate' "
                             "(contacts per second) is required")
        user["volume"] = checked("volume", numbers_array("volume", volume), "volume", lo=0.0)
        user["interval"] = checked("interval", numbers_array("interval", interval),
                                   lo=0.0, lo_open=True)
    if aht is None:
        raise ValueError("'aht' (average handle time in seconds) is required")
    user["aht"] = checked("aht", numbers_array("aht", aht), "aht", lo=0.0, lo_open=True)
    user["concurrency"] = checked("concurrency", numbers_array("concurrency", concurrency),
                                  "concurrency", lo=1.0, whole=True)
    user["concurrency_factor"] = checked(
        "concurrency_factor", numbers_array("concurrency_factor", concurrency_factor),
        "aht_scale", lo=1.0)
    if patience is not None:
        user["patience"] = checked("patience", numbers_array("patience", patience), "patience",
                                   lo=0.0, lo_open=True, allow_inf=True)
    for name, (value, rule) in extra.items():
        rule = dict(rule)
        key = rule.pop("key", None)
        user[name] = checked(name, numbers_array(name, value), key, **rule)
    shape = broadcast_shape(user)  # raises naming the user's arguments when shapes clash
    cells(shape, user)

    with np.errstate(over="ignore"):
        if "arrival_rate" in user:
            lam = user["arrival_rate"]
        else:
            lam = user["volume"] / user["interval"]
        factor = user["concurrency_factor"]
        plain = factor.size == 1 and float(factor.reshape(1)[0]) == 1.0
        h = user["aht"] if plain else user["aht"] * factor
        # 1 / patience overflows to inf for a subnormal patience: instant abandonment.
        theta = 1.0 / user["patience"] if "patience" in user else np.zeros(())
    kernel = {"lam": lam, "h": h, "theta": theta, "k": user["concurrency"]}
    kernel.update({name: user[name] for name in extra})
    shape, flat = broadcast(kernel)
    _check_workload(shape, flat["lam"], flat["h"], user, plain)
    return shape, flat


def _check_workload(shape, lam, h, user, plain):
    """Refuse cells whose arrival rate or offered load is beyond its limit."""
    lam_max = float(LIMITS["arrival_rate"].value)
    load_max = float(LIMITS["offered_load"].value)
    n = math.prod(shape)
    if n == 0:
        return
    if lam.shape[0] == 1 and h.shape[0] == 1:
        li, hi = float(lam[0]), float(h[0])
        i = -1 if (li <= lam_max and li * hi <= load_max) else 0
    else:
        i = _kernels.first_over(lam, h, n, lam_max, load_max)
    if i < 0:
        return
    li = float(lam[0 if lam.shape[0] == 1 else i])
    hi = float(h[0 if h.shape[0] == 1 else i])
    by_volume = "volume" in user
    if not li <= lam_max:
        path = "volume / interval" if by_volume else "arrival_rate"
        raise limit_error(path, li, "arrival_rate", shape, i)
    work = "aht" if plain else "aht * concurrency_factor"
    path = f"volume * {work} / interval" if by_volume else f"arrival_rate * {work}"
    raise limit_error(path, li * hi, "offered_load", shape, i)
