"""Interactive explorers for modules m03 (EU programmes) and m04 (cooperation cases).

The notebooks only lay these widgets out; the filtering, sorting and checking lives in plain
functions in :mod:`c4c_lms.content.programmes` (re-exported here) so that it is unit-tested
without a kernel::

    from c4c_lms.refdata.tables import load_programmes
    from c4c_lms.widgets.programme_explorer import ProgrammeExplorer
    ProgrammeExplorer(load_programmes(), lang="uk")

Unknown values in the reference data are empty cells; every function here keeps them unknown
(never guesses) and the tables show them as "—".
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from c4c_lms.content.programmes import (  # noqa: F401  (the modules reach the logic through this module)
    DASH,
    M,
    SORT_KEYS,
    STAGES,
    _case_card,
    _esc,
    _grant_text,
    _link,
    _missing,
    _month_names,
    _months,
    _number,
    _table_html,
    _text,
    associated_by,
    call_calendar,
    case_label,
    country_name,
    filter_cases,
    filter_programmes,
    label,
    months_until_call,
    programme_table,
    sort_programmes,
    split_list,
    stage_names,
    town_twinning_problems,
)
from c4c_lms.content.module_tools import save_keepsake

__all__ = [
    "STAGES",
    "AssociationTimeline",
    "CallCalendar",
    "CaseExplorer",
    "PartnershipPlan",
    "ProgrammeExplorer",
    "Shortlist",
    "TownTwinningCheck",
    "associated_by",
    "call_calendar",
    "country_name",
    "filter_cases",
    "filter_programmes",
    "label",
    "months_until_call",
    "programme_table",
    "sort_programmes",
    "split_list",
    "stage_names",
    "town_twinning_problems",
]



# --------------------------------------------------------------------------- widgets


class ProgrammeExplorer(widgets.VBox):
    """Live table of programmes: filter by theme, applicant, Ukraine status, grant; sort."""

    def __init__(self, df: pd.DataFrame, lang: str = "uk", today_month: int = 1):
        self.df, self.lang, self.today_month = df, lang, today_month
        themes = sorted({t for v in df["themes"] for t in split_list(v)})
        applicants = sorted({a for v in df["applicant_types"] for a in split_list(v)})
        statuses = sorted({str(s) for s in df["ukraine_status"].dropna()})
        any_ = M.t("any", lang)
        self.theme = widgets.Dropdown(description=M.t("f_theme", lang), options=[(any_, "")] + [
            (label("theme", t, lang), t) for t in themes])
        self.applicant = widgets.Dropdown(description=M.t("f_applicant", lang),
                                          options=[(any_, "")] + [(label("applicant", a, lang), a)
                                                                  for a in applicants])
        self.status = widgets.Dropdown(description=M.t("f_status", lang), options=[(any_, "")] + [
            (label("status", s, lang), s) for s in statuses])
        self.amount = widgets.BoundedFloatText(description=M.t("f_amount", lang), value=0, min=0,
                                               max=1e11, step=1000)
        self.sort = widgets.Dropdown(description=M.t("f_sort", lang),
                                     options=[(M.t(f"sort_{k}", lang), k) for k in SORT_KEYS])
        self.count = widgets.HTML()
        self.table = widgets.HTML()
        self.table.add_class("c4c-programme-output")
        controls = [self.theme, self.applicant, self.status, self.amount, self.sort]
        for control in controls:
            control.style = {"description_width": "150px"}
            control.observe(lambda _change: self.refresh(), "value")
        super().__init__([widgets.HBox(controls[:3], layout=widgets.Layout(flex_flow="row wrap")),
                          widgets.HBox(controls[3:], layout=widgets.Layout(flex_flow="row wrap")),
                          self.count, self.table])
        self.add_class("c4c-programme-explorer")
        self.refresh()

    @property
    def result(self) -> pd.DataFrame:
        """The programmes currently shown, in display order."""
        found = filter_programmes(self.df, themes=[self.theme.value] if self.theme.value else (),
                                  applicant=self.applicant.value or None,
                                  statuses=[self.status.value] if self.status.value else (),
                                  amount=self.amount.value or None)
        return sort_programmes(found, self.sort.value, lang=self.lang,
                               today_month=self.today_month)

    def refresh(self) -> None:
        """Re-filter and redraw the table."""
        result = self.result
        self.count.value = html.escape(M.t("found", self.lang, n=len(result), total=len(self.df)))
        self.table.value = _table_html(programme_table(result, self.lang), self.lang)


class Shortlist(widgets.VBox):
    """'Your community': tick priority themes, get a shortlist, add notes and save it as CSV."""

    def __init__(self, df: pd.DataFrame, lang: str = "uk", folder: Path | None = None):
        self.df, self.lang, self.folder = df, lang, folder
        themes = sorted({t for v in df["themes"] for t in split_list(v)})
        self.themes = widgets.SelectMultiple(description=M.t("f_themes", lang), rows=7,
                                             options=[(label("theme", t, lang), t) for t in themes])
        self.note = widgets.Textarea(placeholder=M.t("note_placeholder", lang),
                                     layout=widgets.Layout(width="95%", height="70px"))
        self.save = widgets.Button(description=M.t("save", lang), icon="save")
        self.status = widgets.HTML()
        self.table = widgets.HTML()
        self.themes.observe(lambda _c: self.refresh(), "value")
        self.save.on_click(lambda _b: self.write())
        super().__init__([self.themes, self.table, self.note, self.save, self.status])
        self.add_class("c4c-shortlist")
        self.refresh()

    @property
    def result(self) -> pd.DataFrame:
        """Programmes open to municipalities that cover any ticked theme, soonest call first."""
        found = filter_programmes(self.df, themes=self.themes.value, applicant="municipality")
        return sort_programmes(found, "next_call", lang=self.lang) if self.themes.value else found[:0]

    def refresh(self) -> None:
        """Redraw the shortlist; before any theme is ticked it stays empty (no "nothing found")."""
        if not self.themes.value:
            self.table.value = ""
            return
        self.table.value = _table_html(programme_table(self.result, self.lang), self.lang)

    def write(self) -> Path | None:
        """Save ``my_work/m03_programme_shortlist.csv|.md`` and say where (nothing ticked: a hint).

        A folder that cannot be written keeps the table on screen, so nothing typed is lost.
        """
        if not self.themes.value:
            self.status.value = html.escape(M.t("pick_theme_first", self.lang))
            return None
        table = programme_table(self.result, self.lang)
        table[M.t("col_note", self.lang)] = self.note.value.strip()
        try:
            csv_path, _md = save_keepsake(table, "m03_programme_shortlist", self.folder)
        except OSError as exc:
            self.status.value = html.escape(M.t("save_failed", self.lang, error=exc))
            return None
        self.status.value = html.escape(M.t("saved", self.lang, path=str(csv_path)))
        return csv_path


class CaseExplorer(widgets.VBox):
    """Pick a theme and/or partner country, then a case, and read how it came about."""

    def __init__(self, df: pd.DataFrame, lang: str = "uk", oblasts: pd.DataFrame | None = None):
        self.df, self.lang = df, lang
        name_col = "name_uk" if lang == "uk" else "name_en"
        self.oblasts = ({} if oblasts is None else
                        dict(zip(oblasts["iso_code"], oblasts[name_col], strict=True)))
        themes = sorted({t for v in df["themes"] for t in split_list(v)})
        countries = sorted({c.upper() for v in df["partner_country"] for c in split_list(v)})
        any_ = M.t("any", lang)
        self.theme = widgets.Dropdown(description=M.t("f_theme", lang), options=[(any_, "")] + [
            (label("theme", t, lang), t) for t in themes])
        self.country = widgets.Dropdown(description=M.t("f_country", lang), options=[(any_, "")] + [
            (country_name(c, lang), c) for c in countries])
        self.case = widgets.Select(description=M.t("f_case", lang), rows=6,
                                   layout=widgets.Layout(width="95%"))
        self.card = widgets.HTML()
        self.card.add_class("c4c-case-output")
        for control in (self.theme, self.country):
            control.style = {"description_width": "130px"}
            control.observe(lambda _c: self.refresh(), "value")
        self.case.style = {"description_width": "130px"}
        self.case.observe(lambda _c: self.show(), "value")
        super().__init__([widgets.HBox([self.theme, self.country]), self.case, self.card])
        self.add_class("c4c-case-explorer")
        self.refresh()

    def refresh(self) -> None:
        """Re-filter the list of cases (keeps the selection when it is still listed)."""
        found = filter_cases(self.df, theme=self.theme.value or None,
                             country=self.country.value or None)
        self.case.options = [(case_label(r, self.lang), r.id) for r in found.itertuples()]
        if self.case.value is None and self.case.options:
            self.case.value = self.case.options[0][1]
        self.show()

    def show(self) -> None:
        """Draw the card of the selected case."""
        if self.case.value is None:
            self.card.value = f"<p><i>{html.escape(M.t('nothing_found', self.lang))}</i></p>"
            return
        row = self.df[self.df["id"] == self.case.value].iloc[0]
        self.card.value = _case_card(row, self.lang, self.oblasts)


class CallCalendar(widgets.VBox):
    """Programme × month grid of usual call months, narrowed to one theme."""

    def __init__(self, df: pd.DataFrame, lang: str = "uk"):
        self.df, self.lang = df, lang
        themes = sorted({t for v in df["themes"] for t in split_list(v)})
        self.theme = widgets.Dropdown(description=M.t("f_theme", lang), options=[
            (M.t("any", lang), "")] + [(label("theme", t, lang), t) for t in themes])
        self.grid = widgets.HTML()
        self.grid.add_class("c4c-calendar-output")
        self.theme.observe(lambda _c: self.refresh(), "value")
        super().__init__([self.theme, self.grid])
        self.refresh()

    def refresh(self) -> None:
        """Redraw the grid."""
        found = filter_programmes(self.df, themes=[self.theme.value] if self.theme.value else ())
        grid = call_calendar(found, self.lang)
        self.grid.value = (grid.to_html(classes="c4c-calendar", border=0) if not grid.empty else
                           f"<p><i>{html.escape(M.t('nothing_found', self.lang))}</i></p>")


class AssociationTimeline(widgets.VBox):
    """A year slider: which programmes had Ukraine associated (or a date of entry) by then."""

    def __init__(self, df: pd.DataFrame, lang: str = "uk", first: int = 2015, last: int = 2026):
        self.df, self.lang = df, lang
        self.year = widgets.IntSlider(description=M.t("f_year", lang), min=first, max=last,
                                      value=last)
        self.out = widgets.HTML()
        self.out.add_class("c4c-timeline-output")
        self.year.observe(lambda _c: self.refresh(), "value")
        super().__init__([self.year, self.out])
        self.refresh()

    def refresh(self) -> None:
        """List programmes with a Ukraine date on or before 31 December of the chosen year."""
        found = associated_by(self.df, f"{self.year.value}-12-31")
        name_col = "name_uk" if self.lang == "uk" else "name_en"
        items = "".join(f"<li>{_esc(r['ukraine_since'])} — {_esc(_text(r[name_col]) or r['name_en'])} "
                        f"({html.escape(label('status', _text(r['ukraine_status']), self.lang))})</li>"
                        for _, r in found.iterrows())
        head = M.t("timeline_head", self.lang, year=self.year.value, n=len(found))
        self.out.value = f"<p>{html.escape(head)}</p><ul>{items}</ul>"


class TownTwinningCheck(widgets.VBox):
    """Check an event plan against the CERV Town Twinning participation conditions."""

    def __init__(self, lang: str = "uk"):
        self.lang = lang
        style = {"description_width": "260px"}
        self.participants = widgets.BoundedIntText(description=M.t("tt_f_participants", lang),
                                                   value=40, min=0, max=10000, style=style)
        self.invited = widgets.BoundedIntText(description=M.t("tt_f_invited", lang), value=20,
                                              min=0, max=10000, style=style)
        self.countries = widgets.BoundedIntText(description=M.t("tt_f_countries", lang), value=2,
                                                min=0, max=50, style=style)
        self.eu = widgets.BoundedIntText(description=M.t("tt_f_eu", lang), value=1, min=0, max=27,
                                         style=style)
        self.out = widgets.HTML()
        self.out.add_class("c4c-tt-output")
        for control in (self.participants, self.invited, self.countries, self.eu):
            control.observe(lambda _c: self.refresh(), "value")
        super().__init__([self.participants, self.invited, self.countries, self.eu, self.out])
        self.refresh()

    def refresh(self) -> None:
        """Re-check and list what is missing."""
        problems = town_twinning_problems(self.participants.value, self.invited.value,
                                          self.countries.value, self.eu.value, self.lang)
        if not problems:
            self.out.value = f"<b style='color:#1b7a35'>{html.escape(M.t('tt_ok', self.lang))}</b>"
        else:
            items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
            self.out.value = f"<b style='color:#a4460b'>{html.escape(M.t('tt_missing', self.lang))}" \
                             f"</b><ul>{items}</ul>"


#: The eight stages of a partnership (domain facts §4.1, a synthesis of several sources).
class PartnershipPlan(widgets.VBox):
    """'Your community' (m04): our next step for each stage, modelled on a chosen case.

    Saved as ``my_work/m04_partnership_plan.csv|.md`` for exercise ex04 and the partner finder.
    """

    def __init__(self, cases: pd.DataFrame, lang: str = "uk", folder: Path | None = None):
        self.lang, self.folder = lang, folder
        self.model = widgets.Dropdown(description=M.t("plan_model", lang), layout=widgets.Layout(
            width="95%"), style={"description_width": "200px"}, options=[
            (case_label(r, lang), _text(r.id)) for r in cases.itertuples()])
        self.steps = [widgets.Text(placeholder=M.t("plan_step", lang),
                                   layout=widgets.Layout(width="45%")) for _ in STAGES]
        self.dates = [widgets.Text(placeholder=M.t("plan_when", lang),
                                   layout=widgets.Layout(width="15%")) for _ in STAGES]
        labels = [widgets.HTML(f"{i}. {html.escape(name)}", layout=widgets.Layout(width="36%"))
                  for i, name in enumerate(stage_names(lang), start=1)]
        self.save = widgets.Button(description=M.t("save_plan", lang), icon="save",
                                   button_style="success")
        self.status = widgets.HTML()
        self.save.on_click(lambda _b: self.write())
        rows = [widgets.HBox([label_, s, d])
                for label_, s, d in zip(labels, self.steps, self.dates, strict=True)]
        super().__init__([self.model, *rows, self.save, self.status])
        self.add_class("c4c-partnership-plan")

    def frame(self) -> pd.DataFrame:
        """The plan as a table: stage, our step, by when (plus the model case on every row)."""
        lang = self.lang
        return pd.DataFrame({M.t("plan_col_stage", lang): stage_names(lang),
                             M.t("plan_col_step", lang): [s.value.strip() for s in self.steps],
                             M.t("plan_col_when", lang): [d.value.strip() for d in self.dates],
                             M.t("plan_col_model", lang): self.model.value or ""})

    def write(self) -> Path | None:
        """Save the plan; an entirely empty plan gets a hint instead of an empty file."""
        if not any(s.value.strip() for s in self.steps):
            self.status.value = html.escape(M.t("plan_empty", self.lang))
            return None
        try:
            csv_path, _md = save_keepsake(self.frame(), "m04_partnership_plan", self.folder)
        except OSError as exc:  # read-only folder: the typed plan stays in the fields
            self.status.value = html.escape(M.t("save_failed", self.lang, error=exc))
            return None
        self.status.value = html.escape(M.t("plan_saved", self.lang, path=str(csv_path)))
        return csv_path
