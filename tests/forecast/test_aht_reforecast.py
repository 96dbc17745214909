"""AHT forecast and intraday reforecast, against known patterns and hand arithmetic."""

import pandas as pd
import pytest

from ccwfm.forecast import History
from ccwfm.forecast.aht import AhtForecaster
from ccwfm.forecast.reforecast import reforecast


def _history(weeks=6, level=300.0, bump=1.2, jump_days=0, jump=1.0):
    """Two slots a day, Monday-Friday; slot 1 on Mondays takes ``bump`` times longer."""
    rows = []
    days = pd.bdate_range("2025-01-06", periods=5 * weeks)
    for i, d in enumerate(days):
        lv = level * (jump if i >= len(days) - jump_days else 1.0)
        for slot, hour in enumerate((9, 10)):
            factor = bump if (d.weekday() == 0 and slot == 1) else 1.0
            rows.append(("voice", d + pd.Timedelta(hours=hour), 100.0, lv * factor))
    df = pd.DataFrame(rows, columns=["queue", "start", "volume", "aht"])
    return History.from_frame(df, interval=60)


def test_aht_shape_and_level_recovered():
    f = AhtForecaster(weeks=4, level_days=5, shrink=0.0).fit(_history())
    out = f.predict(7)
    monday = out[out["start"].dt.day_of_week == 0]
    # Mean AHT of the weeks = 300 * (1 + 0.2 * 1/10) = 306; shape relative to it.
    assert monday["aht"].tolist() == pytest.approx([300.0, 360.0], rel=1e-9)
    tuesday = out[out["start"].dt.day_of_week == 1]
    assert tuesday["aht"].tolist() == pytest.approx([300.0, 300.0], rel=1e-9)
    assert (out["lo_80"] <= out["aht"]).all() and (out["hi_95"] >= out["hi_80"]).all()


def test_aht_level_follows_a_recent_change():
    f = AhtForecaster(weeks=4, level_days=5, shrink=0.0).fit(_history(jump_days=5, jump=1.1))
    out = f.predict(7)
    tuesday = out[out["start"].dt.day_of_week == 1]
    # The last five days run 10% longer: the level moves there; the shape stays.
    assert tuesday["aht"].tolist() == pytest.approx([330.0, 330.0], rel=0.02)


def test_aht_errors():
    with pytest.raises(ValueError, match="'weeks' must be a whole number >= 1: 0"):
        AhtForecaster(weeks=0)
    h = _history()
    no_aht = History.from_frame(h.frame.drop(columns="aht"), interval=60)
    with pytest.raises(ValueError, match="no AHT values"):
        AhtForecaster().fit(no_aht)


def test_reforecast_by_hand():
    start = pd.date_range("2025-03-03 08:00", periods=6, freq="h")
    fc = pd.DataFrame({"queue": "voice", "start": start, "forecast": 50.0,
                       "lo_80": 40.0, "hi_80": 60.0})
    act = pd.DataFrame({"queue": "voice", "start": start[:3], "volume": [40, 45, 35]})
    out = reforecast(fc, act, "2025-03-03 11:00", cv=0.2)
    k = 1 / 0.2 ** 2                          # 25
    m = (k + 120) / (k + 150)                  # 145 / 175
    assert out["forecast"].iloc[:3].tolist() == [50.0, 50.0, 50.0]
    assert out["forecast"].iloc[3:].tolist() == pytest.approx([50 * m] * 3)
    assert out["hi_80"].iloc[5] == pytest.approx(60 * m)
    assert out["multiplier"].iloc[4] == pytest.approx(m)


def test_reforecast_little_evidence_moves_little():
    start = pd.date_range("2025-03-03 08:00", periods=4, freq="h")
    fc = pd.DataFrame({"queue": "voice", "start": start, "forecast": 2.0})
    act = pd.DataFrame({"queue": "voice", "start": start[:1], "volume": [6]})
    out = reforecast(fc, act, "2025-03-03 09:00", cv=0.1)
    assert out["multiplier"].iloc[3] == pytest.approx((100 + 6) / (100 + 2))


def test_reforecast_leaves_other_days_and_queues():
    start = pd.date_range("2025-03-03 08:00", periods=3, freq="h").append(
        pd.date_range("2025-03-04 08:00", periods=3, freq="h"))
    fc = pd.concat([pd.DataFrame({"queue": q, "start": start, "forecast": 10.0})
                    for q in ("voice", "chat")], ignore_index=True)
    act = pd.DataFrame({"queue": "voice", "start": start[:1], "volume": [30]})
    out = reforecast(fc, act, "2025-03-03 09:00", cv={"voice": 0.5, "chat": 0.5})
    assert (out.loc[out["queue"] == "chat", "forecast"] == 10.0).all()
    assert (out.loc[out["start"].dt.day == 4, "forecast"] == 10.0).all()
    assert (out.loc[(out["queue"] == "voice") & (out["start"].dt.day == 3), "forecast"]
            .iloc[1:] > 10.0).all()


def test_reforecast_rejects_bad_actuals():
    fc = pd.DataFrame({"queue": "voice", "start": pd.date_range("2025-03-03 08:00", periods=2,
                                                                 freq="h"), "forecast": 1.0})
    act = pd.DataFrame({"queue": "voice", "start": fc["start"][:1], "volume": [-1.0]})
    with pytest.raises(ValueError, match="'actuals.volume' must be finite and >= 0: -1.0"):
        reforecast(fc, act, "2025-03-03 09:00")
