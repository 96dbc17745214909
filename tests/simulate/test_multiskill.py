"""The Numba multi-skill kernel: the SimPy engine's records, and queueing theory.

The main check is against an independent implementation: the SimPy engine
(:mod:`simulate._engine_simpy`, event callbacks on SimPy's scheduler, state in
Python dicts and deques) must give the same records, overtime and queue
maxima as :func:`simulate._engine_fast.run_fast_multi` (one Numba event loop
with its own heap, FIFOs and busy lists), row for row, on every routing
design and on random centers (hypothesis).  Each named design comes with a
check that it really exercises what it is named after, so that agreement is
not vacuous.  Fixed and empirical durations make simultaneous events common,
which tests the tie rules (priority, then creation order).

Against theory: a queue per group equals Erlang A, and two identical queues
served by one cross-trained group equal one Erlang A queue with the summed
arrivals, within a confidence interval that also has the power to reject a
15% error (5% in the slow variant).
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from ccwfm import erlang
from ccwfm.simulate import simulate
from ccwfm.simulate._engine_fast import run_fast, run_fast_multi
from ccwfm.simulate._engine_simpy import run_simpy
from ccwfm.simulate._fast import ABANDONED, ABANDONED_BOT, ANSWERED, CONTAINED
from ccwfm.simulate._rng import replication_keys
from ccwfm.simulate.distributions import Distribution as D
from ccwfm.simulate.model import Bot, Center, Group, Queue, Retrial, Shift, Skill

from tests.simulate._records import assert_same

EXP = D.exponential
KEYS = (2, 31, 977)


# ---------------------------------------------------------------- helpers


def _served_by(records, q, g):
    return bool(((records["queue"] == q) & (records["group"] == g)).any())


def _waited(records, q, g, at_least):
    """Some contact of queue ``q`` served by ``g`` waited at least ``at_least`` seconds."""
    m = (records["queue"] == q) & (records["group"] == g)
    return bool(m.any()) and bool(((records["start"] - records["enter"])[m] >= at_least).all())


def _asa(records, q):
    m = (records["queue"] == q) & (records["outcome"] == ANSWERED)
    return float((records["start"] - records["enter"])[m].mean())


def _has(records, outcome):
    return bool((records["outcome"] == outcome).any())


def _q(name, volume, aht=240.0, patience=150.0, **kw):
    handle = kw.pop("handle", EXP(aht))
    pat = kw.pop("pat", EXP(patience) if patience is not None else None)
    return Queue(name, volume, handle, patience=pat, **kw)


# ---------------------------------------------------------------- designs


def _designs():
    """``name -> (center, check)``; ``check(records, overtime)`` proves the feature is hit."""
    v = [50.0, 70.0, 40.0]
    out = {}
    # N: A has its group, B's group also takes A (after B).
    out["N"] = (
        Center((_q("A", v), _q("B", v)),
               (Group("gA", ("A",), staffing=[5, 6, 4]),
                Group("gB", ("B", "A"), staffing=[7, 8, 6])), interval=1800.0),
        lambda r, ot: _served_by(r, 0, 1) and _served_by(r, 0, 0) and not _served_by(r, 1, 0))
    # X: each group serves both, its own queue first.
    out["X"] = (
        Center((_q("A", v), _q("B", [30.0, 90.0, 20.0])),
               (Group("gA", ("A", "B"), staffing=[6, 5, 6]),
                Group("gB", ("B", "A"), staffing=[5, 7, 4])), interval=1800.0),
        lambda r, ot: _served_by(r, 0, 1) and _served_by(r, 1, 0))
    # W: three queues, two groups sharing the middle one.
    out["W"] = (
        Center((_q("A", v), _q("B", v), _q("C", v)),
               (Group("g1", ("A", "B"), staffing=[8, 9, 7]),
                Group("g2", ("C", "B"), staffing=[8, 9, 7])), interval=1800.0),
        lambda r, ot: _served_by(r, 1, 0) and _served_by(r, 1, 1))
    # V: one group, two queues, A has priority (so B's answered contacts wait longer).
    out["V"] = (
        Center((_q("A", v), _q("B", v, patience=400.0)),
               (Group("g", ("A", "B"), staffing=[11, 12, 10]),), interval=1800.0),
        lambda r, ot: _served_by(r, 0, 0) and _served_by(r, 1, 0)
        and _asa(r, 0) < _asa(r, 1))
    # Long chain: group i serves queues i and i + 1 (mod 5).
    qs = tuple(_q(f"Q{i}", [30.0 + 10 * i, 60.0, 30.0]) for i in range(5))
    gs = tuple(Group(f"G{i}", (f"Q{i}", f"Q{(i + 1) % 5}"), staffing=[4, 6, 4])
               for i in range(5))
    out["chain"] = (
        Center(qs, gs, interval=1800.0),
        lambda r, ot: all(_served_by(r, (i + 1) % 5, i) and _served_by(r, i, i)
                          for i in range(5)))
    # Overflow after a delay: a senior group takes A after 30 s, B after 60 s.
    out["overflow"] = (
        Center((_q("A", [60.0, 90.0, 50.0]), _q("B", v, patience=300.0)),
               (Group("gA", ("A",), staffing=[6, 7, 6]),
                Group("gB", ("B",), staffing=[5, 6, 5]),
                Group("senior", (Skill("A", 30.0), Skill("B", 60.0)), staffing=[2, 3, 2])),
               interval=1800.0),
        lambda r, ot: _waited(r, 0, 2, 30.0) and _waited(r, 1, 2, 60.0))
    # Chat and e-mail blended, with concurrency, next to a dedicated chat group.
    out["blended_concurrency"] = (
        Center((_q("chat", [80.0, 120.0, 60.0], aht=600.0, patience=240.0),
                _q("email", [30.0, 40.0, 20.0], aht=480.0, patience=None,
                   handle=D.lognormal(480.0, 0.6))),
               (Group("chat", ("chat",), staffing=[6, 8, 5], concurrency=2,
                      concurrency_factor=1.2),
                Group("digital", ("chat", "email"), staffing=[4, 5, 4], concurrency=3,
                      concurrency_factor=1.4)), interval=1800.0),
        lambda r, ot: _served_by(r, 0, 1) and _served_by(r, 1, 1) and _served_by(r, 0, 0))
    # Fractional staffing (time-shared agents) in an X design.
    out["fractional"] = (
        Center((_q("A", v), _q("B", v)),
               (Group("gA", ("A", "B"), staffing=[5.5, 6.25, 4.75]),
                Group("gB", ("B", "A"), staffing=[6.5, 5.5, 5.0])), interval=1800.0),
        lambda r, ot: _served_by(r, 0, 1) and len(ot["group"]) > 0)
    # Retrials in an N design.
    retrial = Retrial(0.6, EXP(120.0), max_attempts=3)
    out["retrials"] = (
        Center((_q("A", [90.0, 110.0, 60.0], patience=60.0, retrial=retrial), _q("B", v)),
               (Group("gA", ("A",), staffing=[5, 6, 5]),
                Group("gB", ("B", "A"), staffing=[6, 7, 6])), interval=1800.0),
        lambda r, ot: bool((r["attempt"] >= 2).any()) and _served_by(r, 0, 1)
        and bool(((r["attempt"] > 0) & (r["group"] == 1)).any()))
    # A bot in front of a shared queue, with retrials of bot abandoners.
    bot = Bot(D.lognormal(200.0, 0.8), containment=0.3, abandon=0.15, uplift=1.3)
    out["bot"] = (
        Center((_q("A", [90.0, 120.0, 80.0], bot=bot, retrial=retrial), _q("B", v)),
               (Group("gA", ("A",), staffing=[3, 4, 3]),
                Group("gB", ("B", "A"), staffing=[6, 7, 6])), interval=1800.0),
        lambda r, ot: all(_has(r, o) for o in (CONTAINED, ABANDONED_BOT, ANSWERED,
                                                ABANDONED))
        and _served_by(r, 0, 1) and bool(((r["attempt"] > 0) & (r["outcome"] == 0)).any()))
    # Staffing that drops while agents are busy (overtime), with shifts too.
    out["staffing_drop"] = (
        Center((_q("A", [120.0, 40.0, 100.0]), _q("B", [60.0, 30.0, 60.0])),
               (Group("gA", ("A", "B"), staffing=[12, 2, 9]),
                Group("gB", ("B", "A"), shifts=(Shift(0.0, 2000.0, 6), Shift(1000.0, 5400.0, 3)),
                      concurrency=2)), interval=1800.0),
        lambda r, ot: len(ot["group"]) > 0 and set(ot["group"].tolist()) == {0, 1})
    # Fixed and empirical durations: simultaneous events everywhere (ties).
    out["ties"] = (
        Center((_q("A", [60.0, 80.0, 60.0, 70.0], handle=D.fixed(300.0), patience=None,
                   pat=D.fixed(150.0)),
                _q("B", [40.0, 60.0, 50.0, 30.0], handle=D.empirical([150.0, 300.0, 450.0]),
                   patience=None, pat=D.empirical([0.0, 150.0, 300.0]))),
               (Group("gA", ("A", "B"), staffing=[3, 6, 2, 5]),
                Group("gB", ("B", "A"), staffing=[4, 2, 6, 3]),
                Group("ov", (Skill("A", 150.0), Skill("B", 300.0)), staffing=[1, 2, 1, 2])),
               interval=900.0),
        lambda r, ot: _ties(r) and len(ot["group"]) > 0 and _served_by(r, 0, 2))
    # A backlog met by two groups at once, with fixed handle times: their
    # services end together, and which group takes which waiting contact
    # then depends only on the order of simultaneous events (creation order).
    out["simultaneous"] = (
        Center((_q("A", [120.0, 20.0, 30.0, 10.0], handle=D.fixed(300.0), patience=None),
                _q("B", [40.0, 20.0, 20.0, 10.0], handle=D.fixed(300.0), patience=None)),
               (Group("g1", ("A",), staffing=[0, 3, 4, 2]),
                Group("g2", ("B", "A"), staffing=[0, 3, 2, 4]),
                Group("g3", ("A", "B"), staffing=[0, 2, 3, 3])), interval=900.0),
        lambda r, ot: _contested(r))
    return out


def _contested(r):
    """Services of two groups end at one instant at which a service starts."""
    ans = r["outcome"] == ANSWERED
    ends = {}
    for g, t in zip(r["group"][ans].tolist(), r["leave"][ans].tolist()):
        ends.setdefault(t, set()).add(g)
    starts = set(r["start"][ans].tolist())
    return any(len(gs) > 1 and t in starts for t, gs in ends.items())


def _ties(r):
    """Several services start at one instant, and some contact leaves at once (patience 0)."""
    starts = r["start"][r["outcome"] == ANSWERED]
    _, counts = np.unique(starts, return_counts=True)
    zero_wait_abandon = (r["outcome"] == ABANDONED) & (r["leave"] == r["enter"])
    return bool((counts > 1).any()) and bool(zero_wait_abandon.any())


DESIGNS = _designs()


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_records_identical_to_simpy(name, key):
    center, check = DESIGNS[name]
    got = run_fast_multi(center, key)
    assert_same(got, run_simpy(center, key))
    records, overtime, _ = got
    assert check(records, overtime), f"design {name!r} does not exercise its feature"


def test_designs_are_multi_skill():
    for name, (center, _) in DESIGNS.items():
        assert not center.is_single_skill(), name


# ---------------------------------------------------------- random centers


@st.composite
def centers(draw):
    """Small random centers: any skills, overflow, staffing, durations, bot, retrials."""
    nq = draw(st.integers(1, 3))
    ng = draw(st.integers(1, 3))
    horizon = 3
    interval = 900.0
    names = [f"q{i}" for i in range(nq)]
    durations = st.sampled_from([
        EXP(200.0), D.fixed(150.0), D.empirical([0.0, 75.0, 150.0, 300.0]),
        D.lognormal(180.0, 1.0), D.weibull(240.0, 0.7)])
    queues = []
    for name in names:
        bot = draw(st.none() | st.builds(
            Bot, st.sampled_from([EXP(60.0), D.fixed(75.0)]), st.sampled_from([0.0, 0.3]),
            st.sampled_from([0.0, 0.2]), st.sampled_from([1.0, 1.2])))
        retrial = draw(st.none() | st.builds(
            Retrial, st.sampled_from([0.5, 1.0]), st.sampled_from([EXP(90.0), D.fixed(150.0)]),
            st.integers(1, 3)))
        scale = draw(st.none() | st.just((1.0, 1.5, 0.8)))
        queues.append(Queue(
            name, draw(st.lists(st.sampled_from([0.0, 10.0, 25.0, 40.0]), min_size=horizon,
                                max_size=horizon)),
            draw(durations), patience=draw(st.none() | durations), bot=bot, retrial=retrial,
            handle_scale=scale))
    groups = []
    for g in range(ng):
        served = draw(st.lists(st.sampled_from(names), min_size=1, max_size=nq, unique=True))
        skills = tuple(Skill(q, draw(st.sampled_from([0.0, 0.0, 75.0, 150.0]))) for q in served)
        staffing = draw(st.lists(st.sampled_from([0, 1, 2, 3, 5, 1.5, 2.25]), min_size=horizon,
                                 max_size=horizon))
        shifts = draw(st.none() | st.just((Shift(300.0, 1500.0, 2),)))
        groups.append(Group(f"g{g}", skills, staffing=staffing, shifts=shifts,
                            concurrency=draw(st.integers(1, 3)),
                            concurrency_factor=draw(st.sampled_from([1.0, 1.25]))))
    missing = [q for q in names if all(s.queue != q for grp in groups for s in grp.skills)]
    if missing:
        g0 = groups[0]
        groups[0] = Group(g0.name, g0.skills + tuple(Skill(q) for q in missing),
                          staffing=g0.staffing, shifts=g0.shifts, concurrency=g0.concurrency,
                          concurrency_factor=g0.concurrency_factor)
    return Center(tuple(queues), tuple(groups), interval=interval)


@settings(max_examples=40)
@given(centers(), st.integers(0, 2**32))
def test_random_centers_identical_to_simpy(center, key):
    assert_same(run_fast_multi(center, key), run_simpy(center, key))


# ------------------------------------------------------------ single skill


def test_single_skill_center_equals_run_fast():
    center = Center(
        (_q("voice", [100.0, 160.0, 60.0, 0.0], handle=D.lognormal(240.0, 0.9),
            retrial=Retrial(0.5, EXP(120.0))),
         _q("chat", [40.0, 80.0, 60.0, 20.0], aht=500.0,
            bot=Bot(EXP(60.0), containment=0.2, abandon=0.1, uplift=1.2))),
        (Group("voice", ("voice",), staffing=[14, 20, 3.5, 6]),
         Group("chat", ("chat",), staffing=[5, 8, 2, 4], concurrency=3,
               concurrency_factor=1.3)), interval=1800.0)
    assert center.is_single_skill()
    for key in KEYS:
        got = run_fast_multi(center, key)
        assert_same(got, run_fast(center, key))
        assert len(got[1]["group"]) > 0 and _has(got[0], ABANDONED)


def test_engine_fast_runs_multi_skill_centers():
    center, _ = DESIGNS["overflow"]
    a = simulate(center, replications=3, seed=5, engine="fast")
    b = simulate(center, replications=3, seed=5, engine="simpy")
    c = simulate(center, replications=3, seed=5)
    assert a.engine == "fast" and c.engine == "fast" and b.engine == "simpy"
    np.testing.assert_allclose(a.queue_stats, b.queue_stats, rtol=1e-9, equal_nan=True)
    np.testing.assert_allclose(a.group_stats, b.group_stats, rtol=1e-9, equal_nan=True)
    np.testing.assert_array_equal(c.queue_stats, a.queue_stats)


# ------------------------------------------------------------------ theory

# A run passes when theory lies within Z standard errors of the estimate
# (two-sided 1e-4) and an error of ``delta`` (relative: 15% in the default
# run, 5% in the slow one) would lie outside, so that the check has power.
Z = stats.norm.isf(0.5e-4)


def _kpis(center, keys, warmup=1):
    """Per replication and queue: abandoned, resolved, wait of answered, answered, wait of all.

    Contacts arriving in intervals ``warmup`` .. horizon - 2 (the first is
    the warm-up from an empty center, the last is cut by the end).
    """
    nq = len(center.queues)
    out = np.zeros((len(keys), nq, 5))
    lo, hi = warmup * center.interval, (center.horizon - 1) * center.interval
    for r, key in enumerate(keys):
        rec, _, _ = run_fast_multi(center, int(key))
        keep = (rec["arrival"] >= lo) & (rec["arrival"] < hi)
        served = rec["outcome"] == ANSWERED
        wait = np.where(served, rec["start"], rec["leave"]) - rec["enter"]
        for q in range(nq):
            m = keep & (rec["queue"] == q)
            ans = m & served
            ab = m & (rec["outcome"] == ABANDONED)
            out[r, q] = (ab.sum(), ab.sum() + ans.sum(), wait[ans].sum(), ans.sum(),
                         wait[ans | ab].sum())
    return out


def _ratio(num, den):
    """Ratio of totals over replications and its standard error (delta method)."""
    est = num.sum() / den.sum()
    resid = (num - est * den) / den.mean()
    return est, resid.std(ddof=1) / math.sqrt(num.size)


def _check(num, den, want, delta, what):
    est, se = _ratio(num, den)
    assert abs(est - want) <= Z * se, (what, "theory outside the interval", est, se, want)
    for wrong in (want * (1 - delta), want * (1 + delta)):
        assert abs(est - wrong) > Z * se, (what, "an error of delta would not be detected", est, se)


def _theory_case(replications, horizon, seed, delta):
    """Two queues of 60 Erlangs (M/M/n+M) with a group each, then with one group for both.

    Split, each queue is Erlang A.  Pooled (one group of the summed agents
    serving A before B), the two together are one Erlang A queue with the
    summed arrivals: contacts are alike and agents never idle while one
    waits, so the number waiting, hence the abandonment rate and the mean
    wait of all contacts (Little), are those of one FIFO queue.  The ASA
    (answered contacts only) is not: the priority shifts the long waits to
    B, where more of them end in abandonment, so it is checked split only.
    """
    vol, aht, patience, agents = 600.0, 180.0, 180.0, 60
    qs = (_q("A", [vol] * horizon, aht=aht, patience=patience),
          _q("B", [vol] * horizon, aht=aht, patience=patience))
    split = Center(qs, (Group("gA", ("A",), staffing=[agents] * horizon),
                        Group("gB", ("B",), staffing=[agents] * horizon)))
    pooled = Center(qs, (Group("all", ("A", "B"), staffing=[2 * agents] * horizon),))
    keys = replication_keys(seed, replications)
    for center, n, v in ((split, agents, vol), (pooled, 2 * agents, 2 * vol)):
        th = erlang.metrics(n, v, aht, patience=patience)
        k = _kpis(center, keys)
        if center is pooled:
            k = k.sum(axis=1, keepdims=True)    # one queue: the two together
        for q in range(k.shape[1]):
            _check(k[:, q, 0], k[:, q, 1], float(th.abandon_rate), delta, "abandon_rate")
            _check(k[:, q, 4], k[:, q, 1], float(th.average_wait), delta, "average_wait")
            if center is split:
                _check(k[:, q, 2], k[:, q, 3], float(th.asa), delta, "asa")


def test_theory_one_skill_per_group_and_full_pooling():
    _theory_case(replications=100, horizon=16, seed=2024, delta=0.15)


@pytest.mark.slow
def test_theory_one_skill_per_group_and_full_pooling_within_5_percent():
    _theory_case(replications=400, horizon=48, seed=4242, delta=0.05)


def test_pooling_beats_split_on_common_numbers():
    # Same contacts (common random numbers): one cross-trained group of
    # 2n agents leaves fewer abandoning than two dedicated groups of n.
    qs = (_q("A", [600.0] * 6, aht=180.0, patience=120.0),
          _q("B", [600.0] * 6, aht=180.0, patience=120.0))
    split = Center(qs, (Group("gA", ("A",), staffing=[58] * 6),
                        Group("gB", ("B",), staffing=[58] * 6)))
    pooled = Center(qs, (Group("all", ("A", "B"), staffing=[116] * 6),))
    for key in KEYS:
        a = run_fast_multi(split, key)[0]
        b = run_fast_multi(pooled, key)[0]
        np.testing.assert_array_equal(np.sort(a["arrival"]), np.sort(b["arrival"]))
        assert (b["outcome"] == ABANDONED).sum() < (a["outcome"] == ABANDONED).sum()


# ------------------------------------------------------- capacity retries


def test_runs_again_with_more_room(monkeypatch):
    """More attempts than foreseen, and more pending events than the first heap holds."""
    from ccwfm.simulate import _fast_multi as fm
    calls = []
    kernel = fm.simulate_center

    def counting(*args):
        status = kernel(*args)
        calls.append(int(status))
        return status

    monkeypatch.setattr(fm, "simulate_center", counting)
    # Nobody on duty for two intervals, everyone retries up to 5 times: about
    # 6 attempts per contact where 4 are foreseen.
    storm = Center((_q("A", [30.0, 30.0, 10.0], pat=D.fixed(30.0),
                       retrial=Retrial(1.0, EXP(60.0), max_attempts=5)), _q("B", [5.0] * 3)),
                   (Group("g", ("A", "B"), staffing=[0, 0, 2]),
                    Group("ov", (Skill("B", 10.0), Skill("A", 20.0)), staffing=[0, 0, 1])))
    # A backlog of 2,000 patient contacts, each with a pending abandonment
    # and an eligibility for each of two overflow groups.
    backlog = Center((_q("A", [2000.0, 0.0, 0.0], pat=D.fixed(2500.0)), _q("B", [5.0] * 3)),
                     (Group("g", ("A", "B"), staffing=[0, 0, 4]),
                      Group("o1", (Skill("A", 1000.0),), staffing=[0, 1, 1]),
                      Group("o2", (Skill("A", 1500.0),), staffing=[0, 0, 1])))
    for center, code in ((storm, -fm.FAIL_RECORDS), (backlog, -fm.FAIL_HEAP)):
        calls.clear()
        got = run_fast_multi(center, 7)
        assert code in calls and calls[-1] >= 0
        assert_same(got, run_simpy(center, 7))
