"""Benchmark (a script, not a test): time to first interactive widget of the Apps I notebooks.

For each notebook — the one-widget baseline ``tests/bench/minimal_app.ipynb``, the events
calendar and the community profile — a fresh headless Chromium context loads the Voilà page and
the clock stops when the app's ready marker (``.c4c-ready``, see :data:`c4c_lms.widgets.appkit.READY_CLASS`)
is visible and enabled, i.e. the kernel has run every cell and the widgets are live. Loads are
interleaved (baseline, calendar, profile, baseline, ...) so drift hits all three alike, against
one standalone Voilà server with the production settings the course uses.

Run::

    .venv/bin/python tests/bench/bench_apps_1.py                   # default Voilà (a new kernel per page)
    .venv/bin/python tests/bench/bench_apps_1.py --preheat 2       # --preheat_kernel=True --pool_size=2
    .venv/bin/python tests/bench/bench_apps_1.py --loads 7 --pause 4
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]

from helpers import start_voila, wait_ready  # noqa: E402
from helpers import stop_process as stop_voila  # noqa: E402
from conftest import REPO, _chromium  # noqa: E402
from helpers import CHROMIUM_ARGS, free_port  # noqa: E402

APPS = {
    "minimal (1 widget)": "tests/bench/minimal_app.ipynb",
    "events_calendar": "voila_apps/events_calendar/index.ipynb",
    "community_profile": "voila_apps/community_profile/index.ipynb",
}


def time_to_interactive(browser, url: str, timeout_ms: int = 120_000) -> float:
    """Seconds from navigation start until ``.c4c-ready`` is visible and enabled."""
    context = browser.new_context()
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        ready = page.locator(".c4c-ready").first
        ready.wait_for(state="visible", timeout=timeout_ms)
        target = ready.locator("input, button, select, textarea").first if ready.evaluate(
            "e => !['INPUT','BUTTON','SELECT','TEXTAREA'].includes(e.tagName)") else ready
        while not target.is_enabled():
            time.sleep(0.01)
        return time.perf_counter() - start
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", type=int, default=5, help="loads per notebook (median reported)")
    parser.add_argument("--preheat", type=int, default=0, metavar="POOL",
                        help="use --preheat_kernel=True with this --pool_size (0: off)")
    parser.add_argument("--pause", type=float, default=2.0,
                        help="seconds between loads (lets a preheated pool refill)")
    args = parser.parse_args(argv)

    chromium = _chromium()
    if chromium is None:
        print("chromium not found", file=sys.stderr)
        return 2
    extra = []
    if args.preheat:
        # Over a directory Voilà preheats *every* notebook below it (61 kernels for this repo), so
        # the pool is limited to the three measured notebooks; the default pool is empty.
        pools = {"default": {"pool_size": 0}, **{p: {"pool_size": args.preheat} for p in APPS.values()}}
        extra = ["--preheat_kernel=True", f"--pool_size={args.preheat}",
                 f"--VoilaKernelManager.kernel_pools_config={json.dumps(pools)}"]
    port = free_port()
    log = tempfile.NamedTemporaryFile("w", suffix=".log", delete=False)
    proc = start_voila(REPO, port, *extra, log=log)
    base = f"http://127.0.0.1:{port}/voila/render/"
    times: dict[str, list[float]] = {name: [] for name in APPS}
    try:
        wait_ready(f"http://127.0.0.1:{port}/", proc)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            for name, path in APPS.items():  # warm-up: first imports fill the OS file cache
                time_to_interactive(browser, base + path)
            if args.preheat:
                time.sleep(max(args.pause, 10))
            for _ in range(args.loads):
                for name, path in APPS.items():
                    time.sleep(args.pause)
                    times[name].append(time_to_interactive(browser, base + path))
            browser.close()
    finally:
        stop_voila(proc)
        log.close()

    mode = f"preheat_kernel=True, pool_size={args.preheat}" if args.preheat else "default (no preheat)"
    print(f"Voilà {mode}; strip_sources=True, show_tracebacks=False; {args.loads} loads each")
    print(f"{'notebook':<22}{'median s':>10}{'min s':>8}{'max s':>8}{'× minimal':>11}")
    baseline = statistics.median(times["minimal (1 widget)"])
    for name, values in times.items():
        med = statistics.median(values)
        print(f"{name:<22}{med:>10.2f}{min(values):>8.2f}{max(values):>8.2f}{med / baseline:>11.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
