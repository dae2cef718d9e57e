"""The LMS connection's pure parts: LTI roles, the NRPS merge, where a launch lands, the reason
code of a refused launch, registration text, retry timing read from Retry-After."""

from __future__ import annotations

import shutil
from pathlib import Path

import jwt
import pytest
import requests
from ltiauthenticator.lti13.error import InvalidAudienceError, MissingRequiredArgumentError, TokenError

from c4c_lms.core.config import load_course
from c4c_lms.hub.lti import refusal_code
from c4c_lms.lms.lti.landing import landing_path
from c4c_lms.lms.lti.nrps import merge
from c4c_lms.lms.lti.registration import registration
from c4c_lms.lms.lti.roles import kind
from c4c_lms.lms.lti.service import _retry_after
from c4c_lms.lms.roster import Participant

FIXTURE = Path(__file__).resolve().parents[1] / "files" / "course101"
M = "http://purl.imsglobal.org/vocab/lis/v2/membership"


@pytest.mark.parametrize(("roles", "expected"), [
    ([f"{M}#Learner"], "participant"),
    (["Learner"], "participant"),
    ([f"{M}#Instructor"], "staff"),
    ([f"{M}/Instructor#TeachingAssistant"], "staff"),
    ([f"{M}#Learner", f"{M}#Instructor"], "staff"),
    (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"], None),
    (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student", f"{M}#Learner"], "participant"),
    ([], None),
])  # fmt: skip
def test_roles_reduce_to_staff_or_participant(roles, expected):
    """Do context roles (full URI, short name, sub-role) decide, and institution roles not?"""
    assert kind(roles) == expected


def _member(user_id, given, family, email, roles=("Learner",), status="Active"):
    return {"user_id": user_id, "given_name": given, "family_name": family, "email": email,
            "roles": list(roles), "status": status}  # fmt: skip


def test_merge_links_by_lms_id_then_email_and_never_overwrites_a_ukrainian_name_with_latin():
    """Is a row matched by LMS id first, then email; a Latin LMS name stored beside the Ukrainian
    one; a new Ukrainian name romanised anew; an email that belongs to another LMS id a conflict?"""
    current = [Participant(id="olena", first_name_uk="Олена", last_name_uk="Коваль", email="o@example.org",
                           lms_user_id="1"),
               Participant(id="taras", first_name_uk="Тарас", last_name_uk="Шевчук", email="t@example.org",
                           first_name_lat="Taras", last_name_lat="Shevchenko-Passport")]  # fmt: skip
    roster, changed, report = merge(current, [
        _member("1", "Olena", "Koval-Passport", "new-address@example.org"),  # by LMS id; email kept
        _member("2", "Тарас", "Шевчук", "T@example.org"),  # by email; same Ukrainian name
        _member("3", "Ірина", "Бондар", "1iryna@example.org"),
        _member("4", "Двійник", "Олени", "o@example.org"),  # email of a row linked to LMS id 1
    ])
    people = {p.id: p for p in roster}
    assert report["conflicts"] and "o@example.org" in report["conflicts"][0]
    assert (people["olena"].last_name_uk, people["olena"].last_name_lat, people["olena"].email) == (
        "Коваль", "Koval-Passport", "o@example.org")
    assert people["taras"].lms_user_id == "2" and people["taras"].last_name_lat == "Shevchenko-Passport"
    assert report["linked"] == ["taras"] and report["updated"] == ["olena"]
    assert "p1iryna" in people and people["p1iryna"].last_name_lat == "Bondar"  # id starts with a letter
    assert {p.id for p in changed} == {"olena", "taras", "p1iryna"}


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course101"
    shutil.copytree(FIXTURE, root)
    return load_course(root)


def test_landing_follows_target_and_language(course):
    """Does a launch land on the module in the launch's language, on the exercise's folder or
    copy, on a Voilà app, and on the default page for an unknown target?"""
    assert landing_path(course, "ann", "module:m01_intro", "uk") == "/user/ann/lab/tree/modules/m01_intro/m01_intro.ipynb"
    assert landing_path(course, "ann", "module:m01_intro", "en-US").endswith("m01_intro_en.ipynb")
    assert landing_path(course, "nobody-here", "exercise:ps1") == "/user/nobody-here/lab"
    assert landing_path(course, "ann", "module:../../etc") is None
    assert landing_path(course, "ann", "exercise:nope") is None and landing_path(course, "ann", "") is None


def test_refusal_codes_come_from_pyjwts_errors():
    """Is each library refusal (which wraps PyJWT's error) given the right reason code?"""
    def wrapped(cause):
        try:
            try:
                raise cause
            except jwt.PyJWTError as e:
                raise TokenError(str(e))  # as the library does: PyJWT's error is the context
        except TokenError as err:
            return err

    assert refusal_code(wrapped(jwt.InvalidSignatureError("x"))) == "forged"
    assert refusal_code(wrapped(jwt.ExpiredSignatureError("x"))) == "expired"
    assert refusal_code(wrapped(jwt.InvalidIssuerError("x"))) == "wrong_issuer"
    assert refusal_code(InvalidAudienceError("x")) == "wrong_audience"
    assert refusal_code(MissingRequiredArgumentError("Required LTI 1.3 arg nonce not in request")) == "missing_claim"


def test_registration_names_the_hubs_routes(course):
    """Does registration name the hub's login route (default address) and LTI 1.3?"""
    done = registration(course, "moodle")
    assert done["login_url"] == "http://127.0.0.1:8000/hub/lti13/oauth_login"
    assert dict(done["fields"])["LTI version"] == "LTI 1.3"


def test_retry_after_is_read_and_capped():
    """Is Retry-After honoured in seconds, capped at a minute, and ignored when not a number?"""
    response = requests.Response()
    response.headers["Retry-After"] = "7"
    assert _retry_after(response) == 7.0
    response.headers["Retry-After"] = "9999"
    assert _retry_after(response) == 60.0
    response.headers["Retry-After"] = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert _retry_after(response) is None


def test_cli_wiring_of_push_grades_and_roster_import(monkeypatch, tmp_path):
    """Do `c4c lms push-grades EX --dry-run` and `c4c roster import --from-lms --dry-run` pass
    their arguments through, and does `c4c roster import` with neither a file nor --from-lms
    say what it needs?"""
    from click.testing import CliRunner

    from c4c_lms import api
    from c4c_lms.cli.main import cli

    seen = {}
    monkeypatch.setattr(api, "push_grades", lambda **kw: seen.setdefault("push", kw) and [])
    empty = {k: [] for k in ("added", "linked", "updated", "unchanged", "staff", "inactive", "not_in_lms",
                             "conflicts")} | {"total": ["0"]}  # fmt: skip
    monkeypatch.setattr(api, "import_roster_from_lms", lambda **kw: seen.setdefault("nrps", kw) and empty)
    runner = CliRunner()
    assert runner.invoke(cli, ["--lang", "en", "lms", "push-grades", "ps1", "--dry-run"]).exit_code == 0
    assert seen["push"] == {"exercises": ["ps1"], "dry_run": True, "course_root": None}
    done = runner.invoke(cli, ["--lang", "en", "roster", "import", "--from-lms", "--dry-run"])
    assert done.exit_code == 0 and "Dry run" in done.output
    assert seen["nrps"] == {"dry_run": True, "course_root": None}
    neither = runner.invoke(cli, ["--lang", "en", "roster", "import"])
    assert neither.exit_code == 2 and "FILE or --from-lms" in neither.output
