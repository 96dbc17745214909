"""``plan.verify`` judged on fresh random numbers it never used.

The staffing the correction returns is re-simulated here with seeds that
``verify`` never sees (its tuning uses ``seed``, its confirmation
``[seed, 1]``; these use ``[10**6 + k]``), with many replications, and
checked against its documented guarantee:

* **holds**: every interval with contacts meets its target within the
  stated tolerance (:data:`plan.verify.TOLERANCE`, 1 point of service level
  or abandonment): the fresh 95% confidence interval reaches ``target -
  tolerance``.  A real miss of that size is detected with power
  ``P(mean + half < target - tol)`` ~ 1 for misses of 2 half-widths (about
  1.5 points at 2,000 replications).
* **minimal**: in every interval the correction gave agents, one agent fewer
  no longer holds in it or a neighbour.  On fresh numbers "no longer holds"
  can only be told up to noise: an interval is counted *overstaffed* when,
  with one agent fewer, every interval of its window still clears
  ``target - tolerance`` by more than the noise of the confirmation that
  chose it plus that of this check (``2 (h_fresh + h_confirm)``).  At most a
  fifth of the corrected intervals (and at most one in the cheap test) may
  be overstaffed that way; the old correction (tuned and judged on one seed)
  gave 7 agents too many after the peak (drop one there and the service
  level is still 86%): ``test_the_check_has_power``.

The fresh statistics are computed here from ``simulate``'s per-replication
results, not with ``verify``'s own helpers.
"""

import dataclasses

import numpy as np
import pytest
from scipy import stats

from ccwfm import simulate
from ccwfm.plan.verify import TOLERANCE
from ccwfm.plan.requirements import queue_requirements
from ccwfm.plan.scenario import Scenario
from ccwfm.plan.verify import build_center, verify

from .test_requirements_verify import SCENARIO, _demand

TOL = 0.01              # the documented tolerance (1 point)
FRESH = 10**6           # fresh seeds are [FRESH + k]: never used by verify


def test_documented_tolerance():
    assert TOLERANCE == TOL


# --------------------------------------------------------------------------- cases


def peak(seed):
    """A sharp peak leaving a backlog (service level target, no bot)."""
    sc = Scenario.from_toml(SCENARIO.replace(
        'bot = { containment = 0.25, time = 40, abandon = 0.05, uplift = 1.2 }\n', '').replace(
        ', abandon_rate = 0.04', '').replace("seed = 3", f"seed = {seed}"))
    voice = sc.queues[0]
    volume = [20] * 5 + [60, 200, 260, 200, 60] + [20] * 6
    return sc, voice, queue_requirements(_demand(volume), voice, interval=15, shrinkage=0.0)


def closing(seed):
    """Contacts still in the bot at closing (abandonment target)."""
    sc = Scenario.from_toml(SCENARIO.replace(
        "time = 40, abandon = 0.05", "time = 120, abandon = 0.0").replace(
        "abandon_rate = 0.04", "abandon_rate = 0.05").replace(
        "patience = 300", "patience = 60").replace("seed = 3", f"seed = {seed}"))
    voice = sc.queues[0]
    volume = [80] * 8 + [0] * 4
    return sc, voice, queue_requirements(_demand(volume), voice, interval=15, shrinkage=0.0)


# --------------------------------------------------------------------------- checks


def fresh_kpi(queue, req, staffed, seed, reps):
    """{metric: (mean, 95% half-width) per interval} of the queue's targets, on fresh numbers.

    Straight from the per-replication values, with a t quantile: independent
    of ``verify``'s summaries.
    """
    res = simulate.simulate(build_center((queue,), req, {queue.name: staffed}, interval=15),
                            replications=reps, seed=[FRESH + seed], progress=False)
    t = queue.target
    metrics = ([] if t.service_level is None else ["service_level"]) + (
        [] if t.abandon_rate is None or queue.patience is None else ["abandon_rate"])
    out = {}
    for metric in metrics:
        values = res.queue_stats[:, 0, :len(staffed), simulate.QUEUE_METRICS.index(metric)]
        n = np.sum(~np.isnan(values), axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n > 0, np.nansum(values, axis=0) / np.maximum(n, 1), np.nan)
            sd = np.sqrt(np.nansum((values - mean) ** 2, axis=0) / np.maximum(n - 1, 1))
        half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(np.maximum(n, 1))
        out[metric] = (mean, half)
    return out


def slack(queue, kpi):
    """(best, worst, half) per interval: how far the fresh confidence interval is inside
    ``target - TOL`` at its best and worst end, over the queue's targets (< 0: a miss),
    and the half-width of the tightest target."""
    t = queue.target
    best, worst, halves = [], [], []
    for metric, (mean, half) in kpi.items():
        if metric == "service_level":
            edge = t.service_level - TOL
            best.append(mean + half - edge)
            worst.append(mean - half - edge)
        else:
            edge = t.abandon_rate + TOL
            best.append(edge - (mean - half))
            worst.append(edge - (mean + half))
        halves.append(half)
    k = np.argmin(np.stack(worst), axis=0)
    pick = np.arange(k.size)
    return (np.min(np.stack(best), axis=0), np.stack(worst)[k, pick],
            np.stack(halves)[k, pick])


def overstaffed(queue, req, staffed, required, seed, *, reps, confirm):
    """Intervals above ``required`` where one agent fewer still clearly holds (see top)."""
    over = []
    for i in np.flatnonzero(staffed > required):
        fewer = staffed.copy()
        fewer[i] -= 1
        _, worst, h1 = slack(queue, fresh_kpi(queue, req, fewer, seed, reps))
        # Noise of the confirmation that picked this staffing, from the fresh one.
        h_conf = h1 * np.sqrt(reps / confirm)
        window = [k for k in (i - 1, i, i + 1)
                  if 0 <= k < len(staffed) and not np.isnan(worst[k])]
        if window and all(worst[k] > 2 * (h1[k] + h_conf[k]) for k in window):
            over.append(int(i))
    return over


def judge(case, seed, *, confirm, reps):
    """(misses, overstaffed, corrected) of the verified staffing on fresh numbers."""
    sc, queue, req = case(seed)
    v = verify((queue,), req, interval=15, settings=sc.simulation, confirm=confirm)
    t = v.table
    staffed = t["staffed"].to_numpy()
    required = t["required"].to_numpy()
    assert v.confirm == confirm and (staffed >= required).all()
    best, _, _ = slack(queue, fresh_kpi(queue, req, staffed, seed, reps))
    misses = [int(i) for i in np.flatnonzero(~np.isnan(best) & (best < 0))]
    over = overstaffed(queue, req, staffed, required, seed, reps=reps, confirm=confirm)
    return misses, over, [int(i) for i in np.flatnonzero(staffed > required)]


@pytest.mark.parametrize("case", [peak, closing])
def test_verified_staffing_holds_and_is_minimal_on_fresh_numbers(case):
    misses, over, corrected = judge(case, 3, confirm=300, reps=600)
    assert corrected                          # the formula alone misses here
    assert misses == []
    assert len(over) <= 1, (over, corrected)


@pytest.mark.slow
@pytest.mark.parametrize("case", [peak, closing])
def test_verified_staffing_holds_and_is_minimal_across_seeds(case):
    # Eight tuning seeds, default confirmation (1,000 replications on these
    # small days), 2,000 fresh replications each.
    held, over_total, corrected_total = 0, 0, 0
    for seed in range(8):
        misses, over, corrected = judge(case, seed, confirm=1000, reps=2000)
        held += not misses
        over_total += len(over)
        corrected_total += len(corrected)
    assert held == 8
    assert over_total <= 0.2 * corrected_total, (over_total, corrected_total)


def test_the_check_has_power():
    # The staffing the old correction returned for the peak (tuned and judged
    # on seed 3 with 20 replications) is flagged: 64 agents at 10:00 where
    # one fewer still gives 86% (target 80%).
    sc, queue, req = peak(3)
    old = np.array([8] * 5 + [19, 57, 72, 64, 34, 11] + [8] * 5)
    required = req["required"].to_numpy()
    assert (old >= required).all()
    over = overstaffed(queue, req, old, required, 3, reps=1200, confirm=1000)
    assert 8 in over


def test_confirm_is_validated():
    sc, queue, req = peak(3)
    with pytest.raises(ValueError, match="'confirm' must be >= 2"):
        verify((queue,), req, interval=15, settings=sc.simulation, confirm=1)
    with pytest.raises(ValueError, match=r"'confirm' must be <= 10000 replications"):
        verify((queue,), req, interval=15, settings=sc.simulation, confirm=10**6)


def test_a_plan_beyond_the_simulation_limits_is_refused_before_simulating():
    """Replications the simulation limits do not allow for this plan: refused by name."""
    sc, queue, req = peak(3)
    big = req.assign(volume=req["volume"] * 0 + 1e6)       # 1e6 contacts an interval
    settings = dataclasses.replace(sc.simulation, replications=1000)
    with pytest.raises(ValueError, match=r"^'simulation.replications' must be <= \d+ for this "
                                         r"plan .*: 1000$"):
        verify((queue,), big, interval=15, settings=settings)
