"""Streamlit dashboard for staff planners (not built yet: see issue 6)."""

__all__ = []
