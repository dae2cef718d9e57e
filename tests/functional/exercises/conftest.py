"""Session fixtures for the exercise tests: one course copy, released and graded once per session.

The course is a copy of the real ``course/`` and ``exercises/`` in a temporary folder, driven
through the lecturer's commands (``c4c release``, ``c4c grade``) with click's CliRunner.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# The exercise specs and their builder are authoring tools (tools/exercises/), not tests.
for _folder in (HERE, HERE.parents[2] / "tools" / "exercises"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

from build_exercises import available_specs  # noqa: E402
from helpers import run_c4c  # noqa: E402
from exbuild import EXERCISES, LANGS, REPO, assignment_dir  # noqa: E402


def all_assignments() -> list[str]:
    return [assignment_dir(spec.EXERCISE, lang).name
            for spec in available_specs() for lang in LANGS]


def c4c(root: Path, *args: str) -> str:
    """Run a real `c4c` command on the course at ``root``; fail the test on a non-zero exit."""
    return run_c4c(root, *args, check=True, catch_exceptions=False).output


@pytest.fixture(scope="session")
def course_root(tmp_path_factory) -> Path:
    """A copy of the course with every exercise released by `c4c release`."""
    import exgrade  # noqa: F401  (puts the venv's bin, where nbgrader finds alembic, on PATH)

    root = tmp_path_factory.mktemp("c4c") / "course"
    shutil.copytree(REPO / "course", root / "course")
    shutil.copytree(EXERCISES, root / "exercises")
    (root / "modules").mkdir()
    c4c(root, "release")
    return root


@pytest.fixture(scope="session")
def workdir(course_root) -> Path:
    return course_root / "var" / "course"


@pytest.fixture(scope="session")
def pipeline_graded(course_root, workdir):
    """Every fixture submission placed in submitted/ and graded in one `c4c grade` batch."""
    from excases import CASES
    from make_fixtures import fixture_path

    # The lecturer's order: roster first (it also registers the participants in the gradebook).
    cases = sorted({case for spec in CASES.values() for case in spec["cases"]})
    roster = course_root / "roster.csv"
    roster.write_text("id,first_name_uk,last_name_uk,email,community,oblast,role\n" + "".join(
        f"{case},Олена,Коваль,{case}@example.org,Сонячна,UA-53,Секретар\n" for case in cases),
        encoding="utf-8")
    c4c(course_root, "roster", "import", str(roster))
    for exercise, spec in CASES.items():
        for case in spec["cases"]:
            dest = workdir / "submitted" / case / spec["assignment"]
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy(fixture_path(exercise, case), dest / f"{spec['assignment']}.ipynb")
            (dest / "timestamp.txt").write_text("2024-01-19 18:00:00.000000 UTC")
    output = c4c(course_root, "grade", "--workers", "4")
    state = json.loads((workdir / "grading_state.json").read_text(encoding="utf-8"))
    return output, state
