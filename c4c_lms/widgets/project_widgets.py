"""Module 2 tools: problem → objective tree, logframe, SMART hints, Gantt, risks, budget.

The calculations are those of the project-planner app (:mod:`c4c_lms.content.planner`,
:mod:`c4c_lms.content.budget`) and :mod:`c4c_lms.content.module_tools`, so a module and the app agree.
Notebooks reach these through :mod:`c4c_lms.widgets.module_widgets` (``mw.tree_mirror`` ...).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from decimal import Decimal

import ipywidgets as widgets
import pandas as pd

from c4c_lms.content import planner
from c4c_lms.content.budget import CATEGORIES
from c4c_lms.content.module_tools import (
    FLAT_RATES,
    LOGFRAME_COLUMNS,
    LOGFRAME_ROWS,
    cofinance,
    flat_rate_amount,
    grant_in_range,
    logframe_gaps,
)
from c4c_lms.widgets.module_ui import WIDE, M, result_area, save_controls, table_html, tool_box
from c4c_lms.core.i18n import format_number

__all__ = ["budget_calculator", "gantt_planner", "logframe_editor", "risk_register", "smart_checker",
           "tree_mirror"]


def tree_mirror(lang: str = "uk") -> widgets.VBox:
    """Problem tree in, objective tree out (with the logframe row each statement feeds)."""
    effects = widgets.Textarea(description=M.t("effects", lang), layout=WIDE)
    core = widgets.Text(description=M.t("core_problem", lang), layout=WIDE)
    causes = widgets.Textarea(description=M.t("causes", lang), layout=WIDE)
    for w in (effects, core, causes):
        w.style = {"description_width": "180px"}
    out = result_area()

    def show(_change: object = None) -> None:
        problem = {"core": core.value, "causes": planner.split_lines(causes.value),
                   "effects": planner.split_lines(effects.value)}
        tree = planner.objective_tree(problem)
        rows = [(M.t("lvl_effect", lang), p, o, M.t("lf_overall_objective", lang))
                for p, o in zip(problem["effects"], tree["ends"])]
        if core.value.strip():
            rows.append((M.t("lvl_core", lang), core.value.strip(), tree["core"],
                         M.t("lf_specific_objective", lang)))
        rows += [(M.t("lvl_cause", lang), p, o, M.t("lf_results", lang))
                 for p, o in zip(problem["causes"], tree["means"])]
        df = pd.DataFrame(rows, columns=[M.t(k, lang) for k in ("level", "problem", "objective", "lf_row")])
        unchanged = sum(1 for r in rows if planner.is_draft(r[2]))  # marked drafts to rephrase
        hint = f"<p><i>{html.escape(M.t('rephrase', lang, count=unchanged))}</i></p>" if unchanged else ""
        out.value = (table_html(df) + hint) if rows else ""

    for w in (effects, core, causes):
        w.observe(show, "value")
    return tool_box([widgets.HTML(M.t("tree_hint", lang)), effects, core, causes, out])


def logframe_editor(lang: str = "uk") -> widgets.VBox:
    """Keepsake: a 4×4 logframe to fill in, with a gap check (``my_work/m02_logframe``)."""
    cell = {(r, c): widgets.Textarea(layout=widgets.Layout(width="180px", height="70px"))
            for r in LOGFRAME_ROWS for c in LOGFRAME_COLUMNS}
    head = widgets.HBox([widgets.HTML("", layout=widgets.Layout(width="140px"))] + [
        widgets.HTML(f"<b>{M.t('lf_' + c, lang)}</b>", layout=widgets.Layout(width="180px"))
        for c in LOGFRAME_COLUMNS])
    rows = [widgets.HBox([widgets.HTML(f"<b>{M.t('lf_' + r, lang)}</b>", layout=widgets.Layout(width="140px")),
                          *(cell[r, c] for c in LOGFRAME_COLUMNS)]) for r in LOGFRAME_ROWS]
    check = widgets.Button(description=M.t("check_gaps", lang), icon="search",
                           layout=widgets.Layout(width="auto"))
    out = result_area()

    def matrix() -> dict[str, dict[str, str]]:
        return {r: {c: cell[r, c].value for c in LOGFRAME_COLUMNS} for r in LOGFRAME_ROWS}

    def gaps(_b: object = None) -> None:
        missing = logframe_gaps(matrix())
        if not missing:
            out.value = html.escape(M.t("no_gaps", lang))
        else:
            items = "".join(f"<li>{M.t('lf_' + r, lang)} × {M.t('lf_' + c, lang)}</li>" for r, c in missing)
            out.value = html.escape(M.t("gaps", lang, count=len(missing))) + f"<ul>{items}</ul>"

    def frame() -> pd.DataFrame:
        m = matrix()
        return pd.DataFrame([[M.t("lf_" + r, lang), *(m[r][c] for c in LOGFRAME_COLUMNS)]
                             for r in LOGFRAME_ROWS],
                            columns=["", *(M.t("lf_" + c, lang) for c in LOGFRAME_COLUMNS)])

    check.on_click(gaps)
    return tool_box([head, *rows, check, out, save_controls(frame, "m02_logframe", lang)])


def smart_checker(lang: str = "uk") -> widgets.VBox:
    """Which SMART letters the text of a specific objective and its indicator visibly meets."""
    style = {"description_width": "220px"}
    objective = widgets.Textarea(description=M.t("lf_specific_objective", lang), style=style, layout=WIDE)
    baseline = widgets.Text(description=M.t("baseline", lang), style=style)
    target = widgets.Text(description=M.t("target", lang), style=style)
    start = widgets.Text(description=M.t("start_month", lang), placeholder="2026-03", style=style)
    months = widgets.Text(value="12", description=M.t("duration", lang), style=style)
    out = result_area()
    marks = {True: "✔", False: "✘", None: "?"}

    def show(_change: object = None) -> None:
        project = planner.new_project()
        project.update(start=start.value, duration_months=months.value)
        project["logframe"]["specific"] = objective.value
        project["logframe"]["indicators"] = [{"level": "specific", "baseline": baseline.value,
                                              "target": target.value}]
        hints = planner.smart_hints(project)
        out.value = "".join(f"<div>{marks[v]} <b>{k}</b> — {html.escape(M.t('smart_' + k, lang))}</div>"
                            for k, v in hints.items())

    for w in (objective, baseline, target, start, months):
        w.observe(show, "value")
    show()
    return tool_box([objective, baseline, target, start, months, out])


def gantt_planner(activities: Sequence[tuple[str, int, int]], lang: str = "uk") -> widgets.VBox:
    """Edit activities (name, first month, last month) and see the Gantt chart redrawn."""
    rows = [(widgets.Text(value=a, layout=widgets.Layout(width="320px")),
             widgets.BoundedIntText(value=s, min=1, max=60, layout=widgets.Layout(width="70px")),
             widgets.BoundedIntText(value=e, min=1, max=60, layout=widgets.Layout(width="70px")))
            for a, s, e in activities]
    months = widgets.BoundedIntText(value=12, min=1, max=60, description=M.t("duration", lang),
                                    style={"description_width": "initial"})
    head = widgets.HTML(f"<b>{M.t('activity', lang)} · {M.t('from_month', lang)} · {M.t('to_month', lang)}</b>")
    image = widgets.Image(format="png", layout=widgets.Layout(max_width="760px"))
    out = result_area()

    def draw(_change: object = None) -> None:
        project = planner.new_project()
        project["duration_months"] = str(months.value)
        project["logframe"]["activities"] = [
            {"id": f"A{i}", "text": n.value, "start": str(s.value), "end": str(e.value)}
            for i, (n, s, e) in enumerate(rows, start=1) if n.value.strip()]
        issues = planner.workplan_issues(project)
        out.value = "".join(f"<div>⚠ {html.escape(M.t(k, lang, **v))}</div>"
                            for _sev, k, v in issues)
        png = planner.gantt_png(project)
        image.value = png or b""

    for w in [months, *(x for r in rows for x in r)]:
        w.observe(draw, "value")
    draw()
    return tool_box([head, *(widgets.HBox(list(r)) for r in rows), months, out, image])


def risk_register(risks: Sequence[tuple[str, int, int, str]], lang: str = "uk") -> widgets.VBox:
    """Keepsake: risks scored likelihood × impact with a 5×5 matrix (``my_work/m02_risks``)."""
    scale = list(range(1, 6))
    rows = [(widgets.Text(value=r, layout=widgets.Layout(width="300px")),
             widgets.Dropdown(options=scale, value=li, layout=widgets.Layout(width="60px")),
             widgets.Dropdown(options=scale, value=im, layout=widgets.Layout(width="60px")),
             widgets.Text(value=mit, layout=widgets.Layout(width="300px")))
            for r, li, im, mit in risks]
    head = widgets.HTML(f"<b>{M.t('risk', lang)} · {M.t('likelihood', lang)} · {M.t('impact', lang)}"
                        f" · {M.t('mitigation', lang)}</b>")
    out, warnings = result_area(), result_area()
    image = widgets.Image(format="png", layout=widgets.Layout(max_width="420px"))
    cols = ["risk", "likelihood", "impact", "risk_score", "level", "mitigation"]

    def scored() -> pd.DataFrame:
        project = planner.new_project()
        project["risks"] = [{"risk": a.value, "likelihood": str(b.value), "impact": str(c.value),
                             "mitigation": d.value} for a, b, c, d in rows]
        good, issues = planner.scored_risks(project)
        warnings.value = "".join(f"<div>⚠ {html.escape(M.t(k, lang, **v))}</div>" for _s, k, v in issues)
        df = pd.DataFrame(good).rename(columns={"score": "risk_score"}).reindex(columns=cols)
        df["level"] = df["level"].map(lambda v: M.t("level_" + v, lang))
        return df.set_axis([M.t(c, lang) for c in cols], axis=1)

    def draw(_change: object = None) -> None:
        df = scored()
        out.value = table_html(df)
        good = [{"likelihood": li, "impact": im} for li, im in zip(df.iloc[:, 1], df.iloc[:, 2])]
        labels = (M.t("likelihood", lang), M.t("impact", lang), M.t("risk_matrix", lang))
        image.value = planner.risk_matrix_png(good, labels) or b""

    for w in (x for r in rows for x in r):
        w.observe(draw, "value")
    draw()
    return tool_box([head, *(widgets.HBox(list(r)) for r in rows), warnings, out, image,
                  save_controls(scored, "m02_risks", lang)])


def budget_calculator(lang: str = "uk", programmes: pd.DataFrame | None = None) -> widgets.VBox:
    """Direct costs by category → flat-rate indirect costs → grant and own contribution.

    With ``programmes`` (``refdata.load_programmes()``) the learner can pick a programme: its
    maximum co-financing rate, when the table knows it, fills the rate, and the grant is checked
    against the programme's grant range.
    """
    label_width = {"description_width": "220px"}
    amounts = {c: widgets.BoundedFloatText(value=0, min=0, max=1e9, step=100,
                                           description=M.t("cat_" + c, lang), style=label_width)
               for c in CATEGORIES}
    scheme = widgets.Dropdown(options=[(M.t("rate_" + k, lang), k) for k in FLAT_RATES],
                              description=M.t("flat_rate", lang), layout=WIDE, style=label_width)
    rate = widgets.BoundedFloatText(value=90, min=0, max=100, description=M.t("cofinancing", lang),
                                    style=label_width)
    known = pd.DataFrame()
    if programmes is not None:
        has = programmes[["max_cofinancing_rate", "grant_min_eur", "grant_max_eur"]].notna().any(axis=1)
        known = programmes[has].set_index("id")
    name_col = "name_uk" if lang == "uk" else "name_en"
    programme = widgets.Dropdown(
        options=[(M.t("no_programme", lang), "")] + [(r[name_col], i) for i, r in known.iterrows()],
        description=M.t("programme", lang), layout=WIDE, style=label_width)
    out = result_area()

    def pick(_change: object = None) -> None:
        if programme.value and not pd.isna(known.loc[programme.value, "max_cofinancing_rate"]):
            rate.value = float(known.loc[programme.value, "max_cofinancing_rate"]) * 100

    def show(_change: object = None) -> None:
        direct = {c: Decimal(str(w.value)) for c, w in amounts.items()}
        direct_total = sum(direct.values(), Decimal(0))
        indirect = flat_rate_amount(direct, scheme.value)
        total = direct_total + indirect
        grant, own = cofinance(total, Decimal(str(rate.value)) / 100)
        figures = [("direct", direct_total), ("indirect", indirect), ("total", total),
                   ("grant", grant), ("own", own)]
        lines = [f"<div>{html.escape(M.t('sum_' + k, lang))}: <b>{format_number(v, lang)} EUR</b></div>"
                 for k, v in figures]
        if programme.value:
            row = known.loc[programme.value]
            if pd.isna(row["max_cofinancing_rate"]):
                lines.append(f"<div><i>{html.escape(M.t('rate_unknown', lang))}</i></div>")
            verdict = grant_in_range(grant, row["grant_min_eur"], row["grant_max_eur"])
            if verdict:
                lo, hi = (("—" if pd.isna(v) else format_number(v, lang))
                          for v in (row["grant_min_eur"], row["grant_max_eur"]))
                lines.append(f"<div>{'✔' if verdict == 'ok' else '⚠'} "
                             f"{html.escape(M.t('range_' + verdict, lang, low=lo, high=hi))}</div>")
        out.value = "".join(lines)

    programme.observe(pick, "value")
    for w in [*amounts.values(), scheme, rate, programme]:
        w.observe(show, "value")
    show()
    head = [programme] if programmes is not None else []
    return tool_box([widgets.HTML(M.t("budget_hint", lang)), *head, *amounts.values(), scheme, rate, out])
