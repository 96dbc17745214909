"""Deferrable work (e-mail, back office, cases): a backlog model instead of per-interval Erlang.

A deferrable contact may be handled any time within its service window (90%
within 4 business hours, by the end of the next business day, or a mean wait
of 7,200 s), so work carries over between intervals and overnight.  This
module gives the pieces a scheduler needs:

* :func:`deadlines` -- per arrival interval, the last interval by whose end
  its contacts must be handled (calendar or business time, or "next_day");
  :func:`deadline_times` -- the same rules, exact in time, per contact (for a
  simulation check), and :func:`share_within` -- the share of simulated
  contacts answered by their deadline;
* :func:`backlog_lp` -- the target as linear constraints on the agents on the
  phones per interval ``n`` (fractional), for an LP/MILP (HiGHS); exact for
  "all within the window", conservative (never optimistic) for a share below
  1 and for the mean wait;
* :func:`fluid_backlog` -- the exact fluid evaluation of a given staffing
  (served, backlog, late contacts, waits), and :func:`by_day` its daily
  attainment.

**Fluid model.**  Contacts of interval ``i`` (``volume[i]``) all arrive at the
interval's start (the conservative end: their window and their wait start
counting then); the agents ``n[i]`` handle ``n[i] * interval * 60 / aht[i]``
contacts in the interval, at a constant rate while there is work, oldest
first (FIFO); what is left carries over (``backlog``).  ``aht[i]`` is the
handle time of the work done in interval ``i`` (whatever interval that work
arrived in): give deferrable queues a smooth AHT (a day or week mean).  A
contact's wait ends when the fluid reaches it (the answer, as a simulation
counts it).

Examples
--------
One day of 60-minute intervals, open 08:00-18:00, 40 e-mails an hour from
08:00 to 20:00, AHT 600 s, every one handled within 4 business hours:

>>> import numpy as np
>>> from ccwfm.plan.backlog import backlog_lp, deadlines, fluid_backlog
>>> open_mask = np.zeros(24, bool); open_mask[8:18] = True
>>> volume = np.zeros(24); volume[8:20] = 40.0
>>> due = deadlines(open_mask, interval=60, window=4 * 3600, basis="business")
>>> due[[8, 14, 15, 19]].tolist()      # 08:00 by 11:59, 14:00 by 17:59; later: tomorrow
[11, 17, 24, 24]
>>> lp = backlog_lp(volume, 600.0, due, interval=60, within=1.0, open_mask=open_mask)
>>> agents, aux = lp.solve()
>>> round(float(agents.sum()), 3)          # agent-hours: only the contacts due today
46.667
>>> res = fluid_backlog(volume, 600.0, agents, due, interval=60)
>>> round(res.share_within, 6), round(res.carry_out, 3)   # the rest waits for tomorrow
(1.0, 200.0)
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ccwfm import _validation as v

__all__ = ["DEADLINE_KINDS", "INTERVALS", "LATE_MODELS", "BacklogLP", "BacklogResult",
           "backlog_lp", "by_day", "deadline_times", "deadlines", "fluid_backlog", "share_within"]

DEADLINE_KINDS = ("calendar", "business")
"""How a window counts: all clock time, or only open (business) time."""

INTERVALS = (15, 30, 60)
"""Interval lengths (minutes) the functions take."""

DAY_SECONDS = 86400.0
_NOISE = 1e-9           # late amounts below this share of the volume are rounding noise


# ---------------------------------------------------------------- validation


def _interval(interval):
    return int(v.choice("interval", v.whole("interval", interval), INTERVALS,
                        unit=" minutes", quote=False))


def _open_mask(open_mask, name="open_mask", length=None):
    arr = np.asarray(open_mask)
    if arr.dtype != np.bool_:
        raise v.error(name, "must be an array of booleans (True = open)",
                      open_mask if arr.ndim == 0 else f"dtype {arr.dtype}")
    if arr.ndim != 1 or arr.size == 0:
        raise v.error(name, "must be a non-empty 1-D array", f"shape {arr.shape}")
    if length is not None and arr.size != length:
        raise v.error(name, f"must have one value per interval ({length})", f"{arr.size} values")
    return arr


def _window(window, dt):
    if isinstance(window, str):
        if window != "next_day":
            raise v.error("window", "must be seconds (a number) or 'next_day'", window)
        return window
    w = v.number("window", window, lo=0, lo_open=True)
    if w < dt:
        raise v.error("window", f"must be >= the interval length ({dt:g} s)", window)
    return w


def _vector(name, value, lo, length=None, lo_open=False):
    """A 1-D float array (a scalar is broadcast to ``length``)."""
    arr = v.as_array(name, value)
    if arr.ndim == 0 and length is not None:
        arr = np.full(length, float(arr))
    if arr.ndim != 1:
        raise v.error(name, "must be a 1-D array", f"shape {arr.shape}")
    if arr.size == 0:
        raise v.error(name, "must not be empty", value)
    if length is not None and arr.size != length:
        raise v.error(name, f"must have one value per interval ({length})", f"{arr.size} values")
    v.check(name, arr, lo=lo, lo_open=lo_open)
    return np.ascontiguousarray(arr, dtype=np.float64)


def _deadline(deadline, length):
    arr = v.as_array("deadline", deadline)
    if arr.ndim != 1 or arr.size != length:
        raise v.error("deadline", f"must be a 1-D array of one value per interval ({length})",
                      f"shape {arr.shape}")
    v.check("deadline", arr, lo=0, hi=length, whole=True)
    d = arr.astype(np.int64)
    k = np.arange(length)
    bad = np.flatnonzero(d < k)
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"'deadline' must be >= its own interval index: {d[i]} (at index {i})")
    bad = np.flatnonzero(np.diff(d) < 0)
    if bad.size:
        i = int(bad[0]) + 1
        raise ValueError(f"'deadline' must be non-decreasing: {d[i]} (at index {i}, "
                         f"after {d[i - 1]})")
    return d


def _carry(carry_in, carry_in_deadline, deadline):
    c = v.number("carry_in", carry_in, lo=0)
    if carry_in_deadline is None:
        return c, int(deadline[0])
    cd = v.whole("carry_in_deadline", carry_in_deadline, lo=0)
    if cd > deadline[0]:
        raise v.error("carry_in_deadline",
                      f"must be <= deadline[0] ({deadline[0]}: carried-in contacts are older)",
                      carry_in_deadline)
    return c, cd


# ----------------------------------------------------------------- deadlines


def _deadline_seconds(t, mask, dt, window, basis):
    """Deadline (s from the first midnight) of arrivals at times ``t``; inf after the horizon."""
    n = mask.size
    horizon = n * dt
    if window == "next_day":
        per_day = int(round(DAY_SECONDS / dt))
        ndays = -(-n // per_day)
        idx = np.flatnonzero(mask)
        last = np.full(ndays, -1, dtype=np.int64)
        np.maximum.at(last, idx // per_day, idx)
        open_days = np.flatnonzero(last >= 0)
        day = np.floor(t / DAY_SECONDS).astype(np.int64)
        pos = np.searchsorted(open_days, day, side="right")
        ok = pos < open_days.size
        out = np.full(t.shape, np.inf)
        out[ok] = (last[open_days[pos[ok]]] + 1) * dt
        return out
    if basis == "calendar":
        out = t + window
        return np.where(out > horizon, np.inf, out)
    # Business time: open seconds before t, plus the window, mapped back to clock time.
    opens = np.flatnonzero(mask)
    before = np.concatenate(([0], np.cumsum(mask)))           # open intervals before j
    j = np.minimum(np.floor(t / dt).astype(np.int64), n - 1)
    used = before[j] * dt + mask[j] * (t - j * dt)             # open seconds in [0, t)
    target = used + window
    r = np.ceil(target / dt).astype(np.int64)                  # open intervals needed
    ok = r <= opens.size
    out = np.full(t.shape, np.inf)
    rr = r[ok]
    out[ok] = opens[rr - 1] * dt + (target[ok] - (rr - 1) * dt)
    return out


def deadlines(open_mask, *, interval, window, basis="calendar"):
    """Per arrival interval, the last interval by whose end its contacts must be handled.

    Parameters
    ----------
    open_mask : array of bool
        One value per interval of the horizon, True where the queue is open
        (business hours: agents may work).  The horizon starts at midnight
        of its first day; a day is ``1440 / interval`` intervals.
    interval : int
        Interval length in minutes (15, 30 or 60).
    window : float or "next_day"
        The service window in seconds (at least one interval), or
        ``"next_day"``: by the end of the next business day, i.e. the end of
        the last open interval of the next calendar day (after the arrival's)
        that has any open interval.
    basis : {"calendar", "business"}
        ``"calendar"``: the window runs on clock time, nights and weekends
        included; ``"business"``: only open time counts (a contact arriving
        while closed starts counting at the next opening).  Ignored for
        ``"next_day"``.

    Returns
    -------
    numpy.ndarray of int64
        ``d[k]``: contacts arriving in interval ``k`` must be handled by the
        end of interval ``d[k]``.  Arrivals are taken at the start of their
        interval (the earliest deadline: conservative), and a deadline that
        falls inside an interval is moved back to the end of the interval
        before (conservative again; a window that is a whole number of
        intervals is exact).  ``d[k] == len(open_mask)`` means the deadline
        is after the horizon's end (not due within the horizon; for business
        time and "next_day", the time after the horizon is taken as closed,
        so a day cut by the horizon's end has its last open interval in the
        horizon).  ``d`` is non-decreasing and ``d[k] >= k``.  A calendar
        deadline may fall in a closed interval (contacts arriving at night
        with a 4-hour calendar window are late whatever the staffing).

    Examples
    --------
    >>> import numpy as np
    >>> mask = np.zeros(48, bool); mask[8:18] = mask[24 + 8:24 + 18] = True   # 2 days, 08-18
    >>> d = deadlines(mask, interval=60, window=4 * 3600, basis="business")
    >>> d[[8, 16, 20]].tolist()       # 08:00 -> 11:59; 16:00 -> 09:59 next day; 20:00 -> 11:59
    [11, 33, 35]
    >>> deadlines(mask, interval=60, window=4 * 3600)[[8, 16, 20]].tolist()   # calendar time
    [11, 19, 23]
    >>> deadlines(mask, interval=60, window="next_day")[[3, 20, 30]].tolist() # 30: day 2 -> none
    [41, 41, 48]
    """
    dt = 60.0 * _interval(interval)
    mask = _open_mask(open_mask)
    window = _window(window, dt)
    basis = v.choice("basis", basis, DEADLINE_KINDS)
    n = mask.size
    t = np.arange(n) * dt
    due = _deadline_seconds(t, mask, dt, window, basis)
    out = np.full(n, n, dtype=np.int64)
    fin = np.isfinite(due)
    out[fin] = np.floor(due[fin] / dt).astype(np.int64) - 1
    return out


def deadline_times(arrival, open_mask, *, interval, window, basis="calendar"):
    """Per contact, the time by which it must be answered: :func:`deadlines`' rules, exact in time.

    Parameters
    ----------
    arrival : array of float
        Arrival times, seconds from the first midnight of the horizon, in
        ``[0, len(open_mask) * interval * 60)``.
    open_mask, interval, window, basis
        As for :func:`deadlines`.

    Returns
    -------
    numpy.ndarray of float
        Deadline times in seconds from the first midnight; ``inf`` where the
        deadline is after the horizon's end.  Unlike :func:`deadlines` the
        arrival time is the contact's own and the deadline is not rounded to
        an interval end, so ``floor(t / dt) - 1`` of an interval start's
        deadline time is :func:`deadlines`' value.

    Examples
    --------
    >>> import numpy as np
    >>> mask = np.zeros(48, bool); mask[8:18] = mask[24 + 8:24 + 18] = True
    >>> t = deadline_times([9.5 * 3600, 17.5 * 3600, 47 * 3600], mask, interval=60,
    ...                    window=4 * 3600, basis="business")
    >>> (t / 3600).tolist()           # 13:30; 17:30 -> 11:30 next day (35.5 h); after the horizon
    [13.5, 35.5, inf]
    """
    dt = 60.0 * _interval(interval)
    mask = _open_mask(open_mask)
    window = _window(window, dt)
    basis = v.choice("basis", basis, DEADLINE_KINDS)
    t = v.as_array("arrival", arrival)
    if t.ndim != 1:
        raise v.error("arrival", "must be a 1-D array", f"shape {t.shape}")
    v.check("arrival", t, lo=0, hi=mask.size * dt, hi_open=True)
    return _deadline_seconds(t, mask, dt, window, basis)


def share_within(arrival, answered, deadline_time, *, horizon=None):
    """Share of contacts answered by their deadline (a simulation check).

    Parameters
    ----------
    arrival : array of float
        Arrival times (seconds from the horizon's start).
    answered : array of float
        Answer times (seconds), NaN for a contact not answered by the
        horizon's end.
    deadline_time : array of float
        Deadline times (seconds, ``inf`` after the horizon), as
        :func:`deadline_times` gives.
    horizon : float, optional
        The horizon's end (seconds).  A contact not answered is late when its
        deadline is at or before ``horizon``; without it, when its deadline is
        finite.

    Returns
    -------
    float
        ``1 - late / contacts``, late meaning answered after the deadline or
        not answered with the deadline passed; a contact still waiting at the
        horizon's end whose deadline has not come is not late (the rule of
        :func:`fluid_backlog`).  1.0 when there are no contacts.

    Examples
    --------
    >>> share_within([0, 0, 10, 20], [50, 150, float("nan"), float("nan")],
    ...              [100, 100, 100, float("inf")])      # late: 2nd, 3rd
    0.5
    """
    a = v.as_array("arrival", arrival)
    if a.ndim != 1:
        raise v.error("arrival", "must be a 1-D array", f"shape {a.shape}")
    v.check("arrival", a)
    n = a.size
    ans = v.as_array("answered", answered)
    due = v.as_array("deadline_time", deadline_time)
    for name, arr in (("answered", ans), ("deadline_time", due)):
        if arr.shape != a.shape:
            raise v.error(name, f"must have one value per contact ({n})", f"shape {arr.shape}")
    done = ~np.isnan(ans)
    if done.any():
        v.check("answered", ans[done])
        bad = np.flatnonzero(done & (ans < a))
        if bad.size:
            i = int(bad[0])
            raise ValueError(f"'answered' must be >= the arrival time ({a[i]!r}): {ans[i]!r} "
                             f"(at index {i})")
    v.check("deadline_time", due, allow_inf=True)
    bad = np.flatnonzero(due < a)
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"'deadline_time' must be >= the arrival time ({a[i]!r}): {due[i]!r} "
                         f"(at index {i})")
    if horizon is None:
        passed = np.isfinite(due)
    else:
        h = v.number("horizon", horizon, lo=0)
        passed = due <= h
    late = np.where(done, ans > due, passed)
    return 1.0 if n == 0 else float(1.0 - late.sum() / n)


# ------------------------------------------------------------ exact evaluator


@dataclass(frozen=True, eq=False)
class BacklogResult:
    """Exact fluid FIFO evaluation of a staffing (see :func:`fluid_backlog`).

    Per interval ``i`` (arrays of the horizon's length):

    Attributes
    ----------
    interval : int
        Interval length in minutes.
    volume : numpy.ndarray
        Contacts arriving (as given).
    capacity : numpy.ndarray
        Contacts the agents can handle (``agents * interval * 60 / aht``).
    served : numpy.ndarray
        Contacts handled.
    backlog : numpy.ndarray
        Contacts waiting at the interval's end.
    late : numpy.ndarray
        Contacts whose deadline is the end of interval ``i`` and are still
        waiting then (counted once, where their deadline passes).
    late_by_arrival : numpy.ndarray
        The same late contacts, by the interval they arrived in.
    wait : numpy.ndarray
        Waiting time spent in interval ``i`` (contact-seconds, the area under
        the backlog curve).
    wait_by_arrival : numpy.ndarray
        Total wait of the contacts arriving in ``i`` (contact-seconds, until
        answered or, for contacts still waiting, until the horizon's end).
    late_weight : numpy.ndarray
        The weights that make :func:`backlog_lp`'s late bound exact at this
        staffing (pass as ``late_weight`` to tighten the LP around it).
    carry_in, carry_in_late, carry_in_wait : float
        Contacts waiting at the horizon's start, how many of them are late,
        and their wait within the horizon (contact-seconds).
    carry_out : float
        Contacts waiting at the horizon's end.
    overdue_end : float
        Of them, those whose deadline has passed.
    contacts : float
        ``carry_in + volume.sum()``.
    share_within : float
        ``1 - late.sum() / contacts``: contacts still waiting at the end
        whose deadline is after the horizon are not late (1.0 without
        contacts).
    asa : float
        Mean wait (seconds) of all contacts, by Little's law: ``wait.sum() /
        contacts`` (0.0 without contacts); the wait of contacts still
        waiting at the end is cut at the horizon's end.
    """

    interval: int
    volume: np.ndarray
    capacity: np.ndarray
    served: np.ndarray
    backlog: np.ndarray
    late: np.ndarray
    late_by_arrival: np.ndarray
    wait: np.ndarray
    wait_by_arrival: np.ndarray
    late_weight: np.ndarray
    carry_in: float
    carry_in_late: float
    carry_in_wait: float
    carry_out: float
    overdue_end: float
    contacts: float
    share_within: float
    asa: float


def positive_aht(aht, volume):
    """``aht`` with its non-positive entries (intervals without contacts) set to the
    contact-weighted mean handle time: what the backlog model needs everywhere."""
    aht = np.asarray(aht, float)
    mean = float(np.average(aht, weights=np.maximum(np.asarray(volume, float), 1e-12)))
    return np.where(aht > 0, aht, mean if mean > 0 else 600.0)


def _serve(volume, capacity, carry_in):
    """Work-conserving FIFO fluid: (served, backlog) per interval."""
    served = np.empty(volume.size)
    backlog = np.empty(volume.size)
    b = carry_in
    for i, (x, c) in enumerate(zip(volume.tolist(), capacity.tolist())):
        x += b
        s = x if x <= c else c
        b = x - s
        served[i], backlog[i] = s, b
    return served, backlog


def _quiet(x, scale):
    """``x`` with rounding noise (below ``_NOISE * scale``) set to 0."""
    return np.where(np.abs(x) <= _NOISE * scale, 0.0, x)


def fluid_backlog(volume, aht, agents, deadline, *, interval, carry_in=0.0,
                  carry_in_deadline=None):
    """Exact fluid FIFO evaluation of deferrable work with given agents per interval.

    Parameters
    ----------
    volume : array of float
        Contacts arriving per interval (>= 0), taken at the interval's start.
    aht : float or array of float
        Handle time (seconds, > 0) of the work done in each interval.
    agents : float or array of float
        Agents on the phones (productive, fractional, >= 0) per interval;
        they work at full speed while there is work.
    deadline : array of int
        As :func:`deadlines` returns (non-decreasing, ``k <= d[k] <=
        len(volume)``).
    interval : int
        Interval length in minutes (15, 30 or 60).
    carry_in : float
        Contacts waiting at the horizon's start (handled first).
    carry_in_deadline : int, optional
        Their deadline interval (at most ``deadline[0]``); by default
        ``deadline[0]``, as if they had arrived at the horizon's start.

    Returns
    -------
    BacklogResult

    Examples
    --------
    >>> r = fluid_backlog([10, 0, 0], 600.0, [1, 1, 1], [1, 2, 3], interval=60)
    >>> r.served.tolist(), r.backlog.tolist(), r.late.tolist()
    ([6.0, 4.0, 0.0], [4.0, 0.0, 0.0], [0.0, 0.0, 0.0])
    >>> r.asa                        # 6 answered over the 1st hour, 4 over 40 min of the 2nd
    3000.0
    >>> fluid_backlog([10, 0, 0], 600.0, [1, 0, 1], [1, 2, 3], interval=60).share_within
    0.6
    """
    iv = _interval(interval)
    dt = 60.0 * iv
    vol = _vector("volume", volume, 0.0)
    n = vol.size
    aht_ = _vector("aht", aht, 0.0, n, lo_open=True)
    ag = _vector("agents", agents, 0.0, n)
    d = _deadline(deadline, n)
    c0, cd = _carry(carry_in, carry_in_deadline, d)
    cap = ag * dt / aht_
    served, backlog = _serve(vol, cap, c0)
    total = c0 + float(vol.sum())
    scale = max(1.0, total)

    # Cumulative positions (FIFO order: carry-in first): arrivals A, served S, due P.
    arrived = c0 + np.cumsum(vol)                              # A_k
    done = np.cumsum(served)                                   # S_i
    due_by = np.cumsum(np.bincount(d, weights=vol, minlength=n + 1)[:n])
    due_by = due_by + np.where(np.arange(n) >= cd, c0, 0.0)    # P_i: due by the end of i
    overdue = np.maximum(0.0, due_by - done)                   # o_i = (P_i - S_i)^+
    due_here = np.diff(np.concatenate(([0.0], due_by)))        # E_i
    late = _quiet(np.minimum(due_here, overdue), scale)
    s_ext = np.concatenate((done, [np.inf]))                   # S_T: never late
    late_arr = _quiet(np.clip(arrived - s_ext[d], 0.0, vol), scale)
    c_late = 0.0 if cd >= n else float(_quiet(np.array(min(c0, max(0.0, c0 - done[cd]))), scale))
    weight = np.ones(n)
    weight[:-1] = np.where(overdue[:-1] <= served[1:], 1.0, 0.0)

    # Waiting: each interval's backlog falls linearly from b_{i-1} + v_i at the rate
    # capacity / dt until it empties or the interval ends.
    start = np.concatenate(([c0], backlog[:-1])) + vol
    empties = (start <= cap) & (cap > 0)
    wait = np.where(empties, start * start * dt / (2.0 * np.where(cap > 0, cap, 1.0)),
                    0.5 * dt * (start + backlog))
    # The same waits by arrival: F(x) = integral of the answer time over FIFO positions [0, x].
    t0 = np.arange(n) * dt
    rate = cap / dt
    safe_rate = np.where(rate > 0, rate, 1.0)
    seg = served * t0 + np.where(served > 0, served * served / (2.0 * safe_rate), 0.0)
    f_end = np.concatenate(([0.0], np.cumsum(seg)))            # F(S_{i-1}) at index i
    s_prev = np.concatenate(([0.0], done))

    def integral(x):
        j = np.searchsorted(done, x, side="left")
        inside = j < n
        jj = np.minimum(j, n - 1)
        dx = np.maximum(0.0, x - s_prev[jj])
        f_in = f_end[jj] + dx * t0[jj] + dx * dx / (2.0 * safe_rate[jj])
        f_out = f_end[n] + (x - s_prev[n]) * n * dt             # still waiting at the end
        return np.where(inside, f_in, f_out)

    f = integral(np.concatenate(([c0], arrived)))
    wait_arr = np.maximum(0.0, np.diff(f) - vol * t0)
    c_wait = float(f[0])
    return BacklogResult(
        interval=iv, volume=vol, capacity=cap, served=served, backlog=backlog, late=late,
        late_by_arrival=late_arr, wait=wait, wait_by_arrival=wait_arr, late_weight=weight,
        carry_in=c0, carry_in_late=c_late, carry_in_wait=c_wait, carry_out=float(backlog[-1]),
        overdue_end=float(_quiet(overdue[-1:], scale)[0]), contacts=total,
        share_within=1.0 if total == 0 else float(1.0 - late.sum() / total),
        asa=0.0 if total == 0 else float(wait.sum() / total))


def by_day(result, per_day=None):
    """Daily attainment of a :func:`fluid_backlog` result, by the day contacts arrive.

    Parameters
    ----------
    result : BacklogResult
    per_day : int, optional
        Intervals per day (default ``1440 / result.interval``).

    Returns
    -------
    pandas.DataFrame
        One row per day (``day`` 0, 1, ...; the carry-in counts on day 0):
        ``contacts`` arriving, ``served`` and ``backlog`` (at the day's end)
        in contacts, ``late`` contacts (of those arriving that day),
        ``share_within`` and ``asa`` (their mean wait in seconds; 1.0 and
        0.0 on a day without contacts).

    Examples
    --------
    >>> r = fluid_backlog([10, 0, 0, 4], 600.0, [1, 1, 1, 1], [1, 2, 3, 4], interval=60)
    >>> by_day(r, per_day=2)[["day", "contacts", "late", "asa"]]
       day  contacts  late     asa
    0    0      10.0   0.0  3000.0
    1    1       4.0   0.0  1200.0
    """
    if not isinstance(result, BacklogResult):
        raise v.error("result", "must be a BacklogResult", type(result).__name__)
    n = result.volume.size
    per_day = (1440 // result.interval if per_day is None
               else v.whole("per_day", per_day, lo=1))
    day = np.arange(n) // per_day
    ndays = int(day[-1]) + 1

    def total(x):
        return np.bincount(day, weights=x, minlength=ndays)

    contacts = total(result.volume)
    late = total(result.late_by_arrival)
    wait = total(result.wait_by_arrival)
    contacts[0] += result.carry_in
    late[0] += result.carry_in_late
    wait[0] += result.carry_in_wait
    has = contacts > 0
    safe = np.where(has, contacts, 1.0)
    ends = np.minimum((np.arange(ndays) + 1) * per_day, n) - 1
    return pd.DataFrame({
        "day": np.arange(ndays), "contacts": contacts, "served": total(result.served),
        "backlog": result.backlog[ends], "late": late,
        "share_within": np.where(has, 1.0 - late / safe, 1.0),
        "asa": np.where(has, wait / safe, 0.0)})


# ------------------------------------------------------------------------- LP

LATE_MODELS = ("bound", "exact")
"""How :func:`backlog_lp` counts late contacts for ``within < 1``: a linear
upper bound (an LP), or exactly with one binary per deadline interval (a MILP)."""


@dataclass(frozen=True, eq=False)
class BacklogLP:
    """Linear constraints of a backlog target on the agents per interval (see :func:`backlog_lp`).

    ``lb <= a_agents @ n + a_aux @ aux <= ub`` and ``aux_lb <= aux <= aux_ub``,
    with ``n`` the agents on the phones per interval (``n >= 0``, bounded as
    the caller's model says) and ``aux`` the backlog model's own variables,
    integer where ``aux_integrality`` is 1 (only with ``late="exact"``):
    ``aux[:T]`` contacts served per interval, ``aux[T:2T]`` the backlog at
    each interval's end (``T = n_intervals``), then, for ``within < 1``, the
    late count's variables: ``late="bound"``, ``T`` bounds on the overdue
    backlog; ``late="exact"``, for the ``c`` intervals in which contacts fall
    due, ``c`` overdue backlogs, ``c`` late counts and ``c`` binaries.  Read
    a solution back with :meth:`served`, :meth:`backlog`, :meth:`late_bound`
    and :meth:`wait_bound`; evaluate its agents exactly with :meth:`evaluate`
    and tighten the late bound around them with :meth:`refined`.

    Attributes
    ----------
    a_agents : scipy.sparse.csr_array
        ``(m, T)``: the coefficients of ``n``.
    a_aux : scipy.sparse.csr_array
        ``(m, naux)``: the coefficients of ``aux``.
    lb, ub : numpy.ndarray
        Row bounds (``-inf`` / ``inf`` where open), length ``m``.
    aux_lb, aux_ub : numpy.ndarray
        Bounds of ``aux``, length ``naux``.
    aux_integrality : numpy.ndarray
        1 for an integer (binary) ``aux``, else 0 (scipy's ``integrality``).
    interval : int
        Interval length in minutes.
    n_intervals : int
        ``T``.
    contacts : float
        Carry-in plus the horizon's volume.
    not_due : numpy.ndarray
        Per interval, contacts arrived by its end whose deadline is later
        (the backlog's cap when every contact must be on time).
    late_weight : numpy.ndarray
        The weights of the late bound (see :func:`backlog_lp`).
    """

    a_agents: sp.csr_array
    a_aux: sp.csr_array
    lb: np.ndarray
    ub: np.ndarray
    aux_lb: np.ndarray
    aux_ub: np.ndarray
    aux_integrality: np.ndarray
    interval: int
    n_intervals: int
    contacts: float
    not_due: np.ndarray
    late_weight: np.ndarray
    _inputs: dict = field(repr=False)

    @property
    def naux(self):
        """Number of auxiliary variables."""
        return self.aux_lb.size

    def served(self, aux):
        """Contacts served per interval in a solution's ``aux``."""
        return np.asarray(aux, dtype=np.float64)[:self.n_intervals]

    def backlog(self, aux):
        """Backlog at each interval's end in a solution's ``aux``."""
        t = self.n_intervals
        return np.asarray(aux, dtype=np.float64)[t:2 * t]

    def late_bound(self, aux):
        """What the constraints count as late contacts at ``aux``.

        At least the late contacts of the schedule ``aux`` describes, and so
        of :meth:`evaluate` of its agents; equal to them with ``late="exact"``.
        """
        s, b = self.served(aux), self.backlog(aux)
        o = np.maximum(0.0, b - self.not_due)
        if self._inputs["late"] == "exact":
            return float(np.minimum(o, self._inputs["due_here"]).sum())
        w = self.late_weight
        return float(o[-1] + (w[:-1] * o[:-1]).sum() + ((1.0 - w[:-1]) * s[1:]).sum())

    def wait_bound(self, aux):
        """The bound on the total wait (contact-seconds) at ``aux``: the backlog's trapezoid."""
        b = self.backlog(aux)
        dt = 60.0 * self.interval
        c0 = self._inputs["carry_in"]
        return float(0.5 * dt * (c0 + b[:-1].sum() + b.sum() + self.contacts - c0))

    def evaluate(self, agents):
        """:func:`fluid_backlog` of ``agents`` on this model's inputs.

        Agents in intervals where the model serves nothing (closed, with
        ``open_mask``) are not counted.
        """
        x = self._inputs
        ag = _vector("agents", agents, 0.0, self.n_intervals)
        if x["open_mask"] is not None:
            ag = np.where(x["open_mask"], ag, 0.0)
        return fluid_backlog(x["volume"], x["aht"], ag, x["deadline"], interval=self.interval,
                             carry_in=x["carry_in"], carry_in_deadline=x["carry_in_deadline"])

    def refined(self, agents):
        """The same constraints with the late bound exact at ``agents`` (``late_weight``).

        ``agents``, if they meet these constraints, meet the refined ones
        too, so a model solved again cannot cost more; for ``late="bound"``
        with ``0 < within < 1`` only (else the model itself).
        """
        x = self._inputs
        if x["late"] != "bound" or x["within"] is None or x["within"] >= 1.0:
            return self
        kw = {k: x[k] for k in ("interval", "within", "asa", "carry_in", "carry_in_deadline",
                                "open_mask", "carry_out_max", "late", "clear_overdue")}
        return backlog_lp(x["volume"], x["aht"], x["deadline"],
                          late_weight=self.evaluate(agents).late_weight, **kw)

    def solve(self, *, cost=1.0, agents_ub=None, refine=0, time_limit=None):
        """The cheapest agents meeting these constraints alone (HiGHS, fractional agents).

        Parameters
        ----------
        cost : float or array of float
            Cost of one agent in each interval (default 1: fewest agent-intervals).
        agents_ub : float or array of float, optional
            Most agents per interval.
        refine : int
            Times to solve again with the late bound made exact at the last
            solution (:meth:`refined`); each round costs no more than the
            last, and the rounds stop early when the staffing settles.
        time_limit : float, optional
            Seconds HiGHS may take per solve (useful with ``late="exact"``).

        Returns
        -------
        (numpy.ndarray, numpy.ndarray)
            Agents per interval and the auxiliary variables (of the last
            round's model: :meth:`refined` of this one).

        Raises
        ------
        ValueError
            When no staffing meets the target (contacts due while closed, a
            too tight ``carry_out_max`` or ``agents_ub``), or HiGHS stops
            without a solution.
        """
        from scipy.optimize import Bounds, LinearConstraint, milp

        t = self.n_intervals
        c = _vector("cost", cost, 0.0, t)
        ub = np.full(t, np.inf) if agents_ub is None else _vector("agents_ub", agents_ub, 0.0, t)
        rounds = v.count("refine", refine, 0)
        options = {} if time_limit is None else {
            "time_limit": v.number("time_limit", time_limit, lo=0, lo_open=True)}
        model, best = self, None
        for r in range(rounds + 1):
            a = sp.hstack([model.a_agents, model.a_aux], format="csr")
            res = milp(np.concatenate((c, np.zeros(model.naux))),
                       constraints=LinearConstraint(a, model.lb, model.ub),
                       bounds=Bounds(np.concatenate((np.zeros(t), model.aux_lb)),
                                     np.concatenate((ub, model.aux_ub))),
                       integrality=np.concatenate((np.zeros(t), model.aux_integrality)),
                       options=options)
            if res.x is None:
                if best is not None:          # a refined round cannot be worse: numerical trouble
                    break
                raise ValueError(f"the backlog target cannot be met with any staffing allowed "
                                 f"(HiGHS: {res.message})")
            agents, aux = np.maximum(res.x[:t], 0.0), res.x[t:]
            settled = best is not None and np.allclose(agents, best[0], rtol=1e-9, atol=1e-9)
            best = (agents, aux)
            if settled or r == rounds:
                break
            nxt = model.refined(agents)
            if nxt is model:
                break
            model = nxt
        return best


def backlog_lp(volume, aht, deadline, *, interval, within=None, asa=None, carry_in=0.0,
               carry_in_deadline=None, open_mask=None, late="bound", late_weight=None,
               clear_overdue=True, carry_out_max=None):
    """Linear constraints making agents per interval meet a deferrable-work target.

    Agents ``n`` (per interval, productive, fractional) handle ``volume``
    (contacts arriving per interval) of handle time ``aht`` so that at least
    ``within`` of the contacts are handled by their deadline and/or the mean
    wait is at most ``asa``.

    Parameters
    ----------
    volume : array of float
        Contacts arriving per interval (>= 0).
    aht : float or array of float
        Handle time (seconds, > 0) of the work done in each interval.
    deadline : array of int
        As :func:`deadlines` returns.
    interval : int
        Interval length in minutes (15, 30 or 60).
    within : float, optional
        Share of contacts (carry-in included) to handle by their deadline,
        in (0, 1].
    asa : float, optional
        Most mean wait in seconds (at least half an interval, the mean wait
        of contacts all arriving at the interval's start and handled evenly
        during it).
    carry_in, carry_in_deadline
        As for :func:`fluid_backlog`.
    open_mask : array of bool, optional
        Open intervals: nothing is served while closed, and the late bound is
        exact across closed intervals.
    late : {"bound", "exact"}
        For ``within < 1``: a linear bound on late contacts (an LP, below),
        or the exact count with one binary variable per interval in which
        contacts fall due (a MILP: 3 to 25 s for a week of 15-minute intervals).
    late_weight : float or array of float, optional
        Weights ``w`` in [0, 1] of the late bound (below); default 1 where
        the next interval is open and 0 where it is closed (1 everywhere
        without ``open_mask``).
    clear_overdue : bool
        Every contact whose deadline has passed is handled by the horizon's
        last open interval (the last interval without ``open_mask``), late
        or not.  Without it, a share below 1 can be met by never handling
        the late contacts of the horizon's last days (they are late once,
        whenever they are handled), which no center does.
    carry_out_max : float, optional
        Most contacts left waiting at the horizon's end.

    Returns
    -------
    BacklogLP

    Notes
    -----
    The fluid FIFO model, in contacts: ``s_i <= n_i * interval * 60 / aht_i``,
    ``b_i = b_{i-1} + volume_i - s_i >= 0``, ``b_{-1} = carry_in``.  The model
    may serve less than it could; the real (work-conserving) fluid then serves
    at least as much by every interval's end, so every bound below holds
    for :func:`fluid_backlog` of the solution's agents too.

    *Every contact on time* (``within == 1``): ``b_i <= not_due_i``, the
    contacts arrived by the end of ``i`` whose deadline is after ``i``.  With
    FIFO and non-decreasing deadlines this is exact: a staffing meets it if
    and only if its fluid evaluation has no late contact (the LP's minimum
    is the true minimum).

    *A share on time* (``within < 1``), ``late="bound"``: the late contacts
    are ``L = o_{T-1} + sum_{i<T-1} min(o_i, s_{i+1})`` with ``o_i = (b_i -
    not_due_i)^+`` the overdue backlog at the end of ``i`` (a contact is late
    once: counted when the agents reach it after its deadline, or when it
    still waits at the horizon's end).  ``min`` is not convex, so the LP
    bounds it from above by ``w_i o_i + (1 - w_i) s_{i+1}``, at least the
    ``min`` for any ``w_i`` in [0, 1]:
    ``o_{T-1} + sum_i (w_i o_i + (1 - w_i) s_{i+1}) <= (1 - within) * contacts``,
    with ``o_i >= b_i - not_due_i``, ``o_i >= 0``.  The bound never
    under-counts (conservative).  It is exact where the overdue backlog is
    handled within the next interval (``w = 1``) or nothing is served in the
    next interval (a closed one, ``w = 0``), and over-counts a backlog left
    overdue for several open intervals, which the default weights make the
    LP avoid.  ``BacklogResult.late_weight`` of a staffing makes the bound
    exact at that staffing (:meth:`BacklogLP.refined`): solving again cannot
    cost more, and a few rounds (``solve(refine=...)``) close the gap.  The
    rounds stop at a staffing the bound cannot improve on, which in general
    may cost more than the exact optimum.  Measured on a synthetic week of
    e-mail (15-minute intervals, open 08-18 on weekdays, a morning peak,
    1 business hour, early and late hours 50% dearer): at 90% on time the
    first LP is already the exact optimum (0.04 s); at 80% it costs 0.6%
    more (81.2% on time), and 10 rounds (1.2 s) reach the exact optimum,
    which the MILP of ``late="exact"`` takes 24 s to prove.

    ``late="exact"``: ``L = sum_i min(E_i, o_i)``, ``E_i`` the contacts due at
    the end of ``i``; per ``i`` with ``E_i > 0`` a binary ``z_i`` ("interval
    ``i``'s contacts are given up") and ``l_i >= E_i z_i``, ``l_i >= o_i -
    P_{i-1} z_i`` (``P_{i-1}`` the contacts due before ``i``, at least
    ``o_i - E_i``), ``sum_i l_i <= (1 - within) * contacts``: exact, the
    minimum is the true one.

    *Mean wait* (``asa``): the total wait is the area under the backlog;
    within interval ``i`` the backlog falls from ``b_{i-1} + volume_i`` to
    ``b_i``, along a convex path (linear, then flat at 0 once empty), so the
    trapezoid ``dt (b_{i-1} + volume_i + b_i) / 2`` bounds it from above:
    ``sum_i trapezoid_i <= asa * contacts`` (Little's law; conservative by
    at most the time the queue stands empty within an interval).

    At the horizon's end, contacts whose deadline is later are not late and
    their wait counts up to the end only: without ``carry_out_max`` the LP
    may leave them for after the horizon (chain horizons with ``carry_in``,
    or set their deadlines to ``T - 1`` to have everything done).  Contacts
    already late are handled by then (``clear_overdue``): ``b_L <= not_due_L``
    at the last open interval ``L``.

    Examples
    --------
    >>> import numpy as np
    >>> lp = backlog_lp([30, 30, 0, 0], 600.0, [1, 2, 3, 3], interval=60, within=1.0)
    >>> agents, aux = lp.solve(cost=[3, 2, 1, 1])     # later agents are cheaper
    >>> agents.round(3).tolist(), lp.backlog(aux).round(3).tolist()   # each 30 at its deadline
    ([0.0, 5.0, 5.0, 0.0], [30.0, 30.0, 0.0, 0.0])
    >>> lp.a_agents.shape, lp.a_aux.shape
    ((8, 4), (8, 8))
    """
    iv = _interval(interval)
    dt = 60.0 * iv
    vol = _vector("volume", volume, 0.0)
    t = vol.size
    aht_ = _vector("aht", aht, 0.0, t, lo_open=True)
    d = _deadline(deadline, t)
    c0, cd = _carry(carry_in, carry_in_deadline, d)
    if within is None and asa is None:
        raise ValueError("'within' or 'asa' must be given (the target)")
    if within is not None:
        within = v.number("within", within, lo=0.0, hi=1.0, lo_open=True)
    if asa is not None:
        asa = v.number("asa", asa, lo=0.0, lo_open=True)
        if asa < dt / 2:
            raise v.error("asa", f"must be >= half the interval ({dt / 2:g} s) in the fluid "
                          "model (contacts arrive at the interval's start)", asa)
    mask = None if open_mask is None else _open_mask(open_mask, length=t)
    late = v.choice("late", late, LATE_MODELS)
    if late_weight is None:
        weight = np.ones(t)
        if mask is not None:
            weight[:-1] = mask[1:].astype(np.float64)
    else:
        weight = _vector("late_weight", late_weight, 0.0, t)
        v.check("late_weight", weight, lo=0.0, hi=1.0)
    clear_overdue = v.boolean("clear_overdue", clear_overdue)
    if carry_out_max is not None:
        carry_out_max = v.number("carry_out_max", carry_out_max, lo=0.0)

    total = c0 + float(vol.sum())
    k = np.arange(t)
    due_here = np.bincount(d, weights=vol, minlength=t + 1)[:t]
    if cd < t:
        due_here[cd] += c0
    due_by = np.cumsum(due_here)
    not_due = np.maximum(0.0, c0 + np.cumsum(vol) - due_by)
    cap = dt / aht_

    # Rows 0..T-1: s_i - cap_i n_i <= 0; rows T..2T-1: b_i - b_{i-1} + s_i = v_i (+ carry_in).
    s_col, b_col = k, t + k
    rows = [k, t + k, t + k, t + k[1:]]
    cols = [s_col, s_col, b_col, b_col[:-1]]
    vals = [np.ones(t), np.ones(t), np.ones(t), -np.ones(t - 1)]
    lb = [np.full(t, -np.inf), vol + np.where(k == 0, c0, 0.0)]
    ub = [np.zeros(t), lb[1]]
    m, naux = 2 * t, 2 * t
    extra_lb, extra_ub, integ = [], [], []
    budget = None if within is None else (1.0 - within) * total
    if within is not None and within < 1.0 and late == "bound":
        # o_i - b_i >= -not_due_i; sum w_i o_i + (1 - w_i) s_{i+1} + o_{T-1} <= budget.
        o_col = naux + k
        naux += t
        extra_lb.append(np.zeros(t))
        extra_ub.append(np.full(t, np.inf))
        integ.append(np.zeros(t))
        rows += [m + k, m + k]
        cols += [o_col, b_col]
        vals += [np.ones(t), -np.ones(t)]
        lb.append(-not_due)
        ub.append(np.full(t, np.inf))
        m += t
        rows += [np.full(t, m), np.full(t - 1, m)]
        cols += [o_col, s_col[1:]]
        vals += [np.append(weight[:-1], 1.0), 1.0 - weight[:-1]]
        lb.append([-np.inf])
        ub.append([budget])
        m += 1
    elif within is not None and within < 1.0:
        # Per deadline interval i (E_i > 0): o (overdue), l (late), z (binary).
        cls = np.flatnonzero(due_here > 0)
        nc = cls.size
        j = np.arange(nc)
        o_col, l_col, z_col = naux + j, naux + nc + j, naux + 2 * nc + j
        naux += 3 * nc
        extra_lb.append(np.zeros(3 * nc))
        extra_ub.append(np.concatenate((np.full(2 * nc, np.inf), np.ones(nc))))
        integ.append(np.concatenate((np.zeros(2 * nc), np.ones(nc))))
        due_before = (due_by - due_here)[cls]
        # o_j - b_i >= -not_due_i
        rows += [m + j, m + j]
        cols += [o_col, b_col[cls]]
        vals += [np.ones(nc), -np.ones(nc)]
        lb.append(-not_due[cls])
        ub.append(np.full(nc, np.inf))
        m += nc
        # l_j - o_j + P_{i-1} z_j >= 0
        rows += [m + j, m + j, m + j]
        cols += [l_col, o_col, z_col]
        vals += [np.ones(nc), -np.ones(nc), due_before]
        lb.append(np.zeros(nc))
        ub.append(np.full(nc, np.inf))
        m += nc
        # l_j - E_i z_j >= 0
        rows += [m + j, m + j]
        cols += [l_col, z_col]
        vals += [np.ones(nc), -due_here[cls]]
        lb.append(np.zeros(nc))
        ub.append(np.full(nc, np.inf))
        m += nc
        rows.append(np.full(nc, m))
        cols.append(l_col)
        vals.append(np.ones(nc))
        lb.append([-np.inf])
        ub.append([budget])
        m += 1
    aux_lb = np.concatenate([np.zeros(2 * t)] + extra_lb)
    aux_ub = np.concatenate([np.full(2 * t, np.inf)] + extra_ub)
    aux_int = np.concatenate([np.zeros(2 * t)] + integ)
    if mask is not None:
        aux_ub[s_col[~mask]] = 0.0
    if within is not None and within >= 1.0:
        aux_ub[b_col] = not_due
    if asa is not None:
        bw = np.full(t, dt)
        bw[-1] = dt / 2
        rows.append(np.full(t, m))
        cols.append(b_col)
        vals.append(bw)
        lb.append([-np.inf])
        ub.append([asa * total - 0.5 * dt * total])
        m += 1
    if clear_overdue:
        opened = np.flatnonzero(mask) if mask is not None else k
        if opened.size:
            last = b_col[opened[-1]]
            aux_ub[last] = min(aux_ub[last], not_due[opened[-1]])
    if carry_out_max is not None:
        aux_ub[b_col[-1]] = min(aux_ub[b_col[-1]], carry_out_max)
    a_aux = sp.coo_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(m, naux)).tocsr()
    a_agents = sp.csr_array((-cap, k, np.concatenate((k, np.full(m - t + 1, t)))),
                            shape=(m, t))
    inputs = {"volume": vol, "aht": aht_, "deadline": d, "interval": iv, "within": within,
              "asa": asa, "carry_in": c0, "carry_in_deadline": cd, "open_mask": mask,
              "carry_out_max": carry_out_max, "late": late, "due_here": due_here,
              "clear_overdue": clear_overdue}
    return BacklogLP(a_agents=a_agents, a_aux=a_aux,
                     lb=np.concatenate([np.asarray(x, dtype=np.float64) for x in lb]),
                     ub=np.concatenate([np.asarray(x, dtype=np.float64) for x in ub]),
                     aux_lb=aux_lb, aux_ub=aux_ub, aux_integrality=aux_int, interval=iv,
                     n_intervals=t, contacts=total, not_due=not_due, late_weight=weight,
                     _inputs=inputs)
