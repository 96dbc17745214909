"""Numba kernels for the Erlang B, C and A models.

Private module: float64 scalars and 1-D float64 arrays in, no validation, no
pandas.  The public wrappers in :mod:`erlang.metrics` and
:mod:`erlang.staffing` validate and broadcast their inputs before calling
these.

Notation used throughout (rates per second, times in seconds):

``s``       servers (agents times chat slots), a whole number stored as float
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


@njit(cache=True, fastmath=_FM, error_model="numpy")
def inv_erlang_b(s, a):
    """``1 / B(s, a)`` for whole ``s >= 0`` and ``a >= 0``; ``inf`` when B < 1e-300."""
    if s <= 0.0:
        return 1.0
    if a <= 0.0:
        return _INF
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
    if j_top >= mode:
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
    if r == _INF:
        pw = 0.0
    else:
        pw = 1.0 / (1.0 + (r - 1.0) * e_l / sm)
    p_ab_w = min(g1 / sm, 1.0)
    p_sr_w = min(x * g / sm, 1.0)
    pab = pw * p_ab_w
    psr = (1.0 - pw) + pw * p_sr_w
    if want_asa:
        ew_sr = pw * x * g2 / (theta * sm)
        asa = ew_sr / psr if psr > 0.0 else _INF
    else:
        asa = 0.0
    awt = pab / theta
    occ = min(a * psr / s, 1.0)
    if not want_sl:
        return pw, pab, 0.0, 0.0, asa, awt, occ
    if t <= 0.0 or pw == 0.0:
        within = 1.0 - pw
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
            bracket = (g - late) * x / sm
        else:
            bracket = served_within_sum(x + 1.0, y, theta, t, k_end, t_end, k_begin) * x / sm
        within = (1.0 - pw) + pw * bracket
    within = min(max(within, 0.0), psr)
    sl_ans = within / psr if psr > 0.0 else 0.0
    return pw, pab, within, min(sl_ans, 1.0), asa, awt, occ


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
