"""The general engine: a SimPy model of any center (multi-skill routing, overflow).

Private module.  The contacts are the ones of the fast path (the same draws
from :func:`simulate._common.first_attempts` and the counter-based generator
of :mod:`simulate._rng`), and on a single-skill center the records are the
same as those of :func:`simulate._engine_fast.run_fast`.

Model
-----
SimPy processes drive the exogenous streams: one arrival source per queue
and one duty roster per group.  A contact's life is a chain of events with
callbacks (bot exit, queue entry, patience expiry, overflow eligibility,
service completion) rather than one process per contact: an agent slot
never waits on a contact and vice versa, so a process would only add a
scheduler round trip per step.

* A group on duty with ``n`` agents has ``n * concurrency`` slots, each
  holding one contact.  Idle slots are a count; busy ones are kept with the
  time their contact ends.
* Each queue is a FIFO of waiting contacts in entry order.  A slot that
  becomes free (service end, staffing increase) scans its group's skills in
  order and takes the head of the first queue whose head has waited at least
  the skill's ``after``.  A contact entering a queue starts at once on an
  idle slot of a group with ``after == 0`` (groups with the smallest
  ``after`` first, then in ``center.groups`` order); one that waits becomes
  eligible for each overflow group at ``enter + after``.
* A staffing decrease of ``m`` slots at ``T`` removes idle slots first; the
  rest are the busy slots whose contacts end first: they finish them
  (overtime from ``T`` to the end of the contact) and retire.  These are the
  ``m`` slots with the smallest free times, the rule of the fast path.

Events at the same time are ordered: staffing changes, service ends,
overflow eligibility, abandonment, queue entries.  So a change at ``T``
applies before any service that would start at ``T``, a contact whose
patience runs out just when an agent frees up is served, and a contact
entering at ``T`` sees every departure at ``T``.  Events are scheduled at
absolute times (not ``now + delay``) so that the times in the records are
exactly those of the fast path.
"""

import heapq
import math
from collections import deque

import numpy as np
import simpy
from simpy.events import Event

from . import _rng
from ._common import dist_params, first_attempts, handle_scale
from ._fast import (ABANDONED, ABANDONED_BOT, ANSWERED, IN_QUEUE, _bot_stage, _keyed_bot_stage,
                    _retry_at)
from .distributions import draw_keyed

# Priorities of simultaneous events (smaller first).
_CHANGE, _COMPLETE, _ELIGIBLE, _PATIENCE, _ENTRY = 0, 1, 2, 3, 4
_NAN = math.nan
_INF = math.inf


class _Environment(simpy.Environment):
    """A SimPy environment that can schedule an event at an absolute time.

    ``schedule(event, priority, delay)`` puts the event at ``now + delay``,
    which for ``delay = t - now`` may differ from ``t`` in the last bit.
    """

    def schedule_at(self, event, time, priority):
        """Schedule ``event`` at ``time`` (>= now) with ``priority``."""
        try:
            heapq.heappush(self._queue, (time, priority, next(self._eid), event))
        except AttributeError:      # a SimPy without these internals: public call,
            self.schedule(event, priority, time - self.now)   # but for the last bit



class _At(Event):
    """An event that happens at an absolute time, optionally calling ``callback``.

    ``data`` is free for the callback (the record or ``(record, group)`` it
    concerns).  Processes may also ``yield`` it, like a timeout.
    """

    def __init__(self, env, time, priority, callback=None, data=None):
        # As in simpy.events.Timeout: triggered (ok, value None) on creation.
        self.env = env
        self.callbacks = [callback] if callback is not None else []
        self._value = None
        self._ok = True
        self.data = data
        env.schedule_at(self, time, priority)


class _QueueParams:
    """Per-queue constants and first attempts, as plain Python objects."""

    def __init__(self, center, q, key, first=None):
        queue = center.queues[q]
        self.q = q
        if first is None:
            first = first_attempts(center, q, key)
        self.arrival = first["arrival"].tolist()
        self.handle = first["handle"].tolist()
        self.patience = first["patience"].tolist()
        self.bot_time = first["bot_time"].tolist()
        self.bot_u = first["bot_u"].tolist()
        self.bot_at = first["bot_at"].tolist()
        _, self.h_kind, self.h_p1, self.h_p2, self.h_values = dist_params(queue.handle)
        scale = handle_scale(center, q)
        self.h_scale = None if scale is None else scale.tolist()
        (self.has_patience, self.p_kind, self.p_p1, self.p_p2,
         self.p_values) = dist_params(queue.patience)
        bot = queue.bot
        (self.has_bot, self.b_kind, self.b_p1, self.b_p2,
         self.b_values) = dist_params(bot.time if bot else None)
        self.b_contain = float(bot.containment) if bot else 0.0
        self.b_abandon = float(bot.abandon) if bot else 0.0
        self.b_uplift = float(bot.uplift) if bot else 1.0
        retrial = queue.retrial
        (self.has_retrial, self.r_kind, self.r_p1, self.r_p2,
         self.r_values) = dist_params(retrial.delay if retrial else None)
        self.r_prob = float(retrial.probability) if retrial else 0.0
        self.r_max = int(retrial.max_attempts) if retrial else 0
        # Groups serving the queue as (after, group), smallest after first,
        # then group order: the dedicated ones (after == 0) are tried on
        # entry, the overflow ones after their wait.
        serving = sorted((float(s.after), g) for g, grp in enumerate(center.groups)
                         for s in grp.skills if s.queue == queue.name)
        self.dedicated = [g for after, g in serving if after == 0.0]
        self.overflow = [(after, g) for after, g in serving if after > 0.0]


class _Model:
    """One replication of a center: the state and the event handlers."""

    def __init__(self, center, key, firsts=None):
        self.env = env = _Environment()
        self.key = np.uint64(key)
        self.end = float(center.end)
        self.interval = float(center.interval)
        self.horizon = center.horizon
        qnames = [q.name for q in center.queues]
        nq, ng = len(center.queues), len(center.groups)
        self.queues = [_QueueParams(center, q, key, firsts[q] if firsts is not None else None)
                       for q in range(nq)]
        # Groups: skills as (queue index, after), handle stretch, slots per agent.
        self.skills = [[(qnames.index(s.queue), float(s.after)) for s in g.skills]
                       for g in center.groups]
        self.stretch = [float(g.concurrency_factor) for g in center.groups]
        self.idle = [0] * ng
        self.busy = [{} for _ in range(ng)]          # record -> end of its service
        self.retiring = [set() for _ in range(ng)]   # records whose slot then retires
        self.overtime = []
        # Waiting contacts (record indices) in entry order; served ones are
        # always the head, abandoned ones are dropped when they reach it.
        self.waiting = [deque() for _ in range(nq)]
        self.qlen = [0] * nq
        self.cur = [0] * nq
        self.max_queue = [[0] * self.horizon for _ in range(nq)]
        # Records, one per attempt, as parallel lists.
        self.r_queue, self.r_contact, self.r_attempt, self.r_arrival = [], [], [], []
        self.r_outcome, self.r_enter, self.r_start, self.r_leave, self.r_group = \
            [], [], [], [], []
        for g, grp in enumerate(center.groups):
            times, deltas = grp.duty_changes(center.interval, center.horizon)
            env.process(self._roster(g, times.tolist(),
                                     (deltas * int(grp.concurrency)).tolist()))
        for qp in self.queues:
            env.process(self._source(qp))

    # ------------------------------------------------------------ processes

    def _source(self, qp):
        """Arrival source of a queue: the first attempts, in time order."""
        env = self.env
        for c, t0 in enumerate(qp.arrival):
            yield _At(env, t0, _ENTRY)
            self._arrive(qp, c, 0, t0)

    def _roster(self, g, times, slot_deltas):
        """Duty roster of group ``g``: add or remove slots at each change time."""
        env = self.env
        for t, d in zip(times, slot_deltas):
            yield _At(env, t, _CHANGE)
            if d > 0:
                for i in range(d):
                    if not self._take_work(g, t):
                        self.idle[g] += d - i
                        break
            else:
                self._remove_slots(g, t, -d)

    # --------------------------------------------------------------- contacts

    def _record(self, q, c, a, t0):
        rec = len(self.r_queue)
        self.r_queue.append(q)
        self.r_contact.append(c)
        self.r_attempt.append(a)
        self.r_arrival.append(t0)
        self.r_outcome.append(IN_QUEUE)
        self.r_enter.append(_NAN)
        self.r_start.append(_NAN)
        self.r_leave.append(_NAN)
        self.r_group.append(-1)
        return rec

    def _arrive(self, qp, c, a, t0):
        """Attempt ``a`` of contact ``c`` arrives at ``t0``: bot stage, then the queue."""
        q = qp.q
        rec = self._record(q, c, a, t0)
        if not qp.has_bot:
            self._enter(rec, t0)
            return
        if a == 0:
            outcome, t = _bot_stage(t0, qp.bot_time[c], qp.bot_u[c], qp.bot_at[c], self.end,
                                    qp.b_contain, qp.b_abandon)
        else:
            outcome, t = _keyed_bot_stage(self.key, q, c, a, t0, self.end, qp.b_kind, qp.b_p1,
                                          qp.b_p2, qp.b_values, qp.b_contain, qp.b_abandon)
        if outcome < 0:                      # escalated: enters the queue at t
            _At(self.env, t, _ENTRY, self._on_entry, rec)
            return
        # Contained, abandoned in the bot (at t) or still there at the end.
        self.r_outcome[rec] = outcome
        self.r_leave[rec] = t
        if outcome == ABANDONED_BOT and qp.has_retrial:
            self._retry(qp, c, a, t)

    def _retry(self, qp, c, a, t_leave):
        """Schedule the next attempt of a contact that abandoned at ``t_leave``, if any."""
        t0 = _retry_at(self.key, qp.q, c, a, t_leave, self.end, qp.r_prob, qp.r_max,
                       qp.r_kind, qp.r_p1, qp.r_p2, qp.r_values)
        if t0 >= 0.0:
            _At(self.env, t0, _ENTRY, self._on_retry, (qp, c, a + 1, t0))

    def _on_retry(self, event):
        self._arrive(*event.data)

    def _on_entry(self, event):
        self._enter(event.data, self.env.now)     # exact: scheduled at the bot's exit time

    def _enter(self, rec, e):
        """Record ``rec`` enters its queue at ``e``."""
        self.r_enter[rec] = e
        q = self.r_queue[rec]
        qp = self.queues[q]
        idle = self.idle
        for g in qp.dedicated:
            if idle[g] > 0:
                idle[g] -= 1
                self._start(rec, g, e)
                return
        patience = _INF
        if qp.has_patience:
            c, a = self.r_contact[rec], self.r_attempt[rec]
            if a == 0:
                patience = qp.patience[c]
            else:
                patience = draw_keyed(qp.p_kind, qp.p_p1, qp.p_p2, qp.p_values, self.key, q,
                                      c, a, _rng.PATIENCE)
        t_ab = e + patience
        if t_ab <= e:                        # no patience at all: leaves without waiting
            self._abandon(rec, t_ab)
            return
        self.waiting[q].append(rec)
        self._grow(q, e)
        end = self.end
        if t_ab < end:
            _At(self.env, t_ab, _PATIENCE, self._on_patience, rec)
        for after, g in qp.overflow:
            t_el = e + after
            if t_el < end and t_el <= t_ab:
                _At(self.env, t_el, _ELIGIBLE, self._on_eligible, (rec, g))

    def _on_patience(self, event):
        rec = event.data
        if self.r_outcome[rec] != IN_QUEUE:     # served meanwhile
            return
        t = self.env.now
        self._shrink(self.r_queue[rec], t)
        self._abandon(rec, t)

    def _abandon(self, rec, t):
        self.r_outcome[rec] = ABANDONED
        self.r_leave[rec] = t
        qp = self.queues[self.r_queue[rec]]
        if qp.has_retrial:
            self._retry(qp, self.r_contact[rec], self.r_attempt[rec], t)

    def _on_eligible(self, event):
        """A waiting contact has waited ``after`` for overflow group ``g``."""
        rec, g = event.data
        outcome = self.r_outcome
        if outcome[rec] != IN_QUEUE or self.idle[g] == 0:
            return
        t = self.env.now
        q = self.r_queue[rec]
        # Idle slots of g take the oldest contacts: they waited at least as
        # long as rec, so they are eligible too.
        while self.idle[g] > 0 and outcome[rec] == IN_QUEUE:
            head = self._pop_head(q)
            self.idle[g] -= 1
            self._shrink(q, t)
            self._start(head, g, t)

    # ----------------------------------------------------------------- agents

    def _pop_head(self, q):
        """Remove and return the oldest waiting contact of queue ``q`` (there is one)."""
        dq = self.waiting[q]
        outcome = self.r_outcome
        rec = dq.popleft()
        while outcome[rec] != IN_QUEUE:
            rec = dq.popleft()
        return rec

    def _take_work(self, g, t):
        """A slot of group ``g`` is free at ``t``: start its next contact; False if none."""
        outcome, enter, waiting = self.r_outcome, self.r_enter, self.waiting
        for q, after in self.skills[g]:
            dq = waiting[q]
            while dq and outcome[dq[0]] != IN_QUEUE:
                dq.popleft()
            if dq and enter[dq[0]] + after <= t:
                rec = dq.popleft()
                self._shrink(q, t)
                self._start(rec, g, t)
                return True
        return False

    def _start(self, rec, g, t):
        """Group ``g`` starts serving record ``rec`` at ``t``."""
        q = self.r_queue[rec]
        qp = self.queues[q]
        c, a = self.r_contact[rec], self.r_attempt[rec]
        if a == 0:
            hold = qp.handle[c] * self.stretch[g]
        else:
            hold = draw_keyed(qp.h_kind, qp.h_p1, qp.h_p2, qp.h_values, self.key, q, c, a,
                              _rng.HANDLE) * self.stretch[g]
            if qp.h_scale is not None:
                i = min(int(self.r_arrival[rec] / self.interval), len(qp.h_scale) - 1)
                hold *= qp.h_scale[i]
        if qp.has_bot:
            hold *= qp.b_uplift
        done = t + hold
        self.r_outcome[rec] = ANSWERED
        self.r_start[rec] = t
        self.r_leave[rec] = done
        self.r_group[rec] = g
        self.busy[g][rec] = done
        if done < self.end:
            _At(self.env, done, _COMPLETE, self._on_complete, (rec, g))

    def _on_complete(self, event):
        rec, g = event.data
        del self.busy[g][rec]
        retiring = self.retiring[g]
        if rec in retiring:                  # went off duty while busy: leaves now
            retiring.discard(rec)
            return
        if not self._take_work(g, self.env.now):
            self.idle[g] += 1

    def _remove_slots(self, g, t, m):
        """Staffing decrease of ``m`` slots at ``t``: idle ones first, then the next to finish."""
        r = min(m, self.idle[g])
        self.idle[g] -= r
        m -= r
        if m <= 0:
            return
        retiring = self.retiring[g]
        busy = [(done, rec) for rec, done in self.busy[g].items() if rec not in retiring]
        for done, rec in heapq.nsmallest(m, busy):
            retiring.add(rec)
            if done > t:
                self.overtime.append((g, t, done))

    # ------------------------------------------------------------ queue length

    def _grow(self, q, e):
        """A contact starts waiting in queue ``q`` at ``e``."""
        mq = self.max_queue[q]
        n = self.qlen[q]
        i = min(int(e / self.interval), self.horizon - 1)
        cur = self.cur[q]
        while cur < i:                        # interval starts passed since the last change
            cur += 1
            if n > mq[cur]:
                mq[cur] = n
        self.cur[q] = cur
        n += 1
        self.qlen[q] = n
        if n > mq[i]:
            mq[i] = n

    def _shrink(self, q, t):
        """A contact stops waiting in queue ``q`` at ``t``.

        It still counts at the starts of the intervals passed before ``t``,
        not at one starting exactly at ``t``.
        """
        mq = self.max_queue[q]
        n = self.qlen[q]
        cur = self.cur[q]
        last = self.horizon - 1
        interval = self.interval
        while cur < last and (cur + 1) * interval < t:
            cur += 1
            if n > mq[cur]:
                mq[cur] = n
        self.cur[q] = cur
        self.qlen[q] = n - 1

    # ------------------------------------------------------------------- run

    def run(self):
        """Run to the end of the horizon; ``(records, overtime, max_queue)``."""
        self.env.run()
        last = self.horizon - 1
        for q in range(len(self.queues)):
            mq, n = self.max_queue[q], self.qlen[q]
            for i in range(self.cur[q] + 1, last + 1):
                if n > mq[i]:
                    mq[i] = n
        records = {
            "queue": np.array(self.r_queue, dtype=np.int32),
            "contact": np.array(self.r_contact, dtype=np.int64),
            "attempt": np.array(self.r_attempt, dtype=np.int32),
            "arrival": np.array(self.r_arrival, dtype=float),
            "outcome": np.array(self.r_outcome, dtype=np.int8),
            "enter": np.array(self.r_enter, dtype=float),
            "start": np.array(self.r_start, dtype=float),
            "leave": np.array(self.r_leave, dtype=float),
            "group": np.array(self.r_group, dtype=np.int32),
        }
        ot = self.overtime
        overtime = {"group": np.array([o[0] for o in ot], dtype=np.int32),
                    "start": np.array([o[1] for o in ot], dtype=float),
                    "end": np.array([o[2] for o in ot], dtype=float)}
        max_queue = np.array(self.max_queue, dtype=float).reshape(len(self.queues),
                                                                  self.horizon)
        return records, overtime, max_queue


def run_simpy(center, key, firsts=None):
    """Simulate one replication of any center with SimPy.

    Parameters
    ----------
    center : simulate.model.Center
        The center: queues (with bot, patience, retrials) and agent groups
        (skills in routing order, overflow thresholds, staffing or shifts,
        concurrency).
    key : int or numpy.uint64
        Replication key (see :func:`simulate._rng.replication_keys`); the same
        key gives the same contacts (common random numbers), and the same
        records as :func:`simulate._engine_fast.run_fast` on a single-skill
        center.
    firsts : list of dict, optional
        The queues' :func:`simulate._common.first_attempts` of ``key``, to
        skip drawing them again.

    Returns
    -------
    records : dict of numpy.ndarray
        One row per attempt, with the fields of
        :data:`simulate._common.RECORD_FIELDS`: ``queue`` (int32), ``contact``
        (int64), ``attempt`` (int32), ``arrival``, ``outcome`` (int8, codes of
        :data:`simulate._fast.OUTCOMES`), ``enter`` (NaN if it never reached
        the agents' queue), ``start`` (NaN if not answered), ``leave`` (NaN
        if still in the system at the end) and ``group`` (int32, the serving
        group, -1 if not answered).  Row order is not specified.
    overtime : dict of numpy.ndarray
        ``group``, ``start``, ``end``: a slot that went off duty at ``start``
        while busy and worked on until its contact ended at ``end``.
    max_queue : numpy.ndarray
        ``max_queue[q, i]``: the largest number of contacts waiting at once in
        queue ``q`` during interval ``i`` (those waiting at its start
        included).

    Examples
    --------
    >>> from ccwfm.simulate.model import Center
    >>> c = Center.single_queue([60.0] * 2, aht=180, agents=8, patience=120)
    >>> records, overtime, max_queue = run_simpy(c, 1)
    >>> max_queue.shape
    (1, 2)
    """
    return _Model(center, key, firsts).run()
