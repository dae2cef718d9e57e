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
import subprocess
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


def process_stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time in clock ticks) of a live process; None when gone or a zombie."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return None if fields[0] == "Z" else (int(fields[1]), int(fields[19]))


def descendants(pid: int) -> dict[int, int]:
    """Every live process below ``pid`` (pid → start time), those in sessions of their own
    included; empty where there is no ``/proc``."""
    if not Path("/proc/self/stat").exists():
        return {}
    children: dict[int, list[tuple[int, int]]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := process_stat(int(entry))) is not None:
            children.setdefault(stat[0], []).append((int(entry), stat[1]))
    found: dict[int, int] = {}
    todo = [pid]
    while todo:
        for child, start in children.get(todo.pop(), []):
            if child not in found:
                found[child] = start
                todo.append(child)
    return found


def end_leftovers(processes: dict[int, int], sig: int = signal.SIGKILL) -> list[int]:
    """Send ``sig`` to those of ``processes`` (from :func:`descendants`) still alive as the same
    process (same start time: a reused pid is left alone); the pids signalled."""
    hit = []
    for pid, start in processes.items():
        stat = process_stat(pid)
        if stat is not None and stat[1] == start:
            try:
                os.kill(pid, sig)
                hit.append(pid)
            except OSError:
                continue
    return hit


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


def run_when_parent_dies(command: list[str], parent_pid: int | None = None, *,
                         then_wait_for: Path | None = None, grace_s: float = 60) -> subprocess.Popen:
    """A small watchdog that runs ``command`` once ``parent_pid`` (default: this process) is gone.

    For what a parent-death signal cannot stop cleanly: a database server started as a daemon
    (``pg_ctl start``) must be shut down with its own command, not killed. ``then_wait_for`` names
    a pid file of a program that still needs the server while it shuts down (JupyterHub writes
    its own): the watchdog waits up to ``grace_s`` seconds for that process too. The watchdog is
    in its own session, so a Ctrl-C or a hang-up of the terminal reaches the parent, not it.
    """
    parent = parent_pid or os.getpid()
    script = (
        "import os, subprocess, sys, time\n"
        "def alive(pid):\n"
        "    try:\n"
        "        os.kill(pid, 0)\n"
        "    except ProcessLookupError:\n"
        "        return False\n"
        "    except PermissionError:\n"
        "        pass\n"
        "    return True\n"
        "parent, pidfile, grace = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])\n"
        "while alive(parent):\n"
        "    time.sleep(0.5)\n"
        "try:\n"
        "    other = int(open(pidfile).read().strip()) if pidfile else 0\n"
        "except (OSError, ValueError):\n"
        "    other = 0\n"
        "deadline = time.monotonic() + grace\n"
        "while other and alive(other) and time.monotonic() < deadline:\n"
        "    time.sleep(0.5)\n"
        "subprocess.run(sys.argv[4:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    )
    args = [str(parent), str(then_wait_for or ""), str(grace_s), *command]
    return subprocess.Popen([sys.executable, "-c", script, *args], start_new_session=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def exec_with_parent_death(command: list[str], sig: int = signal.SIGTERM) -> None:
    """Become ``command`` after asking for ``sig`` when our parent ends (the request survives
    ``exec``). For programs a library starts for us, e.g. JupyterHub's proxy::

        python -m c4c_lms.core.processes configurable-http-proxy --port ...
    """
    die_with_parent(os.getppid(), sig)
    os.execvp(command[0], command)


if __name__ == "__main__":
    exec_with_parent_death(sys.argv[1:])
