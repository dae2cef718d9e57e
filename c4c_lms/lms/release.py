"""Releasing exercises: nbgrader's generate_assignment over ``exercises/``."""

from __future__ import annotations

from dataclasses import dataclass

from c4c_lms.core.config import Course
from c4c_lms.lms.workspace import nbgrader_api, prepare


@dataclass
class ReleaseResult:
    assignment_id: str
    ok: bool
    message: str


def release(course: Course, exercises: list[str] | None = None) -> list[ReleaseResult]:
    """Generate the student version of each exercise (every language variant) into the workdir.

    Parameters
    ----------
    course : the loaded course.
    exercises : exercise ids or assignment ids; all exercises when empty.
    """
    prepare(course)
    api = nbgrader_api(course)
    results = []
    for assignment in course.assignment_ids(exercises):
        if not (course.path("exercises") / assignment).is_dir():
            results.append(ReleaseResult(assignment, False, "missing source folder"))
            continue
        outcome = api.generate_assignment(assignment, force=True, create=True)
        message = "" if outcome["success"] else _last_error(outcome)
        results.append(ReleaseResult(assignment, bool(outcome["success"]), message))
    return results


def _last_error(outcome: dict) -> str:
    text = (outcome.get("error") or outcome.get("log") or "").strip().splitlines()
    errors = [line for line in text if "ERROR" in line or "Error" in line]
    return (errors or text or ["unknown error"])[-1][:300]
