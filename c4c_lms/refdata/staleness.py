"""Is the reference data still true on a given day? (``c4c refdata check --as-of DATE``)

Two kinds of finding, both computed from the CSV text alone (no network):

``stale``
    A row whose ``checked_on`` is more than ``max_age_days`` before ``as_of``: its facts have
    not been compared with the source for too long (every table).
``past_upcoming``
    A date the row presents as still to come that has passed by ``as_of``:

    * ``programmes.next_deadline`` (by definition a deadline after ``checked_on``) before
      ``as_of``;
    * an ``events.date`` that was after the row's ``checked_on`` (so the row announced it as
      upcoming) and is before ``as_of``;
    * an ``events`` row with a ``year`` but no ``date`` ("dates not yet announced") whose year
      has ended by ``as_of``.

Rows dated before their own check are history, not announcements, and are never flagged as
past. A ``checked_on`` after ``as_of`` (checking a future course run from today's data, or a
past day from newer data) is not stale.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from c4c_lms.core.i18n import Catalogue
from c4c_lms.refdata.schema import DEFAULT_MAX_AGE_DAYS
from c4c_lms.refdata.tables import DATA_DIR, TABLES

__all__ = ["DEFAULT_MAX_AGE_DAYS", "Finding", "check_staleness", "describe"]

M = Catalogue.load("refdata")



@dataclass(frozen=True)
class Finding:
    """One problem: ``kind`` is ``stale`` or ``past_upcoming``; ``field`` the column concerned;
    ``value`` its date (for a year-only event, 31 December of that year); ``checked_on`` the
    row's check date; ``days`` how many days ``value`` (stale: ``checked_on``) lies before
    ``as_of``."""

    table: str
    row_id: str
    kind: str
    field: str
    value: dt.date
    checked_on: dt.date | None
    days: int


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text and text.strip() else None
    except ValueError:
        return None


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def check_staleness(
    *, as_of: dt.date, max_age_days: int = DEFAULT_MAX_AGE_DAYS, data_dir: Path | str | None = None
) -> list[Finding]:
    """Rows that are stale, and dates presented as upcoming that are past, on ``as_of``.

    Parameters
    ----------
    as_of : datetime.date
        The day to check for (e.g. the first day of the next course run).
    max_age_days : int
        A row checked more than this many days before ``as_of`` is stale (must be >= 0).
    data_dir : path-like, optional
        Folder holding the reference CSVs; defaults to the package's ``refdata/data``. Tables
        missing from the folder are skipped.

    Returns
    -------
    list of Finding
        Sorted by table, row and kind; empty when everything is current.
    """
    if max_age_days < 0:
        raise ValueError("max_age_days must not be negative")
    folder = Path(data_dir) if data_dir else DATA_DIR
    oldest = as_of - dt.timedelta(days=max_age_days)
    found: list[Finding] = []
    for table, spec in TABLES.items():
        path = folder / f"{table}.csv"
        if not path.exists():
            continue
        for row in _rows(path):
            rid = row.get(spec.key, "") or "?"
            checked = _date(row.get("checked_on", ""))
            if checked is not None and checked < oldest:
                found.append(Finding(table, rid, "stale", "checked_on", checked, checked,
                                     (as_of - checked).days))
            if table == "programmes":
                due = _date(row.get("next_deadline", ""))
                if due is not None and due < as_of:
                    found.append(Finding(table, rid, "past_upcoming", "next_deadline", due,
                                         checked, (as_of - due).days))
            elif table == "events":
                when = _date(row.get("date", ""))
                year = row.get("year", "").strip()
                if when is not None:
                    if checked is not None and when > checked and when < as_of:
                        found.append(Finding(table, rid, "past_upcoming", "date", when, checked,
                                             (as_of - when).days))
                elif year.isdigit():
                    end = dt.date(int(year), 12, 31)
                    if (checked is None or end >= checked) and end < as_of:
                        found.append(Finding(table, rid, "past_upcoming", "year", end, checked,
                                             (as_of - end).days))
    return sorted(found, key=lambda f: (f.table, f.row_id, f.kind))


def describe(finding: Finding, *, lang: str, as_of: dt.date, max_age_days: int) -> str:
    """The finding as one sentence in ``lang``."""
    where = f"{finding.table}.csv, {finding.row_id}"
    if finding.kind == "stale":
        return M.t("stale_row", lang, where=where, checked=finding.value.isoformat(),
                   days=finding.days, max=max_age_days)
    key = "past_year" if finding.field == "year" else "past_upcoming"
    return M.t(key, lang, where=where, field=finding.field, value=finding.value.isoformat(),
               year=finding.value.year, checked=finding.checked_on.isoformat() if finding.checked_on else "—",
               as_of=as_of.isoformat())
