"""Runs INSIDE the grading sandbox: the test kernel T, which never runs participant code.

Like ``runner.py`` it depends only on the standard library (plus ``answers.py`` beside it, and
pandas/numpy already imported by the warm server) and never imports c4c_lms.

The sandbox server forks one *checker factory* right after warming up, before any
participant's job: so the factory's image never ran participant code. The factory owns the
two pipes of the test channel (the server and every participant kernel closed them); for each
submission it pre-forks one checker T, which reads one program, drops to its own unprivileged
user id, and runs it in the read-only pristine copy of the exercise's folder.

A program (one JSON line) is a list of steps in notebook order:
``{"setup": source}`` (a locked set-up cell, e.g. reading the data), ``{"answers": {name:
encoded}}`` (the values P produced after one answer cell, see ``answers.py``) and
``{"test": cell_index, "source": source}``. For each test T sends ``{"cell": i, "outputs":
[...]}`` (nbformat outputs); then ``{"status": "ok"}``.

Error outputs name the exception and its message only, with no source lines, so no hidden
test's text reaches the autograded notebook through a traceback.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys

MAX_TEXT = 100_000


class CellTimeout(BaseException):
    """A test ran longer than the cell time limit."""


def _answers_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("c4c_answers", os.path.join(os.path.dirname(__file__), "answers.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def run_program(program: dict, send) -> None:
    """Execute the steps in one fresh namespace; send each test cell's outputs."""
    answers = _answers_module()
    namespace: dict = {"__name__": "__main__"}
    timeout = int(program.get("cell_timeout", 30))

    def on_alarm(*_):
        raise CellTimeout()

    signal.signal(signal.SIGALRM, on_alarm)
    for step in program.get("steps", []):
        if "answers" in step:
            for name, value in step["answers"].items():
                try:
                    namespace[name] = answers.decode(value)
                except answers.Missing:
                    namespace.pop(name, None)
            continue
        source = step.get("setup", step.get("source", ""))
        outputs = _execute(source, namespace, timeout)
        if "test" in step:
            send({"cell": step["test"], "outputs": outputs})


def _execute(source: str, namespace: dict, timeout: int) -> list[dict]:
    out = io.StringIO()
    old = sys.stdout, sys.stderr
    error = None
    sys.stdout = sys.stderr = out
    signal.alarm(timeout)
    try:
        exec(compile(source, "<test>", "exec"), namespace)
    except CellTimeout:
        error = ("CellTimeoutError", "the test did not finish in time")
    except BaseException as exc:  # a failing test: its outcome, not ours
        error = (type(exc).__name__, str(exc)[:MAX_TEXT])
    finally:
        signal.alarm(0)
        sys.stdout, sys.stderr = old
    outputs = []
    text = out.getvalue()
    if text:
        outputs.append({"output_type": "stream", "name": "stdout", "text": text[:MAX_TEXT]})
    if error:
        outputs.append({"output_type": "error", "ename": error[0], "evalue": error[1],
                        "traceback": [f"{error[0]}: {error[1]}" if error[1] else error[0]]})  # fmt: skip
    return outputs


def become_checker(program: dict) -> None:
    """Drop to T's own user id and limits, in the read-only exercise folder."""
    import resource

    os.chdir(program["cwd"])
    os.environ.clear()
    os.environ.update(program["env"])
    limits = program["limits"]
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory"],) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # T writes no files
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if program.get("uid") is not None:
        uid = program["uid"]
        resource.setrlimit(resource.RLIMIT_NPROC, (8, 8))
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)


def factory(read_fd: int, write_fd: int) -> None:
    """Pre-fork one checker at a time; each reads and runs one program. Never returns."""
    channel_out = os.fdopen(write_fd, "w", encoding="utf-8")

    def send(obj: dict) -> None:
        channel_out.write(json.dumps(obj) + "\n")
        channel_out.flush()

    while True:
        pid = os.fork()
        if pid == 0:
            status = {"status": "ok"}
            try:
                frame = read_frame(read_fd)
                if frame is None:
                    os._exit(3)  # the trusted side closed the channel: the factory ends
                program = json.loads(frame)
                become_checker(program)
                run_program(program, send)
            except BaseException as err:  # reported, so the trusted side knows T broke
                status = {"status": "error", "reason": f"{type(err).__name__}: {err}"[:300]}
            try:
                send(status)
            finally:
                os._exit(0)
        _, code = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(code) == 3:
            os._exit(0)


def read_frame(fd: int) -> bytes | None:
    """One program: its length in decimal and a newline, then that many bytes; None at the end."""
    head = b""
    while not head.endswith(b"\n"):
        byte = os.read(fd, 1)
        if not byte or len(head) > 12:
            return None
        head += byte
    size, parts = int(head), []
    while size > 0:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)
