"""Run replications of a center and summarise them with confidence intervals."""

import sys
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _st

from ccwfm._validation import choice, error, known_name, share, whole

from . import _rng
from ._engine_fast import run_fast
from ._fast import OUTCOMES
from .model import Center
from .stats import GROUP_METRICS, QUEUE_METRICS, replication_stats

ENGINES = ("auto", "fast", "simpy")


def _engine(center, engine):
    choice("engine", engine, ENGINES)
    single = center.is_single_skill()
    if engine == "fast" and not single:
        raise ValueError("'engine' 'fast' needs a single-skill center (each queue served by "
                         "its own group, no overflow); use 'simpy' or 'auto'")
    if engine == "fast" or (engine == "auto" and single):
        return "fast", run_fast
    from ._engine_simpy import run_simpy
    return "simpy", run_simpy


def _seed(seed):
    """``seed`` checked, as :func:`simulate` takes it (ValueError naming 'seed' otherwise)."""
    if seed is None or isinstance(seed, (np.random.SeedSequence, np.random.Generator)):
        return seed
    if isinstance(seed, (list, tuple)):
        # Entropy words, as numpy.random.SeedSequence takes them.
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
        "auto" takes the Numba fast path when every queue has its own group
        (no overflow), else the SimPy model; both give the same records on
        single-skill centers.
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

    Examples
    --------
    >>> c = Center.single_queue([100.0] * 16, aht=180, agents=14, patience=120)
    >>> res = simulate(c, replications=4, seed=1)
    >>> sorted(res.summary.columns)
    ['half_width', 'high', 'low', 'mean', 'metric', 'queue']
    """
    if not isinstance(center, Center):
        raise ValueError(f"'center' must be a simulate.Center: {type(center).__name__}")
    if isinstance(replications, bool) or not isinstance(replications, (int, np.integer)) \
            or replications < 1:
        raise error("replications", "must be a whole number >= 1", replications)
    level = share("level", level, lo_open=True, hi_open=True)
    seed = _seed(seed)
    name, run = _engine(center, engine)
    keys = _rng.replication_keys(seed, int(replications))
    expected = sum(sum(q.volume) for q in center.queues) * replications
    show = progress if progress is not None else expected > (2e6 if name == "fast" else 5e4)
    q_stats, g_stats, recs = [], [], []
    started = time.monotonic()
    for r, key in enumerate(keys):
        rec, overtime, max_queue = run(center, int(key))
        qs, gs = replication_stats(center, rec, overtime, max_queue)
        q_stats.append(qs)
        g_stats.append(gs)
        if records:
            recs.append((r, rec))
        if show:
            _progress(r + 1, len(keys), started)
    if show:
        print(file=sys.stderr)
    table = _records_frame(center, recs) if records else None
    return SimulationResult(center, name, level, np.stack(q_stats), np.stack(g_stats),
                            table)


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
    """

    center: Center
    engine: str
    level: float
    queue_stats: np.ndarray
    group_stats: np.ndarray
    records: pd.DataFrame | None = None

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
            tq = _st.t.ppf(0.5 + self.level / 2.0, np.maximum(n - 1, 1))
            half = np.where(n >= 2, tq * sd / np.sqrt(n), np.inf)
        mean = np.where(n > 0, mean, np.nan)
        half = np.where(n > 0, half, np.nan)
        return mean, half

    def _long(self, data, names, labels, label_name, per_interval):
        mean, half = self._ci(data)
        horizon = self.center.horizon
        rows = []
        for k, label in enumerate(labels):
            cells = range(horizon) if per_interval else [horizon]
            for i in cells:
                for m, metric in enumerate(names):
                    rows.append((label, i, metric, mean[k, i, m], half[k, i, m]))
        df = pd.DataFrame(rows, columns=[label_name, "interval", "metric", "mean",
                                         "half_width"])
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
