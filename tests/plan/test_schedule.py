"""Shift scheduling MILP: checked against brute force and minute-by-minute coverage."""

import itertools
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccwfm.plan.schedule import ShiftTemplate, schedule

MONDAY = pd.Timestamp("2024-01-01")  # a Monday


def need(values, start="2024-01-01 00:00", interval=60):
    """Requirement series on a grid of ``interval`` minutes."""
    idx = pd.date_range(start, periods=len(values), freq=f"{interval}min")
    return pd.Series(np.asarray(values, dtype=float), index=idx)


def slow_coverage(res, templates, interval):
    """Agents on duty per interval, minute by minute, from the reported starts.

    Written independently of the kernel: every agent's on-duty minutes are
    marked one by one and summed per interval.
    """
    by_name = {t.name: t for t in templates}
    grid = res.coverage["start"]
    day0 = grid.iloc[0]
    minutes = np.zeros(len(grid) * interval)
    for row in res.starts.itertuples():
        t = by_name[row.template]
        s = int((row.start - day0) / pd.Timedelta(minutes=1))
        on = np.ones(t.length, dtype=bool)
        if t.unpaid_break:
            off = t.break_offset
            if off is None:  # nearest interval boundary to the middle, ties earlier
                mid2 = 2 * s + t.length
                q, r = divmod(mid2, 2 * interval)
                off = (q + (r > interval)) * interval - s
                off = min(max(off, 0), t.length - t.unpaid_break)
            on[off:off + t.unpaid_break] = False
        if t.paid_breaks:            # the tests give paid breaks with explicit offsets
            for off, span in zip(t.paid_break_offsets, t.paid_breaks):
                on[off:off + span] = False
        for m in range(t.length):
            if on[m] and s + m < minutes.size:
                minutes[s + m] += row.agents
    return minutes.reshape(-1, interval).mean(axis=1)


# --------------------------------------------------------------------------- templates


def test_template_every_and_defaults():
    t = ShiftTemplate.every("early", 510, first="07:00", last="09:00", step=60, unpaid_break=30)
    assert t.starts == (420, 480, 540)
    assert t.paid_hours == 8.0
    assert t.days == (0, 1, 2, 3, 4, 5, 6)
    assert ShiftTemplate("n", 600, starts=("22:00", 1320, "06:30")).starts == (390, 1320)


@pytest.mark.parametrize("kwargs, field", [
    (dict(name="", length=60, starts=(0,)), "shifts.name"),
    (dict(name="a", length=0, starts=(0,)), "shifts[a].length"),
    (dict(name="a", length=1441, starts=(0,)), "shifts[a].length"),
    (dict(name="a", length=60, starts=("25:00",)), "shifts[a].starts[0]"),
    (dict(name="a", length=60, starts=()), "shifts[a].starts"),
    (dict(name="a", length=60, starts=(0,), days=(7,)), "shifts[a].days[0]"),
    (dict(name="a", length=60, starts=(0,), unpaid_break=60), "shifts[a].unpaid_break"),
    (dict(name="a", length=120, starts=(0,), unpaid_break=30, break_offset=100),
     "shifts[a].break_offset"),
    (dict(name="a", length=60, starts=(0,), paid_hours=-1), "shifts[a].paid_hours"),
    (dict(name="a", length=60, starts=(0,), cost_factor=0), "shifts[a].cost_factor"),
    (dict(name="a", length=60, starts=(0,), min_agents=3, max_agents=2), "shifts[a].max_agents"),
    (dict(name="a", length=60, starts=(0,), paid_hours=float("nan")), "shifts[a].paid_hours"),
])
def test_template_validation_names_field(kwargs, field):
    with pytest.raises(ValueError, match=re.escape(f"'{field}'")):
        ShiftTemplate(**kwargs)


def test_every_validation():
    with pytest.raises(ValueError, match=r"'shifts\[x\]\.last' must be >= first"):
        ShiftTemplate.every("x", 60, first="10:00", last="09:00")
    with pytest.raises(ValueError, match=r"'shifts\[x\]\.step' must be > 0"):
        ShiftTemplate.every("x", 60, step=0)


# --------------------------------------------------------------------------- schedule input


def test_schedule_validation_names_field():
    day = ShiftTemplate("day", 480, starts=(540,))
    good = need([1.0] * 24)
    with pytest.raises(ValueError, match="'interval' must divide a day"):
        schedule(good, [day], interval=7, hourly_cost=20)
    with pytest.raises(ValueError, match="'hourly_cost' must be > 0"):
        schedule(good, [day], interval=60, hourly_cost=0)
    with pytest.raises(ValueError, match="'requirements' must be >= 0: -1.0"):
        schedule(need([1.0, -1.0]), [day], interval=60, hourly_cost=20)
    with pytest.raises(ValueError, match="'requirements' must not be NaN"):
        schedule(need([1.0, np.nan]), [day], interval=60, hourly_cost=20)
    with pytest.raises(ValueError, match="'requirements' must be on a 60-minute grid"):
        schedule(need([1.0], start="2024-01-01 09:15"), [day], interval=60, hourly_cost=20)
    with pytest.raises(ValueError, match="'requirements' must not repeat an interval"):
        s = need([1.0, 1.0])
        schedule(pd.Series([1.0, 2.0], index=[s.index[0]] * 2), [day], interval=60,
                 hourly_cost=20)
    with pytest.raises(ValueError, match="'requirements' must be a pandas Series"):
        schedule([1.0, 2.0], [day], interval=60, hourly_cost=20)
    with pytest.raises(ValueError, match="'templates' must have unique names"):
        schedule(good, [day, day], interval=60, hourly_cost=20)
    with pytest.raises(ValueError, match=r"'templates\[0\]' must be a ShiftTemplate"):
        schedule(good, ["day"], interval=60, hourly_cost=20)
    with pytest.raises(ValueError, match="'max_on_duty' must lie within"):
        cap = pd.Series([1.0], index=[pd.Timestamp("2030-01-01")])
        schedule(good, [day], interval=60, hourly_cost=20, max_on_duty=cap)
    with pytest.raises(ValueError, match="'under_penalty' must be > 0"):
        schedule(good, [day], interval=60, hourly_cost=20, under_penalty=0)


def test_dataframe_input_equals_series_input():
    req = need([0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 2, 2, 1] + [0] * 8)
    shifts = [ShiftTemplate.every("s", 240, first="06:00", last="14:00", step=60)]
    a = schedule(req, shifts, interval=60, hourly_cost=10)
    b = schedule(pd.DataFrame({"start": req.index, "required": req.to_numpy()}), shifts,
                 interval=60, hourly_cost=10)
    assert a.cost == b.cost
    pd.testing.assert_frame_equal(a.coverage, b.coverage)


# --------------------------------------------------------------------------- solutions


def test_covers_requirement_and_coverage_matches_minutes():
    rng = np.random.default_rng(3)
    req = need(np.r_[np.zeros(7), rng.uniform(2, 9, 13), np.zeros(4)], interval=60)
    shifts = [ShiftTemplate.every("full", 540, first="06:00", last="12:00", step=60,
                                  unpaid_break=60),
              ShiftTemplate.every("part", 240, first="07:00", last="16:00", step=60)]
    res = schedule(req, shifts, interval=60, hourly_cost=20)
    cov = res.coverage
    assert res.optimal
    assert res.shortfall == 0.0
    assert (cov["under"] == 0).all()
    assert (cov["scheduled"] >= cov["required"] - 1e-9).all()
    np.testing.assert_allclose(cov["scheduled"], slow_coverage(res, shifts, 60), atol=1e-9)
    np.testing.assert_allclose(cov["over"], np.maximum(cov["scheduled"] - cov["required"], 0))
    # Cost is the paid hours of the starts.
    paid = {t.name: t.paid_hours for t in shifts}
    want = sum(r.agents * paid[r.template] * 20 for r in res.starts.itertuples())
    assert res.cost == pytest.approx(want)
    assert res.paid_hours == pytest.approx(want / 20)


def test_exact_shortfall_with_cap_on_agents_on_duty():
    # 5 agents wanted 09:00-17:00; never more than 3 on duty; one shift covers it all.
    req = need([0] * 9 + [5] * 8 + [0] * 7)
    day = ShiftTemplate("day", 480, starts=("09:00",))
    res = schedule(req, [day], interval=60, hourly_cost=20, max_on_duty=3)
    assert res.starts["agents"].tolist() == [3]
    assert res.shortfall == pytest.approx(2 * 8)                  # agent-hours
    assert res.coverage["under"].sum() == pytest.approx(16)
    assert res.cost == pytest.approx(3 * 8 * 20)


def test_exact_shortfall_where_no_shift_covers():
    # Work needed at 03:00-05:00, but shifts only start 09:00: all of it is shortfall,
    # the rest is covered, and 15-minute intervals count in agent-hours.
    req = need([2.0] * 8 + [0.0] * 28 + [1.0] * 32 + [0.0] * 28, interval=15)
    day = ShiftTemplate("day", 480, starts=("09:00",))
    res = schedule(req, [day], interval=15, hourly_cost=20)
    assert res.shortfall == pytest.approx(2 * 2.0)
    assert res.starts["agents"].tolist() == [1]


def test_per_interval_cap_series():
    req = need([0] * 8 + [4] * 4 + [0] * 12)
    cap = pd.Series([1.0, 2.0], index=pd.to_datetime(["2024-01-01 08:00", "2024-01-01 09:00"]))
    t = ShiftTemplate.every("h", 60, first="08:00", last="11:00", step=60)
    res = schedule(req, [t], interval=60, hourly_cost=20, max_on_duty=cap)
    sched = res.coverage.set_index("start")["scheduled"]
    assert sched["2024-01-01 09:00"] == 2                        # capped
    assert sched["2024-01-01 10:00"] == 4                        # not capped
    assert res.shortfall == pytest.approx(3 + 2)


def _objective(x, a, cost, target, under_penalty):
    cov = a @ x
    return float(cost @ x + under_penalty * np.maximum(target - cov, 0).sum())


def test_minimal_cost_equals_brute_force():
    # Hourly grid, one day; three shift kinds with different prices; the brute
    # force tries every combination of up to 4 agents per start.
    req = need([0] * 8 + [2, 3, 4, 4, 3, 3, 4, 4, 2, 1] + [0] * 6)
    shifts = [ShiftTemplate("long", 480, starts=("08:00", "10:00")),
              ShiftTemplate("short", 240, starts=("08:00", "12:00", "14:00"), cost_factor=1.1)]
    res = schedule(req, shifts, interval=60, hourly_cost=10, under_penalty=1000)
    cols = [(480, 480, 8.0), (480, 600, 8.0),
            (240, 480, 4.4), (240, 720, 4.4), (240, 840, 4.4)]
    a = np.zeros((24, len(cols)))
    for j, (length, start, _) in enumerate(cols):
        a[start // 60:(start + length) // 60, j] = 1
    cost = np.array([c[2] * 10 for c in cols])
    target = req.to_numpy()
    best = min(_objective(np.array(x), a, cost, target, 1000)
               for x in itertools.product(range(5), repeat=len(cols)))
    assert res.shortfall == 0
    assert res.cost == pytest.approx(best)


def test_fractional_requirement_rounds_up_on_whole_intervals():
    # 2.3 agents needed: shifts cover whole intervals, so 3 are scheduled, not 2.
    req = need([0] * 9 + [2.3] * 8 + [0] * 7)
    res = schedule(req, [ShiftTemplate("day", 480, starts=("09:00",))], interval=60,
                   hourly_cost=20)
    assert res.starts["agents"].tolist() == [3]


def test_break_is_not_covered_and_not_paid():
    req = need([0] * 9 + [1] * 9 + [0] * 6, interval=60)
    t = ShiftTemplate("day", 540, starts=("09:00",), unpaid_break=60, break_offset=240)
    res = schedule(req, [t], interval=60, hourly_cost=10)
    sched = res.coverage.set_index("start")["scheduled"]
    assert sched["2024-01-01 13:00"] == 0          # the break: no start can cover it
    assert res.starts["agents"].tolist() == [1]
    assert res.paid_hours == 8.0
    assert res.shortfall == pytest.approx(1.0)
    # A second start time with its break elsewhere fills the gap.
    t2 = ShiftTemplate("day", 540, starts=("09:00", "10:00"), unpaid_break=60,
                       break_offset=240)
    res2 = schedule(req, [t2], interval=60, hourly_cost=10)
    assert res2.shortfall == 0
    assert res2.starts["agents"].sum() == 2
    np.testing.assert_allclose(res2.coverage["scheduled"], slow_coverage(res2, [t2], 60))


def test_default_break_placement_matches_slow_coverage_off_grid():
    # 15-minute grid, shifts of 8h30 starting 07:15-08:45 with a 30-minute break;
    # need 07:30-17:15, the last interval any start reaches.
    req = need(np.r_[np.zeros(30), np.full(39, 3.0), np.zeros(27)], interval=15)
    t = ShiftTemplate.every("d", 510, first="07:15", last="08:45", step=15, unpaid_break=30)
    res = schedule(req, [t], interval=15, hourly_cost=10)
    np.testing.assert_allclose(res.coverage["scheduled"], slow_coverage(res, [t], 15), atol=1e-9)
    assert res.shortfall == 0


def test_partial_interval_coverage_off_grid_start():
    # A start at 09:30 on an hourly grid covers half of the 09:00 interval.
    req = need([0] * 24)
    req.iloc[10:12] = 1.0
    t = ShiftTemplate("h", 120, starts=("09:30",))
    res = schedule(req, [t], interval=60, hourly_cost=10, under_penalty=1e6)
    sched = res.coverage.set_index("start")["scheduled"]
    assert sched["2024-01-01 09:00"] == pytest.approx(res.starts["agents"].sum() * 0.5)
    np.testing.assert_allclose(res.coverage["scheduled"], slow_coverage(res, [t], 60), atol=1e-9)


def test_midnight_crossing_and_horizon_end():
    # Two days; the night shift 22:00-06:00 covers the next morning; the one
    # starting on the last day is clipped at the horizon's end but paid in full.
    vals = np.zeros(48)
    vals[22:30] = 2.0     # day 1 22:00 to day 2 06:00
    vals[46:48] = 1.0     # day 2 22:00-24:00
    req = need(vals)
    night = ShiftTemplate("night", 480, starts=("22:00",), cost_factor=1.25)
    res = schedule(req, [night], interval=60, hourly_cost=20)
    assert res.shortfall == 0
    assert res.starts["start"].tolist() == [pd.Timestamp("2024-01-01 22:00"),
                                           pd.Timestamp("2024-01-02 22:00")]
    assert res.starts["agents"].tolist() == [2, 1]
    assert len(res.coverage) == 48
    assert res.cost == pytest.approx(3 * 8 * 20 * 1.25)
    np.testing.assert_allclose(res.coverage["scheduled"], slow_coverage(res, [night], 60))


def test_days_restrict_starts():
    # A week of need 09:00-17:00; the shift runs Monday to Friday only.
    vals = np.tile(np.r_[np.zeros(9), np.full(8, 2.0), np.zeros(7)], 7)
    req = need(vals)
    wk = ShiftTemplate("wk", 480, starts=("09:00",), days=(0, 1, 2, 3, 4))
    res = schedule(req, [wk], interval=60, hourly_cost=20)
    assert set(res.starts["start"].dt.day_of_week) == {0, 1, 2, 3, 4}
    assert res.shortfall == pytest.approx(2 * 2 * 8)        # Sat and Sun uncovered


def test_min_and_max_agents_per_template_day():
    req = need([0] * 9 + [5] * 8 + [0] * 7)
    a = ShiftTemplate("a", 480, starts=("09:00",), max_agents=2)
    b = ShiftTemplate("b", 480, starts=("09:00",), cost_factor=1.5, min_agents=1)
    res = schedule(req, [a, b], interval=60, hourly_cost=20)
    got = res.starts.set_index("template")["agents"]
    assert got["a"] == 2 and got["b"] == 3
    assert res.shortfall == 0


def test_min_agents_impossible_under_cap_raises():
    req = need([0] * 9 + [1] * 8 + [0] * 7)
    b = ShiftTemplate("b", 480, starts=("09:00",), min_agents=3)
    with pytest.raises(ValueError, match="min_agents cannot be met within 'max_on_duty'"):
        schedule(req, [b], interval=60, hourly_cost=20, max_on_duty=2)


def test_over_penalty_prefers_tighter_cover():
    # Need 1 agent 09:00-13:00; an 8-h shift is cheaper per hour than a 4-h one
    # (cost factor), but with a surplus penalty the 4-h shift wins.
    req = need([0] * 9 + [1] * 4 + [0] * 11)
    long_ = ShiftTemplate("long", 480, starts=("09:00",), paid_hours=3.0)
    short = ShiftTemplate("short", 240, starts=("09:00",))
    cheap = schedule(req, [long_, short], interval=60, hourly_cost=10)
    assert cheap.starts["template"].tolist() == ["long"]
    tight = schedule(req, [long_, short], interval=60, hourly_cost=10, over_penalty=5)
    assert tight.starts["template"].tolist() == ["short"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 6), min_size=12, max_size=12),
       st.sampled_from([120, 240, 360]), st.integers(0, 3))
def test_property_uncapped_schedule_covers_every_coverable_interval(vals, length, brk):
    # Need between 06:00 and 18:00; hourly starts from 06:00 to 18:00 - length,
    # breaks on the grid: every interval is coverable, so with the default
    # penalty nothing is short and coverage is what the starts give.
    req = need([0] * 6 + vals + [0] * 6)
    brk = 60 * min(brk, (length // 60 - 2) // 2)      # keeps the edge hours coverable
    last = 18 * 60 - length
    t = ShiftTemplate.every("s", length, first="06:00", last=f"{last // 60:02d}:00", step=60,
                            unpaid_break=brk)
    res = schedule(req, [t], interval=60, hourly_cost=15)
    assert res.shortfall == 0
    cov = res.coverage
    assert (cov["scheduled"] >= cov["required"]).all()
    np.testing.assert_allclose(cov["scheduled"], slow_coverage(res, [t], 60), atol=1e-9)
    assert res.cost == pytest.approx(res.starts["agents"].sum() * (length - brk) / 60 * 15)
    # Lower bound: the busiest hour needs that many agents at least.
    assert res.starts["agents"].sum() >= max(vals)
    assert math.isfinite(res.mip_gap)


def test_paid_breaks_are_off_the_phones_but_paid():
    # 09:00-17:00 with a 15-minute paid break at 10:30 and at 15:00; 15-minute grid.
    req = need(np.r_[np.zeros(36), np.full(32, 1.0), np.zeros(28)], interval=15)
    t = ShiftTemplate("day", 480, starts=("09:00",), paid_breaks=(15, 15),
                      paid_break_offsets=(90, 360))
    # One agent pays (30 intervals filled), a second only for the breaks does not.
    res = schedule(req, [t], interval=15, hourly_cost=10, under_penalty=10)
    assert res.starts["agents"].tolist() == [1]
    sched = res.coverage.set_index("start")["scheduled"]
    assert sched["2024-01-01 10:30"] == 0 and sched["2024-01-01 15:00"] == 0
    assert sched["2024-01-01 10:15"] == 1 and sched["2024-01-01 10:45"] == 1
    assert res.paid_hours == 8.0                       # paid breaks are paid
    assert res.shortfall == pytest.approx(0.5)         # the two breaks, no cover for them
    np.testing.assert_allclose(res.coverage["scheduled"], slow_coverage(res, [t], 15))


def test_paid_breaks_default_placement_by_hand():
    # 08:00-16:00, 30 min unpaid at the middle (12:00), two 15-min paid breaks at the
    # 15-min boundaries nearest 1/3 and 2/3 of the shift: 10:40 -> 10:45, 13:20 -> 13:15.
    t = ShiftTemplate("d", 480, starts=("08:00",), unpaid_break=30, paid_breaks=(15, 15))
    assert t._spans(480, 15) == ((480, 645), (660, 720), (750, 795), (810, 960))
    # A paid break that would fall on the unpaid one moves past it.
    one = ShiftTemplate("o", 480, starts=("08:00",), unpaid_break=30, paid_breaks=(15,))
    assert one._spans(480, 15) == ((480, 720), (765, 960))       # 12:00-12:30, 12:30-12:45


@pytest.mark.parametrize("kwargs, field, rule", [
    (dict(paid_breaks=(15, 15), paid_break_offsets=(60, 70)), "paid_break_offsets",
     "must not make breaks overlap"),
    (dict(paid_breaks=(15,), paid_break_offsets=(60, 90)), "paid_break_offsets",
     "must give one offset per paid break"),
    (dict(paid_breaks=(15,), paid_break_offsets=(470,)), "paid_break_offsets",
     "must end breaks by the end of the shift"),
    (dict(paid_breaks=(300, 200)), "paid_breaks", "must add up to < length"),
    (dict(paid_breaks=(0,)), "paid_breaks[0]", "must be > 0"),
    (dict(unpaid_break=30, break_offset=60, paid_breaks=(15,), paid_break_offsets=(70,)),
     "paid_break_offsets", "must not make breaks overlap"),
])
def test_paid_break_validation(kwargs, field, rule):
    with pytest.raises(ValueError, match=re.escape(f"'shifts[p].{field}' {rule}")):
        ShiftTemplate("p", 480, starts=("08:00",), **kwargs)
