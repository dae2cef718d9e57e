"""``c4c course check``: the configuration, the syllabus and every notebook they name."""

from __future__ import annotations

import json
import re
from pathlib import Path

from c4c_lms.core.config import Course, load_course
from c4c_lms.core.exceptions import ConfigError
from c4c_lms.lms.grading.declared import problems as declared_problems


def _line(path: Path, pattern: str) -> int:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(pattern, line):
                return number
    except OSError:
        pass
    return 1


def _notebook_problems(path: Path) -> tuple[list[str], dict | None]:
    import nbformat

    if not path.is_file():
        return [f"{path}:1: notebook missing"], None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        line = getattr(err, "lineno", 1)
        return [f"{path}:{line}: not a valid notebook file: {err}"], None
    try:
        nb = nbformat.from_dict(raw)
        nbformat.validate(nb)
    except Exception as err:  # nbformat raises ValidationError and friends
        return [f"{path}:1: notebook does not follow the notebook format: {str(err).splitlines()[0]}"], None
    return [], raw


def graded_points(raw: dict) -> float:
    """Sum of nbgrader points of the graded cells of a source notebook."""
    total = 0.0
    for cell in raw.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            total += float(meta.get("points", 0))
    return total


def check_course(course: Course) -> tuple[list[str], int]:
    """All problems as ``file:line: message`` strings and the number of notebooks checked."""
    problems: list[str] = []
    checked = 0
    toml = course.root / "course" / "course.toml"
    syllabus = course.root / course.config.paths.syllabus
    exercise_ids = {e.id for e in course.config.exercises}
    modules, exercises, apps = course.path("modules"), course.path("exercises"), course.path("apps")
    for day in course.syllabus.day:
        for name in (f"{day.module}.ipynb", f"{day.module}_en.ipynb"):
            nb = modules / day.module / name
            found, _ = _notebook_problems(nb)
            problems += [p.replace(":1:", f":1: (syllabus day {day.number})", 1) for p in found]
            checked += 1
        if day.exercise and day.exercise not in exercise_ids:
            line = _line(syllabus, r'exercise\s*=\s*"' + re.escape(day.exercise) + '"')
            problems.append(f"{syllabus}:{line}: day {day.number}: "
                            f"exercise {day.exercise!r} is not declared in course.toml")
        for app in day.apps:
            found, _ = _notebook_problems(apps / app / "index.ipynb")
            problems += found
            checked += 1
    for index, exercise in enumerate(course.config.exercises):
        line = _line(toml, rf'^id\s*=\s*"{exercise.id}"')
        grade_ids: dict[str, list[tuple[str, float]]] = {}
        for lang, assignment in exercise.variants.items():
            nb_path = exercises / assignment / f"{assignment}.ipynb"
            found, raw = _notebook_problems(nb_path)
            checked += 1
            if found:
                problems += [f"{toml}:{line}: exercise {exercise.id} ({lang}): {p}" for p in found]
                continue
            problems += [f"{toml}:{line}: exercise {exercise.id} ({lang}): {nb_path}: {p}"
                         for p in declared_problems(raw)]
            points = graded_points(raw)
            if abs(points - exercise.points) > 1e-9:
                problems.append(f"{toml}:{line}: exercise {exercise.id} ({lang}) declares "
                                f"{exercise.points:g} points but {nb_path} has {points:g}")
            grade_ids[lang] = sorted(
                (c["metadata"]["nbgrader"]["grade_id"], float(c["metadata"]["nbgrader"].get("points", 0)))
                for c in raw["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")
            )  # fmt: skip
        if len(set(map(tuple, grade_ids.values()))) > 1:
            problems.append(f"{toml}:{line}: exercise {exercise.id}: language variants differ "
                            "in grade ids or points")
        if exercise.module not in {d.module for d in course.syllabus.day}:
            problems.append(f"{toml}:{line}: exercise {exercise.id}: module {exercise.module!r} "
                            "is not in the syllabus")
    return problems, checked


def check(root: Path | None = None) -> tuple[list[str], int, Course | None]:
    """Load and check; configuration errors come back as problems rather than exceptions."""
    try:
        course = load_course(root)
    except ConfigError as err:
        return err.problems, 0, None
    problems, checked = check_course(course)
    return problems, checked, course
