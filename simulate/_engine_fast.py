"""The fast path over a whole single-skill center: one kernel call per queue."""

import numpy as np

from . import _fast
from ._common import concat_records, dist_params, first_attempts, handle_scale


def fast_inputs(center):
    """What :func:`run_fast` gives the kernel for each queue that does not depend on the
    replication (its group's staffing changes, the distributions' parameters, the
    handle-time scale): computed once per simulation, not once per replication."""
    owner = {g.skills[0].queue: gi for gi, g in enumerate(center.groups)}
    out = []
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
        scale = handle_scale(center, qi)
        scale = np.zeros(0) if scale is None else scale
        out.append((gi, group, times, agents, (hk, h1, h2, hv), (has_p, pk, p1, p2, pv),
                    (has_b, bk, b1, b2, bv), (has_r, rk, r1, r2, rv), scale))
    return out


def run_fast(center, key, firsts=None, inputs=None):
    """Records of one replication (``center.is_single_skill()`` must hold).

    ``firsts`` may be the queues' :func:`simulate._common.first_attempts` of
    ``key``, to skip drawing them again, and ``inputs`` the center's
    :func:`fast_inputs`, to skip building them again.

    Returns ``(records, overtime, max_queue)``: ``records`` maps the fields
    of :data:`simulate._common.RECORD_FIELDS` to arrays; ``overtime`` maps
    ``group``, ``start``, ``end`` to arrays of the periods agents worked past
    the end of their duty to finish a contact; ``max_queue[q, i]`` is the
    largest number of contacts waiting in queue ``q`` during interval ``i``.
    """
    if inputs is None:
        inputs = fast_inputs(center)
    parts, ot_parts = [], []
    max_queue = np.zeros((len(center.queues), center.horizon))
    for qi, queue in enumerate(center.queues):
        (gi, group, times, agents, (hk, h1, h2, hv), (has_p, pk, p1, p2, pv),
         (has_b, bk, b1, b2, bv), (has_r, rk, r1, r2, rv), scale) = inputs[qi]
        bot = queue.bot
        retrial = queue.retrial
        first = firsts[qi] if firsts is not None else first_attempts(center, qi, key)
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


def _multi_params(center):
    """Kernel inputs of a center that do not depend on the replication key (a dict)."""
    from . import _fast_multi as fm
    nq, ng, horizon = len(center.queues), len(center.groups), center.horizon
    qnames = [q.name for q in center.queues]
    qi = np.zeros((nq, fm.QI_COLS), np.int64)
    qf = np.zeros((nq, fm.QF_COLS))
    dk = np.zeros((nq, 4), np.int64)
    d1 = np.zeros((nq, 4))
    d2 = np.zeros((nq, 4))
    vals, dvoff = [], [0]
    h_scale = np.ones((nq, horizon))
    ded = np.zeros((nq, ng), np.int64)
    ov_g = np.zeros((nq, ng), np.int64)
    ov_after = np.zeros((nq, ng))
    for q, queue in enumerate(center.queues):
        bot, retrial = queue.bot, queue.retrial
        dists = (queue.handle, queue.patience, bot.time if bot else None,
                 retrial.delay if retrial else None)
        for d, dist in enumerate(dists):
            _, kind, p1, p2, values = dist_params(dist)
            dk[q, d], d1[q, d], d2[q, d] = kind, p1, p2
            vals.append(np.asarray(values, dtype=float))
            dvoff.append(dvoff[-1] + len(values))
        qi[q, fm.QI_HAS_P] = queue.patience is not None
        qi[q, fm.QI_HAS_B] = bot is not None
        qi[q, fm.QI_HAS_R] = retrial is not None
        qi[q, fm.QI_R_MAX] = int(retrial.max_attempts) if retrial else 0
        scale = handle_scale(center, q)
        if scale is not None:
            qi[q, fm.QI_HAS_SCALE] = 1
            h_scale[q] = scale
        qf[q, fm.QF_CONTAIN] = float(bot.containment) if bot else 0.0
        qf[q, fm.QF_ABANDON] = float(bot.abandon) if bot else 0.0
        qf[q, fm.QF_UPLIFT] = float(bot.uplift) if bot else 1.0
        qf[q, fm.QF_R_PROB] = float(retrial.probability) if retrial else 0.0
        # Serving groups by (after, group): dedicated ones on entry, overflow later.
        serving = sorted((float(s.after), g) for g, grp in enumerate(center.groups)
                         for s in grp.skills if s.queue == queue.name)
        dedicated = [g for after, g in serving if after == 0.0]
        overflow = [(after, g) for after, g in serving if after > 0.0]
        qi[q, fm.QI_N_DED] = len(dedicated)
        ded[q, :len(dedicated)] = dedicated
        qi[q, fm.QI_N_OV] = len(overflow)
        for j, (after, g) in enumerate(overflow):
            ov_g[q, j], ov_after[q, j] = g, after
    sk_q = np.zeros((ng, nq), np.int64)
    sk_after = np.zeros((ng, nq))
    n_sk = np.zeros(ng, np.int64)
    stretch = np.zeros(ng)
    ch_t, ch_d, ch_off = [], [], [0]
    max_slots, removed = 1, 0
    for g, grp in enumerate(center.groups):
        n_sk[g] = len(grp.skills)
        for j, s in enumerate(grp.skills):
            sk_q[g, j], sk_after[g, j] = qnames.index(s.queue), float(s.after)
        stretch[g] = float(grp.concurrency_factor)
        times, deltas = grp.duty_changes(center.interval, horizon)
        slots = deltas.astype(np.int64) * int(grp.concurrency)
        ch_t.append(times.astype(float))
        ch_d.append(slots)
        ch_off.append(ch_off[-1] + len(times))
        if slots.size:
            max_slots = max(max_slots, int(np.cumsum(slots).max()))
            removed += int(-slots[slots < 0].sum())
    return dict(
        end=float(center.end), interval=float(center.interval), horizon=int(horizon),
        qi=qi, qf=qf, dk=dk, d1=d1, d2=d2, dvoff=np.array(dvoff, np.int64),
        dv=np.concatenate(vals) if vals else np.zeros(0), h_scale=h_scale, ded=ded,
        ov_g=ov_g, ov_after=ov_after, sk_q=sk_q, sk_after=sk_after, n_sk=n_sk,
        stretch=stretch, ch_off=np.array(ch_off, np.int64), ch_t=np.concatenate(ch_t),
        ch_d=np.concatenate(ch_d), max_slots=max_slots, removed=removed)


def run_fast_multi(center, key, params=None, firsts=None):
    """Records of one replication of any center, on the Numba multi-skill kernel.

    Same model, draws and result as :func:`simulate._engine_simpy.run_simpy`
    (records, overtime and queue maxima equal up to float rounding), and as
    :func:`run_fast` on a single-skill center.  ``params`` may be the
    center's :func:`_multi_params`, to skip building them again, and
    ``firsts`` the queues' :func:`simulate._common.first_attempts` of ``key``.

    Returns ``(records, overtime, max_queue)``: ``records`` maps the fields
    of :data:`simulate._common.RECORD_FIELDS` to arrays; ``overtime`` maps
    ``group``, ``start``, ``end`` to arrays of the periods agents worked past
    the end of their duty to finish a contact; ``max_queue[q, i]`` is the
    largest number of contacts waiting in queue ``q`` during interval ``i``.
    """
    from . import _fast_multi as fm
    p = _multi_params(center) if params is None else params
    nq = len(center.queues)
    if firsts is None:
        firsts = [first_attempts(center, q, key) for q in range(nq)]
    f_off = np.zeros(nq + 1, np.int64)
    f_off[1:] = np.cumsum([f["arrival"].shape[0] for f in firsts])

    def cat(name):
        return np.concatenate([f[name] for f in firsts]) if nq > 1 else firsts[0][name]

    n_first = int(f_off[-1])
    cap = n_first + 64
    for queue, f in zip(center.queues, firsts):
        r = queue.retrial
        if r is not None:
            cap += int(f["arrival"].shape[0] * min(r.max_attempts, 3) * r.probability)
    heap_cap = 1024 + n_first // 8
    ng = len(center.groups)
    f_arr = cat("arrival")
    P = (np.uint64(key), p["end"], p["interval"], p["horizon"], p["qi"], p["qf"], p["dk"],
         p["d1"], p["d2"], p["dvoff"], p["dv"], p["h_scale"], p["ded"], p["ov_g"],
         p["ov_after"], f_off, cat("handle"), cat("patience"), cat("bot_time"), cat("bot_u"),
         cat("bot_at"), p["sk_q"], p["sk_after"], p["n_sk"], p["stretch"])
    ch_off = p["ch_off"]
    while True:
        R = (np.empty(cap, np.int32), np.empty(cap, np.int64), np.empty(cap, np.int32),
             np.empty(cap), np.empty(cap, np.int8), np.empty(cap), np.empty(cap),
             np.empty(cap), np.empty(cap, np.int32), np.empty(cap, np.int64),
             np.empty(cap, np.int64), np.empty(cap, np.int8))
        H = (np.empty(heap_cap), np.empty(heap_cap, np.int64), np.empty(heap_cap, np.int64))
        st = np.zeros(fm.ST_SIZE, np.int64)
        GS = (np.zeros(ng, np.int64), np.empty((ng, p["max_slots"]), np.int64),
              np.zeros(ng, np.int64))
        QS = (np.full(nq, -1, np.int64), np.full(nq, -1, np.int64), np.zeros(nq, np.int64),
              np.zeros(nq, np.int64))
        mq = np.zeros((nq, center.horizon))
        ot_cap = max(min(p["removed"], cap), 1)
        OT = (np.empty(ot_cap, np.int32), np.empty(ot_cap), np.empty(ot_cap))
        POOL = (np.empty(cap, np.int64), np.empty(cap, np.int64), np.empty(cap, np.int64))
        status = fm.simulate_center(P, R, H, st, GS, QS, mq, OT, POOL, ch_off, p["ch_t"],
                                    p["ch_d"], ch_off[:ng].copy(), np.zeros(ng, np.int64),
                                    f_arr, f_off[:nq].copy(), np.zeros(nq, np.int64))
        if status >= 0:
            break
        if status == -fm.FAIL_RECORDS:
            cap *= 2
        else:
            heap_cap *= 2
    n = int(status)
    names = ("queue", "contact", "attempt", "arrival", "outcome", "enter", "start", "leave",
             "group")
    records = {name: R[i][:n] for i, name in enumerate(names)}
    n_ot = int(st[fm.ST_OT])
    overtime = {"group": OT[0][:n_ot], "start": OT[1][:n_ot], "end": OT[2][:n_ot]}
    return records, overtime, mq
