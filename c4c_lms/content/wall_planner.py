"""The events calendar's 12-month wall planner: one A4 landscape page, PDF and PNG.

Twelve month blocks (6 columns × 2 rows), each listing its entries by day with a colour square
per kind; preparation reminders appear in the month they fall in; a legend and the community's
name. Every label is at least :data:`MIN_PT` points. Drawn once with matplotlib (DejaVu Sans,
Cyrillic-safe, shipped with matplotlib) and saved as vector PDF and as PNG.

``entries`` are the plan's entries: objects with ``start`` (a date), ``title(lang)``, ``kind``
(``event``, ``deadline``, ``session``, ``own``), and optionally ``certainty`` and ``reminder``
(as :class:`c4c_lms.content.calendar.Entry` has).
"""

from __future__ import annotations

import io
from datetime import date

from c4c_lms.core.i18n import Catalogue, check_language

M = Catalogue.load("wall_planner")
MIN_PT = 8.0  # the smallest text on the page
KINDS = {"event": "#1976d2", "deadline": "#c62828", "session": "#6a1b9a", "own": "#2e7d32"}
OTHER = "#455a64"
PAGE_IN = (11.69, 8.27)  # A4 landscape, inches
COLUMNS, ROWS = 6, 2
LINE_PT = MIN_PT * 1.3  # line height of an 8-pt label
GEOMETRY = {"margin": 24.0, "title": 44.0, "legend": 30.0, "indent": 17.0, "pad": 6.0}  # points


def text_width(text: str, size: float = MIN_PT) -> float:
    """Width in points of ``text`` in DejaVu Sans at ``size`` (matplotlib's own measure)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    width, _h, _d = TextToPath().get_text_width_height_descent(text, FontProperties(family="DejaVu Sans", size=size),
                                                               ismath=False)  # fmt: skip
    return width


def wrap(text: str, width_pt: float, size: float = MIN_PT) -> list[str]:
    """``text`` in lines no wider than ``width_pt`` (words kept whole; a word wider than a line
    is cut with a hyphen, so nothing crosses a block's edge)."""
    lines, line = [], ""
    for word in text.split():
        while text_width(word, size) > width_pt:  # a very long word: cut it
            cut = max(1, int(len(word) * width_pt / text_width(word, size)) - 1)
            lines += [line] if line else []
            lines.append(word[:cut] + "-")
            line, word = "", word[cut:]
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size) <= width_pt:
            line = candidate
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines or [""]


def month_names(lang: str) -> list[str]:
    """Stand-alone month names ("січень", "January") from babel's CLDR data."""
    from babel.dates import get_month_names  # babel's locale data loads on first use

    names = get_month_names("wide", context="stand-alone", locale=check_language(lang))
    return [names[m][:1].upper() + names[m][1:] for m in range(1, 13)]


def _lines(entries, year: int, month: int, lang: str, width_pt: float) -> list[tuple[str, str, bool]]:
    """(text, colour, first line of an item) for one month: entries on their day and
    reminders ("prepare from ...") in the month they fall in, by date."""
    items = []
    for e in entries:
        colour = KINDS.get(getattr(e, "kind", ""), OTHER)
        if e.start.year == year and e.start.month == month:
            mark = "" if getattr(e, "certainty", "exact") == "exact" else " (?)"
            items.append((e.start, 0, f"{e.start:%d}  {e.title(lang)}{mark}", colour))
        reminder = getattr(e, "reminder", None)
        if reminder and reminder.year == year and reminder.month == month:
            text = M.t("prepare", lang, day=f"{reminder:%d}", title=e.title(lang),
                       date=f"{e.start:%d.%m}")  # fmt: skip
            items.append((reminder, 1, text, colour))
    lines = []
    for _day, _order, text, colour in sorted(items, key=lambda i: (i[0], i[1], i[2])):
        for n, part in enumerate(wrap(text, width_pt)):
            lines.append((part, colour, n == 0))
    return lines


def wall_figure(entries, year: int, community: str, lang: str = "uk"):
    """The wall planner as a matplotlib ``Figure`` (A4 landscape)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    check_language(lang)
    fig = Figure(figsize=PAGE_IN)
    width_pt, height_pt = PAGE_IN[0] * 72, PAGE_IN[1] * 72
    margin, title_h, legend_h = GEOMETRY["margin"], GEOMETRY["title"], GEOMETRY["legend"]
    block_w = (width_pt - 2 * margin) / COLUMNS
    block_h = (height_pt - 2 * margin - title_h - legend_h) / ROWS

    def fx(x_pt: float) -> float:
        return x_pt / width_pt

    def fy(y_pt: float) -> float:  # from the top
        return 1 - y_pt / height_pt

    title = M.t("title", lang, community=community, year=year) if community else M.t("title_plain", lang, year=year)
    fig.text(fx(margin), fy(margin + 16), title, fontsize=16, fontweight="bold")
    names = month_names(lang)
    room = int((block_h - 26) // LINE_PT)  # label lines that fit under a month's name
    for month in range(1, 13):
        col, row = (month - 1) % COLUMNS, (month - 1) // COLUMNS
        x0, y0 = margin + col * block_w, margin + title_h + row * block_h
        fig.add_artist(Rectangle((fx(x0 + 2), fy(y0 + block_h - 2)), fx(block_w - 4) - fx(0),
                                 (block_h - 4) / height_pt, transform=fig.transFigure, fill=False,
                                 edgecolor="#9e9e9e", linewidth=0.8))  # fmt: skip
        fig.text(fx(x0 + 8), fy(y0 + 18), names[month - 1], fontsize=12, fontweight="bold")
        text_w = block_w - GEOMETRY["indent"] - GEOMETRY["pad"]
        lines = _lines(entries, year, month, lang, text_w)
        if len(lines) > room:  # the rest is in the CSV and .ics; say how many items are left out
            keep = room - len(wrap(M.t("more", lang, count=len(lines)), text_w))
            while keep > 0 and not lines[keep][2]:  # never cut an item in half
                keep -= 1
            hidden = sum(1 for _t, _c, first in lines[keep:] if first)
            more = wrap(M.t("more", lang, count=hidden), text_w)
            lines = lines[:keep] + [(m, "#424242", n == 0) for n, m in enumerate(more)]
        for i, (text, colour, first) in enumerate(lines):
            y = y0 + 34 + i * LINE_PT
            if first:
                fig.add_artist(Rectangle((fx(x0 + 8), fy(y)), 5.5 / width_pt, 5.5 / height_pt,
                                         transform=fig.transFigure, color=colour))  # fmt: skip
            fig.text(fx(x0 + GEOMETRY["indent"]), fy(y), text, fontsize=MIN_PT, color="#212121", va="baseline")
    # legend
    y = height_pt - margin - 10
    x = margin + 4
    fig.text(fx(x), fy(y), M.t("legend", lang), fontsize=9, fontweight="bold", va="baseline")
    x += 16 + 5.6 * len(M.t("legend", lang))
    for kind, colour in KINDS.items():
        fig.add_artist(Rectangle((fx(x), fy(y)), 7 / width_pt, 7 / height_pt,
                                 transform=fig.transFigure, color=colour))  # fmt: skip
        label = M.t(f"kind_{kind}", lang)
        fig.text(fx(x + 11), fy(y), label, fontsize=9, va="baseline")
        x += 24 + 5.2 * len(label)
    fig.text(fx(x + 10), fy(y), M.t("legend_notes", lang), fontsize=MIN_PT, va="baseline", color="#424242")
    return fig


def to_pdf(entries, year: int, community: str, lang: str = "uk") -> bytes:
    """The wall planner as a one-page A4 landscape PDF (vector text, fonts embedded)."""
    buf = io.BytesIO()
    wall_figure(entries, year, community, lang).savefig(
        buf, format="pdf", metadata={"Title": M.t("title_plain", lang, year=year), "Creator": "C4C Workbench"})
    return buf.getvalue()


def to_png(entries, year: int, community: str, lang: str = "uk", dpi: int = 150) -> bytes:
    """The wall planner as a PNG (A4 landscape at ``dpi``)."""
    buf = io.BytesIO()
    wall_figure(entries, year, community, lang).savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


__all__ = ["MIN_PT", "month_names", "wall_figure", "to_pdf", "to_png"]


def _example() -> None:  # pragma: no cover - a manual preview: python -m c4c_lms.content.wall_planner
    from c4c_lms.content.calendar import Entry

    plan = [Entry("a", "Тиждень сталої енергії", "EU Sustainable Energy Week", date(2025, 6, 10), "event",
                  remind_weeks=6),
            Entry("b", "Дедлайн CERV: громадяни", "CERV deadline", date(2025, 9, 18), "deadline", remind_weeks=8)]
    with open("/tmp/wall.pdf", "wb") as fh:
        fh.write(to_pdf(plan, 2025, "Сонячна громада", "uk"))


if __name__ == "__main__":  # pragma: no cover
    _example()
