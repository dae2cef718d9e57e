"""A community's calendar of European events: the logic behind ``voila_apps/events_calendar``.

A :class:`Plan` is a year, the partner countries whose public holidays matter, and a list of
:class:`Entry` items (picked from the reference data or typed by the learner), each with an
optional preparation reminder "N weeks before". Everything here is a pure function of its
arguments, so it is tested without a browser::

    items = reference_items(load_events(), load_programmes(), 2026)
    plan = Plan(2026, ["PL", "SE"], [entry_from_reference(items.iloc[0])])
    clashes = find_clashes(plan, public_holidays(plan.countries, plan.year))

The exports (``.ics``, CSV, PNG, PDF) are in :mod:`c4c_lms.content.calendar_export`. Heavy
libraries (holidays here) are imported inside the functions that need them so the app opens fast.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from c4c_lms.core.i18n import Catalogue

__all__ = [
    "NEXT_YEAR_FROM_MONTH",
    "SCHEMA",
    "Entry",
    "Plan",
    "entry_from_reference",
    "filter_items",
    "find_clashes",
    "plan_from_json",
    "plan_to_json",
    "public_holidays",
    "default_year",
    "reference_items",
    "sort_entries",
    "to_be_announced",
]

SCHEMA = "c4c-calendar/1"
KINDS = ("event", "deadline", "session", "own")
M = Catalogue.load("events_calendar")


@dataclass
class Entry:
    """One item of the plan. ``certainty`` is ``exact``, ``month`` (day unknown: the 1st is
    used) or, in plans saved by earlier versions, ``unconfirmed`` (date of a past edition)."""

    uid: str
    title_uk: str
    title_en: str
    start: date
    kind: str = "own"
    remind_weeks: int = 0
    certainty: str = "exact"
    themes: tuple[str, ...] = ()
    country: str = ""
    url: str = ""
    programme_id: str = ""

    def title(self, lang: str) -> str:
        """Title in ``lang``, falling back to the other language."""
        first, other = (self.title_uk, self.title_en) if lang == "uk" else (self.title_en, self.title_uk)
        return first or other

    @property
    def reminder(self) -> date | None:
        """Day preparation should start, or None without a reminder."""
        return self.start - timedelta(weeks=self.remind_weeks) if self.remind_weeks > 0 else None


@dataclass
class Plan:
    """The learner's calendar for one year."""

    year: int
    countries: list[str] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    community: str = ""  # the community's name, printed on the wall planner


# --------------------------------------------------------------------------- reference data


def _int(value: object) -> int | None:
    try:
        return int(float(str(value)))
    except (TypeError, ValueError):
        return None


def _split(value: object) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):  # refdata already splits lists
        return tuple(str(v) for v in value)
    return tuple(s.strip() for s in _text(value).split(";") if s.strip())


def _text(value: object) -> str:
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return ""
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.strftime("%Y-%m-%d")
    return str(value)


#: From this month on, the calendar opens on the next year: a plan is made for the year ahead
#: (the course runs in January; a plan drawn up in late autumn is for the coming year).
NEXT_YEAR_FROM_MONTH = 10


def default_year(today: date) -> int:
    """The year a new plan opens on: the coming year from October on, else the current one."""
    return today.year + 1 if today.month >= NEXT_YEAR_FROM_MONTH else today.year


_COLUMNS = ["uid", "kind", "name_uk", "name_en", "programme_id", "themes", "country", "start",
            "certainty", "url", "source_url"]  # fmt: skip


def _place(events: pd.DataFrame, year: int) -> tuple[list[dict], list[dict]]:
    """Rows placed in ``year`` and rows of ``year`` whose date is still to be announced."""
    placed: list[dict] = []   # yearly projections, may be superseded
    specific: list[dict] = []  # rows that belong to ``year`` itself (dated or year-only)
    pending: list[dict] = []   # yearly rows without a month: "date to be announced"
    for rec in events.to_dict("records"):
        iso = _text(rec.get("date"))
        base = {
            "uid": _text(rec["id"]), "kind": _text(rec.get("kind")) or "event",
            "name_uk": _text(rec.get("name_uk")), "name_en": _text(rec.get("name_en")),
            "programme_id": _text(rec.get("programme_id")), "themes": _split(rec.get("themes")),
            "country": _text(rec.get("country")), "url": _text(rec.get("url")),
            "source_url": _text(rec.get("source_url")),
        }  # fmt: skip
        month, day = _int(rec.get("month")), _int(rec.get("day"))
        if month is not None and not 1 <= month <= 12:
            month = None
        row_year = int(iso[:4]) if iso else _int(rec.get("year"))
        recurrence = _text(rec.get("recurrence"))
        if row_year is not None:  # an edition of a known year counts only in that year
            if row_year != year:
                continue
            if iso:
                specific.append({**base, "start": date.fromisoformat(iso[:10]), "certainty": "exact"})
            elif month is not None:
                specific.append({**base, "start": date(year, month, day or 1),
                                 "certainty": "exact" if day else "month"})
            else:
                specific.append({**base, "start": None, "certainty": "tba"})
            continue
        if recurrence != "yearly":
            continue  # a past edition of unknown year or a one-off: nothing to project
        if month is None:
            pending.append({**base, "start": None, "certainty": "tba"})
        else:
            placed.append({**base, "start": date(year, month, day or 1),
                           "certainty": "exact" if day else "month"})

    def superseded(row: dict) -> bool:
        return any(
            d["kind"] == row["kind"]
            and (d["uid"].startswith(row["uid"] + "_")
                 or (row["programme_id"] and d["programme_id"] == row["programme_id"]))
            for d in specific
        )  # fmt: skip

    rows = [r for r in placed if not superseded(r)] + [r for r in specific if r["start"]]
    tba = [r for r in pending if not superseded(r)] + [r for r in specific if not r["start"]]
    return rows, tba


def reference_items(events: pd.DataFrame, programmes: pd.DataFrame, year: int) -> pd.DataFrame:
    """Reference events and deadlines placed in ``year``, one row each, sorted by date.

    Rules: a row with a ``date`` or a ``year`` counts only in that year (on its date, or on the
    1st of its month, marked ``month``); a ``yearly`` row is placed on its month/day (the 1st,
    marked ``month``, when the day is unknown) unless a row of the same year supersedes it (its
    id starts with the yearly id, or same programme and kind); rows of unknown recurrence or
    one-off rows without a year are past editions and are not projected into other years.
    Rows that belong to ``year`` but have no month are not placed: :func:`to_be_announced`
    lists them. A programme's ``next_deadline`` in ``year`` is added when no deadline of that
    programme is there yet.

    Returns
    -------
    pandas.DataFrame
        Columns uid, kind, name_uk, name_en, programme_id, themes (tuple), country, start (date),
        certainty, url, source_url.
    """
    rows, _tba = _place(events, year)
    have_deadline = {r["programme_id"] for r in rows if r["kind"] == "deadline"}
    for rec in programmes.to_dict("records"):
        iso = _text(rec.get("next_deadline"))
        pid = _text(rec.get("id"))
        if iso and iso[:4] == str(year) and pid not in have_deadline:
            rows.append({
                "uid": f"{pid}_deadline_{iso[:10]}", "kind": "deadline",
                "name_uk": _text(rec.get("name_uk")), "name_en": _text(rec.get("name_en")),
                "programme_id": pid, "themes": _split(rec.get("themes")), "country": "EU",
                "start": date.fromisoformat(iso[:10]), "certainty": "exact",
                "url": _text(rec.get("url")), "source_url": _text(rec.get("source_url")),
            })  # fmt: skip
    frame = pd.DataFrame(rows, columns=_COLUMNS)
    return frame.sort_values(["start", "uid"]).reset_index(drop=True)


def to_be_announced(events: pd.DataFrame, year: int) -> pd.DataFrame:
    """Reference items of ``year`` whose date is not published yet ("date to be announced").

    These are ``yearly`` rows without a month (e.g. the CERV Networks of Towns deadline, the
    Ukraine Recovery Conference) that no row of ``year`` supersedes, and rows of ``year``
    without a month (e.g. a conference whose host is known but not its dates). They cannot go
    into a dated plan, so the app lists them with their source instead of dropping them.

    Returns
    -------
    pandas.DataFrame
        Columns as :func:`reference_items` (``start`` is ``None``, ``certainty`` is ``tba``),
        sorted by English name.
    """
    _rows, tba = _place(events, year)
    frame = pd.DataFrame(tba, columns=_COLUMNS)
    return frame.sort_values(["name_en", "uid"]).reset_index(drop=True)


def filter_items(items: pd.DataFrame, themes=(), programmes=(), countries=(), months=()):
    """Rows of ``items`` matching every non-empty filter (any theme of the row may match)."""
    keep = pd.Series(True, index=items.index)
    if themes:
        keep &= items["themes"].map(lambda ts: bool(set(ts) & set(themes)))
    if programmes:
        keep &= items["programme_id"].isin(list(programmes))
    if countries:
        keep &= items["country"].isin(list(countries))
    if months:
        keep &= items["start"].map(lambda d: d.month).isin(list(months))
    return items[keep]


def entry_from_reference(row, remind_weeks: int = 0) -> Entry:
    """An :class:`Entry` for one row of :func:`reference_items`."""
    return Entry(
        uid=row["uid"], title_uk=row["name_uk"], title_en=row["name_en"], start=row["start"],
        kind=row["kind"] if row["kind"] in KINDS else "event", remind_weeks=int(remind_weeks),
        certainty=row["certainty"], themes=tuple(row["themes"]), country=row["country"],
        url=row["url"], programme_id=row["programme_id"],
    )  # fmt: skip


def sort_entries(entries: list[Entry], by: str = "start", lang: str = "en") -> list[Entry]:
    """Entries sorted by ``start``, ``reminder``, ``title`` or ``kind`` (then by date)."""
    keys = {
        "start": lambda e: (e.start, e.title(lang).lower()),
        "reminder": lambda e: (e.reminder or e.start, e.start),
        "title": lambda e: (e.title(lang).lower(), e.start),
        "kind": lambda e: (KINDS.index(e.kind) if e.kind in KINDS else 9, e.start),
    }
    return sorted(entries, key=keys.get(by, keys["start"]))


# --------------------------------------------------------------------------- holidays and clashes


def public_holidays(countries: list[str], year: int, lang: str = "en") -> list[tuple[date, str, str]]:
    """Public holidays ``(date, country, name)`` of ``countries`` in ``year``, by date.

    Uses the ``holidays`` package (names in Ukrainian where it has them). Countries it does not
    know are skipped. Note that for Ukraine it returns no public holidays from 2023 on: they
    are suspended under martial law.
    """
    if not countries:
        return []  # the app's first render asks with none chosen: skip the import
    import holidays

    found: list[tuple[date, str, str]] = []
    for code in countries:
        try:
            probe = holidays.country_holidays(code, years=year)
        except NotImplementedError:
            continue
        wanted = "uk" if lang == "uk" else "en_US"
        language = wanted if wanted in probe.supported_languages else None
        days = holidays.country_holidays(code, years=year, language=language) if language else probe
        found.extend((day, code, name) for day, name in days.items())
    return sorted(found)


def find_clashes(plan: Plan, holiday_list=()) -> list[tuple[Entry, str]]:
    """Entries that clash: ``(entry, reason_key, other)`` triples.

    Two entries on the same day clash (``clash_same_day``, other = the other title in
    English); an entry on a public holiday of a chosen partner country clashes
    (``clash_holiday``, other = ``"CC: holiday name"``). Only entries with an exact date take
    part: a month-only date is a placeholder on the 1st.
    """
    out = []
    by_day: dict[date, list[Entry]] = {}
    for entry in plan.entries:
        if entry.certainty != "month":
            by_day.setdefault(entry.start, []).append(entry)
    for day_entries in by_day.values():
        for entry in day_entries:
            for other in day_entries:
                if other is not entry:
                    out.append((entry, "clash_same_day", other.title_en or other.title_uk))
    for day, code, name in holiday_list:
        for entry in by_day.get(day, []):
            out.append((entry, "clash_holiday", f"{code}: {name}"))
    return out


# --------------------------------------------------------------------------- save and re-load


def plan_to_json(plan: Plan) -> dict:
    """The plan as a JSON-ready dict (schema ``c4c-calendar/1``)."""
    entries = []
    for e in plan.entries:
        d = asdict(e)
        d["start"] = e.start.isoformat()
        d["themes"] = list(e.themes)
        entries.append(d)
    return {"schema": SCHEMA, "year": plan.year, "community": plan.community,
            "countries": list(plan.countries), "entries": entries}  # fmt: skip


def plan_from_json(obj: dict) -> Plan:
    """Plan from :func:`plan_to_json` output; ``ValueError`` names the entry and field at fault."""
    if obj.get("schema") != SCHEMA:
        raise ValueError(f"schema must be {SCHEMA!r}")
    year = obj.get("year")
    if not isinstance(year, int) or not 1900 < year < 2200:
        raise ValueError("'year' must be a year such as 2026")
    countries = obj.get("countries", [])
    if not isinstance(countries, list) or not all(isinstance(c, str) for c in countries):
        raise ValueError("'countries' must be a list of country codes")
    community = obj.get("community", "")  # plans saved before it existed have none
    if not isinstance(community, str):
        raise ValueError("'community' must be text")
    entries = []
    for n, raw in enumerate(obj.get("entries", []), start=1):
        if not isinstance(raw, dict):
            raise ValueError(f"entry {n}: not an object")
        try:
            start = date.fromisoformat(str(raw.get("start")))
        except ValueError:
            raise ValueError(f"entry {n}: 'start' {raw.get('start')!r} is not a YYYY-MM-DD date") from None
        weeks = raw.get("remind_weeks", 0)
        if not isinstance(weeks, int) or not 0 <= weeks <= 52:
            raise ValueError(f"entry {n}: 'remind_weeks' must be a whole number 0-52")
        if not (raw.get("title_uk") or raw.get("title_en")):
            raise ValueError(f"entry {n}: a title is missing")
        entries.append(Entry(
            uid=str(raw.get("uid") or f"own_{n}"), title_uk=str(raw.get("title_uk", "")),
            title_en=str(raw.get("title_en", "")), start=start,
            kind=raw.get("kind") if raw.get("kind") in KINDS else "own", remind_weeks=weeks,
            certainty=str(raw.get("certainty", "exact")), themes=tuple(raw.get("themes", ())),
            country=str(raw.get("country", "")), url=str(raw.get("url", "")),
            programme_id=str(raw.get("programme_id", "")),
        ))  # fmt: skip
    return Plan(year, countries, entries, community.strip())
