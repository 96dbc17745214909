"""Shared by the engine tests: two engines' outputs of one replication compared."""

import numpy as np

FLOATS = ("arrival", "enter", "start", "leave")
INTS = ("queue", "contact", "attempt", "outcome", "group")


def _sorted(records):
    order = np.lexsort((records["attempt"], records["contact"], records["queue"]))
    return {k: v[order] for k, v in records.items()}


def assert_same(got, want):
    """``(records, overtime, max_queue)`` of two engines equal: the records attempt by
    attempt (floats up to 1e-9 relative), the overtime segments, the queue maxima."""
    (ra, oa, ma), (rb, ob, mb) = got, want
    assert set(ra) == set(rb)
    for k in ra:
        assert ra[k].dtype == rb[k].dtype, k
    ra, rb = _sorted(ra), _sorted(rb)
    assert ra["contact"].shape == rb["contact"].shape, "different numbers of attempts"
    for k in INTS:
        np.testing.assert_array_equal(ra[k], rb[k], err_msg=k)
    for k in FLOATS:
        np.testing.assert_array_equal(np.isnan(ra[k]), np.isnan(rb[k]), err_msg=f"{k} NaN")
        np.testing.assert_allclose(ra[k], rb[k], rtol=1e-9, atol=0.0, err_msg=k)
    for k in ("group", "start", "end"):
        assert oa[k].dtype == ob[k].dtype, k
    ot_a = sorted(zip(oa["group"].tolist(), oa["start"].tolist(), oa["end"].tolist()))
    ot_b = sorted(zip(ob["group"].tolist(), ob["start"].tolist(), ob["end"].tolist()))
    assert len(ot_a) == len(ot_b), "different numbers of overtime segments"
    np.testing.assert_allclose(np.array(ot_a, dtype=float).reshape(-1, 3),
                               np.array(ot_b, dtype=float).reshape(-1, 3), rtol=1e-9, atol=0.0)
    assert ma.shape == mb.shape
    np.testing.assert_array_equal(ma, mb)
