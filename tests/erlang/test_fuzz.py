"""The input surface of ``ccwfm.erlang``: every public name, any argument.

Property tests: each public name of ``erlang.__all__`` is called with
sensible arguments of which zero, one or two are replaced by wild values
(any float, NaN, infinities, subnormals, 1e300, values just under and over
every limit of :mod:`ccwfm._limits`, huge integers, arrays of broadcastable
and clashing shapes, strings, ``None``, booleans, dicts, ragged lists,
complex numbers, dates).  Through :func:`tests._fuzz.outcome` each call
must either return a valid result (probabilities in [0, 1], finite
non-negative times where they must be, the broadcast shape, required agents
that meet every target while one fewer does not) or raise a ``ValueError``
naming one of the wild arguments; with no wild argument it must succeed.

Then the calls that used to hang or return NaN, each refused at once, and
the values just under each limit, accepted and checked against an
independent formula (mpmath, Erlang B to C relations, limits of Erlang A).
"""

import datetime as dt
import math
import re
import time

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ccwfm import erlang
from ccwfm._limits import LIMITS, limit
from tests._fuzz import outcome

from . import reference as ref

NAN, INF = math.nan, math.inf

# ------------------------------------------------------------------ wild values

_EDGES = sorted({x for lim in LIMITS.values() for v in [float(lim.value)]
                 for x in (v * (1 - 1e-12), v, float(np.nextafter(v, INF)), v * 1.5)})
_SPECIAL = [0.0, -0.0, 5e-324, -5e-324, 2.2e-308, 1e-300, 1e-9, 0.5, 1.0, -1.0, 1 - 1e-16,
            1e300, -1e300, 1.7976931348623157e308, NAN, INF, -INF] + _EDGES
_JUNK = ["", "many", "12", None, True, False, np.bool_(True), {}, {"a": 1}, [1, [2, 3]],
         [[1, 2], [3]], [1, None], ["1", "2"], [1.0, True], 1j, complex(1, 0),
         dt.datetime(2024, 1, 1), dt.date(2024, 1, 1), dt.timedelta(seconds=3),
         np.datetime64("2024-01-01"), b"1", [], {1}, np.array(["a"]), np.array([1 + 1j]),
         np.array([True, False]), 10**400, -(10**400), 2**63]
_FLOAT = st.one_of(st.floats(), st.sampled_from(_SPECIAL))
_SHAPES = [(0,), (2,), (3,), (5,), (2, 3), (3, 1), (1, 3), (2, 1, 3)]

WILD = st.one_of(
    _FLOAT,
    st.integers(-10**7, 10**7),
    st.sampled_from(_JUNK),
    st.sampled_from(_SHAPES).flatmap(lambda s: hnp.arrays(np.float64, s, elements=_FLOAT)),
    st.sampled_from(_SHAPES).flatmap(lambda s: hnp.arrays(np.int64, s)),
    st.lists(_FLOAT, max_size=4),
)

# ------------------------------------------------------------- sensible values

_U = {  # field: (low, high, whole)
    "agents": (0, 300, True), "load": (0.0, 300.0, False), "volume": (0.0, 3000.0, False),
    "aht": (1.0, 900.0, False), "interval": (300.0, 3600.0, False),
    "target_time": (0.0, 120.0, False), "patience": (10.0, 3600.0, False),
    "concurrency": (1, 3, True), "concurrency_factor": (1.0, 2.0, False),
    "sl_target": (0.5, 0.95, False), "asa_target": (5.0, 60.0, False),
    "ab_target": (0.01, 0.3, False), "occ_target": (0.5, 0.95, False),
    "containment": (0.0, 1.0, False), "uplift": (0.5, 2.0, False),
    "required": (0, 300, True), "shrinkage": (0.0, 0.5, False),
    "share": (0.0, 1.0, False), "time": (0.0, 1000.0, False),
}


@st.composite
def sensible(draw, kind, shape, same=False):
    """A valid value of ``kind``: a scalar, or an array of ``shape`` or its last axis
    (of ``shape`` exactly, or a scalar when ``shape`` is (), with ``same``)."""
    lo, hi, whole = _U[kind]
    elem = (st.integers(lo, hi) if whole
            else st.floats(lo, hi, allow_nan=False, allow_infinity=False))
    if shape and (same or draw(st.booleans())):
        sub = shape if same or draw(st.booleans()) else shape[-1:]
        arr = draw(hnp.arrays(np.int64 if whole else np.float64, sub, elements=elem))
        if kind == "patience":
            arr = np.where(draw(hnp.arrays(np.bool_, sub)), INF, arr)
        return arr
    v = draw(elem)
    if kind == "patience" and draw(st.integers(0, 4)) == 0:
        return INF
    return v


# Each public name: the function, its arguments as (name, kind, positional), and
# optional keywords that may be left out (the wild value may bring them in).
_QUEUE = [("target_time", "target_time", False), ("interval", "interval", False),
          ("concurrency", "concurrency", False),
          ("concurrency_factor", "concurrency_factor", False)]
_METRIC_ARGS = [("agents", "agents", True), ("volume", "volume", True),
                ("aht", "aht", True)] + _QUEUE
SPECS = {
    "erlang_b": (erlang.erlang_b, [("agents", "agents", True), ("load", "load", True)]),
    "erlang_c": (erlang.erlang_c, [("agents", "agents", True), ("load", "load", True)]),
    "metrics": (erlang.metrics, _METRIC_ARGS),
    "service_level": (erlang.service_level, _METRIC_ARGS),
    "prob_wait": (erlang.prob_wait, _METRIC_ARGS),
    "asa": (erlang.asa, _METRIC_ARGS),
    "abandon_rate": (erlang.abandon_rate, _METRIC_ARGS),
    "average_wait": (erlang.average_wait, _METRIC_ARGS),
    "occupancy": (erlang.occupancy, _METRIC_ARGS),
    "required_agents": (erlang.required_agents, [("volume", "volume", True),
                                                 ("aht", "aht", True)] + _QUEUE[1:]),
    "offered_load": (erlang.offered_load, [("volume", "volume", True), ("aht", "aht", True),
                                           ("interval", "interval", True)]),
    "deflect": (erlang.deflect, [("volume", "volume", True), ("aht", "aht", True),
                                 ("containment", "containment", True),
                                 ("uplift", "uplift", True)]),
    "scheduled_agents": (erlang.scheduled_agents, [("required", "required", True),
                                                   ("shrinkage", "shrinkage", True)]),
    "Metrics": (erlang.Metrics, [("agents", "agents", True), ("load", "load", True)]
                + [(n, "share", True) for n in ("prob_wait", "service_level",
                                                "service_level_answered")]
                + [("asa", "time", True), ("average_wait", "time", True),
                   ("abandon_rate", "share", True), ("occupancy", "share", True)]),
}
_TARGETS = {"service_level": "sl_target", "asa": "asa_target", "abandon_rate": "ab_target",
            "occupancy": "occ_target"}


@st.composite
def calls(draw, name):
    """``(args, kwargs, wild)``: a call of ``name`` and the names of its wild arguments."""
    fn, spec = SPECS[name]
    shape = draw(st.sampled_from([(), (), (3,), (2, 3)]))
    same = name == "Metrics"          # a hand-built Metrics has fields of one shape
    values = {arg: draw(sensible(kind, shape, same)) for arg, kind, _ in spec}
    positional = [arg for arg, _, p in spec if p]
    queue = any(arg == "aht" for arg, _, _ in spec) and name not in ("offered_load", "deflect")
    optional = []
    if queue:
        optional = ["patience", "arrival_rate"]
        if draw(st.booleans()):
            values["patience"] = draw(sensible("patience", shape))
    if name == "service_level":
        values["basis"] = draw(st.sampled_from(["offered", "answered"]))
    if name == "required_agents":
        optional += ["basis", "target_time"] + sorted(_TARGETS)
        chosen = draw(st.sets(st.sampled_from(sorted(_TARGETS)), min_size=1))
        if "abandon_rate" in chosen and "patience" not in values:
            chosen = (chosen - {"abandon_rate"}) | {"asa"}
        for target in chosen:
            values[target] = draw(sensible(_TARGETS[target], shape))
        if "service_level" in chosen:
            values["target_time"] = draw(sensible("target_time", shape))
        values["basis"] = draw(st.sampled_from(["offered", "answered"]))
    # Zero (a quarter of the calls), one or two wild arguments.
    candidates = list(dict.fromkeys([arg for arg, _, _ in spec] + optional))
    wild = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=2, unique=True))
    if draw(st.integers(0, 3)) == 0:
        wild = []
    for arg in wild:
        values[arg] = draw(WILD)
    args = [values.pop(arg) for arg in positional]
    return args, values, set(wild)


# -------------------------------------------------------------- the judgement

def named_fields(msg):
    """Argument names a ValueError speaks of (its subject, not its value or limit key)."""
    msg = re.sub(r"\(limit '[^']+'\)", "", msg)
    head = msg if msg.startswith("shapes do not broadcast") else msg.rsplit(": ", 1)[0]
    quoted = re.findall(r"'([^']+)'", head) or re.findall(r"'([^']+)'", msg)
    return {w for q in quoted for w in re.findall(r"[a-z_]+", q)}


def _shape(*values):
    return np.broadcast_shapes(*(np.shape(v) for v in values if v is not None))


def _f(v):
    return np.asarray(v, dtype=float)


def _queue_kw(kw):
    keep = ("target_time", "interval", "patience", "concurrency", "concurrency_factor",
            "arrival_rate")
    return {k: v for k, v in kw.items() if k in keep}


def _meets(m, kw):
    """Cell-wise: does ``m`` meet every target of the required_agents keywords ``kw``?"""
    ok = np.ones(np.shape(m.prob_wait), bool)
    tol = 1e-12
    if "service_level" in kw:
        sl = m.service_level_answered if kw.get("basis") == "answered" else m.service_level
        ok &= sl >= _f(kw["service_level"]) - tol
    if "asa" in kw:
        ok &= m.asa <= _f(kw["asa"]) * (1 + tol)
    if "abandon_rate" in kw:
        ok &= m.abandon_rate <= _f(kw["abandon_rate"]) + tol
    if "occupancy" in kw:
        ok &= m.occupancy <= _f(kw["occupancy"]) + tol
    return ok


def _misses(m, kw):
    """Cell-wise: does ``m`` miss some target (strictly, beyond rounding)?

    No agent for offered contacts misses by definition (README: with contacts
    offered at least one agent is required, whatever the targets), and so
    does an unstable Erlang C queue (its queue grows without bound).
    """
    load = np.asarray(m.load)
    miss = (np.asarray(m.agents) == 0) & (load > 0)
    erlang_c = np.broadcast_to(~np.isfinite(_f(kw.get("patience", INF))), load.shape)
    servers = np.asarray(m.agents) * _f(kw.get("concurrency", 1))
    miss = miss | erlang_c & (load > 0) & (servers <= load)
    tol = 1e-9
    # Targets may broadcast to more cells than the metrics (a target array over
    # scalar inputs): ``miss`` takes their shape (not ``|=``).
    if "service_level" in kw:
        sl = m.service_level_answered if kw.get("basis") == "answered" else m.service_level
        miss = miss | (sl < _f(kw["service_level"]) + tol)
    if "asa" in kw:
        miss = miss | (m.asa > _f(kw["asa"]) * (1 - tol))
    if "abandon_rate" in kw:
        miss = miss | (m.abandon_rate > _f(kw["abandon_rate"]) - tol)
    if "occupancy" in kw:
        miss = miss | (m.occupancy > _f(kw["occupancy"]) - tol)
    return miss


def check_metrics(m, shape, patience, computed=True):
    for name in ("agents", "load", "prob_wait", "service_level", "service_level_answered",
                 "asa", "average_wait", "abandon_rate", "occupancy"):
        v = getattr(m, name)
        assert np.shape(v) == shape, (name, np.shape(v), shape)
        assert not np.isnan(v).any(), name
        assert (np.asarray(v) >= 0).all(), name
    for name in ("prob_wait", "service_level", "service_level_answered", "abandon_rate",
                 "occupancy"):
        assert (np.asarray(getattr(m, name)) <= 1).all(), name
    if not computed:
        return
    assert (np.asarray(m.abandon_rate) <= np.asarray(m.prob_wait) + 1e-12).all()
    assert (np.asarray(m.service_level)
            <= np.asarray(m.service_level_answered) + 1e-12).all()
    # With finite patience every wait ends: the mean wait of all contacts is finite.
    finite = np.broadcast_to(np.isfinite(_f(patience)), shape)
    assert np.isfinite(np.asarray(m.average_wait)[finite]).all()


def check_required(n, args, kw, shape):
    assert np.shape(n) == shape
    n = np.asarray(n)
    assert n.dtype.kind == "i" and (n >= 0).all() and (n <= limit("agents")).all()
    vol, aht = args
    q = _queue_kw(kw)
    m = erlang.metrics(n, vol, aht, **q)
    assert _meets(m, kw).all(), "required agents miss a target"
    load = _f(m.load)
    k = _f(kw.get("concurrency", 1))
    stable_needed = ~np.isfinite(_f(kw.get("patience", INF))) & (load > 0)
    assert (np.broadcast_to(n * k > load, shape) | ~np.broadcast_to(stable_needed, shape)).all()
    assert (np.broadcast_to(n * k >= np.ceil(load), shape)
            | ~np.broadcast_to(stable_needed, shape)).all()
    below = np.maximum(n - 1, 0)
    mb = erlang.metrics(below, vol, aht, **q)
    assert (_misses(mb, kw) | (n == 0)).all(), "one agent fewer still meets every target"


def check_too_many(args, kw):
    """A 'needs more than N agents' claim: at N agents some cell misses a target."""
    volume, aht = args
    m = erlang.metrics(limit("agents"), volume, aht, **_queue_kw(kw))
    assert _misses(m, kw).any(), "more than the limit claimed, but the limit meets every target"


def judge(name, args, kw, wild, res):
    kw = {k: v for k, v in kw.items() if v is not None}     # None is "not given"
    if isinstance(res, ValueError):
        msg = str(res)
        assert wild, f"{name} refused a sensible call: {msg}"
        said = named_fields(msg)
        if not said & wild:
            # Only a claim about the agents needed may name another argument.
            assert "needs more than" in msg, (msg, wild)
            check_too_many(args, kw)
        return
    everything = list(args) + list(kw.values())
    scalar = all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
                 for v in everything if v is not None and not isinstance(v, str))
    shape = _shape(*[v for v in everything if not isinstance(v, str)])
    r = res if isinstance(res, (tuple, erlang.Metrics)) else np.asarray(res)
    if name in ("erlang_b", "erlang_c"):
        assert np.shape(res) == shape and isinstance(res, float) == scalar
        assert ((r >= 0) & (r <= 1)).all()
        if name == "erlang_c":
            # B <= C wherever contacts are offered (with none, B(0, 0) = 1 > C = 0).
            b = np.asarray(erlang.erlang_b(*args))
            assert ((r >= b - 1e-15) | (np.broadcast_to(_f(args[1]), shape) == 0)).all()
    elif name == "Metrics":
        assert all(np.shape(v) == shape for v in res.as_dict().values())
        check_metrics(res, shape, INF, computed=False)
    elif name == "metrics":
        check_metrics(res, shape, kw.get("patience", INF))
        assert isinstance(res.prob_wait, float) == scalar
    elif name == "required_agents":
        check_required(res, args, kw, shape)
        assert isinstance(res, int) == scalar
    elif name in ("offered_load",):
        want = _f(args[0]) * _f(args[1]) / _f(args[2])
        assert np.shape(res) == shape and np.allclose(r, want, rtol=1e-15, atol=0)
        assert ((r >= 0) & (r <= limit("offered_load"))).all()
    elif name == "deflect":
        vol, aht = np.asarray(res[0]), np.asarray(res[1])
        assert isinstance(res[0], float) == scalar
        assert np.shape(vol) == np.shape(aht) == shape
        assert np.allclose(vol, _f(args[0]) * (1 - _f(args[2])), rtol=1e-15, atol=0)
        assert np.allclose(aht, _f(args[1]) * _f(args[3]), rtol=1e-15, atol=0)
        assert (vol >= 0).all() and (aht > 0).all()
    elif name == "scheduled_agents":
        req, shr = _f(args[0]), _f(args[1])
        m = np.asarray(res)
        assert np.shape(res) == shape and m.dtype.kind == "i"
        assert (m * (1 - shr) >= req * (1 - 1e-12)).all()
        assert (((m - 1) * (1 - shr) < req) | (m == 0)).all()
    else:   # single metrics
        assert np.shape(res) == shape and isinstance(res, float) == scalar
        assert not np.isnan(r).any() and (r >= 0).all()
        if name in ("prob_wait", "abandon_rate", "occupancy", "service_level"):
            assert (r <= 1).all()
        if name == "average_wait" and "patience" in kw:
            assert np.isfinite(r[np.broadcast_to(np.isfinite(_f(kw["patience"])), shape)]).all()


@pytest.fixture(scope="module", autouse=True)
def compiled():
    """Compile (or load from Numba's cache) every kernel before the timed calls."""
    erlang.erlang_b([1, 2], [1.0, 1.0])
    erlang.erlang_c([1, 2], [1.0, 1.0])
    erlang.metrics([1, 2], [10.0, 10.0], 180.0, patience=[60.0, np.inf])
    erlang.required_agents([10.0, 20.0], 180.0, service_level=0.8, target_time=20.0,
                           patience=[60.0, np.inf])


@pytest.mark.parametrize("name", sorted(SPECS))
@given(data=st.data())
def test_any_argument_gives_a_valid_result_or_names_the_field(name, data):
    args, kw, wild = data.draw(calls(name))
    res = outcome(SPECS[name][0], *args, **kw)
    judge(name, args, kw, wild, res)


def test_every_public_name_is_fuzzed():
    assert set(erlang.__all__) == set(SPECS)


# ------------------------------------------------- what used to hang, refused at once

@pytest.mark.parametrize("call, field", [
    (lambda: erlang.erlang_c(1e300, 1e300), "agents"),
    (lambda: erlang.erlang_c(10, 1e300), "load"),
    (lambda: erlang.erlang_b(10, 1e300), "load"),
    (lambda: erlang.required_agents(1e300, 180, service_level=0.8, target_time=20), "volume"),
    (lambda: erlang.required_agents(100, 1e300, service_level=0.8, target_time=20), "aht"),
    (lambda: erlang.required_agents(100, 180, asa=20, interval=1e-300), "volume / interval"),
    (lambda: erlang.required_agents(100, 180, occupancy=1e-300), "occupancy"),
    (lambda: erlang.required_agents(100, 180, abandon_rate=0.1, patience=1e300), "patience"),
    (lambda: erlang.required_agents(arrival_rate=1e300, aht=1e-300, asa=20, patience=60),
     "arrival_rate"),
    (lambda: erlang.metrics(1e300, 100, 180), "agents"),
    (lambda: erlang.metrics(14, 1, 1e-306, interval=1e-300, patience=2e6), "volume / interval"),
    (lambda: erlang.metrics(14, 100, 180, target_time=1e300), "target_time"),
    (lambda: erlang.scheduled_agents(1e300, 0.3), "required"),
    (lambda: erlang.scheduled_agents(10, 1 - 1e-16), "required / (1 - shrinkage)"),
    (lambda: erlang.metrics(np.zeros((100_000, 1)), np.ones((1, 100_000)), 180), "volume"),
])
def test_known_hangs_are_refused_at_once(call, field):
    t0 = time.perf_counter()
    res = outcome(call, seconds=2.0)
    assert isinstance(res, ValueError), res
    assert f"'{field}'" in str(res)
    assert time.perf_counter() - t0 < 2.0


def test_answer_beyond_the_agents_limit_is_refused_not_wrapped():
    # 99,999 Erlangs need more than 100,000 agents for any service target.
    with pytest.raises(ValueError, match=r"^'volume' needs more than 100000 agents to meet the "
                                         r"targets \(limit 'agents'\): 99999.0$"):
        erlang.required_agents(99_999, 1800, service_level=0.5, target_time=0)


# ------------------------------------------- just under each limit: accepted and right

def _just_under(key):
    return float(limit(key)) * (1 - 1e-12)


def test_volume_and_aht_just_under_their_limits():
    # 999,999.999 contacts of 0.09 s: 50 Erlangs; 1 contact of 86,399.9 s: 48 Erlangs.
    for volume, aht in ((_just_under("volume"), 0.09), (1.0, _just_under("aht"))):
        a = volume * aht / 1800.0
        m = erlang.metrics(60, volume, aht, target_time=20.0)
        want = ref.erlang_c_metrics(60, volume / 1800.0, aht, 20.0)
        for name in ("prob_wait", "service_level", "asa"):
            assert getattr(m, name) == pytest.approx(float(want[name]), rel=1e-9), name
        assert m.load == pytest.approx(a, rel=1e-15)


def test_offered_load_and_agents_just_under_their_limits_match_mpmath():
    n = int(limit("agents"))
    # The largest load allowed overloads the largest staffing: Erlang C is 1 (unstable).
    top = _just_under("offered_load")
    assert top > n
    assert erlang.erlang_b(n, top) == pytest.approx(float(ref.erlang_b_gammainc(n, top)),
                                                    rel=1e-9)
    assert erlang.erlang_c(n, top) == 1.0
    a = 0.995 * n
    b = erlang.erlang_b(n, a)
    c = erlang.erlang_c(n, a)
    b_ref = ref.erlang_b_gammainc(n, a)
    with mpmath.workdps(50):
        # Erlang C from Erlang B: C = n B / (n - a (1 - B)).
        c_ref = n * b_ref / (n - mpmath.mpf(a) * (1 - b_ref))
    assert b == pytest.approx(float(b_ref), rel=1e-9)
    assert c == pytest.approx(float(c_ref), rel=1e-9)


def test_required_agents_just_under_the_agents_limit():
    # 99,500 Erlangs: the answer is just under 100,000 and is minimal.
    volume, aht, t = 99_500 * 1800 / 900.0, 900.0, 20.0
    n = erlang.required_agents(volume, aht, service_level=0.8, target_time=t)
    assert 99_500 < n <= limit("agents")
    lam = volume / 1800.0
    for agents, meets in ((n, True), (n - 1, False)):
        a = lam * aht
        with mpmath.workdps(50):
            b = ref.erlang_b_gammainc(agents, a)
            c = agents * b / (agents - mpmath.mpf(a) * (1 - b))
            sl = 1 - c * mpmath.exp(-(agents - mpmath.mpf(a)) * t / aht)
        assert (float(sl) >= 0.8) == meets


def test_target_time_just_under_its_limit():
    t = _just_under("target_time")
    # Erlang C: everybody waiting is answered long before: service level 1.
    assert erlang.service_level(14, 100, 180, t) == 1.0
    # Erlang A: whoever is answered is answered within t; only abandonment counts.
    m = erlang.metrics(14, 100, 180, target_time=t, patience=120.0)
    assert m.service_level_answered == pytest.approx(1.0, abs=1e-12)
    assert m.service_level == pytest.approx(1.0 - m.abandon_rate, abs=1e-12)
    assert erlang.required_agents(100, 180, service_level=0.99, target_time=t) == 11


def test_patience_just_under_its_limit_matches_the_chain_and_the_fluid_limit():
    p = _just_under("patience")
    # Stable: the birth-death chain solved in mpmath (tests/erlang/reference.py).
    m = erlang.metrics(14, 100, 180, target_time=20.0, patience=p)
    want = ref.metrics(14, 100 / 1800, 180.0, 20.0, patience=p)
    for name in ref.METRIC_NAMES:
        assert getattr(m, name) == pytest.approx(want[name], rel=1e-9, abs=1e-12), name
    # Overloaded (12 Erlangs on 10 agents): the excess abandons.
    m = erlang.metrics(10, 120, 180, target_time=20.0, patience=p)
    assert m.abandon_rate == pytest.approx(1 - 10 / 12, rel=1e-4)
    assert m.occupancy == pytest.approx(1.0, abs=1e-9)


def test_largest_arrival_rate_and_patience_finish_quickly_and_agree_with_erlang_c():
    # 10,000 contacts a second, 9 s each, 30 days of patience: 2.6e10 arrivals
    # per mean patience, the longest Erlang A series the limits allow.
    lam, aht = _just_under("arrival_rate"), 9.0
    kw = dict(aht=aht, arrival_rate=lam, service_level=0.8, target_time=20.0)
    t0 = time.perf_counter()
    n_a = erlang.required_agents(patience=_just_under("patience"), **kw)
    assert time.perf_counter() - t0 < 5.0
    n_c = erlang.required_agents(**kw)
    # Waits are seconds, patience a month: abandonment cannot save an agent.
    assert n_c - 1 <= n_a <= n_c
    a = lam * aht
    assert a < n_c <= a + 3 * math.sqrt(a)


def test_concurrency_and_stretch_at_their_limits_are_the_slot_model():
    k, f = int(limit("concurrency")), _just_under("aht_scale")
    m = erlang.metrics(50, 100, 18.0, target_time=20.0, concurrency=k, concurrency_factor=f)
    slots = erlang.metrics(50 * k, 100, 18.0 * f, target_time=20.0)
    for name in ("prob_wait", "service_level", "asa", "occupancy", "load"):
        assert getattr(m, name) == pytest.approx(getattr(slots, name), rel=1e-12), name


def test_cells_just_under_and_over_the_limit():
    n = int(limit("cells"))
    ok = erlang.erlang_b(np.broadcast_to(1.0, (n // 1000, 1)), np.ones(1000))
    assert ok.shape == (n // 1000, 1000) and (ok == 0.5).all()
    with pytest.raises(ValueError, match=r"limit 'cells'\): 10001000$"):
        erlang.erlang_b(np.ones((n // 1000 + 1, 1)), np.ones(1000))
