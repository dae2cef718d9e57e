"""What an exercise declares for grading across two kernels, and the checks on it.

Declarations live in the source notebook's cell metadata (written once by the exercise
builder, ``tools/exercises/exbuild.py``), under the key ``c4c``:

* an autograded answer cell: ``{"c4c": {"answers": ["my_community", "my_population"]}}``,
  the names that leave the participant's kernel as data after that cell;
* a locked set-up cell the tests rely on (imports, reading the data):
  ``{"c4c": {"setup": true}}``; it runs again in the test kernel, on the pristine data.

A source without declarations (an older course) gets them inferred from itself: each answer
cell's solution declares the names it assigns at top level; the locked cells that define a
name some test reads are set-up cells. Either way they come from the *source* notebook, never
from the submission. :func:`problems` is what ``c4c course check`` reports.
"""

from __future__ import annotations

import ast
import builtins
import re
from dataclasses import dataclass, field

CANARY_TAG = "c4c-canary"
_MAGIC = re.compile(r"^\s*[%!]")


@dataclass
class Declared:
    answers: dict[str, list[str]] = field(default_factory=dict)  # answer grade id -> names
    setup: dict[str, str] = field(default_factory=dict)  # set-up grade id -> source
    tests: dict[str, str] = field(default_factory=dict)  # test grade id -> source


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _c4c(cell) -> dict:
    value = cell.get("metadata", {}).get("c4c", {})
    return value if isinstance(value, dict) else {}


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def is_test(cell) -> bool:
    meta = _nbgrader(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def is_answer(cell) -> bool:
    meta = _nbgrader(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("solution")) and not meta.get("grade")


def is_canary(cell) -> bool:
    return CANARY_TAG in cell.get("metadata", {}).get("tags", [])


def _tree(source: str) -> ast.AST | None:
    text = "\n".join("" if _MAGIC.match(line) else line for line in source.splitlines())
    try:
        return ast.parse(text)
    except SyntaxError:
        return None


def assigned_names(source: str, top_level: bool = False) -> set[str]:
    """Names a cell binds (assignments, imports, definitions); outside functions only if asked."""
    tree = _tree(source)
    if tree is None:
        return set()
    names: set[str] = set()
    nodes: list[ast.AST] = []
    for stmt in tree.body:
        if top_level and isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
        else:
            nodes += ast.walk(stmt)
    local: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {a.asname or a.name.split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            local.add(node.arg)
        elif top_level and isinstance(node, ast.comprehension):
            local |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
    return names - local if top_level else names | local


def free_names(source: str) -> set[str]:
    """Names a cell reads that it does not bind itself and that are not built-ins."""
    tree = _tree(source)
    if tree is None:
        return set()
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return read - assigned_names(source) - set(dir(builtins))


def declarations(nb) -> Declared:
    """The source notebook's declarations (inferred where it has none, see the module text)."""
    found = Declared()
    cells = nb.get("cells", [])
    explicit = any("answers" in _c4c(c) or "setup" in _c4c(c) for c in cells)
    for cell in cells:
        grade_id = _nbgrader(cell).get("grade_id")
        if not grade_id:
            continue
        if is_test(cell):
            found.tests[grade_id] = _source(cell)
        elif is_answer(cell):
            names = _c4c(cell).get("answers") if explicit else None
            if names is None and not explicit:
                names = sorted(assigned_names(_solution(_source(cell)), top_level=True))
            found.answers[grade_id] = [str(n) for n in names or [] if isinstance(n, str) and n.isidentifier()]
    wanted = set().union(*map(free_names, found.tests.values())) if found.tests else set()
    for cell in cells:
        meta, grade_id = _nbgrader(cell), _nbgrader(cell).get("grade_id")
        if cell.get("cell_type") != "code" or not meta.get("locked") or is_test(cell) or is_canary(cell):
            continue
        if _c4c(cell).get("setup") if explicit else (assigned_names(_source(cell)) & wanted):
            found.setup[grade_id] = _source(cell)
    return found


def _solution(source: str) -> str:
    """The solution block of a source answer cell (the whole cell when it has none)."""
    match = re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", source, re.S)
    return match.group(1) if match else source


def problems(nb) -> list[str]:
    """What keeps an exercise from grading in two kernels: tests reading undeclared names."""
    found = declarations(nb)
    known = set().union(*found.answers.values(), *map(assigned_names, found.setup.values()))
    out = []
    for grade_id, source in found.tests.items():
        if _tree(source) is None:
            out.append(f"test {grade_id}: not valid Python")
            continue
        missing = sorted(free_names(source) - known)
        if missing:
            out.append(f"test {grade_id} reads {', '.join(missing)}, which no answer cell declares")
    return out
