"""Which notebooks the course's Voilà preheats (``c4c_lms.lms.apps_server``), matched the way
Voilà's kernel manager matches its ``preheat_denylist`` against this repository's notebooks."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from c4c_lms.lms.apps_server import voila_arguments

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.relative_to(REPO).as_posix() for p in REPO.rglob("*.ipynb")
                   if not {".venv", ".ipynb_checkpoints", "node_modules"} & set(p.parts))  # fmt: skip


def preheated(modules: str) -> set[str]:
    """The notebooks Voilà would keep a pool for: its ``_notebook_filter`` rule, applied to the
    absolute paths ``Path(root).rglob("*.ipynb")`` yields."""
    option = next(a for a in voila_arguments(REPO, 8899, 1, modules) if "preheat_denylist" in a)
    patterns = ast.literal_eval(option.split("=", 1)[1])
    return {nb for nb in NOTEBOOKS
            if not any(p in str(REPO / nb) or re.compile(p).match(str(REPO / nb)) for p in patterns)}  # fmt: skip


APPS = {f"voila_apps/{p.parent.name}/index.ipynb" for p in (REPO / "voila_apps").glob("*/index.ipynb")}
UK = {p.relative_to(REPO).as_posix() for p in (REPO / "modules").glob("m*/m*.ipynb") if not p.stem.endswith("_en")}
EN = {p.relative_to(REPO).as_posix() for p in (REPO / "modules").glob("m*/m*_en.ipynb")}


@pytest.mark.parametrize(("modules", "expected"), [("", APPS), ("uk", APPS | UK), ("en", APPS | EN),
                                                   ("all", APPS | UK | EN)])  # fmt: skip
def test_preheated_notebooks(modules, expected):
    """Does the server preheat every app (and the module pages in the chosen language) and
    nothing else -- no exercise, test fixture or benchmark notebook?"""
    assert len(APPS) == 5 and len(UK) == len(EN) == 5
    assert preheated(modules) == expected


def test_the_server_waits_for_a_cells_last_outputs_while_pools_fill():
    """Does Voilà's executor, as configured by our arguments, wait long enough for a cell's
    outputs when every pool fills at once (nbclient's 4 s cut an app's display off its page)?"""
    from voila.app import Voila
    from voila.execute import VoilaExecutor
    import nbformat

    app = Voila()
    app.parse_command_line(voila_arguments(REPO, 8899))
    executor = VoilaExecutor(nbformat.v4.new_notebook(), config=app.config)
    assert executor.iopub_timeout >= 60
