"""The one allow-list for everything a participant wrote, before a person's browser shows it.

nbgrader's formgrade page renders markdown with ``markdown2html`` and no cleaning, and its
feedback template does the same (grading-risks §4 rows 31-32: stored XSS on the lecturer's
origin). :class:`SanitiseParticipantWork` runs in the autograde pipeline after execution and
scoring (see :func:`with_sanitiser`), so the autograded notebook the formgrader (and ``c4c
feedback``) renders holds no script, no event handler, no ``javascript:`` URL and no active output. The
same functions clean ``c4c feedback``'s own page (:mod:`c4c_lms.lms.feedback`).

Markdown is rendered with nbconvert's own converter, cleaned with nh3 (ammonia's default
allow-list) and stored back as one HTML block that markdown passes through unchanged, so the
formgrader shows exactly the cleaned HTML and the participant's formatting survives.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

# Outputs a browser may show: everything else (JavaScript, SVG, widgets, PDF, unknown types)
# is removed; text/markdown becomes cleaned text/html.
SAFE_MIME = ("text/plain", "text/html", "text/latex", "image/png", "image/jpeg")
ACTIVE_MIME = ("application/javascript", "text/javascript", "image/svg+xml",
               "application/vnd.jupyter.widget-view+json")  # fmt: skip
BASE64 = re.compile(r"[A-Za-z0-9+/=\s]+")
GRADE_ID = re.compile(r"[A-Za-z0-9_-]+")  # nbgrader's own rule; the formgrader writes it raw
MARK = '<div class="c4c-clean">'
REMOVED = "[output removed]"


def clean_html(html: str | list[str]) -> str:
    """``html`` through the allow-list (no scripts, handlers, ``javascript:``/``data:`` links)."""
    text = "".join(html) if isinstance(html, list) else str(html)
    return nh3.clean(text, link_rel="noopener noreferrer")


def clean_markdown(source: str) -> str:
    """Markdown rendered as nbconvert renders it, then cleaned: the HTML a reader may see."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    html = markdown2html_mistune(source)
    html = re.sub(r'<a class="anchor-link"[^>]*>.*?</a>', "", html)  # the ¶ after each heading
    return clean_html(html)


def markdown_as_clean_block(source: str) -> str:
    """A markdown source replaced by its cleaned HTML, as one line (an HTML block markdown
    leaves alone: no blank line ends it; ``&#10;`` keeps the line breaks of ``<pre>``).
    Idempotent: an already cleaned block is cleaned again, not wrapped twice."""
    if source.startswith(MARK) and source.endswith("</div>") and "\n" not in source:
        html = clean_html(source[len(MARK) : -len("</div>")])
    else:
        html = clean_markdown(source)
    return MARK + html.strip().replace("\r", "").replace("\n", "&#10;") + "</div>"


def clean_outputs(outputs: list) -> None:
    """Clean a code cell's outputs in place (the allow-list above; metadata such as
    ``filenames`` or ``isolated`` that change how a page loads them is dropped)."""
    for output in outputs:
        data = output.get("data")
        if data is None:
            continue
        if "text/markdown" in data and "text/html" not in data:
            data["text/html"] = clean_markdown(str(data["text/markdown"]))
        for mime in list(data):
            if mime not in SAFE_MIME:
                del data[mime]
        if "text/html" in data:
            data["text/html"] = clean_html(data["text/html"])
        for mime in ("image/png", "image/jpeg"):
            if mime in data and not BASE64.fullmatch(str(data[mime])):
                del data[mime]
        if not data:
            data["text/plain"] = REMOVED
        output["metadata"] = {}


class SanitiseParticipantWork(Preprocessor):
    """Allow-list cleaning of every markdown and raw cell and every output of a notebook.

    Runs in ``c4c grade`` (after execution and ``SaveAutoGrades``) and in the feedback
    pipeline. Code cell *sources* are left alone: every template shows them as escaped code.
    """

    enabled = Bool(True)

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)  # the page would load a widget renderer for it
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = markdown_as_clean_block(cell.source)
            cell.pop("attachments", None)
        elif cell.cell_type == "raw":
            cell.source = clean_html(cell.source)
        meta = cell.get("metadata", {}).get("nbgrader")
        if isinstance(meta, dict) and "grade_id" in meta and not GRADE_ID.fullmatch(str(meta["grade_id"])):
            del cell.metadata["nbgrader"]  # cannot be a gradebook cell; would break out of id="…"
        clean_outputs(cell.get("outputs", []))
        return cell, resources


def with_sanitiser(steps: list) -> list:
    """An nbgrader autograde preprocessor list with :class:`SanitiseParticipantWork` placed
    just after ``SaveAutoGrades`` (or at the end if there is none).

    After, not before: nbgrader scores what the kernel produced. It gives an unchanged written
    answer 0 points by its checksum and reads partial credit from outputs, so cleaning first
    would turn every blank written answer into "needs manual grading". The notebook the
    formgrader and feedback show is the one written after the last step, so it is clean.
    """
    from nbgrader.preprocessors import SaveAutoGrades

    steps = [s for s in steps if s is not SanitiseParticipantWork]
    at = steps.index(SaveAutoGrades) + 1 if SaveAutoGrades in steps else len(steps)
    return [*steps[:at], SanitiseParticipantWork, *steps[at:]]


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
    """Problems found in rendered HTML (empty when safe): handlers, script URLs, foreign scripts."""
    scanner = _Scanner()
    scanner.feed(html)
    return scanner.problems


__all__ = ["SanitiseParticipantWork", "clean_html", "clean_markdown", "clean_outputs",
           "markdown_as_clean_block", "unsafe_html", "with_sanitiser"]  # fmt: skip
