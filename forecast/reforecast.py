"""Intraday reforecast: today's actuals so far update the rest of the day."""

import numpy as np
import pandas as pd

from ccwfm._validation import number


def reforecast(forecast, actuals, now, *, cv=0.1):
    """Scale the rest of today's forecast by what the day has shown so far.

    A day's volume runs above or below forecast as a whole (weather, a
    letter, an outage), so the ratio of actual to forecast contacts in the
    elapsed intervals says how the remaining ones will go.  The day's
    multiplier ``m`` has a Gamma prior of mean 1 and coefficient of
    variation ``cv`` (the queue's day-to-day variation around its forecast);
    with Poisson arrivals, ``X`` contacts seen against ``F`` forecast give
    the posterior mean ``m = (1/cv**2 + X) / (1/cv**2 + F)``: little evidence
    moves little, a busy morning moves a lot.

    Parameters
    ----------
    forecast : pandas.DataFrame
        A model's forecast: ``queue``, ``start``, ``forecast`` and optional
        ``lo_*``/``hi_*`` bounds, covering today.
    actuals : pandas.DataFrame
        ``queue``, ``start``, ``volume`` of today's elapsed intervals.
    now : str or Timestamp
        The current time; intervals starting before it are elapsed.
    cv : float or dict
        Day-level coefficient of variation (> 0), per queue if a dict.

    Returns
    -------
    pandas.DataFrame
        ``forecast`` with the remaining intervals of today scaled (point and
        bounds) and a ``multiplier`` column (1 elsewhere).

    Examples
    --------
    >>> fc = pd.DataFrame({"queue": "voice", "start": pd.date_range("2025-03-03 08:00",
    ...                    periods=4, freq="h"), "forecast": [100.0, 100.0, 100.0, 100.0]})
    >>> act = pd.DataFrame({"queue": "voice", "start": fc["start"][:2], "volume": [130, 130]})
    >>> out = reforecast(fc, act, "2025-03-03 10:00", cv=0.1)
    >>> float(out["forecast"].iloc[3])
    120.0
    """
    now = pd.Timestamp(now)
    for col in ("queue", "start", "forecast"):
        if col not in forecast.columns:
            raise ValueError(f"'forecast' needs column {col!r}")
    for col in ("queue", "start", "volume"):
        if col not in actuals.columns:
            raise ValueError(f"'actuals' needs column {col!r}")
    bad = ~np.isfinite(actuals["volume"].to_numpy(float)) | (actuals["volume"] < 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"'actuals.volume' must be finite and >= 0: "
                         f"{float(actuals['volume'].iloc[i])!r} (row {i + 1})")
    out = forecast.copy()
    out["multiplier"] = 1.0
    today = now.normalize()
    day = out["start"].dt.normalize()
    bounds = [c for c in out.columns if c.startswith(("lo_", "hi_"))]
    for q in out["queue"].unique():
        c = cv.get(q, 0.1) if isinstance(cv, dict) else cv
        number("cv", c, lo=0, lo_open=True, finite=False)
        k = 1.0 / c ** 2
        mine = (out["queue"] == q) & (day == today)
        elapsed = mine & (out["start"] < now)
        seen = actuals[(actuals["queue"] == q) & (actuals["start"] >= today)
                       & (actuals["start"] < now)]
        f = out.loc[elapsed & out["start"].isin(seen["start"]), "forecast"].sum()
        x = seen["volume"].sum()
        m = (k + x) / (k + f)
        rest = mine & (out["start"] >= now)
        out.loc[rest, "multiplier"] = m
        out.loc[rest, ["forecast"] + bounds] *= m
    return out
