"""A demo day of one voice queue and its staffing table."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

import erlang


@dataclass(frozen=True)
class DemoDay:
    """Staffing assumptions of the demo day.

    Attributes
    ----------
    daily_volume : float
        Contacts offered over the day.
    interval_minutes : int
        Interval length in minutes.
    service_level, target_time : float
        Target share answered within ``target_time`` seconds.
    patience : float or None
        Mean patience in seconds (Erlang A); ``None`` for Erlang C.
    abandon_rate : float or None
        Maximum share abandoning (needs ``patience``).
    shrinkage : float
        Share of paid time not available for contacts.
    """

    daily_volume: float = 2400.0
    interval_minutes: int = 30
    service_level: float = 0.80
    target_time: float = 20.0
    patience: float | None = 180.0
    abandon_rate: float | None = 0.05
    shrinkage: float = 0.30

    def __post_init__(self):
        _positive("daily_volume", self.daily_volume)
        if self.interval_minutes not in (15, 30, 60):
            raise ValueError(f"'interval_minutes' must be 15, 30 or 60: {self.interval_minutes!r}")
        if not 0.0 < self.service_level < 1.0:
            raise ValueError(f"'service_level' must be > 0 and < 1: {self.service_level!r}")
        if not self.target_time >= 0.0:
            raise ValueError(f"'target_time' must be >= 0: {self.target_time!r}")
        if self.patience is not None:
            _positive("patience", self.patience)
        if self.abandon_rate is not None:
            if self.patience is None:
                raise ValueError("'abandon_rate' needs 'patience'")
            if not 0.0 < self.abandon_rate < 1.0:
                raise ValueError(f"'abandon_rate' must be > 0 and < 1: {self.abandon_rate!r}")
        if not 0.0 <= self.shrinkage < 1.0:
            raise ValueError(f"'shrinkage' must be >= 0 and < 1: {self.shrinkage!r}")


def _positive(name, value):
    if not (isinstance(value, (int, float)) and value > 0 and np.isfinite(value)):
        raise ValueError(f"'{name}' must be > 0: {value!r}")


def demo_day(daily_volume=2400.0, interval_minutes=30):
    """Offered contacts and AHT per interval of a weekday, 08:00 to 20:00.

    The intraday curve has a morning peak near 10:30, a lunch dip, a second
    peak near 14:30 and a quiet evening; handle time is longest in the
    morning and shortest at night.

    Returns
    -------
    pandas.DataFrame
        Columns ``interval_start`` (``HH:MM``), ``volume`` (contacts per
        interval, summing to ``daily_volume``) and ``aht`` (seconds).

    Examples
    --------
    >>> day = demo_day(2400, 30)
    >>> len(day), round(day["volume"].sum())
    (24, 2400)
    """
    step = interval_minutes / 60.0
    start = np.arange(8.0, 20.0, step)
    mid = start + step / 2.0
    shape = (0.25
             + 1.00 * np.exp(-0.5 * ((mid - 10.5) / 1.2) ** 2)
             + 0.80 * np.exp(-0.5 * ((mid - 14.5) / 1.4) ** 2)
             - 0.25 * np.exp(-0.5 * ((mid - 12.75) / 0.5) ** 2)
             + 0.30 * np.exp(-0.5 * ((mid - 17.5) / 1.0) ** 2))
    shape = np.clip(shape, 0.05, None)
    volume = daily_volume * shape / shape.sum()
    aht = 300.0 + 40.0 * np.exp(-0.5 * ((mid - 10.0) / 2.0) ** 2) - 30.0 * (mid > 18.0)
    labels = [f"{int(h):02d}:{int(round((h % 1) * 60)):02d}" for h in start]
    return pd.DataFrame({"interval_start": labels, "volume": volume, "aht": aht})


def staffing_table(day, assumptions=DemoDay()):
    """Required and scheduled agents with their KPIs, per interval.

    Agents are the fewest meeting every target under Erlang A (Erlang C if no
    patience is given); the KPIs are those achieved with that many agents.
    The Erlang C column shows what a model that ignores abandonment asks for.

    Parameters
    ----------
    day : pandas.DataFrame
        Columns ``interval_start``, ``volume`` (contacts per interval) and
        ``aht`` (seconds), e.g. from :func:`demo_day`.
    assumptions : DemoDay
        Targets, patience and shrinkage.

    Returns
    -------
    pandas.DataFrame
        One row per interval.
    """
    a = assumptions
    interval = a.interval_minutes * 60.0
    vol = day["volume"].to_numpy(float)
    aht = day["aht"].to_numpy(float)
    agents = erlang.required_agents(
        vol, aht, service_level=a.service_level, target_time=a.target_time,
        abandon_rate=a.abandon_rate, patience=a.patience, interval=interval)
    erlang_c_agents = erlang.required_agents(
        vol, aht, service_level=a.service_level, target_time=a.target_time, interval=interval)
    m = erlang.metrics(agents, vol, aht, target_time=a.target_time, patience=a.patience,
                       interval=interval)
    return pd.DataFrame({
        "interval_start": day["interval_start"].to_numpy(),
        "volume": vol,
        "aht_s": aht,
        "load_erl": m.load,
        "agents": agents,
        "erlang_c_agents": erlang_c_agents,
        "scheduled": erlang.scheduled_agents(agents, a.shrinkage),
        "service_level": m.service_level,
        "asa_s": m.asa,
        "abandon_rate": m.abandon_rate,
        "occupancy": m.occupancy,
    })
