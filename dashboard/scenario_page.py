"""Scenario page: edit the loaded scenario (targets, channel, patience, bot, opening hours,
shift templates, pay, shrinkage, headcount, hiring and attrition) and download it as TOML.

Every section is a form with an "Apply changes" button.  On apply the section's
inputs are written into the scenario's file form (:meth:`plan.Scenario.to_dict`)
and the whole scenario is rebuilt with :meth:`plan.Scenario.from_dict`, so every
value is checked by the plan's own rules and a bad one is refused with the
plan's message (``'queues[voice].target.interval_service_level' must be <=
service_level (0.85): 0.9``) next to the form; nothing is applied then.  A valid
scenario replaces the loaded one (:func:`state.replace_scenario`: same data, saved
what-ifs kept).  Units as on the page: shares in percent, times in seconds,
shift lengths in hours, breaks and steps in minutes.

The pure parts (:func:`defaults_table`, :func:`queue_edit`, :func:`hours_frame`,
:func:`hours_edit`, :func:`templates_frame`, :func:`templates_edit`,
:func:`workforce_edit`, :func:`hiring_frame`, :func:`capacity_edit`) take and give
plain values and the scenario's file form, and are tested without Streamlit.

Examples
--------
>>> from ccwfm import plan
>>> sc = plan.demo_scenario(weeks=1)
>>> data = queue_edit(sc.to_dict(), "voice", {"service_level": 85, "target_time": 30})
>>> plan.Scenario.from_dict(data).queue("voice").target.describe()
'85% in 30 s, abandon <= 5%'
"""

import datetime as dt
import functools
import inspect
import math

import pandas as pd
import streamlit as st

from ccwfm import plan

from . import files, fmt, state

__all__ = ["CEILING_FACTOR", "CHANNELS", "DAY_COLUMNS", "FLOOR_GAP", "UPLOAD_HOURLY_COST",
           "SECTIONS", "UPLOAD_SHRINKAGE", "WEEKDAYS", "apply", "break_windows_text",
           "capacity_edit", "days_text", "defaults_table", "hiring_frame", "hours_edit",
           "hours_frame", "parse_days", "queue_edit", "render", "templates_edit",
           "templates_frame", "workforce_edit"]

CHANNELS = ("voice", "chat", "email", "back_office", "messaging", "social", "callback")
"""Channels offered on the page (e-mail and back office are deferrable by default)."""


@functools.cache
def _defaults():
    """The plan's defaults, read from a minimal scenario built by the plan itself
    (a queue with a default bot): no default is restated here."""
    return plan.Scenario.from_dict({
        "scenario": {"name": "defaults", "start": dt.date(2025, 1, 6), "weeks": 1},
        "queues": [{"name": "q", "demo": True, "bot": {}}]})


WEEKDAYS = _defaults().queues[0].open_days
"""Weekday names of the scenario file: mon ... sun."""

FLOOR_GAP = round(0.8 - plan.Target(service_level=0.8, target_time=20).floor_service_level, 6)
"""Points the interval floor sits below a day or week service-level target by default."""

CEILING_FACTOR = plan.Target(asa=10.0).ceiling_asa / 10.0
"""Default interval ceiling of ASA and abandonment, times the target."""

DAY_COLUMNS = tuple(d.capitalize() for d in WEEKDAYS)
"""Weekday columns of the opening-hours and shift-template tables: Mon ... Sun."""

_UPLOAD = inspect.signature(plan.history_scenario).parameters

UPLOAD_HOURLY_COST = _UPLOAD["hourly_cost"].default
"""Wage per paid hour an uploaded file gets (:func:`plan.history_scenario`'s default)."""

UPLOAD_SHRINKAGE = _UPLOAD["shrinkage"].default
"""Shrinkage an uploaded file gets (one category; :func:`plan.history_scenario`'s default)."""

PREFIX = "sce_"
SECTIONS = ("Queues", "Opening hours", "Shifts", "Pay and shrinkage", "Headcount and hiring")
"""The parts of the scenario the page edits, one at a time."""
SECTION = "sce_section"
FLASH = "sce_flash"
QUEUE = "sce_queue"


# ---------------------------------------------------------------- pure parts


def _pct(x):
    """A share shown in percent (None stays None), rounded to hide float noise."""
    return None if x is None else round(100 * float(x), 6)


def _share(shown, old=None):
    """Percent back to a share; the old share when the shown value is unchanged."""
    if shown is None or (isinstance(shown, float) and math.isnan(shown)):
        return None
    share = float(shown) / 100
    if old is not None and abs(share - old) < 1e-12:
        return old
    return share


def _error(field, rule, value):
    """An error in the plan's style: ``'field' rule: value``."""
    return plan.ScenarioError(f"'{field}' {rule}: {value!r}")


def _blank(x):
    return x is None or (isinstance(x, float) and math.isnan(x)) or (
        isinstance(x, str) and not x.strip()) or x is pd.NaT


def _queue(data, name):
    for q in data["queues"]:
        if q["name"] == name:
            return q
    raise _error("queue", "names no queue of the scenario", name)


def _put(d, key, value):
    """``d[key] = value``, or drop the key for None (TOML has no None)."""
    if value is None:
        d.pop(key, None)
    else:
        d[key] = value


def defaults_table(scenario):
    """What the scenario uses and whether it is a default (a value the file did not choose).

    A value counts as a default when it is the plan's default, or what an
    uploaded interval file gets (:func:`plan.history_scenario`: 80% in 20 s,
    :data:`UPLOAD_HOURLY_COST` per hour, :data:`UPLOAD_SHRINKAGE` shrinkage).

    Parameters
    ----------
    scenario : plan.Scenario

    Returns
    -------
    pandas.DataFrame
        ``applies to``, ``setting``, ``value`` (text), ``default`` (bool).

    Examples
    --------
    >>> from ccwfm import plan
    >>> t = defaults_table(plan.demo_scenario(weeks=1))
    >>> t[t["setting"] == "Starting headcount"]["default"].tolist()
    [False]
    """
    rows = []
    dflt = _defaults()
    default_target = dflt.queues[0].target
    for q in scenario.queues:
        t = q.target
        rows += [
            (q.name, "Target", f"{t.describe()} (each {t.level})",
             t == default_target),
            (q.name, "Channel", q.channel, q.channel == "voice"),
            (q.name, "Patience", "nobody abandons" if q.patience is None
             else f"{q.patience:,.0f} s", q.patience is None),
            (q.name, "Concurrency", f"{q.concurrency} at once", q.concurrency == 1),
            (q.name, "Bot", "none" if q.bot is None
             else f"contains {q.bot.containment:.0%}", q.bot is None),
            (q.name, "Opening hours", _hours_text(q),
             not q.open_hours and tuple(q.open_days) == tuple(WEEKDAYS)),
        ]
    wf, cap = scenario.workforce, scenario.capacity
    cur = scenario.finance.currency
    shrink = wf.shrinkage
    rows += [
        ("all queues", "Wage per paid hour", f"{wf.hourly_cost:,.2f} {cur}",
         wf.hourly_cost in (dflt.workforce.hourly_cost, UPLOAD_HOURLY_COST)),
        ("all queues", "Shrinkage", f"{wf.total_shrinkage:.0%}" + (
            " (" + ", ".join(f"{k} {x:.0%}" for k, x in shrink.items()) + ")"
            if len(shrink) > 1 else ""),
         not shrink or shrink == {"total": UPLOAD_SHRINKAGE}),
        ("all queues", "Shift templates",
         ", ".join(t.name for t in wf.templates(None)), not wf.shifts),
        ("all queues", "Starting headcount",
         "what the first week needs" if cap.headcount == 0 else f"{cap.headcount:,.0f}",
         cap.headcount == 0),
        ("all queues", "Attrition (a year)", f"{cap.attrition:.0%}",
         cap.attrition == dflt.capacity.attrition),
        ("all queues", "Hours of one FTE a week", f"{cap.fte_hours:g}",
         cap.fte_hours == dflt.capacity.fte_hours),
        ("all queues", "Cost per hire", f"{cap.cost_per_hire:,.2f} {cur}",
         cap.cost_per_hire == dflt.capacity.cost_per_hire),
        ("all queues", "Hiring classes", f"{len(cap.hiring)}", not cap.hiring),
    ]
    return pd.DataFrame(rows, columns=["applies to", "setting", "value", "default"])


def _hours_text(q):
    a, b = q.open_hours or ("00:00", "24:00")
    days = ("every day" if tuple(q.open_days) == tuple(WEEKDAYS)
            else ", ".join(d.capitalize() for d in q.open_days))
    return f"{a}-{b}, {days}"


def queue_edit(data, name, values):
    """The file form ``data`` with queue ``name`` changed by the page's inputs.

    Parameters
    ----------
    data : dict
        A scenario's file form (:meth:`plan.Scenario.to_dict`); not changed.
    name : str
        Queue name.
    values : dict
        Any of: ``channel``; ``patience`` (seconds, None: nobody abandons);
        ``concurrency`` (contacts at once); ``service_level`` (percent, None:
        no such target), ``target_time`` (seconds), ``asa`` (seconds),
        ``abandon_rate`` (percent), ``occupancy`` (percent cap), ``level``
        ("interval", "day", "week"), ``floor`` (interval service-level
        floor, percent; None: the default), ``interval_asa`` (seconds),
        ``interval_abandon_rate`` (percent); ``bot`` (False: no bot) with
        ``containment``, ``bot_abandon`` (percent), ``bot_time`` (seconds),
        ``uplift`` (handle-time multiplier of escalated contacts).

    Returns
    -------
    dict
        A new file form, for :meth:`plan.Scenario.from_dict`.
    """
    data = _copy(data)
    q = _queue(data, name)
    old_t = dict(q.get("target", {}))
    t = dict(old_t)
    if "channel" in values:
        q["channel"] = values["channel"]
    if "level" in values:
        t["level"] = values["level"]
    if "patience" in values:
        _put(q, "patience", None if _blank(values["patience"]) else float(values["patience"]))
    if "concurrency" in values:
        q["concurrency"] = values["concurrency"]
    for key, new in (("service_level", "service_level"), ("abandon_rate", "abandon_rate"),
                     ("occupancy", "occupancy"), ("interval_service_level", "floor"),
                     ("interval_abandon_rate", "interval_abandon_rate")):
        if new in values:
            _put(t, key, _share(values[new], old_t.get(key)))
    for key in ("target_time", "asa", "interval_asa"):
        if key in values:
            _put(t, key, None if _blank(values[key]) else float(values[key]))
    if t.get("service_level") is None:
        t.pop("target_time", None)
    q["target"] = t
    if "bot" in values:
        if not values["bot"]:
            q.pop("bot", None)
        else:
            old = dict(q.get("bot", {}))
            bot = dict(old)
            for key, new in (("containment", "containment"), ("abandon", "bot_abandon")):
                if new in values:
                    bot[key] = _share(values[new], old.get(key)) or 0.0
            if "bot_time" in values:
                bot["time"] = float(values["bot_time"])
            if "uplift" in values:
                bot["uplift"] = float(values["uplift"])
            q["bot"] = bot
    return data


def _copy(data):
    """A deep enough copy of a file form (dicts and lists; values are immutable)."""
    if isinstance(data, dict):
        return {k: _copy(x) for k, x in data.items()}
    if isinstance(data, list):
        return [_copy(x) for x in data]
    return data


def hours_frame(scenario):
    """The opening-hours table: per queue ``queue``, ``open``, ``close`` ("HH:MM";
    empty: open all day) and a flag per weekday (Mon ... Sun)."""
    rows = []
    for q in scenario.queues:
        a, b = q.open_hours or ("", "")
        rows.append({"queue": q.name, "open": a, "close": b,
                     **{c: d in q.open_days for c, d in zip(DAY_COLUMNS, WEEKDAYS)}})
    return pd.DataFrame(rows, columns=["queue", "open", "close", *DAY_COLUMNS])


def hours_edit(data, frame):
    """The file form ``data`` with the opening hours of :func:`hours_frame`'s table.

    Open and close both empty: open all day; one of them empty is refused by
    the plan (``'queues[voice].open_hours' must be two times``).
    """
    data = _copy(data)
    for row in frame.to_dict("records"):
        q = _queue(data, row["queue"])
        a, b = ("" if _blank(row["open"]) else str(row["open"]).strip(),
                "" if _blank(row["close"]) else str(row["close"]).strip())
        q["open_hours"] = [] if not a and not b else [x for x in (a, b) if x]
        q["open_days"] = [d for c, d in zip(DAY_COLUMNS, WEEKDAYS) if bool(row[c])]
    return data


_TEMPLATE_COLUMNS = ["name", "length_hours", "first", "last", "step_min", "days",
                     "unpaid_break_min", "paid_breaks_min", "cost_factor"]


def days_text(days):
    """Weekdays (0 = Monday) as a planner writes them: runs of three days or more as a
    range, the others one by one.

    Examples
    --------
    >>> days_text(range(7)), days_text([0, 1, 2, 3, 4, 6]), days_text([5, 6]), days_text([])
    ('Mon-Sun', 'Mon-Fri, Sun', 'Sat, Sun', '')
    """
    days = sorted(set(days))
    parts, i = [], 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1] == days[j] + 1:
            j += 1
        run = [DAY_COLUMNS[d] for d in days[i:j + 1]]
        parts += [f"{run[0]}-{run[-1]}"] if len(run) >= 3 else run
        i = j + 1
    return ", ".join(parts)


def _day(path, token, text):
    word = token.strip().lower()
    hits = [i for i, name in enumerate(_DAY_NAMES) if len(word) >= 3 and name.startswith(word)]
    if len(hits) != 1:
        raise _error(path, _DAYS_RULE, text)
    return hits[0]


_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAYS_RULE = "must be days (Mon ... Sun) or ranges (Mon-Fri) separated by commas"


def parse_days(path, text):
    """Weekdays (0 = Monday, in week order) from a text such as ``"Mon-Fri, Sun"``: days
    (``Mon`` or ``Monday``, any case) and ranges (``Mon-Fri``; ``Fri-Mon`` runs over the
    weekend), separated by commas; ``every day`` is ``Mon-Sun``.  An error names ``path``.

    Examples
    --------
    >>> parse_days("days", "mon-fri, Sunday"), parse_days("days", "Fri-Mon")
    ([0, 1, 2, 3, 4, 6], [0, 4, 5, 6])
    """
    text = "" if _blank(text) else str(text)
    if text.strip().lower() in ("every day", "daily", "all"):
        return list(range(7))
    days = set()
    for token in text.replace(";", ",").split(","):
        if not token.strip():
            continue
        ends = token.split("-")
        if len(ends) > 2:
            raise _error(path, _DAYS_RULE, text)
        a, b = (_day(path, e, text) for e in (ends[0], ends[-1]))
        days.update((a + k) % 7 for k in range((b - a) % 7 + 1))
    if not days:
        raise _error(path, "must name at least one day", text)
    return sorted(days)


def templates_frame(scenario):
    """The shift-template table: one row per template of the scenario.

    Columns: ``name``, ``length_hours`` (on site), ``first`` and ``last``
    start ("HH:MM"), ``step_min`` (minutes between starts), ``days`` (the
    weekdays it starts on, :func:`days_text`: "Mon-Fri"), ``unpaid_break_min``,
    ``paid_breaks_min`` (minutes of each, "15, 15") and ``cost_factor`` (wage
    multiplier).  Break windows (placed by the optimiser) are not in the
    table: :func:`break_windows_text` says them, and an edit keeps them.  A
    scenario without templates shows none (the plan then uses the plan's
    default templates).
    """
    rows = []
    for t in scenario.workforce.shifts:
        d = t.to_dict()
        rows.append({"name": t.name, "length_hours": d["length"], "first": d["first"],
                     "last": d["last"], "step_min": d.get("step", 30),
                     "days": days_text(t.days), "unpaid_break_min": t.unpaid_break,
                     "paid_breaks_min": ", ".join(str(b) for b in t.paid_breaks),
                     "cost_factor": t.cost_factor})
    return pd.DataFrame(rows, columns=_TEMPLATE_COLUMNS)


def break_windows_text(scenario):
    """The templates' break windows in words ("full: 30 min starting 180-300 min into the
    shift (paid)"), one template after the other; empty when none has any."""
    return "; ".join(
        f"{t.name}: " + ", ".join(f"{w.length:g} min starting {w.earliest:g}-{w.latest:g} min "
                                   "into the shift" + (" (paid)" if w.paid else "")
                                   for w in t.breaks)
        for t in scenario.workforce.shifts if t.breaks)


def _minutes_list(path, text):
    if _blank(text):
        return []
    out = []
    for i, part in enumerate(str(text).replace(";", ",").split(",")):
        part = part.strip()
        try:
            x = float(part)
        except ValueError:
            raise _error(f"{path}[{i}]", "must be a number of minutes", part) from None
        out.append(int(x) if x == int(x) else x)
    return out


def templates_edit(data, frame):
    """The file form ``data`` with the shift templates of :func:`templates_frame`'s table.

    Rows are the templates (added, edited, deleted); a template keeps its
    break windows and paid-break offsets by name (offsets only while the
    paid breaks are unchanged).  No rows: the plan's default templates.
    """
    data = _copy(data)
    wf = data.setdefault("workforce", {})
    old = {s["name"]: s for s in wf.get("shifts", [])}
    shifts = []
    for i, row in enumerate(frame.to_dict("records")):
        name = "" if _blank(row.get("name")) else str(row["name"]).strip()
        path = f"workforce.shifts[{name or i}]"
        d = {"name": name}
        for key, col in (("length", "length_hours"), ("first", "first"), ("last", "last"),
                         ("step", "step_min"), ("cost_factor", "cost_factor")):
            if _blank(row.get(col)):
                raise _error(f"{path}.{key}", "is required", None)
            x = row[col]
            d[key] = x.strip() if isinstance(x, str) else (
                int(x) if key == "step" and float(x) == int(x) else float(x))
        d["days"] = [WEEKDAYS[k] for k in parse_days(f"{path}.days", row.get("days"))]
        before = old.get(name, {})
        if before.get("breaks"):
            d["breaks"] = before["breaks"]
        else:
            brk = row.get("unpaid_break_min")
            d["unpaid_break"] = 0 if _blank(brk) else (int(brk) if float(brk) == int(brk)
                                                       else float(brk))
            d["paid_breaks"] = _minutes_list(f"{path}.paid_breaks", row.get("paid_breaks_min"))
            if ("paid_break_offsets" in before
                    and list(before.get("paid_breaks", [])) == d["paid_breaks"]):
                d["paid_break_offsets"] = before["paid_break_offsets"]
        shifts.append(d)
    wf["shifts"] = shifts
    return data


def workforce_edit(data, values, shrinkage):
    """The file form ``data`` with pay, scheduling, shrinkage and finance changed.

    Parameters
    ----------
    values : dict
        Any of ``hourly_cost``, ``scheduling``, ``currency``,
        ``bot_contact_cost``, ``abandon_cost`` (currency per contact).
    shrinkage : pandas.DataFrame
        ``category``, ``share_pct`` (percent of paid time off the phones).
    """
    data = _copy(data)
    wf = data.setdefault("workforce", {})
    fin = data.setdefault("finance", {})
    for key in ("hourly_cost", "scheduling"):
        if key in values:
            wf[key] = values[key]
    for key in ("currency", "bot_contact_cost", "abandon_cost"):
        if key in values:
            fin[key] = values[key]
    old = wf.get("shrinkage", {})
    shrink = {}
    for i, row in enumerate(shrinkage.to_dict("records")):
        cat = "" if _blank(row.get("category")) else str(row["category"]).strip()
        if not cat:
            raise _error(f"workforce.shrinkage[{i}]", "needs a category name", row.get("category"))
        if cat in shrink:
            raise _error("workforce.shrinkage", "must name each category once", cat)
        if _blank(row.get("share_pct")):
            raise _error(f"workforce.shrinkage.{cat}", "is required", None)
        shrink[cat] = _share(row["share_pct"], old.get(cat))
    wf["shrinkage"] = shrink
    return data


def hiring_frame(scenario):
    """The hiring-class table: ``start`` (training starts), ``size`` (hires),
    ``training_weeks``, ``ramp_pct`` (productivity each week after training,
    percent: "50, 75, 90"), ``cost_per_hire`` (empty: the scenario's), ``name``."""
    rows = [{"start": h.start.date(), "size": int(h.size), "training_weeks": h.training_weeks,
             "ramp_pct": ", ".join(f"{100 * r:g}" for r in h.ramp),
             "cost_per_hire": h.cost_per_hire, "name": h.name or ""}
            for h in scenario.capacity.hiring]
    return pd.DataFrame(rows, columns=["start", "size", "training_weeks", "ramp_pct",
                                       "cost_per_hire", "name"])


def capacity_edit(data, values, hiring):
    """The file form ``data`` with headcount, attrition, FTE hours, cost per hire
    and hiring classes changed.

    Parameters
    ----------
    values : dict
        Any of ``headcount`` (0: what the first week needs), ``attrition``
        (percent a year), ``fte_hours`` (hours of one FTE a week),
        ``cost_per_hire`` (currency).
    hiring : pandas.DataFrame
        As :func:`hiring_frame`.
    """
    data = _copy(data)
    cap = data.setdefault("capacity", {})
    old = dict(cap)
    for key in ("headcount", "fte_hours", "cost_per_hire"):
        if key in values:
            cap[key] = float(values[key])
    if "attrition" in values:
        cap["attrition"] = _share(values["attrition"], old.get("attrition"))
    before = cap.get("hiring", [])
    classes = []
    for i, row in enumerate(hiring.to_dict("records")):
        path = f"capacity.hiring[{i}]"
        d = {}
        if _blank(row.get("start")):
            raise _error(f"{path}.start", "is required (the day training starts)", None)
        d["start"] = pd.Timestamp(row["start"]).date()
        size = row.get("size")
        d["size"] = None if _blank(size) else (int(size) if float(size) == int(size) else size)
        tw = row.get("training_weeks")
        d["training_weeks"] = 4 if _blank(tw) else (int(tw) if float(tw) == int(tw) else tw)
        ramp = [x / 100 for x in _minutes_list(f"{path}.ramp", row.get("ramp_pct"))]
        if i < len(before) and [round(100 * r, 6) for r in before[i].get("ramp", [])] == [
                round(100 * r, 6) for r in ramp]:
            ramp = before[i]["ramp"]
        d["ramp"] = ramp
        if not _blank(row.get("cost_per_hire")):
            d["cost_per_hire"] = float(row["cost_per_hire"])
        if not _blank(row.get("name")):
            d["name"] = str(row["name"]).strip()
        classes.append(d)
    cap["hiring"] = classes
    return data


def apply(data):
    """Build the scenario of the file form ``data`` with the plan's checks.

    Returns
    -------
    plan.Scenario

    Raises
    ------
    ValueError
        The plan's message naming the field (:class:`plan.ScenarioError`).
    """
    return plan.Scenario.from_dict(data)


# ---------------------------------------------------------------- the page


def _submit(section, build):
    """Build the edited scenario from ``build()`` and make it the loaded one; on a
    bad value show the plan's message here (under the form) and change nothing."""
    ss = st.session_state
    try:
        new = apply(build())
        if new == state.base():
            st.info("Nothing changed.")
            return
        state.replace_scenario(new)
    except ValueError as exc:
        st.error(f"Not applied, nothing changed: {exc}")
        return
    ss[FLASH] = f"Applied: {section}."
    for k in list(ss.keys()):          # the inputs start again from the new scenario
        if str(k).startswith(PREFIX) and k not in (FLASH, QUEUE, SECTION):
            del ss[k]
    st.rerun()


def _optional(col, label, on, value, key, unit, **kw):
    """A checkbox switching an optional value on and its number input; the value or None."""
    use = col.checkbox(label, value=on, key=f"{key}_on")
    x = col.number_input(unit, value=float(value), key=key, **kw)
    return x if use else None


def _queue_form(sc, name):
    q = sc.queue(name)
    t = q.target
    key = f"{PREFIX}{name}_"
    sl_now = _pct(t.service_level) if t.service_level is not None else 80.0
    with st.form(f"{key}form"):
        st.markdown(f"**Queue {name}**")
        c1, c2, c3 = st.columns(3)
        options = list(CHANNELS) + ([q.channel] if q.channel not in CHANNELS else [])
        channel = c1.selectbox("Channel", options, index=options.index(q.channel),
                               key=f"{key}channel",
                               help="E-mail and back office are deferrable (a backlog).")
        patience = _optional(c2, "Callers abandon", q.patience is not None,
                             q.patience or 120.0, f"{key}patience", "Mean patience (s)",
                             min_value=1.0, step=10.0,
                             help="Unticked: nobody hangs up while waiting.")
        conc = c3.number_input("Concurrency (contacts at once)", min_value=1, max_value=50,
                               value=int(q.concurrency), step=1, key=f"{key}conc")
        st.markdown("Targets (tick the ones that apply; the most demanding wins)")
        c1, c2, c3, c4 = st.columns(4)
        sl = _optional(c1, "Service level target", t.service_level is not None, sl_now,
                       f"{key}sl", "Service level (%)", min_value=0.0, max_value=100.0,
                       step=1.0)
        tt = c1.number_input("...answered within (s)", min_value=0.0,
                             value=float(t.target_time if t.target_time is not None
                                         else plan.DEFAULT_TARGET_TIME),
                             step=5.0, key=f"{key}tt")
        asa = _optional(c2, "ASA target", t.asa is not None, t.asa or 30.0, f"{key}asa",
                        "ASA (s)", min_value=0.0, step=10.0)
        ab = _optional(c3, "Abandonment target", t.abandon_rate is not None,
                       _pct(t.abandon_rate) if t.abandon_rate is not None else 5.0,
                       f"{key}ab", "Abandonment (%)", min_value=0.0, max_value=100.0,
                       step=1.0)
        occ = _optional(c4, "Occupancy cap", t.occupancy is not None,
                        _pct(t.occupancy) if t.occupancy is not None else 90.0, f"{key}occ",
                        "Occupancy (%)", min_value=0.0, max_value=100.0, step=1.0)
        c1, c2, c3, c4 = st.columns(4)
        level = c1.selectbox("Level the targets hold at", plan.LEVELS,
                             index=plan.LEVELS.index(t.level), key=f"{key}level",
                             help="Every interval, over each day, or over each week.")
        floor = _optional(
            c2, "Own interval floor", t.interval_service_level is not None,
            _pct(t.interval_service_level) if t.interval_service_level is not None
            else max(sl_now - 100 * FLOOR_GAP, 0.0), f"{key}floor",
            "Interval floor of the service level (%)", min_value=0.0, max_value=100.0,
            step=1.0, help=f"No interval may fall below it (day or week level). Unticked: "
                           f"the target less {100 * FLOOR_GAP:.0f} points.")
        iasa = _optional(
            c3, "Own interval ASA ceiling", t.interval_asa is not None,
            t.interval_asa or CEILING_FACTOR * (t.asa or 30.0), f"{key}iasa",
            "Interval ASA ceiling (s)", min_value=0.0, step=10.0,
            help=f"Unticked: {CEILING_FACTOR:g} x the ASA target.")
        iab = _optional(
            c4, "Own interval abandonment ceiling", t.interval_abandon_rate is not None,
            _pct(t.interval_abandon_rate) if t.interval_abandon_rate is not None
            else min(CEILING_FACTOR * (_pct(t.abandon_rate) or 5.0), 100.0),
            f"{key}iab", "Interval abandonment ceiling (%)", min_value=0.0,
            max_value=100.0, step=1.0,
            help=f"Unticked: {CEILING_FACTOR:g} x the abandonment target.")
        st.markdown("Bot in front of the queue")
        bot = q.bot or _defaults().queues[0].bot
        c1, c2, c3, c4, c5 = st.columns(5)
        has_bot = c1.checkbox("Bot", value=q.bot is not None, key=f"{key}bot")
        cont = c2.number_input("Containment (%)", min_value=0.0, max_value=100.0,
                               value=_pct(bot.containment), step=1.0, key=f"{key}cont")
        babd = c3.number_input("Abandon in the bot (%)", min_value=0.0, max_value=100.0,
                               value=_pct(bot.abandon), step=1.0, key=f"{key}babd")
        btime = c4.number_input("Time in the bot (s)", min_value=0.0, value=float(bot.time),
                                step=5.0, key=f"{key}btime")
        uplift = c5.number_input("Handle-time uplift of escalated", min_value=0.0,
                                 value=float(bot.uplift), step=0.05, key=f"{key}uplift")
        go = st.form_submit_button("Apply changes", type="primary", key=f"{key}apply")
    if go:
        values = {"channel": channel, "patience": patience, "concurrency": int(conc),
                  "service_level": sl, "target_time": tt if sl is not None else None,
                  "asa": asa, "abandon_rate": ab, "level": level, "floor": floor,
                  "interval_asa": iasa, "interval_abandon_rate": iab, "occupancy": occ,
                  "bot": has_bot}
        if has_bot:
            values.update(containment=cont, bot_abandon=babd, bot_time=btime, uplift=uplift)
        _submit(f"queue {name}", lambda: queue_edit(state.base().to_dict(), name, values))


def _hours_form(sc):
    with st.form(f"{PREFIX}hours_form"):
        st.markdown("**Opening hours** (\"HH:MM\", close may be 24:00; both empty: open all "
                    "day; the same hours on each ticked day)")
        frame = st.data_editor(
            hours_frame(sc), key=f"{PREFIX}hours", hide_index=True, width="stretch",
            disabled=["queue"], column_config={
                "queue": st.column_config.TextColumn("Queue"),
                "open": st.column_config.TextColumn("Opens", help="HH:MM"),
                "close": st.column_config.TextColumn("Closes", help="HH:MM, up to 24:00"),
                **{d: st.column_config.CheckboxColumn(d, width=48) for d in DAY_COLUMNS}})
        go = st.form_submit_button("Apply changes", type="primary", key=f"{PREFIX}hours_apply")
    if go:
        _submit("opening hours", lambda: hours_edit(state.base().to_dict(), frame))


def _templates_form(sc):
    with st.form(f"{PREFIX}templates_form"):
        st.markdown("**Shift templates** (add, edit or delete rows; starts every *step* "
                    "minutes from *first* to *last*)")
        if not sc.workforce.shifts:
            st.caption("None set: the plan uses its defaults ("
                       + ", ".join(t.name for t in sc.workforce.templates(None))
                       + "). Add rows to set your own.")
        frame = st.data_editor(
            templates_frame(sc), key=f"{PREFIX}templates", num_rows="dynamic",
            hide_index=True, width="stretch", column_config={
                "name": st.column_config.TextColumn("Name", required=True),
                "length_hours": st.column_config.NumberColumn(
                    "Length (h)", help="Hours on site, breaks included", min_value=0.25,
                    max_value=24, step=0.25),
                "first": st.column_config.TextColumn("First", help="First start, HH:MM"),
                "last": st.column_config.TextColumn("Last", help="Last start, HH:MM"),
                "step_min": st.column_config.NumberColumn(
                    "Step (min)", help="Minutes between two starts", min_value=1, step=1),
                "days": st.column_config.TextColumn(
                    "Days", help="Days it starts on: days or ranges separated by commas, "
                                 "e.g. Mon-Fri, Sun"),
                "unpaid_break_min": st.column_config.NumberColumn(
                    "Unpaid (min)", help="Minutes of unpaid break (lunch)", min_value=0,
                    step=5),
                "paid_breaks_min": st.column_config.TextColumn(
                    "Paid (min)", help="Minutes of each paid break, e.g. 15, 15"),
                "cost_factor": st.column_config.NumberColumn(
                    "Wage factor", help="Times the hourly wage (nights, weekends)",
                    min_value=0.0, step=0.05, format="%.2f")})
        windows = break_windows_text(sc)
        if windows:
            st.caption("Break windows (placed by the optimiser; kept by an edit, set in the "
                       f"scenario file): {windows}.")
        go = st.form_submit_button("Apply changes", type="primary",
                                   key=f"{PREFIX}templates_apply")
    if go:
        _submit("shift templates", lambda: templates_edit(state.base().to_dict(), frame))


def _workforce_form(sc):
    wf, fin = sc.workforce, sc.finance
    with st.form(f"{PREFIX}workforce_form"):
        st.markdown("**Pay, shrinkage and costs**")
        c1, c2, c3 = st.columns(3)
        cost = c1.number_input(f"Wage per paid hour ({fin.currency})", min_value=0.0,
                               value=float(wf.hourly_cost), step=0.5, key=f"{PREFIX}wage")
        sched = c2.selectbox("Scheduling", plan.SCHEDULING,
                             index=plan.SCHEDULING.index(wf.scheduling),
                             key=f"{PREFIX}scheduling",
                             help="integrated: shifts chosen against each target at its "
                                  "level; two_step: every interval covered.")
        currency = c3.text_input("Currency", value=fin.currency, key=f"{PREFIX}currency")
        c1, c2 = st.columns(2)
        bot_cost = c1.number_input("Cost per contact resolved by a bot", min_value=0.0,
                                   value=float(fin.bot_contact_cost), step=0.1,
                                   key=f"{PREFIX}botcost")
        ab_cost = c2.number_input("Cost per abandoned contact", min_value=0.0,
                                  value=float(fin.abandon_cost), step=0.5,
                                  key=f"{PREFIX}abcost")
        st.caption("Shrinkage: share of paid time off the phones, by category (added up).")
        shrink = st.data_editor(
            pd.DataFrame({"category": list(wf.shrinkage),
                          "share_pct": [_pct(x) for x in wf.shrinkage.values()]},
                         columns=["category", "share_pct"]),
            key=f"{PREFIX}shrinkage", num_rows="dynamic", hide_index=True, column_config={
                "category": st.column_config.TextColumn("Category"),
                "share_pct": st.column_config.NumberColumn("Share of paid time (%)",
                                                           min_value=0.0, max_value=100.0,
                                                           step=0.5, format="%.1f")})
        go = st.form_submit_button("Apply changes", type="primary",
                                   key=f"{PREFIX}workforce_apply")
    if go:
        values = {"hourly_cost": float(cost), "scheduling": sched, "currency": currency,
                  "bot_contact_cost": float(bot_cost), "abandon_cost": float(ab_cost)}
        _submit("pay, shrinkage and costs",
                lambda: workforce_edit(state.base().to_dict(), values, shrink))


def _capacity_form(sc):
    cap, cur = sc.capacity, sc.finance.currency
    with st.form(f"{PREFIX}capacity_form"):
        st.markdown("**Headcount, attrition and hiring**")
        c1, c2, c3, c4 = st.columns(4)
        head = c1.number_input("Starting headcount (0: what the first week needs)",
                               min_value=0.0, value=float(cap.headcount), step=1.0,
                               key=f"{PREFIX}headcount")
        attr = c2.number_input("Attrition (% a year)", min_value=0.0, max_value=99.0,
                               value=_pct(cap.attrition), step=1.0, key=f"{PREFIX}attrition")
        hours = c3.number_input("Hours of one FTE a week", min_value=1.0, max_value=168.0,
                                value=float(cap.fte_hours), step=0.5, key=f"{PREFIX}ftehours")
        cph = c4.number_input(f"Cost per hire ({cur})", min_value=0.0,
                              value=float(cap.cost_per_hire), step=100.0, key=f"{PREFIX}cph")
        st.caption("Hiring classes already decided (the plan proposes more where the "
                   "headcount falls short): training weeks are paid and not productive, then "
                   "the ramp's productivity week by week.")
        hiring = st.data_editor(
            hiring_frame(sc), key=f"{PREFIX}hiring", num_rows="dynamic", hide_index=True,
            width="stretch", column_config={
                "start": st.column_config.DateColumn("Training starts", required=True),
                "size": st.column_config.NumberColumn("Hires", min_value=1, step=1),
                "training_weeks": st.column_config.NumberColumn("Training weeks", min_value=0,
                                                                step=1),
                "ramp_pct": st.column_config.TextColumn(
                    "Ramp (%)", help="Productive share in each week after training, "
                                     "e.g. 50, 75, 90"),
                "cost_per_hire": st.column_config.NumberColumn(
                    f"Cost per hire ({cur})", min_value=0.0,
                    help="Empty: the cost per hire above."),
                "name": st.column_config.TextColumn("Name")})
        go = st.form_submit_button("Apply changes", type="primary",
                                   key=f"{PREFIX}capacity_apply")
    if go:
        values = {"headcount": head, "attrition": attr, "fte_hours": hours,
                  "cost_per_hire": cph}
        _submit("headcount, attrition and hiring",
                lambda: capacity_edit(state.base().to_dict(), values, hiring))


def render():
    st.header("Scenario")
    ss = st.session_state
    sc = state.base()
    if ss.get(FLASH):
        st.success(ss.pop(FLASH))
    st.write(f"Edit **{sc.name}** ({len(sc.queues)} queues, {sc.weeks} weeks from "
             f"{sc.start:%a %d %b %Y}). Each section applies on its own; a value the plan "
             "cannot use is refused with the reason, and nothing is changed. Saved what-ifs "
             "are kept.")
    st.subheader("What the scenario uses")
    fmt.table(defaults_table(sc), kinds={"default": "flag"}, key=f"{PREFIX}defaults_table")
    st.caption("Default = a value the file did not choose (the plan's default, or what an "
               "uploaded file gets): check it, and change it below.")

    section = st.radio("Edit", SECTIONS, horizontal=True, key=SECTION,
                       help="One part of the scenario at a time (each applies on its own).")
    if section == "Queues":
        names = [q.name for q in sc.queues]
        if ss.get(QUEUE) not in names:
            ss.pop(QUEUE, None)
        name = st.selectbox("Queue", names, key=QUEUE)
        _queue_form(sc, name)
    elif section == "Opening hours":
        _hours_form(sc)
    elif section == "Shifts":
        _templates_form(sc)
    elif section == "Pay and shrinkage":
        _workforce_form(sc)
    else:
        _capacity_form(sc)

    st.subheader("Scenario file")
    text = sc.to_toml()
    st.download_button("Download the edited scenario (TOML)", text.encode(),
                       file_name=files.file_name(sc.name, "toml", "scenario"),
                       mime="application/toml", key=f"{PREFIX}download")
    st.caption("The TOML holds every setting; its queues need their data (the demo, or the "
               "file loaded on the Data page) to be planned again.")
    with st.expander("Show the TOML"):
        st.code(text, language="toml")
