"""Sessions of the dashboard are isolated and leave nothing behind.

Two AppTest sessions upload files under hostile names (``...csv``,
``../x.csv``, absolute paths, very long, unicode and control characters)
with different data, in turn (a name with a NUL byte is refused by
Streamlit itself before the app sees it): each sees only its own data (its FTE is the
one ``plan`` computes from its own file alone), every file lands in the
session's own private folder under the root, nothing anywhere else, and a
scenario file cannot reach another session's file (or any file) by path.
Streamlit's own end-of-session path (the session-scoped resource cache
being cleared) removes the session's folder.  The real server, stopped by
SIGTERM, is checked in ``test_serve.py``; closing a real browser (session
end, download links) in ``test_browser.py``.
"""

import importlib.util
import json
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, strategies as st
from streamlit.runtime import caching
from streamlit.testing.v1 import AppTest

from tests._fuzz import outcome

from ccwfm import plan
from ccwfm.dashboard import files, state

APP = importlib.util.find_spec("ccwfm.dashboard.app").origin
APPTEST_SESSION = "test session id"          # AppTest's one session id (every instance)
HOSTILE = ["...csv", "../x.csv", "/tmp/history.csv", "../../" + "a" * 300 + ".csv",
           "ünï\u202ecødé 名\x01\x7f\r\n\t.csv", "..\\..\\evil.csv", ".csv", "./history.csv"]
VOLUME = {"a": 10.0, "b": 80.0}


def interval_csv(volume):
    """Five weeks of hourly intervals of one queue (no queue column: named after the file)."""
    start = pd.date_range("2024-01-01", periods=24 * 7 * 5, freq="60min")
    return pd.DataFrame({"start": start, "volume": volume, "aht": 300.0}).to_csv(
        index=False).encode()


@pytest.fixture
def tmp(tmp_path, monkeypatch):
    """A private system temp folder and working folder: whatever the app writes lands here."""
    tmp, cwd = tmp_path / "tmp", tmp_path / "cwd"
    tmp.mkdir()
    cwd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.chdir(cwd)
    monkeypatch.delenv(files.ROOT_ENV, raising=False)
    monkeypatch.setattr(files, "_root", None)
    yield tmp
    assert not any(cwd.iterdir()), list(cwd.iterdir())


def session(weeks=1):
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.number_input(key="weeks").set_value(weeks).run()
    ok(at)
    return at


def ok(at):
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def upload(at, name, data):
    if at.radio(key="data_source").value != "Interval file (CSV or Excel)":
        at.radio(key="data_source").set_value("Interval file (CSV or Excel)").run()
    at.file_uploader(key="upload_intervals").set_value((name, data, "text/csv")).run()
    at.button(key="use_intervals").click().run()
    ok(at)
    assert any(s.value.startswith("Loaded 840 intervals") for s in at.success)
    return at


def open_scenario(at, text):
    at.radio(key="data_source").set_value("Scenario file (TOML)").run()
    at.file_uploader(key="upload_scenario").set_value(("s.toml", text.encode(), "text/plain"))
    at.run()
    at.button(key="use_scenario").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def staffing_fte(at):
    at.sidebar.radio(key="page").set_value("Staffing").run()
    ok(at)
    fte = float(next(m for m in at.metric if m.label == "FTE").value.replace(",", ""))
    at.sidebar.radio(key="page").set_value("Data").run()
    return fte


def expected_fte(volume, folder):
    """The FTE ``plan`` gives for one session's file alone, without the dashboard."""
    hist = plan.load_history(interval_csv(volume), queue="queue")
    sc = plan.history_scenario(hist, folder, name="x", weeks=1)
    fc, _ = plan.forecast_demand(sc, folder)
    return round(float(plan.quick_plan(sc, fc).summary["fte"].sum()), 1)


def folder_of(at):
    return files.root() / at.session_state[state.TOKEN]


def assert_only_session_folders(tmp, sessions):
    """The temp folder holds the root only; the root the sessions' private folders only."""
    root = files.root()
    assert sorted(p.name for p in tmp.iterdir()) == [root.name]
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert sorted(p.name for p in root.iterdir()) == sorted(
        [files.MARK] + [at.session_state[state.TOKEN] for at in sessions.values()])
    for key, at in sessions.items():
        folder = folder_of(at)
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert [p.name for p in folder.iterdir()] == [plan.HISTORY_FILE]
        volumes = pd.read_csv(folder / plan.HISTORY_FILE)["volume"]
        assert set(volumes) == {VOLUME[key]}, (key, set(volumes))


def test_two_sessions_with_hostile_file_names_see_only_their_own_data(tmp, tmp_path):
    want = {k: expected_fte(v, tmp_path / f"ref_{k}") for k, v in VOLUME.items()}
    assert want["b"] > 3 * want["a"]                  # a swap of data could not go unseen
    sessions = {"a": session(), "b": session()}
    assert sessions["a"].session_state[state.TOKEN] != sessions["b"].session_state[state.TOKEN]
    for name in HOSTILE:
        for key, at in sessions.items():               # in turn: a, b, a, b, ...
            upload(at, name, interval_csv(VOLUME[key]))
            sc = at.session_state[state.SCENARIO]
            assert sc.name == files.label(name, "upload")
            assert sc.queues[0].name == files.label(name, "queue")
        assert_only_session_folders(tmp, sessions)
    for key, at in sessions.items():
        assert staffing_fte(at) == pytest.approx(want[key], abs=0.051)

    # b opens scenario files pointing at a's file (or any file): refused, b keeps its data.
    a_file = folder_of(sessions["a"]) / plan.HISTORY_FILE
    b = sessions["b"]
    own = b.session_state[state.SCENARIO].to_toml()
    assert own.count(f'history = "{plan.HISTORY_FILE}"') == 1
    for ref in (str(a_file), f"../{sessions['a'].session_state[state.TOKEN]}/history.csv",
                "/etc/passwd", "history.csv/../history.csv"):
        open_scenario(b, own.replace(f'history = "{plan.HISTORY_FILE}"',
                                     f"history = {json.dumps(ref)}"))
        (err,) = [e.value for e in b.error]
        assert "could not be used" in err and f"'queues[{files.label(HOSTILE[-1], 'queue')}]" \
               f".history' must be 'history.csv'" in err, err
        assert repr(ref) in err
    assert staffing_fte(b) == pytest.approx(want["b"], abs=0.051)
    # ... while its own file, by the name the downloaded scenario gives it, opens.
    open_scenario(b, own.replace('name = "', 'name = "reopened ', 1))
    ok(b)
    assert b.session_state[state.SCENARIO].name.startswith("reopened")
    assert staffing_fte(b) == pytest.approx(want["b"], abs=0.051)
    assert staffing_fte(sessions["a"]) == pytest.approx(want["a"], abs=0.051)
    assert_only_session_folders(tmp, sessions)


def test_a_file_name_with_a_nul_byte_is_refused_by_streamlit_before_the_app_runs(tmp):
    at = session()
    at.radio(key="data_source").set_value("Interval file (CSV or Excel)").run()
    at.file_uploader(key="upload_intervals").set_value(("a\x00.csv", interval_csv(10.0),
                                                         "text/csv"))
    at.run()
    assert any("null bytes" in e.message for e in at.exception)
    assert at.session_state[state.SCENARIO].name == "demo"
    assert not any(tmp.iterdir())


def test_a_scenario_file_needs_an_upload_of_its_session_to_use_history_csv(tmp):
    at = session()
    text = plan.demo_scenario(weeks=1).to_toml().replace("demo = true", 'history = "history.csv"')
    open_scenario(at, text)
    (err,) = [e.value for e in at.error]
    assert "'queues[voice].history' refers to the file loaded on this page, but none" in err
    assert at.session_state[state.SCENARIO].name == "demo"           # unchanged
    assert not any(tmp.iterdir())


def test_a_session_that_writes_nothing_makes_no_folder(tmp):
    at = session()
    at.button(key="load_demo").click().run()
    ok(at)
    open_scenario(at, plan.demo_scenario(weeks=1).to_toml().replace('name = "demo"',
                                                                     'name = "only demo"'))
    ok(at)
    assert at.session_state[state.SCENARIO].name == "only demo"
    assert not any(tmp.iterdir())            # no root, no session folder
    labels = {b.proto.label: b.proto for b in at.get("download_button")}
    assert "Download the scenario only (TOML)" in labels


def test_the_end_of_a_session_removes_its_folder_and_a_later_run_makes_it_again(tmp):
    at = upload(session(), "...csv", interval_csv(VOLUME["a"]))
    folder = folder_of(at)
    assert (folder / plan.HISTORY_FILE).is_file()
    # What Streamlit runs when a session's connection closes or the session is shut
    # down (AppSession.clear_session_caches): the session-scoped resources are released.
    caching.clear_session_resource_cache(APPTEST_SESSION)
    assert not folder.exists()
    assert sorted(p.name for p in files.root().iterdir()) == [files.MARK]
    # The session goes on (a reconnection): its scenario is intact, a new upload works.
    assert at.session_state[state.SCENARIO].name == "upload"
    upload(at, "second.csv", interval_csv(VOLUME["b"]))
    assert (folder / plan.HISTORY_FILE).is_file()
    caching.clear_session_resource_cache(APPTEST_SESSION)
    assert not folder.exists()


# -- the folders themselves ----------------------------------------------------------------------

def test_a_write_running_when_the_session_ends_is_removed_when_it_finishes(tmp):
    sf = files.SessionFiles(files.new_token())
    sf.release()                                      # nothing was written: nothing to do
    assert sf.path is None and not any(tmp.iterdir())
    sf = files.SessionFiles(files.new_token())
    with sf.writing() as folder:
        (folder / "a.csv").write_text("x")
        sf.release()                                  # the session ends during the write,
        assert not folder.exists()
        folder.mkdir(parents=True, exist_ok=True)     # which goes on (as history_scenario's)
        (folder / "b.csv").write_text("y")
    assert not folder.exists()
    with pytest.raises(ValueError, match="'token' must be 32 hexadecimal digits"):
        files.SessionFiles("../x")


def _dead_pid():
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_only_a_marked_private_root_is_accepted_and_only_dead_launchers_roots_swept(tmp):
    root = files.make_root()
    assert root.parent == tmp and root.name.startswith(files.PREFIX)
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert files.given_root({files.ROOT_ENV: str(root)}) == root
    link = tmp / "link"
    link.symlink_to(root)
    plain = tmp / "plain"
    plain.mkdir(mode=0o700)
    opened = Path(tempfile.mkdtemp(prefix=files.PREFIX))
    (opened / files.MARK).write_text(f"{os.getpid()}\n")
    opened.chmod(0o755)
    for bad in ("", "relative/path", str(link), str(plain), str(opened), str(root / files.MARK),
                str(tmp / "missing"), "/tmp/\x00x"):
        assert files.given_root({files.ROOT_ENV: bad}) is None, bad
    assert files.given_root({}) is None
    # sweep: a root whose launcher is gone goes; a live one, and anything unmarked, stays.
    dead = files.make_root()
    (dead / files.MARK).write_text(f"{_dead_pid()}\n")
    (dead / ("0" * 32)).mkdir()
    assert files.sweep(tmp) == [dead]
    assert root.is_dir() and plain.is_dir() and opened.is_dir() and not dead.exists()


@given(st.text(max_size=400))
def test_a_label_or_file_name_never_forms_a_path(name):
    for out in (outcome(files.label, name, "upload"), outcome(files.file_name, name, "csv")):
        assert isinstance(out, str) and 0 < len(out) <= 64
        assert "/" not in out and "\\" not in out and not out.startswith(".")
        assert not any(ord(c) < 32 or ord(c) == 127 for c in out)
        assert out not in (".", "..") and Path(out).name == out
        assert (Path("/root") / out).parent == Path("/root")
    assert outcome(files.file_name, name, "csv").endswith(".csv")

