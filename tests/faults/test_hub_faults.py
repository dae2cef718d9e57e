"""`c4c hub start` (what `make hub` runs) killed outright: JupyterHub, its proxy and the private
PostgreSQL cluster must not outlive it (the hub gets SIGTERM and stops its proxy; a watchdog
shuts PostgreSQL down with its own command)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from faultkit import COURSE101, run_c4c
from helpers import free_port_block

pytestmark = [pytest.mark.slow, pytest.mark.faults]


def _missing() -> str | None:
    from c4c_lms.hub import hubconfig

    if os.geteuid() != 0:
        return "the hub creates OS accounts: run as root"
    if not list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")):
        return "Debian's postgresql is not installed"
    if not hubconfig.chp_path().exists():
        return "configurable-http-proxy is not installed (make proxy)"
    return None


def _answers(url: str) -> bool:
    """Whether anything (hub or proxy) answers at ``url``."""
    try:
        urllib.request.urlopen(url, timeout=2)
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _hub_ready(url: str) -> bool:
    try:
        return urllib.request.urlopen(url, timeout=2).status == 200
    except OSError:
        return False


def test_killing_the_hub_command_stops_hub_proxy_and_database(tmp_path):
    """SIGKILL to `c4c hub start`: no JupyterHub, proxy or PostgreSQL process of it is left."""
    reason = _missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " and CI=true")
        pytest.skip(reason)
    from c4c_lms.core.config import load_course
    from c4c_lms.hub import accounts
    from c4c_lms.hub.postgres import Cluster

    top = Path(tempfile.mkdtemp(prefix="c4c-hub-fault-"))
    top.chmod(0o755)
    root = top / "course101"
    shutil.copytree(COURSE101, root)
    port = free_port_block(6)  # hub, its own port, proxy API, formgrader, report, PostgreSQL
    db_port = port + 5
    with open(root / "course" / "course.toml", "a", encoding="utf-8") as fh:
        fh.write(f'\n[hub]\nport = {port}\ndb_port = {db_port}\nhome_base = "{top / "home"}"\n')
    env = {"C4C_HUB_SECRET": os.urandom(24).hex(), "C4C_HUB_ADMIN_TOKEN": os.urandom(24).hex(),
           "C4C_HUB_DB_PASSWORD": os.urandom(24).hex()}  # fmt: skip
    course = load_course(root)
    try:
        assert run_c4c(root, "roster", "import", str(root / "roster.csv")).returncode == 0
        run = run_c4c(root, "hub", "start", env=env, timeout=240,
                      kill_when=lambda: _hub_ready(f"http://127.0.0.1:{port}/hub/health"))
        assert run.returncode == -9, run.output
        assert len(run.seen) >= 2, "no hub or proxy process was seen: the test checked nothing"
        assert run.survivors(wait=30) == []
        cluster = Cluster(accounts.state_dir(course) / "pg", db_port, "en")
        deadline = time.monotonic() + 30
        while cluster.running() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not cluster.running(), "PostgreSQL outlived the command that started it"
        assert not _answers(f"http://127.0.0.1:{port}/hub/health")
    finally:
        subprocess.run(["pkill", "-f", str(top)], check=False)
        planned = accounts.planned(course, "en", [p.strip().split(",")[0] for p in
                                                  (root / "roster.csv").read_text().splitlines()[1:]])
        accounts.remove_accounts(course, [a.name for a in planned])
        if os.environ.get('C4C_KEEP'):
            print(top)
        else:
            shutil.rmtree(top, ignore_errors=True)
