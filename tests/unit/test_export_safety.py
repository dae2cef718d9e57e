"""Spreadsheet formula injection and feedback HTML scanning."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from c4c_lms.core.files import neutralise_formula
from c4c_lms.lms.feedback import StripHiddenTests, unsafe_html
from c4c_lms.lms.grading.sanitise import SanitiseParticipantWork, markdown_as_clean_block

FIXTURE = Path(__file__).resolve().parents[1] / "files" / "course101"


def test_formula_prefixes_are_neutralised():
    """Are cells starting with = + - @ tab or CR turned into inert text, numbers untouched?"""
    for evil in ("=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise_formula(evil) == "'" + evil
    assert neutralise_formula("Олена") == "Олена"
    assert neutralise_formula(3.5) == 3.5


@pytest.mark.parametrize("text, safe", [
    ("Bondar;=1+2;", "Bondar;'=1+2;"),  # the roster name, for ";"-separated spreadsheets
    ("Koval, =HYPERLINK(\"http://x\")", "Koval, '=HYPERLINK(\"http://x\")"),
    ("a\t@SUM(A1)", "a\t'@SUM(A1)"),
    ("x;  +cmd|' /C calc'!A0", "x;  '+cmd|' /C calc'!A0"),
    ("=1;-2", "'=1;'-2"),
    ("-2.50", "-2.50"),  # a number written as text stays a number
    ("Smith-Jones; O'Neil", "Smith-Jones; O'Neil"),
])  # fmt: skip
def test_formulas_after_separators_are_neutralised(text, safe):
    """Is a formula trigger after , ; or tab (a new cell for a spreadsheet splitting there)
    neutralised too, while plain numbers and names with hyphens stay as they are?"""
    assert neutralise_formula(text) == safe


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's add_submission itself
def test_grade_export_neutralises_hostile_roster_names(tmp_path):
    """Does `c4c export grades` (all three layouts) write the roster name `Bondar;=1+2;` and a
    first name `=Iryna,+1` inert, for comma- and semicolon-separated spreadsheets alike?"""
    from nbgrader.api import Gradebook

    from c4c_lms.core.config import load_course
    from c4c_lms.lms.export import export_grades
    from c4c_lms.lms.roster import import_roster
    from c4c_lms.lms.workspace import prepare

    root = tmp_path / "c"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("submissions"))
    roster = (root / "roster.csv").read_text("utf-8").replace("iryna,Ірина,Бондар,", 'iryna,"=Ірина,+1","Бондар;=1+2;",')
    (root / "roster.csv").write_text(roster, "utf-8")
    course = load_course(root)
    import_roster(course, root / "roster.csv")
    prepare(course)
    with Gradebook(course.gradebook_url, course_id=course.config.course.id) as gb:
        gb.add_submission("ps1", "iryna")
    for fmt in ("csv", "moodle", "canvas"):
        export_grades(course, fmt, tmp_path / f"{fmt}.csv")
        text = (tmp_path / f"{fmt}.csv").read_text("utf-8-sig")
        cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
        for delimiter in (",", ";", "\t"):  # however a spreadsheet splits the file, no cell is a formula
            for line in text.splitlines():
                for cell in line.split(delimiter):
                    assert not cell.strip(' "').startswith(("=", "+", "@")), (fmt, delimiter, cell)
        assert any("Bondar;'=1+2;" in c for c in cells) and any("'=Iryna,'+1" in c for c in cells), cells


def test_link_csv_and_workbooks_neutralise_text_cells(tmp_path):
    """Are the hub's sign-in links CSV and the planner's XLSX/CSV exports neutralised (openpyxl
    would store a text starting with "=" as a live formula)?"""
    import sys

    from openpyxl import load_workbook

    from c4c_lms.content import planner_export
    from c4c_lms.hub.links import write_links

    write_links(tmp_path / "links.csv", [{"id": "iryna", "name": "Bondar;=1+2;", "email": "=x@y",
                                          "link": "https://hub/x", "valid_until": "2026-12-01"}])  # fmt: skip
    row = list(csv.DictReader(io.StringIO((tmp_path / "links.csv").read_text("utf-8-sig"))))[0]
    assert (row["name"], row["email"], row["link"]) == ("Bondar;'=1+2;", "'=x@y", "https://hub/x")
    sys.path.insert(0, str(Path(__file__).parent / "apps"))
    from planner_sample import sample_project

    project = sample_project()
    project["budget"]["lines"][0]["description"] = '=HYPERLINK("http://x","windows")'
    project["logframe"]["indicators"][0]["text"] = "@SUM(A1)"
    budget = load_workbook(io.BytesIO(planner_export.budget_xlsx(project, "en")))
    logframe = load_workbook(io.BytesIO(planner_export.logframe_xlsx(project, "en")))
    cells = [c for wb in (budget, logframe) for ws in wb for row in ws.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []  # no formula anywhere
    values = {c.value for c in cells}
    assert "'=HYPERLINK(\"http://x\",\"windows\")" in values and "'@SUM(A1)" in values


def test_scanner_finds_handlers_and_script_urls():
    """Does the feedback scanner catch handlers, javascript: URLs and foreign scripts?"""
    assert unsafe_html('<p>ok</p><script>MathJax.Hub.Config({})</script>') == []
    assert unsafe_html('<img src=x onerror="alert(1)">')
    assert unsafe_html('<a href="javascript:alert(1)">x</a>')
    assert unsafe_html("<script>fetch('/api')</script>")


def test_preprocessors_strip_hidden_tests_and_active_content():
    """Do the pipeline's preprocessors drop hidden tests, quoting tracebacks and active content
    (markdown rendered and cleaned, outputs allow-listed, raw HTML cleaned)?"""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_output, new_raw_cell

    code = new_code_cell("assert x\n### BEGIN HIDDEN TESTS\nassert x == 42\n### END HIDDEN TESTS\n")
    code.outputs = [new_output("error", ename="AssertionError", evalue="",
                               traceback=["assert x == 42  <- hidden line"]),
                    new_output("display_data", data={"text/html": "<b onclick='x()'>b</b>",
                                                      "application/javascript": "alert(1)"}),
                    new_output("display_data", data={"text/markdown": "<img src=x onerror=alert(1)>*md*",
                                                      "image/svg+xml": "<svg onload='alert(1)'/>"}),
                    new_output("display_data", data={"image/png": 'AAAA" onerror="alert(1)'},
                               metadata={"filenames": {"image/png": "/files/source/x.png"}})]  # fmt: skip
    md = new_markdown_cell("<script>alert(1)</script>\n\n**fine**\n\n```\na < b\n\nc\n```\n\n[x](javascript:alert(1))")
    raw = new_raw_cell("<script>alert(1)</script><p>raw</p>", metadata={"raw_mimetype": "text/html"})
    strip, clean = StripHiddenTests(), SanitiseParticipantWork()
    code, _ = clean.preprocess_cell(strip.preprocess_cell(code, {}, 0)[0], {}, 0)
    md, _ = clean.preprocess_cell(md, {}, 1)
    raw, _ = clean.preprocess_cell(raw, {}, 2)
    assert "== 42" not in code.source and "== 42" not in "".join(code.outputs[0].traceback)
    assert code.outputs[1].data == {"text/html": "<b>b</b>"}
    assert code.outputs[2].data == {"text/html": '<p><img src="x"><em>md</em></p>\n'}
    assert code.outputs[3].data == {"text/plain": "[output removed]"} and code.outputs[3].metadata == {}
    # what nbgrader's formgrade template makes of the cleaned cell: cleaned HTML, layout kept
    shown = markdown2html_mistune(md.source)
    assert unsafe_html(shown) == [] and "<strong>fine</strong>" in shown and "alert" not in shown
    assert "<pre><code>a &lt; b&#10;&#10;c&#10;</code></pre>" in shown
    assert markdown_as_clean_block(md.source) == md.source  # cleaning again changes nothing
    assert raw.source == "<p>raw</p>"


def test_sanitiser_runs_after_scoring_and_before_the_notebook_is_written():
    """Is the sanitiser in `c4c grade`'s pipeline right after nbgrader's SaveAutoGrades (so a
    blank written answer still scores 0 by its checksum) and so before the file is written?"""
    from nbgrader.preprocessors import SaveAutoGrades

    from c4c_lms.core.config import load_course
    from c4c_lms.lms.grading.batch import sandbox_config

    steps = sandbox_config(load_course(FIXTURE)).Autograde.autograde_preprocessors
    assert steps.count(SanitiseParticipantWork) == 1
    assert steps.index(SanitiseParticipantWork) == steps.index(SaveAutoGrades) + 1
