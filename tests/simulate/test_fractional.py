"""Fractional staffing: a time-shared agent, in both engines, without touching whole staffing.

A staffing of ``n + f`` is ``n`` agents and one more on duty for the first
``f`` of every sub-period (``interval / ceil(interval / share_period)``).
Checked here: the schedule itself (evaluated independently of the code that
builds it), its mean (``agents_on_duty`` returns ``n + f`` exactly), the
pre-change schedule of whole staffing (a verbatim copy of the old
``duty_changes`` is the reference), records of equivalent whole schedules,
the agreement of the two engines, and KPIs at ``n + f`` between those at
``n`` and ``n + 1`` under common random numbers.
"""

import math

import numpy as np
import pytest

from ccwfm.simulate import Center, Group, Shift, Skill, simulate
from ccwfm.simulate._engine_fast import run_fast
from ccwfm.simulate._engine_simpy import run_simpy
from ccwfm.simulate._fast import ANSWERED
from ccwfm.simulate.distributions import Distribution as D
from ccwfm.simulate.model import Retrial
from ccwfm.simulate.stats import GROUP_METRICS, replication_stats

from tests.simulate._records import assert_same


# ----------------------------------------------------------- the old schedule


def _old_duty_changes(group, interval, horizon):
    """``Group.duty_changes`` before fractional staffing, verbatim (the reference)."""
    events = {}
    if group.staffing is not None:
        prev = 0
        for i, n in enumerate(group.staffing):
            if n != prev:
                events[i * interval] = events.get(i * interval, 0) + n - prev
            prev = n
    if group.shifts is not None:
        for s in group.shifts:
            events[s.start] = events.get(s.start, 0) + s.agents
            events[s.end] = events.get(s.end, 0) - s.agents
    end = interval * horizon
    times = np.array(sorted(t for t, d in events.items() if d != 0 and t < end), dtype=float)
    deltas = np.array([events[t] for t in times], dtype=np.int64)
    return times, deltas


def _old_agents_on_duty(group, interval, horizon):
    """``Group.agents_on_duty`` before fractional staffing, verbatim."""
    times, deltas = _old_duty_changes(group, interval, horizon)
    out = np.zeros(horizon)
    level = 0
    edges = list(times) + [interval * horizon]
    for k in range(len(times)):
        level += deltas[k]
        a, b = edges[k], edges[k + 1]
        i0, i1 = int(a // interval), int(math.ceil(b / interval))
        for i in range(i0, min(i1, horizon)):
            lo, hi = max(a, i * interval), min(b, (i + 1) * interval)
            if hi > lo:
                out[i] += level * (hi - lo) / interval
    return out


def _random_whole_group(rng, horizon, interval):
    staffing = tuple(int(v) for v in rng.integers(0, 9, horizon)) if rng.random() < 0.8 else None
    shifts = None
    if staffing is None or rng.random() < 0.5:
        shifts = []
        for _ in range(rng.integers(1, 6)):
            start = float(rng.choice([rng.uniform(0, horizon * interval),
                                      interval * rng.integers(0, horizon)]))
            end = start + float(rng.choice([rng.uniform(1, 3 * interval), interval]))
            shifts.append(Shift(start, end, int(rng.integers(0, 5))))
    return Group("g", ("voice",), staffing=staffing, shifts=shifts)


@pytest.mark.parametrize("seed", range(40))
def test_whole_staffing_schedule_is_the_old_one_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    horizon = int(rng.integers(1, 30))
    interval = float(rng.choice([60.0, 900.0, 1000.0, 1800.0, 3600.0]))
    g = _random_whole_group(rng, horizon, interval)
    times, deltas = g.duty_changes(interval, horizon)
    old_t, old_d = _old_duty_changes(g, interval, horizon)
    assert times.dtype == old_t.dtype and deltas.dtype == old_d.dtype
    np.testing.assert_array_equal(times, old_t)
    np.testing.assert_array_equal(deltas, old_d)
    np.testing.assert_array_equal(g.agents_on_duty(interval, horizon),
                                  _old_agents_on_duty(g, interval, horizon))


# ------------------------------------------------------ the time-shared agent


def _level_at(times, deltas, t):
    """Agents on duty at times ``t`` (right-continuous), from the changes alone."""
    level = np.concatenate([[0], np.cumsum(deltas)])
    return level[np.searchsorted(times, t, side="right")]


@pytest.mark.parametrize("interval, share_period", [
    (1800.0, 300.0), (900.0, 300.0), (1000.0, 300.0), (3600.0, 300.0), (60.0, 300.0),
    (1800.0, 120.0), (1800.0, 1800.0), (1800.0, 7.0)])
def test_time_shared_agent_is_on_for_the_first_f_of_each_sub_period(interval, share_period):
    staffing = (2, 2.25, 0.5, 3.0, 7.9, 0.0, 1.1)
    g = Group("g", ("voice",), staffing=staffing, share_period=share_period)
    times, deltas = g.duty_changes(interval, len(staffing))
    m = math.ceil(interval / share_period)
    sub = interval / m
    assert sub <= share_period
    # Sample points strictly inside the on and off parts of every sub-period.
    for i, s in enumerate(staffing):
        n, f = math.floor(s), s - math.floor(s)
        starts = i * interval + sub * np.arange(m)
        for frac, extra in ((0.5 * f, 1), (f + 0.5 * (1 - f), 0)):
            if f == 0.0 and extra == 1:
                continue
            got = _level_at(times, deltas, starts + frac * sub)
            np.testing.assert_array_equal(got, n + extra, err_msg=f"interval {i}")
    assert (np.diff(times) > 0).all() and (deltas != 0).all()


@pytest.mark.parametrize("seed", range(10))
def test_agents_on_duty_is_the_fractional_mean_exactly(seed):
    rng = np.random.default_rng(seed)
    horizon = int(rng.integers(1, 50))
    interval = float(rng.choice([900.0, 1000.0, 1800.0, 3600.0]))
    staffing = np.round(rng.uniform(0, 40, horizon), int(rng.integers(0, 4)))
    whole = rng.random(horizon) < 0.3
    staffing[whole] = np.floor(staffing[whole])
    g = Group("g", ("voice",), staffing=tuple(staffing.tolist()))
    mean = g.agents_on_duty(interval, horizon)
    np.testing.assert_array_equal(mean, staffing)
    # The schedule integrates to the same mean (independently of agents_on_duty).
    times, deltas = g.duty_changes(interval, horizon)
    edges = np.concatenate([times, [interval * horizon]])
    level = np.cumsum(deltas)
    integral = np.zeros(horizon)
    for k in range(len(times)):
        a, b = edges[k], edges[k + 1]
        while a < b:                                # split at the interval ends
            i = int(a // interval)
            cut = min(b, (i + 1) * interval)
            integral[i] += level[k] * (cut - a)
            a = cut
    np.testing.assert_allclose(integral / interval, staffing, rtol=0, atol=1e-9)


def test_staffing_4_3_and_whole_values_keep_their_type():
    g = Group("g", ("voice",), staffing=(4.3, 4.0, 5, np.float64(2.5)))
    assert g.staffing == (4.3, 4, 5, 2.5)
    assert [type(v) for v in g.staffing] == [float, int, int, float]
    assert g.agents_on_duty(1800.0, 4).tolist() == [4.3, 4.0, 5.0, 2.5]


def test_fractional_staffing_with_shifts_adds_up():
    g = Group("g", ("voice",), staffing=(1.5, 0.25), shifts=(Shift(900.0, 2700.0, 2),))
    np.testing.assert_allclose(g.agents_on_duty(1800.0, 2), [2.5, 1.25], rtol=0, atol=1e-12)


@pytest.mark.parametrize("build, message", [
    (lambda: Group("g", ("voice",), staffing=(1.5, -0.5)),
     "'groups[g].staffing[1]' must be >= 0: -0.5"),
    (lambda: Group("g", ("voice",), staffing=(1.5, math.inf)),
     "'groups[g].staffing[1]' must be finite: inf"),
    (lambda: Group("g", ("voice",), staffing=(2e5 + 0.5,)),
     "'groups[g].staffing[0]' must be <= 100000 agents (limit 'agents'): 200000.5"),
    (lambda: Group("g", ("voice",), staffing=(1.5,), share_period=0.5),
     "'groups[g].share_period' must be >= 1 and <= 86400: 0.5"),
    (lambda: Shift(0, 10, 1.5), "'shift.agents' must be a whole number: 1.5"),
])
def test_bad_fractional_input_names_the_field(build, message):
    with pytest.raises(ValueError) as info:
        build()
    assert message in str(info.value)


# ------------------------------------------------------------------ records


def _same_records(a, b):
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


@pytest.mark.parametrize("key", (1, 29))
def test_equivalent_whole_schedules_give_identical_records(key):
    volume = [120.0, 150.0, 90.0]
    kw = dict(patience=120)
    base = run_fast(Center.single_queue(volume, aht=200, agents=12, **kw), key)
    same = [
        Center.single_queue(volume, aht=200, agents=[12] * 3, **kw),
        Center.single_queue(volume, aht=200, agents=[12.0] * 3, **kw),
        Center.single_queue(volume, aht=200, agents=np.array([12.0] * 3), **kw),
        Center((Center.single_queue(volume, aht=200, agents=0, **kw).queues[0],),
               (Group("agents", (Skill("voice"),), shifts=(Shift(0.0, 5400.0, 12),)),)),
    ]
    for c in same:
        for part_a, part_b in zip(base, run_fast(c, key)):
            if isinstance(part_a, dict):
                _same_records(part_a, part_b)
            else:
                np.testing.assert_array_equal(part_a, part_b)
    # A fractional staffing does change them (the check above is not vacuous).
    other = run_fast(Center.single_queue(volume, aht=200, agents=11.5, **kw), key)[0]
    assert not np.array_equal(other["outcome"], base[0]["outcome"])


def _fractional_centers():
    exp = D.exponential
    return {
        "single": (Center.single_queue([150.0, 200.0, 120.0], aht=240, agents=[19.4, 22.7, 0.3],
                                       patience=150)),
        "chat": (Center.single_queue([200.0, 260.0], aht=None, handle=D.lognormal(400.0, 0.7),
                                     agents=[12.5, 7.25], patience=exp(300.0), concurrency=3,
                                     concurrency_factor=1.4)),
        "retrials": (Center.single_queue([120.0, 160.0], aht=None, handle=exp(240.0),
                                         agents=[13.6, 15.1], patience=exp(60.0),
                                         retrial=Retrial(0.6, exp(120.0), 3),
                                         interval=1000.0, share_period=120.0)),
        "two_groups": (Center((
            Center.single_queue([100.0, 140.0], aht=240, agents=1, patience=100).queues[0],
            Center.single_queue([80.0, 60.0], aht=300, agents=1, name="chat").queues[0]),
            (Group("voice_agents", ("voice",), staffing=(13.5, 18.2),
                   shifts=(Shift(600.0, 2500.0, 2),)),
             Group("chat_agents", ("chat",), staffing=(14.9, 10.05))))),
    }


@pytest.mark.parametrize("key", (1, 29, 2024))
@pytest.mark.parametrize("name", sorted(_fractional_centers()))
def test_engines_agree_on_fractional_staffing(name, key):
    center = _fractional_centers()[name]
    assert center.is_single_skill()
    fast = run_fast(center, key)
    records, overtime, _ = fast
    # The time-shared agents go off duty while busy: overtime inside the intervals.
    inside = overtime["start"] % center.interval != 0.0
    assert inside.any(), "the time-shared agent never works overtime"
    assert (records["outcome"] == ANSWERED).any()
    assert_same(fast, run_simpy(center, key))


# ---------------------------------------------------------------- KPIs


_KPIS = ("abandon_rate", "service_level", "asa", "average_wait")


def _kpis(agents, seed):
    c = Center.single_queue([100.0] * 6, aht=180, agents=agents, patience=120)
    res = simulate(c, replications=8, seed=seed)
    occ = res.groups_summary.set_index("metric").loc["occupancy", "mean"]
    return {k: res.metric(k)[0] for k in _KPIS} | {"occupancy": occ}, res


@pytest.mark.parametrize("seed", range(4))
def test_kpis_at_n_plus_f_lie_between_n_and_n_plus_1(seed):
    # Common random numbers: same seed, same contacts; only the agents change.
    # Waits, abandonment and occupancy fall with every added share of an agent.
    n = 9
    fs = (0.0, 0.25, 0.5, 0.75, 1.0)
    runs = [_kpis(n + f, seed) for f in fs]
    for k in _KPIS + ("occupancy",):
        values = [r[0][k] for r in runs]
        sign = 1.0 if k == "service_level" else -1.0
        steps = sign * np.diff(values)
        assert (steps > 0).all(), f"{k}: {values}"
    for f, (_, res) in zip(fs, runs):
        agents = res.groups_summary.set_index("metric").loc["agents", "mean"]
        assert agents == pytest.approx(n + f, abs=1e-12)


def test_occupancy_counts_the_overtime_of_the_time_shared_agent():
    # On-duty slot time = scheduled (n + f) x horizon + overtime (clipped to
    # the horizon): occupancy is busy time over that, not over n + f alone.
    c = Center.single_queue([100.0] * 4, aht=180, agents=9.5, patience=120)
    records, overtime, max_queue = run_fast(c, 7)
    ans = records["outcome"] == ANSWERED
    busy = (np.minimum(records["leave"][ans], c.end) - records["start"][ans]).sum()
    extra = (np.minimum(overtime["end"], c.end) - overtime["start"]).sum()
    assert extra > 0
    _, groups = replication_stats(c, records, overtime, max_queue)
    occupancy = groups[0, -1, GROUP_METRICS.index("occupancy")]
    assert occupancy == pytest.approx(busy / (9.5 * c.end + extra), rel=1e-12)
    assert groups[0, -1, GROUP_METRICS.index("agents")] == 9.5
