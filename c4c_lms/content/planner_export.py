"""Exports of a priority-project plan: concept note (DOCX, Markdown, PDF), logframe (XLSX, CSV).

The concept note is built once as a list of blocks -- ``("h1", text)``, ``("h2", text)``,
``("p", text)``, ``("table", rows)`` -- and each format renders those blocks, so the three files
always say the same thing. Headings come from the ``project_planner`` catalogue in the
learner's language; the content is the learner's own text.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from c4c_lms.content import budget
from c4c_lms.content import planner
from c4c_lms.core.files import neutralise_formula
from c4c_lms.core.i18n import Catalogue

Block = tuple[str, object]


def _m() -> Catalogue:
    return Catalogue.load("project_planner")


def budget_figures(project: dict):
    """Lines, partner rows and project row of the project's budget (bad rows are left out)."""
    b = project["budget"]
    lines, _ = budget.lines_from_rows(b["lines"])
    try:
        indirect = budget.parse_rate(b.get("indirect_rate", "0"), "indirect_rate")
        cofin = budget.parse_rate(b.get("cofinancing_rate", "100"), "cofinancing_rate")
    except budget.BudgetInputError:
        indirect, cofin = Decimal(0), Decimal(1)
    rows, total = budget.compute(lines, indirect, cofin, planner.partner_names(project))
    return lines, rows, total, indirect, cofin


def budget_labels(lang: str) -> dict[str, str]:
    """Column and category names of the budget table in ``lang``."""
    m = _m()
    keys = ["partner", "direct", "indirect", "total", "grant", "own", "project_total",
            *budget.CATEGORIES]
    return {k: m.t(f"bg_{k}", lang) for k in keys}


def logframe_table(project: dict, lang: str) -> list[list[str]]:
    """The 4-column logframe as text rows, header first; activities follow their result."""
    m, lf = _m(), project["logframe"]
    inds = [x for x in lf["indicators"] if str(x.get("text", "")).strip()]

    def ind(level: str) -> tuple[str, str]:
        mine = [x for x in inds if x.get("level", "").strip() == level]
        text = "\n".join(f"{x['text']} ({x.get('baseline', '')} → {x.get('target', '')})" for x in mine)
        return text, "\n".join(x.get("source", "") for x in mine if x.get("source", "").strip())

    head = [m.t(f"lf_col_{c}", lang) for c in ("level", "logic", "indicators", "sources", "assumptions")]
    out = [head]
    for level in ("overall", "specific"):
        out.append([m.t(f"lf_{level}", lang), lf[level], *ind(level), lf[f"{level}_assumptions"]])
    for r in lf["results"]:
        if not str(r.get("text", "")).strip():
            continue
        rid = r.get("id", "").strip()
        out.append([f"{m.t('lf_result', lang)} {rid}", r["text"], *ind(rid), r.get("assumptions", "")])
        for a in lf["activities"]:
            if a.get("result", "").strip() == rid and str(a.get("text", "")).strip():
                out.append([f"{m.t('lf_activity', lang)} {a.get('id', '')}", a["text"],
                            a.get("inputs", ""), "", a.get("assumptions", "")])
    return out


def concept_note_blocks(project: dict, lang: str, matches: list[dict] | None = None) -> list[Block]:
    """The concept note's content as blocks (see the module docstring).

    ``matches`` are funding matches already ranked by :func:`c4c_lms.content.funding.rank` (the first
    five are listed); without them the section is left out.
    """
    m = _m()
    t = lambda key, **kw: m.t(key, lang, **kw)  # noqa: E731
    blocks: list[Block] = [("h1", project["title"].strip() or t("untitled"))]
    start = planner.parse_start(project.get("start", ""))
    lines, rows, total, indirect, cofin = budget_figures(project)
    blocks.append(("table", [
        [t("cn_lead"), next(iter(planner.partner_names(project)), "")],
        [t("cn_period"), t("cn_period_value", start=project.get("start", "") or "—",
                           months=project.get("duration_months", ""))],
        [t("cn_budget"), f"EUR {budget.euro(total.total)}"],
        [t("cn_grant"), f"EUR {budget.euro(total.grant)} ({cofin * 100:.0f} %)"],
    ]))
    pt, ot = project["problem_tree"], project["objective_tree"]
    blocks += [("h2", t("cn_problem")), ("p", pt["core"])]
    if pt["causes"]:
        blocks.append(("p", t("cn_causes") + " " + "; ".join(pt["causes"])))
    if pt["effects"]:
        blocks.append(("p", t("cn_effects") + " " + "; ".join(pt["effects"])))
    blocks += [("h2", t("cn_objectives")), ("p", f"{t('lf_overall')}: {project['logframe']['overall']}"),
               ("p", f"{t('lf_specific')}: {project['logframe']['specific']}")]
    if ot["means"]:
        blocks.append(("p", t("cn_means") + " " + "; ".join(ot["means"])))
    blocks += [("h2", t("cn_logframe")), ("table", logframe_table(project, lang))]
    acts = [a for a in project["logframe"]["activities"] if str(a.get("text", "")).strip()]
    if acts:
        wp = [[t("wp_col_activity"), t("wp_col_from"), t("wp_col_to"), t("wp_col_partner")]]
        for a in acts:
            s, e = planner.parse_month(a.get("start", "")), planner.parse_month(a.get("end", ""))
            wp.append([f"{a.get('id', '')} {a['text']}", planner.month_label(start, s) if s else "",
                       planner.month_label(start, e) if e else "", a.get("partner", "")])
        blocks += [("h2", t("cn_workplan")), ("table", wp)]
    prow = [r for r in project["partners"]["rows"] if str(r.get("name", "")).strip()]
    if prow:
        pt_rows = [[t("pt_col_name"), t("pt_col_country"), t("pt_col_role"), t("pt_col_contribution")]]
        pt_rows += [[r["name"], r.get("country", ""), t(f"role_{r.get('role', 'partner')}"),
                     r.get("contribution", "")] for r in prow]
        blocks += [("h2", t("cn_partners")), ("table", pt_rows)]
        pairs = planner.mutual_beneficiaries(project)
        if project["partners"].get("joint_domestic") and pairs:
            blocks.append(("p", t("cn_mutual") + " " + "; ".join(f"{a} ↔ {b}" for a, b in pairs)))
    if lines:
        blocks += [("h2", t("cn_budget_h")),
                   ("table", budget.table_rows(rows, total, budget_labels(lang))),
                   ("p", t("bg_rounding_note", indirect=f"{(indirect * 100).normalize():f}",
                                cofin=f"{(cofin * 100).normalize():f}"))]
    if matches:
        blocks.append(("h2", t("cn_funding")))
        for x in matches[:5]:
            blocks.append(("p", f"{x['name']} — {x['score']}/100. {x['why']}"))
    risks, _ = planner.scored_risks(project)
    if risks:
        rk = [[t("rk_col_risk"), t("rk_col_score"), t("rk_col_mitigation")]]
        rk += [[r["risk"], f"{r['likelihood']}×{r['impact']} = {r['score']} ({t('level_' + r['level'])})",
                r.get("mitigation", "")] for r in risks]
        blocks += [("h2", t("cn_risks")), ("table", rk)]
    return blocks


def to_markdown(blocks: list[Block]) -> str:
    """Markdown text (pipe tables; line breaks inside cells become ``<br>``)."""
    out: list[str] = []
    for kind, value in blocks:
        if kind == "h1":
            out.append(f"# {value}\n")
        elif kind == "h2":
            out.append(f"## {value}\n")
        elif kind == "p":
            out.append(f"{value}\n")
        else:
            rows = [[str(c).replace("|", "\\|").replace("\n", "<br>") for c in r] for r in value]
            out.append("| " + " | ".join(rows[0]) + " |")
            out.append("|" + "---|" * len(rows[0]))
            out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
            out.append("")
    return "\n".join(out)


def to_docx(blocks: list[Block]) -> bytes:
    """An editable Word document (python-docx; built-in heading and table styles)."""
    from docx import Document

    doc = Document()
    for kind, value in blocks:
        if kind in ("h1", "h2"):
            doc.add_heading(str(value), level=1 if kind == "h1" else 2)
        elif kind == "p":
            doc.add_paragraph(str(value))
        else:
            table = doc.add_table(rows=len(value), cols=len(value[0]))
            table.style = "Table Grid"
            for i, row in enumerate(value):
                for j, cell in enumerate(row):
                    table.cell(i, j).text = str(cell)
            for cell in table.rows[0].cells:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            doc.add_paragraph()
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def to_pdf(blocks: list[Block]) -> bytes:
    """A PDF with the same content (fpdf2, DejaVu Sans from matplotlib so Ukrainian prints).

    Tables get column widths that fit each column's longest word or number, so nothing is
    broken inside a number or a word (a smaller font, then a transposed table, when needed);
    a heading moves to the next page with the table or text that follows it.
    """
    from c4c_lms.content.pdf import new_pdf

    pdf = new_pdf()
    pdf.set_auto_page_break(True, margin=15)
    for i, (kind, value) in enumerate(blocks):
        if kind in ("h1", "h2"):
            following = blocks[i + 1][0] if i + 1 < len(blocks) else ""
            keep = 45 if following == "table" else 25  # heading + table head and first rows
            if pdf.get_y() > pdf.h - 15 - keep:
                pdf.add_page()
            pdf.set_font("dejavu", "B", 16 if kind == "h1" else 12)
            pdf.multi_cell(0, 8, str(value), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif kind == "p":
            pdf.set_font("dejavu", "", 10)
            pdf.multi_cell(0, 5, str(value), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        else:
            rows = [[str(c) for c in row] for row in value]
            size, widths, rows = table_layout(pdf, rows, pdf.epw)
            pdf.set_font("dejavu", "", size)
            with pdf.table(first_row_as_headings=True, line_height=size * 0.55, col_widths=widths, align="LEFT", text_align="LEFT",
                           width=sum(widths)) as table:  # fmt: skip
                for row in rows:
                    table.row(row)
            pdf.ln(2)
    return bytes(pdf.output())


CELL_PADDING_MM = 2.5  # fpdf2's cell padding on both sides plus a little slack


def table_layout(pdf, rows: list[list[str]], width: float, sizes=(9, 8, 7, 6.5)):
    """(font size, column widths, rows) such that every column is at least as wide as its longest
    word or number: the largest size that fits ``width``, else the table transposed."""
    for candidate in (rows, [list(col) for col in zip(*rows)]):
        for size in sizes:
            pdf.set_font("dejavu", "B", size)  # headings are bold: measure the wider face
            least = [max(pdf.get_string_width(word) for cell in col for word in (cell.split() or [""]))
                     + CELL_PADDING_MM for col in zip(*candidate)]  # fmt: skip
            if sum(least) > width:
                continue
            full = [max(pdf.get_string_width(cell) for cell in col) + CELL_PADDING_MM for col in zip(*candidate)]
            spare = width - sum(least)
            wants = [f - m for f, m in zip(full, least)]
            if sum(wants) <= spare:  # everything fits on one line: no need to fill the page
                return size, full, candidate
            return size, [m + spare * w / sum(wants) for m, w in zip(least, wants)], candidate
    size = sizes[-1]
    return size, [width / len(rows[0])] * len(rows[0]), rows


def logframe_csv(project: dict, lang: str) -> str:
    """The logframe table as CSV text."""
    buf = io.StringIO()
    csv.writer(buf).writerows([neutralise_formula(v) for v in row] for row in logframe_table(project, lang))
    return buf.getvalue()


def logframe_xlsx(project: dict, lang: str) -> bytes:
    """The logframe as an Excel sheet (wrapped text, bold header), plus an indicators sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    m = _m()
    wb = Workbook()
    ws = wb.active
    ws.title = m.t("lf_sheet", lang)
    for row in logframe_table(project, lang):
        ws.append([neutralise_formula(v) for v in row])  # openpyxl stores "=…" text as a formula
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col, width in zip("ABCDE", (18, 45, 40, 30, 30)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    wi = wb.create_sheet(m.t("ind_sheet", lang))
    keys = ("level", "text", "baseline", "target", "source")
    wi.append([m.t(f"ind_col_{k}", lang) for k in keys])
    for x in project["logframe"]["indicators"]:
        if str(x.get("text", "")).strip():
            level = str(x.get("level", "")).strip()  # "overall"/"specific" in words, "R1" as is
            named = m.t(f"lf_{level}", lang) if level in ("overall", "specific") else level
            wi.append([neutralise_formula(v) for v in (named, *(str(x.get(k, "")) for k in keys[1:]))])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def budget_xlsx(project: dict, lang: str) -> bytes:
    """The budget summary and lines as an Excel workbook (see :func:`c4c_lms.content.budget.to_xlsx`)."""
    lines, rows, total, indirect, cofin = budget_figures(project)
    m = _m()
    rates = {m.t("bg_indirect_rate", lang): indirect, m.t("bg_cofinancing_rate", lang): cofin}
    labels = budget_labels(lang)
    heads = [m.t(f"bg_{c}", lang) for c in (*budget.COLUMNS, "cost")]
    return budget.to_xlsx(lines, budget.table_rows(rows, total, labels), rates,
                          (m.t("bg_sheet_summary", lang), m.t("bg_sheet_lines", lang)),
                          line_headers=heads, category_names={c: labels[c] for c in budget.CATEGORIES})


def budget_csv(project: dict, lang: str) -> str:
    """The budget summary (per partner and total) as CSV text."""
    _, rows, total, _, _ = budget_figures(project)
    return budget.summary_csv(budget.table_rows(rows, total, budget_labels(lang)))
