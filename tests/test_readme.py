"""The README's Python examples run and give the numbers their comments state."""

import ast
import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _numbers(value):
    if isinstance(value, (tuple, list)):
        return [x for v in value for x in _numbers(v)]
    arr = np.asarray(value)
    return [float(x) for x in arr.reshape(-1)]


def _assert_matches(value, comment, where):
    expected = NUMBER.findall(comment)
    got = _numbers(value)
    assert len(got) == len(expected), f"{where}: {got} vs comment {comment!r}"
    for g, e in zip(got, expected):
        decimals = len(e.split(".")[1]) if "." in e else 0
        assert abs(g - float(e)) <= 0.5 * 10.0 ** -decimals + 1e-12, f"{where}: {g} vs {e}"


def test_readme_python_examples_run_and_match_their_comments():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README has no python example"
    checked = 0
    for block in blocks:
        lines = block.splitlines()
        namespace = {}
        for stmt in ast.parse(block).body:
            code = ast.get_source_segment(block, stmt)
            last = lines[stmt.end_lineno - 1]
            comment = last.partition("#")[2] if "#" in last else ""
            if isinstance(stmt, ast.Expr):
                value = eval(compile(ast.Expression(stmt.value), "README", "eval"), namespace)
            else:
                exec(compile(ast.Module([stmt], []), "README", "exec"), namespace)
                value = None
                if isinstance(stmt, ast.Assign):
                    value = eval(ast.unparse(stmt.targets[0]), namespace)
            # A comment states values when it starts with one: "# 14", "# (17520, 3)".
            if re.match(r"\s*[(\[]?-?\d", comment) and value is not None:
                _assert_matches(value, comment, code)
                checked += 1
    assert checked >= 5
