"""The hub's configuration, derived from ``course.toml``: settings (plain data, no secrets) and
the ``jupyterhub_config.py`` that applies them.

Secrets (database URL, service token, link key) are read from the environment by the
generated config when the hub starts; the written files never hold one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

from c4c_lms.core.config import Course
from c4c_lms.core.files import write_text_atomic
from c4c_lms.hub.accounts import grader_account, home_base, state_dir
from c4c_lms.lms.csp import SERVER_ARGUMENT
from c4c_lms.lms.lti.keys import jwks_path

REPO = Path(__file__).resolve().parents[2]
ADMIN_SERVICE = "c4c-admin"
REPORT_SERVICE = "report"
# Server extensions a participant's server does not load (staff tools, language servers).
PARTICIPANT_OFF = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
    "jupyter_lsp": False,
}
PARTICIPANT_LAB_OFF = [
    "@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:create-assignment",
    "@jupyter-lsp/jupyterlab-lsp",
]  # fmt: skip


def chp_path() -> Path:
    """configurable-http-proxy as installed by ``make hub`` (npm, into var/node)."""
    return REPO / "var" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"


def runtime_python(state: Path) -> Path:
    """The interpreter participants' servers run on: ``<state>/runtime``, a venv of Debian's
    Python that sees this installation's packages (a ``.pth`` line). The hub's own interpreter
    may sit where other accounts cannot reach it (pyenv under ``/root``)."""
    return state / "runtime" / "bin" / "python"


def ensure_runtime(state: Path) -> Path:
    python = runtime_python(state)
    system = Path("/usr/bin/python3")
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if not python.exists():
        if not (system.exists() and system.resolve().name == version):
            python.parent.mkdir(parents=True, exist_ok=True)
            python.symlink_to(sys.executable)  # same interpreter; must be readable by all accounts
            return python
        subprocess.run([str(system), "-m", "venv", "--without-pip", str(state / "runtime")], check=True)
    site_packages = state / "runtime" / "lib" / version / "site-packages"
    if site_packages.is_dir():
        line = f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n"
        write_text_atomic(site_packages / "c4c_workbench.pth", line)
    for folder, dirs, files in os.walk(state / "runtime"):
        os.chmod(folder, 0o755)
        for name in files:
            if not os.path.islink(os.path.join(folder, name)):
                os.chmod(os.path.join(folder, name), 0o755)
    return python


def settings(course: Course) -> dict:
    """Everything the hub needs to know about this course, as JSON-able data."""
    hub, staff, cid = course.config.hub, course.config.staff, course.config.course.id
    state = state_dir(course)
    python = str(runtime_python(state))
    return {
        "course_id": cid,
        "course_root": str(course.root),
        "state_dir": str(state),
        "exchange": str(state / "exchange"),
        "bind_url": f"http://{hub.ip}:{hub.port}",
        "hub_port": hub.port + 1,
        "proxy_api_port": hub.port + 2,
        "formgrader_port": hub.port + 3,
        "report_port": hub.port + 4,
        "chp": str(chp_path()),
        "python": python,
        "hub_python": sys.executable,
        # where this installation keeps Jupyter's config (enabled extensions) and data (lab)
        "jupyter_etc": str(Path(sys.prefix) / "etc" / "jupyter"),
        "jupyter_share": str(Path(sys.prefix) / "share" / "jupyter"),
        "home_base": str(home_base(course)),
        "lecturers": list(staff.lecturers),
        "graders": [g for g in staff.graders if g not in staff.lecturers],
        "grader_account": grader_account(course),
        "idle_timeout_s": int(hub.idle_timeout_min * 60),
        "cull_every_s": hub.cull_every_s,
        # servers report activity (and the hub reads the proxy's) several times per idle timeout:
        # with JupyterHub's default of 5 minutes a short timeout would cull servers in use
        "activity_interval_s": max(5, min(300, int(hub.idle_timeout_min * 60) // 4)),
        "memory_limit_mb": hub.memory_limit_mb,
        "db_url_env": "C4C_HUB_DB_URL_RUNTIME",
        "gradebook_env": "C4C_GRADEBOOK_URL",
        "admin_token_env": hub.admin_token_env,
        "link_secret_env": hub.link_secret_env,
        "lti": lti_settings(course),
    }


def lti_settings(course: Course) -> dict:
    """The ``[lti]`` values the hub's LTI authenticator needs (empty when LTI is off)."""
    lti = course.config.lti
    if not lti.enabled:
        return {}
    return {"issuer": lti.issuer, "client_id": lti.client_id, "deployment_ids": list(lti.deployment_ids),
            "authorize_url": lti.auth_login_url, "jwks_endpoint": lti.keyset_url,
            "staff_ids": dict(lti.staff_ids), "jwks_file": str(jwks_path(course)),
            "uri_scheme": "https" if course.config.hub.public_url.startswith("https") else "auto"}  # fmt: skip


def roles(s: dict) -> list[dict]:
    """JupyterHub roles: staff reach the formgrader and report services; services get what they use."""
    cid = s["course_id"]
    return [
        {"name": f"formgrade-{cid}", "groups": [f"formgrade-{cid}"],
         "scopes": [f"access:services!service={cid}", f"access:services!service={REPORT_SERVICE}",
                    "list:services", f"read:services!service={cid}"]},
        {"name": "idle-culler", "services": ["idle-culler"],
         "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
        {"name": ADMIN_SERVICE, "services": [ADMIN_SERVICE],
         "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users", "access:servers",
                    "list:services", "read:services"]},
    ]  # fmt: skip


def services(s: dict, env: dict[str, str]) -> list[dict]:
    cid, state = s["course_id"], Path(s["state_dir"])
    staff_env = {"C4C_COURSE_ROOT": s["course_root"], "C4C_GRADEBOOK_URL": env.get(s["gradebook_env"], ""),
                 "JUPYTER_CONFIG_PATH": s["jupyter_etc"], "JUPYTER_PATH": s["jupyter_share"]}
    return [
        {  # nbgrader's documented setup: the formgrader as a hub service run by grader-<course>
            "name": cid, "url": f"http://127.0.0.1:{s['formgrader_port']}",
            "command": [s["python"], "-m", "jupyterhub.singleuser", f"--ServerApp.root_dir={s['course_root']}",
                        SERVER_ARGUMENT],  # a Content-Security-Policy on the formgrader's pages
            "user": s["grader_account"], "cwd": s["course_root"], "oauth_no_confirm": True,
            "environment": {**staff_env, "JUPYTERHUB_DEFAULT_URL": "/formgrader",
                            "JUPYTER_CONFIG_DIR": str(state / "grader-jupyter")},
        },
        {  # the cohort report (personal data): staff only
            "name": REPORT_SERVICE, "url": f"http://127.0.0.1:{s['report_port']}",
            "command": [s["python"], "-m", "c4c_lms.hub.report_service"],
            "user": s["grader_account"], "cwd": s["course_root"], "oauth_no_confirm": True,
            "environment": staff_env,
        },
        {  # jupyterhub-idle-culler stops servers idle longer than [hub] idle_timeout_min
            "name": "idle-culler",
            "command": [s["hub_python"], "-m", "jupyterhub_idle_culler", f"--timeout={s['idle_timeout_s']}",
                        f"--cull-every={s['cull_every_s']}"],
        },
        {"name": ADMIN_SERVICE, "api_token": env.get(s["admin_token_env"], "")},
    ]  # fmt: skip


def apply(c, s: dict, env: dict[str, str]) -> None:
    """Set JupyterHub's traits on config ``c`` from settings ``s`` and secrets in ``env``."""
    state, cid = Path(s["state_dir"]), s["course_id"]
    c.JupyterHub.bind_url = s["bind_url"]
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = s["hub_port"]
    # The proxy ends with the hub, however the hub ends (even killed while starting).
    c.ConfigurableHTTPProxy.command = [sys.executable, "-m", "c4c_lms.core.processes", s["chp"]]
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s['proxy_api_port']}"
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
    c.JupyterHub.db_url = env[s["db_url_env"]]
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.JupyterHub.authenticator_class = "c4c_lms.hub.auth.C4CAuthenticator"
    c.C4CAuthenticator.state_dir = str(state)
    c.C4CAuthenticator.link_secret_env = s["link_secret_env"]
    if s.get("lti"):  # LTI 1.3 launches beside links and passwords
        lti = s["lti"]
        c.JupyterHub.authenticator_class = "c4c_lms.hub.lti.C4CLtiAuthenticator"
        c.C4CLtiAuthenticator.course_root = s["course_root"]
        for name in ("issuer", "authorize_url", "jwks_endpoint", "deployment_ids", "staff_ids", "jwks_file",
                     "uri_scheme"):
            setattr(c.C4CLtiAuthenticator, name, lti[name])
        c.C4CLtiAuthenticator.client_id = {lti["client_id"]}
    c.Authenticator.any_allow_config = True  # check_allowed reads accounts.json
    c.JupyterHub.spawner_class = "c4c_lms.hub.spawner.C4CSpawner"
    c.Spawner.cmd = [s["python"], "-m", "jupyterhub.singleuser"]
    c.Spawner.notebook_dir = "~"
    c.Spawner.default_url = "/lab/tree/modules"
    c.Spawner.environment = {"JUPYTER_CONFIG_PATH": os.pathsep.join([str(state / "participant-jupyter"), s["jupyter_etc"]]),
                             "JUPYTER_PATH": s["jupyter_share"],
                             "JUPYTERHUB_ACTIVITY_INTERVAL": str(s["activity_interval_s"])}
    c.JupyterHub.last_activity_interval = s["activity_interval_s"]
    c.Spawner.poll_interval = 10  # a killed server is noticed within seconds (a signal-0 check each)
    c.Spawner.start_timeout = 120
    c.Spawner.http_timeout = 120
    c.C4CSpawner.course_root = s["course_root"]
    c.C4CSpawner.memory_limit_mb = s["memory_limit_mb"]
    staff = s["lecturers"] + s["graders"]
    c.JupyterHub.load_groups = {f"formgrade-{cid}": {"users": staff}}
    c.JupyterHub.load_roles = roles(s)
    c.JupyterHub.services = services(s, env)


def write(course: Course) -> Path:
    """Write ``settings.json``, ``jupyterhub_config.py`` and the Jupyter/nbgrader configs of
    participants and the grader account; returns the hub config's path."""
    s = settings(course)
    state = Path(s["state_dir"])
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o711)
    ensure_runtime(state)
    write_text_atomic(state / "settings.json", json.dumps(s, indent=1))
    config = state / "jupyterhub_config.py"
    write_text_atomic(config, (
        "# Generated by `c4c hub` from course/course.toml; edits are overwritten.\n"
        "import json, os\nfrom c4c_lms.hub.hubconfig import apply\n"
        f"apply(c, json.loads(open({str(state / 'settings.json')!r}).read()), dict(os.environ))\n"
    ))  # fmt: skip
    participant = state / "participant-jupyter"
    participant.mkdir(exist_ok=True)
    participant.chmod(0o755)
    write_text_atomic(participant / "nbgrader_config.py", (
        f"c = get_config()\nc.CourseDirectory.course_id = {s['course_id']!r}\n"
        f"c.Exchange.root = {s['exchange']!r}\n"
    ))  # fmt: skip
    write_text_atomic(participant / "jupyter_server_config.json", json.dumps(
        {"ServerApp": {"jpserver_extensions": PARTICIPANT_OFF}}, indent=1))
    labconfig = participant / "labconfig"
    labconfig.mkdir(exist_ok=True)
    write_text_atomic(labconfig / "page_config.json", json.dumps(
        {"disabledExtensions": {name: True for name in PARTICIPANT_LAB_OFF}}, indent=1))
    for path in [*participant.rglob("*"), participant]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    grader = state / "grader-jupyter"
    grader.mkdir(exist_ok=True)
    write_text_atomic(grader / "nbgrader_config.py", (
        "from pathlib import Path\nfrom c4c_lms.core.config import load_course\n"
        "from c4c_lms.lms.workspace import nbgrader_config\n"
        f"c = get_config()\nc.merge(nbgrader_config(load_course(Path({s['course_root']!r}))))\n"
        f"c.Exchange.root = {s['exchange']!r}\n"
    ))  # fmt: skip
    return config
