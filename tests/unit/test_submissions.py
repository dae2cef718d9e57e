"""Submissions import: file naming, --exercise, refusals."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from c4c_lms.core.config import load_course
from c4c_lms.lms.roster import import_roster
from c4c_lms.lms.submissions import import_submissions

FIXTURE = Path(__file__).resolve().parents[1] / "files" / "course101"


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "c"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("submissions"))
    course = load_course(root)
    import_roster(course, root / "roster.csv")
    return course


def test_exercise_option_names_unlabelled_files(course, tmp_path):
    """Does --exercise place files whose names say nothing, and refuse them without it?"""
    notebook = (FIXTURE / "submissions" / "olena" / "ps1.ipynb").read_bytes()
    (tmp_path / "in" / "olena").mkdir(parents=True)
    (tmp_path / "in" / "olena" / "homework.ipynb").write_bytes(notebook)
    report = import_submissions(course, tmp_path / "in")
    assert report.unknown_exercise == ["olena/homework.ipynb"] and not report.imported
    report = import_submissions(course, tmp_path / "in", exercise="ps1_en")
    assert report.imported == [("olena", "ps1_en", "olena/homework.ipynb")]
    assert (course.workdir / "submitted/olena/ps1_en/ps1_en.ipynb").read_bytes() == notebook
    report = import_submissions(course, tmp_path / "in", exercise="ps1")  # the course language (uk)
    assert report.imported == [("olena", "ps1", "olena/homework.ipynb")]


def test_oversized_and_unknown_sources_are_refused(course, tmp_path):
    """Are a notebook over the size limit and a source that is neither folder nor ZIP refused?"""
    (tmp_path / "in" / "taras").mkdir(parents=True)
    (tmp_path / "in" / "taras" / "ps1.ipynb").write_bytes(b" " * 6_000_000)  # limit is 5 MB
    report = import_submissions(course, tmp_path / "in")
    assert report.rejected == [("taras/ps1.ipynb", "larger than 5 MB")] and not report.imported
    (tmp_path / "notes.txt").write_text("hello")
    report = import_submissions(course, tmp_path / "notes.txt")
    assert report.rejected[0][1] == "neither a folder nor a ZIP file"
