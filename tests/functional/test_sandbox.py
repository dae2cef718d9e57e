"""Hostile and broken submissions against the grading sandbox (grading-risks §4)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from c4c_lms.core.config import load_course
from c4c_lms.lms.grading.batch import grade_all
from c4c_lms.lms.release import release
from c4c_lms.lms.roster import import_roster
from c4c_lms.lms.grading.sandbox import isolation_mode, run_sandboxed

FIXTURE = Path(__file__).resolve().parents[1] / "files" / "course101"
LIMITS = dict(cell_timeout=4, submission_timeout=40, memory_mb=1024, max_processes=32)


@pytest.fixture(scope="module", autouse=True)
def needs_bwrap():
    if isolation_mode() != "bwrap":
        message = "full isolation needs bubblewrap (apt-get install bubblewrap) and root"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; CI must run the sandbox tests")
        pytest.skip(message)


def run(*sources: str, data: Path | None = None, **options):
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return run_sandboxed(nb, data, **LIMITS, **options)


def text(result, index: int) -> str:
    return "".join(o.get("text", "") + o.get("ename", "") + o.get("evalue", "")
                   for o in result.outputs.get(index, []))  # fmt: skip


@pytest.mark.slow
def test_course_files_are_out_of_reach(repo, tmp_path):
    """Can a submission read solutions, the gradebook or another participant's work? (no)"""
    (tmp_path / "towns.csv").write_text("town\nSindelfingen\n")
    result = run(
        f"import os; print(os.path.exists({str(repo / 'exercises')!r}), "
        f"os.listdir({str(repo)!r}) if os.path.isdir({str(repo)!r}) else [])",
        f"print(os.path.exists({str(repo / 'var')!r}), sorted(os.listdir('.')))",
        "import glob; print(sum(len(glob.glob(b + '/**/*.db', recursive=True)) for b in ('/home', '/tmp', '/opt')))",
        "print(open('towns.csv').read().strip().splitlines()[1])",
        data=tmp_path,
    )  # fmt: skip
    assert result.status == "ok"
    # Only the Python environment is mounted (read-only); nothing else of the project.
    assert text(result, 0).strip() in ("False []", "False ['.venv']")
    assert text(result, 1).strip() == "False ['submission.ipynb', 'towns.csv']"
    assert text(result, 2).strip() == "0"
    assert text(result, 3).strip() == "Sindelfingen"  # the exercise's own data is there


@pytest.mark.slow
def test_no_network_and_not_root():
    """Does the kernel run without network and without root rights?"""
    result = run(
        "import os, socket; print(os.getuid() != 0)",
        "s = socket.socket(); s.settimeout(2)\ntry:\n    s.connect(('1.1.1.1', 80)); print('connected')\n"
        "except OSError as e:\n    print('blocked', type(e).__name__)",
    )  # fmt: skip
    assert text(result, 0).strip() == "True"
    assert text(result, 1).startswith("blocked")


@pytest.mark.slow
def test_background_process_is_gone_after_grading():
    """Is a process started in the background killed when grading ends?"""
    def sleepers() -> set[str]:
        return {p for p in os.listdir("/proc") if p.isdigit() and _cmdline(p).startswith("sleep\x00301")}

    before = sleepers()  # another program's, on a shared machine
    result = run("import subprocess; subprocess.Popen(['sleep', '301'], start_new_session=True); print('started')")
    assert text(result, 0).strip() == "started"
    time.sleep(0.5)
    left = sleepers() - before
    assert left == set(), [_status(p) for p in left]


def _status(pid: str) -> str:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return f"{pid}: gone"
    return f"{pid}: " + "; ".join(ln for ln in lines if ln.split(":")[0] in ("State", "PPid", "Uid", "NSpid"))


@pytest.mark.slow
def test_next_participant_finds_a_clean_slate():
    """The warm sandbox grades submissions one after another: does anything carry over? (no)"""
    first = run(
        "open('notes.txt', 'w').write('secret'); open('/tmp/left.txt', 'w').write('secret')",
        "import subprocess; subprocess.Popen(['sleep', '300']); print('started')",
        "import builtins; builtins.c4c_left = 'secret'",
    )  # fmt: skip
    assert text(first, 1).strip() == "started"
    second = run(
        "import os; print(sorted(os.listdir('.')), os.path.exists('/tmp/left.txt'))",
        "me = os.readlink('/proc/self')\nprint([p for p in os.listdir('/proc') if p.isdigit() and p != me "
        "and os.stat('/proc/' + p).st_uid == os.getuid()])",
        "import builtins; print(hasattr(builtins, 'c4c_left'))",
    )  # fmt: skip
    assert second.status == "ok"
    assert text(second, 0).strip() == "['submission.ipynb'] False"
    assert text(second, 1).strip() == "[]"  # no process of the kernel's user but itself
    assert text(second, 2).strip() == "False"


@pytest.mark.slow
def test_a_slow_cell_is_interrupted_and_the_next_one_runs():
    """As in nbgrader: a cell over its time limit becomes an error, later cells still count."""
    result = run("import time\nwhile True:\n    time.sleep(0.1)", "print('next')")
    assert result.status == "ok"
    assert [o.get("ename") for o in result.outputs[0]] == ["KeyboardInterrupt", "CellTimeoutError"]
    assert text(result, 1).strip() == "next"


@pytest.mark.slow
def test_a_kernel_flooding_its_pipe_still_meets_the_time_limit():
    """P writes the pipe to its runner itself, without end: is the cell still cut at its limit
    (interrupted as any slow cell), and does the next cell run?"""
    started = time.monotonic()
    result = run("import os\nwhile True:\n    os.write(3, b'{\"output\": 1}\\n' * 500)", "print('next')")
    assert time.monotonic() - started < 30
    assert result.status == "ok", result.reason
    assert [o.get("ename") for o in result.outputs[0]] == ["KeyboardInterrupt", "CellTimeoutError"]
    assert text(result, 1).strip() == "next"


@pytest.mark.slow
def test_answers_leave_after_cells_that_pass_and_cells_that_raise():
    """Answers come with the reply of a cell that passed and from a cell of their own after one
    that raised; both are the values at that point, and the participant's namespace gains nothing."""
    result = run(
        "x = 5",
        "y = [1, 'два']\nraise ValueError('after the answer')",
        "x = 99\nprint(sorted(k for k in globals() if not k.startswith('_') and k not in ('In', 'Out', 'exit', 'quit', 'get_ipython', 'open')))",
        capture={0: ["x"], 1: ["y", "z"]},
    )
    assert result.status == "ok"
    assert json.loads(result.answers[0].removeprefix("C4C-ANSWERS ")) == {"x": 5}
    assert json.loads(result.answers[1].removeprefix("C4C-ANSWERS ")) == {"y": [1, "два"], "z": {"__c4c__": "missing"}}
    assert [o.get("ename") for o in result.outputs[1]] == ["ValueError"]  # the probe added no output
    assert text(result, 2).strip() == "['x', 'y']"


@pytest.mark.slow
def test_kernels_fork_from_the_warm_image():
    """Is the configured library already imported when a kernel starts (the speed-up's source)?"""
    check = "import sys; print('pandas' in sys.modules)"
    warm, cold = run(check, preload=("pandas",)), run(check)
    assert (text(warm, 0).strip(), text(cold, 0).strip()) == ("True", "False")


@pytest.mark.slow
def test_the_fallback_without_bubblewrap_still_grades(tmp_path):
    """The 'limits' mode (a laptop without bwrap): same results, fresh folder, data present."""
    (tmp_path / "towns.csv").write_text("town\nSindelfingen\n")
    result = run("import os; print(sorted(os.listdir('.')))", "assert 1 == 2, 'no'", "print('after')",
                 data=tmp_path, mode="limits")  # fmt: skip
    assert result.status == "ok"
    assert text(result, 0).strip() == "['submission.ipynb', 'towns.csv']"
    assert [o.get("ename") for o in result.outputs[1]] == ["AssertionError"]
    assert text(result, 2).strip() == "after"


@pytest.mark.slow
def test_a_sandbox_that_died_is_replaced():
    """If the warm sandbox is gone (crash, OOM killer), does the next submission still grade?"""
    from c4c_lms.lms.grading import sandbox

    assert text(run("print('one')"), 0).strip() == "one"
    for server in sandbox._SERVERS.values():
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()
    again = run("print('two')")
    assert (again.status, text(again, 0).strip()) == ("ok", "two")


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""


@pytest.mark.slow
def test_memory_and_fork_bombs_hit_limits():
    """Do a memory bomb and a fork bomb end at the limits, with the earlier cell kept?"""
    memory = run("x = 1\nprint('before')", "blocks = []\nwhile True:\n    blocks.append(bytearray(50_000_000))")
    assert text(memory, 0).strip() == "before"
    assert "MemoryError" in text(memory, 1) or memory.status == "kernel_died"
    forks = run("print('before')", "import os\nfor _ in range(500):\n    os.fork() == 0 and os._exit(0) "
                "if False else None\nkids = 0\ntry:\n    while True:\n        if os.fork() == 0:\n"
                "            import time; time.sleep(30); os._exit(0)\n        kids += 1\n"
                "except OSError as e:\n    print('limited after', kids)")  # fmt: skip
    assert text(forks, 0).strip() == "before"
    assert "limited after" in text(forks, 1)
    assert int(text(forks, 1).split()[-1]) < LIMITS["max_processes"]


@pytest.mark.slow
def test_huge_output_is_capped():
    """Is a 50 MB output cut down rather than carried into the gradebook?"""
    result = run("import sys\nfor _ in range(50):\n    sys.stdout.write('x' * 1_000_000)", "print('next')")
    assert len(text(result, 0)) < 200_000 and "output cut" in text(result, 0)
    assert text(result, 1).strip() == "next"


def _submission(release_nb: Path, answer_1: str, answer_2: str) -> nbformat.NotebookNode:
    nb = nbformat.read(str(release_nb), as_version=4)
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id == "answer1_1":
            cell.source = answer_1
        elif grade_id == "answer1_2":
            cell.source = answer_2
    return nb


@pytest.mark.slow
def test_dying_and_stubborn_kernels_keep_partial_credit(tmp_path):
    """Do a kernel that kills itself and a loop that ignores interrupts keep earlier points?"""
    root = tmp_path / "course101"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("submissions"))
    course = load_course(root)
    import_roster(course, root / "roster.csv")
    release(course)
    released = course.workdir / "release/ps1/ps1.ipynb"
    cases = {
        "olena": ("answer1_1 = 42", "import os\nos._exit(1)"),  # q1_1 done (2 points), then dies
        "taras": ("answer1_1 = 42",
                  "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"),
        "iryna": ("import sqlite3, glob\nanswer1_1 = 42\n"
                  "for db in glob.glob('/home/**/*.db', recursive=True) + glob.glob('/tmp/**/*.db'):\n"
                  "    sqlite3.connect(db).execute('update grade set extra_credit = 50')",
                  'answer1_2 = "twinning"'),
    }  # fmt: skip
    for student, (a1, a2) in cases.items():
        folder = course.workdir / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        nbformat.write(_submission(released, a1, a2), str(folder / "ps1.ipynb"))
        (folder / "timestamp.txt").write_text("2024-01-16 10:00:00.000000 UTC")
    # A graded cell pasted twice with a 50-point copy: fails alone, with a reason.
    duplicated = _submission(released, "answer1_1 = 42", 'answer1_2 = "twinning"')
    fake = nbformat.from_dict(json.loads(json.dumps(duplicated.cells[3])))
    fake.metadata["nbgrader"].update(grade_id="bonus", points=50)
    fake["id"] = "c4c-bonus-copy"
    duplicated.cells.insert(4, fake)
    folder = course.workdir / "submitted" / "petro" / "ps1"
    folder.mkdir(parents=True)
    nbformat.write(duplicated, str(folder / "ps1.ipynb"))
    (folder / "timestamp.txt").write_text("2024-01-16 10:00:00.000000 UTC")
    results = {r.student_id: r for r in grade_all(course, workers=2)}
    assert (results["olena"].status, results["olena"].score) == ("failed", 2.0)
    assert results["olena"].reason == "kernel_died"
    assert (results["taras"].status, results["taras"].score) == ("failed", 2.0)
    assert (results["iryna"].status, results["iryna"].score) == ("graded", 3.0)  # no extra credit
    assert results["petro"].status == "failed" and results["petro"].reason == "metadata"
    again = {r.student_id: r for r in grade_all(course, workers=2)}  # idempotent: nothing re-run
    assert {k: (v.status, v.score) for k, v in again.items()} == {k: (v.status, v.score) for k, v in results.items()}
    state = json.loads((course.workdir / "grading_state.json").read_text())
    assert set(state) == {"olena/ps1", "taras/ps1", "iryna/ps1", "petro/ps1"}


@pytest.mark.slow
def test_the_formgraders_autograde_is_sandboxed_too(repo, tmp_path):
    """nbgrader itself, with the project's nbgrader_config.py (as the formgrader runs it): sandboxed?"""
    root = tmp_path / "course101"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("submissions"))
    shutil.copy(repo / "nbgrader_config.py", root)
    env = dict(os.environ, C4C_WORKDIR=str(tmp_path / "work"), C4C_COURSE_ROOT=str(root))
    os.environ["C4C_WORKDIR"] = env["C4C_WORKDIR"]
    try:
        course = load_course(root)
        import_roster(course, root / "roster.csv")
        release(course)
    finally:
        del os.environ["C4C_WORKDIR"]
    peek = f"import os\nanswer1_1 = 42\nprint('SEES-COURSE', os.path.exists({str(root / 'course')!r}))"
    work = Path(env["C4C_WORKDIR"])
    folder = work / "submitted" / "olena" / "ps1"
    folder.mkdir(parents=True)
    nbformat.write(_submission(work / "release/ps1/ps1.ipynb", peek, 'answer1_2 = "twinning"'),
                   str(folder / "ps1.ipynb"))  # fmt: skip
    (folder / "timestamp.txt").write_text("2024-01-16 10:00:00.000000 UTC")
    nbgrader = Path(sys.executable).with_name("nbgrader")
    done = subprocess.run([str(nbgrader), "autograde", "ps1", "--student", "olena", "--force"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    graded = work / "autograded" / "olena" / "ps1"
    assert json.loads((graded / ".c4c_execution.json").read_text())["mode"] == "bwrap"
    outputs = json.dumps(nbformat.read(str(graded / "ps1.ipynb"), as_version=4).cells, default=str)
    assert "SEES-COURSE False" in outputs
