"""Step 1, demand: each queue's history, and its volume and AHT forecast over the horizon.

:func:`load_histories` reads each queue's source (the demo data, an interval
file, an ACD log) into a :class:`ccwfm.forecast.History`;
:func:`forecast_demand` forecasts them (or takes a given forecast) and
returns a :class:`Demand`; :func:`demand_on_grid` puts one queue's demand on
the horizon's interval grid for the requirements step.  A caller that already
holds the histories (the dashboard, after an upload) passes them in and
nothing is read or checked twice.
"""

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from ccwfm import forecast as fc_lib

from .scenario import ScenarioError

__all__ = ["Demand", "demand_history", "demand_on_grid", "forecast_demand", "horizon_grid",
           "load_histories"]

FORECAST_COLUMNS = ("queue", "start", "forecast", "lo_80", "hi_80", "lo_95", "hi_95", "aht")


class Demand(NamedTuple):
    """What the demand step gives (unpacks as ``forecast, models``).

    Attributes
    ----------
    forecast : pandas.DataFrame
        ``queue``, ``start``, ``forecast``, ``lo_80``, ``hi_80``, ``lo_95``,
        ``hi_95`` (contacts per interval), ``aht`` (seconds), one row per open
        interval of the horizon.
    models : pandas.DataFrame
        Per queue every candidate model's backtest scores (``wmape``,
        ``mase``, ``bias``), best first, ``chosen`` marking the one used;
        ``model`` is ``"given"`` for a queue planned on a given forecast.
    """

    forecast: pd.DataFrame
    models: pd.DataFrame


def _path(base_dir, name, queue, key):
    p = Path(name)
    p = p if p.is_absolute() else Path(base_dir) / p
    if not p.exists():
        raise ScenarioError(f"'queues[{queue.name}].{key}' file not found: {str(p)!r}")
    return p


def _one_queue(hist, name):
    frame = hist.frame[hist.frame["queue"] == name].reset_index(drop=True)
    return fc_lib.History(frame, hist.interval, hist.report)


def _scaled(hist, queue):
    """The history under the queue's name, volumes times its ``volume_scale``."""
    frame = hist.frame.assign(queue=queue.name)
    if queue.volume_scale != 1.0:
        frame = frame.assign(volume=frame["volume"] * queue.volume_scale,
                             abandoned=frame["abandoned"] * queue.volume_scale)
    return fc_lib.History(frame, hist.interval, hist.report)


def _read_source(scenario, queue, base_dir):
    """The raw History of a queue's source, before its queue is picked out."""
    if queue.demo:
        start = pd.Timestamp(scenario.start) - pd.Timedelta(weeks=scenario.history_weeks)
        return fc_lib.demo_history(seed=scenario.simulation.seed, start=start,
                                   weeks=scenario.history_weeks, interval=scenario.interval)
    if queue.history:
        return fc_lib.read_intervals(_path(base_dir, queue.history, queue, "history"))
    return fc_lib.read_acd(_path(base_dir, queue.acd, queue, "acd"))


def _acd_history(scenario, queue, log):
    """The queue's history from a call log: its ``acd_queues`` pooled under its name."""
    if queue.acd_queues:
        try:
            log = log.pooled({queue.name: list(queue.acd_queues)})
        except ValueError as exc:
            raise ScenarioError(f"'queues[{queue.name}].acd_queues': {exc}") from None
    return log.to_history(interval=scenario.interval, target_time=queue.target.measure_time)


def _queue_history(scenario, queue, hist):
    """The queue's own history out of its source's, on the plan's interval."""
    interval = scenario.interval
    names = hist.queues
    if queue.demo:
        name = queue.demo if isinstance(queue.demo, str) else queue.name
        if name not in names:
            raise ScenarioError(f"'queues[{queue.name}].demo': the demo data has queues "
                                f"{', '.join(names)}: {name!r}")
    else:
        name = queue.name if queue.name in names else (names[0] if len(names) == 1 else None)
        if name is None:
            raise ScenarioError(f"'queues[{queue.name}]': its file has queues "
                                f"{', '.join(map(str, names))}, none with this name")
    hist = _one_queue(hist, name)
    if hist.interval > interval:
        raise ScenarioError(f"'queues[{queue.name}]': the history has {hist.interval}-minute "
                            f"intervals, coarser than workforce.interval ({interval})")
    if hist.interval < interval:
        hist = hist.aggregate(interval)
    return _scaled(hist, queue)


def load_histories(scenario, base_dir=".", sources=None):
    """The history of every queue that is forecast (not planned on a given forecast).

    Parameters
    ----------
    scenario : plan.Scenario
    base_dir : str or Path
        Folder that relative file names in the scenario refer to.
    sources : dict, optional
        File name (as the scenario writes it) -> :class:`ccwfm.forecast.History`
        already read: used instead of reading the file again.

    Returns
    -------
    dict
        Queue name -> :class:`ccwfm.forecast.History` under that name, on the
        scenario's interval, volumes times the queue's ``volume_scale``.
    """
    out, cache = {}, dict(sources or {})
    for q in scenario.queues:
        if q.forecast:
            continue
        key = ("demo",) if q.demo else (q.history or q.acd)
        if key not in cache:
            cache[key] = _read_source(scenario, q, base_dir)
        source = cache[key]
        if isinstance(source, fc_lib.AcdLog):
            source = _acd_history(scenario, q, source)
        out[q.name] = _queue_history(scenario, q, source)
    return out


def _calendar(scenario):
    if any(q.demo for q in scenario.queues):
        start = pd.Timestamp(scenario.start) - pd.Timedelta(weeks=scenario.history_weeks + 1)
        return fc_lib.demo_special_days(start, pd.Timestamp(scenario.end))
    return fc_lib.Calendar.empty()


def _given(queue, base_dir, start, end):
    given = pd.read_csv(_path(base_dir, queue.forecast, queue, "forecast"), parse_dates=["start"])
    for col in ("start", "forecast"):
        if col not in given.columns:
            raise ScenarioError(f"'queues[{queue.name}].forecast' needs column {col!r}")
    if "queue" in given.columns:
        given = given[given["queue"] == queue.name]
    given = given.assign(queue=queue.name)
    if "aht" not in given.columns:
        if queue.aht is None:
            raise ScenarioError(f"'queues[{queue.name}].aht' is required: the given "
                                "forecast has no aht column")
        given["aht"] = queue.aht
    return given[(given["start"] >= start) & (given["start"] < end)]


def _forecast_queue(queue, hist, calendar, end):
    """(forecast frame, model rows, chosen model, its wMAPE) of one queue's history."""
    last_day = hist.frame["start"].max().normalize()
    days = (end - last_day).days - 1
    if days < 1:
        raise ScenarioError(f"'queues[{queue.name}]': the history runs past the horizon's end")
    model = fc_lib.AutoForecaster(calendar=calendar).fit(hist)
    fc = model.predict(days, level=(80, 95))
    if queue.aht is not None or not hist.frame["aht"].notna().any():
        if queue.aht is None:
            raise ScenarioError(f"'queues[{queue.name}].aht' is required: the history has no "
                                "handle times")
        fc["aht"] = queue.aht
    else:
        aht = fc_lib.AhtForecaster(calendar=calendar).fit(hist).predict(days, level=())
        fc = fc.merge(aht[["queue", "start", "aht"]], on=["queue", "start"], how="left")
        fc["aht"] = fc["aht"].fillna(float(np.nanmedian(aht["aht"])))
    chosen = model.chosen(queue.name)
    bt = model.backtest_
    mine = bt[bt["queue"] == queue.name].sort_values("wmape", kind="stable")
    rows = [{"queue": queue.name, "model": r.model, "chosen": r.model == chosen,
             "wmape": r.wmape, "mase": r.mase, "bias": r.bias} for r in mine.itertuples()]
    wmape = float(mine.loc[mine["model"] == chosen, "wmape"].iloc[0])
    return fc, rows, chosen, wmape


def forecast_demand(scenario, base_dir=".", *, histories=None, progress=None):
    """Volume and AHT forecast of every queue of ``scenario`` over its horizon.

    Parameters
    ----------
    scenario : plan.Scenario
    base_dir : str or Path
        Folder that relative file names in the scenario refer to.
    histories : dict, optional
        Queue name -> History, as :func:`load_histories` returns (read then,
        if not given).
    progress : callable, optional
        ``progress(done, total, message)`` after each queue (the model chosen
        and its backtest wMAPE).  Nothing is printed.

    Returns
    -------
    Demand
        ``(forecast, models)``.
    """
    if histories is None:
        histories = load_histories(scenario, base_dir)
    calendar = _calendar(scenario)
    start, end = pd.Timestamp(scenario.start), pd.Timestamp(scenario.end)
    frames, models = [], []
    for i, q in enumerate(scenario.queues):
        if q.forecast:
            frames.append(_given(q, base_dir, start, end))
            models.append({"queue": q.name, "model": "given", "chosen": True})
            message = f"forecast {q.name}: given"
        else:
            fc, rows, chosen, wmape = _forecast_queue(q, histories[q.name], calendar, end)
            frames.append(fc[(fc["start"] >= start) & (fc["start"] < end)])
            models += rows
            message = f"forecast {q.name}: {chosen}, backtest wMAPE {wmape:.1%}"
        if progress is not None:
            progress(i + 1, len(scenario.queues), message)
    out = pd.concat(frames, ignore_index=True).sort_values(["queue", "start"], ignore_index=True)
    return Demand(out, pd.DataFrame(models))


def demand_history(scenario, base_dir=".", histories=None):
    """The history each queue's forecast is made from, as one long frame.

    Parameters
    ----------
    scenario : plan.Scenario
    base_dir : str or Path
        Folder that relative file names in the scenario refer to.
    histories : dict, optional
        As :func:`load_histories` returns (read then, if not given).

    Returns
    -------
    pandas.DataFrame
        ``queue``, ``start``, ``volume`` (contacts per interval), ``aht``
        (seconds), ``abandoned``; queues planned on a given forecast have no
        rows.
    """
    if histories is None:
        histories = load_histories(scenario, base_dir)
    cols = ["queue", "start", "volume", "aht", "abandoned"]
    frames = [histories[q.name].frame for q in scenario.queues if q.name in histories]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    return out[[c for c in cols if c in out.columns]]


def horizon_grid(start, end, interval):
    """Every interval start from ``start`` (a date) to ``end`` (excluded), ``interval`` minutes."""
    return pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq=f"{interval}min",
                         inclusive="left")


def demand_on_grid(forecast, queue, grid):
    """One queue's demand to plan for on the full interval grid (closed intervals: 0).

    Parameters
    ----------
    forecast : pandas.DataFrame
        As :func:`forecast_demand` returns.
    queue : plan.scenario.QueueConfig
        Its percentile picks the forecast column (the point forecast, or the
        upper bound of the 80% or 95% interval for the 90th or 97.5th
        percentile); AHT is multiplied by its ``aht_scale``.
    grid : pandas.DatetimeIndex
        The horizon's intervals (:func:`horizon_grid`).

    Returns
    -------
    pandas.DataFrame
        ``start``, ``volume`` (contacts per interval), ``aht`` (seconds).
    """
    sel = forecast[forecast["queue"] == queue.name].set_index("start")
    column = queue.forecast_column
    if column not in sel.columns:
        raise ScenarioError(f"'queues[{queue.name}].percentile': the forecast has no "
                            f"{column} column")
    vol = sel[column].reindex(grid).fillna(0.0)
    aht = sel["aht"].reindex(grid)
    fill = float(aht.median()) if aht.notna().any() else (queue.aht or 300.0)
    return pd.DataFrame({"start": grid, "volume": vol.to_numpy(),
                         "aht": aht.fillna(fill).to_numpy() * queue.aht_scale})
