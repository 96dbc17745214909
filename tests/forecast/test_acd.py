"""ACD call logs: Anonymous Bank and generic files read, checked and counted by hand."""

import io
import math

import numpy as np
import pandas as pd
import pytest

from ccwfm.forecast.acd import EXCLUDING, AcdLog, read_acd
from ccwfm.forecast.history import History

HEADER = ("vru+line call_id customer_id priority type date vru_entry vru_exit vru_time "
          "q_start q_exit q_time outcome ser_start ser_exit ser_time server").split()
NOSERV = "0:00:00 0:00:00 0 NO_SERVER"


def _ab_file(tmp_path, lines, name="calls.txt"):
    """Tab-separated unless a line is given as a plain string (written as is)."""
    text = "\t".join(HEADER) + "\n"
    for line in lines:
        text += (line if isinstance(line, str) else "\t".join(line)) + "\n"
    path = tmp_path / name
    path.write_text(text)
    return path


def _r(text):
    return tuple(text.split())


MAIN = [
    # 1: answered after 30 s, 180 s of service by ANNA, queue entry 08:00:10
    _r("AA0101 10001 111 2 PS 990101 8:00:05 8:00:10 5 8:00:10 8:00:40 30 AGENT "
       "8:00:40 8:03:40 180 ANNA"),
    # 2: answered after 10 s, 120 s by BEN
    _r("AA0102 10002 112 1 PS 990101 8:10:00 8:10:05 5 8:10:05 8:10:15 10 AGENT "
       "8:10:15 8:12:15 120 BEN"),
    # 3: abandoned after 60 s in queue
    _r("AA0103 10003 0 0 PS 990101 8:20:00 8:20:06 6 8:20:06 8:21:06 60 HANG " + NOSERV),
    # 4: hung up in the VRU (no queue stage): other, not offered
    _r("AA0104 10004 0 0 PS 990101 8:25:00 8:25:30 30 0:00:00 0:00:00 0 HANG " + NOSERV),
    # 5: PHANTOM: excluded
    _r("AA0105 10005 0 0 PS 990101 8:26:00 8:26:02 2 8:26:02 8:26:03 1 PHANTOM " + NOSERV),
    # 6: VRU straight to ANNA, no queue stage: answered, wait 0, entry 09:05:04
    _r("AA0106 10006 113 2 PS 990101 9:05:00 9:05:04 4 0:00:00 0:00:00 0 AGENT "
       "9:05:04 9:07:04 120 ANNA"),
    # 7: unparseable q_start
    _r("AA0107 10007 0 0 PS 990101 9:10:00 9:10:05 5 9:61:00 9:12:00 55 HANG " + NOSERV),
    # 8: negative q_time
    _r("AA0108 10008 0 0 PS 990101 9:15:00 9:15:05 5 9:15:05 9:15:00 -5 HANG " + NOSERV),
    # 9: q_exit before q_start (q_time claims 15)
    _r("AA0109 10009 0 0 PS 990101 9:20:00 9:20:05 5 9:20:05 9:19:50 15 HANG " + NOSERV),
    # 10: crosses midnight: queue 23:59:50 -> 00:00:20 (next day), served by DAN
    _r("AA0201 10010 114 2 NE 990101 23:59:40 23:59:50 10 23:59:50 0:00:20 30 AGENT "
       "0:00:20 0:02:20 120 DAN"),
    # 11: separated by spaces, abandoned after 20 s at 09:45:05
    "AA0110  10011 0 0   PS 990101 9:45:00 9:45:05 5 9:45:05 9:45:25 20 HANG " + NOSERV,
    # 12: too few fields
    "AA0111\t10012\tPS\t990101",
    # 13: blank line (skipped, still numbered)
    "",
    # 14: bad date
    _r("AA0112 10014 0 0 PS 991340 9:50:00 9:50:05 5 9:50:05 9:50:25 20 HANG " + NOSERV),
]


def _issues(log):
    return {i.kind: i.rows for i in log.report}


def test_anonymous_bank_rows_outcomes_and_issues(tmp_path):
    log = read_acd(_ab_file(tmp_path, MAIN), max_excluded=1)
    assert isinstance(log, AcdLog)
    issues = _issues(log)
    assert issues["phantom"] == (5,)
    assert issues["bad_time"] == (7,)
    assert issues["negative"] == (8,)
    assert issues["order"] == (9,)
    assert issues["midnight"] == (10,)
    assert issues["fields"] == (12,)
    assert issues["bad_date"] == (14,)
    assert "mismatch" not in issues
    f = log.frame.set_index("row")
    assert f.index.tolist() == [1, 2, 3, 4, 6, 10, 11]
    assert f["outcome"].to_dict() == {1: "answered", 2: "answered", 3: "abandoned",
                                      4: "other", 6: "answered", 10: "answered",
                                      11: "abandoned"}
    assert f.loc[1, "wait"] == 30 and f.loc[1, "handle"] == 180 and f.loc[1, "agent"] == "ANNA"
    assert f.loc[3, "wait"] == 60 and math.isnan(f.loc[3, "handle"]) and f.loc[3, "agent"] is None
    assert math.isnan(f.loc[4, "wait"]) and pd.isna(f.loc[4, "queue_start"])
    assert f.loc[4, "arrival"] == pd.Timestamp("1999-01-01 08:25:00")
    # Straight from the VRU to an agent: zero wait, queue entry = service start.
    assert f.loc[6, "wait"] == 0
    assert f.loc[6, "queue_start"] == f.loc[6, "queue_exit"] == pd.Timestamp("1999-01-01 09:05:04")
    # Midnight.
    assert f.loc[10, "queue"] == "NE"
    assert f.loc[10, "queue_start"] == pd.Timestamp("1999-01-01 23:59:50")
    assert f.loc[10, "queue_exit"] == pd.Timestamp("1999-01-02 00:00:20")
    assert f.loc[10, "service_end"] == pd.Timestamp("1999-01-02 00:02:20")
    assert f.loc[10, "wait"] == 30 and f.loc[10, "handle"] == 120
    assert f.loc[11, "wait"] == 20
    assert f.loc[1, "vru_entry"] == pd.Timestamp("1999-01-01 08:00:05")
    assert f.loc[1, "call_id"] == "10001" and f.loc[1, "vru_line"] == "AA0101"


def test_anonymous_bank_history_counts_by_hand(tmp_path):
    h = read_acd(_ab_file(tmp_path, MAIN), max_excluded=1).to_history(interval=30, target_time=20)
    assert isinstance(h, History) and h.interval == 30
    ps = h.frame[h.frame["queue"] == "PS"].set_index("start")
    t = pd.Timestamp
    assert ps.index.tolist() == [t("1999-01-01 08:00"), t("1999-01-01 08:30"),
                                 t("1999-01-01 09:00"), t("1999-01-01 09:30")]
    assert ps["volume"].tolist() == [3, 0, 1, 1]
    assert ps["answered"].tolist() == [2, 0, 1, 0]
    assert ps["abandoned"].tolist() == [1, 0, 0, 1]
    np.testing.assert_allclose(ps["aht"], [150, np.nan, 120, np.nan])
    np.testing.assert_allclose(ps["asa"], [20, np.nan, 0, np.nan])
    # Answered within 20 s over offered: 08:00 only call 2 (10 s) of 3.
    np.testing.assert_allclose(ps["service_level"], [1 / 3, np.nan, 1, 0])
    assert ps["agents_headcount"].tolist() == [2, 0, 1, 0]
    # Nobody was serving while the 08:00 and 09:30 callers waited.
    np.testing.assert_allclose(ps["agents_effective"], [0, np.nan, np.nan, 0])
    np.testing.assert_allclose(ps["availability"], [0, np.nan, np.nan, np.nan])
    ne = h.frame[h.frame["queue"] == "NE"]
    assert ne["start"].tolist() == [t("1999-01-01 23:30")]
    assert ne["volume"].tolist() == [1] and ne["asa"].tolist() == [30]
    assert ne["service_level"].tolist() == [0]
    # DAN serves after midnight (next day's 00:00 interval, which has no row: nothing
    # entered the queue then); the 10 s waited before midnight saw nobody busy.
    assert ne["agents_headcount"].tolist() == [0] and ne["agents_effective"].tolist() == [0]
    kinds = [i.kind for i in h.report]
    assert "filled" in kinds and "phantom" in kinds
    # A target of 30 s counts call 1 too; 15-minute intervals split 08:00.
    h15 = read_acd(_ab_file(tmp_path, MAIN), max_excluded=1).to_history(interval=15, target_time=30)
    ps = h15.frame[h15.frame["queue"] == "PS"].set_index("start")
    assert ps.loc[t("1999-01-01 08:00"), "volume"] == 2
    assert ps.loc[t("1999-01-01 08:00"), "service_level"] == 1
    assert ps.loc[t("1999-01-01 08:15"), "volume"] == 1
    assert len(ps) == 8   # 08:00 .. 09:45


# Hand-built agents case, queue PS on 3 January 1999 (times of queue entry/exit, service):
#   c1 A serves 10:00:00-10:20:00 (no wait)      c2 B serves 10:01-10:02 (no wait)
#   c3 waits 10:05:00-10:06:40, abandons          c4 waits 10:10-10:11, B serves 10:11-10:15
#   c5 waits 10:12:00-10:13:00, abandons          c6 waits 10:12:30-10:13:30, abandons
#   c7 waits 10:29-10:31, B serves 10:31-10:33    c8 A serves 10:45-10:50 (no wait)
AGENTS = [
    ("10:00:00", "10:00:00", 0, "AGENT", "10:00:00", "10:20:00", 1200, "A"),
    ("10:01:00", "10:01:00", 0, "AGENT", "10:01:00", "10:02:00", 60, "B"),
    ("10:05:00", "10:06:40", 100, "HANG", "0:00:00", "0:00:00", 0, "NO_SERVER"),
    ("10:10:00", "10:11:00", 60, "AGENT", "10:11:00", "10:15:00", 240, "B"),
    ("10:12:00", "10:13:00", 60, "HANG", "0:00:00", "0:00:00", 0, "NO_SERVER"),
    ("10:12:30", "10:13:30", 60, "HANG", "0:00:00", "0:00:00", 0, "NO_SERVER"),
    ("10:29:00", "10:31:00", 120, "AGENT", "10:31:00", "10:33:00", 120, "B"),
    ("10:45:00", "10:45:00", 0, "AGENT", "10:45:00", "10:50:00", 300, "A"),
]


def _agents_log(tmp_path):
    lines = [(f"AA0101 {i} 0 1 PS 990103 {qs} {qs} 0 {qs} {qx} {qt} {out} {ss} {sx} {st} {srv}")
             for i, (qs, qx, qt, out, ss, sx, st, srv) in enumerate(AGENTS, start=1)]
    return read_acd(_ab_file(tmp_path, [_r(x) for x in lines], "agents.txt"))


def test_agents_headcount_and_effective_by_hand(tmp_path):
    log = _agents_log(tmp_path)
    assert log.report == ()
    h = log.to_history(interval=30, target_time=20).frame.set_index("start")
    t = pd.Timestamp
    assert h.index.tolist() == [t("1999-01-03 10:00"), t("1999-01-03 10:30")]
    assert h["volume"].tolist() == [7, 1]
    assert h["answered"].tolist() == [4, 1] and h["abandoned"].tolist() == [3, 0]
    np.testing.assert_allclose(h["aht"], [(1200 + 60 + 240 + 120) / 4, 300])
    np.testing.assert_allclose(h["asa"], [(0 + 0 + 60 + 120) / 4, 0])
    np.testing.assert_allclose(h["service_level"], [2 / 7, 1])
    assert h["agents_headcount"].tolist() == [2, 2]
    # 10:00: someone waits 100 s with A busy, B idle (1 busy); 60 s with 1 busy;
    # 90 s (c5 and c6 overlap: counted once) with A and B busy (2); 60 s (c7, up to
    # 10:30) with nobody busy.  (100 + 60 + 180 + 0) / (100 + 60 + 90 + 60) = 340 / 310.
    # 10:30: c7 waits 10:30-10:31 with nobody busy: 0.
    np.testing.assert_allclose(h["agents_effective"], [340 / 310, 0])
    np.testing.assert_allclose(h["availability"], [340 / 310 / 2, 0])


def test_agents_on_five_minute_intervals(tmp_path):
    h = _agents_log(tmp_path).to_history(interval=5).frame.set_index("start")
    at = {s.strftime("%H:%M"): r for s, r in h.iterrows()}
    assert list(at) == ["10:00", "10:05", "10:10", "10:15", "10:20", "10:25", "10:30", "10:35",
                        "10:40", "10:45"]
    # One agent busy throughout the only wait, the other idle: exactly 1.
    assert at["10:05"]["agents_effective"] == 1.0 and at["10:05"]["agents_headcount"] == 1
    assert at["10:05"]["availability"] == 1.0
    # 60 s with A busy, 90 s with A and B busy.
    assert at["10:10"]["agents_effective"] == pytest.approx((60 + 180) / 150)
    assert at["10:10"]["agents_headcount"] == 2
    # B's service ends at 10:15:00 and A's at 10:20:00: no overlap with the next interval.
    assert at["10:15"]["agents_headcount"] == 1 and at["10:20"]["agents_headcount"] == 0
    assert at["10:15"]["volume"] == 0 and math.isnan(at["10:15"]["agents_effective"])
    assert at["10:25"]["agents_effective"] == 0 and at["10:30"]["agents_effective"] == 0
    assert at["10:30"]["agents_headcount"] == 1 and at["10:30"]["volume"] == 0
    assert math.isnan(at["10:45"]["agents_effective"]) and at["10:45"]["agents_headcount"] == 1


def test_missing_required_column_is_an_error(tmp_path):
    path = tmp_path / "cut.txt"
    cols = [c for c in HEADER if c != "q_exit"]
    path.write_text("\t".join(cols) + "\n")
    with pytest.raises(ValueError, match="q_exit"):
        read_acd(path)


def test_recorded_duration_mismatch_is_reported_and_timestamps_win(tmp_path):
    log = read_acd(_ab_file(tmp_path, [
        _r("AA0101 1 0 0 PS 990101 8:00:00 8:00:05 5 8:00:05 8:00:35 90 AGENT "
           "8:00:35 8:02:35 120 ANNA")]))
    assert _issues(log)["mismatch"] == (1,)
    assert log.frame["wait"].tolist() == [30]


def test_max_rows_and_file_object_and_spaces_only(tmp_path):
    text = " ".join(HEADER) + "\n" + "\n".join(" ".join(r) for r in MAIN[:3]) + "\n"
    log = read_acd(io.StringIO(text), max_rows=2)
    assert log.frame["row"].tolist() == [1, 2]
    assert read_acd(io.StringIO(text)).frame["outcome"].tolist() == ["answered", "answered",
                                                                      "abandoned"]


GENERIC = """skill;offered_at;queued_at;left_queue_at;disposition;talk_s;agent_id
billing;2024-03-04 09:00:10;2024-03-04 09:00:15;2024-03-04 09:00:45;ANS;200;a1
billing;2024-03-04 09:05:00;2024-03-04 09:05:00;2024-03-04 09:06:30;ABN;;
billing;2024-03-04 09:20:00;2024-03-04 09:20:02;2024-03-04 09:20:07;AGENT;100;a2
billing;2024-03-04 09:31:00;2024-03-04 09:31:00;2024-03-04 09:31:00;XFER;;
billing;2024-03-04 09:40:00;2024-03-04 09:40:05;2024-03-04 09:39:00;ANS;50;a1
billing;2024-03-04 09:50:00;not a time;2024-03-04 09:51:00;ANS;60;a1
billing;2024-03-04 09:52:00;2024-03-04 09:52:00;2024-03-04 09:52:40;HANG;;
sales;2024-03-04 09:01:00;2024-03-04 09:01:00;2024-03-04 09:01:20;ANS;-5;b1
sales;2024-03-04 09:16:00;2024-03-04 09:16:00;2024-03-04 09:16:20;ans;300;b1
"""
MAPPING = {"queue": "skill", "arrival": "offered_at", "queue_start": "queued_at",
           "queue_exit": "left_queue_at", "outcome": "disposition", "handle": "talk_s",
           "agent": "agent_id",
           "outcome_values": {"answered": ["ANS", "AGENT"], "abandoned": ["ABN", "HANG"]}}


def test_generic_mapping(tmp_path):
    path = tmp_path / "acd.csv"
    path.write_text(GENERIC)
    log = read_acd(path, format="generic", mapping=MAPPING, max_excluded=1)
    issues = _issues(log)
    assert issues["order"] == (5,)
    assert issues["bad_time"] == (6,)
    assert issues["negative"] == (8,)
    assert issues["outcome_other"] == (4,)
    f = log.frame.set_index("row")
    assert f.index.tolist() == [1, 2, 3, 4, 7, 9]
    assert f["outcome"].tolist() == ["answered", "abandoned", "answered", "other", "abandoned",
                                     "answered"]
    assert f.loc[1, "wait"] == 30 and f.loc[1, "handle"] == 200
    assert f.loc[1, "service_end"] == pd.Timestamp("2024-03-04 09:04:05")
    assert f.loc[2, "agent"] is None and math.isnan(f.loc[2, "handle"])
    h = log.to_history(interval=15, target_time=20).frame
    b = h[h["queue"] == "billing"].set_index("start")
    assert [s.strftime("%H:%M") for s in b.index] == ["09:00", "09:15", "09:30", "09:45"]
    assert b["volume"].tolist() == [2, 1, 0, 1]
    assert b["answered"].tolist() == [1, 1, 0, 0]
    assert b["abandoned"].tolist() == [1, 0, 0, 1]
    np.testing.assert_allclose(b["service_level"], [0, 1, np.nan, 0])
    np.testing.assert_allclose(b["asa"], [30, 5, np.nan, np.nan])
    np.testing.assert_allclose(b["aht"], [200, 100, np.nan, np.nan])
    # 09:00: a1 busy 09:00:45-09:04:05 while call 2 waits 09:05:00-09:06:30: nobody busy.
    assert b["agents_headcount"].tolist() == [1, 1, 0, 0]
    np.testing.assert_allclose(b["agents_effective"], [0, 0, np.nan, 0])
    s = h[h["queue"] == "sales"]
    assert s["volume"].tolist() == [1] and s["start"].dt.strftime("%H:%M").tolist() == ["09:15"]


def test_generic_wait_column_from_a_frame():
    df = pd.DataFrame({"q": ["x", "x", "x"],
                       "t": ["2024-01-01 08:00:00", "2024-01-01 08:10:00", "2024-01-01 08:40:00"],
                       "res": ["answered", "abandoned", "answered"], "w": [5, 50, "?"],
                       "h": [100, None, 30]})
    log = read_acd(df, format="generic", mapping={"queue": "q", "arrival": "t",
                                                   "outcome": "res", "wait": "w", "handle": "h"},
                   max_excluded=1)
    assert _issues(log)["non_numeric"] == (3,)
    f = log.frame
    assert f["queue_exit"].tolist() == [pd.Timestamp("2024-01-01 08:00:05"),
                                        pd.Timestamp("2024-01-01 08:10:50")]
    h = log.to_history(interval=60).frame
    assert h["volume"].tolist() == [2] and h["agents_headcount"].tolist() == [0]


def test_generic_mapping_errors(tmp_path):
    path = tmp_path / "acd.csv"
    path.write_text(GENERIC)
    with pytest.raises(ValueError, match="'mapping.queue'"):
        read_acd(path, format="generic", mapping={**MAPPING, "queue": "nope"})
    with pytest.raises(ValueError, match="queue_exit"):
        read_acd(path, format="generic",
                 mapping={k: v for k, v in MAPPING.items() if k != "queue_exit"})
    with pytest.raises(ValueError, match="unknown key"):
        read_acd(path, format="generic", mapping={**MAPPING, "colour": "x"})
    with pytest.raises(ValueError, match="format"):
        read_acd(path, format="csv")


def test_to_history_arguments(tmp_path):
    log = read_acd(_ab_file(tmp_path, MAIN[:3]))
    with pytest.raises(ValueError, match="interval"):
        log.to_history(interval=20)
    with pytest.raises(ValueError, match="target_time"):
        log.to_history(target_time=-1)


# --------------------------------------------------------------------------- hardening

GEN = {"queue": "queue", "arrival": "arrival", "wait": "wait", "outcome": "outcome",
       "handle": "handle"}


def test_arguments_of_wrong_types_are_named():
    data = b"queue,arrival,wait,outcome\nq,2024-03-04 08:00:00,10,answered\n"
    for kw, message in (
            ({"sep": 5}, "'sep' must be a delimiter such as"),
            ({"sep": ""}, "'sep' must be a delimiter such as"),
            ({"format": "generic", "mapping": {**GEN, "queue": ["x"]}},
             "'mapping.queue' must name a column (a string): ['x']"),
            ({"format": "generic", "mapping": {**GEN, "outcome_values": {"answered": [1]}}},
             "'mapping.outcome_values.answered' must be a list of source values"),
            ({"max_rows": 1.5}, "'max_rows' must be a whole number >= 0: 1.5")):
        with pytest.raises(ValueError) as e:
            read_acd(data, **kw)
        assert str(e.value).startswith(message), str(e.value)
    with pytest.raises(ValueError, match=r"^'target_time' must be <= 2\.592e\+06 seconds"):
        read_acd(data, format="generic", mapping={k: v for k, v in GEN.items()
                                                  if k != "handle"}).to_history(target_time=1e300)


def test_huge_waits_and_handle_times_are_excluded_with_an_issue():
    data = (b"queue,arrival,wait,outcome,handle\n"
            b"q,2024-03-04 08:00:00,10,answered,1e300\n"
            b"q,2024-03-04 08:01:00,1e300,answered,5\n"
            b"q,2024-03-04 08:02:00,inf,abandoned,\n"
            b"q,2024-03-04 08:03:00,10,answered,86400\n")
    log = read_acd(data, format="generic", mapping=GEN, max_excluded=1)
    kinds = {i.kind: i.rows for i in log.report}
    assert kinds["out_of_range"] in ((1,), (2,)) and kinds["non_numeric"] == (3,)
    assert sorted(r for i in log.report if i.kind == "out_of_range" for r in i.rows) == [1, 2]
    assert log.frame["row"].tolist() == [4]          # rows in 4 = kept 1 + excluded 3
    assert log.to_history(interval=15).frame["volume"].sum() == 1


def test_logs_beyond_the_limits_are_refused():
    data = (b"queue,arrival,wait,outcome\nq,1900-03-04 08:00:00,10,answered\n"
            b"q,2200-03-04 08:01:00,1,answered\n")
    with pytest.raises(ValueError, match=r"^'arrival' must be <= 520 weeks \(limit "
                                         r"'history_weeks'\): 15653\.3"):
        read_acd(data, format="generic", mapping={k: v for k, v in GEN.items()
                                                  if k != "handle"})
    # arrivals beyond the dates a datetime64[ns] holds are unreadable, not wrapped round
    data = (b"queue,arrival,wait,outcome\nq,9999-03-04 08:00:00,10,answered\n"
            b"q,2024-03-04 08:01:00,1,answered\n")
    log = read_acd(data, format="generic", mapping={k: v for k, v in GEN.items()
                                                     if k != "handle"}, max_excluded=1)
    assert [(i.kind, i.rows) for i in log.report] == [("bad_time", (1,))]


@pytest.mark.parametrize("data, message", [
    (b"", "'source' is empty"),
    (b"PK\x03\x04junk", "'source' must be a text file for the Anonymous Bank log"),
    (b"\xff\xfeq\x00,", "'source' starts with a UTF-16 byte-order mark"),
    (b"a\tb\n1\t2\n", "'source' must have column 'type'"),
])
def test_unreadable_anonymous_bank_sources_are_named(data, message):
    with pytest.raises(ValueError) as e:
        read_acd(data)
    assert str(e.value).startswith(message), str(e.value)


# --------------------------------------------------------------------------- issue 11
# Clock skews, VRU fields, outcome rules, the excluded share, new history columns, pools.

def _line(queue="PS", ve="10:00:00", vx="10:00:05", vt="5", qs="10:00:05", qx="10:00:35",
          qt="30", out="AGENT", ss="10:00:35", sx="10:02:35", st="120", srv="ANNA",
          date="990103", cid="1"):
    return (f"AA0101\t{cid}\t0\t1\t{queue}\t{date}\t{ve}\t{vx}\t{vt}\t{qs}\t{qx}\t{qt}\t{out}\t"
            f"{ss}\t{sx}\t{st}\t{srv}")


Z = "0:00:00"


def _read(tmp_path, lines, **kw):
    return read_acd(_ab_file(tmp_path, lines, "skew.txt"), **kw)


# (fields changed, the stage aligned, the stage it is aligned to); 1-2 s back at each
# boundary of the timeline.
SKEWS = [
    ({"vx": "9:59:59", "vt": "0"}, "vru_exit", "vru_entry"),
    ({"qs": "10:00:03", "qt": "32"}, "q_start", "vru_exit"),
    ({"qx": "10:00:04", "qt": "0", "ss": "10:00:05", "sx": "10:02:05"}, "q_exit", "q_start"),
    ({"ss": "10:00:33", "st": "122"}, "ser_start", "q_exit"),
    ({"ss": "10:00:35", "sx": "10:00:34", "st": "0"}, "ser_exit", "ser_start"),
    # served straight from the VRU, service stamped 2 s before the VRU exit
    ({"qs": Z, "qx": Z, "qt": "0", "ss": "10:00:03", "st": "152"}, "ser_start", "vru_exit"),
]
COLUMN = {"vru_entry": "vru_entry", "vru_exit": "vru_exit", "q_start": "queue_start",
          "q_exit": "queue_exit", "ser_start": "service_start", "ser_exit": "service_end"}


@pytest.mark.parametrize("fields, stage, before", SKEWS)
def test_clock_skew_at_each_boundary_is_aligned_and_kept(tmp_path, fields, stage, before):
    log = _read(tmp_path, [_line(), _line(cid="2", **fields)])
    issues = _issues(log)
    assert issues["clock_skew"] == (2,)
    assert f"{stage} before {before}: 1" in next(i.message for i in log.report
                                                  if i.kind == "clock_skew")
    assert not set(issues) & {"order", "vru_ignored", "mismatch"}, log.report
    f = log.frame.set_index("row")
    assert f.index.tolist() == [1, 2]
    if stage == "ser_start" and before == "vru_exit":     # direct: queue at the service start
        assert f.loc[2, "service_start"] == f.loc[2, "vru_exit"] == f.loc[2, "queue_start"]
    else:
        assert f.loc[2, COLUMN[stage]] == f.loc[2, COLUMN[before]]
    times = f.loc[2, ["arrival", "vru_exit", "queue_start", "queue_exit", "service_start",
                      "service_end"]].tolist()
    assert times == sorted(times)
    assert f.loc[2, "wait"] >= 0 and f.loc[2, "handle"] >= 0


def test_clock_tolerance_bounds_the_alignment(tmp_path):
    # q_exit 11 s before q_start: beyond the default 10 s -> out of order, excluded, saying
    # by how much; a tolerance of 15 s aligns it; 0 s excludes even a 1 s skew.
    lines = [_line(), _line(cid="2", qx="9:59:54", qt="0", ss="10:00:05", sx="10:02:05")]
    log = _read(tmp_path, lines, max_excluded=1)
    assert _issues(log)["order"] == (2,) and log.frame["row"].tolist() == [1]
    msg = next(i.message for i in log.report if i.kind == "order")
    assert "earlier by 11 s;" in msg and "q_exit before q_start: 1" in msg, msg
    assert "clock tolerance (10 s)" in msg and "first: q_exit 11 s before q_start at row 2" \
        in msg, msg
    log = _read(tmp_path, lines, clock_tolerance=15)
    assert _issues(log)["clock_skew"] == (2,) and log.frame["wait"].tolist() == [30, 0]
    one = [_line(), _line(cid="2", ss="10:00:34", st="121")]
    assert _issues(_read(tmp_path, one, clock_tolerance=0, max_excluded=1))["order"] == (2,)
    assert _issues(_read(tmp_path, one))["clock_skew"] == (2,)
    # Minutes back: out of order, the message gives the range.
    lines.append(_line(cid="3", ss="10:00:00", sx="10:02:00", st="120"))
    msg = next(i.message for i in _read(tmp_path, lines, max_excluded=1).report
               if i.kind == "order")
    assert "earlier by 11 s to 35 s;" in msg, msg
    lines.append(_line(cid="4", qx="9:00:05", qt="0", ss="10:00:05", sx="10:02:05"))
    msg = next(i.message for i in _read(tmp_path, lines, max_excluded=1).report
               if i.kind == "order")
    assert "earlier by 11 s to 1:00:00;" in msg and "q_exit before q_start: 2" in msg, msg
    # A tolerance of 12 hours or more aligns every step back; a step forward across
    # midnight is still one.
    lines.append(_line(cid="5", ve="23:59:40", vx="23:59:50", vt="10", qs="23:59:50",
                       qx="0:00:20", ss="0:00:20", sx="0:02:20"))
    log = _read(tmp_path, lines, clock_tolerance=86400)
    assert _issues(log)["clock_skew"] == (2, 3, 4) and _issues(log)["midnight"] == (5,)
    assert log.frame["wait"].tolist() == [30, 0, 30, 0, 30]


def test_midnight_crossing_with_a_skew(tmp_path):
    # Served from the VRU: service stamped 1 s before a VRU exit at 23:59:59, ends after
    # midnight.  And a queue stamped 00:00:00 (the next day) left at 00:00:10.
    log = _read(tmp_path, [
        _line(ve="23:59:50", vx="23:59:59", vt="9", qs=Z, qx=Z, qt="0", ss="23:59:58",
              sx="0:01:58", st="120"),
        _line(cid="2", ve="23:59:50", vx="23:59:59", vt="9", qs="23:59:59", qx="0:00:10",
              qt="11", out="HANG", ss=Z, sx=Z, st="0", srv="NO_SERVER")])
    issues = _issues(log)
    assert issues["clock_skew"] == (1,) and issues["midnight"] == (1, 2)
    f = log.frame.set_index("row")
    t = pd.Timestamp
    assert f.loc[1, "service_start"] == t("1999-01-03 23:59:59")
    assert f.loc[1, "service_end"] == t("1999-01-04 00:01:58") and f.loc[1, "handle"] == 119
    assert f.loc[2, "queue_exit"] == t("1999-01-04 00:00:10") and f.loc[2, "wait"] == 11


def test_vru_fields_never_exclude_a_row(tmp_path):
    log = _read(tmp_path, [
        _line(vt="-3"),                                   # negative vru_time
        _line(cid="2", vx="10:61:00"),                    # unparseable vru_exit
        _line(cid="3", vt="abc"),                         # unparseable vru_time
        _line(cid="4", vx="10:05:00", vt="295"),          # vru_exit 5 min after q_start
        _line(cid="5", vx="9:55:00", vt="0"),             # vru_exit 5 min before vru_entry
        _line(cid="6"),
    ])
    issues = _issues(log)
    assert issues["vru_ignored"] == (1, 2, 3, 4, 5)
    assert not set(issues) & EXCLUDING, log.report
    msg = next(i.message for i in log.report if i.kind == "vru_ignored")
    for what in ("1 have a negative vru_time", "1 have a vru_exit that is not h:mm:ss",
                 "1 have a vru_time that is not seconds",
                 "2 are out of order with the stages around it"):
        assert what in msg, msg
    f = log.frame.set_index("row")
    assert f.index.tolist() == [1, 2, 3, 4, 5, 6]
    assert f["wait"].tolist() == [30] * 6 and f["handle"].tolist() == [120] * 6
    assert f.loc[[2, 4, 5], "vru_exit"].isna().all()
    assert f.loc[1, "vru_exit"] == pd.Timestamp("1999-01-03 10:00:05")
    assert f["queue_start"].eq(pd.Timestamp("1999-01-03 10:00:05")).all()


def test_hang_with_service_fields_is_abandoned_or_other(tmp_path):
    log = _read(tmp_path, [
        _line(out="HANG"),                                # queued, then service fields
        _line(cid="2", out="HANG", qs=Z, qx=Z, qt="0"),   # no queue: ended in the VRU
        # service fields out of order, unreadable, negative: ignored, never excluded
        _line(cid="3", out="HANG", ss="9:00:00", sx="8:00:00", st="5"),
        _line(cid="4", out="HANG", ss="9:61:00", sx="x", st="abc"),
        _line(cid="5", out="HANG", ss=Z, sx=Z, st="-4"),
    ])
    assert _issues(log)["hang_service_ignored"] == (1, 2, 3, 4, 5)
    assert not set(_issues(log)) & EXCLUDING, log.report
    assert "order" not in _issues(log)
    f = log.frame.set_index("row")
    assert f["outcome"].to_dict() == {1: "abandoned", 2: "other", 3: "abandoned",
                                      4: "abandoned", 5: "abandoned"}
    assert f.loc[[1, 3, 4, 5], "wait"].tolist() == [30] * 4
    assert f["handle"].isna().all() and f["service_start"].isna().all()
    assert f["agent"].isna().all()
    h = log.to_history(interval=30).frame
    assert h["volume"].tolist() == [4] and h["abandoned"].tolist() == [4]
    assert h["answered"].tolist() == [0] and h["agents_headcount"].tolist() == [0]
    assert h["agents_busy"].tolist() == [0]


def test_no_server_service_is_busy_but_not_headcount(tmp_path):
    # c1 waits 10:00:00-10:01:00 and hangs up; c2 served by nobody named 10:00:00-10:02:00
    # (from the VRU); c3 served by A 10:00:30-10:05:00 (from the VRU).
    log = _read(tmp_path, [
        _line(ve="10:00:00", vx="10:00:00", vt="0", qs="10:00:00", qx="10:01:00", qt="60",
              out="HANG", ss=Z, sx=Z, st="0", srv="NO_SERVER"),
        _line(cid="2", ve="10:00:00", vx="10:00:00", vt="0", qs=Z, qx=Z, qt="0",
              ss="10:00:00", sx="10:02:00", st="120", srv="NO_SERVER"),
        _line(cid="3", ve="10:00:30", vx="10:00:30", vt="0", qs=Z, qx=Z, qt="0",
              ss="10:00:30", sx="10:05:00", st="270", srv="A"),
    ])
    assert _issues(log)["no_agent"] == (2,)
    f = log.frame.set_index("row")
    assert f.loc[2, "outcome"] == "answered" and f.loc[2, "agent"] is None
    h = log.to_history(interval=30).frame.iloc[0]
    assert (h["volume"], h["answered"], h["abandoned"]) == (3, 2, 1)
    assert h["aht"] == (120 + 270) / 2 and h["asa"] == 0
    assert h["agents_headcount"] == 1
    assert h["agents_busy"] == pytest.approx((120 + 270) / 1800)
    # 30 s waited with the anonymous agent busy, 30 s with it and A: (30 + 60) / 60.
    assert h["agents_effective"] == pytest.approx(1.5)
    assert h["wait_share"] == pytest.approx(60 / 1800)


def test_too_many_excluded_rows_are_refused_with_reasons_and_examples(tmp_path):
    lines = [_line(cid=str(i), ve=f"10:{i:02d}:00", vx=f"10:{i:02d}:05", qs=f"10:{i:02d}:05",
                   qx=f"10:{i:02d}:35", ss=f"10:{i:02d}:35", sx=f"10:{i + 2:02d}:35")
             for i in range(1, 21)]
    lines[3] = lines[3].replace("\t10:04:35\t10:06:35", "\t10:03:00\t10:06:35")   # order
    lines[8] = lines[8].replace("\t10:09:35\t10:11:35", "\t10:08:00\t10:11:35")   # order
    lines[12] = lines[12].replace("\t10:13:05\t10:13:35", "\t10:71:05\t10:13:35")  # bad_time
    lines += [_line(cid=f"P{i}", out="PHANTOM") for i in range(30)]    # not counted
    with pytest.raises(ValueError) as e:
        _read(tmp_path, lines)
    msg = str(e.value)
    assert msg.startswith("'source' has 15.0% of its rows excluded (3 of 20, PHANTOM calls "
                          "not counted), more than max_excluded=0.05"), msg
    assert "Top reasons: order 2 (have a time earlier" in msg and "; bad_time 1 (" in msg
    assert "row 4 (order): 'AA0101 4 0 1 PS 990103 10:04:00" in msg
    assert "row 9 (order)" in msg and "row 13 (bad_time)" in msg
    assert "max_excluded=1" in msg and "--max-excluded" in msg
    log = _read(tmp_path, lines, max_excluded=0.15)             # 15% is not more than 15%
    assert len(log.frame) == 17 and _issues(log)["order"] == (4, 9)
    with pytest.raises(ValueError, match="'source' has 15.0%"):
        _read(tmp_path, lines, max_excluded=0.14)
    # Only PHANTOM calls excluded: accepted.
    assert len(_read(tmp_path, lines[:2] + lines[20:]).frame) == 2


def test_too_many_excluded_rows_in_a_generic_log(tmp_path):
    path = tmp_path / "acd.csv"
    path.write_text(GENERIC)
    with pytest.raises(ValueError) as e:
        read_acd(path, format="generic", mapping=MAPPING)
    msg = str(e.value)
    assert msg.startswith("'source' has 33.3% of its rows excluded (3 of 9"), msg
    assert "row 5 (order): 'skill=billing, offered_at=2024-03-04 09:40:00" in msg, msg


def test_generic_clock_skew(tmp_path):
    path = tmp_path / "acd.csv"
    path.write_text("q;arrive;queued;left;res;talk\n"
                    "x;2024-03-04 09:00:10;2024-03-04 09:00:08;2024-03-04 09:00:30;ANS;60\n"
                    "x;2024-03-04 09:01:00;2024-03-04 09:01:05;2024-03-04 09:01:03;ABN;\n"
                    "x;2024-03-04 09:02:00;2024-03-04 09:02:05;2024-03-04 09:01:03;ABN;\n")
    mapping = {"queue": "q", "arrival": "arrive", "queue_start": "queued",
               "queue_exit": "left", "outcome": "res", "handle": "talk",
               "outcome_values": {"answered": ["ANS"], "abandoned": ["ABN"]}}
    log = read_acd(path, format="generic", mapping=mapping, max_excluded=1)
    issues = _issues(log)
    assert issues["clock_skew"] == (1, 2) and issues["order"] == (3,)
    f = log.frame.set_index("row")
    assert f.loc[1, "queue_start"] == pd.Timestamp("2024-03-04 09:00:10")
    assert f.loc[1, "wait"] == 20 and f.loc[2, "wait"] == 0
    assert _issues(read_acd(path, format="generic", mapping=mapping, clock_tolerance=100)
                   )["clock_skew"] == (1, 2, 3)


def test_new_arguments_are_checked(tmp_path):
    path = _ab_file(tmp_path, [_line()])
    for kw, message in (({"clock_tolerance": -1}, "'clock_tolerance' must be >= 0: -1"),
                        ({"clock_tolerance": "10"}, "'clock_tolerance' must be a number"),
                        ({"clock_tolerance": 1e300}, "'clock_tolerance' must be <= 2.592e+06"),
                        ({"max_excluded": 1.5}, "'max_excluded' must be >= 0 and <= 1: 1.5"),
                        ({"max_excluded": float("nan")}, "'max_excluded' must not be NaN")):
        with pytest.raises(ValueError) as e:
            read_acd(path, **kw)
        assert str(e.value).startswith(message), str(e.value)


# ---- random small logs, checked against slow independent computations

T0 = pd.Timestamp("2024-03-04 08:00")


def _random_log(seed, n=40, queues=("A", "B", "C"), agents=("x", "y", "z"), overlap=True):
    """An AcdLog built directly (integer-second times): random waits, outcomes, agents
    (None = unknown), services of one agent overlapping only with ``overlap``."""
    rng = np.random.default_rng(seed)
    free = dict.fromkeys(agents, -1)
    rows = []
    for i in range(n):
        q = str(rng.choice(queues))
        qs = int(rng.integers(0, 3600))
        out = str(rng.choice(["answered", "abandoned", "other"], p=[0.65, 0.3, 0.05]))
        wait = int(rng.choice([0, int(rng.integers(0, 400))]))
        handle, agent, ss, se = np.nan, None, pd.NaT, pd.NaT
        if out == "answered" and rng.random() < 0.95:
            handle = int(rng.integers(1, 600))
            start = qs + wait
            agent = str(rng.choice(agents)) if rng.random() < 0.8 else None
            if agent is not None and not overlap and free[agent] > start:
                agent = None
            if agent is not None:
                free[agent] = start + handle
            ss, se = T0 + pd.Timedelta(seconds=start), T0 + pd.Timedelta(seconds=start + handle)
        offered = out != "other"
        rows.append({"row": i + 1, "queue": q, "arrival": T0 + pd.Timedelta(seconds=qs),
                     "queue_start": T0 + pd.Timedelta(seconds=qs) if offered else pd.NaT,
                     "queue_exit": T0 + pd.Timedelta(seconds=qs + wait) if offered else pd.NaT,
                     "outcome": out, "wait": float(wait) if offered else np.nan,
                     "handle": float(handle), "agent": agent, "service_start": ss,
                     "service_end": se})
    frame = pd.DataFrame(rows)
    frame["agent"] = frame["agent"].astype(object)
    return AcdLog(frame)


def _secs(t):
    return int((t - T0).total_seconds())


def _slow_history(log, interval, target):
    """Per (queue, start): the history's counts and agent columns by counting contacts and
    looping over every second of the interval."""
    f = log.frame
    length = interval * 60
    out = {}
    for queue, sub in f.groupby("queue"):
        off = sub[sub["outcome"] != "other"]
        qs = np.array([_secs(t) for t in off["queue_start"]])
        qx = np.array([_secs(t) for t in off["queue_exit"]])
        serv = sub[sub["service_start"].notna()]
        ss = np.array([_secs(t) for t in serv["service_start"]])
        se = np.array([_secs(t) for t in serv["service_end"]])
        # None or NaN (pandas 3 stores a missing object as NaN): nobody named
        agent = [a if isinstance(a, str) else None for a in serv["agent"].tolist()]
        for start in sorted({int(q) // length * length for q in qs}):
            entered = off[(qs >= start) & (qs < start + length)]
            ans = entered[entered["outcome"] == "answered"]
            within = int((ans["wait"] <= target).sum())
            busy, waiting, busy_waiting, named = 0, 0, 0, set()
            for t in range(start, start + length):
                now = np.flatnonzero((ss <= t) & (t < se))
                agents = {agent[j] for j in now if agent[j] is not None}
                n_busy = len(agents) + sum(agent[j] is None for j in now)
                named |= agents
                w = bool(((qs <= t) & (t < qx)).any())
                busy += n_busy
                waiting += w
                busy_waiting += n_busy * w
            out[(queue, T0 + pd.Timedelta(seconds=start))] = {
                "volume": len(entered), "answered": len(ans), "answered_within": within,
                "service_level": within / len(entered),
                "service_level_answered": within / len(ans) if len(ans) else np.nan,
                "agents_headcount": len(named), "agents_busy": busy / length,
                "wait_share": waiting / length,
                "agents_effective": busy_waiting / waiting if waiting else np.nan}
    return out


@pytest.mark.parametrize("seed, interval, target", [(1, 15, 20), (2, 5, 0), (3, 30, 60)])
def test_history_columns_against_slow_loops(seed, interval, target):
    log = _random_log(seed)
    h = log.to_history(interval=interval, target_time=target).frame.set_index(["queue",
                                                                               "start"])
    slow = _slow_history(log, interval, target)
    assert set(slow) <= set(h.index)
    assert h.loc[[k for k in h.index if k not in slow], "volume"].eq(0).all()
    for key, want in slow.items():
        for col, value in want.items():
            np.testing.assert_allclose(h.loc[key, col], value, rtol=1e-12, atol=1e-12,
                                       err_msg=f"{key} {col}")
    # service level over offered against over answered, interval by interval
    np.testing.assert_allclose(h["service_level"].fillna(0) * h["volume"],
                               h["service_level_answered"].fillna(0) * h["answered"])
    np.testing.assert_allclose(h["service_level"].fillna(0) * h["volume"],
                               h["answered_within"])


# ---- pools

def test_pools_validation():
    log = _random_log(4)
    for pools, message in (
            ([("A", "B")], "'pools' must map pool names to lists of queue names"),
            ({"p": "A"}, "'pools.p' must be a list of queue names: 'A'"),
            ({"p": []}, "'pools.p' must list at least one queue: []"),
            ({"p": ["A", 5]}, "'pools.p' must list queue names (strings): 5"),
            ({"p": ["A", "XX"]}, "'pools.p' lists a queue not in the log: 'XX' (queues: A, B, C)"),
            ({"p": ["A", "B"], "q": ["B"]}, "'pools.q' lists a queue already in pool 'p': 'B'"),
            ({"p": ["A", "A"]}, "'pools.p' lists a queue twice: 'A'"),
            ({"C": ["A", "B"]}, "'pools.C' is the name of a queue in no pool"),
            ({5: ["A"]}, "'pools.5' must be named by a non-empty string: 5")):
        with pytest.raises(ValueError) as e:
            log.pooled(pools)
        assert str(e.value).startswith(message), str(e.value)
        with pytest.raises(ValueError) as e:
            log.to_history(pools=pools)
        assert str(e.value).startswith(message), str(e.value)
    # A pool may take the name of one of its queues, or of a queue in another pool.
    assert log.pooled({"A": ["A", "B"]}).queues == ["A", "C"]
    assert log.pooled({"A": ["B"], "B": ["A"]}).queues == ["A", "B", "C"]


@pytest.mark.parametrize("seed", [5, 6])
def test_pooled_counts_are_the_sums_of_the_queues(seed):
    from ccwfm.forecast import estimate_patience
    log = _random_log(seed, n=60, overlap=False)
    pools = {"AB": ["A", "B"]}
    pooled = log.pooled(pools)
    f = pooled.frame
    assert f["queue"].tolist() == ["AB" if q in "AB" else q for q in log.frame["queue"]]
    assert f["service"].tolist() == log.frame["queue"].tolist()
    assert pooled.pooled({"ABC": ["AB", "C"]}).frame["service"].tolist() == \
        log.frame["queue"].tolist()
    per = log.to_history(interval=15).frame
    both = per[per["queue"].isin(["A", "B"])].groupby("start")
    hp = log.to_history(interval=15, pools=pools).frame
    ab = hp[hp["queue"] == "AB"].set_index("start")
    for col in ("volume", "answered", "abandoned", "answered_within"):
        summed = both[col].sum().reindex(ab.index, fill_value=0)
        np.testing.assert_array_equal(ab[col], summed, err_msg=col)
    # AHT: weighted by the answered with a known handle time, as the pooled contacts
    work = log.frame[log.frame["queue"].isin(["A", "B"]) & log.frame["handle"].notna()]
    assert ab["aht"].mean() == ab["aht"].mean()          # some AHT known
    total_work = (ab["aht"].fillna(0) * pooled.frame.assign(
        start=pooled.frame["queue_start"].dt.floor("15min"))
        .query("queue == 'AB' and handle == handle").groupby("start").size()
        .reindex(ab.index, fill_value=0)).sum()
    assert total_work == pytest.approx(work["handle"].sum())
    # Agents never serve two contacts at once here: busy agents add up across the queues.
    busy = both["agents_busy"].sum().reindex(ab.index, fill_value=0)
    np.testing.assert_allclose(ab["agents_busy"], busy)
    # C untouched.
    c_alone = per[per["queue"] == "C"].reset_index(drop=True)
    c_pooled = hp[hp["queue"] == "C"].reset_index(drop=True)
    pd.testing.assert_frame_equal(c_alone, c_pooled)
    # The pool's columns against the slow loops (an agent busy on A and B counts once).
    slow = _slow_history(pooled, 15, 20)
    for (q, start), want in slow.items():
        for col in ("agents_effective", "agents_busy", "agents_headcount", "wait_share"):
            np.testing.assert_allclose(hp.set_index(["queue", "start"]).loc[(q, start), col],
                                       want[col], atol=1e-12)
    p = estimate_patience(pooled, queue="AB")
    pa, pb = estimate_patience(log, queue="A"), estimate_patience(log, queue="B")
    assert (p.n, p.abandoned) == (pa.n + pb.n, pa.abandoned + pb.abandoned)
    assert p.total_wait == pytest.approx(pa.total_wait + pb.total_wait)
