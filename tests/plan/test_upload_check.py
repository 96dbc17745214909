"""Uploads checked completely at upload: the forecast's minimum history against the
forecast itself (brute force), every other problem found, all reported together."""

import numpy as np
import pandas as pd
import pytest

from ccwfm import forecast, plan


def _hist(ndays, weekdays=range(7), first="2025-03-03", queue="q"):
    rng = np.random.default_rng(ndays)
    rows = [(queue, s, float(rng.poisson(20)), float(rng.normal(300, 20)))
            for d in pd.date_range(first, periods=ndays, freq="D") if d.day_of_week in weekdays
            for s in pd.date_range(d + pd.Timedelta(hours=8), periods=6, freq="60min")]
    return forecast.History.from_frame(
        pd.DataFrame(rows, columns=["queue", "start", "volume", "aht"]), interval=60)


def _errors(problems):
    return [p for p in problems if p.severity == "error"]


@pytest.mark.parametrize("weekdays, days", [
    (range(7), (25, 26)), (range(5), (25, 26, 27)), ((0, 2, 4), (29, 30, 31, 32)),
    ((0, 1, 2, 3), (26, 29, 30, 32, 33)),
])
def test_the_minimum_history_is_the_forecasts_own(weekdays, days, tmp_path):
    """check_history refuses exactly the histories the forecast then fails on."""
    for n in days:
        h = _hist(n, weekdays)
        refused = bool(_errors(plan.check_history(h, weeks=1)))
        sc = plan.history_scenario(h, tmp_path, weeks=1)
        try:
            plan.forecast_demand(sc, tmp_path)
            failed = False
        except ValueError:
            failed = True
        assert refused == failed, (tuple(weekdays), n, refused, failed)


def test_a_two_interval_file_names_the_days_needed_and_found():
    two = pd.DataFrame({"queue": "voice", "start": ["2025-03-03 08:00", "2025-03-03 08:15"],
                        "volume": [5.0, 7.0], "aht": [200.0, 210.0]})
    (p,) = plan.check_history(two, weeks=4)
    assert (p.queue, p.field, p.severity) == ("voice", "history", "error")
    assert "at least 26 calendar days" in p.rule and p.value.startswith("1 day (2 intervals")
    with pytest.raises(ValueError, match="1 problems.*26 calendar days"):
        plan.raise_problems([p])


def test_every_problem_is_found_and_reported_together():
    good = _hist(40).frame
    frame = pd.concat([
        good.assign(queue="negative", aht=np.where(np.arange(len(good)) == 3, -5.0, good["aht"])),
        good.assign(queue="empty", volume=0.0),
        good.assign(queue="no aht", aht=np.nan),
        good.assign(queue="zero aht", aht=np.where(np.arange(len(good)) < 4, 0.0, good["aht"])),
        good.assign(queue="nan volume", volume=np.where(np.arange(len(good)) == 0, np.nan,
                                                        good["volume"])),
        good[~good["start"].dt.normalize().isin(pd.to_datetime(["2025-03-20", "2025-03-21"]))]
        .assign(queue="gap"),
        good.assign(queue="abandon", abandoned=good["volume"] + 1),
        good[good["start"] < "2025-03-10"].assign(queue="short"),
    ], ignore_index=True)
    problems = plan.check_history(frame, weeks=2)
    found = {(p.queue, p.field, p.severity) for p in problems}
    assert {("negative", "aht", "error"), ("empty", "volume", "error"),
            ("no aht", "aht", "error"), ("zero aht", "aht", "warning"),
            ("nan volume", "volume", "error"), ("gap", "start", "warning"),
            ("abandon", "abandoned", "warning"), ("short", "history", "error")} <= found, found
    assert [p.severity for p in problems] == sorted(p.severity for p in problems)  # errors first
    table = plan.problems_frame(problems)
    assert list(table.columns) == ["severity", "queue", "field", "rule", "value"]
    assert len(table) == len(problems)
    with pytest.raises(ValueError) as info:
        plan.raise_problems(problems)
    assert all(q in str(info.value) for q in ("negative", "empty", "no aht", "nan volume",
                                              "short"))
    assert "'gap'" not in str(info.value)                 # warnings do not block


def test_the_interval_must_fit_the_plan():
    h = _hist(30)
    (p,) = _errors(plan.check_history(h, weeks=1, interval=30))
    assert (p.field, p.value) == ("interval", "60 minutes")
    assert not _errors(plan.check_history(h, weeks=1, interval=60))
    with pytest.raises(ValueError, match="'interval' must be 15, 30 or 60 minutes"):
        plan.check_history(h, weeks=1, interval=20)
    with pytest.raises(ValueError, match="'weeks' must be"):
        plan.check_history(h, weeks=0)


def test_the_demo_history_passes_and_short_history_only_warns():
    demo = forecast.demo_history(seed=1, start=pd.Timestamp("2025-01-06"), weeks=12, interval=15)
    assert plan.check_history(demo, weeks=4) == []
    warn = plan.check_history(_hist(35), weeks=1)
    assert warn and all(p.severity == "warning" for p in warn)
    assert any("steady weekly pattern" in p.rule for p in warn)
