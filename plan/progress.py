"""Progress of a plan as structured events, for the command line's bar and the dashboard's.

:func:`plan.run` calls ``progress(event)`` with a :class:`Progress` after each
piece of work: which step, how far the whole run is (a fraction from 0 to 1,
each step weighted by its usual share of the time) and what was done in
words.  Nothing has to be guessed from the text.

Examples
--------
>>> seen = []
>>> report = Reporter(("forecast", "requirements"), seen.append)
>>> report("forecast", 1, 2, "forecast voice: ...")
>>> report("requirements", 1, 1, "requirements: ...")
>>> [(e.step, round(e.fraction, 3)) for e in seen]
[('forecast', 0.469), ('requirements', 1.0)]
"""

from dataclasses import dataclass

__all__ = ["Progress", "Reporter", "STEP_WEIGHTS"]

STEP_WEIGHTS = {"forecast": 0.30, "requirements": 0.02, "simulation": 0.40,
                "schedule": 0.23, "capacity": 0.05}
"""Usual share of a full plan's time taken by each step (the demo, 2 cores)."""


@dataclass(frozen=True)
class Progress:
    """One progress event.

    Attributes
    ----------
    step : str
        The step working: ``forecast``, ``requirements``, ``simulation``,
        ``schedule`` or ``capacity``.
    fraction : float
        Share of the whole run done, 0 to 1.
    message : str
        What was just done, in words.
    """

    step: str
    fraction: float
    message: str


class Reporter:
    """Turns ``(step, done, total, message)`` into :class:`Progress` events.

    Parameters
    ----------
    steps : sequence of str
        The steps of this run, in order.
    callback : callable or None
        Receives each :class:`Progress`; ``None`` for none.
    """

    def __init__(self, steps, callback):
        weights = [STEP_WEIGHTS.get(s, 0.05) for s in steps]
        total = sum(weights) or 1.0
        self._start, at = {}, 0.0
        self._weight = {}
        for s, w in zip(steps, weights):
            self._start[s], self._weight[s] = at / total, w / total
            at += w
        self.callback = callback
        self.messages = []

    def __call__(self, step, done, total, message):
        self.messages.append(str(message))
        if self.callback is None:
            return
        part = min(max(done / total, 0.0), 1.0) if total else 1.0
        fraction = self._start.get(step, 0.0) + self._weight.get(step, 0.0) * part
        self.callback(Progress(step, min(fraction, 1.0), str(message)))

    def part(self, step):
        """``progress(done, total, message)`` for the steps' own callbacks."""
        return lambda done, total, message: self(step, done, total, message)
