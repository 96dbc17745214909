"""The SimPy engine and the Numba fast path give the same records on single-skill centers.

Both engines draw the same contacts (bulk first attempts, counter-based
draws for retrials), so on a center where every queue has its own group
their per-attempt records, overtime and queue-length maxima must be equal,
row for row.  Each center comes with a check that it really exercises the
feature it is named after, so that agreement is not vacuous.
"""

import numpy as np
import pytest

from ccwfm.simulate._engine_fast import run_fast
from ccwfm.simulate._engine_simpy import run_simpy
from ccwfm.simulate._fast import (ABANDONED, ABANDONED_BOT, ANSWERED, CONTAINED, IN_BOT, IN_QUEUE)
from ccwfm.simulate.distributions import Distribution as D
from ccwfm.simulate.model import Bot, Center, Group, Queue, Retrial, Shift, Skill

from tests.simulate._records import assert_same

KEYS = (1, 29, 2024)


def _single(volume, handle, staffing, **kw):
    return Center.single_queue(volume, aht=None, handle=handle, agents=staffing, **kw)


def _has(outcome):
    return lambda r, ot: bool((r["outcome"] == outcome).any())


def _centers():
    """``name -> (center, check)``; ``check(records, overtime)`` proves the feature is hit."""
    exp = D.exponential
    bot = Bot(D.lognormal(45.0, 0.8), containment=0.3, abandon=0.1, uplift=1.25)
    out = {}
    out["mmn_stationary"] = (
        Center.single_queue([150.0] * 4, aht=240, agents=21, patience=90),
        lambda r, ot: _has(ABANDONED)(r, ot) and _has(ANSWERED)(r, ot))
    out["time_varying"] = (
        # 0 agents in interval 2 (and back); 12 -> 4 agents while busy.
        _single([40.0, 120.0, 200.0, 60.0, 150.0, 90.0], exp(240.0),
                 [5, 14, 0, 12, 4, 9], patience=exp(150.0)),
        lambda r, ot: ot["start"].size > 0 and bool((ot["start"] == 3600.0).any()))
    out["backlog_quiet_interval"] = (
        # No arrivals in interval 1: its queue maximum is the backlog at its start.
        Center.single_queue([220.0, 0.0, 60.0], aht=240, agents=[6, 10, 8], patience=900),
        lambda r, ot: bool(((r["enter"] < 1800.0) & (r["start"] > 1800.0)).any()))
    out["unstaffed_no_patience"] = (
        # Nobody on duty: everyone still waits at the end, in every interval.
        Center.single_queue([50.0, 0.0, 0.0], aht=240, agents=0),
        lambda r, ot: bool((r["outcome"] == IN_QUEUE).all()))
    # Contacts still in the bot at the end: 110 / 1800 s x 240 s = 14.7 expected
    # (with a 45 s bot, 2.75: none for 6% of the keys, the check then fails).
    long_bot = Bot(D.lognormal(240.0, 0.8), containment=0.3, abandon=0.1, uplift=1.25)
    out["bot"] = (
        _single([90.0, 130.0, 110.0], exp(200.0), [9, 11, 10], patience=exp(100.0),
                bot=long_bot),
        lambda r, ot: all(_has(o)(r, ot) for o in (CONTAINED, ABANDONED_BOT, ANSWERED,
                                                    IN_BOT, ABANDONED)))
    out["retrials_no_bot"] = (
        _single([120.0, 160.0, 100.0], exp(240.0), [14, 16, 12], patience=exp(60.0),
                retrial=Retrial(0.7, exp(120.0), 3)),
        lambda r, ot: int(r["attempt"].max()) >= 2)
    out["retrials_bot"] = (
        _single([120.0, 160.0, 100.0], exp(240.0), [13, 15, 12], patience=exp(60.0),
                bot=Bot(D.weibull(40.0, 1.5), containment=0.2, abandon=0.25, uplift=1.1),
                retrial=Retrial(0.6, D.lognormal(200.0, 0.5), 4)),
        lambda r, ot: bool(((r["attempt"] > 0) & (r["outcome"] == ABANDONED_BOT)).any())
        and bool(((r["attempt"] > 0) & (r["outcome"] == ANSWERED)).any()))
    out["chat_concurrency"] = (
        _single([200.0, 260.0, 180.0], D.lognormal(400.0, 0.7), [12, 14, 7],
                patience=exp(300.0), concurrency=3, concurrency_factor=1.4),
        lambda r, ot: ot["start"].size > 0)
    out["lognormal_weibull"] = (
        _single([150.0, 150.0, 150.0], D.lognormal(240.0, 1.2), [21, 19, 20],
                patience=D.weibull(120.0, 0.7),
                retrial=Retrial(0.5, D.weibull(300.0, 2.0), 2)),
        _has(ABANDONED))
    out["empirical_fixed"] = (
        _single([140.0, 170.0, 120.0], D.empirical([30, 60, 60, 90, 180, 300, 600]),
                [11, 13, 9], patience=D.empirical([0, 20, 45, 90, 240]),
                bot=Bot(D.fixed(25.0), containment=0.15, abandon=0.05),
                retrial=Retrial(0.5, D.fixed(90.0), 2)),
        _has(ABANDONED))
    out["simultaneous_events"] = (
        # A backlog served from 600 s by fixed 60 s contacts: services end
        # exactly at the staffing changes (multiples of 600 s).
        Center.single_queue([60.0, 40.0, 60.0, 40.0], aht=None, handle=D.fixed(60.0),
                            agents=[0, 3, 1, 4], interval=600.0),
        lambda r, ot: bool(np.isin(r["leave"], [1200.0, 1800.0]).any())
        and bool((r["start"] == 1800.0).any()))
    out["shifts"] = (
        Center((Queue("voice", (100.0, 140.0, 120.0, 90.0), exp(240.0), patience=exp(120.0)),),
               (Group("agents", (Skill("voice"),),
                      shifts=(Shift(0.0, 3600.0, 6), Shift(1800.0, 7200.0, 5),
                              Shift(2700.5, 5000.0, 4), Shift(4000.0, 7200.0, 3))),)),
        lambda r, ot: bool(np.isin(ot["start"], [3600.0, 5000.0]).all()) and ot["start"].size > 0)
    out["no_patience"] = (
        _single([100.0, 160.0, 90.0], exp(300.0), [16, 22, 12]),
        lambda r, ot: _has(IN_QUEUE)(r, ot) or bool((r["start"] > r["enter"]).any()))
    out["two_queues"] = (
        Center((Queue("voice", (120.0, 150.0, 90.0), exp(240.0), patience=exp(90.0), bot=bot),
                Queue("chat", (150.0, 200.0, 120.0), D.lognormal(500.0, 0.6),
                      patience=exp(400.0), retrial=Retrial(0.4, exp(200.0), 2))),
               (Group("chat_agents", ("chat",), staffing=(8, 11, 6), concurrency=3,
                      concurrency_factor=1.4),
                Group("voice_agents", ("voice",), staffing=(13, 15, 11)))),
        lambda r, ot: set(np.unique(r["group"][r["outcome"] == ANSWERED])) == {0, 1})
    return out


CENTERS = _centers()


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("name", sorted(CENTERS))
def test_simpy_matches_fast_path(name, key):
    center, exercised = CENTERS[name]
    assert center.is_single_skill()
    fast = run_fast(center, key)
    assert exercised(fast[0], fast[1]), f"{name} does not exercise its feature for key {key}"
    assert_same(fast, run_simpy(center, key))


def test_keys_give_different_days():
    # Guard against an engine ignoring the key (agreement would then be trivial).
    center = CENTERS["mmn_stationary"][0]
    a, _, _ = run_simpy(center, 1)
    b, _, _ = run_simpy(center, 2)
    assert a["arrival"].shape != b["arrival"].shape or not np.allclose(
        np.sort(a["arrival"]), np.sort(b["arrival"]))


# ------------------------------------------------------- fast-path overtime bug

# Inputs of the fast-path bug: staffing falls from 10 agents to 0 at 1800 s
# while contacts are in service, and no contact enters after the drop.
_TAIL_DROP = Center.single_queue([30.0, 0.0], aht=300, agents=[10, 0], patience=120)


def _overtime_from_records(records, change_time):
    """Ends of the services in progress at a drop to zero agents at ``change_time``."""
    busy = (records["start"] < change_time) & (records["leave"] > change_time)
    return np.sort(records["leave"][busy])


def test_simpy_overtime_when_staffing_drops_after_the_last_entry():
    records, overtime, _ = run_simpy(_TAIL_DROP, 1)
    expected = _overtime_from_records(records, 1800.0)
    assert expected.size > 0
    np.testing.assert_array_equal(overtime["start"], np.full(expected.size, 1800.0))
    np.testing.assert_array_equal(np.sort(overtime["end"]), expected)


def test_fast_path_overtime_when_staffing_drops_after_the_last_entry():
    records, overtime, _ = run_fast(_TAIL_DROP, 1)
    expected = _overtime_from_records(records, 1800.0)
    assert expected.size > 0
    np.testing.assert_array_equal(np.sort(overtime["end"]), expected)
