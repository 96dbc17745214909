"""What a simulation runs: queues, a bot in front, agent groups with skills and shifts.

Frozen, validated config objects.  Times are in seconds from the start of the
horizon (the start of interval 0); volumes are expected contacts offered per
interval.  Inputs are checked with :mod:`ccwfm._validation`; errors name the
field, the rule and the value: ``'queues[voice].volume[5]' must be >= 0: -3.0``.
Sizes that drive work are bounded by :mod:`ccwfm._limits` (volume, handle
time, patience, agents, concurrency, handle-time multipliers, arrival rate,
intervals); :func:`simulate.simulate` bounds the run as a whole.
"""

import math
from dataclasses import dataclass

import numpy as np

from ccwfm._limits import at_most, limit
from ccwfm._validation import as_array, error, known_name, number, share, text, unique, whole

from .distributions import Distribution

# Largest day-level overdispersion (cv of the Gamma factor of a day's rates):
# real day-to-day variation beyond Poisson is a cv of 0.05 to 0.3; at 1 a day
# is as likely to be empty as double.
MAX_OVERDISPERSION = 1.0
# Intervals of at least a second and at most a day.
MIN_INTERVAL, MAX_INTERVAL = 1.0, 86400.0
# Longest sub-period (seconds) of the time-sharing of a fractional agent, by
# default: the extra agent of a staffing n + f is on duty for the first f of
# each sub-period (see Group).
SHARE_PERIOD = 300.0
_NUMBER = (int, float, np.integer, np.floating)


def _distribution(path, value, mean_key=None):
    """A Distribution from ``value`` (or a spec); its mean within the limit ``mean_key``."""
    if not isinstance(value, Distribution):
        value = Distribution.from_spec(value, field=path)
    if mean_key is not None:
        at_most(f"{path}.mean", value.mean, mean_key)
    return value


def _per_interval(path, values, what, *, lo=0.0, lo_open=False, hi_key=None, agents=False):
    """A per-interval sequence of numbers, checked at once: a tuple of floats.

    Each element must be a number (not a bool or a string), finite, >= ``lo``
    (> with ``lo_open``) and <= the limit ``hi_key``; the error names the
    first offending element: ``'path[3]' must be >= 0: -1``.  For ``agents``
    a whole value becomes an int and a fractional one stays a float (a
    time-shared agent, see :class:`Group`).
    """
    if not _is_seq(values):
        raise error(path, f"must be a sequence of {what} per interval", values)
    if isinstance(values, np.ndarray):
        if values.dtype.kind not in "iuf":
            raise error(path, f"must hold numbers ({what} per interval)", values)
    else:
        for i, v in enumerate(values):
            if isinstance(v, bool) or not isinstance(v, _NUMBER):
                raise error(f"{path}[{i}]", "must be a number", v)
    arr = as_array(path, values)
    if arr.ndim != 1:
        raise error(path, f"must be a flat sequence of {what} per interval", values)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(arr) & ((arr > lo) if lo_open else (arr >= lo))
        if hi_key is not None:
            ok &= arr <= limit(hi_key)
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        item, v = f"{path}[{i}]", values[i]
        number(item, v, lo=lo, lo_open=lo_open)
        if hi_key is not None:
            at_most(item, float(v), hi_key)
        raise error(item, "is not accepted", v)     # pragma: no cover - the checks above raise
    if agents:
        return tuple(int(v) if v == math.floor(v) else float(v) for v in arr.tolist())
    return tuple(arr.tolist())


@dataclass(frozen=True)
class Bot:
    """A bot or IVR that every contact of the queue meets before the agents.

    Attributes
    ----------
    time : Distribution
        Time spent in the bot, seconds.
    containment : float
        Share of contacts entering the bot that it resolves (they leave
        satisfied at the end of their bot time).
    abandon : float
        Share of contacts hanging up in the bot (at a uniform point of their
        bot time).
    uplift : float
        Handle-time multiplier of contacts escalated to agents (> 0; the bot
        kept the easy ones, so typically > 1).
    """

    time: Distribution
    containment: float
    abandon: float = 0.0
    uplift: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "time", _distribution("bot.time", self.time, "aht"))
        object.__setattr__(self, "containment", share("bot.containment", self.containment))
        object.__setattr__(self, "abandon", share("bot.abandon", self.abandon))
        if self.containment + self.abandon > 1.0 + 1e-12:
            raise ValueError(f"'bot.containment' + 'bot.abandon' must be <= 1: "
                             f"{self.containment + self.abandon!r}")
        uplift = number("bot.uplift", self.uplift, lo=0.0, lo_open=True)
        object.__setattr__(self, "uplift", at_most("bot.uplift", uplift, "aht_scale"))


@dataclass(frozen=True)
class Retrial:
    """Callers who abandon try again.

    Attributes
    ----------
    probability : float
        Chance that an abandoning contact (in the bot or in the queue) tries
        again.
    delay : Distribution
        Time from abandoning to the new attempt, seconds.
    max_attempts : int
        Retrials allowed per contact (the first attempt not counted).
    """

    probability: float
    delay: Distribution
    max_attempts: int = 5

    def __post_init__(self):
        object.__setattr__(self, "probability", share("retrial.probability", self.probability))
        object.__setattr__(self, "delay", _distribution("retrial.delay", self.delay))
        object.__setattr__(self, "max_attempts",
                           whole("retrial.max_attempts", self.max_attempts, lo=0))

    def attempts_factor(self):
        """Upper bound of the expected attempts per contact: ``1 + p + ... + p**max_attempts``.

        Reached when every attempt abandons; used to bound a run's work
        before it starts.
        """
        p, m = self.probability, self.max_attempts
        return float(m + 1) if p >= 1.0 else (1.0 - p ** (m + 1)) / (1.0 - p)


@dataclass(frozen=True)
class Queue:
    """A stream of contacts: voice, chat, e-mail, messaging...

    Attributes
    ----------
    name : str
        Unique name.
    volume : tuple of float
        Expected contacts offered per interval (piecewise-constant Poisson
        rates); its length is the horizon in intervals.
    handle : Distribution
        Handle time by an agent, seconds (before bot uplift and chat
        concurrency stretch).
    patience : Distribution or None
        Time a waiting contact stays before hanging up; ``None`` for nobody
        abandons (e-mail).
    bot : Bot or None
        Bot or IVR stage in front of the agents.
    retrial : Retrial or None
        Retrials of abandoning contacts.
    overdispersion : float
        Coefficient of variation of a day-level factor multiplying the day's
        rates (Gamma with mean 1); 0 for pure Poisson.
    target_time : float
        Service-level threshold in seconds ("answered within").
    channel : str
        Free label (voice, chat, email, messaging...).
    handle_scale : tuple of float, optional
        Multiplier of the handle time of contacts arriving in each interval
        (AHT by time of day), one per interval; ``None`` for 1 throughout.
    """

    name: str
    volume: tuple
    handle: Distribution
    patience: Distribution | None = None
    bot: Bot | None = None
    retrial: Retrial | None = None
    overdispersion: float = 0.0
    target_time: float = 20.0
    channel: str = "voice"
    handle_scale: tuple | None = None

    def __post_init__(self):
        text("queue.name", self.name)
        p = f"queues[{self.name}]"
        if _is_seq(self.volume) and len(self.volume) > limit("sim_cells"):
            raise error(f"{p}.volume", f"must cover at most {limit('sim_cells'):g} intervals "
                        "(limit 'sim_cells')", len(self.volume))
        vol = _per_interval(f"{p}.volume", self.volume, "contacts", hi_key="volume")
        if not vol:
            raise error(f"{p}.volume", "must cover at least one interval", list(self.volume))
        object.__setattr__(self, "volume", vol)
        object.__setattr__(self, "handle", _distribution(f"{p}.handle", self.handle, "aht"))
        if self.patience is not None:
            object.__setattr__(self, "patience",
                               _distribution(f"{p}.patience", self.patience, "patience"))
        if self.bot is not None and not isinstance(self.bot, Bot):
            raise error(f"{p}.bot", "must be a Bot", self.bot)
        if self.retrial is not None and not isinstance(self.retrial, Retrial):
            raise error(f"{p}.retrial", "must be a Retrial", self.retrial)
        object.__setattr__(self, "overdispersion", number(
            f"{p}.overdispersion", self.overdispersion, lo=0.0, hi=MAX_OVERDISPERSION))
        target = number(f"{p}.target_time", self.target_time, lo=0.0)
        object.__setattr__(self, "target_time", at_most(f"{p}.target_time", target,
                                                        "target_time"))
        text(f"{p}.channel", self.channel)
        if self.handle_scale is not None:
            if not _is_seq(self.handle_scale) or len(self.handle_scale) != len(vol):
                raise error(f"{p}.handle_scale", f"must give one multiplier per interval "
                            f"({len(vol)})", self.handle_scale)
            object.__setattr__(self, "handle_scale", _per_interval(
                f"{p}.handle_scale", self.handle_scale, "multipliers", lo_open=True,
                hi_key="aht_scale"))

    def attempts_factor(self):
        """Upper bound of the expected attempts per contact offered (1 without retrials)."""
        return 1.0 if self.retrial is None else self.retrial.attempts_factor()


@dataclass(frozen=True)
class Skill:
    """A queue an agent group serves.

    Attributes
    ----------
    queue : str
        Queue name.
    after : float
        Seconds a contact must have waited before this group may take it:
        0 for a dedicated group, the threshold for an overflow group.
    """

    queue: str
    after: float = 0.0

    def __post_init__(self):
        text("skill.queue", self.queue)
        object.__setattr__(self, "after", number(f"skill[{self.queue}].after", self.after,
                                                 lo=0.0))


@dataclass(frozen=True)
class Shift:
    """``agents`` agents on duty from ``start`` to ``end`` (seconds from the horizon start)."""

    start: float
    end: float
    agents: int = 1

    def __post_init__(self):
        object.__setattr__(self, "start", number("shift.start", self.start, lo=0.0))
        object.__setattr__(self, "end", number("shift.end", self.end, lo=0.0))
        if not self.end > self.start:
            raise error("shift.end", f"must be > start ({self.start!r})", self.end)
        agents = whole("shift.agents", self.agents, lo=0)
        object.__setattr__(self, "agents", at_most("shift.agents", agents, "agents"))


@dataclass(frozen=True)
class Group:
    """Agents sharing skills and a schedule.

    Attributes
    ----------
    name : str
        Unique name.
    skills : tuple of Skill
        Queues served, in the order an idle agent looks at them (its routing
        priority).  Plain queue names are accepted for ``after=0``.
    staffing : tuple of int or float, optional
        Agents on duty per interval (same length as the queues' volume), real
        numbers >= 0: a fractional part is a time-shared agent (Notes).
        Whole values are kept as ints, fractional ones as floats.
    shifts : tuple of Shift, optional
        Shifts instead of (or on top of) the staffing vector.
    concurrency : int
        Contacts an agent holds at once (chat), >= 1.
    concurrency_factor : float
        Handle-time stretch of a contact served by this group, >= 1 (the
        slot model of :mod:`erlang.metrics`).
    share_period : float
        Longest sub-period of the time-sharing of a fractional agent,
        seconds (default :data:`SHARE_PERIOD`, 300 s; at least 1 s).

    Notes
    -----
    Staffing is pooled: when the number on duty falls, idle agents go off
    duty first; if too few are idle, the agents who finish their current
    contact first leave then.  An agent never abandons a contact.

    Fractional staffing (time-sharing): ``staffing[i] = n + f`` with ``n``
    whole and ``0 < f < 1`` puts ``n`` agents on duty for the whole interval
    and one more agent for a fraction ``f`` of it, spread evenly: the
    interval is cut into ``m = ceil(interval / share_period)`` equal
    sub-periods of ``L = interval / m`` seconds (300 s for intervals of 15,
    30 or 60 minutes) and the extra agent is on duty for the first ``f * L``
    seconds of each.  The schedule is part of :meth:`duty_changes`, so both
    engines see it; the extra agent leaves as any agent does (idle first,
    else the busy one finishing first, after its contact: that overtime
    makes the time on duty slightly more than ``n + f``, and it counts as on
    duty in the occupancy).  :meth:`agents_on_duty` reports the scheduled
    mean, exactly ``n + f``.  Whole staffing has no sub-periods: its
    schedule (and so every record) is as without this feature.

    Examples
    --------
    >>> g = Group("agents", ("voice",), staffing=(2, 2.25))
    >>> times, deltas = g.duty_changes(1800.0, 2)
    >>> times[:4].tolist(), deltas[:4].tolist()
    ([0.0, 1800.0, 1875.0, 2100.0], [2, 1, -1, 1])
    >>> g.agents_on_duty(1800.0, 2).tolist()
    [2.0, 2.25]
    """

    name: str
    skills: tuple
    staffing: tuple | None = None
    shifts: tuple | None = None
    concurrency: int = 1
    concurrency_factor: float = 1.0
    share_period: float = SHARE_PERIOD

    def __post_init__(self):
        text("group.name", self.name)
        p = f"groups[{self.name}]"
        if not _is_seq(self.skills) or not len(self.skills):
            raise error(f"{p}.skills", "must list at least one queue", self.skills)
        for i, s in enumerate(self.skills):
            if not isinstance(s, (Skill, str)):
                raise error(f"{p}.skills[{i}]", "must be a Skill or a queue name", s)
        skills = tuple(s if isinstance(s, Skill) else Skill(s) for s in self.skills)
        names = [s.queue for s in skills]
        if len(set(names)) != len(names):
            raise error(f"{p}.skills", "must not repeat a queue", names)
        object.__setattr__(self, "skills", skills)
        if self.staffing is None and self.shifts is None:
            raise ValueError(f"'{p}' needs 'staffing' (agents per interval) or 'shifts'")
        if self.staffing is not None:
            if _is_seq(self.staffing) and len(self.staffing) > limit("sim_cells"):
                raise error(f"{p}.staffing", f"must cover at most {limit('sim_cells'):g} "
                            "intervals (limit 'sim_cells')", len(self.staffing))
            object.__setattr__(self, "staffing", _per_interval(
                f"{p}.staffing", self.staffing, "agents", hi_key="agents", agents=True))
        if self.shifts is not None:
            if not _is_seq(self.shifts):
                raise error(f"{p}.shifts", "must be a sequence of Shift", self.shifts)
            for i, s in enumerate(self.shifts):
                if not isinstance(s, Shift):
                    raise error(f"{p}.shifts[{i}]", "must be a Shift", s)
            object.__setattr__(self, "shifts", tuple(self.shifts))
        k = whole(f"{p}.concurrency", self.concurrency, lo=1)
        object.__setattr__(self, "concurrency", at_most(f"{p}.concurrency", k, "concurrency"))
        f = number(f"{p}.concurrency_factor", self.concurrency_factor, lo=1.0)
        object.__setattr__(self, "concurrency_factor",
                           at_most(f"{p}.concurrency_factor", f, "aht_scale"))
        object.__setattr__(self, "share_period", number(
            f"{p}.share_period", self.share_period, lo=MIN_INTERVAL, hi=MAX_INTERVAL))

    def _events(self, interval, horizon, shared):
        """Raw ``(times, deltas)`` of the schedule, unmerged; time-sharing only if ``shared``."""
        times, deltas = [np.zeros(0)], [np.zeros(0, np.int64)]
        if self.staffing is not None:
            staffing = np.asarray(self.staffing, dtype=float)
            n = np.floor(staffing)
            step = np.diff(n.astype(np.int64), prepend=0)
            at = np.flatnonzero(step)
            times.append(at * interval)
            deltas.append(step[at])
            frac = staffing - n
            part = np.flatnonzero(frac > 0.0)
            if shared and part.size:
                m = math.ceil(interval / self.share_period)
                length = interval / m
                j = np.arange(m, dtype=float)
                base = (part * interval)[:, None]
                on = base + j * length
                off = base + (j + frac[part][:, None]) * length
                times += [on.reshape(-1), off.reshape(-1)]
                deltas += [np.ones(on.size, np.int64), -np.ones(off.size, np.int64)]
        if self.shifts is not None:
            times.append(np.array([s.start for s in self.shifts] + [s.end for s in self.shifts],
                                  dtype=float))
            deltas.append(np.array([s.agents for s in self.shifts]
                                   + [-s.agents for s in self.shifts], dtype=np.int64))
        return np.concatenate(times), np.concatenate(deltas)

    def _merged(self, interval, horizon, shared):
        times, deltas = self._events(interval, horizon, shared)
        times, inverse = np.unique(times, return_inverse=True)
        sums = np.zeros(times.size, np.int64)
        np.add.at(sums, inverse.reshape(-1), deltas)
        keep = (sums != 0) & (times < interval * horizon)
        return times[keep], sums[keep]

    def duty_changes(self, interval, horizon):
        """Times (seconds) and changes of the number of agents on duty, sorted.

        Changes at the same time are merged; times at or after the horizon end
        are dropped.  A fractional staffing adds the on and off times of its
        time-shared agent (see Notes of :class:`Group`).

        Returns
        -------
        times : numpy.ndarray of float
            Seconds from the horizon start, increasing.
        deltas : numpy.ndarray of int64
            Agents coming on duty (> 0) or going off (< 0) at each time.
        """
        return self._merged(interval, horizon, True)

    def agents_on_duty(self, interval, horizon):
        """Time-averaged agents on duty per interval (float array of length ``horizon``).

        A fractional staffing counts with its scheduled mean: exactly
        ``staffing[i]`` (4.3 for 4.3) on top of the shifts.
        """
        times, deltas = self._merged(interval, horizon, False)
        out = np.zeros(horizon)
        level = 0
        edges = list(times) + [interval * horizon]
        for k in range(len(times)):
            level += deltas[k]
            a, b = edges[k], edges[k + 1]
            i0, i1 = int(a // interval), int(math.ceil(b / interval))
            for i in range(i0, min(i1, horizon)):
                lo, hi = max(a, i * interval), min(b, (i + 1) * interval)
                if hi > lo:
                    out[i] += level * (hi - lo) / interval
        if self.staffing is not None:
            staffing = np.asarray(self.staffing, dtype=float)[:horizon]
            frac = staffing - np.floor(staffing)
            out[:frac.size] += frac
        return out


@dataclass(frozen=True)
class Center:
    """A contact center to simulate: queues and the agent groups serving them.

    Attributes
    ----------
    queues : tuple of Queue
    groups : tuple of Group
    interval : float
        Interval length in seconds (default 1800).
    day_intervals : int, optional
        Intervals per day, for the day-level overdispersion factor (default:
        ``86400 / interval``; give it when the volume lists open hours only).

    Examples
    --------
    >>> c = Center.single_queue([100.0] * 4, aht=180, agents=[14] * 4, patience=120)
    >>> c.horizon, c.queues[0].name, c.groups[0].name
    (4, 'voice', 'agents')
    """

    queues: tuple
    groups: tuple
    interval: float = 1800.0
    day_intervals: int | None = None

    def __post_init__(self):
        object.__setattr__(self, "interval", number("interval", self.interval, lo=MIN_INTERVAL,
                                                    hi=MAX_INTERVAL))
        if not _is_seq(self.queues) or not len(self.queues):
            raise error("queues", "must list at least one Queue", self.queues)
        if not _is_seq(self.groups) or not len(self.groups):
            raise error("groups", "must list at least one Group", self.groups)
        at_most("queues", len(self.queues), "queues")
        for i, q in enumerate(self.queues):
            if not isinstance(q, Queue):
                raise error(f"queues[{i}]", "must be a Queue", q)
        for i, g in enumerate(self.groups):
            if not isinstance(g, Group):
                raise error(f"groups[{i}]", "must be a Group", g)
        object.__setattr__(self, "queues", tuple(self.queues))
        object.__setattr__(self, "groups", tuple(self.groups))
        qnames = [q.name for q in self.queues]
        gnames = [g.name for g in self.groups]
        unique("queues", qnames)
        unique("groups", gnames)
        horizon = len(self.queues[0].volume)
        for q in self.queues:
            if len(q.volume) != horizon:
                raise ValueError(f"'queues[{q.name}].volume' must cover {horizon} intervals "
                                 f"like queues[{qnames[0]}]: {len(q.volume)}")
        for g in self.groups:
            if g.staffing is not None and len(g.staffing) != horizon:
                raise ValueError(f"'groups[{g.name}].staffing' must cover the {horizon} "
                                 f"intervals of the horizon: {len(g.staffing)}")
            for s in g.skills:
                known_name(f"groups[{g.name}].skills", s.queue, qnames, "queue")
            if g.shifts is not None:
                for i, s in enumerate(g.shifts):
                    if s.start >= self.interval * horizon:
                        raise ValueError(f"'groups[{g.name}].shifts[{i}].start' must be before "
                                         f"the horizon end ({self.interval * horizon:g} s): "
                                         f"{s.start!r}")
        served = {s.queue for g in self.groups for s in g.skills}
        for q in qnames:
            if q not in served:
                raise ValueError(f"'queues[{q}]' is served by no group: add it to a group's "
                                 "skills")
        if self.day_intervals is not None:
            object.__setattr__(self, "day_intervals", whole("day_intervals", self.day_intervals,
                                                            lo=1))
        cells = (len(self.queues) + len(self.groups)) * (horizon + 1)
        if cells > limit("sim_cells"):
            raise ValueError(f"'queues' + 'groups', times the intervals + 1, must be <= "
                             f"{limit('sim_cells'):g} cells (limit 'sim_cells'): "
                             f"({len(self.queues)} + {len(self.groups)}) x {horizon + 1} = {cells}")
        for q in self.queues:
            at_most(f"queues[{q.name}].volume / interval", max(q.volume) / self.interval,
                    "arrival_rate")
        for g in self.groups:
            _, deltas = g.duty_changes(self.interval, horizon)
            most = int(np.cumsum(deltas).max()) if deltas.size else 0
            if most > limit("agents"):
                raise ValueError(f"'groups[{g.name}]' must have <= {limit('agents'):g} agents on "
                                 f"duty at once, staffing and shifts together (limit 'agents'): "
                                 f"{most}")

    @property
    def horizon(self):
        """Number of intervals simulated."""
        return len(self.queues[0].volume)

    @property
    def end(self):
        """End of the horizon in seconds."""
        return self.horizon * self.interval

    @property
    def intervals_per_day(self):
        """Intervals per day for the overdispersion factor."""
        if self.day_intervals is not None:
            return self.day_intervals
        return max(1, int(round(86400.0 / self.interval)))

    def queue_index(self, name):
        """Position of the queue called ``name``."""
        return [q.name for q in self.queues].index(name)

    def is_single_skill(self):
        """True when every queue has its own group that serves nothing else, no overflow.

        Such a center is a set of independent single-queue systems, which the
        Numba fast path simulates.
        """
        owners = {}
        for g in self.groups:
            if len(g.skills) != 1 or g.skills[0].after != 0.0:
                return False
            q = g.skills[0].queue
            if q in owners:
                return False
            owners[q] = g.name
        return len(owners) == len(self.queues)

    @classmethod
    def single_queue(cls, volume, aht, agents, *, patience=None, interval=1800.0,
                     handle=None, bot=None, retrial=None, overdispersion=0.0, target_time=20.0,
                     concurrency=1, concurrency_factor=1.0, name="voice", group="agents",
                     share_period=SHARE_PERIOD):
        """One queue and one dedicated group: the M/G/n+G case.

        ``aht`` sets an exponential handle time (or pass ``handle``); a number
        ``patience`` sets an exponential patience with that mean; ``agents``
        is a number or a staffing vector, real numbers >= 0 (a fractional
        part is a time-shared agent: see :class:`Group`).
        """
        if isinstance(volume, _NUMBER) and not isinstance(volume, bool):
            volume = [volume]
        if handle is None:
            aht = number("aht", aht, lo=0.0, lo_open=True)
            handle = Distribution.exponential(at_most("aht", aht, "aht"))
        if patience is not None and not isinstance(patience, Distribution):
            patience = Distribution.from_spec(patience, field="patience")
        if not _is_seq(agents):
            agents = [agents] * (len(volume) if _is_seq(volume) else 1)
        q = Queue(name, volume, handle, patience=patience, bot=bot, retrial=retrial,
                  overdispersion=overdispersion, target_time=target_time)
        g = Group(group, (Skill(name),), staffing=agents, concurrency=concurrency,
                  concurrency_factor=concurrency_factor, share_period=share_period)
        return cls((q,), (g,), interval=interval)

    def with_staffing(self, group, staffing):
        """A copy with the staffing vector of ``group`` replaced."""
        text("group", group)
        groups = tuple(Group(g.name, g.skills, staffing=staffing, shifts=g.shifts,
                             concurrency=g.concurrency,
                             concurrency_factor=g.concurrency_factor,
                             share_period=g.share_period)
                       if g.name == group else g for g in self.groups)
        if all(g.name != group for g in self.groups):
            raise ValueError(f"'group' must name a group of the center: {group!r}")
        return Center(self.queues, groups, self.interval, self.day_intervals)


def _is_seq(x):
    return isinstance(x, (list, tuple, np.ndarray))

