"""Property tests of the ``ccwfm`` command line: random argument lists into ``main``.

The work itself is replaced by a stub (the plan, the comparison, the
dashboard's ``execv``), so that an argument list that passes every check
costs nothing: it is recorded as reaching the work.  Every other outcome
must be exit code 0 (``--help``, ``--print-scenario``) or the documented
bad-input code with one line on stderr naming the problem, never a
traceback.
"""

import contextlib
import io
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccwfm.plan import cli

TINY = """
[scenario]
name = "tiny"
start = 2025-09-01
weeks = 1

[[queues]]
name = "voice"
demo = true

[workforce]
interval = 60
"""

COMMANDS = ["demo", "forecast", "staff", "simulate", "schedule", "capacity", "scenarios",
            "dashboard"]
OPTIONS = ["--out", "--weeks", "--quiet", "--scheduler", "--port", "--address",
           "--print-scenario", "--help", "-h", "--bogus", "--weeks=3", "--port=0", "--"]
VALUES = ["0", "-1", "1", "3", "104", "105", "1e9", "nan", "inf", "x", "", " ", "65536", "8501",
          "\u0663", "9" * 5000, "tcp://127.0.0.1:8786", "tcp://", "0.0.0.0", "a b", "demo"]


class _Reached(Exception):
    """The arguments passed every check and the work would start."""


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    (d / "tiny.toml").write_text(TINY)
    (d / "garbled.toml").write_text("[scenario\nname = 1\n")
    (d / "bad.toml").write_text(TINY.replace("weeks = 1", "weeks = 1000"))
    (d / "folder.toml").mkdir()
    (d / "latin1.toml").write_bytes(b"name = 'caf\xe9'\n")
    return [str(d / n) for n in ("tiny.toml", "garbled.toml", "bad.toml", "folder.toml",
                                 "latin1.toml", "missing.toml")] + ["/dev/null", str(d)]


def _stub(*args, **kwargs):
    raise _Reached()


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with mock.patch.object(cli.pipeline, "run", _stub), \
            mock.patch.object(cli, "compare", _stub), \
            mock.patch.object(cli.os, "execv", _stub), \
            contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


def _check(argv, code, out, err):
    assert "Traceback" not in err and "Traceback" not in out, (argv, err)
    assert code in (cli.EXIT_OK, cli.EXIT_INTERNAL, cli.EXIT_BAD_INPUT), (argv, code)
    reached = "_Reached" in err
    # Only the stub can end in an internal error: every bad input is exit code 2.
    assert (code == cli.EXIT_INTERNAL) == reached, (argv, code, err)
    if code == cli.EXIT_BAD_INPUT:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("ccwfm"), (argv, err)
        assert "error:" in lines[0], (argv, err)
    if code == cli.EXIT_OK:
        assert out and not err.strip() or "--help" in argv or "-h" in argv, (argv, out, err)


@given(st.data())
def test_random_arguments_exit_with_a_documented_code(files, data):
    token = st.one_of(st.sampled_from(COMMANDS), st.sampled_from(OPTIONS),
                      st.sampled_from(VALUES), st.sampled_from(files),
                      st.text(max_size=12))
    head = data.draw(st.one_of(st.sampled_from(COMMANDS), st.text(max_size=8)))
    argv = [head] + data.draw(st.lists(token, max_size=6))
    code, out, err = _run(argv)
    _check(argv, code, out, err)


@given(st.sampled_from(COMMANDS[1:7]), st.sampled_from(VALUES + ["-5", "2.5", "1_0"]))
def test_weeks_is_refused_unless_a_whole_number_within_the_limit(files, command, weeks):
    argv = [command, "demo" if command == "scenarios" else files[0], "--weeks", weeks]
    code, out, err = _run(argv)
    _check(argv, code, out, err)
    try:
        ok = 1 <= int(weeks) <= 104
    except ValueError:
        ok = False
    assert code == (cli.EXIT_INTERNAL if ok else cli.EXIT_BAD_INPUT), (argv, err)
    if not ok:
        assert "'--weeks'" in err or "expected one argument" in err, err


def test_each_bad_argument_class_of_each_command(files):
    tiny, garbled, bad, folder, latin1, missing, devnull, _ = files
    for command in COMMANDS[1:7]:
        for argv, field in [
            ([command, missing], "'scenario' must be a scenario file (TOML) that exists"),
            ([command, folder], "'scenario' must be a scenario file (TOML), not a folder"),
            ([command, garbled], "is not valid TOML: "),
            ([command, bad], "'scenario.weeks' must be <= 104 weeks"),
            ([command, latin1], "is not UTF-8 text"),
            ([command, devnull], "not a regular file"),
            ([command, tiny, "--weeks", "0"], "'--weeks' must be a whole number >= 1: 0"),
            ([command, tiny, "--out", tiny], "'--out' must be a folder, not a file"),
            ([command, tiny, "--port", "1"], "unrecognized arguments: --port"),
        ]:
            code, out, err = _run(argv)
            _check(argv, code, out, err)
            assert code == cli.EXIT_BAD_INPUT and field in err, (argv, err)
        code, out, err = _run([command, tiny, "--weeks", "2"])
        assert code == cli.EXIT_INTERNAL and "_Reached" in err      # valid: the work starts
