"""Target levels, interval floors, deferrable windows and the scheduling switch in a scenario."""

import pytest

from ccwfm.plan.demo import demo_scenario
from ccwfm.plan.scenario import (CEILING_FACTOR, FLOOR_GAP, QueueConfig, Scenario,
                                 ScenarioError, Target, Workforce)


def test_defaults_and_floors():
    t = Target(service_level=0.8, target_time=20, abandon_rate=0.05)
    assert t.level == "day"
    assert t.floor_service_level == pytest.approx(0.8 - FLOOR_GAP)
    assert t.ceiling_abandon_rate == pytest.approx(CEILING_FACTOR * 0.05)
    i = Target(service_level=0.8, target_time=20, level="interval")
    assert i.floor_service_level == 0.8
    assert Target(asa=30, interval_asa=45).ceiling_asa == 45
    assert Target(asa=30).ceiling_asa == CEILING_FACTOR * 30
    assert Workforce().scheduling == "integrated"


@pytest.mark.parametrize("kw, message", [
    (dict(service_level=0.8, target_time=20, level="month"), "'level' must be one of"),
    (dict(service_level=0.8, target_time=20, interval_service_level=0.9),
     "'interval_service_level' must be <= service_level (0.8): 0.9"),
    (dict(asa=30, interval_service_level=0.5), "'interval_service_level' needs a service_level"),
    (dict(abandon_rate=0.05, interval_abandon_rate=0.01),
     "'interval_abandon_rate' must be >= abandon_rate (0.05): 0.01"),
    (dict(asa=30, interval_asa=10), "'interval_asa' must be >= asa (30): 10"),
    (dict(asa=30, within=0.9), "'within' needs a 'window'"),
    (dict(window="tomorrow"), "'window' must be one of"),
    (dict(window=3600, within=1.5), "'within' must be > 0 and <= 1: 1.5"),
    (dict(window=3600, window_basis="office"), "'window_basis' must be one of"),
])
def test_bad_targets_name_the_field(kw, message):
    with pytest.raises(ValueError) as exc:
        Target(**kw)
    assert message in str(exc.value)


def test_deferrable_queue_rules():
    e = QueueConfig("mail", channel="email", demo=True,
                    target=Target(window=4 * 3600, within=0.9, window_basis="business"),
                    open_hours=("08:00", "18:00"), open_days=("mon", "tue", "wed", "thu", "fri"))
    assert e.is_deferrable and e.open_minutes() == (480, 1080, (0, 1, 2, 3, 4))
    assert not QueueConfig("v", demo=True).is_deferrable
    assert QueueConfig("bo", channel="voice", demo=True, deferrable=True).is_deferrable
    with pytest.raises(ValueError, match="'target.window' needs a deferrable queue"):
        QueueConfig("v", demo=True, target=Target(window=3600))
    with pytest.raises(ValueError, match="'target.abandon_rate' is not a target of deferrable"):
        QueueConfig("m", channel="email", demo=True, patience=60,
                    target=Target(asa=3600, abandon_rate=0.1))
    with pytest.raises(ValueError, match=r"'open_hours\[1\]' must be after the opening"):
        QueueConfig("m", channel="email", demo=True, open_hours=("18:00", "08:00"))
    with pytest.raises(ValueError, match=r"'open_days\[0\]' must be one of"):
        QueueConfig("m", channel="email", demo=True, open_days=("monday",))


def test_toml_round_trip_and_paths():
    sc = demo_scenario()
    back = sc.with_overrides({"queues.email.open_hours": ["08:00", "20:00"]})
    assert back.queue("email").open_hours == ("08:00", "20:00")
    assert Scenario.from_toml(back.to_toml()) == back
    bad = sc.with_overrides
    with pytest.raises(ScenarioError, match=r"'overrides.\"queues.voice.target.level\"' must be one of"):
        bad({"queues.voice.target.level": "year"})
    with pytest.raises(ScenarioError, match=r"'overrides.\"workforce.scheduling\"' must be one of"):
        bad({"workforce.scheduling": "magic"})


def test_activities_are_shrinkage_categories():
    from ccwfm.plan.scenario import Workforce

    w = Workforce(shrinkage={"breaks": 0.08, "training": 0.04, "meetings": 0.03},
                  activities=["training", "meetings"])
    assert w.activity_share == pytest.approx(0.07)
    assert w.grossed_shrinkage == pytest.approx(0.08)
    # The two-step method grosses every category up.
    two = Workforce(shrinkage=w.shrinkage, activities=["training"], scheduling="two_step")
    assert two.grossed_shrinkage == pytest.approx(0.15)
    for bad, message in ((["coffee"], r"'activities\[0\]' names an unknown shrinkage category"),
                         (["breaks"], r"'activities\[0\]' must not be 'breaks'"),
                         (["training", "training"], r"'activities' must have unique names"),
                         ("training", r"'activities' must be a sequence")):
        with pytest.raises(ValueError, match=message):
            Workforce(shrinkage=w.shrinkage, activities=bad)
    sc = demo_scenario().with_overrides({"workforce.activities": ["training", "meetings"]})
    assert sc.workforce.activities == ("training", "meetings")
    assert Scenario.from_toml(sc.to_toml()) == sc
    with pytest.raises(ScenarioError, match=r'"workforce.activities"\[0\]. names an unknown'):
        demo_scenario().with_overrides({"workforce.activities": ["gym"]})
