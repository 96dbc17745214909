"""Call-level ACD logs: one row per contact, and the interval history built from them.

:func:`read_acd` reads a log into an :class:`AcdLog` (a validated per-contact
frame and a report of :class:`~forecast.history.Issue`), from either

* the public **"Anonymous Bank"** call-center data of the Technion SEE lab
  (``format="anonymous_bank"``, one record per call, 17 fields), or
* any table of contacts with a column ``mapping`` (``format="generic"``).

:meth:`AcdLog.to_history` counts the contacts per queue (or agent pool,
:meth:`AcdLog.pooled`) and interval into a :class:`~forecast.history.History`
with the offered volume, answered and abandoned contacts, AHT, ASA, service
levels, and the agents who were there (see the method).

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

* ``AGENT``: answered.  Served by a named ``server``: answered by that
  agent.  Served with server ``NO_SERVER`` (or empty): answered, agent
  unknown (issue ``no_agent``): it counts in the volume, AHT and ASA, not
  in ``agents_headcount``, but its service occupies a server, so in
  ``agents_effective`` and ``agents_busy`` it is a busy anonymous agent
  (one per call).  Served without a queue stage: from the VRU straight to
  an agent, answered with a wait of 0, its queue entry and exit set to its
  service start.  Queued with no service stage: answered with an unknown
  handle time (NaN; issue ``no_service``).  Neither stage: it cannot be
  placed, excluded (issue ``inconsistent``).
* ``HANG``: **abandoned** whenever it has a queue stage, whatever its
  service fields (wait ``q_exit - q_start``).  Without a queue stage it
  ended in the VRU: outcome ``"other"``, kept in the log, never offered to
  a queue.  The service fields of a ``HANG`` call are ignored (issue
  ``hang_service_ignored``).
* ``PHANTOM``: spurious; excluded from the log (issue ``phantom``), and
  not counted in the excluded share (below).

Timeline.  ``date`` is taken as the day of ``vru_entry``.  The stages a call
went through run ``vru_entry <= vru_exit <= q_start <= q_exit <= ser_start
<= ser_exit``.  Real logs stamp stages in whole seconds by different
clocks: a call served from the VRU often shows ``ser_start`` a second or two
before ``vru_exit``.  So a stage stamped earlier than the one before it by
at most ``clock_tolerance`` seconds (default 10) is a clock artefact: it is
aligned to the stage before (set equal) and the row kept (issue
``clock_skew``, a fix).  A larger step back is read as crossing midnight:
the time is placed on the next day (issue ``midnight``, informational),
unless that needs more than 12 hours: the row is then out of order (e.g.
``q_exit`` a minute before ``q_start``) and excluded (issue ``order``, which
says by how much).

VRU fields never exclude a row: an unparseable ``vru_exit``, an unparseable
or negative ``vru_time``, or a ``vru_exit`` out of order with the stages
around it is reported (issue ``vru_ignored``) and ignored; the timeline
skips ``vru_exit``.

Waits and handle times come from the timestamps (as aligned); a recorded
duration that disagrees with its timestamps as written by more than a second
is reported (issue ``mismatch``) and the timestamps are used.

Rows are numbered from 1 after the header, blank lines included (row ``r``
is line ``r + 1`` of a file with the header on its first line).  Excluded
rows (never dropped silently): wrong number of fields (``fields``), unknown
outcome (``unknown_outcome``), bad date (``bad_date``), unparseable time
(``bad_time``), unparseable or negative ``q_time``/``ser_time``
(``non_numeric``, ``negative``; a ``HANG`` call's service fields are only
ignored), out of order (``order``); in generic logs,
no queue (``missing``) and a wait or handle time beyond the limit
``patience`` or ``aht`` (``out_of_range``).

Excluded share.  A log of which more than ``max_excluded`` (default 5%) of
the rows are excluded, for any reason but PHANTOM, would give a skewed
history (what is kept is not a random sample of the calls): it is refused
with the share, the top reasons and example rows; pass ``max_excluded=1``
to accept it.  Blank lines and PHANTOM calls are not counted.

A log whose arrivals span more than the limit ``history_weeks`` is refused,
and so is a file beyond ``file_size`` or ``history_rows``.  A missing
required column (any of :data:`AB_REQUIRED`) is an error; ``vru+line``,
``call_id``, ``customer_id``, ``priority``, ``vru_exit`` and ``vru_time``
are optional.
"""

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from ccwfm._limits import at_most, limit
from ccwfm._validation import choice, count, error, number, printable, share, show

from . import _cells, _decode
from .history import INTERVALS, History, Issue

FORMATS = ("anonymous_bank", "generic")
OUTCOMES = ("answered", "abandoned", "other")
LOG_COLUMNS = ("row", "queue", "arrival", "queue_start", "queue_exit", "outcome", "wait",
               "handle", "agent", "service_start", "service_end")
HISTORY_COLUMNS = ("queue", "start", "volume", "aht", "abandoned", "answered",
                   "answered_within", "asa", "service_level", "service_level_answered",
                   "agents_headcount", "agents_effective", "agents_busy", "availability",
                   "wait_share")
AB_FIELDS = ("vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry",
             "vru_exit", "vru_time", "q_start", "q_exit", "q_time", "outcome", "ser_start",
             "ser_exit", "ser_time", "server")
AB_REQUIRED = ("type", "date", "vru_entry", "q_start", "q_exit", "q_time", "outcome",
               "ser_start", "ser_exit", "ser_time", "server")
GENERIC_KEYS = ("queue", "arrival", "queue_start", "queue_exit", "wait", "outcome", "handle",
                "agent", "vru_entry", "vru_exit", "outcome_values")
STAGES = ("vru_entry", "vru_exit", "q_start", "q_exit", "ser_start", "ser_exit")
EXCLUDING = frozenset({"fields", "phantom", "unknown_outcome", "bad_date", "bad_time",
                       "non_numeric", "negative", "order", "inconsistent", "out_of_range",
                       "missing"})
MAX_GAP = 12 * 3600      # longest step between two times of one call (seconds)
CLOCK_TOLERANCE = 10.0   # default: largest step back read as a clock artefact (seconds)
MAX_EXCLUDED = 0.05      # default: largest share of excluded rows accepted
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
        ``agent`` (str, or None when not served or served by an unknown
        agent), ``service_start`` and ``service_end`` (datetimes, NaT when
        not served).  ``vru_entry`` and ``vru_exit`` when the source has
        them, and the Anonymous Bank's ``call_id``, ``customer_id``,
        ``priority`` and ``vru_line`` (as text); ``service`` (the queue a
        contact came to) in a pooled log (:meth:`pooled`).  Local clock
        time, timezone-naive.
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

    def pooled(self, pools):
        """The log with queues served by one pool of agents counted as one queue.

        Each pooled queue's contacts carry the pool's name as ``queue`` and
        their own queue in the column ``service``; queues in no pool keep
        their name (``service`` = ``queue``).  In the history of the pooled
        log (:meth:`to_history`) a pool's arrivals, AHT and agents are those
        of all its queues, an agent busy on any of them counted once, and
        :func:`~forecast.patience.estimate_patience` takes
        ``queue=<pool>``.  Per-queue figures stay available from the
        unpooled log.

        Parameters
        ----------
        pools : dict of str -> list of str
            Pool name -> the queues (of this log) it serves; a queue in at
            most one pool; a pool may take the name of one of its queues,
            not that of a queue left out of every pool.

        Returns
        -------
        AcdLog
            Same rows and report (plus a ``pooled`` issue naming the pools).

        Raises
        ------
        ValueError
            Naming ``'pools.<name>'``: a name that is not a string, an empty
            or non-list entry, a queue not in the log (the log's queues are
            listed), a queue in two pools, a pool named as a queue in no pool.

        Examples
        --------
        >>> import io
        >>> head = ("type date vru_entry vru_exit q_start q_exit q_time outcome ser_start "
        ...         "ser_exit ser_time server")
        >>> rows = ["PS 990101 8:00:00 8:00:05 8:00:05 8:00:35 30 AGENT 8:00:35 8:02:35 120 A",
        ...         "PE 990101 8:01:00 8:01:05 8:01:05 8:02:05 60 HANG 0:00:00 0:00:00 0 NO_SERVER",
        ...         "NW 990101 8:03:00 8:03:05 8:03:05 8:03:15 10 AGENT 8:03:15 8:04:15 60 B"]
        >>> log = read_acd(io.StringIO("\\n".join([head, *rows])))
        >>> pooled = log.pooled({"retail": ["PS", "PE"]})
        >>> pooled.frame[["queue", "service", "outcome"]].values.tolist()
        [['retail', 'PS', 'answered'], ['retail', 'PE', 'abandoned'], ['NW', 'NW', 'answered']]
        """
        owner = _check_pools(pools, self.queues)
        df = self.frame.copy()
        queue = df["queue"].to_numpy(object)
        codes, uniques = pd.factorize(queue)
        mapped = np.array([owner.get(q, q) for q in uniques] + [None], dtype=object)
        if "service" not in df.columns:
            df["service"] = pd.Series(queue, index=df.index, dtype=object)
        df["queue"] = pd.Series(mapped[codes], index=df.index, dtype=object)
        what = "; ".join(f"{name}: {', '.join(map(str, members))}"
                         for name, members in pools.items())
        report = self.report + (Issue("pooled", (), f"queues counted as pools ({what}); "
                                                    "each contact's queue kept as 'service'"),)
        return AcdLog(df, report)

    def to_history(self, interval=30, target_time=20, *, pools=None):
        """Contacts per queue and interval, as a :class:`~forecast.history.History`.

        Contacts are counted in the interval of their **queue entry**
        (``queue_start``; for a call served straight from the VRU, its
        service start), so that the volume is what the queue was offered
        when.  Only answered and abandoned contacts are offered; ``"other"``
        contacts (ended in the VRU, transfers...) are not counted.

        Columns (:data:`HISTORY_COLUMNS`) besides ``queue`` and ``start``:

        * ``volume``: offered = answered + abandoned (contacts);
        * ``answered``, ``abandoned`` (contacts);
        * ``answered_within``: answered with a wait <= ``target_time``
          (contacts);
        * ``aht``: mean handle time of the answered contacts (those with a
          known handle time), seconds;
        * ``asa``: mean wait of the answered contacts, seconds;
        * ``service_level``: ``answered_within`` over **all offered**
          (answered + abandoned, short abandons included), a fraction; NaN
          when nothing was offered;
        * ``service_level_answered``: ``answered_within`` over
          ``answered``, a fraction; NaN when nothing was answered;
        * ``agents_headcount``: distinct named agents whose service of one
          of this queue's contacts overlaps the interval (agents);
        * ``agents_effective``: over the seconds of the interval when
          someone was waiting in this queue, the time-weighted mean number
          of agents busy serving this queue's contacts (each agent counted
          once; a service by an unknown agent is one more busy agent).
          While a queue exists every agent available to it should be busy,
          so this is the number of agents effectively there.  NaN when
          nobody waited (no information).  With agents shared between
          queues, time an agent spends on another queue's contacts does not
          count here: pool the queues (``pools``) to count it;
        * ``agents_busy``: the time-averaged number of agents serving this
          queue's contacts over the whole interval (agents; anonymous
          services included): busy agent-seconds / interval seconds;
        * ``availability``: ``agents_effective / agents_headcount``;
        * ``wait_share``: the fraction of the interval's seconds with
          someone waiting in this queue.

        Waits and services are cut at the interval bounds, whichever
        interval the contacts entered in; all are taken half-open
        (``[start, end)``).

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
        pools : dict of str -> list of str, optional
            Count these pools of queues as one queue each
            (:meth:`pooled`).

        Returns
        -------
        History

        Examples
        --------
        >>> import io
        >>> head = ("type date vru_entry vru_exit q_start q_exit q_time outcome ser_start "
        ...         "ser_exit ser_time server")
        >>> rows = ["PS 990101 8:00:00 8:00:05 8:00:05 8:00:35 30 AGENT 8:00:35 8:02:35 120 A",
        ...         "PS 990101 8:01:00 8:01:05 8:01:05 8:02:05 60 HANG 0:00:00 0:00:00 0 NO_SERVER",
        ...         "PS 990101 8:03:00 8:03:05 8:03:05 8:03:15 10 AGENT 8:03:15 8:04:15 60 B"]
        >>> h = read_acd(io.StringIO("\\n".join([head, *rows]))).to_history(interval=15)
        >>> h.frame[["volume", "answered", "answered_within", "service_level",
        ...          "service_level_answered", "aht", "asa"]].values.tolist()
        [[3.0, 2.0, 1.0, 0.3333333333333333, 0.5, 90.0, 20.0]]
        >>> round(float(h.frame["agents_busy"].iloc[0]), 4)   # 180 s served / 900 s
        0.2
        """
        choice("interval", interval, INTERVALS, unit=" minutes", quote=False)
        target = at_most("target_time", number("target_time", target_time, lo=0),
                         "target_time")
        log = self if pools is None else self.pooled(pools)
        return _history(log, interval, target)


def _check_pools(pools, queues):
    """Validate ``pools`` against the log's queues; queue -> pool name."""
    if not isinstance(pools, dict):
        raise error("pools", "must map pool names to lists of queue names", pools)
    names = set(queues)
    owner = {}
    for name, members in pools.items():
        path = f"pools.{name}"
        if not isinstance(name, str) or not name.strip():
            raise error(path, "must be named by a non-empty string", name)
        if isinstance(members, str) or not isinstance(members, (list, tuple)):
            raise error(path, "must be a list of queue names", members)
        if not members:
            raise error(path, "must list at least one queue", members)
        for q in members:
            if not isinstance(q, str):
                raise error(path, "must list queue names (strings)", q)
            if q in owner:
                where = "twice" if owner[q] == name else f"already in pool {owner[q]!r}"
                raise error(path, f"lists a queue {where}", q)
            if q not in names:
                raise ValueError(f"'{path}' lists a queue not in the log: {show(q)} (queues: "
                                 f"{', '.join(map(str, queues))})")
            owner[q] = name
    for name in pools:
        if name in names and name not in owner:
            raise error(f"pools.{name}", "is the name of a queue in no pool (pool that queue "
                                         "too, or name the pool otherwise)", name)
    return owner


def _history(log, interval, target):
    freq = f"{interval}min"
    df = log.frame
    off = df[df["outcome"].isin(("answered", "abandoned"))].copy()
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
        aht=("_handle", "mean"), asa=("_wait", "mean"), answered_within=("_within", "sum"))

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
    for col in ("volume", "answered", "abandoned", "answered_within"):
        out[col] = out[col].fillna(0).astype(int)
    out["service_level"] = _ratio(out["answered_within"], out["volume"])
    out["service_level_answered"] = _ratio(out["answered_within"], out["answered"])
    busiest = int(out["volume"].max())
    if busiest > limit("volume"):
        at_most("volume", busiest, "volume")

    length = interval * 60 * _NS
    out["agents_headcount"] = 0
    for col in ("agents_effective", "agents_busy", "wait_share"):
        out[col] = np.nan
    key = out["start"].to_numpy("datetime64[ns]").astype(np.int64) // length
    for queue, sub in df[df["queue"].isin(out["queue"].unique())].groupby("queue"):
        m = _agent_metrics(sub, length)
        rows = (out["queue"] == queue).to_numpy()
        k = key[rows]
        out.loc[rows, "agents_headcount"] = m["headcount"].reindex(k, fill_value=0).to_numpy()
        out.loc[rows, "agents_effective"] = m["effective"].reindex(k).to_numpy()
        out.loc[rows, "agents_busy"] = m["busy"].reindex(k, fill_value=0.0).to_numpy()
        out.loc[rows, "wait_share"] = m["wait_share"].reindex(k, fill_value=0.0).to_numpy()
    out["availability"] = _ratio(out["agents_effective"], out["agents_headcount"])
    report = list(log.report)
    if filled:
        report.append(Issue("filled", (), f"{filled} interval(s) with no contact between the "
                                          "first and last queue entry of their day: kept "
                                          "with volume 0"))
    return History.from_frame(out[list(HISTORY_COLUMNS)], interval=interval, report=report)


def _ratio(num, den):
    """num / den, NaN where den is 0."""
    num, den = np.asarray(num, float), np.asarray(den, float)
    return np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)


def _agent_metrics(sub, length):
    """Per interval index (start // length, in ns): a dict of Series ``headcount``
    (named agents), ``effective``, ``busy`` and ``wait_share``."""
    ans = sub["outcome"].eq("answered").to_numpy()
    ss = sub["service_start"].to_numpy("datetime64[ns]")
    se = sub["service_end"].to_numpy("datetime64[ns]")
    agent = sub["agent"].to_numpy(object)
    served = ans & ~np.isnat(ss) & ~np.isnat(se)
    named = served & pd.notna(agent)
    s, e, a = ss[named].astype(np.int64), se[named].astype(np.int64), agent[named].astype(str)
    # Headcount: every (agent, interval) pair a service overlaps ([s, e) half-open;
    # an instantaneous service counts in the interval holding it).
    k0 = s // length
    k1 = np.maximum(k0, -(-e // length) - 1)
    n = k1 - k0 + 1
    ks = np.repeat(k0, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    pairs = pd.DataFrame({"k": ks, "agent": np.repeat(a, n)}).drop_duplicates()
    out = {"headcount": pairs.groupby("k").size(), "effective": pd.Series(dtype=float),
           "busy": pd.Series(dtype=float), "wait_share": pd.Series(dtype=float)}

    # Busy blocks: each named agent's services merged, so an agent counts once at a
    # time; a service by an unknown agent is a block of its own (one more agent).
    busy = pd.DataFrame({"a": a, "s": s, "e": e})
    busy = busy[busy["e"] > busy["s"]].sort_values(["a", "s"], kind="stable")
    prev = busy.groupby("a")["e"].cummax().groupby(busy["a"]).shift()
    block = (prev.isna() | (busy["s"] > prev)).cumsum()
    blocks = busy.groupby(block).agg(s=("s", "min"), e=("e", "max"))
    anon = served & ~named
    bs = np.concatenate([blocks["s"].to_numpy(np.int64), ss[anon].astype(np.int64)])
    be = np.concatenate([blocks["e"].to_numpy(np.int64), se[anon].astype(np.int64)])
    keep = be > bs
    bs, be = np.sort(bs[keep]), np.sort(be[keep])

    offered = sub["outcome"].isin(("answered", "abandoned")).to_numpy()
    qs = sub["queue_start"].to_numpy("datetime64[ns]")
    qx = sub["queue_exit"].to_numpy("datetime64[ns]")
    w = offered & ~np.isnat(qs) & ~np.isnat(qx)
    ws, we = qs[w].astype(np.int64), qx[w].astype(np.int64)
    keep = we > ws
    ws, we = np.sort(ws[keep]), np.sort(we[keep])
    if ws.size == 0 and bs.size == 0:
        return out
    lo = min(ws.min() if ws.size else bs.min(), bs.min() if bs.size else ws.min()) // length
    hi = -(-max(we.max() if we.size else be.max(), be.max() if be.size else we.max())
           // length)
    bounds = np.arange(lo, hi + 1, dtype=np.int64) * length
    b = np.unique(np.concatenate([ws, we, bs, be, bounds]))
    left = b[:-1]
    waiting = np.searchsorted(ws, left, "right") - np.searchsorted(we, left, "right")
    agents = np.searchsorted(bs, left, "right") - np.searchsorted(be, left, "right")
    on = (waiting > 0).astype(float)
    seg = np.diff(b).astype(float)
    acc = pd.DataFrame({"k": left // length, "wait": seg * on, "busy": seg * agents,
                        "busy_wait": seg * agents * on}).groupby("k").sum()
    out["busy"] = acc["busy"] / length
    out["wait_share"] = acc["wait"] / length
    waited = acc[acc["wait"] > 0]
    out["effective"] = waited["busy_wait"] / waited["wait"]
    return out


# --------------------------------------------------------------------------- reading

def read_acd(source, *, format="anonymous_bank", mapping=None, sep=None, max_rows=None,
             clock_tolerance=CLOCK_TOLERANCE, max_excluded=MAX_EXCLUDED):
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
        its queue exit for its handle time; an answered contact with no
        agent is served by an unknown agent.
    sep : str, optional
        Field separator.  Anonymous Bank: default tab, then runs of spaces
        for lines that do not split into the header's field count on tabs.
        Generic: detected among ``, ; tab |`` as for :func:`read_intervals`.
    max_rows : int, optional
        Read at most this many data rows.
    clock_tolerance : float
        Seconds (>= 0, at most the limit ``patience``): a time stamped
        earlier than the one before it in the call's timeline by at most
        this much is a clock artefact, aligned to it (issue ``clock_skew``),
        the row kept; a larger step back is a midnight crossing or, beyond
        12 hours, out of order (excluded).  The default, 10 s, covers the
        1-2 s skews of real logs with a margin; 12 hours or more leaves no
        Anonymous Bank row out of order.  In generic logs it applies to a
        queue start before the arrival and a queue exit before the queue
        start.
    max_excluded : float
        Largest share (0 to 1) of the rows read that may be excluded, for any
        reason other than PHANTOM; beyond it the log is refused (the history
        it gives would be skewed).  ``1`` accepts any log.

    Returns
    -------
    AcdLog

    Raises
    ------
    ValueError
        Naming the field: arguments of the wrong type or value, an unreadable,
        empty or too large source (limits ``file_size``, ``history_rows``), a
        missing column, a log spanning more than the limit ``history_weeks``;
        naming ``'source'``, more than ``max_excluded`` of the rows excluded
        (with the share, the top reasons and example rows).  Other unreadable
        rows are not errors: they are excluded and reported.

    Examples
    --------
    >>> import io
    >>> text = ("vru+line call_id customer_id priority type date vru_entry vru_exit vru_time "
    ...         "q_start q_exit q_time outcome ser_start ser_exit ser_time server\\n"
    ...         "AA0101 1 0 0 PS 990101 8:00:00 8:00:05 5 8:00:05 8:00:35 30 AGENT "
    ...         "8:00:35 8:02:35 120 ANNA\\n"
    ...         "AA0101 2 0 0 PS 990101 8:01:00 8:01:05 5 0:00:00 0:00:00 0 AGENT "
    ...         "8:01:03 8:03:03 120 BEN\\n")
    >>> log = read_acd(io.StringIO(text))
    >>> log.frame[["queue", "outcome", "wait", "handle", "agent"]].values.tolist()
    [['PS', 'answered', 30.0, 120.0, 'ANNA'], ['PS', 'answered', 0.0, 118.0, 'BEN']]
    >>> [(i.kind, i.rows) for i in log.report]   # BEN's start 2 s before the VRU exit
    [('clock_skew', (2,))]
    >>> log.frame["service_start"].iloc[1]        # aligned to it
    Timestamp('1999-01-01 08:01:05')
    """
    choice("format", format, FORMATS, quote=False)
    if max_rows is not None:
        max_rows = count("max_rows", max_rows, 0)
    tolerance = at_most("clock_tolerance", number("clock_tolerance", clock_tolerance, lo=0),
                        "patience")
    max_excluded = share("max_excluded", max_excluded)
    _decode.check_sep(sep)
    if format == "anonymous_bank":
        if mapping is not None:
            raise ValueError("'mapping' is for format='generic' only")
        log, rep, raw = _read_anonymous_bank(source, sep, max_rows, tolerance)
    else:
        if not isinstance(mapping, dict):
            raise ValueError(f"'mapping' must be a dict for format='generic': {mapping!r}")
        log, rep, raw = _read_generic(source, mapping, sep, max_rows, tolerance)
    _check_excluded(len(log.frame), rep, raw, max_excluded)
    _cells.check_span(log.frame["arrival"], "arrival", "the contacts arrive")
    return log


class _Report:
    """Issues in the order found; rows are source rows (1-based).  ``excluded`` keeps the
    rows of each kind of exclusion and ``what`` its descriptions."""

    def __init__(self):
        self.issues = []
        self.excluded = {}
        self.what = {}

    def add(self, kind, rows, what, action, *, excluded=False):
        rows = tuple(int(r) for r in np.asarray(rows).reshape(-1))
        if not rows:
            return
        if excluded:
            self.excluded.setdefault(kind, []).extend(rows)
            seen = self.what.setdefault(kind, [])
            if what not in seen:
                seen.append(what)
        shown = ", ".join(str(r) for r in rows[:10]) + (", ..." if len(rows) > 10 else "")
        self.issues.append(Issue(kind, rows, f"{len(rows)} row(s) {what} (rows {shown}): "
                                             f"{action}"))


def _percent(share):
    """A share as a percentage with enough digits to be told from 0 (0.013%)."""
    digits = 1 if share >= 0.01 or share <= 0 else min(
        8, max(1, 1 - int(np.floor(np.log10(share * 100)))))
    return f"{share:.{digits}%}"


def _check_excluded(kept, rep, raw, max_excluded):
    """Refuse a log with more than ``max_excluded`` of its rows excluded (PHANTOM aside)."""
    counts = {k: len(v) for k, v in rep.excluded.items() if k != "phantom"}
    out = sum(counts.values())
    total = kept + out
    if total == 0 or out <= max_excluded * total:
        return
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    reasons = "; ".join(f"{k} {c} ({' / '.join(rep.what[k][:2])}"
                        f"{' / ...' if len(rep.what[k]) > 2 else ''})" if i < 3 else f"{k} {c}"
                        for i, (k, c) in enumerate(top))
    examples = []
    for kind, _ in top[:3]:
        for r in sorted(rep.excluded[kind])[:2]:
            examples.append(f"row {r} ({kind}): {_clip(raw(r))}")
    raise ValueError(
        f"'source' has {_percent(out / total)} of its rows excluded ({out} of {total}, PHANTOM "
        f"calls not counted), more than max_excluded={max_excluded:g}: the history would be "
        f"skewed.  Top reasons: {reasons}.  Examples: {'; '.join(examples)}.  Check the "
        f"log's format and these rows; to accept the log as it is, pass max_excluded=1 "
        f"(command line: --max-excluded 1)")


def _clip(line, most=160):
    """A raw row for a message: tabs as spaces, escaped, at most ``most`` characters."""
    text = printable(str(line).replace("\t", " "))
    return "'" + (text if len(text) <= most else text[:most] + "...") + "'"


def _ab_table(source, sep, max_rows, report):
    """The Anonymous Bank records as a frame of stripped strings, with a 'row' column,
    and the raw text of a row by its number."""
    if isinstance(source, pd.DataFrame):
        at_most("source", len(source), "history_rows")
        df = source.copy()
        if max_rows is not None:
            df = df.iloc[:max_rows]
        df.columns = [str(c).strip().lower() for c in df.columns]
        df = df.astype(str).apply(lambda s: s.str.strip())
        df.insert(0, "row", np.arange(1, len(df) + 1))
        df = df.reset_index(drop=True)
        return df, lambda r: "  ".join(df.iloc[r - 1, 1:].tolist())
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
    report.add("fields", bad, f"do not have the header's {n} fields", "excluded",
               excluded=True)
    df = pd.DataFrame(records, columns=names, dtype=object) if records else \
        pd.DataFrame({c: pd.Series(dtype=object) for c in names})
    for c in names:   # strip the distinct values only: logs repeat them
        codes, uniques = pd.factorize(df[c])
        df[c] = pd.Series(uniques, dtype=object).str.strip().to_numpy(object)[codes]
    df.insert(0, "row", np.asarray(rows, dtype=int))
    return df, lambda r: lines[head + r]


class _Kept:
    """The rows still in a log; excluding rows reports them (never silently)."""

    def __init__(self, row, report):
        self.row = row
        self.report = report
        self.mask = np.ones(len(row), bool)

    def drop(self, kind, mask, what, action="excluded"):
        mask = np.asarray(mask, bool) & self.mask
        self.report.add(kind, self.row[mask], what, action, excluded=True)
        self.mask &= ~mask


class _Stages(NamedTuple):
    """Which stages each Anonymous Bank call went through (the service of a HANG call
    is ignored: ``hang_service`` flags it)."""

    queued: np.ndarray
    served: np.ndarray
    vru_exit: np.ndarray
    hang_service: np.ndarray


class _Walk(NamedTuple):
    """A call's timeline placed stage by stage (see :func:`_walk`)."""

    rel: dict           # stage -> seconds after midnight of 'date' (NaN if absent)
    bad: np.ndarray     # out of order
    fail: np.ndarray    # index in STAGES of the stage found out of order (0: none)
    fail_prev: np.ndarray   # ... and of the stage before it
    back: np.ndarray    # seconds it is earlier by (NaN where in order)
    skew: np.ndarray    # (len(STAGES), n): index of the stage it was aligned to, -1 if not


def _walk(clock, present, tol):
    """Place each present stage at or after the one before it.  A clock time a step
    ``gap`` (modulo a day) after the previous one is that much later when ``gap`` is at
    most :data:`MAX_GAP` (crossing midnight if need be); otherwise it is ``day - gap``
    earlier: aligned to the previous time when that is at most ``tol``, else out of
    order."""
    first = clock["vru_entry"]
    n = first.size
    rel = {"vru_entry": first}
    prev_clock, prev_rel = first, first
    prev_idx = np.zeros(n, np.int8)
    bad = np.zeros(n, bool)
    fail, fail_prev = np.zeros(n, np.int8), np.zeros(n, np.int8)
    back = np.full(n, np.nan)
    skew = np.full((len(STAGES), n), -1, np.int8)
    for i, name in enumerate(STAGES[1:], start=1):
        p = present[name]
        if name not in clock:
            rel[name] = np.full(n, np.nan)
            continue
        gap = np.mod(clock[name] - prev_clock, _DAY)
        behind = _DAY - gap                 # the step read backwards (when gap > MAX_GAP)
        aligned = p & (gap > MAX_GAP) & (behind <= tol)
        wrong = p & ~aligned & (gap > MAX_GAP) & ~bad
        fail[wrong], fail_prev[wrong], back[wrong] = i, prev_idx[wrong], behind[wrong]
        bad |= wrong
        skew[i, aligned] = prev_idx[aligned]
        rel[name] = np.where(p, prev_rel + np.where(aligned, 0.0, gap), np.nan)
        prev_rel = np.where(p, rel[name], prev_rel)
        prev_clock = np.where(p & ~aligned, clock[name], prev_clock)
        prev_idx = np.where(p, i, prev_idx).astype(np.int8)
    return _Walk(rel, bad, fail, fail_prev, back, skew)


def _read_anonymous_bank(source, sep, max_rows, tol):
    rep = _Report()
    df, raw = _ab_table(source, sep, max_rows, rep)
    missing = [c for c in AB_REQUIRED if c not in df.columns]
    if missing:
        raise ValueError(f"'source' must have column {missing[0]!r} (the Anonymous Bank "
                         f"log lacks it) "
                         f"(columns: {', '.join(c for c in df.columns if c != 'row')})")
    kept = _Kept(df["row"].to_numpy(), rep)
    code, day, clock, dur, vru_bad = _ab_cells(df, kept)
    stages = _ab_stages(clock, dur, code, len(df))
    walk, vru_order = _ab_timeline(clock, stages, kept, tol)
    stages = stages._replace(vru_exit=stages.vru_exit & ~vru_order)
    rel = walk.rel
    kept.drop("inconsistent", (code == "AGENT") & ~stages.queued & ~stages.served,
              "are AGENT calls with neither a queue nor a service stage")
    with np.errstate(invalid="ignore"):
        wait = np.where(stages.queued, rel["q_exit"] - rel["q_start"], np.nan)
        handle = np.where(stages.served, rel["ser_exit"] - rel["ser_start"], np.nan)
    vru_bad["are out of order with the stages around it"] = vru_order
    _ab_notes(df, code, clock, dur, stages, walk, kept, vru_bad, tol)
    frame = _ab_frame(df, code, day, stages, rel, wait, handle)
    return AcdLog(frame[kept.mask].reset_index(drop=True), tuple(rep.issues)), rep, raw


def _ab_cells(df, kept):
    """Outcome codes, dates, clock times and durations (seconds); rows with unreadable
    cells excluded, except VRU fields: unreadable ones are NaN, flagged in ``vru_bad``."""
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
    vru_bad = {}
    # The service fields of a HANG call are ignored: they exclude no HANG row.
    needed = {"vru_exit": np.zeros(len(df), bool), "vru_time": np.zeros(len(df), bool)}
    for c in ("ser_start", "ser_exit", "ser_time"):
        needed[c] = code != "HANG"
    clock_cols = [c for c in STAGES if c in df.columns]
    clock = {c: _cells.clocks(df[c], exact=True) for c in clock_cols}
    for c in clock_cols:
        if c == "vru_exit":
            vru_bad["have a vru_exit that is not h:mm:ss"] = np.isnan(clock[c])
        else:
            kept.drop("bad_time", np.isnan(clock[c]) & needed.get(c, True),
                      f"have an unparseable {c} (not h:mm:ss)")
    dur_cols = [c for c in ("vru_time", "q_time", "ser_time") if c in df.columns]
    dur = {c: _cells.durations(df[c], signed=True, short=False, exact=True) for c in dur_cols}
    if "vru_time" in dur:
        v = dur["vru_time"]
        vru_bad["have a vru_time that is not seconds"] = np.isnan(v)
        vru_bad["have a negative vru_time"] = v < 0
        dur["vru_time"] = np.where(v >= 0, v, np.nan)
    for c in dur_cols:
        if c != "vru_time":
            kept.drop("non_numeric", np.isnan(dur[c]) & needed.get(c, True),
                      f"have an unparseable {c} (not seconds)")
    for c in dur_cols:
        if c != "vru_time":
            kept.drop("negative", (dur[c] < 0) & needed.get(c, True), f"have a negative {c}")
    return code, day, clock, dur, vru_bad


def _ab_stages(clock, dur, code, n):
    """A stage happened when one of its clock times is not 0:00:00 or its length is > 0."""
    def flag(start, stop, length):
        out = (clock[start] != 0) | (clock[stop] != 0)
        if length in dur:
            out |= dur[length] > 0
        return out

    if "vru_exit" in clock:
        vx = clock["vru_exit"]
        has_vx = (vx != 0) & ~np.isnan(vx)
        if "vru_time" in dur:
            has_vx |= (dur["vru_time"] > 0) & ~np.isnan(vx)
    else:
        has_vx = np.zeros(n, bool)
    hang = code == "HANG"
    served = flag("ser_start", "ser_exit", "ser_time")
    written = served.copy()        # any service field not empty (unreadable ones too)
    if "ser_time" in dur:
        written |= dur["ser_time"] != 0
    return _Stages(flag("q_start", "q_exit", "q_time"), served & ~hang, has_vx,
                   written & hang)


def _ab_timeline(clock, stages, kept, tol):
    """The calls' timelines (:func:`_walk`); rows out of order excluded.  A row out of
    order with its ``vru_exit`` is walked again without it: if that is in order, its
    ``vru_exit`` is ignored (second result) and the row kept."""
    present = {"vru_exit": stages.vru_exit, "q_start": stages.queued, "q_exit": stages.queued,
               "ser_start": stages.served, "ser_exit": stages.served}
    vru_order = np.zeros(len(kept.row), bool)
    with np.errstate(invalid="ignore"):
        walk = _walk(clock, present, tol)
        retry = walk.bad & stages.vru_exit
        if retry.any():
            again = _walk(clock, {**present, "vru_exit": stages.vru_exit & ~retry}, tol)
            walk = _Walk({k: np.where(retry, again.rel[k], v) for k, v in walk.rel.items()},
                         *(np.where(retry, b, a) for a, b in zip(walk[1:], again[1:])))
            vru_order = retry & ~again.bad
    bad = walk.bad & kept.mask
    kept.drop("order", bad, _order_text(walk, bad, kept.row, tol))
    return walk, vru_order


def _span(seconds):
    """Seconds as ``12 s`` or ``h:mm:ss``."""
    s = float(seconds)
    if s < 60:
        return f"{s:g} s"
    s = int(round(s))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _pairs(stage, prev, mask, most=3):
    """'q_exit before q_start: 3, ...' for the most frequent pairs among ``mask``."""
    codes = stage[mask].astype(int) * 8 + prev[mask].astype(int)
    values, counts = np.unique(codes, return_counts=True)
    order = np.argsort(-counts, kind="stable")[:most]
    return ", ".join(f"{STAGES[values[j] // 8]} before {STAGES[values[j] % 8]}: {counts[j]}"
                     for j in order)


def _order_text(walk, bad, row, tol):
    what = (f"have a time earlier than the one before it by more than the clock tolerance "
            f"({tol:g} s) and than crossing midnight explains")
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        b = walk.back[bad]
        by = _span(b.min()) + ("" if b.min() == b.max() else f" to {_span(b.max())}")
        what += (f" (earlier by {by}; "
                 f"{_pairs(walk.fail, walk.fail_prev, bad)}; first: "
                 f"{STAGES[walk.fail[i]]} {_span(walk.back[i])} before "
                 f"{STAGES[walk.fail_prev[i]]} at row {row[i]})")
    return what


def _no_agent(server):
    return np.isin(np.char.upper(server.astype(str)), ["NO_SERVER", "", "NAN"])


def _ab_notes(df, code, clock, dur, stages, walk, kept, vru_bad, tol):
    """Report what is odd in the kept rows: clock skews aligned, VRU fields ignored,
    recorded lengths off their timestamps, midnight crossings, answered calls without
    service or without a named server, HANG calls with service fields."""
    k, row, rep = kept.mask, kept.row, kept.report
    rel = walk.rel
    queued, served = stages.queued, stages.served
    skewed = (walk.skew >= 0) & k
    if skewed.any():
        stage = np.repeat(np.arange(len(STAGES), dtype=np.int8)[:, None], len(row), axis=1)
        rep.add("clock_skew", row[skewed.any(axis=0)],
                f"have a time at most {tol:g} s earlier than the one before it (clock skew; "
                f"{_pairs(stage, walk.skew, skewed, most=len(STAGES))})",
                "aligned to the time before it; kept")
    ignored = np.zeros(len(row), bool)
    why = []
    for what, mask in vru_bad.items():
        mask = mask & k
        if mask.any():
            ignored |= mask
            why.append(f"{int(mask.sum())} {what}")
    rep.add("vru_ignored", row[ignored], f"have VRU fields that cannot be used ({'; '.join(why)})",
            "kept; those fields ignored (the timeline skips a VRU exit it cannot use)")
    # Recorded lengths against the timestamps as stamped (before any alignment).
    checks = [("q_time", queued, "q_start", "q_exit"), ("ser_time", served, "ser_start",
                                                         "ser_exit")]
    if "vru_exit" in clock:
        checks.append(("vru_time", stages.vru_exit, "vru_entry", "vru_exit"))
    with np.errstate(invalid="ignore"):
        for col, present, a, b in checks:
            if col in dur:
                value = np.mod(clock[b] - clock[a] + tol, _DAY) - tol
                off = k & present & (np.abs(value - dur[col]) > TOLERANCE)
                rep.add("mismatch", row[off], f"have a {col} that differs from its timestamps "
                                              f"by more than {TOLERANCE:g} s",
                        "kept; the timestamps are used")
    times = np.column_stack([rel[c] for c in STAGES[1:]])
    crossed = k & (np.nan_to_num(times, nan=-1.0).max(axis=1) >= _DAY)
    rep.add("midnight", row[crossed], "cross midnight",
            "kept; later times placed on the next day")
    rep.add("no_service", row[k & (code == "AGENT") & queued & ~served],
            "are AGENT calls with no service stage", "kept as answered, handle time unknown")
    hs = k & stages.hang_service
    rep.add("hang_service_ignored", row[hs],
            f"are HANG calls with service fields ({int((hs & queued).sum())} queued: "
            f"abandoned; {int((hs & ~queued).sum())} not: ended in the VRU, 'other')",
            "kept; the service fields ignored")
    rep.add("no_agent", row[k & served & _no_agent(df["server"].to_numpy(object))],
            "were served by no named server",
            "kept as answered by an unknown agent: in volume, AHT, ASA and the busy agents, "
            "not in the head count")


def _ab_frame(df, code, day, stages, rel, wait, handle):
    """The log's frame (every row; the caller keeps the valid ones)."""
    queued, served = stages.queued, stages.served
    answered = code == "AGENT"
    outcome = np.where(answered, "answered",
                       np.where((code == "HANG") & queued, "abandoned", "other"))
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
        "handle": np.where(answered & served, handle, np.nan),
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


def _read_generic(source, mapping, sep, max_rows, tol):
    lookup = _outcome_lookup(mapping)
    rep = _Report()
    df = _generic_table(source, sep, max_rows)
    cols = _generic_columns(df, mapping)
    kept = _Kept(np.arange(1, len(df) + 1), rep)
    queue = _text(df, cols["queue"])
    kept.drop("missing", queue.isna().to_numpy(), "have no queue")
    raw_outcome = _text(df, cols["outcome"]).fillna("").str.upper()
    outcome = raw_outcome.map(lookup).fillna("other").to_numpy(object)
    times, skew = _generic_times(df, cols, outcome != "other", kept, tol)
    handle = _generic_handle(df, cols, outcome, kept)
    other = kept.mask & (outcome == "other")
    if other.any():
        seen = sorted(set(raw_outcome[other]))
        rep.add("outcome_other", kept.row[other],
                f"have an outcome that is neither answered nor abandoned "
                f"({', '.join(repr(s) for s in seen[:5])}{', ...' if len(seen) > 5 else ''})",
                "kept as 'other', not offered")
    fixed = [f"{int((m & kept.mask).sum())} {what}" for what, m in skew.items()
             if (m & kept.mask).any()]
    any_skew = np.logical_or.reduce([m for m in skew.values()]) & kept.mask
    rep.add("clock_skew", kept.row[any_skew],
            f"have a time at most {tol:g} s earlier than the one before it (clock skew; "
            f"{', '.join(fixed)})", "aligned to the time before it; kept")
    frame = _generic_frame(df, cols, queue, outcome, times, handle)
    keys = [c for k, c in cols.items() if k in ("queue", "arrival", "queue_start",
                                                "queue_exit", "wait", "outcome", "handle")]

    def raw(r):
        return ", ".join(f"{c}={df[c].iloc[r - 1]}" for c in keys)

    return AcdLog(frame[kept.mask].reset_index(drop=True), tuple(rep.issues)), rep, raw


def _generic_times(df, cols, offered, kept, tol):
    """Arrival, queue start and exit (datetimes) and wait (seconds); rows with unreadable
    or out-of-order times excluded, times at most ``tol`` seconds before the one before
    them aligned to it (the masks of those, by what was aligned, second result)."""
    arrival = _cells.wall_datetimes(df[cols["arrival"]], "arrival")
    kept.drop("bad_time", arrival.isna().to_numpy(), f"have an unreadable arrival "
                                                     f"({cols['arrival']!r})")
    skew = {}
    if "queue_start" in cols:
        qs = _cells.wall_datetimes(df[cols["queue_start"]], "queue_start")
        kept.drop("bad_time", offered & qs.isna().to_numpy(),
                  f"are answered or abandoned with an unreadable queue start "
                  f"({cols['queue_start']!r})")
        qs, skew["queue start before arrival"] = _align(arrival, qs, offered, tol)
    else:
        qs = arrival.copy()
    if "queue_exit" in cols:
        qx = _cells.wall_datetimes(df[cols["queue_exit"]], "queue_exit")
        kept.drop("bad_time", offered & qx.isna().to_numpy(),
                  f"are answered or abandoned with an unreadable queue exit "
                  f"({cols['queue_exit']!r})")
        qx, skew["queue exit before queue start"] = _align(qs, qx, offered, tol)
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
    kept.drop("order", offered & (wait < 0),
              f"leave the queue before entering it (by more than {tol:g} s when both are "
              "times)")
    kept.drop("order", offered & (qs < arrival).to_numpy(),
              f"enter the queue more than {tol:g} s before arriving")
    return (arrival, qs, qx, wait), skew


def _align(before, after, where, tol):
    """``after`` set to ``before`` where (at ``where``) it is earlier by at most ``tol``
    seconds; the mask of those."""
    with np.errstate(invalid="ignore"):
        back = (before - after).dt.total_seconds().to_numpy(float)
    fix = where & (back > 0) & (back <= tol)
    return after.where(~fix, before), fix


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
