"""Numba kernels for the Erlang B, C and A models.

Private module: float64 scalars and 1-D float64 arrays in, no validation, no
pandas.  The public wrappers in :mod:`erlang.metrics` and
:mod:`erlang.staffing` validate and broadcast their inputs before calling
these.

Notation used throughout (rates per second, times in seconds):

``s``       servers (agents times chat slots), a real number >= 0
``a``       offered load in Erlangs, ``lam / mu``
``lam``     arrival rate
``h``       mean handle time of one contact on one server, ``1 / mu``
``theta``   abandonment rate, ``1 / mean patience`` (0 means no abandonment)
``t``       service-level threshold ("answered within t seconds")

Erlang B is computed through its reciprocal ``r(s) = 1 / B(s, a)`` with the
recursion ``r(s) = 1 + (s / a) r(s - 1)``, which needs no division and never
cancels.  Below the load the recursion is contracting: an error in ``r`` is
multiplied by ``s / a < 1`` at every step, so starting ``K sqrt(a)`` servers
below the load from the bound ``r <= a / (a - s)`` forgets the starting error
by a factor ``exp(-K**2 / 2)``.  With ``K = 9`` that is below 3e-18, so a
value costs ``O(sqrt(a) + s - a)`` steps instead of ``O(s)`` with full double
precision.  Above the load ``r`` grows and an underflowing ``B`` simply
becomes 0.

Fractional servers (measured agents are averages, such as 4.3) use the
continuous extension of Erlang B (Jagerman 1974)::

    r(s) = 1 / B(s, a) = a int_0^inf e**(-a t) (1 + t)**s dt = e**a a**-s Gamma(s + 1, a)

with ``Gamma(., .)`` the upper incomplete gamma function.  At whole ``s`` it
is the textbook formula, and for every real ``s`` it satisfies the same
recursion and the same bounds ``1 <= r(s) <= a / (a - s)`` below the load,
so the burn-in above runs unchanged from a real start ``s - m``.  Only when
that start would fall below the fractional part ``f = s - floor(s)`` (small
loads) does the recursion start at ``f`` from ``r(f) = 1 + f X`` with
``X = (r(f) - 1) / f = e**a a**-f Gamma(f, a)``: the Lentz continued
fraction of ``Gamma(f, a)`` from ``a = 1.5`` on, the same at 1.5 plus a
term-by-term integral below (:func:`excess_per_server`); nothing overflows,
and ``X`` keeps full relative precision however small ``f`` is.  Whole ``s``
keeps the code path it always had, bit for bit.  Erlang C follows from ``r``
as for whole numbers, and so does Erlang A, whose queue weights below are
defined for real ``s`` already; below one server the Erlang A shares that
are of order ``s`` (not waiting, served) are carried divided by ``s``, from
``X``, so that the occupancy (which divides by ``s``) stays exact.

Erlang A (M/M/s+M) uses the Kummer-type series
``g(b, z) = sum_k z**k / (b (b+1) ... (b+k))`` (``= gamma(b, z) z**-b e**z``),
summed with rescaling, or from its largest term when the queue is heavily
overloaded, so that it never overflows.  With ``b = s mu / theta + 1`` and
``z = lam / theta`` its terms are the weights of "``j`` contacts waiting
ahead" seen by an arrival, and P(wait), P(abandon) and the ASA are ratios of
such sums.  The service level needs the share of waiting contacts answered
within ``t``: when most are, it is a difference of two series (at ``z`` and
at ``z exp(-theta t)``); when most are not, that difference would cancel, and
the kernel sums instead the positive series ``sum_j t_j P(N > j)`` where
``N`` is negative binomial (the time to clear ``j + 1`` exponential stages
with rates ``theta (b + i)`` is below ``t`` exactly when a pure birth process
with those rates has more than ``j`` births by ``t``), with ``P(N = j)`` from
Loader's saddle-point formula.
"""

import math

import numpy as np
from numba import njit

# Burn-in of the Erlang B recursion, in units of sqrt(load): exp(-K^2/2).
_K_EXACT = 9.0
# Burn-in used by the fast required-agents search (decisions are bracketed).
_K_FAST = 3.0
# Relative slack under which a fast decision is re-checked exactly.
_SLACK = 1e-9
# Series terms below this fraction of the sum are dropped.
_EPS = 1e-17
# Start the Kummer series at its peak when the peak is this far in.
_PEAK_START = 400.0
_BIG = 1e280
# Erlang A cells with s mu / theta above this are computed as Erlang C.
_X_ERLANG_C = 1e200
_LOG_BIG = math.log(1e280)
_INF = np.inf
# Fused multiply-add only: results stay IEEE, and slightly more exact.  The
# kernels use numpy's error model (no Python ZeroDivisionError checks); every
# division is guarded by the branch that leads to it.
_FM = {'contract'}


@njit(cache=True, inline="always", error_model="numpy")
def _at(x, i):
    """``x[i]``, or ``x[0]`` when ``x`` holds a single broadcast value."""
    return x[0] if x.shape[0] == 1 else x[i]


# ---------------------------------------------------------------- Erlang B


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _advance(r_lo, r_hi, k, stop, inv_a):
    """Run ``r <- 1 + (k / a) r`` on two values from server ``k`` to ``stop``.

    Four steps are folded into one ``r <- A + B r`` so that the loop-carried
    chain is one fused multiply-add per four servers.  Returns
    ``(r_lo, r_hi)``; either is ``inf`` once it passes 1e300.
    """
    while k + 4.0 <= stop:
        f1 = (k + 1.0) * inv_a
        f2 = (k + 2.0) * inv_a
        f3 = (k + 3.0) * inv_a
        f4 = (k + 4.0) * inv_a
        aa = 1.0 + f4 * (1.0 + f3 * (1.0 + f2))
        bb = (f4 * f3) * (f2 * f1)
        r_lo = aa + bb * r_lo
        r_hi = aa + bb * r_hi
        k += 4.0
        if r_lo > 1e300:
            return _INF, _INF
    while k < stop:
        k += 1.0
        f = k * inv_a
        r_lo = 1.0 + f * r_lo
        r_hi = 1.0 + f * r_hi
    if r_lo > 1e300:
        return _INF, _INF
    if r_hi > 1e300:
        r_hi = _INF
    return r_lo, r_hi


# The small-load side of the incomplete gamma kernel: below this load the
# continued fraction is evaluated here and the rest integrated by series.
_GAMMA_SPLIT = 1.5


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _gamma_cf(b, x):
    """``e**x x**-b Gamma(b, x)`` for ``x + 1 - b > 0``, ``x >= 1.5``, ``0 < b < 2``.

    The continued fraction of the upper incomplete gamma function,
    ``1 / (x + 1 - b - 1 (1 - b) / (x + 3 - b - 2 (2 - b) / ...))``, by the
    modified Lentz method (as Numerical Recipes' ``gcf``): no exponential and
    no power, so it neither overflows nor underflows.  Fewer than 100 terms
    at ``x = 1.5``, a handful at large ``x``.
    """
    tiny = 1e-300
    bb = x + 1.0 - b
    c = 1.0 / tiny
    d = 1.0 / bb
    h = d
    i = 0.0
    while i < 1000.0:
        i += 1.0
        an = -i * (i - b)
        bb += 2.0
        d = an * d + bb
        if abs(d) < tiny:
            d = tiny
        c = bb + an / c
        if abs(c) < tiny:
            c = tiny
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) <= 1e-16:
            break
    return h


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _expm1_over(x, f):
    """``expm1(f x) / f`` for ``f > 0``, without dividing a subnormal."""
    z = f * x
    if abs(z) < 1e-5:
        return x * (1.0 + 0.5 * z * (1.0 + z / 3.0 * (1.0 + 0.25 * z)))
    return math.expm1(z) / f


@njit(cache=True, fastmath=_FM, error_model="numpy")
def excess_per_server(f, a):
    """``(r(f) - 1) / f = e**a a**-f Gamma(f, a)`` for ``0 < f < 1``, ``a > 0``,
    where ``r(f) = 1 / B(f, a)``.

    ``r(f) - 1`` is of order ``f``; kept divided by ``f`` it has full
    relative precision however small ``f`` is (down to subnormal numbers),
    which the Erlang A metrics below one server need.  From ``a = 1.5`` on it
    is the continued fraction :func:`_gamma_cf` with ``b = f``.  Below, with
    ``L = log(1.5 / a)``, ``Gamma(f, a)`` is ``Gamma(f, 1.5)`` (continued
    fraction) plus ``int_a^1.5 t**(f-1) e**-t dt`` integrated term by term::

        e**a a**-f Gamma(f, a) = e**a (e**-1.5 e**(f L) cf(f, 1.5)
                                 + sum_n (-1)**n T_n / (n! (n + f)))
        T_0 = expm1(f L) / f,  T_n = a**n expm1((n + f) L) = 1.5**n e**(f L) - a**n

    Every piece is positive or an alternating series of terms at most
    ``1.5**n / n!``, so at most a factor ``e**3`` is lost to cancellation:
    relative error below 1e-14 over the range (checked against mpmath); ``inf``
    only when ``r`` itself is beyond the float range (``a`` below 1e-300 or so).
    """
    if a >= _GAMMA_SPLIT:
        return _gamma_cf(f, a)
    x0 = _GAMMA_SPLIT
    el = math.log(x0) - math.log(a)
    efl = math.pow(x0, f) * math.pow(a, -f)      # (1.5 / a)**f, without forming 1.5 / a
    if efl == _INF:
        return _INF
    head = math.exp(-x0) * efl * _gamma_cf(f, x0)
    total = _expm1_over(el, f) if f * el <= 1.0 else (efl - 1.0) / f      # n = 0
    fact = 1.0
    an = 1.0
    xn = 1.0
    n = 0.0
    sign = 1.0
    while n < 200.0:
        n += 1.0
        fact *= n
        an *= a
        xn *= x0
        sign = -sign
        if el <= 1.0:
            t = an * math.expm1((n + f) * el)
        else:
            t = xn * efl - an                     # a**n below (1.5 / e)**n 1.5**n: no cancellation
        term = t / (fact * (n + f))
        total += sign * term
        if n > 2.0 and term <= _EPS * abs(total):
            break
    return math.exp(a) * (head + total)


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _inv_erlang_b_real(s, a):
    """``1 / B(s, a)`` for real ``s > 0`` that is not a whole number, ``a > 0``.

    The recursion ``r(s) = 1 + (s / a) r(s - 1)`` holds for real ``s``, and so
    do the bounds ``1 <= r(s) <= a / (a - s)`` below the load (from the
    integral form ``r(s) = a int_0^inf e**(-a t) (1 + t)**s dt`` and
    ``1 + t <= e**t``): the burn-in of :func:`inv_erlang_b` works from a real
    start ``s - m``, ``m`` whole.  When that start would fall below the
    fractional part ``f = s - floor(s)``, the recursion starts at ``f``
    itself from ``r(f) = 1 + f X``, ``X`` from :func:`excess_per_server`
    (exact).  Each server count ``s - j`` is rounded once, so the steps
    cannot drift.
    """
    lo = min(s, a) - _K_EXACT * math.sqrt(a)
    m = np.ceil(s - lo)
    start = s - m
    if start > 0.0:
        r = a / (a - start)
    else:
        m = np.floor(s)
        start = s - m
        r = 1.0 + start * excess_per_server(start, a)
    inv_a = 1.0 / a
    j = m
    while j > 0.0:
        j -= 1.0
        r = 1.0 + (s - j) * inv_a * r
        if r > 1e300:
            return _INF
    return r


@njit(cache=True, fastmath=_FM, error_model="numpy")
def inv_erlang_b(s, a):
    """``1 / B(s, a)`` for real ``s >= 0`` and ``a >= 0``; ``inf`` when B < 1e-300.

    Whole ``s`` takes the recursion from a burn-in start; any other ``s``
    :func:`_inv_erlang_b_real` (the continuous extension).
    """
    if s <= 0.0:
        return 1.0
    if a <= 0.0:
        return _INF
    if s != np.floor(s):
        return _inv_erlang_b_real(s, a)
    start = math.floor(min(s, a) - _K_EXACT * math.sqrt(a))
    if start <= 0.0:
        start = 0.0
        r = 1.0
    else:
        r = a / (a - start)
    return _advance(r, r, start, s, 1.0 / a)[0]


@njit(cache=True, fastmath=_FM, error_model="numpy")
def erlang_b_array(s, a, out):
    for i in range(out.shape[0]):
        out[i] = 1.0 / inv_erlang_b(_at(s, i), _at(a, i))


@njit(cache=True, fastmath=_FM, error_model="numpy")
def erlang_c_from_r(s, a, r):
    """P(wait) of M/M/s given ``r = 1 / B(s, a)``; 1 when unstable."""
    if a <= 0.0:
        return 0.0
    if s <= a:
        return 1.0
    if r == _INF:
        return 0.0
    return s / ((s - a) * r + a)


@njit(cache=True, fastmath=_FM, error_model="numpy")
def erlang_c_array(s, a, out):
    for i in range(out.shape[0]):
        si = _at(s, i)
        ai = _at(a, i)
        out[i] = erlang_c_from_r(si, ai, inv_erlang_b(si, ai))


# ---------------------------------------------------------------- Erlang C


@njit(cache=True, fastmath=_FM, error_model="numpy")
def erlang_c_cell(s, a, h, t):
    """Metrics of M/M/s: (P(wait), service level, ASA, occupancy)."""
    if a <= 0.0:
        return 0.0, 1.0, 0.0, 0.0
    if s <= a:
        return 1.0, 0.0, _INF, 1.0
    pw = erlang_c_from_r(s, a, inv_erlang_b(s, a))
    sl = 1.0 - pw * math.exp(-(s - a) * t / h)
    asa = pw * h / (s - a)
    return pw, min(max(sl, 0.0), 1.0), asa, a / s


# ---------------------------------------------------------------- Erlang A


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _digamma(x):
    """Digamma function for x > 0 (asymptotic series after recurrence)."""
    acc = 0.0
    while x < 6.0:
        acc -= 1.0 / x
        x += 1.0
    f = 1.0 / (x * x)
    series = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))))
    return acc + math.log(x) - 0.5 / x - series


@njit(cache=True, fastmath=_FM, error_model="numpy")
def kummer_sums(b, z, moments, u):
    """Sums of ``t_k = z**k / (b (b+1) ... (b+k))`` for ``b >= 1``, ``z >= 0``.

    Returns ``(g, g1, g2, gu, log_scale, k_begin, k_end, t_end)`` where the
    true sums are the first four values times ``exp(log_scale)``:
    ``g = sum t_k``, ``g1 = sum (k + 1) t_k`` (when ``moments >= 1``),
    ``g2 = sum t_k H_k`` with ``H_k = sum_{i<=k} 1 / (b + i)`` (when
    ``moments >= 2``), and ``gu = sum t_k u**k`` (the same series at
    ``z u``; when ``0 < u <= 1``).  Sums not asked for are returned as 0.
    ``gu`` is returned as -1 when the series had to start at its peak (deep
    overload).  The terms outside ``k_begin .. k_end`` are negligible;
    ``t_end`` is the term at ``k_end`` on the same scale as the sums.
    """
    if z <= 0.0:
        return 1.0 / b, 1.0 / b, 1.0 / (b * b), 1.0 / b, 0.0, 0.0, 1.0, 0.0
    want1 = moments >= 1
    want2 = moments >= 2
    want_u = 0.0 < u <= 1.0
    peak = z - b
    if peak <= _PEAK_START:
        k0 = 0.0
        t = 1.0 / b
        hk = 1.0 / b
        log_scale = 0.0
    else:
        k0 = math.floor(peak)
        log_scale = k0 * math.log(z) - (math.lgamma(b + k0 + 1.0) - math.lgamma(b))
        t = 1.0
        hk = _digamma(b + k0 + 1.0) - _digamma(b) if want2 else 0.0
        want_u = False
    g = 0.0
    g1 = 0.0
    g2 = 0.0
    gu = 0.0
    uk = 1.0
    # Forward from k0.  A sum is complete when the geometric bound on its
    # tail (the ratio of terms only falls) is below _EPS of the sum; the
    # bounds are written without division: c = 1 - ratio.
    k = k0
    tf = t
    hf = hk
    t_prev = t
    while True:
        t_prev = tf
        g += tf
        if want1:
            g1 += (k + 1.0) * tf
        if want2:
            g2 += tf * hf
        if want_u:
            gu += tf * uk
            uk *= u
        if g > _BIG:
            g /= _BIG
            g1 /= _BIG
            g2 /= _BIG
            gu /= _BIG
            tf /= _BIG
            log_scale += _LOG_BIG
        k += 1.0
        inv = 1.0 / (b + k)
        ratio = z * inv
        tf *= ratio
        hf += inv
        c = 1.0 - ratio
        if c > 0.0 and tf <= _EPS * g * c:
            if ((not want1 or tf * ((k + 1.0) * c + 1.0) <= _EPS * g1 * c * c)
                    and (not want2 or tf * (hf * c + inv) <= _EPS * g2 * c * c)
                    and (not want_u or tf * uk <= _EPS * gu * c)):
                break
    k_end = k
    t_end = tf
    if tf == 0.0:                 # underflowed in one step: end on the last term
        k_end = k - 1.0
        t_end = t_prev
    # Backward from k0 - 1 (only when started at the peak).
    k = k0
    tb = t
    hb = hk
    while k > 0.0:
        ratio = (b + k) / z
        hb -= 1.0 / (b + k)
        tb *= ratio
        k -= 1.0
        g += tb
        g1 += (k + 1.0) * tb
        g2 += tb * hb
        c = 1.0 - ratio
        if c > 0.0 and tb <= _EPS * g * c and tb * (k + 1.0) <= _EPS * g1 * c:
            if not want2 or tb * hb <= _EPS * g2 * c:
                break
    if not want1:
        g1 = 0.0
    if not want2:
        g2 = 0.0
    if k0 > 0.0 and 0.0 < u <= 1.0:
        gu = -1.0
    return g, g1, g2, gu, log_scale, k, k_end, t_end


_LN_SQRT_2PI = 0.918938533204672741780329736406


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _stirlerr(n):
    """``log Gamma(n + 1) - (n + 1/2) log n + n - log sqrt(2 pi)`` (Loader 2000)."""
    if n <= 15.0:
        return math.lgamma(n + 1.0) - (n + 0.5) * math.log(n) + n - _LN_SQRT_2PI
    nn = n * n
    s0, s1, s2, s3, s4 = 1.0 / 12, 1.0 / 360, 1.0 / 1260, 1.0 / 1680, 1.0 / 1188
    if n > 500.0:
        return (s0 - s1 / nn) / n
    if n > 80.0:
        return (s0 - (s1 - s2 / nn) / nn) / n
    if n > 35.0:
        return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n
    return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _bd0(x, np_, d):
    """Deviance ``x log(x / np) + np - x`` without cancellation (Loader 2000).

    ``d`` is ``np - x`` computed by the caller without rounding ``np`` first;
    the series in ``d / (x + np)`` is used when ``np`` is close to ``x``.
    """
    total = 2.0 * x + d
    if abs(d) < 0.1 * total:
        v = -d / total
        acc = -d * v
        ej = 2.0 * x * v
        v = v * v
        j = 1.0
        while True:
            ej *= v
            nxt = acc + ej / (2.0 * j + 1.0)
            if nxt == acc:
                return nxt
            acc = nxt
            j += 1.0
    return x * math.log(x / np_) + d


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _nb_log_pmf(i, b, theta_t):
    """log P(N = i), N negative binomial: ``Gamma(i+b) / (Gamma(b) i!) w**i u**b``
    with ``u = exp(-theta_t)`` and ``w = 1 - u``.

    Loader's saddle-point form (as in R's ``dnbinom``), both deviance terms
    fed the one difference ``(i + b) u - b``: accurate to a few units of the
    last place even when ``i`` and ``b`` are in the millions, where a
    difference of ``lgamma`` values would lose eight digits.
    """
    if i == 0.0:
        return -b * theta_t
    n = i + b
    u = math.exp(-theta_t)
    w = -math.expm1(-theta_t)
    d = i * u - b * w                     # = n u - b = i - n w, without rounding n u
    nu = n * u
    nw = n * w
    lc = _stirlerr(n) - _stirlerr(b) - _stirlerr(i) - _bd0(b, nu, d) - _bd0(i, nw, -d)
    lf = 2.0 * _LN_SQRT_2PI + math.log(b) + math.log(i) - math.log(n)
    return math.log(b / n) + lc - 0.5 * lf


@njit(cache=True, fastmath=_FM, error_model="numpy")
def served_within_sum(b, y, theta, t, j_top, t_top, j_bottom):
    """``R = sum_j t_j P(S_j <= t)`` over ``j_bottom <= j <= j_top``, all terms positive.

    ``t_j = y**j / (b (b+1) ... (b+j))`` are the queue weights (``t_top`` is
    the term at ``j_top``, on the caller's scale, and so is ``R``).  A contact
    arriving behind ``j`` waiting ones is answered within ``t`` if it is
    still there and the ``j + 1`` stages before it, exponential with rates
    ``theta (b + i)``, end within ``t``: ``P(S_j <= t) = P(N > j)`` where
    ``N``, the births by ``t`` of a pure birth process with rates
    ``theta (b + i)``, is negative binomial with ``w = 1 - exp(-theta t)``.
    Summed downward from ``j_top`` with ``F_j = P(N > j)`` growing by
    ``P(N = j)`` at each step, nothing is ever subtracted.
    """
    w = -math.expm1(-theta * t)
    if w <= 0.0:
        return 0.0                        # t too short for anything to happen
    # P(N = j_top) in log form, and F = P(N > j_top) summed from its smaller side.
    ld = _nb_log_pmf(j_top, b, theta * t)
    mode = (b - 1.0) * w * math.exp(theta * t)
    # The tail is summed only where its terms fall fast enough to end it in a
    # bounded number of steps (ratio at most 1 - 1e-4: some 4e5 terms).  With
    # b at 1 (a fraction of a server) and w rounding to 1 the ratio is 1 and
    # the tail would never end; the mass below j_top is then small (the
    # distribution is nearly flat), and its complement exact.
    if j_top >= mode and w * (j_top + b) <= (1.0 - 1e-4) * (j_top + 1.0):
        # Tail above j_top: terms fall with ratio w (i + b) / (i + 1) < 1.
        acc = 0.0
        term = 1.0
        i = j_top
        while True:
            ratio = w * (i + b) / (i + 1.0)
            term *= ratio
            i += 1.0
            acc += term
            c = 1.0 - ratio
            if c > 0.0 and term * ratio <= _EPS * acc * c:
                break
            if term < 1e-300:
                break
        f_top = acc * math.exp(ld)
    else:
        # Mass at or below j_top (falls going down), then its complement.
        acc = 1.0
        term = 1.0
        i = j_top
        while i > 0.0:
            ratio = i / ((i - 1.0 + b) * w)
            term *= ratio
            i -= 1.0
            acc += term
            c = 1.0 - ratio
            if c > 0.0 and term * ratio <= _EPS * acc * c:
                break
        f_top = max(1.0 - acc * math.exp(ld), 0.0)
    f_top = min(f_top, 1.0)
    # Downward sum.  P(N = j) is carried as dm * exp(dl) with dm kept in range.
    dl = ld
    dm = 1.0
    dfac = math.exp(dl) if dl > -745.0 else 0.0
    f = f_top
    tj = t_top
    r = 0.0
    j = j_top
    while j >= j_bottom:
        r += tj * f
        if j <= 0.0:
            break
        f = min(f + dm * dfac, 1.0)
        dm *= j / ((j - 1.0 + b) * w)
        if dm > 1e200 or dm < 1e-200:
            dl += math.log(dm)
            dm = 1.0
            dfac = math.exp(dl) if dl > -745.0 else 0.0
        if tj != 0.0:
            tj *= (b + j) / y
        j -= 1.0
    return r


@njit(cache=True, fastmath=_FM, error_model="numpy")
def erlang_a_cell(s, lam, h, theta, t, want_sl, want_asa):
    """Metrics of M/M/s+M.

    Returns ``(P(wait), P(abandon), answered within t / offered,
    answered within t / answered, ASA of answered, mean wait of all,
    occupancy)``.  ``want_sl=False`` skips the service-level series and
    returns 0 for both service levels; ``want_asa=False`` returns 0 for the
    ASA of answered contacts.
    """
    if lam <= 0.0:
        return 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0
    if s <= 0.0:
        return 1.0, 1.0, 0.0, 0.0, _INF, 1.0 / theta, 1.0
    a = lam * h
    x = s / (h * theta)          # s mu / theta
    y = lam / theta
    if x > _X_ERLANG_C:
        # Service so much faster than abandonment (h theta underflowing, or
        # nearly) that the queue is Erlang C to far below double precision:
        # y = x a / s is bounded by the arrival-rate and patience limits, so
        # a / s < 1e-189 here, and abandonment is of relative order s / x.
        pw, sl, asa, occ = erlang_c_cell(s, a, h, t)
        return pw, 0.0, sl, sl, asa, asa, occ
    r = inv_erlang_b(s, a)
    u = math.exp(-theta * t) if want_sl and t > 0.0 else 0.0
    g, g1, g2, gu, log_scale, k_begin, k_end, t_end = kummer_sums(
        x + 1.0, y, 2 if want_asa else 1, u)
    e_l = math.exp(-log_scale)
    sm = e_l + y * g             # S = sm * exp(log_scale); S = sum of queue weights
    # 1 - P(wait) is q / (1 + q), not 1 - P(wait): in overload it is far below
    # the rounding of 1 and still carries the service level of the contacts
    # that do not wait.  Below one server (real s < 1) the shares not waiting
    # and served are O(s): they are carried divided by sc = s (suffix _sc),
    # so that they keep full relative precision down to subnormal s (the
    # occupancy divides by s).  From one server on sc = 1.
    sc = 1.0
    x_sc = x
    if r == _INF:
        pw = 0.0
        nw_sc = 1.0
    elif s < 1.0:
        sc = s
        x_sc = 1.0 / (h * theta)
        q_sc = excess_per_server(s, a) * e_l / sm         # (1 - pw) / pw / s
        q = q_sc * s
        pw = 1.0 / (1.0 + q)
        nw_sc = q_sc / (1.0 + q)
    else:
        q = (r - 1.0) * e_l / sm
        pw = 1.0 / (1.0 + q)
        nw_sc = q / (1.0 + q)
    p_ab_w = min(g1 / sm, 1.0)
    p_sr_w_sc = min(x_sc * g / sm, 1.0 / sc)
    pab = pw * p_ab_w
    psr_sc = nw_sc + pw * p_sr_w_sc
    psr = psr_sc * sc
    if want_asa:
        ew_sr_sc = pw * x_sc * g2 / (theta * sm)
        asa = ew_sr_sc / psr_sc if psr_sc > 0.0 else _INF
    else:
        asa = 0.0
    awt = pab / theta
    occ = min(a * psr / s, 1.0) if sc == 1.0 else min(a * psr_sc, 1.0)
    if not want_sl:
        return pw, pab, 0.0, 0.0, asa, awt, occ
    if t <= 0.0 or pw == 0.0:
        within_sc = nw_sc
    else:
        # Answered within t among those who wait: the closed form is a
        # difference of two series, exact when they differ by a factor 2 or
        # more; otherwise (most waiting contacts answered after t) the
        # positive series, which never cancels.
        late = _INF            # the series at y u was not summed (deep overload)
        if gu >= 0.0:
            expo = -(s / h + theta) * t - y * math.expm1(-theta * t)
            late = math.exp(expo) * gu
        if late <= 0.5 * g:
            bracket_sc = (g - late) * x_sc / sm
        else:
            bracket_sc = (served_within_sum(x + 1.0, y, theta, t, k_end, t_end, k_begin)
                          * x_sc / sm)
        within_sc = nw_sc + pw * bracket_sc
    within_sc = min(max(within_sc, 0.0), psr_sc)
    sl_ans = within_sc / psr_sc if psr_sc > 0.0 else 0.0
    return pw, pab, within_sc * sc, min(sl_ans, 1.0), asa, awt, occ


# ------------------------------------------------------- metrics over arrays


@njit(cache=True, fastmath=_FM, error_model="numpy")
def metrics_array(s, lam, h, theta, t, pw, pab, sl, sl_ans, asa, awt, occ):
    """Fill the output arrays; ``theta == 0`` selects Erlang C for that cell."""
    for i in range(pw.shape[0]):
        si = _at(s, i)
        lami = _at(lam, i)
        hi = _at(h, i)
        thetai = _at(theta, i)
        ti = _at(t, i)
        if thetai == 0.0:
            p, q, w, o = erlang_c_cell(si, lami * hi, hi, ti)
            pw[i] = p
            pab[i] = 0.0
            sl[i] = q
            sl_ans[i] = q
            asa[i] = w
            awt[i] = w
            occ[i] = o
        else:
            res = erlang_a_cell(si, lami, hi, thetai, ti, True, True)
            pw[i] = res[0]
            pab[i] = res[1]
            sl[i] = res[2]
            sl_ans[i] = res[3]
            asa[i] = res[4]
            awt[i] = res[5]
            occ[i] = res[6]


# ---------------------------------------------------------- required agents


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _c_meets(s, a, h, t, sl_target, asa_target):
    """Exact check of the Erlang C delay targets (NaN target = not set)."""
    pw, sl, asa, occ = erlang_c_cell(s, a, h, t)
    if sl_target == sl_target and not sl >= sl_target:
        return False
    if asa_target == asa_target and not asa <= asa_target:
        return False
    return True


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _min_agents_occupancy(a, k, occ_cap, n_max):
    """Smallest n with a / (n k) <= occ_cap, computed as the metrics compute it;
    ``inf`` when it is beyond ``n_max + 1`` (the steps of one would not move a
    float that large)."""
    x = a / (occ_cap * k)
    if not x <= n_max + 1.0:          # before math.ceil, an int64 in Numba
        return _INF
    n = max(math.ceil(x), 1.0)
    while a / (n * k) > occ_cap:
        n += 1.0
    while n > 1.0 and a / ((n - 1.0) * k) <= occ_cap:
        n -= 1.0
    return n


@njit(cache=True, fastmath=_FM, error_model="numpy")
def required_c_cell(a, k, h, t, sl_target, asa_target, occ_cap, n_max):
    """Smallest agent count (each with ``k`` servers) meeting the Erlang C targets.

    ``a`` is the load in Erlangs on servers, ``h`` the handle time per server.
    Targets that are NaN are not set.  Returns -1 when more than ``n_max``
    agents would be needed (the search stops there).  The search streams the Erlang B
    recursion from ``_K_FAST sqrt(a)`` below the load carrying a rigorous
    bracket ``r_lo <= 1/B <= r_hi``; a decision that the bracket (plus a
    relative slack) cannot settle is made by the exact metric code instead.
    """
    if a <= 0.0:
        return 0.0
    n_min = math.floor(a / k) + 1.0           # stability: n k > a
    if occ_cap == occ_cap:
        n_min = max(n_min, _min_agents_occupancy(a, k, occ_cap, n_max))
    if not n_min <= n_max:
        return -1.0
    use_sl = sl_target == sl_target
    use_asa = asa_target == asa_target
    if not (use_sl or use_asa):
        return n_min
    q = 1.0 - sl_target if use_sl else 0.0
    srv = n_min * k
    start = math.floor(a - _K_FAST * math.sqrt(a))
    if start <= 0.0:
        start = 0.0
        r_lo = 1.0
        r_hi = 1.0
    else:
        r_lo = 1.0
        r_hi = a / (a - start)
    inv_a = 1.0 / a
    r_lo, r_hi = _advance(r_lo, r_hi, start, srv, inv_a)
    n = n_min
    # A pass is sure when it holds with the pessimistic r_lo, a failure when
    # it fails with the optimistic r_hi, both with a relative slack.
    widen = (1.0 + _SLACK) / (1.0 - _SLACK)
    q_pass = q / widen
    q_fail = q * widen
    asa_pass = asa_target / widen if use_asa else 0.0
    asa_fail = asa_target * widen if use_asa else 0.0
    decay = math.exp(-k * t / h) if use_sl else 0.0
    e = math.exp(-(srv - a) * t / h) if use_sl else 0.0
    while True:
        d = srv - a
        fail = False
        sure = True
        if use_sl:
            lhs = srv * e
            if lhs > q_fail * (d * r_hi + a):
                fail = True
            elif not lhs <= q_pass * (d * r_lo + a):
                sure = False
        if use_asa and not fail:
            lhs = h * srv
            if lhs > asa_fail * d * (d * r_hi + a):
                fail = True
            elif not lhs <= asa_pass * d * (d * r_lo + a):
                sure = False
        if not fail:
            if sure or _c_meets(srv, a, h, t, sl_target, asa_target):
                return n
        n += 1.0
        if n > n_max:
            return -1.0
        if k == 1.0:
            srv += 1.0
            f = srv * inv_a
            r_lo = 1.0 + f * r_lo
            r_hi = 1.0 + f * r_hi
        else:
            r_lo, r_hi = _advance(r_lo, r_hi, srv, srv + k, inv_a)
            srv += k
        e *= decay


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _a_meets(n, k, lam, h, theta, t, sl_target, sl_basis, asa_target, ab_target, occ_cap):
    res = erlang_a_cell(n * k, lam, h, theta, t, sl_target == sl_target,
                        asa_target == asa_target)
    if sl_target == sl_target:
        sl = res[3] if sl_basis == 1.0 else res[2]
        if not sl >= sl_target:
            return False
    if asa_target == asa_target and not res[4] <= asa_target:
        return False
    if ab_target == ab_target and not res[1] <= ab_target:
        return False
    if occ_cap == occ_cap and not res[6] <= occ_cap:
        return False
    return True


@njit(cache=True, fastmath=_FM, error_model="numpy")
def required_a_cell(k, lam, h, theta, t, sl_target, sl_basis, asa_target, ab_target, occ_cap,
                    n_max):
    """Smallest agent count meeting the Erlang A targets (NaN = not set).

    Every target is monotone in the number of agents, so the smallest count
    meeting all of them is found by galloping from the load and bisecting,
    each probe evaluated by the exact metric code.  Returns -1 when more than
    ``n_max`` agents would be needed (no probe goes beyond ``n_max``).
    """
    if lam <= 0.0:
        return 0.0
    if n_max < 1.0:
        return -1.0
    guess = min(max(math.floor(lam * h / k), 1.0), n_max)
    if _a_meets(guess, k, lam, h, theta, t, sl_target, sl_basis, asa_target, ab_target, occ_cap):
        hi = guess
        lo = 0.0
        step = 1.0
        while True:
            cand = hi - step
            if cand <= 0.0:
                break
            if _a_meets(cand, k, lam, h, theta, t, sl_target, sl_basis, asa_target, ab_target,
                        occ_cap):
                hi = cand
                step *= 2.0
            else:
                lo = cand
                break
    else:
        lo = guess
        step = 1.0
        while True:
            if lo >= n_max:
                return -1.0
            cand = min(lo + step, n_max)
            if _a_meets(cand, k, lam, h, theta, t, sl_target, sl_basis, asa_target, ab_target,
                        occ_cap):
                hi = cand
                break
            lo = cand
            step *= 2.0
    while hi - lo > 1.0:
        mid = math.floor((lo + hi) / 2.0)
        if _a_meets(mid, k, lam, h, theta, t, sl_target, sl_basis, asa_target, ab_target,
                    occ_cap):
            hi = mid
        else:
            lo = mid
    return hi


@njit(cache=True, fastmath=_FM, error_model="numpy")
def required_array(lam, h, theta, k, t, sl_target, sl_basis, asa_target, ab_target, occ_cap,
                   n_max, out):
    """Required agents per cell into the int64 array ``out``; ``theta == 0``
    selects Erlang C for that cell.

    Erlang C has no abandonment, so an abandonment target is met there.
    Returns -1, or the index of the first cell that needs more than ``n_max``
    agents (the cells after it are not computed).
    """
    for i in range(out.shape[0]):
        lami = _at(lam, i)
        hi = _at(h, i)
        thetai = _at(theta, i)
        if thetai == 0.0:
            n = required_c_cell(lami * hi, _at(k, i), hi, _at(t, i), _at(sl_target, i),
                                _at(asa_target, i), _at(occ_cap, i), n_max)
        else:
            n = required_a_cell(_at(k, i), lami, hi, thetai, _at(t, i), _at(sl_target, i),
                                sl_basis, _at(asa_target, i), _at(ab_target, i),
                                _at(occ_cap, i), n_max)
        if n < 0.0:
            return i
        out[i] = np.int64(n)
    return -1


# Width below which the fractional required-agents bisection stops, in agents.
_FRACTION_TOL = 1e-9


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _meets_real(x, k, lam, h, theta, t, sl_target, sl_basis, asa_target, ab_target, occ_cap):
    """Do ``x`` agents (real, each with ``k`` servers) meet every target, as the
    metrics compute them?  ``theta == 0`` is Erlang C (stability required)."""
    if theta != 0.0:
        return _a_meets(x, k, lam, h, theta, t, sl_target, sl_basis, asa_target, ab_target,
                        occ_cap)
    s = x * k
    a = lam * h
    if a <= 0.0:
        return True
    if not s > a:
        return False
    if occ_cap == occ_cap and not a / s <= occ_cap:
        return False
    return _c_meets(s, a, h, t, sl_target, asa_target)


@njit(cache=True, fastmath=_FM, error_model="numpy")
def required_fraction_array(lam, h, theta, k, t, sl_target, sl_basis, asa_target, ab_target,
                            occ_cap, whole, out):
    """Smallest real number of agents meeting every target, per cell, into ``out``.

    ``whole`` holds the whole answers of :func:`required_array`: the real
    answer lies in ``(n - 1, n]`` (``n - 1`` misses, ``n`` meets, and every
    metric is monotone in real agents under the continuous extension), and
    is found by bisection down to :data:`_FRACTION_TOL` agents.  The value
    returned is the upper end of the last bracket, so it always meets the
    targets when evaluated by the metric code.
    """
    for i in range(out.shape[0]):
        n = float(whole[i])
        if n <= 0.0:
            out[i] = 0.0
            continue
        lami = _at(lam, i)
        hi_ = _at(h, i)
        thetai = _at(theta, i)
        ki = _at(k, i)
        ti = _at(t, i)
        sli = _at(sl_target, i)
        asai = _at(asa_target, i)
        abi = _at(ab_target, i)
        occi = _at(occ_cap, i)
        lo = n - 1.0
        hi = n
        while hi - lo > _FRACTION_TOL:
            mid = 0.5 * (lo + hi)
            if mid <= lo or mid >= hi:
                break
            if _meets_real(mid, ki, lami, hi_, thetai, ti, sli, sl_basis, asai, abi, occi):
                hi = mid
            else:
                lo = mid
        out[i] = hi


# ---------------------------------------------------------------- limits


@njit(cache=True, error_model="numpy")
def first_over(lam, h, n, lam_max, load_max):
    """Index of the first of ``n`` cells with ``lam > lam_max`` or ``lam h > load_max``
    (NaN counts as over), or -1; ``lam`` and ``h`` hold one value or one per cell.

    A branch-free pass first (it vectorises), the search only when it failed.
    """
    ok = True
    if lam.shape[0] == h.shape[0]:
        for i in range(n):
            li = lam[i]
            ok &= (li <= lam_max) & (li * h[i] <= load_max)
    else:
        for i in range(n):
            li = _at(lam, i)
            ok &= (li <= lam_max) & (li * _at(h, i) <= load_max)
    if ok:
        return -1
    for i in range(n):
        li = _at(lam, i)
        if not (li <= lam_max and li * _at(h, i) <= load_max):
            return i
    return -1
