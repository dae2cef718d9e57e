"""Written answers keep a scaffold in the notebook's language in the participant's version."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbgrader.preprocessors import ClearSolutions

EXERCISES = Path(__file__).resolve().parents[3] / "exercises"
UK = sorted(p for p in EXERCISES.glob("ex0*/ex0*.ipynb") if not p.stem.endswith("_en"))
CYRILLIC = re.compile(r"[А-Яа-яІіЇїЄєҐґ]")


@pytest.mark.parametrize("path", UK, ids=lambda p: p.stem)
def test_ukrainian_written_answer_scaffold_survives_release(path):
    """After nbgrader clears the solutions, does the written answer cell of a Ukrainian exercise
    still tell the participant in Ukrainian what to write?"""
    nb = nbformat.read(path, as_version=4)
    released, _ = ClearSolutions().preprocess(nb, {"language": "python"})
    cells = [c for c in released.cells
             if c.metadata.get("nbgrader", {}).get("grade_id") == "q3_1"]
    assert len(cells) == 1
    text = cells[0].source
    assert "YOUR ANSWER HERE" in text and "BEGIN SOLUTION" not in text
    assert CYRILLIC.search(text.replace("YOUR ANSWER HERE", "")), text
