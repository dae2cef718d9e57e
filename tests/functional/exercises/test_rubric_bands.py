"""Written answers are marked in partial-credit bands: full, half or no points per criterion."""

from __future__ import annotations

import json
import re

import pytest
from exbuild import REPO

EXERCISES = sorted((REPO / "exercises").glob("ex*/ex*.ipynb"))
MARKING = (REPO / "exercises" / "MARKING.md").read_text(encoding="utf-8")


def rubric_rows(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "q3_1_rubric")
    text = "".join(cell["source"])
    return [r for r in text.splitlines() if re.match(r"^\| [^*|-]", r) and not r.startswith(("| Крит", "| Crit"))]


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_every_criterion_has_a_half_point_band(path):
    """Does each rubric row above the written answer say when half the points are given?"""
    rows = rubric_rows(path)
    assert rows
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 3 and len(cells[1]) > 20 and cells[2].isdigit(), row


@pytest.mark.parametrize("exercise", sorted({p.parent.name.removesuffix("_en") for p in EXERCISES}))
def test_marking_scheme_gives_the_same_bands(exercise):
    """Does MARKING.md give a '½ point when' band for every point of the exercise's written answer?"""
    section = MARKING.split(f"## {exercise}:")[1].split("\n## ")[0]
    assert "½ point when" in section
    points = [r for r in section.splitlines() if re.match(r"^\| \d\. ", r)]
    assert points and all(len([c for c in r.strip("|").split("|")]) >= 3 for r in points)
    nb = REPO / "exercises" / exercise / f"{exercise}.ipynb"
    assert len(points) == len(rubric_rows(nb))
