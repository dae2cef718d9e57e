"""Every command that writes, killed in the middle of its write: the old state or the new one,
never a torn file; the re-run ends in exactly the state of an undisturbed run.

The kill comes from ``hook/sitecustomize.py`` inside the command's own process, at the n-th
``os.fsync`` (new content written, not yet in place), the n-th ``os.replace``/``os.rename``
(before it, or right after it). One base course (roster, release, graded submissions, one day
of attendance, a signing key) is built once; every case works on its own copy.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from faultkit import COURSE101, released_course, run_c4c, tree

from c4c_lms.lms.submissions import ACCOUNT_FILE

pytestmark = [pytest.mark.slow, pytest.mark.faults]

KEY = {"C4C_CERT_KEY": "fault-suite-signing-key-0123456789abcdef"}
DAY1 = "name,email,minutes\nОлена Коваль,olena@example.org,95\nТарас Шевчук,taras@example.org,80\n"
DAY1_NEW = DAY1 + "Ірина Бондар,iryna@example.org,70\n"
NEW_ROSTER = (COURSE101 / "roster.csv").read_text(encoding="utf-8") + "halyna,Галина,Руденко,halyna@example.org,Бучанська,UA-32,Секретар,109\n"


def work(root: Path) -> Path:
    return root / "var" / "course"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("base") / "course101"
    shutil.copytree(released_course(), root)
    for args in (("roster", "import", str(root / "roster.csv")),
                 ("submissions", "import", str(root / "submissions")), ("grade", "--workers", "4")):
        run = run_c4c(root, *args)
        assert run.returncode == 0, run.output
    (root / "day1.csv").write_text(DAY1, encoding="utf-8")
    (root / "day1_new.csv").write_text(DAY1_NEW, encoding="utf-8")
    (root / "roster_new.csv").write_text(NEW_ROSTER, encoding="utf-8")
    assert run_c4c(root, "attendance", "import", str(root / "day1.csv"), "--day", "1").returncode == 0
    assert run_c4c(root, "certificates", "issue", env=KEY).returncode == 0
    assert run_c4c(root, "export", "grades", "--format", "moodle", "-o", str(root / "grades.csv")).returncode == 0
    return root


def copy(base: Path, tmp: Path) -> Path:
    root = tmp / "course101"
    shutil.copytree(base, root)
    return root


def certificate_numbers(root: Path) -> list[str]:
    path = work(root) / "certificates" / "registry.json"
    return sorted(json.loads(path.read_text())["certificates"]) if path.is_file() else []


# name -> (command arguments, files whose bytes must be old or new, extra environment)
CASES = {
    "roster": (("roster", "import", "{root}/roster_new.csv"), ["var/course/roster.json"], {}),
    "attendance": (("attendance", "import", "{root}/day1_new.csv", "--day", "1"),
                   ["var/course/attendance/attendance.json"], {}),
    "export": (("export", "grades", "--format", "csv", "-o", "{root}/grades.csv"), ["grades.csv"], {}),
    "completion": (("completion", "-o", "{root}/grades.csv"), ["grades.csv"], {}),
    "report": (("report", "-o", "{root}/grades.csv"), ["grades.csv"], {}),
    "revoke": (("certificates", "revoke", "{number}", "--reason", "test"),
               ["var/course/certificates/revoked.json"], KEY),
    "purge": (("cohort", "purge", "olena", "--yes"),
              ["var/course/roster.json", "var/course/attendance/attendance.json",
               "var/course/cohort/anonymous.json", "var/course/certificates/registry.json"], {}),
}
FAULTS = ["fsync:1", "replace:1:after"]  # during the first write; right after it is in place


def arguments(args: tuple[str, ...], root: Path) -> list[str]:
    number = (certificate_numbers(root) or ["none"])[0]
    return [a.format(root=root, number=number) for a in args]


def snapshot(root: Path, files: list[str]) -> dict[str, bytes | None]:
    return {f: (root / f).read_bytes() if (root / f).is_file() else None for f in files}


def normalised(name: str, value: bytes | None) -> object:
    """Content with what legitimately differs between two runs taken out: times of day (the
    report's "generated at", attendance's ``imported_at``) and a purged attendee's random key.
    JSON is compared as data (a torn file does not even parse)."""
    if value is None:
        return None
    value = re.sub(rb"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?(\+00:00)?", b"<when>", value)
    value = re.sub(rb"purged:[0-9a-f]+", b"purged:<random>", value)
    return json.loads(value) if name.endswith(".json") else value


@pytest.fixture(scope="module")
def expected(base, tmp_path_factory) -> dict[str, dict]:
    """The state each command leaves when nothing goes wrong (one undisturbed run per case)."""
    out = {}
    for name, (args, files, env) in CASES.items():
        root = copy(base, tmp_path_factory.mktemp(f"clean-{name}"))
        run = run_c4c(root, *arguments(args, root), env=env)
        assert run.returncode == 0, (name, run.output)
        out[name] = {f: normalised(f, v) for f, v in snapshot(root, files).items()}
    return out


# Two points per single-file command; the report and the completion CSV are written like the
# export (one atomic write), so one point each; purge writes four files, so more points.
PARAMS = ([(name, fault) for name in CASES if name not in ("report", "completion") for fault in FAULTS]
          + [("report", "fsync:1"), ("completion", "replace:1:after"), ("purge", "fsync:2"), ("purge", "fsync:3")])


@pytest.mark.parametrize(("name", "fault"), PARAMS)
def test_a_write_killed_midway_leaves_old_or_new_and_the_rerun_completes(base, expected, tmp_path, name, fault):
    """Killed at a write: each file is whole (old or new), nothing survives, and a re-run finishes the job."""
    args, files, env = CASES[name]
    root = copy(base, tmp_path)
    old = {f: normalised(f, v) for f, v in snapshot(root, files).items()}
    run = run_c4c(root, *arguments(args, root), fault=fault, env=env)
    after = {f: normalised(f, v) for f, v in snapshot(root, files).items()}
    for f in files:
        assert after[f] in (old[f], expected[name][f]), f"{f} is torn after {fault}"
    assert run.survivors() == []
    if run.returncode != 0:  # it was killed (a fault point past the command's last write never fires)
        assert run.returncode == -9, run.output
        rerun = run_c4c(root, *arguments(args, root), env=env)
        assert rerun.returncode == 0, rerun.output
    final = {f: normalised(f, v) for f, v in snapshot(root, files).items()}
    assert final == expected[name]
    if name == "purge":  # counted once in the statistics, however often it was interrupted
        assert len(json.loads((work(root) / "cohort" / "anonymous.json").read_text())) == 1


@pytest.mark.parametrize("fault", ["fsync:1", "rename:2:after"])
def test_submissions_import_killed_midway(base, tmp_path, fault):
    """A ZIP/folder import killed mid-way: every submission folder is the old one or the new one."""
    root = copy(base, tmp_path)
    newer = tmp_path / "newer"
    for student in ("olena", "taras", "iryna"):
        (newer / student).mkdir(parents=True)
        shutil.copy(COURSE101 / "submissions" / "olena" / "ps1.ipynb", newer / student / "ps1.ipynb")
    submitted = work(root) / "submitted"
    old = {s: tree(submitted / s / "ps1") for s in ("olena", "taras", "iryna")}
    run = run_c4c(root, "submissions", "import", str(newer), fault=fault)
    for student, before in old.items():
        now = tree(submitted / student / "ps1")
        fresh = now.get("ps1.ipynb") == (COURSE101 / "submissions" / "olena" / "ps1.ipynb").read_bytes()
        assert now == before or (fresh and set(now) == {"ps1.ipynb", "timestamp.txt", ACCOUNT_FILE}), f"{student} torn"
    assert run.returncode in (0, -9) and run.survivors() == []
    rerun = run_c4c(root, "submissions", "import", str(newer))
    assert rerun.returncode == 0, rerun.output
    assert not list(submitted.glob("*/.*staging*")), "a half-built folder was left behind"
    for student in old:
        assert (submitted / student / "ps1" / "ps1.ipynb").read_bytes() == (newer / student / "ps1.ipynb").read_bytes()


@pytest.mark.parametrize("fault", ["fsync:2", "replace:3:after"])
def test_feedback_killed_midway_never_leaves_a_torn_page(base, tmp_path, fault):
    """Feedback pages appear whole or not at all, even when the command is killed while writing them."""
    root = copy(base, tmp_path)
    run = run_c4c(root, "feedback", fault=fault)
    assert run.returncode in (0, -9) and run.survivors() == []
    for page in (work(root) / "feedback").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert text.rstrip().endswith("</html>"), f"{page} is torn"
    assert run_c4c(root, "feedback").returncode == 0
    pages = sorted(p.relative_to(work(root)) for p in (work(root) / "feedback").rglob("*.html"))
    assert len(pages) >= 6 and not list(work(root).rglob(".*.tmp"))


def test_certificates_killed_midway_keep_numbers_and_files(base, tmp_path):
    """Issuing killed after some PDFs: the registry is whole, the re-run keeps every number."""
    root = copy(base, tmp_path)
    before = certificate_numbers(root)
    shutil.rmtree(work(root) / "certificates")
    run = run_c4c(root, "certificates", "issue", fault="replace:1:after", env=KEY)
    assert run.returncode == -9 and run.survivors() == []
    rerun = run_c4c(root, "certificates", "issue", env=KEY)
    assert rerun.returncode == 0, rerun.output
    assert certificate_numbers(root) == before
    registry = json.loads((work(root) / "certificates" / "registry.json").read_text())["certificates"]
    for entry in registry.values():
        assert (work(root) / "certificates" / entry["file"]).read_bytes().startswith(b"%PDF")
