"""Reading scores back from nbgrader's gradebook, per exercise (best language variant)."""

from __future__ import annotations

import math

import pandas as pd

from .config import Course
from .roster import load_roster


def assignment_scores(course: Course) -> pd.DataFrame:
    """Long table: student_id, assignment_id, exercise, score, max_score, needs_manual, timestamp."""
    from nbgrader.api import Gradebook, MissingEntry

    from .grading import load_state

    rows = []
    if not (course.workdir / "gradebook.db").is_file():
        return pd.DataFrame(
            columns=["student_id", "assignment_id", "exercise", "score", "max_score", "needs_manual", "timestamp"]
        )
    # nbgrader keeps a zero-score row for a notebook it could not run; that is not a grade.
    failed = {k for k, v in load_state(course).items() if v.get("status") in ("failed", "infrastructure")}
    with Gradebook(course.gradebook_url, course_id=course.config.course.id) as gb:
        for assignment in course.assignment_ids():
            exercise = course.exercise_of_assignment(assignment)
            try:
                submissions = gb.assignment_submissions(assignment)
            except MissingEntry:
                continue
            for s in submissions:
                if f"{s.student.id}/{assignment}" in failed:
                    continue
                rows.append({
                    "student_id": s.student.id,
                    "assignment_id": assignment,
                    "exercise": exercise.id if exercise else assignment,
                    "score": float(s.score),
                    "max_score": float(s.max_score),
                    "needs_manual": bool(s.needs_manual_grade),
                    "timestamp": s.timestamp,
                })  # fmt: skip
    return pd.DataFrame(rows)


def exercise_scores(course: Course) -> pd.DataFrame:
    """Participants × exercises: points of the best-scored language variant, NaN if none.

    Rows are every roster participant (plus anyone graded but not on the roster).
    """
    long = assignment_scores(course)
    ids = [p.id for p in load_roster(course)]
    columns = [e.id for e in course.config.exercises]
    if long.empty:
        return pd.DataFrame(index=pd.Index(ids, name="student_id"), columns=columns, dtype=float)
    best = long.groupby(["student_id", "exercise"])["score"].max().unstack("exercise")
    extra = [i for i in best.index if i not in ids]
    table = best.reindex(index=ids + extra, columns=columns).astype(float)
    table.index.name = "student_id"
    return table


def cell_grades(course: Course) -> pd.DataFrame:
    """Long table of per-cell grades: student_id, exercise, assignment_id, grade_id, score, max_score."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    if not (course.workdir / "gradebook.db").is_file():
        return pd.DataFrame(columns=["student_id", "exercise", "assignment_id", "grade_id", "score", "max_score"])
    with Gradebook(course.gradebook_url, course_id=course.config.course.id) as gb:
        for assignment in course.assignment_ids():
            exercise = course.exercise_of_assignment(assignment)
            try:
                submissions = gb.assignment_submissions(assignment)
            except MissingEntry:
                continue
            for s in submissions:
                for nb in s.notebooks:
                    for g in nb.grades:
                        rows.append({
                            "student_id": s.student.id,
                            "exercise": exercise.id if exercise else assignment,
                            "assignment_id": assignment,
                            "grade_id": g.cell.name,
                            "score": float(g.score),
                            "max_score": float(g.max_score),
                        })  # fmt: skip
    return pd.DataFrame(rows)


def total_percent(row: pd.Series, course: Course) -> float:
    """Share (0-100) of all declared exercise points a participant earned."""
    total = sum(e.points for e in course.config.exercises)
    earned = sum(0.0 if (isinstance(v, float) and math.isnan(v)) else float(v) for v in row.values)
    return 100.0 * earned / total if total else 0.0
