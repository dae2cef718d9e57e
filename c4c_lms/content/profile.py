"""A community's English-language profile: the logic behind ``voila_apps/community_profile``.

The app keeps what the learner typed in a *form* (a dict of raw strings and lists, see
:data:`FORM_FIELDS`), so bad input is never lost. :func:`profile_from_form` turns the form into
a profile in the shared ``c4c-profile/1`` JSON schema and lists the problems per field; the
exports (:func:`to_markdown`, :func:`to_pdf`, :func:`to_json`) take the profile::

    profile, problems = profile_from_form(form)
    if not errors(problems):
        Path("profile.pdf").write_bytes(to_pdf(profile))

The partner finder and the project planner read the JSON (:func:`profile_from_json` checks it).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from c4c_lms.core.romanise import has_cyrillic, romanise

__all__ = [
    "FORM_FIELDS",
    "HROMADA_TYPES",
    "LANGUAGE_CHOICES",
    "SCHEMA",
    "STATUSES",
    "WORD_LIMITS",
    "Problem",
    "empty_form",
    "errors",
    "form_from_profile",
    "oblast_names",
    "profile_from_form",
    "profile_from_json",
    "suggest_latin_name",
    "to_json",
    "to_markdown",
    "to_pdf",
    "word_count",
]

SCHEMA = "c4c-profile/1"
HROMADA_TYPES = ("city", "town", "rural")
STATUSES = ("frontline", "de_occupied", "occupied", "hosting_idps")
#: Languages offered in the form (ISO 639-1); the JSON may hold any valid code.
LANGUAGE_CHOICES = ("uk", "en", "pl", "de", "fr", "ro", "hu", "sk", "cs", "lt", "lv", "et", "sv",
                    "fi", "da", "nl", "it", "es", "pt", "el", "bg", "hr", "sl", "no")  # fmt: skip
#: Word limits of the free-text English fields.
WORD_LIMITS = {"offers": 120, "priority_project": 60}
#: The priority project is asked for "in two sentences".
MAX_PROJECT_SENTENCES = 2

#: Raw form fields and their empty values (strings for text boxes, lists for multi-selects).
FORM_FIELDS = {
    "name_uk": "", "name_en": "", "oblast": "", "raion": "", "hromada_type": "",
    "population": "", "area_km2": "", "status": [], "priority_sectors": [], "offers": "",
    "languages": ["uk"], "existing_partners": "", "contact_name": "", "contact_role": "",
    "contact_email": "", "priority_project": "", "latitude": "", "longitude": "",
}  # fmt: skip
REQUIRED = ("name_uk", "name_en", "oblast", "hromada_type", "population", "priority_sectors",
            "offers", "contact_name", "contact_email", "priority_project")  # fmt: skip
#: Fields written in English: Cyrillic there is flagged.
ENGLISH_FIELDS = ("name_en", "raion", "offers", "contact_name", "contact_role", "priority_project")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")


@dataclass(frozen=True)
class Problem:
    """One problem with a field: a message key of ``community_profile.toml`` and its values.

    ``level`` is ``"error"`` (blocks the Markdown and PDF) or ``"warning"`` (advice only).
    """

    key: str
    values: tuple[tuple[str, object], ...] = ()
    level: str = "error"

    def text(self, catalogue, lang: str) -> str:
        """The message in ``lang``."""
        return catalogue.t(self.key, lang, **dict(self.values))


def empty_form() -> dict:
    """A fresh form (copies, so lists are not shared)."""
    return {k: (list(v) if isinstance(v, list) else v) for k, v in FORM_FIELDS.items()}


def suggest_latin_name(name_uk: str) -> str:
    """Latin spelling of a Ukrainian name by the official romanisation (CMU Resolution 55/2010)."""
    return romanise(name_uk.strip())


def word_count(text: str) -> int:
    """Number of words (runs of non-space characters)."""
    return len(text.split())


def _number(text: str) -> float | None:
    """A number typed with spaces, apostrophes or commas as thousands separators or decimal comma."""
    cleaned = re.sub(r"[\s\u00a0\u202f'’]", "", text)
    if re.fullmatch(r"\d{1,3}(,\d{3})+", cleaned):
        cleaned = cleaned.replace(",", "")
    cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def errors(problems: dict[str, list[Problem]]) -> dict[str, list[Problem]]:
    """Only the blocking problems."""
    found = {f: [p for p in ps if p.level == "error"] for f, ps in problems.items()}
    return {f: ps for f, ps in found.items() if ps}


def profile_from_form(form: dict) -> tuple[dict, dict[str, list[Problem]]]:
    """The profile in the ``c4c-profile/1`` schema and the problems found, per form field.

    Values that cannot be read (a population of "about 20k") stay out of the profile (None)
    and are reported; the form itself is not changed.
    """
    f = {**empty_form(), **{k: v for k, v in form.items() if v is not None}}
    problems: dict[str, list[Problem]] = {}

    def add(field: str, key: str, level: str = "error", **values: object) -> None:
        problems.setdefault(field, []).append(Problem(key, tuple(values.items()), level))

    text = {k: v.strip() for k, v in f.items() if isinstance(v, str)}
    for field in REQUIRED:
        if not f[field] or (isinstance(f[field], str) and not f[field].strip()):
            add(field, "required")
    for field in ENGLISH_FIELDS:
        if has_cyrillic(text[field]):
            add(field, "cyrillic_in_english")
    partners = [line.strip() for line in f["existing_partners"].splitlines() if line.strip()]
    if any(has_cyrillic(p) for p in partners):
        add("existing_partners", "cyrillic_in_english")

    population = None
    if text["population"]:
        value = _number(text["population"])
        if value is None or value != int(value):
            add("population", "population_not_number", value=text["population"])
        elif value <= 0:
            add("population", "population_not_positive")
        else:
            population = int(value)
    area = None
    if text["area_km2"]:
        value = _number(text["area_km2"])
        if value is None or value <= 0:
            add("area_km2", "area_invalid", value=text["area_km2"])
        else:
            area = value
    if text["contact_email"] and not _EMAIL.match(text["contact_email"]):
        add("contact_email", "email_invalid", value=text["contact_email"])
    for field, limit in WORD_LIMITS.items():
        count = word_count(text[field])
        if count > limit:
            add(field, "too_many_words", count=count, limit=limit)
    sentences = len(_SENTENCE_END.findall(text["priority_project"]))
    if sentences > MAX_PROJECT_SENTENCES:
        add("priority_project", "too_many_sentences", "warning", count=sentences,
            limit=MAX_PROJECT_SENTENCES)  # fmt: skip
    if text["name_uk"] and not has_cyrillic(text["name_uk"]):
        add("name_uk", "name_uk_not_cyrillic", "warning")
    coords = {}
    for field, bound in (("latitude", 90), ("longitude", 180)):
        if text[field]:
            value = _number(text[field].replace(",", "."))
            if value is None or not -bound <= value <= bound:
                add(field, "coordinate_invalid", value=text[field], bound=bound)
            else:
                coords[field] = value

    profile = {
        "schema": SCHEMA,
        "name_uk": text["name_uk"],
        "name_en": text["name_en"],
        "oblast": text["oblast"],
        "raion": text["raion"],
        "hromada_type": text["hromada_type"],
        "population": population,
        "area_km2": area,
        "status": [s for s in f["status"] if s in STATUSES],
        "priority_sectors": list(f["priority_sectors"]),
        "offers": text["offers"],
        "languages": list(f["languages"]),
        "existing_partners": partners,
        "contact": {"name": text["contact_name"], "role": text["contact_role"],
                    "email": text["contact_email"]},  # fmt: skip
        "priority_project": text["priority_project"],
        **coords,
    }
    return profile, problems


def form_from_profile(profile: dict) -> dict:
    """The form that gives back ``profile`` (for re-loading a saved JSON)."""
    contact = profile.get("contact") or {}

    def num(value) -> str:
        if value is None:
            return ""
        return str(int(value)) if float(value) == int(value) else str(value)

    return {
        **empty_form(),
        **{k: str(profile.get(k) or "") for k in ("name_uk", "name_en", "oblast", "raion",
                                                  "hromada_type", "offers", "priority_project")},
        "population": num(profile.get("population")),
        "area_km2": num(profile.get("area_km2")),
        "status": list(profile.get("status") or []),
        "priority_sectors": list(profile.get("priority_sectors") or []),
        "languages": list(profile.get("languages") or []),
        "existing_partners": "\n".join(profile.get("existing_partners") or []),
        "contact_name": str(contact.get("name") or ""),
        "contact_role": str(contact.get("role") or ""),
        "contact_email": str(contact.get("email") or ""),
        "latitude": num(profile.get("latitude")),
        "longitude": num(profile.get("longitude")),
    }  # fmt: skip


def profile_from_json(obj: dict) -> dict:
    """Check a loaded ``c4c-profile/1`` object's types; ``ValueError`` names the field at fault.

    Content rules (required fields, limits) are :func:`profile_from_form`'s job; this only makes
    sure the file can be shown in the form.
    """
    if obj.get("schema") != SCHEMA:
        raise ValueError(f"'schema' must be {SCHEMA!r}")
    for key in ("name_uk", "name_en", "oblast", "raion", "hromada_type", "offers",
                "priority_project"):  # fmt: skip
        if not isinstance(obj.get(key, ""), str):
            raise ValueError(f"'{key}' must be text")
    for key in ("status", "priority_sectors", "languages", "existing_partners"):
        value = obj.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"'{key}' must be a list of texts")
    for key in ("population", "area_km2", "latitude", "longitude"):
        value = obj.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ValueError(f"'{key}' must be a number")
    if not isinstance(obj.get("contact", {}), dict):
        raise ValueError("'contact' must be an object with name, role and email")
    if obj.get("hromada_type", "") not in ("", *HROMADA_TYPES):
        raise ValueError(f"'hromada_type' must be one of {', '.join(HROMADA_TYPES)}")
    return obj


# --------------------------------------------------------------------------- exports


@lru_cache(maxsize=1)
def oblast_names() -> dict[str, tuple[str, str]]:
    """ISO 3166-2 code -> (Ukrainian, English) name, from the course's ``oblasts.csv``.

    Read with the csv module rather than ``refdata.load_oblasts`` so the profile app starts
    without pandas; a test checks both give the same names.
    """
    with (Path(__file__).parents[1] / "refdata" / "data" / "oblasts.csv").open(encoding="utf-8", newline="") as fh:
        return {r["iso_code"]: (r["name_uk"], r["name_en"]) for r in csv.DictReader(fh)}


_LABELS = {
    "oblast": "Oblast", "raion": "Raion", "hromada_type": "Type of hromada", "population": "Population",
    "area_km2": "Area", "status": "Situation", "priority_sectors": "Priority sectors",
    "offers": "What we offer partners", "languages": "Languages spoken",
    "existing_partners": "Existing partners", "priority_project": "Priority project",
    "contact": "Contact",
}  # fmt: skip
_TYPE_EN = {"city": "city hromada", "town": "town (settlement) hromada", "rural": "rural hromada"}
_STATUS_EN = {"frontline": "frontline community", "de_occupied": "de-occupied community",
              "occupied": "temporarily occupied", "hosting_idps": "hosting internally displaced people"}  # fmt: skip


def _facts(profile: dict) -> list[tuple[str, str]]:
    """Label/value pairs of the profile in English, in reading order, empty values left out."""
    from babel import Locale

    from c4c_lms.content.themes import theme_label

    en = Locale("en")
    oblast = oblast_names().get(profile.get("oblast", ""), ("", profile.get("oblast", "")))[1]
    contact = profile.get("contact") or {}
    population = profile.get("population")
    area = profile.get("area_km2")
    pairs = [
        ("oblast", oblast),
        ("raion", profile.get("raion", "")),
        ("hromada_type", _TYPE_EN.get(profile.get("hromada_type", ""), "")),
        ("population", f"{population:,}" if population else ""),
        ("area_km2", f"{area:,.1f} km²".replace(".0 ", " ") if area else ""),
        ("status", ", ".join(_STATUS_EN.get(s, s) for s in profile.get("status", []))),
        ("priority_sectors", ", ".join(theme_label(s, "en") for s in profile.get("priority_sectors", []))),
        ("languages", ", ".join(en.languages.get(c, c) for c in profile.get("languages", []))),
        ("existing_partners", "; ".join(profile.get("existing_partners", []))),
        ("offers", profile.get("offers", "")),
        ("priority_project", profile.get("priority_project", "")),
        ("contact", ", ".join(v for v in (contact.get("name"), contact.get("role"), contact.get("email")) if v)),
    ]  # fmt: skip
    return [(_LABELS[k], v) for k, v in pairs if v]


def _title(profile: dict) -> tuple[str, str]:
    return profile.get("name_en") or profile.get("name_uk", ""), profile.get("name_uk", "")


def to_markdown(profile: dict) -> str:
    """The profile as an English Markdown page (the Ukrainian name in brackets)."""
    name_en, name_uk = _title(profile)
    lines = [f"# {name_en}", ""]
    if name_uk and name_uk != name_en:
        lines += [f"*{name_uk}*", ""]
    for label, value in _facts(profile):
        if label in (_LABELS["offers"], _LABELS["priority_project"]):
            lines += ["", f"## {label}", "", value, ""]
        else:
            lines.append(f"- **{label}:** {value}")
    lines += ["", "*Community profile made with the C4C Workbench (Cities4Cities | United4Ukraine course).*", ""]
    return "\n".join(lines)


def to_pdf(profile: dict) -> bytes:
    """A one-page A4 profile to send to potential partners (fpdf2, DejaVu Sans: Cyrillic-safe)."""
    from c4c_lms.content.pdf import new_pdf

    pdf = new_pdf()
    pdf.set_auto_page_break(auto=True, margin=20)  # an overflow shows as a 2nd page (tested)
    name_en, name_uk = _title(profile)
    pdf.set_font("dejavu", "B", 18)
    pdf.multi_cell(0, 9, name_en, new_x="LMARGIN", new_y="NEXT")
    if name_uk and name_uk != name_en:
        pdf.set_font("dejavu", "", 12)
        pdf.multi_cell(0, 7, name_uk, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for label, value in _facts(profile):
        long = label in (_LABELS["offers"], _LABELS["priority_project"])
        pdf.set_font("dejavu", "B", 11 if long else 10)
        if long:
            pdf.ln(2)
            pdf.multi_cell(0, 6, label, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("dejavu", "", 10)
            pdf.multi_cell(0, 5, value, align="L", new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.cell(45, 6, label + ":")
            pdf.set_font("dejavu", "", 10)
            pdf.multi_cell(0, 6, value, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_auto_page_break(auto=False)
    pdf.set_y(-18)
    pdf.set_font("dejavu", "", 8)
    pdf.cell(0, 5, "Community profile made with the C4C Workbench (Cities4Cities | United4Ukraine course).")
    return bytes(pdf.output())


def to_json(profile: dict) -> bytes:
    """The profile as UTF-8 JSON (Cyrillic kept readable)."""
    return json.dumps(profile, ensure_ascii=False, indent=2).encode("utf-8")
