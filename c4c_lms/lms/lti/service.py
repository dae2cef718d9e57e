"""The OAuth2 client of LTI Advantage services: an access token through the client-credentials
grant with a JWT signed by the tool's key (IMS Security Framework §4.1), then service calls
that retry with backoff on 429 and 5xx (honouring ``Retry-After``) and ask for a new token once
on 401. Failures end as :class:`ServiceFailure` with a reason code, never a traceback.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field

import jwt
import requests

from c4c_lms.core.config import Course
from c4c_lms.lms.lti.errors import LtiError
from c4c_lms.lms.lti.keys import load_private_key

log = logging.getLogger(__name__)
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_RESULT = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
RETRIED = {429, 500, 502, 503, 504}


class ServiceFailure(Exception):
    """A service call that did not succeed: ``reason`` is ``http_<status>`` or ``unreachable``."""

    def __init__(self, reason: str, detail: str = ""):
        self.reason, self.detail = reason, detail
        super().__init__(f"{reason}: {detail}")


@dataclass
class ServiceClient:
    """Calls to one platform's services as this tool (``[lti]`` of course.toml)."""

    course: Course
    scopes: list[str]
    retries: int = 4  # from [lti] retries and backoff_s
    backoff_s: float = 1.0
    timeout_s: float = 30.0
    session: requests.Session = field(default_factory=requests.Session)
    _token: str = ""
    _token_until: float = 0.0

    def __post_init__(self) -> None:
        lti = self.course.config.lti
        self.retries, self.backoff_s = lti.retries, lti.backoff_s
        missing = [n for n in ("issuer", "client_id", "token_url") if not getattr(lti, n)]
        if missing:
            raise LtiError("not_configured", fields=", ".join(missing))

    def client_assertion(self) -> str:
        """The signed JWT the token request carries (iss = sub = client id, aud = token URL)."""
        lti = self.course.config.lti
        key, kid = load_private_key(self.course)
        now = int(time.time())
        claims = {"iss": lti.client_id, "sub": lti.client_id, "aud": lti.token_url,
                  "iat": now, "exp": now + 300, "jti": uuid.uuid4().hex}  # fmt: skip
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})

    def token(self, renew: bool = False) -> str:
        if self._token and not renew and time.time() < self._token_until - 30:
            return self._token
        lti = self.course.config.lti
        data = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": self.client_assertion(), "scope": " ".join(self.scopes)}  # fmt: skip
        response = self._send("POST", lti.token_url, data=data, auth=False)
        body = response.json()
        self._token = str(body["access_token"])
        self._token_until = time.time() + float(body.get("expires_in", 3600))
        return self._token

    def call(self, method: str, url: str, **kwargs) -> requests.Response:
        """A service call with the bearer token; retried on 429/5xx, token renewed once on 401."""
        try:
            return self._send(method, url, **kwargs)
        except ServiceFailure as failure:
            if failure.reason != "http_401":
                raise
            self.token(renew=True)
            return self._send(method, url, **kwargs)

    def _send(self, method: str, url: str, auth: bool = True, **kwargs) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}))
        for attempt in range(self.retries + 1):
            if auth:
                headers["Authorization"] = f"Bearer {self.token()}"
            try:
                response = self.session.request(method, url, headers=headers, timeout=self.timeout_s, **kwargs)
            except requests.RequestException as err:
                failure = ServiceFailure("unreachable", str(err))
                wait = self.backoff_s * 2**attempt
            else:
                if response.status_code < 400:
                    return response
                failure = ServiceFailure(f"http_{response.status_code}", response.text[:300])
                if response.status_code not in RETRIED:
                    raise failure
                wait = _retry_after(response) or self.backoff_s * 2**attempt
            if attempt < self.retries:
                log.warning("%s %s: %s; retry %d in %.1f s", method, url, failure.reason, attempt + 1, wait)
                time.sleep(wait)
        raise failure


def _retry_after(response: requests.Response) -> float | None:
    try:
        return min(60.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def next_link(response: requests.Response) -> str | None:
    """The ``rel="next"`` URL of a paged answer (RFC 8288 Link header), as NRPS and AGS page."""
    return response.links.get("next", {}).get("url")
