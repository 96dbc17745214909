"""Every bound on a size that drives work, in one table (README "Limits").

A request beyond a limit is refused before any work starts, with a
``ValueError`` naming the field, the rule and the value, in the style of
:mod:`ccwfm._validation`::

    'queues[voice].aht' must be <= 86400 seconds (limit 'aht'): 1e+300

The limits are chosen so that every accepted request finishes in bounded
time and memory on a laptop, and so that no real contact center is refused:
the largest single queues in the world take a few thousand contacts per
15 minutes and staff a few thousand agents; the limits are one or two orders
of magnitude above that.  README's "Limits" table is checked against
:data:`LIMITS` by ``tests/test_limits.py``.

This module imports nothing of ours but :mod:`ccwfm._validation`.

Examples
--------
>>> at_most("aht", 300.0, "aht")
300.0
>>> at_most("queues[voice].aht", 1e300, "aht")
Traceback (most recent call last):
...
ValueError: 'queues[voice].aht' must be <= 86400 seconds (limit 'aht'): 1e+300
"""

from typing import NamedTuple

from ._validation import show

__all__ = ["LIMITS", "Limit", "at_most", "limit"]


class Limit(NamedTuple):
    """One bound: ``key`` (its name in errors), ``value``, ``unit``, what it bounds, why."""

    key: str
    value: float
    unit: str
    bounds: str
    why: str


LIMITS = {lim.key: lim for lim in (
    Limit("volume", 1_000_000, "contacts per interval",
          "contacts offered to one queue in one interval (history, forecast, erlang, simulate)",
          "far above the busiest real queue; keeps offered load and agents bounded"),
    Limit("aht", 86_400, "seconds",
          "average handle time of a contact", "a day; e-mail work items take minutes to hours"),
    Limit("patience", 2_592_000, "seconds",
          "mean patience (time a contact waits before abandoning), when finite",
          "30 days; infinite patience (no abandonment) is allowed"),
    Limit("target_time", 2_592_000, "seconds",
          "service-level or ASA target time", "30 days, for back-office work"),
    Limit("offered_load", 200_000, "erlangs",
          "offered load of one queue in one interval (volume x AHT / interval length)",
          "twice the agents limit, so that overload at that limit can be measured"),
    Limit("agents", 100_000, "agents",
          "agents in one queue, group or interval (erlang, simulate, schedule)",
          "as for offered load"),
    Limit("concurrency", 20, "contacts",
          "contacts one agent handles at once (chat)", "real chat desks use 2 to 6"),
    Limit("replications", 10_000, "replications",
          "simulation replications of one run", "precision grows only as the square root"),
    Limit("sim_contacts", 50_000_000, "contacts",
          "expected contacts of one simulation run, summed over its replications",
          "about 10 s in the fast path (150-200 ns per contact, measured)"),
    Limit("weeks", 104, "weeks",
          "planning horizon", "two years; finance plans one"),
    Limit("history_weeks", 520, "weeks",
          "span of a history (interval file or call log)", "ten years"),
    Limit("history_rows", 20_000_000, "rows",
          "rows of one history file", "about 2 GiB in memory"),
    Limit("file_size", 2048, "MiB",
          "size of one history file read by the CLI or the Python API",
          "uncompressed CSV; the dashboard's upload limit is lower"),
    Limit("queues", 200, "queues", "queues of one scenario", "one plan, one page"),
    Limit("shift_templates", 500, "templates",
          "shift templates of one scenario", "keeps the schedule's MILP solvable"),
    Limit("variants", 100, "variants", "variants of one scenario comparison", ""),
    Limit("volume_scale", 100, "times",
          "what-if or variant multiplier of the forecast volume", "a center 100 times larger "
          "is another plan"),
    Limit("aht_scale", 100, "times",
          "multiplier of a queue's handle time (aht_scale, concurrency_factor, bot uplift)",
          "a handle time 100 times longer is another process"),
    Limit("correction_rounds", 50, "rounds",
          "simulation correction rounds of one plan (simulation.max_rounds)",
          "each round is a simulation; a deep backlog closes in a few rounds"),
    Limit("scenario_size", 8, "MiB",
          "size of one scenario file or TOML text",
          "the largest scenario within the other limits takes well under 1 MiB"),
    Limit("arrival_rate", 10_000, "contacts per second",
          "arrival rate of one queue (erlang: volume / interval, or as given)",
          "36 million an hour; bounds the Erlang A series (arrivals within a mean patience)"),
    Limit("cells", 10_000_000, "cells",
          "cells of one erlang call (the broadcast shape of its arguments)",
          "about 2 GiB of inputs and outputs at 8 bytes a value"),
    Limit("sim_replication_contacts", 8_000_000, "contacts",
          "expected contacts of one replication of a simulation run, all its queues",
          "the fast path holds one replication's records at once: about 130 bytes each, 1 GiB"),
    Limit("sim_simpy_contacts", 2_000_000, "contacts",
          "expected contacts of a simulation run on the SimPy engine (shared or overflow "
          "groups), summed over its replications", "about 5 us and 450 bytes per contact"),
    Limit("sim_records", 4_000_000, "contacts",
          "expected contacts of a simulation run that keeps every record (records=True)",
          "about 250 bytes and 1.5 us per record kept"),
    Limit("money", 1_000_000_000, "currency units",
          "a wage per hour, a cost per bot contact, per abandoned contact or per hire",
          "a billion: every total of a plan stays finite"),
    Limit("sim_cells", 4_000_000, "cells",
          "replications x (queues + groups) x intervals of a simulation run",
          "about 250 bytes per cell (1 GiB); the per-interval tables have 16 rows per queue "
          "and interval; a 52-week plan of 4 queues at 15 minutes fits 10 replications"),
)}


def limit(key):
    """The value of the limit ``key`` (a float or an int)."""
    return LIMITS[key].value


def at_most(path, value, key, *, suffix=""):
    """``value`` if it is <= the limit ``key``, else a ValueError naming ``path``.

    ``value`` must already be a number (check its type and sign first, with
    :mod:`ccwfm._validation`); NaN is refused too.  ``suffix`` follows the
    value in the message as it is (``" (rows 7, 9)"``).
    """
    lim = LIMITS[key]
    if not value <= lim.value:
        raise ValueError(f"'{path}' must be <= {lim.value:g} {lim.unit} (limit '{key}'): "
                         f"{show(value)}{suffix}")
    return value
