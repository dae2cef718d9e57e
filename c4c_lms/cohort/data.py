"""The cohort as one object: roster, attendance, scores and per-cell grades as plain tables,
plus stable pseudonyms for reports."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from c4c_lms.cohort.attendance import load_state, minutes_by_day
from c4c_lms.core.files import write_text_atomic
from c4c_lms.lms.roster import load_roster
from c4c_lms.lms.scores import cell_grades, exercise_scores


# -- the cohort's data ---------------------------------------------------------------------------
@dataclass
class CohortData:
    """Everything the completion rules, certificates and report read, as plain tables."""

    participants: pd.DataFrame  # index id; first/last names, email, community, oblast, community_type
    minutes: pd.DataFrame  # index id; one column per day (1..n), minutes (0 if absent)
    scores: pd.DataFrame  # index id; one column per exercise, points or NaN
    cells: pd.DataFrame  # long: student_id, exercise, grade_id, score, max_score
    points: dict[str, float]  # exercise id -> maximum points
    anonymous: pd.DataFrame = field(default_factory=pd.DataFrame)  # purged participants' statistics


def participants_frame(participants: list) -> pd.DataFrame:
    columns = ["id", "first_name_uk", "last_name_uk", "first_name_lat", "last_name_lat", "email",
               "community", "oblast", "role", "community_type"]  # fmt: skip
    rows = [{c: getattr(p, c, "") for c in columns} for p in participants]
    return pd.DataFrame(rows, columns=columns).set_index("id")


def minutes_frame(ids: list[str], minutes: dict[str, dict[int, float]], n_days: int) -> pd.DataFrame:
    """Participants × days table of minutes from :func:`attendance.minutes_by_day`."""
    table = pd.DataFrame.from_dict(minutes, orient="index").reindex(index=ids, columns=range(1, n_days + 1))
    return table.fillna(0.0).astype(float)


def n_days(course) -> int:
    return len(course.syllabus.day) or (course.config.course.end - course.config.course.start).days + 1


def gradebook_frames(course, ids: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(participants × exercises best-variant points, long per-cell grades) from the gradebook."""
    columns = [e.id for e in course.config.exercises]
    scores = exercise_scores(course).reindex(index=ids, columns=columns).astype(float)
    scores.index.name = "student_id"
    return scores, cell_grades(course)


def load_cohort(course, scores: pd.DataFrame | None = None, cells: pd.DataFrame | None = None) -> CohortData:
    """Roster, attendance, scores and per-cell grades of ``course`` (scores from nbgrader)."""
    people = participants_frame(load_roster(course))
    ids = list(people.index)
    days = n_days(course)
    minutes = minutes_frame(ids, minutes_by_day(load_state(course.workdir)), days)
    points = {e.id: float(e.points) for e in course.config.exercises}
    if scores is None or cells is None:
        db_scores, db_cells = gradebook_frames(course, ids)
        scores = db_scores if scores is None else scores
        cells = db_cells if cells is None else cells
    scores = scores.reindex(index=ids, columns=list(points)).astype(float)
    anon_path = course.workdir / "cohort" / "anonymous.json"
    anonymous = pd.DataFrame(json.loads(anon_path.read_text("utf-8"))) if anon_path.is_file() else pd.DataFrame()
    return CohortData(people, minutes, scores, cells, points, anonymous)


# -- pseudonyms and purging ----------------------------------------------------------------------
def pseudonym_salt(workdir: Path) -> bytes:
    """A random salt kept in the working folder, so pseudonyms are stable but not reversible."""
    path = Path(workdir) / "cohort" / "pseudonym.salt"
    if not path.is_file():
        write_text_atomic(path, secrets.token_hex(32))  # never a half-written (weaker) salt
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


def pseudonym(participant_id: str, salt: bytes) -> str:
    return "P-" + hmac.new(salt, participant_id.encode(), hashlib.sha256).hexdigest()[:8].upper()
