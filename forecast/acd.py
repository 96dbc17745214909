"""Call-level ACD logs: one row per contact, and the interval history built from them.

:func:`read_acd` reads a log into an :class:`AcdLog` (a validated per-contact
frame and a report of :class:`~forecast.history.Issue`), from either

* the public **"Anonymous Bank"** call-center data of the Technion SEE lab
  (``format="anonymous_bank"``, one record per call, 17 fields), or
* any table of contacts with a column ``mapping`` (``format="generic"``).

:meth:`AcdLog.to_history` counts the contacts per queue and interval into a
:class:`~forecast.history.History` with the offered volume, answered and
abandoned contacts, AHT, ASA, service level and two estimates of the agents
who were there (see the method).

Anonymous Bank rules
--------------------
Fields are separated by tabs (by runs of spaces where a line does not split
into 17 fields on tabs); the first non-blank line is the header, matched by
name in any order.  ``date`` is ``yymmdd``, times are ``h:mm:ss`` clock
times, ``vru_time``, ``q_time`` and ``ser_time`` are seconds (``h:mm:ss``
also accepted).  A clock time of ``0:00:00`` means the stage did not happen:

* **queued** when ``q_start`` or ``q_exit`` is not ``0:00:00`` or ``q_time > 0``;
* **served** when ``ser_start`` or ``ser_exit`` is not ``0:00:00`` or ``ser_time > 0``.

Outcomes:

* ``AGENT``: answered.  A call served without a queue stage went from the
  VRU straight to an agent: answered with a wait of 0, its queue entry and
  exit set to its service start.  A call queued but with no service stage
  is answered with an unknown handle time (NaN; issue ``no_service``).  An
  ``AGENT`` call with neither stage cannot be placed: excluded (issue
  ``inconsistent``).
* ``HANG``: abandoned if it queued; otherwise it ended in the VRU (outcome
  ``"other"``, kept in the log, never offered to a queue).  A ``HANG`` call
  with a service stage reached an agent: counted answered (issue
  ``served_hang``).
* ``PHANTOM``: spurious; excluded from the log (issue ``phantom``).

``date`` is taken as the day of ``vru_entry``.  Times cross midnight: each
time is placed on the first day at or after the time before it in the call's
sequence ``vru_entry <= vru_exit <= q_start <= q_exit <= ser_start <=
ser_exit`` (issue ``midnight``, informational).  A time that would need more than 12 hours for that is out of order (e.g.
``q_exit`` before ``q_start``): the row is excluded (issue ``order``).
Waits and handle times come from the timestamps; a recorded duration that
disagrees with them by more than a second is reported (issue ``mismatch``)
and the timestamps are used.

Rows are numbered from 1 after the header, blank lines included (row ``r``
is line ``r + 1`` of a file with the header on its first line).  Excluded
rows (never dropped silently): wrong number of fields (``fields``), unknown
outcome (``unknown_outcome``), bad date (``bad_date``), unparseable time
(``bad_time``), unparseable or negative duration (``non_numeric``,
``negative``), out of order (``order``); in generic logs, a wait or handle
time beyond the limit ``patience`` or ``aht`` (``out_of_range``).  A log whose
arrivals span more than the limit ``history_weeks`` is refused, and so is a
file beyond ``file_size`` or ``history_rows``.  A missing required column (any of
:data:`AB_REQUIRED`) is an error; ``vru+line``, ``call_id``,
``customer_id``, ``priority``, ``vru_exit`` and ``vru_time`` are optional.
"""

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from ccwfm._limits import at_most, limit
from ccwfm._validation import choice, count, number

from . import _cells, _decode
from .history import INTERVALS, History, Issue

FORMATS = ("anonymous_bank", "generic")
OUTCOMES = ("answered", "abandoned", "other")
LOG_COLUMNS = ("row", "queue", "arrival", "queue_start", "queue_exit", "outcome", "wait",
               "handle", "agent", "service_start", "service_end")
AB_FIELDS = ("vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry",
             "vru_exit", "vru_time", "q_start", "q_exit", "q_time", "outcome", "ser_start",
             "ser_exit", "ser_time", "server")
AB_REQUIRED = ("type", "date", "vru_entry", "q_start", "q_exit", "q_time", "outcome",
               "ser_start", "ser_exit", "ser_time", "server")
GENERIC_KEYS = ("queue", "arrival", "queue_start", "queue_exit", "wait", "outcome", "handle",
                "agent", "vru_entry", "vru_exit", "outcome_values")
MAX_GAP = 12 * 3600      # longest step between two times of one call (seconds)
LIMITS_SECONDS = {"patience": limit("patience"), "aht": limit("aht")}
TOLERANCE = 1.0          # recorded duration vs timestamps (seconds)
_DAY = 86400.0
_NS = 10 ** 9


@dataclass(frozen=True)
class AcdLog:
    """Validated call-level log.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per contact, in source order, columns :data:`LOG_COLUMNS`:
        ``row`` (source row, 1-based, header excluded), ``queue`` (str),
        ``arrival`` (datetime: entry into the center, the VRU entry when
        there is one), ``queue_start`` and ``queue_exit`` (datetimes, NaT
        when the contact never reached a queue), ``outcome`` (one of
        :data:`OUTCOMES`: ``"other"`` for contacts that ended before any
        queue, e.g. in the VRU, or whose outcome is not a service or an
        abandonment), ``wait`` (seconds in queue, NaN for ``"other"``),
        ``handle`` (seconds of service, NaN when not served or unknown),
        ``agent`` (str or None), ``service_start`` and ``service_end``
        (datetimes, NaT when not served).  ``vru_entry`` and ``vru_exit``
        when the source has them, and the Anonymous Bank's ``call_id``,
        ``customer_id``, ``priority`` and ``vru_line`` (as text).
        Local clock time, timezone-naive.
    report : tuple of Issue
        What the reader fixed, noticed or excluded, with source rows.
    """

    frame: pd.DataFrame
    report: tuple = field(default=())

    def __post_init__(self):
        df = self.frame
        missing = [c for c in LOG_COLUMNS if c not in df.columns]
        if missing:
            raise ValueError(f"'frame' needs column {missing[0]!r}")
        bad = ~df["outcome"].isin(OUTCOMES)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"'outcome' must be one of {', '.join(OUTCOMES)}: "
                             f"{df['outcome'].iloc[i]!r} (at row {i})")
        for col in ("arrival", "queue_start", "queue_exit", "service_start", "service_end"):
            if not pd.api.types.is_datetime64_any_dtype(df[col]):
                raise ValueError(f"'frame.{col}' must hold datetimes")
        offered = df["outcome"].isin(("answered", "abandoned")).to_numpy()
        wait = df["wait"].to_numpy(float)
        bad = offered & ~(wait >= 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"'wait' must be >= 0 for answered and abandoned contacts: "
                             f"{wait[i]!r} (at row {i})")
        if (offered & df["queue_start"].isna().to_numpy()).any():
            raise ValueError("'queue_start' is required for answered and abandoned contacts")

    @property
    def queues(self):
        """Queue names, sorted."""
        return sorted(self.frame["queue"].unique().tolist())

    def to_history(self, interval=30, target_time=20):
        """Contacts per queue and interval, as a :class:`~forecast.history.History`.

        Contacts are counted in the interval of their **queue entry**
        (``queue_start``; for a call served straight from the VRU, its
        service start), so that the volume is what the queue was offered
        when.  Only answered and abandoned contacts are offered; ``"other"``
        contacts (ended in the VRU, transfers...) are not counted.

        Columns besides ``queue`` and ``start``:

        * ``volume``: offered = answered + abandoned;
        * ``answered``, ``abandoned``;
        * ``aht``: mean handle time of the answered contacts (those with a
          known handle time), seconds;
        * ``asa``: mean wait of the answered contacts, seconds;
        * ``service_level``: answered within ``target_time`` (wait <=
          target) over **all offered** (answered + abandoned, short
          abandons included); NaN when nothing was offered;
        * ``agents_headcount``: distinct agents whose service of one of this
          queue's contacts overlaps the interval;
        * ``agents_effective``: over the seconds of the interval when
          someone was waiting in this queue, the time-weighted mean number
          of agents busy serving this queue's contacts (each agent counted
          once).  While a queue exists every agent available to it should be
          busy, so this is the number of agents effectively there.  NaN when
          nobody waited (no information).  Waits and services are cut at the
          interval bounds, whichever interval the contacts entered in.  With
          agents shared between queues, time an agent spends on another
          queue's contacts does not count here;
        * ``availability``: ``agents_effective / agents_headcount``.

        Rows: for each queue and calendar day, every interval from that of
        the first to that of the last queue entry of the day, with volume 0
        where nothing entered (the queue was open, nobody called); no rows
        outside (closed or unknown).  The report carries the log's issues
        and a ``filled`` issue counting the zero rows.

        Parameters
        ----------
        interval : int
            Minutes: 5, 15, 30 or 60.
        target_time : float
            Service-level target in seconds (>= 0).
        """
        choice("interval", interval, INTERVALS, unit=" minutes", quote=False)
        target = at_most("target_time", number("target_time", target_time, lo=0),
                         "target_time")
        freq = f"{interval}min"
        df = self.frame
        off = df[df["outcome"].isin(("answered", "abandoned"))].copy()
        cols = ["queue", "start", "volume", "aht", "abandoned", "answered", "asa",
                "service_level", "agents_headcount", "agents_effective", "availability"]
        if off.empty:
            raise ValueError("the log has no answered or abandoned contact: no history to build")
        off["start"] = off["queue_start"].astype("datetime64[ns]").dt.floor(freq)
        ans = off["outcome"].eq("answered")
        off["_ans"] = ans.astype(int)
        off["_ab"] = (~ans).astype(int)
        off["_handle"] = off["handle"].where(ans)
        off["_wait"] = off["wait"].where(ans)
        off["_within"] = (ans & (off["wait"] <= target)).astype(int)
        stats = off.groupby(["queue", "start"]).agg(
            volume=("_ans", "size"), answered=("_ans", "sum"), abandoned=("_ab", "sum"),
            aht=("_handle", "mean"), asa=("_wait", "mean"), _within=("_within", "sum"))

        step = pd.Timedelta(minutes=interval)
        spans = stats.reset_index()
        spans["day"] = spans["start"].dt.normalize()
        spans = spans.groupby(["queue", "day"])["start"].agg(["min", "max"])
        pieces = []
        for (queue, _), (lo, hi) in spans.iterrows():
            starts = pd.date_range(lo, hi, freq=step)
            pieces.append(pd.DataFrame({"queue": queue, "start": starts}))
        grid = pd.concat(pieces, ignore_index=True)
        grid["start"] = grid["start"].astype("datetime64[ns]")
        out = grid.merge(stats.reset_index(), on=["queue", "start"], how="left")
        filled = int(out["volume"].isna().sum())
        for col in ("volume", "answered", "abandoned", "_within"):
            out[col] = out[col].fillna(0).astype(int)
        out["service_level"] = _ratio(out["_within"], out["volume"])
        busiest = int(out["volume"].max())
        if busiest > limit("volume"):
            at_most("volume", busiest, "volume")

        length = interval * 60 * _NS
        out["agents_headcount"] = 0
        out["agents_effective"] = np.nan
        key = out["start"].to_numpy("datetime64[ns]").astype(np.int64) // length
        for queue, sub in df[df["queue"].isin(out["queue"].unique())].groupby("queue"):
            head, eff = _agent_metrics(sub, length)
            rows = (out["queue"] == queue).to_numpy()
            k = key[rows]
            out.loc[rows, "agents_headcount"] = head.reindex(k, fill_value=0).to_numpy()
            out.loc[rows, "agents_effective"] = eff.reindex(k).to_numpy()
        out["availability"] = _ratio(out["agents_effective"], out["agents_headcount"])
        report = list(self.report)
        if filled:
            report.append(Issue("filled", (), f"{filled} interval(s) with no contact between the "
                                              "first and last queue entry of their day: kept "
                                              "with volume 0"))
        return History.from_frame(out[cols], interval=interval, report=report)


def _ratio(num, den):
    """num / den, NaN where den is 0."""
    num, den = np.asarray(num, float), np.asarray(den, float)
    return np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)


def _agent_metrics(sub, length):
    """Per interval index (start // length, in ns): headcount and effective agents."""
    ans = sub["outcome"].eq("answered").to_numpy()
    ss = sub["service_start"].to_numpy("datetime64[ns]")
    se = sub["service_end"].to_numpy("datetime64[ns]")
    agent = sub["agent"].to_numpy(object)
    has = ans & ~np.isnat(ss) & ~np.isnat(se) & pd.notna(agent)
    s, e, a = ss[has].astype(np.int64), se[has].astype(np.int64), agent[has].astype(str)
    # Headcount: every (agent, interval) pair a service overlaps ([s, e) half-open;
    # an instantaneous service counts in the interval holding it).
    k0 = s // length
    k1 = np.maximum(k0, -(-e // length) - 1)
    n = k1 - k0 + 1
    ks = np.repeat(k0, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    pairs = pd.DataFrame({"k": ks, "agent": np.repeat(a, n)}).drop_duplicates()
    head = pairs.groupby("k").size()

    offered = sub["outcome"].isin(("answered", "abandoned")).to_numpy()
    qs = sub["queue_start"].to_numpy("datetime64[ns]")
    qx = sub["queue_exit"].to_numpy("datetime64[ns]")
    w = offered & ~np.isnat(qs) & ~np.isnat(qx)
    ws, we = qs[w].astype(np.int64), qx[w].astype(np.int64)
    keep = we > ws
    ws, we = ws[keep], we[keep]
    if ws.size == 0:
        return head, pd.Series(dtype=float)
    # Busy blocks: each agent's services merged, so an agent counts once at a time.
    busy = pd.DataFrame({"a": a, "s": s, "e": e})
    busy = busy[busy["e"] > busy["s"]].sort_values(["a", "s"], kind="stable")
    prev = busy.groupby("a")["e"].cummax().groupby(busy["a"]).shift()
    block = (prev.isna() | (busy["s"] > prev)).cumsum()
    blocks = busy.groupby(block).agg(s=("s", "min"), e=("e", "max"))
    bs, be = np.sort(blocks["s"].to_numpy()), np.sort(blocks["e"].to_numpy())
    lo, hi = ws.min() // length, -(-we.max() // length)
    bounds = np.arange(lo, hi + 1, dtype=np.int64) * length
    b = np.unique(np.concatenate([ws, we, bs, be, bounds]))
    b = b[(b >= bounds[0]) & (b <= bounds[-1])]
    left = b[:-1]
    waiting = np.searchsorted(np.sort(ws), left, "right") - np.searchsorted(np.sort(we), left,
                                                                              "right")
    agents = np.searchsorted(bs, left, "right") - np.searchsorted(be, left, "right")
    on = waiting > 0
    seg = np.diff(b).astype(float)
    k = left // length
    acc = pd.DataFrame({"k": k[on], "wait": seg[on], "busy": seg[on] * agents[on]})
    acc = acc.groupby("k").sum()
    eff = acc["busy"] / acc["wait"]
    return head, eff


# --------------------------------------------------------------------------- reading

def read_acd(source, *, format="anonymous_bank", mapping=None, sep=None, max_rows=None):
    """Read a call-level ACD log.

    Parameters
    ----------
    source : str, path, file-like, bytes or pandas.DataFrame
        The log: a file (its path, its bytes or an open file), or a frame of
        its columns.  Files are loaded as :func:`read_intervals` loads them
        (encoding detected; ``"generic"`` logs may also be Excel ``.xlsx`` or
        parquet files).
    format : {"anonymous_bank", "generic"}
        ``"anonymous_bank"``: the Technion SEE lab "Anonymous Bank" records
        (rules in the module docstring).  ``"generic"``: any table, with
        ``mapping``.
    mapping : dict, optional (``"generic"`` only)
        Canonical name -> source column.  Required: ``"queue"``,
        ``"arrival"`` (datetime), ``"outcome"``, and ``"queue_exit"``
        (datetime) or ``"wait"`` (seconds in queue).  Optional:
        ``"queue_start"`` (datetime; default the arrival), ``"handle"``
        (seconds), ``"agent"``, ``"vru_entry"``, ``"vru_exit"``.  And
        ``"outcome_values"``: ``{"answered": [...], "abandoned": [...]}``,
        the source values of each outcome (case-insensitive; default
        ``"answered"`` and ``"abandoned"``); other values become
        ``"other"`` (issue ``outcome_other``).  Datetimes must be full
        date-times in local clock time.  A served contact's service runs from
        its queue exit for its handle time.
    sep : str, optional
        Field separator.  Anonymous Bank: default tab, then runs of spaces
        for lines that do not split into the header's field count on tabs.
        Generic: detected among ``, ; tab |`` as for :func:`read_intervals`.
    max_rows : int, optional
        Read at most this many data rows.

    Returns
    -------
    AcdLog

    Raises
    ------
    ValueError
        Naming the field: arguments of the wrong type or value, an unreadable,
        empty or too large source (limits ``file_size``, ``history_rows``), a
        missing column, a log spanning more than the limit ``history_weeks``.
        Unreadable rows are not errors: they are excluded and reported.

    Examples
    --------
    >>> import io
    >>> text = ("vru+line call_id customer_id priority type date vru_entry vru_exit vru_time "
    ...         "q_start q_exit q_time outcome ser_start ser_exit ser_time server\\n"
    ...         "AA0101 1 0 0 PS 990101 8:00:00 8:00:05 5 8:00:05 8:00:35 30 AGENT "
    ...         "8:00:35 8:02:35 120 ANNA\\n")
    >>> log = read_acd(io.StringIO(text))
    >>> log.frame[["queue", "outcome", "wait", "handle", "agent"]].values.tolist()
    [['PS', 'answered', 30.0, 120.0, 'ANNA']]
    """
    choice("format", format, FORMATS, quote=False)
    if max_rows is not None:
        max_rows = count("max_rows", max_rows, 0)
    _decode.check_sep(sep)
    if format == "anonymous_bank":
        if mapping is not None:
            raise ValueError("'mapping' is for format='generic' only")
        log = _read_anonymous_bank(source, sep, max_rows)
    else:
        if not isinstance(mapping, dict):
            raise ValueError(f"'mapping' must be a dict for format='generic': {mapping!r}")
        log = _read_generic(source, mapping, sep, max_rows)
    _cells.check_span(log.frame["arrival"], "arrival", "the contacts arrive")
    return log


class _Report:
    """Issues in the order found; rows are source rows (1-based)."""

    def __init__(self):
        self.issues = []

    def add(self, kind, rows, what, action):
        rows = tuple(int(r) for r in np.asarray(rows).reshape(-1))
        if not rows:
            return
        shown = ", ".join(str(r) for r in rows[:10]) + (", ..." if len(rows) > 10 else "")
        self.issues.append(Issue(kind, rows, f"{len(rows)} row(s) {what} (rows {shown}): "
                                             f"{action}"))


def _ab_table(source, sep, max_rows, report):
    """The Anonymous Bank records as a frame of stripped strings, with a 'row' column."""
    if isinstance(source, pd.DataFrame):
        at_most("source", len(source), "history_rows")
        df = source.copy()
        if max_rows is not None:
            df = df.iloc[:max_rows]
        df.columns = [str(c).strip().lower() for c in df.columns]
        df = df.astype(str).apply(lambda s: s.str.strip())
        df.insert(0, "row", np.arange(1, len(df) + 1))
        return df.reset_index(drop=True)
    lines = _decode.read_text(source, "the Anonymous Bank log").splitlines()
    head = next((i for i, line in enumerate(lines) if line.strip()), None)
    if head is None:
        raise ValueError("'source' is empty: the Anonymous Bank log has no header")
    at_most("source", len(lines) - head - 1, "history_rows")

    header = lines[head]
    if sep is not None:
        names = header.split(sep)
    else:
        names = header.split("\t") if "\t" in header else header.split()
    names = [h.strip().lower() for h in names]
    if sep is None:
        names = [h for h in names if h]
    n = len(names)
    records, rows, bad = [], [], []
    for i, line in enumerate(lines[head + 1:], start=1):
        if max_rows is not None and i > max_rows:
            break
        parts = line.split(sep if sep is not None else "\t")
        if len(parts) != n:
            if sep is None:
                parts = line.split()
            if len(parts) != n:
                if line.strip():
                    bad.append(i)
                continue
        records.append(parts)
        rows.append(i)
    report.add("fields", bad, f"do not have the header's {n} fields",
               "excluded")
    df = pd.DataFrame(records, columns=names, dtype=object) if records else \
        pd.DataFrame({c: pd.Series(dtype=object) for c in names})
    for c in names:   # strip the distinct values only: logs repeat them
        codes, uniques = pd.factorize(df[c])
        df[c] = pd.Series(uniques, dtype=object).str.strip().to_numpy(object)[codes]
    df.insert(0, "row", np.asarray(rows, dtype=int))
    return df


class _Kept:
    """The rows still in a log; excluding rows reports them (never silently)."""

    def __init__(self, row, report):
        self.row = row
        self.report = report
        self.mask = np.ones(len(row), bool)

    def drop(self, kind, mask, what, action="excluded"):
        mask = np.asarray(mask, bool) & self.mask
        self.report.add(kind, self.row[mask], what, action)
        self.mask &= ~mask


class _Stages(NamedTuple):
    """Which stages each Anonymous Bank call went through."""

    queued: np.ndarray
    served: np.ndarray
    vru_exit: np.ndarray


def _read_anonymous_bank(source, sep, max_rows):
    rep = _Report()
    df = _ab_table(source, sep, max_rows, rep)
    missing = [c for c in AB_REQUIRED if c not in df.columns]
    if missing:
        raise ValueError(f"'source' must have column {missing[0]!r} (the Anonymous Bank "
                         f"log lacks it) "
                         f"(columns: {', '.join(c for c in df.columns if c != 'row')})")
    kept = _Kept(df["row"].to_numpy(), rep)
    code, day, clock, dur = _ab_cells(df, kept)
    stages = _ab_stages(clock, dur, len(df))
    rel = _ab_timeline(clock, stages, kept)
    kept.drop("inconsistent", (code == "AGENT") & ~stages.queued & ~stages.served,
              "are AGENT calls with neither a queue nor a service stage")
    with np.errstate(invalid="ignore"):
        wait = np.where(stages.queued, rel["q_exit"] - rel["q_start"], np.nan)
        handle = np.where(stages.served, rel["ser_exit"] - rel["ser_start"], np.nan)
    _ab_notes(df, code, dur, stages, rel, wait, handle, kept)
    frame = _ab_frame(df, code, day, stages, rel, wait, handle)
    return AcdLog(frame[kept.mask].reset_index(drop=True), tuple(rep.issues))


def _ab_cells(df, kept):
    """Outcome codes, dates, clock times and durations (seconds); rows with unreadable
    cells excluded."""
    code = df["outcome"].str.upper().to_numpy(object)
    kept.drop("phantom", code == "PHANTOM", "are PHANTOM calls (spurious)",
              "excluded from offered")
    kept.drop("unknown_outcome", ~np.isin(code, ["AGENT", "HANG", "PHANTOM"]),
              "have an outcome other than AGENT, HANG or PHANTOM")
    date = df["date"]
    day = pd.to_datetime(date.where(date.str.len() == 6), format="%y%m%d", errors="coerce")
    day = day.fillna(pd.to_datetime(date.where(date.str.len() == 8), format="%Y%m%d",
                                    errors="coerce"))
    kept.drop("bad_date", day.isna().to_numpy(), "have a date that is not yymmdd")
    clock_cols = [c for c in ("vru_entry", "vru_exit", "q_start", "q_exit", "ser_start",
                              "ser_exit") if c in df.columns]
    clock = {c: _cells.clocks(df[c], exact=True) for c in clock_cols}
    for c in clock_cols:
        kept.drop("bad_time", np.isnan(clock[c]), f"have an unparseable {c} (not h:mm:ss)")
    dur_cols = [c for c in ("vru_time", "q_time", "ser_time") if c in df.columns]
    dur = {c: _cells.durations(df[c], signed=True, short=False, exact=True) for c in dur_cols}
    for c in dur_cols:
        kept.drop("non_numeric", np.isnan(dur[c]), f"have an unparseable {c} (not seconds)")
    for c in dur_cols:
        kept.drop("negative", dur[c] < 0, f"have a negative {c}")
    return code, day, clock, dur


def _ab_stages(clock, dur, n):
    """A stage happened when one of its clock times is not 0:00:00 or its length is > 0."""
    def flag(start, stop, length):
        out = (clock[start] != 0) | (clock[stop] != 0)
        if length in dur:
            out |= dur[length] > 0
        return out

    if "vru_exit" in clock:
        has_vx = clock["vru_exit"] != 0
        if "vru_time" in dur:
            has_vx |= dur["vru_time"] > 0
    else:
        has_vx = np.zeros(n, bool)
    return _Stages(flag("q_start", "q_exit", "q_time"), flag("ser_start", "ser_exit", "ser_time"),
                   has_vx)


def _ab_timeline(clock, stages, kept):
    """Absolute times (seconds after midnight of 'date'), each at or after the previous;
    rows needing more than :data:`MAX_GAP` for that are out of order, excluded."""
    n = len(kept.row)
    rel = {"vru_entry": clock["vru_entry"]}
    prev_clock, prev_rel = clock["vru_entry"].copy(), clock["vru_entry"].copy()
    prev_name = np.full(n, "vru_entry", dtype=object)
    order_bad = np.zeros(n, bool)
    first_bad = None
    for name, present in (("vru_exit", stages.vru_exit), ("q_start", stages.queued),
                          ("q_exit", stages.queued), ("ser_start", stages.served),
                          ("ser_exit", stages.served)):
        if name not in clock:
            rel[name] = np.full(n, np.nan)
            continue
        gap = np.mod(clock[name] - prev_clock, _DAY)
        bad = present & kept.mask & (gap > MAX_GAP) & ~order_bad
        for i in np.flatnonzero(bad)[:1]:
            first_bad = first_bad or (name, prev_name[i], kept.row[i])
        order_bad |= bad
        rel[name] = np.where(present, prev_rel + gap, np.nan)
        prev_rel = np.where(present, rel[name], prev_rel)
        prev_clock = np.where(present, clock[name], prev_clock)
        prev_name = np.where(present, name, prev_name)
    what = "have a time earlier than the one before it, beyond what crossing midnight explains"
    if first_bad is not None:
        a, b, r = first_bad
        what += f" (first: {a} before {b} at row {r})"
    kept.drop("order", order_bad, what)
    return rel


def _no_agent(server):
    return np.isin(np.char.upper(server.astype(str)), ["NO_SERVER", "", "NAN"])


def _ab_notes(df, code, dur, stages, rel, wait, handle, kept):
    """Report what is odd in the kept rows: recorded lengths off their timestamps,
    midnight crossings, answered calls without service, served hang-ups, no server."""
    k, row, rep = kept.mask, kept.row, kept.report
    queued, served = stages.queued, stages.served
    checks = [("q_time", queued, wait), ("ser_time", served, handle)]
    if "vru_exit" in df.columns:
        checks.append(("vru_time", stages.vru_exit, rel["vru_exit"] - rel["vru_entry"]))
    with np.errstate(invalid="ignore"):
        for col, present, value in checks:
            if col in dur:
                off = k & present & (np.abs(value - dur[col]) > TOLERANCE)
                rep.add("mismatch", row[off], f"have a {col} that differs from its timestamps "
                                              f"by more than {TOLERANCE:g} s",
                        "kept; the timestamps are used")
    times = np.column_stack([rel[c] for c in ("vru_exit", "q_start", "q_exit", "ser_start",
                                                "ser_exit")])
    crossed = k & (np.nan_to_num(times, nan=-1.0).max(axis=1) >= _DAY)
    rep.add("midnight", row[crossed], "cross midnight",
            "kept; later times placed on the next day")
    rep.add("no_service", row[k & (code == "AGENT") & queued & ~served],
            "are AGENT calls with no service stage", "kept as answered, handle time unknown")
    rep.add("served_hang", row[k & (code == "HANG") & served],
            "are HANG calls with a service stage", "counted as answered")
    rep.add("no_agent", row[k & served & _no_agent(df["server"].to_numpy(object))],
            "were served by no named server", "kept; not counted in the agents")


def _ab_frame(df, code, day, stages, rel, wait, handle):
    """The log's frame (every row; the caller keeps the valid ones)."""
    queued, served = stages.queued, stages.served
    is_hang = code == "HANG"
    answered = (code == "AGENT") | (is_hang & served)
    outcome = np.where(answered, "answered", np.where(is_hang & queued, "abandoned", "other"))
    direct = answered & ~queued          # VRU straight to an agent: zero wait
    q0 = np.where(direct, rel["ser_start"], rel["q_start"])
    q1 = np.where(direct, rel["ser_start"], rel["q_exit"])
    wait = np.where(direct, 0.0, wait)
    base = day.to_numpy("datetime64[ns]")
    server = df["server"].to_numpy(object)

    def at(secs):
        return pd.Series(base + pd.to_timedelta(secs, unit="s").to_numpy("timedelta64[ns]"))

    frame = pd.DataFrame({
        "row": df["row"].to_numpy(),
        "queue": df["type"].to_numpy(object),
        "arrival": at(rel["vru_entry"]),
        "queue_start": at(q0),
        "queue_exit": at(q1),
        "outcome": outcome,
        "wait": np.where(outcome == "other", np.nan, wait),
        "handle": np.where(answered, handle, np.nan),
        # object dtype: a missing agent stays None (pandas 3 would infer str, None -> NaN)
        "agent": pd.Series(np.where(served & ~_no_agent(server), server, None), dtype=object),
        "service_start": at(np.where(served, rel["ser_start"], np.nan)),
        "service_end": at(np.where(served, rel["ser_exit"], np.nan)),
        "vru_entry": at(rel["vru_entry"]),
        "vru_exit": at(np.where(stages.vru_exit, rel["vru_exit"], np.nan)),
    })
    for src, dst in (("call_id", "call_id"), ("customer_id", "customer_id"),
                     ("priority", "priority"), ("vru+line", "vru_line")):
        if src in df.columns:
            frame[dst] = df[src].to_numpy(object)
    return frame


def _generic_table(source, sep, max_rows):
    """The log's table (the shared loader; blank lines left out), its first ``max_rows``
    rows, positions from 0."""
    df, _ = _decode.load(source, sep=sep, skip_blank_lines=True)
    if max_rows is not None:
        df = df.iloc[:max_rows]
    return df.reset_index(drop=True)


def _text(df, col):
    """A column as stripped texts, NaN where empty."""
    s = df[col].astype(str).str.strip()
    return s.where(~df[col].isna() & ~s.isin(["", "nan", "None"]))


def _outcome_lookup(mapping):
    """Check a generic ``mapping``; source outcome (upper case) -> answered / abandoned."""
    unknown = set(mapping) - set(GENERIC_KEYS)
    if unknown:
        raise ValueError(f"'mapping' has unknown key {sorted(unknown)[0]!r} "
                         f"(expected {', '.join(GENERIC_KEYS)})")
    for key in ("queue", "arrival", "outcome"):
        if key not in mapping:
            raise ValueError(f"'mapping.{key}' is required")
    for key, col in mapping.items():
        if key != "outcome_values" and not isinstance(col, str):
            raise ValueError(f"'mapping.{key}' must name a column (a string): {col!r}")
    if "queue_exit" not in mapping and "wait" not in mapping:
        raise ValueError("'mapping' needs 'queue_exit' (a datetime) or 'wait' (seconds)")
    values = mapping.get("outcome_values", {"answered": ["answered"],
                                            "abandoned": ["abandoned"]})
    if not isinstance(values, dict) or set(values) - {"answered", "abandoned"}:
        raise ValueError("'mapping.outcome_values' must map 'answered' and/or 'abandoned' to "
                         f"lists of source values: {values!r}")
    lookup = {}
    for outcome, vals in values.items():
        if not isinstance(vals, (str, list, tuple)) or not all(
                isinstance(v, str) for v in ([vals] if isinstance(vals, str) else vals)):
            raise ValueError(f"'mapping.outcome_values.{outcome}' must be a list of source "
                             f"values (strings): {vals!r}")
        for v in ([vals] if isinstance(vals, str) else vals):
            key = str(v).strip().upper()
            if lookup.get(key, outcome) != outcome:
                raise ValueError(f"'mapping.outcome_values': {v!r} is both answered and "
                                 "abandoned")
            lookup[key] = outcome
    return lookup


def _generic_columns(df, mapping):
    """Canonical name -> column of the loaded log (names as the loader strips them)."""
    cols = {}
    for key, col in mapping.items():
        if key == "outcome_values":
            continue
        if col not in df.columns and str(col).strip() not in df.columns:
            raise ValueError(f"'mapping.{key}': column {col!r} is not in the log "
                             f"(columns: {', '.join(map(str, df.columns))})")
        cols[key] = col if col in df.columns else str(col).strip()
    return cols


def _read_generic(source, mapping, sep, max_rows):
    lookup = _outcome_lookup(mapping)
    rep = _Report()
    df = _generic_table(source, sep, max_rows)
    cols = _generic_columns(df, mapping)
    kept = _Kept(np.arange(1, len(df) + 1), rep)
    queue = _text(df, cols["queue"])
    kept.drop("missing", queue.isna().to_numpy(), "have no queue")
    raw_outcome = _text(df, cols["outcome"]).fillna("").str.upper()
    outcome = raw_outcome.map(lookup).fillna("other").to_numpy(object)
    times = _generic_times(df, cols, outcome != "other", kept)
    handle = _generic_handle(df, cols, outcome, kept)
    other = kept.mask & (outcome == "other")
    if other.any():
        seen = sorted(set(raw_outcome[other]))
        rep.add("outcome_other", kept.row[other],
                f"have an outcome that is neither answered nor abandoned "
                f"({', '.join(repr(s) for s in seen[:5])}{', ...' if len(seen) > 5 else ''})",
                "kept as 'other', not offered")
    frame = _generic_frame(df, cols, queue, outcome, times, handle)
    return AcdLog(frame[kept.mask].reset_index(drop=True), tuple(rep.issues))


def _generic_times(df, cols, offered, kept):
    """Arrival, queue start and exit (datetimes) and wait (seconds); rows with unreadable
    or out-of-order times excluded."""
    arrival = _cells.wall_datetimes(df[cols["arrival"]], "arrival")
    kept.drop("bad_time", arrival.isna().to_numpy(), f"have an unreadable arrival "
                                                     f"({cols['arrival']!r})")
    if "queue_start" in cols:
        qs = _cells.wall_datetimes(df[cols["queue_start"]], "queue_start")
        kept.drop("bad_time", offered & qs.isna().to_numpy(),
                  f"are answered or abandoned with an unreadable queue start "
                  f"({cols['queue_start']!r})")
    else:
        qs = arrival.copy()
    if "queue_exit" in cols:
        qx = _cells.wall_datetimes(df[cols["queue_exit"]], "queue_exit")
        kept.drop("bad_time", offered & qx.isna().to_numpy(),
                  f"are answered or abandoned with an unreadable queue exit "
                  f"({cols['queue_exit']!r})")
        wait = ((qx - qs).dt.total_seconds()).to_numpy(float)
        if "wait" in cols:
            given = _seconds(df, cols["wait"])
            off = kept.mask & offered & (np.abs(given - wait) > TOLERANCE)
            kept.report.add("mismatch", kept.row[off],
                            f"have a wait ({cols['wait']!r}) that differs from the queue "
                            f"times by more than {TOLERANCE:g} s",
                            "kept; the queue times are used")
    else:
        wait = _seconds(df, cols["wait"])
        kept.drop("non_numeric", offered & np.isnan(wait),
                  f"are answered or abandoned with an unreadable wait ({cols['wait']!r})")
        wait = _within(wait, "wait", "patience", offered, kept)
        # The wait of a contact not offered to agents (a transfer, a bot) plays no
        # part; one beyond any clock is unknown rather than an overflow.
        wait = np.where(np.abs(wait) <= LIMITS_SECONDS["patience"], wait, np.nan)
        qx = qs + pd.to_timedelta(wait, unit="s")
    kept.drop("order", offered & (wait < 0), "leave the queue before entering it")
    kept.drop("order", offered & (qs < arrival).to_numpy(), "enter the queue before arriving")
    return arrival, qs, qx, wait


def _seconds(df, col):
    """A column of seconds as floats; NaN where a cell is not a finite number."""
    v = pd.to_numeric(_text(df, col), errors="coerce").to_numpy(float)
    return np.where(np.isfinite(v), v, np.nan)


def _within(values, what, key, where, kept):
    """Exclude rows (at ``where``) whose seconds exceed the limit ``key``; NaN there."""
    lim = LIMITS_SECONDS[key]
    over = where & (values > lim)
    kept.drop("out_of_range", over, f"have a {what} above {lim:g} seconds (limit {key!r})")
    return np.where(over, np.nan, values)


def _generic_handle(df, cols, outcome, kept):
    """Handle times (seconds) of answered contacts, NaN for the others or when unknown."""
    if "handle" not in cols:
        return np.full(len(df), np.nan)
    htext = _text(df, cols["handle"])
    handle = _seconds(df, cols["handle"])
    ans = outcome == "answered"
    kept.drop("non_numeric", ans & htext.notna().to_numpy() & np.isnan(handle),
              f"have an unreadable handle time ({cols['handle']!r})")
    kept.drop("negative", ans & (handle < 0), "have a negative handle time")
    handle = _within(handle, "handle time", "aht", ans, kept)
    kept.report.add("no_service", kept.row[kept.mask & ans & np.isnan(handle)],
                    "are answered with no handle time", "kept, handle time unknown")
    return np.where(ans, handle, np.nan)


def _generic_frame(df, cols, queue, outcome, times, handle):
    """The log's frame (every row; the caller keeps the valid ones)."""
    arrival, qs, qx, wait = times
    n = len(df)
    offered = outcome != "other"
    agent = _text(df, cols["agent"]).to_numpy(object) if "agent" in cols else np.full(n, None)
    agent = np.where(pd.isna(agent), None, agent)
    served = (outcome == "answered") & ~np.isnan(handle)
    start = qx.where(pd.Series(served))
    frame = pd.DataFrame({
        "row": np.arange(1, n + 1),
        "queue": queue.to_numpy(object),
        "arrival": arrival,
        "queue_start": qs.where(pd.Series(offered)),
        "queue_exit": qx.where(pd.Series(offered)),
        "outcome": outcome,
        "wait": np.where(offered, wait, np.nan),
        "handle": handle,
        "agent": pd.Series(np.where(outcome == "answered", agent, None), dtype=object),
        "service_start": start,
        "service_end": start + pd.Series(pd.to_timedelta(np.where(served, handle, np.nan),
                                                          unit="s"), index=start.index),
    })
    for key in ("vru_entry", "vru_exit"):
        if key in cols:
            frame[key] = _cells.wall_datetimes(df[cols[key]], key)
    return frame
