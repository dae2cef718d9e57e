"""Time to first interactive widget: project planner and partner finder vs a one-widget notebook.

Run from the repository root::

    .venv/bin/python tests/bench/bench_apps_2.py [--loads 7]

One standalone Voilà server (production settings: sources stripped, no tracebacks, no preheated
kernels) serves all three notebooks. Each load opens a fresh browser context in Debian's headless
Chromium and measures from navigation to the moment the element marked ``c4c-ready`` (the
app's first interactive widget, put there by the widget manager once the kernel is connected) is
visible. Loads alternate between the notebooks so that drift on a shared machine hits all of them
alike. One warm-up load per notebook is not counted. Prints medians, spreads and the ratio to the
minimal notebook; the target is a ratio of at most 1.5.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "tests")]

from helpers import voila_server  # noqa: E402
from conftest import CHROMIUM_ARGS, _chromium  # noqa: E402

NOTEBOOKS = {
    "minimal": "tests/bench/minimal_app.ipynb",
    "project_planner": "voila_apps/project_planner/index.ipynb",
    "partner_finder": "voila_apps/partner_finder/index.ipynb",
}
TARGET = 1.5


def time_load(browser, url: str) -> float:
    """Seconds from navigation to a visible ``.c4c-ready`` widget in a fresh context."""
    context = browser.new_context()
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_selector(".c4c-ready", state="visible", timeout=120_000)
        return time.perf_counter() - start
    finally:
        context.close()


def run(notebooks: dict[str, str], times: dict[str, list[float]], chromium: str, loads: int) -> None:
    """Warm up once per notebook, then ``loads`` timed loads each, in rotating order."""
    from playwright.sync_api import sync_playwright

    with voila_server() as server, sync_playwright() as p:
        base = server + "/voila/render/"
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        names = list(notebooks)
        for name in names:  # warm-up: disk caches, first imports
            time_load(browser, base + notebooks[name])
        for i in range(loads):
            order = names[i % len(names):] + names[: i % len(names)]
            for name in order:
                times[name].append(time_load(browser, base + notebooks[name]))
                time.sleep(0.5)  # let the closed page's kernel shut down
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=7, help="timed loads per notebook (>= 5)")
    parser.add_argument("--json", type=Path, help="also write the raw timings to this file")
    parser.add_argument("--attribute", action="store_true",
                        help="also time the minimal notebook plus `import c4c_lms.widgets.appkit` (the "
                             "start-up cost every app shares), from a temporary copy")
    args = parser.parse_args(argv)
    chromium = _chromium()
    if chromium is None:
        print("Debian's chromium is not installed; nothing measured.", file=sys.stderr)
        return 2
    notebooks = dict(NOTEBOOKS)
    scratch = Path(tempfile.mkdtemp(prefix="_bench_", dir=REPO / "tests" / "bench"))
    try:
        if args.attribute:  # Voilà serves the repository, so the copy must live inside it
            nb = json.loads((REPO / NOTEBOOKS["minimal"]).read_text("utf-8"))
            src = nb["cells"][-1]["source"]
            nb["cells"][-1]["source"] = "import c4c_lms.widgets.appkit\n" + ("".join(src) if isinstance(src, list) else src)
            (scratch / "appkit_import.ipynb").write_text(json.dumps(nb), "utf-8")
            notebooks["minimal+appkit"] = (scratch / "appkit_import.ipynb").relative_to(REPO).as_posix()
        times: dict[str, list[float]] = {name: [] for name in notebooks}
        run(notebooks, times, chromium, max(5, args.loads))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    base_median = statistics.median(times["minimal"])
    print(f"{'notebook':<18}{'median s':>10}{'min s':>8}{'max s':>8}{'ratio':>8}  target ≤ {TARGET}×")
    worst = 0.0
    for name, values in times.items():
        med = statistics.median(values)
        ratio = med / base_median
        is_app = name in NOTEBOOKS and name != "minimal"
        if is_app:
            worst = max(worst, ratio)
        verdict = ("ok" if ratio <= TARGET else "OVER") if is_app else ""
        print(f"{name:<18}{med:>10.2f}{min(values):>8.2f}{max(values):>8.2f}{ratio:>7.2f}×  {verdict}")
    print(f"loads per notebook: {len(times['minimal'])} (after one warm-up each)")
    if args.json:
        args.json.write_text(json.dumps(times, indent=2))
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
