"""Patience from censored waits: known exponential patience recovered, tiny cases by hand."""

import ast
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

from ccwfm.forecast.acd import read_acd
from ccwfm.forecast.patience import Patience, estimate_patience
from ccwfm.simulate import Distribution

TRUE_MEAN = 120.0


@pytest.fixture(scope="module")
def simulated():
    """Patience ~ exponential(120 s) censored by offered waits ~ exponential(90 s)."""
    rng = np.random.default_rng(20240611)
    n = 6000
    patience = rng.exponential(TRUE_MEAN, n)
    offered = rng.exponential(90.0, n)
    abandoned = patience < offered
    wait = np.round(np.minimum(patience, offered), 1)
    return pd.DataFrame({"wait": wait,
                         "outcome": np.where(abandoned, "abandoned", "answered")})


def test_exponential_mle_recovers_known_mean(simulated):
    p = estimate_patience(simulated)
    assert isinstance(p, Patience) and p.n == 6000
    # About 90 / (90 + 120) = 43% abandon.
    assert 0.38 < p.abandoned / p.n < 0.48
    lo, hi = p.mean_exponential_ci
    assert lo < TRUE_MEAN < hi
    assert lo < p.mean_exponential < hi
    # The interval has the width of a mean estimated from d events: +-1.96 / sqrt(d).
    assert hi / lo == pytest.approx(math.exp(2 * 1.96 / math.sqrt(p.abandoned)), rel=0.05)
    assert abs(p.mean_exponential / TRUE_MEAN - 1) < 3 / math.sqrt(p.abandoned)
    assert p.mean_for_erlang == p.mean_exponential
    # Ignoring the censored waits would give about E[min] = 51 s: far outside.
    naive = simulated.loc[simulated["outcome"] == "abandoned", "wait"].mean()
    assert not lo < naive < hi


def test_kaplan_meier_follows_the_true_survival(simulated):
    p = estimate_patience(simulated)
    t = np.array([10.0, 30.0, 60.0, 120.0, 200.0, 300.0])
    s = p.survival_at(t)
    i = np.searchsorted(p.times, t, side="right") - 1
    se = p.survival_se[i]
    assert np.all(np.abs(s - np.exp(-t / TRUE_MEAN)) < 4 * se)
    assert np.all(se < 0.02)
    # Median of an exponential: 120 ln 2 = 83 s; tolerance from the curve's slope and se.
    assert abs(p.median_km - TRUE_MEAN * math.log(2)) < 8
    # Restricted mean up to tau: 120 (1 - exp(-tau / 120)).
    expected = TRUE_MEAN * (1 - math.exp(-p.restricted_to / TRUE_MEAN))
    assert p.restricted_mean_km == pytest.approx(expected, rel=0.05)


def test_specs_feed_the_simulator(simulated):
    p = estimate_patience(simulated)
    expo = Distribution.from_spec(p.to_spec("exponential"), field="patience")
    assert expo.kind == "exponential" and expo.mean == pytest.approx(p.mean_exponential)
    spec = p.to_spec("empirical", size=2000)
    assert spec["kind"] == "empirical" and len(spec["values"]) == 2000
    emp = Distribution.from_spec(spec, field="patience")
    assert emp.mean == pytest.approx(TRUE_MEAN, rel=0.08)
    values = np.asarray(spec["values"])
    assert np.all(np.diff(values) >= 0)
    # Beyond the longest wait, the exponential tail: the curve has mass left there.
    if p.survival[-1] > 0:
        assert values[-1] > p.restricted_to


def test_tiny_kaplan_meier_by_hand():
    # Waits 2 (abandoned), 3 (answered), 5 (abandoned), 8 (abandoned).
    # At 2: 4 at risk, 1 leaves: S = 3/4.  3 censored.  At 5: 2 at risk: S = 3/8.
    # At 8: 1 at risk: S = 0.
    df = pd.DataFrame({"wait": [5, 2, 8, 3],
                       "outcome": ["abandoned", "abandoned", "abandoned", "answered"]})
    p = estimate_patience(df)
    assert p.times.tolist() == [2, 5, 8]
    assert p.survival.tolist() == [0.75, 0.375, 0.0]
    assert p.median_km == 5
    assert p.mean_exponential == 18 / 3          # 18 s waited, 3 abandonments
    assert p.restricted_to == 8
    assert p.restricted_mean_km == 2 * 1 + 3 * 0.75 + 3 * 0.375
    assert p.survival_at([0, 2, 4.9, 5, 100]).tolist() == [1, 0.75, 0.75, 0.375, 0]
    # The curve reaches 0: the empirical spec is the KM quantiles, no tail.
    assert p.to_spec("empirical", size=4)["values"] == [2, 5, 5, 8]


def test_tiny_kaplan_meier_with_a_tail_by_hand():
    # Waits 2 (abandoned), 3 (answered), 5 (abandoned), 8 (answered): S = 3/4, 3/8, and
    # 3/8 is left beyond tau = 8.  Exponential: 2 abandonments in 18 s: mean 9.
    df = pd.DataFrame({"wait": [2, 3, 5, 8],
                       "outcome": ["abandoned", "answered", "abandoned", "answered"]})
    p = estimate_patience(df)
    assert p.survival.tolist() == [0.75, 0.375]
    assert p.mean_exponential == 9
    assert p.restricted_mean_km == 2 + 3 * 0.75 + 3 * 0.375
    assert math.isnan(p.survival_at(9.0))
    # Quantiles at 0.1 0.3 0.5 0.7 0.9: 2, 5, 5, then the tail 8 + 9 ln(0.375 / (1 - q)).
    values = p.to_spec("empirical", size=5)["values"]
    assert values[:3] == [2, 5, 5]
    assert values[3] == pytest.approx(8 + 9 * math.log(0.375 / 0.3))
    assert values[4] == pytest.approx(8 + 9 * math.log(0.375 / 0.1))
    # CI by hand: exact Poisson limits for 2 events in 18 s.
    assert p.mean_exponential_ci == pytest.approx((36 / chi2.ppf(0.975, 6),
                                                   36 / chi2.ppf(0.025, 4)))


def test_median_not_reached_and_no_abandonment():
    # S = 2/3 after the abandonment at 2, then only censored waits: no median.
    p = estimate_patience(pd.DataFrame({"wait": [2, 3, 5],
                                        "outcome": ["abandoned", "answered", "answered"]}))
    assert p.survival.tolist() == pytest.approx([2 / 3])
    assert math.isnan(p.median_km)
    assert p.restricted_mean_km == pytest.approx(2 + 3 * 2 / 3)
    none = estimate_patience(pd.DataFrame({"wait": [10, 20], "outcome": ["answered"] * 2}))
    assert none.mean_exponential == math.inf and none.mean_exponential_ci[1] == math.inf
    assert none.mean_exponential_ci[0] == pytest.approx(60 / chi2.ppf(0.975, 2))
    assert none.times.size == 0 and math.isnan(none.median_km)
    assert none.restricted_mean_km == 20
    with pytest.raises(ValueError, match="no abandonment"):
        none.to_spec("exponential")
    with pytest.raises(ValueError, match="kind"):
        p.to_spec("weibull")


def test_from_an_acd_log_by_queue():
    header = ("vru+line call_id customer_id priority type date vru_entry vru_exit vru_time "
              "q_start q_exit q_time outcome ser_start ser_exit ser_time server")
    rows = [
        "AA0101 1 0 1 PS 990101 8:00:00 8:00:05 5 8:00:05 8:00:35 30 AGENT 8:00:35 8:02:35 120 A",
        "AA0101 2 0 1 PS 990101 8:01:00 8:01:05 5 8:01:05 8:02:05 60 HANG 0:00:00 0:00:00 0 "
        "NO_SERVER",
        "AA0101 3 0 1 PS 990101 8:02:00 8:02:05 5 0:00:00 0:00:00 0 HANG 0:00:00 0:00:00 0 "
        "NO_SERVER",
        "AA0101 4 0 1 NE 990101 8:03:00 8:03:05 5 8:03:05 8:03:15 10 HANG 0:00:00 0:00:00 0 "
        "NO_SERVER",
    ]
    log = read_acd(io.StringIO("\n".join([header, *rows])))
    ps = estimate_patience(log, queue="PS")
    # The VRU hang-up (call 3) is not a queue observation.
    assert (ps.n, ps.abandoned, ps.total_wait, ps.mean_exponential) == (2, 1, 90, 90)
    assert estimate_patience(log).n == 3
    with pytest.raises(ValueError, match="queue"):
        estimate_patience(log, queue="XX")


def test_forecast_imports_nothing_else_of_ours():
    root = Path(__file__).resolve().parents[2] / "forecast"
    ours = {"erlang", "simulate", "plan", "dashboard"}
    for path in (root / "acd.py", root / "patience.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            else:
                continue
            assert not {n.split(".")[0] for n in names} & ours, f"{path.name} imports {names}"
