"""The hub's failures: a message already in the lecturer's language."""

from __future__ import annotations

from c4c_lms.core.exceptions import C4CError


class HubError(C4CError):
    """Something the course team can fix (bad account name, database down, missing secret)."""
