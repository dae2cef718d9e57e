"""Every course module runs top to bottom in a real kernel, offline, with no errors."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from modules_nb import notebooks
from nbclient import NotebookClient

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_notebook_runs_without_errors(path, tmp_path):
    """Does the module notebook execute top to bottom without an error and show its widgets?"""
    # Run from a copy of the module folder so keepsakes or caches never land in the repository.
    work = tmp_path / path.parent.name
    shutil.copytree(path.parent, work, ignore=shutil.ignore_patterns("my_work", ".ipynb_checkpoints"))
    nb = nbformat.read(work / path.name, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(work)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == [], "\n".join(f"{e.ename}: {e.evalue}" for e in errors)
    shown = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.outputs
                if WIDGET_MIME in o.get("data", {}))
    assert shown >= 8, f"only {shown} widgets displayed"
    assert not (work / "my_work").exists(), "nothing is saved until the learner presses Save"
