"""Erlang A (and C) against birth-death chains solved directly in float64 with scipy.

A second opinion independent of both the package and the mpmath reference: the
M/M/n+M queue is written down as a truncated continuous-time Markov chain, its
stationary distribution is found with a dense linear solve, and the fate of a
tagged arrival is read off a small absorbing chain (``scipy.linalg.expm`` for
"served within t", the fundamental matrix for the means).  No closed form of
Erlang A is used.
"""

import math

import numpy as np
import pytest
import scipy.linalg
from scipy import stats

from ccwfm import erlang
from ccwfm._limits import LIMITS

RTOL = 1e-7
LONGEST = float(LIMITS["patience"].value)    # the longest finite patience allowed, s
ATOL = 1e-12
NAMES = ("prob_wait", "service_level", "service_level_answered", "asa", "average_wait",
         "abandon_rate", "occupancy")


def _queue_length_cutoff(n, lam, h, theta, tol=1e-22, cap=4000):
    """Waiting places ``J`` beyond which the stationary mass is below ``tol`` (relative).

    Parameters
    ----------
    n : int
        Servers.
    lam, h, theta : float
        Arrival rate, mean service time and abandonment rate (per second).
    tol : float
        Neglected relative mass.
    cap : int
        Largest ``J`` accepted (the test cells are chosen well below it).

    Returns
    -------
    int
    """
    j = np.arange(1, cap + 1)
    log_ratio = np.concatenate([[0.0], np.cumsum(np.log(lam / (n / h + j * theta)))])
    top = log_ratio.max()
    past_peak = np.flatnonzero((n / h + np.arange(cap + 1) * theta > lam)
                               & (log_ratio < top + math.log(tol)))
    if past_peak.size == 0:
        raise ValueError("queue too long for the float64 chain")
    return int(past_peak[0])


def _stationary(lam, death):
    """Stationary law of the birth-death chain with birth ``lam``, deaths ``death[k]``.

    Solves ``pi Q = 0`` with one balance equation replaced by ``sum(pi) = 1``.
    """
    size = death.shape[0]
    k = np.arange(size)
    gen = np.zeros((size, size))
    gen[k[:-1], k[:-1] + 1] = lam
    gen[k[1:], k[1:] - 1] = death[1:]
    gen[k, k] = -gen.sum(axis=1)
    a = gen.T.copy()
    a[-1, :] = 1.0
    rhs = np.zeros(size)
    rhs[-1] = 1.0
    return scipy.linalg.solve(a, rhs)


def chain_metrics(n, lam, h, theta, t):
    """Queue metrics of M/M/n+M from a truncated birth-death chain, in float64.

    Parameters
    ----------
    n : int
        Servers, >= 1.
    lam : float
        Arrival rate per second.
    h : float
        Mean service time in seconds.
    theta : float
        Abandonment rate per second of a waiting customer, > 0.
    t : float
        Service-level threshold in seconds.

    Returns
    -------
    dict of str to float
        The metrics of :data:`NAMES` plus ``average_wait_little`` (mean wait of
        all arrivals by Little's law, to cross-check the tagged-customer value).
    """
    mu = 1.0 / h
    c = n * mu
    big_j = _queue_length_cutoff(n, lam, h, theta)
    size = n + big_j + 1                       # states k = 0 .. n + J
    k = np.arange(size)
    pi = _stationary(lam, np.minimum(k, n) * mu + np.maximum(k - n, 0) * theta)
    # Tagged arrival with i customers waiting ahead, i = 0 .. J - 1 (arrivals seeing
    # the last state are neglected: its mass is below 1e-22).
    m = big_j
    i = np.arange(m)
    sub = np.zeros((m, m))
    sub[i[1:], i[1:] - 1] = c + i[1:] * theta      # someone ahead leaves
    sub[i, i] = -(c + i * theta + theta)            # ... or the tagged one abandons
    to_served = np.zeros(m)
    to_served[0] = c
    minus_sub = -sub
    p_served = scipy.linalg.solve_triangular(minus_sub, to_served, lower=True)
    wait_served = scipy.linalg.solve_triangular(minus_sub, p_served, lower=True)
    sojourn = scipy.linalg.solve_triangular(minus_sub, np.ones(m), lower=True)
    aug = np.zeros((m + 1, m + 1))
    aug[:m, :m] = sub
    aug[:m, m] = to_served
    served_by_t = scipy.linalg.expm(aug * t)[:m, m]
    no_wait = pi[:n].sum()
    queue = pi[n:n + m]
    served = no_wait + queue @ p_served
    sl = no_wait + queue @ served_by_t
    out = {
        "prob_wait": 1.0 - no_wait,
        "service_level": sl,
        "service_level_answered": sl / served,
        "asa": (queue @ wait_served) / served,
        "average_wait": queue @ sojourn,
        "abandon_rate": 1.0 - served,
        "occupancy": (np.minimum(k, n) * pi).sum() / n,
        "average_wait_little": (np.maximum(k - n, 0) * pi).sum() / lam,
    }
    return out


def erlang_c_chain_metrics(n, lam, h, t):
    """M/M/n metrics from a truncated chain; the wait of an arrival finding ``j``
    waiting is Gamma(j + 1, n mu), evaluated by scipy (stable cells only).

    Parameters
    ----------
    n : int
        Servers.
    lam, h : float
        Arrival rate per second and mean service time in seconds, ``lam h < n``.
    t : float
        Service-level threshold in seconds.

    Returns
    -------
    dict of str to float
    """
    c = n / h
    rho = lam / c
    big_j = int(math.ceil(math.log(1e-22) / math.log(rho))) + 10
    size = n + big_j + 1
    k = np.arange(size)
    pi = _stationary(lam, np.minimum(k, n) / h)
    j = np.arange(big_j + 1)
    queue = pi[n:]
    sl = pi[:n].sum() + queue @ stats.gamma.cdf(t, j + 1, scale=1.0 / c)
    asa = queue @ ((j + 1) / c)
    return {"prob_wait": queue.sum(), "service_level": sl, "asa": asa,
            "occupancy": lam * h / n}


def _assert_metrics(cell, got, want, names=NAMES, rtol=RTOL, atol=ATOL):
    bad = []
    for name in names:
        g, w = float(getattr(got, name)), float(want[name])
        if not abs(g - w) <= atol + rtol * abs(w):
            bad.append(f"{name}: api {g!r}, chain {w!r}")
    assert not bad, f"{cell}:\n" + "\n".join(bad)


def _random_cells(seed, count):
    rng = np.random.default_rng(seed)
    cells = []
    while len(cells) < count:
        n = int(rng.integers(1, 41))
        load = float(n * rng.uniform(0.3, 1.6))
        aht = float(rng.uniform(30.0, 600.0))
        patience = float(np.exp(rng.uniform(np.log(10.0), np.log(600.0))))
        t = 0.0 if len(cells) < 2 else float(rng.uniform(0.0, 120.0))
        lam = load / aht
        try:
            _queue_length_cutoff(n, lam, aht, 1.0 / patience, cap=1500)
        except ValueError:
            continue
        cells.append((n, lam, aht, patience, t))
    return cells


@pytest.mark.parametrize("cell", _random_cells(2024, 20), ids=lambda c: f"n{c[0]}")
def test_erlang_a_matches_birth_death_chain(cell):
    """Every Erlang A metric against the float64 chain on 20 seeded cells."""
    n, lam, aht, patience, t = cell
    want = chain_metrics(n, lam, aht, 1.0 / patience, t)
    # The chain's two mean waits (tagged customer vs Little) agree: the chain is sound.
    assert want["average_wait"] == pytest.approx(want["average_wait_little"], rel=1e-9)
    got = erlang.metrics(n, aht=aht, arrival_rate=lam, target_time=t, patience=patience)
    _assert_metrics(cell, got, want)


def test_erlang_a_chain_cells_in_one_vectorised_call():
    """The same comparison with all cells in one array call."""
    cells = _random_cells(99, 12)
    n, lam, aht, patience, t = (np.array(x) for x in zip(*cells))
    got = erlang.metrics(n, aht=aht, arrival_rate=lam, target_time=t, patience=patience)
    for i, cell in enumerate(cells):
        want = chain_metrics(cell[0], cell[1], cell[2], 1.0 / cell[3], cell[4])
        for name in NAMES:
            assert getattr(got, name)[i] == pytest.approx(want[name], rel=RTOL, abs=ATOL), (
                name, cell)


STABLE_C_CELLS = [(14, 10.0, 180.0, 20.0), (1, 0.5, 300.0, 15.0), (50, 40.0, 240.0, 30.0),
                  (5, 4.5, 120.0, 0.0), (120, 100.0, 420.0, 60.0), (3, 0.2, 600.0, 10.0)]


@pytest.mark.parametrize("n,load,aht,t", STABLE_C_CELLS)
def test_erlang_c_matches_birth_death_chain(n, load, aht, t):
    """Erlang C against the M/M/n chain with Gamma waiting times."""
    want = erlang_c_chain_metrics(n, load / aht, aht, t)
    got = erlang.metrics(n, aht=aht, arrival_rate=load / aht, target_time=t)
    _assert_metrics((n, load, aht, t), got, want,
                    names=("prob_wait", "service_level", "asa", "occupancy"))


@pytest.mark.parametrize("n,load,aht,t", STABLE_C_CELLS)
def test_longest_patience_tends_to_erlang_c(n, load, aht, t):
    """The longest patience allowed (30 days) on stable cells gives the Erlang C metrics and
    almost no abandonment."""
    # With theta = 1 / 2.592e6 per second, Erlang A differs from Erlang C by O(theta * wait),
    # a few 1e-4 at most here; the chain with that theta is the exact reference.
    lam = load / aht
    want = chain_metrics(n, lam, aht, 1.0 / LONGEST, t)
    a = erlang.metrics(n, aht=aht, arrival_rate=lam, target_time=t, patience=LONGEST)
    c = erlang_c_chain_metrics(n, lam, aht, t)
    for name in ("prob_wait", "service_level", "asa", "occupancy"):
        assert getattr(a, name) == pytest.approx(want[name], rel=1e-6, abs=1e-12), name
        assert getattr(a, name) == pytest.approx(c[name], rel=5e-3, abs=1e-12), name
    # Little's law on the queue: abandonments = theta x mean queue = theta x lam x mean wait.
    assert a.abandon_rate == pytest.approx(a.average_wait / LONGEST, rel=1e-6)
    assert 0.0 <= a.abandon_rate < 2e-4
    assert a.service_level_answered == pytest.approx(a.service_level, rel=2e-4)


@pytest.mark.parametrize("n,load", [(14, 10.0), (10, 10.0), (10, 12.0), (0, 3.0),
                                    (300, 299.5), (100_000, 99_000.0)])
def test_infinite_patience_is_erlang_c(n, load):
    """patience=inf is exactly Erlang C, stable or not."""
    aht = 240.0
    lam = load / aht
    a = erlang.metrics(n, aht=aht, arrival_rate=lam, target_time=20.0, patience=math.inf)
    c = erlang.metrics(n, aht=aht, arrival_rate=lam, target_time=20.0)
    for name in NAMES:
        assert getattr(a, name) == pytest.approx(getattr(c, name), rel=1e-15, abs=0.0), name
    assert a.abandon_rate == 0.0
    if n > load:
        if load / n < 0.98:                 # the chain is short enough to solve densely
            want = erlang_c_chain_metrics(n, lam, aht, 20.0)
            assert a.prob_wait == pytest.approx(want["prob_wait"], rel=RTOL)
            assert a.service_level == pytest.approx(want["service_level"], rel=RTOL)
            assert a.asa == pytest.approx(want["asa"], rel=RTOL)
    else:
        assert (a.prob_wait, a.service_level, a.asa, a.occupancy) == (1.0, 0.0, math.inf, 1.0)


def test_mixed_finite_and_infinite_patience_in_one_call():
    """Infinite and finite patience mixed in one array."""
    patience = np.array([math.inf, 120.0, math.inf, 45.0])
    got = erlang.metrics(14, 100, 180, target_time=20.0, patience=patience)
    c = erlang.metrics(14, 100, 180, target_time=20.0)
    for name in NAMES:
        v = getattr(got, name)
        assert v[0] == v[2] == pytest.approx(getattr(c, name), rel=1e-15, abs=0.0), name
    for i in (1, 3):
        want = chain_metrics(14, 100 / 1800, 180.0, 1.0 / patience[i], 20.0)
        for name in NAMES:
            assert getattr(got, name)[i] == pytest.approx(want[name], rel=RTOL, abs=ATOL), name


@pytest.mark.parametrize("n,load,aht", [(10, 12.0, 180.0), (50, 75.0, 300.0),
                                        (200, 210.0, 120.0)])
def test_longest_patience_overloaded_fluid_limits(n, load, aht):
    """Overload with the longest patience allowed (30 days): all busy, excess abandons, fluid
    waits."""
    # Overloaded and almost never abandoning: all servers busy, the excess abandons,
    # the queue holds about (lam - n mu) / theta callers.
    lam = load / aht
    theta = 1.0 / LONGEST
    m = erlang.metrics(n, aht=aht, arrival_rate=lam, target_time=20.0, patience=LONGEST)
    assert m.prob_wait == pytest.approx(1.0, abs=1e-9)
    assert m.occupancy == pytest.approx(1.0, abs=1e-9)
    assert m.abandon_rate == pytest.approx(1.0 - n / load, rel=1e-6)
    assert m.average_wait == pytest.approx((lam - n / aht) / theta / lam, rel=1e-3)
    # A served caller waited until the queue ahead of it drained: log(lam / (n mu)) / theta.
    assert m.asa == pytest.approx(math.log(load / n) / theta, rel=1e-3)
