"""Property tests of the interval-file reader: malformed files give a valid History or a
ValueError naming the field, never another exception, never a silent loss.

Valid interval files are generated (any delimiter, encoding, BOM, header synonym and
column order), then mutated (headers repeated, dropped or renamed; cells replaced by
text, blanks, NaN, inf, 1e300, negatives, huge integers; starts date-only, time-only,
off the grid or out of range; rows with another delimiter).  Every call goes through
:func:`tests._fuzz.outcome`.  A read that succeeds must keep every row it does not
report: rows in = rows kept + rows in the report's ``missing`` issue, and the volumes
kept add up to those written in the rows kept.
"""

import io
import re

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from ccwfm import forecast
from ccwfm._limits import limit
from tests._fuzz import outcome

FIELDS = ("queue", "start", "volume", "aht", "abandoned")
NAMES = {"queue": ["queue", "Skill", "Split", "Queue Name"],
         "start": ["start", "Interval", "DateTime", "Interval Start"],
         "volume": ["volume", "Offered", "Calls", "Contacts Offered"],
         "aht": ["aht", "AHT (s)", "Handle Time"],
         "abandoned": ["abandoned", "Aband", "Abandons"]}
QUEUES = ["sales", "care", "café", "B2B"]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252"]
SEPS = [",", ";", "\t", "|"]
STAMPS = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]

# cell mutations: (field, text) -> the outcome it must have
DROPPED = ["", "nan", "-", "n/a", "NULL"]           # volume unknown: row dropped, reported
VOLUME_BAD = ["abc", "-5", "1e300", "99999999", "inf", "-inf", "1" + "0" * 400, "12abc",
              "0x10"]
AHT_BAD = ["-5", "1e300", "100000", "1" + "0" * 400]   # errors naming 'aht'
AHT_ISSUE = ["abc", "inf", "12abc"]                    # NaN with an Issue naming the row
START_BAD = ["2024-03-04", "abc", "", "9999-01-01 08:00", "0001-01-01 08:00",
             "2024-02-30 08:00", "08:00", "2024-03-04 08:07", "1e300", "-1"]


@st.composite
def tables(draw):
    """A valid long table: each queue on one day, 2 to 6 consecutive 30-minute slots."""
    queues = draw(st.lists(st.sampled_from(QUEUES), min_size=1, max_size=3, unique=True))
    rows = []
    for q in queues:
        n = draw(st.integers(2, 6))
        first = pd.Timestamp("2024-03-04 06:00") + pd.Timedelta(
            minutes=30 * draw(st.integers(0, 20)))
        day = pd.Timedelta(days=draw(st.integers(0, 3)))
        for k in range(n):
            rows.append({"queue": q, "start": first + day + pd.Timedelta(minutes=30 * k),
                         "volume": draw(st.integers(0, 999)),
                         "aht": draw(st.integers(100, 9000)) / 10,
                         "abandoned": draw(st.integers(0, 5))})
    order = draw(st.permutations(range(len(rows))))
    return [rows[i] for i in order]


@st.composite
def files(draw):
    """(bytes, rows, header names, mutations): a valid file, maybe mutated."""
    rows = draw(tables())
    fields = list(FIELDS[:3]) + draw(st.lists(st.sampled_from(FIELDS[3:]), unique=True))
    fields = draw(st.permutations(fields))
    header = {f: draw(st.sampled_from(NAMES[f])) for f in fields}
    sep = draw(st.sampled_from(SEPS))
    fmt = draw(st.sampled_from(STAMPS))
    cells = [{"queue": r["queue"], "start": r["start"].strftime(fmt), "volume": str(r["volume"]),
              "aht": f"{r['aht']:.1f}", "abandoned": str(r["abandoned"])} for r in rows]
    muts = []
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["cell", "cell", "cell", "header", "mixed"]))
        i = draw(st.integers(0, len(rows) - 1))
        if kind == "cell":
            field = draw(st.sampled_from(fields))
            pool = {"queue": ["", " "], "start": START_BAD,
                    "volume": DROPPED + VOLUME_BAD, "aht": AHT_BAD + AHT_ISSUE + DROPPED,
                    "abandoned": VOLUME_BAD[1:5] + ["abc"] + DROPPED}[field]
            value = draw(st.sampled_from(pool))
            cells[i][field] = value
            # The last mutation of a cell is the one written.
            muts = [m for m in muts if m[:3] != ("cell", field, i + 1)]
            muts.append(("cell", field, i + 1, value))
        elif kind == "header":
            how = draw(st.sampled_from(["repeat", "alike", "drop", "rename"]))
            a, b = draw(st.permutations(fields))[:2]
            if how == "repeat":
                header[b] = header[a]
            elif how == "alike":
                header[b] = header[a].upper() if header[a] != header[a].upper() \
                    else header[a].lower()
            elif how == "drop":
                fields = [f for f in fields if f != a]
            else:
                header[a] = "zzz"
            muts.append(("header", how, a, b))
        else:
            muts.append(("mixed", i + 1))
            cells[i]["_sep"] = draw(st.sampled_from([s for s in SEPS if s != sep]))
    lines = [sep.join(header[f] for f in fields)]
    for c in cells:
        lines.append(c.get("_sep", sep).join(c[f] for f in fields))
    text = "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n"]))
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding), rows, [header[f] for f in fields], fields, muts


def quoted(msg):
    """The quoted names of a message, with the head of each dotted path ('mapping.volume')."""
    names = set(re.findall(r"'([^']+)'", msg))
    return names | {n.split(".")[0] for n in names}


def allowed(muts):
    """Field names an error may name for these mutations."""
    names = {"source"}
    for m in muts:
        if m[0] == "cell":
            names |= {m[1], "interval", "start"}
        elif m[0] == "header":
            names |= {m[2], m[3], "mapping"}
        else:
            names |= set(FIELDS) | {"interval", "sep"}
    return names


def check_values(h):
    """A History of finite, bounded values."""
    f = h.frame
    vol = f["volume"].to_numpy(float)
    assert np.isfinite(vol).all() and (vol >= 0).all() and (vol <= limit("volume")).all()
    aht = f["aht"].to_numpy(float)
    known = ~np.isnan(aht)
    assert np.isfinite(aht[known]).all() and (aht[known] >= 0).all()
    assert (aht[known] <= limit("aht")).all()
    ab = f["abandoned"].to_numpy(float)
    assert (ab[~np.isnan(ab)] >= 0).all() and (ab[~np.isnan(ab)] <= limit("volume")).all()
    return vol


def check_history(h, rows, fields, muts):
    """A valid History that loses no row silently."""
    vol = check_values(h)
    f = h.frame
    dropped, merged = set(), 0
    for i in h.report:
        if i.kind in ("missing", "blank", "total"):
            dropped |= set(i.rows)
    for i in h.report:
        if i.kind == "duplicate":
            # Rows of one (queue, start) are added up into one: all but one per group
            # leave the frame, their volume stays (checked below).
            # (A file whose queue column was not recognised is one queue.)
            one = "queue" not in fields or set(f["queue"]) != {r["queue"] for r in rows}
            key = (lambda r: r["start"]) if one else (lambda r: (r["queue"], r["start"]))
            kept = [k for k in i.rows if k not in dropped]
            merged += len(kept) - len({key(rows[k - 1]) for k in kept})
    assert len(f) + len(dropped) + merged == len(rows), h.report  # in = kept + reported
    changed = {m[2] for m in muts if m[0] == "cell" and m[1] == "volume"}
    assert dropped <= changed                                 # only unknown volumes dropped
    want = sum(r["volume"] for k, r in enumerate(rows, 1) if k not in dropped)
    assert vol.sum() == want
    unread = {m[2] for m in muts if m[0] == "header" and m[1] in ("drop", "rename")}
    for m in muts:
        if m[0] == "cell" and m[1] == "aht" and m[3] in AHT_ISSUE and "aht" in fields \
                and "aht" not in unread:
            assert any(i.kind == "non_numeric" and m[2] in i.rows for i in h.report)


@given(files())
def test_interval_files_are_read_or_refused_by_name(case):
    data, rows, names, fields, muts = case
    result = outcome(forecast.read_intervals, data)
    if isinstance(result, ValueError):
        assert muts, f"a valid file was refused: {result}"
        # A file left with one column cannot show its delimiter: 'sep' is named.
        one = {"sep"} if len(names) == 1 else set()
        assert quoted(str(result)) & (allowed(muts) | one), (str(result), muts)
        return
    refused = {"volume": VOLUME_BAD, "aht": AHT_BAD, "start": START_BAD}
    # A cell mutation counts where its column is still read (not dropped or renamed after).
    unread = {m[2] for m in muts if m[0] == "header" and m[1] in ("drop", "rename")}
    hard = [m for m in muts if (m[0] == "cell" and m[1] in fields and m[1] not in unread
                                and m[3] in refused.get(m[1], ()))
            or (m[0] == "header" and m[1] in ("repeat", "alike")
                and m[2] in fields and m[3] in fields       # both columns still written
                and not {m[2], m[3]} & unread)]
    assert not hard, f"accepted {hard}: {h_report(result)}"
    check_history(result, rows, fields, muts)


def h_report(h):
    return [(i.kind, i.rows) for i in h.report]


@given(files(), st.integers(0, 400), st.integers(0, 5))
def test_truncated_and_junk_bytes_are_refused_by_name(case, cut, kind):
    data = case[0]
    junk = (data[:cut], data[:cut] + bytes(range(256)), b"\x00" * cut,
            b"\xff\xfe" + data[:cut], b"PK\x03\x04" + data[:cut], b"PAR1" + data[:cut])[kind]
    result = outcome(forecast.read_intervals, junk)
    if not isinstance(result, ValueError):
        check_values(result)


@given(st.binary(max_size=300))
def test_random_bytes_never_crash(data):
    for fn in (forecast.read_intervals, forecast.read_header):
        result = outcome(fn, data)
        if isinstance(result, ValueError):
            continue
        if fn is forecast.read_header:
            assert isinstance(result, list) and all(isinstance(c, str) for c in result)


WORKBOOK = []


def _workbook():
    """One small workbook (built once: openpyxl is slow), and the volume it holds."""
    if not WORKBOOK:
        openpyxl = __import__("openpyxl")
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(list(FIELDS[:4]))
        for k in range(6):
            ws.append(["sales", pd.Timestamp("2024-03-04 08:00").to_pydatetime()
                       + pd.Timedelta(minutes=30 * k), k + 1, 180.0])
        buf = io.BytesIO()
        wb.save(buf)
        WORKBOOK.append(buf.getvalue())
        whole = outcome(forecast.read_intervals, WORKBOOK[0])
        assert whole.frame["volume"].sum() == 21 and len(whole.frame) == 6
    return WORKBOOK[0]


@given(st.floats(0.0, 1.0), st.binary(max_size=8))
def test_truncated_xlsx_is_refused_by_name(share, tail):
    data = _workbook()
    cut = data[:4 + int(share * (len(data) - 5))] + tail
    result = outcome(forecast.read_intervals, cut)
    if isinstance(result, ValueError):
        assert "'source'" in str(result)
    else:               # only the zip's trailing bytes were cut: the data must be whole
        assert result.frame["volume"].tolist() == [1, 2, 3, 4, 5, 6]
    head = outcome(forecast.read_header, cut)
    assert head == ["queue", "start", "volume", "aht"] or "'source'" in str(head)


@given(files())
def test_read_header_gives_the_written_names_or_refuses(case):
    data, _, names, _, muts = case
    result = outcome(forecast.read_header, data)
    if isinstance(result, ValueError):
        assert quoted(str(result)) & {"source", "sep"}, str(result)
        # Two renames ('zzz') or two changes of case can write one name twice.
        renamed = sum(m[0] == "header" and m[1] in ("rename", "alike") for m in muts)
        assert any(m[0] == "header" and m[1] == "repeat" for m in muts) or renamed >= 2 or \
            any(m[0] == "mixed" for m in muts), str(result)
        return
    if not any(m[0] == "header" for m in muts):
        assert result == [n.strip() for n in names]


KWARGS = {
    "interval": ([None, 5, 15, 30, 60, 30.0, 20, 0, -30, 1.5, True, "30", [30],
                  float("nan"), float("inf"), 10 ** 30], {"interval", "start"}),
    "duplicates": (["sum", "error", "first", "last", "SUM", None, 1, [], {}], {"duplicates"}),
    "max_rows": ([None, 1, 0, -1, 2.0, True, "5", 10 ** 30], {"max_rows", "source"}),
    "queue": ([None, "", " ", "x", 5, b"x", []], {"queue"}),
    "sep": ([None, ",", ";", "", "\n", '"', "ab", 5, b",", ".*", "(", " "],
            {"sep", "source"} | set(FIELDS) | {"interval"}),
    "sheet": ([None, 0, "Sheet1", 1.5, True, -1, []], {"sheet"}),
    "date_format": ([None, "%Y-%m-%d %H:%M", "%d", "", 5, "%Q", "%Y"], {"date_format", "start"}),
    "dayfirst": ([False, True, "yes", 1, None, 0.0], {"dayfirst"}),
    "tz": ([None, "Europe/Paris", "UTC", "Mars/Base", "", 5, "+02:00", []], {"tz"}),
    "mapping": ([None, {}, {"volume": "volume"}, {"volume": "nope"}, {"bogus": "x"},
                 {"volume": 5}, {"start": ("a",)}, [("volume", "x")], "x",
                 {"start": ["d", "t", "x"]}, {"start": ("queue", "start")},
                 {"volume": "queue"}, {"aht": "volume", "volume": "volume"}],
                {"mapping", "start", "volume", "date", "time", "queue", "aht"}),
}
PLAIN = ("queue,start,volume,aht\nq,2024-03-04 08:00,3,100\nq,2024-03-04 08:30,4,110\n"
         "q,2024-03-04 09:00,5,120\n")


@given(st.sampled_from(sorted(KWARGS)), st.data())
def test_every_keyword_with_wrong_types_and_values(name, data):
    values, names = KWARGS[name]
    value = data.draw(st.sampled_from(values))
    result = outcome(forecast.read_intervals, io.StringIO(PLAIN), **{name: value})
    if isinstance(result, ValueError):
        assert quoted(str(result)) & names, (name, value, str(result))
    else:
        assert result.frame["volume"].sum() == 12
