"""Course configuration: typed loading and file:line errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from c4c_lms.core.config import load_course
from c4c_lms.core.exceptions import ConfigError

FIXTURE = Path(__file__).resolve().parents[1] / "files" / "course101"


@pytest.fixture
def course_dir(tmp_path) -> Path:
    root = tmp_path / "c"
    shutil.copytree(FIXTURE / "course", root / "course")
    return root


def test_project_course_loads(repo):
    """Does the project's own course.toml load with five exercises in two languages?"""
    course = load_course(repo)
    assert len(course.config.exercises) == 5
    assert all(set(e.variants) == {"uk", "en"} for e in course.config.exercises)
    assert [d.number for d in course.syllabus.day] == [1, 2, 3, 4, 5]


def test_wrong_value_reports_file_and_line(course_dir):
    """Is a negative point value reported with the file and the line it is on?"""
    toml = course_dir / "course" / "course.toml"
    toml.write_text(toml.read_text().replace("points = 5", "points = -5"))
    with pytest.raises(ConfigError) as err:
        load_course(course_dir)
    line = next(i for i, t in enumerate(toml.read_text().splitlines(), 1) if "points = -5" in t)
    assert f"course.toml:{line}: exercises.0.points" in str(err.value)


def test_unknown_key_and_syntax_error(course_dir):
    """Are a misspelt key and a TOML syntax error both reported, not crashed on?"""
    toml = course_dir / "course" / "course.toml"
    toml.write_text(toml.read_text().replace("hours = 4", "hours = 4\nhuors = 5"))
    with pytest.raises(ConfigError) as err:
        load_course(course_dir)
    line = next(i for i, t in enumerate(toml.read_text().splitlines(), 1) if t.startswith("huors"))
    assert f"course.toml:{line}: course.huors: Extra inputs" in str(err.value)
    toml.write_text("[course\nid=")
    with pytest.raises(ConfigError) as err:
        load_course(course_dir)
    assert "TOML syntax error" in str(err.value)


def test_dates_and_required_exercises_validated(course_dir):
    """Are an end date before the start and an undeclared required exercise refused?"""
    toml = course_dir / "course" / "course.toml"
    text = toml.read_text()
    toml.write_text(text.replace("end = 2024-01-16", "end = 2024-01-01"))
    with pytest.raises(ConfigError, match="end is before its start"):
        load_course(course_dir)
    toml.write_text(text.replace("min_score_percent = 50", 'min_score_percent = 50\nrequired_exercises = ["nope"]'))
    with pytest.raises(ConfigError, match="required exercises not declared: nope"):
        load_course(course_dir)


def test_assignment_ids_by_exercise_or_variant(course_dir):
    """Does an exercise id expand to its language variants, and a variant stay itself?"""
    course = load_course(course_dir)
    assert course.assignment_ids(["ps1"]) == ["ps1", "ps1_en"]
    assert course.assignment_ids(["ps1_en"]) == ["ps1_en"]
    with pytest.raises(ConfigError, match="unknown exercise: zz"):
        course.assignment_ids(["zz"])


def test_workdir_override(course_dir, monkeypatch, tmp_path):
    """Does C4C_WORKDIR move the lecturer's folder and the gradebook with it?"""
    monkeypatch.setenv("C4C_WORKDIR", str(tmp_path / "elsewhere"))
    course = load_course(course_dir)
    assert course.workdir == tmp_path / "elsewhere"
    assert course.gradebook_url.endswith("elsewhere/gradebook.db")
