"""Every module notebook runs top to bottom under nbval (as the course team runs them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest


@pytest.mark.notebooks
@pytest.mark.slow
def test_modules_pass_nbval(repo, tmp_path):
    """Does `pytest --nbval-lax` pass on all modules in both languages, without network?"""
    # A copy: the notebooks must not gain outputs or saved files in the checkout.
    shutil.copytree(repo / "modules", tmp_path / "modules", ignore=shutil.ignore_patterns("my_work"))
    notebooks = sorted((tmp_path / "modules").glob("m*/*.ipynb"))
    assert len(notebooks) == 10, [n.name for n in notebooks]
    command = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p",
               "no:cacheprovider", "-q", "--rootdir", str(tmp_path), *map(str, notebooks)]  # fmt: skip
    if os.geteuid() == 0 and shutil.which("unshare") and shutil.which("ip"):
        # A network namespace with only loopback: a notebook that reaches out fails here.
        command = ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *command]
    result = subprocess.run(
        command,
        cwd=tmp_path, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
