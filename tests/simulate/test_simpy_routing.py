"""Multi-skill behaviour of the SimPy engine, which the fast path cannot simulate.

Every check compares the engine with itself under a controlled change
(common random numbers), with the fast path, or with invariants computed
from the records independently of the engine's bookkeeping.
"""

import numpy as np
import pytest

from ccwfm.simulate._common import first_attempts
from ccwfm.simulate._engine_fast import run_fast
from ccwfm.simulate._engine_simpy import run_simpy
from ccwfm.simulate._fast import (ABANDONED, ABANDONED_BOT, ANSWERED, CONTAINED, IN_BOT, IN_QUEUE,
                            OUTCOMES)
from ccwfm.simulate.distributions import Distribution as D
from ccwfm.simulate.model import Bot, Center, Group, Queue, Retrial, Shift, Skill

KEYS = (3, 17, 101, 4242)
EXP = D.exponential


# ---------------------------------------------------------------- helpers


def _skill_after(center):
    """``{(group, queue): after}`` for every skill of the center."""
    names = [q.name for q in center.queues]
    return {(g, names.index(s.queue)): s.after
            for g, grp in enumerate(center.groups) for s in grp.skills}


def _left_queue(records, end):
    """When each entered attempt stopped waiting: service start, abandonment or the end."""
    out = np.where(records["outcome"] == ANSWERED, records["start"], records["leave"])
    return np.where(records["outcome"] == IN_QUEUE, end, out)


def _waits(records, q, end):
    """Waits of the attempts of queue ``q`` that entered its queue."""
    m = (records["queue"] == q) & np.isfinite(records["enter"])
    return (_left_queue(records, end) - records["enter"])[m]


def _duty_slots(center, g, t):
    """Slots of group ``g`` on duty at times ``t`` (a change at T applies from T)."""
    grp = center.groups[g]
    times, deltas = grp.duty_changes(center.interval, center.horizon)
    level = np.concatenate([[0], np.cumsum(deltas)])
    return level[np.searchsorted(times, t, side="right")] * grp.concurrency


def _sample_times(center, n=600, seed=0):
    # Random instants: with probability one no event happens exactly then.
    return np.sort(np.random.default_rng(seed).uniform(0.0, center.end, n))


def _max_queue_from_records(records, center):
    """Largest number waiting per queue and interval, recomputed from the records."""
    end, width = center.end, center.interval
    out = np.zeros((len(center.queues), center.horizon))
    left = _left_queue(records, end)
    for q in range(len(center.queues)):
        m = (records["queue"] == q) & np.isfinite(records["enter"])
        enter, leave = records["enter"][m], left[m]
        waited = leave > enter
        enter, leave = np.sort(enter[waited]), np.sort(leave[waited])
        # Just after each entry: those entered so far minus those gone by then.
        after_entry = (np.arange(1, enter.size + 1)
                       - np.searchsorted(leave, enter, side="right"))
        idx = np.minimum((enter / width).astype(int), center.horizon - 1)
        np.maximum.at(out[q], idx, after_entry)
        # At each interval start (those leaving exactly then not counted).
        bounds = np.arange(center.horizon) * width
        at_start = (np.searchsorted(enter, bounds, side="left")
                    - np.searchsorted(leave, bounds, side="right"))
        out[q] = np.maximum(out[q], at_start)
    return out


def _in_service(records, g, t):
    """Contacts group ``g`` is serving at each time of ``t``."""
    m = (records["outcome"] == ANSWERED) & (records["group"] == g)
    s, e = records["start"][m], records["leave"][m]
    return ((s[:, None] <= t[None, :]) & (t[None, :] < e[:, None])).sum(axis=0)


def _overtime_active(overtime, g, t):
    m = overtime["group"] == g
    s, e = overtime["start"][m], overtime["end"][m]
    return ((s[:, None] <= t[None, :]) & (t[None, :] < e[:, None])).sum(axis=0)


# ---------------------------------------------------------------- centers


def _overflow_center(overflow=True, after=30.0):
    """Sales short of agents; the service team (spare capacity) helps after ``after`` s."""
    queues = (Queue("sales", (200.0, 220.0, 200.0), EXP(240.0), patience=EXP(90.0)),
              Queue("service", (90.0, 100.0, 90.0), EXP(300.0), patience=EXP(180.0)))
    service_skills = (Skill("service"),) + ((Skill("sales", after),) if overflow else ())
    groups = (Group("sales_team", (Skill("sales"),), staffing=(22, 24, 22)),
              Group("service_team", service_skills, staffing=(22, 24, 22)))
    return Center(queues, groups)


def _priority_center(order=("a", "b")):
    """One group serving two loaded queues, looking at them in ``order``."""
    queues = (Queue("a", (120.0, 140.0, 120.0), EXP(200.0), patience=EXP(150.0)),
              Queue("b", (120.0, 140.0, 120.0), EXP(200.0), patience=EXP(150.0)))
    groups = (Group("both", tuple(Skill(n) for n in order), staffing=(26, 29, 26)),)
    return Center(queues, groups)


def _rich_center():
    """Three channels, a bot with retrials, chat concurrency, overflow, shifts, staffing drops."""
    bot = Bot(D.lognormal(40.0, 0.7), containment=0.25, abandon=0.08, uplift=1.2)
    queues = (
        Queue("voice", (150.0, 210.0, 120.0, 160.0), EXP(240.0), patience=EXP(100.0), bot=bot,
              retrial=Retrial(0.6, EXP(180.0), 3)),
        Queue("chat", (120.0, 180.0, 100.0, 140.0), D.lognormal(420.0, 0.6),
              patience=D.weibull(300.0, 0.8)),
        Queue("email", (40.0, 60.0, 50.0, 30.0), D.weibull(600.0, 1.5)))
    groups = (
        Group("generalists", (Skill("voice"), Skill("chat", 20.0)), staffing=(12, 16, 0, 14)),
        Group("chat_team", (Skill("chat"), Skill("voice", 60.0)), staffing=(6, 8, 5, 7),
              concurrency=3, concurrency_factor=1.4),
        Group("back_office", (Skill("email"), Skill("voice", 120.0), Skill("chat", 90.0)),
              shifts=(Shift(0.0, 3600.0, 8), Shift(1800.0, 7200.0, 6),
                      Shift(2950.5, 5100.0, 5))),
    )
    return Center(queues, groups)


RICH = _rich_center()


# ------------------------------------------------------------------ tests


def test_multi_skill_centers_are_not_single_skill():
    for c in (_overflow_center(), _priority_center(), RICH):
        assert not c.is_single_skill()


@pytest.mark.parametrize("key", KEYS)
def test_overflow_lowers_waits_and_abandonment(key):
    end = _overflow_center().end
    base, _, _ = run_simpy(_overflow_center(overflow=False), key)
    over, _, _ = run_simpy(_overflow_center(overflow=True), key)
    # Common random numbers: the same sales contacts in both runs.
    sales = base["queue"] == 0
    np.testing.assert_array_equal(base["arrival"][sales & (base["attempt"] == 0)],
                                  over["arrival"][(over["queue"] == 0) & (over["attempt"] == 0)])

    def abandon_rate(r):
        m = r["queue"] == 0
        return np.mean(r["outcome"][m] == ABANDONED)

    assert _waits(over, 0, end).mean() < 0.8 * _waits(base, 0, end).mean()
    assert abandon_rate(over) < 0.8 * abandon_rate(base)
    # The service team took sales contacts, only after 30 s of waiting.
    helped = (over["queue"] == 0) & (over["group"] == 1)
    assert helped.sum() > 20
    assert np.all(over["start"][helped] >= over["enter"][helped] + 30.0)


@pytest.mark.parametrize("key", KEYS)
def test_skill_priority_order_is_respected(key):
    center = _priority_center(("a", "b"))
    r, _, _ = run_simpy(center, key)
    left = _left_queue(r, center.end)
    a = np.isfinite(r["enter"]) & (r["queue"] == 0)
    a_enter, a_left = r["enter"][a], left[a]
    b_started = (r["queue"] == 1) & (r["outcome"] == ANSWERED)
    b_waited = b_started & (r["start"] > r["enter"])
    # Each b contact taken after waiting: no a contact was waiting at that moment.
    for s in r["start"][b_waited]:
        assert not np.any((a_enter < s) & (s < a_left)), f"b served at {s} while a waited"
    # The check has teeth: a contacts were often taken while b contacts waited.
    b = np.isfinite(r["enter"]) & (r["queue"] == 1)
    b_enter, b_left = r["enter"][b], left[b]
    a_taken = r["start"][(r["queue"] == 0) & (r["outcome"] == ANSWERED)
                         & (r["start"] > r["enter"])]
    contested = sum(np.any((b_enter < s) & (s < b_left)) for s in a_taken)
    assert contested > 20
    # And swapping the order swaps who waits (same contacts).
    swapped, _, _ = run_simpy(_priority_center(("b", "a")), key)
    assert _waits(r, 0, center.end).mean() < _waits(swapped, 0, center.end).mean()
    assert _waits(r, 1, center.end).mean() > _waits(swapped, 1, center.end).mean()


@pytest.mark.parametrize("key", KEYS[:2])
def test_pooled_dedicated_groups_equal_one_group(key):
    # Two groups with the same skill (after 0) and constant staffing are one
    # pool: the same records as the fast path on the merged group, but for
    # the group column.
    vol, aht, pat = [160.0] * 3, 240.0, 100.0
    queue = Queue("voice", tuple(vol), EXP(aht), patience=EXP(pat))
    split = Center((queue,), (Group("a", ("voice",), staffing=(9,) * 3),
                              Group("b", ("voice",), staffing=(13,) * 3)))
    merged = Center.single_queue(vol, aht=aht, agents=22, patience=pat)
    rs, _, ms = run_simpy(split, key)
    rf, _, mf = run_fast(merged, key)
    order_s = np.lexsort((rs["attempt"], rs["contact"]))
    order_f = np.lexsort((rf["attempt"], rf["contact"]))
    for k in ("contact", "attempt", "outcome"):
        np.testing.assert_array_equal(rs[k][order_s], rf[k][order_f])
    for k in ("arrival", "enter", "start", "leave"):
        np.testing.assert_allclose(rs[k][order_s], rf[k][order_f], rtol=1e-9, atol=0.0)
    np.testing.assert_array_equal(ms, mf)
    served = rs["outcome"] == ANSWERED
    assert set(np.unique(rs["group"][served])) == {0, 1}
    np.testing.assert_array_equal(rs["group"] == -1, ~served)
    # On entry an idle group-a agent is preferred (group order): group b
    # takes a contact at once only when all 9 group-a agents are busy.
    a = served & (rs["group"] == 0)
    a_start, a_leave = rs["start"][a], rs["leave"][a]
    at_once_b = served & (rs["group"] == 1) & (rs["start"] == rs["enter"])
    assert at_once_b.sum() > 10
    for t in rs["start"][at_once_b]:
        assert np.sum((a_start < t) & (t < a_leave)) == 9


@pytest.mark.parametrize("key", KEYS[:3])
def test_records_are_consistent(key):
    center = RICH
    r, _, mq = run_simpy(center, key)
    end = center.end
    # Exactly one outcome per attempt; offered = sum of the outcomes, per queue.
    assert np.all((r["outcome"] >= 0) & (r["outcome"] < len(OUTCOMES)))
    for q in range(len(center.queues)):
        m = r["queue"] == q
        counts = np.bincount(r["outcome"][m], minlength=len(OUTCOMES))
        assert counts.sum() == m.sum()
        # First attempts are the drawn arrivals.
        first = first_attempts(center, q, key)["arrival"]
        a0 = m & (r["attempt"] == 0)
        np.testing.assert_array_equal(np.sort(r["arrival"][a0]), first)
        np.testing.assert_array_equal(np.sort(r["contact"][a0]), np.arange(first.size))
    # One row per (queue, contact, attempt); attempts numbered 0, 1, ...; a
    # retrial follows an abandonment, after it.
    order = np.lexsort((r["attempt"], r["contact"], r["queue"]))
    s = {k: v[order] for k, v in r.items()}
    same = (s["queue"][1:] == s["queue"][:-1]) & (s["contact"][1:] == s["contact"][:-1])
    np.testing.assert_array_equal(s["attempt"][1:][same], s["attempt"][:-1][same] + 1)
    np.testing.assert_array_equal(s["attempt"][1:][~same], 0)
    assert np.all(np.isin(s["outcome"][:-1][same], (ABANDONED, ABANDONED_BOT)))
    assert np.all(s["arrival"][1:][same] > s["leave"][:-1][same])
    assert np.any(same), "no retrials: the check is empty"
    # Fields by outcome.
    o, nan = r["outcome"], np.isnan
    ans = o == ANSWERED
    assert np.all(r["start"][ans] >= r["enter"][ans])
    assert np.all(r["leave"][ans] > r["start"][ans])
    assert np.all(r["start"][ans] < end)
    assert np.all(r["group"][ans] >= 0)
    assert np.all(r["group"][~ans] == -1) and np.all(nan(r["start"][~ans]))
    ab = o == ABANDONED
    assert np.all(r["leave"][ab] >= r["enter"][ab]) and np.all(r["leave"][ab] < end)
    iq = o == IN_QUEUE
    assert np.all(np.isfinite(r["enter"][iq])) and np.all(nan(r["leave"][iq]))
    bot_done = np.isin(o, (CONTAINED, ABANDONED_BOT))
    assert np.all(nan(r["enter"][bot_done]))
    assert np.all(r["leave"][bot_done] >= r["arrival"][bot_done])
    assert np.all(nan(r["enter"][o == IN_BOT]) & nan(r["leave"][o == IN_BOT]))
    assert np.all(np.isin(r["queue"][bot_done | (o == IN_BOT)], [0]))   # only voice has a bot
    entered = np.isfinite(r["enter"])
    assert np.all(r["enter"][entered] >= r["arrival"][entered])
    assert np.all(r["enter"][entered] < end)
    # Handle times are the drawn ones, stretched by the serving group, never cut.
    for q, queue in enumerate(center.queues):
        h = first_attempts(center, q, key)["handle"]
        m = ans & (r["queue"] == q) & (r["attempt"] == 0)
        cf = np.array([g.concurrency_factor for g in center.groups])[r["group"][m]]
        uplift = queue.bot.uplift if queue.bot else 1.0
        np.testing.assert_allclose(r["leave"][m] - r["start"][m],
                                   h[r["contact"][m]] * cf * uplift, rtol=1e-9)
    # Each queue is first come, first served.
    for q in range(len(center.queues)):
        m = ans & (r["queue"] == q)
        st = r["start"][m][np.argsort(r["enter"][m], kind="stable")]
        assert np.all(np.diff(st) >= 0)
    # The queue-length maxima agree with a sweep over the records.
    np.testing.assert_array_equal(mq, _max_queue_from_records(r, center))
    assert mq.max() > 5
    assert all(np.isin(o, k).any() for k in range(len(OUTCOMES))), "an outcome never occurs"


@pytest.mark.parametrize("key", KEYS[:3])
def test_skills_and_overflow_thresholds_are_respected(key):
    for center in (RICH, _overflow_center(after=45.0)):
        r, _, _ = run_simpy(center, key)
        after = _skill_after(center)
        ans = np.flatnonzero(r["outcome"] == ANSWERED)
        for i in ans:
            g, q = int(r["group"][i]), int(r["queue"][i])
            assert (g, q) in after, f"group {g} served queue {q} without the skill"
            assert r["enter"][i] + after[(g, q)] <= r["start"][i]
        # Overflow really happened (the check is not empty).
        over = [i for i in ans if after[(int(r["group"][i]), int(r["queue"][i]))] > 0]
        assert len(over) > 10


@pytest.mark.parametrize("key", KEYS[:3])
def test_agents_never_exceed_duty_nor_idle_while_eligible_work_waits(key):
    center = RICH
    r, ot, _ = run_simpy(center, key)
    t = _sample_times(center, seed=key)
    left = _left_queue(r, center.end)
    after = _skill_after(center)
    for g, grp in enumerate(center.groups):
        duty = _duty_slots(center, g, t)
        on_duty_busy = _in_service(r, g, t) - _overtime_active(ot, g, t)
        assert np.all(on_duty_busy <= duty)
        assert np.all(on_duty_busy >= 0)
        # Whenever a contact this group may take (waited >= after) waits, all
        # its on-duty slots are busy.
        eligible_waiting = np.zeros(t.size, dtype=bool)
        for (gg, q), a in after.items():
            if gg != g:
                continue
            m = (r["queue"] == q) & np.isfinite(r["enter"])
            e, lv = r["enter"][m], left[m]
            eligible_waiting |= ((e[:, None] + a <= t[None, :]) & (t[None, :] < lv[:, None])).any(0)
        assert eligible_waiting.any()
        np.testing.assert_array_equal(on_duty_busy[eligible_waiting], duty[eligible_waiting])


@pytest.mark.parametrize("key", KEYS[:3])
def test_shift_end_mid_contact_is_worked_to_the_end(key):
    center = RICH
    r, ot, _ = run_simpy(center, key)
    n_segments = 0
    for g, grp in enumerate(center.groups):
        times, deltas = grp.duty_changes(center.interval, center.horizon)
        level = np.cumsum(deltas) * grp.concurrency
        mine = (r["outcome"] == ANSWERED) & (r["group"] == g)
        s, e = r["start"][mine], r["leave"][mine]
        og = ot["group"] == g
        for k, (tc, d) in enumerate(zip(times, deltas)):
            got = np.sort(ot["end"][og & (ot["start"] == tc)])
            if d >= 0:
                assert got.size == 0
                continue
            before = level[k - 1] if k > 0 else 0
            busy = np.sort(e[(s < tc) & (e > tc)])
            # Slots already retiring (from earlier drops) are not on duty.
            retiring = np.sort(ot["end"][og & (ot["start"] < tc) & (ot["end"] > tc)])
            on_duty = list(busy)
            for x in retiring:
                on_duty.remove(x)
            idle = before - len(on_duty)
            assert idle >= 0
            n_ot = max(0, -d * grp.concurrency - idle)
            # The agents finishing first go off duty; they finish their contact.
            np.testing.assert_allclose(got, np.sort(on_duty)[:n_ot], rtol=0, atol=0)
            n_segments += got.size
        # Every overtime segment ends with a contact of the group.
        for a, b in zip(ot["start"][og], ot["end"][og]):
            assert np.any((s < a) & (e == b))
    assert n_segments > 0
    back_office_drop = (ot["group"] == 2) & np.isin(ot["start"], (3600.0, 5100.0))
    assert back_office_drop.any()
