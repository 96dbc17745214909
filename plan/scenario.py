"""A planning scenario: what to plan, for whom, with which people, at what cost.

Read from TOML (:meth:`Scenario.from_toml`), validated into frozen objects.
Unknown keys, missing fields and impossible values are errors naming the key,
with the nearest valid key suggested (``'queues[0].patence' is not a known
key (did you mean 'patience'?)``).  Units: times of contacts in seconds,
interval length and breaks in minutes, shift lengths in hours, shares as
fractions (0.3, not 30).

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
"""

import dataclasses
import datetime as dt
import difflib
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from .schedule import ShiftTemplate

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ScenarioError(ValueError):
    """A scenario value or key is invalid; the message names the key."""


# ------------------------------------------------------------------ helpers


def _unknown(path, mapping, allowed):
    for key in mapping:
        if key not in allowed:
            near = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            where = f"{path}.{key}" if path else key
            raise ScenarioError(f"'{where}' is not a known key{hint}")


def _number(path, value, *, lo=None, hi=None, lo_open=False, hi_open=False, whole=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(f"'{path}' must be a number: {value!r}")
    v = float(value)
    if math.isnan(v) or math.isinf(v):
        raise ScenarioError(f"'{path}' must be finite: {value!r}")
    parts = []
    if lo is not None:
        parts.append(f"> {lo:g}" if lo_open else f">= {lo:g}")
    if hi is not None:
        parts.append(f"< {hi:g}" if hi_open else f"<= {hi:g}")
    if ((lo is not None and (v <= lo if lo_open else v < lo))
            or (hi is not None and (v >= hi if hi_open else v > hi))):
        raise ScenarioError(f"'{path}' must be " + " and ".join(parts) + f": {value!r}")
    if whole and v != math.floor(v):
        raise ScenarioError(f"'{path}' must be a whole number: {value!r}")
    return int(v) if whole else v


def _share(path, value, *, hi_open=False):
    return _number(path, value, lo=0.0, hi=1.0, hi_open=hi_open)


def _text(path, value):
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(f"'{path}' must be a non-empty string: {value!r}")
    return value


def _date(path, value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ScenarioError(f"'{path}' must be a date (YYYY-MM-DD): {value!r}")


def _clock(path, value):
    """Minutes from midnight of an ``"HH:MM"`` string."""
    if isinstance(value, str) and len(value) == 5 and value[2] == ":":
        h, m = value[:2], value[3:]
        if h.isdigit() and m.isdigit() and int(h) < 24 and int(m) < 60:
            return int(h) * 60 + int(m)
    raise ScenarioError(f"'{path}' must be a time HH:MM: {value!r}")


def _optional(path, value, conv, **kw):
    return None if value is None else conv(path, value, **kw)


def _drop_none(d):
    if isinstance(d, dict):
        return {k: _drop_none(v) for k, v in d.items() if v is not None and v != {} and v != []}
    if isinstance(d, list):
        return [_drop_none(v) for v in d]
    return d


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

    @classmethod
    def from_dict(cls, d, path):
        _unknown(path, d, [f.name for f in dataclasses.fields(cls)])
        t = cls(**{k: v for k, v in d.items()})
        p = path
        if t.service_level is not None:
            _number(f"{p}.service_level", t.service_level, lo=0, hi=1, lo_open=True, hi_open=True)
            if t.target_time is None:
                raise ScenarioError(f"'{p}.target_time' is required with service_level")
            _number(f"{p}.target_time", t.target_time, lo=0)
        if t.asa is not None:
            _number(f"{p}.asa", t.asa, lo=0, lo_open=True)
        if t.abandon_rate is not None:
            _number(f"{p}.abandon_rate", t.abandon_rate, lo=0, hi=1, lo_open=True, hi_open=True)
        if t.occupancy is not None:
            _number(f"{p}.occupancy", t.occupancy, lo=0, hi=1, lo_open=True, hi_open=True)
        if t.basis not in ("offered", "answered"):
            raise ScenarioError(f"'{p}.basis' must be 'offered' or 'answered': {t.basis!r}")
        if all(v is None for v in (t.service_level, t.asa, t.abandon_rate, t.occupancy)):
            raise ScenarioError(f"'{p}' sets no target: give service_level, asa, "
                                "abandon_rate or occupancy")
        return t


@dataclass(frozen=True)
class BotConfig:
    """A bot in front of the queue: mean ``time`` (s), shares contained and
    abandoning in it, handle-time ``uplift`` of escalated contacts."""

    containment: float = 0.0
    time: float = 60.0
    abandon: float = 0.0
    uplift: float = 1.0

    @classmethod
    def from_dict(cls, d, path):
        _unknown(path, d, [f.name for f in dataclasses.fields(cls)])
        b = cls(**d)
        _share(f"{path}.containment", b.containment)
        _number(f"{path}.time", b.time, lo=0, lo_open=True)
        _share(f"{path}.abandon", b.abandon)
        if b.containment + b.abandon > 1:
            raise ScenarioError(f"'{path}.containment' + '{path}.abandon' must be <= 1: "
                                f"{b.containment + b.abandon!r}")
        _number(f"{path}.uplift", b.uplift, lo=0, lo_open=True)
        return b


@dataclass(frozen=True)
class QueueConfig:
    """A queue to plan.

    Its demand comes from one of ``history`` (an interval file, see
    :func:`forecast.read_intervals`), ``acd`` (a call-level log, see
    :func:`forecast.read_acd`), ``forecast`` (a given forecast: columns
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
    target: Target = field(default_factory=lambda: Target(service_level=0.8, target_time=20.0))
    group: str | None = None

    @classmethod
    def from_dict(cls, d, path):
        _unknown(path, d, [f.name for f in dataclasses.fields(cls)])
        d = dict(d)
        _text(f"{path}.name", d.get("name"))
        bot = BotConfig.from_dict(d.pop("bot"), f"{path}.bot") if "bot" in d else None
        target = (Target.from_dict(d.pop("target"), f"{path}.target") if "target" in d
                  else Target(service_level=0.8, target_time=20.0))
        q = cls(**{**d, "bot": bot, "target": target})
        sources = [k for k in ("history", "acd", "forecast") if getattr(q, k)] + (
            ["demo"] if q.demo else [])
        if len(sources) != 1:
            raise ScenarioError(f"'{path}' needs exactly one demand source among history, acd, "
                                f"forecast, demo: {sources or 'none'}")
        if not isinstance(q.demo, (bool, str)):
            raise ScenarioError(f"'{path}.demo' must be true, false or a demo queue name: "
                                f"{q.demo!r}")
        _number(f"{path}.volume_scale", q.volume_scale, lo=0, lo_open=True)
        _number(f"{path}.aht_scale", q.aht_scale, lo=0, lo_open=True)
        if q.percentile is not None and q.percentile not in (50, 90, 97.5):
            raise ScenarioError(f"'{path}.percentile' must be 50, 90 or 97.5: {q.percentile!r}")
        _optional(f"{path}.aht", q.aht, _number, lo=0, lo_open=True)
        _optional(f"{path}.patience", q.patience, _number, lo=0, lo_open=True)
        _number(f"{path}.concurrency", q.concurrency, lo=1, whole=True)
        _number(f"{path}.concurrency_factor", q.concurrency_factor, lo=1)
        return q

    @property
    def group_name(self):
        """The agent group serving the queue (its own by default)."""
        return self.group or self.name


@dataclass(frozen=True)
class ShiftConfig:
    """A shift template: ``length`` hours on site, starting every ``step``
    minutes from ``first`` to ``last`` ("HH:MM") on ``days``, with an
    ``unpaid_break`` (minutes) and ``paid_breaks`` (minutes each; paid, off
    the phones; optionally at ``paid_break_offsets`` minutes from the start,
    else spread evenly: see :class:`plan.schedule.ShiftTemplate`)."""

    name: str
    length: float = 8.0
    first: str = "08:00"
    last: str = "10:00"
    step: int = 30
    days: tuple = ("mon", "tue", "wed", "thu", "fri")
    unpaid_break: int = 30
    paid_breaks: tuple = ()
    paid_break_offsets: tuple | None = None
    cost_factor: float = 1.0

    @classmethod
    def from_dict(cls, d, path):
        _unknown(path, d, [f.name for f in dataclasses.fields(cls)])
        s = cls(**{**d, "days": tuple(d.get("days", cls.days)),
                   "paid_breaks": tuple(d.get("paid_breaks", ())),
                   "paid_break_offsets": (tuple(d["paid_break_offsets"])
                                          if d.get("paid_break_offsets") is not None else None)})
        _text(f"{path}.name", s.name)
        _number(f"{path}.length", s.length, lo=0, hi=24, lo_open=True)
        first, last = _clock(f"{path}.first", s.first), _clock(f"{path}.last", s.last)
        if last < first:
            raise ScenarioError(f"'{path}.last' must not be before first ({s.first}): {s.last!r}")
        _number(f"{path}.step", s.step, lo=1, whole=True)
        for i, day in enumerate(s.days):
            if day not in WEEKDAYS:
                raise ScenarioError(f"'{path}.days[{i}]' must be one of {', '.join(WEEKDAYS)}: "
                                    f"{day!r}")
        _number(f"{path}.unpaid_break", s.unpaid_break, lo=0, hi=s.length * 60, hi_open=True,
                whole=True)
        _number(f"{path}.cost_factor", s.cost_factor, lo=0, lo_open=True)
        for i, b in enumerate(s.paid_breaks):
            _number(f"{path}.paid_breaks[{i}]", b, lo=0, lo_open=True, whole=True)
        if s.paid_break_offsets is not None:
            if len(s.paid_break_offsets) != len(s.paid_breaks):
                raise ScenarioError(f"'{path}.paid_break_offsets' must give one offset per paid "
                                    f"break ({len(s.paid_breaks)}): {list(s.paid_break_offsets)!r}")
            for i, o in enumerate(s.paid_break_offsets):
                _number(f"{path}.paid_break_offsets[{i}]", o, lo=0, whole=True)
        try:                        # the breaks must fit the shift
            ShiftTemplate(s.name, int(round(s.length * 60)), (0,), unpaid_break=s.unpaid_break,
                          paid_breaks=s.paid_breaks, paid_break_offsets=s.paid_break_offsets)
        except ValueError as exc:
            raise ScenarioError(f"'{path}': {exc}") from None
        return s

    def starts(self):
        """Allowed start times in minutes from midnight."""
        a, b = _clock("first", self.first), _clock("last", self.last)
        return tuple(range(a, b + 1, self.step))


@dataclass(frozen=True)
class GroupConfig:
    """Agents sharing skills: ``skills`` queue names (routing order),
    ``overflow`` maps a queue to the seconds a contact waits before this
    group may take it."""

    name: str
    skills: tuple = ()
    overflow: dict = field(default_factory=dict)
    hourly_cost: float | None = None
    min_agents: int = 0
    max_agents: int | None = None
    shifts: tuple = ()

    @classmethod
    def from_dict(cls, d, path):
        _unknown(path, d, [f.name for f in dataclasses.fields(cls)])
        g = cls(**{**d, "skills": tuple(d.get("skills", ())), "shifts": tuple(d.get("shifts", ())),
                   "overflow": dict(d.get("overflow", {}))})
        _text(f"{path}.name", g.name)
        if not g.skills and not g.overflow:
            raise ScenarioError(f"'{path}.skills' must list at least one queue")
        for q, after in g.overflow.items():
            _number(f"{path}.overflow.{q}", after, lo=0)
        _optional(f"{path}.hourly_cost", g.hourly_cost, _number, lo=0)
        _number(f"{path}.min_agents", g.min_agents, lo=0, whole=True)
        _optional(f"{path}.max_agents", g.max_agents, _number, lo=1, whole=True)
        return g


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

    @classmethod
    def from_dict(cls, d, path="workforce"):
        _unknown(path, d, [f.name for f in dataclasses.fields(cls)])
        d = dict(d)
        groups = tuple(GroupConfig.from_dict(g, f"{path}.groups[{i}]")
                       for i, g in enumerate(d.pop("groups", [])))
        shifts = tuple(ShiftConfig.from_dict(s, f"{path}.shifts[{i}]")
                       for i, s in enumerate(d.pop("shifts", [])))
        w = cls(**{**d, "groups": groups, "shifts": shifts,
                   "shrinkage": dict(d.get("shrinkage", {}))})
        _number(f"{path}.hourly_cost", w.hourly_cost, lo=0)
        if w.interval not in (15, 30, 60):
            raise ScenarioError(f"'{path}.interval' must be 15, 30 or 60 minutes: {w.interval!r}")
        for k, v in w.shrinkage.items():
            _share(f"{path}.shrinkage.{k}", v)
        if w.total_shrinkage >= 1:
            raise ScenarioError(f"'{path}.shrinkage' must add up to < 1: {w.total_shrinkage!r}")
        _number(f"{path}.min_agents", w.min_agents, lo=0, whole=True)
        _optional(f"{path}.max_agents", w.max_agents, _number, lo=1, whole=True)
        names = [s.name for s in w.shifts]
        for i, g in enumerate(w.groups):
            for s in g.shifts:
                if s not in names:
                    near = difflib.get_close_matches(s, names, n=1)
                    hint = f" (did you mean {near[0]!r}?)" if near else ""
                    raise ScenarioError(f"'{path}.groups[{i}].shifts' names an unknown shift: "
                                        f"{s!r}{hint}")
        return w

    @property
    def total_shrinkage(self):
        """Share of paid time off the phones (the categories added up)."""
        return float(sum(self.shrinkage.values()))


@dataclass(frozen=True)
class HiringConfig:
    """A hiring class: ``size`` hires starting training on ``start``."""

    start: dt.date
    size: int
    training_weeks: int = 4
    ramp: tuple = (0.5, 0.75, 0.9)
    cost_per_hire: float | None = None

    @classmethod
    def from_dict(cls, d, path):
        _unknown(path, d, [f.name for f in dataclasses.fields(cls)])
        h = cls(**{**d, "start": _date(f"{path}.start", d.get("start")),
                   "ramp": tuple(d.get("ramp", cls.ramp))})
        _number(f"{path}.size", h.size, lo=1, whole=True)
        _number(f"{path}.training_weeks", h.training_weeks, lo=0, whole=True)
        for i, r in enumerate(h.ramp):
            _number(f"{path}.ramp[{i}]", r, lo=0, hi=1)
        _optional(f"{path}.cost_per_hire", h.cost_per_hire, _number, lo=0)
        return h


@dataclass(frozen=True)
class Capacity:
    """Starting headcount, annual attrition, weekly FTE hours, hiring classes."""

    headcount: float = 0.0
    attrition: float = 0.35
    fte_hours: float = 37.5
    cost_per_hire: float = 0.0
    hiring: tuple = ()

    @classmethod
    def from_dict(cls, d, path="capacity"):
        _unknown(path, d, [f.name for f in dataclasses.fields(cls)])
        hiring = tuple(HiringConfig.from_dict(h, f"{path}.hiring[{i}]")
                       for i, h in enumerate(d.get("hiring", [])))
        c = cls(**{**d, "hiring": hiring})
        _number(f"{path}.headcount", c.headcount, lo=0)
        _number(f"{path}.attrition", c.attrition, lo=0, hi=1, hi_open=True)
        _number(f"{path}.fte_hours", c.fte_hours, lo=0, lo_open=True)
        _number(f"{path}.cost_per_hire", c.cost_per_hire, lo=0)
        return c


@dataclass(frozen=True)
class Finance:
    """Costs beyond wages: per contact resolved by the bot, per abandoned contact."""

    bot_contact_cost: float = 0.0
    abandon_cost: float = 0.0
    currency: str = "EUR"

    @classmethod
    def from_dict(cls, d, path="finance"):
        _unknown(path, d, [f.name for f in dataclasses.fields(cls)])
        f = cls(**d)
        _number(f"{path}.bot_contact_cost", f.bot_contact_cost, lo=0)
        _number(f"{path}.abandon_cost", f.abandon_cost, lo=0)
        _text(f"{path}.currency", f.currency)
        return f


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

    @classmethod
    def from_dict(cls, d, path="simulation"):
        _unknown(path, d, [f.name for f in dataclasses.fields(cls)])
        s = cls(**d)
        _number(f"{path}.replications", s.replications, lo=1, whole=True)
        _number(f"{path}.seed", s.seed, lo=0, whole=True)
        _number(f"{path}.max_rounds", s.max_rounds, lo=0, whole=True)
        return s


@dataclass(frozen=True)
class Variant:
    """A scenario variant: ``name`` and overrides as dotted keys
    (``"queues.voice.bot.containment" = 0.4``, ``"workforce.hourly_cost" = 30``)."""

    name: str
    overrides: dict = field(default_factory=dict)


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
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(f"the scenario is not valid TOML: {exc}") from None
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data):
        """Build from the mapping a TOML file decodes to."""
        _unknown("", data, cls.SECTIONS)
        head = dict(data.get("scenario", {}))
        _unknown("scenario", head, ["name", "start", "weeks", "history_weeks"])
        for key in ("name", "start", "weeks"):
            if key not in head:
                raise ScenarioError(f"'scenario.{key}' is required")
        queues = data.get("queues")
        if not isinstance(queues, list) or not queues:
            raise ScenarioError("'queues' must list at least one queue ([[queues]])")
        qs = tuple(QueueConfig.from_dict(q, f"queues[{i}]") for i, q in enumerate(queues))
        names = [q.name for q in qs]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ScenarioError(f"'queues' must have unique names: {dup[0]!r}")
        variants = []
        for i, v in enumerate(data.get("variants", [])):
            _unknown(f"variants[{i}]", v, ["name", "overrides"])
            variants.append(Variant(_text(f"variants[{i}].name", v.get("name")),
                                    dict(v.get("overrides", {}))))
        sc = cls(
            name=_text("scenario.name", head["name"]),
            start=_date("scenario.start", head["start"]),
            weeks=_number("scenario.weeks", head["weeks"], lo=1, whole=True),
            history_weeks=_number("scenario.history_weeks", head.get("history_weeks", 26),
                                  lo=2, whole=True),
            queues=qs,
            workforce=Workforce.from_dict(data.get("workforce", {})),
            capacity=Capacity.from_dict(data.get("capacity", {})),
            finance=Finance.from_dict(data.get("finance", {})),
            simulation=Simulation.from_dict(data.get("simulation", {})),
            variants=tuple(variants))
        groups = {g.name for g in sc.workforce.groups}
        for i, q in enumerate(sc.queues):
            if q.group is not None and groups and q.group not in groups:
                raise ScenarioError(f"'queues[{i}].group' names an unknown group: {q.group!r}")
        for i, g in enumerate(sc.workforce.groups):
            for s in list(g.skills) + list(g.overflow):
                if s not in names:
                    near = difflib.get_close_matches(s, names, n=1)
                    hint = f" (did you mean {near[0]!r}?)" if near else ""
                    raise ScenarioError(f"'workforce.groups[{i}]' names an unknown queue: "
                                        f"{s!r}{hint}")
        for v in sc.variants:
            sc.with_overrides(v.overrides)          # every variant must apply cleanly
        return sc

    def to_dict(self):
        """The mapping :meth:`from_dict` reads back into an equal scenario."""
        def conv(obj):
            if dataclasses.is_dataclass(obj):
                return {f.name: conv(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
            if isinstance(obj, tuple):
                return [conv(v) for v in obj]
            if isinstance(obj, dict):
                return {k: conv(v) for k, v in obj.items()}
            return obj
        d = _drop_none({
            "scenario": {"name": self.name, "start": self.start, "weeks": self.weeks,
                         "history_weeks": self.history_weeks},
            "queues": [conv(q) for q in self.queues],
            "workforce": conv(self.workforce),
            "capacity": conv(self.capacity),
            "finance": conv(self.finance),
            "simulation": conv(self.simulation),
            "variants": [conv(v) for v in self.variants],
        })
        return d

    def to_toml(self):
        """The scenario as TOML text."""
        return tomli_w.dumps(self.to_dict())

    def with_overrides(self, overrides, name=None):
        """A copy with dotted-key overrides applied (how variants are built).

        Queues and groups are addressed by name: ``queues.voice.target.
        service_level``, ``workforce.groups.backoffice.max_agents``.
        """
        data = self.to_dict()
        for key, value in overrides.items():
            parts = key.split(".")
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
            node[parts[-1]] = value
        data.pop("variants", None)
        if name is not None:
            data["scenario"]["name"] = name
        try:
            return Scenario.from_dict(data)
        except ScenarioError as exc:
            raise ScenarioError(f"variant {name or ''!s} ({', '.join(overrides)}): {exc}") from None

    def variant_scenarios(self):
        """The base and each variant as scenarios, in order."""
        return [self] + [self.with_overrides(v.overrides, name=v.name) for v in self.variants]

    @property
    def end(self):
        """The day after the horizon."""
        return self.start + dt.timedelta(weeks=self.weeks)
