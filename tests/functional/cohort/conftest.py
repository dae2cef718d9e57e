"""Fixtures of the cohort tests: the generated 900-participant course and the ``c4c`` runner."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

KEY_ENV = "C4C_TEST_CERT_KEY"
TEST_KEY = "fixture-key-not-a-secret-0123456789"


def invoke(root: Path, *args: str, lang: str = "en", input: str | None = None):
    """Run the real ``c4c`` command on ``root`` in ``lang`` (the shared runner)."""
    from helpers import run_c4c

    return run_c4c(root, *args, lang=lang, input=input)


@pytest.fixture(scope="session")
def signing_key():
    """The test signing key in the environment variable the fixture course names."""
    old = os.environ.get(KEY_ENV)
    os.environ[KEY_ENV] = TEST_KEY
    yield TEST_KEY.encode()
    if old is None:
        os.environ.pop(KEY_ENV, None)
    else:
        os.environ[KEY_ENV] = old


@pytest.fixture(scope="session")
def cohort900(tmp_path_factory, signing_key):
    """The generated cohort after the whole chain: 5 imports, certificates issued (via ``c4c``)."""
    from make_cohort import build

    root = tmp_path_factory.mktemp("cohort900")
    truth = build(root, verify_url="https://verify.example.org/c4c")
    outputs = {}
    for day, path in enumerate(truth["files"], start=1):
        outputs[f"import{day}"] = invoke(root, "attendance", "import", str(path), "--day", str(day))
    outputs["issue"] = invoke(root, "certificates", "issue")
    return root, truth, outputs


@pytest.fixture
def small_course(tmp_path, signing_key):
    """A five-participant course (no gradebook) for quick command tests."""
    from c4c_lms.core.config import load_course
    from c4c_lms.lms.roster import Participant, save_roster
    from make_cohort import _course_files

    _course_files(tmp_path, "")
    course = load_course(tmp_path)
    people = [
        Participant(id="p1", first_name_uk="Олена", last_name_uk="Коваль", email="olena@hromada.ua",
                    oblast="UA-46", community_type="city"),
        Participant(id="p2", first_name_uk="Сергій", last_name_uk="Гнатюк", email="serhii@hromada.ua",
                    oblast="UA-46", community_type="rural"),
        Participant(id="p3", first_name_uk="Юлія", last_name_uk="Щербак", email="yulia@hromada.ua",
                    oblast="UA-32", community_type="town"),
        Participant(id="p4", first_name_uk="Олена", last_name_uk="Коваль", email="olena.k@hromada.ua",
                    oblast="UA-32", community_type="town"),
        Participant(id="p5", first_name_uk="Ярослав", last_name_uk="Дзюба", email="yaroslav@hromada.ua",
                    oblast="UA-12", community_type="city"),
    ]  # fmt: skip
    course.workdir.mkdir(parents=True, exist_ok=True)
    save_roster(course, people)
    return course
