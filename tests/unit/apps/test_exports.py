"""Concept note and tables, read back by independent readers (python-docx, openpyxl, pypdf)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from planner_sample import events, programmes, sample_project

from c4c_lms.content import funding
from c4c_lms.content import planner_export as pe


@pytest.fixture(scope="module")
def blocks_en():
    p = sample_project()
    ranked = funding.rank(programmes(), p["themes"], "municipality", Decimal("40000"),
                          dt.date(2026, 6, 1), events())
    matches = [{"name": r["name_en"], "score": r["score"], "why": funding.explain(r["reasons"], "en")}
               for r in ranked]
    return pe.concept_note_blocks(p, "en", matches)


def test_docx_reads_back_with_tables(blocks_en):
    """Does python-docx find the title, headings, logframe and budget figures in the DOCX?"""
    from docx import Document

    doc = Document(io.BytesIO(pe.to_docx(blocks_en)))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["Warm schools", "Problem", "Objectives"]
    assert {"Logical framework", "Work plan", "Partnership", "Budget (EUR)", "Risks",
            "Possible funding"} <= set(headings)
    cells = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    assert ["Lead applicant", "Zhovkva"] in cells
    assert ["Budget", "EUR 46\u202f812.39"] in cells
    assert any(r[0] == "Result R1" and "Windows replaced (0 → 120)" in r[2] for r in cells)
    total = next(r for r in cells if r[0] == "Project total")
    assert total[-3:] == ["46812.39", "42131.14", "4681.25"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Energy fund" in text and "rounded down to the cent" in text


def test_markdown_has_the_same_content(blocks_en):
    """Does the Markdown hold the same headings and the logframe as a pipe table?"""
    md = pe.to_markdown(blocks_en)
    assert md.startswith("# Warm schools\n")
    assert "## Logical framework" in md and "| Result R1 | Improved windows" not in md
    assert "| Result R1 | Modern windows | Windows replaced (0 → 120) | acceptance report |" in md


def test_pdf_text_extracts_in_ukrainian():
    """Does pypdf extract the Ukrainian headings and figures from the PDF (font covers Cyrillic)?"""
    from pypdf import PdfReader

    p = sample_project()
    p["title"] = "Теплі школи Жовкви"
    reader = PdfReader(io.BytesIO(pe.to_pdf(pe.concept_note_blocks(p, "uk"))))
    text = " ".join(page.extract_text() for page in reader.pages)
    for part in ("Теплі школи Жовкви", "Логічна матриця", "Бюджет", "46812.39", "Ризики"):
        assert part in text


def test_logframe_xlsx_and_csv():
    """Do the logframe XLSX (openpyxl) and CSV hold the 4×4 rows and the indicators sheet?"""
    from openpyxl import load_workbook

    p = sample_project()
    wb = load_workbook(io.BytesIO(pe.logframe_xlsx(p, "en")))
    rows = [[c.value for c in r] for r in wb["Logframe"].iter_rows()]
    assert rows[0] == ["Level", "Intervention logic", "Indicators (baseline → target)",
                       "Sources of verification", "Assumptions"]
    assert [r[0] for r in rows[1:]] == ["Overall objective", "Specific objective", "Result R1",
                                        "Activity A1.1", "Result R2", "Activity A2.1"]
    ind = [[c.value for c in r] for r in wb["Indicators"].iter_rows()]
    assert ind[1] == ["Specific objective", "Heat use, MWh/yr", "900", "630", "meter readings"]
    assert list(csv.reader(io.StringIO(pe.logframe_csv(p, "en")))) == [
        [str(v or "") for v in r] for r in rows]


def test_budget_xlsx_and_csv_agree():
    """Do the budget XLSX and CSV give the same project total and grant?"""
    from openpyxl import load_workbook

    p = sample_project()
    wb = load_workbook(io.BytesIO(pe.budget_xlsx(p, "uk")))
    ws = wb["Бюджет"]
    header = [c.value for c in ws[1]]
    last = [c.value for c in ws[4]]
    assert last[0] == "Проєкт разом"
    assert Decimal(str(last[header.index("Грант")])) == Decimal("42131.14")
    rows = list(csv.reader(io.StringIO(pe.budget_csv(p, "uk"))))
    assert rows[-1][header.index("Грант")] == "42131.14"
    assert wb["Рядки"].max_row == 3


def test_empty_project_still_exports():
    """Can a project with nothing filled in be exported without errors?"""
    from c4c_lms.content import planner

    blocks = pe.concept_note_blocks(planner.new_project(), "uk")
    assert blocks[0] == ("h1", "Проєкт без назви")
    assert pe.to_docx(blocks) and pe.to_pdf(blocks) and pe.to_markdown(blocks)


def _pdf_pages(blocks) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(pe.to_pdf(blocks))).pages]


def test_pdf_tables_never_break_numbers_or_words():
    """With a six-figure budget line, is every number and every word of every table extracted whole
    from the PDF (no "350000.5|0", "Персона|л"), in both languages?"""
    p = sample_project()
    p["budget"]["lines"].append({"partner": p["budget"]["lines"][0]["partner"], "category": "staff",
                                 "description": "Персонал проєкту", "quantity": "1", "unit_cost": "350000,50"})
    for lang in ("uk", "en"):
        blocks = pe.concept_note_blocks(p, lang)
        words = [(line.split()) for page in _pdf_pages(blocks) for line in page.splitlines()]
        tokens = {w for line in words for w in line}
        tables = [rows for kind, rows in blocks if kind == "table"]
        assert any("350000.50" in cell for rows in tables for row in rows for cell in row)
        for rows in tables:
            for row in rows:
                for cell in row:
                    for word in cell.split():
                        assert word in tokens, f"{lang}: {word!r} is broken in the PDF"


def test_pdf_headings_stay_with_their_tables():
    """Is each table's heading on the same page as the table's header row, even when a long
    problem text pushes the tables down the page?"""
    p = sample_project()
    p["problem_tree"]["causes"] = [f"Cause number {i} with a long explanation of the situation" for i in range(28)]
    blocks = pe.concept_note_blocks(p, "en")
    pages = _pdf_pages(blocks)
    assert len(pages) >= 2
    for i, (kind, value) in enumerate(blocks[:-1]):
        if kind == "h2" and blocks[i + 1][0] == "table":
            first_cell = blocks[i + 1][1][0][0].split()[0]
            page = next(n for n, text in enumerate(pages) if value in text)
            assert first_cell in pages[page].split(value, 1)[1], f"{value!r} is separated from its table"


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_xlsx_sheets_headers_and_levels_follow_the_language(lang):
    """Are sheet names, headers, category and logframe level names in the chosen language only
    (no "works", "overall" or "Logframe" in the Ukrainian workbook), with number formats?"""
    from openpyxl import load_workbook

    p = sample_project()
    m = pe._m()
    budget_wb = load_workbook(io.BytesIO(pe.budget_xlsx(p, lang)))
    lines = budget_wb[m.t("bg_sheet_lines", lang)]
    assert [c.value for c in lines[1]] == [m.t(f"bg_{k}", lang) for k in
                                          ("partner", "category", "description", "quantity", "unit_cost", "cost")]
    categories = {row[1].value for row in lines.iter_rows(min_row=2)}
    assert categories and categories <= {m.t(f"bg_{c}", lang) for c in ("staff", "travel", "equipment", "works",
                                                                           "services", "other")}
    assert all(row[5].number_format == "#,##0.00" for row in lines.iter_rows(min_row=2))
    lf_wb = load_workbook(io.BytesIO(pe.logframe_xlsx(p, lang)))
    assert lf_wb.sheetnames == [m.t("lf_sheet", lang), m.t("ind_sheet", lang)]
    levels = {row[0].value for row in lf_wb[m.t("ind_sheet", lang)].iter_rows(min_row=2)}
    assert not levels & {"overall", "specific"} and m.t("lf_specific", lang) in levels
    if lang == "uk":
        cells = " ".join(str(c.value) for wb in (budget_wb, lf_wb) for ws in wb for row in ws.iter_rows()
                         for c in row if c.value is not None and not isinstance(c.value, (int, float)))
        for english in ("works", "travel", "overall", "specific", "Logframe", "unit_cost"):
            assert english not in cells.split(), english
