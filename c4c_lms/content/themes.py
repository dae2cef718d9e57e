"""Theme slugs and their names in each language (every app and module shows them)."""

from __future__ import annotations

from c4c_lms.core.i18n import Catalogue
from c4c_lms.refdata.schema import THEMES

__all__ = ["THEMES", "theme_label"]

M = Catalogue.load("themes")


def theme_label(slug: str, lang: str) -> str:
    """Readable name of a theme slug; an unknown slug is shown as it is."""
    key = f"theme_{slug}"
    return M.t(key, lang) if key in M.entries else slug
