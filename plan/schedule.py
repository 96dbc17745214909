"""Shift scheduling: how many agents start each shift to cover a requirement.

A mixed-integer program solved by HiGHS through :func:`scipy.optimize.milp`.
The decision is how many agents start each allowed :class:`ShiftTemplate` at
each allowed start time of each day of the horizon; the program covers a
requirement of agents per interval at the least wage cost, and a penalised
shortfall per interval keeps it feasible whatever the demand, so a demand that
cannot be met (a cap on agents on duty, hours no shift covers) comes back as a
reported shortfall, not an error.

Model
-----
For interval ``i`` (length ``interval`` minutes) and shift column ``j`` (a
template, a day, a start time), ``a[i, j]`` is the share of interval ``i``
that one agent of column ``j`` is on duty: 1 for a full interval, 0 during the
unpaid break, a fraction when a start time, a shift end or a break is not on
the interval grid.  With ``x[j]`` the integer number of agents starting
column ``j``, ``u[i]`` the shortfall and ``o[i]`` the surplus::

    minimise   sum_j cost[j] x[j] + under_penalty sum_i u[i] + over_penalty sum_i o[i]
    subject to sum_j a[i, j] x[j] + u[i] - o[i] = target[i]      for every interval
               sum_j a[i, j] x[j] <= max_on_duty[i]
               min_agents <= x summed over a template's starts of one day <= max_agents
               x integer >= 0, u >= 0, o >= 0

with ``cost[j] = paid_hours x hourly_cost x cost_factor`` of the column's
template; the penalties are per agent-interval.  As solved, ``o`` is the
slack of the row ``target <= coverage + u <= max_on_duty``, and its penalty
is folded into the costs (``over_penalty x`` the agent-intervals a column is
on duty, less a constant): the same optimum, and HiGHS solves this form many
times faster than one with explicit surplus variables.

``target`` is the requirement, rounded up to a whole agent in the intervals
where coverage can only come in whole agents (every column covering the
interval covers all of it): there, coverage >= 2.3 is the same as coverage
>= 3, and penalising the whole missing agent keeps a fractional requirement
from being traded off against part of a shift's cost.  The shortfall and
surplus that :func:`schedule` *reports* are always measured against the
requirement as given.  The part of a requirement above ``max_on_duty`` is
unavoidable and is left out of the objective (it is a constant), so that
HiGHS's relative gap measures the schedule, not it.  Intervals no column can
cover get no variables: their whole requirement is reported as shortfall.

After HiGHS returns, a local search adds any single start that lowers the
objective (it fills a shortfall for less than its penalty) and removes any
start that lowers it (pure surplus left inside the MIP gap).  It can only
improve the solution, so the gap guarantee still holds, and the default
penalty's promise below holds whatever the gap.
"""

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from ccwfm._validation import DAY_MINUTES as DAY
from ccwfm._validation import error as _err
from ccwfm._validation import number as _number
from ccwfm._validation import sequence as _sequence
from ccwfm._validation import whole as _whole

from .shifts import ShiftTemplate

__all__ = ["ScheduleResult", "ShiftTemplate", "schedule"]

_EPS = 1e-9


@dataclass(frozen=True)
class ScheduleResult:
    """The schedule :func:`schedule` found.

    Attributes
    ----------
    starts : pandas.DataFrame
        One row per template and start timestamp with at least one agent:
        ``template``, ``start`` (timestamp), ``agents`` (int).
    coverage : pandas.DataFrame
        One row per interval of the horizon: ``start``, ``required`` (0 for
        intervals missing from the input), ``scheduled`` (agents on duty),
        ``over`` = max(0, scheduled - required), ``under`` = max(0, required
        - scheduled).
    shortfall : float
        Total ``under``, in agent-hours.
    cost : float
        Wage cost: paid hours x hourly cost x cost factor over all starts
        (a shift running past the horizon's end is paid in full).
    paid_hours : float
        Total paid hours.
    status : str
        HiGHS's status message.
    optimal : bool
        HiGHS proved the solution optimal within ``mip_rel_gap``; ``False``
        when it stopped at ``time_limit`` (the schedule is then the best
        found).
    mip_gap : float
        HiGHS's relative gap between the solution and its lower bound.
    """

    starts: pd.DataFrame
    coverage: pd.DataFrame
    shortfall: float
    cost: float
    paid_hours: float
    status: str
    optimal: bool
    mip_gap: float


def _requirements(requirements, interval):
    """Requirement per interval of the horizon, and the horizon's first midnight."""
    if isinstance(requirements, pd.DataFrame):
        missing = [c for c in ("start", "required") if c not in requirements.columns]
        if missing:
            raise _err("requirements", "must have columns 'start' and 'required'",
                       list(requirements.columns))
        try:
            index = pd.DatetimeIndex(pd.to_datetime(requirements["start"]))
        except (TypeError, ValueError):
            raise _err("requirements.start", "must be timestamps",
                       requirements["start"].iloc[0] if len(requirements) else None) from None
        series = pd.Series(requirements["required"].to_numpy(), index=index)
    elif isinstance(requirements, pd.Series):
        if not isinstance(requirements.index, pd.DatetimeIndex):
            raise _err("requirements", "must be indexed by interval start timestamps",
                       type(requirements.index).__name__)
        series = requirements
    else:
        raise _err("requirements", "must be a pandas Series or a DataFrame with 'start' and "
                   "'required'", type(requirements).__name__)
    return _on_grid("requirements", series, interval, None)


def _on_grid(name, series, interval, horizon):
    """(values, positions, first midnight) of a timestamp-indexed series on the grid."""
    if series.empty:
        raise _err(name, "must not be empty", [])
    index = series.index
    if index.tz is not None:
        raise _err(name, "must be indexed by tz-naive (local wall-clock) timestamps",
                   str(index.tz))
    if index.hasnans:
        raise _err(name, "must not have missing timestamps", "NaT")
    dup = index.duplicated()
    if dup.any():
        raise _err(name, "must not repeat an interval", index[dup][0])
    try:
        values = series.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        raise _err(name, "must be numbers", series.iloc[0]) from None
    bad = ~(np.isfinite(values) & (values >= 0))
    if bad.any():
        i = int(np.argmax(bad))
        v = float(values[i])
        rule = ("must not be NaN" if math.isnan(v) else "must be finite" if math.isinf(v)
                else "must be >= 0")
        raise ValueError(f"'{name}' {rule}: {v!r} (at {index[i]})")
    day0 = index.min().normalize() if horizon is None else horizon[0]
    ns = np.asarray((index - day0).to_numpy(dtype="timedelta64[ns]").astype(np.int64))
    step = interval * 60 * 10**9
    bad = ns % step != 0
    if bad.any():
        raise _err(name, f"must be on a {interval}-minute grid from midnight", index[bad][0])
    pos = ns // step
    if horizon is not None:
        out = (pos < 0) | (pos >= horizon[1])
        if out.any():
            raise _err(name, "must lie within the requirements' horizon", index[out][0])
    return values, pos.astype(np.int64), day0


def _columns(templates, day0, ndays, interval):
    """Sparse coverage ``a[i, j]`` and the (template, day, start) of each column."""
    per_day = DAY // interval
    n = ndays * per_day
    w0 = day0.weekday()
    rows, cols, vals, meta = [], [], [], []
    j = 0
    for ti, t in enumerate(templates):
        days = np.array([d for d in range(ndays) if (w0 + d) % 7 in t.days], dtype=np.int64)
        if not days.size:
            continue
        for s in t.starts:
            acc = {}
            for a, b in t._spans(s, interval):
                for k in range(a // interval, -(-b // interval)):
                    overlap = min(b, (k + 1) * interval) - max(a, k * interval)
                    if overlap > 0:
                        acc[k] = acc.get(k, 0) + overlap
            ks = np.fromiter(acc, dtype=np.int64, count=len(acc))
            cs = np.fromiter(acc.values(), dtype=np.float64, count=len(acc)) / interval
            r = days[:, None] * per_day + ks[None, :]
            c = np.broadcast_to(j + np.arange(days.size)[:, None], r.shape)
            keep = r < n
            rows.append(r[keep])
            cols.append(c[keep])
            vals.append(np.broadcast_to(cs, r.shape)[keep])
            meta.append(np.column_stack([np.full(days.size, ti), days, np.full(days.size, s)]))
            j += days.size
    if not meta:
        raise _err("templates", "must allow at least one start in the horizon",
                   [t.name for t in templates])
    return (np.concatenate(rows), np.concatenate(cols), np.concatenate(vals),
            np.concatenate(meta))


def _polish(x, a, cost, target, cap, under_penalty, over_penalty, group, gmin, gmax,
            max_moves=10_000):
    """Apply single add/remove moves that lower the objective until none does.

    ``a`` is the CSC coverage of the modelled rows; ``target`` and ``cap`` are
    per row; ``group`` maps a column to its (template, day) bound pair.
    """
    x = x.copy()
    col = np.repeat(np.arange(a.shape[1]), np.diff(a.indptr))
    rows, coef = a.indices, a.data
    ncol = a.shape[1]
    tol = 1e-9 * max(1.0, float(cost.max(initial=0.0)))
    for _ in range(max_moves):
        cov = a @ x
        count = np.bincount(group, weights=x, minlength=gmin.size)
        e = (cov - target)[rows]                      # surplus (< 0: deficit) per nonzero
        d = np.maximum(-e, 0.0)
        # Adding one agent to a column.
        fill = np.minimum(coef, d)
        gain_add = (under_penalty * np.bincount(col, fill, ncol)
                    - over_penalty * np.bincount(col, coef - fill, ncol) - cost)
        blocked = np.bincount(col, coef > (cap - cov)[rows] + _EPS, ncol) > 0
        blocked |= count[group] + 1 > gmax[group]
        gain_add[blocked] = -np.inf
        # Removing one agent from a column.
        more_under = np.maximum(coef - e, 0.0) - d
        less_over = np.maximum(e, 0.0) - np.maximum(e - coef, 0.0)
        gain_drop = (cost + over_penalty * np.bincount(col, less_over, ncol)
                     - under_penalty * np.bincount(col, more_under, ncol))
        gain_drop[(x < 0.5) | (count[group] - 1 < gmin[group])] = -np.inf
        ja, jd = int(np.argmax(gain_add)), int(np.argmax(gain_drop))
        if max(gain_add[ja], gain_drop[jd]) <= tol:
            break
        if gain_add[ja] >= gain_drop[jd]:
            x[ja] += 1
        else:
            x[jd] -= 1
    return x


def schedule(requirements, templates, *, interval, hourly_cost, under_penalty=None,
             over_penalty=0.0, max_on_duty=None, time_limit=60.0, mip_rel_gap=1e-3):
    """Least-cost shift starts covering a requirement of agents per interval.

    Parameters
    ----------
    requirements : pandas.Series or pandas.DataFrame
        Agents needed per interval (may be fractional, e.g. after shrinkage),
        indexed by interval start timestamps (tz-naive, local wall-clock) on
        a grid of ``interval`` minutes from midnight; or a DataFrame with
        columns ``start`` and ``required``.  Missing intervals need 0.  The
        horizon runs from the first day's midnight to the end of the last
        day.
    templates : ShiftTemplate or sequence of ShiftTemplate
        The shifts that may be used (unique names).  A start is available on
        every day of the horizon whose weekday the template allows; a shift
        starting the day before the horizon is not available, and one
        running past the horizon's end covers only inside it (and is paid in
        full).
    interval : int
        Interval length in minutes; it must divide a day.
    hourly_cost : float
        Wage per paid hour (> 0).
    under_penalty : float or None
        Penalty per agent-interval of shortfall.  ``None`` uses twice the
        largest of a shift's cost plus ``over_penalty`` times its on-duty
        agent-intervals.  Then one more shift filling a shortfall of one
        agent always pays, so with no cap (no ``max_on_duty``, no
        ``max_agents``) no interval that some start covers entirely (start,
        end and break on the grid) is left short, whatever the MIP gap.
        With caps a schedule with less shortfall may need several shifts
        exchanged; pass a larger penalty to favour it more.  In intervals
        where every covering shift covers all of it, missing agents count
        whole (a requirement of 2.3 counts as 3); with partial coverage the
        penalty is traded off against the fraction missing.
    over_penalty : float
        Penalty per agent-interval of surplus (>= 0).
    max_on_duty : float, pandas.Series or None
        Cap on agents on duty in every interval, or per interval (a Series
        indexed by interval starts inside the horizon; intervals it does not
        list are not capped).  Requirements above the cap are reported as
        shortfall.
    time_limit : float
        Seconds HiGHS may spend (> 0); it returns the best schedule found,
        with ``optimal=False``, when it runs out.
    mip_rel_gap : float
        Relative optimality gap at which HiGHS stops (>= 0).

    Returns
    -------
    ScheduleResult

    Raises
    ------
    ValueError
        Bad input, naming the field; or ``min_agents`` that ``max_on_duty``
        makes impossible.
    RuntimeError
        HiGHS found no schedule within ``time_limit`` and none is trivially
        available (some template has ``min_agents``).

    Examples
    --------
    Two agents are needed from 09:00 to 17:00; one 8-hour shift may start at
    08:00, 09:00 or 10:00:

    >>> import pandas as pd
    >>> need = pd.Series(2.0, index=pd.date_range("2024-01-01 09:00", periods=8, freq="60min"))
    >>> day = ShiftTemplate.every("day", 480, first="08:00", last="10:00", step=60)
    >>> res = schedule(need, [day], interval=60, hourly_cost=20.0)
    >>> res.starts
      template               start  agents
    0      day 2024-01-01 09:00:00       2
    >>> res.cost, res.shortfall, res.optimal
    (320.0, 0.0, True)

    With at most one agent on duty the missing agent is reported, not an error:

    >>> capped = schedule(need, [day], interval=60, hourly_cost=20.0, max_on_duty=1)
    >>> capped.cost, capped.shortfall
    (160.0, 8.0)
    """
    interval = _whole("interval", interval, lo=0, lo_open=True)
    if DAY % interval:
        raise _err("interval", "must divide a day (1440 minutes)", interval)
    hourly_cost = _number("hourly_cost", hourly_cost, lo=0, lo_open=True)
    over_penalty = _number("over_penalty", over_penalty, lo=0)
    time_limit = _number("time_limit", time_limit, lo=0, lo_open=True, finite=False)
    mip_rel_gap = _number("mip_rel_gap", mip_rel_gap, lo=0)
    if isinstance(templates, ShiftTemplate):
        templates = [templates]
    templates = _sequence("templates", templates, "ShiftTemplate")
    names = set()
    for i, t in enumerate(templates):
        if not isinstance(t, ShiftTemplate):
            raise _err(f"templates[{i}]", "must be a ShiftTemplate", t)
        if t.name in names:
            raise _err("templates", "must have unique names", t.name)
        names.add(t.name)
    shift_cost = np.array([t.paid_hours * hourly_cost * t.cost_factor for t in templates])
    if under_penalty is not None:
        under_penalty = _number("under_penalty", under_penalty, lo=0, lo_open=True)

    values, pos, day0 = _requirements(requirements, interval)
    per_day = DAY // interval
    ndays = int(pos.max()) // per_day + 1
    n = ndays * per_day
    required = np.zeros(n)
    required[pos] = values
    cap = np.full(n, np.inf)
    if max_on_duty is not None:
        if isinstance(max_on_duty, pd.Series):
            if not isinstance(max_on_duty.index, pd.DatetimeIndex):
                raise _err("max_on_duty", "must be indexed by interval start timestamps",
                           type(max_on_duty.index).__name__)
            cvals, cpos, _ = _on_grid("max_on_duty", max_on_duty, interval, (day0, n))
            cap[cpos] = cvals
        else:
            cap[:] = _number("max_on_duty", max_on_duty, lo=0)

    # Columns and the rows (intervals) they cover.
    rows, cols, vals, meta = _columns(templates, day0, ndays, interval)
    nx = meta.shape[0]
    covered = np.zeros(n, dtype=bool)
    covered[rows] = True
    whole = np.ones(n, dtype=bool)
    whole[rows[np.abs(vals - np.round(vals)) > _EPS]] = False
    target = np.where(whole, np.ceil(required - _EPS), required)
    cap_eff = np.where(whole, np.floor(cap + _EPS), cap)
    modelled = np.flatnonzero(covered)
    row_of = np.full(n, -1)
    row_of[modelled] = np.arange(modelled.size)
    nr = modelled.size
    t_eff = np.minimum(target, cap_eff)[modelled]
    c_eff = cap_eff[modelled]
    a = sp.csc_array((vals, (row_of[rows], cols)), shape=(nr, nx))

    # (template, day) groups for min_agents / max_agents.
    group = meta[:, 0] * ndays + meta[:, 1]
    gmin = np.zeros(len(templates) * ndays)
    gmax = np.full(len(templates) * ndays, np.inf)
    for ti, t in enumerate(templates):
        gmin[ti * ndays:(ti + 1) * ndays] = t.min_agents
        if t.max_agents is not None:
            gmax[ti * ndays:(ti + 1) * ndays] = t.max_agents
    cost = shift_cost[meta[:, 0]]
    on_duty = np.bincount(cols, vals, minlength=nx)     # agent-intervals inside the horizon
    if under_penalty is None:
        # Twice the dearest shift, with its surplus penalty as if all its time were surplus.
        under_penalty = 2.0 * float(np.max(cost + over_penalty * on_duty))
    bounded = np.flatnonzero((gmin > 0) | np.isfinite(gmax))
    bounded = bounded[np.isin(bounded, group)]

    # Rows: target <= coverage + under <= cap.  The surplus is the row's slack,
    # coverage + under - target, so its penalty folds into the costs (minus a
    # constant) and needs no variables: HiGHS solves this form many times faster.
    blocks = [sp.hstack([a, sp.identity(nr, format="csc")], format="csr")]
    lbs, ubs = [t_eff], [c_eff]
    if bounded.size:
        gi = np.flatnonzero(np.isin(group, bounded))
        g_row = np.searchsorted(bounded, group[gi])
        blocks.append(sp.csr_array((np.ones(gi.size), (g_row, gi)), shape=(bounded.size, nx + nr)))
        lbs.append(gmin[bounded])
        ubs.append(gmax[bounded])
    constraint = LinearConstraint(sp.vstack(blocks, format="csr"),
                                  np.concatenate(lbs), np.concatenate(ubs))
    c = np.concatenate([cost + over_penalty * on_duty, np.full(nr, under_penalty + over_penalty)])
    offset = over_penalty * float(t_eff.sum())
    bounds = Bounds(np.zeros(nx + nr), np.concatenate([gmax[group], t_eff]))
    integrality = np.concatenate([np.ones(nx), np.zeros(nr)])
    res = milp(c, integrality=integrality, bounds=bounds, constraints=constraint,
               options={"time_limit": time_limit, "mip_rel_gap": mip_rel_gap,
                        "disp": False, "presolve": True})
    if res.x is not None:
        x = np.round(res.x[:nx])
    elif res.status == 2:
        raise ValueError("'templates' min_agents cannot be met within 'max_on_duty': "
                         f"{res.message}")
    elif not gmin.any():
        x = np.zeros(nx)          # always feasible; the local search below builds on it
    else:
        raise RuntimeError(f"no schedule found within 'time_limit' ({time_limit:g} s): "
                           f"{res.message}")
    x = _polish(x, a, cost, t_eff, c_eff, under_penalty, over_penalty, group, gmin, gmax)

    # Report against the requirement as given.
    scheduled = np.zeros(n)
    scheduled[modelled] = a @ x
    over = np.maximum(scheduled - required, 0.0)
    under = np.maximum(required - scheduled, 0.0)
    over[over < _EPS] = 0.0
    under[under < _EPS] = 0.0
    grid = day0 + pd.to_timedelta(np.arange(n) * interval, unit="min")
    coverage = pd.DataFrame({"start": grid, "required": required, "scheduled": scheduled,
                             "over": over, "under": under})
    used = np.flatnonzero(x > 0.5)
    starts = pd.DataFrame({
        "template": [templates[i].name for i in meta[used, 0]],
        "start": day0 + pd.to_timedelta(meta[used, 1] * DAY + meta[used, 2], unit="min"),
        "agents": x[used].astype(np.int64),
    }).sort_values(["start", "template"], ignore_index=True)
    paid = np.array([t.paid_hours for t in templates])[meta[:, 0]]
    # Gap of the model objective (wage cost + penalties), after the local search.
    cov_m = a @ x
    objective = (float(cost @ x) + under_penalty * float(np.maximum(t_eff - cov_m, 0).sum())
                 + over_penalty * float(np.maximum(cov_m - t_eff, 0).sum()))
    bound = res.mip_dual_bound
    gap = (math.inf if bound is None or not math.isfinite(bound)
           else max(objective - (bound - offset), 0.0) / max(abs(objective), 1e-12))
    return ScheduleResult(
        starts=starts, coverage=coverage,
        shortfall=float(under.sum() * interval / 60.0),
        cost=float(cost @ x), paid_hours=float(paid @ x),
        status=str(res.message), optimal=bool(res.status == 0), mip_gap=float(gap))

