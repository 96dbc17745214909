"""Discrete-event simulation of a contact center.

A :class:`Center` holds queues (arrivals per interval, handle time,
patience, an optional bot in front, retrials) and agent groups (skills with
overflow thresholds, staffing vectors or shifts, chat concurrency);
:func:`simulate` runs replications with common random numbers and returns
per-interval and horizon statistics with confidence intervals.  Every
center runs on a Numba fast path (one kernel per queue when each queue has
its own group, one event loop over the whole center for multi-skill routing
and overflow); the SimPy model (``engine="simpy"``) is the slow reference;
both produce the same contacts from the same seed.

>>> from ccwfm.simulate import Center, simulate
>>> c = Center.single_queue([100.0] * 16, aht=180, agents=14, patience=120)
>>> res = simulate(c, replications=4, seed=1)
>>> res.engine
'fast'
"""

from .controls import CONTROLS, control_estimate
from .distributions import Distribution
from .model import Bot, Center, Group, Queue, Retrial, Shift, Skill
from .run import SimulationResult, max_replications, simulate
from .stationary import Estimate, StationaryResult, stationary
from .stats import GROUP_METRICS, QUEUE_METRICS

__all__ = [
    "Bot",
    "CONTROLS",
    "Center",
    "Distribution",
    "Estimate",
    "GROUP_METRICS",
    "Group",
    "QUEUE_METRICS",
    "Queue",
    "Retrial",
    "Shift",
    "SimulationResult",
    "Skill",
    "StationaryResult",
    "control_estimate",
    "max_replications",
    "simulate",
    "stationary",
]
