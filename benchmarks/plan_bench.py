"""The main job, both ways: the demo plan with integrated and with two-step scheduling.

Runs :func:`plan.run` on the embedded demo scenario (four queues, 8 weeks of
15-minute intervals: forecasts with backtests, requirements, shifts, the
simulation check, the weekly capacity plan and costs) and writes the output
folder, as ``ccwfm demo`` does, twice in one run:

* **integrated** (``workforce.scheduling = "integrated"``, the default):
  shifts chosen against each queue's target at its level (the day), checked
  and corrected by simulation, confirmed on fresh random numbers;
* **two-step** (``"two_step"``): every interval's formula requirement,
  corrected by simulation, then covered by shifts.

Then a 52-week plan of the demo (integrated) in a child process, for its
time and peak memory.  A first run on a one-week horizon warms up Numba's
compilation (its cache), which is not timed.

Goals (issue 12): ``saving_vs_two_step_pct`` >= 8, ``targets_met_sim`` true,
``max_overservice_pp`` <= 3, ``demo_seconds`` < 60, ``year_seconds`` < 60
(and ``year_peak_mb`` < 1,024).

Run from a checkout::

    .venv/bin/python benchmarks/plan_bench.py            # readable report
    .venv/bin/python benchmarks/plan_bench.py --json     # JSON only

JSON keys: ``paid_hours`` and ``paid_hours_two_step`` (paid hours of the
demo's shifts, both ways), ``saving_vs_two_step_pct``, ``targets_met_sim``
(every queue meets every target at its level in the confirmation on fresh
random numbers, on the safe end of its 95% confidence interval),
``max_overservice_pp`` (over queues with a service-level target: the mean
over the level's periods of simulated service level minus target, in
points, the largest), ``backlog_sla_met`` (every deferrable queue meets its
targets in that confirmation), ``demo_seconds`` (the integrated demo, report
included), ``year_seconds``, ``year_peak_mb``; and, as before,
``demo_two_step_seconds``, ``whatif_seconds`` (formula staffing of one
variant on the cached forecast, as the dashboard's What-if page does it).
"""

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_YEAR = """
import time, resource
t0 = time.perf_counter()
from ccwfm.plan import pipeline
from ccwfm.plan.demo import demo_scenario
res = pipeline.run(demo_scenario(weeks={weeks}))
print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      res.comparison.get("paid_hours", float("nan")), bool(res.attainment["met"].all()))
"""


def _timed_demo(scheduling, weeks, say):
    from ccwfm.plan import pipeline, report
    from ccwfm.plan.demo import demo_scenario

    sc = demo_scenario(weeks=weeks)
    sc = dataclasses.replace(sc, workforce=dataclasses.replace(sc.workforce,
                                                               scheduling=scheduling))
    started = time.perf_counter()

    def progress(event):
        say(f"  [{time.perf_counter() - started:6.1f} s] {event.message}")

    res = pipeline.run(sc, progress=progress)
    with tempfile.TemporaryDirectory() as tmp:
        report.write(res, tmp)
    return res, time.perf_counter() - started


def _paid(res):
    return float(sum(res.shifts["agents"] * res.shifts["template"].map(
        {t.name: t.paid_hours for t in res.scenario.workforce.templates(None)})))


def _overservice(res):
    """Largest mean excess of the simulated service level over its target, points."""
    a = res.attainment
    out = []
    for q in res.scenario.queues:
        if q.target.service_level is None:
            continue
        rows = a[(a["queue"] == q.name) & (a["metric"] == "service_level")]
        if len(rows):
            out.append(100.0 * float((rows["simulated"] - rows["target"]).mean()))
    return max(out) if out else 0.0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON summary")
    parser.add_argument("--weeks", type=int, default=8, help="demo horizon in weeks (default 8)")
    parser.add_argument("--year-weeks", type=int, default=52,
                        help="horizon of the yearly plan (default 52; 0 skips it)")
    args = parser.parse_args(argv)

    say = (lambda *a: None) if args.json else print
    say("warming up (one-week demo both ways, not timed) ...")
    for how in ("integrated", "two_step"):
        _timed_demo(how, 1, lambda *a: None)
    say("demo, integrated scheduling:")
    res, demo_s = _timed_demo("integrated", args.weeks, say)
    say("demo, two-step scheduling:")
    two, two_s = _timed_demo("two_step", args.weeks, say)
    paid, paid_two = _paid(res), _paid(two)
    deferrable = [q.name for q in res.scenario.queues if q.is_deferrable]
    a = res.attainment
    backlog = a[a["queue"].isin(deferrable)]

    # What-if: formula staffing of a variant on the forecast made once.
    from ccwfm.plan import forecast_demand, quick_plan
    from ccwfm.plan.demo import demo_scenario
    sc = demo_scenario(weeks=args.weeks)
    fc, _ = forecast_demand(sc)
    variant = sc.with_overrides({"queues.voice.bot.containment": 0.4})
    quick_plan(variant, fc)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        quick_plan(variant, fc)
        times.append(time.perf_counter() - t0)

    year_s = year_mb = float("nan")
    if args.year_weeks:
        say(f"{args.year_weeks}-week plan of the demo (integrated), in a child process ...")
        out = subprocess.run([sys.executable, "-c", _YEAR.format(weeks=args.year_weeks)],
                             capture_output=True, text=True, cwd=ROOT, check=True)
        line = out.stdout.strip().splitlines()[-1].split()
        year_s, year_mb = float(line[0]), float(line[1]) / 1024.0
    summary = {
        "paid_hours": round(paid, 1),
        "paid_hours_two_step": round(paid_two, 1),
        "saving_vs_two_step_pct": round(100.0 * (1.0 - paid / paid_two), 2),
        "targets_met_sim": bool(len(a) > 0 and a["met"].all()),
        "max_overservice_pp": round(_overservice(res), 2),
        "backlog_sla_met": bool(len(backlog) > 0 and backlog["met"].all()),
        "demo_seconds": round(demo_s, 2),
        "year_seconds": round(year_s, 2),
        "year_peak_mb": round(year_mb, 1),
        "demo_two_step_seconds": round(two_s, 2),
        "whatif_seconds": round(sorted(times)[2], 3),
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        say("")
        for k, v in summary.items():
            say(f"{k:>26}: {v}")
        say(f"{'cores':>26}: {len(os.sched_getaffinity(0))}")
        say(f"{'periods missed':>26}: {int((~a['met']).sum())} of {len(a)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
