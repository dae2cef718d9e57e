"""Data protection: removing one participant's personal data on request (``c4c cohort purge``)."""

from __future__ import annotations

import json
import secrets
import shutil

import pandas as pd

from c4c_lms.cohort.attendance import load_state, state_path
from c4c_lms.cohort.certificates import forget_holder
from c4c_lms.cohort.completion import evaluate, rules_from_course
from c4c_lms.cohort.data import load_cohort
from c4c_lms.core.exceptions import C4CError
from c4c_lms.core.files import write_json_atomic
from c4c_lms.core.i18n import Catalogue
from c4c_lms.lms.roster import load_roster, save_roster
from c4c_lms.lms.workspace import remove_from_gradebook

M = Catalogue.load("report")


def purge(course, participant_id: str, *, lang: str = "uk") -> dict:
    """Remove one participant's personal data everywhere; keep an anonymous statistics record.

    The roster entry, names and emails in the attendance state, the certificate's holder
    names and PDF (its number still verifies), nbgrader's student record and the
    participant's submitted/autograded/feedback folders go; oblast, community type, minutes
    per day, scores and eligibility are appended to ``cohort/anonymous.json``.

    Parameters
    ----------
    course : Course
        The loaded course.
    participant_id : str
        Whose data to remove.

    Returns
    -------
    dict
        Counts per place: ``roster``, ``attendance``, ``certificates``, ``files``.
    """
    people = load_roster(course)
    if participant_id not in {p.id for p in people}:
        raise C4CError(M.t("purge_unknown", lang, id=participant_id))
    # Each step below can be repeated; the job file makes a purge interrupted at any point
    # finish on the next run without counting the person twice in the statistics.
    job_path = course.workdir / "cohort" / "purging" / f"{participant_id}.json"
    job = json.loads(job_path.read_text("utf-8")) if job_path.is_file() else None
    anon_path = course.workdir / "cohort" / "anonymous.json"
    anonymous = json.loads(anon_path.read_text("utf-8")) if anon_path.is_file() else []
    if job is None:
        # Where the record will go: if the list is longer on a re-run, it is already there.
        job = {"record": _anonymous_record(course, participant_id), "position": len(anonymous)}
        write_json_atomic(job_path, job)
    if len(anonymous) <= job["position"]:
        write_json_atomic(anon_path, [*anonymous[: job["position"]], job["record"]])
    removed = {"roster": 1, "attendance": 0, "certificates": 0, "files": 0}
    state = load_state(course.workdir)
    for day in state["days"].values():
        for a in day["attendees"]:
            if a["participant_id"] == participant_id or participant_id in {c[0] for c in a["candidates"]}:
                if a["participant_id"] == participant_id:
                    removed["attendance"] += 1
                    a.update(name="", email="", key=f"purged:{secrets.token_hex(4)}", participant_id=None,
                             status="ignored", method="purged")  # fmt: skip
                a["candidates"] = [c for c in a["candidates"] if c[0] != participant_id]
    write_json_atomic(state_path(course.workdir), state)
    removed["certificates"] = forget_holder(course.workdir, participant_id)
    remove_from_gradebook(course, participant_id)
    for step in ("submitted", "autograded", "feedback"):
        folder = course.workdir / step / participant_id
        if folder.is_dir():
            shutil.rmtree(folder)
            removed["files"] += 1
    save_roster(course, [p for p in people if p.id != participant_id])
    job_path.unlink()
    return removed



def _anonymous_record(course, participant_id: str) -> dict:
    """What stays of a purged participant: no name, email or community, only statistics."""
    data = load_cohort(course)
    outcome = evaluate(data, rules_from_course(course)).loc[participant_id]
    row = data.participants.loc[participant_id]
    return {"oblast": row["oblast"], "community_type": row["community_type"],
            "eligible": bool(outcome["eligible"]),
            "days": {str(d): float(m) for d, m in data.minutes.loc[participant_id].items()},
            "scores": {k: (None if pd.isna(v) else float(v)) for k, v in data.scores.loc[participant_id].items()}}  # fmt: skip
