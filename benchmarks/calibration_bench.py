"""Which calibration choices fit a center's own log best?  Measured on logs with known truth.

Runs :func:`ccwfm.plan.calibrate` with each candidate choice (agent definition,
fitted agent factor, patience per pool or per service mix, 15- and
30-minute sub-cells, predictor) on synthetic call logs in the public "Anonymous Bank"
format written by an independent event simulation (``tests/_acdlog.py``),
several seeds each, and reports the held-out errors (weekday held out):
abandonment MAE and bias (pp), ASA WAPE (%), service-level MAE (pp), and
the noise floor (the abandonment MAE binomial noise alone gives).

Kinds of log:

* ``erlang_a``: Erlang A's own assumptions (Poisson arrivals, exponential
  handle times and patience, every agent on duty available), two services
  answered by one pool;
* ``realistic``: three services with different handle times and patience,
  lognormal handle times (cv 1.2), patience with a heavy early hazard (20% of
  callers with a mean of 15 s), agents who step away after calls
  (availability 0.85), and the real logs' artefacts (clock skews on half the
  answered calls, overlaps of minutes, VRU-only calls, PHANTOM and
  ``NO_SERVER`` rows, negative VRU times, midnight crossings).

With ``--log PATH`` (and ``--pool NAME=Q1,Q2``) the candidates run on a real
log instead.

Usage::

    python benchmarks/calibration_bench.py [--seeds 3] [--days 28] [--json]
    python benchmarks/calibration_bench.py --log january.txt --pool retail=PS,PE,NE,NW,TT

``--json`` prints one object: ``{"logs": {kind: {candidate: {model: {key:
value}}}}, "seconds": ...}`` with the keys ``abandon_mae_pp``,
``abandon_bias_pp``, ``asa_wape_pct``, ``sl_mae_pp``,
``noise_abandon_mae_pp`` (means over seeds).
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ccwfm.plan.calibrate import calibrate  # noqa: E402
from tests._acdlog import synthetic_log  # noqa: E402

KINDS = {
    "erlang_a": dict(queues=(("PS", 0.6, 240.0), ("NE", 0.4, 240.0)), handle="exponential",
                     patience="exponential", patience_mean=240.0, availability=1.0),
    "realistic": dict(queues=(("PS", 0.55, 200.0, 300.0), ("NE", 0.25, 260.0, 500.0),
                              ("TT", 0.2, 320.0, 150.0)),
                      handle="lognormal", handle_cv=1.2, patience="mixture",
                      availability=0.85, skew=0.5, overlaps=5, vru_only=0.1, phantom=0.01,
                      no_server=0.02, negative_vru=20),
}
CANDIDATES = {
    "default": {},
    "no_agent_factor": {"agent_factor": "none"},
    "agents_availability": {"agents": "availability"},
    "agents_presence": {"agents": "presence"},
    "patience_by_service": {"patience_by": "service"},
    "sub_interval_30": {"sub_interval": 30},
    "sub_interval_15": {"sub_interval": 15},
}
KEYS = ("abandon_mae_pp", "abandon_bias_pp", "asa_wape_pct", "sl_mae_pp",
        "noise_abandon_mae_pp")


def _errors(cal):
    e = cal.errors[cal.errors["band"] == "all"].set_index("model")
    return {m: {k: float(e.loc[m, k]) for k in KEYS} for m in e.index}


def _mean(results):
    out = {}
    for m in results[0]:
        out[m] = {k: round(float(np.mean([r[m][k] for r in results])), 3) for k in KEYS}
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--rate", type=float, default=110.0)
    ap.add_argument("--log", default=None)
    ap.add_argument("--pool", action="append", default=[])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    started = time.monotonic()
    out = {}
    if args.log:
        pools = {p.split("=")[0]: p.split("=")[1].split(",") for p in args.pool} or None
        out["log"] = {name: _errors(calibrate(args.log, pools=pools, **kw))
                      for name, kw in CANDIDATES.items()}
    else:
        for kind, opts in KINDS.items():
            names = [q[0] for q in opts["queues"]]
            res = {name: [] for name in CANDIDATES}
            for seed in range(1, args.seeds + 1):
                log = synthetic_log(seed=seed, days=args.days, rate=args.rate, **opts)
                for name, kw in CANDIDATES.items():
                    cal = calibrate(log.file(), pools={"pool": names}, **kw)
                    res[name].append(_errors(cal))
            out[kind] = {name: _mean(r) for name, r in res.items()}
    summary = {"logs": out, "seconds": round(time.monotonic() - started, 1)}
    if args.json:
        print(json.dumps(summary))
        return 0
    for kind, cands in out.items():
        print(f"\n{kind}")
        print(f"{'candidate':22s} {'model':14s} " + " ".join(f"{k[:14]:>14s}" for k in KEYS))
        for name, models in cands.items():
            for m, vals in models.items():
                print(f"{name:22s} {m:14s} " + " ".join(f"{vals[k]:14.2f}" for k in KEYS))
    print(f"\n{summary['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
