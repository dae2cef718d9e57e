"""nbgrader's two-way validation: sources pass, generated student versions fail every graded cell."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest

from conftest import all_assignments
from exbuild import EXERCISES

pytestmark = pytest.mark.notebooks
ASSIGNMENTS = all_assignments()


def _validate(args) -> dict:
    path, invert = args
    import logging

    from nbgrader.validator import Validator

    v = Validator(invert=invert)
    v.log.setLevel(logging.ERROR)
    return v.validate(path)


@pytest.fixture(scope="module")
def validations(course_root) -> dict:
    """Validator results for every source (normal) and released notebook (inverted), in parallel."""
    jobs = []
    for a in ASSIGNMENTS:
        jobs.append((str(EXERCISES / a / f"{a}.ipynb"), False))
        jobs.append((str(course_root / "var/course/release" / a / f"{a}.ipynb"), True))
    with ProcessPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(_validate, jobs))
    return {(job[0], job[1]): res for job, res in zip(jobs, results)}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_validates(validations, assignment):
    """Does `nbgrader validate` pass on the source notebook (solutions pass every test)?"""
    assert validations[(str(EXERCISES / assignment / f"{assignment}.ipynb"), False)] == {}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_version_fails_every_graded_cell(validations, course_root, assignment):
    """Does `nbgrader validate --invert` pass on the released notebook (no test passes blank)?"""
    path = str(course_root / "var/course/release" / assignment / f"{assignment}.ipynb")
    assert validations[(path, True)] == {}
