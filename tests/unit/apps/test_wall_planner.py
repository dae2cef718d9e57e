"""The events calendar's 12-month wall planner, read back by independent readers: pypdf for the
text and its sizes, poppler's pdftoppm for the rendered page."""

from __future__ import annotations

import io
import os
import random
import shutil
import subprocess
from datetime import date

import pytest

from c4c_lms.content import wall_planner as wp
from c4c_lms.content.calendar import Entry

KINDS = ["event", "deadline", "session", "own"]


def busy_year() -> list[Entry]:
    """45 entries with long titles, reminders and unconfirmed dates, unevenly spread."""
    rng = random.Random(7)
    entries = []
    for i in range(45):
        month = rng.choice([3, 3, 3, 9, 9, 9, *range(1, 13)])
        entries.append(Entry(f"u{i}", f"Європейський тиждень регіонів і міст: секція {i} про енергоефективність",
                             f"European Week of Regions and Cities: session {i} on energy efficiency",
                             date(2025, month, rng.randint(1, 28)), KINDS[i % 4],
                             remind_weeks=rng.choice([0, 4]), certainty=rng.choice(["exact", "month"])))
    return entries


def pdftoppm() -> str:
    found = shutil.which("pdftoppm")
    if found is None:
        message = "poppler-utils (pdftoppm) is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " and CI=true")
        pytest.skip(message)
    return found


def text_sizes(pdf: bytes) -> tuple[str, list[float]]:
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(pdf)).pages[0]
    sizes: list[float] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes.append(size * (tm[3] ** 2 + tm[2] ** 2) ** 0.5 * (cm[3] ** 2 + cm[2] ** 2) ** 0.5)

    return page.extract_text(visitor_text=visit), sizes


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_wall_planner_pdf_text(lang):
    """One A4 landscape page with the community, all 12 months, the legend and labels >= 8 pt."""
    from pypdf import PdfReader

    community = "Жовківська міська громада" if lang == "uk" else "Zhovkva city community"
    pdf = wp.to_pdf(busy_year(), 2025, community, lang)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 841.9) < 2 and abs(float(box.height) - 595.4) < 2  # A4 landscape
    text, sizes = text_sizes(pdf)
    flat = " ".join(text.split())
    assert community in flat and "2025" in flat
    months = wp.month_names(lang)
    assert months[0] == ("Січень" if lang == "uk" else "January") and all(m in flat for m in months)
    for kind in KINDS:
        assert wp.M.t(f"kind_{kind}", lang) in flat
    assert wp.M.t("legend", lang) in flat
    assert sizes and min(sizes) >= wp.MIN_PT - 0.01
    more = "і ще" if lang == "uk" else "more entr"
    assert more in flat  # busy months say how much is left out, in the CSV and .ics


def test_rendered_page_keeps_labels_inside_their_month(tmp_path):
    """Rendered by pdftoppm: is every gutter between month blocks free of ink (no label crosses
    into the next month), and does each month block hold text?"""
    from PIL import Image

    (tmp_path / "wall.pdf").write_bytes(wp.to_pdf(busy_year(), 2025, "Сонячна громада", "uk"))
    dpi = 100
    subprocess.run([pdftoppm(), "-r", str(dpi), "-png", "-singlefile", str(tmp_path / "wall.pdf"),
                    str(tmp_path / "wall")], check=True)  # fmt: skip
    image = Image.open(tmp_path / "wall.png").convert("L")
    assert image.width > image.height
    g, scale = wp.GEOMETRY, dpi / 72
    width_pt, height_pt = wp.PAGE_IN[0] * 72, wp.PAGE_IN[1] * 72
    block_w = (width_pt - 2 * g["margin"]) / wp.COLUMNS
    block_h = (height_pt - 2 * g["margin"] - g["title"] - g["legend"]) / wp.ROWS
    for row in range(wp.ROWS):
        top, bottom = g["margin"] + g["title"] + row * block_h, g["margin"] + g["title"] + (row + 1) * block_h
        ys = range(int(top * scale) + 3, int(bottom * scale) - 3)
        for col in range(1, wp.COLUMNS):
            x = int((g["margin"] + col * block_w) * scale)  # the middle of the gutter
            ink = [y for y in ys if image.getpixel((x, y)) < 200]
            assert ink == [], f"a label crosses into month {row * wp.COLUMNS + col + 1}"
        for col in range(wp.COLUMNS):
            x0 = int((g["margin"] + col * block_w + g["indent"]) * scale)
            crop = image.crop((x0, int((top + 28) * scale), int(x0 + 40 * scale), int((top + 60) * scale)))
            assert crop.getextrema()[0] < 128, f"month {row * wp.COLUMNS + col + 1} shows no entries"


def test_png_export_and_empty_year():
    """Is the PNG an A4 landscape image, and does an empty plan still give a titled page?"""
    from PIL import Image

    png = wp.to_png([], 2026, "", "en", dpi=72)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and abs(image.width / image.height - 297 / 210) < 0.01
    text, _ = text_sizes(wp.to_pdf([], 2026, "", "en"))
    assert "Events plan for 2026" in " ".join(text.split())
