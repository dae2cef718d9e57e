"""Static checks of the exercise notebooks: structure, languages, points, hygiene (no kernels)."""

from __future__ import annotations

import re
import tomllib

import nbformat
import pytest

from build_exercises import available_specs, stale
from exbuild import CANARY_GRADE_ID, CANARY_TAG, EXERCISES, LANGS, REPO, assignment_dir

SPECS = available_specs()
EXERCISE_IDS = [spec.EXERCISE for spec in SPECS]
CYRILLIC = re.compile("[\u0400-\u04ff]")
QUESTION = re.compile(r"\*\*(?:Питання|Question) (\d+)\.(\d+)\*\* \{points: (\d+)\}")


def load(exercise: str, lang: str) -> nbformat.NotebookNode:
    folder = assignment_dir(exercise, lang)
    return nbformat.read(folder / f"{folder.name}.ipynb", as_version=4)


def nbg(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def grade_cells(nb) -> dict[str, float]:
    return {nbg(c)["grade_id"]: nbg(c)["points"] for c in nb.cells if nbg(c).get("grade")}


def course_exercises() -> dict[str, dict]:
    data = tomllib.loads((REPO / "course" / "course.toml").read_text(encoding="utf-8"))
    return {e["id"]: e for e in data["exercises"]}


def test_all_five_exercises_exist():
    """Does every exercise of course.toml have a spec and both language folders?"""
    assert sorted(EXERCISE_IDS) == sorted(course_exercises())
    for ex in course_exercises().values():
        for lang, name in ex["variants"].items():
            assert (EXERCISES / name / f"{name}.ipynb").is_file(), name


def test_notebooks_match_their_specs():
    """Are the committed notebooks and data exactly what build_exercises.py writes?"""
    assert stale() == []


@pytest.mark.parametrize("exercise", EXERCISE_IDS)
def test_languages_have_identical_structure(exercise):
    """Do the Ukrainian and English notebooks share cell order, types, grade ids and points?"""
    uk, en = load(exercise, "uk"), load(exercise, "en")
    shape = lambda nb: [(c.cell_type, nbg(c).get("grade_id"), nbg(c).get("points"),  # noqa: E731
                         nbg(c).get("grade"), nbg(c).get("solution"), nbg(c).get("locked"))
                        for c in nb.cells]
    assert shape(uk) == shape(en)


@pytest.mark.parametrize("exercise", EXERCISE_IDS)
def test_points_match_course_config(exercise):
    """Do the graded cells of each variant add up to the points declared in course.toml?"""
    declared = course_exercises()[exercise]["points"]
    for lang in LANGS:
        assert sum(grade_cells(load(exercise, lang)).values()) == declared


@pytest.mark.parametrize("exercise", EXERCISE_IDS)
@pytest.mark.parametrize("lang", LANGS)
def test_notebook_conventions(exercise, lang):
    """Does the notebook follow the house conventions (ids, headings, setup, canary, hygiene)?"""
    nb = load(exercise, lang)
    assert nb.metadata == {"kernelspec": nb.metadata["kernelspec"]}
    graded = grade_cells(nb)
    assert all(re.fullmatch(r"q\d+_\d+", gid) for gid in graded), graded
    headings = {}
    for cell in nb.cells:
        assert set(cell.metadata) <= {"nbgrader", "tags", "deletable", "editable", "c4c"}  # c4c: grading declarations
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            assert "c4c_lms" not in cell.source
        for s, n, p in QUESTION.findall(cell.source):
            headings[f"q{s}_{n}"] = int(p)
    assert headings == graded, "every graded cell needs a '**Question S.N** {points: P}' heading"
    codes = [c for c in nb.cells if c.cell_type == "code"]
    assert codes[0].source.startswith("### Run this cell before continuing.")
    assert nbg(codes[0])["locked"] is True
    last = nb.cells[-1]
    assert last.cell_type == "code" and CANARY_TAG in last.metadata["tags"]
    assert nbg(last) == {"grade": False, "grade_id": CANARY_GRADE_ID, "locked": True,
                         "schema_version": 3, "solution": False, "task": False}
    for i, cell in enumerate(nb.cells):
        if nbg(cell).get("grade") and nbg(cell).get("solution"):  # manually graded answer
            above = nb.cells[i - 1]
            assert above.cell_type == "markdown" and nbg(above).get("locked"), "rubric above"
            assert f"**{sum(graded[k] for k in [nbg(cell)['grade_id']])}**" in above.source
        if nbg(cell).get("grade") and not nbg(cell).get("solution"):  # autograded test cell
            assert "### BEGIN HIDDEN TESTS" in cell.source and "### END HIDDEN TESTS" in cell.source
            assert "type(" in cell.source, "answers are checked by type as well as value"


@pytest.mark.parametrize("exercise", EXERCISE_IDS)
def test_english_text_is_english(exercise):
    """Is every markdown cell and test hint of the English variant free of Cyrillic text?"""
    for cell in load(exercise, "en").cells:
        if cell.cell_type == "markdown" or nbg(cell).get("grade"):
            assert not CYRILLIC.search(cell.source.split("### BEGIN HIDDEN TESTS")[0]), cell.source


@pytest.mark.parametrize("exercise", EXERCISE_IDS)
def test_ukrainian_text_is_ukrainian(exercise):
    """Is every instruction cell of the Ukrainian variant written in Ukrainian?"""
    for cell in load(exercise, "uk").cells:
        if cell.cell_type == "markdown" and not nbg(cell).get("solution"):
            letters = [ch for ch in cell.source if ch.isalpha()]
            cyr = sum(1 for ch in letters if CYRILLIC.match(ch))
            assert cyr >= 0.5 * len(letters), cell.source


@pytest.mark.parametrize("exercise", EXERCISE_IDS)
def test_data_files_are_shipped_and_sourced(exercise):
    """Is every CSV the notebook reads beside it, with source_url and checked_on on each row?"""
    import pandas as pd

    for lang in LANGS:
        folder = assignment_dir(exercise, lang)
        nb = load(exercise, lang)
        paths = set(re.findall(r'read_csv\("([^"]+)"', "\n".join(c.source for c in nb.cells)))
        assert paths, "each exercise works on a data table"
        for rel in paths:
            df = pd.read_csv(folder / rel, keep_default_na=False)
            assert {"source_url", "checked_on"} <= set(df.columns), rel
            assert (df["source_url"].str.startswith("http")).all(), rel
