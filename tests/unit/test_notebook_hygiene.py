"""Every committed course notebook: no outputs, minimal metadata, consistent nbgrader cells."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FOLDERS = ("modules", "exercises", "voila_apps")
NOTEBOOKS = sorted(
    p for folder in FOLDERS for p in (REPO / folder).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
)
ALLOWED_NB_META = {"kernelspec", "jupytext", "language_info"}
ALLOWED_CELL_META = {"nbgrader", "tags", "deletable", "editable", "slideshow", "jupyter", "c4c"}  # c4c: grading declarations (answer names, set-up cell)
# Of JupyterLab's own cell metadata only the hidden source/outputs flags (module self-checks hide
# their source so the learner does not read the answer key in the code).
ALLOWED_JUPYTER_META = {"source_hidden", "outputs_hidden"}


def ids(paths):
    return [p.relative_to(REPO).as_posix() for p in paths]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_no_outputs_and_minimal_metadata(path):
    """Is the notebook committed without outputs, execution counts or stray metadata?"""
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert set(nb.get("metadata", {})) <= ALLOWED_NB_META, set(nb["metadata"]) - ALLOWED_NB_META
    assert "kernelspec" in nb["metadata"]
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"cell {index} has outputs"
            assert cell.get("execution_count") is None, f"cell {index} has an execution count"
        extra = set(cell.get("metadata", {})) - ALLOWED_CELL_META
        assert not extra, f"cell {index} metadata {extra}"
        jupyter_extra = set(cell.get("metadata", {}).get("jupyter", {})) - ALLOWED_JUPYTER_META
        assert not jupyter_extra, f"cell {index} jupyter metadata {jupyter_extra}"


EXERCISES = [p for p in NOTEBOOKS if p.relative_to(REPO).parts[0] == "exercises"]


@pytest.mark.parametrize("path", EXERCISES, ids=ids(EXERCISES))
def test_exercise_cells_are_consistent(path):
    """Are grade ids unique, graded cells pointed, solution/hidden-test markers balanced?"""
    assert path.parent.name == path.stem, "exercise folder and notebook must share a name"
    nb = json.loads(path.read_text(encoding="utf-8"))
    grade_ids = []
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader")
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for begin, end in (("BEGIN SOLUTION", "END SOLUTION"), ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")):
            assert len(re.findall(begin, source)) == len(re.findall(end, source))
        if not meta:
            continue
        grade_ids.append(meta["grade_id"])
        if meta.get("grade"):
            assert float(meta.get("points", 0)) > 0, f"{meta['grade_id']} has no points"
    assert len(grade_ids) == len(set(grade_ids)), "duplicate grade ids"


MODULE_DIRS = sorted(p for p in (REPO / "modules").iterdir() if p.is_dir() and p.name[:1] == "m")


@pytest.mark.parametrize("folder", MODULE_DIRS, ids=[p.name for p in MODULE_DIRS])
def test_module_in_both_languages(folder):
    """Does every module exist as `<name>.ipynb` (Ukrainian) and `<name>_en.ipynb` (English)?"""
    assert (folder / f"{folder.name}.ipynb").is_file()
    assert (folder / f"{folder.name}_en.ipynb").is_file()


LEARNER_NOTEBOOKS = [p for p in NOTEBOOKS if p.relative_to(REPO).parts[0] in ("modules", "voila_apps")]


@pytest.mark.parametrize("path", LEARNER_NOTEBOOKS, ids=ids(LEARNER_NOTEBOOKS))
def test_learner_text_names_no_package_internals(path):
    """Does the text a learner reads (markdown cells) avoid our package's internal names
    (``c4c_lms.core.romanise``, ``c4c_lms/refdata/...``)?"""
    nb = json.loads(path.read_text("utf-8"))
    for n, cell in enumerate(nb["cells"]):
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "markdown":
            assert "c4c_lms" not in text, f"markdown cell {n} names the package: {text[:120]!r}"
