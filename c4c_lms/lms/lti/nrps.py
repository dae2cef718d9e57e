"""Roster from the LMS: Names and Role Provisioning Services (NRPS 2.0).

Members are read page by page (``Link: rel="next"``), learners merged into the roster by LMS
user id, then email; new ones get an id made from their email. Names keep both scripts: a
Cyrillic name from the LMS fills the Ukrainian fields (the Latin ones follow by romanisation),
a Latin one fills the Latin fields and leaves a Ukrainian name already on the roster alone.
All or nothing: a conflict (an email that belongs to another participant's LMS id) stops the
import before anything is written.
"""

from __future__ import annotations

import re

from c4c_lms.core.config import Course
from c4c_lms.lms.lti.errors import LtiError
from c4c_lms.lms.lti.roles import kind
from c4c_lms.lms.lti.service import SCOPE_NRPS, ServiceClient, ServiceFailure, next_link
from c4c_lms.lms.roster import EMAIL, Participant, load_roster, store

MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def read_members(client: ServiceClient, url: str) -> list[dict]:
    """Every member on every page of the memberships container at ``url``."""
    members: list[dict] = []
    next_url: str | None = url
    while next_url:
        response = client.call("GET", next_url, headers={"Accept": MEDIA_TYPE})
        members.extend(response.json().get("members", []))
        next_url = next_link(response)
    return members


def _new_id(member: dict, taken: set[str]) -> str:
    local = (member.get("email") or "").split("@")[0].lower()
    base = re.sub(r"[^a-z0-9_-]+", "-", local).strip("-_") or f"lms-{member['user_id']}".lower()
    base = re.sub(r"[^a-z0-9_-]+", "-", base)
    if not base[0].isalpha():
        base = "p" + base
    base, candidate, n = base[:28], base[:28], 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _names(member: dict, into: dict) -> None:
    given, family = member.get("given_name", "").strip(), member.get("family_name", "").strip()
    if not (given or family):
        parts = member.get("name", "").split()
        given, family = (parts[0], " ".join(parts[1:])) if parts else ("", "")
    if not (given or family):
        return
    script = "uk" if CYRILLIC.search(given + family) else "lat"
    if script == "uk" and (into.get("first_name_uk"), into.get("last_name_uk")) != (given, family):
        into["first_name_lat"], into["last_name_lat"] = "", ""  # a new Ukrainian name: romanised anew
    into[f"first_name_{script}"], into[f"last_name_{script}"] = given, family


def merge(current: list[Participant], members: list[dict]) -> tuple[list[Participant], list[Participant], dict]:
    """(new roster, changed rows, report) from the roster and NRPS members."""
    by_lms = {p.lms_user_id: p for p in current if p.lms_user_id}
    by_email = {p.email: p for p in current if p.email}
    roster = {p.id: p for p in current}
    report: dict[str, list[str]] = {k: [] for k in ("added", "linked", "updated", "unchanged", "staff",
                                                    "inactive", "not_in_lms", "conflicts")}  # fmt: skip
    changed: list[Participant] = []
    seen: set[str] = set()
    for m in members:
        user_id = str(m.get("user_id", "")).strip()
        if not user_id:
            report["conflicts"].append(f"(?): {m.get('name', '')}: no user_id")
            continue
        seen.add(user_id)
        if kind(m.get("roles", [])) != "participant":
            report["staff"].append(user_id)
            continue
        if m.get("status", "Active") != "Active":
            report["inactive"].append(user_id)
            continue
        email = (m.get("email") or "").strip().lower()
        email = email if EMAIL.match(email) else ""
        person = by_lms.get(user_id) or (by_email.get(email) if email else None)
        if person is not None and person.lms_user_id and person.lms_user_id != user_id:
            report["conflicts"].append(f"{user_id}: {email} = {person.id} (LMS id {person.lms_user_id})")
            continue
        record = person.model_dump() if person else {"id": _new_id(m, set(roster))}
        record["lms_user_id"] = user_id
        if email and not record.get("email"):
            record["email"] = email
        _names(m, record)
        updated = Participant.model_validate(record)
        if person is None:
            report["added"].append(updated.id)
        elif updated == person:
            report["unchanged"].append(updated.id)
            continue
        else:
            report["linked" if not person.lms_user_id else "updated"].append(updated.id)
        roster[updated.id] = updated
        by_lms[user_id] = updated
        changed.append(updated)
    report["not_in_lms"] = [p.id for p in current if p.lms_user_id and p.lms_user_id not in seen]
    return list(roster.values()), changed, report


def import_from_lms(course: Course, *, dry_run: bool = False, client: ServiceClient | None = None) -> dict:
    """Read the course memberships and merge them into the roster; the report of changes."""
    url = course.config.lti.memberships_url
    if not url:
        raise LtiError("not_configured", fields="memberships_url")
    client = client or ServiceClient(course, [SCOPE_NRPS])
    try:
        members = read_members(client, url)
    except ServiceFailure as failure:
        raise LtiError("nrps_failed", reason=failure.reason, detail=failure.detail) from None
    roster, changed, report = merge(load_roster(course), members)
    if report["conflicts"]:
        raise LtiError("nrps_conflicts", items="; ".join(report["conflicts"]))
    if changed and not dry_run:
        store(course, roster, changed)
    report["total"] = [str(len(roster))]
    return report
