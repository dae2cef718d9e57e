"""`c4c serve` (what `make run` starts): one server with JupyterLab, formgrader and the apps."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from helpers import free_port

from c4c_lms.lms.serve import server_ready


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.status, response.read().decode("utf-8", "replace")


@pytest.mark.slow
def test_serve_starts_lab_formgrader_and_stops_on_ctrl_c(repo, tmp_path):
    """Does `c4c serve` answer for JupyterLab and formgrader, and stop cleanly on Ctrl-C?"""
    port = free_port()
    env = dict(os.environ, C4C_WORKDIR=str(tmp_path / "work"), C4C_TOKEN="t0ken", C4C_LANG="en")
    process = subprocess.Popen(
        [sys.executable, "-m", "c4c_lms", "serve", "--port", str(port)], cwd=repo, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert server_ready(port, timeout=90), "server did not start"
        status, lab = get(f"http://127.0.0.1:{port}/lab/tree/modules?token=t0ken")
        assert status == 200 and "JupyterLab" in lab
        status, grader = get(f"http://127.0.0.1:{port}/formgrader/manage_assignments?token=t0ken")
        assert status == 200 and "nbgrader formgrade" in grader
        # The formgrader reads our course through nbgrader_config.py: same gradebook, same exercises.
        status, assignments = get(f"http://127.0.0.1:{port}/formgrader/api/assignments?token=t0ken")
        listed = {a["name"] for a in json.loads(assignments)}
        on_disk = {p.parent.name for p in (repo / "exercises").glob("*/*.ipynb") if p.stem == p.parent.name}
        assert status == 200 and listed == on_disk
        status, listing = get(f"http://127.0.0.1:{port}/api/contents/exercises?token=t0ken")
        assert status == 200
        assert (tmp_path / "work" / "gradebook.db").is_file()  # the working folder was prepared
        apps = sorted(p.parent.name for p in (repo / "voila_apps").glob("*/index.ipynb"))
        if apps:  # the same server renders the apps, with sources stripped
            status, page = get(f"http://127.0.0.1:{port}/voila/render/voila_apps/{apps[0]}/index.ipynb?token=t0ken")
            assert status == 200 and "jupyter-widgets" in page
            assert "Traceback" not in page and "import " not in page
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert "JupyterLab" in output and f"127.0.0.1:{port}/lab" in output
    assert "Server stopped." in output
    time.sleep(0.5)
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=2)
