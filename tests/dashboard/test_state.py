"""dashboard/state.py's server-side care: the libraries' objects out of the collector's
sight, and a session's end that does not hold up the server's event loop."""

import json
import subprocess
import sys
import threading

from ccwfm.dashboard import state

FREEZE = """
import gc, json, sys
from ccwfm.dashboard import state
before = len(gc.get_objects())
state.freeze_startup_heap()
frozen = gc.get_freeze_count()
state.freeze_startup_heap()                      # once a process: the second call does nothing
again = gc.get_freeze_count()
tracked = len(gc.get_objects())
a, b = [], []
a.append(b); b.append(a)                         # a cycle made after the freeze ...
del a, b
collected = gc.collect()                         # ... is still collected
print(json.dumps({"before": before, "frozen": frozen, "again": again, "tracked": tracked,
                  "collected": collected,
                  "late": [m for m in state._LATE_IMPORTS if m not in sys.modules]}))
"""


def test_the_libraries_objects_are_frozen_once_and_garbage_is_still_collected():
    proc = subprocess.run([sys.executable, "-c", FREEZE], capture_output=True, text=True,
                          timeout=300, check=True)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["frozen"] >= out["before"] > 100_000       # numpy, pandas, numba, streamlit ...
    assert out["again"] == out["frozen"]
    assert out["tracked"] < 0.01 * out["frozen"]          # what a collection still walks
    assert out["collected"] >= 2
    assert out["late"] in ([], ["openpyxl"], ["altair"], ["altair", "openpyxl"])


def test_a_sessions_end_hands_the_memory_back_without_waiting_for_it(monkeypatch):
    started, release, done = threading.Event(), threading.Event(), threading.Event()

    def slow_trim():
        started.set()
        release.wait(30)
        done.set()

    class Files:
        released = False

        def release(self):
            Files.released = True

    class Session:
        files, session_id = Files(), "no-such-session"

    monkeypatch.setattr(state, "_trim", slow_trim)
    state._end(Session())                  # returns while the trim is still running
    assert Files.released and started.wait(30) and not done.is_set()
    release.set()
    assert done.wait(30)
