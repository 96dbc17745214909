"""The fused statistics of one replication against a plain numpy implementation.

:func:`simulate.stats.replication_stats` computes its queue metrics, wait
percentiles and busy time in one Numba kernel (cells computed inside, waits
packed by cell, in-place selection); here the same numbers are computed the
obvious way, one queue and one interval at a time with boolean masks,
``np.percentile`` and interval overlaps, on random centers (several queues,
bots, retrials, overtime, overflow) and on hand-made records for the edges:
an interval with no answered contact, arrivals on interval boundaries and past
the horizon, a queue without records.  Counts and percentiles must agree
exactly (up to numpy's own rounding of the interpolation), sums of waits and
busy time up to their summation order.

Also: the percentile's in-place selection on inputs that trouble
quickselects, the fast interval index against numpy's floor division, the
handle-time scaling of the first attempts bit for bit, and :func:`simulate`
writing each replication's statistics as :func:`replication_stats` returns
them.
"""

import numpy as np
import pytest

from ccwfm.simulate import Bot, Center, Group, Queue, Retrial, Shift, Skill, simulate
from ccwfm.simulate._common import first_attempts, interval_index
from ccwfm.simulate._engine_fast import run_fast, run_fast_multi
from ccwfm.simulate._fast import (ABANDONED, ABANDONED_BOT, ANSWERED, CONTAINED, IN_BOT,
                                  IN_QUEUE)
from ccwfm.simulate._rng import replication_keys
from ccwfm.simulate.distributions import Distribution as D
from ccwfm.simulate.stats import (GROUP_METRICS, QUEUE_METRICS, _percentile, duty_agents,
                                  replication_stats)

Q = {m: k for k, m in enumerate(QUEUE_METRICS)}
G = {m: k for k, m in enumerate(GROUP_METRICS)}
COUNTS = ("offered", "retrials", "contained", "abandoned_bot", "entered", "answered",
          "abandoned", "in_system", "max_queue")


# ------------------------------------------------------- the plain version


def _overlap(starts, ends, lo, hi):
    """Total length of ``[start, end)`` inside ``[lo, hi)``."""
    return float(np.clip(np.minimum(ends, hi) - np.maximum(starts, lo), 0.0, None).sum())


def _slow_stats(center, records, overtime, max_queue):
    """``(queues, groups)`` as :func:`replication_stats` defines them, with numpy masks."""
    n_q, n_g, horizon, interval = (len(center.queues), len(center.groups), center.horizon,
                                   center.interval)
    qout = np.full((n_q, horizon + 1, len(QUEUE_METRICS)), np.nan)
    gout = np.full((n_g, horizon + 1, len(GROUP_METRICS)), np.nan)
    o = records["outcome"]
    slot = np.minimum(records["arrival"] // interval, horizon - 1)
    answered, abandoned = o == ANSWERED, o == ABANDONED
    wait = np.where(answered, records["start"] - records["enter"],
                    np.where(abandoned, records["leave"] - records["enter"], np.nan))
    for q, queue in enumerate(center.queues):
        for i in range(horizon + 1):
            m = records["queue"] == q
            if i < horizon:
                m &= slot == i
            ans, ab = m & answered, m & abandoned
            resolved = ans | ab
            n_res, n_ans = resolved.sum(), ans.sum()
            row = qout[q, i]
            row[Q["offered"]] = m.sum()
            row[Q["retrials"]] = (m & (records["attempt"] > 0)).sum()
            row[Q["contained"]] = (m & (o == CONTAINED)).sum()
            row[Q["abandoned_bot"]] = (m & (o == ABANDONED_BOT)).sum()
            row[Q["entered"]] = (m & ~np.isnan(records["enter"])).sum()
            row[Q["answered"]] = n_ans
            row[Q["abandoned"]] = ab.sum()
            row[Q["in_system"]] = (m & ((o == IN_BOT) | (o == IN_QUEUE))).sum()
            if n_res:
                row[Q["service_level"]] = (ans & (wait <= queue.target_time)).sum() / n_res
                row[Q["prob_wait"]] = (resolved & (wait > 0)).sum() / n_res
                row[Q["average_wait"]] = wait[resolved].sum() / n_res
                row[Q["abandon_rate"]] = ab.sum() / n_res
            if n_ans:
                row[Q["service_level_answered"]] = (ans & (wait <= queue.target_time)).sum() \
                    / n_ans
                row[Q["asa"]] = wait[ans].sum() / n_ans
                row[Q["wait_p90"]] = np.percentile(wait[ans], 90)
            row[Q["max_queue"]] = max_queue[q, i] if i < horizon else max_queue[q].max()
    agents = duty_agents(center)
    for g, group in enumerate(center.groups):
        served = answered & (records["group"] == g)
        extra = overtime["group"] == g
        edges = [(i * interval, (i + 1) * interval) for i in range(horizon)]
        busy = np.array([_overlap(records["start"][served], records["leave"][served], lo, hi)
                         for lo, hi in edges])
        duty = agents[g] * group.concurrency * interval + np.array(
            [_overlap(overtime["start"][extra], overtime["end"][extra], lo, hi)
             for lo, hi in edges])
        gout[g, :horizon, G["agents"]] = agents[g]
        gout[g, horizon, G["agents"]] = agents[g].mean()
        gout[g, :horizon, G["busy"]] = busy / 3600.0
        gout[g, horizon, G["busy"]] = busy.sum() / 3600.0
        with np.errstate(invalid="ignore", divide="ignore"):
            gout[g, :horizon, G["occupancy"]] = np.where(duty > 0, busy / duty, np.nan)
        if duty.sum() > 0:
            gout[g, horizon, G["occupancy"]] = busy.sum() / duty.sum()
    return qout, gout


def _assert_agree(center, records, overtime, max_queue):
    got_q, got_g = replication_stats(center, records, overtime, max_queue)
    want_q, want_g = _slow_stats(center, records, overtime, max_queue)
    for name, k in Q.items():
        a, b = got_q[..., k], want_q[..., k]
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg=f"{name} NaN")
        if name in COUNTS:
            np.testing.assert_array_equal(a, b, err_msg=name)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=0.0, err_msg=name)
    for name, k in G.items():
        a, b = got_g[..., k], want_g[..., k]
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg=f"{name} NaN")
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=name)
    return got_q, got_g


# --------------------------------------------------------- random centers


def _random_center(seed):
    """1 to 3 queues over 6 to 12 intervals: bots, retrials, idle intervals, time-shared
    agents and shifts (overtime), and on odd seeds cross-trained groups with overflow."""
    rng = np.random.default_rng(seed)
    horizon = int(rng.integers(6, 13))
    interval = float(rng.choice([600.0, 900.0, 1234.5, 1800.0]))
    queues = []
    for q in range(int(rng.integers(1, 4))):
        volume = rng.uniform(5, 60, horizon) * (rng.random(horizon) > 0.2)
        queues.append(Queue(
            f"q{q}", tuple(volume.tolist()), D.exponential(float(rng.uniform(100, 400))),
            patience=D.exponential(float(rng.uniform(30, 300))) if q < 2 else None,
            bot=Bot(D.exponential(40.0), 0.2, 0.05, 1.1) if q == 0 else None,
            retrial=Retrial(0.6, D.exponential(200.0), 3) if q < 2 else None,
            target_time=float(rng.choice([0.0, 20.0, 60.0])),
            handle_scale=tuple(rng.uniform(0.6, 1.6, horizon).tolist()) if q == 1 else None))
    names = [q.name for q in queues]

    def staffing():
        return tuple((rng.integers(0, 8, horizon) + rng.choice([0.0, 0.5], horizon)).tolist())

    shifts = (Shift(0.3 * interval, 2.7 * interval, 2),)
    if seed % 2:
        groups = [Group("all", tuple(Skill(n) for n in names), staffing=staffing(),
                        shifts=shifts),
                  Group("overflow", (Skill(names[0], 45.0),), staffing=staffing())]
    else:
        groups = [Group(f"g{q}", (n,), staffing=staffing(), shifts=shifts if q == 0 else None,
                        concurrency=2 if q == 2 else 1)
                  for q, n in enumerate(names)]
    return Center(tuple(queues), tuple(groups), interval=interval)


SEEDS = range(12)


@pytest.mark.parametrize("seed", SEEDS)
def test_fused_statistics_equal_the_plain_ones_on_random_centers(seed):
    center = _random_center(seed)
    run = run_fast if center.is_single_skill() else run_fast_multi
    _assert_agree(center, *run(center, 1000 + seed))


def test_the_random_centers_exercise_the_edges():
    # The agreement above is not vacuous: across the seeds there are empty
    # intervals, retrials, overtime, several queues and the multi-skill path.
    seen = set()
    for seed in SEEDS:
        center = _random_center(seed)
        run = run_fast if center.is_single_skill() else run_fast_multi
        records, overtime, max_queue = run(center, 1000 + seed)
        qs, _ = replication_stats(center, records, overtime, max_queue)
        seen.add("nan_p90" if np.isnan(qs[:, :-1, Q["wait_p90"]]).any() else "")
        seen.add("retrials" if (records["attempt"] > 0).any() else "")
        seen.add("overtime" if overtime["start"].size else "")
        seen.add("queues" if len(center.queues) > 1 else "")
        seen.add("multi" if not center.is_single_skill() else "")
        seen.add("in_system" if (qs[..., Q["in_system"]] > 0).any() else "")
    assert {"nan_p90", "retrials", "overtime", "queues", "multi", "in_system"} <= seen


# --------------------------------------------------------- hand-made records


def _records(rows):
    """Records from ``(queue, attempt, arrival, outcome, enter, start, leave, group)`` rows."""
    cols = list(zip(*rows)) if rows else [()] * 8
    return {"queue": np.array(cols[0], np.int32),
            "contact": np.arange(len(rows), dtype=np.int64),
            "attempt": np.array(cols[1], np.int32), "arrival": np.array(cols[2], float),
            "outcome": np.array(cols[3], np.int8), "enter": np.array(cols[4], float),
            "start": np.array(cols[5], float), "leave": np.array(cols[6], float),
            "group": np.array(cols[7], np.int32)}


def _no_overtime():
    return {"group": np.zeros(0, np.int32), "start": np.zeros(0), "end": np.zeros(0)}


def _two_queues(horizon=4, interval=900.0):
    queues = (Queue("a", (10.0,) * horizon, D.exponential(200.0), target_time=20.0),
              Queue("b", (0.0,) * horizon, D.exponential(200.0)))
    groups = (Group("ga", ("a",), staffing=(2,) * horizon),
              Group("gb", ("b",), staffing=(1.5,) * horizon))
    return Center(queues, groups, interval=interval)


NAN = np.nan


def test_edges_of_hand_made_records():
    c = _two_queues()
    end = c.end
    rows = [
        # interval 0: answered without waiting, one waiting 30 s, one abandoned
        (0, 0, 0.0, ANSWERED, 0.0, 0.0, 100.0, 0),
        (0, 0, 10.0, ANSWERED, 10.0, 40.0, 950.0, 0),
        (0, 1, 20.0, ABANDONED, 20.0, NAN, 80.0, -1),
        # exactly on the boundary of intervals 1 and 2 (and one ulp below it)
        (0, 0, 900.0, ANSWERED, 900.0, 905.0, 1000.0, 0),
        (0, 0, np.nextafter(1800.0, 0.0), ANSWERED, 1800.0, 1800.0, 1900.0, 0),
        (0, 0, 1800.0, CONTAINED, NAN, NAN, 1850.0, -1),
        # interval 2: only the bot and the queue at the end, no answered contact
        (0, 0, 1900.0, ABANDONED_BOT, NAN, NAN, 1950.0, -1),
        (0, 0, 2000.0, IN_QUEUE, 2000.0, NAN, NAN, -1),
        (0, 0, 2100.0, IN_BOT, NAN, NAN, NAN, -1),
        # at and past the horizon end: counted in the last interval; service past the end
        (0, 0, end, ANSWERED, end, end + 10.0, end + 100.0, 0),
        (0, 2, end + 500.0, ANSWERED, end + 500.0, end + 520.0, end + 600.0, 0),
        (0, 0, end - 50.0, ANSWERED, end - 50.0, end - 20.0, end + 300.0, 0),
    ]
    overtime = {"group": np.array([0, 1], np.int32), "start": np.array([end - 10.0, 30.0]),
                "end": np.array([end + 50.0, 90.0])}
    max_queue = np.arange(8.0).reshape(2, 4)
    qs, gs = _assert_agree(c, _records(rows), overtime, max_queue)
    a = qs[0]
    np.testing.assert_array_equal(a[:4, Q["offered"]], [3, 2, 4, 3])
    np.testing.assert_array_equal(a[:4, Q["answered"]], [2, 2, 0, 3])
    np.testing.assert_array_equal(a[:4, Q["in_system"]], [0, 0, 2, 0])
    assert np.isnan(a[2, Q["wait_p90"]]) and np.isnan(a[2, Q["asa"]])
    assert a[0, Q["wait_p90"]] == np.percentile([0.0, 30.0], 90)
    assert a[-1, Q["retrials"]] == 2
    # queue "b" has no records: zero counts, NaN ratios, its maxima kept
    b = qs[1]
    np.testing.assert_array_equal(b[:, Q["offered"]], 0)
    assert np.isnan(b[:, [Q[m] for m in ("service_level", "asa", "wait_p90")]]).all()
    np.testing.assert_array_equal(b[:, Q["max_queue"]], [4, 5, 6, 7, 7])
    # group "gb" served nothing: busy 0, occupancy 0 (on duty all along)
    assert (gs[1, :, G["busy"]] == 0).all() and (gs[1, :, G["occupancy"]] == 0).all()


def test_interval_without_answered_contact_has_nan_p90_and_asa():
    c = _two_queues()
    rows = [(0, 0, 100.0, ANSWERED, 100.0, 130.0, 200.0, 0),
            (0, 0, 1000.0, ABANDONED, 1000.0, NAN, 1100.0, -1),
            (0, 0, 3000.0, ANSWERED, 3000.0, 3000.0, 3100.0, 0)]
    qs, _ = _assert_agree(c, _records(rows), _no_overtime(), np.zeros((2, 4)))
    p90 = qs[0, :, Q["wait_p90"]]
    assert p90[0] == 30.0 and np.isnan(p90[1]) and np.isnan(p90[2]) and p90[3] == 0.0
    assert np.isnan(qs[0, 1, Q["asa"]]) and qs[0, 1, Q["abandon_rate"]] == 1.0


def test_no_records_at_all():
    c = _two_queues()
    qs, gs = _assert_agree(c, _records([]), _no_overtime(), np.zeros((2, 4)))
    assert (qs[..., Q["offered"]] == 0).all() and np.isnan(qs[..., Q["wait_p90"]]).all()
    assert (gs[..., G["busy"]] == 0).all()


@pytest.mark.parametrize("seed", range(5))
def test_p90_of_many_ties_and_sizes(seed):
    # Many equal waits (zeros, repeated values) and cells of 1 to 60 answered
    # contacts: the in-place selection must give np.percentile's order statistics.
    rng = np.random.default_rng(seed)
    c = _two_queues(horizon=24, interval=600.0)
    rows = []
    for i in range(24):
        for _ in range(int(rng.integers(0, 60))):
            t = i * 600.0 + float(rng.uniform(0, 600))
            w = float(rng.choice([0.0, 0.0, 5.0, rng.exponential(40.0)]))
            rows.append((0, 0, t, ANSWERED, t, t + w, t + w + 100.0, 0))
    _assert_agree(c, _records(rows), _no_overtime(), np.zeros((2, 24)))


# ------------------------------------------------------------- the helpers


def test_interval_index_is_numpy_floor_division():
    rng = np.random.default_rng(3)
    for interval in (900.0, 0.1, 0.7, 1234.5, 3.3, 1e-3):
        whole = np.arange(0, 5000) * interval
        t = np.concatenate([whole, np.nextafter(whole, np.inf), np.nextafter(whole, 0.0),
                            rng.uniform(0, 5000 * interval, 2000), [1e-300, 0.0]])
        want = np.minimum(t // interval, 4000)
        got = np.array([interval_index(x, interval, 4000) for x in t])
        np.testing.assert_array_equal(got, want)


def _patterns(rng):
    """Arrays that trouble quickselects: sorted, reversed, equal, organ pipe, few values."""
    for n in (1, 2, 3, 7, 10, 11, 33, 200, 100_000):
        up = np.sort(rng.exponential(30.0, n))
        yield up
        yield up[::-1].copy()
        yield np.zeros(n)
        yield np.concatenate([up[::2], up[1::2][::-1]])
        yield rng.choice([0.0, 0.0, 0.0, 12.5, 40.0], n)
        yield rng.exponential(30.0, n)


def test_percentile_is_numpys_linear_interpolation():
    rng = np.random.default_rng(11)
    for values in _patterns(rng):
        for q in (0.0, 50.0, 90.0, 99.0, 100.0):
            s = np.sort(values)
            pos = q / 100.0 * (len(s) - 1)
            i = int(np.floor(pos))
            exact = s[i] if i + 1 >= len(s) else s[i] + (pos - i) * (s[i + 1] - s[i])
            got = _percentile(values.copy(), q)
            assert got == exact, (len(values), q)
            assert got == pytest.approx(np.percentile(values, q), rel=1e-13, abs=0.0)
    assert np.isnan(_percentile(np.zeros(0), 90.0))


def test_handle_scale_is_the_numpy_product_bit_for_bit():
    rng = np.random.default_rng(8)
    interval, horizon = 1234.5, 8
    volume = tuple(rng.uniform(50, 200, horizon).tolist())
    scale = tuple(rng.uniform(0.5, 2.0, horizon).tolist())
    group = (Group("g", ("v",), staffing=(3,) * horizon),)

    def center(handle_scale):
        return Center((Queue("v", volume, D.lognormal(200.0, 0.8), patience=D.exponential(60.0),
                             bot=Bot(D.exponential(30.0), 0.1), handle_scale=handle_scale),),
                      group, interval=interval)

    a, b = first_attempts(center(None), 0, 9), first_attempts(center(scale), 0, 9)
    for k in a:
        if k != "handle":
            np.testing.assert_array_equal(a[k], b[k], err_msg=k)
    cell = np.minimum((a["arrival"] // interval).astype(np.int64), horizon - 1)
    np.testing.assert_array_equal(b["handle"], a["handle"] * np.asarray(scale)[cell])


def test_simulate_fills_each_replication_as_replication_stats_does():
    c = _random_center(1)
    res = simulate(c, replications=3, seed=4, progress=False)
    out = (np.full_like(res.queue_stats[0], -1.0), np.full_like(res.group_stats[0], -1.0))
    for r, key in enumerate(replication_keys(4, 3)):
        records, overtime, max_queue = run_fast_multi(c, int(key))
        qs, gs = replication_stats(c, records, overtime, max_queue, out=out)
        assert qs is out[0] and gs is out[1]
        np.testing.assert_array_equal(qs, res.queue_stats[r])
        np.testing.assert_array_equal(gs, res.group_stats[r])
