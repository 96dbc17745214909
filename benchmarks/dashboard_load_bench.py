"""Several planners on one dashboard server at once: answer times and the server's memory.

Starts the dashboard the way planners start it (``python -m ccwfm.dashboard
--port P``, in a fresh temporary folder), then runs ``--users`` planners in
parallel, each in a browser context of its own in Debian's chromium
(Playwright, ``/usr/bin/chromium``).  Each planner opens the app, loads the
demo (the Data page's default horizon, or ``--weeks``), goes to What-if,
makes ``--whatifs`` bot-containment changes on voice (each timed from the
Enter key to the new FTE shown), opens Downloads (timed until its tables and
buttons are shown and the app has stopped running), downloads the Excel
workbook, opens Downloads a second time after another page, and leaves
(closes its context: its session ends).

The Streamlit server's resident memory (RSS of the launcher's child
process) is read when the server is up (cold: nothing imported yet), then
``--settle`` seconds after one visit that only opened the app (fresh: the
app and its libraries imported, no data loaded),
every 0.2 s while the planners work (peak), and ``--settle`` seconds after
the last one left (after).

``--json`` prints exactly::

    {"users", "whatif_median_s", "whatif_p90_s", "downloads_median_s",
     "peak_rss_mb", "rss_after_mb", "errors"}

(seconds, megabytes of 2**20 bytes, errors = planners' steps that failed or
pages that showed an error); everything else (fresh RSS, opening times,
the second Downloads visit, the workbook download, each planner's times) goes
to stderr.  Goals (issue 15): what-if median < 1 s, Downloads < 1 s, RSS
after within 200 MB of fresh.

**The rig's floor.**  The browsers run on the same machine as the server
(six Chromium pages and the server on 2 cores, where planners' browsers
would run on their own computers), and a Streamlit page costs its browser
more CPU than the server.  So the same run also measures, unless
``--no-floor``, the same planners against a trivial Streamlit page served
the same way (one number input, one metric: nothing of ours), each making
the same number of changes timed the same way: ``floor_median_s`` and
``floor_p90_s`` on stderr are what this rig gives any Streamlit app, the
lower bound of ``whatif_median_s`` here.

Usage::

    .venv/bin/python benchmarks/dashboard_load_bench.py --json
    .venv/bin/python benchmarks/dashboard_load_bench.py --users 2 --whatifs 2 --settle 5 --json
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
KEYS = ("users", "whatif_median_s", "whatif_p90_s", "downloads_median_s", "peak_rss_mb",
        "rss_after_mb", "errors")
SLOW_MS = 300_000                  # a first forecast under load may take a while
# The probes that wait for an answer look every 50 ms (at most 50 ms late), not at every
# animation frame (Playwright's default): six pages probing 60 times a second kept the
# browsers drawing frames and took CPU from the server they measure.
POLL_MS = 50
MB = 2 ** 20


def _log(*args):
    print(*args, file=sys.stderr, flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url):
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200 and r.read().decode().strip() == "ok"
    except OSError:
        return False


def percentile(values, q):
    """The ``q`` quantile (0-1) of ``values``, linear between order statistics; None if empty."""
    xs = sorted(values)
    if not xs:
        return None
    pos = q * (len(xs) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


# -- the server and its memory ------------------------------------------------------------------

def _rss_mb(pid):
    """Resident memory of process ``pid`` in MB (from /proc), None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024 / MB
    except OSError:
        return None
    return None


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


class Server:
    """``python -m ccwfm.dashboard`` on a free port, in its own process group; with
    ``app_text``, that Streamlit script instead, served with the dashboard's options."""

    def __init__(self, python=sys.executable, env=None, app_text=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.folder = tempfile.mkdtemp(prefix="ccwfm-load-bench-")
        self.log = open(Path(self.folder) / "streamlit.log", "wb")
        if app_text is None:
            cmd = [python, "-m", "ccwfm.dashboard", "--port", str(self.port)]
        else:
            from ccwfm.dashboard.__main__ import streamlit_command
            app = Path(self.folder) / "app.py"
            app.write_text(app_text)
            cmd = [python, *streamlit_command(app, self.port)[1:]]
        self.proc = subprocess.Popen(
            cmd, cwd=self.folder, stdin=subprocess.DEVNULL, stdout=self.log,
            stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
        deadline = time.monotonic() + 90
        while not healthy(self.url):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop(keep=True)
                raise RuntimeError(f"the dashboard did not start; see {self.log.name}")
            time.sleep(0.25)
        kids = _children(self.proc.pid)
        self.pid = kids[0] if kids else self.proc.pid      # the Streamlit child

    def rss_mb(self):
        return _rss_mb(self.pid)

    def stop(self, keep=False):
        """Stop the server; its temporary folder (and log) goes too unless ``keep``."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=20)
            except ProcessLookupError:
                pass
        self.log.close()
        if not keep:
            shutil.rmtree(self.folder, ignore_errors=True)


class Sampler(threading.Thread):
    """Samples a process's RSS every ``every`` seconds; ``peak`` is the highest seen."""

    def __init__(self, server, every=0.2):
        super().__init__(daemon=True)
        self.server, self.every, self.peak = server, every, 0.0
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            rss = self.server.rss_mb()
            if rss is not None:
                self.peak = max(self.peak, rss)
            self._halt.wait(self.every)

    def stop(self):
        self._halt.set()
        self.join()


# -- one planner ----------------------------------------------------------------------------------

async def _wait_idle(page, timeout=SLOW_MS):
    """Until Streamlit's "running" indicator has gone (the script run finished)."""
    await page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout,
        polling=POLL_MS)


async def _goto(page, name):
    await page.get_by_test_id("stSidebar").get_by_test_id("stRadio").get_by_text(
        name, exact=True).click()
    await page.get_by_test_id("stHeading").filter(has_text=name).first.wait_for(
        state="visible", timeout=SLOW_MS)


async def _fte_text(page):
    metric = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text("FTE", exact=True))
    value = metric.get_by_test_id("stMetricValue")
    await value.wait_for(state="visible", timeout=SLOW_MS)
    return value, await value.inner_text()


async def _errors_shown(page):
    alerts = page.get_by_test_id("stException").or_(
        page.get_by_test_id("stAlert").filter(has_text=re.compile(
            "Something went wrong|could not be computed")))
    return await alerts.count()


async def _changes(page, value, shown, user, n):
    """``n`` changes of "Bot containment (%)", each timed from the Enter key until the
    ``value`` element (showing ``shown``) changes and the run has finished; the seconds."""
    box = page.get_by_test_id("stNumberInput").filter(
        has_text="Bot containment (%)").locator("input")
    times = []
    for i in range(n):
        pct = 20 + 5 * ((user + i) % 12)
        if str(pct) == await box.input_value():
            pct += 5
        await box.fill(str(pct))
        t0 = time.perf_counter()
        await box.press("Enter")
        await page.wait_for_function(
            "([el, before]) => el.innerText !== before",
            arg=[await value.element_handle(), shown], timeout=SLOW_MS, polling=POLL_MS)
        await _wait_idle(page)
        times.append(time.perf_counter() - t0)
        shown = await value.inner_text()
    return times


async def planner(browser, url, user, args, out):
    """One planner's visit; its times and errors go into ``out``."""
    times = {"whatif_s": [], "errors": []}
    out[user] = times
    context = await browser.new_context(viewport={"width": 1400, "height": 1600},
                                        accept_downloads=True)
    page = await context.new_page()
    page.set_default_timeout(SLOW_MS)
    page.on("pageerror", lambda exc: times["errors"].append(f"pageerror: {exc}"))
    try:
        t0 = time.perf_counter()
        await page.goto(url, wait_until="domcontentloaded")
        load = page.get_by_role("button", name="Load demo data")
        await load.wait_for(state="visible", timeout=SLOW_MS)
        times["open_s"] = time.perf_counter() - t0
        if args.weeks:
            box = page.get_by_test_id("stNumberInput").filter(
                has_text="Weeks to plan").locator("input")
            await box.fill(str(args.weeks))
            await box.press("Enter")
            await _wait_idle(page)
        t0 = time.perf_counter()
        await load.click()
        await page.get_by_text(re.compile(r"Demo data loaded")).wait_for(timeout=SLOW_MS)
        times["load_demo_s"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        await _goto(page, "What-if")
        value, shown = await _fte_text(page)
        await _wait_idle(page)
        times["whatif_first_s"] = time.perf_counter() - t0
        times["whatif_s"] += await _changes(page, value, shown, user, args.whatifs)

        for visit in ("downloads_s", "downloads_again_s"):
            if visit == "downloads_again_s":
                await _goto(page, "Data")
                await _wait_idle(page)
            t0 = time.perf_counter()
            await _goto(page, "Downloads")
            await page.get_by_role("button", name="All tables (Excel)").wait_for(
                state="visible", timeout=SLOW_MS)
            await page.get_by_text(re.compile(r"^requirements: ")).wait_for(timeout=SLOW_MS)
            await _wait_idle(page)
            times[visit] = time.perf_counter() - t0
            if visit == "downloads_s":
                t0 = time.perf_counter()
                async with page.expect_download(timeout=SLOW_MS) as info:
                    await page.get_by_role("button", name="All tables (Excel)").click()
                download = await info.value
                path = await download.path()
                size = Path(path).stat().st_size if path else 0
                if size < 1000:
                    times["errors"].append(f"the workbook has {size} bytes")
                times["excel_s"] = time.perf_counter() - t0
                times["excel_kb"] = round(size / 1024, 1)
        if await _errors_shown(page):
            times["errors"].append("the page shows an error")
    except Exception as exc:                      # noqa: BLE001 - counted, reported, run goes on
        times["errors"].append(f"{type(exc).__name__}: {str(exc)[:300]}")
    finally:
        await context.close()


async def _warm(browser, url):
    """One visit that only opens the app (the server imports the app and its libraries)."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(url, wait_until="domcontentloaded")
    await page.get_by_role("button", name="Load demo data").wait_for(state="visible",
                                                                     timeout=SLOW_MS)
    await _wait_idle(page)
    await context.close()


async def warm_up(url):
    from playwright.async_api import async_playwright
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                           args=CHROMIUM_ARGS)
        try:
            await _warm(browser, url)
        finally:
            await browser.close()


async def _in_browsers(visit, url, args, out):
    """``visit(browser, url, user, args, out)`` for each of ``args.users`` planners at once,
    in one chromium; returns ``out``."""
    from playwright.async_api import async_playwright
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                           args=CHROMIUM_ARGS)
        try:
            await asyncio.gather(*(visit(browser, url, u, args, out)
                                   for u in range(args.users)))
        finally:
            await browser.close()
    return out


async def _run_users(url, args):
    return await _in_browsers(planner, url, args, {})


FLOOR_APP = """import streamlit as st
x = st.number_input("Bot containment (%)", 0, 95, 20, step=5)
st.metric("FTE", f"{x * 1.5:.1f}")
"""


async def _floor_user(browser, url, user, args, out):
    """One planner's changes on the trivial page, timed as :func:`planner` times a what-if."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1600})
    page = await context.new_page()
    page.set_default_timeout(SLOW_MS)
    try:
        await page.goto(url, wait_until="domcontentloaded")
        value, shown = await _fte_text(page)
        await _wait_idle(page)
        out += await _changes(page, value, shown, user, args.whatifs)
    finally:
        await context.close()


async def _run_floor(url, args):
    return await _in_browsers(_floor_user, url, args, [])


def floor(args, python=sys.executable):
    """(median, p90) seconds of a change on a trivial Streamlit page, same planners, same rig."""
    server = Server(python=python, app_text=FLOOR_APP)
    try:
        times = asyncio.run(_run_floor(server.url, args))
    finally:
        server.stop()
    return percentile(times, 0.5), percentile(times, 0.9)


def _round(x, digits=3):
    return None if x is None else round(x, digits)


def bench(args, python=sys.executable, env=None):
    """Run the load; returns (the result with :data:`KEYS`, the extras)."""
    server = Server(python=python, env=env)
    try:
        time.sleep(1.0)
        cold = server.rss_mb()
        asyncio.run(warm_up(server.url))
        time.sleep(args.settle)
        fresh = server.rss_mb()
        sampler = Sampler(server)
        sampler.start()
        t0 = time.perf_counter()
        per_user = asyncio.run(_run_users(server.url, args))
        wall = time.perf_counter() - t0
        left = server.rss_mb()
        time.sleep(args.settle)
        after = server.rss_mb()
        sampler.stop()
    finally:
        server.stop()
    whatif = [x for t in per_user.values() for x in t["whatif_s"]]
    downloads = [t["downloads_s"] for t in per_user.values() if "downloads_s" in t]
    errors = [e for t in per_user.values() for e in t["errors"]]
    result = {"users": args.users, "whatif_median_s": _round(percentile(whatif, 0.5)),
              "whatif_p90_s": _round(percentile(whatif, 0.9)),
              "downloads_median_s": _round(percentile(downloads, 0.5)),
              "peak_rss_mb": _round(max(sampler.peak, fresh or 0), 1),
              "rss_after_mb": _round(after, 1), "errors": len(errors)}

    def med(key):
        return _round(percentile([t[key] for t in per_user.values() if key in t], 0.5))
    extras = {"rss_cold_mb": _round(cold, 1), "rss_fresh_mb": _round(fresh, 1), "rss_when_all_left_mb": _round(left, 1),
              "settle_s": args.settle, "wall_s": _round(wall, 1),
              "whatif_max_s": _round(max(whatif, default=None) if whatif else None),
              "open_median_s": med("open_s"), "load_demo_median_s": med("load_demo_s"),
              "whatif_first_median_s": med("whatif_first_s"),
              "downloads_again_median_s": med("downloads_again_s"),
              "excel_download_median_s": med("excel_s"),
              "per_user": {u: {k: (_round(v) if isinstance(v, float) else
                                   [_round(x) for x in v] if k == "whatif_s" else v)
                               for k, v in t.items()} for u, t in sorted(per_user.items())},
              "error_texts": errors}
    if args.floor:
        try:
            f50, f90 = floor(args, python=python)
            extras["floor_median_s"], extras["floor_p90_s"] = _round(f50), _round(f90)
        except Exception as exc:            # noqa: BLE001 - the floor is context, not the result
            extras["floor_error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
    return result, extras


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=6, help="planners at once (default 6)")
    p.add_argument("--whatifs", type=int, default=4, help="what-if changes per planner (4)")
    p.add_argument("--weeks", type=int, default=None,
                   help="weeks of the demo (default: the Data page's default)")
    p.add_argument("--settle", type=float, default=30.0,
                   help="seconds after the last planner left before the RSS is read (30)")
    p.add_argument("--no-floor", dest="floor", action="store_false",
                   help="skip the rig's floor (the same planners on a trivial Streamlit page)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    args = p.parse_args(argv)
    if args.users < 1 or args.whatifs < 1 or args.settle < 0:
        p.error("'--users' and '--whatifs' must be >= 1 and '--settle' >= 0")
    if not os.access(CHROMIUM, os.X_OK):
        p.exit(1, f"{CHROMIUM} is missing: install Debian's chromium\n")
    result, extras = bench(args)
    _log(json.dumps(extras, indent=1))
    if args.json:
        print(json.dumps(result))
    else:
        for k in KEYS:
            print(f"{k:>20}: {result[k]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
