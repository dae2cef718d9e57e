"""Executing participants' notebooks in a sandbox, for nbgrader's autograde (trusted side).

``SandboxExecute`` replaces nbgrader's ``Execute`` preprocessor. It copies only this
submission's notebook and the exercise's data files into a fresh folder, runs
``sandbox_runner.py`` there and reads back plain JSON lines (size-capped, never unpickled).
nbgrader's own preprocessors then score the cells and write the gradebook, so formgrader,
feedback and exports work unchanged.

Isolation, by platform (see README "Grading safely"):

* Linux with bubblewrap (``bwrap``) run as root: new mount, PID, network, IPC and UTS namespaces;
  only /usr, the Python installation and the sandbox folder are visible (the gradebook,
  ``exercises/`` with solutions and other participants' work are not); the kernel runs as an
  unprivileged per-worker user id under ``prlimit`` (address space, processes, file size, no
  core dumps); when the runner ends, the PID namespace takes every process with it.
* Elsewhere (no bwrap, or not root): the same resource limits where ``prlimit`` exists, a fresh
  working folder and a killed process group, but files the lecturer's account can read stay
  readable. ``c4c grade`` says which mode it used.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer, Unicode

RUNNER = Path(__file__).with_name("sandbox_runner.py")
MAX_LINE = 8_000_000  # bytes of one result line (one cell's outputs after the runner's caps)
MAX_TOTAL = 40_000_000  # bytes of all results of one submission
STATUS_FILE = ".c4c_execution.json"


def isolation_mode() -> str:
    """'bwrap' when full isolation is available here, else 'limits'."""
    if sys.platform.startswith("linux") and shutil.which("bwrap") and os.geteuid() == 0:
        return "bwrap"
    return "limits"


@dataclass
class Execution:
    """What came back from the sandbox."""

    outputs: dict[int, list] = field(default_factory=dict)
    status: str = "error"
    reason: str = "no result from the sandbox"


def kernel_uid() -> int:
    # One user id per grading process: process limits count per user, and parallel workers
    # must not share a budget or be able to signal each other's kernels.
    return 61000 + os.getpid() % 20000


def _kernel_prefix(memory_mb: int, max_processes: int, max_file_mb: int, uid: int | None) -> list[str]:
    prefix: list[str] = []
    if shutil.which("prlimit"):
        prefix += ["prlimit", f"--as={memory_mb * 1024 * 1024}", f"--nproc={max_processes}",
                   f"--fsize={max_file_mb * 1024 * 1024}", "--core=0", "--"]  # fmt: skip
    if uid is not None and shutil.which("setpriv"):
        prefix += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                   "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]  # fmt: skip
    return prefix


def _bwrap(box: Path) -> list[str]:
    prefixes = sorted({os.path.abspath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)})
    # /tmp first: a later bind under /tmp (a checkout in /tmp/...) must land on top of it.
    cmd = ["bwrap", "--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp",
           "--ro-bind", "/usr", "/usr"]  # fmt: skip
    for name in ("lib", "lib64", "bin", "sbin"):
        if Path(f"/{name}").is_symlink():
            cmd += ["--symlink", f"usr/{name}", f"/{name}"]
        elif Path(f"/{name}").is_dir():
            cmd += ["--ro-bind", f"/{name}", f"/{name}"]
    made: set[str] = set()
    for prefix in prefixes:
        # bwrap creates missing parent folders as 0700 (root only); the kernel's user must
        # traverse them to reach the interpreter, so create them readable first.
        for parent in reversed(Path(prefix).parents[:-1]):
            if str(parent) not in made:
                cmd += ["--perms", "0755", "--dir", str(parent)]
                made.add(str(parent))
        cmd += ["--ro-bind", prefix, prefix]
    cmd += [
        "--perms", "0755", "--dir", "/opt", "--perms", "0755", "--dir", "/opt/c4c",
        "--ro-bind", str(RUNNER), "/opt/c4c/runner.py",
        "--perms", "0755", "--dir", "/home",
        "--bind", str(box / "work"), "/home/participant",
        # Not --unshare-all: a user namespace would leave the kernel's user id unmapped.
        "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
        "--die-with-parent", "--new-session",
        "--clearenv",
        "--setenv", "HOME", "/home/participant",
        "--setenv", "PATH", f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "--setenv", "JUPYTER_RUNTIME_DIR", "/tmp/runtime",
        "--setenv", "IPYTHONDIR", "/tmp/ipython",
        "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib",
        "--setenv", "OPENBLAS_NUM_THREADS", "1",
        "--setenv", "LANG", "C.UTF-8",
        "--chdir", "/home/participant",
    ]  # fmt: skip
    return cmd


def run_sandboxed(
    nb: NotebookNode, data_dir: Path | None, *, cell_timeout: int, submission_timeout: int,
    memory_mb: int, max_processes: int, max_file_mb: int = 50, mode: str | None = None,
) -> Execution:
    """Execute ``nb`` in a fresh sandbox folder holding only it and ``data_dir``'s files."""
    import nbformat

    mode = mode or isolation_mode()
    with tempfile.TemporaryDirectory(prefix="c4c-sandbox-") as tmp:
        box = Path(tmp)
        work = box / "work"
        if data_dir is not None:
            shutil.copytree(data_dir, work, symlinks=False,
                            ignore=shutil.ignore_patterns("*.ipynb", ".*", "timestamp.txt"))  # fmt: skip
        work.mkdir(exist_ok=True)
        nbformat.write(nb, str(work / "submission.ipynb"))
        uid = kernel_uid() if mode == "bwrap" else None
        if uid is not None:
            for path in [work, *work.rglob("*")]:
                os.chown(path, uid, uid, follow_symlinks=False)
                os.chmod(path, 0o755 if path.is_dir() else 0o644)
        inside = "/home/participant" if mode == "bwrap" else str(work)
        args = {
            "notebook": f"{inside}/submission.ipynb", "cwd": inside,
            "cell_timeout": cell_timeout, "submission_timeout": submission_timeout,
            "kernel_prefix": _kernel_prefix(memory_mb, max_processes, max_file_mb, uid),
        }  # fmt: skip
        runner = "/opt/c4c/runner.py" if mode == "bwrap" else str(RUNNER)
        cmd = [os.path.abspath(sys.executable), "-I", runner, json.dumps(args)]
        if mode == "bwrap":
            cmd = _bwrap(box) + ["--"] + cmd
        env = None if mode == "bwrap" else {"PATH": os.environ.get("PATH", ""), "HOME": str(work),
                                            "OPENBLAS_NUM_THREADS": "1", "LANG": "C.UTF-8"}  # fmt: skip
        process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   stdin=subprocess.DEVNULL, start_new_session=True, env=env,
                                   cwd=str(work))  # fmt: skip
        try:
            return _collect(process, submission_timeout + 20)
        finally:
            _kill_group(process)
            if uid is not None:
                _kill_user(uid)


def _collect(process: subprocess.Popen, timeout: float) -> Execution:
    """Read result lines until the runner ends or the outer wall clock runs out."""
    import selectors
    import time

    result = Execution()
    deadline = time.monotonic() + timeout
    buffer, total = b"", 0
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    finished = False
    while not finished:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            result.status, result.reason = "timeout", "submission time limit reached (sandbox killed)"
            break
        if not selector.select(timeout=min(remaining, 1.0)):
            continue
        chunk = os.read(process.stdout.fileno(), 1 << 16)
        if not chunk:
            break
        total += len(chunk)
        if total > MAX_TOTAL:
            result.status, result.reason = "error", "outputs larger than the limit"
            break
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if len(line) > MAX_LINE:
                continue
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict) and isinstance(item.get("cell"), int) and isinstance(item.get("outputs"), list):
                result.outputs[item["cell"]] = item["outputs"]
            elif isinstance(item, dict) and "status" in item:
                result.status, result.reason = str(item["status"])[:40], str(item.get("reason", ""))[:300]
                finished = True
    selector.close()
    if result.status == "error" and result.reason == "no result from the sandbox" and result.outputs:
        result.status, result.reason = "kernel_died", "the sandbox ended early"
    return result


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _kill_user(uid: int) -> None:
    """Belt and braces: no process of the kernel's user id survives its grading."""
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            if os.stat(f"/proc/{pid}").st_uid == uid:
                os.kill(int(pid), signal.SIGKILL)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue


def merge(nb: NotebookNode, execution: Execution) -> NotebookNode:
    """Put the sandbox's outputs into ``nb``; code cells that never ran get an error output.

    nbgrader scores a graded code cell with no error output as passed, so a cell that did not
    run because the kernel died must carry an error to be scored 0.
    """
    import nbformat

    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if index in execution.outputs:
            cell.outputs = [nbformat.from_dict(o) for o in execution.outputs[index]]
        else:
            cell.outputs = [new_output("error", ename="NotExecuted", evalue=execution.reason,
                                       traceback=[f"NotExecuted: {execution.reason}"])]  # fmt: skip
    return nb


class SandboxExecute(NbGraderPreprocessor):
    """nbgrader preprocessor: execute the notebook in the sandbox instead of in-process."""

    cell_timeout = Integer(30, help="Seconds per cell.").tag(config=True)
    submission_timeout = Integer(300, help="Seconds for the whole notebook.").tag(config=True)
    memory_mb = Integer(2048, help="Address-space limit of the kernel, MiB.").tag(config=True)
    max_processes = Integer(64, help="Processes the kernel's user may run.").tag(config=True)
    mode = Unicode("", help="'bwrap' or 'limits'; empty chooses the strongest available.").tag(config=True)

    def preprocess(self, nb, resources):
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        execution = run_sandboxed(
            nb, folder, cell_timeout=self.cell_timeout, submission_timeout=self.submission_timeout,
            memory_mb=self.memory_mb, max_processes=self.max_processes, mode=self.mode or None,
        )  # fmt: skip
        merge(nb, execution)
        executed = sorted(execution.outputs)
        (folder / STATUS_FILE).write_text(json.dumps({
            "status": execution.status, "reason": execution.reason, "executed_cells": executed,
            "mode": self.mode or isolation_mode(),
        }))  # fmt: skip
        return nb, resources
