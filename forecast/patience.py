"""Callers' patience estimated from queue waits censored by service.

A caller who abandons after waiting ``w`` seconds shows a patience of ``w``;
a caller answered after ``w`` seconds shows only that the patience was longer
than ``w`` (right-censored).  :func:`estimate_patience` fits both

* the **exponential** model: the maximum-likelihood rate under censoring is
  abandonments / total seconds waited (by everyone, answered and abandoned),
  the ratio ``P(abandon) / E[wait]`` used to calibrate Erlang A; its mean is
  what :func:`erlang.metrics` takes as ``patience``;
* the **Kaplan–Meier** survival curve (``statsmodels``' ``SurvfuncRight``),
  free of any shape assumption, with its median and restricted mean.

Known biases, to keep in mind when reading the numbers:

* **Shape.**  Real patience is rarely exponential: many callers hang up in
  the first seconds (during the greeting or the first announcement: a heavy
  early hazard), the rest are more patient than an exponential of the same
  mean suggests.  The exponential estimate is then a compromise driven by
  the waits that actually occurred: it describes abandonment well at the
  service level the data come from and less well at very different ones.
  The Kaplan–Meier curve shows the shape (compare it with ``exp(-t / mean)``).
* **Only what was waited is seen.**  In a well-staffed queue waits are
  short; patience beyond the longest observed wait is not identified: the
  Kaplan–Meier curve stops there (the median may not be reached, the mean
  is only a restricted mean) and any tail is an extrapolation.  Few
  abandonments give a wide confidence interval: read it.
* **Independent censoring** is assumed: whether a caller is answered must
  not depend on his patience.  Priorities (e.g. the Anonymous Bank's
  priority customers moved ahead), announcements of the expected wait, or
  callbacks break it.
* **Mixing.**  Pooling queues, hours or customer types with different
  patience gives a mixture, whose hazard falls with time even when each
  group is exponential; estimate per queue (``queue=``) when volumes allow.
* **Zero waits.**  Callers answered at once carry no information; callers
  who abandon at once (wait 0) count as abandonments at time 0 and raise the
  early hazard.  Some studies discard abandonments shorter than a few
  seconds as misdials; filter the frame first to do so.
* Retrials of the same caller are treated as independent callers; waits
  rounded to whole seconds make ties, which Kaplan–Meier handles
  (abandonments before censorings at the same time).
"""

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight

from ccwfm._validation import choice, count

SPEC_KINDS = ("exponential", "empirical")


@dataclass(frozen=True, eq=False)
class Patience:
    """Patience estimates for one queue (or several pooled).

    Attributes
    ----------
    queue : str or None
        The queue estimated, None when all the contacts were pooled.
    n : int
        Contacts used (answered and abandoned with a known wait).
    abandoned : int
        Of which abandoned (the uncensored observations).
    total_wait : float
        Seconds waited by all of them.
    mean_exponential : float
        Mean patience (seconds) of the exponential fit:
        ``total_wait / abandoned``; ``inf`` when nobody abandoned (no
        abandonment is seen: Erlang C, not Erlang A), 0 when every
        abandonment happened at wait 0 and nobody waited.
    mean_exponential_ci : tuple of float
        95% confidence interval of that mean, from the exact Poisson
        interval of the number of abandonments given the time waited
        (``2 T / chi2(0.975, 2d + 2)``, ``2 T / chi2(0.025, 2d)``); the upper
        bound is ``inf`` when ``abandoned == 0``.
    times, survival, survival_se : numpy.ndarray
        Kaplan–Meier curve: ``survival[i]`` is the probability that patience
        exceeds ``times[i]`` (the distinct waits at which someone abandoned,
        ascending), with its Greenwood standard error.  The curve is 1 before
        ``times[0]`` and is known only up to :attr:`restricted_to`.
    median_km : float
        First time at which the curve is <= 0.5; NaN when the curve stays
        above 0.5 over the observed waits (the median is then longer than
        :attr:`restricted_to` and not estimable without a model).
    restricted_mean_km : float
        Area under the curve from 0 to :attr:`restricted_to`: the mean of
        ``min(patience, restricted_to)``, a lower bound of the mean when the
        curve does not reach 0.
    restricted_to : float
        The longest observed wait (abandoned or answered).
    """

    queue: object
    n: int
    abandoned: int
    total_wait: float
    mean_exponential: float
    mean_exponential_ci: tuple
    times: np.ndarray
    survival: np.ndarray
    survival_se: np.ndarray
    median_km: float
    restricted_mean_km: float
    restricted_to: float

    @property
    def mean_for_erlang(self):
        """The exponential mean, what ``erlang.metrics(patience=...)`` takes
        (``inf`` means no abandonment: Erlang C)."""
        return self.mean_exponential

    @property
    def rate(self):
        """Abandonment rate of the exponential fit (per second): ``abandoned / total_wait``."""
        if self.abandoned == 0:
            return 0.0
        return math.inf if self.total_wait == 0 else self.abandoned / self.total_wait

    def survival_at(self, t):
        """Kaplan–Meier probability that patience exceeds ``t`` seconds (array-like).

        NaN beyond :attr:`restricted_to` unless the curve has reached 0.
        """
        t = np.asarray(t, dtype=float)
        i = np.searchsorted(self.times, t, side="right")
        curve = np.concatenate([[1.0], self.survival])
        out = curve[i]
        if not (self.survival.size and self.survival[-1] == 0):
            out = np.where(t > self.restricted_to, np.nan, out)
        return out if out.ndim else float(out)

    def to_spec(self, kind="exponential", *, size=1000):
        """A distribution spec for the simulator (``Distribution.from_spec``).

        ``"exponential"``: ``{"kind": "exponential", "mean": mean_exponential}``.

        ``"empirical"``: ``{"kind": "empirical", "values": [...]}``, ``size``
        quantiles of the Kaplan–Meier distribution at probabilities
        ``(i - 0.5) / size``, ``i = 1..size`` (deterministic, so the spec is
        reproducible).  Where the curve does not reach 0, the probability
        mass left at the longest observed wait ``tau`` (``S(tau)``) is spread
        as an exponential tail beyond ``tau`` with the exponential fit's rate:
        ``S(t) = S(tau) exp(-rate (t - tau))`` for ``t > tau``.  That tail is
        an extrapolation (see the module notes: with a heavy early hazard the
        overall rate is too high for the tail, which comes out too short).

        Raises ValueError when nobody abandoned (patience unbounded in the
        data: leave patience out, Erlang C) or every abandonment was at wait
        0 with no time waited.
        """
        choice("kind", kind, SPEC_KINDS, quote=False)
        if self.abandoned == 0:
            raise ValueError("no abandonment in the data: patience is not bounded by what was "
                             "seen; leave patience out (Erlang C)")
        if not self.mean_exponential > 0:
            raise ValueError("every abandonment happened at wait 0 and nobody waited: no "
                             "patience distribution can be fitted")
        if kind == "exponential":
            return {"kind": "exponential", "mean": float(self.mean_exponential)}
        size = count("size", size, 1)
        p = (np.arange(1, size + 1) - 0.5) / size
        cdf = 1.0 - self.survival
        # First event time whose cumulative probability reaches p (tiny slack for rounding).
        i = np.searchsorted(cdf, p - 1e-12, side="left")
        inside = i < self.times.size
        values = np.empty(size)
        values[inside] = self.times[i[inside]]
        if (~inside).any():
            tail_mass = self.survival[-1]
            tau = self.restricted_to
            values[~inside] = tau + np.log(tail_mass / (1.0 - p[~inside])) / self.rate
        return {"kind": "empirical", "values": [float(v) for v in values]}


def estimate_patience(log_or_frame, *, queue=None):
    """Estimate patience from waits: abandoned = observed, answered = censored.

    Parameters
    ----------
    log_or_frame : AcdLog or pandas.DataFrame
        A call-level log (:func:`forecast.acd.read_acd`) or a frame with
        columns ``wait`` (seconds in queue) and ``outcome`` (``"answered"``
        or ``"abandoned"``; other rows are ignored), and ``queue`` to select
        one.
    queue : str, optional
        Only this queue's contacts; default all pooled.

    Returns
    -------
    Patience

    Examples
    --------
    >>> df = pd.DataFrame({"wait": [2, 3, 5, 8],
    ...                    "outcome": ["abandoned", "answered", "abandoned", "abandoned"]})
    >>> p = estimate_patience(df)
    >>> p.mean_exponential, p.median_km, p.survival.tolist()
    (6.0, 5.0, [0.75, 0.375, 0.0])
    """
    frame = getattr(log_or_frame, "frame", log_or_frame)
    if not isinstance(frame, pd.DataFrame):
        raise ValueError("'log_or_frame' must be an AcdLog or a DataFrame: "
                         f"{type(log_or_frame).__name__}")
    for col in ("wait", "outcome"):
        if col not in frame.columns:
            raise ValueError(f"'log_or_frame' needs column {col!r}")
    if queue is not None:
        if "queue" not in frame.columns:
            raise ValueError("'queue' given but the frame has no 'queue' column")
        names = sorted(frame["queue"].astype(str).unique().tolist())
        if str(queue) not in names:
            raise ValueError(f"'queue' is not in the log: {queue!r} (queues: {', '.join(names)})")
        frame = frame[frame["queue"].astype(str) == str(queue)]
    sel = frame[frame["outcome"].isin(("answered", "abandoned"))]
    wait = pd.to_numeric(sel["wait"], errors="coerce").to_numpy(float)
    status = sel["outcome"].eq("abandoned").to_numpy()
    known = np.isfinite(wait)
    wait, status = wait[known], status[known]
    if wait.size == 0:
        raise ValueError("no answered or abandoned contact with a known wait: nothing to "
                         "estimate patience from")
    if (wait < 0).any():
        raise ValueError(f"'wait' must be >= 0: {float(wait[wait < 0][0])!r}")

    d = int(status.sum())
    total = float(wait.sum())
    if d == 0:
        mean = math.inf
    else:
        mean = total / d
    lower = 2 * total / stats.chi2.ppf(0.975, 2 * d + 2)
    upper = 2 * total / stats.chi2.ppf(0.025, 2 * d) if d > 0 else math.inf

    tau = float(wait.max())
    if d > 0:
        sf = SurvfuncRight(wait, status.astype(int))
        times = np.asarray(sf.surv_times, float)
        surv = np.asarray(sf.surv_prob, float)
        se = np.asarray(sf.surv_prob_se, float)
    else:
        times = surv = se = np.empty(0)
    below = np.flatnonzero(surv <= 0.5 + 1e-12)
    median = float(times[below[0]]) if below.size else math.nan
    knots = np.concatenate([[0.0], times, [tau]])
    heights = np.concatenate([[1.0], surv])
    rmst = float(np.sum(heights * np.diff(knots)))
    for arr in (times, surv, se):
        arr.setflags(write=False)
    return Patience(queue=queue, n=int(wait.size), abandoned=d, total_wait=total,
                    mean_exponential=mean, mean_exponential_ci=(float(lower), float(upper)),
                    times=times, survival=surv, survival_se=se, median_km=median,
                    restricted_mean_km=rmst, restricted_to=tau)
