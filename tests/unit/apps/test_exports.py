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
    assert ind[1] == ["specific", "Heat use, MWh/yr", "900", "630", "meter readings"]
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
