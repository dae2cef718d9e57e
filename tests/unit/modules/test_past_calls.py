"""Programmes whose call months come from past one-off calls (programmes.csv ``call_recurrence``)."""

from __future__ import annotations

import pandas as pd

from c4c_lms.refdata.tables import load_programmes
from c4c_lms.widgets import programme_explorer as pe


def _table(recurrence_of_plua: str) -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["tt", "plua"], "name_en": ["Town Twinning", "PL-UA"], "name_uk": ["ТТ", "ПЛ-УА"],
        "grant_min_eur": [None, None], "grant_max_eur": [None, None], "ukraine_since": [None, None],
        "call_months": [[9], [7, 8]], "call_recurrence": ["yearly", recurrence_of_plua],
    })


def test_one_off_calls_do_not_rank_as_nearest():
    """In August, does a past one-off call in August stop ranking before a yearly September call?"""
    yearly = pe.sort_programmes(_table("yearly"), "next_call", lang="en", today_month=8)
    assert list(yearly.id) == ["plua", "tt"]
    once = pe.sort_programmes(_table("once"), "next_call", lang="en", today_month=8)
    assert list(once.id) == ["tt", "plua"]


def test_calendar_marks_one_off_months_differently():
    """Does the call calendar mark past one-off call months with ○ and yearly ones with ●?"""
    grid = pe.call_calendar(_table("once"), "en")
    assert grid.loc["PL-UA"].tolist().count("○") == 2 and "●" not in grid.loc["PL-UA"].tolist()
    assert grid.loc["Town Twinning"].tolist().count("●") == 1


def test_reference_interreg_next_calls_are_marked_one_off():
    """Are the Interreg NEXT cross-border call months in the reference data marked as past calls?"""
    df = load_programmes().set_index("id")
    for pid in ("interreg_next_pl_ua", "interreg_next_huskroua", "interreg_next_ro_ua"):
        assert df.loc[pid, "call_recurrence"] == "once", pid
    assert df.loc["cerv_town_twinning", "call_recurrence"] == "yearly"
    ranked = pe.sort_programmes(df.reset_index(), "next_call", lang="en", today_month=7)
    assert ranked.iloc[0]["id"] != "interreg_next_pl_ua"
    assert "interreg_next_black_sea" in df.index and "agora_eu" in df.index
