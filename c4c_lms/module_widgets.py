"""Interactive tools shown in the course modules (calculators, filters, keepsake forms).

Each builder returns one ``ipywidgets`` box in the learner's language (``lang="uk"|"en"``);
labels come from ``c4c_lms/messages/module_widgets.toml`` and the content a module shows
(criteria, situations, strengths) is passed in by the notebook, which stays layout only.
Calculations are in :mod:`c4c_lms.module_tools`, :mod:`c4c_lms.planner` and :mod:`c4c_lms.budget`.
Every tool carries the CSS class ``c4c-tool``; keepsake forms write to ``my_work/``.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

import ipywidgets as widgets
import pandas as pd

from c4c_lms import planner
from c4c_lms.appkit import THEMES, theme_label
from c4c_lms.budget import CATEGORIES
from c4c_lms.i18n import Catalogue
from c4c_lms.romanise import romanise
from c4c_lms.module_tools import (
    FLAT_RATES,
    LOGFRAME_COLUMNS,
    LOGFRAME_ROWS,
    approval_timeline,
    cofinance,
    flat_rate_amount,
    grant_in_range,
    humanitarian_demining_allowed,
    logframe_gaps,
    save_keepsake,
    weighted_scores,
)
from c4c_lms.selfcheck import format_number

M = Catalogue.load("module_widgets")
WIDE = widgets.Layout(width="95%")


def _tool(children: Sequence[widgets.Widget]) -> widgets.VBox:
    box = widgets.VBox(list(children))
    box.add_class("c4c-tool")
    return box


def _result() -> widgets.HTML:
    out = widgets.HTML("")
    out.add_class("c4c-tool-result")
    return out


def _table_html(df: pd.DataFrame) -> str:
    return df.to_html(index=False, escape=True, border=0, classes="c4c-table")


def _save_controls(make_df: Callable[[], pd.DataFrame], name: str, lang: str) -> widgets.VBox:
    """A Save button writing ``my_work/<name>.csv|.md`` and echoing the table for copying."""
    button = widgets.Button(description=M.t("save", lang), icon="save", button_style="success",
                            layout=widgets.Layout(width="auto"))
    button.add_class("c4c-save")
    note = _result()

    def save(_b: widgets.Button) -> None:
        df = make_df()
        try:
            csv_path, md_path = save_keepsake(df, name)
        except OSError as exc:  # read-only folder: keep the text on screen so nothing is lost
            note.value = html.escape(M.t("save_failed", lang, error=exc)) + _table_html(df)
            return
        note.value = html.escape(M.t("saved", lang, csv=csv_path.name, md=md_path.name)) + (
            f"<pre>{html.escape(md_path.read_text(encoding='utf-8'))}</pre>")

    button.on_click(save)
    return widgets.VBox([button, note])


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
    out = _result()

    def frame() -> pd.DataFrame:
        labels = [n.value.strip() or f"#{i + 1}" for i, n in enumerate(names)]
        data = {c: [ratings[c, i].value for i in range(candidates)] for c in criteria}
        return pd.DataFrame(data, index=labels)

    def update(_change: object = None) -> None:
        scores = weighted_scores(frame(), {c: w.value for c, w in weights.items()})
        table = scores.reset_index().set_axis([M.t("candidate", lang), M.t("score", lang)], axis=1)
        out.value = _table_html(table)

    for w in [*names, *weights.values(), *ratings.values()]:
        w.observe(update, "value")
    update()
    return _tool([widgets.HTML(M.t("scorer_hint", lang)), head, *rows, out])


def situation_explorer(situations: Mapping[str, str], lang: str = "uk") -> widgets.VBox:
    """Pick a situation from a list; the notebook's explanation for it appears below."""
    pick = widgets.Dropdown(options=list(situations), description=M.t("situation", lang),
                            layout=WIDE, style={"description_width": "initial"})
    out = _result()

    def show(_change: object = None) -> None:
        out.value = f"<div style='padding:6px;border-left:4px solid #2e86c1'>{situations[pick.value]}</div>"

    pick.observe(show, "value")
    show()
    return _tool([pick, out])


def approval_planner(lang: str = "uk", sent: dt.date | None = None) -> widgets.VBox:
    """Dates by which the Ministry's review and the justice check end for a draft agreement."""
    picker = widgets.DatePicker(value=sent or dt.date.today(), description=M.t("sent_on", lang),
                                style={"description_width": "initial"})
    out = _result()

    def show(_change: object = None) -> None:
        if picker.value is None:
            out.value = html.escape(M.t("pick_date", lang))
            return
        t = approval_timeline(picker.value)
        out.value = M.t("timeline", lang, justice=t["justice_check_by"].isoformat(),
                        decision=t["decision_by"].isoformat())

    picker.observe(show, "value")
    show()
    return _tool([picker, out])


def name_romaniser(example: str, lang: str = "uk") -> widgets.VBox:
    """Type a Ukrainian name, see its official romanisation (CMU Resolution 55/2010)."""
    name = widgets.Text(value=example, description=M.t("name_uk", lang), layout=WIDE,
                        style={"description_width": "initial"})
    out = _result()

    def show(_change: object = None) -> None:
        out.value = f"<b>{html.escape(romanise(name.value))}</b>"

    name.observe(show, "value")
    show()
    return _tool([name, out])


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

    return _tool([name, themes, countries, langs, offer, project,
                  _save_controls(frame, "m01_partner_brief", lang)])


# ------------------------------------------------------------------------------------ m02


def tree_mirror(lang: str = "uk") -> widgets.VBox:
    """Problem tree in, objective tree out (with the logframe row each statement feeds)."""
    effects = widgets.Textarea(description=M.t("effects", lang), layout=WIDE)
    core = widgets.Text(description=M.t("core_problem", lang), layout=WIDE)
    causes = widgets.Textarea(description=M.t("causes", lang), layout=WIDE)
    for w in (effects, core, causes):
        w.style = {"description_width": "180px"}
    out = _result()

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
        unchanged = sum(1 for r in rows if r[1] == r[2])
        hint = f"<p><i>{html.escape(M.t('rephrase', lang, count=unchanged))}</i></p>" if unchanged else ""
        out.value = (_table_html(df) + hint) if rows else ""

    for w in (effects, core, causes):
        w.observe(show, "value")
    return _tool([widgets.HTML(M.t("tree_hint", lang)), effects, core, causes, out])


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
    out = _result()

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
    return _tool([head, *rows, check, out, _save_controls(frame, "m02_logframe", lang)])


def smart_checker(lang: str = "uk") -> widgets.VBox:
    """Which SMART letters the text of a specific objective and its indicator visibly meets."""
    style = {"description_width": "220px"}
    objective = widgets.Textarea(description=M.t("lf_specific_objective", lang), style=style, layout=WIDE)
    baseline = widgets.Text(description=M.t("baseline", lang), style=style)
    target = widgets.Text(description=M.t("target", lang), style=style)
    start = widgets.Text(description=M.t("start_month", lang), placeholder="2026-03", style=style)
    months = widgets.Text(value="12", description=M.t("duration", lang), style=style)
    out = _result()
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
    return _tool([objective, baseline, target, start, months, out])


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
    out = _result()

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
    return _tool([head, *(widgets.HBox(list(r)) for r in rows), months, out, image])


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
    out, warnings = _result(), _result()
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
        out.value = _table_html(df)
        good = [{"likelihood": li, "impact": im} for li, im in zip(df.iloc[:, 1], df.iloc[:, 2])]
        labels = (M.t("likelihood", lang), M.t("impact", lang), M.t("risk_matrix", lang))
        image.value = planner.risk_matrix_png(good, labels) or b""

    for w in (x for r in rows for x in r):
        w.observe(draw, "value")
    draw()
    return _tool([head, *(widgets.HBox(list(r)) for r in rows), warnings, out, image,
                  _save_controls(scored, "m02_risks", lang)])


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
    out = _result()

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
    return _tool([widgets.HTML(M.t("budget_hint", lang)), *head, *amounts.values(), scheme, rate, out])


# ------------------------------------------------------------------------------------ m05


def demining_check(lang: str = "uk") -> widgets.VBox:
    """Is a plot far enough from the contact line for humanitarian demining?"""
    km = widgets.BoundedFloatText(value=25, min=0, max=2000, description=M.t("distance_km", lang),
                                  style={"description_width": "initial"})
    out = _result()

    def show(_change: object = None) -> None:
        key = "demining_yes" if humanitarian_demining_allowed(km.value) else "demining_no"
        out.value = html.escape(M.t(key, lang, km=format_number(km.value, lang)))

    km.observe(show, "value")
    show()
    return _tool([km, out])


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
    out = _result()

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
    return _tool([head, *(widgets.HBox(list(x)) for x in lines), out,
                  _save_controls(frame, "m05_joint_application", lang)])


def energy_estimate(lang: str = "uk", reduction_percent: float = 39) -> widgets.VBox:
    """Illustration: energy a set of buildings would save at a given reduction."""
    mwh = widgets.BoundedFloatText(value=1000, min=0, max=1e7, description=M.t("annual_mwh", lang),
                                   style={"description_width": "initial"})
    pct = widgets.FloatSlider(value=reduction_percent, min=0, max=80, step=1,
                              description=M.t("reduction", lang), style={"description_width": "initial"})
    out = _result()

    def show(_change: object = None) -> None:
        saved = mwh.value * pct.value / 100
        out.value = html.escape(M.t("saved_mwh", lang, mwh=format_number(round(saved, 1), lang)))

    for w in (mwh, pct):
        w.observe(show, "value")
    show()
    return _tool([mwh, pct, out])


def offer_builder(strengths: Sequence[str], lang: str = "uk") -> widgets.VBox:
    """Keepsake: the community's offer to partners, in English (``my_work/m05_offer``)."""
    picks = [widgets.Checkbox(value=False, description=s, indent=False, layout=WIDE) for s in strengths]
    text = widgets.Textarea(placeholder=M.t("offer_placeholder", lang), layout=widgets.Layout(width="95%", height="120px"))

    def frame() -> pd.DataFrame:
        chosen = "; ".join(p.description for p in picks if p.value)
        return pd.DataFrame([("strengths", chosen), ("offers", text.value.strip())], columns=["field", "value"])

    return _tool([widgets.HTML(M.t("offer_hint", lang)), *picks, text,
                  _save_controls(frame, "m05_offer", lang)])
