"""Runs INSIDE the grading sandbox, in the job runner (trusted): what P sends, read with caps
and rebuilt as nbformat outputs.

Like ``runner.py`` it depends only on the standard library and never imports c4c_lms. P (see
``shell.py``) runs participant code, so every line it writes is untrusted: lines are read with
a size limit, only known fields of known output types are kept, and text and rich data are
capped while they arrive, not after.
"""

from __future__ import annotations

import json
import os
import select
import time

MAX_TEXT = 100_000  # characters kept per text output
MAX_DATA = 1_000_000  # bytes kept per rich output item (images, HTML)
MAX_JOB_OUTPUT = 40_000_000  # bytes of outputs one submission may send; later ones are dropped
MAX_MESSAGE = 16_000_000  # bytes of one line from P (a longer one ends P)
MAX_TRACEBACK_LINES = 200
CUT_NOTE = f"\n[... output cut at {MAX_TEXT} characters]\n"
DROPPED_NOTE = f"[outputs over {MAX_JOB_OUTPUT} bytes dropped]\n"


class Breach(Exception):
    """P broke the protocol in a way that ends it (a line over the size limit)."""


class LineReader:
    """Whole lines from P's pipe, never holding more than one line's limit."""

    def __init__(self, fd: int):
        self.fd, self.buffer, self.closed = fd, bytearray(), False

    def lines(self, until: float) -> list[bytes]:
        """The complete lines that arrive before ``until`` (monotonic); [] on timeout or at the end."""
        while not self.closed:
            *complete, rest = bytes(self.buffer).split(b"\n")
            if len(rest) > MAX_MESSAGE or any(len(line) > MAX_MESSAGE for line in complete):
                raise Breach("a message from the kernel over the size limit")
            if complete:
                self.buffer = bytearray(rest)
                return complete
            remaining = until - time.monotonic()
            if remaining <= 0 or not select.select([self.fd], [], [], remaining)[0]:
                return []
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                self.closed = True
                return []
            self.buffer += chunk
        return []


def _string(value, limit: int = MAX_TEXT) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _bundle(value) -> dict:
    """A mime bundle: string keys; values JSON text (str), or JSON objects for ``*json`` types."""
    if not isinstance(value, dict):
        return {}
    data = {}
    for mime, item in list(value.items())[:50]:
        if not isinstance(mime, str) or not isinstance(item, (str, dict, list)):
            continue
        if isinstance(item, (dict, list)) and not mime.endswith("json"):
            continue
        size = len(item) if isinstance(item, str) else len(json.dumps(item))
        data[mime] = item if size <= MAX_DATA else f"[{mime} output removed: {size} bytes]"
    return data


def rebuild(output) -> dict | None:
    """An nbformat v4 output from what P sent, keeping only known fields; None if not an output."""
    if not isinstance(output, dict):
        return None
    kind = output.get("output_type")
    if kind == "stream":
        name = output.get("name") if output.get("name") in ("stdout", "stderr") else "stdout"
        return {"output_type": "stream", "name": name, "text": _string(output.get("text"), MAX_TEXT + 1)}
    if kind in ("display_data", "execute_result"):
        metadata = output.get("metadata")
        rebuilt = {"output_type": kind, "data": _bundle(output.get("data")),
                   "metadata": metadata if isinstance(metadata, dict) and len(json.dumps(metadata)) <= MAX_DATA else {}}  # fmt: skip
        if kind == "execute_result":
            count = output.get("execution_count")
            rebuilt["execution_count"] = count if isinstance(count, int) and not isinstance(count, bool) else None
        return rebuilt
    if kind == "error":
        traceback = output.get("traceback")
        lines = [_string(line) for line in traceback[:MAX_TRACEBACK_LINES]] if isinstance(traceback, list) else []
        return {"output_type": "error", "ename": _string(output.get("ename"), 200) or "Error",
                "evalue": _string(output.get("evalue")), "traceback": lines}  # fmt: skip
    return None


class CellRecorder:
    """One cell's outputs, as nbclient would record them, under the submission's output budget."""

    def __init__(self):
        self.budget = MAX_JOB_OUTPUT
        self.outputs: list[dict] = []
        self.displays: dict[str, list[dict]] = {}
        self.clear_on_next = False

    def new_cell(self) -> None:
        self.outputs, self.clear_on_next = [], False

    def _spend(self, size: int) -> bool:
        self.budget -= size
        if self.budget >= 0:
            return True
        if not any(o.get("name") == "c4c" for o in self.outputs):
            self.outputs.append({"output_type": "stream", "name": "c4c", "text": DROPPED_NOTE})
        return False

    def _clear_if_waiting(self) -> None:
        if self.clear_on_next:
            self.outputs, self.clear_on_next = [], False

    def record(self, message: dict) -> None:
        """One event from P: an output, a display update or a clear. What is kept counts
        against the budget (a stream cut at its limit costs nothing more)."""
        if "clear" in message:
            if message["clear"]:
                self.clear_on_next = True
            else:
                self.outputs, self.clear_on_next = [], False
            return
        if "update" in message:
            update = rebuild(message["update"])
            display_id = message.get("display_id")
            if update is None or not isinstance(display_id, str) or not self._spend(_size(update)):
                return
            for earlier in self.displays.get(display_id, []):
                earlier["data"], earlier["metadata"] = update["data"], update["metadata"]
            return
        output = rebuild(message.get("output"))
        if output is None:
            return
        last = self.outputs[-1] if self.outputs and not self.clear_on_next else None
        if output["output_type"] == "stream" and last and last["output_type"] == "stream" \
                and last.get("name") == output["name"]:  # fmt: skip
            if not last["text"].endswith(CUT_NOTE) and self._spend(len(output["text"])):
                last["text"] = _cut(last["text"] + output["text"])
            return
        if output["output_type"] == "stream":
            output["text"] = _cut(output["text"])
        if not self._spend(_size(output)):
            return
        self._clear_if_waiting()
        self.outputs.append(output)
        display_id = message.get("display_id")
        if isinstance(display_id, str) and output["output_type"] == "display_data":
            self.displays.setdefault(display_id, []).append(output)


def _size(output: dict) -> int:
    return len(json.dumps(output))


def _cut(text: str) -> str:
    return text[:MAX_TEXT] + CUT_NOTE if len(text) > MAX_TEXT else text
