"""Start and stop the hosted course on one machine: PostgreSQL, then JupyterHub (which starts
configurable-http-proxy and its services). Either everything starts or nothing stays running.
"""

from __future__ import annotations

import grp
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from c4c_lms.core.config import Course
from c4c_lms.core.i18n import Catalogue
from c4c_lms.core.processes import child_of_this_process, descendants, end_leftovers, run_when_parent_dies
from c4c_lms.hub import accounts, hubconfig, postgres
from c4c_lms.hub.errors import HubError
from c4c_lms.hub.links import require_secret
from c4c_lms.lms.roster import sync_gradebook
from c4c_lms.lms.workspace import prepare

M = Catalogue.load("hub")


def secrets_of(course: Course, lang: str) -> dict[str, str]:
    hub = course.config.hub
    names = [hub.link_secret_env, hub.admin_token_env]
    if not os.environ.get(hub.db_url_env):
        names.append(hub.db_password_env)
    return {n: require_secret(n, M.t("missing_secret", lang, name=n)) for n in names}


def database_urls(course: Course) -> tuple[str, str]:
    """(hub database URL, gradebook URL): an external server's from the environment, else ours."""
    hub = course.config.hub
    external = os.environ.get(hub.db_url_env)
    if external:
        return external, os.environ.get("C4C_GRADEBOOK_URL") or external
    password = os.environ[hub.db_password_env]
    return postgres.url(password, hub.db_port, "jupyterhub"), postgres.url(password, hub.db_port, "gradebook")


@contextmanager
def gradebook_at(url: str):
    """Run lms code (``Course.gradebook_url``) against ``url`` for the duration of the block."""
    before = os.environ.get("C4C_GRADEBOOK_URL")
    os.environ["C4C_GRADEBOOK_URL"] = url
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("C4C_GRADEBOOK_URL", None)
        else:
            os.environ["C4C_GRADEBOOK_URL"] = before


@dataclass
class RunningHub:
    course: Course
    process: subprocess.Popen
    cluster: postgres.Cluster | None
    url: str
    log: Path
    env: dict[str, str] = field(repr=False, default_factory=dict)

    def stop(self) -> None:
        # Services and servers run in sessions of their own: a hub that has to be killed (or
        # that dies) would leave them behind, so note them now and end what outlives the hub.
        below = descendants(self.process.pid)
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            except ProcessLookupError:
                pass
        end_leftovers(below, signal.SIGTERM)
        time.sleep(0.5 if below else 0)
        end_leftovers(below)
        pid_file = accounts.state_dir(self.course) / "proxy.pid"
        try:  # the proxy runs in the hub's session but a crashed hub may leave it behind
            os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
        except (OSError, ValueError):
            pass
        if self.cluster is not None:
            self.cluster.stop()


def hub_lines(text: str) -> list[str]:
    """JupyterHub's own lines of a log the proxy shares: the proxy's errors (and the Node.js
    stack under each) while the hub is down would otherwise fill the tail a lecturer is shown."""
    out: list[str] = []
    in_proxy = False
    for line in text.splitlines():
        if "[ConfigProxy]" in line:
            in_proxy = True
        elif not line[:1].isspace() and line[:1] != "}":
            in_proxy = False
        if not in_proxy:
            out.append(line)
    return out


def _wait_ready(url: str, process: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{url}/hub/api/", timeout=3) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    return False


def _services_ready(running: RunningHub, timeout: float) -> bool:
    """Wait until the proxy routes to the formgrader and report services (not 404/503)."""
    names = [running.course.config.course.id, hubconfig.REPORT_SERVICE]
    deadline = time.monotonic() + timeout
    while names and time.monotonic() < deadline:
        if running.process.poll() is not None:
            return False
        try:
            urllib.request.urlopen(f"{running.url}/services/{names[0]}/", timeout=5).close()
            names.pop(0)
        except urllib.error.HTTPError as err:
            if err.code not in (404, 502, 503):
                names.pop(0)
            else:
                time.sleep(0.5)
        except OSError:
            time.sleep(0.5)
    return not names


def start(course: Course, lang: str, *, log: Path | None = None, timeout: float = 120,
          extra_config: str = "") -> RunningHub:
    """Accounts, config, PostgreSQL, gradebook, then the hub; raise (nothing left running) on failure.
    ``extra_config``: Python appended to the generated config for this run only (the load rehearsal)."""
    secrets = secrets_of(course, lang)
    chp = hubconfig.chp_path()
    if not chp.exists():
        raise HubError(M.t("no_proxy", lang, path=chp))
    accounts.sync(course, lang)
    config = hubconfig.write(course)
    state = accounts.state_dir(course)
    staff_gid = grp.getgrnam(accounts.staff_group(course)).gr_gid
    for path in [state / "grader-jupyter", *(state / "grader-jupyter").iterdir()]:
        os.chown(path, 0, staff_gid)
        path.chmod(0o2770 if path.is_dir() else 0o640)  # jupyter writes a marker file here
    cluster = None
    if not os.environ.get(course.config.hub.db_url_env):
        cluster = postgres.Cluster(state / "pg", course.config.hub.db_port, lang)
        cluster.start(secrets[course.config.hub.db_password_env])
        # However `c4c hub start` ends (even SIGKILL), the database is then shut down cleanly,
        # after JupyterHub (which needs it to shut down) has ended too.
        run_when_parent_dies(cluster.stop_command(), then_wait_for=state / "jupyterhub.pid")
    hub_url, gradebook_url = database_urls(course)
    try:
        postgres.check(hub_url, lang)
        postgres.check(gradebook_url, lang)
        with gradebook_at(gradebook_url):
            prepare(course)
            sync_gradebook(course)
        accounts.secure_course_folders(course)
    except BaseException:
        if cluster is not None:
            cluster.stop()
        raise
    if extra_config:
        extended = state / "jupyterhub_config_extra.py"
        extended.write_text(config.read_text() + "\n" + extra_config)
        config = extended
    log = log or state / "jupyterhub.log"
    env = dict(os.environ, C4C_HUB_DB_URL_RUNTIME=hub_url, C4C_GRADEBOOK_URL=gradebook_url)
    with open(log, "ab") as out:
        # SIGTERM when we end, however we end: JupyterHub then stops its proxy and the servers.
        process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=state,
                                   env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                   preexec_fn=child_of_this_process(signal.SIGTERM))  # fmt: skip
    hub = course.config.hub
    running = RunningHub(course, process, cluster, f"http://{hub.ip}:{hub.port}", log, env)
    if not _wait_ready(running.url, process, timeout) or not _services_ready(running, timeout):
        code = process.poll()
        running.stop()
        tail = "\n".join(hub_lines(log.read_text(errors="replace")))[-3000:]
        raise HubError(M.t("hub_failed", lang, code=code, log=log, tail=tail))
    return running


def hub_api(course: Course, method: str, path: str, body: dict | None = None) -> object:
    """Call the hub's REST API as the course's admin service (token from the environment)."""
    hub = course.config.hub
    request = urllib.request.Request(
        f"http://{hub.ip}:{hub.port}/hub/api{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"token {os.environ.get(hub.admin_token_env, '')}"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
    return json.loads(text) if text else None


def stop_servers(course: Course, names: list[str]) -> list[str]:
    """Stop the servers of ``names`` if the hub runs (their files stay); the names stopped."""
    stopped = []
    for name in names:
        try:
            hub_api(course, "DELETE", f"/users/{name}/server")
            stopped.append(name)
        except urllib.error.HTTPError as err:
            if err.code not in (400, 404):
                raise
        except urllib.error.URLError:
            return stopped  # the hub is not running: nothing to stop
    return stopped
