"""Reading scores back from nbgrader's gradebook, per exercise (best language variant).

Read with three SQL queries on the SQLite gradebook (read-only) rather than through nbgrader's
object layer, which issues queries per submission and took minutes for 900 participants x 5
exercises. The arithmetic is nbgrader's: a grade's score is its manual score when set, else its
automatic score, plus extra credit; a submission needs manual grading when any grade does.
"""

from __future__ import annotations

import math

import pandas as pd

from c4c_lms.core.config import Course
from c4c_lms.lms.roster import load_roster
from c4c_lms.lms.workspace import gradebook_exists

_GRADES_SQL = """
SELECT sa.student_id, a.name AS assignment_id, bc.name AS grade_id,
  CASE WHEN g.manual_score IS NOT NULL THEN g.manual_score + COALESCE(g.extra_credit, 0)
       WHEN g.auto_score IS NOT NULL THEN g.auto_score + COALESCE(g.extra_credit, 0) ELSE 0 END AS score,
  COALESCE(gc.max_score, 0) AS max_score, g.needs_manual_grade AS needs_manual
FROM grade g JOIN submitted_notebook sn ON g.notebook_id = sn.id
JOIN submitted_assignment sa ON sn.assignment_id = sa.id
JOIN assignment a ON sa.assignment_id = a.id
JOIN base_cell bc ON g.cell_id = bc.id
LEFT JOIN grade_cells gc ON gc.id = bc.id
"""
_SUBMITTED_SQL = """
SELECT sa.student_id, a.name AS assignment_id, sa.timestamp FROM submitted_assignment sa
JOIN assignment a ON sa.assignment_id = a.id
"""
_MAX_SQL = """
SELECT a.name AS assignment_id, SUM(gc.max_score) AS max_score FROM grade_cells gc
JOIN base_cell bc ON gc.id = bc.id JOIN notebook n ON bc.notebook_id = n.id
JOIN assignment a ON n.assignment_id = a.id GROUP BY a.name
"""
LONG_COLUMNS = ["student_id", "assignment_id", "exercise", "score", "max_score", "needs_manual", "timestamp"]
CELL_COLUMNS = ["student_id", "exercise", "assignment_id", "grade_id", "score", "max_score"]


def _read(course: Course) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(grades, submissions, max score per assignment) of the course's exercises, minus failures."""
    from c4c_lms.lms.grading.batch import load_state

    if not gradebook_exists(course):
        return pd.DataFrame(), pd.DataFrame(), pd.DataFrame()
    from sqlalchemy import create_engine

    engine = create_engine(course.gradebook_url)  # SQLite by default, PostgreSQL on a course server
    try:
        with engine.connect() as db:
            grades = pd.read_sql_query(_GRADES_SQL, db)
            submitted = pd.read_sql_query(_SUBMITTED_SQL, db)
            maxima = pd.read_sql_query(_MAX_SQL, db)
    finally:
        engine.dispose()
    exercise_of = {v: e.id for e in course.config.exercises for v in e.variants.values()}
    # nbgrader keeps a zero-score row for a notebook it could not run at all; that is not a grade.
    failed = {k for k, v in load_state(course).items()
              if v.get("status") in ("failed", "infrastructure") and not v.get("max_score")}  # fmt: skip
    def keep(frame: pd.DataFrame) -> pd.DataFrame:
        mask = frame["assignment_id"].isin(exercise_of.keys())
        mask &= ~(frame["student_id"] + "/" + frame["assignment_id"]).isin(failed)
        frame = frame[mask].copy()
        frame["exercise"] = frame["assignment_id"].map(exercise_of)
        return frame
    return keep(grades), keep(submitted), maxima


def assignment_scores(course: Course) -> pd.DataFrame:
    """Long table: student_id, assignment_id, exercise, score, max_score, needs_manual, timestamp."""
    grades, submitted, maxima = _read(course)
    if submitted.empty:
        return pd.DataFrame(columns=LONG_COLUMNS)
    keys = ["student_id", "assignment_id"]
    totals = grades.groupby(keys).agg(score=("score", "sum"), needs_manual=("needs_manual", "max"))
    table = submitted.merge(totals.reset_index(), on=keys, how="left")
    table = table.merge(maxima, on="assignment_id", how="left")
    table["score"] = table["score"].fillna(0.0).astype(float)
    table["max_score"] = table["max_score"].fillna(0.0).astype(float)
    table["needs_manual"] = table["needs_manual"].fillna(0).astype(bool)
    return table[LONG_COLUMNS].sort_values(keys).reset_index(drop=True)


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
    extra = [i for i in best.index if i not in set(ids)]
    table = best.reindex(index=ids + extra, columns=columns).astype(float)
    table.index.name = "student_id"
    return table


def cell_grades(course: Course) -> pd.DataFrame:
    """Long table of per-cell grades: student_id, exercise, assignment_id, grade_id, score, max_score."""
    grades, _, _ = _read(course)
    if grades.empty:
        return pd.DataFrame(columns=CELL_COLUMNS)
    return grades[CELL_COLUMNS].reset_index(drop=True)


def total_percent(row: pd.Series, course: Course) -> float:
    """Share (0-100) of all declared exercise points a participant earned."""
    total = sum(e.points for e in course.config.exercises)
    earned = sum(0.0 if (isinstance(v, float) and math.isnan(v)) else float(v) for v in row.values)
    return 100.0 * earned / total if total else 0.0
