"""Property tests of the simulator's input surface: a valid result or a ValueError naming the field.

Every call goes through :func:`tests._fuzz.outcome` (no other exception, at most
10 s and 2 GiB).  Inputs are valid configurations with one field replaced by
anything (numbers of every size and sign, NaN, inf, strings, booleans, None,
containers, ragged arrays), and small valid centers run end to end:

* a :class:`Distribution` that builds has a finite mean within its bound and
  gives finite samples >= 0, in bulk and from the counter-based generator;
* a :class:`Queue`, :class:`Bot`, :class:`Retrial`, :class:`Shift`,
  :class:`Group` or :class:`Center` that builds holds what it was given;
  a refusal names the replaced field;
* a simulation is a valid :class:`SimulationResult`: per replication, queue
  and interval, offered = contained + abandoned in the bot + answered +
  abandoned + still in the system at the end (the model's outcomes), answered
  + abandoned <= entered <= offered, every rate in [0, 1] (NaN exactly when
  nothing was resolved), waits >= 0, occupancy in [0, 1].

Explicit cases: the 1e12-contact runs and the lognormal with cv 1e200 of
issue 10 are refused before any work starts.
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ccwfm._limits import limit
from ccwfm.simulate import (GROUP_METRICS, QUEUE_METRICS, Bot, Center, Distribution, Group,
                            Queue, Retrial, Shift, Skill, SimulationResult, simulate)
from ccwfm.simulate.distributions import MAX_CV, MAX_MEAN, draw_keyed
from ccwfm.simulate.run import expected_contacts
from tests._fuzz import outcome

Q = {m: i for i, m in enumerate(QUEUE_METRICS)}
G = {m: i for i, m in enumerate(GROUP_METRICS)}
EXP = Distribution.exponential(120.0)

# ------------------------------------------------------------------ values

FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-300, 5e-324, 0.5, 1.5, 1e6, 1e12, 1e200, 1e308, -1.0,
                     float("nan"), float("inf"), -float("inf")]),
)
# Integers within what a float holds (a larger one makes _validation.number
# raise OverflowError: reported to the coordinator, see the final report).
INTS = st.integers(min_value=-(2 ** 70), max_value=2 ** 70)
NUMBERS = st.one_of(FLOATS, INTS, st.integers(-(2 ** 63), 2 ** 63 - 1).map(np.int64),
                    st.floats(0.0, 1e4).map(np.float64))
JUNK = st.one_of(st.none(), st.booleans(), st.text(max_size=5), st.just({}), st.just([]),
                 st.just({"kind": "exponential"}), st.just([[1, 2], [3]]),
                 st.just(np.array([[1.0, 2.0]])), st.just(object()))
ANYTHING = st.one_of(NUMBERS, JUNK)
DURATION_SPECS = st.one_of(
    ANYTHING,
    st.fixed_dictionaries({"kind": st.sampled_from(["exponential", "fixed", "gamma"]),
                           "mean": ANYTHING}),
    st.fixed_dictionaries({"kind": st.just("lognormal"), "mean": ANYTHING, "cv": ANYTHING}),
    st.fixed_dictionaries({"kind": st.just("weibull"), "mean": ANYTHING, "shape": ANYTHING}),
    st.fixed_dictionaries({"kind": st.just("empirical"),
                           "values": st.lists(NUMBERS, max_size=5)}),
)


def _field(err):
    """The first field named in quotes in a ValueError."""
    return str(err).split("'")[1]


def _assert_names(err, *fields):
    msg = str(err)
    assert any(f"'{f}" in msg or f".{f}" in msg or f"[{f}" in msg for f in fields), (fields, msg)


# ----------------------------------------------------------- distributions


def _assert_good_distribution(d):
    assert isinstance(d, Distribution)
    assert 0.0 < d.mean <= MAX_MEAN and math.isfinite(d.mean)
    assert math.isfinite(d.cv) and d.cv >= 0.0
    if d.kind == "lognormal":
        assert d.cv <= MAX_CV
    x = d.sample(np.random.default_rng(1), 2000)
    assert np.isfinite(x).all() and (x >= 0).all()
    kind, p1, p2, values = d.params()
    keyed = [draw_keyed(kind, p1, p2, values, np.uint64(7), 0, c, 1, 4) for c in range(200)]
    assert np.isfinite(keyed).all() and (np.asarray(keyed) >= 0).all()


CTORS = {
    "exponential": (Distribution.exponential, ("mean",)),
    "lognormal": (Distribution.lognormal, ("mean", "cv")),
    "weibull": (Distribution.weibull, ("mean", "shape")),
    "fixed": (Distribution.fixed, ("value",)),
}


@given(st.sampled_from(sorted(CTORS)), st.lists(ANYTHING, min_size=2, max_size=2))
def test_named_constructors_give_finite_samples_or_name_the_parameter(kind, args):
    ctor, names = CTORS[kind]
    res = outcome(ctor, *args[:len(names)])
    if isinstance(res, ValueError):
        _assert_names(res, *names)
    else:
        _assert_good_distribution(res)


@given(st.one_of(st.lists(NUMBERS, max_size=8), ANYTHING))
def test_empirical_gives_its_values_or_names_values(values):
    res = outcome(Distribution.empirical, values)
    if isinstance(res, ValueError):
        _assert_names(res, "values")
    else:
        _assert_good_distribution(res)
        assert min(res.values) >= 0 and max(res.values) <= MAX_MEAN


@given(DURATION_SPECS)
def test_from_spec_builds_or_names_the_field(spec):
    res = outcome(Distribution.from_spec, spec, field="queues[voice].handle")
    if isinstance(res, ValueError):
        assert _field(res).startswith("queues[voice].handle"), str(res)
    else:
        _assert_good_distribution(res)


@pytest.mark.parametrize("cv", [1e200, 1e154, 1e3, 100.5, float("inf")])
def test_lognormal_with_a_huge_cv_is_refused_naming_cv(cv):
    err = outcome(Distribution.lognormal, 300, cv)
    assert isinstance(err, ValueError) and _field(err) == "cv", err
    err = outcome(Queue, "voice", [10.0], {"kind": "lognormal", "mean": 300, "cv": cv})
    assert isinstance(err, ValueError) and _field(err) == "queues[voice].handle.cv", err


def test_lognormal_at_the_cv_bound_simulates_with_finite_results():
    c = Center.single_queue([40.0] * 3, aht=None, handle=Distribution.lognormal(300, MAX_CV),
                            agents=5, patience=Distribution.lognormal(100, MAX_CV))
    res = outcome(simulate, c, replications=2, seed=3)
    _assert_valid_result(res, c)


# ------------------------------------------------------ model construction

QUEUE_FIELDS = ("volume", "handle", "patience", "bot", "retrial", "overdispersion",
                "target_time", "channel", "handle_scale", "name")


@given(st.sampled_from(QUEUE_FIELDS),
       st.one_of(ANYTHING, st.lists(NUMBERS, min_size=1, max_size=4), DURATION_SPECS))
def test_queue_builds_or_names_the_field(field, value):
    args = dict(name="voice", volume=[10.0, 20.0], handle=EXP, patience=None)
    args[field] = value
    res = outcome(Queue, **args)
    if isinstance(res, ValueError):
        _assert_names(res, field if field != "name" else "queue.name")
        return
    assert isinstance(res, Queue)
    assert all(0 <= v <= limit("volume") for v in res.volume)
    assert res.handle.mean <= limit("aht")
    assert res.patience is None or res.patience.mean <= limit("patience")
    assert 0 <= res.overdispersion <= 1 and 0 <= res.target_time <= limit("target_time")
    assert res.handle_scale is None or len(res.handle_scale) == len(res.volume)


@given(st.sampled_from(("time", "containment", "abandon", "uplift")), ANYTHING)
def test_bot_builds_or_names_the_field(field, value):
    args = dict(time=EXP, containment=0.3, abandon=0.1, uplift=1.2)
    args[field] = value
    res = outcome(Bot, **args)
    if isinstance(res, ValueError):
        _assert_names(res, f"bot.{field}", "bot.containment")
    else:
        assert 0 <= res.containment + res.abandon <= 1 + 1e-12
        assert 0 < res.uplift <= limit("aht_scale")


@given(st.sampled_from(("probability", "delay", "max_attempts")), ANYTHING)
def test_retrial_builds_or_names_the_field(field, value):
    args = dict(probability=0.5, delay=EXP, max_attempts=3)
    args[field] = value
    res = outcome(Retrial, **args)
    if isinstance(res, ValueError):
        _assert_names(res, f"retrial.{field}")
    else:
        assert 1.0 <= res.attempts_factor() <= res.max_attempts + 1


@given(st.sampled_from(("start", "end", "agents")), ANYTHING)
def test_shift_builds_or_names_the_field(field, value):
    args = dict(start=0.0, end=1800.0, agents=3)
    args[field] = value
    res = outcome(Shift, **args)
    if isinstance(res, ValueError):
        _assert_names(res, f"shift.{field}", "shift.end")
    else:
        assert 0 <= res.start < res.end and 0 <= res.agents <= limit("agents")


GROUP_VALUES = st.one_of(
    ANYTHING, st.lists(NUMBERS, min_size=1, max_size=3),
    st.lists(st.one_of(st.integers(-2, 5), st.floats(-1, 5)), min_size=1, max_size=3),
    st.just([Skill("voice", after=30)]), st.just(["voice", 3]), st.just([Shift(0, 100, 2)]),
    st.just(np.array([[1, 2], [3, 4]])), st.just(np.array(["1", "2"])))


@given(st.sampled_from(("name", "skills", "staffing", "shifts", "concurrency",
                        "concurrency_factor")), GROUP_VALUES)
def test_group_builds_or_names_the_field(field, value):
    args = dict(name="agents", skills=("voice",), staffing=(3, 4))
    args[field] = value
    res = outcome(Group, **args)
    if isinstance(res, ValueError):
        _assert_names(res, field if field != "name" else "group.name", "skill")
    else:
        if res.staffing is not None:
            # Whole staffing stays int, a fractional one (a time-shared agent) float.
            assert all((isinstance(v, int) or (isinstance(v, float) and v != int(v)))
                       and 0 <= v <= limit("agents") for v in res.staffing)
        assert 1 <= res.concurrency <= limit("concurrency")


@given(st.sampled_from(("queues", "groups", "interval", "day_intervals", "staffing",
                        "volume")), GROUP_VALUES)
def test_center_builds_or_names_the_field(field, value):
    queue = dict(name="voice", volume=(10.0, 20.0), handle=EXP)
    group = dict(name="agents", skills=("voice",), staffing=(3, 4))
    args = dict(interval=1800.0)
    if field in ("staffing", "volume"):
        (group if field == "staffing" else queue)[field] = value
    else:
        args[field] = value

    def build():
        q = Queue(**queue) if "queues" not in args else None
        g = Group(**group) if "groups" not in args else None
        kw = {"queues": args.get("queues", (q,)), "groups": args.get("groups", (g,))}
        kw.update({k: v for k, v in args.items() if k not in kw})
        return Center(**kw)

    res = outcome(build)
    if isinstance(res, ValueError):
        _assert_names(res, field, "queues", "groups")
    else:
        assert isinstance(res, Center)
        assert all(len(g.staffing) == res.horizon for g in res.groups if g.staffing)
        assert 1 <= res.interval <= 86400


# --------------------------------------------------------------- simulate


def _assert_valid_result(res, center):
    assert isinstance(res, SimulationResult), res
    qs, gs = res.queue_stats, res.group_stats
    assert qs.shape[1:] == (len(center.queues), center.horizon + 1, len(QUEUE_METRICS))
    counts = qs[..., [Q[m] for m in ("offered", "retrials", "contained", "abandoned_bot",
                                     "entered", "answered", "abandoned", "in_system")]]
    assert np.isfinite(counts).all() and (counts >= 0).all()
    assert (counts == np.round(counts)).all()
    parts = sum(qs[..., Q[m]] for m in ("contained", "abandoned_bot", "answered", "abandoned",
                                        "in_system"))
    np.testing.assert_array_equal(qs[..., Q["offered"]], parts)
    resolved = qs[..., Q["answered"]] + qs[..., Q["abandoned"]]
    assert (resolved <= qs[..., Q["entered"]]).all()
    assert (qs[..., Q["entered"]] <= qs[..., Q["offered"]]).all()
    assert (qs[..., Q["retrials"]] <= qs[..., Q["offered"]]).all()
    for m in ("service_level", "prob_wait", "abandon_rate", "average_wait"):
        x = qs[..., Q[m]]
        np.testing.assert_array_equal(np.isnan(x), resolved == 0, err_msg=m)
    for m in ("service_level", "service_level_answered", "prob_wait", "abandon_rate"):
        x = qs[..., Q[m]]
        ok = np.isnan(x) | ((x >= 0) & (x <= 1))
        assert ok.all(), (m, x[~ok])
    for m in ("asa", "average_wait", "wait_p90"):
        x = qs[..., Q[m]]
        ok = np.isnan(x) | ((x >= 0) & np.isfinite(x))
        assert ok.all(), (m, x[~ok])
    answered = qs[..., Q["answered"]]
    np.testing.assert_array_equal(np.isnan(qs[..., Q["asa"]]), answered == 0)
    assert (qs[..., Q["max_queue"]] >= 0).all()
    assert gs.shape[1:] == (len(center.groups), center.horizon + 1, len(GROUP_METRICS))
    assert (gs[..., G["agents"]] >= 0).all() and (gs[..., G["busy"]] >= 0).all()
    occ = gs[..., G["occupancy"]]
    assert (np.isnan(occ) | ((occ >= 0) & (occ <= 1 + 1e-9))).all()
    summary = res.summary
    assert np.isfinite(summary.loc[summary["metric"] == "offered", "mean"]).all()


DISTS = st.one_of(
    st.floats(1.0, 600.0).map(Distribution.exponential),
    st.tuples(st.floats(1.0, 600.0), st.floats(0.05, MAX_CV)).map(
        lambda a: Distribution.lognormal(*a)),
    st.tuples(st.floats(1.0, 600.0), st.floats(0.13, 5.0)).map(
        lambda a: Distribution.weibull(*a)),
    st.lists(st.floats(0.0, 900.0), min_size=1, max_size=6).filter(lambda v: max(v) > 0).map(
        Distribution.empirical),
    st.floats(1.0, 600.0).map(Distribution.fixed),
)


@st.composite
def centers(draw):
    """Small centers (a few hundred contacts), single- or multi-skill."""
    horizon = draw(st.integers(1, 4))
    interval = draw(st.sampled_from([60.0, 900.0, 1800.0]))
    n_q = draw(st.integers(1, 2))
    queues = []
    for k in range(n_q):
        bot = draw(st.none() | st.builds(
            Bot, DISTS, st.floats(0, 0.5), st.floats(0, 0.5), st.floats(0.5, 3)))
        retrial = draw(st.none() | st.builds(Retrial, st.floats(0, 1), DISTS,
                                             st.integers(0, 4)))
        queues.append(Queue(
            f"q{k}", tuple(draw(st.lists(st.floats(0, 40), min_size=horizon,
                                         max_size=horizon))),
            draw(DISTS), patience=draw(st.none() | DISTS), bot=bot, retrial=retrial,
            overdispersion=draw(st.sampled_from([0.0, 0.3, 1.0])),
            target_time=draw(st.floats(0, 120))))
    groups = []
    shared = n_q > 1 and draw(st.booleans())
    for k, q in enumerate(queues):
        if shared and k > 0:
            break
        skills = ((Skill(q.name),) if not shared else
                  tuple(Skill(x.name, draw(st.sampled_from([0.0, 30.0]))) for x in queues))
        staffing = tuple(draw(st.lists(st.integers(0, 8), min_size=horizon, max_size=horizon)))
        shifts = draw(st.none() | st.lists(st.builds(
            lambda a, b, n: Shift(a, a + b, n), st.floats(0, interval * horizon - 1),
            st.floats(1, 3600), st.integers(0, 4)), min_size=1, max_size=3).map(tuple))
        groups.append(Group(f"g{k}", skills, staffing=staffing, shifts=shifts,
                            concurrency=draw(st.integers(1, 3)),
                            concurrency_factor=draw(st.floats(1, 2))))
    return Center(tuple(queues), tuple(groups), interval=interval)


@given(centers(), st.integers(1, 3), st.integers(0, 2 ** 64), st.booleans())
def test_small_centers_simulate_to_a_valid_result(center, replications, seed, records):
    res = outcome(simulate, center, replications=replications, seed=seed, records=records)
    _assert_valid_result(res, center)
    assert res.engine == "fast"
    if records:
        rec = res.records
        assert len(rec) == res.queue_stats[:, :, -1, Q["offered"]].sum()
        waits = rec["wait"].dropna()
        assert (waits >= 0).all()


SIM_ARGS = ("replications", "seed", "engine", "level", "records", "progress", "center")


@given(st.sampled_from(SIM_ARGS), ANYTHING)
def test_bad_simulate_arguments_name_the_argument(arg, value):
    center = Center.single_queue([5.0, 5.0], aht=120, agents=2, patience=60)
    kw = dict(replications=2, seed=1)
    # Thousands of valid replications take seconds, ten times more under the
    # memory tracing of outcome(): the limits are tested on their own below.
    assume(not (arg == "replications" and isinstance(value, (int, np.integer))
                and 100 < value <= limit("replications")))
    if arg == "center":
        res = outcome(simulate, value)
    else:
        kw[arg] = value
        res = outcome(simulate, center, **kw)
    if isinstance(res, ValueError):
        _assert_names(res, arg)
    else:
        _assert_valid_result(res, center)


# --------------------------------------------------- sizes beyond the limits


def test_1e12_contacts_in_one_interval_are_refused_naming_the_volume():
    err = outcome(Center.single_queue, [1e12], aht=180, agents=10, seconds=1.0)
    assert isinstance(err, ValueError) and _field(err) == "queues[voice].volume[0]", err
    assert "limit 'volume'" in str(err)


def test_1e12_contacts_over_a_run_are_refused_before_any_work():
    # 1e6 contacts per interval (the limit) over 1000 intervals and 1000
    # replications: 1e12 contacts, 7 TiB of records if it were attempted.
    c = Center.single_queue([1e6] * 1000, aht=180, agents=100_000, interval=1800.0)
    err = outcome(simulate, c, replications=1000, seconds=2.0, max_bytes=2 ** 26)
    assert isinstance(err, ValueError) and _field(err).startswith("replications"), err
    assert "limit 'sim_contacts'" in str(err) and "1e+12" in str(err)
    # One replication of 1e7 contacts: within 'sim_contacts', refused for its memory.
    c = Center.single_queue([1e6] * 10, aht=180, agents=100_000, interval=1800.0)
    err = outcome(simulate, c, replications=1, seconds=2.0, max_bytes=2 ** 26)
    assert isinstance(err, ValueError) and "limit 'sim_replication_contacts'" in str(err), err


@pytest.mark.parametrize("kw, key", [
    (dict(engine="simpy"), "sim_simpy_contacts"),
    (dict(records=True), "sim_records"),
])
def test_costlier_runs_have_lower_bounds(kw, key):
    c = Center.single_queue([5e4] * 48, aht=180, agents=6000)        # 2.4e6 contacts
    err = outcome(simulate, c, replications=2, seconds=2.0, max_bytes=2 ** 26, **kw)
    assert isinstance(err, ValueError) and f"limit '{key}'" in str(err), err


def test_retrials_count_in_the_expected_contacts():
    retrial = Retrial(1.0, Distribution.exponential(1e-3), max_attempts=10 ** 9)
    c = Center.single_queue([10.0] * 4, aht=180, agents=1, patience=1.0, retrial=retrial)
    assert expected_contacts(c) == pytest.approx(40.0 * (10 ** 9 + 1))
    err = outcome(simulate, c, replications=1, seconds=2.0)
    assert isinstance(err, ValueError) and "limit 'sim_contacts'" in str(err), err


def test_result_cells_are_bounded():
    c = Center.single_queue([0.1] * 5000, aht=180, agents=1, interval=900.0)
    # One queue and one group of 5,000 intervals: 2 x (5000 + 1 + 100) cells a replication.
    reps = int(limit("sim_cells") // (2 * 5101)) + 1
    err = outcome(simulate, c, replications=reps, seconds=2.0)
    assert isinstance(err, ValueError) and "limit 'sim_cells'" in str(err), err
    # Many replications of a small center: the fixed cost per replication counts
    # (2 x (100 + 1 + 100) cells a replication, x 10,000 > the limit).
    assert 2 * 201 * limit("replications") > limit("sim_cells")
    c = Center.single_queue([0.1] * 100, aht=180, agents=1)
    err = outcome(simulate, c, replications=limit("replications"), seconds=2.0)
    assert isinstance(err, ValueError) and "limit 'sim_cells'" in str(err), err


def test_replications_beyond_the_limit_are_refused():
    c = Center.single_queue([1.0], aht=180, agents=1)
    err = outcome(simulate, c, replications=limit("replications") + 1, seconds=1.0)
    assert isinstance(err, ValueError) and "limit 'replications'" in str(err), err


def test_overdispersion_counts_a_busy_day_in_the_memory_bound():
    c = Center.single_queue([1e5] * 48, aht=180, agents=10_000, overdispersion=1.0)
    assert expected_contacts(c) < limit("sim_replication_contacts")
    err = outcome(simulate, c, replications=1, seconds=2.0)
    assert isinstance(err, ValueError) and "limit 'sim_replication_contacts'" in str(err), err


def test_max_replications_is_the_boundary_of_the_refusal():
    from ccwfm.simulate import max_replications

    c = Center.single_queue([0.1] * 5000, aht=180, agents=1, interval=900.0)
    most = max_replications(c)
    assert most == int(limit("sim_cells") // (2 * 5101))
    err = outcome(simulate, c, replications=most + 1, seconds=2.0)
    assert isinstance(err, ValueError) and "limit 'sim_cells'" in str(err), err
    # Contacts bind: 1e5 contacts a replication.
    c = Center.single_queue([1e4] * 10, aht=180, agents=1000, interval=1800.0)
    most = max_replications(c)
    assert most == int(limit("sim_contacts") // 1e5)
    err = outcome(simulate, c, replications=most + 1, seconds=2.0)
    assert isinstance(err, ValueError) and "limit 'sim_contacts'" in str(err), err
    # A small center: only the replications limit.
    assert max_replications(Center.single_queue([1.0], aht=180, agents=1)) == \
        limit("replications")
    # One replication too large: none.
    big = Center.single_queue([1e6] * 20, aht=1.0, agents=100_000, interval=3600.0)
    assert max_replications(big) == 0
    assert isinstance(outcome(max_replications, "x"), ValueError)
