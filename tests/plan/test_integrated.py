"""plan.integrated: least-cost shifts checked by simulation on fresh random numbers."""

import numpy as np
import pandas as pd
import pytest

from ccwfm import simulate
from ccwfm.plan.attainment import attainment
from ccwfm.plan.integrated import plan_integrated
from ccwfm.plan.requirements import queue_requirements
from ccwfm.plan.scenario import QueueConfig, Simulation, Target, Workforce
from ccwfm.plan.shifts import ShiftTemplate
from ccwfm.plan.verify import build_center

START = pd.Timestamp("2025-09-01")


def _case(days=3, patience=180.0, level="day", seed=0, peak=60.0):
    rng = np.random.default_rng(seed)
    starts = pd.date_range(START, periods=days * 48, freq="30min")
    hour = starts.hour + starts.minute / 60
    vol = np.where((hour >= 8) & (hour < 20),
                   peak * np.exp(-((hour - 12.5) / 3.5) ** 2) * rng.uniform(0.85, 1.15, hour.size),
                   0.0)
    q = QueueConfig("voice", demo=True, patience=patience,
                    target=Target(service_level=0.8, target_time=20, level=level))
    demand = pd.DataFrame({"start": starts, "volume": vol, "aht": 240.0})
    req = queue_requirements(demand, q, interval=30, shrinkage=0.2)
    w = Workforce(hourly_cost=25.0, interval=30, shrinkage={"other": 0.2},
                  shifts=(ShiftTemplate.every("day", 480, first="07:00", last="12:00",
                                              step=30, unpaid_break=0),
                          ShiftTemplate.every("part", 240, first="08:00", last="16:00",
                                              step=60)))
    end = START + pd.Timedelta(days=days)
    return q, req, w, end


def test_targets_hold_on_fresh_numbers_and_cost_less():
    q, req, w, end = _case()
    sim = Simulation(replications=10, seed=5, max_rounds=6)
    ip = plan_integrated(req, [q], w, start=START, end=end, settings=sim)
    table = ip.attainment
    assert set(table["metric"]) == {"service_level"}
    assert len(table) == 3 and ip.holds == bool(table["met"].all())
    # An independent check with many more replications on another stream.
    center = build_center([q], req, ip.phones, interval=30)
    res = simulate.simulate(center, replications=200, seed=[123, 7], progress=False)
    check = attainment([q], res, pd.DatetimeIndex(req["start"]))
    assert (check["simulated"] >= 0.8 - 0.005).all()
    # Paid hours below covering the per-interval requirement (two-step, no check).
    from ccwfm.plan.shift_plan import plan_shifts
    staffed = req[["queue", "start", "required"]].rename(columns={"required": "staffed"})
    two = plan_shifts(staffed, [q], w, start=START, end=end)
    assert sum(ip.shifts.paid_hours.values()) < sum(two.paid_hours.values())


def test_confirmation_is_not_the_tuning_stream():
    """The confirmation is the simulation of the final schedule on the stream
    [seed, 1, part], with the formula's control variates; not the tuning's
    [seed, 2, part, half] (its replications in two halves)."""
    from ccwfm.plan.achieved import formula_metrics
    from ccwfm.plan.attainment import merge_samples, period_samples, samples_table

    q, req, w, end = _case(days=2)
    sim = Simulation(replications=4, seed=5, max_rounds=1)
    ip = plan_integrated(req, [q], w, start=START, end=end, settings=sim)
    center = build_center([q], req, ip.phones, interval=30)
    starts = pd.DatetimeIndex(req["start"])
    formula = {q.name: (formula_metrics(q, req, ip.phones[q.name], 30),
                        req["agent_volume"].to_numpy(float))}

    def run(seeds, reps):
        shares = [simulate.simulate(center, replications=n, seed=sd, progress=False)
                  for sd, n in zip(seeds, reps)]
        return samples_table(merge_samples([period_samples([q], h, starts, formula=formula)
                                            for h in shares]))["simulated"].to_numpy()

    half = (ip.confirm - ip.confirm // 2, ip.confirm // 2)
    a = run([[5, 1, 0]], [ip.confirm])
    b = run([[5, 2, 0, 0], [5, 2, 0, 1]], half)
    np.testing.assert_allclose(ip.attainment["simulated"].to_numpy(), a)
    assert not np.allclose(a, b)


def test_without_simulation_no_attainment():
    q, req, w, end = _case(days=2)
    ip = plan_integrated(req, [q], w, start=START, end=end,
                         settings=Simulation(verify=False))
    assert ip.attainment.empty and ip.simulated is None and ip.rounds == 1
    assert ip.shifts.shifts["agents"].sum() > 0


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
def test_held_across_seeds(seed):
    q, req, w, end = _case(days=4, seed=seed, peak=90.0)
    sim = Simulation(replications=10, seed=seed, max_rounds=8)
    ip = plan_integrated(req, [q], w, start=START, end=end, settings=sim)
    center = build_center([q], req, ip.phones, interval=30)
    res = simulate.simulate(center, replications=400, seed=[seed, 99], progress=False)
    check = attainment([q], res, pd.DatetimeIndex(req["start"]))
    assert (check["low"] >= 0.8 - 0.01).all()
    # Not far above either: the margins cost a few points, whole shifts a few more
    # on a small day.
    assert check["simulated"].mean() <= 0.8 + 0.04
    assert (check["simulated"] <= 0.8 + 0.08).all()


def test_transfer_by_weekday_mean_and_pooled_spread():
    """Later periods get their weekday's mean tuned margin plus twice the pooled
    standard deviation (computed here by hand)."""
    from ccwfm.plan import integrated as it

    q = QueueConfig("voice", demo=True, target=Target(service_level=0.8, target_time=20))
    starts = pd.date_range(START, periods=21 * 24, freq="60min")      # 3 weeks from a Monday
    rng = np.random.default_rng(1)
    tuned = 14
    mg = {("sl", d): 0.01 * (d % 7) + rng.normal(0, 0.005) for d in range(tuned)
          if d % 7 != 3}                            # Thursdays never cut: margin 0
    margins = {"voice": dict(mg)}
    it._transfer([q], margins, starts, tuned, 24)
    values = {wd: [mg.get(("sl", d), 0.0) for d in range(tuned) if d % 7 == wd]
              for wd in range(7)}
    dev = [v - np.mean(vs) for vs in values.values() for v in vs]
    sd = np.sqrt(np.sum(np.square(dev)) / (tuned - 7))
    for d in range(tuned, 21):
        assert margins["voice"][("sl", d)] == pytest.approx(np.mean(values[d % 7]) + 2 * sd)
    # Tuned periods are left as they were.
    assert all(margins["voice"][k] == v for k, v in mg.items())


def test_long_horizon_tuned_on_its_first_weeks(monkeypatch):
    """Beyond FULL_WEEKS, only the first TUNE_WEEKS are simulated while tuning; the
    rest is scheduled with transferred margins and confirmed with the rest."""
    from ccwfm.plan import integrated as it

    monkeypatch.setattr(it, "FULL_WEEKS", 1)
    monkeypatch.setattr(it, "TUNE_WEEKS", 1)
    q, req, w, end = _case(days=10)
    messages = []
    ip = plan_integrated(req, [q], w, start=START, end=end,
                         settings=Simulation(replications=6, seed=2, max_rounds=2),
                         progress=lambda d, t, m: messages.append(m))
    assert set(ip.tuning["period"].dt.normalize()) == set(pd.date_range(START, periods=7))
    assert len(ip.attainment) == 10
    assert any("days 8 to 10 scheduled with the tuned margins" in m for m in messages)
    # Every later day has a margin (the transfer) and shifts.
    assert all(("sl", d) in ip.margins["voice"] for d in range(7, 10))
    days = ip.shifts.shifts["start"].dt.normalize()
    assert set(days) == set(pd.date_range(START, periods=10))


def test_two_step_cost_by_blocks(monkeypatch):
    """Day shifts only: blocks of weeks cost what the whole horizon costs."""
    from ccwfm.plan import integrated as it
    from ccwfm.plan.shift_plan import plan_shifts

    q, req, w, end = _case(days=10)
    staffed = req[["queue", "start", "required"]].rename(columns={"required": "staffed"})
    whole = plan_shifts(staffed, [q], w, start=START, end=end)
    paid, wages = it.two_step_cost(staffed, [q], w, start=START, end=end)
    assert paid == pytest.approx(sum(whole.paid_hours.values()))
    monkeypatch.setattr(it, "FULL_WEEKS", 1)
    paid, wages = it.two_step_cost(staffed, [q], w, start=START, end=end)
    assert paid == pytest.approx(sum(whole.paid_hours.values()), rel=2e-3)
    assert wages == pytest.approx(whole.wages, rel=2e-3)


def test_scheduled_activities_off_the_phones():
    """Training as a scheduled activity: the simulated phones are the agents on duty
    less their activities, less the rest of shrinkage; targets hold on fresh numbers
    and an independent 200-replication check; the plan costs less than grossing up."""
    import dataclasses

    q, req, w, end = _case()
    w_act = dataclasses.replace(w, shrinkage={"other": 0.1, "training": 0.1},
                                activities=("training",))
    sim = Simulation(replications=10, seed=5, max_rounds=6)
    ip = plan_integrated(req, [q], w_act, start=START, end=end, settings=sim)
    cov = ip.shifts.coverage
    assert "activities" in cov.columns
    paid = sum(ip.shifts.paid_hours.values())
    assert cov["activities"].sum() * 0.5 == pytest.approx(0.1 * paid, rel=0.02)
    np.testing.assert_allclose(ip.phones["voice"],
                               0.9 * (cov["scheduled"] - cov["activities"]).to_numpy(),
                               atol=1e-9)
    assert ip.holds
    center = build_center([q], req, ip.phones, interval=30)
    res = simulate.simulate(center, replications=200, seed=[321, 7], progress=False)
    check = attainment([q], res, pd.DatetimeIndex(req["start"]))
    assert (check["simulated"] >= 0.8 - 0.005).all()
    gross = plan_integrated(req, [q], w, start=START, end=end, settings=sim)
    assert paid <= sum(gross.shifts.paid_hours.values())


def test_business_window_checked_by_simulation():
    """E-mail, 90% within 2 business hours (open 08-18): requirements from the backlog
    LP, the share within the window simulated contact by contact, met on fresh numbers
    and on an independent 100-replication check on another stream."""
    from ccwfm.plan.attainment import window_parts

    starts = pd.date_range(START, periods=3 * 48, freq="30min")
    hour = starts.hour + starts.minute / 60
    vol = np.where((hour >= 8) & (hour < 18), 14.0, 3.0)
    q = QueueConfig("mail", channel="email", demo=True, open_hours=("08:00", "18:00"),
                    target=Target(window=7200, within=0.9, window_basis="business"))
    req = queue_requirements(pd.DataFrame({"start": starts, "volume": vol, "aht": 600.0}), q,
                             interval=30, shrinkage=0.2)
    assert (req["required"] >= 0).all() and req["required"].sum() > 0
    _, _, w, end = _case()
    ip = plan_integrated(req, [q], w, start=START, end=end,
                         settings=Simulation(replications=10, seed=3, max_rounds=4))
    rows = ip.attainment[ip.attainment["metric"] == "service_level"]
    assert len(rows) == 3 and (rows["target"] == 0.9).all() and ip.holds
    center = build_center([q], req, ip.phones, interval=30)
    res = simulate.simulate(center, replications=100, seed=[77, 7], records=True,
                            progress=False)
    num, den = window_parts(q, res.records, starts, 30)
    share = num.sum(axis=0) / den.sum(axis=0)
    assert (share >= 0.9 - 0.01).all()


def test_repairs_until_met_each_on_a_fresh_stream(monkeypatch):
    """A confirmation that misses is repaired (a cut, the days scheduled again) and the
    periods around those days are simulated again on a fresh stream [seed, 3, k, window],
    up to _REPAIRS times, stopping once every period is met; the periods a repair did not
    schedule again keep their confirmation (simulating them again would only trade misses
    for new ones).  Here the confirmation and the first repair are made to miss day 0."""
    from ccwfm.plan import integrated

    q, req, w, end = _case(days=4)
    confirmed, repairs = [], []
    real_confirm, real_windows = integrated._confirm, integrated._confirm_windows

    def miss_day0(table):
        table = table.copy()
        row = table.index[table["period"] == table["period"].min()][0]
        table.loc[row, ["simulated", "low", "high", "met"]] = [0.79, 0.78, 0.80, False]
        return table

    def confirm(*args):
        table, sim, reps = real_confirm(*args)
        confirmed.append((list(args[9]), miss_day0(table)))
        return confirmed[-1][1], sim, reps

    def windows(*args):
        table, sim = real_windows(*args)
        if not repairs:
            table = miss_day0(table)
        repairs.append((list(args[8]), table))
        return table, sim

    monkeypatch.setattr(integrated, "_confirm", confirm)
    monkeypatch.setattr(integrated, "_confirm_windows", windows)
    sim = Simulation(replications=4, seed=5, max_rounds=1)
    ip = plan_integrated(req, [q], w, start=START, end=end, settings=sim)
    assert [c[0] for c in confirmed] == [[5, 1]]
    assert [r[0] for r in repairs] == [[5, 3, 0], [5, 3, 1]]
    assert ip.holds
    pd.testing.assert_frame_equal(ip.attainment,
                                  integrated._in_order(repairs[-1][1], [q], ["metric", "period"]))
    # Day 0 was scheduled again: days 0 and 1 simulated again, days 2 and 3 as confirmed.
    first = confirmed[0][1].set_index("period")
    last = ip.attainment.set_index("period")
    days = sorted(last.index)
    assert len(days) == 4
    for day in days[2:]:
        pd.testing.assert_series_equal(last.loc[day], first.loc[day])
    assert last.loc[days[0], "simulated"] != first.loc[days[0], "simulated"]
    # Never more than _REPAIRS repairs, each on its own stream.
    confirmed.clear()
    repairs.clear()
    monkeypatch.setattr(integrated, "_confirm_windows", lambda *a: (
        repairs.append((list(a[8]), None)) or
        (lambda t, s: (t.assign(simulated=0.7, low=0.69, high=0.71, met=False), s))(
            *real_windows(*a))))
    ip = plan_integrated(req, [q], w, start=START, end=end, settings=sim)
    assert [c[0] for c in confirmed] == [[5, 1]]
    assert [r[0] for r in repairs] == [[5, 3, k] for k in range(integrated._REPAIRS)]
    assert not ip.holds


def _floor_case(n=60, f_sl=0.62, sim_sl=0.71, f_ab=0.09, sim_ab=0.06, level="day"):
    from types import SimpleNamespace as NS
    q = QueueConfig("voice", demo=True, patience=180.0,
                    target=Target(service_level=0.8, target_time=20, abandon_rate=0.05,
                                  level=level))
    resolved = np.full(n, 200.0)
    counts = {"voice": (sim_sl * resolved, resolved, sim_ab * resolved)}
    m = NS(service_level=np.full(n, f_sl), abandon_rate=np.full(n, f_ab))
    return q, counts, {"voice": (m, np.full(n, 50.0))}


def test_floor_shifts_measure_the_formula_against_the_simulation():
    """Intervals near the floor (60%) run at 71% in simulation where the formula says
    62%: the floor is lowered by 9 points; the abandonment ceiling (10%) raised by
    the formula's excess over the simulation near it (3 points)."""
    from ccwfm.plan.integrated import _floor_shifts

    q, counts, formula = _floor_case()
    down, up = _floor_shifts([q], counts, formula)["voice"]
    assert down == pytest.approx(0.09) and up == pytest.approx(0.03)
    # Intervals far from the floor and ceiling say nothing about them.
    q, counts, formula = _floor_case(f_sl=0.9, f_ab=0.01)
    assert _floor_shifts([q], counts, formula) == {}
    # Too few intervals near the floor; the interval level (the floor is the target).
    q, counts, formula = _floor_case(n=10)
    assert _floor_shifts([q], counts, formula) == {}
    q, counts, formula = _floor_case(level="interval")
    assert _floor_shifts([q], counts, formula) == {}
    # Clipped: a formula far too pessimistic moves the floor 20 points at most.
    q, counts, formula = _floor_case(sim_sl=0.99, sim_ab=0.0)
    assert _floor_shifts([q], counts, formula)["voice"] == pytest.approx((0.2, 0.09))


def test_floor_shift_lowers_the_floor_in_the_program():
    """The program's floor with a shift is the formula's agents for the lowered
    service level (Erlang A, independent), and models are not reused across shifts."""
    from ccwfm import erlang
    from ccwfm.plan.least_cost import QueueDemand, _queue_models

    q, req, w, end = _case(days=1)
    vol = req["agent_volume"].to_numpy(float)
    aht = req["agent_aht"].to_numpy(float)
    base, = _queue_models([QueueDemand(q, vol, aht, {})], (), interval=30, per_day=48,
                          weekday0=0)
    low, = _queue_models([QueueDemand(q, vol, aht, {}, (0.1, 0.0))], (base,), interval=30,
                         per_day=48, weekday0=0)
    live = vol > 0
    want = erlang.required_agents(vol[live], aht[live], service_level=0.5, target_time=20,
                                  interval=1800.0, patience=180.0, fractional=True)
    np.testing.assert_allclose(low.lo[live], want, rtol=1e-9)
    assert (low.lo[live] <= base.lo[live] + 1e-9).all() and (low.lo < base.lo - 1e-6).any()


def test_long_horizon_repair_simulates_windows_only(monkeypatch):
    """Beyond FULL_WEEKS a repair simulates again only the days around those scheduled
    again (a warm-up day before, the day after), on [seed, 3, k, window, part]: the
    other periods keep their confirmation, and the mean KPIs stay one row per
    interval, in order.  Here the confirmation is made to miss day 4 (from 0)."""
    from ccwfm.plan import integrated as it

    monkeypatch.setattr(it, "FULL_WEEKS", 1)
    monkeypatch.setattr(it, "TUNE_WEEKS", 1)
    q, req, w, end = _case(days=10)
    real, real_sim = it._confirm, it._simulate_queues
    confirmed, simulated = [], []

    def confirm(*args):
        table, sim, reps = real(*args)
        table = table.copy()
        miss = table["period"] == START + pd.Timedelta(days=4)
        table.loc[miss, ["simulated", "low", "high", "met"]] = [0.7, 0.69, 0.71, False]
        confirmed.append(table)
        return table, sim, reps

    def simulate_queues(jobs):
        simulated.append([(j[6], len(j[7])) for j in jobs])
        return real_sim(jobs)

    monkeypatch.setattr(it, "_confirm", confirm)
    monkeypatch.setattr(it, "_simulate_queues", simulate_queues)
    ip = plan_integrated(req, [q], w, start=START, end=end,
                         settings=Simulation(replications=6, seed=2, max_rounds=2))
    # The confirmation once (the whole horizon), then the repair's window: day 3
    # (warm-up) to day 5 (the day after), 3 days of 48 intervals.
    assert len(confirmed) == 1
    assert simulated[-1] == [([2, 3, 0, 0, 0], 3 * 48)]
    table = ip.attainment
    keep = ~table["period"].isin([START + pd.Timedelta(days=d) for d in (4, 5)])
    np.testing.assert_allclose(table.loc[keep, "simulated"].to_numpy(),
                               confirmed[0].loc[keep.to_numpy(), "simulated"].to_numpy())
    assert len(table) == 10 and ip.holds
    sim = ip.simulated
    assert len(sim) == 10 * 48 and (sim["interval"].to_numpy() == np.arange(480)).all()
