"""Distributions: their samples have the mean and spread they are built with."""

import math

import numpy as np
import pytest

from ccwfm.simulate import Distribution
from ccwfm.simulate.distributions import draw_keyed


@pytest.mark.parametrize("dist, cv", [
    (Distribution.exponential(180.0), 1.0),
    (Distribution.lognormal(300.0, 0.8), 0.8),
    (Distribution.weibull(120.0, 0.7), None),
    (Distribution.empirical([10.0, 20.0, 60.0, 110.0]), None),
    (Distribution.fixed(30.0), 0.0),
])
def test_bulk_samples_match_mean_and_cv(dist, cv):
    x = dist.sample(np.random.default_rng(5), 400_000)
    assert abs(x.mean() / dist.mean - 1) < 0.01
    if cv is not None:
        assert abs(x.std() / x.mean() - cv) < 0.02
    assert (x >= 0).all()


@pytest.mark.parametrize("dist", [Distribution.exponential(180.0),
                                  Distribution.lognormal(300.0, 0.8),
                                  Distribution.weibull(120.0, 0.7),
                                  Distribution.empirical([10.0, 20.0, 60.0, 110.0])])
def test_keyed_draws_have_the_same_law_as_bulk_samples(dist):
    kind, p1, p2, values = dist.params()
    keyed = np.array([draw_keyed(kind, p1, p2, values, np.uint64(99), 0, c, 1, 4)
                      for c in range(100_000)])
    bulk = dist.sample(np.random.default_rng(1), 100_000)
    # Two-sample Kolmogorov-Smirnov at the 0.1% level.
    grid = np.sort(np.concatenate([keyed, bulk]))
    d = np.max(np.abs(np.searchsorted(np.sort(keyed), grid, side="right")
                      - np.searchsorted(np.sort(bulk), grid, side="right"))) / 100_000
    assert d < 1.95 * math.sqrt(2 / 100_000)


def test_weibull_mean_and_shape():
    d = Distribution.weibull(120.0, 2.0)
    x = d.sample(np.random.default_rng(2), 300_000)
    assert abs(x.mean() - 120.0) < 0.6
    # shape 2: cv = sqrt(4/pi - 1)
    assert abs(x.std() / x.mean() - math.sqrt(4 / math.pi - 1)) < 0.01


def test_spec_round_trip():
    for d in (Distribution.exponential(180.0), Distribution.lognormal(300.0, 0.8),
              Distribution.weibull(120.0, 0.7), Distribution.empirical([1.0, 2.0]),
              Distribution.fixed(5.0)):
        assert Distribution.from_spec(d.to_spec()) == d
    assert Distribution.from_spec(90) == Distribution.exponential(90)


def test_empirical_rejects_bad_values():
    with pytest.raises(ValueError, match=r"'values' must be finite, >= 0 and <= 3.1536e\+07 "
                                         r"seconds \(a year\): -1.0 \(at index 1\)"):
        Distribution.empirical([3.0, -1.0])
    with pytest.raises(ValueError, match="at least one"):
        Distribution.empirical([])


@pytest.mark.parametrize("build, message", [
    (lambda: Distribution("exponential", -5), "'mean' must be > 0 and finite: -5"),
    (lambda: Distribution("fixed", float("inf")), "'mean' must be > 0 and finite: inf"),
    (lambda: Distribution("lognormal", 300.0, cv=0.0), "'cv' must be > 0 and finite: 0.0"),
    (lambda: Distribution("weibull", 120.0, shape=-1.0), "'shape' must be > 0 and finite: -1.0"),
    (lambda: Distribution("weibull", 120.0, shape=0.001), "'shape' must be >= 0.13: 0.001"),
    (lambda: Distribution("empirical", 10.0), "'values' must hold at least one duration"),
    (lambda: Distribution("gamma", 10.0), "'kind' must be one of 'exponential', 'lognormal'"),
    (lambda: Distribution.exponential("180"), "'mean' must be a number: '180'"),
    (lambda: Distribution.from_spec({"kind": "fixed", "value": -2}, field="bot.time"),
     "'bot.time.value' must be > 0 and finite: -2"),
])
def test_direct_construction_is_validated_and_names_the_parameter(build, message):
    with pytest.raises(ValueError) as info:
        build()
    assert message in str(info.value)


@pytest.mark.parametrize("shape", [0.001, 0.011, 0.049, 0.129])
def test_weibull_with_a_tiny_shape_is_a_value_error_not_an_overflow(shape):
    with pytest.raises(ValueError, match=rf"'shape' must be >= 0.13: {shape!r}"):
        Distribution.weibull(100, shape)
    with pytest.raises(ValueError, match=r"'patience.shape' must be >= 0.13"):
        Distribution.from_spec({"kind": "weibull", "mean": 100, "shape": shape},
                               field="patience")


@pytest.mark.parametrize("shape", [0.13, 1e9, 1e300])
def test_weibull_shapes_at_the_edges_build_and_sample(shape):
    d = Distribution.weibull(100.0, shape)
    assert math.isfinite(d.cv) and d.cv >= 0
    x = d.sample(np.random.default_rng(0), 1000)
    assert np.isfinite(x).all() and (x >= 0).all()
