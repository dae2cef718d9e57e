"""Read the course-module conventions out of a notebook (shared by the module tests)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
MODULES = REPO / "modules"

SECTION = re.compile(r"^##\s+(\d+)\.\s", re.MULTILINE)
QID = re.compile(r"""["'](m\d{2}_q\d+)["']""")
SELF_CHECK_CALL = re.compile(r"\b(self_check|choice_question|ordering_task|numeric_question)\(")
WIDGET = re.compile(r"^#\s*widget:\s*(m\d{2}_w\d+)\s*$")
URL = re.compile(r"https?://[^\s)>\]]+")
OBJECTIVES = re.compile(r"(цілі навчання|learning objectives|ви зможете|you will be able to)", re.IGNORECASE)
SOURCES_HEADING = re.compile(r"^#{2,3}\s+(\d+\.\s+)?(джерела|sources)\b", re.IGNORECASE | re.MULTILINE)


@dataclass
class Structure:
    """What a module notebook contains, in order."""

    sections: list[int] = field(default_factory=list)
    qids: list[str] = field(default_factory=list)
    self_check_calls: int = 0
    widgets: list[str] = field(default_factory=list)
    has_objectives: bool = False
    source_urls: list[str] = field(default_factory=list)
    markdown: str = ""


def module_dirs() -> list[Path]:
    """Every module folder present (``modules/mNN_*``)."""
    return sorted(p for p in MODULES.glob("m[0-9][0-9]_*") if p.is_dir())


def notebooks() -> list[Path]:
    """Every module notebook, both languages."""
    return [nb for d in module_dirs() for nb in sorted(d.glob("*.ipynb"))]


def pair(folder: Path) -> tuple[Path, Path]:
    """The Ukrainian and English notebooks of a module folder."""
    return folder / f"{folder.name}.ipynb", folder / f"{folder.name}_en.ipynb"


def read_structure(path: Path) -> Structure:
    """Parse sections, self-check ids, widget ids, objectives and sources of a notebook."""
    nb = nbformat.read(path, as_version=4)
    s = Structure()
    md_parts = []
    for i, cell in enumerate(nb.cells):
        src = cell.source
        if cell.cell_type == "markdown":
            md_parts.append(src)
            s.sections += [int(n) for n in SECTION.findall(src)]
            if i < 3 and OBJECTIVES.search(src):
                s.has_objectives = True
            if SOURCES_HEADING.search(src):
                s.source_urls += URL.findall(src)
        elif cell.cell_type == "code":
            lines = src.splitlines()
            m = WIDGET.match(lines[0]) if lines else None
            if m:
                s.widgets.append(m.group(1))
            s.self_check_calls += len(SELF_CHECK_CALL.findall(src))
            s.qids += QID.findall(src)
    s.markdown = "\n".join(md_parts)
    return s


def syllabus_day(module: str) -> dict:
    """The syllabus entry (exercise, apps) of a module."""
    with (REPO / "course" / "syllabus.toml").open("rb") as fh:
        days = tomllib.load(fh)["day"]
    return next(d for d in days if d["module"] == module)
