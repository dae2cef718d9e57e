"""Fixture submissions graded through the lecturer's pipeline (`c4c grade`): exact scores, type
checks and the canary; nbgrader's own gradebook is read for the points before withholding."""

from __future__ import annotations

import nbformat
import pytest

from exbuild import CANARY_OK, dumps
from excases import CASES
from exgrade import canary_lines, canary_verdict
from make_fixtures import fill, fixture_path

pytestmark = pytest.mark.slow

ROWS = [(ex, case) for ex, spec in CASES.items() for case in spec["cases"]]


def autograded_nb(workdir, exercise, case):
    a = CASES[exercise]["assignment"]
    return workdir / "autograded" / case / a / f"{a}.ipynb"


@pytest.mark.parametrize("exercise,case", ROWS)
def test_fixture_is_current(workdir, exercise, case):
    """Is the committed fixture the released notebook with exactly the case's answers filled in?"""
    a = CASES[exercise]["assignment"]
    released = nbformat.read(workdir / "release" / a / f"{a}.ipynb", as_version=4)
    spec = CASES[exercise]["cases"][case]
    expected = dumps(fill(released, spec["answers"], spec.get("edit")))
    assert fixture_path(exercise, case).read_text(encoding="utf-8") == expected


@pytest.mark.parametrize("exercise,case", ROWS)
def test_pipeline_status_and_score_are_exact(pipeline_graded, exercise, case):
    """Does `c4c grade` give the fixture exactly its expected status and points (out of 10)?"""
    _, state = pipeline_graded
    spec = CASES[exercise]["cases"][case]
    row = state[f"{case}/{CASES[exercise]['assignment']}"]
    assert (row["status"], row["score"], row["max_score"]) == (spec["status"], spec["auto"], 10)
    if spec["status"] == "flagged":
        assert row["reason"] == spec.get("reason", "tampering")


@pytest.mark.parametrize("exercise,case", ROWS)
def test_nbgrader_auto_scores(pipeline_graded, workdir, exercise, case):
    """Are nbgrader's own gradebook points exact (tests run apart from the participant's code,
    so a tampered kernel fools no one: nbgrader's points are the pipeline's)?"""
    from nbgrader.api import Gradebook

    spec = CASES[exercise]["cases"][case]
    with Gradebook(f"sqlite:///{workdir / 'gradebook.db'}") as gb:
        sub = gb.find_submission(CASES[exercise]["assignment"], case)
        auto = sum(g.auto_score or 0 for nb in sub.notebooks for g in nb.grades)
    assert auto == spec["auto"]


@pytest.mark.parametrize("exercise,case", ROWS)
def test_canary_verdict(pipeline_graded, workdir, exercise, case):
    """Does the canary print only C4C-CANARY-OK for honest work and never for tampered work?"""
    path = autograded_nb(workdir, exercise, case)
    expected = "flagged" if CASES[exercise]["cases"][case]["status"] == "flagged" else "ok"
    assert canary_verdict(path) == expected, canary_lines(path)
    if expected == "ok":
        assert canary_lines(path) == [CANARY_OK]


def test_cases_cover_the_required_kinds():
    """Does every exercise have complete, blank, partial, wrong-type and tampering fixtures?"""
    for exercise, spec in CASES.items():
        assert {"complete", "blank", "partial", "wrongtype", "tamper"} <= set(spec["cases"])
        assert spec["cases"]["complete"]["auto"] == spec["max_auto"]
        assert spec["cases"]["blank"]["auto"] == 0
        assert spec["cases"]["tamper"]["status"] == "flagged"
        assert "_Anything()" in "".join(spec["cases"]["wrongtype"]["answers"].values())
