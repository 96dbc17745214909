"""Routing of queues to agent groups: the rules, the checks, and what a pooled group
achieves in simulation against Erlang C of the pooled queue."""

import numpy as np
import pandas as pd
import pytest

from ccwfm import erlang
from ccwfm.simulate import QUEUE_METRICS
from ccwfm.plan.achieved import achieved_kpis
from ccwfm.plan.routing import Routing, routing
from ccwfm.plan.scenario import GroupConfig, QueueConfig, Simulation, Target, Workforce
from ccwfm.plan.shift_plan import agent_groups


def _q(name, **kw):
    return QueueConfig(name, demo=True, **kw)


def test_home_groups_and_skill_order():
    qs = [_q("voice"), _q("sales"), _q("vip", group="seniors"), _q("chat", concurrency=2)]
    w = Workforce(groups=(
        GroupConfig("phones", skills=("sales", "voice"), overflow={"vip": 45}),
        GroupConfig("seniors", skills=("sales",), overflow={"voice": 30})))
    r = routing(qs, w)
    # sales and voice: first group listing them; vip: its 'group'; chat: its own group.
    assert r.home == {"voice": "phones", "sales": "phones", "vip": "seniors", "chat": "chat"}
    # Skills first (their order), then the queues naming the group, then overflow.
    assert r.skills["phones"] == (("sales", 0.0), ("voice", 0.0), ("vip", 45.0))
    assert r.skills["seniors"] == (("sales", 0.0), ("vip", 0.0), ("voice", 30.0))
    assert r.skills["chat"] == (("chat", 0.0),)
    assert r.serving("voice") == ("phones", "seniors")
    assert r.is_multiskill
    parts = r.components()
    assert sorted(parts) == sorted([(("phones", "seniors"), ("voice", "sales", "vip")),
                                    (("chat",), ("chat",))])
    groups, owner = agent_groups(qs, w)
    assert owner == r.home and list(groups) == ["phones", "seniors", "chat"]
    assert groups["chat"] is None and groups["phones"].name == "phones"


def test_single_skill_center_is_not_multiskill():
    qs = [_q("voice"), _q("chat", concurrency=2)]
    r = routing(qs, Workforce())
    assert not r.is_multiskill
    assert r.components() == [(("voice",), ("voice",)), (("chat",), ("chat",))]


def test_a_group_home_to_no_queue_takes_other_groups_queues():
    qs = [_q("voice"), _q("sales"), _q("chat", concurrency=2)]
    w = Workforce(groups=(GroupConfig("voice", skills=("voice",)),
                          GroupConfig("sales", skills=("sales",)),
                          GroupConfig("blend", skills=("voice", "sales"))))
    r = routing(qs, w)
    assert r.home == {"voice": "voice", "sales": "sales", "chat": "chat"}
    assert r.scheduled()["blend"] == ("voice", "sales")
    assert r.schedule_parts() == [("voice", "sales", "blend"), ("chat",)]
    # Mixed concurrency and home of none of its queues: nothing to split into.
    w2 = Workforce(groups=(GroupConfig("odd", skills=("voice", "chat")),
                           GroupConfig("voice", skills=("voice",))))
    qs2 = [_q("voice", group="voice"), _q("chat", concurrency=2, group="chat")]
    with pytest.raises(ValueError, match=r"'workforce.groups\[odd\].skills' must list queues "
                                         r"of one concurrency .*: voice 1 x 1, chat 2 x 1"):
        routing(qs2, w2)


def test_a_group_of_mixed_concurrency_is_split_by_queue():
    qs = [_q("voice", group="blend"), _q("chat", concurrency=2, group="blend"), _q("email")]
    w = Workforce(groups=(GroupConfig("blend", skills=("chat",), overflow={"email": 60}),))
    r = routing(qs, w)
    assert r.home == {"voice": "blend", "chat": "blend", "email": "email"}
    # Each home queue alone with its share; the overflow is not simulated.
    assert r.skills == {"blend:chat": (("chat", 0.0),), "blend:voice": (("voice", 0.0),),
                        "email": (("email", 0.0),)}
    assert r.groups == ("blend", "email")
    assert r.staffing({"blend": [9.0], "email": [2.0]}, {"voice": [6.0], "chat": [3.0],
                                                         "email": [2.0]}) == {
        "blend:chat": [3.0], "blend:voice": [6.0], "email": [2.0]}
    groups, owner = agent_groups(qs, w)
    assert list(groups) == ["blend", "email"] and owner == r.home
    assert sorted(r.components()) == [(("blend:chat",), ("chat",)),
                                      (("blend:voice",), ("voice",)),
                                      (("email",), ("email",))]


def test_center_routes_skills_in_order_with_the_group_staffing():
    qs = [_q("voice"), _q("sales")]
    r = Routing({"a": (("sales", 0.0), ("voice", 20.0)), "b": (("voice", 0.0),)},
                {"voice": "b", "sales": "a"})
    start = pd.date_range("2025-03-03 08:00", periods=2, freq="15min")
    req = pd.DataFrame({"queue": ["voice"] * 2 + ["sales"] * 2, "start": list(start) * 2,
                        "volume": [40.0, 60.0, 10.0, 20.0], "aht": [300.0, 360.0, 200.0, 200.0]})
    c = r.center(qs, req, {"a": [3.0, 4.5], "b": [10.0, 12.0]}, interval=15)
    assert [q.name for q in c.queues] == ["voice", "sales"]
    a, b = c.groups
    assert [(s.queue, s.after) for s in a.skills] == [("sales", 0.0), ("voice", 20.0)]
    assert a.staffing == (3, 4.5) and b.staffing == (10, 12)
    assert c.queues[0].volume == (40.0, 60.0) and c.interval == 900.0
    with pytest.raises(ValueError, match="'queues' must hold every queue group 'a' serves"):
        r.center(qs[:1], req, {"a": [3, 4], "b": [10, 12]}, interval=15)


def _pooled_case(n_agents, lam, aht, hours=8):
    start = pd.date_range("2025-03-03 00:00", periods=4 * hours, freq="15min")
    qs = [_q(name, target=Target(service_level=0.8, target_time=20.0))
          for name in ("a", "b")]
    rows = []
    for q in qs:
        rows.append(pd.DataFrame({"queue": q.name, "start": start, "volume": lam,
                                  "aht": aht, "agent_volume": lam, "agent_aht": aht}))
    req = pd.concat(rows, ignore_index=True)
    staffed = req[["queue", "start"]].assign(staffed=n_agents / 2.0)
    on_duty = {"pool": pd.Series(float(n_agents), index=start)}
    owner = {"a": "pool", "b": "pool"}
    r = Routing({"pool": (("a", 0.0), ("b", 0.0))}, owner)
    return qs, req, staffed, on_duty, owner, r


@pytest.mark.parametrize("seed", [1, 2])
def test_a_pooled_group_achieves_erlang_c_of_the_pooled_queue(seed):
    """Two identical queues served by one group: the number of contacts in the system
    is that of one M/M/n queue with the summed load and all the agents, whatever the
    priority between them, so the probability of waiting and the mean wait over
    both queues are Erlang C's of the pooled queue (the split into halves would give
    each half its own, much worse, Erlang C).  The service level is not: priority
    shortens the first queue's waits and lengthens the second's."""
    n, lam, aht = 16, 20.0, 300.0     # per queue: 20 contacts per 15 min, 300 s
    qs, req, staffed, on_duty, owner, r = _pooled_case(n, lam, aht, hours=12)
    settings = Simulation(verify=True, replications=40, seed=seed)
    out, res = achieved_kpis(qs, req, staffed, on_duty, owner, interval=15, shrinkage=0.0,
                             settings=settings, routing=r)
    m = {k: i for i, k in enumerate(QUEUE_METRICS)}
    # The first hour warms up from an empty system; in the last hour, long waits are
    # cut off by the horizon's end (those contacts are not resolved).
    s = np.nan_to_num(res.queue_stats[:, :, 4:-5, :])     # [rep, queue, interval, metric]
    ans = s[..., m["answered"]].sum(axis=(1, 2))
    asa = (s[..., m["asa"]] * s[..., m["answered"]]).sum(axis=(1, 2)) / ans
    waited = (s[..., m["prob_wait"]] * s[..., m["answered"]]).sum(axis=(1, 2)) / ans
    pooled = erlang.metrics(n, 2 * lam, aht, target_time=20.0, interval=900.0)
    split = erlang.metrics(n / 2, lam, aht, target_time=20.0, interval=900.0)
    for sim, theory, other in ((asa, float(pooled.asa), float(split.asa)),
                               (waited, float(pooled.prob_wait), float(split.prob_wait))):
        half = 3.0 * sim.std(ddof=1) / np.sqrt(sim.size)
        assert abs(sim.mean() - theory) <= half + 0.02 * theory, (sim.mean(), half, theory)
        assert abs(other - theory) > 2 * half + 0.02 * theory     # a split would be seen
    # Without the routing each queue gets its half of the agents: the split's KPIs.
    out2, _ = achieved_kpis(qs, req, staffed, on_duty, owner, interval=15, shrinkage=0.0,
                            settings=settings)
    assert out2["asa_sim"].iloc[4:-5].mean() > 1.5 * out["asa_sim"].iloc[4:-5].mean()
    assert set(out["queue"]) == {"a", "b"} and out["asa_sim"].notna().all()


def test_two_step_plans_a_group_home_to_no_queue_without_shifts():
    """The two-step method schedules home groups only: the cross-trained group gets no
    shifts, and the routed simulation still gives every queue its KPIs."""
    import dataclasses

    from ccwfm.plan import pipeline
    from ccwfm.plan.demo import demo_scenario

    sc = demo_scenario(weeks=1, multiskill=True)
    sc = dataclasses.replace(sc, workforce=dataclasses.replace(sc.workforce,
                                                               scheduling="two_step"))
    res = pipeline.run(sc, steps=pipeline.STEPS[:pipeline.STEPS.index("schedule") + 1])
    assert "blend" not in set(res.shifts["group"])
    assert res.achieved["service_level_sim"].notna().any()
    assert set(res.achieved["queue"]) == {"voice", "sales", "chat", "email"}
