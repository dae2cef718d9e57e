"""Write the fixture submissions ``tests/exercises/submissions/<exercise>/<case>.ipynb``.

Each fixture is the *released* (student) notebook, made with nbgrader's generate_assignment, with
some answer cells replaced as listed in ``excases.py``. Run after changing an exercise::

    .venv/bin/python tests/exercises/make_fixtures.py
"""

from __future__ import annotations

import copy
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The exercise specs and their builder are authoring tools (tools/exercises/), not tests.
for _folder in (HERE, HERE.parents[2] / "tools" / "exercises"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

import nbformat  # noqa: E402

from exbuild import CANARY_TAG, dumps  # noqa: E402
from excases import CASES  # noqa: E402
from exgrade import make_course, released_notebook  # noqa: E402

SUBMISSIONS = HERE / "submissions"


def fill(released: nbformat.NotebookNode, answers: dict[str, str],
         edit: str | None = None) -> nbformat.NotebookNode:
    """A copy of the released notebook with the answer cells named in ``answers`` replaced.

    ``edit`` tampers with the canary itself: ``untag_canary`` drops its tag, ``delete_canary``
    removes the cell.
    """
    nb = nbformat.from_dict(copy.deepcopy(released))
    canaries = [c for c in nb.cells if CANARY_TAG in c.metadata.get("tags", [])]
    if edit == "untag_canary":
        for cell in canaries:
            cell.metadata.pop("tags")
    elif edit == "delete_canary":
        nb.cells = [c for c in nb.cells if c not in canaries]
    elif edit is not None:
        raise ValueError(f"unknown edit {edit!r}")
    found = set()
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid].strip("\n")
            found.add(gid)
    missing = set(answers) - found
    if missing:
        raise KeyError(f"no cells with grade ids {sorted(missing)}")
    return nb


def fixture_path(exercise: str, case: str) -> Path:
    return SUBMISSIONS / exercise / f"{case}.ipynb"


def build(root: Path) -> dict[Path, str]:
    assignments = sorted({spec["assignment"] for spec in CASES.values()})
    make_course(root, assignments)
    out = {}
    for exercise, spec in CASES.items():
        released = nbformat.read(released_notebook(root, spec["assignment"]), as_version=4)
        for case, case_spec in spec["cases"].items():
            filled = fill(released, case_spec["answers"], case_spec.get("edit"))
            out[fixture_path(exercise, case)] = dumps(filled)
    return out


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        files = build(Path(tmp))
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(HERE)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
