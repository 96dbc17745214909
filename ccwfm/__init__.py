"""ccwfm: workforce planning for contact centers.

One distribution, five packages, installed under this one name so that they
cannot collide with other distributions' ``erlang``, ``forecast``,
``simulate``, ``plan`` or ``dashboard``:

* :mod:`ccwfm.erlang`: Erlang B, C and A (service level, ASA, abandonment,
  occupancy, required agents), Numba kernels behind validating wrappers;
* :mod:`ccwfm.forecast`: history import (interval files, ACD logs), volume
  and AHT forecasts with prediction intervals;
* :mod:`ccwfm.simulate`: discrete-event simulation (SimPy model, Numba fast
  path);
* :mod:`ccwfm.plan`: the planning steps (demand, requirements, verification,
  schedule, capacity, costs, report), scenarios and the ``ccwfm`` command line;
* :mod:`ccwfm.dashboard`: the planners' Streamlit app.

Imports flow one way: ``dashboard`` -> ``plan`` -> ``forecast``,
``simulate``, ``erlang``; every package may use :mod:`ccwfm._validation`,
which imports nothing of ours.  Subpackages are imported on first use
(``from ccwfm import erlang``), not by ``import ccwfm``.
"""

__version__ = "0.2.0"
__all__ = ["__version__"]
