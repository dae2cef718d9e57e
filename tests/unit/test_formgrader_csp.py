"""The formgrader's Content-Security-Policy (issue 13): which inline scripts it lets run."""

from __future__ import annotations

import base64
import hashlib

from c4c_lms.lms.csp import policy

STATIC = "http://127.0.0.1:8888/formgrader/static/"
TEMPLATE_SCRIPT = '\nvar submission_id = "abc123";\nvar notebook_id = "ex01";\nvar assignment_id = "ex01";\nvar base_url = "/formgrader";\n'


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def script_sources(value: str) -> list[str]:
    return value.split("script-src", 1)[1].split(";", 1)[0].split()


def test_only_template_scripts_before_the_notebook_are_allowed():
    """Are the formgrader's own inline scripts allowed by hash, while a participant's script,
    one that mimics a template script inside the notebook, and `'unsafe-inline'` are not?"""
    foreign = "fetch('/api/contents')"
    inside = '\nvar submission_id = "other";\nvar notebook_id = "ex01";\nvar assignment_id = "ex01";\nvar base_url = "/x";\n'
    page = (f"<head><script>{TEMPLATE_SCRIPT}</script><script>{foreign}</script></head><body>"
            '<span onclick="toggle_name(true);"></span><span onclick="steal()"></span>'
            f'<div id="notebook-container"><script>{inside}</script></div></body>')  # fmt: skip
    sources = script_sources(policy(page, STATIC))
    assert sources == [STATIC, "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/",
                       *sorted([sha(TEMPLATE_SCRIPT), sha("toggle_name(true);")]), "'unsafe-hashes'"]  # fmt: skip
    assert sha(foreign) not in sources and sha(inside) not in sources and sha("steal()") not in sources


def test_values_outside_id_characters_break_the_shape():
    """Does a template script whose {{ value }} carries a quote or markup lose its hash?"""
    bent = TEMPLATE_SCRIPT.replace("abc123", 'abc"; fetch("/x"); "')
    assert sha(bent) not in script_sources(policy(f"<script>{bent}</script>", STATIC))
    assert script_sources(policy("", STATIC)) == [STATIC, "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/"]
    assert "object-src 'none'" in policy("", STATIC) and "base-uri 'none'" in policy("", STATIC)
