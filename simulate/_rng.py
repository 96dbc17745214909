"""Counter-based random numbers keyed by (replication, queue, contact, attempt, stream).

Private module.  Every random attribute of a contact (time in the bot, bot
outcome, handle time, patience, retrial decision and delay) is a pure
function of its key, not of the order in which an engine happens to ask for
it.  Hence

* the SimPy model and the Numba fast path see exactly the same contacts;
* two scenarios run with the same seed see the same contacts (common random
  numbers): adding an agent changes who waits, not who calls or how long
  they talk.

The generator is the SplitMix64 finaliser (Steele, Lea & Flood 2014) applied
to a Weyl-sequence combination of the key fields: a bijective 64-bit mixer
that passes BigCrush on sequential counters.  Uniforms are in (0, 1), never
0 or 1, so that logarithms are always finite.
"""

import math

import numpy as np
from numba import njit, uint64

# Streams: one per random attribute of an attempt.
BOT_TIME = 2
BOT_OUTCOME = 3
HANDLE = 4
PATIENCE = 5
RETRY = 6
RETRY_DELAY = 7
BOT_ABANDON_AT = 8

_G1 = uint64(0x9E3779B97F4A7C15)
_G2 = uint64(0xBF58476D1CE4E5B9)
_G3 = uint64(0x94D049BB133111EB)
_K_QUEUE = uint64(0xD1B54A32D192ED03)
_K_CONTACT = uint64(0xABC98388FB8FAC03)
_K_ATTEMPT = uint64(0x8CB92BA72F3D8DD7)
_K_STREAM = uint64(0xDB4F0B9175AE2165)
_K_DRAW = uint64(0x4F1BBCDCBFA53E0B)
_INV53 = 1.0 / 9007199254740992.0


@njit(cache=True, inline="always")
def _mix(z):
    z = (z ^ (z >> uint64(30))) * _G2
    z = (z ^ (z >> uint64(27))) * _G3
    return z ^ (z >> uint64(31))


@njit(cache=True, inline="always")
def uniform(key, queue, contact, attempt, stream, draw):
    """A uniform number in (0, 1) for the given key fields (all integers >= 0)."""
    z = (uint64(key) + _G1
         + uint64(queue) * _K_QUEUE
         + uint64(contact) * _K_CONTACT
         + uint64(attempt) * _K_ATTEMPT
         + uint64(stream) * _K_STREAM
         + uint64(draw) * _K_DRAW)
    z = _mix(_mix(z))
    return (float(z >> uint64(11)) + 0.5) * _INV53


@njit(cache=True)
def normal(key, queue, contact, attempt, stream):
    """A standard normal number (Box-Muller on draws 0 and 1 of the stream)."""
    u1 = uniform(key, queue, contact, attempt, stream, 0)
    u2 = uniform(key, queue, contact, attempt, stream, 1)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def replication_keys(seed, replications):
    """64-bit keys of the replications, derived from ``seed``.

    ``seed`` may be an int, a :class:`numpy.random.SeedSequence` or a
    :class:`numpy.random.Generator` (one 64-bit draw is taken from it); the
    same seed always gives the same keys.
    """
    if isinstance(seed, np.random.Generator):
        root = int(seed.integers(0, 2**63 - 1, dtype=np.int64))
        ss = np.random.SeedSequence(root)
    elif isinstance(seed, np.random.SeedSequence):
        ss = seed
    else:
        ss = np.random.SeedSequence(seed)
    words = ss.generate_state(2 * replications, dtype=np.uint32).astype(np.uint64)
    return (words[0::2] << np.uint64(32)) | words[1::2]
