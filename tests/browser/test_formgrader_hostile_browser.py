"""A hostile written answer opened in the lecturer's formgrader, in Debian's Chromium (issue 13).

Two participants hand in the same hostile notebook: script in the written answer (`<img
onerror>`, `<script>`, a `javascript:` link, SVG `onload`), in a raw HTML cell, and in outputs
(`text/html`, `application/javascript`, `text/markdown`, SVG). Every payload, if it ran, would
mark the page and write a file through the contents API with the lecturer's rights (a control
run of the same payload proves it would). `hostile` is graded by `c4c grade` (the sanitiser
cleans it); `bypass` has its autograded notebook put back to the raw payloads, as if the
sanitiser had missed them all: there only the server's Content-Security-Policy stands between
the payloads and the lecturer. On both pages nothing may run, while the formgrader shows the
scores and saves a manual grade.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from helpers import free_port, run_c4c, stop_process

from c4c_lms.core.config import load_course
from c4c_lms.lms.apps_server import jupyter_env
from c4c_lms.lms.serve import server_command, server_ready

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
TOKEN = "t0ken"


def payload(name: str) -> str:
    """JavaScript (no double quotes) that marks the page and writes ``pwned_<name>.txt``."""
    return (f"window.__pwned=(window.__pwned||[]).concat(['{name}']);"
            f"fetch('/api/contents/pwned_{name}.txt',{{method:'PUT',headers:{{'X-XSRFToken':"
            f"decodeURIComponent((document.cookie.match(/_xsrf=([^;]+)/)||['',''])[1])}},"
            f"body:JSON.stringify({{type:'file',format:'text',content:'pwned'}})}})")  # fmt: skip


WRITTEN = (f'My answer. <img src=x onerror="{payload("img")}">\n\n<script>{payload("script")}</script>\n\n'
           f"[read more](javascript:{payload('link')})\n\n"
           f'<svg onload="{payload("svg")}"><circle r="4"/></svg>\n')
OUT_HTML = '<img src=x onerror="' + payload("out_html") + '">'
OUT_MD = '<img src=y onerror="' + payload("out_md") + '">'
OUT_SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="' + payload("out_svg") + '"/>'
DISPLAYS = ("from IPython.display import HTML, SVG, Javascript, Markdown, display\n"
            f"display(HTML({OUT_HTML!r}))\ndisplay(Javascript({payload('out_js')!r}))\n"
            f"display(Markdown({OUT_MD!r}))\ndisplay(SVG({OUT_SVG!r}))\n")
RAW_CELL = {"cell_type": "raw", "metadata": {"raw_mimetype": "text/html"}, "id": "raw-evil",
            "source": f"<script>{payload('raw')}</script>"}  # fmt: skip


def raw_outputs() -> list[dict]:
    """The outputs of DISPLAYS as a kernel produces them, before any cleaning."""
    def shown(mime, text):
        return {"output_type": "display_data", "metadata": {}, "data": {mime: text, "text/plain": "x"}}
    return [shown("text/html", OUT_HTML), shown("application/javascript", payload("out_js")),
            shown("text/markdown", OUT_MD), shown("image/svg+xml", OUT_SVG)]


@pytest.fixture(scope="module")
def formgrader(tmp_path_factory):
    """A graded course with two hostile submissions and the lecturer's server (`c4c serve`'s
    JupyterLab command line) on it; yields ``(base_url, root, {student: submission notebook id})``."""
    root = tmp_path_factory.mktemp("formgrader") / "course"
    shutil.copytree(REPO / "course", root / "course")
    for name in ("ex01_partners", "ex01_partners_en"):
        shutil.copytree(REPO / "exercises" / name, root / "exercises" / name)
    shutil.copytree(REPO / "modules" / "m01_partnerships", root / "modules" / "m01_partnerships")
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    (root / "roster.csv").write_text(
        "id,first_name_uk,last_name_uk,email,community,oblast,role\n"
        "hostile,Олена,Коваль,h@example.org,Сонячна,UA-53,Секретар\n"
        "bypass,Ірина,Бондар,b@example.org,Сонячна,UA-53,Секретар\n", encoding="utf-8")
    run_c4c(root, "roster", "import", str(root / "roster.csv"), check=True)
    run_c4c(root, "release", "ex01_partners", check=True)
    work = root / "var" / "course"
    release = json.loads((work / "release/ex01_partners/ex01_partners.ipynb").read_text("utf-8"))
    for cell in release["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id == "q1_2_answer":
            cell["source"] = 'answer1_2 = ["energy"]\n' + DISPLAYS
        elif grade_id == "q3_1":
            cell["source"] = WRITTEN
    release["cells"].insert(1, RAW_CELL)
    for student in ("hostile", "bypass"):
        dest = work / "submitted" / student / "ex01_partners"
        dest.mkdir(parents=True)
        (dest / "ex01_partners.ipynb").write_text(json.dumps(release, ensure_ascii=False), "utf-8")
        (dest / "timestamp.txt").write_text("2024-01-19 18:00:00.000000 UTC")
    run_c4c(root, "grade", "ex01_partners", check=True)
    # `bypass`: the autograded notebook as it would be with no sanitiser at all
    graded = work / "autograded/bypass/ex01_partners/ex01_partners.ipynb"
    nb = json.loads(graded.read_text("utf-8"))
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id == "q1_2_answer":
            cell["outputs"] = raw_outputs()
        elif grade_id == "q3_1":
            cell["source"] = WRITTEN
        elif cell.get("id") == RAW_CELL["id"]:
            cell["source"] = RAW_CELL["source"]
    graded.write_text(json.dumps(nb, ensure_ascii=False), "utf-8")

    from nbgrader.api import Gradebook

    course = load_course(root)
    with Gradebook(course.gradebook_url, course_id=course.config.course.id) as gb:
        ids = {s: gb.find_submission_notebook("ex01_partners", "ex01_partners", s).id for s in ("hostile", "bypass")}
    port = free_port()
    env = jupyter_env(dict(os.environ, C4C_COURSE_ROOT=str(root), C4C_LANG="en"))
    log = open(root / "server.log", "w")
    process = subprocess.Popen(server_command(course, port, TOKEN), cwd=root, env=env, stdout=log,
                               stderr=subprocess.STDOUT)  # fmt: skip
    try:
        assert server_ready(port, timeout=90), (root / "server.log").read_text()
        yield f"http://127.0.0.1:{port}", root, ids
    finally:
        stop_process(process)
        log.close()


def manual_score(root: Path, student: str) -> float | None:
    from nbgrader.api import Gradebook

    course = load_course(root)
    with Gradebook(course.gradebook_url, course_id=course.config.course.id) as gb:
        return gb.find_grade("q3_1", "ex01_partners", "ex01_partners", student).manual_score


@pytest.mark.parametrize("student", ["hostile", "bypass"])
def test_nothing_hostile_runs_in_the_formgrader(browser, formgrader, student):
    """Does the formgrade page of a hostile answer run none of its scripts (no mark, no file
    written through the contents API), while scores show and a manual grade is saved?"""
    base, root, ids = formgrader
    page = browser.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    # offline like the course machine: MathJax's CDN (allowed by the policy) is not reachable
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
    page.goto(f"{base}/login?token={TOKEN}&next=%2Fapi%2Fstatus")  # signed in, as the lecturer is
    response = page.goto(f"{base}/formgrader/submissions/{ids[student]}/", wait_until="domcontentloaded")
    assert response.status == 200
    policy = response.headers["content-security-policy"]
    assert "script-src" in policy and "'unsafe-inline'" not in policy and "'self'" not in policy.split("script-src")[1].split(";")[0]
    # the formgrader's own scripts ran: they fetched the grades and filled the score boxes
    # (automatic scores are the boxes' placeholders; polled from here: the policy forbids
    # Playwright's own eval-based waiting)
    deadline = time.monotonic() + 30
    while not page.get_attribute("#q1_2", "placeholder") and time.monotonic() < deadline:
        time.sleep(0.3)
    assert page.get_attribute("#q1_2", "placeholder") == "1" and page.get_attribute("#q1_1", "placeholder") == "0"
    assert "My answer." in page.inner_text("#notebook-container")
    # a manual grade is saved through the formgrader's API
    page.fill("#q3_1", "2")
    page.press("#q3_1", "Tab")
    deadline = time.monotonic() + 20
    while manual_score(root, student) != 2.0 and time.monotonic() < deadline:
        time.sleep(0.3)
    assert manual_score(root, student) == 2.0
    container = page.locator("#notebook-container")
    if student == "hostile":  # cleaned before the page was built: nothing active is even there
        assert container.locator("script").count() == 0
        assert container.locator("a[href^='javascript:']").count() == 0
        assert page.evaluate("""() => [...document.querySelectorAll('#notebook-container *')]
            .filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length""") == 0
    else:  # the payloads are in the page (a click on the link too); the policy refused them
        assert container.locator("script").count() >= 1  # (outputs: nbconvert cleans them too, sanitize_html)
        container.locator("a[href^='javascript:']").first.click()
    page.wait_for_timeout(1500)  # time for any handler or fetch to fire
    assert page.evaluate("window.__pwned === undefined")
    assert sorted(p.name for p in root.glob("pwned_*")) == []
    if student == "bypass":
        refused = [line for line in console if "Content Security Policy" in line]
        assert len(refused) >= 4, console  # inline scripts, handlers and the javascript: link
    # control: the same payload, run with the page's rights, does mark the page and write a file
    page.evaluate(payload(f"control_{student}"))
    deadline = time.monotonic() + 10
    while not (root / f"pwned_control_{student}.txt").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (root / f"pwned_control_{student}.txt").is_file()
    (root / f"pwned_control_{student}.txt").unlink()
    page.close()


@pytest.mark.parametrize("path, shows", [
    ("/formgrader/manage_assignments", "ex01_partners"),
    ("/formgrader/gradebook/ex01_partners/ex01_partners", "Submission #2"),  # names hidden
    ("/formgrader/manage_students", "bypass"),
    ("/formgrader/manage_students/hostile/ex01_partners", "ex01_partners"),
])  # fmt: skip
def test_other_formgrader_pages_still_work_under_the_policy(browser, formgrader, path, shows):
    """Do the formgrader's lists (built by its own scripts) still fill in under the policy,
    with no script refused?"""
    base, _root, _ids = formgrader
    page = browser.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
    page.goto(f"{base}/login?token={TOKEN}&next=%2Fapi%2Fstatus")
    response = page.goto(base + path, wait_until="domcontentloaded")
    assert "script-src" in response.headers["content-security-policy"]
    deadline = time.monotonic() + 30
    while shows not in page.inner_text("body") and time.monotonic() < deadline:
        time.sleep(0.3)
    assert shows in page.inner_text("body")
    assert [line for line in console if "Content Security Policy" in line] == []
    page.close()
