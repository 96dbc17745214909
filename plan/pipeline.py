"""The planning pipeline: forecast, requirements, simulation check, shifts, capacity, cost.

:func:`run` takes a :class:`plan.scenario.Scenario` through every step and
returns a :class:`PlanResult` with every table a planner or finance reads;
:mod:`plan.report` writes them out.
"""

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ccwfm import erlang
from ccwfm import forecast
from ccwfm import simulate

from .capacity import CapacityInputs, HiringClass, capacity_plan, hires_needed
from .requirements import queue_requirements
from .schedule import ShiftTemplate, schedule
from .scenario import WEEKDAYS, ScenarioError
from .verify import build_center, verify

STEPS = ("forecast", "requirements", "simulation", "schedule", "capacity")


@dataclass(frozen=True)
class PlanResult:
    """Everything the pipeline produced (tables are long-format pandas frames).

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
    costs : DataFrame
        Cost items of the horizon.
    summary : DataFrame
        Per queue: the headline figures.
    log : tuple of str
        What the pipeline did, step by step.
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
    costs: pd.DataFrame
    summary: pd.DataFrame
    log: tuple


# --------------------------------------------------------------- demand


def _history_for(scenario, queue, base_dir):
    """The History of one queue from its source (demo, interval file or ACD log)."""
    interval = scenario.workforce.interval
    if queue.demo:
        start = pd.Timestamp(scenario.start) - pd.Timedelta(weeks=scenario.history_weeks)
        hist = forecast.demo_history(seed=scenario.simulation.seed, start=start,
                                     weeks=scenario.history_weeks, interval=interval)
        source = queue.demo if isinstance(queue.demo, str) else queue.name
        if source not in hist.queues:
            raise ScenarioError(f"'queues[{queue.name}].demo': the demo data has queues "
                                f"{', '.join(hist.queues)}: {source!r}")
        return _scaled(_one_queue(hist, source), queue)
    if queue.history:
        hist = forecast.read_intervals(_path(base_dir, queue.history, queue, "history"))
    else:
        log = forecast.read_acd(_path(base_dir, queue.acd, queue, "acd"))
        hist = log.to_history(interval=interval, target_time=queue.target.target_time or 20.0)
    names = hist.queues
    name = queue.name if queue.name in names else (names[0] if len(names) == 1 else None)
    if name is None:
        raise ScenarioError(f"'queues[{queue.name}]': its file has queues {', '.join(names)}, "
                            "none with this name")
    hist = _one_queue(hist, name)
    if hist.interval > interval:
        raise ScenarioError(f"'queues[{queue.name}]': the history has {hist.interval}-minute "
                            f"intervals, coarser than workforce.interval ({interval})")
    if hist.interval < interval:
        hist = hist.aggregate(interval)
    return _scaled(hist, queue)


def _scaled(hist, queue):
    """The history under the queue's name, volumes times its ``volume_scale``."""
    frame = hist.frame.assign(queue=queue.name)
    if queue.volume_scale != 1.0:
        frame = frame.assign(volume=frame["volume"] * queue.volume_scale,
                             abandoned=frame["abandoned"] * queue.volume_scale)
    return forecast.History(frame, hist.interval, hist.report)


def _path(base_dir, name, queue, key):
    p = Path(name)
    p = p if p.is_absolute() else Path(base_dir) / p
    if not p.exists():
        raise ScenarioError(f"'queues[{queue.name}].{key}' file not found: {str(p)!r}")
    return p


def _one_queue(hist, name):
    frame = hist.frame[hist.frame["queue"] == name].reset_index(drop=True)
    return forecast.History(frame, hist.interval, hist.report)


def _calendar(scenario):
    if any(q.demo for q in scenario.queues):
        start = pd.Timestamp(scenario.start) - pd.Timedelta(weeks=scenario.history_weeks + 1)
        return forecast.demo_special_days(start, pd.Timestamp(scenario.end))
    return forecast.Calendar.empty()


def forecast_demand(scenario, base_dir=".", log=print):
    """Volume and AHT forecast of every queue over the scenario's horizon.

    Returns ``(forecast, models)``: the long forecast frame restricted to
    the horizon, and per queue every candidate model's backtest scores
    (wMAPE, MASE, bias), best first, with ``chosen`` marking the one used.
    """
    calendar = _calendar(scenario)
    start, end = pd.Timestamp(scenario.start), pd.Timestamp(scenario.end)
    frames, models = [], []
    for q in scenario.queues:
        if q.forecast:
            given = pd.read_csv(_path(base_dir, q.forecast, q, "forecast"), parse_dates=["start"])
            for col in ("start", "forecast"):
                if col not in given.columns:
                    raise ScenarioError(f"'queues[{q.name}].forecast' needs column {col!r}")
            if "queue" in given.columns:
                given = given[given["queue"] == q.name]
            given = given.assign(queue=q.name)
            if "aht" not in given.columns:
                if q.aht is None:
                    raise ScenarioError(f"'queues[{q.name}].aht' is required: the given "
                                        "forecast has no aht column")
                given["aht"] = q.aht
            frames.append(given[(given["start"] >= start) & (given["start"] < end)])
            models.append({"queue": q.name, "model": "given", "chosen": True})
            continue
        hist = _history_for(scenario, q, base_dir)
        last_day = hist.frame["start"].max().normalize()
        days = (end - last_day).days - 1
        if days < 1:
            raise ScenarioError(f"'queues[{q.name}]': the history runs past the horizon's end")
        model = forecast.AutoForecaster(calendar=calendar).fit(hist)
        fc = model.predict(days, level=(80, 95))
        if q.aht is not None or not hist.frame["aht"].notna().any():
            if q.aht is None:
                raise ScenarioError(f"'queues[{q.name}].aht' is required: the history has no "
                                    "handle times")
            fc["aht"] = q.aht
        else:
            aht = forecast.AhtForecaster(calendar=calendar).fit(hist).predict(days, level=())
            fc = fc.merge(aht[["queue", "start", "aht"]], on=["queue", "start"], how="left")
            fc["aht"] = fc["aht"].fillna(float(np.nanmedian(aht["aht"])))
        frames.append(fc[(fc["start"] >= start) & (fc["start"] < end)])
        bt = model.backtest_
        chosen = model.chosen(q.name)
        mine = bt[bt["queue"] == q.name].sort_values("wmape", kind="stable")
        row = mine[mine["model"] == chosen].iloc[0]
        for r in mine.itertuples():
            models.append({"queue": q.name, "model": r.model, "chosen": r.model == chosen,
                           "wmape": r.wmape, "mase": r.mase, "bias": r.bias})
        log(f"forecast {q.name}: {chosen}, backtest wMAPE {row['wmape']:.1%}")
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["queue", "start"], ignore_index=True), pd.DataFrame(models)


def _grid(scenario):
    """Every interval start of the horizon."""
    return pd.date_range(pd.Timestamp(scenario.start), pd.Timestamp(scenario.end),
                         freq=f"{scenario.workforce.interval}min", inclusive="left")


def _demand_on_grid(scenario, fc, queue):
    """The queue's demand to plan for on the full interval grid (closed intervals: 0).

    The point forecast, or the upper bound of its interval when the queue
    plans for a percentile; AHT times the queue's ``aht_scale``.
    """
    grid = _grid(scenario)
    sel = fc[fc["queue"] == queue.name].set_index("start")
    column = {None: "forecast", 50: "forecast", 90: "hi_80", 97.5: "hi_95"}[queue.percentile]
    if column not in sel.columns:
        raise ScenarioError(f"'queues[{queue.name}].percentile': the forecast has no "
                            f"{column} column")
    vol = sel[column].reindex(grid).fillna(0.0)
    aht = sel["aht"].reindex(grid)
    fill = float(aht.median()) if aht.notna().any() else (queue.aht or 300.0)
    return pd.DataFrame({"start": grid, "volume": vol.to_numpy(),
                         "aht": aht.fillna(fill).to_numpy() * queue.aht_scale})


# ------------------------------------------------------------- schedule


def _templates(scenario, group):
    w = scenario.workforce
    names = group.shifts if group is not None and group.shifts else None
    configs = [s for s in w.shifts if names is None or s.name in names]
    if not configs:
        # Full days of 8.5 hours with a 30-minute break and 4-hour part-time
        # shifts, starting every half hour (or interval, if longer), every day.
        step = w.interval if w.interval >= 30 else 30
        last = f"{(1440 - step) // 60:02d}:{(1440 - step) % 60:02d}"
        return [ShiftTemplate.every("full", 510, first="00:00", last=last, step=step,
                                    unpaid_break=30),
                ShiftTemplate.every("part", 240, first="00:00", last=last, step=step)]
    return [ShiftTemplate.every(s.name, int(round(s.length * 60)), first=s.first, last=s.last,
                                step=s.step, days=tuple(WEEKDAYS.index(d) for d in s.days),
                                unpaid_break=s.unpaid_break, paid_breaks=s.paid_breaks,
                                paid_break_offsets=s.paid_break_offsets,
                                cost_factor=s.cost_factor)
            for s in configs]


def _groups(scenario):
    """Agent groups: the scenario's, plus one per queue nobody serves."""
    w = scenario.workforce
    groups = {g.name: g for g in w.groups}
    owner = {q.name: q.group_name for q in scenario.queues}
    for q in scenario.queues:
        if owner[q.name] not in groups:
            groups[owner[q.name]] = None
    return groups, owner


# ----------------------------------------------------------------- main


def run(scenario, *, base_dir=".", steps=STEPS, log=None):
    """Run the planning pipeline on ``scenario``.

    Parameters
    ----------
    scenario : plan.scenario.Scenario
    base_dir : str or Path
        Folder that relative file names in the scenario refer to.
    steps : sequence of str
        Steps to run, among :data:`STEPS` (each needs the ones before it).
    log : callable, optional
        Receives a line per step (default: nothing).

    Returns
    -------
    PlanResult
    """
    say = log or (lambda msg: None)
    lines = []

    def note(msg):
        lines.append(msg)
        say(msg)

    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        raise ValueError(f"'steps' must be among {', '.join(STEPS)}: {unknown[0]!r}")
    w = scenario.workforce
    shrink = w.total_shrinkage
    fc, models = forecast_demand(scenario, base_dir, note)
    empty = pd.DataFrame()
    if "requirements" not in steps:
        return PlanResult(scenario, fc, models, empty, None, empty, empty, empty, empty, [],
                          empty, empty, tuple(lines))

    reqs = [queue_requirements(_demand_on_grid(scenario, fc, q), q, interval=w.interval,
                               shrinkage=shrink) for q in scenario.queues]
    req = pd.concat(reqs, ignore_index=True)
    note(f"requirements: peak {int(req.groupby('start')['required'].sum().max())} agents on "
         f"the phones, {req['required'].sum() * w.interval / 60:,.0f} agent-hours")

    staffed = req[["queue", "start", "required"]].rename(columns={"required": "staffed"})
    ver = None
    if "simulation" in steps and scenario.simulation.verify:
        v = verify(scenario, req, progress=note)
        ver = v.table
        staffed = ver[["queue", "start", "staffed"]]
        note(f"simulation check: {v.rounds} correction rounds, targets "
             f"{'hold' if v.holds else 'still missed in some intervals'}"
             + (f" ({v.stuck} that more agents do not help, e.g. contacts left waiting "
                "at closing)" if v.stuck else ""))
    if "schedule" not in steps:
        return PlanResult(scenario, fc, models, req, ver, empty, empty, empty, empty, [], empty,
                          _summary(scenario, req, None, empty, empty), tuple(lines))

    groups, owner = _groups(scenario)
    need = staffed.assign(group=staffed["queue"].map(owner))
    need = need.groupby(["group", "start"], sort=True)["staffed"].sum().reset_index()
    coverage, shifts, costs_wage = [], [], 0.0
    on_duty = {}
    for gname, gcfg in groups.items():
        g_need = need[need["group"] == gname].set_index("start")["staffed"]
        floor = (gcfg.min_agents if gcfg else 0) or w.min_agents
        # Whole agents on shift: 10 on the phones at 10% shrinkage need 12 on
        # shift (11.1 rounded up), or the phones would be short.
        to_schedule = np.ceil(g_need / (1.0 - shrink) - 1e-9)
        if floor:
            to_schedule = np.where(g_need > 0, np.maximum(to_schedule, floor), 0.0)
            to_schedule = pd.Series(to_schedule, index=g_need.index)
        cap = (gcfg.max_agents if gcfg and gcfg.max_agents else None) or w.max_agents
        cost = (gcfg.hourly_cost if gcfg and gcfg.hourly_cost is not None else w.hourly_cost)
        res = schedule(to_schedule, _templates(scenario, gcfg), interval=w.interval,
                       hourly_cost=max(cost, 1e-6), max_on_duty=cap, time_limit=60.0)
        cov = res.coverage.assign(group=gname)
        cov = cov[(cov["start"] >= pd.Timestamp(scenario.start))
                  & (cov["start"] < pd.Timestamp(scenario.end))]
        coverage.append(cov)
        shifts.append(res.starts.assign(group=gname))
        costs_wage += res.cost if cost > 0 else 0.0
        on_duty[gname] = cov.set_index("start")["scheduled"]
        note(f"schedule {gname}: {int(res.starts['agents'].sum())} shifts, "
             f"{res.paid_hours:,.0f} paid hours, shortfall {res.shortfall:,.1f} agent-hours"
             f"{'' if res.optimal else ' (best found within the time limit)'}")
    coverage = pd.concat(coverage, ignore_index=True)[
        ["group", "start", "required", "scheduled", "over", "under"]]
    shifts = pd.concat(shifts, ignore_index=True)
    if not shifts.empty:
        shifts = shifts[["group", "template", "start", "agents"]]
    achieved = _achieved(scenario, req, staffed, on_duty, owner, shrink, note)
    if "capacity" not in steps:
        return PlanResult(scenario, fc, models, req, ver, coverage, shifts, achieved, empty,
                          [], empty, _summary(scenario, req, achieved, empty, empty),
                          tuple(lines))

    cap_table, hires, hiring_cost = _capacity(scenario, shifts, groups, note)
    costs = _costs(scenario, req, achieved, costs_wage, hiring_cost)
    return PlanResult(scenario, fc, models, req, ver, coverage, shifts, achieved, cap_table,
                      hires, costs, _summary(scenario, req, achieved, cap_table, costs),
                      tuple(lines))


def _achieved(scenario, req, staffed, on_duty, owner, shrink, note):
    """KPIs the schedule achieves per queue: by formula and by simulation.

    A group's agents on duty, less shrinkage, are shared between its queues
    in proportion to the agents each needs.
    """
    interval = scenario.workforce.interval
    share = staffed.assign(group=staffed["queue"].map(owner))
    total = share.groupby(["group", "start"])["staffed"].transform("sum")
    share = share.assign(w=np.where(total > 0, share["staffed"] / total.where(total > 0, 1), 0))
    phones = {}
    frames = []
    for q in scenario.queues:
        r = req[req["queue"] == q.name].reset_index(drop=True)
        sh = share[share["queue"] == q.name].set_index("start")["w"].reindex(r["start"])
        duty = on_duty[owner[q.name]].reindex(r["start"]).fillna(0.0)
        agents = np.floor(duty.to_numpy() * (1.0 - shrink) * sh.fillna(0).to_numpy() + 1e-9)
        phones[q.name] = agents.astype(np.int64)
        t = q.target
        m = erlang.metrics(agents, r["agent_volume"], r["agent_aht"],
                           target_time=t.target_time if t.target_time is not None else 20.0,
                           interval=interval * 60.0, patience=q.patience,
                           concurrency=q.concurrency, concurrency_factor=q.concurrency_factor)
        sl = m.service_level_answered if t.basis == "answered" else m.service_level
        frames.append(pd.DataFrame({"queue": q.name, "start": r["start"], "agents": agents,
                                    "service_level": sl, "asa": m.asa,
                                    "abandon_rate": m.abandon_rate,
                                    "occupancy": m.occupancy}))
    out = pd.concat(frames, ignore_index=True)
    sim = scenario.simulation
    if sim.verify:
        center = build_center(scenario, req, phones)
        res = simulate.simulate(center, replications=sim.replications, seed=sim.seed,
                                progress=False)
        table = res.intervals
        for name in ("service_level", "asa", "abandon_rate", "wait_p90"):
            out[f"{name}_sim"] = np.nan
        for q in scenario.queues:
            t = table[table["queue"] == q.name].reset_index(drop=True)
            sel = out["queue"] == q.name
            for name in ("service_level", "asa", "abandon_rate", "wait_p90"):
                out.loc[sel, f"{name}_sim"] = t[name].to_numpy()
            s = res.summary
            s = s[s["queue"] == q.name].set_index("metric")["mean"]
            t = q.target
            said = []
            if t.service_level is not None:
                said.append(f"service level {s['service_level']:.1%} (target "
                            f"{t.service_level:.0%} in {t.target_time:g} s)")
            if t.asa is not None:
                said.append(f"ASA {s['asa']:,.0f} s (target {t.asa:,.0f} s)")
            if t.abandon_rate is not None and q.patience is not None:
                said.append(f"abandonment {s['abandon_rate']:.1%} (target "
                            f"{t.abandon_rate:.0%})")
            if not said:
                said.append(f"service level {s['service_level']:.1%}")
            note(f"schedule of {q.name} simulated: {', '.join(said)} over the horizon")
    return out


def _capacity(scenario, shifts, groups, note):
    """Weekly FTE the schedule needs against headcount, hires and cost."""
    c = scenario.capacity
    w = scenario.workforce
    start = pd.Timestamp(scenario.start)
    # Every week (Monday) the horizon touches: a start mid-week spills into one more.
    last_day = pd.Timestamp(scenario.end) - pd.Timedelta(days=1)
    weeks = pd.date_range(start - pd.Timedelta(days=start.weekday()),
                          last_day - pd.Timedelta(days=last_day.weekday()), freq="7D")
    if shifts.empty:
        hours = pd.Series(0.0, index=weeks)
    else:
        templates = {t.name: t for g in groups.values() for t in _templates(scenario, g)}
        paid = shifts["template"].map(lambda n: templates[n].paid_hours) * shifts["agents"]
        wk = shifts["start"] - pd.to_timedelta(shifts["start"].dt.day_of_week, unit="D")
        hours = paid.groupby(wk.dt.normalize()).sum().reindex(weeks, fill_value=0.0)
    required = hours / c.fte_hours
    classes = tuple(HiringClass(h.start, h.size, training_weeks=h.training_weeks, ramp=h.ramp,
                                cost_per_hire=h.cost_per_hire if h.cost_per_hire is not None
                                else c.cost_per_hire) for h in c.hiring)
    # No headcount given: start with what the first week with work needs.
    busy = required[required > 0]
    headcount = (c.headcount if c.headcount > 0
                 else float(math.ceil(busy.iloc[0])) if len(busy) else 0.0)
    inputs = CapacityInputs(headcount=headcount, attrition=c.attrition, fte_hours=c.fte_hours,
                            hourly_cost=w.hourly_cost, training_attrition=c.attrition,
                            classes=classes)
    proposal = hires_needed(required, inputs, cost_per_hire=c.cost_per_hire)
    plan_in = CapacityInputs(headcount=headcount, attrition=c.attrition, fte_hours=c.fte_hours,
                             hourly_cost=w.hourly_cost, training_attrition=c.attrition,
                             classes=classes + tuple(proposal))
    table = capacity_plan(required, plan_in)
    note(f"capacity: {required.max():,.1f} FTE at the busiest week, headcount "
         f"{headcount:,.1f}; {len(proposal)} hiring classes proposed "
         f"({sum(h.size for h in proposal):,.0f} hires)")
    return table, list(proposal), float(table["hiring_cost"].sum())


def _costs(scenario, req, achieved, wages, hiring):
    f = scenario.finance
    contained = float(req["contained"].sum())
    col = "abandon_rate_sim" if "abandon_rate_sim" in achieved.columns else "abandon_rate"
    merged = req[["queue", "start", "agent_volume"]].merge(
        achieved[["queue", "start", col]], on=["queue", "start"])
    abandoned = float((merged["agent_volume"] * merged[col].fillna(0.0)).sum())
    rows = [("wages", wages), ("hiring", hiring), ("bot contacts", contained * f.bot_contact_cost),
            ("abandoned contacts", abandoned * f.abandon_cost)]
    out = pd.DataFrame(rows, columns=["item", "cost"])
    out.loc[len(out)] = ("total", out["cost"].sum())
    out["currency"] = f.currency
    return out


def weighted_mean(values, weights):
    """Mean of the finite ``values`` weighted by positive ``weights`` (NaN if none)."""
    v = np.asarray(values, float)
    w = np.asarray(weights, float)
    ok = np.isfinite(v) & (w > 0)
    return float(np.average(v[ok], weights=w[ok])) if ok.any() else float("nan")


def _summary(scenario, req, achieved, capacity, costs):
    rows = []
    for q in scenario.queues:
        r = req[req["queue"] == q.name]
        vol = r["agent_volume"]
        row = {"queue": q.name, "offered": r["volume"].sum(), "contained": r["contained"].sum(),
               "to_agents": vol.sum(),
               "agent_hours_required": r["required"].sum() * scenario.workforce.interval / 60}
        if achieved is not None and not achieved.empty:
            a = achieved[achieved["queue"] == q.name]
            w = vol.to_numpy()
            for name in ("service_level", "abandon_rate", "asa"):
                for suffix in ("", "_sim"):
                    col = name + suffix
                    if col in a.columns:
                        row[f"{col}_plan"] = weighted_mean(a[col], w)
        rows.append(row)
    out = pd.DataFrame(rows)
    if not costs.empty:
        out.attrs["total_cost"] = float(costs.loc[costs["item"] == "total", "cost"].iloc[0])
    if not capacity.empty:
        out.attrs["peak_fte"] = float(capacity["required_fte"].max())
    return out
