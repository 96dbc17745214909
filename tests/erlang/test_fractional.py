"""Fractional agents: the continuous extension of the Erlang formulas, against theory.

Erlang B for real ``s`` is ``1 / B(s, a) = a int_0^inf e^{-a t} (1 + t)^s dt
= e^a a^{-s} Gamma(s + 1, a)`` (Jagerman 1974).  The references here share
nothing with :mod:`erlang`: scipy's regularised incomplete gamma functions,
scipy's adaptive quadrature of the integral form, mpmath's exact integer
formula (``reference.py``) and, for Erlang A, the Mandelbaum & Zeltyn (2007)
formulas written with incomplete gamma functions, which are defined for real
``n`` as they stand.  Properties: monotone in real agents (hypothesis),
continuous across whole numbers (no jump between ``n - 1e-9``, ``n`` and
``n + 1e-9``), the Erlang B recursion for real ``s``, and
``required_agents(fractional=True)`` exact (meets at ``x``, misses at
``x - 1e-4``, rounds up to the whole answer).
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special

from ccwfm import erlang
from ccwfm.erlang import _kernels

from . import reference as ref

METRICS = ("prob_wait", "service_level", "service_level_answered", "asa", "average_wait",
           "abandon_rate", "occupancy")
RISING = ("service_level", "service_level_answered")


# ------------------------------------------------------------- references

def log_inv_b_gamma(s, a):
    """``log(1 / B(s, a))`` from scipy's incomplete gamma, and the size of the
    terms summed (its rounding error is about 1e-16 of that); ``None`` when
    ``Q(s + 1, a)`` underflows."""
    q = special.gammaincc(s + 1.0, a)
    if not q > 1e-300:
        return None, None
    terms = (a, s * math.log(a), special.gammaln(s + 1.0))
    return (a - s * math.log(a) + special.gammaln(s + 1.0) + math.log(q),
            sum(abs(t) for t in terms))


def log_inv_b_quad(s, a):
    """``log(1 / B(s, a))`` by quadrature of ``int_0^inf e^{-u} (1 + u/a)^s du``
    (``u = a t``), scaled by the integrand's peak at ``u = max(s - a, 0)``, and
    the size of the exponents involved."""
    peak = max(s - a, 0.0)
    top = s * math.log1p(peak / a) - peak
    width = 1.0 + math.sqrt(s + 1.0) + (min(a / (a - s), math.sqrt(a)) if s < a else 0.0)

    def f(u):
        return math.exp(s * math.log1p(u / a) - u - top)

    cuts = [0.0] + ([peak] if peak > 0.0 else []) + [peak + 5 * width, peak + 20 * width,
                                                     peak + 80 * width, np.inf]
    total = sum(integrate.quad(f, lo, hi, epsabs=0.0, epsrel=1e-13, limit=200)[0]
                for lo, hi in zip(cuts[:-1], cuts[1:]))
    return top + math.log(total), abs(top) + s * math.log1p(peak / a) + peak


def mandelbaum_zeltyn(n, lam, h, theta):
    """P(wait), P(abandon), mean wait of all, occupancy, 1 - P(wait) and the condition
    number of P(abandon), of M/M/n+M for real ``n`` (Mandelbaum & Zeltyn 2007, "The
    Palm/Erlang-A queue").

    With ``x = n mu / theta``, ``y = lam / theta``, ``rho = lam / (n mu)``,
    ``A(x, y) = x e^y y^-x gamma(x, y)`` (lower incomplete gamma) and ``E`` the
    Erlang B formula ``1 / E = e^a a^-n Gamma(n + 1, a) = 1 + n X`` with
    ``X = e^a a^-n Gamma(n, a)``::

        P(W > 0) = A E / (1 + (A - 1) E)
        P(Ab | W > 0) = 1 / (rho A) + 1 - 1 / rho
        E[W] = P(Ab) / theta
        occupancy = a P(served) / n = a X / (1 / E + A - 1) + P(W > 0) (A - 1) / A
        1 - P(W > 0) = (1/E - 1) / (1/E + A - 1) = n X / (1/E + A - 1)

    (the occupancy from the last and
    ``1 - P(Ab | W > 0) = (A - 1) / (rho A)``, written so that nothing cancels
    as ``n -> 0``).
    """
    a = lam * h
    x = n / (h * theta)
    y = lam / theta
    big_a = math.exp(math.log(x) + y - x * math.log(y) + special.gammaln(x)
                     + math.log(special.gammainc(x, y)))
    big_x = math.exp(a - n * math.log(a) + special.gammaln(n) + math.log(special.gammaincc(n, a)))
    r = 1.0 + n * big_x
    pw = big_a / (r + big_a - 1.0)
    rho = lam * h / n
    ab_w = 1.0 / (rho * big_a) + 1.0 - 1.0 / rho
    cond = (1.0 / (rho * big_a) + 1.0 + 1.0 / rho) / ab_w   # cancellation in ab_w
    occ = a * big_x / (r + big_a - 1.0) + pw * (big_a - 1.0) / big_a
    return pw, pw * ab_w, pw * ab_w / theta, occ, n * big_x / (r + big_a - 1.0), cond


# ------------------------------------------------- (a) Erlang B at real s

LOADS = [1e-3, 0.05, 0.7, 1.4, 1.6, 3.3, 10.0, 47.3, 85.0, 300.0, 1e3, 1e4]


def _servers(a):
    """Real server counts around the load ``a``: s < a, s near a, s >> a, and below 1."""
    near = [a * c + 0.37 for c in (0.001, 0.1, 0.5, 0.9, 0.99, 1.0, 1.01, 1.1, 1.5, 3.0)]
    return [0.3, 0.999, 1.5, 2.7, 5.25] + near


@pytest.mark.parametrize("a", LOADS)
def test_erlang_b_real_agents_matches_incomplete_gamma_and_quadrature(a):
    compared = 0
    for s in _servers(a):
        b = erlang.erlang_b(s, a)
        # Ours: ~1e-16 per recursion step above the load (as for whole numbers).
        ours = 2e-16 * max(s - a, 0.0)
        for reference in (log_inv_b_gamma, log_inv_b_quad):
            log_r, scale = reference(s, a)
            if log_r is None:
                continue
            if log_r > math.log(1e300):          # B below 1e-300: returned as 0
                assert b < 1.1e-300, (s, a, b, log_r)
                continue
            err = abs(math.expm1(-math.log(b) - log_r))
            assert err <= 1e-13 + 4e-16 * scale + ours, (reference.__name__, s, a, b, err)
            compared += 1
    assert compared >= len(_servers(a))


@pytest.mark.parametrize("a", [0.2, 1.0, 1.49, 1.51, 2.5, 20.0, 80.0, 81.0, 500.0, 2e5])
def test_erlang_b_real_agents_below_one_against_scipy(a):
    # 0 < s < 1 is the start of the recursion: the incomplete gamma kernel alone.
    s = np.array([1e-12, 1e-6, 0.01, 0.25, 0.5, 0.75, 0.99, 1 - 1e-9])
    got = erlang.erlang_b(s, a)
    for si, b in zip(s, got):
        log_r, scale = log_inv_b_gamma(si, a)
        if log_r is None:                        # Q(s + 1, a) underflows: quadrature
            log_r, scale = log_inv_b_quad(si, a)
        assert abs(math.expm1(-math.log(b) - log_r)) <= 1e-14 + 4e-16 * scale, (si, a, b)


# ------------------------------------------------ (b) integers, recursion

@pytest.mark.parametrize("a", [0.01, 0.9, 2.0, 7.5, 60.0, 140.0, 900.0])
def test_real_code_at_whole_numbers_is_the_integer_formula(a):
    # The fractional code path evaluated at whole n (it is never taken there)
    # equals mpmath's textbook sum, and the whole-number path.
    for n in [1, 2, 3, 5, 10, 40, int(a) + 1, int(2 * a) + 3, 300]:
        exact = float(1 / ref.erlang_b(n, a)) if ref.erlang_b(n, a) > 1e-300 else math.inf
        real = _kernels._inv_erlang_b_real(float(n), a)
        whole = _kernels.inv_erlang_b(float(n), a)
        if math.isinf(exact):
            assert real == whole == math.inf
            continue
        tol = 1e-14 + 2e-16 * max(n - a, 0.0)
        assert abs(real / exact - 1) <= tol, (n, a, real, exact)
        assert abs(whole / exact - 1) <= tol, (n, a, whole, exact)


@pytest.mark.parametrize("a", [0.3, 4.0, 45.0, 700.0])
def test_scipy_gamma_form_is_the_integer_formula_at_whole_numbers(a):
    # The identity the extension rests on: e^a a^-n Gamma(n+1, a) = sum_k n!/(k! a^(n-k)).
    for n in [1, 2, 7, int(a) + 1, int(1.5 * a) + 2]:
        log_r, scale = log_inv_b_gamma(float(n), a)
        if log_r is None:                        # Q(n + 1, a) underflows: quadrature
            log_r, scale = log_inv_b_quad(float(n), a)
        exact = float(1 / ref.erlang_b(n, a))
        assert abs(math.exp(log_r) / exact - 1) <= 1e-13 + 4e-16 * scale


@settings(max_examples=200, deadline=None)
@given(a=st.floats(1e-3, 3000.0), s=st.floats(1.0, 4000.0))
def test_erlang_b_recursion_holds_for_real_agents(a, s):
    # B(s) = a B(s-1) / (s + a B(s-1)) for every real s >= 1.
    b, prev = erlang.erlang_b([s, s - 1.0], a)
    want = a * prev / (s + a * prev)
    assert abs(b - want) <= (1e-12 + 4e-16 * max(s - a, 0.0)) * want + 1e-300


# -------------------------------------------- (c) monotone and continuous

@settings(max_examples=300, deadline=None)
@given(load=st.floats(0.01, 400.0), aht=st.floats(10.0, 1200.0),
       patience=st.one_of(st.none(), st.floats(5.0, 3600.0)), t=st.floats(0.0, 300.0),
       s1=st.floats(0.0, 900.0), s2=st.floats(0.0, 900.0))
def test_every_metric_is_monotone_in_real_agents(load, aht, patience, t, s1, s2):
    lo, hi = sorted((s1, s2))
    volume = load * 1800.0 / aht
    m = erlang.metrics([lo, hi], volume, aht, target_time=t, patience=patience)
    for name in METRICS:
        v = np.where(np.isinf(getattr(m, name)), 1e300, getattr(m, name))
        if name in RISING:
            # Probabilities to 1e-12 absolute (as for whole numbers).
            assert v[1] >= v[0] - 1e-12, (name, lo, hi, v)
        else:
            assert v[1] <= v[0] + 1e-12 * max(1.0, v[0]), (name, lo, hi, v)
    b = erlang.erlang_b([lo, hi], load)
    c = erlang.erlang_c([lo, hi], load)
    assert b[1] <= b[0] * (1 + 1e-12) and c[1] <= c[0] * (1 + 1e-12)
    assert np.all(b <= c * (1 + 1e-12) + 1e-300)


@pytest.mark.parametrize("patience", [None, 45.0, 600.0])
@pytest.mark.parametrize("load", [0.37, 2.93, 8.61, 47.3, 123.4])
def test_every_metric_is_monotone_on_a_fine_grid(load, patience):
    aht = 240.0
    s = np.linspace(0.0, 2 * load + 12, 3001)
    m = erlang.metrics(s, load * 1800 / aht, aht, target_time=20.0, patience=patience)
    for name in METRICS:
        v = np.where(np.isinf(getattr(m, name)), 1e300, getattr(m, name))
        d = np.diff(v)
        if name in RISING:
            assert np.all(d >= -1e-12), name
        else:
            assert np.all(d <= 1e-12 * np.maximum(1.0, v[:-1])), name
    # Strictly, where the metric is not pinned at a bound nor within rounding of 1.
    pw = m.prob_wait
    moving = (pw > 1e-250) & (pw < 0.999)
    assert np.all(np.diff(pw)[moving[1:] & moving[:-1]] < 0)


@pytest.mark.parametrize("patience", [None, 45.0, 600.0])
@pytest.mark.parametrize("load", [0.37, 2.93, 8.61, 47.3, 123.4])
def test_no_jump_at_whole_numbers(load, patience):
    aht = 240.0
    volume = load * 1800 / aht
    n = np.arange(1.0, 2 * load + 12)
    n = n[np.abs(n - load) > 0.05]        # the Erlang C edge of stability is not smooth
    delta, step = 1e-9, 1e-3

    def at(x):
        return erlang.metrics(x, volume, aht, target_time=20.0, patience=patience)

    below, mid, above = at(n - delta), at(n), at(n + delta)
    left, right = at(n - step), at(n + step)
    for name in METRICS:
        vb, vm, va = (np.asarray(getattr(m, name)) for m in (below, mid, above))
        vl, vr = np.asarray(getattr(left, name)), np.asarray(getattr(right, name))
        ok = np.isfinite(vl) & np.isfinite(vr)        # inf: an unstable Erlang C queue
        assert np.array_equal(ok, np.isfinite(vb) & np.isfinite(vm) & np.isfinite(va))
        vb, vm, va, vl, vr = (v[ok] for v in (vb, vm, va, vl, vr))
        sign = 1.0 if name in RISING else -1.0
        # Probabilities are exact to 1e-15 absolute or better (at whole numbers
        # too: in deep overload 1 - P(wait) is below the rounding of 1), times
        # to 1e-12 relative.
        noise = 1e-12 * np.abs(vm) + (1e-300 if name in ("asa", "average_wait") else 1e-15)
        # Ordered across the whole number: the value at n is between its neighbours.
        assert np.all(sign * (vm - vb) >= -noise), name
        assert np.all(sign * (va - vm) >= -noise), name
        # And the step over 2e-9 agents is what the local slope allows, no more.
        slope = np.abs(vr - vl) / (2 * step)
        jump = np.abs(va - vb)
        assert np.all(jump <= 4 * slope * 2 * delta + noise), name


def test_fractional_metrics_lie_between_their_whole_neighbours():
    m = erlang.metrics([7, 7.3, 8], 100, 120, target_time=20)       # 6.67 Erlangs
    assert m.service_level[0] < m.service_level[1] < m.service_level[2]
    assert m.asa[0] > m.asa[1] > m.asa[2]
    assert m.occupancy[1] == pytest.approx(100 * 120 / 1800 / 7.3, rel=1e-15)
    m = erlang.metrics([7, 7.3, 8], 100, 120, target_time=20, patience=60)
    assert m.service_level[0] < m.service_level[1] < m.service_level[2]
    assert m.abandon_rate[0] > m.abandon_rate[1] > m.abandon_rate[2]


# ----------------------------- (d) Erlang A at real agents: Mandelbaum-Zeltyn

@pytest.mark.parametrize("n", [0.5, 1.0, 1.3, 4.3, 7.77, 12.5, 30.2, 95.6, 150.25])
def test_erlang_a_real_agents_matches_mandelbaum_zeltyn(n):
    aht = 240.0
    for rho in (0.3, 0.7, 0.95, 1.0, 1.3, 2.0):
        for ratio in (0.2, 1.0, 5.0):            # mean patience / aht
            patience = ratio * aht
            lam = rho * n / aht
            m = erlang.metrics(n, arrival_rate=lam, aht=aht, patience=patience)
            pw, pab, ew, occ, _, cond = mandelbaum_zeltyn(n, lam, aht, 1.0 / patience)
            where = (n, rho, ratio)
            assert m.prob_wait == pytest.approx(pw, rel=1e-11), where
            assert m.abandon_rate == pytest.approx(pab, rel=1e-11 * cond), where
            assert m.average_wait == pytest.approx(ew, rel=1e-11 * cond), where
            assert m.occupancy == pytest.approx(occ, rel=1e-11), where


@pytest.mark.parametrize("n", [1, 2, 3])
def test_erlang_a_share_not_waiting_exact_in_overload(n):
    # 1 - P(wait) ~ 1e-12 here: taken as q / (1 + q), not 1 - P(wait), so the
    # service levels keep their relative precision (at whole numbers too; the
    # value at 1 - 1e-9 agents and at 1 agent agree).
    lam, aht, patience, t = 123.4 / 240.0, 240.0, 45.0, 20.0
    want = ref.metrics(n, lam, aht, target_time=t, patience=patience)
    m = erlang.metrics(n, arrival_rate=lam, aht=aht, target_time=t, patience=patience)
    for name in ("service_level", "service_level_answered", "occupancy", "asa"):
        assert getattr(m, name) == pytest.approx(want[name], rel=1e-12), name


@pytest.mark.parametrize("n", [1e-300, 1e-100, 1e-12, 1e-6, 0.01, 0.5, 0.999])
def test_erlang_a_below_one_agent_matches_mandelbaum_zeltyn(n):
    # Below one server the share not waiting and the occupancy are O(n) / n:
    # full relative precision is kept however small n is.
    aht = 240.0
    for load in (0.3, 3.0, 9.0):
        for ratio in (0.2, 1.0, 5.0):
            patience = ratio * aht
            lam = load / aht
            m = erlang.metrics(n, arrival_rate=lam, aht=aht, patience=patience, target_time=0.0)
            pw, pab, ew, occ, no_wait, cond = mandelbaum_zeltyn(n, lam, aht, 1.0 / patience)
            where = (n, load, ratio)
            # scipy's log form sums terms as large as gammaln(n) ~ 690: 1e-13.
            assert m.prob_wait == pytest.approx(pw, rel=1e-12), where
            assert m.abandon_rate == pytest.approx(pab, rel=1e-12 * cond), where
            assert m.occupancy == pytest.approx(occ, rel=1e-12), where
            # Answered within 0 s: exactly those who do not wait, O(n).
            assert m.service_level == pytest.approx(no_wait, rel=1e-12), where


@pytest.mark.parametrize("a", [1e-3, 0.3, 1.0, 1.49, 1.51, 7.0, 60.0, 400.0])
def test_excess_over_one_below_one_server_against_scipy(a):
    # (1/B(f, a) - 1) / f = e^a a^-f Gamma(f, a): the start of the real recursion.
    for f in (1e-300, 1e-100, 1e-12, 1e-6, 0.01, 0.3, 0.77, 0.999):
        got = math.log(_kernels.excess_per_server(f, a))
        q = special.gammaincc(f, a)
        if q > 1e-280:
            terms = (a, f * math.log(a), special.gammaln(f))
            want = a - f * math.log(a) + special.gammaln(f) + math.log(q)
            assert abs(got - want) <= 1e-14 + 4e-16 * sum(abs(t) for t in terms), (f, a)
        if a >= 1.0 or q <= 1e-280:
            # = (1/a) int_0^inf (1 + u/a)^(f-1) e^-u du (t = a + u in Gamma(f, a)).
            want = integrate.quad(lambda u: (1 + u / a) ** (f - 1) * math.exp(-u), 0, np.inf,
                                  epsabs=0, epsrel=1e-13, limit=200)[0] / a
            assert abs(got - math.log(want)) <= 1e-13, (f, a)


def test_erlang_c_real_agents_from_the_continuous_erlang_b():
    # C = B / (1 - rho (1 - B)) with the real-s B of scipy, and the Erlang C metrics.
    for s, a in [(4.3, 3.0), (0.7, 0.2), (12.5, 11.9), (60.25, 41.0), (230.6, 200.0)]:
        log_r, _ = log_inv_b_gamma(s, a)
        b = math.exp(-log_r)
        c = b / (1 - a / s * (1 - b))
        assert erlang.erlang_c(s, a) == pytest.approx(c, rel=1e-12)
        aht, t = 200.0, 15.0
        m = erlang.metrics(s, a * 1800 / aht, aht, target_time=t)
        assert m.service_level == pytest.approx(1 - c * math.exp(-(s - a) * t / aht), rel=1e-12)
        assert m.asa == pytest.approx(c * aht / (s - a), rel=1e-12)


# -------------------------------------- (e) required_agents(fractional=True)

CASES = [
    dict(volume=100, aht=180, service_level=0.8, target_time=20),
    dict(volume=100, aht=180, service_level=0.8, target_time=20, patience=120),
    dict(volume=100, aht=180, service_level=0.8, target_time=20, patience=60, basis="answered"),
    dict(volume=12, aht=300, asa=30),
    dict(volume=12, aht=300, asa=30, patience=90),
    dict(volume=400, aht=240, abandon_rate=0.03, patience=100),
    dict(volume=50, aht=200, occupancy=0.8),
    dict(volume=50, aht=200, occupancy=0.8, patience=200),
    dict(volume=3, aht=300, service_level=0.5, target_time=20),
    dict(volume=0.5, aht=100, abandon_rate=0.5, patience=30),
    dict(volume=120, aht=600, service_level=0.8, target_time=60, concurrency=3,
         concurrency_factor=1.5),
    dict(volume=2000, aht=300, service_level=0.9, target_time=15, asa=10, occupancy=0.9),
    dict(volume=800, aht=300, service_level=0.85, target_time=30, asa=20, abandon_rate=0.02,
         occupancy=0.95, patience=180),
    dict(arrival_rate=40.0, aht=300, service_level=0.8, target_time=20),
]
_QUEUE = ("volume", "aht", "arrival_rate", "patience", "concurrency", "concurrency_factor")


def _verdict(kw, agents, slack):
    """Does ``agents`` meet every target of ``kw`` (each loosened by ``slack``)?"""
    q = {k: v for k, v in kw.items() if k in _QUEUE}
    m = erlang.metrics(agents, target_time=kw.get("target_time", 20.0), **q)
    ok = True
    if "service_level" in kw:
        sl = m.service_level_answered if kw.get("basis") == "answered" else m.service_level
        ok &= sl >= kw["service_level"] - slack
    if "asa" in kw:
        ok &= m.asa <= kw["asa"] * (1 + slack)
    if "abandon_rate" in kw:
        ok &= m.abandon_rate <= kw["abandon_rate"] + slack
    if "occupancy" in kw:
        ok &= m.occupancy <= kw["occupancy"] + slack
    if "patience" not in kw:
        ok &= m.load < agents * kw.get("concurrency", 1)      # stable
    return bool(ok)


@pytest.mark.parametrize("kw", CASES)
def test_fractional_required_agents_is_the_smallest_real_count(kw):
    x = erlang.required_agents(**kw, fractional=True)
    n = erlang.required_agents(**kw)
    assert isinstance(x, float) and isinstance(n, int)
    assert math.ceil(x) == n and n - 1 < x <= n
    assert _verdict(kw, x, 1e-9), (kw, x)
    assert not _verdict(kw, x - 1e-4, 0.0), (kw, x)
    assert not _verdict(kw, x - 1e-6, 0.0), (kw, x)


@settings(max_examples=80, deadline=None)
@given(volume=st.floats(0.5, 3000.0), aht=st.floats(10.0, 1200.0),
       patience=st.one_of(st.none(), st.floats(5.0, 3600.0)),
       sl=st.one_of(st.none(), st.floats(0.05, 0.98)), t=st.floats(0.0, 120.0),
       asa=st.one_of(st.none(), st.floats(1.0, 300.0)),
       ab=st.one_of(st.none(), st.floats(0.005, 0.9)),
       occ=st.one_of(st.none(), st.floats(0.3, 0.98)), basis=st.sampled_from(["offered",
                                                                               "answered"]))
def test_fractional_required_agents_property(volume, aht, patience, sl, t, asa, ab, occ, basis):
    kw = dict(volume=volume, aht=aht, basis=basis)
    if sl is not None:
        kw.update(service_level=sl, target_time=t)
    if asa is not None:
        kw["asa"] = asa
    if occ is not None:
        kw["occupancy"] = occ
    if patience is not None:
        kw["patience"] = patience
        if ab is not None:
            kw["abandon_rate"] = ab
    if len(kw) == 3 or (len(kw) == 4 and "patience" in kw):
        kw["occupancy"] = 0.9
    x = erlang.required_agents(**kw, fractional=True)
    n = erlang.required_agents(**kw)
    assert math.ceil(x) == n
    assert _verdict(kw, x, 1e-9)
    assert not _verdict(kw, max(x - 1e-6, 0.0), 0.0)


def test_fractional_required_agents_vectorised_like_per_cell():
    volume = np.array([[0.0, 3.0, 40.0], [250.0, 1200.0, 7.5]])
    patience = np.array([[np.inf], [90.0]])
    kw = dict(aht=280.0, service_level=0.8, target_time=20, patience=patience)
    x = erlang.required_agents(volume, **kw, fractional=True)
    n = erlang.required_agents(volume, **kw)
    assert x.shape == n.shape == (2, 3) and x.dtype == np.float64
    np.testing.assert_array_equal(np.ceil(x), n)
    assert x[0, 0] == 0.0
    for i, j in np.ndindex(x.shape):
        one = erlang.required_agents(volume[i, j], aht=280.0, service_level=0.8, target_time=20,
                                     patience=float(patience[i, 0]), fractional=True)
        assert one == x[i, j]


def test_whole_required_agents_unchanged_by_the_flag():
    kw = dict(service_level=0.8, target_time=20)
    assert erlang.required_agents(100, 180, **kw, fractional=False) == 14
    assert erlang.required_agents(100, 180, **kw) == 14


# ------------------------------------------------------------ (f) validation

@pytest.mark.parametrize("call, message", [
    (lambda: erlang.erlang_b(-0.5, 1.0), "'agents' must be >= 0: -0.5"),
    (lambda: erlang.erlang_b([1.5, np.nan], 1.0), "'agents' must not be NaN: nan (at index 1)"),
    (lambda: erlang.erlang_c(np.inf, 1.0), "'agents' must be finite: inf"),
    (lambda: erlang.metrics(-1e-9, 100, 180), "'agents' must be >= 0: -1e-09"),
    (lambda: erlang.metrics([4.3, np.nan], 100, 180),
     "'agents' must not be NaN: nan (at index 1)"),
    (lambda: erlang.service_level(np.inf, 100, 180), "'agents' must be finite: inf"),
    (lambda: erlang.asa(-2.5, 100, 180), "'agents' must be >= 0: -2.5"),
    (lambda: erlang.metrics(100000.5, 100, 180),
     "'agents' must be <= 100000 agents (limit 'agents'): 100000.5"),
    (lambda: erlang.metrics(4.3, 100, 180, concurrency=1.5),
     "'concurrency' must be a whole number: 1.5"),
    (lambda: erlang.Metrics(agents=np.nan, load=1.0, prob_wait=0.0, service_level=1.0,
                            service_level_answered=1.0, asa=0.0, average_wait=0.0,
                            abandon_rate=0.0, occupancy=0.0), "'agents' must not be NaN: nan"),
    (lambda: erlang.required_agents(100, 180, asa=20, fractional="yes"),
     "'fractional' must be true or false: 'yes'"),
    (lambda: erlang.required_agents(100, 180, asa=20, fractional=1),
     "'fractional' must be true or false: 1"),
])
def test_bad_agents_are_refused_naming_the_field(call, message):
    with pytest.raises(ValueError) as err:
        call()
    assert str(err.value).startswith(message)


def test_fractional_agents_are_accepted_everywhere():
    assert 0.0 < erlang.erlang_b(4.3, 3.0) < erlang.erlang_c(4.3, 3.0) < 1.0
    m = erlang.Metrics(agents=4.3, load=3.0, prob_wait=0.4, service_level=0.7,
                       service_level_answered=0.7, asa=10.0, average_wait=10.0,
                       abandon_rate=0.0, occupancy=0.7)
    assert m.agents == 4.3
    for fn in (erlang.prob_wait, erlang.service_level, erlang.asa, erlang.abandon_rate,
               erlang.average_wait, erlang.occupancy):
        v = fn([4.3, 5.7], 100, 120, patience=90)
        assert v.shape == (2,) and np.all(np.isfinite(v))
