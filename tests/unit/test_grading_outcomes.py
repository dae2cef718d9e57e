"""Grading outcomes as codes: what the lecturer is told comes from a reason code and a detail."""

from __future__ import annotations

from c4c_lms.lms.grading.outcomes import (
    Reason, Status, SubmissionResult, classify_log, infrastructure_failure, last_line,
)  # fmt: skip

NBGRADER_TAIL = (
    "Traceback (most recent call last):\n  File \"x.py\", line 1, in run\n"
    "sqlite3.OperationalError: database is locked\n"
    "[AutogradeApp | ERROR] There was an error processing assignment: ps1\n"
    "nbgrader.converters.base.NbGraderException: Please see the the above traceback for details\n"
)


def test_the_detail_names_the_cause_not_see_the_above_traceback():
    """Is nbgrader's "see the above traceback" replaced by the exception that caused it?"""
    assert last_line(NBGRADER_TAIL) == "sqlite3.OperationalError: database is locked"
    assert last_line("only a note\n") == "only a note"
    assert last_line("") == ""


def test_machine_failures_are_told_apart_from_notebook_failures():
    """Are busy or restarting databases the machine's fault, and broken notebooks the notebook's?"""
    assert infrastructure_failure(NBGRADER_TAIL) is Reason.GRADEBOOK
    pg = 'connection failed: connection to server at "127.0.0.1", port 5432 failed: Connection refused'
    assert infrastructure_failure(pg) is Reason.GRADEBOOK
    assert infrastructure_failure("FATAL:  the database system is shutting down") is Reason.GRADEBOOK
    assert infrastructure_failure("NotJSONError: Notebook does not appear to be JSON") is None
    assert classify_log("NotJSONError: Notebook does not appear to be JSON") == (Reason.INVALID_JSON, "")
    assert classify_log("all fine") is None


def test_results_round_trip_through_the_state_file_and_old_sentences_are_kept():
    """Does a result survive the state file, and does an older state's sentence become UNKNOWN + detail?"""
    result = SubmissionResult("olena", "ps1", Status.FAILED, 2.0, 5.0, Reason.KERNEL_DIED, "exit 9", "t", "log")
    assert SubmissionResult.from_record(result.record()) == result
    old = {"student_id": "s", "assignment_id": "a", "status": "failed", "reason": "kernel died (crash)"}
    back = SubmissionResult.from_record(old)
    assert back.reason is Reason.UNKNOWN and back.detail == "kernel died (crash)" and back.status is Status.FAILED
