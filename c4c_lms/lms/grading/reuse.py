"""What a grading worker builds once and reuses for every submission it grades.

nbgrader's autograde opens about ten gradebook sessions per submission and checks every cell's
metadata against its JSON schema twice; both were rebuilt from nothing each time and together
made up most of the trusted side's CPU (``tests/bench/bench_grading.py`` prints the split).
Nothing here changes what nbgrader does or writes, only what it has to rebuild:

* **One SQLAlchemy engine per gradebook URL and process.** Each ``Gradebook`` still opens its
  own session and transaction exactly as nbgrader does; the engine they share keeps SQLAlchemy's
  compiled-statement cache, so the same queries are not compiled again for every submission.
  ``Gradebook.close`` disposes of the engine's idle connections as before; the engine stays
  usable. Keyed by process id too, so a forked worker never uses its parent's connections.
  The gradebook's tables are created (if missing) once per engine, not at every session.
* **One checked schema validator per schema.** ``jsonschema.validate`` checks the schema itself
  before every call; nbgrader's schema is fixed, so it is checked once and the validator kept.
  The cell is validated exactly as before (same errors, ``best_match`` picks the same one).
* **Read-only notebooks read once** (the released and source notebooks of an exercise), keyed
  by path, size and modification time, so an edited file is read again.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_installed = False
_engines: dict[tuple, Any] = {}
_notebooks: dict[str, tuple[tuple[int, int], Any]] = {}


def _shared_engine(create_engine):
    def create(url, *args, **kwargs):
        key = (os.getpid(), str(url), args, tuple(sorted(kwargs.items())))
        with _lock:
            engine = _engines.get(key)
            if engine is None:
                engine = _engines[key] = create_engine(url, *args, **kwargs)
        return engine

    return create


def _once_per_engine(create_all):
    done: set[int] = set()

    def create(bind=None, *args, **kwargs):
        key = id(bind)
        if bind is None or args or kwargs or key not in done or bind not in _engines.values():
            create_all(bind, *args, **kwargs)
            if bind is not None and not args and not kwargs:
                done.add(key)

    return create


class _CheckedSchemas:
    """Stands in for the ``jsonschema`` module in nbgrader's metadata validator."""

    def __init__(self, module) -> None:
        self._module = module
        self._validators: dict[int, tuple[dict, Any]] = {}

    def validate(self, instance, schema, cls=None, *args, **kwargs) -> None:
        if cls is not None or args or kwargs:  # not nbgrader's call: the library's own path
            return self._module.validate(instance, schema, cls, *args, **kwargs)
        entry = self._validators.get(id(schema))
        if entry is None or entry[0] is not schema:
            validator_class = self._module.validators.validator_for(schema)
            validator_class.check_schema(schema)
            entry = self._validators[id(schema)] = (schema, validator_class(schema))
        error = self._module.exceptions.best_match(entry[1].iter_errors(instance))
        if error is not None:
            raise error

    def __getattr__(self, name: str):
        return getattr(self._module, name)


def install() -> None:
    """Make this process's nbgrader reuse engines and schema validators (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    import jsonschema
    import nbgrader.api
    import nbgrader.nbgraderformat.common as nbgrader_format

    nbgrader.api.create_engine = _shared_engine(nbgrader.api.create_engine)
    metadata = nbgrader.api.Base.metadata
    metadata.create_all = _once_per_engine(metadata.create_all)
    nbgrader_format.jsonschema = _CheckedSchemas(jsonschema)


def read_notebook(path: Path):
    """A read-only notebook (released or source), read again only when its file changed.

    Callers must not modify the returned notebook.
    """
    import nbformat

    stat = path.stat()
    stamp = (stat.st_size, stat.st_mtime_ns)
    key = str(path)
    cached = _notebooks.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    nb = nbformat.read(str(path), as_version=4)
    _notebooks[key] = (stamp, nb)
    return nb
