"""Speed and correctness benchmark of the Erlang staffing engine.

Measures, on one thread, how fast :func:`erlang.required_agents` and
:func:`erlang.metrics` answer a large batch of random contact-center cells,
and compares the Erlang C answers cell by cell with pyworkforce's
``ErlangC.required_positions``.  Every timed call goes through the public
API (validation and broadcasting included) and covers all its cells in one
vectorised call; a warm-up call on a few cells comes first, so Numba's
compilation (or cache loading) is not timed.  Each measurement is repeated
(``--repeat``, default 5) and the median and minimum are reported.

What is measured
----------------
1. **Erlang C required agents** for ``--cells`` (default 1,000,000) random
   cells drawn from a seeded :class:`numpy.random.Generator`: volume uniform
   in 1-2,000 contacts per 30-minute interval, AHT uniform in 180-600 s,
   service-level target uniform in 70-95 % answered within a threshold
   uniform in 10-60 s.  Reported in ns per cell.
2. **Erlang A required agents** with an abandonment target (uniform
   2-10 % of offered contacts, mean patience uniform 60-600 s) on the first
   ``--a-cells`` (default 200,000) of the same cells.  Reported in ns per
   cell.
3. **Erlang A metrics** (:func:`erlang.metrics` with ``patience``, every
   field) at the agent counts found in 2, in ns per cell.  A self-check
   confirms those counts meet the target and one agent fewer does not.
4. **pyworkforce** ``ErlangC(transactions, aht, asa, interval=30)
   .required_positions(service_level)["raw_positions"]`` (all times in
   minutes there; its ``asa`` is the service-level threshold) on
   ``--peer-sample`` (default 300) cells drawn from the cells of 1.  Both
   engines are timed on that same sample in the same run (ours as one
   vectorised call); the speedup is also given against our per-cell time
   over all cells.  Every sample cell is solved again by an independent
   slow exact search written here (80-digit :mod:`decimal` arithmetic on the
   exact float inputs: Erlang B by its forward recursion, then
   ``SL(n) = 1 - C(n, a) exp(-(n - a) t / aht)``), and each mismatch is
   classified as "peer wrong" or "ours wrong".  pyworkforce starts its
   search at ``round(load + 1)``, so it over-staffs small loads.  When
   pyworkforce cannot be imported this part is skipped with a note and its
   JSON keys are ``null``.

Goals checked: Erlang C <= 150 ns per cell; >= 1000x faster than
pyworkforce per cell, judged on the same sample in the same run
(``goal_speedup_1000x_met``, which includes our fixed per-call cost spread
over only a few hundred cells) and against our per-cell time over all cells
(``goal_speedup_1000x_met_full_batch``); answers identical except where
pyworkforce is wrong (and ours equal to the exact answer on every sample
cell); Erlang A metrics <= 1.5 us per cell.  The script exits
with status 0 whether or not the goals are met; it only reports them.

Threads are pinned before numpy, Numba or :mod:`erlang` is imported
(``NUMBA_NUM_THREADS``, ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``,
``OPENBLAS_NUM_THREADS`` = 1), so the times are single-core times.

Notes
-----
Run with ccwfm installed (``make bench`` installs it)::

    .venv/bin/python benchmarks/erlang_bench.py            # readable report
    .venv/bin/python benchmarks/erlang_bench.py --json     # JSON only
    .venv/bin/python benchmarks/erlang_bench.py --cells 100000 --repeat 3

``make bench`` installs the ``bench`` extra (pyworkforce) and runs every
``benchmarks/*_bench.py``.  Options: ``--cells N``, ``--a-cells N``,
``--peer-sample N``, ``--seed S`` (default 20240601), ``--repeat R``,
``--json``.  With ``--json`` only the JSON summary is written to stdout;
its keys include ``erlang_c_ns_per_cell``, ``erlang_a_ns_per_cell``,
``erlang_a_metrics_ns_per_cell``, ``pyworkforce_us_per_cell``,
``speedup_vs_pyworkforce``, ``mismatches_vs_pyworkforce``,
``mismatches_peer_wrong``, ``mismatches_ours_wrong``, the cell counts and
the ``goal_*`` booleans.

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
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from decimal import Decimal, localcontext  # noqa: E402
from pathlib import Path  # noqa: E402

_ROOT = Path(__file__).resolve().parents[1]

import numpy as np  # noqa: E402

from ccwfm import erlang  # noqa: E402

INTERVAL = 1800.0          # seconds per interval (30 minutes)
GOAL_C_NS = 150.0          # Erlang C required agents, ns per cell
GOAL_SPEEDUP = 1000.0      # vs pyworkforce, per cell
GOAL_A_METRICS_NS = 1500.0  # Erlang A metrics, ns per cell
WARMUP_CELLS = 8
EXACT_DIGITS = 80
KNOWN_CASE = {"volume": 3.0, "aht": 300.0, "service_level": 0.5, "target_time": 20.0}


# ------------------------------------------------------------------ timing


def timed(fn, repeat, number=1):
    """Run ``fn`` ``repeat`` times (each ``number`` calls); seconds per call.

    Returns ``(last result, median, minimum)``; the garbage collector is
    off while timing.
    """
    times = []
    result = None
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            for _ in range(number):
                result = fn()
            times.append((time.perf_counter() - t0) / number)
    finally:
        if was_enabled:
            gc.enable()
    return result, statistics.median(times), min(times)


# ------------------------------------------------------------ inputs


def draw_cells(rng, n):
    """Random Erlang C cells: volume per 30 min, AHT (s), SL target, threshold (s)."""
    return {
        "volume": rng.uniform(1.0, 2000.0, n),
        "aht": rng.uniform(180.0, 600.0, n),
        "service_level": rng.uniform(0.70, 0.95, n),
        "target_time": rng.uniform(10.0, 60.0, n),
    }


# ------------------------------------------------------ exact reference


def exact_required(volume, aht, service_level, target_time, interval=INTERVAL):
    """Smallest stable ``n`` with exact Erlang C ``SL(n) >= service_level``.

    Independent of :mod:`erlang`: 80-digit decimal arithmetic on the exact
    values of the float inputs, Erlang B by its (stable) forward recursion
    ``B(k) = a B(k-1) / (k + a B(k-1))``, ``C = n B / (n - a (1 - B))`` and
    ``SL(n) = 1 - C exp(-(n - a) t / aht)``.

    Returns ``(n, {n: SL(n)})`` with the service levels of every stable
    ``n`` examined (as Decimals), so that the SL at nearby answers can be
    shown without recomputing.
    """
    with localcontext() as ctx:
        ctx.prec = EXACT_DIGITS
        a = Decimal(volume) * Decimal(aht) / Decimal(interval)
        rate = Decimal(target_time) / Decimal(aht)
        target = Decimal(service_level)
        b = Decimal(1)
        k = 0
        seen = {}
        while True:
            k += 1
            ab = a * b
            b = ab / (k + ab)
            if k <= a:
                continue
            c = k * b / (k - a * (1 - b))
            sl = 1 - c * (-(k - a) * rate).exp()
            seen[k] = sl
            if sl >= target:
                return k, seen


def exact_sl(n, volume, aht, target_time, interval=INTERVAL):
    """Exact Erlang C service level at ``n`` agents (0 when ``n <= load``)."""
    with localcontext() as ctx:
        ctx.prec = EXACT_DIGITS
        a = Decimal(volume) * Decimal(aht) / Decimal(interval)
        if n <= a:
            return Decimal(0)
        b = Decimal(1)
        for k in range(1, int(n) + 1):
            ab = a * b
            b = ab / (k + ab)
        c = n * b / (n - a * (1 - b))
        return 1 - c * (-(n - a) * Decimal(target_time) / Decimal(aht)).exp()


# ------------------------------------------------------------ pyworkforce


def load_pyworkforce():
    """``(ErlangC class, version, note)``; the class is None when unavailable."""
    try:
        from pyworkforce.queuing import ErlangC
    except Exception as exc:  # ImportError, or a broken install
        return None, None, f"pyworkforce not importable ({type(exc).__name__}: {exc}); " \
                           "comparison skipped (install with: pip install -e '.[bench]')"
    try:
        from importlib.metadata import version
        ver = version("pyworkforce")
    except Exception:
        ver = None
    return ErlangC, ver, None


def peer_required(erlang_c_cls, volume, aht, service_level, target_time):
    """pyworkforce's answer for one cell (its units are minutes)."""
    model = erlang_c_cls(transactions=float(volume), aht=float(aht) / 60.0,
                         asa=float(target_time) / 60.0, interval=30)
    return int(model.required_positions(service_level=float(service_level))["raw_positions"])


def compare_with_peer(erlang_c_cls, cells, idx, repeat):
    """Time both engines on the sample and audit every answer exactly."""
    sample = {k: np.ascontiguousarray(v[idx]) for k, v in cells.items()}
    m = idx.shape[0]
    rows = list(zip(sample["volume"].tolist(), sample["aht"].tolist(),
                    sample["service_level"].tolist(), sample["target_time"].tolist()))

    def run_peer():
        out = []
        for vol, h, sl, t in rows:
            try:
                out.append(peer_required(erlang_c_cls, vol, h, sl, t))
            except Exception:  # noqa: BLE001 - a failure is reported, not fatal
                out.append(None)
        return out

    def run_ours():
        return erlang.required_agents(sample["volume"], sample["aht"],
                                      service_level=sample["service_level"],
                                      target_time=sample["target_time"],
                                      interval=INTERVAL)

    peer, peer_med, peer_min = timed(run_peer, repeat)
    # One vectorised call on a few hundred cells takes tens of microseconds:
    # average over several calls per repetition so the clock resolution and
    # scheduling jitter do not dominate.
    ours, ours_med, ours_min = timed(run_ours, repeat, number=20)
    ours = ours.tolist()

    mismatches = []
    ours_exact_wrong = 0
    peer_exact_wrong = 0
    peer_errors = 0
    for j, (vol, h, sl, t) in enumerate(rows):
        exact, seen = exact_required(vol, h, sl, t)
        o, p = ours[j], peer[j]
        if o != exact:
            ours_exact_wrong += 1
        if p is None:
            peer_errors += 1
        elif p != exact:
            peer_exact_wrong += 1
        if o == p:
            continue
        sl_o = seen[o] if o in seen else exact_sl(o, vol, h, t)
        sl_p = (seen[p] if p in seen else exact_sl(p, vol, h, t)) if p is not None else None
        if o == exact:
            verdict = "peer wrong"
        elif p == exact:
            verdict = "ours wrong"
        else:
            verdict = "ours wrong (peer wrong too)"
        mismatches.append({
            "index": int(idx[j]),
            "volume": vol, "aht": h, "service_level": sl, "target_time": t,
            "load": vol * h / INTERVAL,
            "ours": o, "peer": p, "exact": exact,
            "exact_sl_ours": float(sl_o),
            "exact_sl_peer": None if sl_p is None else float(sl_p),
            "verdict": verdict,
        })
    return {
        "cells": m,
        "peer_s": (peer_med, peer_min),
        "ours_s": (ours_med, ours_min),
        "mismatches": mismatches,
        "ours_exact_wrong": ours_exact_wrong,
        "peer_exact_wrong": peer_exact_wrong,
        "peer_errors": peer_errors,
    }


def known_case(erlang_c_cls):
    """The documented small-load case: ours, pyworkforce and the exact answer."""
    kc = KNOWN_CASE
    ours = int(erlang.required_agents(kc["volume"], kc["aht"], service_level=kc["service_level"],
                                      target_time=kc["target_time"], interval=INTERVAL))
    exact, _ = exact_required(kc["volume"], kc["aht"], kc["service_level"], kc["target_time"])
    peer = None
    if erlang_c_cls is not None:
        peer = peer_required(erlang_c_cls, kc["volume"], kc["aht"], kc["service_level"],
                             kc["target_time"])
    return dict(kc, ours=ours, peer=peer, exact=exact)


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


def run(args, log):
    rng = np.random.default_rng(args.seed)
    n = args.cells
    cells = draw_cells(rng, n)
    m_peer = min(args.peer_sample, n)
    idx = np.sort(rng.choice(n, size=m_peer, replace=False)) if m_peer > 0 else np.empty(0, int)
    n_a = min(args.a_cells, n)
    abandon = rng.uniform(0.02, 0.10, n_a)
    patience = rng.uniform(60.0, 600.0, n_a)
    vol, aht = cells["volume"], cells["aht"]
    sl, tt = cells["service_level"], cells["target_time"]

    # ---- Erlang C required agents
    w = slice(0, min(WARMUP_CELLS, n))
    erlang.required_agents(vol[w], aht[w], service_level=sl[w], target_time=tt[w],
                           interval=INTERVAL)
    log(f"Erlang C required agents: {n:,} cells x {args.repeat} repetitions ...")
    agents_c, c_med, c_min = timed(
        lambda: erlang.required_agents(vol, aht, service_level=sl, target_time=tt,
                                       interval=INTERVAL), args.repeat)
    c_ns, c_ns_min = c_med / n * 1e9, c_min / n * 1e9

    # ---- Erlang A required agents, abandonment target
    va, ha, ta = vol[:n_a], aht[:n_a], tt[:n_a]
    wa = slice(0, min(WARMUP_CELLS, n_a))
    erlang.required_agents(va[wa], ha[wa], abandon_rate=abandon[wa], patience=patience[wa],
                           interval=INTERVAL)
    log(f"Erlang A required agents: {n_a:,} cells x {args.repeat} repetitions ...")
    agents_a, a_med, a_min = timed(
        lambda: erlang.required_agents(va, ha, abandon_rate=abandon, patience=patience,
                                       interval=INTERVAL), args.repeat)
    a_ns, a_ns_min = a_med / n_a * 1e9, a_min / n_a * 1e9

    # ---- Erlang A metrics at those agents
    erlang.metrics(agents_a[wa], va[wa], ha[wa], target_time=ta[wa], interval=INTERVAL,
                   patience=patience[wa])
    log(f"Erlang A metrics: {n_a:,} cells x {args.repeat} repetitions ...")
    met, am_med, am_min = timed(
        lambda: erlang.metrics(agents_a, va, ha, target_time=ta, interval=INTERVAL,
                               patience=patience), args.repeat)
    am_ns, am_ns_min = am_med / n_a * 1e9, am_min / n_a * 1e9

    # ---- self-checks (untimed): targets met, one agent fewer misses
    a_met = float(np.mean(met.abandon_rate <= abandon)) if n_a else None
    fewer = erlang.metrics(np.maximum(agents_a - 1, 0), va, ha, target_time=ta,
                           interval=INTERVAL, patience=patience)
    a_minimal = float(np.mean((agents_a == 0) | (fewer.abandon_rate > abandon))) if n_a else None
    mc = erlang.metrics(agents_c, vol, aht, target_time=tt, interval=INTERVAL)
    mc1 = erlang.metrics(np.maximum(agents_c - 1, 0), vol, aht, target_time=tt,
                         interval=INTERVAL)
    c_met = float(np.mean(mc.service_level >= sl)) if n else None
    c_minimal = float(np.mean((agents_c == 0) | (mc1.service_level < sl))) if n else None

    # ---- pyworkforce
    erlang_c_cls, peer_version, peer_note = load_pyworkforce()
    peer = None
    if erlang_c_cls is not None and m_peer > 0:
        log(f"pyworkforce comparison: {m_peer} cells x {args.repeat} repetitions "
            f"+ exact audit ...")
        peer = compare_with_peer(erlang_c_cls, cells, idx, args.repeat)
    elif erlang_c_cls is not None:
        peer_note = "peer sample is empty (--peer-sample 0); comparison skipped"
    kc = known_case(erlang_c_cls)

    summary = {
        "cells": n,
        "erlang_a_cells": n_a,
        "peer_sample_cells": peer["cells"] if peer else 0,
        "seed": args.seed,
        "repeat": args.repeat,
        "erlang_c_ns_per_cell": c_ns,
        "erlang_c_ns_per_cell_min": c_ns_min,
        "erlang_a_ns_per_cell": a_ns,
        "erlang_a_ns_per_cell_min": a_ns_min,
        "erlang_a_metrics_ns_per_cell": am_ns,
        "erlang_a_metrics_ns_per_cell_min": am_ns_min,
        "erlang_c_mean_agents": float(agents_c.mean()) if n else None,
        "erlang_a_mean_agents": float(agents_a.mean()) if n_a else None,
        "self_check_erlang_c_target_met_share": c_met,
        "self_check_erlang_c_minimal_share": c_minimal,
        "self_check_erlang_a_target_met_share": a_met,
        "self_check_erlang_a_minimal_share": a_minimal,
        "pyworkforce_available": erlang_c_cls is not None,
        "pyworkforce_version": peer_version,
        "pyworkforce_note": peer_note,
        "pyworkforce_us_per_cell": None,
        "pyworkforce_us_per_cell_min": None,
        "ours_sample_us_per_cell": None,
        "ours_sample_call_us": None,
        "speedup_vs_pyworkforce": None,
        "speedup_vs_pyworkforce_full_batch": None,
        "mismatches_vs_pyworkforce": None,
        "mismatches_peer_wrong": None,
        "mismatches_ours_wrong": None,
        "peer_errors": None,
        "ours_differs_from_exact_in_sample": None,
        "peer_differs_from_exact_in_sample": None,
        "mismatch_cells": None,
        "known_case": kc,
        "goal_erlang_c_150ns_met": c_ns <= GOAL_C_NS,
        "goal_speedup_1000x_met": None,
        "goal_speedup_1000x_met_full_batch": None,
        "goal_identical_except_peer_wrong_met": None,
        "goal_erlang_a_metrics_1500ns_met": am_ns <= GOAL_A_METRICS_NS,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": _numba_version(),
        "cpu": cpu_name(),
        "numba_num_threads": os.environ.get("NUMBA_NUM_THREADS"),
    }
    if peer:
        peer_us = peer["peer_s"][0] / peer["cells"] * 1e6
        ours_us = peer["ours_s"][0] / peer["cells"] * 1e6
        mism = peer["mismatches"]
        ours_wrong = sum(1 for r in mism if r["verdict"].startswith("ours wrong"))
        summary.update({
            "pyworkforce_us_per_cell": peer_us,
            "pyworkforce_us_per_cell_min": peer["peer_s"][1] / peer["cells"] * 1e6,
            "ours_sample_us_per_cell": ours_us,
            "ours_sample_call_us": peer["ours_s"][0] * 1e6,
            "speedup_vs_pyworkforce": peer_us / ours_us,
            "speedup_vs_pyworkforce_full_batch": peer_us * 1e3 / c_ns,
            "mismatches_vs_pyworkforce": len(mism),
            "mismatches_peer_wrong": sum(1 for r in mism if r["verdict"] == "peer wrong"),
            "mismatches_ours_wrong": ours_wrong,
            "peer_errors": peer["peer_errors"],
            "ours_differs_from_exact_in_sample": peer["ours_exact_wrong"],
            "peer_differs_from_exact_in_sample": peer["peer_exact_wrong"],
            "mismatch_cells": mism,
            "goal_speedup_1000x_met": peer_us / ours_us >= GOAL_SPEEDUP,
            "goal_speedup_1000x_met_full_batch": peer_us * 1e3 / c_ns >= GOAL_SPEEDUP,
            "goal_identical_except_peer_wrong_met": (ours_wrong == 0
                                                     and peer["ours_exact_wrong"] == 0),
        })
    return summary


def _numba_version():
    try:
        import numba
        return numba.__version__
    except Exception:
        return None


def _yes(flag):
    return "n/a" if flag is None else ("MET" if flag else "NOT MET")


def report(s):
    """Readable report of a summary."""
    out = []
    p = out.append
    p("Erlang staffing benchmark (one thread; public API, validation included)")
    p(f"  cpu: {s['cpu']}  python {s['python']}  numpy {s['numpy']}  numba {s['numba']}")
    p(f"  seed {s['seed']}, {s['repeat']} repetitions; times are median (min)")
    p("")
    p(f"Erlang C required agents, {s['cells']:,} cells (SL 70-95% in 10-60 s):")
    p(f"  {s['erlang_c_ns_per_cell']:8.1f} ns/cell ({s['erlang_c_ns_per_cell_min']:.1f})"
      f"   mean agents {s['erlang_c_mean_agents']:.1f}")
    p(f"  self-check: target met {s['self_check_erlang_c_target_met_share']:.6f}, "
      f"one fewer misses {s['self_check_erlang_c_minimal_share']:.6f}")
    p(f"Erlang A required agents, abandonment 2-10%, patience 60-600 s, "
      f"{s['erlang_a_cells']:,} cells:")
    p(f"  {s['erlang_a_ns_per_cell']:8.1f} ns/cell ({s['erlang_a_ns_per_cell_min']:.1f})"
      f"   mean agents {s['erlang_a_mean_agents']:.1f}")
    p(f"  self-check: target met {s['self_check_erlang_a_target_met_share']:.6f}, "
      f"one fewer misses {s['self_check_erlang_a_minimal_share']:.6f}")
    p(f"Erlang A metrics (all fields) at those agents, {s['erlang_a_cells']:,} cells:")
    p(f"  {s['erlang_a_metrics_ns_per_cell']:8.1f} ns/cell "
      f"({s['erlang_a_metrics_ns_per_cell_min']:.1f})")
    p("")
    if s["pyworkforce_us_per_cell"] is None:
        p(f"pyworkforce comparison skipped: {s['pyworkforce_note']}")
    else:
        p(f"pyworkforce {s['pyworkforce_version']} ErlangC.required_positions, "
          f"{s['peer_sample_cells']} of the same cells:")
        p(f"  pyworkforce {s['pyworkforce_us_per_cell']:10.1f} us/cell "
          f"({s['pyworkforce_us_per_cell_min']:.1f})")
        p(f"  ours        {s['ours_sample_us_per_cell']:10.3f} us/cell "
          f"(one vectorised call on the same cells: {s['ours_sample_call_us']:.1f} us "
          f"per call, mostly fixed per-call cost)")
        p(f"  speedup {s['speedup_vs_pyworkforce']:,.0f}x on the same cells; "
          f"{s['speedup_vs_pyworkforce_full_batch']:,.0f}x against our "
          f"{s['cells']:,}-cell per-cell time")
        p(f"  mismatches {s['mismatches_vs_pyworkforce']}: peer wrong "
          f"{s['mismatches_peer_wrong']}, ours wrong {s['mismatches_ours_wrong']}"
          f" (peer errors {s['peer_errors']})")
        p(f"  exact audit of every sample cell ({EXACT_DIGITS}-digit decimal): "
          f"ours differs from exact {s['ours_differs_from_exact_in_sample']}, "
          f"pyworkforce {s['peer_differs_from_exact_in_sample']}")
        for r in s["mismatch_cells"]:
            p(f"    cell {r['index']}: volume={r['volume']!r} aht={r['aht']!r} "
              f"SL={r['service_level']!r} t={r['target_time']!r} (load {r['load']:.3f}): "
              f"ours {r['ours']} (exact SL {r['exact_sl_ours']:.12f}), "
              f"peer {r['peer']} (exact SL {r['exact_sl_peer']}), exact {r['exact']}"
              f" -> {r['verdict']}")
    kc = s["known_case"]
    p(f"Known small-load case: {kc['volume']:g} calls/30 min, AHT {kc['aht']:g} s, "
      f"{kc['service_level']:.0%} in {kc['target_time']:g} s: ours {kc['ours']}, "
      f"pyworkforce {kc['peer']}, exact {kc['exact']}")
    p("")
    p("Goals:")
    p(f"  Erlang C <= {GOAL_C_NS:g} ns/cell on one core: "
      f"{_yes(s['goal_erlang_c_150ns_met'])} ({s['erlang_c_ns_per_cell']:.1f})")
    sp = s["speedup_vs_pyworkforce"]
    p(f"  >= {GOAL_SPEEDUP:g}x pyworkforce per cell, same sample, same run: "
      f"{_yes(s['goal_speedup_1000x_met'])}" + ("" if sp is None else f" ({sp:,.0f}x)"))
    spf = s["speedup_vs_pyworkforce_full_batch"]
    p(f"  >= {GOAL_SPEEDUP:g}x pyworkforce per cell, our {s['cells']:,}-cell time: "
      f"{_yes(s['goal_speedup_1000x_met_full_batch'])}"
      + ("" if spf is None else f" ({spf:,.0f}x)"))
    p(f"  identical answers except where pyworkforce is wrong: "
      f"{_yes(s['goal_identical_except_peer_wrong_met'])}")
    p(f"  Erlang A metrics <= {GOAL_A_METRICS_NS / 1000:g} us/cell: "
      f"{_yes(s['goal_erlang_a_metrics_1500ns_met'])} "
      f"({s['erlang_a_metrics_ns_per_cell']:.1f} ns)")
    return "\n".join(out)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--cells", type=int, default=1_000_000,
                    help="random Erlang C cells (default 1,000,000)")
    ap.add_argument("--a-cells", type=int, default=200_000,
                    help="Erlang A cells, the first of the same cells (default 200,000)")
    ap.add_argument("--peer-sample", type=int, default=300,
                    help="cells compared with pyworkforce (default 300)")
    ap.add_argument("--seed", type=int, default=20240601, help="numpy Generator seed")
    ap.add_argument("--repeat", type=int, default=5, help="timed repetitions (default 5)")
    ap.add_argument("--json", action="store_true", help="print only a JSON summary")
    args = ap.parse_args(argv)
    for name in ("cells", "a_cells", "repeat"):
        if getattr(args, name) < 1:
            ap.error(f"--{name.replace('_', '-')} must be >= 1")
    if args.peer_sample < 0:
        ap.error("--peer-sample must be >= 0")
    return args


def main(argv=None):
    args = parse_args(argv)
    log = (lambda msg: print(msg, file=sys.stderr, flush=True)) if args.json else \
        (lambda msg: print(msg, flush=True))
    summary = run(args, log)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print()
        print(report(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
