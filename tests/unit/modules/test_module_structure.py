"""Course modules: both languages, same structure, required parts, clean notebooks."""

from __future__ import annotations

import re

import nbformat
import pytest
from modules_nb import module_dirs, notebooks, pair, read_structure, syllabus_day

EXPECTED = ["m01_partnerships", "m02_projects", "m03_eu_programmes", "m04_cases", "m05_frontline"]
MINE = ["m01_partnerships", "m02_projects", "m05_frontline"]
FOLDERS = module_dirs()
IDS = [f.name for f in FOLDERS]
# A bracketed Latin-script term in Ukrainian text, e.g. "лист про наміри (letter of intent)".
ENGLISH_TERM = re.compile(r"\(([A-Za-z][A-Za-z ./,'-]{2,})\)")
ALLOWED_CELL_KEYS = {"nbgrader", "tags", "deletable", "editable", "jupyter"}
# "jupyter" only to hide a self-check cell's source in JupyterLab (see test_selfcheck_data).
ALLOWED_JUPYTER_KEYS = {"source_hidden"}


@pytest.mark.parametrize("name", MINE)
def test_my_modules_present(name):
    """Do this helper's modules exist in both languages?"""
    uk, en = pair(next(f for f in FOLDERS if f.name == name)) if name in IDS else (None, None)
    assert uk is not None and uk.exists() and en.exists(), name


def test_only_known_module_folders():
    """Is every module folder one of the five syllabus modules?"""
    assert set(IDS) <= set(EXPECTED)


@pytest.mark.parametrize("folder", FOLDERS, ids=IDS)
def test_both_languages_same_structure(folder):
    """Do the Ukrainian and English notebooks have the same sections, self-checks and widgets?"""
    uk_path, en_path = pair(folder)
    assert uk_path.exists() and en_path.exists(), f"{folder.name}: need both languages"
    uk, en = read_structure(uk_path), read_structure(en_path)
    assert uk.sections == en.sections
    assert uk.qids == en.qids
    assert uk.widgets == en.widgets
    assert sorted(set(uk.source_urls)) == sorted(set(en.source_urls))


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_required_parts(path):
    """Does the notebook have objectives, numbered sections, ≥5 self-checks, ≥3 widgets, sources and its follow-ups?"""
    module = path.parent.name
    prefix = module[:3]
    s = read_structure(path)
    assert s.has_objectives, "learning objectives at the top"
    assert s.sections and s.sections == list(range(1, len(s.sections) + 1)), s.sections
    assert len(set(s.qids)) >= 5 and len(s.qids) == len(set(s.qids)), s.qids
    assert s.self_check_calls == len(s.qids), "every self-check is created with one qid"
    assert all(q.startswith(prefix + "_q") for q in s.qids)
    assert len(set(s.widgets)) >= 3 and len(s.widgets) == len(set(s.widgets)), s.widgets
    assert all(w.startswith(prefix + "_w") for w in s.widgets)
    assert len(s.source_urls) >= 3, "a sources section with links"
    day = syllabus_day(module)
    assert f"exercises/{day['exercise']}" in s.markdown
    for app in day["apps"]:
        assert f"voila_apps/{app}" in s.markdown
    assert "my_work" in s.markdown or "копіюв" in s.markdown or "copy" in s.markdown, "a keepsake task"


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_committed_clean(path):
    """Is the notebook stored without outputs, execution counts or stray metadata?"""
    nb = nbformat.read(path, as_version=4)
    assert set(nb.metadata) <= {"kernelspec", "jupytext"}
    for cell in nb.cells:
        assert set(cell.metadata) <= ALLOWED_CELL_KEYS, cell.metadata
        assert set(cell.metadata.get("jupyter", {})) <= ALLOWED_JUPYTER_KEYS, cell.metadata
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("folder", FOLDERS, ids=IDS)
def test_ukrainian_text_gives_english_terms(folder):
    """Does the Ukrainian notebook give the English terms partners use, in brackets?"""
    uk_path, _ = pair(folder)
    terms = set(ENGLISH_TERM.findall(read_structure(uk_path).markdown))
    assert len(terms) >= 5, sorted(terms)
