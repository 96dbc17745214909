"""Joint scheduling of linked groups against brute force, and against one group alone."""

import itertools

import numpy as np
import pandas as pd
import pytest

from ccwfm.plan import least_cost
from ccwfm.plan.joint import JointGroup, joint_schedule
from ccwfm.plan.least_cost import QueueDemand, _QueueModel, least_cost_schedule
from ccwfm.plan.scenario import QueueConfig, Target
from ccwfm.plan.shifts import ShiftTemplate

DAY = pd.Timestamp("2025-03-03")
T = (ShiftTemplate("early", length=480, starts=("06:00",)),
     ShiftTemplate("late", length=480, starts=("14:00",)))


def _demand(name, volume, level="interval", aht=600.0):
    q = QueueConfig(name, demo=True, target=Target(service_level=0.8, target_time=60.0,
                                                    level=level))
    return QueueDemand(q, np.asarray(volume, float), np.full(len(volume), aht), {})


def _hours(profile):
    """24 hourly volumes from {(from, to): volume}."""
    v = np.zeros(24)
    for (a, b), x in profile.items():
        v[a:b] = x
    return v


def _feasible(cover, lo_a, lo_b, keep):
    """Hall's condition per interval: agents of A, B and X (cross-trained) on the
    phones can give a its floor and b its floor. ``cover``: (A, B, X) x intervals."""
    a, b, x = keep * cover
    tol = 1e-9
    return bool(np.all(a + x >= lo_a - tol) and np.all(b + x >= lo_b - tol)
                and np.all(a + b + x >= lo_a + lo_b - tol))


@pytest.mark.parametrize("search", [False, True])
@pytest.mark.parametrize("case", range(4))
def test_joint_schedule_matches_brute_force_on_interval_floors(case, search, monkeypatch):
    """A small window is rounded by HiGHS: optimal.  A large one by the joint search
    (forced here): at most one shift dearer than the optimum."""
    if search:
        monkeypatch.setattr(least_cost, "_JOINT_EXACT", 0)
    rng = np.random.default_rng(case)
    va = _hours({(6, 12): rng.uniform(8, 16), (12, 22): rng.uniform(1, 5)})
    vb = _hours({(6, 16): rng.uniform(1, 5), (16, 22): rng.uniform(8, 16)})
    da, db = _demand("a", va), _demand("b", vb)
    keep = 0.9
    wages = {"A": 20.0, "B": 20.0, "X": float(rng.uniform(20.5, 26.0))}
    groups = [JointGroup("A", T, wages["A"], ("a",)), JointGroup("B", T, wages["B"], ("b",)),
              JointGroup("X", T, wages["X"], ("a", "b"))]
    out = joint_schedule(groups, [da, db], day0=DAY, ndays=1, interval=60, shrinkage=1 - keep)
    lo_a = _QueueModel(da, interval=60, per_day=24, weekday0=0).lo
    lo_b = _QueueModel(db, interval=60, per_day=24, weekday0=0).lo
    # Each template covers 8 hours: early 06-14, late 14-22.
    shape = np.zeros((2, 24))
    shape[0, 6:14] = 1
    shape[1, 14:22] = 1
    hi = int(np.ceil(max(lo_a.max(), lo_b.max()) / keep)) + 1
    best = None
    for combo in itertools.product(range(hi + 1), repeat=6):
        x = np.array(combo, float).reshape(3, 2)
        cost = sum(8 * wages[g] * x[i].sum() for i, g in enumerate("ABX"))
        if best is not None and cost >= best:
            continue
        if _feasible(x @ shape, lo_a, lo_b, keep):
            best = cost
    got = np.array([out[g].duty for g in "ABX"])
    got_cost = sum(8 * wages[g] * out[g].x.sum() for g in "ABX")
    assert _feasible(got, lo_a, lo_b, keep)
    assert got_cost <= best + (8 * max(wages.values()) if search else 1e-6), (got_cost, best)
    # The linear program's split of the groups' agents meets the floors.
    n_a = out["A"].phones["a"] + out["X"].phones["a"]
    assert np.all(n_a >= lo_a - 1e-6)


def test_one_group_alone_is_the_single_group_schedule():
    rng = np.random.default_rng(7)
    v = np.repeat(rng.uniform(5, 40, 24), 4)
    v[:24] = 0
    d = _demand("a", v, level="day", aht=300.0)
    one = least_cost_schedule([d], T, day0=DAY, ndays=1, interval=15, shrinkage=0.2,
                              hourly_cost=20.0)
    joint = joint_schedule([JointGroup("g", T, 20.0, ("a",))], [d], day0=DAY, ndays=1,
                           interval=15, shrinkage=0.2)["g"]
    # The same program; the single group rounds by local search, the joint one by
    # HiGHS: the same cost within one shift.
    assert abs(int(joint.x.sum()) - int(one.x.sum())) <= 1
    assert np.all(joint.duty >= 0)


def test_cross_training_pays_when_peaks_differ():
    """Morning peak on a, evening peak on b: a cross-trained group at a small wage
    premium replaces dedicated agents that would idle half their shift."""
    va = _hours({(6, 14): 22.0})
    vb = _hours({(14, 22): 22.0})
    va[14:22] = 1.5
    vb[6:14] = 1.5
    da, db = _demand("a", va), _demand("b", vb)
    dedicated = [JointGroup("A", T, 20.0, ("a",)), JointGroup("B", T, 20.0, ("b",))]
    both = dedicated + [JointGroup("X", T, 21.0, ("a", "b"))]
    kw = dict(day0=DAY, ndays=1, interval=60, shrinkage=0.1)
    ded = joint_schedule(dedicated, [da, db], **kw)
    pool = joint_schedule(both, [da, db], **kw)

    def cost(out, wages):
        return sum(8 * wages[g] * out[g].x.sum() for g in out)

    w = {"A": 20.0, "B": 20.0, "X": 21.0}
    assert pool["X"].x.sum() > 0
    assert cost(pool, w) < cost(ded, w)


def test_a_group_serving_an_unknown_queue_is_refused():
    d = _demand("a", np.ones(24))
    with pytest.raises(ValueError, match="'demands' must hold every queue group 'g' serves: 'b'"):
        joint_schedule([JointGroup("g", T, 20.0, ("a", "b"))], [d], day0=DAY, ndays=1,
                       interval=60, shrinkage=0.0)


@pytest.mark.slow
def test_multiskill_demo_week_meets_every_target_with_fewer_paid_hours():
    """The multi-skill demo planned end to end (integrated): every day target met on
    fresh random numbers, each queue's KPIs from the routed simulation, and fewer
    paid hours than the same demand with dedicated groups."""
    from ccwfm.plan import pipeline
    from ccwfm.plan.demo import demo_scenario
    ded = pipeline.run(demo_scenario(weeks=1))
    ms = pipeline.run(demo_scenario(weeks=1, multiskill=True))
    assert ms.attainment["met"].all() and ded.attainment["met"].all()
    assert set(ms.shifts["group"]) >= {"voice", "sales", "digital"}
    assert ms.comparison["paid_hours"] < ded.comparison["paid_hours"]


@pytest.mark.parametrize("before, after", [(0.15, 0.0), (0.0, 0.15)])
def test_next_day_scheduled_again_only_when_its_night_cover_shrinks(before, after):
    """As for one group (plan.least_cost): day 0 scheduled again with another margin.
    When the groups' night shifts then cover less of day 1, day 1 is scheduled again
    and meets its target; when they cover more, day 1 keeps every group's shifts."""
    from tests.plan.test_least_cost import _day_service_level, _night_case, _queue

    vol, templates = _night_case()
    q = _queue()

    def schedule(margin, **kw):
        d = QueueDemand(q, vol, np.full(48, 300.0), {("sl", 0): margin})
        groups = [JointGroup("A", tuple(templates), 20.0, ("q",)),
                  JointGroup("B", tuple(templates), 21.0, ("q",))]
        return joint_schedule(groups, [d], day0=pd.Timestamp("2025-09-01"), ndays=2,
                              interval=60, shrinkage=0.0, **kw)

    def nights(out):
        return sum(int(g.x[(g.meta[:, 1] == 0) & (g.meta[:, 0] == 0)].sum())
                   for g in out.values())

    first = schedule(before)
    again = schedule(after, previous=first, redo={0})
    duty = sum(g.duty for g in again.values())
    assert _day_service_level(duty, vol, 1) >= 0.8 - 1e-6
    assert (nights(again) < nights(first)) == (after < before)
    if after > before:
        for name in first:
            np.testing.assert_array_equal(again[name].days[1][0], first[name].days[1][0])
    else:
        old = duty.copy()
        old[30:] = sum(g.duty for g in first.values())[30:]
        assert _day_service_level(old, vol, 1) < 0.8
