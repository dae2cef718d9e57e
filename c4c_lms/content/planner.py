"""The priority-project plan: problem and objective trees, logframe, work plan, partners, risks.

A project is a plain JSON-ready ``dict`` (schema ``"c4c-project/1"``, see :func:`new_project`)
holding what the learner typed, as typed: nothing is converted on the way in, so a bad value
is reported and kept, never lost. The functions here read it and return checks, tables and
figures; :mod:`c4c_lms.content.budget` does the money, :mod:`c4c_lms.content.funding` the programme match.
The standard logical-framework layout is used: four levels (overall objective, specific
objective, results, activities) × four columns (intervention logic, indicators, sources of
verification, assumptions).
"""

from __future__ import annotations

import copy
import json
import re

from c4c_lms.core.romanise import has_cyrillic

SCHEMA = "c4c-project/1"
RISK_LEVELS = ((4, "low"), (9, "medium"), (25, "high"))


def new_project() -> dict:
    """An empty project with every key the app and the exports use."""
    return {
        "schema": SCHEMA, "title": "", "start": "", "duration_months": "12",
        "themes": [], "applicant_type": "municipality",
        "problem_tree": {"core": "", "causes": [], "effects": []},
        "objective_tree": {"core": "", "means": [], "ends": []},
        "logframe": {"overall": "", "overall_assumptions": "", "specific": "",
                     "specific_assumptions": "", "results": [], "activities": [],
                     "indicators": [], "smart": {}},
        "partners": {"joint_domestic": False, "rows": []},
        "budget": {"indirect_rate": "7", "cofinancing_rate": "90", "lines": []},
        "funding": {"requested_grant": ""},
        "risks": [],
    }


def loads(text: str | bytes) -> dict:
    """A project from JSON text; missing keys are filled from :func:`new_project`.

    Raises
    ------
    ValueError
        ``"not_json"`` or ``"wrong_schema"`` (the message key for the app).
    """
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("not_json") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ValueError("wrong_schema")
    project = new_project()
    for key, value in data.items():
        if isinstance(project.get(key), dict) and isinstance(value, dict):
            project[key].update(value)
        else:
            project[key] = value
    return project


def dumps(project: dict) -> str:
    """The project as pretty UTF-8 JSON (Cyrillic kept readable)."""
    return json.dumps(project, ensure_ascii=False, indent=2)


# --- problem tree -> objective tree ---------------------------------------------------------

# Negative word -> positive mirror. Ukrainian forms are listed per gender/number because the
# adjective must agree with its noun. Longer phrases first.
_MIRROR_EN = [
    ("lack of", "sufficient"), ("no access to", "access to"), ("insufficient", "sufficient"),
    ("inadequate", "adequate"), ("inefficient", "efficient"), ("unsafe", "safe"),
    ("poor", "good"), ("low", "improved"), ("high", "reduced"), ("limited", "wider"),
    ("weak", "strong"), ("outdated", "modern"), ("damaged", "repaired"),
    ("destroyed", "rebuilt"), ("few", "more"), ("bad", "good"), ("missing", "available"),
    ("growing", "decreasing"), ("increasing", "decreasing"), ("decreasing", "increasing"),
    ("unemployment", "employment"), ("worn-out", "renewed"), ("no", "available"),
]
_UK_ADJ = [
    ("низьк", "висок"), ("висок", "знижен"), ("поган", "добр"), ("застаріл", "сучасн"),
    ("зруйнован", "відновлен"), ("пошкоджен", "відремонтован"), ("слабк", "сильн"),
    ("обмежен", "розширен"), ("недостатн", "достатн"), ("неефективн", "ефективн"),
    ("небезпечн", "безпечн"), ("неякісн", "якісн"), ("недоступн", "доступн"),
    ("зношен", "оновлен"), ("зростаюч", "спадн"),
]
_UK_WORDS = [("відсутність", "наявність"), ("відсутні", "наявні"), ("брак", "достатність"),
             ("нестача", "достатність"), ("безробіття", "зайнятість"),
             # "немає" takes the genitive, so "є" would be ungrammatical ("Є проєктної документації")
             ("немає", "забезпечено наявність"), ("не вистачає", "забезпечено достатньо")]
_UK_ENDINGS = "(ий|а|е|і|ого|ої|их|ій|ому|ими|ою|им)"


def mirror(statement: str) -> str:
    """The positive mirror of a negative statement ("Low energy efficiency" -> "Improved ...").

    A small word list for English and Ukrainian; when no listed word occurs the statement is
    returned unchanged, for the learner to rephrase (the app says so). Returns ``""`` for ``""``.
    """
    text = statement.strip()
    if not text:
        return ""
    if has_cyrillic(text):
        table = [(rf"{a}{_UK_ENDINGS}", lambda m, b=b: b + m.group(1)) for a, b in _UK_ADJ]
        table += [(a, lambda m, b=b: b) for a, b in _UK_WORDS]
    else:
        table = [(re.escape(a), lambda m, b=b: b) for a, b in _MIRROR_EN]
    # One pass with all patterns, so a replacement is never replaced again ("low" -> "improved").
    combined = "|".join(f"(?P<g{i}>(?<!\\w){p}(?!\\w))" for i, (p, _) in enumerate(table))

    def dispatch(m: re.Match) -> str:
        pattern, repl = table[int(m.lastgroup[1:])]
        new = repl(re.fullmatch(pattern, m.group(0), flags=re.IGNORECASE))
        return new[:1].upper() + new[1:] if m.group(0)[:1].isupper() else new

    return re.sub(combined, dispatch, text, flags=re.IGNORECASE)


# A statement the word list could not turn positive is kept as a clearly marked draft.
DRAFT = "✎ "


def draft(statement: str) -> str:
    """The positive mirror of ``statement``, or the statement marked :data:`DRAFT` for the learner
    to rephrase when no listed negative word occurs (never a negative text passed off as a goal)."""
    text = statement.strip()
    if not text or text.startswith(DRAFT.strip()):
        return text
    positive = mirror(text)
    return positive if positive != text else DRAFT + text


def is_draft(statement: str) -> bool:
    return statement.strip().startswith(DRAFT.strip())


def objective_tree(problem: dict) -> dict:
    """Mirror a problem tree (``core``, ``causes``, ``effects``) into an objective tree.

    The core problem becomes the core objective, causes become means (future results) and
    effects, turned positive, become ends: the wider change the overall objective contributes
    to. Statements that could not be turned positive come back marked :data:`DRAFT`.
    """
    return {"core": draft(problem.get("core", "")),
            "means": [draft(c) for c in problem.get("causes", []) if c.strip()],
            "ends": [draft(e) for e in problem.get("effects", []) if e.strip()]}


def tree_to_logframe(project: dict) -> dict:
    """Fill the logframe's empty objective and result fields from the objective tree.

    Returns a new project; what the learner already wrote in the logframe is kept.
    """
    p = copy.deepcopy(project)
    tree, lf = p["objective_tree"], p["logframe"]
    if not lf["overall"].strip() and tree["ends"]:
        ends = [e.removeprefix(DRAFT) for e in tree["ends"]]
        # one draft overall objective for the learner to rewrite when any end is still a draft
        lf["overall"] = (DRAFT if any(is_draft(e) for e in tree["ends"]) else "") + "; ".join(ends)
    if not lf["specific"].strip():
        lf["specific"] = tree["core"]
    if not any(r.get("text", "").strip() for r in lf["results"]):
        lf["results"] = [{"id": f"R{i}", "text": m, "assumptions": ""}
                         for i, m in enumerate(tree["means"], start=1)]
    return p


def split_lines(text: str) -> list[str]:
    """Non-empty stripped lines of a text area."""
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


# --- logframe checks --------------------------------------------------------------------------

def _filled(rows: list[dict], key: str = "text") -> list[dict]:
    return [r for r in rows if str(r.get(key, "")).strip()]


def logframe_issues(project: dict) -> list[tuple[str, str, dict]]:
    """Problems in the logframe as ``(severity, message_key, values)``; empty means none found.

    Checks: both objectives written; result and activity ids unique; every result has at least
    one indicator with a target and at least one activity; every activity names an existing
    result; every indicator belongs to an existing level and has a source of verification.
    """
    lf = project["logframe"]
    issues: list[tuple[str, str, dict]] = []
    for level in ("overall", "specific"):
        if not lf[level].strip():
            issues.append(("error", f"lf_missing_{level}", {}))
    results = _filled(lf["results"])
    ids = [r.get("id", "").strip() for r in results]
    for rid in sorted({i for i in ids if ids.count(i) > 1}):
        issues.append(("error", "lf_duplicate_id", {"id": rid}))
    for n, r in enumerate(results, start=1):
        if not r.get("id", "").strip():
            issues.append(("error", "lf_result_no_id", {"row": n}))
    if not results:
        issues.append(("error", "lf_no_results", {}))
    indicators = _filled(lf["indicators"])
    activities = _filled(lf["activities"])
    levels = {"overall", "specific", *ids}
    for rid in [i for i in ids if i]:
        mine = [x for x in indicators if x.get("level", "").strip() == rid]
        if not any(str(x.get("target", "")).strip() for x in mine):
            issues.append(("error", "lf_result_no_target", {"id": rid}))
        if not any(a.get("result", "").strip() == rid for a in activities):
            issues.append(("warning", "lf_result_no_activity", {"id": rid}))
    if not any(x.get("level", "").strip() == "specific" for x in indicators):
        issues.append(("warning", "lf_specific_no_indicator", {}))
    for n, a in enumerate(activities, start=1):
        if a.get("result", "").strip() not in ids or not a.get("result", "").strip():
            issues.append(("error", "lf_activity_no_result",
                           {"row": n, "id": a.get("id", ""), "result": a.get("result", "")}))
    for n, x in enumerate(indicators, start=1):
        if x.get("level", "").strip() not in levels:
            issues.append(("error", "lf_indicator_bad_level", {"row": n, "level": x.get("level", "")}))
        if not str(x.get("source", "")).strip():
            issues.append(("warning", "lf_indicator_no_source", {"row": n}))
    return issues


def smart_hints(project: dict) -> dict[str, bool | None]:
    """What the text itself can show about a SMART specific objective (``None``: learner judges).

    S: 6-40 words; M: an indicator for the specific objective has a baseline and a target;
    A and R: only the learner can say; T: a year in the text or a project period is set.
    """
    lf = project["logframe"]
    words = len(lf["specific"].split())
    inds = [x for x in lf["indicators"] if x.get("level", "").strip() == "specific"]
    measurable = any(str(x.get("baseline", "")).strip() and str(x.get("target", "")).strip()
                     for x in inds)
    timed = bool(re.search(r"\b20\d\d\b", lf["specific"])) or bool(
        project.get("start", "").strip() and parse_month(project.get("duration_months", "")))
    return {"S": 6 <= words <= 40, "M": measurable, "A": None, "R": None, "T": timed}


# --- work plan --------------------------------------------------------------------------------

def parse_month(text: object) -> int | None:
    """A positive whole number of months, or ``None`` when the text is not one."""
    s = str(text).strip()
    return int(s) if s.isdigit() and int(s) > 0 else None


def parse_start(text: str) -> tuple[int, int] | None:
    """``"2026-03"`` (or ``"03.2026"``) -> ``(2026, 3)``; ``None`` when unreadable."""
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text) or re.fullmatch(r"\s*(\d{1,2})[./](\d{4})\s*", text)
    if not m:
        return None
    a, b = int(m.group(1)), int(m.group(2))
    year, month = (a, b) if a > 12 else (b, a)
    return (year, month) if 1 <= month <= 12 and 2000 <= year <= 2100 else None


def workplan_issues(project: dict) -> list[tuple[str, str, dict]]:
    """Activities with unreadable months, ending before they start, or outside the project."""
    issues: list[tuple[str, str, dict]] = []
    duration = parse_month(project.get("duration_months", ""))
    if duration is None:
        issues.append(("error", "wp_bad_duration", {"value": project.get("duration_months", "")}))
    if project.get("start", "").strip() and parse_start(project["start"]) is None:
        issues.append(("error", "wp_bad_start", {"value": project["start"]}))
    for n, a in enumerate(_filled(project["logframe"]["activities"]), start=1):
        start, end = parse_month(a.get("start", "")), parse_month(a.get("end", ""))
        label = a.get("id", "") or str(n)
        if start is None or end is None:
            issues.append(("error", "wp_bad_month", {"row": n, "id": label}))
        elif end < start:
            issues.append(("error", "wp_end_before_start", {"row": n, "id": label}))
        elif duration and end > duration:
            issues.append(("warning", "wp_outside_period",
                           {"row": n, "id": label, "end": end, "duration": duration}))
    return issues


def month_label(start: tuple[int, int] | None, month: int) -> str:
    """Project month ``month`` (1-based) as ``2026-03`` when the start is known, else ``M3``."""
    if start is None:
        return f"M{month}"
    y, m = divmod(start[0] * 12 + start[1] - 1 + month - 1, 12)
    return f"{y}-{m + 1:02d}"


def gantt_png(project: dict, title: str = "") -> bytes | None:
    """A Gantt chart (PNG) of the activities with readable months; ``None`` when there are none.

    Bars outside the project period are drawn in red, with the period's end as a dashed line.
    """
    rows = []
    for a in _filled(project["logframe"]["activities"]):
        s, e = parse_month(a.get("start", "")), parse_month(a.get("end", ""))
        if s and e and e >= s:
            rows.append((f"{a.get('id', '')} {a.get('text', '')}"[:40], s, e, a.get("partner", "")))
    if not rows:
        return None
    from matplotlib.figure import Figure

    duration = parse_month(project.get("duration_months", "")) or max(r[2] for r in rows)
    start = parse_start(project.get("start", ""))
    fig = Figure(figsize=(8, 0.45 * len(rows) + 1.4), dpi=100)
    ax = fig.subplots()
    for i, (label, s, e, partner) in enumerate(rows):
        color = "#c0392b" if e > duration else "#2e86c1"
        ax.barh(i, e - s + 1, left=s - 0.5, color=color)
        if partner:
            ax.text(e + 0.6, i, partner, va="center", fontsize=8)
    ax.axvline(duration + 0.5, color="grey", linestyle="--")
    ax.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=8)
    ax.invert_yaxis()
    last = max(duration, max(r[2] for r in rows))
    ticks = list(range(1, last + 1, max(1, last // 12)))
    ax.set_xticks(ticks, [month_label(start, t) for t in ticks], fontsize=7, rotation=45)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return figure_png(fig)


def figure_png(fig) -> bytes:
    """PNG bytes of a matplotlib figure (no pyplot, no display backend needed)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


# --- partners ---------------------------------------------------------------------------------

def partner_names(project: dict) -> list[str]:
    """Names of the partners typed so far, lead first."""
    rows = _filled(project["partners"]["rows"], "name")
    rows.sort(key=lambda r: r.get("role") != "lead")
    return [r["name"].strip() for r in rows]


def partner_issues(project: dict) -> list[tuple[str, str, dict]]:
    """Exactly one lead; for joint domestic applications, beneficiaries that are partners."""
    rows = _filled(project["partners"]["rows"], "name")
    issues: list[tuple[str, str, dict]] = []
    leads = [r for r in rows if r.get("role") == "lead"]
    if len(leads) != 1:
        issues.append(("error", "pt_lead_count", {"count": len(leads)}))
    if project["partners"].get("joint_domestic"):
        names = {r["name"].strip() for r in rows}
        for r in rows:
            for b in split_semicolons(r.get("benefits", "")):
                if b not in names:
                    issues.append(("error", "pt_unknown_beneficiary", {"name": r["name"], "other": b}))
        ua = [r for r in rows if r.get("kind") == "ua"]
        if len(ua) < 2:
            issues.append(("warning", "pt_joint_needs_two", {}))
    return issues


def split_semicolons(text: str) -> list[str]:
    """Non-empty stripped items of a ``;``-separated text."""
    return [x.strip() for x in str(text).split(";") if x.strip()]


def mutual_beneficiaries(project: dict) -> list[tuple[str, str]]:
    """Pairs of partner communities each named as the other's beneficiary (sorted, unique)."""
    benefits = {r["name"].strip(): set(split_semicolons(r.get("benefits", "")))
                for r in _filled(project["partners"]["rows"], "name")}
    return sorted({tuple(sorted((a, b))) for a, bs in benefits.items() for b in bs
                   if a in benefits.get(b, set()) and a != b})


def partners_from_shortlist(csv_text: str) -> list[dict]:
    """Partner rows from the partner finder's shortlist CSV (columns ``name``, ``country``).

    Raises
    ------
    ValueError
        ``"shortlist_columns"`` when the file lacks those columns.
    """
    import csv
    import io

    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    if not reader.fieldnames or not {"name", "country"} <= set(reader.fieldnames):
        raise ValueError("shortlist_columns")
    return [{"name": r["name"].strip(), "country": r["country"].strip(), "kind": "eu",
             "role": "partner", "type": "municipality", "contribution": "", "benefits": ""}
            for r in reader if r.get("name", "").strip()]


# --- risks ------------------------------------------------------------------------------------

def risk_level(likelihood: int, impact: int) -> str:
    """``low`` (score 1-4), ``medium`` (5-9) or ``high`` (10-25) for a 5×5 matrix."""
    score = likelihood * impact
    return next(name for top, name in RISK_LEVELS if score <= top)


def scored_risks(project: dict) -> tuple[list[dict], list[tuple[str, str, dict]]]:
    """Risks with readable scores (``score``, ``level`` added) and the problems found.

    Likelihood and impact are whole numbers 1-5; a high risk without mitigation is flagged.
    """
    good, issues = [], []
    for n, r in enumerate(_filled(project["risks"], "risk"), start=1):
        li, im = parse_month(r.get("likelihood", "")), parse_month(r.get("impact", ""))
        if li is None or im is None or li > 5 or im > 5:
            issues.append(("error", "rk_bad_scale", {"row": n}))
            continue
        row = {**r, "likelihood": li, "impact": im, "score": li * im, "level": risk_level(li, im)}
        if row["level"] == "high" and not str(r.get("mitigation", "")).strip():
            issues.append(("warning", "rk_high_no_mitigation", {"row": n}))
        good.append(row)
    return sorted(good, key=lambda r: -r["score"]), issues


def risk_matrix_png(risks: list[dict], labels: tuple[str, str, str]) -> bytes | None:
    """The 5×5 likelihood × impact matrix (PNG) with each risk's number in its cell."""
    if not risks:
        return None
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.6, 4), dpi=100)
    ax = fig.subplots()
    grid = [[risk_level(li, im) for im in range(1, 6)] for li in range(1, 6)]
    code = {"low": 0, "medium": 1, "high": 2}
    ax.imshow([[code[c] for c in row] for row in grid], origin="lower", extent=(0.5, 5.5, 0.5, 5.5),
              cmap=ListedColormap(["#a9dfbf", "#f9e79f", "#f1948a"]), vmin=0, vmax=2)
    cells: dict[tuple[int, int], list[str]] = {}
    for n, r in enumerate(risks, start=1):
        cells.setdefault((r["impact"], r["likelihood"]), []).append(str(n))
    for (x, y), names in cells.items():
        ax.text(x, y, ",".join(names), ha="center", va="center", fontsize=9, weight="bold")
    ax.set_xticks(range(1, 6))
    ax.set_yticks(range(1, 6))
    ax.set_xlabel(labels[1])
    ax.set_ylabel(labels[0])
    ax.set_title(labels[2], fontsize=10)
    fig.tight_layout()
    return figure_png(fig)
