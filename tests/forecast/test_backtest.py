"""Rolling-origin backtests and their scores, checked by hand on tiny hand-built series."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from ccwfm.forecast import (
    History,
    SeasonalNaive,
    WeekdayAverage,
    origins,
    rolling_origin,
    score,
)
from ccwfm.forecast._base import queue_data
from ccwfm.forecast.backtest import naive_scale
from ccwfm.forecast.calendar import Calendar

START = pd.Timestamp("2024-01-01")          # a Monday
Z80 = 1.2815515655446004                    # standard normal 90% quantile
Z95 = 1.959963984540054                     # standard normal 97.5% quantile


def _table(n_days=21):
    """``y[d, s]``: two slots a day (09:00, 10:00), every day open.

    The daily total depends on the weekday only (20 + 4 * weekday), so the
    queue's day-to-day variation is 0 (clipped to 0.02 by the models), while
    the split between the two slots changes every day: forecasts err.
    """
    y = np.zeros((n_days, 2))
    for d in range(n_days):
        total = 20 + 4 * (d % 7)
        a = (3 * d) % 11 + 3
        y[d] = (a, total - a)
    return y


def _history(y, skip_weekdays=()):
    rows = []
    for d in range(len(y)):
        day = START + pd.Timedelta(days=d)
        if day.weekday() in skip_weekdays:
            continue
        for s, hour in enumerate((9, 10)):
            rows.append(("q", day + pd.Timedelta(hours=hour), y[d, s]))
    return History.from_frame(pd.DataFrame(rows, columns=["queue", "start", "volume"]),
                              interval=60)


def _day(d):
    return START + pd.Timedelta(days=d)


def _alpha(y):
    """Interval dispersion of ``y`` (days x 2 slots, day ``d`` on weekday ``d % 7``) by hand.

    The Poisson GLM ``log mu = day + weekday x slot`` fitted by statsmodels, then
    the moments estimate ``(RSS n / (n - p) - sum mu) / sum mu^2``, floored at 0.
    """
    n_days = len(y)
    day = np.repeat(np.arange(n_days), 2)
    cell = np.repeat(np.arange(n_days) % 7, 2) * 2 + np.tile([0, 1], n_days)
    cells = np.unique(cell)
    x = np.column_stack([(cell == c).astype(float) for c in cells]
                        + [(day == d).astype(float) for d in range(1, n_days)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")               # the design is rank-deficient
        mu = sm.GLM(y.ravel(), x, family=sm.families.Poisson()).fit(tol=1e-14).fittedvalues
    n, p = y.size, np.linalg.matrix_rank(x)           # parameters that are identified
    rss = ((y.ravel() - mu) ** 2).sum() * n / (n - p)
    return max((rss - mu.sum()) / (mu ** 2).sum(), 0.0)


def _normal(f, cv, z, alpha=0.0, factor=1.0):
    """Normal bounds with variance (f + (alpha + cv^2) f^2) x factor, floored at 0."""
    sd = np.sqrt((f + (alpha + cv ** 2) * f ** 2) * factor)
    return np.maximum(f - z * sd, 0.0), f + z * sd


# --- rolling_origin ------------------------------------------------------------------


def test_seasonal_naive_backtest_by_hand():
    y = _table()
    h = _history(y)
    res = rolling_origin(SeasonalNaive(), h, [_day(14)], lead_days=3)
    assert list(res.columns) == ["queue", "origin", "lead", "start", "actual", "forecast",
                                 "lo_80", "hi_80", "lo_95", "hi_95", "scale"]
    # Days 14, 15, 16 (leads 1-3), two slots each.
    assert res["lead"].tolist() == [1, 1, 2, 2, 3, 3]
    expected_start = [_day(d) + pd.Timedelta(hours=hr) for d in (14, 15, 16) for hr in (9, 10)]
    assert res["start"].tolist() == expected_start
    assert (res["origin"] == _day(14)).all() and (res["queue"] == "q").all()
    assert res["actual"].tolist() == y[14:17].ravel().tolist()
    # Seasonal naive: the same weekday a week earlier.
    f = y[7:10].ravel()
    assert res["forecast"].tolist() == f.tolist()
    # MASE scale: mean |y[d] - y[d-7]| over the 14 days known at the origin.
    scale = np.abs(y[7:14] - y[0:7]).mean()
    assert res["scale"].tolist() == pytest.approx([scale] * 6, rel=1e-12)
    # Normal bounds: Poisson variance, cv 0.02 (weekday totals never vary), the slots'
    # extra variation (alpha of the 14 days known at the origin: 0, the split varies
    # less than Poisson's), all doubled: a seasonal naive errs by the difference of two
    # draws.
    alpha = _alpha(y[:14])
    lo80, hi80 = _normal(f, 0.02, Z80, alpha, 2.0)
    lo95, hi95 = _normal(f, 0.02, Z95, alpha, 2.0)
    assert res["lo_80"].to_numpy() == pytest.approx(lo80, rel=1e-9)
    assert res["hi_80"].to_numpy() == pytest.approx(hi80, rel=1e-9)
    assert res["lo_95"].to_numpy() == pytest.approx(lo95, rel=1e-9)
    assert res["hi_95"].to_numpy() == pytest.approx(hi95, rel=1e-9)


def test_weekday_average_two_origins_by_hand():
    y = _table()
    h = _history(y)
    days = origins(h, 2, step_days=3, lead_days=3)
    # The last origin leaves days 18, 19, 20; the first is 3 days earlier.
    assert days == [_day(15), _day(18)]
    res = rolling_origin(WeekdayAverage(weeks=2), h, days, lead_days=3, level=())
    assert list(res.columns) == ["queue", "origin", "lead", "start", "actual", "forecast",
                                 "scale"]
    for o in (15, 18):
        r = res[res["origin"] == _day(o)]
        assert r["lead"].tolist() == [1, 1, 2, 2, 3, 3]
        assert r["actual"].tolist() == y[o:o + 3].ravel().tolist()
        # The mean of the last two occurrences of the weekday before the origin.
        f = np.array([(y[d - 7] + y[d - 14]) / 2 for d in range(o, o + 3)]).ravel()
        assert r["forecast"].to_numpy() == pytest.approx(f, rel=1e-12)
        scale = np.abs(y[7:o] - y[0:o - 7]).mean()
        assert r["scale"].to_numpy() == pytest.approx(np.full(6, scale), rel=1e-12)


def test_leads_stop_at_the_end_of_the_history():
    y = _table()
    res = rolling_origin(SeasonalNaive(), _history(y), [_day(19)], lead_days=3, level=())
    # Only days 19 and 20 exist after the origin.
    assert res["lead"].tolist() == [1, 1, 2, 2]
    assert res["forecast"].tolist() == y[12:14].ravel().tolist()


def test_lead_counts_days_with_data_only():
    """A queue closed on Sundays: the lead skips the Sunday."""
    y = _table(22)
    h = _history(y, skip_weekdays=(6,))
    # Origin Friday (day 18): Friday, Saturday, then Monday (day 21).
    res = rolling_origin(SeasonalNaive(), h, [_day(18)], lead_days=3, level=())
    assert res["lead"].tolist() == [1, 1, 2, 2, 3, 3]
    assert sorted(set(res["start"].dt.normalize())) == [_day(18), _day(19), _day(21)]
    assert res["actual"].tolist() == y[[18, 19, 21]].ravel().tolist()
    assert res["forecast"].tolist() == y[[11, 12, 14]].ravel().tolist()


def test_rolling_origin_leaves_the_model_unfitted():
    m = WeekdayAverage(weeks=2)
    rolling_origin(m, _history(_table()), [_day(14)], lead_days=2)
    assert not hasattr(m, "data_")


def test_rolling_origin_sees_only_the_past():
    """Changing the future after an origin does not change that origin's forecasts."""
    y = _table()
    y2 = y.copy()
    y2[14:] *= 3.0
    a = rolling_origin(WeekdayAverage(weeks=2), _history(y), [_day(14)], lead_days=3)
    b = rolling_origin(WeekdayAverage(weeks=2), _history(y2), [_day(14)], lead_days=3)
    assert a["forecast"].tolist() == b["forecast"].tolist()
    assert b["actual"].tolist() == (3 * y[14:17]).ravel().tolist()


def test_naive_scale_by_hand():
    y = _table()
    data = queue_data(_history(y), "q", Calendar.empty())
    assert naive_scale(data) == pytest.approx(np.abs(y[7:] - y[:-7]).mean(), rel=1e-12)
    short = queue_data(_history(y[:7]), "q", Calendar.empty())
    assert math.isnan(naive_scale(short))


# --- score ---------------------------------------------------------------------------


def _results():
    return pd.DataFrame({
        "queue": ["a", "a", "a", "a", "b", "b"],
        "lead": [1, 1, 2, 2, 1, 2],
        "actual": [10.0, 20.0, 30.0, 40.0, 5.0, 5.0],
        "forecast": [12.0, 18.0, 33.0, 40.0, 4.0, 8.0],
        "lo_80": [11.0, 15.0, 25.0, 41.0, 5.0, 6.0],   # a: out, in, in, out; b: in (edge), out
        "hi_80": [13.0, 20.0, 35.0, 45.0, 6.0, 9.0],   # a: 20 == hi counts as inside
        "lo_95": [9.0, 15.0, 25.0, 35.0, 3.0, 4.0],    # all inside but the last b
        "hi_95": [14.0, 21.0, 36.0, 45.0, 7.0, 4.5],
        "scale": [2.0, 2.0, 4.0, 4.0, 1.0, 2.0],
    })


def test_score_by_hand():
    s = score(_results()).set_index("queue")
    assert list(s.columns) == ["wmape", "mase", "mae", "bias", "coverage_80", "coverage_95",
                               "n"]
    # Queue a: errors 2, 2, 3, 0 on actuals summing to 100.
    a = s.loc["a"]
    assert a["wmape"] == pytest.approx(7 / 100)
    assert a["mase"] == pytest.approx((2 / 2 + 2 / 2 + 3 / 4 + 0 / 4) / 4)
    assert a["mae"] == pytest.approx(7 / 4)
    assert a["bias"] == pytest.approx((2 - 2 + 3 + 0) / 100)
    assert a["coverage_80"] == pytest.approx(2 / 4)
    assert a["coverage_95"] == pytest.approx(4 / 4)
    assert a["n"] == 4
    # Queue b: errors 1, 3 on actuals 5, 5; forecast -1 then +3.
    b = s.loc["b"]
    assert b["wmape"] == pytest.approx(4 / 10)
    assert b["mase"] == pytest.approx((1 / 1 + 3 / 2) / 2)
    assert b["mae"] == pytest.approx(2.0)
    assert b["bias"] == pytest.approx(2 / 10)
    assert b["coverage_80"] == pytest.approx(1 / 2)
    assert b["coverage_95"] == pytest.approx(1 / 2)
    assert b["n"] == 2


def test_score_by_queue_and_lead():
    s = score(_results(), by=("queue", "lead"))
    assert s[["queue", "lead"]].values.tolist() == [["a", 1], ["a", 2], ["b", 1], ["b", 2]]
    row = s[(s["queue"] == "a") & (s["lead"] == 2)].iloc[0]
    assert row["wmape"] == pytest.approx(3 / 70)
    assert row["bias"] == pytest.approx(3 / 70)
    assert row["mase"] == pytest.approx((3 / 4 + 0) / 2)
    assert row["n"] == 2


def test_score_of_a_backtest_matches_hand_arithmetic():
    y = _table()
    res = rolling_origin(SeasonalNaive(), _history(y), [_day(14)], lead_days=5)
    actual, f = y[14:19].ravel(), y[7:12].ravel()
    scale = np.abs(y[7:14] - y[0:7]).mean()
    lo80, hi80 = _normal(f, 0.02, Z80, _alpha(y[:14]), 2.0)
    s = score(res).iloc[0]
    assert s["wmape"] == pytest.approx(np.abs(actual - f).sum() / actual.sum(), rel=1e-12)
    assert s["mase"] == pytest.approx(np.abs(actual - f).mean() / scale, rel=1e-12)
    assert s["bias"] == pytest.approx((f - actual).sum() / actual.sum(), rel=1e-12)
    assert s["coverage_80"] == pytest.approx(((actual >= lo80) & (actual <= hi80)).mean())
    assert s["n"] == 10
    # The series is built so that this check has teeth: some intervals miss.
    assert 0 < s["coverage_80"] < 1


# --- origins -------------------------------------------------------------------------


def test_origins_spacing_and_last():
    y = _table(28)
    h = _history(y)
    assert origins(h, 3, step_days=7, lead_days=5) == [_day(9), _day(16), _day(23)]
    assert origins(h, 1, lead_days=1) == [_day(27)]
    assert origins(h, 4, step_days=2, lead_days=3) == [_day(19), _day(21), _day(23), _day(25)]


def test_origins_count_days_with_data_only():
    """Closed Sundays: the last origin leaves ``lead_days`` days with data, not calendar days."""
    y = _table(27)                       # ends on Saturday, day 26
    h = _history(y, skip_weekdays=(6,))
    # Back from Saturday 26, the last five days with data are 26, 25, 24, 23, 22 (Mon-Sat).
    assert origins(h, 1, lead_days=5) == [_day(22)]
    # Seven days with data back from day 26 skip Sunday 20: 26..21, 19.
    assert origins(h, 1, lead_days=7) == [_day(19)]


def test_origins_accepts_prepared_data():
    y = _table()
    h = _history(y)
    data = {"q": queue_data(h, "q", Calendar.empty())}
    assert origins(data, 2, step_days=7, lead_days=3) == origins(h, 2, step_days=7, lead_days=3)


def test_origins_errors():
    h = _history(_table())                      # 21 days with data
    with pytest.raises(ValueError, match="the history has 21 days: too short for 21 days"):
        origins(h, 1, lead_days=21)
    # The last origin is day 18; three origins 7 days apart start on day 4: fine.
    assert origins(h, 3, step_days=7, lead_days=3) == [_day(4), _day(11), _day(18)]
    # A fourth would start before the history.
    with pytest.raises(ValueError, match="'origins': 4 origins 7 days apart start before the "
                                         "history \\(2024-01-01\\)"):
        origins(h, 4, step_days=7, lead_days=3)


def test_origins_first_day_is_refused():
    h = _history(_table())
    # Last origin day 18, step 9: [0, 9, 18] starts on the first day: nothing to learn from.
    with pytest.raises(ValueError, match="'origins'"):
        origins(h, 3, step_days=9, lead_days=3)
    assert origins(h, 2, step_days=9, lead_days=3) == [_day(9), _day(18)]


@pytest.mark.parametrize("kwargs, name", [
    ({"count": 0}, "count"),
    ({"count": -1}, "count"),
    ({"count": 2, "step_days": 0}, "step_days"),
    ({"count": 2, "lead_days": 0}, "lead_days"),
])
def test_origins_bad_arguments_name_the_argument(kwargs, name):
    h = _history(_table())
    with pytest.raises(ValueError, match=name):
        origins(h, **kwargs)
