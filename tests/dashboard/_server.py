"""A free port, a health probe and a served dashboard for the tests that start a real
Streamlit server."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url):
    """True when the Streamlit server at ``url`` answers its health check with "ok"."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200 and r.read().decode().strip() == "ok"
    except OSError:
        return False


def stop(proc):
    """Terminate a server's whole process group (SIGTERM, then SIGKILL)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


@contextlib.contextmanager
def serve(folder, log_name):
    """``python -m ccwfm.dashboard`` on a free port of 127.0.0.1, started the way planners
    start it (through the installed package, from ``folder``), its output in
    ``folder / log_name``; yields its URL once it answers, stops it at the end."""
    folder.mkdir(exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
           "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "ccwfm.dashboard", "--port", str(port), "--address", "127.0.0.1"]
    with open(folder / log_name, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=folder, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while not healthy(url):
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited with {proc.returncode}; see "
                                       f"{folder / log_name}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not answer {url}/_stcore/health in 60 s")
                time.sleep(0.25)
            yield url
        finally:
            stop(proc)
