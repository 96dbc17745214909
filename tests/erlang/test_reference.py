"""Accuracy of :mod:`erlang` against the exact mpmath reference in ``reference.py``.

Every expected value here is computed by :mod:`tests.erlang.reference` (finite
sums and birth-death chains in 50-digit arithmetic, written from the textbook
definitions, independently of ``erlang/_kernels.py``), never pasted from the
package's own output.  Only the public API of :mod:`erlang` is used.

Tolerances: relative 1e-9 with an absolute floor of 1e-12 for probabilities
(1e-9 seconds for times), except where stated.  The default run takes some
seconds; the ``slow`` tests cover loads of 10,000+ Erlangs and 100,000 agents
with the full metric set.
"""

import math

import numpy as np
import pytest

from ccwfm import erlang

from . import reference as ref

RTOL = 1e-9
ATOL_PROB = 1e-12
ATOL_TIME = 1e-9
PROBABILITIES = ("prob_wait", "service_level", "service_level_answered", "abandon_rate",
                 "occupancy")
TIMES = ("asa", "average_wait")


def _close(actual, expected, rtol, atol):
    """True when ``actual`` matches ``expected`` (infinities must agree exactly)."""
    actual, expected = float(actual), float(expected)
    if math.isinf(expected) or math.isinf(actual):
        return actual == expected
    if math.isnan(expected):
        return True                      # undefined in the reference: not compared
    return abs(actual - expected) <= atol + rtol * abs(expected)


def _compare_cells(cells, got, expected, *, rtol=RTOL, atol_prob=ATOL_PROB,
                   atol_time=ATOL_TIME, names=PROBABILITIES + TIMES, atol_by_name=None):
    """Assert every metric of every cell; report all mismatches at once.

    Parameters
    ----------
    cells : list of tuple
        Inputs of each cell, only used in the failure message.
    got : dict of str to ndarray
        API values per metric, one entry per cell.
    expected : list of dict
        Reference metrics per cell.
    rtol, atol_prob, atol_time : float
        Tolerances for probabilities and for times in seconds.
    names : tuple of str
        Metrics to compare.
    atol_by_name : dict, optional
        Absolute tolerances overriding the defaults for some metrics.
    """
    atol_by_name = atol_by_name or {}
    bad = []
    for i, cell in enumerate(cells):
        for name in names:
            atol = atol_by_name.get(name, atol_time if name in TIMES else atol_prob)
            a, e = float(np.ravel(got[name])[i]), expected[i][name]
            if not _close(a, e, rtol, atol):
                rel = abs(a - e) / abs(e) if e else float("inf")
                bad.append(f"{name} at {cell}: api {a!r}, reference {e!r} (rel. err. {rel:.2e})")
    assert not bad, f"{len(bad)} mismatches:\n" + "\n".join(bad[:25])


# --------------------------------------------------------------------------------------
# The reference checks itself: two or three unrelated derivations of each quantity.
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("n,a", [(1, 0.3), (14, 10.0), (50, 61.5), (300, 250.0),
                                 (1000, 1010.0), (10_000, 10_050.0)])
def test_reference_erlang_b_sum_equals_incomplete_gamma_form(n, a):
    """Reference check: the Erlang B sum equals its incomplete-gamma form to 1e-30."""
    with ref.mp.workdps(ref.DPS):
        assert float(abs(ref.erlang_b(n, a) / ref.erlang_b_gammainc(n, a) - 1)) < 1e-30


@pytest.mark.parametrize("m,c,theta,t", [(1, 0.05, 0.01, 20.0), (3, 0.05, 0.01, 20.0),
                                         (7, 1.0, 0.3, 2.5), (5, 0.0, 0.1, 10.0),
                                         (6, 0.2, 1e-3, 45.0), (4, 2.0, 5.0, 0.7)])
def test_reference_stage_time_cdf_three_ways(m, c, theta, t):
    """Reference check: P(T_M <= t) by negative-binomial sum, stage-chain expm, betainc."""
    # Negative-binomial sum vs matrix exponential of the stage chain vs mpmath betainc.
    s = ref.stages_cdf(m, c, theta, t)
    with ref.mp.workdps(ref.DPS):
        assert float(abs(s - ref.stages_cdf_expm(m, c, theta, t))) < 1e-30
        assert float(abs(s - ref.stages_cdf_betainc(m, c, theta, t))) < 1e-30


@pytest.mark.parametrize("n,lam,h,theta,t", [(14, 100 / 1800, 180.0, 1 / 120, 20.0),
                                             (3, 0.05, 100.0, 1 / 30, 0.0),
                                             (8, 0.2, 60.0, 1 / 600, 45.0),
                                             (20, 0.04, 300.0, 1 / 45, 119.0)])
def test_reference_erlang_a_is_self_consistent(n, lam, h, theta, t):
    """Reference check: served + abandoned = 1, occupancy = carried / n, P(ab) = theta E[W]."""
    r = ref.erlang_a_metrics(n, lam, h, theta, t)
    with ref.mp.workdps(ref.DPS):
        # Served share from the tagged-customer stages vs abandonment from Little's law.
        assert float(abs(r["prob_served"] + r["abandon_rate"] - 1)) < 1e-40
        # Carried load over servers; abandonment vs mean wait of all (P(ab) = theta E[W]).
        load = ref.mpf(lam) * ref.mpf(h)
        assert float(abs(r["occupancy"] - load * (1 - r["abandon_rate"]) / n)) < 1e-40
        assert float(abs(r["abandon_rate"] - ref.mpf(theta) * r["average_wait"])) < 1e-40
    assert 0 <= r["service_level"] <= r["service_level_answered"] <= 1


def test_reference_erlang_a_tends_to_erlang_c():
    """Reference check: Erlang A with theta = 1e-12 is Erlang C to 1e-9."""
    c = ref.erlang_c_metrics(14, 100 / 1800, 180.0, 20.0)
    a = ref.erlang_a_metrics(14, 100 / 1800, 180.0, 1e-12, 20.0)
    with ref.mp.workdps(ref.DPS):
        for name in ("prob_wait", "service_level", "asa", "occupancy"):
            assert float(abs(a[name] / c[name] - 1)) < 1e-9, name


def test_reference_overload_bound_holds_where_exact_values_exist():
    """Reference check: the overload bound is above the exact service level."""
    exact = ref.erlang_a_metrics(10, 12 / 180, 180.0, 1e-5, 20.0)["service_level"]
    bound = ref.overload_service_level_bound(10, 12 / 180, 180.0, 1e-5, 20.0)
    assert exact <= bound < 1e-6


# --------------------------------------------------------------------------------------
# The canonical textbook case.
# --------------------------------------------------------------------------------------

def test_canonical_case_14_agents():
    """100 calls / 30 min, AHT 180 s, 80% in 20 s: 14 agents.

    Service level 0.8883, P(wait) 0.1741, occupancy 0.714, ASA 7.84 s.
    """
    lam = 100 / 1800
    r14 = ref.metrics(14, lam, 180.0, 20.0)
    r13 = ref.metrics(13, lam, 180.0, 20.0)
    # The published figures, from the reference.
    assert abs(r14["service_level"] - 0.8883) < 1e-4
    assert abs(r14["prob_wait"] - 0.1741) < 5e-5
    assert abs(r14["occupancy"] - 0.714) < 5e-4
    assert abs(r14["asa"] - 7.84) < 5e-3
    assert r13["service_level"] < 0.8 <= r14["service_level"]
    # The package agrees with the reference.
    assert erlang.required_agents(100, 180, service_level=0.8, target_time=20) == 14
    m = erlang.metrics(14, 100, 180, target_time=20)
    for name in PROBABILITIES + TIMES:
        assert _close(getattr(m, name), r14[name], RTOL, ATOL_PROB), name
    assert m.load == pytest.approx(10.0, rel=1e-15)
    assert erlang.erlang_c(14, 10.0) == pytest.approx(float(ref.erlang_c(14, 10.0)), rel=RTOL)
    assert erlang.erlang_b(14, 10.0) == pytest.approx(float(ref.erlang_b(14, 10.0)), rel=RTOL)


# --------------------------------------------------------------------------------------
# (a) Seeded random cells, small and large loads.
# --------------------------------------------------------------------------------------

def _random_loads_and_agents(rng, size, max_agents=500, max_load=400.0):
    """Loads log-uniform in [0.1, max_load]; agents half near the load, half anywhere."""
    load = np.exp(rng.uniform(np.log(0.1), np.log(max_load), size))
    near = np.rint(load + rng.uniform(-1.0, 3.0, size) * np.sqrt(load))
    anywhere = rng.integers(1, max_agents + 1, size)
    agents = np.where(np.arange(size) % 2 == 0, near, anywhere)
    return np.clip(agents, 1, max_agents).astype(np.int64), load


def test_erlang_b_and_c_random_cells():
    """Erlang B and C on 300 seeded cells (0..600 agents, 0.1..500 Erlangs)."""
    rng = np.random.default_rng(20240601)
    agents, load = _random_loads_and_agents(rng, 300, max_agents=600, max_load=500.0)
    agents[:20] = rng.integers(0, 3, 20)          # a few with 0, 1 and 2 agents
    b = erlang.erlang_b(agents, load)
    c = erlang.erlang_c(agents, load)
    assert b.shape == c.shape == (300,)
    bad = []
    for i, (n, a) in enumerate(zip(agents.tolist(), load.tolist())):
        for name, got, want in (("B", b[i], ref.erlang_b(n, a)), ("C", c[i], ref.erlang_c(n, a))):
            if not _close(got, float(want), RTOL, ATOL_PROB):
                bad.append(f"{name}({n}, {a!r}): api {got!r}, reference {float(want)!r}")
    assert not bad, "\n".join(bad)


def test_erlang_b_and_c_relative_accuracy_of_tiny_values():
    """Erlang B and C values between 1e-290 and 1e-12 are right to 1e-9 relative, not merely ~0."""
    # Down to 1e-290 the values must be right to 1e-9 relative, not merely ~0.
    rng = np.random.default_rng(7)
    cells = []
    while len(cells) < 60:
        a = float(np.exp(rng.uniform(np.log(0.05), np.log(300.0))))
        n = int(rng.integers(int(a) + 2, int(a) + 600))
        bb = ref.erlang_b(n, a)
        if 1e-290 < bb < 1e-12:
            cells.append((n, a, float(bb), float(ref.erlang_c(n, a))))
    n = np.array([x[0] for x in cells])
    a = np.array([x[1] for x in cells])
    b, c = erlang.erlang_b(n, a), erlang.erlang_c(n, a)
    for i, (ni, ai, bb, cc) in enumerate(cells):
        assert b[i] == pytest.approx(bb, rel=RTOL, abs=0.0), (ni, ai)
        assert c[i] == pytest.approx(cc, rel=RTOL, abs=0.0), (ni, ai)


def test_erlang_b_below_1e300_is_zero():
    """A blocking probability of about 1e-1634 is returned as 0, as documented."""
    expected = float(ref.erlang_b(500, 0.1))      # about 1e-1634
    assert expected == 0.0 and erlang.erlang_b(500, 0.1) == 0.0


def test_erlang_c_metrics_random_cells():
    """Every Erlang C metric on 200 seeded cells, unstable ones included, one call."""
    rng = np.random.default_rng(11)
    size = 200
    agents, load = _random_loads_and_agents(rng, size)
    aht = np.exp(rng.uniform(np.log(30.0), np.log(900.0), size))
    lam = load / aht
    t = rng.uniform(0.0, 120.0, size)
    t[:10] = 0.0
    m = erlang.metrics(agents, aht=aht, arrival_rate=lam, target_time=t)
    got = m.as_dict()
    cells = list(zip(agents.tolist(), lam.tolist(), aht.tolist(), t.tolist()))
    expected = [ref.metrics(*cell) for cell in cells]
    assert any(math.isinf(e["asa"]) for e in expected)      # unstable cells are included
    _compare_cells(cells, got, expected)
    np.testing.assert_allclose(m.load, load, rtol=1e-14)


def test_erlang_a_metrics_random_cells():
    """Every Erlang A metric on 160 seeded cells (patience 10..3600 s), one call."""
    rng = np.random.default_rng(12)
    size = 160
    agents, load = _random_loads_and_agents(rng, size)
    aht = np.exp(rng.uniform(np.log(30.0), np.log(900.0), size))
    lam = load / aht
    t = rng.uniform(0.0, 120.0, size)
    t[:8] = 0.0
    patience = np.exp(rng.uniform(np.log(10.0), np.log(3600.0), size))
    m = erlang.metrics(agents, aht=aht, arrival_rate=lam, target_time=t, patience=patience)
    cells = list(zip(agents.tolist(), lam.tolist(), aht.tolist(), t.tolist(),
                     patience.tolist()))
    expected = [ref.metrics(*cell) for cell in cells]
    # Service levels get an absolute 1e-10: in overloaded cells the package returns
    # ~1e-12..1e-11 where the truth is ~0 (shown by test_tiny_service_level_in_overload).
    _compare_cells(cells, m.as_dict(), expected)


def test_volume_and_interval_inputs_match_reference():
    """Contacts per interval (broadcast against several intervals) instead of an arrival rate."""
    # The workload given as contacts per interval rather than as an arrival rate.
    volume = np.array([[100.0], [555.0], [1234.0]])
    interval = np.array([1800.0, 900.0, 3600.0])
    agents, aht, t = 40, 240.0, 30.0
    for patience in (None, 300.0):
        m = erlang.metrics(agents, volume, aht, target_time=t, interval=interval,
                           patience=patience)
        assert m.prob_wait.shape == (3, 3)
        for i in range(3):
            for j in range(3):
                r = ref.metrics(agents, ref.mpf(volume[i, 0]) / ref.mpf(interval[j]), aht, t,
                                patience)
                for name in PROBABILITIES + TIMES:
                    assert _close(getattr(m, name)[i, j], r[name], RTOL, ATOL_PROB), (
                        name, i, j)


def test_concurrency_slot_model_random_cells():
    """Chat concurrency: n agents with k slots are n k servers, aht * factor each."""
    # n agents with k chats each are n k servers, each contact holding one for aht * factor.
    rng = np.random.default_rng(13)
    size = 40
    agents = rng.integers(1, 80, size)
    k = rng.integers(1, 5, size)
    factor = rng.uniform(1.0, 1.6, size)
    aht = rng.uniform(60.0, 900.0, size)
    load = agents * k * rng.uniform(0.5, 1.2, size)          # Erlangs of slot time
    lam = load / (aht * factor)
    t = rng.uniform(0.0, 120.0, size)
    patience = np.where(np.arange(size) % 2 == 0, np.inf, rng.uniform(20.0, 900.0, size))
    m = erlang.metrics(agents, aht=aht, arrival_rate=lam, target_time=t, patience=patience,
                       concurrency=k, concurrency_factor=factor)
    cells = list(zip(agents.tolist(), lam.tolist(), aht.tolist(), t.tolist(),
                     [None if math.isinf(p) else p for p in patience.tolist()], k.tolist(),
                     factor.tolist()))
    expected = [ref.metrics(*cell) for cell in cells]
    _compare_cells(cells, m.as_dict(), expected)
    np.testing.assert_allclose(m.load, [e["load"] for e in expected], rtol=1e-14)


def test_scalar_inputs_give_floats_matching_reference():
    """Scalar inputs give Python floats with the reference values."""
    m = erlang.metrics(7, 60, 300, target_time=15.0, patience=90.0)
    r = ref.metrics(7, ref.mpf(60) / 1800, 300.0, 15.0, 90.0)
    for name in PROBABILITIES + TIMES:
        assert isinstance(getattr(m, name), float), name
        assert _close(getattr(m, name), r[name], RTOL, ATOL_PROB), name


def _meets(r, target):
    """Whether reference metrics ``r`` meet the target dict (as required_agents reads it)."""
    ok = True
    if "service_level" in target:
        key = "service_level_answered" if target.get("basis") == "answered" else "service_level"
        ok &= r[key] >= target["service_level"]
    if "asa" in target:
        ok &= r["asa"] <= target["asa"]
    if "abandon_rate" in target:
        ok &= r["abandon_rate"] <= target["abandon_rate"]
    if "occupancy" in target:
        ok &= r["occupancy"] <= target["occupancy"]
    return ok


def _margin(r, target):
    """Smallest relative distance of a reference metric from its target."""
    gaps = []
    if "service_level" in target:
        key = "service_level_answered" if target.get("basis") == "answered" else "service_level"
        gaps.append(abs(r[key] - target["service_level"]))
    for name in ("asa", "abandon_rate", "occupancy"):
        if name in target and math.isfinite(r[name]):
            gaps.append(abs(r[name] - target[name]) / target[name])
    return min(gaps) if gaps else 1.0


def test_required_agents_is_the_smallest_count_meeting_targets_by_reference():
    """required_agents meets every target by the reference and one agent fewer misses one."""
    rng = np.random.default_rng(14)
    checked = 0
    for i in range(36):
        volume = float(np.exp(rng.uniform(np.log(5.0), np.log(3000.0))))
        aht = float(rng.uniform(60.0, 600.0))
        patience = None if i % 3 == 0 else float(rng.uniform(30.0, 1800.0))
        kind = i % 4
        if kind == 0:
            target = {"service_level": float(rng.uniform(0.5, 0.95)),
                      "target_time": float(rng.uniform(0.0, 60.0))}
        elif kind == 1:
            target = {"service_level": float(rng.uniform(0.5, 0.95)),
                      "target_time": float(rng.uniform(5.0, 60.0)), "basis": "answered"}
        elif kind == 2:
            target = {"asa": float(rng.uniform(2.0, 60.0))}
            if patience is not None:
                target["abandon_rate"] = float(rng.uniform(0.01, 0.1))
        else:
            target = {"occupancy": float(rng.uniform(0.6, 0.95)),
                      "service_level": 0.8, "target_time": 20.0}
        n = erlang.required_agents(volume, aht, patience=patience, **target)
        lam = volume / 1800.0
        t = target.get("target_time", 0.0)
        at_n = ref.metrics(n, lam, aht, t, patience)
        assert _meets(at_n, target), (volume, aht, patience, target, n, at_n)
        if n >= 2:
            below = ref.metrics(n - 1, lam, aht, t, patience)
            if _margin(below, target) > 1e-9:       # not a tie within rounding
                assert not _meets(below, target), (volume, aht, patience, target, n, below)
                checked += 1
    assert checked >= 30


# --------------------------------------------------------------------------------------
# Service level of Erlang A with long patience, where the share answered within t
# is a small difference of large quantities: against the exact reference, or
# against a rigorous upper bound where the exact chain is too long.
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("agents,volume,aht,t,patience", [
    (100, 1003.0, 180.0, 60.0, 1e6),      # 100.3 Erlangs on 100 agents
    (40, 301.5, 240.0, 20.0, 1e6),        # 40.2 Erlangs on 40 agents
    (100, 1003.0, 180.0, 60.0, 3e5),
    # 2000.2 Erlangs on 2000 agents (the reference takes ~15 s).
    pytest.param(2000, 12001.2, 300.0, 120.0, 2.5e6, marks=pytest.mark.slow),
])
def test_service_level_near_critical_load_long_patience(agents, volume, aht, t, patience):
    """Service level near critical load, long patience, to 1e-9."""
    r = ref.metrics(agents, ref.mpf(volume) / 1800, aht, t, patience)
    m = erlang.metrics(agents, volume, aht, target_time=t, patience=patience)
    assert m.service_level == pytest.approx(r["service_level"], rel=RTOL, abs=ATOL_PROB)
    assert m.service_level_answered == pytest.approx(r["service_level_answered"], rel=RTOL,
                                                     abs=ATOL_PROB)


@pytest.mark.parametrize("agents,load,aht,t,patience", [
    (200, 380.0, 30.0, 120.0, 3600.0),
    (50, 100.0, 20.0, 60.0, 3600.0),
])
def test_tiny_service_level_in_overload(agents, load, aht, t, patience):
    """A service level below 1e-300 in overload comes out below 1e-12."""
    # Both queues are heavily overloaded: the true service level is below 1e-300.
    r = ref.metrics(agents, load / aht, aht, t, patience)
    assert r["service_level"] < 1e-300
    m = erlang.metrics(agents, aht=aht, arrival_rate=load / aht, target_time=t,
                       patience=patience)
    assert m.service_level <= ATOL_PROB
    assert m.service_level_answered <= ATOL_PROB


@pytest.mark.parametrize("agents,load,aht,t,patience", [
    (10, 12.0, 180.0, 20.0, 2.592e6),         # the longest patience allowed (30 days)
    (871, 1406.0, 79.0, 23.0, 2e6),
    (100_000, 110_000.0, 11.0, 20.0, 2.592e6),  # 10,000 arrivals/s, the limit
])
def test_service_level_bounded_in_overload_with_very_long_patience(agents, load, aht, t,
                                                                   patience):
    """Service level under a rigorous bound where the chain is too long."""
    # Queue lengths here are ~1e5..1e10, beyond the exact chain; a rigorous bound is not.
    bound = float(ref.overload_service_level_bound(agents, load / aht, aht, 1 / patience, t))
    assert bound < 1e-100
    m = erlang.metrics(agents, aht=aht, arrival_rate=load / aht, target_time=t,
                       patience=patience)
    assert m.service_level <= bound + ATOL_PROB
    assert m.service_level_answered <= ATOL_PROB


# --------------------------------------------------------------------------------------
# (b) Loads of 10,000 and 12,000 Erlangs.
# --------------------------------------------------------------------------------------

def _large_load_check(load, offsets, aht=250.0, t=20.0, patience=None):
    """Erlang B, C and every metric against the reference for ``load + offsets`` agents.

    The default AHT makes ``load / aht`` exact in binary, so that agents equal to
    the load is unstable for both the package and the reference.
    """
    agents = np.array([int(load) + d for d in offsets])
    lam = load / aht
    b = erlang.erlang_b(agents, load)
    c = erlang.erlang_c(agents, load)
    m = erlang.metrics(agents, aht=aht, arrival_rate=lam, target_time=t, patience=patience)
    for i, n in enumerate(agents.tolist()):
        assert _close(b[i], float(ref.erlang_b(n, load)), RTOL, ATOL_PROB), ("B", n)
        assert _close(c[i], float(ref.erlang_c(n, load)), RTOL, ATOL_PROB), ("C", n)
    cells = [(n, lam, aht, t, patience) for n in agents.tolist()]
    _compare_cells(cells, m.as_dict(), [ref.metrics(*cell) for cell in cells])


def test_load_10000_erlangs_quick():
    """10,000 Erlangs: Erlang B, C and every metric for two agent counts (fast part)."""
    _large_load_check(10_000.0, [1, 100])


@pytest.mark.slow
@pytest.mark.parametrize("load", [10_000.0, 12_000.0])
def test_loads_10000_and_12000_erlangs(load):
    """10,000 and 12,000 Erlangs, load + 0..300 agents: Erlang B, C, every C metric."""
    # Offset 0 is agents == load: unstable Erlang C.
    _large_load_check(load, [0, 1, 10, 50, 100, 150, 200, 250, 300])


@pytest.mark.slow
@pytest.mark.parametrize("load", [10_000.0, 12_000.0])
def test_loads_10000_and_12000_erlangs_with_abandonment(load):
    """10,000 and 12,000 Erlangs with patience 180 s: every Erlang A metric."""
    _large_load_check(load, [-200, 0, 50, 150, 300], patience=180.0)


# --------------------------------------------------------------------------------------
# (c) Up to 100,000 agents.
# --------------------------------------------------------------------------------------

def test_100000_agents_erlang_b_and_c_match_reference():
    """Erlang B and C at 100,000 agents against the exact sums."""
    cells = [(100_000, 99_000.0), (100_000, 99_900.0), (99_999, 99_000.5),
             (100_000, 100_500.0), (100_000, 50_000.0)]
    n = np.array([x[0] for x in cells])
    a = np.array([x[1] for x in cells])
    b, c = erlang.erlang_b(n, a), erlang.erlang_c(n, a)
    for i, (ni, ai) in enumerate(cells):
        assert _close(b[i], float(ref.erlang_b(ni, ai)), RTOL, ATOL_PROB), (ni, ai)
        assert _close(c[i], float(ref.erlang_c(ni, ai)), RTOL, ATOL_PROB), (ni, ai)


def test_100000_agents_erlang_c_metrics_match_reference():
    """Erlang C metrics at 99,000..100,000 agents and loads near 99,000..100,000 Erlangs."""
    # Load 99,000 Erlangs on 100,000 agents, and neighbours.
    aht = 300.0
    cells = [(100_000, 99_000.0 / aht, aht, 20.0), (100_000, 99_900.0 / aht, aht, 5.0),
             (99_000, 99_000.0 / aht, aht, 20.0), (100_000, 99_990.0 / aht, aht, 60.0)]
    agents = np.array([x[0] for x in cells])
    lam = np.array([x[1] for x in cells])
    t = np.array([x[3] for x in cells])
    m = erlang.metrics(agents, aht=aht, arrival_rate=lam, target_time=t)
    _compare_cells(cells, m.as_dict(), [ref.metrics(*cell) for cell in cells])


@pytest.mark.slow
@pytest.mark.parametrize("aht,patience", [(300.0, 60.0), (300.0, 3600.0), (30.0, 60.0),
                                          (30.0, 3600.0)])
def test_100000_agents_erlang_a_metrics_match_reference(aht, patience):
    """Erlang A metrics at 100,000 agents against the exact chain."""
    cells = [(100_000, load / aht, aht, 20.0, patience)
             for load in (99_000.0, 99_900.0, 100_000.0, 100_500.0)]
    agents = np.array([x[0] for x in cells])
    lam = np.array([x[1] for x in cells])
    m = erlang.metrics(agents, aht=aht, arrival_rate=lam, target_time=20.0,
                       patience=patience)
    _compare_cells(cells, m.as_dict(), [ref.metrics(*cell) for cell in cells])


def test_up_to_100000_agents_finite_and_bounded():
    """From 1 to 100,000 agents and up to 120,000 Erlangs: finite, in [0, 1], no NaN."""
    agents = np.array([1, 10, 1_000, 10_000, 50_000, 99_999, 100_000])[:, None]
    load = np.array([0.5, 9.0, 990.0, 9_990.0, 49_500.0, 99_000.0, 100_000.0, 120_000.0])
    aht = 300.0
    for patience in (None, 30.0, 3600.0):
        m = erlang.metrics(agents, aht=aht, arrival_rate=load / aht, target_time=20.0,
                           patience=patience)
        for name in PROBABILITIES:
            v = getattr(m, name)
            assert v.shape == (7, 8)
            assert np.all((v >= 0.0) & (v <= 1.0)), (name, patience)
        for name in TIMES:
            v = getattr(m, name)
            assert not np.isnan(v).any() and np.all(v >= 0.0), (name, patience)
            if patience is not None:                 # Erlang A is always stable
                assert np.isfinite(v).all(), (name, patience)
