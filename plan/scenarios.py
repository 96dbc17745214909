"""Scenarios side by side: the base and its variants, run on Dask."""

import os

import dask
import pandas as pd

from ccwfm import _validation as v

from . import pipeline
from .pipeline import _check_scenario
from .costs import COST_ITEMS

__all__ = ["compare"]


def _run_one(scenario, base_dir):
    """One scenario's headline figures (a plain dict, cheap to ship between processes)."""
    res = pipeline.run(scenario, base_dir=base_dir)
    row = {"scenario": scenario.name, "peak_fte": res.peak_fte,
           "scheduled_agent_hours": float(res.coverage["scheduled"].sum()
                                          * scenario.workforce.interval / 60.0)}
    for item in COST_ITEMS:
        row[f"cost_{item}"] = float(getattr(res.costs, item))
    row["cost_total"] = res.total_cost
    for _, s in res.summary.iterrows():
        q = s["queue"]
        for name in ("service_level", "abandon_rate", "asa"):
            col = f"{name}_sim_plan" if f"{name}_sim_plan" in s.index else f"{name}_plan"
            if col in s.index:
                row[f"{q}_{name}"] = float(s[col])
    return row


def compare(scenario, *, base_dir=".", scheduler=None, log=None):
    """Run the base scenario and every variant and put their figures side by side.

    Parameters
    ----------
    scenario : plan.scenario.Scenario
        The base; its ``variants`` are the others.
    base_dir : str or Path
        Folder relative file names refer to.
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://host:8786``); by
        default the scenarios run in this process on Dask's threaded
        scheduler.
    log : callable, optional
        Receives a line per scenario submitted.

    Raises
    ------
    ValueError
        A bad argument or variant, before any scenario is submitted.

    Returns
    -------
    pandas.DataFrame
        One row per scenario: peak FTE, scheduled agent-hours, costs by item
        and per queue the service level, abandonment and ASA the schedule
        achieves (simulated when the scenario verifies by simulation).
    """
    _check_scenario(scenario)
    if not isinstance(base_dir, (str, os.PathLike)):
        raise v.error("base_dir", "must be a folder name", base_dir)
    if scheduler is not None:
        v.text("scheduler", scheduler)
    if log is not None and not callable(log):
        raise v.error("log", "must be callable or None", log)
    scenarios = scenario.variant_scenarios()
    tasks = [dask.delayed(_run_one)(sc, str(base_dir)) for sc in scenarios]
    if log is not None:
        for sc in scenarios:
            log(f"scenario {sc.name!r} submitted")
    if scheduler is None:
        rows = dask.compute(*tasks, scheduler="threads")
    else:
        from distributed import Client
        with Client(scheduler) as client:
            rows = dask.compute(*tasks, scheduler=client)
    return pd.DataFrame(list(rows))
