"""Interactive tools shown in the course modules (calculators, filters, keepsake forms).

Each builder returns one ``ipywidgets`` box in the learner's language (``lang="uk"|"en"``);
labels come from ``c4c_lms/core/messages/module_widgets.toml`` and the content a module shows
(criteria, situations, strengths) is passed in by the notebook, which stays layout only.
Calculations are in :mod:`c4c_lms.content.module_tools` and :mod:`c4c_lms.content.planner`; the module 2 tools
live in :mod:`c4c_lms.widgets.project_widgets` and are re-exported here, so notebooks use one name
(``from c4c_lms import module_widgets as mw``). Every tool carries the CSS class ``c4c-tool``;
keepsake forms write to ``my_work/``.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import pandas as pd

from c4c_lms.content import planner
from c4c_lms.widgets.appkit import THEMES, theme_label
from c4c_lms.content.module_tools import approval_timeline, demining_compensation_distance_ok, weighted_scores
from c4c_lms.widgets.module_ui import WIDE, M, result_area, save_controls, table_html, tool_box
from c4c_lms.widgets.project_widgets import (
    budget_calculator,
    gantt_planner,
    logframe_editor,
    risk_register,
    smart_checker,
    tree_mirror,
)
from c4c_lms.core.romanise import romanise
from c4c_lms.core.i18n import format_number

__all__ = [
    "approval_planner", "budget_calculator", "demining_check", "energy_estimate", "gantt_planner",
    "joint_application", "logframe_editor", "name_romaniser", "offer_builder", "partner_brief",
    "partner_scorer", "risk_register", "situation_explorer", "smart_checker", "tree_mirror",
]  # fmt: skip


# ------------------------------------------------------------------------------------ m01


def partner_scorer(criteria: Sequence[str], lang: str = "uk", candidates: int = 3) -> widgets.VBox:
    """Weigh selection criteria (0-5) and rate up to ``candidates`` partners on each (0-5)."""
    cell = widgets.Layout(width="120px")
    names = [widgets.Text(value=f"{M.t('candidate', lang)} {i + 1}", layout=cell)
             for i in range(candidates)]
    weights = {c: widgets.IntSlider(value=3, min=0, max=5, layout=widgets.Layout(width="160px"))
               for c in criteria}
    ratings = {(c, i): widgets.BoundedIntText(value=0, min=0, max=5, layout=cell)
               for c in criteria for i in range(candidates)}
    head = widgets.HBox([widgets.HTML(f"<b>{M.t('criterion', lang)}</b>", layout=widgets.Layout(width="260px")),
                         widgets.HTML(f"<b>{M.t('weight', lang)}</b>", layout=widgets.Layout(width="160px")),
                         *names])
    rows = [widgets.HBox([widgets.HTML(html.escape(c), layout=widgets.Layout(width="260px")), weights[c],
                          *(ratings[c, i] for i in range(candidates))]) for c in criteria]
    out = result_area()

    def frame() -> pd.DataFrame:
        labels = [n.value.strip() or f"#{i + 1}" for i, n in enumerate(names)]
        data = {c: [ratings[c, i].value for i in range(candidates)] for c in criteria}
        return pd.DataFrame(data, index=labels)

    def update(_change: object = None) -> None:
        scores = weighted_scores(frame(), {c: w.value for c, w in weights.items()})
        table = scores.reset_index().set_axis([M.t("candidate", lang), M.t("score", lang)], axis=1)
        out.value = table_html(table)

    for w in [*names, *weights.values(), *ratings.values()]:
        w.observe(update, "value")
    update()
    return tool_box([widgets.HTML(M.t("scorer_hint", lang)), head, *rows, out])


def situation_explorer(situations: Mapping[str, str], lang: str = "uk") -> widgets.VBox:
    """Pick a situation from a list; the notebook's explanation for it appears below."""
    pick = widgets.Dropdown(options=list(situations), description=M.t("situation", lang),
                            layout=WIDE, style={"description_width": "initial"})
    out = result_area()

    def show(_change: object = None) -> None:
        out.value = f"<div style='padding:6px;border-left:4px solid #2e86c1'>{situations[pick.value]}</div>"

    pick.observe(show, "value")
    show()
    return tool_box([pick, out])


def approval_planner(lang: str = "uk", sent: dt.date | None = None) -> widgets.VBox:
    """Dates by which the Ministry's review and the justice check end for a draft agreement."""
    picker = widgets.DatePicker(value=sent or dt.date.today(), description=M.t("sent_on", lang),
                                style={"description_width": "initial"})
    out = result_area()

    def show(_change: object = None) -> None:
        if picker.value is None:
            out.value = html.escape(M.t("pick_date", lang))
            return
        t = approval_timeline(picker.value)
        out.value = M.t("timeline", lang, justice=t["justice_check_by"].isoformat(),
                        decision=t["decision_by"].isoformat())

    picker.observe(show, "value")
    show()
    return tool_box([picker, out])


def name_romaniser(example: str, lang: str = "uk") -> widgets.VBox:
    """Type a Ukrainian name, see its official romanisation (CMU Resolution 55/2010)."""
    name = widgets.Text(value=example, description=M.t("name_uk", lang), layout=WIDE,
                        style={"description_width": "initial"})
    out = result_area()

    def show(_change: object = None) -> None:
        out.value = f"<b>{html.escape(romanise(name.value))}</b>"

    name.observe(show, "value")
    show()
    return tool_box([name, out])


def partner_brief(lang: str = "uk") -> widgets.VBox:
    """Keepsake: what the community looks for in a partner (``my_work/m01_partner_brief``)."""
    style = {"description_width": "200px"}
    name = widgets.Text(description=M.t("community_en", lang), style=style, layout=WIDE)
    themes = widgets.SelectMultiple(options=[(theme_label(t, lang), t) for t in THEMES], rows=7,
                                    description=M.t("themes", lang), style=style, layout=WIDE)
    countries = widgets.Text(description=M.t("countries", lang), style=style, layout=WIDE)
    langs = widgets.Text(value="uk, en", description=M.t("languages", lang), style=style, layout=WIDE)
    offer = widgets.Textarea(description=M.t("offer_en", lang), style=style, layout=WIDE)
    project = widgets.Textarea(description=M.t("project_en", lang), style=style, layout=WIDE)

    def frame() -> pd.DataFrame:
        fields = [("name_en", name.value), ("priority_sectors", ";".join(themes.value)),
                  ("wanted_countries", countries.value), ("languages", langs.value),
                  ("offers", offer.value), ("priority_project", project.value)]
        return pd.DataFrame(fields, columns=["field", "value"])

    return tool_box([name, themes, countries, langs, offer, project,
                  save_controls(frame, "m01_partner_brief", lang)])


# ------------------------------------------------------------------------------------ m05


def demining_check(lang: str = "uk") -> widgets.VBox:
    """Does a plot meet the distance condition of the farmland demining compensation programme?"""
    km = widgets.BoundedFloatText(value=25, min=0, max=2000, description=M.t("distance_km", lang),
                                  style={"description_width": "initial"})
    out = result_area()

    def show(_change: object = None) -> None:
        key = "demining_yes" if demining_compensation_distance_ok(km.value) else "demining_no"
        out.value = html.escape(M.t(key, lang, km=format_number(km.value, lang)))

    km.observe(show, "value")
    show()
    return tool_box([km, out])


def joint_application(lang: str = "uk", rows: int = 3) -> widgets.VBox:
    """Keepsake: hromadas of a joint application, who leads, who benefits from whom."""
    statuses = ["", "frontline", "de_occupied", "occupied", "hosting_idps"]
    lines = [(widgets.Text(placeholder=M.t("hromada", lang), layout=widgets.Layout(width="200px")),
              widgets.Dropdown(options=[(M.t("role_" + r, lang), r) for r in ("partner", "lead")],
                               layout=widgets.Layout(width="120px")),
              widgets.Dropdown(options=[(M.t("status_" + (s or "none"), lang), s) for s in statuses],
                               layout=widgets.Layout(width="190px")),
              widgets.Text(placeholder=M.t("benefits_hint", lang), layout=widgets.Layout(width="300px")))
             for _ in range(rows)]
    head = widgets.HTML(f"<b>{M.t('hromada', lang)} · {M.t('role', lang)} · {M.t('status', lang)}"
                        f" · {M.t('benefits', lang)}</b>")
    out = result_area()

    def project() -> dict:
        p = planner.new_project()
        p["partners"] = {"joint_domestic": True, "rows": [
            {"name": n.value.strip(), "kind": "ua", "role": r.value, "status": s.value,
             "benefits": b.value} for n, r, s, b in lines if n.value.strip()]}
        return p

    def show(_change: object = None) -> None:
        p = project()
        issues = planner.partner_issues(p)
        pairs = planner.mutual_beneficiaries(p)
        parts = [f"<div>⚠ {html.escape(M.t(k, lang, **v))}</div>" for _s, k, v in issues]
        parts += [f"<div>✔ {html.escape(M.t('mutual', lang, a=a, b=b))}</div>" for a, b in pairs]
        out.value = "".join(parts)

    def frame() -> pd.DataFrame:
        cols = ["name", "role", "status", "benefits"]
        return pd.DataFrame([[r[c] for c in cols] for r in project()["partners"]["rows"]], columns=cols)

    for w in (x for line in lines for x in line):
        w.observe(show, "value")
    return tool_box([head, *(widgets.HBox(list(x)) for x in lines), out,
                  save_controls(frame, "m05_joint_application", lang)])


def energy_estimate(lang: str = "uk", reduction_percent: float = 39) -> widgets.VBox:
    """Illustration: energy a set of buildings would save at a given reduction."""
    mwh = widgets.BoundedFloatText(value=1000, min=0, max=1e7, description=M.t("annual_mwh", lang),
                                   style={"description_width": "initial"})
    pct = widgets.FloatSlider(value=reduction_percent, min=0, max=80, step=1,
                              description=M.t("reduction", lang), style={"description_width": "initial"})
    out = result_area()

    def show(_change: object = None) -> None:
        saved = mwh.value * pct.value / 100
        out.value = html.escape(M.t("saved_mwh", lang, mwh=format_number(round(saved, 1), lang)))

    for w in (mwh, pct):
        w.observe(show, "value")
    show()
    return tool_box([mwh, pct, out])


def offer_builder(strengths: Sequence[str], lang: str = "uk") -> widgets.VBox:
    """Keepsake: the community's offer to partners, in English (``my_work/m05_offer``)."""
    picks = [widgets.Checkbox(value=False, description=s, indent=False, layout=WIDE) for s in strengths]
    text = widgets.Textarea(placeholder=M.t("offer_placeholder", lang), layout=widgets.Layout(width="95%", height="120px"))

    def frame() -> pd.DataFrame:
        chosen = "; ".join(p.description for p in picks if p.value)
        return pd.DataFrame([("strengths", chosen), ("offers", text.value.strip())], columns=["field", "value"])

    return tool_box([widgets.HTML(M.t("offer_hint", lang)), *picks, text,
                  save_controls(frame, "m05_offer", lang)])
