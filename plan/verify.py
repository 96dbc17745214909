"""Step 3, verification: simulate the staffing and correct it where the real day misses the target.

Erlang formulas assume each interval is a steady state of its own.  A sharp
peak leaves a queue behind that the next interval inherits, and a quiet
interval follows a busy one with agents still finishing calls; so a day
staffed by the formula can miss its target where it matters.  In the spirit
of the iterative staffing algorithm of Feldman, Mandelbaum, Massey and Whitt
(2008), the staffing is simulated, the intervals whose simulated service
level (or ASA, or abandonment) misses the target get agents added, and the
simulation is run again with the same random numbers, until every interval
holds or the rounds run out.  An interval that keeps missing gets twice as
many agents added each round, so a deep backlog is closed in a few rounds.

Agents added to an interval that did not help (after 3 of them, or a
quarter of its formula staffing, its miss shrank by less than a fifth
since the last time it shrank that much) are taken back and the interval is not given more: its
contacts are missing their target after it ends, typically the last
interval before closing, whose contacts leave the bot or wait after the
agents have gone.  Its agents then go to the next interval instead (agents
staying on to clear the queue, from a quarter of the interval's agents),
again only while that helps.  Without this
rule the doubling would pile hundreds of agents into such an interval.

**Confirmation on fresh random numbers.**  A staffing tuned on one set of
random numbers is biased towards it: an interval stops getting agents on the
replications where it happened to do well.  So the tuned staffing is then
judged, and finished, on an independent stream (seed ``[seed, 1]``, never
used to tune) of ``confirm`` replications (see :func:`verify`: 100, 4 times
``replications`` or up to 1,000 on a small horizon), with common random
numbers inside that stream:

* an interval *holds* when the whole 95% confidence interval of its mean KPI
  over the confirmation is within :data:`TOLERANCE` of the target (1 point
  of service level or abandonment, 2.5% of the ASA target); the intervals
  that do not get agents as above (1, 2, 4; taken back where they do not
  shrink the miss by a fifth);
* then every interval above its formula staffing is trimmed: agents are
  taken back (half of the extra, then fewer, down to one) as long as
  neither it nor its neighbours stop holding.  An interval the correction
  gave agents is thus left with the fewest that hold on the confirmation:
  one agent fewer and it, or the interval before or after it, does not.

What this guarantees: for each interval that holds, with 97.5% confidence
its expected KPI is no worse than the target by more than ``TOLERANCE``.
The price of imprecision is agents, not a missed target: with few
replications the confidence interval is wide (its half-width is about
``0.3 / sqrt(confirm)`` of service level in an interval of a few dozen
contacts) and the rule asks for that much margin above ``target -
TOLERANCE``; at 2,000 replications the margin is under a point.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ccwfm import simulate

from ccwfm._validation import whole as _whole
from ccwfm.simulate import QUEUE_METRICS

__all__ = ["CONFIRM_REPLICATIONS", "TOLERANCE", "Verification", "build_center", "verify"]

CONFIRM_REPLICATIONS = 100
"""Fewest replications of the confirmation on fresh random numbers."""

TOLERANCE = 0.01
"""Cap on the confirmation's half-width in the miss rule: 1 point of service
level or abandonment (for the ASA, 2.5 times as much, as a share of its
target: 2.5%)."""

CONFIRM_STREAM = 1
"""The confirmation's seed is ``[seed, CONFIRM_STREAM]``: independent of ``seed``."""

_TRIM_ROUNDS = 6
_CONFIRM_MOST = 1000
_CONFIRM_CONTACTS = 2e6
_CONFIRM_BUDGET = 6e6     # contacts simulated per confirmation run, at most
_CONFIRM_ADDS = 3


@dataclass(frozen=True)
class Verification:
    """Formula and simulation side by side, before and after correction.

    Attributes
    ----------
    table : pandas.DataFrame
        Per queue and interval: ``required`` (formula), ``staffed`` (after
        correction), the formula KPIs (``*_formula``) and the simulated ones
        with the first staffing (``*_sim``) and the corrected one
        (``*_corrected``).
    rounds : int
        Correction rounds run while tuning, plus the simulations of the
        confirmation.
    holds : bool
        Whether every interval met its targets in the last simulation (the
        confirmation's, when the staffing was corrected).
    stuck : int
        Intervals that still miss and that more agents (in them or in the
        interval after) did not help.
    confirm : int
        Replications of the confirmation on fresh random numbers (0 when
        the staffing was not corrected); ``*_corrected`` and ``holds`` come
        from it.
    """

    table: pd.DataFrame
    rounds: int
    holds: bool
    stuck: int = 0
    confirm: int = 0


def _agents(v):
    """Whole agents as int; fractional ones (time-shared, see ccwfm.simulate.Group) as float."""
    v = float(v)
    return int(v) if v == int(v) else v


def build_center(queues, requirements, staffing, *, interval):
    """A :class:`ccwfm.simulate.Center` of the queues with the given staffing.

    Each queue is served by its own group with ``staffing[queue]`` agents on
    the phones per interval; handle times follow the forecast AHT by
    interval; patience is exponential with the queue's mean, and the bot as
    in the scenario.

    Parameters
    ----------
    queues : sequence of plan.scenario.QueueConfig
    requirements : pandas.DataFrame
        The requirements step's table (``queue``, ``start``, ``volume``, ``aht``).
    staffing : dict
        Queue name -> agents on the phones per interval (fractional agents
        are time-shared, see :class:`ccwfm.simulate.Group`).
    interval : int
        Interval length in minutes.
    """
    sim_queues, groups = [], []
    for q in queues:
        sim_queues.append(simulation_queue(q, requirements))
        groups.append(simulate.Group(q.name, (q.name,), staffing=tuple(
            _agents(v) for v in staffing[q.name]), concurrency=q.concurrency,
            concurrency_factor=q.concurrency_factor))
    return simulate.Center(tuple(sim_queues), tuple(groups), interval=interval * 60.0)


def simulation_queue(q, requirements):
    """The :class:`ccwfm.simulate.Queue` of queue ``q`` (a QueueConfig) with its rows of
    ``requirements``: volume per interval, exponential handle times at the
    forecast AHT of each interval, exponential patience, the bot."""
    req = requirements[requirements["queue"] == q.name].sort_values("start")
    aht = req["aht"].to_numpy(float)
    vol = req["volume"].to_numpy(float)
    mean_aht = float(np.average(aht, weights=vol)) if vol.sum() > 0 else float(aht.mean())
    bot = None
    if q.bot is not None:
        bot = simulate.Bot(simulate.Distribution.exponential(q.bot.time),
                           containment=q.bot.containment, abandon=q.bot.abandon,
                           uplift=q.bot.uplift)
    patience = (simulate.Distribution.exponential(q.patience) if q.patience is not None
                else None)
    return simulate.Queue(
        q.name, tuple(vol), simulate.Distribution.exponential(mean_aht), patience=patience,
        bot=bot, target_time=q.target.measure_time, channel=q.channel,
        handle_scale=tuple(np.where(aht > 0, aht / mean_aht, 1.0)))


def _summary(res, queues):
    """Mean and 95% half-width per [queue, interval, metric] over the replications."""
    ci = res.intervals_ci
    shape = (len(queues), res.center.horizon, len(QUEUE_METRICS))
    order = {q.name: i for i, q in enumerate(queues)}
    metric = {m: i for i, m in enumerate(QUEUE_METRICS)}
    mean, half = np.full(shape, np.nan), np.full(shape, np.nan)
    qi = ci["queue"].map(order).to_numpy()
    mi = ci["metric"].map(metric).to_numpy()
    ii = ci["interval"].to_numpy()
    mean[qi, ii, mi] = ci["mean"].to_numpy()
    half[qi, ii, mi] = ci["half_width"].to_numpy()
    return mean, half


def _misses(queues, mean, half, confirm=False):
    """Boolean [queue, interval]: the simulated interval misses a target of its queue.

    While tuning, a miss counts when the mean over the replications is on the
    wrong side of the target by more than its confidence half-width, capped
    at a practical tolerance (2 points of service level or abandonment, 5%
    of the ASA target): noise in a quiet interval does not buy agents, and a
    clear miss in a busy one is never excused by wide intervals.

    In the confirmation (``confirm``), a miss counts unless the whole
    confidence interval is within :data:`TOLERANCE` of the target (2.5% of
    the ASA target): with 97.5% confidence, what holds is no worse than the
    target by more than the tolerance.
    """
    idx = {m: i for i, m in enumerate(QUEUE_METRICS)}
    half = np.where(np.isfinite(half), half, 0.0)
    if confirm:
        tol, asa_tol, sign = TOLERANCE, 2.5 * TOLERANCE, -1.0
    else:
        tol, asa_tol, sign = 0.02, 0.05, 1.0
    out = np.zeros(mean.shape[:2], bool)
    for qi, q in enumerate(queues):
        t = q.target
        m, h = mean[qi], half[qi]
        if not confirm:
            h = np.minimum(h, np.array([tol if k != "asa" else asa_tol * (t.asa or 0.0)
                                        for k in QUEUE_METRICS]))
        if t.service_level is not None:
            col = idx["service_level_answered" if t.basis == "answered" else "service_level"]
            out[qi] |= m[:, col] + sign * h[:, col] < t.service_level - (tol if confirm else 0)
        if t.asa is not None:
            col = idx["asa"]
            out[qi] |= (m[:, col] - sign * h[:, col]
                        > t.asa * (1.0 + (asa_tol if confirm else 0.0)))
        if t.abandon_rate is not None and q.patience is not None:
            col = idx["abandon_rate"]
            out[qi] |= m[:, col] - sign * h[:, col] > t.abandon_rate + (tol if confirm else 0)
    return out


def _gap(queues, mean):
    """How far each [queue, interval] is from its targets (0 when it meets them).

    Service level and abandonment in points, ASA relative to its target,
    added up: the size of a miss, to tell whether added agents helped.
    """
    idx = {m: i for i, m in enumerate(QUEUE_METRICS)}
    out = np.zeros(mean.shape[:2])
    for qi, q in enumerate(queues):
        t, m = q.target, np.nan_to_num(mean[qi], nan=0.0, posinf=1e9)
        if t.service_level is not None:
            col = idx["service_level_answered" if t.basis == "answered" else "service_level"]
            out[qi] += np.maximum(t.service_level - m[:, col], 0.0)
        if t.asa is not None:
            out[qi] += np.maximum(m[:, idx["asa"]] - t.asa, 0.0) / t.asa
        if t.abandon_rate is not None and q.patience is not None:
            out[qi] += np.maximum(m[:, idx["abandon_rate"]] - t.abandon_rate, 0.0)
    return out


def verify(queues, requirements, *, interval, settings, progress=None, confirm=None):
    """Simulate the formula's staffing and correct the intervals that miss.

    The correction is tuned on ``settings.seed`` and then confirmed and
    trimmed on an independent stream of ``confirm`` replications (see the
    module docstring for the rule and what it guarantees).

    Parameters
    ----------
    queues : sequence of plan.scenario.QueueConfig
        Their targets, bot, patience and concurrency.
    requirements : pandas.DataFrame
        From :func:`plan.requirements.requirements` (every queue).
    interval : int
        Interval length in minutes.
    settings : plan.scenario.Simulation
        Replications, seed, whether to correct, at most how many rounds.
    progress : callable, optional
        ``progress(done, total, message)`` after each simulation.
    confirm : int, optional
        Replications of the confirmation on fresh random numbers (>= 2); by
        default ``max(CONFIRM_REPLICATIONS, 4 * settings.replications)``, or
        more, up to 1,000, while they simulate at most 2 million contacts
        (a small horizon is confirmed precisely for little time); fewer if
        the ``sim_contacts`` limit requires.

    Returns
    -------
    Verification
    """
    sim = settings
    names = [q.name for q in queues]
    staff = np.stack([requirements[requirements["queue"] == n].sort_values("start")
                      ["required"].to_numpy(np.int64) for n in names])
    # What the simulation limits allow for this plan (README "Limits"), asked
    # before any work so that a plan too large for them is refused at once.
    most = simulate.max_replications(
        build_center(queues, requirements, dict(zip(names, staff)), interval=interval))
    if sim.replications > most:
        raise ValueError(
            f"'simulation.replications' must be <= {most} for this plan (the simulation "
            f"limits on contacts and cells, README 'Limits'; a shorter horizon or fewer "
            f"queues allow more): {sim.replications}")
    if confirm is None:
        # 4 times the tuning's replications, at least 100 and up to 1,000 on a
        # small horizon, within a budget of simulated contacts per run (a long
        # horizon has many intervals to average over instead) and the limits.
        per_run = max(float(requirements["volume"].sum()), 1.0)
        want = max(CONFIRM_REPLICATIONS, 4 * sim.replications,
                   min(_CONFIRM_MOST, int(_CONFIRM_CONTACTS // per_run)))
        budget = max(2 * sim.replications, int(_CONFIRM_BUDGET // per_run))
        confirm = max(min(want, budget, most), 2)
    confirm = _whole("confirm", confirm, lo=2)
    if confirm > most:
        raise ValueError(f"'confirm' must be <= {most} replications for this plan (the "
                         f"simulation limits, README 'Limits'): {confirm}")
    total = sim.max_rounds + 2 * _CONFIRM_ADDS + _TRIM_ROUNDS + 6
    base = staff.copy()
    # Agents an interval may be given before it must show that they help: 3,
    # or a quarter of its formula staffing on a big interval.
    proof = np.maximum(3, np.ceil(0.25 * base)).astype(np.int64)
    step = np.ones_like(staff)
    # Agents kept on after an interval only take calls once the agents leaving
    # have finished theirs: spilling starts at a quarter of the interval's
    # agents and is judged once it reaches all of them.
    spill_step = np.maximum(1, np.ceil(0.25 * base)).astype(np.int64)
    proof_spill = np.maximum(3, base)
    frozen = np.zeros(staff.shape, bool)        # agents here did not help
    spill_stop = np.zeros(staff.shape, bool)    # agents in the next interval did not help
    own = np.zeros_like(staff)                  # agents added to interval i since the mark
    spilled = np.zeros_like(staff)              # agents added to i + 1 on behalf of i
    gap_own = np.full(staff.shape, np.inf)      # the miss at the mark
    gap_spill = np.full(staff.shape, np.inf)
    first = None
    rounds = 0
    settle = False          # agents were just taken back: this simulation shows the result
    while True:
        center = build_center(queues, requirements, dict(zip(names, staff)), interval=interval)
        res = simulate.simulate(center, replications=sim.replications, seed=sim.seed,
                                progress=False)
        mean, half = _summary(res, queues)
        if first is None:
            first = mean
        miss = _misses(queues, mean, half)
        if settle:
            break
        gap = _gap(queues, mean)
        # A miss that shrank by a fifth or more since the last mark: the agents
        # helped; mark again.  Enough agents since the mark and it did not:
        # they do not help here; take them back.
        gain = gap <= 0.8 * gap_own
        gap_own = np.where(gain, gap, gap_own)
        own[gain] = 0
        gain = gap <= 0.8 * gap_spill
        gap_spill = np.where(gain, gap, gap_spill)
        spilled[gain] = 0
        bad_own = miss & ~frozen & (own >= proof) & (gap > 0.8 * gap_own)
        staff -= np.where(bad_own, own, 0)
        own[bad_own] = 0
        frozen |= bad_own
        bad_spill = (miss & frozen & ~spill_stop & (spilled >= proof_spill)
                     & (gap > 0.8 * gap_spill))
        staff[:, 1:] -= np.where(bad_spill[:, :-1], spilled[:, :-1], 0)
        spilled[bad_spill] = 0
        spill_stop |= bad_spill
        undo = bad_own | bad_spill
        active = miss & ~frozen
        spill = miss & frozen & ~spill_stop
        spill[:, -1] = False
        if progress is not None:
            stuck = int((miss & frozen & spill_stop).sum())
            progress(rounds + 1, total,
                     f"simulation round {rounds}: {int(miss.sum())} intervals miss their "
                     f"target" + (f" ({stuck} not helped by more agents)" if stuck else ""))
        done = not (active.any() or spill.any()) or not sim.correct or rounds >= sim.max_rounds
        if done:
            if not undo.any():
                break
            settle = True   # simulate once more so that the table shows the staffing returned
            continue
        # An interval that misses again gets twice the agents added the last
        # time (1, 2, 4, ...): a backlog after a peak needs many, a small
        # miss one.
        gap_own = np.where(active & (own == 0), gap, gap_own)
        gap_spill = np.where(spill & (spilled == 0), gap, gap_spill)
        add = np.where(active, step, 0)
        add_next = np.where(spill, spill_step, 0)
        own += add
        spilled += add_next
        staff += add
        staff[:, 1:] += add_next[:, :-1]
        step = np.where(active, step * 2, step)
        spill_step = np.where(spill, spill_step * 2, spill_step)
        rounds += 1
    if sim.correct:
        staff, mean, miss, frozen, more = _confirm(
            queues, requirements, names, staff, base, frozen, spill_stop, interval=interval,
            seed=sim.seed, replications=confirm, max_rounds=sim.max_rounds,
            progress=None if progress is None else
            (lambda k, message: progress(min(rounds + 1 + k, total), total, message)))
        rounds += more
    staffing = dict(zip(names, staff))
    return Verification(_table(queues, requirements, staffing, first, mean), rounds,
                        not miss.any(), int((miss & frozen).sum()),
                        confirm if sim.correct else 0)


def _confirm(queues, requirements, names, staff, base, frozen, spill_stop, *, interval, seed,
             replications, max_rounds, progress):
    """Judge and finish the tuned staffing on an independent stream (module docstring).

    Returns ``(staff, mean, miss, stuck, runs)``: the staffing, the mean
    KPIs and misses of its last simulation, the intervals more agents do not
    help, and the simulations run.
    """
    staff = staff.copy()
    stuck = frozen & spill_stop                 # more agents do not help these
    runs = [0]
    cols = np.arange(staff.shape[1])

    def run(s):
        center = build_center(queues, requirements, dict(zip(names, s)), interval=interval)
        res = simulate.simulate(center, replications=replications,
                                seed=[int(seed), CONFIRM_STREAM], progress=False)
        mean, half = _summary(res, queues)
        runs[0] += 1
        if progress is not None:
            progress(runs[0], f"confirmation {runs[0]} on {replications} fresh replications")
        return mean, _misses(queues, mean, half, confirm=True)

    def add(mean, miss):
        """Agents where the confirmation misses (1, 2, 4), taken back where they did not help."""
        step = np.ones_like(staff)
        added = np.zeros_like(staff)
        gap0 = _gap(queues, mean)
        for _ in range(min(max_rounds, _CONFIRM_ADDS)):
            own = miss & ~frozen & ~stuck
            nxt = miss & frozen & ~stuck
            nxt[:, -1] = False
            if not (own.any() or nxt.any()):
                return mean, miss
            more = np.where(own, step, 0)
            more[:, 1:] += np.where(nxt[:, :-1], step[:, :-1], 0)
            staff[...] += more
            added += more
            step = np.where(own | nxt, step * 2, step)
            mean, miss = run(staff)
        # Still missing and the miss shrank by less than a fifth: those agents
        # do not help (contacts missing after the interval ends).
        idle = miss & (_gap(queues, mean) > 0.8 * gap0)
        stuck[...] |= idle
        back = np.where(idle, added, 0)
        back[:, 1:] += np.where(idle[:, :-1] & frozen[:, :-1], added[:, 1:], 0)
        back = np.minimum(back, added)
        if back.any():
            staff[...] -= back
            mean, miss = run(staff)
        return mean, miss

    mean, miss = run(staff)
    mean, miss = add(mean, miss)
    # Trim: take back agents above the formula's staffing (half the extra,
    # then fewer, down to one) while nothing that held starts to miss.  A new
    # miss is blamed on the interval and its neighbours (a backlog flows to
    # the next interval; agents kept on after an interval serve the one
    # before); single agents are tried three intervals apart, so that a
    # neighbour's cut is never blamed on them.
    cut = np.where(staff > base, np.maximum((staff - base) // 2, 1), 0)
    for k in range(_TRIM_ROUNDS):
        if not cut.any():
            break
        tried = (cut >= 2) | ((cut == 1) & (cols % 3 == k % 3))
        if not tried.any():
            continue
        trial = staff - np.where(tried, cut, 0)
        t_mean, t_miss = run(trial)
        new = t_miss & ~miss
        blame = new.copy()
        blame[:, 1:] |= new[:, :-1]
        blame[:, :-1] |= new[:, 1:]
        ok = tried & ~blame
        staff[...] = np.where(ok, trial, staff)
        if (ok == tried).all():
            mean, miss = t_mean, t_miss
        cut = np.where(ok, np.minimum(cut, staff - base),
                       np.where(tried, cut // 2, cut))
    mean, miss = run(staff)
    # A miss the trimming caused outside a window is closed like any other.
    mean, miss = add(mean, miss)
    return staff, mean, miss, stuck | frozen, runs[0]


def _table(queues, requirements, staffing, first, last):
    idx = {m: i for i, m in enumerate(QUEUE_METRICS)}
    frames = []
    for qi, q in enumerate(queues):
        req = requirements[requirements["queue"] == q.name].sort_values("start")
        df = pd.DataFrame({"queue": q.name, "start": req["start"].to_numpy(),
                           "required": req["required"].to_numpy(),
                           "staffed": staffing[q.name]})
        for name in ("service_level", "asa", "abandon_rate", "occupancy"):
            df[f"{name}_formula"] = req[name].to_numpy()
        for name in ("service_level", "asa", "abandon_rate", "wait_p90", "max_queue"):
            df[f"{name}_sim"] = first[qi, :, idx[name]]
            df[f"{name}_corrected"] = last[qi, :, idx[name]]
        frames.append(df)
    return pd.concat(frames, ignore_index=True)
