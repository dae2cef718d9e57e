"""`c4c serve` as participants meet it: every page loads with no request leaving the machine,
the addresses are printed only once the servers answer, and a taken port is reported with the
`PORT=` to use (through the real `make run` too)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from helpers import free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
APPS = sorted(p.parent.name for p in (REPO / "voila_apps").glob("*/index.ipynb"))


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`c4c serve` on a free port pair; yields (port, printed URLs, output lines so far)."""
    port = free_port()  # with port + 1 free too: the course uses both
    env = dict(os.environ, C4C_WORKDIR=str(tmp_path_factory.mktemp("work")), C4C_TOKEN="t0ken",
               C4C_LANG="en", C4C_AUTOSAVE_DIR=str(tmp_path_factory.mktemp("autosave")))  # fmt: skip
    process = subprocess.Popen([sys.executable, "-m", "c4c_lms", "serve", "--port", str(port)],
                               cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)  # fmt: skip
    lines: list[str] = []
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "project_planner" in line:  # the last address printed
                break
        urls = dict(re.findall(r"^\s+(.+?): (http://\S+)$", "".join(lines), re.M))
        assert urls, f"no addresses printed:\n{''.join(lines)}"
        yield port, urls, lines
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()


def test_urls_are_printed_once_the_servers_answer(served):
    """Does every printed address answer at once (they are printed only when both servers do)?"""
    port, urls, _ = served
    assert len(urls) == 2 + len(APPS)
    for url in urls.values():
        with urllib.request.urlopen(url, timeout=5) as response:  # no waiting: it must answer now
            assert response.status == 200
    assert any(f"127.0.0.1:{port + 1}/voila/render/voila_apps/" in u for u in urls.values())


def test_taken_port_is_reported_with_port_to_use(served):
    """Does a second `c4c serve` and `make run` on the taken port say so and name PORT=...?"""
    port, _, _ = served
    env = dict(os.environ, C4C_LANG="en")
    result = subprocess.run([sys.executable, "-m", "c4c_lms", "serve", "--port", str(port)], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2
    assert f"Port {port} is already taken" in result.stdout and "PORT=" in result.stdout
    assert "The course is running" not in result.stdout and "http://" not in result.stdout
    # The real `make run` (what the README says to type), in Ukrainian.
    if (REPO / ".venv" / "bin" / "c4c").exists():
        made = subprocess.run(["make", "-s", "run", f"PORT={port}"], cwd=REPO, capture_output=True,
                              text=True, timeout=120, env=dict(os.environ, C4C_LANG="uk"))  # fmt: skip
        assert made.returncode != 0
        assert f"Порт {port} уже зайнятий" in made.stdout and "make run PORT=" in made.stdout
        assert "Курс запущено" not in made.stdout
        # The apps' port (PORT+1) counts too.
        made = subprocess.run(["make", "-s", "run", f"PORT={port - 1}"], cwd=REPO, capture_output=True,
                              text=True, timeout=120, env=dict(os.environ, C4C_LANG="en"))  # fmt: skip
        assert made.returncode != 0 and f"Port {port} is already taken" in made.stdout


def pages(port: int, urls: dict[str, str]) -> list[tuple[str, str]]:
    """(address, what to wait for) of every kind of page the course serves."""
    apps = f"http://127.0.0.1:{port + 1}"
    found = [(url, ".c4c-ready") for name, url in urls.items() if "voila/render" in url]
    found += [
        (f"{apps}/voila/render/modules/m01_partnerships/m01_partnerships.ipynb", ".jp-RenderedHTMLCommon"),
        (f"{apps}/voila/render/modules/m03_eu_programmes/m03_eu_programmes_en.ipynb", ".jp-RenderedHTMLCommon"),
        (f"http://127.0.0.1:{port}/lab/tree/modules?token=t0ken", ".jp-DirListing-item"),
        (f"http://127.0.0.1:{port}/formgrader?token=t0ken", "body"),
        (f"http://127.0.0.1:{port}/voila/render/voila_apps/partner_finder/index.ipynb?token=t0ken", ".c4c-ready"),
    ]  # fmt: skip
    return found


def test_no_request_leaves_the_machine(browser, served):
    """Does every page (apps, module pages, JupyterLab, formgrader, the report) load with every
    request on loopback, and Font Awesome come from the course's own server?"""
    port, urls, _ = served
    offsite: list[str] = []
    failed: list[str] = []
    for url, ready in pages(port, urls):
        context = browser.new_context(viewport={"width": 1300, "height": 900})
        seen: list[str] = []
        context.on("request", lambda r, seen=seen: seen.append(r.url))
        context.on("requestfailed", lambda r: failed.append(r.url))
        page = context.new_page()
        page.goto(url, timeout=90_000)
        page.wait_for_selector(ready, timeout=90_000, state="attached")
        page.wait_for_timeout(2000)  # late requests: fonts, lazy chunks, MathJax
        offsite += [f"{url} -> {u}" for u in seen
                    if urlparse(u).scheme in ("http", "https", "ws", "wss")
                    and urlparse(u).hostname not in LOCAL_HOSTS]  # fmt: skip
        if "voila_apps" in url:
            assert any("/static/fontawesome_free/css/all.min.css" in u for u in seen), url
        context.close()
    assert offsite == []
    assert [u for u in failed if "fontawesome" in u] == []
    with urllib.request.urlopen(f"http://127.0.0.1:{port + 1}/static/fontawesome_free/webfonts/"
                                "fa-solid-900.woff2", timeout=5) as response:  # fmt: skip
        assert response.status == 200 and len(response.read()) > 10_000
