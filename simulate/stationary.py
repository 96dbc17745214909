"""Stationary mode: one cell (queue, handle time, patience, agents) in steady state.

A calibration cell -- a weekday and interval of day with its arrival rate,
handle-time and patience distributions and a measured, possibly fractional,
number of agents -- is simulated as if it lasted forever, and each KPI comes
with a confidence interval.

Method
------
The cell runs on the fast engine as a constant-volume single-queue
:class:`~ccwfm.simulate.Center` over as many intervals as needed.  Each run
starts empty; its first ``warmup`` seconds are deleted (contacts arriving
before are not counted, agent time before is not counted), then a measured
window follows, then a *drain*: the run goes on so that the contacts
arriving near the end of the window are resolved (answered or abandoned)
before the run stops.  A contact counts in the window of its arrival.

* ``method="replications"``: ``replications`` independent runs (keys from
  the seed), each with its warm-up deleted and a window of ``duration /
  replications`` seconds.
* ``method="batch_means"``: one long run, warm-up deleted once, its window
  of ``duration`` seconds cut into ``batches`` consecutive batches.

Every KPI is a ratio of totals (abandoned over resolved, busy time over time
on duty...).  Its estimate is the ratio of the totals over all runs (or
batches); its confidence interval is Student's t with ``runs - 1`` degrees of
freedom on the linearised ratio (delta method): with ``Y_r`` and ``X_r`` the
numerator and denominator of run ``r`` and ``R = sum Y / sum X``, the
half-width is ``t * sd(Y_r - R X_r) / (mean(X_r) sqrt(runs))``.  The
interval covers the steady-state value with probability about ``level`` when
the runs (batches) are independent and long enough for the ratio to be near
normal: independent by construction for replications; for batch means, when
a batch is much longer than the time the queue takes to forget its state.
The half-width shrinks like ``1 / sqrt(duration)``.

Defaults
--------
The *relaxation time* of the cell is taken as ``max(h, min(p, h / (s (1 -
sqrt(rho)) ** 2)))`` with ``h`` the mean handle time (times the concurrency
factor), ``p`` the mean patience (infinite without), ``s`` the slots
(``agents * concurrency``) and ``rho`` the load per slot: the time the queue
needs to forget where it started -- a mean handle time when it rarely
queues, a mean patience when abandonment bounds the queue, the
heavy-traffic relaxation time of Erlang C when nobody abandons.  The default
warm-up is :data:`WARMUP_RELAXATIONS` (10) of them.  The drain is ten times
the longest a contact typically waits (``max(h, min(p, h / (s (1 -
rho))))``).  The default run measures :data:`DEFAULT_CONTACTS` (100,000)
expected contacts, shortened if needed to fit :mod:`ccwfm._limits`.

Examples
--------
>>> from ccwfm.simulate import stationary
>>> from ccwfm import erlang
>>> res = stationary(arrival_rate=100 / 1800, handle=180, agents=10, patience=120, seed=1)
>>> res.method, res.runs, res.warmup
('replications', 20, 1800.0)
>>> exact = erlang.metrics(10, arrival_rate=100 / 1800, aht=180, patience=120)
>>> round(float(exact.abandon_rate), 4), res.abandon_rate.covers(exact.abandon_rate)
(0.1375, True)
>>> res.abandon_rate.half_width < 0.01
True
"""

import math
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from scipy import stats as _st

from ccwfm._limits import LIMITS, at_most, limit
from ccwfm._validation import choice, count, error, number, share, text, whole

from . import _rng
from ._engine_fast import run_fast
from ._fast import ABANDONED, ANSWERED
from .distributions import Distribution
from .model import MAX_INTERVAL, MIN_INTERVAL, SHARE_PERIOD, Center
from .run import _seed
from .stats import _spread

METHODS = ("replications", "batch_means")
# Runs (replications or batches) by default: enough degrees of freedom for
# the t quantile (2.09 at 95%) to be within 7% of the normal one.
DEFAULT_RUNS = 20
# Expected contacts measured (after warm-up) by default, over all runs: a
# share near 10% to about +-0.5 percentage points, in a few tens of ms.
DEFAULT_CONTACTS = 100_000
# Default warm-up, in relaxation times of the cell (module docstring).
WARMUP_RELAXATIONS = 10.0
# Drain after the window, in typical waits of a contact.
DRAIN_WAITS = 10.0
# As in simulate.run: fixed cost per queue or group and run, in cells.
_FIXED_CELLS = 100

KPIS = ("offered", "service_level", "service_level_answered", "abandon_rate", "prob_wait",
        "asa", "average_wait", "occupancy", "agents")
# Per-run totals, and each KPI as (numerator, denominator) of them.
_SUMS = ("offered", "answered", "abandoned", "resolved", "within", "waited", "wait_answered",
         "wait_resolved", "busy", "duty", "intervals", "duty_agents")
_RATIO = {
    "offered": ("offered", "intervals"),
    "service_level": ("within", "resolved"),
    "service_level_answered": ("within", "answered"),
    "abandon_rate": ("abandoned", "resolved"),
    "prob_wait": ("waited", "resolved"),
    "asa": ("wait_answered", "answered"),
    "average_wait": ("wait_resolved", "resolved"),
    "occupancy": ("busy", "duty"),
    "agents": ("duty_agents", "intervals"),
}
_S = {name: i for i, name in enumerate(_SUMS)}


@dataclass(frozen=True)
class Estimate:
    """A steady-state KPI: its estimate and confidence interval.

    Attributes
    ----------
    mean : float
        Point estimate (ratio of the totals over all runs); NaN when there
        is nothing to measure (no answered contact for the ASA, say).
    half_width : float
        Half-width of the confidence interval at the result's level (0 when
        every run gave the same ratio; NaN with the mean).
    low, high : float
        ``mean - half_width`` and ``mean + half_width``.
    """

    mean: float
    half_width: float
    low: float
    high: float

    @classmethod
    def of(cls, mean, half_width):
        """The estimate ``mean +- half_width``."""
        mean, half = float(mean), float(half_width)
        return cls(mean, half, mean - half, mean + half)

    def covers(self, value):
        """True when ``value`` lies in ``[low, high]``."""
        return bool(self.low <= value <= self.high)


@dataclass(frozen=True)
class StationaryResult:
    """Steady-state KPIs of one cell with confidence intervals (:func:`stationary`).

    Attributes
    ----------
    method : str
        "replications" or "batch_means".
    level : float
        Confidence level of the intervals.
    runs : int
        Replications or batches the intervals are computed from.
    warmup : float
        Seconds deleted at the start of each run.
    duration : float
        Seconds measured, over all runs.
    contacts : int
        Contacts that arrived in the measured windows (counted in
        ``offered``).
    unresolved : int
        Of those, contacts still waiting when the run stopped (left out of
        the ratios; 0 but in extreme cells).
    offered : Estimate
        Contacts offered per ``interval`` (a check of the arrival rate).
    service_level : Estimate
        Answered within the target time over resolved (answered +
        abandoned) contacts: the "offered" basis of :mod:`erlang`.
    service_level_answered : Estimate
        Answered within the target time over answered contacts.
    abandon_rate : Estimate
        Abandoned over resolved contacts.
    prob_wait : Estimate
        Share of resolved contacts that waited at all.
    asa : Estimate
        Mean wait of answered contacts, seconds.
    average_wait : Estimate
        Mean wait of resolved contacts, abandoned ones included, seconds.
    occupancy : Estimate
        Busy slot time over on-duty slot time (overtime to finish a contact
        counts as on duty).
    agents : Estimate
        Agents on duty, time average, overtime included: slightly above a
        fractional ``agents`` when its time-shared agent works past its turn.
    per_run : pandas.DataFrame
        The KPIs of each run (replication or batch) on its own, one row per
        run, with its ``contacts``: to look at the spread or, for batch
        means, at the correlation of consecutive batches.
    """

    method: str
    level: float
    runs: int
    warmup: float
    duration: float
    contacts: int
    unresolved: int
    offered: Estimate
    service_level: Estimate
    service_level_answered: Estimate
    abandon_rate: Estimate
    prob_wait: Estimate
    asa: Estimate
    average_wait: Estimate
    occupancy: Estimate
    agents: Estimate
    per_run: pd.DataFrame

    @property
    def table(self):
        """One row per KPI: ``metric``, ``mean``, ``half_width``, ``low``, ``high``."""
        return pd.DataFrame([{"metric": k, **{f.name: getattr(getattr(self, k), f.name)
                                               for f in fields(Estimate)}} for k in KPIS])


def _duration_dist(path, value, key):
    """A Distribution, or an exponential one from a mean in seconds."""
    if isinstance(value, Distribution):
        dist = value
    else:
        mean = number(path, value, lo=0.0, lo_open=True)
        dist = Distribution.exponential(at_most(path, mean, key))
    at_most(f"{path}.mean", dist.mean, key)
    return dist


def _inputs(arrival_rate, volume, interval, handle, agents, patience, target_time,
            concurrency, concurrency_factor, share_period):
    interval = number("interval", interval, lo=MIN_INTERVAL, hi=MAX_INTERVAL)
    if (arrival_rate is None) == (volume is None):
        raise ValueError("give one of 'arrival_rate' (contacts per second) or 'volume' "
                         f"(contacts per interval): arrival_rate={arrival_rate!r}, "
                         f"volume={volume!r}")
    if arrival_rate is not None:
        rate = number("arrival_rate", arrival_rate, lo=0.0, lo_open=True)
        at_most("arrival_rate", rate, "arrival_rate")
        at_most("arrival_rate x interval", rate * interval, "volume")
    else:
        vol = at_most("volume", number("volume", volume, lo=0.0, lo_open=True), "volume")
        rate = at_most("volume / interval", vol / interval, "arrival_rate")
    if handle is None:
        raise error("handle", "must be a Distribution or a mean in seconds", handle)
    handle = _duration_dist("handle", handle, "aht")
    if patience is not None and not isinstance(patience, Distribution):
        p = number("patience", patience, lo=0.0, lo_open=True, finite=False)
        patience = None if math.isinf(p) else p
    if patience is not None:
        patience = _duration_dist("patience", patience, "patience")
    agents = at_most("agents", number("agents", agents, lo=0.0), "agents")
    target_time = at_most("target_time", number("target_time", target_time, lo=0.0),
                          "target_time")
    concurrency = at_most("concurrency", whole("concurrency", concurrency, lo=1), "concurrency")
    factor = at_most("concurrency_factor",
                     number("concurrency_factor", concurrency_factor, lo=1.0), "aht_scale")
    share_period = number("share_period", share_period, lo=MIN_INTERVAL, hi=MAX_INTERVAL)
    return (rate, interval, handle, agents, patience, target_time, concurrency, factor,
            share_period)


def _time_scales(rate, handle, patience, agents, concurrency, factor):
    """``(relaxation, wait)`` of the cell in seconds (module docstring), or a ValueError."""
    h = handle.mean * factor
    p = math.inf if patience is None else patience.mean
    slots = agents * concurrency
    rho = rate * h / slots if slots > 0 else math.inf
    if patience is None and not rho < 1.0:
        raise ValueError(f"'agents' must carry the load when nobody abandons (patience None): "
                         f"agents x concurrency = {slots:g} slots for {rate * h:.4g} erlangs; "
                         "the queue grows without bound and has no steady state")
    relax_c = h / (slots * (1.0 - math.sqrt(rho)) ** 2) if rho < 1.0 else math.inf
    wait_c = h / (slots * (1.0 - rho)) if rho < 1.0 else math.inf
    return max(h, min(p, relax_c)), max(h, min(p, wait_c))


class _Plan:
    """Sizes of a stationary run: runs, window per run, horizon, checked against the limits."""

    def __init__(self, rate, interval, warmup, drain, sims, per_sim):
        self.rate, self.interval, self.warmup, self.drain = rate, interval, warmup, drain
        self.sims = sims            # engine runs: replications, or 1 for batch means
        self.per_sim = per_sim      # measured runs per engine run: 1, or the batches

    def horizon(self, duration):
        """Intervals of one engine run measuring ``duration`` seconds in all."""
        span = (self.warmup + duration / self.sims + self.drain) / self.interval
        return max(1, math.ceil(span)) if math.isfinite(span) else math.inf

    def problems(self, duration):
        """``[(limit key, what, value, bound)]`` exceeded by a run measuring ``duration``."""
        h = self.horizon(duration)
        per = self.rate * h * self.interval
        cells = self.sims * 2 * (h + 1 + _FIXED_CELLS)
        out = []
        for key, what, value in (
                ("sim_replication_contacts", "the expected contacts of one run", per),
                ("sim_contacts", "the expected contacts of all runs", per * self.sims),
                ("sim_cells", "runs x (queue + group) x (intervals + 1 + "
                              f"{_FIXED_CELLS})", cells)):
            if not value <= limit(key):
                out.append((key, what, value, f"{limit(key):g} {LIMITS[key].unit}"))
        return out

    def longest(self):
        """The longest measured duration within the limits (0 if the warm-up alone is too long)."""
        fixed = self.warmup + self.drain + self.interval     # seconds of a run not measured
        room = [limit("sim_replication_contacts") / self.rate - fixed,
                limit("sim_contacts") / (self.rate * self.sims) - fixed,
                (limit("sim_cells") / (2 * self.sims) - 2 - _FIXED_CELLS) * self.interval
                - fixed]
        return max(min(room) * self.sims * (1.0 - 1e-9), 0.0)


def _refuse(problems, hint):
    key, what, value, bound = problems[0]
    raise ValueError(f"{what} must be <= {bound} (limit '{key}'): {value:.4g} ({hint})")


def stationary(*, arrival_rate=None, volume=None, interval=1800.0, handle=None, agents=None,
               patience=None, target_time=20.0, concurrency=1, concurrency_factor=1.0,
               method="replications", replications=None, batches=None, warmup=None,
               duration=None, contacts=None, seed=0, level=0.95, share_period=SHARE_PERIOD):
    """Steady-state KPIs of one cell with confidence intervals.

    Parameters
    ----------
    arrival_rate : float, optional
        Contacts per second (> 0); or give ``volume``.
    volume : float, optional
        Contacts per ``interval`` (> 0), instead of ``arrival_rate``.
    interval : float
        Interval length in seconds, 1 to 86400 (default 1800): the unit of
        ``volume`` and of the ``offered`` KPI, and the interval whose
        sub-periods time-share a fractional agent (see
        :class:`~ccwfm.simulate.Group`).
    handle : Distribution or float
        Handle time, seconds: a Distribution or a mean (exponential).
    agents : float
        Agents on duty, a real number >= 0: ``n + f`` is ``n`` agents and one
        time-shared for a fraction ``f`` of every sub-period of at most
        ``share_period`` seconds.
    patience : Distribution, float or None
        Patience of a waiting contact, seconds: a Distribution (an empirical
        one from Kaplan-Meier, say), a mean (exponential), or None (or
        ``inf``) for nobody abandons -- then ``agents * concurrency`` must
        exceed the load, else there is no steady state.
    target_time : float
        Service-level threshold, seconds (default 20).
    concurrency : int
        Contacts an agent holds at once (default 1).
    concurrency_factor : float
        Handle-time stretch under concurrency, >= 1 (default 1).
    method : {"replications", "batch_means"}
        Independent runs, each with its warm-up deleted (default), or one
        long run cut into batches after one warm-up.
    replications : int, optional
        Runs of ``method="replications"``, >= 2 (default 20).
    batches : int, optional
        Batches of ``method="batch_means"``, >= 2 (default 20).
    warmup : float, optional
        Seconds deleted at the start of each run, >= 0 (default: 10
        relaxation times of the cell; module docstring).
    duration : float, optional
        Seconds measured over all runs (> 0); or give ``contacts``.
    contacts : float, optional
        Expected contacts measured over all runs (> 0): ``duration =
        contacts / arrival_rate``.  Default: 100,000, or as many as the
        limits allow.
    seed : int, numpy.random.SeedSequence, numpy.random.Generator or None
        As for :func:`~ccwfm.simulate.simulate`: the same seed gives the
        same result; two cells with the same seed, arrival rate, handle,
        patience, warm-up and duration see the same contacts (common random
        numbers).
    level : float
        Confidence level of the intervals, in (0, 1) (default 0.95).
    share_period : float
        Longest sub-period of the time-sharing of a fractional agent,
        seconds (default 300).

    Returns
    -------
    StationaryResult
        For each KPI an :class:`Estimate` (mean, half-width, low, high), the
        contacts counted, and the KPIs per run.

    Raises
    ------
    ValueError
        For a bad argument (naming it); without patience, for agents that
        do not carry the load; for a run beyond :mod:`ccwfm._limits`
        ('sim_replication_contacts' per run, 'sim_contacts' in all,
        'sim_cells' for the intervals), before any work starts.  The
        default run is shortened to fit; if the warm-up alone does not fit,
        give a shorter ``warmup``.

    Examples
    --------
    >>> from ccwfm.simulate import Distribution
    >>> res = stationary(volume=100, handle=Distribution.lognormal(180, 0.9), agents=10.3,
    ...                  patience=120, method="batch_means", seed=3)
    >>> res.runs, res.contacts > 90_000, round(res.agents.mean, 2)
    (20, True, 10.32)
    >>> list(res.table.columns)
    ['metric', 'mean', 'half_width', 'low', 'high']
    """
    (rate, interval, handle, agents, patience, target_time, concurrency, factor,
     share_period) = _inputs(arrival_rate, volume, interval, handle, agents, patience,
                             target_time, concurrency, concurrency_factor, share_period)
    choice("method", text("method", method), METHODS)
    if method == "replications":
        if batches is not None:
            raise error("batches", "is for method 'batch_means' (give 'replications')", batches)
        runs = DEFAULT_RUNS if replications is None else count("replications", replications, 2)
        runs = at_most("replications", runs, "replications")
        sims, per_sim = runs, 1
    else:
        if replications is not None:
            raise error("replications", "is for method 'replications' (give 'batches')",
                        replications)
        runs = DEFAULT_RUNS if batches is None else count("batches", batches, 2)
        runs = at_most("batches", runs, "replications")
        sims, per_sim = 1, runs
    level = share("level", level, lo_open=True, hi_open=True)
    seed = _seed(seed)
    relax, wait = _time_scales(rate, handle, patience, agents, concurrency, factor)
    if warmup is None:
        warmup = WARMUP_RELAXATIONS * relax
    else:
        warmup = number("warmup", warmup, lo=0.0)
    drain = DRAIN_WAITS * wait
    plan = _Plan(rate, interval, warmup, drain, sims, per_sim)
    if duration is not None and contacts is not None:
        raise ValueError("give one of 'duration' (seconds) or 'contacts' (expected contacts), "
                         f"not both: duration={duration!r}, contacts={contacts!r}")
    if duration is not None:
        duration = number("duration", duration, lo=0.0, lo_open=True)
    elif contacts is not None:
        duration = number("contacts", contacts, lo=0.0, lo_open=True) / rate
    else:
        duration = min(DEFAULT_CONTACTS / rate, plan.longest())
        if not duration > 0.0:
            _refuse(plan.problems(0.0), f"a warm-up of {warmup:.4g} s and a drain of "
                    f"{drain:.4g} s per run at {rate:.4g} contacts/s: give a shorter 'warmup' "
                    "or fewer 'replications'")
    problems = plan.problems(duration)
    if problems:
        _refuse(problems, f"{duration:.4g} s measured in {sims} run(s) with a warm-up of "
                f"{warmup:.4g} s and a drain of {drain:.4g} s each at {rate:.4g} contacts/s: "
                "a shorter 'duration', fewer 'contacts', 'replications' or a shorter 'warmup'")

    horizon = plan.horizon(duration)
    center = Center.single_queue([rate * interval] * horizon, aht=None, handle=handle,
                                 agents=agents, patience=patience, interval=interval,
                                 target_time=target_time, concurrency=concurrency,
                                 concurrency_factor=factor, share_period=share_period)
    window = duration / sims
    keys = _rng.replication_keys(seed, sims)
    parts, unresolved = [], 0
    for key in keys:
        sums, left = _run_sums(center, int(key), warmup, window, per_sim)
        parts.append(sums)
        unresolved += left
    sums = np.concatenate(parts, axis=0)
    tq = float(_st.t.ppf(0.5 + level / 2.0, runs - 1))
    estimates, per_run = {}, {}
    for name in KPIS:
        num, den = _RATIO[name]
        y, x = sums[:, _S[num]], sums[:, _S[den]]
        estimates[name] = _ratio_estimate(y, x, tq)
        with np.errstate(invalid="ignore", divide="ignore"):
            per_run[name] = np.where(x > 0, y / np.where(x > 0, x, 1.0), np.nan)
    per_run = pd.DataFrame({"run": np.arange(runs), "contacts": sums[:, _S["offered"]]
                            .astype(np.int64), **per_run})
    return StationaryResult(method, level, runs, float(warmup), float(duration),
                            int(sums[:, _S["offered"]].sum()), int(unresolved),
                            per_run=per_run, **estimates)


def _ratio_estimate(y, x, tq):
    """Ratio of totals ``sum y / sum x`` and its t half-width (delta method)."""
    total = x.sum()
    if not total > 0:
        return Estimate.of(math.nan, math.nan)
    r = y.sum() / total
    n = y.shape[0]
    z = y - r * x
    sd = math.sqrt(max(float(((z - z.mean()) ** 2).sum()) / (n - 1), 0.0))
    return Estimate.of(r, tq * sd / (total / n * math.sqrt(n)))


def _run_sums(center, key, warmup, window, batches):
    """Totals of :data:`_SUMS` per batch of one engine run, and its unresolved contacts.

    The measured window is ``[warmup, warmup + window)``, cut into
    ``batches`` equal batches: a contact counts in the batch of its arrival;
    busy and on-duty slot time in the batch they fall in.
    """
    records, overtime, _ = run_fast(center, key)
    group = center.groups[0]
    length = window / batches
    out = np.zeros((batches, len(_SUMS)))
    arrival = records["arrival"]
    outcome = records["outcome"]
    inside = (arrival >= warmup) & (arrival < warmup + window)
    b = np.minimum(((arrival[inside] - warmup) / length).astype(np.int64), batches - 1)
    o = outcome[inside]
    enter, start, leave = records["enter"][inside], records["start"][inside], \
        records["leave"][inside]
    answered = o == ANSWERED
    abandoned = o == ABANDONED
    resolved = answered | abandoned
    wait = np.where(answered, start - enter, np.where(abandoned, leave - enter, 0.0))

    def add(name, mask, weights=None):
        out[:, _S[name]] = np.bincount(b[mask], weights=None if weights is None
                                       else weights[mask], minlength=batches)

    add("offered", np.ones(b.shape[0], bool))
    add("answered", answered)
    add("abandoned", abandoned)
    add("resolved", resolved)
    add("within", answered & (wait <= center.queues[0].target_time))
    add("waited", resolved & (wait > 0.0))
    add("wait_answered", answered, wait)
    add("wait_resolved", resolved, wait)
    # Slot time: busy from every answered contact (those arriving during the
    # warm-up too), on duty from the schedule and the overtime.
    served = outcome == ANSWERED
    busy = np.zeros((1, batches))
    _spread(records["start"][served] - warmup, records["leave"][served] - warmup,
            np.zeros(int(served.sum()), np.int64), 1, length, batches, busy)
    extra = np.zeros((1, batches))
    _spread(overtime["start"] - warmup, overtime["end"] - warmup,
            np.zeros(overtime["start"].shape[0], np.int64), 1, length, batches, extra)
    times, deltas = group.duty_changes(center.interval, center.horizon)
    edges = warmup + length * np.arange(batches + 1)
    scheduled = np.diff(_level_integral(times, deltas, center.end, edges))
    k = group.concurrency
    out[:, _S["busy"]] = busy[0]
    out[:, _S["duty"]] = scheduled * k + extra[0]
    out[:, _S["duty_agents"]] = (scheduled * k + extra[0]) / (k * center.interval)
    out[:, _S["intervals"]] = length / center.interval
    return out, int((~resolved).sum())


def _level_integral(times, deltas, end, at):
    """The integral from 0 to each of ``at`` of the agents on duty (agent-seconds).

    The level is 0 before ``times[0]``, changes by ``deltas`` at ``times``
    and holds until ``end``; the integral is piecewise linear between the
    change times, so interpolation is exact.
    """
    knots = np.concatenate([[0.0], times, [end]])
    levels = np.concatenate([[0], np.cumsum(deltas)]).astype(float)
    cum = np.concatenate([[0.0], np.cumsum(levels * np.diff(knots))])
    return np.interp(at, knots, cum)
