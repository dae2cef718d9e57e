"""Grade exports for LMSs: Moodle's grade import, Canvas' gradebook CSV, nbgrader's long CSV.

Every text cell is neutralised against spreadsheet formula injection (names come from
participants and LMSs, so ``=HYPERLINK(...)`` in a name must stay text).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from c4c_lms.core.config import Course
from c4c_lms.lms.roster import load_roster
from c4c_lms.lms.scores import assignment_scores, exercise_scores
from c4c_lms.core.files import neutralise_formula, write_bytes_atomic

FORMATS = ("csv", "moodle", "canvas")


def _points(value: float) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:g}"


def moodle_rows(course: Course) -> list[list[object]]:
    """Moodle 'Import grades from CSV': an identifier column then one column per exercise."""
    scores = exercise_scores(course)
    people = {p.id: p for p in load_roster(course)}
    identifier = course.config.lms.moodle_identifier
    header = ["Email address" if identifier == "email" else "ID number", "First name", "Last name"]
    header += [f"{e.title_en} ({e.id})" for e in course.config.exercises]
    rows: list[list[object]] = [header]
    for student_id, row in scores.iterrows():
        p = people.get(student_id)
        ident = (p.email if p else "") if identifier == "email" else student_id
        first, last = (p.first_name_lat, p.last_name_lat) if p else ("", "")
        rows.append([ident, first, last, *(_points(v) for v in row.values)])
    return rows


def canvas_rows(course: Course) -> list[list[object]]:
    """Canvas gradebook CSV layout, with its 'Points Possible' row."""
    scores = exercise_scores(course)
    people = {p.id: p for p in load_roster(course)}
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    header += [f"{e.title_en} ({e.id})" for e in course.config.exercises]
    rows: list[list[object]] = [header]
    rows.append(["    Points Possible", "", "", "", "", *(f"{e.points:g}" for e in course.config.exercises)])
    for student_id, row in scores.iterrows():
        p = people.get(student_id)
        name = f"{p.last_name_lat}, {p.first_name_lat}" if p else student_id
        rows.append([name, p.lms_user_id if p else "", student_id, p.email if p else "",
                     course.config.course.id, *(_points(v) for v in row.values)])  # fmt: skip
    return rows


def long_rows(course: Course) -> list[list[object]]:
    """nbgrader's long CSV: one row per participant and assignment."""
    long = assignment_scores(course)
    people = {p.id: p for p in load_roster(course)}
    header = ["assignment", "exercise", "timestamp", "student_id", "last_name", "first_name", "email",
              "score", "max_score", "needs_manual_grade"]  # fmt: skip
    rows: list[list[object]] = [header]
    for r in long.sort_values(["assignment_id", "student_id"]).itertuples() if not long.empty else []:
        p = people.get(r.student_id)
        rows.append([r.assignment_id, r.exercise, r.timestamp or "", r.student_id,
                     p.last_name_lat if p else "", p.first_name_lat if p else "", p.email if p else "",
                     _points(r.score), _points(r.max_score), r.needs_manual])  # fmt: skip
    return rows


def export_grades(course: Course, fmt: str, output: Path) -> int:
    """Write grades in ``fmt`` to ``output``; returns the number of participant rows."""
    builders = {"csv": long_rows, "moodle": moodle_rows, "canvas": canvas_rows}
    if fmt not in builders:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    rows = builders[fmt](course)
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise_formula(v) for v in row])
    # utf-8-sig: Excel opens Cyrillic correctly only with a BOM. Atomic: a crash or a full
    # disk leaves the previous export (the LMS may be reading it) intact.
    write_bytes_atomic(Path(output), buffer.getvalue().encode("utf-8-sig"))
    return len(rows) - (2 if fmt == "canvas" else 1)
