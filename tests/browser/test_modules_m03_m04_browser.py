"""Module m03 and m04 rendered by a real Voilà server in headless Chromium: do the widgets respond?"""

from __future__ import annotations

import re

import pytest

#: A standalone Voilà over the repository (the fixture of the apps' browser tests).

pytestmark = [pytest.mark.browser, pytest.mark.slow]

M03 = "/voila/render/modules/m03_eu_programmes/m03_eu_programmes.ipynb"
M04_EN = "/voila/render/modules/m04_cases/m04_cases_en.ipynb"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


def count_text(page) -> str:
    return page.locator(".c4c-programme-explorer").first.inner_text()


def test_m03_explorer_filters_live_and_selfcheck_answers(page, voila_url):
    """In the Ukrainian m03, does choosing a theme shrink the live table and does a self-check explain?"""
    page.goto(voila_url + M03)
    explorer = page.locator(".c4c-programme-explorer")
    explorer.wait_for(state="visible", timeout=120_000)
    before = re.search(r"Знайдено програм: (\d+) із (\d+)", count_text(page))
    assert before and before.group(1) == before.group(2)
    rows_before = page.locator(".c4c-programme-table tr").count()
    theme = explorer.locator("select").first
    theme.select_option(label="Культура і спадщина" if "Культура і спадщина" in theme.inner_text()
                        else theme.locator("option").nth(2).inner_text())
    page.wait_for_function(
        "() => !/Знайдено програм: (\\d+) із \\1\\b/.test("
        "document.querySelector('.c4c-programme-explorer').innerText)")
    after = re.search(r"Знайдено програм: (\d+) із (\d+)", count_text(page))
    assert 0 < int(after.group(1)) < int(after.group(2))
    # the count and the table are two widgets, updated by two messages from the kernel
    page.wait_for_function(f"() => document.querySelectorAll('.c4c-programme-table tr').length < {rows_before}")
    question = page.locator(".c4c-q-m03_q1")
    question.get_by_text("9 січня 2024").click()
    question.locator(".c4c-check").click()
    feedback = question.locator(".c4c-feedback-correct")
    feedback.wait_for(state="visible")
    assert "3714-IX" in feedback.inner_text()


def test_m04_case_explorer_follows_country(page, voila_url):
    """In the English m04, does filtering the case explorer by Sweden show a Swedish partnership card?"""
    page.goto(voila_url + M04_EN)
    explorer = page.locator(".c4c-case-explorer")
    explorer.wait_for(state="visible", timeout=120_000)
    assert "Source" in explorer.locator(".c4c-case-output").inner_text()
    explorer.locator("select").nth(1).select_option(label="Sweden")
    page.wait_for_function(
        "() => document.querySelector('.c4c-case-output').innerText.includes('Sweden')")
    assert "Sweden" in explorer.locator(".c4c-case-output").inner_text()
