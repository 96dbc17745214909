"""Data page: the demo data, an uploaded interval file or ACD log, or a scenario file.

An uploaded file's name only labels the scenario (and the queue of a file
without a queue column), through :func:`files.label`; it never forms a path.
"""

import pandas as pd
import streamlit as st

from ccwfm import plan

from . import files, fmt, state

SOURCES = ("Demo contact center", "Interval file (CSV or Excel)", "ACD call log",
           "Scenario file (TOML)", "Saved plan (zip)")
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


def _problems(problems):
    """Every problem of an upload at once, as a table (errors first)."""
    table = plan.problems_frame(problems)
    fmt.table(table.rename(columns={"severity": "Problem", "queue": "Queue",
                                    "field": "Field", "rule": "Rule", "value": "Found"}),
              kinds={c: "text" for c in ("Problem", "Queue", "Field", "Rule", "Found")},
              key="upload_problems")


def _defaults(sc):
    """The settings an upload got by default, shown so that a planner sees them."""
    w, cap = sc.workforce, sc.capacity
    q = sc.queues[0]
    hours = "-".join(q.open_hours) if q.open_hours else "as in the file (intervals with rows)"
    aht = f"{q.aht:,.0f} s (the file has no handle times)" if q.aht else "forecast from the file"
    rows = [("Target, every queue", "; ".join(sorted({x.target.describe() for x in sc.queues}))),
            ("Channel", ", ".join(sorted({x.channel for x in sc.queues}))),
            ("Opening hours", hours),
            ("Handle time (AHT)", aht),
            ("Patience (abandonment)", "nobody abandons" if q.patience is None
             else f"{q.patience:,.0f} s"),
            ("Shrinkage", f"{w.total_shrinkage:.0%}"),
            (f"Wage per paid hour ({sc.finance.currency})", f"{w.hourly_cost:,.2f}"),
            ("Starting headcount", "what the first week needs" if cap.headcount == 0
             else f"{cap.headcount:,.0f}"),
            ("Weekly hours per FTE", f"{cap.fte_hours:,.1f}"),
            ("Interval", f"{w.interval} minutes"),
            ("Shift templates", f"{len(w.templates(None))} (the defaults)")]
    st.markdown("**Defaults this upload got.** Change them on the Scenario page.")
    fmt.table(pd.DataFrame(rows, columns=["Setting", "Value"]),
              kinds={"Setting": "text", "Value": "text"}, key="upload_defaults")


def _use_history(hist, name, weeks):
    """Check the upload completely, then load it (not when it has an error)."""
    problems = plan.check_history(hist, weeks=weeks)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        st.error(f"This file cannot be planned: {len(errors)} problem"
                 f"{'s' if len(errors) > 1 else ''} (all listed below). Nothing was loaded.")
        _problems(problems)
        return None
    sc = state.use_history(hist, name, weeks)
    st.success(f"Loaded {len(hist.frame):,} intervals of {', '.join(map(str, hist.queues))}: "
               f"planning {weeks} weeks from {sc.start}.")
    if problems:
        st.warning(f"{len(problems)} thing{'s' if len(problems) > 1 else ''} to know about "
                   "this file (the plan works; see the table).")
        _problems(problems)
    if hist.report:
        with st.expander(f"{len(hist.report)} things were repaired or noted in the file"):
            fmt.table(pd.DataFrame([{"kind": i.kind, "rows": ", ".join(map(str, i.rows[:10])),
                                     "message": i.message} for i in hist.report]),
                      kinds={"kind": "text", "rows": "text", "message": "text"})
    _defaults(sc)
    return sc


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
    fmt.table(pd.DataFrame({"Field": list(found), "Column in the file": list(found.values())}),
              kinds={"Field": "text", "Column in the file": "text"})
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


def _bundle_upload():
    up = st.file_uploader("Open a saved plan (zip), as 'Save the plan (zip)' below writes it",
                          type=["zip"], key="upload_bundle",
                          help=f"At most {plan.MAX_UPLOAD_MB} MB.")
    if up is None:
        return
    st.caption("A saved plan holds the scenario, its data and its saved what-ifs; opening it "
               "replaces the loaded plan.")
    if st.button("Open this plan", key="use_bundle", type="primary"):
        try:
            bundle = plan.open_bundle(up.getvalue())
            state.open_bundle(bundle, files.label(up.name, "plan"))
        except ValueError as exc:
            _explain(exc)
            return
        n = len(bundle.whatifs)
        st.success(f"Opened the saved plan {bundle.name!r}: {len(bundle.scenario.queues)} queues, "
                   f"{bundle.scenario.weeks} weeks from {bundle.scenario.start}, "
                   f"{'its own data' if bundle.sources else 'the demo data'}, "
                   f"{n} saved what-if{'' if n == 1 else 's'}.")


def _scenario_summary():
    sc = state.base()
    st.subheader(f"Scenario: {sc.name}")
    st.write(f"Data: **{st.session_state[state.SOURCE]}**. Horizon: {sc.weeks} weeks from "
             f"{sc.start}, {sc.workforce.interval}-minute intervals, shrinkage "
             f"{sc.workforce.total_shrinkage:.0%}, {sc.workforce.hourly_cost:,.2f} per hour.")
    overview = plan.scenario_overview(sc)
    if "patience (s)" in overview:            # in words: a queue nobody abandons has none
        overview["patience (s)"] = [fmt.value(p, "seconds") if pd.notna(p) else "nobody abandons"
                                    for p in overview["patience (s)"]]
    # Plain tables (a row per queue, per group): every planner's first page.
    fmt.table(overview, kinds={"bot containment": "pct", "patience (s)": "text",
                               "target": "text"}, static=True)
    if plan.is_pooled(sc):
        st.markdown("**Agent groups and routing**: an idle agent takes the queues it serves "
                    "in this order (overflow queues once a contact has waited the delay); each "
                    "group is scheduled for its home queues, and together with the groups "
                    "whose queues it shares.")
        groups = plan.group_overview(sc)
        fmt.table(groups.rename(columns={"shifts": "shift templates"}),
                  currency=sc.finance.currency, static=True)
    st.markdown("**Save the plan** to move it or open it later: the zip holds the scenario, "
                "its data and the saved what-ifs (and the what-if inputs in use, as "
                f"\"{state.CURRENT_INPUTS}\").")
    c1, c2 = st.columns(2)
    try:
        data = state.bundle_bytes()
    except ValueError as exc:
        c1.warning(f"This plan cannot be saved as a zip: {exc}")
    else:
        c1.download_button("Save the plan (zip)", data,
                           file_name=files.file_name(sc.name, "zip", "plan"),
                           mime="application/zip", key="dl_bundle", type="primary")
    c2.download_button("Download the scenario only (TOML)", state.current().to_toml().encode(),
                       file_name=files.file_name(sc.name, "toml", "scenario"),
                       mime="application/toml", key="dl_toml")
    if st.session_state.get(state.SOURCES):
        c2.caption(f"The TOML names its data ({plan.HISTORY_FILE}) but does not hold it: it "
                   "opens only with that file. Use the zip to move a plan.")


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
    elif source == SOURCES[3]:
        _scenario_upload()
    else:
        _bundle_upload()
    _scenario_summary()
