"""Streamlit dashboard for staff planners: ``ccwfm dashboard`` or
``python -m ccwfm.dashboard``.

Pages: Data, Forecast, Staffing, What-if, Schedule and capacity, Downloads
(one module each, ``<name>_page.render``); :mod:`dashboard.state` holds the
session's scenario and the cached heavy work, :mod:`dashboard.files` the
sessions' private folders.  It uses only ``plan``'s public names.
"""

__all__ = ["PAGES"]

PAGES = ("Data", "Forecast", "Staffing", "What-if", "Schedule and capacity", "Downloads")
