"""Stationary queues: the simulated KPIs fall inside tight confidence intervals of erlang/.

Erlang C (M/M/n) and Erlang A (M/M/n+M) are exact for the stationary queue,
so the simulation must agree within its own confidence interval.  The band
is the 99% interval, so that the five comparisons of each case together
rarely fail by chance, and each interval must be tight (half-width within
about 2% of the value).
"""

import numpy as np
import pytest

from ccwfm import erlang
from ccwfm.simulate import Center, simulate
from ccwfm.simulate.stats import QUEUE_METRICS

CASES = [
    # volume per 30 min, aht, agents, patience, target time, contacts simulated
    # (waits without abandonment are strongly autocorrelated: more contacts)
    pytest.param(1200.0, 180.0, 130, None, 20.0, 8e6, id="MMn-120erl"),
    pytest.param(1200.0, 180.0, 130, None, 20.0, 4e7, id="MMn-120erl-40M",
                 marks=pytest.mark.slow),
    pytest.param(1200.0, 180.0, 122, 180.0, 20.0, 2.4e6, id="MMnM-120erl"),
    pytest.param(100.0, 180.0, 13, 60.0, 30.0, 2.4e6, id="MMnM-10erl"),
    pytest.param(300.0, 300.0, 50, 600.0, 60.0, 2.4e6, id="MMnM-50erl-overloaded"),
]


def _pooled(res, name):
    """Mean and 99% half-width over replications, pooling intervals 1.. (skip warm-up)."""
    q = res.queue_stats[:, 0, 1:-1, :]
    idx = {m: i for i, m in enumerate(QUEUE_METRICS)}
    n = q[:, :, idx["answered"]] + q[:, :, idx["abandoned"]]
    answered = q[:, :, idx["answered"]]
    if name in ("service_level", "prob_wait", "abandon_rate", "average_wait"):
        w = n
    else:                                    # asa
        w = answered
    per_rep = np.nansum(q[:, :, idx[name]] * w, axis=1) / w.sum(axis=1)
    from scipy import stats
    r = per_rep.shape[0]
    half = stats.t.ppf(0.995, r - 1) * per_rep.std(ddof=1) / np.sqrt(r)
    return per_rep.mean(), half


@pytest.mark.parametrize("volume, aht, agents, patience, t, contacts", CASES)
def test_stationary_queue_matches_erlang(volume, aht, agents, patience, t, contacts):
    horizon = 48
    center = Center.single_queue([volume] * horizon, aht=aht, agents=agents,
                                 patience=patience, target_time=t)
    reps = int(max(20, contacts / (volume * horizon)))
    res = simulate(center, replications=reps, seed=2024)
    theory = erlang.metrics(agents, volume, aht, target_time=t, patience=patience)
    checks = {"service_level": theory.service_level, "prob_wait": theory.prob_wait,
              "asa": theory.asa, "average_wait": theory.average_wait,
              "abandon_rate": theory.abandon_rate}
    for name, want in checks.items():
        if patience is None and name == "abandon_rate":
            assert res.metric("abandoned")[0] == 0
            continue
        mean, half = _pooled(res, name)
        assert abs(mean - want) <= half, (name, mean, half, want)
        # Waits in a queue without abandonment are so autocorrelated that a
        # 2-3% interval on them takes ~40 million contacts: the slow case.
        heavy_tail = patience is None and name in ("asa", "average_wait") and contacts < 2e7
        if want > 0.01 and not heavy_tail:
            assert half <= 0.03 * want, (name, "interval not tight", half, want)


@pytest.mark.parametrize("k, factor", [(2, 1.0), (3, 1.5)])
def test_chat_concurrency_is_the_slot_model_of_erlang(k, factor):
    volume, aht, agents, t = 600.0, 600.0, 80, 60.0
    center = Center.single_queue([volume] * 48, aht=aht, agents=agents, patience=300.0,
                                 target_time=t, concurrency=k, concurrency_factor=factor)
    res = simulate(center, replications=60, seed=7)
    theory = erlang.metrics(agents, volume, aht, target_time=t, patience=300.0,
                            concurrency=k, concurrency_factor=factor)
    for name, want in (("service_level", theory.service_level),
                       ("abandon_rate", theory.abandon_rate), ("asa", theory.asa)):
        mean, half = _pooled(res, name)
        assert abs(mean - want) <= half, (name, mean, half, want)
    occ = res.groups_summary.set_index("metric").loc["occupancy", "mean"]
    assert abs(occ - theory.occupancy) < 0.01
