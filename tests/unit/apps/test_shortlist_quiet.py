"""Module 3's shortlist says nothing until a theme is ticked (no "nothing found" at first sight)."""

from __future__ import annotations

from c4c_lms.refdata.tables import load_programmes
from c4c_lms.widgets import programme_explorer as pe


def test_shortlist_is_silent_until_a_theme_is_ticked(tmp_path):
    w = pe.Shortlist(load_programmes(), lang="uk", folder=tmp_path)
    assert w.table.value == ""
    w.themes.value = (w.themes.options[0][1],)
    assert "<table" in w.table.value or "Нічого" in w.table.value
    w.themes.value = ()
    assert w.table.value == ""
