"""Spreadsheet formula injection and feedback HTML scanning."""

from __future__ import annotations

from c4c_lms.lms.feedback import SanitiseStudentContent, StripHiddenTests, unsafe_html
from c4c_lms.core.files import neutralise_formula


def test_formula_prefixes_are_neutralised():
    """Are cells starting with = + - @ tab or CR turned into inert text, numbers untouched?"""
    for evil in ("=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise_formula(evil) == "'" + evil
    assert neutralise_formula("Олена") == "Олена"
    assert neutralise_formula(3.5) == 3.5


def test_scanner_finds_handlers_and_script_urls():
    """Does the feedback scanner catch handlers, javascript: URLs and foreign scripts?"""
    assert unsafe_html('<p>ok</p><script>MathJax.Hub.Config({})</script>') == []
    assert unsafe_html('<img src=x onerror="alert(1)">')
    assert unsafe_html('<a href="javascript:alert(1)">x</a>')
    assert unsafe_html("<script>fetch('/api')</script>")


def test_preprocessors_strip_hidden_tests_and_active_content():
    """Do the feedback preprocessors drop hidden tests, quoting tracebacks and active outputs?"""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_output

    code = new_code_cell("assert x\n### BEGIN HIDDEN TESTS\nassert x == 42\n### END HIDDEN TESTS\n")
    code.outputs = [new_output("error", ename="AssertionError", evalue="",
                               traceback=["assert x == 42  <- hidden line"]),
                    new_output("display_data", data={"text/html": "<b onclick='x()'>b</b>",
                                                      "application/javascript": "alert(1)"})]  # fmt: skip
    md = new_markdown_cell("<script>alert(1)</script>**fine**")
    strip, clean = StripHiddenTests(), SanitiseStudentContent()
    code, _ = clean.preprocess_cell(strip.preprocess_cell(code, {}, 0)[0], {}, 0)
    md, _ = clean.preprocess_cell(md, {}, 1)
    assert "== 42" not in code.source and "== 42" not in "".join(code.outputs[0].traceback)
    assert code.outputs[1].data == {"text/html": "<b>b</b>"}
    assert md.source == "**fine**"
