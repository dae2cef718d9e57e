"""The logic of modules m03 (EU programmes) and m04 (cooperation cases): filtering, sorting,
call calendars and checks over the reference tables, as plain functions (the widgets in
:mod:`c4c_lms.widgets.programme_explorer` only lay them out).

Unknown values in the reference data are empty cells; every function here keeps them unknown
(never guesses) and the tables show them as "—".
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd
from babel import Locale
from babel.dates import get_month_names

from c4c_lms.content.themes import theme_label
from c4c_lms.core.i18n import Catalogue, format_number

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


def case_text(row, column: str, lang: str) -> str:
    """A case's text in the learner's language: the ``<column>_uk`` twin for Ukrainian when it
    is filled, otherwise the English column. ``row`` is a Series, a dict or an itertuples row."""
    get = row.get if hasattr(row, "get") else (lambda name: getattr(row, name, None))
    if lang == "uk":
        twin = _text(get(f"{column}_uk"))
        if twin:
            return twin
    return _text(get(column))


def case_label(row, lang: str) -> str:
    """``community ↔ partner`` in the learner's language (case lists and selectors)."""
    return f"{case_text(row, 'ua_community', lang)} ↔ {case_text(row, 'partner', lang)}"


def _case_card(row: pd.Series, lang: str, oblasts: dict[str, str]) -> str:
    countries = ", ".join(country_name(c, lang) for c in split_list(row.get("partner_country")))
    oblast = oblasts.get(_text(row.get("ua_oblast_iso")), row.get("ua_oblast_iso"))
    text = lambda column: _esc(case_text(row, column, lang))  # noqa: E731
    fields = [("case_where", f"{_esc(oblast)}"), ("case_partner",
              f"{text('partner')} ({html.escape(countries or DASH)})"),
              ("case_year", _esc(row.get("year"))), ("case_how_found", text("how_found")),
              ("case_what_done", text("what_done")), ("case_result", text("result")),
              ("case_themes", html.escape(", ".join(label("theme", t, lang)
                                                    for t in split_list(row.get("themes"))) or DASH))]
    body = "".join(f"<tr><th style='text-align:left;vertical-align:top;padding:2px 8px'>"
                   f"{html.escape(M.t(k, lang))}</th><td style='padding:2px 8px'>{v}</td></tr>"
                   for k, v in fields)
    source = _link(row.get("source_url"), M.t("case_source", lang))
    checked = _esc(row.get("checked_on"))
    return (f'<div class="c4c-case-card"><h4>{html.escape(case_label(row, lang))}</h4>'
            f"<table>{body}</table>"
            f"<p>{source} · {html.escape(M.t('case_checked', lang))} {checked}</p></div>")


STAGES = ("self_assessment", "search", "first_contact", "letter_of_intent", "agreement",
          "work_plan", "joint_projects", "review")


def stage_names(lang: str = "uk") -> list[str]:
    """The partnership stages in order, in the learner's language."""
    return [M.t(f"stage_{s}", lang) for s in STAGES]
