"""``python -m ccwfm.dashboard [--port N] [--address A]``: serve the planners' dashboard.

Runs ``streamlit run`` on this package's own ``app.py`` (wherever the package
is installed) as a child process, headless, with the upload limit of
:data:`ccwfm.plan.MAX_UPLOAD_MB`, no usage statistics and a minimal toolbar.
SIGTERM and SIGINT are forwarded to the child and the launcher waits for it,
so stopping the launcher stops the server; a child that has not exited
:data:`STOP_GRACE` seconds after the first forwarded signal is killed, and on
Linux the child is also told to stop if the launcher dies without a chance to
forward anything (SIGKILL).  The exit code is the child's (128 + N when it
was ended by signal N); 2 for bad options, 1 when the app file is missing.

The launcher makes the server's root folder for the sessions' files
(:func:`ccwfm.dashboard.files.make_root`), hands it to the child in the
environment variable ``CCWFM_DASHBOARD_ROOT`` and removes it when the
server stops, whatever the way.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from . import files

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2
DEFAULT_PORT, DEFAULT_ADDRESS = 8501, "127.0.0.1"
STOP_GRACE = 5.0                     # seconds the child has to stop after SIGTERM/SIGINT
FORWARDED = (signal.SIGTERM, signal.SIGINT)
PROG = "python -m ccwfm.dashboard"


def app_path():
    """The dashboard's Streamlit script, located from this package."""
    return Path(__file__).resolve().with_name("app.py")


def streamlit_command(app, port=DEFAULT_PORT, address=DEFAULT_ADDRESS, max_upload_mb=None):
    """The ``python -m streamlit run`` command line serving ``app``."""
    if max_upload_mb is None:
        from ccwfm.plan import MAX_UPLOAD_MB
        max_upload_mb = MAX_UPLOAD_MB
    return [sys.executable, "-m", "streamlit", "run", str(app),
            "--server.port", str(port), "--server.address", str(address),
            "--server.headless", "true", "--server.maxUploadSize", str(max_upload_mb),
            "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
            # No watching of the source files for changes: a served app does not
            # change, and the watcher's polling took a fifth of the server's time
            # with six planners at once.
            "--server.fileWatcherType", "none", "--server.runOnSave", "false"]


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _parser():
    p = _Parser(prog=PROG, description="Serve the planners' dashboard (Streamlit) on this "
                                       "machine; Ctrl+C or SIGTERM stops it.")
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"port to serve on (default {DEFAULT_PORT})")
    p.add_argument("--address", default=DEFAULT_ADDRESS,
                   help=f"address to serve on (default {DEFAULT_ADDRESS}, this machine only; "
                        "0.0.0.0 for the network)")
    return p


def _die_with_parent():
    """Linux: have the kernel send the child SIGTERM when the launcher dies (best effort)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    PR_SET_PDEATHSIG = 1

    def preexec():                    # runs in the child between fork and exec
        prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))
    return preexec


def _exit_code(returncode):
    return 128 - returncode if returncode < 0 else returncode


def run(cmd, *, grace=STOP_GRACE, popen=None, env=None):
    """Run ``cmd``, forwarding SIGTERM/SIGINT to it; wait for it and return its exit code.

    The first forwarded signal starts a ``grace`` period after which a child
    still running is killed.  The previous signal handlers are restored.
    ``env`` is the child's environment (default: this process's).
    """
    popen = popen or subprocess.Popen
    proc = None
    pending = []                      # signals received before the child existed
    stop_asked = []                   # monotonic time of the first forwarded signal

    def forward(signum, frame):       # noqa: ARG001 - signal handler signature
        if not stop_asked:
            stop_asked.append(time.monotonic())
        if proc is None:
            pending.append(signum)
        elif proc.poll() is None:
            try:
                proc.send_signal(signum)
            except ProcessLookupError:
                pass

    previous = {s: signal.signal(s, forward) for s in FORWARDED}
    try:
        proc = popen(cmd, preexec_fn=_die_with_parent(), env=env)
        if pending:
            proc.send_signal(pending[-1])
        while True:
            try:
                return _exit_code(proc.wait(timeout=0.2))
            except subprocess.TimeoutExpired:
                if stop_asked and time.monotonic() - stop_asked[0] > grace:
                    proc.kill()
    finally:
        if proc is not None and proc.poll() is None:     # an exception above: leave nothing
            proc.kill()
            proc.wait()
        for s, handler in previous.items():
            signal.signal(s, handler)


def main(argv=None):
    """Serve the dashboard; returns the exit code."""
    args = _parser().parse_args(argv)
    if not 0 < args.port < 65536:
        print(f"{PROG}: error: '--port' must be in 1-65535: {args.port}", file=sys.stderr)
        return EXIT_BAD_INPUT
    app = app_path()
    if not app.is_file():
        print(f"{PROG}: error: the dashboard app is missing ({app})", file=sys.stderr)
        return EXIT_INTERNAL
    cmd = streamlit_command(app, args.port, args.address)
    print(f"ccwfm dashboard: http://{args.address}:{args.port} (Ctrl+C stops it)",
          file=sys.stderr, flush=True)
    root = files.make_root()
    try:
        # Streamlit runs each session in a thread of its own; two malloc arenas (instead of
        # glibc's 8 per core) keep the memory planners free from staying with the server.
        env = {"MALLOC_ARENA_MAX": "2", **os.environ, files.ROOT_ENV: str(root)}
        return run(cmd, env=env)
    finally:
        files.remove(root)


if __name__ == "__main__":
    sys.exit(main())
