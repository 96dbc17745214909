"""Workload seen by agents: offered load, bot deflection, shrinkage."""

import numpy as np

from ccwfm._limits import LIMITS
from ccwfm._validation import broadcast_shape, check, is_scalar_input

from ._inputs import cells, checked, limit_error, numbers_array


def offered_load(volume, aht, interval=1800.0):
    """Offered load in Erlangs: ``volume * aht / interval``.

    Parameters
    ----------
    volume : float or array_like
        Contacts offered per interval, >= 0.
    aht : float or array_like
        Average handle time in seconds, > 0.
    interval : float or array_like, default 1800
        Interval length in seconds, > 0.

    Raises
    ------
    ValueError
        For bad arguments, ``volume`` or ``aht`` beyond its limit, or an
        offered load beyond the limit ``offered_load``.

    Examples
    --------
    >>> offered_load(100, 180, 1800)
    10.0
    """
    vol = checked("volume", numbers_array("volume", volume), "volume", lo=0.0)
    h = checked("aht", numbers_array("aht", aht), "aht", lo=0.0, lo_open=True)
    ivl = checked("interval", numbers_array("interval", interval), lo=0.0, lo_open=True)
    args = {"volume": vol, "aht": h, "interval": ivl}
    cells(broadcast_shape(args), args)
    with np.errstate(over="ignore"):
        out = vol * h / ivl
    checked("volume * aht / interval", out, "offered_load")
    return float(out) if is_scalar_input(volume, aht, interval) else out


def deflect(volume, aht, containment, uplift=1.0):
    """Contacts and handle time that reach agents behind a bot or IVR.

    A share ``containment`` of the offered contacts is resolved by the bot
    and leaves; the rest is escalated to agents, and escalated contacts take
    longer (the bot kept the easy ones): their AHT is ``aht * uplift``.

    Parameters
    ----------
    volume : float or array_like
        Contacts offered per interval, >= 0.
    aht : float or array_like
        Average handle time in seconds of a contact handled by an agent
        without a bot in front, > 0.
    containment : float or array_like
        Share of offered contacts resolved by the bot, in [0, 1].
    uplift : float or array_like, default 1.0
        Handle-time multiplier of escalated contacts, > 0 (typically >= 1),
        within the limit ``aht_scale``.

    Returns
    -------
    (volume, aht) : tuple
        Contacts per interval and AHT in seconds seen by agents.

    Examples
    --------
    >>> deflect(100, 180, containment=0.3, uplift=1.2)
    (70.0, 216.0)
    """
    vol = checked("volume", numbers_array("volume", volume), "volume", lo=0.0)
    h = checked("aht", numbers_array("aht", aht), "aht", lo=0.0, lo_open=True)
    c = checked("containment", numbers_array("containment", containment), lo=0.0, hi=1.0)
    u = checked("uplift", numbers_array("uplift", uplift), "aht_scale", lo=0.0, lo_open=True)
    args = {"volume": vol, "aht": h, "containment": c, "uplift": u}
    shape = broadcast_shape(args)
    cells(shape, args)
    h_out = h * u
    # A tiny AHT times a tiny uplift must not underflow to an AHT of 0.
    check("aht * uplift", h_out, lo=0.0, lo_open=True)
    out_v = np.broadcast_to(vol * (1.0 - c), shape)
    out_h = np.broadcast_to(h_out, shape)
    if is_scalar_input(volume, aht, containment, uplift):
        return float(out_v), float(out_h)
    return np.array(out_v), np.array(out_h)


def scheduled_agents(required, shrinkage):
    """Agents to schedule so that ``required`` remain after shrinkage.

    Shrinkage is the share of paid time in which a scheduled agent is not
    available to handle contacts (breaks, training, meetings, absence).  The
    result is the smallest whole number ``m`` with
    ``m * (1 - shrinkage) >= required`` (to a relative 1e-12, so that
    ``14 / 0.7`` is 20, not 21).

    Parameters
    ----------
    required : int or array_like
        Agents needed on the phones, >= 0.
    shrinkage : float or array_like
        Share of scheduled time lost, in [0, 1).

    Raises
    ------
    ValueError
        For bad arguments, or when ``required`` or the result is beyond the
        limit ``agents``.

    Examples
    --------
    >>> scheduled_agents(14, 0.30)
    20
    """
    req = checked("required", numbers_array("required", required), "agents", lo=0.0)
    shr = checked("shrinkage", numbers_array("shrinkage", shrinkage), lo=0.0, hi=1.0,
                  hi_open=True)
    args = {"required": req, "shrinkage": shr}
    shape = broadcast_shape(args)
    cells(shape, args)
    avail = 1.0 - shr
    with np.errstate(over="ignore"):
        m = np.ceil(req / avail)
    m = np.where((m - 1.0) * avail >= req * (1.0 - 1e-12), m - 1.0, m)
    m = np.maximum(m, 0.0)
    bad = ~(m <= LIMITS["agents"].value)
    if bad.any():
        i = int(np.argmax(np.broadcast_to(bad, shape).reshape(-1)))
        raise limit_error("required / (1 - shrinkage)", np.broadcast_to(m, shape).reshape(-1)[i],
                          "agents", shape, i)
    m = m.astype(np.int64)
    return int(m) if is_scalar_input(required, shrinkage) else m
