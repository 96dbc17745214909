"""Downloads page: every table once, described; all of them in one Excel workbook or one zip
of CSV files, and any one of them as CSV with a preview.

**Light to show.**  The tables are listed as one markdown list per section
(name, what a row is, rows and columns), and one picker gives the CSV file and
the preview of the table picked: a dozen elements whatever the number of
tables, where a row with a button per table (five elements each, 20 tables
after a full plan) was drawn again by every planner's browser at every visit
(``benchmarks/dashboard_load_bench.py``: six planners on 2 cores).

**Built once per plan.**  The tables of a visit (the what-if's formula
staffing, the forecast, the full plan's tables when it was built, the shift
schedule as a grid by week, the roster shown on the Roster page, the saved
what-ifs side by side) are gathered into a :class:`Bundle` kept in the
session under a key made of the data key, ``repr`` of the current scenario
(what-if inputs included), the full plan and the roster kept for it (by
identity: a rebuilt plan or a pooling gain is a new object) and the saved
what-ifs.  A later visit with the same key reuses it, so a visit costs well
under a second after the first.  Only the newest bundle is kept.

**Files made once.**  The workbook of every table but those per interval
is made at the first visit (well under a second), a small table's CSV file
when it is picked, and kept in the bundle; the tables per interval (their CSV
files and their own workbook, seconds to write for an 8-week plan) and the
zip of every CSV file are made when their button is pressed (Streamlit's
deferred download: ``data`` is a callable, run on a thread of its own) and
kept too.  No rerun ever rebuilds a file, and the same tables give the same
bytes (``plan.excel_bytes`` writes no clock, the zip's entries all carry one
fixed date).  Small files are not deferred: Streamlit serves a deferred file from an
unreferenced entry that the end of any session's run may remove before the
browser fetches it, which several planners at once make likely.

**No duplicates.**  Every pair of tables is compared (``DataFrame.equals``
on the values, columns and types): a table equal to one listed earlier is
left out (the full plan's forecast, models and interval requirements are the
what-if's when no what-if changed the demand).

Every text a spreadsheet would run as a formula (cells, headers, sheet
names) is escaped by ``plan.csv_bytes`` and ``plan.excel_bytes``.
"""

import threading

import pandas as pd
import streamlit as st

from ccwfm import plan

from . import files, fmt, state

__all__ = ["DAYS", "DESCRIPTIONS", "INTERVAL_TABLES", "LARGE_ROWS", "PAGE_PX", "PREVIEW_ROWS",
           "SIDE_ROWS", "Bundle", "bundle", "describe", "gather", "listing", "per_interval",
           "preview", "render", "schedule_by_week", "unique_tables"]

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PREVIEW_ROWS = 20
SIDE_ROWS = 5
"""Rows a table too wide for the page shows in its preview (on its side)."""
PAGE_PX = 900
"""Width of a table on the page, pixels (the main column beside the sidebar, 1,400-pixel
window): a wider preview is turned on its side."""
_PX_PER_CHAR = 7.5      # pixels of a character in a table (headers are bold), pixels of
_PX_PER_COLUMN = 24     # padding and border per column: a little above what Chromium draws
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_KEPT = "downloads_bundle"                  # session_state key of the newest bundle

DESCRIPTIONS = {
    # what-if (formula staffing of the current scenario)
    "whatif_summary": "one row per queue: the current scenario (what-if inputs applied) staffed "
                      "by formula over the horizon: contacts, agent-hours, paid hours, FTE, peak "
                      "agents, service level and abandonment (fractions 0-1), ASA (s), occupancy.",
    "whatif_cost": "one row per cost item of that formula staffing over the horizon, in the "
                   "scenario's currency.",
    "forecast": "one row per queue and interval: contacts forecast in the interval, its 80% and "
                "95% bounds, AHT (s).",
    "models": "one row per queue and candidate forecast model: backtest wMAPE and bias "
              "(fractions), MASE; 'chosen' marks the model used.",
    "requirements": "one row per queue and interval: contacts, AHT (s), contacts the bot "
                    "contains, agents required by formula, service level, ASA (s), abandonment, "
                    "occupancy.",
    "scenario_comparison": "one row per saved what-if (and the base): FTE, cost of the horizon "
                           "(currency), each queue's service level, ASA (s) and abandonment.",
    # full plan
    "plan_summary": "one row per queue of the full plan: contacts, agent-hours required, service "
                    "level, abandonment (fractions) and ASA (s), by formula and simulated (sim).",
    "plan_costs": "one row per cost item of the full plan over the horizon (wages, hiring, bot "
                  "and abandoned contacts, total), in the scenario's currency.",
    "attainment": "one row per queue, period (interval, day or week) and target metric: target, "
                  "formula and simulated value with its 95% range, met or not, contacts.",
    "groups": "one row per agent group: queues it serves (in priority order), shifts, paid "
              "hours, wages (currency), share of all paid hours.",
    "pooling": "one row per headline figure (paid hours, wages, periods meeting their target): "
               "pooled groups against a dedicated group per queue, and the difference.",
    "pooling_queues": "one row per queue: its simulated KPIs with pooled groups and with a "
                      "dedicated group.",
    "verification": "one row per queue: the schedule checked by simulation against the formula.",
    "coverage": "one row per agent group and interval: agents required and scheduled, agents "
                "over and under the requirement.",
    "shifts": "one row per agent group, shift template and start (date and time): agents "
              "starting that shift.",
    "schedule_by_week": "the shifts as a weekly grid: one row per agent group, week (its Monday), "
                        "shift template and start time; agents starting on each day Mon-Sun and "
                        "in the week.",
    "breaks": "one row per shift start and break: when the break starts, its length (minutes), "
              "paid or not, agents.",
    "achieved": "one row per queue and interval: agents scheduled and the service level, ASA "
                "(s), abandonment and occupancy they achieve, by formula and simulated (sim).",
    "capacity": "one row per week: FTE required, headcount at start and end, attrition, "
                "joining, in training and ramping, productive FTE, gap (FTE), wage, hiring and "
                "total cost (currency; cum = cumulated).",
    "hires": "one row per proposed hiring class: training start, hires, training weeks, ramp "
             "(share productive per week), cost per hire (currency).",
    # roster
    "roster_summary": "the roster's headline figures: agents, weeks, paid hours against the "
                      "shift schedule's, wages, shortfall (agent-hours), rule violations.",
    "roster": "one row per agent and working day: shift template, start and end (date and "
              "time), paid hours, breaks.",
    "roster_grid": "one row per agent, one column per day: the shift worked (what is "
                   "published to the agents).",
    "roster_rules": "one row per work rule: on or off, what it says, violations, an example.",
    "roster_violations": "one row per broken work rule: agent, day, rule.",
    "roster_fairness": "one row per agent group, contract and measure (shifts, weekends, "
                       "nights...): agents and the least, mean and most per agent.",
    "roster_coverage": "one row per agent group and interval: agents the shift schedule wants "
                       "(target) and rostered, agents under and over it.",
    "roster_kpis": "one row per queue and target metric: the roster's simulated attainment "
                   "(periods, periods met, simulated value, worst and best period).",
    "roster_agents": "one row per agent, as the agents file reads it: group, contract, days "
                     "off, unavailable days, first and last day available.",
}

_SECTIONS = (("whatif", "What-if (formula staffing of the current scenario)"),
             ("plan", "Full plan"), ("roster", "Roster"))


def describe(name, frame=None):
    """The one-line description of table ``name`` (what a row is, units).

    Examples
    --------
    >>> describe("forecast").startswith("one row per queue and interval")
    True
    >>> describe("mystery", pd.DataFrame({"a": [1, 2]}))
    'one row per record: a.'
    """
    if name in DESCRIPTIONS:
        return DESCRIPTIONS[name]
    if name.startswith("plan_") and name[5:] in DESCRIPTIONS:
        return DESCRIPTIONS[name[5:]]
    cols = ", ".join(map(str, frame.columns)) if frame is not None else ""
    return f"one row per record: {cols}."


def schedule_by_week(shifts):
    """The shift schedule as a readable grid: a block per agent group and week.

    Parameters
    ----------
    shifts : pandas.DataFrame
        ``group``, ``template``, ``start`` (datetime of the shift's start),
        ``agents`` (agents starting it), as ``PlanResult.shifts``.

    Returns
    -------
    pandas.DataFrame
        One row per ``group``, ``week`` (the Monday, a date), ``template`` and
        ``start`` (``HH:MM``, 24-hour clock); columns ``Mon`` ... ``Sun`` the
        agents starting that shift on that day (0 when none) and ``total``
        (agents in the week).  Rows in order of group (as first seen), week,
        template (as first seen in time order), start time.  A shift belongs
        to the day it starts (a night shift runs past midnight).

    Examples
    --------
    >>> sh = pd.DataFrame({"group": ["g", "g", "g"], "template": ["full", "full", "full"],
    ...                    "start": pd.to_datetime(["2025-09-01 08:00", "2025-09-03 08:00",
    ...                                             "2025-09-08 09:30"]),
    ...                    "agents": [3, 2, 1]})
    >>> t = schedule_by_week(sh)
    >>> t[["week", "start", "Mon", "Wed", "total"]].astype(str).values.tolist()
    [['2025-09-01', '08:00', '3', '2', '5'], ['2025-09-08', '09:30', '1', '0', '1']]
    """
    cols = ["group", "week", "template", "start", *DAYS, "total"]
    if shifts is None or shifts.empty:
        return pd.DataFrame(columns=cols)
    sh = shifts.sort_values("start", kind="stable")
    start = pd.to_datetime(sh["start"])
    day = start.dt.normalize()
    frame = pd.DataFrame({
        "group": pd.Categorical(sh["group"], categories=list(dict.fromkeys(shifts["group"]))),
        "week": day - pd.to_timedelta(start.dt.day_of_week, unit="D"),
        "template": pd.Categorical(sh["template"], categories=list(dict.fromkeys(sh["template"]))),
        "start": start.dt.strftime("%H:%M"),
        "day": pd.Categorical(start.dt.day_of_week.map(dict(enumerate(DAYS))), categories=DAYS),
        "agents": sh["agents"].astype(int).to_numpy()})
    grid = frame.pivot_table(index=["group", "week", "template", "start"], columns="day",
                             values="agents", aggfunc="sum", fill_value=0, observed=True)
    grid = grid.reindex(columns=list(DAYS), fill_value=0).astype(int)
    grid["total"] = grid.sum(axis=1)
    grid = grid.sort_index().reset_index()
    grid.columns.name = None
    grid["group"] = grid["group"].astype(str)
    grid["template"] = grid["template"].astype(str)
    return grid[cols]


def _same(a, b):
    if a.shape != b.shape or list(a.columns) != list(b.columns):
        return False
    return a.reset_index(drop=True).equals(b.reset_index(drop=True))


def unique_tables(tables):
    """``tables`` (name -> frame) without a table equal to one before it, and without
    empty ones; every pair is compared.

    Returns
    -------
    (dict, dict)
        The tables kept, and ``{left out: the kept table it equals}``.

    Examples
    --------
    >>> a = pd.DataFrame({"x": [1, 2]})
    >>> kept, dropped = unique_tables({"a": a, "b": a.copy(), "c": a + 1})
    >>> list(kept), dropped
    (['a', 'c'], {'b': 'a'})
    """
    kept, dropped = {}, {}
    for name, frame in tables.items():
        if not isinstance(frame, pd.DataFrame) or frame.empty:
            continue
        twin = next((k for k, f in kept.items() if _same(f, frame)), None)
        if twin is None:
            kept[name] = frame
        else:
            dropped[name] = twin
    return kept, dropped


class Bundle:
    """The tables of one visit's key, with their files made once, on demand.

    Parameters
    ----------
    key : tuple
        What the tables depend on (see the module's notes).
    tables : dict
        Name -> DataFrame (no duplicates, none empty).
    sections : dict
        Name -> ``"whatif"``, ``"plan"`` or ``"roster"``.
    dropped : dict
        Left-out duplicate -> the table it equals.
    pinned : tuple
        Objects whose identity is in ``key`` (the plan, the roster), kept alive
        so that their ``id`` cannot be reused while the bundle lives.
    """

    def __init__(self, key, tables, sections, dropped=None, pinned=()):
        self.key = key
        self.tables = tables
        self.sections = sections
        self.dropped = dict(dropped or {})
        self._pinned = pinned
        self._csv = {}
        self._xlsx = {}                        # part -> workbook bytes
        self._zip = None
        self._lock = threading.Lock()

    def csv(self, name):
        """CSV bytes of table ``name`` (made at the first call, then kept)."""
        with self._lock:
            if name not in self._csv:
                self._csv[name] = plan.csv_bytes(self.tables[name])
            return self._csv[name]

    def zip(self):
        """Every table's CSV file (``<name>.csv``) in one zip (made at the first call, then
        kept); the same tables give the same bytes (:func:`ccwfm.plan.zip_bytes`)."""
        if self._zip is None:          # (two threads at once would make the same bytes)
            self._zip = plan.zip_bytes({f"{name}.csv": self.csv(name) for name in self.tables})
        return self._zip

    def part(self, name):
        """``"intervals"`` for a table with a row per interval (:func:`per_interval`), else
        ``"plan"``."""
        return "intervals" if per_interval(name, self.tables[name]) else "plan"

    def excel(self, part="plan"):
        """The workbook of the tables of ``part``, one sheet each (made at the first call,
        then kept): ``"plan"`` every table but those per interval, ``"intervals"`` those.

        The tables per interval are nine tenths of the cells of an 8-week plan
        (about 750,000): their workbook takes seconds to write and minutes to
        open in a spreadsheet, so it is a file of its own, made on request.
        """
        if part not in ("plan", "intervals"):
            raise ValueError(f"'part' must be 'plan' or 'intervals': {part!r}")
        with self._lock:
            if part not in self._xlsx:
                self._xlsx[part] = plan.excel_bytes(
                    {k: v for k, v in self.tables.items() if self.part(k) == part})
            return self._xlsx[part]


INTERVAL_TABLES = frozenset({"forecast", "requirements", "plan_forecast", "plan_requirements",
                             "plan_coverage", "plan_achieved", "roster_coverage"})
"""Tables with a row per queue (or group) and interval."""
LARGE_ROWS = 20_000


def per_interval(name, frame):
    """Whether table ``name`` belongs to the interval workbook: one of
    :data:`INTERVAL_TABLES`, or any table of more than :data:`LARGE_ROWS` rows."""
    return name in INTERVAL_TABLES or len(frame) > LARGE_ROWS


def _roster_shown():
    """The roster shown on the Roster page if it is of the current scenario, with its key."""
    ss = st.session_state
    key = ss.get(state.ROSTER_SHOWN)
    roster = ss.get(state.ROSTERS, {}).get(key) if key is not None else None
    if roster is None or key[0] != ss[state.DATA_KEY] or key[1] != repr(state.current()):
        return None, None
    return roster, key


def _saved_token():
    ss = st.session_state
    comparison = ss.get("comparison")
    if not ss.get(state.SAVED) or comparison is None:
        return None
    return comparison.to_json(date_format="iso", double_precision=15)


def _key():
    """What the tables depend on (cheap: no table is built)."""
    result = state.full_if_run()
    roster, roster_key = _roster_shown()
    key = (st.session_state[state.DATA_KEY], repr(state.current()),
           None if result is None else id(result), roster_key,
           None if roster is None else id(roster), _saved_token())
    return key, result, roster


def gather(result=None, roster=None):
    """Every table of the session by name, before duplicates are left out, and its section.

    The what-if's tables (formula staffing of the current scenario, its
    forecast), the saved what-ifs side by side, the full plan's tables when
    ``result`` is given (``plan_<name>``, and ``plan_schedule_by_week``:
    :func:`schedule_by_week` of its shifts), the roster's (``roster`` and
    ``roster_<name>``).

    Returns
    -------
    (dict, dict)
        Name -> DataFrame, name -> section.
    """
    sc = state.current()
    fc, models = state.need_forecast()
    qp = state.need_quick(sc)
    tables = {"whatif_summary": qp.summary, "whatif_cost": qp.cost.to_frame(),
              "forecast": fc, "models": models, "requirements": qp.requirements}
    if _saved_token() is not None:
        tables["scenario_comparison"] = st.session_state["comparison"]
    sections = dict.fromkeys(tables, "whatif")
    if result is not None:
        for name, frame in plan.report_tables(result).items():
            tables[f"plan_{name}"], sections[f"plan_{name}"] = frame, "plan"
            if name == "shifts":
                tables["plan_schedule_by_week"] = schedule_by_week(frame)
                sections["plan_schedule_by_week"] = "plan"
    if roster is not None:
        for name, frame in plan.roster_tables(roster).items():
            out = "roster" if name == "roster" else f"roster_{name}"
            if out in tables:
                out = f"roster_table_{name}"
            tables[out], sections[out] = frame, "roster"
    return tables, sections


def bundle():
    """The session's :class:`Bundle` for the current key: reused, or built now (and kept)."""
    ss = st.session_state
    key, result, roster = _key()
    kept = ss.get(_KEPT)
    if kept is not None and kept.key == key:
        return kept
    ss.pop(_KEPT, None)                       # let the old one go before building the new one
    tables, sections = gather(result, roster)
    tables, dropped = unique_tables(tables)
    made = Bundle(key, tables, {k: sections[k] for k in tables}, dropped, pinned=(result, roster))
    ss[_KEPT] = made
    return made


def _fits(shown):
    """Whether the table of texts ``shown`` (:func:`ccwfm.plan.display.texts`) fits the
    page: the widest text of each column (header included) at :data:`_PX_PER_CHAR`, plus
    :data:`_PX_PER_COLUMN` of padding each, within :data:`PAGE_PX`."""
    chars = [max([len(str(h)), *(len(t) for t in shown[h])]) for h in shown.columns]
    return sum(_PX_PER_CHAR * c + _PX_PER_COLUMN for c in chars) <= PAGE_PX


def preview(frame, currency=None):
    """What the preview of table ``frame`` shows: ``(table, on_its_side)``.

    Its first :data:`PREVIEW_ROWS` rows (shown formatted as on the other
    pages, :func:`ccwfm.plan.display.styled`); a table too wide for the page (a
    capacity plan's 19 columns, say) is turned on its side instead, so that
    no column hides behind a sideways scroll: one line per column (its header
    as on the other pages and its name in the file), its first
    :data:`SIDE_ROWS` rows side by side, as texts (:func:`ccwfm.plan.display.texts`; a
    missing value is a dash).

    Examples
    --------
    >>> f = pd.DataFrame({f"cost_{i}": [1234.5, None] for i in range(12)})
    >>> shown, side = preview(f, "EUR")
    >>> side, shown.columns.tolist(), shown.iloc[0].tolist()
    (True, ['Column', 'In the file', 'Row 1', 'Row 2'], ['Cost 0 (EUR)', 'cost_0', '1,234', '–'])
    """
    head = frame.head(PREVIEW_ROWS)
    shown = plan.display.texts(head, currency=currency)
    shown = shown.where(head.notna().to_numpy(), plan.display.MISSING)
    if _fits(shown):
        return head, False
    rows = shown.head(SIDE_ROWS)
    side = {"Column": list(rows.columns), "In the file": [str(c) for c in frame.columns]}
    side.update({f"Row {i + 1}": rows.iloc[i].tolist() for i in range(len(rows))})
    return pd.DataFrame(side), True


def listing(b, names):
    """One markdown bullet list of the tables ``names`` of bundle ``b``: per table its name,
    description, rows and columns (one element for a whole section: a page of many
    elements costs every planner's browser more at each visit).

    Examples
    --------
    >>> b = Bundle(None, {"mystery": pd.DataFrame({"a": [1, 2]})}, {"mystery": "whatif"})
    >>> print(listing(b, ["mystery"]))
    - **mystery**: one row per record: a. 2 rows, 1 columns.
    """
    lines = []
    for name in names:
        frame = b.tables[name]
        lines.append(f"- **{name}**: {describe(name, frame)} {len(frame):,} rows, "
                     f"{len(frame.columns)} columns.")
    return "\n".join(lines)


def _one_table(b, currency):
    """A table picked from the list: its CSV file and a preview of its first rows."""
    names = list(b.tables)
    pick = st.selectbox("One table: CSV file and preview", ["(none)", *names], key="dl_table",
                        help=f"Its CSV file (every row, unformatted) and a preview of its first "
                             f"{PREVIEW_ROWS} rows, formatted as on the other pages (a table "
                             f"wider than the page on its side: one line per column, its first "
                             f"{SIDE_ROWS} rows side by side).")
    if pick not in b.tables:
        return
    frame = b.tables[pick]
    shown, side = preview(frame, currency)
    n = SIDE_ROWS if side else PREVIEW_ROWS
    how = (f" On its side ({len(frame.columns)} columns, one per line): the first"
           if side else " First")
    c1, c2 = st.columns([5, 1])
    c1.caption(f"**{pick}**: {describe(pick, frame)}{how} {min(n, len(frame)):,} of "
               f"{len(frame):,} rows.")
    data = (lambda n=pick: b.csv(n)) if b.part(pick) == "intervals" else b.csv(pick)
    c2.download_button("CSV", data, file_name=f"{pick}.csv", mime="text/csv",
                       key=f"dl_{pick}", on_click="ignore",
                       help=f"{pick}.csv: every row of the table.")
    if side:            # every column in view (a grid row is 35 px, header included)
        st.dataframe(shown, hide_index=True, width="stretch", key="dl_preview_table",
                     height=min(35 * (len(shown) + 1) + 3, 738))
    else:
        fmt.table(shown, currency=currency, key="dl_preview_table")


def render():
    st.header("Downloads")
    b = bundle()
    sc = state.current()
    st.write("Every table of the current scenario (with its what-if inputs), each with a "
             "one-line description; the full plan's tables appear once it has been built "
             "(Schedule and capacity page), the roster's once one was made (Roster page). Files "
             "hold plain numbers (fractions 0-1, seconds, the scenario's currency) for "
             "spreadsheets.")
    intervals = [n for n in b.tables if b.part(n) == "intervals"]
    c1, c2, c3 = st.columns(3)
    c1.download_button("All tables (Excel)", b.excel(),
                       file_name=files.file_name(sc.name, "xlsx", "tables"), key="dl_xlsx",
                       mime=XLSX, on_click="ignore",
                       help="One sheet per table listed below"
                            + (", except the tables per interval (their own workbook)."
                               if intervals else "."))
    if intervals:
        c2.download_button("Tables per interval (Excel)", lambda: b.excel("intervals"),
                           file_name=files.file_name(f"{sc.name} intervals", "xlsx", "intervals"),
                           key="dl_xlsx_intervals", mime=XLSX, on_click="ignore",
                           help="One sheet per table with a row per interval: "
                                + ", ".join(intervals) + " (large: made when pressed, "
                                "several seconds for an 8-week plan).")
    c3.download_button("All tables (CSV, zip)", b.zip,
                       file_name=files.file_name(f"{sc.name} tables", "zip", "tables"),
                       key="dl_zip", mime="application/zip", on_click="ignore",
                       help="One CSV file per table listed below, in one zip (made when "
                            "pressed: the tables per interval take seconds for an 8-week "
                            "plan).")
    _one_table(b, sc.finance.currency)
    if b.dropped:
        st.caption("Listed once: " + "; ".join(f"{k} (the same as {v})"
                                               for k, v in b.dropped.items()) + ".")
    for section, title in _SECTIONS:
        names = [n for n in b.tables if b.sections[n] == section]
        if names:
            st.subheader(title)
            st.markdown(listing(b, names))
