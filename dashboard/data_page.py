"""Data page: the demo data, an uploaded interval file or ACD log, or a scenario file.

An uploaded file's name only labels the scenario (and the queue of a file
without a queue column), through :func:`files.label`; it never forms a path.
"""

import pandas as pd
import streamlit as st

from ccwfm import plan

from . import files, state

SOURCES = ("Demo contact center", "Interval file (CSV or Excel)", "ACD call log",
           "Scenario file (TOML)")
DEMO_VARIANTS = ("A dedicated group per queue", "Multi-skill (cross-trained groups)")
_AUTO = "(recognise by name)"
_NONE = "(none)"
_INTERVAL_FIELDS = (("queue", "Queue"), ("start", "Interval start"), ("volume", "Contacts offered"),
                    ("aht", "Average handle time (s)"), ("abandoned", "Abandoned"))
_ACD_FIELDS = (("queue", "Queue"), ("arrival", "Arrival time"), ("outcome", "Outcome"),
               ("wait", "Wait in queue (s)"), ("handle", "Handle time (s)"))


def _explain(exc):
    st.error(f"This file could not be used. {exc}")


def _mapping_form(columns, found, fields, key):
    """Selectboxes mapping each field to a column; returns the mapping chosen."""
    mapping = {}
    cols = st.columns(len(fields))
    options = ([_AUTO] if found is not None else []) + [_NONE] + list(columns)
    for (field, label), col in zip(fields, cols):
        with col:
            choice = st.selectbox(label, options, key=f"{key}_{field}",
                                  help=f"Column giving '{field}'")
        if choice not in (_AUTO, _NONE):
            mapping[field] = choice
    return mapping


def _use_history(hist, name, weeks):
    sc = state.use_history(hist, name, weeks)
    st.success(f"Loaded {len(hist.frame):,} intervals of {', '.join(map(str, hist.queues))}: "
               f"planning {weeks} weeks from {sc.start}.")
    if hist.report:
        with st.expander(f"{len(hist.report)} things were repaired or noted in the file"):
            st.dataframe(pd.DataFrame([{"kind": i.kind, "rows": ", ".join(map(str, i.rows[:10])),
                                        "message": i.message} for i in hist.report]),
                         hide_index=True)


def _interval_upload(weeks):
    up = st.file_uploader("Interval file: one row per queue and interval (CSV or Excel)",
                          type=["csv", "txt", "xlsx"], key="upload_intervals",
                          help=f"At most {plan.MAX_UPLOAD_MB} MB.")
    if up is None:
        return
    data = up.getvalue()
    try:
        columns, found = plan.preview_columns(data, "intervals")
    except ValueError as exc:
        _explain(exc)
        return
    st.caption("Column mapping (recognised by name; change it if a field is wrong). A file "
               "without a queue column is one queue, named after the file.")
    st.dataframe(pd.DataFrame({"field": list(found), "column": list(found.values())}),
                 hide_index=True)
    mapping = _mapping_form(columns, found, _INTERVAL_FIELDS, "imap")
    if st.button("Use this file", key="use_intervals", type="primary"):
        try:
            hist = plan.load_history(data, kind="intervals", mapping=mapping,
                                     queue=files.label(up.name, "queue"))
            _use_history(hist, files.label(up.name, "upload"), weeks)
        except ValueError as exc:
            _explain(exc)


def _acd_upload(weeks):
    fmt = st.radio("Log layout", ("Anonymous Bank (Technion SEE)", "Other (map the columns)"),
                   horizontal=True, key="acd_format")
    generic = fmt.startswith("Other")
    interval = st.selectbox("Interval (minutes)", (15, 30, 60), key="acd_interval")
    up = st.file_uploader("ACD call log: one row per contact", type=["csv", "txt", "tsv"],
                          key="upload_acd", help=f"At most {plan.MAX_UPLOAD_MB} MB.")
    if up is None:
        return
    data = up.getvalue()
    mapping = {}
    if generic:
        try:
            columns, _ = plan.preview_columns(data, "acd")
        except ValueError as exc:
            _explain(exc)
            return
        st.caption("Column mapping:")
        mapping = _mapping_form(columns, None, _ACD_FIELDS, "amap")
    if st.button("Use this log", key="use_acd", type="primary"):
        try:
            hist = plan.load_history(data, kind="acd", mapping=mapping,
                                     acd_format="generic" if generic else "anonymous_bank",
                                     interval=interval)
            _use_history(hist, files.label(up.name, "acd"), weeks)
        except ValueError as exc:
            _explain(exc)


def _scenario_upload():
    up = st.file_uploader("Scenario file (.toml), as `ccwfm` reads it", type=["toml"],
                          key="upload_scenario")
    if up is None:
        return
    st.caption("Its queues may use the demo data, or the interval file or ACD log loaded "
               f"before on this page as `history = \"{plan.HISTORY_FILE}\"` (as in the scenario "
               "downloaded below); the dashboard reads no other file.")
    if st.button("Open this scenario", key="use_scenario", type="primary"):
        try:
            text = up.getvalue().decode("utf-8")
            sc = plan.Scenario.from_toml(text)
            state.set_scenario(sc, f"scenario file ({files.label(up.name, 'scenario')})")
        except (ValueError, UnicodeDecodeError) as exc:
            _explain(exc)
            return
        st.success(f"Opened scenario {sc.name!r}: {len(sc.queues)} queues, {sc.weeks} weeks "
                   f"from {sc.start}.")


def _scenario_summary():
    sc = state.base()
    st.subheader(f"Scenario: {sc.name}")
    st.write(f"Data: **{st.session_state[state.SOURCE]}**. Horizon: {sc.weeks} weeks from "
             f"{sc.start}, {sc.workforce.interval}-minute intervals, shrinkage "
             f"{sc.workforce.total_shrinkage:.0%}, {sc.workforce.hourly_cost:,.2f} per hour.")
    st.dataframe(plan.scenario_overview(sc), hide_index=True)
    if plan.is_pooled(sc):
        st.markdown("**Agent groups and routing**: an idle agent takes the queues it serves "
                    "in this order (overflow queues once a contact has waited the delay); each "
                    "group is scheduled for its home queues, and together with the groups "
                    "whose queues it shares.")
        groups = plan.group_overview(sc)
        st.dataframe(groups.rename(columns={
            "home_of": "home of", "hourly_cost": "hourly cost", "min_agents": "min on duty",
            "max_agents": "max on duty", "shifts": "shift templates"}), hide_index=True,
            column_config={"hourly cost": st.column_config.NumberColumn(format="%.2f"),
                           "max on duty": st.column_config.NumberColumn(format="%d")})
    st.download_button("Download the scenario (TOML)", state.current().to_toml().encode(),
                       file_name=files.file_name(sc.name, "toml", "scenario"),
                       mime="application/toml", key="dl_toml")


def render():
    st.header("Data")
    source = st.radio("Where does the demand come from?", SOURCES, key="data_source")
    weeks = st.number_input("Weeks to plan", min_value=1, max_value=26,
                            value=min(max(state.base().weeks, 1), 26), step=1, key="weeks")
    if source == SOURCES[0]:
        st.write("Six months of history of a demo contact center: voice (with a bot), sales, "
                 "chat and e-mail queues, with holidays and events.")
        variant = st.radio("Agent groups", DEMO_VARIANTS, key="demo_variant",
                           help="Multi-skill: a cross-trained group takes sales first, then "
                                "voice (at a 5% wage premium) next to the dedicated voice and "
                                "sales groups; one group answers chat and e-mail.")
        if st.button("Load demo data", key="load_demo", type="primary"):
            multiskill = variant == DEMO_VARIANTS[1]
            state.set_scenario(plan.demo_scenario(weeks=int(weeks), multiskill=multiskill),
                               "demo contact center" + (" (multi-skill)" if multiskill else ""))
            st.success(f"Demo data loaded: {int(weeks)} weeks to plan.")
    elif source == SOURCES[1]:
        _interval_upload(int(weeks))
    elif source == SOURCES[2]:
        _acd_upload(int(weeks))
    else:
        _scenario_upload()
    _scenario_summary()
