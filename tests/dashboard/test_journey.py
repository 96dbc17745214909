"""A planner's journey through the dashboard in a real browser (Debian's chromium, Playwright).

Upload ~5 weeks of a small two-queue center (closed nights and Sundays), set a
target on the Scenario page, build the schedule and capacity plan, save a
what-if, save the plan as a zip, reopen it in a new browser session, compare
the loaded scenario's full plan with the what-if's, and download a CSV and the
Excel workbook.  Each step is timed from the action to the app idle and
checked against what the page shows.

**Idle.**  The server ends every script run with a ``script_finished``
message on the page's websocket (Streamlit's ``ForwardMsg``, read with its own
protobuf classes); an interaction that reruns the script is done when a run
finished after the action (a run cut short by ``st.rerun`` does not count),
the root element's ``data-test-script-state`` reads ``notRunning`` and the
element the planner waits for is visible.  (Watching that attribute alone
misses a fast run: ``running`` and ``notRunning`` may land in one render.)

**Reading a table.**  ``st.dataframe`` draws on a canvas (glide-data-grid).
Its accessible ``table[role=grid]`` inside the canvas and the clipboard copy
both hold the *raw* values (``0.15``, not the ``15.0%`` drawn), so they cannot
tell what a planner reads.  The texts drawn are the grid's cells'
``displayData``: the page script walks the React fiber of the grid's canvas up
to the component holding ``getCellContent`` and ``columns`` and reads every
cell's ``displayData`` (the text the canvas draws; a missing value is drawn
as a grey "None") and each column's title.  A table whose grid cannot be
read that way fails the test (a Streamlit upgrade may move it).

Checks: the first page under 3 s once the server and the browser cache are
warm (the cold first load is recorded); every interaction under 1 s except a
plan build (which must show a progress bar) and the first forecast of a new
data set (allowed, recorded); no displayed table (every page visited, and the
Downloads page's preview of every table) holds a number with more than 2
decimals or a midnight time in a column of dates (a daily or weekly row); no
header in snake_case; no table wider than the page (:data:`CUT_OFF`).  Known app
problems found on the way xfail with their reason (:data:`KNOWN_SLOW`,
:data:`CAPACITY_WEEKS`, :data:`NONE_CELLS`); a step over its time limit on a machine
running more than two busy processes a core (other test runs) xfails too, naming the load.

Artifacts: screenshots ``test-artifacts/journey_<step>.png`` (the whole page),
timings ``test-artifacts/journey_timings.json`` (seconds to idle, to the
server's first message and to its ``script_finished``: the rest is the browser
drawing), the server's log ``journey_streamlit.log``; with
``JOURNEY_DUMP_TABLES=1`` every table's texts in ``journey_tables.json``.

Skipped when ``/usr/bin/chromium`` is missing or ``playwright`` cannot be
imported (as ``test_browser.py``).
"""

import contextlib
import json
import os
import re
import time
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.dashboard._server import serve

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]

if not os.access(CHROMIUM, os.X_OK):
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (make test tries apt-get)",
                allow_module_level=True)
try:
    from playwright.sync_api import Locator, expect, sync_playwright
except ImportError as exc:  # pragma: no cover - depends on the environment
    pytest.skip(f"the playwright package cannot be imported: {exc}", allow_module_level=True)

WARM_LIMIT_S = 3.0          # the first page, server and browser cache warm
STEP_LIMIT_S = 1.0          # every interaction but a plan build or a first forecast
STRICT = os.environ.get("CCWFM_STRICT_TIMINGS") == "1"
SLACK = 1.0 if STRICT else 2.0
"""A step fails at ``SLACK`` times its limit: the limits themselves with
``CCWFM_STRICT_TIMINGS=1``; in the default run (``make test``, CI on shared
machines) at twice them, so that only a real slowdown fails a build (every
timing is written to ``journey_timings.json`` either way)."""
LONG_MS = 180_000           # a plan build or a first forecast may take this long at most
STEP_MS = 60_000            # anything else: a generous bound; the timing checks are below

KNOWN_SLOW = {
    "page Scenario": "the Scenario page shows one section at a time, but its first, the queue "
                     "form, has ~20 inputs next to the defaults table: its run ends 0.3-0.4 s "
                     "after the click, chromium draws it for 0.7 s more (dashboard/"
                     "scenario_page.py render)",
    "reopened: page Scenario": "as 'page Scenario'",
    "apply the target": "the queue form's Apply runs the page twice (scenario_page._submit "
                        "ends with st.rerun): 0.7 s alone, more next to other work",
    "reopened: page Schedule and capacity": "the page with a built plan redraws two Altair "
                                            "charts and five tables on every visit "
                                            "(dashboard/schedule_page.py render)",
    "reopened: page Downloads": "the first visit after plans were built gathers every table "
                                "and writes the main workbook and every small CSV (0.5 s in "
                                "the journey alone, more next to other work)",
}
"""Interaction name -> why it is over STEP_LIMIT_S (reported to the lead); such steps xfail."""

CAPACITY_WEEKS = (
    "A one-week horizon starting on a Sunday is planned as two Monday weeks: an upload whose "
    "Sundays are closed (no rows) ends on a Saturday, so plan.history_scenario "
    "(plan/inputs.py) starts the plan on the Sunday after; the capacity plan's first week then "
    "holds the closed Sunday alone (0 FTE required, a full week's payroll), which doubles the "
    "capacity cost and halves the mean FTE on Compare plans.")

CUT_OFF = ("Tables wider than the page (a planner scrolls sideways to read them).")

NONE_CELLS = (
    "A missing value drawn as a grey 'None' by st.dataframe: plan.display.styled hands a "
    "column with gaps over as texts with a dash, so a table that still shows one bypassed it.")

# The texts every st.dataframe of the page draws (see the module docstring).
_GRIDS_SCRIPT = """(els, maxRows) => els.map(el => {
  const canvas = el.querySelector('canvas[data-testid=data-grid-canvas]');
  if (!canvas) return {error: 'no canvas'};
  const key = Object.keys(canvas).find(k => k.startsWith('__reactFiber'));
  let f = key ? canvas[key] : null;
  while (f && !(f.memoizedProps && typeof f.memoizedProps.getCellContent === 'function'
                && Array.isArray(f.memoizedProps.columns)
                && typeof f.memoizedProps.rows === 'number')) f = f.return;
  if (!f) return {error: 'no grid component with getCellContent above the canvas'};
  const p = f.memoizedProps;
  const heads = p.columns.map(c => String(c.title ?? ''));
  const rows = [];
  for (let r = 0; r < Math.min(p.rows, maxRows); r++) {
    const row = [];
    for (let c = 0; c < p.columns.length; c++) {
      const cell = p.getCellContent([c, r]);
      let text = cell.displayData;
      if (text === undefined && cell.data && typeof cell.data === 'object')
        text = cell.data.displayDate ?? cell.data.displayText;
      if (text === undefined) text = cell.copyData ?? '';
      row.push(cell.isMissingValue ? null : String(text));
    }
    rows.push(row);
  }
  const width = p.columns.reduce((a, c) => a + (Number(c.width) || 0), 0);
  return {heads, rows, total: p.rows, width, view: el.getBoundingClientRect().width};
})"""

_LONG_FLOAT = re.compile(r"(?<![\d.])\d[\d,]*\.\d{3,}(?![\d.])")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T](\d{2}:\d{2})(:\d{2})?$")
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


# -- the data: a small two-queue center -----------------------------------------------------------

def interval_csv(weeks=5, seed=7):
    """CSV bytes (queue,start,volume,aht) of ``weeks`` weeks from Monday 2025-01-06, 30-minute
    intervals, open 08:00-20:00 Monday to Saturday (no rows at night and on Sundays)."""
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2025-01-06", periods=weeks * 7 * 48, freq="30min")
    idx = idx[(idx.day_of_week < 6) & (idx.hour >= 8) & (idx.hour < 20)]
    hour = idx.hour + idx.minute / 60
    shape = 0.6 + 0.8 * np.exp(-((hour - 11) ** 2) / 6) + 0.5 * np.exp(-((hour - 15) ** 2) / 5)
    frames = []
    for queue, scale, aht in (("billing", 30.0, 360.0), ("support", 18.0, 540.0)):
        lam = scale * shape * np.where(idx.day_of_week == 5, 0.6, 1.0)
        frames.append(pd.DataFrame({
            "queue": queue, "start": idx.strftime("%Y-%m-%d %H:%M"),
            "volume": rng.poisson(lam),
            "aht": np.round(aht * rng.normal(1.0, 0.05, len(idx)), 1)}))
    return pd.concat(frames).to_csv(index=False).encode()


# -- server, browser ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server():
    """``python -m ccwfm.dashboard`` on a free port (as test_browser.py); yields its URL."""
    with serve(ARTIFACTS, "journey_streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless, through Playwright (never Playwright's own browsers)."""
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class Runs:
    """Script runs of one page's session that finished (``script_finished`` messages)."""

    def __init__(self, page):
        self.finished = 0
        self.last_finish = None        # time.perf_counter() when the last one arrived
        self.frames = []               # time.perf_counter() of every message received
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload):
        if not isinstance(payload, bytes):
            return
        self.frames.append(time.perf_counter())
        msg = ForwardMsg()
        try:
            msg.ParseFromString(payload)
        except Exception:             # not a ForwardMsg: not ours to count
            return
        if (msg.WhichOneof("type") == "script_finished"
                and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN):
            self.finished += 1
            self.last_finish = time.perf_counter()


class Journey:
    """What the journey measured and saw: timings, tables read, browser errors, failure."""

    def __init__(self):
        self.timings = {}          # name -> {"seconds", "limit_s", "note"}
        self.tables = []           # (step, heads, rows, total rows)
        self.unreadable = []       # (step, why)
        self.errors = []           # uncaught page errors and console errors
        self.progress = {}         # plan build name -> a progress bar was seen
        self.failure = None        # the exception that stopped the journey
        self.facts = {}            # values read on the way (for the report)
        self.loads = []            # 1-minute load average at each step
        self.cut_off = []          # tables wider than their frame: (step, heads, px, px)
        self.tag = ""              # prefix of the step names ("reopened: " in the 2nd session)

    def record(self, name, seconds, limit=STEP_LIMIT_S, note="", server=None, first=None):
        """Keep a timing; ``first``: seconds until the server's first message (the run
        started), ``server``: until it said the run finished (the rest is the browser
        drawing it)."""
        self.loads.append(os.getloadavg()[0])
        name = base = self.tag + name
        n = 1
        while name in self.timings:
            n += 1
            name = f"{base} ({n})"
        self.timings[name] = {"seconds": round(seconds, 3), "limit_s": limit, "note": note}
        if server is not None:
            self.timings[name]["first_message_s"] = None if first is None else round(first, 3)
            self.timings[name]["run_finished_s"] = round(server, 3)

    def busy(self):
        """True when the machine ran more than two busy processes a core during the journey
        (other test runs, say): timings then say little about the app."""
        return bool(self.loads) and max(self.loads) > 2 * (os.cpu_count() or 1)


def _new_page(browser, journey):
    context = browser.new_context(viewport={"width": 1400, "height": 1800},
                                  accept_downloads=True)
    page = context.new_page()
    RUNS[page] = Runs(page)
    page.on("pageerror", lambda exc: journey.errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: msg.type == "error" and journey.errors.append(
        f"console.error: {msg.text}"))
    page.set_default_timeout(STEP_MS)
    return context, page


# -- helpers: act like a planner, wait for the app to be idle -------------------------------------

RUNS = {}     # page -> its Runs


def _runs(page):
    return RUNS[page].finished


def _wait_idle(page, runs_before, timeout):
    """Wait for a script run that finished after the action, and the app to show it."""
    deadline = time.monotonic() + timeout / 1000
    while RUNS[page].finished <= runs_before:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no script run finished within {timeout / 1000:.0f} s")
        page.wait_for_timeout(10)          # lets Playwright deliver the websocket frames
    page.wait_for_function(
        "document.querySelector('[data-testid=stApp]')?.getAttribute("
        "'data-test-script-state') === 'notRunning'", timeout=timeout, polling="raf")
    _painted(page)


def _painted(page):
    """Wait for the browser to paint two more frames (its main thread is free again)."""
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def act(page, journey, name, action, ready=None, *, rerun=True, limit=STEP_LIMIT_S, note="",
        timeout=STEP_MS):
    """Do ``action()``; wait for the rerun it causes to end and ``ready`` to be visible;
    record the seconds it took under ``name``."""
    before = _runs(page) if rerun else None
    t0 = time.perf_counter()
    action()
    if rerun:
        _wait_idle(page, before, timeout)
    for el in ([] if ready is None else ready if isinstance(ready, list) else [ready]):
        expect(el).to_be_visible(timeout=timeout)
    _painted(page)
    seconds = time.perf_counter() - t0
    runs = RUNS[page]
    journey.record(name, seconds, limit, note,
                   server=runs.last_finish - t0 if rerun else None,
                   first=next((t - t0 for t in runs.frames if t >= t0), None) if rerun else None)
    return seconds


def goto(page, journey, name, *, limit=STEP_LIMIT_S, note="", timeout=STEP_MS):
    """Choose a page in the sidebar's "Page" radio (timed as ``page <name>``)."""
    radio = page.get_by_test_id("stSidebar").get_by_test_id("stRadio")
    heading = page.get_by_test_id("stMain").get_by_test_id("stHeading").filter(
        has=page.get_by_role("heading", name=name, exact=True))
    act(page, journey, f"page {name}", lambda: radio.get_by_text(name, exact=True).click(),
        heading.first, limit=limit, note=note, timeout=timeout)


def number_input(scope, label):
    """The <input> of the number input labelled exactly ``label`` inside ``scope``."""
    page = scope.page if isinstance(scope, Locator) else scope
    return scope.get_by_test_id("stNumberInput").filter(
        has=page.get_by_text(label, exact=True)).locator("input")


def shot(page, name):
    """Screenshot of the whole page (Streamlit scrolls inside stMain, so the viewport is made
    as tall as the page for the shot), once its charts are drawn."""
    for chart in page.get_by_test_id("stVegaLiteChart").all():
        with contextlib.suppress(Exception):
            expect(chart.locator("canvas, svg").first).to_be_visible(timeout=10_000)
    size = page.viewport_size
    height = page.evaluate("Math.max(...[...document.querySelectorAll("
                           "'[data-testid=stMain], [data-testid=stSidebar]')]"
                           ".map(e => e.scrollHeight))")
    page.set_viewport_size({"width": size["width"], "height": min(max(height + 40, 600), 12_000)})
    try:
        _painted(page)
        page.screenshot(path=str(ARTIFACTS / f"journey_{name}.png"), full_page=True)
    finally:
        page.set_viewport_size(size)


# A plain table (st.table, the small tables redrawn at each what-if): its header and cell
# texts as drawn, and its width against the frame that shows it.
_TABLES_SCRIPT = """(els, maxRows) => els.map(el => {
  const t = el.querySelector("table");
  if (!t) return {error: "a plain table without a <table>"};
  const body = [...t.querySelectorAll("tbody tr")];
  return {heads: [...t.querySelectorAll("thead th")].map(th => th.innerText.trim()),
          rows: body.slice(0, maxRows).map(tr => [...tr.querySelectorAll("td")]
                                                  .map(td => td.innerText.trim())),
          total: body.length, width: t.scrollWidth, view: el.clientWidth};
})"""


def read_tables(page, journey, step, max_rows=400):
    """Every table the page draws now (header and cell texts), kept for the format checks:
    the interactive grids and the plain tables."""
    plain = page.get_by_test_id("stTable").evaluate_all(_TABLES_SCRIPT, max_rows)
    frames = page.get_by_test_id("stDataFrame")
    found = frames.evaluate_all(_GRIDS_SCRIPT, max_rows)
    # A grid sizes its columns to their texts after its first drawing: read again until the
    # widths hold for two reads running (a first read may see the columns' default widths).
    steady = 0
    for _ in range(30):
        page.wait_for_timeout(150)
        again = frames.evaluate_all(_GRIDS_SCRIPT, max_rows)
        steady = steady + 1 if [g.get("width") for g in again] == [
            g.get("width") for g in found] else 0
        found = again
        if steady == 2:
            break
    out = []
    for grid in plain + found:
        if "error" in grid:
            journey.unreadable.append((step, grid["error"]))
            continue
        journey.tables.append((step, grid["heads"], grid["rows"], grid["total"]))
        if grid["width"] > grid["view"] + 2:
            journey.cut_off.append((step, grid["heads"], round(grid["width"]),
                                    round(grid["view"])))
        out.append(grid)
    return out


def table_with(grids, head):
    """The first table with a column titled ``head``, as a DataFrame of its texts."""
    for g in grids:
        if head in g["heads"]:
            return pd.DataFrame(g["rows"], columns=g["heads"])
    raise AssertionError(f"no table with a column {head!r}: {[g['heads'] for g in grids]}")


def download(page, journey, name, button, tmp_path, filename=None):
    """Click a download button; the saved file's path (timed as ``name``)."""
    t0 = time.perf_counter()
    with page.expect_download(timeout=STEP_MS) as info:
        button.click()
    dl = info.value
    path = tmp_path / (filename or dl.suggested_filename)
    dl.save_as(path)
    journey.record(name, time.perf_counter() - t0)
    return path, dl.suggested_filename


def _watch(page, testid):
    """Start watching for an element ``data-testid=testid`` to appear (a progress bar, a
    spinner); returns a function telling whether one was seen since."""
    flag = f"__seen_{testid}"
    page.evaluate("""([flag, testid]) => {
      window[flag] = false;
      const seen = () => { if (document.querySelector(`[data-testid=${testid}]`))
                             window[flag] = true; };
      seen();
      const obs = new MutationObserver(seen);
      obs.observe(document.body, {childList: true, subtree: true});
    }""", [flag, testid])
    return lambda: page.evaluate(f"window.{flag} === true")


# -- the journey ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def journey(server, browser, tmp_path_factory):
    """Run the whole journey once; every test below checks one side of it."""
    j = Journey()
    tmp = tmp_path_factory.mktemp("journey")
    for old in ARTIFACTS.glob("journey_*.png"):
        old.unlink()
    pages = []
    t_all = time.perf_counter()
    j.facts["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
    j.facts["cpus"] = os.cpu_count()
    try:
        _journey(server, browser, tmp, j, pages)
    except Exception as exc:          # kept: test_journey_completes raises it
        j.failure = exc
        for i, pg in enumerate(pages):
            with contextlib.suppress(Exception):
                pg.screenshot(path=str(ARTIFACTS / f"journey_failure_{i + 1}.png"),
                              full_page=True)
    finally:
        j.facts["journey_total_s"] = round(time.perf_counter() - t_all, 1)
        j.facts["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        for pg in pages:
            with contextlib.suppress(Exception):
                pg.context.close()
        if os.environ.get("JOURNEY_DUMP_TABLES"):
            (ARTIFACTS / "journey_tables.json").write_text(json.dumps(j.tables, indent=0))
        (ARTIFACTS / "journey_timings.json").write_text(json.dumps(
            {"timings": j.timings, "facts": j.facts, "browser_errors": j.errors},
            indent=2, default=str) + "\n")
        print("\njourney timings (s): " + ", ".join(
            f"{k} {v['seconds']}" for k, v in j.timings.items()))
    return j


def _journey(url, browser, tmp, j, pages):
    _, page = _new_page(browser, j)
    pages.append(page)
    sidebar = page.get_by_test_id("stSidebar")
    data_ready = page.get_by_role("button", name="Load demo data")

    # 1. Open the app: cold (server and browser), then warm.
    t0 = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    expect(data_ready).to_be_visible(timeout=LONG_MS)
    _wait_idle(page, 0, LONG_MS)
    j.record("open the app, cold", time.perf_counter() - t0, None,
             "first load: server imports, browser cache empty")
    runs = _runs(page)
    t0 = time.perf_counter()
    page.reload(wait_until="domcontentloaded")
    expect(data_ready).to_be_visible(timeout=STEP_MS)
    _wait_idle(page, runs, STEP_MS)
    j.record("open the app, warm", time.perf_counter() - t0, WARM_LIMIT_S,
             "second load in the same browser: a new session")
    expect(page.get_by_test_id("stTable").first).to_be_visible()      # the queues
    read_tables(page, j, "1 open")
    shot(page, "1_open")

    # 2. Upload an interval file, one week to plan; see the defaults it got.
    weeks = number_input(page, "Weeks to plan")
    weeks.fill("1")
    act(page, j, "set weeks to plan", lambda: weeks.press("Enter"))
    expect(weeks).to_have_value("1")
    source = page.get_by_test_id("stRadio").filter(has_text="Where does the demand come from?")
    uploader = page.get_by_test_id("stFileUploader")
    act(page, j, "choose the interval-file source",
        lambda: source.get_by_text("Interval file (CSV or Excel)", exact=True).click(),
        uploader)
    data = interval_csv()
    rows = data.count(b"\n") - 1
    use = page.get_by_role("button", name="Use this file")
    act(page, j, "upload the file (column mapping shown)",
        lambda: uploader.locator("input[type=file]").set_input_files(
            files=[{"name": "centre.csv", "mimeType": "text/csv", "buffer": data}]), use)
    loaded = page.get_by_text(re.compile(
        rf"Loaded {rows:,} intervals of billing, support: planning 1 weeks from"))
    act(page, j, "use this file", use.click, loaded)
    expect(sidebar.get_by_text(re.compile(r"Scenario centre: 2 queues, 1 weeks from"))) \
        .to_be_visible()
    expect(page.get_by_text("Defaults this upload got.")).to_be_visible()
    grids = read_tables(page, j, "2 upload")
    defaults = table_with(grids, "Setting").set_index("Setting")["Value"]
    assert defaults["Target, every queue"].startswith("80% in 20 s"), defaults.to_dict()
    assert defaults["Shrinkage"] == "30%", defaults.to_dict()
    assert defaults["Interval"] == "30 minutes", defaults.to_dict()
    j.facts["upload_defaults"] = defaults.to_dict()
    shot(page, "2_upload")

    # 3. Scenario: billing's target becomes 85% in 30 s.
    goto(page, j, "Scenario")
    form = page.get_by_test_id("stForm").filter(has_text="Queue billing")
    expect(form).to_be_visible()
    sl, tt = number_input(form, "Service level (%)"), number_input(form, "...answered within (s)")
    expect(sl).to_have_value("80.00")
    sl.fill("85")
    tt.fill("30")
    applied = page.get_by_text("Applied: queue billing.")
    act(page, j, "apply the target",
        lambda: form.get_by_role("button", name="Apply changes").click(), applied)
    expect(number_input(page.get_by_test_id("stForm").filter(has_text="Queue billing"),
                        "Service level (%)")).to_have_value("85.00")
    grids = read_tables(page, j, "3 scenario")
    uses = table_with(grids, "Setting")
    target = uses[(uses.iloc[:, 0] == "billing") & (uses["Setting"] == "Target")]
    assert target["Value"].iloc[0].startswith("85% in 30 s"), uses.to_dict("records")
    expander = page.get_by_test_id("stExpander").filter(has_text="Show the TOML")
    code = expander.get_by_test_id("stCode")
    act(page, j, "show the TOML", lambda: expander.get_by_text("Show the TOML").click(), code,
        rerun=False)
    shown = tomllib.loads(code.inner_text())
    path, fname = download(page, j, "download the scenario TOML", page.get_by_role(
        "button", name="Download the edited scenario (TOML)"), tmp)
    saved = tomllib.loads(path.read_text())
    for toml in (shown, saved):
        by = {q["name"]: q["target"] for q in toml["queues"]}
        assert by["billing"]["service_level"] == pytest.approx(0.85), by
        assert by["billing"]["target_time"] == pytest.approx(30.0), by
        assert by["support"]["service_level"] == pytest.approx(0.8), by
        assert by["support"]["target_time"] == pytest.approx(20.0), by
    shot(page, "3_scenario")

    # 4. Plan: the schedule and capacity plan of one week, with a progress bar.
    goto(page, j, "Schedule and capacity")
    build = page.get_by_role("button", name="Build the schedule and capacity plan")
    expect(build).to_be_visible()
    progress = _watch(page, "stProgress")
    cost = page.get_by_test_id("stMetric").filter(has_text="Total cost")
    act(page, j, "build the plan", build.click,
        [page.get_by_text("Plan ready."), cost], limit=None, timeout=LONG_MS,
        note="a plan build (forecast, simulation, MILP schedule, capacity plan)")
    j.progress["build the plan"] = progress()
    j.facts["total_cost_first_session"] = cost.get_by_test_id("stMetricValue").inner_text()
    capacity = table_with(read_tables(page, j, "4 plan"), "FTE required")
    j.facts["capacity_weeks"] = capacity[["Week", "FTE required", "Total cost (EUR)"]] \
        .values.tolist()
    shot(page, "4_plan")

    # 5a. What-if: billing's calls 10% shorter, saved as "shorter calls"; inputs reset.
    fte = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text("FTE", exact=True)) \
        .get_by_test_id("stMetricValue")
    spinner = _watch(page, "stSpinner")
    goto(page, j, "What-if", limit=None, timeout=LONG_MS,
         note="the first forecast of the new data set (the plan build forecasts on its own)")
    j.facts["spinner on the first forecast"] = spinner()
    before = fte.inner_text()
    aht = number_input(page, "AHT change (%)")
    aht.fill("-10")
    act(page, j, "what-if: AHT -10%", lambda: aht.press("Enter"))
    expect(fte).not_to_have_text(before)
    after = fte.inner_text()
    assert float(after.replace(",", "")) < float(before.replace(",", "")), (before, after)
    j.facts["fte_whatif"] = {"base": before, "aht -10%": after}
    name = page.get_by_test_id("stTextInput").filter(has_text="Name").locator("input").first
    name.fill("shorter calls")
    act(page, j, "what-if: name it", lambda: name.press("Enter"))
    saved_whatif = page.get_by_test_id("stExpander").filter(has_text="shorter calls: 1 change")
    act(page, j, "save the what-if",
        lambda: page.get_by_role("button", name="Save what-if").click(), saved_whatif)
    act(page, j, "reset the what-if inputs",
        lambda: page.get_by_role("button", name="Reset the inputs").click())
    expect(fte).to_have_text(before)
    grids = read_tables(page, j, "5 what-if")
    table_with(grids, "What-if")
    shot(page, "5_whatif")

    # 5b. Save the plan (zip) from the Data page.
    goto(page, j, "Data")
    zip_path, fname = download(page, j, "save the plan (zip)",
                               page.get_by_role("button", name="Save the plan (zip)"), tmp,
                               "saved_plan.zip")
    assert fname.endswith(".zip"), fname
    with zipfile.ZipFile(zip_path) as z:
        j.facts["zip_members"] = z.namelist()
    read_tables(page, j, "5 data")
    shot(page, "5_saved")

    # 5c. Reopen it in a new browser session: the target and the what-if come back.
    _, page2 = _new_page(browser, j)
    pages.append(page2)
    j.tag = "reopened: "
    page2.goto(url, wait_until="domcontentloaded")
    expect(page2.get_by_role("button", name="Load demo data")).to_be_visible(timeout=STEP_MS)
    _wait_idle(page2, 0, STEP_MS)
    source2 = page2.get_by_test_id("stRadio").filter(has_text="Where does the demand come from?")
    uploader2 = page2.get_by_test_id("stFileUploader")
    act(page2, j, "choose the saved-plan source",
        lambda: source2.get_by_text("Saved plan (zip)", exact=True).click(), uploader2)
    open_plan = page2.get_by_role("button", name="Open this plan")
    act(page2, j, "upload the saved plan",
        lambda: uploader2.locator("input[type=file]").set_input_files(str(zip_path)), open_plan)
    opened = page2.get_by_text(re.compile(r"Opened the saved plan 'centre': 2 queues, 1 weeks "
                                          r"from .*its own data, 1 saved what-if\."))
    act(page2, j, "open the saved plan", open_plan.click, opened)
    read_tables(page2, j, "5 reopened data")
    goto(page2, j, "Scenario")
    form2 = page2.get_by_test_id("stForm").filter(has_text="Queue billing")
    expect(number_input(form2, "Service level (%)")).to_have_value("85.00")
    expect(number_input(form2, "...answered within (s)")).to_have_value("30.00")
    read_tables(page2, j, "5 reopened scenario")
    shot(page2, "5_reopened_scenario")
    spinner = _watch(page2, "stSpinner")
    goto(page2, j, "What-if", limit=None, timeout=LONG_MS,
         note="the first forecast of the reopened data (a new data set for the server)")
    j.facts["spinner on the reopened data's first forecast"] = spinner()
    expect(page2.get_by_test_id("stExpander").filter(has_text="shorter calls: 1 change")) \
        .to_be_visible()
    whatifs = table_with(read_tables(page2, j, "5 reopened what-if"), "What-if")
    assert list(whatifs["What-if"]) == ["base", "shorter calls"], whatifs.to_dict("records")
    shot(page2, "5_reopened_whatif")

    # 6. Compare plans: the loaded scenario and the saved what-if, both built here.
    goto(page2, j, "Compare plans")
    picked = page2.get_by_test_id("stMultiSelect")
    expect(picked.get_by_text("Loaded scenario", exact=True)).to_be_visible()
    expect(picked.get_by_text("shorter calls", exact=True)).to_be_visible()
    build2 = page2.get_by_role("button", name="Build the missing plans")
    progress2 = _watch(page2, "stProgress")
    side = page2.get_by_test_id("stHeading").filter(has_text="Plans side by side")
    act(page2, j, "build both plans to compare", build2.click, side, limit=None,
        timeout=LONG_MS, note="two plan builds")
    j.progress["build both plans to compare"] = progress2()
    grids = read_tables(page2, j, "6 compare")
    summary = table_with(grids, "Plan")
    assert list(summary["Plan"]) == ["Loaded scenario", "shorter calls"], summary.to_dict()
    j.facts["compare_summary"] = summary.to_dict("records")
    shot(page2, "6_compare")
    # Reopening gives the same plan: the loaded scenario's total cost as in the first session.
    goto(page2, j, "Schedule and capacity")
    cost2 = page2.get_by_test_id("stMetric").filter(has_text="Total cost")
    expect(cost2.get_by_test_id("stMetricValue")).to_have_text(
        j.facts["total_cost_first_session"])
    read_tables(page2, j, "6 schedule reopened")

    # 7. Downloads: every table described; one CSV and the workbook read back.
    goto(page2, j, "Downloads")
    main = page2.get_by_test_id("stMain")
    expect(main.get_by_text(re.compile(r"^plan_capacity: one row per week"))).to_be_visible()
    listed = main.get_by_test_id("stMarkdownContainer").locator("li").filter(
        has_text=re.compile(r"^\w+: .+ [\d,]+ rows, \d+ columns\.$")).all_inner_texts()
    names = [t.split(":")[0] for t in listed]
    assert len(names) == len(set(names)) >= 10, listed
    assert all(len(t.split(": ", 1)[1]) > 30 for t in listed), listed     # a description each
    j.facts["downloads_listed"] = names
    read_tables(page2, j, "7 downloads")
    # Preview each table as a planner reads it (formatted; the files hold plain numbers).
    pick = main.get_by_test_id("stSelectbox").filter(has_text="One table")
    preview = main.get_by_test_id("stDataFrame").first
    for name in names:
        def choose(name=name):
            pick.click()
            page2.get_by_role("option", name=name, exact=True).click()
        act(page2, j, f"preview {name}", choose,
            [main.get_by_text(re.compile(rf"^{name}: .* [Ff]irst [\d,]+ of [\d,]+ rows\.$")),
             preview])
        read_tables(page2, j, f"7 preview {name}")
        if name == "plan_capacity":           # its CSV file, next to its description
            row = page2.get_by_test_id("stHorizontalBlock").filter(
                has=page2.get_by_text(re.compile(r"^plan_capacity: "))).last
            csv_path, fname = download(page2, j, "download a CSV (plan_capacity)",
                                       row.get_by_role("button", name="CSV"), tmp)
    assert "plan_capacity" in names, names
    assert fname == "plan_capacity.csv"
    capacity = pd.read_csv(csv_path)
    assert {"week", "required_fte", "gap"} <= set(capacity.columns), list(capacity.columns)
    assert capacity["required_fte"].max() > 0
    xlsx_path, fname = download(page2, j, "download the Excel workbook",
                                page2.get_by_role("button", name="All tables (Excel)"), tmp)
    assert fname.endswith(".xlsx"), fname
    sheets = pd.read_excel(xlsx_path, sheet_name=None)
    assert sheets["plan_capacity"]["required_fte"].to_numpy() == pytest.approx(
        capacity["required_fte"].to_numpy())
    j.facts["workbook_sheets"] = sorted(sheets)
    # The tables per interval may be a workbook of their own; together they hold every table.
    per_interval = page2.get_by_role("button", name="Tables per interval (Excel)")
    if per_interval.count():
        path, fname = download(page2, j, "download the per-interval workbook", per_interval, tmp)
        more = pd.read_excel(path, sheet_name=None)
        assert not set(more) & set(sheets), (sorted(more), sorted(sheets))
        j.facts["interval_workbook_sheets"] = sorted(more)
        sheets.update(more)
    assert set(names) == set(sheets), (names, sorted(sheets))
    assert all(len(sheets[n]) > 0 for n in names), {n: len(sheets[n]) for n in names}
    shot(page2, "7_downloads")


# -- the checks -----------------------------------------------------------------------------------

def test_journey_completes(journey):
    """Upload, target, plan, save, reopen, compare and download all work in the browser."""
    if journey.failure is not None:
        raise journey.failure
    assert not [e for e in journey.errors if e.startswith("pageerror")], journey.errors


def _over(journey, slow, known=None):
    """Fail for steps over their limit, or xfail when each is a known app problem
    (``known``: step -> why) or the machine was busy (see :meth:`Journey.busy`)."""
    known = known or {}
    unknown = {k: x for k, x in slow.items() if k not in known}
    load = max(journey.loads, default=0.0)
    if unknown and not journey.busy():
        raise AssertionError(f"over the limit: {unknown}; all: {journey.timings}")
    reasons = [f"{k} ({slow[k]:.2f} s): {known[k]}" for k in slow if k in known]
    if unknown:
        reasons.append(f"machine busy (1-minute load up to {load:.1f} on {os.cpu_count()} "
                       f"cores, other work than this test): {unknown}")
    if reasons:
        pytest.xfail("; ".join(reasons))


def test_first_page_under_3_s_warm(journey):
    warm = journey.timings.get("open the app, warm")
    assert warm is not None, "the journey did not get that far"
    if warm["seconds"] >= WARM_LIMIT_S * SLACK:
        _over(journey, {"open the app, warm": warm["seconds"]})


def test_plan_builds_show_progress(journey):
    if journey.failure is not None and not journey.progress:
        pytest.skip("the journey stopped before a plan build")
    assert journey.progress and all(journey.progress.values()), journey.progress


def test_every_interaction_under_1_s(journey):
    """Each interaction (not a plan build or a first forecast) under STEP_LIMIT_S."""
    assert len([v for v in journey.timings.values() if v["limit_s"] == STEP_LIMIT_S]) >= 10 \
        or journey.failure is not None, journey.timings
    slow = {k: v["seconds"] for k, v in journey.timings.items()
            if v["limit_s"] == STEP_LIMIT_S and v["seconds"] >= STEP_LIMIT_S * SLACK}
    _over(journey, slow, KNOWN_SLOW)


def test_one_week_plan_has_one_capacity_week(journey):
    """A one-week horizon is planned as one week of capacity (cost, mean FTE)."""
    weeks = journey.facts.get("capacity_weeks")
    if weeks is None:
        pytest.skip("the journey stopped before the plan")
    if len(weeks) != 1:
        pytest.xfail(CAPACITY_WEEKS + f" Shown: {weeks}.")


def test_tables_not_cut_off(journey):
    """Every table fits its frame (no column hidden behind a horizontal scroll)."""
    assert journey.tables, "no table was read"
    assert not journey.cut_off, (CUT_OFF + " Found: " + "; ".join(
        f"{step}: {len(heads)} columns, {px} px in {view} px ({', '.join(heads[-2:])} ...)"
        for step, heads, px, view in journey.cut_off) + ".")


def _none_cells(tables):
    """Where a table draws a missing value (Streamlit's grey "None")."""
    found = {}
    for step, heads, rows, _ in tables:
        for c, head in enumerate(heads):
            if any(r[c] is None for r in rows):
                found.setdefault(step, set()).add(head)
    return {k: sorted(v) for k, v in found.items()}


def test_no_missing_value_drawn_as_none(journey):
    """A planner reads blanks, not "None" (the schedule's caption says "blank: none")."""
    found = _none_cells(journey.tables)
    if found:
        pytest.xfail(NONE_CELLS + f" Found: {found}.")


def _format_problems(tables):
    problems = []
    for step, heads, rows, _ in tables:
        for c, head in enumerate(heads):
            if _SNAKE.match(head):
                problems.append(f"{step}: header {head!r} in snake_case")
            cells = [r[c] for r in rows if r[c] is not None]
            for text in cells:
                if _LONG_FLOAT.search(text):
                    problems.append(f"{step}: {head!r} shows {text!r} (over 2 decimals)")
                    break
            times = [m.group(1) for m in map(_DATETIME.match, cells) if m]
            if times and all(t == "00:00" for t in times):
                problems.append(f"{step}: {head!r} shows a midnight time on a daily/weekly "
                                f"row: {cells[0]!r}")
    return problems


def test_format_checker_catches_what_it_should():
    """The table check itself can fail: raw floats, midnight dates, snake_case headers."""
    bad = [("x", ["queue", "week", "fte_needed"],
            [["voice", "2025-09-01 00:00:00", "4395.4316"],
             ["chat", "2025-09-08 00:00:00", "12.5"]], 2)]
    problems = _format_problems(bad)
    assert len(problems) == 3, problems
    good = [("x", ["Queue", "Week", "Start", "FTE"],
             [["voice", "2025-09-01", "2025-09-01 00:00", "4,395.43"],
              ["chat", "2025-09-08", "2025-09-01 00:30", "12.5%"]], 2)]
    assert _format_problems(good) == []


def test_tables_read_cleanly(journey):
    """No displayed table holds a float with more than 2 decimals, a midnight time on a
    daily/weekly row or a snake_case header (texts drawn by the grid, see the docstring)."""
    assert not journey.unreadable, journey.unreadable
    assert len(journey.tables) >= 5, [t[0] for t in journey.tables]
    problems = _format_problems(journey.tables)
    assert not problems, "\n".join(problems)
