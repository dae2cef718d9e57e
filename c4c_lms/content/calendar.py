"""A community's calendar of European events: the logic behind ``voila_apps/events_calendar``.

A :class:`Plan` is a year, the partner countries whose public holidays matter, and a list of
:class:`Entry` items (picked from the reference data or typed by the learner), each with an
optional preparation reminder "N weeks before". Everything here is a pure function of its
arguments, so it is tested without a browser::

    items = reference_items(load_events(), load_programmes(), 2026)
    plan = Plan(2026, ["PL", "SE"], [entry_from_reference(items.iloc[0])])
    ics = to_ics(plan, "en")           # RFC 5545 bytes with VALARM reminders
    clashes = find_clashes(plan, public_holidays(plan.countries, plan.year))

Heavy libraries (icalendar, holidays, matplotlib, fpdf2) are imported inside the functions
that need them so the app opens fast.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone

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
    "to_csv",
    "to_ics",
    "to_pdf",
    "to_png",
    "year_figure",
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
    return {"schema": SCHEMA, "year": plan.year, "countries": list(plan.countries),
            "entries": entries}  # fmt: skip


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
    return Plan(year, countries, entries)


# --------------------------------------------------------------------------- exports


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-") or "entry"


def to_ics(plan: Plan, lang: str = "en", now: datetime | None = None) -> bytes:
    """The plan as an iCalendar file (RFC 5545) that Outlook and Google Calendar import.

    All-day events; each reminder is a ``VALARM`` (``TRIGGER:-P<N>W``, ``ACTION:DISPLAY``).
    UIDs are stable, so importing a re-exported plan updates rather than duplicates.
    """
    from icalendar import Alarm, Calendar, Event

    stamp = now or datetime.now(timezone.utc)
    cal = Calendar()
    cal.add("prodid", "-//C4C Workbench//Events calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", M.t("ics_name", lang, year=plan.year))
    for e in plan.entries:
        ev = Event()
        ev.add("uid", f"{_slug(e.uid)}-{e.start.isoformat()}@c4c-workbench")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", e.start)
        ev.add("dtend", e.start + timedelta(days=1))
        ev.add("summary", e.title(lang))
        notes = [M.t(f"kind_{e.kind}", lang)]
        if e.certainty != "exact":
            notes.append(M.t(f"certainty_{e.certainty}", lang))
        if e.url:
            ev.add("url", e.url)
            notes.append(e.url)
        ev.add("description", "\n".join(notes))
        ev.add("categories", [M.t(f"kind_{e.kind}", lang)])
        ev.add("transp", "TRANSPARENT")
        if e.remind_weeks > 0:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", timedelta(weeks=-e.remind_weeks))
            alarm.add("description", M.t("ics_reminder", lang, weeks=e.remind_weeks, title=e.title(lang)))
            ev.add_component(alarm)
        cal.add_component(ev)
    return cal.to_ical()


def to_csv(plan: Plan, lang: str = "en") -> bytes:
    """The plan as CSV (UTF-8 with BOM so Excel shows Cyrillic), sorted by date."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([M.t(f"col_{c}", lang) for c in ("date", "title", "kind", "reminder", "country", "url")])
    for e in sort_entries(plan.entries, "start", lang):
        writer.writerow([
            e.start.isoformat(), e.title(lang), M.t(f"kind_{e.kind}", lang),
            e.reminder.isoformat() if e.reminder else "", e.country, e.url,
        ])  # fmt: skip
    return buf.getvalue().encode("utf-8-sig")


_COLOURS = {"event": "#1976d2", "deadline": "#c62828", "session": "#6a1b9a", "own": "#2e7d32"}


def year_figure(plan: Plan, holiday_list=(), lang: str = "en"):
    """Year at a glance: one row per entry, a bar for its preparation time, a dot on its day,
    grey ticks for partner-country public holidays. Returns a matplotlib ``Figure``."""
    from matplotlib.dates import DateFormatter, MonthLocator
    from matplotlib.figure import Figure

    entries = sort_entries(plan.entries, "start", lang)
    fig = Figure(figsize=(11.0, max(2.5, 1.2 + 0.32 * len(entries))), layout="constrained")
    ax = fig.add_subplot()
    first, last = date(plan.year, 1, 1), date(plan.year, 12, 31)
    for row, e in enumerate(entries):
        colour = _COLOURS.get(e.kind, "#455a64")
        if e.reminder:
            ax.plot([e.reminder, e.start], [row, row], color=colour, alpha=0.35, linewidth=5,
                    solid_capstyle="butt")  # fmt: skip
        ax.plot([e.start], [row], "o" if e.certainty == "exact" else "s", color=colour,
                fillstyle="full" if e.certainty == "exact" else "none")  # fmt: skip
    for day, _code, _name in holiday_list:
        ax.axvline(day, color="#9e9e9e", linewidth=0.6, alpha=0.6, zorder=0)
    labels = [f"{e.start:%d.%m}  {_short(e.title(lang), 60)}" for e in entries]
    ax.set_yticks(range(len(entries)), labels, fontsize=8)
    ax.set_ylim(len(entries) - 0.5 if entries else 0.5, -0.5)
    ax.set_xlim(first, last)
    ax.xaxis.set_major_locator(MonthLocator())
    ax.xaxis.set_major_formatter(DateFormatter("%m"))
    ax.grid(axis="x", color="#e0e0e0")
    ax.set_title(M.t("plot_title", lang, year=plan.year))
    if not entries:
        ax.text(0.5, 0.5, M.t("plot_empty", lang), transform=ax.transAxes, ha="center")
    return fig


def to_png(plan: Plan, holiday_list=(), lang: str = "en") -> bytes:
    """The year-at-a-glance figure as PNG bytes."""
    buf = io.BytesIO()
    year_figure(plan, holiday_list, lang).savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def to_pdf(plan: Plan, holiday_list=(), lang: str = "en") -> bytes:
    """A one-page A4 landscape year plan: title, the figure and a dated list (fpdf2, DejaVu)."""
    from c4c_lms.widgets.appkit import new_pdf

    pdf = new_pdf("landscape")
    pdf.set_font("dejavu", "B", 14)
    pdf.cell(0, 8, M.t("plot_title", lang, year=plan.year), new_x="LMARGIN", new_y="NEXT")
    entries = sort_entries(plan.entries, "start", lang)
    fig = year_figure(plan, holiday_list, lang)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120)
    width, height = fig.get_size_inches()
    img_w = 160.0
    img_h = min(img_w * height / width, 175.0)
    pdf.image(buf, x=10, y=20, w=img_h * width / height, h=img_h)
    pdf.set_xy(180, 20)
    pdf.set_font("dejavu", size=7)
    shown = 0
    for e in entries:
        if pdf.get_y() > pdf.h - 22:  # one page: the rest is in the CSV and .ics
            break
        line = f"{e.start:%d.%m} {e.title(lang)}"
        if e.reminder:
            line += " — " + M.t("pdf_reminder", lang, date=f"{e.reminder:%d.%m}")
        pdf.set_x(180)
        pdf.multi_cell(107, 3.6, line, align="L", new_x="LMARGIN", new_y="NEXT")
        shown += 1
    if len(entries) > shown:
        pdf.set_x(180)
        pdf.multi_cell(107, 3.6, M.t("pdf_more", lang, count=len(entries) - shown))
    return bytes(pdf.output())
