"""The cohort report's "who needs attention": everyone not eligible, and why."""

from __future__ import annotations

import numpy as np
import pandas as pd

from c4c_lms.cohort.completion import Rules, evaluate, not_eligible
from c4c_lms.cohort.data import CohortData

RULES = Rules(min_days_attended=4, min_minutes_per_day=60, min_score_percent=60,
              required_exercises=("ex01",), exercise_pass_percent=50)  # fmt: skip


def cohort(minutes: dict[str, list[float]], scores: dict[str, list[float]]) -> CohortData:
    people = pd.DataFrame(index=pd.Index(list(minutes), name="id"))
    m = pd.DataFrame.from_dict(minutes, orient="index", columns=[1, 2, 3, 4, 5])
    s = pd.DataFrame.from_dict(scores, orient="index", columns=["ex01", "ex02"])
    return CohortData(people, m, s, pd.DataFrame(), {"ex01": 10.0, "ex02": 10.0})


def test_every_non_eligible_person_is_listed_with_why():
    """With 4 of 5 not eligible (only one a near miss), are all 4 listed, the near miss first,
    each with the rules missed in the chosen language?"""
    data = cohort({"ok": [90] * 5, "day_short": [90, 90, 90, 0, 0], "absent": [0] * 5,
                   "far": [90, 0, 0, 0, 0], "no_work": [90] * 5},
                  {"ok": [8, 8], "day_short": [8, 8], "absent": [np.nan, np.nan], "far": [1, np.nan],
                   "no_work": [np.nan, np.nan]})  # fmt: skip
    out = evaluate(data, RULES)
    table = not_eligible(out, RULES, lang="uk")
    assert list(table.index[:1]) == ["day_short"] and set(table.index) == {"day_short", "absent", "far", "no_work"}
    assert table.at["day_short", "near"] == "one_day_short" and table.at["absent", "near"] == ""
    assert len(table.at["absent", "missed"]) == 3 and len(table.at["no_work", "missed"]) == 2
    assert all("3" in text for text in table.at["day_short", "missed"])  # "3 з 4 потрібних"
    english = not_eligible(out, RULES, lang="en")
    assert "days attended" in english.at["far", "missed"][0]


def test_nobody_when_everyone_is_eligible():
    out = evaluate(cohort({"ok": [90] * 5}, {"ok": [8, 8]}), RULES)
    assert not_eligible(out, RULES, lang="en").empty
