"""Property tests of the upload surface: ``plan.load_history`` and ``plan.preview_columns``
take malformed files, wrong types and wrong keyword values and give a valid History or a
ValueError naming the field, through :func:`tests._fuzz.outcome`."""

import io

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from ccwfm import plan
from ccwfm._limits import limit
from tests._fuzz import outcome
from tests.forecast.test_fuzz_io import allowed, check_history, files, quoted


@given(files(), st.sampled_from(["bytes", "bytearray", "memoryview", "BytesIO"]))
def test_uploads_are_read_or_refused_by_name(case, form):
    data, rows, _, fields, muts = case
    wrapped = {"bytes": data, "bytearray": bytearray(data), "memoryview": memoryview(data),
               "BytesIO": io.BytesIO(data)}[form]
    h = outcome(plan.load_history, wrapped)
    if isinstance(h, ValueError):
        assert muts, f"a valid upload was refused: {h}"
        assert quoted(str(h)) & (allowed(muts) | {"file"}), (str(h), muts)
        return
    check_history(h, rows, fields, muts)
    cols = outcome(plan.preview_columns, data)
    assert not isinstance(cols, ValueError), cols
    assert set(cols[1]) <= {"queue", "start", "date", "time", "volume", "aht", "abandoned"}


@given(st.one_of(st.binary(max_size=200), st.text(max_size=100), st.none(), st.integers(),
                 st.lists(st.integers(), max_size=3),
                 st.builds(io.StringIO, st.text(max_size=50))))
def test_any_data_is_read_or_refused_by_name(data):
    for fn in (plan.load_history, plan.preview_columns):
        r = outcome(fn, data)
        if not isinstance(r, ValueError):
            assert isinstance(data, bytes), type(data)


KWARGS = {
    "kind": (["intervals", "acd", "pdf", None, 1], {"kind", "source", "type"}),
    "mapping": ([None, {}, {"volume": "volume"}, {"volume": "x"}, "x", [1], {"volume": 5}],
                {"mapping", "mapping.volume", "volume"}),
    "acd_format": (["anonymous_bank", "generic", "x", None], {"acd_format"}),
    "interval": ([None, 5, 15, 30, 60, 30.0, 20, 0, True, "15", float("nan"), 10 ** 30],
                 {"interval", "start"}),
    "target_time": ([20, 0, -1, "20", None, float("nan"), float("inf"), 1e300],
                    {"target_time"}),
    "max_mb": ([50, 1e-9, 0, -1, "50", None, float("nan"), float("inf"), 1e300, True],
               {"max_mb", "file"}),
    "queue": (["queue", "", " ", 5, None, b"q"], {"queue"}),
}
CSV = (b"Skill;Interval;Offered;AHT\nB;2024-03-04 08:00;12;240\nB;2024-03-04 08:15;15;250\n"
       b"B;2024-03-04 08:30;9;230\n")


@given(st.sampled_from(sorted(KWARGS)), st.data())
def test_every_keyword_with_wrong_types_and_values(name, data):
    values, names = KWARGS[name]
    value = data.draw(st.sampled_from(values))
    h = outcome(plan.load_history, CSV, **{name: value})
    if isinstance(h, ValueError):
        assert quoted(str(h)) & names, (name, value, str(h))
    else:
        assert h.frame["volume"].sum() == 36
        assert np.isfinite(h.frame["aht"]).all() and (h.frame["aht"] <= limit("aht")).all()
