"""The README's "Limits" table is the table of ``ccwfm._limits.LIMITS``, and every limit is used.

A bound written in the README but not enforced, or enforced but not
documented, fails here: each row must match a limit (key, value, unit), each
limit must have its row, and each limit's key must be used by the code of at
least one module that imports ``ccwfm._limits``.
"""

import re
from pathlib import Path

import pytest

from ccwfm._limits import LIMITS, at_most, limit

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PACKAGES = ("erlang", "forecast", "simulate", "plan", "dashboard")


def _readme_rows():
    text = README.read_text(encoding="utf-8")
    m = re.search(r"^## Limits\n(.*?)(?=^## )", text, flags=re.S | re.M)
    assert m, "README has no '## Limits' section"
    rows = {}
    for line in m[1].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = (float(cells[1].replace(",", "")), cells[2])
    return rows


def test_readme_table_lists_every_limit_with_its_value_and_unit():
    rows = _readme_rows()
    assert set(rows) == set(LIMITS), (set(rows) ^ set(LIMITS))
    for key, lim in LIMITS.items():
        assert rows[key] == (float(lim.value), lim.unit), key


def test_every_limit_is_enforced_somewhere():
    # A limit is used when its key is quoted in a module that imports ccwfm._limits
    # (at_most(..., "weeks"), limit("weeks"), LIMITS["weeks"], or a helper given the key).
    sources = [p.read_text(encoding="utf-8") for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]
    users = "\n".join(s for s in sources if re.search(r"_limits import|import _limits", s))
    unused = [key for key in LIMITS if not re.search(rf"""["']{key}["']""", users)]
    assert not unused, f"limits no code enforces: {unused}"


def test_at_most_names_the_field_the_limit_and_the_value():
    assert at_most("weeks", 104, "weeks") == 104
    assert limit("weeks") == LIMITS["weeks"].value
    with pytest.raises(ValueError, match=r"^'scenario.weeks' must be <= 104 weeks "
                                         r"\(limit 'weeks'\): 10000$"):
        at_most("scenario.weeks", 10000, "weeks")
    with pytest.raises(ValueError, match="limit 'aht'"):
        at_most("aht", float("nan"), "aht")
