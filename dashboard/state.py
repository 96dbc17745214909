"""The dashboard's state and its cached heavy work.

The loaded scenario lives in ``st.session_state`` as a :class:`plan.Scenario`
object (parsed once, when it is loaded), with the folder its files are
relative to and, for uploaded data, the checked histories themselves (so a
plan never reads or checks an upload again).  The what-if inputs are a dict
of dotted overrides.  Forecasts, histories and formula staffing are cached
with ``st.cache_data`` keyed by the scenario and a token of the loaded data,
so moving a what-if input recomputes only the fast formula part; full plans
are kept in the session.  Every computation is a public ``plan`` function.
"""

import tempfile
import uuid

import streamlit as st

from ccwfm import plan

SCENARIO = "scenario"
BASE_DIR = "base_dir"
SOURCE = "source"
SOURCES = "sources"
DATA_KEY = "data_key"
OVERRIDES = "overrides"
SAVED = "saved"
FOLDER = "folder"


def init():
    """Load the demo scenario on first use; create the session's folders and dicts."""
    ss = st.session_state
    if FOLDER not in ss:
        ss[FOLDER] = tempfile.mkdtemp(prefix="ccwfm-dashboard-")
    if SCENARIO not in ss:
        set_scenario(plan.demo_scenario(), ".", "demo contact center")
    ss.setdefault(OVERRIDES, {})
    ss.setdefault(SAVED, {})


def set_scenario(scenario, base_dir, source, sources=None):
    """Make ``scenario`` the one every page works on; forget what-if inputs.

    ``sources`` maps a file name of the scenario to the History already read
    from it (an upload), which the plan then uses as it is.
    """
    ss = st.session_state
    ss[SCENARIO] = scenario
    ss[BASE_DIR] = str(base_dir)
    ss[SOURCE] = source
    ss[SOURCES] = dict(sources or {})
    ss[DATA_KEY] = uuid.uuid4().hex if sources else f"files:{base_dir}"
    ss[OVERRIDES] = {}
    ss[SAVED] = {}


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


@st.cache_data(show_spinner=False, max_entries=8)
def _histories(scenario, folder, data_key, _sources):
    return plan.load_histories(scenario, base_dir=folder, sources=_sources)


@st.cache_data(show_spinner=False, max_entries=8)
def _forecast(scenario, folder, data_key, _sources):
    """(forecast, models) of a scenario."""
    hist = _histories(scenario, folder, data_key, _sources)
    return plan.forecast_demand(scenario, base_dir=folder, histories=hist)


@st.cache_data(show_spinner=False, max_entries=64)
def _quick(scenario, base_scenario, folder, data_key, _sources):
    """Formula staffing of ``scenario`` on the forecast of ``base_scenario``.

    What-if inputs do not change the demand, so the base's forecast serves
    every variant.
    """
    fc, _ = _forecast(base_scenario, folder, data_key, _sources)
    return plan.quick_plan(scenario, fc)


def history():
    """The history of every queue of the loaded scenario (one long frame)."""
    data_key, sources = _data()
    hist = _histories(base(), base_dir(), data_key, sources)
    return plan.demand_history(base(), histories=hist)


def need_forecast():
    """The base forecast, computed with a spinner the first time."""
    data_key, sources = _data()
    with st.spinner("Forecasting every queue (backtests of the candidate models)..."):
        return _forecast(base(), base_dir(), data_key, sources)


def need_quick(scenario=None):
    """Formula staffing of the current scenario (or of ``scenario``)."""
    sc = scenario or current()
    need_forecast()
    data_key, sources = _data()
    with st.spinner("Staffing every interval..."):
        return _quick(sc, base(), base_dir(), data_key, sources)


def _demand_of(scenario):
    """What a queue's history depends on (what-if inputs leave it alone)."""
    return [(q.name, q.history, q.acd, q.forecast, q.demo, q.volume_scale)
            for q in scenario.queues]


def _plans():
    """The full plans run in this session, by scenario (the newest four)."""
    return st.session_state.setdefault("full_plans", {})


def _key(scenario):
    return (st.session_state[DATA_KEY], repr(scenario))


def run_full():
    """Run the full plan of the current scenario with a progress bar.

    The result is kept in the session (not in ``st.cache_data``: the
    progress bar is drawn from inside the run, which a data cache would
    replay).
    """
    sc = current()
    bar = st.progress(0.0, text="Starting the plan...")

    def progress(event):
        bar.progress(min(event.fraction, 0.99), text=event.message[:120])

    data_key, sources = _data()
    hist = _histories(base(), base_dir(), data_key, sources)
    if _demand_of(sc) != _demand_of(base()):
        hist = plan.load_histories(sc, base_dir(), sources=sources)
    result = plan.run(sc, base_dir=base_dir(), progress=progress, histories=hist)
    bar.progress(1.0, text="Plan ready.")
    plans = _plans()
    plans[_key(sc)] = result
    while len(plans) > 4:
        plans.pop(next(iter(plans)))
    return result


def full_if_run():
    """The full plan of the current scenario if it was run this session, else None."""
    return _plans().get(_key(current()))
