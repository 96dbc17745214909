"""Workload seen by agents: offered load, bot deflection, shrinkage."""

import numpy as np

from ccwfm._validation import as_array, broadcast_shape, check, is_scalar_input


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

    Examples
    --------
    >>> offered_load(100, 180, 1800)
    10.0
    """
    vol = as_array("volume", volume)
    check("volume", vol, lo=0.0)
    h = as_array("aht", aht)
    check("aht", h, lo=0.0, lo_open=True)
    ivl = as_array("interval", interval)
    check("interval", ivl, lo=0.0, lo_open=True)
    broadcast_shape({"volume": vol, "aht": h, "interval": ivl})
    out = vol * h / ivl
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
        Handle-time multiplier of escalated contacts, > 0 (typically >= 1).

    Returns
    -------
    (volume, aht) : tuple
        Contacts per interval and AHT in seconds seen by agents.

    Examples
    --------
    >>> deflect(100, 180, containment=0.3, uplift=1.2)
    (70.0, 216.0)
    """
    vol = as_array("volume", volume)
    check("volume", vol, lo=0.0)
    h = as_array("aht", aht)
    check("aht", h, lo=0.0, lo_open=True)
    c = as_array("containment", containment)
    check("containment", c, lo=0.0, hi=1.0)
    u = as_array("uplift", uplift)
    check("uplift", u, lo=0.0, lo_open=True)
    shape = broadcast_shape({"volume": vol, "aht": h, "containment": c, "uplift": u})
    out_v = np.broadcast_to(vol * (1.0 - c), shape)
    out_h = np.broadcast_to(h * u, shape)
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

    Examples
    --------
    >>> scheduled_agents(14, 0.30)
    20
    """
    req = as_array("required", required)
    check("required", req, lo=0.0)
    shr = as_array("shrinkage", shrinkage)
    check("shrinkage", shr, lo=0.0, hi=1.0, hi_open=True)
    broadcast_shape({"required": req, "shrinkage": shr})
    avail = 1.0 - shr
    m = np.ceil(req / avail)
    m = np.where((m - 1.0) * avail >= req * (1.0 - 1e-12), m - 1.0, m)
    m = np.maximum(m, 0.0).astype(np.int64)
    return int(m) if is_scalar_input(required, shrinkage) else m
