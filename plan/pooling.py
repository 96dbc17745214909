"""What cross-training buys: the groups of a plan and the pooling gain.

A multi-skill plan (:mod:`plan.routing`) is judged against the same demand
served by **dedicated groups**: :func:`dedicated_scenario` gives every queue
a group of its own (with the pay and shift templates of its home group) and
drops skills and overflow, so that no agent serves two queues.  Both plans
are scheduled against the same targets at their level and checked by
simulation on fresh random numbers; :func:`pooling_gain` compares their paid
hours, wages, targets met and each queue's simulated KPIs (what pooling
saves, and what it costs a low-priority queue).  :func:`group_summary` says,
per group of a plan, whom it serves and what its shifts cost.
"""

import dataclasses
from dataclasses import dataclass

import pandas as pd

from ccwfm import _validation as v

from .routing import routing
from .shift_plan import shift_paid_hours
from .summary import group_overview

__all__ = ["PoolingGain", "dedicated_scenario", "group_summary", "is_pooled", "pooling_gain"]

KPIS = ("service_level", "abandon_rate", "asa")
"""The simulated KPIs compared per queue (the plan summary's ``<kpi>_sim_plan``)."""


def is_pooled(scenario):
    """Whether some agent group of ``scenario`` serves several queues (skills,
    overflow or a shared ``group``): the case :func:`pooling_gain` is for.

    Examples
    --------
    >>> from ccwfm.plan.demo import demo_scenario
    >>> is_pooled(demo_scenario()), is_pooled(demo_scenario(multiskill=True))
    (False, True)
    """
    return any(len(qs) > 1 for qs in routing(scenario.queues, scenario.workforce)
               .scheduled().values())


def dedicated_scenario(scenario):
    """``scenario`` with every queue served by a group of its own.

    Each queue's group is named after the queue and takes the hourly cost and
    allowed shift templates of the queue's home group (:func:`plan.routing.routing`);
    skills, overflow and the home group's bounds on agents on duty (which are
    for the whole group) are dropped.  The demand, targets and everything
    else are unchanged.

    Parameters
    ----------
    scenario : plan.Scenario

    Returns
    -------
    plan.Scenario
        Named ``<name> (dedicated groups)``.

    Examples
    --------
    >>> from ccwfm.plan.demo import demo_scenario
    >>> sc = dedicated_scenario(demo_scenario(multiskill=True))
    >>> [(g.name, g.skills) for g in sc.workforce.groups]
    [('voice', ('voice',)), ('sales', ('sales',)), ('chat', ('chat',)), ('email', ('email',))]
    """
    from .scenario import GroupConfig, Scenario

    if not isinstance(scenario, Scenario):
        raise v.error("scenario", "must be a plan.Scenario", scenario)
    w = scenario.workforce
    home = routing(scenario.queues, w).home
    groups = []
    for q in scenario.queues:
        own = w.group(home[q.name])
        groups.append(GroupConfig(q.name, skills=(q.name,),
                                  hourly_cost=own.hourly_cost if own else None,
                                  shifts=own.shifts if own else ()))
    queues = tuple(dataclasses.replace(q, group=None) for q in scenario.queues)
    return dataclasses.replace(
        scenario, name=f"{scenario.name} (dedicated groups)", queues=queues,
        workforce=dataclasses.replace(w, groups=tuple(groups)))


def group_summary(result):
    """Per agent group of a plan: the queues it serves and what its shifts cost.

    Parameters
    ----------
    result : plan.PlanResult
        A plan run up to the schedule at least.

    Returns
    -------
    pandas.DataFrame
        ``group``, ``serves`` (queues in its priority order, overflow queues
        with their delay in seconds), ``home_of`` (the queues whose
        requirement it is scheduled for), ``shifts`` (agents' shifts over the
        horizon), ``paid_hours``, ``wages`` (in the scenario's currency) and
        ``paid_share`` (of all paid hours, 0-1).  Empty before the schedule.

    Examples
    --------
    >>> from ccwfm.plan import demo_scenario, run
    >>> res = run(demo_scenario(weeks=1, multiskill=True), steps=("forecast",))
    >>> group_summary(res).empty
    True
    """
    sh = result.shifts
    if sh is None or sh.empty:
        return pd.DataFrame()
    sc = result.scenario
    sh = sh.assign(paid=shift_paid_hours(sh, sc.workforce),
                   costed=shift_paid_hours(sh, sc.workforce, costed=True))
    by_group = sh.groupby("group")[["agents", "paid", "costed"]].sum()
    rows = []
    for g in group_overview(sc).itertuples(index=False):
        n, paid, costed = (by_group.loc[g.group] if g.group in by_group.index
                           else (0.0, 0.0, 0.0))
        rows.append({"group": g.group, "serves": g.serves, "home_of": g.home_of,
                     "shifts": float(n), "paid_hours": float(paid),
                     "wages": float(costed * g.hourly_cost)})
    out = pd.DataFrame(rows)
    total = out["paid_hours"].sum()
    out["paid_share"] = out["paid_hours"] / total if total > 0 else 0.0
    return out


@dataclass(frozen=True)
class PoolingGain:
    """A multi-skill plan against the same demand served by dedicated groups.

    Attributes
    ----------
    paid_hours, paid_hours_dedicated : float
        Paid hours of the shifts over the horizon.
    wages, wages_dedicated : float
        Their wages (the scenario's currency).
    targets_met, targets_met_dedicated : float or None
        Share of the periods (queue, target, day or week) meeting their
        target on fresh random numbers (integrated scheduling; ``None``
        with the two-step method).
    queues : pandas.DataFrame
        Per queue: ``target`` in words, and ``<kpi>_pooled``,
        ``<kpi>_dedicated`` for the simulated service level, abandonment and
        ASA (seconds) over the horizon, weighted by the contacts reaching agents.
    """

    paid_hours: float
    paid_hours_dedicated: float
    wages: float
    wages_dedicated: float
    targets_met: float | None
    targets_met_dedicated: float | None
    queues: pd.DataFrame

    @property
    def saving_pct(self):
        """Paid hours saved by pooling, in percent of the dedicated plan's."""
        if self.paid_hours_dedicated <= 0:
            return 0.0
        return 100.0 * (1.0 - self.paid_hours / self.paid_hours_dedicated)

    def to_frame(self):
        """The headline figures as a table: ``measure``, ``pooled``, ``dedicated``,
        ``difference`` (pooled minus dedicated)."""
        rows = [("paid hours", self.paid_hours, self.paid_hours_dedicated),
                ("wages", self.wages, self.wages_dedicated)]
        if self.targets_met is not None and self.targets_met_dedicated is not None:
            rows.append(("periods meeting their target", self.targets_met,
                         self.targets_met_dedicated))
        return pd.DataFrame([{"measure": m, "pooled": a, "dedicated": b, "difference": a - b}
                             for m, a, b in rows])


def _paid_and_wages(result):
    groups = group_summary(result)
    if groups.empty:
        return 0.0, 0.0
    return float(groups["paid_hours"].sum()), float(groups["wages"].sum())


def _met(result):
    a = result.attainment
    return float(a["met"].mean()) if a is not None and not a.empty else None


def pooling_gain(pooled, dedicated):
    """Compare a multi-skill plan with its dedicated-groups counterpart.

    Parameters
    ----------
    pooled : plan.PlanResult
        The plan of the multi-skill scenario (up to the schedule at least).
    dedicated : plan.PlanResult
        The plan of :func:`dedicated_scenario` of the same scenario, on the
        same demand.

    Returns
    -------
    PoolingGain

    Raises
    ------
    ValueError
        A plan without a schedule, or plans of different queues.
    """
    for name, res in (("pooled", pooled), ("dedicated", dedicated)):
        if getattr(res, "shifts", None) is None or res.shifts.empty:
            raise v.error(name, "must be a plan with a shift schedule", 
                          getattr(getattr(res, "scenario", None), "name", res))
    a = [q.name for q in pooled.scenario.queues]
    b = [q.name for q in dedicated.scenario.queues]
    if a != b:
        raise v.error("dedicated", f"must plan the same queues as the pooled plan ({a})", b)
    rows = []
    ps, ds = pooled.summary.set_index("queue"), dedicated.summary.set_index("queue")
    for q in pooled.scenario.queues:
        row = {"queue": q.name, "target": q.target.describe()}
        for k in KPIS:
            col = f"{k}_sim_plan"
            row[f"{k}_pooled"] = float(ps.at[q.name, col]) if col in ps.columns else float("nan")
            row[f"{k}_dedicated"] = (float(ds.at[q.name, col]) if col in ds.columns
                                     else float("nan"))
        rows.append(row)
    paid, wages = _paid_and_wages(pooled)
    paid_d, wages_d = _paid_and_wages(dedicated)
    return PoolingGain(paid, paid_d, wages, wages_d, _met(pooled), _met(dedicated),
                       pd.DataFrame(rows))
