"""``python -m ccwfm.dashboard``: the Streamlit command it runs, its options, its signals,
and the root folder of the sessions' files it makes and removes."""

import importlib.util
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.dashboard._server import free_port, healthy

from ccwfm import plan
from ccwfm.dashboard import __main__ as serve
from ccwfm.dashboard import files

APP = Path(importlib.util.find_spec("ccwfm.dashboard.app").origin).resolve()


class FakeProc:
    """Stands in for the streamlit child.

    It exits with ``returncode`` at the first wait, or, with
    ``until_signal``, only when sent a signal (never if not ``obey``);
    ``on_wait`` runs once at the first wait.
    """

    def __init__(self, cmd, returncode=0, until_signal=False, obey=True, on_wait=None,
                 **kwargs):
        self.cmd, self.kwargs = cmd, kwargs
        self.pid = 999_999
        self.final, self.until_signal, self.obey, self.on_wait = (returncode, until_signal,
                                                                  obey, on_wait)
        self.returncode = None
        self.signals = []
        self.killed = False

    def poll(self):
        return self.returncode

    def send_signal(self, signum):
        self.signals.append(signum)
        if self.obey:
            self.returncode = self.final

    def kill(self):
        self.killed = True
        self.returncode = -signal.SIGKILL

    def wait(self, timeout=None):
        if self.on_wait is not None:
            hook, self.on_wait = self.on_wait, None
            hook()
        if self.returncode is None and not self.until_signal:
            self.returncode = self.final
        if self.returncode is None:
            time.sleep(0.05)
            raise subprocess.TimeoutExpired(self.cmd, timeout)
        return self.returncode


@pytest.fixture
def popen(monkeypatch, tmp_path):
    """Replace subprocess.Popen; yields (the fakes started, options for the next fakes).

    The system temp folder is ``tmp_path`` (where the launcher makes its root).
    """
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    started, options = [], {}

    def fake(cmd, **kwargs):
        proc = FakeProc(cmd, **options, **kwargs)
        started.append(proc)
        return proc

    monkeypatch.setattr(subprocess, "Popen", fake)
    return started, options


def test_main_runs_streamlit_on_the_packages_app_with_the_cli_options(popen, capsys):
    started, _ = popen
    assert serve.main(["--port", "8765", "--address", "0.0.0.0"]) == 0
    (proc,) = started
    assert proc.cmd == [sys.executable, "-m", "streamlit", "run", str(APP),
                        "--server.port", "8765", "--server.address", "0.0.0.0",
                        "--server.headless", "true",
                        "--server.maxUploadSize", str(plan.MAX_UPLOAD_MB),
                        "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
                        "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
    assert APP.is_file() and APP.parent == Path(serve.__file__).resolve().parent
    assert "http://0.0.0.0:8765" in capsys.readouterr().err


def test_defaults_are_port_8501_on_this_machine_only(popen):
    started, _ = popen
    assert serve.main([]) == 0
    cmd = started[0].cmd
    assert cmd[cmd.index("--server.port") + 1] == "8501"
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"


@pytest.mark.parametrize("port", ["0", "65536", "-1"])
def test_a_port_out_of_range_is_refused_with_exit_code_2(popen, capsys, port):
    started, _ = popen
    assert serve.main(["--port", port]) == 2
    assert f"'--port' must be in 1-65535: {port}" in capsys.readouterr().err
    assert started == []                          # nothing was started


@pytest.mark.parametrize("argv", [["--port", "http"], ["--colour", "blue"]])
def test_bad_options_exit_with_code_2(popen, capsys, argv):
    with pytest.raises(SystemExit) as exc:
        serve.main(argv)
    assert exc.value.code == 2
    assert "python -m ccwfm.dashboard: error:" in capsys.readouterr().err
    assert popen[0] == []


@pytest.mark.parametrize("child, expected", [(0, 0), (3, 3), (-signal.SIGTERM, 143)])
def test_the_exit_code_is_the_childs(popen, child, expected):
    popen[1]["returncode"] = child
    assert serve.main(["--port", "8765"]) == expected


@pytest.mark.parametrize("child", [0, 3, -signal.SIGTERM])
def test_the_root_is_handed_to_the_child_and_removed_when_it_stops(popen, tmp_path, child):
    seen = []

    def during():                       # while the server runs
        root = Path(popen[0][0].kwargs["env"][files.ROOT_ENV])
        seen.append(root)
        assert files.given_root(popen[0][0].kwargs["env"]) == root
        assert root.parent == tmp_path and root.name.startswith(files.PREFIX)
        assert (root / files.MARK).read_text().split() == [str(os.getpid())]
        (root / ("0" * 32)).mkdir(mode=0o700)                  # a session's folder
        (root / ("0" * 32) / "history.csv").write_text("x")

    popen[1].update(returncode=child, on_wait=during)
    assert serve.main(["--port", "8765"]) == (child if child >= 0 else 128 - child)
    assert seen and not seen[0].exists()
    assert list(tmp_path.iterdir()) == []


def test_the_root_is_removed_when_starting_the_child_fails(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def broken(cmd, **kwargs):
        assert Path(kwargs["env"][files.ROOT_ENV]).is_dir()
        raise OSError("no python")

    monkeypatch.setattr(subprocess, "Popen", broken)
    with pytest.raises(OSError):
        serve.main(["--port", "8765"])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_are_forwarded_and_handlers_restored(signum):
    before = {s: signal.getsignal(s) for s in serve.FORWARDED}
    procs = []

    def start(cmd, **kwargs):          # the launcher itself gets the signal while it waits
        procs.append(FakeProc(cmd, until_signal=True,
                              on_wait=lambda: os.kill(os.getpid(), signum), **kwargs))
        return procs[-1]

    assert serve.run(["streamlit"], popen=start) == 0
    assert procs[0].signals == [signum] and not procs[0].killed
    assert {s: signal.getsignal(s) for s in serve.FORWARDED} == before


def test_a_signal_before_the_child_exists_is_forwarded_once_it_does():
    procs = []

    def start(cmd, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)          # arrives while the child is starting
        procs.append(FakeProc(cmd, until_signal=True, **kwargs))
        return procs[-1]

    assert serve.run(["streamlit"], popen=start) == 0
    assert procs[0].signals == [signal.SIGTERM]


def test_a_child_that_ignores_the_signal_is_killed_after_the_grace_period():
    procs = []

    def start(cmd, **kwargs):
        procs.append(FakeProc(cmd, until_signal=True, obey=False,
                              on_wait=lambda: os.kill(os.getpid(), signal.SIGTERM), **kwargs))
        return procs[-1]

    t0 = time.monotonic()
    assert serve.run(["streamlit"], grace=0.3, popen=start) == 128 + signal.SIGKILL
    assert procs[0].signals == [signal.SIGTERM] and procs[0].killed
    assert time.monotonic() - t0 < 5


# -- for real: a streamlit server started through the package, stopped by SIGTERM ---------------

def _alive(pid):
    """True while ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:                              # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 0), (signal.SIGKILL, -signal.SIGKILL)],
                         ids=["SIGTERM", "SIGKILL"])
def test_stopping_the_launcher_ends_its_streamlit_child(tmp_path, signum, code):
    if signum == signal.SIGKILL and not sys.platform.startswith("linux"):
        pytest.skip("a killed launcher stops its child through Linux's PR_SET_PDEATHSIG")
    psutil = pytest.importorskip("psutil")          # installed with dask's distributed
    port = free_port()
    log = tmp_path / "dashboard.log"
    tmp = tmp_path / "tmp"                           # the system temp folder of the server
    tmp.mkdir()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(tmp)}
    env.pop(files.ROOT_ENV, None)
    env.pop("PYTHONPATH", None)
    with open(log, "wb") as out:
        # cwd is an empty folder: the app is found through the installed package.
        launcher = subprocess.Popen([sys.executable, "-m", "ccwfm.dashboard", "--port", str(port),
                                     "--address", "127.0.0.1"], cwd=tmp_path, env=env,
                                    stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT)
    children = []
    try:
        deadline = time.monotonic() + 60
        while not healthy(f"http://127.0.0.1:{port}"):
            if launcher.poll() is not None or time.monotonic() > deadline:
                pytest.skip(f"streamlit did not start (launcher exit code {launcher.poll()}): "
                            f"{log.read_text(errors='replace')[-800:]}")
            time.sleep(0.25)
        children = [c.pid for c in psutil.Process(launcher.pid).children()]
        assert len(children) == 1, children
        assert "streamlit" in psutil.Process(children[0]).cmdline()
        (root,) = tmp.iterdir()                      # the root, handed to the child
        assert root.name.startswith(files.PREFIX) and (root / files.MARK).is_file()
        assert root.stat().st_mode & 0o777 == 0o700
        assert psutil.Process(children[0]).environ()[files.ROOT_ENV] == str(root)
        launcher.send_signal(signum)
        assert launcher.wait(timeout=15) == code, log.read_text(errors="replace")
        deadline = time.monotonic() + 10
        while _alive(children[0]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(children[0]), f"streamlit child {children[0]} still running"
        assert not healthy(f"http://127.0.0.1:{port}")
        if signum == signal.SIGKILL:
            # Nobody could remove the root of a launcher killed before any session ran;
            # the next launcher's sweep does (its marker names a process that is gone).
            assert not root.exists() or files.sweep(tmp) == [root]
        assert list(tmp.iterdir()) == []
    finally:
        for pid in children:                      # the test's own processes, by id
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
