"""A learner answers a self-check in a real browser, on a module served by a real Voilà."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from modules_nb import MODULES

MODULE = MODULES / "m01_partnerships"


def free_port() -> int:
    """A free local port (tests/conftest.py has one too, but another folder's conftest.py can
    shadow the name ``conftest`` in a full run, so this module does not import it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def voila_module(tmp_path_factory):
    """Module 1 served by a standalone Voilà on a free port."""
    work = tmp_path_factory.mktemp("voila") / MODULE.name
    shutil.copytree(MODULE, work, ignore=shutil.ignore_patterns("my_work", ".ipynb_checkpoints"))
    port = free_port()
    voila = Path(sys.executable).with_name("voila")
    log = (work.parent / "voila.log").open("w")
    proc = subprocess.Popen(
        [str(voila), str(work), f"--port={port}", "--no-browser", "--Voila.ip=127.0.0.1"],
        cwd=work, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base, timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("Voilà did not start within 60 s")
    if proc.poll() is not None:
        pytest.fail("Voilà exited: " + (work.parent / "voila.log").read_text())
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


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
