"""The two apps' message catalogues: complete, and the same placeholders in both languages."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from c4c_lms.i18n import Catalogue

REPO = Path(__file__).resolve().parents[2]
SOURCES = [REPO / "voila_apps/project_planner/index.ipynb", REPO / "voila_apps/partner_finder/index.ipynb",
           *(REPO / "c4c_lms" / f"{m}.py" for m in ("planner", "planner_export", "budget", "funding",
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
        used |= set(re.findall(r"""ui\.bind\([^"']*?,\s*\\?["']([a-z][a-z0-9_]+)\\?["']""", text))
    assert used and sorted(used - known) == []
