"""Runs INSIDE the grading sandbox: a warm server that executes notebooks one after another.

This file is trusted code but lives in the untrusted zone, so it depends only on the standard
library, nbformat, IPython and ipykernel's JSON helpers (bound read-only into the sandbox) and
its siblings ``shell.py``, ``outputs.py``, ``answers.py`` and ``checker.py``; it never imports
c4c_lms.

Why a server: starting Python, IPython and pandas for every submission cost about 1.3 CPU
seconds, more than running the notebook. The server imports them once; for each job it forks
a *job runner* (trusted), which forks the participant's *kernel* P from the same warm image
before any thread or event loop exists. P then drops to an unprivileged user with resource
limits, in a new PID and IPC namespace where the platform allows, so it can neither trace the
runner nor write to the result channel, and everything it starts dies with it. Between jobs
the trusted side empties the working folder and /tmp (its own capped mounts).

P is IPython's own shell (``shell.py``), not ipykernel: it runs the cells it was forked with
and writes one JSON line per output to a pipe, which the runner reads with caps
(``outputs.py``): a stream is cut on arrival, outputs past ``MAX_JOB_OUTPUT`` are dropped, one
line over ``MAX_MESSAGE`` ends P, and the job runner's own address space is limited. Without
ipykernel's sockets, threads and per-cell messages, P costs about a third of the CPU it did.

Tests never come here: the notebook a job names has its test cells removed, and after each
answer cell named in the job's ``capture`` P sends the declared answers as data
(``answers.py``). Right after warming up, the server forks the checker factory
(``checker.py``), which alone holds the test channel's pipes, before any job exists.

Protocol. Jobs arrive as one JSON object per line on stdin. Results go out on stdout, one JSON
object per line: ``{"cell": i, "outputs": [...]}`` after each executed cell (with ``"answers":
text`` after an answer cell, ``"broken": true`` for a cell cut off by its time limit), then
``{"status": "ok"|"timeout"|"unresponsive"|"kernel_died"|"error", "reason": "..."}`` once the
job's processes are gone. The server writes ``{"ready": true}`` when it has warmed up.
"""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import signal
import sys
import time

# jsonschema (via nbformat) imports rfc3987_syntax, which builds a grammar for 2 s at import;
# nbformat's schema never uses the "iri" format it serves, so skip it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

MAX_CAPTURE = 8_000_000  # bytes of one answer cell's answer data
INTERRUPT_GRACE_S = 4  # after the interrupt at a cell's time limit, as nbgrader's iopub_timeout
TIMEOUT_OUTPUT = {"output_type": "error", "ename": "CellTimeoutError", "evalue": "",
                  "traceback": ["CellTimeoutError: No reply from kernel before timeout"]}  # fmt: skip
CLONE_NEWIPC, CLONE_NEWPID = 0x08000000, 0x20000000
PR_SET_NO_NEW_PRIVS, PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE, PR_SET_PDEATHSIG = 38, 36, 4, 1
LIBC = ctypes.CDLL(None, use_errno=True)
# What the runner and a kernel import on their way (measured): imported once, before forking.
WARM_MODULES = [
    "nbformat", "IPython.core.interactiveshell", "IPython.core.displayhook", "IPython.core.displaypub",
    "IPython.core.completerlib", "IPython.core.oinspect", "IPython.core.logger", "IPython.core.debugger",
    "IPython.core.error", "IPython.extensions.storemagic", "ipykernel.jsonutil", "traitlets.config",
    "sqlite3", "pdb", "pydoc", "faulthandler", "getpass", "select",
    # ... and on the first error it shows (traceback formatting):
    "stack_data", "executing", "asttokens", "pure_eval", "pygments.formatters.terminal256",
    "pygments.styles", "pygments.console",
]  # fmt: skip


class ForkedKernel:
    """What the runner needs of a forked child process (poll, wait, signals)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                pid, status = self.pid, 0
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        while self.poll() is None:
            time.sleep(0.02)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def start_kernel(job: dict) -> ForkedKernel:
    """Fork the participant's kernel P from this warm process, as our (adopted) child."""
    # A new PID namespace makes P its init: when it dies, all it started dies too.
    # A process that unshared its PID namespace can no longer start threads, so a short-lived
    # middle process does it and hands P over; being the subreaper, we adopt it.
    # (Without privileges the unshare fails; the process group and the user's kill remain.)
    LIBC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    read_end, write_end = os.pipe()
    middle = os.fork()
    if middle == 0:
        try:
            os.close(read_end)
            LIBC.unshare(CLONE_NEWPID | CLONE_NEWIPC)
            pid = os.fork()
            if pid == 0:
                become_kernel(job)
            os.write(write_end, str(pid).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        answer = pipe.read(32)
    os.waitpid(middle, 0)
    if not answer.isdigit():
        raise RuntimeError("the kernel process could not be created")
    return ForkedKernel(int(answer))


def become_kernel(job: dict) -> None:
    """In the forked child: isolate, drop privileges, run the cells (``shell.py``); never returns."""
    try:
        import resource

        import fcntl

        shell = load_sibling("shell")
        os.setsid()
        channel = fcntl.fcntl(job["channel"], fcntl.F_DUPFD, 10)  # above the numbers they move to
        lifeline = fcntl.fcntl(job["lifeline"], fcntl.F_DUPFD, 10)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.dup2(channel, shell.CHANNEL_FD)
        os.dup2(lifeline, shell.LIFELINE_FD)
        os.closerange(shell.LIFELINE_FD + 1, max(65536, resource.getrlimit(resource.RLIMIT_NOFILE)[0]))
        os.chdir(job["cwd"])
        os.environ.clear()
        os.environ.update(job["env"])
        limits = job["limits"]
        resource.setrlimit(resource.RLIMIT_AS, (limits["memory"],) * 2)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_size"],) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if job.get("uid") is not None:
            uid = job["uid"]
            resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"],) * 2)
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)  # from root: drops every capability as well
            # Changing user made us "not dumpable", which hides us in /proc behind root's
            # ownership; the kills by user id below look there, so undo that.
            LIBC.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
        LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        shell.run_cells(job["cells"], shell.CHANNEL_FD, ENCODE_ANSWERS[0])
    finally:
        os._exit(0)


_SIBLINGS: dict = {}
ENCODE_ANSWERS: list = [None]  # the answer encoder, compiled once by warm_up


def load_sibling(name: str):
    """``answers.py`` / ``checker.py``, read once from beside this file (the sandbox has no c4c_lms)."""
    import importlib.util

    if name in _SIBLINGS:
        return _SIBLINGS[name]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"c4c_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    _SIBLINGS[name] = module
    return module


def run_job(job: dict, send) -> tuple[str, str]:
    """Execute one notebook cell by cell in a fresh P (``shell.py``); return (status, reason).

    Timing rules are nbgrader's ``Execute``: a cell over ``cell_timeout`` is interrupted and
    gets ``CellTimeoutError``, later cells still run; ignoring the interrupt for
    :data:`INTERRUPT_GRACE_S` ends the job, as does the submission's limit (checked per cell).
    """
    import nbformat

    outputs = load_sibling("outputs")
    nb = nbformat.read(job["notebook"], as_version=4)
    capture = {int(k): v for k, v in job.get("capture", {}).items()}
    cells = [{"index": i, "source": c.source, "answers": capture.get(i)}
             for i, c in enumerate(nb.cells) if c.cell_type == "code"]  # fmt: skip
    read_end, write_end = os.pipe()
    life_read, life_write = os.pipe()  # P ends when this runner does (its end closes)
    kernel = start_kernel({**job, "cells": cells, "channel": write_end, "lifeline": life_read})
    os.close(write_end)
    os.close(life_read)
    reader, recorder = outputs.LineReader(read_end), outputs.CellRecorder()
    timeout = job["cell_timeout"]
    deadline = time.monotonic() + job["submission_timeout"]
    running: int | None = None  # the cell P is in
    interrupted = False
    until = time.monotonic() + timeout  # for the first cell to start
    status, reason = "ok", ""
    remaining = [c["index"] for c in cells]
    try:
        while remaining:
            lines = reader.lines(until)  # returns at ``until`` at the latest, or with lines at once
            for line in lines:
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(message, dict):
                    continue
                if "start" in message:
                    if running is not None or message["start"] != remaining[0]:
                        continue  # out of order: not from our shell
                    if time.monotonic() > deadline:
                        status, reason = "timeout", "submission time limit reached"
                        remaining = []
                        break
                    running, interrupted, until = remaining[0], False, time.monotonic() + timeout
                    recorder.new_cell()
                elif "done" in message:
                    if running is None or message["done"] != running:
                        continue
                    finish_cell(message, recorder, interrupted)
                    item = {"cell": running, "outputs": recorder.outputs}
                    if running in capture:
                        text = message.get("answers")
                        item["answers"] = text[: MAX_CAPTURE + 100] if isinstance(text, str) else ""
                    send(item)
                    remaining.pop(0)
                    running, until = None, time.monotonic() + timeout  # for the next cell to start
                elif running is not None:
                    recorder.record(message)
            if not remaining:
                break
            if reader.closed:
                status, reason = "kernel_died", "kernel died (crash, exit or resource limit)"
                break
            # Checked after every batch of lines, so a kernel that floods the pipe meets its limit too.
            if time.monotonic() >= until:
                if running is None:
                    status, reason = "error", "the kernel stopped answering between cells"
                    break
                if not interrupted:  # as nbclient: interrupt, then wait a little for the reply
                    kernel.send_signal(signal.SIGINT)
                    interrupted, until = True, time.monotonic() + INTERRUPT_GRACE_S
                    continue
                recorder.outputs.append(TIMEOUT_OUTPUT)
                send({"cell": running, "outputs": recorder.outputs, "broken": True})
                alive = kernel.poll() is None
                status = "unresponsive" if alive else "kernel_died"
                reason = ("a cell ignored the interrupt after the time limit" if alive
                          else "kernel died (crash, exit or resource limit)")  # fmt: skip
                break
    except outputs.Breach as err:
        status, reason = "kernel_died", str(err)
    finally:
        os.close(read_end)
        os.close(life_write)
        if kernel.poll() is None:
            kernel.kill()
            kernel.wait()
    return status, reason


def finish_cell(done: dict, recorder, interrupted: bool) -> None:
    """As nbclient and nbgrader's ``Execute``: a cell that raised without showing an error (a
    replaced ``showtraceback``) still gets one; a cell interrupted at its time limit gets
    ``CellTimeoutError``."""
    ename = done.get("ename")
    if done.get("ok") is False and isinstance(ename, str) and not any(
        o.get("output_type") == "error" and o.get("ename") == ename for o in recorder.outputs
    ):
        evalue = done.get("evalue")
        recorder.outputs.append({
            "output_type": "error", "ename": ename[:200], "evalue": evalue[:MAX_TEXT] if isinstance(evalue, str) else "",
            "traceback": ["ERROR: an error occurred while showtraceback was disabled"],
        })  # fmt: skip
    if interrupted:
        recorder.outputs.append(TIMEOUT_OUTPUT)


def kill_user(uid: int) -> None:
    """No process of the kernel's user survives its job.

    A helper takes that user id and signals every process it may (``kill(-1)``), which needs no
    view of /proc and spares no process of that user, whatever it did to hide.
    """
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            os.kill(-1, signal.SIGKILL)  # every process of this user except this helper
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def start_checker_factory(fds: list[int] | None, channel) -> None:
    """Fork the test kernels' factory now, from the warm image no participant code ran in.

    Only the factory keeps the test channel's pipes: no job runner or participant kernel,
    forked later from this server, ever holds them (or a test program in its memory).
    """
    if not fds:
        return
    read_fd, write_fd = fds
    pid = os.fork()
    if pid == 0:
        LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        try:
            channel.close()
            os.close(0)
            load_sibling("checker").factory(read_fd, write_fd)
        finally:
            os._exit(0)
    os.close(read_fd)
    os.close(write_fd)


def warm_up(preload: list[str]) -> None:
    """Do once here what every job would otherwise do: imports, schema compiling, interface lookup.

    Nothing may start a thread or an event loop: jobs and kernels are forked from this process.
    """
    for name in [*WARM_MODULES, *preload]:
        try:
            importlib.import_module(name)
        except Exception:  # a missing optional module is imported (and reported) by the notebook
            pass
    import nbformat

    nbformat.reads(json.dumps(nbformat.v4.new_notebook()), as_version=4)  # compiles the validator
    for name in ("answers", "shell", "outputs"):
        load_sibling(name)
    ENCODE_ANSWERS[:] = [load_sibling("answers").encoder()]


def serve(settings: dict) -> None:
    """Warm up, then run jobs from stdin until it closes."""
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)

    def send(obj: dict) -> None:
        channel.write(json.dumps(obj) + "\n")
        channel.flush()

    warm_up(settings.get("preload", []))
    start_checker_factory(settings.get("checker_fds"), channel)
    send({"ready": True})
    for line in sys.stdin:
        try:
            job = json.loads(line)
        except ValueError:
            continue
        read_end, write_end = os.pipe()
        server = os.getpid()
        pid = os.fork()
        if pid == 0:  # the job runner
            # Ends with the server, however the server ends (the kernel follows: see become_kernel).
            LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if os.getppid() != server:
                os._exit(1)
            os.close(read_end)
            if job.get("runner_memory"):  # nbclient, the outputs and this warm image, bounded
                import resource

                resource.setrlimit(resource.RLIMIT_AS, (job["runner_memory"],) * 2)
            try:
                status, reason = run_job(job, send)
            except Exception as err:  # report instead of dying silently: the lecturer sees why
                status, reason = "error", f"{type(err).__name__}: {err}"[:300]
            os.write(write_end, json.dumps({"status": status, "reason": reason}).encode())
            os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:
            answer = pipe.read(4096)
        os.waitpid(pid, 0)
        try:
            result = json.loads(answer)
        except ValueError:
            result = {"status": "error", "reason": "the job runner ended without a result"}
        if job.get("uid") is not None:
            kill_user(job["uid"])
        send(result)  # the trusted side empties the folder and /tmp (its own mounts)


if __name__ == "__main__":
    serve(json.loads(sys.argv[1]))
