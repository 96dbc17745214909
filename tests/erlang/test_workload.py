"""Bot deflection, shrinkage and offered load, against hand arithmetic and exact fractions."""

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ccwfm import erlang


def test_deflect_by_hand():
    vol, aht = erlang.deflect(200, 300, containment=0.25, uplift=1.2)
    assert vol == 150.0 and aht == 360.0
    vol, aht = erlang.deflect([100, 200], 300, containment=[0.0, 1.0])
    np.testing.assert_array_equal(vol, [100.0, 0.0])
    np.testing.assert_array_equal(aht, [300.0, 300.0])


def test_bot_lowers_required_agents():
    base = erlang.required_agents(400, 300, service_level=0.8, target_time=20)
    vol, aht = erlang.deflect(400, 300, containment=0.3, uplift=1.15)
    with_bot = erlang.required_agents(vol, aht, service_level=0.8, target_time=20)
    assert with_bot < base


def test_offered_load():
    assert erlang.offered_load(100, 180, 1800) == 10.0
    np.testing.assert_allclose(erlang.offered_load([100, 50], 360, 900), [40.0, 20.0])


def test_scheduled_agents_canonical():
    assert erlang.scheduled_agents(14, 0.30) == 20
    assert erlang.scheduled_agents(0, 0.5) == 0
    np.testing.assert_array_equal(erlang.scheduled_agents([10, 7], [0.0, 0.3]), [10, 10])


@settings(max_examples=300, deadline=None)
@given(required=st.integers(0, 5000), pct=st.integers(0, 95))
def test_scheduled_agents_is_smallest_count_in_exact_arithmetic(required, pct):
    shrink = Fraction(pct, 100)
    m = erlang.scheduled_agents(required, pct / 100)
    assert m * (1 - shrink) >= required
    assert m == 0 or (m - 1) * (1 - shrink) < required
