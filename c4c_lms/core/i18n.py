"""Message catalogues: one TOML file per component in ``c4c_lms/core/messages/``.

Each key holds a Ukrainian and an English text::

    [roster_imported]
    uk = "Імпортовано {count} учасників"
    en = "Imported {count} participants"

Ukrainian is the default; ``C4C_LANG=en`` (or an explicit ``lang``) switches.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("uk", "en")
MESSAGES_DIR = Path(__file__).parent / "messages"


def current_language(default: str = "uk") -> str:
    """Language chosen through ``C4C_LANG``, falling back to ``default``."""
    lang = os.environ.get("C4C_LANG", default)
    return lang if lang in LANGUAGES else default


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

    def t(self, key: str, lang: str | None = None, /, **values: object) -> str:
        """The message ``key`` in ``lang`` with ``values`` filled in."""
        lang = lang or current_language()
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
