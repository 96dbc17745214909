"""Property tests of every scenario input: dict, TOML text, variant overrides, what-ifs.

Each input starts from the demo scenario (or a tiny one) and is mutated at
random: a key deleted, a value replaced by another type, None, NaN, inf,
1e300, a negative or huge number, a huge string, a table or a list, a name
duplicated, an unknown key added, a date or a clock time corrupted, random
dotted override keys.  The outcome (``tests._fuzz.outcome``) must be a
scenario whose every field obeys its rule and limit (and which survives the
round trip through TOML), or a ValueError whose quoted field is a path that
exists in the input, or was added to it (a required key that is missing
is named by its parent's path and its own name).
"""

import copy
import dataclasses
import datetime as dt
import math
import re
import tomllib

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ccwfm._limits import limit
from ccwfm.plan import QuickPlan, Scenario, quick_plan
from ccwfm.plan.demo import DEMO_TOML
from ccwfm.plan.scenario import INTERVALS, PERCENTILES
from tests._fuzz import outcome

DEMO = tomllib.loads(DEMO_TOML)

BAD = [None, math.nan, math.inf, -math.inf, 1e300, -1e300, -1, -0.5, 0, 0.0, 1, 2.5, 10 ** 30,
       True, False, "", " ", "x" * 5000, "voice", "no", "2025-13-45", "25:99", "07:30",
       "2025-09-01", dt.date(1, 1, 1), dt.date(2025, 9, 1), {}, {"a": 1}, [], [1, 2],
       ["mon"], [[1]], {"name": "voice"}, 1e9, 10000, 0.999999, 2 ** 63]
# A fresh copy each time: a table or list drawn may be changed by the code under test.
bad = st.sampled_from(BAD).map(copy.deepcopy)
SEGMENTS = ["queues", "voice", "sales", "chat", "email", "nosuch", "workforce", "shifts", "full",
            "night", "groups", "capacity", "hiring", "finance", "simulation", "scenario",
            "weeks", "name", "start", "aht", "aht_scale", "volume_scale", "patience", "bot",
            "containment", "target", "service_level", "target_time", "asa", "length", "first",
            "shrinkage", "breaks", "interval", "replications", "verify", "variants", "",
            "concurrency", "percentile", "headcount", "max_agents", "min_agents"]


def _paths(node, prefix=()):
    """Every (path, value) in a nested dict/list, the root included."""
    yield prefix, node
    if isinstance(node, dict):
        for k, x in node.items():
            yield from _paths(x, prefix + (k,))
    elif isinstance(node, list):
        for i, x in enumerate(node):
            yield from _paths(x, prefix + (i,))


def _get(data, path):
    for p in path:
        data = data[p]
    return data


@st.composite
def mutation(draw, data):
    """Apply one random mutation to ``data`` (in place)."""
    paths = [p for p, _ in _paths(data)]
    path = draw(st.sampled_from(paths))
    kind = draw(st.sampled_from(["delete", "replace", "replace", "duplicate", "unknown",
                                 "override", "date", "clock"]))
    node = _get(data, path)
    if kind == "delete" and path:
        parent = _get(data, path[:-1])
        del parent[path[-1]]
    elif kind == "replace" and path:
        _get(data, path[:-1])[path[-1]] = draw(bad)
    elif kind == "duplicate" and isinstance(node, list) and node:
        node.append(copy.deepcopy(draw(st.sampled_from(node))))
    elif kind == "unknown" and isinstance(node, dict):
        node[draw(st.sampled_from(["patence", "extra", "name", "nmae", "weeks"]))] = draw(
            bad)
    elif kind == "override":
        variants = data.setdefault("variants", [])
        if not isinstance(variants, list) or not variants or not isinstance(variants[0], dict):
            return
        over = variants[0].setdefault("overrides", {})
        if isinstance(over, dict):
            key = ".".join(draw(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=4)))
            over[key] = draw(bad)
    elif kind == "date":
        target = (("scenario", "start"), ("capacity", "hiring", 0, "start"))
        t = draw(st.sampled_from(target))
        try:
            _get(data, t[:-1])[t[-1]] = draw(st.sampled_from(
                ["2025-02-30", "2025-9-1", "soon", dt.date(9999, 12, 31), dt.date(1800, 1, 1),
                 dt.datetime(2025, 9, 1, 7, 30), 20250901]))
        except (KeyError, IndexError, TypeError):
            pass
    elif kind == "clock":
        try:
            shift = data["workforce"]["shifts"][draw(st.integers(0, 2))]
            shift[draw(st.sampled_from(["first", "last"]))] = draw(st.sampled_from(
                ["24:00", "7:5", "07:60", "-01:00", "0730", 1439, 1440, 7.5, "23:59"]))
        except (KeyError, IndexError, TypeError):
            pass


_SEGMENT = re.compile(r'\.?"([^"]*)"|\.?\[([^\]]*)\]|\.?([^.\["]+)')


def _segments(path):
    """``queues[voice].bot."a.b"[0]`` -> [("key", "queues"), ("item", "voice"), ...]."""
    out, pos = [], 0
    while pos < len(path):
        m = _SEGMENT.match(path, pos)
        assert m and m.end() > pos, f"cannot parse the path {path!r} at {pos}"
        if m[1] is not None:
            out.append(("key", m[1]))
        elif m[2] is not None:
            out.append(("item", m[2]))
        else:
            out.append(("key", m[3]))
        pos = m.end()
    return out


def _resolve(data, path):
    """How many segments of ``path`` resolve in ``data``, and how many there are."""
    segs = _segments(path)
    node = data
    for n, (kind, name) in enumerate(segs):
        if kind == "key" and isinstance(node, dict) and name in node:
            node = node[name]
        elif kind == "key" and isinstance(node, dict) and isinstance(node.get("overrides"), dict) \
                and name in node["overrides"]:
            node = node["overrides"][name]          # a variant's override, named without
                                                    # 'overrides' (variants[x]."queues.voice.aht")
        elif kind == "item" and isinstance(node, list):
            named = [x for x in node if isinstance(x, dict) and x.get("name") == name]
            if named:
                node = named[0]
            elif name.isdigit() and int(name) < len(node):
                node = node[int(name)]
            else:
                return n, len(segs)
        else:
            return n, len(segs)
    return len(segs), len(segs)


def assert_names_a_field_of(exc, data):
    """The error's quoted field is a path of ``data``: all of it, or all but the last
    part (a key left out of a table that exists)."""
    msg = str(exc)
    m = re.match(r"^(?:cannot read the scenario file )?'((?:[^']|'(?=[^ :]))*)'", msg)
    assert m, f"the error does not start with the field: {msg!r}"
    path = m[1]
    if path == "scenario" and "scenario" not in data:
        return                                      # the input as a whole
    done, total = _resolve(data, path)
    assert done >= total - 1, f"{path!r} is not a path of the input: {msg!r}"
    assert done >= 1 or path in Scenario.SECTIONS, f"{path!r} is not a section: {msg!r}"


def assert_obeys_the_rules(sc):
    """Every field of a valid scenario is within its rule and limit."""
    assert isinstance(sc, Scenario)
    assert 1 <= sc.weeks <= limit("weeks") and 2 <= sc.history_weeks <= limit("history_weeks")
    assert dt.date(1900, 1, 1) <= sc.start <= dt.date(2199, 12, 31)
    assert 1 <= len(sc.queues) <= limit("queues")
    assert len({q.name for q in sc.queues}) == len(sc.queues)
    for q in sc.queues:
        assert isinstance(q.name, str) and q.name.strip()
        assert 0 < q.volume_scale <= limit("volume_scale") and 0 < q.aht_scale <= 100
        assert q.aht is None or 0 < q.aht <= limit("aht")
        assert q.patience is None or 0 < q.patience <= limit("patience")
        assert isinstance(q.concurrency, int) and 1 <= q.concurrency <= limit("concurrency")
        assert 1 <= q.concurrency_factor <= limit("aht_scale")
        assert q.percentile is None or q.percentile in PERCENTILES
        assert sum(bool(x) for x in (q.history, q.acd, q.forecast, q.demo)) == 1
        t = q.target
        assert t.service_level is None or (0 < t.service_level < 1 and t.target_time >= 0)
        assert t.asa is None or 0 < t.asa <= limit("target_time")
        assert any(x is not None for x in (t.service_level, t.asa, t.abandon_rate, t.occupancy))
        if q.bot is not None:
            b = q.bot
            assert 0 <= b.containment and 0 <= b.abandon and b.containment + b.abandon <= 1
            assert 0 < b.time <= limit("aht") and 0 < b.uplift <= limit("aht_scale")
    w = sc.workforce
    assert w.interval in INTERVALS and 0 <= w.total_shrinkage < 1
    assert all(0 <= x <= 1 for x in w.shrinkage.values())
    assert len(w.shifts) <= limit("shift_templates")
    assert len({s.name for s in w.shifts}) == len(w.shifts)
    assert len({g.name for g in w.groups}) == len(w.groups)
    for obj in [w, *w.groups, *w.shifts]:
        assert 0 <= obj.min_agents <= limit("agents")
        assert obj.max_agents is None or obj.min_agents <= obj.max_agents <= limit("agents")
    for s in w.shifts:
        assert 0 < s.length <= 1440 and s.starts and all(0 <= x < 1440 for x in s.starts)
        assert 0 <= s.unpaid_break < s.length and s.paid_hours > 0 and s.cost_factor > 0
    for x in (w.hourly_cost, sc.finance.bot_contact_cost, sc.finance.abandon_cost,
              sc.capacity.cost_per_hire):
        assert math.isfinite(x) and x >= 0
    c = sc.capacity
    assert 0 <= c.headcount <= limit("agents") and 0 <= c.attrition < 1
    assert 0 < c.fte_hours <= 168
    sim = sc.simulation
    assert isinstance(sim.verify, bool) and isinstance(sim.correct, bool)
    assert 1 <= sim.replications <= limit("replications")
    assert 0 <= sim.max_rounds <= limit("correction_rounds") and 0 <= sim.seed < 2 ** 63
    assert len(sc.variants) <= limit("variants")
    assert len({x.name for x in sc.variants}) == len(sc.variants)
    # The variants build, and the scenario reads back equal from its own TOML.
    assert [x.name for x in sc.variant_scenarios()[1:]] == [x.name for x in sc.variants]
    assert Scenario.from_toml(sc.to_toml()) == sc


@given(st.data())
def test_mutated_scenarios_are_valid_or_name_the_field(data):
    d = copy.deepcopy(DEMO)
    for _ in range(data.draw(st.integers(1, 3))):
        data.draw(mutation(d))
    result = outcome(Scenario.from_dict, d)
    if isinstance(result, ValueError):
        assert_names_a_field_of(result, d)
    else:
        assert_obeys_the_rules(result)


FIELDS = ["name", "start", "weeks", "history_weeks", "queues", "workforce", "capacity",
          "finance", "simulation", "variants"]


@given(st.sampled_from(FIELDS), bad)
def test_changed_copies_are_checked_like_files(field, value):
    base = Scenario.from_dict(DEMO)
    result = outcome(dataclasses.replace, base, **{field: value})
    if isinstance(result, ValueError):
        m = re.match(r"^'([^'.\[]+)(?:\.([^'.\[]+))?", str(result))
        assert m and (m[1] == field or (m[1] == "scenario" and m[2] == field)), str(result)
    else:
        assert_obeys_the_rules(result)


@given(st.data())
def test_garbled_toml_is_read_or_names_the_line(data):
    text = DEMO_TOML
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(text)))
        j = data.draw(st.integers(i, min(len(text), i + 20)))
        text = text[:i] + data.draw(st.sampled_from(
            ["", "=", "[", "]", "\"", "{", "}", "\n", " = 1e400", "[[queues]]\n", "nan",
             "\x00", "'''", "#", "9" * 5000])) + text[j:]
    assume("\n" in text)
    try:
        tomllib.loads(text)
        valid_toml = True
    except (tomllib.TOMLDecodeError, ValueError):
        valid_toml = False
    result = outcome(Scenario.from_toml, text)
    if not valid_toml:
        assert isinstance(result, ValueError) and "'scenario' is not valid TOML" in str(result)
        assert "9" * 5000 in text or re.search(r"line \d+", str(result)), str(result)
    elif isinstance(result, ValueError):
        assert_names_a_field_of(result, tomllib.loads(text))
    else:
        assert_obeys_the_rules(result)


@given(st.text(max_size=300))
def test_random_text_is_a_scenario_or_a_value_error(text):
    result = outcome(Scenario.from_toml, text + "\n")
    assert isinstance(result, ValueError)       # no random text has [scenario] and [[queues]]


@given(st.dictionaries(
    st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=5).map(".".join),
    bad, min_size=1, max_size=3))
def test_random_overrides_are_applied_or_name_the_override(overrides):
    base = Scenario.from_dict({k: x for k, x in DEMO.items() if k != "variants"})
    result = outcome(base.with_overrides, overrides)
    if isinstance(result, ValueError):
        m = re.match(r'^\'overrides(?:\."([^"]*)")?', str(result))
        assert m, str(result)
        assert m[1] is None or m[1] in overrides, str(result)
    else:
        assert_obeys_the_rules(result)
        # An applied override is what the scenario now holds.
        for key, value in overrides.items():
            if key == "scenario.weeks":
                assert result.weeks == value


def test_known_problems_are_errors_naming_the_field():
    cases = [
        (("queues", 0, "bot"), 5, "'queues[voice].bot' must be a table"),
        (("workforce", "shrinkage"), 0.3, "'workforce.shrinkage' must be a table"),
        (("workforce", "max_agents"), 0, "'workforce.max_agents' must be >= 1: 0"),
        (("simulation", "verify"), "no", "'simulation.verify' must be true or false: 'no'"),
        (("queues", 0, "volume_scale"), 1e9, "'queues[voice].volume_scale' must be <= 100 "
                                             "times (limit 'volume_scale'): 1000000000.0"),
        (("scenario", "weeks"), 10000, "'scenario.weeks' must be <= 104 weeks (limit 'weeks')"),
        (("queues", 2, "concurrency"), 1e300, "'queues[chat].concurrency' must be <= 20"),
        (("simulation", "replications"), 10 ** 9, "'simulation.replications' must be <= 10000"),
        (("simulation", "max_rounds"), 1000, "'simulation.max_rounds' must be <= 50"),
        (("queues", 0, "aht"), 1e300, "'queues[voice].aht' must be <= 86400 seconds"),
        (("queues", 0, "target", "target_time"), 1e9, "'queues[voice].target.target_time' "
                                                      "must be <= 2.592e+06 seconds"),
        (("variants", 0, "overrides"), {"queues.voice": 5},
         "'variants[bot 40%].\"queues.voice\"' must name a field of an item of 'queues'"),
        (("variants", 0, "overrides"), {"queues.voice.aht": -3},
         "'variants[bot 40%].\"queues.voice.aht\"' must be > 0: -3"),
        (("variants", 0, "overrides"), {"queues.voice.volume_scale": 1e9},
         "'variants[bot 40%].\"queues.voice.volume_scale\"' must be <= 100 times"),
        (("variants", 0, "overrides"), 7, "'variants[bot 40%].overrides' must be a table"),
        (("scenario", "start"), "2025-02-30", "'scenario.start' must be a date (YYYY-MM-DD)"),
        (("scenario", "start"), dt.date(1, 1, 1), "'scenario.start' must be between"),
        (("capacity", "fte_hours"), 200, "'capacity.fte_hours' must be > 0 and <= 168: 200"),
    ]
    for path, value, message in cases:
        d = copy.deepcopy(DEMO)
        _get(d, path[:-1])[path[-1]] = value
        result = outcome(Scenario.from_dict, d)
        assert isinstance(result, ValueError) and message in str(result), (path, str(result))
    d = copy.deepcopy(DEMO)
    del d["workforce"]["shifts"][0]["name"]
    assert "'workforce.shifts[0].name' is required" in str(outcome(Scenario.from_dict, d))
    for section, at in (("queues", "'queues'"), ("variants", "'variants'")):
        d = copy.deepcopy(DEMO)
        d[section].append(copy.deepcopy(d[section][0]))
        assert f"{at} must have unique names" in str(outcome(Scenario.from_dict, d))
    d = copy.deepcopy(DEMO)
    d["workforce"]["shifts"].append(copy.deepcopy(d["workforce"]["shifts"][1]))
    assert "'workforce.shifts' must have unique names: 'part'" in str(
        outcome(Scenario.from_dict, d))
    d = copy.deepcopy(DEMO)
    d["workforce"]["groups"] = [{"name": "g", "skills": ["voice"]},
                                {"name": "g", "skills": ["chat"]}]
    assert "'workforce.groups' must have unique names: 'g'" in str(
        outcome(Scenario.from_dict, d))
    d["workforce"]["groups"] = [{"name": "g", "skills": ["voice"], "min_agents": 5,
                                 "max_agents": 2}]
    assert "'workforce.groups[g].max_agents' must be >= min_agents (5): 2" in str(
        outcome(Scenario.from_dict, d))
    d = copy.deepcopy(DEMO)
    d["queues"] = [dict(d["queues"][0], name=f"q{i}") for i in range(201)]
    assert "'queues' must be <= 200 queues (limit 'queues'): 201" in str(
        outcome(Scenario.from_dict, d))


# ------------------------------------------------------------------- what-if

TINY = """
[scenario]
name = "tiny"
start = 2024-03-04
weeks = 1

[[queues]]
name = "voice"
forecast = "fc.csv"
patience = 120
target = { service_level = 0.8, target_time = 20 }
bot = { containment = 0.2, time = 30, abandon = 0.0, uplift = 1.2 }

[workforce]
interval = 60
shrinkage = { breaks = 0.1 }
"""


def _forecast(volume=40.0, aht=240.0):
    grid = pd.date_range("2024-03-04", periods=7 * 24, freq="60min")
    hour = grid.hour.to_numpy()
    vol = np.where((hour >= 8) & (hour < 20), volume, 0.0)
    return pd.DataFrame({"queue": "voice", "start": grid, "forecast": vol, "lo_80": vol,
                         "hi_80": vol * 1.2, "lo_95": vol, "hi_95": vol * 1.4, "aht": aht})


@pytest.fixture(scope="module")
def tiny():
    return Scenario.from_toml(TINY), _forecast()


WHATIF_KEYS = ["queues.voice.aht_scale", "queues.voice.bot.containment", "queues.voice.patience",
               "queues.voice.target.service_level", "queues.voice.target.asa",
               "queues.voice.percentile", "queues.voice.concurrency", "workforce.shrinkage",
               "workforce.hourly_cost", "capacity.fte_hours", "queues.voice.bot.uplift"]
FORECAST_BAD = ["nan", "negative", "huge", "inf", "duplicate", "strings", "no_aht", "aht_zero",
                "drop_queue", "aht_huge", "none"]


def _corrupt(fc, how):
    fc = fc.copy()
    if how == "nan":
        fc.loc[10, "forecast"] = np.nan
    elif how == "negative":
        fc.loc[10, "forecast"] = -5.0
    elif how == "huge":
        fc.loc[10, ["forecast", "hi_80", "hi_95"]] = 1e300
    elif how == "inf":
        fc.loc[10, "forecast"] = np.inf
    elif how == "duplicate":
        fc = pd.concat([fc, fc.iloc[[3]]], ignore_index=True)
    elif how == "strings":
        fc["start"] = fc["start"].astype(str)
    elif how == "no_aht":
        fc = fc.drop(columns="aht")
    elif how == "aht_zero":
        fc.loc[5, "aht"] = 0.0
    elif how == "aht_huge":
        fc["aht"] = 80_000.0
    elif how == "drop_queue":
        fc["queue"] = "other"
    return fc


WHATIF_VALUES = BAD + [0.4, 0.95, 90, 97.5, 2, {"all": 0.35}, 1.1]


@given(st.dictionaries(st.sampled_from(WHATIF_KEYS),
                       st.sampled_from(WHATIF_VALUES).map(copy.deepcopy), max_size=3),
       st.sampled_from(FORECAST_BAD))
def test_what_ifs_give_a_finite_plan_or_name_the_field(tiny, overrides, how):
    sc, fc = tiny
    changed = outcome(sc.with_overrides, overrides)
    if isinstance(changed, ValueError):
        assert re.match(r'^\'overrides\."([^"]*)"', str(changed)), str(changed)
        return
    result = outcome(quick_plan, changed, _corrupt(fc, how))
    if how == "none":
        assert isinstance(result, QuickPlan), str(result)
    if isinstance(result, ValueError):
        assert re.match(r"^'(forecast|queues\[voice\]|volume|aht|agent)", str(result)), \
            str(result)
        assert how != "none" or "limit" in str(result)
    else:
        assert math.isfinite(result.fte) and result.fte >= 0
        assert math.isfinite(result.total_cost) and result.total_cost >= 0
        req = result.requirements
        assert np.isfinite(req["required"]).all() and (req["required"] >= 0).all()
        assert len(req) == 7 * 24


def test_what_if_limits_are_checked_before_any_work(tiny):
    sc, fc = tiny
    cases = [
        ("huge", "'forecast[voice].forecast' must be <= 1e+06 contacts per interval"),
        ("nan", "'forecast[voice].forecast' must not be NaN"),
        ("negative", "'forecast[voice].forecast' must be >= 0"),
        ("duplicate", "'forecast[voice].start' must not repeat"),
        ("strings", "'forecast.start' must be dates"),
        ("no_aht", "'forecast' needs column 'aht'"),
        ("drop_queue", "'forecast' has no rows for queue 'voice'"),
    ]
    for how, message in cases:
        result = outcome(quick_plan, sc, _corrupt(fc, how))
        assert isinstance(result, ValueError) and message in str(result), (how, str(result))
    scaled = sc.with_overrides({"queues.voice.aht_scale": 2.0})
    result = outcome(quick_plan, scaled, _corrupt(fc, "aht_huge"))
    assert "'queues[voice].aht_scale' must keep aht <= 86400 seconds" in str(result)
    assert "'scenario' must be a plan.Scenario" in str(outcome(quick_plan, "x", fc))


def test_money_beyond_its_limit_is_refused_by_name():
    """A wage or cost of 1e300 would make every total infinite: refused, named."""
    base = Scenario.from_toml(TINY)
    for section, key in (("workforce", "hourly_cost"), ("finance", "bot_contact_cost"),
                         ("finance", "abandon_cost"), ("capacity", "cost_per_hire")):
        d = base.to_dict()
        d.setdefault(section, {})[key] = 1e300
        err = outcome(Scenario.from_dict, d)
        assert isinstance(err, ValueError), (section, key)
        assert f"{key}' must be <= 1e+09 currency units (limit 'money')" in str(err), str(err)
        d[section][key] = 1e9
        assert isinstance(outcome(Scenario.from_dict, d), Scenario), (section, key)
