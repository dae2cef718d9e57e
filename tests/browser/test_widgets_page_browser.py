"""The course's page script (c4c_lms/lms/widgets_page): a page carries its widgets' recorded
states, shows them before the kernel's connection is open, then takes what the kernel changed
since -- without losing what the visitor typed meanwhile."""

from __future__ import annotations

import json
import re
import urllib.request

import nbformat
import pytest
from helpers import voila_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# A value the kernel changes one second after the page was rendered (a thread, as an app's
# background task would), a field the visitor types into, and the kernel's echo of it.
SOURCE = """\
import threading
import ipywidgets as w
late = w.IntText(value=1, description="late")
typed = w.Text(value="", description="typed")
echo = w.Label(value="waiting")
# text that would end or bend a <script> element holding the states, were it not escaped
trap = w.Label(value="</script><!--<script>document.title='bent'</script>")
typed.observe(lambda change: setattr(echo, "value", "got " + change["new"]), "value")
threading.Timer(1.0, lambda: setattr(late, "value", 2)).start()
w.VBox([late, typed, echo, trap])
"""
VIEW = re.compile(r'<script type="application/vnd.jupyter.widget-view\+json">(.*?)</script>', re.S)
STATE = re.compile(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def page_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("widgets_page")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SOURCE)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "late.ipynb")
    with voila_server(root=root, log_path=root.parent / "voila.log") as base:
        yield f"{base}/voila/render/late.ipynb"


def test_the_page_carries_its_widgets_states_and_runs_no_inline_script(page_url):
    html = urllib.request.urlopen(page_url, timeout=120).read().decode("utf-8")
    views = [json.loads(v)["model_id"] for v in VIEW.findall(html)]
    state = json.loads(STATE.search(html).group(1))["state"]
    assert len(views) == 1 and views[0] in state
    names = {entry["model_name"] for entry in state.values()}
    assert any(str(e["state"].get("value", "")).startswith("</script><!--<script>") for e in state.values())
    assert {"VBoxModel", "IntTextModel", "TextModel", "LabelModel"} <= names
    scripts = re.findall(r"<script([^>]*)>", html)
    executable = [s for s in scripts if "application/" not in s]
    assert executable == [' type="module" src="/voila/templates/c4c/static/page/page.js"']


def test_widgets_show_while_the_kernel_cannot_be_reached(browser, page_url):
    page = browser.new_page()
    page.route_web_socket(re.compile(r".*/api/kernels/.*"), lambda ws: None)  # never connects
    page.goto(page_url)
    page.wait_for_selector("body[data-c4c-widgets='shown']", timeout=60_000)
    assert page.locator(".widget-inline-hbox input[type='number']").input_value() == "1"
    assert page.get_by_text("</script><!--<script>document.title='bent'</script>").count() == 1
    assert page.title() != "bent"
    page.close()


class HeldSocket:
    """The page's kernel websocket, held back: what the page sends waits here, and the socket
    reaches the server only on :meth:`release` (so the server has no connection to send the
    kernel's changes to before then)."""

    def __init__(self):
        self.route, self.waiting = None, []

    def __call__(self, route):
        self.route = route
        route.on_message(lambda message: self.waiting.append(message))

    def release(self):
        server = self.route.connect_to_server()  # server -> page is forwarded by Playwright
        while self.waiting:
            server.send(self.waiting.pop(0))
        self.route.on_message(lambda message: server.send(message))
        while self.waiting:
            server.send(self.waiting.pop(0))


def test_kernel_changes_after_the_record_and_the_visitors_typing_both_survive(browser, page_url):
    page = browser.new_page()
    held = HeldSocket()
    page.route_web_socket(re.compile(r".*/api/kernels/.*"), lambda route: held(route))
    page.goto(page_url)
    page.wait_for_selector("body[data-c4c-widgets='shown']", timeout=60_000)
    page.locator(".widget-text input[type='text']").fill("hello")
    page.wait_for_timeout(2500)  # the kernel's timer has changed `late` meanwhile
    assert held.route is not None, "the page never tried to reach its kernel"
    held.release()
    page.wait_for_selector("body[data-c4c-widgets='ready']", timeout=60_000)
    page.get_by_text("got hello", exact=True).wait_for(timeout=30_000)  # the kernel has the text
    assert page.locator(".widget-inline-hbox input[type='number']").input_value() == "2"
    assert page.locator(".widget-text input[type='text']").input_value() == "hello"
    page.close()
