"""Interactive explorers for modules m03 (EU programmes) and m04 (cooperation cases).

The notebooks only lay these widgets out; the filtering, sorting and checking lives in plain
functions here so that it is unit-tested without a kernel::

    from c4c_lms.refdata.tables import load_programmes
    from c4c_lms.widgets.programme_explorer import ProgrammeExplorer
    ProgrammeExplorer(load_programmes(), lang="uk")

Unknown values in the reference data are empty cells; every function here keeps them unknown
(never guesses) and the tables show them as "—".
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path

import ipywidgets as widgets
import pandas as pd
from babel import Locale
from babel.dates import get_month_names

from c4c_lms.widgets.appkit import theme_label
from c4c_lms.core.i18n import Catalogue
from c4c_lms.content.module_tools import save_keepsake
from c4c_lms.widgets.selfcheck import format_number

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

M = Catalogue.load("programme_explorer")
DASH = "—"
SORT_KEYS = ("name", "grant_max", "grant_min", "since", "next_call")


# --------------------------------------------------------------------------- small helpers


def _missing(value: object) -> bool:
    """Whether a scalar cell is empty/unknown (``None``, ``NaN``, ``NA``, ``NaT``, blank)."""
    if isinstance(value, (list, tuple, set)):
        return not value
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value))) or (
        isinstance(value, str) and not value.strip())


def split_list(value: object) -> list[str]:
    """Items of a list cell: a list from ``refdata`` or a ``;``-separated string; empty → ``[]``."""
    if _missing(value):
        return []
    parts = value if isinstance(value, (list, tuple, set)) else str(value).split(";")
    return [str(part).strip() for part in parts if str(part).strip()]


def _number(value: object) -> float | None:
    """A float, or ``None`` for an empty/unknown cell."""
    if _missing(value):
        return None
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return None if pd.isna(number) else float(number)


def label(kind: str, slug: str, lang: str) -> str:
    """Human label of a theme, applicant type or Ukraine status; the slug itself when unknown."""
    if kind == "theme":
        return theme_label(slug, lang)  # theme names are shared with the apps
    key = f"{kind}_{slug}"
    return M.t(key, lang) if key in M.entries else slug


def country_name(code: str, lang: str) -> str:
    """Country name in the learner's language from an ISO alpha-2 code (``"SE"`` → ``Швеція``)."""
    code = _text(code).upper()
    return Locale.parse(lang).territories.get(code, code) if code else DASH


def _month_names(lang: str, width: str = "wide") -> dict[int, str]:
    return dict(get_month_names(width, context="stand-alone", locale=lang))


def _months(value: object) -> list[int]:
    months = []
    for part in split_list(value):
        try:
            month = int(float(part))
        except ValueError:
            continue
        if 1 <= month <= 12:
            months.append(month)
    return sorted(set(months))


def _text(value: object) -> str:
    """Cell text with missing values as ``""`` and dates as ISO dates (``2024-01-09``)."""
    if _missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # years read from a plain CSV arrive as 2023.0
    return str(value).strip()


def _esc(value: object) -> str:
    text = _text(value)
    return html.escape(text) if text else DASH


def _link(url: object, text: str) -> str:
    url = _text(url)
    if not url.startswith(("http://", "https://")):
        return html.escape(text)
    return f'<a href="{html.escape(url)}" target="_blank" rel="noopener">{html.escape(text)}</a>'


# --------------------------------------------------------------------------- programmes: logic


def filter_programmes(df: pd.DataFrame, *, themes: Iterable[str] = (), applicant: str | None = None,
                      statuses: Iterable[str] = (), amount: float | None = None,
                      keep_unknown_amount: bool = True) -> pd.DataFrame:
    """Programmes matching every given filter.

    Parameters
    ----------
    df : DataFrame
        Rows of ``programmes.csv`` (``load_programmes()``).
    themes : iterable of str
        Theme slugs; a programme matches when it covers **any** of them. Empty: no theme filter.
    applicant : str, optional
        Applicant type slug (``"municipality"``); the programme must list it.
    statuses : iterable of str
        Allowed ``ukraine_status`` values. Empty: any status.
    amount : float, optional
        Grant the project needs (EUR); kept when it lies within ``grant_min_eur``..``grant_max_eur``
        (a missing bound is open).
    keep_unknown_amount : bool
        Keep programmes whose grant size is entirely unknown when ``amount`` is given.

    Returns
    -------
    DataFrame
        A filtered copy with the original index.
    """
    themes, statuses = set(themes), set(statuses)
    keep = []
    for _, row in df.iterrows():
        ok = not themes or bool(themes & set(split_list(row.get("themes"))))
        ok = ok and (not applicant or applicant in split_list(row.get("applicant_types")))
        ok = ok and (not statuses or (_text(row.get("ukraine_status")) or "unknown") in statuses)
        if ok and amount:
            low, high = _number(row.get("grant_min_eur")), _number(row.get("grant_max_eur"))
            if low is None and high is None:
                ok = keep_unknown_amount
            else:
                ok = (low is None or low <= amount) and (high is None or amount <= high)
        keep.append(ok)
    return df[pd.Series(keep, index=df.index, dtype=bool)].copy()


def months_until_call(call_months: object, month: int) -> int | None:
    """Months from ``month`` (1-12) to the next month with a call (0 = this month); ``None`` if none."""
    months = _months(call_months)
    return min((m - month) % 12 for m in months) if months else None


def _one_off_calls(row: pd.Series) -> bool:
    """Whether ``call_months`` come from past one-off calls (``call_recurrence`` = ``once``), so
    they say nothing about the next call."""
    return _text(row.get("call_recurrence")) == "once"


def sort_programmes(df: pd.DataFrame, by: str = "name", *, lang: str = "uk",
                    today_month: int = 1) -> pd.DataFrame:
    """Programmes sorted by name, largest grant, smallest grant, Ukraine's date, or next call.

    Unknown values always go last, whatever the key.
    """
    if by not in SORT_KEYS:
        raise ValueError(f"sort key must be one of {SORT_KEYS}, not {by!r}")
    if df.empty:
        return df.copy()
    name_col = "name_uk" if lang == "uk" else "name_en"
    names = df.apply(lambda r: (_text(r[name_col]) or _text(r["name_en"])).casefold(), axis=1)
    if by == "name":
        key, ascending = names, True
    elif by in ("grant_max", "grant_min"):
        key = pd.to_numeric(df[f"{by}_eur"], errors="coerce")
        ascending = by == "grant_min"
    elif by == "since":
        key, ascending = pd.to_datetime(df["ukraine_since"], errors="coerce"), True
    else:
        key = df.apply(lambda r: None if _one_off_calls(r) else
                       months_until_call(r["call_months"], today_month), axis=1)
        key, ascending = pd.to_numeric(key, errors="coerce"), True
    order = pd.DataFrame({"key": key, "name": names}, index=df.index)
    order = order.sort_values(["key", "name"], ascending=[ascending, True], na_position="last")
    return df.loc[order.index].copy()


def associated_by(df: pd.DataFrame, when: str | pd.Timestamp) -> pd.DataFrame:
    """Programmes whose ``ukraine_since`` date is on or before ``when``, earliest first."""
    since = pd.to_datetime(df["ukraine_since"], errors="coerce")
    out = df[since.notna() & (since <= pd.Timestamp(when))].copy()
    return out.loc[since[out.index].sort_values().index]


def call_calendar(df: pd.DataFrame, lang: str = "uk") -> pd.DataFrame:
    """Programme × month grid: ``●`` where a call usually closes/opens in that month, ``○`` where
    only a past one-off call did (``call_recurrence`` = ``once``), else empty."""
    names = _month_names(lang, "abbreviated")
    name_col = "name_uk" if lang == "uk" else "name_en"
    rows = {}
    for _, row in df.iterrows():
        months = _months(row.get("call_months"))
        if months:
            title = _text(row.get(name_col)) or _text(row.get("name_en"))
            mark = "○" if _one_off_calls(row) else "●"
            rows[str(title)] = [mark if m in months else "" for m in range(1, 13)]
    return pd.DataFrame.from_dict(rows, orient="index", columns=[names[m] for m in range(1, 13)])


def _grant_text(row: pd.Series, lang: str) -> str:
    low, high = _number(row.get("grant_min_eur")), _number(row.get("grant_max_eur"))

    def fmt(value: float) -> str:
        return format_number(value, lang)

    if low is None and high is None:
        return DASH
    if low is None:
        return M.t("up_to", lang, amount=fmt(high))
    if high is None:
        return M.t("from", lang, amount=fmt(low))
    return f"{fmt(low)} – {fmt(high)}"


def programme_table(df: pd.DataFrame, lang: str = "uk") -> pd.DataFrame:
    """A readable comparison table: localized headers, labels, grant range, months, link."""
    months = _month_names(lang)
    name_col, summary_col = ("name_uk", "summary_uk") if lang == "uk" else ("name_en", "summary_en")
    records = []
    for _, row in df.iterrows():
        rate = _number(row.get("max_cofinancing_rate"))
        records.append({
            M.t("col_name", lang): _text(row.get(name_col)) or _text(row.get("name_en")),
            M.t("col_status", lang): label("status", _text(row.get("ukraine_status")) or "unknown", lang),
            M.t("col_since", lang): _text(row.get("ukraine_since")) or DASH,
            M.t("col_grant", lang): _grant_text(row, lang),
            M.t("col_rate", lang): f"{format_number(rate * 100, lang)} %" if rate is not None else DASH,
            M.t("col_months", lang): ", ".join(months[m] for m in _months(row.get("call_months")))
            or DASH,
            M.t("col_themes", lang): ", ".join(label("theme", t, lang)
                                              for t in split_list(row.get("themes"))) or DASH,
            M.t("col_summary", lang): _text(row.get(summary_col)) or DASH,
            "url": _text(row.get("url")) or _text(row.get("source_url")),
        })
    return pd.DataFrame.from_records(records)


def _table_html(table: pd.DataFrame, lang: str) -> str:
    """The comparison table as HTML: linked names, folded summaries, scrolling when long."""
    if table.empty:
        return f"<p><i>{html.escape(M.t('nothing_found', lang))}</i></p>"
    name_col, summary_col = M.t("col_name", lang), M.t("col_summary", lang)
    heads = [c for c in table.columns if c != "url"]
    td = '<td style="padding:3px 6px;border-top:1px solid #ddd;vertical-align:top">'
    out = ['<div style="max-height:560px;overflow:auto">',
           '<table class="c4c-programme-table" style="border-collapse:collapse;font-size:90%">',
           "<tr>" + "".join(f'<th style="text-align:left;padding:3px 6px;position:sticky;top:0;'
                            f'background:#f4f6f8">{html.escape(h)}</th>' for h in heads) + "</tr>"]
    for _, row in table.iterrows():
        cells = []
        for col in heads:
            if col == name_col:
                cells.append(_link(row["url"], str(row[col])))
            elif col == summary_col and row[col] != DASH:  # long text: folded, one click to read
                cells.append(f"<details><summary>{html.escape(M.t('read_more', lang))}</summary>"
                             f"{_esc(row[col])}</details>")
            else:
                cells.append(_esc(row[col]))
        nowrap = {M.t(k, lang) for k in ("col_since", "col_grant", "col_rate")}
        out.append("<tr>" + "".join(
            (td.replace('">', ';white-space:nowrap">') if col in nowrap else td) + f"{c}</td>"
            for col, c in zip(heads, cells, strict=True)) + "</tr>")
    return "".join(out) + "</table></div>"


def town_twinning_problems(participants: int, invited_international: int, countries: int,
                           eu_member_states: int, lang: str = "uk") -> list[str]:
    """Which CERV Town Twinning participation conditions an event plan misses (empty: none).

    Conditions (domain facts §2.2): at least 50 participants, of whom at least 25 invited
    international participants; at least two eligible countries, at least one an EU member state.
    """
    problems = []
    if participants < 50:
        problems.append(M.t("tt_participants", lang, n=participants))
    if invited_international < 25:
        problems.append(M.t("tt_invited", lang, n=invited_international))
    if invited_international > participants:
        problems.append(M.t("tt_invited_more", lang))
    if countries < 2:
        problems.append(M.t("tt_countries", lang, n=countries))
    if eu_member_states < 1:
        problems.append(M.t("tt_eu", lang))
    if eu_member_states > countries:
        problems.append(M.t("tt_eu_more", lang))
    return problems


# --------------------------------------------------------------------------- cases: logic


def filter_cases(df: pd.DataFrame, *, theme: str | None = None,
                 country: str | None = None) -> pd.DataFrame:
    """Cases with the given theme slug and/or partner country code (``None``: any)."""
    keep = pd.Series(True, index=df.index)
    if theme:
        keep &= df["themes"].map(lambda v: theme in split_list(v))
    if country:
        keep &= df["partner_country"].map(
            lambda v: country.upper() in [c.upper() for c in split_list(v)])
    return df[keep].copy()


def _case_card(row: pd.Series, lang: str, oblasts: dict[str, str]) -> str:
    countries = ", ".join(country_name(c, lang) for c in split_list(row.get("partner_country")))
    oblast = oblasts.get(_text(row.get("ua_oblast_iso")), row.get("ua_oblast_iso"))
    fields = [("case_where", f"{_esc(oblast)}"), ("case_partner",
              f"{_esc(row.get('partner'))} ({html.escape(countries or DASH)})"),
              ("case_year", _esc(row.get("year"))), ("case_how_found", _esc(row.get("how_found"))),
              ("case_what_done", _esc(row.get("what_done"))), ("case_result", _esc(row.get("result"))),
              ("case_themes", html.escape(", ".join(label("theme", t, lang)
                                                    for t in split_list(row.get("themes"))) or DASH))]
    body = "".join(f"<tr><th style='text-align:left;vertical-align:top;padding:2px 8px'>"
                   f"{html.escape(M.t(k, lang))}</th><td style='padding:2px 8px'>{v}</td></tr>"
                   for k, v in fields)
    source = _link(row.get("source_url"), M.t("case_source", lang))
    checked = _esc(row.get("checked_on"))
    return (f'<div class="c4c-case-card"><h4>{_esc(row.get("ua_community"))} ↔ '
            f'{_esc(row.get("partner"))}</h4><table>{body}</table>'
            f"<p>{source} · {html.escape(M.t('case_checked', lang))} {checked}</p></div>")


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
        """Redraw the shortlist."""
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
        self.case.options = [(f"{_text(r.ua_community)} ↔ {_text(r.partner)}", r.id)
                             for r in found.itertuples()]
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
STAGES = ("self_assessment", "search", "first_contact", "letter_of_intent", "agreement",
          "work_plan", "joint_projects", "review")


def stage_names(lang: str = "uk") -> list[str]:
    """The partnership stages in order, in the learner's language."""
    return [M.t(f"stage_{s}", lang) for s in STAGES]


class PartnershipPlan(widgets.VBox):
    """'Your community' (m04): our next step for each stage, modelled on a chosen case.

    Saved as ``my_work/m04_partnership_plan.csv|.md`` for exercise ex04 and the partner finder.
    """

    def __init__(self, cases: pd.DataFrame, lang: str = "uk", folder: Path | None = None):
        self.lang, self.folder = lang, folder
        self.model = widgets.Dropdown(description=M.t("plan_model", lang), layout=widgets.Layout(
            width="95%"), style={"description_width": "200px"}, options=[
            (f"{_text(r.ua_community)} ↔ {_text(r.partner)}", _text(r.id))
            for r in cases.itertuples()])
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
