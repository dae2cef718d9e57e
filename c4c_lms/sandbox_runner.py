"""Runs INSIDE the grading sandbox: execute one notebook cell by cell, stream results out.

This file is trusted code but lives in the untrusted zone, so it depends only on the standard
library, nbformat and nbclient (bound read-only into the sandbox) and never imports c4c_lms.
The participant's kernel is started through a command prefix (resource limits, a different
user id), so it can neither trace this process nor write to its result channel: results go to a
private duplicate of stdout, and the kernel's own stdout/stderr are /dev/null.

Protocol (one JSON object per line on the result channel):
``{"cell": i, "outputs": [...]}`` after each executed cell, then
``{"status": "ok"|"timeout"|"unresponsive"|"kernel_died"|"error", "reason": "..."}``.
"""

from __future__ import annotations

import json
import os
import sys
import time

# jsonschema (via nbformat) imports rfc3987_syntax, which builds a grammar for 2 s at import;
# nbformat's schema never uses the "iri" format it serves, so skip it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

MAX_TEXT = 100_000  # characters kept per text output
MAX_DATA = 1_000_000  # bytes kept per rich output item (images, HTML)


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


def main() -> int:
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)

    def send(obj: dict) -> None:
        channel.write(json.dumps(obj) + "\n")
        channel.flush()

    try:
        execute(json.loads(sys.argv[1]), send, devnull)
    except Exception as err:  # report instead of dying silently: the lecturer sees the reason
        send({"status": "error", "reason": f"{type(err).__name__}: {err}"[:300]})
    return 0


def execute(args: dict, send, devnull: int) -> None:
    import nbformat
    from jupyter_client import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError
    from nbclient.util import run_sync

    class PrefixedKernelManager(AsyncKernelManager):
        """Starts the kernel under a command prefix (prlimit, setpriv)."""

        def format_kernel_cmd(self, extra_arguments=None):
            return list(args["kernel_prefix"]) + super().format_kernel_cmd(extra_arguments)

        def write_connection_file(self, **kwargs):
            super().write_connection_file(**kwargs)
            os.chmod(self.connection_file, 0o644)  # the kernel runs as another user

    nb = nbformat.read(args["notebook"], as_version=4)
    km = PrefixedKernelManager(kernel_name="python3")
    # A connection file in the shared /tmp (mode 1777) that the kernel's user can read.
    km.connection_file = os.path.join("/tmp" if os.path.isdir("/tmp") else args["cwd"],
                                      f"c4c-kernel-{os.getpid()}.json")  # fmt: skip
    client = NotebookClient(
        nb, km=km, timeout=args["cell_timeout"], interrupt_on_timeout=True, allow_errors=True,
        record_timing=False, iopub_timeout=4, shutdown_kernel="immediate",
        extra_arguments=["--HistoryManager.hist_file=:memory:"],
    )  # fmt: skip
    deadline = time.monotonic() + args["submission_timeout"]
    status, reason = "ok", ""

    def record_reply_error(cell, cell_index=None, execute_reply=None, **_) -> None:
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
    try:
        with client.setup_kernel(cwd=args["cwd"], stdout=devnull, stderr=devnull):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                if time.monotonic() > deadline:
                    status, reason = "timeout", "submission time limit reached"
                    break
                try:
                    client.execute_cell(cell, index)
                except DeadKernelError:
                    status, reason = "kernel_died", "kernel died (crash, exit or resource limit)"
                    break
                except Exception as err:  # nbclient's timeouts after an ignored interrupt
                    cell.outputs.append(nbformat.v4.new_output(
                        "error", ename="CellTimeoutError", evalue=str(err)[:200],
                        traceback=["CellTimeoutError: the cell did not finish in time"]))  # fmt: skip
                    send({"cell": index, "outputs": cap_outputs(cell.outputs)})
                    alive = run_sync(km.is_alive)()
                    status = "unresponsive" if alive else "kernel_died"
                    reason = ("a cell ignored the interrupt after the time limit" if alive
                              else "kernel died (crash, exit or resource limit)")  # fmt: skip
                    break
                send({"cell": index, "outputs": cap_outputs(cell.outputs)})
    except Exception as err:  # kernel never started, etc.
        status, reason = "error", f"{type(err).__name__}: {err}"[:300]
    send({"status": status, "reason": reason})


if __name__ == "__main__":
    sys.exit(main())
