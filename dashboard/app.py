"""ccwfm dashboard: ``ccwfm dashboard`` or ``python -m ccwfm.dashboard`` (Streamlit runs this file)."""

import streamlit as st

from ccwfm.dashboard import (compare_page, data_page, downloads_page, errors, forecast_page,
                             roster_page, scenario_page, schedule_page, staffing_page, state, whatif_page)

PAGES = {
    "Data": data_page.render,
    "Scenario": scenario_page.render,
    "Forecast": forecast_page.render,
    "Staffing": staffing_page.render,
    "What-if": whatif_page.render,
    "Schedule and capacity": schedule_page.render,
    "Roster": roster_page.render,
    "Compare plans": compare_page.render,
    "Downloads": downloads_page.render,
}

# No CSS transitions (elements fading in and out as a run starts and ends): each is drawn
# frame by frame by the planner's browser; with six planners' browsers on the server's two
# cores (benchmarks/dashboard_load_bench.py) they were about a quarter of the browsers'
# drawing at a page change.  Animations (spinners) stay.  (A comment, not a docstring:
# Streamlit's "magic" would show a string standing alone in this script.)
NO_TRANSITIONS = "<style>*, *::before, *::after { transition: none !important; }</style>"


def main():
    """Render the page the sidebar selects (Streamlit runs this file once per interaction)."""
    st.set_page_config(page_title="ccwfm: contact-center workforce planning", layout="wide")
    state.freeze_startup_heap()
    st.html(NO_TRANSITIONS)
    state.init()
    with st.sidebar:
        st.title("ccwfm")
        page = st.radio("Page", list(PAGES), key="page")
    with errors.shown():
        PAGES[page]()
    with st.sidebar:                       # after the page, which may have loaded new data
        sc = state.base()
        st.caption(f"Scenario **{sc.name}**: {len(sc.queues)} queues, {sc.weeks} weeks from "
                   f"{sc.start}.")


# Streamlit runs this file as ``__main__``.  A multiprocessing child started
# while it is the main module (a Dask worker in the same process as an
# AppTest, say) runs it as ``__mp_main__``: it must not render anything.
if __name__ == "__main__":
    main()
