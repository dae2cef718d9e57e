"""A full disk and a read-only folder: a clear message, a non-zero exit, the previous state intact.

The course's working folder is a small size-limited tmpfs (needs root to mount, as on a course
server and in CI; elsewhere these tests skip, and in CI they fail rather than skip).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from faultkit import COURSE101, run_c4c

pytestmark = [pytest.mark.slow, pytest.mark.faults]

NEW_ROSTER = (COURSE101 / "roster.csv").read_text(encoding="utf-8") + "halyna,Галина,Руденко,halyna@example.org,Бучанська,UA-32,Секретар,109\n"
DAY1 = "name,email,minutes\nОлена Коваль,olena@example.org,95\n"


@pytest.fixture
def small_disk(tmp_path):
    """The fixture course with its working folder on a 1 MiB tmpfs; yields (root, mount point)."""
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("the disk tests mount a tmpfs and need root; CI runs as root")
        pytest.skip("mounting a tmpfs needs root")
    root = tmp_path / "course101"
    shutil.copytree(COURSE101, root)
    var = root / "var"
    var.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(var)], check=True)
    try:
        (root / "roster_new.csv").write_text(NEW_ROSTER, encoding="utf-8")
        (root / "day1.csv").write_text(DAY1, encoding="utf-8")
        assert run_c4c(root, "roster", "import", str(root / "roster.csv")).returncode == 0
        assert run_c4c(root, "attendance", "import", str(root / "day1.csv"), "--day", "1").returncode == 0
        yield root, var
    finally:
        subprocess.run(["umount", "-l", str(var)], check=False)


def fill(folder: Path) -> Path:
    """Fill the filesystem of ``folder`` to the last byte; returns the filler file."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        for size in (65536, 1):
            while True:
                try:
                    os.write(fd, b"\0" * size)
                except OSError:
                    break
    finally:
        os.close(fd)
    return filler


def leftovers(folder: Path) -> list[str]:
    return [str(p) for p in folder.rglob(".*.tmp")]


def test_full_disk_and_read_only_refuse_cleanly_and_keep_every_file(small_disk):
    """Disk full: roster import, attendance import and export say so, exit 2, change nothing;
    the same for a read-only folder."""
    root, var = small_disk
    work = var / "course"
    roster_before = (work / "roster.json").read_bytes()
    attendance_before = (work / "attendance" / "attendance.json").read_bytes()
    (var / "grades.csv").write_text("old export\n")
    filler = fill(var)
    commands = [("roster", "import", str(root / "roster_new.csv")),
                ("attendance", "import", str(root / "day1.csv"), "--day", "1"),
                ("export", "grades", "-o", str(var / "grades.csv"))]  # fmt: skip
    for args in commands:
        run = run_c4c(root, *args)
        assert run.returncode == 2, (args, run.output)
        assert "the disk is full" in run.output and "unchanged" in run.output, run.output
        assert "Traceback" not in run.output
    assert (work / "roster.json").read_bytes() == roster_before
    assert (work / "attendance" / "attendance.json").read_bytes() == attendance_before
    assert (var / "grades.csv").read_text() == "old export\n"
    assert leftovers(var) == []
    filler.unlink()  # space again: the same command now succeeds
    assert run_c4c(root, "roster", "import", str(root / "roster_new.csv")).returncode == 0
    assert b"halyna" in (work / "roster.json").read_bytes()

    # Read-only working folder (a remounted disk): a clear message, exit 2, the roster as it was.
    before = (work / "roster.json").read_bytes()
    subprocess.run(["mount", "-o", "remount,ro", str(var)], check=True)
    run = run_c4c(root, "roster", "import", str(root / "roster.csv"))
    assert run.returncode == 2, run.output
    assert "read-only" in run.output and "Traceback" not in run.output
    assert (work / "roster.json").read_bytes() == before
