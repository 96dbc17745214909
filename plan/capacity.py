"""Weekly capacity plan: required FTE against headcount under attrition and hiring.

The plan finance and planners read: week by week, the FTE the work needs, the
agents on staff after attrition and hiring classes, how many of them are in
training or still ramping up, the productive FTE they give, the gap, and what
it costs.  :func:`hires_needed` proposes the hiring classes that close the
gaps, and when their training must start.

The week model
--------------
A week is identified by its Monday (midnight).  ``required_fte`` is a pandas
Series indexed by consecutive Mondays.  A date that is not a Monday (e.g. a
class starting on a Wednesday) belongs to the week that contains it: the
Monday on or before it.

Headcount is counted in FTE and is followed in cohorts: the starting
``headcount`` (experienced agents, fully productive) and one cohort per
hiring class.  Each week, in this order:

1. ``headcount_start``: everybody on staff at the start of the week.
2. ``attrition``: every cohort loses the expected share ``h`` of its
   start-of-week headcount, where ``h = 1 - (1 - a) ** (1 / 52)`` is the
   weekly hazard of the annual rate ``a``; a cohort in one of its training
   weeks uses ``training_attrition`` instead of ``attrition``.  Values are
   expected values, hence fractional.
3. ``joining``: classes whose start falls in this week join, and are not hit
   by attrition this week.  Their training weeks are this week and the
   ``training_weeks - 1`` following ones; then ramp week ``k`` (``k = 0, 1,
   ...``) has productivity ``ramp[k]``; then 1.0.
4. The week is staffed and paid by the headcount after these events,
   ``headcount_end = headcount_start - attrition + joining`` (leavers are
   counted as gone for the whole week: conservative for capacity).  It splits
   into ``in_training`` (paid, not productive), ``ramping`` and
   ``experienced``; ``productive_fte = experienced + sum(ramp[k] * ramping
   cohort)``.  ``headcount_end`` of a week is ``headcount_start`` of the next.

Cost: ``wage_cost = headcount_end * fte_hours * hourly_cost``;
``hiring_cost`` is ``size * cost_per_hire`` of the classes joining that week.

A class that started before the first week is already on the way: it is
followed from its own start (its attrition before the first week included,
but not reported), enters the first week with its expected survivors in
``headcount_start``, and its hiring cost is not charged (spent before the
plan).  ``headcount`` must not include it.  A class starting after the last
week has no effect.

Examples
--------
>>> weeks = pd.date_range("2025-01-06", periods=6, freq="W-MON")
>>> required = pd.Series(100.0, index=weeks)
>>> inputs = CapacityInputs(headcount=100, attrition=0.0, hourly_cost=20.0,
...     classes=(HiringClass("2025-01-13", 10, training_weeks=2, ramp=(0.5,)),))
>>> plan = capacity_plan(required, inputs)
>>> plan[["joining", "in_training", "ramping", "productive_fte", "gap"]]
   joining  in_training  ramping  productive_fte   gap
0      0.0          0.0      0.0           100.0   0.0
1     10.0         10.0      0.0           100.0   0.0
2      0.0         10.0      0.0           100.0   0.0
3      0.0          0.0     10.0           105.0   5.0
4      0.0          0.0      0.0           110.0  10.0
5      0.0          0.0      0.0           110.0  10.0
"""

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ccwfm._limits import at_most
from ccwfm._validation import date as _plain_date
from ccwfm._validation import error as _err
from ccwfm._validation import known_keys, number, whole
from ccwfm._validation import timestamp as _date

__all__ = [
    "CapacityInputs",
    "CapacityResult",
    "HiringClass",
    "HiringProposal",
    "capacity_plan",
    "hires_needed",
    "plan_capacity",
    "weekly_hazard",
]

COLUMNS = ("week", "required_fte", "headcount_start", "attrition", "joining",
           "headcount_end", "in_training", "ramping", "experienced", "productive_fte",
           "gap", "wage_cost", "hiring_cost", "total_cost", "cum_attrition",
           "cum_joining", "cum_wage_cost", "cum_hiring_cost", "cum_total_cost")

_REL_TOL = 1e-9


# --------------------------------------------------------------------------- checks

def _number(name, value, **bounds):
    """``value`` as a finite number within the bounds (ints stay ints)."""
    return number(name, value, keep_int=True, **bounds)


def _whole(name, value, lo=0):
    return whole(name, value, lo=lo)


def _monday(ts):
    """The Monday on or before ``ts`` (a midnight Timestamp)."""
    return ts - pd.Timedelta(days=ts.day_of_week)


def weekly_hazard(annual, name="attrition"):
    """Weekly hazard ``1 - (1 - annual) ** (1 / 52)`` of an annual attrition rate.

    Losing this share of the agents on staff every week for 52 weeks loses
    the share ``annual`` over the year.

    Parameters
    ----------
    annual : float
        Annual attrition rate, >= 0 and < 1 (e.g. 0.35).
    name : str
        Name used in the error message.

    Returns
    -------
    float

    Examples
    --------
    >>> h = weekly_hazard(0.35)
    >>> round(h, 6), round(1 - (1 - h) ** 52, 12)
    (0.00825, 0.35)
    """
    a = _number(name, annual, lo=0.0, hi=1.0, hi_open=True)
    return 1.0 - (1.0 - a) ** (1.0 / 52.0)


# --------------------------------------------------------------------------- inputs

@dataclass(frozen=True)
class HiringClass:
    """A class of new hires: training, then a productivity ramp, then full productivity.

    Attributes
    ----------
    start : date-like
        Day training starts (str, ``datetime.date``, ``pandas.Timestamp``...),
        stored as a midnight ``pandas.Timestamp``.  The class belongs to the
        week containing it, :attr:`week` (its Monday).
    size : float
        Hires (FTE), >= 0; fractional sizes are allowed here.
    training_weeks : int
        Weeks of training, >= 0: on staff, paid, not productive.  The week
        the class joins is its first training week.
    ramp : tuple of float
        Productivity in the k-th week after training, each > 0 and <= 1
        (a week at 0 is a training week: use ``training_weeks``); 1.0
        afterwards.  May be empty.
    cost_per_hire : float or None
        One-off cost per hire (recruiting, onboarding), charged in the week
        the class joins; ``None`` for the plan's
        :attr:`CapacityInputs.cost_per_hire`.
    name : str or None
        Label for reports.

    Examples
    --------
    >>> c = HiringClass("2025-03-05", 12, training_weeks=3, ramp=(0.5, 0.8))
    >>> c.week.date(), [c.productivity(age) for age in range(7)]
    (datetime.date(2025, 3, 3), [0.0, 0.0, 0.0, 0.5, 0.8, 1.0, 1.0])
    >>> HiringClass("2025-03-03", -1)
    Traceback (most recent call last):
    ...
    ValueError: 'size' must be >= 0: -1
    """

    start: object
    size: float
    training_weeks: int = 4
    ramp: tuple = (0.5, 0.75, 0.9)
    cost_per_hire: float = 0.0
    name: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "start", _date("start", self.start))
        object.__setattr__(self, "size", at_most("size", _number("size", self.size, lo=0.0),
                                                 "agents"))
        weeks = _whole("training_weeks", self.training_weeks, lo=0)
        at_most("training_weeks", self.training_weeks, "weeks")
        object.__setattr__(self, "training_weeks", weeks)
        ramp = self.ramp
        if isinstance(ramp, (str, bytes, dict)) or not hasattr(ramp, "__iter__"):
            raise _err("ramp", "must be a sequence of numbers", ramp)
        object.__setattr__(self, "ramp", tuple(
            float(_number(f"ramp[{k}]", r, lo=0.0, lo_open=True, hi=1.0))
            for k, r in enumerate(ramp)))
        if self.cost_per_hire is not None:
            object.__setattr__(self, "cost_per_hire", at_most(
                "cost_per_hire", _number("cost_per_hire", self.cost_per_hire, lo=0.0), "money"))
        if self.name is not None and not isinstance(self.name, str):
            raise _err("name", "must be a string or None", self.name)

    @classmethod
    def from_dict(cls, d, path="hiring"):
        """A class from its scenario-file form: ``start`` (a date), ``size`` (whole
        hires >= 1), ``training_weeks``, ``ramp``, ``cost_per_hire`` (``None``
        when not given: the plan's), ``name``; errors name ``path``.

        Examples
        --------
        >>> HiringClass.from_dict({"start": "2025-09-08", "size": 8}).cost_per_hire is None
        True
        """
        known_keys(path, d, ["start", "size", "training_weeks", "ramp", "cost_per_hire", "name"])
        start = _plain_date(f"{path}.start", d.get("start"))
        size = whole(f"{path}.size", d.get("size"), lo=1)
        try:
            return cls(start, size, training_weeks=d.get("training_weeks", 4),
                       ramp=d.get("ramp", (0.5, 0.75, 0.9)),
                       cost_per_hire=d.get("cost_per_hire"), name=d.get("name"))
        except ValueError as exc:
            msg = str(exc)
            raise ValueError(f"'{path}." + msg[1:] if msg.startswith("'") else msg) from None

    def to_dict(self):
        """The scenario-file form :meth:`from_dict` reads back into an equal class."""
        out = {"start": self.start.date(), "size": self.size,
               "training_weeks": self.training_weeks, "ramp": list(self.ramp)}
        if self.cost_per_hire is not None:
            out["cost_per_hire"] = self.cost_per_hire
        if self.name is not None:
            out["name"] = self.name
        return out

    @property
    def week(self):
        """Monday of the week the class joins (``pandas.Timestamp``)."""
        return _monday(self.start)

    def productivity(self, age):
        """Productivity of a hire in the class's week number ``age`` (0 = joining week)."""
        return float(_weights(self.training_weeks, self.ramp, np.array([age]))[0])


@dataclass(frozen=True)
class CapacityInputs:
    """Starting headcount, attrition, pay and hiring classes of a capacity plan.

    Attributes
    ----------
    headcount : float
        Experienced (fully productive) agents on staff at the start of the
        first week, in FTE, >= 0.  Excludes classes listed in ``classes``
        that started before the first week.
    attrition : float
        Annual attrition rate, >= 0 and < 1 (e.g. 0.35), applied as the
        weekly hazard :func:`weekly_hazard` to every agent on staff outside
        training, each week, in expected values.
    fte_hours : float
        Weekly paid hours of one FTE, > 0.
    hourly_cost : float
        Loaded wage cost per paid hour, >= 0.
    training_attrition : float
        Annual attrition rate, >= 0 and < 1, applied instead of
        ``attrition`` to agents in a training week (after their joining
        week).  The default 0.0 means trainees do not leave; pass
        ``training_attrition=attrition`` for the same rate.  A wash-out of a
        share ``w`` over ``T`` training weeks is the annual rate
        ``1 - (1 - w) ** (52 / (T - 1))`` (no attrition in the joining week).
    classes : tuple of HiringClass
        Hiring classes already decided (any iterable; stored as a tuple).
    cost_per_hire : float
        Cost per hire of the classes that give none (``cost_per_hire=None``).

    Examples
    --------
    >>> CapacityInputs(headcount=120, attrition=0.35).fte_hours
    37.5
    >>> CapacityInputs(headcount=120, attrition=1.2)
    Traceback (most recent call last):
    ...
    ValueError: 'attrition' must be >= 0 and < 1: 1.2
    """

    headcount: float
    attrition: float
    fte_hours: float = 37.5
    hourly_cost: float = 0.0
    training_attrition: float = 0.0
    classes: tuple = ()
    cost_per_hire: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "headcount", _number("headcount", self.headcount, lo=0.0))
        for name in ("attrition", "training_attrition"):
            object.__setattr__(self, name, _number(name, getattr(self, name),
                                                   lo=0.0, hi=1.0, hi_open=True))
        object.__setattr__(self, "fte_hours",
                           _number("fte_hours", self.fte_hours, lo=0.0, lo_open=True))
        object.__setattr__(self, "hourly_cost", _number("hourly_cost", self.hourly_cost, lo=0.0))
        classes = self.classes
        if isinstance(classes, (str, bytes, HiringClass)) or not hasattr(classes, "__iter__"):
            raise _err("classes", "must be a sequence of HiringClass", classes)
        classes = tuple(classes)
        for i, c in enumerate(classes):
            if not isinstance(c, HiringClass):
                raise _err(f"classes[{i}]", "must be a HiringClass", c)
        object.__setattr__(self, "classes", classes)
        object.__setattr__(self, "cost_per_hire",
                           _number("cost_per_hire", self.cost_per_hire, lo=0.0))


class HiringProposal(list):
    """The hiring classes proposed by :func:`hires_needed`, sorted by start.

    A ``list`` of :class:`HiringClass` with two attributes.

    Attributes
    ----------
    unfixable : pandas.Series
        Weeks still short after the proposed classes, because no class
        allowed to start in the plan could be productive by then (the
        training lead time from the first week, or ``class_week``), with
        the FTE missing to ``required_fte + buffer``.  Empty when none.
    first_fixable : pandas.Timestamp or None
        First week a class starting in an allowed week of the plan can be
        productive in (every later week is too); ``None`` when no week is.
    """

    def __init__(self, classes=(), unfixable=None, first_fixable=None):
        super().__init__(classes)
        if unfixable is None:
            unfixable = pd.Series([], index=pd.DatetimeIndex([], name="week"),
                                  dtype=float, name="shortfall")
        self.unfixable = unfixable
        self.first_fixable = first_fixable

    def __repr__(self):
        return (f"HiringProposal({list.__repr__(self)}, unfixable={list(self.unfixable.index)!r}, "
                f"first_fixable={self.first_fixable!r})")


# --------------------------------------------------------------------------- the model

def _weeks(required_fte):
    """Validated (DatetimeIndex of Mondays, float values) of ``required_fte``."""
    if not isinstance(required_fte, pd.Series):
        raise _err("required_fte", "must be a pandas Series indexed by week start dates",
                   type(required_fte).__name__)
    if len(required_fte) == 0:
        raise ValueError("'required_fte' must not be empty: 0 weeks")
    try:
        idx = pd.DatetimeIndex(required_fte.index)
    except (TypeError, ValueError):
        raise _err("required_fte", "index must be week start dates",
                   required_fte.index[0]) from None
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    ns = idx.as_unit("ns").asi8
    bad = np.flatnonzero(idx.isna() | (idx.day_of_week != 0) | (ns % (86_400 * 10**9) != 0))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"'required_fte' index must be Mondays at midnight: "
                         f"{idx[i]!r} (position {i})")
    steps = np.flatnonzero(np.diff(ns) != 7 * 86_400 * 10**9)
    if steps.size:
        i = int(steps[0]) + 1
        raise ValueError(f"'required_fte' index must be consecutive weeks: "
                         f"{idx[i]!r} follows {idx[i - 1]!r} (position {i})")
    try:
        values = required_fte.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        raise _err("required_fte", "must hold numbers", required_fte.iloc[0]) from None
    for i, v in enumerate(values):
        if not (math.isfinite(v) and v >= 0):
            rule = ("must not be NaN" if math.isnan(v)
                    else "must be finite" if math.isinf(v) else "must be >= 0")
            raise ValueError(f"'required_fte' {rule}: {float(v)!r} (week {idx[i].date()})")
    return pd.DatetimeIndex(idx.values, name="week"), values


def _weights(training_weeks, ramp, ages):
    """Productivity of a hire by age in weeks (0 = joining week)."""
    k = ages - training_weeks
    w = np.where(k < 0, 0.0, 1.0)
    if ramp:
        in_ramp = (k >= 0) & (k < len(ramp))
        w[in_ramp] = np.asarray(ramp)[k[in_ramp]]
    return w


def _survivors(n_ages, training_weeks, h, h_tr):
    """End-of-week headcount of a class of one hire, by age 0..n_ages-1."""
    ages = np.arange(n_ages)
    factor = np.where(ages < training_weeks, 1.0 - h_tr, 1.0 - h)
    factor[0] = 1.0  # joins after the week's attrition
    return np.cumprod(factor)


def _offset(ts, first):
    """Week index of the week containing ``ts``, counted from Monday ``first``."""
    return (_monday(ts) - first).days // 7


def capacity_plan(required_fte, inputs):
    """Weekly capacity plan: required FTE against productive FTE, with cost.

    The order of events within a week, the cohorts and the costs are
    described in the module docstring (:mod:`plan.capacity`).

    Parameters
    ----------
    required_fte : pandas.Series
        FTE required per week, >= 0, indexed by consecutive Mondays (e.g.
        scheduled agent-hours of the week divided by ``fte_hours``).
    inputs : CapacityInputs
        Starting headcount, attrition, pay and hiring classes.

    Returns
    -------
    pandas.DataFrame
        One row per week, columns:

        - ``week``: Monday of the week;
        - ``required_fte``;
        - ``headcount_start``: on staff at the start of the week;
        - ``attrition``: agents lost this week (expected);
        - ``joining``: hires entering training this week;
        - ``headcount_end``: ``headcount_start - attrition + joining``, the
          week's paid headcount, ``= in_training + ramping + experienced``;
        - ``in_training``, ``ramping`` (in a ramp week), ``experienced``
          (fully productive);
        - ``productive_fte``: ``experienced`` plus each ramping cohort
          weighted by its ramp productivity;
        - ``gap``: ``productive_fte - required_fte`` (negative = short);
        - ``wage_cost``, ``hiring_cost``, ``total_cost``;
        - ``cum_attrition``, ``cum_joining``, ``cum_wage_cost``,
          ``cum_hiring_cost``, ``cum_total_cost``: running totals from the
          first week.

    Raises
    ------
    ValueError
        Naming the argument, the rule and the offending value.

    Examples
    --------
    >>> weeks = pd.date_range("2025-01-06", periods=52, freq="W-MON")
    >>> inputs = CapacityInputs(headcount=100, attrition=0.35, hourly_cost=20.0)
    >>> plan = capacity_plan(pd.Series(90.0, index=weeks), inputs)
    >>> end = plan.iloc[-1]  # a year of 35% attrition
    >>> float(round(end["headcount_end"], 6)), float(round(end["cum_attrition"], 6))
    (65.0, 35.0)
    >>> plan["week"].iloc[plan["gap"].lt(0).argmax()].date()  # first short week
    datetime.date(2025, 3, 31)
    """
    idx, req = _weeks(required_fte)
    if not isinstance(inputs, CapacityInputs):
        raise _err("inputs", "must be a CapacityInputs", inputs)
    n = len(idx)
    h = weekly_hazard(inputs.attrition)
    h_tr = weekly_hazard(inputs.training_attrition, "training_attrition")

    survival = (1.0 - h) ** np.arange(n + 1)
    start = inputs.headcount * survival[:-1]
    end = inputs.headcount * survival[1:]
    hc_start, attrition, experienced = start.copy(), start - end, end.copy()
    joining, in_training, ramping = np.zeros(n), np.zeros(n), np.zeros(n)
    productive, hiring_cost = end.copy(), np.zeros(n)

    for c in inputs.classes:
        s = _offset(c.start, idx[0])
        if s >= n or c.size == 0:
            continue
        ages = np.arange(max(s, 0), n) - s          # ages in the plan's weeks
        alive = c.size * _survivors(n - s, c.training_weeks, h, h_tr)
        c_end = alive[ages]
        c_start = np.where(ages > 0, alive[np.maximum(ages - 1, 0)], 0.0)
        weight = _weights(c.training_weeks, c.ramp, ages)
        rows = slice(max(s, 0), n)
        hc_start[rows] += c_start
        attrition[rows] += np.where(ages > 0, c_start - c_end, 0.0)
        in_training[rows] += np.where(ages < c.training_weeks, c_end, 0.0)
        ramping[rows] += np.where((ages >= c.training_weeks)
                                  & (ages < c.training_weeks + len(c.ramp)), c_end, 0.0)
        experienced[rows] += np.where(ages >= c.training_weeks + len(c.ramp), c_end, 0.0)
        productive[rows] += weight * c_end
        if s >= 0:
            joining[s] += c.size
            hiring_cost[s] += c.size * (inputs.cost_per_hire if c.cost_per_hire is None
                                        else c.cost_per_hire)

    headcount_end = hc_start - attrition + joining
    wage_cost = headcount_end * inputs.fte_hours * inputs.hourly_cost
    total_cost = wage_cost + hiring_cost
    return pd.DataFrame({
        "week": idx,
        "required_fte": req,
        "headcount_start": hc_start,
        "attrition": attrition,
        "joining": joining,
        "headcount_end": headcount_end,
        "in_training": in_training,
        "ramping": ramping,
        "experienced": experienced,
        "productive_fte": productive,
        "gap": productive - req,
        "wage_cost": wage_cost,
        "hiring_cost": hiring_cost,
        "total_cost": total_cost,
        "cum_attrition": np.cumsum(attrition),
        "cum_joining": np.cumsum(joining),
        "cum_wage_cost": np.cumsum(wage_cost),
        "cum_hiring_cost": np.cumsum(hiring_cost),
        "cum_total_cost": np.cumsum(total_cost),
    }, columns=list(COLUMNS))


# --------------------------------------------------------------------------- hiring

def _allowed_starts(class_week, idx):
    """Boolean mask of the plan's weeks a new class may start in."""
    n = len(idx)
    if class_week is None:
        return np.ones(n, dtype=bool)
    if isinstance(class_week, (bool, int, float, np.number)):
        k = _whole("class_week", class_week, lo=1)
        return np.arange(n) % k == 0
    if isinstance(class_week, (str, bytes)) or not hasattr(class_week, "__iter__"):
        raise _err("class_week", "must be None, a whole number >= 1 or a collection of dates",
                   class_week)
    mask = np.zeros(n, dtype=bool)
    for i, d in enumerate(class_week):
        s = _offset(_date(f"class_week[{i}]", d), idx[0])
        if 0 <= s < n:
            mask[s] = True
    return mask


def _tol(target):
    return _REL_TOL * np.maximum(1.0, np.abs(target))


def hires_needed(required_fte, inputs, *, training_weeks=4, ramp=(0.5, 0.75, 0.9),
                 cost_per_hire=0.0, class_week=None, min_class=1, buffer=0.0):
    """Hiring classes that keep productive FTE at or above the requirement.

    The algorithm is greedy, week by week from the first:

    1. The productive FTE of the current plan (``inputs``, its classes
       included) is computed with :func:`capacity_plan`.
    2. At each week ``t`` short of ``required_fte[t] + buffer``, the class
       start is the allowed week ``s <= t`` where one hire gives the most
       productive FTE in week ``t``, that is the largest
       ``survival(s -> t) * productivity(t - s)``; ties go to the latest
       start.  Without attrition that is the latest start by which the hires
       are past their ramp (``training_weeks + len(ramp)`` weeks before
       ``t``); with attrition it is nearly always the same, and near the
       first week it is the earliest allowed week, the class still ramping.
    3. The class gets the fewest whole hires that cover week ``t`` given
       the survivors of those hires to week ``t`` (attrition, and training
       attrition, from its start) and their ramp productivity; at least
       ``min_class`` when the class is new; a class already proposed at
       ``s`` is enlarged instead.  Weeks before ``t`` are not changed in a
       way that hurts them (hires only add capacity), so they stay covered.
    4. A short week no allowed start can reach (fewer than
       ``training_weeks`` weeks after the first allowed start) is left
       short and reported in ``unfixable``.

    Guarantees (tested):

    - every proposed class starts on a Monday of the plan in an allowed
      week, with ``training_weeks``, ``ramp``, ``cost_per_hire`` as given and
      a whole-number size ``>= min_class``;
    - with the proposed classes added to ``inputs.classes``,
      :func:`capacity_plan` has ``gap >= buffer`` (to a relative 1e-9) in
      every week from ``first_fixable`` on, and the weeks still short are
      exactly those in ``unfixable``, all before ``first_fixable``;
    - nothing is proposed when the current plan already covers
      ``required_fte + buffer`` in every week; a class is created or
      enlarged only for a short week, by the fewest hires covering it.

    It is not an optimisation: no look-ahead, so the total hires or cost are
    not minimal in general (a class sized for a short week keeps ramping up
    and may over-cover the following weeks; near the first week the only
    possible class may still be ramping, and needs more hires).

    Parameters
    ----------
    required_fte : pandas.Series
        FTE required per week, indexed by consecutive Mondays (as in
        :func:`capacity_plan`).
    inputs : CapacityInputs
        The current plan; its ``classes`` are kept and new ones proposed on
        top.
    training_weeks, ramp, cost_per_hire
        Of the proposed classes (see :class:`HiringClass`).
    class_week : None, int or collection of dates
        Weeks a class may start in: ``None`` any week of the plan; an
        integer ``k`` every ``k``-th week from the first week of the plan
        (weeks 0, k, 2k...); a collection of dates, the weeks containing
        them (dates outside the plan are ignored).
    min_class : int
        Fewest hires in a class, >= 1.
    buffer : float
        FTE to hold above ``required_fte`` in every week, >= 0.

    Returns
    -------
    HiringProposal
        A list of :class:`HiringClass` sorted by start (training starts on
        that Monday), with the short weeks no class could fix in
        ``.unfixable`` and the first week a new class can reach in
        ``.first_fixable``.

    Examples
    --------
    Zero attrition, 100 agents, 110 FTE needed from week 10: a class of 10
    must start training three weeks earlier (two training weeks, one ramp
    week at 50%).

    >>> weeks = pd.date_range("2025-01-06", periods=14, freq="W-MON")
    >>> required = pd.Series([100.0] * 10 + [110.0] * 4, index=weeks)
    >>> inputs = CapacityInputs(headcount=100, attrition=0.0)
    >>> proposal = hires_needed(required, inputs, training_weeks=2, ramp=(0.5,))
    >>> [(c.start.date(), c.size) for c in proposal], len(proposal.unfixable)
    ([(datetime.date(2025, 2, 24), 10)], 0)

    Needed from the first week, the hires cannot be there in time:

    >>> proposal = hires_needed(pd.Series(120.0, index=weeks), inputs,
    ...                         training_weeks=2, ramp=(0.5,))
    >>> [(c.start.date(), c.size) for c in proposal]
    [(datetime.date(2025, 1, 6), 40)]
    >>> proposal.unfixable
    week
    2025-01-06    20.0
    2025-01-13    20.0
    Name: shortfall, dtype: float64
    """
    idx, req = _weeks(required_fte)
    if not isinstance(inputs, CapacityInputs):
        raise _err("inputs", "must be a CapacityInputs", inputs)
    template = HiringClass(idx[0], 1, training_weeks=training_weeks, ramp=ramp,
                           cost_per_hire=cost_per_hire)
    min_class = _whole("min_class", min_class, lo=1)
    buffer = float(_number("buffer", buffer, lo=0.0))
    allowed = _allowed_starts(class_week, idx)
    n = len(idx)
    T = template.training_weeks

    h = weekly_hazard(inputs.attrition)
    h_tr = weekly_hazard(inputs.training_attrition, "training_attrition")
    ages = np.arange(n)
    per_hire = _survivors(n, T, h, h_tr) * _weights(T, template.ramp, ages)

    target = req + buffer
    tol = _tol(target)
    prod = capacity_plan(required_fte, inputs)["productive_fte"].to_numpy().copy()
    sizes = {}
    for t in range(n):
        short = target[t] - prod[t]
        if short <= tol[t]:
            continue
        starts = np.flatnonzero(allowed[: t + 1])
        eff = per_hire[t - starts]
        if not starts.size or eff.max() <= 0.0:
            continue  # no allowed class can be productive by week t
        s = int(starts[eff >= eff.max() * (1.0 - 1e-12)].max())
        e = per_hire[t - s]
        k = max(math.ceil(short / e - 1e-9), 1)
        while prod[t] + k * e < target[t] - tol[t]:
            k += 1
        if s not in sizes:
            k = max(k, min_class)
        sizes[s] = sizes.get(s, 0) + k
        prod[s:] += k * per_hire[: n - s]

    classes = [replace(template, start=idx[s], size=sizes[s]) for s in sorted(sizes)]
    after = capacity_plan(required_fte, replace(inputs, classes=inputs.classes + tuple(classes)))
    shortfall = target - after["productive_fte"].to_numpy()
    short = shortfall > tol
    unfixable = pd.Series(shortfall[short], index=idx[short], name="shortfall")
    first_allowed = np.flatnonzero(allowed)
    first = int(first_allowed[0]) + T if first_allowed.size else n
    return HiringProposal(classes, unfixable, idx[first] if first < n else None)


# --------------------------------------------------------------------------- the step

@dataclass(frozen=True)
class CapacityResult:
    """Step 5, capacity: the weekly plan of a scenario's schedule.

    Attributes
    ----------
    table : pandas.DataFrame
        :func:`capacity_plan` with the proposed classes added.
    hires : HiringProposal
        Hiring classes proposed on top of the scenario's.
    headcount : float
        Starting headcount used (the scenario's, or what the first week
        with work needs when it gives none).
    """

    table: pd.DataFrame
    hires: "HiringProposal"
    headcount: float

    @property
    def hiring_cost(self):
        """Hiring cost of the horizon (classes joining within it)."""
        return float(self.table["hiring_cost"].sum())

    @property
    def peak_fte(self):
        """Required FTE of the busiest week."""
        return float(self.table["required_fte"].max())


def plan_capacity(paid_hours, capacity, *, hourly_cost):
    """Weekly FTE the schedule needs against headcount, the hires to close the
    gaps, and their cost.

    Parameters
    ----------
    paid_hours : pandas.Series
        Paid hours of the schedule by week (Monday), as
        :func:`plan.shift_plan.weekly_paid_hours` gives.
    capacity : plan.scenario.Capacity
        Starting headcount (0: what the first week with work needs),
        attrition (also in training), FTE hours, cost per hire, hiring
        classes already decided.
    hourly_cost : float
        Loaded wage per paid hour.

    Returns
    -------
    CapacityResult
    """
    required = paid_hours / capacity.fte_hours
    busy = required[required > 0]
    headcount = (capacity.headcount if capacity.headcount > 0
                 else float(math.ceil(busy.iloc[0])) if len(busy) else 0.0)

    def inputs(classes):
        return CapacityInputs(headcount=headcount, attrition=capacity.attrition,
                              fte_hours=capacity.fte_hours, hourly_cost=hourly_cost,
                              training_attrition=capacity.attrition, classes=classes,
                              cost_per_hire=capacity.cost_per_hire)

    given = tuple(capacity.hiring)
    proposal = hires_needed(required, inputs(given), cost_per_hire=capacity.cost_per_hire)
    table = capacity_plan(required, inputs(given + tuple(proposal)))
    return CapacityResult(table, proposal, headcount)
