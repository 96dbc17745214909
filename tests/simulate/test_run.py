"""simulate(): seeds, common random numbers, conservation, bot, retrials, records.

Statistical checks bound an estimate by ``Z = 4.5`` standard errors computed
from the sample itself (a chance failure once in 150,000 runs per check), so
that they hold for every seed, and reject an error a few standard errors
wide; each takes its seed as a parameter and was run on 20 other seeds
(report of issue 10).
"""

import numpy as np
import pandas as pd
import pytest

from ccwfm.simulate import Bot, Center, Distribution, Group, Queue, Retrial, simulate
from ccwfm.simulate.stats import QUEUE_METRICS

DAY = [40.0, 80.0, 160.0, 240.0, 200.0, 120.0, 180.0, 220.0, 140.0, 60.0]
Z = 4.5


def _within(estimate, want, se):
    """``|estimate - want| <= Z * se``, with the numbers in the message."""
    assert abs(estimate - want) <= Z * se, (estimate, want, se, (estimate - want) / se)


def _day_center(agents, **kw):
    return Center.single_queue(DAY, aht=240, agents=agents, patience=150, **kw)


def test_same_seed_same_numbers_other_seed_other_numbers():
    c = _day_center([4, 6, 10, 14, 12, 8, 11, 13, 9, 5])
    a = simulate(c, replications=3, seed=11)
    b = simulate(c, replications=3, seed=11)
    d = simulate(c, replications=3, seed=12)
    np.testing.assert_array_equal(a.queue_stats, b.queue_stats)
    assert not np.array_equal(a.queue_stats, d.queue_stats)
    g = simulate(c, replications=3, seed=np.random.default_rng(5))
    h = simulate(c, replications=3, seed=np.random.default_rng(5))
    np.testing.assert_array_equal(g.queue_stats, h.queue_stats)


def test_one_more_agent_never_raises_the_average_wait_with_common_random_numbers():
    # No abandonment (with reneging a contact served thanks to the extra agent
    # can delay later ones) and two empty intervals at the end so that every
    # contact is answered: then first-come-first-served waits are monotone in
    # the number of servers, contact by contact.
    staffing = np.array([6, 11, 22, 33, 27, 17, 25, 30, 19, 9, 10, 10])
    volume = DAY + [0.0, 0.0]

    def run(agents):
        c = Center.single_queue(volume, aht=240, agents=agents)
        return simulate(c, replications=6, seed=3, records=True)

    base = run(staffing)
    i = QUEUE_METRICS.index("average_wait")
    for interval in range(len(DAY)):
        more = staffing.copy()
        more[interval] += 1
        res = run(more)
        assert (res.queue_stats[:, 0, -1, i] <= base.queue_stats[:, 0, -1, i] + 1e-9).all()
        a = base.records.sort_values(["replication", "contact"])
        b = res.records.sort_values(["replication", "contact"])
        assert (a["outcome"] == "answered").all() and (b["outcome"] == "answered").all()
        np.testing.assert_array_equal(a["arrival"].to_numpy(), b["arrival"].to_numpy())
        assert (b["wait"].to_numpy() <= a["wait"].to_numpy() + 1e-9).all()
        assert (b["wait"].to_numpy() < a["wait"].to_numpy() - 1e-9).any()


def _bot_retrial_center():
    bot = Bot(Distribution.lognormal(60.0, 0.5), containment=0.3, abandon=0.1, uplift=1.25)
    retrial = Retrial(0.6, Distribution.exponential(300.0), max_attempts=3)
    return Center.single_queue(DAY, aht=240, agents=[3, 5, 8, 11, 9, 6, 8, 10, 7, 4],
                               patience=Distribution.weibull(120.0, 0.8), bot=bot,
                               retrial=retrial)


def test_conservation_per_queue_and_interval():
    res = simulate(_bot_retrial_center(), replications=5, seed=9)
    idx = {m: k for k, m in enumerate(QUEUE_METRICS)}
    q = res.queue_stats[:, 0, :, :]
    offered = q[..., idx["offered"]]
    parts = sum(q[..., idx[m]] for m in ("contained", "abandoned_bot", "answered",
                                           "abandoned", "in_system"))
    np.testing.assert_array_equal(offered, parts)
    entered = q[..., idx["entered"]]
    np.testing.assert_array_equal(entered, q[..., idx["answered"]] + q[..., idx["abandoned"]]
                                  + _in_queue(res))
    assert (q[..., idx["retrials"]].sum() > 0)


def _in_queue(res):
    rec = res.records
    if rec is None:
        res2 = simulate(res.center, replications=res.replications, seed=9, records=True)
        rec = res2.records
    horizon = res.center.horizon
    out = np.zeros((res.replications, horizon + 1))
    sel = rec[rec["outcome"] == "in_queue"]
    for (r, i), n in sel.groupby(["replication", (sel["arrival"] // res.center.interval)
                                  .astype(int)]).size().items():
        out[r, i] += n
        out[r, horizon] += n
    return out


@pytest.mark.parametrize("seed", [4])
def test_bot_shares_and_uplift(seed):
    bot = Bot(Distribution.exponential(45.0), containment=0.4, abandon=0.1, uplift=1.5)
    c = Center.single_queue([600.0] * 24, aht=200, agents=60, patience=300.0, bot=bot)
    res = simulate(c, replications=10, seed=seed, records=True)
    # Arrivals of the last 450 s (10 mean bot times) are left out: a bot time
    # still running at the end is cut, which would bias the shares and times.
    rec = res.records[res.records["arrival"] < c.end - 450.0]
    n = len(rec)
    for outcome, p in (("contained", 0.4), ("abandoned_bot", 0.1)):
        share = (rec["outcome"] == outcome).sum() / n
        _within(share, p, np.sqrt(p * (1 - p) / n))
    # Exponential handle times (sd = mean) stretched by the uplift.
    served = rec[rec["outcome"] == "answered"]
    hold = (served["leave"] - served["start"]).to_numpy()
    _within(hold.mean(), 200 * 1.5, 200 * 1.5 / np.sqrt(hold.size))
    # Entry to the queue = arrival + time in the bot (exponential, mean 45 s).
    entered = rec[rec["enter"].notna()]
    delay = (entered["enter"] - entered["arrival"]).to_numpy()
    _within(delay.mean(), 45.0, 45.0 / np.sqrt(delay.size))


@pytest.mark.parametrize("seed", [2])
def test_retrials_follow_abandonment(seed):
    res = simulate(_bot_retrial_center(), replications=6, seed=seed, records=True)
    rec = res.records
    later = rec[rec["attempt"] > 0]
    assert len(later) > 0
    # Every retrial follows an abandonment of the previous attempt of that contact.
    prev = rec.set_index(["replication", "contact", "attempt"])
    keys = list(zip(later["replication"], later["contact"], later["attempt"] - 1))
    before = prev.loc[keys]
    assert before["outcome"].isin(["abandoned", "abandoned_bot"]).all()
    assert (later["arrival"].to_numpy() > before["leave"].to_numpy()).all()
    assert later["attempt"].max() <= 3
    # 60% of abandonments with attempts left come back: those at least 10
    # mean delays (3000 s) before the end, whose retrial is not cut by it.
    end = res.center.end
    ab = rec[rec["outcome"].isin(["abandoned", "abandoned_bot"]) & (rec["attempt"] < 3)
             & (rec["leave"] < end - 3000.0)]
    back = set(zip(later["replication"], later["contact"], later["attempt"] - 1))
    came_back = np.array([k in back for k in zip(ab["replication"], ab["contact"],
                                                    ab["attempt"])])
    assert came_back.size > 500
    _within(came_back.mean(), 0.6, np.sqrt(0.24 / came_back.size))


@pytest.mark.parametrize("seed", [1])
def test_overdispersion_widens_daily_totals(seed):
    base = dict(aht=180, agents=200, patience=120.0, interval=3600.0)
    vol = [400.0] * 24 * 5
    plain = simulate(Center.single_queue(vol, **base), replications=30, seed=seed)
    over = simulate(Center.single_queue(vol, overdispersion=0.2, **base), replications=30,
                    seed=seed)
    i = QUEUE_METRICS.index("offered")

    def daily_cv(res):
        per_day = res.queue_stats[:, 0, :-1, i].reshape(30, 5, 24).sum(axis=2)
        return per_day.std() / per_day.mean()

    # 150 days: the sample cv is within a factor 0.75 to 1.27 of the true one
    # (the 1e-4 and 1 - 1e-4 quantiles of sqrt(chi2(149) / 149), slightly
    # widened for the Gamma factor's skew).  Poisson: 1 / sqrt(9600) = 0.0102;
    # with the Gamma factor (cv 0.2): sqrt(0.2 ** 2 + 1 / 9600) = 0.2003.
    assert 0.0102 * 0.75 < daily_cv(plain) < 0.0102 * 1.27
    assert 0.2003 * 0.75 < daily_cv(over) < 0.2003 * 1.27


def test_records_frame_and_tables():
    c = _day_center(8)
    res = simulate(c, replications=2, seed=5, records=True)
    rec = res.records
    assert set(rec.columns) >= {"replication", "queue", "contact", "attempt", "arrival",
                                "outcome", "enter", "start", "leave", "wait", "group"}
    answered = rec[rec["outcome"] == "answered"]
    assert (answered["wait"] >= 0).all() and (answered["group"] == "agents").all()
    table = res.intervals
    assert list(table.columns[:3]) == ["queue", "interval", "start"]
    assert len(table) == len(DAY)
    ci = res.intervals_ci
    assert {"mean", "half_width", "low", "high"} <= set(ci.columns)
    assert isinstance(res.summary, pd.DataFrame) and isinstance(res.groups, pd.DataFrame)


def test_engine_choice():
    c = _day_center(8)
    assert simulate(c, replications=1, engine="auto").engine == "fast"
    q = Queue("chat", DAY, Distribution.exponential(300.0))
    multi = Center(c.queues + (q,),
                   (Group("agents", ("voice", "chat"), staffing=[8] * len(DAY)),))
    # A multi-skill center runs on the fast path too, with the SimPy engine's records.
    fast = simulate(multi, replications=2, engine="fast", records=True, seed=4)
    slow = simulate(multi, replications=2, engine="simpy", records=True, seed=4)
    assert fast.engine == "fast" and slow.engine == "simpy"
    pd.testing.assert_frame_equal(fast.records, slow.records)
    with pytest.raises(ValueError, match="'engine' must be one of"):
        simulate(c, engine="turbo")
    with pytest.raises(ValueError, match="'replications' must be a whole number >= 1: 0"):
        simulate(c, replications=0)


def test_one_replication_has_an_infinite_interval():
    res = simulate(_day_center(8), replications=1, seed=1)
    assert np.isinf(res.summary.set_index("metric").loc["service_level", "half_width"])


def test_handle_scale_multiplies_handle_times_by_arrival_interval():
    from ccwfm.simulate._common import first_attempts
    scale = [1.0, 1.5, 0.5, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    plain = Center.single_queue(DAY, aht=240, agents=10, patience=150)
    timed = Center((Queue("voice", DAY, Distribution.exponential(240.0),
                          patience=Distribution.exponential(150.0), handle_scale=scale),),
                   plain.groups)
    a, b = first_attempts(plain, 0, 77), first_attempts(timed, 0, 77)
    np.testing.assert_array_equal(a["arrival"], b["arrival"])
    factor = np.asarray(scale)[(a["arrival"] // 1800).astype(int)]
    np.testing.assert_allclose(b["handle"], a["handle"] * factor, rtol=1e-15)


def test_engines_agree_with_handle_scale_and_retrials():
    from ccwfm.simulate._engine_fast import run_fast
    from ccwfm.simulate._engine_simpy import run_simpy
    scale = [1.0, 1.5, 0.5, 2.0, 1.0, 1.2, 1.0, 0.8, 1.0, 1.0]
    c = Center((Queue("voice", DAY, Distribution.exponential(240.0),
                      patience=Distribution.exponential(90.0), handle_scale=scale,
                      retrial=Retrial(0.7, Distribution.exponential(120.0))),),
               (Group("agents", ("voice",), staffing=[5, 8, 14, 20, 17, 11, 15, 18, 12, 7]),))
    fa, _, _ = run_fast(c, 5)
    sa, _, _ = run_simpy(c, 5)
    order_f = np.lexsort((fa["attempt"], fa["contact"]))
    order_s = np.lexsort((sa["attempt"], sa["contact"]))
    assert (fa["attempt"] > 0).any()
    for col in ("contact", "attempt", "outcome"):
        np.testing.assert_array_equal(fa[col][order_f], sa[col][order_s])
    for col in ("arrival", "enter", "start", "leave"):
        np.testing.assert_allclose(fa[col][order_f], sa[col][order_s], rtol=1e-9)


@pytest.mark.parametrize("seed, message", [
    ("x", "'seed' must be a whole number >= 0, a numpy SeedSequence or a numpy Generator: 'x'"),
    (-1, "'seed' must be >= 0: -1"),
    (1.5, "'seed' must be a whole number: 1.5"),
    (True, "'seed' must be a whole number >= 0, a numpy SeedSequence or a numpy Generator"),
    ([1, "x"], "'seed[1]' must be a whole number >= 0"),
])
def test_bad_seed_is_a_value_error_naming_seed(seed, message):
    with pytest.raises(ValueError) as info:
        simulate(_day_center(8), replications=1, seed=seed)
    assert message in str(info.value)


def test_every_seed_form_still_runs_and_equal_seeds_agree():
    c = _day_center(8)
    base = simulate(c, replications=2, seed=7).queue_stats
    for same in (np.int64(7), 7.0, np.random.SeedSequence(7)):
        np.testing.assert_array_equal(simulate(c, replications=2, seed=same).queue_stats, base)
    for other in (2**100, [1, 2], np.random.default_rng(3), None):
        assert simulate(c, replications=2, seed=other).queue_stats.shape == base.shape


def test_bad_level_and_metric_names_are_value_errors():
    c = _day_center(8)
    with pytest.raises(ValueError, match="'level' must be > 0 and < 1: 1.5"):
        simulate(c, replications=1, level=1.5)
    with pytest.raises(ValueError, match="'level' must be a number: '95%'"):
        simulate(c, replications=1, level="95%")
    res = simulate(c, replications=1)
    with pytest.raises(ValueError, match="'name' must be one of 'offered', 'retrials'"):
        res.metric("waiting")
    with pytest.raises(ValueError, match=r"'queue' names an unknown queue: 'voise' "
                                         r"\(did you mean 'voice'\?\)"):
        res.metric("service_level", queue="voise")
