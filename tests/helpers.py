"""Small helpers shared by tests in several folders (import as `from helpers import ...`).

Not in conftest.py: several test folders have a conftest.py of their own, and a module named
`conftest` is ambiguous to import.
"""

from __future__ import annotations

import socket
import subprocess
from contextlib import contextmanager

# Flags a root user in a closed-network sandbox needs for Chromium (see the machine notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now, with the next one free too (`c4c serve`
    takes both). Not the kernel's pick of port 0: that lies in the ephemeral range, where a kernel
    started meanwhile can take it (a server test once met a ZeroMQ greeting on its own port)."""
    return free_port_block(2)


def free_port_block(count: int) -> int:
    """The first of ``count`` consecutive free ports on 127.0.0.1 (the hub takes port … port+4).
    Chosen below Linux's ephemeral range (32768+), where kernels and clients take random ports
    that could land inside the block between this check and the hub's start."""
    import random

    for _ in range(500):
        base = random.randrange(20000, 32000 - count)
        try:
            for port in range(base, base + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError(f"no {count} consecutive free ports between 20000 and 32000")


def stop_process(proc: subprocess.Popen, timeout: float = 15) -> None:
    """Stop a server started by a test (Jupyter and Voilà shut their kernels down on SIGTERM)."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_c4c(root, *args: str, lang: str = "en", input: str | None = None, check: bool = False,
            catch_exceptions: bool = True):
    """Run the real ``c4c`` command (click's CliRunner, in this process) on the course at
    ``root`` in ``lang``; with ``check``, fail the test on a non-zero exit, showing the output."""
    from click.testing import CliRunner

    from c4c_lms.cli.main import cli

    result = CliRunner().invoke(cli, ["--course-root", str(root), "--lang", lang, *args], input=input,
                                catch_exceptions=catch_exceptions)
    if check and result.exit_code != 0:
        raise AssertionError(f"c4c {' '.join(args)} exited {result.exit_code}:\n{result.output}"
                             + (f"\n{result.exception!r}" if result.exception else ""))
    return result


# -- a real standalone Voilà server ------------------------------------------------------------
def start_voila(root, port: int, *extra: str, log=None) -> subprocess.Popen:
    """Start ``voila <root>`` with the production settings the course serves apps with."""
    import sys
    from pathlib import Path

    voila = Path(sys.executable).with_name("voila")
    cmd = [
        str(voila), str(root), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
        "--VoilaConfiguration.show_tracebacks=False", "--strip_sources=True", *extra,
    ]  # fmt: skip
    return subprocess.Popen(cmd, cwd=root, stdout=subprocess.DEVNULL, stderr=log or subprocess.DEVNULL)


def start_course_voila(root, port: int, log=None, pool_size: int = 0) -> subprocess.Popen:
    """Start the course's own Voilà (``python -m c4c_lms.lms.apps_server``, as ``c4c serve``
    does: the course template and its page script) over ``root``; no preheated kernels unless
    ``pool_size``."""
    import os
    import sys

    from c4c_lms.lms.apps_server import jupyter_env

    cmd = [sys.executable, "-m", "c4c_lms.lms.apps_server", str(root), f"--port={port}", f"--pool-size={pool_size}"]
    return subprocess.Popen(cmd, cwd=root, env=jupyter_env(dict(os.environ)), stdout=subprocess.DEVNULL,
                            stderr=log or subprocess.DEVNULL)  # fmt: skip


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Poll ``url`` until the server answers; fail early if it exits."""
    import time
    import urllib.error
    import urllib.request

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


@contextmanager
def voila_server(root=None, log_path=None, **env: str):
    """Yield the base URL of the course's Voilà server over ``root`` (default: the repository);
    ``env`` reaches its kernels (they inherit the server's environment at spawn time)."""
    import os
    from pathlib import Path

    root = root or Path(__file__).resolve().parents[1]
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    port = free_port()
    log = Path(log_path).open("w") if log_path else None
    proc = start_course_voila(root, port, log=log)
    try:
        wait_ready(f"http://127.0.0.1:{port}/", proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(proc, timeout=10)
        if log:
            log.close()
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)


def skip_unless_ready(reason: str | None) -> None:
    """Skip a test whose machine prerequisites are missing (``reason``); in CI (CI=true), where
    ``.ci/run`` installs them, fail instead."""
    import os

    import pytest

    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " and CI=true: these tests must run in CI")
        pytest.skip(reason)
