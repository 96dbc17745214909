"""Forecast page: history next to forecast (contacts and AHT) over a chosen window,
the backtest of the models and the forecast's daily totals."""

import datetime

import pandas as pd
import streamlit as st

from . import charts, fmt, state

GRAIN_NAMES = {"interval": "every {interval}-minute interval", "hour": "hourly totals",
               "day": "daily totals"}
DETAIL = ["auto", "interval", "hour", "day"]


def default_window(history, fc):
    """The window shown first, as dates ``(first, last)`` (last included): the last 14
    days of history and the first 14 days of the forecast, within the data.

    Examples
    --------
    >>> h = pd.DataFrame({"start": pd.date_range("2025-06-01", "2025-08-31 23:45", freq="1h")})
    >>> f = pd.DataFrame({"start": pd.date_range("2025-09-01", "2025-09-28 23:45", freq="1h")})
    >>> [f"{d:%d %b}" for d in default_window(h, f)]
    ['18 Aug', '14 Sep']
    """
    lo, hi = _bounds(history, fc)
    first = (fc["start"].min() if not fc.empty else history["start"].max()).normalize()
    a = max(lo, (first - pd.Timedelta(days=14)).date())
    b = min(hi, (first + pd.Timedelta(days=13)).date())
    return a, max(a, b)


def _bounds(history, fc):
    times = pd.concat([history["start"], fc["start"]])
    return times.min().date(), times.max().date()


def daily_totals(fc):
    """One queue's forecast per day: ``day`` (midnight), ``contacts`` (summed) and ``aht``
    (seconds, contacts-weighted mean).

    Examples
    --------
    >>> f = pd.DataFrame({"start": pd.to_datetime(["2025-09-01 08:00", "2025-09-01 08:15"]),
    ...                   "forecast": [10.0, 30.0], "aht": [200.0, 400.0]})
    >>> daily_totals(f)[["contacts", "aht"]].to_numpy().tolist()
    [[40.0, 350.0]]
    """
    day = fc["start"].dt.normalize()
    contacts = fc.groupby(day)["forecast"].sum()
    weight = fc["forecast"].where(fc["aht"].notna(), 0.0)
    aht = (fc["aht"].fillna(0.0) * weight).groupby(day).sum() / weight.groupby(day).sum()
    return pd.DataFrame({"day": contacts.index, "contacts": contacts.to_numpy(),
                         "aht": aht.reindex(contacts.index).to_numpy()})


def render():
    st.header("Forecast")
    sc = state.base()
    fc, models = state.need_forecast()
    hist = state.history()
    queue = st.selectbox("Queue", [q.name for q in sc.queues], key="fc_queue")
    h = hist[hist["queue"] == queue]
    f = fc[fc["queue"] == queue]
    if h.empty and f.empty:
        st.info(f"No history or forecast for {queue}.")
        return
    lo, hi = _bounds(h, f)
    kept = st.session_state.get("fc_window")
    if kept is None or not lo <= kept[0] <= kept[1] <= hi:    # first visit, or another
        kept = default_window(h, f)                           # queue's dates: the default
    st.session_state["fc_window"] = kept     # kept when another queue changes the bounds
    c1, c2 = st.columns([3, 1])
    window = c1.slider("Window (history, then forecast)", min_value=lo, max_value=hi,
                       step=datetime.timedelta(days=1), format="ddd DD MMM YYYY",
                       key="fc_window")
    detail = c2.selectbox("Detail", DETAIL, key="fc_detail",
                          help="auto: every interval up to 7 days, hourly up to 21, "
                               "daily beyond")
    start = pd.Timestamp(window[0])
    end = pd.Timestamp(window[1]) + pd.Timedelta(days=1)
    days = (end - start) / pd.Timedelta(days=1)
    grain = charts.choose_grain(days) if detail == "auto" else detail
    interval = sc.workforce.interval
    st.subheader("Contacts offered")
    st.altair_chart(charts.demand_chart(hist, fc, queue, "volume", start, end, grain, interval),
                    width="stretch")
    st.subheader("Average handling time")
    st.altair_chart(charts.demand_chart(hist, fc, queue, "aht", start, end, grain, interval),
                    width="stretch")
    shown = GRAIN_NAMES[grain].format(interval=interval)
    st.caption(f"{start:%a %d %b %Y} to {end - pd.Timedelta(days=1):%a %d %b %Y} "
               f"({days:.0f} day{'s' if round(days) != 1 else ''}), {shown}. "
               "Grey: history; blue: forecast"
               + ("; bands: 80% and 95% prediction intervals (conformal, from the backtest "
                  "errors)" if grain == "interval" else
                  " (prediction bands at the interval detail only)")
               + ". AHT: contacts-weighted mean. Gaps: closed hours (no contacts expected).")
    mine = models[models["queue"] == queue]
    chosen = mine[mine["chosen"]]
    if not chosen.empty:
        row = chosen.iloc[0]
        text = f"Model chosen for {queue}: **{row['model']}**"
        if "wmape" in mine.columns and row.notna().get("wmape", False):
            text += f", backtest wMAPE {row['wmape']:.1%}"
        st.markdown(text)
    st.subheader("Backtest of the candidate models")
    fmt.table(mine.drop(columns="queue"), kinds={"wmape": "pct", "bias": "pct",
                                                 "mase": "number"}, key="fc_models")
    st.caption("wMAPE: weighted mean absolute percentage error of the backtest; MASE: "
               "error relative to a seasonal naive forecast (below 1: better); bias: "
               "forecast minus actual, relative to the actual volume (positive: over-forecast).")
    st.subheader("Daily totals of the forecast")
    fmt.table(daily_totals(f), kinds={"day": "date", "contacts": "number", "aht": "seconds"},
              key="fc_days")
