"""User-supplied demand files: clear errors, size limit, and a plannable scenario."""

import numpy as np
import pandas as pd
import pytest

from ccwfm.plan.inputs import history_scenario, load_history, preview_columns

CSV = ("Skill;Interval;Offered;AHT\n"
       "Billing;2024-03-04 08:00;12;240\n"
       "Billing;2024-03-04 08:15;15;250\n"
       "Billing;2024-03-04 08:30;9;230\n")


def test_preview_columns_recognises_fields():
    cols, found = preview_columns(CSV.encode())
    assert cols == ["Skill", "Interval", "Offered", "AHT"]
    assert found == {"queue": "Skill", "start": "Interval", "volume": "Offered", "aht": "AHT"}


def test_load_history_with_mapping():
    text = "Team,When,N\nA,2024-03-04 08:00,3\nA,2024-03-04 08:30,4\n"
    h = load_history(text.encode(), mapping={"queue": "Team", "start": "When", "volume": "N"})
    assert h.queues == ["A"] or list(h.queues) == ["A"]
    assert h.frame["volume"].sum() == 7


@pytest.mark.parametrize("data, message", [
    (b"", "'file' must not be empty"),
    (b"just some words\nand more\n", "'file' must have columns separated by a comma"),
    (b"a,b\n1,2\n", "'volume' column not found"),
    ("Skill;Interval;Offered\nB;2024-03-04 08:00;-3\n".encode(), "'volume' must be >= 0"),
])
def test_malformed_files_are_explained(data, message):
    with pytest.raises(ValueError, match=message):
        load_history(data)


def test_size_limit():
    with pytest.raises(ValueError, match=r"'file' must be at most 1 MB: 2\.0 MB"):
        load_history(b"x" * (2 * 2**20), max_mb=1)


def test_kind_is_checked():
    with pytest.raises(ValueError, match="'kind' must be one of intervals, acd: 'pdf'"):
        load_history(CSV.encode(), kind="pdf")


def test_history_scenario_writes_history_and_starts_after_it(tmp_path):
    grid = pd.date_range("2024-01-01", periods=4 * 7 * 24, freq="60min")
    frame = pd.DataFrame({"queue": "q1", "start": grid,
                          "volume": np.where(grid.hour.isin(range(8, 18)), 10.0, 0.0),
                          "aht": 300.0})
    h = load_history(frame.to_csv(index=False).encode())
    sc = history_scenario(h, tmp_path, weeks=2, shrinkage=0.25)
    assert sc.start == pd.Timestamp("2024-01-29").date()
    assert sc.weeks == 2 and sc.workforce.interval == 60
    # a center closed on Sundays (or a file ending mid-week) still starts on a Monday:
    # a plan's weeks run Monday to Sunday
    for days, monday in ((27, "2024-01-29"), (24, "2024-01-29"), (22, "2024-01-29")):
        part = frame[frame["start"] < pd.Timestamp("2024-01-01") + pd.Timedelta(days=days)]
        short = history_scenario(load_history(part.to_csv(index=False).encode()),
                                 tmp_path / str(days), weeks=1)
        assert short.start == pd.Timestamp(monday).date(), days
        assert short.start.weekday() == 0
    assert [q.name for q in sc.queues] == ["q1"]
    assert sc.workforce.total_shrinkage == pytest.approx(0.25)
    back = pd.read_csv(tmp_path / "history.csv")
    assert back["volume"].sum() == frame["volume"].sum()
    assert not list(tmp_path.glob("*.tmp*"))


def test_single_queue_file_takes_the_given_name():
    text = "DateTime,Calls\n2024-03-04T08:00:00,3\n2024-03-04T08:05:00,4\n"
    h = load_history(text.encode(), queue="bank")
    assert list(h.queues) == ["bank"]
    assert h.frame["volume"].sum() == 7


def test_load_history_accepts_bytes_and_binary_files_only():
    import io
    for form in (CSV.encode(), bytearray(CSV.encode()), memoryview(CSV.encode()),
                 io.BytesIO(CSV.encode())):
        assert load_history(form).frame["volume"].sum() == 36
    with pytest.raises(ValueError, match=r"^'data' must be the file's bytes, not a string "
                                         r"\(it looks like CSV text: pass text\.encode\(\)\)"):
        load_history(CSV)
    with pytest.raises(ValueError, match=r"^'data' must be the file's bytes or a binary file"):
        load_history(io.StringIO(CSV))
    with pytest.raises(ValueError, match=r"^'data' must be the file's bytes or a binary file"):
        load_history(None)
    with pytest.raises(ValueError, match=r"^'file' must be at most 1e-05 MB: 0\.0 MB"):
        load_history(io.BytesIO(CSV.encode()), max_mb=1e-5)


@pytest.mark.parametrize("data, message", [
    (b"PK\x03\x04junk", "'source' is not a readable .xlsx file"),
    (b"PAR1junk", "'source' is not a readable parquet file"),
    (b"\xff\xfeS\x00k", "'source' starts with a UTF-16 byte-order mark"),
    (b"Skill;Interval;Offered;Offered\nB;2024-03-04 08:00;1;2\n",
     "'source' must name each column once: 'Offered' repeats"),
])
def test_corrupt_uploads_are_value_errors_naming_the_source(data, message):
    with pytest.raises(ValueError) as e:
        load_history(data)
    assert str(e.value).startswith(message), str(e.value)


def test_keywords_are_checked_and_interval_is_passed_on():
    assert load_history(CSV.encode(), interval=15.0).interval == 15
    with pytest.raises(ValueError, match="^'interval' is 5 minutes but every start is on "
                                         "the 15-minute grid"):
        load_history(CSV.encode(), interval=5)
    for kw, message in (({"max_mb": "50"}, "'max_mb' must be a number: '50'"),
                        ({"max_mb": 1e300}, "'max_mb' must be > 0 and <= 2048: 1e+300"),
                        ({"target_time": 1e300}, "'target_time' must be <= 2.592e+06 seconds"),
                        ({"queue": 5}, "'queue' must be a non-empty string: 5"),
                        ({"interval": "x"}, "'interval' must be one of 5, 15, 30, 60 minutes"),
                        ({"mapping": [1]}, "'mapping' must be a dict"),
                        ({"acd_format": "x"}, "'acd_format' must be one of")):
        with pytest.raises(ValueError) as e:
            load_history(CSV.encode(), **kw)
        assert str(e.value).startswith(message), str(e.value)
