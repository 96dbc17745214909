"""Seeded demo contact history: three queues, a year of intervals, a holiday calendar.

The project's embedded default data (``make demo``, the dashboard and the
tests load it).  Everything the generator does is written down in
:class:`DemoSpec` and :class:`QueueSpec`, so a forecasting model can be checked
against the pattern it should recover; :func:`demo_expected` gives the same
rows without noise.

The model, per queue ``q``, day ``d`` and interval ``s``:

* expected daily total ``daily_volume[q] * weekday[q][dow(d)] * season(d) *
  trend(d) * calendar(q, d)``, where ``season`` interpolates
  :attr:`DemoSpec.season` (one factor per month, placed mid-month) linearly
  around the year, ``trend(d) = (1 + DemoSpec.trend) ** (years since
  DemoSpec.trend_origin)`` and ``calendar`` multiplies the ``"special"``
  multipliers and ``1 + uplift`` of the ``"event"`` rows of
  :func:`demo_calendar` that apply to ``q``; ``"holiday"`` days are closed;
* the daily total is spread over the open intervals in proportion to the
  intraday curve (``QueueSpec.curve_base`` plus Gaussian bumps
  ``QueueSpec.curve`` evaluated at the interval midpoints), so daily totals do
  not depend on the interval length;
* noise: each queue-day draws a Gamma factor ``G`` (mean 1, cv
  :attr:`DemoSpec.day_cv`) multiplying all its intervals, then each interval
  draws ``volume ~ Poisson(G * expected)``, so daily totals have variance
  ``mu + (day_cv * mu) ** 2``;
* abandoned (voice and chat): ``Binomial(volume, p)`` with ``p = base + peak *
  (G * curve / max curve of the day) ** 4`` (``QueueSpec.abandon``, ``p``
  capped at 0.5): a few percent in quiet hours, more at the peaks and on days
  busier than planned (planners staff for the curve, not for ``G``).  Email has
  no abandonment: ``NaN``;
* AHT: ``QueueSpec.aht`` plus Gaussian bumps ``QueueSpec.aht_curve`` (seconds)
  by time of day, times a lognormal day factor (mean 1, cv
  :attr:`DemoSpec.aht_day_cv`), times a lognormal interval factor (mean 1, cv
  ``handle_cv / sqrt(handled)``: the mean of ``handled`` handle times with cv
  :attr:`DemoSpec.handle_cv`); ``NaN`` where nothing was handled.

All draws come from one :func:`numpy.random.default_rng` seeded with ``seed``.
Rows exist for open intervals only (closed hours, Sundays for voice and
holidays for every queue have no rows, as in an ACD export; an open interval
with no contacts has a row with volume 0).  Clock times are local and
timezone-naive with 24-hour days (no daylight-saving gaps).

With the defaults, 52 weeks from 2025-01-06 hold about 1.22 million voice
calls (documented range 1.16 to 1.28 million), 0.37 million chats (0.35 to
0.39) and 0.245 million emails (0.23 to 0.26); a plain Monday (no calendar
entry) has 4,100 to 5,450 expected voice calls depending on the season.
"""

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ccwfm._validation import number, text

from ccwfm._validation import choice, count
from .calendar import Calendar
from .history import INTERVALS, History

__all__ = ["QueueSpec", "EventSpec", "DemoSpec", "DEMO", "CALENDAR_COLUMNS",
           "demo_history", "demo_expected", "demo_calendar", "easter_sunday"]

CALENDAR_COLUMNS = ("date", "name", "kind", "value", "tag", "queue")
_KINDS = ("holiday", "special", "event")


@dataclass(frozen=True)
class QueueSpec:
    """How one demo queue behaves.

    Attributes
    ----------
    name : str
        Queue name in the history.
    daily_volume : float
        Expected contacts on a plain Monday (no calendar entry) with seasonal
        factor 1 at :attr:`DemoSpec.trend_origin`.
    weekday : tuple of 7 float
        Daily volume relative to Monday, Monday to Sunday (0 on closed days).
    hours : tuple of 7 (float, float)
        Opening and closing hour, Monday to Sunday; ``(0, 0)`` is closed,
        ``(0, 24)`` open all day.  Must fall on interval boundaries.
    curve_base : float
        Constant part of the intraday curve (relative units).
    curve : tuple of (float, float, float)
        Gaussian bumps ``(centre hour, width in hours, height)`` added to
        ``curve_base``; a negative height is a dip.  The curve is floored at
        0.02.
    aht : float
        Base handle time in seconds.
    aht_curve : tuple of (float, float, float)
        Gaussian bumps ``(centre hour, width in hours, seconds)`` added to
        ``aht`` by time of day.
    abandon : tuple of (float, float) or None
        ``(base, peak)`` of the abandonment probability (see the module
        notes); ``None``: no abandonment, the column is NaN.
    """

    name: str
    daily_volume: float
    weekday: tuple
    hours: tuple
    curve_base: float
    curve: tuple
    aht: float
    aht_curve: tuple = ()
    abandon: tuple | None = None

    def __post_init__(self):
        text("name", self.name)
        number("daily_volume", self.daily_volume, lo=0, lo_open=True)
        if len(self.weekday) != 7 or len(self.hours) != 7:
            raise ValueError(f"queue {self.name!r}: 'weekday' and 'hours' need 7 entries "
                             "(Monday to Sunday)")
        for w, (f, (o, c)) in enumerate(zip(self.weekday, self.hours)):
            if not (0 <= o <= c <= 24):
                raise ValueError(f"queue {self.name!r}: 'hours' must satisfy 0 <= open <= "
                                 f"close <= 24: {(o, c)!r} (weekday {w})")
            if not (f >= 0 and math.isfinite(f)) or (c > o and f <= 0):
                raise ValueError(f"queue {self.name!r}: 'weekday' factor must be > 0 on open "
                                 f"days and >= 0 otherwise: {f!r} (weekday {w})")
        if not self.aht > 0:
            raise ValueError(f"queue {self.name!r}: 'aht' must be > 0: {self.aht!r}")
        if self.abandon is not None:
            base, peak = self.abandon
            if not (0 <= base < 1 and 0 <= peak < 1):
                raise ValueError(f"queue {self.name!r}: 'abandon' must be two "
                                 f"probabilities: {self.abandon!r}")


@dataclass(frozen=True)
class EventSpec:
    """A recurring one-day event that lifts some queues.

    Attributes
    ----------
    tag : str
        Event type shared by all its occurrences (what a model learns an
        uplift for), e.g. ``"billing"``.
    name : str
        Label for planners.
    months : tuple of int
        Months in which it happens once.
    day : int
        It falls on the first working day (Monday to Friday, no holiday, no
        special day) on or after this day of the month that is a ``weekday``.
    weekday : int
        0 Monday ... 6 Sunday.
    uplift : tuple of (str, float)
        ``(queue, uplift)``: the day's volume is multiplied by ``1 + uplift``.
    """

    tag: str
    name: str
    months: tuple
    day: int
    weekday: int
    uplift: tuple


VOICE = QueueSpec(
    name="voice", daily_volume=4800.0,
    weekday=(1.00, 0.93, 0.90, 0.88, 0.80, 0.40, 0.0),
    hours=((8, 20),) * 5 + ((9, 17), (0, 0)),
    curve_base=0.22,
    curve=((10.5, 1.5, 1.0), (14.75, 1.5, 0.85), (13.0, 0.5, -0.30)),
    aht=288.0, aht_curve=((10.25, 1.5, 45.0), (19.5, 1.2, -50.0)),
    abandon=(0.02, 0.05))
"""Voice: 08:00-20:00 on weekdays, 09:00-17:00 on Saturday, closed on Sunday;
peaks near 10:30 and 14:45 with a lunch dip near 13:00 and a quiet evening;
AHT about 330 s mid-morning (09:30-11:00), 250 s in the evening (18:00-20:00),
300 s over the day; abandonment about 2% in quiet hours, 7% at the morning
peak."""

CHAT = QueueSpec(
    name="chat", daily_volume=1130.0,
    weekday=(1.00, 0.97, 0.95, 0.95, 0.92, 0.75, 0.70),
    hours=((8, 22),) * 7,
    curve_base=0.30,
    curve=((12.5, 1.2, 0.5), (15.5, 1.5, 0.3), (19.5, 1.6, 1.0)),
    aht=600.0, aht_curve=((11.0, 2.0, 30.0), (21.0, 1.0, -40.0)),
    abandon=(0.03, 0.04))
"""Chat: 08:00-22:00 every day, peaking near 19:30; about 30% of the voice
volume over a week; AHT about 600 s."""

EMAIL = QueueSpec(
    name="email", daily_volume=875.0,
    weekday=(1.00, 0.95, 0.93, 0.92, 0.85, 0.40, 0.35),
    hours=((0, 24),) * 7,
    curve_base=0.12,
    curve=((10.0, 2.0, 0.9), (14.5, 2.2, 0.8), (20.5, 1.5, 0.3)),
    aht=420.0, aht_curve=(),
    abandon=None)
"""Email: arrives around the clock (about a tenth of the daytime rate at
night); about 20% of the voice volume over a week; AHT 420 s; no abandonment."""


@dataclass(frozen=True)
class DemoSpec:
    """Every parameter of the demo generator.

    Attributes
    ----------
    queues : tuple of QueueSpec
        The queues (default voice, chat, email).
    trend : float
        Yearly growth of the volume (0.05: +5% a year, compounded daily).
    trend_origin : str
        Date at which the trend factor is 1.
    season : tuple of 12 float
        Volume factor of each month, January to December (placed mid-month,
        interpolated linearly in between): January and September busy, August
        quiet.
    day_cv : float
        Coefficient of variation of the Gamma day factor (mean 1) shared by a
        queue's intervals of a day; 0 turns it off (pure Poisson).
    aht_day_cv : float
        Coefficient of variation of the lognormal day factor of the AHT.
    handle_cv : float
        Coefficient of variation of single handle times; an interval's AHT is
        the mean of ``handled`` of them.
    fixed_holidays : tuple of (int, int, str)
        ``(month, day, name)`` of closed days.
    easter_holidays : tuple of (int, str)
        ``(days after Easter Sunday, name)`` of closed days.
    specials : tuple of (str, int, int, int, float)
        ``(name, month, first day, last day, multiplier)``: days with a known
        volume multiplier (Christmas run-up 1.15, Christmas Eve 0.6, New
        Year's Eve 0.7).
    catch_up : float
        Multiplier of the first working day (Monday to Friday) after a holiday
        on a weekday.
    events : tuple of EventSpec
        Recurring events: quarterly billing letters (voice +30%), a spring and
        an autumn marketing campaign (chat +40%, email +25%).
    """

    queues: tuple = (VOICE, CHAT, EMAIL)
    trend: float = 0.05
    trend_origin: str = "2025-01-01"
    season: tuple = (1.12, 1.04, 1.00, 0.98, 0.96, 0.95, 0.92, 0.82, 1.10, 1.04, 1.02, 0.96)
    day_cv: float = 0.08
    aht_day_cv: float = 0.03
    handle_cv: float = 1.0
    fixed_holidays: tuple = ((1, 1, "New Year's Day"), (5, 1, "Labour Day"),
                             (12, 25, "Christmas Day"), (12, 26, "St Stephen's Day"))
    easter_holidays: tuple = ((-2, "Good Friday"), (1, "Easter Monday"),
                              (39, "Ascension Day"), (50, "Whit Monday"))
    specials: tuple = (("Christmas run-up", 12, 16, 23, 1.15),
                       ("Christmas Eve", 12, 24, 24, 0.60),
                       ("New Year's Eve", 12, 31, 31, 0.70))
    catch_up: float = 1.20
    events: tuple = field(default=(
        EventSpec("billing", "Billing letters", (1, 4, 7, 10), 8, 2, (("voice", 0.30),)),
        EventSpec("campaign", "Marketing campaign", (3, 9), 10, 1,
                  (("chat", 0.40), ("email", 0.25))),
    ))

    def __post_init__(self):
        names = [q.name for q in self.queues]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"'queues' must have distinct names: {names!r}")
        if len(self.season) != 12 or min(self.season) <= 0:
            raise ValueError("'season' needs 12 positive monthly factors")
        for name in ("day_cv", "aht_day_cv", "handle_cv"):
            number(name, getattr(self, name), lo=0)
        number("trend", self.trend, lo=-1, lo_open=True, finite=False)

    def queue(self, name):
        """The :class:`QueueSpec` called ``name``."""
        for q in self.queues:
            if q.name == name:
                return q
        raise ValueError(f"'queue' is not in the demo: {name!r} "
                         f"(queues: {', '.join(q.name for q in self.queues)})")


DEMO = DemoSpec()
"""The default demo specification."""


def easter_sunday(year):
    """Date of Easter Sunday in the Gregorian calendar (anonymous algorithm).

    Examples
    --------
    >>> easter_sunday(2025)
    Timestamp('2025-04-20 00:00:00')
    """
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 (the algorithm's name)
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return pd.Timestamp(year=year, month=month, day=day + 1)


def demo_calendar(start, end, *, spec=DEMO):
    """Holidays, special days and events of the demo between two dates.

    Parameters
    ----------
    start, end : str, date or Timestamp
        First and last day (both included).
    spec : DemoSpec, optional
        Where the calendar comes from (``fixed_holidays``,
        ``easter_holidays``, ``specials``, ``catch_up``, ``events``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CALENDAR_COLUMNS`, sorted by date, kind and queue:
        ``date`` (datetime64 at midnight), ``name`` (for planners), ``kind``
        (``"holiday"``: closed, ``value`` 0; ``"special"``: ``value`` is a
        volume multiplier; ``"event"``: ``value`` is an uplift, the volume is
        multiplied by ``1 + value``), ``tag`` (event type, e.g.
        ``"billing"``; empty for holidays and specials) and ``queue`` (the
        queue affected; empty: every queue).  An event lifting two queues has
        one row per queue.

    Examples
    --------
    >>> cal = demo_calendar("2025-01-01", "2025-04-30")
    >>> cal[cal["kind"] == "holiday"]["name"].tolist()
    ["New Year's Day", 'Good Friday', 'Easter Monday']
    >>> cal[cal["tag"] == "billing"][["date", "queue", "value"]].to_string(index=False)
    '      date queue  value\\n2025-01-08 voice    0.3\\n2025-04-09 voice    0.3'
    """
    start, end = _day(start, "start"), _day(end, "end")
    if end < start:
        raise ValueError(f"'end' must not be before 'start': {end.date()} < {start.date()}")
    rows = []
    for year in range(start.year, end.year + 1):
        rows.extend(_year_calendar(year, spec))
    cal = pd.DataFrame(rows, columns=list(CALENDAR_COLUMNS))
    cal["date"] = pd.to_datetime(cal["date"])
    cal["value"] = cal["value"].astype(float)
    cal = cal[(cal["date"] >= start) & (cal["date"] <= end)]
    order = cal["kind"].map({k: i for i, k in enumerate(_KINDS)})
    cal = cal.assign(_k=order).sort_values(["date", "_k", "queue"], kind="stable")
    return cal.drop(columns="_k").reset_index(drop=True)


def demo_special_days(start, end, *, spec=DEMO):
    """The demo calendar as a :class:`forecast.calendar.Calendar` the models read.

    Holidays become closed days, special days multipliers, and events keep
    their tag with ``1 + uplift`` as the fallback multiplier (models learn the
    uplift of a tag from its past days when there are any).

    Examples
    --------
    >>> cal = demo_special_days("2025-01-01", "2025-01-31")
    >>> cal.kind_on("2025-01-01"), cal.kind_on("2025-01-08", "voice")
    ('closed', 'event')
    """
    cal = demo_calendar(start, end, spec=spec)
    kind = cal["kind"].map({"holiday": "closed", "special": "multiplier", "event": "event"})
    value = np.where(cal["kind"] == "event", 1.0 + cal["value"],
                     np.where(cal["kind"] == "special", cal["value"], np.nan))
    return Calendar.from_frame(pd.DataFrame({"date": cal["date"], "kind": kind, "value": value,
                                             "tag": cal["tag"], "queue": cal["queue"]}))


def demo_history(seed=0, start="2025-01-06", weeks=52, interval=15, *, spec=DEMO):
    """Seeded demo contact history of the voice, chat and email queues.

    Parameters
    ----------
    seed : int
        Seed of the one :func:`numpy.random.default_rng` all noise comes from;
        the same seed gives the same frame.
    start : str, date or Timestamp
        First day (midnight; 2025-01-06 is a Monday).
    weeks : int
        Number of weeks (``7 * weeks`` days).
    interval : int
        Interval length in minutes: 5, 15, 30 or 60.
    spec : DemoSpec, optional
        Every parameter of the generator (see the module notes).

    Returns
    -------
    History
        Columns ``queue``, ``start``, ``volume`` (Poisson counts with a Gamma
        day factor), ``aht`` (seconds, NaN where nothing was handled) and
        ``abandoned`` (NaN for email); rows for open intervals only, sorted,
        empty report.

    See Also
    --------
    demo_expected : the same rows without noise.
    demo_calendar : the holidays, special days and events used.

    Examples
    --------
    >>> h = demo_history(seed=1, weeks=1)
    >>> h.queues, h.interval, len(h.frame), h.report
    (['chat', 'email', 'voice'], 15, 1336, ())
    >>> monday = h.frame[(h.frame["queue"] == "voice") & (h.frame["start"] < "2025-01-07")]
    >>> str(monday["start"].min().time()), str(monday["start"].max().time())
    ('08:00:00', '19:45:00')
    """
    seed = count("seed", seed, 0)
    return _generate(spec, start, weeks, interval, np.random.default_rng(seed))


def demo_expected(start="2025-01-06", weeks=52, interval=15, *, spec=DEMO):
    """The demo history without noise: the pattern a forecast should recover.

    Same rows as :func:`demo_history`.  ``volume`` is the expected count (the
    Poisson mean with day factor 1, fractional), ``aht`` the expected handle
    time by time of day, ``abandoned`` the expected abandonments with day
    factor 1 (NaN for email).

    Examples
    --------
    Expected voice calls per day in the first week, Monday to Saturday (voice
    is closed on Sunday); Wednesday 8 January has the billing letters (+30%):

    >>> e = demo_expected(weeks=1)
    >>> v = e.frame[e.frame["queue"] == "voice"]
    >>> v.groupby(v["start"].dt.date)["volume"].sum().round().astype(int).tolist()
    [5132, 4796, 6064, 4583, 4187, 2104]
    """
    return _generate(spec, start, weeks, interval, None)


# --- internals -------------------------------------------------------------------------

def _day(value, name):
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"'{name}' must be a date: {value!r}") from None
    if ts is pd.NaT or ts.tz is not None or ts != ts.normalize():
        raise ValueError(f"'{name}' must be a date at midnight without a timezone: {value!r}")
    return ts


def _bumps(hours, base, bumps):
    out = np.full(np.shape(hours), float(base))
    for centre, width, height in bumps:
        out += height * np.exp(-0.5 * ((hours - centre) / width) ** 2)
    return out


def _working(day, closed):
    return day.day_of_week < 5 and day not in closed


def _year_calendar(year, spec):
    easter = easter_sunday(year)
    holidays = {}
    for month, d, name in spec.fixed_holidays:
        holidays.setdefault(pd.Timestamp(year=year, month=month, day=d), name)
    for offset, name in spec.easter_holidays:
        holidays.setdefault(easter + pd.Timedelta(days=offset), name)
    specials = {}
    for name, month, first, last, mult in spec.specials:
        for d in range(first, last + 1):
            day = pd.Timestamp(year=year, month=month, day=d)
            if day not in holidays:
                specials.setdefault(day, (name, mult))
    # Catch-up: the first working day after a weekday holiday, named after the last
    # holiday before it.
    for day in sorted(holidays, reverse=True):
        if day.day_of_week >= 5:
            continue
        nxt = day + pd.Timedelta(days=1)
        while not _working(nxt, holidays):
            nxt += pd.Timedelta(days=1)
        if nxt.year == year and nxt not in specials:
            specials[nxt] = (f"After {holidays[day]}", spec.catch_up)
    rows = [(day, name, "holiday", 0.0, "", "") for day, name in holidays.items()]
    rows += [(day, name, "special", mult, "", "") for day, (name, mult) in specials.items()]
    busy = set(holidays) | set(specials)
    for ev in spec.events:
        for month in ev.months:
            day = pd.Timestamp(year=year, month=month, day=ev.day)
            while day.day_of_week != ev.weekday or not _working(day, busy):
                day += pd.Timedelta(days=1)
            busy.add(day)
            rows += [(day, ev.name, "event", float(up), ev.tag, q) for q, up in ev.uplift]
    return rows


def _season(days, season):
    """Monthly factors placed mid-month, interpolated linearly around the year."""
    pos = (days.month - 1) + (days.day - 0.5) / days.days_in_month - 0.5
    pos = np.asarray(pos, float)
    lo = np.floor(pos).astype(int)
    w = pos - lo
    s = np.asarray(season, float)
    return (1 - w) * s[lo % 12] + w * s[(lo + 1) % 12]


def _generate(spec, start, weeks, interval, rng):
    if not isinstance(spec, DemoSpec):
        raise ValueError(f"'spec' must be a DemoSpec: {spec!r}")
    choice("interval", interval, INTERVALS, unit=" minutes", quote=False)
    weeks = count("weeks", weeks, 1)
    start = _day(start, "start")
    days = pd.date_range(start, periods=7 * int(weeks), freq="D")
    n_days, n_slots = len(days), 1440 // interval
    slot_min = np.arange(n_slots) * interval
    mid_h = (slot_min + interval / 2) / 60.0
    dow = np.asarray(days.day_of_week)
    level = _season(days, spec.season) * (1.0 + spec.trend) ** (
        np.asarray((days - pd.Timestamp(spec.trend_origin)).days, float) / 365.25)

    cal = demo_calendar(days[0], days[-1], spec=spec)
    day_index = np.asarray((cal["date"] - days[0]).dt.days, int)

    day_ns = days.values.astype("datetime64[ns]").astype(np.int64)
    start_ns = day_ns[:, None] + (slot_min * 60_000_000_000)[None, :]
    parts = []
    for q in spec.queues:
        applies = (cal["queue"] == "") | (cal["queue"] == q.name)
        kind = cal["kind"].to_numpy()
        closed = np.zeros(n_days, bool)
        closed[day_index[applies & (kind == "holiday")]] = True
        mult = np.ones(n_days)
        sel = (applies & (kind == "special")).to_numpy()
        np.multiply.at(mult, day_index[sel], cal["value"].to_numpy()[sel])
        sel = (applies & (kind == "event")).to_numpy()
        np.multiply.at(mult, day_index[sel], 1.0 + cal["value"].to_numpy()[sel])

        hours = np.asarray(q.hours, float)
        for o, c in hours:
            if (o * 60) % interval or (c * 60) % interval:
                raise ValueError(f"queue {q.name!r}: opening hours {(o, c)!r} do not fall on "
                                 f"{interval}-minute boundaries")
        open_ = ((slot_min[None, :] >= hours[dow, 0:1] * 60)
                 & (slot_min[None, :] + interval <= hours[dow, 1:2] * 60)
                 & ~closed[:, None])
        curve = np.maximum(_bumps(mid_h, q.curve_base, q.curve), 0.02)
        weights = np.where(open_, curve[None, :], 0.0)
        total = weights.sum(axis=1, keepdims=True)
        weights = np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)
        daily = q.daily_volume * np.asarray(q.weekday, float)[dow] * level * mult
        lam = daily[:, None] * weights
        peak = np.where(open_, curve[None, :], 0.0).max(axis=1, keepdims=True)
        rel = np.divide(curve[None, :], peak, out=np.zeros((n_days, n_slots)), where=peak > 0)
        aht_exp = np.maximum(_bumps(mid_h, q.aht, q.aht_curve), 1.0)

        if rng is None:
            volume = lam
            if q.abandon is None:
                abandoned = np.full_like(lam, np.nan)
            else:
                abandoned = lam * np.minimum(q.abandon[0] + q.abandon[1] * rel ** 4, 0.5)
            aht = np.broadcast_to(aht_exp, lam.shape)
        else:
            if spec.day_cv > 0:
                k = 1.0 / spec.day_cv ** 2
                g = rng.gamma(k, 1.0 / k, size=n_days)
            else:
                g = np.ones(n_days)
            s_day = math.sqrt(math.log1p(spec.aht_day_cv ** 2))
            a_day = np.exp(rng.normal(-s_day ** 2 / 2, s_day, size=n_days)) if s_day else 1.0
            volume = rng.poisson(lam * g[:, None]).astype(float)
            if q.abandon is None:
                abandoned = np.full_like(lam, np.nan)
                handled = volume
            else:
                p = np.minimum(q.abandon[0] + q.abandon[1] * (g[:, None] * rel) ** 4, 0.5)
                abandoned = rng.binomial(volume.astype(np.int64), p).astype(float)
                handled = volume - abandoned
            s = np.sqrt(np.log1p(spec.handle_cv ** 2 / np.maximum(handled, 1.0)))
            z = rng.standard_normal(lam.shape)
            aht = aht_exp[None, :] * np.asarray(a_day).reshape(-1, 1) * np.exp(s * z - s ** 2 / 2)
            aht = np.where(handled > 0, aht, np.nan)

        flat = np.flatnonzero(open_.ravel())
        parts.append(pd.DataFrame({
            "queue": q.name,
            "start": start_ns.ravel()[flat].astype("datetime64[ns]"),
            "volume": volume.ravel()[flat],
            "aht": np.asarray(aht).ravel()[flat],
            "abandoned": abandoned.ravel()[flat],
        }))
    frame = pd.concat(parts, ignore_index=True)
    return History.from_frame(frame, interval=interval)
