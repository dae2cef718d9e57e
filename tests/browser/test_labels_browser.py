"""No truncated labels: every app, in Ukrainian and in English, served as `c4c serve` serves it
(the course's Voilà template), has no visible label, button or description whose text is wider
than its box ("Створити фай…", "Тип головного заявн…")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import free_port, stop_process, wait_ready

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
APPS = sorted(p.parent.name for p in (REPO / "voila_apps").glob("*/index.ipynb"))
OVERFLOWING = """() => [...document.querySelectorAll(
    '.widget-label, .jupyter-button, .widget-toggle-button, .widget-dropdown select, label')]
  .filter(e => e.offsetParent && e.textContent.trim() && e.scrollWidth > e.clientWidth + 1)
  .map(e => `${e.textContent.trim()} (${e.scrollWidth} px in ${e.clientWidth} px)`)"""


@pytest.fixture(scope="module")
def apps_url(tmp_path_factory):
    from c4c_lms.lms.apps_server import jupyter_env

    port = free_port()
    env = jupyter_env()
    env["C4C_AUTOSAVE_DIR"] = str(tmp_path_factory.mktemp("autosave"))
    proc = subprocess.Popen([sys.executable, "-m", "c4c_lms.lms.apps_server", str(REPO), f"--port={port}",
                             "--pool-size=0"], cwd=REPO, env=env, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_ready(f"http://127.0.0.1:{port}/", proc)
        yield f"http://127.0.0.1:{port}/voila/render/voila_apps"
    finally:
        stop_process(proc)


@pytest.mark.parametrize("app", APPS)
def test_no_truncated_labels_in_either_language(browser, apps_url, app):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{apps_url}/{app}/index.ipynb")
    page.wait_for_selector(".c4c-ready", timeout=120_000)
    found = {"uk": page.evaluate(OVERFLOWING)}
    page.click(".c4c-lang button:has-text('English')")
    page.wait_for_timeout(1500)  # the switch redraws every label
    found["en"] = page.evaluate(OVERFLOWING)
    page.close()
    assert found == {"uk": [], "en": []}
