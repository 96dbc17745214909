"""Attainment of each queue's targets at their level (day, week, horizon), from a simulation.

A target at the day level holds when, over each day, the contacts answered
within the target time make at least the target share of the contacts it is
measured on (resolved contacts for the "offered" basis, answered ones for the
"answered" basis), contacts weighted, not intervals averaged.  The same for
abandonment (abandoned over resolved) and ASA (total wait of answered
contacts over answered).  Each replication gives one value per period; the
table gives their mean and Student-t confidence interval, and ``met`` when
the whole interval is on the right side of the target (its lower end for a
service level, its upper end for abandonment and ASA).

With the formula's metrics of the schedule (``formula``), the mean and its
interval are control-variate estimates (:func:`ccwfm.simulate.control_estimate`):
each replication's period value is regressed on the period's arrivals and
handle-time draws less their expectations, weighted per interval by the
formula's probability of waiting.  On the demo's plan this narrows the
day-level intervals by about a third (as many replications again as
doubling them) at no extra simulation.
"""

from collections import namedtuple

import numpy as np
import pandas as pd

from ccwfm.simulate import CONTROLS, QUEUE_METRICS, control_estimate

from .backlog import deadline_times
from .least_cost import period_index, queue_open_mask

__all__ = ["ATTAINMENT_COLUMNS", "PeriodSample", "attainment", "attainment_summary",
           "floor_summary", "merge_samples", "needs_records", "period_samples", "period_starts",
           "queue_periods", "samples_table", "window_parts"]

ATTAINMENT_COLUMNS = ("queue", "level", "period", "metric", "target", "formula", "simulated",
                      "low", "high", "met", "contacts")

_M = {m: i for i, m in enumerate(QUEUE_METRICS)}


def queue_periods(queue, starts):
    """Period index of each interval start for the queue's target level ("interval"
    level: the day, for reporting)."""
    starts = pd.DatetimeIndex(starts)
    day0 = starts[0].normalize()
    interval = int((starts[1] - starts[0]) / pd.Timedelta(minutes=1)) if len(starts) > 1 else 15
    per_day = 1440 // interval
    level = "week" if queue.target.level == "week" else "day"
    return period_index(len(starts), per_day, day0.weekday(), level)


def period_starts(starts, periods):
    """The first interval start (normalised to midnight) of each period."""
    starts = pd.DatetimeIndex(starts)
    first = pd.Series(starts).groupby(periods).min()
    return first.dt.normalize()


def _per_rep(stats_q, kind, basis):
    """``(numerator, denominator)`` per [replication, interval] of a KPI."""
    s = np.nan_to_num(stats_q, nan=0.0)
    answered, abandoned = s[..., _M["answered"]], s[..., _M["abandoned"]]
    resolved = answered + abandoned
    if kind == "service_level":
        if basis == "answered":
            return s[..., _M["service_level_answered"]] * answered, answered
        return s[..., _M["service_level"]] * resolved, resolved
    if kind == "abandon_rate":
        return abandoned, resolved
    return s[..., _M["asa"]] * answered, answered


def needs_records(queue):
    """Deferrable work with a business-hours or "next day" window: its share within
    the window is counted contact by contact (:func:`window_parts`), not from the
    simulation's per-interval statistics (which measure a fixed waiting time)."""
    t = queue.target
    return (queue.is_deferrable and t.service_level is None and t.window is not None
            and (isinstance(t.window, str) or t.window_basis == "business"))


def window_parts(queue, records, starts, interval):
    """Per replication and period of ``queue``'s level: contacts handled within their
    window (exact deadlines, :func:`plan.backlog.deadline_times`) and contacts, from
    a simulation's ``records`` of the queue alone.

    A contact still waiting at the horizon's end counts as within when its
    deadline is after the horizon (as in :func:`plan.backlog.fluid_backlog`).

    Returns
    -------
    (numerator, denominator) : ndarray (replications, periods)
    """
    t = queue.target
    n = len(starts)
    mask = queue_open_mask(queue, starts, interval)
    periods = queue_periods(queue, starts)
    n_p = int(periods.max()) + 1
    reps = int(records["replication"].max()) + 1 if len(records) else 0
    arrival = records["arrival"].to_numpy(float)
    due = deadline_times(np.clip(arrival, 0.0, n * interval * 60.0 - 1e-6), mask,
                         interval=interval, window=t.window, basis=t.window_basis)
    outcome = records["outcome"].astype(str).to_numpy()
    start = records["start"].to_numpy(float)
    within = ((outcome == "answered") & (start <= due + 1e-9)) | (
        np.isin(outcome, ("in_queue", "in_bot")) & ~np.isfinite(due))
    cell = np.minimum((arrival // (interval * 60.0)).astype(np.int64), n - 1)
    key = records["replication"].to_numpy(np.int64) * n_p + periods[cell]
    num = np.bincount(key, within.astype(float), reps * n_p).reshape(reps, n_p)
    den = np.bincount(key, None, reps * n_p).reshape(reps, n_p).astype(float)
    return num, den


def _period_controls(result, qi, periods, n_p, wait):
    """Controls of queue ``qi``'s periods per replication: ``(replications, n_p, 2)``.

    Each period's controls are its intervals' (:attr:`SimulationResult.controls`:
    arrivals and handle-time draws less their expectations), weighted by how much
    an interval's draws move the period's KPIs: the formula's probability of
    waiting ``wait`` in the interval plus half that of each neighbour (a busy
    interval's calls still hold agents in the next).  The weights come from
    the formula, not from the simulation: weights drawn from the same
    replications would tie each control to its own noise (measured on the demo:
    the 95% intervals then held the truth 90% of the time instead of 94%).
    None when the simulation has no controls.
    """
    c = result.controls
    if c is None:
        return None
    wait = np.nan_to_num(np.asarray(wait, float), nan=0.0)
    weight = wait.copy()
    weight[1:] += 0.5 * wait[:-1]
    weight[:-1] += 0.5 * wait[1:]
    out = np.empty((c.shape[0], n_p, len(CONTROLS)))
    for j in range(len(CONTROLS)):
        out[:, :, j] = np.stack([np.bincount(periods, weight * c[r, qi, :, j], n_p)
                                 for r in range(c.shape[0])])
    return out


def _kinds(queue, window=False):
    t = queue.target
    out = []
    if t.service_level is not None:
        out.append(("service_level", t.service_level))
    elif (t.window is not None and not isinstance(t.window, str)
          and t.window_basis == "calendar") or (window and needs_records(queue)):
        # Deferrable work within a calendar window: the simulation measures the
        # service level at the window (Target.measure_time); within a business or
        # "next day" window, contact by contact (``windows`` of :func:`attainment`).
        out.append(("service_level", t.within))
    if t.abandon_rate is not None and queue.patience is not None:
        out.append(("abandon_rate", t.abandon_rate))
    if t.asa is not None:
        out.append(("asa", t.asa))
    return out


def attainment(queues, result, starts, *, formula=None, level=0.95, windows=None):
    """Each queue's targets per period of its level, simulated (and by formula).

    Parameters
    ----------
    queues : sequence of plan.scenario.QueueConfig
        In the order of the simulated center's queues.
    result : ccwfm.simulate.SimulationResult
        The simulation of the schedule (two or more replications for an
        interval; one gives a zero-width interval).
    starts : pandas.DatetimeIndex
        Interval starts of the horizon.
    formula : dict, optional
        Queue name -> ``erlang.Metrics`` of the schedule per interval with
        ``agent_volume`` (for the ``formula`` column): pass
        ``{name: (metrics, volume)}``.  Its probability of waiting weights
        the control variates of the queue's estimates; without it, and for
        deferrable work (whose periods wait on the backlog of earlier ones,
        far from the linear model of a control variate), the estimates are
        plain means.
    level : float
        Confidence level.
    windows : dict, optional
        Queue name -> :func:`window_parts` of a deferrable queue with a
        business-hours or "next day" window (:func:`needs_records`): its
        share within the window per period (without, such a target is not
        in the table).

    Returns
    -------
    pandas.DataFrame
        :data:`ATTAINMENT_COLUMNS`: one row per queue, period and target.
    """
    return samples_table(period_samples(queues, result, starts, formula=formula,
                                        windows=windows), level=level)


PeriodSample = namedtuple("PeriodSample", "queue level starts metric target formula values "
                                          "controls contacts")
PeriodSample.__doc__ = """One queue's target over the periods of its level, per replication.

``starts`` the periods' first days; ``formula`` (periods,) the formula's value;
``values`` (replications, periods) the simulated KPI; ``controls``
(replications, periods, m) its control variates (m = 0: plain means);
``contacts`` (replications, periods) the contacts it is measured on."""


def period_samples(queues, result, starts, *, formula=None, windows=None):
    """What :func:`attainment` estimates from: a :class:`PeriodSample` per queue and target.

    Samples of the same targets from simulations on independent streams
    combine with :func:`merge_samples` (replications side by side); the
    parameters are those of :func:`attainment`.
    """
    qs = result.queue_stats                    # [rep, queue, interval (+1), metric]
    horizon = result.center.horizon
    reps = qs.shape[0]
    out = []
    for qi, q in enumerate(queues):
        periods = queue_periods(q, starts)
        firsts = period_starts(starts, periods)
        n_p = int(periods.max()) + 1
        win = (windows or {}).get(q.name)
        ctrl = None
        if formula is not None and q.name in formula and not q.is_deferrable:
            ctrl = _period_controls(result, qi, periods, n_p, formula[q.name][0].prob_wait)
        if ctrl is None:
            ctrl = np.zeros((reps, n_p, 0))
        for kind, target in _kinds(q, window=win is not None):
            num, den = _per_rep(qs[:, qi, :horizon, :], kind, q.target.basis)
            if kind == "service_level" and win is not None:
                pn, pd_ = win
            else:
                pn = np.stack([np.bincount(periods, num[r], n_p) for r in range(reps)])
                pd_ = np.stack([np.bincount(periods, den[r], n_p) for r in range(reps)])
            with np.errstate(invalid="ignore", divide="ignore"):
                val = pn / pd_
            f_val = np.full(n_p, np.nan)
            if formula is not None and q.name in formula:
                m, vol = formula[q.name]
                f_num, f_den = _formula_parts(m, vol, kind, q.target.basis)
                with np.errstate(invalid="ignore", divide="ignore"):
                    f_val = (np.bincount(periods, f_num, n_p)
                             / np.bincount(periods, f_den, n_p))
            out.append(PeriodSample(q.name, q.target.level, firsts, kind, target, f_val, val,
                                    ctrl, np.asarray(pd_, float)))
    return out


def merge_samples(shares):
    """The :func:`period_samples` of simulations of the same schedule on independent
    streams, as one: their replications side by side."""
    first = shares[0]
    return [s._replace(**{f: np.concatenate([getattr(sh[i], f) for sh in shares])
                          for f in ("values", "controls", "contacts")})
            for i, s in enumerate(first)]


def samples_table(samples, level=0.95):
    """The attainment table (:data:`ATTAINMENT_COLUMNS`) of :func:`period_samples`:
    per period, the (control-variate) mean, its confidence interval at ``level``
    and ``met``; periods without contacts are left out."""
    rows = []
    for s in samples:
        mean, half = control_estimate(s.values, s.controls, level)
        contacts = s.contacts.mean(axis=0)
        for p in range(mean.size):
            if not contacts[p] > 0:
                continue
            lo, hi = mean[p] - half[p], mean[p] + half[p]
            met = (lo >= s.target - 1e-12 if s.metric == "service_level"
                   else hi <= s.target + 1e-12)
            rows.append((s.queue, s.level, s.starts.iloc[p], s.metric, s.target,
                         s.formula[p], mean[p], lo, hi, bool(met), contacts[p]))
    return pd.DataFrame(rows, columns=list(ATTAINMENT_COLUMNS))


def _formula_parts(m, volume, kind, basis):
    vol = np.asarray(volume, float)
    answered = vol * (1.0 - np.nan_to_num(m.abandon_rate))
    if kind == "service_level":
        if basis == "answered":
            return np.nan_to_num(m.service_level_answered) * answered, answered
        return np.nan_to_num(m.service_level) * vol, vol
    if kind == "abandon_rate":
        return np.nan_to_num(m.abandon_rate) * vol, vol
    return np.nan_to_num(m.asa, posinf=0.0) * answered, answered


def attainment_summary(table):
    """Per queue and target: how the plan meets it at its level, and where the surplus sits.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`attainment`'s table (``PlanResult.attainment``).

    Returns
    -------
    pandas.DataFrame
        ``queue``, ``metric``, ``level``, ``target``, ``periods``, ``met``
        (periods met on the safe end of the confidence interval),
        ``simulated`` (the contact-weighted value over the horizon),
        ``worst`` and ``best`` period, ``worst_period`` (its start),
        ``surplus`` (mean over the periods of simulated minus target: points
        of service level or abandonment, seconds of ASA; positive is better
        than the target for a service level, worse for the others).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"queue": "v", "level": "day", "metric": "service_level",
    ...                   "target": 0.8, "formula": 0.82, "simulated": [0.83, 0.81],
    ...                   "low": [0.82, 0.80], "high": [0.84, 0.82], "met": True,
    ...                   "contacts": [100.0, 300.0],
    ...                   "period": pd.to_datetime(["2025-09-01", "2025-09-02"])})
    >>> s = attainment_summary(t).iloc[0]
    >>> int(s["periods"]), int(s["met"]), float(s["simulated"]), round(float(s["surplus"]), 4)
    (2, 2, 0.815, 0.02)
    """
    cols = ["queue", "metric", "level", "target", "periods", "met", "simulated", "worst",
            "best", "worst_period", "surplus"]
    if table is None or len(table) == 0:
        return pd.DataFrame(columns=cols)
    rows = []
    for (queue, metric), g in table.groupby(["queue", "metric"], sort=False):
        up = metric == "service_level"
        worst = g["simulated"].idxmin() if up else g["simulated"].idxmax()
        w = g["contacts"].to_numpy(float)
        rows.append({"queue": queue, "metric": metric, "level": g["level"].iloc[0],
                     "target": float(g["target"].iloc[0]), "periods": int(len(g)),
                     "met": int(g["met"].sum()),
                     "simulated": float(np.average(g["simulated"], weights=w))
                     if w.sum() > 0 else float("nan"),
                     "worst": float(g.loc[worst, "simulated"]),
                     "best": float(g["simulated"].max() if up else g["simulated"].min()),
                     "worst_period": g.loc[worst, "period"],
                     "surplus": float((g["simulated"] - g["target"]).mean())})
    return pd.DataFrame(rows, columns=cols)


def floor_summary(queues, achieved):
    """Per queue with a service-level target: its interval floor and how often the
    simulated intervals (mean over the replications) are at or above it.

    Parameters
    ----------
    queues : sequence of plan.scenario.QueueConfig
    achieved : pandas.DataFrame
        ``PlanResult.achieved`` (``queue``, ``service_level_sim`` per interval).

    Returns
    -------
    pandas.DataFrame
        ``queue``, ``floor``, ``intervals`` (with contacts), ``at_or_above``
        (their share at or above the floor), ``lowest`` (simulated service
        level of the worst interval).
    """
    rows = []
    for q in queues:
        floor = q.target.floor_service_level
        if floor is None or achieved is None or "service_level_sim" not in achieved:
            continue
        sl = achieved.loc[achieved["queue"] == q.name, "service_level_sim"].to_numpy(float)
        sl = sl[np.isfinite(sl)]
        if not sl.size:
            continue
        rows.append({"queue": q.name, "floor": floor, "intervals": int(sl.size),
                     "at_or_above": float((sl >= floor - 1e-12).mean()),
                     "lowest": float(sl.min())})
    return pd.DataFrame(rows, columns=["queue", "floor", "intervals", "at_or_above", "lowest"])
