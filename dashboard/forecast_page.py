"""Forecast page: history and forecast with bands, the backtest of the models."""

import streamlit as st

from . import charts, state


def render():
    st.header("Forecast")
    sc = state.base()
    fc, models = state.need_forecast()
    hist = state.history()
    queue = st.selectbox("Queue", [q.name for q in sc.queues], key="fc_queue")
    c1, c2 = st.columns(2)
    back = c1.slider("Days of history shown", 1, 56, 14, key="fc_back")
    ahead = c2.slider("Days of forecast shown", 1, 7 * sc.weeks, min(14, 7 * sc.weeks),
                      key="fc_ahead")
    st.altair_chart(charts.forecast_chart(hist, fc, queue, back, ahead), width="stretch")
    st.caption("Grey: history. Blue line: forecast; bands: 80% and 95% prediction intervals "
               "(conformal, from the backtest errors).")
    mine = models[models["queue"] == queue]
    chosen = mine[mine["chosen"]]
    if not chosen.empty:
        row = chosen.iloc[0]
        text = f"Model chosen for {queue}: **{row['model']}**"
        if "wmape" in mine.columns and row.notna().get("wmape", False):
            text += f", backtest wMAPE {row['wmape']:.1%}"
        st.markdown(text)
    st.subheader("Backtest of the candidate models")
    st.dataframe(mine.drop(columns="queue"), hide_index=True,
                 column_config={"wmape": st.column_config.NumberColumn(format="%.4f"),
                                "mase": st.column_config.NumberColumn(format="%.3f"),
                                "bias": st.column_config.NumberColumn(format="%.4f")})
    days = fc[fc["queue"] == queue].groupby(fc["start"].dt.date)[["forecast", "aht"]].agg(
        {"forecast": "sum", "aht": "mean"})
    st.subheader("Daily totals")
    st.dataframe(days.rename(columns={"forecast": "contacts", "aht": "mean AHT (s)"}))
