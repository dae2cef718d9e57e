"""Unit tests for the m03/m04 explorers (c4c_lms/programme_explorer.py): logic and widgets."""

from __future__ import annotations

import pandas as pd
import pytest

from c4c_lms.widgets import programme_explorer as pe
from c4c_lms.core.i18n import Catalogue

COLUMNS = ["id", "name_en", "name_uk", "themes", "applicant_types", "ukraine_status",
           "ukraine_since", "grant_min_eur", "grant_max_eur", "max_cofinancing_rate", "call_months",
           "url", "summary_en", "summary_uk", "source_url", "checked_on"]


@pytest.fixture
def programmes() -> pd.DataFrame:
    """A small programmes table in the programmes.csv shape, with gaps like the real one."""
    rows = [
        ["tt", "Town Twinning", "Побратимство", "democracy_participation;culture_heritage",
         "municipality;ngo", "associated", "2024-01-09", 8455, 50745, None, "9", "https://a.eu",
         "s", "с", "https://a.eu", "2026-01-01"],
        ["plua", "PL-UA", "ПЛ-УА", "health;environment_climate", "public_body;municipality",
         "partner_country", None, 200000, 2500000, 0.9, "7;8", "https://b.eu", "s", "с",
         "https://b.eu", "2026-01-01"],
        ["hz", "Horizon Europe", "Горизонт Європа", "energy;digital", "university;sme",
         "associated", "2022-06-09", None, None, None, None, "https://c.eu", "s", "с",
         "https://c.eu", "2026-01-01"],
        ["urbact", "URBACT", "URBACT", "social_inclusion", "municipality", "eligible", None, None,
         750000, None, "6", None, "s", "с", "https://d.eu", "2026-01-01"],
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


@pytest.fixture
def cases() -> pd.DataFrame:
    """A small cases table in the cases.csv shape."""
    cols = ["id", "ua_community", "ua_oblast_iso", "partner", "partner_country", "year",
            "how_found", "what_done", "result", "themes", "source_url", "checked_on"]
    rows = [["a", "Ovruch", "UA-18", "Cedry Wielkie", "PL", None, "forum", "memorandum",
             "fire truck", "civil_protection", "https://x.ua", "2026-01-01"],
            ["b", "Slobozhanske", None, "Vännäs", "SE", 2023.0, "forum", "letter of intent",
             None, "education_youth;water_waste", "https://y.ua", "2026-01-01"]]
    return pd.DataFrame(rows, columns=cols)


def test_catalogue_complete():
    """Does every explorer message exist in Ukrainian and English?"""
    assert Catalogue.load("programme_explorer").missing() == []


@pytest.mark.parametrize(("cell", "items"), [("a;b", ["a", "b"]), (" a ; ;b ", ["a", "b"]),
                                             ("", []), (None, []), (float("nan"), [])])
def test_split_list(cell, items):
    """Does a ';'-separated cell split into clean items, with empty cells giving none?"""
    assert pe.split_list(cell) == items


def test_filter_by_theme_applicant_status(programmes):
    """Do theme, applicant and status filters combine with AND, themes with OR?"""
    got = pe.filter_programmes(programmes, themes=["health", "energy"])
    assert list(got.id) == ["plua", "hz"]
    got = pe.filter_programmes(programmes, themes=["health", "energy"], applicant="municipality")
    assert list(got.id) == ["plua"]
    assert list(pe.filter_programmes(programmes, statuses=["associated"]).id) == ["tt", "hz"]
    assert len(pe.filter_programmes(programmes)) == len(programmes)


def test_filter_by_amount_treats_missing_bound_as_open(programmes):
    """Is a grant amount matched against min..max, with a missing bound open and unknowns optional?"""
    assert list(pe.filter_programmes(programmes, amount=30000).id) == ["tt", "hz", "urbact"]
    assert list(pe.filter_programmes(programmes, amount=30000, keep_unknown_amount=False).id) == [
        "tt", "urbact"]
    assert list(pe.filter_programmes(programmes, amount=1_000_000,
                                     keep_unknown_amount=False).id) == ["plua"]


@pytest.mark.parametrize(("months", "now", "wait"), [("9", 9, 0), ("9", 10, 11), ("3;4", 1, 2),
                                                     ("7;8", 8, 0), ("", 5, None), ("13", 1, None)])
def test_months_until_call(months, now, wait):
    """Is the wait to the next call month counted around the year end, and unknown kept unknown?"""
    assert pe.months_until_call(months, now) == wait


def test_sort_unknowns_last(programmes):
    """Do the sort keys order programmes correctly and always put unknown values last?"""
    assert list(pe.sort_programmes(programmes, "grant_max").id) == ["plua", "urbact", "tt", "hz"]
    assert list(pe.sort_programmes(programmes, "grant_min", lang="en").id) == [
        "tt", "plua", "hz", "urbact"]  # ties (both unknown) by English name
    assert list(pe.sort_programmes(programmes, "since", lang="en").id) == ["hz", "tt", "plua", "urbact"]
    assert list(pe.sort_programmes(programmes, "next_call", today_month=8).id) == [
        "plua", "tt", "urbact", "hz"]
    assert list(pe.sort_programmes(programmes, "name", lang="en").id) == [
        "hz", "plua", "tt", "urbact"]
    with pytest.raises(ValueError, match="sort key"):
        pe.sort_programmes(programmes, "popularity")


def test_associated_by(programmes):
    """Does the timeline list only programmes with a Ukraine date on or before the cut-off?"""
    assert list(pe.associated_by(programmes, "2023-12-31").id) == ["hz"]
    assert list(pe.associated_by(programmes, "2024-01-09").id) == ["hz", "tt"]


def test_call_calendar(programmes):
    """Does the calendar mark exactly the call months and skip programmes without any?"""
    grid = pe.call_calendar(programmes, "en")
    assert list(grid.index) == ["Town Twinning", "PL-UA", "URBACT"]
    assert list(grid.columns)[8] == "Sep"
    assert grid.loc["PL-UA"].tolist().count("●") == 2 and grid.loc["Town Twinning", "Sep"] == "●"


def test_programme_table_formats_and_keeps_unknown_empty(programmes):
    """Does the comparison table localise labels and numbers, and show unknowns as a dash?"""
    uk = pe.programme_table(programmes, "uk")
    assert uk.loc[0, "Грант, EUR"] == "8\xa0455 – 50\xa0745"
    assert uk.loc[1, "Макс. частка ЄС (co-financing)"] == "90 %"
    assert uk.loc[1, "З дати"] == pe.DASH and uk.loc[2, "Грант, EUR"] == pe.DASH
    assert uk.loc[3, "Грант, EUR"] == "до 750\xa0000"
    assert uk.loc[1, "Місяці конкурсів"] == "липень, серпень"
    en = pe.programme_table(programmes, "en")
    assert en.loc[0, "Grant, EUR"] == "8,455 – 50,745"
    assert en.loc[0, "Themes"] == "Democracy and participation, Culture and heritage"
    assert en.loc[3, "url"] == "https://d.eu"  # no programme URL: the source stands in


@pytest.mark.parametrize(("plan", "n_problems"), [((60, 30, 2, 1), 0), ((49, 30, 2, 1), 1),
                                                  ((60, 24, 2, 1), 1), ((60, 30, 1, 1), 1),
                                                  ((60, 30, 3, 0), 1), ((20, 30, 1, 2), 4)])
def test_town_twinning_problems(plan, n_problems):
    """Does the Town Twinning check name each unmet participant/country condition?"""
    assert len(pe.town_twinning_problems(*plan, lang="en")) == n_problems


def test_filter_cases(cases):
    """Do the case filters select by theme and by partner country?"""
    assert list(pe.filter_cases(cases, theme="water_waste").id) == ["b"]
    assert list(pe.filter_cases(cases, country="pl").id) == ["a"]
    assert list(pe.filter_cases(cases).id) == ["a", "b"]
    assert pe.filter_cases(cases, theme="energy", country="SE").empty


def test_programme_explorer_widget_reacts(programmes):
    """Does changing a filter in the explorer widget redraw the count and the table?"""
    w = pe.ProgrammeExplorer(programmes, lang="en")
    assert "4 of 4" in w.count.value
    w.applicant.value = "municipality"
    w.sort.value = "grant_max"
    assert list(w.result.id) == ["plua", "urbact", "tt"] and "3 of 4" in w.count.value
    w.amount.value = 5_000_000
    assert "Nothing found" in w.table.value
    w.amount.value = 0
    assert 'href="https://b.eu"' in w.table.value


def test_shortlist_saves_csv(programmes, tmp_path):
    """Does the 'your community' shortlist save a CSV with the notes, formula-safe, and refuse empty?"""
    w = pe.Shortlist(programmes, lang="uk", folder=tmp_path)
    assert w.write() is None and "тему" in w.status.value
    w.themes.value = ("health", "social_inclusion")
    w.note.value = "=HYPERLINK(evil)"
    path = w.write()
    assert path == tmp_path / "my_work" / "m03_programme_shortlist.csv"
    saved = pd.read_csv(path, encoding="utf-8-sig")
    assert list(saved["Програма"]) == ["URBACT", "ПЛ-УА"]  # municipality only, soonest call first
    assert saved["Нотатки"].iloc[0].startswith("'=")
    assert path.with_suffix(".md").read_text(encoding="utf-8").startswith("| Програма")


def test_case_explorer_widget(cases):
    """Does the case explorer show the first case and follow the country filter?"""
    oblasts = pd.DataFrame({"iso_code": ["UA-18"], "name_uk": ["Житомирська область"],
                            "name_en": ["Zhytomyrska oblast"]})
    w = pe.CaseExplorer(cases, lang="uk", oblasts=oblasts)
    assert "Житомирська область" in w.card.value and "Польща" in w.card.value
    w.country.value = "SE"
    assert "Vännäs" in w.card.value and "2023<" in w.card.value  # a year, not 2023.0
    w.theme.value = "civil_protection"
    assert w.case.options == () and "Нічого" in w.card.value


def test_case_cards_in_the_learners_language():
    """Does a Ukrainian learner read the case in Ukrainian and an English learner in English,
    with the English text only where no Ukrainian twin exists?"""
    from c4c_lms.refdata.tables import load_cases

    real = load_cases()
    uk = pe.CaseExplorer(real, lang="uk")
    uk.case.value = "ovruch_cedry_wielkie"
    assert "Овруч ↔ Цедри-Вельке" in uk.card.value and "Ряшеві" in uk.card.value
    assert "Ovruch" not in uk.card.value and "fire truck" not in uk.card.value
    assert ("Овруч ↔ Цедри-Вельке", "ovruch_cedry_wielkie") in uk.case.options
    en = pe.CaseExplorer(real, lang="en")
    en.case.value = "ovruch_cedry_wielkie"
    assert "Ovruch ↔ Cedry Wielkie" in en.card.value and "Ряшеві" not in en.card.value
    row = {"partner": "Vännäs", "partner_uk": ""}
    assert pe.case_label({"ua_community": "X", "ua_community_uk": "Ікс", **row}, "uk") == "Ікс ↔ Vännäs"


def test_small_widgets(programmes):
    """Do the calendar, timeline and Town Twinning widgets redraw on change?"""
    cal = pe.CallCalendar(programmes, "en")
    cal.theme.value = "health"
    assert "PL-UA" in cal.grid.value and "Town Twinning" not in cal.grid.value
    tl = pe.AssociationTimeline(programmes, "en")
    tl.year.value = 2022
    assert "Horizon" in tl.out.value and "Town Twinning" not in tl.out.value
    tt = pe.TownTwinningCheck("en")
    tt.participants.value, tt.invited.value = 60, 30
    assert "met" in tt.out.value


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_real_reference_data_renders_without_placeholders(lang):
    """Do all explorers run on the real refdata tables and never print nan/NaT/<NA> for unknowns?"""
    from c4c_lms.refdata.tables import load_cases, load_oblasts, load_programmes

    programmes, cases, oblasts = load_programmes(), load_cases(), load_oblasts()
    explorer = pe.ProgrammeExplorer(programmes, lang=lang)
    pages = [explorer.table.value, pe.CallCalendar(programmes, lang).grid.value,
             pe.AssociationTimeline(programmes, lang).out.value]
    for status in [v for _, v in explorer.status.options]:
        explorer.status.value = status
        pages.append(explorer.table.value)
    for key in pe.SORT_KEYS:
        explorer.sort.value = key
        pages.append(explorer.table.value)
    case_explorer = pe.CaseExplorer(cases, lang=lang, oblasts=oblasts)
    for _, case_id in case_explorer.case.options:
        case_explorer.case.value = case_id
        pages.append(case_explorer.card.value)
    assert len(pages) > 10 + len(cases)
    for page in pages:
        for placeholder in (">nan<", "NaT", "&lt;NA&gt;", "<NA>", " nan ", "None<"):
            assert placeholder not in page
    assert str(len(programmes)) in explorer.count.value


def test_partnership_plan_keepsake(cases, tmp_path):
    """Does the m04 plan save every stage in order with the model case, and refuse an empty plan?"""
    w = pe.PartnershipPlan(cases, lang="en", folder=tmp_path)
    assert w.write() is None and "at least one step" in w.status.value
    w.model.value = "b"
    w.steps[3].value, w.dates[3].value = "Send a letter of intent to Vännäs", "2026-03"
    path = w.write()
    saved = pd.read_csv(path, encoding="utf-8-sig")
    assert list(saved["Stage"]) == pe.stage_names("en") and len(saved) == len(pe.STAGES) == 8
    assert saved.loc[3, "Our step"].startswith("Send") and saved.loc[3, "By when"] == "2026-03"
    assert set(saved["Model case"]) == {"b"}
