"""Slow, exact reference values of Erlang B, C and A, independent of :mod:`erlang`.

Everything here is derived from the textbook definitions and evaluated with
:mod:`mpmath` at :data:`DPS` significant digits, so that the rounding error
of the reference is many orders of magnitude below the tolerances of the
tests.  Nothing is shared with :mod:`erlang` (no import of it, no copied
formulas): the point is to have a second, independent opinion.

Models
------
Erlang B (M/M/n/n)
    ``B = (a^n / n!) / sum_{k=0..n} a^k / k!``.  The sum is evaluated as
    ``sum_{j=0..n} n! / ((n-j)! a^j)`` (every term divided by the last one):
    positive terms built by exact products, so no cancellation, no overflow
    (mpmath floats have an unbounded exponent) and no factorial of 100,000
    is ever formed explicitly.  Terms are summed until they are below
    ``10**-(DPS+5)`` of the running sum once they started to decrease.
Erlang C (M/M/n)
    ``C = (a^n/n! * n/(n-a)) / (sum_{k<n} a^k/k! + a^n/n! * n/(n-a))`` for
    ``n > a``; the wait of a waiting customer is exponential with rate
    ``n mu - lam``, so ``P(W <= t) = 1 - C exp(-(n mu - lam) t)`` and
    ``ASA = C / (n mu - lam)``; occupancy ``a / n``.
Erlang A (M/M/n+M)
    Birth-death chain on the number in system ``k``: birth rate ``lam``,
    death rate ``min(k, n) mu + max(k - n, 0) theta``.  Its stationary
    distribution is a product of rate ratios, summed until the tail is below
    ``10**-(DPS+5)`` of the total (the truncation point is adaptive).  An
    arrival sees the stationary distribution (PASTA).  A tagged arrival that
    finds ``j`` customers waiting ahead (state ``n + j``) goes through the
    stages "``i`` ahead", ``i = j, ..., 0``; in stage ``i`` the queue moves
    on at rate ``n mu + i theta`` (a service completion or an abandonment
    ahead) and the tagged customer abandons at rate ``theta``.  With
    ``c = n mu``:

    * ``P(served | j) = prod_{i=0..j} (c + i theta) / (c + (i+1) theta)
      = c / (c + (j+1) theta)`` (the product telescopes);
    * the stage durations are ``Exp(c + m theta)``, ``m = 1..j+1``, and are
      independent of which event ends each stage (competing exponentials),
      so with ``T_M`` the sum of those ``M = j+1`` durations,
      ``P(served, W <= t | j) = P(served | j) P(T_M <= t)`` and
      ``E[W; served | j] = P(served | j) sum_{m=1..M} 1 / (c + m theta)``;
    * ``T_M`` has the law of ``-log(U) / theta`` with
      ``U ~ Beta(c/theta + 1, M)`` (the sum of exponentials with rates in
      arithmetic progression; see :func:`stages_cdf`), hence
      ``P(T_M <= t) = P(U >= q) = 1 - I_q(g+1, M)`` with ``q = exp(-theta t)``,
      ``g = c / theta``; for integer ``M`` this is the negative-binomial
      tail ``P(NB >= M) = sum_{k>=M} NB(k; g+1, q)``.  It is evaluated as a
      sum of positive terms for every ``M`` at once (walking ``M`` down from
      the truncation point), so that even service levels of 1e-100 come out
      with full relative precision.

    The metrics follow: ``P(wait) = P(K >= n)``, ``P(abandon) = theta E[queue]
    / lam`` (and, as a check, ``1 - P(served)``), mean wait of all arrivals
    ``E[queue] / lam`` (Little), service level on the offered basis
    ``P(K < n) + sum_j P(K = n+j) P(served, W <= t | j)``, on the answered
    basis divided by ``P(served)``, ``ASA = E[W; served] / P(served)``,
    occupancy ``lam P(served) / (n mu)``.

:func:`stages_cdf_expm` and :func:`stages_cdf_betainc` compute
``P(T_M <= t)`` in two further, unrelated ways (matrix exponential of the
absorbing chain; mpmath's incomplete beta function) to check the derivation.
:func:`overload_service_level_bound` gives a rigorous upper bound of the
Erlang A service level for overloaded queues too long for the exact chain.
"""

import math

import mpmath
from mpmath import mp, mpf

#: Significant decimal digits of every reference computation.
DPS = 50

METRIC_NAMES = ("prob_wait", "service_level", "service_level_answered", "asa",
                "average_wait", "abandon_rate", "occupancy")


def _mp(x):
    """``x`` as an mpmath float (exact for Python and numpy floats and ints)."""
    if isinstance(x, mpmath.mpf):
        return x
    if isinstance(x, int):
        return mpf(x)
    return mpf(float(x))


def _eps():
    """Relative size below which a further positive term is dropped."""
    return mpf(10) ** (-(mp.dps + 5))


def inverse_blocking_sum(n, a):
    """``sum_{k=0..n} a^k/k!`` divided by ``a^n/n!``, i.e. ``1 / B(n, a)``.

    Parameters
    ----------
    n : int
        Servers, >= 0.
    a : float or mpf
        Offered load in Erlangs, > 0.

    Returns
    -------
    mpf
        ``sum_{j=0..n} n! / ((n - j)! a^j)``, evaluated term by term (every
        term is the previous one times ``(n - j) / a``) at the current mpmath
        precision, dropping terms below ``10**-(dps+5)`` of the sum once the
        terms have started to decrease.
    """
    n = int(n)
    a = _mp(a)
    if a <= 0:
        raise ValueError("load must be > 0")
    eps = _eps()
    total = mpf(1)
    term = mpf(1)
    for j in range(n):
        term = term * (n - j) / a
        total += term
        if n - j < a and term < eps * total:  # decreasing from here on
            break
    return total


def erlang_b(n, a):
    """Erlang B blocking probability of M/M/n/n, exactly.

    Parameters
    ----------
    n : int
        Servers, >= 0.
    a : float
        Offered load in Erlangs, >= 0.

    Returns
    -------
    mpf
        ``(a^n/n!) / sum_{k<=n} a^k/k!`` (1 for ``n == 0``, 0 for ``a == 0 < n``).
    """
    with mp.workdps(DPS):
        n = int(n)
        a = _mp(a)
        if n == 0:
            return mpf(1)
        if a == 0:
            return mpf(0)
        return 1 / inverse_blocking_sum(n, a)


def erlang_b_gammainc(n, a):
    """Erlang B through the incomplete gamma function (a check of :func:`erlang_b`).

    ``sum_{k<=n} a^k/k! = e^a Gamma(n+1, a) / n!``, so
    ``B = a^n e^{-a} / Gamma(n+1, a)``.

    Parameters
    ----------
    n : int
        Servers, >= 1.
    a : float
        Offered load in Erlangs, > 0.

    Returns
    -------
    mpf
    """
    with mp.workdps(DPS):
        a = _mp(a)
        return mpmath.exp(n * mpmath.log(a) - a) / mpmath.gammainc(n + 1, a)


def erlang_c(n, a):
    """Erlang C probability of waiting in M/M/n, exactly.

    Parameters
    ----------
    n : int
        Servers, >= 0.
    a : float
        Offered load in Erlangs, >= 0.

    Returns
    -------
    mpf
        ``(a^n/n! n/(n-a)) / (sum_{k<n} a^k/k! + a^n/n! n/(n-a))`` for
        ``n > a``; 1 when ``n <= a`` (unstable queue; everybody waits).
    """
    with mp.workdps(DPS):
        n = int(n)
        a = _mp(a)
        if n <= a:
            return mpf(1)
        if a == 0:
            return mpf(0)
        below = inverse_blocking_sum(n, a) - 1   # sum_{k<n} a^k/k! over a^n/n!
        top = n / (n - a)
        return top / (below + top)


def _unstable_c():
    return {"prob_wait": mpf(1), "service_level": mpf(0), "service_level_answered": mpf(0),
            "asa": mpf("inf"), "average_wait": mpf("inf"), "abandon_rate": mpf(0),
            "occupancy": mpf(1)}


def erlang_c_metrics(n, lam, h, t):
    """All queue metrics of M/M/n (Erlang C), exactly.

    Parameters
    ----------
    n : int
        Servers, >= 0.
    lam : float
        Arrival rate per second, > 0.
    h : float
        Mean service time in seconds, > 0.
    t : float
        Service-level threshold in seconds, >= 0.

    Returns
    -------
    dict of str to mpf
        Keys :data:`METRIC_NAMES`.  ``n <= a`` (unstable): probability of
        waiting 1, service level 0, ASA and mean wait infinite, occupancy 1.
    """
    with mp.workdps(DPS):
        lam, h, t = _mp(lam), _mp(h), _mp(t)
        a = lam * h
        if n <= a:
            return _unstable_c()
        c = erlang_c(n, a)
        drain = (n - a) / h                       # n mu - lam
        sl = 1 - c * mpmath.exp(-drain * t)
        asa = c / drain
        return {"prob_wait": c, "service_level": sl, "service_level_answered": sl,
                "asa": asa, "average_wait": asa, "abandon_rate": mpf(0),
                "occupancy": a / n}


def stages_cdf_expm(m, c, theta, t):
    """``P(T_M <= t)`` from the matrix exponential of the absorbing stage chain.

    ``T_M`` is the time to absorption of the chain ``M -> M-1 -> ... -> 0``
    leaving state ``m`` at rate ``c + m theta``.  Only for small ``M`` (a
    check of :func:`stages_cdf`).

    Parameters
    ----------
    m : int
        Number of stages, >= 1.
    c, theta : float
        Rate parameters, ``c >= 0``, ``theta > 0``.
    t : float
        Time, >= 0.

    Returns
    -------
    mpf
    """
    with mp.workdps(DPS):
        c, theta, t = _mp(c), _mp(theta), _mp(t)
        size = m + 1                       # states m..1 then the absorbing state
        gen = mpmath.zeros(size, size)
        for i in range(m):                 # row i is the stage with m - i left
            rate = c + (m - i) * theta
            gen[i, i] = -rate
            gen[i, i + 1] = rate
        p = mpmath.expm(gen * t)
        return p[0, size - 1]


def stages_cdf_betainc(m, c, theta, t):
    """``P(T_M <= t) = 1 - I_q(c/theta + 1, M)`` by mpmath's incomplete beta.

    Parameters
    ----------
    m : int
        Number of stages, >= 1.
    c, theta : float
        Rate parameters, ``c >= 0``, ``theta > 0``.
    t : float
        Time, >= 0.

    Returns
    -------
    mpf
    """
    with mp.workdps(DPS):
        c, theta, t = _mp(c), _mp(theta), _mp(t)
        q = mpmath.exp(-theta * t)
        return 1 - mpmath.betainc(c / theta + 1, m, 0, q, regularized=True)


def stages_cdf(m, c, theta, t):
    """``P(T_M <= t)`` for ``T_M`` a sum of ``Exp(c + k theta)``, ``k = 1..M``.

    Derivation: with ``r_k = theta (g + k)``, ``g = c / theta``, the
    partial-fraction form of the hypoexponential survival function is
    ``sum_k prod_{l != k} r_l / (r_l - r_k) e^{-r_k t}``; for rates in
    arithmetic progression the coefficients are binomial and, writing
    ``1 / (g + k) = int_0^1 u^{g+k-1} du``, the sum collapses to the
    regularized incomplete beta function ``I_q(g + 1, M)``, ``q = e^{-theta t}``.
    For integer ``M``, ``I_q(g+1, M) = sum_{k<M} NB(k)`` with the negative
    binomial probabilities ``NB(k) = Gamma(k+g+1) / (Gamma(g+1) k!) q^{g+1}
    (1-q)^k``.

    Parameters
    ----------
    m : int
        Number of stages, >= 1.
    c, theta : float
        Rate parameters, ``c >= 0``, ``theta > 0``.
    t : float
        Time, >= 0.

    Returns
    -------
    mpf
    """
    with mp.workdps(DPS):
        c, theta, t = _mp(c), _mp(theta), _mp(t)
        g = c / theta
        q = mpmath.exp(-theta * t)
        pmf = q ** (g + 1)
        cdf = mpf(0)
        for k in range(m):
            cdf += pmf
            pmf = pmf * (k + g + 1) / (k + 1) * (1 - q)
        return 1 - cdf


def erlang_a_metrics(n, lam, h, theta, t):
    """All queue metrics of M/M/n+M (Erlang A), exactly.

    Parameters
    ----------
    n : int
        Servers, >= 0.
    lam : float
        Arrival rate per second, > 0.
    h : float
        Mean service time in seconds, > 0.
    theta : float
        Abandonment rate of a waiting customer per second (1 / mean
        patience), > 0.
    t : float
        Service-level threshold in seconds, >= 0.

    Returns
    -------
    dict of str to mpf
        Keys :data:`METRIC_NAMES` plus ``prob_served`` (``1 - P(abandon)``
        computed from the tagged-customer stages), ``queue_states`` (number
        of queue states summed, the truncation point) and ``occupancy``
        (``nan`` for ``n == 0``).  ``asa`` is ``inf`` and
        ``service_level_answered`` ``nan`` when nothing is answered
        (``n == 0``).
    """
    with mp.workdps(DPS):
        n = int(n)
        lam, h, theta, t = _mp(lam), _mp(h), _mp(theta), _mp(t)
        if lam <= 0 or theta <= 0:
            raise ValueError("lam and theta must be > 0")
        a = lam * h
        c = n / h                           # n mu
        eps = _eps()
        # Servers part, relative to pi_n: sum_{k<n} pi_k / pi_n.
        below = inverse_blocking_sum(n, a) - 1 if n > 0 else mpf(0)
        # Pass 1: pi_{n+j} / pi_n = prod_{i=1..j} lam / (c + i theta), j = 0..J,
        # with J adaptive: stop once the ratios decrease and are negligible.
        ratios = [mpf(1)]
        queue_mass = mpf(1)                 # sum_j pi_{n+j} / pi_n
        j = 0
        while True:
            j += 1
            r = ratios[-1] * lam / (c + j * theta)
            if c + j * theta > lam and r < eps * queue_mass:
                break
            ratios.append(r)
            queue_mass += r
        big_j = len(ratios) - 1
        # Pass 2: P(T_M <= t) = P(NB >= M) for M = 1..J+1, as sums of positive
        # negative-binomial terms NB(k) = Gamma(k+g+1)/(Gamma(g+1) k!) q^(g+1) (1-q)^k.
        g = c / theta
        q = mpmath.exp(-theta * t)
        one_minus_q = 1 - q
        pmf = [q ** (g + 1)]
        for k in range(big_j + 1):
            pmf.append(pmf[-1] * (k + g + 1) / (k + 1) * one_minus_q)
        head = mpf(0)
        for k in range(big_j + 1):
            head += pmf[k]
        if head < mpf(1) / 2:               # tail >= 1/2: no cancellation in 1 - head
            tail = 1 - head
        else:                               # tail summed directly beyond J+1
            tail = mpf(0)
            k = big_j + 1
            term = pmf[k]
            while True:
                tail += term
                decreasing = (k + g + 1) / (k + 1) * one_minus_q < 1
                term = term * (k + g + 1) / (k + 1) * one_minus_q
                k += 1
                if decreasing and term <= eps * tail:
                    break
                if k > big_j + 10**7:
                    raise RuntimeError("negative-binomial tail does not converge")
        # tail is now P(NB >= J+1); walk j downwards, adding NB(j+1) at each step.
        served = mpf(0)                     # sum_j ratio_j P(served | j)
        served_in_t = mpf(0)                # sum_j ratio_j P(served, W <= t | j)
        wait_served = mpf(0)                # sum_j ratio_j E[W; served | j]
        queue_len = mpf(0)                  # sum_j j ratio_j
        harmonic = [mpf(0)]                 # harmonic[m] = sum_{i=1..m} 1/(c + i theta)
        for m in range(1, big_j + 2):
            harmonic.append(harmonic[-1] + 1 / (c + m * theta))
        for j in range(big_j, -1, -1):
            m = j + 1
            if j < big_j:
                tail += pmf[m]              # now P(NB >= m) = P(T_m <= t)
            p_served = c / (c + m * theta)
            r = ratios[j]
            served += r * p_served
            served_in_t += r * p_served * tail
            wait_served += r * p_served * harmonic[m]
            queue_len += j * r
        j = big_j + 1
        total = below + queue_mass
        no_wait = below / total
        prob_wait = queue_mass / total
        e_queue = queue_len / total
        prob_served = no_wait + served / total
        abandon = theta * e_queue / lam
        sl = no_wait + served_in_t / total
        if n > 0:
            sl_answered = sl / prob_served
            asa = (wait_served / total) / prob_served
            occ = lam * prob_served / c
        else:
            sl_answered = mpf("nan")
            asa = mpf("inf")
            occ = mpf("nan")
        return {"prob_wait": prob_wait, "service_level": sl,
                "service_level_answered": sl_answered, "asa": asa,
                "average_wait": e_queue / lam, "abandon_rate": abandon,
                "occupancy": occ, "prob_served": prob_served, "queue_states": j}


def metrics(agents, lam, aht, target_time=20.0, patience=None, concurrency=1,
            concurrency_factor=1.0):
    """Reference counterpart of :func:`erlang.metrics`, in floats.

    Parameters
    ----------
    agents : int
        Agents, >= 0.
    lam : float
        Arrivals per second, > 0.
    aht : float
        Average handle time in seconds, > 0.
    target_time : float, default 20
        Service-level threshold in seconds.
    patience : float, optional
        Mean patience in seconds; ``None`` or ``inf`` for Erlang C.
    concurrency : int, default 1
        Servers (slots) per agent.
    concurrency_factor : float, default 1
        Stretch of the time a contact holds its slot.

    Returns
    -------
    dict of str to float
        :data:`METRIC_NAMES` plus ``load`` (Erlangs of slot time).
    """
    with mp.workdps(DPS):
        servers = int(agents) * int(concurrency)
        h = _mp(aht) * _mp(concurrency_factor)
        if patience is None or math.isinf(patience):
            out = erlang_c_metrics(servers, lam, h, target_time)
        else:
            out = erlang_a_metrics(servers, lam, h, 1 / _mp(patience), target_time)
        res = {k: float(out[k]) for k in METRIC_NAMES}
        res["load"] = float(_mp(lam) * h)
        return res


def overload_service_level_bound(n, lam, h, theta, t):
    """Rigorous upper bound of the Erlang A service level of an overloaded queue.

    For queues whose stationary queue length is far too large for
    :func:`erlang_a_metrics` (long patience with ``lam > n mu``), the
    service level on the offered basis is bounded, for any ``j0 < J1 <=
    j*`` (``j*`` the mode of the queue length, where ``lam = n mu + j*
    theta``), by

    ``P(K < n + j0) + P(Poisson(L t) >= j0 + 1)``,  ``L = n mu + (j0+1) theta``:

    an arrival finding ``j >= j0`` waiting must go through at least
    ``j0 + 1`` stages, each exponential with rate at most ``L``.  With ``a >=
    n`` every ``pi_k / pi_n <= 1`` for ``k < n``, and the queue ratios
    ``pi_{n+j} / pi_n`` increase up to ``j*``, so ``P(K < n + j0) <= (n + j0)
    r^(J1 - j0)`` with ``r = (n mu + J1 theta) / lam < 1``.  The Poisson tail
    is bounded by Chernoff, ``e^{-x} (e x / k)^k`` for ``k > x``.

    Parameters
    ----------
    n : int
        Servers, >= 1.
    lam : float
        Arrival rate per second, ``> n / h``.
    h : float
        Mean service time in seconds.
    theta : float
        Abandonment rate per second, > 0.
    t : float
        Service-level threshold in seconds, >= 0.

    Returns
    -------
    mpf
        An upper bound of the true service level (offered basis).
    """
    with mp.workdps(DPS):
        lam, h, theta, t = _mp(lam), _mp(h), _mp(theta), _mp(t)
        c = n / h
        if not lam > c:
            raise ValueError("the bound needs an overloaded queue, lam > n mu")
        x0 = c * t
        j0 = int(x0 + 40 * mpmath.sqrt(x0 + 1) + 200)
        x = (c + (j0 + 1) * theta) * t
        k = j0 + 1
        if not x < k:
            raise ValueError("target time too long for the bound")
        log_tail = -x + k * (1 + mpmath.log(x) - mpmath.log(k)) if x > 0 else mpf("-inf")
        j_star = (lam - c) / theta
        best = None
        big = 2 * j0
        while big < j_star:
            r = (c + big * theta) / lam
            log_head = mpmath.log(n + j0) + (big - j0) * mpmath.log(r)
            best = log_head if best is None else min(best, log_head)
            big *= 2
        if best is None:
            raise ValueError("queue mode too short for the bound")
        return mpmath.exp(best) + mpmath.exp(log_tail)
