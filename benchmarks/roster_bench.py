"""Roster benchmark (issue 14): the demo's shift schedule given to its agents under the rules.

The demo (default 4 weeks) is planned up to the shift schedule (integrated
scheduling, not timed), then rostered with the default rules (2 days off a
week together, at most 6 days in a row, 11 hours of rest, starts within an
hour all week, a weekend off every 3 weeks, contract hours) and agents made
from the schedule's busiest week and its own mix of full- and part-time
shifts (5% reserve).  A second, rule-free roster of the same schedule is
not needed: the shift schedule itself is the unconstrained reference.

Run from a checkout::

    .venv/bin/python benchmarks/roster_bench.py            # readable report
    .venv/bin/python benchmarks/roster_bench.py --json     # JSON only

JSON keys (exactly the issue's): ``agents`` (rostered), ``weeks``,
``seconds`` (the roster: optimisation, checks and tables, without the plan
and without the roster's simulation), ``rule_violations`` (rows of the rule
report's check, goal 0), ``shortfall_agent_hours`` (the schedule's agents on
duty the roster leaves uncovered), ``paid_hours_over_shift_schedule_pct``
(the price of the rules, goal at most 5).  Goals: ``seconds`` <= 60 with at
least 200 agents over 4 weeks.
"""

import argparse
import json
import os
import sys
import time

KEYS = ("agents", "weeks", "seconds", "rule_violations", "shortfall_agent_hours",
        "paid_hours_over_shift_schedule_pct")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON summary")
    parser.add_argument("--weeks", type=int, default=4, help="weeks to roster (default 4)")
    args = parser.parse_args(argv)
    say = (lambda *a: None) if args.json else print

    from ccwfm.plan import STEPS, run
    from ccwfm.plan.demo import demo_scenario
    from ccwfm.plan.roster import make_roster

    say(f"planning the demo's {args.weeks} weeks up to the shift schedule (not timed) ...")
    res = run(demo_scenario(weeks=args.weeks), steps=STEPS[:STEPS.index("schedule") + 1])
    say("rostering ...")
    t0 = time.perf_counter()
    ro = make_roster(res, weeks=args.weeks, simulate=False, progress=say)
    seconds = time.perf_counter() - t0
    summary = {
        "agents": len(ro.agents),
        "weeks": ro.weeks,
        "seconds": round(seconds, 2),
        "rule_violations": int(len(ro.violations)),
        "shortfall_agent_hours": round(ro.shortfall_agent_hours, 1),
        "paid_hours_over_shift_schedule_pct": round(ro.paid_hours_over_schedule_pct, 2),
    }
    assert tuple(summary) == KEYS
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        say("")
        for k, x in summary.items():
            say(f"{k:>36}: {x}")
        say(f"{'paid hours (roster, schedule)':>36}: {ro.paid_hours:,.0f}, "
            f"{ro.paid_hours_schedule:,.0f}")
        say(f"{'cores':>36}: {len(os.sched_getaffinity(0))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
