"""A real standalone Voilà server over the repository, for the browser tests and the benchmark.

Import the fixture into a test module: ``from apps1_voila import voila_url``.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from helpers import free_port, stop_process

REPO = Path(__file__).resolve().parents[2]

VOILA = Path(sys.executable).with_name("voila")


def start_voila(root: Path, port: int, *extra: str, log=None) -> subprocess.Popen:
    """Start ``voila <root>`` with the production settings the course serves apps with."""
    cmd = [
        str(VOILA), str(root), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
        "--VoilaConfiguration.show_tracebacks=False", "--strip_sources=True", *extra,
    ]  # fmt: skip
    return subprocess.Popen(cmd, cwd=root, stdout=subprocess.DEVNULL, stderr=log or subprocess.DEVNULL)


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Poll ``url`` until the server answers; fail early if it exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"voila exited with code {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer means the server is up
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"voila did not answer at {url} within {timeout} s")


# Kept under this name for the app tests and benchmarks that import it.
stop_voila = stop_process


@pytest.fixture(scope="session")
def voila_url(tmp_path_factory):
    """Base URL of a Voilà server rendering notebooks under the repository root."""
    port = free_port()
    log = (tmp_path_factory.mktemp("voila") / "voila.log").open("w")
    proc = start_voila(REPO, port, log=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base + "/", proc)
        yield base
    finally:
        stop_voila(proc)
        log.close()
