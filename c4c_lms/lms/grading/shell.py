"""Runs INSIDE the grading sandbox, as the participant's kernel P: IPython's own shell, driven
over one pipe instead of ipykernel's ZeroMQ channels.

Like ``runner.py`` it depends only on the standard library, IPython and ipykernel's JSON helpers
(all imported once by the warm server) and never imports c4c_lms.

Why: per submission, ipykernel's start-up (sockets, heartbeat, the IOPub thread, the
kernel-info handshake) and its messages per cell cost more CPU than the cells of a typical
exercise. P runs the cells it was forked with, one after another, in the same
``InteractiveShell`` ipykernel uses (same magics, display formatters, ``Plain`` tracebacks,
matplotlib's inline backend, top-level ``await``), and writes one JSON line per event to the
job runner, which caps and records them (``runner.py``):

``{"start": i}`` before cell ``i``; ``{"output": {...}}`` an nbformat output (stream,
display_data, execute_result, error); ``{"update": {...}, "display_id": id}`` an update of an
earlier display; ``{"clear": wait}`` ``clear_output``; ``{"done": i, "ok": bool, "ename": ...,
"evalue": ..., "answers": line}`` after cell ``i`` (``answers``, the declared answer names as
data, only after an answer cell; see ``answers.py``).

Everything P writes is untrusted: the participant's code runs in this process and can write to
the pipe too. It can only ever change what is recorded for its own cells.
"""

from __future__ import annotations

import io
import json
import os
import sys
import threading

CHANNEL_FD = 3  # P's end of the pipe to its job runner
LIFELINE_FD = 4  # a pipe nobody writes to: it reads end-of-file when the job runner is gone
STREAM_CHUNK = 65_536  # characters buffered per stream before they are sent


class Channel:
    """One JSON object per line to the job runner; the lock keeps lines whole across threads."""

    def __init__(self, fd: int):
        self.fd = fd
        self.lock = threading.Lock()

    def send(self, obj: dict) -> None:
        data = (json.dumps(obj, default=repr) + "\n").encode("utf-8", "replace")
        with self.lock:
            view = memoryview(data)
            while view:
                view = view[os.write(self.fd, view):]


class StreamWriter(io.TextIOBase):
    """``sys.stdout`` / ``sys.stderr``: text is buffered and sent as stream outputs."""

    def __init__(self, name: str, channel: Channel):
        self.name, self.channel, self.parts, self.size = name, channel, [], 0

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.parts.append(text)
        self.size += len(text)
        if self.size >= STREAM_CHUNK:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self.parts:
            text, self.parts, self.size = "".join(self.parts), [], 0
            self.channel.send({"output": {"output_type": "stream", "name": self.name, "text": text}})

    def isatty(self) -> bool:
        return False


def shell_class():
    """IPython's ``InteractiveShell`` with its displays, results and errors sent over the pipe."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from ipykernel.jsonutil import encode_images, json_clean
    from traitlets import Type

    def flush_streams() -> None:
        sys.stdout.flush()
        sys.stderr.flush()

    class PipeDisplayPublisher(DisplayPublisher):
        """As ipykernel's: streams flushed first, images base64-encoded, JSON-clean content."""

        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            flush_streams()
            self._validate_data(data, metadata)
            output = {"output_type": "display_data", "data": json_clean(encode_images(data)),
                      "metadata": json_clean(metadata or {})}  # fmt: skip
            display_id = (transient or {}).get("display_id")
            if update:
                CHANNEL.send({"update": output, "display_id": display_id})
            else:
                CHANNEL.send({"output": output, "display_id": display_id})

        def clear_output(self, wait=False):
            flush_streams()
            CHANNEL.send({"clear": bool(wait)})

    class PipeDisplayHook(DisplayHook):
        """A cell's last expression as an ``execute_result``, as ipykernel's displayhook sends it."""

        msg: dict | None = None

        def start_displayhook(self):
            self.msg = {"output_type": "execute_result", "execution_count": self.prompt_count,
                        "data": {}, "metadata": {}}  # fmt: skip

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            if self.msg is not None:
                self.msg["data"] = json_clean(encode_images(format_dict))
                self.msg["metadata"] = json_clean(md_dict or {})

        def finish_displayhook(self):
            flush_streams()
            if self.msg is not None and self.msg["data"]:
                CHANNEL.send({"output": self.msg})
            self.msg = None

    # The name matters: pandas formats for a notebook (not a terminal's size) when the shell's
    # type name holds "zmq", as ipykernel's ZMQInteractiveShell does.
    class ParticipantZMQCompatibleShell(InteractiveShell):
        display_pub_class = Type(PipeDisplayPublisher)
        displayhook_class = Type(PipeDisplayHook)

        def _showtraceback(self, etype, evalue, stb):
            flush_streams()
            CHANNEL.send({"output": {"output_type": "error", "ename": _text(lambda: etype.__name__),
                                     "evalue": _text(lambda: str(evalue)), "traceback": list(stb)}})  # fmt: skip

        def system(self, cmd):  # as ipykernel: a command's output goes to the cell, not a terminal
            return self.system_piped(cmd)

        def enable_gui(self, gui=None):  # no event loop to integrate with (ipykernel would start one)
            pass

        def init_virtualenv(self):  # as ipykernel: the sandbox's Python is the one to use
            pass

    return ParticipantZMQCompatibleShell


def _text(make) -> str:
    """A name or message from the participant's exception, whatever its ``__str__`` does."""
    try:
        return str(make())
    except BaseException:  # noqa: BLE001 - hostile __str__
        return "?"


CHANNEL: Channel = None  # type: ignore[assignment]  # set in P, after the fork


def _end_with_runner() -> None:
    try:
        os.read(LIFELINE_FD, 1)
    finally:
        os._exit(1)


def no_input(*_args, **_kwargs):
    from IPython.core.error import StdinNotImplementedError

    raise StdinNotImplementedError("raw_input was called, but this frontend does not support input requests.")


def run_cells(cells: list[dict], channel_fd: int, encode_answers) -> None:
    """In P, after isolation: run ``cells`` (``{"index", "source", "answers"}``) in order."""
    global CHANNEL
    import builtins
    import getpass

    CHANNEL = Channel(channel_fd)
    # Without bubblewrap nothing else ends P when its runner dies (inside it, the sandbox does).
    threading.Thread(target=_end_with_runner, daemon=True).start()
    # As ipykernel: figures appear as images in the cell's outputs.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    sys.stdout, sys.stderr = StreamWriter("stdout", CHANNEL), StreamWriter("stderr", CHANNEL)
    builtins.input = getpass.getpass = no_input  # type: ignore[assignment]
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"  # as our ipykernel had: nothing written
    config.InteractiveShell.xmode = "Plain"  # as nbgrader's errors; cheap to format
    shell = shell_class().instance(config=config)
    for cell in cells:
        CHANNEL.send({"start": cell["index"]})
        result = shell.run_cell(cell["source"], store_history=True)
        sys.stdout.flush()
        sys.stderr.flush()
        done = {"done": cell["index"], "ok": bool(result.success)}
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            done.update(ename=_text(lambda: type(error).__name__), evalue=_text(lambda: str(error)))
        if cell.get("answers") is not None:
            done["answers"] = _text(lambda: encode_answers(cell["answers"], shell.user_ns))
        CHANNEL.send(done)
