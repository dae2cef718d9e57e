"""Bringing participants' notebooks into nbgrader's ``submitted/`` folder.

Sources: a folder or a ZIP, laid out as ``<student>/<assignment>.ipynb`` or
``<student>/<assignment>/<assignment>.ipynb``, or an LMS "download all submissions" ZIP.
Moodle names files ``Full Name_12345_assignsubmission_file_<original name>`` (or puts them in
a folder of that name); we map the name or the Moodle id to the roster.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from c4c_lms.core.config import Course
from c4c_lms.core.files import remove_stale_staging, replace_folder, staging_folder
from c4c_lms.lms.roster import STUDENT_ID, Participant, find_by_name, load_roster

MOODLE = re.compile(r"^(?P<name>.+?)_(?P<moodle_id>\d+)_assignsubmission_(?:file|onlinetext)_(?P<rest>.*)$")
COPY_SUFFIX = re.compile(r"\s*\(\d+\)$")  # "ex01 (1).ipynb" from repeated downloads
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"


@dataclass
class Incoming:
    origin: str  # path as found in the folder or ZIP
    data: bytes
    timestamp: dt.datetime
    student_hint: str = ""
    moodle_id: str = ""
    filename: str = ""


@dataclass
class ImportReport:
    imported: list[tuple[str, str, str]] = field(default_factory=list)  # student, assignment, origin
    skipped_older: list[tuple[str, str, str]] = field(default_factory=list)
    unknown_student: list[tuple[str, str]] = field(default_factory=list)  # origin, reason
    unknown_exercise: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # origin, reason


def _from_zip(path: Path, max_bytes: int) -> tuple[list[Incoming], list[tuple[str, str]]]:
    found, rejected = [], []
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if name.suffix.lower() != ".ipynb" or "__MACOSX" in name.parts:
                continue
            if info.file_size > max_bytes:  # checked before reading: no zip bombs
                rejected.append((info.filename, f"larger than {max_bytes // 1_000_000} MB"))
                continue
            stamp = dt.datetime(*info.date_time, tzinfo=dt.timezone.utc)
            found.append(_describe(str(name), zf.read(info), stamp))
    return found, rejected


def _from_dir(path: Path, max_bytes: int) -> tuple[list[Incoming], list[tuple[str, str]]]:
    found, rejected = [], []
    for file in sorted(path.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in file.parts or file.is_symlink():
            continue
        rel = file.relative_to(path).as_posix()
        if file.stat().st_size > max_bytes:
            rejected.append((rel, f"larger than {max_bytes // 1_000_000} MB"))
            continue
        stamp = dt.datetime.fromtimestamp(file.stat().st_mtime, tz=dt.timezone.utc)
        found.append(_describe(rel, file.read_bytes(), stamp))
    return found, rejected


def _describe(origin: str, data: bytes, stamp: dt.datetime) -> Incoming:
    parts = PurePosixPath(origin).parts
    item = Incoming(origin, data, stamp, filename=parts[-1])
    for part in parts:  # Moodle puts the marker on the file or on its folder
        m = MOODLE.match(part)
        if m:
            item.student_hint = m.group("name")
            item.moodle_id = m.group("moodle_id")
            if part == parts[-1]:
                item.filename = m.group("rest")
            return item
    if len(parts) >= 2:
        item.student_hint = parts[0]
    return item


def _assignment_for(item: Incoming, assignments: list[str], forced: str | None) -> str | None:
    stem = COPY_SUFFIX.sub("", PurePosixPath(item.filename).stem).strip().lower()
    if stem in assignments:
        return stem
    parents = [p.lower() for p in PurePosixPath(item.origin).parts[:-1]]
    for part in parents:
        if part in assignments:
            return part
    return forced


def _student_for(item: Incoming, roster: list[Participant]) -> tuple[str | None, str]:
    by_id = {p.id: p for p in roster}
    if item.moodle_id:
        matches = [p for p in roster if p.lms_user_id == item.moodle_id]
        if len(matches) == 1:
            return matches[0].id, ""
    if item.student_hint in by_id:
        return item.student_hint, ""
    if item.student_hint:
        by_email = [p for p in roster if p.email and p.email == item.student_hint.lower()]
        matches = by_email or find_by_name(roster, item.student_hint)
        if len(matches) == 1:
            return matches[0].id, ""
        if len(matches) > 1:
            return None, f"{item.student_hint!r} matches {len(matches)} participants"
        return None, f"{item.student_hint!r} is not on the roster"
    return None, "no participant name or id in the path"


def read_timestamp(folder: Path) -> dt.datetime | None:
    stamp = folder / "timestamp.txt"
    if not stamp.is_file():
        return None
    text = stamp.read_text().strip()
    for fmt in (TIMESTAMP_FORMAT, "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            value = dt.datetime.strptime(text.replace(" UTC", " UTC"), fmt)
            return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        except ValueError:
            continue
    return None


def import_submissions(course: Course, source: Path, exercise: str | None = None) -> ImportReport:
    """Copy notebooks from a folder or ZIP into ``<workdir>/submitted/<student>/<assignment>/``.

    A submission never replaces a newer one already imported.
    """
    source = Path(source)
    remove_stale_staging(course.workdir / "submitted")  # what an interrupted import left half-built
    max_bytes = int(course.config.grading.max_notebook_mb * 1_000_000)
    if source.is_dir():
        items, rejected = _from_dir(source, max_bytes)
    elif zipfile.is_zipfile(source):
        items, rejected = _from_zip(source, max_bytes)
    else:
        report = ImportReport()
        report.rejected.append((str(source), "neither a folder nor a ZIP file"))
        return report
    assignments = course.assignment_ids()
    forced = None
    if exercise:  # a variant id is taken as is; an exercise id means its course-language variant
        ids = course.assignment_ids([exercise])
        forced = exercise if exercise in ids else course.exercise(exercise).variants.get(
            course.config.course.language, ids[0])  # fmt: skip
    roster = load_roster(course)
    report = ImportReport(rejected=rejected)
    # Newest first per (student, assignment) so that an older copy in the same batch loses.
    items.sort(key=lambda i: i.timestamp, reverse=True)
    taken: set[tuple[str, str]] = set()
    for item in items:
        assignment = _assignment_for(item, assignments, forced)
        if assignment is None:
            report.unknown_exercise.append(item.origin)
            continue
        student, why = _student_for(item, roster)
        if student is None:
            report.unknown_student.append((item.origin, why))
            continue
        if not STUDENT_ID.match(student) or ".." in student:
            report.rejected.append((item.origin, "unsafe participant id"))
            continue
        key = (student, assignment)
        folder = course.workdir / "submitted" / student / assignment
        existing = read_timestamp(folder)
        if key in taken or (existing is not None and existing >= item.timestamp):
            report.skipped_older.append((student, assignment, item.origin))
            continue
        taken.add(key)
        # Built beside the old submission and swapped in whole: a crash leaves the old notebook
        # with its timestamp or the new one with its own, never a mix.
        staged = staging_folder(folder)
        (staged / f"{assignment}.ipynb").write_bytes(item.data)
        (staged / "timestamp.txt").write_text(item.timestamp.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
        replace_folder(staged, folder)
        report.imported.append((student, assignment, item.origin))
    return report
