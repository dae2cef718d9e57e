"""C4C Workbench: the lecturer's side of "International Cooperation for Communities"."""

from __future__ import annotations

__version__ = "0.1.0"
