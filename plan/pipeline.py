"""The full plan: the steps composed, from demand to a costed plan.

Each step is a function of its own module that takes only what it needs and
returns a typed result:

====================  =========================================  ===========================
step                  function                                   gives
====================  =========================================  ===========================
demand                :func:`plan.demand.forecast_demand`        :class:`plan.demand.Demand`
requirements          :func:`plan.requirements.requirements`     table per queue, interval
simulation            :func:`plan.verify.verify`                 :class:`plan.Verification`
schedule              :func:`plan.shift_plan.plan_shifts`        :class:`plan.ShiftPlan`
                      :func:`plan.achieved.achieved_kpis`        KPIs of the schedule
capacity              :func:`plan.capacity.plan_capacity`        :class:`plan.CapacityResult`
costs                 :func:`plan.costs.plan_costs`              :class:`plan.Costs`
====================  =========================================  ===========================

:func:`run` composes them (and so do :func:`plan.quick_plan`, the command
line and the dashboard); :mod:`plan.report` writes the result out.
"""

import os
import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ccwfm import _validation as v
from ccwfm._limits import LIMITS, at_most

from .achieved import SIMULATED, achieved_kpis, formula_kpis, simulated_summary
from .capacity import plan_capacity
from .costs import Costs, plan_costs
from .integrated import plan_integrated, two_step_cost
from .pooling import PoolingGain, dedicated_scenario, pooling_gain
from .demand import forecast_demand, horizon_grid, load_histories
from .progress import Reporter
from .requirements import requirements as staff_requirements
from .routing import routing
from .shift_plan import agent_groups, plan_shifts, weekly_paid_hours
from .summary import plan_summary
from .verify import verify

__all__ = ["STEPS", "PlanResult", "check_forecast", "check_histories", "run", "with_pooling"]

STEPS = ("forecast", "requirements", "simulation", "schedule", "capacity")


@dataclass(frozen=True)
class PlanResult:
    """Everything a plan produced (tables are long-format pandas frames; a step
    not run leaves its tables empty and its objects ``None``).

    Attributes
    ----------
    scenario : Scenario
    forecast : DataFrame
        queue, start, forecast, lo_80, hi_80, lo_95, hi_95, aht.
    models : DataFrame
        Per queue every candidate model's backtest scores, ``chosen`` marking the one used.
    requirements : DataFrame
        Per queue and interval: volume, what reaches agents, required agents
        and the formula KPIs (see :func:`plan.requirements.queue_requirements`).
    verification : DataFrame or None
        Formula and simulated KPIs side by side, and ``staffed`` after the
        correction loop (see :mod:`plan.verify`).
    coverage : DataFrame
        Per group and interval: required (to schedule, after shrinkage),
        scheduled (agents on duty), over, under.
    shifts : DataFrame
        Shift starts: group, template, start, agents.
    achieved : DataFrame
        Per queue and interval: agents on the phones with the schedule, and
        the KPIs it achieves by formula and by simulation.
    capacity : DataFrame
        Per week: required FTE, headcount, attrition, hires, productive FTE,
        gap, costs (see :func:`plan.capacity.capacity_plan`).
    hires : list of HiringClass
        Hiring classes proposed on top of the scenario's to close the gaps.
    costs : Costs or None
        Cost items of the horizon and their total.
    summary : DataFrame
        Per queue: the headline figures (:func:`plan.summary.plan_summary`).
    log : tuple of str
        What the plan did, step by step.
    attainment : DataFrame
        Integrated scheduling: per queue, period of its target's level and
        target, the formula and simulated (fresh random numbers) value with
        its confidence interval and ``met`` (:func:`plan.attainment.attainment`).
    breaks : DataFrame
        Breaks placed by the optimiser in their windows (templates with
        ``breaks``): group, template, shift start, window, break start,
        length, paid, agents.
    comparison : dict
        Integrated scheduling: ``paid_hours``, ``wages`` of this plan and
        ``paid_hours_two_step``, ``wages_two_step`` of the two-step plan
        (the per-interval formula requirement covered by shifts, without its
        simulation check) on the same forecast.
    pooling : PoolingGain or None
        The plan against the same demand served by dedicated groups, when
        asked for (:func:`with_pooling`, ``ccwfm ... --pooling``).
    """

    scenario: object
    forecast: pd.DataFrame
    models: pd.DataFrame
    requirements: pd.DataFrame
    verification: pd.DataFrame | None
    coverage: pd.DataFrame
    shifts: pd.DataFrame
    achieved: pd.DataFrame
    capacity: pd.DataFrame
    hires: list
    costs: Costs | None
    summary: pd.DataFrame
    log: tuple
    attainment: pd.DataFrame = field(default_factory=pd.DataFrame)
    comparison: dict = field(default_factory=dict)
    breaks: pd.DataFrame = field(default_factory=pd.DataFrame)
    pooling: PoolingGain | None = None

    @property
    def total_cost(self):
        """The horizon's total cost (NaN before the capacity step)."""
        return self.costs.total if self.costs is not None else float("nan")

    @property
    def peak_fte(self):
        """Required FTE of the busiest week (NaN before the capacity step)."""
        return (float(self.capacity["required_fte"].max()) if not self.capacity.empty
                else float("nan"))


def _check_scenario(scenario):
    from .scenario import Scenario

    if not isinstance(scenario, Scenario):
        raise v.error("scenario", "must be a plan.Scenario", scenario)
    return scenario


def _scaled(scale_path, scale, path, peak, key):
    """Refuse ``peak`` (at ``path``) times ``scale`` above the limit ``key``,
    naming ``path`` if ``peak`` itself is above, else the multiplier."""
    at_most(path, peak, key)
    lim = LIMITS[key]
    if peak * scale > lim.value:
        raise v.error(scale_path, f"must keep {key} <= {lim.value:g} {lim.unit} (limit "
                      f"'{key}'; it makes {peak * scale:g})", scale)


def check_histories(scenario, histories):
    """Refuse histories whose volumes, times the queues' ``volume_scale``, pass the
    limit 'volume' (cheap: run before the forecast).

    ``histories`` maps queue names to :class:`ccwfm.forecast.History` objects
    already scaled, as :func:`plan.load_histories` returns them.
    """
    if not isinstance(histories, dict):
        raise v.error("histories", "must be a dict of queue name -> History", histories)
    for q in scenario.queues:
        hist = histories.get(q.name)
        frame = getattr(hist, "frame", None)
        if hist is None or not isinstance(frame, pd.DataFrame) or "volume" not in frame:
            if q.forecast:
                continue
            raise v.error(f"histories[{q.name}]", "must be a History of the queue", hist)
        vol = pd.to_numeric(frame["volume"], errors="coerce").to_numpy(float)
        peak = float(np.nanmax(vol)) if np.isfinite(vol).any() else 0.0
        _scaled(f"queues[{q.name}].volume_scale", q.volume_scale,
                f"histories[{q.name}].volume", peak / q.volume_scale, "volume")


def check_forecast(scenario, forecast):
    """Refuse a forecast a plan of ``scenario`` cannot be staffed on, before any work.

    Each queue needs rows, unique interval starts (dates), and in its
    percentile's column volumes >= 0 and within the limit 'volume'; its AHT
    (where given) times its ``aht_scale`` must be > 0 and within the limit
    'aht'.  Errors name ``forecast[queue].column``.
    """
    if not isinstance(forecast, pd.DataFrame):
        raise v.error("forecast", "must be a pandas DataFrame", forecast)
    for col in ("queue", "start", "aht"):
        if col not in forecast.columns:
            raise ValueError(f"'forecast' needs column {col!r}: it has "
                             f"{', '.join(map(str, forecast.columns)) or 'none'}")
    if not pd.api.types.is_datetime64_any_dtype(forecast["start"]):
        raise v.error("forecast.start", "must be dates (datetime64)", str(forecast["start"].dtype))
    known = set(forecast["queue"].unique())
    for q in scenario.queues:
        if q.name not in known:
            raise ValueError(f"'forecast' has no rows for queue {q.name!r}")
        rows = forecast[forecast["queue"] == q.name]
        p = f"forecast[{q.name}]"
        dup = rows["start"].duplicated()
        if dup.any():
            raise v.error(f"{p}.start", "must not repeat", str(rows["start"][dup].iloc[0]))
        column = q.forecast_column
        if column not in rows.columns:
            raise ValueError(f"'queues[{q.name}].percentile': the forecast has no {column} "
                             "column")
        vol = v.as_array(f"{p}.{column}", pd.to_numeric(rows[column], errors="coerce"))
        v.check(f"{p}.{column}", vol, lo=0.0)
        if vol.size:
            at_most(f"{p}.{column}", float(vol.max()), "volume")
        aht = v.as_array(f"{p}.aht", pd.to_numeric(rows["aht"], errors="coerce"))
        aht = aht[~np.isnan(aht)]
        v.check(f"{p}.aht", aht, lo=0.0, lo_open=True)
        if aht.size:
            _scaled(f"queues[{q.name}].aht_scale", q.aht_scale, f"{p}.aht", float(aht.max()),
                    "aht")


def _result(scenario, demand, report, **tables):
    """The result with the tables given; steps not run are left empty."""
    none = pd.DataFrame()
    fields = {"requirements": none, "verification": None, "coverage": none, "shifts": none,
              "achieved": none, "capacity": none, "hires": [], "costs": None, "summary": none}
    fields.update(tables)
    return PlanResult(scenario, demand.forecast, demand.models, log=tuple(report.messages),
                      **fields)


def run(scenario, *, base_dir=".", steps=STEPS, progress=None, histories=None):
    """Run the plan of ``scenario`` up to the last of ``steps``.

    Parameters
    ----------
    scenario : plan.Scenario
    base_dir : str or Path
        Folder that relative file names in the scenario refer to.
    steps : sequence of str
        Steps to run, among :data:`STEPS` (each needs the ones before it).
    progress : callable, optional
        Receives a :class:`plan.Progress` event after each piece of work.
    histories : dict, optional
        Queue name -> History already loaded (:func:`plan.load_histories`).

    Returns
    -------
    PlanResult
    """
    _check_scenario(scenario)
    steps = v.sequence("steps", steps, "step names")
    for i, s in enumerate(steps):
        v.choice(f"steps[{i}]", s, STEPS)
    if not isinstance(base_dir, (str, os.PathLike)):
        raise v.error("base_dir", "must be a folder name", base_dir)
    if progress is not None and not callable(progress):
        raise v.error("progress", "must be callable or None", progress)
    report = Reporter([s for s in STEPS if s in steps or s == "forecast"], progress)
    w, sim, queues = scenario.workforce, scenario.simulation, scenario.queues
    if histories is None:
        histories = load_histories(scenario, base_dir)
    check_histories(scenario, histories)
    demand = forecast_demand(scenario, base_dir, histories=histories,
                             progress=report.part("forecast"))
    if "requirements" in steps:
        check_forecast(scenario, demand.forecast)
    if "requirements" not in steps:
        return _result(scenario, demand, report)

    grid = horizon_grid(scenario.start, scenario.end, w.interval)
    req = staff_requirements(queues, demand.forecast, grid, interval=w.interval,
                             shrinkage=w.total_shrinkage)
    report("requirements", 1, 1,
           f"requirements: peak {int(req.groupby('start')['required'].sum().max())} agents on "
           f"the phones, {req['required'].sum() * w.interval / 60:,.0f} agent-hours")
    staffed = req[["queue", "start", "required"]].rename(columns={"required": "staffed"})
    ver = None
    integrated = w.scheduling == "integrated"
    if integrated and "schedule" in steps:
        return _run_integrated(scenario, demand, report, req, staffed, steps)
    if "simulation" in steps and sim.verify and not integrated:
        checked = verify(queues, req, interval=w.interval, settings=sim,
                         progress=report.part("simulation"))
        ver = checked.table
        staffed = ver[["queue", "start", "staffed"]]
        report("simulation", 1, 1,
               f"simulation check: {checked.rounds} correction rounds, targets "
               f"{'hold' if checked.holds else 'still missed in some intervals'}"
               + (f" ({checked.stuck} that more agents do not help, e.g. contacts left waiting "
                  "at closing)" if checked.stuck else ""))
    if "schedule" not in steps:
        return _result(scenario, demand, report, requirements=req, verification=ver,
                      summary=plan_summary(queues, req, None, interval=w.interval))

    shifts = plan_shifts(staffed, queues, w, start=scenario.start, end=scenario.end,
                         progress=report.part("schedule"))
    groups, owner = agent_groups(queues, w)
    # Every group, a group home to no queue too (no shifts here: none on duty).
    on_duty = {g: shifts.on_duty(g) for g in groups}
    achieved, simulated = achieved_kpis(queues, req, staffed, on_duty, owner,
                                        interval=w.interval, shrinkage=w.total_shrinkage,
                                        settings=sim, routing=routing(queues, w))
    if simulated is not None:
        for q in queues:
            report("schedule", 1, 1, f"schedule of {q.name} simulated: "
                   f"{simulated_summary(q, simulated)} over the horizon")
    return _finish(scenario, demand, report, req, shifts, achieved, steps, verification=ver)


def with_pooling(result, *, base_dir=".", progress=None, histories=None):
    """``result`` with its :attr:`PlanResult.pooling`: the same scenario with
    dedicated groups (:func:`plan.pooling.dedicated_scenario`) planned up to the
    schedule on the same demand, and the two compared (:func:`plan.pooling.pooling_gain`).

    Parameters
    ----------
    result : PlanResult
        A plan with a shift schedule.
    base_dir, progress, histories
        As for :func:`run` (the histories of the result's queues serve both).

    Returns
    -------
    PlanResult
    """
    if not isinstance(result, PlanResult):
        raise v.error("result", "must be a plan.PlanResult", result)
    if result.shifts is None or result.shifts.empty:
        raise v.error("result", "must be a plan with a shift schedule (run it up to "
                      "'schedule')", result.scenario.name)
    if progress is not None and not callable(progress):
        raise v.error("progress", "must be callable or None", progress)
    told = None if progress is None else (lambda e: progress(dataclasses.replace(
        e, message=f"dedicated groups: {e.message}")))
    dedicated = run(dedicated_scenario(result.scenario), base_dir=base_dir,
                    steps=STEPS[:STEPS.index("schedule") + 1], progress=told,
                    histories=histories)
    gain = pooling_gain(result, dedicated)
    log = (f"pooling: {gain.paid_hours:,.0f} paid hours against {gain.paid_hours_dedicated:,.0f} "
           f"with dedicated groups ({gain.saving_pct:.1f}% saved)")
    return dataclasses.replace(result, pooling=gain, log=result.log + (log,))


def _run_integrated(scenario, demand, report, req, staffed, steps):
    """The schedule, capacity and cost steps with integrated scheduling."""
    w, sim, queues = scenario.workforce, scenario.simulation, scenario.queues
    settings = sim if "simulation" in steps else dataclasses.replace(sim, verify=False)
    ip = plan_integrated(req, queues, w, start=scenario.start, end=scenario.end,
                         settings=settings, progress=report.part("schedule"))
    shifts = ip.shifts
    two_paid, two_wages = two_step_cost(staffed, queues, w, start=scenario.start,
                                        end=scenario.end)
    comparison = {"paid_hours": float(sum(shifts.paid_hours.values())), "wages": shifts.wages,
                  "paid_hours_two_step": two_paid, "wages_two_step": two_wages}
    saving = 1.0 - comparison["wages"] / comparison["wages_two_step"] \
        if comparison["wages_two_step"] > 0 else 0.0
    report("schedule", 1, 1,
           f"least-cost schedule: {comparison['paid_hours']:,.0f} paid hours against "
           f"{comparison['paid_hours_two_step']:,.0f} for the two-step plan ({saving:.1%} "
           f"less in wages); targets at their level "
           f"{'hold' if ip.holds else 'missed in some periods'} on fresh random numbers")
    achieved = _achieved(queues, req, ip, w.interval)
    return _finish(scenario, demand, report, req, shifts, achieved, steps,
                   attainment=ip.attainment, comparison=comparison)


def _finish(scenario, demand, report, req, shifts, achieved, steps, **tables):
    """The summary, then the capacity and cost steps (if asked), of a schedule
    made either way; ``tables`` are the method's own (verification, attainment...)."""
    w, queues = scenario.workforce, scenario.queues
    tables.update(requirements=req, coverage=shifts.coverage, shifts=shifts.shifts,
                  achieved=achieved, breaks=_breaks(shifts),
                  summary=plan_summary(queues, req, achieved, interval=w.interval))
    if "capacity" not in steps:
        return _result(scenario, demand, report, **tables)
    paid = weekly_paid_hours(shifts.shifts, queues, w, start=scenario.start, end=scenario.end)
    cap = plan_capacity(paid, scenario.capacity, hourly_cost=w.hourly_cost)
    report("capacity", 1, 1,
           f"capacity: {cap.peak_fte:,.1f} FTE at the busiest week, headcount "
           f"{cap.headcount:,.1f}; {len(cap.hires)} hiring classes proposed "
           f"({sum(h.size for h in cap.hires):,.0f} hires)")
    rate_col = "abandon_rate_sim" if "abandon_rate_sim" in achieved.columns else "abandon_rate"
    rate = req[["queue", "start"]].merge(achieved[["queue", "start", rate_col]],
                                         on=["queue", "start"], how="left")[rate_col]
    costs = plan_costs(req, rate, wages=shifts.wages, hiring=cap.hiring_cost,
                       finance=scenario.finance)
    return _result(scenario, demand, report, capacity=cap.table, hires=list(cap.hires),
                   costs=costs, **tables)


def _achieved(queues, req, ip, interval):
    """Per queue and interval: agents on the phones, formula KPIs, simulated KPIs."""
    df = formula_kpis(queues, req.sort_values(["queue", "start"], kind="stable"), ip.phones,
                      interval=interval)
    table = ip.simulated
    if table is not None:
        for q in queues:
            s = table[table["queue"] == q.name].reset_index(drop=True)
            sel = (df["queue"] == q.name).to_numpy()
            for name in SIMULATED:
                col = ("service_level_answered" if name == "service_level"
                       and q.target.basis == "answered" else name)
                df.loc[sel, f"{name}_sim"] = s[col].to_numpy()
    return df


def _breaks(shifts):
    return shifts.breaks if shifts.breaks is not None else pd.DataFrame()
