"""Break windows: templates, the coverage model, the scheduler and ``place_breaks``.

Everything is checked against constructions written from the definitions
only (a shift's minutes marked one by one, break offsets counted from
``earliest`` by ``step``), never against the code's own output:

* ``coverage_model`` against a minute-by-minute profile of one agent per
  column and per break position, averaged per interval, on random templates;
* ``schedule`` with windows against brute force over every start count and
  every spread of each column's agents over its break offsets;
* ``place_breaks`` against brute force over every spread of the breaks.
"""

import itertools
import math
import re
import time
import tomllib

import numpy as np
import pandas as pd
import pytest
import tomli_w

from ccwfm.plan.schedule import (BreakWindow, Coverage, ShiftTemplate, coverage_model,
                                 place_breaks, schedule)
from ccwfm.plan.scenario import Scenario, ScenarioError

from .test_schedule_bruteforce import on_minutes

DAY = 1440
MONDAY = pd.Timestamp("2024-01-01")


def need(values, start="2024-01-01 00:00", interval=60):
    idx = pd.date_range(start, periods=len(values), freq=f"{interval}min")
    return pd.Series(np.asarray(values, dtype=float), index=idx)


# --------------------------------------------------------------------------- templates


def test_windows_are_stored_checked_and_paid():
    t = ShiftTemplate("d", 510, starts=("08:00",),
                      breaks=(BreakWindow(15, 90, 150, paid=True),
                              {"length": 30, "earliest": 210, "latest": 300},
                              BreakWindow(15, 360, 420, paid=True, step=20)))
    assert all(isinstance(w, BreakWindow) for w in t.breaks)
    assert t.breaks[1] == BreakWindow(30, 210, 300)
    assert t.paid_hours == pytest.approx((510 - 30) / 60)         # the unpaid window only
    assert t.unpaid_break == 0 and t.paid_breaks == ()
    assert t.breaks[2].offsets(15) == (360, 380, 400, 420)
    assert t.breaks[0].offsets(60) == (90, 150)
    assert t.breaks[0].offsets(45) == (90, 135)                    # latest off the progression
    # Paid hours given explicitly win, as for fixed breaks.
    assert ShiftTemplate("d", 480, starts=(0,), breaks=(BreakWindow(60, 100, 200),),
                         paid_hours=8.0).paid_hours == 8.0
    # A window with earliest == latest is a fixed break.
    assert BreakWindow(30, 240, 240).offsets(15) == (240,)


@pytest.mark.parametrize("breaks, field, rule", [
    ([{"length": 0, "earliest": 60, "latest": 90}], "breaks[0].length", "must be > 0"),
    ([{"length": 15.5, "earliest": 60, "latest": 90}], "breaks[0].length",
     "must be a whole number"),
    ([{"length": 15, "earliest": -5, "latest": 90}], "breaks[0].earliest", "must be >= 0"),
    ([{"length": 15, "earliest": 90, "latest": 60}], "breaks[0].latest", "must be >= earliest"),
    ([{"length": 15, "earliest": 60, "latest": 470}], "breaks[0].latest",
     "must be <= length - breaks[0].length (465)"),
    ([{"length": 15, "earliest": 60, "latest": 90, "paid": "yes"}], "breaks[0].paid",
     "must be true or false"),
    ([{"length": 15, "earliest": 60, "latest": 90, "step": 0}], "breaks[0].step",
     "must be > 0"),
    ([{"length": 15, "earliest": 60, "latest": 90, "step": float("nan")}], "breaks[0].step",
     "must not be NaN"),
    ([{"length": 30, "earliest": 60, "latest": 120}, {"length": 15, "earliest": 140,
                                                      "latest": 200}],
     "breaks[1].earliest", "must be >= the latest end of breaks[0] (150)"),
    ([{"length": 15, "earliest": 300, "latest": 330}, {"length": 15, "earliest": 60,
                                                       "latest": 90}],
     "breaks[1].earliest", "must be >= the latest end of breaks[0] (345)"),
    ([{"length": 15, "earliest": 60}], "breaks[0].latest", "is required"),
    ([{"length": 15, "earliest": 60, "latest": 90, "lenght": 3}], "breaks[0].lenght",
     "is not a known key"),
    (["15"], "breaks[0]", "must be a BreakWindow or a table of its fields"),
    (BreakWindow(15, 60, 90), "breaks", "must be a sequence of break windows"),
    ("lunch", "breaks", "must be a sequence of break windows"),
])
def test_window_validation_names_the_field(breaks, field, rule):
    with pytest.raises(ValueError, match=re.escape(f"'shifts[p].{field}' {rule}")):
        ShiftTemplate("p", 480, starts=("08:00",), breaks=breaks)


def test_windows_touching_end_to_start_are_allowed():
    t = ShiftTemplate("p", 480, starts=(0,), breaks=(BreakWindow(30, 60, 120),
                                                     BreakWindow(30, 150, 450)))
    assert t.breaks[1].latest + t.breaks[1].length == t.length


def test_mixing_windows_with_fixed_breaks_is_refused():
    for kw in (dict(unpaid_break=30), dict(paid_breaks=(15,))):
        with pytest.raises(ValueError, match=re.escape("'shifts[p].breaks' must not be combined "
                                                       "with unpaid_break or paid_breaks")):
            ShiftTemplate("p", 480, starts=(0,), breaks=(BreakWindow(30, 60, 120),), **kw)


def test_break_window_alone_is_checked():
    with pytest.raises(ValueError, match=re.escape("'break.latest' must be >= earliest (90)")):
        BreakWindow(15, 90, 60)
    with pytest.raises(ValueError, match=re.escape("'break.paid' must be true or false: 1")):
        BreakWindow(15, 90, 120, paid=1)
    with pytest.raises(ValueError, match=re.escape("'break.length' must be a number: '15'")):
        BreakWindow("15", 90, 120)


TOML = """
[[shifts]]
name = "flex"
length = 8.5
first = "07:00"
last = "09:00"
step = 30
breaks = [{length = 15, earliest = 90, latest = 150, paid = true},
          {length = 30, earliest = 210, latest = 300},
          {length = 15, earliest = 360, latest = 420, paid = true, step = 30}]
"""


def test_toml_form_reads_and_round_trips():
    d = tomllib.loads(TOML)["shifts"][0]
    t = ShiftTemplate.from_dict(d, "workforce.shifts[flex]")
    assert t.unpaid_break == 0                  # no default 30-minute break with windows
    assert t.paid_hours == pytest.approx(8.0)
    assert t.breaks == (BreakWindow(15, 90, 150, paid=True), BreakWindow(30, 210, 300),
                        BreakWindow(15, 360, 420, paid=True, step=30))
    written = tomli_w.dumps({"shifts": [t.to_dict()]})
    again = ShiftTemplate.from_dict(tomllib.loads(written)["shifts"][0])
    assert again == t
    # Templates without windows are written as before (no 'breaks' key).
    plain = ShiftTemplate.from_dict({"name": "p", "length": 8.5})
    assert "breaks" not in plain.to_dict() and plain.to_dict()["unpaid_break"] == 30


@pytest.mark.parametrize("extra, field, rule", [
    ({"breaks": [{"length": -15, "earliest": 90, "latest": 150}]}, "breaks[0].length",
     "must be > 0"),
    ({"breaks": [{"length": 15, "earliest": 90, "latest": 500}]}, "breaks[0].latest",
     "must be <= length - breaks[0].length (495)"),
    ({"breaks": [{"length": 15, "earliest": 90, "latest": 150},
                 {"length": 15, "earliest": 100, "latest": 150}]}, "breaks[1].earliest",
     "must be >= the latest end of breaks[0] (165)"),
    ({"breaks": [{"length": 15, "earliest": 90, "latest": 150}], "unpaid_break": 30},
     "breaks", "must not be combined"),
    ({"breaks": {"length": 15}}, "breaks", "must be a sequence of break windows"),
    ({"breaks": [5]}, "breaks[0]", "must be a table of keys and values"),
])
def test_toml_errors_name_the_path_as_written(extra, field, rule):
    d = {"name": "flex", "length": 8.5, **extra}
    with pytest.raises(ValueError, match=re.escape(f"'workforce.shifts[flex].{field}' {rule}")):
        ShiftTemplate.from_dict(d, "workforce.shifts[flex]")


def test_scenario_file_reads_windows_and_names_errors():
    from ccwfm.plan.demo import DEMO_TOML
    text = DEMO_TOML.replace('name = "part"\n', 'name = "part"\nbreaks = [{length = 15, '
                             'earliest = 60, latest = 150, paid = true}]\n')
    sc = Scenario.from_toml(text)
    part = next(s for s in sc.workforce.shifts if s.name == "part")
    assert part.breaks == (BreakWindow(15, 60, 150, paid=True),)
    assert Scenario.from_toml(sc.to_toml()).workforce.shifts == sc.workforce.shifts
    bad = text.replace("latest = 150", "latest = 240")
    with pytest.raises(ScenarioError, match=re.escape(
            "'workforce.shifts[part].breaks[0].latest' must be <= length - breaks[0].length "
            "(225)")):
        Scenario.from_toml(bad)


# --------------------------------------------------------------------------- coverage model


def offsets_of(win, interval):
    """Allowed offsets from the definition: earliest, earliest + step, ... <= latest."""
    step = win.step if win.step is not None else interval
    out, o = [], win.earliest
    while o <= win.latest:
        out.append(o)
        o += step
    return out


def profile(ndays, interval, at, minutes):
    """Per-interval average of a 0/1 minute mask placed at minute ``at`` of the horizon."""
    h = np.zeros((ndays + 2) * DAY)
    h[at:at + minutes.size] = minutes
    return h[:ndays * DAY].reshape(-1, interval).mean(axis=1)


def slow_model(templates, day0, ndays, interval):
    """Columns, a, break variables and a_w from the definitions, minute by minute."""
    cols, a, wvars, aw = [], [], [], []
    for ti, t in enumerate(templates):
        for d in range(ndays):
            if (day0.weekday() + d) % 7 not in t.days:
                continue
            for s in t.starts:
                cols.append((ti, d, s))
                a.append(profile(ndays, interval, d * DAY + s, on_minutes(t, s, interval)))
                for k, win in enumerate(t.breaks):
                    for o in offsets_of(win, interval):
                        wvars.append((ti, d, s, k, o))
                        aw.append(profile(ndays, interval, d * DAY + s + o,
                                          np.ones(win.length)))
    return cols, np.array(a).T, wvars, (np.array(aw).T if aw else None)


def random_template(rng, name):
    length = int(rng.choice([60, 150, 240, 300, 480, 510, 600]))
    starts = tuple(int(s) for s in rng.choice(np.arange(0, DAY, 5), int(rng.integers(1, 4)),
                                              replace=False))
    kw = {}
    if rng.random() < 0.5:
        kw["days"] = tuple(int(d) for d in rng.choice(7, int(rng.integers(1, 7)), replace=False))
    kind = rng.choice(["none", "fixed", "windows", "windows"])
    if kind == "fixed" and length >= 240:
        kw["unpaid_break"] = int(rng.choice([15, 30, 45]))
        if rng.random() < 0.5:
            kw["break_offset"] = int(rng.integers(60, 150))
        if rng.random() < 0.5:
            kw["paid_breaks"] = (10,)
            kw["paid_break_offsets"] = (int(rng.integers(0, 40)),)
            kw.setdefault("break_offset", 100)
    elif kind == "windows":
        windows, cursor = [], 0
        for _ in range(int(rng.integers(1, 4))):
            length_b = int(rng.choice([5, 10, 15, 30, 45, 60]))
            earliest = cursor + int(rng.integers(0, 60))
            latest = earliest + int(rng.integers(0, 100))
            if latest + length_b > length:
                break
            step = [None, 5, 10, 15, 20, 30][int(rng.integers(0, 6))]
            windows.append(BreakWindow(length_b, earliest, latest, paid=bool(rng.random() < 0.5),
                                       step=step))
            cursor = latest + length_b
        kw["breaks"] = tuple(windows)
    return ShiftTemplate(name, length, starts, cost_factor=float(rng.choice([1.0, 1.25])), **kw)


@pytest.mark.parametrize("seed", range(40))
def test_coverage_model_matches_minute_by_minute_construction(seed):
    rng = np.random.default_rng(seed)
    interval = int(rng.choice([15, 30, 60]))
    ndays = int(rng.integers(1, 4))
    day0 = MONDAY + pd.Timedelta(days=int(rng.integers(0, 7)))
    templates = [random_template(rng, f"t{i}") for i in range(int(rng.integers(1, 4)))]
    if not any((day0.weekday() + d) % 7 in t.days for t in templates for d in range(ndays)):
        templates.append(ShiftTemplate("every", 240, starts=(480,)))
    m = coverage_model(templates, day0, ndays, interval)
    cols, a, wvars, aw = slow_model(templates, day0, ndays, interval)
    n = ndays * DAY // interval
    assert isinstance(m, Coverage) and m.a.shape == (n, len(cols))
    # Columns: the same set, each with the same coverage.
    where = {tuple(r): j for j, r in enumerate(m.meta.tolist())}
    assert sorted(where) == sorted(cols)
    perm = [where[c] for c in cols]
    np.testing.assert_allclose(m.a.toarray()[:, perm], a, atol=1e-12)
    paid = [(t.length - t.unpaid_break - sum(w.length for w in t.breaks if not w.paid)) / 60
            for t in templates]
    np.testing.assert_allclose(m.paid_hours[perm], [paid[c[0]] for c in cols])
    np.testing.assert_allclose(m.cost_hours[perm],
                               [paid[c[0]] * templates[c[0]].cost_factor for c in cols])
    # Break variables: one per column, window and offset, each with its break's shares.
    got = [(*m.meta[j], k, o) for j, k, o in m.w_meta.tolist()]
    assert sorted(map(tuple, got)) == sorted(wvars)
    assert m.a_w.shape == (n, len(wvars))
    if wvars:
        vperm = [dict((tuple(g), v) for v, g in enumerate(got))[w] for w in wvars]
        np.testing.assert_allclose(m.a_w.toarray()[:, vperm], aw, atol=1e-12)
    # Linking rows: each (column, window) sums its offsets to the column's starts.
    link, link_x = m.link.toarray(), m.link_x.toarray()
    assert link.shape == (len(m.link_meta), len(got)) and link_x.shape[1] == len(cols)
    for r, (j, k) in enumerate(m.link_meta.tolist()):
        assert set(np.flatnonzero(link[r])) == {v for v, (jj, kk, _) in
                                                enumerate(m.w_meta.tolist()) if (jj, kk) == (j, k)}
        assert np.flatnonzero(link_x[r]).tolist() == [j]
    assert (link.sum(axis=0) == 1).all()
    # One agent per column with random break positions: a - a_w is his profile.
    for j, (ti, d, s) in enumerate(m.meta.tolist()):
        t = templates[ti]
        on = on_minutes(t, s, interval).astype(float)
        chosen = []
        for k, win in enumerate(t.breaks):
            o = int(rng.choice(offsets_of(win, interval)))
            assert on[o:o + win.length].all()          # windows never overlap
            on[o:o + win.length] = 0
            chosen.append(next(v for v, (jj, kk, oo) in enumerate(m.w_meta.tolist())
                               if (jj, kk, oo) == (j, k, o)))
        w = np.zeros(len(got))
        w[chosen] = 1
        x = np.zeros(len(cols))
        x[j] = 1
        np.testing.assert_allclose(m.on_duty(x, w), profile(ndays, interval, d * DAY + s, on),
                                   atol=1e-12)
        assert ((m.link @ w) == (m.link_x @ x)).all()


def test_coverage_model_validates_its_input():
    t = ShiftTemplate("d", 480, starts=(480,))
    with pytest.raises(ValueError, match="'interval' must divide a day"):
        coverage_model([t], MONDAY, 1, 7)
    with pytest.raises(ValueError, match="'ndays' must be a whole number >= 1: 0"):
        coverage_model([t], MONDAY, 0, 60)
    with pytest.raises(ValueError, match="'day0' must be a tz-naive midnight"):
        coverage_model([t], "2024-01-01 08:00", 1, 60)
    with pytest.raises(ValueError, match=r"'templates\[0\]' must be a ShiftTemplate"):
        coverage_model(["d"], MONDAY, 1, 60)
    with pytest.raises(ValueError, match="must allow at least one start in the horizon"):
        coverage_model([ShiftTemplate("s", 60, starts=(0,), days=(6,))], MONDAY, 1, 60)


def test_coverage_model_without_windows_has_empty_break_parts():
    m = coverage_model([ShiftTemplate("d", 480, starts=(480, 540), unpaid_break=30)],
                       MONDAY, 2, 30)
    assert m.a.shape == (96, 4) and m.a_w.shape == (96, 0)
    assert m.w_meta.shape == (0, 3) and m.link.shape[0] == 0 and m.link_x.shape == (0, 4)
    np.testing.assert_allclose(m.on_duty(np.ones(4)), m.a @ np.ones(4))


def test_coverage_model_is_fast():
    full = ShiftTemplate.every("full", 510, first="06:00", last="14:00", step=30,
                               breaks=(BreakWindow(15, 90, 150, paid=True),
                                       BreakWindow(30, 210, 300),
                                       BreakWindow(15, 360, 420, paid=True)))
    part = ShiftTemplate.every("part", 240, first="06:00", last="20:00", step=60,
                               breaks=(BreakWindow(15, 90, 150, paid=True),))
    night = ShiftTemplate("night", 480, starts=("22:00",), breaks=(BreakWindow(30, 180, 300),))
    coverage_model([full, part, night], MONDAY, 7, 15)
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        m = coverage_model([full, part, night], MONDAY, 7, 15)
        best = min(best, time.perf_counter() - t0)
    assert m.a_w.shape[1] > 2000
    assert best < 0.1, best


# --------------------------------------------------------------------------- scheduling


def test_lunch_goes_where_the_need_dips():
    # Two agents 08:00-16:00 are needed every hour but at 12:00 and 14:00 (one); each
    # takes a one-hour unpaid lunch 3 to 6 hours in: the only way with no shortfall is
    # one lunch at 12:00 and one at 14:00.
    vals = np.zeros(24)
    vals[8:16] = [2, 2, 2, 2, 1, 2, 1, 2]
    t = ShiftTemplate("day", 480, starts=("08:00",), breaks=(BreakWindow(60, 180, 360),))
    res = schedule(need(vals), [t], interval=60, hourly_cost=10)
    assert res.starts["agents"].tolist() == [2]
    assert res.shortfall == 0 and res.optimal
    assert res.paid_hours == 14.0                         # 2 x (8 - 1) hours
    b = res.breaks
    assert list(b.columns) == ["template", "start", "break", "break_start", "length", "paid",
                               "agents"]
    assert b["break_start"].dt.hour.tolist() == [12, 14]
    assert b["agents"].tolist() == [1, 1] and b["length"].tolist() == [60, 60]
    assert not b["paid"].any()
    assert (b["start"] == pd.Timestamp("2024-01-01 08:00")).all()
    np.testing.assert_allclose(res.coverage["scheduled"].iloc[8:16], vals[8:16])


def test_no_windows_gives_an_empty_breaks_table():
    res = schedule(need([0] * 9 + [1] * 8 + [0] * 7),
                   [ShiftTemplate("day", 480, starts=("09:00",))], interval=60, hourly_cost=10)
    assert res.breaks.empty
    assert list(res.breaks.columns) == ["template", "start", "break", "break_start", "length",
                                        "paid", "agents"]


def tiny_instance(rng):
    """(requirements, templates, kwargs, interval, day0) of a one-day instance."""
    interval = int(rng.choice([30, 60]))
    day0 = MONDAY + pd.Timedelta(days=int(rng.integers(0, 7)))
    per_day = DAY // interval
    values = np.zeros(per_day)
    lo, hi = int(rng.integers(6, 10)) * 60 // interval, int(rng.integers(13, 20)) * 60 // interval
    values[lo:hi] = rng.choice([0, 1, 1, 2, 2, 1.5, 3], size=hi - lo)
    templates = []
    for k in range(int(rng.integers(1, 3))):
        length = int(rng.choice([180, 240, 300, 360]))
        starts = tuple(int(s) for s in rng.choice(np.arange(6 * 60, 15 * 60 + 1, 30),
                                                  int(rng.integers(1, 3)), replace=False))
        kw = {}
        if rng.random() < 0.75:
            windows, cursor = [], 60
            for _ in range(int(rng.integers(1, 3))):
                blen = int(rng.choice([30, 60]))
                step = [None, 30, 60][int(rng.integers(0, 3))]
                npos = int(rng.integers(2, 4))
                earliest = cursor
                latest = earliest + (step or interval) * (npos - 1)
                if latest + blen > length:
                    break
                windows.append(BreakWindow(blen, earliest, latest, paid=bool(rng.random() < 0.5),
                                           step=step))
                cursor = latest + blen
            kw["breaks"] = tuple(windows)
        elif rng.random() < 0.5:
            kw["unpaid_break"] = 30
            kw["break_offset"] = 120
        if rng.random() < 0.3:
            kw["max_agents"] = int(rng.integers(1, 4))
        if rng.random() < 0.2:
            kw["min_agents"] = 1
        templates.append(ShiftTemplate(f"t{k}", length, starts,
                                       cost_factor=float(rng.choice([0.9, 1.0, 1.2])), **kw))
    kwargs = {"hourly_cost": 10.0, "under_penalty": float(rng.choice([8.0, 30.0, 200.0])),
              "over_penalty": float(rng.choice([0.0, 0.0, 1.0, 6.0])), "mip_rel_gap": 0.0}
    if rng.random() < 0.25:
        kwargs["max_on_duty"] = float(rng.choice([1.0, 2.0, 2.5]))
    idx = day0 + pd.to_timedelta(np.arange(per_day) * interval, unit="min")
    return pd.Series(values, index=idx), templates, kwargs, interval, day0


def compositions(total, parts):
    """Every way to spread ``total`` agents over ``parts`` offsets."""
    for cut in itertools.combinations(range(total + parts - 1), parts - 1):
        bounds = (-1, *cut, total + parts - 1)
        yield tuple(b - a - 1 for a, b in zip(bounds, bounds[1:]))


def column_configs(t, d, s, interval, bound):
    """Per column: coverage, x and break spread of every config with x <= bound."""
    on = profile(1, interval, d * DAY + s, on_minutes(t, s, interval))
    brk = [[profile(1, interval, d * DAY + s + o, np.ones(win.length))
            for o in offsets_of(win, interval)] for win in t.breaks]
    covs, xs, spreads = [], [], []
    for x in range(bound + 1):
        for spread in itertools.product(*[list(compositions(x, len(b))) for b in brk]):
            cov = x * on
            for counts, prof in zip(spread, brk):
                for c, p in zip(counts, prof):
                    cov = cov - c * p
            covs.append(cov)
            xs.append(x)
            spreads.append(spread)
    return np.array(covs), np.array(xs), spreads, on, brk


def brute_schedule(req, templates, kwargs, interval, day0):
    """(best objective over the box, evaluate(x per column, spreads), columns, bound)."""
    cols = [(ti, 0, s) for ti, t in enumerate(templates) if day0.weekday() in t.days
            for s in t.starts]
    required = req.to_numpy()
    bound = int(math.ceil(required.max())) + 1
    configs = [column_configs(templates[ti], d, s, interval, bound) for ti, d, s in cols]
    # The model of schedule's docstring: whole rows, targets, caps, costs.
    shares = [c[3] for c in configs] + [p for c in configs for b in c[4] for p in b]
    shares = np.array(shares)
    covered = (shares[:len(cols)] > 0).any(axis=0)
    whole = ~((shares > 1e-12) & (np.abs(shares - np.round(shares)) > 1e-12)).any(axis=0)
    target = np.where(whole, np.ceil(required - 1e-9), required)
    cap = np.full(required.size, kwargs.get("max_on_duty", np.inf))
    cap = np.where(whole, np.floor(cap + 1e-9), cap)
    price = [templates[ti].paid_hours * kwargs["hourly_cost"] * templates[ti].cost_factor
             for ti, _, _ in cols]

    def objective(cov, cost):
        return (cost + kwargs["under_penalty"] * np.maximum(target - cov, 0).sum(-1)
                + kwargs["over_penalty"] * np.maximum(cov - target, 0).sum(-1))

    def feasible(cov, xcols):
        ok = (cov[..., covered] <= cap[covered] + 1e-9).all(-1)
        for ti, t in enumerate(templates):
            js = [j for j, c in enumerate(cols) if c[0] == ti]
            if not js:
                continue
            tot = sum(xcols[j] for j in js)
            ok &= tot >= t.min_agents
            if t.max_agents is not None:
                ok &= tot <= t.max_agents
        return ok

    sizes = [c[0].shape[0] for c in configs]
    total = math.prod(sizes)
    if total > 300_000:
        return None
    cov = np.zeros((1, required.size))
    cost = np.zeros(1)
    xcols = []
    for j, (c, x, _, _, _) in enumerate(configs):
        cov = (cov[:, None, :] + c[None, :, :]).reshape(-1, required.size)
        cost = (cost[:, None] + price[j] * x[None, :]).reshape(-1)
        xcols = [np.repeat(xc, len(x)) for xc in xcols] + [np.tile(x, cov.shape[0] // len(x))]
    ok = feasible(cov, xcols)
    best = float(objective(cov[ok], cost[ok]).min()) if ok.any() else None

    def evaluate(xs, spreads):
        cov, cst = np.zeros(required.size), 0.0
        for j, (x, spread) in enumerate(zip(xs, spreads)):
            on, brk = configs[j][3], configs[j][4]
            cov = cov + x * on
            for counts, prof in zip(spread, brk):
                cov = cov - sum(c * p for c, p in zip(counts, prof))
            cst += price[j] * x
        return float(objective(cov, cst)), bool(feasible(cov[None], [np.array([x])
                                                                      for x in xs])[0]), cov

    return best, evaluate, cols, bound


def check_schedule(seed):
    rng = np.random.default_rng(seed)
    while True:
        req, templates, kwargs, interval, day0 = tiny_instance(rng)
        out = brute_schedule(req, templates, kwargs, interval, day0)
        if out is not None and out[2] and any(t.breaks for t in templates):
            break
    best, evaluate, cols, bound = out
    if best is None:
        with pytest.raises(ValueError, match="min_agents cannot be met"):
            schedule(req, templates, interval=interval, **kwargs)
        return "infeasible"
    res = schedule(req, templates, interval=interval, **kwargs)
    names = [t.name for t in templates]
    xs = [0] * len(cols)
    spreads = [[[0] * len(offsets_of(w, interval)) for w in templates[ti].breaks]
               for ti, _, _ in cols]
    for r in res.starts.itertuples():
        s = int((r.start - day0) / pd.Timedelta(minutes=1))
        xs[cols.index((names.index(r.template), 0, s))] += r.agents
    for r in res.breaks.to_dict("records"):
        ti = names.index(r["template"])
        s = int((r["start"] - day0) / pd.Timedelta(minutes=1))
        j = cols.index((ti, 0, s))
        win = templates[ti].breaks[r["break"]]
        o = int((r["break_start"] - r["start"]) / pd.Timedelta(minutes=1))
        spreads[j][r["break"]][offsets_of(win, interval).index(o)] += r["agents"]
        assert r["length"] == win.length and r["paid"] == win.paid
    for j in range(len(cols)):                  # every agent takes each break once
        assert all(sum(c) == xs[j] for c in spreads[j]), (seed, xs, spreads)
    got, ok, cov = evaluate(xs, spreads)
    assert ok, (seed, xs, spreads)
    assert got <= best + 1e-6 * max(1.0, abs(best)), (seed, got, best, xs, spreads)
    inside = max(xs) <= bound
    if inside:
        assert got == pytest.approx(best, rel=1e-9, abs=1e-6)
    assert res.optimal
    np.testing.assert_allclose(res.coverage["scheduled"], cov, atol=1e-9)
    np.testing.assert_allclose(res.coverage["under"], np.maximum(req.to_numpy() - cov, 0),
                               atol=1e-9)
    paid = sum(x * templates[ti].paid_hours for x, (ti, _, _) in zip(xs, cols))
    assert res.paid_hours == pytest.approx(paid)
    return "optimal" if inside else "outside"


def test_schedule_with_windows_equals_brute_force():
    outcomes = [check_schedule(seed) for seed in range(50)]
    assert outcomes.count("optimal") >= 40, outcomes


@pytest.mark.slow
def test_schedule_with_windows_equals_brute_force_more():
    outcomes = [check_schedule(seed) for seed in range(50, 450)]
    assert outcomes.count("optimal") >= 320


# --------------------------------------------------------------------------- place_breaks


def check_place(seed):
    rng = np.random.default_rng(seed)
    interval = int(rng.choice([15, 30, 60]))
    templates = []
    for k in range(int(rng.integers(1, 3))):
        length = int(rng.choice([240, 300, 480]))
        windows, cursor = [], int(rng.integers(30, 90))
        for _ in range(int(rng.integers(1, 3))):
            blen = int(rng.choice([10, 15, 30, 60]))
            latest = cursor + int(rng.choice([30, 60, 90]))
            if latest + blen > length:
                break
            windows.append(BreakWindow(blen, cursor, latest, step=int(rng.choice([15, 30]))))
            cursor = latest + blen
        templates.append(ShiftTemplate(f"t{k}", length,
                                       tuple(int(s) for s in rng.choice(
                                           np.arange(360, 900, 30), int(rng.integers(1, 3)),
                                           replace=False)), breaks=tuple(windows)))
    m = coverage_model(templates, MONDAY, 1, interval)
    nx = m.a.shape[1]
    x = rng.integers(0, 3, nx).astype(float)
    if not x.any():
        x[0] = 2
    needv = np.where(m.a @ x > 0, rng.integers(0, 4, m.n), 0).astype(float)
    cap = None if rng.random() < 0.7 else float((m.a @ x).max()) - float(rng.choice([0.5, 1]))
    # Brute force: every spread of each (column, window)'s agents over its offsets.
    groups = []
    for r, (j, k) in enumerate(m.link_meta.tolist()):
        vs = np.flatnonzero(m.link.toarray()[r])
        groups.append([(vs, c) for c in compositions(int(x[j]), vs.size)])
    if math.prod(len(g) for g in groups) > 200_000:
        return "skipped"
    aw = m.a_w.toarray()
    base = m.a @ x
    best = math.inf
    for choice in itertools.product(*groups):
        w = np.zeros(aw.shape[1])
        for vs, c in choice:
            w[vs] = c
        cov = base - aw @ w
        if cap is not None and (cov > cap + 1e-9).any():
            continue
        best = min(best, np.maximum(needv - cov, 0).sum())
    if best == math.inf:
        with pytest.raises(ValueError, match="'max_on_duty' cannot be met"):
            place_breaks(m, x, needv, max_on_duty=cap)
        return "infeasible"
    w = place_breaks(m, x, needv, max_on_duty=cap)
    assert w.dtype == np.int64 and (w >= 0).all()
    assert ((m.link @ w) == (m.link_x @ x)).all()
    cov = base - aw @ w
    if cap is not None:
        assert (cov <= cap + 1e-9).all()
    assert np.maximum(needv - cov, 0).sum() == pytest.approx(best, abs=1e-9), seed
    return "checked"


def test_place_breaks_equals_brute_force():
    outcomes = [check_place(seed) for seed in range(60)]
    assert outcomes.count("checked") >= 35 and "infeasible" in outcomes, outcomes


def test_place_breaks_validates_input():
    t = ShiftTemplate("am", 240, starts=("08:00",), breaks=(BreakWindow(60, 60, 120),))
    m = coverage_model([t], MONDAY, 1, 60)
    with pytest.raises(ValueError, match="'model' must be a Coverage"):
        place_breaks("m", [1], np.zeros(24))
    with pytest.raises(ValueError, match=r"'x' must be a 1-D array of length 1"):
        place_breaks(m, [1, 2], np.zeros(24))
    with pytest.raises(ValueError, match=r"'x' must be a whole number: 1.5"):
        place_breaks(m, [1.5], np.zeros(24))
    with pytest.raises(ValueError, match=r"'need' must not be NaN"):
        place_breaks(m, [1], np.full(24, np.nan))
    with pytest.raises(ValueError, match="'max_on_duty' cannot be met"):
        place_breaks(m, [3], np.zeros(24), max_on_duty=2)
    # Columns nobody starts get no breaks.
    assert place_breaks(m, [0], np.ones(24)).tolist() == [0, 0]


# --------------------------------------------------------------------------- local search


@pytest.mark.parametrize("seed", range(12))
def test_polish_with_windows_only_improves_and_ends_locally_optimal(seed):
    # From no agents and from far too many, the local search of schedule() must lower
    # the objective, keep every agent with one break per window, and end where no
    # single agent more (with any offsets) or less (at any offsets in use) helps.
    import importlib

    S = importlib.import_module("ccwfm.plan.schedule")
    rng = np.random.default_rng(seed)
    t = ShiftTemplate.every("d", 300, first="07:00", last="12:00", step=60,
                            breaks=(BreakWindow(30, 60, 120, step=30),
                                    BreakWindow(30, 180, 240, step=30)))
    m = coverage_model([t], MONDAY, 1, 30)
    target = np.zeros(m.n)
    target[14:36] = rng.integers(0, 4, 22)
    a, aw = m.a, m.a_w
    w_col, w_link = m.w_meta[:, 0], np.asarray(m.link.tocsc().indices)
    nx, nw = a.shape[1], aw.shape[1]
    # An agent is on duty 8 of his 10 intervals: at 750 he pays only when all 8 fill a
    # shortfall, so where his breaks go decides whether he is worth adding.
    cost = np.full(nx, float(rng.choice([40.0, 650.0, 750.0])))
    under, over = 100.0, float(rng.choice([0.0, 3.0]))
    group = np.zeros(nx, dtype=np.int64)

    def objective(x, w):
        cov = a @ x - aw @ w
        return (cost @ x + under * np.maximum(target - cov, 0).sum()
                + over * np.maximum(cov - target, 0).sum())

    link = m.link.toarray()
    for x0 in (np.zeros(nx), np.full(nx, 5.0)):
        w0 = np.zeros(nw)
        for r, (j, k) in enumerate(m.link_meta.tolist()):
            w0[np.flatnonzero(link[r])[0]] = x0[j]
        x, w = S._polish_breaks(x0.copy(), w0, a, aw, w_col, w_link, m.link.shape[0], cost,
                                target, np.full(m.n, np.inf), under, over, group,
                                np.zeros(1), np.full(1, np.inf),
                                deadline=time.perf_counter() + 10)
        assert objective(x, w) <= objective(x0, w0)
        assert objective(x, w) < objective(x0, w0) or not x0.any()
        assert ((m.link @ w) == (m.link_x @ x)).all() and (w >= 0).all()
        now = objective(x, w)
        for j in range(nx):
            rows = [np.flatnonzero(link[r]) for r, (jj, _) in enumerate(m.link_meta.tolist())
                    if jj == j]
            e = np.zeros(nx)
            e[j] = 1
            for vs in itertools.product(*rows):
                d = np.zeros(nw)
                d[list(vs)] = 1
                assert objective(x + e, w + d) >= now - 1e-6, (j, vs)
                if (w[list(vs)] > 0).all():
                    assert objective(x - e, w - d) >= now - 1e-6, (j, vs)
