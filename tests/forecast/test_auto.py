"""AutoForecaster: conformal quantiles by hand, model choice, calibrated intervals."""

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from ccwfm.forecast import (
    AutoForecaster,
    DailyProfile,
    History,
    WeekdayAverage,
    default_models,
    origins,
    rolling_origin,
    score,
)
from ccwfm.forecast.auto import conformal_quantiles

from ._synthetic import START, WEEKDAY, pattern, shape

# --- conformal_quantiles --------------------------------------------------------------


def _rank(n, level):
    """ceil((n + 1) (1 - a / 2)) in exact arithmetic, capped at n."""
    a = 1 - Fraction(str(level)) / 100
    return min(n, math.ceil((n + 1) * (1 - a / 2)))


@pytest.mark.parametrize("n, level, lo, hi", [
    (9, 80, 1, 9),       # ceil(10 * 0.9) = 9: the extremes
    (19, 80, 2, 18),     # ceil(20 * 0.9) = 18: second smallest and 18th
    (99, 90, 5, 95),     # ceil(100 * 0.95) = 95
    (39, 95, 1, 39),     # ceil(40 * 0.975) = 39
    (40, 95, 1, 40),     # ceil(41 * 0.975) = ceil(39.975) = 40 = n: the extremes
    (4, 50, 1, 4),       # ceil(5 * 0.75) = 4
    (7, 50, 2, 6),       # ceil(8 * 0.75) = 6
])
def test_conformal_quantiles_by_hand(n, level, lo, hi):
    r = np.random.default_rng(n).permutation(np.arange(1.0, n + 1))   # values 1..n, shuffled
    assert conformal_quantiles(r, level) == (lo, hi)


def test_conformal_quantiles_match_exact_ranks():
    rng = np.random.default_rng(0)
    for n in (1, 2, 5, 10, 37, 100, 250):
        r = rng.normal(size=n)
        s = np.sort(r)
        for level in (50, 80, 90, 95, 99, 99.5):
            k = _rank(n, level)
            assert conformal_quantiles(r, level) == (s[n - k], s[k - 1])


def test_conformal_quantiles_drop_non_finite():
    assert conformal_quantiles([np.nan, 3.0, -np.inf, 1.0, 2.0, np.inf], 50) == (1.0, 3.0)
    with pytest.raises(ValueError, match="no backtest errors to calibrate the intervals on"):
        conformal_quantiles([np.nan], 80)
    with pytest.raises(ValueError, match="no backtest errors"):
        conformal_quantiles([], 80)


def test_conformal_coverage_is_the_finite_sample_value():
    """For exchangeable errors the interval [r_(n+1-k), r_(k)] (order statistics of the n
    calibration errors) covers a new error with probability (2k - n - 1) / (n + 1): for
    n = 19 at 80%, k = 18 and the coverage is 16/20 = 0.80 exactly (a rank off by one would
    give 0.70 or 0.90).  20,000 trials give it to +-0.003 (sd); 0.01 is over 3 sd."""
    rng = np.random.default_rng(1)
    inside = []
    for _ in range(20_000):
        r = rng.standard_t(3, 20)
        lo, hi = conformal_quantiles(r[:19], 80)
        inside.append(lo <= r[19] <= hi)
    assert np.mean(inside) == pytest.approx(0.80, abs=0.01)


# --- model choice ---------------------------------------------------------------------


class Scaled(WeekdayAverage):
    """The weekday average times a constant: a deliberately biased candidate."""

    def __init__(self, factor, name, calendar=None):
        super().__init__(4, calendar)
        self.factor = factor
        self.name = name

    def _predict_queue(self, data, means, days, weekday, is_open):
        return self.factor * means[weekday]


@pytest.fixture(scope="module")
def noisy():
    return pattern(weeks=12, level=400.0, rng=np.random.default_rng(3))


@pytest.mark.parametrize("metric", ["wmape", "mase", "mae", "bias"])
def test_a_clearly_bad_candidate_loses(noisy, metric):
    h, _ = noisy
    auto = AutoForecaster([Scaled(2.0, "doubled"), WeekdayAverage(4)], metric=metric,
                          origins=3).fit(h)
    assert auto.chosen("q") == "weekday_average"
    assert auto.choice_ == {"q": ("single", ["weekday_average"])}
    out = auto.predict(7)
    alone = WeekdayAverage(4).fit(h).predict(7)
    assert out["forecast"].to_numpy() == pytest.approx(alone["forecast"].to_numpy(), rel=1e-12)
    assert out["start"].tolist() == alone["start"].tolist()


def test_ensemble_of_the_best_two_wins_when_they_err_in_opposite_ways(noisy):
    h, _ = noisy
    auto = AutoForecaster([Scaled(1.3, "high"), Scaled(0.75, "low"), Scaled(3.0, "awful")],
                          origins=3).fit(h)
    assert auto.chosen("q") == "ensemble(low+high)"
    out = auto.predict(7)
    mean = (1.3 + 0.75) / 2 * WeekdayAverage(4).fit(h).predict(7)["forecast"].to_numpy()
    assert out["forecast"].to_numpy() == pytest.approx(mean, rel=1e-12)
    table = auto.backtest_.set_index("model")
    assert list(table.index) == ["high", "low", "awful", "ensemble(low+high)"]
    assert table.loc["ensemble(low+high)", "wmape"] < table.loc["low", "wmape"]


def test_backtest_table_equals_an_independent_backtest(noisy):
    h, _ = noisy
    auto = AutoForecaster([WeekdayAverage(4), Scaled(2.0, "doubled")], origins=3,
                          lead_days=4, step_days=6).fit(h)
    days = origins(h, 3, step_days=6, lead_days=4)
    ref = score(rolling_origin(WeekdayAverage(4), h, days, lead_days=4, level=())).iloc[0]
    row = auto.backtest_.set_index("model").loc["weekday_average"]
    assert list(auto.backtest_.columns) == ["queue", "model", "wmape", "mase", "mae", "bias",
                                            "n"]
    for col in ("wmape", "mase", "mae", "bias", "n"):
        assert row[col] == pytest.approx(ref[col], rel=1e-12)
    assert row["n"] == 3 * 4 * 10                         # origins x lead days x hours


def test_persistent_days_choose_the_ar1_daily_model():
    """Day-level AR(1) with phi 0.9 around a weekly pattern, ~2,000 contacts a day: the
    AR(1) daily model follows a busy or quiet spell, the weekday average cannot."""
    rng = np.random.default_rng(0)
    n = 7 * 16
    x = np.zeros(n)
    for i in range(1, n):
        x[i] = 0.9 * x[i - 1] + rng.normal(0, 0.08)
    h, _ = pattern(weeks=16, level=2000.0, day_factor=np.exp(x), rng=rng)
    auto = AutoForecaster([WeekdayAverage(4), DailyProfile("arima")], origins=6).fit(h)
    assert auto.chosen("q") == "daily_arima"
    table = auto.backtest_.set_index("model")["wmape"]
    assert table["daily_arima"] < 0.85 * table["weekday_average"]


def test_default_candidates(noisy):
    """The default candidates are all backtested, the choice follows the published table
    (the best wMAPE, or the mean of the best two when its wMAPE is more than 3% lower),
    and the forecast is the chosen models' own, each fitted alone on the whole history."""
    names = [m.name for m in default_models()]
    assert names == ["weekday_average", "daily_arima", "daily_ets", "daily_holt", "count_glm"]
    h, _ = noisy
    auto = AutoForecaster(origins=3).fit(h)
    table = auto.backtest_.set_index("model")["wmape"]
    singles = table[names].sort_values(kind="stable")
    best2 = list(singles.index[:2])
    ensemble = "ensemble(" + "+".join(best2) + ")"
    assert sorted(table.index) == sorted(names + [ensemble])
    if table[ensemble] < 0.97 * singles.iloc[0]:
        expected = ("ensemble", best2)
    else:
        expected = ("single", [singles.index[0]])
    assert auto.choice_["q"] == expected
    out = auto.predict(7)
    alone = {m.name: m for m in default_models()}
    own = [alone[n].fit(h).predict(7, level=())["forecast"].to_numpy() for n in expected[1]]
    assert out["forecast"].to_numpy() == pytest.approx(np.mean(own, axis=0), rel=1e-9)
    assert list(out.columns) == ["queue", "start", "forecast", "lo_80", "hi_80", "lo_95",
                                 "hi_95"]
    assert (out["lo_95"] <= out["lo_80"]).all() and (out["hi_80"] <= out["hi_95"]).all()


def test_candidates_with_the_same_name_are_kept_apart():
    """Two configurations of one model are numbered apart, each with its own backtest.

    The level doubled over the last six weeks: the one-week average is far better than
    the eight-week one, so it must be chosen, and its forecast be WeekdayAverage(1)'s.
    """
    wl = [1.0] * 6 + [1.5] + [2.0] * 5
    h, _ = pattern(weeks=12, week_level=wl, rng=np.random.default_rng(1))
    auto = AutoForecaster([WeekdayAverage(1), WeekdayAverage(8)], origins=3).fit(h)
    table = auto.backtest_.set_index("model")
    assert set(table.index) == {"weekday_average", "weekday_average#2",
                                "ensemble(weekday_average+weekday_average#2)"}
    for name, m in (("weekday_average", WeekdayAverage(1)),
                    ("weekday_average#2", WeekdayAverage(8))):
        ref = score(rolling_origin(m, h, auto.origins_, lead_days=5, level=())).iloc[0]
        assert table.loc[name, "wmape"] == pytest.approx(ref["wmape"], rel=1e-12)
    assert table.loc["weekday_average", "wmape"] < 0.5 * table.loc["weekday_average#2", "wmape"]
    assert auto.choice_ == {"q": ("single", ["weekday_average"])}
    best = WeekdayAverage(1).fit(h).predict(7)["forecast"].to_numpy()
    assert auto.predict(7)["forecast"].to_numpy() == pytest.approx(best, rel=1e-9)


# --- conformal intervals --------------------------------------------------------------


def _fixed_totals(weeks=12, seed=5):
    """Daily totals fixed per weekday (600 x weekday factor), split over the hours by a
    multinomial draw: errors at interval level, none at day level (cv clipped to 0.02)."""
    rng = np.random.default_rng(seed)
    prof = shape((8, 18))
    hours, p = list(prof), np.array(list(prof.values()))
    rows = []
    for d in pd.date_range(START, periods=7 * weeks):
        if WEEKDAY[d.weekday()] == 0:
            continue
        counts = rng.multinomial(int(600 * WEEKDAY[d.weekday()]), p)
        rows += [("q", d + pd.Timedelta(hours=hr), float(c)) for hr, c in zip(hours, counts)]
    return History.from_frame(pd.DataFrame(rows, columns=["queue", "start", "volume"]),
                              interval=60)


def _own_quantiles(r, level):
    s = np.sort(r)
    k = _rank(s.size, level)
    return s[s.size - k], s[k - 1]


def test_conformal_bounds_by_hand():
    h = _fixed_totals()
    auto = AutoForecaster([WeekdayAverage(4)], origins=4).fit(h)
    assert auto.scale_c_["q"] == pytest.approx(0.02)
    # Fixed daily totals split multinomially: intervals vary less than Poisson, alpha 0.
    assert auto.scale_a_["q"] == 0.0
    # The backtest errors, scaled by sqrt(f + (c f)^2 + 1).
    res = rolling_origin(WeekdayAverage(4), h, origins(h, 4), lead_days=5, level=())
    f = res["forecast"].to_numpy()
    r = (res["actual"].to_numpy() - f) / np.sqrt(f + (0.02 * f) ** 2 + 1)
    assert r.size == 4 * 5 * 10
    out = auto.predict(7, level=(80, 95))
    point = out["forecast"].to_numpy()
    scale = np.sqrt(point + (0.02 * point) ** 2 + 1)
    for lv in (80, 95):
        lo_q, hi_q = _own_quantiles(r, lv)
        assert out[f"lo_{lv}"].to_numpy() == pytest.approx(np.maximum(point + lo_q * scale, 0),
                                                           rel=1e-9)
        assert out[f"hi_{lv}"].to_numpy() == pytest.approx(point + hi_q * scale, rel=1e-9)
    # Leave-one-origin-out coverage, computed here from the same errors.
    cov = auto.coverage_.set_index("level")["coverage"]
    assert list(auto.coverage_.columns) == ["queue", "level", "coverage"]
    assert list(cov.index) == [80.0, 95.0]
    for lv in (80, 95):
        inside = []
        for o in res["origin"].unique():
            mine = (res["origin"] == o).to_numpy()
            lo_q, hi_q = _own_quantiles(r[~mine], lv)
            inside.append((r[mine] >= lo_q) & (r[mine] <= hi_q))
        assert cov[float(lv)] == pytest.approx(np.concatenate(inside).mean(), abs=1e-12)


def test_interval_coverage_near_nominal_on_poisson_data():
    """A stationary Poisson queue with a weekly pattern (~400 a day, 12 hours, Monday-Saturday).

    The conformal intervals of an AutoForecaster refitted at 6 rolling origins cover the
    next 5 days' 360 intervals.  With independent hits the coverage has a binomial sd of
    sqrt(.8 * .2 / 360) = 0.021 at 80% and sqrt(.95 * .05 / 360) = 0.0115 at 95% (over 15
    seeds the observed spread was 0.022 and 0.008 around means of 0.798 and 0.957).  The
    tolerances are 3 binomial sd: 0.065 and 0.035.  The leave-one-origin-out estimate rests
    on 4 x 60 = 240 errors: sd 0.026 and 0.014, tolerances 0.08 and 0.04.
    """
    hours = {w: (8, 20) for w in range(6)}
    h, _ = pattern(weeks=16, level=400.0, hours=hours, rng=np.random.default_rng(0))
    model = AutoForecaster([WeekdayAverage(4), DailyProfile("ets")], origins=4)
    res = rolling_origin(model, h, origins(h, 6), lead_days=5)
    s = score(res).iloc[0]
    assert s["n"] == 360
    assert s["coverage_80"] == pytest.approx(0.80, abs=0.065)
    assert s["coverage_95"] == pytest.approx(0.95, abs=0.035)
    cov = model.fit(h).coverage_.set_index("level")["coverage"]
    assert cov[80.0] == pytest.approx(0.80, abs=0.08)
    assert cov[95.0] == pytest.approx(0.95, abs=0.04)


# --- errors ---------------------------------------------------------------------------


def test_errors_name_the_argument(noisy):
    with pytest.raises(ValueError, match="'metric' must be one of wmape, mase, mae, bias: "
                                         "'rmse'"):
        AutoForecaster(metric="rmse")
    for bad in (1, 0, True, 2.0, "8"):
        with pytest.raises(ValueError, match="'origins' must be a whole number >= 2"):
            AutoForecaster(origins=bad)
    h, _ = noisy                                           # 12 weeks
    # More origins than the history holds: as many as leave 14 days to learn from.
    many = AutoForecaster([WeekdayAverage()], origins=13).fit(h)
    first_day = h.frame["start"].min().normalize()
    assert 2 <= len(many.origins_) < 13
    assert (many.origins_[0] - first_day).days >= AutoForecaster.MIN_TRAIN_DAYS
    assert (many.origins_[0] - pd.Timedelta(days=7) - first_day).days < \
        AutoForecaster.MIN_TRAIN_DAYS                      # one more would not fit
    short = History(h.frame[h.frame["start"] < first_day + pd.Timedelta(days=21)], h.interval)
    with pytest.raises(ValueError, match="'history' is too short to choose a forecast model: "
                                         r"\d+ days; at least 26 are needed"):
        AutoForecaster([WeekdayAverage()]).fit(short)
    auto = AutoForecaster([WeekdayAverage()], origins=2).fit(h)
    with pytest.raises(ValueError, match="'horizon'"):
        auto.predict(0)
    with pytest.raises(ValueError, match="'level'"):
        auto.predict(7, level=(80, 100))
