"""The ``ccwfm`` command line.

Every command reads a scenario file (TOML, see :mod:`plan.scenario`) or, for
``demo``, the embedded demo scenario, runs the pipeline up to its step and
writes an output folder: CSV and Excel tables, PNG charts and a one-page
HTML summary.  Exit codes: 0 success, 2 bad input (the message names the
field), 1 internal error, 128 + the signal's number when stopped (130 Ctrl+C,
143 SIGTERM).  Files are written atomically: a stopped run leaves no
partial or temporary file.
"""

import argparse
import contextlib
import dataclasses
import os
import re
import signal
import stat
import sys
import threading
import time
import zipfile
from pathlib import Path

from ccwfm import _validation as v
from ccwfm._limits import at_most

from . import pipeline, report
from .bundle import open_bundle
from .demand import load_histories
from .demo import demo_scenario, demo_toml
from .pooling import is_pooled
from .progress import Progress
from .roster import make_roster, write_roster
from .scenario import Scenario
from .scenarios import compare

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2
EXIT_SIGNAL = 128             # + the signal's number: 130 Ctrl+C, 143 SIGTERM, 129 SIGHUP

STEP_OF = {"forecast": "forecast", "staff": "simulation", "simulate": "simulation",
           "schedule": "schedule", "capacity": "capacity", "demo": "capacity"}


_ARGUMENT = re.compile(r"^argument ([^:]+): ")


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line naming the argument, exit code 2."""

    def error(self, message):
        message = v.printable(_ARGUMENT.sub(lambda m: f"'{m[1].split('/')[-1]}' ", message))
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _arg(check):
    """An argparse type from ``check(text)``: its ValueError becomes the parser's error."""
    def convert(text):
        try:
            return check(text)
        except ValueError as exc:
            # ``'--weeks' must be ...: 0`` -> ``must be ...: 0``: argparse names the argument.
            raise argparse.ArgumentTypeError(re.sub(r"^'[^']*' ", "", str(exc))) from None
    convert.__name__ = check.__name__.lstrip("_")
    return convert


def _whole_arg(name, text, lo, key=None):
    try:
        n = int(text)
    except ValueError:
        raise v.error(name, "must be a whole number", text) from None
    v.count(name, n, lo)
    return n if key is None else at_most(name, n, key)


@_arg
def _weeks(text):
    return _whole_arg("--weeks", text, 1, key="weeks")


@_arg
def _port(text):
    n = _whole_arg("--port", text, 0)
    if not 0 < n < 65536:
        raise v.error("--port", "must be in 1-65535", n)
    return n


def _plain_text(name, text, what):
    if not text.strip() or not text.isprintable():
        raise v.error(name, f"must be {what}", text)
    return text


@_arg
def _scenario_file(text):
    """A scenario file that exists and is a file (its content is read later), or 'demo'."""
    if text == "demo":
        return text
    _plain_text("scenario", text, "a scenario file name")
    kind = _kind("scenario", text)
    if kind == "folder":
        raise v.error("scenario", "must be a scenario file (TOML), not a folder", text)
    if kind is None:
        raise v.error("scenario", "must be a scenario file (TOML) that exists", text)
    return text


def _kind(name, text):
    """"folder", "file" (anything else that exists) or None for a path that does not exist."""
    try:
        st = os.stat(text)
    except FileNotFoundError:
        return None
    except OSError as exc:                    # a name too long, a loop of links...
        raise v.error(name, f"cannot be used ({exc.strerror})", text) from None
    return "folder" if stat.S_ISDIR(st.st_mode) else "file"


@_arg
def _folder(text):
    _plain_text("--out", text, "a folder name")
    if _kind("--out", text) == "file":
        raise v.error("--out", "must be a folder, not a file", text)
    return text


@_arg
def _address(text):
    if not re.fullmatch(r"[A-Za-z0-9._:%\-\[\]]{1,253}", text):
        raise v.error("--address", "must be a host name or an IP address", text)
    return text


@_arg
def _scheduler(text):
    if not re.fullmatch(r"(?:(?:tcp|tls|inproc|ucx|ws|wss)://)?[A-Za-z0-9._%\-\[\]]+"
                        r"(?::\d{1,5})?/?", text):
        raise v.error("--scheduler", "must be a Dask scheduler address "
                      "(tcp://host:8786)", text)
    return text


@_arg
def _log_file(text):
    path = Path(_plain_text("log", text, "a file name"))
    if not path.is_file():
        raise ValueError(f"'log' file not found: {text!r}")
    return str(path)


@_arg
def _log_format(text):
    return v.choice("--format", text, ("anonymous_bank", "generic"))


@_arg
def _mapping(text):
    import json
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"'--mapping' must be a JSON object: {exc}") from None
    if not isinstance(value, dict):
        raise v.error("--mapping", "must be a JSON object", text)
    return value


@_arg
def _pool(text):
    name, sep, queues = text.partition("=")
    name = name.strip()
    members = [q.strip() for q in queues.split(",")]
    if not sep or not name or not all(members):
        raise v.error("--pool", "must be NAME=QUEUE1,QUEUE2,...", text)
    return name, members


@_arg
def _cal_interval(text):
    return v.choice("--interval", _whole_arg("--interval", text, 1), (15, 30, 60),
                    unit=" minutes", quote=False)


@_arg
def _holdout(text):
    return v.choice("--holdout", text, ("weekday", "week", "none"))


def _float_arg(name, text):
    try:
        return float(text)
    except ValueError:
        raise v.error(name, "must be a number", text) from None


@_arg
def _target_time(text):
    return at_most("--target-time", v.number("--target-time", _float_arg("--target-time", text),
                                             lo=0), "target_time")


@_arg
def _agents_arg(text):
    return v.choice("--agents", text, ("effective", "presence", "availability"))


@_arg
def _agent_factor(text):
    return v.choice("--agent-factor", text, ("fit", "none"))


@_arg
def _patience_by(text):
    return v.choice("--patience-by", text, ("pool", "service"))


@_arg
def _min_contacts(text):
    return _whole_arg("--min-contacts", text, 1)


@_arg
def _max_excluded(text):
    return v.share("--max-excluded", _float_arg("--max-excluded", text))


@_arg
def _seed_arg(text):
    return _whole_arg("--seed", text, 0)


@_arg
def _agents_file(text):
    """An agents file (CSV) that exists."""
    _plain_text("--agents", text, "a CSV file name")
    kind = _kind("--agents", text)
    if kind != "file":
        raise v.error("--agents", "must be a CSV file that exists", text)
    return text


@_arg
def _roster_weeks(text):
    return v.whole("--weeks", _whole_arg("--weeks", text, 1), hi=8)


def _pooling_flag(p):
    p.add_argument("--pooling", action="store_true",
                   help="also plan the same demand with a dedicated group per queue and "
                        "report what cross-training saves (the pooling gain)")


def _build_parser():
    parser = _Parser(prog="ccwfm", description="Workforce planning for contact centers: "
                     "forecast, staffing, simulation, shifts, capacity and cost.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def common(p, scenario=True):
        if scenario:
            p.add_argument("scenario", type=_scenario_file,
                           help="scenario file (TOML), or a plan saved by the dashboard (zip: "
                                "its scenario and data)")
            p.add_argument("--whatif", default=None, metavar="NAME",
                           help="with a saved plan (zip): plan its saved what-if NAME instead "
                                "of the loaded scenario")
        p.add_argument("--out", type=_folder, default=None, metavar="DIR",
                       help="output folder (default ccwfm-out/<command>)")
        p.add_argument("--weeks", type=_weeks, default=None, metavar="N",
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
    demo.add_argument("--multiskill", action="store_true",
                      help="the multi-skill variant: a cross-trained voice and sales group "
                           "next to the dedicated ones, chat and e-mail in one group")
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
        p = common(sub.add_parser(name, help=desc.split(".")[0].lower(), description=desc))
        if name in ("schedule", "capacity"):
            _pooling_flag(p)
    _pooling_flag(demo)
    sc = sub.add_parser("scenarios", help="compare the scenario's variants side by side",
                        description="Run the base scenario and each of its [[variants]] and "
                                    "compare FTE, cost and KPIs; runs on Dask, in-process by "
                                    "default or on a cluster with --scheduler.")
    sc.add_argument("scenario", type=_scenario_file,
                    help="scenario file (TOML); 'demo' for the demo scenario")
    sc.add_argument("--out", type=_folder, default=None, metavar="DIR")
    sc.add_argument("--weeks", type=_weeks, default=None, metavar="N")
    sc.add_argument("--scheduler", type=_scheduler, default=None, metavar="ADDRESS",
                    help="Dask scheduler address (e.g. tcp://10.0.0.5:8786)")
    sc.add_argument("--quiet", action="store_true")
    cal = sub.add_parser(
        "calibrate", help="check how well the model reproduces a call log's own KPIs",
        description="Read a call-level ACD log, cut it into weekday x interval cells, predict "
                    "each cell's abandonment, ASA and service level (Erlang A and simulation, "
                    "patience and availability estimated out of sample) and print the errors; "
                    "writes the per-cell table, the error table, a chart and the calibrated "
                    "inputs as a scenario fragment.")
    cal.add_argument("log", type=_log_file, help="call-level log (Anonymous Bank format, or "
                                                  "--format generic with --mapping)")
    cal.add_argument("--format", type=_log_format, default="anonymous_bank",
                     help="anonymous_bank (default) or generic")
    cal.add_argument("--mapping", type=_mapping, default=None, metavar="JSON",
                     help="generic logs: the column mapping as JSON (see forecast.read_acd)")
    cal.add_argument("--pool", type=_pool, action="append", default=[], metavar="NAME=Q1,Q2",
                     help="queues answered by one pool of agents (repeatable)")
    cal.add_argument("--interval", type=_cal_interval, default=60, metavar="MINUTES",
                     help="cell length: 15, 30 or 60 minutes (default 60)")
    cal.add_argument("--holdout", type=_holdout, default="weekday",
                     help="weekday (default), week or none")
    cal.add_argument("--target-time", type=_target_time, default=20.0, metavar="SECONDS",
                     help="service-level threshold (default 20)")
    cal.add_argument("--agents", type=_agents_arg, default="effective",
                     help="available agents: effective (busy while someone waits; default), "
                          "presence or availability")
    cal.add_argument("--agent-factor", type=_agent_factor, default="fit",
                     help="fit (default: one factor per pool on the measured agents, fitted "
                          "on the held-out days) or none")
    cal.add_argument("--patience-by", type=_patience_by, default="pool",
                     help="one patience per pool (default) or per service, mixed")
    cal.add_argument("--min-contacts", type=_min_contacts, default=30, metavar="N",
                     help="leave out cells with fewer offered contacts (default 30)")
    cal.add_argument("--max-excluded", type=_max_excluded, default=None, metavar="SHARE",
                     help="accept a log with up to this share of rows excluded (default 0.05)")
    cal.add_argument("--no-simulation", action="store_true",
                     help="formulas only (faster)")
    cal.add_argument("--seed", type=_seed_arg, default=0, metavar="N")
    cal.add_argument("--out", type=_folder, default=None, metavar="DIR",
                     help="output folder (default ccwfm-out/calibrate)")
    cal.add_argument("--json", action="store_true",
                     help="print one JSON summary object instead of the table")
    ro = sub.add_parser(
        "roster", help="give the schedule's shifts to agents, week by week, under work rules",
        description="Plan up to the shift schedule, then roster it: each agent, each day, a "
                    "shift or a day off, keeping the [roster] rules and contracts of the "
                    "scenario; writes the roster (one row per agent and day, and a grid), "
                    "the rule report, coverage and the roster's simulated KPIs.")
    ro.add_argument("scenario", type=_scenario_file,
                    help="scenario file (TOML); 'demo' for the demo scenario")
    ro.add_argument("--agents", type=_agents_file, default=None, metavar="CSV",
                    help="agents to roster (id, group, contract, days_off, unavailable, "
                         "available_from, available_until); default the scenario's, else "
                         "agents made from the schedule and the contract mix")
    ro.add_argument("--weeks", type=_roster_weeks, default=None, metavar="N",
                    help="weeks to roster, 1 to 8 (the plan is made for them)")
    ro.add_argument("--out", type=_folder, default=None, metavar="DIR",
                    help="output folder (default ccwfm-out/roster)")
    ro.add_argument("--quiet", action="store_true", help="print only the summary")
    dash = sub.add_parser("dashboard", help="open the planners' dashboard (Streamlit)",
                          description="Start the Streamlit dashboard on this machine.")
    dash.add_argument("--port", type=_port, default=8501,
                      help="port to serve on (default 8501)")
    dash.add_argument("--address", type=_address, default="127.0.0.1",
                      help="address to serve on (default 127.0.0.1, this machine only; "
                           "0.0.0.0 for the network)")
    return parser


def _load(args):
    """(scenario, folder its files are relative to, the data a saved plan carries or None).

    A scenario file (TOML) is read as it is; a plan saved by the dashboard (a
    zip, :func:`plan.open_bundle`) gives its scenario and its data (never
    written to disk), or with ``--whatif NAME`` the scenario of that saved
    what-if.
    """
    whatif = getattr(args, "whatif", None)
    sources = None
    if args.command == "demo" or getattr(args, "scenario", None) == "demo":
        sc, base = demo_scenario(multiskill=getattr(args, "multiskill", False)), Path.cwd()
    else:
        path = Path(args.scenario)
        base = path.parent
        if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
            saved = open_bundle(path.read_bytes())
            sc, sources = saved.scenario, saved.sources
            if whatif is not None:
                if whatif not in saved.whatifs:
                    raise v.error("whatif", f"must be a what-if saved in {path.name} ("
                                  + (", ".join(map(repr, saved.whatifs)) or "none is saved")
                                  + ")", whatif)
                changes = saved.whatifs[whatif]
                sc = sc.with_overrides(changes) if changes else sc
        else:
            sc = Scenario.from_toml(path)
    if whatif is not None and sources is None:
        raise v.error("whatif", "needs a plan saved by the dashboard (zip), not a scenario "
                                "file", whatif)
    if args.weeks is not None:          # checked by the parser (_weeks)
        sc = dataclasses.replace(sc, weeks=args.weeks)
    return sc, base, sources


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
        print(demo_toml(args.multiskill).strip())
        return EXIT_OK
    sc, base, sources = _load(args)
    pooling = getattr(args, "pooling", False)
    if pooling and not is_pooled(sc):
        print(f"ccwfm: error: '--pooling' needs agent groups serving several queues (skills, "
              f"overflow or a shared group): no group of {sc.name!r} does", file=sys.stderr)
        return EXIT_BAD_INPUT
    steps = pipeline.STEPS[:pipeline.STEPS.index(STEP_OF[args.command]) + 1]
    bar = _Progress(quiet=args.quiet)
    try:
        histories = load_histories(sc, base, sources=sources)
        res = pipeline.run(sc, base_dir=base, steps=steps, progress=bar, histories=histories)
        if pooling:
            res = pipeline.with_pooling(res, base_dir=base, progress=bar, histories=histories)
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
    if res.pooling is not None:
        g = res.pooling
        lines.append(f"pooling gain: {g.paid_hours:,.0f} paid hours against "
                     f"{g.paid_hours_dedicated:,.0f} with dedicated groups "
                     f"({g.saving_pct:.1f}% saved)")
    if res.costs is not None:
        lines.append(res.costs.to_frame().to_string(index=False,
                                                    float_format=lambda v: f"{v:,.0f}"))
    return "\n".join(lines)


def _run_scenarios(args):
    sc, base, sources = _load(args)
    if sources is not None:
        raise v.error("scenario", "must be a scenario file (TOML) with [[variants]] for "
                                  "'scenarios' (a saved plan's what-ifs are planned one at a "
                                  "time: 'ccwfm capacity PLAN.zip --whatif NAME')", args.scenario)
    table = compare(sc, base_dir=base, scheduler=args.scheduler,
                    log=None if args.quiet else (lambda m: print(m, file=sys.stderr)))
    out = _out(args)
    out.mkdir(parents=True, exist_ok=True)
    # The same escaping writers as the plan's tables: the headers hold queue names.
    report.write_csv(table, out / "scenarios.csv")
    report.write_workbook({"scenarios": table}, out / "scenarios.xlsx")
    print(v.printable(table.to_string(index=False), newlines=True))
    print(f"\nwrote {out}/scenarios.csv and scenarios.xlsx")
    return EXIT_OK


def _run_roster(args):
    sc, base, sources = _load(args)
    weeks = args.weeks or sc.roster.weeks or min(sc.weeks, 8)
    sc = dataclasses.replace(sc, weeks=weeks)
    agents = None
    if args.agents:
        from .roster_input import read_agents
        agents = read_agents(Path(args.agents).read_bytes(),
                             sc.roster.contracts_for(sc.workforce))
    bar = _Progress(quiet=args.quiet)
    try:
        res = pipeline.run(sc, base_dir=base, steps=pipeline.STEPS[:4], progress=bar,
                           histories=load_histories(sc, base, sources=sources))
        bar(Progress("schedule", 0.99, "rostering the agents, week by week..."))
        ro = make_roster(res, agents=agents, base_dir=base, weeks=weeks,
                         progress=lambda m: bar(Progress("schedule", 0.99, m)))
    finally:
        bar.finish()
    out = _out(args)
    files = write_roster(ro, out)
    print(_roster_text(ro))
    print(f"\nwrote {len(files)} files to {out}/ (open roster.xlsx)")
    return EXIT_OK


def _roster_text(ro):
    lines = [f"{len(ro.agents)} agents over {ro.weeks} weeks: {ro.paid_hours:,.0f} paid hours "
             f"({ro.paid_hours_over_schedule_pct:+.1f}% against the shift schedule's "
             f"{ro.paid_hours_schedule:,.0f}), {ro.shortfall_agent_hours:,.1f} agent-hours short, "
             f"{len(ro.violations)} rule violations"]
    rep = ro.rule_report
    lines += [f"  {'on ' if r.on else 'off'} {r.rule:<22} {r.violations:>5}  {r.text}"
              for r in rep.itertuples()]
    if not ro.kpis.empty:
        k = ro.kpis
        lines.append(f"targets met in simulation: {int(k['met'].sum())} of "
                     f"{int(k['periods'].sum())} periods")
    return v.printable("\n".join(lines), newlines=True)


def _run_calibrate(args):
    import json
    from .calibrate import MODELS, calibrate
    pools = {}
    for name, members in args.pool:
        if name in pools:
            raise v.error("--pool", "must not repeat a pool name", name)
        pools[name] = members
    models = tuple(m for m in MODELS if not (args.no_simulation and m == "simulation"))
    cal = calibrate(args.log, format=args.format, mapping=args.mapping, pools=pools or None,
                    interval=args.interval, holdout=args.holdout,
                    target_time=args.target_time, agents=args.agents,
                    agent_factor=args.agent_factor, patience_by=args.patience_by,
                    min_contacts=args.min_contacts, max_excluded=args.max_excluded,
                    models=models, seed=args.seed)
    out = _out(args)
    files = cal.write(out)
    if args.json:
        print(json.dumps(cal.summary(), allow_nan=False))
    else:
        print(cal.text())
        print(f"\nwrote {len(files)} files to {out}/")
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


class _Stopped(BaseException):
    """SIGTERM or SIGHUP, raised in the main thread so that every clean-up runs."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _stop_on_signals():
    """Turn SIGTERM and SIGHUP into :class:`_Stopped` while the block runs.

    Like Ctrl+C's ``KeyboardInterrupt``, the exception unwinds the stack:
    a file being written is removed (:func:`plan._atomic.write_atomic`)
    and :func:`main` returns 128 + the signal's number.  A second signal
    of the same kind stops the process at once (its temporary file is
    removed by the next write into that folder).  Signals the caller
    ignores (``nohup``) stay ignored; outside the main thread nothing
    changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        signal.signal(signum, signal.SIG_DFL)
        raise _Stopped(signum)

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) == signal.SIG_DFL:
            previous[sig] = signal.signal(sig, stop)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv=None):
    """Entry point of the ``ccwfm`` console script; returns the exit code."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:                # --help (0) or a bad argument (2, one line)
        return done.code if isinstance(done.code, int) else EXIT_BAD_INPUT
    run = {"scenarios": _run_scenarios, "dashboard": _run_dashboard,
           "calibrate": _run_calibrate, "roster": _run_roster}.get(args.command, _run_plan)
    try:
        with _stop_on_signals():
            return run(args)
    except KeyboardInterrupt:                 # Ctrl+C: files being written were removed
        print(f"ccwfm {args.command}: interrupted", file=sys.stderr)
        return EXIT_SIGNAL + signal.SIGINT
    except _Stopped as stop:                  # SIGTERM, SIGHUP: likewise
        print(f"ccwfm {args.command}: stopped by {signal.Signals(stop.signum).name}",
              file=sys.stderr)
        return EXIT_SIGNAL + stop.signum
    except (ValueError, OSError) as exc:      # ScenarioError is a ValueError
        print(f"ccwfm {args.command}: error: {v.printable(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - users get a message, not a traceback
        print(f"ccwfm {args.command}: internal error: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
