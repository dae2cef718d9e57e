"""Budget arithmetic: parsing what learners type, exact totals, rates and splits."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from c4c_lms.content import budget
from c4c_lms.content.budget import CENT, BudgetInputError, Line, compute, parse_amount, parse_rate


@pytest.mark.parametrize("typed, expected", [
    ("1 234,50", "1234.50"), ("1,234.50", "1234.50"), ("1.234,50", "1234.50"),
    ("1\u00a0000", "1000"), ("12", "12"), ("0,5", "0.5"), (" 7 ", "7"), ("12.500", "12.500"),
])
def test_parse_amount_reads_ukrainian_and_english_styles(typed, expected):
    """Are amounts typed the Ukrainian or the English way read to the same Decimal?"""
    assert parse_amount(typed) == Decimal(expected)


@pytest.mark.parametrize("typed, key", [
    ("12a", "not_a_number"), ("", "not_a_number"), ("-5", "negative"), ("1.234", "too_many_decimals"),
    ("1e3", "not_a_number"), ("--1", "not_a_number"),
])
def test_parse_amount_rejects_with_a_reason(typed, key):
    """Does a bad amount raise an error whose key says what is wrong?"""
    with pytest.raises(BudgetInputError) as info:
        parse_amount(typed, "unit_cost", 3)
    assert info.value.key == key and info.value.row == 3 and info.value.field == "unit_cost"


def test_parse_rate_percent_to_fraction():
    """Is a percentage like '7 %' or '90,5' turned into a fraction, and over 100 refused?"""
    assert parse_rate("7 %", "indirect_rate") == Decimal("0.07")
    assert parse_rate("90,5", "cofinancing_rate") == Decimal("0.905")
    with pytest.raises(BudgetInputError) as info:
        parse_rate("120", "cofinancing_rate")
    assert info.value.key == "rate_over_100"


def test_lines_from_rows_reports_every_bad_field_and_keeps_good_rows():
    """Are all bad fields reported with their rows while good rows still count?"""
    rows = [
        {"partner": "A", "category": "staff", "description": "", "quantity": "2", "unit_cost": "10"},
        {"partner": "", "category": "staff", "description": "x", "quantity": "x", "unit_cost": "1"},
        {"partner": "", "category": "", "description": "", "quantity": "", "unit_cost": ""},
        {"partner": "B", "category": "boats", "description": "", "quantity": "1", "unit_cost": "1"},
    ]
    lines, errors = budget.lines_from_rows(rows)
    assert [ln.partner for ln in lines] == ["A"]
    assert {(e.key, e.row) for e in errors} == {
        ("partner_missing", 2), ("not_a_number", 2), ("unknown_category", 4)}
    assert "Row 2" in budget.message(errors[0], "en")
    assert "Рядок 2" in budget.message(errors[0], "uk")


def test_compute_known_example():
    """Do a hand-checked example's indirect costs, grant and own contribution come out exactly?"""
    lines = [Line("Lead", "works", "", Decimal("120"), Decimal("333.33")),
             Line("EU", "travel", "", Decimal("3"), Decimal("1250.10"))]
    rows, total = compute(lines, Decimal("0.07"), Decimal("0.9"), ["Lead", "EU"])
    lead, eu = rows
    assert lead.direct == Decimal("39999.60")
    assert lead.indirect == Decimal("2799.97")  # 2799.972 half-up
    assert lead.grant == Decimal("38519.61")  # 38519.613 rounded down
    assert eu.indirect == Decimal("262.52")  # 262.521
    assert total.total == Decimal("46812.39")
    assert total.grant + total.own == total.total


money = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)
qty = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
rate = st.integers(min_value=0, max_value=10000).map(lambda n: Decimal(n) / 10000)
line = st.builds(Line, st.sampled_from(["A", "B", "C"]), st.sampled_from(budget.CATEGORIES),
                 st.just(""), qty, money)


@settings(max_examples=200, deadline=None)
@given(st.lists(line, max_size=15), rate, rate)
def test_totals_and_splits_are_exact(lines, indirect_rate, cofin):
    """For any lines and rates, do partner rows sum to the total and grant + own equal each total?"""
    rows, total = compute(lines, indirect_rate, cofin)
    for name in ("direct", "indirect", "total", "grant", "own"):
        assert sum((getattr(r, name) for r in rows), Decimal(0)) == getattr(total, name)
    for r in rows + [total]:
        assert r.grant + r.own == r.total
        assert r.direct + r.indirect == r.total
        assert sum(r.by_category.values(), Decimal(0)) == r.direct
        for value in (r.direct, r.indirect, r.total, r.grant, r.own):
            assert value == value.quantize(CENT)  # whole cents only
    for r in rows:
        exact_direct = sum((ln.quantity * ln.unit_cost for ln in lines if ln.partner == r.partner),
                           Decimal(0))
        # each line rounds by at most half a cent
        n = sum(1 for ln in lines if ln.partner == r.partner)
        assert abs(r.direct - exact_direct) <= Decimal("0.005") * n
        assert abs(r.indirect - r.direct * indirect_rate) <= Decimal("0.005")
        assert r.grant <= r.total * cofin < r.grant + CENT  # rounded down, never above the rate
    assert sum(ln.cost for ln in lines) == total.direct


@given(money, qty)
def test_line_cost_rounds_half_up(unit, quantity):
    """Is a line's cost quantity × unit cost rounded half-up to the cent?"""
    cost = Line("A", "staff", "", quantity, unit).cost
    assert cost == (quantity * unit).quantize(CENT, ROUND_HALF_UP)


def test_xlsx_and_csv_match_the_computation():
    """Do the budget XLSX (read by openpyxl) and CSV hold the computed cents?"""
    import csv
    import io

    from openpyxl import load_workbook

    lines = [Line("Lead", "staff", "coordinator", Decimal("12"), Decimal("1500.00"))]
    rows, total = compute(lines, Decimal("0.07"), Decimal("0.8"), ["Lead"])
    labels = {k: k for k in ["partner", "direct", "indirect", "total", "grant", "own",
                             "project_total", *budget.CATEGORIES]}
    table = budget.table_rows(rows, total, labels)
    wb = load_workbook(io.BytesIO(budget.to_xlsx(lines, table, {"rate": Decimal("0.07")})))
    ws = wb["Budget"]
    header = [c.value for c in ws[1]]
    last = [c.value for c in ws[3]]
    assert last[0] == "project_total"
    assert Decimal(str(last[header.index("total")])) == Decimal("19260.00")
    assert Decimal(str(last[header.index("grant")])) == Decimal("15408.00")
    assert wb["Lines"]["F2"].value == 18000
    parsed = list(csv.reader(io.StringIO(budget.summary_csv(table))))
    assert parsed[-1][header.index("own")] == "3852.00"
