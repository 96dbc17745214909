"""The ``ccwfm`` command line.

Every command reads a scenario file (TOML, see :mod:`plan.scenario`) or, for
``demo``, the embedded demo scenario, runs the pipeline up to its step and
writes an output folder: CSV and Excel tables, PNG charts and a one-page
HTML summary.  Exit codes: 0 success, 2 bad input (the message names the
field), 1 internal error.  Files are written atomically.
"""

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

from . import pipeline, report
from ._atomic import write_atomic
from .demo import DEMO_TOML, demo_scenario
from .scenario import Scenario, ScenarioError
from .scenarios import compare

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2

STEP_OF = {"forecast": "forecast", "staff": "simulation", "simulate": "simulation",
           "schedule": "schedule", "capacity": "capacity", "demo": "capacity"}


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _build_parser():
    parser = _Parser(prog="ccwfm", description="Workforce planning for contact centers: "
                     "forecast, staffing, simulation, shifts, capacity and cost.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def common(p, scenario=True):
        if scenario:
            p.add_argument("scenario", help="scenario file (TOML)")
        p.add_argument("--out", default=None, metavar="DIR",
                       help="output folder (default ccwfm-out/<command>)")
        p.add_argument("--weeks", type=int, default=None, metavar="N",
                       help="override the scenario's horizon in weeks")
        p.add_argument("--quiet", action="store_true", help="print only the summary")
        return p

    demo = common(sub.add_parser(
        "demo", help="plan the embedded demo contact center end to end",
        description="Forecast, requirements, simulation check, shift schedule, capacity and "
                    "cost for the demo contact center (voice with a bot, sales, chat, email; "
                    "8 weeks of 15-minute intervals), written to an output folder."),
        scenario=False)
    demo.add_argument("--print-scenario", action="store_true",
                      help="print the demo scenario (TOML) and exit")
    descriptions = {
        "forecast": "Forecast volume and AHT per queue and interval (with prediction "
                    "intervals and the model chosen by backtest).",
        "staff": "Forecast, then required agents per queue and interval (Erlang A or C), "
                 "checked and corrected by simulation.",
        "simulate": "Like staff, with the formula and simulated KPIs side by side.",
        "schedule": "Up to the shift schedule: starts per shift template, coverage, over/under "
                    "and the KPIs the schedule achieves.",
        "capacity": "The whole plan: schedule, weekly capacity against headcount, hires and "
                    "cost.",
    }
    for name, desc in descriptions.items():
        common(sub.add_parser(name, help=desc.split(".")[0].lower(), description=desc))
    sc = sub.add_parser("scenarios", help="compare the scenario's variants side by side",
                        description="Run the base scenario and each of its [[variants]] and "
                                    "compare FTE, cost and KPIs; runs on Dask, in-process by "
                                    "default or on a cluster with --scheduler.")
    sc.add_argument("scenario", help="scenario file (TOML); 'demo' for the demo scenario")
    sc.add_argument("--out", default=None, metavar="DIR")
    sc.add_argument("--weeks", type=int, default=None, metavar="N")
    sc.add_argument("--scheduler", default=None, metavar="ADDRESS",
                    help="Dask scheduler address (e.g. tcp://10.0.0.5:8786)")
    sc.add_argument("--quiet", action="store_true")
    dash = sub.add_parser("dashboard", help="open the planners' dashboard (Streamlit)",
                          description="Start the Streamlit dashboard on this machine.")
    dash.add_argument("--port", type=int, default=8501, help="port to serve on (default 8501)")
    dash.add_argument("--address", default="127.0.0.1",
                      help="address to serve on (default 127.0.0.1, this machine only; "
                           "0.0.0.0 for the network)")
    return parser


def _load(args):
    if args.command == "demo" or getattr(args, "scenario", None) == "demo":
        sc, base = demo_scenario(), Path.cwd()
    else:
        path = Path(args.scenario)
        sc, base = Scenario.from_toml(path), path.parent
    if args.weeks is not None:
        if args.weeks < 1:
            raise ScenarioError(f"'--weeks' must be >= 1: {args.weeks}")
        sc = dataclasses.replace(sc, weeks=args.weeks)
    return sc, base


def _out(args):
    return Path(args.out) if args.out else Path("ccwfm-out") / args.command


class _Progress:
    """A progress bar on stderr, drawn from the plan's :class:`plan.Progress` events.

    On a terminal, one line redrawn in place: ``[#####.....]  45%  12.3 s
    simulation round 2 ...``; elsewhere (a log file, CI) a timestamped line
    per event.
    """

    WIDTH = 28

    def __init__(self, quiet=False, stream=None):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.monotonic()

    def __call__(self, event):
        self._draw(min(event.fraction, 0.99), event.message)

    def _draw(self, frac, msg):
        if self.quiet:
            return
        secs = time.monotonic() - self.started
        if not self.tty:
            print(f"[{secs:5.1f} s] {msg}", file=self.stream, flush=True)
            return
        n = int(round(frac * self.WIDTH))
        line = f"[{'#' * n}{'.' * (self.WIDTH - n)}] {frac:4.0%} {secs:6.1f} s  {msg}"
        print("\r\033[K" + line[:160], end="", file=self.stream, flush=True)

    def finish(self):
        if not self.quiet and self.tty:
            self._draw(1.0, "done")
            print(file=self.stream, flush=True)


def _run_plan(args):
    if args.command == "demo" and args.print_scenario:
        print(DEMO_TOML.strip())
        return EXIT_OK
    sc, base = _load(args)
    steps = pipeline.STEPS[:pipeline.STEPS.index(STEP_OF[args.command]) + 1]
    bar = _Progress(quiet=args.quiet)
    try:
        res = pipeline.run(sc, base_dir=base, steps=steps, progress=bar)
    finally:
        bar.finish()
    files = report.write(res, _out(args))
    print(_summary_text(res))
    print(f"\nwrote {len(files)} files to {_out(args)}/ (open summary.html)")
    return EXIT_OK


def _summary_text(res):
    lines = [f"{res.scenario.name}: {res.scenario.start} + {res.scenario.weeks} weeks"]
    if not res.summary.empty:
        cols = [c for c in res.summary.columns if c in (
            "queue", "offered", "agent_hours_required", "service_level_plan",
            "service_level_sim_plan", "abandon_rate_sim_plan", "asa_sim_plan")]
        lines.append(res.summary[cols].to_string(index=False, float_format=lambda v: f"{v:,.3f}"
                                                 if abs(v) < 1 else f"{v:,.0f}"))
    if res.costs is not None:
        lines.append(res.costs.to_frame().to_string(index=False,
                                                    float_format=lambda v: f"{v:,.0f}"))
    return "\n".join(lines)


def _run_scenarios(args):
    sc, base = _load(args)
    table = compare(sc, base_dir=base, scheduler=args.scheduler,
                    log=None if args.quiet else (lambda m: print(m, file=sys.stderr)))
    out = _out(args)
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / "scenarios.csv",
                 lambda tmp: report.safe_text(table).to_csv(tmp, index=False))
    write_atomic(out / "scenarios.xlsx",
                 lambda tmp: report.safe_text(table).to_excel(tmp, index=False))
    print(table.to_string(index=False))
    print(f"\nwrote {out}/scenarios.csv and scenarios.xlsx")
    return EXIT_OK


def _run_dashboard(args):
    """Hand this process over to the dashboard's package (``python -m ccwfm.dashboard``).

    The process is replaced, not forked, so a signal that stops ``ccwfm
    dashboard`` reaches the dashboard, which stops its Streamlit server.
    """
    if not 0 < args.port < 65536:
        print(f"ccwfm dashboard: error: '--port' must be in 1-65535: {args.port}",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"ccwfm dashboard: http://{args.address}:{args.port} (Ctrl+C stops it)",
          file=sys.stderr)
    cmd = [sys.executable, "-m", "ccwfm.dashboard", "--port", str(args.port),
           "--address", args.address]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, cmd)
    return EXIT_INTERNAL          # not reached: execv returns only by raising


def main(argv=None):
    """Entry point of the ``ccwfm`` console script; returns the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    run = {"scenarios": _run_scenarios, "dashboard": _run_dashboard}.get(args.command, _run_plan)
    try:
        return run(args)
    except (ValueError, OSError) as exc:      # ScenarioError is a ValueError
        print(f"ccwfm {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - users get a message, not a traceback
        print(f"ccwfm {args.command}: internal error: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
