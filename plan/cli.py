"""The ``ccwfm`` command line.

Exit codes: 0 success, 2 bad input (the message names the field), 1 internal
error.
"""

import argparse
import sys

from ._atomic import write_atomic
from .demo_day import DemoDay, demo_day, staffing_table

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _build_parser():
    parser = _Parser(prog="ccwfm", description="Workforce planning for contact centers.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    demo = sub.add_parser(
        "demo", help="staffing table for the embedded demo day",
        description="Required agents and their service level, ASA, abandonment and "
                    "occupancy per interval of a demo day (one voice queue).")
    d = DemoDay()
    demo.add_argument("--daily-volume", type=float, default=d.daily_volume, metavar="N",
                      help="contacts offered over the day (default %(default)s)")
    demo.add_argument("--interval", type=int, default=d.interval_minutes, choices=(15, 30, 60),
                      help="interval length in minutes (default %(default)s)")
    demo.add_argument("--service-level", type=float, default=d.service_level, metavar="P",
                      help="share to answer within --target-time (default %(default)s)")
    demo.add_argument("--target-time", type=float, default=d.target_time, metavar="S",
                      help="service-level threshold in seconds (default %(default)s)")
    demo.add_argument("--patience", type=float, default=d.patience, metavar="S",
                      help="mean caller patience in seconds, Erlang A (default %(default)s)")
    demo.add_argument("--no-patience", action="store_true",
                      help="ignore abandonment: Erlang C")
    demo.add_argument("--abandon-rate", type=float, default=d.abandon_rate, metavar="P",
                      help="maximum share abandoning (default %(default)s)")
    demo.add_argument("--shrinkage", type=float, default=d.shrinkage, metavar="P",
                      help="share of paid time off the phones (default %(default)s)")
    demo.add_argument("--csv", metavar="PATH", help="also write the table to a CSV file")
    demo.set_defaults(run=_run_demo)
    return parser


def _run_demo(args):
    assumptions = DemoDay(
        daily_volume=args.daily_volume, interval_minutes=args.interval,
        service_level=args.service_level, target_time=args.target_time,
        patience=None if args.no_patience else args.patience,
        abandon_rate=None if args.no_patience else args.abandon_rate,
        shrinkage=args.shrinkage)
    table = staffing_table(demo_day(assumptions.daily_volume, assumptions.interval_minutes),
                           assumptions)
    print(_format(table, assumptions))
    if args.csv:
        write_atomic(args.csv, lambda tmp: table.to_csv(tmp, index=False))
        print(f"\nwrote {args.csv}")
    return EXIT_OK


def _format(table, a):
    hours = a.interval_minutes / 60.0
    shown = table.rename(columns={
        "interval_start": "interval", "aht_s": "AHT s", "load_erl": "load Erl",
        "erlang_c_agents": "Erlang C", "service_level": "SL", "asa_s": "ASA s",
        "abandon_rate": "abandon", "occupancy": "occupancy"})
    pct = "{:.1%}".format
    text = shown.to_string(index=False, formatters={
        "volume": "{:.1f}".format, "AHT s": "{:.0f}".format, "load Erl": "{:.2f}".format,
        "SL": pct, "ASA s": "{:.1f}".format, "abandon": pct, "occupancy": pct})
    vol = table["volume"]
    model = ("Erlang A, mean patience %.0f s" % a.patience) if a.patience else "Erlang C"
    target = f"{a.service_level:.0%} answered within {a.target_time:g} s"
    if a.abandon_rate is not None:
        target += f", abandonment <= {a.abandon_rate:.0%}"
    lines = [
        f"Demo day: {vol.sum():,.0f} contacts, {a.interval_minutes}-minute intervals, {model}",
        f"Target: {target}; shrinkage {a.shrinkage:.0%}",
        "",
        text,
        "",
        f"Agent-hours on the phones: {table['agents'].sum() * hours:,.1f} "
        f"(Erlang C would ask {table['erlang_c_agents'].sum() * hours:,.1f}); "
        f"scheduled: {table['scheduled'].sum() * hours:,.1f}",
        f"Day: service level {(table['service_level'] * vol).sum() / vol.sum():.1%}, "
        f"abandonment {(table['abandon_rate'] * vol).sum() / vol.sum():.1%}, "
        f"ASA {_answered_asa(table):.1f} s, "
        f"occupancy {(table['load_erl'] * (1 - table['abandon_rate'])).sum() / table['agents'].sum():.1%}",
    ]
    return "\n".join(lines)


def _answered_asa(table):
    answered = table["volume"] * (1.0 - table["abandon_rate"])
    return (table["asa_s"] * answered).sum() / answered.sum()


def main(argv=None):
    """Entry point of the ``ccwfm`` console script; returns the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except ValueError as exc:
        print(f"ccwfm {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"ccwfm {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - users get a message, not a traceback
        print(f"ccwfm {args.command}: internal error: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
