"""Weekly capacity plan and hiring proposals: hand-computed weeks, guarantees, validation."""

import dataclasses
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccwfm.plan.capacity import (
    COLUMNS,
    CapacityInputs,
    HiringClass,
    HiringProposal,
    capacity_plan,
    hires_needed,
    weekly_hazard,
)

MONDAY = pd.Timestamp("2025-01-06")


def weeks(n, first=MONDAY):
    return pd.date_range(first, periods=n, freq="W-MON")


def series(values, first=MONDAY):
    values = list(values)
    return pd.Series(values, index=weeks(len(values), first), dtype=float)


def close(got, want, tol=1e-9, what=""):
    np.testing.assert_allclose(np.asarray(got, float), np.asarray(want, float),
                               rtol=0, atol=tol, err_msg=what)


def test_weekly_hazard_compounds_to_the_annual_rate():
    h = weekly_hazard(0.26)
    assert h == 1 - 0.74 ** (1 / 52)
    assert abs((1 - h) ** 52 - 0.74) < 1e-14
    assert weekly_hazard(0.0) == 0.0


# --------------------------------------------------------------------------- capacity_plan

def test_hand_computed_weeks_with_attrition_and_a_class():
    # 100 experienced agents, 26% annual attrition; a class of 10 starting on the
    # Wednesday of week 2 (so in week 2), 2 training weeks, one ramp week at 50%.
    q = 0.74 ** (1 / 52)          # weekly survival
    h = 1 - q
    cls = HiringClass("2025-01-15", 10, training_weeks=2, ramp=(0.5,), cost_per_hire=1000.0)
    inputs = CapacityInputs(headcount=100, attrition=0.26, fte_hours=37.5, hourly_cost=20.0,
                            classes=[cls])
    plan = capacity_plan(series([100.0] * 6), inputs)

    # Week by week (1..6): experienced 100 q^w at the end of week w; the class
    # joins in week 2 (no attrition that week), trains in weeks 2-3 (training
    # attrition 0), ramps in week 4 (loses h of its 10), is full from week 5.
    want = {
        "headcount_start": [100, 100 * q, 100 * q**2 + 10, 100 * q**3 + 10,
                            100 * q**4 + 10 * q, 100 * q**5 + 10 * q**2],
        "attrition": [100 * h, 100 * q * h, 100 * q**2 * h, 100 * q**3 * h + 10 * h,
                      100 * q**4 * h + 10 * q * h, 100 * q**5 * h + 10 * q**2 * h],
        "joining": [0, 10, 0, 0, 0, 0],
        "in_training": [0, 10, 10, 0, 0, 0],
        "ramping": [0, 0, 0, 10 * q, 0, 0],
        "experienced": [100 * q, 100 * q**2, 100 * q**3, 100 * q**4,
                        100 * q**5 + 10 * q**2, 100 * q**6 + 10 * q**3],
        "productive_fte": [100 * q, 100 * q**2, 100 * q**3, 100 * q**4 + 5 * q,
                           100 * q**5 + 10 * q**2, 100 * q**6 + 10 * q**3],
        "hiring_cost": [0, 10_000, 0, 0, 0, 0],
    }
    want["headcount_end"] = [e + t + r for e, t, r in
                             zip(want["experienced"], want["in_training"], want["ramping"])]
    want["gap"] = [p - 100 for p in want["productive_fte"]]
    want["wage_cost"] = [hc * 37.5 * 20 for hc in want["headcount_end"]]
    want["total_cost"] = [w + c for w, c in zip(want["wage_cost"], want["hiring_cost"])]
    for col in ("attrition", "joining", "wage_cost", "hiring_cost", "total_cost"):
        want["cum_" + col] = np.cumsum(want[col])

    assert list(plan.columns) == list(COLUMNS)
    assert list(plan["week"]) == list(weeks(6))
    close(plan["required_fte"], [100] * 6)
    for col, values in want.items():
        tol = 1e-9 * max(1.0, max(abs(v) for v in values))
        close(plan[col], values, tol=tol, what=col)
    # Sanity of the hand numbers themselves: week 4's productive FTE.
    assert abs(plan["productive_fte"][3] - (100 * 0.74 ** (4 / 52) + 5 * 0.74 ** (1 / 52))) < 1e-9


def test_training_attrition_hits_training_weeks_after_the_joining_week():
    g = 1 - 0.5 ** (1 / 52)       # weekly hazard of 50% annual training attrition
    cls = HiringClass(MONDAY, 8, training_weeks=3, ramp=())
    inputs = CapacityInputs(headcount=0, attrition=0.0, training_attrition=0.5, classes=[cls])
    plan = capacity_plan(series([0.0] * 5), inputs)
    close(plan["attrition"], [0, 8 * g, 8 * (1 - g) * g, 0, 0])
    close(plan["in_training"], [8, 8 * (1 - g), 8 * (1 - g) ** 2, 0, 0])
    close(plan["productive_fte"], [0, 0, 0, 8 * (1 - g) ** 2, 8 * (1 - g) ** 2])
    close(plan["experienced"], plan["productive_fte"])


def test_class_started_before_the_plan_is_followed_from_its_start():
    # Started two weeks before the first Monday; 3 training weeks, one ramp week.
    q = 0.74 ** (1 / 52)
    cls = HiringClass(MONDAY - pd.Timedelta(days=14), 10, training_weeks=3, ramp=(0.5,),
                      cost_per_hire=500.0)
    inputs = CapacityInputs(headcount=100, attrition=0.26, training_attrition=0.26,
                            classes=[cls])
    plan = capacity_plan(series([0.0] * 3), inputs)
    close(plan["headcount_start"], [100 + 10 * q, 100 * q + 10 * q**2, 100 * q**2 + 10 * q**3])
    close(plan["in_training"], [10 * q**2, 0, 0])
    close(plan["productive_fte"], [100 * q, 100 * q**2 + 0.5 * 10 * q**3,
                                   100 * q**3 + 10 * q**4])
    close(plan["joining"], [0, 0, 0])
    close(plan["hiring_cost"], [0, 0, 0])        # spent before the plan


@pytest.mark.parametrize("start, row", [
    ("2025-01-13", 1),                           # a Monday: its own week
    ("2025-01-19", 1),                           # Sunday: the week of Monday 13th
    ("2025-01-20 17:30", 2),                     # Monday afternoon: week of the 20th
    (pd.Timestamp("2025-01-16", tz="Europe/Paris"), 1),
])
def test_a_start_date_joins_in_the_week_containing_it(start, row):
    cls = HiringClass(start, 5, training_weeks=1, ramp=())
    plan = capacity_plan(series([0.0] * 4), CapacityInputs(headcount=0, attrition=0.0,
                                                            classes=[cls]))
    want = np.zeros(4)
    want[row] = 5
    close(plan["joining"], want)
    assert cls.week == weeks(4)[row]


def test_a_class_after_the_last_week_changes_nothing():
    late = HiringClass(MONDAY + pd.Timedelta(weeks=3), 50, cost_per_hire=9.0)
    base = CapacityInputs(headcount=40, attrition=0.3, hourly_cost=18.0)
    req = series([35.0, 36.0, 37.0])
    pd.testing.assert_frame_equal(capacity_plan(req, base),
                                  capacity_plan(req, dataclasses.replace(base, classes=[late])))


@given(values=st.lists(st.floats(0, 500), min_size=1, max_size=30),
       headcount=st.floats(0, 300), hourly=st.floats(0, 60), hours=st.floats(1, 45))
def test_zero_attrition_and_no_classes_is_constant(values, headcount, hourly, hours):
    plan = capacity_plan(series(values), CapacityInputs(headcount=headcount, attrition=0.0,
                                                        fte_hours=hours, hourly_cost=hourly))
    n = len(values)
    for col in ("headcount_start", "headcount_end", "experienced", "productive_fte"):
        assert (plan[col] == headcount).all(), col
    for col in ("attrition", "joining", "in_training", "ramping", "hiring_cost"):
        assert (plan[col] == 0).all(), col
    close(plan["gap"], headcount - np.array(values))
    close(plan["wage_cost"], [headcount * hours * hourly] * n, tol=1e-9 * (1 + headcount * 3000))
    close(plan["cum_wage_cost"], headcount * hours * hourly * np.arange(1, n + 1),
          tol=1e-9 * (1 + headcount * 3000 * n))


class_strategy = st.builds(
    lambda offset, size, tw, ramp, cost: HiringClass(MONDAY + pd.Timedelta(weeks=offset), size,
                                                     training_weeks=tw, ramp=ramp,
                                                     cost_per_hire=cost),
    st.integers(-8, 30), st.floats(0, 50), st.integers(0, 6),
    st.lists(st.floats(0.01, 1.0), max_size=4).map(tuple), st.floats(0, 5000))


@given(n=st.integers(1, 30), headcount=st.floats(0, 300), attrition=st.floats(0, 0.9),
       training=st.floats(0, 0.9), classes=st.lists(class_strategy, max_size=4))
def test_plan_accounting_identities(n, headcount, attrition, training, classes):
    inputs = CapacityInputs(headcount=headcount, attrition=attrition, hourly_cost=20.0,
                            training_attrition=training, classes=classes)
    plan = capacity_plan(series([50.0] * n), inputs)
    scale = 1e-9 * (1 + headcount + sum(c.size for c in classes))
    close(plan["headcount_end"], plan["headcount_start"] - plan["attrition"] + plan["joining"],
          tol=scale)
    close(plan["headcount_end"], plan["in_training"] + plan["ramping"] + plan["experienced"],
          tol=scale)
    close(plan["headcount_start"][1:], plan["headcount_end"][:-1], tol=scale)
    assert (plan["attrition"] >= -scale).all()
    assert (plan["productive_fte"] >= plan["experienced"] - scale).all()
    assert (plan["productive_fte"] <= plan["experienced"] + plan["ramping"] + scale).all()
    close(plan["cum_total_cost"], np.cumsum(plan["wage_cost"] + plan["hiring_cost"]),
          tol=scale * 1e5 * n)
    joined = sum(c.size for c in classes if 0 <= (c.week - MONDAY).days // 7 < n)
    close(plan["cum_joining"].iloc[-1], joined, tol=scale)


# --------------------------------------------------------------------------- hires_needed

def test_a_step_in_demand_is_met_by_one_class_started_in_time():
    req = series([100.0] * 10 + [110.0] * 4)
    proposal = hires_needed(req, CapacityInputs(headcount=100, attrition=0.0),
                            training_weeks=2, ramp=(0.5,), cost_per_hire=800.0)
    # Full productivity in week 10 needs 2 training + 1 ramp week: start in week 7.
    assert proposal == [HiringClass(weeks(14)[7], 10, training_weeks=2, ramp=(0.5,),
                                    cost_per_hire=800.0)]
    assert isinstance(proposal, HiringProposal) and proposal.unfixable.empty
    assert proposal.first_fixable == weeks(14)[2]


def test_class_size_accounts_for_attrition_and_ramp_and_unfixable_weeks_are_listed():
    q = 0.74 ** (1 / 52)
    h = 1 - q
    inputs = CapacityInputs(headcount=100, attrition=0.26)
    proposal = hires_needed(series([100.0] * 8), inputs, training_weeks=2, ramp=(0.5,))
    # Weeks 0 and 1 are short (attrition) and within the 2-week lead time.
    assert list(proposal.unfixable.index) == list(weeks(8)[:2])
    close(proposal.unfixable, [100 * h, 100 - 100 * q**2])
    assert proposal.first_fixable == weeks(8)[2]
    # Week 2 is short by 100 - 100 q^3; the only class that can help starts in
    # week 0 and is in its ramp week: each hire gives 0.5 * q (one week of
    # attrition after training).
    k0 = math.ceil((100 - 100 * q**3) / (0.5 * q))
    assert k0 == 4
    # The class is full from week 3; the first week short again is found by hand.
    prod = {t: 100 * q ** (t + 1) + k0 * q ** (t - 1) for t in range(3, 8)}
    t1 = min(t for t in prod if prod[t] < 100)
    assert t1 == 6
    # Best start for week 6: three weeks earlier (week 3), full, two weeks of attrition.
    k1 = math.ceil((100 - prod[t1]) / q**2)
    assert [(c.week, c.size) for c in proposal] == [(weeks(8)[0], k0), (weeks(8)[3], k1)]


def test_nothing_is_hired_when_capacity_suffices():
    inputs = CapacityInputs(headcount=100, attrition=0.35)
    # 100 * 0.65 = 65 left after a year: a need of 60 is always covered.
    proposal = hires_needed(series([60.0] * 52), inputs)
    assert proposal == [] and proposal.unfixable.empty
    # A class already planned covers a later step: nothing more.
    cls = HiringClass(MONDAY, 20, training_weeks=2, ramp=())
    proposal = hires_needed(series([60.0] * 4 + [75.0] * 10),
                            dataclasses.replace(inputs, classes=[cls]), training_weeks=2)
    assert proposal == []


def test_unfixable_weeks_need_from_the_first_week_and_the_buffer():
    inputs = CapacityInputs(headcount=100, attrition=0.0)
    proposal = hires_needed(series([120.0] * 6), inputs, training_weeks=2, ramp=(0.5,),
                            buffer=5.0)
    assert [(c.week, c.size) for c in proposal] == [(MONDAY, 50)]   # 25 / 0.5
    pd.testing.assert_series_equal(
        proposal.unfixable,
        pd.Series([25.0, 25.0], index=pd.DatetimeIndex(weeks(2).values, name="week"),
                  name="shortfall"))
    plan = capacity_plan(series([120.0] * 6),
                         dataclasses.replace(inputs, classes=list(proposal)))
    close(plan["gap"], [-20, -20, 5, 30, 30, 30])


def test_class_week_every_fourth_week():
    req = series([100.0] * 40)
    inputs = CapacityInputs(headcount=110, attrition=0.35)
    free = hires_needed(req, inputs, training_weeks=3, ramp=(0.6, 0.9))
    every4 = hires_needed(req, inputs, training_weeks=3, ramp=(0.6, 0.9), class_week=4)
    offsets = [(c.week - MONDAY).days // 7 for c in every4]
    assert offsets and all(o % 4 == 0 for o in offsets)
    assert len(free) > len(every4)                 # unrestricted: smaller, more frequent classes
    assert any(o % 4 for o in [(c.week - MONDAY).days // 7 for c in free])
    plan = capacity_plan(req, dataclasses.replace(inputs, classes=list(every4)))
    assert (plan["gap"] >= -1e-7).all()


def test_class_week_as_dates():
    req = series([100.0] * 20)
    inputs = CapacityInputs(headcount=100, attrition=0.0)
    dates = ["2025-02-05", "2025-03-10", "2030-01-01"]   # a Wednesday, a Monday, outside
    proposal = hires_needed(req.where(req.index < "2025-03-01", 130.0), inputs,
                            training_weeks=2, ramp=(), class_week=dates)
    assert [(c.start, c.size) for c in proposal] == [(pd.Timestamp("2025-02-03"), 30)]
    assert proposal.first_fixable == pd.Timestamp("2025-02-17")
    # Needed from week 3, first possible class in week 4 (Feb 3rd) + 2 weeks of
    # training: weeks of Feb 3rd and 10th stay short.
    req2 = req.where(req.index < "2025-01-27", 130.0)
    proposal = hires_needed(req2, inputs, training_weeks=2, ramp=(), class_week=dates)
    assert list(proposal.unfixable.index) == list(pd.to_datetime(
        ["2025-01-27", "2025-02-03", "2025-02-10"]))
    close(proposal.unfixable, [30, 30, 30])


def test_min_class_rounds_small_classes_up():
    req = series([100.0] * 5 + [100.5] * 5)
    inputs = CapacityInputs(headcount=100, attrition=0.0)
    assert [c.size for c in hires_needed(req, inputs, training_weeks=1, ramp=())] == [1]
    assert [c.size for c in hires_needed(req, inputs, training_weeks=1, ramp=(),
                                         min_class=6)] == [6]


@st.composite
def hiring_case(draw):
    n = draw(st.integers(1, 40))
    req = draw(st.lists(st.floats(0, 200), min_size=n, max_size=n))
    inputs = CapacityInputs(
        headcount=draw(st.floats(0, 200)), attrition=draw(st.floats(0, 0.8)),
        training_attrition=draw(st.floats(0, 0.8)),
        classes=draw(st.lists(class_strategy, max_size=2)))
    kw = {"training_weeks": draw(st.integers(0, 6)),
              "ramp": tuple(draw(st.lists(st.floats(0.05, 1.0), max_size=3))),
              "class_week": draw(st.none() | st.integers(1, 6)),
              "min_class": draw(st.integers(1, 5)), "buffer": draw(st.floats(0, 10)),
              "cost_per_hire": draw(st.floats(0, 3000))}
    return series(req), inputs, kw


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=hiring_case())
def test_hires_needed_leaves_no_fixable_gap(case):
    req, inputs, kw = case
    idx = req.index
    proposal = hires_needed(req, inputs, **kw)
    T, k = kw["training_weeks"], kw["class_week"] or 1
    starts = [(c.week - MONDAY).days // 7 for c in proposal]
    assert starts == sorted(set(starts))
    for c, s in zip(proposal, starts):
        assert c.start == idx[s] and s % k == 0
        assert c.training_weeks == T and c.ramp == kw["ramp"]
        assert c.cost_per_hire == kw["cost_per_hire"]
        assert c.size == int(c.size) and c.size >= kw["min_class"]

    plan = capacity_plan(req, dataclasses.replace(inputs, classes=inputs.classes + tuple(proposal)))
    target = req.to_numpy() + kw["buffer"]
    short = plan["productive_fte"].to_numpy() < target - 1e-9 * np.maximum(1, target)
    assert not short[T:].any()                               # no gap from first fixable week
    assert proposal.first_fixable == (idx[T] if T < len(idx) else None)
    assert list(proposal.unfixable.index) == list(idx[short])
    close(proposal.unfixable, (target - plan["productive_fte"])[short], tol=1e-9)
    base = capacity_plan(req, inputs)
    close(plan["productive_fte"][:T], base["productive_fte"][:T], tol=1e-9)


@settings(max_examples=100, deadline=None)
@given(case=hiring_case(), scale=st.floats(0, 1))
def test_hires_needed_proposes_nothing_when_covered(case, scale):
    req, inputs, kw = case
    capacity = capacity_plan(req, inputs)["productive_fte"].to_numpy() * scale
    kw["buffer"] = min(kw["buffer"], capacity.min())
    covered = pd.Series(capacity - kw["buffer"], index=req.index)
    proposal = hires_needed(covered, inputs, **kw)
    assert proposal == [] and proposal.unfixable.empty


# --------------------------------------------------------------------------- validation

def bad(message):
    return pytest.raises(ValueError, match="^" + re.escape(message) + "$")


@pytest.mark.parametrize("kwargs, message", [
    ({"attrition": 1.2}, "'attrition' must be >= 0 and < 1: 1.2"),
    ({"attrition": 1}, "'attrition' must be >= 0 and < 1: 1"),
    ({"attrition": -0.1}, "'attrition' must be >= 0 and < 1: -0.1"),
    ({"headcount": -1}, "'headcount' must be >= 0: -1"),
    ({"headcount": "100"}, "'headcount' must be a number: '100'"),
    ({"fte_hours": 0}, "'fte_hours' must be > 0: 0"),
    ({"hourly_cost": float("nan")}, "'hourly_cost' must not be NaN: nan"),
    ({"hourly_cost": float("inf")}, "'hourly_cost' must be finite: inf"),
    ({"training_attrition": 1.0}, "'training_attrition' must be >= 0 and < 1: 1.0"),
    ({"classes": [1]}, "'classes[0]' must be a HiringClass: 1"),
    ({"classes": 5}, "'classes' must be a sequence of HiringClass: 5"),
])
def test_capacity_inputs_validation_names_the_field(kwargs, message):
    args = {"headcount": 100, "attrition": 0.3} | kwargs
    with bad(message):
        CapacityInputs(**args)


@pytest.mark.parametrize("kwargs, message", [
    ({"size": -2}, "'size' must be >= 0: -2"),
    ({"size": True}, "'size' must be a number: True"),
    ({"start": "not a date"}, "'start' must be a date: 'not a date'"),
    ({"start": 20250106}, "'start' must be a date: 20250106"),
    ({"training_weeks": 1.5}, "'training_weeks' must be a whole number: 1.5"),
    ({"training_weeks": -1}, "'training_weeks' must be >= 0: -1"),
    ({"ramp": (0.5, 0)}, "'ramp[1]' must be > 0 and <= 1: 0"),
    ({"ramp": (1.5,)}, "'ramp[0]' must be > 0 and <= 1: 1.5"),
    ({"ramp": 0.5}, "'ramp' must be a sequence of numbers: 0.5"),
    ({"cost_per_hire": -1.0}, "'cost_per_hire' must be >= 0: -1.0"),
    ({"name": 3}, "'name' must be a string or None: 3"),
])
def test_hiring_class_validation_names_the_field(kwargs, message):
    args = {"start": MONDAY, "size": 10} | kwargs
    with bad(message):
        HiringClass(**args)


def test_inputs_are_frozen_and_normalised():
    c = HiringClass("2025-01-08 09:00", np.int64(3), training_weeks=2.0, ramp=[1, 0.5])
    assert c.start == pd.Timestamp("2025-01-08") and c.week == MONDAY
    assert c.size == 3 and type(c.training_weeks) is int and c.ramp == (1.0, 0.5)
    inputs = CapacityInputs(headcount=10, attrition=0.1, classes=[c])
    assert inputs.classes == (c,)
    with pytest.raises(dataclasses.FrozenInstanceError):
        inputs.attrition = 0.2
    hash(inputs)


@pytest.mark.parametrize("required, message", [
    ([1.0, 2.0], "'required_fte' must be a pandas Series indexed by week start dates: 'list'"),
    (pd.Series([], dtype=float), "'required_fte' must not be empty: 0 weeks"),
    (pd.Series([1.0, 2.0], index=pd.to_datetime(["2025-01-06", "2025-01-14"])),
     ("'required_fte' index must be Mondays at midnight: Timestamp('2025-01-14 00:00:00')"
     " (position 1)")),
    (pd.Series([1.0, 2.0], index=pd.to_datetime(["2025-01-06", "2025-01-20"])),
     ("'required_fte' index must be consecutive weeks: Timestamp('2025-01-20 00:00:00') "
     "follows Timestamp('2025-01-06 00:00:00') (position 1)")),
    (series([1.0, -3.0]), "'required_fte' must be >= 0: -3.0 (week 2025-01-13)"),
    (series([float("nan")]), "'required_fte' must not be NaN: nan (week 2025-01-06)"),
])
def test_required_fte_validation(required, message):
    inputs = CapacityInputs(headcount=1, attrition=0.1)
    with bad(message):
        capacity_plan(required, inputs)
    with bad(message):
        hires_needed(required, inputs)


@pytest.mark.parametrize("kwargs, message", [
    ({"min_class": 0}, "'min_class' must be >= 1: 0"),
    ({"buffer": -1.0}, "'buffer' must be >= 0: -1.0"),
    ({"class_week": 0}, "'class_week' must be >= 1: 0"),
    ({"class_week": "monthly"},
     "'class_week' must be None, a whole number >= 1 or a collection of dates: 'monthly'"),
    ({"class_week": ["2025-01-06", "soon"]}, "'class_week[1]' must be a date: 'soon'"),
    ({"training_weeks": -2}, "'training_weeks' must be >= 0: -2"),
    ({"ramp": (0.0,)}, "'ramp[0]' must be > 0 and <= 1: 0.0"),
    ({"cost_per_hire": float("nan")}, "'cost_per_hire' must not be NaN: nan"),
])
def test_hires_needed_validation(kwargs, message):
    with bad(message):
        hires_needed(series([1.0] * 3), CapacityInputs(headcount=1, attrition=0.1), **kwargs)


def test_inputs_must_be_capacity_inputs():
    with bad("'inputs' must be a CapacityInputs: {'headcount': 1}"):
        capacity_plan(series([1.0]), {"headcount": 1})
    with bad("'inputs' must be a CapacityInputs: None"):
        hires_needed(series([1.0]), None)
