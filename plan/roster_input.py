"""Who can be rostered: contracts, agents, and the work rules they are rostered under.

A roster gives people weeks: each agent, each day, a shift or a day off.  Its
inputs are

* :class:`Contract`: weekly paid hours (at least, at most), days worked per
  week and the shift templates it allows (full time on the 8.5-hour shifts,
  part time on the 4-hour ones...);
* :class:`Agent`: an id, the agent group, a contract, fixed weekdays off,
  dates unavailable (leave, training) and the times of day the agent can work;
  read from a CSV file (:func:`read_agents`) or made from the shift schedule's
  hours and a contract mix (:func:`generate_agents`);
* :class:`RosterRules`: the work rules, each on (a value) or off (``None`` or
  ``False``), checked by :func:`plan.roster_rules.check_roster` and kept by
  :func:`plan.roster.make_roster`.

Times are minutes from midnight; a week runs Monday to Sunday.
"""

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ccwfm import _validation as v

from .shifts import WEEKDAYS

__all__ = ["NIGHT", "default_contracts", "Agent", "Contract", "RosterConfig", "RosterRules",
           "agents_frame",
           "generate_agents", "read_agents"]

NIGHT = (0, 300)
"""A shift is a night shift when it is on site at some time of [00:00, 05:00)."""

AGENT_COLUMNS = ("id", "group", "contract", "days_off", "unavailable", "available_from",
                 "available_until")
"""Columns of an agents file (only ``id``, ``group`` and ``contract`` are required)."""


def _weekdays(path, value):
    """Weekday names or numbers (0 = Monday) as a sorted tuple of ints."""
    if isinstance(value, str):
        value = [x for x in value.replace(",", ";").split(";") if x.strip()]
    out = []
    for i, d in enumerate(v.sequence(path, value, "weekdays", empty=True)):
        if isinstance(d, str):
            name = d.strip().lower()[:3]
            if name not in WEEKDAYS:
                raise v.error(f"{path}[{i}]", f"must be one of {', '.join(WEEKDAYS)}", d)
            out.append(WEEKDAYS.index(name))
        else:
            out.append(v.whole(f"{path}[{i}]", d, lo=0, hi=6))
    return tuple(sorted(set(out)))


def _dates(path, value):
    if isinstance(value, str):
        value = [x.strip() for x in value.replace(",", ";").split(";") if x.strip()]
    return tuple(sorted({v.date(f"{path}[{i}]", d)
                         for i, d in enumerate(v.sequence(path, value, "dates", empty=True))}))


@dataclass(frozen=True)
class Contract:
    """A kind of employment contract.

    Attributes
    ----------
    name : str
    min_hours, max_hours : float
        Paid hours per week, at least and at most (every week of the roster).
    days : tuple of int
        Days worked per week the contract allows (for example ``(5,)``, or
        ``(4, 5)`` for 32 to 40 hours of 8-hour shifts).
    shifts : tuple of str
        Shift templates the contract allows (empty: every template of the
        agent's group).
    average_hours : tuple of float or None
        ``(at least, at most)`` paid hours per week on average over the
        roster's weeks (a day of leave counted as worked), inside
        ``[min_hours, max_hours]``: hours that may vary from week to week
        around a contract's average (default: no average asked).

    Examples
    --------
    >>> Contract("part", 16, 24, days=(4, 5), shifts=("part",)).max_hours
    24.0
    >>> Contract("full", 32, 48, days=(4, 5, 6), average_hours=(38, 40)).average_hours
    (38.0, 40.0)
    """

    name: str
    min_hours: float
    max_hours: float
    days: tuple = (5,)
    shifts: tuple = ()
    average_hours: tuple | None = None

    def __post_init__(self):
        v.text("roster.contracts.name", self.name)
        p = f"roster.contracts[{self.name}]"
        object.__setattr__(self, "min_hours", v.number(f"{p}.min_hours", self.min_hours, lo=0))
        object.__setattr__(self, "max_hours", v.number(f"{p}.max_hours", self.max_hours,
                                                       lo=self.min_hours, hi=7 * 24))
        days = tuple(sorted({v.whole(f"{p}.days[{i}]", d, lo=1, hi=7)
                             for i, d in enumerate(v.sequence(f"{p}.days", self.days,
                                                              "numbers of days"))}))
        object.__setattr__(self, "days", days)
        shifts = tuple(v.text(f"{p}.shifts[{i}]", s)
                       for i, s in enumerate(v.sequence(f"{p}.shifts", self.shifts,
                                                        "shift names", empty=True)))
        v.unique(f"{p}.shifts", list(shifts))
        object.__setattr__(self, "shifts", shifts)
        if self.average_hours is not None:
            pair = v.sequence(f"{p}.average_hours", self.average_hours, "two numbers of hours")
            if len(pair) != 2:
                raise v.error(f"{p}.average_hours", "must be [at least, at most]",
                              list(pair))
            lo = v.number(f"{p}.average_hours[0]", pair[0], lo=self.min_hours,
                          hi=self.max_hours)
            hi = v.number(f"{p}.average_hours[1]", pair[1], lo=lo, hi=self.max_hours)
            object.__setattr__(self, "average_hours", (lo, hi))

    @classmethod
    def from_dict(cls, d, path="contract"):
        v.known_keys(path, d, ("name", "min_hours", "max_hours", "days", "shifts",
                               "average_hours"))
        return cls(**d)

    def to_dict(self):
        out = {"name": self.name, "min_hours": self.min_hours, "max_hours": self.max_hours,
               "days": list(self.days), "shifts": list(self.shifts)}
        if self.average_hours is not None:
            out["average_hours"] = list(self.average_hours)
        return out


def default_contracts(templates):
    """Contracts made from shift templates: ``full`` on the templates of 6 paid hours
    or more (4 or 5 days a week), ``part`` on the shorter ones (4 to 6 days), each
    with the weekly hours those days give.

    Examples
    --------
    >>> from ccwfm.plan.shifts import default_templates
    >>> [(c.name, c.min_hours, c.max_hours, c.days) for c in default_contracts(
    ...     default_templates(15))]
    [('full', 32.0, 40.0, (4, 5)), ('part', 16.0, 24.0, (4, 5, 6))]
    """
    out = []
    for name, pick, days in (("full", lambda t: t.paid_hours >= 6, (4, 5)),
                             ("part", lambda t: t.paid_hours < 6, (4, 5, 6))):
        ts = [t for t in templates if pick(t)]
        if ts:
            hours = [t.paid_hours for t in ts]
            out.append(Contract(name, days[0] * min(hours), days[-1] * max(hours), days=days,
                                shifts=tuple(dict.fromkeys(t.name for t in ts))))
    return tuple(out)




@dataclass(frozen=True)
class Agent:
    """One person to roster.

    Attributes
    ----------
    id : str
    group : str
        The agent group (:mod:`plan.routing`) whose shifts the agent works.
    contract : str
        Name of a :class:`Contract`.
    days_off : tuple of int
        Weekdays never worked (0 = Monday).
    unavailable : tuple of datetime.date
        Dates not worked (leave, training).
    available_from, available_until : int
        The agent's shifts start at or after ``available_from`` and end by
        ``available_until`` (minutes from midnight; ``until`` may exceed 1440
        for a shift ending after midnight).  Defaults: the whole day.
    """

    id: str
    group: str
    contract: str
    days_off: tuple = ()
    unavailable: tuple = ()
    available_from: int = 0
    available_until: int = 2 * 1440

    def __post_init__(self):
        v.text("agents.id", self.id)
        p = f"agents[{self.id}]"
        v.text(f"{p}.group", self.group)
        v.text(f"{p}.contract", self.contract)
        object.__setattr__(self, "days_off", _weekdays(f"{p}.days_off", self.days_off))
        object.__setattr__(self, "unavailable", _dates(f"{p}.unavailable", self.unavailable))
        af = self.available_from
        au = self.available_until
        object.__setattr__(self, "available_from",
                           int(v.clock(f"{p}.available_from", af)) if isinstance(af, str)
                           else v.whole(f"{p}.available_from", af, lo=0, hi=1439))
        au = (v.clock(f"{p}.available_until", au) if isinstance(au, str)
              else v.whole(f"{p}.available_until", au, lo=1, hi=2 * 1440))
        if au <= self.available_from:
            au += 1440                    # "06:00" after "22:00": the next morning
        object.__setattr__(self, "available_until", int(au))


def _cell(row, key):
    value = row.get(key)
    return None if value is None or str(value).strip() == "" else str(value).strip()


def read_agents(source, contracts):
    """Agents from a CSV file (path, text or bytes) of :data:`AGENT_COLUMNS`.

    ``days_off`` and ``unavailable`` list weekdays (``sat;sun``) and dates
    (``2025-09-03;2025-09-04``) separated by ``;``; ``available_from`` and
    ``available_until`` are ``HH:MM``.

    Raises
    ------
    ValueError
        Naming the row and the field: an unknown column, a missing id, group
        or contract, an unknown contract, a repeated id, a bad weekday, date
        or time.
    """
    if isinstance(source, bytes):
        text = source.decode("utf-8-sig")
    elif isinstance(source, (str, Path)) and Path(str(source)).suffix.lower() == ".csv" \
            and "\n" not in str(source):
        text = Path(source).read_text(encoding="utf-8-sig")
    else:
        text = str(source)
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        raise v.error("agents", "must have a header row naming its columns", "")
    unknown = [c for c in reader.fieldnames if c not in AGENT_COLUMNS]
    if unknown:
        raise v.error("agents", f"has unknown columns (known: {', '.join(AGENT_COLUMNS)})",
                      unknown)
    for c in ("id", "group", "contract"):
        if c not in reader.fieldnames:
            raise v.error("agents", f"must have a column '{c}'", list(reader.fieldnames))
    names = {c.name for c in contracts}
    out, seen = [], set()
    for n, row in enumerate(reader, start=2):
        where = f"agents row {n}"
        try:
            kw = {k: _cell(row, k) for k in AGENT_COLUMNS if _cell(row, k) is not None}
            for c in ("id", "group", "contract"):
                if c not in kw:
                    raise v.error(c, "must not be empty", "")
            a = Agent(**kw)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        if a.contract not in names:
            raise ValueError(f"{where}: " + str(v.error(
                "contract", f"must be one of {', '.join(sorted(names))}", a.contract)))
        if a.id in seen:
            raise ValueError(f"{where}: " + str(v.error("id", "must be unique", a.id)))
        seen.add(a.id)
        out.append(a)
    if not out:
        raise v.error("agents", "must list at least one agent", 0)
    return tuple(out)


def agents_frame(agents):
    """The agents as a table of :data:`AGENT_COLUMNS` (what :func:`read_agents` reads)."""
    def hhmm(m):
        return f"{(m // 60) % 24:02d}:{m % 60:02d}"
    return pd.DataFrame([{
        "id": a.id, "group": a.group, "contract": a.contract,
        "days_off": ";".join(WEEKDAYS[d] for d in a.days_off),
        "unavailable": ";".join(d.isoformat() for d in a.unavailable),
        "available_from": hhmm(a.available_from) if a.available_from else "",
        "available_until": hhmm(a.available_until) if a.available_until < 2 * 1440 else ""}
        for a in agents], columns=list(AGENT_COLUMNS))


def generate_agents(weekly_hours, contracts, mix=None, reserve=0.05):
    """Agents sized to a schedule's weekly paid hours, by group and contract mix.

    Parameters
    ----------
    weekly_hours : dict
        Group -> paid hours of its shifts per week (a sequence; the busiest
        week sizes the group).
    contracts : sequence of Contract
    mix : dict, optional
        Contract name -> share of the group's hours worked on it (default:
        70% on the first contract, 30% on the second, or all on one).
    reserve : float
        Share of hours added to the busiest week's (default 5%): room to keep
        the rules where the schedule's shifts cannot all be given as tours.

    Returns
    -------
    tuple of Agent
        Ids ``<group>-<contract>-<n>``.  Each group gets, per contract, the
        hours of its share over the contract's mean weekly hours, rounded
        up, so that the busiest week can be worked with every contract at
        its middle hours; quieter weeks use the contracts' lower hours.

    Examples
    --------
    >>> cs = (Contract("full", 32, 40, days=(4, 5)), Contract("part", 16, 24, days=(4, 5)))
    >>> [a.id for a in generate_agents({"voice": [100.0]}, cs)]   # 105 h: 73.5 / 36, 31.5 / 20
    ['voice-full-1', 'voice-full-2', 'voice-full-3', 'voice-part-1', 'voice-part-2']
    >>> len(generate_agents({"voice": [1000.0]}, cs, reserve=0.0))   # 700 / 36 -> 20, 300 / 20
    35
    """
    contracts = tuple(contracts)
    if not contracts:
        raise v.error("contracts", "must name at least one contract", [])
    if mix is None:
        mix = ({contracts[0].name: 0.7, contracts[1].name: 0.3} if len(contracts) > 1
               else {contracts[0].name: 1.0})
    by_name = {c.name: c for c in contracts}
    for name, share in mix.items():
        v.known_name(f"mix.{name}", name, list(by_name), "contract")
        v.share(f"mix.{name}", share)
    reserve = v.number("reserve", reserve, lo=0, hi=1)
    total = sum(mix.values())
    if not total > 0:
        raise v.error("mix", "must give some share to a contract", mix)
    out = []
    for group, hours in weekly_hours.items():
        peak = max([float(h) for h in hours] or [0.0]) * (1.0 + reserve)
        for name, share in mix.items():
            c = by_name[name]
            mean = (c.min_hours + c.max_hours) / 2
            n = math.ceil(peak * share / total / mean - 1e-9) if mean > 0 else 0
            out += [Agent(f"{group}-{name}-{i + 1}", group, name) for i in range(n)]
    return tuple(out)


@dataclass(frozen=True)
class RosterRules:
    """The work rules of a roster; each is off with ``None`` (or ``False``).

    Attributes
    ----------
    days_off : int or None
        Days off in each week (Monday to Sunday), at least (default 2).
    consecutive_days_off : bool
        ``days_off`` of them next to each other in the week (default true).
    max_consecutive_days : int or None
        Days worked in a row, across weeks too, at most (default 6).
    min_rest_hours : float or None
        Hours from the end of a shift to the start of the next, at least
        (default 11, as the EU working time directive).
    start_window : int or None
        Minutes: within a week, an agent's shift starts differ by at most
        this (default 60; 0 = the same start all week).
    weekend_off_every : int or None
        At least one full weekend (Saturday and Sunday) off in every this
        many consecutive weeks (default 3).
    max_nights : int or None
        Night shifts (:data:`NIGHT`) per week, at most (default off).
    contract_hours : bool
        Every week's paid hours and days worked inside the agent's contract
        (default true).
    availability : bool
        Shifts only on days and at times the agent is available (default true).
    fair : bool
        Spread weekends worked, nights and late shifts evenly among the
        agents of a group and contract (a soft objective; default true).
    """

    days_off: int | None = 2
    consecutive_days_off: bool = True
    max_consecutive_days: int | None = 6
    min_rest_hours: float | None = 11.0
    start_window: int | None = 60
    weekend_off_every: int | None = 3
    max_nights: int | None = None
    contract_hours: bool = True
    availability: bool = True
    fair: bool = True

    def __post_init__(self):
        def opt(name, check):
            value = getattr(self, name)
            if value is not None and value is not False:
                object.__setattr__(self, name, check(f"roster.rules.{name}", value))
            elif value is False:
                object.__setattr__(self, name, None)
        opt("days_off", lambda p, x: v.whole(p, x, lo=0, hi=6))
        opt("max_consecutive_days", lambda p, x: v.whole(p, x, lo=1, hi=28))
        opt("min_rest_hours", lambda p, x: v.number(p, x, lo=0, hi=24))
        opt("start_window", lambda p, x: v.whole(p, x, lo=0, hi=1440))
        opt("weekend_off_every", lambda p, x: v.whole(p, x, lo=1, hi=52))
        opt("max_nights", lambda p, x: v.whole(p, x, lo=0, hi=7))
        for name in ("consecutive_days_off", "contract_hours", "availability", "fair"):
            object.__setattr__(self, name, v.boolean(f"roster.rules.{name}",
                                                     getattr(self, name)))

    @classmethod
    def from_dict(cls, d, path="roster.rules"):
        """From a TOML table; ``false`` turns a rule off."""
        v.known_keys(path, d, tuple(cls.__dataclass_fields__))
        return cls(**d)

    def to_dict(self):
        """The TOML table (rules that are off written as ``false``)."""
        return {k: (False if getattr(self, k) is None else getattr(self, k))
                for k in self.__dataclass_fields__}

    def describe(self):
        """Every rule in words: ``(name, on, text)`` rows."""
        r = self
        together = (", together (a run may go on into the next week's Monday)"
                    if r.consecutive_days_off else "")
        valued = (   # (rule, its words with its value, its words when off)
            ("days_off", "at least {} days off a week" + together, "days off a week"),
            ("max_consecutive_days", "at most {} days worked in a row", "days worked in a row"),
            ("min_rest_hours", "at least {:g} hours between shifts", "rest between shifts"),
            ("start_window", "a week's starts within {} minutes", "start times in a week"),
            ("weekend_off_every", "a weekend off at least every {} weeks", "weekends off"),
            ("max_nights", "at most {} night shifts a week", "night shifts a week"))
        out = []
        for name, words, off in valued:
            value = getattr(r, name)
            out.append((name, value is not None, off if value is None else words.format(value)))
        return out + [
            ("contract_hours", r.contract_hours,
             "weekly hours and days inside the contract (and its average over the weeks)"),
            ("availability", r.availability, "only when available"),
        ]


@dataclass(frozen=True)
class RosterConfig:
    """A scenario's ``[roster]`` table: how its people are rostered.

    Attributes
    ----------
    rules : RosterRules
        ``[roster.rules]``.
    contracts : tuple of Contract
        ``[[roster.contracts]]``; empty (the default): :func:`default_contracts`
        of the scenario's shift templates.
    agents : str or None
        A CSV file of agents (:func:`read_agents`), relative to the
        scenario's folder; ``None``: agents made from the schedule
        (:func:`generate_agents` with ``mix`` and ``reserve``).
    mix : dict or None
        Contract name -> share of hours, for made agents (default: the
        schedule's own mix of shift templates).
    reserve : float
        Share of hours added to the busiest week when agents are made.
    weeks : int or None
        Weeks to roster (1 to 8; default the plan's, at most 8).

    Examples
    --------
    >>> cfg = RosterConfig.from_dict({"rules": {"max_nights": 2, "weekend_off_every": False},
    ...                               "weeks": 4})
    >>> cfg.rules.max_nights, cfg.rules.weekend_off_every, cfg.contracts
    (2, None, ())
    """

    rules: RosterRules = field(default_factory=RosterRules)
    contracts: tuple = ()
    agents: str | None = None
    mix: dict | None = None
    reserve: float = 0.05
    weeks: int | None = None

    def __post_init__(self):
        if not isinstance(self.rules, RosterRules):
            raise v.error("roster.rules", "must be a RosterRules", self.rules)
        cs = tuple(v.sequence("roster.contracts", self.contracts, "contracts", empty=True))
        for i, c in enumerate(cs):
            if not isinstance(c, Contract):
                raise v.error(f"roster.contracts[{i}]", "must be a Contract", c)
        v.unique("roster.contracts", [c.name for c in cs])
        object.__setattr__(self, "contracts", cs)
        if self.agents is not None:
            v.text("roster.agents", self.agents)
        if self.mix is not None:
            if not isinstance(self.mix, dict) or not self.mix:
                raise v.error("roster.mix", "must be a table of contract = share", self.mix)
            names = [c.name for c in cs] or ["full", "part"]
            for k, x in self.mix.items():
                v.known_name(f"roster.mix.{k}", k, names, "contract")
                v.share(f"roster.mix.{k}", x)
            if not sum(self.mix.values()) > 0:
                raise v.error("roster.mix", "must give some share to a contract", self.mix)
        object.__setattr__(self, "reserve", v.number("roster.reserve", self.reserve, lo=0,
                                                     hi=1))
        if self.weeks is not None:
            object.__setattr__(self, "weeks", v.whole("roster.weeks", self.weeks, lo=1, hi=8))

    def contracts_for(self, workforce):
        """The contracts agents are rostered on: the table's, else
        :func:`default_contracts` of the scenario's shift templates."""
        return self.contracts or default_contracts(workforce.templates(None))

    @classmethod
    def from_dict(cls, d, path="roster"):
        if not isinstance(d, dict):
            raise v.error(path, "must be a table", d)
        v.known_keys(path, d, ("rules", "contracts", "agents", "mix", "reserve", "weeks"))
        kw = dict(d)
        if "rules" in kw:
            kw["rules"] = RosterRules.from_dict(kw["rules"], f"{path}.rules")
        if "contracts" in kw:
            items = v.sequence(f"{path}.contracts", kw["contracts"], "contracts")
            out = []
            for i, c in enumerate(items):
                if not isinstance(c, dict):
                    raise v.error(f"{path}.contracts[{i}]", "must be a table", c)
                out.append(Contract.from_dict(c, f"{path}.contracts[{i}]"))
            kw["contracts"] = tuple(out)
        return cls(**kw)

    def to_dict(self):
        out = {"rules": self.rules.to_dict(), "reserve": self.reserve}
        if self.contracts:
            out["contracts"] = [c.to_dict() for c in self.contracts]
        if self.agents is not None:
            out["agents"] = self.agents
        if self.mix is not None:
            out["mix"] = dict(self.mix)
        if self.weeks is not None:
            out["weeks"] = self.weeks
        return out
