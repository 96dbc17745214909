"""Forecast accuracy judged against the truth the data were drawn from, across seeds.

Every history here comes from :func:`._synthetic.simulate`: interval counts
drawn around a known expectation (weekday x intraday profile, a trend,
calendar effects, Poisson or overdispersed noise).  A forecast is judged
against that expectation (:class:`._synthetic.Truth`), not against noisy
actuals, so the noise left in a check is only the model's estimation error,
which the data are sized to keep small:

* a daily total of ~3,000 contacts (Monday to Saturday, 16 weeks of
  history), 14 days ahead: ~34,000 expected contacts in the horizon.  The
  estimation error of the horizon total of a model that averages 2 to 4
  weeks is 0.3 to 0.6% (Poisson); measured over 20 seeds, the
  AutoForecaster's error had a standard deviation of 0.3 to 0.8% in every
  scenario below (the most where the backtest now and then picks a
  model that follows a trend more slowly), and a mean within 0.25% of 0;
* the horizon total must be within ``BOUND`` = 2.5% of the truth: over 3
  standard deviations of that noise, while a 5% bias misses it by 2.5
  points (also over 3 standard deviations), so the check passes an unbiased
  forecast and rejects a 5% bias on nearly every seed
  (:func:`test_the_checks_reject_a_five_percent_bias` shows the rejection).
  Before Holt's trend joined the default candidates, the AutoForecaster
  fell behind a trend: on the "growth" data its error averaged -2.5% and 9
  of 20 seeds failed (now -0.2%, none).

The default run uses ``SEEDS`` seeds per scenario; ``-m slow`` reruns every
check on ``SLOW_SEEDS`` seeds.
"""

import functools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ccwfm.forecast import AhtForecaster, AutoForecaster, WeekdayAverage, default_models

from ._synthetic import START, simulate

WEEKS = 16                                      # weeks of history
HORIZON = 14                                    # days forecast
FIRST = START + pd.Timedelta(days=7 * WEEKS)    # the Monday after the history
BOUND = 0.025                                   # horizon total: |forecast / truth - 1|
SEEDS = range(3)
SLOW_SEEDS = range(20)


def _day(week, weekday):
    return START + pd.Timedelta(days=7 * week + weekday)


#: Holidays, special days and tagged events in the history and in the horizon
#: (weeks 16 and 17): two closed days, a day at 70%, two billing days (x1.4, learned
#: from five past ones) and a mailing day (x1.25, learned from three).
CALENDAR = dict(
    closed=[_day(3, 0), _day(7, 4), _day(11, 2), _day(16, 3), _day(17, 0)],
    multiplier={_day(5, 1): 0.6, _day(13, 4): 1.3, _day(16, 1): 0.7},
    events={"billing": (1.4, [_day(w, 2) for w in (2, 6, 10, 14, 16, 17)]),
            "mailing": (1.25, [_day(4, 3), _day(9, 3), _day(15, 0), _day(17, 4)])})

SCENARIOS = {
    # Poisson counts around a fixed weekly pattern.
    "stationary": dict(),
    # Negative binomial per 15-minute interval, var = mu + 0.02 mu^2 (an interval of
    # ~75 contacts varies 1.8 times as much as a Poisson one).
    "overdispersed": dict(alpha=0.02, interval=15),
    # Whole days busier or quieter than expected: a Gamma day factor with cv 3%.
    "busy_days": dict(day_cv=0.03),
    # +1% of the first week's level every week (+16% over the history).
    "linear_trend": dict(trend=0.01),
    # +2% a week, compounded (x1.37 over the history).
    "growth": dict(trend=0.02, trend_kind="multiplicative"),
    # -1% a week, compounded.
    "decline": dict(trend=-0.01, trend_kind="multiplicative"),
    "calendar": CALENDAR,
}
DEFAULT = ["stationary", "overdispersed", "busy_days", "linear_trend", "growth", "calendar"]

#: Interval-level wMAPE against the truth: the estimation error of ~300 contacts an
#: hour, averaged over 16 weekdays (1.4%), with the recent-shape tilt (0.9%), is ~1.5%
#: (measured max 2.2% over 20 seeds); 15-minute negative-binomial intervals ~4.6%
#: (max 5.2%).  A profile one hour off scores 15% or more.
SHAPE_BOUND = {"overdispersed": 0.07}
SHAPE_DEFAULT = 0.035


@functools.lru_cache(maxsize=None)
def _data(scenario, seed):
    return simulate(seed, weeks=WEEKS, **SCENARIOS[scenario])


@functools.lru_cache(maxsize=None)
def _auto(scenario, seed):
    h, truth, cal = _data(scenario, seed)
    model = AutoForecaster(calendar=cal).fit(h)
    return model, model.predict(HORIZON, level=())


def _total_error(out, truth):
    """Forecast total of the horizon over the true expected total, minus 1."""
    return out["forecast"].sum() / truth.total(FIRST, HORIZON) - 1


def _shape_error(out, truth):
    """wMAPE of the interval forecasts against the true expectation."""
    t = truth.volume(out["start"])
    return np.abs(out["forecast"].to_numpy() - t).sum() / t.sum()


def _accuracy(scenario, seeds):
    rows = []
    for seed in seeds:
        model, out = _auto(scenario, seed)
        truth = _data(scenario, seed)[1]
        rows.append((seed, model.chosen("q"), _total_error(out, truth),
                     _shape_error(out, truth),
                     out["start"].tolist() == truth.open_starts(FIRST, HORIZON).tolist()))
    return pd.DataFrame(rows, columns=["seed", "model", "total", "shape", "rows"])


def _check_accuracy(scenario, seeds):
    res = _accuracy(scenario, seeds)
    bound = SHAPE_BOUND.get(scenario, SHAPE_DEFAULT)
    ok = res["rows"] & (res["total"].abs() < BOUND) & (res["shape"] < bound)
    assert ok.all(), (f"{scenario}: {int(ok.sum())} of {len(res)} seeds pass "
                      f"(total within {BOUND:.1%}, wMAPE vs truth < {bound:.1%}):\n{res}")


@pytest.mark.parametrize("scenario", DEFAULT)
def test_auto_forecast_matches_the_truth(scenario):
    """The AutoForecaster (the plan's model), 14 days ahead: every open interval of the
    horizon and nothing else, its total within 2.5% of the true expected total, and the
    interval forecasts within SHAPE_BOUND wMAPE of the truth, on every seed."""
    _check_accuracy(scenario, SEEDS)


@pytest.mark.slow
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_auto_forecast_matches_the_truth_on_many_seeds(scenario):
    _check_accuracy(scenario, SLOW_SEEDS)


def _check_candidates(scenario, seeds):
    errors = {}
    for seed in seeds:
        h, truth, _ = _data(scenario, seed)
        for m in default_models():
            errors.setdefault(m.name, []).append(
                _total_error(m.fit(h).predict(HORIZON, level=()), truth))
    for name, e in errors.items():
        e = np.array(e)
        assert (np.abs(e) < BOUND).all(), (scenario, name, e)
        if len(e) >= 10:              # the mean over seeds: a bias of 1% would show
            assert abs(e.mean()) < 4 * e.std(ddof=1) / np.sqrt(len(e)), (scenario, name, e)


@pytest.mark.parametrize("scenario", ["stationary", "overdispersed"])
def test_every_default_candidate_is_unbiased_on_stationary_data(scenario):
    """Each candidate the AutoForecaster chooses from, alone: on data without trend or
    calendar every one must hit the horizon total within 2.5% (the AutoForecaster's test
    alone would let a biased candidate hide behind the others).  The noisiest, the count
    model's two-week level, errs by 0.5% (Poisson) and 0.7% (overdispersed) sd here;
    under ``slow`` the mean over 20 seeds must also be within 4 standard errors of 0."""
    _check_candidates(scenario, SEEDS)


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["stationary", "overdispersed"])
def test_every_default_candidate_is_unbiased_on_many_seeds(scenario):
    _check_candidates(scenario, SLOW_SEEDS)


def test_special_days_in_the_horizon_match_the_truth():
    """Each multiplier and event day of the horizon within 4% of its true total: its
    forecast errs by ~0.6% (the day) plus ~0.7% (the uplift learned from 3 to 5 past
    events), sd ~1% (measured max 1.8% over 10 seeds); ignoring the day's effect would
    miss by 25% to 40%.  Closed days have no rows."""
    special = [_day(16, 1), _day(16, 2), _day(17, 2), _day(17, 4)]
    for seed in SEEDS:
        model, out = _auto("calendar", seed)
        truth = _data("calendar", seed)[1]
        day = out["start"].dt.normalize()
        assert not day.isin([_day(16, 3), _day(17, 0)]).any()
        for d in special:
            sel = out[day == d]
            err = sel["forecast"].sum() / truth.volume(sel["start"]).sum() - 1
            assert abs(err) < 0.04, (seed, d.date(), err)
        assert model.uplift_["q"] == pytest.approx({"billing": 1.4, "mailing": 1.25},
                                                   rel=0.04)


def test_the_checks_reject_a_five_percent_bias():
    """The checks have power: the same forecasts scaled by 1.05 or 0.95 fail the total
    check on every seed and scenario; shifted one hour later they fail the interval check;
    a model that ignores the trend (the 4-week weekday average) fails on growth data; the
    AutoForecaster without the calendar fails on calendar data."""
    for scenario in DEFAULT:
        for seed in SEEDS:
            _, out = _auto(scenario, seed)
            truth = _data(scenario, seed)[1]
            for factor in (1.05, 0.95):
                assert abs(_total_error(out.assign(forecast=factor * out["forecast"]),
                                        truth)) >= BOUND
            later = out.assign(start=out["start"] + pd.Timedelta(hours=1))
            later = later[later["start"].isin(out["start"])]
            assert _shape_error(later, truth) >= 2 * SHAPE_BOUND.get(scenario, SHAPE_DEFAULT)
    for seed in SEEDS:
        h, truth, cal = _data("growth", seed)
        flat = WeekdayAverage(4).fit(h).predict(HORIZON, level=())
        assert _total_error(flat, truth) < -BOUND
        h, truth, cal = _data("calendar", seed)
        blind = AutoForecaster().fit(h).predict(HORIZON, level=())
        assert abs(_total_error(blind, truth)) >= BOUND


# --- prediction intervals on fresh actuals -----------------------------------------------

COVERAGE = {
    "poisson": dict(interval=15),
    "overdispersed": dict(interval=15, alpha=0.05),
    "busy_days": dict(interval=15, day_cv=0.08),
}


def _coverage(scenario, seeds):
    """Pooled hits of the 80% and 95% intervals on fresh actuals, and the sizes behind them.

    Each seed: a history, the AutoForecaster's 14-day forecast with intervals, and new
    actuals drawn from the truth with the same noise from a different seed.  Returns
    per-interval hits, the day of each, whether the interval is among the busiest third
    of its seed's forecasts, and the conformal calibration size per seed.
    """
    kw = COVERAGE[scenario]
    hits, days, busy, n_cal = {80: [], 95: []}, [], [], []
    for seed in seeds:
        h, truth, cal = simulate(seed, weeks=WEEKS, level=3000.0, **kw)
        model = AutoForecaster(calendar=cal).fit(h)
        out = model.predict(HORIZON, level=(80, 95))
        actual = truth.draw(out["start"], np.random.default_rng(10_000 + seed),
                            alpha=kw.get("alpha", 0.0), day_cv=kw.get("day_cv", 0.0))
        for lv in (80, 95):
            hits[lv].append((actual >= out[f"lo_{lv}"]) & (actual <= out[f"hi_{lv}"]))
        days.append(out["start"].dt.normalize().astype(str) + f"/{seed}")
        busy.append((out["forecast"] >= out["forecast"].quantile(2 / 3)).to_numpy())
        n_cal.append(len(model.residuals_["q"]))
    return ({lv: np.concatenate(v) for lv, v in hits.items()}, pd.concat(days).to_numpy(),
            np.concatenate(busy), np.array(n_cal))


def _check_coverage(scenario, seeds, clustered=False):
    """Pooled coverage within 3 standard errors of nominal, overall and in the busiest
    third of the intervals (where staffing is decided).

    Independent counts (Poisson, negative binomial per interval): the binomial variance
    of the pooled hits, p (1 - p) / n, plus that of the conformal quantiles, estimated per
    seed from ``n_cal`` backtest errors, p (1 - p) / (K n_cal) over K seeds.  With a day
    factor the hits of one day are correlated: the variance of the pooled share is taken
    from the per-day coverages instead (days as clusters).
    """
    hits, days, busy, n_cal = _coverage(scenario, seeds)
    k = len(seeds)
    for lv, h in hits.items():
        p = lv / 100
        for part, sel in (("all", np.ones(h.size, bool)), ("busiest third", busy)):
            if clustered:
                per_day = pd.Series(h[sel].astype(float)).groupby(days[sel]).mean()
                var = per_day.var(ddof=1) / len(per_day)
            else:
                var = p * (1 - p) / sel.sum()
            var += p * (1 - p) / (k * n_cal.mean())
            tol = 3 * np.sqrt(var)
            assert abs(h[sel].mean() - p) < tol, (scenario, lv, part, h[sel].mean(), tol)


@pytest.mark.parametrize("scenario", ["poisson", "overdispersed"])
def test_interval_coverage_on_fresh_actuals(scenario):
    """80% and 95% intervals of 5 seeds x 480 intervals (12 open days of 40 quarter
    hours): binomial sd 0.8% and 0.45% (plus the calibration's 0.4% and 0.2%); the
    tolerance is 3 sd.  In the busiest third, 800 intervals: sd 1.4% and 0.8%.
    Poisson-width intervals cover ~42% at 80% on the overdispersed data; conformal intervals
    scaled without it covered 80% overall but 71% in the busiest third and 90% in the
    quietest (too narrow at the peaks), which this test rejects."""
    _check_coverage(scenario, range(5))


@pytest.mark.slow
@pytest.mark.parametrize("scenario", list(COVERAGE))
def test_interval_coverage_on_fresh_actuals_many_seeds(scenario):
    _check_coverage(scenario, SLOW_SEEDS, clustered=scenario == "busy_days")


def test_coverage_check_rejects_poisson_intervals_on_overdispersed_data():
    """Power: Poisson-width intervals (f -/+ z sqrt(f)) on the negative-binomial data of
    the coverage test cover ~42% at 80% and ~61% at 95%, far outside the tolerance.
    (Before the models' own intervals took the per-interval dispersion into account,
    the weekday average's covered 44% and 64% there; now 81% and 95%.)"""
    kw = COVERAGE["overdispersed"]
    inside = {80: [], 95: []}
    for seed in range(2):
        h, truth, _ = simulate(seed, weeks=WEEKS, level=3000.0, **kw)
        out = WeekdayAverage(4).fit(h).predict(HORIZON, level=())
        f = out["forecast"].to_numpy()
        actual = truth.draw(out["start"], np.random.default_rng(10_000 + seed),
                            alpha=kw["alpha"])
        for lv in inside:
            z = stats.norm.ppf(0.5 + lv / 200)
            inside[lv].append(np.abs(actual - f) <= z * np.sqrt(f))
    for lv, v in inside.items():
        v = np.concatenate(v)
        tol = 3 * np.sqrt(lv / 100 * (1 - lv / 100) / v.size)
        assert v.mean() < lv / 100 - 3 * tol


# --- the dispersion the intervals rest on -------------------------------------------------


@pytest.mark.parametrize("alpha, day_cv", [(0.0, 0.0), (0.05, 0.0), (0.05, 0.08)])
def test_interval_dispersion_recovers_the_truth(alpha, day_cv):
    """The per-interval dispersion of 8 recent weeks (1,920 quarter hours, ~75 contacts
    each): its sd is ~0.004 at alpha 0.05 (measured); within 0.015 of the truth, whether
    or not whole days vary too (the day factor must not leak into it)."""
    from ccwfm.forecast._base import queue_data
    from ccwfm.forecast.calendar import Calendar
    for seed in range(2):
        h, _, _ = simulate(seed, weeks=8, level=3000.0, interval=15, alpha=alpha,
                           day_cv=day_cv)
        est = queue_data(h, "q", Calendar.empty()).dispersion()
        assert est == pytest.approx(alpha, abs=0.015)


# --- AHT -----------------------------------------------------------------------------------

AHT_SHAPE = {h: 1.0 + 0.03 * (h - 12) for h in range(8, 18)}     # longer calls late in the day


def test_aht_forecast_matches_the_truth():
    """AhtForecaster on AHT drawn as the mean of each interval's exponential handle times
    around 300 s x a known hourly shape: the horizon's contact-weighted AHT within 2.5%
    of the truth (its level rests on 10 days, ~28,000 contacts: sd 0.6%), and every
    interval within 8% (a weekday x hour cell of 8 weeks holds ~2,400 contacts: sd 2%);
    scaled by 1.05 the forecast fails."""
    for seed in SEEDS:
        h, truth, _ = simulate(seed, weeks=WEEKS, aht=(300.0, AHT_SHAPE))
        out = AhtForecaster().fit(h).predict(HORIZON, level=())
        assert out["start"].tolist() == truth.open_starts(FIRST, HORIZON).tolist()
        vol, true = truth.volume(out["start"]), truth.aht(out["start"])
        f = out["aht"].to_numpy()

        def err(x):
            return (vol * x).sum() / (vol * true).sum() - 1

        assert abs(err(f)) < BOUND
        assert abs(err(1.05 * f)) >= BOUND
        assert np.abs(f / true - 1).max() < 0.08
