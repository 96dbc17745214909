"""Every table the dashboard shows, formatted for people (see :mod:`ccwfm.plan.display`).

``fmt.table(frame)`` instead of ``st.dataframe(frame)``: human headers with
units, percentages, separators, dates without a midnight time, at most two
decimals; the numbers underneath stay numbers, so a column still sorts as
numbers.  A page passes ``kinds`` for a column whose name does not tell
(``{"value": "pct"}``) and the scenario's currency for money headers.
"""

import streamlit as st

from ccwfm import plan

__all__ = ["KPI_NAMES", "STATIC_ROWS", "against_targets", "costs", "grouped", "kpi_text", "table",
           "targets_of", "value"]

# each queue's KPIs against its own target (ASA for e-mail): see ccwfm.plan.display
KPI_NAMES = plan.display.KPI_NAMES
against_targets = plan.display.against_targets
kpi_text = plan.display.kpi_text
targets_of = plan.display.targets_of


STATIC_ROWS = 30
"""Most rows of a table shown with ``static=True`` as a plain table (more: an interactive grid)."""


def table(frame, *, kinds=None, currency=None, decimals=None, index=False, key=None,
          height="auto", static=False):
    """Show ``frame`` formatted (:func:`ccwfm.plan.display.styled`), full width, no index.

    Parameters
    ----------
    frame : pandas.DataFrame
    kinds, currency, decimals, index
        As :func:`ccwfm.plan.display.texts`.
    key : str, optional
        Streamlit element key (of the interactive grid).
    height : int or "auto"
    static : bool
        A plain table (``st.table``: every row and column in view, not
        sortable) when ``frame`` has at most :data:`STATIC_ROWS` rows: for the
        small tables a page draws again at every input change (the what-if's),
        where the interactive grid (a canvas the browser lays out anew each
        time) costs each planner's browser several times more.
    """
    shown = plan.display.styled(frame, kinds=kinds, currency=currency, decimals=decimals,
                                index=index)
    if static and len(frame) <= STATIC_ROWS:
        return st.table(shown)
    return st.dataframe(shown, hide_index=True, width="stretch", key=key, height=height)


def value(x, kind, decimals=None):
    """One number as text for a metric (:func:`ccwfm.plan.display.format_value`).

    Examples
    --------
    >>> value(148.4667, "number", 1), value(0.8123, "pct"), value(160939.45, "money", 0)
    ('148.5', '81.2%', '160,939')
    """
    return plan.display.format_value(x, kind, decimals)


def costs(costs, currency, key=None, static=False):
    """A plan's costs (``plan.Costs``) as a table: one row per item, capitalised, in
    ``currency`` (named in the header, not repeated on every row); ``static`` as
    :func:`table`."""
    frame = costs.to_frame().drop(columns="currency", errors="ignore")
    if "item" in frame.columns:
        frame["item"] = frame["item"].astype(str).str.capitalize()
    return table(frame, currency=currency, kinds={"cost": "money"}, key=key, static=static)


def grouped(frame, key):
    """``frame`` with the rows of each ``key`` value together, the values in order of first
    appearance, rows in their order within a value (a queue's plans one under the other).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"queue": ["voice", "chat", "voice"], "plan": ["a", "a", "b"]})
    >>> grouped(f, "queue")["plan"].tolist()
    ['a', 'b', 'a']
    """
    order = {k: i for i, k in enumerate(dict.fromkeys(frame[key]))}
    return frame.sort_values(key, key=lambda c: c.map(order), kind="stable",
                             ignore_index=True)
