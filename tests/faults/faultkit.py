"""What the fault tests share: running a real ``c4c`` command as its own process, killing it at
a chosen point, and checking that nothing it started survives.

Orphans are found two ways: every descendant seen while the command ran (``/proc`` polled
every 50 ms, with start times so a reused pid is not blamed), and every process whose
environment carries this run's marker (the sandbox's own processes are reached through bwrap,
which carries it).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from c4c_lms.core.processes import process_stat

REPO = Path(__file__).resolve().parents[2]
HOOK = Path(__file__).resolve().parent / "hook"
COURSE101 = REPO / "tests" / "files" / "course101"
COMPLETE = COURSE101 / "submissions" / "olena" / "ps1.ipynb"  # scores 3/5 automatically


def _all_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


@dataclass
class Run:
    """One command run: its exit code, output and every process it started."""

    returncode: int
    output: str
    seen: dict[int, int] = field(default_factory=dict)  # pid -> start time
    marker: str = ""

    def survivors(self, wait: float = 15.0) -> list[str]:
        """Processes of this run still alive after ``wait`` seconds (their command lines)."""
        deadline = time.monotonic() + wait
        while True:
            alive = [pid for pid, start in self.seen.items() if (s := process_stat(pid)) and s[1] == start]
            alive += [pid for pid in _all_pids() if pid not in alive and self._marked(pid)]
            if not alive or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        out = []
        for pid in alive:
            try:
                out.append(f"{pid}: " + Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200])
            except OSError:
                continue
        return out

    def _marked(self, pid: int) -> bool:
        try:
            return f"C4C_FAULT_RUN={self.marker}".encode() in Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            return False


def run_c4c(root: Path, *args: str, fault: str = "", kill_when=None, signum: int = signal.SIGKILL,
            env: dict | None = None, timeout: float = 180, on_start=None) -> Run:
    """Run ``c4c --course-root root --lang en ARGS`` in a new process.

    ``fault`` arms the sitecustomize hook (``replace:2``, ``fsync:1:after``...); ``kill_when``,
    a callable polled every 50 ms, sends ``signum`` to the command once it returns true;
    ``on_start`` is called with the command's pid (also its process group: a new session).
    """
    marker = uuid.uuid4().hex
    environment = dict(os.environ, C4C_FAULT_RUN=marker, PYTHONUNBUFFERED="1", **(env or {}))
    environment["PYTHONPATH"] = os.pathsep.join(p for p in (str(HOOK), environment.get("PYTHONPATH", "")) if p)
    if fault:
        environment["C4C_FAULT"] = fault
    # Started through a shim that gives SIGHUP its default action back: a test run started with
    # `nohup` would otherwise hand its "ignore hangups" to the command (exec keeps it). The shim
    # runs without `site` (-S), so the fault hook arms only in the command itself.
    shim = "import os, signal, sys; signal.signal(signal.SIGHUP, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"
    cmd = [sys.executable, "-S", "-c", shim, sys.executable, "-m", "c4c_lms", "--course-root", str(root), "--lang", "en", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=environment,
                            start_new_session=True, stdin=subprocess.DEVNULL)
    if on_start is not None:
        on_start(proc.pid)
    seen: dict[int, int] = {}
    output: list[bytes] = []
    reader = threading.Thread(target=lambda: output.append(proc.stdout.read()), daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    killed = False
    while proc.poll() is None:
        children: dict[int, list[tuple[int, int]]] = {}
        for pid in _all_pids():
            s = process_stat(pid)
            if s is not None:
                children.setdefault(s[0], []).append((pid, s[1]))
        todo = [proc.pid, *seen]
        while todo:  # the command's whole tree, including what re-parented below a child
            for pid, start in children.get(todo.pop(), []):
                if pid not in seen:
                    seen[pid] = start
                    todo.append(pid)
        if not killed and kill_when is not None and kill_when():
            os.kill(proc.pid, signum)
            killed = True
        if time.monotonic() > deadline:
            proc.kill()
            raise TimeoutError(f"c4c {' '.join(args)} still running after {timeout} s")
        time.sleep(0.05)
    reader.join(timeout=10)
    return Run(proc.returncode, b"".join(output).decode(errors="replace"), seen, marker)


_released: list[Path] = []


def released_course() -> Path:
    """The fixture course released once per test process (a release costs seconds of CPU); the
    release holds no absolute path, so copies of it are whole courses."""
    if not _released:
        top = Path(tempfile.mkdtemp(prefix="c4c-released-"))
        atexit.register(shutil.rmtree, top, ignore_errors=True)
        shutil.copytree(COURSE101, top / "course101")
        release = run_c4c(top / "course101", "release")
        assert release.returncode == 0, release.output
        _released.append(top / "course101")
    return _released[0]


def new_course(tmp: Path, n_submissions: int = 0, env: dict | None = None) -> Path:
    """A copy of the fixture course, released, with ``n`` copies of a complete submission.
    With ``env`` (another gradebook) the copy is released anew against it."""
    root = tmp / "course101"
    if env is None:
        shutil.copytree(released_course(), root)
    else:
        shutil.copytree(COURSE101, root)
        release = run_c4c(root, "release", env=env)
        assert release.returncode == 0, release.output
    for i in range(n_submissions):
        folder = root / "var" / "course" / "submitted" / f"p{i:02d}" / "ps1"
        folder.mkdir(parents=True)
        shutil.copy(COMPLETE, folder / "ps1.ipynb")
        (folder / "timestamp.txt").write_text(f"2024-01-15 10:{i:02d}:00.000000 UTC")
    return root


def grading_state(root: Path) -> dict:
    path = root / "var" / "course" / "grading_state.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path → content), hidden staging folders included."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
