"""LTI 1.3 launches into the hub, beside sign-in links and staff passwords.

``jupyterhub-ltiauthenticator`` (LTI 1.3 mode) does the protocol: OIDC login initiation, the
state and nonce cookies, the id_token's signature against the platform's keyset, issuer,
audience, expiry and required claims. This module adds what the course needs on top:

* the deployment id must be one of ``[lti] deployment_ids``;
* an id_token's nonce works once (recorded under the hub's state folder, like used links);
* the LMS user is mapped to an account: staff (LTI Instructor, TeachingAssistant…) through
  ``[lti] staff_ids``, participants (Learner) through the roster's ``lms_user_id``, then email.
  Nobody else gets in, and no account is ever created here: the refusal is logged and shown;
* a launch may target a module, an exercise or an app (custom parameter ``c4c_target`` or
  ``?target=`` on the target link) and lands there;
* the state cookies are ``SameSite=None; Secure`` on https, so a browser sends them with the
  platform's cross-site form post;
* the hub serves the tool's public keyset at ``/hub/lti13/jwks``.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import jwt
from jupyterhub.auth import Authenticator
from jupyterhub.handlers import BaseHandler
from ltiauthenticator.lti13.auth import LTI13Authenticator
from ltiauthenticator.lti13.error import InvalidAudienceError, ValidationError
from ltiauthenticator.lti13.handlers import LTI13CallbackHandler, LTI13LoginInitHandler
from tornado.web import HTTPError
from traitlets import Dict, List, Unicode

from c4c_lms.core.config import load_course
from c4c_lms.core.files import write_text_atomic
from c4c_lms.core.i18n import Catalogue
from c4c_lms.hub.auth import PAGE, C4CAuthenticator, LinkLoginHandler
from c4c_lms.hub.links import LOGIN_PATH, LinkRefused, spend
from c4c_lms.lms.lti.landing import landing_path
from c4c_lms.lms.lti.roles import kind
from c4c_lms.lms.roster import load_roster

M = Catalogue.load("lti")
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


def refusal_code(err: Exception) -> str:
    """A reason code for a launch the library refused (its exceptions wrap PyJWT's)."""
    cause = err.__context__
    if isinstance(err, InvalidAudienceError) or isinstance(cause, jwt.InvalidAudienceError):
        return "wrong_audience"
    if isinstance(cause, jwt.InvalidIssuerError):
        return "wrong_issuer"
    if isinstance(cause, (jwt.ExpiredSignatureError, jwt.ImmatureSignatureError)) or "too long ago" in str(err):
        return "expired"
    if isinstance(cause, (jwt.InvalidSignatureError, jwt.PyJWKClientError)):
        return "forged"
    if isinstance(cause, jwt.MissingRequiredClaimError) or "Required LTI 1.3" in str(err) or "can't be empty" in str(err):
        return "missing_claim"
    if isinstance(cause, jwt.DecodeError):
        return "malformed"
    if isinstance(err, HTTPError):
        return "nonce_mismatch" if "nonce" in str(err.log_message).lower() else "state_mismatch"
    return "invalid"


def refuse(handler: BaseHandler, code: str, status: int) -> None:
    handler.log.warning("LTI launch refused: %s (%s)", code, getattr(handler, "_c4c_who", "-"))
    handler.set_status(status)
    handler.set_header("Content-Type", "text/html; charset=utf-8")
    body = f"<p>{html.escape(M.both('launch_' + code))}</p>"
    handler.finish(PAGE.format(title=html.escape(M.both("launch_title")), body=body))


class LtiLoginInitHandler(LTI13LoginInitHandler):
    """The library's login initiation, with cookies a cross-site form post carries (https)."""

    def _set_oauth_cookie(self, key: str, value) -> None:
        https = self.authenticator.get_uri_scheme(self.request) == "https"
        extra = {"samesite": "None", "secure": True} if https else {}
        self._set_cookie(key, value, expires_days=1, httponly=True, encrypted=True, **extra)


class LtiCallbackHandler(LTI13CallbackHandler):
    """The library's launch validation; refusals become a logged, bilingual page."""

    async def post(self):
        try:
            id_token = self.decode_and_validate_launch_request()
        except (ValidationError, HTTPError) as err:
            return refuse(self, refusal_code(err), 401 if "audience" in refusal_code(err) else 400)
        user = await self.login_user(id_token)
        if user is None:
            return refuse(self, getattr(self, "_c4c_refused", "unknown_user"), 403)
        self.redirect(getattr(self, "_c4c_next", None) or self.get_next_url(user))


class JwksHandler(BaseHandler):
    """The tool's public keyset (``c4c lti keys`` wrote it)."""

    async def get(self):
        path = Path(self.authenticator.jwks_file)
        if not path.is_file():
            raise HTTPError(404, "no keyset: run c4c lti keys")
        self.set_header("Content-Type", "application/json")
        self.finish(path.read_text(encoding="utf-8"))


class C4CLtiAuthenticator(C4CAuthenticator, LTI13Authenticator):
    """Links and passwords (:class:`C4CAuthenticator`) plus LTI 1.3 launches."""

    course_root = Unicode(help="The course folder (course.toml, roster).").tag(config=True)
    deployment_ids = List(Unicode(), help="Deployment ids accepted at launch.").tag(config=True)
    staff_ids = Dict(help="Staff account -> LMS user id or email.").tag(config=True)
    jwks_file = Unicode(help="The tool's public keyset file.").tag(config=True)
    login_service = ""  # the hub's /login keeps its password form for staff (links have their own page)

    def login_url(self, base_url):  # the hub's own /login page stays (staff passwords)
        return Authenticator.login_url(self, base_url)

    def get_handlers(self, app):
        # listed here, not inherited: the library's would take /login (our login_url) for itself
        return [(LOGIN_PATH.removeprefix("/hub"), LinkLoginHandler), (self.callback_url(""), LtiCallbackHandler),
                (LTI13Authenticator.login_url(self, ""), LtiLoginInitHandler), ("/lti13/jwks", JwksHandler)]

    async def authenticate(self, handler, data):
        if not isinstance(handler, LtiCallbackHandler):
            return await super().authenticate(handler, data)
        handler._c4c_who = f"sub={data.get('sub')!r} email={data.get('email', '')!r}"
        try:
            name, staff = self._account(data)
            spend(Path(self.state_dir) / "used_lti_nonces", str(data["nonce"]))
        except LinkRefused as refused:
            handler._c4c_refused = "replayed" if refused.code == "used" else refused.code
            return None
        if staff:
            self._remember_endpoints(data)
        course = load_course(Path(self.course_root))
        target = data.get(CLAIM + "custom", {}).get("c4c_target") or _query_target(data)
        handler._c4c_next = landing_path(course, name, target, data.get("locale", ""))
        self.log.info("LTI launch: %s signed in as %s (target %s)", handler._c4c_who, name, target or "-")
        return name

    def _account(self, token: dict) -> tuple[str, bool]:
        if str(token.get(CLAIM + "deployment_id", "")) not in self.deployment_ids:
            raise LinkRefused("unknown_deployment")
        sub, email = str(token.get("sub", "")), str(token.get("email", "")).lower()
        role = kind(token.get(CLAIM + "roles", []))
        accounts = self._accounts()
        if role == "staff":
            staff = set(accounts["lecturer"]) | set(accounts["grader"])
            for name, ident in self.staff_ids.items():
                if name in staff and ident and ident.lower() in (sub.lower(), email):
                    return name, True
            raise LinkRefused("unknown_staff")
        if role != "participant":
            raise LinkRefused("no_role")
        roster = load_roster(load_course(Path(self.course_root)))
        person = next((p for p in roster if p.lms_user_id and p.lms_user_id == sub), None)
        if person is None and email:
            person = next((p for p in roster if p.email == email and not p.lms_user_id), None)
        if person is None or person.id not in accounts["participant"]:
            raise LinkRefused("unknown_user")
        return person.id, False

    def _remember_endpoints(self, token: dict) -> None:
        """The course's NRPS and AGS URLs as the platform sent them (for ``[lti]`` of course.toml)."""
        found = {"memberships_url": token.get(NRPS_CLAIM, {}).get("context_memberships_url", ""),
                 "lineitems_url": token.get(AGS_CLAIM, {}).get("lineitems", "")}  # fmt: skip
        if any(found.values()):
            write_text_atomic(Path(self.state_dir) / "lti_endpoints.json", json.dumps(found, indent=1))


def _query_target(token: dict) -> str:
    link = token.get(CLAIM + "target_link_uri", "")
    return (parse_qs(urlparse(link).query).get("target") or [""])[0]

