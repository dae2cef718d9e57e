"""The hosted course, for real: JupyterHub with configurable-http-proxy (npm) and a private
PostgreSQL cluster (Debian's), OS accounts made from the roster, participants signing in through
their links and working in their own servers. Needs root, postgresql and npm: skipped without
them locally, failed in CI (CI=true).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import nbformat
import pytest
from helpers import free_port, free_port_block, run_c4c

from c4c_lms import api
from c4c_lms.core.config import load_course
from c4c_lms.hub import accounts, hubconfig, links, run
from c4c_lms.hub.client import Browser
from c4c_lms.hub.errors import HubError
from c4c_lms.lms.roster import load_roster, save_roster

pytestmark = pytest.mark.slow
FIXTURE = Path(__file__).resolve().parents[1] / "files" / "course101"
PARTICIPANTS = ["olena", "taras", "iryna", "petro", "mariia", "yurii", "stepan", "oksana"]
LECTURER = "lect101"
PASSWORD = "correct horse battery staple"


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "the hub tests create OS accounts: run them as root"
    if not list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")):
        return "Debian's postgresql is not installed (apt-get install postgresql)"
    if not hubconfig.chp_path().exists():
        if not shutil.which("npm"):
            return "npm is not installed (configurable-http-proxy comes from npm)"
        subprocess.run(["make", "-C", str(hubconfig.REPO), "proxy"], check=False, capture_output=True)
        if not hubconfig.chp_path().exists():
            return "could not install configurable-http-proxy with npm (make proxy)"
    return None


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    reason = _missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " and CI=true: the hub tests must run in CI")
        pytest.skip(reason)
    top = Path(tempfile.mkdtemp(prefix="c4c-hub-"))
    top.chmod(0o755)  # participants' servers must reach modules/ (and nothing private)
    root = top / "course101"
    shutil.copytree(FIXTURE, root)
    port = free_port_block(6)  # the hub, its own port, the proxy API, the formgrader, the report; and PostgreSQL
    with open(root / "course" / "course.toml", "a", encoding="utf-8") as fh:
        fh.write(f'\n[staff]\nlecturers = ["{LECTURER}"]\n\n[hub]\nport = {port}\ndb_port = {port + 5}\n'
                 f'home_base = "{top / "home"}"\nmemory_limit_mb = 400\n'
                 'idle_timeout_min = 0.5\ncull_every_s = 5\n')  # culled after 30 s idle (test_idle_server_is_culled)
    secrets = {"C4C_HUB_SECRET": os.urandom(24).hex(), "C4C_HUB_ADMIN_TOKEN": os.urandom(24).hex(),
               "C4C_HUB_DB_PASSWORD": os.urandom(24).hex()}
    saved = {k: os.environ.get(k) for k in secrets}
    os.environ.update(secrets)
    run_c4c(root, "roster", "import", str(root / "roster.csv"), check=True)
    run_c4c(root, "release", check=True)
    course = load_course(root)
    api.hub_set_password(user=LECTURER, password=PASSWORD, course_root=root, lang="en")
    running = run.start(course, "en")
    try:
        yield running
    finally:
        running.stop()
        accounts.remove_accounts(course, [a.name for a in accounts.planned(course, "en", PARTICIPANTS)])
        for key, value in saved.items():
            os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)
        shutil.rmtree(top, ignore_errors=True)


def signed_in(hub, name: str) -> Browser:
    browser = Browser(hub.url, name)
    [row] = links.links_for(hub.course, "en", [name])
    assert browser.sign_in(row["link"]).status_code == 302
    browser.get_token()
    return browser


def test_a_link_signs_in_once_and_a_forged_one_never(hub):
    """Does a participant's link sign them in exactly once, and is a tampered link refused?"""
    [row] = links.links_for(hub.course, "en", ["taras"])
    first = Browser(hub.url, "taras")
    assert first.sign_in(row["link"]).status_code == 302
    assert first.whoami()["name"] == "taras"
    again = Browser(hub.url, "taras").sign_in(row["link"])
    assert again.status_code == 403 and "already been used" in again.text
    payload, signature = urllib.parse.parse_qs(urllib.parse.urlparse(row["link"]).query)["t"][0].split(".")
    forged = row["link"].replace(payload, payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB"))
    assert Browser(hub.url, "taras").sign_in(forged).status_code == 403


def test_participant_kernel_cannot_read_what_is_not_theirs(hub):
    """Does a participant's kernel run as their own account, with their own course copy, and
    fail to read another home, the exercise sources, the working folder and the database?"""
    olena = signed_in(hub, "olena")
    signed_in(hub, "iryna").spawn()  # another participant with a home and a running server
    assert olena.spawn() < 120
    course = hub.course
    cells = [
        "import os, pwd; print(pwd.getpwuid(os.getuid()).pw_name, sorted(os.listdir('.')))",
        f"os.listdir({str(Path(pwd.getpwnam('iryna').pw_dir))!r})",
        f"open({str(course.path('exercises') / 'ps1' / 'ps1.ipynb')!r}).read()",
        f"os.listdir({str(course.workdir)!r})",
        "print(sorted(k for k in os.environ if k.startswith('C4C')))",
        f"import psycopg; psycopg.connect('postgresql://c4c@127.0.0.1:{course.config.hub.db_port}/gradebook')",
    ]
    me, home, sources, work, env, db = olena.run(cells)
    assert me["out"].startswith("olena") and "modules" in me["out"], me
    assert home["error"] == sources["error"] == work["error"] == "PermissionError", (home, sources, work)
    assert env["out"].strip() == "[]", env
    assert db["error"] == "OperationalError" and "password" in db["out"], db


def test_staff_tools_are_closed_to_participants_and_open_to_staff(hub):
    """Do the formgrader and the cohort report answer 403 to a participant and open for a lecturer?"""
    petro = signed_in(hub, "petro")
    for path in (f"/services/{hub.course.config.course.id}/formgrader", "/services/report/"):
        assert petro.service(path).status_code == 403, path
    lecturer = Browser(hub.url, LECTURER)
    assert lecturer.sign_in_password("wrong password!").status_code != 302
    assert lecturer.sign_in_password(PASSWORD).status_code == 302
    formgrader = lecturer.service(f"/services/{hub.course.config.course.id}/formgrader")
    assert formgrader.status_code == 200 and "formgrader" in formgrader.text.lower()
    # the formgrader service loads the Content-Security-Policy extension (issue 13)
    policy = formgrader.headers.get("Content-Security-Policy", "")
    assert f"/services/{hub.course.config.course.id}/formgrader/static/ " in policy, policy
    assert "'unsafe-inline'" not in policy
    report = lecturer.service("/services/report/?lang=en")
    assert report.status_code == 200 and "Cohort report: Test course" in report.text


def test_fetch_submit_collect_grade_round_trip(hub):
    """Does a participant's submission made through nbgrader's exchange get graded by `c4c grade`
    against the PostgreSQL gradebook with the same score as the same notebook handed in offline?"""
    cid = hub.course.config.course.id
    with run.gradebook_at(hub.env["C4C_GRADEBOOK_URL"]):  # the hosted gradebook needs the release's cells
        run_c4c(hub.course.root, "release", "ps1", check=True)
        assert api.hub_release(exercises=["ps1"], course_root=hub.course.root) == ["ps1", "ps1_en"]
    oksana = signed_in(hub, "oksana")
    oksana.spawn()
    assert oksana.fetch(cid, "ps1")["success"]
    listed = oksana.assignments(cid)["value"]
    assert any(a["assignment_id"] == "ps1" and a["status"] == "fetched" for a in listed)
    answer = nbformat.read(FIXTURE / "submissions" / "oksana" / "ps1.ipynb", as_version=4)
    saved = oksana.server("PUT", "/api/contents/ps1/ps1.ipynb", json={"type": "notebook", "content": answer})
    assert saved.status_code == 200, saved.text
    assert oksana.submit(cid, "ps1")["success"]
    with run.gradebook_at(hub.env["C4C_GRADEBOOK_URL"]):
        assert "ps1" in api.hub_collect(exercises=["ps1"], course_root=hub.course.root)
        run_c4c(hub.course.root, "grade", "ps1", check=True)
    state = json.loads((hub.course.workdir / "grading_state.json").read_text())
    assert state["oksana/ps1"]["status"] == "needs_manual" and state["oksana/ps1"]["score"] == 3.0, state


def test_memory_limit_is_enforced(hub):
    """Is a kernel that allocates past [hub] memory_limit_mb stopped, while the server lives on?"""
    stepan = signed_in(hub, "stepan")
    stepan.spawn()
    [alloc] = stepan.run("x = bytearray(700 * 2**20); x[::4096] = b'1' * len(x[::4096]); print('kept')")
    assert alloc["error"] in ("KernelDied", "MemoryError"), alloc
    assert stepan.server("GET", "/api/status").status_code == 200


def test_a_participant_removed_from_the_roster_loses_access_not_files(hub):
    """Roster change while the hub runs: is the removed participant's server stopped, their link
    refused and their home kept; does the next sync leave everything unchanged?"""
    yurii = signed_in(hub, "yurii")
    yurii.spawn()
    [row] = links.links_for(hub.course, "en", ["yurii"])
    home = Path(pwd.getpwnam("yurii").pw_dir)
    save_roster(hub.course, [p for p in load_roster(hub.course) if p.id != "yurii"])
    done = api.hub_sync_accounts(lang="en", course_root=hub.course.root)
    assert done["locked"] == ["yurii"] and done["stopped"] == ["yurii"] and not done["created"]
    assert (home / "modules").is_dir()
    assert Browser(hub.url, "yurii").sign_in(row["link"]).status_code == 403
    again = api.hub_sync_accounts(lang="en", course_root=hub.course.root)
    assert not again["created"] and not again["locked"] and not again["stopped"]


def test_database_down_means_no_hub_and_a_clear_message(hub, monkeypatch):
    """With PostgreSQL unreachable, does start refuse with a message naming the database and
    leave no hub running?"""
    monkeypatch.setenv("C4C_HUB_DB_URL", f"postgresql://c4c:x@127.0.0.1:{free_port()}/jupyterhub")
    with pytest.raises(HubError, match="cannot be reached; the hub was not started") as err:
        run.start(hub.course, "en")
    assert ":x@" not in str(err.value)  # the password is not printed
    assert hub.process.poll() is None  # the running hub was not touched


# -- faults ----------------------------------------------------------------------------------
def _server(hub, name: str) -> dict | None:
    return (run.hub_api(hub.course, "GET", f"/users/{name}").get("servers") or {}).get("")


def _wait_for(condition, timeout: float, step: float = 1.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def _processes_of(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and entry.stat().st_uid == uid:
                pids.append(int(entry.name))
        except FileNotFoundError:
            pass
    return pids


def test_a_killed_server_restarts_on_next_login_with_files_intact(hub):
    """A participant's server and kernels are killed (OOM killer, a crash): does the hub notice,
    and does their next sign-in start a new server that finds their files as they left them?"""
    mariia = signed_in(hub, "mariia")
    mariia.spawn()
    note = {"type": "file", "format": "text", "content": "Нотатки: партнер — Ґданськ"}
    assert mariia.server("PUT", "/api/contents/notes.txt", json=note).status_code in (200, 201)
    mariia.run("open('from_kernel.txt', 'w').write('kept')")
    uid = pwd.getpwnam("mariia").pw_uid
    killed = _processes_of(uid)
    assert killed, "no process of mariia's server found"
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    assert _wait_for(lambda: _server(hub, "mariia") is None, 60), "the hub never noticed the dead server"
    again = signed_in(hub, "mariia")  # the next login, with a new link
    try:
        assert again.spawn() < 120
    except Exception:
        print(hub.log.read_text(errors="replace")[-6000:])
        raise
    assert again.server("GET", "/api/contents/notes.txt").json()["content"] == note["content"]
    [read] = again.run("print(open('from_kernel.txt').read())")
    assert read["out"].strip() == "kept", read
    assert (Path(pwd.getpwnam("mariia").pw_dir) / "modules").is_dir()


def test_a_submission_while_the_lecturer_grades_is_not_lost(hub):
    """A participant submits again while `c4c grade` runs on the collected first submission:
    is the second submission kept in the exchange and graded by the next collect and grade?"""
    cid, root, env = hub.course.config.course.id, hub.course.root, hub.env
    outbound = accounts.state_dir(hub.course) / "exchange" / cid / "outbound" / "ps1"
    if not outbound.is_dir():
        with run.gradebook_at(env["C4C_GRADEBOOK_URL"]):
            run_c4c(root, "release", "ps1", check=True)
            api.hub_release(exercises=["ps1"], course_root=root)
    taras = signed_in(hub, "taras")
    taras.spawn()
    assert taras.fetch(cid, "ps1")["success"]
    answer = nbformat.read(FIXTURE / "submissions" / "taras" / "ps1.ipynb", as_version=4)
    assert taras.server("PUT", "/api/contents/ps1/ps1.ipynb", json={"type": "notebook", "content": answer}).ok
    assert taras.submit(cid, "ps1")["success"]
    with run.gradebook_at(env["C4C_GRADEBOOK_URL"]):
        api.hub_collect(exercises=["ps1"], course_root=root)
    grader = subprocess.Popen([str(Path(sys.executable).with_name("c4c")), "--course-root", str(root), "--lang", "en",
                               "grade", "ps1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        answer.cells.append(nbformat.v4.new_markdown_cell("second submission, sent while grading"))
        assert taras.server("PUT", "/api/contents/ps1/ps1.ipynb", json={"type": "notebook", "content": answer}).ok
        assert taras.submit(cid, "ps1")["success"]
        assert grader.poll() is None, "grading ended before the second submission: no race was tested"
        output, _ = grader.communicate(timeout=300)
    finally:
        if grader.poll() is None:
            grader.kill()
    assert grader.returncode == 0, output
    first = json.loads((hub.course.workdir / "grading_state.json").read_text())["taras/ps1"]
    inbound = [p.name for p in (accounts.state_dir(hub.course) / "exchange" / cid / "inbound").iterdir()
               if p.name.startswith("taras+ps1+")]
    assert len(inbound) == 2, inbound  # both submissions kept
    with run.gradebook_at(env["C4C_GRADEBOOK_URL"]):
        api.hub_collect(exercises=["ps1"], course_root=root)
        run_c4c(root, "grade", "ps1", check=True)
    second = json.loads((hub.course.workdir / "grading_state.json").read_text())["taras/ps1"]
    assert second["submitted"] != first["submitted"], (first, second)
    graded = (hub.course.workdir / "submitted" / "taras" / "ps1" / "ps1.ipynb").read_text(encoding="utf-8")
    assert "second submission, sent while grading" in graded
    assert second["status"] in ("graded", "needs_manual"), second


def test_an_idle_server_is_culled(hub):
    """Does jupyterhub-idle-culler stop a server left idle past [hub] idle_timeout_min (30 s
    here), not before, and keep the participant's files?"""
    petro = signed_in(hub, "petro")
    petro.spawn()
    started = time.monotonic()
    assert _wait_for(lambda: _server(hub, "petro") is None, 120, step=2), "the idle server was never culled"
    assert time.monotonic() - started >= 20  # 30 s timeout, activity read every 7 s
    assert "DELETE /hub/api/users/petro/server (idle-culler@" in hub.log.read_text(errors="replace")
    assert (Path(pwd.getpwnam("petro").pw_dir) / "modules").is_dir()
