"""Erlang B, C and A staffing formulas, exact and vectorised (Numba).

Inputs are contacts per interval, interval length and handle time in
seconds (or an arrival rate per second); every function broadcasts over
numpy arrays of any shape and accepts scalars.

>>> from ccwfm import erlang
>>> erlang.required_agents(100, 180, service_level=0.8, target_time=20)
14
>>> erlang.scheduled_agents(14, shrinkage=0.30)
20
"""

from .formulas import erlang_b, erlang_c
from .metrics import (Metrics, abandon_rate, asa, average_wait, metrics, occupancy,
                      prob_wait, service_level)
from .staffing import required_agents
from .workload import deflect, offered_load, scheduled_agents

__all__ = [
    "Metrics",
    "abandon_rate",
    "asa",
    "average_wait",
    "deflect",
    "erlang_b",
    "erlang_c",
    "metrics",
    "occupancy",
    "offered_load",
    "prob_wait",
    "required_agents",
    "scheduled_agents",
    "service_level",
]
