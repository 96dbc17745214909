"""Turn the public arguments (contacts per interval, seconds) into kernel inputs."""

import numpy as np

from ccwfm._validation import as_array, broadcast, broadcast_shape, check, check_finite_below

# Longer mean patience than this (about 32 years) is refused: the Erlang A series
# would need billions of terms, and the answer is that of infinite patience.
MAX_PATIENCE = 1e9


def queue_inputs(volume, aht, *, interval, arrival_rate, patience, concurrency,
                 concurrency_factor, extra):
    """Validate and broadcast the workload description of a queue.

    ``extra`` maps further argument names to ``(value, rule)`` where ``rule`` is
    a dict of :func:`ccwfm._validation.check` keywords; each is validated and broadcast too.

    Returns ``(shape, flat)`` with kernel-ready 1-D arrays in ``flat``:
    ``lam`` arrivals per second, ``h`` seconds of one server per contact
    (AHT times the concurrency factor), ``theta`` abandonments per second of
    waiting (0 where patience is not given or infinite), ``k`` servers per
    agent, plus the ``extra`` names.
    """
    user = {}
    if arrival_rate is not None:
        if volume is not None:
            raise ValueError("give either 'volume' (contacts per interval) or 'arrival_rate' "
                             "(contacts per second), not both")
        user["arrival_rate"] = as_array("arrival_rate", arrival_rate)
        check("arrival_rate", user["arrival_rate"], lo=0.0)
    else:
        if volume is None:
            raise ValueError("'volume' (contacts per interval) or 'arrival_rate' "
                             "(contacts per second) is required")
        user["volume"] = as_array("volume", volume)
        check("volume", user["volume"], lo=0.0)
        user["interval"] = as_array("interval", interval)
        check("interval", user["interval"], lo=0.0, lo_open=True)
    if aht is None:
        raise ValueError("'aht' (average handle time in seconds) is required")
    user["aht"] = as_array("aht", aht)
    check("aht", user["aht"], lo=0.0, lo_open=True)
    user["concurrency"] = as_array("concurrency", concurrency)
    check("concurrency", user["concurrency"], lo=1.0, whole=True)
    user["concurrency_factor"] = as_array("concurrency_factor", concurrency_factor)
    check("concurrency_factor", user["concurrency_factor"], lo=1.0)
    if patience is not None:
        user["patience"] = as_array("patience", patience)
        check("patience", user["patience"], lo=0.0, lo_open=True, allow_inf=True)
        check_finite_below("patience", user["patience"], MAX_PATIENCE,
                           "seconds; inf means nobody abandons")
    for name, (value, rule) in extra.items():
        user[name] = as_array(name, value)
        check(name, user[name], **rule)
    broadcast_shape(user)  # raises naming the user's arguments when shapes clash

    if "arrival_rate" in user:
        lam = user["arrival_rate"]
    else:
        lam = user["volume"] / user["interval"]
    factor = user["concurrency_factor"]
    plain = factor.size == 1 and float(factor.reshape(1)[0]) == 1.0
    h = user["aht"] if plain else user["aht"] * factor
    theta = 1.0 / user["patience"] if "patience" in user else np.zeros(())
    kernel = {"lam": lam, "h": h, "theta": theta, "k": user["concurrency"]}
    kernel.update({name: user[name] for name in extra})
    return broadcast(kernel)
