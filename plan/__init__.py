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
from .whatif import QuickPlan, demand_history, forecast_demand, quick_plan

from .inputs import MAX_UPLOAD_MB, history_scenario, load_history, preview_columns
from .report import csv_bytes, excel_bytes, safe_text
from .report import tables as report_tables

__all__ = [
    "CapacityInputs", "HiringClass", "MAX_UPLOAD_MB", "PlanResult", "QuickPlan", "STEPS",
    "Scenario", "ScenarioError", "ScheduleResult", "ShiftTemplate", "Verification",
    "capacity_plan", "compare", "csv_bytes", "demand_history", "demo_scenario",
    "excel_bytes", "forecast_demand", "group_requirements", "hires_needed",
    "history_scenario", "load_history", "preview_columns", "queue_requirements",
    "quick_plan", "report_tables", "run", "safe_text", "schedule", "verify",
]
