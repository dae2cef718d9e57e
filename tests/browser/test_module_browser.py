"""A learner answers a self-check in a real browser, on a module served by a real Voilà."""

from __future__ import annotations

import shutil

import pytest
from helpers import voila_server
from modules_nb import MODULES

MODULE = MODULES / "m01_partnerships"


@pytest.fixture(scope="module")
def voila_module(tmp_path_factory):
    """Module 1 served by a standalone Voilà (the shared helper) from a copy of its folder."""
    work = tmp_path_factory.mktemp("voila") / MODULE.name
    shutil.copytree(MODULE, work, ignore=shutil.ignore_patterns("my_work", ".ipynb_checkpoints"))
    with voila_server(root=work, log_path=work.parent / "voila.log") as base:
        yield base


@pytest.mark.browser
@pytest.mark.slow
def test_self_checks_in_browser(browser, voila_module):
    """Do a choice question and an ordering task give instant feedback in the rendered module?"""
    page = browser.new_page()
    try:
        page.goto(f"{voila_module}/voila/render/m01_partnerships_en.ipynb", timeout=90_000)
        q = page.locator(".c4c-q-m01_q3")
        q.wait_for(timeout=90_000)
        q.locator("label", has_text="Verkhovna Rada").click()
        q.locator(".c4c-check").click()
        wrong = q.locator(".c4c-feedback-wrong")
        wrong.wait_for(timeout=15_000)
        assert "Parliament does not approve" in wrong.inner_text()
        q.locator("label", has_text="Ministry for Development").click()
        q.locator(".c4c-check").click()
        right = q.locator(".c4c-feedback-correct")
        right.wait_for(timeout=15_000)
        assert "Correct!" in right.inner_text()
        assert "Ministry of Justice" in right.inner_text()

        task = page.locator(".c4c-q-m01_q2")
        rows = task.locator(".c4c-order-row")
        moved = rows.nth(1).inner_text().split(". ", 1)[1]
        rows.nth(1).locator(".c4c-up").click()
        page.wait_for_function(
            "([sel, text]) => document.querySelector(sel).innerText.includes(text)",
            arg=[".c4c-q-m01_q2 .c4c-order-row", moved], timeout=15_000)
        task.locator(".c4c-check").click()
        page.wait_for_function(
            "sel => document.querySelector(sel).innerText.trim().length > 0",
            arg=".c4c-q-m01_q2 .c4c-feedback", timeout=15_000)
        assert "of 8 are in place" in task.locator(".c4c-feedback").inner_text() or \
            "All steps" in task.locator(".c4c-feedback").inner_text()
    finally:
        page.close()
