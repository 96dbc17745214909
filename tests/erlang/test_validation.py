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
    (lambda: erlang.metrics(12.5, 100, 180), "'agents' must be a whole number: 12.5"),
    (lambda: erlang.metrics(-1, 100, 180), "'agents' must be >= 0: -1.0"),
    (lambda: erlang.metrics(14, 100, 180, interval=0), "'interval' must be > 0: 0.0"),
    (lambda: erlang.metrics(14, 100, 180, target_time=-1), "'target_time' must be >= 0: -1.0"),
    (lambda: erlang.metrics(14, 100, 180, patience=0), "'patience' must be > 0: 0.0"),
    (lambda: erlang.metrics(14, 100, 180, patience=np.nan), "'patience' must not be NaN: nan"),
    (lambda: erlang.metrics(14, 100, 180, patience=[60, 1e12]),
     "'patience' must be <= 1e+09 seconds; inf means nobody abandons: 1000000000000.0 (at index 1)"),
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
    (lambda: erlang.erlang_c([1, 2.5], 1), "'agents' must be a whole number: 2.5 (at index 1)"),
    (lambda: erlang.offered_load(10, 180, interval=-1), "'interval' must be > 0: -1.0"),
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
