"""The building blocks of the reliability rules: locks, parent-death, atomic files and folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from c4c_lms.core.exceptions import BusyError
from c4c_lms.core.files import remove_stale_staging, replace_folder, staging_folder, write_text_atomic
from c4c_lms.core.processes import CommandLock, pid_alive


def test_a_held_lock_refuses_a_second_holder_and_names_the_first(tmp_path):
    """Does a second CommandLock refuse with the holder's pid while the first runs?"""
    lock = tmp_path / "grading.lock"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from c4c_lms.core.processes import CommandLock\n"
        f"with CommandLock(Path({str(lock)!r}), 'grade'):\n    print('held', flush=True); time.sleep(30)")],
        stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(BusyError) as err:
            with CommandLock(lock, "grade"):
                pass
        assert err.value.pid == holder.pid and err.value.command == "grade"
    finally:
        holder.kill()
        holder.wait()
    with CommandLock(lock, "grade") as taken:  # the dead holder's lock is free again ...
        assert taken.stale and taken.stale["pid"] == holder.pid  # ... and reported as stale
    assert lock.read_text() == ""  # a finished holder leaves no record


def test_a_child_asking_for_parent_death_ends_with_its_parent():
    """Does a grandchild started with child_of_this_process() die when its parent is killed?"""
    code = (
        "import subprocess, sys, time\n"
        "from c4c_lms.core.processes import child_of_this_process\n"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'], preexec_fn=child_of_this_process())\n"
        "print(p.pid, flush=True); time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    grandchild = int(parent.stdout.readline())
    assert pid_alive(grandchild)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 5
    while pid_alive(grandchild) and time.monotonic() < deadline:
        try:
            os.waitpid(grandchild, os.WNOHANG)  # not ours to reap; init does it
        except ChildProcessError:
            pass
        time.sleep(0.1)
    state = open(f"/proc/{grandchild}/stat").read().split()[2] if os.path.exists(f"/proc/{grandchild}") else "gone"
    assert state in ("gone", "Z")


def test_folders_are_swapped_whole_and_leftovers_cleaned(tmp_path):
    """Does replace_folder put a new folder in place of the old one in one step, and clean up?"""
    final = tmp_path / "student" / "ps1"
    final.mkdir(parents=True)
    (final / "ps1.ipynb").write_text("old")
    staged = staging_folder(final)
    (staged / "ps1.ipynb").write_text("new")
    replace_folder(staged, final)
    assert (final / "ps1.ipynb").read_text() == "new" and not staged.exists()
    leftover = staging_folder(final)  # as if a crash happened before the swap
    assert remove_stale_staging(tmp_path) == 1 and not leftover.exists()


def test_atomic_write_leaves_no_temporary_file(tmp_path):
    """Does write_text_atomic replace the file and leave nothing else behind?"""
    target = tmp_path / "state.json"
    write_text_atomic(target, json.dumps({"a": 1}))
    write_text_atomic(target, json.dumps({"a": 2}))
    assert json.loads(target.read_text()) == {"a": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_descendants_reach_children_in_sessions_of_their_own_and_end_leftovers_ends_them(tmp_path):
    """A hub's services run in new sessions; the stop path must still find and end them."""
    import subprocess
    import sys
    import time

    from c4c_lms.core.processes import descendants, end_leftovers

    ready = tmp_path / "grandchild.pid"
    script = ("import subprocess, sys, time\n"
              "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'], start_new_session=True)\n"
              f"open({str(ready)!r}, 'w').write(str(p.pid))\n"
              "time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 20
        while not (ready.is_file() and ready.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        grandchild = int(ready.read_text())
        below = descendants(os.getpid())
        assert parent.pid in below and grandchild in below
        assert set(descendants(parent.pid)) == {grandchild}
        parent.kill()
        parent.wait()
        assert end_leftovers({grandchild: below[grandchild] + 1}) == []  # same pid, other process: spared
        assert end_leftovers({grandchild: below[grandchild]}) == [grandchild]
        deadline = time.monotonic() + 10
        while Path(f"/proc/{grandchild}").exists() and time.monotonic() < deadline:
            status = Path(f"/proc/{grandchild}/stat").read_text().split(") ")[1][0]
            if status == "Z":
                break
            time.sleep(0.05)
        assert not Path(f"/proc/{grandchild}").exists() or status == "Z"
    finally:
        parent.kill()
