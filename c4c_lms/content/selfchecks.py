"""Self-check answer keys kept out of a module's visible code.

Each module folder keeps its self-checks in ``data/selfchecks.json``: one entry per question id,
with the language-independent key (``correct``, ``answer``/``tolerance``, ``seed``) at the top
and the texts of each language under ``"uk"`` and ``"en"``::

    {"m01_q1": {"kind": "numeric", "answer": 33.2, "tolerance": 0.2,
                "uk": {"prompt": "...", "explanation": "..."},
                "en": {"prompt": "...", "explanation": "..."}}}

Kinds and their texts: ``choice`` (``options``, ``feedback`` — one per option; ``correct`` is an
index, or a list of indices with ``"multi": true``), ``numeric`` (``explanation``) and
``ordering`` (``items_in_order``, and ``reasons`` — why each step comes where it does).
:func:`self_check_spec` returns the keyword arguments of the matching widget builder.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from c4c_lms.core.i18n import LANGUAGES

__all__ = ["DEFAULT_PATH", "KINDS", "check_entry", "load_self_checks", "self_check_spec"]

DEFAULT_PATH = Path("data") / "selfchecks.json"
KINDS = {
    "choice": ("prompt", "options", "feedback"),
    "numeric": ("prompt", "explanation"),
    "ordering": ("prompt", "items_in_order", "reasons"),
}


@lru_cache(maxsize=16)
def _read(path: str, mtime: float) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def load_self_checks(path: str | Path = DEFAULT_PATH) -> dict:
    """All self-check entries of a module (read once per file version)."""
    p = Path(path).resolve()
    if not p.is_file():
        raise FileNotFoundError(f"self-check data not found: {p} (run the notebook from its folder)")
    return _read(str(p), p.stat().st_mtime)


def check_entry(qid: str, entry: dict) -> list[str]:
    """Problems of one entry (empty when it is complete in both languages and consistent)."""
    kind = entry.get("kind")
    if kind not in KINDS:
        return [f"{qid}: unknown kind {kind!r}"]
    problems = []
    texts = {lang: entry.get(lang) or {} for lang in LANGUAGES}
    for lang, t in texts.items():
        missing = [k for k in KINDS[kind] if not t.get(k)]
        if missing:
            problems.append(f"{qid}: {lang} lacks {', '.join(missing)}")
    if problems:
        return problems
    if kind == "choice":
        n = {len(t["options"]) for t in texts.values()} | {len(t["feedback"]) for t in texts.values()}
        if len(n) != 1:
            problems.append(f"{qid}: options and feedback differ in number between languages")
        wanted = entry.get("correct")
        wanted = set(wanted) if entry.get("multi") else {wanted}
        if not wanted or not wanted <= set(range(min(n))):
            problems.append(f"{qid}: correct {entry.get('correct')!r} is not an option index")
    elif kind == "numeric":
        if not isinstance(entry.get("answer"), (int, float)) or entry.get("tolerance", -1) < 0:
            problems.append(f"{qid}: answer and a non-negative tolerance are needed")
    else:
        sizes = {len(t["items_in_order"]) for t in texts.values()} | {len(t["reasons"]) for t in texts.values()}
        if len(sizes) != 1:
            problems.append(f"{qid}: items and reasons differ in number between languages")
    return problems


def self_check_spec(qid: str, *, lang: str, path: str | Path = DEFAULT_PATH) -> tuple[str, dict]:
    """The kind of a self-check and the keyword arguments for its widget in ``lang``."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
    entries = load_self_checks(path)
    if qid not in entries:
        raise KeyError(f"no self-check {qid!r} in {path}")
    entry = entries[qid]
    problems = check_entry(qid, entry)
    if problems:
        raise ValueError("; ".join(problems))
    texts = entry[lang]
    kwargs = {"qid": qid, "prompt": texts["prompt"], "lang": lang}
    kind = entry["kind"]
    if kind == "choice":
        correct = set(entry["correct"]) if entry.get("multi") else int(entry["correct"])
        kwargs.update(options=list(texts["options"]), correct=correct, feedback=list(texts["feedback"]))
    elif kind == "numeric":
        kwargs.update(answer=entry["answer"], tolerance=entry["tolerance"], explanation=texts["explanation"])
    else:
        kwargs.update(items_in_order=list(texts["items_in_order"]), reasons=list(texts["reasons"]),
                      seed=int(entry.get("seed", 0)))
    return kind, kwargs
