"""ccwfm dashboard: ``ccwfm dashboard`` or ``python -m ccwfm.dashboard`` (Streamlit runs this file)."""

import traceback

import streamlit as st

from ccwfm.dashboard import (compare_page, data_page, downloads_page, forecast_page, roster_page,
                             scenario_page, schedule_page, staffing_page, state, whatif_page)

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


def main():
    """Render the page the sidebar selects (Streamlit runs this file once per interaction)."""
    st.set_page_config(page_title="ccwfm: contact-center workforce planning", layout="wide")
    state.init()
    with st.sidebar:
        st.title("ccwfm")
        page = st.radio("Page", list(PAGES), key="page")
    try:
        PAGES[page]()
    except ValueError as exc:              # bad data or scenario: explained, the app keeps going
        st.error(f"This could not be computed: {exc}")
    except Exception as exc:               # a bug: said in words, details folded away
        st.error(f"Something went wrong on this page ({type(exc).__name__}: {exc}). The other "
                 "pages and your data are unaffected; please report it with the details below.")
        with st.expander("Details for a bug report"):
            st.code(traceback.format_exc())
    with st.sidebar:                       # after the page, which may have loaded new data
        sc = state.base()
        st.caption(f"Scenario **{sc.name}**: {len(sc.queues)} queues, {sc.weeks} weeks from "
                   f"{sc.start}.")


# Streamlit runs this file as ``__main__``.  A multiprocessing child started
# while it is the main module (a Dask worker in the same process as an
# AppTest, say) runs it as ``__mp_main__``: it must not render anything.
if __name__ == "__main__":
    main()
