"""A scenario queue planned from a call log, pooling several of the log's queues."""

import tomllib

import pytest

from ccwfm.plan import Scenario, ScenarioError, load_histories
from tests._acdlog import synthetic_log

TOML = """
[scenario]
name = "pooled"
start = 2024-02-05
weeks = 1
history_weeks = 4

[[queues]]
name = "retail"
acd = "calls.txt"
{extra}
target = {{ service_level = 0.8, target_time = 20 }}

[workforce]
interval = 60
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("acd")
    log = synthetic_log(seed=5, days=7, rate=60.0, vru_only=0.05, phantom=0.01)
    (path / "calls.txt").write_text(log.text)
    return path, log


def _scenario(extra):
    return Scenario.from_dict(tomllib.loads(TOML.format(extra=extra)))


def test_pooled_queue_counts_every_contact_of_its_queues(folder):
    path, log = folder
    sc = _scenario('acd_queues = ["PS", "NE"]')
    hist = load_histories(sc, base_dir=path)["retail"].frame
    truth = log.calls[log.calls["outcome"].isin(["answered", "abandoned"])
                      & log.calls["queue"].isin(["PS", "NE"])]
    assert hist["volume"].sum() == len(truth)
    by_hour = truth.groupby(truth["arrival"].dt.floor("60min")).size()
    got = hist.set_index("start")["volume"]
    assert (got.reindex(by_hour.index) == by_hour).all()
    assert set(hist["queue"]) == {"retail"}


def test_round_trip_and_errors(folder):
    path, _ = folder
    sc = _scenario('acd_queues = ["PS", "NE"]')
    assert Scenario.from_dict(tomllib.loads(sc.to_toml())) == sc
    with pytest.raises(ScenarioError, match=r"'queues\[retail\]\.acd_queues'"):
        load_histories(_scenario('acd_queues = ["PS", "XX"]'), base_dir=path)
    with pytest.raises(ValueError, match=r"acd_queues"):
        Scenario.from_dict(tomllib.loads(TOML.format(extra='acd_queues = ["PS"]').replace(
            'acd = "calls.txt"', 'demo = "voice"')))
    with pytest.raises(ValueError, match=r"acd_queues\[1\]"):
        _scenario('acd_queues = ["PS", ""]')
    # Without acd_queues the log must hold a queue of that name (or only one queue).
    with pytest.raises(ScenarioError, match="none with this name"):
        load_histories(_scenario(""), base_dir=path)
