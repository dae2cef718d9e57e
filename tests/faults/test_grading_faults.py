"""The grader's bad day: killed mid-batch, run twice at once, its gradebook held by someone else.

Each test runs the real ``c4c grade`` as its own process on a copy of the fixture course with
several complete submissions (each scores 3 of 5 automatically), injects the fault, and checks
three things: nothing the grader started is still running, the state on disk is whole, and a
re-run ends with exactly the results of an undisturbed run.
"""

from __future__ import annotations

import signal
import sqlite3
import threading
import time

import pytest
from faultkit import grading_state, new_course, run_c4c

pytestmark = [pytest.mark.slow, pytest.mark.faults]

N = 4  # submissions per course: enough for a batch to be "mid-way" with 2 workers
EXPECTED = {f"p{i:02d}/ps1": ("needs_manual", 3.0, 5.0) for i in range(N)}


def results(root) -> dict:
    return {k: (v["status"], v["score"], v["max_score"]) for k, v in grading_state(root).items()}


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP], ids=["KILL", "TERM", "HUP"])
def test_grader_killed_mid_batch_leaves_nothing_running_and_a_rerun_completes(tmp_path, signum):
    """Killed after a result: no worker, sandbox or kernel survives; the re-run finishes exactly."""
    root = new_course(tmp_path, N)
    run = run_c4c(root, "grade", "--workers", "2", kill_when=lambda: len(grading_state(root)) >= 1, signum=signum)
    assert run.returncode == -signum, run.output
    assert len(run.seen) >= 4, "the orphan check saw no workers or sandboxes: it checked nothing"
    assert run.survivors() == []
    partial = results(root)  # the state file is whole JSON and holds only finished results
    assert 1 <= len(partial) <= N and all(partial[k] == EXPECTED[k] for k in partial)
    rerun = run_c4c(root, "grade", "--workers", "2")
    assert rerun.returncode == 0, rerun.output
    assert results(root) == EXPECTED
    assert "ended abruptly" in rerun.output  # the lecturer is told the previous run died
    assert rerun.survivors() == []


def test_ctrl_c_twice_stops_the_grader_and_its_workers(tmp_path):
    """Ctrl-C twice in the terminal (SIGINT to the whole group): everything stops, results so far kept."""
    import os

    root = new_course(tmp_path, N)
    sent = []

    def interrupt_twice() -> bool:
        if not sent and len(grading_state(root)) >= 1:
            for _ in range(2):
                os.killpg(run_group[0], signal.SIGINT)
                time.sleep(0.3)
            sent.append(True)
        return False

    run_group = []
    run = run_c4c(root, "grade", "--workers", "2", kill_when=lambda: bool(run_group) and interrupt_twice(),
                  env={}, on_start=run_group.append)
    assert sent and run.returncode != 0
    assert run.survivors() == []
    assert all(v == EXPECTED[k] for k, v in results(root).items())
    assert run_c4c(root, "grade", "--workers", "2").returncode == 0
    assert results(root) == EXPECTED


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
