"""The roster optimiser (``plan.roster``) against brute force, on the demo, and its inputs.

1. **Brute force.**  For each work rule a tiny case of :func:`roster_group`
   (one to three agents, one or two weeks, one or two templates with one to
   five starts on an hourly grid, a target per interval) in which the rule
   *bites*: the cheapest roster without the rule breaks it.  The brute force
   enumerates, for each agent, every week of the form the module's method
   can give (off all week, or one template on a number of days its contract
   allows, less the days of leave when contract hours are kept, the week's
   starts inside a window of the band's width starting at one of the
   template's starts, the width capped at ``24 h - length - rest``: the
   restrictions its docstring states), keeps the plans in which
   :func:`check_roster` finds no violation, and prices every combination of
   the agents' plans with the objective the docstring states: wages (paid
   hours x wage x cost factor) + 4 x wage x agent-hours short of the target
   (+ 10,000 x wage for an agent-week without a tour, unless its leave
   leaves it no day to work, which no optimum here needs).  Coverage is
   recomputed here from the templates (hours on site, hour by hour).
   ``roster_group``'s roster must have no violation, report the coverage of
   its own shifts, and cost exactly the brute-force optimum; on two weeks,
   as the weeks are optimised one after another, its first week must cost
   the least any first week of a roster without a violation costs, its
   second week the least any second week costs after its first, and the
   cases are made so that this is also the two-week optimum.  Cases where a
   class may use only some starts of a band (availability, the rest after
   Sunday, evening and night starts under the night rule) check that bands
   are cut to what the class may use.  A slow test does the same on a
   hundred random one-week cases.
2. **make_roster on the demo** (one week, planned once per module): every
   figure of the :class:`Roster` recomputed from its table and the plan.
3. **Inputs**: an agents file's days off, leave and hours kept; bad agents,
   weeks and starts refused naming the field; ``[roster]`` in a scenario file.
4. **Same input, same roster.**
"""

import dataclasses
import itertools
import math
import os

import numpy as np
import pandas as pd
import pytest

from ccwfm import plan
from ccwfm.plan.roster import roster_group
from ccwfm.plan.roster_input import (Agent, Contract, RosterConfig, RosterRules, agents_frame,
                                     read_agents)
from ccwfm.plan.roster_rules import ROSTER_COLUMNS, check_roster
from ccwfm.plan.scenario import Scenario
from ccwfm.plan.shifts import ShiftTemplate

MON = pd.Timestamp("2025-09-01")          # a Monday
DAY = 1440
IV = 60                                   # minutes per interval of the brute-force cases
PER_DAY = DAY // IV
SHORT = 4.0                               # wages per agent-hour short (the module's docstring)
EMPTY = 1e4                               # wages per agent-week without a tour

# Every rule off; a case turns on the one it is about.
OFF = RosterRules(days_off=None, consecutive_days_off=False, max_consecutive_days=None,
                  min_rest_hours=None, start_window=None, weekend_off_every=None,
                  max_nights=None, contract_hours=False, availability=False, fair=False)
ANY = Contract("any", 0, 168, days=(1, 2, 3, 4, 5, 6, 7))


def rules(**kw):
    return dataclasses.replace(OFF, **kw)


def contract(*days, lo=0, hi=168):
    return Contract("any", lo, hi, days=days)


# ------------------------------------------------------------------ the brute force


@dataclasses.dataclass
class Case:
    """A group to roster: templates, agents, target (agents per hour), rules, contract."""

    templates: list
    agents: list
    target: np.ndarray
    rules: RosterRules
    loose: RosterRules                    # the same without the rule the case is about
    contracts: list = dataclasses.field(default_factory=lambda: [ANY])
    weeks: int = 1
    wage: float = 1.0
    kwargs: dict = dataclasses.field(default_factory=dict)    # more for roster_group

    def __post_init__(self):
        self.target = np.asarray(self.target, float)
        assert len(self.target) == 7 * self.weeks * PER_DAY
        # the options of a day: code 0 off, code k the (template, start) opts[k - 1]
        self.opts = [(t.name, s) for t in self.templates for s in t.starts]
        self.by = {t.name: t for t in self.templates}
        for t in self.templates:          # what the coverage below knows how to count
            assert t.length % IV == 0 and all(s % IV == 0 for s in t.starts)
            assert not t.breaks and not t.paid_breaks and not t.unpaid_break

    def loosened(self):
        return dataclasses.replace(self, rules=self.loose)


def target(weeks, spec):
    """Agents wanted per hour: ``{day: [(from hour, to hour, agents), ...]}``."""
    out = np.zeros(7 * weeks * PER_DAY)
    for d, items in spec.items():
        for a, b, n in items:
            out[d * PER_DAY + a:d * PER_DAY + b] += n
    return out


def table(case, agents, codes, first=MON):
    """The roster table (:data:`ROSTER_COLUMNS`) of ``codes`` (one row of day codes per agent)."""
    codes = np.asarray(codes)
    n, days = codes.shape
    name = np.array([""] + [o[0] for o in case.opts], dtype=object)
    start = np.array([0] + [o[1] for o in case.opts])
    length = np.array([0] + [case.by[o[0]].length for o in case.opts])
    paid = np.array([0.0] + [case.by[o[0]].paid_hours for o in case.opts])
    dates = first + pd.to_timedelta(np.tile(np.arange(days), n), unit="D")
    c = codes.ravel()
    worked = c > 0
    return pd.DataFrame({
        "agent": np.repeat([a.id for a in agents], days),
        "group": np.repeat([a.group for a in agents], days),
        "contract": np.repeat([a.contract for a in agents], days),
        "date": dates, "shift": name[c],
        "start": pd.Series(dates + pd.to_timedelta(start[c], unit="min")).where(worked),
        "end": pd.Series(dates + pd.to_timedelta(start[c] + length[c], unit="min")).where(worked),
        "paid_hours": paid[c], "breaks": ""}, columns=list(ROSTER_COLUMNS))


def violations(case, agents, codes, rules=None, first=MON):
    return check_roster(table(case, agents, codes, first), agents, rules or case.rules,
                        case.contracts, {agents[0].group: case.templates})


def without_violation(case, agent, codes, rules=None, first=MON):
    """Which plans (rows of ``codes``) of ``agent`` check_roster finds no violation in (each
    checked as the plan of a copy of the agent)."""
    codes = np.asarray(codes)
    copies = [dataclasses.replace(agent, id=f"{agent.id}#{k}") for k in range(len(codes))]
    bad = set(violations(case, copies, codes, rules, first)["agent"])
    return np.array([c.id not in bad for c in copies], dtype=bool)


def leave(agent, week):
    """Days of leave in a week: unavailable dates that are not weekdays off."""
    monday = MON + pd.Timedelta(days=7 * week)
    return sum((monday + pd.Timedelta(days=d)).date() in agent.unavailable
               and d not in agent.days_off for d in range(7))


def day_counts(case, agent, week):
    """Days a week of ``agent`` may be worked: its contract's, each day of leave counting as
    one worked when contract hours are kept."""
    c = {x.name: x for x in case.contracts}[agent.contract]
    if case.rules.contract_hours:
        return {max(d - leave(agent, week), 0) for d in c.days}
    return set(c.days)


def band_width(t, rules):
    """The widest spread of a week's starts the method allows, and whether two days in a row
    may be worked (the module's docstring: the start window, capped at 24 h - length - rest)."""
    width = DAY if rules.start_window is None else rules.start_window
    if rules.min_rest_hours is None:
        return width, True
    room = DAY - t.length - 60 * rules.min_rest_hours
    return (width, False) if room < 0 else (min(width, math.floor(room)), True)


def week_forms(case, agent, week):
    """Every week (codes, 7 days) of the method's form: off all week, or one template on an
    allowed number of days, starts in a window of the band width from one of its starts."""
    c = {x.name: x for x in case.contracts}[agent.contract]
    counts = day_counts(case, agent, week)
    out = {(0,) * 7}
    for t in case.templates:
        if c.shifts and t.name not in c.shifts:
            continue
        width, adjacent = band_width(t, case.rules)
        code = {s: case.opts.index((t.name, s)) + 1 for s in t.starts}
        windows = [[s for s in t.starts if s0 <= s <= s0 + width] for s0 in t.starts]
        for mask in range(1, 128):
            days = [d for d in range(7) if mask >> d & 1]
            if len(days) not in counts:
                continue
            if not adjacent and any(d + 1 in days for d in days):
                continue
            for win in windows:
                for starts in itertools.product(win, repeat=len(days)):
                    row = [0] * 7
                    for d, s in zip(days, starts):
                        row[d] = code[s]
                    out.add(tuple(row))
    return np.array(sorted(out))


def agent_plans(case, agent):
    """Every plan (codes, all days) of ``agent`` of the method's form without a violation.

    Over two weeks, each week's forms are first sifted by the rules a week decides on its
    own (a necessary condition), the combinations then checked whole."""
    if case.weeks == 1:
        forms = week_forms(case, agent, 0)
        return forms[without_violation(case, agent, forms)]
    weekly = dataclasses.replace(case.rules, consecutive_days_off=False,
                                 max_consecutive_days=None, weekend_off_every=None)
    parts = []
    for w in range(case.weeks):
        forms = week_forms(case, agent, w)
        parts.append(forms[without_violation(case, agent, forms, weekly,
                                             MON + pd.Timedelta(days=7 * w))])
    full = np.array([np.concatenate(p) for p in itertools.product(*parts)])
    return full[without_violation(case, agent, full)]


def features(case, agent, codes):
    """Per plan: agents on duty per hour of the roster (shifts running past its end count only
    inside it), wages per week and agent-weeks without a tour (penalised) per week."""
    codes = np.asarray(codes)
    n, days = codes.shape
    rows = days * PER_DAY
    on = np.zeros((days, len(case.opts) + 1, rows))
    pay = np.zeros(len(case.opts) + 1)
    for k, (name, s) in enumerate(case.opts, start=1):
        t = case.by[name]
        pay[k] = t.paid_hours * t.cost_factor * case.wage
        for d in range(days):
            first = (d * DAY + s) // IV
            on[d, k, first:min(first + t.length // IV, rows)] = 1.0
    cov = np.zeros((n, rows))
    for d in range(days):
        cov += on[d, codes[:, d]]
    wages = pay[codes].reshape(n, case.weeks, 7).sum(axis=2)
    idle = (codes.reshape(n, case.weeks, 7) == 0).all(axis=2)
    penalised = np.array([0 not in day_counts(case, agent, w) for w in range(case.weeks)])
    return cov, wages, (idle & penalised).astype(float)


def cost(case, cov, wages, empty, weeks=None):
    """The objective of rosters of coverage ``cov`` (one row each) over ``weeks`` (all)."""
    total = np.zeros(len(cov))
    for w in range(case.weeks) if weeks is None else weeks:
        rows = slice(7 * w * PER_DAY, 7 * (w + 1) * PER_DAY)
        short = np.maximum(case.target[rows] - cov[:, rows], 0.0).sum(axis=1) * IV / 60
        total += SHORT * case.wage * short + wages[:, w] + EMPTY * case.wage * empty[:, w]
    return total


def combine(sets):
    """Every combination of one plan per agent, summed (one of each distinct sum kept)."""
    cov, wages, empty = sets[0]
    for c2, w2, e2 in sets[1:]:
        cov = (cov[:, None] + c2[None]).reshape(-1, cov.shape[1])
        wages = (wages[:, None] + w2[None]).reshape(-1, wages.shape[1])
        empty = (empty[:, None] + e2[None]).reshape(-1, empty.shape[1])
        _, keep = np.unique(np.concatenate([cov, wages, empty], axis=1), axis=0,
                            return_index=True)
        cov, wages, empty = cov[keep], wages[keep], empty[keep]
    return cov, wages, empty


def optimum(case, plans, weeks=None):
    """The least objective over every combination of the agents' ``plans``."""
    assert all(len(p) for p in plans), "an agent without a plan of the method's form"
    sets = [features(case, a, p) for a, p in zip(case.agents, plans)]
    return float(cost(case, *combine(sets), weeks).min())


def objective(case, codes, weeks=None):
    """The objective of one roster (codes per agent)."""
    sets = [features(case, a, c[None]) for a, c in zip(case.agents, codes)]
    cov = sum(s[0] for s in sets)
    wages = sum(s[1] for s in sets)
    empty = sum(s[2] for s in sets)
    return float(cost(case, cov, wages, empty, weeks)[0])


def solve(case, **kw):
    """roster_group's roster as codes per agent and day, and its agents on duty."""
    rows, rostered = roster_group(case.target, case.templates, case.agents, case.contracts,
                                  case.rules, day0=MON, weeks=case.weeks, interval=IV,
                                  wage=case.wage, **{**case.kwargs, **kw})
    ids = [a.id for a in case.agents]
    codes = np.zeros((len(ids), 7 * case.weeks), dtype=int)
    seen = np.zeros(codes.shape, dtype=int)
    for r in rows:
        seen[ids.index(r["agent"]), r["day"]] += 1
        if r["template"]:
            s = r["start"] - r["day"] * DAY
            codes[ids.index(r["agent"]), r["day"]] = case.opts.index((r["template"], s)) + 1
        else:
            assert r["start"] is None
    assert (seen == 1).all(), "a row per agent and day"
    return codes, np.asarray(rostered, float)


def coverage_of(case, codes):
    return sum(features(case, a, c[None])[0][0] for a, c in zip(case.agents, codes))


# ------------------------------------------------------------------ the cases

A, B, C = Agent("a", "g", "any"), Agent("b", "g", "any"), Agent("c", "g", "any")
D8 = ShiftTemplate("d8", 480, starts=("08:00",))
EARLY = ShiftTemplate("early", 480, starts=("06:00",))
LATE = ShiftTemplate("late", 480, starts=("14:00",))
NIGHT8 = ShiftTemplate("night", 480, starts=("22:00",), cost_factor=1.25)
HEAVY = [(8, 16, 1)]                 # a day shift's worth: off costs 32, worked 8
LIGHT = [(8, 9, 1)]                  # an hour: off costs 4, worked 8


def _cases():
    out = {}
    # days_off (count only): three agents who would work six or seven days
    two, one = [(8, 16, 3)], [(8, 16, 2), (8, 9, 1)]
    out["days_off"] = Case(
        [D8], [A, B, C], target(1, {0: two, 1: one, 2: two, 3: one, 4: two, 5: two, 6: two}),
        rules(days_off=2), OFF, contracts=[contract(5, 6, 7)])
    # consecutive days off: the light days are apart
    out["consecutive_days_off"] = Case(
        [D8], [A], target(1, {0: HEAVY, 1: LIGHT, 2: HEAVY, 3: LIGHT, 4: HEAVY, 5: HEAVY,
                              6: HEAVY}),
        rules(days_off=2, consecutive_days_off=True), rules(days_off=2))
    # the pair of days off runs from Sunday into the next Monday (light Wed and Sun in week
    # 1; Monday of week 2 is busy, so the run costs there); the Monday limit
    # (day_need) is set aside: it would forbid the run
    spec = {d: HEAVY for d in range(14)}
    spec.update({2: LIGHT, 6: LIGHT, 9: LIGHT, 11: LIGHT})
    out["days_off_into_monday"] = Case(
        [D8], [A], target(2, spec), rules(days_off=2, consecutive_days_off=True),
        rules(days_off=2), contracts=[contract(5)], weeks=2,
        kwargs={"day_need": np.zeros(14)})
    # five days in a row at most: week 1 ends with five (Wed-Sun), week 2 is busy all week
    spec = {d: HEAVY for d in range(2, 14)}
    spec.update({0: LIGHT, 1: LIGHT})
    out["max_consecutive_days"] = Case(
        [D8], [A], target(2, spec), rules(max_consecutive_days=5), OFF,
        contracts=[contract(5, 6, 7)], weeks=2)
    # rest: late shifts and early ones on alternate days of one template
    lates = {d: [(14, 22, 1)] if d % 2 == 0 else [(6, 14, 1)] for d in range(7)}
    out["min_rest_hours"] = Case(
        [ShiftTemplate("shift", 480, starts=("06:00", "14:00"))], [A], target(1, lates),
        rules(min_rest_hours=11), OFF)
    # rest across the week: late on Sat and Sun, early on Mon and Tue (06:00 is 8 h after)
    out["min_rest_hours_across_weeks"] = Case(
        [EARLY, LATE], [A], target(2, {5: [(14, 22, 1)], 6: [(14, 22, 1)], 7: [(6, 14, 1)],
                                       8: [(6, 14, 1)]}),
        rules(min_rest_hours=11), OFF, contracts=[contract(2)], weeks=2)
    # starts within an hour while the target moves an hour a day
    out["start_window"] = Case(
        [ShiftTemplate("s", 480, starts=("06:00", "07:00", "08:00", "09:00"))], [A],
        target(1, {0: [(6, 14, 1)], 2: [(7, 15, 1)], 4: [(9, 17, 1)], 6: LIGHT}),
        rules(start_window=60), OFF, contracts=[contract(3)])
    # weekends: every week (one week) and one in two (two weeks)
    out["weekend_off_every_1"] = Case(
        [D8], [A], target(1, {d: HEAVY for d in range(7)}), rules(weekend_off_every=1), OFF)
    out["weekend_off_every_2"] = Case(
        [D8], [A], target(2, {d: HEAVY for d in range(14)}), rules(weekend_off_every=2), OFF,
        contracts=[contract(5, 6, 7)], weeks=2)
    # nights (at a premium, at a real wage): at most two a week
    out["max_nights"] = Case(
        [NIGHT8, D8], [A], target(1, {d: [(0, 6, 1), (22, 24, 1), (8, 12, 1)] for d in range(7)}),
        rules(max_nights=2), OFF, wage=28.0)
    # contract hours: 20 to 28 a week, on 8-hour or 4-hour shifts
    p4 = ShiftTemplate("p4", 240, starts=("08:00",))
    out["contract_hours_max"] = Case(
        [D8, p4], [A], target(1, {d: HEAVY for d in range(5)}), rules(contract_hours=True),
        OFF, contracts=[contract(3, 4, 5, lo=20, hi=28)])
    out["contract_hours_min"] = Case(
        [D8, p4], [A], target(1, {0: HEAVY, 1: HEAVY}), rules(contract_hours=True), OFF,
        contracts=[contract(1, 2, 3, 4, 5, lo=24, hi=40)])
    # availability: weekdays off, a date of leave, hours of the day
    busy = target(1, {d: HEAVY for d in range(7)})
    out["availability_days_off"] = Case(
        [D8], [Agent("a", "g", "any", days_off=("mon", "fri"))], busy,
        rules(availability=True), OFF, contracts=[contract(4, 5, 6, 7)])
    out["availability_unavailable"] = Case(
        [D8], [Agent("a", "g", "any", unavailable=("2025-09-03",))], busy,
        rules(availability=True), OFF, contracts=[contract(4, 5, 6, 7)])
    # a day of leave counts for the contract as a day worked: 2 days off work leave 2 or 3
    out["contract_hours_with_leave"] = Case(
        [D8], [Agent("a", "g", "any", unavailable=("2025-09-02", "2025-09-03"))], busy,
        rules(contract_hours=True, availability=True), rules(availability=True),
        contracts=[contract(4, 5, lo=32, hi=40)])
    out["availability_from"] = Case(
        [D8, ShiftTemplate("noon", 480, starts=("12:00",))],
        [Agent("a", "g", "any", available_from="10:00")], busy, rules(availability=True), OFF)
    out["availability_until"] = Case(
        [ShiftTemplate("noon", 480, starts=("12:00",)), LATE],
        [Agent("a", "g", "any", available_until="21:00")],
        target(1, {d: [(14, 22, 1)] for d in range(7)}), rules(availability=True), OFF)
    return out


CASES = _cases()


def check_against_brute_force(case):
    """The checks of the module docstring's claims on one case (see the module docstring)."""
    codes, rostered = solve(case)
    found = violations(case, case.agents, codes)
    assert found.empty, found.to_string()
    assert np.allclose(rostered, coverage_of(case, codes)), "coverage of its own shifts"
    plans = [agent_plans(case, a) for a in case.agents]
    best = optimum(case, plans)
    got = objective(case, codes)
    if case.weeks == 1:
        assert got == pytest.approx(best, abs=1e-6), (got, best, codes)
        return codes, best
    # week by week: the cheapest first week among rosters without a violation ...
    firsts = [np.unique(p[:, :7], axis=0) for p in plans]
    firsts = [np.concatenate([f, np.zeros_like(f)], axis=1) for f in firsts]
    assert objective(case, codes, [0]) == pytest.approx(optimum(case, firsts, [0]), abs=1e-6)
    # ... then the cheapest second week after it
    seconds = [p[(p[:, :7] == c[:7]).all(axis=1)] for p, c in zip(plans, codes)]
    assert objective(case, codes, [1]) == pytest.approx(optimum(case, seconds, [1]), abs=1e-6)
    # the cases are made so that this is the two-week optimum too
    assert got == pytest.approx(best, abs=1e-6), (got, best, codes)
    return codes, best


@pytest.mark.parametrize("name", list(CASES))
def test_roster_group_finds_the_brute_force_optimum_where_the_rule_bites(name):
    case = CASES[name]
    codes, best = check_against_brute_force(case)
    # the rule bites: without it the cheapest roster is cheaper (and breaks it)
    free = optimum(case.loosened(), [agent_plans(case.loosened(), a) for a in case.agents])
    assert free < best - 1.0, (free, best)


def test_what_the_cases_show():
    """A few facts of the cases' optima, derived by hand (the brute force's own sanity)."""
    # the run of days off into the next Monday is what the optimum uses: Sunday and Monday
    case = CASES["days_off_into_monday"]
    codes, _ = solve(case)
    assert codes[0, 6] == 0 and codes[0, 7] == 0
    # the rest across the week, priced by hand: late Sat and Sun (16), then early Tue and one
    # more day, Monday's early left short (16 + 32); without the rule 16 + 16
    case = CASES["min_rest_hours_across_weeks"]
    assert optimum(case, [agent_plans(case, A)]) == 16 + 16 + 32
    loose = case.loosened()
    assert optimum(loose, [agent_plans(loose, A)]) == 16 + 16
    # hand-priced optimum of the one-agent consecutive case: off Tue, Wed and Thu (or Tue,
    # Thu and Fri), 4 x 8 wages + 4 + 32 + 4 short; without the rule off Tue and Thu
    case = CASES["consecutive_days_off"]
    assert optimum(case, [agent_plans(case, A)]) == 4 * 8 + 4 + 32 + 4
    loose = case.loosened()
    assert optimum(loose, [agent_plans(loose, A)]) == 5 * 8 + 4 + 4


def random_case(rng):
    """A random one-week case of one or two agents, two rules on at random, one or two
    templates; single starts where the night rule applies."""
    picked = set(rng.choice(8, size=2, replace=False).tolist())
    kw = {}
    if 0 in picked:
        kw.update(days_off=int(rng.integers(1, 4)), consecutive_days_off=bool(rng.integers(2)))
    if 1 in picked:
        kw.update(max_consecutive_days=int(rng.integers(2, 6)))
    if 2 in picked:
        kw.update(min_rest_hours=float(rng.choice([8, 11, 14])))
    if 3 in picked:
        kw.update(start_window=int(rng.choice([0, 60, 120])))
    if 4 in picked:
        kw.update(weekend_off_every=1)
    if 5 in picked:
        kw.update(max_nights=int(rng.integers(0, 4)))
    if 6 in picked:
        kw.update(contract_hours=True)
    if 7 in picked:
        kw.update(availability=True)
    single = bool({5, 7} & picked)
    templates = []
    for k in range(int(rng.integers(1, 3))):
        starts = rng.choice(24, size=1 if single else int(rng.integers(1, 4)), replace=False)
        templates.append(ShiftTemplate(f"t{k}", int(rng.choice([4, 6, 8, 10])) * 60,
                                       starts=tuple(int(x) * 60 for x in starts),
                                       cost_factor=float(rng.choice([1.0, 1.25]))))
    days = tuple(sorted({int(x) for x in rng.choice(np.arange(1, 8), int(rng.integers(1, 4)),
                                                     replace=False)}))
    lo = float(rng.integers(0, 30))
    agents = []
    for i in range(int(rng.integers(1, 3))):
        akw = {}
        if rng.random() < 0.5:
            akw["days_off"] = (int(rng.integers(7)),)
        if rng.random() < 0.4:
            akw["available_from"] = int(rng.integers(12)) * 60
        if rng.random() < 0.3:
            akw["unavailable"] = ("2025-09-03",)
        agents.append(Agent("ab"[i], "g", "any", **akw))
    want = np.zeros(7 * PER_DAY)
    for d in range(7):
        a = int(rng.integers(0, 20))
        want[d * PER_DAY + a:d * PER_DAY + min(a + int(rng.integers(0, 10)), 24)] = \
            rng.choice([0, 1, 1, 2])
    return Case(templates, agents, want, rules(**kw), OFF,
                contracts=[contract(*days, lo=lo, hi=lo + float(rng.integers(0, 30)))])


@pytest.mark.slow
def test_random_small_cases_against_brute_force():
    rng = np.random.default_rng(14)
    done = 0
    for _ in range(120):
        case = random_case(rng)
        sizes = [len(agent_plans(case, a)) for a in case.agents]
        if not all(sizes) or math.prod(sizes) > 50_000:
            continue          # no roster without a violation, or too many to try
        check_against_brute_force(case)
        done += 1
    assert done >= 60


# ------------------------------------------------------------------ bands clipped to what a class may use


def test_an_agent_available_from_the_last_start_of_a_band_gets_a_tour():
    case = Case([ShiftTemplate("s", 480, starts=("07:00", "08:00", "09:00"))],
                [Agent("a", "g", "any", available_from="09:00")],
                target(1, {d: [(9, 17, 1)] for d in range(5)}),
                rules(availability=True, start_window=60), rules(start_window=60),
                contracts=[contract(5)])
    check_against_brute_force(case)


def test_a_band_mixing_night_and_evening_starts_may_be_worked_in_the_evening():
    case = Case([ShiftTemplate("eve", 240, starts=("20:00", "21:00"))], [A],
                target(1, {d: [(20, 24, 1)] for d in range(7)}),
                rules(max_nights=2, start_window=60), rules(start_window=60))
    check_against_brute_force(case)


def test_the_rest_after_sunday_allows_the_later_start_of_a_band():
    case = Case([ShiftTemplate("sun", 240, starts=("16:00",)),
                 ShiftTemplate("e", 480, starts=("06:00", "07:00"))], [A],
                target(2, {6: [(16, 20, 1)], 7: [(7, 15, 1)]}),
                rules(min_rest_hours=11, start_window=60), rules(start_window=60),
                contracts=[contract(1)], weeks=2)
    check_against_brute_force(case)


# ------------------------------------------------------------------ make_roster on the demo


@pytest.fixture(scope="module")
def demo():
    res = plan.run(plan.demo_scenario(weeks=1), steps=plan.STEPS[:4])
    return res, plan.make_roster(res)


def templates_of(sc, group):
    cfg = {g.name: g for g in sc.workforce.groups}.get(group)
    return {t.name: t for t in sc.workforce.templates(cfg)}


def clock_after(t0, text):
    """The first moment at or after ``t0`` whose clock reads ``text`` (HH:MM)."""
    h, m = map(int, text.split(":"))
    at = t0.normalize() + pd.Timedelta(hours=h, minutes=m)
    return at if at >= t0 else at + pd.Timedelta(days=1)


def on_duty_from_table(table, day0, days, interval):
    """Agents on duty per group and interval: on site from start to end, minus the breaks the
    ``breaks`` column lists, each interval getting its share of the minutes."""
    minutes = days * DAY
    out = {}
    for r in table[table["shift"] != ""].itertuples():
        diff = out.setdefault(r.group, np.zeros(minutes + 1))
        s = int((r.start - day0) / pd.Timedelta(minutes=1))
        e = int((r.end - day0) / pd.Timedelta(minutes=1))
        spans = [(s, e)]
        for item in filter(None, r.breaks.split("; ")):
            a, b = item.split("-")
            bs = clock_after(r.start, a)
            be = clock_after(bs, b)
            bs = int((bs - day0) / pd.Timedelta(minutes=1))
            be = int((be - day0) / pd.Timedelta(minutes=1))
            assert s <= bs < be <= e, (r, item)
            spans = [x for lo, hi in spans for x in ((lo, min(hi, bs)), (max(lo, be), hi))
                     if x[0] < x[1]]
        for lo, hi in spans:
            diff[min(lo, minutes)] += 1
            diff[min(hi, minutes)] -= 1
    return {g: np.cumsum(d)[:minutes].reshape(-1, interval).mean(axis=1) for g, d in out.items()}


def test_a_contract_average_over_the_weeks_is_kept_week_by_week():
    # 8-hour days, 8 to 24 hours a week, 16 on average over two weeks; three days of
    # demand each week: without the average 3 + 3 days, with it the first week takes
    # three (the most that leaves the second week room: 8 hours) and the second one.
    day = ShiftTemplate("d", 480, starts=("08:00",))
    lax = RosterRules(days_off=0, consecutive_days_off=False, max_consecutive_days=None,
                      min_rest_hours=None, start_window=None, weekend_off_every=None)
    want = np.zeros(2 * 7 * 24)
    for d in (0, 1, 2, 7, 8, 9):
        want[d * 24 + 8:d * 24 + 16] = 1
    worked = {}
    for avg in (None, (16, 16)):
        c = Contract("c", 8, 24, days=(1, 2, 3), average_hours=avg)
        rows, _ = roster_group(want, [day], [Agent("a", "g", "c")], [c], lax,
                               day0="2025-09-01", weeks=2, interval=60, wage=1.0)
        worked[avg] = [r["day"] for r in rows if r["template"]]
        table = pd.DataFrame([{
            "agent": "a", "group": "g", "contract": "c",
            "date": pd.Timestamp("2025-09-01") + pd.Timedelta(days=r["day"]),
            "shift": r["template"],
            "start": (pd.Timestamp("2025-09-01") + pd.Timedelta(minutes=r["start"])
                      if r["template"] else pd.NaT),
            "end": (pd.Timestamp("2025-09-01") + pd.Timedelta(minutes=r["start"] + 480)
                    if r["template"] else pd.NaT),
            "paid_hours": 8.0 if r["template"] else 0.0, "breaks": ""} for r in rows])
        assert check_roster(table, [Agent("a", "g", "c")], lax, [c], {"g": [day]}).empty
    assert worked[None] == [0, 1, 2, 7, 8, 9]
    assert worked[(16, 16)] == [0, 1, 2, 7]
    with pytest.raises(ValueError, match=r"'roster.contracts\[c\].average_hours\[1\]' must be"):
        Contract("c", 8, 24, days=(1, 2, 3), average_hours=(16, 30))
    sc = Scenario.from_toml(plan.demo_scenario().to_toml() + """
[[roster.contracts]]
name = "full"
min_hours = 32
max_hours = 48
days = [4, 5, 6]
shifts = ["full"]
average_hours = [38, 40]
""")
    assert sc.roster.contracts[0].average_hours == (38.0, 40.0)
    assert Scenario.from_toml(sc.to_toml()) == sc


def test_demo_roster_keeps_every_rule_and_gives_everyone_every_day(demo):
    res, ro = demo
    sc = res.scenario
    assert len(ro.violations) == 0, ro.violations.head().to_string()
    assert (ro.rule_report["violations"] == 0).all()
    templates = {g: list(templates_of(sc, g).values()) for g in set(ro.table["group"])}
    again = check_roster(ro.table, ro.agents, ro.rules, ro.contracts, templates)
    assert again.empty, again.head().to_string()
    days = pd.date_range(sc.start, periods=7)
    assert list(ro.table.columns[:len(ROSTER_COLUMNS)]) == list(ROSTER_COLUMNS)
    assert sorted(set(ro.table["agent"])) == sorted(a.id for a in ro.agents)
    for agent, part in ro.table.groupby("agent"):
        assert sorted(part["date"]) == list(days), agent
    assert ro.weeks == 1 and len(ro.table) == 7 * len(ro.agents)
    worked = ro.table[ro.table["shift"] != ""]
    assert len(worked) > 0 and (worked["end"] > worked["start"]).all()


def test_demo_roster_coverage_hours_and_shortfall_recomputed_from_its_table(demo):
    res, ro = demo
    sc = res.scenario
    interval = sc.workforce.interval
    day0 = pd.Timestamp(sc.start)
    starts = pd.date_range(day0, periods=7 * DAY // interval, freq=f"{interval}min")
    on = on_duty_from_table(ro.table, day0, 7, interval)
    short = 0.0
    for g, part in ro.coverage.groupby("group"):
        part = part.set_index("start").reindex(starts)
        mine = on.get(g, np.zeros(len(starts)))
        np.testing.assert_allclose(part["rostered"].to_numpy(), mine, atol=1e-9, err_msg=g)
        wanted = (res.coverage[res.coverage["group"] == g].set_index("start")["scheduled"]
                  .reindex(starts).fillna(0.0).to_numpy())
        np.testing.assert_allclose(part["target"].to_numpy(), wanted, err_msg=g)
        short += np.maximum(wanted - mine, 0.0).sum() * interval / 60
    assert set(ro.coverage["group"]) == set(res.coverage["group"])
    assert ro.shortfall_agent_hours == pytest.approx(short, rel=1e-9, abs=1e-9)
    assert ro.paid_hours == pytest.approx(ro.table["paid_hours"].sum())
    paid = {g: {n: t.paid_hours for n, t in templates_of(sc, g).items()}
            for g in set(res.shifts["group"])}
    week = (res.shifts["start"] >= day0) & (res.shifts["start"] < day0 + pd.Timedelta(days=7))
    sh = res.shifts[week]
    schedule = sum(r.agents * paid[r.group][r.template] for r in sh.itertuples())
    assert ro.paid_hours_schedule == pytest.approx(schedule, rel=1e-12)
    assert ro.paid_hours_over_schedule_pct == pytest.approx(
        100 * (ro.paid_hours / schedule - 1))
    # each worked row is paid its template's hours
    worked = ro.table[ro.table["shift"] != ""]
    want = [paid[g][s] for g, s in zip(worked["group"], worked["shift"])]
    assert (worked["paid_hours"] == want).all()
    assert (ro.table.loc[ro.table["shift"] == "", "paid_hours"] == 0).all()


def test_demo_roster_kpis_grid_and_files(demo, tmp_path):
    res, ro = demo
    assert set(ro.kpis["queue"]) == {q.name for q in res.scenario.queues}
    grid = plan.roster_grid(ro.table)
    days = pd.date_range(res.scenario.start, periods=7)
    assert len(grid) == len(ro.agents) == grid["agent"].nunique()
    assert list(grid.columns) == ["agent", "group", "contract"] + [f"{d:%a %d %b}" for d in days]
    cells = grid.set_index("agent")
    for r in ro.table.itertuples():
        want = "off" if r.shift == "" else f"{r.start:%H:%M}-{r.end:%H:%M}"
        assert cells.at[r.agent, f"{r.date:%a %d %b}"] == want, r
    written = plan.write_roster(ro, tmp_path / "out")
    names = sorted(os.listdir(tmp_path / "out"))
    assert sorted(p.name for p in written) == names
    assert {"roster.csv", "roster.xlsx", "roster_grid.csv", "roster_rules.csv",
            "roster_coverage.csv", "roster_kpis.csv", "roster_agents.csv",
            "roster_summary.csv"} <= set(names)
    assert not [n for n in names if n.startswith(".") or ".tmp" in n]
    back = pd.read_csv(tmp_path / "out" / "roster.csv", keep_default_na=False)
    assert len(back) == len(ro.table) and list(back.columns[:len(ROSTER_COLUMNS)]) == \
        list(ROSTER_COLUMNS)
    assert sorted(set(back["agent"])) == sorted(a.id for a in ro.agents)
    rules = pd.read_csv(tmp_path / "out" / "roster_rules.csv")
    assert (rules["violations"] == 0).all() and len(rules) == 9
    from openpyxl import load_workbook
    book = load_workbook(tmp_path / "out" / "roster.xlsx", read_only=True)
    assert {"roster", "grid", "rules"} <= set(book.sheetnames)
    book.close()


def test_break_windows_are_off_duty_in_the_roster_coverage(demo):
    res, _ = demo
    sc = res.scenario
    windowed = sc.with_overrides({"workforce.shifts.full.unpaid_break": 0,
                                  "workforce.shifts.full.breaks": [
                                      {"length": 30, "earliest": 180, "latest": 300,
                                       "step": 30}]})
    again = dataclasses.replace(res, scenario=windowed)
    contracts = plan.default_contracts(windowed.workforce.templates(None))
    agents = plan.generate_agents({"email": [300.0]}, contracts)
    ro = plan.make_roster(again, agents=agents, simulate=False)
    assert (ro.table["breaks"] != "").any()
    interval = sc.workforce.interval
    starts = pd.date_range(sc.start, periods=7 * DAY // interval, freq=f"{interval}min")
    on = on_duty_from_table(ro.table, pd.Timestamp(sc.start), 7, interval)["email"]
    part = ro.coverage[ro.coverage["group"] == "email"].set_index("start").reindex(starts)
    np.testing.assert_allclose(part["rostered"].to_numpy(), on, atol=1e-9)


# ------------------------------------------------------------------ inputs


def test_an_agents_file_is_respected_day_by_day(demo):
    res, ro = demo
    mine = [a for a in ro.agents if a.group == "email"]
    assert len(mine) >= 4
    frame = agents_frame(mine)
    full = frame.index[frame["contract"] == "full"]
    a, b, c = frame.loc[full[0], "id"], frame.loc[full[1], "id"], frame.loc[full[2], "id"]
    frame.loc[full[0], "days_off"] = "sat;sun"
    frame.loc[full[1], "unavailable"] = "2025-09-02;2025-09-03"
    frame.loc[full[2], ["available_from", "available_until"]] = ["09:00", "19:00"]
    agents = read_agents(frame.to_csv(index=False), ro.contracts)
    assert [x.id for x in agents] == [x.id for x in mine]
    got = plan.make_roster(res, agents=agents, simulate=False)
    assert got.violations.empty, got.violations.to_string()
    t = got.table
    assert set(t["agent"]) == set(frame["id"]) and set(t["group"]) == {"email"}
    worked = t[t["shift"] != ""]
    assert not worked[(worked["agent"] == a) & worked["date"].dt.day_of_week.isin([5, 6])].size
    assert not worked[(worked["agent"] == b) & worked["date"].isin(
        pd.to_datetime(["2025-09-02", "2025-09-03"]))].size
    late = worked[worked["agent"] == c]
    assert len(late) >= 1
    assert (late["start"] >= late["date"] + pd.Timedelta(hours=9)).all()
    assert (late["end"] <= late["date"] + pd.Timedelta(hours=19)).all()
    # each still works a week inside the contract (leave counting as days worked)
    assert 3 <= len(worked[worked["agent"] == a]) and 2 <= len(worked[worked["agent"] == b])
    # the other groups have no agents: their schedule is left uncovered, and said so
    assert (got.coverage.loc[got.coverage["group"] != "email", "rostered"] == 0).all()
    assert any("no agents" in line for line in got.log)


def test_bad_agents_weeks_and_starts_are_refused_naming_the_field(demo):
    res, ro = demo
    with pytest.raises(ValueError,
                       match=r"'agents\[x\]\.group' names an unknown agent group: 'nowhere'"):
        plan.make_roster(res, agents=[Agent("x", "nowhere", "full")], simulate=False)
    with pytest.raises(ValueError,
                       match=r"'agents\[x\]\.contract' names an unknown contract: 'temp'"):
        plan.make_roster(res, agents=[Agent("x", "email", "temp")], simulate=False)
    with pytest.raises(ValueError, match=r"'agents' must have unique names: 'x'"):
        plan.make_roster(res, agents=[Agent("x", "email", "full"), Agent("x", "chat", "part")],
                         simulate=False)
    for weeks in (0, 2, 9):
        with pytest.raises(ValueError, match=r"'weeks' must be"):
            plan.make_roster(res, weeks=weeks, simulate=False)
    tuesday = dataclasses.replace(res, scenario=dataclasses.replace(res.scenario,
                                                                    start="2025-09-02"))
    with pytest.raises(ValueError, match=r"'scenario\.start' must be a Monday.*2025-09-02"):
        plan.make_roster(tuesday, simulate=False)
    no_plan = dataclasses.replace(res, shifts=res.shifts.iloc[:0])
    with pytest.raises(ValueError, match=r"'result' must be a plan with a shift schedule"):
        plan.make_roster(no_plan, simulate=False)
    with pytest.raises(ValueError, match=r"'roster\.agents' must be a readable file"):
        plan.make_roster(res, config=RosterConfig(agents="no-such-file.csv"), simulate=False)


@pytest.mark.parametrize("text, message", [
    ("id,group,contract\na,email,full\nb,email,fulll\n",
     r"agents row 3: 'contract' must be one of full, part: 'fulll'"),
    ("id,group,contract\na,email,full\na,email,part\n", r"agents row 3: 'id' must be unique"),
    ("id,group,contract,days_off\na,email,full,sat;sun\nb,email,full,caturday\n",
     r"agents row 3: 'agents\[b\]\.days_off\[0\]' must be one of mon"),
    ("id,group,contract,unavailable\na,email,full,2025-13-01\n",
     r"agents row 2: 'agents\[a\]\.unavailable\[0\]'"),
    ("id,group,contract,available_from\na,email,full,25:00\n",
     r"agents row 2: 'agents\[a\]\.available_from'"),
    ("id,group\na,email\n", r"'agents' must have a column 'contract'"),
    ("id,group,contract,team\na,email,full,x\n", r"'agents' has unknown columns"),
    ("id,group,contract\n,email,full\n", r"agents row 2: 'id' must not be empty"),
])
def test_read_agents_refuses_a_bad_row_naming_row_and_field(text, message):
    contracts = (Contract("full", 32, 40, days=(4, 5)), Contract("part", 16, 24, days=(4, 5)))
    with pytest.raises(ValueError, match=message):
        read_agents(text, contracts)


def test_a_roster_table_round_trips_through_a_scenario_file():
    sc = plan.demo_scenario(weeks=1)
    cfg = RosterConfig(
        rules=RosterRules(days_off=1, consecutive_days_off=False, max_consecutive_days=5,
                          min_rest_hours=12.5, start_window=0, weekend_off_every=False,
                          max_nights=2, contract_hours=True, availability=False, fair=False),
        contracts=(Contract("full", 30, 40, days=(4, 5), shifts=("full",)),
                   Contract("part", 12, 24, days=(3, 4, 5, 6), shifts=("part", "night"))),
        agents="agents.csv", mix={"full": 0.6, "part": 0.4}, reserve=0.1, weeks=1)
    mine = dataclasses.replace(sc, roster=cfg)
    text = mine.to_toml()
    assert "[roster.rules]" in text and "weekend_off_every = false" in text
    back = Scenario.from_toml(text)
    assert back == mine and back.roster == cfg
    assert back.roster.rules.weekend_off_every is None
    # the default table is left out, and reads back as the default
    assert Scenario.from_toml(sc.to_toml()).roster == RosterConfig()
    # overrides reach the rules, on the default table and on this one
    over = sc.with_overrides({"roster.rules.max_nights": 2})
    assert over.roster.rules == dataclasses.replace(RosterRules(), max_nights=2)
    over = mine.with_overrides({"roster.rules.max_nights": 3, "roster.weeks": 2})
    assert over.roster.rules.max_nights == 3 and over.roster.weeks == 2
    assert over.roster.contracts == cfg.contracts and over.roster.rules.start_window == 0


@pytest.mark.parametrize("table, message", [
    ("[roster.rules]\nmin_rest_hours = 30",
     r"'roster\.rules\.min_rest_hours' must be >= 0 and <= 24: 30$"),
    ("[roster.rules]\nmin_rest_hours = -1",
     r"'roster\.rules\.min_rest_hours' must be >= 0 and <= 24: -1$"),
    ("[roster.rules]\ndays_off = 8", r"'roster\.rules\.days_off' must be >= 0 and <= 6: 8$"),
    ("[roster.rules]\nstart_window = -5", r"'roster\.rules\.start_window' must be >= 0"),
    ("[roster.rules]\nmax_nights = 1.5", r"'roster\.rules\.max_nights' must be a whole number"),
    ("[roster.rules]\nfair = 1", r"'roster\.rules\.fair' must be true or false: 1$"),
    ("[roster.rules]\nrest = 11", r"'roster\.rules\.rest' is not a known key"),
    ("[roster]\nweeks = 9", r"'roster\.weeks' must be >= 1 and <= 8: 9$"),
    ("[roster]\nreserve = -0.1", r"'roster\.reserve' must be >= 0 and <= 1: -0\.1$"),
    ("[roster]\nagents = 3", r"'roster\.agents' must be a non-empty string: 3$"),
    ("[roster]\nmix = { temp = 1.0 }", r"'roster\.mix\.temp' names an unknown contract: 'temp'"),
    ("[[roster.contracts]]\nname = \"full\"\nmin_hours = 40\nmax_hours = 30",
     r"'roster\.contracts\[full\]\.max_hours' must be >= 40 and <= 168: 30$"),
    ("[[roster.contracts]]\nname = \"full\"\nmin_hours = 30\nmax_hours = 40\ndays = [0]",
     r"'roster\.contracts\[full\]\.days\[0\]' must be >= 1 and <= 7: 0$"),
    ("[[roster.contracts]]\nname = \"full\"\nmin_hours = 30\nmax_hours = 40\n"
     "shifts = [\"fulll\"]",
     r"'roster\.contracts\[full\]\.shifts\[0\]' names an unknown shift: 'fulll'"),
])
def test_bad_roster_tables_are_refused_with_their_path(table, message):
    text = plan.demo_scenario(weeks=1).to_toml() + "\n" + table + "\n"
    with pytest.raises(ValueError, match=message):
        Scenario.from_toml(text)


def test_a_bad_roster_override_is_refused_with_its_path():
    sc = plan.demo_scenario(weeks=1)
    with pytest.raises(ValueError, match=r"""'overrides\."roster\.rules\.min_rest_hours"' """
                       r"must be >= 0 and <= 24: -1$"):
        sc.with_overrides({"roster.rules.min_rest_hours": -1})
    with pytest.raises(ValueError, match=r"""'overrides\."roster\.rules\.nope"' is not a known"""):
        sc.with_overrides({"roster.rules.nope": 1})


# ------------------------------------------------------------------ same input, same roster


def test_the_same_plan_gives_the_same_roster(demo):
    res, ro = demo
    again = plan.make_roster(res, simulate=False)
    pd.testing.assert_frame_equal(again.table, ro.table)
    pd.testing.assert_frame_equal(again.coverage, ro.coverage)
    assert again.paid_hours == ro.paid_hours and again.shortfall_agent_hours == \
        ro.shortfall_agent_hours
