"""The shift MILP against brute force on many random small instances.

Each instance: one or two days (starting on a random weekday), a 30- or
60-minute grid, a random (sometimes fractional) requirement, one to three
templates with random lengths, start times (some off the grid, some running
past midnight or the horizon's end), unpaid breaks (placed by default or
given), paid breaks, weekdays, cost factors and ``min_agents`` /
``max_agents``; sometimes a cap on agents on duty, a surplus penalty and a
small shortfall penalty (so that leaving a need short can be optimal).

The brute force is written from the templates' definitions only (it does not
use ``plan.schedule`` or the templates' own span helpers): it marks each
shift's on-duty minutes, derives the model of ``plan.schedule``'s docstring
(whole-agent targets where every covering shift covers the whole interval,
the cap, the per-day bounds on a template's agents) and tries every
combination of shift counts up to a bound no optimum exceeds (one agent more
than the most a column can usefully add plus the template's minimum: a
further agent only adds cost and surplus).  The MILP (``mip_rel_gap=0``) must
reach the brute-force optimum, and its schedule must be feasible and
reported as the independent coverage says.
"""

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from ccwfm.plan.schedule import ShiftTemplate, schedule

DAY = 1440
MONDAY = pd.Timestamp("2024-01-01")


def random_instance(rng):
    """(requirements Series, templates, kwargs, interval, ndays, day0) of a small instance."""
    interval = int(rng.choice([30, 60]))
    ndays = int(rng.choice([1, 2]))
    day0 = MONDAY + pd.Timedelta(days=int(rng.integers(0, 7)))
    per_day = DAY // interval
    values = np.zeros(ndays * per_day)
    for d in range(ndays):
        lo = int(rng.integers(5, 10)) * 60 // interval
        hi = int(rng.integers(13, 23)) * 60 // interval
        values[d * per_day + lo:d * per_day + hi] = rng.choice(
            [0, 0.5, 1, 1, 1.5, 2, 2, 2.3, 3], size=hi - lo)
    templates = []
    for k in range(int(rng.integers(1, 4))):
        length = int(rng.choice([120, 180, 240, 300, 360, 480]))
        nstart = int(rng.integers(1, 3))
        starts = tuple(int(s) for s in rng.choice(np.arange(5 * 60, 21 * 60 + 1, 30), nstart,
                                                  replace=False))
        kw = {}
        if rng.random() < 0.5 and length >= 240:
            kw["unpaid_break"] = int(rng.choice([30, 60]))
            if rng.random() < 0.5:
                kw["break_offset"] = int(rng.choice([60, 90, 120]))
        if rng.random() < 0.3 and length >= 240:
            # A paid break in the first hour, clear of any unpaid break (placed from 1 h).
            kw["paid_breaks"] = (15,)
            kw["paid_break_offsets"] = (int(rng.choice([15, 30, 40])),)
            kw.setdefault("break_offset", 120 if kw.get("unpaid_break") else None)
        if rng.random() < 0.4:
            kw["days"] = tuple(sorted(rng.choice(7, int(rng.integers(1, 7)), replace=False)))
        if rng.random() < 0.3:
            kw["min_agents"] = 1
        if rng.random() < 0.4:
            kw["max_agents"] = int(rng.integers(kw.get("min_agents", 0), 4))
        templates.append(ShiftTemplate(f"t{k}", length, starts,
                                       cost_factor=float(rng.choice([0.8, 1.0, 1.1, 1.5])),
                                       **{a: b for a, b in kw.items() if b is not None}))
    kwargs = {"hourly_cost": 10.0, "under_penalty": float(rng.choice([8.0, 30.0, 200.0])),
              "over_penalty": float(rng.choice([0.0, 0.0, 1.0, 6.0])), "mip_rel_gap": 0.0}
    if rng.random() < 0.3:
        kwargs["max_on_duty"] = float(rng.choice([1.0, 2.0, 2.5]))
    idx = day0 + pd.to_timedelta(np.arange(values.size) * interval, unit="min")
    return pd.Series(values, index=idx), templates, kwargs, interval, ndays, day0


def on_minutes(t, start, interval):
    """Boolean per minute of the shift: on duty (not in a break), from the definition."""
    on = np.ones(t.length, bool)
    if t.unpaid_break:
        off = t.break_offset
        if off is None:  # boundary nearest the middle, ties to the earlier one
            mid = start + t.length / 2
            lower = math.floor(mid / interval) * interval
            off = (lower if mid - lower <= lower + interval - mid else lower + interval) - start
            off = min(max(off, 0), t.length - t.unpaid_break)
        on[off:off + t.unpaid_break] = False
    for off, span in zip(t.paid_break_offsets or (), t.paid_breaks):
        on[off:off + span] = False
    return on


def columns(templates, ndays, day0, interval):
    """[(template index, day, start)] and the share a[i, j] of interval i each covers."""
    cols, shares = [], []
    n = ndays * DAY
    for ti, t in enumerate(templates):
        for d in range(ndays):
            if (day0.weekday() + d) % 7 not in t.days:
                continue
            for s in t.starts:
                minutes = np.zeros(n + DAY)
                a = d * DAY + s
                minutes[a:a + t.length] = on_minutes(t, s, interval)
                cols.append((ti, d, s))
                shares.append(minutes[:n].reshape(-1, interval).mean(axis=1))
    return cols, np.array(shares).T if shares else np.zeros((n // interval, 0))


def model(req, templates, kwargs, ndays, day0, interval):
    """Everything the brute force needs, from the docstring's model."""
    cols, a = columns(templates, ndays, day0, interval)
    required = req.to_numpy()
    covered = (a > 0).any(axis=1)
    whole = ~((a > 1e-12) & (a < 1 - 1e-12)).any(axis=1)
    target = np.where(whole, np.ceil(required - 1e-9), required)
    cap = np.full(required.size, kwargs.get("max_on_duty", np.inf))
    cap = np.where(whole, np.floor(cap + 1e-9), cap)
    cost = np.array([templates[ti].paid_hours * kwargs["hourly_cost"] * templates[ti].cost_factor
                     for ti, _, _ in cols])
    groups = {}
    for j, (ti, d, _) in enumerate(cols):
        groups.setdefault((ti, d), []).append(j)
    return cols, a, required, covered, target, cap, cost, groups


def objective(x, a, target, cost, kwargs):
    """Model objective of counts ``x`` (rows: candidates)."""
    cov = x @ a.T
    under = np.maximum(target - cov, 0).sum(axis=-1)
    over = np.maximum(cov - target, 0).sum(axis=-1)
    return x @ cost + kwargs["under_penalty"] * under + kwargs["over_penalty"] * over


def feasible(x, a, covered, cap, groups, templates):
    cov = x @ a.T
    ok = (cov[..., covered] <= cap[covered] + 1e-9).all(axis=-1)
    for (ti, _), js in groups.items():
        t = templates[ti]
        n = x[..., js].sum(axis=-1)
        ok &= n >= t.min_agents
        if t.max_agents is not None:
            ok &= n <= t.max_agents
    return ok


def brute_force(a, target, cap, covered, cost, groups, templates, kwargs):
    """Least objective over every feasible combination (None if none is)."""
    bound = []
    for j in range(a.shape[1]):
        share = a[:, j]
        useful = max((math.ceil(target[i] / share[i] - 1e-9) for i in np.flatnonzero(share > 0)),
                     default=0)
        ti = next(ti for (ti, _), js in groups.items() if j in js)
        hi = useful + templates[ti].min_agents
        if templates[ti].max_agents is not None:
            hi = min(hi, templates[ti].max_agents)
        bound.append(hi)
    best = None
    grids = [np.arange(b + 1) for b in bound]
    total = math.prod(len(g) for g in grids)
    assert total <= 400_000, bound
    x = np.array(list(itertools.product(*grids)), dtype=float).reshape(total, len(grids))
    ok = feasible(x, a, covered, cap, groups, templates)
    if ok.any():
        best = float(objective(x[ok], a, target, cost, kwargs).min())
    return best


def check(seed):
    rng = np.random.default_rng(seed)
    while True:
        req, templates, kwargs, interval, ndays, day0 = random_instance(rng)
        cols, a, required, covered, target, cap, cost, groups = model(
            req, templates, kwargs, ndays, day0, interval)
        if 1 <= len(cols) <= 6:
            break
    best = brute_force(a, target, cap, covered, cost, groups, templates, kwargs)
    if best is None:
        with pytest.raises(ValueError, match="min_agents cannot be met within 'max_on_duty'"):
            schedule(req, templates, interval=interval, **kwargs)
        return "infeasible"
    res = schedule(req, templates, interval=interval, **kwargs)
    # The reported starts as counts per column.
    x = np.zeros(len(cols))
    where = {(ti, d, s): j for j, (ti, d, s) in enumerate(cols)}
    names = [t.name for t in templates]
    for r in res.starts.itertuples():
        minutes = int((r.start - day0) / pd.Timedelta(minutes=1))
        x[where[(names.index(r.template), minutes // DAY, minutes % DAY)]] += r.agents
    assert feasible(x, a, covered, cap, groups, templates), (seed, x)
    got = float(objective(x, a, target, cost, kwargs))
    assert got == pytest.approx(best, rel=1e-9, abs=1e-6), (seed, got, best, x)
    assert res.optimal
    # Reported as the independent coverage says, against the requirement as given.
    cov = a @ x
    np.testing.assert_allclose(res.coverage["scheduled"], cov, atol=1e-9)
    np.testing.assert_allclose(res.coverage["required"], required)
    np.testing.assert_allclose(res.coverage["under"], np.maximum(required - cov, 0), atol=1e-9)
    np.testing.assert_allclose(res.coverage["over"], np.maximum(cov - required, 0), atol=1e-9)
    assert res.shortfall == pytest.approx(np.maximum(required - cov, 0).sum() * interval / 60)
    assert res.cost == pytest.approx(float(cost @ x))
    return "optimal"


def test_milp_equals_brute_force_on_random_instances():
    outcomes = [check(seed) for seed in range(120)]
    assert outcomes.count("optimal") >= 100          # the loop is not vacuous


@pytest.mark.slow
def test_milp_equals_brute_force_on_more_random_instances():
    outcomes = [check(seed) for seed in range(120, 1120)]
    assert outcomes.count("optimal") >= 800
