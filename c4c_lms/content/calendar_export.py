"""The events calendar's files: ``.ics`` (RFC 5545, with reminders), CSV, and the 12-month wall
planner as PNG and PDF; plus the year-at-a-glance image the app shows on screen. Pure functions
of a :class:`~c4c_lms.content.calendar.Plan`; icalendar and matplotlib are imported inside them
so the app opens fast."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta, timezone

from c4c_lms.content.calendar import M, Plan, sort_entries
from c4c_lms.core.files import neutralise_formula

__all__ = ["glance_png", "to_csv", "to_ics", "to_pdf", "to_png", "year_figure"]


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
        writer.writerow([neutralise_formula(v) for v in (
            e.start.isoformat(), e.title(lang), M.t(f"kind_{e.kind}", lang),
            e.reminder.isoformat() if e.reminder else "", e.country, e.url,
        )])  # fmt: skip
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


def glance_png(plan: Plan, holiday_list=(), lang: str = "en") -> bytes:
    """The year-at-a-glance figure (with partner-country holidays) as PNG bytes, for the screen."""
    buf = io.BytesIO()
    year_figure(plan, holiday_list, lang).savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def to_png(plan: Plan, lang: str = "en", dpi: int = 150) -> bytes:
    """The 12-month wall planner (A4 landscape, :mod:`c4c_lms.content.wall_planner`) as PNG."""
    from c4c_lms.content import wall_planner  # matplotlib loads only when a file is made

    return wall_planner.to_png(plan.entries, plan.year, plan.community, lang, dpi=dpi)


def to_pdf(plan: Plan, lang: str = "en") -> bytes:
    """The 12-month wall planner as a one-page A4 landscape PDF: a block per month with its
    entries and preparation reminders, a legend and the community's name; labels >= 8 pt."""
    from c4c_lms.content import wall_planner  # matplotlib loads only when a file is made

    return wall_planner.to_pdf(plan.entries, plan.year, plan.community, lang)
