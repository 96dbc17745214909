"""HiGHS through :func:`scipy.optimize.milp`, without its stray console lines.

Some HiGHS builds print debug lines of their MIP solver straight to the
process's standard streams (``HighsMipSolverData::transformNewIntegerFeasible
Solution tmpSolver.run();``), past ``disp=False``: hundreds of them on a plan,
in the user's terminal.  :func:`milp` runs the solver with the two file
descriptors pointed at the null device and restores them after; the result
and its status are untouched.
"""

import contextlib
import os
import sys

from scipy.optimize import milp as _milp

__all__ = ["milp"]


@contextlib.contextmanager
def _silenced():
    try:
        fds = [sys.__stdout__.fileno(), sys.__stderr__.fileno()]
    except (AttributeError, OSError, ValueError):     # no real streams (embedded)
        yield
        return
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    saved = [os.dup(fd) for fd in fds]
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in fds:
            os.dup2(null, fd)
        yield
    finally:
        for fd, old in zip(fds, saved):
            os.dup2(old, fd)
            os.close(old)
        os.close(null)


def milp(*args, **kwargs):
    """:func:`scipy.optimize.milp` with HiGHS's console lines silenced."""
    with _silenced():
        return _milp(*args, **kwargs)
