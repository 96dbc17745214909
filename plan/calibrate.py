"""Does the model fit your center?  Predict a call log's own KPIs, cell by cell.

:func:`calibrate` reads a call-level ACD log, pools queues into agent pools,
and cuts the log into **cells**: pool x weekday x interval of the day,
pooled over the log's weeks (a cell is kept when at least ``min_contacts``
contacts were offered in it).  For each cell it predicts abandonment, ASA
and service level from what a planner would know in advance (the cell's
arrivals and AHT, and the agents the center put there) and from the
center's behaviour estimated **out of sample** (patience and agent
availability estimated without the cell's weekday, or week), then compares
with what the log shows.

Inputs of a prediction, per pool:

* **arrival rate**: the cell's offered contacts over its open time;
* **AHT** and the handle-time distribution: the cell's answered contacts
  (their distribution, scaled to the cell's mean, for the simulation);
* **agents**: available agents.  ``agents="effective"`` (the default): the
  interval's own ``agents_effective`` (the agents busy while someone
  waited: with a queue, every available agent is busy); in intervals in
  which nobody waited, the agents present (from each agent's first to last
  service of a session, sessions split at :data:`SESSION_GAP`) times the
  pool's availability at that hour of the day (effective over present
  agents while someone waited), estimated without the held-out days.
  ``agents="presence"``: that product everywhere; ``agents="availability"``:
  the distinct agents serving (``agents_headcount``) instead of the present
  ones.  Never fewer than ``agents_busy`` (available agents are at least the
  busy ones at every instant).  Measured agents are averages, so fractional: the formulas take
  them as they are (the continuous extension of :mod:`erlang`) and the
  simulation interpolates between the whole numbers around them (common
  random numbers);
* **agent factor** (``agent_factor="fit"``): one factor per pool on the
  measured agents, fitted on the held-out days so that Erlang A per
  interval reproduces their abandoned contacts in total (busy-while-waiting
  under-counts agents when waits happen because agents stepped away);
* **patience**: the exponential fit (abandonments over seconds waited,
  what Erlang A takes) and the Kaplan-Meier curve (the simulation's
  empirical patience), from the held-out contacts.

Predictors (``models``):

* ``"erlang_a"``: Erlang A per interval of each day (the history's rows, at
  ``sub_interval`` minutes, by default the cell's length), aggregated to the
  cell weighted by offered contacts (answered contacts for the ASA);
* ``"erlang_a_cell"``: Erlang A once per cell, on the cell's mean arrival
  rate and agents (the classic calibration; Jensen's inequality makes it
  optimistic where arrivals or staffing vary from day to day);
* ``"simulation"``: the stationary simulation (:func:`simulate.stationary`)
  per cell with the empirical handle-time and patience distributions.

Errors over cells: abandonment MAE and bias (percentage points), ASA WAPE
(sum of absolute errors over the sum of observed ASAs, %), service-level
MAE (pp), overall and by load band (offered load per available agent below
0.9, 0.9 to 1, above 1), and the noise floor: the MAE that binomial noise
alone would give (``sqrt(2 / pi)`` times the binomial standard deviation,
averaged over cells).

>>> from ccwfm.plan.calibrate import HOLDOUTS, MODELS
>>> HOLDOUTS, MODELS
(('weekday', 'week', 'none'), ('erlang_a', 'erlang_a_cell', 'simulation'))
"""

import dataclasses
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import tomli_w

from ccwfm import _validation as v
from ccwfm import erlang, forecast, simulate
from ccwfm._limits import at_most

from ._atomic import write_atomic
from .report import _subplots, write_csv

__all__ = ["AGENTS", "HOLDOUTS", "MODELS", "PATIENCE_BY", "Calibration", "calibrate"]

HOLDOUTS = ("weekday", "week", "none")
MODELS = ("erlang_a", "erlang_a_cell", "simulation")
AGENTS = ("effective", "presence", "availability")
PATIENCE_BY = ("pool", "service")
AGENT_FACTOR = ("fit", "none")
BANDS = ("below 0.9", "0.9-1", "above 1")
SUMMARY_KEYS = ("rows", "rows_kept", "cells", "abandon_mae_pp", "abandon_bias_pp",
                "asa_wape_pct", "sl_mae_pp")
DEFAULT_MODEL = "erlang_a"
MIN_CONTACTS = 30
_NOISE = math.sqrt(2.0 / math.pi)      # E|N(0, 1)|


@dataclass(frozen=True, eq=False)
class Calibration:
    """What :func:`calibrate` found.

    Attributes
    ----------
    cells : pandas.DataFrame
        One row per cell kept: ``pool``, ``weekday`` (0 = Monday), ``slot``
        (interval start, ``HH:MM``), ``days`` (days the cell was open),
        ``offered``, ``answered``, ``abandoned``, ``arrival_rate``
        (contacts/s), ``aht`` (s), ``agents`` (available agents, mean),
        ``load`` (offered load per agent), ``band``; observed
        ``abandon_rate``, ``asa`` (s), ``service_level`` (offered basis);
        ``noise_abandon_pp``; and per model ``<model>_abandon_rate``,
        ``<model>_asa``, ``<model>_service_level``.
    errors : pandas.DataFrame
        Per model and band (``"all"`` first): ``cells``,
        ``abandon_mae_pp``, ``abandon_bias_pp``, ``asa_wape_pct``,
        ``sl_mae_pp``, ``noise_abandon_mae_pp``.
    patience : pandas.DataFrame
        Per pool, from every kept contact: ``contacts``, ``abandoned``,
        ``mean_exponential`` (s), ``median_km`` (s), ``restricted_mean_km``
        (s), ``restricted_to`` (s).
    availability : pandas.DataFrame
        Per pool and hour of day: ``availability`` (effective over headcount
        agents while someone waited) and ``wait_seconds`` behind it.
    rows, rows_kept : int
        Data rows in the log and rows kept by the import.
    model : str
        The predictor the summary reports (``by_model`` has all).
    settings : dict
        The arguments used.
    report : tuple of forecast.Issue
        The import's report.
    """

    cells: pd.DataFrame
    errors: pd.DataFrame
    patience: pd.DataFrame
    availability: pd.DataFrame
    rows: int
    rows_kept: int
    model: str
    settings: dict = field(default_factory=dict)
    report: tuple = ()
    pools: dict = field(default_factory=dict)
    factors: pd.DataFrame = field(default_factory=pd.DataFrame)

    def summary(self):
        """The JSON summary: ``rows``, ``rows_kept``, ``cells``, the errors of
        :attr:`model` (``abandon_mae_pp``, ``abandon_bias_pp``,
        ``asa_wape_pct``, ``sl_mae_pp``), ``model`` and ``by_model`` (the same
        keys per predictor)."""
        by_model = {}
        for m in self.errors["model"].unique():
            row = self.errors[(self.errors["model"] == m) & (self.errors["band"] == "all")]
            row = row.iloc[0]
            by_model[m] = {"rows": self.rows, "rows_kept": self.rows_kept,
                           "cells": int(row["cells"]),
                           **{k: _num(row[k]) for k in SUMMARY_KEYS[3:]}}
        out = dict(by_model[self.model])
        out["model"] = self.model
        out["by_model"] = by_model
        return out

    def fragment(self):
        """Calibrated inputs as a scenario fragment (a dict in the TOML's form).

        ``queues``: each pooled queue's ``patience`` (the pool's exponential
        mean, seconds: what the plan's Erlang A takes).  ``workforce.shrinkage.
        unavailable``: the share of present agents' time not available to
        contacts (1 - the pool-weighted availability), a shrinkage category a
        plan can add.  See :meth:`apply`.
        """
        queues = []
        for pool, members in self.pools.items():
            row = self.patience[self.patience["pool"] == pool]
            if row.empty or not np.isfinite(row["mean_exponential"].iloc[0]):
                continue
            for q in members:
                queues.append({"name": q, "patience": round(float(
                    row["mean_exponential"].iloc[0]), 1)})
        out = {"queues": queues}
        av = self.availability
        if not av.empty and av["wait_seconds"].sum() > 0:
            mean = float(np.average(av["availability"], weights=av["wait_seconds"]))
            out["workforce"] = {"shrinkage": {"unavailable": round(max(0.0, 1.0 - mean), 4)}}
        return out

    def apply(self, scenario, *, availability=False):
        """``scenario`` with the calibrated patience of its queues that the log
        has (by name), and with ``availability=True`` the shrinkage category
        ``unavailable`` added (replacing one of that name).  Other queues are
        left as they are."""
        frag = self.fragment()
        patience = {q["name"]: q["patience"] for q in frag["queues"]}
        queues = tuple(dataclasses.replace(q, patience=patience[q.name])
                       if q.name in patience else q for q in scenario.queues)
        out = dataclasses.replace(scenario, queues=queues)
        if availability and "workforce" in frag:
            wf = out.workforce
            shrink = {**wf.shrinkage, **frag["workforce"]["shrinkage"]}
            out = dataclasses.replace(out, workforce=dataclasses.replace(wf, shrinkage=shrink))
        return out

    def text(self):
        """The error table and a line on the import, for a terminal."""
        lines = [f"rows {self.rows:,}, kept {self.rows_kept:,} "
                 f"({self.rows_kept / max(self.rows, 1):.1%}); cells {len(self.cells):,} "
                 f"(>= {self.settings.get('min_contacts', MIN_CONTACTS)} contacts); "
                 f"holdout {self.settings.get('holdout')}; agents "
                 f"{self.settings.get('agents')}"]
        table = self.errors.copy()
        lines.append(table.to_string(index=False, float_format=lambda x: f"{x:,.2f}"))
        return v.printable("\n".join(lines), newlines=True)

    def write(self, folder):
        """Write ``cells.csv``, ``errors.csv``, ``patience.csv``,
        ``availability.csv``, ``calibration.toml`` (the fragment),
        ``summary.json`` and ``observed_vs_predicted.png`` into ``folder``
        (atomically); returns the paths."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        out = []
        for name, frame in (("cells", self.cells), ("errors", self.errors),
                            ("patience", self.patience), ("availability", self.availability)):
            path = folder / f"{name}.csv"
            write_csv(frame, path)
            out.append(path)
        text = ("# Calibrated inputs from `ccwfm calibrate` (merge into a scenario: queues by "
                "name)\n" + tomli_w.dumps(self.fragment()))
        path = folder / "calibration.toml"
        write_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        out.append(path)
        js = json.dumps(self.summary(), indent=2, allow_nan=False)
        path = folder / "summary.json"
        write_atomic(path, lambda tmp: Path(tmp).write_text(js + "\n", encoding="utf-8"))
        out.append(path)
        png = _chart(self)
        path = folder / "observed_vs_predicted.png"
        write_atomic(path, lambda tmp: Path(tmp).write_bytes(png))
        out.append(path)
        return out


def _num(x):
    x = float(x)
    return round(x, 4) + 0.0 if math.isfinite(x) else None     # + 0.0: no -0.0


# --------------------------------------------------------------------------- inputs

def _members(log):
    """Pool -> its queues (``service``), from a pooled log; each queue its own pool
    when the log is not pooled."""
    f = log.frame
    if "service" not in f.columns:
        return {q: [q] for q in log.queues}
    return {pool: sorted(g.unique().tolist()) for pool, g in f.groupby("queue")["service"]}


def _check_models(models, model):
    if isinstance(models, str):
        models = (models,)
    models = tuple(v.sequence("models", models)) if not isinstance(models, tuple) else models
    if not models:
        raise v.error("models", "must name at least one predictor", list(models))
    for i, m in enumerate(models):
        v.choice(f"models[{i}]", m, MODELS)
    v.unique("models", models)
    if model is None:
        model = DEFAULT_MODEL if DEFAULT_MODEL in models else models[0]
    v.choice("model", model, models)
    return models, model


def calibrate(source, *, format="anonymous_bank", mapping=None, pools=None, interval=60,
              sub_interval=None, holdout="weekday", target_time=20.0,
              models=("erlang_a", "erlang_a_cell", "simulation"), model=None,
              agents="effective", patience_by="pool", agent_factor="fit",
              min_contacts=MIN_CONTACTS, seed=0,
              clock_tolerance=None, max_excluded=None, simulation_contacts=20000):
    """Predict a log's KPIs cell by cell and measure the errors.

    Parameters
    ----------
    source : str, path, file-like or forecast.AcdLog
        The call-level log (read with :func:`forecast.read_acd`), or a log
        already read.
    format, mapping : optional
        As :func:`forecast.read_acd`.
    pools : dict, optional
        Pool name -> queue names answered by one pool of agents; queues in no
        pool are pools of their own.
    interval : int
        Cell length in minutes: 15, 30 or 60.
    sub_interval : int, optional
        Minutes of the rows ``"erlang_a"`` predicts (5, 15, 30 or 60,
        dividing ``interval``); default ``interval``.
    holdout : {"weekday", "week", "none"}
        Patience and availability for a cell are estimated without its
        weekday, without its week (each week's share of the cell predicted
        from the other weeks), or from everything.
    target_time : float
        Service-level threshold, seconds.
    models : sequence of str
        Predictors to run, among :data:`MODELS`.
    model : str, optional
        The predictor the summary reports (default ``"erlang_a"``).
    agents : {"effective", "availability"}
        How a cell's available agents are measured (module notes).
    patience_by : {"pool", "service"}
        One exponential patience per pool, or per service, mixed by each
        interval's offered contacts (the formulas; the simulation uses the
        pool's Kaplan-Meier curve).
    min_contacts : int
        Cells with fewer offered contacts are left out (>= 1).
    seed : int
        Seed of the simulation.
    clock_tolerance, max_excluded : optional
        Passed to :func:`forecast.read_acd`.
    simulation_contacts : int
        Contacts simulated per cell after warm-up (``"simulation"``).

    Returns
    -------
    Calibration

    Raises
    ------
    ValueError
        Naming the argument, for bad arguments; from the import for a bad
        log; when no cell has ``min_contacts`` contacts.

    Examples
    --------
    Two Tuesdays of a (very small) Anonymous Bank log, PS and PE answered by
    one pool:

    >>> import io
    >>> head = ("type date vru_entry vru_exit q_start q_exit q_time outcome ser_start "
    ...         "ser_exit ser_time server")
    >>> rows = [
    ...     "PS 240102 8:00:00 8:00:05 8:00:05 8:00:35 30 AGENT 8:00:35 8:04:35 240 A",
    ...     "PS 240102 8:01:00 8:01:05 8:01:05 8:02:05 60 HANG 0:00:00 0:00:00 0 NO_SERVER",
    ...     "PE 240102 8:03:00 8:03:05 8:03:05 8:04:35 90 AGENT 8:04:35 8:08:15 220 A",
    ...     "PS 240109 8:10:00 8:10:05 8:10:05 8:10:45 40 AGENT 8:10:45 8:13:45 180 B",
    ...     "PE 240109 8:12:00 8:12:05 8:12:05 8:13:45 100 AGENT 8:13:45 8:15:05 80 B",
    ...     "PS 240109 8:14:00 8:14:05 8:14:05 8:14:50 45 HANG 0:00:00 0:00:00 0 NO_SERVER"]
    >>> cal = calibrate(io.StringIO("\\n".join([head, *rows])),
    ...                 pools={"retail": ["PS", "PE"]}, min_contacts=1, holdout="none",
    ...                 models=("erlang_a",))
    >>> cal.cells[["pool", "weekday", "slot", "offered", "abandoned"]].values.tolist()
    [['retail', 1, '08:00', 6.0, 2.0]]
    >>> s = cal.summary()
    >>> s["rows"], s["cells"], s["model"]
    (6, 1, 'erlang_a')
    """
    v.choice("interval", interval, (15, 30, 60), unit=" minutes", quote=False)
    sub = interval if sub_interval is None else sub_interval
    v.choice("sub_interval", sub, (5, 15, 30, 60), unit=" minutes", quote=False)
    if interval % sub:
        raise v.error("sub_interval", f"must divide 'interval' ({interval} minutes)", sub)
    v.choice("holdout", holdout, HOLDOUTS)
    target = at_most("target_time", v.number("target_time", target_time, lo=0),
                     "target_time")
    models, model = _check_models(models, model)
    v.choice("agents", agents, AGENTS)
    v.choice("patience_by", patience_by, PATIENCE_BY)
    v.choice("agent_factor", agent_factor, AGENT_FACTOR)
    min_contacts = v.count("min_contacts", min_contacts, 1)
    sim_n = v.count("simulation_contacts", simulation_contacts, 100)
    at_most("simulation_contacts", sim_n, "sim_replication_contacts")
    seed = v.whole("seed", seed, lo=0)
    log, rows = _read(source, format, mapping, clock_tolerance, max_excluded)
    plog = log if pools is None else log.pooled(pools)     # validates 'pools'
    pools = _members(plog)
    hist = plog.to_history(interval=sub, target_time=target).frame.copy()
    contacts = plog.frame[plog.frame["outcome"].isin(("answered", "abandoned"))].copy()
    rows_df = _rows(hist, sub, interval, holdout)
    present = _presence(plog.frame, sub)
    rows_df["agents_present"] = _lookup(present, rows_df[["pool", "start"]], 0.0).to_numpy()
    contacts["_start"] = contacts["queue_start"].astype("datetime64[ns]")
    contacts["fold"] = _fold(contacts["_start"], holdout)
    contacts["weekday"] = contacts["_start"].dt.day_of_week.to_numpy()
    contacts["slot"] = _slot(contacts["_start"], interval)
    cells = _cells(rows_df, contacts, min_contacts)
    if cells.empty:
        raise ValueError(f"no cell has at least {min_contacts} offered contacts: "
                         "'min_contacts' or 'interval' too large for this log "
                         f"({len(contacts):,} offered contacts)")
    folds = sorted(rows_df["fold"].unique())
    if holdout != "none" and len(folds) < 2:
        raise v.error("holdout", f"needs a log covering at least two {holdout}s to hold one "
                      "out (use 'none' for an in-sample check)", holdout)
    preds = {m: [] for m in models}
    parts, factors = [], []
    base = "agents_headcount" if agents == "availability" else "agents_present"
    avail_all = _availability(rows_df, base)
    for k, fold in enumerate(folds):
        est_rows = rows_df if holdout == "none" else rows_df[rows_df["fold"] != fold]
        est_con = contacts if holdout == "none" else contacts[contacts["fold"] != fold]
        avail = _availability(est_rows, base)
        target_rows = rows_df[rows_df["fold"] == fold].copy()
        target_con = contacts if holdout == "none" else contacts[contacts["fold"] == fold]
        theta = _theta(est_con, target_con, patience_by, sub)
        target_rows = _with_inputs(target_rows, est_con, (avail, avail_all), agents,
                                   patience_by, sub, target_con=target_con, theta=theta)
        if agent_factor == "fit":
            fit_rows = _with_inputs(est_rows, est_con, (avail, avail_all), agents,
                                    patience_by, sub)
            kappa = _fit_factor(fit_rows, target)
            target_rows["agents"] *= target_rows["pool"].map(kappa).fillna(1.0)
            factors.append(kappa.rename(fold))
        if "erlang_a" in models:
            preds["erlang_a"].append(_erlang_rows(target_rows, target))
        part = _fold_cells(target_rows, cells)
        if part.empty:
            continue
        part["theta"] = _lookup(theta[1], part[["pool", "weekday", "slot"]],
                                part["pool"].map(theta[2]))
        parts.append(part)
        if "erlang_a_cell" in models:
            preds["erlang_a_cell"].append(_erlang_cells(part, target))
        if "simulation" in models:
            preds["simulation"].append(_simulate_cells(part, est_con, contacts, target,
                                                       [seed, k], sim_n))
    cells = _with_agents(cells, parts)
    cells = _combine(cells, preds, models)
    errors = _errors(cells, models)
    patience = _patience_table(contacts)
    availability = _availability_table(rows_df)
    settings = dict(interval=interval, sub_interval=sub, holdout=holdout,
                    target_time=target, models=list(models), model=model, agents=agents,
                    patience_by=patience_by, agent_factor=agent_factor,
                    min_contacts=min_contacts, seed=seed)
    factor_table = pd.DataFrame(
        [{"pool": p, "fold": int(f.name), "factor": float(x)} for f in factors
         for p, x in f.items()], columns=["pool", "fold", "factor"])
    return Calibration(cells=cells, errors=errors, patience=patience, factors=factor_table,
                       availability=availability, rows=rows, rows_kept=len(log.frame),
                       model=model, settings=settings, report=tuple(log.report), pools=pools)


def _read(source, format, mapping, clock_tolerance, max_excluded):
    if isinstance(source, forecast.AcdLog):
        log = source
    else:
        kw = {}
        if clock_tolerance is not None:
            kw["clock_tolerance"] = clock_tolerance
        if max_excluded is not None:
            kw["max_excluded"] = max_excluded
        log = forecast.read_acd(source, format=format, mapping=mapping, **kw)
    excluded = {r for issue in log.report if issue.kind in forecast.acd.EXCLUDING
                for r in issue.rows}
    rows = len(set(log.frame["row"].tolist()) | excluded)
    return log, int(rows)


def _slot(start, interval):
    """Interval of the day of each datetime, as ``HH:MM``."""
    minutes = (start.dt.hour * 60 + start.dt.minute) // interval * interval
    return (minutes // 60).map("{:02d}".format) + ":" + (minutes % 60).map("{:02d}".format)


def _fold(start, holdout):
    if holdout == "weekday":
        return start.dt.day_of_week.to_numpy()
    if holdout == "week":
        iso = start.dt.isocalendar()
        return (iso["year"].astype(int) * 100 + iso["week"].astype(int)).to_numpy()
    return np.zeros(len(start), int)


SESSION_GAP = 1200.0     # seconds between two services that end an agent's session


def _presence(frame, sub):
    """Agents present per (pool, sub-interval start), time-averaged: an agent is
    present from the start of a session's first service to the end of its last,
    sessions of one pool split where the agent served none of the pool's contacts
    for more than :data:`SESSION_GAP` seconds."""
    ans = frame[frame["outcome"].eq("answered") & frame["agent"].notna()
                & frame["service_start"].notna() & frame["service_end"].notna()]
    if ans.empty:
        return pd.Series(dtype=float)
    df = pd.DataFrame({"pool": ans["queue"].to_numpy(), "agent": ans["agent"].to_numpy(),
                       "s": ans["service_start"].to_numpy("datetime64[ns]").astype(np.int64),
                       "e": ans["service_end"].to_numpy("datetime64[ns]").astype(np.int64)})
    df = df.sort_values(["pool", "agent", "s"], kind="stable")
    prev = df.groupby(["pool", "agent"])["e"].cummax().groupby(
        [df["pool"], df["agent"]]).shift()
    new = prev.isna() | (df["s"] - prev > SESSION_GAP * 1e9)
    sess = df.groupby(new.cumsum()).agg(pool=("pool", "first"), s=("s", "min"),
                                        e=("e", "max"))
    length = int(sub * 60 * 1e9)
    out = {}
    for pool, ss in sess.groupby("pool"):
        acc = {}
        for s0, e0 in zip(ss["s"].to_numpy(), ss["e"].to_numpy()):
            k = s0 // length
            while k * length < e0:
                lo, hi = max(s0, k * length), min(e0, (k + 1) * length)
                if hi > lo:
                    acc[k] = acc.get(k, 0.0) + (hi - lo) / length
                k += 1
        for k, x in acc.items():
            out[(pool, pd.Timestamp(k * length))] = x
    return pd.Series(out, dtype=float)


def _rows(hist, sub, interval, holdout):
    """The history's rows (pool, day, sub-interval) with their cell and fold."""
    df = hist.rename(columns={"queue": "pool"})
    start = df["start"]
    df["weekday"] = start.dt.day_of_week.to_numpy()
    df["slot"] = _slot(start, interval)
    df["hour"] = start.dt.hour.to_numpy()
    df["fold"] = _fold(start, holdout)
    df["seconds"] = sub * 60.0
    df["wait_seconds"] = df["wait_share"].fillna(0.0) * df["seconds"]
    for col in ("answered", "abandoned", "answered_within", "volume"):
        df[col] = df[col].astype(float)
    df["agents_headcount"] = df["agents_headcount"].astype(float)
    return df


def _cells(rows, contacts, min_contacts):
    """Observed KPIs per cell (pool, weekday, slot) with at least ``min_contacts``."""
    r = rows.copy()
    r["_wait_ans"] = r["asa"].fillna(0.0) * r["answered"]
    r["_handle"] = r["aht"].fillna(0.0) * r["answered"]
    g = r.groupby(["pool", "weekday", "slot"])
    cells = g.agg(offered=("volume", "sum"), answered=("answered", "sum"),
                  abandoned=("abandoned", "sum"), within=("answered_within", "sum"),
                  _wait_ans=("_wait_ans", "sum"), _handle=("_handle", "sum"),
                  seconds=("seconds", "sum"), days=("start", lambda s: s.dt.normalize().nunique()))
    cells = cells[cells["offered"] >= min_contacts].reset_index()
    if cells.empty:
        return cells
    cells["arrival_rate"] = cells["offered"] / cells["seconds"]
    cells["aht"] = _div(cells["_handle"], cells["answered"])
    # A cell with no answered contact has no handle time: the pool's.
    pool_aht = (r.groupby("pool")["_handle"].sum() / r.groupby("pool")["answered"].sum())
    cells["aht"] = cells["aht"].fillna(cells["pool"].map(pool_aht))
    cells["abandon_rate"] = cells["abandoned"] / cells["offered"]
    cells["asa"] = _div(cells["_wait_ans"], cells["answered"])
    cells["service_level"] = cells["within"] / cells["offered"]
    p = cells["abandon_rate"].clip(1e-9, 1 - 1e-9)
    cells["noise_abandon_pp"] = 100 * _NOISE * np.sqrt(p * (1 - p) / cells["offered"])
    return cells.drop(columns=["_wait_ans", "_handle"])


def _div(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.divide(a, b, out=np.full(a.shape, np.nan), where=b > 0)


def _availability_sums(rows, base):
    """Per (pool, hour), over the seconds someone waited: effective agent-seconds
    (``num``), ``base`` agent-seconds (``den``) and ``wait_seconds``."""
    r = rows[(rows["wait_seconds"] > 0) & (rows[base] > 0)
             & rows["agents_effective"].notna()]
    return pd.DataFrame({"num": r["agents_effective"] * r["wait_seconds"],
                         "den": r[base] * r["wait_seconds"],
                         "wait_seconds": r["wait_seconds"]}).groupby(
        [r["pool"], r["hour"]]).sum()


def _availability(rows, base="agents_present"):
    """Availability per (pool, hour) and per pool, over the seconds someone waited:
    effective agents over ``base`` agents."""
    g = _availability_sums(rows, base)
    by_pool = g.groupby(level=0).sum()
    return ((g["num"] / g["den"]).clip(upper=1.0),
            (by_pool["num"] / by_pool["den"]).clip(upper=1.0))


def _agents(rows, avail, avail_all, how):
    """Available agents of each row."""
    by_hour, by_pool = avail
    key = pd.MultiIndex.from_arrays([rows["pool"], rows["hour"]])
    a = pd.Series(by_hour.reindex(key).to_numpy(), index=rows.index)
    a = a.fillna(rows["pool"].map(by_pool)).fillna(rows["pool"].map(avail_all[1])).fillna(1.0)
    agents = rows["agents_present"] * a
    if how == "availability":
        agents = rows["agents_headcount"] * a
    if how == "effective":
        eff = rows["agents_effective"].where(rows["wait_seconds"] > 0)
        agents = eff.fillna(agents)
    # Available agents are at least the busy ones at every instant, so on average
    # at least ``agents_busy`` (which needs no agent names).
    return agents.clip(lower=rows["agents_busy"].fillna(0.0)).astype(float)


def _rate(contacts, keys):
    """Exponential abandonment rate (abandonments / seconds waited) per ``keys``."""
    ab = contacts["outcome"].eq("abandoned")
    d = ab.groupby([contacts[k] for k in keys]).sum()
    w = contacts["wait"].groupby([contacts[k] for k in keys]).sum()
    return (d / w).where(w > 0)


def _theta(est, target, by, sub):
    """Abandonment rates (1 / exponential patience) estimated on ``est``: per row
    (pool, start) and per cell (pool, weekday, slot) of ``target``, and per pool.

    ``by="pool"``: the pool's rate.  ``by="service"``: each service's own rate,
    averaged over the row's (cell's) offered contacts: the service mix."""
    pool = _rate(est, ["queue"])
    if by == "service" and "service" in est.columns:
        per = _rate(est, ["queue", "service"])
        key = pd.MultiIndex.from_arrays([target["queue"], target["service"]])
        th = pd.Series(per.reindex(key).to_numpy(), index=target.index)
        th = th.fillna(target["queue"].map(pool))
    else:
        th = target["queue"].map(pool)
    start = target["_start"].dt.floor(f"{sub}min")
    rows = th.groupby([target["queue"], start]).mean()
    cells = th.groupby([target["queue"], target["weekday"], target["slot"]]).mean()
    return rows, cells, pool


def _with_inputs(rows, est_con, avail, agents, patience_by, sub, *, target_con=None,
                 theta=None):
    """``rows`` with their available ``agents`` and abandonment rate ``theta``
    (estimated on ``est_con``; the rows' own contacts ``target_con`` give the
    service mix, by default ``est_con``: the rows are the estimation data)."""
    if theta is None:
        theta = _theta(est_con, est_con if target_con is None else target_con, patience_by,
                       sub)
    rows = rows.copy()
    rows["agents"] = _agents(rows, *avail, agents)
    rows["theta"] = _lookup(theta[0], rows[["pool", "start"]], rows["pool"].map(theta[2]))
    return rows


def _fit_factor(rows, target, lo=0.5, hi=2.0, steps=40):
    """Per pool, the factor on the measured agents that makes Erlang A per row
    reproduce the rows' abandoned contacts in total (bisection; the predicted
    abandonments fall as agents rise).  Clipped to [lo, hi]."""
    out = {}
    for pool, r in rows[(rows["volume"] > 0) & rows["theta"].notna()].groupby("pool"):
        aht = _row_aht(r, rows)
        rate = r["volume"] / r["seconds"]
        observed = r["abandoned"].sum()

        def excess(k):
            ab = _erlang(rate, aht, r["agents"] * k, r["theta"], target)[0]
            return float((r["volume"] * ab).sum() - observed)

        if observed <= 0 or not (r["theta"] > 0).any():
            out[pool] = 1.0
            continue
        a, b = lo, hi
        if excess(a) <= 0:
            out[pool] = a
            continue
        if excess(b) >= 0:
            out[pool] = b
            continue
        for _ in range(steps):
            m = 0.5 * (a + b)
            if excess(m) > 0:
                a = m
            else:
                b = m
        out[pool] = 0.5 * (a + b)
    return pd.Series(out, dtype=float)


def _row_aht(r, rows):
    """Each row's cell AHT (answered-weighted), else the pool's, else 300 s."""
    keys = [r["pool"], r["weekday"], r["slot"]]
    cell = ((r["aht"].fillna(0) * r["answered"]).groupby(keys).transform("sum")
            / r["answered"].groupby(keys).transform("sum"))
    pool = ((rows["aht"].fillna(0) * rows["answered"]).groupby(rows["pool"]).sum()
            / rows["answered"].groupby(rows["pool"]).sum())
    return cell.fillna(r["aht"]).fillna(r["pool"].map(pool)).fillna(300.0)


def _lookup(series, keys, default):
    """``series`` (MultiIndex) at the rows of frame ``keys``; ``default`` where missing."""
    idx = pd.MultiIndex.from_frame(keys)
    out = pd.Series(series.reindex(idx).to_numpy(), index=keys.index)
    return out.fillna(default)


def _erlang(rate, aht, agents, theta, target):
    """Erlang A metrics for arrays (Erlang C where theta is 0)."""
    rate = np.asarray(rate, float)
    theta = np.asarray(theta, float)
    unknown = np.isnan(theta)          # no held-out data for the pool: no prediction
    theta = np.where(unknown, 0.0, theta)
    patience = np.where(theta > 0, 1.0 / np.where(theta > 0, theta, 1.0), np.inf)
    m = erlang.metrics(np.asarray(agents, float), arrival_rate=rate,
                       aht=np.asarray(aht, float), patience=patience, target_time=target)
    return tuple(np.where(unknown, np.nan, np.asarray(x, float))
                 for x in (m.abandon_rate, m.asa, m.service_level))


def _erlang_rows(rows, target):
    """Erlang A per row, with the row's arrivals and agents and its cell's AHT."""
    r = rows[rows["volume"] > 0]
    if r.empty:
        return pd.DataFrame(columns=["pool", "weekday", "slot", "w_off", "w_ans", "ab", "asa",
                                     "sl"])
    aht = _row_aht(r, rows)
    ab, asa, sl = _erlang(r["volume"] / r["seconds"], aht, r["agents"], r["theta"], target)
    asa = np.where(np.isfinite(asa), asa, np.nan)
    out = pd.DataFrame({"pool": r["pool"].to_numpy(), "weekday": r["weekday"].to_numpy(),
                        "slot": r["slot"].to_numpy(), "w_off": r["volume"].to_numpy(),
                        "ab": ab, "sl": sl, "asa": asa})
    out["w_ans"] = out["w_off"] * (1 - out["ab"])
    return out


def _fold_cells(rows, cells):
    """Per cell, this fold's share: offered, seconds, mean agents (time-weighted)."""
    r = rows.copy()
    r["_agent_s"] = r["agents"] * r["seconds"]
    g = r.groupby(["pool", "weekday", "slot"])
    part = g.agg(offered=("volume", "sum"), seconds=("seconds", "sum"),
                 _agent_s=("_agent_s", "sum")).reset_index()
    part["agents"] = part["_agent_s"] / part["seconds"]
    keys = cells[["pool", "weekday", "slot", "aht"]]
    part = part.merge(keys, on=["pool", "weekday", "slot"], how="inner")
    return part[part["offered"] > 0].drop(columns=["_agent_s"]).reset_index(drop=True)


def _erlang_cells(part, target):
    ab, asa, sl = _erlang(part["offered"] / part["seconds"], part["aht"], part["agents"],
                          part["theta"], target)
    out = part[["pool", "weekday", "slot"]].copy()
    out["w_off"] = part["offered"].to_numpy()
    out["ab"], out["sl"] = ab, sl
    out["asa"] = np.where(np.isfinite(asa), asa, np.nan)
    out["w_ans"] = out["w_off"] * (1 - out["ab"])
    return out


def _simulate_cells(part, est_con, contacts, target, seed, n_contacts):
    """The stationary simulation per cell: empirical handle times (the cell's,
    scaled to its AHT) and Kaplan-Meier patience (held out)."""
    out = part[["pool", "weekday", "slot"]].copy()
    ab, asa, sl = [], [], []
    patience, unknown = {}, set()
    for pool in part["pool"].unique():
        sel = est_con[est_con["queue"] == pool]
        if sel.empty:
            unknown.add(pool)               # no held-out data: no prediction
            continue
        try:
            spec = forecast.estimate_patience(sel).to_spec("empirical", size=500)
            patience[pool] = simulate.Distribution.from_spec(spec)
        except ValueError:
            patience[pool] = None           # nobody abandoned: no abandonment
    ans = contacts[contacts["outcome"].eq("answered") & contacts["handle"].notna()
                   & (contacts["handle"] > 0)]
    handles = {k: g["handle"].to_numpy(float) for k, g in
               ans.groupby(["queue", "weekday", "slot"])}
    pool_handles = {k: g["handle"].to_numpy(float) for k, g in ans.groupby("queue")}
    for i, c in enumerate(part.itertuples(index=False)):
        if c.pool in unknown:
            ab.append(np.nan)
            asa.append(np.nan)
            sl.append(np.nan)
            continue
        h = handles.get((c.pool, c.weekday, c.slot))
        if h is None or h.size < 30:
            h = pool_handles.get(c.pool)
        if h is None or h.size == 0:
            handle = simulate.Distribution.exponential(float(c.aht))
        else:
            q = np.quantile(h, (np.arange(1, 201) - 0.5) / 200)
            q = q * (float(c.aht) / q.mean()) if q.mean() > 0 else q
            handle = simulate.Distribution.empirical(np.maximum(q, 1e-3))
        rate = c.offered / c.seconds
        lo = math.floor(c.agents)
        f = c.agents - lo
        kpis = []
        for n in ([lo] if f < 1e-9 else [lo, lo + 1]):
            if patience[c.pool] is None and n * 3600.0 <= rate * 3600.0 * c.aht:
                # Nobody abandons and the agents cannot carry the load: the queue
                # grows without bound, no steady state to simulate.
                kpis.append(np.array([0.0, np.inf, 0.0]))
                continue
            # Common random numbers: the same seed for both neighbours.
            res = simulate.stationary(
                arrival_rate=rate, handle=handle, patience=patience[c.pool], agents=n,
                target_time=target, contacts=n_contacts, replications=10, seed=[*seed, i])
            kpis.append(np.array([res.abandon_rate.mean, res.asa.mean,
                                  res.service_level.mean]))
        k = kpis[0] if len(kpis) == 1 else (1 - f) * kpis[0] + f * kpis[1]
        k[1] = k[1] if np.isfinite(k[1]) else np.nan
        ab.append(k[0])
        asa.append(k[1])
        sl.append(k[2])
    out["w_off"] = part["offered"].to_numpy()
    out["ab"], out["asa"], out["sl"] = ab, asa, sl
    out["w_ans"] = out["w_off"] * (1 - out["ab"])
    return out


def _combine(cells, preds, models):
    """Each model's predictions aggregated to the cells."""
    keys = ["pool", "weekday", "slot"]
    out = cells.copy()
    for m in models:
        if not preds[m]:
            for k in ("abandon_rate", "asa", "service_level"):
                out[f"{m}_{k}"] = np.nan
            continue
        p = pd.concat(preds[m], ignore_index=True)
        p = p[p["ab"].notna()]              # no prediction (no held-out data): left out
        p["_ab"] = p["ab"] * p["w_off"]
        p["_sl"] = p["sl"] * p["w_off"]
        ok = p["asa"].notna()
        p["_asa"] = np.where(ok, p["asa"] * p["w_ans"], 0.0)
        p["_wans"] = np.where(ok, p["w_ans"], 0.0)
        g = p.groupby(keys).agg(w=("w_off", "sum"), ab=("_ab", "sum"), sl=("_sl", "sum"),
                                asa=("_asa", "sum"), wans=("_wans", "sum")).reset_index()
        g[f"{m}_abandon_rate"] = g["ab"] / g["w"]
        g[f"{m}_service_level"] = g["sl"] / g["w"]
        g[f"{m}_asa"] = _div(g["asa"], g["wans"])
        out = out.merge(g[keys + [f"{m}_abandon_rate", f"{m}_asa", f"{m}_service_level"]],
                        on=keys, how="left")
    return out


def _with_agents(cells, parts):
    """The cells' available agents (time-weighted over the folds' shares), load and band."""
    keys = ["pool", "weekday", "slot"]
    p = pd.concat(parts, ignore_index=True)
    p["_as"] = p["agents"] * p["seconds"]
    g = p.groupby(keys).agg(_as=("_as", "sum"), _s=("seconds", "sum")).reset_index()
    g["agents"] = g["_as"] / g["_s"]
    out = cells.merge(g[keys + ["agents"]], on=keys, how="left")
    out["load"] = _div(out["arrival_rate"] * out["aht"], out["agents"])
    out["load"] = out["load"].where(out["agents"] > 0, np.inf)
    out["band"] = np.select([out["load"] < 0.9, out["load"] <= 1.0], BANDS[:2], BANDS[2])
    return out


def _errors(cells, models):
    """Error table per model and load band."""
    out = []
    for m in models:
        for band in ("all",) + BANDS:
            c = cells if band == "all" else cells[cells["band"] == band]
            c = c[c[f"{m}_abandon_rate"].notna()]      # cells the model could predict
            pa, pq, ps = (c[f"{m}_{k}"] for k in ("abandon_rate", "asa", "service_level"))
            e_ab = (pa - c["abandon_rate"]) * 100
            ok = pq.notna() & c["asa"].notna()
            den = c.loc[ok, "asa"].sum()
            out.append({
                "model": m, "band": band, "cells": int(len(c)),
                "abandon_mae_pp": float(e_ab.abs().mean()) if len(c) else np.nan,
                "abandon_bias_pp": float(e_ab.mean()) if len(c) else np.nan,
                "asa_wape_pct": float(100 * (pq[ok] - c.loc[ok, "asa"]).abs().sum() / den)
                if den > 0 else np.nan,
                "sl_mae_pp": float(((ps - c["service_level"]) * 100).abs().mean())
                if len(c) else np.nan,
                "noise_abandon_mae_pp": float(c["noise_abandon_pp"].mean()) if len(c)
                else np.nan,
            })
    return pd.DataFrame(out)


def _patience_table(contacts):
    out = []
    for pool, sel in contacts.groupby("queue"):
        p = forecast.estimate_patience(sel)
        out.append({"pool": pool, "contacts": p.n, "abandoned": p.abandoned,
                    "mean_exponential": p.mean_exponential, "median_km": p.median_km,
                    "restricted_mean_km": p.restricted_mean_km,
                    "restricted_to": p.restricted_to})
    return pd.DataFrame(out)


def _availability_table(rows):
    g = _availability_sums(rows, "agents_headcount").reset_index()
    g["availability"] = (g["num"] / g["den"]).clip(upper=1.0)
    return g[["pool", "hour", "availability", "wait_seconds"]]


def _chart(cal):
    """Observed against predicted, one panel per KPI, one colour per model."""
    fig, axes = _subplots(1, 3, figsize=(13, 4.2))
    c = cal.cells
    for ax, (k, label, scale) in zip(axes, (("abandon_rate", "abandonment (%)", 100),
                                            ("asa", "ASA (s)", 1),
                                            ("service_level", "service level (%)", 100))):
        lim = 0.0
        for m in cal.settings.get("models", []):
            x, y = c[k] * scale, c[f"{m}_{k}"] * scale
            ok = x.notna() & y.notna()
            ax.scatter(x[ok], y[ok], s=10, alpha=0.6, label=m)
            if ok.any():
                lim = max(lim, float(x[ok].max()), float(y[ok].max()))
        lim = lim * 1.05 or 1.0
        ax.plot([0, lim], [0, lim], color="grey", lw=1)
        ax.set_xlim(0, lim)
        ax.set_ylim(0, lim)
        ax.set_xlabel(f"observed {label}")
        ax.set_ylabel(f"predicted {label}")
        ax.set_title(label)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return buf.getvalue()
