"""A participant opens a module in JupyterLab (the server `make run` starts) and uses a widget."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from helpers import free_port, stop_process

from c4c_lms.core.config import load_course
from c4c_lms.lms.serve import server_command, server_ready

NOTEBOOK = "modules/m01_partnerships/m01_partnerships_en.ipynb"


@pytest.fixture(scope="module")
def lab(repo, tmp_path_factory):
    """JupyterLab with the course's serve settings, exposing the app object to the test."""
    port = free_port()
    work = tmp_path_factory.mktemp("lab")
    env = dict(os.environ, C4C_WORKDIR=str(work / "course"), C4C_COURSE_ROOT=str(repo),
               JUPYTER_CONFIG_DIR=str(work / "config"), JUPYTER_RUNTIME_DIR=str(work / "runtime"))
    # Serve a copy: JupyterLab autosaves open notebooks, and the committed ones must stay clean.
    root = work / "root"
    shutil.copytree(repo / "modules", root / "modules", ignore=shutil.ignore_patterns("my_work"))
    command = server_command(load_course(repo), port, "t0ken") + ["--LabApp.expose_app_in_browser=True"]
    command = [f"--ServerApp.root_dir={root}" if c.startswith("--ServerApp.root_dir=") else c
               for c in command]  # fmt: skip
    log = (work / "lab.log").open("w")
    process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        assert server_ready(port, timeout=120), (work / "lab.log").read_text()[-2000:]
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(process, timeout=20)
        log.close()


@pytest.mark.browser
@pytest.mark.slow
def test_module_widgets_respond_in_jupyterlab(browser, lab):
    """Run all cells of module 1 in JupyterLab: does a self-check answer with feedback?"""
    page = browser.new_page()
    try:
        page.goto(f"{lab}/lab/tree/{NOTEBOOK}?token=t0ken&reset", timeout=120_000)
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
                               "&& window.jupyterapp.shell.currentWidget.sessionContext", timeout=120_000)
        page.evaluate("""async () => {
            const app = window.jupyterapp;
            const panel = app.shell.currentWidget;
            await panel.sessionContext.ready;
            await app.commands.execute('notebook:run-all-cells');
        }""")
        question = page.locator(".c4c-q-m01_q3")
        question.wait_for(timeout=180_000)
        question.scroll_into_view_if_needed()
        question.locator("label", has_text="Verkhovna Rada").click()
        question.locator(".c4c-check").click()
        wrong = question.locator(".c4c-feedback-wrong")
        wrong.wait_for(timeout=30_000)
        assert "Parliament does not approve" in wrong.inner_text()
        question.locator("label", has_text="Ministry for Development").click()
        question.locator(".c4c-check").click()
        question.locator(".c4c-feedback-correct").wait_for(timeout=30_000)
    finally:
        page.close()
