"""Downloads page: every table as CSV, and all of them in one Excel workbook.

Every text a spreadsheet would run as a formula (cells, headers, sheet
names) is escaped by ``plan.csv_bytes`` and ``plan.excel_bytes``.
"""

import streamlit as st

from ccwfm import plan

from . import files, state


def available_tables():
    """Every table the session can export, by name."""
    sc = state.current()
    fc, models = state.need_forecast()
    qp = state.need_quick(sc)
    out = {"whatif_summary": qp.summary, "whatif_cost": qp.cost.to_frame(),
           "requirements": qp.requirements, "forecast": fc, "models": models}
    if "comparison" in st.session_state:
        out["scenario_comparison"] = st.session_state["comparison"]
    result = state.full_if_run()
    if result is not None:
        for name, frame in plan.report_tables(result).items():
            out[f"plan_{name}"] = frame
    return {k: v for k, v in out.items() if v is not None and not v.empty}


def render():
    st.header("Downloads")
    tables = available_tables()
    st.write("Tables of the current scenario (with the what-if inputs); the full plan's "
             "tables appear once it has been built.")
    st.download_button("All tables (Excel)", plan.excel_bytes(tables),
                       file_name=files.file_name(state.current().name, "xlsx", "tables"),
                       key="dl_xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    for name, frame in tables.items():
        c1, c2 = st.columns([3, 1])
        c1.write(f"**{name}**: {len(frame):,} rows, {len(frame.columns)} columns")
        c2.download_button("CSV", plan.csv_bytes(frame), file_name=f"{name}.csv",
                           mime="text/csv", key=f"dl_{name}")
