"""ccwfm installs next to the PyPI packages that use our folder names, clash-free.

A fresh virtual environment gets ccwfm built from this repository (a normal,
non-editable ``pip install``) and the public ``plan`` (cron jobs, with
``click``), ``forecast`` 0.1.0, ``dashboard`` 0.0.6 and ``simulate`` 0.0.1
(the last two without their heavy dependencies).  One Python process there
then uses all five ccwfm packages for real, imports the public ``plan`` and
``forecast`` and checks they are theirs, finds ``dashboard`` and ``simulate``
where their distributions put them, and checks every installed file against
its distribution's RECORD (hash and size): nothing was overwritten, no file
belongs to two distributions, and ccwfm installs nothing at the top level
but ``ccwfm/``, its ``.dist-info`` and the ``ccwfm`` script.

Slow (a venv and ~30 s of pip, plus Numba's first compile): ``make check``
runs it, ``make test`` does not.  Skipped when PyPI cannot be reached.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = {"plan": "0.5", "forecast": "0.1.0", "dashboard": "0.0.6", "simulate": "0.0.1"}
NO_DEPS = ("dashboard", "simulate")        # heavy dependencies (or a C++ build): files only
NETWORK_ERRORS = ("NewConnectionError", "Failed to establish a new connection",
                  "Temporary failure in name resolution", "Name or service not known",
                  "Network is unreachable", "ConnectTimeoutError", "ReadTimeoutError",
                  "ProxyError", "SSLError", "Max retries exceeded", "Connection refused")
# Not copied into the build folder: what an sdist would not contain either.
IGNORED = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__",
                                 "*.py[cod]", "*.nbi", "*.nbc", ".pytest_cache", ".hypothesis",
                                 "test-artifacts", "ccwfm-out")

CHECK = r'''
import hashlib, base64, importlib, importlib.util, json, sys, sysconfig
import importlib.metadata as md
from pathlib import Path

out = {"purelib": str(Path(sysconfig.get_paths()["purelib"]).resolve()),
       "scripts": str(Path(sysconfig.get_paths()["scripts"]).resolve())}

# 1. ccwfm, used for real; none of its imports may load a top-level erlang/forecast/...
from ccwfm import dashboard, erlang, forecast, plan, simulate
out["ccwfm_files"] = {m.__name__: m.__file__ for m in (erlang, forecast, simulate, plan,
                                                        dashboard)}
out["required_agents"] = int(erlang.required_agents(100, 180, service_level=0.8,
                                                    target_time=20))
scenario = plan.demo_scenario(weeks=1)
out["demo"] = {"weeks": scenario.weeks, "queues": [q.name for q in scenario.queues]}
center = simulate.Center.single_queue([100.0] * 8, aht=180, agents=14, patience=120)
out["simulated"] = simulate.simulate(center, replications=2, seed=1).engine
out["history_rows"] = len(forecast.demo_history(weeks=1).frame)
out["dashboard_app"] = importlib.util.find_spec("ccwfm.dashboard.app").origin
from ccwfm.dashboard import __main__ as serve
out["dashboard_bad_port"] = serve.main(["--port", "0"])
out["bare_loaded"] = sorted(n for n in ("erlang", "forecast", "simulate", "plan", "dashboard")
                            if n in sys.modules)

# 2. The public packages of the same names.
import forecast as public_forecast
import plan as public_plan
out["public_plan"] = {"file": public_plan.__file__, "version": public_plan.__version__,
                      "doc": public_plan.__doc__, "has_Plan": hasattr(public_plan, "Plan")}
out["public_forecast"] = {"file": public_forecast.__file__,
                          "version": public_forecast.__version__,
                          "author": getattr(public_forecast, "__author__", None)}
out["origins"] = {n: importlib.util.find_spec(n).origin for n in ("dashboard", "simulate")}

# 3. Every distribution's files against its RECORD.
def digest(path, algo):
    h = hashlib.new(algo, path.read_bytes()).digest()
    return base64.urlsafe_b64encode(h).rstrip(b"=").decode()

out["records"] = {}
for dist in md.distributions():
    name = dist.metadata["Name"].lower()
    files, broken = [], []
    for f in dist.files or ():
        path = Path(dist.locate_file(f)).resolve()
        files.append(str(path))
        if f.hash is None or path.suffix == ".pyc":     # bytecode may be rewritten by imports
            continue
        if not path.is_file():
            broken.append(f"{f}: missing")
        elif f.size is not None and path.stat().st_size != f.size:
            broken.append(f"{f}: size {path.stat().st_size} != {f.size}")
        elif digest(path, f.hash.mode) != f.hash.value:
            broken.append(f"{f}: hash differs")
    out["records"].setdefault(name, []).append(
        {"version": dist.version, "files": files, "broken": broken,
         "entries": [str(f) for f in dist.files or ()]})
print(json.dumps(out))
'''


def _run(cmd, timeout, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)


def _explain(proc):
    return f"exit code {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


def _source_modules():
    """ccwfm/plan/cli.py, ... : every module the package-dir mapping should install."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    return {f"{pkg.replace('.', '/')}/{path.name}"
            for pkg, folder in config["package-dir"].items()
            for path in (ROOT / folder).glob("*.py")}


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """The fresh venv with ccwfm and the four public packages; yields (python, timings)."""
    base = tmp_path_factory.mktemp("install")
    timings = {}
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"

    # The public wheels first: a network failure here is a skip, not a failure.
    t0 = time.monotonic()
    wheels = base / "wheels"
    dl = _run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
               "--retries", "2", "--timeout", "30", "-d", str(wheels),
               *(f"{n}=={v}" for n, v in PUBLIC.items())], timeout=300, env=env)
    if dl.returncode != 0:
        text = dl.stdout + dl.stderr
        if any(marker in text for marker in NETWORK_ERRORS):
            pytest.skip(f"PyPI cannot be reached: {text.strip().splitlines()[-1]}")
        pytest.fail(f"pip download of {PUBLIC} failed: {_explain(dl)}")
    timings["download_s"] = time.monotonic() - t0
    wheel = {n: next(wheels.glob(f"{n}-{v}-*.whl")) for n, v in PUBLIC.items()}

    # A copy of the repository: pip builds in the source tree, and a build/ left in the
    # working tree would be reused by the next build (with files deleted since).
    t0 = time.monotonic()
    src = base / "src"
    shutil.copytree(ROOT, src, ignore=IGNORED)
    venv_dir = base / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv_dir)], timeout=120, env=env)
    assert made.returncode == 0, _explain(made)
    python = venv_dir / "bin" / "python"
    timings["venv_s"] = time.monotonic() - t0

    t0 = time.monotonic()
    pip = [str(python), "-m", "pip", "install", "--retries", "2", "--timeout", "60"]
    full = _run([*pip, str(src), str(wheel["plan"]), "click", str(wheel["forecast"])],
                timeout=420, env=env)
    if full.returncode != 0 and any(m in full.stdout + full.stderr for m in NETWORK_ERRORS):
        pytest.skip(f"PyPI cannot be reached: {full.stderr.strip().splitlines()[-1]}")
    assert full.returncode == 0, f"pip install of ccwfm, plan, forecast failed: {_explain(full)}"
    files_only = _run([*pip, "--no-deps", *(str(wheel[n]) for n in NO_DEPS)], timeout=120,
                      env=env)
    assert files_only.returncode == 0, _explain(files_only)
    timings["install_s"] = time.monotonic() - t0
    return python, env, timings


@pytest.fixture(scope="module")
def facts(venv, tmp_path_factory):
    """What one process in the venv saw (the CHECK script's JSON)."""
    python, env, timings = venv
    # An empty working folder and isolated mode: only the venv's site-packages count.
    cwd = tmp_path_factory.mktemp("run")
    t0 = time.monotonic()
    proc = _run([str(python), "-I", "-c", CHECK], timeout=300, cwd=cwd, env=env)
    timings["check_s"] = time.monotonic() - t0
    assert proc.returncode == 0, _explain(proc)
    print(f"\ninstall test timings: {json.dumps({k: round(v, 1) for k, v in timings.items()})}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_ccwfm_works_under_its_own_name(facts):
    purelib = Path(facts["purelib"])
    for name, file in facts["ccwfm_files"].items():
        assert Path(file).resolve().is_relative_to(purelib / "ccwfm"), (name, file)
    assert facts["required_agents"] == 14
    assert facts["demo"] == {"weeks": 1, "queues": ["voice", "sales", "chat", "email"]}
    assert facts["simulated"] in ("fast", "simpy")
    assert facts["history_rows"] > 0
    assert Path(facts["dashboard_app"]).resolve() == purelib / "ccwfm" / "dashboard" / "app.py"
    assert facts["dashboard_bad_port"] == 2          # python -m ccwfm.dashboard is installed
    # Using every ccwfm package loaded none of the top-level names.
    assert facts["bare_loaded"] == [], facts["bare_loaded"]


def test_the_public_plan_and_forecast_are_theirs(facts):
    purelib = Path(facts["purelib"])
    plan, forecast = facts["public_plan"], facts["public_forecast"]
    assert Path(plan["file"]).resolve() == purelib / "plan" / "__init__.py", plan["file"]
    assert plan["version"] == PUBLIC["plan"] and plan["has_Plan"]
    assert "Cron jobs in Python" in plan["doc"]
    assert Path(forecast["file"]).resolve() == purelib / "forecast" / "__init__.py"
    assert forecast["version"] == PUBLIC["forecast"] and forecast["author"] == "Alfred Chen"


def test_the_public_dashboard_and_simulate_are_where_their_records_say(facts):
    purelib = Path(facts["purelib"])
    for name in NO_DEPS:
        assert Path(facts["origins"][name]).resolve() == purelib / name / "__init__.py"
        (record,) = facts["records"][name]
        assert record["version"] == PUBLIC[name]
        assert str(purelib / name / "__init__.py") in record["files"]


def test_every_installed_file_matches_its_record(facts):
    broken = {name: r["broken"] for name, recs in facts["records"].items() for r in recs
              if r["broken"]}
    assert not broken, broken
    for name in ("ccwfm", *PUBLIC):
        assert len(facts["records"][name]) == 1, f"{name} installed twice"


def test_no_file_belongs_to_two_distributions(facts):
    (ccwfm,) = facts["records"]["ccwfm"]
    mine = set(ccwfm["files"])
    shared = {name: sorted(mine & set(r["files"]))
              for name, recs in facts["records"].items() if name != "ccwfm" for r in recs}
    assert not {k: v for k, v in shared.items() if v}, shared
    owners = {}
    for name, recs in facts["records"].items():
        for r in recs:
            for f in r["files"]:
                owners.setdefault(f, set()).add(name)
    clashes = {f: sorted(n) for f, n in owners.items() if len(n) > 1}
    assert not clashes, clashes


def test_ccwfm_installs_only_its_package_its_metadata_and_its_script(facts):
    (ccwfm,) = facts["records"]["ccwfm"]
    scripts = Path(facts["scripts"])
    tops = {}
    for entry, path in zip(ccwfm["entries"], ccwfm["files"]):
        top = entry.split("/")[0]
        if top.startswith(".."):                     # outside site-packages: the scripts
            assert Path(path).parent == scripts and Path(path).name == "ccwfm", entry
            top = "<script ccwfm>"
        tops.setdefault(top, []).append(entry)
    dist_info = [t for t in tops if t.endswith(".dist-info")]
    assert dist_info == [f"ccwfm-{ccwfm['version']}.dist-info"], sorted(tops)
    assert set(tops) == {"ccwfm", *dist_info, "<script ccwfm>"}, sorted(tops)
    # Every module of the five folders (and the root package) is in the wheel.
    installed = {e for e in ccwfm["entries"] if e.endswith(".py")}
    assert installed == _source_modules(), installed ^ _source_modules()


def test_the_console_script_runs(venv, tmp_path):
    python, env, _ = venv
    ccwfm = python.parent / "ccwfm"
    proc = _run([str(ccwfm), "demo", "--print-scenario"], timeout=120, cwd=tmp_path, env=env)
    assert proc.returncode == 0, _explain(proc)
    assert proc.stdout.startswith("[scenario]"), proc.stdout[:200]
    assert proc.stdout.count("[[queues]]") == 4
