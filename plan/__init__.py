"""From demand to a costed staffing plan, in explicit steps.

Steps (each a function of its own module, typed in and out):

1. demand: :func:`load_histories`, :func:`forecast_demand` -> :class:`Demand`
2. requirements: :func:`requirements` (per queue and interval, Erlang A/C)
3. simulation: :func:`verify` -> :class:`Verification` (two-step scheduling)
4. schedule: :func:`plan_shifts` -> :class:`ShiftPlan`; :func:`achieved_kpis`; or,
   integrated (the default), :func:`plan_integrated` -> :class:`IntegratedPlan`:
   shifts chosen against each queue's target at its level
   (:func:`least_cost_schedule`), checked by simulation, :func:`attainment`
5. capacity: :func:`plan_capacity` -> :class:`CapacityResult`
6. costs: :func:`plan_costs` -> :class:`Costs`

:func:`calibrate` (``ccwfm calibrate``) checks the model against a center's own
call log, cell by cell, and returns a :class:`Calibration`.

:func:`run` composes them into a :class:`PlanResult` (with :class:`Progress`
events), :func:`quick_plan` composes the formula part for what-ifs,
:func:`compare` runs variants on Dask, :mod:`ccwfm.plan.report` writes the
output folder, and :mod:`ccwfm.plan.cli` is the ``ccwfm`` command line.
"""

from .achieved import achieved_kpis
from .attainment import attainment, attainment_summary, floor_summary
from .calibrate import Calibration, calibrate
from .capacity import (CapacityInputs, CapacityResult, HiringClass, capacity_plan, hires_needed,
                       plan_capacity)
from .costs import Costs, plan_costs
from .demand import Demand, demand_history, forecast_demand, horizon_grid, load_histories
from . import display
from .bundle import BUNDLE_VERSION, Bundle, open_bundle, save_bundle
from .demo import demo_scenario
from .inputs import (HISTORY_FILE, MAX_UPLOAD_MB, history_for_scenario, history_scenario,
                     load_history, preview_columns)
from .pipeline import STEPS, PlanResult, run, with_pooling
from .pooling import PoolingGain, dedicated_scenario, group_summary, is_pooled, pooling_gain
from .progress import Progress
from .report import csv_bytes, excel_bytes, safe_text, zip_bytes
from .report import tables as report_tables
from .routing import Routing, routing
from .roster import Roster, make_roster, roster_grid, roster_tables, write_roster
from .roster_input import (Agent, Contract, RosterConfig, RosterRules, agents_frame,
                           default_contracts, generate_agents, read_agents)
from .roster_rules import check_roster, rule_report
from .requirements import group_requirements, queue_requirements, requirements
from .integrated import IntegratedPlan, plan_integrated
from .least_cost import GroupSchedule, QueueDemand, least_cost_schedule
from .scenario import DEFAULT_TARGET_TIME, LEVELS, SCHEDULING, Scenario, ScenarioError, Target
from .scenarios import compare
from .schedule import Coverage, ScheduleResult, coverage_model, place_breaks, schedule
from .shift_plan import ShiftPlan, plan_shifts, shift_paid_hours
from .shifts import BreakWindow, ShiftTemplate
from .upload_check import Problem, check_history, problems_frame, raise_problems
from .summary import (group_overview, plan_summary, quick_summary, scenario_overview, verification_summary,
                      weighted_mean)
from .verify import Verification, verify
from .whatif import QuickPlan, quick_plan

__all__ = [
    "display", "shift_paid_hours",
    "BUNDLE_VERSION", "Bundle", "open_bundle", "save_bundle",
    "Problem", "check_history", "problems_frame", "raise_problems",
    "PoolingGain", "dedicated_scenario", "group_summary", "is_pooled", "pooling_gain",
    "with_pooling", "Routing", "routing", "group_overview",
    "Agent", "Contract", "Roster", "RosterConfig", "RosterRules", "agents_frame",
    "check_roster", "default_contracts", "generate_agents", "make_roster", "read_agents",
    "roster_grid", "roster_tables", "rule_report", "write_roster",
    "BreakWindow", "Coverage", "GroupSchedule", "IntegratedPlan", "LEVELS", "QueueDemand",
    "SCHEDULING", "attainment", "attainment_summary", "floor_summary", "coverage_model", "least_cost_schedule",
    "place_breaks", "plan_integrated",
    "Calibration", "CapacityInputs", "CapacityResult", "Costs", "DEFAULT_TARGET_TIME", "Demand",
    "HISTORY_FILE", "HiringClass", "MAX_UPLOAD_MB", "PlanResult", "Progress", "QuickPlan", "STEPS", "Scenario",
    "ScenarioError", "ScheduleResult", "ShiftPlan", "ShiftTemplate", "Target", "Verification",
    "achieved_kpis", "calibrate", "capacity_plan", "compare", "csv_bytes", "demand_history", "demo_scenario",
    "excel_bytes", "forecast_demand", "group_requirements", "hires_needed", "history_for_scenario",
    "history_scenario",
    "horizon_grid", "load_histories", "load_history", "plan_capacity", "plan_costs",
    "plan_shifts", "plan_summary", "preview_columns", "queue_requirements", "quick_plan",
    "quick_summary", "report_tables", "requirements", "run", "safe_text", "scenario_overview",
    "schedule", "verification_summary", "verify", "weighted_mean", "zip_bytes",
]
