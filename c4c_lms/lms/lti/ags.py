"""Grades back to the LMS: Assignment and Grade Services (AGS 2.0).

One line item per exercise (found by ``resourceId`` = exercise id, created when missing), each
participant's score out of the exercise's points (best language variant, automatic plus manual
grades as nbgrader's gradebook holds them) with a comment linking their feedback. The platform's
results are read first, so a run posts only what changed: re-running is safe and completes what
an earlier run could not post. The gradebook stays the source of truth; nothing is stored here.
"""

from __future__ import annotations

import datetime as dt
import math
from urllib.parse import urlsplit, urlunsplit

from c4c_lms.core.config import Course
from c4c_lms.lms.lti.errors import LtiError
from c4c_lms.lms.lti.service import (SCOPE_LINEITEM, SCOPE_RESULT, SCOPE_SCORE, ServiceClient, ServiceFailure,
                                     next_link)  # fmt: skip
from c4c_lms.lms.roster import load_roster
from c4c_lms.lms.scores import assignment_scores

LINEITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
RESULTS = "application/vnd.ims.lis.v2.resultcontainer+json"
SCORE = "application/vnd.ims.lis.v1.score+json"


def _sub_url(lineitem: str, tail: str) -> str:
    """``<lineitem>/scores`` with the line item's query kept after the path (AGS §3.4)."""
    parts = urlsplit(lineitem)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + tail))


def _paged(client: ServiceClient, url: str, accept: str) -> list[dict]:
    items: list[dict] = []
    next_url: str | None = url
    while next_url:
        response = client.call("GET", next_url, headers={"Accept": accept})
        items.extend(response.json())
        next_url = next_link(response)
    return items


def find_lineitem(client: ServiceClient, course: Course, exercise, create: bool) -> str | None:
    """The URL of the exercise's line item; created (if ``create``) when the LMS has none."""
    base = course.config.lti.lineitems_url
    sep = "&" if "?" in base else "?"
    found = [i for i in _paged(client, f"{base}{sep}resource_id={exercise.id}", LINEITEMS)
             if i.get("resourceId") == exercise.id]  # fmt: skip
    if found:
        return found[0]["id"]
    if not create:
        return None
    body = {"scoreMaximum": exercise.points, "label": f"{exercise.title_uk} / {exercise.title_en}",
            "resourceId": exercise.id, "tag": "c4c"}  # fmt: skip
    response = client.call("POST", base, json=body, headers={"Content-Type": LINEITEM, "Accept": LINEITEM})
    return response.json()["id"]


def best_scores(course: Course) -> dict[tuple[str, str], tuple[float, bool]]:
    """(student, exercise) -> (best variant's score, still needs manual grading)."""
    best: dict[tuple[str, str], tuple[float, bool]] = {}
    for row in assignment_scores(course).itertuples():
        key = (row.student_id, row.exercise)
        if key not in best or row.score > best[key][0]:
            best[key] = (float(row.score), bool(row.needs_manual))
    return best


def _feedback_link(course: Course, exercise) -> str:
    hub = course.config.hub
    base = hub.public_url.rstrip("/") or f"http://{hub.ip}:{hub.port}"
    variant = exercise.variants.get("uk") or next(iter(exercise.variants.values()))
    return f"{base}/hub/user-redirect/lab/tree/{variant}/feedback"


def push_grades(course: Course, *, exercises: list[str] | None = None, dry_run: bool = False,
                client: ServiceClient | None = None) -> list[dict]:
    """Post changed scores; one row per (exercise, participant): ``status`` is ``posted``,
    ``unchanged``, ``would_post`` (dry run) or ``failed`` with a ``reason`` code."""
    lti = course.config.lti
    if not lti.lineitems_url:
        raise LtiError("not_configured", fields="lineitems_url")
    declared = {e.id: e for e in course.config.exercises}
    unknown = [e for e in exercises or [] if e not in declared]
    if unknown:
        raise LtiError("unknown_exercise", names=", ".join(unknown))
    client = client or ServiceClient(course, [SCOPE_LINEITEM, SCOPE_RESULT, SCOPE_SCORE])
    lms_id = {p.id: p.lms_user_id for p in load_roster(course)}
    scores = best_scores(course)
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")
    rows: list[dict] = []
    for exercise in [declared[e] for e in exercises or declared]:
        graded = sorted((s, v) for (s, e), v in scores.items() if e == exercise.id)
        mine = [{"exercise": exercise.id, "student": s, "score": v[0], "max": exercise.points,
                 "manual": v[1], "status": "", "reason": ""} for s, v in graded]  # fmt: skip
        rows.extend(mine)
        try:
            lineitem = find_lineitem(client, course, exercise, create=not dry_run)
            results = {r["userId"]: r for r in _paged(client, _sub_url(lineitem, "/results"), RESULTS)} if lineitem else {}
        except ServiceFailure as failure:
            for row in mine:
                row.update(status="failed", reason=failure.reason)
            continue
        comment = f"Відгук / Feedback: {_feedback_link(course, exercise)}"
        for row in mine:
            user = lms_id.get(row["student"], "")
            held = results.get(user, {})
            if not user:
                row.update(status="failed", reason="no_lms_id")
            elif (held.get("resultScore") is not None and math.isclose(float(held["resultScore"]), row["score"])
                  and math.isclose(float(held.get("resultMaximum", exercise.points)), exercise.points)):
                row["status"] = "unchanged"
            elif dry_run:
                row["status"] = "would_post"
            else:
                body = {"userId": user, "scoreGiven": row["score"], "scoreMaximum": exercise.points,
                        "comment": comment, "timestamp": now, "activityProgress": "Completed",
                        "gradingProgress": "PendingManual" if row["manual"] else "FullyGraded"}  # fmt: skip
                try:
                    client.call("POST", _sub_url(lineitem, "/scores"), json=body, headers={"Content-Type": SCORE})
                    row["status"] = "posted"
                except ServiceFailure as failure:
                    row.update(status="failed", reason=failure.reason)
    return rows
