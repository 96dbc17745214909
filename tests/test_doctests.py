"""Every docstring example of the installed packages runs and shows what it says.

The modules are imported under their installed names (``ccwfm.erlang.metrics``),
as users import them; the dashboard's entry script is left out (importing it
runs the app).
"""

import doctest
import importlib
import pkgutil

import pytest

import ccwfm

PACKAGES = ("erlang", "forecast", "simulate", "plan", "dashboard")
SKIP = {"ccwfm.dashboard.app", "ccwfm.dashboard.__main__", "ccwfm.__main__"}


def _modules():
    names = ["ccwfm"]
    for pkg in PACKAGES:
        mod = importlib.import_module(f"ccwfm.{pkg}")
        names.append(mod.__name__)
        names += [m.name for m in pkgutil.iter_modules(mod.__path__, prefix=f"{mod.__name__}.")]
    return [n for n in names if n not in SKIP]


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_examples_exist():
    total = 0
    for name in _modules():
        finder = doctest.DocTestFinder()
        total += sum(len(t.examples) for t in finder.find(importlib.import_module(name)))
    assert total >= 50
