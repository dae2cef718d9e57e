"""A participant's browser, reduced to HTTP: sign in with a link, start the server, run code
in a kernel, fetch and submit through nbgrader's assignment list. Used by the load rehearsal
and the hub tests; it goes through the same doors as a person (the proxy, the hub's login,
the hub's OAuth for the user's server).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from urllib.parse import urlparse

import requests
import websocket


class HubClientError(Exception):
    pass


class Browser:
    def __init__(self, base: str, name: str):
        self.base, self.name = base.rstrip("/"), name
        self.session = requests.Session()
        self.token = ""

    # -- the hub ---------------------------------------------------------------------------
    def sign_in(self, link: str) -> requests.Response:
        """Open the link page, press its button; the response of the POST (302 when signed in)."""
        page = self.session.get(link, timeout=30)
        page.raise_for_status()
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
        token = re.search(r'name="t" value="([^"]*)"', page.text)
        if not xsrf or not token:
            raise HubClientError(f"no sign-in form at {link}")
        path = urlparse(link).path
        return self.session.post(f"{self.base}{path}", data={"t": token.group(1), "_xsrf": xsrf.group(1)},
                                 allow_redirects=False, timeout=30)  # fmt: skip

    def sign_in_password(self, password: str) -> requests.Response:
        page = self.session.get(f"{self.base}/hub/login", timeout=30)
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
        return self.session.post(f"{self.base}/hub/login", allow_redirects=False, timeout=30, data={
            "username": self.name, "password": password, "_xsrf": xsrf.group(1) if xsrf else ""})

    def whoami(self) -> dict:
        r = self.session.get(f"{self.base}/hub/api/user", timeout=30,
                             headers={"X-XSRFToken": self.session.cookies.get("_xsrf", path="/hub/") or ""})
        r.raise_for_status()
        return r.json()

    def get_token(self) -> str:
        """An API token for this user, asked for with the browser's login cookie."""
        xsrf = self.session.cookies.get("_xsrf", path="/hub/") or ""
        r = self.session.post(f"{self.base}/hub/api/users/{self.name}/tokens", json={"note": "rehearsal"},
                              headers={"X-XSRFToken": xsrf}, timeout=30)  # fmt: skip
        if r.status_code != 201:
            raise HubClientError(f"token for {self.name}: {r.status_code} {r.text[:200]}")
        self.token = r.json()["token"]
        return self.token

    def _auth(self) -> dict:
        return {"Authorization": f"token {self.token}"}

    def spawn(self, timeout: float = 180) -> float:
        """Start this user's server and wait until it answers; seconds taken."""
        t0 = time.perf_counter()
        r = requests.post(f"{self.base}/hub/api/users/{self.name}/server", headers=self._auth(), timeout=60)
        if r.status_code not in (201, 202, 400):  # 400: already running
            raise HubClientError(f"spawn {self.name}: {r.status_code} {r.text[:200]}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            user = requests.get(f"{self.base}/hub/api/users/{self.name}", headers=self._auth(), timeout=30).json()
            server = (user.get("servers") or {}).get("")
            if server and server.get("ready"):
                api = requests.get(f"{self.base}/user/{self.name}/api/status", headers=self._auth(), timeout=30)
                if api.status_code == 200:
                    return time.perf_counter() - t0
            elif server is None and user.get("pending") is None and time.monotonic() > deadline - timeout + 5:
                raise HubClientError(f"server of {self.name} did not start")
            time.sleep(0.25)
        raise HubClientError(f"server of {self.name} not ready after {timeout} s")

    # -- the user's server -----------------------------------------------------------------
    def server(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.base}/user/{self.name}{path}", headers=self._auth(),
                                timeout=kwargs.pop("timeout", 120), **kwargs)  # fmt: skip

    def run(self, code: str | list[str], timeout: float = 120, path: str = "") -> list[dict]:
        """Execute cells in a new kernel (working folder ``path`` in the home); one
        ``{"out": text, "error": ename or ""}`` per cell."""
        cells = [code] if isinstance(code, str) else code
        kernel = self.server("POST", "/api/kernels", json={"name": "python3", "path": path}).json()
        url = f"{self.base.replace('http', 'ws', 1)}/user/{self.name}/api/kernels/{kernel['id']}/channels"
        ws = websocket.create_connection(url, header=[f"Authorization: token {self.token}"], timeout=timeout)
        results = []
        try:
            session = uuid.uuid4().hex
            for source in cells:
                msg_id = uuid.uuid4().hex
                ws.send(json.dumps({
                    "header": {"msg_id": msg_id, "username": self.name, "session": session,
                               "msg_type": "execute_request", "version": "5.3"},
                    "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                    "content": {"code": source, "silent": False, "store_history": False,
                                "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
                }))  # fmt: skip
                out, error = [], ""
                while True:
                    msg = json.loads(ws.recv())
                    if msg["msg_type"] == "status" and msg["content"]["execution_state"] in ("restarting", "dead"):
                        error = "KernelDied"  # killed (out of memory) and being restarted
                        break
                    if msg.get("parent_header", {}).get("msg_id") != msg_id:
                        continue
                    kind, content = msg["msg_type"], msg["content"]
                    if kind == "stream":
                        out.append(content["text"])
                    elif kind == "execute_result":
                        out.append(content["data"].get("text/plain", ""))
                    elif kind == "error":
                        error = content["ename"]
                        out.append(f"{content['ename']}: {content['evalue']}")
                    elif kind == "status" and content["execution_state"] == "idle":
                        break
                results.append({"out": "".join(out), "error": error})
        finally:
            ws.close()
            self.server("DELETE", f"/api/kernels/{kernel['id']}")
        return results

    # -- nbgrader's assignment list (what its JupyterLab panel calls) ------------------------
    def assignments(self, course_id: str) -> dict:
        r = self.server("GET", "/assignments", params={"course_id": course_id})
        r.raise_for_status()
        return r.json()

    def fetch(self, course_id: str, assignment: str) -> dict:
        r = self.server("POST", "/assignments/fetch", data={"course_id": course_id, "assignment_id": assignment})
        r.raise_for_status()
        return r.json()

    def submit(self, course_id: str, assignment: str) -> dict:
        r = self.server("POST", "/assignments/submit", data={"course_id": course_id, "assignment_id": assignment})
        r.raise_for_status()
        return r.json()

    def service(self, path: str) -> requests.Response:
        """Open a hub service in the browser (following the hub's OAuth redirects)."""
        return self.session.get(f"{self.base}{path}", timeout=60)
