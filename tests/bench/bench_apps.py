"""Benchmark (a script, not a test): the apps and module pages as `c4c serve` serves them, against
a bare one-widget notebook served by stock Voilà, measured in the same run.

- **Baseline:** stock ``voila tests/bench/minimal_app.ipynb`` (no preheat; a new kernel per page).
- **Course:** ``python -m c4c_lms.lms.apps_server`` — the standalone Voilà ``c4c serve`` starts on
  ``PORT+1`` (course template, preheated kernels in bounded pools).

A fresh Chromium context loads each page; the clock stops when the first interactive widget is
visible and enabled (an app's ``.c4c-ready`` marker; on a module page its first widget control),
as the page itself sees it on its next animation frame.
Loads are interleaved (baseline, app 1, app 2, ..., baseline, ...) with a pause that lets a pool
refill finish before the next load (the machine otherwise idle), so drift hits all alike. Prints
each page's median, the baseline's median and the ratio,
the load average, and last ``apps-bench: worst ratio R, worst median M s``.

Run::

    .venv/bin/python tests/bench/bench_apps.py                 # apps, 5 loads each
    .venv/bin/python tests/bench/bench_apps.py --modules       # module pages too (preheated)
    .venv/bin/python tests/bench/bench_apps.py --warm          # a returning visitor's cached browser
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]

from conftest import REPO, _chromium  # noqa: E402
from helpers import CHROMIUM_ARGS, free_port, wait_ready  # noqa: E402
from helpers import stop_process  # noqa: E402

BASELINE = "tests/bench/minimal_app.ipynb"
APPS = sorted(f"voila_apps/{p.parent.name}/index.ipynb" for p in (REPO / "voila_apps").glob("*/index.ipynb"))
MODULES = ["modules/m01_partnerships/m01_partnerships.ipynb", "modules/m03_eu_programmes/m03_eu_programmes_en.ipynb"]
# An app's ready marker, else any enabled control (a module's first button may be a self-check's
# "Check", disabled until an answer is chosen: waiting for that one to be enabled never ends).
WIDGET = (".c4c-ready, .jupyter-widgets button:enabled, .jupyter-widgets input:enabled, "
          ".jupyter-widgets select:enabled")


# Checked by the page itself on every animation frame: Playwright's own waiting re-checks at
# 0, 20, 70, 170, 270 ms and then only every 500 ms, which would stop the clock up to half a
# second after a widget became usable. Visible as Playwright counts it (a non-empty box, not
# hidden); usable = an enabled form control, the element itself or the first inside it.
INTERACTIVE = """selector => {
  for (const el of document.querySelectorAll(selector)) {
    const control = el.matches('input, button, select, textarea') ? el
      : el.querySelector('input, button, select, textarea');
    const box = el.getBoundingClientRect();
    if (!control || box.width === 0 || box.height === 0) continue;
    if (getComputedStyle(el).visibility !== 'visible' || control.matches(':disabled')) continue;
    return true;
  }
  return false;
}"""


def time_to_interactive(browser, url: str, timeout_ms: int = 120_000, context=None,
                        built: list[float] | None = None) -> float:
    """Seconds from navigation start until the first interactive widget is visible and enabled;
    in a fresh browser context (empty cache) unless ``context`` is given. A course page also
    tells when all its widgets were built (the page script's ``c4c-widgets-shown`` mark, seconds
    after the browser's navigation start): appended to ``built`` when given."""
    own = context is None
    context = browser.new_context() if own else context
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        try:
            page.wait_for_function(INTERACTIVE, arg=WIDGET, polling="raf", timeout=timeout_ms)
        except Exception as error:
            raise TimeoutError(f"{url}: no widget became visible and enabled") from error
        elapsed = time.perf_counter() - start
        if built is not None:
            page.wait_for_function("() => document.body.dataset.c4cWidgets", timeout=timeout_ms)
            built.append(page.evaluate("() => performance.getEntriesByName('c4c-widgets-shown')[0].startTime") / 1000)
        return elapsed
    finally:
        page.close()
        if own:
            context.close()


def start(command: list[str], port: int, log) -> subprocess.Popen:
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=log)
    wait_ready(f"http://127.0.0.1:{port}/", proc, timeout=120)
    return proc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", type=int, default=5, help="loads per page (median reported)")
    parser.add_argument("--pause", type=float, default=12.0,
                        help="seconds between loads: a used kernel's replacement starts 5 s after its page "
                             "and runs the app's notebook, so 12 s lets each load meet an otherwise idle "
                             "machine (with 3 s, refills of earlier pages overlap later loads)")
    parser.add_argument("--modules", action="store_true", help="measure module pages too")
    parser.add_argument("--warm", action="store_true",
                        help="one browser context for all loads (the browser's cache is warm, as for a "
                             "participant who has opened a page before); default: a fresh context per load")
    args = parser.parse_args(argv)
    chromium = _chromium()
    if chromium is None:
        print("chromium not found", file=sys.stderr)
        return 2
    from c4c_lms.lms.apps_server import jupyter_env

    bin_dir = Path(sys.executable).parent
    base_port, course_port = free_port(), free_port()
    log = tempfile.NamedTemporaryFile("w", suffix=".log", delete=False)
    baseline = start([str(bin_dir / "voila"), BASELINE, "--no-browser", f"--port={base_port}",
                      "--Voila.ip=127.0.0.1"], base_port, log)  # fmt: skip
    course_cmd = [sys.executable, "-m", "c4c_lms.lms.apps_server", str(REPO), f"--port={course_port}"]
    if args.modules:
        course_cmd.append("--modules")
    os.environ.update(jupyter_env())
    course = start(course_cmd, course_port, log)
    pages = {"baseline (stock Voilà, 1 widget)": f"http://127.0.0.1:{base_port}/"}
    for path in APPS + (MODULES if args.modules else []):
        pages[path] = f"http://127.0.0.1:{course_port}/voila/render/{path}"
    times: dict[str, list[float]] = {name: [] for name in pages}
    built: dict[str, list[float]] = {name: [] for name in pages}
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            # the pools fill once at start-up, as after `c4c serve`: every preheated page's kernel
            # runs its notebook at once (15 of them with --modules), so give them time
            time.sleep(90 if args.modules else 20)
            shared = browser.new_context() if args.warm else None
            for url in pages.values():  # warm-up: first imports fill the OS file cache
                time_to_interactive(browser, url, timeout_ms=300_000, context=shared)
                time.sleep(args.pause)
            for _ in range(args.loads):
                for name, url in pages.items():
                    time.sleep(args.pause)
                    course_page = not name.startswith("baseline")
                    times[name].append(time_to_interactive(browser, url, context=shared,
                                                           built=built[name] if course_page else None))
            browser.close()
        load = os.getloadavg()  # before the servers stop (their kernels' shutdown is no idle machine)
    finally:
        stop_process(course)
        stop_process(baseline)
        log.close()
    base_median = statistics.median(times.pop("baseline (stock Voilà, 1 widget)"))
    cache = "warm browser cache (one context)" if args.warm else "fresh browser context per load"
    print(f"{args.loads} loads each, {cache}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    # "all built": every widget of the page built (its script's mark), not only the first
    print(f"{'page':<52}{'median s':>9}{'baseline s':>12}{'ratio':>7}{'all built s':>13}")
    worst_ratio = worst_median = 0.0
    for name, values in times.items():
        med = statistics.median(values)
        worst_ratio, worst_median = max(worst_ratio, med / base_median), max(worst_median, med)
        print(f"{name:<52}{med:>9.2f}{base_median:>12.2f}{med / base_median:>7.2f}"
              f"{statistics.median(built[name]):>13.2f}")
    print(f"apps-bench: worst ratio {worst_ratio:.2f}, worst median {worst_median:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
