"""The dashboard's state and its cached heavy work.

The loaded scenario lives in ``st.session_state`` as TOML text (with the
folder its files are relative to); the what-if inputs as a dict of dotted
overrides.  Forecasts, histories and formula staffing are cached with
``st.cache_data`` keyed by scenario text, so moving a what-if input
recomputes only the fast formula part; full plans are kept in the session.
"""

import tempfile

import streamlit as st

from ccwfm import plan

SCENARIO = "scenario_toml"
BASE_DIR = "base_dir"
SOURCE = "source"
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


def set_scenario(scenario, base_dir, source):
    """Make ``scenario`` the one every page works on; forget what-if inputs."""
    ss = st.session_state
    ss[SCENARIO] = scenario.to_toml()
    ss[BASE_DIR] = str(base_dir)
    ss[SOURCE] = source
    ss[OVERRIDES] = {}
    ss[SAVED] = {}


def base():
    """The loaded scenario."""
    return plan.Scenario.from_toml(st.session_state[SCENARIO])


def current():
    """The loaded scenario with the what-if inputs applied."""
    return base().with_overrides(st.session_state[OVERRIDES]) if st.session_state[OVERRIDES] \
        else base()


def base_dir():
    return st.session_state[BASE_DIR]


@st.cache_data(show_spinner=False, max_entries=8)
def forecast(toml, folder):
    """(forecast, models) of a scenario text."""
    return plan.forecast_demand(plan.Scenario.from_toml(toml), base_dir=folder)


@st.cache_data(show_spinner=False, max_entries=8)
def history(toml, folder):
    return plan.demand_history(plan.Scenario.from_toml(toml), base_dir=folder)


@st.cache_data(show_spinner=False, max_entries=64)
def quick(toml, base_toml, folder):
    """Formula staffing of ``toml`` on the forecast of ``base_toml``.

    What-if inputs do not change the demand, so the base's forecast serves
    every variant.
    """
    fc, _ = forecast(base_toml, folder)
    return plan.quick_plan(plan.Scenario.from_toml(toml), fc)


def need_forecast():
    """The base forecast, computed with a spinner the first time."""
    with st.spinner("Forecasting every queue (backtests of the candidate models)..."):
        return forecast(st.session_state[SCENARIO], base_dir())


def need_quick(scenario=None):
    """Formula staffing of the current scenario (or of ``scenario``)."""
    sc = scenario or current()
    need_forecast()
    with st.spinner("Staffing every interval..."):
        return quick(sc.to_toml(), st.session_state[SCENARIO], base_dir())


def _plans():
    """The full plans run in this session, by scenario text (the newest four)."""
    return st.session_state.setdefault("full_plans", {})


def run_full():
    """Run the full plan of the current scenario with a progress bar.

    The result is kept in the session (not in ``st.cache_data``: the
    progress bar is drawn from inside the run, which a data cache would
    replay).
    """
    sc = current()
    steps = 3 + 2 * len(sc.queues) + 2
    bar = st.progress(0.0, text="Starting the plan...")
    done = [0]

    def progress(msg):
        done[0] += 1
        bar.progress(min(done[0] / steps, 0.99), text=str(msg)[:120])

    result = plan.run(sc, base_dir=base_dir(), log=progress)
    bar.progress(1.0, text="Plan ready.")
    plans = _plans()
    plans[sc.to_toml()] = result
    while len(plans) > 4:
        plans.pop(next(iter(plans)))
    return result


def full_if_run():
    """The full plan of the current scenario if it was run this session, else None."""
    return _plans().get(current().to_toml())
