"""A standalone Voilà server as a context manager (browser tests and tests/bench/bench_apps_2.py)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from apps_calendar_profile.apps1_voila import start_voila, wait_ready
from helpers import free_port, stop_process

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def voila_server(log_path: Path | None = None, **env: str):
    """Yield the base URL of a Voilà server over the repository; ``env`` reaches its kernels."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # kernels inherit the server's environment at spawn time
    port = free_port()
    log = log_path.open("w") if log_path else None
    proc = start_voila(REPO, port, log=log)
    try:
        wait_ready(f"http://127.0.0.1:{port}/", proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(proc, timeout=10)
        if log:
            log.close()
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
