"""nbgrader's exchange for the hosted course: the lecturer releases into it and collects from
it with nbgrader's own exchange classes (course id from ``course.toml``); participants fetch
and submit from their assignment list. Then ``c4c grade`` grades the collected submissions.
"""

from __future__ import annotations

from traitlets.config import Config

from c4c_lms.core.config import Course
from c4c_lms.hub.accounts import state_dir
from c4c_lms.lms.workspace import nbgrader_api


def _api(course: Course):
    extra = Config()
    extra.Exchange.root = str(state_dir(course) / "exchange")
    return nbgrader_api(course, extra)


def release(course: Course, exercises: list[str] | None = None) -> list[str]:
    """Put the released versions (``c4c release``) into the exchange; the ids released."""
    api, done = _api(course), []
    for assignment in course.assignment_ids(exercises):
        result = api.release_assignment(assignment)
        if not result["success"]:
            raise RuntimeError(f"{assignment}: {result.get('error') or result.get('log')}")
        done.append(assignment)
    return done


def collect(course: Course, exercises: list[str] | None = None) -> list[str]:
    """Copy every participant's latest submission into the working folder; the ids collected."""
    api, done = _api(course), []
    for assignment in course.assignment_ids(exercises):
        result = api.collect(assignment, update=True)
        if not result["success"]:
            raise RuntimeError(f"{assignment}: {result.get('error') or result.get('log')}")
        done.append(assignment)
    return done
