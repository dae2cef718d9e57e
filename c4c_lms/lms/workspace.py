"""The lecturer's working folder and the nbgrader configuration derived from ``course.toml``.

nbgrader keeps its own folder names; we point them at ours: ``source`` is ``exercises/`` and
everything generated (release, submitted, autograded, feedback, gradebook) lives in the
working folder (default ``var/course/``, git-ignored).
"""

from __future__ import annotations

import logging
from pathlib import Path

from traitlets.config import Config

from c4c_lms.core.config import Course
from c4c_lms.core.exceptions import WriteError

STEPS = ("release", "submitted", "autograded", "feedback", "exchange")


def step_path(course: Course, step: str, *, student: str = "", assignment: str = "",
              notebook: str = "", suffix: str = ".ipynb") -> Path:
    """Where nbgrader keeps ``step`` of a participant's assignment, as nbgrader's own
    ``CourseDirectory.format_path`` lays it out (``<step>/<student>/<assignment>/``; the release
    step has no student level), optionally down to one notebook (``notebook`` + ``suffix``).

    Examples: ``step_path(c, "submitted", student="olena", assignment="ex01")`` is the folder;
    ``step_path(c, "autograded", student="olena", assignment="ex01", notebook="ex01")`` the file.
    """
    if step not in STEPS:
        raise ValueError(f"unknown nbgrader step {step!r}; one of {STEPS}")
    path = course.workdir / step
    for part in (student, assignment):
        if part:
            path = path / part
    return path / f"{notebook}{suffix}" if notebook else path


def nbgrader_config(course: Course) -> Config:
    """A traitlets ``Config`` that makes nbgrader work on this course's folders."""
    work = course.workdir
    c = Config()
    c.CourseDirectory.root = str(course.root)
    c.CourseDirectory.course_id = course.config.course.id
    c.CourseDirectory.source_directory = str(course.path("exercises"))
    # nbgrader joins these onto root; absolute paths keep the working folder anywhere.
    c.CourseDirectory.release_directory = str(work / "release")
    c.CourseDirectory.submitted_directory = str(work / "submitted")
    c.CourseDirectory.autograded_directory = str(work / "autograded")
    c.CourseDirectory.feedback_directory = str(work / "feedback")
    c.CourseDirectory.solution_directory = str(work / "solution")
    c.CourseDirectory.db_url = course.gradebook_url
    # We do not use nbgrader's exchange; keep it inside the working folder so it never
    # complains about (or writes to) a system-wide folder.
    c.Exchange.root = str(work / "exchange")
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]
    c.Execute.timeout = course.config.grading.cell_timeout_s
    c.Execute.interrupt_on_timeout = True
    # Rendered student output is untrusted: let nbconvert escape active HTML.
    c.HTMLExporter.sanitize_html = True
    return c


def prepare(course: Course) -> Path:
    """Create the working folder and an empty gradebook with the course's exercises."""
    from nbgrader.api import Gradebook

    work = course.workdir
    work.mkdir(parents=True, exist_ok=True)
    for step in STEPS:
        (work / step).mkdir(exist_ok=True)
    with Gradebook(course.gradebook_url, course_id=course.config.course.id) as gb:
        for assignment in course.assignment_ids():
            gb.update_or_create_assignment(assignment)
    return work


def nbgrader_api(course: Course, extra: Config | None = None):
    """nbgrader's high-level ``NbGraderAPI`` bound to this course (quiet logs)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = nbgrader_config(course)
    if extra is not None:
        config.merge(extra)
    coursedir = CourseDirectory(config=config)
    api = NbGraderAPI(coursedir=coursedir, config=config)
    api.log.setLevel(logging.WARNING)
    return api


def gradebook_write_error(err: Exception, course: Course) -> WriteError | None:
    """The :class:`WriteError` for a gradebook write that failed for want of space or rights
    (SQLite's own words, through nbgrader and SQLAlchemy), or None for any other failure."""
    text = str(err).lower()
    for sign, code in (("disk is full", "disk_full"), ("readonly database", "read_only"),
                       ("read-only", "read_only"), ("unable to open database", "read_only")):  # fmt: skip
        if sign in text:
            return WriteError(code, course.gradebook_url.removeprefix("sqlite:///"), str(err).splitlines()[0][:200])
    return None


def gradebook_exists(course: Course) -> bool:
    """Whether there is a gradebook to read (a server database always counts as there)."""
    url = course.gradebook_url
    return not url.startswith("sqlite:///") or Path(url[len("sqlite:///"):]).is_file()


def remove_from_gradebook(course: Course, participant_id: str) -> None:
    """Delete a participant and their grades from nbgrader's gradebook (if it exists)."""
    if not gradebook_exists(course):
        return
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.gradebook_url, course_id=course.config.course.id) as gb:
        try:
            gb.remove_student(participant_id)
        except MissingEntry:
            pass
