"""The demo generator: deterministic, realistic and faithful to its documented pattern."""

import doctest
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from ccwfm import forecast
import ccwfm.forecast.demo  # noqa: F401
from ccwfm.forecast.demo import (CALENDAR_COLUMNS, DEMO, DemoSpec, demo_calendar, demo_expected,
                           demo_history, easter_sunday)
from ccwfm.forecast.history import COLUMNS, History

QUEUES = ("voice", "chat", "email")


@pytest.fixture(scope="module")
def hist():
    return demo_history(seed=0)


@pytest.fixture(scope="module")
def expected():
    return demo_expected()


@pytest.fixture(scope="module")
def calendar(hist):
    days = hist.frame["start"].dt.normalize()
    return demo_calendar(days.min(), days.max())


def _queue(h, q):
    f = h.frame
    return f[f["queue"] == q]


def _daily(h, q):
    """Daily totals of one queue over the days it has rows."""
    x = _queue(h, q)
    return x.groupby(x["start"].dt.normalize())["volume"].sum()


def _hour(x):
    return x["start"].dt.hour + x["start"].dt.minute / 60


def _plain(daily, calendar):
    """Days without any calendar entry."""
    return daily[~daily.index.isin(set(calendar["date"]))]


def _neighbour_ratio(daily, dates, calendar):
    """Volume on each date over the mean of the same weekday 1 to 3 weeks either side
    (days without calendar entries only); dates with fewer than 2 such days are skipped."""
    busy = set(calendar["date"])
    ratios = []
    for d in dates:
        ref = [d + pd.Timedelta(weeks=k) for k in (-3, -2, -1, 1, 2, 3)]
        ref = [r for r in ref if r in daily.index and r not in busy]
        if len(ref) >= 2:
            ratios.append(daily[d] / daily[ref].mean())
    return np.array(ratios)


# --- determinism and shape ---------------------------------------------------------------

def test_same_seed_same_frame_and_different_seed_different_frame(hist):
    again = demo_history(seed=0)
    pd.testing.assert_frame_equal(hist.frame, again.frame)
    other = demo_history(seed=1)
    assert len(other.frame) == len(hist.frame)                     # same opening hours
    assert (other.frame["volume"] != hist.frame["volume"]).mean() > 0.5
    pd.testing.assert_frame_equal(demo_expected(weeks=3).frame, demo_expected(weeks=3).frame)


def test_history_is_canonical(hist):
    f = hist.frame
    assert isinstance(hist, History)
    assert list(f.columns) == list(COLUMNS)
    assert hist.interval == 15 and hist.report == ()
    assert hist.queues == sorted(QUEUES)
    assert f["start"].min() == pd.Timestamp("2025-01-06 00:00")   # email opens at midnight
    assert f["start"].max() == pd.Timestamp("2026-01-04 23:45")   # 52 weeks later
    assert not f.duplicated(["queue", "start"]).any()
    assert f.equals(f.sort_values(["queue", "start"], ignore_index=True))
    assert (f["volume"] == np.round(f["volume"])).all() and (f["volume"] >= 0).all()


def test_expected_has_the_same_rows(hist, expected):
    keys = ["queue", "start"]
    pd.testing.assert_frame_equal(hist.frame[keys], expected.frame[keys])
    assert (expected.frame["volume"] > 0).all()
    assert expected.frame["aht"].notna().all()


def test_daily_totals_do_not_depend_on_the_interval():
    totals = {}
    for interval in (5, 15, 30, 60):
        e = demo_expected(weeks=2, interval=interval)
        assert e.interval == interval
        day = e.frame["start"].dt.normalize()
        totals[interval] = e.frame.groupby(["queue", day])["volume"].sum()
    for interval in (5, 30, 60):
        np.testing.assert_allclose(totals[interval].to_numpy(), totals[15].to_numpy(), rtol=1e-9)


# --- opening hours and calendar ------------------------------------------------------------

def test_rows_only_in_opening_hours_and_every_open_interval_present(hist, calendar):
    holidays = set(calendar.loc[calendar["kind"] == "holiday", "date"])
    for q, hours in [("voice", {d: (8, 20) for d in range(5)} | {5: (9, 17)}),
                     ("chat", {d: (8, 22) for d in range(7)}),
                     ("email", {d: (0, 24) for d in range(7)})]:
        x = _queue(hist, q)
        dow, t = x["start"].dt.day_of_week, _hour(x)
        assert set(dow.unique()) == set(hours), q
        lo = dow.map(lambda d: hours[d][0])
        hi = dow.map(lambda d: hours[d][1])
        assert ((t >= lo) & (t + 0.25 <= hi)).all(), q
        per_day = x.groupby(x["start"].dt.normalize()).size()
        want = per_day.index.day_of_week.map(lambda d: (hours[d][1] - hours[d][0]) * 4)
        assert (per_day.to_numpy() == np.asarray(want)).all(), q
        # every non-holiday day on which the queue opens is there
        days = pd.date_range("2025-01-06", "2026-01-04")
        open_days = {d for d in days if d.day_of_week in hours and d not in holidays}
        assert set(per_day.index) == open_days, q
    assert not (_queue(hist, "voice")["start"].dt.day_of_week == 6).any()


def test_holidays_are_closed_for_every_queue(hist, calendar):
    holidays = set(calendar.loc[calendar["kind"] == "holiday", "date"])
    for d in ["2025-04-18", "2025-04-21", "2025-05-01", "2025-05-29", "2025-06-09",
              "2025-12-25", "2025-12-26", "2026-01-01"]:
        assert pd.Timestamp(d) in holidays, d
    assert not hist.frame["start"].dt.normalize().isin(holidays).any()
    assert (calendar.loc[calendar["kind"] == "holiday", "value"] == 0).all()


@pytest.mark.parametrize("year, date", [(2019, "2019-04-21"), (2024, "2024-03-31"),
                                        (2025, "2025-04-20"), (2026, "2026-04-05"),
                                        (2038, "2038-04-25"), (2285, "2285-03-22")])
def test_easter_sunday(year, date):
    assert easter_sunday(year) == pd.Timestamp(date)


def test_calendar_structure():
    cal = demo_calendar("2025-01-01", "2026-12-31")
    assert list(cal.columns) == list(CALENDAR_COLUMNS)
    assert set(cal["kind"]) == {"holiday", "special", "event"}
    assert cal["date"].is_monotonic_increasing
    ev = cal[cal["kind"] == "event"]
    assert set(ev["tag"]) == {"billing", "campaign"}
    assert (cal.loc[cal["kind"] != "event", ["tag", "queue"]] == "").all().all()
    assert set(ev["queue"]) <= set(QUEUES)
    billing = ev[ev["tag"] == "billing"]
    assert billing.groupby(billing["date"].dt.year).size().tolist() == [4, 4]
    assert (billing["value"] == 0.30).all() and (billing["queue"] == "voice").all()
    # events on working days that have no holiday or special entry
    others = set(cal.loc[cal["kind"] != "event", "date"])
    # at most one entry per day and queue (an all-queue entry counts for every queue)
    for q in QUEUES:
        mine = cal[(cal["queue"] == "") | (cal["queue"] == q)]
        assert not mine["date"].duplicated().any(), q
    assert (ev["date"].dt.day_of_week < 5).all() and not ev["date"].isin(others).any()
    special = cal[cal["kind"] == "special"].set_index("date")["value"]
    assert special[pd.Timestamp("2025-12-22")] > 1 and special[pd.Timestamp("2025-12-24")] < 1
    assert special[pd.Timestamp("2025-04-22")] == 1.2                  # after Easter Monday
    one = demo_calendar("2025-12-25", "2025-12-25")
    assert one["name"].tolist() == ["Christmas Day"]
    with pytest.raises(ValueError, match="'end'"):
        demo_calendar("2025-02-01", "2025-01-01")


# --- volume pattern -------------------------------------------------------------------------

@pytest.mark.parametrize("q", QUEUES)
def test_weekday_ratios_recovered(hist, calendar, q):
    daily = _plain(_daily(hist, q), calendar)
    frame = pd.DataFrame({"v": daily, "week": daily.index.to_period("W"),
                          "dow": daily.index.day_of_week})
    wide = frame.pivot(index="week", columns="dow", values="v").dropna()
    assert len(wide) >= 30
    ratio = wide.sum() / wide[0].sum()
    spec = np.asarray(DEMO.queue(q).weekday)
    np.testing.assert_allclose(ratio.to_numpy(), spec[ratio.index], atol=0.07)   # ~4 sd


def test_voice_weekday_shape_as_briefed(hist, calendar):
    daily = _plain(_daily(hist, "voice"), calendar)
    mean = daily.groupby(daily.index.day_of_week).mean()
    assert mean.idxmax() == 0                                  # Monday highest
    assert mean[4] < mean[1:4].min()                           # Friday lower
    assert 0.33 < mean[5] / mean[0] < 0.47                     # Saturday about 40%
    mondays = daily[daily.index.day_of_week == 0]
    assert 4000 <= mondays.median() <= 6000
    assert ((mondays >= 4000) & (mondays <= 6000)).mean() >= 0.8   # noise: cv 8%


def _profile(hist, calendar, q, days=(1, 2, 3)):
    """Mean share of the day's volume in each slot over plain days (Tuesday to Thursday)."""
    x = _queue(hist, q)
    day = x["start"].dt.normalize()
    x = x[x["start"].dt.day_of_week.isin(days) & ~day.isin(set(calendar["date"]))]
    share = x["volume"] / x.groupby(x["start"].dt.normalize())["volume"].transform("sum")
    return share.groupby(_hour(x) + 0.125).mean()          # indexed by slot midpoint (hours)


def test_voice_intraday_peaks_recovered(hist, calendar):
    p = _profile(hist, calendar, "voice")
    morning, dip, afternoon = p[p.index < 12.5], p[(p.index > 12) & (p.index < 14)], p[
        (p.index > 13.5) & (p.index < 17.5)]
    assert abs(morning.idxmax() - 10.5) <= 0.5
    assert abs(dip.idxmin() - 13.0) <= 0.5
    assert 14.25 <= afternoon.idxmax() <= 15.25
    assert p.idxmax() == morning.idxmax()                      # the morning peak is the highest
    assert dip.min() < 0.7 * afternoon.max()                   # a real lunch dip
    assert p[p.index > 18].mean() < 0.35 * p.max()             # quiet evening


def test_chat_and_email_intraday_shape(hist, calendar):
    chat = _profile(hist, calendar, "chat", days=range(7))
    assert 18.5 <= chat.idxmax() <= 21                         # chat peaks later in the day
    email = _profile(hist, calendar, "email", days=range(7))
    night, day = email[email.index < 6].mean(), email[(email.index > 9) & (email.index < 17)].mean()
    assert 0.05 < night / day < 0.25                           # lower, but not zero, at night


def test_total_volumes_in_documented_range(hist):
    total = hist.frame.groupby("queue")["volume"].sum()
    assert 1.16e6 <= total["voice"] <= 1.28e6                  # documented in forecast.demo
    assert 0.35e6 <= total["chat"] <= 0.39e6
    assert 0.23e6 <= total["email"] <= 0.26e6
    assert 0.27 <= total["chat"] / total["voice"] <= 0.33
    assert 0.18 <= total["email"] / total["voice"] <= 0.22


@pytest.mark.parametrize("q", QUEUES)
def test_generated_volume_is_unbiased_around_expected(hist, expected, q):
    ratio = _queue(hist, q)["volume"].sum() / _queue(expected, q)["volume"].sum()
    assert abs(ratio - 1) < 0.015


def test_trend_and_seasonality():
    spec = DemoSpec(events=(), specials=(), catch_up=1.0)      # holidays only
    d = _daily(demo_expected(start="2025-01-06", weeks=104, spec=spec), "voice")
    mondays = d[d.index.day_of_week == 0]
    month = mondays.groupby(mondays.index.to_period("M")).mean()
    for m in ("2025-01", "2025-09"):
        assert month[m] > 1.08 * month["2025-06"], m            # busy January and September
    assert month["2025-08"] < 0.95 * month["2025-06"]           # quiet August
    assert month[:"2025-12"].idxmin() == pd.Period("2025-08", "M")
    growth = month["2026-06"] / month["2025-06"]
    assert abs(growth - 1.05) < 0.005                           # +5% a year


def _implied_cv(hist, expected, q):
    """Day-factor cv implied by daily totals: Var(D) = mu + (cv mu)^2."""
    d, mu = _daily(hist, q), _daily(expected, q)
    r = d / mu - 1
    return np.sqrt(max(np.mean(r ** 2 - 1 / mu), 0.0)), np.mean((d - mu) ** 2 / mu)


@pytest.mark.parametrize("q", QUEUES)
def test_daily_totals_are_overdispersed_by_the_day_factor(hist, expected, q):
    cv, dispersion = _implied_cv(hist, expected, q)
    assert abs(cv - DEMO.day_cv) < 0.015
    mu = _daily(expected, q).mean()
    assert dispersion > 1 + 0.5 * mu * DEMO.day_cv ** 2         # far above Poisson (1)


def test_without_day_factor_daily_totals_are_poisson():
    spec = DemoSpec(day_cv=0.0)
    cv, dispersion = _implied_cv(demo_history(seed=3, spec=spec), demo_expected(spec=spec), "voice")
    assert cv < 0.015
    assert 0.7 < dispersion < 1.4


# --- calendar effects -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def three_years():
    h = demo_history(seed=0, weeks=156)
    days = h.frame["start"].dt.normalize()
    return h, demo_calendar(days.min(), days.max())


@pytest.mark.parametrize("tag, lifts", [("billing", {"voice": 1.30, "chat": 1.0, "email": 1.0}),
                                        ("campaign", {"voice": 1.0, "chat": 1.40, "email": 1.25})])
def test_event_days_uplifted(three_years, tag, lifts):
    h, cal = three_years
    dates = sorted(set(cal.loc[cal["tag"] == tag, "date"]))
    assert len(dates) == {"billing": 12, "campaign": 6}[tag]
    # Generated volume over the noise-free volume of the same calendar without events:
    # each day's ratio is (1 + uplift) times the day factor (cv 8%).
    base = demo_expected(weeks=156, spec=DemoSpec(events=()))
    for q, lift in lifts.items():
        r = (_daily(h, q)[dates] / _daily(base, q)[dates]).to_numpy()
        tol = 4 * lift * DEMO.day_cv / np.sqrt(len(r))               # 4 sd
        assert abs(r.mean() - lift) < tol, (q, r)
    # model-free: against the same weekday in the weeks around (billing is on voice only)
    if tag == "billing":
        r = _neighbour_ratio(_daily(h, "voice"), dates, cal)
        assert len(r) >= 10 and abs(r.mean() - 1.30) < 0.1, r


def test_special_days_follow_their_multiplier(hist, calendar):
    catch_up = calendar[calendar["name"].str.startswith("After")]["date"]
    base = _daily(demo_expected(spec=DemoSpec(catch_up=1.0)), "voice")
    r = (_daily(hist, "voice")[catch_up] / base[catch_up]).to_numpy()
    assert len(r) >= 6 and abs(r.mean() - DEMO.catch_up) < 4 * 1.2 * DEMO.day_cv / np.sqrt(len(r))
    run_up = calendar[calendar["name"] == "Christmas run-up"]["date"]
    base = _daily(demo_expected(spec=DemoSpec(specials=())), "voice")
    run_up = [d for d in run_up if d in base.index]             # voice is closed on Sunday
    assert len(run_up) == 7
    e = _daily(demo_expected(), "voice")
    np.testing.assert_allclose(e[run_up] / base[run_up], 1.15)  # busier before Christmas
    r = (_daily(hist, "voice")[run_up] / base[run_up]).to_numpy()
    assert abs(r.mean() - 1.15) < 4 * 1.15 * DEMO.day_cv / np.sqrt(len(r))


# --- handle time and abandonment ---------------------------------------------------------------

def _weighted_aht(x):
    return (x["aht"] * x["volume"]).sum() / x.loc[x["aht"].notna(), "volume"].sum()


def test_aht_by_time_of_day(hist):
    v = _queue(hist, "voice")
    v = v[v["start"].dt.day_of_week < 5]
    t = _hour(v)
    morning, evening = _weighted_aht(v[(t >= 9.5) & (t < 11)]), _weighted_aht(v[t >= 18])
    assert abs(morning - 330) < 10 and abs(evening - 250) < 10
    for q, aht, tol in [("voice", 300, 10), ("chat", 600, 15), ("email", 420, 10)]:
        assert abs(_weighted_aht(_queue(hist, q)) - aht) < tol, q


def test_aht_noise_shrinks_with_volume(hist, expected):
    f, e = hist.frame, expected.frame
    handled = f["volume"] - f["abandoned"].fillna(0)
    assert f.loc[handled == 0, "aht"].isna().all()
    assert (f.loc[handled > 0, "aht"] > 0).all()
    rel = (f["aht"] / e["aht"] - 1)
    small, large = rel[(handled >= 1) & (handled <= 3)], rel[handled >= 100]
    assert small.std() > 3 * large.std()
    assert large.std() < 0.15


def test_abandonment(hist, expected):
    assert _queue(hist, "email")["abandoned"].isna().all()
    for q in ("voice", "chat"):
        x = _queue(hist, q)
        assert x["abandoned"].notna().all()
        assert ((x["abandoned"] >= 0) & (x["abandoned"] <= x["volume"])).all()
        assert 0.02 < x["abandoned"].sum() / x["volume"].sum() < 0.06
    v = _queue(hist, "voice")
    v = v[v["start"].dt.day_of_week < 5]
    t = _hour(v)
    peak = v[(t >= 10) & (t < 11)]
    quiet = v[t >= 17]
    assert peak["abandoned"].sum() / peak["volume"].sum() > quiet["abandoned"].sum() / \
        quiet["volume"].sum() + 0.03
    # days busier than planned (large day factor) lose more callers
    d = v.groupby(v["start"].dt.normalize())[["volume", "abandoned"]].sum()
    ev = _queue(expected, "voice")
    mu = ev.groupby(ev["start"].dt.normalize())["volume"].sum()[d.index]
    busy = d["volume"] / mu
    rate = d["abandoned"] / d["volume"]
    assert rate[busy > busy.quantile(0.75)].mean() > rate[busy < busy.quantile(0.25)].mean() + 0.01


# --- interface -----------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, name", [({"interval": 20}, "interval"), ({"weeks": 0}, "weeks"),
                                          ({"weeks": 1.5}, "weeks"), ({"seed": -1}, "seed"),
                                          ({"seed": 1.5}, "seed"), ({"seed": True}, "seed"),
                                          ({"start": "2025-01-06 10:00"}, "start"),
                                          ({"start": "not a date"}, "start"),
                                          ({"spec": "voice"}, "spec")])
def test_bad_arguments_are_refused_with_their_name(kwargs, name):
    with pytest.raises(ValueError, match=f"'{name}'"):
        demo_history(**kwargs)


def test_bad_spec_is_refused():
    with pytest.raises(ValueError, match="'season'"):
        DemoSpec(season=(1.0,) * 11)
    with pytest.raises(ValueError, match="'day_cv'"):
        DemoSpec(day_cv=-0.1)
    with pytest.raises(ValueError, match="'queue'"):
        DEMO.queue("fax")


def test_run_time():
    t0 = time.perf_counter()
    demo_history(seed=7)
    elapsed = time.perf_counter() - t0
    print(f"demo_history: a year of 15-minute intervals, three queues, in {elapsed:.3f} s")
    assert elapsed < 10


def test_docstring_examples_run():
    # forecast/ is not in pytest's testpaths, so its doctests are run from here.
    result = doctest.testmod(forecast.demo, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 8 and result.failed == 0


def test_forecast_imports_nothing_else_from_the_repo():
    code = ("import sys, ccwfm.forecast.demo; "
            "print(sorted({m.split('.')[1] for m in sys.modules if m.startswith('ccwfm.')} & "
            "{'erlang', 'simulate', 'plan', 'dashboard'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
