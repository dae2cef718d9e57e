"""Write the exercise notebooks (Ukrainian and English) and their data into ``exercises/``.

Usage::

    .venv/bin/python tools/exercises/build_exercises.py          # write everything
    .venv/bin/python tools/exercises/build_exercises.py --check  # exit 1 if anything is stale

Each spec (``exspec_exNN.py``) is a function of the language, so both variants share cells,
grade ids and points. Edit the spec, not the notebook, then rebuild.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from exbuild import EXERCISES, LANGS, assignment_dir, render  # noqa: E402

SPECS = ("exspec_ex01", "exspec_ex02", "exspec_ex03", "exspec_ex04", "exspec_ex05")


def available_specs() -> list:
    mods = []
    for name in SPECS:
        if (HERE / f"{name}.py").exists():
            mods.append(importlib.import_module(name))
    return mods


def expected_files() -> dict[Path, bytes]:
    """Every file the specs produce, keyed by absolute path."""
    files: dict[Path, bytes] = {}
    for spec in available_specs():
        data = spec.data_files()
        for lang in LANGS:
            for rel, text in render(spec.EXERCISE, spec.cells, lang).items():
                files[EXERCISES / rel] = text.encode("utf-8")
            for rel, blob in data.items():
                files[assignment_dir(spec.EXERCISE, lang) / rel] = blob
    return files


def stale() -> list[Path]:
    return [p for p, blob in expected_files().items()
            if not p.exists() or p.read_bytes() != blob]


def main(argv: list[str]) -> int:
    if "--check" in argv:
        bad = stale()
        for p in bad:
            print(f"stale: {p}")
        return 1 if bad else 0
    for path, blob in expected_files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(blob)
        print(f"wrote {path.relative_to(EXERCISES.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
