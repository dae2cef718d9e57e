"""The package's layers (``c4c_lms/__init__.py``, ``ARCHITECTURE.md``), enforced on the source.

Every ``import`` is read with ``ast`` — at module level and inside functions alike, so a
lazy import cannot hide a forbidden dependency or a cycle.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "c4c_lms"

# layer -> layers it may import (itself included)
ALLOWED = {
    "core": {"core"},
    "refdata": {"refdata", "core"},
    "content": {"content", "refdata", "core"},
    "widgets": {"widgets", "content", "refdata", "core"},
    "lms": {"lms", "core"},
    "cohort": {"cohort", "lms", "refdata", "core"},
    "hub": {"hub", "lms", "cohort", "refdata", "core"},
    "api": {"api", "hub", "cohort", "lms", "refdata", "core"},
    "cli": {"cli", "api", "hub", "cohort", "lms", "refdata", "core"},
    "__main__": {"cli"},
    "__init__": set(),
}
# third-party packages only one layer may import
OWNED = {"ipywidgets": {"widgets"}, "nbgrader": {"lms"}}
NOTEBOOK_LAYERS = {"widgets", "content", "refdata"}
# The cohort report app is the lecturers' dashboard (personal data, staff only), not a learner app.
STAFF_APPS = {"voila_apps/cohort_report/index.ipynb": {"cohort", "lms", "core", "refdata", "widgets", "content"}}
RUNNER = PACKAGE / "lms" / "grading" / "runner.py"
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(tree: ast.AST, module: str) -> list[str]:
    """Absolute names of everything ``tree`` imports (relative imports resolved)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[: -node.level] if not module.endswith("__init__") else module.split(".")
                base = ".".join(package + ([base] if base else []))
            found.append(base)
            # `from c4c_lms.cohort import attendance` imports the submodule too
            found += [f"{base}.{alias.name}" for alias in node.names if base.startswith("c4c_lms")]
    return found


def sources() -> dict[str, list[str]]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        out[module] = imports(ast.parse(path.read_text(encoding="utf-8")), module)
    return out


SOURCES = sources()
OURS = set(SOURCES)


def resolve(name: str) -> str | None:
    """The module of ours that ``name`` refers to (longest known prefix), or None."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in OURS:
            return candidate
    return None


def violations(module: str, names: list[str]) -> list[str]:
    """The imported names that break ``module``'s layer rule."""
    layer = layer_of(module)
    wrong = []
    for name in names:
        if name.split(".")[0] == "c4c_lms":
            target = resolve(name)
            if target and target != "c4c_lms" and layer_of(target) not in ALLOWED[layer]:
                wrong.append(name)
        owners = OWNED.get(name.split(".")[0])
        if owners is not None and layer not in owners:
            wrong.append(name)
    return sorted(set(wrong))


@pytest.mark.parametrize("module", sorted(SOURCES))
def test_module_imports_only_the_layers_below(module):
    """Does each module import only from its own layer and the layers its rule allows?"""
    assert not violations(module, SOURCES[module]), f"{module} may not import {violations(module, SOURCES[module])}"


def test_the_sandbox_runner_imports_only_the_standard_library_and_jupyter():
    """Does the code that runs beside participants' kernels stay free of our package?"""
    names = {n.split(".")[0] for n in SOURCES[module_name(RUNNER)]}
    assert not names & {"c4c_lms", "pandas", "nbgrader", "ipywidgets"}, names
    # answers.py and checker.py are bound into the sandbox beside it (pandas is warm there)
    for inside in ("answers.py", "checker.py"):
        names = {n.split(".")[0] for n in SOURCES[module_name(RUNNER.with_name(inside))]}
        assert not names & {"c4c_lms", "nbgrader", "ipywidgets"}, (inside, names)


def test_no_import_cycles():
    """Is the import graph of c4c_lms free of cycles (function-level imports included)?"""
    graph = {m: {t for n in names if (t := resolve(n)) and t != m and t != "c4c_lms"}
             for m, names in SOURCES.items()}  # fmt: skip
    # a package's __init__ is imported on the way to its submodules; they are not a cycle
    colour: dict[str, int] = {}
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        colour[node] = 1
        for nxt in sorted(graph[node]):
            if colour.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt])
            elif not colour.get(nxt):
                visit(nxt, [*trail, nxt])
        colour[node] = 2

    for start in sorted(graph):
        if not colour.get(start):
            visit(start, [start])
    assert not cycles, cycles


def test_package_root_has_no_side_effects():
    """Does importing c4c_lms only define the version (no PATH or sys.modules patches)?"""
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    statements = [n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    assert [ast.unparse(n) for n in statements] == ["__version__ = '0.1.0'"]


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(REPO)))
def test_no_module_over_the_size_limit(path):
    """Is every module at most 500 lines?"""
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


def notebook_imports(path: Path) -> set[str]:
    names = set()
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        try:
            tree = ast.parse("\n".join(ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))))
        except SyntaxError:
            continue
        names |= {n for n in imports(tree, "notebook") if n.startswith("c4c_lms")}
    return names


NOTEBOOKS = sorted([*REPO.glob("modules/*/*.ipynb"), *REPO.glob("voila_apps/*/*.ipynb")])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_notebooks_use_only_the_learner_layers(path):
    """Do modules and learner apps import only widgets, content and refdata?"""
    allowed = STAFF_APPS.get(str(path.relative_to(REPO)), NOTEBOOK_LAYERS)
    wrong = sorted(n for n in notebook_imports(path) if (t := resolve(n)) and layer_of(t) not in allowed)
    assert not wrong, wrong


def test_the_rule_check_catches_a_broken_rule():
    """Would a content module importing ipywidgets, or lms importing cohort, be caught?"""
    content = imports(ast.parse("import ipywidgets\nfrom c4c_lms.cohort import report\nimport pandas"),
                      "c4c_lms.content.example")
    assert violations("c4c_lms.content.example", content) == ["c4c_lms.cohort", "c4c_lms.cohort.report", "ipywidgets"]
    lazy = imports(ast.parse("def f():\n    from c4c_lms.cli.main import cli"), "c4c_lms.lms.example")
    assert violations("c4c_lms.lms.example", lazy) == ["c4c_lms.cli.main", "c4c_lms.cli.main.cli"]
