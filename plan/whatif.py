"""Fast what-if staffing: requirements, FTE, KPIs and cost of a scenario on a
forecast already made, by formula only (Erlang A/C), in well under a second.

The full pipeline (:func:`plan.run`) adds the simulation check, the shift
schedule and the capacity plan, and takes tens of seconds; a planner trying
bot containment, AHT, targets, shrinkage, concurrency or patience wants an
answer at once.  :func:`plan.forecast_demand` makes the forecast once (the slow
part, which these inputs do not change) and :func:`quick_plan` staffs it for
any variant of the scenario.

Examples
--------
>>> from ccwfm.plan import demo_scenario, forecast_demand, quick_plan
>>> sc = demo_scenario(weeks=1)
>>> fc, models = forecast_demand(sc)                      # doctest: +SKIP
>>> base = quick_plan(sc, fc)                             # doctest: +SKIP
>>> bot40 = quick_plan(sc.with_overrides({"queues.voice.bot.containment": 0.4}), fc)
...                                                       # doctest: +SKIP
>>> bot40.fte < base.fte                                  # doctest: +SKIP
True
"""

from dataclasses import dataclass

import pandas as pd

from .costs import Costs, plan_costs
from .demand import horizon_grid
from .pipeline import _check_scenario, check_forecast
from .requirements import requirements as staff_requirements
from .summary import quick_summary

__all__ = ["QuickPlan", "quick_plan"]


@dataclass(frozen=True)
class QuickPlan:
    """Formula staffing of a scenario (see :func:`quick_plan`).

    Attributes
    ----------
    requirements : pandas.DataFrame
        Per queue and interval, as :func:`plan.queue_requirements` returns.
    summary : pandas.DataFrame
        Per queue, as :func:`plan.summary.quick_summary` returns: contacts,
        agent and paid hours, FTE, peak agents and the volume-weighted
        formula KPIs.
    fte : float
        Total FTE: paid hours per week of the horizon / hours of one FTE.
    cost : Costs
        Wages (paid hours x hourly cost), bot contacts, abandoned contacts
        (by formula); no hiring.
    """

    requirements: pd.DataFrame
    summary: pd.DataFrame
    fte: float
    cost: Costs

    @property
    def total_cost(self):
        """The horizon's total cost."""
        return self.cost.total


def quick_plan(scenario, forecast):
    """Required agents, FTE, formula KPIs and cost of ``scenario`` on ``forecast``.

    Parameters
    ----------
    scenario : plan.Scenario
        Its queues' bot, AHT scale, percentile, patience, concurrency and
        targets, and its shrinkage, pay and finance are applied; the demand
        sources are not read again.
    forecast : pandas.DataFrame
        A forecast of the scenario's queues over its horizon, as
        :func:`plan.forecast_demand` returns.

    Returns
    -------
    QuickPlan

    Raises
    ------
    ValueError
        ``scenario`` is not a :class:`plan.Scenario`, or ``forecast`` is not
        one its queues can be staffed on (see :func:`plan.pipeline.check_forecast`:
        a queue without rows, repeated or non-date starts, negative or NaN
        volumes, volumes or scaled AHT above the limits 'volume' and 'aht');
        nothing is computed then.
    """
    check_forecast(_check_scenario(scenario), forecast)
    w = scenario.workforce
    grid = horizon_grid(scenario.start, scenario.end, w.interval)
    req = staff_requirements(scenario.queues, forecast, grid, interval=w.interval,
                             shrinkage=w.total_shrinkage)
    summary = quick_summary(scenario.queues, req, interval=w.interval, weeks=scenario.weeks,
                            fte_hours=scenario.capacity.fte_hours)
    cost = plan_costs(req, req["abandon_rate"],
                      wages=float(summary["paid_hours"].sum()) * w.hourly_cost, hiring=0.0,
                      finance=scenario.finance)
    return QuickPlan(requirements=req, summary=summary, fte=float(summary["fte"].sum()),
                     cost=cost)
