"""Fast what-if staffing against erlang/ directly and against conservation."""

import numpy as np
import pandas as pd
import pytest

from ccwfm import erlang
from ccwfm.plan import Scenario, forecast_demand, quick_plan

TOML = """
[scenario]
name = "wi"
start = 2024-03-04
weeks = 1

[[queues]]
name = "voice"
forecast = "fc.csv"
patience = 120
target = { service_level = 0.8, target_time = 20 }
bot = { containment = 0.2, time = 30, abandon = 0.0, uplift = 1.2 }

[[queues]]
name = "mail"
channel = "email"
forecast = "fc.csv"
target = { asa = 3600 }

[workforce]
interval = 30
hourly_cost = 20.0
shrinkage = { breaks = 0.1, absence = 0.1 }

[capacity]
fte_hours = 40.0

[finance]
bot_contact_cost = 0.5
abandon_cost = 4.0
"""


@pytest.fixture()
def given(tmp_path):
    grid = pd.date_range("2024-03-04", periods=7 * 48, freq="30min")
    hour = grid.hour + grid.minute / 60
    shape = np.where((hour >= 8) & (hour < 20), 1 + np.sin((hour - 8) / 12 * np.pi), 0.0)
    rows = []
    for q, scale, aht in (("voice", 80.0, 240.0), ("mail", 20.0, 400.0)):
        rows.append(pd.DataFrame({"queue": q, "start": grid, "forecast": scale * shape,
                                  "aht": aht}))
    pd.concat(rows).to_csv(tmp_path / "fc.csv", index=False)
    sc = Scenario.from_toml(TOML)
    fc, models = forecast_demand(sc, base_dir=tmp_path)
    return sc, fc, models


def test_requirements_match_erlang_directly(given):
    sc, fc, models = given
    assert models["model"].tolist() == ["given", "given"]
    qp = quick_plan(sc, fc)
    voice = qp.requirements[qp.requirements["queue"] == "voice"]
    vol = fc[fc["queue"] == "voice"]["forecast"].to_numpy()
    # Bot: 20 % contained; the rest reach agents 1.2 times longer.
    want = erlang.required_agents(vol * 0.8, 240.0 * 1.2, service_level=0.8, target_time=20,
                                  interval=1800, patience=120)
    np.testing.assert_array_equal(voice["required"].to_numpy(), want)
    mail = qp.requirements[qp.requirements["queue"] == "mail"]
    vol = fc[fc["queue"] == "mail"]["forecast"].to_numpy()
    np.testing.assert_array_equal(mail["required"].to_numpy(),
                                  erlang.required_agents(vol, 400.0, asa=3600, interval=1800))


def test_fte_cost_and_kpis_add_up(given):
    sc, fc, _ = given
    qp = quick_plan(sc, fc)
    req = qp.requirements
    paid = req["required"].sum() / (1 - 0.2) * 0.5          # hours
    assert qp.fte == pytest.approx(paid / 1 / 40.0)
    cost = qp.cost.to_frame().set_index("item")["cost"]
    assert cost["wages"] == pytest.approx(paid * 20.0)
    assert cost["bot contacts"] == pytest.approx(0.2 * fc[fc["queue"] == "voice"]["forecast"]
                                                 .sum() * 0.5)
    assert cost["total"] == pytest.approx(cost.drop("total").sum())
    assert qp.total_cost == pytest.approx(cost["total"])
    s = qp.summary.set_index("queue")
    assert s.loc["voice", "offered"] == pytest.approx(s.loc["voice", "contained"]
                                                      + s.loc["voice", "to_agents"])
    assert 0.8 <= s.loc["voice", "service_level"] <= 1.0
    assert s.loc["mail", "asa"] <= 3600


def test_what_if_moves_the_right_way(given):
    sc, fc, _ = given
    base = quick_plan(sc, fc).fte
    more_bot = quick_plan(sc.with_overrides({"queues.voice.bot.containment": 0.5}), fc).fte
    stricter = quick_plan(sc.with_overrides({"queues.voice.target.service_level": 0.95}), fc).fte
    longer = quick_plan(sc.with_overrides({"queues.voice.aht_scale": 1.1}), fc).fte
    more_shrink = quick_plan(sc.with_overrides({"workforce.shrinkage": {"all": 0.35}}), fc).fte
    assert more_bot < base < stricter
    assert longer > base
    assert more_shrink > base


def test_forecast_missing_a_queue_is_an_error(given):
    sc, fc, _ = given
    with pytest.raises(ValueError, match="'forecast' has no rows for queue 'mail'"):
        quick_plan(sc, fc[fc["queue"] == "voice"])
