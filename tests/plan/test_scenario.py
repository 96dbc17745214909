"""Scenario files: round trip, validation naming the key, variants."""

import datetime as dt

import pytest

from ccwfm.plan.scenario import Scenario, ScenarioError

TOML = """
[scenario]
name = "base"
start = 2025-09-01
weeks = 8

[[queues]]
name = "voice"
demo = true
patience = 180
target = { service_level = 0.8, target_time = 20, abandon_rate = 0.05 }
bot = { containment = 0.2, time = 45, abandon = 0.02, uplift = 1.15 }

[[queues]]
name = "chat"
demo = true
concurrency = 2
concurrency_factor = 1.3
target = { asa = 60 }

[workforce]
hourly_cost = 28.0
interval = 15
shrinkage = { breaks = 0.08, absence = 0.07, training = 0.05 }

[[workforce.shifts]]
name = "day8"
length = 8.5
first = "07:00"
last = "11:00"
step = 30
unpaid_break = 30

[[workforce.groups]]
name = "voice"
skills = ["voice"]
shifts = ["day8"]

[[workforce.groups]]
name = "chat"
skills = ["chat"]
shifts = ["day8"]

[capacity]
headcount = 120
attrition = 0.35
[[capacity.hiring]]
start = 2025-09-15
size = 12
training_weeks = 3
ramp = [0.5, 0.8]

[finance]
bot_contact_cost = 0.3
abandon_cost = 4.0

[[variants]]
name = "bot40"
overrides = { "queues.voice.bot.containment" = 0.4 }

[[variants]]
name = "strict"
overrides = { "queues.voice.target.service_level" = 0.9, "queues.voice.target.target_time" = 30 }
"""


def test_reads_every_section():
    sc = Scenario.from_toml(TOML)
    assert sc.name == "base" and sc.start == dt.date(2025, 9, 1) and sc.weeks == 8
    voice, chat = sc.queues
    assert voice.bot.containment == 0.2 and voice.target.abandon_rate == 0.05
    assert chat.target.service_level is None and chat.target.asa == 60
    assert sc.workforce.total_shrinkage == pytest.approx(0.20)
    assert sc.workforce.shifts[0].starts == tuple(range(420, 661, 30))
    assert sc.capacity.hiring[0].ramp == (0.5, 0.8)
    assert sc.end == dt.date(2025, 10, 27)


def test_round_trip_through_toml():
    sc = Scenario.from_toml(TOML)
    again = Scenario.from_toml(sc.to_toml())
    assert again == sc


def test_default_target_is_80_in_20_and_survives_the_round_trip():
    sc = Scenario.from_toml('[scenario]\nname="x"\nstart=2025-01-06\nweeks=2\n'
                            '[[queues]]\nname="voice"\ndemo=true\n')
    t = sc.queues[0].target
    assert (t.service_level, t.target_time) == (0.8, 20.0)
    assert Scenario.from_toml(sc.to_toml()) == sc


def test_variants_apply_overrides():
    base, bot40, strict = Scenario.from_toml(TOML).variant_scenarios()
    assert bot40.name == "bot40" and bot40.queues[0].bot.containment == 0.4
    assert base.queues[0].bot.containment == 0.2
    assert strict.queues[0].target.service_level == 0.9
    assert strict.queues[0].target.target_time == 30
    assert strict.variants == ()


@pytest.mark.parametrize("change, message", [
    (("patience = 180", "patence = 180"),
     "'queues[voice].patence' is not a known key (did you mean 'patience'?)"),
    (("hourly_cost = 28.0", "hourly_costs = 28.0"),
     "'workforce.hourly_costs' is not a known key (did you mean 'hourly_cost'?)"),
    (("[finance]", "[finanse]"), "'finanse' is not a known key (did you mean 'finance'?)"),
    (("weeks = 8", "weeks = 0"), "'scenario.weeks' must be >= 1: 0"),
    (("attrition = 0.35", "attrition = 1.2"), "'capacity.attrition' must be >= 0 and < 1: 1.2"),
    (("containment = 0.2", "containment = 1.5"), "'queues[voice].bot.containment' must be >= 0"),
    (("service_level = 0.8, target_time = 20,", "service_level = 0.8,"),
     "'queues[voice].target.target_time' is required with service_level"),
    (("skills = [\"chat\"]", "skills = [\"chta\"]"),
     "'workforce.groups[chat].skills[0]' names an unknown queue: 'chta' (did you mean 'chat'?)"),
    (("shifts = [\"day8\"]\n\n[[workforce.groups]]", "shifts = [\"day9\"]\n\n[[workforce.groups]]"),
     "'workforce.groups[voice].shifts[0]' names an unknown shift: 'day9' (did you mean 'day8'?)"),
    (("last = \"11:00\"", "last = \"25:00\""), "'workforce.shifts[day8].last' must be a time HH:MM"),
    (("breaks = 0.08, absence = 0.07", "breaks = 0.6, absence = 0.5"),
     "'workforce.shrinkage' must add up to < 1"),
    (("start = 2025-09-15", "start = \"soon\""),
     "'capacity.hiring[0].start' must be a date (YYYY-MM-DD): 'soon'"),
    (("\"queues.voice.bot.containment\" = 0.4", "\"queues.vocie.bot.containment\" = 0.4"),
     "'variants[bot40].\"queues.vocie.bot.containment\"' names no item of 'queues': 'vocie' "
     "(did you mean 'voice'?)"),
    (("\"queues.voice.bot.containment\" = 0.4", "\"queues.voice.bot.containment\" = 4"),
     "'variants[bot40].\"queues.voice.bot.containment\"' must be >= 0 and <= 1: 4"),
    (("interval = 15", "interval = 20"), "'workforce.interval' must be one of 15, 30, 60 minutes: 20"),
    (("demo = true\npatience", "patience"), "'queues[voice]' needs exactly one demand source"),
])
def test_errors_name_the_key(change, message):
    old, new = change
    assert old in TOML
    with pytest.raises(ScenarioError) as info:
        Scenario.from_toml(TOML.replace(old, new, 1))
    assert message in str(info.value)


def test_file_errors(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read the scenario file"):
        Scenario.from_toml(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[scenario\nname = 1")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        Scenario.from_toml(bad)
    good = tmp_path / "good.toml"
    good.write_text(TOML)
    assert Scenario.from_toml(good) == Scenario.from_toml(str(good))


def test_shift_paid_breaks_round_trip_and_validation():
    base = """
[scenario]
name = "pb"
start = 2025-01-06
weeks = 1
[[queues]]
name = "q"
demo = "voice"
[[workforce.shifts]]
name = "day"
length = 8
first = "08:00"
last = "09:00"
unpaid_break = 30
"""
    sc = Scenario.from_toml(base + "paid_breaks = [15, 15]\n")
    assert sc.workforce.shifts[0].paid_breaks == (15, 15)
    assert Scenario.from_toml(sc.to_toml()) == sc
    sc2 = Scenario.from_toml(base + "paid_breaks = [15]\npaid_break_offsets = [120]\n")
    assert sc2.workforce.shifts[0].paid_break_offsets == (120,)
    assert Scenario.from_toml(sc2.to_toml()) == sc2
    with pytest.raises(ScenarioError, match=r"'workforce.shifts\[day\].paid_breaks\[0\]' must be "
                                            r"> 0: -5"):
        Scenario.from_toml(base + "paid_breaks = [-5]\n")
    with pytest.raises(ScenarioError, match=r"'workforce.shifts\[day\].paid_break_offsets' must "
                                            r"give one offset per paid break"):
        Scenario.from_toml(base + "paid_breaks = [15]\npaid_break_offsets = [60, 90]\n")
    with pytest.raises(ScenarioError, match=r"'workforce.shifts\[day\].paid_breaks' must add "
                                            r"up to < length"):
        Scenario.from_toml(base + "paid_breaks = [400, 60]\n")
