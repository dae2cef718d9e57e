"""Exercises show what the module's "your community" task saved in my_work/, never grade on it."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest
from exbuild import REPO

EXERCISES = sorted((REPO / "exercises").glob("ex*/ex*.ipynb"))
# exercise -> (module folder, a file the module saves)
SAVES = {
    "ex01": ("m01_partnerships", "m01_partner_brief.csv"),
    "ex02": ("m02_projects", "m02_logframe.csv"),
    "ex03": ("m03_eu_programmes", "m03_programme_shortlist.csv"),
    "ex04": ("m04_cases", "m04_partnership_plan.csv"),
    "ex05": ("m05_frontline", "m05_joint_application.csv"),
}


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def my_work_cell(path):
    found = [c for c in cells(path) if c["metadata"].get("nbgrader", {}).get("grade_id") == "my_work"]
    assert len(found) == 1, path.name
    return "".join(found[0]["source"])


def run(source: str, namespace: dict) -> list:
    shown: list = []
    namespace.update(pd=pd, display=shown.append)
    exec(compile(source, "my_work_cell", "exec"), namespace)  # noqa: S102 - our own generated cell
    return shown


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_module_keepsake_is_shown_when_saved(path, tmp_path, monkeypatch, capsys):
    """Does the exercise find modules/<m>/my_work/<file> from its own folder and show it?"""
    module, name = SAVES[path.stem[:4]]
    work = tmp_path / "exercises" / path.parent.name
    shutil.copytree(path.parent, work)
    saved = tmp_path / "modules" / module / "my_work"
    saved.mkdir(parents=True)
    pd.DataFrame({"field": ["name_en"], "value": ["Zelenodolsk"]}).to_csv(
        saved / name, index=False, encoding="utf-8-sig")
    monkeypatch.chdir(work)
    shown = run(my_work_cell(path), {})
    assert any("Zelenodolsk" in frame.to_string() for frame in shown)
    out = capsys.readouterr().out
    assert str(saved / name) in out and "EXAMPLE" not in out and "ПРИКЛАД" not in out


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_example_shown_and_said_when_nothing_saved(path, tmp_path, monkeypatch, capsys):
    """Without a saved file (or with a damaged one), does the cell say so and show the example?"""
    work = tmp_path / "exercises" / path.parent.name
    shutil.copytree(path.parent, work)
    monkeypatch.chdir(work)
    namespace: dict = {}
    setup = next("".join(c["source"]) for c in cells(path)
                 if c["metadata"].get("nbgrader", {}).get("grade_id") == "setup")
    exec(compile(setup, "setup", "exec"), namespace)  # noqa: S102 - the tables the example may use
    shown = run(my_work_cell(path), namespace)
    out = capsys.readouterr().out
    assert ("EXAMPLE" in out) if path.stem.endswith("_en") else ("ПРИКЛАД" in out)
    assert shown and all(isinstance(frame, pd.DataFrame) and len(frame) for frame in shown)
    module, name = SAVES[path.stem[:4]]
    (work / "my_work").mkdir()
    (work / "my_work" / name).write_bytes(b"\x00\xff\x00not,a\ncsv\"")
    shown = run(my_work_cell(path), namespace)
    out = capsys.readouterr().out
    assert ("EXAMPLE" in out) if path.stem.endswith("_en") else ("ПРИКЛАД" in out)


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_grading_never_reads_my_work(path):
    """Do no graded test cell and no answer's reference solution use my_work or its variables?"""
    source = my_work_cell(path)
    names = set(re.findall(r"^(my_\w+) = None$", source, re.MULTILINE))
    assert names, "the cell defines its variables"
    for cell in cells(path):
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade") or meta.get("solution"):
            text = "".join(cell["source"])
            assert "my_work" not in text and "_c4c_my_work" not in text, meta["grade_id"]
            assert not any(re.search(rf"\b{n}\b", text) for n in names), meta["grade_id"]
