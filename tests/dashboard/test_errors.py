"""dashboard/errors.py: what goes wrong on a page is said in words, never a bare traceback.

Each case runs a tiny Streamlit script through AppTest: the script raises
inside ``errors.shown()`` and the test reads what the page shows.
"""

from streamlit.testing.v1 import AppTest


def _bad_value():
    import streamlit as st

    from ccwfm.dashboard import errors
    with errors.shown():
        st.write("before")
        raise ValueError("'aht' must be > 0: -3.0")
    st.write("after")


def _bug():
    import streamlit as st

    from ccwfm.dashboard import errors
    with errors.shown():
        raise KeyError("voice")
    st.write("after")


def _rerun():
    import streamlit as st

    from ccwfm.dashboard import errors
    st.session_state.setdefault("runs", 0)
    st.session_state["runs"] += 1
    with errors.shown():
        if st.session_state["runs"] == 1:
            st.rerun()


def test_a_value_error_is_explained_and_the_page_goes_on():
    at = AppTest.from_function(_bad_value).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["This could not be computed: 'aht' must be > 0: -3.0"]
    assert [m.value for m in at.markdown] == ["before", "after"]


def test_a_bug_is_named_with_its_details_folded_away():
    at = AppTest.from_function(_bug).run()
    assert not at.exception
    (err,) = at.error
    assert err.value.startswith("Something went wrong on this page (KeyError: 'voice')")
    assert at.expander[0].label == "Details for a bug report"
    assert "KeyError: 'voice'" in at.expander[0].code[0].value
    assert [m.value for m in at.markdown] == ["after"]


def test_streamlits_own_control_flow_passes_through():
    at = AppTest.from_function(_rerun).run()
    assert not at.exception and not at.error
    assert at.session_state["runs"] == 2          # st.rerun() was not swallowed as an error
