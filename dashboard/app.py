"""ccwfm dashboard: ``ccwfm dashboard`` or ``streamlit run dashboard/app.py``."""

import streamlit as st

from dashboard import (data_page, downloads_page, forecast_page, schedule_page, staffing_page,
                       state, whatif_page)

PAGES = {
    "Data": data_page.render,
    "Forecast": forecast_page.render,
    "Staffing": staffing_page.render,
    "What-if": whatif_page.render,
    "Schedule and capacity": schedule_page.render,
    "Downloads": downloads_page.render,
}

st.set_page_config(page_title="ccwfm: contact-center workforce planning", layout="wide")
state.init()
with st.sidebar:
    st.title("ccwfm")
    page = st.radio("Page", list(PAGES), key="page")
try:
    PAGES[page]()
except ValueError as exc:              # bad data or scenario: explained, the app keeps going
    st.error(f"This could not be computed: {exc}")
with st.sidebar:                       # after the page, which may have loaded new data
    sc = state.base()
    st.caption(f"Scenario **{sc.name}**: {len(sc.queues)} queues, {sc.weeks} weeks from "
               f"{sc.start}.")
