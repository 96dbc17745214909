"""Property tests of the ACD log reader: malformed logs give a valid AcdLog (every row kept
or reported as excluded) or a ValueError naming the field, never another exception.

Anonymous Bank logs and generic CSV logs are generated valid, then mutated: cells
replaced by junk (bad clocks, durations, dates, outcomes, 1e300, inf, negatives), lines
with a field missing, a required column dropped, junk bytes; and every keyword argument
is given wrong types and values.  Each call goes through :func:`tests._fuzz.outcome`.
"""


import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from ccwfm import forecast
from ccwfm._limits import limit
from ccwfm.forecast.acd import EXCLUDING
from tests._fuzz import outcome
from tests.forecast.test_fuzz_io import quoted

HEADER = ("vru+line call_id customer_id priority type date vru_entry vru_exit vru_time "
          "q_start q_exit q_time outcome ser_start ser_exit ser_time server").split()
EXCLUDED = set(EXCLUDING)
JUNK = ["", "abc", "25:00:00", "-5", "1e300", "inf", "nan", "99:99:99", "0:00:00", "-0:00:05",
        "1" + "0" * 400, "991399", "20240230", "XYZ", "\u00e9"]


def clock(sec):
    sec = int(sec) % 86400
    return f"{sec // 3600}:{sec % 3600 // 60:02d}:{sec % 60:02d}"


@st.composite
def ab_calls(draw):
    """Anonymous Bank records as lists of 17 strings."""
    calls = []
    for k in range(draw(st.integers(1, 8))):
        t0 = draw(st.integers(6 * 3600, 20 * 3600))
        kind = draw(st.sampled_from(["AGENT", "HANG", "VRU", "PHANTOM", "DIRECT"]))
        w, s = draw(st.integers(0, 300)), draw(st.integers(1, 600))
        skew = draw(st.sampled_from([0, 0, 1, 2, 3]))     # seconds, as real logs have them
        server = draw(st.sampled_from(["ANNA", "BEN", "NO_SERVER"]))
        day = draw(st.sampled_from(["990101", "990102", "991231"]))
        q = draw(st.sampled_from(["PS", "NW", "TT"]))
        z = "0:00:00"
        if kind == "AGENT":
            cells = [clock(t0 + 5), clock(t0 + 5 + w), str(w), "AGENT", clock(t0 + 5 + w - skew),
                     clock(t0 + 5 + w + s), str(s + skew), server]
        elif kind == "DIRECT":      # from the VRU straight to an agent
            cells = [z, z, "0", "AGENT", clock(t0 + 5 - skew), clock(t0 + 5 + s), str(s + skew),
                     server]
        elif kind == "HANG" and skew == 3:     # a hang-up with service fields
            cells = [clock(t0 + 5), clock(t0 + 5 + w), str(w), "HANG", clock(t0 + 5 + w),
                     clock(t0 + 5 + w + s), str(s), server]
        elif kind == "HANG":
            cells = [clock(t0 + 5), clock(t0 + 5 + w), str(w), "HANG", z, z, "0", "NO_SERVER"]
        elif kind == "VRU":
            cells = [z, z, "0", "HANG", z, z, "0", "NO_SERVER"]
        else:
            cells = [z, z, "0", "PHANTOM", z, z, "0", "NO_SERVER"]
        calls.append([f"AA{k:04d}", str(1000 + k), "0", "0", q, day, clock(t0), clock(t0 + 5),
                      "5"] + cells)
    return calls


@st.composite
def ab_logs(draw):
    """(text, data rows, mutations) of an Anonymous Bank log."""
    calls = draw(ab_calls())
    muts = []
    header = list(HEADER)
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["cell", "cell", "cell", "short", "drop"]))
        i = draw(st.integers(0, len(calls) - 1))
        if kind == "cell":
            j = draw(st.integers(0, len(calls[i]) - 1))
            calls[i][j] = draw(st.sampled_from(JUNK))
            muts.append(("cell", j))
        elif kind == "short":
            calls[i] = calls[i][:-1]
            muts.append(("short",))
        else:
            name = draw(st.sampled_from(["type", "date", "q_start", "outcome", "server"]))
            if name in header:
                j = header.index(name)
                header.pop(j)
                calls = [c[:j] + c[j + 1:] if len(c) > j else c for c in calls]
                muts.append(("drop", name))
    sep = draw(st.sampled_from(["\t", " ", "  "]))
    lines = [sep.join(header)] + [sep.join(c) for c in calls]
    return "\n".join(lines) + "\n", len(calls), muts


def check_log(log, n, interval=None):
    """Every data row is kept or in an excluding issue, never both; values valid; with
    ``interval``, the history counts every offered call once."""
    kept = set(log.frame["row"].tolist())
    out = set()
    for i in log.report:
        if i.kind in EXCLUDED:
            out |= set(i.rows)
    assert not kept & out, (kept & out, log.report)
    assert kept | out == set(range(1, n + 1)), (kept, out, log.report)
    f = log.frame
    # Every kept timeline runs forward (clock skews aligned, never reversed).
    for a, b in (("arrival", "queue_start"), ("queue_start", "queue_exit"),
                 ("queue_exit", "service_start"), ("service_start", "service_end")):
        both = f[a].notna() & f[b].notna()
        assert (f.loc[both, a] <= f.loc[both, b]).all(), (a, b, f.loc[both, [a, b]])
    offered = f["outcome"].isin(["answered", "abandoned"]).to_numpy()
    wait = f["wait"].to_numpy(float)[offered]
    assert np.isfinite(wait).all() and (wait >= 0).all()
    handle = f["handle"].to_numpy(float)
    assert (handle[~np.isnan(handle)] >= 0).all() and np.isfinite(handle[~np.isnan(handle)]).all()
    if offered.any() and interval is not None:
        h = outcome(log.to_history, interval=interval)
        assert not isinstance(h, ValueError), h
        vol = h.frame["volume"].to_numpy(float)
        assert vol.sum() == offered.sum()                     # every offered call counted
        assert np.isfinite(vol).all() and (vol <= limit("volume")).all()
        assert (h.frame["abandoned"] <= h.frame["volume"]).all()


def excluded_share(log):
    """Share of the rows excluded for a reason other than PHANTOM (0 when none is read)."""
    out = sum(len(i.rows) for i in log.report if i.kind in EXCLUDED and i.kind != "phantom")
    total = len(log.frame) + out
    return out / total if total else 0.0


@given(ab_logs(), st.sampled_from([None, None, None, 5, 60, None]))
def test_anonymous_bank_logs_keep_or_report_every_row(case, interval):
    text, n, muts = case
    log = outcome(forecast.read_acd, text.encode(), max_excluded=1)
    if isinstance(log, ValueError):
        drops = {m[1] for m in muts if m[0] == "drop"}
        assert drops, f"refused a log with only cell mutations: {log}"
        assert quoted(str(log)) & (drops | {"source"}), str(log)
        return
    assert not any(m[0] == "drop" for m in muts)
    check_log(log, n, interval)
    # Valid calls with clock skews of a few seconds are all kept; VRU fields (vru_exit,
    # vru_time: fields 7 and 8) never exclude a row.
    if all(m[0] == "cell" and m[1] in (7, 8) for m in muts):
        assert not [i for i in log.report if i.kind in EXCLUDED - {"phantom"}], log.report
    # The default refuses the log exactly when more than 5% of its rows are excluded.
    share = excluded_share(log)
    strict = outcome(forecast.read_acd, text.encode())
    if share > 0.05:
        assert isinstance(strict, ValueError) and "max_excluded=1" in str(strict), share
        assert str(strict).startswith("'source' has "), str(strict)
    else:
        assert not isinstance(strict, ValueError), (share, strict)


@st.composite
def generic_logs(draw):
    rows = []
    for _ in range(draw(st.integers(1, 8))):
        t = (f"2024-03-0{draw(st.integers(4, 6))} {draw(st.integers(6, 20)):02d}:"
             f"{draw(st.integers(0, 59)):02d}:{draw(st.integers(0, 59)):02d}")
        rows.append([draw(st.sampled_from(["sales", "care"])), t,
                     str(draw(st.integers(0, 300))),
                     draw(st.sampled_from(["answered", "abandoned", "transfer", "ANSWERED"])),
                     str(draw(st.integers(1, 900)))])
    for _ in range(draw(st.integers(0, 3))):
        i, j = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, 4))
        rows[i][j] = draw(st.sampled_from(JUNK + ["9999-01-01 08:00:00", "1677-01-01 00:00:00",
                                                  "2024-03-04", "10000000"]))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    lines = [sep.join(["queue", "arrival", "wait", "outcome", "handle"])]
    lines += [sep.join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode(draw(st.sampled_from(["utf-8", "utf-16"]))), \
        len(rows)


MAPPING = {"queue": "queue", "arrival": "arrival", "wait": "wait", "outcome": "outcome",
           "handle": "handle"}


@given(generic_logs(), st.sampled_from([None, None, None, 15, 30, None]))
def test_generic_logs_keep_or_report_every_row(case, interval):
    data, n = case
    log = outcome(forecast.read_acd, data, format="generic", mapping=MAPPING, max_excluded=1)
    if isinstance(log, ValueError):
        assert quoted(str(log)) & {"source", "arrival"}, str(log)
        return
    check_log(log, n, interval)
    strict = outcome(forecast.read_acd, data, format="generic", mapping=MAPPING)
    assert isinstance(strict, ValueError) == (excluded_share(log) > 0.05), strict


@given(st.binary(max_size=300), st.sampled_from(["anonymous_bank", "generic"]))
def test_junk_bytes_are_refused_or_read(data, fmt):
    mapping = MAPPING if fmt == "generic" else None
    log = outcome(forecast.read_acd, data, format=fmt, mapping=mapping, max_excluded=1)
    if not isinstance(log, ValueError):
        assert set(log.frame["outcome"]) <= {"answered", "abandoned", "other"}


KWARGS = {
    "format": (["anonymous_bank", "generic", "bank", None, 1, []], {"format", "mapping"}),
    "mapping": ([None, {}, MAPPING, {"queue": ["x"]}, {"queue": 5}, "x", [1],
                 {**MAPPING, "outcome_values": {"answered": [1]}},
                 {**MAPPING, "outcome_values": {"answered": "a", "abandoned": "a"}},
                 {**MAPPING, "outcome_values": "x"}, {**MAPPING, "bogus": "x"},
                 {**MAPPING, "queue": "nope"}], {"mapping", "mapping.queue",
                                                  "mapping.outcome_values",
                                                  "mapping.outcome_values.answered",
                                                  "mapping.arrival", "mapping.outcome"}),
    "sep": ([None, ",", "", "\n", 5, b",", "ab", '"'], {"sep", "source", "arrival", "mapping"}),
    "max_rows": ([None, 0, 1, -1, 1.5, True, "2", 10 ** 30], {"max_rows", "source"}),
    "clock_tolerance": ([0, 0.0, 1, 10.0, 3600, limit("patience"), limit("patience") + 1, -1,
                         1e300, float("nan"), float("inf"), "10", None, True, [10]],
                        {"clock_tolerance"}),
    "max_excluded": ([0, 0.0, 0.05, 0.5, 1, 1.0, -0.1, 1.5, float("nan"), "0.05", None,
                      True, [0.1]], {"max_excluded", "source"}),
}
GENERIC = ("queue,arrival,wait,outcome,handle\nsales,2024-03-04 08:00:00,10,answered,100\n"
           "sales,2024-03-04 08:10:00,20,abandoned,\n")


@given(st.sampled_from(sorted(KWARGS)), st.data())
def test_every_keyword_with_wrong_types_and_values(name, data):
    values, names = KWARGS[name]
    value = data.draw(st.sampled_from(values))
    kw = {"format": "generic", "mapping": MAPPING, name: value}
    log = outcome(forecast.read_acd, GENERIC.encode(), **kw)
    if isinstance(log, ValueError):
        assert quoted(str(log)) & names, (name, value, str(log))
    else:
        check_log(log, len(log.frame) + sum(len(i.rows) for i in log.report
                                            if i.kind in EXCLUDED))


def test_to_history_arguments_are_checked():
    log = forecast.read_acd(GENERIC.encode(), format="generic", mapping=MAPPING)
    for bad in (0, 7, "30", None, 30.5):
        h = outcome(log.to_history, interval=bad)
        assert isinstance(h, ValueError) and "'interval'" in str(h)
    for bad in (-1, "20", float("nan"), 1e300, None):
        h = outcome(log.to_history, target_time=bad)
        assert isinstance(h, ValueError) and "'target_time'" in str(h)
