"""Tables for people: human column names with units, and every value as a planner reads it.

One set of rules for the dashboard and the report: thousands separators,
fractions as percentages, currency, seconds as whole seconds, dates without
a time when the time is meaningless (every value at midnight), ``yes``/``no``
for flags, and never more than two decimals.  Numbers stay numbers in the
frame a caller keeps (the dashboard sorts on them); :func:`texts` gives the
displayed text and :func:`styled` a :class:`pandas.io.formats.style.Styler`
that shows it.

The kind of a column comes from its name (``service_level``, ``asa``,
``total_cost``, ``paid_share``, ``saving_pct`` ...) and its values; a caller
may force it with ``kinds={"column": "pct"}``.  Kinds:

``pct``      a fraction shown as a percentage (``0.8123`` -> ``81.2%``)
``pct_pts``  already in percent (``saving_pct``: ``5.04`` -> ``5.0%``)
``pts``      a difference of percentages in points (``+1.2 pts``)
``seconds``  whole seconds with separators (``ASA (s)``)
``money``    currency: whole units, or cents below 1,000 (``Cost (EUR)``)
``count``    a whole number with separators
``number``   decimals by size: 2 below 10, 1 below 100, none above
``date``     ``Mon 01 Sep 2025``; ``datetime``: ``Mon 01 Sep 2025 08:15``
``time``     ``08:15``; ``flag``: ``yes``/``no``; ``text``: as it is
"""

import datetime
import math
import numbers
import re

import numpy as np
import pandas as pd

__all__ = ["KINDS", "KPI_NAMES", "MISSING", "against_targets", "column_kind", "format_value",
           "kpi_text", "label", "labels", "styled", "targets_of", "texts"]

KINDS = ("pct", "pct_pts", "pts", "seconds", "money", "count", "number", "date", "datetime",
         "time", "flag", "text")

_WORDS = {"asa": "ASA", "aht": "AHT", "fte": "FTE", "sl": "SL", "kpi": "KPI", "wmape": "wMAPE",
          "mase": "MASE", "acd": "ACD", "id": "ID", "sim": "simulated", "pp": "pts",
          "lo": "low", "hi": "high", "csv": "CSV", "ivr": "IVR"}
_NAMES = {
    "start": "Start", "queue": "Queue", "group": "Agent group", "week": "Week",
    "volume": "Offered", "service_level": "Service level", "asa": "ASA",
    "abandon_rate": "Abandonment", "occupancy": "Occupancy", "offered": "Offered",
    "forecast": "Forecast",
    "agent_volume": "To agents", "to_agents": "To agents",
    "contained": "By the bot", "required": "Agents required",
    "scheduled": "Agents scheduled", "abandon_rate": "Abandonment", "abandoned": "Abandoned",
    "fte": "FTE", "required_fte": "FTE required", "productive_fte": "Productive FTE",
    "headcount_start": "Headcount at start", "joining": "Joining", "gap": "Gap (FTE)",
    "peak_agents": "Peak agents", "agent_hours": "Agent-hours", "paid_hours": "Paid hours",
    "wmape": "wMAPE", "mase": "MASE", "bias": "Bias", "chosen": "Chosen",
    "under": "Short (agents)", "over": "Surplus (agents)", "lo_80": "80% low",
    "hi_80": "80% high", "lo_95": "95% low", "hi_95": "95% high",
    "home_of": "Home of", "paid_share": "Share of paid hours", "min_agents": "Min on duty",
    "max_agents": "Max on duty", "hourly_cost": "Hourly cost", "cost_per_hire": "Cost per hire",
    "training_weeks": "Training weeks", "target_time": "Answered within (s)",
    "headcount_end": "Headcount at end", "in_training": "In training", "ramping": "Ramping up",
    "experienced": "Experienced", "attrition": "Leaving (FTE)", "wage_cost": "Wages",
    "hiring_cost": "Hiring cost", "total_cost": "Total cost",
    "cum_total_cost": "Total cost to date",
    "agent_hours_required": "Agent-hours required", "agent_aht": "AHT at agents",
    "worst_period": "Worst period", "metric": "KPI", "level": "Per", "template": "Shift",
    "periods": "Periods", "peak_fte": "Peak FTE", "paid_hours_schedule": "Paid hours (schedule)",
    "cum_attrition": "Left to date (FTE)", "cum_joining": "Joined to date",
    "cum_wage_cost": "Wages to date", "cum_hiring_cost": "Hiring cost to date",
    "surplus": "Mean surplus", "worst": "Worst", "best": "Best", "formula": "Formula",
    "simulated": "Simulated", "low": "95% low", "high": "95% high", "met": "Met",
    "contacts": "Contacts", "serves": "Serves",
}
_PCT = ("service_level", "abandon_rate", "occupancy", "shrinkage", "containment", "wmape",
        "bias", "share", "utilisation", "utilization", "attainment", "met_share")
_SECONDS = ("asa", "aht", "patience", "target_time", "wait", "handle", "seconds")
_MONEY = ("cost", "wages", "wage", "budget", "salary", "salaries", "pay")
_COUNT = ("agents", "shifts", "hires", "headcount", "rows", "periods", "met", "contacts",
          "calls", "size", "count", "weeks", "days", "volume", "offered", "abandoned",
          "answered", "intervals")
_MAX_STYLED = 200_000         # cells; a larger table is shown as text (pandas' Styler limit)


def _tokens(name):
    return [t for t in re.split(r"[^0-9a-zA-Z]+", str(name).lower()) if t]


def column_kind(name, values):
    """The display kind of column ``name`` holding ``values`` (one of :data:`KINDS`).

    Examples
    --------
    >>> column_kind("service_level_sim", pd.Series([0.8]))
    'pct'
    >>> column_kind("week", pd.Series(pd.to_datetime(["2025-09-01", "2025-09-08"])))
    'date'
    >>> column_kind("total_cost", pd.Series([12.5]))
    'money'
    """
    values = pd.Series(values)
    if pd.api.types.is_bool_dtype(values):
        return "flag"
    if pd.api.types.is_datetime64_any_dtype(values):
        v = values.dropna()
        if len(v) and (v.dt.normalize() == v).all():
            return "date"
        return "datetime"
    if not pd.api.types.is_numeric_dtype(values):
        v = values.dropna()
        if len(v) and all(isinstance(x, (bool, np.bool_)) for x in v):
            return "flag"
        if len(v) and all(isinstance(x, (datetime.datetime, np.datetime64)) for x in v):
            return column_kind(name, pd.to_datetime(v))
        if len(v) and all(isinstance(x, datetime.date) for x in v):
            return "date"
        return "text"
    toks = _tokens(name)
    if not toks:
        return "number"
    last, joined = toks[-1], "_".join(toks)
    if last in ("pct", "percent") or joined.endswith("pct_pts"):
        return "pct_pts"
    if last in ("pp", "pts", "points"):
        return "pts"
    if any(joined.startswith(p) or f"_{p}" in joined for p in _PCT):
        return "pct"
    if any(t in _SECONDS for t in toks) or last == "s":
        return "seconds"
    if any(t in _MONEY for t in toks):
        return "money"
    v = values.to_numpy(dtype=float, na_value=np.nan)
    finite = v[np.isfinite(v)]
    if pd.api.types.is_integer_dtype(values) or (
            any(t in _COUNT for t in toks) and len(finite) and np.all(finite == np.round(finite))):
        return "count"
    return "number"


def _decimals(values):
    """Decimals for a column: none from 100 up, 1 from 10, else 2; none when every
    value is whole (a column of zeros reads ``0``, not ``0.00``)."""
    v = np.abs(np.asarray(values, dtype=float))
    v = v[np.isfinite(v)]
    top = float(v.max()) if len(v) else 0.0
    if len(v) and np.all(v == np.round(v)):
        return 0
    return 0 if top >= 100 else 1 if top >= 10 else 2


def _round(x, d):
    """``x`` rounded to ``d`` decimals, without a negative zero ("-0.0")."""
    return round(x, d) + 0.0


def format_value(value, kind, decimals=None):
    """One value as text for ``kind`` (empty for a missing value).

    A text (``str``) is shown as it is; a number or a date in a ``text``
    column is shown as a number or a date (never a raw float, never a
    midnight time).  ``decimals`` applies to ``number`` and ``money``.

    Examples
    --------
    >>> format_value(0.81234, "pct"), format_value(4395.4316, "number")
    ('81.2%', '4,395')
    >>> format_value(pd.Timestamp("2025-09-01"), "date")
    'Mon 01 Sep 2025'
    >>> format_value(float("inf"), "seconds"), format_value(-0.0004, "pct")
    ('∞', '0.0%')
    """
    if value is None or value is pd.NaT or value is pd.NA:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (datetime.date, np.datetime64)):
        ts = pd.Timestamp(value)
        if kind not in ("date", "datetime", "time"):
            kind = "date" if ts == ts.normalize() else "datetime"
        if kind == "date":
            return f"{ts:%a %d %b %Y}"
        if kind == "datetime":
            return f"{ts:%a %d %b %Y %H:%M}"
        return f"{ts:%H:%M}"
    if kind == "flag":
        return "yes" if bool(value) else "no"
    if not isinstance(value, numbers.Real):
        return str(value)
    x = float(value)
    if kind in ("text", "date", "datetime", "time"):
        kind = "count" if x.is_integer() else "number"
    if not math.isfinite(x):
        return "∞" if x > 0 else "-∞"
    if kind == "pct":
        return f"{_round(100 * x, 1):.1f}%"
    if kind == "pct_pts":
        return f"{_round(x, 1):.1f}%"
    if kind == "pts":
        return f"{_round(x, 1):+.1f} pts"
    if kind in ("seconds", "count"):
        return f"{_round(x, 0):,.0f}"
    d = (2 if kind == "money" else _decimals([x])) if decimals is None else min(int(decimals), 2)
    return f"{_round(x, d):,.{d}f}"


def label(name, kind="text", currency=None):
    """A human header for column ``name`` with its unit.

    Examples
    --------
    >>> label("asa_sim_plan", "seconds"), label("abandon_rate_plan", "pct")
    ('ASA simulated (s)', 'Abandonment by formula')
    >>> label("total_cost", "money", "EUR")
    'Total cost (EUR)'
    """
    name = str(name)
    if " " in name or (name[:1].isupper() and "_" not in name):
        text = name                                  # already for people
        first = text.split(" ", 1)[0]
        if first.isalpha() and first.islower():
            text = text[:1].upper() + text[1:]
    elif name in _NAMES:
        text = _NAMES[name]
    else:
        base, tail = name, ""
        for suffix, said in (("_sim_plan", " simulated"), ("_plan", " by formula"),
                             ("_sim", " simulated")):
            if name.endswith(suffix) and len(name) > len(suffix):
                base, tail = name[:-len(suffix)], said
                break
        if base in _NAMES:
            text = _NAMES[base] + tail
        else:
            words = [_WORDS.get(t, t) for t in base.split("_") if t]
            text = (" ".join(words) or name) + tail
            text = text.replace("abandon rate", "abandonment")
        text = text[:1].upper() + text[1:]
    if kind == "seconds" and "(s)" not in text:
        text += " (s)"
    elif kind == "money" and currency and f"({currency})" not in text:
        text += f" ({currency})"
    return text


def _kinds(frame, kinds):
    kinds = dict(kinds or {})
    for k in kinds.values():
        if k not in KINDS:
            raise ValueError(f"'kinds' must be one of {', '.join(KINDS)}: {k!r}")
    return {c: kinds.get(c) or column_kind(c, frame[c]) for c in frame.columns}


def labels(frame, kinds=None, currency=None):
    """Human headers for ``frame``'s columns (unique), as :func:`label`."""
    out, seen = [], set()
    for col, kind in _kinds(frame, kinds).items():
        text, k = label(col, kind, currency), 2
        base = text
        while text in seen:
            text, k = f"{base} {k}", k + 1
        seen.add(text)
        out.append(text)
    return out


def _formatters(frame, kinds, decimals):
    out = {}
    for col, kind in kinds.items():
        d = (decimals or {}).get(col)
        numeric = pd.api.types.is_numeric_dtype(frame[col])
        if d is None and kind == "number" and numeric:
            d = _decimals(frame[col].to_numpy(dtype=float, na_value=np.nan))
        if d is None and kind == "money" and numeric:
            v = np.abs(frame[col].to_numpy(dtype=float, na_value=np.nan))
            d = 2 if np.max(v[np.isfinite(v)], initial=0.0) < 1000 else 0
        out[col] = (lambda v, k=kind, n=d: format_value(v, k, n))
    return out


def _header(name):
    """A column name as text: a date (a pivot's column) without a midnight time."""
    if isinstance(name, (datetime.date, np.datetime64)):
        return format_value(name, "text")
    return str(name)


_BY_METRIC = ("target", "formula", "simulated", "worst", "best", "low", "high", "surplus",
              "value", "interval_target")


def _by_metric(frame, kinds, forced):
    """Columns holding each row's KPI (a ``metric`` column of KPI names: service level
    and abandonment as %, ASA in seconds): column -> metric per row."""
    if "metric" not in frame.columns:
        return {}
    m = frame["metric"]
    known = m.dropna()
    if not len(known) or not known.isin(list(KPI_NAMES)).all():
        return {}
    return {c: m.tolist() for c in frame.columns
            if c in _BY_METRIC and c not in forced and kinds[c] in ("number", "count", "pct")}


def _prepared(frame, kinds, currency, decimals, index):
    frame = frame.reset_index() if index else frame
    frame = frame.loc[:, ~frame.columns.duplicated()].reset_index(drop=True)
    frame.columns = [" / ".join(map(_header, c)) if isinstance(c, tuple) else _header(c)
                     for c in frame.columns]
    k = _kinds(frame, kinds)
    fmts = _formatters(frame, k, decimals)
    rows = _by_metric(frame, k, set(kinds or {}))
    if rows:
        fmts["metric"] = lambda v: KPI_NAMES.get(v, format_value(v, "text"))
    return frame, k, fmts, labels(frame, k, currency), rows


def _cells(frame, fmts, rows, col):
    if col in rows:
        return [kpi_text(m, v, surplus=col == "surplus") for m, v in zip(rows[col], frame[col])]
    return [fmts[col](v) for v in frame[col]]


def texts(frame, *, kinds=None, currency=None, decimals=None, index=False):
    """``frame`` as displayed: every cell a text, human headers.

    A frame with a ``metric`` column of KPI names (``service_level``,
    ``asa`` ...: :func:`plan.attainment_summary`) shows its ``target``,
    ``simulated``, ``worst`` ... cells in each row's unit (``80.0%``,
    ``7,200 s``).

    Parameters
    ----------
    frame : pandas.DataFrame
    kinds : dict, optional
        Column -> kind (:data:`KINDS`), for a column whose name does not tell.
    currency : str, optional
        Currency code shown in money headers.
    decimals : dict, optional
        Column -> decimals (at most 2), for ``number`` and ``money`` columns.
    index : bool
        Show the index as columns (a pivot's rows).

    Examples
    --------
    >>> f = pd.DataFrame({"queue": ["voice"], "service_level": [0.9312], "asa": [12.44],
    ...                   "total_cost": [253247.4245]})
    >>> texts(f, currency="EUR").iloc[0].tolist()
    ['voice', '93.1%', '12', '253,247']
    >>> list(texts(f, currency="EUR").columns)
    ['Queue', 'Service level', 'ASA (s)', 'Total cost (EUR)']
    >>> texts(pd.DataFrame({"metric": ["service_level", "asa"], "target": [0.8, 7200.0]}))
    ...                                                   # doctest: +NORMALIZE_WHITESPACE
                 KPI    Target
    0  Service level     80.0%
    1            ASA   7,200 s
    """
    frame, _, fmts, heads, rows = _prepared(frame, kinds, currency, decimals, index)
    return pd.DataFrame({h: _cells(frame, fmts, rows, c) for c, h in zip(frame.columns, heads)},
                        index=range(len(frame)), columns=heads)


def styled(frame, *, kinds=None, currency=None, decimals=None, index=False):
    """``frame`` with human headers and a Styler showing :func:`texts` (values stay numbers).

    A missing value shows :data:`MISSING` (a dash).  Streamlit draws a missing
    raw value as a grey "None" whatever the Styler says, so a column holding
    a missing value is handed over as its texts (the dash included): it sorts
    as text.  A table of more than 200,000 cells is returned as :func:`texts`
    (a plain frame of text), beyond what a Styler renders.

    Examples
    --------
    >>> s = styled(pd.DataFrame({"occupancy": [0.8567]}))
    >>> s.data.columns.tolist(), s.data.iloc[0, 0]
    (['Occupancy'], np.float64(0.8567))
    """
    if frame.size > _MAX_STYLED:
        return texts(frame, kinds=kinds, currency=currency, decimals=decimals, index=index)
    frame, _, fmts, heads, rows = _prepared(frame, kinds, currency, decimals, index)
    shown = frame.copy()
    gaps = [c for c in frame.columns if frame[c].isna().any()]
    for c in gaps:                      # texts, so that the browser draws the dash
        shown[c] = [MISSING if gap else t
                    for gap, t in zip(frame[c].isna(), _cells(frame, fmts, rows, c))]
    shown.columns = heads
    head = dict(zip(frame.columns, heads))
    style = shown.style.format({head[c]: f for c, f in fmts.items()
                                if c not in rows and c not in gaps})
    rows = {c: m for c, m in rows.items() if c not in gaps}
    for col, metrics in rows.items():
        for metric in dict.fromkeys(metrics):
            at = [i for i, m in enumerate(metrics) if m == metric]
            style = style.format(lambda v, m=metric, c=col: kpi_text(m, v, surplus=c == "surplus"),
                                 subset=pd.IndexSlice[at, [head[col]]])
    return style.hide(axis="index")


MISSING = "\u2013"
"""What a styled table shows for a missing value (an en dash)."""


# -- KPIs against each queue's own targets ----------------------------------------

KPI_NAMES = {"service_level": "Service level", "abandon_rate": "Abandonment", "asa": "ASA",
             "occupancy": "Occupancy"}
"""A KPI's name for people."""

_UP = ("service_level",)            # higher is better; the others are ceilings


def kpi_text(metric, x, surplus=False):
    """A KPI's value as text: a percentage, or seconds for ASA (``surplus``: a signed
    difference, in points or seconds).

    Examples
    --------
    >>> kpi_text("service_level", 0.8294), kpi_text("asa", 1075.73)
    ('82.9%', '1,076 s')
    >>> kpi_text("service_level", 0.0463, surplus=True), kpi_text("asa", -3390.8, surplus=True)
    ('+4.6 pts', '-3,391 s')
    """
    if x is None or pd.isna(x):
        return ""
    if metric == "asa":
        x = _round(float(x), 0)
        return f"{x:+,.0f} s" if surplus else f"{format_value(x, 'seconds')} s"
    return format_value(100 * float(x), "pts") if surplus else format_value(x, "pct")


def _span(seconds):
    s = float(seconds)
    if s >= 3600 and s % 3600 == 0:
        return f"{s / 3600:g} h"
    if s >= 60 and s % 60 == 0 and s < 3600:
        return f"{s / 60:g} min"
    return f"{s:,.0f} s"


def targets_of(queue):
    """A queue's targets: ``[(metric, target, text)]``, the metric its KPI is measured by.

    ``service_level`` with its ``target_time`` (or, for deferrable work, the
    share handled within its window), ``abandon_rate``, ``asa`` (seconds),
    ``occupancy`` (a cap).  E-mail with an ``asa`` target is measured by its
    ASA, not by a service level.

    Examples
    --------
    >>> from ccwfm.plan.scenario import Target
    >>> from types import SimpleNamespace as Q
    >>> targets_of(Q(target=Target(asa=7200)))
    [('asa', 7200.0, '≤ 7,200 s')]
    >>> [t[2] for t in targets_of(Q(target=Target(service_level=0.8, target_time=20,
    ...                                           abandon_rate=0.05)))]
    ['≥ 80% in 20 s', '≤ 5%']
    """
    t = queue.target
    out = []
    if t.service_level is not None:
        out.append(("service_level", t.service_level,
                    f"≥ {format_value(t.service_level, 'pct').replace('.0%', '%')} in "
                    f"{_span(t.target_time)}"))
    elif t.window is not None:
        within = format_value(t.within, "pct").replace(".0%", "%")
        when = ("by the end of the next business day" if isinstance(t.window, str) else
                f"within {_span(t.window)}"
                + (" of open hours" if t.window_basis == "business" else ""))
        out.append(("service_level", t.within, f"≥ {within} {when}"))
    if t.abandon_rate is not None:
        out.append(("abandon_rate", t.abandon_rate,
                    f"≤ {format_value(t.abandon_rate, 'pct').replace('.0%', '%')}"))
    if t.asa is not None:
        out.append(("asa", t.asa, f"≤ {format_value(t.asa, 'seconds')} s"))
    if t.occupancy is not None:
        out.append(("occupancy", t.occupancy,
                    f"≤ {format_value(t.occupancy, 'pct').replace('.0%', '%')}"))
    return out


def _measurable(queue, metric):
    """Whether the summary's ``metric`` measures the queue's target (a service level
    within a business-hours or next-day window is counted contact by contact only)."""
    t = queue.target
    return not (metric == "service_level" and t.service_level is None
                and (isinstance(t.window, str) or t.window_basis == "business"))


def _met(metric, x, target):
    if x is None or pd.isna(x):
        return None
    return bool(x >= target - 1e-12) if metric in _UP else bool(x <= target + 1e-12)


def against_targets(queues, frame, values=None, met_on=None):
    """Each queue's KPIs against its own targets, one row per queue and target.

    Parameters
    ----------
    queues : sequence of plan.scenario.QueueConfig
        The scenario's queues (their ``name`` and ``target``).
    frame : pandas.DataFrame
        Per queue (column ``queue``), the KPIs as columns ``<metric><suffix>``
        (fractions; ASA in seconds), e.g. :attr:`QuickPlan.summary` or
        :attr:`PlanResult.summary`.
    values : dict, optional
        Column title -> suffix, in order (default ``{"Value": ""}``).
    met_on : str, optional
        The title of the value ``Met`` judges (default: the last of ``values``
        the frame holds for the queue).

    Returns
    -------
    pandas.DataFrame
        ``Queue``, ``KPI``, ``Target`` (text), one text column per value
        (``82.9%``, ``1,076 s``) and ``Met`` (bool; None when not measured
        here).  A queue without a row in ``frame`` is left out.

    Examples
    --------
    >>> from ccwfm.plan import demo_scenario
    >>> sc = demo_scenario(weeks=1)
    >>> f = pd.DataFrame({"queue": ["voice", "email"], "service_level": [0.83, 0.28],
    ...                   "abandon_rate": [0.04, 0.0], "asa": [7.1, 1075.7]})
    >>> t = against_targets(sc.queues, f)
    >>> for row in t.values.tolist():
    ...     print(row)
    ['voice', 'Service level', '≥ 80% in 20 s', '83.0%', True]
    ['voice', 'Abandonment', '≤ 5%', '4.0%', True]
    ['email', 'ASA', '≤ 7,200 s', '1,076 s', True]
    """
    values = dict(values or {"Value": ""})
    if met_on is not None and met_on not in values:
        raise ValueError(f"'met_on' must be one of {', '.join(values)}: {met_on!r}")
    rows = []
    by_queue = frame.set_index("queue") if len(frame) else frame
    for q in queues:
        if q.name not in by_queue.index:
            continue
        row = by_queue.loc[q.name]
        for metric, target, text in targets_of(q):
            out = {"Queue": q.name, "KPI": KPI_NAMES[metric], "Target": text}
            last = None
            for title, suffix in values.items():
                col = metric + suffix
                x = row[col] if col in row.index and _measurable(q, metric) else None
                out[title] = kpi_text(metric, x)
                if x is not None and not pd.isna(x) and met_on in (None, title):
                    last = float(x)
            out["Met"] = _met(metric, last, target)
            rows.append(out)
    return pd.DataFrame(rows, columns=["Queue", "KPI", "Target", *values, "Met"])
