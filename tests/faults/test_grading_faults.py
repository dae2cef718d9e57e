"""The grader's bad day: killed mid-batch, run twice at once, its gradebook held by someone else.

Each test runs the real ``c4c grade`` as its own process on a copy of the fixture course with
several complete submissions (each scores 3 of 5 automatically), injects the fault, and checks
three things: nothing the grader started is still running, the state on disk is whole, and a
re-run ends with exactly the results of an undisturbed run.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time

import pytest
from faultkit import grading_state, new_course, run_c4c

pytestmark = [pytest.mark.slow, pytest.mark.faults]

N = 4  # submissions per course: enough for a batch to be "mid-way" with 2 workers
N_KILLS = 24  # four stops in a row, each after at least one new result, still leave some to do (at 0.3 s a result)
EXPECTED = {f"p{i:02d}/ps1": ("needs_manual", 3.0, 5.0) for i in range(N)}


def results(root) -> dict:
    return {k: (v["status"], v["score"], v["max_score"]) for k, v in grading_state(root).items()}


def test_grader_killed_mid_batch_leaves_nothing_running_and_a_rerun_completes(tmp_path):
    """Killed after a result, by KILL, then TERM, then HUP, then Ctrl-C twice in the terminal
    (SIGINT to the whole group), each run carrying on where the last was stopped: no worker,
    sandbox or kernel survives any of them, the state file stays whole JSON with only finished
    results, and the last run finishes exactly. One course for all four saves a release and three
    full batches; each stop still lands mid-batch (asserted)."""
    root = new_course(tmp_path, N_KILLS)
    expected = {f"p{i:02d}/ps1": ("needs_manual", 3.0, 5.0) for i in range(N_KILLS)}
    for signum in [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP, "ctrl-c"]:
        before = len(grading_state(root))
        group: list[int] = []
        sent: list[bool] = []

        def stop_after_a_new_result() -> bool:
            if sent or len(grading_state(root)) <= before:
                return False
            if signum != "ctrl-c":
                sent.append(True)
                return True
            for _ in range(2):
                os.killpg(group[0], signal.SIGINT)
                time.sleep(0.3)
            sent.append(True)
            return False

        run = run_c4c(root, "grade", "--workers", "2", signum=signum if signum != "ctrl-c" else signal.SIGKILL,
                      kill_when=stop_after_a_new_result, on_start=group.append)
        assert sent, f"{signum}: the batch ended before it could be stopped"
        if signum == "ctrl-c":
            assert run.returncode != 0, run.output
        else:
            assert run.returncode == -signum, run.output
        if signum == signal.SIGTERM:  # the run after the KILL: its lock was left behind
            assert "ended abruptly" in run.output, "the lecturer is not told the previous run died"
        assert len(run.seen) >= 4, f"{signum}: the orphan check saw no workers or sandboxes: it checked nothing"
        assert run.survivors() == [], signum
        partial = results(root)
        assert before < len(partial) < N_KILLS, f"{signum}: not stopped mid-batch ({len(partial)} of {N_KILLS})"
        assert all(partial[k] == expected[k] for k in partial), signum
    rerun = run_c4c(root, "grade", "--workers", "2")
    assert rerun.returncode == 0, rerun.output
    assert results(root) == expected
    assert rerun.survivors() == []


def test_a_second_grader_refuses_while_one_runs(tmp_path):
    """Does `c4c grade` started during another one refuse, name the running one, and change nothing?"""
    root = new_course(tmp_path, N)
    second = {}

    lock = root / "var" / "course" / "grading.lock"

    def start_second() -> bool:
        if "run" not in second and lock.is_file() and f'"pid": {second["pid"]}' in lock.read_text():
            second["run"] = run_c4c(root, "grade", "--force", "--workers", "1")
        return False

    first = run_c4c(root, "grade", "--workers", "1", kill_when=start_second,
                    on_start=lambda pid: second.setdefault("pid", pid))
    assert first.returncode == 0, first.output
    assert second["run"].returncode == 2
    assert "Another `c4c grade` is already working on this course" in second["run"].output
    assert f"process {second['pid']}" in second["run"].output
    assert results(root) == EXPECTED


def test_a_busy_sqlite_gradebook_is_waited_for_not_lost(tmp_path):
    """The formgrader holds the SQLite gradebook in a write transaction for 6 s mid-batch: every result lands."""
    root = new_course(tmp_path, N)
    gradebook = root / "var" / "course" / "gradebook.db"
    held: dict = {}

    def hold() -> None:
        db = sqlite3.connect(gradebook, timeout=60, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")  # a writer's lock, as a formgrader save holds it
        held["at"] = time.monotonic()
        time.sleep(6)
        db.execute("COMMIT")
        held["released"] = time.monotonic()
        db.close()

    holder = threading.Thread(target=hold)

    def busy_after_first_result() -> bool:
        if not holder.is_alive() and "at" not in held and len(grading_state(root)) >= 1:
            holder.start()
        return False

    run = run_c4c(root, "grade", "--workers", "2", kill_when=busy_after_first_result)
    holder.join()
    assert run.returncode == 0, run.output
    assert "released" in held, "the gradebook was never held: the test checked nothing"
    assert results(root) == EXPECTED
