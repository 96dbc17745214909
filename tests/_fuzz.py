"""What every input surface promises, checked for one input at a time.

:func:`outcome` runs a call and returns its result, or the ``ValueError`` it
raised; it fails the test if the call raised anything else, took more than
10 s, or allocated more than 2 GiB at its peak (traced by ``tracemalloc``,
which sees numpy's and Python's allocations).  A ``ValueError`` must name a
field in quotes (``'aht' must be > 0: -3.0``) and must not mention NaN
silently passed on.

A call that would hang in compiled code cannot be interrupted from Python;
the bounds in :mod:`ccwfm._limits` exist so that none can, and a hang shows as
a test that never ends in CI (where the job's time limit stops it).

Examples
--------
>>> import math
>>> outcome(math.sqrt, 4.0)
2.0
"""

import re
import time
import tracemalloc

SECONDS = 10.0
BYTES = 2 * 1024 ** 3
_FIELD = re.compile(r"'[^']+'")


def outcome(fn, *args, seconds=SECONDS, max_bytes=BYTES, **kwargs):
    """``fn(*args, **kwargs)``, or the ValueError it raised (see the module docstring)."""
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    t0 = time.perf_counter()
    try:
        result = fn(*args, **kwargs)
    except ValueError as exc:
        result = exc
        msg = str(exc)
        assert _FIELD.search(msg), f"error does not name a field in quotes: {msg!r}"
    except Exception as exc:  # noqa: BLE001 - that is what the test is about
        raise AssertionError(
            f"{fn.__name__} raised {type(exc).__name__}, not ValueError: {exc}") from exc
    finally:
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        if not tracing:
            tracemalloc.stop()
    assert elapsed <= seconds, f"{fn.__name__} took {elapsed:.1f} s (> {seconds:g} s)"
    assert peak <= max_bytes, f"{fn.__name__} allocated {peak / 2**30:.2f} GiB at its peak"
    return result
