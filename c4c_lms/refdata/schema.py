"""The reference-data contract (``data/schema.toml``) without pandas: apps that only need the
theme slugs import this, not :mod:`c4c_lms.refdata.tables` (pandas costs 0.5-2 s of an app's start)."""

from __future__ import annotations

import tomllib
from pathlib import Path

SCHEMA_FILE = Path(__file__).parent / "data" / "schema.toml"

with SCHEMA_FILE.open("rb") as _fh:
    _SCHEMA = tomllib.load(_fh)

#: Shared theme slugs, in display order.
THEMES: tuple[str, ...] = tuple(_SCHEMA["enums"]["themes"])
