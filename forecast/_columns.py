"""Columns: which column of an interval file gives which field.

An interval file names its columns as its export tool does (``Skill``,
``Interval``, ``Offered``, ``AHT (s)``...).  Names are compared reduced to
lower-case letters and digits (:func:`norm`) against the synonyms of each
canonical field (:data:`SYNONYMS`): ``queue``, ``start`` (or ``date`` and
``time`` in two columns), ``volume``, ``aht`` and ``abandoned``.  A
``mapping`` names columns explicitly and wins; the other fields are still
recognised by name.  What cannot be decided (a field matching two columns,
a required field matching none) is an error that lists the columns found
and the nearest match.

Examples
--------
>>> norm("AHT (s)")
'ahts'
>>> interval_columns(["Skill", "Interval", "Offered", "AHT"])
{'queue': 'Skill', 'start': 'Interval', 'volume': 'Offered', 'aht': 'AHT'}
"""

import difflib
import re

from ._messages import columns_list

__all__ = ["MAPPING_KEYS", "SYNONYMS", "interval_columns", "interval_fields", "norm"]

_AHT_BASES = ("aht", "handletime", "handlingtime", "avghandletime", "averagehandletime",
              "avghandlingtime", "averagehandlingtime", "avgaht", "meanhandletime")
SYNONYMS = {
    "queue": ("queue", "queuename", "queueid", "skill", "skillname", "skillid", "skillset",
              "split", "splitname", "splitskill", "service", "servicename"),
    "start": ("start", "starttime", "startdatetime", "intervalstart", "intervalstarttime",
              "interval", "datetime", "timestamp", "timestamps", "periodstart", "intervalbegin"),
    "date": ("date", "day", "intervaldate", "reportdate", "calldate", "startdate"),
    "time": ("time", "intervaltime", "timeofday", "timeslot", "slot", "halfhour", "quarterhour"),
    "volume": ("volume", "offered", "calls", "contacts", "callsoffered", "offeredcalls",
               "contactsoffered", "offeredcontacts", "incoming", "incomingcalls", "arrivals",
               "ncalls", "callvolume", "contactvolume", "offeredvolume"),
    "aht": tuple(b + u for b in _AHT_BASES for u in ("", "s", "sec", "secs", "seconds")),
    "abandoned": ("abandoned", "abandons", "aband", "abandon", "abandonedcalls",
                  "callsabandoned", "abandonedcontacts", "contactsabandoned", "abn", "abd"),
}
MAPPING_KEYS = ("queue", "start", "date", "time", "volume", "aht", "abandoned")
_SHOWN = {"queue": "queue, skill, split, service", "start": "start, interval, datetime, "
          "timestamp, or date + time", "volume": "volume, offered, calls, contacts",
          "aht": "aht, handle_time, avg_handle_time", "abandoned": "abandoned, abandons, aband"}


def norm(name):
    """Column name reduced for matching: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def _find_column(value, columns, key):
    """The column ``mapping[key] = value`` names: exactly, else ignoring case and spaces."""
    if value in columns:
        return value
    hits = [c for c in columns if str(c).strip().lower() == str(value).strip().lower()]
    if len(hits) == 1:
        return hits[0]
    near = difflib.get_close_matches(str(value), [str(c) for c in columns], n=1, cutoff=0.5)
    hint = f"; nearest match {near[0]!r}" if near else ""
    raise ValueError(f"'mapping' must name columns of the source: mapping[{key!r}] = "
                     f"{value!r} is not one; columns found: {columns_list(columns)}{hint}")


def _nearest(key, candidates):
    """The candidate column whose name is closest to a synonym of ``key`` (difflib)."""
    best, score = None, 0.0
    for c in candidates:
        n = norm(c)
        for syn in SYNONYMS[key]:
            r = difflib.SequenceMatcher(None, n, syn).ratio()
            if r > score:
                best, score = c, r
    return best if score >= 0.6 else None


def _missing_column(key, columns, free, extra=""):
    near = _nearest(key, free)
    hint = (f"; nearest match {str(near)!r}: give mapping={{{key!r}: {str(near)!r}}}" if near
            else f"; give mapping={{{key!r}: ...}}")
    return ValueError(f"{key!r} column not found (looked for {_SHOWN[key]}): columns found: "
                      f"{columns_list(columns)}{hint}{extra}")


def _mapped(columns, mapping):
    """Canonical key -> source column, for the keys ``mapping`` gives."""
    if not isinstance(mapping, dict):
        raise ValueError(f"'mapping' must be a dict of canonical name -> column: {mapping!r}")
    chosen = {}
    for key, value in mapping.items():
        if key not in MAPPING_KEYS:
            raise ValueError(f"'mapping' keys must be among {', '.join(MAPPING_KEYS)}: "
                             f"{key!r}")
        pair = key == "start" and isinstance(value, (list, tuple))
        if not all(isinstance(v, str) for v in (value if pair else [value])):
            raise ValueError(f"'mapping.{key}' must name a column (a string"
                             f"{' or two: date, time' if key == 'start' else ''}): {value!r}")
        if pair:
            if len(value) != 2:
                raise ValueError("'mapping' start must be one column or two (date, time): "
                                 f"{value!r}")
            chosen["date"] = _find_column(value[0], columns, "start")
            chosen["time"] = _find_column(value[1], columns, "start")
        else:
            chosen[key] = _find_column(value, columns, key)
    taken = list(chosen.values())
    if len(set(taken)) < len(taken):
        raise ValueError(f"'mapping' must name each column once: {mapping!r}")
    return chosen


def _refuse_alike(columns):
    """Refuse two columns whose names differ only in case, spaces or punctuation."""
    seen = {}
    for c in columns:
        n = norm(c)
        if n and n in seen:
            raise ValueError(f"'source' columns {str(seen[n])!r} and {str(c)!r} differ only in "
                             f"case, spaces or punctuation: rename or remove one (columns "
                             f"found: {columns_list(columns)})")
        seen.setdefault(n, c)


def _resolve(columns, mapping):
    """Canonical key -> source column, from the mapping and then by name; and the
    columns left over."""
    _refuse_alike(columns)
    chosen = _mapped(columns, mapping) if mapping is not None else {}
    free = [c for c in columns if c not in chosen.values()]
    both = "date" in chosen and "time" in chosen          # date and time from the mapping
    for key in MAPPING_KEYS:
        if key in chosen or (key == "start" and both):
            continue
        hits = [c for c in free if norm(c) in SYNONYMS[key]]
        if len(hits) > 1:
            raise ValueError(f"{key!r} matches several columns: {columns_list(hits)}: give "
                             f"mapping={{{key!r}: ...}}")
        if hits:
            chosen[key] = hits[0]
            free.remove(hits[0])
    return chosen, free


def interval_columns(columns, mapping=None):
    """Which source column :func:`read_intervals` takes for each field.

    Parameters
    ----------
    columns : sequence of str
        The source's column names (its header).
    mapping : dict, optional
        Canonical name -> source column, as :func:`read_intervals` takes it.

    Returns
    -------
    dict
        Canonical name (``queue``, ``start``, ``date``, ``time``, ``volume``,
        ``aht``, ``abandoned``) -> source column, for the fields found; the
        fields the mapping names first, the others recognised by name.

    Raises
    ------
    ValueError
        A mapping naming an unknown column or key, a field matching
        several columns, or two columns whose names differ only in case,
        spaces or punctuation (``Offered`` and ``offered``).

    Examples
    --------
    >>> interval_columns(["Skill", "Interval", "Offered", "AHT"])
    {'queue': 'Skill', 'start': 'Interval', 'volume': 'Offered', 'aht': 'AHT'}
    >>> interval_columns(["Day", "Slot", "Calls"], mapping={"volume": "Calls"})
    {'volume': 'Calls', 'date': 'Day', 'time': 'Slot'}
    """
    chosen, _ = _resolve([str(c) for c in columns], mapping)
    return chosen


def interval_fields(columns, mapping, queue):
    """The columns of an interval file, with the required fields present.

    Parameters
    ----------
    columns : list
        The source's column names.
    mapping : dict or None
        As :func:`read_intervals` takes it.
    queue : str or None
        The queue name given for a file without a queue column.

    Returns
    -------
    dict
        Canonical name -> source column (:func:`interval_columns`), with
        ``volume``, ``queue`` unless ``queue`` is given, and ``start`` or
        ``date``.

    Raises
    ------
    ValueError
        A required field not found (the message lists the columns and the
        nearest match), or ``queue`` given for a file with a queue column.
    """
    chosen, free = _resolve(columns, mapping)
    if "volume" not in chosen:
        raise _missing_column("volume", columns, free)
    if "queue" in chosen and queue is not None:
        raise ValueError(f"'queue' must be given only for a file without a queue column: the "
                         f"file has {str(chosen['queue'])!r}: {queue!r}")
    if "queue" not in chosen and queue is None:
        raise _missing_column("queue", columns, free,
                              extra="; for a single-queue file give queue='name'")
    if chosen.get("start") is None and chosen.get("date") is None:
        time_col = chosen.get("time")
        extra = (f" (found time column {str(time_col)!r} but no date column)"
                 if time_col is not None else "")
        raise _missing_column("start", columns, free, extra=extra)
    return chosen
