"""Project budget: lines by category and partner, indirect costs, grant and own contribution.

All money is :class:`decimal.Decimal` in euro with two decimals; nothing passes through float.
Rounding rules (stated in the app and the exports):

* a line's cost is ``quantity × unit cost``, rounded half-up to the cent;
* indirect costs are a flat rate on each partner's direct costs, rounded half-up to the cent;
* the grant is the co-financing rate × each partner's total, rounded **down** to the cent, so the
  grant never exceeds the programme's maximum rate; the own contribution is the rest, so
  ``grant + own == total`` holds exactly for every partner;
* project totals are the sums of the partners' rounded figures, so partner rows always add up
  to the total row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from c4c_lms.core.files import neutralise_formula

CENT = Decimal("0.01")
CATEGORIES = ("staff", "travel", "equipment", "works", "services", "other")
COLUMNS = ("partner", "category", "description", "quantity", "unit_cost")


class BudgetInputError(ValueError):
    """A value cannot be read; ``field`` and ``row`` (1-based or ``None``) say where."""

    def __init__(self, key: str, field: str, value: str, row: int | None = None):
        self.key, self.field, self.value, self.row = key, field, value, row
        super().__init__(f"{key}: row {row}, {field}: {value!r}")


def parse_amount(text: object, field: str = "unit_cost", row: int | None = None,
                 places: int = 2) -> Decimal:
    """Read a non-negative number typed the Ukrainian or the English way.

    Spaces (also non-breaking) are thousands separators. With only a comma, the comma is the
    decimal mark (``1 234,50``); with both marks, the last one is the decimal mark
    (``1,234.50`` or ``1.234,50``).

    Parameters
    ----------
    text : object
        What the learner typed (``str``, ``int`` or ``Decimal``).
    field, row : str, int or None
        Where the value came from, for the error message.
    places : int
        Most decimals allowed (2 for money).

    Raises
    ------
    BudgetInputError
        With ``key`` ``"not_a_number"``, ``"negative"`` or ``"too_many_decimals"``.
    """
    raw = str(text).strip()
    s = raw.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    else:
        s = s.replace(",", ".")
    if s == "" or not all(c.isdigit() or c in ".-" for c in s):
        raise BudgetInputError("not_a_number", field, raw, row)
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise BudgetInputError("not_a_number", field, raw, row) from None
    if value < 0:
        raise BudgetInputError("negative", field, raw, row)
    if -value.as_tuple().exponent > places and value != value.quantize(Decimal(1).scaleb(-places)):
        raise BudgetInputError("too_many_decimals", field, raw, row)
    return value


def message(error: BudgetInputError, lang: str) -> str:
    """The error as a sentence naming the row and field, in ``lang`` (planner catalogue)."""
    from c4c_lms.core.i18n import Catalogue

    m = Catalogue.load("project_planner")
    return m.t(f"bg_err_{error.key}", lang, row=error.row, field=m.t(f"bg_{error.field}", lang),
               value=error.value)


def parse_rate(text: object, field: str, row: int | None = None) -> Decimal:
    """A rate typed as a percentage (``7``, ``7 %``, ``90,5``) returned as a fraction 0-1."""
    value = parse_amount(str(text).replace("%", ""), field, row, places=4)
    if value > 100:
        raise BudgetInputError("rate_over_100", field, str(text), row)
    return value / 100


@dataclass(frozen=True)
class Line:
    """One budget line: ``quantity`` × ``unit_cost`` for one partner and one category."""

    partner: str
    category: str
    description: str
    quantity: Decimal
    unit_cost: Decimal

    @property
    def cost(self) -> Decimal:
        return (self.quantity * self.unit_cost).quantize(CENT, ROUND_HALF_UP)


def lines_from_rows(rows: list[dict]) -> tuple[list[Line], list[BudgetInputError]]:
    """Turn the editor's rows (strings) into lines; empty rows are skipped, bad rows reported.

    Returns every good line and one error per bad field, so the learner sees all problems at once.
    """
    lines: list[Line] = []
    errors: list[BudgetInputError] = []
    for i, row in enumerate(rows, start=1):
        if not any(str(row.get(c, "")).strip() for c in COLUMNS):
            continue
        partner = str(row.get("partner", "")).strip()
        category = str(row.get("category", "")).strip() or "other"
        found: dict[str, Decimal] = {}
        if not partner:
            errors.append(BudgetInputError("partner_missing", "partner", "", i))
        if category not in CATEGORIES:
            errors.append(BudgetInputError("unknown_category", "category", category, i))
        for name, places in (("quantity", 4), ("unit_cost", 2)):
            try:
                found[name] = parse_amount(row.get(name, ""), name, i, places)
            except BudgetInputError as exc:
                errors.append(exc)
        if len(found) == 2 and partner and category in CATEGORIES:
            lines.append(Line(partner, category, str(row.get("description", "")).strip(),
                              found["quantity"], found["unit_cost"]))
    return lines, errors


@dataclass(frozen=True)
class PartnerTotals:
    """One partner's (or the project's) figures, all in euro with cents."""

    partner: str
    by_category: dict[str, Decimal]
    direct: Decimal
    indirect: Decimal
    total: Decimal
    grant: Decimal
    own: Decimal


def compute(lines: list[Line], indirect_rate: Decimal, cofinancing_rate: Decimal,
            partners: list[str] | None = None) -> tuple[list[PartnerTotals], PartnerTotals]:
    """Totals per partner and for the project, following the module's rounding rules.

    Parameters
    ----------
    lines : list of Line
    indirect_rate, cofinancing_rate : Decimal
        Fractions between 0 and 1 (7 % is ``Decimal("0.07")``).
    partners : list of str, optional
        Order of the partner rows; partners with lines but not listed come after, in order seen.

    Returns
    -------
    (list of PartnerTotals, PartnerTotals)
        The partner rows and the project row (partner ``""``), which is their exact sum.
    """
    order = list(dict.fromkeys([*(partners or []), *(ln.partner for ln in lines)]))
    rows = []
    for p in order:
        own_lines = [ln for ln in lines if ln.partner == p]
        cats = {c: sum((ln.cost for ln in own_lines if ln.category == c), Decimal("0.00"))
                for c in CATEGORIES}
        direct = sum(cats.values(), Decimal("0.00"))
        indirect = (direct * indirect_rate).quantize(CENT, ROUND_HALF_UP)
        total = direct + indirect
        grant = (total * cofinancing_rate).quantize(CENT, ROUND_DOWN)
        rows.append(PartnerTotals(p, cats, direct, indirect, total, grant, total - grant))

    def col(name: str) -> Decimal:
        return sum((getattr(r, name) for r in rows), Decimal("0.00"))

    cats = {c: sum((r.by_category[c] for r in rows), Decimal("0.00")) for c in CATEGORIES}
    project = PartnerTotals("", cats, col("direct"), col("indirect"), col("total"),
                            col("grant"), col("own"))
    return rows, project


def euro(value: Decimal) -> str:
    """``12 345.60`` style (thin space thousands, point decimals), the same in both languages."""
    return f"{value:,.2f}".replace(",", "\u202f")


def table_rows(rows: list[PartnerTotals], project: PartnerTotals,
               labels: dict[str, str]) -> list[list[str]]:
    """The summary as text rows (header first) for CSV, XLSX, DOCX and the app's table.

    ``labels`` maps ``partner``, ``direct``, ``indirect``, ``total``, ``grant``, ``own``,
    ``project_total`` and each category to its text in the learner's language.
    """
    head = [labels["partner"], *(labels[c] for c in CATEGORIES),
            labels["direct"], labels["indirect"], labels["total"], labels["grant"], labels["own"]]
    out = [head]
    for r in [*rows, project]:
        name = r.partner or labels["project_total"]
        out.append([name, *(f"{r.by_category[c]:.2f}" for c in CATEGORIES),
                    *(f"{getattr(r, k):.2f}" for k in ("direct", "indirect", "total", "grant", "own"))])
    return out


def lines_csv(lines: list[Line]) -> str:
    """The budget lines as CSV text (UTF-8, point decimals, one row per line)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([*COLUMNS, "cost"])
    for ln in lines:
        w.writerow([neutralise_formula(v) for v in (ln.partner, ln.category, ln.description, ln.quantity,
                                                     f"{ln.unit_cost:.2f}", f"{ln.cost:.2f}")])
    return buf.getvalue()


def summary_csv(table: list[list[str]]) -> str:
    """CSV text of :func:`table_rows` output."""
    buf = io.StringIO()
    csv.writer(buf).writerows([neutralise_formula(v) for v in row] for row in table)
    return buf.getvalue()


def to_xlsx(lines: list[Line], table: list[list[str]], rates: dict[str, Decimal],
            sheet_names: tuple[str, str] = ("Budget", "Lines"), line_headers: list[str] | None = None,
            category_names: dict[str, str] | None = None) -> bytes:
    """An Excel workbook: the summary (numbers as numbers, EUR format) and the lines, with the
    lines' headers and category names in the learner's language when given.

    Cells hold the exact cent values computed here, not formulas, so Excel shows the same
    figures as the app and the concept note.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_names[0]
    ws.append([neutralise_formula(v) for v in table[0]])  # openpyxl stores "=…" text as a formula
    for row in table[1:]:
        ws.append([neutralise_formula(row[0]), *(Decimal(v) for v in row[1:])])
    for cell in ws[1] + ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.append([])
    for name, value in rates.items():
        ws.append([neutralise_formula(name), value])
    for row in ws.iter_rows(min_row=2, max_row=len(table), min_col=2):
        for cell in row:
            cell.number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 28
    wl = wb.create_sheet(sheet_names[1])
    wl.append([neutralise_formula(v) for v in (line_headers or [*COLUMNS, "cost"])])
    names = category_names or {}
    for ln in lines:
        wl.append([neutralise_formula(ln.partner), neutralise_formula(names.get(ln.category, ln.category)),
                   neutralise_formula(ln.description), ln.quantity, ln.unit_cost, ln.cost])
    for row in wl.iter_rows(min_row=2, min_col=5, max_col=6):
        for cell in row:
            cell.number_format = "#,##0.00"
    wl.column_dimensions["A"].width, wl.column_dimensions["C"].width = 22, 36
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
