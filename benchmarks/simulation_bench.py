"""Speed and accuracy benchmark of the contact-center simulator on an M/M/n+M queue.

Measures, on one core, how many arriving contacts per second the Numba fast
path of :mod:`simulate` handles, against the repository's SimPy model, an
idiomatic plain-SimPy model written here and Ciw (with reneging), all on the
same case in the same run, and checks every engine's abandonment rate and
ASA against the exact Erlang A values of :func:`erlang.metrics`.

The case
--------
One queue, stationary: 1,200 contacts per 30-minute interval (Poisson,
2/3 per second), exponential handle time with mean AHT 180 s (load 120
Erlangs), 125 agents, exponential patience with mean 180 s.  125 agents put
the queue at a realistic planning point (occupancy 94 %, Erlang A
abandonment 1.95 %, ASA 3.4 s, 93.6 % answered within 20 s): busy enough
that queueing and abandonment matter, yet with so few abandoning that the
rate is a demanding statistic (abandonments come in bursts: about 100,000
contacts measure it to +-20 %, four million to +-3 %, at 95 %).  Patience
equal to the AHT has a further use: every contact then leaves the system at
rate 1/180 s whether waiting or served, so the number in system is exactly
Poisson(120) (an M/M/inf queue).  This gives an independent closed form of
the Erlang A abandonment rate, ``E[(N - 125)+] / 120`` (reported as
``erlang_a.abandon_rate_poisson_check``), and shows that a system started
empty is within ``exp(-10)`` of its stationary law after one interval
(1,800 s = 10 mean times).

What is measured
----------------
A contact is an arriving contact (first attempt; there are no retrials),
whatever its fate; contacts per second = arrivals in the simulated horizon
/ wall time.  Each timed run is repeated (``--repeat``, default 5) on the
same seed; the median and the minimum time are reported (``*_contacts_per_s``
from the median, ``*_contacts_per_s_best`` from the minimum).  The garbage
collector is off while timing, and garbage is collected (untimed) before
each repetition.  Before any timing a tiny run of every engine is made, so
Numba's compilation (or cache loading) and first imports are not timed.

1. **Fast path, engine only** (``fast_contacts_per_s``):
   :func:`simulate._engine_fast.run_fast` on one replication of
   ``--fast-contacts`` (default 4,000,000) contacts, i.e. 3,334 intervals.
   Included: the bulk numpy draws of arrivals, handle times and patience,
   the Numba kernel and the record arrays.  The share of the time spent in
   the bulk draws alone (:func:`simulate._common.first_attempts`) is given
   as ``fast_draw_share``.
2. **Fast path, full pipeline** (``fast_pipeline_contacts_per_s``):
   ``simulate(center, replications=10, engine="fast")`` on the same number
   of contacts split into 10 replications (key derivation, the engine,
   per-interval and horizon statistics of every replication, the result
   object; its confidence intervals are computed on demand, untimed).
3. **SimPy model of the repository** (``simpy_model_contacts_per_s``):
   :func:`simulate._engine_simpy.run_simpy` (the engine, as 1) on
   ``--simpy-contacts`` (default 96,000).  Its records are also compared
   with those of ``run_fast`` on the same center and key, which they should
   equal (``simpy_model_records_identical_to_fast``).  If the module is
   missing or fails, this part is ``null`` with a note.
4. **Plain SimPy** (``plain_simpy_contacts_per_s``): the textbook model
   written below: a ``simpy.Resource`` of capacity 125, a source process,
   and one process per customer that yields ``request | env.timeout(
   patience)`` and then holds the agent for its handle time; abandonment
   and waits recorded in lists.  Its random numbers come from a
   :class:`numpy.random.Generator`, drawn in bulk before the run (cheaper
   than per-customer calls, so the comparison favours SimPy).
   ``--plain-contacts`` (default 48,000).
5. **Ciw** (``ciw_contacts_per_s``): ``ciw.create_network`` with
   ``Exponential`` arrivals, service and ``reneging_time_distributions``,
   125 servers, ``simulate_until_max_time``; timed from network creation to
   the end of the run.  Outcomes are read afterwards (untimed) from the
   records (``service``, ``renege``) and from the individuals still in the
   node (in service = answered).  ``--ciw-contacts`` (default 36,000).  If
   Ciw cannot be imported its keys are ``null`` with a note (install with
   ``pip install -e '.[bench]'``).

Agreement with Erlang A
-----------------------
Abandonment rate = abandoned / (answered + abandoned); ASA = mean wait of
answered contacts, as in :mod:`erlang` and :mod:`simulate.stats`.  Each
engine starts empty, so contacts arriving in the first interval (1,800 s)
are discarded as warm-up; contacts arriving in the last 300 s are dropped
too, so that those still waiting at the end (excluded, being unresolved)
cannot bias the rest.  The point estimate is the ratio of totals over the
contacts kept.

Its 95 % confidence interval comes from **batch means** for the single
long runs (1, 3, 4, 5): the kept window is cut into ``B`` equal batches of
arrival time (``B = min(30, window / 900 s)``, at least 2; a batch of
900 s or more spans at least 5 mean handle and patience times, over which
the state forgets itself: for this case the number in system has
autocorrelation ``exp(-t / 180 s)``).  For a ratio ``R = sum X_b / sum Y_b``
the half-width is ``t(0.975, B - 1) * sqrt(sum (X_b - R Y_b)^2 /
(B (B - 1))) / mean(Y_b)`` (the delta method on batch totals).  For the
pipeline (2) the same formula runs over the **replications** (independent,
so ``B`` = 10), on the per-interval counts of ``SimulationResult.
queue_stats`` without interval 0.  Each engine's ``abandon_rate`` and
``asa`` in the JSON give ``value``, ``half_width``, ``exact``, ``rel_diff``
= ``(value - exact) / exact``, ``z`` (the difference in standard errors)
and ``in_ci`` (the exact value lies inside the interval).  With ten checks
per run, one outside its 95 % interval now and then is expected; a
``|z|`` above 4 is not.  The SimPy model reproduces the fast path's
records, so the two agree exactly when ``simpy_model_records_identical_to_fast``.

Goals checked: ``fast_contacts_per_s >= 8e6`` (``goal_fast_8m_per_s_met``);
fast engine >= 200x plain SimPy (``speedup_vs_plain_simpy``,
``goal_speedup_200x_plain_simpy_met``) and >= 500x Ciw
(``speedup_vs_ciw``, ``goal_speedup_500x_ciw_met``), each ratio of the
medians measured in the same run; also ``speedup_vs_simpy_model``.  Goals
are judged on the medians; the script exits with status 0 whether or not
they are met.

Threads are pinned before numpy, Numba or :mod:`simulate` is imported
(``NUMBA_NUM_THREADS``, ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``,
``OPENBLAS_NUM_THREADS`` = 1), so the times are single-core times.

Notes
-----
Run with ccwfm installed (``make bench`` installs it)::

    .venv/bin/python benchmarks/simulation_bench.py            # readable report
    .venv/bin/python benchmarks/simulation_bench.py --json     # JSON only
    .venv/bin/python benchmarks/simulation_bench.py --quick    # smoke run, seconds

The default run takes about 40 s on a 2020s server core (under three
minutes).  Options:
``--seed S`` (default 20240601), ``--repeat R`` (default 5; 2 with
``--quick``), ``--quick`` (small sizes), ``--fast-contacts N``,
``--pipeline-replications N``, ``--simpy-contacts N``,
``--plain-contacts N``, ``--ciw-contacts N`` (contacts are rounded up to
whole intervals of 1,200), ``--json``.  With ``--json`` only the JSON
summary is written to stdout (progress goes to stderr); its keys include
``fast_contacts_per_s``, ``fast_pipeline_contacts_per_s``,
``simpy_model_contacts_per_s``, ``plain_simpy_contacts_per_s``,
``ciw_contacts_per_s``, the speedups, ``erlang_a`` (the exact values),
``engines`` (per engine: contacts, times, abandonment rate and ASA with
half-width, relative difference, z and in-CI flag) and the ``goal_*``
booleans.

Timings depend on the machine and its load; the minimum over repetitions
is the better estimate of what the code can do, the median of what a run
typically sees.
"""

import os

for _var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
             "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

_ROOT = Path(__file__).resolve().parents[1]

import numpy as np  # noqa: E402
from scipy import stats as _st  # noqa: E402

from ccwfm import erlang  # noqa: E402
from ccwfm import simulate  # noqa: E402
from ccwfm.simulate import _rng  # noqa: E402
from ccwfm.simulate._engine_fast import run_fast  # noqa: E402

# ------------------------------------------------------------------ the case

INTERVAL = 1800.0          # seconds per interval
VOLUME = 1200.0            # contacts per interval (2/3 per second)
AHT = 180.0                # mean handle time, s (load 120 Erlangs)
AGENTS = 125
PATIENCE = 180.0           # mean patience, s
TARGET_TIME = 20.0
ARRIVAL_RATE = VOLUME / INTERVAL

WARMUP = INTERVAL          # contacts arriving before are discarded (system starts empty)
END_MARGIN = 300.0         # ... and those arriving in the last 300 s
MAX_BATCHES = 30
MIN_BATCH = 900.0          # seconds of arrivals per batch, at least
LEVEL = 0.95

GOAL_FAST = 8e6            # contacts per second, fast engine
GOAL_VS_PLAIN_SIMPY = 200.0
GOAL_VS_CIW = 500.0

FULL = {"fast_contacts": 4_000_000, "pipeline_replications": 10, "simpy_contacts": 96_000,
        "plain_contacts": 48_000, "ciw_contacts": 36_000, "repeat": 5}
QUICK = {"fast_contacts": 240_000, "pipeline_replications": 8, "simpy_contacts": 12_000,
         "plain_contacts": 6_000, "ciw_contacts": 3_600, "repeat": 2}

ANSWERED, ABANDONED = 0, 1     # outcome codes used here (those of simulate._fast)


# ------------------------------------------------------------------ timing


def timed(fn, repeat):
    """Run ``fn`` ``repeat`` times; ``(last result, median s, min s)``.

    The garbage collector is off while timing; garbage is collected between
    repetitions (untimed), so each run starts from the same heap.
    """
    times = []
    result = None
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            result = None
            gc.collect()            # untimed: the previous run's garbage
            t0 = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t0)
    finally:
        if was_enabled:
            gc.enable()
    gc.collect()
    return result, statistics.median(times), min(times)


def intervals_for(contacts):
    """Whole intervals covering ``contacts`` expected arrivals (at least 2)."""
    return max(2, int(math.ceil(contacts / VOLUME)))


def make_center(intervals):
    return simulate.Center.single_queue([VOLUME] * intervals, aht=AHT, agents=AGENTS,
                                        patience=PATIENCE, interval=INTERVAL,
                                        target_time=TARGET_TIME)


def key_of(seed, stream):
    """A 64-bit replication key for one part of the benchmark."""
    return int(_rng.replication_keys(np.random.SeedSequence([seed, stream]), 1)[0])


# ------------------------------------------------------------------ theory


def erlang_a():
    m = erlang.metrics(AGENTS, VOLUME, AHT, target_time=TARGET_TIME, interval=INTERVAL,
                       patience=PATIENCE)
    out = {name: float(getattr(m, name)) for name in
           ("abandon_rate", "asa", "service_level", "prob_wait", "average_wait", "occupancy")}
    # Independent check (patience mean == AHT): N ~ Poisson(load), abandonment
    # flux theta E[(N - n)+] over arrival rate lambda = E[(N - n)+] / load.
    load = VOLUME * AHT / INTERVAL
    k = np.arange(0, int(load + 40 * math.sqrt(load) + AGENTS + 50))
    pmf = _st.poisson.pmf(k, load)
    out["abandon_rate_poisson_check"] = float(np.sum(pmf * np.maximum(k - AGENTS, 0)) / load)
    out["load"] = load
    return out


# ------------------------------------------------------------ confidence intervals


def ratio_ci(x_b, y_b):
    """Ratio of totals and its half-width from ``B`` independent batch totals."""
    x_b = np.asarray(x_b, dtype=float)
    y_b = np.asarray(y_b, dtype=float)
    b = x_b.shape[0]
    r = float(x_b.sum() / y_b.sum()) if y_b.sum() > 0 else math.nan
    if b < 2 or not math.isfinite(r):
        return r, math.inf, math.inf
    z = x_b - r * y_b
    se = math.sqrt(float(np.sum(z * z)) / (b * (b - 1))) / float(y_b.mean())
    return r, float(_st.t.ppf(0.5 + LEVEL / 2.0, b - 1)) * se, se


def accuracy(value, half_width, se, exact):
    diff = value - exact
    return {
        "value": value,
        "half_width": half_width,
        "exact": exact,
        "rel_diff": diff / exact,
        "z": diff / se if se and math.isfinite(se) and se > 0 else None,
        "in_ci": bool(abs(diff) <= half_width),
    }


def batch_stats(arrival, outcome, wait, end, theory):
    """Abandonment and ASA with batch-means CIs from one long run's contacts.

    ``outcome``: ANSWERED, ABANDONED or anything else (unresolved);
    ``wait``: time in queue (to service start or to abandonment).
    """
    lo, hi = WARMUP, end - END_MARGIN
    window = hi - lo
    b = max(2, min(MAX_BATCHES, int(window // MIN_BATCH)))
    keep = (arrival >= lo) & (arrival < hi)
    idx = np.minimum(((arrival[keep] - lo) / window * b).astype(np.int64), b - 1)
    out = outcome[keep]
    w = wait[keep]
    ans = out == ANSWERED
    abd = out == ABANDONED
    n_ans = np.bincount(idx, weights=ans.astype(float), minlength=b)
    n_abd = np.bincount(idx, weights=abd.astype(float), minlength=b)
    w_ans = np.bincount(idx, weights=np.where(ans, w, 0.0), minlength=b)
    ab, ab_hw, ab_se = ratio_ci(n_abd, n_ans + n_abd)
    asa, asa_hw, asa_se = ratio_ci(w_ans, n_ans)
    return {
        "ci_method": f"batch means, {b} batches of {window / b:.0f} s of arrivals",
        "kept_contacts": int(keep.sum()),
        "kept_answered": int(n_ans.sum()),
        "kept_abandoned": int(n_abd.sum()),
        "abandon_rate": accuracy(ab, ab_hw, ab_se, theory["abandon_rate"]),
        "asa": accuracy(asa, asa_hw, asa_se, theory["asa"]),
    }


def record_outcomes(rec):
    """``(arrival, outcome, wait)`` from the records of the repository's engines."""
    outcome = rec["outcome"].astype(np.int64)
    wait = np.where(outcome == ANSWERED, rec["start"] - rec["enter"],
                    np.where(outcome == ABANDONED, rec["leave"] - rec["enter"], np.nan))
    return rec["arrival"], outcome, wait


def engine_entry(contacts, med, mn, stats=None, note=None):
    entry = {
        "contacts": contacts,
        "seconds": med,
        "seconds_min": mn,
        "contacts_per_s": contacts / med if med and contacts else None,
        "contacts_per_s_best": contacts / mn if mn and contacts else None,
        "note": note,
    }
    if stats:
        entry.update(stats)
    return entry


def empty_entry(note):
    return {"contacts": None, "seconds": None, "seconds_min": None, "contacts_per_s": None,
            "contacts_per_s_best": None, "note": note, "abandon_rate": None, "asa": None}


# ------------------------------------------------------------------ engines


def bench_fast(args, theory, log):
    intervals = intervals_for(args.fast_contacts)
    center = make_center(intervals)
    key = key_of(args.seed, 1)
    log(f"fast engine (run_fast): {intervals} intervals (~{intervals * VOLUME:,.0f} contacts)"
        f" x {args.repeat} ...")
    (rec, _, _), med, mn = timed(lambda: run_fast(center, key), args.repeat)
    n = int(rec["arrival"].shape[0])
    stats = batch_stats(*record_outcomes(rec), center.end, theory)
    del rec
    gc.collect()
    draw_share = None
    try:
        from ccwfm.simulate._common import first_attempts
        _, d_med, _ = timed(lambda: first_attempts(center, 0, key), args.repeat)
        draw_share = d_med / med
    except Exception:  # noqa: BLE001 - private helper; informative only
        pass
    entry = engine_entry(n, med, mn, stats)
    entry["intervals"] = intervals
    return entry, draw_share


def bench_pipeline(args, theory, log):
    reps = args.pipeline_replications
    intervals = intervals_for(args.fast_contacts / reps)
    center = make_center(intervals)
    seed = int(np.random.SeedSequence([args.seed, 2]).generate_state(1)[0])
    log(f"fast pipeline (simulate, engine='fast'): {reps} replications x {intervals} intervals"
        f" x {args.repeat} ...")
    res, med, mn = timed(lambda: simulate.simulate(center, replications=reps, seed=seed,
                                                   engine="fast", progress=False),
                         args.repeat)
    qs = res.queue_stats[:, 0, :, :]            # [replication, interval (+1), metric]
    names = simulate.QUEUE_METRICS
    col = {k: names.index(k) for k in ("offered", "answered", "abandoned", "asa")}
    n = int(qs[:, intervals, col["offered"]].sum())
    body = qs[:, 1:intervals, :]                 # interval 0 is the warm-up
    ans = body[..., col["answered"]].sum(axis=1)
    abd = body[..., col["abandoned"]].sum(axis=1)
    wsum = np.nansum(body[..., col["asa"]] * body[..., col["answered"]], axis=1)
    ab, ab_hw, ab_se = ratio_ci(abd, ans + abd)
    asa, asa_hw, asa_se = ratio_ci(wsum, ans)
    stats = {
        "ci_method": f"replications ({reps}), intervals 1-{intervals - 1} of each",
        "kept_contacts": int(body[..., col["offered"]].sum()),
        "kept_answered": int(ans.sum()),
        "kept_abandoned": int(abd.sum()),
        "abandon_rate": accuracy(ab, ab_hw, ab_se, theory["abandon_rate"]),
        "asa": accuracy(asa, asa_hw, asa_se, theory["asa"]),
        # What SimulationResult.metric reports (whole horizon, warm-up included).
        "result_metric_abandon_rate": list(res.metric("abandon_rate")),
        "result_metric_asa": list(res.metric("asa")),
    }
    entry = engine_entry(n, med, mn, stats)
    entry.update({"replications": reps, "intervals": intervals})
    return entry


def _sorted_records(rec):
    order = np.lexsort((rec["attempt"], rec["contact"], rec["queue"]))
    return {k: v[order] for k, v in rec.items()}


def compare_records(a, b):
    """``(identical, max abs time difference, differing outcomes)`` of two record sets."""
    if a["arrival"].shape != b["arrival"].shape:
        return False, None, None
    a, b = _sorted_records(a), _sorted_records(b)
    same = all(np.array_equal(a[k], b[k], equal_nan=(a[k].dtype.kind == "f")) for k in a)
    dt = 0.0
    for k in ("arrival", "enter", "start", "leave"):
        x, y = a[k], b[k]
        both = ~np.isnan(x) & ~np.isnan(y)
        if np.any(np.isnan(x) != np.isnan(y)):
            dt = math.inf
        elif both.any():
            dt = max(dt, float(np.max(np.abs(x[both] - y[both]))))
    return bool(same), dt, int(np.sum(a["outcome"] != b["outcome"]))


def bench_simpy_model(args, theory, log):
    intervals = intervals_for(args.simpy_contacts)
    center = make_center(intervals)
    key = key_of(args.seed, 3)
    try:
        from ccwfm.simulate._engine_simpy import run_simpy
        run_simpy(make_center(2), key_of(args.seed, 99))         # warm-up
    except Exception as exc:  # noqa: BLE001 - module under construction
        return empty_entry(f"simulate._engine_simpy.run_simpy unavailable or failing "
                           f"({type(exc).__name__}: {exc}); skipped"), None
    log(f"SimPy model (run_simpy): {intervals} intervals (~{intervals * VOLUME:,.0f} contacts)"
        f" x {args.repeat} ...")
    try:
        (rec, _, _), med, mn = timed(lambda: run_simpy(center, key), args.repeat)
    except Exception as exc:  # noqa: BLE001
        return empty_entry(f"run_simpy failed on the case ({type(exc).__name__}: {exc}); "
                           "skipped"), None
    try:
        n = int(rec["arrival"].shape[0])
        stats = batch_stats(*record_outcomes(rec), center.end, theory)
    except Exception as exc:  # noqa: BLE001 - records not in the documented form
        return empty_entry(f"run_simpy records unreadable ({type(exc).__name__}: {exc}); "
                           f"skipped (one run took {med:.3f} s)"), None
    fast_rec, _, _ = run_fast(center, key)
    try:
        identical, max_dt, diff_outcomes = compare_records(rec, fast_rec)
    except Exception:  # noqa: BLE001
        identical, max_dt, diff_outcomes = False, None, None
    entry = engine_entry(n, med, mn, stats)
    entry.update({"intervals": intervals, "records_identical_to_fast": identical,
                  "max_abs_time_diff_vs_fast": max_dt,
                  "outcomes_differing_from_fast": diff_outcomes})
    return entry, identical


# ------------------------------------------------------------ plain SimPy


def plain_simpy_run(end, seed, n_agents=AGENTS):
    """The textbook SimPy M/M/n+M: a Resource and one process per customer.

    Returns ``(arrival, outcome, wait)`` arrays of every contact arriving in
    ``[0, end)`` (outcome -1: still waiting at the end).
    """
    import simpy

    rng = np.random.default_rng(seed)
    m = int(ARRIVAL_RATE * end + 10.0 * math.sqrt(ARRIVAL_RATE * end) + 100)
    draws = {"gap": rng.exponential(1.0 / ARRIVAL_RATE, m),
             "handle": rng.exponential(AHT, m),
             "patience": rng.exponential(PATIENCE, m)}

    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=n_agents)
    arrival, outcome, wait = [], [], []

    def more():
        for k in draws:
            draws[k] = np.concatenate([draws[k], rng.exponential(
                {"gap": 1.0 / ARRIVAL_RATE, "handle": AHT, "patience": PATIENCE}[k], m)])

    def customer(i, arrived, handle, patience):
        with agents.request() as req:
            got = yield req | env.timeout(patience)
            if req in got:
                outcome[i] = ANSWERED
                wait[i] = env.now - arrived
                yield env.timeout(handle)
            else:
                outcome[i] = ABANDONED
                wait[i] = env.now - arrived

    def source():
        i = 0
        while True:
            if i == draws["gap"].shape[0]:
                more()
            yield env.timeout(draws["gap"][i])
            if env.now >= end:
                return
            arrival.append(env.now)
            outcome.append(-1)
            wait.append(math.nan)
            env.process(customer(i, env.now, draws["handle"][i], draws["patience"][i]))
            i += 1

    env.process(source())
    env.run(until=end)
    return np.array(arrival), np.array(outcome, dtype=np.int64), np.array(wait)


def bench_plain_simpy(args, theory, log):
    try:
        import simpy  # noqa: F401
    except Exception as exc:  # noqa: BLE001
        return empty_entry(f"simpy not importable ({type(exc).__name__}: {exc}); skipped")
    intervals = intervals_for(args.plain_contacts)
    end = intervals * INTERVAL
    seed = [args.seed, 4]
    plain_simpy_run(INTERVAL / 10, [args.seed, 98])              # warm-up
    log(f"plain SimPy: {intervals} intervals (~{intervals * VOLUME:,.0f} contacts)"
        f" x {args.repeat} ...")
    (arr, out, w), med, mn = timed(lambda: plain_simpy_run(end, seed), args.repeat)
    entry = engine_entry(int(arr.shape[0]), med, mn, batch_stats(arr, out, w, end, theory))
    entry["intervals"] = intervals
    return entry


# ------------------------------------------------------------------- Ciw


def load_ciw():
    """``(ciw module, version, note)``; the module is None when unavailable."""
    try:
        import ciw
    except Exception as exc:  # noqa: BLE001
        return None, None, (f"ciw not importable ({type(exc).__name__}: {exc}); skipped "
                            "(install with: pip install -e '.[bench]')")
    ver = getattr(ciw, "__version__", None)
    if ver is None:
        try:
            from importlib.metadata import version
            ver = version("ciw")
        except Exception:  # noqa: BLE001
            ver = None
    return ciw, ver, None


def ciw_run(ciw, end, seed):
    """An M/M/n+M network in Ciw simulated over ``[0, end)``; returns the Simulation."""
    ciw.seed(seed)
    net = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=ARRIVAL_RATE)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / AHT)],
        number_of_servers=[AGENTS],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1.0 / PATIENCE)],
    )
    sim = ciw.Simulation(net)
    sim.simulate_until_max_time(end)
    return sim


def ciw_outcomes(sim):
    """``(arrival, outcome, wait)`` of every individual that arrived (untimed)."""
    arrival, outcome, wait = [], [], []
    for r in sim.get_all_records():
        if r.node != 1:
            continue
        if r.record_type == "service":
            arrival.append(r.arrival_date)
            outcome.append(ANSWERED)
            wait.append(r.waiting_time)
        elif r.record_type == "renege":
            arrival.append(r.arrival_date)
            outcome.append(ABANDONED)
            wait.append(r.exit_date - r.arrival_date)
    for ind in sim.nodes[1].all_individuals:      # still in the node at the end
        arrival.append(ind.arrival_date)
        if ind.service_start_date is not False and ind.service_start_date is not None:
            outcome.append(ANSWERED)              # in service: answered
            wait.append(ind.service_start_date - ind.arrival_date)
        else:
            outcome.append(-1)                    # still waiting
            wait.append(math.nan)
    return np.array(arrival, dtype=float), np.array(outcome, dtype=np.int64), \
        np.array(wait, dtype=float)


def bench_ciw(args, theory, log):
    ciw, ver, note = load_ciw()
    if ciw is None:
        e = empty_entry(note)
        e["version"] = None
        return e
    intervals = intervals_for(args.ciw_contacts)
    end = intervals * INTERVAL
    seed = int(np.random.SeedSequence([args.seed, 5]).generate_state(1)[0])
    try:
        ciw_run(ciw, INTERVAL / 10, seed + 1)                        # warm-up
        log(f"Ciw {ver}: {intervals} intervals (~{intervals * VOLUME:,.0f} contacts)"
            f" x {args.repeat} ...")
        sim, med, mn = timed(lambda: ciw_run(ciw, end, seed), args.repeat)
        arr, out, w = ciw_outcomes(sim)
        n = int(sim.nodes[0].number_of_individuals)
    except Exception as exc:  # noqa: BLE001 - API drift between Ciw versions
        e = empty_entry(f"Ciw {ver} failed ({type(exc).__name__}: {exc}); skipped")
        e["version"] = ver
        return e
    entry = engine_entry(n, med, mn, batch_stats(arr, out, w, end, theory))
    entry.update({"intervals": intervals, "version": ver,
                  "individuals_read": int(arr.shape[0])})
    if arr.shape[0] != n:
        entry["note"] = f"{n} arrivals counted but {arr.shape[0]} individuals read back"
    return entry


# -------------------------------------------------------------------- main


def cpu_name():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _version(module):
    try:
        from importlib.metadata import version
        return version(module)
    except Exception:  # noqa: BLE001
        return None


def _ratio(a, b):
    return a / b if a is not None and b else None


def run(args, log):
    theory = erlang_a()
    # Warm-up: Numba compilation or cache loading of the kernel and the statistics.
    run_fast(make_center(2), key_of(args.seed, 97))
    simulate.simulate(make_center(2), replications=2, seed=0, engine="fast", progress=False)

    fast, draw_share = bench_fast(args, theory, log)
    pipe = bench_pipeline(args, theory, log)
    smodel, identical = bench_simpy_model(args, theory, log)
    plain = bench_plain_simpy(args, theory, log)
    ciw = bench_ciw(args, theory, log)
    engines = {"fast": fast, "fast_pipeline": pipe, "simpy_model": smodel,
               "plain_simpy": plain, "ciw": ciw}

    f = fast["contacts_per_s"]
    sp_model = _ratio(f, smodel["contacts_per_s"])
    sp_plain = _ratio(f, plain["contacts_per_s"])
    sp_ciw = _ratio(f, ciw["contacts_per_s"])
    checks, outside, worst = 0, [], None
    for name, e in engines.items():
        for metric in ("abandon_rate", "asa"):
            acc = e.get(metric)
            if not acc:
                continue
            checks += 1
            if not acc["in_ci"]:
                outside.append(f"{name}.{metric}")
            z = acc["z"]
            if z is not None and (worst is None or abs(z) > abs(worst[1])):
                worst = (f"{name}.{metric}", z)
    return {
        "case": {"volume_per_interval": VOLUME, "interval_s": INTERVAL,
                 "arrival_rate_per_s": ARRIVAL_RATE, "aht_s": AHT, "agents": AGENTS,
                 "patience_mean_s": PATIENCE, "load_erlangs": theory["load"],
                 "target_time_s": TARGET_TIME, "warmup_s": WARMUP,
                 "end_margin_s": END_MARGIN},
        "seed": args.seed,
        "repeat": args.repeat,
        "quick": args.quick,
        "erlang_a": {k: v for k, v in theory.items() if k != "load"},
        "fast_contacts": fast["contacts"],
        "fast_contacts_per_s": f,
        "fast_contacts_per_s_best": fast["contacts_per_s_best"],
        "fast_draw_share": draw_share,
        "fast_pipeline_contacts": pipe["contacts"],
        "fast_pipeline_contacts_per_s": pipe["contacts_per_s"],
        "fast_pipeline_contacts_per_s_best": pipe["contacts_per_s_best"],
        "simpy_model_contacts": smodel["contacts"],
        "simpy_model_contacts_per_s": smodel["contacts_per_s"],
        "simpy_model_records_identical_to_fast": identical,
        "simpy_model_note": smodel["note"],
        "plain_simpy_contacts": plain["contacts"],
        "plain_simpy_contacts_per_s": plain["contacts_per_s"],
        "plain_simpy_note": plain["note"],
        "ciw_contacts": ciw["contacts"],
        "ciw_contacts_per_s": ciw["contacts_per_s"],
        "ciw_version": ciw.get("version"),
        "ciw_note": ciw["note"],
        "speedup_vs_simpy_model": sp_model,
        "speedup_vs_plain_simpy": sp_plain,
        "speedup_vs_ciw": sp_ciw,
        "accuracy_checks": checks,
        "accuracy_outside_95ci": outside,
        "accuracy_worst_z": None if worst is None else {"check": worst[0], "z": worst[1]},
        "engines": engines,
        "goal_fast_8m_per_s_met": f >= GOAL_FAST,
        "goal_speedup_200x_plain_simpy_met": None if sp_plain is None
        else sp_plain >= GOAL_VS_PLAIN_SIMPY,
        "goal_speedup_500x_ciw_met": None if sp_ciw is None else sp_ciw >= GOAL_VS_CIW,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": _version("numba"),
        "simpy": _version("simpy"),
        "cpu": cpu_name(),
        "numba_num_threads": os.environ.get("NUMBA_NUM_THREADS"),
    }


def _yes(flag):
    return "n/a" if flag is None else ("MET" if flag else "NOT MET")


def _fmt_acc(acc, unit, scale=1.0, digits=4):
    if not acc:
        return "n/a"
    hw = acc["half_width"]
    hw = "inf" if hw is None else f"{hw * scale:.{digits}f}"
    z = "n/a" if acc["z"] is None else f"{acc['z']:+.2f}"
    return (f"{acc['value'] * scale:.{digits}f}{unit} +- {hw}"
            f" (exact {acc['exact'] * scale:.{digits}f}, {acc['rel_diff']:+.1%}, "
            f"z {z}, {'inside' if acc['in_ci'] else 'OUTSIDE'} 95% CI)")


def report(s):
    """Readable report of a summary."""
    out = []
    p = out.append
    c = s["case"]
    ea = s["erlang_a"]
    p("Simulation benchmark: M/M/n+M on one core")
    p(f"  cpu: {s['cpu']}  python {s['python']}  numpy {s['numpy']}  numba {s['numba']}  "
      f"simpy {s['simpy']}  ciw {s['ciw_version']}")
    p(f"  seed {s['seed']}, {s['repeat']} repetitions; rates from the median time "
      f"(best from the minimum)")
    p(f"Case: {c['volume_per_interval']:g} contacts / {c['interval_s']:g} s, AHT "
      f"{c['aht_s']:g} s (load {c['load_erlangs']:g} Erlangs), {c['agents']} agents, "
      f"patience exp(mean {c['patience_mean_s']:g} s)")
    p(f"Erlang A: abandonment {ea['abandon_rate']:.4%} (Poisson check "
      f"{ea['abandon_rate_poisson_check']:.4%}), ASA {ea['asa']:.3f} s, SL "
      f"{ea['service_level']:.2%} in {c['target_time_s']:g} s, occupancy {ea['occupancy']:.2%}")
    p("")
    labels = {"fast": "fast engine (run_fast)", "fast_pipeline": "fast pipeline (simulate)",
              "simpy_model": "SimPy model (run_simpy)", "plain_simpy": "plain SimPy",
              "ciw": "Ciw"}
    for name, e in s["engines"].items():
        if e["contacts_per_s"] is None:
            p(f"{labels[name]}: skipped: {e['note']}")
            continue
        p(f"{labels[name]}: {e['contacts']:,} contacts, {e['seconds']:.3f} s "
          f"({e['seconds_min']:.3f}) -> {e['contacts_per_s']:,.0f} contacts/s "
          f"({e['contacts_per_s_best']:,.0f})")
        p(f"  abandonment {_fmt_acc(e['abandon_rate'], '%', 100.0, 3)}")
        p(f"  ASA         {_fmt_acc(e['asa'], ' s', 1.0, 3)}")
        p(f"  {e['ci_method']}; {e['kept_contacts']:,} contacts kept")
        if e.get("note"):
            p(f"  note: {e['note']}")
    if s["fast_draw_share"] is not None:
        p(f"fast engine: bulk numpy draws are {s['fast_draw_share']:.0%} of its time")
    if s["simpy_model_records_identical_to_fast"] is not None:
        p(f"SimPy model records identical to the fast path's on the same key: "
          f"{s['simpy_model_records_identical_to_fast']}")
    p(f"Accuracy: {s['accuracy_checks']} checks, outside the 95% CI: "
      f"{', '.join(s['accuracy_outside_95ci']) or 'none'}"
      + ("" if not s["accuracy_worst_z"] else
         f"; largest |z| {abs(s['accuracy_worst_z']['z']):.2f} "
         f"({s['accuracy_worst_z']['check']})"))
    p("")

    def sp(x):
        return "n/a" if x is None else f"{x:,.0f}x"
    p(f"Speedups of the fast engine: vs SimPy model {sp(s['speedup_vs_simpy_model'])}, "
      f"vs plain SimPy {sp(s['speedup_vs_plain_simpy'])}, vs Ciw {sp(s['speedup_vs_ciw'])}")
    p("Goals:")
    p(f"  fast engine >= {GOAL_FAST:,.0f} contacts/s: {_yes(s['goal_fast_8m_per_s_met'])} "
      f"({s['fast_contacts_per_s']:,.0f})")
    p(f"  >= {GOAL_VS_PLAIN_SIMPY:g}x plain SimPy: "
      f"{_yes(s['goal_speedup_200x_plain_simpy_met'])} ({sp(s['speedup_vs_plain_simpy'])})")
    p(f"  >= {GOAL_VS_CIW:g}x Ciw: {_yes(s['goal_speedup_500x_ciw_met'])} "
      f"({sp(s['speedup_vs_ciw'])})")
    return "\n".join(out)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--quick", action="store_true",
                    help="small sizes for a smoke run of a few seconds")
    ap.add_argument("--fast-contacts", type=int, default=None,
                    help=f"contacts for the fast engine and pipeline "
                         f"(default {FULL['fast_contacts']:,})")
    ap.add_argument("--pipeline-replications", type=int, default=None,
                    help=f"replications of the pipeline run (default "
                         f"{FULL['pipeline_replications']})")
    ap.add_argument("--simpy-contacts", type=int, default=None,
                    help=f"contacts for the SimPy model (default {FULL['simpy_contacts']:,})")
    ap.add_argument("--plain-contacts", type=int, default=None,
                    help=f"contacts for plain SimPy (default {FULL['plain_contacts']:,})")
    ap.add_argument("--ciw-contacts", type=int, default=None,
                    help=f"contacts for Ciw (default {FULL['ciw_contacts']:,})")
    ap.add_argument("--seed", type=int, default=20240601, help="seed (default 20240601)")
    ap.add_argument("--repeat", type=int, default=None,
                    help="timed repetitions (default 5; 2 with --quick)")
    ap.add_argument("--json", action="store_true", help="print only a JSON summary")
    args = ap.parse_args(argv)
    preset = QUICK if args.quick else FULL
    for name, default in preset.items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    for name in ("fast_contacts", "simpy_contacts", "plain_contacts", "ciw_contacts",
                 "repeat"):
        if getattr(args, name) < 1:
            ap.error(f"--{name.replace('_', '-')} must be >= 1")
    if args.pipeline_replications < 2:
        ap.error("--pipeline-replications must be >= 2 (confidence intervals)")
    if args.seed < 0:
        ap.error("--seed must be >= 0")
    return args


def main(argv=None):
    args = parse_args(argv)
    log = (lambda msg: print(msg, file=sys.stderr, flush=True)) if args.json else \
        (lambda msg: print(msg, flush=True))
    t0 = time.perf_counter()
    summary = run(args, log)
    summary["total_seconds"] = time.perf_counter() - t0
    summary = _finite(summary)
    if args.json:
        print(json.dumps(summary, indent=2, default=_json_default))
    else:
        print()
        print(report(summary))
        print(f"\n(total {summary['total_seconds']:.0f} s)")
    return 0


def _finite(x):
    """The summary with non-finite floats (an infinite half-width) as None: strict JSON."""
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else None
    return x


def _json_default(x):
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"not JSON serialisable: {type(x).__name__}")


if __name__ == "__main__":
    sys.exit(main())
