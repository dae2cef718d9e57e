"""The feedback page of a half-done submission, graded by the real chain and read in Chromium.

A copy of the course, exercise 1 released by `c4c release`, one half-done submission per language
(a visible check failing with its own message, a wrong value only hidden tests catch, a missing
answer, a pandas table in an answer's output, an empty written answer), `c4c grade`, then
`c4c feedback`; the page is opened in Debian's Chromium with every request recorded.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import run_c4c

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
ANSWERS = {
    "q1_1_answer": 'my_community = "Сонячна"\nmy_population = 24000',  # Cyrillic: a visible check fails
    "q1_2_answer": 'answer1_2 = ["energy"]',  # right
    # wrong country (only a hidden test knows), and a table shown below the answer
    "q2_1_answer": 'answer2_1 = len(candidates[candidates["country"] == "PL"])\n'
                   'candidates[candidates["country"] == "SE"].head(3)',
    "q2_3_answer": 'answer2_3 = "Sindelfingen"',  # right
    "q2_4_answer": 'answer2_4 = "A"',  # wrong letter
}  # q2_2 keeps `raise NotImplementedError()`; the written answer stays unchanged
LABELS = {
    "uk": {"summary": "Підсумок", "answer": "Ваша відповідь", "check": "Перевірка",
           "review": "Що переглянути", "latin": "латиницею", "missing": "NotImplementedError()",
           "total": "Результат: 2 з 10 балів"},
    "en": {"summary": "Summary", "answer": "Your answer", "check": "Check",
           "review": "What to review", "latin": "Latin", "missing": "NotImplementedError()",
           "total": "Score: 2 of 10 points"},
}  # fmt: skip
NBGRADER_LABELS = ("Test cell", "Student's answer", "Comments:", "{points:", "Traceback")


@pytest.fixture(scope="module")
def feedback_pages(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("feedback") / "course"
    shutil.copytree(REPO / "course", root / "course")
    for name in ("ex01_partners", "ex01_partners_en"):
        shutil.copytree(REPO / "exercises" / name, root / "exercises" / name)
    shutil.copytree(REPO / "modules" / "m01_partnerships", root / "modules" / "m01_partnerships")
    (root / "roster.csv").write_text(
        "id,first_name_uk,last_name_uk,email,community,oblast,role\n"
        "half_uk,Олена,Коваль,uk@example.org,Сонячна,UA-53,Секретар\n"
        "half_en,Ірина,Бондар,en@example.org,Сонячна,UA-53,Секретар\n", encoding="utf-8")
    run_c4c(root, "roster", "import", str(root / "roster.csv"), check=True)
    run_c4c(root, "release", "ex01_partners", check=True)
    work = root / "var" / "course"
    for student, assignment in (("half_uk", "ex01_partners"), ("half_en", "ex01_partners_en")):
        nb = json.loads((work / "release" / assignment / f"{assignment}.ipynb").read_text("utf-8"))
        for cell in nb["cells"]:
            grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if grade_id in ANSWERS:
                cell["source"] = ANSWERS[grade_id]
        dest = work / "submitted" / student / assignment
        dest.mkdir(parents=True)
        (dest / f"{assignment}.ipynb").write_text(json.dumps(nb, ensure_ascii=False), "utf-8")
        (dest / "timestamp.txt").write_text("2024-01-19 18:00:00.000000 UTC")
    run_c4c(root, "grade", "ex01_partners", check=True)
    run_c4c(root, "feedback", "ex01_partners", check=True)
    return {"uk": work / "feedback/half_uk/ex01_partners/ex01_partners.html",
            "en": work / "feedback/half_en/ex01_partners_en/ex01_partners_en.html"}


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_half_done_feedback_page(browser, feedback_pages, lang):
    """Does the page open with a summary, tables as tables, labels and hints in the participant's
    language, no nbgrader markers, no hidden test code and no request leaving the machine?"""
    path, words = feedback_pages[lang], LABELS[lang]
    raw = path.read_text("utf-8")
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    text = page.inner_text("body")
    assert page.locator("html").get_attribute("lang") == lang
    # the summary comes first: score, a row per question, then what to review
    assert page.locator("h2").first.inner_text() == words["summary"]
    assert words["total"] in text
    rows = page.locator("table.summary tbody tr")
    assert rows.count() == 7  # 6 autograded questions and the written answer
    statuses = [rows.nth(i).locator("td").nth(2).get_attribute("class") for i in range(7)]
    assert statuses.count("ok") == 2 and statuses.count("bad") == 5
    review = page.locator("header ul li")
    assert review.count() == 5
    review_text = review.all_inner_texts()
    assert any(words["latin"] in item for item in review_text)  # the visible check's own hint
    assert any(words["missing"] in item for item in review_text)  # the missing answer
    assert all(item.split(":", 1)[1].strip() for item in review_text)  # every item has a hint
    assert page.locator("header a[href*='m01_partnerships']").count() == 1
    # the participant's pandas table is a table with header cells and rows, not literal tags
    table = page.locator(".output table").first
    assert table.locator("th").count() >= 5 and table.locator("tbody tr").count() == 3
    assert "<thead>" not in text and "<td>" not in text
    assert text.count(words["answer"]) >= 6 and text.count(words["check"]) >= 6
    for label in NBGRADER_LABELS:
        assert label not in text, label
    # never the hidden tests, nor test code at all
    for secret in ("HIDDEN TESTS", "_c4c_want", "== 6", "assert ", "_c4c_saved"):
        assert secret not in raw, secret
    assert requests == [path.as_uri()]  # a self-contained page: nothing else is fetched
    page.close()
