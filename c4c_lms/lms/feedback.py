"""Feedback HTML per participant, safe to hand back.

nbgrader's own feedback shows hidden tests and renders participants' markdown raw (stored XSS,
see grading-risks §4 rows 31-33). We run nbgrader's generate_feedback with two extra
preprocessors: one removes hidden tests (and the tracebacks that would quote them), one
sanitises everything a participant could have written (markdown, HTML/SVG/JS outputs).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import nh3
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool
from traitlets.config import Config

from c4c_lms.core.config import Course
from c4c_lms.core.files import replace_folder
from c4c_lms.lms.workspace import nbgrader_api, step_path

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.S | re.M)
ACTIVE_MIME = ("application/javascript", "text/javascript", "image/svg+xml",
               "application/vnd.jupyter.widget-view+json")  # fmt: skip


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


class SanitiseStudentContent(Preprocessor):
    """Allow-list sanitising of markdown and rich outputs (no scripts, handlers, js: URLs)."""

    enabled = Bool(True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = nh3.clean(cell.source, link_rel="noopener noreferrer")
            cell.pop("attachments", None)
        for output in cell.get("outputs", []):
            data = output.get("data")
            if not data:
                continue
            for mime in ACTIVE_MIME:
                data.pop(mime, None)
            if "text/html" in data:
                html = data["text/html"]
                html = "".join(html) if isinstance(html, list) else html
                data["text/html"] = nh3.clean(html)
            if not data:
                data["text/plain"] = "[output removed]"
        return cell, resources


@dataclass
class FeedbackResult:
    student_id: str
    assignment_id: str
    path: Path | None
    ok: bool
    message: str = ""


def feedback_config() -> Config:
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    c = Config()
    c.GenerateFeedback.preprocessors = [
        GetGrades, StripHiddenTests, SanitiseStudentContent, CSSHTMLHeaderPreprocessor,
    ]  # fmt: skip
    c.HTMLExporter.sanitize_html = True
    return c


def generate_feedback(
    course: Course, exercises: list[str] | None = None, students: list[str] | None = None
) -> list[FeedbackResult]:
    """Write ``<workdir>/feedback/<student>/<assignment>/<assignment>.html`` for graded work."""
    # nbgrader writes into a staging folder; each participant's finished, checked page is then
    # swapped in whole, so a crash never leaves a torn or unchecked page in feedback/.
    config = feedback_config()
    staging = course.workdir / ".feedback-staging"
    config.CourseDirectory.feedback_directory = str(staging)
    api = nbgrader_api(course, config)
    results = []
    base = course.workdir / "autograded"
    for assignment in course.assignment_ids(exercises):
        if not base.is_dir():
            break
        for student_dir in sorted(p for p in base.iterdir() if (p / assignment).is_dir()):
            student = student_dir.name
            if students and student not in students:
                continue
            outcome = api.generate_feedback(assignment, student, force=True)
            staged = staging / student / assignment
            ok = bool(outcome["success"]) and (staged / f"{assignment}.html").is_file()
            problems = unsafe_html((staged / f"{assignment}.html").read_text(encoding="utf-8")) if ok else []
            final = step_path(course, "feedback", student=student, assignment=assignment)
            if problems:  # defence in depth: an unsafe page never reaches feedback/
                ok = False
                shutil.rmtree(final, ignore_errors=True)
            elif ok:
                replace_folder(staged, final)
            shutil.rmtree(staged, ignore_errors=True)
            html = final / f"{assignment}.html"
            message = "; ".join(problems) if problems else ("" if ok else "feedback not generated")
            results.append(FeedbackResult(student, assignment, html if ok else None, ok, message))
    return results


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False
        self._script = ""

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler")
            if value and re.match(r"\s*(javascript|vbscript):", value, re.I):
                self.problems.append(f"<{tag} {name}='{value[:20]}...'> script URL")
        if tag == "script":
            self._in_script, self._script = True, ""

    def handle_data(self, data):
        if self._in_script:
            self._script += data

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script:
            self._in_script = False
            # The template's own scripts configure MathJax/require; anything else is foreign.
            if self._script.strip() and not re.search(r"MathJax|require|renderMathInElement|"
                                                      r"DOMContentLoaded", self._script):
                self.problems.append("unexpected inline <script>")


def unsafe_html(html: str) -> list[str]:
    """Problems found in rendered feedback HTML (empty when safe)."""
    scanner = _Scanner()
    scanner.feed(html)
    return scanner.problems
