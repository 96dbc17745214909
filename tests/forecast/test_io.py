"""forecast.io.read_intervals: formats, columns, parsing, checks, and their messages."""

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ccwfm.forecast.io import read_intervals

BANK = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "bank_calls.csv"


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def csv_text(rows, sep=","):
    return "\n".join(sep.join(str(c) for c in r) for r in rows) + "\n"


def kinds(h):
    return [i.kind for i in h.report]


def issue(h, kind):
    found = [i for i in h.report if i.kind == kind]
    assert len(found) == 1, h.report
    return found[0]


def starts(h):
    return [t.strftime("%Y-%m-%d %H:%M") for t in h.frame["start"]]


GOOD = [("queue", "start", "volume", "aht", "abandoned"),
        ("sales", "2024-03-04 08:00", 12, 185, 1),
        ("sales", "2024-03-04 08:30", 15, 190.5, 0),
        ("care", "2024-03-04 08:00", 7, 240, ""),
        ("care", "2024-03-04 08:30", 0, "", "")]


def check_good(h):
    assert h.interval == 30
    assert h.report == ()
    f = h.frame
    assert list(f.columns[:5]) == ["queue", "start", "volume", "aht", "abandoned"]
    assert f["queue"].tolist() == ["care", "care", "sales", "sales"]
    assert starts(h) == ["2024-03-04 08:00", "2024-03-04 08:30"] * 2
    assert f["volume"].tolist() == [7, 0, 12, 15]
    np.testing.assert_array_equal(f["aht"], [240, np.nan, 185, 190.5])
    np.testing.assert_array_equal(f["abandoned"], [np.nan, np.nan, 1, 0])


# --------------------------------------------------------------------------- formats

@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_csv_any_delimiter_is_detected(tmp_path, sep):
    check_good(read_intervals(write(tmp_path, "h.csv", csv_text(GOOD, sep))))


def test_csv_from_file_objects_bytes_and_encodings(tmp_path):
    text = csv_text(GOOD, ";")
    check_good(read_intervals(io.StringIO(text)))
    check_good(read_intervals(io.BytesIO(text.encode())))
    check_good(read_intervals(text.encode("utf-16")))          # Excel "Unicode text"
    check_good(read_intervals(write(tmp_path, "h.csv", "\ufeff" + text)))   # BOM
    check_good(read_intervals(io.StringIO("sep=;\n" + text)))  # Excel's delimiter hint line
    h = read_intervals(io.BytesIO(text.replace("care", "café").encode("cp1252")))
    assert h.queues == ["café", "sales"]


def test_excel_with_date_time_cells_and_duration_aht(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    ws = wb.create_sheet("Intervals")
    ws.append(["Skill", "Date", "Time", "Offered", "AHT", "Aband"])
    ws.append(["A", dt.datetime(2024, 3, 4), dt.time(8, 0), 10, dt.time(0, 3, 5), 1])
    ws.append(["A", dt.datetime(2024, 3, 4), dt.time(8, 15), 12, 200, 0])
    ws.append([None] * 6)
    ws.append(["A", dt.datetime(2024, 3, 4), 8.5 / 24, 9, "3:20", None])   # 08:30, a day fraction
    ws.append([101, dt.datetime(2024, 3, 4), "08:00", 4, "0:04:10", 2])   # numeric queue id
    ws.append([None] * 6)                                                  # trailing padding
    path = tmp_path / "h.xlsx"
    wb.save(path)
    h = read_intervals(path, sheet="Intervals")
    assert h.interval == 15
    assert h.frame["queue"].tolist() == ["101", "A", "A", "A"]
    assert starts(h) == ["2024-03-04 08:00", "2024-03-04 08:00", "2024-03-04 08:15",
                         "2024-03-04 08:30"]
    assert h.frame["volume"].tolist() == [4, 10, 12, 9]
    np.testing.assert_array_equal(h.frame["aht"], [250, 185, 200, 200])
    np.testing.assert_array_equal(h.frame["abandoned"], [2, 1, 0, np.nan])
    assert h.report == (issue(h, "blank"),)
    assert issue(h, "blank").rows == (3,)
    assert read_intervals(path, sheet=1).frame.equals(h.frame)
    with pytest.raises(ValueError, match=r"'sheet' must name a sheet .*'Notes', 'Intervals'.*"
                                         r"did you mean 'Intervals'"):
        read_intervals(path, sheet="Intervls")
    with pytest.raises(ValueError, match="'source' is empty: sheet 'Notes'"):
        read_intervals(path)


def test_parquet(tmp_path):
    pytest.importorskip("pyarrow")
    df = pd.DataFrame({"Skill": ["q"] * 3,
                       "Interval": pd.date_range("2024-03-04 08:00", periods=3, freq="5min"),
                       "Calls": np.array([3, 4, 5], dtype="int64"),
                       "AHT": [100.0, np.nan, 120.0]})
    path = tmp_path / "h.parquet"
    df.to_parquet(path)
    h = read_intervals(path)
    assert h.interval == 5
    assert h.frame["volume"].tolist() == [3, 4, 5]
    np.testing.assert_array_equal(h.frame["aht"], [100, np.nan, 120])
    with pytest.raises(ValueError, match=r"'source' must have at most max_rows=2 data rows: 3"):
        read_intervals(path, max_rows=2)


def test_dataframe_input_typed_and_text():
    df = pd.DataFrame({"queue": ["q", "q", "q"],
                       "start": pd.date_range("2024-03-04 09:00", periods=3, freq="60min"),
                       "volume": [1.0, 2.0, 3.0],
                       "aht": pd.to_timedelta([60, 90, 120], unit="s")})
    h = read_intervals(df)
    assert h.interval == 60 and h.report == ()
    assert h.frame["aht"].tolist() == [60, 90, 120]
    # a DatetimeIndex without a name is taken as the start
    h2 = read_intervals(df.set_index("start").rename_axis(None))
    assert starts(h2) == starts(h)
    check_good(read_intervals(pd.DataFrame(GOOD[1:], columns=GOOD[0])))


# --------------------------------------------------------------------------- columns

def test_column_mapping(tmp_path):
    text = csv_text([("Skill", "Interval", "Offered", "AHT", "Aband", "Notes"),
                     ("x", "2024-03-04 08:00", 5, 100, 1, "n"),
                     ("x", "2024-03-04 08:15", 6, 110, 2, "n")])
    m = {"queue": "Skill", "start": "Interval", "volume": "Offered", "aht": "AHT",
         "abandoned": "Aband"}
    h = read_intervals(io.StringIO(text), mapping=m)
    assert h.frame[["volume", "aht", "abandoned"]].to_numpy().tolist() == [[5, 100, 1],
                                                                           [6, 110, 2]]
    # partial mapping: the rest by name; names are matched case-insensitively
    text2 = text.replace("Offered", "In").replace("Notes", "calls")
    h2 = read_intervals(io.StringIO(text2), mapping={"volume": "in"})
    assert h2.frame["volume"].tolist() == [5, 6]
    with pytest.raises(ValueError, match=r"mapping\['volume'\] = 'Ofered' is not one; columns "
                                         r"found: 'Skill', .*nearest match 'Offered'"):
        read_intervals(io.StringIO(text), mapping={"volume": "Ofered"})
    with pytest.raises(ValueError, match="'mapping' keys must be among .*: 'vol'"):
        read_intervals(io.StringIO(text), mapping={"vol": "Offered"})


@pytest.mark.parametrize("header", [
    ("Queue", "Interval Start", "Calls Offered", "Avg Handle Time", "Abandons"),
    ("SKILL", "DateTime", "Offered", "handle_time", "Aband"),
    ("Split", "Timestamp", "Contacts", "AHT (s)", "abandoned"),
    ("service", "start", "Volume", "AHT_sec", "Abandoned Calls"),
])
def test_auto_detected_names(header):
    text = csv_text([header, ("q", "2024-03-04 08:00", 5, 100, 1),
                     ("q", "2024-03-04 09:00", 6, 110, 2)])
    h = read_intervals(io.StringIO(text))
    assert h.interval == 60
    assert h.frame[["volume", "aht", "abandoned"]].to_numpy().tolist() == [[5, 100, 1],
                                                                           [6, 110, 2]]


def test_missing_column_names_it_lists_columns_and_suggests():
    text = "queue,start,Ofered\nq,2024-03-04 08:00,1\n"
    with pytest.raises(ValueError) as e:
        read_intervals(io.StringIO(text))
    assert str(e.value) == (
        "'volume' column not found (looked for volume, offered, calls, contacts): columns "
        "found: 'queue', 'start', 'Ofered'; nearest match 'Ofered': give "
        "mapping={'volume': 'Ofered'}")
    with pytest.raises(ValueError, match=r"'queue' column not found .*columns found: 'Skil', "
                                         r"'start', 'volume'; nearest match 'Skil'.*queue='name'"):
        read_intervals(io.StringIO("Skil,start,volume\nq,2024-03-04 08:00,1\n"))
    with pytest.raises(ValueError, match=r"'start' column not found .*'when'"):
        read_intervals(io.StringIO("queue,when,volume\nq,2024-03-04 08:00,1\n"))
    with pytest.raises(ValueError, match=r"'volume' matches several columns: 'Calls', "
                                         r"'Offered'"):
        read_intervals(io.StringIO("queue,start,Calls,Offered\nq,2024-03-04 08:00,1,1\n"))


def test_queue_parameter():
    text = "Interval,Offered\n2024-03-04 08:00,1\n2024-03-04 08:30,2\n"
    h = read_intervals(io.StringIO(text), queue="voice")
    assert h.queues == ["voice"] and h.frame["volume"].tolist() == [1, 2]
    with pytest.raises(ValueError, match="'queue' must be given only for a file without a "
                                         "queue column: the file has 'queue'"):
        read_intervals(io.StringIO("queue," + text.replace("\n2", "\nq,2")), queue="voice")


def test_date_and_time_in_two_columns():
    text = csv_text([("Skill", "Date", "Time", "Calls"),
                     ("q", "04/03/2024", "8:00 AM", 1),
                     ("q", "04/03/2024", "08:15 - 08:30", 2),
                     ("q", "05/03/2024", "1:30 PM", 3),
                     ("q", "05/03/2024", "13:45:00", 4)])
    h = read_intervals(io.StringIO(text), dayfirst=True)
    assert starts(h) == ["2024-03-04 08:00", "2024-03-04 08:15", "2024-03-05 13:30",
                         "2024-03-05 13:45"]
    h = read_intervals(io.StringIO(text), date_format="%m/%d/%Y")
    assert starts(h)[0] == "2024-04-03 08:00"
    # "start" holding the time of day, with a date column; and an explicit pair
    h2 = read_intervals(io.StringIO(text.replace("Time", "Interval")), dayfirst=True)
    assert starts(h2) == starts(read_intervals(io.StringIO(text), dayfirst=True))
    h3 = read_intervals(io.StringIO(text.replace("Date", "D").replace("Time", "T")),
                        mapping={"start": ("D", "T")}, dayfirst=True)
    assert starts(h3) == starts(h2)
    with pytest.raises(ValueError, match=r"'time' must be a time of day such as 08:30: "
                                         r"'25:00' \(row 2; column 'Time'\)"):
        read_intervals(io.StringIO(text.replace("08:15 - 08:30", "25:00")), dayfirst=True)


def test_day_first_ambiguity_is_an_error_with_rows():
    text = "queue,start,volume\nq,01/02/2024 08:00,1\nq,13/02/2024 08:15,2\n"
    with pytest.raises(ValueError) as e:
        read_intervals(io.StringIO(text))
    assert str(e.value) == ("'start' must be a date and time: '13/02/2024 08:15' (row 2); give "
                            "date_format (e.g. '%d/%m/%Y %H:%M') or dayfirst=True")


# --------------------------------------------------------------------------- values

def test_aht_seconds_mm_ss_and_h_mm_ss():
    text = csv_text([("queue", "start", "volume", "aht"),
                     ("q", "2024-03-04 08:00", 1, 185),
                     ("q", "2024-03-04 08:15", 1, "3:05"),
                     ("q", "2024-03-04 08:30", 1, "0:03:05.5"),
                     ("q", "2024-03-04 08:45", 1, "1:02:03"),
                     ("q", "2024-03-04 09:00", 1, "72:10")])
    h = read_intervals(io.StringIO(text))
    assert h.frame["aht"].tolist() == [185, 185, 185.5, 3723, 4330]
    assert h.report == ()


def test_aht_text_becomes_nan_with_an_issue():
    text = csv_text([("queue", "start", "volume", "AHT")]
                    + [("q", f"2024-03-04 08:{m:02d}", 1, v)
                       for m, v in zip((0, 15, 30, 45), ("120", "oops", "3:75", ""))])
    h = read_intervals(io.StringIO(text))
    np.testing.assert_array_equal(h.frame["aht"], [120, np.nan, np.nan, np.nan])
    i = issue(h, "non_numeric")
    assert i.rows == (2, 3)
    assert i.message == ("'aht' is not a number in 2 rows ('oops', '3:75'): set to NaN "
                         "(unknown) (rows 2, 3; column 'AHT')")
    assert kinds(h) == ["non_numeric"]          # the empty cell is just unknown


def test_text_in_volume_is_an_error_listing_up_to_ten_rows():
    rows = [("queue", "start", "volume")]
    for k in range(14):
        rows.append(("q", f"2024-03-04 {8 + k // 4:02d}:{15 * (k % 4):02d}",
                     "n/v" if k >= 2 else k))
    with pytest.raises(ValueError) as e:
        read_intervals(io.StringIO(csv_text(rows)))
    assert str(e.value) == ("'volume' must be a number: 'n/v' (rows 3, 4, 5, 6, 7, 8, 9, 10, "
                            "11, 12, ... (12 rows))")


def test_empty_volume_drops_the_row_and_shows_the_gap():
    text = "queue,start,volume\nq,2024-03-04 08:00,1\nq,2024-03-04 08:15,\nq,2024-03-04 08:30,3\n"
    h = read_intervals(io.StringIO(text))
    assert h.interval == 15 and h.frame["volume"].tolist() == [1, 3]
    assert kinds(h) == ["missing", "gap"]
    assert issue(h, "missing").rows == (2,)
    assert issue(h, "gap").rows == (1, 3)


@pytest.mark.parametrize("column, cells, message", [
    ("volume", (4, -3, 2, -1), "'volume' must be >= 0: -3 (rows 2, 4)"),
    ("abandoned", (0, 1, -2, 0), "'abandoned' must be >= 0: -2 (row 3)"),
    ("aht", (100, -5, 90, 80), "'aht' must be >= 0: -5 (row 2)"),
])
def test_negative_values_are_errors_with_rows(column, cells, message):
    rows = [("queue", "start", "volume", column)] if column != "volume" else \
        [("queue", "start", "volume")]
    for k, c in enumerate(cells):
        row = ("q", f"2024-03-04 08:{15 * k:02d}", 5)
        rows.append(row + (c,) if column != "volume" else row[:2] + (c,))
    with pytest.raises(ValueError) as e:
        read_intervals(io.StringIO(csv_text(rows)))
    assert str(e.value) == message


def test_thousands_separators_and_decimal_commas():
    # quoted "1,234" in a comma file, with a dot decimal elsewhere: unambiguous
    text = ('queue,start,volume,aht\nq,2024-03-04 08:00,"1,234",185.5\n'
            'q,2024-03-04 08:15,"345,678",190\nq,2024-03-04 08:30, 2 500 ,"1,200.5"\n')
    h = read_intervals(io.StringIO(text))
    assert h.frame["volume"].tolist() == [1234, 345678, 2500]
    assert h.frame["aht"].tolist() == [185.5, 190, 1200.5]
    assert [i.kind for i in h.report] == ["number_format"]     # volume alone: guessed
    # decimal commas in a semicolon file, dot thousands
    text = ("queue;start;volume;aht\nq;2024-03-04 08:00;1.234;185,5\n"
            "q;2024-03-04 08:15;345.678;190\n")
    h = read_intervals(io.StringIO(text))
    assert h.frame["volume"].tolist() == [1234, 345678]
    assert h.frame["aht"].tolist() == [185.5, 190]
    assert [i.kind for i in h.report] == ["number_format"]
    # repeated separators settle the style; beyond the limit 'volume' they are refused
    for sep, cell, value in ((",", '"12,345,678"', "12345678"), (";", "2.345.678", "2345678")):
        text = f"queue{sep}start{sep}volume\nq{sep}2024-03-04 08:00{sep}{cell}\n"
        with pytest.raises(ValueError, match=rf"^'volume' must be <= 1e\+06 contacts per "
                                             rf"interval \(limit 'volume'\): {value}\.0 \(row 1\)$"):
            read_intervals(io.StringIO(text))
    # nothing settles "1,234": read as thousands, and said so
    h = read_intervals(io.StringIO('queue,start,volume\nq,2024-03-04 08:00,"1,234"\n'
                                   'q,2024-03-04 08:15,7\n'))
    assert h.frame["volume"].tolist() == [1234, 7]
    i = issue(h, "number_format")
    assert i.rows == (1,) and "read '1,234' as 1234" in i.message
    with pytest.raises(ValueError, match=r"'aht' must use one decimal separator: '3,5' and "
                                         r"'3.5'"):
        read_intervals(io.StringIO("queue;start;volume;aht\nq;2024-03-04 08:00;1;3,5\n"
                                   "q;2024-03-04 08:15;1;3.5\n"))


def test_unquoted_thousands_in_a_comma_file_is_an_error():
    text = "queue,start,volume\nq,2024-03-04 08:00,7\nq,2024-03-04 08:15,1,234\n"
    with pytest.raises(ValueError) as e:
        read_intervals(io.StringIO(text))
    assert str(e.value).startswith("'source' rows must have at most the 3 fields of the "
                                   "header: 4 (row 2; delimiter ',')")


def test_blank_and_total_rows_are_dropped_with_issues():
    text = ("queue,start,volume\nq,2024-03-04 08:00,1\n,,\nq,2024-03-04 08:15,2\n"
            ",Total,3\n\n\n")
    h = read_intervals(io.StringIO(text))
    assert h.frame["volume"].tolist() == [1, 2]
    assert [(i.kind, i.rows) for i in h.report] == [("blank", (2,)), ("total", (4,))]


# --------------------------------------------------------------------------- interval grid

@pytest.mark.parametrize("minutes", [5, 15, 30, 60])
def test_interval_detection(minutes):
    start = pd.Timestamp("2024-03-04 08:00")
    rows = [("queue", "start", "volume")]
    for day in range(2):
        for k in range(6):
            if (day, k) != (1, 3):                 # one gap
                t = start + pd.Timedelta(days=day, minutes=minutes * k)
                rows.append(("q", t.strftime("%Y-%m-%d %H:%M"), k))
    h = read_intervals(io.StringIO(csv_text(rows)))
    assert h.interval == minutes
    assert len(h.frame) == 11
    gap = issue(h, "gap")
    assert gap.rows == (9, 10)
    t0 = start + pd.Timedelta(days=1, minutes=3 * minutes)
    assert t0.strftime("%Y-%m-%d %H:%M") in gap.message


def test_interval_given():
    # one row per queue and day: cannot be detected, can be given
    text = "queue,start,volume\nq,2024-03-04 08:30,1\nq,2024-03-05 09:30,2\n"
    with pytest.raises(ValueError, match="cannot detect the interval length: give 'interval'"):
        read_intervals(io.StringIO(text))
    assert read_intervals(io.StringIO(text), interval=30).interval == 30
    with pytest.raises(ValueError, match="'interval' must be one of"):
        read_intervals(io.StringIO(text), interval=10)
    hourly = "queue,start,volume\nq,2024-03-04 08:00,1\nq,2024-03-04 09:00,2\n"
    with pytest.raises(ValueError, match="'interval' is 15 minutes but every start is on the "
                                         "60-minute grid"):
        read_intervals(io.StringIO(hourly), interval=15)
    quarter = "queue,start,volume\nq,2024-03-04 08:00,1\nq,2024-03-04 08:15,2\n"
    with pytest.raises(ValueError) as e:
        read_intervals(io.StringIO(quarter), interval=30)
    assert str(e.value) == ("'start' must fall on the 30-minute grid: 2024-03-04 08:15 (row 2; "
                            "queue 'q'); the starts look like 15-minute intervals: give "
                            "interval=15")


def test_consistently_shifted_starts_are_floored_with_an_issue():
    text = ("queue,start,volume\nq,2024-03-04 08:01,1\nq,2024-03-04 08:16,2\n"
            "q,2024-03-04 08:31,3\np,2024-03-04 08:00,4\np,2024-03-04 08:15,5\n")
    h = read_intervals(io.StringIO(text))
    assert h.interval == 15
    assert starts(h) == ["2024-03-04 08:00", "2024-03-04 08:15"] + \
        ["2024-03-04 08:00", "2024-03-04 08:15", "2024-03-04 08:30"]
    i = issue(h, "misaligned")
    assert i.rows == (1, 2, 3)
    assert i.message.startswith("queue 'q': every start is 1 minute past the 15-minute grid")


def test_sporadic_off_grid_starts_are_errors_with_rows():
    text = ("queue,start,volume\nq,2024-03-04 08:00,1\nq,2024-03-04 08:15,2\n"
            "q,2024-03-04 08:37,3\nq,2024-03-04 08:45,4\nq,2024-03-04 09:07,5\n")
    with pytest.raises(ValueError) as e:
        read_intervals(io.StringIO(text))
    assert str(e.value) == ("'start' must fall on the 15-minute grid: 2024-03-04 08:37 "
                            "(rows 3, 5; queue 'q')")


def test_gaps_inside_opening_hours_but_not_closed_hours():
    rows = [("queue", "start", "volume")]
    for day in (4, 5):
        for hh, mm in [(8, 0), (8, 30), (9, 0), (11, 0), (11, 30), (13, 0), (13, 30)]:
            if (day, hh, mm) != (5, 9, 0):
                rows.append(("q", f"2024-03-{day:02d} {hh:02d}:{mm:02d}", 1))
    # 09:30-11:00 and 12:00-13:00 never have data (closures); 2024-03-05 09:00 is missing
    h = read_intervals(io.StringIO(csv_text(rows)))
    assert h.interval == 30
    assert [(i.kind, i.rows) for i in h.report] == [("gap", (9, 10))]
    assert h.report[0].message == ("queue 'q': no row for 2024-03-05 09:00-09:30 (1 interval) "
                                   "inside opening hours, between rows 9 and 10")


# --------------------------------------------------------------------------- duplicates

DUP = ("queue,start,volume,aht,abandoned\n"
       "q,2024-03-04 08:00,10,100,1\n"
       "q,2024-03-04 08:15,5,200,\n"
       "q,2024-03-04 08:00,30,200,2\n"
       "q,2024-03-04 08:30,4,,\n")


@pytest.mark.parametrize("policy, volume, aht, abandoned", [
    ("sum", 40, 175, 3),
    ("first", 10, 100, 1),
    ("last", 30, 200, 2),
])
def test_duplicates_policies(policy, volume, aht, abandoned):
    h = read_intervals(io.StringIO(DUP), duplicates=policy)
    first = h.frame.iloc[0]
    assert (first["volume"], first["aht"], first["abandoned"]) == (volume, aht, abandoned)
    assert h.frame["volume"].tolist()[1:] == [5, 4]
    i = issue(h, "duplicate")
    assert i.rows == (1, 3)
    assert "2024-03-04 08:00 (rows 1, 3)" in i.message


def test_duplicates_error_names_the_rows():
    with pytest.raises(ValueError) as e:
        read_intervals(io.StringIO(DUP), duplicates="error")
    assert str(e.value).startswith("'start' must be unique per queue: 2024-03-04 08:00 appears "
                                   "2 times for queue 'q' (rows 1, 3)")
    with pytest.raises(ValueError, match="'duplicates' must be one of sum, error, first, last"):
        read_intervals(io.StringIO(DUP), duplicates="mean")


# --------------------------------------------------------------------------- daylight saving

AUTUMN = ("queue,start,volume,aht\n"
          "q,2024-10-27T01:30:00+02:00,5,100\n"
          "q,2024-10-27T02:00:00+02:00,6,100\n"
          "q,2024-10-27T02:30:00+02:00,7,100\n"
          "q,2024-10-27T02:00:00+01:00,2,400\n"
          "q,2024-10-27T02:30:00+01:00,3,100\n"
          "q,2024-10-27T03:00:00+01:00,8,100\n")


def test_dst_autumn_offsets_merge_the_repeated_hour():
    h = read_intervals(io.StringIO(AUTUMN), duplicates="error")   # not duplicates
    assert starts(h) == ["2024-10-27 01:30", "2024-10-27 02:00", "2024-10-27 02:30",
                         "2024-10-27 03:00"]
    assert h.frame["volume"].tolist() == [5, 8, 10, 8]
    assert h.frame["aht"].tolist() == [100, 175, 100, 100]
    i = issue(h, "dst")
    assert i.rows == (2, 3, 4, 5)
    assert kinds(h) == ["dst"]


def test_dst_autumn_tz_aware_dataframe_and_tz_conversion():
    idx = pd.date_range("2024-10-27 00:00", periods=8, freq="30min", tz="Europe/Paris")
    df = pd.DataFrame({"queue": "v", "start": idx, "volume": np.arange(8.0)})
    h = read_intervals(df)
    assert h.frame["volume"].tolist() == [0, 1, 2, 3, 4 + 6, 5 + 7]
    assert issue(h, "dst").rows == (5, 6, 7, 8)
    # the same instants on New York clocks: no change there on that day
    h = read_intervals(df, tz="America/New_York")
    assert starts(h)[0] == "2024-10-26 18:00" and len(h.frame) == 8 and h.report == ()


def test_dst_autumn_naive_times_with_tz():
    text = ("queue,start,volume\nq,2024-10-27 01:30,1\nq,2024-10-27 02:00,2\n"
            "q,2024-10-27 02:30,3\nq,2024-10-27 02:00,4\nq,2024-10-27 02:30,5\n"
            "q,2024-10-27 03:00,6\n")
    h = read_intervals(io.StringIO(text), tz="Europe/Paris", duplicates="error")
    assert h.frame["volume"].tolist() == [1, 6, 8, 6]
    assert [(i.kind, i.rows) for i in h.report] == [("dst", (2, 3, 4, 5))]
    # without tz they are plain duplicates
    h = read_intervals(io.StringIO(text))
    assert h.frame["volume"].tolist() == [1, 6, 8, 6] and kinds(h) == ["duplicate"]


def test_dst_spring_hour_shows_as_an_issue_not_a_silent_hole():
    text = ("queue,start,volume\nq,2024-03-31T01:00:00+01:00,1\nq,2024-03-31T01:30:00+01:00,2\n"
            "q,2024-03-31T03:00:00+02:00,3\nq,2024-03-31T03:30:00+02:00,4\n")
    h = read_intervals(io.StringIO(text))
    assert starts(h) == ["2024-03-31 01:00", "2024-03-31 01:30", "2024-03-31 03:00",
                         "2024-03-31 03:30"]
    i = issue(h, "dst")
    assert i.rows == (2, 3)
    assert i.message.startswith("queue 'q': 2024-03-31 02:00-03:00 does not exist on the local "
                                "clock (clocks went forward 60 minutes)")
    assert kinds(h) == ["dst"]
    # the same hole in naive times is a plain gap
    naive = text.replace("+01:00", "").replace("+02:00", "")
    assert kinds(read_intervals(io.StringIO(naive))) == ["gap"]


def test_utc_marked_times_keep_their_clock_time_with_an_issue():
    text = "queue,start,volume\nq,2024-03-04T08:00:00Z,1\nq,2024-03-04T08:05:00Z,2\n"
    h = read_intervals(io.StringIO(text))
    assert starts(h) == ["2024-03-04 08:00", "2024-03-04 08:05"]
    assert kinds(h) == ["timezone"]
    h = read_intervals(io.StringIO(text), tz="Europe/Paris")
    assert starts(h) == ["2024-03-04 09:00", "2024-03-04 09:05"] and h.report == ()
    with pytest.raises(ValueError, match="'start' must be all with or all without a UTC "
                                         "offset: '2024-03-04T08:05' has none"):
        read_intervals(io.StringIO(text.replace("08:05:00Z", "08:05")))


# --------------------------------------------------------------------------- malformed files

def test_wrong_delimiter_suggests_the_right_one(tmp_path):
    path = write(tmp_path, "h.csv", csv_text(GOOD, ";"))
    with pytest.raises(ValueError) as e:
        read_intervals(path, sep=",")
    assert str(e.value) == ("'sep' ',' does not split it: the header reads as one column "
                            "'queue;start;volume;aht;abandoned': pass sep=';'")
    with pytest.raises(ValueError) as e:
        read_intervals(io.StringIO("queue start volume\nq 2024-03-04T08:00 1\n"))
    assert str(e.value) == ("'sep' could not be detected: the header reads as one column "
                            "'queue start volume': pass sep=' '")


def test_empty_sources(tmp_path):
    for text in ("", "\n\n"):
        with pytest.raises(ValueError, match="'source' is empty: no header and no data rows"):
            read_intervals(write(tmp_path, "e.csv", text))
    with pytest.raises(ValueError, match="'source' has a header but no data rows: columns "
                                         "found: 'queue', 'start', 'volume'"):
        read_intervals(io.StringIO("queue,start,volume\n"))
    with pytest.raises(ValueError, match="'source' has a header but no data rows"):
        read_intervals(io.StringIO("queue,start,volume\n,,\n"))
    with pytest.raises(ValueError, match="'source' file not found: 'nope.csv'"):
        read_intervals("nope.csv")
    with pytest.raises(ValueError, match="'source' must be a path, a file object, bytes"):
        read_intervals(42)


def test_max_rows():
    rows = [("queue", "start", "volume")] + [("q", f"2024-03-04 08:{5 * k:02d}", k)
                                             for k in range(5)]
    text = csv_text(rows) + ",,\n\n"             # blank rows at the end do not count
    assert len(read_intervals(io.StringIO(text), max_rows=5).frame) == 5
    with pytest.raises(ValueError) as e:
        read_intervals(io.StringIO(text), max_rows=4)
    assert str(e.value) == "'source' must have at most max_rows=4 data rows: 5"
    with pytest.raises(ValueError, match="max_rows=4"):
        read_intervals(pd.DataFrame(rows[1:], columns=rows[0]), max_rows=4)
    with pytest.raises(ValueError, match="'max_rows' must be a whole number >= 1: 0"):
        read_intervals(io.StringIO(text), max_rows=0)


def test_every_error_is_a_value_error_naming_a_field():
    bad = ["queue,start,volume\n,2024-03-04 08:00,1\n",
           "queue,start,volume\nq,not a date,1\n",
           "queue,start,volume\nq,,1\n",
           "queue,start,volume\nq,2024-03-04,1\nq,2024-03-05,1\n",
           "queue,interval,volume\nq,08:00,1\nq,08:30,1\n"]
    fields = ["'queue'", "'start'", "'start'", "'start'", "'start'"]
    for text, field in zip(bad, fields):
        with pytest.raises(ValueError) as e:
            read_intervals(io.StringIO(text))
        assert str(e.value).startswith(field), str(e.value)


# --------------------------------------------------------------------------- hardening

TWO = "queue,start,volume\nq,2024-03-04 08:00,3\nq,2024-03-04 08:30,4\n"


def refused(source, **kw):
    with pytest.raises(ValueError) as e:
        read_intervals(source, **kw)
    return str(e.value)


def test_interval_given_as_a_whole_float_and_other_arguments_checked():
    assert read_intervals(io.StringIO(TWO), interval=30.0).interval == 30
    assert refused(io.StringIO(TWO), interval=30.5) == \
        "'interval' must be a whole number: 30.5"
    assert refused(io.StringIO(TWO), interval="30").startswith("'interval' must be one of")
    assert refused(io.StringIO(TWO), sep=3) == \
        "'sep' must be a delimiter such as ',' ';' '\\t' or '|': 3"
    assert refused(io.StringIO(TWO), sheet=1.5) == \
        "'sheet' must be a sheet name or a 0-based index: 1.5"
    assert refused(io.StringIO(TWO), date_format=5) == \
        "'date_format' must be a non-empty string: 5"
    assert refused(io.StringIO(TWO), dayfirst="yes") == "'dayfirst' must be true or false: 'yes'"
    assert refused(io.StringIO(TWO), tz=5) == "'tz' must be a non-empty string: 5"
    assert refused(io.StringIO(TWO), mapping={"volume": ["a"]}) == \
        "'mapping.volume' must name a column (a string): ['a']"


def test_csv_text_passed_as_a_string_is_refused_with_advice():
    msg = refused(TWO)
    assert msg.startswith("'source' looks like CSV text, not a file name (it has a line break)")
    assert "pass io.StringIO(text) or text.encode()" in msg
    assert refused("queue,start,volume").endswith("to read CSV text pass io.StringIO(text)")
    assert refused("x" * 5000).startswith("'source' file not found")     # name too long


@pytest.mark.parametrize("header, message", [
    ("queue,start,offered,offered", "'source' must name each column once: 'offered' repeats"),
    ("queue,start,offered, offered", "'source' must name each column once: 'offered' repeats"),
    ("queue,start,Offered,offered ", "'source' columns 'Offered' and 'offered' differ only in "
                                     "case, spaces or punctuation"),
    ("queue,start,AHT (s),aht_s,offered", "'source' columns 'AHT (s)' and 'aht_s' differ"),
    ("queue,start,offered,calls", "'volume' matches several columns: 'offered', 'calls'"),
])
def test_repeated_or_ambiguous_headers_are_refused(header, message):
    n = header.count(",") + 1
    text = header + "\n" + "".join(
        ",".join(["q", f"2024-03-04 08:{m}"] + ["3"] * (n - 2)) + "\n" for m in ("00", "30"))
    assert refused(io.StringIO(text)).startswith(message)
    if "must name each column once" in message:
        with pytest.raises(ValueError, match="must name each column once"):
            forecast_read_header(text.encode())
        frame = pd.DataFrame([["q", "2024-03-04 08:00", 1, 2]],
                             columns=["queue", "start", "offered", "offered"])
        assert refused(frame).startswith(message)


def forecast_read_header(data):
    from ccwfm.forecast import read_header
    return read_header(data)


def test_date_only_or_time_only_starts_among_date_times_are_refused_with_the_row():
    text = "queue,start,volume\nq,2024-03-04 08:00,3\nq,2024-03-04 08:30,4\nq,2024-03-04,5\n"
    assert refused(io.StringIO(text)) == (
        "'start' must hold a date and a time of day in every row: '2024-03-04' has no time of "
        "day (row 3); other rows have one, e.g. '2024-03-04 08:00'")
    assert "'08:30' (row 2)" in refused(io.StringIO(
        "queue,start,volume\nq,2024-03-04 08:00,3\nq,08:30,4\n"))
    # midnight written with its time is a time
    h = read_intervals(io.StringIO("queue,start,volume\nq,2024-03-04 23:30,3\n"
                                   "q,2024-03-05 00:00,4\nq,2024-03-05 00:30,4\n"))
    assert len(h.frame) == 3


@pytest.mark.parametrize("column, cell, message", [
    ("volume", "1e300", "'volume' must be <= 1e+06 contacts per interval (limit 'volume'): "
                        "1e+300 (row 1)"),
    ("volume", "1" + "0" * 400, "'volume' must be <= 1e+06 contacts per interval "
                                "(limit 'volume'): inf (row 1)"),
    ("volume", "inf", "'volume' must be a number: 'inf' (row 1)"),
    ("aht", "1e300", "'aht' must be <= 86400 seconds (limit 'aht'): 1e+300 (row 1)"),
    ("aht", "86401", "'aht' must be <= 86400 seconds (limit 'aht'): 86401.0 (row 1)"),
    ("aht", "9999:00", "'aht' must be <= 86400 seconds (limit 'aht'): 599940.0 (row 1)"),
    ("abandoned", "2000000", "'abandoned' must be <= 1e+06 contacts per interval "
                             "(limit 'volume'): 2000000.0 (row 1)"),
])
def test_values_beyond_the_limits_are_refused_naming_row_and_column(column, cell, message):
    text = (f"queue,start,volume,aht,abandoned\nq,2024-03-04 08:00,3,100,1\n"
            f"q,2024-03-04 08:30,4,100,1\n")
    lines = text.splitlines()
    head = lines[0].split(",")
    first = lines[1].split(",")
    first[head.index(column)] = cell
    lines[1] = ",".join(first)
    assert refused(io.StringIO("\n".join(lines) + "\n")) == message
    # at the limit: accepted
    ok = {"volume": "1000000", "aht": "86400", "abandoned": "1000000"}[column]
    first[head.index(column)] = ok
    lines[1] = ",".join(first)
    h = read_intervals(io.StringIO("\n".join(lines) + "\n"))
    assert h.frame[column].max() == float(ok)


def test_nan_and_inf_cells_are_named():
    text = ("queue,start,volume,aht\nq,2024-03-04 08:00,nan,100\nq,2024-03-04 08:30,4,inf\n"
            "q,2024-03-04 09:00,5,nan\n")
    h = read_intervals(io.StringIO(text))
    assert [(i.kind, i.rows) for i in h.report] == [("non_numeric", (2,)), ("missing", (1,))]
    assert h.frame["volume"].tolist() == [4, 5]          # rows in 3 = kept 2 + reported 1
    frame = pd.DataFrame({"queue": "q", "start": pd.date_range("2024-03-04 08:00", periods=2,
                                                               freq="30min"),
                          "volume": [np.inf, 2.0]})
    assert refused(frame) == "'volume' must be a number: inf (row 1)"
    frame["volume"] = [1e300, 2.0]
    assert refused(frame).startswith("'volume' must be <= 1e+06")
    # duplicates added up beyond the limit
    text = ("queue,start,volume\nq,2024-03-04 08:00,900000\nq,2024-03-04 08:00,900000\n"
            "q,2024-03-04 08:30,4\n")
    assert refused(io.StringIO(text)) == ("'volume' must be <= 1e+06 contacts per interval "
                                          "(limit 'volume'): 1800000.0 (row 1)")


def test_dates_out_of_range_and_spans_beyond_the_limit(monkeypatch):
    for day in ("9999-03-04", "0001-03-04", "1600-01-01"):
        text = f"queue,start,volume\nq,2024-03-04 08:00,3\nq,{day} 08:30,4\n"
        assert refused(io.StringIO(text)) == (
            f"'start' must be a date from 1678 to 2261: '{day} 08:30' (row 2)")
    frame = pd.DataFrame({"queue": "q", "start": np.array(["2024-03-04T08:00",
                          "9999-03-04T08:30"], dtype="datetime64[us]"), "volume": [1, 2]})
    assert refused(frame) == "'start' must be a date from 1678 to 2261: " \
                             "'9999-03-04 08:30:00' (row 2)"
    text = "queue,start,volume\nq,1900-03-04 08:00,3\nq,2200-03-04 08:30,4\n"
    assert refused(io.StringIO(text)) == (
        "'start' must be <= 520 weeks (limit 'history_weeks'): 15653.3: the starts run from "
        "1900-03-04 to 2200-03-04")


def test_row_and_size_limits_are_checked_before_parsing(monkeypatch, tmp_path):
    from ccwfm import _limits
    from ccwfm.forecast import _decode

    def no_parse(*a, **k):
        raise AssertionError("parsed")
    monkeypatch.setitem(_limits.LIMITS, "history_rows",
                        _limits.LIMITS["history_rows"]._replace(value=1))
    monkeypatch.setattr(_decode, "_read_csv", no_parse)
    assert refused(io.StringIO(TWO)) == \
        "'source' must be <= 1 rows (limit 'history_rows'): 2"
    monkeypatch.undo()
    monkeypatch.setitem(_limits.LIMITS, "file_size",
                        _limits.LIMITS["file_size"]._replace(value=1e-5))
    path = write(tmp_path, "h.csv", TWO * 10)
    monkeypatch.setattr(Path, "read_bytes", no_parse)
    assert refused(path) == "'source' must be <= 1e-05 MiB (limit 'file_size'): 0.000582"
    assert refused(io.BytesIO(TWO.encode() * 10)).startswith("'source' must be <= 1e-05 MiB")
    assert refused(TWO.encode() * 10).startswith("'source' must be <= 1e-05 MiB")


@pytest.mark.parametrize("data, message", [
    (b"\xff\xfeq\x00,\x00s", "'source' starts with a UTF-16 byte-order mark but is not"),
    (b"PK\x03\x04junk", "'source' is not a readable .xlsx file"),
    (b"PAR1junk", "'source' is not a readable parquet file"),
    (b"\xd0\xcf\x11\xe0junk", "'source' is an old Excel .xls file"),
    (b"queue,start,volume\n", "'source' has a header but no data rows"),
    (b"\xef\xbb\xbf", "'source' is empty"),
    (bytes(range(256)) * 3, "'volume' column not found"),
])
def test_unreadable_bytes_are_value_errors_naming_the_source(data, message):
    assert refused(data).startswith(message)


# --------------------------------------------------------------------------- real data

@pytest.mark.skipif(not BANK.is_file(), reason="shared/data/bank_calls.csv is not present")
def test_bank_calls():
    h = read_intervals(BANK, mapping={"start": "DateTime", "volume": "Calls"}, queue="bank")
    assert len(h.frame) == 27_716
    assert h.interval == 5
    assert h.queues == ["bank"]
    assert h.frame["start"].iloc[0] == pd.Timestamp("2003-03-03 07:00")
    assert h.frame["volume"].iloc[:4].tolist() == [111, 113, 76, 82]
    # the trailing Z is nominal: kept as local clock time, and said so
    assert kinds(h) == ["timezone"]
    assert h.frame.groupby(h.frame["start"].dt.normalize()).size().eq(169).all()
