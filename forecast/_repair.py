"""Repairs: checking parsed interval rows against the interval grid and the clock.

After the cells are parsed, an interval file's rows (a frame with the
source row ``_row``, ``queue``, local ``start``, UTC ``_instant`` where
known, ``volume``, ``aht``, ``abandoned`` and the daylight-saving ``_fold``)
go through these steps, in this order:

1. :func:`drop_totals`: "Total" / "Sum" rows left out (before parsing).
2. :func:`to_local_time`: starts with a UTC offset or a time zone
   converted to the contact center's clock; naive starts placed on it.
3. :func:`grid_interval`: the interval length, detected or checked.
4. :func:`drop_unknown_volume`: rows without a volume left out.
5. :func:`align`: starts all off the grid by one offset floored to it;
   other starts off the grid refused.
6. :func:`merge_repeats`: duplicates by the policy, then the hour
   repeated when clocks go back combined.
7. :func:`findings`: more abandoned than offered, gaps inside opening
   hours, hours skipped when clocks go forward.

Every repair is an :class:`~forecast.history.Issue` naming the source rows;
what cannot be repaired without guessing is a ``ValueError``.
"""

import re
import warnings

import numpy as np
import pandas as pd

from ._cells import DAY_NS, NS
from ._messages import rows_text, span, stamp, where
from .history import INTERVALS, Issue, detect_interval

__all__ = ["DUPLICATE_POLICIES", "align", "drop_totals", "drop_unknown_volume", "findings",
           "grid_interval", "merge_repeats", "to_local_time"]

DUPLICATE_POLICIES = ("sum", "error", "first", "last")
_TOTAL = re.compile(r"^\s*(grand\s+|sub-?\s*)?(total|totals|sum|summary)\b", re.I)


def _plural(n, word):
    return f"{n} {word}{'s' if n > 1 else ''}"


def drop_totals(raw, key_col):
    """Leave out rows whose ``key_col`` cell reads "Total", "Grand total", "Sum"...

    Returns
    -------
    (pandas.DataFrame, list of Issue)
    """
    keycells = raw[key_col]
    total = np.array([isinstance(v, str) and bool(_TOTAL.match(v)) for v in keycells], bool)
    if not total.any():
        return raw, []
    rows = raw.index[total]
    issue = Issue("total", tuple(int(r) for r in rows),
                  f"{_plural(int(total.sum()), 'total row')} dropped "
                  f"({rows_text(rows)}): {str(keycells[total].iloc[0]).strip()!r}")
    raw = raw[~total]
    if raw.empty:
        raise ValueError("'source' has no data rows besides totals")
    return raw, [issue]


# ---------------------------------------------------------------------------
# the clock

def to_local_time(frame, when, tz, issues):
    """Starts in the contact center's local clock time; UTC instants where they can be known.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with ``start`` (clock time as written) and ``_instant``.
    when : forecast._cells.When
        The parsed start column (which rows had an offset or a time zone).
    tz : str or None
        The contact center's time zone.
    issues : list of Issue
        Appended to.

    Returns
    -------
    (pandas.DataFrame, bool)
        The frame with ``start`` local and ``_fold`` (1 for the second of two
        naive rows at a repeated time), and whether instants are known.
    """
    has_instants = bool(when.aware.any())
    if has_instants and tz is not None:
        local = (pd.DatetimeIndex(frame["_instant"]).tz_localize("UTC").tz_convert(tz)
                 .tz_localize(None))
        frame["start"] = local.to_numpy("datetime64[ns]")
    elif has_instants and when.utc_only:
        example = f" (e.g. {when.example!r})" if when.example else ""
        issues.append(Issue("timezone", (),
                            f"'start' is marked UTC{example}: read as local clock time as "
                            "written; if the times are UTC instants, give tz='Area/City' to "
                            "convert them"))
    frame["_fold"] = 0
    if tz is not None and not has_instants:
        frame["_instant"], frame["_fold"] = _localize_naive(frame, tz, issues)
        has_instants = True
    return frame, has_instants


def _localize_naive(frame, tz, issues):
    """UTC instants of naive local times in ``tz``; the first of a repeated time is the
    earlier (summer-time) hour; times the clock skipped are reported."""
    start = pd.DatetimeIndex(frame["start"])
    first = ~frame.duplicated(["queue", "start"]).to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loc = start.tz_localize(tz, ambiguous=first, nonexistent="NaT")
        repeated = np.asarray(start.tz_localize(tz, ambiguous="NaT", nonexistent="NaT").isna())
        fold = (repeated & ~first & ~np.asarray(loc.isna())).astype(int)
        skipped = np.asarray(loc.isna()) & ~np.isnat(start.to_numpy())
        if skipped.any():
            rows = frame["_row"].to_numpy()[skipped]
            issues.append(Issue("dst", tuple(int(r) for r in rows),
                                f"'start' {stamp(start[skipped][0])} does not exist on the "
                                f"clock in {tz} (skipped by the change to summer time): kept "
                                f"as written ({rows_text(rows)})"))
            loc = start.tz_localize(tz, ambiguous=first, nonexistent="shift_forward")
    return loc.tz_convert("UTC").tz_localize(None).to_numpy("datetime64[ns]"), fold


# ---------------------------------------------------------------------------
# the interval grid

def grid_interval(frame, interval):
    """The interval length: ``interval`` checked against the starts, or detected.

    Every row with a start counts, rows without a volume included.

    Returns
    -------
    (int, int or None)
        The interval (minutes) and the one the starts suggest (None if none).

    Raises
    ------
    ValueError
        No interval can be detected, or ``interval`` is finer than a grid
        every start lies on.
    """
    starts = pd.Series(frame["start"].to_numpy("datetime64[ns]"))
    found = _detect(starts, frame["queue"].to_numpy(), required=interval is None)
    if interval is None:
        return found, found
    if found is not None and found > interval:
        minutes = starts.dt.hour * 60 + starts.dt.minute
        if ((minutes % found == 0) & (starts.dt.second == 0)).all():
            raise ValueError(f"'interval' is {interval} minutes but every start is on the "
                             f"{found}-minute grid, {found} minutes apart: the source holds "
                             f"{found}-minute intervals (give interval={found} or leave it out)")
    return interval, found


def _detect(starts, queues, required):
    """Interval length: :func:`detect_interval`; if the most common gap is not an
    interval length (a few starts off the grid), the most common gap that is one."""
    try:
        return detect_interval(starts, queues)
    except ValueError as exc:
        error = exc
    frame = pd.DataFrame({"q": queues, "d": starts.dt.normalize(), "s": starts})
    frame = frame.sort_values(["q", "d", "s"])
    gaps = frame.groupby(["q", "d"])["s"].diff().dropna().dt.total_seconds() / 60
    gaps = gaps[gaps.isin(INTERVALS)]
    if gaps.empty:
        if required:
            raise error
        return None
    counts = gaps.value_counts()
    return int(counts[counts == counts.max()].index.min())


def drop_unknown_volume(frame, empty, column, issues):
    """Leave out the rows whose volume is empty (``empty``): their interval is unknown."""
    if not empty.any():
        return frame
    rows = frame["_row"].to_numpy()[empty]
    issues.append(Issue("missing", tuple(int(r) for r in rows),
                        f"'volume' is empty in {_plural(int(empty.sum()), 'row')}: dropped, "
                        f"the interval is unknown {where(rows, column, 'volume')}"))
    frame = frame[~empty]
    if frame.empty:
        raise ValueError(f"'volume' is empty in every row (column {str(column)!r})")
    return frame


def align(frame, interval, found, issues):
    """Floor starts that are all off the grid by one offset; refuse other misalignments."""
    step = interval * 60 * NS
    start = frame["start"].to_numpy("datetime64[ns]").astype(np.int64)
    off = start % step
    if not off.any():
        return frame
    frame = frame.copy()
    shift = np.zeros(len(frame), np.int64)
    for q in pd.unique(frame["queue"]):
        sel = (frame["queue"] == q).to_numpy()
        offs = np.unique(off[sel])
        if len(offs) == 1 and offs[0] != 0:
            shift[sel] = offs[0]
            rows = frame["_row"].to_numpy()[sel]
            by = pd.Timedelta(int(offs[0]), "ns")
            example = stamp(pd.Timestamp(int(start[sel][0])))
            issues.append(Issue("misaligned", tuple(sorted(int(r) for r in rows)),
                                f"queue {q!r}: every start is {span(by)} past the "
                                f"{interval}-minute grid (e.g. {example}): floored to the "
                                f"interval start ({rows_text(rows)})"))
        elif len(offs) > 1:
            _refuse_misaligned(frame, sel & (off != 0), start, off, q, interval, found)
    frame["start"] = (start - shift).astype("datetime64[ns]")
    frame["_instant"] = (frame["_instant"].to_numpy("datetime64[ns]").astype(np.int64)
                         - shift).astype("datetime64[ns]")
    return frame


def _refuse_misaligned(frame, badsel, start, off, q, interval, found):
    rows = frame["_row"].to_numpy()[badsel]
    first = stamp(pd.Timestamp(int(start[badsel][0])))
    hint = ""
    if found is not None and found < interval:
        hint = f"; the starts look like {found}-minute intervals: give interval={found}"
    elif found is None or found == interval:
        smaller = [i for i in INTERVALS if i < interval and not (off % (i * 60 * NS)).any()]
        if smaller:
            hint = f"; if the source holds {smaller[-1]}-minute intervals, give " \
                   f"interval={smaller[-1]}"
    raise ValueError(f"'start' must fall on the {interval}-minute grid: {first} "
                     f"({rows_text(rows)}; queue {q!r}){hint}")


# ---------------------------------------------------------------------------
# repeated starts

def _merge(frame, key):
    """Add up rows with the same key: volume and abandoned add, AHT volume-weighted."""
    f = frame.copy()
    known = f["aht"].notna()
    f["_work"] = np.where(known, f["aht"] * f["volume"], 0.0)
    f["_known"] = np.where(known, f["volume"], 0.0)
    f["_ahts"] = f["aht"].fillna(0.0)
    f["_ahtn"] = known.astype(float)
    g = f.groupby(key, sort=False)
    spec = dict(_row=("_row", "min"), start=("start", "first"), _instant=("_instant", "min"),
                _fold=("_fold", "min"),
                volume=("volume", "sum"), _work=("_work", "sum"), _known=("_known", "sum"),
                _ahts=("_ahts", "sum"), _ahtn=("_ahtn", "sum"))
    out = g.agg(**{k: v for k, v in spec.items() if k not in key}).reset_index()
    out["abandoned"] = g["abandoned"].sum(min_count=1).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["aht"] = np.where(out["_known"] > 0, out["_work"] / out["_known"],
                              np.where(out["_ahtn"] > 0, out["_ahts"] / out["_ahtn"], np.nan))
    return out[frame.columns]


def merge_repeats(frame, policy, aware, issues):
    """Rows with the same queue and start: duplicates by ``policy``, then the hour
    repeated when clocks go back (same local start, other instants) added up.

    Parameters
    ----------
    frame : pandas.DataFrame
    policy : {"sum", "error", "first", "last"}
    aware : bool
        The starts had UTC offsets or time zones: rows at one local start but
        different instants are the two sides of a clock change, not duplicates.
    issues : list of Issue
        Appended to.
    """
    if aware:
        frame["_fold"] = (frame.groupby(["queue", "start"])["_instant"]
                          .rank(method="dense").astype(int) - 1)
    frame = _duplicates(frame, policy, issues)
    return _folds(frame, issues)


def _duplicates(frame, policy, issues):
    key = ["queue", "start", "_fold"]
    dup = frame.duplicated(key, keep=False).to_numpy()
    if not dup.any():
        return frame
    d = frame[dup].sort_values(["queue", "start", "_fold", "_row"])
    if policy == "error":
        q, first, fold = d["queue"].iloc[0], d["start"].iloc[0], d["_fold"].iloc[0]
        group = d[(d["queue"] == q) & (d["start"] == first) & (d["_fold"] == fold)]
        raise ValueError(f"'start' must be unique per queue: {stamp(group['start'].iloc[0])} "
                         f"appears {len(group)} times for queue {q!r} "
                         f"({rows_text(group['_row'])}); {len(d)} rows in all are duplicates "
                         f"({rows_text(d['_row'])}): give duplicates='sum', 'first' or 'last'")
    if policy == "sum":
        kept = pd.concat([frame[~dup], _merge(frame[dup], key)], ignore_index=True)
        what = "added up (volume and abandoned summed, AHT volume-weighted)"
    else:
        kept = frame.sort_values("_row").drop_duplicates(key, keep=policy)
        what = f"kept the {policy} row of each"
    for q, sub in d.groupby("queue", sort=True):
        groups = sub.groupby(["start", "_fold"], sort=True)
        examples = ", ".join(f"{stamp(g['start'].iloc[0])} ({rows_text(g['_row'])})"
                             for _, g in list(groups)[:5])
        more = f", ... ({groups.ngroups} starts)" if groups.ngroups > 5 else ""
        hint = _dst_hint(sub["start"])
        issues.append(Issue("duplicate", tuple(sorted(int(r) for r in sub["_row"])),
                            f"queue {q!r}: {groups.ngroups} start"
                            f"{'s appear' if groups.ngroups > 1 else ' appears'} more than once: "
                            f"{examples}{more}: {what}{hint}"))
    return kept


def _dst_hint(starts):
    s = pd.DatetimeIndex(starts)
    if s.normalize().nunique() == 1 and (s.hour <= 3).all() and \
            (s.max() - s.min()) < pd.Timedelta(hours=1):
        return " (the hour repeated when clocks go back? give tz to tell them apart)"
    return ""


def _folds(frame, issues):
    """Same queue and local start, different instants: the hour repeated in autumn."""
    fold = frame.duplicated(["queue", "start"], keep=False).to_numpy()
    if not fold.any():
        return frame
    d = frame[fold]
    for (q, day), sub in d.groupby(["queue", d["start"].dt.normalize()], sort=True):
        s = sub["start"]
        issues.append(Issue("dst", tuple(sorted(int(r) for r in sub["_row"])),
                            f"queue {q!r} on {day:%Y-%m-%d}: clocks went back, "
                            f"{s.min():%H:%M}-{s.max():%H:%M} occurred twice; "
                            f"{_plural(s.nunique(), 'interval')} combine both "
                            f"hours (volume and abandoned added, AHT volume-weighted) "
                            f"({rows_text(sub['_row'])})"))
    merged = _merge(d, ["queue", "start"])
    return pd.concat([frame[~fold], merged], ignore_index=True)


# ---------------------------------------------------------------------------
# findings on the result

def findings(frame, interval, has_instants):
    """Issues of the repaired rows: more abandoned than offered, gaps, skipped hours."""
    issues = []
    over = frame["abandoned"].to_numpy() > frame["volume"].to_numpy()
    if over.any():
        rows = frame["_row"].to_numpy()[over]
        issues.append(Issue("inconsistent", tuple(sorted(int(r) for r in rows)),
                            f"'abandoned' exceeds 'volume' in {_plural(int(over.sum()), 'row')}"
                            f": kept as given ({rows_text(rows)})"))
    for q, sub in frame.groupby("queue", sort=True):
        issues.extend(_gaps(q, sub, interval, has_instants))
    return issues


def _slots(sub, interval):
    """A queue's rows as a day x slot grid: present, source row, instant (ns)."""
    step = interval * 60 * NS
    per_day = 1440 // interval
    start = sub["start"].to_numpy("datetime64[ns]").astype(np.int64)
    dayi = start // DAY_NS
    slot = (start - dayi * DAY_NS) // step
    days, d = np.unique(dayi, return_inverse=True)
    present = np.zeros((len(days), per_day), bool)
    present[d, slot] = True
    rowm = np.zeros((len(days), per_day), np.int64)
    rowm[d, slot] = sub["_row"].to_numpy()
    instm = np.zeros((len(days), per_day), np.int64)
    instm[d, slot] = sub["_instant"].to_numpy("datetime64[ns]").astype(np.int64)
    first = np.full(len(days), per_day)
    last = np.full(len(days), -1)
    np.minimum.at(first, d, slot)
    np.maximum.at(last, d, slot)
    cols = np.arange(per_day)
    opened = present.any(0) if len(days) > 1 else np.ones(per_day, bool)
    miss = opened[None, :] & ~present & (cols > first[:, None]) & (cols < last[:, None])
    return days, present, rowm, instm, miss


def _gaps(q, sub, interval, has_instants):
    """Missing slots inside a queue's opening hours of a day; spring-forward hours."""
    issues = []
    step = interval * 60 * NS
    days, present, rowm, instm, miss = _slots(sub, interval)
    for di in np.flatnonzero(miss.any(1)):
        ms = np.flatnonzero(miss[di])
        for run in np.split(ms, np.flatnonzero(np.diff(ms) > 1) + 1):
            a, b = int(run[0]), int(run[-1])
            prev = int(np.flatnonzero(present[di, :a])[-1])
            nxt = b + 1 + int(np.flatnonzero(present[di, b + 1:])[0])
            r1, r2 = int(rowm[di, prev]), int(rowm[di, nxt])
            day = pd.Timestamp(int(days[di]) * DAY_NS)
            t0 = day + pd.Timedelta(minutes=a * interval)
            t1 = day + pd.Timedelta(minutes=(b + 1) * interval)
            when = f"{t0:%Y-%m-%d %H:%M}-{t1:%H:%M}"
            what = _plural(b - a + 1, "interval")
            real = int(instm[di, nxt] - instm[di, prev]) if has_instants else None
            local = (nxt - prev) * step
            if real is not None and real < local and real == step:
                issues.append(Issue("dst", (r1, r2),
                                    f"queue {q!r}: {when} does not exist on the local clock "
                                    f"(clocks went forward {(local - real) // (60 * NS)} "
                                    f"minutes): no row expected ({what}), between rows "
                                    f"{r1} and {r2}"))
                continue
            note = ""
            if real is not None and real < local:
                note = (f" ({(local - real) // (60 * NS)} minutes of it skipped by the "
                        f"clocks going forward)")
            issues.append(Issue("gap", (r1, r2),
                                f"queue {q!r}: no row for {when} ({what}) inside opening "
                                f"hours{note}, between rows {r1} and {r2}"))
    return issues
