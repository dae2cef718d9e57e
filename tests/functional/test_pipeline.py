"""The lecturer's whole chain on the fixture course, through the real `c4c` commands.

roster import -> release -> submissions import -> grade -> feedback -> export, with named
submissions whose scores are known exactly.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from helpers import run_c4c

from c4c_lms.lms.feedback import unsafe_html

FIXTURE = Path(__file__).resolve().parents[1] / "files" / "course101"

# student -> (status, score) for the named fixture submissions (max 5 points).
EXPECTED = {
    "olena": ("needs_manual", 3.0),  # complete; the written answer awaits the lecturer
    "taras": ("graded", 0.0),  # blank: the released notebook as is
    "iryna": ("graded", 1.0),  # partially correct
    "petro": ("needs_manual", 2.0),  # infinite loop in one cell: timed out, other cells count
    "mariia": ("flagged", 0.0),  # edited the test cells to `pass`: restored, 0, and flagged
    "yurii": ("failed", 0.0),  # invalid JSON
    "stepan": ("flagged", 0.0),  # strips asserts with an AST transformer
    "oksana": ("needs_manual", 3.0),  # correct, with script injection in markdown and output
}


def run(root: Path, *args: str, code: int = 0):
    result = run_c4c(root, *args, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("course") / "course101"
    shutil.copytree(FIXTURE, root)
    return root


@pytest.fixture(scope="module")
def graded(course: Path) -> Path:
    run(course, "roster", "import", str(course / "roster.csv"))
    run(course, "release")
    run(course, "submissions", "import", str(course / "submissions"))
    run(course, "grade", "--workers", "2")
    return course


def state(course: Path) -> dict:
    return json.loads((course / "var/course/grading_state.json").read_text())


@pytest.mark.slow
def test_release_writes_student_versions(graded):
    """Does `c4c release` produce both language variants without solutions or hidden tests?"""
    for name in ("ps1", "ps1_en"):
        text = (graded / "var/course/release" / name / f"{name}.ipynb").read_text()
        assert "answer1_1 = 42" not in text and "HIDDEN TESTS" not in text
        assert (graded / "var/course/release/ps1/data/towns.csv").is_file()


@pytest.mark.slow
def test_grades_are_exact(graded):
    """Does every named fixture submission get exactly its expected status and score?"""
    results = state(graded)
    got = {key.split("/")[0]: (r["status"], r["score"]) for key, r in results.items()}
    assert got == EXPECTED
    assert results["yurii/ps1"]["reason"] == "invalid_json"
    assert results["stepan/ps1"]["reason"] == "tampering"
    assert results["mariia/ps1"]["reason"] == "tests_edited"
    assert results["mariia/ps1"]["detail"] == "q1_1, q1_2"


@pytest.mark.slow
def test_regrading_is_idempotent(graded):
    """Does running `c4c grade` again keep every result and leave graded files untouched?"""
    autograded = graded / "var/course/autograded/olena/ps1/ps1.ipynb"
    before_mtime = autograded.stat().st_mtime
    before = state(graded)
    output = run(graded, "grade")
    assert state(graded) == before
    assert autograded.stat().st_mtime == before_mtime
    assert "needs manual grading" in output and "flagged" in output


@pytest.mark.slow
def test_tampered_submission_is_flagged_in_gradebook(graded):
    """Does a tampered submission score 0 in nbgrader's own gradebook and get flagged for review?

    Its tests ran in their own kernel, so the tampering had nothing to act on: no points need
    withholding; the integrity cell's verdict still reaches the lecturer as a flag.
    """
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded / 'var/course/gradebook.db'}", course_id="course101") as gb:
        submission = gb.find_submission("ps1", "stepan")
        assert submission.score == 0
        assert all((g.auto_score or 0) == 0 for nb in submission.notebooks for g in nb.grades)
    state = json.loads((graded / "var/course/grading_state.json").read_text(encoding="utf-8"))
    assert (state["stepan/ps1"]["status"], state["stepan/ps1"]["reason"]) == ("flagged", "tampering")


@pytest.mark.slow
def test_feedback_hides_tests_and_scripts(graded):
    """Is feedback free of hidden tests and of the participant's scripts and handlers?"""
    output = run(graded, "feedback")
    assert "7 written, 0 failed" in output  # every autograded submission; the invalid JSON has none
    html = (graded / "var/course/feedback/oksana/ps1/ps1.html").read_text()
    assert "HIDDEN TESTS" not in html and "== 42" not in html
    assert "md-xss" not in html  # the <script> element is gone, content and all
    assert not re.search(r"<[a-z]+[^>]*\son\w+\s*=", html, re.I)  # no event-handler attributes
    assert not re.search(r"(href|src)\s*=\s*[\"']?\s*javascript:", html, re.I)
    assert "Council approval" in html and "bold" in html  # the harmless text survives
    assert unsafe_html(html) == []
    for file in (graded / "var/course/feedback").rglob("*.html"):
        assert "HIDDEN TESTS" not in file.read_text()


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@pytest.mark.slow
def test_exports(graded, tmp_path):
    """Do the Moodle, Canvas and long CSV exports carry the exact scores per participant?"""
    run(graded, "export", "grades", "--format", "moodle", "-o", str(tmp_path / "m.csv"))
    moodle = read_csv(tmp_path / "m.csv")
    assert moodle[0] == ["Email address", "First name", "Last name", "First exercise (ps1)"]
    by_email = {row[0]: row[3] for row in moodle[1:]}
    assert by_email["olena@example.org"] == "3" and by_email["iryna@example.org"] == "1"
    assert by_email["yurii@example.org"] == ""  # failed: no score to import
    run(graded, "export", "grades", "--format", "canvas", "-o", str(tmp_path / "c.csv"))
    canvas = read_csv(tmp_path / "c.csv")
    assert canvas[1][0].strip() == "Points Possible" and canvas[1][5] == "5"
    assert ["Koval, Olena", "101", "olena"] == canvas[2][:3]
    run(graded, "export", "grades", "--format", "csv", "-o", str(tmp_path / "l.csv"))
    long = read_csv(tmp_path / "l.csv")
    scores = {row[3]: row[7] for row in long[1:]}
    assert scores == {"olena": "3", "taras": "0", "iryna": "1", "petro": "2", "mariia": "0",
                      "stepan": "0", "oksana": "3"}  # fmt: skip


@pytest.mark.slow
def test_moodle_zip_import_keeps_newer(graded, tmp_path):
    """Does a Moodle 'download all' ZIP map names to the roster and never replace newer work?"""
    notebook = (FIXTURE / "submissions/olena/ps1.ipynb").read_bytes()
    archive = tmp_path / "moodle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        old = zipfile.ZipInfo("Олена Коваль_101_assignsubmission_file_ps1.ipynb", (2020, 1, 1, 0, 0, 0))
        zf.writestr(old, notebook)
        new = zipfile.ZipInfo("Taras Shevchuk_102_assignsubmission_file_/ps1 (1).ipynb",
                              (2099, 1, 1, 0, 0, 0))  # fmt: skip
        zf.writestr(new, notebook)
        zf.writestr(zipfile.ZipInfo("Nobody Known_999_assignsubmission_file_ps1.ipynb"), notebook)
        zf.writestr(zipfile.ZipInfo("../../evil/ps1.ipynb"), notebook)
    output = run(graded, "submissions", "import", str(archive))
    assert "Submissions imported: 1" in output
    assert "Skipped (a newer submission is already there): 1" in output
    assert "'Nobody Known' is not on the roster" in output
    stamp = (graded / "var/course/submitted/taras/ps1/timestamp.txt").read_text()
    assert stamp.startswith("2099-01-01")
    assert not (graded / "evil").exists() and not (graded.parent / "evil").exists()
