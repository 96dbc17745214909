"""Check a roster against its work rules: every violation named, with its numbers.

A roster is a long table, one row per agent and day (see
:data:`ROSTER_COLUMNS`): the shift template worked that day (``""`` for a
day off), its start and end (``end`` may be the next day), its paid hours
and the clock times of its breaks.  :func:`check_roster` checks it against
the :class:`~ccwfm.plan.roster_input.RosterRules` that are on, the agents'
contracts and availability, and the shift templates of each agent's group;
:func:`rule_report` turns the violations into one line per rule (0 or how
many, with an example), the roster's rule report.

Times are minutes; a week runs Monday to Sunday; a shift belongs to the day
(and week) it starts on.  Rules and what breaks them (rule names as in
:data:`RULES`):

* ``days_off``: a week with fewer days without a shift start than
  ``rules.days_off``; with ``consecutive_days_off``, a week without a run of
  that many days off in a row in it, where the run may go on into the
  previous week's Sunday or the next week's Monday (off Sunday and the next
  Monday is the usual "two days off together" of a week worked Tuesday to
  Saturday; days outside the roster count as worked).  One row per agent
  and week, dated its Monday.
* ``max_consecutive_days``: a run of days with a shift start longer than
  the rule, across weeks.  One row per run, dated its first day.
* ``min_rest_hours``: the time from the end of a shift to the start of the
  agent's next one (time order) shorter than the rule.  Dated the later
  shift's day.
* ``start_window``: a week whose starts (minutes after the day's midnight)
  spread wider than the rule (latest - earliest).  Dated the Monday.
* ``weekend_off_every`` (N): N consecutive weeks none of which has both its
  Saturday and its Sunday without a shift start; every full window of N
  weeks of the roster is checked (a roster shorter than N weeks is not).
  Dated the window's first Monday.
* ``max_nights``: more night shifts in a week than the rule; a night shift
  is on site at some time of [00:00, 05:00) of a day
  (:data:`~ccwfm.plan.roster_input.NIGHT`; a shift ending at 00:00 sharp or
  starting at 05:00 sharp is not one).  Dated the Monday.
* ``contract_hours``: a week's paid hours outside [min_hours, max_hours] of
  the agent's contract (1e-6 hour tolerance), a week's days worked not among
  its ``days``, a shift whose template is not among its ``shifts`` (when it
  names some).
* ``availability``: a shift on one of the agent's weekdays off or dates
  unavailable, starting before ``available_from`` or ending after
  ``available_until`` (minutes from the day's midnight, up to 2880).
* ``templates`` (always on): a shift that is not what its template says: a
  template of the agent's group, started on one of its start times and
  weekdays, of its length and paid hours, with one break per break window
  of the window's length starting inside it (and on its ``step``, when the
  window gives one); for a template without windows, breaks need not be
  listed, and those listed are its fixed breaks (as many, of their lengths,
  inside the shift, at their offsets when the template fixes them).

A malformed table (a missing column, an unknown agent, a day missing or
twice, a worked day without a start, a roster not made of whole weeks from
a Monday, unreadable breaks...) is not a violation: it raises a
``ValueError`` naming the column, the rule and the value.
"""

import math
import re
import warnings

import numpy as np
import pandas as pd

from ccwfm import _validation as v

from .roster_input import NIGHT, Agent, Contract, RosterRules
from .shifts import ShiftTemplate

__all__ = ["contract_bounds", "leave_days", "ROSTER_COLUMNS", "RULES", "VIOLATION_COLUMNS", "check_roster", "rule_report"]

ROSTER_COLUMNS = ("agent", "group", "contract", "date", "shift", "start", "end", "paid_hours",
                  "breaks")
"""Columns of a roster table (one row per agent and day; more columns are ignored)."""

VIOLATION_COLUMNS = ("rule", "agent", "date", "detail")
"""Columns of :func:`check_roster`'s table of violations."""

RULES = ("days_off", "max_consecutive_days", "min_rest_hours", "start_window",
         "weekend_off_every", "max_nights", "contract_hours", "availability", "templates")
"""Names of the rules :func:`check_roster` checks, in report order."""

TEMPLATES_TEXT = "shifts as their templates define them: start, length, paid hours, breaks"
"""The ``templates`` rule in words (:func:`rule_report`)."""

_DAY = 1440
_TOL_HOURS = 1e-6
_TOL_MINUTES = 1e-6
_WEEKDAY = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_BREAK = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


# ------------------------------------------------------------------ words


def _day(ts):
    """``Mon 01 Sep`` (locale-free)."""
    return f"{_WEEKDAY[ts.weekday()]} {ts.day:02d} {_MONTH[ts.month - 1]}"


def _clock(minutes):
    """``HH:MM`` of minutes after a midnight (modulo a day), ``HH:MM:SS`` off the minute."""
    sec = int(round(float(minutes) * 60)) % (_DAY * 60)
    text = f"{sec // 3600:02d}:{sec // 60 % 60:02d}"
    return text + (f":{sec % 60:02d}" if sec % 60 else "")


def _num(x, digits=2):
    """A number as few digits show it: 9.5, 10.98, 40."""
    return f"{round(float(x), digits):g}"


def _plural(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")


# ------------------------------------------------------------------ the table


class _Table:
    """The checked roster as arrays over (agent, day), minutes from the first Monday's midnight.

    ``work``, ``start``, ``end``, ``tod`` (start minutes after its day's
    midnight), ``paid`` and ``shift`` are ``(agents, days)`` arrays (NaN,
    0 or ``""`` on a day off); ``breaks`` maps ``(agent, day)`` to the
    ``((start, end), ...)`` clock minutes of the breaks listed.
    """

    def __init__(self, first, n_days, agents):
        self.first = first
        self.n_days = n_days
        self.n_weeks = n_days // 7
        self.agents = agents
        shape = (len(agents), n_days)
        self.work = np.zeros(shape, dtype=bool)
        self.start = np.full(shape, np.nan)
        self.end = np.full(shape, np.nan)
        self.paid = np.zeros(shape)
        self.shift = np.full(shape, "", dtype=object)
        self.breaks = {}
        self.labels = [_day(first + pd.Timedelta(days=d)) for d in range(n_days)]

    @property
    def tod(self):
        return self.start - np.arange(self.n_days)[None, :] * _DAY

    def at(self, minutes):
        """``Tue 02 Sep 22:30`` of minutes from the first midnight."""
        whole = int(minutes // _DAY)
        label = (self.labels[whole] if 0 <= whole < self.n_days
                 else _day(self.first + pd.Timedelta(days=whole)))
        return f"{label} {_clock(minutes)}"


def _text_cells(roster, column, where):
    """A column of text cells as an object array of stripped strings; NaN/None is ``""``."""
    out = []
    for i, x in enumerate(roster[column].tolist()):
        if isinstance(x, str):
            out.append(x.strip())
        elif x is None or (isinstance(x, float) and math.isnan(x)):
            out.append("")
        else:
            what = "a template name or \"\"" if column == "shift" else "text"
            raise v.error(f"roster[{i}].{column}", f"must be {what} {where(i)}", x)
    return np.array(out, dtype=object)


def _times(roster, column):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)      # format inferred element-wise
            out = pd.to_datetime(roster[column])
    except (TypeError, ValueError, OverflowError):
        for i, x in enumerate(roster[column]):
            try:
                pd.Timestamp(x)
            except (TypeError, ValueError, OverflowError):
                raise v.error(f"roster[{i}].{column}", "must be a date-time", x) from None
        raise v.error(f"roster.{column}", "must hold date-times", str(roster[column].dtype))
    if getattr(out.dt, "tz", None) is not None:
        raise v.error(f"roster.{column}", "must hold time-zone naive date-times (local time)",
                      str(out.dtype))
    return out


def _parse_breaks(path, text):
    """``"HH:MM-HH:MM; ..."`` as ``((start, end), ...)`` minutes of day."""
    out = []
    for item in text.split(";"):
        m = _BREAK.match(item.strip())
        if not m or int(m[1]) > 23 or int(m[3]) > 23 or int(m[2]) > 59 or int(m[4]) > 59:
            raise v.error(path, 'must list breaks as "HH:MM-HH:MM" joined by "; "', text)
        out.append((60 * int(m[1]) + int(m[2]), 60 * int(m[3]) + int(m[4])))
    return tuple(out)


def _inputs(roster, agents, rules, contracts, templates):
    """Check the arguments; return (agents, contracts by name, templates by group)."""
    if not isinstance(rules, RosterRules):
        raise v.error("rules", "must be a RosterRules", type(rules).__name__)
    agents = v.sequence("agents", agents, "Agent", empty=True)
    for i, a in enumerate(agents):
        if not isinstance(a, Agent):
            raise v.error(f"agents[{i}]", "must be an Agent", type(a).__name__)
    v.unique("agents.id", [a.id for a in agents])
    contracts = v.sequence("contracts", contracts, "Contract", empty=True)
    for i, c in enumerate(contracts):
        if not isinstance(c, Contract):
            raise v.error(f"contracts[{i}]", "must be a Contract", type(c).__name__)
    v.unique("contracts.name", [c.name for c in contracts])
    by_contract = {c.name: c for c in contracts}
    if rules.contract_hours:
        for a in agents:
            v.known_name(f"agents[{a.id}].contract", a.contract, list(by_contract), "contract")
    if not isinstance(templates, dict):
        raise v.error("templates", "must be a dict of group -> shift templates",
                      type(templates).__name__)
    by_group = {}
    for group, items in templates.items():
        items = v.sequence(f"templates[{group}]", items, "ShiftTemplate", empty=True)
        for i, t in enumerate(items):
            if not isinstance(t, ShiftTemplate):
                raise v.error(f"templates[{group}][{i}]", "must be a ShiftTemplate",
                              type(t).__name__)
        v.unique(f"templates[{group}].name", [t.name for t in items])
        by_group[group] = {t.name: t for t in items}
    if not isinstance(roster, pd.DataFrame):
        raise v.error("roster", "must be a pandas DataFrame", type(roster).__name__)
    missing = [c for c in ROSTER_COLUMNS if c not in roster.columns]
    if missing:
        raise v.error("roster", f"must have the columns {', '.join(ROSTER_COLUMNS)} "
                      f"(missing: {', '.join(missing)})", list(map(str, roster.columns)))
    if len(roster) == 0:
        raise v.error("roster", "must have at least one row (a row per agent and day)", 0)
    return list(agents), by_contract, by_group


def _first(mask):
    """Index of the first True of a boolean array, or None."""
    hits = np.flatnonzero(mask)
    return int(hits[0]) if len(hits) else None


def _read(roster, agents, rules, contracts, templates):
    """The checked table as a :class:`_Table`, with contracts by name and templates by group."""
    agents, by_contract, by_group = _inputs(roster, agents, rules, contracts, templates)
    roster = roster.reset_index(drop=True)
    dates = _times(roster, "date")
    i = _first(dates.isna().to_numpy())
    if i is not None:
        raise v.error(f"roster[{i}].date", "must be a date", roster["date"].iloc[i])
    i = _first((dates != dates.dt.normalize()).to_numpy())
    if i is not None:
        raise v.error(f"roster[{i}].date", "must be a day at midnight", dates.iloc[i])
    first, last = dates.min(), dates.max()
    if first.weekday() != 0:
        raise v.error("roster.date", "must start on a Monday (weeks run Monday to Sunday)",
                      f"{_day(first)} {first.year}")
    n_days = int((last - first) / pd.Timedelta(days=1)) + 1
    if n_days % 7:
        raise v.error("roster.date", "must cover whole weeks, Monday to Sunday (days from the "
                      f"first Monday {first.date()} to {last.date()})", n_days)
    day = ((dates - first) / pd.Timedelta(days=1)).to_numpy().astype(np.int64)
    ids = pd.Index([a.id for a in agents])
    raw_agent = roster["agent"].to_numpy(dtype=object)
    who = ids.get_indexer(raw_agent) if len(ids) else np.full(len(roster), -1)
    ok_type = np.array([isinstance(x, str) for x in raw_agent])
    i = _first((who < 0) | ~ok_type)
    if i is not None:
        raise v.error(f"roster[{i}].agent", "must name one of the agents", raw_agent[i])

    def where(i):
        d = dates.iloc[i]
        return f"(agent {raw_agent[i]!r}, {_day(d)} {d.year})"

    for column, want in (("group", [a.group for a in agents]),
                         ("contract", [a.contract for a in agents])):
        got = roster[column].to_numpy(dtype=object)
        expected = np.array(want, dtype=object)[who]
        i = _first(got != expected)
        if i is not None:
            raise v.error(f"roster[{i}].{column}",
                          f"must be the agent's {column} {expected[i]!r} {where(i)}", got[i])
    key = who * n_days + day
    i = _first(pd.Series(key).duplicated().to_numpy())
    if i is not None:
        raise v.error(f"roster[{i}].date", f"must list each day once per agent "
                      f"(agent {raw_agent[i]!r} has it twice)", f"{dates.iloc[i].date()}")
    seen = np.zeros((len(agents), n_days), dtype=bool)
    seen[who, day] = True
    for k, a in enumerate(agents):
        if not seen[k].any():
            raise v.error("roster.agent", "must have a row per day for every agent (this one "
                          "has none)", a.id)
        if not seen[k].all():
            gone = first + pd.Timedelta(days=int(np.argmin(seen[k])))
            raise v.error("roster.date", f"must list every day of the roster for each agent "
                          f"(agent {a.id!r} has {int(seen[k].sum())} of {n_days} days; the "
                          f"first missing)", f"{gone.date()}")

    shift = _text_cells(roster, "shift", where)
    btext = _text_cells(roster, "breaks", where)
    raw_paid = roster["paid_hours"]
    if raw_paid.dtype.kind in "iuf":
        paid = raw_paid.to_numpy(dtype=float)
        i = _first(~np.isfinite(paid) | (paid < 0))
    else:
        paid, i = np.zeros(len(roster)), None
        for k, x in enumerate(raw_paid.tolist()):
            try:
                paid[k] = v.number(f"roster[{k}].paid_hours", x, lo=0)
            except ValueError as exc:
                raise ValueError(f"{exc} {where(k)}") from None
    if i is not None:
        try:
            v.number(f"roster[{i}].paid_hours", raw_paid.iloc[i], lo=0)
        except ValueError as exc:
            raise ValueError(f"{exc} {where(i)}") from None
    starts = _times(roster, "start")
    ends = _times(roster, "end")
    minute = pd.Timedelta(minutes=1)
    s = ((starts - first) / minute).to_numpy(dtype=float)
    e = ((ends - first) / minute).to_numpy(dtype=float)
    work = shift != ""
    off = ~work
    for column, values, shown in (("start", s, starts), ("end", e, ends)):
        i = _first(off & ~np.isnan(values))
        if i is not None:
            raise v.error(f"roster[{i}].{column}", f"must be NaT on a day off {where(i)}",
                          shown.iloc[i])
    i = _first(off & (paid != 0))
    if i is not None:
        raise v.error(f"roster[{i}].paid_hours", f"must be 0 on a day off {where(i)}", paid[i])
    i = _first(off & (btext != ""))
    if i is not None:
        raise v.error(f"roster[{i}].breaks", f"must be empty on a day off {where(i)}", btext[i])
    for column, values in (("start", s), ("end", e)):
        i = _first(work & np.isnan(values))
        if i is not None:
            raise v.error(f"roster[{i}].{column}", f"must be a date-time on a worked day "
                          f"{where(i)}", roster[column].iloc[i])
    with np.errstate(invalid="ignore"):
        i = _first(work & ((s < day * _DAY) | (s >= (day + 1) * _DAY)))
        if i is not None:
            raise v.error(f"roster[{i}].start", f"must be on the row's date {where(i)}",
                          starts.iloc[i])
        i = _first(work & ~(e > s))
    if i is not None:
        raise v.error(f"roster[{i}].end", f"must be after the start {starts.iloc[i]} "
                      f"{where(i)}", ends.iloc[i])

    t = _Table(first, n_days, agents)
    r, d = who[work], day[work]
    t.work[r, d] = True
    t.start[r, d] = s[work]
    t.end[r, d] = e[work]
    t.paid[r, d] = paid[work]
    t.shift[r, d] = shift[work]
    for i in np.flatnonzero(btext != ""):
        t.breaks[(int(who[i]), int(day[i]))] = _parse_breaks(f"roster[{i}].breaks", btext[i])
    return t, by_contract, by_group


# ------------------------------------------------------------------ the rules
#
# Each rule takes the table and returns (agent index, day index, detail) rows;
# weekly arrays are (agents, weeks, 7).


def _weekly(x, t):
    return x.reshape(len(t.agents), t.n_weeks, 7)


def _run_lengths(flags):
    """Length of the run of True ending at each position of the last axis (0 where False)."""
    out = np.zeros(flags.shape, dtype=np.int64)
    run = np.zeros(flags.shape[:-1], dtype=np.int64)
    for k in range(flags.shape[-1]):
        run = np.where(flags[..., k], run + 1, 0)
        out[..., k] = run
    return out


def _days_off(t, rules):
    need = rules.days_off
    off = _weekly(~t.work, t)
    count = off.sum(axis=2)
    # each week with the previous Sunday and the next Monday (worked outside the roster)
    n_a, n_w = off.shape[0], off.shape[1]
    before = np.zeros((n_a, n_w, 1), dtype=bool)
    after = np.zeros((n_a, n_w, 1), dtype=bool)
    before[:, 1:, 0] = off[:, :-1, 6]
    after[:, :-1, 0] = off[:, 1:, 0]
    longest = _run_lengths(np.concatenate([before, off, after], axis=2)).max(axis=2)
    out = []
    for a, w in zip(*np.nonzero(count < need)):
        out.append((a, 7 * w, f"{_plural(int(count[a, w]), 'day')} off in the week of "
                    f"{t.labels[7 * w]} (at least {need})"))
    if rules.consecutive_days_off and need > 0:
        for a, w in zip(*np.nonzero((count >= need) & (longest < need))):
            out.append((a, 7 * w, f"no {need} consecutive days off in the week of "
                        f"{t.labels[7 * w]} (longest run {int(longest[a, w])})"))
    return out


def _max_consecutive(t, rules):
    most = rules.max_consecutive_days
    run = _run_lengths(t.work)
    last = t.work & ~np.concatenate([t.work[:, 1:], np.zeros((len(t.agents), 1), bool)], axis=1)
    out = []
    for a, d in zip(*np.nonzero(last & (run > most))):
        length = int(run[a, d])
        begin = d - length + 1
        out.append((a, begin, f"{length} days worked in a row from {t.labels[begin]} "
                    f"(at most {most})"))
    return out


def _min_rest(t, rules):
    # One shift per day, starting on its day: time order is day order.
    need = rules.min_rest_hours * 60.0
    prev_end = np.full(len(t.agents), np.nan)
    out = []
    for d in range(t.n_days):
        rest = t.start[:, d] - prev_end
        with np.errstate(invalid="ignore"):
            bad = t.work[:, d] & (rest < need - _TOL_MINUTES)
        for a in np.flatnonzero(bad):
            hours = _num(rest[a] / 60)
            if float(hours) >= rules.min_rest_hours:     # short by less than the digits show
                hours = _num(rest[a] / 60, 6)
            out.append((a, d, f"rest {hours} h between the shift ending "
                        f"{t.at(prev_end[a])} and the one starting "
                        f"{t.at(t.start[a, d])} (at least {_num(rules.min_rest_hours, 4)} h)"))
        prev_end = np.where(t.work[:, d], t.end[:, d], prev_end)
    return out


def _start_window(t, rules):
    width = rules.start_window
    tod = _weekly(t.tod, t)
    worked = _weekly(t.work, t).any(axis=2)
    hi = np.where(np.isnan(tod), -np.inf, tod).max(axis=2)
    lo = np.where(np.isnan(tod), np.inf, tod).min(axis=2)
    out = []
    with np.errstate(invalid="ignore"):
        spread = hi - lo
        bad = worked & (spread > width + _TOL_MINUTES)
    for a, w in zip(*np.nonzero(bad)):
        out.append((a, 7 * w, f"starts from {_clock(lo[a, w])} to {_clock(hi[a, w])} in the "
                    f"week of {t.labels[7 * w]} ({_num(spread[a, w])} min, at most {width})"))
    return out


def _weekend_off(t, rules):
    n = rules.weekend_off_every
    week = _weekly(t.work, t)
    off = ~week[:, :, 5] & ~week[:, :, 6]
    out = []
    for w in range(t.n_weeks - n + 1):
        for a in np.flatnonzero(~off[:, w:w + n].any(axis=1)):
            out.append((a, 7 * w, f"no weekend off in the {_plural(n, 'week')} from "
                        f"{t.labels[7 * w]}"))
    return out


def _nights(t):
    """Shifts on site at some moment of NIGHT of some day: [s, e) meets [D + lo, D + hi).

    A shift starting on day D meets D's night when it starts before D + hi (and
    ends after D + lo), and a later night when it ends after D + 1440 + lo.
    """
    lo, hi = NIGHT
    tod = t.tod
    with np.errstate(invalid="ignore"):
        length = t.end - t.start
        return t.work & (((tod < hi) & (tod + length > lo)) | (tod + length > _DAY + lo))


def _max_nights(t, rules):
    most = rules.max_nights
    count = _weekly(_nights(t), t).sum(axis=2)
    return [(a, 7 * w, f"{_plural(int(count[a, w]), 'night shift')} in the week of "
             f"{t.labels[7 * w]} (at most {most})") for a, w in zip(*np.nonzero(count > most))]


def leave_days(agent, monday):
    """Dates of leave in the week from ``monday``: the agent's unavailable dates that
    are not its weekdays off (each counts for the contract as a day worked)."""
    days = [(pd.Timestamp(monday) + pd.Timedelta(days=d)).date() for d in range(7)]
    return sum(1 for d, x in enumerate(days) if x in agent.unavailable
               and d not in agent.days_off)


def contract_bounds(contract, leave):
    """``(days allowed, min hours, max hours)`` of a week with ``leave`` days of leave:
    each day of leave counts as a day worked of ``min_hours / min(days)`` hours."""
    day_hours = contract.min_hours / min(contract.days)
    days = tuple(sorted({max(d - leave, 0) for d in contract.days}))
    return (days, max(contract.min_hours - leave * day_hours, 0.0),
            max(contract.max_hours - leave * day_hours, 0.0))


def _contract(t, by_contract):
    cs = [by_contract[a.contract] for a in t.agents]
    n_a = len(cs)
    lo = np.zeros((n_a, t.n_weeks))
    hi = np.zeros((n_a, t.n_weeks))
    allowed = np.zeros((n_a, t.n_weeks, 8), dtype=bool)
    for a, (ag, c) in enumerate(zip(t.agents, cs)):
        for w in range(t.n_weeks):
            ok, lo[a, w], hi[a, w] = contract_bounds(
                c, leave_days(ag, t.first + pd.Timedelta(days=7 * w)))
            allowed[a, w, list(ok)] = True
    found_avg = []
    hours = _weekly(t.paid, t).sum(axis=2)
    days = _weekly(t.work, t).sum(axis=2)
    for a, (ag, c) in enumerate(zip(t.agents, cs)):
        if c.average_hours is None:
            continue
        credit = sum(leave_days(ag, t.first + pd.Timedelta(days=7 * w))
                     for w in range(t.n_weeks)) * c.min_hours / min(c.days)
        mean = (hours[a].sum() + credit) / t.n_weeks
        if not c.average_hours[0] - _TOL_HOURS <= mean <= c.average_hours[1] + _TOL_HOURS:
            found_avg.append((a, 0, f"{_num(mean, 4)} paid hours a week on average over "
                              f"{_plural(t.n_weeks, 'week')} (contract {c.name!r}: "
                              f"{_num(c.average_hours[0], 4)} to "
                              f"{_num(c.average_hours[1], 4)})"))
    bad_hours = (hours < lo - _TOL_HOURS) | (hours > hi + _TOL_HOURS)
    bad_days = ~np.take_along_axis(allowed, days[..., None], axis=2)[..., 0]
    out = []
    for a, w in zip(*np.nonzero(bad_hours | bad_days)):
        c = cs[a]
        if bad_hours[a, w]:
            out.append((a, 7 * w, f"{_num(hours[a, w], 4)} paid hours in the week of "
                        f"{t.labels[7 * w]} (contract {c.name!r}: {_num(lo[a, w], 4)} to "
                        f"{_num(hi[a, w], 4)})"))
        if bad_days[a, w]:
            ok = [str(k) for k in range(8) if allowed[a, w, k]]
            out.append((a, 7 * w, f"{_plural(int(days[a, w]), 'day')} worked in the week of "
                        f"{t.labels[7 * w]} (contract {c.name!r}: {' or '.join(ok)})"))
    out += found_avg
    for a, c in enumerate(cs):
        if c.shifts:
            for d in np.flatnonzero(t.work[a]):
                if t.shift[a, d] not in c.shifts:
                    out.append((a, d, f"shift {t.shift[a, d]!r} on {t.labels[d]} is not one "
                                f"of contract {c.name!r} ({', '.join(c.shifts)})"))
    return out


def _availability(t):
    n = len(t.agents)
    weekday_off = np.zeros((n, 7), dtype=bool)
    gone = np.zeros((n, t.n_days), dtype=bool)
    for a, ag in enumerate(t.agents):
        weekday_off[a, list(ag.days_off)] = True
        for x in ag.unavailable:
            d = (pd.Timestamp(x) - t.first).days
            if 0 <= d < t.n_days:
                gone[a, d] = True
    on_day_off = t.work & np.tile(weekday_off, t.n_weeks)
    on_leave = t.work & gone
    frm = np.array([ag.available_from for ag in t.agents], dtype=float)[:, None]
    until = np.array([ag.available_until for ag in t.agents], dtype=float)[:, None]
    tod = t.tod
    with np.errstate(invalid="ignore"):
        end = tod + (t.end - t.start)
        early = t.work & (tod < frm - _TOL_MINUTES)
        late = t.work & (end > until + _TOL_MINUTES)
    out = []
    for a, d in zip(*np.nonzero(on_day_off | on_leave | early | late)):
        ag = t.agents[a]
        why = []
        if on_day_off[a, d]:
            why.append(f"a weekday off ({_WEEKDAY[d % 7]})")
        if on_leave[a, d]:
            why.append("a date unavailable")
        if early[a, d]:
            why.append(f"starts {_clock(tod[a, d])}, before {_clock(ag.available_from)}")
        if late[a, d]:
            why.append(f"ends {_clock(end[a, d])}{' the next day' if end[a, d] > _DAY else ''}, "
                       f"after {_clock(ag.available_until)}"
                       f"{' the next day' if ag.available_until > _DAY else ''}")
        out.append((a, d, f"shift {t.shift[a, d]!r} on {t.labels[d]}: " + "; ".join(why)))
    return out


def _fixed_break_problems(tm, s, length, breaks):
    """What is wrong with the breaks listed for a shift of a template without windows.

    Listing them is optional; when listed they are the template's fixed
    breaks (``unpaid_break`` and ``paid_breaks``): as many, of their lengths,
    inside the shift, not overlapping, and at ``break_offset`` and
    ``paid_break_offsets`` when the template fixes them (otherwise the
    schedule places them on its interval grid, which the roster does not
    give).
    """
    fixed = ([(tm.unpaid_break, tm.break_offset)] if tm.unpaid_break else []) + [
        (m, None if tm.paid_break_offsets is None else tm.paid_break_offsets[k])
        for k, m in enumerate(tm.paid_breaks)]
    if not fixed:
        return [f"{_plural(len(breaks), 'break')} listed, its template has none"]
    if len(breaks) != len(fixed):
        return [f"{_plural(len(breaks), 'break')} listed, not {len(fixed)}"]
    listed = sorted(((b - s) % _DAY, (e - b) % _DAY) for b, e in breaks)
    why = []
    got, want = sorted(m for _, m in listed), sorted(m for m, _ in fixed)
    if got != want:
        why.append(f"breaks of {', '.join(_num(m) for m in got)} min, not "
                   f"{', '.join(map(str, want))}")
    for k, (o, m) in enumerate(listed):
        if o + m > length + _TOL_MINUTES:
            why.append(f"a break {_clock(s + o)}-{_clock(s + o + m)} ends after the shift")
        if k and listed[k - 1][0] + listed[k - 1][1] > o:
            why.append(f"breaks overlap at {_clock(s + o)}")
    for m, o in fixed:
        if o is not None and (o, m) not in listed:
            why.append(f"no {m} min break at {_clock(s + o)} ({o} min after the start)")
    return why


def _template_problems(t, a, d, tm):
    """What is wrong with the shift of agent ``a`` on day ``d`` against its template ``tm``."""
    s = t.tod[a, d]
    length = t.end[a, d] - t.start[a, d]
    why = []
    if s not in tm.starts:
        why.append(f"starts {_clock(s)}, not one of its start times")
    if d % 7 not in tm.days:
        why.append(f"starts on a {_WEEKDAY[d % 7]}, not one of its days "
                   f"({', '.join(_WEEKDAY[k] for k in tm.days)})")
    if abs(length - tm.length) > _TOL_MINUTES:
        why.append(f"lasts {_num(length)} min, not {tm.length}")
    if abs(t.paid[a, d] - tm.paid_hours) > _TOL_HOURS:
        why.append(f"{_num(t.paid[a, d], 4)} paid hours, not {_num(tm.paid_hours, 4)}")
    breaks = t.breaks.get((a, d), ())
    if not tm.breaks:
        if breaks:
            why += _fixed_break_problems(tm, s, length, breaks)
    elif len(breaks) != len(tm.breaks):
        why.append(f"{_plural(len(breaks), 'break')} listed, not {len(tm.breaks)}")
    else:
        for k, ((b, e), w) in enumerate(zip(breaks, tm.breaks)):
            offset = (b - s) % _DAY
            blen = (e - b) % _DAY
            item = f"break {k + 1} ({_clock(b)}-{_clock(e)})"
            if blen != w.length:
                why.append(f"{item} lasts {_num(blen)} min, not {w.length}")
            if not w.earliest <= offset <= w.latest:
                why.append(f"{item} starts {_num(offset)} min after the shift start, not "
                           f"{w.earliest} to {w.latest}")
            elif w.step and (offset - w.earliest) % w.step:
                why.append(f"{item} starts {_num(offset)} min after the shift start, not "
                           f"{w.earliest} + a multiple of {w.step}")
    return why


def _templates(t, by_group):
    out = []
    # Cells are checked one by one, but each distinct (template, start, length,
    # paid, breaks, weekday) combination only once.
    memo = {}
    tod = t.tod
    length = t.end - t.start
    for a, d in zip(*np.nonzero(t.work)):
        ag = t.agents[a]
        name = t.shift[a, d]
        tm = by_group.get(ag.group, {}).get(name)
        head = f"shift {name!r} on {t.labels[d]}: "
        if tm is None:
            out.append((a, d, head + f"not a template of group {ag.group!r}"))
            continue
        key = (ag.group, name, tod[a, d], length[a, d], t.paid[a, d],
               t.breaks.get((a, d), ()), d % 7)
        why = memo.get(key)
        if why is None:
            why = memo[key] = _template_problems(t, a, d, tm)
        if why:
            out.append((a, d, head + "; ".join(why)))
    return out


def check_roster(roster, agents, rules, contracts, templates):
    """Every violation of the work rules in a roster, one row each.

    Parameters
    ----------
    roster : pandas.DataFrame
        One row per agent and day, columns :data:`ROSTER_COLUMNS`: ``agent``
        (id), ``group``, ``contract``, ``date`` (midnight), ``shift`` (the
        template's name, ``""`` on a day off; an empty CSV cell read as NaN
        is a day off too), ``start`` and ``end`` (date-times, NaT on a day
        off; ``end`` may be the next day), ``paid_hours`` (hours, 0 on a
        day off), ``breaks`` (``"HH:MM-HH:MM"`` clock times joined by
        ``"; "``, in order; ``""`` for none).  Whole weeks from a Monday;
        every agent of ``agents`` has a row for every day.
    agents : sequence of Agent
    rules : RosterRules
        A rule that is off (``None``) is not checked; ``templates`` always is.
    contracts : sequence of Contract
        The agents' contracts (needed when ``rules.contract_hours`` is on).
    templates : dict
        Group -> sequence of the :class:`~ccwfm.plan.shifts.ShiftTemplate`
        its agents may work.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`VIOLATION_COLUMNS`: ``rule`` (one of :data:`RULES`),
        ``agent``, ``date`` (the day, or the Monday of the week or the first
        week of the window, the violation is about) and ``detail`` (in words,
        with the numbers).  Rows in :data:`RULES` order, then the agents'
        order, then date.  No rows: no violation.

    Raises
    ------
    ValueError
        For a malformed table or arguments, naming the column (``roster[3].start``),
        the rule and the value.

    Examples
    --------
    Six 8-hour day shifts in a week leave one day off, where two are due:

    >>> import pandas as pd
    >>> from ccwfm.plan.roster_input import Agent, Contract, RosterRules
    >>> from ccwfm.plan.roster_rules import check_roster
    >>> from ccwfm.plan.shifts import ShiftTemplate
    >>> day = ShiftTemplate("day", 480, starts=("08:00",))
    >>> rows = [{"agent": "a1", "group": "voice", "contract": "full", "date": d,
    ...          "shift": "day" if i < 6 else "",
    ...          "start": d + pd.Timedelta(hours=8) if i < 6 else pd.NaT,
    ...          "end": d + pd.Timedelta(hours=16) if i < 6 else pd.NaT,
    ...          "paid_hours": 8.0 if i < 6 else 0.0, "breaks": ""}
    ...         for i, d in enumerate(pd.date_range("2025-09-01", periods=7))]
    >>> found = check_roster(pd.DataFrame(rows), [Agent("a1", "voice", "full")], RosterRules(),
    ...                      [Contract("full", 32, 48, days=(5, 6))], {"voice": [day]})
    >>> found[["rule", "detail"]].values.tolist()
    [['days_off', '1 day off in the week of Mon 01 Sep (at least 2)']]
    """
    t, by_contract, by_group = _read(roster, agents, rules, contracts, templates)
    checks = {"days_off": lambda: _days_off(t, rules),
              "max_consecutive_days": lambda: _max_consecutive(t, rules),
              "min_rest_hours": lambda: _min_rest(t, rules),
              "start_window": lambda: _start_window(t, rules),
              "weekend_off_every": lambda: _weekend_off(t, rules),
              "max_nights": lambda: _max_nights(t, rules),
              "contract_hours": lambda: _contract(t, by_contract),
              "availability": lambda: _availability(t),
              "templates": lambda: _templates(t, by_group)}
    # a rule is on when its value is set (0 nights is a rule) or true; the templates always
    found = {r: checks[r]() if r == "templates" or (getattr(rules, r) is not None
                                                    and getattr(rules, r) is not False)
             else [] for r in RULES}
    rule, agent, day, detail = [], [], [], []
    for name in RULES:
        rows = sorted(found[name], key=lambda x: (int(x[0]), int(x[1])))   # stable
        rule += [name] * len(rows)
        agent += [t.agents[int(a)].id for a, _, _ in rows]
        day += [int(d) for _, d, _ in rows]
        detail += [x for _, _, x in rows]
    out = pd.DataFrame({"rule": pd.Series(rule, dtype=object),
                        "agent": pd.Series(agent, dtype=object),
                        "date": t.first + pd.to_timedelta(np.array(day, dtype=np.int64),
                                                          unit="D"),
                        "detail": pd.Series(detail, dtype=object)},
                       columns=list(VIOLATION_COLUMNS))
    return out


def rule_report(violations, rules):
    """One row per rule: on or off, in words, how many violations, the first one.

    Parameters
    ----------
    violations : pandas.DataFrame
        :func:`check_roster`'s table (at least ``rule`` and ``detail``).
    rules : RosterRules

    Returns
    -------
    pandas.DataFrame
        Columns ``rule``, ``on`` (bool), ``text`` (the rule in words),
        ``violations`` (count) and ``example`` (the first violation's
        detail, ``""`` for none): every rule of
        :meth:`RosterRules.describe` and then ``templates``, so that the
        report names every rule, with 0 or its violations.

    Examples
    --------
    >>> import pandas as pd
    >>> from ccwfm.plan.roster_input import RosterRules
    >>> from ccwfm.plan.roster_rules import rule_report
    >>> found = pd.DataFrame({"rule": ["days_off"], "agent": ["a1"],
    ...                       "date": [pd.Timestamp("2025-09-01")],
    ...                       "detail": ["1 day off in the week of Mon 01 Sep (at least 2)"]})
    >>> report = rule_report(found, RosterRules())
    >>> report[["rule", "on", "violations"]].head(2).values.tolist()
    [['days_off', True, 1], ['max_consecutive_days', True, 0]]
    >>> report["rule"].tolist()[-1], len(report)
    ('templates', 9)
    """
    if not isinstance(rules, RosterRules):
        raise v.error("rules", "must be a RosterRules", type(rules).__name__)
    if not isinstance(violations, pd.DataFrame):
        raise v.error("violations", "must be a pandas DataFrame", type(violations).__name__)
    for c in ("rule", "detail"):
        if c not in violations.columns:
            raise v.error("violations", f"must have a column {c!r}",
                          list(map(str, violations.columns)))
    described = list(rules.describe()) + [("templates", True, TEMPLATES_TEXT)]
    names = [name for name, _, _ in described]
    unknown = sorted(set(violations["rule"]) - set(names), key=str)
    if unknown:
        raise v.error("violations.rule", f"must be one of {', '.join(names)}", unknown[0])
    rows = []
    for name, on, text in described:
        mine = violations.loc[violations["rule"] == name, "detail"]
        rows.append({"rule": name, "on": bool(on), "text": text, "violations": int(len(mine)),
                     "example": str(mine.iloc[0]) if len(mine) else ""})
    return pd.DataFrame(rows, columns=["rule", "on", "text", "violations", "example"])
