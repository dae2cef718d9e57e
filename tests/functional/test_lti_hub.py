"""LTI 1.3 launches into the real hub (JupyterHub, configurable-http-proxy, PostgreSQL) from the
test platform (tests/lti_platform.py) over HTTP: the roster comes from the platform's NRPS, a
learner's launch lands in their own server, they submit, the lecturer grades and pushes the
grades back, and the platform holds the right score. Every refused launch the issue lists is
refused with a logged reason and a page, and creates no account.

Course id ``lti101`` and participant ids of its own, so this runs beside tests/functional/
test_hub.py (course101) on the same machine. Needs root, postgresql and npm, like test_hub.py.
"""

from __future__ import annotations

import html
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
import requests
from helpers import free_port, run_c4c, skip_unless_ready
from lti_platform import CLAIM, INSTRUCTOR, Platform, new_key, tool_jwks_from
from test_hub import _missing

from c4c_lms import api
from c4c_lms.core.config import load_course
from c4c_lms.hub import accounts, run
from c4c_lms.hub.client import Browser
from c4c_lms.lms.roster import load_roster

pytestmark = pytest.mark.slow
FIXTURE = Path(__file__).resolve().parents[1] / "files" / "course101"
LECTURER = "ltilect"
# LMS members: user id -> (given name, family name, email); ids on the roster come from emails
PEOPLE = {"501": ("Анна", "Бойко", "ltianna@example.org"), "502": ("Богдан", "Ярош", "ltibohdan@example.org"),
          "503": ("Vira", "Lytvyn", "ltivira@example.org")}
PASSWORD = "lti lecturer passphrase"
TEACHER = {"user_id": "900", "email": "lecturer@example.org", "name": "Лектор", "roles": [INSTRUCTOR]}


def learner(user_id: str, **extra) -> dict:
    given, family, email = PEOPLE.get(user_id, ("Чужа", "Людина", f"stranger{user_id}@example.org"))
    return {"user_id": user_id, "given_name": given, "family_name": family, "email": email,
            "name": f"{given} {family}", "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
            **extra}  # fmt: skip


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    skip_unless_ready(_missing())
    top = Path(tempfile.mkdtemp(prefix="c4c-lti-"))
    top.chmod(0o755)
    root = top / "lti101"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("submissions", "roster.csv"))
    toml = root / "course" / "course.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('id = "course101"', 'id = "lti101"'), encoding="utf-8")
    port = free_port()
    platform = Platform(tool_jwks=tool_jwks_from(f"http://127.0.0.1:{port}/hub/lti13/jwks"), page_size=2,
                        avoid=range(port, port + 5))  # the hub, its proxy API and services
    platform.redirect_uris = [f"http://127.0.0.1:{port}/hub/lti13/oauth_callback"]
    for user_id, (given, family, email) in PEOPLE.items():
        platform.member(user_id, given, family, email)
    platform.member("900", "Лектор", "Курсу", "lecturer@example.org", roles=[INSTRUCTOR])
    with open(toml, "a", encoding="utf-8") as fh:
        fh.write(f'\n[staff]\nlecturers = ["{LECTURER}"]\n\n[hub]\nport = {port}\ndb_port = {free_port()}\n'
                 f'home_base = "{top / "home"}"\nmemory_limit_mb = 600\nidle_timeout_min = 60\n')
        fh.write(platform.lti_toml(staff_ids={LECTURER: "900"}) + "backoff_s = 0.05\n")
    secrets = {"C4C_HUB_SECRET": os.urandom(24).hex(), "C4C_HUB_ADMIN_TOKEN": os.urandom(24).hex(),
               "C4C_HUB_DB_PASSWORD": os.urandom(24).hex(), "C4C_LTI_PRIVATE_KEY": str(top / "secret" / "tool.pem")}
    saved = {k: os.environ.get(k) for k in secrets}
    os.environ.update(secrets)
    course = None
    with platform:
        try:
            run_c4c(root, "lti", "keys", check=True)
            run_c4c(root, "release", check=True)
            course = load_course(root)
            api.hub_set_password(user=LECTURER, password=PASSWORD, course_root=root, lang="en")
            running = run.start(course, "en")  # the hub serves the keyset the platform checks
            running.platform = platform
            with run.gradebook_at(running.env["C4C_GRADEBOOK_URL"]):  # NRPS -> roster -> accounts
                run_c4c(root, "roster", "import", "--from-lms", check=True)
                api.hub_sync_accounts(lang="en", course_root=root)
            try:
                yield running
            finally:
                running.stop()
        finally:
            if course is not None:
                accounts.remove_accounts(course, [a.name for a in accounts.planned(course, "en")])
                for group in (accounts.learners_group(course), accounts.staff_group(course)):
                    subprocess.run(["groupdel", group], capture_output=True)  # lti101's own groups
            for key, value in saved.items():
                os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)
            shutil.rmtree(top, ignore_errors=True)


def _log(hub) -> str:
    return hub.log.read_text(errors="replace")


def test_roster_came_from_the_lms_with_both_scripts(hub):
    """Did NRPS fill the roster (LMS ids, ids from emails, Cyrillic names kept and romanised)?"""
    people = {p.id: p for p in load_roster(hub.course)}
    assert set(people) == {"ltianna", "ltibohdan", "ltivira"}
    assert (people["ltianna"].lms_user_id, people["ltianna"].name_uk, people["ltianna"].name_lat) == (
        "501", "Анна Бойко", "Anna Boiko")
    assert people["ltivira"].name_lat == "Vira Lytvyn" and pwd.getpwnam("ltivira")


def test_the_hub_serves_the_tools_keyset(hub):
    """Is /hub/lti13/jwks the public half of the key `c4c lti keys` made (and nothing private)?"""
    jwks = requests.get(f"{hub.url}/hub/lti13/jwks", timeout=10).json()
    assert jwks == json.loads((hub.course.workdir / "lti_jwks.json").read_text())
    assert "d" not in jwks["keys"][0]


def test_a_module_launch_lands_in_the_participants_own_module(hub):
    """Does a learner's launch targeting a module sign them in as their roster account and land
    on that module's notebook in their language?"""
    session = requests.Session()
    done, _ = hub.platform.launch(session, hub.url, learner("502", locale="en-GB"), target="module:m01_intro")
    assert done.status_code == 302, done.text
    assert done.headers["Location"] == "/user/ltibohdan/lab/tree/modules/m01_intro/m01_intro_en.ipynb"
    me = session.get(f"{hub.url}/hub/api/user", timeout=10,
                     headers={"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/") or ""})
    assert me.json()["name"] == "ltibohdan"
    assert "LTI launch: sub='502'" in _log(hub) and "signed in as ltibohdan" in _log(hub)


def test_a_teachers_launch_signs_in_the_lecturer_and_records_the_service_urls(hub):
    """Is an LMS Instructor mapped to the lecturer's account through [lti] staff_ids, and are the
    course's NRPS and AGS URLs from the launch written for `c4c lti register`?"""
    done, _ = hub.platform.launch(requests.Session(), hub.url, TEACHER)
    assert done.status_code == 302, done.text
    endpoints = json.loads((accounts.state_dir(hub.course) / "lti_endpoints.json").read_text())
    assert endpoints == {"memberships_url": f"{hub.platform.url}/memberships",
                         "lineitems_url": f"{hub.platform.url}/lineitems"}


def test_launch_submit_grade_push_and_the_lms_holds_the_score(hub):
    """The whole loop over HTTP: launch -> own server -> fetch, answer, submit -> lecturer collects
    and grades -> push-grades -> the platform holds the gradebook's score; the next launch for the
    exercise opens the participant's copy."""
    cid, root = hub.course.config.course.id, hub.course.root
    with run.gradebook_at(hub.env["C4C_GRADEBOOK_URL"]):
        run_c4c(root, "release", "ps1", check=True)
        api.hub_release(exercises=["ps1"], course_root=root)
    session = requests.Session()
    done, _ = hub.platform.launch(session, hub.url, learner("501"), target="exercise:ps1")
    assert done.status_code == 302 and done.headers["Location"] == "/user/ltianna/lab", done.headers
    anna = Browser(hub.url, "ltianna")
    anna.session = session  # the browser the launch signed in
    anna.get_token()
    assert anna.spawn() < 120
    assert anna.fetch(cid, "ps1")["success"]
    answer = nbformat.read(FIXTURE / "submissions" / "oksana" / "ps1.ipynb", as_version=4)  # 3 of 5 points
    assert anna.server("PUT", "/api/contents/ps1/ps1.ipynb", json={"type": "notebook", "content": answer}).ok
    assert anna.submit(cid, "ps1")["success"]
    with run.gradebook_at(hub.env["C4C_GRADEBOOK_URL"]):
        api.hub_collect(exercises=["ps1"], course_root=root)
        run_c4c(root, "grade", "ps1", check=True)
        pushed = run_c4c(root, "lms", "push-grades", "ps1", check=True)
        assert "Posted 1, unchanged 0, failed 0" in pushed.output, pushed.output
        assert hub.platform.results("ps1") == {"501": 3.0}
        again = run_c4c(root, "lms", "push-grades", "ps1", check=True)
        assert "Posted 0, unchanged 1, failed 0" in again.output
    later, _ = hub.platform.launch(requests.Session(), hub.url, learner("501"), target="exercise:ps1")
    assert later.headers["Location"] == "/user/ltianna/lab/tree/ps1/ps1.ipynb"


def _refused(hub, done: requests.Response, status: int, code: str, text: str) -> None:
    assert done.status_code == status, (done.status_code, done.text[:400])
    assert text in html.unescape(done.text), done.text[:400]
    assert "Вхід з LMS" in done.text  # Ukrainian first, the page says its charset
    assert f"LTI launch refused: {code}" in _log(hub)


@pytest.mark.parametrize(("case", "tamper", "status", "code", "text"), [
    ("forged signature", {"key": new_key()}, 400, "forged", "signature does not match"),
    ("wrong issuer", {"claims": {"iss": "https://lms.elsewhere.example"}}, 400, "wrong_issuer", "an LMS this course is not"),
    ("wrong audience", {"claims": {"aud": "another-tool"}}, 401, "wrong_audience", "addressed to another tool"),
    ("unknown deployment", {"claims": {CLAIM + "deployment_id": "dep-unknown"}}, 403, "unknown_deployment",
     "not registered for the course"),
    ("expired token", {"claims": {"exp": int(time.time()) - 60, "iat": int(time.time()) - 400}}, 400, "expired",
     "has expired"),
    ("missing required claim", {"drop": [CLAIM + "version"]}, 400, "missing_claim", "lacks required LTI data"),
])  # fmt: skip
def test_a_bad_launch_is_refused_logged_and_signs_nobody_in(hub, case, tamper, status, code, text):
    """Is a launch with a forged signature, another issuer or audience, an unknown deployment, an
    expired token or a missing claim refused with its reason logged, and nobody signed in?"""
    session = requests.Session()
    hub.platform.tamper = tamper
    done, _ = hub.platform.launch(session, hub.url, learner("503"))
    _refused(hub, done, status, code, text)
    assert session.get(f"{hub.url}/hub/api/user", timeout=10).status_code in (401, 403)


def test_a_replayed_launch_is_refused(hub):
    """Posting the same id_token again, with the same cookies (a captured launch): refused?"""
    done, sent = hub.platform.launch(requests.Session(), hub.url, learner("503"))
    assert done.status_code == 302
    replay = requests.Session()
    replay.cookies.update(sent["cookies"])
    again = replay.post(sent["action"], data=sent["form"], allow_redirects=False, timeout=30)
    _refused(hub, again, 403, "replayed", "already been used")
    elsewhere = requests.post(sent["action"], data=sent["form"], allow_redirects=False, timeout=30)
    _refused(hub, elsewhere, 400, "state_mismatch", "same browser")


def test_a_user_not_on_the_roster_is_refused_and_gets_no_account(hub):
    """A learner of the LMS course who is not on the roster (and a teacher not in [lti] staff_ids):
    refused and logged, no hub user and no OS account created?"""
    users_before = {u["name"] for u in run.hub_api(hub.course, "GET", "/users")}
    done, _ = hub.platform.launch(requests.Session(), hub.url, learner("777"))
    _refused(hub, done, 403, "unknown_user", "not on this course's roster")
    teacher = {**TEACHER, "user_id": "901", "email": "other.teacher@example.org"}
    other, _ = hub.platform.launch(requests.Session(), hub.url, teacher)
    _refused(hub, other, 403, "unknown_staff", "not linked to any course staff")
    assert {u["name"] for u in run.hub_api(hub.course, "GET", "/users")} == users_before
    with pytest.raises(KeyError):
        pwd.getpwnam("stranger777")


def test_links_and_staff_passwords_still_sign_in_beside_lti(hub):
    """With LTI on, do a participant's sign-in link and the lecturer's password still work?"""
    from c4c_lms.hub import links

    [row] = links.links_for(hub.course, "en", ["ltivira"])
    assert Browser(hub.url, "ltivira").sign_in(row["link"]).status_code == 302
    lecturer = Browser(hub.url, LECTURER)
    assert lecturer.sign_in_password("not the password").status_code != 302
    assert lecturer.sign_in_password(PASSWORD).status_code == 302
