"""Every course module runs top to bottom in a real kernel, offline, with no errors."""

from __future__ import annotations

import asyncio
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from modules_nb import notebooks
from nbclient import NotebookClient

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
NOTEBOOKS = notebooks()


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> dict[Path, tuple[nbformat.NotebookNode | None, Path, str]]:
    """All module notebooks executed concurrently (one kernel each), from copies of their folders.

    Copies keep keepsakes or caches out of the repository. Returns, per notebook, the executed
    notebook (or ``None``), the working folder and any exception text.
    """
    async def run(path: Path, slots: asyncio.Semaphore):
        work = tmp_path_factory.mktemp("nb") / path.parent.name
        shutil.copytree(path.parent, work, ignore=shutil.ignore_patterns("my_work", ".ipynb_checkpoints"))
        failure = ""
        for _attempt in range(2):
            nb = nbformat.read(work / path.name, as_version=4)
            client = NotebookClient(nb, timeout=180, kernel_name="python3",
                                    resources={"metadata": {"path": str(work)}})
            async with slots:
                try:
                    await client.async_execute()
                    return path, (nb, work, "")
                except Exception as exc:  # reported by the per-notebook test, with the cell's error
                    failure = f"{type(exc).__name__}: {exc}"
            # Only a kernel that never started (ports raced between simultaneous launches) is
            # retried: no cell of the notebook ran, so nothing about the notebook is hidden.
            if "before replying to kernel_info" not in failure:
                break
        return path, (nb, work, failure)

    async def run_all():
        slots = asyncio.Semaphore(3)  # a few kernels at once on a 2-core machine
        return dict(await asyncio.gather(*(run(p, slots) for p in NOTEBOOKS)))

    # A thread of its own: Playwright's sync API may already run an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(run_all())).result()


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_without_errors(path, executed):
    """Does the module notebook execute top to bottom without an error and show its widgets?"""
    nb, work, failure = executed[path]
    assert failure == "", failure[:2000]
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == [], "\n".join(f"{e.ename}: {e.evalue}" for e in errors)
    shown = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.outputs
                if WIDGET_MIME in o.get("data", {}))
    assert shown >= 8, f"only {shown} widgets displayed"
    assert not (work / "my_work").exists(), "nothing is saved until the learner presses Save"
