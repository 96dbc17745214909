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
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from ccwfm import _validation as v

from .capacity import HiringClass
from .shifts import WEEKDAYS, ShiftTemplate, default_templates

__all__ = ["DEFAULT_TARGET_TIME", "INTERVALS", "PERCENTILES", "BotConfig", "Capacity",
           "Finance", "GroupConfig", "QueueConfig", "Scenario", "ScenarioError", "Simulation",
           "Target", "Variant", "WEEKDAYS", "Workforce"]

DEFAULT_TARGET_TIME = 20.0
"""Seconds within which an answer counts for the service level when a queue
sets none (its targets are ASA or abandonment only): what the simulated and
measured service level of such a queue are reported against."""

INTERVALS = (15, 30, 60)
"""Interval lengths a plan may use, minutes."""

PERCENTILES = {50: "forecast", 90: "hi_80", 97.5: "hi_95"}
"""Forecast percentile a queue may plan for -> the forecast column giving it."""


class ScenarioError(ValueError):
    """A scenario value or key is invalid; the message names the key."""



@contextlib.contextmanager
def _at(path):
    """Errors raised inside name their field under ``path``.

    ``'patience' must be > 0: -5`` raised by a queue's own checks becomes
    ``'queues[0].patience' must be > 0: -5``; a message that names no field
    gets the path in front: ``'queues[0]' needs exactly one demand source``.
    A :class:`ScenarioError` already names its full path and passes through.
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


def _fields(cls):
    return [f.name for f in dataclasses.fields(cls)]


def _set(obj, name, value):
    object.__setattr__(obj, name, value)


def _optional(obj, name, check, **kw):
    value = getattr(obj, name)
    if value is not None:
        _set(obj, name, check(name, value, **kw))


def _drop_none(d):
    if isinstance(d, dict):
        return {k: _drop_none(x) for k, x in d.items() if x is not None and x != {} and x != []}
    if isinstance(d, list):
        return [_drop_none(x) for x in d]
    return d


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
    """

    service_level: float | None = None
    target_time: float | None = None
    asa: float | None = None
    abandon_rate: float | None = None
    occupancy: float | None = None
    basis: str = "offered"

    def __post_init__(self):
        _optional(self, "service_level", v.number, lo=0, hi=1, lo_open=True, hi_open=True)
        if self.service_level is not None and self.target_time is None:
            raise ValueError("'target_time' is required with service_level")
        _optional(self, "target_time", v.number, lo=0)
        _optional(self, "asa", v.number, lo=0, lo_open=True)
        _optional(self, "abandon_rate", v.number, lo=0, hi=1, lo_open=True, hi_open=True)
        _optional(self, "occupancy", v.number, lo=0, hi=1, lo_open=True, hi_open=True)
        if self.basis not in ("offered", "answered"):
            raise v.error("basis", "must be 'offered' or 'answered'", self.basis)
        if all(x is None for x in (self.service_level, self.asa, self.abandon_rate,
                                   self.occupancy)):
            raise ValueError("sets no target: give service_level, asa, abandon_rate or "
                             "occupancy")

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
    def measure_time(self):
        """Seconds the service level is measured at: ``target_time``, or
        :data:`DEFAULT_TARGET_TIME` when the queue sets none."""
        return self.target_time if self.target_time is not None else DEFAULT_TARGET_TIME

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
        _set(self, "time", v.number("time", self.time, lo=0, lo_open=True))
        _set(self, "abandon", v.share("abandon", self.abandon))
        if self.containment + self.abandon > 1:
            raise ValueError(f"'containment' + 'abandon' must be <= 1: "
                             f"{self.containment + self.abandon!r}")
        _set(self, "uplift", v.number("uplift", self.uplift, lo=0, lo_open=True))

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
    data of the queue with this name: voice, chat or email).
    """

    name: str
    channel: str = "voice"
    history: str | None = None
    acd: str | None = None
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

    def __post_init__(self):
        v.text("name", self.name)
        v.text("channel", self.channel)
        if not isinstance(self.demo, (bool, str)):
            raise v.error("demo", "must be true, false or a demo queue name", self.demo)
        for key in ("history", "acd", "forecast"):
            _optional(self, key, lambda name, x: v.text(name, x))
        sources = [k for k in ("history", "acd", "forecast") if getattr(self, k)] + (
            ["demo"] if self.demo else [])
        if len(sources) != 1:
            raise ValueError("needs exactly one demand source among history, acd, forecast, "
                             f"demo: {sources or 'none'}")
        _set(self, "volume_scale", v.number("volume_scale", self.volume_scale, lo=0,
                                            lo_open=True))
        _set(self, "aht_scale", v.number("aht_scale", self.aht_scale, lo=0, lo_open=True))
        if self.percentile is not None and self.percentile not in PERCENTILES:
            raise v.error("percentile", "must be 50, 90 or 97.5", self.percentile)
        _optional(self, "aht", v.number, lo=0, lo_open=True)
        _optional(self, "patience", v.number, lo=0, lo_open=True)
        _set(self, "concurrency", v.whole("concurrency", self.concurrency, lo=1))
        _set(self, "concurrency_factor", v.number("concurrency_factor",
                                                  self.concurrency_factor, lo=1))
        if self.bot is not None and not isinstance(self.bot, BotConfig):
            raise v.error("bot", "must be a BotConfig", self.bot)
        if not isinstance(self.target, Target):
            raise v.error("target", "must be a Target", self.target)
        _optional(self, "group", lambda name, x: v.text(name, x))

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
        _set(self, "skills", tuple(v.sequence("skills", self.skills, "queue names", empty=True)))
        _set(self, "shifts", tuple(v.sequence("shifts", self.shifts, "shift names", empty=True)))
        if not isinstance(self.overflow, dict):
            raise v.error("overflow", "must be a table of queue = seconds", self.overflow)
        _set(self, "overflow", {q: v.number(f"overflow.{q}", after, lo=0)
                                for q, after in self.overflow.items()})
        if not self.skills and not self.overflow:
            raise v.error("skills", "must list at least one queue", list(self.skills))
        _optional(self, "hourly_cost", v.number, lo=0)
        _set(self, "min_agents", v.whole("min_agents", self.min_agents, lo=0))
        _optional(self, "max_agents", v.whole, lo=1)

    @classmethod
    def from_dict(cls, d, path="group"):
        v.known_keys(path, d, _fields(cls))
        with _at(path):
            return cls(**d)


@dataclass(frozen=True)
class Workforce:
    """Interval length (minutes), shrinkage by category (shares of paid time,
    summed), agent groups, shift templates, pay."""

    hourly_cost: float = 25.0
    interval: int = 15
    shrinkage: dict = field(default_factory=dict)
    groups: tuple = ()
    shifts: tuple = ()
    min_agents: int = 0
    max_agents: int | None = None

    def __post_init__(self):
        _set(self, "hourly_cost", v.number("hourly_cost", self.hourly_cost, lo=0))
        if isinstance(self.interval, bool) or self.interval not in INTERVALS:
            raise v.error("interval", "must be 15, 30 or 60 minutes", self.interval)
        _set(self, "interval", int(self.interval))
        if not isinstance(self.shrinkage, dict):
            raise v.error("shrinkage", "must be a table of category = share", self.shrinkage)
        _set(self, "shrinkage", {k: v.share(f"shrinkage.{k}", x)
                                 for k, x in self.shrinkage.items()})
        if self.total_shrinkage >= 1:
            raise v.error("shrinkage", "must add up to < 1", self.total_shrinkage)
        _set(self, "groups", tuple(self.groups))
        _set(self, "shifts", tuple(self.shifts))
        for i, g in enumerate(self.groups):
            if not isinstance(g, GroupConfig):
                raise v.error(f"groups[{i}]", "must be a GroupConfig", g)
        for i, s in enumerate(self.shifts):
            if not isinstance(s, ShiftTemplate):
                raise v.error(f"shifts[{i}]", "must be a ShiftTemplate", s)
        v.unique("groups", [g.name for g in self.groups])
        v.unique("shifts", [s.name for s in self.shifts])
        _set(self, "min_agents", v.whole("min_agents", self.min_agents, lo=0))
        _optional(self, "max_agents", v.whole, lo=1)
        names = [s.name for s in self.shifts]
        for i, g in enumerate(self.groups):
            for s in g.shifts:
                v.known_name(f"groups[{i}].shifts", s, names, "shift")

    @classmethod
    def from_dict(cls, d, path="workforce"):
        v.known_keys(path, d, _fields(cls))
        d = dict(d)
        groups = tuple(GroupConfig.from_dict(g, f"{path}.groups[{i}]")
                       for i, g in enumerate(v.sequence(f"{path}.groups", d.pop("groups", []),
                                                        "groups", empty=True)))
        shifts = []
        for i, s in enumerate(v.sequence(f"{path}.shifts", d.pop("shifts", []), "shifts",
                                         empty=True)):
            shifts.append(ShiftTemplate.from_dict(s, f"{path}.shifts[{i}]"))
        with _at(path):
            return cls(**{**d, "groups": groups, "shifts": tuple(shifts)})

    @property
    def total_shrinkage(self):
        """Share of paid time off the phones (the categories added up)."""
        return float(sum(self.shrinkage.values()))

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
        _set(self, "headcount", v.number("headcount", self.headcount, lo=0))
        _set(self, "attrition", v.number("attrition", self.attrition, lo=0, hi=1, hi_open=True))
        _set(self, "fte_hours", v.number("fte_hours", self.fte_hours, lo=0, lo_open=True))
        _set(self, "cost_per_hire", v.number("cost_per_hire", self.cost_per_hire, lo=0))
        _set(self, "hiring", tuple(self.hiring))
        for i, h in enumerate(self.hiring):
            if not isinstance(h, HiringClass):
                raise v.error(f"hiring[{i}]", "must be a HiringClass", h)

    @classmethod
    def from_dict(cls, d, path="capacity"):
        v.known_keys(path, d, _fields(cls))
        hiring = []
        for i, h in enumerate(v.sequence(f"{path}.hiring", d.get("hiring", []), "classes",
                                         empty=True)):
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
        _set(self, "bot_contact_cost", v.number("bot_contact_cost", self.bot_contact_cost, lo=0))
        _set(self, "abandon_cost", v.number("abandon_cost", self.abandon_cost, lo=0))
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
        _set(self, "replications", v.whole("replications", self.replications, lo=1))
        _set(self, "seed", v.whole("seed", self.seed, lo=0))
        _set(self, "max_rounds", v.whole("max_rounds", self.max_rounds, lo=0))

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

    @classmethod
    def from_dict(cls, d, path="variant"):
        v.known_keys(path, d, ["name", "overrides"])
        with _at(path):
            return cls(d.get("name"), dict(d.get("overrides", {})))


@dataclass(frozen=True)
class Scenario:
    """A whole planning scenario (see the module docstring for the file format)."""

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

    SECTIONS = ("scenario", "queues", "workforce", "capacity", "finance", "simulation",
                "variants")

    def __post_init__(self):
        with _at("scenario"):
            v.text("name", self.name)
            _set(self, "start", v.date("start", self.start))
            _set(self, "weeks", v.whole("weeks", self.weeks, lo=1))
            _set(self, "history_weeks", v.whole("history_weeks", self.history_weeks, lo=2))
        queues = self.queues
        if isinstance(queues, (str, bytes, dict)) or not hasattr(queues, "__iter__") \
                or not list(queues):
            raise ScenarioError("'queues' must list at least one queue ([[queues]])")
        _set(self, "queues", tuple(queues))
        _set(self, "variants", tuple(self.variants))
        for name, cls in (("workforce", Workforce), ("capacity", Capacity),
                          ("finance", Finance), ("simulation", Simulation)):
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
                    v.known_name(f"queues[{i}].group", q.group, groups, "group")
            for i, g in enumerate(self.workforce.groups):
                for s in list(g.skills) + list(g.overflow):
                    v.known_name(f"workforce.groups[{i}]", s, names, "queue")
            for i, var in enumerate(self.variants):
                if not isinstance(var, Variant):
                    raise v.error(f"variants[{i}]", "must be a Variant", var)
            v.unique("variants", [var.name for var in self.variants])
        for var in self.variants:
            self.with_overrides(var.overrides, name=var.name)   # each must apply cleanly

    @classmethod
    def from_toml(cls, source):
        """Read a scenario from a TOML file path or TOML text."""
        text = source
        if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source
                                         and Path(source).suffix == ".toml"):
            path = Path(source)
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise ScenarioError(f"cannot read the scenario file {str(path)!r}: "
                                    f"{exc.strerror}") from None
            except UnicodeDecodeError:
                raise ScenarioError(f"the scenario file {str(path)!r} is not UTF-8 text") \
                    from None
        if not isinstance(text, str):
            raise ScenarioError(f"'scenario' must be TOML text or a file path: "
                                f"{type(source).__name__}")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(f"the scenario is not valid TOML: {exc}") from None
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data):
        """Build from the mapping a TOML file decodes to."""
        with _at(""):
            return cls._from_dict(data)

    @classmethod
    def _from_dict(cls, data):
        v.known_keys("", data, cls.SECTIONS)
        head = dict(v.known_keys("scenario", data.get("scenario", {}),
                                 ["name", "start", "weeks", "history_weeks"]))
        for key in ("name", "start", "weeks"):
            if key not in head:
                raise ScenarioError(f"'scenario.{key}' is required")
        queues = data.get("queues")
        if not isinstance(queues, list) or not queues:
            raise ScenarioError("'queues' must list at least one queue ([[queues]])")
        qs = tuple(QueueConfig.from_dict(q, f"queues[{i}]") for i, q in enumerate(queues))
        variants = tuple(Variant.from_dict(x, f"variants[{i}]") for i, x in enumerate(
            v.sequence("variants", data.get("variants", []), "variants", empty=True)))
        return cls(name=head["name"], start=head["start"], weeks=head["weeks"],
                   history_weeks=head.get("history_weeks", 26), queues=qs,
                   workforce=Workforce.from_dict(data.get("workforce", {})),
                   capacity=Capacity.from_dict(data.get("capacity", {})),
                   finance=Finance.from_dict(data.get("finance", {})),
                   simulation=Simulation.from_dict(data.get("simulation", {})),
                   variants=variants)

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
        })

    def to_toml(self):
        """The scenario as TOML text."""
        return tomli_w.dumps(self.to_dict())

    def with_overrides(self, overrides, name=None):
        """A copy with dotted-key overrides applied (how variants are built).

        Queues, groups and shifts are addressed by name: ``queues.voice.target.
        service_level``, ``workforce.groups.backoffice.max_agents``.  The copy
        has no variants.
        """
        data = self.to_dict()
        for key, value in overrides.items():
            parts = str(key).split(".")
            node = data
            for i, part in enumerate(parts[:-1]):
                if isinstance(node, list):
                    match = [x for x in node if isinstance(x, dict) and x.get("name") == part]
                    if not match:
                        names = [x.get("name") for x in node if isinstance(x, dict)]
                        near = difflib.get_close_matches(part, names, n=1)
                        hint = f" (did you mean {near[0]!r}?)" if near else ""
                        raise ScenarioError(f"variant key {key!r}: no item named {part!r}{hint}")
                    node = match[0]
                else:
                    if part not in node:
                        node[part] = {}
                    node = node[part]
                if not isinstance(node, (dict, list)):
                    raise ScenarioError(f"variant key {key!r}: {'.'.join(parts[:i + 1])!r} is "
                                        "a value, not a section")
            if isinstance(node, list):
                raise ScenarioError(f"variant key {key!r}: {'.'.join(parts[:-1])!r} is a list: "
                                    "name an item of it")
            node[parts[-1]] = value
        data.pop("variants", None)
        if name is not None:
            data["scenario"]["name"] = name
        try:
            return Scenario.from_dict(data)
        except ScenarioError as exc:
            raise ScenarioError(f"variant {name or ''!s} ({', '.join(map(str, overrides))}): "
                                f"{exc}") from None

    def variant_scenarios(self):
        """The base and each variant as scenarios, in order."""
        return [self] + [self.with_overrides(x.overrides, name=x.name) for x in self.variants]

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
