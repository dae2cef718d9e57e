"""Processes that end with their parent, and one-at-a-time locks for commands that write.

A lecturer's SSH session drops, a laptop sleeps, a grader is killed: whatever ends a command,
nothing it started may keep running (grading workers, sandboxes, servers). On Linux the kernel
does this for us once a child asks for a *parent-death signal* (``PR_SET_PDEATHSIG``); elsewhere
the children's own checks remain (``bwrap --die-with-parent``, ipykernel's parent poller).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import json
import os
import signal
import sys
from pathlib import Path

from c4c_lms.core.exceptions import BusyError

PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def die_with_parent(parent_pid: int | None = None, sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send ``sig`` to this process when its parent ends (Linux only).

    Call it first thing in a child (a pool initializer, a ``preexec_fn``). The parent may have
    died before the request was made; then nobody would ever send the signal, so the child
    ends itself at once when its parent is no longer ``parent_pid``.
    """
    if _LIBC is None:
        return
    _LIBC.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if parent_pid is not None and os.getppid() != parent_pid:
        os.kill(os.getpid(), sig)


def child_of_this_process(sig: int = signal.SIGKILL):
    """A ``preexec_fn`` for ``subprocess.Popen``: the child ends when this process ends."""
    parent = os.getpid()
    return lambda: die_with_parent(parent, sig)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class CommandLock:
    """An exclusive lock on a working folder for one kind of command (``grade``, ...).

    ``flock`` holds it, so a crashed holder releases it by dying; the file also records the
    holder's process id and start time, for the message a second command shows. A record
    left by a holder that died is reported as ``stale`` (and the lock taken over).
    """

    def __init__(self, path: Path, command: str):
        self.path, self.command = Path(path), command
        self.fd: int | None = None
        self.stale: dict | None = None

    def holder(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def __enter__(self) -> CommandLock:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            who = self.holder()
            raise BusyError(self.command, int(who.get("pid", 0)), str(who.get("started", "?"))) from None
        previous = self.holder()
        if previous.get("pid") and not pid_alive(int(previous["pid"])):
            self.stale = previous
        record = {"pid": os.getpid(), "command": self.command,
                  "started": dt.datetime.now().astimezone().isoformat(timespec="seconds")}  # fmt: skip
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(record).encode())
        os.fsync(fd)
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)  # a finished holder leaves no record behind
            os.close(self.fd)  # closing releases the flock
            self.fd = None
