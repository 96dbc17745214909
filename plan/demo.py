"""The embedded demo scenario: four queues of the demo contact center."""

import dataclasses

from .scenario import Scenario

DEMO_TOML = """
[scenario]
name = "demo"
start = 2025-09-01
weeks = 8
history_weeks = 26

[[queues]]
name = "voice"
demo = true
patience = 180
target = { service_level = 0.8, target_time = 20, abandon_rate = 0.05 }
bot = { containment = 0.15, time = 45, abandon = 0.02, uplift = 1.15 }

[[queues]]
name = "sales"
channel = "voice"
demo = "voice"
volume_scale = 0.35
patience = 120
target = { service_level = 0.9, target_time = 15 }

[[queues]]
name = "chat"
channel = "chat"
demo = true
concurrency = 2
concurrency_factor = 1.3
patience = 300
target = { service_level = 0.8, target_time = 60 }

[[queues]]
name = "email"
channel = "email"
demo = true
target = { asa = 7200 }

[workforce]
interval = 15
hourly_cost = 28.0
shrinkage = { breaks = 0.08, absence = 0.07, training = 0.04, meetings = 0.03 }

[[workforce.shifts]]
name = "full"
length = 8.5
first = "06:00"
last = "14:00"
step = 30
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
unpaid_break = 30

[[workforce.shifts]]
name = "part"
length = 4.0
first = "06:00"
last = "20:00"
step = 60
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
unpaid_break = 0

[[workforce.shifts]]
name = "night"
length = 8.0
first = "22:00"
last = "22:00"
step = 60
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
unpaid_break = 30
cost_factor = 1.25

[capacity]
headcount = 185
attrition = 0.35
fte_hours = 37.5
cost_per_hire = 4000
[[capacity.hiring]]
start = 2025-09-08
size = 8
training_weeks = 3
ramp = [0.5, 0.75, 0.9]

[finance]
bot_contact_cost = 0.40
abandon_cost = 3.00
currency = "EUR"

[simulation]
verify = true
replications = 5
seed = 0
max_rounds = 6

[[variants]]
name = "bot 40%"
overrides = { "queues.voice.bot.containment" = 0.40 }

[[variants]]
name = "AHT -10%"
overrides = { "queues.voice.aht_scale" = 0.9 }

[[variants]]
name = "forecast p90"
overrides = { "queues.voice.percentile" = 90, "queues.sales.percentile" = 90 }

[[variants]]
name = "90/30 voice"
overrides = { "queues.voice.target.service_level" = 0.9, "queues.voice.target.target_time" = 30 }
"""


MULTISKILL_TOML = """
[[workforce.groups]]
name = "voice"
skills = ["voice"]

[[workforce.groups]]
name = "sales"
skills = ["sales"]

[[workforce.groups]]
name = "blend"
skills = ["sales", "voice"]
hourly_cost = 29.4

[[workforce.groups]]
name = "digital"
skills = ["chat", "email"]
"""
"""The multi-skill variant's groups: dedicated voice and sales groups, a cross-trained
group taking both (sales first, at a 5% wage premium), and one group answering
chat and e-mail (blended by the schedule, interval by interval)."""


def demo_scenario(weeks=None, multiskill=False):
    """The demo scenario (optionally with another horizon in weeks).

    With ``multiskill``, the multi-skill variant (:data:`MULTISKILL_TOML`): the
    same queues and demand, served by cross-trained groups.

    Examples
    --------
    >>> sc = demo_scenario(weeks=2)
    >>> [q.name for q in sc.queues], sc.weeks
    (['voice', 'sales', 'chat', 'email'], 2)
    >>> [g.name for g in demo_scenario(multiskill=True).workforce.groups]
    ['voice', 'sales', 'blend', 'digital']
    """
    sc = Scenario.from_toml(demo_toml(multiskill))
    return sc if weeks is None else dataclasses.replace(sc, weeks=weeks)


def demo_toml(multiskill=False):
    """The demo scenario's TOML text (with ``multiskill``, the multi-skill variant's)."""
    text = DEMO_TOML
    if multiskill:
        cut = text.index("[[workforce.shifts]]")
        text = text[:cut] + MULTISKILL_TOML.lstrip() + "\n" + text[cut:]
        text = text.replace('name = "demo"', 'name = "demo-multiskill"', 1)
    return text
