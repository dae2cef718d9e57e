"""Building blocks for the exercise notebooks: nbgrader cells, the setup cell and the canary.

The five exercises are generated from one spec per exercise (``exspec_exNN.py``) so that the
Ukrainian and the English notebook always have the same cells, grade ids and points: each spec is
a function of the language. ``build_exercises.py`` writes them; a test checks they are current.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import nbformat

REPO = Path(__file__).resolve().parents[2]
EXERCISES = REPO / "exercises"
LANGS = ("uk", "en")
CANARY_TAG = "c4c-canary"
CANARY_GRADE_ID = "c4c_canary"
CANARY_OK = "C4C-CANARY-OK"
CANARY_BAD = "C4C-TAMPER-DETECTED"
CHECKED_ON = "2026-11-28"

# Theme slugs shared by the whole project (see the common brief).
THEMES = (
    "energy", "water_waste", "education_youth", "health", "civil_protection", "culture_heritage",
    "local_economy", "digital", "social_inclusion", "environment_climate", "mobility",
    "democracy_participation", "reconstruction", "demining",
)


class Lang:
    """Picks the text of the notebook's language: ``L("український", "English")``."""

    def __init__(self, lang: str):
        self.lang = lang

    def __call__(self, uk: str, en: str) -> str:
        return uk if self.lang == "uk" else en


def _nbg(grade_id: str, *, grade=False, solution=False, locked=False, points=None, task=False):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": task}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def md(source: str, grade_id: str | None = None):
    """Instruction text; read-only (locked) when it carries a grade id (e.g. a rubric)."""
    cell = nbformat.v4.new_markdown_cell(source.strip("\n"))
    if grade_id:
        cell.metadata = _nbg(grade_id, locked=True)
    return cell


def code(source: str, grade_id: str | None = None, tags: list[str] | None = None):
    """A code cell the participant runs; locked (read-only) when it has a grade id."""
    cell = nbformat.v4.new_code_cell(source.strip("\n"))
    meta = {}
    if grade_id:
        meta.update(_nbg(grade_id, locked=True))
    if tags:
        meta["tags"] = list(tags)
    cell.metadata = meta
    return cell


def answer(grade_id: str, before: str, solution: str, names: list[str] | None = None):
    """Autograded answer cell: a hint comment, then the solution block nbgrader removes.

    ``names`` are the answers that leave the participant's kernel as data after this cell for
    the tests (``c4c_lms/lms/grading/declared.py``); by default the names the solution assigns.
    """
    import sys

    sys.path.insert(0, str(REPO))
    from c4c_lms.lms.grading.declared import assigned_names

    src = before.strip("\n") + "\n### BEGIN SOLUTION\n" + solution.strip("\n") + "\n### END SOLUTION"
    cell = nbformat.v4.new_code_cell(src)
    cell.metadata = _nbg(grade_id + "_answer", solution=True)
    cell.metadata["c4c"] = {"answers": sorted(names if names is not None else assigned_names(solution, top_level=True))}
    return cell


def tests(grade_id: str, points: int, visible: str, hidden: str):
    """Locked test cell: visible checks give hints, hidden checks decide the grade."""
    src = (visible.strip("\n") + "\n### BEGIN HIDDEN TESTS\n" + hidden.strip("\n")
           + "\n### END HIDDEN TESTS")
    cell = nbformat.v4.new_code_cell(src)
    cell.metadata = _nbg(grade_id, grade=True, locked=True, points=points)
    return cell


def manual(grade_id: str, points: int, placeholder: str, scaffold: str = ""):
    """Manually graded markdown answer; nbgrader replaces it with 'YOUR ANSWER HERE'.

    ``scaffold`` (headings in the notebook's language) stays in the participant's version: the
    ``placeholder`` is then a solution region that nbgrader replaces, the scaffold is kept.
    """
    text = placeholder.strip("\n")
    if scaffold:
        text = (scaffold.strip("\n") + "\n\n### BEGIN SOLUTION\n" + text + "\n### END SOLUTION")
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata = _nbg(grade_id, grade=True, solution=True, points=points)
    return cell


def question(t: Lang, number: str, points: int, text: str):
    """The fixed question heading followed by its text."""
    word = t("Питання", "Question")
    return md(f"**{word} {number}** {{points: {points}}}\n\n{text.strip()}")


def rubric(t: Lang, grade_id: str, criteria: list[tuple[str, str, int, str, str]]):
    """Read-only rubric above a manually graded answer (the lecturer sees it in formgrader).

    Each criterion is ``(full_uk, full_en, points, partly_uk, partly_en)``: the full point when
    the first text holds, half of it in the partial-credit band, nothing otherwise.
    """
    head = t("Критерії оцінювання (їх бачить і викладач)", "Marking criteria (the lecturer sees them too)")
    col = t("| Критерій (повний бал) | Половина бала, якщо | Бали |\n|---|---|---|",
            "| Criterion (full points) | Half the points when | Points |\n|---|---|---|")
    rows = "\n".join(f"| {t(uk, en)} | {t(puk, pen)} | {pts} |" for uk, en, pts, puk, pen in criteria)
    total = sum(c[2] for c in criteria)
    word = t("Разом", "Total")
    bands = t("Бали за кожен критерій: повний, половина або 0 (якщо не виконано навіть частково).",
              "Each criterion earns full points, half of them, or 0 (when not met even partly).")
    return md(f"*{head}:*\n\n{col}\n{rows}\n| **{word}** | | **{total}** |\n\n{bands}", grade_id)


# --- the setup cell ---------------------------------------------------------------------------

PROTECTED = ("isinstance", "type", "float", "int", "str", "len", "print", "AssertionError",
             "abs", "round", "set", "sorted", "list", "bool", "repr", "tuple", "dict", "any", "all",
             "zip", "getattr", "id")


def setup_cell(t: Lang, body: str):
    """First code cell: imports, data, and the originals the canary compares against.

    ``body``'s last line is the table shown to the participant; it stays the cell's last line.
    """
    lines = body.strip().splitlines()
    load, show = "\n".join(lines[:-1]), lines[-1]
    note = t("Службові рядки для перевірки оцінювання: не змінюйте їх.",
             "Housekeeping for the grading checks: do not change these lines.")
    src = f"""### Run this cell before continuing.
# {t("Ця клітинка завантажує дані. Натисніть Shift+Enter.", "This cell loads the data. Press Shift+Enter.")}
import math
import pandas as pd
pd.set_option("display.max_colwidth", 80)
{load}
# {note}
import builtins as _c4c_builtins
_c4c_saved = {{_n: _c4c_builtins.__dict__[_n] for _n in {PROTECTED!r}}}
_c4c_ids = {{_n: id(_o) for _n, _o in _c4c_saved.items()}}
_c4c_isclose = math.isclose
{show}"""
    cell = code(src, "setup")
    cell.metadata["c4c"] = {"setup": True}  # runs again before the tests, on the pristine data
    return cell


# --- the canary -------------------------------------------------------------------------------

# The canary must not trust the names it checks: it takes its reference types from literals
# (``().__class__.__class__`` is ``type``), never uses ``assert`` for its verdict and prints the
# OK line only when every check passed, so a blanked-out or rewritten cell shows no OK line.
CANARY_BODY = r'''
def _c4c_canary():
    import sys
    reasons = []
    TYPE = ().__class__.__class__
    BUILTIN_FN = TYPE([].append)
    exact = {"type": TYPE, "str": "".__class__, "int": (0).__class__, "float": (0.0).__class__,
             "list": [].__class__, "set": {0}.__class__, "bool": True.__class__,
             "tuple": ().__class__, "dict": {}.__class__}
    AE = None
    try:
        assert False
        reasons.append("assert statements do not raise")
    except BaseException as exc:
        AE = TYPE(exc)
    if AE is not None and (AE.__name__ != "AssertionError" or AE.__module__ != "builtins"):
        reasons.append("AssertionError is not the built-in one")
    exact["AssertionError"] = AE
    bmod = sys.modules.get("builtins")
    bdict = bmod.__dict__ if bmod is not None else {}
    user_ns = sys._getframe().f_globals
    saved = user_ns.get("_c4c_saved")
    ids = user_ns.get("_c4c_ids")
    if TYPE(saved) is not exact["dict"] or TYPE(ids) is not exact["dict"]:
        reasons.append("the setup cell did not run")
        saved, ids = {}, {}
    for name in NAMES:
        obj = bdict.get(name)
        if name in exact:
            if exact[name] is not None and obj is not exact[name]:
                reasons.append("builtin %s replaced" % name)
        elif TYPE(obj) is TYPE:
            # a class such as zip: must be the static built-in type, not a Python-made one
            if obj.__name__ != name or obj.__module__ != "builtins" or obj.__flags__ & 512:
                reasons.append("builtin %s replaced" % name)
        elif (TYPE(obj) is not BUILTIN_FN or obj.__self__ is not bmod
              or obj.__name__ != name or obj.__module__ != "builtins"):
            reasons.append("builtin %s replaced" % name)
        if saved.get(name) is not obj or ids.get(name) != id(obj):
            reasons.append("builtin %s differs from the setup cell" % name)
        if name in user_ns:
            reasons.append("name %s redefined in the notebook" % name)
    mmod = sys.modules.get("math")
    isclose = getattr(mmod, "isclose", None)
    if (TYPE(isclose) is not BUILTIN_FN or isclose.__self__ is not mmod
            or isclose.__name__ != "isclose" or user_ns.get("_c4c_isclose") is not isclose):
        reasons.append("math.isclose replaced")
    if "math" in user_ns and user_ns["math"] is not mmod:
        reasons.append("name math redefined")
    if "pd" in user_ns and user_ns["pd"] is not sys.modules.get("pandas"):
        reasons.append("name pd redefined")
    core = sys.modules.get("IPython.core.interactiveshell")
    it2 = sys.modules.get("IPython.core.inputtransformer2")
    shell = core.InteractiveShell._instance if core is not None else None
    if shell is None or it2 is None:
        reasons.append("no IPython shell")
    else:
        if TYPE(shell.ast_transformers) is not exact["list"] or shell.ast_transformers.__len__():
            reasons.append("AST transformers installed")
        post = shell.input_transformers_post
        if TYPE(post) is not exact["list"] or post.__len__():
            reasons.append("input transformers installed")
        manager = shell.input_transformer_manager
        fresh = it2.TransformerManager()
        if TYPE(manager) is not it2.TransformerManager:
            reasons.append("input transformer manager replaced")
        else:
            for attr in ("cleanup_transforms", "line_transforms", "token_transformers"):
                have, want = getattr(manager, attr), getattr(fresh, attr)
                if TYPE(have) is not exact["list"] or have.__len__() != want.__len__():
                    reasons.append("input transformers changed (%s)" % attr)
                    continue
                for h, w in zip(have, want):
                    same = h is w or (TYPE(h) is TYPE(w) and TYPE(w) not in (TYPE(len), TYPE(lambda: 0)))
                    if not same:
                        reasons.append("input transformers changed (%s)" % attr)
                        break
        for meth in ("run_cell", "run_cell_async", "_run_cell", "transform_cell", "transform_ast",
                     "run_ast_nodes", "run_code", "showtraceback", "should_run_async"):
            if meth in shell.__dict__:
                reasons.append("shell.%s replaced" % meth)
                continue
            fn = getattr(TYPE(shell), meth, None)
            filename = getattr(getattr(fn, "__code__", None), "co_filename", "")
            if not filename.replace("\\", "/").endswith(
                    ("IPython/core/interactiveshell.py", "ipykernel/zmqshell.py", "ipykernel/ipkernel.py")):
                reasons.append("shell.%s replaced" % meth)
    out = sys.stdout
    if reasons:
        out.write("%s: %s\n" % (BAD, "; ".join(exact["dict"].fromkeys(reasons))))
    else:
        out.write(OK + "\n")
    out.flush()
'''


def canary_cell(t: Lang):
    """Locked last cell that prints the OK line only when the test machinery is intact."""
    head = t("# Перевірка цілісності оцінювання. Не змінюйте і не видаляйте цю клітинку.",
             "# Integrity check of the grading. Do not edit or delete this cell.")
    consts = (f"NAMES = {PROTECTED!r}\nOK = {CANARY_OK!r}\nBAD = {CANARY_BAD!r}\n")
    body = CANARY_BODY.strip("\n").replace("    import sys\n", "    import sys\n" + "".join(
        "    " + line + "\n" for line in consts.strip().splitlines()), 1)
    return code(head + "\n" + body + "\n_c4c_canary()\ndel _c4c_canary", CANARY_GRADE_ID,
                tags=[CANARY_TAG])


# --- writing ----------------------------------------------------------------------------------

def notebook(cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                  "name": "python3"}}
    nb.cells = list(cells)
    for i, cell in enumerate(nb.cells):
        cell.pop("id", None)
    nb.nbformat, nb.nbformat_minor = 4, 5
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i:02d}"
    return nb


def dumps(nb) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def assignment_dir(exercise: str, lang: str) -> Path:
    name = exercise if lang == "uk" else exercise + "_en"
    return EXERCISES / name


def render(exercise: str, build_cells: Callable[[Lang], list], lang: str) -> dict[str, str]:
    """Relative path -> text for one language variant's notebook."""
    name = assignment_dir(exercise, lang).name
    return {f"{name}/{name}.ipynb": dumps(notebook(build_cells(Lang(lang))))}
