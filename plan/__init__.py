"""From demand to a costed staffing plan: scenarios, requirements, simulation check,
shift schedule, capacity, cost, and the ``ccwfm`` command line."""

from .capacity import CapacityInputs, HiringClass, capacity_plan, hires_needed
from .demo import demo_scenario
from .pipeline import STEPS, PlanResult, run
from .requirements import group_requirements, queue_requirements
from .scenario import Scenario, ScenarioError
from .schedule import ScheduleResult, ShiftTemplate, schedule
from .scenarios import compare
from .verify import Verification, verify

__all__ = [
    "CapacityInputs", "HiringClass", "PlanResult", "STEPS", "Scenario", "ScenarioError",
    "ScheduleResult", "ShiftTemplate", "Verification", "capacity_plan", "compare",
    "demo_scenario", "group_requirements", "hires_needed", "queue_requirements", "run",
    "schedule", "verify",
]
