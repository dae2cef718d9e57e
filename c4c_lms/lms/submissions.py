"""Bringing participants' notebooks into nbgrader's ``submitted/`` folder.

Sources: a folder or a ZIP, laid out as ``<student>/<assignment>.ipynb`` or
``<student>/<assignment>/<assignment>.ipynb``, or an LMS "download all submissions" ZIP.
Moodle names files ``Full Name_12345_assignsubmission_file_<original name>`` (or puts them in
a folder of that name); we map the name or the Moodle id to the roster.

ZIP names written without the UTF-8 flag are decoded as their Windows archiver wrote them
(:mod:`c4c_lms.lms.zipnames`) or the import is refused. Two LMS accounts (or two folders) that
map to one participant for one exercise are a conflict: both files are kept under
``<workdir>/conflicts/`` and neither is imported until the roster says which account is theirs
(its ``lms_user_id``). A newer notebook whose answers are still the released blanks never
replaces an answered one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from c4c_lms.core.config import Course
from c4c_lms.core.files import remove_stale_staging, replace_folder, staging_folder
from c4c_lms.lms.roster import STUDENT_ID, Participant, find_by_name, load_roster
from c4c_lms.lms.workspace import step_path
from c4c_lms.lms.zipnames import decoded_names

MOODLE = re.compile(r"^(?P<name>.+?)_(?P<moodle_id>\d+)_assignsubmission_(?:file|onlinetext)_(?P<rest>.*)$")
COPY_SUFFIX = re.compile(r"\s*\(\d+\)$")  # "ex01 (1).ipynb" from repeated downloads
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
ACCOUNT_FILE = ".c4c_account"  # which LMS account a submitted folder came from (nbgrader skips dot files)


@dataclass
class Incoming:
    origin: str  # path as found in the folder or ZIP
    data: bytes
    timestamp: dt.datetime
    student_hint: str = ""
    moodle_id: str = ""
    filename: str = ""

    @property
    def account(self) -> str:
        """The LMS account (or folder) the file came from: two of them for one participant
        and exercise is a conflict."""
        if self.moodle_id:
            return f"moodle:{self.moodle_id}"
        return f"name:{' '.join(self.student_hint.lower().split())}" if self.student_hint else ""


@dataclass
class ImportReport:
    imported: list[tuple[str, str, str]] = field(default_factory=list)  # student, assignment, origin
    skipped_older: list[tuple[str, str, str]] = field(default_factory=list)
    unknown_student: list[tuple[str, str]] = field(default_factory=list)  # origin, reason
    unknown_exercise: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # origin, reason
    # student, assignment, origins (all kept in ``kept``), none imported
    conflicts: list[tuple[str, str, list[str], str]] = field(default_factory=list)
    kept_answered: list[tuple[str, str, str]] = field(default_factory=list)  # a blank did not replace


def _from_zip(path: Path, max_bytes: int, roster: list[Participant]) -> tuple[list[Incoming], list[tuple[str, str]]]:
    found, rejected = [], []
    with zipfile.ZipFile(path) as zf:
        infos = [info for info in zf.infolist() if not info.is_dir()]
        names = decoded_names(str(path), infos, lambda n: _on_roster(n, roster))
        for info in infos:
            name = PurePosixPath(names[info.filename].replace("\\", "/"))
            if name.suffix.lower() != ".ipynb" or "__MACOSX" in name.parts:
                continue
            if info.file_size > max_bytes:  # checked before reading: no zip bombs
                rejected.append((str(name), f"larger than {max_bytes // 1_000_000} MB"))
                continue
            stamp = dt.datetime(*info.date_time, tzinfo=dt.timezone.utc)
            found.append(_describe(str(name), zf.read(info), stamp))
    return found, rejected


def _on_roster(name: str, roster: list[Participant]) -> bool:
    """Does a (decoded) path in a ZIP name a participant on the roster?"""
    item = _describe(name.replace("\\", "/"), b"", dt.datetime.now(dt.timezone.utc))
    return _student_for(item, roster)[0] is not None


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
        if len(matches) == 1 and item.moodle_id and matches[0].lms_user_id not in ("", item.moodle_id):
            return None, (f"{item.student_hint!r}: Moodle account {item.moodle_id} is not "
                          f"{matches[0].id}'s ({matches[0].lms_user_id})")  # fmt: skip
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

    A submission never replaces a newer one already imported, nor an answered one with the
    released blanks; two accounts for one participant and exercise import neither (see the
    module's docstring). Raises :class:`ArchiveNamesError` for a ZIP whose names cannot be read.
    """
    source = Path(source)
    remove_stale_staging(course.workdir / "submitted")  # what an interrupted import left half-built
    max_bytes = int(course.config.grading.max_notebook_mb * 1_000_000)
    roster = load_roster(course)
    if source.is_dir():
        items, rejected = _from_dir(source, max_bytes)
    elif zipfile.is_zipfile(source):
        items, rejected = _from_zip(source, max_bytes, roster)
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
    report = ImportReport(rejected=rejected)
    by_id = {p.id: p for p in roster}
    groups: dict[tuple[str, str], list[Incoming]] = {}
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
        groups.setdefault((student, assignment), []).append(item)
    for (student, assignment), group in sorted(groups.items()):
        folder = step_path(course, "submitted", student=student, assignment=assignment)
        accounts = {i.account for i in group} - {""}
        recorded = _recorded_account(folder)
        # An earlier import from another Moodle account counts too, unless the roster already
        # names the participant's account (then only that account's files reach this point).
        if recorded.startswith("moodle:") and not by_id[student].lms_user_id \
                and any(a.startswith("moodle:") for a in accounts):  # fmt: skip
            accounts.add(recorded)
        if len(accounts) > 1:
            kept = _keep_conflict(course, student, assignment, group)
            report.conflicts.append((student, assignment, sorted(i.origin for i in group), str(kept)))
            continue
        # Newest first so that an older copy in the same batch loses.
        newest, *older = sorted(group, key=lambda i: i.timestamp, reverse=True)
        report.skipped_older += [(student, assignment, i.origin) for i in older]
        existing = read_timestamp(folder)
        if existing is not None and existing >= newest.timestamp:
            report.skipped_older.append((student, assignment, newest.origin))
            continue
        released = step_path(course, "release", assignment=assignment, notebook=assignment)
        current = folder / f"{assignment}.ipynb"
        if current.is_file() and _blank(newest.data, released) and not _blank(current.read_bytes(), released):
            report.kept_answered.append((student, assignment, newest.origin))
            continue
        # Built beside the old submission and swapped in whole: a crash leaves the old notebook
        # with its timestamp or the new one with its own, never a mix.
        staged = staging_folder(folder)
        (staged / f"{assignment}.ipynb").write_bytes(newest.data)
        (staged / "timestamp.txt").write_text(newest.timestamp.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
        (staged / ACCOUNT_FILE).write_text(newest.account, encoding="utf-8")
        replace_folder(staged, folder)
        report.imported.append((student, assignment, newest.origin))
    return report


def _recorded_account(folder: Path) -> str:
    try:
        return (folder / ACCOUNT_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _keep_conflict(course: Course, student: str, assignment: str, group: list[Incoming]) -> Path:
    """Keep every file of a conflict in ``<workdir>/conflicts/<student>/<assignment>/``."""
    kept = course.workdir / "conflicts" / student / assignment
    kept.mkdir(parents=True, exist_ok=True)
    for n, item in enumerate(sorted(group, key=lambda i: i.origin), start=1):
        safe = re.sub(r"[^\w.() -]+", "_", item.origin.replace("/", "__"))[-150:]
        (kept / f"{n:02d}_{safe}").write_bytes(item.data)
    return kept


def _answers(data: bytes) -> dict[str, str] | None:
    """Sources of a notebook's answer cells by grade id (None if it is not a notebook)."""
    try:
        cells = json.loads(data.decode("utf-8"))["cells"]
        return {c["metadata"]["nbgrader"]["grade_id"]: "".join(c.get("source", "")).strip()
                for c in cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")}  # fmt: skip
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _blank(data: bytes, released: Path) -> bool:
    """Are the notebook's answers exactly the released ones (nothing answered)?"""
    try:
        theirs, blank = _answers(data), _answers(released.read_bytes())
    except OSError:
        return False
    return theirs is not None and blank is not None and bool(blank) and theirs == blank
