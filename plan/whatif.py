"""Fast what-if staffing: requirements, FTE, KPIs and cost of a scenario on a
forecast already made, by formula only (Erlang A/C), in well under a second.

The full pipeline (:func:`plan.run`) adds the simulation check, the shift
schedule and the capacity plan, and takes tens of seconds; a planner trying
bot containment, AHT, targets, shrinkage, concurrency or patience wants an
answer at once.  :func:`forecast_demand` makes the forecast once (the slow
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

import numpy as np
import pandas as pd

from .pipeline import _demand_on_grid, _history_for, weighted_mean
from .pipeline import forecast_demand as _forecast_demand
from .requirements import queue_requirements

__all__ = ["QuickPlan", "demand_history", "forecast_demand", "quick_plan"]


def forecast_demand(scenario, base_dir=".", log=None):
    """Volume and AHT forecast of every queue of ``scenario`` over its horizon.

    Parameters
    ----------
    scenario : plan.Scenario
    base_dir : str or Path
        Folder that relative file names in the scenario refer to.
    log : callable, optional
        Receives a line per queue (the model chosen and its backtest wMAPE).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The forecast (``queue``, ``start``, ``forecast``, ``lo_80``, ``hi_80``,
        ``lo_95``, ``hi_95``, ``aht``; contacts per interval, seconds) and
        per queue every candidate model's backtest scores (``wmape``,
        ``mase``, ``bias``), best first, ``chosen`` marking the one used.
    """
    return _forecast_demand(scenario, base_dir, log or (lambda msg: None))


def demand_history(scenario, base_dir="."):
    """The history each queue's forecast is made from, as one long frame.

    Parameters
    ----------
    scenario : plan.Scenario
    base_dir : str or Path
        Folder that relative file names in the scenario refer to.

    Returns
    -------
    pandas.DataFrame
        ``queue``, ``start``, ``volume`` (contacts per interval), ``aht``
        (seconds), ``abandoned``; queues planned on a given forecast have no
        rows.
    """
    frames = [_history_for(scenario, q, base_dir).frame for q in scenario.queues
              if not q.forecast]
    cols = ["queue", "start", "volume", "aht", "abandoned"]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    return out[[c for c in cols if c in out.columns]]


@dataclass(frozen=True)
class QuickPlan:
    """Formula staffing of a scenario (see :func:`quick_plan`).

    Attributes
    ----------
    requirements : pandas.DataFrame
        Per queue and interval, as :func:`plan.queue_requirements` returns.
    summary : pandas.DataFrame
        Per queue: ``offered``, ``contained``, ``to_agents`` (contacts over
        the horizon), ``agent_hours`` (on the phones), ``paid_hours``
        (grossed up by shrinkage), ``fte`` (paid hours per week over
        ``capacity.fte_hours``), ``peak_agents`` (on the phones), and the
        volume-weighted formula ``service_level``, ``asa`` (seconds),
        ``abandon_rate``, ``occupancy``.
    fte : float
        Total FTE: paid hours per week of the horizon / hours of one FTE.
    cost : pandas.DataFrame
        ``item``, ``cost``: wages, bot contacts, abandoned contacts, total.
    """

    requirements: pd.DataFrame
    summary: pd.DataFrame
    fte: float
    cost: pd.DataFrame

    @property
    def total_cost(self):
        """The horizon's total cost (the ``total`` row of :attr:`cost`)."""
        return float(self.cost.loc[self.cost["item"] == "total", "cost"].iloc[0])


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
        :func:`forecast_demand` returns.

    Returns
    -------
    QuickPlan

    Raises
    ------
    ValueError
        A queue of the scenario has no rows in ``forecast``.
    """
    w = scenario.workforce
    shrink = w.total_shrinkage
    known = set(forecast["queue"].unique()) if "queue" in forecast.columns else set()
    reqs = []
    for q in scenario.queues:
        if q.name not in known:
            raise ValueError(f"'forecast' has no rows for queue {q.name!r}")
        reqs.append(queue_requirements(_demand_on_grid(scenario, forecast, q), q,
                                       interval=w.interval, shrinkage=shrink))
    req = pd.concat(reqs, ignore_index=True)
    hours = w.interval / 60.0
    weeks = scenario.weeks
    fte_hours = scenario.capacity.fte_hours
    rows = []
    for q in scenario.queues:
        r = req[req["queue"] == q.name]
        vol = r["agent_volume"].to_numpy()
        agent_hours = float(r["required"].sum()) * hours
        paid = float(r["scheduled"].sum()) * hours
        rows.append({
            "queue": q.name, "offered": float(r["volume"].sum()),
            "contained": float(r["contained"].sum()), "to_agents": float(vol.sum()),
            "agent_hours": agent_hours, "paid_hours": paid,
            "fte": paid / weeks / fte_hours, "peak_agents": float(r["required"].max()),
            "service_level": weighted_mean(r["service_level"], vol),
            "asa": weighted_mean(r["asa"], vol),
            "abandon_rate": weighted_mean(r["abandon_rate"], vol),
            "occupancy": weighted_mean(r["occupancy"], r["required"] * 1.0)})
    summary = pd.DataFrame(rows)
    f = scenario.finance
    abandoned = float(np.nansum(req["agent_volume"] * req["abandon_rate"]))
    items = [("wages", float(summary["paid_hours"].sum()) * w.hourly_cost),
             ("bot contacts", float(req["contained"].sum()) * f.bot_contact_cost),
             ("abandoned contacts", abandoned * f.abandon_cost)]
    cost = pd.DataFrame(items, columns=["item", "cost"])
    cost.loc[len(cost)] = ("total", float(cost["cost"].sum()))
    return QuickPlan(requirements=req, summary=summary, fte=float(summary["fte"].sum()),
                     cost=cost)
