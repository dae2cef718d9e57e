"""Load rehearsal of the hosted course (`make hub-rehearsal USERS=N`): bounded, loopback only,
stops by itself. As root on a Debian machine with postgresql and the proxy (`make proxy`).

1. A copy of the course with N roster participants (and N more for the stock baseline) and a
   private PostgreSQL; the real hub (`c4c_lms.hub.run.start`).
2. Baseline, same hub, same run: N accounts spawn a *stock* `jupyterhub-singleuser` running
   plain JupyterLab (only the jupyterlab server extension, no course copy) concurrently; their
   spawn times are measured, then those servers are stopped.
3. N participants sign in through their real sign-in links (link page, button, hub cookie,
   token) or, with ``--signin lti``, through LTI 1.3 launches from the test platform
   (tests/lti_platform.py: login initiation, signed id_token, the hub's validation), spawn
   their servers concurrently (timed), run every code cell of module 1's notebook
   in a kernel of their server, then fetch exercise 1, fill the solution cells, save and submit
   it through nbgrader's assignment list.
4. Idle RSS per participant: the sum of resident memory of all of that account's processes
   once kernels are shut down (the median over participants).
5. The lecturer collects and grades all submissions with `c4c grade`.

Prints, last:
``hub-rehearsal: N users, spawn p50 X s p95 Y s, module run p50 Z s, idle RSS per user M MiB,
graded K/N, failures F`` (preceded by the stock baseline line and the load average).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from helpers import free_port_block  # noqa: E402

from c4c_lms import api  # noqa: E402
from c4c_lms.core.config import load_course  # noqa: E402
from c4c_lms.hub import accounts, links, run  # noqa: E402
from c4c_lms.hub.client import Browser  # noqa: E402

EXERCISE = "ex01_partners"
MODULE = "modules/m01_partnerships"
STOCK = """
# -- load rehearsal only: accounts st… run a stock jupyterhub-singleuser with plain JupyterLab
def _c4c_stock(spawner):
    if spawner.user.name.startswith("st"):
        spawner.copy_folders = []
        spawner.default_url = "/lab"
        spawner.environment = {{"JUPYTER_CONFIG_PATH": {config!r}, "JUPYTER_PATH": {share!r}}}
c.Spawner.pre_spawn_hook = _c4c_stock
"""


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))] if ordered else float("nan")


def rss_mib(uid: int) -> float:
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / 1024


def make_course(top: Path, users: list[str]) -> Path:
    root = top / "course"
    root.mkdir()
    for name in ("course", "modules", "voila_apps", "exercises"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    rows = ["id,first_name_uk,last_name_uk,email,community,oblast,role,lms_user_id"]
    rows += [f"{u},Учасник,Номер{i},{u}@example.org,Громада {i},UA-32,Секретар,{1000 + i}" for i, u in enumerate(users)]
    (root / "roster.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    port = free_port_block(6)  # hub, its own port, proxy API, formgrader, report, PostgreSQL
    with open(root / "course" / "course.toml", "a", encoding="utf-8") as fh:
        fh.write(f'\n[staff]\nlecturers = ["lecturer"]\n\n[hub]\nport = {port}\ndb_port = {port + 5}\n'
                 f'home_base = "{top / "home"}"\nidle_timeout_min = 120\nmemory_limit_mb = 1024\n')
    return root


def c4c(root: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).with_name("c4c")), "--course-root", str(root), "--lang", "en", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True)


def solutions(source: Path) -> dict[str, str]:
    nb = nbformat.read(str(source), as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if c.get("metadata", {}).get("nbgrader", {}).get("solution")}  # fmt: skip


def sign_in(hub, name: str) -> Browser:
    browser = Browser(hub.url, name)
    [row] = links.links_for(hub.course, "en", [name])
    response = browser.sign_in(row["link"])
    if response.status_code != 302:
        raise RuntimeError(f"sign-in of {name}: {response.status_code}")
    browser.get_token()
    return browser


def sign_in_lti(hub, platform, name: str, lms_id: str) -> Browser:
    """A launch from the test LMS: the browser the launch signed in, with an API token."""
    from lti_platform import LEARNER

    browser = Browser(hub.url, name)
    done, _ = platform.launch(browser.session, hub.url, {"user_id": lms_id, "email": f"{name}@example.org",
                                                         "roles": [LEARNER]})  # fmt: skip
    if done.status_code != 302:
        raise RuntimeError(f"LTI launch of {name}: {done.status_code}")
    browser.get_token()
    return browser


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--limit-s", type=int, default=1800, help="The rehearsal stops itself after this.")
    parser.add_argument("--signin", choices=["links", "lti"], default="links",
                        help="Sign-in links, or LTI 1.3 launches from the test platform (tests/lti_platform.py).")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("hub-rehearsal: run as root (it creates OS accounts)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("rehearsal time limit")))
    signal.alarm(args.limit_s)
    n = args.users
    people, stock = [f"rh{i:03d}" for i in range(n)], [f"st{i:03d}" for i in range(n)]
    top = Path(tempfile.mkdtemp(prefix="c4c-rehearsal-"))
    top.chmod(0o755)
    for key in ("C4C_HUB_SECRET", "C4C_HUB_ADMIN_TOKEN", "C4C_HUB_DB_PASSWORD"):
        os.environ[key] = os.urandom(24).hex()
    root = make_course(top, people + stock)
    platform = None
    if args.signin == "lti":
        from lti_platform import Platform, tool_jwks_from

        port = load_course(root).config.hub.port
        platform = Platform(tool_jwks=tool_jwks_from(f"http://127.0.0.1:{port}/hub/lti13/jwks"),
                            avoid=range(port, port + 5)).__enter__()  # not on the hub's service ports
        with open(root / "course" / "course.toml", "a", encoding="utf-8") as fh:
            fh.write(platform.lti_toml())
        os.environ["C4C_LTI_PRIVATE_KEY"] = str(top / "secret" / "tool.pem")
    env0 = dict(os.environ)
    c4c(root, env0, "roster", "import", str(root / "roster.csv"))
    if platform is not None:
        c4c(root, env0, "lti", "keys")
    lms_id = {u: str(1000 + i) for i, u in enumerate(people + stock)}  # make_course's lms_user_id column
    course = load_course(root)

    signin_s: list[float] = []

    def sign_in_any(hub, name: str) -> Browser:
        t = time.perf_counter()
        browser = sign_in(hub, name) if platform is None else sign_in_lti(hub, platform, name, lms_id[name])
        signin_s.append(time.perf_counter() - t)  # the whole sign-in, up to the API token
        return browser
    stock_config = top / "stock-jupyter"
    stock_config.mkdir()
    (stock_config / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {"jupyterlab": True}}}))
    stock_config.chmod(0o755)
    share = str(Path(sys.prefix) / "share" / "jupyter")
    failures: list[str] = []
    hub = None
    try:
        t0 = time.perf_counter()
        hub = run.start(course, "en", extra_config=STOCK.format(config=str(stock_config), share=share), timeout=300)
        print(f"hub up in {time.perf_counter() - t0:.0f} s", flush=True)
        c4c(root, hub.env, "release", EXERCISE)
        with run.gradebook_at(hub.env["C4C_GRADEBOOK_URL"]):
            api.hub_release(exercises=[EXERCISE], course_root=root)

        def guarded(name: str, step):
            try:
                return step(name)
            except Exception as err:  # one participant's failure is counted, the others go on
                failures.append(f"{name}: {type(err).__name__}: {err}")
                traceback.print_exc(limit=2)
                return None

        with ThreadPoolExecutor(max_workers=n) as pool:
            # -- baseline: stock jupyterhub-singleuser, plain JupyterLab ----------------------
            stock_browsers = [b for b in pool.map(lambda u: guarded(u, lambda x: sign_in_any(hub, x)), stock) if b]
            stock_spawn = [s for s in pool.map(lambda b: guarded(b.name, lambda _: b.spawn(300)), stock_browsers) if s]
            stock_rss = statistics.median(rss_mib(accounts_uid(u)) for u in stock) if stock_spawn else float("nan")
            # a failed stop is a failure to report, not the end of the rehearsal
            list(pool.map(lambda u: guarded(u, lambda x: run.hub_api(course, "DELETE", f"/users/{x}/server")), stock))
            # -- the course: our server ------------------------------------------------------
            browsers = [b for b in pool.map(lambda u: guarded(u, lambda x: sign_in_any(hub, x)), people) if b]
            spawn = [s for s in pool.map(lambda b: guarded(b.name, lambda _: b.spawn(300)), browsers) if s]
            notebook = nbformat.read(str(root / MODULE / "m01_partnerships.ipynb"), as_version=4)
            cells = [c.source for c in notebook.cells if c.cell_type == "code"]

            def module_run(b: Browser) -> float:
                started = time.perf_counter()
                results = b.run(cells, timeout=600, path=MODULE)
                errors = [r for r in results if r["error"]]
                if errors:
                    raise RuntimeError(f"module 1 cell failed: {errors[0]['out'][:200]}")
                return time.perf_counter() - started

            module = [s for s in pool.map(lambda b: guarded(b.name, lambda _: module_run(b)), browsers) if s]
            answers = solutions(root / "exercises" / EXERCISE / f"{EXERCISE}.ipynb")
            cid = course.config.course.id

            def hand_in(b: Browser) -> bool:
                if not b.fetch(cid, EXERCISE)["success"]:
                    raise RuntimeError("fetch failed")
                path = f"/api/contents/{EXERCISE}/{EXERCISE}.ipynb"
                nb = b.server("GET", path).json()["content"]
                for cell in nb["cells"]:
                    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                    if grade_id in answers:
                        cell["source"] = answers[grade_id]
                saved = b.server("PUT", path, json={"type": "notebook", "content": nb})
                if saved.status_code != 200:
                    raise RuntimeError(f"save: {saved.status_code}")
                if not b.submit(cid, EXERCISE)["success"]:
                    raise RuntimeError("submit failed")
                return True

            submitted = sum(1 for ok in pool.map(lambda b: guarded(b.name, lambda _: hand_in(b)), browsers) if ok)
        time.sleep(5)  # kernels shut down; servers idle
        idle = statistics.median(rss_mib(accounts_uid(u)) for u in people)
        t1 = time.perf_counter()
        with run.gradebook_at(hub.env["C4C_GRADEBOOK_URL"]):
            api.hub_collect(exercises=[EXERCISE], course_root=root)
        c4c(root, hub.env, "grade", EXERCISE)
        state = json.loads((course.workdir / "grading_state.json").read_text())
        graded = sum(1 for u in people if state.get(f"{u}/{EXERCISE}", {}).get("status") in ("graded", "needs_manual"))
        print(f"collected and graded {submitted} submissions in {time.perf_counter() - t1:.0f} s", flush=True)
        ratio = pct(spawn, 95) / pct(stock_spawn, 95) if stock_spawn and spawn else float("nan")
        print(f"hub-rehearsal baseline: stock jupyterhub-singleuser + plain JupyterLab, {len(stock_spawn)} users, "
              f"spawn p50 {pct(stock_spawn, 50):.1f} s p95 {pct(stock_spawn, 95):.1f} s, "
              f"idle RSS per user {stock_rss:.0f} MiB; ours/stock spawn p95 = {ratio:.2f}")
        print(f"sign-in: {args.signin}, {len(signin_s)} sign-ins, p50 {pct(signin_s, 50):.2f} s p95 {pct(signin_s, 95):.2f} s")
        print("load average (1, 5, 15 min): " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        for failure in failures:
            print(f"failure: {failure}")
        print(f"hub-rehearsal: {n} users, spawn p50 {pct(spawn, 50):.1f} s p95 {pct(spawn, 95):.1f} s, "
              f"module run p50 {pct(module, 50):.1f} s, idle RSS per user {idle:.0f} MiB, graded {graded}/{n}, "
              f"failures {len(failures) + (n - graded)}", flush=True)
        return 0 if not failures and graded == n else 1
    finally:
        signal.alarm(0)
        if hub is not None:
            hub.stop()
        if platform is not None:
            platform.__exit__()
        accounts.remove_accounts(course, [a.name for a in accounts.planned(course, "en", people + stock)])
        shutil.rmtree(top, ignore_errors=True)


def accounts_uid(name: str) -> int:
    import pwd

    return pwd.getpwnam(name).pw_uid


if __name__ == "__main__":
    sys.exit(main())
