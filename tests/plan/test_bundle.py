"""Save and reopen a plan (zip): same scenario, data, what-ifs and the same plan; every
damaged or hostile zip refused with the file and field named."""

import hashlib
import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from ccwfm import forecast, plan
from ccwfm.plan import bundle as bmod


def _history(weeks=5, interval=60, seed=2):
    """An uploaded interval history (as the dashboard holds it after load_history)."""
    h = forecast.demo_history(seed=seed, start=pd.Timestamp("2025-01-06"), weeks=weeks,
                              interval=interval)
    h = forecast.History(h.frame[h.frame["queue"].isin(["voice", "email"])]
                         .reset_index(drop=True), h.interval)
    csv = h.frame[["queue", "start", "volume", "aht", "abandoned"]].to_csv(index=False).encode()
    return plan.history_for_scenario(plan.load_history(csv))


@pytest.fixture(scope="module")
def uploaded(tmp_path_factory):
    hist = _history()
    folder = tmp_path_factory.mktemp("up")
    sc = plan.history_scenario(hist, folder, name="uploaded", weeks=1)
    return sc, hist


def _files(data):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _zip(files, manifest_fix=True):
    """A zip of ``files`` (name -> bytes), the manifest's checksums made to match."""
    files = dict(files)
    if manifest_fix and "manifest.json" in files:
        m = json.loads(files["manifest.json"])
        m["files"] = [{"name": n, "bytes": len(b), "sha256": hashlib.sha256(b).hexdigest()}
                      for n, b in files.items() if n != "manifest.json"]
        files["manifest.json"] = json.dumps(m).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, b in files.items():
            zf.writestr(n, b)
    return out.getvalue()


def test_demo_round_trip_is_the_same_plan_and_the_bytes_are_deterministic():
    sc = plan.demo_scenario(weeks=1)
    whatifs = {"bot 50": {"queues.voice.bot.containment": 0.5},
               "short": {"workforce.shrinkage": {"total": 0.2}, "queues.chat.patience": None}}
    data = plan.save_bundle(sc, whatifs=whatifs)
    assert data == plan.save_bundle(sc, whatifs=whatifs)
    assert sorted(_files(data)) == ["manifest.json", "scenario.toml", "whatifs.json"]
    b = plan.open_bundle(data)
    assert b.scenario == sc and b.sources == {} and b.name == sc.name
    assert list(b.whatifs) == ["bot 50", "short"] and b.whatifs == whatifs
    fc0 = plan.forecast_demand(sc)
    fc1 = plan.forecast_demand(b.scenario)
    pd.testing.assert_frame_equal(fc0.forecast, fc1.forecast, check_exact=True)
    q0, q1 = plan.quick_plan(sc, fc0.forecast), plan.quick_plan(b.scenario, fc1.forecast)
    pd.testing.assert_frame_equal(q0.summary, q1.summary, check_exact=True)
    pd.testing.assert_frame_equal(q0.requirements, q1.requirements, check_exact=True)


def test_uploaded_history_round_trip_gives_the_same_forecast_and_quick_plan(uploaded, tmp_path):
    sc, hist = uploaded
    src = {plan.HISTORY_FILE: hist}
    data = plan.save_bundle(sc, sources=src, whatifs={"a": {"queues.voice.aht_scale": 1.1}})
    b = plan.open_bundle(data)
    assert b.scenario == sc
    pd.testing.assert_frame_equal(b.sources[plan.HISTORY_FILE].frame, hist.frame,
                                  check_exact=True)
    assert b.sources[plan.HISTORY_FILE].interval == hist.interval
    before = plan.forecast_demand(sc, histories=plan.load_histories(sc, sources=src))
    after = plan.forecast_demand(b.scenario,
                                 histories=plan.load_histories(b.scenario, sources=b.sources))
    pd.testing.assert_frame_equal(before.forecast, after.forecast, check_exact=True)
    pd.testing.assert_frame_equal(before.models, after.models, check_exact=True)
    for over in ({}, b.whatifs["a"]):
        s0 = sc.with_overrides(over) if over else sc
        s1 = b.scenario.with_overrides(over) if over else b.scenario
        pd.testing.assert_frame_equal(plan.quick_plan(s0, before.forecast).summary,
                                      plan.quick_plan(s1, after.forecast).summary,
                                      check_exact=True)
    # Unzipped, the scenario file reads its history.csv from disk as ccwfm does: same forecast.
    for name, content in _files(data).items():
        (tmp_path / name).write_bytes(content)
    disk = plan.Scenario.from_toml(tmp_path / "scenario.toml")
    from_disk = plan.forecast_demand(disk, base_dir=tmp_path)
    pd.testing.assert_frame_equal(before.forecast, from_disk.forecast, check_exact=True)


def test_a_history_file_on_disk_is_carried_and_renamed(uploaded, tmp_path):
    sc, hist = uploaded
    hist.frame[["queue", "start", "volume", "aht", "abandoned"]].to_csv(tmp_path / "my calls.csv",
                                                                         index=False)
    moved = sc.with_overrides({f"queues.{q.name}.history": "my calls.csv" for q in sc.queues})
    b = plan.open_bundle(plan.save_bundle(moved, base_dir=tmp_path))
    assert {q.history for q in b.scenario.queues} == {plan.HISTORY_FILE}
    pd.testing.assert_frame_equal(b.sources[plan.HISTORY_FILE].frame, hist.frame)


def test_save_refuses_what_it_cannot_carry(uploaded):
    sc, hist = uploaded
    with pytest.raises(ValueError, match="'sources' must hold the history"):
        plan.save_bundle(sc)
    with pytest.raises(ValueError, match=r"whatifs\[bad\].*aht_scale.*must be > 0"):
        plan.save_bundle(sc, sources={plan.HISTORY_FILE: hist},
                         whatifs={"bad": {"queues.voice.aht_scale": -1}})
    with pytest.raises(ValueError, match="names no item"):
        plan.save_bundle(plan.demo_scenario(weeks=1), whatifs={"x": {"queues.nope.aht": 3}})
    acd = sc.to_dict()
    acd["queues"][0] = {"name": acd["queues"][0]["name"], "acd": "log.csv"}
    with pytest.raises(ValueError, match=r"\.acd' cannot be saved"):
        plan.save_bundle(plan.Scenario.from_dict(acd), sources={plan.HISTORY_FILE: hist})


@pytest.fixture(scope="module")
def good(uploaded):
    sc, hist = uploaded
    return _files(plan.save_bundle(sc, sources={plan.HISTORY_FILE: hist},
                                   whatifs={"w": {"queues.voice.concurrency": 1}}))


def _bad(good, **change):
    files = dict(good)
    for name, content in change.items():
        name = name.replace("_", ".", 1) if name in ("scenario_toml", "whatifs_json",
                                                     "history_csv", "manifest_json") else name
        if content is None:
            files.pop(name)
        else:
            files[name] = content
    return files


@pytest.mark.parametrize("change, message", [
    ({"scenario_toml": None}, "'bundle' must hold 'scenario.toml'"),
    ({"history_csv": None}, "'bundle' must hold 'history.csv'"),
    ({"manifest_json": None}, "'bundle' must hold 'manifest.json'"),
    ({"whatifs_json": None}, "'bundle' must hold 'whatifs.json'"),
    ({"scenario_toml": b"[scenario\nname = 1"}, "'scenario.toml': 'scenario' is not valid TOML"),
    ({"scenario_toml": b"[scenario]\nname='x'\nstart=2025-01-01\nweeks=0\n[[queues]]\n"
                       b"name='v'\ndemo=true\n"}, "'scenario.toml'.*'scenario.weeks' must be"),
    ({"whatifs_json": b'{"whatifs": [{"name": "w", "overrides": {"queues.voice.aht": -3}}]}'},
     r"'whatifs.json': 'whatifs\[w\]\.\"queues.voice.aht\"' must be > 0"),
    ({"whatifs_json": b"not json"}, "'whatifs.json' is not valid JSON"),
    ({"history_csv": b"queue,start,volume\nv,2025-01-01 08:00,-3\n"}, "'history.csv': .*volume"),
])
def test_a_damaged_part_is_named(good, change, message):
    with pytest.raises(ValueError, match=message):
        plan.open_bundle(_zip(_bad(good, **change)))


def test_checksum_version_and_zip_itself(good):
    files = dict(good)
    files["scenario.toml"] = files["scenario.toml"].replace(b"uploaded", b"changed!")
    with pytest.raises(ValueError, match="'scenario.toml' must match its sha256"):
        plan.open_bundle(_zip(files, manifest_fix=False))
    m = json.loads(good["manifest.json"])
    m["format_version"] = 99
    with pytest.raises(ValueError, match=r"format_version' must be 1 .*: 99"):
        plan.open_bundle(_zip({**good, "manifest.json": json.dumps(m).encode()},
                              manifest_fix=False))
    with pytest.raises(ValueError, match="must be a zip file"):
        plan.open_bundle(b"scenario = 1\n")
    with pytest.raises(ValueError, match="must be a zip file"):
        plan.open_bundle(_zip(good)[:200])


@pytest.mark.parametrize("name", ["../scenario.toml", "sub/history.csv", "/etc/passwd",
                                  "..", "other.txt"])
def test_paths_in_the_zip_are_refused(good, name):
    with pytest.raises(ValueError, match="'bundle' must hold"):
        plan.open_bundle(_zip({**good, name: b"x"}))


def test_a_zip_bomb_is_refused_before_it_is_unpacked(good, monkeypatch):
    monkeypatch.setattr(bmod, "MAX_UPLOAD_MB", 1)
    bomb = _zip({**good, "history.csv": b"0" * (3 * 2 ** 20)})
    assert len(bomb) < 2 ** 20 // 4
    with pytest.raises(ValueError, match="'history.csv' must be at most 1 MB unpacked"):
        plan.open_bundle(bomb)
    with pytest.raises(ValueError, match="'file' must be at most 1 MB"):
        plan.open_bundle(b"\0" * (2 ** 20 + 10))


# -- the command line opens a saved plan -----------------------------------------------------

def test_the_command_line_plans_a_saved_plan_and_its_whatifs(uploaded, tmp_path, capsys):
    """``ccwfm staff PLAN.zip`` plans the saved scenario on the data the zip carries (no file
    next to it), and ``--whatif NAME`` a saved what-if: the same tables as the scenario file
    and its history written to disk and planned the usual way."""
    from ccwfm.plan import cli
    sc, hist = uploaded
    src = {plan.HISTORY_FILE: hist}
    whatif = {"queues.voice.aht_scale": 1.2}
    data = plan.save_bundle(sc, sources=src, whatifs={"longer calls": whatif})
    path = tmp_path / "saved plan.zip"
    path.write_bytes(data)
    disk = tmp_path / "disk"
    disk.mkdir()
    for name, content in _files(data).items():
        (disk / name).write_bytes(content)
    (disk / "whatif.toml").write_text(sc.with_overrides(whatif).to_toml())

    def run(*args):
        out = tmp_path / f"out{len(list(tmp_path.iterdir()))}"
        assert cli.main([*args, "--out", str(out), "--quiet"]) == 0, capsys.readouterr().err
        return pd.read_csv(out / "requirements.csv")

    base = run("staff", str(path))
    pd.testing.assert_frame_equal(base, run("staff", str(disk / "scenario.toml")))
    longer = run("staff", str(path), "--whatif", "longer calls")
    pd.testing.assert_frame_equal(longer, run("staff", str(disk / "whatif.toml")))
    assert longer["required"].sum() > base["required"].sum()     # longer calls need more


@pytest.mark.parametrize("args, message", [
    (["--whatif", "nope"], "'whatif' must be a what-if saved in saved.zip ('a'): 'nope'"),
])
def test_the_command_line_names_a_missing_whatif(uploaded, tmp_path, capsys, args, message):
    from ccwfm.plan import cli
    sc, hist = uploaded
    path = tmp_path / "saved.zip"
    path.write_bytes(plan.save_bundle(sc, sources={plan.HISTORY_FILE: hist},
                                      whatifs={"a": {"queues.voice.aht_scale": 1.1}}))
    assert cli.main(["forecast", str(path), *args]) == cli.EXIT_BAD_INPUT
    assert message in capsys.readouterr().err


def test_the_command_line_refuses_whatif_without_a_saved_plan_and_a_zip_for_scenarios(
        uploaded, tmp_path, capsys):
    from ccwfm.plan import cli
    sc, hist = uploaded
    toml = tmp_path / "s.toml"
    toml.write_text(plan.demo_scenario(weeks=1).to_toml())
    assert cli.main(["forecast", str(toml), "--whatif", "a"]) == cli.EXIT_BAD_INPUT
    assert "'whatif' needs a plan saved by the dashboard (zip)" in capsys.readouterr().err
    path = tmp_path / "saved.zip"
    path.write_bytes(plan.save_bundle(sc, sources={plan.HISTORY_FILE: hist}))
    assert cli.main(["scenarios", str(path)]) == cli.EXIT_BAD_INPUT
    assert "'scenario' must be a scenario file (TOML) with [[variants]]" in capsys.readouterr().err
    bad = tmp_path / "damaged.zip"
    bad.write_bytes(path.read_bytes()[:-40])
    assert cli.main(["forecast", str(bad)]) == cli.EXIT_BAD_INPUT
    assert "'bundle' must be a zip file saved by ccwfm" in capsys.readouterr().err
