"""Speed and agreement benchmark of the multi-skill simulator (issue 13).

Measures, on one core, how many contacts per second the Numba multi-skill
kernel (:func:`simulate._engine_fast.run_fast_multi`) simulates on a
realistic multi-skill center, against the SimPy engine of the repository on
the same center, and checks on the routing designs of the tests that both
engines agree statistically when run on different seeds.

The center
----------
A week of 15-minute intervals (672), four queues and four groups, volumes
following a daily profile (open 07:00-21:00 with a midday peak, a trickle at
night, quieter weekends), staffing following the load interval by interval:

* ``voice``: lognormal handle time (mean 240 s, cv 0.8), exponential
  patience (mean 120 s); ``sales``: exponential handle time (300 s),
  patience 180 s; ``chat``: lognormal (600 s, cv 0.7), patience 300 s;
  ``email``: lognormal (480 s, cv 0.6), no abandonment.
* groups ``voice`` (voice), ``sales`` (sales, then voice: cross-trained),
  ``senior`` (overflow: voice and sales after 60 s of waiting) and
  ``digital`` (chat, then e-mail; 3 contacts at once, handle stretch 1.4).

About 90 agents on duty at the weekday peak, 58,000 contacts a week.

What is measured
----------------
A contact is an arriving contact (there are no retrials).  Contacts per
second = contacts simulated / wall time, median over ``--repeat`` timed
repetitions (default 5) after a warm-up run (Numba compilation or cache
loading not timed); the garbage collector is off while timing.

1. ``fast_multiskill_contacts_per_s``: :func:`run_fast_multi` on
   ``--fast-weeks`` replications (default 20) of the week, one call per
   replication; the center's kernel parameters are built once.  Included:
   the bulk numpy draws of each replication, the kernel and the record
   arrays.  Goal: at least 4 million (``goal_fast_4m_per_s_met``).
   ``fast_multiskill_pipeline_contacts_per_s``: the same replications
   through ``simulate(center, engine="fast")`` (statistics included).
2. ``simpy_multiskill_contacts_per_s``: the SimPy engine
   (:func:`simulate._engine_simpy.run_simpy`) on ``--simpy-weeks``
   replications (default 1) of the same week; its records are compared with
   the kernel's on the same key (``records_identical``: they must be equal).
   ``speedup_vs_simpy`` is the ratio of the two rates.

Agreement of the engines
------------------------
``designs_agree`` is true when on every routing design (N, X, W, V, a long
chain of 5 queues and 5 groups, overflow after a delay, chat and e-mail
blended with concurrency) the two engines, run on **different seeds**,
agree: for each queue and each of service level, abandonment rate and ASA
(horizon values per replication), a two-sample Welch t-test of the
``--fast-reps`` fast replications (default 400) against the
``--simpy-reps`` SimPy ones (default 40) must not reject at
``0.01 / (number of tests)`` (Bonferroni: a family-wise error of 1%).
``designs`` gives, per design, the tests and the smallest p-value.

Goals are judged on the medians; the script exits with status 0 whether or
not they are met.  Keys ``pooling_saving_pct``, ``targets_met_sim`` and
``staffing_seconds`` (the multi-skill demo) are added by :func:`_plan_keys`.

Notes
-----
Threads are pinned to one before numpy or Numba is imported::

    .venv/bin/python benchmarks/multiskill_bench.py            # readable report
    .venv/bin/python benchmarks/multiskill_bench.py --json     # JSON only
    .venv/bin/python benchmarks/multiskill_bench.py --quick    # smoke run

Timings depend on the machine and its load; ``*_best`` keys give the rate
from the fastest repetition.
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

import numpy as np  # noqa: E402
from scipy import stats as _st  # noqa: E402

from ccwfm.simulate import _rng, simulate  # noqa: E402
from ccwfm.simulate._engine_fast import _multi_params, run_fast_multi  # noqa: E402
from ccwfm.simulate._engine_simpy import run_simpy  # noqa: E402
from ccwfm.simulate.distributions import Distribution as D  # noqa: E402
from ccwfm.simulate.model import Center, Group, Queue, Skill  # noqa: E402
from ccwfm.simulate.stats import QUEUE_METRICS  # noqa: E402

INTERVAL = 900.0
DAY = 96
GOAL_FAST = 4e6
FAMILY_ALPHA = 0.01
KPIS = ("service_level", "abandon_rate", "asa")
FULL = {"fast_weeks": 20, "simpy_weeks": 1, "fast_reps": 400, "simpy_reps": 40, "repeat": 5}
QUICK = {"fast_weeks": 4, "simpy_weeks": 1, "fast_reps": 60, "simpy_reps": 12, "repeat": 2}


# ------------------------------------------------------------------ the center


def profile(days=7):
    """Relative volume per 15-minute interval: a day shape, weekends at 60%."""
    t = np.arange(DAY)
    hour = t / 4.0
    shape = np.where((hour >= 7) & (hour < 21),
                     0.35 + 0.65 * np.sin(np.pi * (hour - 7) / 14) ** 2, 0.03)
    week = np.concatenate([shape * (0.6 if d >= 5 else 1.0) for d in range(days)])
    return week


def bench_center(days=7):
    """The benchmark's multi-skill center (module docstring)."""
    p = profile(days)
    exp = D.exponential

    def vol(peak):
        return (peak * p).tolist()

    def staff(load_peak, extra):
        load = load_peak * p
        return np.ceil(load + 1.2 * np.sqrt(load) + extra * (p > 0.1)).tolist()

    queues = (
        Queue("voice", vol(110.0), D.lognormal(240.0, 0.8), patience=exp(120.0)),
        Queue("sales", vol(45.0), exp(300.0), patience=exp(180.0)),
        Queue("chat", vol(60.0), D.lognormal(600.0, 0.7), patience=exp(300.0),
              target_time=60.0, channel="chat"),
        Queue("email", vol(25.0), D.lognormal(480.0, 0.6), target_time=3600.0,
              channel="email"),
    )
    # Loads (Erlangs at the peak): voice 29.3, sales 15, digital slots
    # (60 x 600 + 25 x 480) x 1.4 / 900 = 74.7, i.e. 24.9 agents of 3 slots.
    groups = (
        Group("voice", ("voice",), staffing=staff(26.0, 0)),
        Group("sales", ("sales", "voice"), staffing=staff(15.0, 1)),
        Group("senior", (Skill("voice", 60.0), Skill("sales", 60.0)),
              staffing=np.where(p > 0.1, np.ceil(4 * p), 0).tolist()),
        Group("digital", ("chat", "email"), staffing=staff(25.0, 1), concurrency=3,
              concurrency_factor=1.4),
    )
    return Center(queues, groups, interval=INTERVAL)


# -------------------------------------------------------------------- designs


def designs():
    """Routing designs of the statistical comparison: ``name -> center``."""
    exp = D.exponential
    h = 8

    def q(name, volume=60.0, aht=240.0, patience=150.0, **kw):
        return Queue(name, [volume] * h, exp(aht), patience=None if patience is None
                     else exp(patience), **kw)

    def g(name, skills, agents, **kw):
        return Group(name, skills, staffing=[agents] * h, **kw)

    out = {
        "N": Center((q("A"), q("B")), (g("gA", ("A",), 5), g("gB", ("B", "A"), 8))),
        "X": Center((q("A"), q("B", 40.0)), (g("gA", ("A", "B"), 6), g("gB", ("B", "A"), 6))),
        "W": Center((q("A"), q("B"), q("C")), (g("g1", ("A", "B"), 9), g("g2", ("C", "B"), 9))),
        "V": Center((q("A"), q("B", patience=400.0)), (g("g", ("A", "B"), 12),)),
        "chain": Center(tuple(q(f"Q{i}", 30.0 + 8 * i) for i in range(5)),
                        tuple(g(f"G{i}", (f"Q{i}", f"Q{(i + 1) % 5}"), 5) for i in range(5))),
        "overflow": Center((q("A", 80.0), q("B", 50.0, patience=300.0)),
                           (g("gA", ("A",), 8), g("gB", ("B",), 5),
                            g("senior", (Skill("A", 30.0), Skill("B", 60.0)), 3))),
        "blended": Center((q("chat", 100.0, 600.0, 240.0), q("email", 30.0, 480.0, None)),
                          (g("chat", ("chat",), 7, concurrency=2, concurrency_factor=1.2),
                           g("digital", ("chat", "email"), 5, concurrency=3,
                             concurrency_factor=1.4))),
    }
    return out


# ------------------------------------------------------------------ timing


def timed(fn, repeat):
    """Run ``fn`` ``repeat`` times; ``(last result, median s, min s)`` with the GC off."""
    times = []
    result = None
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            result = None
            gc.collect()
            t0 = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t0)
    finally:
        if was_enabled:
            gc.enable()
    gc.collect()
    return result, statistics.median(times), min(times)


def keys(seed, stream, n):
    return [int(k) for k in _rng.replication_keys(np.random.SeedSequence([seed, stream]), n)]


def _sorted(rec):
    order = np.lexsort((rec["attempt"], rec["contact"], rec["queue"]))
    return {k: v[order] for k, v in rec.items()}


def identical(a, b):
    """Records, overtime and queue maxima of two engines equal (floats to 1e-9)."""
    (ra, oa, ma), (rb, ob, mb) = a, b
    ra, rb = _sorted(ra), _sorted(rb)
    if ra["contact"].shape != rb["contact"].shape:
        return False
    for k in ra:
        x, y = ra[k], rb[k]
        if x.dtype.kind == "f":
            if not (np.array_equal(np.isnan(x), np.isnan(y))
                    and np.allclose(x[~np.isnan(x)], y[~np.isnan(y)], rtol=1e-9, atol=0.0)):
                return False
        elif not np.array_equal(x, y):
            return False
    ot_a = sorted(zip(oa["group"].tolist(), oa["start"].tolist(), oa["end"].tolist()))
    ot_b = sorted(zip(ob["group"].tolist(), ob["start"].tolist(), ob["end"].tolist()))
    return len(ot_a) == len(ot_b) and np.allclose(np.array(ot_a).reshape(-1, 3),
                                                  np.array(ot_b).reshape(-1, 3),
                                                  rtol=1e-9) and np.array_equal(ma, mb)


def bench_fast(args, center, log):
    params = _multi_params(center)
    ks = keys(args.seed, 1, args.fast_weeks)
    run_fast_multi(center, ks[0], params)                  # warm-up
    contacts = sum(int(run_fast_multi(center, k, params)[0]["contact"].size) for k in ks)
    log(f"fast kernel: {args.fast_weeks} weeks, {contacts:,} contacts")
    _, med, mn = timed(lambda: [run_fast_multi(center, k, params) for k in ks], args.repeat)
    log(f"  {med:.3f} s (best {mn:.3f} s)")
    seed = np.random.SeedSequence([args.seed, 2])
    simulate(center, replications=1, seed=0, engine="fast", progress=False)
    res, pmed, pmn = timed(lambda: simulate(center, replications=args.fast_weeks, seed=seed,
                                            engine="fast", progress=False), args.repeat)
    offered = float(res.queue_stats[:, :, -1, QUEUE_METRICS.index("offered")].sum())
    log(f"fast pipeline (simulate): {offered:,.0f} contacts, {pmed:.3f} s (best {pmn:.3f} s)")
    return {"contacts": contacts, "seconds": med, "seconds_min": mn,
            "contacts_per_s": contacts / med, "contacts_per_s_best": contacts / mn,
            "pipeline_contacts": offered, "pipeline_seconds": pmed,
            "pipeline_contacts_per_s": offered / pmed}


def bench_simpy(args, center, log):
    ks = keys(args.seed, 3, args.simpy_weeks)
    small = bench_center(days=1)
    run_simpy(small, 1)                                   # warm-up (imports)
    out, med, mn = timed(lambda: [run_simpy(center, k) for k in ks], max(1, args.repeat // 2))
    contacts = sum(int(r[0]["contact"].size) for r in out)
    same = all(identical(run_fast_multi(center, k), r) for k, r in zip(ks, out))
    log(f"SimPy engine: {args.simpy_weeks} weeks, {contacts:,} contacts, {med:.3f} s; "
        f"records identical to the kernel's: {same}")
    return {"contacts": contacts, "seconds": med, "seconds_min": mn,
            "contacts_per_s": contacts / med, "contacts_per_s_best": contacts / mn,
            "records_identical": same}


# ------------------------------------------------------------- agreement


def compare_designs(args, log):
    """Two-sample tests of per-replication KPIs, fast vs SimPy on different seeds."""
    idx = [QUEUE_METRICS.index(k) for k in KPIS]
    results = {}
    tests = []
    for name, center in designs().items():
        a = simulate(center, replications=args.fast_reps, seed=[args.seed, 10],
                     engine="fast", progress=False).queue_stats[:, :, -1, :]
        b = simulate(center, replications=args.simpy_reps, seed=[args.seed, 11],
                     engine="simpy", progress=False).queue_stats[:, :, -1, :]
        rows = []
        for q, queue in enumerate(center.queues):
            for kpi, m in zip(KPIS, idx):
                x, y = a[:, q, m], b[:, q, m]
                x, y = x[np.isfinite(x)], y[np.isfinite(y)]
                if x.size < 2 or y.size < 2 or (np.ptp(x) == 0 and np.ptp(y) == 0):
                    p = 1.0 if x.size and y.size and np.allclose(x.mean(), y.mean()) else 0.0
                else:
                    p = float(_st.ttest_ind(x, y, equal_var=False).pvalue)
                rows.append({"queue": queue.name, "kpi": kpi, "fast_mean": float(np.mean(x)),
                             "simpy_mean": float(np.mean(y)), "p_value": p})
                tests.append((name, p))
        results[name] = {"tests": rows}
        log(f"design {name}: {len(rows)} tests, smallest p {min(r['p_value'] for r in rows):.3g}")
    alpha = FAMILY_ALPHA / len(tests)
    for name, res in results.items():
        ps = [r["p_value"] for r in res["tests"]]
        res["min_p_value"] = min(ps)
        res["agree"] = bool(min(ps) > alpha)
    return results, alpha, len(tests)


# -------------------------------------------------------------------- main


def _plan_keys(weeks, log):
    """The multi-skill demo planned (integrated scheduling) against the same demand
    served by dedicated groups (the demo): ``pooling_saving_pct`` (paid hours saved,
    both meeting every target at its level on fresh random numbers),
    ``targets_met_sim`` (the multi-skill plan's), ``staffing_seconds`` (its
    plan, forecast to confirmation)."""
    if not weeks:
        return {"pooling_saving_pct": None, "targets_met_sim": None, "staffing_seconds": None}
    from ccwfm.plan import pipeline
    from ccwfm.plan.demo import demo_scenario

    out = {}
    for ms in (False, True):
        sc = demo_scenario(weeks=weeks, multiskill=ms)
        t0 = time.perf_counter()
        res = pipeline.run(sc)
        secs = time.perf_counter() - t0
        a = res.attainment
        out[ms] = (float(res.comparison["paid_hours"]), bool(len(a) and a["met"].all()), secs)
        log(f"{'multi-skill' if ms else 'dedicated'} demo, {weeks} weeks: "
            f"{out[ms][0]:,.0f} paid hours, {int(a['met'].sum())} of {len(a)} period targets "
            f"met, {secs:.0f} s")
    ded, ms = out[False], out[True]
    return {"pooling_saving_pct": 100.0 * (1.0 - ms[0] / ded[0]) if ded[1] and ms[1] else None,
            "targets_met_sim": ms[1], "staffing_seconds": ms[2]}


KEYS = ("fast_multiskill_contacts_per_s", "simpy_multiskill_contacts_per_s", "designs_agree",
        "pooling_saving_pct", "targets_met_sim", "staffing_seconds")
"""The JSON summary's keys (issue 13); the readable report shows more."""


def cpu_name():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def run(args, log):
    center = bench_center()
    agents = sum(np.asarray(g.staffing) for g in center.groups)
    fast = bench_fast(args, center, log)
    simpy_ = bench_simpy(args, center, log)
    agree, alpha, n_tests = compare_designs(args, log)
    f = fast["contacts_per_s"]
    summary = {
        "center": {"queues": [q.name for q in center.queues],
                   "groups": [g.name for g in center.groups],
                   "intervals": center.horizon, "interval_s": center.interval,
                   "peak_agents": float(agents.max()),
                   "contacts_per_week": fast["contacts"] / args.fast_weeks},
        "seed": args.seed,
        "repeat": args.repeat,
        "quick": args.quick,
        "fast_multiskill_contacts": fast["contacts"],
        "fast_multiskill_contacts_per_s": f,
        "fast_multiskill_contacts_per_s_best": fast["contacts_per_s_best"],
        "fast_multiskill_pipeline_contacts_per_s": fast["pipeline_contacts_per_s"],
        "simpy_multiskill_contacts": simpy_["contacts"],
        "simpy_multiskill_contacts_per_s": simpy_["contacts_per_s"],
        "speedup_vs_simpy": f / simpy_["contacts_per_s"],
        "records_identical": simpy_["records_identical"],
        "designs_agree": all(d["agree"] for d in agree.values()),
        "designs_alpha": alpha,
        "designs_tests": n_tests,
        "designs": agree,
        "goal_fast_4m_per_s_met": f >= GOAL_FAST,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpu": cpu_name(),
    }
    return summary


def report(s):
    out = []
    p = out.append
    c = s["center"]
    p("Multi-skill simulation benchmark (one core)")
    p(f"  cpu: {s['cpu']}  python {s['python']}  numpy {s['numpy']}")
    p(f"Center: queues {', '.join(c['queues'])}; groups {', '.join(c['groups'])}; "
      f"{c['intervals']} intervals of {c['interval_s']:g} s; {c['peak_agents']:g} agents at "
      f"the peak; {c['contacts_per_week']:,.0f} contacts a week")
    p(f"Fast kernel: {s['fast_multiskill_contacts']:,} contacts -> "
      f"{s['fast_multiskill_contacts_per_s']:,.0f} contacts/s (best "
      f"{s['fast_multiskill_contacts_per_s_best']:,.0f}); through simulate(): "
      f"{s['fast_multiskill_pipeline_contacts_per_s']:,.0f}")
    p(f"SimPy engine: {s['simpy_multiskill_contacts']:,} contacts -> "
      f"{s['simpy_multiskill_contacts_per_s']:,.0f} contacts/s; speedup "
      f"{s['speedup_vs_simpy']:,.0f}x; records identical: {s['records_identical']}")
    p(f"Designs (fast vs SimPy on different seeds, {s['designs_tests']} Welch tests at "
      f"{s['designs_alpha']:.2g} each):")
    for name, d in s["designs"].items():
        p(f"  {name:10s} smallest p {d['min_p_value']:.3g}  {'agree' if d['agree'] else 'DIFFER'}")
    p(f"designs_agree: {s['designs_agree']}")
    for k in ("pooling_saving_pct", "targets_met_sim", "staffing_seconds"):
        if k in s:
            p(f"{k}: {s[k]}")
    p(f"Goal: fast kernel >= {GOAL_FAST:,.0f} contacts/s: "
      f"{'MET' if s['goal_fast_4m_per_s_met'] else 'NOT MET'}")
    return "\n".join(out)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    ap.add_argument("--fast-weeks", type=int, default=None,
                    help=f"replications of the week for the kernel (default {FULL['fast_weeks']})")
    ap.add_argument("--simpy-weeks", type=int, default=None,
                    help=f"replications of the week for SimPy (default {FULL['simpy_weeks']})")
    ap.add_argument("--fast-reps", type=int, default=None,
                    help=f"fast replications per design (default {FULL['fast_reps']})")
    ap.add_argument("--simpy-reps", type=int, default=None,
                    help=f"SimPy replications per design (default {FULL['simpy_reps']})")
    ap.add_argument("--seed", type=int, default=20240613, help="seed (default 20240613)")
    ap.add_argument("--repeat", type=int, default=None, help="timed repetitions (default 5)")
    ap.add_argument("--json", action="store_true", help="print only a JSON summary")
    ap.add_argument("--plan-weeks", type=int, default=8,
                    help="horizon of the multi-skill demo plan (default 8; 0 skips it)")
    args = ap.parse_args(argv)
    preset = QUICK if args.quick else FULL
    for name, default in preset.items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    for name in ("fast_weeks", "simpy_weeks", "repeat"):
        if getattr(args, name) < 1:
            ap.error(f"--{name.replace('_', '-')} must be >= 1")
    for name in ("fast_reps", "simpy_reps"):
        if getattr(args, name) < 2:
            ap.error(f"--{name.replace('_', '-')} must be >= 2")
    if args.seed < 0:
        ap.error("--seed must be >= 0")
    return args


def _finite(x):
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else None
    if isinstance(x, np.generic):
        return x.item()
    return x


def main(argv=None):
    args = parse_args(argv)
    log = (lambda msg: print(msg, file=sys.stderr, flush=True)) if args.json else \
        (lambda msg: print(msg, flush=True))
    t0 = time.perf_counter()
    summary = run(args, log)
    summary.update(_plan_keys(args.plan_weeks, log))
    summary["total_seconds"] = time.perf_counter() - t0
    summary = _finite(summary)
    if args.json:
        print(json.dumps({k: summary.get(k) for k in KEYS}, indent=2))
    else:
        print()
        print(report(summary))
        print(f"\n(total {summary['total_seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
