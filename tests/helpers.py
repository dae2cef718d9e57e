"""Small helpers shared by tests in several folders (import as `from helpers import ...`).

Not in conftest.py: several test folders have a conftest.py of their own, and a module named
`conftest` is ambiguous to import.
"""

from __future__ import annotations

import socket
import subprocess

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
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(proc: subprocess.Popen, timeout: float = 15) -> None:
    """Stop a server started by a test (Jupyter and Voilà shut their kernels down on SIGTERM)."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
