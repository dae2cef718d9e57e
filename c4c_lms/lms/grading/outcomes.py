"""What grading one submission can end in: a status, a reason code and a technical detail.

Codes, not sentences, cross the layers; the CLI (or any other edge) translates them with the
``status_<status>`` and ``reason_<reason>`` keys of its message catalogue. ``detail`` is kept
as recorded (grade ids, the runner's own words) for the lecturer who wants to look closer.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from enum import StrEnum


class Status(StrEnum):
    """How a submission's grading ended."""

    GRADED = "graded"
    NEEDS_MANUAL = "needs_manual"
    FAILED = "failed"  # the participant's notebook could not be (fully) run
    FLAGGED = "flagged"  # signs of tampering or hand edits: the lecturer should look (scores stand)
    INFRASTRUCTURE = "infrastructure"  # the grading machine failed, not the notebook


class Reason(StrEnum):
    """Why a submission is not simply graded (``NONE`` when it is)."""

    NONE = ""
    TAMPERING = "tampering"
    TESTS_EDITED = "tests_edited"
    CELLS_CHANGED = "cells_changed"  # nbgrader cells deleted, duplicated or reordered
    CHECKER = "checker"  # the test kernel T could not run the tests (the machine's fault)
    INVALID_JSON = "invalid_json"
    INVALID_NOTEBOOK = "invalid_notebook"
    METADATA = "metadata"
    KERNEL_DIED = "kernel_died"
    TIMED_OUT = "timed_out"
    SUBMISSION_TIMEOUT = "submission_timeout"
    UNRESPONSIVE = "unresponsive"
    OUTPUT_LIMIT = "output_limit"
    SANDBOX = "sandbox"
    GRADEBOOK = "gradebook"
    UNKNOWN = "unknown"


@dataclass
class SubmissionResult:
    """Outcome of grading one participant's submission of one assignment."""

    student_id: str
    assignment_id: str
    status: Status
    score: float = 0.0
    max_score: float = 0.0
    reason: Reason = Reason.NONE
    detail: str = ""
    submitted: str = ""
    log: str = ""  # the full log of a submission that did not grade cleanly

    def record(self) -> dict:
        """A JSON-ready dict (codes as plain strings) for the grading state file."""
        out = asdict(self)
        out["status"], out["reason"] = str(self.status), str(self.reason)
        return out

    @classmethod
    def from_record(cls, record: dict) -> SubmissionResult:
        """Read back :meth:`record`; a reason this version does not know becomes ``UNKNOWN``
        with the recorded text as detail (state files written by older versions)."""
        fields = {k: v for k, v in record.items() if k in cls.__dataclass_fields__}
        try:
            fields["reason"] = Reason(fields.get("reason", ""))
        except ValueError:
            fields["detail"] = str(fields["reason"]) + (f" {fields['detail']}" if fields.get("detail") else "")
            fields["reason"] = Reason.UNKNOWN
        fields["status"] = Status(fields["status"])
        return cls(**fields)


# What an nbgrader log says → our reason. Only used to classify nbgrader's own failures
# (before our sandbox ran), which nbgrader reports as text.
NBGRADER_FAILURES: tuple[tuple[str, Reason], ...] = (
    ("Kernel died", Reason.KERNEL_DIED),
    ("DeadKernelError", Reason.KERNEL_DIED),
    ("CellTimeoutError", Reason.TIMED_OUT),
    ("Timeout waiting", Reason.TIMED_OUT),
    ("NotJSONError", Reason.INVALID_JSON),
    ("Notebook does not appear to be JSON", Reason.INVALID_JSON),
    ("Unreadable Notebook", Reason.INVALID_NOTEBOOK),
    ("metadata may be corrupted", Reason.METADATA),
    ("old version", Reason.METADATA),
    ("SchemaTooOldError", Reason.METADATA),
    ("failed to validate", Reason.INVALID_NOTEBOOK),
    ("NotebookValidationError", Reason.INVALID_NOTEBOOK),
)
# Failures that are about the grading machine, not a participant's notebook.
INFRASTRUCTURE_FAILURES: tuple[tuple[str, Reason], ...] = (
    ("No such kernel", Reason.SANDBOX),
    ("NoSuchKernel", Reason.SANDBOX),
    ("unable to open database", Reason.GRADEBOOK),
    ("disk I/O error", Reason.GRADEBOOK),
    ("database is locked", Reason.GRADEBOOK),
    # PostgreSQL (the hosted course's gradebook) stopping, restarting or unreachable
    ("connection refused", Reason.GRADEBOOK),
    ("server closed the connection", Reason.GRADEBOOK),
    ("terminating connection", Reason.GRADEBOOK),
    ("could not connect", Reason.GRADEBOOK),
    ("the database system is", Reason.GRADEBOOK),  # ... shutting down / starting up
    ("consuming input failed", Reason.GRADEBOOK),
    ("connection is closed", Reason.GRADEBOOK),
)
# The sandbox's execution statuses (see ``runner.py``) → our reason.
EXECUTION_REASONS = {
    "kernel_died": Reason.KERNEL_DIED,
    "timeout": Reason.SUBMISSION_TIMEOUT,
    "unresponsive": Reason.UNRESPONSIVE,
    "output_limit": Reason.OUTPUT_LIMIT,
    "sandbox": Reason.SANDBOX,
}


def last_line(text: str) -> str:
    """The line of a log that names the cause, at most 200 characters (the technical detail).

    nbgrader ends a failed conversion with "NbGraderException: Please see the above traceback";
    that says nothing, so the last real exception line above it is taken instead.
    """
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    for line in reversed(lines):
        if re.match(r"^[\w.]+(Error|Exception|Exit)\b", line) and "above traceback" not in line:
            return line[:200]
    useful = [ln for ln in lines if "above traceback" not in ln]
    return (useful[-1] if useful else "")[:200]


def classify_log(text: str) -> tuple[Reason, str] | None:
    """``(reason, detail)`` when nbgrader's log shows a known failure, else ``None``."""
    for sign, reason in NBGRADER_FAILURES:
        if sign in text:
            return reason, ""
    return None


def infrastructure_failure(text: str) -> Reason | None:
    """The reason when nbgrader's log shows the grading machine failing, else ``None``."""
    lowered = text.lower()
    for sign, reason in INFRASTRUCTURE_FAILURES:
        if sign.lower() in lowered:
            return reason
    return None
