"""ex03 q4.1: the community's calendar of European events for 2027, checked against the reference data."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from exbuild import REPO

import exspec_ex03 as spec
from c4c_lms.content.calendar import reference_items, to_be_announced
from c4c_lms.refdata.tables import load_events, load_programmes

NOTEBOOKS = [REPO / "exercises" / "ex03_funding" / "ex03_funding.ipynb",
             REPO / "exercises" / "ex03_funding_en" / "ex03_funding_en.ipynb"]


def cell(path, grade_id):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return next("".join(c["source"]) for c in nb["cells"]
                if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def test_exercise_rule_matches_the_calendar_app():
    """Does the exercise expect exactly what the events calendar places in 2027 (and leave out
    the rows whose date is not announced)?"""
    events = pd.read_csv(spec.EVENTS, dtype=spec.EVENT_TYPES)
    want = spec.calendar_ids(events)
    app = reference_items(load_events(), load_programmes(), spec.CALENDAR_YEAR)
    assert want == set(app["uid"])
    tba = set(to_be_announced(load_events(), spec.CALENDAR_YEAR)["uid"])
    assert "urc_2027_estonia" in tba and not tba & want
    assert not any(i.endswith(("_2024", "_2025", "_2026")) for i in want)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_checks_accept_the_calendar_and_explain_mistakes(path, monkeypatch):
    """Do the visible and hidden checks pass the right calendar and give a plain hint for each
    usual mistake?"""
    monkeypatch.chdir(path.parent)
    events = pd.read_csv("data/events.csv", dtype=spec.EVENT_TYPES)
    checks = cell(path, "q4_1")
    solution = cell(path, "q4_1_answer").split("### BEGIN SOLUTION\n")[1].split("\n### END")[0]
    namespace = {"pd": pd, "events": events}
    exec(solution, namespace)  # noqa: S102 - the exercise's own reference solution
    exec(checks, namespace)  # noqa: S102
    uk = path.stem.endswith("funding")
    yearly = (events["recurrence"] == "yearly") & events["year"].isna()
    mistakes = {
        "unsorted": (events[yearly & events["month"].notna()], "sort_values"),
        "no month": (events[yearly].sort_values(["month", "day"]), 'events["month"].notna()'),
        "past editions": (events[events["month"].notna() & (events["recurrence"] != "unknown")]
                          .sort_values(["month", "day"]), "2024"),
        "unknown recurrence": (events[(yearly | (events["recurrence"] == "unknown"))
                                      & events["month"].notna() & events["year"].isna()]
                               .sort_values(["month", "day"]), "unknown"),
        "not a table": (list(events["id"]), "events[...]"),
    }
    for name, (value, hint) in mistakes.items():
        namespace["calendar2027"] = value
        with pytest.raises(AssertionError) as failure:
            exec(checks, namespace)  # noqa: S102
        message = str(failure.value)
        assert hint in message, (name, message)
        assert any("а" <= ch <= "я" for ch in message) is uk, (name, message)
