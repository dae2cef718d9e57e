"""Autograding submitted notebooks with nbgrader, failure-isolated, sandboxed and in parallel.

Each submission is graded through ``NbGraderAPI.autograde`` with execution moved into the
sandbox of ``sandbox.py`` (``sandbox_config``); its outcome is appended to
``<workdir>/grading_state.json`` right away, so a crash mid-batch loses nothing and a re-run
skips what was already graded from the same submitted file (idempotent).
The tests run apart from the participant's code (``execute.py``), so scores need no in-kernel
check; tamper signals (the integrity cell's verdict, locked cells edited, nbgrader cells
deleted, duplicated or reordered) flag the submission for the lecturer, its points standing.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from traitlets.config import Config

from c4c_lms.core.config import Course, load_course
from c4c_lms.core.exceptions import C4CError, GradingInfrastructureError
from c4c_lms.core.processes import CommandLock, die_with_parent
from c4c_lms.lms.submissions import read_timestamp
from c4c_lms.core.files import write_text_atomic
from c4c_lms.lms.grading.outcomes import (
    EXECUTION_REASONS, Reason, Status, SubmissionResult, classify_log, infrastructure_failure, last_line,
)  # fmt: skip
from c4c_lms.lms.grading.execute import STATUS_FILE, SandboxExecute
from c4c_lms.lms.grading.reuse import install, read_notebook
from c4c_lms.lms.grading.sandbox import remove_stale_boxes
from c4c_lms.lms.grading.sanitise import with_sanitiser
from c4c_lms.lms.workspace import nbgrader_api, prepare, step_path

#: Markers shared with the exercise builder (tools/exercises/exbuild.py).
CANARY_TAG = "c4c-canary"
CANARY_OK = "C4C-CANARY-OK"
CANARY_BAD = "C4C-TAMPER-DETECTED"
TAMPER_COMMENT = "C4C: test machinery tampered with; automatic points withheld, please review."


def state_path(course: Course) -> Path:
    return course.workdir / "grading_state.json"


def load_state(course: Course) -> dict[str, dict]:
    path = state_path(course)
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {}  # a corrupt state only costs a re-grade


def submitted_pairs(course: Course, assignments: list[str], students: list[str] | None):
    """(student, assignment) pairs present in ``submitted/``, sorted."""
    base = step_path(course, "submitted")
    pairs = []
    if not base.is_dir():
        return pairs
    for student_dir in sorted(p for p in base.iterdir() if p.is_dir()):
        if students and student_dir.name not in students:
            continue
        for assignment in assignments:
            if (student_dir / assignment).is_dir():
                pairs.append((student_dir.name, assignment))
    return pairs


def explain_failure(text: str) -> tuple[Reason, str]:
    """``(reason, detail)`` for the lecturer from nbgrader's log of a failed autograde."""
    known = classify_log(text)
    return known if known else (Reason.UNKNOWN, last_line(text) or "unknown error")


def _read(path: Path, cached: bool = False):
    """The notebook at ``path``, or None when unreadable (grading itself reports that).

    ``cached``: a read-only file of the exercise (the released notebook), read once per worker.
    """
    import nbformat

    try:
        if cached:
            return read_notebook(path)
        # Only grade ids, sources and outputs are looked at, and nbformat.read only warns about
        # an invalid notebook: a version-4 file is parsed as nbformat does, without the schema pass.
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("nbformat") == 4 and isinstance(data.get("cells"), list):
            return nbformat.v4.to_notebook_json(data)
        return nbformat.read(str(path), as_version=4)
    except Exception:
        return None


def canary_alert(nb, released) -> str:
    """What the exercise's integrity cell reported in P, if it saw tampering ("" otherwise).

    Only a signal for the lecturer: it ran in the participant's kernel, so it can be silenced,
    and scores no longer depend on it (the tests run in their own kernel). The cell is found by
    its grade id in the released notebook, so an untagged copy still counts.
    """
    if nb is None or released is None:
        return ""
    wanted = {c.metadata.get("nbgrader", {}).get("grade_id") for c in released.cells
              if CANARY_TAG in c.get("metadata", {}).get("tags", [])} - {None}  # fmt: skip
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") in wanted:
            text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
            if CANARY_BAD in text:
                return text.strip().splitlines()[-1][:200]
            if CANARY_OK not in text:
                return "the integrity cell did not confirm the kernel"
    return ""


def _grade_ids(nb) -> list[str]:
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if "grade_id" in c.get("metadata", {}).get("nbgrader", {})]  # fmt: skip


def changed_cells(released, submitted) -> list[str]:
    """Tamper signals for the lecturer: nbgrader cells deleted, duplicated or reordered.

    The scores do not depend on them (the tests run in their own kernel, on the released test
    code); they say that someone edited the notebook's structure by hand.
    """
    if released is None or submitted is None:  # unreadable files are reported by grading itself
        return []
    want, have = _grade_ids(released), _grade_ids(submitted)
    signs = [f"deleted {g}" for g in want if g not in have]
    signs += [f"duplicated {g}" for g in sorted({g for g in have if have.count(g) > 1})]
    order = [g for g in have if g in want]
    if not signs and order != [g for g in want if g in order]:
        signs.append("reordered")
    return signs


def _settle(course: Course, student: str, assignment: str) -> tuple[float, float, bool]:
    """(score, max score, needs manual grading), in one gradebook session.

    The same session undoes a flag of the canary era (older versions withheld points of
    submissions their in-kernel check distrusted; the tests now run in their own kernel).
    """
    from nbgrader.api import Gradebook

    with Gradebook(course.gradebook_url, course_id=course.config.course.id) as gb:
        submission = gb.find_submission(assignment, student)
        changed = False
        for notebook in submission.notebooks:
            if not any((c.manual_comment or "").startswith(TAMPER_COMMENT) for c in notebook.comments):
                continue
            changed = True
            for grade in notebook.grades:
                grade.manual_score = None
                grade.needs_manual_grade = grade.auto_score is None
            for comment in notebook.comments:
                if (comment.manual_comment or "").startswith(TAMPER_COMMENT):
                    comment.manual_comment = None
        if changed:
            gb.db.commit()
        return float(submission.score), float(submission.max_score), bool(submission.needs_manual_grade)


def autograde_steps() -> list[type]:
    """nbgrader's autograde preprocessors, with ``Execute`` swapped for :class:`SandboxExecute`.

    nbgrader's own list is kept as it is, so a future nbgrader step is picked up, not silently
    dropped. The sanitiser goes right after ``SaveAutoGrades`` (see :func:`with_sanitiser`).
    """
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    steps = []
    for step in Autograde.class_traits()["autograde_preprocessors"].default():
        steps += [SandboxExecute] if step is Execute else [step]
    return with_sanitiser(steps)


def sandbox_config(course: Course) -> Config:
    """nbgrader's autograde with execution split between P and T (see ``execute.py``)."""
    grading = course.config.grading
    c = Config()
    c.Autograde.autograde_preprocessors = autograde_steps()
    # nbconvert validates the whole notebook after every step unless told to do it once at the
    # end; SandboxExecute validates after its own step, where P's outputs come in.
    c.Exporter.optimistic_validation = True
    c.SandboxExecute.source_root = str(course.path("exercises"))
    c.SandboxExecute.work_mb = grading.work_mb
    c.SandboxExecute.tmp_mb = grading.tmp_mb
    c.SandboxExecute.max_files = grading.max_files
    c.SandboxExecute.cell_timeout = grading.cell_timeout_s
    c.SandboxExecute.submission_timeout = grading.submission_timeout_s
    c.SandboxExecute.memory_mb = grading.memory_mb
    c.SandboxExecute.max_processes = grading.max_processes
    c.SandboxExecute.preload = list(grading.preload_modules)
    return c


def edited_test_cells(reference, theirs) -> list[str]:
    """Grade ids of locked cells whose submitted source differs from the released one.

    nbgrader restores such cells before running, so the points stay right; the edit itself is
    a signal for the lecturer (its checksum warning fires on every honest submission too).
    """
    if reference is None or theirs is None:  # unreadable files are reported by grading itself
        return []
    def locked(nb):
        return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
                if c.get("metadata", {}).get("nbgrader", {}).get("locked")
                and "grade_id" in c.metadata["nbgrader"]}  # fmt: skip
    mine = locked(theirs)
    return sorted(g for g, src in locked(reference).items() if g in mine and mine[g].strip() != src.strip())


def grade_one(root: str, student: str, assignment: str) -> SubmissionResult:
    """Grade one submission; never raises, whatever the notebook or the machine does.

    A failure of the machinery (the gradebook busy, e.g. the formgrader holding SQLite, or a
    PostgreSQL server restarting; a kernel that never started) is retried with growing pauses
    for up to ``grading.gradebook_wait_s`` before it is reported (and a re-run retries it).
    """
    install()  # this worker's engine and schema validators, built once (reuse.py)
    course = load_course(Path(root))
    deadline = time.monotonic() + course.config.grading.gradebook_wait_s
    pause, attempts = 0.5, 0
    while True:
        attempts += 1
        started, phases = time.process_time(), {}
        try:
            result = _grade_once(course, student, assignment, phases)
        except Exception as err:  # our own gradebook calls: sqlite/SQLAlchemy errors
            text = f"{type(err).__name__}: {err}"
            result = SubmissionResult(student, assignment, Status.INFRASTRUCTURE,
                                      reason=infrastructure_failure(text) or Reason.UNKNOWN, detail=text[:300])  # fmt: skip
            result.log = _save_log(course, student, assignment, traceback.format_exc())
        if os.environ.get("C4C_GRADING_PROFILE"):  # the trusted side's own CPU (benchmark)
            with open(course.workdir / "grading_profile.jsonl", "a", encoding="utf-8") as f:
                f.write(json.dumps({"student": student, "assignment": assignment,
                                    "trusted_cpu": time.process_time() - started, **phases}) + "\n")
        known = result.reason in (Reason.GRADEBOOK, Reason.SANDBOX)  # worth waiting for; others once more
        if (result.status != Status.INFRASTRUCTURE or time.monotonic() + pause > deadline
                or (not known and attempts >= 2)):  # fmt: skip
            return result
        time.sleep(pause)
        pause = min(pause * 2, 15.0)


def _save_log(course: Course, student: str, assignment: str, text: str) -> str:
    """Keep the full log of a submission that did not grade cleanly; its path for the lecturer."""
    path = course.workdir / "logs" / "grading" / student / f"{assignment}.log"
    try:
        write_text_atomic(path, text)
    except C4CError:  # a full disk must not turn into a grading failure of its own
        return ""
    return str(path)


def _grade_once(course: Course, student: str, assignment: str, phases: dict) -> SubmissionResult:
    stamp = read_timestamp(step_path(course, "submitted", student=student, assignment=assignment))
    submitted = stamp.isoformat() if stamp else ""

    settled: list[tuple[float, float, bool]] = []

    def totals() -> tuple[float, float, bool]:
        if not settled:
            settled.append(_settle(course, student, assignment))
        return settled[0]

    def result(status: Status, reason: Reason = Reason.NONE, detail: str = "", scored: bool = False):
        score, max_score = totals()[:2] if scored else (0.0, 0.0)
        return SubmissionResult(student, assignment, status, score, max_score, reason, detail, submitted)

    api = nbgrader_api(course, sandbox_config(course))
    started = time.process_time()
    outcome = api.autograde(assignment, student, force=True, create=True)
    phases["nbgrader_cpu"] = time.process_time() - started  # its passes and gradebook sessions
    text = f"{outcome.get('log') or ''}\n{outcome.get('error') or ''}"
    broken = infrastructure_failure(text)
    if broken:
        failed = result(Status.INFRASTRUCTURE, broken, last_line(text))
        failed.log = _save_log(course, student, assignment, text)
        return failed
    autograded = step_path(course, "autograded", student=student, assignment=assignment, notebook=assignment)
    if not outcome["success"] or not autograded.is_file():
        failed = result(Status.FAILED, *explain_failure(text))
        failed.log = _save_log(course, student, assignment, text)
        return failed
    execution = _execution_status(autograded.parent)
    if execution.get("checker", "ok") != "ok":
        # The tests could not run (not a failing test): the machine's fault, graded again next run.
        broken = result(Status.INFRASTRUCTURE, Reason.CHECKER, execution.get("checker_reason", ""))
        broken.log = _save_log(course, student, assignment, json.dumps(execution, indent=1) + "\n\n" + text)
        return broken
    if execution.get("status", "ok") != "ok":
        # Honest partial credit: the answers P produced before it stopped were tested in T and
        # keep their points; the tests after that point scored 0. The lecturer sees why.
        reason = EXECUTION_REASONS.get(execution.get("status", ""), Reason.UNKNOWN)
        failed = result(Status.FAILED, reason, execution.get("reason", ""), scored=True)
        failed.log = _save_log(course, student, assignment, json.dumps(execution, indent=1) + "\n\n" + text)
        return failed
    released = _read(step_path(course, "release", assignment=assignment, notebook=assignment), cached=True)
    submitted_nb = _read(step_path(course, "submitted", student=student, assignment=assignment, notebook=assignment))
    alert = canary_alert(_read(autograded), released)
    if alert:
        return result(Status.FLAGGED, Reason.TAMPERING, alert, scored=True)
    changed = changed_cells(released, submitted_nb)
    if changed:
        return result(Status.FLAGGED, Reason.CELLS_CHANGED, ", ".join(changed), scored=True)
    edited = edited_test_cells(released, submitted_nb)
    if edited:
        return result(Status.FLAGGED, Reason.TESTS_EDITED, ", ".join(edited), scored=True)
    manual = totals()[2]
    return result(Status.NEEDS_MANUAL if manual else Status.GRADED, scored=True)


def _execution_status(folder: Path) -> dict:
    try:
        return json.loads((folder / STATUS_FILE).read_text())
    except (OSError, ValueError):
        return {}


def _ensure_students(course: Course, students: set[str]) -> None:
    """Create gradebook rows for participants graded before any roster import.

    nbgrader creates them on the fly, but two workers doing so at once for the same person
    collide; doing it here, once, before the pool starts, avoids that race.
    """
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.gradebook_url, course_id=course.config.course.id) as gb:
        for student in sorted(students):
            try:
                gb.find_student(student)
            except MissingEntry:
                gb.add_student(student)


def default_workers() -> int:
    """Twice the CPUs, at most 8: grading small notebooks waits on kernel start-up as much as
    it computes, so oversubscribing pays off (the benchmark used 4 workers on 2 CPUs)."""
    return max(1, min(8, 2 * (os.cpu_count() or 1)))


def grade_all(
    course: Course,
    exercises: list[str] | None = None,
    students: list[str] | None = None,
    workers: int = 1,
    force: bool = False,
    on_result: Callable[[SubmissionResult], None] | None = None,
    on_stale_lock: Callable[[dict], None] | None = None,
) -> list[SubmissionResult]:
    """Autograde every submitted notebook of the chosen exercises and participants.

    Parameters
    ----------
    course : the loaded course.
    exercises : exercise or assignment ids (all when empty).
    students : participant ids (all when empty).
    workers : parallel grading processes (each submission in its own kernel either way).
    force : re-grade submissions already graded from the same submitted file.
    on_result : called after each submission (progress bars).
    on_stale_lock : called with the record of a previous run that died holding the lock.

    Returns
    -------
    One :class:`SubmissionResult` per submission, including those skipped as already graded.
    """
    with CommandLock(course.workdir / "grading.lock", "grade") as lock:
        if lock.stale and on_stale_lock:
            on_stale_lock(lock.stale)
        remove_stale_boxes()  # sandboxes of a grader that was killed
        return _grade_locked(course, exercises, students, workers, force, on_result)


def _grade_locked(course, exercises, students, workers, force, on_result) -> list[SubmissionResult]:
    prepare(course)
    state = load_state(course)
    pairs = submitted_pairs(course, course.assignment_ids(exercises), students)
    results: list[SubmissionResult] = []
    todo = []
    for student, assignment in pairs:
        key = f"{student}/{assignment}"
        stamp = read_timestamp(step_path(course, "submitted", student=student, assignment=assignment))
        previous = state.get(key)
        unchanged = previous and stamp and previous.get("submitted") == stamp.isoformat()
        if unchanged and not force and previous["status"] != Status.INFRASTRUCTURE:
            result = SubmissionResult.from_record(previous)
            results.append(result)
            if on_result:
                on_result(result)
        else:
            todo.append((student, assignment))

    def record(result: SubmissionResult) -> None:
        state[f"{result.student_id}/{result.assignment_id}"] = result.record()
        write_text_atomic(state_path(course), json.dumps(state, ensure_ascii=False, indent=1))
        results.append(result)
        if on_result:
            on_result(result)

    _ensure_students(course, {student for student, _ in todo})
    root = str(course.root)
    if workers <= 1 or len(todo) <= 1:
        for student, assignment in todo:
            record(grade_one(root, student, assignment))
    else:
        # Different participants in parallel; SQLite serialises the short gradebook writes.
        # Workers (and through bwrap --die-with-parent, their sandboxes) end with this process.
        pool = ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent, initargs=(os.getpid(),))
        try:
            futures = [pool.submit(grade_one, root, s, a) for s, a in todo]
            for future in futures:
                record(future.result())
        except BaseException:  # Ctrl-C, or the state file could not be written: stop the rest now
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
    broken = [r for r in results if r.status == Status.INFRASTRUCTURE]
    if broken and len(broken) == len(todo) and todo:
        raise GradingInfrastructureError(f"{broken[0].reason}: {broken[0].detail}")
    return sorted(results, key=lambda r: (r.assignment_id, r.student_id))
