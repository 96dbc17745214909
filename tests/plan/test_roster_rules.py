"""The roster rule checker (``plan.roster_rules``) against hand-made rosters and brute force.

* For each rule, small rosters that keep it and that break it by the
  smallest amount (a minute of rest, a day in a row, a minute of start
  spread...), with every other rule on but lax, so that only the intended
  rule may fire.
* Brute force: every one-week roster of one agent over the shift options
  {off, 06:00, 14:00, 22:00} x 8 h (4^7 = 16384), and a few thousand random
  two-week ones for the rules that cross weeks, each rule's verdict (the
  set of agent and date it names) compared with a deliberately simple
  predicate written here from the rule's words (day-by-day loops, a shift's
  minutes marked one by one for nights), sharing no code with the module.
"""

import dataclasses
import io
import itertools
import time

import numpy as np
import pandas as pd
import pytest

from ccwfm.plan.roster_input import Agent, Contract, RosterRules
from ccwfm.plan.roster_rules import (ROSTER_COLUMNS, RULES, VIOLATION_COLUMNS, check_roster,
                                     rule_report)
from ccwfm.plan.shifts import BreakWindow, ShiftTemplate

MON = pd.Timestamp("2025-09-01")          # a Monday
DAY = 1440

T8 = ShiftTemplate("t8", 480, starts=tuple(range(0, DAY)))          # 8 h, any minute
EVE = ShiftTemplate("eve", 179, starts=("21:00",))                  # 21:00-23:59
BRK = ShiftTemplate("brk", 510, starts=("08:00", "22:00"),
                    breaks=(BreakWindow(15, 90, 150, paid=True), BreakWindow(30, 210, 300)))
STEP = ShiftTemplate("step", 480, starts=("08:00",), breaks=(BreakWindow(30, 180, 300, step=60),))
WEEKDAY = ShiftTemplate("wkday", 480, starts=("08:00",), days=(0, 1, 2, 3, 4))
FIX = ShiftTemplate("fix", 510, starts=("08:00",), unpaid_break=30)   # placed by the grid
FIXAT = ShiftTemplate("fixat", 510, starts=("08:00",), unpaid_break=30, break_offset=240,
                      paid_breaks=(15,), paid_break_offsets=(120,))
TEMPLATES = {"g": [T8, EVE, BRK, STEP, WEEKDAY, FIX, FIXAT]}

LOOSE = Contract("c", 0, 168, days=(1, 2, 3, 4, 5, 6, 7))
A = Agent("a", "g", "c")
B = Agent("b", "g", "c")

# Every rule on but lax (contract hours off: a contract cannot allow a week of 0 days).
LAX = RosterRules(days_off=0, consecutive_days_off=False, max_consecutive_days=28,
                  min_rest_hours=0, start_window=1440, weekend_off_every=52, max_nights=7,
                  contract_hours=False, availability=True, fair=False)


def hhmm(m):
    m %= DAY
    return f"{m // 60:02d}:{m % 60:02d}"


def minutes(text):
    h, m = text.split(":")
    return 60 * int(h) + int(m)


def build(plan, weeks=1, templates=TEMPLATES):
    """A roster table from ``{agent: {day index: (template name, "HH:MM"[, overrides])}}``.

    Shifts last their template's length, are paid its hours and have each
    break at its window's earliest offset; overrides ``length`` (minutes),
    ``paid`` and ``breaks`` (text) change that.
    """
    rows = []
    for agent, days in plan.items():
        by_name = {t.name: t for t in templates.get(agent.group, [])}
        for d in range(7 * weeks):
            date = MON + pd.Timedelta(days=d)
            row = {"agent": agent.id, "group": agent.group, "contract": agent.contract,
                   "date": date, "shift": "", "start": pd.NaT, "end": pd.NaT,
                   "paid_hours": 0.0, "breaks": ""}
            if d in days:
                name, at, *more = days[d]
                more = more[0] if more else {}
                t = by_name.get(name)
                s = minutes(at)
                length = more.get("length", t.length if t else 480)
                breaks = more.get("breaks")
                if breaks is None:
                    breaks = "; ".join(f"{hhmm(s + w.earliest)}-{hhmm(s + w.earliest + w.length)}"
                                       for w in (t.breaks if t else ()))
                row.update(shift=name, start=date + pd.Timedelta(minutes=s),
                           end=date + pd.Timedelta(minutes=s + length),
                           paid_hours=more.get("paid", t.paid_hours if t else 8.0),
                           breaks=breaks)
            rows.append(row)
    return pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))


def check(plan, weeks=1, rules=LAX, agents=None, contracts=(LOOSE,), templates=TEMPLATES):
    table = build(plan, weeks, templates)
    agents = list(plan) if agents is None else agents
    return check_roster(table, agents, rules, contracts, templates)


def only(found, rule):
    """The violations, after checking that no other rule fired."""
    assert set(found["rule"]) <= {rule}, found.to_string()
    return found


def days(found):
    return [(r.agent, (r.date - MON).days) for r in found.itertuples()]


def lax(**kw):
    return dataclasses.replace(LAX, **kw)


def every_day(at="08:00", n=7, name="t8", first=0):
    return {d: (name, at) for d in range(first, first + n)}


# ------------------------------------------------------------------ a clean roster


def test_a_clean_roster_under_the_default_rules_has_no_violation():
    full = Contract("full", 40, 40, days=(5,), shifts=("t8",))
    a, b = Agent("a", "g", "full"), Agent("b", "g", "full", days_off=(5, 6))
    plan = {a: {7 * w + d: ("t8", "08:00") for w in range(3) for d in range(5)},
            b: {7 * w + d: ("t8", "09:00") for w in range(3) for d in range(5)}}
    found = check(plan, weeks=3, rules=RosterRules(max_nights=0), contracts=[full])
    assert list(found.columns) == list(VIOLATION_COLUMNS) and len(found) == 0
    assert str(found["date"].dtype).startswith("datetime64")
    report = rule_report(found, RosterRules(max_nights=0))
    assert report["rule"].tolist() == list(RULES)
    assert report["on"].all() and (report["violations"] == 0).all()
    assert (report["example"] == "").all()


def test_rules_that_are_off_are_not_checked():
    # Every day, start times all over the place, nights, no rest, on a weekday off.
    a = Agent("a", "g", "c", days_off=(2,), available_from=600)
    plan = {a: {d: ("t8", at) for d, at in enumerate(["22:00", "06:00", "23:00", "00:00",
                                                       "12:00", "22:00", "06:00"] * 2)}}
    off = RosterRules(days_off=None, max_consecutive_days=None, min_rest_hours=None,
                      start_window=None, weekend_off_every=None, max_nights=None,
                      contract_hours=False, availability=False)
    assert len(check(plan, weeks=2, rules=off, contracts=[Contract("c", 50, 60)])) == 0
    on = RosterRules(days_off=1, max_consecutive_days=6, min_rest_hours=11, start_window=60,
                     weekend_off_every=2, max_nights=1, contract_hours=True, availability=True)
    found = check(plan, weeks=2, rules=on, contracts=[Contract("c", 50, 60)])
    assert set(found["rule"]) == set(RULES) - {"templates"}
    report = rule_report(found, off)
    assert not report.loc[report["rule"] != "templates", "on"].any()


# ------------------------------------------------------------------ min_rest_hours


def test_rest_of_exactly_11_hours_passes_and_a_minute_less_fails():
    rules = lax(min_rest_hours=11)
    # Tue 08:00-16:00, Wed 03:00: 11 h.
    assert len(check({A: {1: ("t8", "08:00"), 2: ("t8", "03:00")}}, rules=rules)) == 0
    found = only(check({A: {1: ("t8", "08:00"), 2: ("t8", "02:59")}}, rules=rules),
                 "min_rest_hours")
    assert days(found) == [("a", 2)]
    assert found["detail"][0] == ("rest 10.98 h between the shift ending Tue 02 Sep 16:00 and "
                                  "the one starting Wed 03 Sep 02:59 (at least 11 h)")
    # Six seconds short: still short, and the words show it.
    t = build({A: {1: ("t8", "08:00"), 2: ("t8", "03:00")}})
    t.loc[2, ["start", "end"]] -= pd.Timedelta(seconds=6)
    found = check_roster(t, [A], rules, [LOOSE], TEMPLATES)
    assert found["rule"].tolist() == ["min_rest_hours", "templates"]
    assert "rest 10.9983 h" in found["detail"][0] and "Wed 03 Sep 02:59:54" in found["detail"][0]
    assert "starts 02:59:54, not one of its start times" in found["detail"][1]


def test_rest_is_checked_across_the_week_and_a_shift_ending_after_midnight():
    rules = lax(min_rest_hours=11)
    # Sun 16:00 ends Mon 00:00; Mon of week 2 at 10:59: 10.98 h; at 11:00: 11 h.
    assert days(only(check({A: {6: ("t8", "16:00"), 7: ("t8", "10:59")}}, weeks=2, rules=rules),
                     "min_rest_hours")) == [("a", 7)]
    assert len(check({A: {6: ("t8", "16:00"), 7: ("t8", "11:00")}}, weeks=2, rules=rules)) == 0
    # Night Mon 22:00 ends Tue 06:00; Tue 17:00 is exactly 11 h later.
    assert len(check({A: {0: ("t8", "22:00"), 1: ("t8", "17:00")}}, rules=rules)) == 0
    found = only(check({A: {0: ("t8", "22:00"), 1: ("t8", "16:59")}}, rules=rules),
                 "min_rest_hours")
    assert "ending Tue 02 Sep 06:00" in found["detail"][0]
    # Overlapping shifts (Mon 23:00-Tue 07:00, Tue 06:00): -1 h of rest; only the
    # pair in time order counts (Mon -> Tue), a day off between resets nothing.
    found = only(check({A: {0: ("t8", "23:00"), 1: ("t8", "06:00"), 3: ("t8", "05:00")}},
                       rules=rules), "min_rest_hours")
    assert days(found) == [("a", 1)] and "rest -1 h" in found["detail"][0]


# ------------------------------------------------------------------ max_consecutive_days


def test_six_days_in_a_row_pass_with_max_6_and_seven_fail():
    rules = lax(max_consecutive_days=6)
    assert len(check({A: every_day(n=6)}, rules=rules)) == 0
    found = only(check({A: every_day(n=7)}, rules=rules), "max_consecutive_days")
    assert days(found) == [("a", 0)]
    assert found["detail"][0] == "7 days worked in a row from Mon 01 Sep (at most 6)"


def test_a_run_across_the_week_boundary_counts():
    rules = lax(max_consecutive_days=6)
    # Thu of week 1 to Wed of week 2: 7 days; each week alone has at most 4.
    found = only(check({A: every_day(n=7, first=3)}, weeks=2, rules=rules),
                 "max_consecutive_days")
    assert days(found) == [("a", 3)]
    assert "from Thu 04 Sep" in found["detail"][0]
    assert len(check({A: every_day(n=6, first=3)}, weeks=2, rules=rules)) == 0
    # Two runs of 7 with a day between: two violations, each dated its first day.
    plan = {A: {**every_day(n=7), **every_day(n=7, first=8)}, B: every_day(n=6, first=1)}
    found = only(check(plan, weeks=3, rules=rules), "max_consecutive_days")
    assert days(found) == [("a", 0), ("a", 8)]


# ------------------------------------------------------------------ days_off


def test_days_off_count_and_consecutive():
    rules = lax(days_off=2, consecutive_days_off=True)
    five = {d: ("t8", "08:00") for d in range(5)}                       # Sat, Sun off
    assert len(check({A: five}, rules=rules)) == 0
    mon_wed = {d: ("t8", "08:00") for d in (1, 3, 4, 5, 6)}             # Mon, Wed off
    found = only(check({A: mon_wed}, rules=rules), "days_off")
    assert days(found) == [("a", 0)]
    assert found["detail"][0] == ("no 2 consecutive days off in the week of Mon 01 Sep "
                                  "(longest run 1)")
    assert len(check({A: mon_wed}, rules=lax(days_off=2))) == 0
    six = every_day(n=6)
    found = only(check({A: six}, rules=rules), "days_off")
    assert found["detail"][0] == "1 day off in the week of Mon 01 Sep (at least 2)"
    # Three days off, two of them together: fine.
    assert len(check({A: {d: ("t8", "08:00") for d in (0, 2, 3, 6)}}, rules=rules)) == 0


def test_consecutive_days_off_run_on_into_the_next_week():
    rules = lax(days_off=2, consecutive_days_off=True)
    # Week 1 off Wed and Sun, week 2 off Mon and Thu: Sun + Mon are a pair for both weeks.
    work = [0, 1, 3, 4, 5] + [8, 9, 11, 12, 13]
    assert len(check({A: {d: ("t8", "08:00") for d in work}}, weeks=2, rules=rules)) == 0
    # Week 1 off Wed and Sun, week 2 off Tue and Thu: no pair in either week.
    work = [0, 1, 3, 4, 5] + [7, 9, 11, 12, 13]
    found = only(check({A: {d: ("t8", "08:00") for d in work}}, weeks=2, rules=rules),
                 "days_off")
    assert days(found) == [("a", 0), ("a", 7)]
    assert found["detail"][0].endswith("(longest run 1)")
    # Outside the roster counts as worked: off Mon and Wed of the first week, or Sun and
    # Wed of the last, are no pair.
    work = [1, 3, 4, 5, 6]
    assert days(only(check({A: {d: ("t8", "08:00") for d in work}}, rules=rules),
                     "days_off")) == [("a", 0)]
    # A shift started Sun 22:00 leaves Monday off (the day of a shift is its start):
    # week 1 off Fri and Sat, week 2 off Mon and Tue.
    work = [0, 1, 2, 3, 6] + [9, 10, 11, 12, 13]
    assert len(check({A: {d: ("t8", "22:00" if d == 6 else "14:00") for d in work}},
                     weeks=2, rules=rules)) == 0


# ------------------------------------------------------------------ start_window


def test_start_window_boundary_within_a_week():
    rules = lax(start_window=60)
    assert len(check({A: {0: ("t8", "08:00"), 3: ("t8", "09:00")}}, rules=rules)) == 0
    found = only(check({A: {0: ("t8", "08:00"), 3: ("t8", "09:01"), 4: ("t8", "08:30")}},
                       rules=rules), "start_window")
    assert days(found) == [("a", 0)]
    assert found["detail"][0] == ("starts from 08:00 to 09:01 in the week of Mon 01 Sep "
                                  "(61 min, at most 60)")
    # Different weeks may start differently; 0 = the same start all week.
    plan = {A: {**every_day("06:00", n=5), **every_day("14:00", n=5, first=7)}}
    assert len(check(plan, weeks=2, rules=lax(start_window=0))) == 0
    found = only(check({A: {0: ("t8", "06:00"), 1: ("t8", "06:01")}},
                       rules=lax(start_window=0)), "start_window")
    assert len(found) == 1


# ------------------------------------------------------------------ weekend_off_every


def test_weekend_off_every_n_weeks():
    rules = lax(weekend_off_every=2)
    wknd = {7 * w + d: ("t8", "08:00") for w in (0, 1) for d in (5, 6)}   # W1, W2 worked
    found = only(check({A: wknd}, weeks=3, rules=rules), "weekend_off_every")
    assert days(found) == [("a", 0)]                       # window W1-W2; W2-W3 has W3 off
    assert found["detail"][0] == "no weekend off in the 2 weeks from Mon 01 Sep"
    # Only the Saturday off is not a weekend off.
    sat = {5: ("t8", "08:00"), 13: ("t8", "08:00")}
    found = only(check({A: sat}, weeks=2, rules=rules), "weekend_off_every")
    assert days(found) == [("a", 0)]
    # A Friday night shift ending Saturday 06:00 leaves the weekend off.
    assert len(check({A: {4: ("t8", "22:00"), 11: ("t8", "22:00"), 12: ("t8", "08:00")}},
                     weeks=2, rules=rules)) == 0
    # A roster shorter than N weeks is not checked; N = 1 checks each week.
    assert len(check({A: {5: ("t8", "08:00")}}, weeks=1, rules=rules)) == 0
    found = only(check({A: {5: ("t8", "08:00"), 13: ("t8", "08:00")}}, weeks=3,
                       rules=lax(weekend_off_every=1)), "weekend_off_every")
    assert days(found) == [("a", 0), ("a", 7)]


# ------------------------------------------------------------------ max_nights


@pytest.mark.parametrize("name, at, night", [
    ("t8", "22:00", True),        # 22:00-06:00
    ("eve", "21:00", False),      # 21:00-23:59
    ("t8", "16:00", False),       # ends 00:00 sharp
    ("t8", "16:01", True),        # ends 00:01
    ("t8", "04:59", True),        # on site at 04:59
    ("t8", "05:00", False),       # starts 05:00 sharp
    ("t8", "00:00", True),
])
def test_what_a_night_shift_is(name, at, night):
    found = only(check({A: {2: (name, at)}}, rules=lax(max_nights=0)), "max_nights")
    assert len(found) == int(night)
    if night:
        assert days(found) == [("a", 0)]
        assert found["detail"][0] == "1 night shift in the week of Mon 01 Sep (at most 0)"


def test_max_nights_per_week():
    rules = lax(max_nights=2)
    two = {0: ("t8", "22:00"), 2: ("t8", "22:00"), 4: ("t8", "08:00")}
    assert len(check({A: two}, rules=rules)) == 0
    # Sunday's night belongs to week 1 (its start), week 2's Monday night to week 2.
    three = {**two, 6: ("t8", "22:00"), 7: ("t8", "22:00")}
    found = only(check({A: three}, weeks=2, rules=rules), "max_nights")
    assert days(found) == [("a", 0)] and found["detail"][0].startswith("3 night shifts")


# ------------------------------------------------------------------ contract_hours


def test_contract_hours_days_and_shifts():
    part = Contract("c", 16, 24, days=(2, 3), shifts=("t8",))
    rules = lax(contract_hours=True)
    ok = {0: ("t8", "08:00"), 2: ("t8", "08:00"), 4: ("t8", "08:00")}            # 24 h, 3 days
    assert len(check({A: ok}, rules=rules, contracts=[part])) == 0
    four = {**ok, 5: ("t8", "08:00")}
    found = only(check({A: four}, rules=rules, contracts=[part]), "contract_hours")
    assert found["detail"].tolist() == [
        "32 paid hours in the week of Mon 01 Sep (contract 'c': 16 to 24)",
        "4 days worked in the week of Mon 01 Sep (contract 'c': 2 or 3)"]
    # A shift outside the contract's templates, on a week otherwise fine.
    other = {0: ("t8", "08:00"), 2: ("t8", "08:00"), 4: ("eve", "21:00")}
    found = only(check({A: other}, rules=rules, contracts=[part]), "contract_hours")
    assert days(found) == [("a", 4)] and "'eve'" in found["detail"][0]
    # A week of 0 days and 0 hours, and too few hours on allowed days.
    found = only(check({A: {0: ("t8", "08:00"), 1: ("t8", "08:00")}}, weeks=2, rules=rules,
                       contracts=[part]), "contract_hours")
    assert days(found) == [("a", 7), ("a", 7)]
    assert found["detail"].tolist() == [
        "0 paid hours in the week of Mon 08 Sep (contract 'c': 16 to 24)",
        "0 days worked in the week of Mon 08 Sep (contract 'c': 2 or 3)"]
    found = only(check({A: {0: ("eve", "21:00"), 1: ("eve", "21:00")}}, rules=rules,
                       contracts=[Contract("c", 6, 24, days=(2, 3))]), "contract_hours")
    assert found["detail"].tolist() == [
        "5.9667 paid hours in the week of Mon 01 Sep (contract 'c': 6 to 24)"]


def test_a_day_of_leave_counts_as_a_day_worked():
    from ccwfm.plan.roster_rules import contract_bounds, leave_days
    full = Contract("c", 32, 40, days=(4, 5), shifts=("t8",))
    assert contract_bounds(full, 0) == ((4, 5), 32.0, 40.0)
    assert contract_bounds(full, 2) == ((2, 3), 16.0, 24.0)          # 8 h a day of leave
    assert contract_bounds(full, 7) == ((0,), 0.0, 0.0)
    rules = lax(contract_hours=True, availability=True)
    # Leave Wed and Thu; Sat is a weekday off, so leave on it is no day of leave.
    a = Agent("a", "g", "c", days_off=(5,),
              unavailable=("2025-09-03", "2025-09-04", "2025-09-06"))
    assert leave_days(a, MON) == 2
    three = {0: ("t8", "08:00"), 1: ("t8", "08:00"), 4: ("t8", "08:00")}       # 24 h
    assert len(check({a: three}, rules=rules, contracts=[full])) == 0
    one = {0: ("t8", "08:00")}
    found = only(check({a: one}, rules=rules, contracts=[full]), "contract_hours")
    assert found["detail"].tolist() == [
        "8 paid hours in the week of Mon 01 Sep (contract 'c': 16 to 24)",
        "1 day worked in the week of Mon 01 Sep (contract 'c': 2 or 3)"]
    # A week all on leave asks nothing; the next week asks the whole contract.
    away = Agent("a", "g", "c", unavailable=tuple(str((MON + pd.Timedelta(days=d)).date())
                                                  for d in range(7)))
    week2 = {7 + d: ("t8", "08:00") for d in range(5)}
    assert len(check({away: week2}, weeks=2, rules=rules, contracts=[full])) == 0


def test_the_contract_average_over_the_roster():
    rules = lax(contract_hours=True)
    c = Contract("c", 8, 24, days=(1, 2, 3), average_hours=(16, 16))
    three_one = {0: ("t8", "08:00"), 1: ("t8", "08:00"), 2: ("t8", "08:00"),
                 7: ("t8", "08:00")}                                    # 24 + 8: 16 a week
    assert len(check({A: three_one}, weeks=2, rules=rules, contracts=[c])) == 0
    three_two = {**three_one, 8: ("t8", "08:00")}                      # 24 + 16: 20 a week
    found = only(check({A: three_two}, weeks=2, rules=rules, contracts=[c]), "contract_hours")
    assert found["detail"].tolist() == [
        "20 paid hours a week on average over 2 weeks (contract 'c': 16 to 16)"]
    assert days(found) == [("a", 0)]
    # a day of leave counts as worked (8 hours here: min_hours / min(days))
    away = Agent("a", "g", "c", unavailable=("2025-09-09",))
    assert len(check({away: {0: ("t8", "08:00"), 1: ("t8", "08:00"), 2: ("t8", "08:00")}},
                     weeks=2, rules=rules, contracts=[c])) == 0


def test_contract_hours_tolerance():
    rules = lax(contract_hours=True)
    ok = {0: ("t8", "08:00"), 2: ("t8", "08:00"), 4: ("t8", "08:00")}            # 24 h
    inside = Contract("c", 0, 24 - 5e-7, days=(3,))
    outside = Contract("c", 0, 24 - 2e-6, days=(3,))
    assert len(check({A: ok}, rules=rules, contracts=[inside])) == 0
    assert len(only(check({A: ok}, rules=rules, contracts=[outside]), "contract_hours")) == 1
    low = Contract("c", 24 + 2e-6, 40, days=(3,))
    assert len(only(check({A: ok}, rules=rules, contracts=[low]), "contract_hours")) == 1


# ------------------------------------------------------------------ availability


def test_availability_days_dates_and_times():
    rules = lax(availability=True)
    a = Agent("a", "g", "c", days_off=(5,), unavailable=("2025-09-03",),
              available_from="08:00", available_until="16:00")
    assert len(check({a: {0: ("t8", "08:00"), 1: ("t8", "08:00")}}, rules=rules)) == 0
    for plan, want, words in [
            ({5: ("t8", "08:00")}, 5, "a weekday off (Sat)"),
            ({2: ("t8", "08:00")}, 2, "a date unavailable"),
            ({0: ("t8", "07:59")}, 0, "starts 07:59, before 08:00"),
            ({1: ("t8", "08:01")}, 1, "ends 16:01, after 16:00")]:
        found = only(check({a: plan}, rules=rules), "availability")
        assert days(found) == [("a", want)] and words in found["detail"][0], found
    # Two reasons on one shift: one row.
    found = only(check({a: {5: ("t8", "07:00")}}, rules=rules), "availability")
    assert len(found) == 1 and "; " in found["detail"][0]
    # Nights: available 22:00 to 06:00 the next morning.
    n = Agent("a", "g", "c", available_from="22:00", available_until="06:00")
    assert len(check({n: {0: ("t8", "22:00")}}, rules=rules)) == 0
    found = only(check({n: {0: ("t8", "22:01")}}, rules=rules), "availability")
    assert "ends 06:01 the next day, after 06:00 the next day" in found["detail"][0]
    assert len(only(check({n: {0: ("t8", "21:59")}}, rules=rules), "availability")) == 1
    assert len(check({a: {0: ("t8", "08:00")}}, rules=lax(availability=False))) == 0


# ------------------------------------------------------------------ templates


@pytest.mark.parametrize("spec, words", [
    (("t8", "08:00"), None),
    (("nope", "08:00"), "not a template of group 'g'"),
    (("brk", "09:00"), "starts 09:00, not one of its start times"),
    (("t8", "08:00", {"length": 481}), "lasts 481 min, not 480"),
    (("t8", "08:00", {"paid": 7.5}), "7.5 paid hours, not 8"),
    (("t8", "08:00", {"paid": 8 + 5e-7}), None),
    (("t8", "08:00", {"breaks": "10:00-10:15"}), "1 break listed, its template has none"),
    (("fix", "08:00", {"breaks": ""}), None),                           # fixed: may be left out
    (("fix", "08:00", {"breaks": "12:00-12:30"}), None),                # placed by the grid
    (("fix", "08:00", {"breaks": "16:00-16:30"}), None),                # ends with the shift
    (("fix", "08:00", {"breaks": "16:01-16:31"}), "ends after the shift"),
    (("fix", "08:00", {"breaks": "12:00-12:15"}), "breaks of 15 min, not 30"),
    (("fix", "08:00", {"breaks": "10:00-10:30; 12:00-12:30"}), "2 breaks listed, not 1"),
    (("fixat", "08:00", {"breaks": "10:00-10:15; 12:00-12:30"}), None),
    (("fixat", "08:00", {"breaks": "10:00-10:15; 12:30-13:00"}), "no 30 min break at 12:00"),
    (("fixat", "08:00", {"breaks": "10:00-10:30; 12:00-12:15"}), "no 15 min break at 10:00"),
    (("fixat", "08:00", {"breaks": "10:00-10:15; 10:10-10:40"}), "breaks overlap at 10:10"),
    (("brk", "08:00"), None),                                           # 09:30, 11:30
    (("brk", "08:00", {"breaks": "10:30-10:45; 13:00-13:30"}), None),   # both latest
    (("brk", "08:00", {"breaks": "09:29-09:44; 11:30-12:00"}), "starts 89 min after"),
    (("brk", "08:00", {"breaks": "10:31-10:46; 11:30-12:00"}), "starts 151 min after"),
    (("brk", "08:00", {"breaks": "09:30-09:45; 13:01-13:31"}), "starts 301 min after"),
    (("brk", "08:00", {"breaks": "09:30-09:45; 11:30-11:59"}), "lasts 29 min, not 30"),
    (("brk", "08:00", {"breaks": "09:30-09:45"}), "1 break listed, not 2"),
    (("brk", "08:00", {"breaks": ""}), "0 breaks listed, not 2"),
    (("brk", "22:00", {"breaks": "23:30-23:45; 01:30-02:00"}), None),   # after midnight
    (("brk", "22:00", {"breaks": "23:30-23:45; 21:30-22:00"}), "starts 1410 min after"),
    (("step", "08:00", {"breaks": "12:00-12:30"}), None),               # 240 = 180 + 60
    (("step", "08:00", {"breaks": "11:30-12:00"}), "a multiple of 60"),
])
def test_templates(spec, words):
    found = only(check({A: {2: spec}}), "templates")
    if words is None:
        assert len(found) == 0, found.to_string()
    else:
        assert len(found) == 1 and words in found["detail"][0], found.to_string()
        assert days(found) == [("a", 2)]


def test_templates_weekdays_and_a_group_without_templates():
    found = only(check({A: {5: ("wkday", "08:00")}}), "templates")
    assert "starts on a Sat, not one of its days (Mon, Tue, Wed, Thu, Fri)" in found["detail"][0]
    assert len(check({A: {4: ("wkday", "08:00")}})) == 0
    other = Agent("x", "chat", "c")
    found = only(check({other: {0: ("t8", "08:00")}}), "templates")
    assert "not a template of group 'chat'" in found["detail"][0]


# ------------------------------------------------------------------ malformed tables


def _table():
    return build({A: {0: ("t8", "08:00"), 1: ("brk", "08:00")}, B: {2: ("t8", "08:00")}},
                 weeks=2)


def _set(t, i, column, value):
    t[column] = t[column].astype(object)
    t.at[i, column] = value
    return t


@pytest.mark.parametrize("mutate, message", [
    (lambda t: _set(t, 0, "agent", "zz"), "'roster[0].agent' must name one of the agents: 'zz'"),
    (lambda t: t.drop(index=3).reset_index(drop=True),
     "'roster.date' must list every day of the roster for each agent (agent 'a' has 13 of 14 "
     "days; the first missing): '2025-09-04'"),
    (lambda t: pd.concat([t, t.iloc[[2]]], ignore_index=True),
     "'roster[28].date' must list each day once per agent (agent 'a' has it twice): "
     "'2025-09-03'"),
    (lambda t: _set(t, 0, "start", pd.NaT),
     "'roster[0].start' must be a date-time on a worked day (agent 'a', Mon 01 Sep 2025): NaT"),
    (lambda t: _set(t, 2, "start", MON + pd.Timedelta(days=2, hours=8)),
     "'roster[2].start' must be NaT on a day off"),
    (lambda t: _set(t, 0, "start", MON + pd.Timedelta(days=1, hours=8)),
     "'roster[0].start' must be on the row's date"),
    (lambda t: _set(t, 0, "end", MON + pd.Timedelta(hours=7)), "'roster[0].end' must be after"),
    (lambda t: t[t["date"] > MON].reset_index(drop=True),
     "'roster.date' must start on a Monday (weeks run Monday to Sunday): 'Tue 02 Sep 2025'"),
    (lambda t: t[t["date"] < MON + pd.Timedelta(days=13)].reset_index(drop=True),
     "'roster.date' must cover whole weeks"),
    (lambda t: _set(t, 1, "breaks", "9:30 to 9:45"), "'roster[1].breaks' must list breaks as"),
    (lambda t: _set(t, 1, "breaks", "09:30-09:75"), "'roster[1].breaks' must list breaks as"),
    (lambda t: _set(t, 3, "breaks", "09:30-09:45"), "'roster[3].breaks' must be empty on a day"),
    (lambda t: _set(t, 0, "paid_hours", float("nan")), "'roster[0].paid_hours' must not be NaN"),
    (lambda t: _set(t, 3, "paid_hours", 8.0), "'roster[3].paid_hours' must be 0 on a day off"),
    (lambda t: _set(t, 0, "shift", 3), "'roster[0].shift' must be a template name"),
    (lambda t: _set(t, 0, "group", "chat"), "'roster[0].group' must be the agent's group 'g'"),
    (lambda t: _set(t, 0, "contract", "x"), "'roster[0].contract' must be the agent's contract"),
    (lambda t: _set(t, 0, "date", MON + pd.Timedelta(hours=1)),
     "'roster[0].date' must be a day at midnight"),
    (lambda t: _set(t, 0, "date", "not a date"), "'roster[0].date' must be a date-time"),
    (lambda t: t.drop(columns=["breaks"]), "'roster' must have the columns"),
    (lambda t: t.iloc[:0], "'roster' must have at least one row"),
    (lambda t: t[t["agent"] == "a"], "'roster.agent' must have a row per day for every agent "
                                     "(this one has none): 'b'"),
])
def test_malformed_tables_are_refused_naming_column_rule_and_value(mutate, message):
    table = mutate(_table())
    with pytest.raises(ValueError) as info:
        check_roster(table, [A, B], RosterRules(), [LOOSE], TEMPLATES)
    assert message in str(info.value), str(info.value)


def test_bad_arguments_are_refused():
    t = _table()
    with pytest.raises(ValueError, match=r"'agents\[a\]\.contract' names an unknown contract"):
        check_roster(t, [A, B], RosterRules(), [], TEMPLATES)
    check_roster(t, [A, B], RosterRules(contract_hours=False), [], TEMPLATES)
    with pytest.raises(ValueError, match=r"'agents\.id' must have unique names"):
        check_roster(t, [A, A], RosterRules(), [LOOSE], TEMPLATES)
    with pytest.raises(ValueError, match=r"'rules' must be a RosterRules"):
        check_roster(t, [A, B], {}, [LOOSE], TEMPLATES)
    with pytest.raises(ValueError, match=r"'templates\[g\]\[0\]' must be a ShiftTemplate"):
        check_roster(t, [A, B], RosterRules(), [LOOSE], {"g": ["t8"]})
    with pytest.raises(ValueError, match=r"'violations\.rule' must be one of"):
        rule_report(pd.DataFrame({"rule": ["nope"], "detail": ["x"]}), RosterRules())


def test_a_csv_round_trip_reads_back_the_same_verdict():
    plan = {A: {0: ("t8", "08:00"), 1: ("brk", "08:00"), 2: ("t8", "09:30"), 3: ("t8", "02:00")}}
    table = build(plan, weeks=1)
    rules = lax(start_window=60, min_rest_hours=11)
    want = check_roster(table, [A], rules, [LOOSE], TEMPLATES)
    text = table.to_csv(index=False)
    back = pd.read_csv(io.StringIO(text), parse_dates=["date", "start", "end"])
    assert back["shift"].isna().any() and back["breaks"].isna().any()   # "" read as NaN
    got = check_roster(back, [A], rules, [LOOSE], TEMPLATES)
    pd.testing.assert_frame_equal(got, want)
    assert set(want["rule"]) == {"start_window", "min_rest_hours"}


def test_rule_report_names_every_rule_with_counts_and_examples():
    rules = RosterRules(max_nights=None, weekend_off_every=None)
    plan = {A: every_day(n=7), B: {0: ("t8", "08:00"), 1: ("t8", "10:00")}}
    found = check(plan, rules=rules, contracts=[Contract("c", 0, 168, days=(2, 5))])
    report = rule_report(found, rules)
    assert report["rule"].tolist() == [name for name, _, _ in rules.describe()] + ["templates"]
    got = dict(zip(report["rule"], report["violations"]))
    assert got == {"days_off": 1, "max_consecutive_days": 1, "min_rest_hours": 0,
                   "start_window": 1, "weekend_off_every": 0, "max_nights": 0,
                   "contract_hours": 1, "availability": 0, "templates": 0}
    on = dict(zip(report["rule"], report["on"]))
    assert not on["max_nights"] and not on["weekend_off_every"] and on["templates"]
    row = report.set_index("rule").loc["start_window"]
    assert row["example"].startswith("starts from 08:00 to 10:00") and "60 minutes" in row["text"]
    assert report.set_index("rule").loc["min_rest_hours", "example"] == ""


# ------------------------------------------------------------------ brute force

OPTIONS = (None, ("early", 360), ("late", 840), ("night", 1320))      # off, 06:00, 14:00, 22:00
BF_TEMPLATES = {"g": [ShiftTemplate(name, 480, starts=(at,)) for name, at in OPTIONS[1:]]}
C1 = Contract("c1", 16, 32, days=(2, 3, 4))
C2 = Contract("c2", 24, 40, days=(3, 4, 5), shifts=("early", "late"))
PROFILES = (
    dict(contract="c1"),
    dict(contract="c2", days_off=(2,), unavailable=("2025-09-05", "2025-09-13")),
    dict(contract="c1", available_from=360, available_until=1320),   # 06:00 to 22:00 sharp
    dict(contract="c2", available_from=840, available_until=1800),   # 14:00 to 06:00
)
RULES_A = RosterRules(days_off=2, consecutive_days_off=True, max_consecutive_days=3,
                      min_rest_hours=11, start_window=0, weekend_off_every=1, max_nights=1)
RULES_B = RosterRules(days_off=1, consecutive_days_off=False, max_consecutive_days=5,
                      min_rest_hours=8, start_window=480, weekend_off_every=2, max_nights=2)


def bf_table(choices):
    """Roster table of one agent per row of ``choices`` (0 off, 1-3 the options)."""
    n, days_ = choices.shape
    dates = MON + pd.to_timedelta(np.arange(days_), unit="D")
    starts = np.array([0] + [at for _, at in OPTIONS[1:]])
    work = choices > 0
    start = np.where(work, np.arange(days_)[None, :] * DAY + starts[choices], 0)
    t_start = MON + pd.to_timedelta(start.ravel(), unit="min")
    t_end = MON + pd.to_timedelta(start.ravel() + 480, unit="min")
    names = np.array(["", "early", "late", "night"], dtype=object)
    ids = np.array([f"r{i}" for i in range(n)], dtype=object)
    contracts = np.array([PROFILES[i % len(PROFILES)]["contract"] for i in range(n)],
                         dtype=object)
    w = work.ravel()
    return pd.DataFrame({
        "agent": np.repeat(ids, days_), "group": "g", "contract": np.repeat(contracts, days_),
        "date": np.tile(dates, n), "shift": names[choices.ravel()],
        "start": t_start.where(w, pd.NaT), "end": t_end.where(w, pd.NaT),
        "paid_hours": np.where(w, 8.0, 0.0), "breaks": ""})


def bf_agents(n):
    return [Agent(f"r{i}", "g", **PROFILES[i % len(PROFILES)]) for i in range(n)]


def naive(c, profile, rules):
    """{rule: set of day indices} of one roster ``c`` (a list of options per day), from the
    rules' words, day by day."""
    n = len(c)
    weeks = n // 7
    start = [None, 360, 840, 1320]
    out = {r: set() for r in RULES}
    works = [x != 0 for x in c]
    # days_off
    for w in range(weeks):
        off = [not works[7 * w + i] for i in range(7)]
        k = rules.days_off
        if sum(off) < k:
            out["days_off"].add(7 * w)
        elif rules.consecutive_days_off and k > 0:
            # the previous Sunday and the next Monday may extend the week's run
            ext = ([not works[7 * w - 1]] if w > 0 else [False]) + off + \
                ([not works[7 * w + 7]] if w < weeks - 1 else [False])
            if not any(all(ext[i:i + k]) for i in range(0, 9 - k + 1)):
                out["days_off"].add(7 * w)
    # max_consecutive_days
    for d in range(n):
        if works[d] and (d == 0 or not works[d - 1]):
            run = 0
            while d + run < n and works[d + run]:
                run += 1
            if run > rules.max_consecutive_days:
                out["max_consecutive_days"].add(d)
    # min_rest_hours: each shift against the closest earlier one
    for d in range(n):
        if works[d]:
            p = d - 1
            while p >= 0 and not works[p]:
                p -= 1
            if p >= 0:
                rest = (d * DAY + start[c[d]]) - (p * DAY + start[c[p]] + 480)
                if rest < rules.min_rest_hours * 60:
                    out["min_rest_hours"].add(d)
    # start_window
    for w in range(weeks):
        s = [start[c[d]] for d in range(7 * w, 7 * w + 7) if works[d]]
        if s and max(s) - min(s) > rules.start_window:
            out["start_window"].add(7 * w)
    # weekend_off_every
    N = rules.weekend_off_every
    for w in range(weeks - N + 1):
        if not any(not works[7 * u + 5] and not works[7 * u + 6] for u in range(w, w + N)):
            out["weekend_off_every"].add(7 * w)
    # max_nights: a shift's minutes one by one, any of them in [00:00, 05:00) of a day
    for w in range(weeks):
        nights = sum(1 for d in range(7 * w, 7 * w + 7)
                     if works[d] and NIGHTLY[c[d]])
        if nights > rules.max_nights:
            out["max_nights"].add(7 * w)
    # contract_hours
    ct = {"c1": C1, "c2": C2}[profile["contract"]]
    leave_dates = {(pd.Timestamp(x) - MON).days for x in profile.get("unavailable", ())}
    for w in range(weeks):
        worked = sum(works[7 * w:7 * w + 7])
        # a day of leave (an unavailable date that is not a weekday off) counts as a day
        # worked of min_hours / min(days) hours
        leave = sum(1 for d in range(7 * w, 7 * w + 7)
                    if d in leave_dates and d % 7 not in profile.get("days_off", ()))
        credit = ct.min_hours / min(ct.days)
        lo_h = max(ct.min_hours - leave * credit, 0)
        hi_h = max(ct.max_hours - leave * credit, 0)
        days_ok = {max(k - leave, 0) for k in ct.days}
        if not lo_h - 1e-9 <= 8 * worked <= hi_h + 1e-9 or worked not in days_ok:
            out["contract_hours"].add(7 * w)
        for d in range(7 * w, 7 * w + 7):
            if works[d] and ct.shifts and OPTIONS[c[d]][0] not in ct.shifts:
                out["contract_hours"].add(d)
    # availability
    off_days = profile.get("days_off", ())
    gone = {(pd.Timestamp(x) - MON).days for x in profile.get("unavailable", ())}
    lo, hi = profile.get("available_from", 0), profile.get("available_until", 2 * DAY)
    for d in range(n):
        if works[d] and (d % 7 in off_days or d in gone or start[c[d]] < lo
                         or start[c[d]] + 480 > hi):
            out["availability"].add(d)
    return out


NIGHTLY = [False] + [any((at + m) % DAY < 300 for m in range(480)) for _, at in OPTIONS[1:]]


def compare(choices, rules):
    n = len(choices)
    t0 = time.perf_counter()
    found = check_roster(bf_table(choices), bf_agents(n), rules, [C1, C2], BF_TEMPLATES)
    seconds = time.perf_counter() - t0
    got = {r: set() for r in RULES}
    day = ((found["date"] - MON) / pd.Timedelta(days=1)).astype(int).to_numpy()
    for rule, agent, d in zip(found["rule"], found["agent"], day):
        got[rule].add((agent, int(d)))
    want = {r: set() for r in RULES}
    for i, row in enumerate(choices.tolist()):
        for r, ds in naive(row, PROFILES[i % len(PROFILES)], rules).items():
            want[r] |= {(f"r{i}", d) for d in ds}
    for r in RULES:
        extra, missed = sorted(got[r] - want[r])[:5], sorted(want[r] - got[r])[:5]
        assert not extra and not missed, (r, extra, missed)
    # Each rule both kept and broken somewhere (templates: never broken here).
    for r in RULES[:-1]:
        broken = {a for a, _ in want[r]}
        assert 0 < len(broken) < n, (r, len(broken))
    assert not want["templates"] and not got["templates"]
    return seconds


def test_assumptions_of_the_brute_force():
    assert NIGHTLY == [False, False, False, True]


@pytest.mark.parametrize("rules", [RULES_A, RULES_B], ids=["A", "B"])
def test_every_one_week_roster_against_brute_force(rules):
    choices = np.array(list(itertools.product(range(4), repeat=7)), dtype=np.int64)
    assert len(choices) == 4 ** 7
    if rules.weekend_off_every > 1:               # one week: a window of 2 is never full
        rules = dataclasses.replace(rules, weekend_off_every=1)
    seconds = compare(choices, rules)
    assert seconds < 10, seconds


@pytest.mark.parametrize("rules", [RULES_A, RULES_B], ids=["A", "B"])
def test_random_two_week_rosters_against_brute_force(rules):
    rng = np.random.default_rng(14)
    n = 3000
    p_off = rng.uniform(0.1, 0.7, size=(n, 1))
    choices = np.where(rng.random((n, 14)) < p_off, 0, rng.integers(1, 4, size=(n, 14)))
    compare(choices, rules)
