"""Atomic outputs: nothing half-written or left over after an error, a signal or a kill;
permissions that follow the umask."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest
import xlsxwriter  # noqa: F401 - imported before forking, not in the child

from ccwfm.plan import _atomic, report
from ccwfm.plan._atomic import remove_stale, write_atomic

LINUX = sys.platform.startswith("linux")


def _child(code, *args):
    """Start ``python -c code args`` with its stdout piped (lines read by the test)."""
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(proc, word, seconds=60):
    """Read the child's stdout until a line ``word``; fail with its stderr otherwise."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.strip() == word:
            return
        if not line and proc.poll() is not None:
            break
    proc.kill()
    pytest.fail(f"child never said {word!r}: {proc.stderr.read()}")


@pytest.mark.parametrize("error", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_a_writer_failing_mid_write_leaves_no_file(tmp_path, error):
    def broken(tmp):
        with open(tmp, "w") as fh:
            fh.write("partial" * 1000)
        raise error

    with pytest.raises(type(error)):
        write_atomic(tmp_path / "new.csv", broken)
    old = tmp_path / "old.csv"
    old.write_text("old\n")
    with pytest.raises(type(error)):
        write_atomic(old, broken)
    assert old.read_text() == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["old.csv"]


def test_a_writer_replacing_its_file_gets_the_umask_mode_back(tmp_path):
    def private(tmp):                         # a library writing its own file, 0600
        os.unlink(tmp)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, b"x")
        os.close(fd)

    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "a.txt", private)
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644
    assert os.listdir(tmp_path) == ["a.txt"]


# A child running ``ccwfm demo`` twice, whose plan writes a big CSV slowly through the
# real writers; it says "writing" once the temporary file exists.  The test stops the
# first run with Ctrl+C (SIGINT), the second with SIGTERM.
_SLOW_CLI = """
    import signal, sys, time
    import pandas as pd
    from ccwfm.plan import cli, report
    from ccwfm.plan._atomic import write_atomic

    # As in a terminal, even if the test runner was started with these ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def slow_plan(args):
        frame = pd.DataFrame({"queue": ["=cmd()"] * 1000, "agents": range(1000)})
        def rows(tmp):
            with open(tmp, "w") as fh:
                for i in range(100000):
                    fh.write(report.csv_bytes(frame).decode())
                    fh.flush()
                    if i == 0:
                        print("writing", flush=True)
                    time.sleep(0.01)
        write_atomic(cli._out(args) / "big.csv", rows)
        return 0

    cli._run_plan = slow_plan
    argv = ["demo", "--out", sys.argv[1], "--quiet"]
    print("exit", cli.main(argv), flush=True)
    sys.exit(cli.main(argv))
"""


def test_a_stopped_cli_exits_cleanly_and_leaves_no_temporary_file(tmp_path):
    out = tmp_path / "out"
    proc = _child(_SLOW_CLI, out)
    for sig in (signal.SIGINT, signal.SIGTERM):
        _wait_for(proc, "writing")
        names = os.listdir(out)
        assert len(names) == 1 and names[0].startswith(".big.ccwfm-")  # the temporary file
        assert (out / names[0]).stat().st_size > 0
        proc.send_signal(sig)
        if sig == signal.SIGINT:
            _wait_for(proc, "exit 130")
            assert os.listdir(out) == []
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "ccwfm demo: interrupted" in err and "ccwfm demo: stopped by SIGTERM" in err
    assert "Traceback" not in err
    assert os.listdir(out) == []


def _forked(work):
    """Run ``work(say)`` in a forked child (cheap: nothing to import); returns its pid and
    a pipe on which ``say(word)`` arrives.  The child exits 0, or 1 on an exception."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:                                            # the child
        code = 1
        try:
            os.close(read)
            work(lambda word: os.write(write, word.encode() + b"\n"))
            code = 0
        except BaseException:                              # noqa: BLE001 - shown, then exit
            import traceback
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(write)
    return pid, os.fdopen(read)


def _exit_code(pid):
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


@fork
def test_a_killed_writers_temporary_file_is_removed_by_the_next_write(tmp_path):
    def forever(say):
        def write(tmp):
            with open(tmp, "w") as fh:
                fh.write("partial")
            say("writing")
            time.sleep(600)
        write_atomic(tmp_path / "plan.xlsx", write)

    pid, said = _forked(forever)
    with said:
        assert said.readline().strip() == "writing"
    os.kill(pid, signal.SIGKILL)                             # nothing runs: no clean-up
    assert _exit_code(pid) == -signal.SIGKILL
    (stale,) = os.listdir(tmp_path)
    assert f"-{pid}-" in stale and stale.startswith(".plan.ccwfm-") and \
        stale.endswith(".tmp.xlsx")

    # Temporary files that must stay: a live writer's, and another host's.
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        host, start = _atomic._host(), _atomic._start_time(live.pid)
        other = "f" * 8 if host != "f" * 8 else "0" * 8
        keep = [f".a.csv.ccwfm-{host}-{live.pid}-{start}-0123abcd.tmp.csv",
                f".b.csv.ccwfm-{other}-{pid}-1-0123abcd.tmp.csv"]
        # A pid reused by another process (other start time) is a dead writer's.
        reused = f".c.csv.ccwfm-{host}-{live.pid}-{start + 1}-0123abcd.tmp.csv"
        for name in keep + ([reused] if LINUX and start else []):
            (tmp_path / name).write_text("partial")
        write_atomic(tmp_path / "other.csv", lambda tmp: open(tmp, "w").write("x\n"))
        assert sorted(os.listdir(tmp_path)) == sorted(keep + ["other.csv"])
        assert remove_stale(tmp_path) == []
    finally:
        live.kill()
        live.wait()


@fork
@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_outputs_follow_the_umask(tmp_path, umask):
    # In a child process: the umask is per process.
    out = tmp_path / "new" / "folder"
    frame = pd.DataFrame({"queue": ["voice"], "agents": [3]})

    def outputs(say):
        os.umask(umask)
        report.write_csv(frame, out / "t.csv")
        report.write_workbook({"t": frame}, out / "t.xlsx")
        write_atomic(out / "t.bin", lambda tmp: open(tmp, "wb").write(b"x"))
        report.write_csv(frame, out / "t.csv")                  # over an existing file

    pid, said = _forked(outputs)
    said.close()
    assert _exit_code(pid) == 0
    assert sorted(os.listdir(out)) == ["t.bin", "t.csv", "t.xlsx"]
    for name in os.listdir(out):
        assert (out / name).stat().st_mode & 0o7777 == 0o666 & ~umask, name
    for folder in (tmp_path / "new", out):
        assert folder.stat().st_mode & 0o7777 == 0o777 & ~umask
