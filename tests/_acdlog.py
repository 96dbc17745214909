"""Synthetic call-center logs in the Technion "Anonymous Bank" format, with known truth.

An independent event simulation (plain Python, no ccwfm code) of one pool of
agents answering several services first come, first served: Poisson arrivals
with rates by weekday and hour, handle times and patience from known
distributions, whole agents on duty per hour (pooled: idle agents leave
first, busy ones when their call ends), and optionally agents who step away
after a call (availability below 1).  The calls are then stamped as a real
ACD stamps them, with real logs' artefacts when asked: whole seconds, stage
clocks that disagree by a second or two, a few overlaps of minutes, calls
that end in the VRU, PHANTOM rows, served rows with server ``NO_SERVER``,
negative VRU times, calls crossing midnight.

>>> log = synthetic_log(seed=1, days=1, rate=40.0)
>>> log.text.splitlines()[0].split("\\t")[:4]
['vru+line', 'call_id', 'customer_id', 'priority']
>>> bool(log.calls["valid"].all())
True
"""

import heapq
import io
import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

HEADER = ("vru+line", "call_id", "customer_id", "priority", "type", "date", "vru_entry",
          "vru_exit", "vru_time", "q_start", "q_exit", "q_time", "outcome", "ser_start",
          "ser_exit", "ser_time", "server")
# Relative arrival rate by hour of day (07:00 to 24:00), a double-peaked day.
HOURLY = {7: 0.35, 8: 0.8, 9: 1.2, 10: 1.35, 11: 1.3, 12: 1.1, 13: 1.05, 14: 1.2, 15: 1.25,
          16: 1.1, 17: 0.9, 18: 0.7, 19: 0.55, 20: 0.45, 21: 0.4, 22: 0.3, 23: 0.25}
WEEKDAY = (1.15, 1.0, 0.95, 0.95, 1.0, 0.45, 0.3)     # Monday .. Sunday
_BIN = 300.0                                          # truth bins, seconds


@dataclass
class SyntheticLog:
    """A generated log: ``text`` (the file), ``calls`` (truth per call), ``truth``.

    ``calls`` has one row per written row (in file order, ``row`` 1-based):
    ``queue``, ``arrival`` (queue entry, or VRU exit for VRU-only calls),
    ``outcome`` (answered, abandoned, other, phantom), ``wait``, ``handle``,
    ``patience``, ``agent``, ``valid`` (False for PHANTOM rows and rows whose
    stamps overlap by minutes) and ``artefact`` (what was done to its stamps).
    ``truth``: the parameters, and ``available`` (a Series of the time-averaged
    agents available, on duty and not away, per 5-minute bin start) and
    ``staffed`` (agents on duty per bin).
    """

    text: str
    calls: pd.DataFrame
    truth: dict = field(default_factory=dict)

    def available(self, minutes):
        """True mean available agents per ``minutes`` interval start (a Series)."""
        s = self.truth["available"]
        return s.groupby(s.index.floor(f"{minutes}min")).mean()

    def file(self):
        return io.StringIO(self.text)


def _clock(seconds):
    s = int(seconds) % 86400
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def synthetic_log(*, seed, days=14, start="2024-01-01", rate=120.0,
                  queues=(("PS", 0.6, 200.0), ("NE", 0.25, 260.0), ("TT", 0.15, 320.0)),
                  handle="lognormal", handle_cv=1.0, patience="exponential",
                  patience_mean=300.0, beta=(-0.6, 1.2), availability=1.0, away_mean=120.0,
                  skew=0.0, overlaps=0, vru_only=0.0, phantom=0.0, no_server=0.0,
                  negative_vru=0, late=True):
    """Generate a log.

    Parameters
    ----------
    seed : int
    days : int
        Calendar days from ``start``.
    rate : float
        Calls per hour at relative rate 1 (times :data:`HOURLY` and
        :data:`WEEKDAY`), all services together.
    queues : tuple of (name, share, mean handle seconds[, mean patience seconds])
        A fourth element gives the service its own mean patience (else
        ``patience_mean``).
    handle : {"exponential", "lognormal"}
    handle_cv : float
        Coefficient of variation of lognormal handle times.
    patience : {"exponential", "mixture"}
        "mixture": 20% impatient (mean 15 s), 80% patient (mean chosen so the
        overall mean is ``patience_mean``).
    beta : (float, float)
        Agents on duty per hour: ``round(a + b sqrt(a))`` with ``a`` the
        hour's offered load and ``b`` uniform in ``beta`` (so some hours are
        overloaded).
    availability : float
        Long-run share of an on-duty agent's time available; below 1 agents
        step away after a call, for exponential times of mean ``away_mean``.
    skew : float
        Share of served calls whose service start is stamped 1-2 s before the
        stage before it (clock artefact; valid).
    overlaps : int
        Served calls whose service start is stamped 2-10 minutes before their
        queue exit (invalid).
    vru_only : float
        Calls (as a share of offered) that end in the VRU (outcome HANG, no
        queue stage; valid, not offered).
    phantom : float
        PHANTOM rows (share of offered; invalid).
    no_server : float
        Share of served calls whose server is written ``NO_SERVER`` (valid).
    negative_vru : int
        Valid rows written with a negative ``vru_time``.
    late : bool
        Open until midnight (calls cross it) rather than 22:00.
    """
    rng = np.random.default_rng(seed)
    names = [q[0] for q in queues]
    shares = np.array([q[1] for q in queues], float)
    shares = shares / shares.sum()
    ahts = np.array([q[2] for q in queues], float)
    pmeans = np.array([q[3] if len(q) > 3 else patience_mean for q in queues], float)
    mean_aht = float(shares @ ahts)
    day0 = pd.Timestamp(start)
    close = 24 if late else 22
    hours = [h for h in HOURLY if h < close]

    # Arrivals (seconds from day0 midnight), services, patience.
    arr, qidx = [], []
    staffing = {}
    for d in range(days):
        wd = (day0 + pd.Timedelta(days=d)).weekday()
        for h in hours:
            lam = rate * HOURLY[h] * WEEKDAY[wd]
            n = rng.poisson(lam)
            t0 = d * 86400.0 + h * 3600.0
            arr.extend(t0 + np.sort(rng.uniform(0, 3600.0, n)))
            qidx.extend(rng.choice(len(names), n, p=shares))
            a = lam * mean_aht / 3600.0 / availability
            b = rng.uniform(*beta)
            staffing[(d, h)] = max(1, int(round(a + b * math.sqrt(a))))
    arr = np.asarray(arr)
    qidx = np.asarray(qidx, int)
    order = np.argsort(arr, kind="stable")
    arr, qidx = arr[order], qidx[order]
    n = len(arr)
    mu = ahts[qidx]
    if handle == "exponential":
        hdl = rng.exponential(mu)
    else:
        s2 = math.log1p(handle_cv ** 2)
        hdl = rng.lognormal(np.log(mu) - s2 / 2, math.sqrt(s2))
    hdl = np.maximum(hdl, 1.0)
    pm = pmeans[qidx]
    if patience == "exponential":
        pat = rng.exponential(pm)
    else:
        fast = rng.random(n) < 0.2
        slow_mean = (pm - 0.2 * 15.0) / 0.8
        pat = np.where(fast, rng.exponential(15.0, n), rng.exponential(slow_mean))

    res = _simulate(arr, hdl, pat, staffing, days, hours, availability, away_mean, rng)
    return _write(res, arr, qidx, hdl, pat, names, day0, rng, days,
                  dict(skew=skew, overlaps=overlaps, vru_only=vru_only, phantom=phantom,
                       no_server=no_server, negative_vru=negative_vru),
                  dict(seed=seed, rate=rate, queues=queues, handle=handle,
                       handle_cv=handle_cv, patience=patience, patience_mean=patience_mean,
                       availability=availability, staffing=staffing))


def _simulate(arr, hdl, pat, staffing, days, hours, availability, away_mean, rng):
    """FCFS, longest-idle agent; returns per call (start, agent) and truth bins."""
    n = len(arr)
    start = np.full(n, np.nan)
    agent = np.full(n, -1)
    p_away = 0.0
    if availability < 1.0:
        # away after a call with probability p: mean cycle (busy or idle) ~ aht;
        # solved on the fly: share away = p m / (T + p m) with T the mean time
        # between call ends of an agent; approximated by the busy time.
        p_away = None
    events = []          # (time, kind, seq, payload)
    seq = 0

    def push(t, kind, payload):
        nonlocal seq
        heapq.heappush(events, (t, kind, seq, payload))
        seq += 1

    # kinds: 0 staffing change, 1 service end, 2 away end, 3 arrival, 4 abandon
    for (d, h), k in staffing.items():
        push(d * 86400.0 + h * 3600.0, 0, k)
        if h + 1 not in hours:
            push(d * 86400.0 + (h + 1) * 3600.0 + 1800.0, 0, 0)   # closing, after the drain
    for i in range(n):
        push(arr[i], 3, i)
        push(arr[i] + pat[i], 4, i)

    state = {}           # agent -> "idle" | "busy" | "away"
    leave = set()        # on duty, leaving when the current call or away ends
    idle = deque()       # idle agents, longest idle first
    free_ids = []        # agents off duty (reuse names)
    next_id = 0
    target = 0
    queue = deque()
    waiting = set()
    horizon = (days + 1) * 86400.0
    nbins = int(horizon // _BIN) + 1
    avail_int = np.zeros(nbins)
    duty_int = np.zeros(nbins)
    last = 0.0
    counts = [0, 0]      # available, on duty

    def integrate(t):
        nonlocal last
        a, b = last, t
        while a < b:
            k = int(a // _BIN)
            e = min(b, (k + 1) * _BIN)
            avail_int[k] += counts[0] * (e - a)
            duty_int[k] += counts[1] * (e - a)
            a = e
        last = t

    def on_duty():
        return sum(1 for s in state.values()) - len(leave)

    def give_work(ag, t):
        while queue:
            i = queue.popleft()
            if i in waiting:
                waiting.discard(i)
                start[i] = t
                agent[i] = ag
                state[ag] = "busy"
                push(t + hdl[i], 1, (ag, i))
                return
        state[ag] = "idle"
        idle.append(ag)

    def remove(ag):
        del state[ag]
        leave.discard(ag)
        free_ids.append(ag)
        counts[1] -= 1

    def adjust(t):
        nonlocal next_id
        cur = on_duty()
        while cur < target:
            if leave:                      # cancel a pending departure
                leave.pop()
            else:
                ag = free_ids.pop() if free_ids else next_id
                if ag == next_id:
                    next_id += 1
                counts[0] += 1
                counts[1] += 1
                give_work(ag, t)
            cur += 1
        while cur > target:
            if idle:
                ag = idle.popleft()
                counts[0] -= 1
                remove(ag)
            else:
                cand = [a for a in state if a not in leave]
                leave.add(cand[0])
            cur -= 1

    busy_mean = float(np.mean(hdl)) if n else 1.0
    q_away = 0.0
    if availability < 1.0:
        # share away = q m / (busy_mean + q m)  =>  q = (1-A) busy_mean / (A m)
        q_away = min(1.0, (1 - availability) * busy_mean / (availability * away_mean))

    while events:
        t, kind, _, x = heapq.heappop(events)
        integrate(t)
        if kind == 0:
            target = x
            adjust(t)
        elif kind == 3:
            i = x
            if idle:
                ag = idle.popleft()
                start[i] = t
                agent[i] = ag
                state[ag] = "busy"
                push(t + hdl[i], 1, (ag, i))
            else:
                queue.append(i)
                waiting.add(i)
        elif kind == 4:
            waiting.discard(x)
        elif kind == 1:
            ag, i = x
            if ag in leave:
                counts[0] -= 1
                remove(ag)
            elif q_away > 0 and rng.random() < q_away:
                state[ag] = "away"
                counts[0] -= 1
                push(t + rng.exponential(away_mean), 2, ag)
            else:
                give_work(ag, t)
        elif kind == 2:
            ag = x
            if ag in leave:
                remove(ag)
            else:
                counts[0] += 1
                give_work(ag, t)
    del p_away
    return dict(start=start, agent=agent, avail=avail_int / _BIN, duty=duty_int / _BIN)


def _write(res, arr, qidx, hdl, pat, names, day0, rng, days, art, params):
    n = len(arr)
    start, agent = res["start"], res["agent"]
    served = ~np.isnan(start)
    wait = np.where(served, start - arr, pat)
    outcome = np.where(served, "answered", "abandoned").astype(object)
    vru = rng.integers(5, 40, n).astype(float)          # seconds in the VRU before the queue
    rows = []
    truth = []
    n_vru = rng.binomial(n, art["vru_only"]) if art["vru_only"] else 0
    n_ph = rng.binomial(n, art["phantom"]) if art["phantom"] else 0
    served_idx = np.flatnonzero(served)
    skewed = set(served_idx[rng.random(len(served_idx)) < art["skew"]].tolist())
    over = set(rng.choice(served_idx, min(art["overlaps"], len(served_idx)),
                          replace=False).tolist())
    nosrv = set(served_idx[rng.random(len(served_idx)) < art["no_server"]].tolist())
    neg = set(rng.choice(n, min(art["negative_vru"], n), replace=False).tolist())
    extra = [("vru", t) for t in rng.uniform(7 * 3600, 22 * 3600, n_vru)
             + 86400.0 * rng.integers(0, days, n_vru)]
    extra += [("phantom", t) for t in rng.uniform(7 * 3600, 22 * 3600, n_ph)
              + 86400.0 * rng.integers(0, days, n_ph)]
    items = [("call", arr[i] - vru[i], i) for i in range(n)]
    items += [(kind, t - 10.0, None) for kind, t in extra]
    items.sort(key=lambda x: x[1])
    call_id = 10000
    for kind, t_entry, i in items:
        call_id += 1
        t_entry = math.floor(t_entry)
        day = math.floor(t_entry / 86400.0)
        date = (day0 + pd.Timedelta(days=day)).strftime("%y%m%d")
        base = [f"AA{rng.integers(101, 120):04d}", str(call_id), str(rng.integers(0, 10 ** 8)),
                str(rng.integers(0, 3))]
        zero = "0:00:00"
        if kind == "vru":
            q = names[rng.integers(len(names))]
            t_exit = t_entry + int(rng.integers(10, 120))
            rows.append(base + [q, date, _clock(t_entry), _clock(t_exit), str(t_exit - t_entry),
                                zero, zero, "0", "HANG", zero, zero, "0", "NO_SERVER"])
            truth.append(dict(queue=q, arrival=t_exit, outcome="other", wait=np.nan,
                              handle=np.nan, patience=np.nan, agent=None, valid=True,
                              artefact="vru_only"))
            continue
        if kind == "phantom":
            q = names[rng.integers(len(names))]
            rows.append(base + [q, date, _clock(t_entry), _clock(t_entry + 3), "3",
                                zero, zero, "0", "PHANTOM", zero, zero, "0", "NO_SERVER"])
            truth.append(dict(queue=q, arrival=t_entry, outcome="phantom", wait=np.nan,
                              handle=np.nan, patience=np.nan, agent=None, valid=False,
                              artefact="phantom"))
            continue
        q = names[qidx[i]]
        a = math.floor(arr[i])
        vru_exit = a
        vru_time = vru_exit - t_entry
        artefact = ""
        if i in neg:
            vru_time = -int(rng.integers(1, 5))
            artefact = "negative_vru"
        if served[i]:
            s0 = math.floor(start[i])
            s1 = math.floor(start[i] + hdl[i])
            direct = start[i] - arr[i] < 1e-9
            srv = "NO_SERVER" if i in nosrv else f"AG{agent[i]:03d}"
            if i in nosrv:
                artefact = artefact or "no_server"
            prev = vru_exit if direct else s0
            stamp0 = s0
            valid = True
            if i in over:
                stamp0 = prev - int(rng.integers(120, 600))
                artefact, valid = "overlap", False
            elif i in skewed:
                stamp0 = prev - int(rng.integers(1, 3))
                artefact = artefact or "skew"
            if direct:
                qf = [zero, zero, "0"]
            else:
                qf = [_clock(a), _clock(s0), str(s0 - a)]
            rows.append(base + [q, date, _clock(t_entry), _clock(vru_exit), str(vru_time)]
                        + qf + ["AGENT", _clock(stamp0), _clock(s1), str(s1 - s0), srv])
            truth.append(dict(queue=q, arrival=arr[i], outcome="answered", wait=wait[i],
                              handle=hdl[i], patience=pat[i], agent=srv, valid=valid,
                              artefact=artefact))
        else:
            x = math.floor(arr[i] + pat[i])
            rows.append(base + [q, date, _clock(t_entry), _clock(vru_exit), str(vru_time),
                                _clock(a), _clock(x), str(x - a), "HANG", zero, zero, "0",
                                "NO_SERVER"])
            truth.append(dict(queue=q, arrival=arr[i], outcome="abandoned", wait=pat[i],
                              handle=np.nan, patience=pat[i], agent=None, valid=True,
                              artefact=artefact))
    text = "\t".join(HEADER) + "\n" + "\n".join("\t".join(r) for r in rows) + "\n"
    calls = pd.DataFrame(truth)
    calls.insert(0, "row", np.arange(1, len(calls) + 1))
    calls["arrival"] = day0 + pd.to_timedelta(calls["arrival"], unit="s")
    bins = day0 + pd.to_timedelta(np.arange(len(res["avail"])) * _BIN, unit="s")
    params["available"] = pd.Series(res["avail"], index=bins)
    params["staffed"] = pd.Series(res["duty"], index=bins)
    return SyntheticLog(text, calls, params)
