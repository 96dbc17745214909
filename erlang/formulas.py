"""The classic Erlang formulas in Erlangs: loss (B) and delay (C) probabilities."""

import numpy as np

from ccwfm._validation import broadcast, broadcast_shape, is_scalar_input

from . import _kernels
from ._inputs import cells, checked, numbers_array


def _apply(kernel, agents, load):
    """Validate ``agents`` and ``load`` (rules and limits), run ``kernel`` over every cell."""
    s = checked("agents", numbers_array("agents", agents), "agents", lo=0.0, whole=True)
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
    agents : int or array_like
        Number of servers, a whole number >= 0, within the limit 'agents'.
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
    """
    return _apply(_kernels.erlang_b_array, agents, load)


def erlang_c(agents, load):
    """Erlang C: probability that a contact has to wait (M/M/n, no abandonment).

    Parameters
    ----------
    agents : int or array_like
        Number of agents, a whole number >= 0, within the limit 'agents'.
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
    """
    return _apply(_kernels.erlang_c_array, agents, load)
