"""The printed documents as a reader sees them: each PDF rendered to PNG by poppler's pdftoppm,
its words placed by poppler's pdftotext (both independent of the writers, fpdf2 and matplotlib).

- the concept note (``planner_export.to_pdf``): no number or word broken inside a table cell,
  no word running over a cell's ruled border;
- the events calendar's wall planner as the app saves it (``calendar_export.to_pdf``): every
  label at least 8 pt and inside its month's block.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from planner_sample import sample_project

from c4c_lms.content import calendar as cal
from c4c_lms.content import calendar_export as cal_export
from c4c_lms.content import planner_export as pe
from c4c_lms.content import wall_planner as wp

DPI = 100
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)


def poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        message = f"poppler-utils ({tool}) is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " and CI=true")
        pytest.skip(message)
    return found


def render(pdf: bytes, folder: Path) -> list[tuple[object, list[tuple[float, float, float, float, str]]]]:
    """Per page: the PNG (PIL image, grey) and poppler's words with their boxes in points."""
    from PIL import Image

    (folder / "doc.pdf").write_bytes(pdf)
    subprocess.run([poppler("pdftoppm"), "-r", str(DPI), "-png", str(folder / "doc.pdf"), str(folder / "page")],
                   check=True)  # fmt: skip
    subprocess.run([poppler("pdftotext"), "-bbox", str(folder / "doc.pdf"), str(folder / "words.html")], check=True)
    pages = PAGE.findall((folder / "words.html").read_text("utf-8"))
    images = sorted(folder.glob("page*.png"))
    assert len(images) == len(pages)
    return [(Image.open(image).convert("L"),
             [(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in WORD.findall(page)])
            for image, page in zip(images, pages)]  # fmt: skip


def vertical_rules(image, min_run: int = 12) -> list[tuple[int, int, int]]:
    """(x, top, bottom) of every vertical run of dark pixels at least ``min_run`` pixels long:
    the ruled borders between table cells."""
    import numpy as np

    dark = np.asarray(image) < 110
    rules = []
    for x in np.flatnonzero(dark.sum(axis=0) >= min_run):
        column = np.concatenate(([0], dark[:, x].astype(np.int8), [0]))
        starts, ends = np.flatnonzero(np.diff(column) == 1), np.flatnonzero(np.diff(column) == -1)
        rules += [(int(x), int(a), int(b) - 1) for a, b in zip(starts, ends) if b - a >= min_run]
    return rules


def busy_plan() -> cal.Plan:
    long_en = "European Week of Regions and Cities: a session on energy efficiency in schools"
    long_uk = "Європейський тиждень регіонів і міст: секція про енергоефективність шкіл"
    entries = [cal.Entry(f"e{i}", f"{long_uk} {i}", f"{long_en} {i}", date(2026, 1 + i % 12, 1 + i % 27),
                         ("event", "deadline", "session", "own")[i % 4], remind_weeks=(0, 6)[i % 2])
               for i in range(40)]  # fmt: skip
    return cal.Plan(2026, [], entries, "Жовківська міська територіальна громада")


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_concept_note_cells_hold_whole_words(lang, tmp_path):
    """Rendered by poppler, does every word and number of every table cell come out whole
    ("350000.50", "Персонал"), and does no word run over a cell's ruled border?"""
    p = sample_project()
    p["budget"]["lines"].append({"partner": p["budget"]["lines"][0]["partner"], "category": "staff",
                                 "description": "Персонал проєкту", "quantity": "1", "unit_cost": "350000,50"})
    blocks = pe.concept_note_blocks(p, lang)
    pages = render(pe.to_pdf(blocks), tmp_path)
    words = {w[4] for _image, found in pages for w in found}
    cells = [cell for kind, rows in blocks if kind == "table" for row in rows for cell in row]
    assert any("350000.50" in cell for cell in cells)
    broken = sorted({w for cell in cells for w in cell.split() if w not in words})
    assert broken == [], f"{lang}: broken inside a cell: {broken[:10]}"
    scale = DPI / 72
    for number, (image, found) in enumerate(pages, start=1):
        rules = vertical_rules(image)
        assert rules or number > 1, "the first page's tables have no ruled borders"
        for x0, y0, x1, y1, text in found:
            top, bottom = y0 * scale + 1, y1 * scale - 1
            crossed = [x for x, r0, r1 in rules if x0 * scale + 1.5 < x < x1 * scale - 1.5 and r0 <= top and bottom <= r1]
            assert crossed == [], f"{lang}, page {number}: {text!r} runs over a cell border"


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_calendar_wall_planner_labels_are_readable(lang, tmp_path):
    """The calendar's PDF as the app saves it, rendered: one A4 landscape page whose every word is
    at least 8 pt high and lies inside one month block (or the title and legend bands)?"""
    [(image, found)] = render(cal_export.to_pdf(busy_plan(), lang), tmp_path)
    assert image.width > image.height
    g = wp.GEOMETRY
    width_pt, height_pt = wp.PAGE_IN[0] * 72, wp.PAGE_IN[1] * 72
    block_w = (width_pt - 2 * g["margin"]) / wp.COLUMNS
    top = g["margin"] + g["title"]
    bottom = height_pt - g["margin"] - g["legend"]
    in_blocks = 0
    for x0, y0, x1, y1, text in found:
        assert y1 - y0 >= wp.MIN_PT - 0.01, f"{text!r} is {y1 - y0:.1f} pt high"
        if top <= y0 and y1 <= bottom:
            in_blocks += 1
            col = int((x0 - g["margin"]) // block_w)
            assert x1 <= g["margin"] + (col + 1) * block_w, f"{text!r} crosses into the next month"
    assert in_blocks > 100
    flat = " ".join(w[4] for w in found)
    assert "Жовківська" in flat and "2026" in flat
    assert all(month in flat for month in wp.month_names(lang))
