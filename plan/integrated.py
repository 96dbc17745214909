"""Steps 3-4, integrated: shifts chosen against the targets at their level, checked by simulation.

:func:`plan_integrated` schedules every agent group with
:func:`plan.least_cost.least_cost_schedule`, then simulates the schedule
(time-varying arrivals, backlogs carried from one interval to the next,
fractional agents time-shared) and adds cuts where the simulation misses a
target at its level (Atlason, Epelman and Henderson 2004): a period whose
simulated service level falls short of the target plus a margin gets its
formula target raised by the shortfall, one whose abandonment or ASA is above
gets it lowered, and the groups concerned are scheduled again, with common
random numbers from round to round.  A period served well above its target
gives three quarters of the excess back (half once it has missed) in the
first rounds.  The first simulation also calibrates the interval floors,
which the program holds by the formula, to hold in simulation
(:func:`_floor_shifts`).  The final schedule is then simulated on
fresh random numbers the tuning never saw (seed ``[seed, 1, queue]``): that
is the attainment reported.  A queue missing a period there is repaired
(a cut on the periods missed, their days scheduled again) and the periods
around those days are simulated again on another fresh stream
(``[seed, 3, k, window]``), which is then reported for them; up to
:data:`_REPAIRS` times while periods are missed.
"""

import dataclasses
import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ccwfm import simulate

from .achieved import formula_metrics
from .attainment import (merge_samples, needs_records, period_samples, period_starts,
                         queue_periods, samples_table, window_parts)
from .backlog import fluid_backlog, positive_aht
from .joint import JointGroup, joint_schedule
from .least_cost import QueueDemand, least_cost_schedule, queue_deadlines
from .shift_plan import ShiftPlan, agent_groups, plan_shifts
from .routing import routing
from .verify import CONFIRM_STREAM

__all__ = ["CONFIRM_RUNS", "FULL_WEEKS", "IntegratedPlan", "REPAIR_STREAM",
           "TUNE_REPLICATIONS", "TUNE_STREAM", "TUNE_WEEKS", "plan_integrated", "two_step_cost"]

TUNE_REPLICATIONS = 48
"""Fewest replications of each tuning simulation."""

CONFIRM_RUNS = 120
"""Fewest replications of the confirmation on fresh random numbers."""

_MAX_WORKERS = 2     # processes scheduling groups at once (the CI machine has 2 cores)

_GIVE_BACK_ROUNDS = 3   # rounds in which over-served periods give some service back
_GIVE_BACK_SHARE = 0.75  # share of its excess an over-served period gives back
_MISSED_GIVE_BACK = 0.5  # the same, for a period that has missed before
_SAFETY = 1.5        # standard errors of the tuning's estimate a period must clear
# (3 before the repairs simulated windows: with a repair that cannot create new misses,
# a smaller safety costs a few repairs and serves every queue closer to its target; on
# the demo's seeds 0-9, voice's mean excess over its service level fell from 2.70-3.22
# points to 2.39-2.93, every target met after the repairs.)

TUNE_STREAM = 2
"""Tuning simulations use seeds ``[seed, TUNE_STREAM, part, share]`` (``part`` the
index of its first queue, ``share`` one of :data:`_SPLIT`); the confirmation
``[seed, CONFIRM_STREAM, part]``: independent streams."""

REPAIR_STREAM = 3
"""A queue whose confirmation misses is repaired and the windows around the days
repaired are simulated again on ``[seed, REPAIR_STREAM, k, window, part]`` (``k`` the
repair, from 0)."""

_REPAIRS = 3
"""Repairs at most: each simulates the queues still missing a period on a fresh stream, on
windows around the days it scheduled again (:func:`_confirm_windows`); the other periods
keep their confirmation."""

FULL_WEEKS = 8
"""Horizons of up to this many weeks are tuned by simulation on every period."""

TUNE_WEEKS = 4
"""Longer horizons are tuned on their first weeks (this many, to a Monday) and
the rest of the horizon takes the margins tuned there (:func:`_transfer`)."""

_TRANSFER_SPREAD = 2.0     # standard deviations of the tuned margins added when transferred
_LONG_CONFIRM = 10         # fewest replications of a long horizon's confirmation
_CONTACTS_BUDGET = 4e7        # contacts simulated per run, at most (both stages)
_OVER = {"sl": 0.005, "ab": 0.0015, "wait": 0.1}   # excess given back (points; ASA: share)
_LOWEST = {"sl": -0.1, "ab": -0.05, "wait": -1.0}  # margins never below these (formula
                                                  # more pessimistic than simulation)


@dataclass(frozen=True)
class IntegratedPlan:
    """What :func:`plan_integrated` returns.

    Attributes
    ----------
    shifts : ShiftPlan
        The schedule of every group.
    phones : dict
        Queue name -> agents on the phones per interval (fractional).
    attainment : pandas.DataFrame
        Per queue, period of its level and target: formula and simulated
        value on fresh random numbers, confidence interval, ``met``
        (:func:`plan.attainment.attainment`).
    simulated : pandas.DataFrame or None
        The confirmation's mean KPIs per queue and interval (the
        :attr:`ccwfm.simulate.SimulationResult.intervals` table).
    rounds : int
        Scheduling rounds (1 + the rounds of cuts).
    holds : bool
        Every target met at its level in the confirmation.
    margins : dict
        Queue name -> {(kind, period): value} of the cuts added (see
        :class:`plan.least_cost.QueueDemand`).
    confirm : int
        Replications of the confirmation (each queue on its own fresh
        stream ``[seed, CONFIRM_STREAM, queue]``).
    tuning : pandas.DataFrame or None
        The last tuning simulation's attainment (the schedule as last
        simulated while tuning; the final one may differ where the last
        round's cuts changed it).
    """

    shifts: ShiftPlan
    phones: dict
    attainment: pd.DataFrame
    simulated: pd.DataFrame | None
    rounds: int
    holds: bool
    margins: dict
    confirm: int = 0
    tuning: pd.DataFrame | None = None


def _workers(jobs):
    """Processes to schedule ``jobs`` groups with: up to the cores (2 on CI); one
    inside a daemonic process (a Dask or multiprocessing worker), which may not
    start processes of its own."""
    if jobs < 2 or "fork" not in mp.get_all_start_methods() or mp.current_process().daemon:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:          # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, jobs, _MAX_WORKERS))


def _map(fn, jobs):
    """``[fn(job) for job in jobs]``, in parallel processes when there are cores."""
    workers = _workers(len(jobs))
    if workers == 1:
        return [fn(j) for j in jobs]
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
        return list(pool.map(fn, jobs))


def _solve(job):
    if "groups" in job:
        return joint_schedule(**job)
    return least_cost_schedule(**job)


def _group_config(cfg, workforce):
    """``(hourly cost, cap on duty, floor)`` of a group (``cfg`` None: its own group)."""
    cost = cfg.hourly_cost if cfg and cfg.hourly_cost is not None else workforce.hourly_cost
    cap = (cfg.max_agents if cfg and cfg.max_agents else None) or workforce.max_agents
    floor = (cfg.min_agents if cfg else 0) or workforce.min_agents
    return cost, cap, floor


def _group_schedules(groups, route, queues, req, workforce, margins, start, end, todo, done,
                     floors=None):
    """Schedule the groups in ``todo`` (others are taken from ``done``): a dict
    group -> days to schedule again, or None for all.  Groups linked by the queues
    they share are scheduled together (:func:`plan.joint.joint_schedule`, on the
    union of their days); independent ones in parallel processes when there are
    cores for it."""
    day0 = pd.Timestamp(start)
    ndays = (pd.Timestamp(end) - day0).days
    sched = route.scheduled()
    by_name = {q.name: q for q in queues}

    def demand(qname):
        r = req[req["queue"] == qname]
        return QueueDemand(by_name[qname], r["agent_volume"].to_numpy(float),
                           r["agent_aht"].to_numpy(float), margins[qname],
                           (floors or {}).get(qname, (0.0, 0.0)))

    jobs = {}
    for part in route.schedule_parts():
        asked = [g for g in part if g in todo]
        if not asked:
            continue
        redo = None if any(todo[g] is None for g in asked) else set().union(
            *(todo[g] for g in asked))
        if len(part) == 1:
            name = part[0]
            cost, cap, floor = _group_config(groups[name], workforce)
            jobs[part] = (dict(
                demands=[demand(q) for q in sched[name]],
                templates=workforce.templates(groups[name]), day0=day0, ndays=ndays,
                interval=workforce.interval, shrinkage=workforce.grossed_shrinkage,
                hourly_cost=max(cost, 1e-6), max_on_duty=cap, min_agents=floor,
                previous=done[name][0] if redo is not None else None, redo=redo or (),
                activity=workforce.activity_share), {name: cost})
            continue
        specs, costs = [], {}
        for name in part:
            cost, cap, floor = _group_config(groups[name], workforce)
            costs[name] = cost
            specs.append(JointGroup(name, tuple(workforce.templates(groups[name])),
                                    max(cost, 1e-6), sched[name], cap, floor))
        names = list(dict.fromkeys(q for g in part for q in sched[g]))
        # Scheduled activities are grossed up in a joint schedule (spread evenly).
        jobs[part] = (dict(groups=specs, demands=[demand(q) for q in names], day0=day0,
                           ndays=ndays, interval=workforce.interval,
                           shrinkage=workforce.total_shrinkage,
                           previous={g: done[g][0] for g in part} if redo is not None
                           else None, redo=redo or ()), costs)
    # The biggest jobs first, so that the processes finish together.
    order = sorted(jobs, key=lambda p: -len(jobs[p][0]["redo"]) if jobs[p][0]["redo"]
                   else -float(sum(d.volume.sum() for d in jobs[p][0]["demands"])) - 1e12)
    results = _map(_solve, [jobs[p][0] for p in order])
    grossed = workforce.grossed_shrinkage
    extra = workforce.total_shrinkage - grossed
    for p, res in zip(order, results):
        if len(p) == 1:
            done[p[0]] = (res, jobs[p][1][p[0]])
            continue
        for name in p:
            g = res[name]
            if extra > 0:
                # Activities spread evenly: (1 - grossed)(duty - activity) are the phones.
                g = dataclasses.replace(g, activity=g.duty * extra / (1.0 - grossed))
            done[name] = (g, jobs[p][1][name])
    return done


def _phones(queues, done, shrink):
    """Queue -> agents on the phones per interval: its groups' agents on duty less
    their scheduled activities and shrinkage, shared as the optimiser shared them."""
    group_phones = _group_phones(done, done, shrink)
    n = next(iter(group_phones.values())).size
    out = {q.name: np.zeros(n) for q in queues}
    for name, (g, _) in done.items():
        total = sum(g.phones.values())
        for q, v in g.phones.items():
            share = (np.ones(n) if len(g.phones) == 1 else
                     np.where(total > 1e-9, v / np.where(total > 1e-9, total, 1), 0.0))
            out[q] = out[q] + group_phones[name] * share
    return out


def _group_phones(groups, done, shrink):
    """Group -> agents on the phones per interval: on duty less scheduled activities
    and shrinkage (what the simulation routes contacts to)."""
    out = {}
    for name in groups:
        g = done[name][0]
        duty = g.duty - (g.activity if g.activity is not None else 0.0)
        out[name] = np.maximum((1.0 - shrink) * duty, 0.0)
    return out


def _parts(queues, route):
    """The independent parts of the center as ``(index, queues)``: the queues
    sharing agents (:meth:`plan.routing.Routing.components`), ``index`` the
    position of the first in ``queues`` (its random-number stream)."""
    pos = {q.name: i for i, q in enumerate(queues)}
    by_name = {q.name: q for q in queues}
    out = []
    for _, names in route.components():
        qs = sorted((by_name[n] for n in names), key=lambda q: pos[q.name])
        out.append((pos[qs[0].name], qs))
    return sorted(out, key=lambda p: p[0])


_SPLIT = 2
"""Each part's tuning replications run as this many jobs (half each, on the
streams ``seed + [k]``): with the largest part (the demo's voice: 55% of the
contacts) in two halves, the two processes finish together.  The same on any
machine, so that the results do not depend on its cores."""


def _shares(means):
    """Shares a job's replications run in: :data:`_SPLIT` for a tuning simulation,
    one for the confirmation (``means``)."""
    return 1 if means else _SPLIT


def _simulate_share(job):
    """One share of a part's replications: the :func:`plan.attainment.period_samples`
    of its targets, when ``means`` its mean KPIs per interval, and the
    replications run.
    Deferrable work with a business-hours or "next day" window keeps its contact
    records, to count who is handled within the window."""
    qs, route, req, phones, interval, reps, seed, starts, formula, means = job
    keep = any(needs_records(q) for q in qs)
    center = route.center(qs, req, phones, interval=interval)
    most = simulate.max_replications(center, records=keep)
    res = simulate.simulate(center, replications=max(min(reps, most // _shares(means)), 1),
                            seed=seed, progress=False, records=keep)
    windows = None
    if keep:
        recs = res.records
        windows = {q.name: window_parts(q, recs[recs["queue"] == q.name], starts, interval)
                   for q in qs if needs_records(q)}
    samples = period_samples(qs, res, starts, formula=formula, windows=windows)
    return (samples, res.intervals if means else None, res.replications,
            _interval_counts(qs, res))


def _interval_counts(queues, res):
    """Queue -> ``(within, resolved, abandoned)`` per interval, summed over the
    replications (shares of a simulation add up)."""
    qs = res.queue_stats
    horizon = res.center.horizon
    m = {name: simulate.QUEUE_METRICS.index(name)
         for name in ("answered", "abandoned", "service_level")}
    out = {}
    for qi, q in enumerate(queues):
        cell = qs[:, qi, :horizon, :]
        resolved = cell[..., m["answered"]] + cell[..., m["abandoned"]]
        within = np.nan_to_num(cell[..., m["service_level"]]) * resolved
        out[q.name] = (within.sum(axis=0), resolved.sum(axis=0),
                       cell[..., m["abandoned"]].sum(axis=0))
    return out


def _simulate_queues(jobs):
    """Per job (one part of the center: queues sharing agents), its attainment table,
    (when ``means``, the job's last item) its mean KPIs per interval, the
    replications run (at least 2) and its queues' :func:`_interval_counts`, in
    parallel processes when there are cores.
    A job without ``means`` (a tuning simulation) runs in :data:`_SPLIT` shares;
    one with them (the confirmation, once) whole on its ``seed``, so that its
    per-interval statistics are summarised where they are simulated (a year's
    would double the parent's memory)."""
    shares, owner = [], []
    for j, (qs, route, req, phones, interval, reps, seed, starts, formula, means) in \
            enumerate(jobs):
        reps = max(int(reps), 2)
        split = _shares(means)
        for k in range(split):
            n = reps // split + (1 if k < reps % split else 0)
            if n:
                shares.append((qs, route, req, phones, interval, n,
                               list(seed) + ([k] if split > 1 else []), starts, formula,
                               means))
                owner.append(j)
    out = _map(_simulate_share, shares)
    results = []
    for j in range(len(jobs)):
        mine = [o for o, w in zip(out, owner) if w == j]
        samples = merge_samples([m[0] for m in mine])
        means = mine[0][1]
        counts = {name: tuple(sum(m[3][name][k] for m in mine) for k in range(3))
                  for name in mine[0][3]}
        results.append((samples_table(samples), means, sum(m[2] for m in mine), counts))
    return results


def _tuning_days(start, end, weekday0):
    """Days of the horizon tuned by simulation: all of a horizon of up to
    :data:`FULL_WEEKS` weeks; else the first :data:`TUNE_WEEKS` weeks, ending on a
    Monday (so that a week-level period is tuned whole)."""
    ndays = (pd.Timestamp(end) - pd.Timestamp(start)).days
    if ndays <= 7 * FULL_WEEKS:
        return ndays
    return min(ndays, 7 * TUNE_WEEKS + (7 - weekday0) % 7)


def plan_integrated(requirements, queues, workforce, *, start, end, settings, progress=None):
    """Least-cost shifts meeting each queue's target at its level, checked by simulation.

    Parameters
    ----------
    requirements : pandas.DataFrame
        The requirements step's table (``agent_volume`` and ``agent_aht`` per
        queue and interval; ``required`` for the coverage report).
    queues : sequence of plan.scenario.QueueConfig
    workforce : plan.scenario.Workforce
    start, end : date-like
        The horizon (``end`` excluded).
    settings : plan.scenario.Simulation
        ``verify`` (simulate at all), ``correct`` and ``max_rounds`` (rounds
        of cuts), ``replications`` and ``seed``.
    progress : callable, optional
        ``progress(done, total, message)``.

    Returns
    -------
    IntegratedPlan

    Notes
    -----
    A horizon longer than :data:`FULL_WEEKS` weeks is tuned on its first
    :data:`TUNE_WEEKS` weeks only; the later periods get the margins tuned
    there (per weekday: their mean plus twice their spread, pooled over the
    weekdays, see :func:`_transfer`), are scheduled once, and are checked with
    the rest by the confirmation (and its repair) on fresh random numbers.
    """
    groups, owner = agent_groups(queues, workforce)
    route = routing(queues, workforce)
    parts = _parts(queues, route)
    shrink = workforce.grossed_shrinkage
    interval = workforce.interval
    req = requirements.sort_values(["queue", "start"])
    starts = pd.DatetimeIndex(req[req["queue"] == queues[0].name]["start"])
    margins = {q.name: {} for q in queues}
    rounds_max = settings.max_rounds if (settings.verify and settings.correct) else 0
    total = rounds_max + 3
    say = progress or (lambda *a: None)
    day0 = pd.Timestamp(start)
    ndays = (pd.Timestamp(end) - day0).days
    tuned = _tuning_days(start, end, day0.weekday()) if rounds_max else ndays
    t_end = day0 + pd.Timedelta(days=tuned)
    t_req = req[req["start"] < t_end] if tuned < ndays else req
    t_starts = starts[starts < t_end]
    done = _group_schedules(groups, route, queues, t_req, workforce, margins, start, t_end,
                            dict.fromkeys(groups), {})
    rounds = 1
    say(1, total, "least-cost schedule" + (f" of the first {tuned} days (tuned by simulation)"
                                           if tuned < ndays else "") + ": " + ", ".join(
        f"{g} {_paid(done[g][0], workforce, groups[g]):,.0f} paid hours" for g in groups))
    per_run = max(float(t_req["volume"].sum()), 1.0)
    tune = max(settings.replications, min(TUNE_REPLICATIONS, int(_CONTACTS_BUDGET // per_run)), 2)
    confirm = max(2 * tune, min(CONFIRM_RUNS, int(_CONTACTS_BUDGET // per_run)), 2)
    if tuned < ndays:
        # The whole horizon is confirmed once: as many replications as the budget allows.
        full_run = max(float(req["volume"].sum()), 1.0)
        confirm = max(min(confirm, int(_CONTACTS_BUDGET // full_run)), settings.replications,
                      _LONG_CONFIRM)
    missed = set()
    tables = {}
    counts, floors = {}, {}
    if settings.verify:
        dirty = {q.name for q in queues}
        # Rounds of cuts, then one more simulation of what the last round changed
        # (its misses get a last cut, half as large again, not checked after).
        for r in range(rounds_max + 1 if rounds_max else 0):
            gp = _group_phones(groups, done, shrink)
            # Each part of the center (queues sharing agents) on its own stream
            # (common random numbers from round to round); only the parts whose
            # groups were scheduled again are simulated.
            todo_parts = [(i, qs) for i, qs in parts if any(q.name in dirty for q in qs)]
            q_phones = _phones(queues, done, shrink)
            sim_phones = route.staffing(gp, q_phones)
            n_t = len(t_starts)
            jobs = [(qs, route, t_req, sim_phones, interval, tune,
                     [int(settings.seed), TUNE_STREAM, i], t_starts,
                     {q.name: _formula(q, t_req, q_phones[q.name][:n_t], interval) for q in qs},
                     False)
                    for i, qs in todo_parts]
            for (i, _), (t, _, _, c) in zip(todo_parts, _simulate_queues(jobs)):
                tables[i] = t
                counts.update(c)
            table = pd.concat(list(tables.values()), ignore_index=True)
            changed = _cuts(queues, table, margins, t_starts, missed,
                            give_back=r < min(_GIVE_BACK_ROUNDS, rounds_max - 1),
                            reps=(tune, confirm), last=r >= rounds_max - 1)
            todo = _redo_days(queues, changed, owner, t_starts, interval)
            calibrated = {}
            if r == 0:
                # The interval floors, calibrated once on the first simulation (every part
                # simulated, with its queues' formula metrics): every day of a group whose
                # queues' floors moved is scheduled again.
                floors = calibrated = _floor_shifts(
                    queues, counts, {k: v for job in jobs for k, v in job[8].items()})
                todo.update({owner[name]: None for name in calibrated})
            if not todo:
                break
            done = _group_schedules(groups, route, queues, t_req, workforce, margins, start,
                                    t_end, todo, done, floors)
            dirty = _touched(route, todo)
            rounds += 1
            days = sum(tuned if d is None else len(d) for d in todo.values())
            say(min(1 + rounds, total), total, f"simulation round {r + 1}: cuts on "
                f"{sum(len(v) for v in changed.values())} period targets of "
                f"{', '.join(sorted(changed)) or 'no queue'}"
                + (f"; interval floors of {', '.join(sorted(calibrated))} calibrated"
                   if calibrated else "") + f"; {days} group-days scheduled again")
    if tuned < ndays:
        # The rest of the horizon, scheduled once with the margins tuned on its start
        # (the last tuned day again: its night shifts now see the next morning).
        _transfer(queues, margins, starts, tuned, 1440 // interval)
        rest = set(range(tuned - 1, ndays))
        done = _group_schedules(groups, route, queues, req, workforce, margins, start, end,
                                dict.fromkeys(groups, rest), done, floors)
        say(min(2 + rounds, total), total, f"days {tuned + 1} to {ndays} scheduled with the "
            "tuned margins")
    phones = _phones(queues, done, shrink)
    if settings.verify:
        table, sim, confirm = _confirm(
            queues, parts, route, req, phones,
            route.staffing(_group_phones(groups, done, shrink), phones), interval,
            confirm, starts, [int(settings.seed), CONFIRM_STREAM], queues)
        for k in range(_REPAIRS if rounds_max else 0):
            # A repair: the periods the confirmation misses get a cut, their days
            # are scheduled again, and their queues are simulated again on another
            # stream the tuning never saw; that is what is reported.
            if table["met"].all():
                break
            # (The half-widths are the confirmation's: its replications on both sides.)
            changed = _cuts(queues, table[~table["met"]], margins, starts, missed,
                            give_back=False, reps=(confirm, confirm), last=True)
            if not changed:
                break
            todo = _redo_days(queues, changed, owner, starts, interval)
            done = _group_schedules(groups, route, queues, req, workforce, margins, start, end,
                                    todo, done, floors)
            phones = _phones(queues, done, shrink)
            touched = _touched(route, todo)
            again = [q for _, qs in parts if any(q.name in touched for q in qs) for q in qs]
            seed_k = [int(settings.seed), REPAIR_STREAM, k]
            gph = route.staffing(_group_phones(groups, done, shrink), phones)
            # Only the periods around the days scheduled again are simulated again,
            # with the replications a short window allows; the rest keep their
            # confirmation (their schedule did not change).  The whole queue again
            # would only trade misses for new ones: every period on new numbers.
            table, sim = _confirm_windows(
                queues, parts, route, req, phones, gph, interval, starts, seed_k, again,
                todo, table, sim, max(confirm, CONFIRM_RUNS), confirm)
            table = _in_order(table, queues, ["metric", "period"])
            rounds += 1
    else:
        table, sim = pd.DataFrame(), None
    say(total, total, "confirmation on fresh random numbers: " + (
        f"{int(table['met'].sum())} of {len(table)} period targets met" if len(table)
        else "not simulated"))
    plan = _shift_plan(groups, done, req, owner, workforce, start, end)
    holds = bool(table["met"].all()) if len(table) else False
    return IntegratedPlan(plan, phones, table, sim, rounds, holds, margins,
                          confirm if settings.verify else 0,
                          pd.concat(list(tables.values()), ignore_index=True)
                          if settings.verify and tables else None)


def _transfer(queues, margins, starts, tuned, per_day):
    """Margins of the periods after the first ``tuned`` days, from the tuned ones.

    Per queue and kind of target: the mean of the tuned periods' margins
    (0 where no cut was needed) of the same weekday (day-level targets; all
    periods for week-level ones), plus :data:`_TRANSFER_SPREAD` times their
    standard deviation around those means, pooled: what a period the
    simulation never saw needs to meet its target as often as the tuned ones.
    """
    starts = pd.DatetimeIndex(starts)
    weekday0 = starts[0].normalize().weekday()
    day = np.arange(len(starts)) // per_day
    for q in queues:
        mg = margins[q.name]
        if q.target.level == "interval" or not mg:
            continue
        days = pd.Series(day).groupby(queue_periods(q, starts))
        first, last = days.min(), days.max()
        inside = [int(p) for p, d in last.items() if d < tuned]
        later = [int(p) for p, d in first.items() if d >= tuned]
        week = q.target.level == "week"

        def klass(p):
            return 0 if week else (weekday0 + p) % 7

        for kind in sorted({k for k, _ in mg}):
            values = {}
            for p in inside:
                values.setdefault(klass(p), []).append(float(mg.get((kind, p), 0.0)))
            if not values:
                continue
            means = {k: float(np.mean(v)) for k, v in values.items()}
            dev = np.concatenate([np.asarray(v) - means[k] for k, v in values.items()])
            dof = max(dev.size - len(values), 1)
            spread = float(np.sqrt((dev ** 2).sum() / dof)) if dev.size > len(values) else 0.0
            overall = float(np.mean(np.concatenate([np.asarray(v) for v in values.values()])))
            for p in later:
                mg[(kind, p)] = means.get(klass(p), overall) + _TRANSFER_SPREAD * spread


def _two_step_block(job):
    staffed, queues, workforce, b0, b1 = job
    plan = plan_shifts(staffed, queues, workforce, start=b0, end=b1)
    return float(sum(plan.paid_hours.values())), float(plan.wages)


def two_step_cost(staffed, queues, workforce, *, start, end):
    """``(paid_hours, wages)`` of the two-step plan (:func:`plan.shift_plan.plan_shifts`
    of the per-interval requirement ``staffed``), for comparison.

    A horizon of more than :data:`FULL_WEEKS` weeks is scheduled in blocks of
    that many weeks, in parallel processes: each block's first night is covered
    by its own shifts, not by those starting the evening before, which costs
    the two-step plan at most a few night shifts per block (under 0.1% of a
    year's paid hours on the demo) and keeps a year's comparison to seconds.
    """
    day0, end = pd.Timestamp(start), pd.Timestamp(end)
    edges = list(pd.date_range(day0, end, freq=f"{7 * FULL_WEEKS}D"))
    if edges[-1] < end:
        edges.append(end)
    jobs = []
    for b0, b1 in zip(edges[:-1], edges[1:]):
        part = staffed[(staffed["start"] >= b0) & (staffed["start"] < b1)]
        jobs.append((part, queues, workforce, b0, b1))
    out = _map(_two_step_block, jobs)
    return sum(o[0] for o in out), sum(o[1] for o in out)


def _formula(q, req, staffing, interval):
    """Erlang metrics of queue ``q`` with ``staffing`` agents on the phones, and its volume."""
    r = req[req["queue"] == q.name]
    return formula_metrics(q, r, staffing, interval), r["agent_volume"].to_numpy(float)


def _confirm(queues, parts, route, req, phones, group_phones, interval, reps, starts, seed,
             which):
    """Attainment and mean KPIs of the parts holding the queues ``which``, each on the
    stream ``seed + [index of its first queue]``; the formula column from each
    queue's own agents on the phones ``phones`` (the optimiser's share of its groups)."""
    jobs = _confirm_jobs(parts, route, req, phones, group_phones, interval, reps, starts,
                         seed, which)
    out = _simulate_queues(jobs)
    table, sim = _confirmed(out, which, req, phones, starts, interval)
    return table, sim, min(o[2] for o in out)


def _confirm_jobs(parts, route, req, phones, group_phones, interval, reps, starts, seed,
                  which):
    names = {q.name for q in which}
    return [(qs, route, req, group_phones, interval, reps, list(seed) + [i], starts,
             {q.name: _formula(q, req, phones[q.name], interval) for q in qs}, True)
            for i, qs in parts if any(q.name in names for q in qs)]


def _confirmed(out, which, req, phones, starts, interval):
    """The attainment table and mean KPIs of :func:`_simulate_queues`'s ``out`` of
    confirmation jobs (:func:`_confirm_jobs`)."""
    tables = [o[0] for o in out]           # a part without targets has an empty table
    table = pd.concat([t for t in tables if not t.empty] or tables[:1], ignore_index=True)
    for q in which:
        if needs_records(q):
            # The formula of a window target is the fluid backlog model's share within.
            sel = (table["queue"] == q.name) & (table["metric"] == "service_level")
            share = _fluid_window(q, req[req["queue"] == q.name], phones[q.name], starts,
                                  interval)
            table.loc[sel, "formula"] = table.loc[sel, "period"].map(share).to_numpy()
    return table, pd.concat([o[1] for o in out], ignore_index=True)


def _in_order(frame, queues, then):
    """``frame`` sorted by its ``queue`` column in the order of ``queues``, then by the
    columns ``then``."""
    order = {q.name: i for i, q in enumerate(queues)}
    return frame.sort_values(["queue", *then],
                             key=lambda c: c.map(order) if c.name == "queue" else c,
                             ignore_index=True)


def _confirm_windows(queues, parts, route, req, phones, group_phones, interval, starts, seed,
                     which, todo, table, sim, reps, low):
    """A repair's simulation: :func:`_confirm` of the queues ``which`` on windows of
    days only, the periods holding the days scheduled again (``todo``: group ->
    days, or None) and the day after each, with one day before each window as a
    warm-up (a backlog carried in); their rows replace those of ``table`` and
    ``sim``, the rest are kept.  Window ``w`` is simulated on ``seed + [w]``, with
    as many replications as :data:`_CONTACTS_BUDGET` allows for all of them, between
    ``low`` and ``reps``."""
    starts = pd.DatetimeIndex(starts)
    per_day = 1440 // interval
    ndays = len(starts) // per_day
    days = set()
    for d in todo.values():
        for x in (range(ndays) if d is None else d):
            days.update((x, x + 1) if x + 1 < ndays else (x,))
    # Whole periods of every queue simulated (a week-level target needs its week).
    for q in which:
        periods = queue_periods(q, starts)
        of_day = periods[::per_day]
        hit = {int(of_day[d]) for d in days}
        days.update(int(d) for d in np.flatnonzero(np.isin(of_day, list(hit))))
    runs, cur = [], None
    for d in sorted(days):
        if cur is not None and d == cur[1]:
            cur[1] = d + 1
        else:
            cur = [d, d + 1]
            runs.append(cur)
    names = {q.name for q in which}
    # One simulation of every window (their jobs side by side), as many replications
    # as the contact budget allows, at least those of the confirmation.
    spans = []
    for d0, d1 in runs:
        a = max(d0 - 1, 0)
        spans.append((d0, a * per_day, d1 * per_day))
    volume = req[req["queue"].isin([q.name for _, qs in parts for q in qs
                                    if any(x.name in names for x in qs)])]
    vol = np.bincount(np.searchsorted(starts, volume["start"]) // per_day,
                      volume["volume"].to_numpy(float), ndays)
    contacts = sum(float(vol[i0 // per_day:i1 // per_day].sum()) for _, i0, i1 in spans)
    reps = int(np.clip(_CONTACTS_BUDGET // max(contacts, 1.0), low, reps))
    jobs, owner, pieces = [], [], []
    for w, (d0, i0, i1) in enumerate(spans):
        s_w = starts[i0:i1]
        r_w = req[(req["start"] >= s_w[0]) & (req["start"] <= s_w[-1])]
        p_w = {k: v[i0:i1] for k, v in phones.items()}
        js = _confirm_jobs(parts, route, r_w, p_w, {k: v[i0:i1] for k, v in
                                                    group_phones.items()},
                           interval, reps, s_w, list(seed) + [w], which)
        jobs += js
        owner += [w] * len(js)
        pieces.append((d0, i0, r_w, p_w, s_w))
    out = _simulate_queues(jobs)
    new_t, new_s, drop_i = [], [], []
    for w, (d0, i0, r_w, p_w, s_w) in enumerate(pieces):
        t_w, m_w = _confirmed([o for o, k in zip(out, owner) if k == w], which, r_w, p_w,
                              s_w, interval)
        first = starts[d0 * per_day].normalize()
        new_t.append(t_w[t_w["period"] >= first])
        m_w = m_w.assign(interval=m_w["interval"] + i0,
                         start=m_w["start"] + i0 * interval * 60.0)
        new_s.append(m_w[m_w["interval"] >= d0 * per_day])
        drop_i.append((d0 * per_day, i0 + len(s_w)))
    t_new = pd.concat(new_t, ignore_index=True)
    keys = set(zip(t_new["queue"], t_new["period"]))
    keep = [(qn, per) not in keys for qn, per in zip(table["queue"], table["period"])]
    table = pd.concat([table[keep], t_new], ignore_index=True)
    inside = np.zeros(len(sim), bool)
    for i0, i1 in drop_i:
        inside |= (sim["interval"] >= i0).to_numpy() & (sim["interval"] < i1).to_numpy()
    inside &= sim["queue"].isin(names).to_numpy()
    sim = _in_order(pd.concat([sim[~inside]] + new_s, ignore_index=True), queues, ["interval"])
    return table, sim


def _fluid_window(q, req, staffing, starts, interval):
    """Per period start: the share handled within the window by the fluid backlog
    model (:func:`plan.backlog.fluid_backlog`) with ``staffing``."""
    mask, due = queue_deadlines(q, starts, interval)
    vol = req["agent_volume"].to_numpy(float)
    r = fluid_backlog(vol, positive_aht(req["agent_aht"].to_numpy(float), vol), staffing,
                      due, interval=interval)
    periods = queue_periods(q, starts)
    n_p = int(periods.max()) + 1
    contacts = np.bincount(periods, vol, n_p)
    late = np.bincount(periods, r.late_by_arrival, n_p)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.Series(1.0 - late / contacts, index=period_starts(starts, periods).to_numpy())


FLOOR_BAND = 0.1
"""Intervals whose formula service level is within this of the floor (abandonment:
half of it) calibrate it (:func:`_floor_shifts`)."""

_FLOOR_MIN_INTERVALS = 20     # fewest such intervals to calibrate a floor from


def _floor_shifts(queues, counts, formula):
    """Queue -> ``(down, up)``: how far its interval floor on the service level is to
    be lowered and its ceiling on abandonment raised, by formula, for them to hold
    in simulation (:attr:`plan.least_cost.QueueDemand.floor_shift`).

    The floors are on the stationary Erlang formula of each interval, which
    is pessimistic where a short peak is concerned (the queue does not reach its
    steady state in the interval; chat's slot model more so): intervals the
    schedule holds at a 60% floor by the formula run at about 70% in
    simulation on the demo's chat.  From a simulation of the schedule
    (``counts``: :func:`_interval_counts`, pooled over its replications) and
    the formula's metrics of the same agents (``formula``: queue ->
    :func:`_formula`), the contact-weighted mean of simulated less formula
    service level over the intervals within :data:`FLOOR_BAND` above the floor
    (and of formula less simulated abandonment within half of it below the
    ceiling) is the shift, clipped to [-0.1, 0.2] (abandonment [-0.05, 0.1]);
    none from fewer than 20 intervals.  Queues at the interval level,
    deferrable ones and those without such a floor are left out.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> import numpy as np
    >>> t = NS(level="day", floor_service_level=0.6, ceiling_abandon_rate=None,
    ...        basis="offered")
    >>> q = NS(name="chat", target=t, is_deferrable=False, patience=None)
    >>> f = np.full(40, 0.62)
    >>> counts = {"chat": (np.full(40, 70.0), np.full(40, 100.0), np.zeros(40))}
    >>> m = NS(service_level=f, abandon_rate=np.zeros(40))
    >>> down, up = _floor_shifts([q], counts, {"chat": (m, np.full(40, 10.0))})["chat"]
    >>> round(down, 2), up
    (0.08, 0.0)
    """
    out = {}
    for q in queues:
        t = q.target
        if t.level == "interval" or q.is_deferrable or q.name not in counts:
            continue
        within, resolved, abandoned = counts[q.name]
        m, vol = formula[q.name]
        live = (np.asarray(vol) > 0) & (resolved > 0)
        down = up = 0.0
        floor = t.floor_service_level
        if floor and t.basis != "answered":
            f = np.nan_to_num(np.asarray(m.service_level, float), nan=-1.0)
            sel = live & (f >= floor - 1e-9) & (f <= floor + FLOOR_BAND)
            if sel.sum() >= _FLOOR_MIN_INTERVALS:
                sim = within[sel] / resolved[sel]
                down = float(np.clip(np.average(sim - f[sel], weights=vol[sel]), -0.1, 0.2))
        ceiling = t.ceiling_abandon_rate if q.patience is not None else None
        if ceiling is not None:
            f = np.nan_to_num(np.asarray(m.abandon_rate, float), nan=2.0)
            sel = live & (f <= ceiling + 1e-9) & (f >= ceiling - FLOOR_BAND / 2)
            if sel.sum() >= _FLOOR_MIN_INTERVALS:
                sim = abandoned[sel] / resolved[sel]
                up = float(np.clip(np.average(f[sel] - sim, weights=vol[sel]), -0.05, 0.1))
        if down or up:
            out[q.name] = (down, up)
    return out


def _touched(route, todo):
    """Names of the queues whose agents change when the groups in ``todo`` are
    scheduled again (with the groups scheduled together with them)."""
    sched = route.scheduled()
    groups = {g for p in route.schedule_parts() if any(h in todo for h in p) for g in p}
    return {q for g in groups for q in sched[g]}


def _redo_days(queues, changed, owner, starts, interval):
    """Group -> the days to schedule again for the changed (kind, period) of each queue:
    the periods' days (the day after each is scheduled again too if the shifts
    running into it change, see :func:`plan.least_cost.least_cost_schedule`; else
    it keeps its shifts, whose simulated KPIs its margins were tuned on)."""
    per_day = 1440 // interval
    todo = {}
    for q in queues:
        if q.name not in changed:
            continue
        days = todo.setdefault(owner[q.name], set())
        periods = queue_periods(q, starts)
        for _, p in changed[q.name]:
            days.update(np.unique(np.flatnonzero(periods == p) // per_day).tolist())
    return todo


def _margin(half, tune, confirm):
    """How far a tuned period must clear its target (in the KPI's units): the
    confirmation's expected half-width and :data:`_SAFETY` standard errors of the tuning's
    own estimate, from the tuning's half-width ``half`` with ``tune``
    replications and ``confirm`` of the confirmation."""
    t_t = stats.t.ppf(0.975, _dof(tune))
    t_c = stats.t.ppf(0.975, _dof(confirm))
    sd = half * np.sqrt(tune) / t_t
    return sd * (t_c / np.sqrt(confirm) + _SAFETY / np.sqrt(tune))


def _dof(reps):
    """Degrees of freedom of an attainment interval from ``reps`` replications
    (control-variate estimates from :data:`ccwfm.simulate.controls.MIN_REPLICATIONS` on)."""
    return reps - 1 - (len(simulate.CONTROLS) if reps >= simulate.controls.MIN_REPLICATIONS
                       else 0)


def _cuts(queues, table, margins, starts, missed, give_back, reps, last=False):
    """Update the margins from a tuning simulation; queue -> the (kind, period) changed.

    Every period that misses its target plus margin gets its margin raised
    by the shortfall.  With ``give_back``, a period served above it by more
    than :data:`_OVER` gives :data:`_GIVE_BACK_SHARE` of the excess back, or
    :data:`_MISSED_GIVE_BACK` if it has missed before (``missed``, updated
    here), so that the rounds settle.
    """
    changed = {}
    moves = []

    def margin(half):
        return _margin(half, *reps)

    for q in queues:
        rows = table[table["queue"] == q.name]
        if q.target.level == "interval" or rows.empty:
            continue
        periods = queue_periods(q, starts)
        first = pd.Series(pd.DatetimeIndex(starts)).groupby(periods).min().dt.normalize()
        index = {t: p for p, t in first.items()}
        mg = margins[q.name]
        for row in rows.itertuples():
            p = index.get(row.period)
            if p is None:
                continue
            half = (row.high - row.low) / 2
            if row.metric == "service_level":
                kind, gap = "sl", row.target + margin(half) - row.simulated
            elif row.metric == "abandon_rate":
                kind, gap = "ab", row.simulated - (row.target - margin(half))
            else:
                kind = "wait"
                gap = row.simulated / row.target - (1.0 - margin(half / row.target))
            if not np.isfinite(gap):
                continue
            moves.append((q.name, mg, (kind, p), gap))
    misses = [m for m in moves if m[3] > 0]
    for name, mg, key, gap in misses:
        # In the last round nothing checks the new schedule before the
        # confirmation: the cut then asks for half as much again.
        mg[key] = mg.get(key, 0.0) + gap * (1.0 if give_back or not last else 1.5)
        missed.add((name, key))
        changed.setdefault(name, set()).add(key)
    if not give_back:
        return changed
    deferrable = {q.name for q in queues if q.is_deferrable}
    for name, mg, key, gap in moves:
        old = mg.get(key, 0.0)
        # A deferrable queue's share within its window may give back as far as the
        # LP's bound on late contacts (conservative) lets it.
        lowest = -1.0 if (key[0] == "sl" and name in deferrable) else _LOWEST[key[0]]
        if gap < -_OVER[key[0]] and old > lowest:
            share = _MISSED_GIVE_BACK if (name, key) in missed else _GIVE_BACK_SHARE
            mg[key] = max(old + gap * share, lowest)
            changed.setdefault(name, set()).add(key)
    return changed


def _paid(g, workforce, cfg):
    templates = workforce.templates(cfg)
    return float(sum(templates[m[0]].paid_hours * x for m, x in zip(g.meta, g.x)))


def _shift_plan(groups, done, req, owner, workforce, start, end):
    """The :class:`ShiftPlan` of the groups' schedules."""
    day0 = pd.Timestamp(start)
    interval = workforce.interval
    shrink = workforce.grossed_shrinkage
    coverage, shifts, breaks = [], [], []
    wages, paid, short, optimal = 0.0, {}, {}, {}
    need = req.assign(group=req["queue"].map(owner))
    need = need.groupby(["group", "start"], sort=True)["required"].sum()
    for name, cfg in groups.items():
        g, cost = done[name]
        templates = workforce.templates(cfg)
        grid = day0 + pd.to_timedelta(np.arange(g.duty.size) * interval, unit="min")
        required = (need.loc[name].reindex(grid, fill_value=0.0).to_numpy() if name in
                    need.index.get_level_values(0) else np.zeros(grid.size)) / (1.0 - shrink)
        act = g.activity if g.activity is not None else np.zeros(g.duty.size)
        required = required + act           # activities placed where the plan put them
        over = np.maximum(g.duty - required, 0.0)
        under = np.maximum(required - g.duty, 0.0)
        frame = pd.DataFrame({"group": name, "start": grid, "required": required,
                              "scheduled": g.duty, "over": over, "under": under})
        if workforce.activity_share > 0:
            frame["activities"] = act
        coverage.append(frame)
        used = g.x > 0
        st = day0 + pd.to_timedelta(g.meta[used, 1] * 1440 + g.meta[used, 2], unit="min")
        shifts.append(pd.DataFrame({"group": name,
                                    "template": [templates[i].name for i in g.meta[used, 0]],
                                    "start": st, "agents": g.x[used]}))
        if len(g.breaks):
            col = g.breaks[:, 0]
            bst = day0 + pd.to_timedelta(g.meta[col, 1] * 1440 + g.meta[col, 2], unit="min")
            breaks.append(pd.DataFrame({
                "group": name, "template": [templates[i].name for i in g.meta[col, 0]],
                "start": bst, "break": g.breaks[:, 1],
                "break_start": bst + pd.to_timedelta(g.breaks[:, 2], unit="min"),
                "length": [templates[g.meta[c, 0]].breaks[k].length
                           for c, k in zip(col, g.breaks[:, 1])],
                "paid": [templates[g.meta[c, 0]].breaks[k].paid
                         for c, k in zip(col, g.breaks[:, 1])],
                "agents": g.breaks[:, 3]}))
        hours = np.array([templates[m[0]].paid_hours for m in g.meta])
        factor = np.array([templates[m[0]].cost_factor for m in g.meta])
        wages += float((hours * factor * cost) @ g.x) if cost > 0 else 0.0
        paid[name] = float(hours @ g.x)
        short[name] = g.shortfall
        optimal[name] = g.optimal
    coverage = pd.concat(coverage, ignore_index=True)
    end = pd.Timestamp(end)
    coverage = coverage[coverage["start"] < end].reset_index(drop=True)
    shifts = pd.concat(shifts, ignore_index=True).sort_values(
        ["group", "start", "template"], ignore_index=True)
    brk = (pd.concat(breaks, ignore_index=True) if breaks else
           pd.DataFrame(columns=["group", "template", "start", "break", "break_start",
                                 "length", "paid", "agents"]))
    return ShiftPlan(coverage, shifts, wages, paid, short, optimal, breaks=brk)
