"""Step 4, shifts: the least-cost shift schedule of every agent group.

:func:`plan_shifts` turns the agents each queue needs on the phones into
agents on shift per group (a group serves the queues of its skills; a queue
nobody serves has a group of its own), grosses them up by shrinkage, and
solves each group's schedule with :func:`plan.schedule.schedule` (HiGHS).
:func:`weekly_paid_hours` sums the schedule's paid hours by week for the
capacity step.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .routing import routing
from .schedule import schedule

__all__ = ["ShiftPlan", "agent_groups", "plan_shifts", "shift_paid_hours", "weekly_paid_hours"]

TIME_LIMIT = 60.0
"""Seconds HiGHS may spend on one group's schedule."""


@dataclass(frozen=True)
class ShiftPlan:
    """The schedule of every group.

    Attributes
    ----------
    coverage : pandas.DataFrame
        Per group and interval of the horizon: ``required`` (agents on
        shift, after shrinkage), ``scheduled`` (agents on duty), ``over``,
        ``under``.
    shifts : pandas.DataFrame
        Shift starts: ``group``, ``template``, ``start``, ``agents``.
    wages : float
        Wage cost of the shifts.
    paid_hours : dict
        Group -> paid hours.
    shortfall : dict
        Group -> agent-hours the schedule leaves short.
    optimal : dict
        Group -> whether HiGHS proved its schedule optimal.
    breaks : pandas.DataFrame or None
        Breaks the optimiser placed in their windows: ``group``,
        ``template``, ``start`` (the shift's), ``break`` (window index),
        ``break_start``, ``length`` (minutes), ``paid``, ``agents``.
    """

    coverage: pd.DataFrame
    shifts: pd.DataFrame
    wages: float
    paid_hours: dict
    shortfall: dict
    optimal: dict
    breaks: pd.DataFrame | None = None

    def on_duty(self, group):
        """Agents of ``group`` on duty per interval start (a Series)."""
        cov = self.coverage[self.coverage["group"] == group]
        return cov.set_index("start")["scheduled"]


def agent_groups(queues, workforce):
    """``(groups, owner)``: group name -> its :class:`GroupConfig` (``None`` for a
    queue's own group), and queue name -> its home group, the one scheduled for
    its requirement (:func:`plan.routing.routing`)."""
    r = routing(queues, workforce)
    configs = {g.name: g for g in workforce.groups}
    return {g: configs.get(g) for g in r.groups}, dict(r.home)


def _to_schedule(need, floor, shrinkage):
    """Whole agents on shift: 10 on the phones at 10% shrinkage need 12 on shift
    (11.1 rounded up), or the phones would be short; at least ``floor`` in
    every interval with demand."""
    out = np.ceil(need / (1.0 - shrinkage) - 1e-9)
    if floor:
        out = pd.Series(np.where(need > 0, np.maximum(out, floor), 0.0), index=need.index)
    return out


def plan_shifts(staffed, queues, workforce, *, start, end, progress=None):
    """Schedule every agent group to cover what its queues need.

    Parameters
    ----------
    staffed : pandas.DataFrame
        ``queue``, ``start``, ``staffed``: agents needed on the phones per
        queue and interval (after the simulation check, if any).
    queues : sequence of plan.scenario.QueueConfig
    workforce : plan.scenario.Workforce
        Interval, shrinkage, groups, shift templates, pay, bounds on agents.
    start, end : date-like
        The horizon (``end`` excluded); coverage is reported inside it.
    progress : callable, optional
        ``progress(done, total, message)`` after each group.

    Returns
    -------
    ShiftPlan
    """
    groups, owner = agent_groups(queues, workforce)
    shrink = workforce.total_shrinkage
    need = staffed.assign(group=staffed["queue"].map(owner))
    need = need.groupby(["group", "start"], sort=True)["staffed"].sum().reset_index()
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    coverage, shifts, wages, paid, short, optimal = [], [], 0.0, {}, {}, {}
    breaks = []
    for i, (name, cfg) in enumerate(groups.items()):
        g_need = need[need["group"] == name].set_index("start")["staffed"]
        if g_need.empty:
            # Home of no queue (a cross-trained or overflow group): nothing to cover
            # here; integrated scheduling plans it with the groups it helps.
            paid[name], short[name], optimal[name] = 0.0, 0.0, True
            continue
        floor = (cfg.min_agents if cfg else 0) or workforce.min_agents
        cap = (cfg.max_agents if cfg and cfg.max_agents else None) or workforce.max_agents
        cost = cfg.hourly_cost if cfg and cfg.hourly_cost is not None else workforce.hourly_cost
        res = schedule(_to_schedule(g_need, floor, shrink), workforce.templates(cfg),
                       interval=workforce.interval, hourly_cost=max(cost, 1e-6),
                       max_on_duty=cap, time_limit=TIME_LIMIT)
        cov = res.coverage.assign(group=name)
        coverage.append(cov[(cov["start"] >= start) & (cov["start"] < end)])
        shifts.append(res.starts.assign(group=name))
        brk = getattr(res, "breaks", None)
        if brk is not None and len(brk):
            breaks.append(brk.assign(group=name))
        wages += res.cost if cost > 0 else 0.0
        paid[name], short[name], optimal[name] = res.paid_hours, res.shortfall, res.optimal
        if progress is not None:
            progress(i + 1, len(groups),
                     f"schedule {name}: {int(res.starts['agents'].sum())} shifts, "
                     f"{res.paid_hours:,.0f} paid hours, shortfall {res.shortfall:,.1f} "
                     f"agent-hours{'' if res.optimal else ' (best found within the time limit)'}")
    coverage = pd.concat(coverage, ignore_index=True)[
        ["group", "start", "required", "scheduled", "over", "under"]]
    shifts = pd.concat(shifts, ignore_index=True)
    if not shifts.empty:
        shifts = shifts[["group", "template", "start", "agents"]]
    breaks = pd.concat(breaks, ignore_index=True) if breaks else pd.DataFrame()
    if not breaks.empty:
        breaks = breaks[["group"] + [c for c in breaks.columns if c != "group"]]
    return ShiftPlan(coverage, shifts, float(wages), paid, short, optimal, breaks)


def shift_paid_hours(shifts, workforce, *, costed=False):
    """Paid hours of each row of a shift table (``template``, ``agents``): the agents
    times their template's paid hours (with ``costed``, times its cost factor too,
    the cost in hourly wages); a Series aligned with ``shifts``.

    Templates are found by name among the scenario's (every group's templates are
    some of them).
    """
    templates = {t.name: t for t in workforce.templates(None)}
    per = shifts["template"].map(lambda n: templates[n].paid_hours
                                 * (templates[n].cost_factor if costed else 1.0))
    return per.astype(float) * shifts["agents"]


def weekly_paid_hours(shifts, queues, workforce, *, start, end):
    """Paid hours of the shifts by week (Monday), every week the horizon touches.

    A horizon starting mid-week spills into one more week.  A shift belongs
    to the week it starts in.

    Returns
    -------
    pandas.Series
        Paid hours indexed by Monday (midnight).
    """
    start = pd.Timestamp(start)
    last_day = pd.Timestamp(end) - pd.Timedelta(days=1)
    weeks = pd.date_range(start - pd.Timedelta(days=start.weekday()),
                          last_day - pd.Timedelta(days=last_day.weekday()), freq="7D")
    if shifts.empty:
        return pd.Series(0.0, index=weeks)
    paid = shift_paid_hours(shifts, workforce)
    wk = shifts["start"] - pd.to_timedelta(shifts["start"].dt.day_of_week, unit="D")
    return paid.groupby(wk.dt.normalize()).sum().reindex(weeks, fill_value=0.0)
