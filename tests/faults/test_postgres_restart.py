"""The hosted course's PostgreSQL gradebook restarts in the middle of a grading batch: the grader
waits, reconnects and finishes with every result (issue: PostgreSQL restarted mid-batch)."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from faultkit import grading_state, new_course, run_c4c
from helpers import free_port

pytestmark = [pytest.mark.slow, pytest.mark.faults]

N = 6
EXPECTED = {f"p{i:02d}/ps1": ("needs_manual", 3.0, 5.0) for i in range(N)}


@pytest.fixture
def cluster():
    """A private PostgreSQL cluster on a free loopback port (Debian's postgresql, run as postgres)."""
    missing = os.geteuid() != 0 or not list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL (Debian's postgresql) and root are needed; .ci/run installs it")
        pytest.skip("needs root and Debian's postgresql")
    from c4c_lms.hub.postgres import Cluster

    top = Path(tempfile.mkdtemp(prefix="c4c-pg-fault-"))
    top.chmod(0o755)  # the postgres account must reach its data folder
    server = Cluster(top / "pg", free_port(), "en")
    password = secrets.token_hex(12)
    server.start(password)
    try:
        yield server, password
    finally:
        server.stop()
        shutil.rmtree(top, ignore_errors=True)


def test_grading_survives_a_postgres_restart_mid_batch(tmp_path, cluster):
    """PostgreSQL stopped for 3 s after the first result: the batch waits, reconnects and completes."""
    from c4c_lms.hub.postgres import url

    server, password = cluster
    env = {"C4C_GRADEBOOK_URL": url(password, server.port, "gradebook")}
    root = new_course(tmp_path, N, env=env)
    restarted: dict = {}

    def restart_after_first_result() -> bool:
        if not restarted and len(grading_state(root)) >= 1:
            server.stop()
            restarted["down"] = time.monotonic()
            time.sleep(3)
            server.start(password)
            restarted["up"] = time.monotonic()
        return False

    run = run_c4c(root, "grade", "--workers", "2", env=env, kill_when=restart_after_first_result)
    assert restarted, "the database was never restarted: the test checked nothing"
    assert run.returncode == 0, run.output
    results = {k: (v["status"], v["score"], v["max_score"]) for k, v in grading_state(root).items()}
    assert results == EXPECTED
    assert run.survivors() == []
