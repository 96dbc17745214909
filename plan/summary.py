"""Headline figures per queue, for reports, the command line and the dashboard.

Every KPI over many intervals is a volume-weighted mean (:func:`weighted_mean`):
an interval with 200 contacts counts 200 times one with 1.  The dashboard
shows these tables; it computes none of them.
"""

import numpy as np
import pandas as pd

from .routing import routing

__all__ = ["plan_summary", "quick_summary", "scenario_overview", "verification_summary",
           "weighted_mean"]


def weighted_mean(values, weights):
    """Mean of the finite ``values`` weighted by positive ``weights`` (NaN if none).

    Examples
    --------
    >>> weighted_mean([0.9, 0.5, float("nan")], [3, 1, 5])
    0.8
    """
    x = np.asarray(values, float)
    w = np.asarray(weights, float)
    ok = np.isfinite(x) & (w > 0)
    return float(np.average(x[ok], weights=w[ok])) if ok.any() else float("nan")


def plan_summary(queues, requirements, achieved, *, interval):
    """Per queue: contacts, agent-hours required and the KPIs the plan achieves.

    Parameters
    ----------
    queues : sequence of plan.scenario.QueueConfig
    requirements : pandas.DataFrame
        The requirements step's table.
    achieved : pandas.DataFrame or None
        :func:`plan.achieved.achieved_kpis`' table, if the schedule was made.
    interval : int
        Interval length in minutes.

    Returns
    -------
    pandas.DataFrame
        ``queue``, ``offered``, ``contained``, ``to_agents`` (contacts over the
        horizon), ``agent_hours_required``, and with a schedule
        ``<kpi>_plan`` (formula) and ``<kpi>_sim_plan`` (simulated) for
        ``service_level``, ``abandon_rate`` and ``asa``, weighted by the
        contacts reaching agents.
    """
    rows = []
    for q in queues:
        r = requirements[requirements["queue"] == q.name]
        vol = r["agent_volume"]
        row = {"queue": q.name, "offered": r["volume"].sum(), "contained": r["contained"].sum(),
               "to_agents": vol.sum(),
               "agent_hours_required": r["required"].sum() * interval / 60}
        if achieved is not None and not achieved.empty:
            a = achieved[achieved["queue"] == q.name]
            w = vol.to_numpy()
            for name in ("service_level", "abandon_rate", "asa"):
                for suffix in ("", "_sim"):
                    col = name + suffix
                    if col in a.columns:
                        row[f"{col}_plan"] = weighted_mean(a[col], w)
        rows.append(row)
    return pd.DataFrame(rows)


def quick_summary(queues, requirements, *, interval, weeks, fte_hours):
    """Per queue: the formula staffing's contacts, hours, FTE and KPIs.

    Returns
    -------
    pandas.DataFrame
        ``queue``, ``offered``, ``contained``, ``to_agents`` (contacts over
        the horizon), ``agent_hours`` (on the phones), ``paid_hours``
        (grossed up by shrinkage), ``fte`` (paid hours per week over
        ``fte_hours``), ``peak_agents`` (on the phones), and the
        volume-weighted formula ``service_level``, ``asa`` (seconds),
        ``abandon_rate``, ``occupancy`` (weighted by agents).
    """
    hours = interval / 60.0
    rows = []
    for q in queues:
        r = requirements[requirements["queue"] == q.name]
        vol = r["agent_volume"].to_numpy()
        paid = float(r["scheduled"].sum()) * hours
        rows.append({
            "queue": q.name, "offered": float(r["volume"].sum()),
            "contained": float(r["contained"].sum()), "to_agents": float(vol.sum()),
            "agent_hours": float(r["required"].sum()) * hours, "paid_hours": paid,
            "fte": paid / weeks / fte_hours, "peak_agents": float(r["required"].max()),
            "service_level": weighted_mean(r["service_level"], vol),
            "asa": weighted_mean(r["asa"], vol),
            "abandon_rate": weighted_mean(r["abandon_rate"], vol),
            "occupancy": weighted_mean(r["occupancy"], r["required"] * 1.0)})
    return pd.DataFrame(rows)


def verification_summary(verification, *, interval):
    """Per queue: formula, simulated and corrected KPIs over the horizon.

    Parameters
    ----------
    verification : pandas.DataFrame
        :attr:`plan.Verification.table` (``PlanResult.verification``).
    interval : int
        Interval length in minutes.

    Returns
    -------
    pandas.DataFrame
        ``queue``, ``service_level_formula``, ``service_level_sim``,
        ``service_level_corrected``, the same for ``abandon_rate`` (intervals
        weighted by their formula agents), ``agent_hours_formula`` and
        ``agent_hours_corrected``.
    """
    rows = []
    for q, g in verification.groupby("queue", sort=False):
        row = {"queue": q}
        w = g["required"].clip(lower=0) + 1e-9
        for col in ("service_level_formula", "service_level_sim", "service_level_corrected",
                    "abandon_rate_formula", "abandon_rate_sim", "abandon_rate_corrected"):
            if col in g.columns:
                row[col] = weighted_mean(g[col], w)
        row["agent_hours_formula"] = g["required"].sum() * interval / 60
        row["agent_hours_corrected"] = g["staffed"].sum() * interval / 60
        rows.append(row)
    return pd.DataFrame(rows)


def group_overview(scenario):
    """Per agent group of ``scenario`` (:func:`plan.routing.routing`): the queues it
    serves in priority order (overflow queues with their delay), the queues it
    is the home group of, its pay and bounds.

    Returns
    -------
    pandas.DataFrame
        ``group``, ``serves``, ``home_of``, ``hourly_cost`` (the scenario's
        currency per paid hour), ``min_agents``, ``max_agents`` (on duty;
        NaN: no bound), ``shifts`` (allowed templates; empty: all).

    Examples
    --------
    >>> from ccwfm.plan.demo import demo_scenario
    >>> group_overview(demo_scenario(multiskill=True))[["group", "serves"]].values.tolist()
    [['voice', 'voice'], ['sales', 'sales'], ['blend', 'sales, voice'], ['digital', 'chat, email']]
    """
    w = scenario.workforce
    r = routing(scenario.queues, w)
    rows = []
    for g in r.scheduled():
        cfg = w.group(g)
        parts = [sk for name, sk in r.skills.items()
                 if name == g or (name in r.split and r.home[r.split[name]] == g)]
        serves = [q if after == 0 else f"{q} (after {after:g} s)"
                  for sk in parts for q, after in sk]
        rows.append({"group": g, "serves": ", ".join(serves),
                     "home_of": ", ".join(q for q, h in r.home.items() if h == g),
                     "hourly_cost": (cfg.hourly_cost if cfg is not None and
                                     cfg.hourly_cost is not None else w.hourly_cost),
                     "min_agents": cfg.min_agents if cfg is not None else w.min_agents,
                     "max_agents": (float(cfg.max_agents) if cfg is not None and
                                    cfg.max_agents is not None else float("nan")),
                     "shifts": ", ".join(cfg.shifts) if cfg is not None else ""})
    return pd.DataFrame(rows)


def scenario_overview(scenario):
    """Per queue of ``scenario``: channel, bot containment, patience, concurrency,
    home group (:func:`plan.routing.routing`), the groups serving it, and targets in words."""
    r = routing(scenario.queues, scenario.workforce)
    return pd.DataFrame([{"queue": q.name, "channel": q.channel,
                          "bot containment": q.bot.containment if q.bot else 0.0,
                          "patience (s)": q.patience, "concurrency": q.concurrency,
                          "group": r.home[q.name], "served by": ", ".join(r.serving(q.name)),
                          "target": q.target.describe()}
                         for q in scenario.queues])
