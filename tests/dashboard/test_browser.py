"""The dashboard in a real browser: streamlit server + Debian's chromium via Playwright.

One planner's journey: load the one-week demo, lower the FTE with the bot
containment what-if, download the what-if summary as CSV, upload broken
files and see them explained while the app keeps working.  The time to
render the app and to answer a what-if change are printed and written to
``test-artifacts/browser_timings.json`` (only generous bounds are asserted).

Skipped when ``/usr/bin/chromium`` is missing (``make test`` tries to install
it with apt-get) or the ``playwright`` package cannot be imported.  It uses
the system chromium, never Playwright's downloaded browsers.
"""

import contextlib
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from tests.dashboard._server import free_port, healthy, serve, stop

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
DEMO_QUEUES = {"voice", "sales", "chat", "email"}

if not os.access(CHROMIUM, os.X_OK):
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (make test tries apt-get)",
                allow_module_level=True)
try:
    from playwright.sync_api import expect, sync_playwright
except ImportError as exc:  # pragma: no cover - depends on the environment
    pytest.skip(f"the playwright package cannot be imported: {exc}", allow_module_level=True)

BROWSER_ERRORS = []        # uncaught exceptions and console errors of the page, reported
SLOW_MS = 120_000          # a first forecast of the demo takes ~10 s on 2 cores; be generous
STEP_MS = 60_000


@pytest.fixture(scope="module")
def server():
    """The dashboard served by ``python -m ccwfm.dashboard`` on a free port; yields its URL."""
    with serve(ARTIFACTS, "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def playwright():
    """One Playwright for the module: its sync API cannot run twice at once."""
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def page(server, playwright):
    """A chromium page (Debian's binary, headless) on a fresh browser context."""
    with contextlib.nullcontext(playwright) as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1800},
                                          accept_downloads=True)
            pg = context.new_page()
            pg.on("pageerror", lambda exc: BROWSER_ERRORS.append(f"pageerror: {exc}"))
            pg.on("console", lambda msg: msg.type == "error" and BROWSER_ERRORS.append(
                f"console.error: {msg.text}"))
            pg.set_default_timeout(STEP_MS)
            expect.set_options(timeout=STEP_MS)
            yield pg
            context.close()
            expect.set_options(timeout=5_000)          # Playwright's default, for other modules
        finally:
            browser.close()


# -- helpers: act like a user, wait on what the page shows -------------------------------------

def _goto(page, name):
    """Choose a page in the sidebar's "Page" radio."""
    page.get_by_test_id("stSidebar").get_by_test_id("stRadio").get_by_text(
        name, exact=True).click()
    expect(page.get_by_test_id("stHeading").filter(has_text=name).first).to_be_visible(
        timeout=SLOW_MS)


def _number_input(page, label):
    return page.get_by_test_id("stNumberInput").filter(has_text=label).locator("input")


def _set_number(page, label, value):
    box = _number_input(page, label)
    box.fill(str(value))
    box.press("Enter")             # streamlit commits a number input on Enter (or blur)
    expect(box).to_have_value(str(value))


def _fte(page):
    """The What-if page's FTE metric value (waits for it to show)."""
    metric = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text("FTE", exact=True))
    value = metric.get_by_test_id("stMetricValue")
    expect(value).to_be_visible(timeout=SLOW_MS)
    return value


def _number(text):
    return float(text.replace(",", "").strip())


def _shot(page, name):
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def _error_alert(page):
    return page.get_by_test_id("stAlert").filter(has_text="could not be used")


# -- the journey ----------------------------------------------------------------------------------

def test_dashboard_in_chromium(page, server, tmp_path):
    timings = {}
    (ARTIFACTS / "dashboard_failure.png").unlink(missing_ok=True)
    try:
        _journey(page, server, tmp_path, timings)
    except Exception:
        _shot(page, "dashboard_failure.png")
        raise
    finally:
        if timings:
            (ARTIFACTS / "browser_timings.json").write_text(json.dumps(timings, indent=2) + "\n")
            print(f"\nbrowser timings: {json.dumps(timings)}")
        (ARTIFACTS / "browser_console.txt").write_text("".join(f"{e}\n" for e in BROWSER_ERRORS))
        if BROWSER_ERRORS:
            print("browser errors:\n  " + "\n  ".join(BROWSER_ERRORS))


def _journey(page, url, tmp_path, timings):
    # 1. The app renders: sidebar title and the page radio, the Data page by default.
    t0 = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("ccwfm", exact=True)).to_be_visible(timeout=SLOW_MS)
    expect(sidebar.get_by_test_id("stRadio").get_by_text("What-if", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Load demo data")).to_be_visible(timeout=SLOW_MS)
    timings["app_start_s"] = round(time.perf_counter() - t0, 3)

    # 2. Load the demo with a one-week horizon.
    _set_number(page, "Weeks to plan", 1)
    page.get_by_role("button", name="Load demo data").click()
    expect(page.get_by_text("Demo data loaded: 1 weeks to plan.")).to_be_visible()
    expect(sidebar.get_by_text(re.compile(r"4 queues, 1 weeks from"))).to_be_visible()
    table = page.get_by_test_id("stTable").first          # the queues (a plain table)
    expect(table).to_be_visible()

    # 3. What-if: more bot containment on voice lowers the FTE.
    t0 = time.perf_counter()
    _goto(page, "What-if")
    value = _fte(page)
    timings["whatif_first_render_s"] = round(time.perf_counter() - t0, 3)
    before = value.inner_text()
    containment = _number_input(page, "Bot containment (%)")
    expect(containment).to_have_value("15")          # the demo's voice bot
    containment.fill("50")
    t0 = time.perf_counter()
    containment.press("Enter")
    expect(value).not_to_have_text(before, timeout=SLOW_MS)
    timings["whatif_answer_s"] = round(time.perf_counter() - t0, 3)
    after = value.inner_text()
    assert _number(after) < _number(before), (before, after)
    expect(page.get_by_text(re.compile(r"Changed: .*bot\.containment = 0\.5"))).to_be_visible()
    timings["fte_before"], timings["fte_after"] = _number(before), _number(after)
    _shot(page, "dashboard_whatif.png")

    # 4. Downloads: the whatif_summary CSV, picked from the list.
    _goto(page, "Downloads")
    expect(page.get_by_text(re.compile(r"^whatif_summary: one row per queue"))).to_be_visible(
        timeout=SLOW_MS)
    page.get_by_test_id("stSelectbox").filter(has_text="One table").click()
    page.get_by_role("option", name="whatif_summary", exact=True).click()
    row = page.get_by_test_id("stHorizontalBlock").filter(
        has=page.get_by_text(re.compile(r"^whatif_summary: "))).last
    button = row.get_by_test_id("stDownloadButton").get_by_role("button", name="CSV")
    expect(button).to_be_visible(timeout=SLOW_MS)
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "whatif_summary.csv"
    saved = tmp_path / "whatif_summary.csv"
    download.save_as(saved)
    summary = pd.read_csv(saved)
    assert "queue" in summary.columns and "fte" in summary.columns, list(summary.columns)
    assert set(summary["queue"]) == DEMO_QUEUES
    assert (summary["fte"] > 0).all()
    # It is the what-if scenario (50% containment): its FTE is the one shown on What-if.
    assert summary["fte"].sum() == pytest.approx(_number(after), abs=0.06)

    # 5. Broken uploads are explained; the app keeps working.
    _goto(page, "Data")
    page.get_by_test_id("stRadio").filter(has_text="Where does the demand come from?") \
        .get_by_text("Interval file (CSV or Excel)", exact=True).click()
    uploader = page.get_by_test_id("stFileUploader").locator("input[type=file]")
    expect(uploader).to_be_attached()
    bad_files = [
        ("bad.csv", b"hello\nworld\n", re.compile("must have columns separated")),
        ("negative.csv", (b"queue,start,volume,aht\nvoice,2024-01-01 00:00,-5,300\n"
                          b"voice,2024-01-01 00:15,-3,300\n"),
         re.compile(r"'volume' must be (>=|\u2265) 0")),          # markdown shows >= as a sign
    ]
    for name, content, why in bad_files:
        uploader.set_input_files(files=[{"name": name, "mimeType": "text/csv",
                                         "buffer": content}])
        chip = page.get_by_test_id("stFileUploader").get_by_text(name)
        expect(chip).to_be_visible()
        # The file reads as a table (the column mapping shows), or is refused at once.
        use = page.get_by_role("button", name="Use this file")
        expect(use.or_(_error_alert(page)).first).to_be_visible()
        if use.is_visible():
            use.click()
        expect(_error_alert(page).filter(has_text=why)).to_be_visible()
        # The loaded scenario is still the one-week demo.
        expect(sidebar.get_by_text(re.compile(r"4 queues, 1 weeks from"))).to_be_visible()
        if name == bad_files[0][0]:
            _shot(page, "dashboard_upload_error.png")
        # Remove the file: the explanation and the mapping go away with it.
        page.get_by_test_id("stFileUploader").get_by_test_id("stFileChipDeleteBtn") \
            .get_by_role("button").click()
        expect(chip).to_have_count(0)
        expect(_error_alert(page)).to_have_count(0)
        expect(use).to_have_count(0)

    _goto(page, "What-if")
    back = _number(_fte(page).inner_text())
    assert back > 0
    timings["fte_back_on_whatif"] = back

    assert not [e for e in BROWSER_ERRORS if e.startswith("pageerror")], BROWSER_ERRORS
    assert 0 < timings["app_start_s"] < 120
    assert 0 < timings["whatif_answer_s"] < 120


# -- two planners at once; a closed browser leaves nothing ----------------------------------------

def _interval_csv(queue, volume):
    start = pd.date_range("2024-01-01", periods=24 * 7 * 5, freq="60min")
    return pd.DataFrame({"queue": queue, "start": start, "volume": volume,
                         "aht": 300.0}).to_csv(index=False).encode()


def _status(url):
    """The HTTP status of a GET of ``url``."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _upload_and_download(page, url, name, data, queue):
    """Upload an interval file under ``name``; download the scenario; the download's URL."""
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_test_id("stRadio").filter(has_text="Where does the demand come from?") \
        .get_by_text("Interval file (CSV or Excel)", exact=True).click()
    uploader = page.get_by_test_id("stFileUploader").locator("input[type=file]")
    uploader.set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    page.get_by_role("button", name="Use this file").click()
    expect(page.get_by_text(f"Loaded 840 intervals of {queue}:")).to_be_visible(timeout=STEP_MS)
    expect(page.get_by_test_id("stSidebar").get_by_text(
        re.compile(r"Scenario upload: 1 queues"))).to_be_visible(timeout=STEP_MS)
    return _download_scenario(page, queue)


def _download_scenario(page, queue):
    """Download the scenario (TOML): it must be the upload of ``queue``; its URL."""
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the scenario only (TOML)").click()
    download = info.value
    assert download.suggested_filename == "upload.toml"
    text = Path(download.path()).read_text()
    assert 'name = "upload"' in text and f'name = "{queue}"' in text, text
    assert text.count('name = "') == 2                    # the scenario and its one queue
    assert 'history = "history.csv"' in text and "/" not in text.split("[workforce]")[0]
    return download.url


@pytest.mark.slow
def test_two_browsers_see_their_own_data_and_a_closed_one_leaves_nothing(tmp_path, playwright):
    psutil = pytest.importorskip("psutil")
    tmp = tmp_path / "tmp"                      # the server's system temp folder
    tmp.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(tmp)}
    env.pop("CCWFM_DASHBOARD_ROOT", None)
    log = tmp_path / "streamlit.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "ccwfm.dashboard", "--port", str(port)],
                                cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    children = []
    try:
        assert _wait_for(lambda: healthy(url) or proc.poll() is not None, 60), "no server"
        assert proc.poll() is None, log.read_text(errors="replace")
        children = [c.pid for c in psutil.Process(proc.pid).children()]
        (root,) = tmp.iterdir()
        with contextlib.nullcontext(playwright) as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=CHROMIUM_ARGS)
            try:
                contexts = {k: browser.new_context(accept_downloads=True) for k in "ab"}
                pages = {k: c.new_page() for k, c in contexts.items()}
                for pg in pages.values():
                    pg.set_default_timeout(STEP_MS)
                links, folders = {}, {}
                for key, queue, volume in (("a", "alpha", 10.0), ("b", "beta", 80.0)):
                    before = set(root.iterdir())
                    links[key] = _upload_and_download(pages[key], url, "...csv",
                                                      _interval_csv(queue, volume), queue)
                    (folders[key],) = set(root.iterdir()) - before
                    assert stat.S_IMODE(folders[key].stat().st_mode) == 0o700
                    saved = pd.read_csv(folders[key] / "history.csv")
                    assert set(saved["queue"]) == {queue} and set(saved["volume"]) == {volume}
                assert sorted(p.name for p in tmp.iterdir()) == [root.name]
                # a still has its own data after b loaded its file under the same name
                assert _download_scenario(pages["a"], "alpha") == links["a"]
                assert _status(links["a"]) == _status(links["b"]) == 200
                contexts["a"].close()                    # a's session ends
                assert _wait_for(lambda: not folders["a"].exists()), "a's folder is left"
                assert _wait_for(lambda: _status(links["a"]) == 404), "a's download served"
                assert folders["b"].is_dir() and _status(links["b"]) == 200
            finally:
                browser.close()
        os.kill(proc.pid, signal.SIGTERM)               # the launcher alone: it forwards it
        assert proc.wait(timeout=30) == 0, log.read_text(errors="replace")[-2000:]
        assert _wait_for(lambda: not any(psutil.pid_exists(p) and psutil.Process(p).status()
                                         != psutil.STATUS_ZOMBIE for p in children), 10)
        assert list(tmp.iterdir()) == []                 # root and b's folder are gone
    finally:
        stop(proc)
        for pid in children:                             # this test's own processes, by id
            if psutil.pid_exists(pid):
                os.kill(pid, signal.SIGKILL)
