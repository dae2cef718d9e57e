"""Completion rules from ``[completion]`` in ``course.toml`` and who meets them.

A participant is eligible for a certificate when they attended at least ``min_days_attended``
days for at least ``min_minutes_per_day`` minutes each, earned at least ``min_score_percent`` of
all exercise points, and passed every exercise in ``required_exercises`` (at least
``exercise_pass_percent`` of its points). :func:`evaluate` computes all of it for the whole
cohort at once; :func:`explain` says per participant which rules are met and what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from c4c_lms.core.i18n import Catalogue

M = Catalogue.load("completion")


@dataclass(frozen=True)
class Rules:
    """The ``[completion]`` table as plain values (easy to build in tests)."""

    min_days_attended: int = 0
    min_minutes_per_day: float = 0
    min_score_percent: float = 0
    required_exercises: tuple[str, ...] = ()
    exercise_pass_percent: float = 50


def rules_from_course(course) -> Rules:
    c = course.config.completion
    return Rules(c.min_days_attended, c.min_minutes_per_day, c.min_score_percent,
                 tuple(c.required_exercises), c.exercise_pass_percent)  # fmt: skip


def evaluate(data, rules: Rules) -> pd.DataFrame:
    """One row per participant: the figures each rule looks at, whether it is met, ``eligible``.

    Parameters
    ----------
    data : CohortData
        Only ``minutes``, ``scores``, ``points`` and the participants' index are used.
    rules : Rules
        The completion rules.

    Returns
    -------
    pandas.DataFrame
        Index participant id; columns ``days_attended``, ``attended_any``, ``submitted``,
        ``score_percent``, ``exercises_passed``, ``required_<exercise>``, ``rule_days``,
        ``rule_score``, ``rule_required`` and ``eligible``.
    """
    ids = data.participants.index
    minutes = data.minutes.reindex(index=ids).fillna(0.0)
    scores = data.scores.reindex(index=ids, columns=list(data.points)).astype(float)
    total_points = sum(data.points.values())
    out = pd.DataFrame(index=ids)
    out["days_attended"] = (minutes >= max(rules.min_minutes_per_day, 1e-9)).sum(axis=1).astype(int)
    out["attended_any"] = (minutes > 0).any(axis=1)
    out["submitted"] = scores.notna().sum(axis=1).astype(int)
    out["not_submitted"] = scores.isna().sum(axis=1).astype(int)
    earned = scores.fillna(0.0).sum(axis=1)
    out["score_percent"] = (100.0 * earned / total_points).round(2) if total_points else 0.0
    out["rule_days"] = out["days_attended"] >= rules.min_days_attended
    out["rule_score"] = out["score_percent"] >= rules.min_score_percent - 1e-9
    maxima = pd.Series(data.points)
    passed = scores.fillna(-1.0).ge(maxima * rules.exercise_pass_percent / 100.0 - 1e-9, axis=1)
    out["exercises_passed"] = passed.sum(axis=1).astype(int)
    required_ok = pd.Series(True, index=ids)
    for ex in rules.required_exercises:
        out[f"required_{ex}"] = passed[ex]
        required_ok &= passed[ex]
    out["rule_required"] = required_ok
    out["eligible"] = out["rule_days"] & out["rule_score"] & out["rule_required"]
    return out


def funnel(outcomes: pd.DataFrame) -> dict[str, int]:
    """Registered → attended → submitted → passed → certified counts (each within the previous)."""
    attended = outcomes["attended_any"]
    submitted = attended & (outcomes["submitted"] > 0)
    passed = submitted & outcomes["rule_score"] & outcomes["rule_required"]
    certified = passed & outcomes["eligible"]
    return {"registered": len(outcomes), "attended": int(attended.sum()), "submitted": int(submitted.sum()),
            "passed": int(passed.sum()), "certified": int(certified.sum())}  # fmt: skip


def checks(row: pd.Series, rules: Rules, *, lang: str = "uk") -> list[tuple[str, bool, str]]:
    """(rule key, met, text) for one participant's row of :func:`evaluate`, in ``lang``."""
    items = [
        ("rule_days", bool(row["rule_days"]),
         M.t("check_days", lang, have=int(row["days_attended"]), need=rules.min_days_attended,
             minutes=rules.min_minutes_per_day)),
        ("rule_score", bool(row["rule_score"]),
         M.t("check_score", lang, have=f"{row['score_percent']:.0f}", need=f"{rules.min_score_percent:g}")),
    ]  # fmt: skip
    for ex in rules.required_exercises:
        items.append((f"required_{ex}", bool(row[f"required_{ex}"]),
                      M.t("check_required", lang, exercise=ex, need=f"{rules.exercise_pass_percent:g}")))  # fmt: skip
    return items


def explain(row: pd.Series, rules: Rules, *, lang: str = "uk") -> str:
    """One line per rule with ✓/✗, then the verdict."""
    lines = [f"{'✓' if met else '✗'} {text}" for _key, met, text in checks(row, rules, lang=lang)]
    lines.append(M.t("eligible" if row["eligible"] else "not_eligible", lang))
    return "\n".join(lines)


def needs_attention(outcomes: pd.DataFrame, rules: Rules, score_gap: float = 10.0) -> pd.DataFrame:
    """Participants who are not eligible but are one step away: one rule missed, by a little.

    Returns ``reason`` (a message key: ``one_day_short``, ``one_exercise_missing``,
    ``few_points_short``) per such participant.
    """
    failed = outcomes[~outcomes["eligible"]]
    reasons = {}
    for pid, row in failed.iterrows():
        missed = [k for k in ("rule_days", "rule_score", "rule_required") if not row[k]]
        if len(missed) != 1:
            continue
        if missed == ["rule_days"] and row["days_attended"] == rules.min_days_attended - 1:
            reasons[pid] = "one_day_short"
        elif missed == ["rule_required"] and sum(
                not row[f"required_{ex}"] for ex in rules.required_exercises) == 1:  # fmt: skip
            reasons[pid] = "one_exercise_missing"
        elif missed == ["rule_score"] and row["not_submitted"] == 1:
            reasons[pid] = "one_exercise_missing"
        elif missed == ["rule_score"] and rules.min_score_percent - row["score_percent"] <= score_gap:
            reasons[pid] = "few_points_short"
    return pd.DataFrame({"reason": pd.Series(reasons, dtype=object)})


def not_eligible(outcomes: pd.DataFrame, rules: Rules, *, lang: str = "uk") -> pd.DataFrame:
    """Every participant who is not eligible, and why: ``missed`` (the texts of the rules not met,
    in ``lang``) and ``near`` (the :func:`needs_attention` reason key when one step away, else
    ``""``). Near misses come first, then the others by attendance and points."""
    failed = outcomes[~outcomes["eligible"]]
    near = needs_attention(outcomes, rules)["reason"]
    rows = {pid: {"near": near.get(pid, ""),
                  "missed": [text for _k, met, text in checks(row, rules, lang=lang) if not met]}
            for pid, row in failed.iterrows()}  # fmt: skip
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["near", "missed"])
    if table.empty:
        return table
    order = sorted(table.index, key=lambda pid: (table.at[pid, "near"] == "", -failed.at[pid, "days_attended"],
                                                 -failed.at[pid, "score_percent"], str(pid)))  # fmt: skip
    return table.loc[order]
