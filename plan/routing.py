"""Who serves which queue: agent groups, their skills in priority order, overflow.

A scenario's ``[[workforce.groups]]`` give each group ``skills`` (queues in
the order an idle agent of the group looks at them: its routing priority)
and ``overflow`` (queue = seconds a contact must have waited before the
group may take it).  :func:`routing` turns them, with each queue's
``group``, into a :class:`Routing`:

* a group serves its ``skills`` first, in their order, then the queues whose
  ``group`` names it that its skills do not list (in the scenario's order),
  then its ``overflow`` queues (after their delay);
* a queue's **home group** is the group its ``group`` names; else the first
  group (in the scenario's order) listing it in ``skills``; else a group of
  its own, named after the queue.  The home group is the one scheduled for
  the queue's requirement;
* a group may be the home of no queue (a cross-trained group next to
  dedicated ones, an overflow group): integrated scheduling plans it together
  with the groups whose queues it takes (:mod:`plan.joint`); the two-step
  method, which schedules each group for its home queues' requirement, gives
  it no shifts;
* a group whose queues differ in ``concurrency`` or ``concurrency_factor``
  (chat with two slots per agent next to e-mail with one) cannot be routed
  by the simulator, whose agents have the same slots for all their queues:
  it is *split*, each of its home queues simulated with its own share of the
  group's agents (the share the scheduler gave it), its overflow ignored.

The simulation (:meth:`Routing.center`) routes contacts as
:mod:`ccwfm.simulate` does: a contact entering a queue takes an idle agent
of a group serving it without delay (groups in the scenario's order), else
waits in its queue (first come, first served); an agent who becomes free
takes the oldest contact of the first queue in its skill order that has one
(overflow queues once that contact has waited the delay).  Agents of a group
are exchangeable, so which idle agent answers (the longest idle, say) does
not change any queue's KPIs.
"""

from dataclasses import dataclass, field

import numpy as np

from ccwfm import simulate

from .verify import _agents, simulation_queue

__all__ = ["Routing", "routing"]


@dataclass(frozen=True)
class Routing:
    """The routing of a scenario's queues to its agent groups.

    Attributes
    ----------
    skills : dict
        Group name -> tuple of ``(queue, after)``: the queues the group
        serves in its priority order, ``after`` the seconds a contact waits
        before the group may take it (0 but for overflow).
    home : dict
        Queue name -> its home group (scheduled for its requirement).
    split : dict
        Simulated group name -> queue, for the groups split by queue (mixed
        concurrency): ``"<group>:<queue>"`` serves the queue alone with the
        queue's share of the group's agents.

    Examples
    --------
    >>> r = Routing({"a": (("voice", 0.0), ("sales", 30.0)), "sales": (("sales", 0.0),)},
    ...             {"voice": "a", "sales": "sales"})
    >>> r.serving("sales"), r.is_multiskill
    (('a', 'sales'), True)
    """

    skills: dict
    home: dict
    split: dict = field(default_factory=dict)

    @property
    def groups(self):
        """Names of the groups scheduled (home groups), in routing order."""
        return tuple(dict.fromkeys(self.home[self.split[g]] if g in self.split else g
                                   for g in self.skills))

    def staffing(self, group_phones, queue_phones):
        """Agents on the phones per simulated group: ``group_phones[group]`` for a
        routed group, ``queue_phones[queue]`` for a split one."""
        return {g: (queue_phones[self.split[g]] if g in self.split else group_phones[g])
                for g in self.skills}

    def serving(self, queue):
        """Names of the groups serving ``queue``."""
        return tuple(g for g, sk in self.skills.items() if any(q == queue for q, _ in sk))

    def served(self, group):
        """Names of the queues ``group`` serves, in its priority order."""
        return tuple(q for q, _ in self.skills[group])

    def scheduled(self):
        """Group name (scheduled) -> the queues the schedule may give its agents to:
        those it serves (overflow included), or its home queues for a split group."""
        out = {}
        for g, sk in self.skills.items():
            name = self.home[self.split[g]] if g in self.split else g
            out.setdefault(name, [])
            out[name] += [q for q, _ in sk if q not in out[name]]
        return {g: tuple(qs) for g, qs in out.items()}

    def schedule_parts(self):
        """The scheduled groups as sets that must be scheduled together (linked by
        the queues they may be given agents for), in routing order."""
        sched = self.scheduled()
        parts = []
        for g, qs in sched.items():
            linked = [p for p in parts if any(set(qs) & set(sched[h]) for h in p)]
            merged = [h for p in linked for h in p] + [g]
            parts = [p for p in parts if p not in linked] + [merged]
        order = list(sched)
        return sorted((tuple(sorted(p, key=order.index)) for p in parts),
                      key=lambda p: order.index(p[0]))

    @property
    def is_multiskill(self):
        """True when a group serves several queues or a queue has several groups."""
        return any(len(sk) > 1 for sk in self.skills.values())

    def components(self):
        """The independent parts of the center: ``[(groups, queues)]``, each a set of
        groups linked by the queues they share, with those queues (in the order
        of :attr:`home`)."""
        parent = {g: g for g in self.skills}

        def find(g):
            while parent[g] != g:
                parent[g] = parent[parent[g]]
                g = parent[g]
            return g

        for q in self.home:
            gs = self.serving(q)
            for g in gs[1:]:
                parent[find(g)] = find(gs[0])
        out = {}
        for g in self.skills:
            out.setdefault(find(g), ([], []))[0].append(g)
        for q in self.home:
            out[find(self.serving(q)[0])][1].append(q)
        return [(tuple(gs), tuple(qs)) for gs, qs in out.values()]

    def center(self, queues, requirements, phones, *, interval):
        """A :class:`ccwfm.simulate.Center` of ``queues`` routed to the groups serving them.

        Parameters
        ----------
        queues : sequence of plan.scenario.QueueConfig
            The queues to simulate; every group serving one of them must
            serve only queues among them (a whole :meth:`components` part).
        requirements : pandas.DataFrame
            The requirements step's table (``queue``, ``start``, ``volume``,
            ``aht``).
        phones : dict
            Simulated group name -> agents on the phones per interval
            (fractional agents are time-shared, see
            :class:`ccwfm.simulate.Group`); see :meth:`staffing`.
        interval : int
            Interval length in minutes.

        Examples
        --------
        >>> import pandas as pd
        >>> from ccwfm.plan.scenario import QueueConfig
        >>> qs = [QueueConfig("voice", demo=True), QueueConfig("sales", demo=True)]
        >>> req = pd.DataFrame({"queue": ["voice", "sales"], "start": pd.Timestamp("2025-01-06"),
        ...                     "volume": [50.0, 20.0], "aht": [300.0, 240.0]})
        >>> r = Routing({"a": (("voice", 0.0), ("sales", 0.0))}, {"voice": "a", "sales": "a"})
        >>> c = r.center(qs, req, {"a": [9.0]}, interval=15)
        >>> [s.queue for s in c.groups[0].skills]
        ['voice', 'sales']
        """
        names = {q.name for q in queues}
        groups = []
        for g, sk in self.skills.items():
            inside = [q in names for q, _ in sk]
            if not any(inside):
                continue
            if not all(inside):
                raise ValueError(f"'queues' must hold every queue group {g!r} serves: "
                                 f"{[q for q, _ in sk if q not in names]} missing")
            cfg = next(q for q in queues if q.name == sk[0][0])
            staff = np.asarray(phones[g], float)
            groups.append(simulate.Group(
                g, tuple(simulate.Skill(q, after) for q, after in sk),
                staffing=tuple(_agents(v) for v in staff),
                concurrency=cfg.concurrency, concurrency_factor=cfg.concurrency_factor))
        sim_queues = tuple(simulation_queue(q, requirements) for q in queues)
        return simulate.Center(sim_queues, tuple(groups), interval=interval * 60.0)


def routing(queues, workforce):
    """The :class:`Routing` of ``queues`` by the groups of ``workforce`` (see the module
    docstring for the rules); ValueError naming the group and the rule otherwise.

    Examples
    --------
    >>> from ccwfm.plan.scenario import GroupConfig, QueueConfig, Workforce
    >>> qs = [QueueConfig("voice", demo=True), QueueConfig("sales", demo=True)]
    >>> w = Workforce(groups=(GroupConfig("voice", skills=("voice",)),
    ...                       GroupConfig("sales", skills=("sales",), overflow={"voice": 30})))
    >>> r = routing(qs, w)
    >>> r.skills["sales"], r.home
    ((('sales', 0.0), ('voice', 30.0)), {'voice': 'voice', 'sales': 'sales'})
    """
    names = [q.name for q in queues]
    configs = {g.name: g for g in workforce.groups}
    home = {}
    for q in queues:
        if q.group is not None:
            home[q.name] = q.group
        else:
            home[q.name] = next((g.name for g in workforce.groups if q.name in g.skills),
                                q.name)
    skills = {}
    for g in workforce.groups:
        listed = [s for s in g.skills if s in names]
        listed += [q for q in names if home[q] == g.name and q not in listed]
        sk = [(q, 0.0) for q in listed]
        sk += [(q, float(after)) for q, after in g.overflow.items()
               if q in names and q not in listed]
        skills[g.name] = tuple(sk)
    for q in names:
        if home[q] not in configs:
            skills.setdefault(home[q], ())
            skills[home[q]] += ((q, 0.0),)
    by_name = {q.name: q for q in queues}
    out, split = {}, {}
    for g, sk in skills.items():
        kinds = {(by_name[q].concurrency, by_name[q].concurrency_factor) for q, _ in sk}
        if len(kinds) == 1:
            out[g] = sk
            continue
        own = [q for q, _ in sk if home[q] == g]
        if not own:
            raise ValueError(f"'workforce.groups[{g}].skills' must list queues of one "
                             "concurrency and concurrency_factor when the group is the home "
                             "of none of them (the simulator's agents have the same slots for "
                             "all their queues): " + ", ".join(
                                 f"{q} {by_name[q].concurrency} x "
                                 f"{by_name[q].concurrency_factor:g}" for q, _ in sk))
        for q in own:
            out[f"{g}:{q}"] = ((q, 0.0),)
            split[f"{g}:{q}"] = q
    return Routing(out, home, split)
