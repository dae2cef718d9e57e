"""Calculations behind the module widgets: partner scoring, approval timeline, logframe gaps,
flat rates and co-financing, demining distance, keepsake files.

Pure functions only (no widgets) so each is unit-tested; :mod:`c4c_lms.widgets.module_widgets` lays them
out. Problem/objective trees, SMART hints, risks, Gantt charts and mutual beneficiaries come
from :mod:`c4c_lms.content.planner` (the project-planner app), so a module and the app agree. Figures from programme rules (7 %, 25 %, 15 % of staff costs, 30 and 10 days, 20 km) come
from ``domain-facts.md`` and are named constants here so a rule change is one edit.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

from c4c_lms.core.files import neutralise_formula

__all__ = [
    "FLAT_RATES",
    "COMPENSATION_MIN_KM",
    "LOGFRAME_COLUMNS",
    "LOGFRAME_ROWS",
    "FlatRate",
    "approval_timeline",
    "cofinance",
    "demining_compensation_distance_ok",
    "flat_rate_amount",
    "grant_in_range",
    "logframe_gaps",
    "markdown_table",
    "save_keepsake",
    "weighted_scores",
]

CENT = Decimal("0.01")

# ---------------------------------------------------------------- m01: partners and agreements

#: Review of a draft international territorial cooperation agreement by the Ministry (days) and
#: the Ministry of Justice's constitutionality check within it (bd-rda.od.gov.ua explainer).
MINISTRY_REVIEW_DAYS = 30
JUSTICE_CHECK_DAYS = 10


def weighted_scores(ratings: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    """Score candidate partners 0-100 from ratings (0-5 per criterion) and criterion weights.

    Parameters
    ----------
    ratings : DataFrame
        One row per candidate, one column per criterion, values 0-5.
    weights : mapping
        Weight per criterion (any non-negative numbers; they are normalised).

    Returns
    -------
    Series
        Score per candidate, highest first; all zero when every weight is zero.
    """
    w = pd.Series({c: float(weights.get(c, 0)) for c in ratings.columns})
    if (w < 0).any():
        raise ValueError("weights must not be negative")
    if (ratings.to_numpy() < 0).any() or (ratings.to_numpy() > 5).any():
        raise ValueError("ratings must lie between 0 and 5")
    total = w.sum()
    if total == 0:
        return pd.Series(0.0, index=ratings.index).rename("score")
    scores = ratings.astype(float).mul(w, axis=1).sum(axis=1) / (5 * total) * 100
    return scores.round(1).sort_values(ascending=False, kind="stable").rename("score")


def approval_timeline(sent: dt.date, review_days: int = MINISTRY_REVIEW_DAYS,
                      justice_days: int = JUSTICE_CHECK_DAYS) -> dict[str, dt.date]:
    """Latest dates of the approval steps for a draft agreement sent to the Ministry on ``sent``.

    Days are counted as calendar days, the plain reading of the explainer; check the current
    procedure before fixing a signing date.
    """
    return {
        "sent": sent,
        "justice_check_by": sent + dt.timedelta(days=justice_days),
        "decision_by": sent + dt.timedelta(days=review_days),
    }


# ---------------------------------------------------------------- m02: project design

LOGFRAME_ROWS = ("overall_objective", "specific_objective", "results", "activities")
LOGFRAME_COLUMNS = ("intervention_logic", "indicators", "verification", "assumptions")

def logframe_gaps(matrix: Mapping[str, Mapping[str, str]]) -> list[tuple[str, str]]:
    """Empty cells of a 4×4 logframe as (row, column) pairs, in reading order.

    The activities row's indicator column holds means/inputs in many templates, so it counts too.
    """
    return [(r, c) for r in LOGFRAME_ROWS for c in LOGFRAME_COLUMNS
            if not str(matrix.get(r, {}).get(c, "") or "").strip()]


@dataclass(frozen=True)
class FlatRate:
    """A flat rate: ``rate`` of the costs in ``base`` categories (``None`` = all direct costs)."""

    rate: Decimal
    base: tuple[str, ...] | None


#: Flat rates the course names (domain-facts §2.3); "up to" 7 % is the ceiling, not a fixed rate.
FLAT_RATES = {
    "eu_action_grant_7": FlatRate(Decimal("0.07"), None),
    "horizon_europe_25": FlatRate(Decimal("0.25"), None),
    "interreg_office_15_of_staff": FlatRate(Decimal("0.15"), ("staff",)),
}


def flat_rate_amount(direct: Mapping[str, Decimal | float | int], scheme: str) -> Decimal:
    """The flat-rate amount for direct costs by category, rounded half-up to the cent."""
    rule = FLAT_RATES[scheme]
    parts = [Decimal(str(v)) for k, v in direct.items() if rule.base is None or k in rule.base]
    if any(p < 0 for p in parts):
        raise ValueError("costs must not be negative")
    return (sum(parts, Decimal(0)) * rule.rate).quantize(CENT, ROUND_HALF_UP)


def cofinance(total: Decimal | float | int, rate: Decimal | float) -> tuple[Decimal, Decimal]:
    """Split ``total`` into (grant, own contribution) at co-financing ``rate`` (0-1).

    The grant is rounded down to the cent so it never exceeds the rate; the own contribution is
    the rest, so the two always add up to the total.
    """
    total_d, rate_d = Decimal(str(total)), Decimal(str(rate))
    if total_d < 0 or not 0 <= rate_d <= 1:
        raise ValueError("total must be non-negative and rate between 0 and 1")
    grant = (total_d * rate_d).quantize(CENT, ROUND_DOWN)
    return grant, total_d.quantize(CENT) - grant


def grant_in_range(grant: Decimal | float, low: object, high: object) -> str | None:
    """``"below"``, ``"above"`` or ``"ok"`` against a programme's grant range; ``None`` if unknown.

    ``low``/``high`` may be missing (``None``/NaN/``pd.NA``); a one-sided range still checks that side.
    """
    lo = None if pd.isna(low) else Decimal(str(low))
    hi = None if pd.isna(high) else Decimal(str(high))
    if lo is None and hi is None:
        return None
    g = Decimal(str(grant))
    if lo is not None and g < lo:
        return "below"
    if hi is not None and g > hi:
        return "above"
    return "ok"


# ---------------------------------------------------------------- m05: frontline cooperation

#: The state programme that compensates the cost of demining farmland covers plots more than this
#: far from the line of contact or the state border (Cabinet decision reported by UNN, 2 Sep 2024:
#: https://unn.ua/en/news/the-government-is-ready-to-cover-the-cost-of-demining-agricultural-land).
#: It is a condition of that programme, not a limit on humanitarian demining as such.
COMPENSATION_MIN_KM = 20


def demining_compensation_distance_ok(distance_km: float) -> bool:
    """Whether a plot this far from the line of contact or the state border meets the distance
    condition of the state compensation programme for demining farmland (other conditions apply)."""
    if distance_km < 0:
        raise ValueError("distance must not be negative")
    return distance_km > COMPENSATION_MIN_KM


# ---------------------------------------------------------------- keepsakes


def markdown_table(df: pd.DataFrame) -> str:
    """A pipe table for pasting into exercises, e-mails or the C4C profile."""
    def cell(v: object) -> str:
        return "" if pd.isna(v) else str(v).replace("|", "\\|").replace("\n", " ")
    head = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def save_keepsake(df: pd.DataFrame, name: str, folder: Path | None = None) -> tuple[Path, Path]:
    """Save a learner's table as ``my_work/<name>.csv`` (opens in Excel) and ``.md``.

    Parameters
    ----------
    df : DataFrame
    name : str
        File stem such as ``"m01_partner_brief"``.
    folder : Path, optional
        Where ``my_work/`` is created; the notebook's folder by default.

    Returns
    -------
    (Path, Path)
        The CSV and the markdown file.
    """
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"keepsake name {name!r} must be lowercase letters, digits and _")
    out = (folder or Path.cwd()) / "my_work"
    out.mkdir(parents=True, exist_ok=True)
    csv_path, md_path = out / f"{name}.csv", out / f"{name}.md"
    # utf-8-sig so that Excel shows Cyrillic correctly; typed text must not run as a formula
    df.map(neutralise_formula).to_csv(csv_path, index=False, encoding="utf-8-sig", quoting=csv.QUOTE_MINIMAL)
    md_path.write_text(markdown_table(df), encoding="utf-8")
    return csv_path, md_path
