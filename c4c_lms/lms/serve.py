"""``c4c serve`` (what ``make run`` starts): one Jupyter server for the whole course.

JupyterLab opens on ``modules/``; nbgrader's formgrader is in its menu; the Voilà server
extension renders the apps with production settings (sources stripped, no tracebacks) and idle
kernels are culled so an open laptop does not fill with forgotten kernels.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys

from c4c_lms.core.config import Course
from c4c_lms.lms.workspace import prepare

APPS = ("events_calendar", "community_profile", "project_planner", "partner_finder")


def server_command(course: Course, port: int, token: str, open_browser: bool = False) -> list[str]:
    """The ``jupyter lab`` command line with the course's settings."""
    command = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.root_dir={course.root}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.open_browser={open_browser}",
        "--LabApp.default_url=/lab/tree/modules",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        "--MappingKernelManager.cull_idle_timeout=1800",
        "--MappingKernelManager.cull_interval=120",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI run as root
    return command


def urls(course: Course, port: int, token: str) -> dict[str, str]:
    base = f"http://127.0.0.1:{port}"
    found = {
        "lab": f"{base}/lab/tree/modules?token={token}",
        "formgrader": f"{base}/formgrader?token={token}",
    }
    apps_dir = course.path("apps")
    rel = apps_dir.relative_to(course.root).as_posix()
    for app in sorted(p.name for p in apps_dir.iterdir() if (p / "index.ipynb").is_file()) \
            if apps_dir.is_dir() else []:  # fmt: skip
        found[app] = f"{base}/voila/render/{rel}/{app}/index.ipynb?token={token}"
    return found


def serve(course: Course, port: int = 8888, open_browser: bool = False, echo=print) -> int:
    """Prepare the working folder, start the server, print URLs, stop cleanly on Ctrl-C."""
    prepare(course)
    token = os.environ.get("C4C_TOKEN") or secrets.token_urlsafe(16)
    env = dict(os.environ, C4C_COURSE_ROOT=str(course.root))
    process = subprocess.Popen(
        server_command(course, port, token, open_browser), cwd=course.root, env=env,
        start_new_session=True,
    )  # fmt: skip
    echo(urls(course, port, token))
    # Ctrl-C must reach us even when started from a shell that ignores it (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return process.wait()
    except KeyboardInterrupt:
        # The server got no SIGINT of its own (own session): ask it once, as Jupyter expects.
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            try:
                os.killpg(process.pid, sig)
                return process.wait(timeout=wait) and 0
            except subprocess.TimeoutExpired:
                continue
            except ProcessLookupError:
                return 0
        return 0


def server_ready(port: int, timeout: float = 60.0) -> bool:
    """Wait until the server answers on ``port`` (used by tests and the benchmark)."""
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=2):
                return True
        except OSError:
            time.sleep(0.3)
    return False


__all__ = ["serve", "server_command", "urls", "server_ready"]
