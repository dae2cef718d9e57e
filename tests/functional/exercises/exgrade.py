"""Bare nbgrader helpers for the exercise tests: a throw-away course that releases the student
versions (``make_fixtures.py`` starts from them) and readers of the canary cell's output.

Grading itself goes through the lecturer's pipeline (``c4c grade``, see ``conftest.py``).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

import nbformat
from traitlets.config import Config

from exbuild import CANARY_BAD, CANARY_OK, CANARY_TAG, EXERCISES

# nbgrader runs the `alembic` command to check the gradebook schema: it must be on PATH.
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")


def make_config(root: Path) -> Config:
    c = Config()
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.course_id = "c4c-exercises-test"
    c.CourseDirectory.source_directory = "source"
    c.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".*"]
    c.Execute.timeout = 30
    c.Execute.interrupt_on_timeout = True
    return c


def api_for(root: Path):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = make_config(root)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    api.log.setLevel(logging.ERROR)
    return api


def make_course(root: Path, assignments: list[str]) -> Path:
    """Copy the named source assignments into ``root/source`` and generate their student versions."""
    (root / "source").mkdir(parents=True, exist_ok=True)
    for a in assignments:
        shutil.copytree(EXERCISES / a, root / "source" / a, dirs_exist_ok=True)
    api = api_for(root)
    for a in assignments:
        out = api.generate_assignment(a, force=True, create=True)
        if not out["success"]:
            raise RuntimeError(f"generate_assignment {a} failed:\n{out['error']}\n{out['log']}")
    return root


def released_notebook(root: Path, assignment: str) -> Path:
    return root / "release" / assignment / f"{assignment}.ipynb"


def canary_lines(notebook: Path) -> list[str]:
    """The stdout lines printed by cells tagged as canaries (empty if none printed)."""
    nb = nbformat.read(notebook, as_version=4)
    lines = []
    for cell in nb.cells:
        if CANARY_TAG in cell.metadata.get("tags", []):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream":
                    lines.extend(out.get("text", "").splitlines())
    return lines


def canary_verdict(notebook: Path) -> str:
    """'ok' when a canary printed the OK line and no canary reported tampering, else 'flagged'."""
    lines = canary_lines(notebook)
    if CANARY_OK in lines and not any(line.startswith(CANARY_BAD) for line in lines):
        return "ok"
    return "flagged"
