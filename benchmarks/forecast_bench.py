"""Accuracy and speed benchmark of the volume forecasts on real call-center data.

Backtests, by rolling origin, the automatically selected forecast of
:class:`forecast.AutoForecaster` against simple baselines and statsforecast
on the call counts of a US bank, and checks its accuracy, its prediction
intervals and its fitting time against the goals below.

The data
--------
``../shared/data/bank_calls.csv`` relative to the repository root (it is not
in the repository; ``--data PATH`` reads another copy): five-minute call
counts of one queue, weekdays 07:00-21:05, 164 days from March to October
2003, columns ``rownames``, ``DateTime`` (``2003-03-03T07:00:00Z``; the
``Z`` is nominal, the times are local clock times, so they are read as
written) and ``Calls``.  When the file is absent the script says so and exits
with status 0; its JSON is then ``{"skipped": true, ...}``.

It is read with ``forecast.read_intervals(path, mapping={"start":
"DateTime", "volume": "Calls"}, queue="bank")`` and aggregated to 15 and 30
minutes with :meth:`forecast.History.aggregate`.  The last slot of a day,
21:00, holds five minutes of calls at every interval length (the file stops
at 21:00-21:05); every model forecasts it as a slot like the others.

The calendar
------------
Planners know their holidays.  The business days without data (2003-04-04,
04-07, 05-26, 07-04, 09-01 and 10-14; computed, not typed in) are the closed
days of a :class:`forecast.Calendar`, and ``.with_after_closures()`` tags the
next open day of each as an event ``"after_closure"``, whose uplift the
models learn from the past closures.  The auto-selected forecast and the
individual models get that calendar; the baselines (ours and statsforecast's)
get none.  The auto-selected forecast is also run without the calendar
(``auto_no_calendar``), so that what the calendar contributes can be seen.

What is measured
----------------
Rolling origin over the last 12 weeks: ``forecast.origins(history, 12,
step_days=7, lead_days=5)`` gives 12 weekly origins (Mondays, the last
leaving exactly five days with data), and ``forecast.rolling_origin(model,
history, [origin], lead_days=5, level=(80, 95))`` fits each model on the days
before an origin and forecasts the next five days with data (business days;
a closed day is skipped).  Scores come from :func:`forecast.score`, for one
business day ahead (``lead == 1``, "day") and for leads 1-5 ("week"):
``wmape`` = sum |error| / sum actual; ``mase`` = mean |error| / scale, the
scale being the in-sample mean absolute error of the weekly seasonal naive
at each origin (the ``scale`` column of ``rolling_origin``); ``bias``;
``coverage_80`` and ``coverage_95``, the share of actuals inside the 80 % and
95 % prediction intervals; ``wmape_by_lead``.  Time: the wall time of the
``rolling_origin`` call of each origin (fitting, forecasting and the small
bookkeeping of laying out the results), in seconds per origin; the median
is reported (``seconds_per_origin``) with the maximum, and the median CPU
time of the process (``cpu_seconds_per_origin``; on one thread it equals the
wall time on an idle machine, and is the steadier figure on a busy one).

Models, at 15 and 30 minutes:

* ``auto``: ``forecast.AutoForecaster(calendar=cal)`` (a subclass that only
  records, per origin, the model chosen and the leave-one-origin-out coverage
  the auto forecaster expected of its intervals); ``auto_no_calendar``: the
  same without a calendar.
* Baselines, no calendar: ``SeasonalNaive()``, ``WeekdayAverage(4)``,
  ``WeekdayAverage(8)``.
* The individual models, with the calendar, for information:
  ``DailyProfile("arima")``, ``DailyProfile("ets")``, ``CountGLM()``,
  ``IntervalETS()``, ``IntervalMSTL()``.
* statsforecast (no calendar), when importable: ``MSTL(season_length=[s,
  5 s], trend_forecaster=AutoETS(model="ZZN"))`` and ``AutoETS(
  season_length=s)``, ``s`` the slots per day (29 at 30 minutes, 57 at 15).
  Each is given, through the models' own ``fit`` / ``predict`` on numpy
  arrays, the intervals of every day before the origin as one
  integer-indexed sequence (the data has no weekends and the holidays are
  simply absent, so a holiday shifts the weekly phase by a day) and forecasts
  exactly the intervals of the next five days with data, with ``level=[80,
  95]``.  Point forecasts and lower bounds are floored at 0 (ours are too).
  The actuals and the MASE scale are those of the ``rolling_origin`` run of
  the seasonal naive at the same origin (``sf_actuals_match`` checks that
  the actuals agree interval by interval); ``components_per_origin`` gives
  the ETS model each fit selected.  AutoETS at 15 minutes, by far the
  slowest run (about 11 s per origin), is run on 4 origins evenly spread
  over the 12 (``--sf-ets-15min-origins``); its row then says so and is not
  comparable with the others (it takes no part in any goal).  If
  statsforecast cannot be imported, or a fit fails, its entries are
  ``null`` with a note (install it with ``pip install statsforecast``).

Before timing, every model is run once (untimed) on a short stretch of the
data, so that first-call costs (imports, caches) are not timed.

Goals checked (judged on ``auto``, the forecast with the calendar, at 30
minutes and leads 1-5 unless stated): wMAPE at least 10 % lower than the
best baseline's (``best_baseline_name``: the lowest wMAPE among the seasonal
naive, the weekday averages and statsforecast's MSTL and AutoETS, measured in
the same run; ``goal_wmape_10pct_below_best_baseline_met``); 80 % intervals
covering 76-84 % (``goal_coverage80_met``) and 95 % intervals 92-97 %
(``goal_coverage95_met``); fit and forecast of the queue at 15 minutes
within 2 s per origin, on the median over origins
(``goal_fit_2s_15min_met``).  The same goals for ``auto_no_calendar`` are
reported with the suffix ``_no_calendar``.  The script exits with status 0
whether or not the goals are met; it only reports them.

Threads are pinned before numpy, statsmodels or statsforecast is imported
(``NUMBA_NUM_THREADS``, ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``,
``OPENBLAS_NUM_THREADS`` = 1), so the times are single-core times.

Notes
-----
Run with ccwfm installed (``make bench`` installs it)::

    .venv/bin/python benchmarks/forecast_bench.py            # readable report
    .venv/bin/python benchmarks/forecast_bench.py --json     # JSON only
    .venv/bin/python benchmarks/forecast_bench.py --quick    # smoke run

The default run takes about four and a half minutes of one 2020s server
core (more wall time on a busy machine), 60 % of it statsforecast (AutoETS
about 4.5 s per origin at 30 minutes and 11 s at 15 minutes, MSTL 1.2 s and
4 s); our models take about a minute and a half in all.  Options:
``--data PATH``; ``--origins N`` (default 12, weekly; the backtest needs at
least 8 to be meaningful); ``--sf-ets-15min-origins N`` (default 4; 0
leaves that run out, 12 or more runs it on every origin, about 1.5 minutes
more); ``--quick`` (3 origins, without ``IntervalMSTL`` and statsforecast's
AutoETS, the two slowest models; under a minute); ``--json``.

With ``--json`` only the JSON summary is written to stdout (progress goes
to stderr).  Its keys include, for the auto-selected forecast with the
calendar, ``<metric>_<m>min_<h>`` for metric ``wmape``, ``mase``, ``bias``,
``coverage80``, ``coverage95``, ``m`` = 30 or 15 and ``h`` = ``week`` or
``day`` (e.g. ``wmape_30min_week``, ``coverage80_30min_week``), and
``fit_seconds_<m>min`` (median wall time per origin), ``..._max`` and
``fit_cpu_seconds_<m>min``; the same keys with the suffix ``_no_calendar``
for the forecast without it; ``best_baseline_name``,
``best_baseline_wmape_30min_week``, ``baseline_wmape_30min_week``,
``wmape_reduction_vs_best_baseline`` (and ``_no_calendar``); ``models``
(per interval length and model: day and week scores, wMAPE per lead,
seconds per origin, notes); ``auto_choices`` (per interval length, variant
and origin: the model chosen and the coverage it expected); the calendar
and the origins; and the ``goal_*`` booleans.

Timings depend on the machine and its load.
"""

import os

for _var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
             "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

_ROOT = Path(__file__).resolve().parents[1]

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ccwfm import forecast  # noqa: E402

DEFAULT_DATA = _ROOT.parent / "shared" / "data" / "bank_calls.csv"
MAPPING = {"start": "DateTime", "volume": "Calls"}
QUEUE = "bank"
MINUTES = (30, 15)          # interval lengths benchmarked
LEAD_DAYS = 5               # business days ahead
STEP_DAYS = 7
LEVELS = (80, 95)
EVENT_TAG = "after_closure"

GOAL_WMAPE_REDUCTION = 0.10     # vs the best baseline, 30 min, leads 1-5
GOAL_COVERAGE = {80: (0.76, 0.84), 95: (0.92, 0.97)}
GOAL_FIT_SECONDS = 2.0          # per origin, one queue at 15 minutes

FULL = {"origins": 12}
QUICK = {"origins": 3}
SF_ETS_15MIN_ORIGINS = 4        # statsforecast AutoETS at 15 min: ~11 s per origin
SLOW = ("interval_mstl", "sf_autoets")     # left out by --quick
BASELINES = ("seasonal_naive", "weekday_average_4", "weekday_average_8",
             "sf_mstl", "sf_autoets")


# ------------------------------------------------------------------ models


_CHOICES = []       # filled by _RecordingAuto.fit_data, emptied after each origin


class _RecordingAuto(forecast.AutoForecaster):
    """:class:`forecast.AutoForecaster` that records what it chose at each fit.

    Nothing else differs: the recording happens after the fit, untouched.
    (``rolling_origin`` fits a deep copy, so the choice is kept here.)
    """

    def fit_data(self, data):
        super().fit_data(data)
        cov = {f"{float(r.level):g}": float(r.coverage) for r in self.coverage_.itertuples()}
        _CHOICES.append({"chosen": {q: self.chosen(q) for q in self.choice_},
                         "expected_coverage": cov})
        return self


def our_specs(cal):
    """``(key, label, kind, factory, uses calendar)`` of the repository's models."""
    return [
        ("auto", "AutoForecaster, with the calendar", "auto",
         lambda: _RecordingAuto(calendar=cal), True),
        ("auto_no_calendar", "AutoForecaster, no calendar", "auto",
         lambda: _RecordingAuto(), False),
        ("seasonal_naive", "SeasonalNaive()", "baseline",
         lambda: forecast.SeasonalNaive(), False),
        ("weekday_average_4", "WeekdayAverage(4)", "baseline",
         lambda: forecast.WeekdayAverage(4), False),
        ("weekday_average_8", "WeekdayAverage(8)", "baseline",
         lambda: forecast.WeekdayAverage(8), False),
        ("daily_arima", 'DailyProfile("arima")', "model",
         lambda: forecast.DailyProfile("arima", calendar=cal), True),
        ("daily_ets", 'DailyProfile("ets")', "model",
         lambda: forecast.DailyProfile("ets", calendar=cal), True),
        ("count_glm", "CountGLM()", "model", lambda: forecast.CountGLM(calendar=cal), True),
        ("interval_ets", "IntervalETS()", "model",
         lambda: forecast.IntervalETS(calendar=cal), True),
        ("interval_mstl", "IntervalMSTL()", "model",
         lambda: forecast.IntervalMSTL(calendar=cal), True),
    ]


def load_statsforecast():
    """``(models module, version, note)``; the module is None when unavailable."""
    try:
        from statsforecast import models as sfm
    except Exception as exc:  # noqa: BLE001
        return None, None, (f"statsforecast not importable ({type(exc).__name__}: {exc}); "
                            "skipped (install with: pip install statsforecast)")
    return sfm, _version("statsforecast"), None


def sf_specs(sfm, spd):
    """``(key, label, factory, components)`` of the statsforecast models."""
    return [
        ("sf_mstl", (f'statsforecast MSTL(season_length=[{spd}, {5 * spd}], '
                     f'trend_forecaster=AutoETS(model="ZZN"))'),
         lambda: sfm.MSTL(season_length=[spd, 5 * spd],
                          trend_forecaster=sfm.AutoETS(model="ZZN")),
         lambda m: m.trend_forecaster.model_["components"]),
        ("sf_autoets", f"statsforecast AutoETS(season_length={spd})",
         lambda: sfm.AutoETS(season_length=spd),
         lambda m: m.model_["components"]),
    ]


# ------------------------------------------------------------------ data


def load(path):
    """The 5-minute history, the calendar and what was found in the data."""
    hist = forecast.read_intervals(path, mapping=MAPPING, queue=QUEUE)
    days = pd.DatetimeIndex(sorted(hist.frame["start"].dt.normalize().unique()))
    business = pd.bdate_range(days[0], days[-1])
    closed = business.difference(days)
    weekend = days[days.day_of_week >= 5]
    cal = forecast.Calendar.from_records([(d, "closed") for d in closed]).with_after_closures(
        EVENT_TAG)
    after = cal.frame.loc[cal.frame["tag"] == EVENT_TAG, "date"]
    per_day = hist.frame.groupby(hist.frame["start"].dt.normalize()).size()
    info = {
        "rows": len(hist.frame),
        "interval_read_min": hist.interval,
        "days": len(days),
        "first_day": str(days[0].date()),
        "last_day": str(days[-1].date()),
        "weekend_days_with_data": len(weekend),
        "intervals_per_day_5min": sorted({int(n) for n in per_day}),
        "first_start": hist.frame["start"].dt.time.min().strftime("%H:%M"),
        "last_start": hist.frame["start"].dt.time.max().strftime("%H:%M"),
        "import_issues": [f"{i.kind}: {i.message}" for i in hist.report],
        "closed_days": [str(d.date()) for d in closed],
        "after_closure_days": [str(pd.Timestamp(d).date()) for d in sorted(after)],
    }
    return hist, cal, info


# ------------------------------------------------------------------ scoring


def _f(x):
    return None if x is None or not math.isfinite(float(x)) else float(x)


def scores(res):
    """Day (lead 1) and week (leads 1-5) scores of backtest results, wMAPE per lead."""
    out = {}
    for horizon, sub in (("day", res[res["lead"] == 1]), ("week", res)):
        s = forecast.score(sub).iloc[0]
        out[horizon] = {"wmape": _f(s["wmape"]), "mase": _f(s["mase"]), "bias": _f(s["bias"]),
                        **{f"coverage_{lv}": _f(s.get(f"coverage_{lv}")) for lv in LEVELS},
                        "n": int(s["n"])}
    by_lead = forecast.score(res, by=("lead",))
    out["wmape_by_lead"] = [_f(v) for v in by_lead.sort_values("lead")["wmape"]]
    return out


def entry(key, label, kind, calendar, times=None, res=None, note=None, cpu=None, **extra):
    e = {"label": label, "kind": kind, "calendar": calendar,
         "origins": None if times is None else len(times),
         "seconds_per_origin": None if not times else statistics.median(times),
         "seconds_per_origin_max": None if not times else max(times),
         "seconds_per_origin_mean": None if not times else statistics.fmean(times),
         "cpu_seconds_per_origin": None if not cpu else statistics.median(cpu),
         "day": None, "week": None, "wmape_by_lead": None, "note": note}
    if res is not None:
        e.update(scores(res))
    e.update(extra)
    return e


# ------------------------------------------------------------------ runs


def run_ours(factory, hist, origin_days):
    """Backtest one of our models origin by origin; ``(results, seconds, cpu, choices)``."""
    frames, times, cpu, choices = [], [], [], []
    for o in origin_days:
        model = factory()
        _CHOICES.clear()
        c0, t0 = time.process_time(), time.perf_counter()
        res = forecast.rolling_origin(model, hist, [o], lead_days=LEAD_DAYS, level=LEVELS)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        frames.append(res)
        if _CHOICES:
            choices.append({"origin": str(pd.Timestamp(o).date()), **_CHOICES[-1]})
    _CHOICES.clear()
    return pd.concat(frames, ignore_index=True), times, cpu, choices


def sf_origin_data(series, origin, lead_days):
    """Training values before ``origin`` and the next ``lead_days`` days with data."""
    train = series[series.index < origin]
    after = series[series.index >= origin]
    day = after.index.normalize()
    keep_days = pd.DatetimeIndex(day.unique())[:lead_days]
    fut = after[day.isin(keep_days)]
    lead = keep_days.get_indexer(fut.index.normalize()) + 1
    return train.to_numpy(float), fut, lead


def run_sf(factory, components, series, origin_days, ref):
    """Backtest a statsforecast model like ``rolling_origin`` does ours.

    ``ref`` is the seasonal naive's results: the actuals are checked against
    them and their MASE scale is reused.  Returns ``(results, seconds, cpu seconds,
    components per origin, actual mismatches)``.
    """
    frames, times, cpu, comps, mismatches = [], [], [], [], 0
    scale = ref.groupby("origin")["scale"].first()
    for o in origin_days:
        o = pd.Timestamp(o).normalize()
        y, fut, lead = sf_origin_data(series, o, LEAD_DAYS)
        h = len(fut)
        c0, t0 = time.process_time(), time.perf_counter()
        m = factory().fit(y)
        p = m.predict(h=h, level=list(LEVELS))
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        comps.append(str(components(m)))
        out = pd.DataFrame({"queue": QUEUE, "origin": o, "lead": lead, "start": fut.index,
                            "actual": fut.to_numpy(float),
                            "forecast": np.maximum(np.asarray(p["mean"], float), 0.0)})
        for lv in LEVELS:
            lo, hi = p.get(f"lo-{lv}"), p.get(f"hi-{lv}")
            out[f"lo_{lv}"] = np.nan if lo is None else np.maximum(np.asarray(lo, float), 0.0)
            out[f"hi_{lv}"] = np.nan if hi is None else np.asarray(hi, float)
        out["scale"] = float(scale.get(o, np.nan))
        r = ref[ref["origin"] == o].set_index("start")["actual"]
        both = out.set_index("start")["actual"]
        if len(r) != len(both) or not np.array_equal(r.reindex(both.index).to_numpy(),
                                                     both.to_numpy()):
            mismatches += int(max(len(r), len(both)) - (r.reindex(both.index) == both).sum())
        frames.append(out)
    return pd.concat(frames, ignore_index=True), times, cpu, comps, mismatches


def warm_up(specs, sf, hist, log):
    """Run each model once, untimed, on a short stretch (first-call costs)."""
    log("warm-up (untimed) ...")
    frame = hist.frame
    days = pd.DatetimeIndex(sorted(frame["start"].dt.normalize().unique()))
    short = forecast.History(frame[frame["start"] < days[60]].reset_index(drop=True),
                             hist.interval)
    o = forecast.origins(short, 2, step_days=STEP_DAYS, lead_days=LEAD_DAYS)[-1:]
    for key, _, _, factory, _ in specs:
        try:
            forecast.rolling_origin(factory(), short, o, lead_days=LEAD_DAYS, level=LEVELS)
        except Exception:  # noqa: BLE001 - the timed run reports failures
            pass
    _CHOICES.clear()
    if sf:
        s = short.series(QUEUE).to_numpy(float)
        spd = int(short.frame.groupby(short.frame["start"].dt.normalize()).size().iloc[0])
        for _, _, factory, _ in sf_specs(sf, spd):
            try:
                factory().fit(s[-20 * spd:]).predict(h=spd, level=list(LEVELS))
            except Exception:  # noqa: BLE001
                pass


def spread(items, k):
    """``k`` of ``items`` evenly spread, first and last included (all if ``k`` >= len)."""
    if k >= len(items):
        return list(items)
    idx = np.unique(np.linspace(0, len(items) - 1, k).round().astype(int))
    return [items[i] for i in idx]


def bench_minutes(minutes, hist5, cal, n_origins, quick, sf, sf_note, log, sf_ets_origins):
    """Every model at one interval length; ``(models, choices, origins, slots per day)``."""
    hist = hist5.aggregate(minutes)
    origin_days = forecast.origins(hist, n_origins, step_days=STEP_DAYS, lead_days=LEAD_DAYS)
    per_day = hist.frame.groupby(hist.frame["start"].dt.normalize()).size()
    spd = int(per_day.mode().iloc[0])
    models, choices = {}, {}
    specs = [s for s in our_specs(cal) if not (quick and s[0] in SLOW)]
    warm_up(specs, sf, hist, log)
    ref = None
    for key, label, kind, factory, uses_cal in specs:
        log(f"{minutes} min: {label}, {len(origin_days)} origins ...")
        try:
            res, times, cpu, ch = run_ours(factory, hist, origin_days)
        except Exception as exc:  # noqa: BLE001
            models[key] = entry(key, label, kind, uses_cal,
                                note=f"failed ({type(exc).__name__}: {exc})")
            continue
        models[key] = entry(key, label, kind, uses_cal, times, res, cpu=cpu)
        if ch:
            choices[key] = ch
        if key == "seasonal_naive":
            ref = res
    series = hist.series(QUEUE)
    for key, label, factory, components in (sf_specs(sf, spd) if sf else
                                            [("sf_mstl", "statsforecast MSTL", None, None),
                                             ("sf_autoets", "statsforecast AutoETS", None,
                                              None)]):
        if quick and key in SLOW:
            models[key] = entry(key, label, "statsforecast", False,
                                note="left out by --quick")
            continue
        if sf is None or ref is None:
            models[key] = entry(key, label, "statsforecast", False,
                                note=sf_note or "no seasonal-naive reference run")
            continue
        days, note = origin_days, None
        if key == "sf_autoets" and minutes == 15 and sf_ets_origins < len(origin_days):
            if sf_ets_origins < 1:
                models[key] = entry(key, label, "statsforecast", False,
                                    note="left out (--sf-ets-15min-origins 0)")
                continue
            days = spread(origin_days, sf_ets_origins)
            note = (f"slow: run on {len(days)} of the {len(origin_days)} origins only ("
                    + ", ".join(str(pd.Timestamp(d).date()) for d in days)
                    + "); not comparable with the other rows")
        log(f"{minutes} min: {label}, {len(days)} origins ...")
        try:
            with np.errstate(all="ignore"):
                res, times, cpu, comps, bad = run_sf(factory, components, series, days, ref)
        except Exception as exc:  # noqa: BLE001 - API drift between statsforecast versions
            models[key] = entry(key, label, "statsforecast", False,
                                note=f"failed ({type(exc).__name__}: {exc})")
            continue
        models[key] = entry(key, label, "statsforecast", False, times, res, note=note, cpu=cpu,
                            components_per_origin=comps, sf_actuals_match=bad == 0,
                            sf_actual_mismatches=bad)
    return models, choices, [str(pd.Timestamp(o).date()) for o in origin_days], spd


# -------------------------------------------------------------------- main


def cpu_name():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _version(module):
    try:
        from importlib.metadata import version
        return version(module)
    except Exception:  # noqa: BLE001
        return None


def _get(models, key, horizon, metric):
    e = models.get(key)
    if not e or not e.get(horizon):
        return None
    return e[horizon].get(metric)


def _within(x, bounds):
    return None if x is None else bool(bounds[0] <= x <= bounds[1])


def headline(tables, variant, suffix):
    """The flat keys of one variant of the auto-selected forecast."""
    out = {}
    for minutes, models in tables.items():
        for horizon in ("week", "day"):
            for metric in ("wmape", "mase", "bias"):
                out[f"{metric}_{minutes}min_{horizon}{suffix}"] = _get(models, variant, horizon,
                                                                       metric)
            for lv in LEVELS:
                out[f"coverage{lv}_{minutes}min_{horizon}{suffix}"] = _get(
                    models, variant, horizon, f"coverage_{lv}")
        e = models.get(variant) or {}
        out[f"fit_seconds_{minutes}min{suffix}"] = e.get("seconds_per_origin")
        out[f"fit_seconds_{minutes}min_max{suffix}"] = e.get("seconds_per_origin_max")
        out[f"fit_cpu_seconds_{minutes}min{suffix}"] = e.get("cpu_seconds_per_origin")
    return out


def goals(flat, best, suffix):
    w = flat.get(f"wmape_30min_week{suffix}")
    return {
        f"goal_wmape_10pct_below_best_baseline_met{suffix}":
            None if w is None or best is None else bool(w <= (1 - GOAL_WMAPE_REDUCTION) * best),
        f"goal_coverage80_met{suffix}": _within(flat.get(f"coverage80_30min_week{suffix}"),
                                                GOAL_COVERAGE[80]),
        f"goal_coverage95_met{suffix}": _within(flat.get(f"coverage95_30min_week{suffix}"),
                                                GOAL_COVERAGE[95]),
        f"goal_fit_2s_15min_met{suffix}":
            None if flat.get(f"fit_seconds_15min{suffix}") is None
            else bool(flat[f"fit_seconds_15min{suffix}"] <= GOAL_FIT_SECONDS),
    }


def run(args, log):
    hist5, cal, info = load(args.data)
    sf, sf_version, sf_note = load_statsforecast()
    tables, choices, origin_list, spd = {}, {}, {}, {}
    for minutes in MINUTES:
        m, c, o, s = bench_minutes(minutes, hist5, cal, args.origins, args.quick, sf, sf_note,
                                   log, args.sf_ets_15min_origins)
        tables[str(minutes)], choices[str(minutes)] = m, c
        origin_list[str(minutes)], spd[str(minutes)] = o, s
    m30 = tables["30"]
    cands = [(k, _get(m30, k, "week", "wmape")) for k in BASELINES]
    cands = [(k, v) for k, v in cands if v is not None]
    best_name, best = min(cands, key=lambda kv: kv[1]) if cands else (None, None)
    flat = {**headline(tables, "auto", ""), **headline(tables, "auto_no_calendar",
                                                       "_no_calendar")}
    w, wn = flat["wmape_30min_week"], flat["wmape_30min_week_no_calendar"]
    notes = []
    if args.quick:
        notes.append(f"--quick: {args.origins} origins, without "
                     f"{', '.join(SLOW)}; not a full benchmark")
    if args.origins < 8:
        notes.append(f"{args.origins} origins: fewer than the 8 the backtest needs to be "
                     "meaningful")
    if sf is None:
        notes.append(sf_note)
    for minutes, models in tables.items():
        for key, e in models.items():
            if key.startswith("sf_") and e.get("note") and e["week"] is not None:
                notes.append(f"{minutes} min {key}: {e['note']}")
    return {
        "skipped": False,
        "data": str(args.data),
        "queue": QUEUE,
        **info,
        "calendar_used_by": "auto and the individual models; not the baselines "
                            "(ours and statsforecast's) nor auto_no_calendar",
        "origins": origin_list["30"],
        "origins_15min": origin_list["15"],
        "lead_days": LEAD_DAYS,
        "step_days": STEP_DAYS,
        "levels": list(LEVELS),
        "slots_per_day": spd,
        "quick": args.quick,
        **flat,
        "best_baseline_name": best_name,
        "best_baseline_wmape_30min_week": best,
        "baseline_wmape_30min_week": dict(cands),
        "wmape_reduction_vs_best_baseline": None if w is None or not best else 1 - w / best,
        "wmape_reduction_vs_best_baseline_no_calendar":
            None if wn is None or not best else 1 - wn / best,
        **goals(flat, best, ""),
        **goals(flat, best, "_no_calendar"),
        "models": tables,
        "auto_choices": choices,
        "notes": notes,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "statsmodels": _version("statsmodels"),
        "statsforecast": sf_version,
        "cpu": cpu_name(),
    }


def skipped(path):
    return {"skipped": True, "data": str(path),
            "reason": f"data file not found: {path} (the bank call counts are not in the "
                      "repository; put bank_calls.csv in ../shared/data/ next to the "
                      "checkout or give --data PATH)"}


# ------------------------------------------------------------------ report


def _yes(flag):
    return "n/a" if flag is None else ("MET" if flag else "NOT MET")


def _pct(x, digits=2):
    return "   n/a" if x is None else f"{100 * x:6.{digits}f}%"


def report(s):
    out = []
    p = out.append
    p("Forecast benchmark: rolling origin on the bank call counts")
    p(f"  cpu: {s['cpu']}  python {s['python']}  numpy {s['numpy']}  pandas {s['pandas']}  "
      f"statsmodels {s['statsmodels']}  statsforecast {s['statsforecast']}")
    p(f"Data: {s['data']}: {s['rows']:,} rows, {s['days']} days {s['first_day']} to "
      f"{s['last_day']}, {s['first_start']}-{s['last_start']} starts")
    p(f"Calendar: closed {', '.join(s['closed_days'])}; after_closure events "
      f"{', '.join(s['after_closure_days'])}")
    p(f"Origins ({len(s['origins'])}, every {s['step_days']} days): {s['origins'][0]} .. "
      f"{s['origins'][-1]}; {s['lead_days']} business days ahead; 'day' = lead 1, "
      f"'week' = leads 1-{s['lead_days']}")
    for minutes in MINUTES:
        models = s["models"][str(minutes)]
        p("")
        p(f"{minutes} minutes ({s['slots_per_day'][str(minutes)]} slots a day)")
        p(f"  {'model':<19}{'cal':>4} {'wMAPE day':>10} {'wMAPE wk':>9} {'MASE wk':>8} "
          f"{'cov80 wk':>9} {'cov95 wk':>9} {'s/origin':>9} {'cpu s':>7}")
        for key, e in models.items():
            if e["week"] is None:
                p(f"  {key:<19}{'':>4} {e['note']}")
                continue
            wk, dy = e["week"], e["day"]
            mase = "n/a" if wk["mase"] is None else f"{wk['mase']:.3f}"
            few = "" if e["origins"] == len(s["origins"]) else f"  ({e['origins']} origins)"
            p(f"  {key:<19}{'yes' if e['calendar'] else 'no':>4} {_pct(dy['wmape']):>10} "
              f"{_pct(wk['wmape']):>9} {mase:>8} {_pct(wk['coverage_80'], 1):>9} "
              f"{_pct(wk['coverage_95'], 1):>9} {e['seconds_per_origin']:9.3f} "
              f"{e['cpu_seconds_per_origin']:7.3f}{few}")
        for variant, ch in s["auto_choices"].get(str(minutes), {}).items():
            counts = {}
            for c in ch:
                for name in c["chosen"].values():
                    counts[name] = counts.get(name, 0) + 1
            p(f"  {variant} chose: " + ", ".join(f"{n} x{k}" for n, k in
                                                 sorted(counts.items(), key=lambda x: -x[1])))
    p("")
    p("Auto-selected forecast, 30 minutes, leads 1-5:  with calendar | without")
    for label, key in (("wMAPE", "wmape_30min_week"), ("wMAPE, one day ahead", "wmape_30min_day"),
                       ("80% coverage", "coverage80_30min_week"),
                       ("95% coverage", "coverage95_30min_week")):
        p(f"  {label:<22} {_pct(s[key])} | {_pct(s[key + '_no_calendar'])}")
    mase_c, mase_n = s["mase_30min_week"], s["mase_30min_week_no_calendar"]
    p(f"  {'MASE':<22} {'n/a' if mase_c is None else f'{mase_c:7.3f}'} | "
      f"{'n/a' if mase_n is None else f'{mase_n:7.3f}'}")
    best = s["best_baseline_wmape_30min_week"]
    p(f"  best baseline: {s['best_baseline_name']} ({_pct(best).strip()}); reduction "
      f"{_pct(s['wmape_reduction_vs_best_baseline']).strip()} with the calendar, "
      f"{_pct(s['wmape_reduction_vs_best_baseline_no_calendar']).strip()} without")
    p("Goals (auto with the calendar; without it in brackets):")
    lo80, hi80 = GOAL_COVERAGE[80]
    lo95, hi95 = GOAL_COVERAGE[95]
    for label, key in ((f"wMAPE >= {GOAL_WMAPE_REDUCTION:.0%} below the best baseline",
                        "goal_wmape_10pct_below_best_baseline_met"),
                       (f"80% intervals cover {lo80:.0%}-{hi80:.0%}", "goal_coverage80_met"),
                       (f"95% intervals cover {lo95:.0%}-{hi95:.0%}", "goal_coverage95_met"),
                       (f"fit + forecast at 15 min <= {GOAL_FIT_SECONDS:g} s per origin "
                        f"(median {s['fit_seconds_15min']:.2f} s, max "
                        f"{s['fit_seconds_15min_max']:.2f} s)" if s['fit_seconds_15min']
                        else "fit + forecast at 15 min", "goal_fit_2s_15min_met")):
        p(f"  {label}: {_yes(s[key])} ({_yes(s[key + '_no_calendar'])})")
    for n in s["notes"]:
        p(f"Note: {n}")
    return "\n".join(out)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA,
                    help="the bank call counts CSV (default ../shared/data/bank_calls.csv "
                         "from the repository root)")
    ap.add_argument("--origins", type=int, default=None,
                    help=f"weekly origins (default {FULL['origins']}; {QUICK['origins']} with "
                         "--quick)")
    ap.add_argument("--sf-ets-15min-origins", type=int, default=SF_ETS_15MIN_ORIGINS,
                    help=f"origins (evenly spread) for statsforecast's AutoETS at 15 minutes, "
                         f"its slowest run (default {SF_ETS_15MIN_ORIGINS}; 0 leaves it out; "
                         "the number of origins or more runs it on all)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: fewer origins, without the two slowest models")
    ap.add_argument("--json", action="store_true", help="print only a JSON summary")
    args = ap.parse_args(argv)
    if args.origins is None:
        args.origins = (QUICK if args.quick else FULL)["origins"]
    if args.origins < 1:
        ap.error("--origins must be >= 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    log = (lambda msg: print(msg, file=sys.stderr, flush=True)) if args.json else \
        (lambda msg: print(msg, flush=True))
    if not Path(args.data).is_file():
        summary = skipped(args.data)
        log(f"forecast benchmark skipped: {summary['reason']}")
        if args.json:
            print(json.dumps(summary, indent=2))
        return 0
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # statsmodels' convergence chatter
        summary = run(args, log)
    summary["total_seconds"] = time.perf_counter() - t0
    if args.json:
        print(json.dumps(summary, indent=2, default=_json_default))
    else:
        print()
        print(report(summary))
        print(f"\n(total {summary['total_seconds']:.0f} s)")
    return 0


def _json_default(x):
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (pd.Timestamp,)):
        return str(x)
    raise TypeError(f"not JSON serialisable: {type(x).__name__}")


if __name__ == "__main__":
    sys.exit(main())
