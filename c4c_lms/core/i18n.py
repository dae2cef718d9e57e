"""Message catalogues: one TOML file per component in ``c4c_lms/core/messages/``.

Each key holds a Ukrainian and an English text::

    [roster_imported]
    uk = "Імпортовано {count} учасників"
    en = "Imported {count} participants"

A message that depends on a count keeps its ``other`` form in ``uk``/``en`` (so every entry
reads as plain text) and its other CLDR plural categories under ``plural`` (Ukrainian: ``one``,
``few``, ``many``; English: ``one``); babel's plural rules pick the form from ``count``::

    [participants_recorded]
    uk = "Записано {count} учасника"                 # other (2,5)
    en = "Recorded {count} participants"
    plural.uk = { one = "Записано {count} учасника", few = "Записано {count} учасників",
                  many = "Записано {count} учасників" }
    plural.en = { one = "Recorded {count} participant" }

The language is always passed explicitly (``lang="uk"`` or ``"en"``): from the CLI's click
context, an app's language switch or a notebook's own language, down to the text. Only the
CLI's entry point reads the ``C4C_LANG`` environment variable.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("uk", "en")
MESSAGES_DIR = Path(__file__).parent / "messages"


def check_language(lang: object) -> str:
    """``lang`` itself when it is one of :data:`LANGUAGES`; a ``ValueError`` otherwise."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
    return lang  # type: ignore[return-value]


def format_number(value: float, lang: str = "uk") -> str:
    """A number written the way the learner's language writes it (``12 500,5`` / ``12,500.5``)."""
    from babel.numbers import format_decimal  # babel's number data loads on first use

    return format_decimal(value, locale="uk_UA" if lang == "uk" else "en_GB")


# The CLDR plural categories each language needs (integers and decimals).
PLURAL_FORMS = {"uk": ("one", "few", "many", "other"), "en": ("one", "other")}


def plural_form(count: float, lang: str) -> str:
    """The CLDR plural category of ``count`` in ``lang`` (babel's rules: 3 -> "few" in Ukrainian)."""
    return _locale(check_language(lang)).plural_form(abs(count)) if count is not None else "other"


@lru_cache(maxsize=None)
def _locale(lang: str):
    from babel import Locale  # babel's locale data loads on first use

    return Locale.parse(lang)


class Catalogue:
    """The messages of one component (``cli``, ``feedback``, an app, ...)."""

    def __init__(self, component: str, entries: dict[str, dict[str, str]]):
        self.component = component
        self.entries = entries

    @classmethod
    @lru_cache(maxsize=None)
    def load(cls, component: str) -> Catalogue:
        path = MESSAGES_DIR / f"{component}.toml"
        with path.open("rb") as fh:
            return cls(component, tomllib.load(fh))

    def t(self, key: str, lang: str, /, **values: object) -> str:
        """The message ``key`` in ``lang`` with ``values`` filled in."""
        check_language(lang)
        try:
            template = self.entries[key][lang]
        except KeyError:
            raise KeyError(f"message {key!r} ({lang}) missing from {self.component}.toml") from None
        forms = self.entries[key].get("plural", {}).get(lang)
        if forms:  # plural-aware: the form for values["count"]
            if "count" not in values:
                raise KeyError(f"message {key!r} of {self.component}.toml needs count=")
            template = forms.get(plural_form(values["count"], lang), template)
        return template.format(**values) if values else template

    def both(self, key: str, /, **values: object) -> str:
        """Ukrainian then English, for texts a person of either language reads (certificates)."""
        return " / ".join(self.t(key, lang, **values) for lang in LANGUAGES)

    def missing(self) -> list[str]:
        """Keys lacking a language (a test keeps this empty)."""
        gaps = []
        for key, texts in self.entries.items():
            for lang in LANGUAGES:
                if not texts.get(lang):
                    gaps.append(f"{key}:{lang}")
                if "plural" in texts:
                    forms = texts["plural"].get(lang, {})
                    gaps += [f"{key}:{lang}:{form}" for form in PLURAL_FORMS[lang]
                             if form != "other" and not forms.get(form)]  # fmt: skip
        return gaps


def catalogue_names() -> list[str]:
    return sorted(p.stem for p in MESSAGES_DIR.glob("*.toml"))
