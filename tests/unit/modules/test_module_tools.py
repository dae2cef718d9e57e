"""Unit tests for the calculations and tools behind the module widgets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from c4c_lms.widgets import module_widgets as mw
from c4c_lms.core.i18n import Catalogue
from c4c_lms.content.module_tools import (
    approval_timeline,
    cofinance,
    flat_rate_amount,
    grant_in_range,
    demining_compensation_distance_ok,
    logframe_gaps,
    markdown_table,
    save_keepsake,
    weighted_scores,
)


def test_catalogue_complete():
    """Does every module-tool message exist in Ukrainian and English?"""
    assert Catalogue.load("module_widgets").missing() == []


def test_weighted_scores_rank_and_scale():
    """Are candidates scored 0-100 by normalised weights, best first?"""
    ratings = pd.DataFrame({"size": [5, 1], "themes": [0, 5]}, index=["A", "B"])
    scores = weighted_scores(ratings, {"size": 1, "themes": 3})
    assert list(scores.index) == ["B", "A"]
    assert scores["B"] == pytest.approx(80.0) and scores["A"] == pytest.approx(25.0)
    assert (weighted_scores(ratings, {"size": 0, "themes": 0}) == 0).all()
    with pytest.raises(ValueError):
        weighted_scores(ratings * 2, {"size": 1})


def test_approval_timeline_days():
    """Does the approval plan add 10 and 30 days to the sending date?"""
    t = approval_timeline(dt.date(2025, 12, 20))
    assert t["justice_check_by"] == dt.date(2025, 12, 30)
    assert t["decision_by"] == dt.date(2026, 1, 19)


def test_logframe_gaps_in_reading_order():
    """Are empty logframe cells listed row by row, and none when all 16 are filled?"""
    full = {r: {c: "x" for c in ("intervention_logic", "indicators", "verification", "assumptions")}
            for r in ("overall_objective", "specific_objective", "results", "activities")}
    assert logframe_gaps(full) == []
    full["results"]["assumptions"] = "  "
    del full["overall_objective"]["indicators"]
    assert logframe_gaps(full) == [("overall_objective", "indicators"), ("results", "assumptions")]


def test_flat_rates_use_their_base():
    """Do the 7 %, 25 % and 15 %-of-staff rules apply to the right costs?"""
    direct = {"staff": 40000, "travel": 10000, "equipment": 50000}
    assert flat_rate_amount(direct, "eu_action_grant_7") == Decimal("7000.00")
    assert flat_rate_amount(direct, "horizon_europe_25") == Decimal("25000.00")
    assert flat_rate_amount(direct, "interreg_office_15_of_staff") == Decimal("6000.00")


@given(st.decimals(min_value=0, max_value=10**7, places=2), st.integers(0, 100))
def test_cofinance_adds_up_and_never_exceeds_rate(total, percent):
    """Do grant and own contribution add up to the total, with the grant never above the rate?"""
    grant, own = cofinance(total, Decimal(percent) / 100)
    assert grant + own == total
    assert grant <= total * Decimal(percent) / 100


def test_grant_range_verdicts():
    """Is a grant judged against a programme's range, with missing bounds ignored?"""
    assert grant_in_range(180000, 200000, 2500000) == "below"
    assert grant_in_range(60000, 8455, 50745) == "above"
    assert grant_in_range(700000, None, 750000) == "ok"
    assert grant_in_range(5, pd.NA, float("nan")) is None


def test_budget_calculator_uses_programme_table():
    """Does picking a programme with a known rate set the rate and check the grant range?"""
    from c4c_lms.refdata.tables import load_programmes

    programmes = load_programmes()
    calc = mw.budget_calculator("en", programmes)
    pick, staff, rate = calc.children[1], calc.children[2], calc.children[-2]
    with_rate = programmes.dropna(subset=["max_cofinancing_rate", "grant_min_eur"]).iloc[0]
    pick.value = with_rate["id"]
    assert rate.value == pytest.approx(with_rate["max_cofinancing_rate"] * 100)
    staff.value = 1.0
    assert "below the programme&#x27;s minimum" in calc.children[-1].value


def test_demining_compensation_distance_rule():
    """Does the farmland compensation programme's distance condition need more than 20 km?"""
    assert not demining_compensation_distance_ok(20) and demining_compensation_distance_ok(20.5)
    with pytest.raises(ValueError):
        demining_compensation_distance_ok(-1)


def test_keepsake_files(tmp_path):
    """Does a keepsake land in my_work/ as Excel-friendly CSV and a pipe table, formulas defused?"""
    df = pd.DataFrame({"field": ["name_en", "offers"], "value": ["Ovruch | UA", "=HYPERLINK(1)"]})
    csv_path, md_path = save_keepsake(df, "m01_partner_brief", tmp_path)
    assert csv_path.parent == tmp_path / "my_work"
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "'=HYPERLINK(1)" in csv_path.read_text(encoding="utf-8-sig")
    assert md_path.read_text(encoding="utf-8") == markdown_table(df)
    assert "Ovruch \\| UA" in markdown_table(df)
    with pytest.raises(ValueError):
        save_keepsake(df, "../evil", tmp_path)


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_tools_build_and_react(lang, tmp_path, monkeypatch):
    """Does every module tool build in both languages and react to input?"""
    monkeypatch.chdir(tmp_path)
    scorer = mw.partner_scorer(["size", "themes"], lang)
    assert "<table" in scorer.children[-1].value
    tree = mw.tree_mirror(lang)
    tree.children[1].value = "Poor school heating\nHigh costs"
    tree.children[2].value = "High energy consumption of public buildings"
    tree.children[3].value = "Outdated boilers"
    assert "Modern boilers" in tree.children[-1].value and "Reduced" in tree.children[-1].value
    budget = mw.budget_calculator(lang)
    budget.children[1].value = 40000  # staff
    assert "42" in budget.children[-1].value and "800" in budget.children[-1].value
    demining = mw.demining_check(lang)
    demining.children[0].value = 5
    assert "20" in demining.children[-1].value and "5" in demining.children[-1].value
    assert ("compensat" in demining.children[-1].value) or ("компенсац" in demining.children[-1].value)
    assert ("border" in demining.children[0].description) or ("кордону" in demining.children[0].description)
    joint = mw.joint_application(lang)
    rows = joint.children[1:4]
    rows[0].children[0].value, rows[0].children[1].value, rows[0].children[3].value = "Rukshyn", "lead", "Mykolaivka"
    rows[1].children[0].value, rows[1].children[3].value = "Mykolaivka", "Rukshyn"
    assert "Mykolaivka" in joint.children[4].value and "✔" in joint.children[4].value
    names = mw.name_romaniser("Київ", lang)
    assert "Kyiv" in names.children[-1].value
    names.children[0].value = "Згорани"
    assert "Zghorany" in names.children[-1].value
    offer = mw.offer_builder(["Crisis management"], lang)
    offer.children[1].value = True
    offer.children[2].value = "We run heating points."
    save = offer.children[-1].children[0]
    save.click()
    assert (tmp_path / "my_work" / "m05_offer.csv").exists()
    assert "Crisis management" in (tmp_path / "my_work" / "m05_offer.md").read_text(encoding="utf-8")
