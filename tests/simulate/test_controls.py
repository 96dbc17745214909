"""simulate.controls: zero-mean controls from the draws, and the control-variate estimate."""

import numpy as np
import pytest
from scipy import stats

from ccwfm import simulate
from ccwfm.simulate import Bot, Center, Distribution, control_estimate
from ccwfm.simulate.controls import MIN_REPLICATIONS


def _bot_center(uplift=1.0, volume=None):
    """A queue behind a bot, agents enough for everyone, and quiet last hours (all finish)."""
    vol = volume if volume is not None else [40.0, 90.0, 60.0, 30.0, 0.0, 0.0, 0.0, 0.0]
    bot = Bot(Distribution.exponential(45.0), containment=0.3, abandon=0.1, uplift=uplift)
    return Center.single_queue(vol, aht=180, agents=40, interval=1800.0, bot=bot)


def test_controls_recount_the_records():
    """Independent recount: escalated first attempts per interval and their handle times
    (service = handle draw, nobody waits or abandons) from the contact records."""
    c = _bot_center()
    res = simulate.simulate(c, replications=6, seed=11, records=True)
    rec = res.records
    first = rec[rec["attempt"] == 0]
    escalated = first[~first["outcome"].isin(["contained", "abandoned_bot", "in_bot"])]
    assert (escalated["outcome"] == "answered").all()
    horizon = c.horizon
    for r in range(6):
        e = escalated[escalated["replication"] == r]
        cell = np.minimum((e["arrival"].to_numpy() // 1800.0).astype(int), horizon - 1)
        n = np.bincount(cell, None, horizon)
        hold = np.bincount(cell, (e["leave"] - e["start"]).to_numpy(), horizon)
        want0 = n - np.asarray(c.queues[0].volume) * (1 - 0.3 - 0.1)
        want1 = hold - n * 180.0
        np.testing.assert_allclose(res.controls[r, 0, :, 0], want0, atol=1e-9)
        np.testing.assert_allclose(res.controls[r, 0, :, 1], want1, rtol=1e-9, atol=1e-6)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_controls_have_mean_zero(seed):
    """Across replications the horizon totals of each control average to zero (within
    4.5 standard errors), with a bot, an overdispersed volume, a lognormal handle
    time and a per-interval handle scale."""
    vol = [30.0, 80.0, 120.0, 60.0, 20.0, 0.0]
    q = simulate.Queue("q", vol, Distribution.lognormal(240.0, cv=1.2),
                       bot=Bot(Distribution.exponential(30.0), containment=0.2, abandon=0.05),
                       overdispersion=0.15, handle_scale=[1.0, 1.1, 0.9, 1.2, 1.0, 1.0])
    g = simulate.Group("g", (simulate.Skill("q"),), staffing=[20] * 6)
    c = Center((q,), (g,), interval=1800.0)
    res = simulate.simulate(c, replications=600, seed=seed)
    tot = res.controls[:, 0].sum(axis=1)                  # (replications, controls)
    z = tot.mean(axis=0) / (tot.std(axis=0, ddof=1) / np.sqrt(tot.shape[0]))
    assert np.all(np.abs(z) < 4.5), z


def _ols_intercept(y, x, level):
    """Independent reference: the intercept of an OLS fit and its t half-width."""
    reps, m = x.shape
    design = np.column_stack([np.ones(reps), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    s2 = resid @ resid / (reps - 1 - m)
    cov = s2 * np.linalg.inv(design.T @ design)
    return coef[0], stats.t.ppf(0.5 + level / 2, reps - 1 - m) * np.sqrt(cov[0, 0])


@pytest.mark.parametrize("m", [1, 2, 3])
def test_estimate_is_the_ols_intercept(m):
    rng = np.random.default_rng(m)
    reps, cells = 30, 7
    x = rng.normal(size=(reps, cells, m)) * rng.uniform(0.1, 50, size=(1, cells, m))
    y = 0.8 + (x * rng.normal(size=(1, cells, m)) * 0.01).sum(axis=2) \
        + 0.02 * rng.normal(size=(reps, cells))
    mean, half = control_estimate(y, x, level=0.9)
    for k in range(cells):
        want_mean, want_half = _ols_intercept(y[:, k], x[:, k, :], 0.9)
        assert mean[k] == pytest.approx(want_mean, rel=1e-10)
        assert half[k] == pytest.approx(want_half, rel=1e-8)


def _plain(y, level=0.95):
    n = y.shape[0]
    return y.mean(axis=0), stats.t.ppf(0.5 + level / 2, n - 1) * y.std(axis=0, ddof=1) / np.sqrt(n)


def test_falls_back_to_the_plain_mean():
    rng = np.random.default_rng(7)
    # Too few replications.
    y = rng.normal(size=(MIN_REPLICATIONS - 1, 3))
    x = rng.normal(size=(MIN_REPLICATIONS - 1, 3, 2))
    mean, half = control_estimate(y, x)
    np.testing.assert_allclose(mean, _plain(y)[0])
    np.testing.assert_allclose(half, _plain(y)[1])
    # A cell with a constant control, one with a control that repeats another,
    # one with a replication without a value; the others use the controls.
    y = rng.normal(size=(20, 4))
    x = rng.normal(size=(20, 4, 2))
    x[:, 0, 1] = 3.0
    x[:, 1, 1] = 2 * x[:, 1, 0]
    y[5, 2] = np.nan
    mean, half = control_estimate(y, x)
    np.testing.assert_allclose(mean[:2], _plain(y[:, :2])[0])
    np.testing.assert_allclose(half[:2], _plain(y[:, :2])[1])
    ok = np.delete(y[:, 2], 5)
    assert mean[2] == pytest.approx(ok.mean())
    assert half[2] == pytest.approx(stats.t.ppf(0.975, 18) * ok.std(ddof=1) / np.sqrt(19))
    assert mean[3] == pytest.approx(_ols_intercept(y[:, 3], x[:, 3], 0.95)[0])
    # No controls at all.
    mean, half = control_estimate(y[:, 3:], np.zeros((20, 1, 0)))
    assert mean[0] == pytest.approx(y[:, 3].mean())


def test_interval_covers_at_its_level():
    """Linear model with known mean: the 95% intervals cover it 95% of the time
    (4000 cells, +-4 binomial standard deviations), and are narrower than the plain
    intervals by the share of variance the controls explain."""
    rng = np.random.default_rng(12)
    reps, cells = 24, 4000
    x = rng.normal(size=(reps, cells, 2))
    y = 0.8 + 0.03 * x[:, :, 0] - 0.02 * x[:, :, 1] + 0.02 * rng.normal(size=(reps, cells))
    mean, half = control_estimate(y, x)
    cover = np.mean(np.abs(mean - 0.8) <= half)
    assert abs(cover - 0.95) < 4 * np.sqrt(0.95 * 0.05 / cells)
    plain = _plain(y)[1]
    # Residual sd 0.02 against sqrt(0.03^2 + 0.02^2 + 0.02^2) = 0.041 plain.
    assert 0.4 < np.median(half / plain) < 0.6
