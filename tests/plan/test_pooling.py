"""plan.pooling: the dedicated-groups counterpart of a scenario, group costs, the pooling gain."""

import dataclasses

import numpy as np
import pytest

from ccwfm import plan
from ccwfm.plan import cli
from ccwfm.plan.pooling import dedicated_scenario, group_summary, is_pooled, pooling_gain
from ccwfm.plan.routing import routing
from ccwfm.plan.scenario import Scenario

TOML = """
[scenario]
name = "x"
start = 2025-09-01
weeks = 1

[[queues]]
name = "voice"
demo = true
group = "senior"

[[queues]]
name = "sales"
demo = true

[[queues]]
name = "chat"
demo = true
channel = "chat"
concurrency = 2

[workforce]
hourly_cost = 20.0

[[workforce.groups]]
name = "senior"
skills = ["voice"]
overflow = { sales = 30 }
hourly_cost = 31.0
min_agents = 3
shifts = ["long"]

[[workforce.shifts]]
name = "long"
length = 8
first = "08:00"
last = "10:00"

[[workforce.shifts]]
name = "short"
length = 4
first = "12:00"
last = "14:00"
"""


def test_dedicated_scenario_gives_each_queue_its_own_group_with_its_home_pay():
    sc = Scenario.from_toml(TOML)
    assert is_pooled(sc)                      # senior takes sales after 30 s
    d = dedicated_scenario(sc)
    assert not is_pooled(d)
    r = routing(d.queues, d.workforce)
    assert r.home == {"voice": "voice", "sales": "sales", "chat": "chat"}
    assert all(r.served(g) == (g,) for g in ("voice", "sales", "chat"))
    voice, sales, chat = (d.workforce.group(q) for q in ("voice", "sales", "chat"))
    # voice's home is senior: its pay and templates, not its bounds (for the whole group)
    assert voice.hourly_cost == 31.0 and voice.shifts == ("long",) and voice.min_agents == 0
    assert voice.overflow == {}
    # sales and chat had no configured home: the scenario's pay, every template
    assert sales.hourly_cost is None and sales.shifts == () and chat.hourly_cost is None
    # everything else is the scenario's
    assert [q.target for q in d.queues] == [q.target for q in sc.queues]
    assert d.workforce.shifts == sc.workforce.shifts and d.weeks == sc.weeks
    assert d.name == "x (dedicated groups)"


def test_a_shared_group_without_configuration_is_pooled():
    sc = plan.demo_scenario()
    queues = tuple(dataclasses.replace(q, group="digital") if q.name in ("chat", "email") else q
                   for q in sc.queues)
    shared = dataclasses.replace(sc, queues=queues)
    assert is_pooled(shared) and not is_pooled(sc)
    assert not is_pooled(dedicated_scenario(shared))


def test_the_multiskill_demos_counterpart_is_the_demo():
    d = dedicated_scenario(plan.demo_scenario(multiskill=True))
    sc = plan.demo_scenario()
    a, b = routing(d.queues, d.workforce), routing(sc.queues, sc.workforce)
    assert a.skills == b.skills and a.home == b.home
    assert plan.group_overview(d)["hourly_cost"].tolist() == \
        plan.group_overview(sc)["hourly_cost"].tolist()


def test_group_overview_lists_priority_order_overflow_and_homes():
    g = plan.group_overview(Scenario.from_toml(TOML)).set_index("group")
    assert g.loc["senior", "serves"] == "voice, sales (after 30 s)"
    assert g.loc["senior", "home_of"] == "voice" and g.loc["senior", "hourly_cost"] == 31.0
    assert g.loc["senior", "min_agents"] == 3 and np.isnan(g.loc["senior", "max_agents"])
    assert g.loc["chat", "serves"] == "chat" and g.loc["sales", "hourly_cost"] == 20.0


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="'scenario' must be a plan.Scenario"):
        dedicated_scenario("demo")
    with pytest.raises(ValueError, match="'result' must be a plan.PlanResult"):
        plan.with_pooling("plan")


@pytest.fixture(scope="module")
def plans():
    sc = plan.demo_scenario(weeks=1, multiskill=True)
    pooled = plan.run(sc)
    return pooled, plan.with_pooling(pooled)


def test_group_costs_add_up_to_the_schedulers_own_totals(plans):
    pooled, _ = plans
    g = group_summary(pooled).set_index("group")
    assert list(g.index) == ["voice", "sales", "blend", "digital"]
    # paid hours and wages of the shifts, counted from the shift table by group, against
    # the totals the scheduler computed from its own solution
    assert g["paid_hours"].sum() == pytest.approx(pooled.comparison["paid_hours"])
    assert g["wages"].sum() == pytest.approx(pooled.comparison["wages"])
    assert g["paid_share"].sum() == pytest.approx(1.0)
    assert g.loc["blend", "wages"] == pytest.approx(29.4 * g.loc["blend", "paid_hours"])
    assert g.loc["blend", "serves"] == "sales, voice" and g.loc["blend", "home_of"] == ""
    assert g["shifts"].sum() == pooled.shifts["agents"].sum()


def test_pooling_gain_compares_two_plans_of_the_same_demand(plans):
    pooled, both = plans
    gain = both.pooling
    assert gain is not None and pooled.pooling is None
    assert both.log[-1].startswith("pooling: ")
    assert gain.paid_hours == pytest.approx(pooled.comparison["paid_hours"])
    assert gain.saving_pct == pytest.approx(
        100 * (1 - gain.paid_hours / gain.paid_hours_dedicated))
    # both plans meet every target at its level on fresh random numbers
    assert gain.targets_met == 1.0 and gain.targets_met_dedicated == 1.0
    # the dedicated plan is the demo's own (same forecast, same groups, same seeds)
    ded = plan.run(plan.demo_scenario(weeks=1), steps=plan.STEPS[:4])
    assert gain.paid_hours_dedicated == pytest.approx(ded.comparison["paid_hours"])
    q = gain.queues.set_index("queue")
    s = pooled.summary.set_index("queue")
    for k in ("service_level", "abandon_rate", "asa"):
        assert np.allclose(q[f"{k}_pooled"], s[f"{k}_sim_plan"])
    assert q.loc["voice", "target"] == "80% in 20 s, abandon <= 5%"
    f = gain.to_frame().set_index("measure")
    assert f.loc["paid hours", "difference"] == pytest.approx(
        gain.paid_hours - gain.paid_hours_dedicated)


def test_pooling_gain_refuses_plans_without_schedule_or_of_other_queues(plans):
    pooled, _ = plans
    early = plan.run(plan.demo_scenario(weeks=1, multiskill=True), steps=("forecast",))
    with pytest.raises(ValueError, match="'dedicated' must be a plan with a shift schedule"):
        pooling_gain(pooled, early)
    other = dataclasses.replace(pooled, scenario=Scenario.from_toml(TOML))
    with pytest.raises(ValueError, match="'dedicated' must plan the same queues"):
        pooling_gain(pooled, other)


def test_report_has_the_groups_and_pooling_sections(plans, tmp_path):
    _, both = plans
    files = {p.name for p in plan.report.write(both, tmp_path)}
    assert {"groups.csv", "pooling.csv", "pooling_queues.csv"} <= files
    page = (tmp_path / "summary.html").read_text()
    assert "Agent groups and routing" in page and "Pooling gain" in page
    assert "sales, voice" in page


def test_cli_pooling_on_a_scenario_without_pooled_groups_is_a_bad_input(tmp_path, capsys):
    code = cli.main(["demo", "--weeks", "1", "--pooling", "--out", str(tmp_path / "o")])
    assert code == cli.EXIT_BAD_INPUT
    assert "'--pooling' needs agent groups serving several queues" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_cli_demo_multiskill_pooling_end_to_end(tmp_path, capsys):
    out = tmp_path / "o"
    assert cli.main(["demo", "--multiskill", "--weeks", "1", "--pooling", "--quiet",
                     "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "pooling gain:" in printed and "with dedicated groups" in printed
    assert (out / "pooling.csv").exists() and (out / "groups.csv").exists()
