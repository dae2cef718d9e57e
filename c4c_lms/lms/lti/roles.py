"""LTI roles (LIS vocabulary) reduced to what the course knows: staff or participant.

Only context (membership) roles count, full URIs or the short names NRPS may use; institution
and system roles say nothing about this course. Sub-roles of Instructor (TeachingAssistant,
Grader…) are staff.
"""

from __future__ import annotations

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
STAFF = {"Instructor", "TeachingAssistant", "ContentDeveloper", "Administrator", "Mentor"}
LEARNER = {"Learner", "Student"}


def _context_role(uri: str) -> str | None:
    """``Instructor`` for ``…/membership#Instructor`` and for ``…/membership/Instructor#Grader``;
    the short name as is; ``None`` for institution or system roles."""
    if "/" not in uri:
        return uri
    if not uri.startswith(MEMBERSHIP):
        return None
    rest = uri[len(MEMBERSHIP):]
    if rest.startswith("#"):
        return rest[1:]
    return rest.lstrip("/").split("#")[0]


def kind(roles: list[str]) -> str | None:
    """``"staff"``, ``"participant"`` or ``None`` (no course role at all)."""
    names = {_context_role(r) for r in roles} - {None}
    if names & STAFF:
        return "staff"
    if names & LEARNER:
        return "participant"
    return None
