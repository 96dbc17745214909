"""The classic Erlang formulas in Erlangs: loss (B) and delay (C) probabilities.

Agents may be fractional.  For real ``s >= 0`` both formulas use the
standard continuous extension of Erlang B (Jagerman 1974),

    1 / B(s, a) = a int_0^inf e**(-a t) (1 + t)**s dt = e**a a**-s Gamma(s + 1, a)

(``Gamma(., .)`` the upper incomplete gamma function), and Erlang C from it
as for whole numbers, ``C = s / ((s - a) / B + a)`` for ``s > a``.  At whole
``s`` these are the textbook formulas (``Gamma(n + 1, a) = n! e**-a
sum_{k<=n} a**k / k!``); in between they are continuous, decreasing in
``s``, and satisfy the same recursion ``1 / B(s) = 1 + (s / a) / B(s - 1)``.
A planner can so read the 4.3 agents measured on average in an interval's
logs as they are, without rounding them.
"""

import numpy as np

from ccwfm._validation import broadcast, broadcast_shape, is_scalar_input

from . import _kernels
from ._inputs import cells, checked, numbers_array


def _apply(kernel, agents, load):
    """Validate ``agents`` and ``load`` (rules and limits), run ``kernel`` over every cell."""
    s = checked("agents", numbers_array("agents", agents), "agents", lo=0.0)
    a = checked("load", numbers_array("load", load), "offered_load", lo=0.0)
    args = {"agents": s, "load": a}
    cells(broadcast_shape(args), args)
    shape, f = broadcast(args)
    out = np.empty(int(np.prod(shape)))
    kernel(f["agents"], f["load"], out)
    out = out.reshape(shape)
    return float(out) if is_scalar_input(agents, load) else out


def erlang_b(agents, load):
    """Erlang B: probability that a contact finds every agent busy and is lost (M/M/n/n).

    Parameters
    ----------
    agents : float or array_like
        Number of servers, >= 0, within the limit 'agents'.  Need not be a
        whole number: a fractional count (4.3 agents measured on average)
        takes the continuous extension ``1 / B(s, a) = e**a a**-s
        Gamma(s + 1, a)`` (see the module docstring), which equals the
        textbook formula at whole numbers and falls continuously between
        them.
    load : float or array_like
        Offered load in Erlangs (arrival rate times mean handle time), >= 0,
        within the limit 'offered_load'.

    Returns
    -------
    float or ndarray
        Blocking probability in [0, 1], broadcast over the inputs.  Values
        below 1e-300 are returned as 0.

    Examples
    --------
    >>> round(erlang_b(14, 10.0), 6)
    0.056819
    >>> round(erlang_b(14.5, 10.0), 6)      # between B(14) and B(15)
    0.045818
    """
    return _apply(_kernels.erlang_b_array, agents, load)


def erlang_c(agents, load):
    """Erlang C: probability that a contact has to wait (M/M/n, no abandonment).

    Parameters
    ----------
    agents : float or array_like
        Number of agents, >= 0, within the limit 'agents'; fractional counts
        take the continuous extension of Erlang B (module docstring), with
        ``C = s / ((s - a) / B + a)`` as for whole numbers.
    load : float or array_like
        Offered load in Erlangs, >= 0, within the limit 'offered_load'.

    Returns
    -------
    float or ndarray
        Probability of waiting in [0, 1].  A queue with ``agents <= load``
        never empties (unstable); its probability of waiting is 1.

    Examples
    --------
    >>> round(erlang_c(14, 10.0), 4)
    0.1741
    >>> round(erlang_c(4.3, 3.0), 4)
    0.4086
    """
    return _apply(_kernels.erlang_c_array, agents, load)
