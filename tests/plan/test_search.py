"""plan._search: the Numba rounding searches against independent implementations."""

import itertools

import numpy as np
import pytest

from ccwfm.plan._search import backlog_search, backlog_state
from ccwfm.plan.backlog import deadlines, fluid_backlog


@pytest.mark.parametrize("seed", range(6))
def test_backlog_state_is_the_fluid_model(seed):
    """Wait, backlog left and overdue backlog agree with :func:`fluid_backlog`."""
    rng = np.random.default_rng(seed)
    n = 40
    lam = rng.uniform(0, 12, n) * (rng.random(n) < 0.8)
    aht = rng.uniform(200, 900, n)
    phones = rng.uniform(0, 4, n)
    carry = float(rng.uniform(0, 20))
    open_ = np.ones(n, bool)
    open_[30:34] = False
    due = deadlines(open_, interval=15, window=3600 * float(rng.uniform(0.5, 3)))
    r = fluid_backlog(lam, aht, phones, due, interval=15, carry_in=carry)
    # Not yet due at the end of each interval: arrived less due (carry due at due[0]).
    arrived = carry + np.cumsum(lam)
    due_by = np.cumsum(np.bincount(np.minimum(due, n), weights=lam, minlength=n + 1)[:n])
    due_by = due_by + np.where(np.arange(n) >= due[0], carry, 0.0)
    count = np.ones(n, np.bool_)
    count[:-1] = open_[1:]
    wait, late, end = backlog_state(phones, lam, aht, 900.0, carry, arrived - due_by, count)
    assert wait == pytest.approx(r.wait.sum(), rel=1e-9)
    assert end == pytest.approx(r.carry_out, abs=1e-9)
    overdue = np.maximum(r.backlog - (arrived - due_by), 0.0)
    assert late == pytest.approx(overdue[count].sum(), abs=1e-9)
    # The late bound never under-counts the fluid's late contacts.
    assert late >= r.late.sum() - 1e-9


def _brute(a0, fixed, cost, keep, lam, aht, wait_max, most):
    """Cheapest whole x meeting the wait bound, by enumeration."""
    R, F = a0.shape
    notdue = np.cumsum(lam)
    count = np.zeros(R, np.bool_)
    best = (np.inf, None)
    for x in itertools.product(range(most + 1), repeat=F):
        x = np.array(x, float)
        c = float(cost @ x)
        if c >= best[0]:
            continue
        w, _, _ = backlog_state(keep * (fixed + a0 @ x), lam, aht, 3600.0, 0.0, notdue, count)
        if w <= wait_max + 1e-9:
            best = (c, x)
    return best


@pytest.mark.parametrize("seed", range(5))
def test_backlog_search_near_brute_force(seed):
    """From a feasible start near the optimum (one agent more on every shift, as the
    LP's shifts rounded up are) the search keeps the wait bound and ends within 10%
    of the cheapest schedule found by enumeration; from a far start, within 25%."""
    rng = np.random.default_rng(seed)
    R = 10
    lam = rng.uniform(2, 10, R)
    aht = np.full(R, 600.0)
    # Four shifts of 4 or 6 hours at different starts.
    a0 = np.zeros((R, 4))
    for j, (s, length) in enumerate([(0, 4), (2, 6), (4, 6), (6, 4)]):
        a0[s:s + length, j] = 1.0
    cost = a0.sum(axis=0) * 20.0
    fixed = np.zeros(R)
    keep = 0.9
    # A wait budget some schedules meet: half of what 1 agent per shift gives.
    count = np.zeros(R, np.bool_)
    notdue = np.cumsum(lam)
    w1, _, _ = backlog_state(keep * a0 @ np.ones(4), lam, aht, 3600.0, 0.0, notdue, count)
    wait_max = 0.5 * w1
    want, best = _brute(a0, fixed, cost, keep, lam, aht, wait_max, most=4)
    assert np.isfinite(want)
    for start, slack in ((best + 1.0, 1.10), (np.full(4, 4.0), 1.25)):
        x = backlog_search(start, a0, fixed, cost, keep, lam, aht, 3600.0, 0.0, notdue,
                           count, wait_max, np.inf, np.inf, 1.0 / 600.0, 1e6, 500)
        w, _, _ = backlog_state(keep * a0 @ x, lam, aht, 3600.0, 0.0, notdue, count)
        assert w <= wait_max * (1 + 1e-9)
        assert want <= float(cost @ x) <= slack * want
