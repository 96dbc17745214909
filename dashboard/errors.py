"""Errors on a page said in words, never a traceback for the planner."""

import contextlib
import traceback

import streamlit as st


@contextlib.contextmanager
def shown():
    """Run a page (or a fragment of one) and show what goes wrong in words.

    A ``ValueError`` is bad data or a bad scenario: its message is the
    explanation.  Anything else is a bug: named, with the traceback folded
    away for a bug report.  Streamlit's own control flow (``st.rerun``,
    ``st.stop``) is not an ``Exception`` and passes through.
    """
    try:
        yield
    except ValueError as exc:           # bad data or scenario: explained, the app keeps going
        st.error(f"This could not be computed: {exc}")
    except Exception as exc:            # a bug: said in words, details folded away
        st.error(f"Something went wrong on this page ({type(exc).__name__}: {exc}). The other "
                 "pages and your data are unaffected; please report it with the details below.")
        with st.expander("Details for a bug report"):
            st.code(traceback.format_exc())
