"""Shift templates: a kind of shift, its length, start times, days and breaks.

One class for the concept, :class:`ShiftTemplate`, used by the scenario file
(:meth:`ShiftTemplate.from_dict` reads the TOML form: ``length`` in hours,
starts from ``first`` to ``last`` every ``step`` minutes, ``days`` as
``"mon"``...``"sun"``) and by the solver (:func:`plan.schedule.schedule`),
which asks each template where its breaks fall on the interval grid.

A template's breaks are either fixed (``unpaid_break``, ``paid_breaks`` and
their offsets, the older form) or :class:`BreakWindow` s that the optimiser
places (``breaks``): each window gives a break's length and the earliest and
latest offset of its start from the shift start, and whether it is paid.

Examples
--------
>>> t = ShiftTemplate.from_dict({"name": "early", "length": 8.5, "first": "07:00",
...                              "last": "08:00", "step": 30, "unpaid_break": 30})
>>> t.starts, t.length, t.paid_hours, t.days
((420, 450, 480), 510, 8.0, (0, 1, 2, 3, 4))
>>> t.to_dict()["last"]
'08:00'
>>> w = ShiftTemplate.from_dict({"name": "flex", "length": 8.5, "first": "07:00",
...                              "breaks": [{"length": 15, "earliest": 90, "latest": 150,
...                                          "paid": True},
...                                         {"length": 30, "earliest": 210, "latest": 300}]})
>>> w.paid_hours, w.breaks[1]
(8.0, BreakWindow(length=30, earliest=210, latest=300, paid=False, step=None))
"""

from dataclasses import dataclass

from ccwfm._limits import at_most
from ccwfm._validation import DAY_MINUTES as DAY
from ccwfm._validation import boolean as _boolean
from ccwfm._validation import clock as _clock
from ccwfm._validation import error as _err
from ccwfm._validation import known_keys
from ccwfm._validation import number as _number
from ccwfm._validation import sequence
from ccwfm._validation import whole as _whole

__all__ = ["WEEKDAYS", "BreakWindow", "ShiftTemplate", "default_templates"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Keys of a shift in a scenario file, with their defaults (length in hours,
# breaks and step in minutes).
TOML_DEFAULTS = {"length": 8.0, "first": "08:00", "last": "10:00", "step": 30,
                 "days": WEEKDAYS[:5], "unpaid_break": 30, "paid_breaks": (),
                 "paid_break_offsets": None, "cost_factor": 1.0, "breaks": ()}
# Keys of a break window in a scenario file (minutes; paid true or false).
BREAK_KEYS = ("length", "earliest", "latest", "paid", "step")


def _hhmm(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _window_fields(path, length, earliest, latest, paid, step):
    """The checked fields of a break window; errors name ``path.field``."""
    length = _whole(f"{path}.length", length, lo=0, lo_open=True)
    if length > DAY:
        raise _err(f"{path}.length", f"must be <= {DAY} (a day)", length)
    earliest = _whole(f"{path}.earliest", earliest, lo=0, hi=DAY)
    latest = _whole(f"{path}.latest", latest, lo=0, hi=DAY)
    if latest < earliest:
        raise _err(f"{path}.latest", f"must be >= earliest ({earliest})", latest)
    paid = _boolean(f"{path}.paid", paid)
    if step is not None:
        step = _whole(f"{path}.step", step, lo=0, lo_open=True, hi=DAY)
    return length, earliest, latest, paid, step


@dataclass(frozen=True)
class BreakWindow:
    """A break the optimiser places inside a window of the shift.

    Attributes
    ----------
    length : int
        Minutes of the break (> 0).
    earliest, latest : int
        Earliest and latest offset of the break's *start*, in minutes from
        the shift start (``earliest <= latest``); ``earliest == latest``
        fixes the break.
    paid : bool
        A paid break is off the phones but paid; an unpaid one is neither
        (it lowers the template's paid hours).
    step : int or None
        Minutes between two allowed offsets: the break may start at
        ``earliest``, ``earliest + step``, ... up to ``latest`` (included
        only if it falls on that progression).  ``None`` uses the plan's
        interval length.

    Examples
    --------
    >>> lunch = BreakWindow(30, earliest=180, latest=300)
    >>> lunch.offsets(60)
    (180, 240, 300)
    >>> BreakWindow(15, 90, 150, paid=True, step=20).offsets(15)
    (90, 110, 130, 150)
    >>> BreakWindow(0, 90, 150)
    Traceback (most recent call last):
    ...
    ValueError: 'break.length' must be > 0: 0
    """

    length: int
    earliest: int
    latest: int
    paid: bool = False
    step: int | None = None

    def __post_init__(self):
        values = _window_fields("break", self.length, self.earliest, self.latest, self.paid,
                                self.step)
        for field, value in zip(BREAK_KEYS, values):
            object.__setattr__(self, field, value)

    def offsets(self, interval):
        """Allowed offsets of the break's start (minutes from the shift start).

        Parameters
        ----------
        interval : int
            The plan's interval length in minutes, the step when ``step`` is
            ``None``.

        Returns
        -------
        tuple of int
        """
        return tuple(range(self.earliest, self.latest + 1, self.step or interval))

    @classmethod
    def from_dict(cls, d, path="break"):
        """A window from its scenario-file form ``{length, earliest, latest, paid, step}``
        (minutes; ``paid`` defaults to false, ``step`` to the plan interval).

        Examples
        --------
        >>> BreakWindow.from_dict({"length": 15, "earliest": 60, "latest": 120, "paid": True})
        BreakWindow(length=15, earliest=60, latest=120, paid=True, step=None)
        """
        known_keys(path, d, BREAK_KEYS)
        for key in ("length", "earliest", "latest"):
            if key not in d:
                raise ValueError(f"'{path}.{key}' is required")
        values = _window_fields(path, d["length"], d["earliest"], d["latest"],
                                d.get("paid", False), d.get("step"))
        return cls(*values)

    def to_dict(self):
        """The scenario-file form :meth:`from_dict` reads back into an equal window."""
        out = {"length": self.length, "earliest": self.earliest, "latest": self.latest,
               "paid": self.paid}
        if self.step is not None:
            out["step"] = self.step
        return out


@dataclass(frozen=True)
class ShiftTemplate:
    """A kind of shift: its length, its allowed start times and days, its break.

    Attributes
    ----------
    name : str
        Unique name; errors name the template as ``shifts[name]``.
    length : int
        Minutes on site, from start to end (> 0, at most a day).  A shift may
        cross midnight: it then covers the first intervals of the next day.
    starts : tuple of int
        Allowed start times, minutes from midnight in [0, 1440); ``"HH:MM"``
        strings are accepted too.  Stored sorted, without repeats.  See
        :meth:`every` for a regular range.
    days : tuple of int
        Weekdays on which the shift may start, 0 = Monday ... 6 = Sunday.
    unpaid_break : int
        Minutes of unpaid break, during which the agent does not cover.
    break_offset : int or None
        Minutes from the start to the start of the break.  ``None`` puts the
        break at the interval boundary nearest the middle of the shift (the
        earlier one on a tie), moved if needed so that it ends by the end of
        the shift; it depends on the interval grid, so it is placed by
        :func:`schedule`.
    paid_breaks : tuple of int
        Minutes of each paid break (paid, off the phones).  Leave them out of
        the shrinkage when they are given here.
    paid_break_offsets : tuple of int or None
        Minutes from the start to each paid break (as many as
        ``paid_breaks``).  ``None`` places break ``i`` of ``n`` at the
        interval boundary nearest ``(i + 1) / (n + 1)`` of the shift, moved
        past the unpaid break if they would overlap; placed by
        :func:`schedule`, which refuses breaks that do not fit.
    breaks : tuple of BreakWindow
        Breaks the optimiser places, each inside its window (a
        :class:`BreakWindow`, or a dict of its fields).  Windows are given in
        order and can never overlap: the latest end of one (``latest +
        length``) is at most the earliest start of the next, so every
        combination of positions is a valid day; each ends by the end of
        the shift.  A template with windows has no fixed breaks
        (``unpaid_break`` 0, no ``paid_breaks``): mixing the two forms is
        refused; a window with ``earliest == latest`` is a fixed break.
    paid_hours : float or None
        Hours paid per shift; ``None`` for ``(length - unpaid_break - unpaid
        windows' lengths) / 60`` (the stored value is the computed one).
    cost_factor : float
        Multiplier of the hourly cost (a night or weekend premium).
    min_agents, max_agents : int, int or None
        Bounds on the agents starting this template on one day (all its
        start times together), on every day it is allowed.

    Examples
    --------
    >>> early = ShiftTemplate.every("early", 510, first="07:00", last="09:00", step=60,
    ...                             unpaid_break=30)
    >>> early.starts, early.paid_hours
    ((420, 480, 540), 8.0)
    >>> ShiftTemplate("night", 600, starts=("22:00",), cost_factor=1.25).starts
    (1320,)
    >>> flex = ShiftTemplate("flex", 510, starts=("08:00",),
    ...                      breaks=(BreakWindow(15, 90, 150, paid=True),
    ...                              {"length": 30, "earliest": 210, "latest": 300}))
    >>> flex.paid_hours, flex.breaks[1].offsets(30)
    (8.0, (210, 240, 270, 300))
    """

    name: str
    length: int
    starts: tuple
    days: tuple = (0, 1, 2, 3, 4, 5, 6)
    unpaid_break: int = 0
    break_offset: int | None = None
    paid_breaks: tuple = ()
    paid_break_offsets: tuple | None = None
    paid_hours: float | None = None
    cost_factor: float = 1.0
    min_agents: int = 0
    max_agents: int | None = None
    breaks: tuple = ()

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip():
            raise _err("shifts.name", "must be a non-empty string", self.name)
        p = f"shifts[{self.name}]"
        length = _whole(f"{p}.length", self.length, lo=0, lo_open=True)
        if length > DAY:
            raise _err(f"{p}.length", f"must be <= {DAY} (a day)", self.length)
        starts = sequence(f"{p}.starts", self.starts, 'start times (minutes or "HH:MM")')
        starts = tuple(sorted({_clock(f"{p}.starts[{i}]", s) for i, s in enumerate(starts)}))
        days = sequence(f"{p}.days", self.days, "weekdays 0-6")
        days = tuple(sorted({_whole(f"{p}.days[{i}]", d, lo=0, hi=6)
                             for i, d in enumerate(days)}))
        brk = _whole(f"{p}.unpaid_break", self.unpaid_break, lo=0)
        if brk >= length:
            raise _err(f"{p}.unpaid_break", f"must be < length ({length})", self.unpaid_break)
        offset = self.break_offset
        if offset is not None:
            offset = _whole(f"{p}.break_offset", offset, lo=0)
            if offset + brk > length:
                raise _err(f"{p}.break_offset",
                           f"must be <= length - unpaid_break ({length - brk})", offset)
        pbs = sequence(f"{p}.paid_breaks", self.paid_breaks, "minutes") if self.paid_breaks \
            else ()
        pbs = tuple(_whole(f"{p}.paid_breaks[{i}]", b, lo=0, lo_open=True)
                    for i, b in enumerate(pbs))
        if sum(pbs) + brk >= length:
            raise _err(f"{p}.paid_breaks", f"must add up to < length - unpaid_break "
                       f"({length - brk})", list(pbs))
        pofs = self.paid_break_offsets
        if pofs is not None:
            pofs = sequence(f"{p}.paid_break_offsets", pofs, "minutes")
            if len(pofs) != len(pbs):
                raise _err(f"{p}.paid_break_offsets", f"must give one offset per paid break "
                           f"({len(pbs)})", list(pofs))
            pofs = tuple(_whole(f"{p}.paid_break_offsets[{i}]", o, lo=0)
                         for i, o in enumerate(pofs))
            spans = sorted(zip(pofs, pbs))
            if offset is not None:
                spans = sorted(spans + [(offset, brk)]) if brk else spans
            for (a, la), (b, _) in zip(spans, spans[1:]):
                if a + la > b:
                    raise _err(f"{p}.paid_break_offsets", "must not make breaks overlap",
                               list(pofs))
            if spans and spans[-1][0] + spans[-1][1] > length:
                raise _err(f"{p}.paid_break_offsets", f"must end breaks by the end of the "
                           f"shift ({length})", list(pofs))
        windows = self._windows(p, length)
        if windows and (brk or pbs):
            raise _err(f"{p}.breaks", "must not be combined with unpaid_break or paid_breaks "
                       "(give every break as a window; earliest = latest fixes one)",
                       [w.to_dict() for w in windows])
        unpaid_windows = sum(w.length for w in windows if not w.paid)
        paid = self.paid_hours
        paid = ((length - brk - unpaid_windows) / 60.0 if paid is None
                else _number(f"{p}.paid_hours", paid, lo=0, lo_open=True))
        factor = _number(f"{p}.cost_factor", self.cost_factor, lo=0, lo_open=True)
        lo = _whole(f"{p}.min_agents", self.min_agents, lo=0)
        at_most(f"{p}.min_agents", self.min_agents, "agents")
        hi = self.max_agents
        if hi is not None:
            hi = _whole(f"{p}.max_agents", hi, lo=0)
            at_most(f"{p}.max_agents", self.max_agents, "agents")
            if hi < lo:
                raise _err(f"{p}.max_agents", f"must be >= min_agents ({lo})", self.max_agents)
        for field, value in (("length", length), ("starts", starts), ("days", days),
                             ("unpaid_break", brk), ("break_offset", offset),
                             ("paid_breaks", pbs), ("paid_break_offsets", pofs),
                             ("paid_hours", paid), ("cost_factor", factor),
                             ("min_agents", lo), ("max_agents", hi), ("breaks", windows)):
            object.__setattr__(self, field, value)

    def _windows(self, p, length):
        """The break windows, checked against the shift and each other."""
        if isinstance(self.breaks, BreakWindow):
            raise _err(f"{p}.breaks", "must be a sequence of break windows", self.breaks)
        items = sequence(f"{p}.breaks", self.breaks, "break windows", empty=True)
        windows = []
        for i, w in enumerate(items):
            q = f"{p}.breaks[{i}]"
            if isinstance(w, dict):
                w = BreakWindow.from_dict(w, q)
            elif not isinstance(w, BreakWindow):
                raise _err(q, "must be a BreakWindow or a table of its fields", w)
            if w.latest + w.length > length:
                raise _err(f"{q}.latest", f"must be <= length - breaks[{i}].length "
                           f"({length - w.length}): the break must end by the end of the "
                           f"shift", w.latest)
            if windows:
                before = windows[-1]
                end = before.latest + before.length
                if w.earliest < end:
                    raise _err(f"{q}.earliest", f"must be >= the latest end of breaks[{i - 1}] "
                               f"({end}): windows in order, never overlapping", w.earliest)
            windows.append(w)
        if windows and sum(w.length for w in windows) >= length:
            raise _err(f"{p}.breaks", f"must add up to < length ({length})",
                       [w.length for w in windows])
        return tuple(windows)

    @classmethod
    def every(cls, name, length, first="07:00", last="11:00", step=30, **kwargs):
        """A template starting every ``step`` minutes from ``first`` to ``last`` included.

        Parameters
        ----------
        name : str
            Template name.
        length : int
            Minutes on site.
        first, last : str or int
            First and last start, ``"HH:MM"`` or minutes from midnight.
        step : int
            Minutes between two starts (> 0).
        **kwargs
            Any other :class:`ShiftTemplate` field.

        Returns
        -------
        ShiftTemplate

        Examples
        --------
        >>> ShiftTemplate.every("late", 480, first="12:00", last="13:00", step=30).starts
        (720, 750, 780)
        """
        p = f"shifts[{name}]"
        a, b = _clock(f"{p}.first", first), _clock(f"{p}.last", last)
        if b < a:
            raise _err(f"{p}.last", f"must be >= first ({first!r})", last)
        step = _whole(f"{p}.step", step, lo=0, lo_open=True)
        return cls(name, length, tuple(range(a, b + 1, step)), **kwargs)

    @classmethod
    def from_dict(cls, d, path="shift"):
        """A template from its scenario-file form (``length`` in hours, ``first``,
        ``last`` and ``step`` for the starts, weekday names); errors name ``path``.

        Parameters
        ----------
        d : dict
            ``name``, ``length`` (hours on site), ``first``, ``last`` ("HH:MM"),
            ``step`` (minutes), ``days`` (``"mon"`` ... ``"sun"``),
            ``unpaid_break`` (minutes, default 30, or 0 when ``breaks`` is
            given), ``paid_breaks`` (minutes each), ``paid_break_offsets``
            (minutes from the start), ``cost_factor``, ``breaks`` (a list of
            tables ``{length, earliest, latest, paid, step}``, minutes, see
            :class:`BreakWindow`).
        path : str
            Where the shift is in the file, for error messages.
        """
        known_keys(path, d, ["name"] + list(TOML_DEFAULTS))
        if d.get("breaks"):         # windows replace the default fixed unpaid break
            d = {"unpaid_break": 0, **d}
        d = {**TOML_DEFAULTS, **d}
        name = d.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _err(f"{path}.name", "must be a non-empty string", name)
        hours = _number(f"{path}.length", d["length"], lo=0, hi=24, lo_open=True)
        first, last = _clock(f"{path}.first", d["first"]), _clock(f"{path}.last", d["last"])
        if last < first:
            raise _err(f"{path}.last", f"must not be before first ({d['first']})", d["last"])
        step = _whole(f"{path}.step", d["step"], lo=1)
        days = sequence(f"{path}.days", d["days"], "weekdays")
        for i, day in enumerate(days):
            if day not in WEEKDAYS:
                raise _err(f"{path}.days[{i}]", f"must be one of {', '.join(WEEKDAYS)}", day)
        unpaid = _whole(f"{path}.unpaid_break", d["unpaid_break"], lo=0, hi=hours * 60,
                        hi_open=True)
        paid = sequence(f"{path}.paid_breaks", d["paid_breaks"], "minutes", empty=True)
        for i, b in enumerate(paid):
            _whole(f"{path}.paid_breaks[{i}]", b, lo=0, lo_open=True)
        offsets = d["paid_break_offsets"]
        if offsets is not None:
            offsets = sequence(f"{path}.paid_break_offsets", offsets, "minutes", empty=True)
            if len(offsets) != len(paid):
                raise _err(f"{path}.paid_break_offsets",
                           f"must give one offset per paid break ({len(paid)})", list(offsets))
            for i, o in enumerate(offsets):
                _whole(f"{path}.paid_break_offsets[{i}]", o, lo=0)
        factor = _number(f"{path}.cost_factor", d["cost_factor"], lo=0, lo_open=True)
        windows = tuple(BreakWindow.from_dict(w, f"{path}.breaks[{i}]") for i, w in enumerate(
            sequence(f"{path}.breaks", d["breaks"], "break windows", empty=True)))
        try:
            return cls(name, int(round(hours * 60)), tuple(range(first, last + 1, step)),
                       days=tuple(WEEKDAYS.index(x) for x in days), unpaid_break=unpaid,
                       paid_breaks=tuple(paid),
                       paid_break_offsets=None if offsets is None else tuple(offsets),
                       cost_factor=factor, breaks=windows)
        except ValueError as exc:           # the breaks must fit the shift
            msg, own = str(exc), f"'shifts[{name}]"
            if msg.startswith(own):         # named as the file names the shift
                raise ValueError(f"'{path}" + msg[len(own):]) from None
            raise ValueError(f"'{path}': {msg}") from None

    def to_dict(self):
        """The scenario-file form :meth:`from_dict` reads back into an equal template.

        Regular starts are written as ``first``, ``last`` and ``step``; a
        single start as ``first`` = ``last``.
        """
        gaps = {b - a for a, b in zip(self.starts, self.starts[1:])}
        out = {"name": self.name, "length": self.length / 60.0,
               "first": _hhmm(self.starts[0]), "last": _hhmm(self.starts[-1])}
        if len(gaps) > 1:
            raise ValueError(f"'shifts[{self.name}].starts' must be evenly spaced to be "
                             f"written to a scenario file: {list(self.starts)!r}")
        if gaps:
            out["step"] = gaps.pop()
        out["days"] = [WEEKDAYS[i] for i in self.days]
        if self.breaks:
            out["breaks"] = [w.to_dict() for w in self.breaks]
        else:
            out.update({"unpaid_break": self.unpaid_break, "paid_breaks": list(self.paid_breaks)})
        out["cost_factor"] = self.cost_factor
        if self.paid_break_offsets is not None:
            out["paid_break_offsets"] = list(self.paid_break_offsets)
        return out

    def _nearest(self, start, at, interval):
        """Offset from ``start`` of the interval boundary nearest ``start + at`` (ties earlier)."""
        q, r = divmod(2 * start + 2 * at, 2 * interval)
        return (q + (r > interval)) * interval - start

    def _breaks(self, start, interval):
        """Off-phone spans ``(offset, minutes)`` of a shift starting at ``start``, sorted."""
        out = []
        if self.unpaid_break:
            offset = self.break_offset
            if offset is None:
                # Nearest interval boundary to the middle of the shift, ties to the earlier one.
                q, r = divmod(2 * start + self.length, 2 * interval)
                offset = (q + (r > interval)) * interval - start
                offset = min(max(offset, 0), self.length - self.unpaid_break)
            out.append((offset, self.unpaid_break))
        if self.paid_breaks:
            if self.paid_break_offsets is not None:
                out += list(zip(self.paid_break_offsets, self.paid_breaks))
            else:
                n = len(self.paid_breaks)
                for i, minutes in enumerate(self.paid_breaks):
                    o = self._nearest(start, self.length * (i + 1) // (n + 1), interval)
                    o = min(max(o, 0), self.length - minutes)
                    for a, la in sorted(out):          # past any break it would overlap
                        if o < a + la and a < o + minutes:
                            o = a + la
                    out.append((o, minutes))
        out.sort()
        for (a, la), (b, _) in zip(out, out[1:]):
            if a + la > b:
                raise _err(f"shifts[{self.name}].paid_breaks",
                           f"cannot be placed without overlapping (start {start // 60:02d}:"
                           f"{start % 60:02d}); give paid_break_offsets", list(self.paid_breaks))
        if out and out[-1][0] + out[-1][1] > self.length:
            raise _err(f"shifts[{self.name}].paid_breaks",
                       f"cannot be placed inside the shift (start {start // 60:02d}:"
                       f"{start % 60:02d}); give paid_break_offsets", list(self.paid_breaks))
        return out

    def _spans(self, start, interval):
        """On-duty minute spans ``[a, b)`` of a shift starting at ``start`` (day-relative)."""
        spans, at = [], start
        for offset, minutes in self._breaks(start, interval):
            if start + offset > at:
                spans.append((at, start + offset))
            at = start + offset + minutes
        if start + self.length > at:
            spans.append((at, start + self.length))
        return tuple(spans)




def default_templates(interval):
    """The templates of a group whose scenario names none.

    Full days of 8.5 hours with a 30-minute unpaid break and 4-hour
    part-time shifts, starting every half hour (or every interval, if
    longer) at any time of day, every day.

    Parameters
    ----------
    interval : int
        Interval length in minutes.

    Examples
    --------
    >>> [t.name for t in default_templates(15)], len(default_templates(60)[0].starts)
    (['full', 'part'], 24)
    """
    step = interval if interval >= 30 else 30
    last = DAY - step
    return [ShiftTemplate.every("full", 510, first=0, last=last, step=step, unpaid_break=30),
            ShiftTemplate.every("part", 240, first=0, last=last, step=step)]
