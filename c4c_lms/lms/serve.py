"""``c4c serve`` (what ``make run`` starts): the course's two local servers.

JupyterLab (port ``port``) opens on ``modules/``; nbgrader's formgrader is in its menu, and its
Voilà server extension still renders any notebook at ``/voila/render/...``. The apps and module
pages are served by a standalone Voilà (port ``port + 1``, :mod:`c4c_lms.lms.apps_server`) with
preheated kernels, so an app is interactive at once. Both use production settings (sources
stripped, no tracebacks, the course template), serve Font Awesome from the installed package
(nothing is fetched from the internet), and cull idle kernels.

Both ports are checked before anything starts (a taken port is reported, with the ``PORT=``
to use instead), and the addresses are printed only once both servers answer.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time

from c4c_lms.core.config import Course
from c4c_lms.core.exceptions import C4CError
from c4c_lms.core.processes import child_of_this_process
from c4c_lms.lms.apps_server import fontawesome_dir, jupyter_env
from c4c_lms.lms.csp import SERVER_ARGUMENT
from c4c_lms.lms.workspace import prepare


class PortInUse(C4CError):
    """A port ``c4c serve`` needs is taken by another program; ``free`` is a port pair to use."""

    def __init__(self, port: int, free: int):
        self.port, self.free = port, free
        super().__init__(f"port {port} is already in use (try PORT={free})")


def port_taken(port: int) -> bool:
    """Is something already listening on (or holding) 127.0.0.1:``port``?"""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def check_ports(port: int) -> None:
    """Raise :class:`PortInUse` unless ``port`` (JupyterLab) and ``port + 1`` (apps) are free."""
    for wanted in (port, port + 1):
        if port_taken(wanted):
            free = next(p for p in range(port + 2, port + 200, 2)
                        if not port_taken(p) and not port_taken(p + 1))  # fmt: skip
            raise PortInUse(wanted, free)

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
        f"--ServerApp.extra_static_paths=['{fontawesome_dir()}']",
        "--VoilaConfiguration.template=c4c",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        "--MappingKernelManager.cull_idle_timeout=1800",
        "--MappingKernelManager.cull_interval=120",
        SERVER_ARGUMENT,  # a Content-Security-Policy on the formgrader's pages
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI run as root
    return command


def apps_command(course: Course, port: int, pool_size: int = 1) -> list[str]:
    """The standalone Voilà for the apps and module pages (preheated kernels, bounded pools: one
    kernel per app and per module page in the course's language)."""
    return [sys.executable, "-m", "c4c_lms.lms.apps_server", str(course.root), f"--port={port}",
            f"--pool-size={pool_size}", f"--modules={course.config.course.language}"]  # fmt: skip


def urls(course: Course, port: int, token: str) -> dict[str, str]:
    """JupyterLab, formgrader, then each app on the apps server (``port + 1``, no token)."""
    base, apps = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"
    found = {
        "lab": f"{base}/lab/tree/modules?token={token}",
        "formgrader": f"{base}/formgrader?token={token}",
    }
    apps_dir = course.path("apps")
    rel = apps_dir.relative_to(course.root).as_posix()
    for app in sorted(p.name for p in apps_dir.iterdir() if (p / "index.ipynb").is_file()) \
            if apps_dir.is_dir() else []:  # fmt: skip
        found[app] = f"{apps}/voila/render/{rel}/{app}/index.ipynb"
    return found


def serve(course: Course, port: int = 8888, open_browser: bool = False, echo=print) -> int:
    """Prepare the working folder, start both servers, print the URLs once both answer, stop
    cleanly on Ctrl-C. Raises :class:`PortInUse` before starting anything if a port is taken."""
    check_ports(port)
    prepare(course)
    token = os.environ.get("C4C_TOKEN") or secrets.token_urlsafe(16)
    env = jupyter_env(dict(os.environ, C4C_COURSE_ROOT=str(course.root)))
    processes = [
        # SIGTERM when `c4c serve` ends, however it ends: Jupyter then shuts its kernels down.
        subprocess.Popen(command, cwd=course.root, env=env, start_new_session=True,
                         preexec_fn=child_of_this_process(signal.SIGTERM))
        for command in (server_command(course, port, token, open_browser), apps_command(course, port + 1))
    ]  # fmt: skip
    # Ctrl-C must reach us even when started from a shell that ignores it (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)  # a polite kill stops both servers too
    try:
        for process, ready in zip(processes, (lambda: server_ready(port, 2), lambda: answers(port + 1))):
            while not ready():
                if process.poll() is not None:  # it stopped before answering (e.g. port taken)
                    return stop(processes) or process.returncode or 1
                time.sleep(0.2)
        echo(urls(course, port, token))
        while all(p.poll() is None for p in processes):
            try:
                processes[0].wait(timeout=1)
            except subprocess.TimeoutExpired:
                continue
        return stop(processes)
    except KeyboardInterrupt:
        return stop(processes)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def stop(processes: list[subprocess.Popen]) -> int:
    """Stop the servers (own sessions, so no SIGINT of their own): SIGTERM, then SIGKILL."""
    for process in processes:
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            try:
                os.killpg(process.pid, sig)
                process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
            except ProcessLookupError:
                break
    return 0


def answers(port: int, timeout: float = 2.0) -> bool:
    """Does an HTTP server answer on ``port`` right now (any status)?"""
    import urllib.error
    import urllib.request

    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=timeout)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def server_ready(port: int, timeout: float = 60.0) -> bool:
    """Wait until the server answers on ``port`` (used by tests and the benchmark)."""
    import http.client
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=2):
                return True
        except (OSError, http.client.HTTPException):  # not up yet, or another program's protocol
            time.sleep(0.3)
    return False


__all__ = ["serve", "server_command", "apps_command", "urls", "server_ready", "check_ports", "PortInUse"]
