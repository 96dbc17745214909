"""Smoke test of benchmarks/dashboard_load_bench.py: two planners, a short run.

Runs the script as planners would (``--json``) and checks its output has
exactly the named keys, that both planners got through without an error and
that the numbers are consistent (p90 >= median, peak >= after, times
positive).  Skipped without ``/usr/bin/chromium`` or Playwright.  It starts a
real server and two browsers (a minute or two on 2 cores): marked slow.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks" / "dashboard_load_bench.py"
KEYS = ["users", "whatif_median_s", "whatif_p90_s", "downloads_median_s", "peak_rss_mb",
        "rss_after_mb", "errors"]

pytestmark = pytest.mark.slow

if not os.access("/usr/bin/chromium", os.X_OK):
    pytest.skip("/usr/bin/chromium is missing", allow_module_level=True)
pytest.importorskip("playwright")


def test_two_planners_short_run_prints_exactly_the_named_keys(tmp_path):
    proc = subprocess.run([sys.executable, str(BENCH), "--users", "2", "--whatifs", "2",
                           "--weeks", "1", "--settle", "2", "--json"],
                          capture_output=True, text=True, timeout=900, cwd=ROOT,
                          env={**os.environ, "TMPDIR": str(tmp_path)})
    # both servers (the app's and the floor's) stopped and their temporary folders removed
    assert not list(tmp_path.glob("ccwfm-load-bench-*"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert list(out) == KEYS
    assert out["users"] == 2
    assert out["errors"] == 0, proc.stderr[-3000:]
    assert 0 < out["whatif_median_s"] <= out["whatif_p90_s"] < 120
    assert 0 < out["downloads_median_s"] < 120
    assert out["peak_rss_mb"] >= out["rss_after_mb"] > 50
    extras = json.loads(proc.stderr[proc.stderr.index("{"):])
    assert set(extras["per_user"]) == {"0", "1"}
    # the rig's floor: the same planners on a trivial page, measured in the same run
    assert "floor_error" not in extras, extras.get("floor_error")
    assert 0 < extras["floor_median_s"] <= extras["floor_p90_s"] < 120
    for times in extras["per_user"].values():
        assert len(times["whatif_s"]) == 2 and times["excel_kb"] > 1
