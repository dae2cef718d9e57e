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

#: Rows checked longer ago than this count as stale. A module constant, not a course.toml key:
#: the typed course configuration (c4c_lms/core/config.py) has no field for it, and the
#: reference data belongs to the package, not to one course run. One year covers one course
#: cycle (calls and events are mostly annual).
DEFAULT_MAX_AGE_DAYS = 365
