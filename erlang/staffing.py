"""Required agents: the smallest head count on the phones that meets every target."""

import numpy as np

from ccwfm._limits import LIMITS
from ccwfm._validation import boolean, is_scalar_input

from . import _kernels
from ._inputs import numbers_array, queue_inputs, where
from .metrics import basis_code

_NAN = np.nan


def required_agents(volume=None, aht=None, *, service_level=None, target_time=None, asa=None,
                    abandon_rate=None, occupancy=None, interval=1800.0, arrival_rate=None,
                    patience=None, concurrency=1, concurrency_factor=1.0, basis="offered",
                    fractional=False):
    """Smallest number of agents meeting every target given.

    Targets combine: the result is the smallest agent count that meets all of
    them at once, so the most demanding wins.  Every metric is monotone in
    the number of agents, so one fewer agent misses at least one target.
    Metrics are those of :func:`erlang.metrics` (Erlang C without
    ``patience``, Erlang A with it) and the answer is exact: the agent count
    just below always misses when evaluated by :func:`erlang.metrics`.

    Parameters
    ----------
    volume : float or array_like
        Contacts offered per interval, >= 0 (or give ``arrival_rate``).
    aht : float or array_like
        Average handle time in seconds, > 0.
    service_level : float or array_like, optional
        Share to answer within ``target_time``, in (0, 1); needs
        ``target_time``.
    target_time : float or array_like, optional
        Service-level threshold in seconds, >= 0.
    asa : float or array_like, optional
        Maximum average speed of answer in seconds, > 0.
    abandon_rate : float or array_like, optional
        Maximum share of offered contacts abandoning, in (0, 1); needs
        ``patience``.
    occupancy : float or array_like, optional
        Maximum agent occupancy, in (0, 1).
    interval : float or array_like, default 1800
        Interval length in seconds.
    arrival_rate : float or array_like, optional
        Contacts per second, instead of ``volume``.
    patience : float or array_like, optional
        Mean patience in seconds (> 0, ``inf`` allowed): selects Erlang A.
    concurrency, concurrency_factor : optional
        Chat slots per agent and handle-time stretch; see :mod:`erlang.metrics`.
    basis : {"offered", "answered"}, default "offered"
        Service-level definition the target refers to.
    fractional : bool, default False
        False: the smallest whole number of agents.  True: the smallest real
        number of agents meeting every target under the continuous
        extension of the Erlang formulas (see :func:`erlang.erlang_b`), to
        1e-9 agents: the value returned meets every target when given to
        :func:`erlang.metrics`, and one 1e-9 agents smaller misses one.  It
        lies in ``(n - 1, n]`` for the whole answer ``n``, so rounding it up
        gives the whole answer; the gap to ``n`` is the slack of the whole
        staffing, and it compares directly with measured (averaged) agents
        such as 4.3.

    Returns
    -------
    int or ndarray of int64, or float or ndarray of float64 with ``fractional``
        Agents on the phones (before shrinkage; see
        :func:`erlang.scheduled_agents`).  0 where no contacts are offered.

    Raises
    ------
    ValueError
        For bad arguments or arguments beyond their limits, as
        :func:`erlang.metrics` (``asa`` has the limit ``target_time``), and
        when a cell needs more agents than the limit ``agents``; the search
        stops there, so every call ends in bounded time.

    Examples
    --------
    >>> required_agents(100, 180, service_level=0.8, target_time=20)
    14
    >>> required_agents(3, 300, service_level=0.5, target_time=20)
    1
    >>> required_agents(100, 180, abandon_rate=0.02, patience=120)
    15
    >>> x = required_agents(100, 180, service_level=0.8, target_time=20, fractional=True)
    >>> round(x, 4)
    13.0372
    """
    if service_level is not None and target_time is None:
        raise ValueError("'service_level' needs 'target_time': the seconds within which "
                         "contacts count as answered in time")
    if target_time is not None and service_level is None:
        raise ValueError("'target_time' is set but 'service_level' is not: give the share "
                         "to answer within target_time")
    if abandon_rate is not None and patience is None:
        raise ValueError("'abandon_rate' needs 'patience': without it the model is "
                         "Erlang C, in which nobody abandons")
    if service_level is None and asa is None and abandon_rate is None and occupancy is None:
        raise ValueError("no target given: set 'service_level' with 'target_time', 'asa', "
                         "'abandon_rate' or 'occupancy'")
    answered = float(basis_code(basis))
    fractional = boolean("fractional", fractional)
    extra = {}
    if service_level is not None:
        extra["service_level"] = (service_level, {"lo": 0.0, "hi": 1.0, "lo_open": True,
                                                  "hi_open": True})
        extra["target_time"] = (target_time, {"lo": 0.0, "key": "target_time"})
    if asa is not None:
        extra["asa"] = (asa, {"lo": 0.0, "lo_open": True, "key": "target_time"})
    if abandon_rate is not None:
        extra["abandon_rate"] = (abandon_rate, {"lo": 0.0, "hi": 1.0, "lo_open": True,
                                                "hi_open": True})
    if occupancy is not None:
        extra["occupancy"] = (occupancy, {"lo": 0.0, "hi": 1.0, "lo_open": True,
                                          "hi_open": True})
    shape, f = queue_inputs(volume, aht, interval=interval, arrival_rate=arrival_rate,
                            patience=patience, concurrency=concurrency,
                            concurrency_factor=concurrency_factor, extra=extra)
    unset = np.full(1, _NAN)
    out = np.empty(int(np.prod(shape)), dtype=np.int64)
    n_max = float(LIMITS["agents"].value)
    over = _kernels.required_array(
        f["lam"], f["h"], f["theta"], f["k"], f.get("target_time", np.zeros(1)),
        f.get("service_level", unset), answered, f.get("asa", unset),
        f.get("abandon_rate", unset), f.get("occupancy", unset), n_max, out)
    if over >= 0:
        raise _too_many(over, shape, f, volume, arrival_rate, occupancy)
    if fractional:
        real = np.empty(out.shape[0])
        _kernels.required_fraction_array(
            f["lam"], f["h"], f["theta"], f["k"], f.get("target_time", np.zeros(1)),
            f.get("service_level", unset), answered, f.get("asa", unset),
            f.get("abandon_rate", unset), f.get("occupancy", unset), out, real)
        out = real
    result = out.reshape(shape)
    scalar = is_scalar_input(volume, aht, service_level, target_time, asa, abandon_rate,
                             occupancy, interval, arrival_rate, patience, concurrency,
                             concurrency_factor)
    if scalar:
        return float(result) if fractional else int(result)
    return result


def _too_many(i, shape, f, volume, arrival_rate, occupancy):
    """The error for cell ``i``, which needs more agents than the limit ``'agents'``.

    Names ``occupancy`` when the cap alone asks for that many agents, else
    the workload (``volume`` or ``arrival_rate``).
    """
    def at(name):
        x = f[name]
        return float(x[0] if x.shape[0] == 1 else x[i])

    lim = LIMITS["agents"].value
    load = at("lam") * at("h")
    if occupancy is not None and load / (at("occupancy") * at("k")) > lim:
        name, value, why = "occupancy", at("occupancy"), "at this load"
    else:
        name, given = ("volume", volume) if volume is not None else ("arrival_rate",
                                                                      arrival_rate)
        cell = np.unravel_index(i, shape) if shape else ()
        value = float(np.broadcast_to(numbers_array(name, given), shape)[cell])
        why = "to meet the targets"
    return ValueError(f"'{name}' needs more than {lim:g} agents {why} (limit 'agents'): "
                      f"{value!r}{where(shape, i)}")
