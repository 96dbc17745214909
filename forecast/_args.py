"""Argument checks of the forecast package, on the shared :mod:`ccwfm._validation`.

Numbers, texts and dates are checked by the shared functions themselves
(:func:`ccwfm._validation.number`, :func:`~ccwfm._validation.text`...); the
two rules here keep forecast's wording, which its users already read, in
the shared style ``'field' rule: value``
(:func:`ccwfm._validation.error`): ``'weeks' must be a whole number >= 1:
0`` (counts must be integers: ``8.0`` is refused, where the shared
:func:`~ccwfm._validation.whole` takes it) and ``'duplicates' must be one
of sum, error, first, last: 'x'`` (options listed bare).

Examples
--------
>>> whole("weeks", 8, 1)
8
>>> whole("weeks", 0, 1)
Traceback (most recent call last):
...
ValueError: 'weeks' must be a whole number >= 1: 0
>>> one_of("interval", 20, (5, 15, 30, 60), " minutes")
Traceback (most recent call last):
...
ValueError: 'interval' must be one of 5, 15, 30, 60 minutes: 20
"""

import numpy as np

from ccwfm._validation import error

__all__ = ["one_of", "whole"]


def whole(path, value, lo, what="a whole number"):
    """``value`` as an int >= ``lo``: a Python or numpy integer (not a bool, not ``8.0``).

    Counts (weeks, origins, rows, seeds) are given as integers; a float is a
    sign of a mix-up and is refused rather than rounded.

    Raises
    ------
    ValueError
        ``'path' must be <what> >= lo: value``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
        raise error(path, f"must be {what} >= {lo}", value)
    return int(value)


def one_of(path, value, options, unit=""):
    """``value`` if it is one of ``options``.

    Raises
    ------
    ValueError
        ``'path' must be one of a, b, c<unit>: value``.
    """
    try:
        ok = value in options
    except TypeError:
        ok = False
    if not ok:
        raise error(path, f"must be one of {', '.join(map(str, options))}{unit}", value)
    return value
