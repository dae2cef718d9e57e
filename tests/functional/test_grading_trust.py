"""Hostile corpus against grading in two kernels (issue 13): each bypass class, exact outcomes.

One batch grades hostile submissions (every answer wrong, behind a bypass) between innocent
ones. Each hostile one must score exactly 0 automatic points (or, for a kernel that dies, the
points of the answers given before); the innocent ones keep their exact scores, whatever ran
before them on the same worker; no hidden test text reaches a participant-visible output; the
scratch caps hold.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from c4c_lms.core.config import load_course
from c4c_lms.lms.grading.batch import grade_all
from c4c_lms.lms.grading.sandbox import isolation_mode
from c4c_lms.lms.release import release

FIXTURE = Path(__file__).resolve().parents[1] / "files" / "course101"
SECRET = "HIDDEN_SECRET_7731"
CAP_MB, CAP_FILES = 32, 2000
WRONG = {"answer1_1": "answer1_1 = 41", "answer1_2": 'answer1_2 = "sister city"', "answer2": "answer2 = 7"}
RIGHT = {"answer1_1": "answer1_1 = 42", "answer1_2": 'answer1_2 = "twinning"',
         "answer2": 'import pandas as pd\nanswer2 = int(pd.read_csv("data/towns.csv").population.sum())'}  # fmt: skip

HOOK = '''ip = get_ipython()
def _erase(result):
    result.error_in_exec = None
    result.error_before_exec = None
ip.events.register("post_run_cell", _erase)
ip.showtraceback = lambda *a, **k: None
ip.set_custom_exc((BaseException,), lambda *a, **k: None)
'''
STRIP = '''import ast
class _NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(_NoAsserts())
'''
PEEK = f'''import glob
paths = [p for base in ("/home", "/tmp", "/opt") for p in glob.glob(base + "/**/*", recursive=True)]
for path in paths + glob.glob("*"):
    try:
        text = open(path, errors="replace").read()
    except OSError:
        continue
    print(path, "LEAK" if "{SECRET[:6]}" + "{SECRET[6:]}" in text or "HIDDEN " + "TESTS" in text else "clean")
'''
DATA = '''open("data/towns.csv", "w").write("town,population\\nAtlantis,7\\n")
try:
    open("/opt/c4c/exercise/data/towns.csv", "w").write("town,population\\nAtlantis,7\\n")
    print("pristine copy written")
except OSError as err:
    print("pristine copy refused", type(err).__name__)
'''
DEEP = '''import os
for base in (".", "/tmp"):
    os.chdir(base)
    for _ in range(3000):
        os.mkdir("d")
        os.chdir("d")
os.chdir(os.path.expanduser("~"))
os.chmod("d", 0)
'''
FILL = '''import os
def fill(folder):
    written = 0
    try:
        with open(os.path.join(folder, "big.bin"), "wb") as f:
            while True:
                f.write(b"x" * (1 << 20))
                f.flush()
                written += 1
    except OSError:
        pass
    files = 0
    try:
        while True:
            open(os.path.join(folder, f"f{files}"), "w").close()
            files += 1
    except OSError:
        pass
    return written, files
print("FILL", (fill("."), fill("/tmp")))
'''
SPAM = "import sys\nfor _ in range(60):\n    sys.stdout.write('x' * 1_000_000)\nprint('spam done')"


def exercise_notebook() -> nbformat.NotebookNode:
    """course101's ps1 plus a question whose hidden test re-reads the exercise data."""
    nb = nbformat.read(str(FIXTURE / "exercises" / "ps1" / "ps1.ipynb"), as_version=4)
    q1 = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1_1")
    q1.source = q1.source.replace("### BEGIN HIDDEN TESTS\n", f"### BEGIN HIDDEN TESTS\n# {SECRET}\n")
    meta = dict(q1.metadata["nbgrader"])
    answer = new_code_cell("answer2 = 0\n### BEGIN SOLUTION\n" + RIGHT["answer2"] + "\n### END SOLUTION")
    answer.metadata = {"nbgrader": {**meta, "grade": False, "solution": True, "locked": False, "grade_id": "answer2"}}
    answer.metadata["nbgrader"].pop("points", None)
    test = new_code_cell(f'import pandas as pd\n### BEGIN HIDDEN TESTS\n# {SECRET}\n'
                         'assert answer2 == int(pd.read_csv("data/towns.csv").population.sum())\n### END HIDDEN TESTS')
    test.metadata = {"nbgrader": {**meta, "grade_id": "q2", "points": 2}}
    nb.cells[-1:-1] = [answer, test]
    return nb


# student -> (answers, extra cells inserted before the first answer, expected auto score, status).
# "graded": the written answer's solution text stays in the released notebook, nothing to mark.
CASES = {
    "a_honest": (RIGHT, [], 5.0, "graded"),
    "b_hook": (WRONG, [HOOK], 0.0, "graded"),
    "c_strip": (WRONG, [STRIP], 0.0, "flagged"),  # the integrity cell still tells the lecturer
    "d_kill": ({**RIGHT, "answer1_2": "import os\nos._exit(1)"}, [], 2.0, "failed"),
    "e_peek": (WRONG, [PEEK], 0.0, "graded"),
    "f_data": (WRONG, [DATA], 0.0, "graded"),
    "g_deep": (WRONG, [DEEP], 0.0, "graded"),
    "h_honest": (RIGHT, [], 5.0, "graded"),
    "i_fill": (WRONG, [FILL], 0.0, "graded"),
    "j_spam": (RIGHT, [SPAM], 5.0, "graded"),
    "k_honest": (RIGHT, [], 5.0, "graded"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if isolation_mode() != "bwrap":
        if os.environ.get("CI") == "true":
            pytest.fail("the hostile corpus needs bubblewrap and root on CI")
        pytest.skip("full isolation needs bubblewrap (apt-get install bubblewrap) and root")
    tmp = tmp_path_factory.mktemp("trust")
    root = tmp / "course101"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("submissions"))
    toml = root / "course" / "course.toml"
    toml.write_text(toml.read_text().replace(
        "submission_timeout_s = 60", f"submission_timeout_s = 60\nwork_mb = {CAP_MB}\ntmp_mb = {CAP_MB}\n"
        f"max_files = {CAP_FILES}"))  # fmt: skip
    nbformat.write(exercise_notebook(), str(root / "exercises" / "ps1" / "ps1.ipynb"))
    os.environ["C4C_WORKDIR"] = str(tmp / "work")
    course = load_course(root)
    release(course, ["ps1"])
    released = nbformat.read(str(course.workdir / "release/ps1/ps1.ipynb"), as_version=4)
    for student, (answers, extra, _, _) in CASES.items():
        nb = nbformat.from_dict(json.loads(json.dumps(released)))
        for cell in nb.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell.source = answers[grade_id]
        first = next(i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("nbgrader", {}).get("solution"))
        nb.cells[first:first] = [new_code_cell(src) for src in extra]
        folder = course.workdir / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / "ps1.ipynb"))
        (folder / "timestamp.txt").write_text("2024-01-16 10:00:00.000000 UTC")
    # One worker: every submission runs on the same sandbox, after the hostile ones before it.
    results = {r.student_id: r for r in grade_all(course, ["ps1"], workers=1)}
    yield course, results
    os.environ.pop("C4C_WORKDIR", None)


def autograded(course, student: str) -> nbformat.NotebookNode:
    return nbformat.read(str(course.workdir / "autograded" / student / "ps1" / "ps1.ipynb"), as_version=4)


def outputs_text(cell) -> str:
    return "".join(o.get("text", "") + o.get("evalue", "") + json.dumps(o.get("data", {})) for o in cell.get("outputs", []))


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(CASES))
def test_exact_score_behind_each_bypass(graded, student):
    """Does every bypass score exactly its honest automatic points, innocent work included?"""
    _, results = graded
    result = results[student]
    answers, extra, auto, status = CASES[student]
    assert (result.status, result.score) == (status, auto), result
    if student == "d_kill":
        assert result.reason == "kernel_died"  # marked for review, with the reason


@pytest.mark.slow
def test_no_hidden_test_text_in_participant_visible_outputs(graded):
    """Did the participant's kernel see any test code (its folder, its memory's files, its outputs)?"""
    course, _ = graded
    for student in CASES:
        nb = autograded(course, student)
        for cell in nb.cells:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade"):
                assert SECRET not in outputs_text(cell)  # no source lines in T's tracebacks either
            else:
                assert SECRET not in outputs_text(cell) and "LEAK" not in outputs_text(cell)
    peek = outputs_text(autograded(course, "e_peek").cells[2])
    assert "submission.ipynb clean" in peek


@pytest.mark.slow
def test_exercise_data_is_a_pristine_read_only_copy(graded):
    """Could the participant change the data the hidden test reads as its answer key? (no)"""
    course, _ = graded
    nb = autograded(course, "f_data")
    assert "pristine copy refused" in outputs_text(nb.cells[2])
    q2 = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q2")
    assert any(o.get("ename") == "AssertionError" for o in q2.outputs)


@pytest.mark.slow
def test_scratch_caps_hold(graded):
    """Are the working folder and /tmp capped in size and in number of files?"""
    course, _ = graded
    text = outputs_text(autograded(course, "i_fill").cells[2])
    line = next(ln for ln in text.splitlines() if ln.startswith("FILL"))
    (work_mb, work_files), (tmp_mb, tmp_files) = eval(line[len("FILL"):])  # our own printed tuple
    assert work_mb <= CAP_MB and tmp_mb <= CAP_MB
    assert work_files <= CAP_FILES and tmp_files <= CAP_FILES


@pytest.mark.slow
def test_huge_outputs_are_cut_while_streaming(graded):
    """Is a 60 MB output cut (the autograded notebook stays small) without costing points?"""
    course, results = graded
    path = course.workdir / "autograded" / "j_spam" / "ps1" / "ps1.ipynb"
    assert path.stat().st_size < 1_000_000
    assert results["j_spam"].score == 5.0
