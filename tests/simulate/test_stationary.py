"""Stationary mode against queueing theory, its confidence intervals, defaults and limits.

The reference is independent of the simulator: :func:`ccwfm.erlang.metrics`
(Erlang A with exponential patience, Erlang C without), exact formulas for
M/M/n+M and M/M/n.  Over 20 seeds the formula value must lie in the
confidence interval about ``level`` of the time: at most ``k`` misses with
``P(Binomial(20, 0.05) > k) < 0.001`` -- and the same check against a wrong
formula (one agent more) must fail, so the check has power.
"""

import math
import time

import numpy as np
import pytest
from scipy import stats

from ccwfm import erlang
from ccwfm.simulate import (Center, Distribution, Estimate, StationaryResult, simulate,
                            stationary)
from ccwfm.simulate.stationary import DEFAULT_CONTACTS, KPIS

RATE = 100 / 1800          # contacts per second: 100 per half hour
AHT = 180.0                # 10 erlangs
SEEDS = range(20)
LEVEL = 0.95
# Most misses of 20 allowed at the nominal 5%: P(more) < 0.001.
MAX_MISSES = int(stats.binom.isf(0.001, len(SEEDS), 1 - LEVEL))
METRICS = ("service_level", "service_level_answered", "abandon_rate", "prob_wait", "asa",
           "average_wait", "occupancy")
CASES = {
    # name: (agents, mean patience or None)
    "erlang_a_under": (13, 120.0),
    "erlang_a_near": (10, 120.0),
    "erlang_a_over": (8, 120.0),
    "erlang_a_long_patience": (10, 600.0),
    "erlang_c_under": (12, None),
    "erlang_c_near": (11, None),
}


def _misses(results, reference):
    return {k: sum(not getattr(r, k).covers(getattr(reference, k)) for r in results)
            for k in METRICS}


@pytest.mark.parametrize("method", ("replications", "batch_means"))
@pytest.mark.parametrize("case", sorted(CASES))
def test_confidence_intervals_cover_erlang(case, method):
    agents, patience = CASES[case]
    results = [stationary(arrival_rate=RATE, handle=AHT, agents=agents, patience=patience,
                          method=method, contacts=40_000, seed=s, level=LEVEL) for s in SEEDS]
    exact = erlang.metrics(agents, arrival_rate=RATE, aht=AHT, patience=patience)
    misses = _misses(results, exact)
    assert max(misses.values()) <= MAX_MISSES, misses
    # Power: one agent more is a different queue, and the intervals say so.
    wrong = erlang.metrics(agents + 1, arrival_rate=RATE, aht=AHT, patience=patience)
    wrong_misses = _misses(results, wrong)
    assert wrong_misses["service_level"] > len(SEEDS) // 2, wrong_misses
    assert wrong_misses["occupancy"] > len(SEEDS) // 2, wrong_misses


@pytest.mark.parametrize("method", ("replications", "batch_means"))
def test_half_width_shrinks_like_one_over_sqrt_run_length(method):
    ratios = {k: [] for k in ("abandon_rate", "service_level", "asa")}
    for s in range(10):
        short, long_ = (stationary(arrival_rate=RATE, handle=AHT, agents=10, patience=120,
                                   method=method, contacts=n, seed=s) for n in (20_000, 80_000))
        for k in ratios:
            ratios[k].append(getattr(short, k).half_width / getattr(long_, k).half_width)
    for k, r in ratios.items():
        # Four times the length, half the width: sqrt(4) = 2.
        assert 1.7 < np.mean(r) < 2.35, (k, r)


@pytest.mark.parametrize("method", ("replications", "batch_means"))
def test_one_cell_to_one_point_of_abandonment_well_under_a_second(method):
    kw = dict(volume=100, interval=1800, handle=AHT, agents=10, patience=120, method=method)
    stationary(**kw, seed=0)                      # compiled kernels loaded
    started = time.perf_counter()
    res = stationary(**kw, seed=1)
    elapsed = time.perf_counter() - started
    assert res.abandon_rate.half_width <= 0.01
    assert elapsed < 1.0, elapsed


def test_result_shape_and_counts():
    res = stationary(arrival_rate=RATE, handle=AHT, agents=10, patience=120, seed=4)
    assert isinstance(res, StationaryResult)
    assert all(isinstance(getattr(res, k), Estimate) for k in KPIS)
    assert res.method == "replications" and res.runs == 20 and res.level == 0.95
    # Default run: 100,000 expected contacts measured (Poisson: within 5 sd).
    assert res.duration == pytest.approx(DEFAULT_CONTACTS / RATE)
    assert abs(res.contacts - DEFAULT_CONTACTS) < 5 * math.sqrt(DEFAULT_CONTACTS)
    assert res.unresolved == 0
    assert len(res.per_run) == 20 and res.per_run["contacts"].sum() == res.contacts
    e = res.abandon_rate
    assert e.low == e.mean - e.half_width and e.high == e.mean + e.half_width
    assert list(res.table["metric"]) == list(KPIS)
    # Offered per interval estimates the volume; the agents are whole: no overtime.
    assert res.offered.covers(100.0)
    assert res.agents.mean == 10.0 and res.agents.half_width == 0.0
    # The pooled estimate is the ratio of totals, not the mean of the runs' ratios.
    assert res.abandon_rate.mean != pytest.approx(res.per_run["abandon_rate"].mean(), abs=0)


def test_same_seed_same_result_other_seed_other_result():
    kw = dict(arrival_rate=RATE, handle=AHT, agents=10.4, patience=120, contacts=20_000)
    a, b, c = stationary(**kw, seed=9), stationary(**kw, seed=9), stationary(**kw, seed=10)
    assert a.table.equals(b.table) and a.per_run.equals(b.per_run)
    assert not a.table.equals(c.table)


def test_default_warmup_is_ten_relaxation_times():
    # Erlang A: max(handle, patience); under light load the handle time.
    assert stationary(arrival_rate=RATE, handle=AHT, agents=10, patience=600,
                      contacts=2000).warmup == 6000.0
    assert stationary(arrival_rate=RATE, handle=AHT, agents=30, patience=60,
                      contacts=2000).warmup == 1800.0
    # Erlang C: the heavy-traffic relaxation time h / (s (1 - sqrt(rho))^2).
    res = stationary(arrival_rate=RATE, handle=AHT, agents=12, contacts=2000)
    assert res.warmup == pytest.approx(10 * AHT / (12 * (1 - math.sqrt(10 / 12)) ** 2))
    assert stationary(arrival_rate=RATE, handle=AHT, agents=12, contacts=2000,
                      warmup=0).warmup == 0.0


def test_warmup_deletion_removes_the_empty_start():
    # Starting empty, the first minutes see shorter waits than the steady state.
    # Without deleting them, the ASA is biased low in every seed; with the default
    # warm-up the intervals cover Erlang C.
    kw = dict(arrival_rate=RATE, handle=AHT, agents=11, duration=40 * 1800.0,
              replications=20)
    exact = erlang.metrics(11, arrival_rate=RATE, aht=AHT).asa
    kept = np.mean([stationary(**kw, warmup=0, seed=s).asa.mean for s in range(6)])
    deleted = np.mean([stationary(**kw, seed=s).asa.mean for s in range(6)])
    assert kept < 0.85 * exact
    assert abs(deleted - exact) < 0.1 * exact


@pytest.mark.parametrize("seed", range(3))
def test_fractional_agents_lie_between_their_neighbours(seed):
    # Common random numbers: same seed, warm-up and duration; only the agents change.
    kw = dict(arrival_rate=RATE, handle=AHT, patience=120, warmup=3600, duration=1e6,
              seed=seed)
    lo, mid, hi = (stationary(agents=a, **kw) for a in (10, 10.5, 11))
    for k in ("abandon_rate", "asa", "average_wait", "occupancy", "prob_wait"):
        assert getattr(lo, k).mean > getattr(mid, k).mean > getattr(hi, k).mean, k
    assert lo.service_level.mean < mid.service_level.mean < hi.service_level.mean
    # Time on duty: 10.5 scheduled, a little more with the overtime of the shared agent.
    assert 10.5 < mid.agents.mean < 10.6


def test_matches_simulate_on_a_calibration_cell():
    # Lognormal handle, empirical patience, fractional agents: no formula; the
    # horizon KPIs of simulate() over long days (a short warm-up bias) agree.
    handle = Distribution.lognormal(200.0, 0.9)
    patience = Distribution.empirical([5, 20, 35, 60, 90, 150, 240, 400])
    st = stationary(volume=90, handle=handle, agents=9.3, patience=patience, seed=2)
    center = Center.single_queue([90.0] * 48, aht=None, handle=handle, agents=9.3,
                                 patience=patience)
    sim = simulate(center, replications=30, seed=3)
    for k in ("abandon_rate", "service_level", "asa"):
        mean, half = sim.metric(k)
        e = getattr(st, k)
        assert abs(mean - e.mean) < 1.5 * (half + e.half_width), (k, mean, half, e)


def test_default_run_fits_the_limits_for_a_quiet_cell():
    # One contact a day: 100,000 contacts would take 20 x 150,000 intervals of
    # 1800 s, beyond 'sim_cells'; the default run is shortened to fit.
    kw = dict(arrival_rate=1e-5, handle=600, agents=1, patience=300)
    res = stationary(**kw, seed=1)
    assert 20_000 < res.contacts < 0.5 * DEFAULT_CONTACTS
    assert np.isfinite(res.abandon_rate.mean)
    with pytest.raises(ValueError, match="limit 'sim_cells'"):
        stationary(**kw, duration=res.duration * 1.01)


@pytest.mark.parametrize("kw, message", [
    ({"contacts": 1e9}, "(limit 'sim_replication_contacts')"),
    ({"contacts": 1e9, "replications": 400}, "(limit 'sim_contacts')"),
    ({"warmup": 1e12}, "give a shorter 'warmup'"),
    ({"duration": 1e12, "arrival_rate": 1e-6}, "(limit 'sim_cells')"),
])
def test_runs_beyond_the_limits_are_refused(kw, message):
    args = dict(arrival_rate=RATE, handle=AHT, agents=10, patience=120) | kw
    with pytest.raises(ValueError) as info:
        stationary(**args)
    assert message in str(info.value)


@pytest.mark.parametrize("kw, message", [
    ({}, "give one of 'arrival_rate' (contacts per second) or 'volume'"),
    ({"arrival_rate": RATE, "volume": 100}, "give one of 'arrival_rate'"),
    ({"arrival_rate": -1}, "'arrival_rate' must be > 0: -1"),
    ({"arrival_rate": 2e4}, "'arrival_rate' must be <= 10000 contacts per second"),
    ({"volume": 100, "interval": 0}, "'interval' must be >= 1 and <= 86400: 0"),
    ({"arrival_rate": RATE, "handle": None}, "'handle' must be a Distribution or a mean"),
    ({"arrival_rate": RATE, "handle": -3}, "'handle' must be > 0: -3"),
    ({"arrival_rate": RATE, "agents": -1}, "'agents' must be >= 0: -1"),
    ({"arrival_rate": RATE, "agents": float("nan")}, "'agents' must not be NaN"),
    ({"arrival_rate": RATE, "patience": 0}, "'patience' must be > 0: 0"),
    ({"arrival_rate": RATE, "patience": "long"}, "'patience' must be a number: 'long'"),
    ({"arrival_rate": RATE, "concurrency": 1.5}, "'concurrency' must be a whole number"),
    ({"arrival_rate": RATE, "method": "batch"}, "'method' must be one of 'replications', "
                                                "'batch_means': 'batch'"),
    ({"arrival_rate": RATE, "batches": 10}, "'batches' is for method 'batch_means'"),
    ({"arrival_rate": RATE, "method": "batch_means", "replications": 10},
     "'replications' is for method 'replications'"),
    ({"arrival_rate": RATE, "replications": 1}, "'replications' must be a whole number >= 2"),
    ({"arrival_rate": RATE, "duration": 1e5, "contacts": 100}, "give one of 'duration'"),
    ({"arrival_rate": RATE, "duration": 0}, "'duration' must be > 0: 0"),
    ({"arrival_rate": RATE, "warmup": -1}, "'warmup' must be >= 0: -1"),
    ({"arrival_rate": RATE, "level": 1}, "'level' must be > 0 and < 1: 1"),
    ({"arrival_rate": RATE, "seed": -1}, "'seed' must be >= 0: -1"),
    ({"arrival_rate": RATE, "patience": None, "agents": 10},
     "'agents' must carry the load when nobody abandons"),
    ({"arrival_rate": RATE, "patience": math.inf, "agents": 9.9},
     "'agents' must carry the load when nobody abandons"),
])
def test_bad_arguments_name_the_field(kw, message):
    args = dict(handle=AHT, agents=10, patience=120) | kw
    with pytest.raises(ValueError) as info:
        stationary(**args)
    assert message in str(info.value)
