"""The participant roster: import from CSV/XLSX, stored beside nbgrader's gradebook.

Full records (both scripts of the name, community, oblast, role) are kept in
``<workdir>/roster.json``; nbgrader's ``student`` table gets id, Latin name and email so the
formgrader and its exports show the same people. An import is all-or-nothing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from c4c_lms.core.config import Course
from c4c_lms.core.exceptions import InputFileError
from c4c_lms.core.romanise import romanise
from c4c_lms.core.files import read_table, write_text_atomic
from c4c_lms.lms.workspace import gradebook_write_error

# Allow-list: letters, digits, dot, dash, underscore; must start with a letter or digit.
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Header aliases lecturers' spreadsheets use (Ukrainian and English).
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "student_id", "participant_id", "ідентифікатор", "код"),
    "first_name_uk": ("first_name_uk", "ім'я", "імʼя", "ім’я", "first name (uk)"),
    "last_name_uk": ("last_name_uk", "прізвище", "last name (uk)"),
    "first_name_lat": ("first_name_lat", "first_name", "first name", "ім'я (латиницею)"),
    "last_name_lat": ("last_name_lat", "last_name", "last name", "прізвище (латиницею)"),
    "email": ("email", "e-mail", "електронна пошта", "пошта"),
    "community": ("community", "hromada", "громада"),
    "oblast": ("oblast", "область"),
    "role": ("role", "position", "посада", "роль"),
    "community_type": ("community_type", "тип громади", "hromada_type"),
    "lms_user_id": ("lms_user_id", "moodle_id", "canvas_id"),
}


class Participant(BaseModel):
    """One course participant."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Student id used by nbgrader (allow-listed characters only).")
    first_name_uk: str = ""
    last_name_uk: str = ""
    first_name_lat: str = ""
    last_name_lat: str = ""
    email: str = ""
    community: str = ""
    oblast: str = ""
    role: str = ""
    community_type: str = ""
    lms_user_id: str = ""

    @field_validator("id")
    @classmethod
    def _safe_id(cls, value: str) -> str:
        if not STUDENT_ID.match(value) or ".." in value:
            raise ValueError(
                "id may hold only Latin letters, digits, '.', '-', '_' (no spaces, '/', '..')"
            )
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not EMAIL.match(value):
            raise ValueError(f"not an email address: {value!r}")
        return value.lower()

    def model_post_init(self, _context: object) -> None:
        # Fill the Latin name from the Ukrainian one when the spreadsheet left it empty.
        if not self.first_name_lat and self.first_name_uk:
            self.first_name_lat = romanise(self.first_name_uk)
        if not self.last_name_lat and self.last_name_uk:
            self.last_name_lat = romanise(self.last_name_uk)

    @property
    def name_uk(self) -> str:
        return f"{self.first_name_uk} {self.last_name_uk}".strip()

    @property
    def name_lat(self) -> str:
        return f"{self.first_name_lat} {self.last_name_lat}".strip()


def roster_path(course: Course) -> Path:
    return course.workdir / "roster.json"


def load_roster(course: Course) -> list[Participant]:
    """All participants, in import order (empty before the first import)."""
    path = roster_path(course)
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Participant.model_validate(p) for p in data["participants"]]


def _column_map(header: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for field, names in ALIASES.items():
        for name in names:
            if name in header:
                mapping[field] = name
                break
    return mapping


def parse_roster(path: Path) -> tuple[list[Participant], str]:
    """Validate every row of a roster file; raise with all problems, or return participants."""
    table = read_table(path)
    columns = _column_map(table.header)
    problems: list[tuple[str, str]] = []
    if "id" not in columns:
        problems.append(("header", "no 'id' column (participant id)"))
    if not ({"first_name_uk", "first_name_lat"} & columns.keys()):
        problems.append(("header", "no first-name column (first_name_uk or first_name_lat)"))
    if problems:
        raise InputFileError(str(path), problems)
    participants: list[Participant] = []
    seen: dict[str, int] = {}
    seen_email: dict[str, int] = {}
    for line, row in table.rows:
        record = {field: row.get(col, "") for field, col in columns.items()}
        try:
            p = Participant.model_validate(record)
        except ValidationError as err:
            for e in err.errors():
                field = ".".join(str(x) for x in e["loc"])
                problems.append((f"row {line}", f"{field}: {e['msg'].removeprefix('Value error, ')}"))
            continue
        if p.id in seen:
            problems.append((f"row {line}", f"id {p.id!r} already used in row {seen[p.id]}"))
            continue
        if p.email and p.email in seen_email:
            problems.append((f"row {line}", f"email {p.email} already used in row {seen_email[p.email]}"))
            continue
        seen[p.id] = line
        if p.email:
            seen_email[p.email] = line
        participants.append(p)
    if problems:
        raise InputFileError(str(path), problems)
    return participants, table.encoding


def save_roster(course: Course, participants: list[Participant]) -> None:
    payload = {"participants": [p.model_dump() for p in participants]}
    write_text_atomic(roster_path(course), json.dumps(payload, ensure_ascii=False, indent=1))


def store(course: Course, participants: list[Participant], changed: list[Participant]) -> None:
    """Write ``changed`` into the gradebook (one transaction), then the whole roster file."""
    from nbgrader.api import Gradebook

    course.workdir.mkdir(parents=True, exist_ok=True)
    try:
        with Gradebook(course.gradebook_url, course_id=course.config.course.id) as gb:
            for p in changed:
                gb.update_or_create_student(p.id, first_name=p.first_name_lat, last_name=p.last_name_lat,
                                            email=p.email or None, lms_user_id=p.lms_user_id or None)
    except Exception as err:  # a full disk or a read-only folder: say so; the roster file is untouched
        translated = gradebook_write_error(err, course)
        if translated is None:
            raise
        raise translated from err
    save_roster(course, participants)


def import_roster(course: Course, path: Path) -> dict[str, object]:
    """Add or update participants from ``path``; all rows valid or nothing changes.

    Returns counts: ``added``, ``updated``, ``total`` and the ``encoding`` detected.
    """
    incoming, encoding = parse_roster(Path(path))
    current = {p.id: p for p in load_roster(course)}
    added = sum(1 for p in incoming if p.id not in current)
    updated = sum(1 for p in incoming if p.id in current and current[p.id] != p)
    emails = {p.email: p.id for p in current.values() if p.email}
    clashes = [
        (p.id, p.email) for p in incoming if p.email and emails.get(p.email, p.id) != p.id
    ]
    if clashes:
        raise InputFileError(
            str(path), [(pid, f"email {email} belongs to another participant") for pid, email in clashes]
        )
    merged = dict(current)
    merged.update({p.id: p for p in incoming})
    store(course, list(merged.values()), incoming)
    return {"added": added, "updated": updated, "total": len(merged), "encoding": encoding}


def sync_gradebook(course: Course) -> int:
    """Write every stored participant into the gradebook at ``course.gradebook_url`` (a hosted
    course's PostgreSQL gradebook starts empty); returns how many."""
    from nbgrader.api import Gradebook

    participants = load_roster(course)
    with Gradebook(course.gradebook_url, course_id=course.config.course.id) as gb:
        for p in participants:
            gb.update_or_create_student(p.id, first_name=p.first_name_lat, last_name=p.last_name_lat,
                                        email=p.email or None, lms_user_id=p.lms_user_id or None)
    return len(participants)


def find_by_name(participants: list[Participant], full_name: str) -> list[Participant]:
    """Participants whose name (either script, either order) equals ``full_name``, ignoring case."""
    wanted = " ".join(full_name.lower().split())
    wanted_lat = romanise(wanted).lower()
    found = []
    for p in participants:
        names = {
            f"{p.first_name_uk} {p.last_name_uk}", f"{p.last_name_uk} {p.first_name_uk}",
            f"{p.first_name_lat} {p.last_name_lat}", f"{p.last_name_lat} {p.first_name_lat}",
        }  # fmt: skip
        names = {" ".join(n.lower().split()) for n in names if n.strip()}
        if wanted in names or wanted_lat in names:
            found.append(p)
    return found
