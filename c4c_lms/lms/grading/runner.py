"""Runs INSIDE the grading sandbox: a warm server that executes notebooks one after another.

This file is trusted code but lives in the untrusted zone, so it depends only on the standard
library, nbformat, jupyter_client, nbclient and ipykernel (bound read-only into the sandbox)
and never imports c4c_lms.

Why a server: starting Python, ipykernel and pandas for every submission cost about 1.3 CPU
seconds, more than running the notebook. The server imports them once; for each job it forks
a *job runner* (nbclient, trusted), which forks the participant's *kernel* from the same warm
image before any thread or event loop exists. The kernel then drops to an unprivileged user
with resource limits, in a new PID and IPC namespace where the platform allows, so it can
neither trace the runner nor write to the result channel, and everything it starts dies with
it. Between jobs the trusted side empties the working folder and /tmp (its own capped mounts).

Tests never come here: the notebook a job names has its test cells removed, and after each
answer cell named in the job's ``capture`` the runner has the kernel print the declared answers
as data (``answers.py``). Right after warming up, the server forks the checker factory
(``checker.py``), which alone holds the test channel's pipes, before any job exists.

Outputs are capped while they arrive (``CappedClient``): a stream message is cut on arrival,
outputs past ``MAX_JOB_OUTPUT`` are dropped, one kernel message over ``MAX_MESSAGE`` closes the
channel, and the job runner's own address space is limited.

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

MAX_TEXT = 100_000  # characters kept per text output
MAX_DATA = 1_000_000  # bytes kept per rich output item (images, HTML)
MAX_JOB_OUTPUT = 40_000_000  # bytes of outputs one submission may send; later ones are dropped
MAX_MESSAGE = 16_000_000  # bytes of one message from the kernel (a larger one closes the channel)
MAX_CAPTURE = 8_000_000  # bytes of one answer cell's answer data
CAPPED_MESSAGES = ("stream", "display_data", "execute_result", "error", "update_display_data",
                   "comm_open", "comm_msg")
CLONE_NEWIPC, CLONE_NEWPID = 0x08000000, 0x20000000
PR_SET_NO_NEW_PRIVS, PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE, PR_SET_PDEATHSIG = 38, 36, 4, 1
LIBC = ctypes.CDLL(None, use_errno=True)
# What the runner and a kernel import on their way (measured): imported once, before forking.
WARM_MODULES = [
    "nbformat", "jupyter_client", "nbclient", "psutil", "ipykernel.kernelapp", "ipykernel.kernelspec",
    "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger", "IPython.core.debugger",
    "IPython.core.completerlib", "IPython.core.oinspect", "IPython.core.logger",
    "IPython.extensions.storemagic", "sqlite3", "pdb", "pydoc", "faulthandler",
    # ... and on the first error it shows (traceback formatting):
    "stack_data", "executing", "asttokens", "pure_eval", "pygments.formatters.terminal256",
    "pygments.styles", "pygments.console", "tornado.platform.asyncio",
]  # fmt: skip


def cap_outputs(outputs: list[dict]) -> list[dict]:
    """Cut text and drop oversized rich data, saying so in the output itself."""
    capped = []
    for out in outputs:
        out = dict(out)
        if out.get("output_type") == "stream":
            text = out.get("text", "")
            text = "".join(text) if isinstance(text, list) else text
            if len(text) > MAX_TEXT:
                text = text[:MAX_TEXT] + f"\n[... output cut at {MAX_TEXT} characters]\n"
            out["text"] = text
        elif "data" in out:
            data = {}
            for mime, value in out["data"].items():
                size = len(json.dumps(value))
                data[mime] = value if size <= MAX_DATA else f"[{mime} output removed: {size} bytes]"
            out["data"] = data
        elif out.get("output_type") == "error":
            out["traceback"] = [line[:MAX_TEXT] for line in out.get("traceback", [])[:200]]
        capped.append(out)
    return capped


class ForkedKernel:
    """The little of ``subprocess.Popen`` that jupyter_client's provisioner uses, for a forked pid."""

    stdin = stdout = stderr = None

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

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def start_kernel(job: dict, connection_file: str) -> ForkedKernel:
    """Fork the participant's kernel from this warm process, as our (adopted) child."""
    # A new PID namespace makes the kernel its init: when it dies, all it started dies too.
    # A process that unshared its PID namespace can no longer start threads, so a short-lived
    # middle process does it and hands the kernel over; being the subreaper, we adopt it.
    # (Without privileges the unshare fails; the process group and the user's kill remain.)
    LIBC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    job = {**job, "runner_pid": os.getpid()}
    read_end, write_end = os.pipe()
    middle = os.fork()
    if middle == 0:
        try:
            os.close(read_end)
            LIBC.unshare(CLONE_NEWPID | CLONE_NEWIPC)
            pid = os.fork()
            if pid == 0:
                become_kernel(job, connection_file)
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


def become_kernel(job: dict, connection_file: str) -> None:
    """In the forked child: isolate, drop privileges, run ipykernel; never returns."""
    try:
        import resource

        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.closerange(3, max(65536, resource.getrlimit(resource.RLIMIT_NOFILE)[0]))  # channel, pipes
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
        from ipykernel.kernelapp import IPKernelApp

        # Plain tracebacks: the same errors (and so the same scores) as nbgrader's, 30 times
        # cheaper to format than the default "Context", and less of a hidden test shown.
        # parent_handle: ipykernel's own poller ends the kernel if its job runner disappears
        # (outside a PID namespace; inside one, the namespace ends it).
        sys.argv = ["ipykernel_launcher", "-f", connection_file, "--HistoryManager.hist_file=:memory:",
                    "--InteractiveShell.xmode=Plain", f"--IPKernelApp.parent_handle={job['runner_pid']}"]  # fmt: skip
        app = IPKernelApp.instance()
        app.initialize(sys.argv[1:])
        app.start()
    finally:
        os._exit(0)


_SIBLINGS: dict = {}


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


def capped_client_class(base):
    """nbclient's client, with outputs capped while they arrive, not after."""

    class CappedClient(base):
        budget = MAX_JOB_OUTPUT

        def process_message(self, msg, cell, cell_index):
            if msg.get("msg_type") in CAPPED_MESSAGES:
                content = msg.get("content", {})
                if msg["msg_type"] == "stream" and len(str(content.get("text", ""))) > MAX_TEXT:
                    content["text"] = str(content["text"])[:MAX_TEXT] + f"\n[... output cut at {MAX_TEXT} characters]\n"
                size = len(json.dumps(content, default=str)) if isinstance(content, dict) else 0
                self.budget -= size
                if self.budget < 0:
                    if not any(o.get("name") == "c4c" for o in cell.outputs):
                        cell.outputs.append(nbformat_output(
                            "stream", name="c4c", text=f"[outputs over {MAX_JOB_OUTPUT} bytes dropped]\n"))
                    return None
            return super().process_message(msg, cell, cell_index)

    return CappedClient


def nbformat_output(kind: str, **fields):
    import nbformat

    return nbformat.v4.new_output(kind, **fields)


def execute_answer_cell(client, cell, index: int, names: list[str]) -> None:
    """Run answer cell ``index`` with the answer encoder as its user expression.

    When the cell succeeds, its execute reply carries the answers (read by
    the ``on_cell_executed`` hook), which saves a round trip per answer cell.
    """
    expressions = {"c4c": load_sibling("answers").capture_expression(names)}
    kc = client.kc
    plain = kc.execute
    kc.execute = lambda code, **kw: plain(code, user_expressions=expressions, **kw)
    try:
        client.execute_cell(cell, index)
    finally:
        del kc.execute  # the class's own method again


def answers_from_reply(execute_reply) -> str | None:
    """The answers line in a reply's user expression (untrusted); None when the cell raised."""
    content = (execute_reply or {}).get("content", {})
    if content.get("status") != "ok":
        return None
    value = (content.get("user_expressions") or {}).get("c4c") or {}
    text = (value.get("data") or {}).get("text/plain") if isinstance(value, dict) else None
    return text[: MAX_CAPTURE + 100] if isinstance(text, str) else ""


def capture_answers(client, names: list[str], index: int) -> str:
    """Run the answer encoder as a cell after answer cell ``index`` (which raised); its printed text (untrusted)."""
    import nbformat

    probe = nbformat.v4.new_code_cell(load_sibling("answers").capture_code(names))
    client.budget += MAX_CAPTURE  # the answers have a budget of their own
    try:
        client.execute_cell(probe, index, store_history=False)
    except Exception:  # a dead kernel: no answers from this cell
        return ""
    text = "".join(o.get("text", "") for o in probe.outputs if o.get("output_type") == "stream")
    return text[: MAX_CAPTURE + 100]


def run_job(job: dict, send) -> tuple[str, str]:
    """Execute one notebook cell by cell; return (status, reason)."""
    import nbformat
    from jupyter_client import AsyncKernelManager
    from jupyter_client.connect import write_connection_file
    from jupyter_client.provisioning import LocalProvisioner
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError
    from nbclient.util import run_sync
    import zmq

    CappedClient = capped_client_class(NotebookClient)

    nb = nbformat.read(job["notebook"], as_version=4)
    # A connection file the kernel's user can read; the kernel forks before any thread exists.
    connection_file = os.path.join(job["runtime_dir"], f"c4c-kernel-{os.getpid()}.json")
    write_connection_file(connection_file, ip="127.0.0.1", key=os.urandom(16).hex().encode(),
                          kernel_name="python3")  # fmt: skip
    os.chmod(connection_file, 0o644)
    kernel = start_kernel(job, connection_file)

    km = AsyncKernelManager(kernel_name="python3")
    km.connection_file = connection_file
    km.load_connection_file()
    provisioner = LocalProvisioner(kernel_id=km.kernel_id or "c4c", kernel_spec=km.kernel_spec, parent=km)
    provisioner.process, provisioner.pid, provisioner.pgid = kernel, kernel.pid, kernel.pid
    km.provisioner = provisioner  # nbclient sees a running kernel and only connects to it
    # One message larger than this closes the connection instead of growing this process.
    km.context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE)
    client = CappedClient(
        nb, km=km, timeout=job["cell_timeout"], interrupt_on_timeout=True, allow_errors=True,
        record_timing=False, iopub_timeout=4, shutdown_kernel="immediate",
        startup_timeout=job["cell_timeout"],
        # As nbgrader's Execute: a timed-out cell is interrupted and scored as an error; a kernel
        # that stays busy after the interrupt raises at the IOPub wait and ends the job.
        raise_on_iopub_timeout=True, error_on_timeout={
            "ename": "CellTimeoutError", "evalue": "",
            "traceback": ["CellTimeoutError: No reply from kernel before timeout"],
        },
    )  # fmt: skip

    capture = {int(k): v for k, v in job.get("capture", {}).items()}
    replies: dict[int, str | None] = {}

    def record_reply_error(cell, cell_index=None, execute_reply=None, **_) -> None:
        if cell_index in capture:
            replies[cell_index] = answers_from_reply(execute_reply)
        # As nbgrader's Execute does: an error reply that left no error output (e.g. a
        # monkeypatched showtraceback, or a timeout) still counts as an error.
        content = execute_reply.get("content", {}) if execute_reply else {}
        if content.get("status") == "error" and not any(
            o.get("output_type") == "error" and o.get("ename") == content.get("ename") for o in cell.outputs
        ):
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename=content.get("ename", "Error"), evalue=content.get("evalue", ""),
                traceback=content.get("traceback") or ["ERROR: an error occurred while showtraceback was disabled"],
            ))  # fmt: skip

    client.on_cell_executed = record_reply_error
    deadline = time.monotonic() + job["submission_timeout"]
    status, reason = "ok", ""
    try:
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                if time.monotonic() > deadline:
                    status, reason = "timeout", "submission time limit reached"
                    break
                try:
                    if index in capture:
                        execute_answer_cell(client, cell, index, capture[index])
                    else:
                        client.execute_cell(cell, index)
                except DeadKernelError:
                    status, reason = "kernel_died", "kernel died (crash, exit or resource limit)"
                    break
                except Exception as err:  # nbclient's timeouts after an ignored interrupt
                    cell.outputs.append(nbformat.v4.new_output(
                        "error", ename="CellTimeoutError", evalue=str(err)[:200],
                        traceback=["CellTimeoutError: the cell did not finish in time"]))  # fmt: skip
                    send({"cell": index, "outputs": cap_outputs(cell.outputs), "broken": True})
                    alive = run_sync(km.is_alive)()
                    status = "unresponsive" if alive else "kernel_died"
                    reason = ("a cell ignored the interrupt after the time limit" if alive
                              else "kernel died (crash, exit or resource limit)")  # fmt: skip
                    break
                item = {"cell": index, "outputs": cap_outputs(cell.outputs)}
                if index in capture:
                    text = replies.pop(index, None)
                    item["answers"] = text if text is not None else capture_answers(client, capture[index], index)
                send(item)
    except Exception as err:  # kernel never answered, etc.
        status, reason = "error", f"{type(err).__name__}: {err}"[:300]
    finally:
        if kernel.poll() is None:
            kernel.kill()
            kernel.wait()
    return status, reason


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
    from jupyter_client.localinterfaces import localhost

    nbformat.reads(json.dumps(nbformat.v4.new_notebook()), as_version=4)  # compiles the validator
    localhost()
    load_sibling("answers")


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
        os.makedirs(job["runtime_dir"], exist_ok=True)
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
