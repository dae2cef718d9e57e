"""What the lecturer pastes into the LMS to register the tool: Moodle's "External tool"
form (field by field) or a Canvas LTI developer key (JSON). URLs follow the hub's routes:
``jupyterhub-ltiauthenticator``'s login and callback, and our keyset (``/hub/lti13/jwks``).
"""

from __future__ import annotations

import json

from c4c_lms.core.config import Course

SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
]


def tool_urls(course: Course) -> dict[str, str]:
    hub = course.config.hub
    base = hub.public_url.rstrip("/") or f"http://{hub.ip}:{hub.port}"
    return {"tool_url": f"{base}/hub", "login_url": f"{base}/hub/lti13/oauth_login",
            "redirect_url": f"{base}/hub/lti13/oauth_callback", "jwks_url": f"{base}/hub/lti13/jwks"}  # fmt: skip


def moodle_fields(course: Course) -> list[tuple[str, str]]:
    """(Moodle's field label, value) in the order of Site administration > Plugins > Activity
    modules > External tool > Manage tools > configure a tool manually."""
    u = tool_urls(course)
    title = f"{course.config.course.title_uk} / {course.config.course.title_en}"
    return [
        ("Tool name", title),
        ("Tool URL", u["tool_url"]),
        ("LTI version", "LTI 1.3"),
        ("Public key type", "Keyset URL"),
        ("Public keyset", u["jwks_url"]),
        ("Initiate login URL", u["login_url"]),
        ("Redirection URI(s)", u["redirect_url"]),
        ("Custom parameters", "c4c_target=module:m01_intro   (per activity: module:<id>, exercise:<id>, app:<id>)"),
        ("Default launch container", "New window"),
        ("IMS LTI Assignment and Grade Services", "Use this service for grade sync and column management"),
        ("IMS LTI Names and Role Provisioning", "Use this service to retrieve members' information as per privacy settings"),
        ("Share launcher's name with tool", "Always"),
        ("Share launcher's email with tool", "Always"),
    ]  # fmt: skip


def canvas_key(course: Course) -> dict:
    """Canvas' "LTI Key" developer key, Paste JSON method."""
    u = tool_urls(course)
    return {
        "title": f"{course.config.course.title_uk} / {course.config.course.title_en}",
        "description": "C4C Workbench (JupyterHub)",
        "oidc_initiation_url": u["login_url"],
        "target_link_uri": u["tool_url"],
        "public_jwk_url": u["jwks_url"],
        "scopes": SCOPES,
        "extensions": [{
            "platform": "canvas.instructure.com", "privacy_level": "public",
            "settings": {"placements": [
                {"placement": "course_navigation", "message_type": "LtiResourceLinkRequest",
                 "target_link_uri": u["tool_url"]},
                {"placement": "link_selection", "message_type": "LtiResourceLinkRequest",
                 "target_link_uri": u["tool_url"]},
            ]},
        }],
    }  # fmt: skip


def registration(course: Course, platform: str) -> dict:
    """``fields`` (Moodle) or ``json`` (Canvas), and the tool's URLs."""
    if platform == "canvas":
        return {"platform": platform, "json": json.dumps(canvas_key(course), indent=2), **tool_urls(course)}
    return {"platform": platform, "fields": moodle_fields(course), **tool_urls(course)}
