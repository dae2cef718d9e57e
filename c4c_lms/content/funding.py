"""Funding match: rank programmes from the reference data by how well they fit a project.

Five criteria, 100 points in all, each with a reason the app shows:

=====================  ======  ==========================================================
criterion              points  how
=====================  ======  ==========================================================
themes                 35      share of the project's themes the programme lists
applicant type         20      the lead applicant's type is listed (10 when the list is empty)
Ukraine's status       20      associated / eligible / national 20, partner country 15, unknown 5
grant size             15      requested grant inside the range 15; outside 5; unknown 7
next deadline          10      8 weeks or more away 10; sooner 5; none known 2
=====================  ======  ==========================================================

A programme is marked *not eligible* when the applicant type is not listed or Ukraine's
status is unknown; it still appears (lower down), because the reference data can be incomplete.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

WEIGHTS = {"themes": 35, "applicant": 20, "ukraine": 20, "grant": 15, "deadline": 10}
UA_POINTS = {"associated": 20, "eligible": 20, "national": 20, "partner_country": 15}
PREP_DAYS = 56  # eight weeks to prepare an application


def _blank(value: object) -> bool:
    """None, NaN, NaT, pandas.NA or empty text (reference data arrives parsed or as text)."""
    if value is None or isinstance(value, (list, tuple)):
        return value is None
    try:
        if value != value:  # NaN, NaT
            return True
    except TypeError:  # pandas.NA refuses to be a bool
        return True
    return str(value).strip() == ""


def _split(value: object) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(x).strip() for x in value if str(x).strip()]
    return [] if _blank(value) else [x.strip() for x in str(value).split(";") if x.strip()]


def _money(value: object) -> Decimal | None:
    if _blank(value):
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def _int(value: object) -> int | None:
    if _blank(value):
        return None
    try:
        return int(float(str(value)))
    except ValueError:
        return None


def _date(value: object) -> dt.date | None:
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):  # also pandas.Timestamp
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def upcoming_deadlines(events, programme_id: str, today: dt.date) -> list[dict]:
    """Deadlines of one programme from ``events.csv`` rows, next occurrence first.

    A row with a ``date`` on or after ``today`` counts as is. A yearly row without one gets its
    next ``month``/``day``; without a day the 1st of the month is used and ``approx`` is set.

    Returns
    -------
    list of dict
        ``date`` (datetime.date), ``approx`` (bool), ``name_en``, ``name_uk``, ``url``.
    """
    if events is None or len(events) == 0:
        return []
    out = []
    rows = events[(events["programme_id"].fillna("") == programme_id)
                  & (events["kind"].fillna("") == "deadline")]
    for _, r in rows.iterrows():
        when, approx = _date(r.get("date", "")), False
        if when is None or when < today:
            if str(r.get("recurrence", "")) != "yearly":
                continue
            month, day = _int(r.get("month")), _int(r.get("day"))
            if month is None:
                continue
            approx = day is None
            day = day or 1
            when = dt.date(today.year, month, day)
            if when < today:
                when = dt.date(today.year + 1, month, day)
        out.append({"date": when, "approx": approx, "name_en": str(r.get("name_en", "")),
                    "name_uk": str(r.get("name_uk", "")), "url": "" if _blank(r.get("url")) else str(r.get("url"))})
    return sorted(out, key=lambda d: d["date"])


def score_programme(row: dict, themes: list[str], applicant_type: str, grant: Decimal | None,
                    today: dt.date, deadlines: list[dict] | None = None) -> dict:
    """Score one programme (a ``programmes.csv`` row as a dict) for one project.

    Returns
    -------
    dict
        ``score`` (0-100 int), ``eligible`` (bool), ``reasons`` (list of ``(message_key,
        values)`` for the ``project_planner`` catalogue), ``next_deadline`` (date or None).
    """
    reasons: list[tuple[str, dict]] = []
    score = 0.0
    listed = set(_split(row.get("themes")))
    wanted = list(dict.fromkeys(themes))
    overlap = [t for t in wanted if t in listed]
    if not wanted:
        reasons.append(("fm_no_themes", {}))
    elif overlap:
        score += WEIGHTS["themes"] * len(overlap) / len(wanted)
        reasons.append(("fm_theme_match", {"themes": overlap, "n": len(overlap), "of": len(wanted)}))
    else:
        reasons.append(("fm_theme_none", {}))

    types = _split(row.get("applicant_types"))
    eligible = True
    if not types:
        score += WEIGHTS["applicant"] / 2
        reasons.append(("fm_applicant_unknown", {}))
    elif applicant_type in types:
        score += WEIGHTS["applicant"]
        reasons.append(("fm_applicant_ok", {"type": applicant_type}))
    else:
        eligible = False
        reasons.append(("fm_applicant_no", {"type": applicant_type, "types": types}))

    status = "unknown" if _blank(row.get("ukraine_status")) else str(row["ukraine_status"]).strip()
    score += UA_POINTS.get(status, 5)
    if status not in UA_POINTS:
        eligible = False
        status = "unknown"
    since = _date(row.get("ukraine_since"))
    reasons.append((f"fm_ua_{status}", {"since": since.isoformat() if since else ""}))

    lo, hi = _money(row.get("grant_min_eur")), _money(row.get("grant_max_eur"))
    if grant is None:
        score += 7
        reasons.append(("fm_grant_not_given", {}))
    elif lo is None and hi is None:
        score += 7
        reasons.append(("fm_grant_unknown_range", {}))
    elif (lo is None or grant >= lo) and (hi is None or grant <= hi):
        score += WEIGHTS["grant"]
        reasons.append(("fm_grant_in", {"min": lo, "max": hi}))
    else:
        score += 5
        below = lo is not None and grant < lo
        reasons.append(("fm_grant_below" if below else "fm_grant_above", {"min": lo, "max": hi}))

    candidates = [d["date"] for d in (deadlines or [])]
    nd = _date(row.get("next_deadline", ""))
    if nd is not None and nd >= today:
        candidates.append(nd)
    nxt = min(candidates) if candidates else None
    if nxt is None:
        score += 2
        months = _split(row.get("call_months"))
        reasons.append(("fm_deadline_unknown", {"months": months}))
    elif (nxt - today).days >= PREP_DAYS:
        score += WEIGHTS["deadline"]
        reasons.append(("fm_deadline_ok", {"date": nxt.isoformat(), "days": (nxt - today).days}))
    else:
        score += 5
        reasons.append(("fm_deadline_tight", {"date": nxt.isoformat(), "days": (nxt - today).days}))
    return {"score": round(score), "eligible": eligible, "reasons": reasons, "next_deadline": nxt}


def rank(programmes, themes: list[str], applicant_type: str, grant: Decimal | None,
         today: dt.date, events=None) -> list[dict]:
    """All programmes scored for the project, best first (eligible before not eligible).

    Parameters
    ----------
    programmes, events : pandas.DataFrame
        From :func:`c4c_lms.refdata.tables.load_programmes` / ``load_events`` (events may be None).
    themes : list of str
        Theme slugs of the project.
    applicant_type : str
        The lead applicant's type (``municipality``, ``ngo``, ...).
    grant : Decimal or None
        The grant the project asks for, in euro.
    today : datetime.date

    Returns
    -------
    list of dict
        :func:`score_programme` output plus ``id``, ``name_en``, ``name_uk``, ``url`` and
        ``deadlines`` (from :func:`upcoming_deadlines`).
    """
    out = []
    for _, r in programmes.iterrows():
        row = r.to_dict()
        deadlines = upcoming_deadlines(events, str(row["id"]), today)
        found = score_programme(row, themes, applicant_type, grant, today, deadlines)
        out.append({**found, "id": str(row["id"]), "name_en": str(row.get("name_en", "")),
                    "name_uk": str(row.get("name_en", "") if _blank(row.get("name_uk")) else row["name_uk"]),
                    "url": "" if _blank(row.get("url")) else str(row["url"]), "deadlines": deadlines})
    return sorted(out, key=lambda x: (not x["eligible"], -x["score"], x["name_en"]))


def _bounds_key(key: str, values: dict) -> str:
    """``fm_grant_in`` has a message for each set of known bounds (never "EUR —–750 000")."""
    if key != "fm_grant_in":
        return key
    lo, hi = values.get("min") is not None, values.get("max") is not None
    return key if lo and hi else f"{key}_max" if hi else f"{key}_min" if lo else "fm_grant_unknown_range"


def explain(reasons: list[tuple[str, dict]], lang: str, theme_label=None) -> str:
    """The reasons as one sentence per criterion in ``lang`` (``project_planner`` catalogue):
    applicant types by their names (``type_<code>``), amounts as the language writes them."""
    from c4c_lms.core.i18n import Catalogue, format_number

    m = Catalogue.load("project_planner")
    label = theme_label or (lambda slug: slug)

    def type_name(code: str) -> str:
        return m.t(f"type_{code}", lang) if f"type_{code}" in m.entries else code

    parts = []
    for key, values in reasons:
        v = dict(values)
        if "themes" in v:
            v["themes"] = ", ".join(label(t) for t in v["themes"])
        if "type" in v:
            v["type"] = type_name(v["type"])
        if "types" in v:
            v["types"] = "; ".join(type_name(t) for t in v["types"])
        if "since" in v:
            v["since"] = m.t("fm_since", lang, date=v["since"]) if v["since"] else ""
        if "months" in v:
            v["months"] = ", ".join(v["months"]) or "—"
        key = _bounds_key(key, v)
        for k in ("min", "max"):
            if v.get(k) is not None:
                v[k] = format_number(v[k], lang)
        parts.append(m.t(key, lang, **v))
    return " ".join(parts)
