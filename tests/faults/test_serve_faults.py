"""`make run` (`c4c serve`) killed outright: JupyterLab, the apps' Voilà server and their
(preheated) kernels end with it (SIGTERM on parent death; ipykernel's parent poller)."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request

import pytest
from faultkit import REPO, run_c4c
from helpers import free_port

pytestmark = [pytest.mark.slow, pytest.mark.faults]


def _answers(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def test_killing_serve_stops_both_servers_and_their_kernels(tmp_path):
    """SIGKILL to `c4c serve` once both servers answer: nothing it started is left running."""
    root = tmp_path / "course"
    for part in ("course", "modules", "exercises", "voila_apps"):
        shutil.copytree(REPO / part, root / part)
    port = free_port()  # with port + 1 free too
    run = run_c4c(root, "serve", "--port", str(port), timeout=240, env={"C4C_TOKEN": "faults"},
                  kill_when=lambda: _answers(port) and _answers(port + 1))
    assert run.returncode == -9, run.output
    assert len(run.seen) >= 2, "no server was seen: the test checked nothing"
    assert run.survivors(wait=30) == []
    assert not _answers(port) and not _answers(port + 1)
