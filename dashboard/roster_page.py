"""Roster page: the full plan's shifts given to people, under rules the planner edits.

The page needs the full plan of the current scenario (the Schedule and
capacity page, or its button here).  The rules start from the scenario's
``[roster]`` table; the planner turns each on or off, sets its value, the
weeks and, optionally, uploads an agents file, and presses *Make the
roster* (:func:`plan.make_roster`).  Rosters are kept in the session by
(data, scenario, rules, weeks, agents), so moving a filter never recomputes
one, and going back to rules already tried shows their roster at once.

Nothing a user sends forms a path: an agents file is read from memory
(:func:`plan.read_agents`), and an agents file named by the scenario
(``[roster] agents``) is not read on the server (it must be uploaded here).
"""

import math
import re

import pandas as pd
import streamlit as st

from ccwfm import plan

from . import charts, files, fmt, state

__all__ = ["render"]

ROSTERS = state.ROSTERS      # session: rosters made, by state.roster_key (the newest four)
SHOWN = state.ROSTER_SHOWN   # session: the key of the roster the page shows
PAGE_SIZE = 60               # agents per Gantt chart, at most

RULE_NAMES = {
    "days_off": "Days off a week",
    "max_consecutive_days": "Days worked in a row",
    "min_rest_hours": "Rest between shifts",
    "start_window": "Start times in a week",
    "weekend_off_every": "Weekends off",
    "max_nights": "Night shifts a week",
    "contract_hours": "Contract hours and days",
    "availability": "Availability",
    "templates": "Shifts as their templates",
    "fair": "Fairness (soft)",
}
KPI_NAMES = fmt.KPI_NAMES


def _shown():
    """``(key, roster)`` the page shows, if it was made for the current scenario and data."""
    ss = st.session_state
    key = ss.get(SHOWN)
    if key is None or key[:2] != (ss[state.DATA_KEY], repr(state.current())):
        return None, None
    roster = ss.get(ROSTERS, {}).get(key)
    return (key, roster) if roster is not None else (None, None)


# -- the page --

def render():
    st.header("Roster")
    sc = state.current()
    result = state.full_if_run()
    if result is None:
        st.write(f"A roster gives the full plan's shifts to people: each agent, each day, a "
                 f"shift or a day off, under work rules. The full plan of **{sc.name}**"
                 f"{' with the what-if inputs' if st.session_state[state.OVERRIDES] else ''} "
                 "has not been built yet in this session.")
        if st.button("Build the schedule and capacity plan", key="ro_run_full", type="primary"):
            result = state.run_full()
        else:
            return
    if result.shifts is None or result.shifts.empty:
        st.info("The plan has no shifts to roster.")
        return
    key, shown = _shown()
    rules, weeks, agents, usable = _inputs(sc, shown)
    if st.button("Make the roster", key="ro_make", type="primary") and usable:
        try:
            with st.spinner(f"Rostering {weeks} week{'s' * (weeks > 1)}: every group, a week "
                            "at a time (HiGHS), then the roster's KPIs simulated..."):
                shown = state.run_roster(rules, weeks, agents)
            key = st.session_state[SHOWN]
        except ValueError as exc:
            st.error(f"The roster could not be made. {exc}")
    if shown is None:
        st.caption("Set the rules and press **Make the roster** (the demo's 4 weeks take "
                   "about 25 s).")
        return
    if key != state.roster_key(rules, weeks, agents):
        st.info("The rules, weeks or agents above differ from the roster shown below: press "
                "**Make the roster** to roster with them.")
    _results(shown, sc, result)


def _rule(label, on, value, default, lo, hi, step, unit, key, tip):
    """A rule's on/off checkbox and its value (None when off)."""
    on = st.checkbox(label, value=on, key=f"{key}_on", help=tip)
    x = st.number_input(unit, min_value=lo, max_value=hi, step=step, key=key, disabled=not on,
                        value=value if value is not None else default)
    return x if on else None


def _inputs(sc, shown):
    """The rules form, the weeks and the agents file: ``(rules, weeks, agents, usable)``,
    ``usable`` false when the agents file could not be read (the error is shown)."""
    r = shown.rules if shown is not None else sc.roster.rules
    st.subheader("Rules")
    st.caption("Each rule on or off, with its value; they start from the scenario's "
               "`[roster]` rules.")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        days_off = _rule("Days off a week, at least", r.days_off is not None, r.days_off, 2,
                         0, 6, 1, "days off", "ro_days_off",
                         "In each week, Monday to Sunday.")
        together = st.checkbox("Days off together", value=r.consecutive_days_off,
                               key="ro_together", disabled=days_off is None,
                               help="That many days off in a row (a run may go on into the "
                                    "next week's Monday).")
        max_days = _rule("Days worked in a row, at most", r.max_consecutive_days is not None,
                         r.max_consecutive_days, 6, 1, 28, 1, "days", "ro_max_days",
                         "Across weeks too.")
    with c2:
        rest = _rule("Rest between shifts, at least", r.min_rest_hours is not None,
                     None if r.min_rest_hours is None else float(r.min_rest_hours), 11.0,
                     0.0, 24.0, 0.5, "hours", "ro_rest",
                     "From the end of a shift to the start of the next (11 h: the EU working "
                     "time directive).")
        window = _rule("Start times in a week, within", r.start_window is not None,
                       r.start_window, 60, 0, 1440, 15, "minutes", "ro_window",
                       "An agent's starts in a week differ by at most this (0: the same "
                       "start all week).")
    with c3:
        weekend = _rule("A weekend off, at least every", r.weekend_off_every is not None,
                        r.weekend_off_every, 3, 1, 52, 1, "weeks", "ro_weekend",
                        "Saturday and Sunday both off, at least once in every this many "
                        "weeks in a row.")
        nights = _rule("Night shifts a week, at most", r.max_nights is not None, r.max_nights,
                       2, 0, 7, 1, "nights", "ro_nights",
                       "A night shift is on site at some time between 00:00 and 05:00.")
    with c4:
        contract = st.checkbox("Contract hours and days", value=r.contract_hours,
                               key="ro_contract",
                               help="Every week's paid hours and days worked inside the "
                                    "agent's contract.")
        available = st.checkbox("Availability", value=r.availability, key="ro_available",
                                help="Shifts only on the agent's days and times (agents "
                                     "file: days_off, unavailable, available_from/until).")
        fair = st.checkbox("Fairness", value=r.fair, key="ro_fair",
                           help="Weekends, nights and late shifts spread evenly among the "
                                "agents of a group and contract (a soft objective).")
        most = max(1, min(int(sc.weeks), 8))
        default = shown.weeks if shown is not None else (sc.roster.weeks or most)
        weeks = int(st.number_input("Weeks to roster", min_value=1, max_value=most,
                                    value=min(int(default), most), step=1, key="ro_weeks",
                                    help=f"1 to {most} (the plan's weeks, at most 8)."))
    rules = plan.RosterRules(
        days_off=None if days_off is None else int(days_off),
        consecutive_days_off=bool(together),
        max_consecutive_days=None if max_days is None else int(max_days),
        min_rest_hours=None if rest is None else float(rest),
        start_window=None if window is None else int(window),
        weekend_off_every=None if weekend is None else int(weekend),
        max_nights=None if nights is None else int(nights),
        contract_hours=bool(contract), availability=bool(available), fair=bool(fair))
    agents, usable = _agents_file(sc)
    return rules, weeks, agents, usable


def _contracts(sc):
    return sc.roster.contracts_for(sc.workforce)


def _agents_file(sc):
    """The uploaded agents (None: made from the schedule) and whether they are usable."""
    contracts = _contracts(sc)
    names = ", ".join(f"{c.name} ({c.min_hours:g}-{c.max_hours:g} h a week)" for c in contracts)
    up = st.file_uploader(
        "Agents (CSV, optional): columns id, group, contract and, optionally, days_off, "
        "unavailable, available_from, available_until", type=["csv", "txt"],
        key="ro_agents_file", help=f"At most {plan.MAX_UPLOAD_MB} MB. Contracts: {names}.")
    if sc.roster.agents is not None:
        st.caption("The scenario names an agents file; the dashboard reads no file on the "
                   "server: upload it here.")
    if up is None:
        st.caption(f"Without a file, agents are made from the schedule (contracts: {names}).")
        return None, True
    data = up.getvalue()
    try:
        if len(data) > plan.MAX_UPLOAD_MB * 2 ** 20:
            raise ValueError(f"'agents' must be at most {plan.MAX_UPLOAD_MB} MB: "
                             f"{len(data) / 2 ** 20:,.0f} MB")
        agents = plan.read_agents(data, contracts)
    except UnicodeDecodeError:
        st.error("This agents file could not be used. 'agents' must be a CSV file in UTF-8.")
        return None, False
    except ValueError as exc:
        st.error(f"This agents file could not be used. {exc}")
        return None, False
    st.caption(f"{len(agents):,} agents read from the file.")
    return agents, True


def _pages(n, size=PAGE_SIZE):
    """Pages of ``n`` agents, at most ``size`` each and as even as can be: ``(first, end)``
    index pairs.

    Examples
    --------
    >>> _pages(111)
    [(0, 56), (56, 111)]
    >>> _pages(60), _pages(0)
    ([(0, 60)], [(0, 0)])
    """
    count = max(1, math.ceil(n / size))
    per = math.ceil(n / count)
    return [(i * per, min((i + 1) * per, n)) for i in range(count)]


def _natural(text):
    """Sort key of an agent id with its numbers as numbers.

    Examples
    --------
    >>> sorted(["v-10", "v-9", "v-1"], key=_natural)
    ['v-1', 'v-9', 'v-10']
    """
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", str(text))]


def _results(ro, sc, result):
    """Metrics, rule report, KPIs, the Gantt chart and coverage, downloads."""
    interval = sc.workforce.interval
    day0 = ro.table["date"].min()
    st.subheader(f"The roster: {ro.weeks} week{'s' * (ro.weeks > 1)} from {day0:%a %d %b %Y}")
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Agents", fmt.value(len(ro.agents), "count"))
    pct = ro.paid_hours_over_schedule_pct
    m2.metric("Paid hours", fmt.value(ro.paid_hours, "count"),
              f"{pct:+.1f}% vs the shift schedule",
              delta_color="inverse",
              help=f"The shift schedule pays {ro.paid_hours_schedule:,.0f} hours over the same "
                   "weeks: the difference is the price of the rules.")
    m3.metric("Shortfall (agent-hours)", fmt.value(ro.shortfall_agent_hours, "number", 1),
              help="Agent-hours of the schedule's agents on duty the roster leaves uncovered.")
    m4.metric("Rule violations", fmt.value(len(ro.violations), "count"))
    target = ro.coverage["target"].sum() * interval / 60
    st.caption(f"The shift schedule pays {ro.paid_hours_schedule:,.0f} hours over these weeks, "
               f"the roster {ro.paid_hours:,.0f} ({pct:+.1f}%); it leaves "
               f"{ro.shortfall_agent_hours:,.1f} of the schedule's {target:,.0f} agent-hours "
               f"on duty uncovered ({ro.shortfall_agent_hours / max(target, 1e-9):.1%}).")
    _rule_report(ro)
    _kpis(ro, result)
    _gantt(ro, interval)
    _downloads(ro, sc)


def _rule_report(ro):
    st.markdown("**Rule report**")
    rep = ro.rule_report
    rows = [{"rule": RULE_NAMES.get(r.rule, r.rule), "on": "on" if r.on else "off",
             "what it asks": r.text,
             "violations": f"{int(r.violations):,}" if r.on else "not checked",
             "example": r.example or ""} for r in rep.itertuples(index=False)]
    rows.append({"rule": RULE_NAMES["fair"], "on": "on" if ro.rules.fair else "off",
                 "what it asks": "weekends, nights and late shifts spread evenly among the "
                                 "agents of a group and contract",
                 "violations": "a preference, not checked", "example": ""})
    fmt.table(pd.DataFrame(rows), key="ro_rules")
    if not ro.violations.empty:
        with st.expander(f"The {len(ro.violations):,} violations"):
            v = ro.violations
            fmt.table(pd.DataFrame({
                "rule": v["rule"].map(lambda x: RULE_NAMES.get(x, x)), "agent": v["agent"],
                "date": pd.to_datetime(v["date"]), "detail": v["detail"]}),
                kinds={"date": "date"}, key="ro_violations")


def _kpi_text(metric, x, surplus=False):
    return fmt.kpi_text(metric, x, surplus)


def _kpis(ro, result):
    st.markdown("**The roster's KPIs** (its agents on duty simulated on fresh random numbers, "
                "each target at its level)")
    k = ro.kpis
    if k is None or k.empty:
        st.caption("Not simulated (the scenario's simulation check is off).")
        return
    planned = {}
    if result.attainment is not None and not result.attainment.empty:
        s = plan.attainment_summary(result.attainment)
        planned = {(q, m): f"{int(met):,} of {int(n):,}"
                   for q, m, met, n in zip(s["queue"], s["metric"], s["met"], s["periods"])}
    table = pd.DataFrame({
        "queue": k["queue"], "metric": k["metric"].map(lambda m: KPI_NAMES.get(m, m)),
        "target": [_kpi_text(m, x) for m, x in zip(k["metric"], k["target"])],
        "per": k["level"],
        "periods met": [f"{int(met):,} of {int(n):,}" for met, n in zip(k["met"], k["periods"])],
        "met": (k["met"] == k["periods"]).astype(bool),
        "met by the plan": [planned.get((q, m), "") for q, m in zip(k["queue"], k["metric"])],
        "simulated": [_kpi_text(m, x) for m, x in zip(k["metric"], k["simulated"])],
        "worst": [_kpi_text(m, x) for m, x in zip(k["metric"], k["worst"])],
        "worst period": pd.to_datetime(k["worst_period"]),
        "mean surplus": [_kpi_text(m, x, True) for m, x in zip(k["metric"], k["surplus"])]})
    if not planned:
        table = table.drop(columns="met by the plan")
    fmt.table(table, kinds={"worst period": "date"}, key="ro_kpis")
    met, total = int(k["met"].sum()), int(k["periods"].sum())
    st.caption(f"{met:,} of {total:,} periods meet their target with the roster. Met = the "
               "whole 95% confidence interval on the right side of the target; the plan's "
               "column is the shift schedule's own simulation.")


def _gantt(ro, interval):
    st.markdown("**Each agent's shifts**")
    table = ro.table
    groups = list(dict.fromkeys(table["group"]))
    mondays = sorted({d.date() for d in table["date"] if d.weekday() == 0})
    c1, c2, c3, c4 = st.columns(4)
    group = c1.selectbox("Agent group", groups, key="ro_group")
    monday = c2.selectbox("Week of", mondays, format_func=lambda d: f"{d:%a %d %b %Y}",
                          key="ro_week")
    monday = pd.Timestamp(monday)
    day = c3.selectbox("Day", [None] + list(range(7)), key="ro_day",
                       format_func=lambda d: "the whole week" if d is None else
                       f"{monday + pd.Timedelta(days=d):%a %d %b}")
    mine = table[table["group"] == group]
    agents = sorted(mine["agent"].unique(), key=_natural)
    bounds = _pages(len(agents))
    pages = len(bounds)
    page = c4.selectbox("Agents", range(pages), key="ro_page", disabled=pages == 1,
                        format_func=lambda i: f"{bounds[i][0] + 1}-{bounds[i][1]} of "
                                              f"{len(agents)}")
    lo, hi = bounds[page]
    rows = agents[lo:hi]
    start, days = (monday, 7) if day is None else (monday + pd.Timedelta(days=day), 1)
    templates = sorted(set(table["shift"]) - {""})
    part = mine[mine["agent"].isin(rows)]
    st.altair_chart(charts.roster_gantt(part, start, days, agents=rows, templates=templates),
                    width="stretch")
    st.caption("A bar per shift, from its start to its end, coloured by shift template; "
               "breaks lighter; an empty day is a day off. Times are 24-hour clock times; a "
               "shift is drawn on the day it starts (a night shift runs past midnight).")
    st.markdown(f"**Coverage of {group}**: the shift schedule's agents on duty (the roster's "
                "target) and the roster's")
    cov = ro.coverage[ro.coverage["group"] == group]
    st.altair_chart(charts.roster_coverage(cov, start, days), width="stretch")
    end = start + pd.Timedelta(days=days)
    w = cov[(cov["start"] >= start) & (cov["start"] < end)]
    st.caption(f"Over these {days} day{'s' * (days > 1)}: "
               f"{w['under'].sum() * interval / 60:,.1f} agent-hours short, "
               f"{w['over'].sum() * interval / 60:,.1f} over the schedule.")


def _downloads(ro, sc):
    """Download buttons; each file is made when its button is pressed (not on every rerun)."""
    st.markdown("**Downloads**")
    name = sc.name

    def table(which):
        return lambda: plan.csv_bytes(plan.roster_tables(ro)[which])

    c1, c2, c3, c4 = st.columns(4)
    c1.download_button("Roster (CSV)", table("roster"),
                       file_name=files.file_name(f"{name}-roster", "csv", "roster"),
                       mime="text/csv", key="ro_dl_roster", help="One row per agent and day.")
    c2.download_button("Grid (CSV)", table("grid"),
                       file_name=files.file_name(f"{name}-roster-grid", "csv", "roster-grid"),
                       mime="text/csv", key="ro_dl_grid",
                       help="One row per agent, one column per day: what is published.")
    c3.download_button("All roster tables (Excel)",
                       lambda: plan.excel_bytes(plan.roster_tables(ro)),
                       file_name=files.file_name(f"{name}-roster", "xlsx", "roster"),
                       key="ro_dl_xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       help="Summary, roster, grid, rules, violations, coverage, KPIs, agents.")
    c4.download_button("Agents (CSV)", table("agents"),
                       file_name=files.file_name(f"{name}-agents", "csv", "agents"),
                       mime="text/csv", key="ro_dl_agents",
                       help="The agents rostered, as the agents file reads them: edit and "
                            "upload it above.")
