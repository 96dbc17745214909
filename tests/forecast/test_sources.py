"""The shared pieces under both history readers: source loading, the delimiter
sniffer, the header preview and the one duration / clock parser."""

import io

import numpy as np
import pandas as pd
import pytest

from ccwfm import forecast
from ccwfm.forecast import _cells, _decode


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_read_header_detects_the_delimiter_like_the_reader(sep):
    text = sep.join(["Skill", "Interval", "Offered", "AHT (s, avg)"]) + "\n" + \
        sep.join(["sales", "2024-03-04 08:00", "12", "185"]) + "\n"
    if sep == ",":
        text = text.replace("AHT (s, avg)", '"AHT (s, avg)"')
    cols = forecast.read_header(text.encode())
    assert cols == ["Skill", "Interval", "Offered", "AHT (s, avg)"]
    assert cols == list(_decode.load(text.encode())[0].columns)


def test_read_header_encodings_hint_line_one_column_and_empty():
    assert forecast.read_header("q;s;v\n".encode("utf-16")) == ["q", "s", "v"]
    assert forecast.read_header(b"\xef\xbb\xbfq,s,v\n") == ["q", "s", "v"]
    assert forecast.read_header("Skill;Durée\n".encode("cp1252")) == ["Skill", "Durée"]
    assert forecast.read_header(io.StringIO("sep=;\nq;s;v\n1;2;3\n")) == ["q", "s", "v"]
    assert forecast.read_header(b"just some words\nmore\n") == ["just some words"]
    assert forecast.read_header(b"") == []
    assert forecast.read_header(b"a;b,c\n1;2,3\n", sep=",") == ["a;b", "c"]


def test_read_header_of_a_long_file_reads_its_beginning():
    body = "".join(f"q{i};2024-03-04 08:00;{i}\n" for i in range(20000))
    data = ("Skill;Interval;Offered\n" + body).encode()
    assert len(data) > _decode.HEADER_BYTES
    assert forecast.read_header(data) == ["Skill", "Interval", "Offered"]


def test_read_header_of_excel_and_frames(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([])
    ws.append(["Skill", "Interval", None, "Offered"])
    ws.append(["a", "2024-03-04 08:00", 3, 4])
    path = tmp_path / "h.xlsx"
    wb.save(path)
    assert forecast.read_header(path) == ["Skill", "Interval", "column C", "Offered"]
    assert forecast.read_header(pd.DataFrame({" a ": [1], "b": [2]})) == ["a", "b"]


def test_sniffer_prefers_the_consistent_delimiter():
    assert _decode.sniff(["a;b;c", "1,5;2;3", "4;5,5;6"]) == ";"
    assert _decode.sniff(["a b c", "1 2 3"]) is None


def test_one_duration_parser():
    d = _cells.duration
    assert d("3:05") == 185 and d("75:30") == 4530 and d("0:03:05,5") == 185.5
    assert d("-0:00:05") is None and d("-0:00:05", signed=True) == -5
    assert d("3:60") is None and d("0:60:00") is None and d("abc") is None
    # ACD logs: h:mm:ss exactly
    assert d("3:05", short=False) is None
    assert d("1:02:03", signed=True, short=False, exact=True) == 3723
    assert d("1:2:03", exact=True) is None and d("0:00:05.5", exact=True) is None
    assert d("1000:00:00", exact=True) is None
    seconds = _cells.durations(pd.Series(["5", "-5", "0:01:00", "3:05", "x", "5"]),
                               signed=True, short=False, exact=True)
    np.testing.assert_array_equal(seconds, [5, -5, 60, np.nan, np.nan, 5])


def test_one_clock_parser():
    t = _cells.time_of_day
    assert t("08:30") == 30600 and t("8:30:15") == 30615 and t("8:30 PM") == 73800
    assert t("08:00-08:15") == 28800 and t("24:00") is None and t("13:00 PM") is None
    assert t("8:30:15", exact=True) == 30615
    assert t("8:30", exact=True) is None and t("8:30:15 PM", exact=True) is None
    clocks = _cells.clocks(pd.Series(["0:00:00", "23:59:59", "24:00:00", "9:61:00"]),
                           exact=True)
    np.testing.assert_array_equal(clocks, [0, 86399, np.nan, np.nan])


def test_acd_logs_load_through_the_shared_loader(tmp_path):
    # bytes, a BOM and a ';' file: the generic layout reads what read_intervals reads
    text = ("\ufeffq;t;res;w\nx;2024-01-01 08:00:00;answered;5\n\n"
            "x;2024-01-01 08:10:00;abandoned;50\n")
    log = forecast.read_acd(text.encode(), format="generic",
                            mapping={"queue": "q", "arrival": "t", "outcome": "res", "wait": "w"})
    assert log.frame["row"].tolist() == [1, 2]
    assert log.frame["outcome"].tolist() == ["answered", "abandoned"]
    with pytest.raises(ValueError, match="'source' file not found"):
        forecast.read_acd(tmp_path / "missing.txt")


def test_read_header_refuses_repeated_names_and_bad_arguments():
    with pytest.raises(ValueError, match="^'source' must name each column once: 'a' repeats"):
        forecast.read_header(b"a;b; a\n1;2;3\n")
    with pytest.raises(ValueError, match="^'sep' must be a delimiter"):
        forecast.read_header(b"a;b\n", sep=5)
    with pytest.raises(ValueError, match="^'source' is not a readable .xlsx file"):
        forecast.read_header(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(ValueError, match="^'source' looks like CSV text"):
        forecast.read_header("a;b\n1;2\n")


def test_dates_beyond_nanoseconds_are_not_wrapped_round():
    # pandas reads year 9999 at microsecond resolution; a plain cast to ns gives 1815
    values = np.array(["2024-03-04T08:00", "9999-03-04T08:30", "0001-01-01T00:00"],
                      dtype="datetime64[us]")
    ns, far = _cells.to_ns(values)
    assert far.tolist() == [False, True, True]
    assert ns[0] == np.datetime64("2024-03-04T08:00") and np.isnat(ns[1:]).all()


def test_numbers_beyond_a_float_are_infinite_words_are_not_numbers():
    assert _cells.to_number("1" + "0" * 400, ".") == np.inf
    assert _cells.to_number("-1" + "0" * 400, ".") == -np.inf
    for word in ("inf", "-inf", "infinity", "nan"):
        assert _cells.to_number(word, ".") is None
