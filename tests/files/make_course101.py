"""Regenerate the tiny fixture course ``course101`` and its named submissions.

Run: ``python tests/files/make_course101.py``. The output is committed; the pipeline tests read it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent / "course101"

COURSE_TOML = """\
[course]
id = "course101"
title_uk = "Тестовий курс"
title_en = "Test course"
language = "uk"
start = 2024-01-15
end = 2024-01-16
hours = 4
organisers = ["Test organiser"]

[grading]
cell_timeout_s = 5
submission_timeout_s = 60

[completion]
min_days_attended = 1
min_minutes_per_day = 30
min_score_percent = 50

[[exercises]]
id = "ps1"
module = "m01_intro"
title_uk = "Перша вправа"
title_en = "First exercise"
variants = { uk = "ps1", en = "ps1_en" }
points = 5
"""

SYLLABUS = """\
[[day]]
number = 1
module = "m01_intro"
exercise = "ps1"
apps = []
"""


def meta(grade_id, *, grade=False, solution=False, locked=False, points=None, tags=None):
    md = {"nbgrader": {"grade": grade, "grade_id": grade_id, "locked": locked,
                       "schema_version": 3, "solution": solution, "task": False}}
    if points is not None:
        md["nbgrader"]["points"] = points
    if tags:
        md["tags"] = tags
    return md


CANARY = '''import builtins
_ok = True
_why = []
_ip = get_ipython()
if _ip.ast_transformers:
    _why.append("AST transformer installed")
try:
    assert False
    _why.append("assert statements are disabled")
except AssertionError:
    pass
if builtins.isinstance is not _c4c_builtins["isinstance"] or builtins.type is not _c4c_builtins["type"]:
    _why.append("builtins replaced")
print("C4C-TAMPER-DETECTED: " + "; ".join(_why) if _why else "C4C-CANARY-OK")'''


def exercise(lang: str) -> nbformat.NotebookNode:
    uk = lang == "uk"
    cells = [
        new_markdown_cell("# Вправа 1" if uk else "# Exercise 1", metadata=meta("intro", locked=True)),
        new_code_cell('import builtins\n_c4c_builtins = {"isinstance": builtins.isinstance, "type": builtins.type}',
                      metadata=meta("setup", locked=True)),
        new_code_cell("answer1_1 = 0\n### BEGIN SOLUTION\nanswer1_1 = 42\n### END SOLUTION",
                      metadata=meta("answer1_1", solution=True)),
        new_code_cell(
            '"""Чи є відповідь цілим числом 42?"""\n'
            'assert type(answer1_1) is int, "' + ("Відповідь має бути цілим числом" if uk else "The answer must be a whole number") + '"\n'
            "### BEGIN HIDDEN TESTS\nassert answer1_1 == 42\n### END HIDDEN TESTS",
            metadata=meta("q1_1", grade=True, locked=True, points=2)),
        new_code_cell('answer1_2 = ""\n### BEGIN SOLUTION\nanswer1_2 = "twinning"\n### END SOLUTION',
                      metadata=meta("answer1_2", solution=True)),
        new_code_cell('assert type(answer1_2) is str\nassert answer1_2.strip().lower() == "twinning"',
                      metadata=meta("q1_2", grade=True, locked=True, points=1)),
        new_markdown_cell("YOUR ANSWER HERE" if False else "### BEGIN SOLUTION\nA partnership needs a council decision.\n### END SOLUTION",
                          metadata=meta("q1_3", grade=True, solution=True, points=2)),
        new_code_cell(CANARY, metadata=meta("canary", locked=True, tags=["c4c-canary"])),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    return nb


def main() -> None:
    if HERE.exists():
        shutil.rmtree(HERE)
    (HERE / "course").mkdir(parents=True)
    (HERE / "course" / "course.toml").write_text(COURSE_TOML, encoding="utf-8")
    (HERE / "course" / "syllabus.toml").write_text(SYLLABUS, encoding="utf-8")
    module = new_notebook(cells=[new_markdown_cell("# Модуль 1"), new_code_cell("x = 1")])
    module.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    (HERE / "modules" / "m01_intro").mkdir(parents=True)
    nbformat.write(module, str(HERE / "modules" / "m01_intro" / "m01_intro.ipynb"))
    module.cells[0].source = "# Module 1"
    nbformat.write(module, str(HERE / "modules" / "m01_intro" / "m01_intro_en.ipynb"))
    for lang, name in (("uk", "ps1"), ("en", "ps1_en")):
        folder = HERE / "exercises" / name
        folder.mkdir(parents=True)
        nbformat.write(exercise(lang), str(folder / f"{name}.ipynb"))
    (HERE / "exercises" / "ps1" / "data").mkdir()
    (HERE / "exercises" / "ps1" / "data" / "towns.csv").write_text("town,population\nSindelfingen,61311\n")
    (HERE / "roster.csv").write_text(
        "id,first_name_uk,last_name_uk,email,community,oblast,role,lms_user_id\n"
        "olena,Олена,Коваль,olena@example.org,Ворзельська,UA-32,Секретар,101\n"
        "taras,Тарас,Шевчук,taras@example.org,Житомирська,UA-18,Голова,102\n"
        "iryna,Ірина,Бондар,iryna@example.org,Ужгородська,UA-21,Менеджер,103\n"
        "petro,Петро,Мельник,petro@example.org,Славутицька,UA-74,Спеціаліст,104\n"
        "mariia,Марія,Ткаченко,mariia@example.org,Боярська,UA-32,Спеціаліст,105\n"
        "yurii,Юрій,Гончар,yurii@example.org,Ніжинська,UA-74,Спеціаліст,106\n"
        "stepan,Степан,Лисенко,stepan@example.org,Хмельницька,UA-68,Спеціаліст,107\n"
        "oksana,Оксана,Савчук,oksana@example.org,Вараська,UA-56,Спеціаліст,108\n",
        encoding="utf-8",
    )
    make_submissions()


def answer(nb, grade_id, source):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = source
            return
    raise KeyError(grade_id)


def make_submissions() -> None:
    """Named submissions as participants would send them (student version, edited)."""
    out = HERE / "submissions"
    out.mkdir()
    base = exercise("uk")
    # The participant's starting point is the released notebook: solutions replaced by stubs
    # and hidden tests removed, as nbgrader's generate_assignment does.
    answer(base, "q1_1", base.cells[3].source.split("### BEGIN HIDDEN TESTS")[0].rstrip("\n"))
    answer(base, "answer1_1", "answer1_1 = 0")
    answer(base, "answer1_2", 'answer1_2 = ""')
    answer(base, "q1_3", "YOUR ANSWER HERE")

    def save(student, nb, name="ps1"):
        folder = out / student
        folder.mkdir(exist_ok=True)
        nbformat.write(nb, str(folder / f"{name}.ipynb"))

    correct = nbformat.from_dict(json.loads(json.dumps(base)))
    answer(correct, "answer1_1", "answer1_1 = 42")
    answer(correct, "answer1_2", 'answer1_2 = "Twinning"')
    answer(correct, "q1_3", "Council approval, then a memorandum.")
    save("olena", correct)
    save("taras", base)  # blank
    partial = nbformat.from_dict(json.loads(json.dumps(base)))
    answer(partial, "answer1_2", 'answer1_2 = "twinning"')
    save("iryna", partial)
    loop = nbformat.from_dict(json.loads(json.dumps(correct)))
    answer(loop, "answer1_2", 'while True:\n    pass\nanswer1_2 = "twinning"')
    save("petro", loop)
    edited = nbformat.from_dict(json.loads(json.dumps(base)))
    answer(edited, "q1_1", "pass  # tests removed by the participant")
    answer(edited, "q1_2", "pass")
    save("mariia", edited)
    (out / "yurii").mkdir()
    (out / "yurii" / "ps1.ipynb").write_text('{"cells": [ this is not json', encoding="utf-8")
    tamper = nbformat.from_dict(json.loads(json.dumps(base)))
    answer(tamper, "answer1_1", (
        "import ast\nclass _Strip(ast.NodeTransformer):\n"
        "    def visit_Assert(self, node):\n        return ast.Pass()\n"
        "get_ipython().ast_transformers.append(_Strip())\nanswer1_1 = 0"))
    save("stepan", tamper)
    xss = nbformat.from_dict(json.loads(json.dumps(correct)))
    answer(xss, "q1_3", "<script>alert('md-xss')</script>\n<img src=x onerror=alert(1)>\n"
                        "[click](javascript:alert(2)) Council approval.")
    answer(xss, "answer1_2", "from IPython.display import HTML, display\n"
                             "display(HTML(\"<img src=y onerror=alert(3)><b>bold</b>\"))\n"
                             'answer1_2 = "twinning"')
    save("oksana", xss)


if __name__ == "__main__":
    main()
