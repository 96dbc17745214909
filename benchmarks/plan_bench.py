"""How long the main job takes: the demo plan end to end.

Runs :func:`plan.run` on the embedded demo scenario (four queues, 8 weeks of
15-minute intervals: forecasts with backtests, Erlang requirements, the
simulation check with its correction loop, the shift schedule per group
(HiGHS), the weekly capacity plan and costs) and writes the output folder,
as ``ccwfm demo`` does.  A first run on a one-week horizon warms up Numba's
compilation (its cache), which is not timed.

Goal: under 60 seconds on 2 cores after the first JIT compile.

Run from a checkout::

    .venv/bin/python benchmarks/plan_bench.py            # readable report
    .venv/bin/python benchmarks/plan_bench.py --json     # JSON only

JSON keys: ``demo_seconds`` (the whole job, report included),
``pipeline_seconds`` and ``report_seconds``, ``steps`` (seconds per step
from the pipeline's log), ``goal_60s_met``, ``whatif_seconds`` (formula
staffing of one variant on the cached forecast, as the dashboard's What-if
page does it).
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON summary")
    parser.add_argument("--weeks", type=int, default=8, help="horizon in weeks (default 8)")
    args = parser.parse_args(argv)

    from ccwfm.plan import pipeline, report
    from ccwfm.plan.demo import demo_scenario

    say = (lambda *a: None) if args.json else print
    say("warming up (one-week demo, not timed) ...")
    with tempfile.TemporaryDirectory() as tmp:
        report.write(pipeline.run(demo_scenario(weeks=1)), tmp)
    sc = demo_scenario(weeks=args.weeks)
    marks = []
    started = time.perf_counter()

    def progress(event):
        marks.append((time.perf_counter() - started, event.step))
        say(f"[{marks[-1][0]:6.1f} s] {event.message}")

    res = pipeline.run(sc, progress=progress)
    pipeline_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        files = report.write(res, tmp)
        report_s = time.perf_counter() - t0
    total = pipeline_s + report_s
    # What-if: formula staffing of a variant on the forecast made once (the
    # dashboard's What-if page), median of 5 after one untimed call.
    from ccwfm.plan import forecast_demand, quick_plan
    fc, _ = forecast_demand(sc)
    variant = sc.with_overrides({"queues.voice.bot.containment": 0.4})
    quick_plan(variant, fc)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        quick_plan(variant, fc)
        times.append(time.perf_counter() - t0)
    whatif_s = sorted(times)[2]
    steps, last = {}, 0.0
    for t, key in marks:
        steps[key] = round(steps.get(key, 0.0) + t - last, 2)
        last = t
    out = {"demo_seconds": round(total, 2), "pipeline_seconds": round(pipeline_s, 2),
           "report_seconds": round(report_s, 2), "weeks": args.weeks,
           "queues": len(sc.queues), "interval_minutes": sc.workforce.interval,
           "files_written": len(files), "steps": steps, "goal_60s_met": total < 60.0,
           "whatif_seconds": round(whatif_s, 3),
           "cpu_count": os.cpu_count()}
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        say(f"\ndemo plan: {total:.1f} s ({pipeline_s:.1f} s pipeline, {report_s:.1f} s "
            f"report); goal < 60 s: {'met' if out['goal_60s_met'] else 'NOT met'}")
        say(f"what-if (formula staffing of a variant, forecast cached): {whatif_s:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
