"""Scenario comparison on a Dask cluster equals the in-process run."""

import pandas as pd
import pytest

from ccwfm.plan.scenario import Scenario
from ccwfm.plan.scenarios import compare

SCENARIO = """
[scenario]
name = "base"
start = 2025-09-01
weeks = 1
history_weeks = 12
[[queues]]
name = "voice"
demo = true
patience = 180
[workforce]
interval = 60
[simulation]
replications = 2
[[variants]]
name = "bot"
overrides = { "queues.voice.bot" = { containment = 0.3 } }
"""


def test_local_cluster_on_loopback_gives_the_local_results():
    distributed = pytest.importorskip("distributed")
    sc = Scenario.from_toml(SCENARIO)
    local = compare(sc)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        remote = compare(sc, scheduler=cluster.scheduler_address)
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    pd.testing.assert_frame_equal(local, remote)
    assert local["scenario"].tolist() == ["base", "bot"]
    # A bot resolving 30% of the calls needs fewer agent-hours.
    assert local["scheduled_agent_hours"].iloc[1] < local["scheduled_agent_hours"].iloc[0]
