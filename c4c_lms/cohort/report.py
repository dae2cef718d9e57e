"""The lecturer's cohort report: one self-contained HTML file (plots embedded as base64 PNG).

:func:`sections` builds the report as a list of (title, HTML fragment) pairs; :func:`render_html`
wraps them in a page and ``voila_apps/cohort_report/index.ipynb`` lays the same sections out.
With ``pseudonymise=True`` participants appear only as stable pseudonyms and groups smaller than
``K_ANONYMITY`` are merged into "other", so the file can leave the lecturer's machine.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from pathlib import Path

import numpy as np
import pandas as pd

from c4c_lms.cohort.data import CohortData, pseudonym, pseudonym_salt
from c4c_lms.cohort.completion import Rules, evaluate, funnel, not_eligible, rules_from_course
from c4c_lms.core.i18n import Catalogue

M = Catalogue.load("report")
K_ANONYMITY = 5
STAGES = ("registered", "attended", "submitted", "passed", "certified")
BLUE, ORANGE, GREY = "#1f4e79", "#d9822b", "#9aa5b1"


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _figure(width: float = 7, height: float = 3):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height))
    return fig, ax


def _table(columns: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def with_anonymous(data: CohortData) -> CohortData:
    """Add purged participants' anonymous records (ids ``anon-N``) to the statistics."""
    if data.anonymous.empty:
        return data
    anon = data.anonymous.reset_index(drop=True)
    ids = [f"anon-{i + 1}" for i in range(len(anon))]
    people = pd.DataFrame({"oblast": anon["oblast"].values, "community_type": anon["community_type"].values},
                          index=pd.Index(ids, name="id"))  # fmt: skip
    minutes = pd.DataFrame([{int(k): v for k, v in d.items()} for d in anon["days"]], index=ids)
    scores = pd.DataFrame(list(anon["scores"]), index=ids, dtype=float)
    return CohortData(pd.concat([data.participants, people]), pd.concat([data.minutes, minutes]).fillna(0.0),
                      pd.concat([data.scores, scores]), data.cells, data.points, data.anonymous)  # fmt: skip


def item_analysis(cells: pd.DataFrame) -> pd.DataFrame:
    """Per question: N, difficulty (mean share of points), discrimination (corrected item-total r)."""
    rows = []
    if cells.empty:
        return pd.DataFrame(columns=["exercise", "grade_id", "n", "difficulty", "discrimination"])
    for exercise, group in cells.groupby("exercise"):
        wide = group.pivot_table(index="student_id", columns="grade_id", values="score", aggfunc="max")
        maxima = group.groupby("grade_id")["max_score"].max()
        total = wide.fillna(0).sum(axis=1)
        for grade_id in wide.columns:
            item = wide[grade_id].dropna()
            rest = (total - wide[grade_id].fillna(0)).loc[item.index]
            usable = len(item) > 2 and item.std() > 0 and rest.std() > 0
            r = float(np.corrcoef(item, rest)[0, 1]) if usable else float("nan")
            share = float(item.mean() / maxima[grade_id]) if maxima[grade_id] else float("nan")
            rows.append({"exercise": exercise, "grade_id": grade_id, "n": len(item), "difficulty": share,
                         "discrimination": r})  # fmt: skip
    return pd.DataFrame(rows)


def _oblast_names(series: pd.Series, lang: str) -> pd.Series:
    """ISO 3166-2 codes (UA-46) shown as oblast names from the reference data, others unchanged."""
    try:
        from c4c_lms.refdata.tables import load_oblasts

        table = load_oblasts()
        names = dict(zip(table["iso_code"], table["name_uk" if lang == "uk" else "name_en"]))
    except Exception:  # reference data is a convenience here, never a reason to fail the report
        return series
    return series.map(lambda v: names.get(v, v))


def _counts(series: pd.Series, pseudonymise: bool, lang: str) -> pd.Series:
    counts = series.replace("", M.t("unknown", lang)).fillna(M.t("unknown", lang)).value_counts()
    if pseudonymise:
        small = counts[counts < K_ANONYMITY]
        counts = counts[counts >= K_ANONYMITY]
        if small.sum():
            counts[M.t("other", lang)] = int(small.sum())
    return counts.sort_values()


def _bars(counts: pd.Series, eligible: pd.Series | None, lang: str) -> str:
    fig, ax = _figure(7, max(2.0, 0.25 * len(counts) + 0.8))
    ax.barh(counts.index.astype(str), counts.values, color=GREY, label=M.t("stage_registered", lang))
    if eligible is not None:
        ax.barh(counts.index.astype(str), eligible.reindex(counts.index).fillna(0).values, color=BLUE,
                label=M.t("stage_certified", lang))  # fmt: skip
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_xlabel(M.t("count", lang))
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def sections(data: CohortData, rules: Rules, lang: str = "uk", pseudonymise: bool = False,
             salt: bytes = b"") -> list[tuple[str, str]]:  # fmt: skip
    """The report as (title, HTML fragment) pairs, in reading order."""
    full = with_anonymous(data)
    outcomes = evaluate(full, rules)
    parts: list[tuple[str, str]] = []

    # Funnel
    stages = funnel(outcomes)
    fig, ax = _figure(7, 2.6)
    labels = [M.t(f"stage_{s}", lang) for s in STAGES][::-1]
    values = [stages[s] for s in STAGES][::-1]
    ax.barh(labels, values, color=[BLUE if i == 0 else GREY for i in range(len(values))])
    for y, v in enumerate(values):
        ax.text(v, y, f" {v}", va="center")
    ax.spines[["top", "right"]].set_visible(False)
    note = f"<p>{html.escape(M.t('anonymous_note', lang, count=len(data.anonymous)))}</p>" if len(data.anonymous) else ""
    parts.append((M.t("funnel", lang), _png(fig) + _table([M.t(f"stage_{s}", lang) for s in STAGES],
                                                         [[stages[s] for s in STAGES]]) + note))  # fmt: skip

    # Attendance per day
    minutes = full.minutes
    attended = (minutes >= max(rules.min_minutes_per_day, 1e-9)).sum()
    medians = minutes[minutes > 0].median().fillna(0)
    fig, ax = _figure(7, 3)
    days = [M.t("day", lang, day=d) for d in minutes.columns]
    ax.bar(days, attended.values, color=BLUE, label=M.t("attended_count", lang, minutes=rules.min_minutes_per_day))
    ax2 = ax.twinx()
    ax2.plot(days, medians.values, color=ORANGE, marker="o", label=M.t("median_minutes", lang))
    ax2.set_ylim(0, max(1, medians.max()) * 1.2)
    fig.legend(loc="lower center", ncol=2, frameon=False, bbox_to_anchor=(0.5, -0.08))
    ax.spines[["top"]].set_visible(False)
    rows = [[d, int(a), f"{m:.0f}"] for d, a, m in zip(days, attended.values, medians.values)]
    parts.append((M.t("attendance", lang), _png(fig) + _table(
        ["", M.t("attended_count", lang, minutes=rules.min_minutes_per_day), M.t("median_minutes", lang)], rows)))

    # Score distributions
    exercises = list(full.points)
    if exercises:
        import matplotlib.pyplot as plt

        _figure(1, 1)  # selects the Agg backend
        plt.close("all")
        fig, axes = plt.subplots(1, len(exercises), figsize=(2.2 * len(exercises), 2.4), sharey=True, squeeze=False)
        for ax, ex in zip(axes[0], exercises):
            values = full.scores[ex].dropna()
            ax.hist(values, bins=np.arange(0, full.points[ex] + 2) - 0.5, color=BLUE)
            ax.set_title(ex, fontsize=8)
            ax.set_xlabel(M.t("points", lang), fontsize=8)
            ax.spines[["top", "right"]].set_visible(False)
        axes[0][0].set_ylabel(M.t("count", lang))
        parts.append((M.t("scores", lang), _png(fig)))

    # Per-question difficulty and discrimination
    items = item_analysis(data.cells)
    if items.empty:
        parts.append((M.t("items", lang), f"<p>{html.escape(M.t('no_cells', lang))}</p>"))
    else:
        fig, ax = _figure(6, 3.2)
        weak = items["discrimination"] < 0.2
        ax.scatter(items["difficulty"], items["discrimination"], c=[ORANGE if w else BLUE for w in weak])
        for _, r in items[weak].iterrows():
            ax.annotate(f"{r['exercise']}:{r['grade_id']}", (r["difficulty"], r["discrimination"]), fontsize=7)
        ax.axhline(0.2, color=GREY, linestyle="--", linewidth=1)
        ax.set_xlabel(M.t("col_difficulty", lang))
        ax.set_ylabel(M.t("col_discrimination", lang))
        ax.spines[["top", "right"]].set_visible(False)
        rows = [[r.exercise, r.grade_id, r.n, f"{r.difficulty:.2f}",
                 "–" if pd.isna(r.discrimination) else f"{r.discrimination:.2f}"] for r in items.itertuples()]  # fmt: skip
        cols = [M.t(k, lang) for k in ("col_exercise", "col_question", "col_n", "col_difficulty", "col_discrimination")]
        parts.append((M.t("items", lang), f"<p>{html.escape(M.t('items_note', lang))}</p>" + _png(fig) + _table(cols, rows)))

    # Who took part
    eligible_ids = outcomes.index[outcomes["eligible"]]
    for key, column in (("oblasts", "oblast"), ("types", "community_type")):
        values = full.participants[column].fillna("")
        values = _oblast_names(values, lang) if column == "oblast" else values
        counts = _counts(values, pseudonymise, lang)
        elig = _counts(values.loc[eligible_ids], False, lang)
        if pseudonymise:
            elig = elig.reindex(counts.index).fillna(0)
            other = M.t("other", lang)
            if other in counts.index:
                merged = values.loc[eligible_ids].replace("", M.t("unknown", lang))
                keep = set(counts.index) - {other}
                elig[other] = int((~merged.isin(keep)).sum())
        parts.append((M.t(key, lang), _bars(counts, elig, lang)))

    # Needs attention (real participants only): everyone not eligible, and why; near misses first
    attention = not_eligible(outcomes.loc[data.participants.index], rules, lang=lang)
    if attention.empty:
        parts.append((M.t("attention", lang), f"<p>{html.escape(M.t('attention_none', lang))}</p>"))
    else:
        rows = []
        for pid, item in attention.iterrows():
            row = outcomes.loc[pid]
            if pseudonymise:
                who = pseudonym(pid, salt)
            else:
                p = data.participants.loc[pid]
                who = f"{pid} — {p['first_name_uk']} {p['last_name_uk']} ({p['email']})"
            why = "; ".join(item["missed"])
            if item["near"]:
                why = M.t("reason_" + item["near"], lang) + ": " + why
            rows.append([who, why, int(row["days_attended"]), f"{row['score_percent']:.0f}"])
        cols = [M.t(k, lang) for k in ("col_participant", "col_reason", "col_days", "col_score")]
        intro = M.t("attention_count", lang, count=len(rows), near=int((attention["near"] != "").sum()))
        parts.append((M.t("attention", lang), f"<p>{html.escape(intro)}</p>" + _table(cols, rows)))
    return parts


CSS = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{color:#1f4e79}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}td,th{border:1px solid #ccc;padding:.2rem .5rem}
th{background:#eef3f8;text-align:left}img{max-width:100%}"""


def render_html(course, data: CohortData, lang: str = "uk", pseudonymise: bool = False) -> str:
    """The whole report as one HTML page (no external resources)."""
    salt = pseudonym_salt(course.workdir) if pseudonymise else b""
    parts = sections(data, rules_from_course(course), lang, pseudonymise, salt)
    info = course.config.course
    title = f"{M.t('title', lang)}: {info.title_uk if lang == 'uk' else info.title_en}"
    when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    intro = M.t("generated", lang, when=when, registered=len(data.participants) + len(data.anonymous))
    if pseudonymise:
        intro += " " + M.t("pseudonymised", lang, k=K_ANONYMITY)
    body = "".join(f"<section><h2>{html.escape(t)}</h2>{frag}</section>" for t, frag in parts)
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1><p>{html.escape(intro)}</p>"
            f"{body}</body></html>")  # fmt: skip


def write_report(course, data: CohortData, output: Path, pseudonymise: bool = False, lang: str = "uk") -> int:
    """Write the report to ``output``; returns its size in bytes."""
    from c4c_lms.core.files import write_text_atomic

    text = render_html(course, data, lang, pseudonymise)
    write_text_atomic(Path(output), text)
    return len(text.encode("utf-8"))
