"""plan.attainment: KPIs at the target's level, against the contact records."""

import numpy as np
import pandas as pd
import pytest

from ccwfm import simulate
from ccwfm.plan.attainment import ATTAINMENT_COLUMNS, attainment
from ccwfm.plan.scenario import QueueConfig, Target


def _center(days, interval=60):
    rng = np.random.default_rng(4)
    per_day = 1440 // interval
    vol = np.zeros(days * per_day)
    for d in range(days):
        vol[d * per_day + 8:d * per_day + 18] = rng.uniform(5, 25, 10)
    agents = np.where(vol > 0, np.ceil(vol * 200 / 3600) + 1, 0).astype(int)
    c = simulate.Center.single_queue(vol.tolist(), aht=200, agents=agents.tolist(),
                                     patience=150, interval=interval * 60.0, target_time=20.0)
    starts = pd.date_range("2025-09-01", periods=vol.size, freq=f"{interval}min")
    return c, starts


@pytest.mark.parametrize("level", ["day", "week"])
def test_attainment_matches_records(level):
    c, starts = _center(9)
    res = simulate.simulate(c, replications=4, seed=3, records=True)
    q = QueueConfig("voice", demo=True, patience=150.0,
                    target=Target(service_level=0.8, target_time=20, abandon_rate=0.05,
                                  level=level))
    table = attainment([q], res, starts)
    assert list(table.columns) == list(ATTAINMENT_COLUMNS)
    rec = res.records
    day = pd.to_datetime(starts[0]) + pd.to_timedelta(rec["arrival"], unit="s")
    key = day.dt.normalize() if level == "day" else (
        day.dt.normalize() - pd.to_timedelta(day.dt.day_of_week, unit="D"))
    answered = rec["outcome"] == "answered"
    abandoned = rec["outcome"] == "abandoned"
    within = answered & (rec["wait"] <= 20.0)
    frame = pd.DataFrame({"rep": rec["replication"], "key": key, "within": within,
                          "resolved": answered | abandoned, "abandoned": abandoned})
    per = frame.groupby(["key", "rep"]).sum()
    sl = (per["within"] / per["resolved"]).groupby(level=0).mean()
    ab = (per["abandoned"] / per["resolved"]).groupby(level=0).mean()
    got = table[table["metric"] == "service_level"].set_index("period")["simulated"]
    np.testing.assert_allclose(got.to_numpy(), sl.reindex(got.index.normalize()).to_numpy(),
                               rtol=1e-12)
    got = table[table["metric"] == "abandon_rate"].set_index("period")["simulated"]
    np.testing.assert_allclose(got.to_numpy(), ab.reindex(got.index.normalize()).to_numpy(),
                               rtol=1e-12)
    # met: the whole interval on the right side of the target.
    s = table[table["metric"] == "service_level"]
    assert (s["met"] == (s["low"] >= 0.8)).all()
    a = table[table["metric"] == "abandon_rate"]
    assert (a["met"] == (a["high"] <= 0.05)).all()


def test_interval_is_student_t():
    c, starts = _center(2)
    res = simulate.simulate(c, replications=6, seed=9, records=True)
    q = QueueConfig("voice", demo=True, patience=150.0,
                    target=Target(service_level=0.8, target_time=20))
    table = attainment([q], res, starts)
    rec = res.records
    first_day = rec["arrival"] < 86400
    answered = rec["outcome"] == "answered"
    resolved = answered | (rec["outcome"] == "abandoned")
    within = answered & (rec["wait"] <= 20.0)
    df = pd.DataFrame({"rep": rec["replication"], "w": within & first_day,
                       "r": resolved & first_day}).groupby("rep").sum()
    vals = df["w"] / df["r"]
    from scipy import stats
    half = stats.t.ppf(0.975, 5) * vals.std(ddof=1) / np.sqrt(6)
    row = table.iloc[0]
    assert row["simulated"] == pytest.approx(vals.mean())
    assert row["high"] - row["simulated"] == pytest.approx(half)


def test_floor_summary_counts_intervals_at_or_above():
    from ccwfm.plan.attainment import floor_summary
    q = QueueConfig("voice", demo=True, target=Target(service_level=0.8, target_time=20))
    ach = pd.DataFrame({"queue": "voice", "service_level_sim": [0.9, 0.55, np.nan, 0.6, 0.7]})
    row = floor_summary([q], ach).iloc[0]
    assert row["floor"] == pytest.approx(0.6) and row["intervals"] == 4
    assert row["at_or_above"] == pytest.approx(0.75) and row["lowest"] == pytest.approx(0.55)


def _mail(window, basis, open_hours=("00:00", "24:00"), days=3):
    from ccwfm.plan.scenario import QueueConfig, Target
    from ccwfm.plan.requirements import queue_requirements

    q = QueueConfig("mail", channel="email", demo=True, open_hours=open_hours,
                    target=Target(window=window, within=0.9, window_basis=basis))
    starts = pd.date_range("2025-09-01", periods=days * 48, freq="30min")
    hour = starts.hour + starts.minute / 60
    vol = np.where((hour >= 8) & (hour < 18), 12.0, 2.0)
    req = queue_requirements(pd.DataFrame({"start": starts, "volume": vol, "aht": 600.0}), q,
                             interval=30, shrinkage=0.0)
    return q, req, starts


def test_business_window_counted_contact_by_contact():
    """Open around the clock, a business-hours window is a calendar one: the share
    counted from contact records equals the simulation's service level measured at
    the window (two independent paths through the simulator's output)."""
    from ccwfm import simulate
    from ccwfm.plan.attainment import needs_records, window_parts
    from ccwfm.plan.verify import build_center

    qb, req, starts = _mail(7200, "business")
    qc, _, _ = _mail(7200, "calendar")
    assert needs_records(qb) and not needs_records(qc)
    agents = np.where((starts.hour >= 8) & (starts.hour < 18), 4.5, 1.0)
    center = build_center([qc], req, {"mail": agents}, interval=30)
    res = simulate.simulate(center, replications=6, seed=4, records=True, progress=False)
    a_cal = attainment([qc], res, starts)
    a_bus = attainment([qb], res, starts,
                       windows={"mail": window_parts(qb, res.records, starts, 30)})
    sl_c = a_cal[a_cal["metric"] == "service_level"]
    sl_b = a_bus[a_bus["metric"] == "service_level"]
    assert len(sl_b) == 3
    # (Contacts still waiting at the end with a deadline after it count as within for
    # the window, and not at all for the service level: the last day may differ.)
    np.testing.assert_allclose(sl_b["simulated"][:2], sl_c["simulated"][:2], atol=0.01)
    assert sl_b["simulated"].min() > 0.5
    # Without the records' counts the business-window target is not in the table.
    assert (attainment([qb], res, starts)["metric"] != "service_level").all()


def test_window_parts_by_hand():
    """Business hours 08-18: an e-mail at 17:30 with a 1-hour window is due at 08:30
    the next morning; counts per day by the arrival's day."""
    from ccwfm.plan.attainment import window_parts

    qb, _, starts = _mail(3600, "business", open_hours=("08:00", "18:00"), days=2)
    recs = pd.DataFrame({
        "replication": [0, 0, 0, 1],
        "arrival": [17.5 * 3600, 17.5 * 3600, 9 * 3600, 30 * 3600],
        "outcome": pd.Categorical(["answered", "answered", "answered", "in_queue"]),
        "start": [32.4 * 3600, 32.6 * 3600, 10.5 * 3600, np.nan]})
    num, den = window_parts(qb, recs, starts, 30)
    assert den.tolist() == [[3.0, 0.0], [0.0, 1.0]]
    # 08:24 next day in time, 08:36 late, the 09:00 one answered 10:30 late; still
    # waiting at the horizon's end with its deadline inside: late.
    assert num.tolist() == [[1.0, 0.0], [0.0, 0.0]]


def _formula_of(c, q, interval=60):
    from ccwfm import erlang
    vol = np.asarray(c.queues[0].volume, float)
    agents = np.asarray(c.groups[0].staffing, float)
    m = erlang.metrics(agents, vol, 200.0, target_time=20.0, interval=interval * 60.0,
                       patience=150.0)
    return {q.name: (m, vol)}


def _ols(y, x):
    """Independent reference: OLS intercept and its 95% t half-width."""
    reps, m = x.shape
    design = np.column_stack([np.ones(reps), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    cov = resid @ resid / (reps - 1 - m) * np.linalg.inv(design.T @ design)
    from scipy import stats
    return coef[0], stats.t.ppf(0.975, reps - 1 - m) * np.sqrt(cov[0, 0])


def test_control_variates_by_hand():
    """With the formula, each day's estimate is the OLS intercept of its replications'
    values on the day's controls weighted by the formula's probability of waiting
    (plus half of each neighbour's); recomputed here from the records and the
    simulation's controls."""
    c, starts = _center(3)
    res = simulate.simulate(c, replications=16, seed=21, records=True)
    q = QueueConfig("voice", demo=True, patience=150.0,
                    target=Target(service_level=0.8, target_time=20))
    formula = _formula_of(c, q)
    table = attainment([q], res, starts, formula=formula)
    wait = np.nan_to_num(np.asarray(formula["voice"][0].prob_wait, float))
    weight = wait + 0.5 * np.r_[0.0, wait[:-1]] + 0.5 * np.r_[wait[1:], 0.0]
    rec = res.records
    answered = rec["outcome"] == "answered"
    resolved = answered | (rec["outcome"] == "abandoned")
    within = answered & (rec["wait"] <= 20.0)
    day = (rec["arrival"] // 86400).astype(int)
    for d in range(3):
        per = pd.DataFrame({"rep": rec["replication"], "w": within & (day == d),
                            "r": resolved & (day == d)}).groupby("rep").sum()
        y = (per["w"] / per["r"]).to_numpy()
        sel = slice(24 * d, 24 * (d + 1))
        x = np.stack([res.controls[:, 0, sel, j] @ weight[sel] for j in range(2)], axis=1)
        mean, half = _ols(y, x)
        row = table.iloc[d]
        assert row["simulated"] == pytest.approx(mean, rel=1e-9)
        assert row["high"] - row["simulated"] == pytest.approx(half, rel=1e-7)


def test_deferrable_work_keeps_plain_means():
    from ccwfm.plan.verify import build_center

    qc, req, starts = _mail(7200, "calendar")
    agents = np.where((starts.hour >= 8) & (starts.hour < 18), 4.5, 1.0)
    center = build_center([qc], req, {"mail": agents}, interval=30)
    res = simulate.simulate(center, replications=12, seed=4, progress=False)
    from ccwfm import erlang
    m = erlang.metrics(agents, req["agent_volume"].to_numpy(float), 600.0, interval=1800.0)
    with_f = attainment([qc], res, starts, formula={"mail": (m, req["agent_volume"])})
    plain = attainment([qc], res, starts)
    np.testing.assert_allclose(with_f["simulated"], plain["simulated"])
    np.testing.assert_allclose(with_f["low"], plain["low"])


@pytest.mark.slow
def test_control_variate_intervals_cover_the_truth():
    """Across 40 seeds the 95% control-variate intervals of each day hold the truth (the
    plain mean of 3,000 replications on other seeds) at about their level, and are
    at least 10% narrower than the plain intervals (on this small queue; a third on
    the demo's)."""
    c, starts = _center(4)
    q = QueueConfig("voice", demo=True, patience=150.0,
                    target=Target(service_level=0.8, target_time=20, abandon_rate=0.05))
    formula = _formula_of(c, q)
    truth = np.mean([attainment([q], simulate.simulate(c, replications=1000, seed=[99, k]),
                                starts)["simulated"].to_numpy() for k in range(3)], axis=0)
    cover, ratio = [], []
    for s in range(40):
        res = simulate.simulate(c, replications=20, seed=[5, s])
        cv = attainment([q], res, starts, formula=formula)
        plain = attainment([q], res, starts)
        cover.append((cv["low"] <= truth) & (truth <= cv["high"]))
        ratio.append((cv["high"] - cv["low"]) / (plain["high"] - plain["low"]))
    cover = np.concatenate(cover)
    assert 0.90 <= cover.mean() <= 0.99, cover.mean()
    assert np.median(np.concatenate(ratio)) < 0.9
