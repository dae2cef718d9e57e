"""The two apps' message catalogues: complete, and the same placeholders in both languages."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from c4c_lms.core.i18n import Catalogue

REPO = Path(__file__).resolve().parents[3]
SOURCES = [REPO / "voila_apps/project_planner/index.ipynb", REPO / "voila_apps/partner_finder/index.ipynb",
           *(REPO / "c4c_lms" / "content" / f"{m}.py" for m in ("planner", "planner_export", "budget", "funding",
                                                    "partners"))]


@pytest.mark.parametrize("name", ["project_planner", "partner_finder"])
def test_every_key_has_both_languages_with_the_same_placeholders(name):
    """Does every message exist in Ukrainian and English with the same {placeholders}?"""
    cat = Catalogue.load(name)
    assert cat.missing() == []
    for key, texts in cat.entries.items():
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f}
                  for lang in ("uk", "en")}
        assert fields["uk"] == fields["en"], key


def test_literal_keys_used_in_code_exist():
    """Is every literal message key the apps' code asks for present in a catalogue?"""
    known = set(Catalogue.load("project_planner").entries) | set(Catalogue.load("partner_finder").entries)
    known |= set(Catalogue.load("appkit").entries)
    used = set()
    for path in SOURCES:
        text = path.read_text("utf-8")
        used |= set(re.findall(r"""\bt\(\\?["']([a-z][a-z0-9_]+)\\?["']\s*[,)]""", text))
    assert used and sorted(used - known) == []


def run_notebook(path: Path) -> dict:
    """Execute an app's code cells here, without a kernel (widgets work without a front end)."""
    import os

    import nbformat

    ns: dict = {}
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        for cell in nbformat.read(path, 4).cells:
            if cell.cell_type == "code":
                exec(compile(cell.source, str(path), "exec"), ns)
    finally:
        os.chdir(cwd)
    return ns


def test_planner_builds_every_step_in_both_languages(tmp_path, monkeypatch):
    """Does every planner step build in Ukrainian and English without a missing message?"""
    monkeypatch.setenv("C4C_AUTOSAVE_DIR", str(tmp_path))
    ns = run_notebook(REPO / "voila_apps/project_planner/index.ipynb")
    for lang in ("en", "uk"):
        ns["ui"].switch.value = lang
        for step in ns["STEPS"]:
            ns["nav"].value = step
            assert ns["body"].children == (ns["built"][step],)
    assert [o[0] for o in ns["nav"].options][0] == "0 Проєкт"


def test_partner_finder_relabels_in_both_languages():
    """Does the partner finder switch between Ukrainian and English without a missing message?"""
    ns = run_notebook(REPO / "voila_apps/partner_finder/index.ipynb")
    ns["ui"].switch.value = "en"
    assert ns["search_button"].description == "Search"
    ns["ui"].switch.value = "uk"
    assert ns["search_button"].description == "Шукати"
