"""Downloads page: every table once and described, built once per plan, files made once.

The schedule grid is checked against a loop over the shifts, the "no
duplicates" rule against a comparison of every pair of listed tables' CSV
bytes, the workbook's bytes against a workbook made afresh from copies of
the tables (the same plan gives the same bytes), its sheets against the
tables.  The full plan and a roster (about a minute) are in a slow test.
"""

import io
import itertools
import re
import time
import zipfile

import numpy as np
import pandas as pd
import pytest

from ccwfm import plan
from ccwfm.dashboard import downloads_page as dl
from ccwfm.dashboard import state

from .test_app import fresh, goto, ok


ROW = re.compile(r"^- \*\*(\w+)\*\*: (.+) ([\d,]+) rows, (\d+) columns\.$")


def listed(at):
    """{table name: (description, rows, columns)} as the page lists them (a markdown list
    per section, one line per table)."""
    out = {}
    for m in at.markdown:
        for line in m.value.splitlines():
            hit = ROW.match(line)
            if hit:
                assert hit.group(1) not in out, hit.group(1)
                out[hit.group(1)] = (hit.group(2), int(hit.group(3).replace(",", "")),
                                     int(hit.group(4)))
    return out


def kept(at):
    return at.session_state[dl._KEPT]


# -- the schedule grid and the duplicate rule, against independent loops ------------------------

def _random_shifts(seed):
    rng = np.random.default_rng(seed)
    n = 300
    start = (pd.Timestamp("2025-09-01") + pd.to_timedelta(rng.integers(0, 21, n), unit="D")
             + pd.to_timedelta(30 * rng.integers(0, 48, n), unit="min"))
    return pd.DataFrame({"group": rng.choice(["voice", "chat"], n),
                         "template": rng.choice(["full", "part", "night"], n),
                         "start": start, "agents": rng.integers(1, 6, n)})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_schedule_by_week_holds_every_shift_in_its_cell(seed):
    shifts = _random_shifts(seed)
    grid = dl.schedule_by_week(shifts)
    assert list(grid.columns) == ["group", "week", "template", "start", *dl.DAYS, "total"]
    want = {}                                       # (group, monday, template, HH:MM, day) -> n
    for r in shifts.itertuples():
        monday = (r.start - pd.Timedelta(days=r.start.weekday())).normalize()
        key = (r.group, monday, r.template, r.start.strftime("%H:%M"), dl.DAYS[r.start.weekday()])
        want[key] = want.get(key, 0) + r.agents
    got = {}
    for r in grid.itertuples(index=False):
        assert r.week.weekday() == 0 and r.week == r.week.normalize()
        days = dict(zip(dl.DAYS, r[4:11]))
        assert r.total == sum(days.values()) > 0
        for day, n in days.items():
            if n:
                got[(r.group, r.week, r.template, r.start, day)] = n
    assert got == want
    assert len(grid) == len({k[:4] for k in want})  # one row per group, week, template, start
    assert grid["total"].sum() == shifts["agents"].sum()
    for (_, _, _), block in grid.groupby(["group", "week", "template"], sort=False):
        assert block["start"].tolist() == sorted(block["start"])      # times in order
    for _, block in grid.groupby("group", sort=False):
        assert block["week"].is_monotonic_increasing
    assert dl.schedule_by_week(shifts.iloc[:0]).empty


def test_unique_tables_leaves_out_exactly_the_tables_equal_to_an_earlier_one():
    a = pd.DataFrame({"q": ["x", "y"], "n": [1, 2]})
    frames = {"a": a, "b": a.copy(), "c": a.assign(n=[1, 3]), "d": a.astype({"n": float}),
              "e": a.iloc[::-1].reset_index(drop=True), "f": a.rename(columns={"n": "m"}),
              "g": pd.DataFrame(), "h": a.assign(n=[1, 3]), "i": a.set_index("q").reset_index()}
    got, dropped = dl.unique_tables(frames)

    def same(x, y):                                 # independent: the CSV text and the types
        return (x.to_csv(index=False) == y.to_csv(index=False)
                and list(x.dtypes) == list(y.dtypes))
    want, seen = [], []
    for name, f in frames.items():
        if f.empty:
            continue
        if not any(same(f, frames[k]) for k in seen):
            want.append(name)
            seen.append(name)
    assert list(got) == want == ["a", "c", "d", "e", "f"]
    assert dropped == {"b": "a", "h": "c", "i": "a"}


# -- the page in AppTest (one-week demo, no full plan) ------------------------------------------

@pytest.fixture(scope="module")
def app():
    return goto(fresh(), "Downloads")


def test_each_table_is_listed_once_described_with_its_csv_file(app):
    rows = listed(app)
    assert list(rows) == ["whatif_summary", "whatif_cost", "forecast", "models", "requirements"]
    b = kept(app)
    assert list(b.tables) == list(rows)
    for name, (text, n, cols) in rows.items():
        assert text == dl.DESCRIPTIONS[name] and text.startswith("one row per")
        assert (n, cols) == b.tables[name].shape
    labels = [x.proto.label for x in app.get("download_button")]
    assert labels == ["All tables (Excel)", "Tables per interval (Excel)",
                      "All tables (CSV, zip)"]
    # The whole list is one element per section, whatever the number of tables.
    assert sum(1 for m in app.markdown if ROW.match(m.value.splitlines()[0])) == 1
    # Each table picked: its CSV button (file named after it), its description.
    for name in rows:
        app.selectbox(key="dl_table").set_value(name).run()
        ok(app)
        (csv,) = [x for x in app.get("download_button") if x.proto.label == "CSV"]
        assert csv.proto.help.startswith(f"{name}.csv:")
        # a table per interval is written when pressed (deferred), a small one at once
        deferred = dl.per_interval(name, b.tables[name])
        assert bool(csv.proto.deferred_file_id) == deferred and bool(csv.proto.url) != deferred
        assert any(c.value.startswith(f"**{name}**: {dl.DESCRIPTIONS[name]}")
                   for c in app.caption), name
    app.selectbox(key="dl_table").set_value("(none)").run()
    assert "CSV" not in [x.proto.label for x in app.get("download_button")]
    # no two listed tables are the same (every pair, by their CSV bytes)
    data = {name: b.csv(name) for name in rows}
    for x, y in itertools.combinations(rows, 2):
        assert data[x] != data[y], (x, y)


def test_the_zip_holds_every_table_as_its_csv_file_and_the_same_tables_give_its_bytes(app):
    b = kept(app)
    data = b.zip()
    assert b.zip() is data                                       # made once
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == [f"{name}.csv" for name in b.tables]
        for name, frame in b.tables.items():
            back = pd.read_csv(io.BytesIO(zf.read(f"{name}.csv")))
            assert back.shape == frame.shape, name
            assert list(back.columns) == [str(c) for c in frame.columns], name
    # tables copied into a new bundle: the same bytes (no clock in the zip)
    again = dl.Bundle(None, {k: v.copy(deep=True) for k, v in b.tables.items()}, b.sections)
    assert again.zip() == data


def test_files_are_made_once_and_the_same_plan_gives_the_same_bytes(app):
    b = kept(app)
    xlsx, detail = b.excel(), b.excel("intervals")
    assert b.excel() is xlsx and b.csv("forecast") is b.csv("forecast")
    # every table in exactly one workbook: per interval (a row per queue and interval) or not
    copies = {k: v.copy(deep=True) for k, v in b.tables.items()}
    parts = {"plan": {}, "intervals": {}}
    for k, v in copies.items():
        parts["intervals" if "start" in v and len(v) > 1000 else "plan"][k] = v
    assert set(parts["intervals"]) == {"forecast", "requirements"}
    assert plan.excel_bytes(parts["plan"]) == xlsx          # made afresh: byte for byte
    assert plan.excel_bytes(parts["intervals"]) == detail
    for data, names in ((xlsx, parts["plan"]), (detail, parts["intervals"])):
        book = pd.read_excel(io.BytesIO(data), sheet_name=None)
        assert list(book) == list(names)
        for name in names:
            assert book[name].shape == b.tables[name].shape, name
    back = pd.read_csv(io.BytesIO(b.csv("whatif_summary")))
    assert back["fte"].sum() == pytest.approx(b.tables["whatif_summary"]["fte"].sum())
    # a rerun, and a visit after another page, keep the tables and their files
    app.run()
    goto(app, "Data")
    t0 = time.perf_counter()
    goto(app, "Downloads")
    visit = time.perf_counter() - t0
    assert kept(app) is b and b.excel() is xlsx
    assert visit < 1.0, visit


def test_a_whatif_change_gives_new_tables_and_the_same_forecast(app):
    before = kept(app)
    goto(app, "What-if")
    app.number_input(key="wi_cont_voice").set_value(50).run()
    goto(app, "Downloads")
    after = kept(app)
    assert after is not before
    fte = {b: b.tables["whatif_summary"].set_index("queue")["fte"] for b in (before, after)}
    assert fte[after]["voice"] < fte[before]["voice"]
    assert fte[after]["chat"] == pytest.approx(fte[before]["chat"])
    assert after.csv("forecast") == before.csv("forecast")
    goto(app, "What-if")
    app.number_input(key="wi_cont_voice").set_value(15).run()          # back to the demo's 15%
    goto(app, "Downloads")


def test_a_preview_shows_the_first_rows_formatted(app):
    assert not app.dataframe            # nothing previewed until asked
    app.selectbox(key="dl_table").set_value("forecast").run()
    ok(app)
    (table,) = list(app.dataframe)
    import pyarrow as pa
    shown = pa.ipc.open_stream(table.proto.arrow_data.styler.display_values).read_pandas()
    assert len(shown) == dl.PREVIEW_ROWS
    texts = shown.astype(str).to_numpy().ravel()
    assert not [t for t in texts if re.search(r"\d\.\d{3}", t)]        # at most 2 decimals
    assert any("First 20 of 1,608 rows" in c.value for c in app.caption)
    app.selectbox(key="dl_table").set_value("(none)").run()
    assert not app.dataframe


def test_a_table_wider_than_the_page_is_previewed_on_its_side(app):
    frame = kept(app).tables["requirements"]
    assert len(frame.columns) > 10
    app.selectbox(key="dl_table").set_value("requirements").run()
    ok(app)
    (table,) = list(app.dataframe)
    shown = table.value
    heads = plan.display.labels(frame)
    assert list(shown.columns) == ["Column", "In the file"] + [f"Row {i}" for i in range(1, 6)]
    assert shown["In the file"].tolist() == list(frame.columns)      # every column, one a line
    assert shown["Column"].tolist() == list(heads)
    texts = plan.display.texts(frame.head(5))
    for i in range(5):
        want = [plan.display.MISSING if pd.isna(v) else t
                for v, t in zip(frame.iloc[i], texts.iloc[i])]
        assert shown[f"Row {i + 1}"].tolist() == want
    assert any(f"On its side ({len(frame.columns)} columns, one per line): the first 5 of "
               f"{len(frame):,} rows." in c.value for c in app.caption)
    app.selectbox(key="dl_table").set_value("(none)").run()


def test_only_tables_wider_than_the_page_go_on_their_side():
    narrow = pd.DataFrame({"queue": ["voice"] * 30, "volume": np.arange(30.0)})
    shown, side = dl.preview(narrow)
    assert not side and shown.equals(narrow.head(dl.PREVIEW_ROWS))
    # as wide as the page allows, then one character more
    width = dl.PAGE_PX - dl._PX_PER_COLUMN
    chars = int(width // dl._PX_PER_CHAR)
    fits = pd.DataFrame({"note": ["x" * chars]})
    assert not dl.preview(fits)[1]
    assert dl.preview(pd.DataFrame({"note": ["x" * (chars + 1)]}))[1]


# -- with a full plan and a roster (about a minute) ---------------------------------------------

@pytest.mark.slow
def test_the_full_plan_and_the_roster_are_listed_once_with_the_schedule_by_week():
    at = goto(fresh(), "Schedule and capacity")
    at.button(key="run_full").click().run()
    ok(at)
    sc = at.session_state[state.SCENARIO]
    (result,) = at.session_state["full_plans"].values()
    roster = plan.make_roster(result, base_dir=".", weeks=1)
    key = (at.session_state[state.DATA_KEY], repr(sc), "rules", 1, None)
    at.session_state[state.ROSTERS] = {key: roster}
    at.session_state[state.ROSTER_SHOWN] = key
    t0 = time.perf_counter()
    goto(at, "Downloads")
    first = time.perf_counter() - t0
    rows = listed(at)
    b = kept(at)
    # the plan's forecast, models and interval requirements are the what-if's: listed once
    assert {"plan_forecast", "plan_models", "plan_requirements"}.isdisjoint(rows)
    assert b.dropped == {"plan_forecast": "forecast", "plan_models": "models",
                         "plan_requirements": "requirements"}
    assert {"plan_summary", "plan_costs", "plan_shifts", "plan_schedule_by_week",
            "plan_capacity", "roster", "roster_grid", "roster_summary"} <= set(rows)
    for name, (text, _, _) in rows.items():
        assert not text.startswith("one row per record"), name       # every table described
    data = {name: b.csv(name) for name in rows}
    for x, y in itertools.combinations(rows, 2):
        assert data[x] != data[y], (x, y)
    grid = b.tables["plan_schedule_by_week"]
    assert grid["total"].sum() == result.shifts["agents"].sum()
    xlsx = b.excel()
    assert plan.excel_bytes({k: v.copy(deep=True) for k, v in b.tables.items()
                             if not dl.per_interval(k, v)}) == xlsx
    assert {k for k, v in b.tables.items() if dl.per_interval(k, v)} == {
        "forecast", "requirements", "plan_coverage", "plan_achieved", "roster_coverage"}
    t0 = time.perf_counter()
    goto(at, "Data")
    goto(at, "Downloads")
    assert kept(at) is b and b.excel() is xlsx
    print(f"\ndownloads with a plan and a roster: first visit {first:.2f} s, "
          f"again {time.perf_counter() - t0:.2f} s (two page changes)")
