"""Step 2, requirements: agents required per queue and interval, by Erlang A or C.

:func:`requirements` staffs every queue of a plan on the horizon's grid (the
full plan and the fast what-if both call it); :func:`queue_requirements`
staffs one queue's demand.
"""

import numpy as np
import pandas as pd

from ccwfm import erlang

from .backlog import backlog_lp, positive_aht
from .demand import demand_on_grid
from .least_cost import queue_deadlines

__all__ = ["group_requirements", "queue_requirements", "requirements"]


def queue_requirements(demand, queue, *, interval, shrinkage):
    """Required agents of one queue per interval, with the KPIs they give.

    The bot in front takes its contained and abandoning share of the
    contacts; escalated ones take ``uplift`` times longer.  Agents are the
    fewest meeting every target of the queue under Erlang A when the queue
    has a patience, else Erlang C, with chat concurrency by the slot model;
    scheduled agents gross them up by the shrinkage.

    Parameters
    ----------
    demand : pandas.DataFrame
        ``start``, ``volume`` (contacts offered per interval) and ``aht``
        (seconds) of this queue.
    queue : plan.scenario.QueueConfig
        The queue's bot, patience, concurrency and targets.
    interval : int
        Interval length in minutes.
    shrinkage : float
        Share of paid time off the phones.

    Returns
    -------
    pandas.DataFrame
        ``queue``, ``start``, ``volume``, ``aht``, ``agent_volume``,
        ``agent_aht`` (what reaches agents), ``contained`` (contacts the bot
        resolves), ``required`` (agents on the phones), ``scheduled``
        (``required / (1 - shrinkage)``, fractional agents to put on the
        schedule) and the formula KPIs ``service_level``, ``asa``,
        ``abandon_rate``, ``occupancy``.
    """
    volume = demand["volume"].to_numpy(float)
    aht = demand["aht"].to_numpy(float)
    bot = queue.bot
    if bot is not None:
        agent_volume, agent_aht = erlang.deflect(volume, aht, bot.containment + bot.abandon,
                                                 bot.uplift)
        contained = volume * bot.containment
    else:
        agent_volume, agent_aht, contained = volume, aht, np.zeros_like(volume)
    t = queue.target
    seconds = interval * 60.0
    kw = dict(interval=seconds, patience=queue.patience, concurrency=queue.concurrency,
              concurrency_factor=queue.concurrency_factor)
    erlang_target = (t.service_level is not None or t.asa is not None or t.occupancy is not None
                     or (t.abandon_rate is not None and queue.patience is not None))
    if not erlang_target and queue.is_deferrable and t.window is not None:
        required = _backlog_requirement(queue, demand["start"], agent_volume, agent_aht,
                                        interval)
    else:
        required = erlang.required_agents(
            agent_volume, agent_aht, service_level=t.service_level,
            target_time=t.target_time if t.service_level is not None else None, asa=t.asa,
            abandon_rate=t.abandon_rate if queue.patience is not None else None,
            occupancy=t.occupancy, basis=t.basis, **kw)
    m = erlang.metrics(required, agent_volume, agent_aht, target_time=t.measure_time, **kw)
    sl = m.service_level_answered if t.basis == "answered" else m.service_level
    return pd.DataFrame({
        "queue": queue.name, "start": demand["start"].to_numpy(), "volume": volume, "aht": aht,
        "agent_volume": agent_volume, "agent_aht": agent_aht, "contained": contained,
        "required": required, "scheduled": required / (1.0 - shrinkage),
        "service_level": sl, "asa": m.asa, "abandon_rate": m.abandon_rate,
        "occupancy": m.occupancy})


def _backlog_requirement(queue, starts, volume, aht, interval):
    """Fewest agents per interval (fractional) handling a deferrable queue's work within
    its window (:func:`plan.backlog.backlog_lp` over the horizon, business hours and
    work carried over): its requirement when no per-interval Erlang target is set."""
    t = queue.target
    n = len(starts)
    if n == 0 or not np.any(volume > 0):
        return np.zeros(n)
    mask, due = queue_deadlines(queue, starts, interval)
    aht = positive_aht(aht, volume)
    model = backlog_lp(volume, aht, due, interval=interval, within=t.within, open_mask=mask)
    try:
        agents, _ = model.solve()
    except ValueError as e:
        raise ValueError(f"'queues[{queue.name}].target': no staffing handles "
                         f"{t.within:.0%} of the work within its window: {e}") from None
    return agents


def requirements(queues, forecast, grid, *, interval, shrinkage):
    """Required agents of every queue per interval of the horizon.

    Parameters
    ----------
    queues : sequence of plan.scenario.QueueConfig
    forecast : pandas.DataFrame
        The demand step's forecast (see :func:`plan.forecast_demand`).
    grid : pandas.DatetimeIndex
        The horizon's interval starts (:func:`plan.demand.horizon_grid`).
    interval : int
        Interval length in minutes.
    shrinkage : float
        Share of paid time off the phones.

    Returns
    -------
    pandas.DataFrame
        :func:`queue_requirements` of every queue, one after the other.

    Raises
    ------
    ValueError
        A queue has no rows in ``forecast``.
    """
    known = set(forecast["queue"].unique()) if "queue" in forecast.columns else set()
    frames = []
    for q in queues:
        if q.name not in known:
            raise ValueError(f"'forecast' has no rows for queue {q.name!r}")
        frames.append(queue_requirements(demand_on_grid(forecast, q, grid), q,
                                         interval=interval, shrinkage=shrinkage))
    return pd.concat(frames, ignore_index=True)


def group_requirements(requirements, queues, workforce=None):
    """Agents per group and interval: the queues a group is the home of, added up
    (with ``workforce``, the home groups of :func:`plan.routing.routing`; without,
    each queue's ``group`` or a group of its own).

    Adding the queues' separate requirements ignores the pooling gain of a
    group serving several queues, so it errs on the safe side; the
    simulation check measures what the pooled group really achieves.
    """
    if workforce is not None:
        from .routing import routing
        owner = routing(queues, workforce).home
    else:
        owner = {q.name: q.group_name for q in queues}
    req = requirements.assign(group=requirements["queue"].map(owner))
    return (req.groupby(["group", "start"], sort=True)[["required", "scheduled"]].sum()
            .reset_index())
