"""The dashboard's state, its files and its cached heavy work.

The loaded scenario lives in ``st.session_state`` as a :class:`plan.Scenario`
object (parsed once, when it is loaded), with the folder its files are
relative to and, for uploaded data, the checked histories themselves (so a
plan never reads or checks an upload again).  The what-if inputs are a dict
of dotted overrides.  Forecasts, histories and formula staffing are cached
with ``st.cache_data`` keyed by the scenario and a token of the loaded data,
so moving a what-if input recomputes only the fast formula part; full plans
are kept in the session.  Every computation is a public ``plan`` function.

**Files and the end of a session.**  A session's files live in its own
folder (:class:`ccwfm.dashboard.files.SessionFiles`: the server's root plus
a random token, mode 0700, made at the first upload).  A scenario may only
use the demo data or the file uploaded in its own session, which is used
from memory; nothing a user sends ever forms a path.  The end of a session
is caught by a session-scoped resource (``st.cache_resource(scope="session",
on_release=...)``, Streamlit's documented hook, run when the session's
connection closes and when the server shuts the session down): it removes
the session's folder and makes the server forget the session's downloads
and uploaded files, so that a download link stops working when its session
ends.  Streamlit by itself only marks a download for deletion when a session
is shut down and never shuts down a disconnected session whose reconnection
time ran out (its session storage evicts it silently), so its download links
would keep working until the server stops.  After a brief network drop the
session comes back with its scenario, and its folder and download files are
made again by the next run.
"""

import ctypes
import dataclasses
import gc
import hashlib
import importlib
import threading
import uuid

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ccwfm import plan

from . import files

SCENARIO = "scenario"
BASE_DIR = "base_dir"
SOURCE = "source"
SOURCES = "sources"
DATA_KEY = "data_key"
OVERRIDES = "overrides"
SAVED = "saved"
TOKEN = "session_token"
UPLOADED = "uploaded_history"
DEMO_DIR = "."          # the demo reads no file; its cache entries are shared by all sessions


class _Session:
    """What a session leaves on the server: its folder, and the files Streamlit serves it."""

    def __init__(self, token, session_id):
        self.files = files.SessionFiles(token)
        self.session_id = session_id


def _end(session):
    """The session ended (or its connection closed): remove what it left, and hand
    the memory it freed back to the system (:func:`_trim`, in a thread of its own:
    this runs on the server's event loop, which must not wait for it)."""
    session.files.release()
    _forget_served(session.session_id)
    threading.Thread(target=_trim, name="ccwfm-trim", daemon=True).start()


def _trim():
    """Collect garbage and return the C heap's free pages to the system (glibc's
    ``malloc_trim``; nothing elsewhere): a server's memory then falls back when
    planners leave instead of staying at its peak."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


# Imported on first use by some page; imported and frozen at the start instead.
_LATE_IMPORTS = ("pandas.io.formats.style", "jinja2", "altair", "pyarrow", "openpyxl",
                 "matplotlib.pyplot", "streamlit.elements.lib.pandas_styler_utils")
_frozen = False


def freeze_startup_heap():
    """Exempt the objects of the imported libraries from garbage collection (once a process).

    Streamlit collects all generations after every script run (``gc.collect(2)``),
    with the interpreter lock held: over the ~260,000 objects of numpy, pandas,
    numba, scipy and statsmodels that takes ~150 ms, during which no other
    planner's page runs and the server answers nobody.  ``gc.freeze`` moves the
    objects alive now (modules, classes, functions: they live as long as the
    process) out of the collector's sight, and a collection then walks only
    what sessions made since.  Run once, before the first page, after the
    libraries pages import on first use.
    """
    global _frozen
    if _frozen:
        return
    _frozen = True
    for name in _LATE_IMPORTS:
        try:
            importlib.import_module(name)
        except ImportError:             # an optional library: nothing to freeze
            pass
    gc.collect()
    gc.freeze()


def _forget_served(session_id):
    """Stop serving the session's download files and drop its uploaded files.

    ``remove_orphaned_files`` deletes an unreferenced download file only on
    its second pass (the first one marks it), so it runs twice: a download
    another session is fetching from a deferred button (an unreferenced file
    too) may go with it, which is why the Downloads page defers only its
    large files.
    """
    if session_id is None or not runtime.exists():
        return
    rt = runtime.get_instance()
    rt.media_file_mgr.clear_session_refs(session_id)
    rt.media_file_mgr.remove_orphaned_files()
    rt.media_file_mgr.remove_orphaned_files()
    rt.uploaded_file_mgr.remove_session_files(session_id)


@st.cache_resource(scope="session", on_release=_end, show_spinner=False)
def _session(token):
    """The session's :class:`_Session`, released when the session ends."""
    ctx = get_script_run_ctx()
    return _Session(token, ctx.session_id if ctx is not None else None)


def session_files():
    """This session's :class:`ccwfm.dashboard.files.SessionFiles`."""
    return _session(st.session_state[TOKEN]).files


def init():
    """Load the demo scenario on first use; give the session its token and dicts.

    No folder is made here: a session that uploads nothing writes nothing.
    """
    ss = st.session_state
    if TOKEN not in ss:
        files.adopt()       # the server's process removes the launcher's root when it exits
        ss[TOKEN] = files.new_token()
    _session(ss[TOKEN])                  # registers the end-of-session hook
    if SCENARIO not in ss:
        set_scenario(plan.demo_scenario(), "demo contact center")
    ss.setdefault(OVERRIDES, {})
    ss.setdefault(SAVED, {})


def _only_demo(scenario):
    return all(q.demo for q in scenario.queues)


def _check_files(scenario, uploaded):
    """Refuse a scenario that refers to any file but this session's upload."""
    for q in scenario.queues:
        for key in ("history", "acd", "forecast"):
            value = getattr(q, key)
            if not value:
                continue
            field = f"'queues[{q.name}].{key}'"
            if key != "history" or value != plan.HISTORY_FILE:
                raise ValueError(f"{field} must be {plan.HISTORY_FILE!r} (the interval file or "
                                 "ACD log loaded on this page), or the queue must use the demo "
                                 f"data: the dashboard reads no other file: {value!r}")
            if uploaded is None:
                raise ValueError(f"{field} refers to the file loaded on this page, but none was "
                                 f"loaded in this session (load an interval file or ACD log "
                                 f"first): {value!r}")


def set_scenario(scenario, source, history=None):
    """Make ``scenario`` the one every page works on; forget what-if inputs.

    Every queue must use the demo data, or ``history`` (default: the
    history last uploaded in this session) under the name
    ``plan.HISTORY_FILE``, which the plan then uses as it is.

    Raises
    ------
    ValueError
        The scenario refers to another file, or to an upload when there was
        none; nothing is changed.
    """
    ss = st.session_state
    history = ss.get(UPLOADED) if history is None else history
    _check_files(scenario, history)
    demo = _only_demo(scenario)
    ss[SCENARIO] = scenario
    ss[BASE_DIR] = DEMO_DIR if demo else str(files.root() / ss[TOKEN])
    ss[SOURCE] = source
    ss[SOURCES] = {} if demo else {plan.HISTORY_FILE: history}
    ss[DATA_KEY] = "demo" if demo else uuid.uuid4().hex
    ss[OVERRIDES] = {}
    ss[SAVED] = {}


def replace_scenario(scenario):
    """Make an edited ``scenario`` the loaded one, on the same data.

    The data (the demo, or this session's upload) and the source stay; the
    what-if inputs are re-applied when they still fit the edited scenario
    and dropped otherwise; saved what-ifs are kept.

    Raises
    ------
    ValueError
        The scenario refers to a file other than this session's upload;
        nothing is changed.
    """
    ss = st.session_state
    _check_files(scenario, ss.get(UPLOADED))
    ss[SCENARIO] = scenario
    try:
        if ss.get(OVERRIDES):
            scenario.with_overrides(ss[OVERRIDES])
    except ValueError:
        ss[OVERRIDES] = {}


def use_history(history, name, weeks):
    """Plan an uploaded history: write it to the session's folder, load its scenario.

    Parameters
    ----------
    history : forecast.History
        As ``plan.load_history`` gives it.
    name : str
        Scenario name (already a :func:`files.label`; it forms no path).
    weeks : int
        Weeks to plan.

    Returns
    -------
    plan.Scenario
    """
    with session_files().writing() as folder:
        sc = plan.history_scenario(history, folder, name=name, weeks=weeks)
    ready = plan.history_for_scenario(history)
    st.session_state[UPLOADED] = ready
    set_scenario(sc, f"uploaded file ({name})", history=ready)
    return sc


CURRENT_INPUTS = "current inputs"
"""Name under which a saved plan keeps the what-if inputs in use when it was saved."""


def saved_whatifs():
    """The saved what-ifs of this session: name -> dotted overrides, in order."""
    return st.session_state.setdefault(SAVED, {})


def save_whatif(name, overrides):
    """Save ``overrides`` as the what-if ``name`` (replacing one of that name).

    Raises
    ------
    ValueError
        The name is empty, or the overrides are not a valid change of the
        loaded scenario.
    """
    name = str(name).strip()
    if not name:
        raise ValueError("'name' of a what-if must not be empty: ''")
    if overrides:
        base().with_overrides(overrides, where=f"whatifs[{name}]")
    saved_whatifs()[name] = dict(overrides)
    return name


def rename_whatif(old, new):
    """Rename a saved what-if, keeping its place in the list.

    Raises
    ------
    ValueError
        ``new`` is empty or names another saved what-if.
    """
    new = str(new).strip()
    saved = saved_whatifs()
    if not new:
        raise ValueError("'name' of a what-if must not be empty: ''")
    if new != old and new in saved:
        raise ValueError(f"'name' must differ from the other saved what-ifs: {new!r}")
    st.session_state[SAVED] = {(new if k == old else k): v for k, v in saved.items()}


def delete_whatif(name):
    """Forget the saved what-if ``name`` (nothing happens if there is none)."""
    saved_whatifs().pop(name, None)


def clear_whatif_inputs():
    """Forget the what-if page's input widgets, so they start again from :func:`current`."""
    ss = st.session_state
    for k in list(ss.keys()):
        if str(k).startswith("wi_") and k not in ("wi_queue", "wi_name"):
            del ss[k]


def apply_whatif(name):
    """Make the saved what-if ``name`` the what-if inputs (the page's widgets follow)."""
    st.session_state[OVERRIDES] = dict(saved_whatifs()[name])
    clear_whatif_inputs()


def bundle_bytes():
    """The loaded plan as a zip (:func:`plan.save_bundle`): scenario, uploaded data and saved
    what-ifs, and the what-if inputs in use as the what-if ``"current inputs"`` if any."""
    ss = st.session_state
    whatifs = dict(saved_whatifs())
    if ss.get(OVERRIDES):
        whatifs[CURRENT_INPUTS] = dict(ss[OVERRIDES])
    key = (ss[DATA_KEY], repr(base()), repr(whatifs))
    kept = ss.get("bundle_bytes")
    if kept is None or kept[0] != key:        # made once per plan: same bytes, same link
        kept = (key, plan.save_bundle(base(), sources=ss.get(SOURCES) or None,
                                      whatifs=whatifs))
        ss["bundle_bytes"] = kept
    return kept[1]


def open_bundle(bundle, label):
    """Load a saved plan (a :class:`plan.Bundle`): its scenario, its data as this session's
    upload, its saved what-ifs, and its ``"current inputs"`` as the what-if inputs.

    Raises
    ------
    ValueError
        The scenario refers to data the plan does not carry; nothing is changed.
    """
    ss = st.session_state
    history = bundle.sources.get(plan.HISTORY_FILE)
    if history is not None:
        _check_files(bundle.scenario, history)
        ss[UPLOADED] = history
    set_scenario(bundle.scenario, f"saved plan ({label})", history=history)
    ss[SAVED] = dict(bundle.whatifs)
    ss[OVERRIDES] = dict(bundle.whatifs.get(CURRENT_INPUTS, {}))
    clear_whatif_inputs()


def base():
    """The loaded scenario."""
    return st.session_state[SCENARIO]


def current():
    """The loaded scenario with the what-if inputs applied."""
    over = st.session_state[OVERRIDES]
    return base().with_overrides(over) if over else base()


def base_dir():
    return st.session_state[BASE_DIR]


def _data():
    ss = st.session_state
    return ss[DATA_KEY], ss.get(SOURCES, {})


def demand_key(scenario):
    """What a scenario's histories and forecast depend on, and nothing else.

    Targets, wages, templates, shrinkage, AHT scale... change the staffing,
    not the demand: a scenario edited or varied in them reuses the cached
    histories and forecast (AHT scale and percentile apply after the forecast).
    """
    sc = scenario
    return (str(sc.start), sc.weeks, sc.history_weeks, sc.interval,
            sc.simulation.seed if any(q.demo for q in sc.queues) else None,
            tuple((q.name, q.history, q.acd, tuple(q.acd_queues or ()), q.forecast, q.demo,
                   q.volume_scale, q.aht, q.target.measure_time if q.acd else None)
                  for q in sc.queues))


@st.cache_data(show_spinner=False, max_entries=8)
def _histories(_scenario, demand, folder, data_key, _sources):
    return plan.load_histories(_scenario, base_dir=folder, sources=_sources)


@st.cache_data(show_spinner="Forecasting every queue (backtests of the candidate models)...",
               max_entries=8)
def _forecast(_scenario, demand, folder, data_key, _sources):
    """(forecast, models) of a scenario (keyed by its :func:`demand_key`)."""
    hist = _histories(_scenario, demand, folder, data_key, _sources)
    return plan.forecast_demand(_scenario, base_dir=folder, histories=hist)


@st.cache_data(show_spinner="Staffing every interval...", max_entries=16)
def _quick(_scenario, text, _base_scenario, demand, folder, data_key, _sources):
    """Formula staffing of ``scenario`` (keyed by its text: hashing the object
    itself takes ~100 times longer) on the forecast of ``base_scenario``.

    What-if inputs do not change the demand, so the base's forecast serves
    every variant.
    """
    fc, _ = _forecast(_base_scenario, demand, folder, data_key, _sources)
    return plan.quick_plan(_scenario, fc)


def history():
    """The history of every queue of the loaded scenario (one long frame)."""
    data_key, sources = _data()
    hist = _histories(base(), demand_key(base()), base_dir(), data_key, sources)
    return plan.demand_history(base(), histories=hist)


def need_forecast():
    """The base forecast, computed with a spinner the first time (only then: a
    spinner costs a thread per call)."""
    data_key, sources = _data()
    return _forecast(base(), demand_key(base()), base_dir(), data_key, sources)


def need_quick(scenario=None):
    """Formula staffing of the current scenario (or of ``scenario``)."""
    sc = scenario or current()
    need_forecast()
    data_key, sources = _data()
    return _quick(sc, repr(sc), base(), demand_key(base()), base_dir(), data_key, sources)


def _histories_of(scenario):
    """The histories ``scenario`` plans on (the base's unless a what-if changed its demand)."""
    data_key, sources = _data()
    if demand_key(scenario) != demand_key(base()):
        return plan.load_histories(scenario, base_dir(), sources=sources)
    return _histories(base(), demand_key(base()), base_dir(), data_key, sources)


def _plans():
    """The full plans run in this session, by scenario (the newest four)."""
    return st.session_state.setdefault("full_plans", {})


def _key(scenario):
    return (st.session_state[DATA_KEY], repr(scenario))


def _with_bar(start, done, work):
    """``work(progress)`` with a progress bar drawn from its :class:`plan.Progress` events."""
    bar = st.progress(0.0, text=start)

    def progress(event):
        bar.progress(min(event.fraction, 0.99), text=event.message[:120])

    result = work(progress)
    bar.progress(1.0, text=done)
    return result


def run_full(scenario=None):
    """Run the full plan of the current scenario (or of ``scenario``, a variant
    of the loaded one on the same data) with a progress bar.

    The result is kept in the session (not in ``st.cache_data``: the
    progress bar is drawn from inside the run, which a data cache would
    replay).
    """
    sc = current() if scenario is None else scenario
    result = _with_bar("Starting the plan...", "Plan ready.",
                       lambda progress: plan.run(sc, base_dir=base_dir(), progress=progress,
                                                 histories=_histories_of(sc)))
    plans = _plans()
    plans[_key(sc)] = result
    while len(plans) > 4:
        plans.pop(next(iter(plans)))
    return result


def run_pooling():
    """Plan the current scenario's demand with dedicated groups too and keep the
    full plan with its pooling gain (:func:`plan.with_pooling`); a progress bar
    while it runs.  The full plan must have been run."""
    sc = current()
    full = full_if_run()
    result = _with_bar("Planning with a dedicated group per queue...", "Pooling gain ready.",
                       lambda progress: plan.with_pooling(full, base_dir=base_dir(),
                                                          progress=progress,
                                                          histories=_histories_of(sc)))
    _plans()[_key(sc)] = result
    return result


def full_if_run(scenario=None):
    """The full plan of the current scenario (or of ``scenario``) if it was run
    this session, else None."""
    return _plans().get(_key(current() if scenario is None else scenario))


ROSTERS = "rosters"
ROSTER_SHOWN = "roster_shown"


def _agents_token(agents):
    return None if agents is None else hashlib.sha256(repr(tuple(agents)).encode()).hexdigest()[:16]


def roster_key(rules, weeks, agents=None):
    """(data key, scenario, rules, weeks, agents token) of the current scenario's roster."""
    return (st.session_state[DATA_KEY], repr(current()), repr(rules), int(weeks),
            _agents_token(agents))


def run_roster(rules, weeks, agents=None):
    """Roster the current scenario's full plan (kept in the session, newest four; made once).

    The scenario's ``[roster] agents`` file is not read (the dashboard reads no
    file but the uploads): pass ``agents`` (an uploaded agents file, read).
    """
    sc = current()
    result = full_if_run()
    if result is None:
        raise ValueError("the full plan of the current scenario must be built first (Schedule "
                         "and capacity page)")
    key = roster_key(rules, weeks, agents)
    rosters = st.session_state.setdefault(ROSTERS, {})
    if key not in rosters:
        config = dataclasses.replace(sc.roster, rules=rules, agents=None)
        rosters[key] = plan.make_roster(result, config=config, agents=agents,
                                        base_dir=base_dir(), weeks=int(weeks))
        while len(rosters) > 4:
            rosters.pop(next(iter(rosters)))
    st.session_state[ROSTER_SHOWN] = key
    return rosters[key]
