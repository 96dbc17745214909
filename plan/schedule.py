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

Breaks placed by the optimiser (a template's :class:`BreakWindow` s) follow
Aykin's implicit formulation (T. Aykin, "Optimal shift scheduling with
multiple break windows", Management Science 42(4), 1996, 591-602): an integer
variable ``w[v]`` per column ``j``, window ``k`` and allowed offset counts
the agents of column ``j`` who take break ``k`` at that offset, with
``sum of w over the offsets of (j, k) = x[j]``, and the coverage becomes
``sum_j a[i, j] x[j] - sum_v a_w[i, v] w[v]`` (``a`` then counts the whole
shift but its fixed breaks, ``a_w[i, v]`` is the share of interval ``i``
the break takes).  The windows of one template can never overlap, so any
combination of offsets is a valid day and the windows need no further
constraint.  :func:`coverage_model` builds ``a``, ``a_w`` and the linking
rows, for this scheduler and any other.  With windows the program's
relaxation is much less often integral, and HiGHS's own heuristics find good
schedules slowly; so the LP relaxation is solved first, then the MIP with
every start count held between the floor and the ceiling of its LP value (a
relaxation-enforced neighbourhood search, RENS), then, unless that is
already within ``mip_rel_gap`` of the LP bound, the full MIP in the time
left; the better schedule is kept.  Fixed breaks (``unpaid_break``,
``paid_breaks``) are part of ``a`` and need none of this.

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
penalty's promise below holds whatever the gap.  With break windows an added
agent takes each break at the offset where it costs least, a removed one is
an agent whose breaks sit where they cost most, and after each round of moves
every break is re-placed by :func:`place_breaks`' program (kept only if it
lowers the objective).  The promise then holds when the added agent's breaks
can each go where a break costs nothing (an interval the agent over-covers).
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint

from ccwfm._validation import DAY_MINUTES as DAY
from ccwfm._validation import as_array as _as_array
from ccwfm._validation import check as _check_array
from ccwfm._validation import count as _count
from ccwfm._validation import error as _err
from ccwfm._validation import number as _number
from ccwfm._validation import sequence as _sequence
from ccwfm._validation import whole as _whole

from ._highs import milp
from .shifts import BreakWindow, ShiftTemplate

__all__ = ["BreakWindow", "Coverage", "ScheduleResult", "ShiftTemplate", "coverage_model",
           "place_breaks", "schedule"]

_EPS = 1e-9


def _no_breaks():
    """An empty ``breaks`` table with its columns and dtypes."""
    return pd.DataFrame({"template": pd.Series(dtype=object),
                         "start": pd.Series(dtype="datetime64[ns]"),
                         "break": pd.Series(dtype=np.int64),
                         "break_start": pd.Series(dtype="datetime64[ns]"),
                         "length": pd.Series(dtype=np.int64), "paid": pd.Series(dtype=bool),
                         "agents": pd.Series(dtype=np.int64)})


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
    breaks : pandas.DataFrame
        The breaks the optimiser placed (templates' :class:`BreakWindow` s;
        fixed breaks are not listed), one row per shift start, window and
        offset with at least one agent: ``template``, ``start`` (the shift's
        start timestamp), ``break`` (index of the window in the template),
        ``break_start`` (timestamp), ``length`` (minutes), ``paid`` (bool),
        ``agents`` (int).  For each shift start and window the agents add up
        to the start's agents.
    """

    starts: pd.DataFrame
    coverage: pd.DataFrame
    shortfall: float
    cost: float
    paid_hours: float
    status: str
    optimal: bool
    mip_gap: float
    breaks: pd.DataFrame = field(default_factory=_no_breaks)


@dataclass(frozen=True, eq=False)
class Coverage:
    """The coverage model of a set of shift templates over a horizon.

    Built by :func:`coverage_model`.  Columns ``j`` are the shifts one may
    start (a template, a day, a start time); break variables ``v`` are a
    column, one of its template's break windows and an offset in it.  With
    ``x`` agents starting each column and ``w`` agents taking each break
    position, agents on duty per interval are ``a @ x - a_w @ w``, subject
    to ``link @ w - link_x @ x == 0``.

    Attributes
    ----------
    meta : numpy.ndarray
        int, shape (nx, 3): template index, day index (0 = ``day0``), start
        minute (from that day's midnight) of each column.
    a : scipy.sparse.csc_array
        Shape (n, nx), ``n = ndays x intervals per day``: share of interval
        ``i`` that one agent of column ``j`` is on duty, fixed breaks
        removed, window breaks not.  Intervals past the horizon's end are
        dropped.
    cost_hours : numpy.ndarray
        Paid hours x cost factor of each column (the cost in hourly wages).
    paid_hours : numpy.ndarray
        Paid hours of each column (a shift running past the horizon is paid
        in full).
    w_meta : numpy.ndarray
        int, shape (nw, 3): column ``j``, break window index ``k`` in the
        template, offset (minutes from the shift start) of each break
        variable; sorted by column, window, offset.
    a_w : scipy.sparse.csc_array
        Shape (n, nw): share of interval ``i`` that one agent on break
        variable ``v`` is off duty for that break.
    link : scipy.sparse.csr_array
        Shape (nlink, nw): one row per column and window, 1 on its offsets.
    link_x : scipy.sparse.csr_array
        Shape (nlink, nx): 1 on the row's column.
    link_meta : numpy.ndarray
        int, shape (nlink, 2): column and window of each linking row.
    templates : tuple of ShiftTemplate
    day0 : pandas.Timestamp
        Midnight of the first day.
    ndays : int
    interval : int
        Interval length in minutes.
    """

    meta: np.ndarray
    a: sp.csc_array
    cost_hours: np.ndarray
    paid_hours: np.ndarray
    w_meta: np.ndarray
    a_w: sp.csc_array
    link: sp.csr_array
    link_x: sp.csr_array
    link_meta: np.ndarray
    templates: tuple
    day0: pd.Timestamp
    ndays: int
    interval: int

    @property
    def n(self):
        """Intervals of the horizon."""
        return self.a.shape[0]

    def on_duty(self, x, w=None):
        """Agents on duty per interval, ``a @ x - a_w @ w`` (numpy, length ``n``)."""
        cov = self.a @ np.asarray(x, dtype=np.float64)
        if w is not None and self.a_w.shape[1]:
            cov = cov - self.a_w @ np.asarray(w, dtype=np.float64)
        return cov


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


def _shares(a, b, interval):
    """``(ks, shares)``: intervals ``k`` the minute span ``[a, b)`` touches and the
    share of each it covers."""
    ks = np.arange(a // interval, -(-b // interval), dtype=np.int64)
    over = np.minimum(b, (ks + 1) * interval) - np.maximum(a, ks * interval)
    keep = over > 0
    return ks[keep], over[keep] / interval


def _check_interval(interval):
    interval = _whole("interval", interval, lo=0, lo_open=True)
    if DAY % interval:
        raise _err("interval", "must divide a day (1440 minutes)", interval)
    return interval


def _check_templates(templates):
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
    return tuple(templates)


def coverage_model(templates, day0, ndays, interval):
    """The coverage of every shift one may start, and of every break position.

    Builds the columns of a shift-scheduling program: each allowed start of
    each template on each day of the horizon whose weekday it allows, the
    share of each interval one agent of it is on duty, its paid hours, and
    the break variables of Aykin's implicit formulation of break windows
    (T. Aykin, "Optimal shift scheduling with multiple break windows",
    Management Science 42(4), 1996, 591-602): one variable per column,
    window and allowed offset, counting the agents of the column who take
    that break there.  Agents on duty are ``a @ x - a_w @ w`` with ``link @ w
    == link_x @ x`` (every agent takes each of the template's breaks once).
    Because the windows of a template can never overlap, any combination of
    offsets is a valid day, so no other constraint is needed.

    Parameters
    ----------
    templates : ShiftTemplate or sequence of ShiftTemplate
        Unique names.
    day0 : date-like
        Midnight of the first day of the horizon (tz-naive).
    ndays : int
        Days in the horizon (>= 1).  A shift starting the day before the
        horizon is not a column; one running past its end covers only inside
        it (rows past the end are dropped).
    interval : int
        Interval length in minutes; it must divide a day.

    Returns
    -------
    Coverage

    Raises
    ------
    ValueError
        Bad input, naming the field; or templates none of which may start
        in the horizon.

    Examples
    --------
    One 4-hour shift at 08:00 with a 30-minute break starting 60 to 120
    minutes in, on an hourly grid:

    >>> t = ShiftTemplate("am", 240, starts=("08:00",),
    ...                   breaks=(BreakWindow(30, 60, 120, step=30),))
    >>> m = coverage_model([t], "2024-01-01", 1, 60)
    >>> m.meta.tolist(), m.w_meta.tolist()
    ([[0, 0, 480]], [[0, 0, 60], [0, 0, 90], [0, 0, 120]])
    >>> m.a.toarray()[8:12, 0].tolist()
    [1.0, 1.0, 1.0, 1.0]
    >>> m.a_w.toarray()[8:12].tolist()
    [[0.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 0.5], [0.0, 0.0, 0.0]]
    >>> m.on_duty([2], [1, 0, 1])[8:12].tolist()      # one break at 09:00, one at 10:00
    [2.0, 1.5, 1.5, 2.0]
    """
    interval = _check_interval(interval)
    templates = _check_templates(templates)
    ndays = _count("ndays", ndays, 1)
    try:
        day0 = pd.Timestamp(day0)
    except (TypeError, ValueError):
        raise _err("day0", "must be a date", day0) from None
    if day0 is pd.NaT or day0.tz is not None or day0 != day0.normalize():
        raise _err("day0", "must be a tz-naive midnight", day0)
    per_day = DAY // interval
    n = ndays * per_day
    w0 = day0.weekday()
    rows, cols, vals, meta = [], [], [], []
    w_rows, w_cols, w_vals, w_meta, l_meta = [], [], [], [], []
    j = nw = 0
    for ti, t in enumerate(templates):
        days = np.array([d for d in range(ndays) if (w0 + d) % 7 in t.days], dtype=np.int64)
        if not days.size:
            continue
        nd, ns = days.size, len(t.starts)
        for si, s in enumerate(t.starts):
            acc = {}
            for a0, b0 in t._spans(s, interval):
                for k, share in zip(*_shares(a0, b0, interval)):
                    acc[int(k)] = acc.get(int(k), 0.0) + share
            ks = np.fromiter(acc, dtype=np.int64, count=len(acc))
            cs = np.fromiter(acc.values(), dtype=np.float64, count=len(acc))
            r = days[:, None] * per_day + ks[None, :]
            keep = r < n
            rows.append(r[keep])
            cols.append(np.broadcast_to(j + si * nd + np.arange(nd)[:, None], r.shape)[keep])
            vals.append(np.broadcast_to(cs, r.shape)[keep])
            meta.append(np.column_stack([np.full(nd, ti), days, np.full(nd, s)]))
        if t.breaks:
            # Every (start, window, offset) span at once, then every day: variable
            # (start si, position p, day di) of column j + si * nd + di.
            pos = [(k, o, win.length) for k, win in enumerate(t.breaks)
                   for o in win.offsets(interval)]
            pk, po, pl = (np.array(v, dtype=np.int64) for v in zip(*pos))
            npos = pk.size
            sa = (np.array(t.starts, dtype=np.int64)[:, None] + po[None, :]).ravel()
            sb = sa + np.tile(pl, ns)
            k0 = sa // interval
            nk = -(-sb // interval) - k0
            ks = k0[:, None] + np.arange(nk.max())[None, :]
            over = (np.minimum(sb[:, None], (ks + 1) * interval)
                    - np.maximum(sa[:, None], ks * interval))
            ok = (np.arange(nk.max())[None, :] < nk[:, None]) & (over > 0)
            span, m = np.nonzero(ok)                          # nonzeros of one day
            r = days[None, :] * per_day + ks[span, m][:, None]   # (nnz, nd)
            v = nw + span[:, None] * nd + np.arange(nd)[None, :]
            keep = r < n
            w_rows.append(r[keep])
            w_cols.append(v[keep])
            w_vals.append(np.broadcast_to((over[span, m] / interval)[:, None], r.shape)[keep])
            q = np.arange(ns * npos * nd)                     # = span * nd + day index
            p = q // nd % npos
            w_meta.append(np.column_stack([j + q // (npos * nd) * nd + q % nd, pk[p], po[p]]))
            jl = j + np.arange(ns * nd)
            l_meta.append(np.column_stack([np.repeat(jl, len(t.breaks)),
                                           np.tile(np.arange(len(t.breaks)), ns * nd)]))
            nw += ns * npos * nd
        j += ns * nd
    if not meta:
        raise _err("templates", "must allow at least one start in the horizon",
                   [t.name for t in templates])
    meta = np.concatenate(meta).astype(np.int64)
    nx = meta.shape[0]
    a = sp.csc_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                     shape=(n, nx))
    paid = np.array([t.paid_hours for t in templates])[meta[:, 0]]
    factor = np.array([t.cost_factor for t in templates])[meta[:, 0]]
    if nw:
        w_meta = np.concatenate(w_meta).astype(np.int64)
        order = np.lexsort((w_meta[:, 2], w_meta[:, 1], w_meta[:, 0]))
        rank = np.empty(nw, dtype=np.int64)
        rank[order] = np.arange(nw)
        w_meta = w_meta[order]
        a_w = sp.csc_array((np.concatenate(w_vals),
                            (np.concatenate(w_rows), rank[np.concatenate(w_cols)])),
                           shape=(n, nw))
        l_meta = np.concatenate(l_meta).astype(np.int64)
        l_meta = l_meta[np.lexsort((l_meta[:, 1], l_meta[:, 0]))]
        # Linking row of each variable: rows sorted by (column, window) like w_meta.
        key = w_meta[:, 0] * (1 + max(len(t.breaks) for t in templates)) + w_meta[:, 1]
        lkey = l_meta[:, 0] * (1 + max(len(t.breaks) for t in templates)) + l_meta[:, 1]
        lrow = np.searchsorted(lkey, key)
        nlink = l_meta.shape[0]
        link = sp.csr_array((np.ones(nw), (lrow, np.arange(nw))), shape=(nlink, nw))
        link_x = sp.csr_array((np.ones(nlink), (np.arange(nlink), l_meta[:, 0])),
                              shape=(nlink, nx))
    else:
        w_meta = np.zeros((0, 3), dtype=np.int64)
        l_meta = np.zeros((0, 2), dtype=np.int64)
        a_w = sp.csc_array((n, 0))
        link = sp.csr_array((0, 0))
        link_x = sp.csr_array((0, nx))
    return Coverage(meta=meta, a=a, cost_hours=paid * factor, paid_hours=paid, w_meta=w_meta,
                    a_w=a_w, link=link, link_x=link_x, link_meta=l_meta, templates=templates,
                    day0=day0, ndays=ndays, interval=interval)


def _objective_rows(cov, target, under_penalty, over_penalty):
    """Penalty per row of coverage ``cov`` against ``target``."""
    return (under_penalty * np.maximum(target - cov, 0.0)
            + over_penalty * np.maximum(cov - target, 0.0))


def _place(a, aw, w_col, w_link, x, target, cap, under_penalty, over_penalty, time_limit,
           w0=None):
    """Optimal break positions for fixed starts ``x``: a small MIP over the
    variables of started columns and the rows their breaks touch.

    Minimises ``under_penalty x shortfall + over_penalty x surplus`` against
    ``target`` with coverage at most ``cap``.  Returns ``(w, status)``:
    ``status`` 0 optimal, 1 stopped at the time limit (best found, or ``w0``
    if none), 2 infeasible (``w`` is ``w0``).
    """
    nw = aw.shape[1]
    w = np.zeros(nw) if w0 is None else np.asarray(w0, dtype=np.float64).copy()
    active = np.flatnonzero(x[w_col] > 0.5)
    if not active.size:
        return np.zeros(nw), 0
    sub = aw[:, active].tocsr()
    touched = np.flatnonzero(np.diff(sub.indptr) > 0)
    c0 = a @ x
    target = np.minimum(target, cap)            # need above the cap is short whatever happens
    untouched = np.ones(c0.size, dtype=bool)
    untouched[touched] = False
    if (c0[untouched] > cap[untouched] + _EPS).any():      # no break can help there
        return w, 2
    m = sub[touched].tocsc()
    nt, na = touched.size, active.size
    links, lrow = np.unique(w_link[active], return_inverse=True)
    lx = np.zeros(links.size)
    lx[lrow] = x[w_col[active]]
    lm = sp.csr_array((np.ones(na), (lrow, np.arange(na))), shape=(links.size, na))
    blocks = [sp.hstack([-m, sp.identity(nt, format="csc")], format="csr"),
              sp.hstack([lm, sp.csr_array((links.size, nt))], format="csr")]
    lo = np.concatenate([target[touched] - c0[touched], lx])
    hi = np.concatenate([cap[touched] - c0[touched], lx])
    c = np.concatenate([-over_penalty * np.asarray(m.sum(axis=0)).ravel(),
                        np.full(nt, under_penalty + over_penalty)])
    ub = np.concatenate([x[w_col[active]], np.full(nt, np.inf)])
    res = milp(c, integrality=np.concatenate([np.ones(na), np.zeros(nt)]),
               bounds=Bounds(np.zeros(na + nt), ub),
               constraints=LinearConstraint(sp.vstack(blocks, format="csr"), lo, hi),
               options={"time_limit": max(time_limit, 1e-3), "disp": False, "presolve": True})
    if res.x is None:
        return w, (2 if res.status == 2 else 1)
    w = np.zeros(nw)
    w[active] = np.round(res.x[:na])
    return w, (0 if res.status == 0 else 1)


def place_breaks(model, x, need, *, max_on_duty=None, time_limit=10.0):
    """Break positions for given shift starts that leave the least need uncovered.

    With the agents starting each shift column fixed (for example a rounded
    linear relaxation), chooses how many of them take each break at each
    allowed offset of its window, as a small integer program (HiGHS) over
    the started columns and the intervals their breaks touch: minimise
    ``sum_i max(need[i] - on_duty[i], 0)`` with ``on_duty = a @ x - a_w @
    w`` and ``link @ w = link_x @ x``.  Exact (up to HiGHS's tolerance) when
    it finishes within ``time_limit``.

    Parameters
    ----------
    model : Coverage
        From :func:`coverage_model`.
    x : array_like
        Agents starting each column (whole numbers >= 0, length ``nx``).
    need : array_like
        Agents needed per interval of the model's horizon (>= 0, length
        ``n``; may be fractional).
    max_on_duty : float, array_like or None
        Cap on agents on duty, everywhere or per interval; breaks are then
        placed so that no interval exceeds it.
    time_limit : float
        Seconds HiGHS may spend (> 0).

    Returns
    -------
    numpy.ndarray
        int64, length ``nw``: agents on each break variable (zeros for
        columns nobody starts).

    Raises
    ------
    ValueError
        Bad input, naming the field; or ``max_on_duty`` that no placement
        meets.
    RuntimeError
        HiGHS found no placement within ``time_limit``.

    Examples
    --------
    Two agents 08:00-12:00 with a 60-minute break starting 1 or 2 hours in
    (offsets 60 and 120); the need is lower at 10:00:

    >>> t = ShiftTemplate("am", 240, starts=("08:00",), breaks=(BreakWindow(60, 60, 120),))
    >>> m = coverage_model([t], "2024-01-01", 1, 60)
    >>> need = [0.0] * 24
    >>> need[8:12] = [2, 2, 0, 2]
    >>> place_breaks(m, [2], need).tolist()          # both at 10:00 (offset 120)
    [0, 2]
    """
    if not isinstance(model, Coverage):
        raise _err("model", "must be a Coverage (from coverage_model)", type(model).__name__)
    nx, nw, n = model.a.shape[1], model.a_w.shape[1], model.n
    x = _vector("x", x, nx, whole=True)
    need = _vector("need", need, n)
    time_limit = _number("time_limit", time_limit, lo=0, lo_open=True, finite=False)
    cap = np.full(n, np.inf)
    if max_on_duty is not None:
        if np.ndim(max_on_duty) == 0:
            cap[:] = _number("max_on_duty", max_on_duty, lo=0)
        else:
            cap = _vector("max_on_duty", max_on_duty, n)
    if not nw:
        return np.zeros(0, dtype=np.int64)
    w_col = model.w_meta[:, 0]
    w_link = np.asarray(model.link.tocsc().indices)     # one 1 per variable's column
    w, status = _place(model.a, model.a_w, w_col, w_link, x, need, cap, 1.0, 0.0, time_limit)
    if status == 2:
        raise _err("max_on_duty", "cannot be met by any placement of the breaks of 'x'",
                   max_on_duty)
    if status == 1 and not (model.link @ w == model.link_x @ x).all():
        raise RuntimeError(f"no break placement found within 'time_limit' ({time_limit:g} s)")
    return w.astype(np.int64)


def _vector(name, value, size, *, whole=False):
    """A float array of ``size`` finite values >= 0 (whole numbers with ``whole``)."""
    arr = _as_array(name, value)
    if arr.ndim != 1 or arr.size != size:
        raise _err(name, f"must be a 1-D array of length {size}", f"shape {arr.shape}")
    _check_array(name, arr, lo=0.0, whole=whole)
    return arr


def _polish(x, a, cost, target, cap, under_penalty, over_penalty, group, gmin, gmax,
            max_moves=10_000, drop=None, base=None, removable=None):
    """Apply single add/remove moves that lower the objective until none does.

    ``a`` is the CSC coverage of the modelled rows; ``target`` and ``cap`` are
    per row; ``group`` maps a column to its (template, day) bound pair.

    By default an agent added to or removed from column ``j`` adds or takes
    away ``a[:, j]``.  With ``drop`` (break windows), removing takes away
    ``drop[:, j]`` instead, coverage is ``base + a @ added - drop @ removed``
    and at most ``removable[j]`` agents leave column ``j``.  Returns ``(x,
    added, removed)``.
    """
    x = x.copy()
    ncol = a.shape[1]
    added, removed = np.zeros(ncol), np.zeros(ncol)
    col = np.repeat(np.arange(ncol), np.diff(a.indptr))
    rows, coef = a.indices, a.data
    if drop is None:
        dcol, drows, dcoef = col, rows, coef
    else:
        dcol = np.repeat(np.arange(ncol), np.diff(drop.indptr))
        drows, dcoef = drop.indices, drop.data
    tol = 1e-9 * max(1.0, float(cost.max(initial=0.0)))
    for _ in range(max_moves):
        cov = a @ x if drop is None else base + a @ added - drop @ removed
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
        e = (cov - target)[drows]
        d = np.maximum(-e, 0.0)
        more_under = np.maximum(dcoef - e, 0.0) - d
        less_over = np.maximum(e, 0.0) - np.maximum(e - dcoef, 0.0)
        gain_drop = (cost + over_penalty * np.bincount(dcol, less_over, ncol)
                     - under_penalty * np.bincount(dcol, more_under, ncol))
        left = x if removable is None else removable - removed
        gain_drop[(left < 0.5) | (x < 0.5) | (count[group] - 1 < gmin[group])] = -np.inf
        ja, jd = int(np.argmax(gain_add)), int(np.argmax(gain_drop))
        if max(gain_add[ja], gain_drop[jd]) <= tol:
            break
        if gain_add[ja] >= gain_drop[jd]:
            x[ja] += 1
            added[ja] += 1
        else:
            x[jd] -= 1
            removed[jd] += 1
    return x, added, removed


def _break_costs(a, aw, w_col, cov, target, under_penalty, over_penalty):
    """Per break variable: what its break adds to the objective for an agent added to its
    column (``add``), and for an agent removed from it, relative to removing one
    whose break is past the horizon (``drop``, lower is a better agent to remove)."""
    nr = a.shape[0]
    wv = np.repeat(np.arange(aw.shape[1]), np.diff(aw.indptr))
    rows = aw.indices
    # a[r, j] at each nonzero of a_w (a break lies inside its shift's time on duty).
    akeys = np.repeat(np.arange(a.shape[1]), np.diff(a.indptr)) * nr + a.indices
    want = w_col[wv] * nr + rows
    at = np.minimum(np.searchsorted(akeys, want), max(akeys.size - 1, 0))
    a_at = np.where(akeys[at] == want, a.data[at], 0.0) if akeys.size else np.zeros(rows.size)
    e = (cov - target)[rows]

    def f(e):
        return under_penalty * np.maximum(-e, 0.0) + over_penalty * np.maximum(e, 0.0)

    s = aw.data
    add = np.bincount(wv, f(e + a_at - s) - f(e + a_at), aw.shape[1])
    drop = np.bincount(wv, f(e - a_at + s) - f(e - a_at), aw.shape[1])
    return add, drop


def _polish_breaks(x, w, a, aw, w_col, w_link, nlink, cost, target, cap, under_penalty,
                   over_penalty, group, gmin, gmax, deadline, max_rounds=50):
    """:func:`_polish` with break windows, then the breaks re-placed, until no move helps.

    In a round, an agent added to column ``j`` takes each break at the
    offset where one more break costs least, and an agent removed from it is
    one whose breaks sit where they cost most (among offsets in use).  After
    the moves, every break is re-placed by :func:`_place` (kept if it lowers
    the objective).  Every step lowers the objective, so it ends.
    """
    nx, nw = x.size, w.size

    def objective(x, w):
        return float(cost @ x) + float(_objective_rows(
            a @ x - aw @ w, target, under_penalty, over_penalty).sum())

    for _ in range(max_rounds):
        cov = a @ x - aw @ w
        add_cost, drop_cost = _break_costs(a, aw, w_col, cov, target, under_penalty,
                                           over_penalty)
        # Per (column, window): the offset where an added agent's break costs least,
        # and the offset in use whose agent is the best to remove.
        order = np.lexsort((add_cost, w_link))
        first = np.ones(nw, dtype=bool)
        first[1:] = w_link[order][1:] != w_link[order][:-1]
        rep_add = order[first]                          # one per linking row, in row order
        used = w > 0.5
        order = np.lexsort((drop_cost, ~used, w_link))
        first = np.ones(nw, dtype=bool)
        first[1:] = w_link[order][1:] != w_link[order][:-1]
        rep_drop = order[first]
        s_add = sp.csc_array((np.ones(nlink), (rep_add, w_col[rep_add])), shape=(nw, nx))
        s_drop = sp.csc_array((np.ones(nlink), (rep_drop, w_col[rep_drop])), shape=(nw, nx))
        add_m = sp.csc_array(a - aw @ s_add)
        drop_m = sp.csc_array(a - aw @ s_drop)
        add_m.eliminate_zeros()
        drop_m.eliminate_zeros()
        add_m.sort_indices()
        drop_m.sort_indices()
        removable = x.copy()
        np.minimum.at(removable, w_col[rep_drop], w[rep_drop])
        x2, added, removed = _polish(x, add_m, cost, target, cap, under_penalty, over_penalty,
                                     group, gmin, gmax, drop=drop_m, base=cov,
                                     removable=removable)
        if not added.any() and not removed.any():
            break
        before = objective(x, w)
        w2 = w + s_add @ added - s_drop @ removed
        after = objective(x2, w2)
        x, w = x2, w2
        left = deadline - time.perf_counter()
        if left > 0:
            w3, status = _place(a, aw, w_col, w_link, x, target, cap, under_penalty,
                                over_penalty, left, w0=w)
            if status != 2 and objective(x, w3) < after - 1e-9 * max(1.0, abs(after)):
                w = w3
        if not objective(x, w) < before:       # cannot happen; guards the loop
            break
    return x, w


def _solve_windows(c, integrality, bounds, constraint, nx, time_limit, mip_rel_gap):
    """The program with break windows: LP relaxation, then a neighbourhood search, then
    the full MIP in the time left.

    With windows HiGHS's own heuristics find good schedules slowly (on a week
    of 15-minute intervals, a 2% worse one after 5 s).  So the LP relaxation
    is solved first (its optimum bounds the MIP's); then the MIP with every
    start count held between the floor and the ceiling of its LP value
    (Berthold's relaxation-enforced neighbourhood search, RENS), given half
    of the time; then, unless that schedule is already within
    ``mip_rel_gap`` of the LP bound, the full MIP in the time left.  The
    better schedule is kept, with the better bound.  Returns ``(solution,
    status, message, bound)``: status 0 when the solution is proved within
    ``mip_rel_gap``, 2 infeasible, 1 otherwise.
    """
    began = time.perf_counter()

    def left():
        return max(time_limit - (time.perf_counter() - began), 1e-3)

    opts = {"disp": False, "presolve": True}
    lp = milp(c, integrality=np.zeros_like(integrality), bounds=bounds, constraints=constraint,
              options={**opts, "time_limit": left()})
    if lp.status == 2:
        return None, 2, lp.message, None
    best, best_fun, bound, message = None, math.inf, -math.inf, lp.message
    if lp.x is not None:
        bound = float(lp.fun)
        lo, hi = bounds.lb.copy(), bounds.ub.copy()
        lo[:nx] = np.maximum(lo[:nx], np.floor(lp.x[:nx] + 1e-6))
        hi[:nx] = np.minimum(hi[:nx], np.ceil(lp.x[:nx] - 1e-6))
        rens = milp(c, integrality=integrality, bounds=Bounds(lo, hi), constraints=constraint,
                    options={**opts, "time_limit": left() / 2, "mip_rel_gap": mip_rel_gap})
        if rens.x is not None:
            best, best_fun, message = rens.x, float(rens.fun), rens.message

    def within(fun, bound):
        return fun - bound <= mip_rel_gap * max(abs(fun), 1e-12) + 1e-9

    if best is None or not within(best_fun, bound):
        full = milp(c, integrality=integrality, bounds=bounds, constraints=constraint,
                    options={**opts, "time_limit": left(), "mip_rel_gap": mip_rel_gap})
        if full.status == 2:
            return None, 2, full.message, None
        if full.x is not None and full.fun < best_fun:
            best, best_fun = full.x, float(full.fun)
        if full.mip_dual_bound is not None and math.isfinite(full.mip_dual_bound):
            bound = max(bound, float(full.mip_dual_bound))
        message = full.message
    if best is None:
        return None, 1, message, bound
    proved = within(best_fun, bound)
    if proved and "Optimal" not in str(message):
        message = "Optimal within mip_rel_gap of the LP bound (neighbourhood search)"
    return best, 0 if proved else 1, message, bound


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
        full).  The breaks of a template's :class:`BreakWindow` s are placed
        by the program, each agent's inside its windows (the result's
        ``breaks``).
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
        with ``optimal=False``, when it runs out.  With break windows the
        LP relaxation, the neighbourhood search and the full MIP share it.
    mip_rel_gap : float
        Relative optimality gap at which HiGHS stops (>= 0).  With break
        windows on a week of 15-minute intervals, 0.1% is rarely proved
        within a minute, while 0.5% usually is within seconds: pass
        ``mip_rel_gap=0.005`` to trade that half a percent for the time.

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

    A 9-hour shift from 09:00 with a one-hour unpaid lunch starting 3 to 5
    hours in; one agent is enough at 12:00 and at 13:00:

    >>> need[["2024-01-01 12:00", "2024-01-01 13:00"]] = 1.0
    >>> lunch = ShiftTemplate("day", 540, starts=("09:00",),
    ...                       breaks=(BreakWindow(60, 180, 300),))
    >>> res = schedule(need, [lunch], interval=60, hourly_cost=20.0)
    >>> res.breaks[["start", "break_start", "agents"]]
                    start         break_start  agents
    0 2024-01-01 09:00:00 2024-01-01 12:00:00       1
    1 2024-01-01 09:00:00 2024-01-01 13:00:00       1
    >>> res.paid_hours, res.shortfall
    (16.0, 0.0)
    """
    interval = _check_interval(interval)
    hourly_cost = _number("hourly_cost", hourly_cost, lo=0, lo_open=True)
    over_penalty = _number("over_penalty", over_penalty, lo=0)
    time_limit = _number("time_limit", time_limit, lo=0, lo_open=True, finite=False)
    mip_rel_gap = _number("mip_rel_gap", mip_rel_gap, lo=0)
    templates = _check_templates(templates)
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

    # Columns, break variables and the rows (intervals) they cover.
    model = coverage_model(templates, day0, ndays, interval)
    meta, nx, nw = model.meta, model.a.shape[1], model.a_w.shape[1]
    a_full, aw_full = model.a, model.a_w
    covered = np.zeros(n, dtype=bool)
    covered[a_full.indices] = True
    whole = np.ones(n, dtype=bool)
    for m in (a_full, aw_full):
        whole[m.indices[np.abs(m.data - np.round(m.data)) > _EPS]] = False
    target = np.where(whole, np.ceil(required - _EPS), required)
    cap_eff = np.where(whole, np.floor(cap + _EPS), cap)
    modelled = np.flatnonzero(covered)
    nr = modelled.size
    t_eff = np.minimum(target, cap_eff)[modelled]
    c_eff = cap_eff[modelled]
    a = sp.csc_array(a_full.tocsr()[modelled].tocsc())
    a.sort_indices()
    aw = sp.csc_array(aw_full.tocsr()[modelled].tocsc())
    aw.sort_indices()
    w_col = model.w_meta[:, 0]
    w_link = np.asarray(model.link.tocsc().indices) if nw else np.zeros(0, dtype=np.int64)
    nlink = model.link.shape[0]

    # (template, day) groups for min_agents / max_agents.
    group = meta[:, 0] * ndays + meta[:, 1]
    gmin = np.zeros(len(templates) * ndays)
    gmax = np.full(len(templates) * ndays, np.inf)
    for ti, t in enumerate(templates):
        gmin[ti * ndays:(ti + 1) * ndays] = t.min_agents
        if t.max_agents is not None:
            gmax[ti * ndays:(ti + 1) * ndays] = t.max_agents
    cost = shift_cost[meta[:, 0]]
    on_duty = np.asarray(a.sum(axis=0)).ravel()        # agent-intervals inside the horizon
    off_duty = np.asarray(aw.sum(axis=0)).ravel()      # ... taken by one break position
    if under_penalty is None:
        # Twice the dearest shift, with its surplus penalty as if all its time were surplus.
        under_penalty = 2.0 * float(np.max(cost + over_penalty * on_duty))
    bounded = np.flatnonzero((gmin > 0) | np.isfinite(gmax))
    bounded = bounded[np.isin(bounded, group)]

    # Variables x (starts), w (break positions), u (shortfall).  Rows: target <=
    # coverage + under <= cap.  The surplus is the row's slack, coverage + under -
    # target, so its penalty folds into the costs (minus a constant) and needs no
    # variables: HiGHS solves this form many times faster.
    nv = nx + nw + nr
    blocks = [sp.hstack([a, -aw, sp.identity(nr, format="csc")], format="csr")]
    lbs, ubs = [t_eff], [c_eff]
    if nw:      # Aykin's linking rows: each agent takes each break of its template once
        blocks.append(sp.hstack([-model.link_x, model.link, sp.csr_array((nlink, nr))],
                                format="csr"))
        lbs.append(np.zeros(nlink))
        ubs.append(np.zeros(nlink))
    if bounded.size:
        gi = np.flatnonzero(np.isin(group, bounded))
        g_row = np.searchsorted(bounded, group[gi])
        blocks.append(sp.csr_array((np.ones(gi.size), (g_row, gi)), shape=(bounded.size, nv)))
        lbs.append(gmin[bounded])
        ubs.append(gmax[bounded])
    constraint = LinearConstraint(sp.vstack(blocks, format="csr"),
                                  np.concatenate(lbs), np.concatenate(ubs))
    c = np.concatenate([cost + over_penalty * on_duty, -over_penalty * off_duty,
                        np.full(nr, under_penalty + over_penalty)])
    offset = over_penalty * float(t_eff.sum())
    bounds = Bounds(np.zeros(nv), np.concatenate([gmax[group], gmax[group[w_col]], t_eff]))
    integrality = np.concatenate([np.ones(nx), np.ones(nw), np.zeros(nr)])
    began = time.perf_counter()
    if nw:
        sol, status, message, bound = _solve_windows(c, integrality, bounds, constraint, nx,
                                                     time_limit, mip_rel_gap)
    else:
        res = milp(c, integrality=integrality, bounds=bounds, constraints=constraint,
                   options={"time_limit": time_limit, "mip_rel_gap": mip_rel_gap,
                            "disp": False, "presolve": True})
        sol, status, message, bound = res.x, res.status, res.message, res.mip_dual_bound
    if sol is not None:
        x = np.round(sol[:nx])
        w = np.round(sol[nx:nx + nw])
    elif status == 2:
        raise ValueError("'templates' min_agents cannot be met within 'max_on_duty': "
                         f"{message}")
    elif not gmin.any():
        x = np.zeros(nx)          # always feasible; the local search below builds on it
        w = np.zeros(nw)
    else:
        raise RuntimeError(f"no schedule found within 'time_limit' ({time_limit:g} s): "
                           f"{message}")
    if nw:
        x, w = _polish_breaks(x, w, a, aw, w_col, w_link, nlink, cost, t_eff, c_eff,
                              under_penalty, over_penalty, group, gmin, gmax,
                              deadline=began + time_limit)
    else:
        x = _polish(x, a, cost, t_eff, c_eff, under_penalty, over_penalty, group, gmin,
                    gmax)[0]

    # Report against the requirement as given.
    scheduled = np.zeros(n)
    cov_m = a @ x - aw @ w if nw else a @ x
    scheduled[modelled] = cov_m
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
    # Gap of the model objective (wage cost + penalties), after the local search.
    objective = (float(cost @ x) + under_penalty * float(np.maximum(t_eff - cov_m, 0).sum())
                 + over_penalty * float(np.maximum(cov_m - t_eff, 0).sum()))
    gap = (math.inf if bound is None or not math.isfinite(bound)
           else max(objective - (bound - offset), 0.0) / max(abs(objective), 1e-12))
    return ScheduleResult(
        starts=starts, coverage=coverage,
        shortfall=float(under.sum() * interval / 60.0),
        cost=float(cost @ x), paid_hours=float(model.paid_hours @ x),
        status=str(message), optimal=bool(status == 0), mip_gap=float(gap),
        breaks=_breaks_frame(model, w) if nw else _no_breaks())


def _breaks_frame(model, w):
    """The ``breaks`` table of :class:`ScheduleResult` from break counts ``w``."""
    used = np.flatnonzero(w > 0.5)
    j, k, off = model.w_meta[used].T
    ti, day, s = model.meta[j].T
    wins = [model.templates[t].breaks[b] for t, b in zip(ti, k)]
    start = model.day0 + pd.to_timedelta(day * DAY + s, unit="min")
    frame = pd.DataFrame({
        "template": [model.templates[t].name for t in ti], "start": start,
        "break": k.astype(np.int64), "break_start": start + pd.to_timedelta(off, unit="min"),
        "length": np.array([b.length for b in wins], dtype=np.int64),
        "paid": np.array([b.paid for b in wins], dtype=bool),
        "agents": w[used].astype(np.int64)})
    return frame.sort_values(["start", "template", "break", "break_start"], ignore_index=True)
