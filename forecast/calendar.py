"""Special days: closed days, known multipliers, and tagged events whose uplift is learned."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

KINDS = ("closed", "multiplier", "event")


@dataclass(frozen=True)
class Calendar:
    """Special days of a contact center.

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns ``date`` (day, midnight), ``kind`` (``"closed"``,
        ``"multiplier"`` or ``"event"``), ``value`` (the multiplier for
        ``"multiplier"``; for ``"event"`` an uplift to use when none can be
        learned, or NaN), ``tag`` (event name, e.g. ``"billing"``), ``queue``
        (a queue name, or ``""`` for every queue).

    Notes
    -----
    Models leave special days out when they learn a queue's patterns; in a
    forecast, closed days have no rows, multiplier days are scaled by their
    value, and event days by the uplift learned from past days with the same
    tag (actual over what the model expected), or by ``value`` when there is
    no past event of that tag.

    Examples
    --------
    >>> cal = Calendar.from_records([("2025-12-25", "closed"),
    ...                              ("2025-12-24", "multiplier", 0.6),
    ...                              ("2025-03-03", "event", None, "billing")])
    >>> cal.kind_on(pd.Timestamp("2025-12-25"))
    'closed'
    """

    frame: pd.DataFrame

    def __post_init__(self):
        df = self.frame
        for col in ("date", "kind"):
            if col not in df.columns:
                raise ValueError(f"'calendar' needs column {col!r}")
        bad = ~df["kind"].isin(KINDS)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"'calendar.kind' must be one of {', '.join(KINDS)}: "
                             f"{df['kind'].iloc[i]!r} (row {i + 1})")
        mult = (df["kind"] == "multiplier") & ~(df["value"].astype(float) > 0)
        if mult.any():
            i = int(np.flatnonzero(mult.to_numpy())[0])
            raise ValueError(f"'calendar.value' of a multiplier day must be > 0: "
                             f"{df['value'].iloc[i]!r} (row {i + 1})")

    @classmethod
    def from_records(cls, records):
        """Build from tuples ``(date, kind[, value[, tag[, queue]]])``."""
        rows = []
        for i, rec in enumerate(records):
            rec = tuple(rec) + (None,) * (5 - len(rec))
            date, kind, value, tag, queue = rec[:5]
            try:
                day = pd.Timestamp(date).normalize()
            except (TypeError, ValueError):
                raise ValueError(f"'calendar.date' must be a date: {date!r} (row {i + 1})") \
                    from None
            rows.append((day, kind, np.nan if value is None else float(value), tag or "",
                         queue or ""))
        return cls.from_frame(pd.DataFrame(rows, columns=["date", "kind", "value", "tag",
                                                          "queue"]))

    @classmethod
    def from_frame(cls, df):
        """Build from a frame with ``date``, ``kind`` and optional ``value``, ``tag``, ``queue``."""
        df = df.copy()
        if "date" not in df.columns:
            raise ValueError("'calendar' needs column 'date'")
        df["date"] = pd.to_datetime(df["date"]).dt.normalize()
        for col, default in (("value", np.nan), ("tag", ""), ("queue", "")):
            if col not in df.columns:
                df[col] = default
        df["value"] = df["value"].astype(float)
        df["tag"] = df["tag"].fillna("").astype(str)
        df["queue"] = df["queue"].fillna("").astype(str)
        return cls(df.reset_index(drop=True))

    @classmethod
    def empty(cls):
        """A calendar with no special day."""
        return cls.from_frame(pd.DataFrame({"date": pd.to_datetime([]), "kind": []}))

    def for_queue(self, queue):
        """Rows applying to ``queue`` (its own and the all-queue ones); do not modify them.

        Looked up once per queue (models ask at every backtest origin).
        """
        cache = self.__dict__.setdefault("_for_queue", {})
        if queue not in cache:
            df = self.frame
            cache[queue] = df[(df["queue"] == "") | (df["queue"] == queue)]
        return cache[queue]

    def closed_days(self, queue):
        """Dates with a ``"closed"`` entry for ``queue`` (a set of Timestamps)."""
        cache = self.__dict__.setdefault("_closed_days", {})
        if queue not in cache:
            cal = self.for_queue(queue)
            cache[queue] = set(cal.loc[cal["kind"] == "closed", "date"])
        return cache[queue]

    def entries(self, queue):
        """``{date: (kind, value, tag)}`` of ``queue``: the first entry of each date."""
        cache = self.__dict__.setdefault("_entries", {})
        if queue not in cache:
            cal = self.for_queue(queue)
            out = {}
            for day, kind, value, tag in zip(cal["date"], cal["kind"], cal["value"], cal["tag"]):
                out.setdefault(day, (kind, value, tag))
            cache[queue] = out
        return cache[queue]

    def kind_on(self, day, queue=None):
        """The kind of ``day`` (``None`` for an ordinary day)."""
        df = self.frame if queue is None else self.for_queue(queue)
        hit = df[df["date"] == pd.Timestamp(day).normalize()]
        return None if hit.empty else str(hit["kind"].iloc[0])

    def with_after_closures(self, tag="after_closure", open_weekdays=(0, 1, 2, 3, 4)):
        """A copy with an event ``tag`` on the first open day after each closed day.

        Contacts that could not come on a closed day come the next open day;
        the uplift of such days is learned like any event's.  A day already
        in the calendar is left as it is.
        """
        df = self.frame
        closed = df[df["kind"] == "closed"]
        taken = set(zip(df["date"], df["queue"]))
        rows = []
        shut = set(zip(closed["date"], closed["queue"]))
        for day, queue in sorted(shut):
            nxt = day + pd.Timedelta(days=1)
            while nxt.weekday() not in open_weekdays or (nxt, queue) in shut:
                nxt += pd.Timedelta(days=1)
            if (nxt, queue) not in taken:
                taken.add((nxt, queue))
                rows.append({"date": nxt, "kind": "event", "value": np.nan, "tag": tag,
                             "queue": queue})
        if not rows:
            return self
        return Calendar(pd.concat([df, pd.DataFrame(rows)], ignore_index=True))

    def special_days(self, queue):
        """All dates with an entry for ``queue`` (a set of Timestamps)."""
        return set(self.for_queue(queue)["date"])
