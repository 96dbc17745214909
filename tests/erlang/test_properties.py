"""Properties that hold for every input (hypothesis): ordering, monotonicity, minimality."""

import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ccwfm import erlang

loads = st.floats(min_value=0.01, max_value=400.0, allow_nan=False)
ahts = st.floats(min_value=10.0, max_value=1200.0, allow_nan=False)
volumes = st.floats(min_value=0.0, max_value=3000.0, allow_nan=False)
patiences = st.one_of(st.none(), st.floats(min_value=5.0, max_value=3600.0))
times = st.floats(min_value=0.0, max_value=300.0, allow_nan=False)
shares = st.floats(min_value=0.01, max_value=0.99)


@settings(max_examples=300, deadline=None)
@given(agents=st.integers(0, 600), load=loads)
def test_erlang_b_below_erlang_c_within_unit_interval(agents, load):
    b = erlang.erlang_b(agents, load)
    c = erlang.erlang_c(agents, load)
    assert 0.0 <= b <= c <= 1.0


@settings(max_examples=200, deadline=None)
@given(load=loads)
def test_erlang_b_recursion_holds_between_neighbours(load):
    # B(n) = a B(n-1) / (n + a B(n-1)): the defining recursion, checked on the public values.
    n = np.arange(1, 200)
    b = erlang.erlang_b(n, load)
    prev = erlang.erlang_b(n - 1, load)
    np.testing.assert_allclose(b, load * prev / (n + load * prev), rtol=1e-12, atol=1e-300)


@settings(max_examples=200, deadline=None)
@given(volume=volumes, aht=ahts, t=times, patience=patiences,
       start=st.integers(0, 300))
def test_more_agents_never_hurt(volume, aht, t, patience, start):
    agents = np.arange(start, start + 40)
    m = erlang.metrics(agents, volume, aht, target_time=t, patience=patience)
    # Documented accuracy: probabilities to 1e-10 absolute in every regime (in deep
    # overload, hundreds waiting, the service level is a small difference of two
    # large series), waits to 1e-10 relative.
    for falling in (m.prob_wait, m.asa, m.abandon_rate, m.average_wait, m.occupancy):
        finite = np.where(np.isinf(falling), 1e300, falling)
        assert np.all(np.diff(finite) <= 1e-12 * np.maximum(1.0, finite[:-1]))
    for rising in (m.service_level, m.service_level_answered):
        assert np.all(np.diff(rising) >= -1e-12)
    for prob in (m.prob_wait, m.service_level, m.service_level_answered, m.abandon_rate,
                 m.occupancy):
        assert np.all((prob >= 0.0) & (prob <= 1.0))
    assert not np.any(np.isnan(np.stack([m.prob_wait, m.service_level, m.asa, m.average_wait,
                                         m.abandon_rate, m.occupancy])))


def _meets(m, sl, asa, ab, occ, basis):
    ok = True
    if sl is not None:
        got = m.service_level_answered if basis == "answered" else m.service_level
        ok &= got >= sl
    if asa is not None:
        ok &= m.asa <= asa
    if ab is not None:
        ok &= m.abandon_rate <= ab
    if occ is not None:
        ok &= m.occupancy <= occ
    return bool(ok)


@settings(max_examples=300, deadline=None)
@given(volume=st.floats(min_value=0.5, max_value=3000.0), aht=ahts, t=times,
       patience=patiences, sl=st.one_of(st.none(), shares),
       asa=st.one_of(st.none(), st.floats(min_value=0.5, max_value=600.0)),
       ab=st.one_of(st.none(), shares),
       # Occupancy caps below 30% would need more agents than the 'agents' limit at these
       # loads (2,000 Erlangs / 0.01); that refusal is tested in test_fuzz.py.
       occ=st.one_of(st.none(), st.floats(min_value=0.3, max_value=0.99)),
       basis=st.sampled_from(["offered", "answered"]))
def test_required_agents_is_the_smallest_count_meeting_every_target(
        volume, aht, t, patience, sl, asa, ab, occ, basis):
    if patience is None:
        ab = None
    assume(sl is not None or asa is not None or ab is not None or occ is not None)
    kw = dict(interval=1800.0, patience=patience)
    n = erlang.required_agents(volume, aht, service_level=sl, target_time=t if sl else None,
                               asa=asa, abandon_rate=ab, occupancy=occ, basis=basis, **kw)
    assert isinstance(n, int) and n >= 1
    at = erlang.metrics(n, volume, aht, target_time=t, **kw)
    below = erlang.metrics(n - 1, volume, aht, target_time=t, **kw)
    assert _meets(at, sl, asa, ab, occ, basis)
    assert not _meets(below, sl, asa, ab, occ, basis)


@settings(max_examples=100, deadline=None)
@given(volume=st.floats(min_value=1.0, max_value=2000.0), aht=ahts, t=times,
       sl=shares, k=st.integers(1, 4), factor=st.floats(min_value=1.0, max_value=2.0))
def test_concurrency_is_the_slot_model(volume, aht, t, sl, k, factor):
    # n agents holding k chats each = n*k servers with handle time aht*factor.
    n = erlang.required_agents(volume, aht, service_level=sl, target_time=t,
                               concurrency=k, concurrency_factor=factor)
    slots = erlang.metrics(n * k, volume, aht * factor, target_time=t)
    chat = erlang.metrics(n, volume, aht, target_time=t, concurrency=k,
                          concurrency_factor=factor)
    assert chat.service_level == slots.service_level
    assert chat.service_level >= sl
    fewer = erlang.metrics((n - 1) * k, volume, aht * factor, target_time=t)
    assert fewer.service_level < sl


def test_canonical_case():
    # 100 calls per 30 minutes, AHT 180 s, 80% within 20 s.
    n = erlang.required_agents(100, 180, service_level=0.8, target_time=20, interval=1800)
    assert n == 14
    m = erlang.metrics(n, 100, 180, target_time=20, interval=1800)
    assert math.isclose(m.service_level, 0.8883, abs_tol=1e-4)  # published to 4 digits
    assert math.isclose(m.prob_wait, 0.1741, abs_tol=1e-4)
    assert math.isclose(m.occupancy, 0.714, abs_tol=5e-4)
    assert math.isclose(m.asa, 7.84, abs_tol=5e-3)
    assert erlang.scheduled_agents(n, 0.30) == 20


def test_small_load_low_target_needs_one_agent():
    # 3 calls per 30 min, AHT 300 s (0.5 Erlang), 50% within 20 s.  With one agent
    # P(wait) = 0.5 / (1 + 0.5) / (1 - 0.5 * (1 - 1/3)) = 0.5 and
    # SL = 1 - 0.5 * exp(-(1 - 0.5) * 20 / 300) = 0.5161 >= 0.5.
    assert erlang.required_agents(3, 300, service_level=0.5, target_time=20) == 1
    expected = 1.0 - 0.5 * math.exp(-0.5 * 20.0 / 300.0)
    assert math.isclose(erlang.service_level(1, 3, 300, 20), expected, rel_tol=1e-13)


def test_broadcasting_year_of_intervals_times_scenarios():
    rng = np.random.default_rng(7)
    volume = rng.uniform(0, 500, size=(17520, 1))
    targets = np.array([0.7, 0.8, 0.9])
    n = erlang.required_agents(volume, 300.0, service_level=targets, target_time=20.0)
    assert n.shape == (17520, 3)
    assert np.all(np.diff(n, axis=1) >= 0)
    single = erlang.required_agents(volume[:50, 0], 300.0, service_level=0.8, target_time=20.0)
    np.testing.assert_array_equal(n[:50, 1], single)


def test_zero_volume_needs_no_agents_and_is_perfect():
    assert erlang.required_agents(0, 300, service_level=0.8, target_time=20) == 0
    m = erlang.metrics(0, 0, 300, patience=60)
    assert (m.prob_wait, m.service_level, m.asa, m.abandon_rate) == (0.0, 1.0, 0.0, 0.0)


def test_unstable_erlang_c():
    m = erlang.metrics(10, 100, 180)  # load 10 Erlangs on 10 agents
    assert (m.prob_wait, m.service_level, m.asa, m.occupancy) == (1.0, 0.0, math.inf, 1.0)
