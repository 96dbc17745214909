"""Distributions of handle time, patience, time in the bot and retrial delay (seconds)."""

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from ccwfm._validation import as_array, choice, count, error, number, text

from . import _rng

EXPONENTIAL, LOGNORMAL, WEIBULL, EMPIRICAL, FIXED = 0, 1, 2, 3, 4
_KINDS = {"exponential": EXPONENTIAL, "lognormal": LOGNORMAL, "weibull": WEIBULL,
          "empirical": EMPIRICAL, "fixed": FIXED}

# Largest coefficient of variation of a lognormal: beyond it the median is
# below 1% of the mean, almost every sample is near 0 and the mean rests on
# astronomically rare huge ones, so that no simulated day's average estimates
# it (real handle times and patience have a cv below 3); far beyond it
# (cv ~ 1e154) cv ** 2 overflows and the samples are inf or 0.
MAX_CV = 100.0
# Smallest Weibull shape accepted: the round shape whose cv (92.5) is within
# MAX_CV (at 0.05 the cv is about 4e5; below about 0.012 the moments overflow).
MIN_WEIBULL_SHAPE = 0.13
# Largest mean (and empirical value) of any duration, in seconds: a year, far
# above every duration the simulator takes (limits 'aht' and 'patience'), so
# that every sample is finite.
MAX_MEAN = 365 * 86400.0


@dataclass(frozen=True)
class Distribution:
    """A positive random duration in seconds.

    Build one with a named constructor: :meth:`exponential`, :meth:`lognormal`
    (by mean and coefficient of variation), :meth:`weibull` (by mean and
    shape), :meth:`empirical` (resampling observed values), :meth:`fixed`;
    or from a config mapping with :meth:`from_spec`.  Built directly, it
    checks the parameters its kind uses (``mean`` > 0 and at most
    :data:`MAX_MEAN`, a year; ``cv`` of a lognormal, at most :data:`MAX_CV`;
    ``shape`` of a Weibull, at least :data:`MIN_WEIBULL_SHAPE`; ``values`` of
    an empirical one), so that every sample is finite and the mean means
    something; errors name the parameter: ``'mean' must be > 0 and finite:
    -5``.  ``cv`` is derived from the other parameters for every kind but the
    lognormal (and ``mean`` too for an empirical one).

    Examples
    --------
    >>> Distribution.lognormal(300, cv=0.8).mean
    300.0
    >>> Distribution.from_spec({"kind": "weibull", "mean": 120, "shape": 0.7}).kind
    'weibull'
    """

    kind: str
    mean: float
    cv: float = 1.0
    shape: float = 1.0
    values: tuple = ()

    @classmethod
    def exponential(cls, mean):
        """Exponential with the given mean (seconds)."""
        return cls("exponential", _positive("mean", mean), cv=1.0)

    @classmethod
    def lognormal(cls, mean, cv):
        """Lognormal with the given mean (seconds) and coefficient of variation.

        ``cv`` must be > 0 and <= :data:`MAX_CV` (100).
        """
        return cls("lognormal", _positive("mean", mean), cv=_cv(cv))

    @classmethod
    def weibull(cls, mean, shape):
        """Weibull with the given mean (seconds) and shape.

        A shape < 1 gives a heavy early hazard, 1 the exponential; it must be
        >= :data:`MIN_WEIBULL_SHAPE` (0.13, a cv of 92.5), below which the
        spread is astronomical and the moments soon overflow.
        """
        return cls("weibull", _positive("mean", mean), shape=_weibull_shape(shape))

    @classmethod
    def empirical(cls, values):
        """Resample observed durations (seconds, all >= 0, at least one > 0)."""
        arr = _durations(values)
        return cls("empirical", float(arr.mean()), values=tuple(arr.tolist()))

    @classmethod
    def fixed(cls, value):
        """Always the same duration (seconds)."""
        return cls("fixed", _positive("value", value), cv=0.0)

    @classmethod
    def from_spec(cls, spec, field="distribution"):
        """Build from a config value: a mapping with ``kind`` and its parameters.

        ``{"kind": "exponential", "mean": 180}``, ``{"kind": "lognormal",
        "mean": 300, "cv": 0.8}``, ``{"kind": "weibull", "mean": 120,
        "shape": 0.7}``, ``{"kind": "empirical", "values": [...]}``,
        ``{"kind": "fixed", "value": 30}``; a bare number means exponential
        with that mean.  Errors name ``field``.
        """
        if isinstance(spec, Distribution):
            return spec
        if isinstance(spec, (int, float, np.integer, np.floating)) and not isinstance(spec, bool):
            return _named(field, cls.exponential, spec)
        if not isinstance(spec, dict):
            raise ValueError(f"'{field}' must be a number (an exponential mean) or a mapping "
                             f"with 'kind': {spec!r}")
        kind = spec.get("kind")
        if not isinstance(kind, str):
            raise error(f"{field}.kind", "must be one of " + ", ".join(map(repr, _KINDS)), kind)
        params = {"exponential": ("mean",), "lognormal": ("mean", "cv"),
                  "weibull": ("mean", "shape"), "empirical": ("values",), "fixed": ("value",)}
        choice(f"{field}.kind", kind, tuple(params))
        unknown = set(spec) - {"kind", *params[kind]}
        if unknown:
            raise ValueError(f"'{field}' has unknown key {sorted(unknown)[0]!r} for kind "
                             f"{kind!r} (expected {', '.join(params[kind])})")
        missing = [p for p in params[kind] if p not in spec]
        if missing:
            raise ValueError(f"'{field}.{missing[0]}' is required for kind {kind!r}")
        return _named(field, getattr(cls, kind), *(spec[p] for p in params[kind]))

    def __post_init__(self):
        choice("kind", text("kind", self.kind), tuple(_KINDS))
        put = object.__setattr__
        if self.kind == "empirical":
            arr = _durations(self.values)
            put(self, "values", tuple(arr.tolist()))
            put(self, "mean", float(arr.mean()))
            put(self, "cv", float(arr.std() / arr.mean()))
            return
        put(self, "mean", _positive("mean", self.mean))
        if self.kind == "lognormal":
            put(self, "cv", _cv(self.cv))
        elif self.kind == "weibull":
            shape = _weibull_shape(self.shape)
            put(self, "shape", shape)
            # Rounding can take cv^2 a hair below 0 for huge shapes (cv -> 0).
            cv2 = math.exp(math.lgamma(1 + 2 / shape) - 2 * math.lgamma(1 + 1 / shape)) - 1
            put(self, "cv", math.sqrt(max(cv2, 0.0)))
        else:
            put(self, "cv", 1.0 if self.kind == "exponential" else 0.0)

    def to_spec(self):
        """The config mapping that :meth:`from_spec` turns back into this distribution."""
        if self.kind == "exponential":
            return {"kind": "exponential", "mean": self.mean}
        if self.kind == "lognormal":
            return {"kind": "lognormal", "mean": self.mean, "cv": self.cv}
        if self.kind == "weibull":
            return {"kind": "weibull", "mean": self.mean, "shape": self.shape}
        if self.kind == "empirical":
            return {"kind": "empirical", "values": list(self.values)}
        return {"kind": "fixed", "value": self.mean}

    def scaled(self, factor):
        """The same shape with every duration multiplied by ``factor`` (> 0)."""
        factor = _positive("factor", factor)
        if self.kind == "empirical":
            return Distribution.empirical(np.asarray(self.values) * factor)
        return Distribution(self.kind, self.mean * factor, cv=self.cv, shape=self.shape)

    def params(self):
        """``(kind code, p1, p2, values array)`` for the kernels."""
        if self.kind == "lognormal":
            sigma2 = math.log1p(self.cv ** 2)
            return LOGNORMAL, math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2), _EMPTY
        if self.kind == "weibull":
            scale = self.mean / math.gamma(1 + 1 / self.shape)
            return WEIBULL, scale, 1.0 / self.shape, _EMPTY
        if self.kind == "empirical":
            return EMPIRICAL, 0.0, 0.0, np.asarray(self.values, dtype=float)
        return _KINDS[self.kind], self.mean, 0.0, _EMPTY

    def sample(self, rng, size):
        """Draw ``size`` values with a :class:`numpy.random.Generator` (its fast samplers)."""
        if not isinstance(rng, np.random.Generator):
            raise error("rng", "must be a numpy.random.Generator", rng)
        size = count("size", size, 0)
        kind, p1, p2, values = self.params()
        if kind == EXPONENTIAL:
            x = rng.standard_exponential(size)
            x *= p1                      # in place: a third faster than rng.exponential
            return x
        if kind == LOGNORMAL:
            return rng.lognormal(p1, p2, size)
        if kind == WEIBULL:
            return p1 * rng.weibull(self.shape, size)
        if kind == EMPIRICAL:
            return values[rng.integers(0, values.shape[0], size)]
        return np.full(size, p1)


_EMPTY = np.zeros(0)


def _positive(name, value, hi=MAX_MEAN):
    """A duration parameter as a float: a number (shared check), > 0 and finite, <= ``hi``."""
    v = number(name, value, finite=False)
    if not 0.0 < v < math.inf:
        raise error(name, "must be > 0 and finite", value)
    if hi is not None and v > hi:
        raise error(name, f"must be <= {hi:g} seconds (a year)", value)
    return v


def _cv(value):
    """A lognormal's coefficient of variation: > 0 and <= MAX_CV."""
    return number("cv", _positive("cv", value, hi=None), hi=MAX_CV)


def _weibull_shape(value):
    """A Weibull shape as a float: > 0 and finite, and >= MIN_WEIBULL_SHAPE."""
    return number("shape", _positive("shape", value, hi=None), lo=MIN_WEIBULL_SHAPE)


def _durations(values):
    """Observed durations as a flat float array: at least one, all finite and >= 0, one > 0.

    Each is at most :data:`MAX_MEAN` seconds (a year).
    """
    if isinstance(values, dict) or not hasattr(values, "__len__"):
        raise error("values", "must be a sequence of durations", values)
    arr = as_array("values", values)
    if arr.ndim != 1:
        raise error("values", "must be a flat sequence of durations", values)
    if arr.size == 0:
        raise ValueError("'values' must hold at least one duration: []")
    bad = ~np.isfinite(arr) | (arr < 0) | (arr > MAX_MEAN)
    if bad.any():
        raise ValueError(f"'values' must be finite, >= 0 and <= {MAX_MEAN:g} seconds (a year): "
                         f"{float(arr[bad][0])!r} (at index {int(np.flatnonzero(bad)[0])})")
    if not (arr > 0).any():
        raise ValueError("'values' must hold a duration > 0: all are 0")
    return arr


def _named(field, ctor, *args):
    """Call a constructor; prefix the field name to its error."""
    try:
        return ctor(*args)
    except ValueError as exc:
        msg = str(exc)
        if msg.startswith("'"):
            msg = f"'{field}." + msg[1:]
        raise ValueError(msg) from None


@njit(cache=True, inline="always")
def draw(kind, p1, p2, values, u1, u2):
    """One value from uniforms ``u1``, ``u2`` in (0, 1) by inverse transform.

    ``u2`` is used by the lognormal only (Box-Muller).
    """
    if kind == EXPONENTIAL:
        return -p1 * math.log(u1)
    if kind == LOGNORMAL:
        z = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
        return math.exp(p1 + p2 * z)
    if kind == WEIBULL:
        return p1 * (-math.log(u1)) ** p2
    if kind == EMPIRICAL:
        n = values.shape[0]
        i = int(u1 * n)
        return values[min(i, n - 1)]
    return p1


@njit(cache=True, inline="always")
def draw_keyed(kind, p1, p2, values, key, queue, contact, attempt, stream):
    """One value for a contact attempt from the counter-based generator."""
    u1 = _rng.uniform(key, queue, contact, attempt, stream, 0)
    u2 = _rng.uniform(key, queue, contact, attempt, stream, 1) if kind == LOGNORMAL else 0.5
    return draw(kind, p1, p2, values, u1, u2)
