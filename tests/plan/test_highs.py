"""plan._highs: HiGHS's console lines silenced, the result and the streams untouched."""

import os

import numpy as np
from scipy.optimize import LinearConstraint
from scipy.optimize import milp as scipy_milp

from ccwfm.plan._highs import _silenced, milp


def test_same_result_and_streams_restored(capfd):
    c = np.array([-1.0, -2.0])
    cons = LinearConstraint(np.array([[1.0, 1.0], [1.0, 3.0]]), -np.inf, [4.0, 6.0])
    ours = milp(c, integrality=np.ones(2), constraints=cons)
    theirs = scipy_milp(c, integrality=np.ones(2), constraints=cons)
    np.testing.assert_allclose(ours.x, theirs.x)
    assert ours.status == theirs.status
    print("after")
    assert "after" in capfd.readouterr().out


def test_what_is_written_to_the_descriptors_inside_is_dropped(capfd):
    with _silenced():
        os.write(1, b"HighsMipSolverData::transformNewIntegerFeasibleSolution\n")
        os.write(2, b"noise\n")
    os.write(1, b"kept\n")
    out = capfd.readouterr()
    assert "Highs" not in out.out and "noise" not in out.err and "kept" in out.out
