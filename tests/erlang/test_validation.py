"""Bad input raises ValueError naming the argument, the rule and the value."""

import numpy as np
import pytest

from ccwfm import erlang


@pytest.mark.parametrize("call, message", [
    (lambda: erlang.metrics(14, 100, -3.0), "'aht' must be > 0: -3.0"),
    (lambda: erlang.metrics(14, 100, 0), "'aht' must be > 0: 0.0"),
    (lambda: erlang.metrics(14, -5, 180), "'volume' must be >= 0: -5.0"),
    (lambda: erlang.metrics(14, [100, np.nan], 180),
     "'volume' must not be NaN: nan (at index 1)"),
    (lambda: erlang.metrics(14, np.inf, 180), "'volume' must be finite: inf"),
    (lambda: erlang.metrics(-0.5, 100, 180), "'agents' must be >= 0: -0.5"),
    (lambda: erlang.metrics(-1, 100, 180), "'agents' must be >= 0: -1.0"),
    (lambda: erlang.metrics(14, 100, 180, interval=0), "'interval' must be > 0: 0.0"),
    (lambda: erlang.metrics(14, 100, 180, target_time=-1), "'target_time' must be >= 0: -1.0"),
    (lambda: erlang.metrics(14, 100, 180, patience=0), "'patience' must be > 0: 0.0"),
    (lambda: erlang.metrics(14, 100, 180, patience=np.nan), "'patience' must not be NaN: nan"),
    (lambda: erlang.metrics(14, 100, 180, patience=[60, 1e12]),
     "'patience' must be <= 2.592e+06 seconds (limit 'patience'): 1000000000000.0 (at index 1)"),
    (lambda: erlang.metrics(14, 100, 180, concurrency=0), "'concurrency' must be >= 1: 0.0"),
    (lambda: erlang.metrics(14, 100, 180, concurrency=1.5),
     "'concurrency' must be a whole number: 1.5"),
    (lambda: erlang.metrics(14, 100, 180, concurrency_factor=0.5),
     "'concurrency_factor' must be >= 1: 0.5"),
    (lambda: erlang.metrics(14, "many", 180),
     "'volume' must be a number or an array of numbers: 'many'"),
    (lambda: erlang.metrics(14, [[1, 2], [3, 4]], [[1, 2, 3]]),
     "shapes do not broadcast together: 'volume' (2, 2), 'aht' (1, 3)"),
    (lambda: erlang.metrics(14, 100, 180, arrival_rate=0.1),
     "give either 'volume'"),
    (lambda: erlang.metrics(14, None, 180), "'volume' (contacts per interval) or"),
    (lambda: erlang.required_agents(100, 180, service_level=1.0, target_time=20),
     "'service_level' must be > 0 and < 1: 1.0"),
    (lambda: erlang.required_agents(100, 180, service_level=0.0, target_time=20),
     "'service_level' must be > 0 and < 1: 0.0"),
    (lambda: erlang.required_agents(100, 180, service_level=0.8),
     "'service_level' needs 'target_time'"),
    (lambda: erlang.required_agents(100, 180, target_time=20),
     "'target_time' is set but 'service_level' is not"),
    (lambda: erlang.required_agents(100, 180), "no target given"),
    (lambda: erlang.required_agents(100, 180, abandon_rate=0.05),
     "'abandon_rate' needs 'patience'"),
    (lambda: erlang.required_agents(100, 180, abandon_rate=1.5, patience=60),
     "'abandon_rate' must be > 0 and < 1: 1.5"),
    (lambda: erlang.required_agents(100, 180, asa=0), "'asa' must be > 0: 0.0"),
    (lambda: erlang.required_agents(100, 180, occupancy=1.0),
     "'occupancy' must be > 0 and < 1: 1.0"),
    (lambda: erlang.required_agents(100, 180, asa=20, basis="handled"),
     "'basis' must be 'offered' or 'answered': 'handled'"),
    (lambda: erlang.scheduled_agents(14, 1.0), "'shrinkage' must be >= 0 and < 1: 1.0"),
    (lambda: erlang.scheduled_agents(-1, 0.3), "'required' must be >= 0: -1.0"),
    (lambda: erlang.deflect(100, 180, containment=1.2), "'containment' must be >= 0 and <= 1: 1.2"),
    (lambda: erlang.deflect(100, 180, 0.2, uplift=0), "'uplift' must be > 0: 0.0"),
    (lambda: erlang.erlang_b(3, -1), "'load' must be >= 0: -1.0"),
    (lambda: erlang.erlang_c([1, np.inf], 1), "'agents' must be finite: inf (at index 1)"),
    (lambda: erlang.offered_load(10, 180, interval=-1), "'interval' must be > 0: -1.0"),
    # Non-numbers, refused inside lists too.
    (lambda: erlang.metrics(14, True, 180),
     "'volume' must be a number or an array of numbers: True"),
    (lambda: erlang.metrics(14, [100, True], 180),
     "'volume' must be a number or an array of numbers: True (at index 1)"),
    (lambda: erlang.metrics(14, 100, ["180"]),
     "'aht' must be a number or an array of numbers: '180' (at index 0)"),
    (lambda: erlang.metrics(14, [[1, 2], [3]], 180),
     "'volume' must be a number or a rectangular array of numbers: [1, 2] (at index 0)"),
    (lambda: erlang.metrics(14, 100, 180, target_time=None),
     "'target_time' must be a number or an array of numbers: None"),
    (lambda: erlang.erlang_c(2, 1 + 1j),
     "'load' must be a number or an array of numbers: (1+1j)"),
    (lambda: erlang.erlang_b({"n": 3}, 1),
     "'agents' must be a number or an array of numbers: {'n': 3}"),
    (lambda: erlang.metrics(14, 10**400, 180),
     "'volume' must be within the range of a float (1.8e308): 1000000"),
    (lambda: erlang.metrics(14, 100, 180, patience=[60, -(10**400)]),
     "'patience' must be within the range of a float (1.8e308): -1000000"),
    (lambda: erlang.required_agents(100, 180, asa=20, basis=["offered"]),
     "'basis' must be 'offered' or 'answered': ['offered']"),
    # Limits (ccwfm._limits), in at_most's words, with the index in an array.
    (lambda: erlang.metrics(14, [100, 1e300], 180),
     "'volume' must be <= 1e+06 contacts per interval (limit 'volume'): 1e+300 (at index 1)"),
    (lambda: erlang.metrics(14, 100, 1e300),
     "'aht' must be <= 86400 seconds (limit 'aht'): 1e+300"),
    (lambda: erlang.metrics(14, 100, 180, target_time=3e6),
     "'target_time' must be <= 2.592e+06 seconds (limit 'target_time'): 3000000.0"),
    (lambda: erlang.required_agents(100, 180, asa=1e300),
     "'asa' must be <= 2.592e+06 seconds (limit 'target_time'): 1e+300"),
    (lambda: erlang.metrics(1e300, 100, 180),
     "'agents' must be <= 100000 agents (limit 'agents'): 1e+300"),
    (lambda: erlang.erlang_c(1e300, 1e300),
     "'agents' must be <= 100000 agents (limit 'agents'): 1e+300"),
    (lambda: erlang.erlang_b(10, [1.0, 3e5]),
     "'load' must be <= 200000 erlangs (limit 'offered_load'): 300000.0 (at index 1)"),
    (lambda: erlang.metrics(14, 100, 180, concurrency=50),
     "'concurrency' must be <= 20 contacts (limit 'concurrency'): 50.0"),
    (lambda: erlang.metrics(14, 100, 180, concurrency_factor=1e3),
     "'concurrency_factor' must be <= 100 times (limit 'aht_scale'): 1000.0"),
    (lambda: erlang.metrics(14, 1e6, 86400, interval=[1800, 900.0]),
     "'volume * aht / interval' must be <= 200000 erlangs (limit 'offered_load'): "
     "48000000.0 (at index 0)"),
    (lambda: erlang.metrics(14, aht=300, arrival_rate=800, concurrency=2, concurrency_factor=1.5),
     "'arrival_rate * aht * concurrency_factor' must be <= 200000 erlangs "
     "(limit 'offered_load'): 360000.0"),
    (lambda: erlang.metrics(14, 1e6, 1e-3, interval=[[1800.0], [1.0]]),
     "'volume / interval' must be <= 10000 contacts per second (limit 'arrival_rate'): "
     "1000000.0 (at index (1, 0))"),
    (lambda: erlang.metrics(14, aht=1e-3, arrival_rate=1e300),
     "'arrival_rate' must be <= 10000 contacts per second (limit 'arrival_rate'): 1e+300"),
    (lambda: erlang.offered_load(1e6, 86400, 1),
     "'volume * aht / interval' must be <= 200000 erlangs (limit 'offered_load'): 86400000000.0"),
    (lambda: erlang.deflect(100, 180, 0.3, uplift=1e300),
     "'uplift' must be <= 100 times (limit 'aht_scale'): 1e+300"),
    (lambda: erlang.scheduled_agents(1e300, 0.3),
     "'required' must be <= 100000 agents (limit 'agents'): 1e+300"),
    (lambda: erlang.scheduled_agents([10, 10], [0.3, 1 - 1e-9]),
     "'required / (1 - shrinkage)' must be <= 100000 agents (limit 'agents'): "),
    (lambda: erlang.required_agents([100, 99_999], 1800, service_level=0.8, target_time=20),
     "'volume' needs more than 100000 agents to meet the targets (limit 'agents'): "
     "99999.0 (at index 1)"),
    (lambda: erlang.required_agents(100, 180, occupancy=1e-300),
     "'occupancy' needs more than 100000 agents at this load (limit 'agents'): 1e-300"),
    (lambda: erlang.metrics(np.ones((4000, 1)), np.ones((1, 4000)), 180),
     "'volume' (1, 4000), 'agents' (4000, 1) broadcast to more than 1e+07 cells "
     "(limit 'cells'): 16000000"),
    (lambda: erlang.Metrics(1, 2, 3, 4, 5, 6, 7, 8, 9), "'prob_wait' must be >= 0 and <= 1: 3.0"),
    (lambda: erlang.Metrics(1, 2, 0.5, 0.5, 0.5, 6, 7, 0.1, [0.9, 0.8]),
     "'occupancy' must have the shape of 'agents' (): (2,)"),
])
def test_message_names_argument_rule_and_value(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)


def test_index_of_first_bad_element_in_two_dimensions():
    aht = np.full((3, 4), 180.0)
    aht[2, 1] = -1.0
    with pytest.raises(ValueError, match=r"'aht' must be > 0: -1.0 \(at index \(2, 1\)\)"):
        erlang.required_agents(100, aht, service_level=0.8, target_time=20)


def test_patience_may_be_infinite():
    m = erlang.metrics(14, 100, 180, patience=np.inf)
    assert m.abandon_rate == 0.0
