"""Step 4b, achieved: the KPIs the shift schedule gives each queue, by formula and simulation.

A group's agents on duty, less shrinkage, are shared between its queues in
proportion to the agents each needs; each queue's share gives its service
level, ASA, abandonment and occupancy by Erlang A/C, and a simulation of the
horizon with that staffing gives the same KPIs as a real day would.
"""

import numpy as np
import pandas as pd

from ccwfm import erlang, simulate

from .verify import build_center

__all__ = ["SIMULATED", "achieved_kpis", "formula_kpis", "formula_metrics", "simulated_summary"]

SIMULATED = ("service_level", "asa", "abandon_rate", "wait_p90")
"""KPIs taken from the simulation, as ``<name>_sim`` columns."""


def _phones(queues, requirements, staffed, on_duty, owner, shrinkage):
    """Queue -> agents on the phones per interval with the schedule (whole agents)."""
    share = staffed.assign(group=staffed["queue"].map(owner))
    total = share.groupby(["group", "start"])["staffed"].transform("sum")
    share = share.assign(w=np.where(total > 0, share["staffed"] / total.where(total > 0, 1), 0))
    out = {}
    for q in queues:
        starts = requirements.loc[requirements["queue"] == q.name, "start"]
        sh = share[share["queue"] == q.name].set_index("start")["w"].reindex(starts)
        duty = on_duty[owner[q.name]].reindex(starts).fillna(0.0)
        agents = np.floor(duty.to_numpy() * (1.0 - shrinkage) * sh.fillna(0).to_numpy() + 1e-9)
        out[q.name] = agents.astype(np.int64)
    return out


def formula_metrics(queue, requirements, agents, interval):
    """Erlang metrics of ``queue`` (A with a patience, else C; chat by the slot model)
    with ``agents`` on the phones per row of its ``requirements`` (``agent_volume``,
    ``agent_aht``), measured at its target's time; ``interval`` in minutes."""
    return erlang.metrics(agents, requirements["agent_volume"], requirements["agent_aht"],
                          target_time=queue.target.measure_time, interval=interval * 60.0,
                          patience=queue.patience, concurrency=queue.concurrency,
                          concurrency_factor=queue.concurrency_factor)


def formula_kpis(queues, requirements, phones, *, interval):
    """Per queue and interval: ``agents`` on the phones (``phones[queue]``, in the
    order of the queue's rows of ``requirements``) and their formula
    ``service_level`` (on the target's basis), ``asa``, ``abandon_rate``, ``occupancy``."""
    frames = []
    for q in queues:
        r = requirements[requirements["queue"] == q.name].reset_index(drop=True)
        agents = phones[q.name]
        m = formula_metrics(q, r, agents, interval)
        sl = m.service_level_answered if q.target.basis == "answered" else m.service_level
        frames.append(pd.DataFrame({"queue": q.name, "start": r["start"], "agents": agents,
                                    "service_level": sl, "asa": m.asa,
                                    "abandon_rate": m.abandon_rate,
                                    "occupancy": m.occupancy}))
    return pd.concat(frames, ignore_index=True)


def achieved_kpis(queues, requirements, staffed, on_duty, owner, *, interval, shrinkage,
                  settings, routing=None):
    """Per queue and interval: agents on the phones with the schedule and their KPIs.

    Parameters
    ----------
    queues : sequence of plan.scenario.QueueConfig
    requirements : pandas.DataFrame
        The requirements step's table.
    staffed : pandas.DataFrame
        ``queue``, ``start``, ``staffed``: what each queue needed (the weights
        of the split of a group's agents).
    on_duty : dict
        Group -> agents on duty per interval start (a Series).
    owner : dict
        Queue -> the group serving it.
    interval : int
        Interval length in minutes.
    shrinkage : float
        Share of paid time off the phones.
    settings : plan.scenario.Simulation
        With ``verify``, the schedule is simulated too.
    routing : plan.routing.Routing, optional
        How contacts reach the groups (skills in priority order, overflow):
        the simulation routes them so, each group with its whole agents on the
        phones, and each queue's simulated KPIs are what it gets from every
        group serving it.  Without, each queue is simulated with its share of
        its group's agents (the formula's split).

    Returns
    -------
    (pandas.DataFrame, SimulationResult or None)
        ``queue``, ``start``, ``agents``, formula ``service_level``, ``asa``,
        ``abandon_rate``, ``occupancy`` and, when simulated, the
        :data:`SIMULATED` KPIs as ``<name>_sim``; and the simulation.
    """
    phones = _phones(queues, requirements, staffed, on_duty, owner, shrinkage)
    out = formula_kpis(queues, requirements, phones, interval=interval)
    if not settings.verify:
        return out, None
    if routing is not None:
        starts = requirements.loc[requirements["queue"] == queues[0].name, "start"]
        group_phones = {g: np.floor(on_duty[g].reindex(starts).fillna(0.0).to_numpy()
                                    * (1.0 - shrinkage) + 1e-9) for g in routing.groups}
        center = routing.center(queues, requirements, routing.staffing(group_phones, phones),
                                interval=interval)
    else:
        center = build_center(queues, requirements, phones, interval=interval)
    res = simulate.simulate(center, replications=settings.replications, seed=settings.seed,
                            progress=False)
    table = res.intervals
    for name in SIMULATED:
        out[f"{name}_sim"] = np.nan
    for q in queues:
        t = table[table["queue"] == q.name].reset_index(drop=True)
        sel = out["queue"] == q.name
        for name in SIMULATED:
            out.loc[sel, f"{name}_sim"] = t[name].to_numpy()
    return out, res


def simulated_summary(queue, res):
    """The horizon's simulated KPIs of ``queue`` against its targets, in words.

    Examples: ``service level 93.7% (target 80% in 20 s), abandonment 2.1%
    (target 5%)``.
    """
    s = res.summary
    s = s[s["queue"] == queue.name].set_index("metric")["mean"]
    t = queue.target
    said = []
    if t.service_level is not None:
        said.append(f"service level {s['service_level']:.1%} (target "
                    f"{t.service_level:.0%} in {t.target_time:g} s)")
    if t.asa is not None:
        said.append(f"ASA {s['asa']:,.0f} s (target {t.asa:,.0f} s)")
    if t.abandon_rate is not None and queue.patience is not None:
        said.append(f"abandonment {s['abandon_rate']:.1%} (target {t.abandon_rate:.0%})")
    if not said:
        said.append(f"service level {s['service_level']:.1%}")
    return ", ".join(said)
