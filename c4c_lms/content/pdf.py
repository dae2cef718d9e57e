"""PDF pages with a Cyrillic-safe font, shared by every document the apps export."""

from __future__ import annotations

from pathlib import Path


def new_pdf(orientation: str = "portrait"):
    """An A4 ``fpdf.FPDF`` page with DejaVu Sans (Cyrillic-safe) as ``"dejavu"`` (regular, bold).

    The font is the one matplotlib ships, so no font download is needed. fpdf2 and matplotlib
    are imported here, not at the top, because apps load this module before any export is asked for.
    """
    import matplotlib
    from fpdf import FPDF

    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf = FPDF(orientation=orientation, format="A4")
    pdf.add_font("dejavu", "", str(ttf / "DejaVuSans.ttf"))
    pdf.add_font("dejavu", "B", str(ttf / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_font("dejavu", size=10)
    return pdf
