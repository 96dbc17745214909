"""Run replications of a center and summarise them with confidence intervals."""

import sys
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _st

from ccwfm._limits import at_most, limit
from ccwfm._validation import boolean, choice, count, error, known_name, share, text, whole

from . import _rng
from ._common import first_attempts, t_quantiles
from ._engine_fast import _multi_params, fast_inputs, run_fast, run_fast_multi
from .controls import CONTROLS, first_attempt_controls
from ._fast import OUTCOMES
from .model import Center
from .stats import GROUP_METRICS, QUEUE_METRICS, duty_agents, replication_stats

# The day factor of an overdispersed queue is at most its 1 - 1e-6 quantile
# when the memory of one replication is bounded (see _check_work).
_DAY_FACTOR_QUANTILE = 1e-6
# Fixed work per queue or group and replication (kernel call, statistics),
# counted as this many cells of per-interval statistics (about 0.15 ms).
_FIXED_CELLS = 100

ENGINES = ("auto", "fast", "simpy")


def _engine(center, engine):
    """``(name, run)`` of the engine: "fast" (Numba) for "auto" and "fast", else "simpy".

    The fast path runs every center: a single-skill one on the per-queue
    kernel (:func:`simulate._engine_fast.run_fast`, the fastest), any other
    on the multi-skill kernel (:func:`simulate._engine_fast.run_fast_multi`);
    both give the SimPy engine's records.
    """
    choice("engine", text("engine", engine), ENGINES)
    if engine == "simpy":
        from ._engine_simpy import run_simpy
        return "simpy", run_simpy
    if center.is_single_skill():
        return "fast", run_fast
    return "fast", run_fast_multi


def _prepared(center, run):
    """``run`` with the center's inputs that do not depend on the replication built
    once (the fast kernels'; the SimPy engine builds its model per replication)."""
    if run is run_fast:
        inputs = fast_inputs(center)
        return lambda c, key, firsts=None: run_fast(c, key, firsts=firsts, inputs=inputs)
    if run is run_fast_multi:
        params = _multi_params(center)
        return lambda c, key, firsts=None: run_fast_multi(c, key, params=params, firsts=firsts)
    return run


def _seed(seed):
    """``seed`` checked, as :func:`simulate` takes it (ValueError naming 'seed' otherwise)."""
    if seed is None or isinstance(seed, (np.random.SeedSequence, np.random.Generator)):
        return seed
    if isinstance(seed, (list, tuple)):
        # Entropy words, as numpy.random.SeedSequence takes them.
        if not 1 <= len(seed) <= 64:
            raise error("seed", "must list 1 to 64 whole numbers", seed)
        return [_seed_word(f"seed[{i}]", s, "must be a whole number >= 0")
                for i, s in enumerate(seed)]
    return _seed_word("seed", seed, "must be a whole number >= 0, a numpy SeedSequence or a "
                                    "numpy Generator")


def _seed_word(path, value, rule):
    """A whole number >= 0 (booleans and strings refused); an int keeps every digit."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise error(path, rule, value)
    if isinstance(value, (int, np.integer)):
        # Compared as an int, not a float: a seed of any size (a SeedSequence's
        # entropy is 128 bits) is kept exact.
        if value < 0:
            raise error(path, "must be >= 0", value)
        return int(value)
    return whole(path, value, lo=0)


def expected_contacts(center):
    """Upper bound of the expected contact attempts of one replication of ``center``.

    The queues' volumes (the day factor has mean 1) times each queue's bound
    on attempts per contact (:meth:`simulate.model.Queue.attempts_factor`).
    """
    return float(sum(sum(q.volume) * q.attempts_factor() for q in center.queues))


def _day_factor_peak(center):
    """The largest day factor of the center's queues that a replication meets (a quantile)."""
    cv = max(q.overdispersion for q in center.queues)
    if cv == 0.0:
        return 1.0
    shape = 1.0 / cv ** 2
    return float(_st.gamma.isf(_DAY_FACTOR_QUANTILE, shape, scale=1.0 / shape))


def _refuse(what, value, key, detail):
    lim = limit(key)
    if not value <= lim:
        raise ValueError(f"{what} must be <= {lim:g} contacts (limit '{key}'): {value:.4g} "
                         f"({detail})")


def _check_work(center, replications, engine, records):
    """Refuse a run beyond :mod:`ccwfm._limits` before any work starts.

    The expected contacts of the run (volume x retrial bound x replications)
    bound its time; those of one replication (with the day factor at its
    1 - 1e-6 quantile) the fast path's memory; the SimPy engine and kept
    records cost more per contact and have their own bounds; the statistics
    take ``replications x (queues + groups) x (intervals + 1)`` cells, and
    each queue and group costs :data:`_FIXED_CELLS` more per replication.
    """
    per_rep = expected_contacts(center)
    total = per_rep * replications
    detail = (f"{per_rep:.4g} expected contacts per replication x {replications} "
              "replications: fewer replications, a shorter horizon or less volume")
    _refuse("'replications' x the center's expected contacts", total, "sim_contacts", detail)
    if engine == "simpy":
        _refuse("'replications' x the center's expected contacts on the SimPy engine", total,
                "sim_simpy_contacts", detail)
    if records:
        _refuse("'replications' x the center's expected contacts with 'records'", total,
                "sim_records", detail)
    peak = per_rep * _day_factor_peak(center)
    _refuse("'center': the contacts of one replication", peak, "sim_replication_contacts",
            f"{per_rep:.4g} expected, {peak:.4g} on a busy day of its overdispersion: a "
            "shorter horizon or less volume")
    units = len(center.queues) + len(center.groups)
    cells = replications * units * (center.horizon + 1 + _FIXED_CELLS)
    if cells > limit("sim_cells"):
        raise ValueError(f"'replications' x (queues + groups) x (intervals + 1 + "
                         f"{_FIXED_CELLS}) must be <= {limit('sim_cells'):g} cells (limit "
                         f"'sim_cells'): {cells} ({replications} x {units} x "
                         f"{center.horizon + 1 + _FIXED_CELLS})")


def max_replications(center, *, engine="auto", records=False):
    """The most replications of ``center`` that :func:`simulate` accepts.

    What the limits on simulated contacts, kept records and statistics cells
    (README "Limits") leave for this center, at most the 'replications'
    limit; 0 when even one replication is refused (its contacts alone exceed
    'sim_replication_contacts').  A caller sizing a run to a budget (the
    plan's confirmation on fresh random numbers) asks here first instead of
    meeting the refusal.

    Examples
    --------
    >>> from ccwfm.simulate import Center, max_replications
    >>> max_replications(Center.single_queue([100.0] * 16, aht=180, agents=14))
    10000
    """
    if not isinstance(center, Center):
        raise ValueError(f"'center' must be a simulate.Center: {type(center).__name__}")
    name, _ = _engine(center, engine)
    records = boolean("records", records)
    per_rep = max(expected_contacts(center), 1e-300)
    if per_rep * _day_factor_peak(center) > limit("sim_replication_contacts"):
        return 0
    most = [limit("replications"), limit("sim_contacts") / per_rep]
    if name == "simpy":
        most.append(limit("sim_simpy_contacts") / per_rep)
    if records:
        most.append(limit("sim_records") / per_rep)
    units = len(center.queues) + len(center.groups)
    most.append(limit("sim_cells") / (units * (center.horizon + 1 + _FIXED_CELLS)))
    return int(max(min(most), 0))


def simulate(center, *, replications=10, seed=0, engine="auto", records=False, level=0.95,
             progress=None):
    """Simulate ``replications`` independent runs of ``center``.

    Parameters
    ----------
    center : Center
        Queues, bot, agent groups and horizon.
    replications : int
        Independent runs (>= 1); confidence intervals need >= 2.
    seed : int, numpy.random.SeedSequence, numpy.random.Generator or None
        A whole number >= 0 (or a list of them, as entropy), a SeedSequence
        or a Generator (one draw is taken from it); ``None`` draws fresh
        entropy from the operating system, so that runs differ.  The same
        seed gives the same numbers.  Two centers run with the same seed see
        the same contacts (common random numbers): same arrivals, handle
        times, patience and bot outcomes, as long as their queues are the
        same, so their difference measures the change, not the noise.
    engine : {"auto", "fast", "simpy"}
        "auto" and "fast" take the Numba fast path for every center: the
        per-queue kernel when every queue has its own group (no overflow),
        else the multi-skill kernel (all queues and groups in one event
        loop); "simpy" the SimPy model.  All give the same records from the
        same seed (the SimPy model is the readable reference, and slower by
        two orders of magnitude).
    records : bool
        Keep every contact attempt (:attr:`SimulationResult.records`).
    level : float
        Confidence level of the intervals, in (0, 1) (default 95%).
    progress : bool, optional
        Print a progress line on stderr; by default only for runs expected to
        take more than a few seconds.

    Returns
    -------
    SimulationResult

    Raises
    ------
    ValueError
        For a bad argument (naming it), or a run beyond :mod:`ccwfm._limits`,
        refused before any work starts: ``replications`` <= 10,000; the
        expected contacts (volume x the retrial bound x replications) <= 50
        million ('sim_contacts'; 2 million on the SimPy engine,
        'sim_simpy_contacts'; 4 million with ``records``, 'sim_records');
        those of one replication <= 8 million ('sim_replication_contacts');
        ``replications x (queues + groups) x (intervals + 101)`` <= 1 million
        ('sim_cells': per-interval statistics, and a fixed cost per queue, group
        and replication).

    Examples
    --------
    >>> c = Center.single_queue([100.0] * 16, aht=180, agents=14, patience=120)
    >>> res = simulate(c, replications=4, seed=1)
    >>> sorted(res.summary.columns)
    ['half_width', 'high', 'low', 'mean', 'metric', 'queue']
    """
    if not isinstance(center, Center):
        raise ValueError(f"'center' must be a simulate.Center: {type(center).__name__}")
    replications = at_most("replications", count("replications", replications, 1),
                           "replications")
    level = share("level", level, lo_open=True, hi_open=True)
    seed = _seed(seed)
    records = boolean("records", records)
    if progress is not None:
        progress = boolean("progress", progress)
    name, run = _engine(center, engine)
    _check_work(center, replications, name, records)
    run = _prepared(center, run)
    keys = _rng.replication_keys(seed, replications)
    expected = expected_contacts(center) * replications
    show = progress if progress is not None else expected > (2e6 if name == "fast" else 5e4)
    agents = duty_agents(center)
    # Each replication writes its statistics into its slice of the run's arrays.
    q_stats = np.empty((replications, len(center.queues), center.horizon + 1,
                        len(QUEUE_METRICS)))
    g_stats = np.empty((replications, len(center.groups), center.horizon + 1,
                        len(GROUP_METRICS)))
    controls = np.empty((replications, len(center.queues), center.horizon, len(CONTROLS)))
    recs = []
    started = time.monotonic()
    for r, key in enumerate(keys):
        firsts = [first_attempts(center, q, int(key)) for q in range(len(center.queues))]
        first_attempt_controls(center, firsts, out=controls[r])
        rec, overtime, max_queue = run(center, int(key), firsts=firsts)
        del firsts
        replication_stats(center, rec, overtime, max_queue, agents,
                          out=(q_stats[r], g_stats[r]))
        if records:
            recs.append((r, rec))
        if show:
            _progress(r + 1, len(keys), started)
    if show:
        print(file=sys.stderr)
    table = _records_frame(center, recs) if records else None
    return SimulationResult(center, name, level, q_stats, g_stats, table, controls)


def _progress(done, total, started):
    width = 30
    filled = int(width * done / total)
    elapsed = time.monotonic() - started
    eta = elapsed / done * (total - done)
    print(f"\rsimulating [{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
          f"replications, {elapsed:.0f} s elapsed, ~{eta:.0f} s left", end="", file=sys.stderr,
          flush=True)


def _records_frame(center, recs):
    qnames = np.array([q.name for q in center.queues], dtype=object)
    gnames = np.array([g.name for g in center.groups] + [""], dtype=object)
    frames = []
    for r, rec in recs:
        wait = np.where(rec["outcome"] == 0, rec["start"] - rec["enter"], np.nan)
        frames.append(pd.DataFrame({
            "replication": r,
            "queue": qnames[rec["queue"]],
            "contact": rec["contact"],
            "attempt": rec["attempt"],
            "arrival": rec["arrival"],
            "outcome": pd.Categorical.from_codes(rec["outcome"], categories=OUTCOMES),
            "enter": rec["enter"],
            "start": rec["start"],
            "leave": rec["leave"],
            "wait": wait,
            "group": gnames[rec["group"]],
        }))
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["replication", "queue", "arrival"], kind="stable",
                           ignore_index=True)


@dataclass(frozen=True)
class SimulationResult:
    """Replicated simulation output.

    Attributes
    ----------
    center : Center
        What was simulated.
    engine : str
        "fast" or "simpy".
    level : float
        Confidence level of the intervals.
    queue_stats : ndarray
        ``[replication, queue, interval (+1 for the horizon), metric]`` with
        metrics :data:`simulate.stats.QUEUE_METRICS`.
    group_stats : ndarray
        ``[replication, group, interval (+1), metric]`` with
        :data:`simulate.stats.GROUP_METRICS`.
    records : pandas.DataFrame or None
        Every contact attempt when asked for.
    controls : ndarray or None
        ``[replication, queue, interval, control]``: the replications' draws
        with known mean (:data:`simulate.controls.CONTROLS`, each with
        expectation zero; :func:`simulate.controls.first_attempt_controls`),
        for control-variate estimates
        (:func:`simulate.controls.control_estimate`).
    """

    center: Center
    engine: str
    level: float
    queue_stats: np.ndarray
    group_stats: np.ndarray
    records: pd.DataFrame | None = None
    controls: np.ndarray | None = None

    @property
    def replications(self):
        """Number of replications."""
        return self.queue_stats.shape[0]

    def _ci(self, values):
        """Mean, half-width over replications (axis 0), ignoring replications with NaN."""
        n = np.sum(~np.isnan(values), axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(values, axis=0) / n
            dev = np.where(np.isnan(values), 0.0, values - mean)
            sd = np.sqrt((dev ** 2).sum(axis=0) / (n - 1))
            tq = t_quantiles(self.level, np.maximum(n - 1, 1))
            half = np.where(n >= 2, tq * sd / np.sqrt(n), np.inf)
        mean = np.where(n > 0, mean, np.nan)
        half = np.where(n > 0, half, np.nan)
        return mean, half

    def _long(self, data, names, labels, label_name, per_interval):
        mean, half = self._ci(data)
        horizon = self.center.horizon
        cells = np.arange(horizon) if per_interval else np.array([horizon])
        n_l, n_c, n_m = len(labels), cells.size, len(names)
        df = pd.DataFrame({
            label_name: np.repeat(np.array(labels, dtype=object), n_c * n_m),
            "interval": np.tile(np.repeat(cells, n_m), n_l),
            "metric": np.tile(np.array(names, dtype=object), n_l * n_c),
            "mean": mean[:, cells, :].reshape(-1),
            "half_width": half[:, cells, :].reshape(-1)})
        df["low"] = df["mean"] - df["half_width"]
        df["high"] = df["mean"] + df["half_width"]
        if per_interval:
            df.insert(2, "start", df["interval"] * self.center.interval)
        else:
            df = df.drop(columns="interval")
        return df

    @property
    def intervals(self):
        """Mean over replications per queue and interval: one column per metric."""
        mean, _ = self._ci(self.queue_stats)
        return self._wide(mean, QUEUE_METRICS, [q.name for q in self.center.queues], "queue")

    @property
    def groups(self):
        """Mean over replications per agent group and interval."""
        mean, _ = self._ci(self.group_stats)
        return self._wide(mean, GROUP_METRICS, [g.name for g in self.center.groups], "group")

    def _wide(self, mean, names, labels, label_name):
        horizon = self.center.horizon
        frames = []
        for k, label in enumerate(labels):
            df = pd.DataFrame(mean[k, :horizon, :], columns=list(names))
            df.insert(0, label_name, label)
            df.insert(1, "interval", np.arange(horizon))
            df.insert(2, "start", np.arange(horizon) * self.center.interval)
            frames.append(df)
        return pd.concat(frames, ignore_index=True)

    @property
    def intervals_ci(self):
        """Long format per queue, interval and metric: mean, half-width, low, high."""
        return self._long(self.queue_stats, QUEUE_METRICS,
                          [q.name for q in self.center.queues], "queue", True)

    @property
    def summary(self):
        """Horizon totals per queue and metric with their confidence intervals."""
        return self._long(self.queue_stats, QUEUE_METRICS,
                          [q.name for q in self.center.queues], "queue", False)

    @property
    def groups_summary(self):
        """Horizon totals per group and metric with their confidence intervals."""
        return self._long(self.group_stats, GROUP_METRICS,
                          [g.name for g in self.center.groups], "group", False)

    def metric(self, name, queue=None):
        """``(mean, half_width)`` of a horizon metric of ``queue`` (the first by default)."""
        choice("name", name, QUEUE_METRICS)
        if queue is not None:
            known_name("queue", queue, [q.name for q in self.center.queues], "queue")
        qi = 0 if queue is None else self.center.queue_index(queue)
        mean, half = self._ci(self.queue_stats[:, qi:qi + 1, -1:, :])
        m = QUEUE_METRICS.index(name)
        return float(mean[0, 0, m]), float(half[0, 0, m])
