"""From 1 to 100,000 agents: no overflow, no NaN, every probability in [0, 1]."""

import numpy as np
import pytest

from ccwfm import erlang
from ccwfm._limits import limit

AGENTS = np.array([1, 2, 5, 10, 100, 1_000, 10_000, 50_000, 99_999, 100_000])


@pytest.mark.parametrize("patience", [None, 1.0, 120.0, 36_000.0])
def test_metrics_finite_and_bounded_over_six_orders_of_magnitude(patience):
    # Loads from 0.001 to 100,000 Erlangs, the limit (a 30-minute interval, AHT 300 s).
    loads = np.array([0.001, 0.5, 9.9, 99.0, 990.0, 9_999.0, 49_990.0, 99_000.0, 100_000.0])
    volume = loads * 1800.0 / 300.0
    n, vol = np.meshgrid(AGENTS, volume, indexing="ij")
    m = erlang.metrics(n, vol, 300.0, target_time=20.0, patience=patience)
    for name in ("prob_wait", "service_level", "service_level_answered", "abandon_rate",
                 "occupancy"):
        v = getattr(m, name)
        assert not np.isnan(v).any(), name
        assert ((v >= 0.0) & (v <= 1.0)).all(), name
    for name in ("asa", "average_wait"):
        v = getattr(m, name)
        assert not np.isnan(v).any(), name
        assert (v >= 0.0).all(), name
    if patience is not None:
        assert np.isfinite(m.average_wait).all()
        assert (m.average_wait <= patience * (1 + 1e-12)).all()


def test_erlang_b_and_c_bounded_everywhere():
    loads = np.array([1e-6, 0.3, 7.0, 1e3, 1e4, 9.99e4, 1e5])
    n, a = np.meshgrid(AGENTS, loads, indexing="ij")
    b = erlang.erlang_b(n, a)
    c = erlang.erlang_c(n, a)
    assert not np.isnan(b).any() and not np.isnan(c).any()
    assert ((0.0 <= b) & (b <= c) & (c <= 1.0)).all()
    # Far more agents than load: blocking underflows cleanly to 0.
    assert erlang.erlang_b(100_000, 10.0) == 0.0
    # Overload: B tends to 1 - n/a.
    assert erlang.erlang_b(10, 1e5) == pytest.approx(1.0 - 10.0 / 1e5, rel=1e-6)


@pytest.mark.parametrize("patience", [None, 300.0])
def test_required_agents_ends_for_huge_loads(patience):
    # 50,000 and 99,000 Erlangs: 300,000 and 594,000 calls per 30 minutes at 300 s.
    kw = dict(service_level=0.9, target_time=10.0, patience=patience)
    volume = np.array([300_000.0, 594_000.0])
    n = erlang.required_agents(volume, 300.0, **kw)
    load = np.array([50_000.0, 99_000.0])
    assert (n > 0.97 * load).all() and (n < load + 1_000).all()
    assert (n <= limit("agents")).all()
    sl = erlang.service_level(n, volume, 300.0, 10.0, patience=patience)
    assert (sl >= 0.9).all()
    assert (erlang.service_level(n - 1, volume, 300.0, 10.0, patience=patience) < 0.9).all()


def test_unstable_erlang_c_search_still_ends_for_strict_targets():
    n = erlang.required_agents(2000, 600, service_level=0.999999, target_time=0.0)
    assert n > 2000 * 600 / 1800
    assert erlang.prob_wait(n, 2000, 600) <= 1e-6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_no_nan_anywhere_on_wild_inputs(seed):
    # Log-uniform over absurd ranges up to the limits: subnormal volumes,
    # microsecond to day-long handle times, patience from a millisecond to
    # 30 days; volumes are lowered where the offered load or the arrival
    # rate would pass its limit.
    rng = np.random.default_rng(seed)
    size = 4000
    aht = 10.0 ** rng.uniform(-6, np.log10(limit("aht")), size)
    interval = 10.0 ** rng.uniform(0, 6, size)
    volume = 10.0 ** rng.uniform(-306, 6, size)
    volume = np.minimum.reduce([volume, limit("offered_load") * interval / aht * (1 - 1e-12),
                                limit("arrival_rate") * interval * (1 - 1e-12)])
    volume[::7] = 0.0
    patience = 10.0 ** rng.uniform(-3, np.log10(limit("patience")), size)
    patience[::5] = np.inf
    t = 10.0 ** rng.uniform(-300, 5, size)
    t[::11] = 0.0
    agents = np.floor(10.0 ** rng.uniform(0, 5, size))
    agents[::13] = 0.0
    m = erlang.metrics(agents, volume, aht, target_time=t, patience=patience, interval=interval)
    for name, v in m.as_dict().items():
        assert not np.isnan(v).any(), name
    for name in ("prob_wait", "service_level", "service_level_answered", "abandon_rate",
                 "occupancy"):
        v = getattr(m, name)
        assert ((v >= 0.0) & (v <= 1.0)).all(), name
    assert (m.asa >= 0).all() and (m.average_wait >= 0).all()


def test_required_agents_on_wild_inputs_meets_targets_minimally():
    rng = np.random.default_rng(5)
    size = 300
    aht = 10.0 ** rng.uniform(0, 4, size)
    # Up to 90,000 Erlangs, so that the answer stays within the agents limit.
    volume = np.minimum(10.0 ** rng.uniform(-6, 5, size), 90_000 * 1800.0 / aht)
    patience = 10.0 ** rng.uniform(-1, 6, size)
    patience[::4] = np.inf
    t = rng.uniform(0, 600, size)
    sl = rng.uniform(0.01, 0.999, size)
    kw = dict(target_time=t, patience=patience, interval=1800.0)
    n = erlang.required_agents(volume, aht, service_level=sl, **kw)
    assert (n >= 1).all()
    at = erlang.metrics(n, volume, aht, **kw)
    below = erlang.metrics(n - 1, volume, aht, **kw)
    assert (at.service_level >= sl).all()
    assert (below.service_level < sl).all()
