"""The whole pipeline on a given forecast: conservation of hours and weeks."""

import numpy as np
import pandas as pd
import pytest

from ccwfm.plan import Scenario, run

TOML = """
[scenario]
name = "midweek"
start = 2024-03-07          # a Thursday: the horizon spans two calendar weeks
weeks = 1

[[queues]]
name = "voice"
forecast = "fc.csv"
target = { service_level = 0.8, target_time = 20 }

[workforce]
interval = 30
hourly_cost = 20.0
shrinkage = { absence = 0.1 }

[capacity]
fte_hours = 40.0

[simulation]
verify = false
"""


def _weekday_forecast(folder):
    """fc.csv: 40 contacts per half hour, 08:00-18:00 on weekdays, a week from Thursday."""
    grid = pd.date_range("2024-03-07", periods=7 * 48, freq="30min")
    hour = grid.hour + grid.minute / 60
    vol = np.where((hour >= 8) & (hour < 18) & (grid.day_of_week < 5), 40.0, 0.0)
    pd.DataFrame({"queue": "voice", "start": grid, "forecast": vol, "aht": 240.0}).to_csv(
        folder / "fc.csv", index=False)


@pytest.fixture()
def result(tmp_path):
    _weekday_forecast(tmp_path)
    return run(Scenario.from_toml(TOML), base_dir=tmp_path)


def test_capacity_weeks_cover_every_shift_of_a_midweek_horizon(result):
    cap = result.capacity
    assert [w.date().isoformat() for w in cap["week"]] == ["2024-03-04", "2024-03-11"]
    # Every paid hour of the schedule is in some week's required FTE.
    paid = sum(r.agents * 8.0 for r in result.shifts.itertuples() if r.template == "full") + \
        sum(r.agents * 4.0 for r in result.shifts.itertuples() if r.template == "part")
    assert (cap["required_fte"] * 40.0).sum() == pytest.approx(paid)
    assert cap.loc[cap.index[1], "required_fte"] > 0           # Mon 11 - Wed 13 March
    # No headcount given: the first week with work sets it.
    assert cap["headcount_start"].iloc[0] == np.ceil(cap["required_fte"].iloc[0])


@pytest.fixture()
def two_step(tmp_path):
    _weekday_forecast(tmp_path)
    toml = TOML.replace("[workforce]\n", '[workforce]\nscheduling = "two_step"\n')
    return run(Scenario.from_toml(toml), base_dir=tmp_path)


def test_integrated_meets_the_day_target_for_less_than_two_step(result):
    """Default integrated scheduling: every day meets 80% in 20 s by formula with
    the agents on the phones, and pays less than covering every interval."""
    from ccwfm import erlang
    req = result.requirements
    a = result.achieved.set_index("start")
    m = erlang.metrics(a["agents"].to_numpy(), req["agent_volume"].to_numpy(),
                       req["agent_aht"].to_numpy(), target_time=20, interval=1800.0)
    day = req["start"].dt.normalize().to_numpy()
    vol = req["agent_volume"].to_numpy()
    for d in np.unique(day[vol > 0]):
        sel = (day == d) & (vol > 0)
        assert float(m.service_level[sel] @ vol[sel]) >= 0.8 * vol[sel].sum() - 1e-6
        assert (m.service_level[sel] >= 0.6 - 1e-6).all()            # the interval floor
    comp = result.comparison
    assert comp["paid_hours"] < comp["paid_hours_two_step"]
    assert result.costs.wages == pytest.approx(comp["wages"])
    assert result.attainment.empty                # verify = false: nothing simulated


def test_schedule_covers_the_requirement_grossed_up(two_step):
    result = two_step
    cov = result.coverage
    req = result.requirements.set_index("start")["required"]
    need = np.ceil(req / 0.9 - 1e-9)
    got = cov.set_index("start")["scheduled"].reindex(need.index)
    assert (got >= need - 1e-9).all()
    assert result.costs.wages == pytest.approx(
        20.0 * (result.capacity["required_fte"] * 40.0).sum())


def test_paid_breaks_in_templates_are_paid_and_covered(tmp_path):
    grid = pd.date_range("2024-03-07", periods=7 * 48, freq="30min")
    hour = grid.hour + grid.minute / 60
    vol = np.where((hour >= 9) & (hour < 17), 30.0, 0.0)
    pd.DataFrame({"queue": "voice", "start": grid, "forecast": vol, "aht": 240.0}).to_csv(
        tmp_path / "fc.csv", index=False)
    toml = TOML + """
[[workforce.shifts]]
name = "day"
length = 8.5
first = "08:30"
last = "09:30"
step = 30
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
unpaid_break = 30
paid_breaks = [30]
paid_break_offsets = [120]
"""
    toml = toml.replace("[workforce]\n", '[workforce]\nscheduling = "two_step"\n')
    res = run(Scenario.from_toml(toml), base_dir=tmp_path)
    assert set(res.shifts["template"]) == {"day"}
    paid = 8.0 * res.shifts["agents"].sum()
    assert res.costs.wages == pytest.approx(20.0 * paid)
    # Agents on duty never exceed the agents on shift minus those on a break: the
    # coverage is what the starts give with both breaks taken out, minute by minute.
    day0 = pd.Timestamp("2024-03-07")
    on = np.zeros(7 * 48 * 30)
    for r in res.shifts.itertuples():
        s = int((r.start - day0) / pd.Timedelta(minutes=1))
        mask = np.ones(510, dtype=bool)
        mask[120:150] = False                     # the paid break
        mid = 2 * s + 510
        q, rem = divmod(mid, 60)                  # unpaid break at the 30-min boundary
        off = (q + (rem > 30)) * 30 - s           # nearest the middle, ties earlier
        mask[off:off + 30] = False
        idx = s + np.flatnonzero(mask)
        idx = idx[idx < on.size]
        on[idx] += r.agents
    want = on.reshape(-1, 30).mean(axis=1)
    got = res.coverage.set_index("start")["scheduled"].reindex(grid).to_numpy()
    np.testing.assert_allclose(got, want)
    need = np.ceil(res.requirements.set_index("start")["required"] / 0.9 - 1e-9)
    assert (res.coverage.set_index("start")["scheduled"].reindex(need.index) >= need).all()
