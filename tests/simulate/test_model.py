"""Configuration errors name the field, the rule and the value."""

import pytest

from ccwfm.simulate import Bot, Center, Distribution, Group, Queue, Retrial, Shift, Skill

EXP = Distribution.exponential(180)


def _center(**kw):
    q = Queue("voice", [10.0, 20.0], EXP)
    g = Group("agents", ("voice",), staffing=(3, 4))
    args = dict(queues=(q,), groups=(g,))
    args.update(kw)
    return Center(**args)


@pytest.mark.parametrize("build, message", [
    (lambda: Queue("voice", [10.0, -3.0], EXP), "'queues[voice].volume[1]' must be >= 0: -3.0"),
    (lambda: Queue("voice", [10.0, float("nan")], EXP),
     "'queues[voice].volume[1]' must not be NaN"),
    (lambda: Queue("voice", [], EXP), "'queues[voice].volume' must cover at least one"),
    (lambda: Queue("voice", [1.0], {"kind": "gamma", "mean": 3}),
     "'queues[voice].handle.kind' must be one of"),
    (lambda: Queue("voice", [1.0], {"kind": "lognormal", "mean": 300}),
     "'queues[voice].handle.cv' is required for kind 'lognormal'"),
    (lambda: Queue("voice", [1.0], {"kind": "lognormal", "mean": 300, "cv": 1, "sd": 2}),
     "'queues[voice].handle' has unknown key 'sd'"),
    (lambda: Queue("voice", [1.0], EXP, patience={"kind": "exponential", "mean": -5}),
     "'queues[voice].patience.mean' must be > 0 and finite: -5"),
    (lambda: Queue("voice", [1.0], -180), "'queues[voice].handle.mean' must be > 0"),
    (lambda: Queue("voice", [1.0], Distribution("exponential", -5)),
     "'mean' must be > 0 and finite: -5"),
    (lambda: Queue("voice", [1.0], EXP, patience={"kind": "weibull", "mean": 100, "shape": 0.001}),
     "'queues[voice].patience.shape' must be >= 0.13: 0.001"),
    (lambda: Queue("  ", [1.0], EXP), "'queue.name' must be a non-empty string: '  '"),
    (lambda: Queue("voice", [1.0], EXP, overdispersion=-0.1),
     "'queues[voice].overdispersion' must be >= 0 and <= 1: -0.1"),
    (lambda: Bot(EXP, containment=1.2), "'bot.containment' must be >= 0 and <= 1: 1.2"),
    (lambda: Bot(EXP, containment=0.7, abandon=0.5),
     "'bot.containment' + 'bot.abandon' must be <= 1"),
    (lambda: Bot(EXP, containment=0.3, uplift=0), "'bot.uplift' must be > 0: 0"),
    (lambda: Retrial(1.5, EXP), "'retrial.probability' must be >= 0 and <= 1: 1.5"),
    (lambda: Retrial(0.5, EXP, max_attempts=2.5), "'retrial.max_attempts' must be a whole"),
    (lambda: Group("g", ("voice",)), "'groups[g]' needs 'staffing'"),
    (lambda: Group("g", ("voice",), staffing=(3, -1)), "'groups[g].staffing[1]' must be >= 0"),
    # Fractional staffing is accepted (time-shared agents: tests/simulate/test_fractional.py).
    (lambda: Group("g", ("voice",), staffing=(3, float("nan"))),
     "'groups[g].staffing[1]' must not be NaN: nan"),
    (lambda: Group("g", ("voice", "voice"), staffing=(1,)), "must not repeat a queue"),
    (lambda: Group("g", ("voice",), staffing=(1,), concurrency=0),
     "'groups[g].concurrency' must be >= 1: 0"),
    (lambda: Group("g", ("voice",), staffing=(1,), concurrency_factor=0.5),
     "'groups[g].concurrency_factor' must be >= 1: 0.5"),
    (lambda: Skill("voice", after=-1), "'skill[voice].after' must be >= 0: -1"),
    (lambda: Shift(100, 50), "'shift.end' must be > start"),
    (lambda: _center(groups=(Group("agents", ("voise",), staffing=(1, 1)),)),
     "names an unknown queue: 'voise' (did you mean 'voice'?)"),
    (lambda: _center(groups=(Group("agents", ("voice",), staffing=(1, 1, 1)),)),
     "'groups[agents].staffing' must cover the 2 intervals"),
    (lambda: _center(queues=(Queue("voice", [1.0, 2.0], EXP), Queue("chat", [1.0], EXP))),
     "'queues[chat].volume' must cover 2 intervals"),
    (lambda: _center(queues=(Queue("voice", [1.0, 2.0], EXP), Queue("chat", [1.0, 1.0], EXP))),
     "'queues[chat]' is served by no group"),
    (lambda: _center(interval=0), "'interval' must be >= 1 and <= 86400: 0"),
    (lambda: _center(groups=(Group("agents", ("voice",), shifts=(Shift(4000, 5000),)),)),
     "'groups[agents].shifts[0].start' must be before the horizon end"),
])
def test_bad_configuration_names_the_field(build, message):
    with pytest.raises(ValueError) as info:
        build()
    assert message in str(info.value)


def test_duty_changes_from_staffing_and_shifts():
    g = Group("g", ("voice",), staffing=(2, 2, 5, 0),
              shifts=(Shift(900, 2700, 3), Shift(0, 7200, 1)))
    times, deltas = g.duty_changes(1800.0, 4)
    # staffing: +2 at 0, +3 at 3600, -5 at 5400; shifts: +3 at 900, -3 at 2700, +1 at 0.
    assert times.tolist() == [0.0, 900.0, 2700.0, 3600.0, 5400.0]
    assert deltas.tolist() == [3, 3, -3, 3, -5]
    on_duty = g.agents_on_duty(1800.0, 4)
    assert on_duty.tolist() == pytest.approx([3 + 3 * 0.5, 3 + 3 * 0.5, 6, 1])


def test_single_skill_detection():
    assert _center().is_single_skill()
    q2 = Queue("chat", [1.0, 1.0], EXP)
    overflow = Group("backup", (Skill("voice", after=30),), staffing=(1, 1))
    chat = Group("chat", ("chat",), staffing=(1, 1))
    c = _center(queues=(_center().queues[0], q2),
                groups=(_center().groups[0], chat, overflow))
    assert not c.is_single_skill()
