"""Special days: closed days, exact multipliers, learned event uplifts, after-closure events."""

import numpy as np
import pandas as pd
import pytest

from ccwfm.forecast import (
    AutoForecaster,
    Calendar,
    CountGLM,
    DailyProfile,
    Ensemble,
    History,
    IntervalETS,
    SeasonalNaive,
    WeekdayAverage,
)

from ._synthetic import START, pattern

WEEKS = 10
FIRST_FUTURE = START + pd.Timedelta(days=7 * WEEKS)       # Monday after the history


def _future(offset):
    return FIRST_FUTURE + pd.Timedelta(days=offset)


def _past(week, weekday):
    return START + pd.Timedelta(days=7 * week + weekday)


def _by_day(out):
    return out.groupby(out["start"].dt.normalize())["forecast"].sum()


MODELS = [
    pytest.param(lambda cal: WeekdayAverage(calendar=cal), id="weekday_average"),
    pytest.param(lambda cal: SeasonalNaive(calendar=cal), id="seasonal_naive"),
    pytest.param(lambda cal: DailyProfile("ets", calendar=cal), id="daily_ets"),
    pytest.param(lambda cal: CountGLM(calendar=cal), id="count_glm"),
    pytest.param(lambda cal: IntervalETS(calendar=cal), id="interval_ets"),
]


@pytest.fixture(scope="module")
def noisy():
    return pattern(weeks=WEEKS, level=600.0, rng=np.random.default_rng(21))


# --- closed days ----------------------------------------------------------------------


@pytest.mark.parametrize("make", MODELS + [
    pytest.param(lambda cal: DailyProfile("arima", calendar=cal), id="daily_arima")])
def test_closed_day_has_no_rows(noisy, make):
    h, _ = noisy
    shut = _future(2)                                     # a Wednesday
    plain = make(Calendar.empty()).fit(h).predict(7)
    out = make(Calendar.from_records([(shut, "closed")])).fit(h).predict(7)
    assert not (out["start"].dt.normalize() == shut).any()
    assert out["start"].tolist() == plain.loc[plain["start"].dt.normalize() != shut,
                                              "start"].tolist()


@pytest.mark.parametrize("make", [
    pytest.param(lambda cal: WeekdayAverage(calendar=cal), id="weekday_average"),
    pytest.param(lambda cal: SeasonalNaive(calendar=cal), id="seasonal_naive"),
    pytest.param(lambda cal: CountGLM(calendar=cal), id="count_glm"),
])
def test_closed_day_leaves_other_days_alone(noisy, make):
    h, _ = noisy
    shut = _future(2)
    plain = make(Calendar.empty()).fit(h).predict(7)
    out = make(Calendar.from_records([(shut, "closed")])).fit(h).predict(7)
    keep = plain["start"].dt.normalize() != shut
    assert out["forecast"].tolist() == plain.loc[keep, "forecast"].tolist()


def test_queue_specific_closure():
    a, _ = pattern(weeks=6, queue="a", rng=np.random.default_rng(1))
    b, _ = pattern(weeks=6, queue="b", rng=np.random.default_rng(2))
    h = History.from_frame(pd.concat([a.frame, b.frame]), interval=60)
    shut = START + pd.Timedelta(days=42 + 1)
    cal = Calendar.from_records([(shut, "closed", None, None, "a")])
    out = WeekdayAverage(calendar=cal).fit(h).predict(7)
    on = out["start"].dt.normalize() == shut
    assert set(out.loc[on, "queue"]) == {"b"}


def test_past_holidays_are_not_learned_from():
    """Wednesdays of weeks 7 and 9 were holidays with no rows: the weekday average uses the
    last four ordinary Wednesdays and recovers the (noise-free) pattern exactly."""
    holidays = [_past(7, 2), _past(9, 2)]
    h, expected = pattern(weeks=WEEKS, drop=lambda d: d in holidays)
    cal = Calendar.from_records([(d, "closed") for d in holidays])
    for model in (WeekdayAverage(calendar=cal), SeasonalNaive(calendar=cal),
                  CountGLM(calendar=cal)):
        out = model.fit(h).predict(7)
        assert out["forecast"].to_numpy() == pytest.approx(expected(out["start"]), rel=1e-9)
        assert (out["start"].dt.day_of_week == 2).sum() == 10


# --- multipliers ----------------------------------------------------------------------


@pytest.mark.parametrize("make", MODELS)
def test_multiplier_day_scaled_exactly(noisy, make):
    h, _ = noisy
    day = _future(1)                                      # a Tuesday
    plain = make(Calendar.empty()).fit(h).predict(7)
    out = make(Calendar.from_records([(day, "multiplier", 0.6)])).fit(h).predict(7)
    assert out["start"].tolist() == plain["start"].tolist()
    on = (out["start"].dt.normalize() == day).to_numpy()
    assert on.sum() == 10
    assert out["forecast"].to_numpy()[on] == pytest.approx(
        0.6 * plain["forecast"].to_numpy()[on], rel=1e-12)
    assert out["forecast"].to_numpy()[~on] == pytest.approx(plain["forecast"].to_numpy()[~on],
                                                            rel=1e-12)


def test_past_multiplier_days_are_left_out_of_learning():
    """A half-volume Tuesday in the last week: marked, it is ignored; unmarked, it is averaged."""
    half = _past(WEEKS - 1, 1)
    factor = np.ones(7 * WEEKS)
    factor[7 * (WEEKS - 1) + 1] = 0.5
    h, expected = pattern(weeks=WEEKS, day_factor=factor)
    cal = Calendar.from_records([(half, "multiplier", 0.5)])
    out = WeekdayAverage(weeks=4, calendar=cal).fit(h).predict(7)
    assert out["forecast"].to_numpy() == pytest.approx(expected(out["start"]), rel=1e-12)
    naive = WeekdayAverage(weeks=4).fit(h).predict(7)
    tue = (naive["start"].dt.day_of_week == 1).to_numpy()
    assert naive["forecast"].to_numpy()[tue] == pytest.approx(
        expected(naive["start"][tue]) * (3 + 0.5) / 4, rel=1e-12)


# --- events ---------------------------------------------------------------------------


PROMO_WEEKS = (2, 5, 8)                                    # past promo Wednesdays


def _promo_history(rng=None, level=500.0):
    factor = np.ones(7 * WEEKS)
    for wk in PROMO_WEEKS:
        factor[7 * wk + 2] = 1.5
    return pattern(weeks=WEEKS, level=level, day_factor=factor, rng=rng)


def _promo_calendar(future=True):
    rows = [(_past(wk, 2), "event", None, "promo") for wk in PROMO_WEEKS]
    if future:
        rows.append((_future(2), "event", None, "promo"))
    return Calendar.from_records(rows)


@pytest.mark.parametrize("make", MODELS + [
    pytest.param(lambda cal: DailyProfile("arima", calendar=cal), id="daily_arima")])
def test_event_uplift_learned_noise_free(make):
    """Every past promo Wednesday ran at 1.5x: a future promo Wednesday is forecast at 1.5x
    what the same model forecasts for an ordinary Wednesday."""
    h, expected = _promo_history()
    with_promo = make(_promo_calendar(future=True)).fit(h)
    assert with_promo.uplift_["q"] == pytest.approx({"promo": 1.5}, rel=1e-12)
    out = with_promo.predict(7)
    ordinary = make(_promo_calendar(future=False)).fit(h).predict(7)
    day = _by_day(out) / _by_day(ordinary)
    assert day[_future(2)] == pytest.approx(1.5, rel=1e-9)
    assert day.drop(_future(2)).to_numpy() == pytest.approx(np.ones(5), rel=1e-9)
    # Promo days were left out of learning, so the ordinary forecast is the true pattern.
    if not isinstance(with_promo, DailyProfile):   # (daily models: exact up to solvers)
        assert ordinary["forecast"].to_numpy() == pytest.approx(expected(ordinary["start"]),
                                                                rel=1e-6)


def test_event_uplift_learned_with_noise():
    """Poisson data at ~1,000 a day (daily cv ~3%): each promo ratio is off by ~4% (a ratio
    to a median of ~6 ordinary days), the mean of three by ~2.5%; 8% is over 3 sd."""
    h, expected = _promo_history(rng=np.random.default_rng(4), level=1000.0)
    model = WeekdayAverage(calendar=_promo_calendar()).fit(h)
    assert model.uplift_["q"]["promo"] == pytest.approx(1.5, rel=0.08)
    out = model.predict(7)
    wed = out[out["start"].dt.normalize() == _future(2)]
    assert wed["forecast"].sum() == pytest.approx(1.5 * expected(wed["start"]).sum(), rel=0.1)


def test_event_without_history_uses_its_value():
    h, _ = pattern(weeks=6, rng=np.random.default_rng(8))
    fut = START + pd.Timedelta(days=42)
    cal = Calendar.from_records([(fut + pd.Timedelta(days=1), "event", 1.3, "launch"),
                                 (fut + pd.Timedelta(days=2), "event", None, "unknown")])
    plain = _by_day(WeekdayAverage().fit(h).predict(7))
    out = _by_day(WeekdayAverage(calendar=cal).fit(h).predict(7))
    ratio = out / plain
    assert ratio[fut + pd.Timedelta(days=1)] == pytest.approx(1.3, rel=1e-12)
    assert ratio[fut + pd.Timedelta(days=2)] == pytest.approx(1.0, rel=1e-12)


def test_learned_uplift_beats_the_given_value():
    h, _ = _promo_history()
    rows = [(_past(wk, 2), "event", 3.0, "promo") for wk in PROMO_WEEKS]
    rows.append((_future(2), "event", 3.0, "promo"))
    m = WeekdayAverage(calendar=Calendar.from_records(rows)).fit(h)
    assert m.uplift_["q"]["promo"] == pytest.approx(1.5, rel=1e-12)


def test_uplift_is_per_tag_and_per_queue():
    a, _ = _promo_history()
    b, _ = pattern(weeks=WEEKS, queue="b")                # queue b has no promo effect
    h = History.from_frame(pd.concat([a.frame, b.frame.assign(queue="b")]), interval=60)
    rows = [(_past(wk, 2), "event", None, "promo") for wk in PROMO_WEEKS]
    rows += [(_past(wk, 4), "event", None, "mailing", "q") for wk in (3, 6)]
    m = WeekdayAverage(calendar=Calendar.from_records(rows)).fit(h)
    assert m.uplift_["q"] == pytest.approx({"promo": 1.5, "mailing": 1.0}, rel=1e-12)
    assert m.uplift_["b"] == pytest.approx({"promo": 1.0}, rel=1e-12)


# --- after closures -------------------------------------------------------------------


def test_with_after_closures_places_events_on_the_next_open_weekday():
    cal = Calendar.from_records([
        ("2024-03-29", "closed"),                  # Good Friday -> Tuesday (Monday closed too)
        ("2024-04-01", "closed"),                  # Easter Monday -> Tuesday (already taken)
        ("2024-05-08", "closed"),                  # a Wednesday -> Thursday
        ("2024-05-11", "closed", None, None, "voice"),   # a Saturday -> Monday, voice only
        ("2024-05-15", "closed"),                  # Wednesday -> Thursday, already in calendar
        ("2024-05-16", "multiplier", 0.8),
    ])
    out = cal.with_after_closures(tag="catch_up")
    added = out.frame.iloc[len(cal.frame):]
    got = sorted(zip(added["date"].dt.strftime("%Y-%m-%d"), added["kind"], added["tag"],
                     added["queue"]))
    assert got == [("2024-04-02", "event", "catch_up", ""),
                   ("2024-05-09", "event", "catch_up", ""),
                   ("2024-05-13", "event", "catch_up", "voice")]
    assert added["value"].isna().all()
    # The original entries are untouched; the multiplier day keeps its kind.
    assert out.kind_on("2024-05-16") == "multiplier"
    assert len(out.frame) == len(cal.frame) + 3
    assert cal.kind_on("2024-04-02") is None                # the original is not modified


def test_with_after_closures_open_weekdays_and_no_closure():
    cal = Calendar.from_records([("2024-05-10", "closed")])          # a Friday
    seven = cal.with_after_closures(open_weekdays=range(7))
    assert seven.kind_on("2024-05-11") == "event"                    # Saturday is open
    assert cal.with_after_closures().kind_on("2024-05-13") == "event"
    none = Calendar.from_records([("2024-05-10", "multiplier", 2.0)])
    assert none.with_after_closures() is none


def test_after_closure_uplift_learned_end_to_end():
    """Past Mondays closed; the following Tuesdays run at 1.4x.  A future closed Monday
    makes the next Tuesday an after-closure day forecast at 1.4x."""
    closed_mondays = [_past(wk, 0) for wk in (3, 6, 8)]
    factor = np.ones(7 * WEEKS)
    for wk in (3, 6, 8):
        factor[7 * wk + 1] = 1.4
    h, expected = pattern(weeks=WEEKS, day_factor=factor,
                          drop=lambda d: d in closed_mondays)
    cal = Calendar.from_records([(d, "closed") for d in closed_mondays + [_future(0)]])
    out = WeekdayAverage(calendar=cal.with_after_closures()).fit(h).predict(7)
    assert not (out["start"].dt.normalize() == _future(0)).any()
    tue = out[out["start"].dt.normalize() == _future(1)]
    assert tue["forecast"].to_numpy() == pytest.approx(1.4 * expected(tue["start"]), rel=1e-9)
    wed = out[out["start"].dt.normalize() == _future(2)]
    assert wed["forecast"].to_numpy() == pytest.approx(expected(wed["start"]), rel=1e-9)


# --- validation -----------------------------------------------------------------------


def test_calendar_validation_errors():
    with pytest.raises(ValueError, match="'calendar.kind' must be one of closed, multiplier, "
                                         "event: 'holiday' \\(row 2\\)"):
        Calendar.from_records([("2024-01-01", "closed"), ("2024-01-02", "holiday")])
    # (the value is shown by repr: "0.0" or "np.float64(0.0)" depending on numpy)
    with pytest.raises(ValueError, match="'calendar.value' of a multiplier day must be > 0: "
                                         ".*0\\.0\\)? \\(row 1\\)"):
        Calendar.from_records([("2024-01-01", "multiplier", 0)])
    with pytest.raises(ValueError, match="'calendar.value' of a multiplier day must be > 0: "
                                         ".*-1\\.0"):
        Calendar.from_records([("2024-01-01", "multiplier", -1)])
    with pytest.raises(ValueError, match="'calendar.value' of a multiplier day must be > 0: "
                                         ".*nan\\)? \\(row 2\\)"):
        Calendar.from_records([("2024-01-01", "closed"), ("2024-01-02", "multiplier")])
    with pytest.raises(ValueError, match="'calendar.date' must be a date: 'not a day' "
                                         "\\(row 1\\)"):
        Calendar.from_records([("not a day", "closed")])
    with pytest.raises(ValueError, match="'calendar' needs column 'date'"):
        Calendar.from_frame(pd.DataFrame({"kind": ["closed"]}))
    with pytest.raises(ValueError, match="'calendar' needs column 'kind'"):
        Calendar.from_frame(pd.DataFrame({"date": ["2024-01-01"]}))


def test_calendar_lookups():
    cal = Calendar.from_frame(pd.DataFrame({
        "date": ["2024-01-01 13:45", "2024-01-02 00:00"], "kind": ["closed", "event"],
        "tag": [None, "promo"], "queue": ["", "voice"]}))
    assert cal.frame["date"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-02")]
    assert cal.kind_on("2024-01-01 18:00") == "closed"
    assert cal.kind_on("2024-01-02", "chat") is None
    assert cal.kind_on("2024-01-02", "voice") == "event"
    assert cal.special_days("chat") == {pd.Timestamp("2024-01-01")}
    assert len(Calendar.empty().frame) == 0


# --- combinations apply the calendar once ---------------------------------------------


def test_ensemble_applies_the_calendar_once(noisy):
    h, _ = noisy
    cal = Calendar.from_records([(_future(1), "multiplier", 0.5),
                                 (_future(2), "event", 1.5, "promo")])
    members = [WeekdayAverage(2), SeasonalNaive()]
    plain = _by_day(Ensemble(members).fit(h).predict(7))
    out = _by_day(Ensemble(members, calendar=cal).fit(h).predict(7))
    assert out[_future(1)] == pytest.approx(0.5 * plain[_future(1)], rel=1e-9)
    assert out[_future(2)] == pytest.approx(1.5 * plain[_future(2)], rel=1e-9)


def test_auto_forecaster_applies_the_calendar_once(noisy):
    h, _ = noisy
    cal = Calendar.from_records([(_future(1), "multiplier", 0.5),
                                 (_future(2), "event", 1.5, "promo")])
    models = [WeekdayAverage(2), SeasonalNaive()]
    plain = _by_day(AutoForecaster(models, origins=2).fit(h).predict(7))
    out = _by_day(AutoForecaster(models, origins=2, calendar=cal).fit(h).predict(7))
    assert out[_future(1)] == pytest.approx(0.5 * plain[_future(1)], rel=1e-9)
    assert out[_future(2)] == pytest.approx(1.5 * plain[_future(2)], rel=1e-9)
