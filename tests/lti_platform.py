"""A small LTI 1.3 platform (an LMS as far as the protocol goes), for tests: a real HTTP server
on loopback with its own RSA key and keyset, OIDC login initiation and signed launches, the
OAuth2 token endpoint (client credentials with a JWT signed by the tool's key), Names and Role
Provisioning (paged) and Assignment and Grade Services that store what they receive.

``fail(prefix, status, times)`` makes the next requests under a path answer an error (401,
404, 422, 429, 500…); ``tamper`` changes the next launch's id_token (another key, claims
changed or dropped) to test the tool's refusals.
"""

from __future__ import annotations

import html
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Platform:
    """``with Platform(tool_jwks=...) as lms:`` serves at ``lms.url`` until the block ends."""

    def __init__(self, tool_jwks, client_id: str = "c4c-tool", deployment_id: str = "dep-1", page_size: int = 2,
                 avoid: range = range(0)):
        """``avoid``: ports the platform must not take (the hub listens on [hub] port and the four
        ports after it)."""
        self.key, self.kid = new_key(), "platform-key-1"
        self.tool_jwks = tool_jwks  # callable -> the tool's public JWKS (file or the hub's URL)
        self.client_id, self.deployment_id, self.page_size = client_id, deployment_id, page_size
        self.members: list[dict] = []
        self.lineitems: dict[int, dict] = {}
        self.scores: list[tuple[int, dict]] = []  # every score received, in order
        self.faults: list[list] = []
        self.tokens: dict[str, set[str]] = {}
        self.token_requests = 0
        self.requests: list[tuple[str, str, int]] = []
        self.pending: dict[str, dict] = {}  # lti_message_hint -> launch
        self.tamper: dict = {}
        self.redirect_uris: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        while self.server.server_port in avoid:
            taken, self.server = self.server, ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
            taken.server_close()
        self.server.platform = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.issuer = self.url
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Platform:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- what the tool is told at registration ----------------------------------------------
    def lti_toml(self, enabled: bool = True, staff_ids: dict | None = None) -> str:
        staff = ", ".join(f'{k} = "{v}"' for k, v in (staff_ids or {}).items())
        return (f'\n[lti]\nenabled = {str(enabled).lower()}\nissuer = "{self.issuer}"\nclient_id = "{self.client_id}"\n'
                f'deployment_ids = ["{self.deployment_id}"]\nauth_login_url = "{self.url}/auth"\n'
                f'keyset_url = "{self.url}/jwks"\ntoken_url = "{self.url}/token"\n'
                f'memberships_url = "{self.url}/memberships"\nlineitems_url = "{self.url}/lineitems"\n'
                f"staff_ids = {{ {staff} }}\n")

    def fail(self, prefix: str, status: int, times: int = 1, method: str = "") -> None:
        """The next ``times`` requests whose path starts with ``prefix`` answer ``status``."""
        self.faults.append([prefix, status, times, method])

    def member(self, user_id: str, given: str, family: str, email: str, roles=(LEARNER,), status: str = "Active"):
        self.members.append({"user_id": user_id, "given_name": given, "family_name": family,
                             "name": f"{given} {family}", "email": email, "roles": list(roles), "status": status})

    def results(self, resource_id: str) -> dict[str, float]:
        """userId -> the last score posted on the line item of ``resource_id``."""
        item = next(n for n, i in self.lineitems.items() if i["resourceId"] == resource_id)
        return {b["userId"]: b["scoreGiven"] for n, b in self.scores if n == item}

    # -- launches ---------------------------------------------------------------------------
    def id_token(self, user: dict, nonce: str, target_link_uri: str, custom: dict) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer, "aud": self.client_id, "sub": user["user_id"], "iat": now, "exp": now + 300,
            "nonce": nonce, "email": user.get("email", ""), "name": user.get("name", ""),
            "given_name": user.get("given_name", ""), "family_name": user.get("family_name", ""),
            "locale": user.get("locale", "uk"),
            CLAIM + "message_type": "LtiResourceLinkRequest", CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": self.deployment_id, CLAIM + "target_link_uri": target_link_uri,
            CLAIM + "resource_link": {"id": "rl-" + uuid.uuid4().hex[:8]}, CLAIM + "roles": user["roles"],
            CLAIM + "context": {"id": "course-1", "label": "C4C-101", "title": "C4C"}, CLAIM + "custom": custom,
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.url}/memberships", "service_versions": ["2.0"]},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {"lineitems": f"{self.url}/lineitems",
                                                                        "scope": []},
        }  # fmt: skip
        tamper, self.tamper = self.tamper, {}
        claims.update(tamper.get("claims", {}))
        for name in tamper.get("drop", []):
            claims.pop(name, None)
        key, kid = (tamper["key"], self.kid) if "key" in tamper else (self.key, self.kid)
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})

    def launch(self, session: requests.Session, hub_url: str, user: dict, target: str = "",
               target_link_uri: str = "") -> tuple[requests.Response, dict]:
        """Everything a browser does when a person clicks the activity: login initiation at the
        tool, the platform's authentication answer, the form post to the tool. The last response
        (302 when signed in) and the form that was posted (to replay it)."""
        hint = uuid.uuid4().hex
        self.pending[hint] = {"user": user, "custom": {"c4c_target": target} if target else {},
                              "target_link_uri": target_link_uri or f"{hub_url}/hub"}  # fmt: skip
        start = session.post(f"{hub_url}/hub/lti13/oauth_login", allow_redirects=False, timeout=30, data={
            "iss": self.issuer, "login_hint": user["user_id"], "target_link_uri": self.pending[hint]["target_link_uri"],
            "lti_message_hint": hint, "client_id": self.client_id, "lti_deployment_id": self.deployment_id})
        assert start.status_code == 302, (start.status_code, start.text[:500])
        page = session.get(start.headers["Location"], timeout=30)
        assert page.status_code == 200, (page.status_code, page.text[:500])
        action = html.unescape(re.search(r'action="([^"]+)"', page.text).group(1))
        form = {n: html.unescape(v) for n, v in re.findall(r'name="(\w+)" value="([^"]*)"', page.text)}
        cookies = requests.cookies.RequestsCookieJar()
        cookies.update(session.cookies)  # as the browser held them before the post (to replay it)
        posted = session.post(action, data=form, allow_redirects=False, timeout=30)
        return posted, {"action": action, "form": form, "cookies": cookies}


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def log_message(self, *args) -> None:  # quiet
        pass

    @property
    def lms(self) -> Platform:
        return self.server.platform  # type: ignore[attr-defined]

    def _send(self, status: int, body: object = None, headers: dict | None = None, ctype="application/json"):
        data = (body if isinstance(body, str) else json.dumps(body)).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.lms.requests.append((self.command, self.path, status))

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _fault(self) -> bool:
        path = urlparse(self.path).path
        for fault in self.lms.faults:
            prefix, status, times, method = fault
            if times > 0 and path.startswith(prefix) and method in ("", self.command):
                fault[2] -= 1
                self._body()
                self._send(status, {"error": f"injected {status}"}, {"Retry-After": "0"} if status == 429 else None)
                return True
        return False

    def _scope(self, scope: str) -> bool:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if any(scope in granted for granted in self.lms.tokens.get(token, set())):
            return True
        self._body()
        self._send(401, {"error": "invalid_token"})
        return False

    def do_GET(self) -> None:
        if self._fault():
            return
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/jwks":
            jwk = json.loads(RSAAlgorithm.to_jwk(self.lms.key.public_key()))
            return self._send(200, {"keys": [{**jwk, "kid": self.lms.kid, "alg": "RS256", "use": "sig"}]})
        if url.path == "/auth":
            return self._auth(query)
        if url.path == "/memberships":
            if not self._scope("contextmembership"):
                return None
            page, size = int(query.get("page", 0)), self.lms.page_size
            members = self.lms.members[page * size:(page + 1) * size]
            more = (page + 1) * size < len(self.lms.members)
            link = {"Link": f'<{self.lms.url}/memberships?page={page + 1}>; rel="next"'} if more else None
            return self._send(200, {"id": f"{self.lms.url}/memberships", "context": {"id": "course-1"},
                                    "members": members}, link)  # fmt: skip
        if url.path == "/lineitems":
            if not self._scope("lineitem"):
                return None
            items = [i for i in self.lms.lineitems.values()
                     if "resource_id" not in query or i["resourceId"] == query["resource_id"]]
            return self._send(200, items)
        found = re.fullmatch(r"/lineitems/(\d+)(/results)?", url.path)
        if found:
            if not self._scope("result.readonly" if found.group(2) else "lineitem"):
                return None
            number = int(found.group(1))
            if number not in self.lms.lineitems:
                return self._send(404, {"error": "no such line item"})
            if not found.group(2):
                return self._send(200, self.lms.lineitems[number])
            latest = {b["userId"]: b for n, b in self.lms.scores if n == number}
            return self._send(200, [{"id": f"{self.lms.url}/lineitems/{number}/results/{u}", "userId": u,
                                     "scoreOf": f"{self.lms.url}/lineitems/{number}", "resultScore": b["scoreGiven"],
                                     "resultMaximum": b["scoreMaximum"], "comment": b.get("comment", "")}
                                    for u, b in latest.items()])  # fmt: skip
        return self._send(404, {"error": "not found"})

    def _auth(self, q: dict) -> None:
        """The OIDC authentication request: check it, answer with a self-posting form."""
        launch = self.lms.pending.pop(q.get("lti_message_hint", ""), None)
        problems = [name for name, ok in [
            ("client_id", q.get("client_id") == self.lms.client_id), ("response_type", q.get("response_type") == "id_token"),
            ("scope", q.get("scope") == "openid"), ("launch", launch is not None),
            ("redirect_uri", not self.lms.redirect_uris or q.get("redirect_uri") in self.lms.redirect_uris),
            ("login_hint", launch is not None and q.get("login_hint") == launch["user"]["user_id"]),
        ] if not ok]  # fmt: skip
        if problems:
            return self._send(400, {"error": "invalid_request", "problems": problems})
        token = self.lms.id_token(launch["user"], q["nonce"], launch["target_link_uri"], launch["custom"])
        form = (f'<form method="post" action="{html.escape(q["redirect_uri"])}">'
                f'<input type="hidden" name="id_token" value="{html.escape(token)}">'
                f'<input type="hidden" name="state" value="{html.escape(q["state"])}"></form>')  # fmt: skip
        return self._send(200, f"<html><body>{form}<script>document.forms[0].submit()</script></body></html>",
                          ctype="text/html")

    def do_POST(self) -> None:
        if self._fault():
            return
        url = urlparse(self.path)
        if url.path == "/token":
            return self._token(parse_qs(self._body().decode()))
        if url.path == "/lineitems":
            if not self._scope("lineitem"):
                return None
            item = json.loads(self._body())
            if not isinstance(item.get("scoreMaximum"), (int, float)) or not item.get("label"):
                return self._send(400, {"error": "scoreMaximum and label are required"})
            number = len(self.lms.lineitems) + 1
            item["id"] = f"{self.lms.url}/lineitems/{number}"
            self.lms.lineitems[number] = item
            return self._send(201, item)
        found = re.fullmatch(r"/lineitems/(\d+)/scores", url.path)
        if found:
            if not self._scope("score"):
                return None
            number, score = int(found.group(1)), json.loads(self._body())
            if number not in self.lms.lineitems:
                return self._send(404, {"error": "no such line item"})
            enrolled = {m["user_id"] for m in self.lms.members} if self.lms.members else None
            if (enrolled is not None and score.get("userId") not in enrolled) or not (
                    0 <= score.get("scoreGiven", -1) <= score.get("scoreMaximum", 0)):
                return self._send(422, {"error": "score refused"})
            self.lms.scores.append((number, score))
            return self._send(200, {})
        return self._send(404, {"error": "not found"})

    def _token(self, form: dict) -> None:
        """Client credentials with a JWT client assertion signed by the tool's key."""
        self.lms.token_requests += 1
        get = {k: v[0] for k, v in form.items()}
        try:
            assert get.get("grant_type") == "client_credentials"
            assert get.get("client_assertion_type") == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            assertion = get["client_assertion"]
            kid = jwt.get_unverified_header(assertion).get("kid")
            keys = jwt.PyJWKSet.from_dict(self.lms.tool_jwks())
            key = next(k for k in keys.keys if k.key_id == kid)
            claims = jwt.decode(assertion, key.key, algorithms=["RS256"], audience=f"{self.lms.url}/token",
                                issuer=self.lms.client_id, options={"require": ["exp", "iat", "jti"]})
            assert claims["sub"] == self.lms.client_id
        except (AssertionError, KeyError, StopIteration, jwt.PyJWTError, ValueError, requests.RequestException) as err:
            return self._send(401, {"error": "invalid_client", "detail": repr(err)})
        token = uuid.uuid4().hex
        self.lms.tokens[token] = set(get.get("scope", "").split())
        return self._send(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                                "scope": get.get("scope", "")})


def tool_jwks_from(path_or_url: str):
    """A callable giving the tool's JWKS from a file (no hub) or the hub's keyset URL."""
    if path_or_url.startswith("http"):
        return lambda: requests.get(path_or_url, timeout=10).json()
    from pathlib import Path

    return lambda: json.loads(Path(path_or_url).read_text())


__all__ = ["Platform", "new_key", "tool_jwks_from", "LEARNER", "INSTRUCTOR"]
