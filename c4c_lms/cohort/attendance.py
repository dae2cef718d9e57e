"""Attendance from video-meeting exports: Zoom, Microsoft Teams and plain CSV.

One import reads one day's file, recognises its layout from the header, adds up each attendee's
minutes over rejoins, matches attendees to the roster (:mod:`c4c_lms.cohort.data`) and stores the day
in ``<workdir>/attendance/attendance.json``. The file is checked completely before anything is
written, and the state file is replaced atomically: a bad file leaves the previous state intact.
Attendees who cannot be matched with confidence wait in the same file for ``attendance resolve``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from c4c_lms.core.exceptions import C4CError, InputFileError
from c4c_lms.core.i18n import Catalogue
from c4c_lms.core.names import Matcher, normalise_name
from c4c_lms.core.files import decode, normalise_header, write_json_atomic

M = Catalogue.load("attendance")
SCHEMA = "c4c-attendance/1"

# Header cells that identify each export (normalised: lower case, single spaces).
HEADERS = {
    "zoom": {"name": ("name (original name)",), "email": ("user email", "email"),
             "join": ("join time",), "leave": ("leave time",),
             "minutes": ("duration (minutes)", "total duration (minutes)", "duration (mins)")},
    "teams": {"name": ("name", "full name"), "email": ("email", "participant id (upn)"),
              "join": ("first join", "join time"), "leave": ("last leave", "leave time"),
              "minutes": ("in-meeting duration", "duration")},
    "teams_events": {"name": ("full name",), "action": ("user action",), "time": ("timestamp",)},
    "plain": {"name": ("name", "full name", "піб", "ім'я та прізвище", "participant"),
              "first": ("first_name", "first name", "ім'я"), "last": ("last_name", "last name", "прізвище"),
              "email": ("email", "e-mail", "електронна пошта"), "join": ("join", "joined", "start"),
              "leave": ("leave", "left", "end"),
              "minutes": ("minutes", "duration", "хвилини", "тривалість")},
}  # fmt: skip
TIME_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p", "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%m/%d/%y, %I:%M:%S %p", "%m/%d/%Y, %I:%M:%S %p", "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y, %H:%M:%S", "%d/%m/%Y %H:%M:%S",
)  # fmt: skip
PHONE = re.compile(r"^[+()\d\s*.\-]{7,}$")
SECTION = re.compile(r"^\s*\d+\.\s+\S")


@dataclass
class Row:
    """One usable row of an export, with its 1-based line number in the file."""

    line: int
    name: str
    email: str
    minutes: float | None
    start: float | None = None  # POSIX seconds
    end: float | None = None


@dataclass
class Attendee:
    """One person as the meeting tool saw them during one day (rejoins merged)."""

    key: str
    name: str
    email: str
    minutes: float
    lines: list[int]
    intervals: list[list[float]] | None = None
    phone_only: bool = False
    participant_id: str | None = None
    method: str = ""
    confidence: float = 0.0
    status: str = "unmatched"  # matched | unmatched | ambiguous | phone | ignored
    candidates: list[list] = field(default_factory=list)


@dataclass
class ParsedFile:
    format: str
    encoding: str
    attendees: list[Attendee]
    warnings: list[tuple[str, str]]
    sha256: str


def _where(line: int | str, lang: str) -> str:
    return M.t("row", lang, line=line)


def decode_bytes(raw: bytes, path: str, *, lang: str = "uk") -> tuple[str, str]:
    """Text and a label of its encoding: utf-16 (Teams), utf-8-bom, utf-8 or cp1251."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InputFileError(path, [(_where(1, lang), M.t("bad_encoding", lang))]) from None
    text, encoding = decode(raw, path)
    if encoding == "cp1251":
        # A file pasted together from two exports: lines that are valid UTF-8 inside a cp1251
        # file would turn into mojibake names ("РћР»РµРЅР°"), so refuse and name the rows.
        mixed = [n for n, line in enumerate(raw.split(b"\n"), start=1)
                 if max(line, default=0) >= 0x80 and _is_utf8(line)]  # fmt: skip
        if mixed:
            rows = ", ".join(str(n) for n in mixed[:10]) + ("…" if len(mixed) > 10 else "")
            raise InputFileError(path, [(_where(mixed[0], lang), M.t("mixed_encoding", lang, rows=rows))])
    if encoding == "utf-8-sig":
        encoding = "utf-8-bom" if raw.startswith(codecs.BOM_UTF8) else "utf-8"
    return text, encoding


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _split_cells(line: str) -> list[str]:
    delimiter = max("\t,;", key=line.count)
    return [normalise_header(c.strip('"')) for c in next(csv.reader([line], delimiter=delimiter))]


def detect_format(header: list[str]) -> str | None:
    """``zoom``, ``teams``, ``teams_events`` or ``plain`` for a normalised header row, else None."""
    cells = set(header)
    if "name (original name)" in cells:
        return "zoom"
    if "user action" in cells and "full name" in cells:
        return "teams_events"
    if "in-meeting duration" in cells or ("first join" in cells and "last leave" in cells):
        return "teams"
    spec = HEADERS["plain"]
    has_name = cells & set(spec["name"]) or (cells & set(spec["first"]) and cells & set(spec["last"]))
    if has_name and cells & set(spec["minutes"] + spec["join"]):
        return "plain"
    return None


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def parse_minutes(text: str) -> float:
    """Minutes from ``93``, ``93,5``, ``1h 32m 43s``, ``32m``, ``1:32:43``; ValueError otherwise."""
    value = text.strip().lower()
    if re.fullmatch(r"\d+(?:[.,]\d+)?", value):
        return float(value.replace(",", "."))
    units = re.findall(r"(\d+(?:\.\d+)?)\s*(h|hr|hrs|год|m|min|mins|хв|s|sec|с)\b", value)
    if units and re.fullmatch(r"(\s*\d+(?:\.\d+)?\s*(h|hr|hrs|год|m|min|mins|хв|s|sec|с)\b)+\s*", value):
        factor = {"h": 60, "hr": 60, "hrs": 60, "год": 60, "m": 1, "min": 1, "mins": 1, "хв": 1}
        return sum(float(n) * factor.get(u, 1 / 60) for n, u in units)
    parts = value.split(":")
    if 2 <= len(parts) <= 3 and all(p.isdigit() for p in parts):
        nums = [int(p) for p in parts]
        return nums[0] * 60 + nums[1] + (nums[2] / 60 if len(nums) == 3 else 0)
    raise ValueError(text)


def parse_time(text: str) -> float:
    """POSIX seconds from the date-time layouts Zoom and Teams write; ValueError otherwise."""
    value = " ".join(text.replace("\u202f", " ").split())
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).replace(tzinfo=dt.timezone.utc).timestamp()
        except ValueError:
            continue
    raise ValueError(text)


def _find_header(lines: list[str]) -> tuple[int, str | None]:
    for i, line in enumerate(lines[:60]):
        if line.strip():
            fmt = detect_format(_split_cells(line))
            if fmt:
                return i, fmt
    return -1, None


def read_rows(text: str, path: str, *, lang: str = "uk") -> tuple[str, list[Row], list[tuple[str, str]]]:
    """Detect the layout and return (format, rows, problems); problems carry row numbers."""
    lines = text.splitlines()
    start, fmt = _find_header(lines)
    if fmt is None:
        raise InputFileError(path, [(_where(1, lang), M.t("unknown_layout", lang))])
    block = []
    for line in lines[start:]:
        if block and (not line.strip() or SECTION.match(line)):
            break  # end of the Teams "2. Participants" section
        block.append(line)
    delimiter = max("\t,;", key=lines[start].count)
    reader = csv.reader(io.StringIO("\n".join(block)), delimiter=delimiter)
    problems: list[tuple[str, str]] = []
    try:
        header = [normalise_header(h) for h in next(reader)]
        records = [(start + reader.line_num, values) for values in reader]
    except csv.Error as err:
        raise InputFileError(path, [(_where(start + reader.line_num, lang), M.t("bad_csv", lang, error=err))]) from None
    if fmt == "teams_events":
        return fmt, _team_events(header, records, problems, lang), problems
    spec = HEADERS[fmt]
    col = {k: _column(header, names) for k, names in spec.items()}
    rows: list[Row] = []
    for line, values in records:
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            problems.append((_where(line, lang), M.t("too_many_values", lang, got=len(values), want=len(header))))
            continue
        cell = {k: (values[i].strip() if i is not None and i < len(values) else "") for k, i in col.items()}
        name = cell.get("name") or f"{cell.get('first', '')} {cell.get('last', '')}".strip()
        email = cell.get("email", "").lower()
        if "@" not in email:
            email = ""
        if not name and not email:
            problems.append((_where(line, lang), M.t("no_name", lang)))
            continue
        try:
            start_t = parse_time(cell["join"]) if cell.get("join") else None
            end_t = parse_time(cell["leave"]) if cell.get("leave") else None
        except ValueError as err:
            problems.append((_where(line, lang), M.t("bad_time", lang, value=str(err))))
            continue
        minutes = None
        if cell.get("minutes"):
            try:
                minutes = parse_minutes(cell["minutes"])
            except ValueError:
                problems.append((_where(line, lang), M.t("bad_minutes", lang, value=cell["minutes"])))
                continue
        elif start_t is not None and end_t is not None:
            minutes = (end_t - start_t) / 60
        if minutes is None:
            problems.append((_where(line, lang), M.t("no_minutes", lang)))
            continue
        if minutes < 0 or (start_t is not None and end_t is not None and end_t < start_t):
            problems.append((_where(line, lang), M.t("negative_minutes", lang)))
            continue
        if fmt == "teams":  # first join/last leave span the gaps; the duration column does not
            start_t = end_t = None
        rows.append(Row(line, name, email, minutes, start_t, end_t))
    return fmt, rows, problems


def _team_events(header: list[str], records: list, problems: list, lang: str) -> list[Row]:
    """Older Teams reports list Joined/Left events; pair them per person."""
    i_name, i_action, i_time = (header.index(h) for h in ("full name", "user action", "timestamp"))
    open_at: dict[str, tuple[int, float]] = {}
    rows: list[Row] = []
    for line, values in records:
        if not any(v.strip() for v in values):
            continue
        try:
            name, action, when = values[i_name].strip(), values[i_action].strip().lower(), parse_time(values[i_time])
        except (IndexError, ValueError):
            problems.append((_where(line, lang), M.t("bad_event", lang)))
            continue
        if action.startswith("join"):
            open_at.setdefault(name, (line, when))
        elif name in open_at:
            first, began = open_at.pop(name)
            rows.append(Row(first, name, "", (when - began) / 60, began, when))
    for name, (line, _began) in open_at.items():
        problems.append((_where(line, lang), M.t("never_left", lang, name=name)))
    return rows


def _union_minutes(intervals: list[list[float]]) -> float:
    total, cur_s, cur_e = 0.0, None, None
    for s, e in sorted(intervals):
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += cur_e - cur_s
    return total / 60


def merge_rejoins(rows: list[Row], *, lang: str = "uk") -> tuple[list[Attendee], list[tuple[str, str]]]:
    """Group rows per person (email, else name) and add up minutes; overlaps count once."""
    warnings: list[tuple[str, str]] = []
    seen: dict[tuple, int] = {}
    groups: dict[str, list[Row]] = {}
    for row in rows:
        ident = (row.name, row.email, row.start, row.end, row.minutes)
        if ident in seen:
            warnings.append((_where(row.line, lang), M.t("duplicate_row", lang, first=seen[ident])))
            continue
        seen[ident] = row.line
        key = row.email or "name:" + (normalise_name(row.name) or row.name.strip())
        groups.setdefault(key, []).append(row)
    attendees = []
    for key, group in groups.items():
        timed = all(r.start is not None and r.end is not None for r in group)
        intervals = [[r.start, r.end] for r in group] if timed else None
        minutes = _union_minutes(intervals) if timed else sum(r.minutes or 0 for r in group)
        name = group[0].name
        phone = not group[0].email and bool(PHONE.match(name))
        if phone:
            warnings.append((_where(group[0].line, lang), M.t("phone_only", lang, name=name, minutes=round(minutes))))
        attendees.append(Attendee(key, name, group[0].email, round(minutes, 2), [r.line for r in group],
                                  intervals, phone, status="phone" if phone else "unmatched"))  # fmt: skip
    return attendees, warnings


def parse_file(path: Path, *, lang: str = "uk") -> ParsedFile:
    """Read one export completely; raise :class:`InputFileError` listing every bad row."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(str(path), [("-", M.t("not_found", lang))])
    raw = path.read_bytes()
    text, encoding = decode_bytes(raw, str(path), lang=lang)
    fmt, rows, problems = read_rows(text, str(path), lang=lang)
    if problems:
        raise InputFileError(str(path), problems)
    if not rows:
        raise InputFileError(str(path), [(_where(1, lang), M.t("no_rows", lang))])
    attendees, warnings = merge_rejoins(rows, lang=lang)
    return ParsedFile(fmt, encoding, attendees, warnings, hashlib.sha256(raw).hexdigest())


# -- state ---------------------------------------------------------------------------------------
def state_path(workdir: Path) -> Path:
    return Path(workdir) / "attendance" / "attendance.json"


def load_state(workdir: Path) -> dict:
    """The stored attendance (``{"schema", "days": {day: {...}}}``), empty before any import."""
    path = state_path(workdir)
    if not path.is_file():
        return {"schema": SCHEMA, "days": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def import_day(workdir: Path, participants: list, path: Path, day: int, n_days: int | None = None, *,
               lang: str = "uk") -> dict:
    """Import one day's export, replacing that day; nothing is written if any row is bad.

    Earlier manual resolutions for the same attendee (same email or name) are kept.

    Parameters
    ----------
    workdir : Path
        The course's working folder (state goes to ``attendance/attendance.json``).
    participants : list of Participant
        The roster to match attendees against.
    path : Path
        Zoom participants CSV, Teams attendance report or plain CSV.
    day : int
        Course day, from 1.
    n_days : int, optional
        Number of course days, to refuse a day outside the course.

    Returns
    -------
    dict
        The day's record: ``source``, ``format``, ``encoding``, ``warnings`` (row, message)
        and ``attendees`` with their match (``status``, ``participant_id``, ``confidence``).

    Raises
    ------
    InputFileError
        With every bad row (row number, message in the current language).
    """
    if day < 1 or (n_days and day > n_days):
        raise C4CError(M.t("bad_day", lang, day=day, days=n_days or "?"))
    parsed = parse_file(path, lang=lang)
    state = load_state(workdir)
    previous = {a["key"]: a for a in state["days"].get(str(day), {}).get("attendees", [])}
    matcher = Matcher(participants)
    known = {p.id for p in participants}
    for att in parsed.attendees:
        before = previous.get(att.key)
        if before and before["method"] in ("manual", "ignored") and (
                before["participant_id"] in known or before["status"] == "ignored"):  # fmt: skip
            att.participant_id, att.method, att.status = before["participant_id"], before["method"], before["status"]
            att.confidence = before["confidence"]
        elif not att.phone_only:
            matcher.apply(att)
    record = {
        "source": Path(path).name, "sha256": parsed.sha256, "format": parsed.format,
        "encoding": parsed.encoding, "imported_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "warnings": [list(w) for w in parsed.warnings],
        "attendees": [vars(a) for a in parsed.attendees],
    }  # fmt: skip
    state["days"][str(day)] = record
    write_json_atomic(state_path(workdir), state)
    return record


def counts(record: dict) -> dict[str, int]:
    """How many attendees of one day are matched, pending, phone-only, ignored."""
    out = {"matched": 0, "unmatched": 0, "ambiguous": 0, "phone": 0, "ignored": 0}
    for a in record["attendees"]:
        out[a["status"]] += 1
    out["total"] = len(record["attendees"])
    return out


def pending(state: dict) -> list[tuple[str, dict]]:
    """Attendees waiting for the lecturer, as (``day:index`` reference, attendee) pairs."""
    out = []
    for day in sorted(state["days"], key=int):
        for i, a in enumerate(state["days"][day]["attendees"], start=1):
            if a["status"] in ("unmatched", "ambiguous", "phone"):
                out.append((f"{day}:{i}", a))
    return out


def resolve(workdir: Path, participants: list, ref: str, participant_id: str | None, *,
            lang: str = "uk") -> dict:
    """Assign pending attendee ``ref`` (``day:index``) to ``participant_id``, or ignore it (None)."""
    state = load_state(workdir)
    try:
        day, index = ref.split(":")
        att = state["days"][day]["attendees"][int(index) - 1]
    except (ValueError, KeyError, IndexError):
        raise C4CError(M.t("bad_ref", lang, ref=ref)) from None
    if participant_id is None:
        att.update(participant_id=None, method="ignored", status="ignored", confidence=0.0)
    else:
        if participant_id not in {p.id for p in participants}:
            raise C4CError(M.t("unknown_participant", lang, id=participant_id))
        att.update(participant_id=participant_id, method="manual", status="matched", confidence=1.0)
    write_json_atomic(state_path(workdir), state)
    return att


def minutes_by_day(state: dict) -> dict[str, dict[int, float]]:
    """participant id -> {day: minutes}; a person on two devices at once is counted once."""
    per: dict[tuple[str, int], list[dict]] = {}
    for day, record in state["days"].items():
        for a in record["attendees"]:
            if a["status"] == "matched" and a["participant_id"]:
                per.setdefault((a["participant_id"], int(day)), []).append(a)
    out: dict[str, dict[int, float]] = {}
    for (pid, day), atts in per.items():
        if all(a["intervals"] for a in atts):
            minutes = _union_minutes([iv for a in atts for iv in a["intervals"]])
        else:
            minutes = sum(a["minutes"] for a in atts)
        out.setdefault(pid, {})[day] = round(minutes, 2)
    return out
