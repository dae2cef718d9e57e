"""The LMS connection's services against a real LTI 1.3 platform on loopback (tests/lti_platform.py):
tool keys and registration, roster from NRPS, grades to AGS, every refusal the issue lists.
The real `c4c` commands on copies of the fixture course; the grades come from a real
`c4c grade` run (the pipeline's known scores).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from helpers import run_c4c
from lti_platform import INSTRUCTOR, Platform, new_key, tool_jwks_from

from c4c_lms.core.config import load_course
from c4c_lms.lms.lti.keys import jwks_path
from c4c_lms.lms.roster import load_roster

pytestmark = pytest.mark.slow
FIXTURE = Path(__file__).resolve().parents[1] / "files" / "course101"
# what `c4c grade` gives the fixture submissions (test_pipeline.EXPECTED; yurii's could not be graded)
SCORES = {"olena": 3.0, "taras": 0.0, "iryna": 1.0, "petro": 2.0, "mariia": 0.0, "stepan": 0.0, "oksana": 3.0}
LMS_ID = {p: str(101 + i) for i, p in enumerate(["olena", "taras", "iryna", "petro", "mariia", "yurii", "stepan",
                                                  "oksana"])}  # roster.csv's lms_user_id column


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("graded") / "course101"
    shutil.copytree(FIXTURE, root)
    for args in (("roster", "import", str(root / "roster.csv")), ("release",),
                 ("submissions", "import", str(root / "submissions")), ("grade", "--workers", "2")):
        run_c4c(root, *args, check=True)
    return root


def connect(root: Path, tmp_path: Path, lms: Platform, monkeypatch) -> Path:
    """Register the tool with ``lms``: [lti] in course.toml, a key pair outside the course."""
    with open(root / "course" / "course.toml", "a", encoding="utf-8") as fh:
        fh.write(lms.lti_toml() + "backoff_s = 0.05\n")
    monkeypatch.setenv("C4C_LTI_PRIVATE_KEY", str(tmp_path / "secret" / "tool.pem"))
    run_c4c(root, "lti", "keys", check=True)
    lms.tool_jwks = tool_jwks_from(str(jwks_path(load_course(root))))
    return root


@pytest.fixture
def lms():
    with Platform(tool_jwks=lambda: {"keys": []}) as platform:
        for person, user_id in LMS_ID.items():
            platform.member(user_id, person.title(), "Test", f"{person}@example.org")
        yield platform


@pytest.fixture
def course(graded, tmp_path, lms, monkeypatch) -> Path:
    root = tmp_path / "course101"
    shutil.copytree(graded, root)
    return connect(root, tmp_path, lms, monkeypatch)


@pytest.fixture
def plain(tmp_path, lms, monkeypatch) -> Path:
    root = tmp_path / "course101"
    shutil.copytree(FIXTURE, root)
    (root / "small.csv").write_text("id,first_name_uk,last_name_uk,email,lms_user_id\n"
                                    "olena,Олена,Коваль,olena@example.org,101\n"
                                    "taras,Тарас,Шевчук,taras@example.org,\n", encoding="utf-8")  # fmt: skip
    run_c4c(root, "roster", "import", str(root / "small.csv"), check=True)
    lms.members.clear()
    return connect(root, tmp_path, lms, monkeypatch)


# -- keys and registration ---------------------------------------------------------------------
def test_keys_live_outside_the_course_and_the_keyset_is_their_public_half(plain, tmp_path, monkeypatch):
    """Is the private key root-only and outside the course, its JWKS the matching public key, a
    second `c4c lti keys` refused without --replace, and a key path inside the course refused?"""
    key = tmp_path / "secret" / "tool.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    jwks = json.loads(jwks_path(load_course(plain)).read_text())
    assert "d" not in jwks["keys"][0] and jwks["keys"][0]["kty"] == "RSA"  # no private part
    again = run_c4c(plain, "lti", "keys")
    assert again.exit_code == 2 and "--replace" in again.output
    monkeypatch.setenv("C4C_LTI_PRIVATE_KEY", str(plain / "course" / "tool.pem"))
    inside = run_c4c(plain, "lti", "keys")
    assert inside.exit_code == 2 and "outside the repository" in inside.output
    assert not (plain / "course" / "tool.pem").exists()
    monkeypatch.delenv("C4C_LTI_PRIVATE_KEY")
    assert "C4C_LTI_PRIVATE_KEY is not set" in run_c4c(plain, "lti", "keys").output


def test_register_prints_what_moodle_and_canvas_ask_for(plain):
    """Does `c4c lti register` give Moodle's fields and Canvas' developer key JSON with the hub's URLs?"""
    moodle = run_c4c(plain, "lti", "register", "--platform", "moodle", check=True).output
    for line in ("Initiate login URL: http://127.0.0.1:8000/hub/lti13/oauth_login",
                 "Redirection URI(s): http://127.0.0.1:8000/hub/lti13/oauth_callback",
                 "Public keyset: http://127.0.0.1:8000/hub/lti13/jwks", "IMS LTI Names and Role Provisioning"):
        assert line in moodle, moodle
    canvas = run_c4c(plain, "lti", "register", "--platform", "canvas", check=True).output
    key = json.loads(canvas[canvas.index("{"):canvas.rindex("}") + 1])
    assert key["public_jwk_url"].endswith("/hub/lti13/jwks")
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in key["scopes"]


# -- roster from the LMS (NRPS) ----------------------------------------------------------------
def test_nrps_import_pages_merges_by_lms_id_then_email_and_keeps_both_scripts(plain, lms):
    """Does the import read every page, link by LMS id then email, add new learners with ids from
    their email, skip staff and inactive members, keep Cyrillic and Latin names, and change
    nothing on a second run?"""
    lms.member("101", "Олена", "Коваль", "olena@example.org")  # already linked
    lms.member("202", "Taras", "Shevchuk", "TARAS@example.org")  # linked by email, Latin name
    lms.member("203", "Ганна", "Левченко", "hanna.levchenko@example.org")  # new, Cyrillic
    lms.member("204", "John", "O'Neill", "j.oneill@example.org")  # new, Latin only
    lms.member("900", "Ірина", "Викладачка", "teacher@example.org", roles=[INSTRUCTOR])
    lms.member("205", "Петро", "Пішов", "left@example.org", status="Inactive")
    result = run_c4c(plain, "roster", "import", "--from-lms", check=True)
    pages = [r for r in lms.requests if r[1].startswith("/memberships")]
    assert len(pages) == 3 and all(r[2] == 200 for r in pages)  # 6 members, 2 per page
    assert "added 2, linked to the LMS 1, updated 0, unchanged 1" in result.output, result.output
    people = {p.id: p for p in load_roster(load_course(plain))}
    assert set(people) == {"olena", "taras", "hanna-levchenko", "j-oneill"}
    taras = people["taras"]
    assert (taras.lms_user_id, taras.first_name_uk, taras.first_name_lat) == ("202", "Тарас", "Taras")
    hanna = people["hanna-levchenko"]
    assert (hanna.first_name_uk, hanna.last_name_uk, hanna.last_name_lat) == ("Ганна", "Левченко", "Levchenko")
    assert (people["j-oneill"].last_name_lat, people["j-oneill"].first_name_uk) == ("O'Neill", "")
    again = run_c4c(plain, "roster", "import", "--from-lms", check=True)
    assert "added 0, linked to the LMS 0, updated 0, unchanged 4" in again.output, again.output


def test_nrps_conflict_and_refusal_leave_the_roster_untouched(plain, lms):
    """An LMS email that belongs to a participant linked to another LMS id, and an LMS answering
    401: is each reported clearly, with the roster file unchanged?"""
    before = (load_course(plain).workdir / "roster.json").read_bytes()
    lms.member("999", "Олена", "Двійник", "olena@example.org")
    lms.member("203", "Ганна", "Левченко", "hanna@example.org")
    conflict = run_c4c(plain, "roster", "import", "--from-lms")
    assert conflict.exit_code == 2 and "olena" in conflict.output and "unchanged" in conflict.output
    lms.fail("/memberships", 401, times=10)
    refused = run_c4c(plain, "roster", "import", "--from-lms")
    assert refused.exit_code == 2 and "http_401" in refused.output
    assert (load_course(plain).workdir / "roster.json").read_bytes() == before


# -- grades to the LMS (AGS) -------------------------------------------------------------------
def _pushed(lms: Platform) -> dict[str, float]:
    return {p: lms.results("ps1")[LMS_ID[p]] for p in SCORES if LMS_ID[p] in lms.results("ps1")}


def test_push_grades_posts_the_gradebook_scores_once(course, lms):
    """Does a dry run send nothing; the first push create one line item and post every graded
    participant's score out of the exercise's points with a feedback link; the second post nothing?"""
    dry = run_c4c(course, "lms", "push-grades", "--dry-run", check=True)
    assert "7 scores would be posted" in dry.output and not lms.lineitems and not lms.scores
    first = run_c4c(course, "lms", "push-grades", check=True)
    assert "Posted 7, unchanged 0, failed 0" in first.output, first.output
    [item] = lms.lineitems.values()
    assert (item["resourceId"], item["scoreMaximum"]) == ("ps1", 5.0)
    assert _pushed(lms) == SCORES
    olena = next(b for _, b in lms.scores if b["userId"] == LMS_ID["olena"])
    assert olena["scoreMaximum"] == 5.0 and olena["gradingProgress"] == "PendingManual"
    assert "/hub/user-redirect/lab/tree/ps1/feedback" in olena["comment"]
    second = run_c4c(course, "lms", "push-grades", "ps1", check=True)
    assert "Posted 0, unchanged 7, failed 0" in second.output and len(lms.scores) == 7


def test_a_changed_grade_is_the_only_one_posted_again(course, lms):
    """After the lecturer grades olena's written answer in the gradebook, does the next push post
    her new total and leave the six others alone?"""
    from nbgrader.api import Gradebook

    run_c4c(course, "lms", "push-grades", check=True)
    c = load_course(course)
    with Gradebook(c.gradebook_url, course_id=c.config.course.id) as gb:
        submission = gb.find_submission("ps1", "olena")
        manual = next(g for nb in submission.notebooks for g in nb.grades if g.needs_manual_grade)
        manual.manual_score = manual.max_score
        gb.db.commit()
        expected = submission.score
    again = run_c4c(course, "lms", "push-grades", check=True)
    assert "Posted 1, unchanged 6, failed 0" in again.output, again.output
    assert _pushed(lms)["olena"] == expected > SCORES["olena"]


def test_429_and_500_are_retried_and_the_push_completes(course, lms):
    """Do 429 (with Retry-After) and 500 answers get retried with backoff until the scores land?"""
    lms.fail("/lineitems", 500, times=2, method="GET")
    lms.fail("/lineitems/1/scores", 429, times=2)
    lms.fail("/lineitems/1/scores", 503, times=1)
    done = run_c4c(course, "lms", "push-grades", check=True)
    assert "Posted 7, unchanged 0, failed 0" in done.output, done.output
    statuses = [r[2] for r in lms.requests]
    assert statuses.count(500) == 2 and statuses.count(429) == 2 and statuses.count(503) == 1
    assert _pushed(lms) == SCORES


def test_refusals_are_reported_per_participant_and_a_later_run_completes(course, lms):
    """422 for a participant the LMS does not know, 401 for a key the platform does not trust,
    500 past the retries, 404 for a wrong address, the LMS down: is each a failed row with its reason (exit 1), nothing
    lost, and does a later run post exactly what is missing?"""
    del lms.members[2]  # iryna left the LMS course: her score is refused with 422
    partial = run_c4c(course, "lms", "push-grades")
    assert partial.exit_code == 1 and "Posted 6, unchanged 0, failed 1" in partial.output
    assert "did not accept the score (422)" in partial.output
    lms.member(LMS_ID["iryna"], "Iryna", "Test", "iryna@example.org")
    trusted = lms.tool_jwks
    lms.tool_jwks = lambda: {"keys": [json.loads(__import__("jwt").algorithms.RSAAlgorithm.to_jwk(
        new_key().public_key())) | {"kid": trusted()["keys"][0]["kid"]}]}  # same kid, another key
    forged = run_c4c(course, "lms", "push-grades")
    assert forged.exit_code == 1 and "refused access (401)" in forged.output
    lms.tool_jwks = trusted
    lms.fail("/lineitems/1/scores", 500, times=100)  # down for longer than the retries last
    broken = run_c4c(course, "lms", "push-grades")
    assert broken.exit_code == 1 and "Posted 0, unchanged 6, failed 1" in broken.output
    assert "the LMS answered 500" in broken.output
    lms.faults.clear()
    lms.fail("/lineitems", 404, times=1)
    missing = run_c4c(course, "lms", "push-grades")
    assert missing.exit_code == 1 and "does not know this address (404)" in missing.output
    lms.__exit__()  # the LMS goes down
    down = run_c4c(course, "lms", "push-grades")
    assert down.exit_code == 1 and "cannot be reached" in down.output
    with Platform(tool_jwks=trusted) as back:  # the LMS is back (same scores it held)
        back.members, back.lineitems, back.scores = lms.members, lms.lineitems, lms.scores
        text = (course / "course" / "course.toml").read_text().replace(lms.url, back.url)
        (course / "course" / "course.toml").write_text(text)
        for number, item in back.lineitems.items():
            item["id"] = f"{back.url}/lineitems/{number}"
        later = run_c4c(course, "lms", "push-grades", check=True)
        assert "Posted 1, unchanged 6, failed 0" in later.output, later.output
        assert _pushed(back) == SCORES


def test_a_participant_without_an_lms_id_is_reported_not_skipped_silently(course, lms):
    """Is a graded participant with no LMS id on the roster a failed row that says how to fix it?"""
    from c4c_lms.lms.roster import save_roster

    c = load_course(course)
    save_roster(c, [p.model_copy(update={"lms_user_id": ""}) if p.id == "petro" else p for p in load_roster(c)])
    done = run_c4c(course, "lms", "push-grades")
    assert done.exit_code == 1 and "Posted 6, unchanged 0, failed 1" in done.output
    assert "c4c roster import --from-lms" in done.output
    assert os.environ.get("C4C_LTI_PRIVATE_KEY")
