"""The import architecture, read from the source with ``ast`` (nothing is imported but plan).

Every ``.py`` file of the installed packages (the folders mapped in
pyproject.toml's ``[tool.setuptools.package-dir]``: ccwfm/, erlang/,
forecast/, simulate/, plan/, dashboard/) is parsed; relative imports are
resolved to ``ccwfm.*`` names.  The rules:

(a) no bare ``erlang``, ``forecast``, ``simulate``, ``plan`` or ``dashboard``
    import, in code or in a doctest: ours are ``ccwfm.X`` or relative (a
    bare name would import another distribution's package of that name);
(b) layering: ``ccwfm._validation`` and ``ccwfm/__init__`` import nothing of
    ours, ``ccwfm._limits`` only ``_validation``; erlang and forecast only
    these two; simulate also ``ccwfm.erlang``; plan erlang, forecast,
    simulate and the two shared modules;
    dashboard only ``ccwfm.plan``; ``python -m ccwfm`` only plan (the CLI);
(c) the dashboard uses only plan's public names: each ``from ccwfm.plan
    import X`` and each ``plan.X`` has X in ``ccwfm.plan.__all__``, and no
    plan submodule is imported;
(d) no package reaches into another one's private modules or names
    (``ccwfm.simulate._fast``, ``from ccwfm.simulate.run import _helper``,
    ``simulate._rng``); ``ccwfm._validation`` and ``ccwfm._limits`` are the
    shared modules, meant for all.

Each failure names the file, the line and the rule.
"""

import ast
import doctest
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("erlang", "forecast", "simulate", "plan", "dashboard")
SHARED = "ccwfm._validation"
LIMITS = "ccwfm._limits"
# What each part may import of ours besides itself.  "ccwfm" is the root
# package (its __init__ imports nothing), e.g. for ccwfm.__version__.
ALLOWED = {
    "ccwfm": set(),
    SHARED: set(),
    LIMITS: {SHARED},
    "ccwfm.__main__": {"plan"},
    "erlang": {SHARED, LIMITS, "ccwfm"},
    "forecast": {SHARED, LIMITS, "ccwfm"},
    "simulate": {SHARED, LIMITS, "ccwfm", "erlang"},
    "plan": {SHARED, LIMITS, "ccwfm", "erlang", "forecast", "simulate"},
    "dashboard": {"plan", "ccwfm"},
}


@dataclass(frozen=True)
class Module:
    name: str            # ccwfm.plan.cli
    path: Path
    is_package: bool     # an __init__.py

    @property
    def where(self):
        return self.path.relative_to(ROOT).as_posix() if self.path.is_relative_to(ROOT) \
            else str(self.path)


@dataclass(frozen=True)
class Import:
    line: int
    target: str          # the module imported, resolved (ccwfm.simulate._fast, numpy)
    name: str = None     # for ``from target import name`` when name is not a module
    bare: str = None     # the absolute module as written, for level-0 imports


@dataclass
class Scan:
    module: Module
    imports: list = field(default_factory=list)
    attributes: list = field(default_factory=list)     # (line, module, attr)
    doctest_imports: list = field(default_factory=list)  # (line, absolute module)


def package_dirs():
    """{package name: folder} from pyproject.toml, as setuptools installs them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    return {name: ROOT / folder for name, folder in config["package-dir"].items()}


def discover():
    """Every module of the installed packages, by its ``ccwfm.*`` name."""
    modules = {}
    for pkg, folder in package_dirs().items():
        for path in sorted(folder.glob("*.py")):
            is_pkg = path.name == "__init__.py"
            name = pkg if is_pkg else f"{pkg}.{path.stem}"
            modules[name] = Module(name, path, is_pkg)
    return modules


def owner(module):
    """The part of ours a module belongs to (a PACKAGES name, or a ccwfm.* module); None if
    not ours."""
    parts = module.split(".")
    if parts[0] != "ccwfm":
        return None
    if len(parts) == 1:
        return "ccwfm"
    if parts[1] in PACKAGES:
        return parts[1]
    return ".".join(parts[:2])


def _private(part):
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def _resolve_relative(module, level, name):
    if level == 0:
        return name
    base = module.name.split(".")
    if not module.is_package:
        base = base[:-1]
    if level > 1:
        base = base[:-(level - 1)]
    return ".".join(base + ([name] if name else []))


def _local_names(node):
    """Names a function, lambda, class body or comprehension binds in its own scope."""
    names, stack = set(), []
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        a = node.args
        names |= {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg]
                  if x is not None}
        stack = list(node.body) if isinstance(node.body, list) else [node.body]
    elif isinstance(node, ast.ClassDef):
        stack = list(node.body)
    else:                                   # a comprehension: its targets
        stack = [g.target for g in node.generators]
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
            continue
        if isinstance(n, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
                          ast.GeneratorExp)):
            continue
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            names.add(n.id)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            names |= {a.asname or a.name.split(".")[0] for a in n.names}
        elif isinstance(n, ast.ExceptHandler) and n.name:
            names.add(n.name)
        elif isinstance(n, (ast.Global, ast.Nonlocal)):
            names -= set(n.names)
            continue
        stack.extend(ast.iter_child_nodes(n))
    return names


class _Visitor(ast.NodeVisitor):
    """Imports, the names they bind (scope by scope) and attribute uses of our modules."""

    def __init__(self, scan, known):
        self.scan, self.known = scan, known
        self.scopes = [{}]

    # -- names -----------------------------------------------------------------------------
    def lookup(self, name):
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def module_of(self, node):
        """The module of ours an expression denotes (``plan``, ``ccwfm.plan``), else None."""
        if isinstance(node, ast.Name):
            return self.lookup(node.id)
        if isinstance(node, ast.Attribute):
            base = self.module_of(node.value)
            if base is not None and f"{base}.{node.attr}" in self.known:
                return f"{base}.{node.attr}"
        return None

    def _bind(self, name, module):
        self.scopes[-1][name] = module if module and owner(module) else None

    # -- imports ---------------------------------------------------------------------------
    def visit_Import(self, node):
        for a in node.names:
            self.scan.imports.append(Import(node.lineno, a.name, bare=a.name))
            if a.asname:
                self._bind(a.asname, a.name)
            else:
                top = a.name.split(".")[0]
                self._bind(top, top)

    def visit_ImportFrom(self, node):
        base = _resolve_relative(self.scan.module, node.level, node.module)
        bare = node.module if node.level == 0 else None
        for a in node.names:
            sub = f"{base}.{a.name}"
            if a.name != "*" and sub in self.known:
                self.scan.imports.append(Import(node.lineno, sub, bare=bare))
                self._bind(a.asname or a.name, sub)
            else:
                self.scan.imports.append(Import(node.lineno, base, a.name, bare=bare))
                self._bind(a.asname or a.name, None)

    # -- uses ------------------------------------------------------------------------------
    def visit_Attribute(self, node):
        base = self.module_of(node.value)
        if base is not None:
            self.scan.attributes.append((node.lineno, base, node.attr))
        self.generic_visit(node)

    # -- scopes ----------------------------------------------------------------------------
    def _scoped(self, node, outer, inner):
        for child in outer:
            self.visit(child)
        self.scopes.append(dict.fromkeys(_local_names(node)))
        for child in inner:
            self.visit(child)
        self.scopes.pop()

    def visit_FunctionDef(self, node):
        a = node.args
        outer = node.decorator_list + a.defaults + [d for d in a.kw_defaults if d is not None]
        outer += [x.annotation for x in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg]
                  if x is not None and x.annotation is not None]
        outer += [x for x in (node.returns,) if x is not None]
        self._scoped(node, outer, node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        self._scoped(node, node.args.defaults, [node.body])

    def visit_ClassDef(self, node):
        self._scoped(node, node.decorator_list + node.bases + node.keywords, node.body)

    def _comprehension(self, node):
        first, *rest = node.generators
        self.visit(first.iter)                 # evaluated in the enclosing scope
        self.scopes.append(dict.fromkeys(_local_names(node)))
        for g in rest:
            self.visit(g.iter)
        for g in node.generators:
            for cond in g.ifs:
                self.visit(cond)
        for part in ("elt", "key", "value"):
            if getattr(node, part, None) is not None:
                self.visit(getattr(node, part))
        self.scopes.pop()

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension


def _docstring_nodes(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                yield body[0].value


def scan(module, source, known):
    """Parse one module: its imports, attribute uses of our modules, doctest imports."""
    tree = ast.parse(source, filename=str(module.path))
    result = Scan(module)
    # Module-level imports bind for the whole module, wherever they stand (functions
    # defined above an import still see it when they run).
    pre, stack = _Visitor(Scan(module), known), list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            pre.visit(node)
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                   ast.Lambda, ast.expr)):
            stack.extend(ast.iter_child_nodes(node))
    visitor = _Visitor(result, known)
    visitor.scopes = [dict(pre.scopes[0])]
    visitor.visit(tree)
    parser = doctest.DocTestParser()
    for doc in _docstring_nodes(tree):
        for example in parser.get_examples(doc.value):
            try:
                snippet = ast.parse(example.source)
            except SyntaxError:
                continue
            for node in ast.walk(snippet):
                line = doc.lineno + example.lineno + getattr(node, "lineno", 1) - 1
                if isinstance(node, ast.Import):
                    result.doctest_imports += [(line, a.name) for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    result.doctest_imports.append((line, node.module))
    return result


# -- the rules: each returns messages "file:line: rule (x) ...: detail" --------------------------

def bare_imports(s):
    out = []
    for imp in s.imports:
        if imp.bare and imp.bare.split(".")[0] in PACKAGES:
            out.append(f"{s.module.where}:{imp.line}: rule (a) no bare package import: "
                       f"'{imp.bare}' must be 'ccwfm.{imp.bare}' or relative")
    for line, name in s.doctest_imports:
        if name.split(".")[0] in PACKAGES:
            out.append(f"{s.module.where}:{line}: rule (a) no bare package import (doctest): "
                       f"'{name}' must be 'ccwfm.{name}'")
    return out


def layering(s):
    src = owner(s.module.name)
    if src not in ALLOWED:
        return [f"{s.module.where}:1: rule (b) layering: no rule for {src}; add one to ALLOWED "
                "in tests/test_architecture.py"]
    out, allowed = [], ALLOWED[src]
    for imp in s.imports:
        dst = owner(imp.target)
        if dst is None or dst == src:
            continue
        if dst not in allowed:
            may = ", ".join(sorted(allowed)) or "nothing of ours"
            out.append(f"{s.module.where}:{imp.line}: rule (b) layering: {s.module.name} imports "
                       f"{imp.target}; {src} may import only {may}")
    return out


def plan_public_names(s, public):
    if owner(s.module.name) != "dashboard":
        return []
    out = []
    for imp in s.imports:
        if imp.target == "ccwfm.plan" and imp.name is not None and imp.name not in public:
            out.append(f"{s.module.where}:{imp.line}: rule (c) plan's public names: "
                       f"'from ccwfm.plan import {imp.name}' is not in ccwfm.plan.__all__")
        elif imp.target.startswith("ccwfm.plan."):
            out.append(f"{s.module.where}:{imp.line}: rule (c) plan's public names: imports "
                       f"{imp.target}{f' ({imp.name})' if imp.name else ''}; the dashboard may "
                       f"use only ccwfm.plan's __all__")
    for line, module, attr in s.attributes:
        if module == "ccwfm.plan" and attr not in public:
            out.append(f"{s.module.where}:{line}: rule (c) plan's public names: 'plan.{attr}' is "
                       f"not in ccwfm.plan.__all__")
    return out


def private_reach(s):
    out, src = [], owner(s.module.name)

    def foreign(module):
        dst = owner(module)
        return dst in PACKAGES and dst != src

    for imp in s.imports:
        if not foreign(imp.target):
            continue
        parts = imp.target.split(".")[2:]
        hidden = [p for p in parts if _private(p)]
        if hidden:
            out.append(f"{s.module.where}:{imp.line}: rule (d) no private module of another "
                       f"package: {s.module.name} imports {imp.target}")
        elif imp.name is not None and _private(imp.name):
            out.append(f"{s.module.where}:{imp.line}: rule (d) no private name of another "
                       f"package: {s.module.name} imports {imp.name} from {imp.target}")
    for line, module, attr in s.attributes:
        if foreign(module) and _private(attr):
            out.append(f"{s.module.where}:{line}: rule (d) no private module or name of another "
                       f"package: {s.module.name} uses {module}.{attr}")
    return out


# -- the checks on the real code --------------------------------------------------------------

MODULES = discover()
KNOWN = set(MODULES)


@pytest.fixture(scope="module")
def scans():
    return [scan(m, m.path.read_text(encoding="utf-8"), KNOWN) for m in MODULES.values()]


@pytest.fixture(scope="module")
def plan_all():
    from ccwfm import plan
    return set(plan.__all__)


def _report(messages):
    return f"{len(messages)} violation(s):\n  " + "\n  ".join(messages)


def test_every_package_is_scanned_and_its_imports_resolved(scans):
    assert set(package_dirs()) == {"ccwfm", *(f"ccwfm.{p}" for p in PACKAGES)}
    owners = {owner(m) for m in MODULES}
    assert {"ccwfm", SHARED, *PACKAGES} <= owners, owners
    edges = {(owner(s.module.name), owner(i.target)) for s in scans for i in s.imports}
    # The edges the design is built on are seen (so the rules below are not vacuous).
    for edge in [("plan", "erlang"), ("plan", "forecast"), ("plan", "simulate"),
                 ("dashboard", "plan"), ("ccwfm.__main__", "plan")]:
        assert edge in edges, edge
    # Relative imports resolve inside their package.
    rel = {i.target for s in scans if s.module.name == "ccwfm.erlang" for i in s.imports}
    assert "ccwfm.erlang.formulas" in rel, rel


def test_a_no_bare_package_imports(scans):
    messages = [m for s in scans for m in bare_imports(s)]
    assert not messages, _report(messages)


def test_b_layering(scans):
    messages = [m for s in scans for m in layering(s)]
    assert not messages, _report(messages)


def test_c_dashboard_uses_only_plans_public_names(scans, plan_all):
    messages = [m for s in scans for m in plan_public_names(s, plan_all)]
    assert not messages, _report(messages)


def test_d_no_private_module_of_another_package(scans):
    messages = [m for s in scans for m in private_reach(s)]
    assert not messages, _report(messages)


# -- the checker itself, on small sources ------------------------------------------------------

def _check(name, source, public=("run", "Scenario"), is_package=False):
    module = Module(name, ROOT / (name.replace(".", "/") + ".py"), is_package)
    s = scan(module, source, KNOWN | {name})
    return [m.split(": ", 1)[1] for m in
            bare_imports(s) + layering(s) + plan_public_names(s, set(public)) + private_reach(s)]


@pytest.mark.parametrize("name, source, rules", [
    ("ccwfm.erlang.x", "import plan", ["(a)"]),
    ("ccwfm.erlang.x", "from forecast.io import read_intervals", ["(a)"]),
    ("ccwfm.erlang.x", "import numpy as np\nfrom . import formulas", []),
    ("ccwfm.erlang.x", "from ccwfm._validation import error", []),
    ("ccwfm.erlang.x", "from ccwfm import simulate", ["(b)"]),
    ("ccwfm.erlang.x", "from ..plan import run", ["(b)"]),
    ("ccwfm.forecast.x", "def f():\n    from ccwfm.erlang import metrics", ["(b)"]),
    ("ccwfm.simulate.x", "from ccwfm.erlang import metrics", []),
    ("ccwfm._validation", "from ccwfm import erlang", ["(b)"]),
    ("ccwfm._validation", "import ccwfm", ["(b)"]),
    ("ccwfm.plan.x", "from ccwfm import erlang, forecast, simulate", []),
    ("ccwfm.plan.x", "from ccwfm.dashboard import state", ["(b)"]),
    ("ccwfm.plan.x", "from ccwfm.simulate import _fast", ["(d)"]),
    ("ccwfm.plan.x", "from ccwfm.simulate._fast import OUTCOMES", ["(d)"]),
    ("ccwfm.plan.x", "import ccwfm.simulate._rng as rng", ["(d)"]),
    ("ccwfm.plan.x", "from ccwfm.simulate.run import _helper", ["(d)"]),
    ("ccwfm.plan.x", "from ccwfm import simulate\nsimulate._rng.draw()", ["(d)"]),
    ("ccwfm.plan.x", "from . import _atomic\nfrom ._atomic import write_atomic", []),
    ("ccwfm.dashboard.x", "from ccwfm import plan\nplan.run(plan.Scenario)", []),
    ("ccwfm.dashboard.x", "from ccwfm import plan\nplan.pipeline.run()", ["(c)"]),
    ("ccwfm.dashboard.x", "import ccwfm.plan\nccwfm.plan.secret", ["(c)"]),
    ("ccwfm.dashboard.x", "from ccwfm import plan as p\np.secret", ["(c)"]),
    ("ccwfm.dashboard.x", "from ccwfm.plan import run, secret", ["(c)"]),
    ("ccwfm.dashboard.x", "from ccwfm.plan.inputs import MAX_UPLOAD_MB", ["(c)"]),
    ("ccwfm.dashboard.x", "from ccwfm.plan import _atomic", ["(c)", "(d)"]),
    ("ccwfm.dashboard.x", "from ccwfm import erlang", ["(b)"]),
    ("ccwfm.dashboard.x", "from . import state\nstate.init()", []),
    # A local variable named like the module is not the module.
    ("ccwfm.dashboard.x", "from ccwfm import plan\ndef f(plan):\n    return plan.costs", []),
    ("ccwfm.dashboard.x", "from ccwfm import plan\n[plan.x for plan in ()]", []),
    ("ccwfm.dashboard.x", "from ccwfm import plan\ndef f():\n    plan = 1\n    plan.real", []),
    ("ccwfm.dashboard.x", "from ccwfm import plan\ndef f():\n    return plan.secret", ["(c)"]),
    ("ccwfm.erlang.x", '"""Doc.\n\n>>> import erlang\n"""', ["(a)"]),
    ("ccwfm.erlang.x", '"""Doc.\n\n>>> from ccwfm import erlang\n"""', []),
])
def test_the_checker_finds_each_kind_of_violation(name, source, rules):
    found = _check(name, source)
    assert sorted(m.split(" ", 2)[1] for m in found) == sorted(rules), found


def test_messages_name_the_file_the_line_and_the_rule():
    module = Module("ccwfm.plan.x", ROOT / "plan" / "x.py", False)
    s = scan(module, "import os\n\nfrom ccwfm.simulate import _fast\n", KNOWN)
    assert private_reach(s) == ["plan/x.py:3: rule (d) no private module of another package: "
                                "ccwfm.plan.x imports ccwfm.simulate._fast"]
