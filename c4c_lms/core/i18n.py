"""Message catalogues: one TOML file per component in ``c4c_lms/core/messages/``.

Each key holds a Ukrainian and an English text::

    [roster_imported]
    uk = "Імпортовано {count} учасників"
    en = "Imported {count} participants"

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
        return template.format(**values) if values else template

    def both(self, key: str, /, **values: object) -> str:
        """Ukrainian then English, for texts a person of either language reads (certificates)."""
        return " / ".join(self.t(key, lang, **values) for lang in LANGUAGES)

    def missing(self) -> list[str]:
        """Keys lacking a language (a test keeps this empty)."""
        return [f"{k}:{lang}" for k, v in self.entries.items() for lang in LANGUAGES if not v.get(lang)]


def catalogue_names() -> list[str]:
    return sorted(p.stem for p in MESSAGES_DIR.glob("*.toml"))
