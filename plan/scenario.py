"""A planning scenario: what to plan, for whom, with which people, at what cost.

Frozen objects that validate themselves when built (``__post_init__``), so a
changed copy (``dataclasses.replace(scenario, weeks=4)``) is checked like a
file.  :meth:`Scenario.from_toml` and the ``from_dict`` constructors read the
file form: unknown keys, missing fields and impossible values are errors
naming the key, with the nearest valid key suggested (``'queues[0].patence'
is not a known key (did you mean 'patience'?)``).  Units: times of contacts in
seconds, interval length and breaks in minutes, shift lengths in hours (in
the file), shares as fractions (0.3, not 30).

A minimal scenario::

    [scenario]
    name = "base"
    start = 2025-09-01
    weeks = 8

    [[queues]]
    name = "voice"
    demo = true
    patience = 180
    target = { service_level = 0.8, target_time = 20 }

    [workforce]
    hourly_cost = 28.0
    shrinkage = { breaks = 0.08, absence = 0.07, training = 0.05 }

Examples
--------
>>> import dataclasses
>>> from ccwfm.plan import demo_scenario
>>> sc = demo_scenario()
>>> dataclasses.replace(sc, weeks=2).end
datetime.date(2025, 9, 15)
>>> dataclasses.replace(sc, weeks=0)
Traceback (most recent call last):
...
ccwfm.plan.scenario.ScenarioError: 'scenario.weeks' must be >= 1: 0
"""

import contextlib
import dataclasses
import datetime as dt
import difflib
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from ccwfm import _validation as v
from ccwfm._limits import at_most

from .capacity import HiringClass
from .roster_input import RosterConfig
from .routing import routing
from .shifts import WEEKDAYS, ShiftTemplate, default_templates

__all__ = ["CEILING_FACTOR", "DEFAULT_TARGET_TIME", "DEFERRABLE_CHANNELS", "FLOOR_GAP",
           "INTERVALS", "LEVELS", "SCHEDULING", "PERCENTILES", "BotConfig", "Capacity",
           "Finance", "GroupConfig", "QueueConfig", "Scenario", "ScenarioError", "Simulation",
           "Target", "Variant", "WEEKDAYS", "Workforce"]

DEFAULT_TARGET_TIME = 20.0
"""Seconds within which an answer counts for the service level when a queue
sets none (its targets are ASA or abandonment only): what the simulated and
measured service level of such a queue are reported against."""

LEVELS = ("interval", "day", "week")
"""Where a queue's targets must hold (``target.level``).  The default is
"day": the level most centers report and contract on, and one that lets the
schedule follow a peaky day with whole shifts (a quiet hour may run above the
target and a peak hour below it, within the interval floor) while no day may
pay for another, which a weekly target would allow (a poor Monday hidden by a
good Sunday)."""

FLOOR_GAP = 0.20
"""Default interval floor: the service-level target less 20 points (80% ->
60%) when the target holds at the day or week level."""

CEILING_FACTOR = 2.0
"""Default interval ceiling of abandonment and ASA: twice the target."""

SCHEDULING = ("integrated", "two_step")
"""How shifts are chosen (``workforce.scheduling``): "integrated" chooses
them against each queue's target at its level (:mod:`plan.least_cost`);
"two_step" covers the per-interval requirement (:mod:`plan.schedule`)."""

DEFERRABLE_CHANNELS = ("email", "back_office", "backoffice", "case", "cases", "task")
"""Channels whose queues are deferrable unless ``deferrable = false``."""

INTERVALS = (15, 30, 60)
"""Interval lengths a plan may use, minutes."""

PERCENTILES = {50: "forecast", 90: "hi_80", 97.5: "hi_95"}
"""Forecast percentile a queue may plan for -> the forecast column giving it."""


class ScenarioError(ValueError):
    """A scenario value or key is invalid; the message names the key."""


EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
"""First and last day a scenario may start (pandas' dates end in 2262)."""

SEED_BOUND = 2 ** 63
"""Seeds are whole numbers below this (a 64-bit word)."""

WEEK_HOURS = 168
"""Hours in a week: the most an FTE may work."""

_FIELD = re.compile(r"^'([^']*)'")


@contextlib.contextmanager
def _at(path):
    """Errors raised inside name their field under ``path``.

    ``'patience' must be > 0: -5`` raised by a queue's own checks becomes
    ``'queues[voice].patience' must be > 0: -5``; a message that names no
    field gets the path in front: ``'queues[voice]' needs exactly one demand
    source``.  A :class:`ScenarioError` already names its full path and
    passes through.
    """
    try:
        yield
    except ScenarioError:
        raise
    except ValueError as exc:
        msg = str(exc)
        if not path:
            raise ScenarioError(msg) from None
        if msg.startswith("'") and not msg.startswith("''"):
            raise ScenarioError(f"'{path}." + msg[1:]) from None
        raise ScenarioError(f"'{path}' {msg}") from None


def _label(name, i):
    """How an item of a list is named in a path: by its name, else by its position."""
    if (isinstance(name, str) and name.strip() and len(name) <= 80
            and not any(c in name for c in "'[]") and name.isprintable()):
        return name
    return str(i)


def _named(path, value, what, key=None, *, empty=True):
    """``[(item path, table)]`` of a list of named tables (``[[queues]]``...).

    Each item must be a table with a ``name``, names must be unique, and
    there must be at most the limit ``key`` of them; items are then named by
    their name: ``queues[voice]``.
    """
    items = v.sequence(path, value, what, empty=empty)
    if key is not None:
        at_most(path, len(items), key)
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise v.error(f"{path}[{i}]", "must be a table of keys and values", item)
        if "name" not in item:
            raise ScenarioError(f"'{path}[{i}].name' is required")
        v.text(f"{path}[{i}].name", item["name"])
    v.unique(path, [item["name"] for item in items])
    return [(f"{path}[{_label(item['name'], i)}]", item) for i, item in enumerate(items)]


def _names(path, values, what):
    """A tuple of unique non-empty names (a group's skills or shifts)."""
    items = tuple(v.sequence(path, values, what, empty=True))
    for i, x in enumerate(items):
        v.text(f"{path}[{i}]", x)
    v.unique(path, items)
    return items


def _fields(cls):
    return [f.name for f in dataclasses.fields(cls)]


def _set(obj, name, value):
    object.__setattr__(obj, name, value)


def _optional(obj, name, check, **kw):
    value = getattr(obj, name)
    if value is not None:
        _set(obj, name, check(name, value, **kw))


def _limited(obj, name, key, check=v.number, *, optional=False, **kw):
    """Check the field ``name`` (unless ``optional`` and None) and hold it to the limit ``key``."""
    value = getattr(obj, name)
    if value is not None or not optional:
        checked = check(name, value, **kw)
        at_most(name, value, key)
        _set(obj, name, checked)


def _agents(obj, low="min_agents", high="max_agents"):
    """Check bounds on agents: whole, within the limit 'agents', min <= max."""
    _limited(obj, low, "agents", v.whole, lo=0)
    _limited(obj, high, "agents", v.whole, optional=True, lo=1)
    hi, lo = getattr(obj, high), getattr(obj, low)
    if hi is not None and hi < lo:
        raise v.error(high, f"must be >= {low} ({lo})", hi)


def _file_name(name, value):
    v.text(name, value)
    if "\x00" in value:
        raise v.error(name, "must be a file name without NUL characters", value)
    return value


def _drop_none(d):
    """``d`` without its None values (TOML has none); empty tables and lists stay:
    an empty ``ramp`` is not the default one."""
    if isinstance(d, dict):
        return {k: _drop_none(x) for k, x in d.items() if x is not None}
    if isinstance(d, list):
        return [_drop_none(x) for x in d]
    return d


def _roster(d):
    """The ``[roster]`` table (errors as a :class:`ScenarioError` naming its path)."""
    try:
        return RosterConfig.from_dict(d)
    except ScenarioError:
        raise
    except ValueError as exc:
        raise ScenarioError(str(exc)) from None


def _plain(obj):
    """The file form of a config object: nested dicts, lists and scalars."""
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if dataclasses.is_dataclass(obj):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, tuple):
        return [_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _plain(x) for k, x in obj.items()}
    return obj


# ------------------------------------------------------------------- config


@dataclass(frozen=True)
class Target:
    """Service targets of a queue; the most demanding wins.

    ``service_level`` share answered within ``target_time`` seconds (with
    ``basis`` "offered" or "answered"), ``asa`` seconds, ``abandon_rate``
    share, ``occupancy`` cap.  A queue without a ``target`` table gets
    80% within 20 seconds.

    ``level`` is where the service level, ASA and abandonment targets must
    hold: ``"interval"`` (every interval on its own), ``"day"`` (over each
    calendar day, contacts weighted: the default, see :data:`LEVELS`) or
    ``"week"`` (over each week, Monday to Sunday).  Above the interval level
    every interval keeps a floor: ``interval_service_level`` (default the
    target less :data:`FLOOR_GAP`), ``interval_abandon_rate`` and
    ``interval_asa`` (default :data:`CEILING_FACTOR` times the target).

    Deferrable work (a queue with ``deferrable``, e-mail by default) may
    set ``window`` (seconds, or ``"next_day"``: by the end of the next
    business day) and ``within`` (share handled within it, default 1), with
    ``window_basis`` "calendar" or "business" (only the queue's open hours
    count).
    """

    service_level: float | None = None
    target_time: float | None = None
    asa: float | None = None
    abandon_rate: float | None = None
    occupancy: float | None = None
    basis: str = "offered"
    level: str = "day"
    interval_service_level: float | None = None
    interval_abandon_rate: float | None = None
    interval_asa: float | None = None
    window: float | str | None = None
    within: float | None = None
    window_basis: str = "calendar"

    def __post_init__(self):
        _optional(self, "service_level", v.number, lo=0, hi=1, lo_open=True, hi_open=True)
        if self.service_level is not None and self.target_time is None:
            raise ValueError("'target_time' is required with service_level")
        _limited(self, "target_time", "target_time", optional=True, lo=0)
        _limited(self, "asa", "target_time", optional=True, lo=0, lo_open=True)
        _optional(self, "abandon_rate", v.number, lo=0, hi=1, lo_open=True, hi_open=True)
        _optional(self, "occupancy", v.number, lo=0, hi=1, lo_open=True, hi_open=True)
        v.choice("basis", self.basis, ("offered", "answered"))
        v.choice("level", self.level, LEVELS)
        _optional(self, "interval_service_level", v.number, lo=0, hi=1, hi_open=True)
        if self.interval_service_level is not None:
            if self.service_level is None:
                raise v.error("interval_service_level", "needs a service_level target",
                              self.interval_service_level)
            if self.interval_service_level > self.service_level:
                raise v.error("interval_service_level",
                              f"must be <= service_level ({self.service_level:g})",
                              self.interval_service_level)
        _optional(self, "interval_abandon_rate", v.number, lo=0, hi=1, lo_open=True)
        if self.interval_abandon_rate is not None:
            if self.abandon_rate is None:
                raise v.error("interval_abandon_rate", "needs an abandon_rate target",
                              self.interval_abandon_rate)
            if self.interval_abandon_rate < self.abandon_rate:
                raise v.error("interval_abandon_rate",
                              f"must be >= abandon_rate ({self.abandon_rate:g})",
                              self.interval_abandon_rate)
        _limited(self, "interval_asa", "target_time", optional=True, lo=0, lo_open=True)
        if self.interval_asa is not None:
            if self.asa is None:
                raise v.error("interval_asa", "needs an asa target", self.interval_asa)
            if self.interval_asa < self.asa:
                raise v.error("interval_asa", f"must be >= asa ({self.asa:g})",
                              self.interval_asa)
        if self.window is not None:
            if isinstance(self.window, str):
                v.choice("window", self.window, ("next_day",))
            else:
                _limited(self, "window", "target_time", lo=0, lo_open=True)
            if self.within is None:
                _set(self, "within", 1.0)
        if self.within is not None:
            if self.window is None:
                raise v.error("within", "needs a 'window'", self.within)
            _set(self, "within", v.number("within", self.within, lo=0, hi=1, lo_open=True))
        v.choice("window_basis", self.window_basis, ("calendar", "business"))
        if all(x is None for x in (self.service_level, self.asa, self.abandon_rate,
                                   self.occupancy, self.window)):
            raise ValueError("sets no target: give service_level, asa, abandon_rate, "
                             "occupancy or window")

    @classmethod
    def default(cls):
        """80% of contacts answered within 20 seconds."""
        return cls(service_level=0.8, target_time=DEFAULT_TARGET_TIME)

    @classmethod
    def from_dict(cls, d, path="target"):
        v.known_keys(path, d, _fields(cls))
        with _at(path):
            return cls(**d)

    @property
    def floor_service_level(self):
        """Service level no interval may fall below (None without a service-level
        target): the target itself at the interval level, else
        ``interval_service_level`` or the target less :data:`FLOOR_GAP`."""
        if self.service_level is None:
            return None
        if self.level == "interval":
            return self.service_level
        if self.interval_service_level is not None:
            return self.interval_service_level
        return max(round(self.service_level - FLOOR_GAP, 12), 0.0)

    @property
    def ceiling_abandon_rate(self):
        """Abandonment no interval may exceed (None without that target)."""
        if self.abandon_rate is None:
            return None
        if self.level == "interval":
            return self.abandon_rate
        if self.interval_abandon_rate is not None:
            return self.interval_abandon_rate
        return min(CEILING_FACTOR * self.abandon_rate, 1.0)

    @property
    def ceiling_asa(self):
        """ASA no interval may exceed, seconds (None without an ASA target)."""
        if self.asa is None:
            return None
        if self.level == "interval":
            return self.asa
        return self.interval_asa if self.interval_asa is not None else CEILING_FACTOR * self.asa

    @property
    def measure_time(self):
        """Seconds the service level is measured at: ``target_time``, a calendar
        ``window`` (deferrable work), or :data:`DEFAULT_TARGET_TIME`."""
        if self.target_time is not None:
            return self.target_time
        if (self.window is not None and not isinstance(self.window, str)
                and self.window_basis == "calendar"):
            return float(self.window)
        return DEFAULT_TARGET_TIME

    def describe(self):
        """The targets in words: ``80% in 20 s, abandon <= 5%``.

        Examples
        --------
        >>> Target(service_level=0.8, target_time=20, abandon_rate=0.05).describe()
        '80% in 20 s, abandon <= 5%'
        """
        parts = []
        if self.service_level is not None:
            parts.append(f"{self.service_level:.0%} in {self.target_time:g} s")
        if self.asa is not None:
            parts.append(f"ASA <= {self.asa:g} s")
        if self.abandon_rate is not None:
            parts.append(f"abandon <= {self.abandon_rate:.0%}")
        if self.occupancy is not None:
            parts.append(f"occupancy <= {self.occupancy:.0%}")
        return ", ".join(parts)


@dataclass(frozen=True)
class BotConfig:
    """A bot in front of the queue: mean ``time`` (s), shares contained and
    abandoning in it, handle-time ``uplift`` of escalated contacts."""

    containment: float = 0.0
    time: float = 60.0
    abandon: float = 0.0
    uplift: float = 1.0

    def __post_init__(self):
        _set(self, "containment", v.share("containment", self.containment))
        _limited(self, "time", "aht", lo=0, lo_open=True)
        _set(self, "abandon", v.share("abandon", self.abandon))
        if self.containment + self.abandon > 1:
            raise v.error("containment", f"must be <= 1 - abandon ({self.abandon:g})",
                          self.containment)
        _limited(self, "uplift", "aht_scale", lo=0, lo_open=True)

    @classmethod
    def from_dict(cls, d, path="bot"):
        v.known_keys(path, d, _fields(cls))
        with _at(path):
            return cls(**d)


@dataclass(frozen=True)
class QueueConfig:
    """A queue to plan.

    Its demand comes from one of ``history`` (an interval file, see
    :func:`ccwfm.forecast.read_intervals`), ``acd`` (a call-level log, see
    :func:`ccwfm.forecast.read_acd`), ``forecast`` (a given forecast: columns
    queue, start, forecast and optionally aht) or ``demo`` (the embedded demo
    data of the queue with this name: voice, chat or email).  ``acd_queues``
    pools queues of the call log into this one (one pool of agents answers
    them, see :meth:`ccwfm.forecast.AcdLog.pooled`); by default the log's
    queue of this name (or its only queue).  Multipliers
    and times are held to :data:`ccwfm._limits.LIMITS` (``volume_scale``,
    ``aht_scale``, ``aht``, ``patience``, ``concurrency``).
    """

    name: str
    channel: str = "voice"
    history: str | None = None
    acd: str | None = None
    acd_queues: tuple = ()
    forecast: str | None = None
    demo: bool | str = False
    volume_scale: float = 1.0
    percentile: float | None = None
    aht: float | None = None
    aht_scale: float = 1.0
    patience: float | None = None
    concurrency: int = 1
    concurrency_factor: float = 1.0
    bot: BotConfig | None = None
    target: Target = field(default_factory=Target.default)
    group: str | None = None
    deferrable: bool | None = None
    open_hours: tuple = ()
    open_days: tuple = WEEKDAYS

    def __post_init__(self):
        v.text("name", self.name)
        v.text("channel", self.channel)
        if isinstance(self.demo, str):
            v.text("demo", self.demo)
        elif not isinstance(self.demo, bool):
            raise v.error("demo", "must be true, false or a demo queue name", self.demo)
        for key in ("history", "acd", "forecast"):
            _optional(self, key, _file_name)
        _set(self, "acd_queues", _names("acd_queues", self.acd_queues, "queue names of the log"))
        if self.acd_queues and not self.acd:
            raise v.error("acd_queues", "needs 'acd' (the call log whose queues it pools)",
                          list(self.acd_queues))
        sources = [k for k in ("history", "acd", "forecast") if getattr(self, k)] + (
            ["demo"] if self.demo else [])
        if len(sources) != 1:
            raise ValueError("needs exactly one demand source among history, acd, forecast, "
                             f"demo: {sources or 'none'}")
        _limited(self, "volume_scale", "volume_scale", lo=0, lo_open=True)
        _limited(self, "aht_scale", "aht_scale", lo=0, lo_open=True)
        if self.percentile is not None:
            v.choice("percentile", self.percentile, tuple(PERCENTILES), quote=False)
        _limited(self, "aht", "aht", optional=True, lo=0, lo_open=True)
        _limited(self, "patience", "patience", optional=True, lo=0, lo_open=True)
        _limited(self, "concurrency", "concurrency", v.whole, lo=1)
        _limited(self, "concurrency_factor", "aht_scale", lo=1)
        if self.bot is not None and not isinstance(self.bot, BotConfig):
            raise v.error("bot", "must be a BotConfig", self.bot)
        if not isinstance(self.target, Target):
            raise v.error("target", "must be a Target", self.target)
        _optional(self, "group", lambda name, x: v.text(name, x))
        if self.deferrable is not None:
            _set(self, "deferrable", v.boolean("deferrable", self.deferrable))
        hours = tuple(v.sequence("open_hours", self.open_hours, '"HH:MM" times', empty=True))
        if hours:
            if len(hours) != 2:
                raise v.error("open_hours", 'must be two times, ["open", "close"]', list(hours))
            a = v.clock("open_hours[0]", hours[0])
            b = (v.DAY_MINUTES if hours[1] == "24:00"
                 else v.clock("open_hours[1]", hours[1]))
            if b <= a:
                raise v.error("open_hours[1]", f"must be after the opening ({hours[0]})",
                              hours[1])
        _set(self, "open_hours", hours)
        days = v.sequence("open_days", self.open_days, "weekday names")
        for i, d in enumerate(days):
            v.choice(f"open_days[{i}]", d, WEEKDAYS)
        _set(self, "open_days", _names("open_days", days, "weekday names"))
        t = self.target
        if not self.is_deferrable:
            if t.window is not None:
                raise v.error("target.window", "needs a deferrable queue (deferrable = true, "
                              "or an e-mail or back-office channel)", t.window)
        elif t.abandon_rate is not None:
            raise v.error("target.abandon_rate", "is not a target of deferrable work (it "
                          "waits in a backlog, it does not hang up)", t.abandon_rate)

    @property
    def is_deferrable(self):
        """Whether the queue's work may wait in a backlog (``deferrable``, or by
        default a channel of :data:`DEFERRABLE_CHANNELS`)."""
        if self.deferrable is not None:
            return self.deferrable
        return self.channel.lower() in DEFERRABLE_CHANNELS

    def open_minutes(self):
        """``(open, close, weekdays)``: the queue's business hours in minutes from
        midnight and weekday numbers (0 = Monday); every minute by default."""
        if self.open_hours:
            a = v.clock("open_hours[0]", self.open_hours[0])
            b = (v.DAY_MINUTES if self.open_hours[1] == "24:00"
                 else v.clock("open_hours[1]", self.open_hours[1]))
        else:
            a, b = 0, v.DAY_MINUTES
        return a, b, tuple(WEEKDAYS.index(d) for d in self.open_days)

    @classmethod
    def from_dict(cls, d, path="queue"):
        v.known_keys(path, d, _fields(cls))
        d = dict(d)
        with _at(path):
            v.text("name", d.get("name"))
        bot = BotConfig.from_dict(d.pop("bot"), f"{path}.bot") if "bot" in d else None
        target = (Target.from_dict(d.pop("target"), f"{path}.target") if "target" in d
                  else Target.default())
        with _at(path):
            return cls(**{**d, "bot": bot, "target": target})

    @property
    def group_name(self):
        """The agent group serving the queue (its own by default)."""
        return self.group or self.name

    @property
    def forecast_column(self):
        """The forecast column this queue plans for (its percentile's bound)."""
        return PERCENTILES[self.percentile if self.percentile is not None else 50]


@dataclass(frozen=True)
class GroupConfig:
    """Agents sharing skills: ``skills`` queue names (routing order),
    ``overflow`` maps a queue to the seconds a contact waits before this
    group may take it; pay, bounds on agents on duty, allowed shift names."""

    name: str
    skills: tuple = ()
    overflow: dict = field(default_factory=dict)
    hourly_cost: float | None = None
    min_agents: int = 0
    max_agents: int | None = None
    shifts: tuple = ()

    def __post_init__(self):
        v.text("name", self.name)
        _set(self, "skills", _names("skills", self.skills, "queue names"))
        _set(self, "shifts", _names("shifts", self.shifts, "shift names"))
        if not isinstance(self.overflow, dict):
            raise v.error("overflow", "must be a table of queue = seconds", self.overflow)
        for q in self.overflow:
            v.text("overflow", q)
        _set(self, "overflow", {q: at_most(f"overflow.{q}", v.number(f"overflow.{q}", after,
                                                                     lo=0), "patience")
                                for q, after in self.overflow.items()})
        if not self.skills and not self.overflow:
            raise v.error("skills", "must list at least one queue", list(self.skills))
        _limited(self, "hourly_cost", "money", optional=True, lo=0)
        _agents(self)

    @classmethod
    def from_dict(cls, d, path="group"):
        v.known_keys(path, d, _fields(cls))
        with _at(path):
            return cls(**d)


@dataclass(frozen=True)
class Workforce:
    """Interval length (minutes), shrinkage by category (shares of paid time,
    summed), agent groups, shift templates, pay, bounds on agents on duty,
    and how shifts are chosen (``scheduling``, :data:`SCHEDULING`)."""

    hourly_cost: float = 25.0
    interval: int = 15
    shrinkage: dict = field(default_factory=dict)
    groups: tuple = ()
    shifts: tuple = ()
    min_agents: int = 0
    max_agents: int | None = None
    scheduling: str = "integrated"
    activities: tuple = ()

    def __post_init__(self):
        _limited(self, "hourly_cost", "money", lo=0)
        v.choice("scheduling", self.scheduling, SCHEDULING)
        if isinstance(self.interval, bool):
            raise v.error("interval", "must be a number of minutes", self.interval)
        _set(self, "interval", int(v.choice("interval", self.interval, INTERVALS,
                                            unit=" minutes", quote=False)))
        if not isinstance(self.shrinkage, dict):
            raise v.error("shrinkage", "must be a table of category = share", self.shrinkage)
        for k in self.shrinkage:
            v.text("shrinkage", k)
        _set(self, "shrinkage", {k: v.share(f"shrinkage.{k}", x)
                                 for k, x in self.shrinkage.items()})
        if self.total_shrinkage >= 1:
            raise v.error("shrinkage", "must add up to < 1", self.total_shrinkage)
        _set(self, "activities", tuple(v.sequence("activities", self.activities,
                                                  "shrinkage categories", empty=True)))
        for i, a in enumerate(self.activities):
            v.known_name(f"activities[{i}]", a, list(self.shrinkage), "shrinkage category")
            if a == "breaks":
                raise v.error(f"activities[{i}]", "must not be 'breaks' (give the shift "
                              "templates break windows and leave breaks out of shrinkage)", a)
        v.unique("activities", list(self.activities))
        _set(self, "groups", tuple(v.sequence("groups", self.groups, "groups", empty=True)))
        _set(self, "shifts", tuple(v.sequence("shifts", self.shifts, "shift templates",
                                              empty=True)))
        at_most("shifts", len(self.shifts), "shift_templates")
        for i, g in enumerate(self.groups):
            if not isinstance(g, GroupConfig):
                raise v.error(f"groups[{i}]", "must be a GroupConfig", g)
        for i, s in enumerate(self.shifts):
            if not isinstance(s, ShiftTemplate):
                raise v.error(f"shifts[{i}]", "must be a ShiftTemplate", s)
        v.unique("groups", [g.name for g in self.groups])
        v.unique("shifts", [s.name for s in self.shifts])
        _agents(self)
        names = [s.name for s in self.shifts]
        for i, g in enumerate(self.groups):
            for j, s in enumerate(g.shifts):
                v.known_name(f"groups[{_label(g.name, i)}].shifts[{j}]", s, names, "shift")

    @classmethod
    def from_dict(cls, d, path="workforce"):
        v.known_keys(path, d, _fields(cls))
        d = dict(d)
        groups = tuple(GroupConfig.from_dict(g, p) for p, g in _named(
            f"{path}.groups", d.pop("groups", []), "groups"))
        shifts = tuple(ShiftTemplate.from_dict(s, p) for p, s in _named(
            f"{path}.shifts", d.pop("shifts", []), "shift templates", "shift_templates"))
        with _at(path):
            return cls(**{**d, "groups": groups, "shifts": shifts})

    @property
    def total_shrinkage(self):
        """Share of paid time off the phones (the categories added up)."""
        return float(sum(self.shrinkage.values()))

    @property
    def activity_share(self):
        """Share of paid time in scheduled activities (the ``activities`` categories):
        integrated scheduling places them in the intervals where they cost least,
        instead of grossing every interval up for them."""
        return float(sum(self.shrinkage[a] for a in self.activities))

    @property
    def grossed_shrinkage(self):
        """Share of paid time off the phones grossed up in every interval: the total
        less the scheduled activities (integrated scheduling)."""
        return self.total_shrinkage - (self.activity_share if self.scheduling == "integrated"
                                       else 0.0)

    def group(self, name):
        """The :class:`GroupConfig` named ``name``, or ``None`` (a queue's own group)."""
        return next((g for g in self.groups if g.name == name), None)

    def templates(self, group=None):
        """Shift templates allowed to ``group`` (a :class:`GroupConfig` or ``None``):
        the group's named shifts, else every shift of the scenario, else
        :func:`plan.shifts.default_templates`."""
        names = group.shifts if group is not None and group.shifts else None
        chosen = [s for s in self.shifts if names is None or s.name in names]
        return chosen or default_templates(self.interval)


@dataclass(frozen=True)
class Capacity:
    """Starting headcount, annual attrition, weekly FTE hours, cost per hire and
    hiring classes (:class:`plan.capacity.HiringClass`)."""

    headcount: float = 0.0
    attrition: float = 0.35
    fte_hours: float = 37.5
    cost_per_hire: float = 0.0
    hiring: tuple = ()

    def __post_init__(self):
        _limited(self, "headcount", "agents", lo=0)
        _set(self, "attrition", v.number("attrition", self.attrition, lo=0, hi=1, hi_open=True))
        _set(self, "fte_hours", v.number("fte_hours", self.fte_hours, lo=0, hi=WEEK_HOURS,
                                         lo_open=True))
        _limited(self, "cost_per_hire", "money", lo=0)
        _set(self, "hiring", tuple(v.sequence("hiring", self.hiring, "hiring classes",
                                              empty=True)))
        for i, h in enumerate(self.hiring):
            if not isinstance(h, HiringClass):
                raise v.error(f"hiring[{i}]", "must be a HiringClass", h)

    @classmethod
    def from_dict(cls, d, path="capacity"):
        v.known_keys(path, d, _fields(cls))
        hiring = []
        for i, h in enumerate(v.sequence(f"{path}.hiring", d.get("hiring", []),
                                         "hiring classes", empty=True)):
            hiring.append(HiringClass.from_dict(h, f"{path}.hiring[{i}]"))
        with _at(path):
            return cls(**{**d, "hiring": tuple(hiring)})


@dataclass(frozen=True)
class Finance:
    """Costs beyond wages: per contact resolved by the bot, per abandoned contact."""

    bot_contact_cost: float = 0.0
    abandon_cost: float = 0.0
    currency: str = "EUR"

    def __post_init__(self):
        _limited(self, "bot_contact_cost", "money", lo=0)
        _limited(self, "abandon_cost", "money", lo=0)
        v.text("currency", self.currency)

    @classmethod
    def from_dict(cls, d, path="finance"):
        v.known_keys(path, d, _fields(cls))
        with _at(path):
            return cls(**d)


@dataclass(frozen=True)
class Simulation:
    """Verification by simulation: replications, seed, whether to correct
    the staffing until the simulated targets hold, and at most how many
    correction rounds."""

    verify: bool = True
    replications: int = 10
    seed: int = 0
    correct: bool = True
    max_rounds: int = 8

    def __post_init__(self):
        _set(self, "verify", v.boolean("verify", self.verify))
        _set(self, "correct", v.boolean("correct", self.correct))
        _limited(self, "replications", "replications", v.whole, lo=1)
        seed = v.count("seed", self.seed, 0)
        if seed >= SEED_BOUND:
            raise v.error("seed", "must be < 2**63", seed)
        _set(self, "seed", seed)
        _limited(self, "max_rounds", "correction_rounds", v.whole, lo=0)

    @classmethod
    def from_dict(cls, d, path="simulation"):
        v.known_keys(path, d, _fields(cls))
        with _at(path):
            return cls(**d)


@dataclass(frozen=True)
class Variant:
    """A scenario variant: ``name`` and overrides as dotted keys
    (``"queues.voice.bot.containment" = 0.4``, ``"workforce.hourly_cost" = 30``)."""

    name: str
    overrides: dict = field(default_factory=dict)

    def __post_init__(self):
        v.text("name", self.name)
        if not isinstance(self.overrides, dict):
            raise v.error("overrides", "must be a table of dotted keys", self.overrides)
        for key, value in self.overrides.items():
            if value is None:       # a scenario file could not hold it
                raise ValueError(f"'\"{key}\"' must be a value (None cannot be written to "
                                 "TOML): None")
        _set(self, "overrides", dict(self.overrides))

    @classmethod
    def from_dict(cls, d, path="variant"):
        v.known_keys(path, d, ["name", "overrides"])
        with _at(path):
            return cls(d.get("name"), d.get("overrides", {}))


def _file_path(data, key, where):
    """Walk ``data`` (a scenario's file form) along the dotted ``key`` of an override.

    Returns the table holding the last part and the path of the field as a
    scenario file names it (``queues[voice].bot.containment``); tables on
    the way that are not there yet are added.  Errors name ``where``.
    """
    if not isinstance(key, str) or not key.strip():
        raise v.error(where, "keys must be dotted names (\"queues.voice.aht\")", key)
    path = f'{where}."{key}"'
    parts = key.split(".")
    if any(not p.strip() for p in parts):
        raise ScenarioError(f"'{path}' must be names joined by dots, none empty")
    if parts[0] == "variants":
        raise ScenarioError(f"'{path}' cannot be set by a variant (variants do not nest)")
    if parts[:2] == ["scenario", "name"]:
        raise ScenarioError(f"'{path}' cannot be set by a variant (its name is the variant's)")
    node, at = data, ""
    for part in parts[:-1]:
        if isinstance(node, list):
            match = [x for x in node if isinstance(x, dict) and x.get("name") == part]
            if not match:
                names = [str(x.get("name")) for x in node if isinstance(x, dict)]
                near = difflib.get_close_matches(part, names, n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                raise ScenarioError(f"'{path}' names no item of '{at}': {part!r}{hint}")
            node, at = match[0], f"{at}[{part}]"
        else:
            if part not in node:
                node[part] = {}
            node, at = node[part], f"{at}.{part}" if at else part
        if not isinstance(node, (dict, list)):
            raise ScenarioError(f"'{path}': '{at}' is a value, not a table: {v.show(node)}")
    if isinstance(node, list):
        raise ScenarioError(f"'{path}' must name a field of an item of '{at}' "
                            f"(\"{key}.<field>\")")
    return node, parts[-1], f"{at}.{parts[-1]}" if at else parts[-1]


def _blame(where, targets, exc):
    """The error of a scenario built with overrides, named after the override that caused it.

    ``targets`` maps each override key to the path of the field it sets.  An
    error at or under that path is renamed: ``'queues[voice].aht' must be >
    0: -3`` becomes ``'variants[busy]."queues.voice.aht"' must be > 0: -3``;
    an error on a table holding it names the override (the first, if more
    than one) in front; any other names the variant.
    """
    msg = str(exc)
    m = _FIELD.match(msg)
    at = m[1] if m else None
    if at is not None:
        for key, target in targets.items():
            if at == target or at.startswith((target + ".", target + "[")):
                return ScenarioError(f"'{where}.\"{key}\"{at[len(target):]}'{msg[m.end():]}")
        near = [key for key, target in targets.items()
                if at and target.startswith((at + ".", at + "["))]
        if near:
            also = "".join(f" (with \"{k}\")" for k in near[1:])
            return ScenarioError(f"'{where}.\"{near[0]}\"'{also} makes an invalid scenario: "
                                 f"{msg}")
    return ScenarioError(f"'{where}' makes an invalid scenario: {msg}")


@dataclass(frozen=True)
class Scenario:
    """A whole planning scenario (see the module docstring for the file format).

    Every size that drives work is held to :data:`ccwfm._limits.LIMITS`
    (``weeks``, ``history_weeks``, ``queues``, ``shift_templates``,
    ``variants``...) when the scenario is built, before any work starts.
    """

    name: str
    start: dt.date
    weeks: int
    queues: tuple
    workforce: Workforce = field(default_factory=Workforce)
    capacity: Capacity = field(default_factory=Capacity)
    finance: Finance = field(default_factory=Finance)
    simulation: Simulation = field(default_factory=Simulation)
    history_weeks: int = 26
    variants: tuple = ()
    roster: RosterConfig = field(default_factory=RosterConfig)

    SECTIONS = ("scenario", "queues", "workforce", "capacity", "finance", "simulation",
                "variants", "roster")

    def __post_init__(self):
        with _at("scenario"):
            v.text("name", self.name)
            _limited(self, "weeks", "weeks", v.whole, lo=1)
            _limited(self, "history_weeks", "history_weeks", v.whole, lo=2)
            start = v.date("start", self.start)
            if not EARLIEST <= start <= LATEST:
                raise v.error("start", f"must be between {EARLIEST} and {LATEST}", start)
            _set(self, "start", start)
        queues = self.queues
        if isinstance(queues, (str, bytes, dict)) or not hasattr(queues, "__iter__") \
                or not list(queues):
            raise ScenarioError("'queues' must list at least one queue ([[queues]])")
        _set(self, "queues", tuple(queues))
        with _at(""):
            at_most("queues", len(self.queues), "queues")
            _set(self, "variants", tuple(v.sequence("variants", self.variants, "variants",
                                                    empty=True)))
            at_most("variants", len(self.variants), "variants")
        for name, cls in (("workforce", Workforce), ("capacity", Capacity),
                          ("finance", Finance), ("simulation", Simulation),
                          ("roster", RosterConfig)):
            if not isinstance(getattr(self, name), cls):
                raise ScenarioError(f"'{name}' must be a {cls.__name__}: "
                                    f"{getattr(self, name)!r}")
        with _at(""):
            for i, q in enumerate(self.queues):
                if not isinstance(q, QueueConfig):
                    raise v.error(f"queues[{i}]", "must be a QueueConfig", q)
            names = v.unique("queues", [q.name for q in self.queues])
            groups = [g.name for g in self.workforce.groups]
            for i, q in enumerate(self.queues):
                if q.group is not None and groups:
                    v.known_name(f"queues[{_label(q.name, i)}].group", q.group, groups, "group")
            for i, g in enumerate(self.workforce.groups):
                p = f"workforce.groups[{_label(g.name, i)}]"
                for j, s in enumerate(g.skills):
                    v.known_name(f"{p}.skills[{j}]", s, names, "queue")
                for s in g.overflow:
                    v.known_name(f"{p}.overflow", s, names, "queue")
            routing(self.queues, self.workforce)     # home groups, one concurrency per group
            shift_names = [t.name for t in self.workforce.templates(None)]
            for c in self.roster.contracts:
                for j, s in enumerate(c.shifts):
                    v.known_name(f"roster.contracts[{c.name}].shifts[{j}]", s, shift_names,
                                 "shift")
            for i, var in enumerate(self.variants):
                if not isinstance(var, Variant):
                    raise v.error(f"variants[{i}]", "must be a Variant", var)
            v.unique("variants", [var.name for var in self.variants])
        for i, var in enumerate(self.variants):      # each must apply cleanly
            self.with_overrides(var.overrides, name=var.name,
                                where=f"variants[{_label(var.name, i)}]")

    @classmethod
    def from_toml(cls, source):
        """Read a scenario from a TOML file path or TOML text.

        A ``str`` is a file name when it is one line ending in ``.toml``,
        else TOML text.  Errors name the file (or ``'scenario'`` for text)
        and, for text that is not TOML, the line and column.
        """
        where, text = "scenario", source
        if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source
                                         and source.strip().endswith(".toml")):
            where = v.printable(str(source))
            text = _read(Path(source))
        if not isinstance(text, str):
            raise ScenarioError(f"'scenario' must be TOML text or a file path: "
                                f"{type(source).__name__}")
        at_most(where, round(len(text) / 2 ** 20, 1), "scenario_size")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            msg = str(exc).replace("(at end of document)", f"(at the end, line "
                                                           f"{text.count(chr(10)) + 1})")
            raise ScenarioError(f"'{where}' is not valid TOML: {msg}") from None
        except ValueError as exc:           # an integer of thousands of digits
            raise ScenarioError(f"'{where}' is not valid TOML: {exc}") from None
        except RecursionError:
            raise ScenarioError(f"'{where}' is nested too deeply to be a scenario") from None
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data):
        """Build from the mapping a TOML file decodes to."""
        try:
            with _at(""):
                return cls._from_dict(data)
        except RecursionError:
            raise ScenarioError("'scenario' is nested too deeply to be a scenario") from None

    @classmethod
    def _from_dict(cls, data):
        if not isinstance(data, dict):
            raise v.error("scenario", "must be a table of keys and values", data)
        v.known_keys("", data, cls.SECTIONS)
        if "scenario" not in data:
            raise ScenarioError("'scenario' is required: a [scenario] table with name, start "
                                "and weeks")
        head = dict(v.known_keys("scenario", data.get("scenario", {}),
                                 ["name", "start", "weeks", "history_weeks"]))
        for key in ("name", "start", "weeks"):
            if key not in head:
                raise ScenarioError(f"'scenario.{key}' is required")
        with _at("scenario"):      # sizes first: nothing is built for a too large request
            at_most("weeks", v.whole("weeks", head["weeks"], lo=1), "weeks")
        if "queues" not in data:
            raise ScenarioError("'queues' is required: at least one [[queues]] table")
        qs = tuple(QueueConfig.from_dict(q, p) for p, q in _named(
            "queues", data.get("queues"), "queues", "queues", empty=False))
        variants = tuple(Variant.from_dict(x, p) for p, x in _named(
            "variants", data.get("variants", []), "variants", "variants"))
        return cls(name=head["name"], start=head["start"], weeks=head["weeks"],
                   history_weeks=head.get("history_weeks", 26), queues=qs,
                   workforce=Workforce.from_dict(data.get("workforce", {})),
                   capacity=Capacity.from_dict(data.get("capacity", {})),
                   finance=Finance.from_dict(data.get("finance", {})),
                   simulation=Simulation.from_dict(data.get("simulation", {})),
                   variants=variants, roster=_roster(data.get("roster", {})))

    def to_dict(self):
        """The mapping :meth:`from_dict` reads back into an equal scenario."""
        return _drop_none({
            "scenario": {"name": self.name, "start": self.start, "weeks": self.weeks,
                         "history_weeks": self.history_weeks},
            "queues": [_plain(q) for q in self.queues],
            "workforce": _plain(self.workforce),
            "capacity": _plain(self.capacity),
            "finance": _plain(self.finance),
            "simulation": _plain(self.simulation),
            "variants": [_plain(x) for x in self.variants],
            "roster": self.roster.to_dict() if self.roster != RosterConfig() else None,
        })

    def to_toml(self):
        """The scenario as TOML text."""
        return tomli_w.dumps(self.to_dict())

    def with_overrides(self, overrides, name=None, *, where="overrides"):
        """A copy with dotted-key overrides applied (how variants are built).

        Queues, groups and shifts are addressed by name: ``queues.voice.target.
        service_level``, ``workforce.groups.backoffice.max_agents``.  The copy
        has no variants.  Errors name the override as ``where."key"``
        (``'variants[busy]."queues.voice.aht"' must be > 0: -3``).
        """
        if not isinstance(overrides, dict):
            raise v.error(where, "must be a table of dotted keys and values", overrides)
        data = self.to_dict()
        data.pop("variants", None)
        data.setdefault("roster", self.roster.to_dict())   # its rules may be overridden
        targets = {}
        for key, value in overrides.items():
            node, last, targets[key] = _file_path(data, key, where)
            node[last] = value
        if name is not None:
            data["scenario"]["name"] = name
        try:
            return Scenario.from_dict(data)
        except ScenarioError as exc:
            raise _blame(where, targets, exc) from None

    def variant_scenarios(self):
        """The base and each variant as scenarios, in order."""
        return [self] + [self.with_overrides(x.overrides, name=x.name,
                                             where=f"variants[{_label(x.name, i)}]")
                         for i, x in enumerate(self.variants)]

    def queue(self, name):
        """The :class:`QueueConfig` named ``name``."""
        for q in self.queues:
            if q.name == name:
                return q
        raise v.error("queue", "names no queue of the scenario", name)

    @property
    def end(self):
        """The day after the horizon."""
        return self.start + dt.timedelta(weeks=self.weeks)

    @property
    def interval(self):
        """Interval length, minutes."""
        return self.workforce.interval


def _read(path):
    """The text of a scenario file, or a ScenarioError naming it."""
    where = v.printable(str(path))
    try:
        st = path.stat()
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ScenarioError(f"cannot read the scenario file '{where}': {reason}") from None
    if stat.S_ISDIR(st.st_mode):
        raise ScenarioError(f"cannot read the scenario file '{where}': it is a folder")
    if not stat.S_ISREG(st.st_mode):
        raise ScenarioError(f"cannot read the scenario file '{where}': not a regular file")
    at_most(where, round(st.st_size / 2 ** 20, 1), "scenario_size")
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read the scenario file '{where}': {exc.strerror}") \
            from None
    except UnicodeDecodeError:
        raise ScenarioError(f"the scenario file '{where}' is not UTF-8 text") from None
