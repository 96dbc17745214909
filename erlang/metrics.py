"""Queue performance for a given number of agents: Erlang C or Erlang A.

One call answers "what do I get with n agents?" for every cell of arrays of
any shape (intervals x scenarios...), with scalars working too.

The model is chosen per cell by ``patience``:

* no patience (``None``) or ``inf``: **Erlang C** (M/M/n), callers wait as
  long as it takes.  With ``agents * concurrency <= load`` the queue grows
  without bound: probability of waiting 1, service level 0, ASA ``inf``,
  occupancy 1.
* a finite mean patience in seconds: **Erlang A** (M/M/n+M), every waiting
  caller hangs up after an exponential time with that mean.  Always stable.

Service level comes in two definitions, both in use in the industry:

* ``service_level`` (basis "offered"): contacts answered within
  ``target_time`` divided by all offered contacts; a contact that hangs up,
  even after two seconds, counts against it.
* ``service_level_answered`` (basis "answered"): contacts answered within
  ``target_time`` divided by answered contacts; abandoned ones are left out.

Under Erlang C the two coincide.

Agents may be fractional (4.3 agents measured on average in an interval's
logs).  The formulas then use the continuous extension in the number of
servers: Erlang B through ``1 / B(s, a) = e**a a**-s Gamma(s + 1, a)``
(Jagerman 1974; see :mod:`erlang.formulas`), Erlang C from it as for whole
numbers, and Erlang A with that ``1 / B`` and its queue weights
``prod_i lam / (s mu + i theta)``, which are defined for real ``s`` already
(the Mandelbaum and Zeltyn formulas with incomplete gamma functions).  Every
metric equals its whole-number value at whole numbers and moves continuously
and monotonically in between.  It is an interpolation of the model, not a
model of part-time agents.

Chat concurrency (``concurrency = k``): each agent holds up to ``k``
contacts at once.  The model used is the *slot model*: ``n`` agents are
``n * k`` independent servers, and a contact occupies its slot for
``aht * concurrency_factor`` seconds, the factor (>= 1) stretching handle
time for the attention an agent splits between chats.  Assumptions and
limits: slots are independent, so an agent with one chat open is as slow as
with ``k`` (pessimistic at low load, where a real agent often has a single
chat); an agent is never blocked from taking a chat in a free slot; the
stretch does not depend on how many chats are actually open.  Occupancy is
reported per slot.  Check it against simulation for your operation before
relying on it.
"""

from dataclasses import dataclass, fields

import numpy as np

from ccwfm._validation import is_scalar_input

from . import _kernels
from ._inputs import brief, checked, numbers_array, queue_inputs


@dataclass(frozen=True)
class Metrics:
    """Queue performance per cell; every field has the broadcast input shape.

    Built by hand, its fields are checked: real numbers (or arrays of one
    shape) with probabilities in [0, 1] and non-negative times.

    Attributes
    ----------
    agents : ndarray
        Agents (as given; may be fractional).
    load : ndarray
        Offered load in Erlangs of agent time, ``arrival rate * aht *
        concurrency_factor``.
    prob_wait : ndarray
        Probability that an arriving contact finds every slot busy and waits.
    service_level : ndarray
        Answered within ``target_time`` over offered.
    service_level_answered : ndarray
        Answered within ``target_time`` over answered.
    asa : ndarray
        Average speed of answer in seconds: mean wait of answered contacts
        (``inf`` when nothing is answered).
    average_wait : ndarray
        Mean wait in queue of all contacts, abandoned ones included (seconds).
    abandon_rate : ndarray
        Share of offered contacts that hang up while waiting (0 under
        Erlang C).
    occupancy : ndarray
        Share of agent (slot) time spent handling contacts.
    """

    agents: np.ndarray
    load: np.ndarray
    prob_wait: np.ndarray
    service_level: np.ndarray
    service_level_answered: np.ndarray
    asa: np.ndarray
    average_wait: np.ndarray
    abandon_rate: np.ndarray
    occupancy: np.ndarray

    def __post_init__(self):
        """Check a ``Metrics`` built by hand: numbers of one shape, each in its range.

        Every field becomes a float (when all are scalars) or a float64 array.
        """
        values = {}
        for f in fields(self):
            rule = _FIELD_RULES[f.name]
            values[f.name] = checked(f.name, numbers_array(f.name, getattr(self, f.name)),
                                     rule.get("key"), **{k: v for k, v in rule.items()
                                                         if k != "key"})
        shape = values["agents"].shape
        for name, v in values.items():
            if v.shape != shape:
                raise ValueError(f"'{name}' must have the shape of 'agents' {shape}: "
                                 f"{v.shape}")
        for name, v in values.items():
            object.__setattr__(self, name, float(v) if not shape else v)

    @classmethod
    def _trusted(cls, values):
        """A ``Metrics`` of the values computed by :func:`metrics`, not checked again."""
        obj = cls.__new__(cls)
        for name, v in values.items():
            object.__setattr__(obj, name, v)
        return obj

    def as_dict(self):
        """The fields as a dict of arrays (ready for ``pandas.DataFrame``)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


_SHARE = {"lo": 0.0, "hi": 1.0}
_TIME = {"lo": 0.0, "allow_inf": True}
_FIELD_RULES = {
    "agents": {"lo": 0.0, "key": "agents"},
    "load": {"lo": 0.0, "key": "offered_load"},
    "prob_wait": _SHARE, "service_level": _SHARE, "service_level_answered": _SHARE,
    "asa": _TIME, "average_wait": _TIME, "abandon_rate": _SHARE, "occupancy": _SHARE,
}


def metrics(agents, volume=None, aht=None, *, target_time=20.0, interval=1800.0,
            arrival_rate=None, patience=None, concurrency=1, concurrency_factor=1.0):
    """Every queue metric for given agent counts, by Erlang C or Erlang A.

    Parameters
    ----------
    agents : float or array_like
        Agents on the phones (after shrinkage), >= 0.  Fractional counts
        (an average such as 4.3) take the continuous extension of the
        formulas (module docstring): equal to the whole-number metrics at
        whole numbers, continuous and monotone in between.
    volume : float or array_like
        Contacts offered per interval, >= 0.  Or give ``arrival_rate``.
    aht : float or array_like
        Average handle time in seconds, > 0.
    target_time : float or array_like, default 20
        Service-level threshold in seconds ("answered within t"), >= 0.
    interval : float or array_like, default 1800
        Interval length in seconds, > 0.
    arrival_rate : float or array_like, optional
        Contacts per second, instead of ``volume`` and ``interval``.
    patience : float or array_like, optional
        Mean patience in seconds (> 0, ``inf`` allowed): selects Erlang A.
    concurrency : int or array_like, default 1
        Contacts an agent holds at once (chat), whole number >= 1.
    concurrency_factor : float or array_like, default 1.0
        Handle-time stretch under concurrency, >= 1.

    Returns
    -------
    Metrics
        Arrays of the broadcast shape; floats when every input is a scalar.

    Raises
    ------
    ValueError
        Naming the argument, the rule and the value (and the index of the
        first bad element of an array) for anything but real numbers within
        their rules, and before any computation for a value beyond its limit
        in :data:`ccwfm._limits.LIMITS`: ``volume``, ``aht``, finite
        ``patience``, ``target_time``, ``agents``, ``concurrency``,
        ``concurrency_factor`` (limit ``aht_scale``), the arrival rate
        (``volume / interval``), the offered load (``volume * aht *
        concurrency_factor / interval``) and the number of broadcast cells.

    Examples
    --------
    >>> m = metrics(14, 100, 180, target_time=20)
    >>> round(m.service_level, 4), round(m.prob_wait, 4), round(m.asa, 2)
    (0.8884, 0.1741, 7.84)
    >>> m = metrics(14, 100, 180, target_time=20, patience=120)
    >>> round(m.abandon_rate, 4)
    0.0228
    >>> round(metrics(13.5, 100, 180, target_time=20).service_level, 4)
    0.8482
    """
    shape, f = queue_inputs(
        volume, aht, interval=interval, arrival_rate=arrival_rate, patience=patience,
        concurrency=concurrency, concurrency_factor=concurrency_factor,
        extra={"agents": (agents, {"lo": 0.0, "key": "agents"}),
               "target_time": (target_time, {"lo": 0.0, "key": "target_time"})})
    n = int(np.prod(shape))
    servers = f["agents"] * f["k"]
    outs = [np.empty(n) for _ in range(7)]
    _kernels.metrics_array(servers, f["lam"], f["h"], f["theta"], f["target_time"], *outs)
    pw, pab, sl, sl_ans, asa_, awt, occ = (o.reshape(shape) for o in outs)
    load = np.broadcast_to(f["lam"] * f["h"], (n,)).reshape(shape)
    agents_out = np.broadcast_to(f["agents"], (n,)).reshape(shape)
    values = dict(agents=agents_out, load=load, prob_wait=pw, service_level=sl,
                  service_level_answered=sl_ans, asa=asa_, average_wait=awt,
                  abandon_rate=pab, occupancy=occ)
    if is_scalar_input(agents, volume, aht, target_time, interval, arrival_rate, patience,
                       concurrency, concurrency_factor):
        values = {k: float(v) for k, v in values.items()}
    else:
        # The kernel's outputs are ours already; the broadcast views are copied.
        values["load"] = np.array(load)
        values["agents"] = np.array(agents_out)
    return Metrics._trusted(values)


def service_level(agents, volume=None, aht=None, target_time=20.0, *, basis="offered",
                  **kwargs):
    """Service level: share answered within ``target_time`` seconds.

    ``basis="offered"`` divides by offered contacts, ``"answered"`` by
    answered ones (identical under Erlang C).  Other keywords as in
    :func:`metrics`.

    Examples
    --------
    >>> round(service_level(14, 100, 180, 20), 4)
    0.8884
    """
    answered = basis_code(basis)
    m = metrics(agents, volume, aht, target_time=target_time, **kwargs)
    return m.service_level_answered if answered else m.service_level


def basis_code(basis):
    """0 for the "offered" service-level basis, 1 for "answered"."""
    if isinstance(basis, str) and basis == "offered":
        return 0
    if isinstance(basis, str) and basis == "answered":
        return 1
    raise ValueError(f"'basis' must be 'offered' or 'answered': {brief(basis)}")


def prob_wait(agents, volume=None, aht=None, **kwargs):
    """Probability that a contact waits; keywords as in :func:`metrics`.

    Examples
    --------
    >>> round(prob_wait(14, 100, 180), 4)
    0.1741
    """
    return metrics(agents, volume, aht, **kwargs).prob_wait


def asa(agents, volume=None, aht=None, **kwargs):
    """Average speed of answer of answered contacts, in seconds.

    Examples
    --------
    >>> round(asa(14, 100, 180), 2)
    7.84
    """
    return metrics(agents, volume, aht, **kwargs).asa


def abandon_rate(agents, volume=None, aht=None, **kwargs):
    """Share of offered contacts that abandon (0 without ``patience``).

    Examples
    --------
    >>> round(abandon_rate(14, 100, 180, patience=120), 4)
    0.0228
    """
    return metrics(agents, volume, aht, **kwargs).abandon_rate


def average_wait(agents, volume=None, aht=None, **kwargs):
    """Mean wait of all contacts in seconds, abandoned ones included.

    Examples
    --------
    >>> round(average_wait(14, 100, 180, patience=120), 2)
    2.74
    """
    return metrics(agents, volume, aht, **kwargs).average_wait


def occupancy(agents, volume=None, aht=None, **kwargs):
    """Share of agent (slot) time spent handling contacts.

    Examples
    --------
    >>> round(occupancy(14, 100, 180), 3)
    0.714
    """
    return metrics(agents, volume, aht, **kwargs).occupancy
