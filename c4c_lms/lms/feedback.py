"""Feedback HTML per participant, safe to hand back.

nbgrader's own feedback shows hidden tests and renders participants' markdown raw (stored XSS,
see grading-risks §4 rows 31-33). We run nbgrader's generate_feedback with two extra
preprocessors: one removes hidden tests (and the tracebacks that would quote them), one
sanitises everything a participant could have written (markdown, HTML/SVG/JS outputs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape, unescape
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool
from traitlets.config import Config

from c4c_lms.core.config import Course
from c4c_lms.core.files import write_text_atomic
from c4c_lms.core.i18n import Catalogue, format_number
from c4c_lms.lms.grading.sanitise import MARK, SanitiseParticipantWork, clean_html, clean_markdown, unsafe_html
from c4c_lms.lms.workspace import step_path

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.S | re.M)


class StripHiddenTests(Preprocessor):
    """Remove hidden-test blocks from cell sources and tracebacks that quote them."""

    enabled = Bool(True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and "### BEGIN HIDDEN TESTS" in cell.source:
            cell.source = HIDDEN.sub("", cell.source)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


@dataclass
class FeedbackResult:
    student_id: str
    assignment_id: str
    path: Path | None
    ok: bool
    message: str = ""


def feedback_config() -> Config:
    """nbgrader's own feedback pipeline with our two safety preprocessors (kept for nbgrader's
    ``generate_feedback``; ``c4c feedback`` renders its own page, see :func:`render_feedback`)."""
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    c = Config()
    c.GenerateFeedback.preprocessors = [
        GetGrades, StripHiddenTests, SanitiseParticipantWork, CSSHTMLHeaderPreprocessor,
    ]  # fmt: skip
    c.HTMLExporter.sanitize_html = True
    return c


def generate_feedback(
    course: Course, exercises: list[str] | None = None, students: list[str] | None = None
) -> list[FeedbackResult]:
    """Write ``<workdir>/feedback/<student>/<assignment>/<assignment>.html`` for graded work,
    in the language of the assignment's variant, from the autograded notebook and the gradebook."""
    import nbformat
    from nbgrader.api import Gradebook, MissingEntry

    results = []
    base = step_path(course, "autograded")
    if not base.is_dir():
        return results
    for leftover in step_path(course, "feedback").rglob(".*.tmp"):  # pages a killed run began
        leftover.unlink(missing_ok=True)
    with Gradebook(course.gradebook_url, course_id=course.config.course.id) as gb:
        for assignment in course.assignment_ids(exercises):
            for student_dir in sorted(p for p in base.iterdir() if (p / assignment).is_dir()):
                student = student_dir.name
                if students and student not in students:
                    continue
                source = step_path(course, "autograded", student=student, assignment=assignment,
                                   notebook=assignment)  # fmt: skip
                html_path = step_path(course, "feedback", student=student, assignment=assignment,
                                      notebook=assignment, suffix=".html")  # fmt: skip
                try:
                    nb = nbformat.read(source, as_version=4)
                    graded = gb.find_submission_notebook(assignment, assignment, student)
                except (OSError, ValueError, MissingEntry) as exc:
                    results.append(FeedbackResult(student, assignment, None, False, str(exc)))
                    continue
                grades = {g.name: (g.score, g.max_score, g.needs_manual_grade) for g in graded.grades}
                comments = {c.name: c.comment for c in graded.comments if c.comment}
                html = render_feedback(nb, grades, comments, page_context(course, assignment, student))
                problems = unsafe_html(html)
                if not problems:  # defence in depth: never write an unsafe file
                    write_text_atomic(html_path, html)  # a crash leaves the old page or the new one
                results.append(FeedbackResult(student, assignment, None if problems else html_path,
                                              not problems, "; ".join(problems)))  # fmt: skip
    return results


def page_context(course: Course, assignment: str, student: str) -> dict:
    """Title, language and module link of one participant's feedback page."""
    exercise = course.exercise_of_assignment(assignment)
    lang = "en" if exercise is not None and exercise.variants.get("en") == assignment else "uk"
    title = getattr(exercise, f"title_{lang}", assignment) if exercise else assignment
    module, module_href = "", ""
    if exercise is not None:
        suffix = "_en" if lang == "en" else ""
        page = course.path("modules") / exercise.module / f"{exercise.module}{suffix}.ipynb"
        module = _module_title(page) or exercise.module
        module_href = f"/voila/render/{course.config.paths.modules}/{exercise.module}/{page.name}"
    return {"lang": lang, "title": title, "student": student, "module": module,
            "module_href": module_href}  # fmt: skip


def _module_title(path: Path) -> str:
    """The first heading of a module notebook (its title), or ``""``."""
    import json

    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return ""
    for cell in cells:
        for line in "".join(cell.get("source", "")).splitlines():
            if cell.get("cell_type") == "markdown" and line.startswith("# "):
                return line[2:].strip()
    return ""


# -- the page ----------------------------------------------------------------------------------
POINTS_MARK = re.compile(r"\s*\{\s*points\s*:\s*[\d.]+\s*\}")
STYLE = """
body{font:16px/1.5 system-ui,'DejaVu Sans',sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.6rem}h2{font-size:1.3rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.95rem}
th,td{border:1px solid #c8c8c8;padding:.25rem .5rem;text-align:left;vertical-align:top}
thead th,.summary th{background:#eef2f7}
.summary td.num{text-align:right;white-space:nowrap}
.ok{color:#176b2c}.bad{color:#a4262c}.wait{color:#5a4a00}
.cell{margin:1rem 0}.answer{border-left:4px solid #3b6fb6;padding:.25rem .75rem;background:#f7f9fc}
.check{border-left:4px solid #999;padding:.25rem .75rem;margin:.5rem 0}
.check.passed{border-color:#2e8b47;background:#f2fbf4}.check.failed{border-color:#c0392b;background:#fdf3f2}
.check.manual{border-color:#b38f00;background:#fffbea}
pre{background:#f4f4f4;padding:.5rem;overflow-x:auto;white-space:pre-wrap}
.output{overflow-x:auto}.label{font-weight:600}
"""


def render_feedback(nb, grades: dict, comments: dict, ctx: dict) -> str:
    """The feedback page of one notebook: a summary (score per question, what to review, the
    module to revisit), then the exercise with the participant's answers and each check's result.

    ``grades`` maps a graded cell's id to ``(score, max_score, needs_manual_grade)``;
    ``comments`` a cell id to the lecturer's comment. Hidden tests, test code and tracebacks are
    never shown; markdown and outputs go through the nh3 allow-list.
    """
    lang, m = ctx["lang"], Catalogue.load("feedback")
    questions, body, heading, answer_error = [], [], "", ""
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        cell_id = meta.get("grade_id", "")
        if cell.cell_type == "markdown" and not meta.get("solution"):
            if POINTS_MARK.search(cell.source):
                heading = _plain_heading(cell.source)
            body.append(f'<div class="cell">{_markdown(cell.source)}</div>')
        elif meta.get("solution") and cell.cell_type == "markdown":
            body.append(_written_answer(cell, cell_id, grades, comments, m, lang))
            if cell_id in grades:
                questions.append(_question(heading or cell_id, cell_id, grades,
                                           m.t("hint_written_empty", lang), m, lang))  # fmt: skip
        elif meta.get("solution"):
            answer_error = next((o.get("ename", "") for o in cell.get("outputs", [])
                                 if o.get("output_type") == "error"), "")  # fmt: skip
            body.append(f'<div class="cell answer"><div class="label">{m.t("your_answer", lang)}</div>'
                        f"<pre>{escape(cell.source)}</pre>{_outputs(cell, m, lang)}</div>")
        elif meta.get("grade") and cell.cell_type == "code":
            hint = _hint(cell, grades.get(cell_id), m, lang, answer_error)
            body.append(_check(cell_id, grades, hint, m, lang))
            questions.append(_question(heading or cell_id, cell_id, grades, hint, m, lang))
    head = _summary(questions, ctx, m, lang)
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(m.t('page_title', lang, title=ctx['title']))}</title>"
            f"<style>{STYLE}</style></head><body>{head}<hr>{''.join(body)}</body></html>\n")


def _markdown(source: str) -> str:
    return clean_markdown(POINTS_MARK.sub("", source))


def _plain_heading(source: str) -> str:
    if source.startswith(MARK):  # cleaned by `c4c grade`: the rendered HTML, on one line
        first = unescape(re.sub(r"<[^>]+>", "", source.split("&#10;")[0]))
    else:
        first = source.strip().splitlines()[0]
    return re.sub(r"[*_#`]", "", POINTS_MARK.sub("", first)).strip()


def _num(value: float | None, lang: str) -> str:
    return format_number(round(float(value or 0), 2), lang)


def _question(label, cell_id, grades, hint, m, lang) -> dict:
    score, max_score, manual = grades.get(cell_id, (None, 0, False))
    if manual or score is None:
        state = "manual"
    elif score >= max_score:
        state = "passed"
    else:
        state = "partial" if score > 0 else "failed"
    return {"label": label, "score": score, "max": max_score, "state": state, "hint": hint}


def _summary(questions: list[dict], ctx: dict, m, lang: str) -> str:
    total = sum(q["score"] or 0 for q in questions)
    maximum = sum(q["max"] or 0 for q in questions)
    pending = sum(q["max"] or 0 for q in questions if q["state"] == "manual")
    state_text = {"passed": ("ok", "✓ " + m.t("status_passed", lang)),
                  "failed": ("bad", "✗ " + m.t("status_failed", lang)),
                  "partial": ("bad", "◐ " + m.t("status_partial", lang)),
                  "manual": ("wait", "… " + m.t("status_manual", lang))}  # fmt: skip
    rows = "".join(
        f'<tr><td>{escape(q["label"])}</td><td class="num">'
        f'{"—" if q["state"] == "manual" else _num(q["score"], lang)} / {_num(q["max"], lang)}</td>'
        f'<td class="{state_text[q["state"]][0]}">{state_text[q["state"]][1]}</td></tr>'
        for q in questions)  # fmt: skip
    review = [q for q in questions if q["state"] in ("failed", "partial")]
    items = "".join(f"<li><strong>{escape(q['label'])}</strong>: {escape(q['hint'] or '')}</li>"
                    for q in review)  # fmt: skip
    module = ""
    if review and ctx.get("module"):
        link = f'<a href="{escape(ctx["module_href"])}">{escape(ctx["module"])}</a>'
        module = f"<p>{m.t('review_module', lang, module=link)}</p>"
    review_html = (f"<ul>{items}</ul>{module}" if review else f'<p class="ok">{m.t("review_none", lang)}</p>')
    pending_html = f"<p>{m.t('score_pending', lang, count=pending, points=_num(pending, lang))}</p>" if pending else ""
    return (f"<header><h1>{escape(m.t('page_title', lang, title=ctx['title']))}</h1>"
            f"<p>{escape(m.t('participant', lang, student=ctx['student']))}</p>"
            f'<p class="total"><strong>{m.t("score_total", lang, score=_num(total, lang), count=maximum, max=_num(maximum, lang))}'
            f"</strong></p>{pending_html}"
            f'<h2>{m.t("summary", lang)}</h2><table class="summary"><thead><tr><th>{m.t("col_question", lang)}</th>'
            f'<th>{m.t("col_points", lang)}</th><th>{m.t("col_status", lang)}</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
            f'<h2>{m.t("review_title", lang)}</h2>{review_html}</header>')


def _hint(cell, grade, m, lang: str, answer_error: str = "") -> str | None:
    """A plain-language hint for a failed check: the visible assertion's own message when the
    visible test code holds it word for word, else a message keyed on the error's kind. Never
    the test code or a message only hidden tests could produce."""
    if grade is None or grade[0] is None or grade[0] >= grade[1]:
        return None
    visible = HIDDEN.sub("", cell.source)
    for output in cell.get("outputs", []):
        if output.get("output_type") != "error":
            continue
        name, value = output.get("ename", ""), str(output.get("evalue", "")).strip()
        if name == "AssertionError" and value and value in visible:
            return value
        if name == "AssertionError":
            return m.t("hint_wrong_value", lang)
        if name == "NotImplementedError" or answer_error == "NotImplementedError":
            return m.t("hint_no_answer", lang)
        if name == "NameError":
            return m.t("hint_not_defined", lang)
        if "Timeout" in name or "timed out" in value.lower():
            return m.t("hint_timeout", lang)
        return m.t("hint_error", lang, error=escape(name or "?"))
    return m.t("hint_wrong_value", lang)


def _check(cell_id, grades, hint, m, lang: str) -> str:
    score, max_score, _ = grades.get(cell_id, (None, 0, False))
    passed = score is not None and score >= max_score
    text = m.t("check_passed" if passed else "check_failed", lang)
    points = f"{_num(score, lang)} / {_num(max_score, lang)}"
    hint_html = (f'<p><span class="label">{m.t("hint", lang)}:</span> {escape(hint)}</p>' if hint else "")
    return (f'<div class="check {"passed" if passed else "failed"}"><span class="label">'
            f'{m.t("check", lang)}</span> ({points}): {text}{hint_html}</div>')


def _written_answer(cell, cell_id, grades, comments, m, lang: str) -> str:
    score, max_score, manual = grades.get(cell_id, (None, 0, True))
    state = (m.t("awaiting", lang) if manual or score is None
             else f'{m.t("status_manual_done", lang)}: {_num(score, lang)} / {_num(max_score, lang)}')
    comment = comments.get(cell_id)
    comment_html = (f'<p><span class="label">{m.t("lecturer_comment", lang)}:</span> '
                    f"{escape(comment)}</p>" if comment else "")  # fmt: skip
    return (f'<div class="cell answer"><div class="label">{m.t("written_answer", lang)}</div>'
            f'{_markdown(cell.source)}<div class="check manual">{state}{comment_html}</div></div>')


def _outputs(cell, m, lang: str) -> str:
    parts = []
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            parts.append(f"<pre>{escape(str(output.get('text', '')))}</pre>")
        elif kind == "error":
            error = f"{output.get('ename', '')}: {output.get('evalue', '')}"
            text = (m.t("hint_no_answer", lang) if output.get("ename") == "NotImplementedError"
                    else m.t("error_in_answer", lang, error=error))
            parts.append(f'<p class="bad">{escape(text)}</p>')
        else:
            data = output.get("data", {})
            if "text/html" in data:
                html = data["text/html"]
                parts.append(f'<div class="output">{clean_html(html)}</div>')
            elif "image/png" in data and re.fullmatch(r"[A-Za-z0-9+/=\s]+", str(data["image/png"])):
                parts.append(f'<img alt="" src="data:image/png;base64,{str(data["image/png"]).strip()}">')
            elif "text/plain" in data:
                parts.append(f"<pre>{escape(str(data['text/plain']))}</pre>")
            elif data:
                parts.append(f"<p>{m.t('output_removed', lang)}</p>")
    return "".join(parts)


__all__ = ["generate_feedback", "render_feedback", "feedback_config", "StripHiddenTests",
           "unsafe_html"]  # fmt: skip
