"""Input checking and broadcasting for the public wrappers.

Every check raises :class:`ValueError` naming the argument, the rule and the
offending value, in the style ``'aht' must be > 0: -3.0``; for arrays the
position of the first offending element is added.
"""

import math

import numpy as np
from numba import njit


@njit(cache=True)
def _all_ok(x, lo, hi):
    """True when every element is in [lo, hi] (NaN fails); branch-free, vectorised."""
    ok = True
    for i in range(x.shape[0]):
        v = x[i]
        ok &= (v >= lo) & (v <= hi)
    return ok


@njit(cache=True)
def _first_bad(x, lo, hi, lo_open, hi_open, allow_inf, whole):
    """Index of the first element outside the rule, or -1."""
    if not whole:
        # Fast path: one vectorised pass over a closed range that already
        # excludes every value the rule rejects.
        lo_c = np.nextafter(lo, np.inf) if lo_open else lo
        hi_c = np.nextafter(hi, -np.inf) if hi_open else hi
        if not allow_inf:
            lo_c = max(lo_c, -np.finfo(np.float64).max)
            hi_c = min(hi_c, np.finfo(np.float64).max)
        if _all_ok(x, lo_c, hi_c):
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
        if whole and v != math.floor(v):
            return i
    return -1


def _fmt(v):
    """Value as the user wrote it: 3.0 -> '3.0', nan -> 'nan'."""
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    return repr(v)


def as_array(name, value):
    """``value`` as a float64 array, or ValueError naming ``name``."""
    if isinstance(value, (str, bytes)):
        raise ValueError(f"'{name}' must be a number or an array of numbers: {value!r}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"'{name}' must be a number or an array of numbers: {value!r}") from None
    return arr


def check(name, arr, *, lo=-np.inf, hi=np.inf, lo_open=False, hi_open=False,
          allow_inf=False, whole=False):
    """Raise ValueError unless every element of ``arr`` obeys the rule."""
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


def _where(arr, i):
    """`` (at index ...)`` for the flat position ``i`` of an array, '' for a scalar."""
    if not arr.ndim:
        return ""
    idx = np.unravel_index(i, arr.shape)
    return f" (at index {idx[0] if len(idx) == 1 else tuple(int(j) for j in idx)})"


def _num(x):
    x = float(x)
    return str(int(x)) if x.is_integer() else repr(x)


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
    or of length 1 (a scalar, read by the kernels as a constant), so that
    inputs already of the full shape, and scalars, are never copied.
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
    """True when every input is a plain number (the result is then a scalar)."""
    for v in values:
        if v is None or isinstance(v, _SCALARS):
            continue
        if isinstance(v, np.ndarray) and v.ndim == 0:
            continue
        return False
    return True
