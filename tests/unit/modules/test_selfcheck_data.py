"""Self-check answer keys live in each module's data/selfchecks.json, not in its visible code."""

from __future__ import annotations

import json
import re

import nbformat
import pytest
from modules_nb import module_dirs, pair, read_structure

from c4c_lms.content.selfchecks import check_entry, load_self_checks, self_check_spec
from c4c_lms.widgets.selfcheck import self_check

FOLDERS = module_dirs()
IDS = [f.name for f in FOLDERS]
BUILDERS = re.compile(r"\b(choice_question|ordering_task|numeric_question)\(")


def entries(folder):
    return load_self_checks(folder / "data" / "selfchecks.json")


def key_texts(entry: dict, lang: str) -> list[str]:
    """The texts that give an answer away: explanations, option feedback, reasons, the order.

    A correct option's wording alone is not checked: a short phrase such as a criterion's name
    may rightly appear in a module's other widgets.
    """
    t = entry[lang]
    texts = [t.get("explanation", ""), *t.get("feedback", []), *t.get("reasons", [])]
    if entry["kind"] == "ordering":
        texts.append(repr(t["items_in_order"][:2])[1:-1])  # the first two items, in order, as code writes them
    return [x for x in texts if len(x.strip()) >= 4]


@pytest.mark.parametrize("folder", FOLDERS, ids=IDS)
def test_data_complete_and_used(folder):
    """Is every self-check complete in both languages, and used by both notebooks exactly once?"""
    data = entries(folder)
    problems = [p for qid, e in data.items() for p in check_entry(qid, e)]
    assert problems == []
    for path in pair(folder):
        assert read_structure(path).qids == list(data), path.name


@pytest.mark.parametrize("folder", FOLDERS, ids=IDS)
def test_no_answer_key_in_visible_code(folder):
    """Does no code cell of either notebook contain a self-check's answers, explanations or builder call?"""
    data = entries(folder)
    for path in pair(folder):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        for cell in code:
            assert not BUILDERS.search(cell.source), f"{path.name}: builds a self-check inline"
            for qid, entry in data.items():
                for lang in ("uk", "en"):
                    for text in key_texts(entry, lang):
                        assert text not in cell.source, f"{path.name}: {qid} answer text in code"
            if "self_check(" in cell.source:
                assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, path.name
                assert "remove-input" in cell.metadata.get("tags", []), path.name


@pytest.mark.parametrize("folder", FOLDERS, ids=IDS)
@pytest.mark.parametrize("lang", ["uk", "en"])
def test_every_self_check_builds(folder, lang):
    """Does each self-check build its widget in each language, and accept its own key?"""
    data_path = folder / "data" / "selfchecks.json"
    for qid, entry in entries(folder).items():
        widget = self_check(qid, lang=lang, path=data_path)
        assert widget.qid == qid and widget.lang == lang
        kind, kwargs = self_check_spec(qid, lang=lang, path=data_path)
        if kind == "choice":
            widget.select(kwargs["correct"])
        elif kind == "numeric":
            widget.entry.value = str(kwargs["answer"])
        else:
            widget.order = list(kwargs["items_in_order"])
        assert widget.check() is True, qid


def test_data_file_is_plain_json():
    """Is each data file UTF-8 JSON with readable Ukrainian (not \\u escapes)?"""
    for folder in FOLDERS:
        text = (folder / "data" / "selfchecks.json").read_text(encoding="utf-8")
        json.loads(text)
        assert "\\u04" not in text, folder.name


@pytest.mark.parametrize("folder", FOLDERS, ids=IDS)
def test_orderings_explain_and_are_not_rote_dates(folder):
    """Does every ordering task give a reason per step, and none ask to sort by date?"""
    for qid, entry in entries(folder).items():
        if entry["kind"] != "ordering":
            continue
        for lang in ("uk", "en"):
            t = entry[lang]
            assert len(t["reasons"]) == len(t["items_in_order"]), qid
            assert all(len(r) > 30 for r in t["reasons"]), qid
            assert not re.search(r"\bdate|дат", t["prompt"], re.IGNORECASE), f"{qid}: date ordering"
