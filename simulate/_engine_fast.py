"""The fast path over a whole single-skill center: one kernel call per queue."""

import numpy as np

from . import _fast
from ._common import concat_records, dist_params, first_attempts, handle_scale


def run_fast(center, key):
    """Records of one replication (``center.is_single_skill()`` must hold).

    Returns ``(records, overtime, max_queue)``: ``records`` maps the fields
    of :data:`simulate._common.RECORD_FIELDS` to arrays; ``overtime`` maps
    ``group``, ``start``, ``end`` to arrays of the periods agents worked past
    the end of their duty to finish a contact; ``max_queue[q, i]`` is the
    largest number of contacts waiting in queue ``q`` during interval ``i``.
    """
    owner = {g.skills[0].queue: gi for gi, g in enumerate(center.groups)}
    parts, ot_parts = [], []
    max_queue = np.zeros((len(center.queues), center.horizon))
    for qi, queue in enumerate(center.queues):
        gi = owner[queue.name]
        group = center.groups[gi]
        times, agents = group.duty_changes(center.interval, center.horizon)
        _, hk, h1, h2, hv = dist_params(queue.handle)
        has_p, pk, p1, p2, pv = dist_params(queue.patience)
        bot = queue.bot
        has_b, bk, b1, b2, bv = dist_params(bot.time if bot else None)
        retrial = queue.retrial
        has_r, rk, r1, r2, rv = dist_params(retrial.delay if retrial else None)
        first = first_attempts(center, qi, key)
        scale = handle_scale(center, qi)
        scale = np.zeros(0) if scale is None else scale
        base = first["arrival"]
        cap = base.shape[0] + 64
        if retrial is not None:
            cap += int(base.shape[0] * min(retrial.max_attempts, 3) * retrial.probability)
        while True:
            out = _fast.simulate_queue(
                np.uint64(key), qi, base, first["handle"], first["patience"],
                first["bot_time"], first["bot_u"], first["bot_at"], float(center.end), cap,
                hk, h1, h2, hv,
                has_p, pk, p1, p2, pv,
                has_b, bk, b1, b2, bv,
                float(bot.containment) if bot else 0.0, float(bot.abandon) if bot else 0.0,
                float(bot.uplift) if bot else 1.0,
                has_r, float(retrial.probability) if retrial else 0.0,
                int(retrial.max_attempts) if retrial else 0, rk, r1, r2, rv,
                int(group.concurrency), float(group.concurrency_factor), times, agents,
                float(center.interval), max_queue[qi], scale)
            if out[0] >= 0:
                break
            cap *= 2
        contact, attempt, arrival, outcome, enter, start, leave, ot_from, ot_to = out[1:]
        n = contact.shape[0]
        served = outcome == _fast.ANSWERED
        parts.append({"queue": np.full(n, qi, np.int32), "contact": contact,
                      "attempt": attempt, "arrival": arrival, "outcome": outcome,
                      "enter": enter, "start": start, "leave": leave,
                      "group": np.where(served, gi, -1).astype(np.int32)})
        ot_parts.append((np.full(ot_from.shape[0], gi, np.int32), ot_from, ot_to))
    records = concat_records(parts)
    overtime = {"group": np.concatenate([p[0] for p in ot_parts]),
                "start": np.concatenate([p[1] for p in ot_parts]),
                "end": np.concatenate([p[2] for p in ot_parts])}
    return records, overtime, max_queue
