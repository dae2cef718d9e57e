"""The public functions of C4C Workbench, one per thing a lecturer does.

Every function takes keyword-only arguments and returns plain results (dataclasses, dicts,
codes); nothing here prints. The ``c4c`` command line (:mod:`c4c_lms.cli`) is a thin wrapper
over these, and reuses their defaults (``api.grade.__kwdefaults__``), so a default is written
once. ``course_root`` is the folder holding ``course/course.toml`` (found from the current
folder when ``None``); ``lang`` is the language of any text a result carries (``"uk"``/``"en"``).

    from c4c_lms import api
    results = api.grade(exercises=["ex01_partners"], workers=4)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from typing import TYPE_CHECKING

from c4c_lms.core.config import Course, load_course
from c4c_lms.core.exceptions import C4CError
from c4c_lms.core.i18n import Catalogue
from c4c_lms.lms.grading.outcomes import SubmissionResult

if TYPE_CHECKING:
    from c4c_lms.cohort.completion import Rules
    from c4c_lms.cohort.data import CohortData
    from c4c_lms.lms.roster import Participant
    from c4c_lms.lms.submissions import ImportReport

# Each function imports the layer it drives when it is called: `c4c --help` and a roster import
# must not pay for nbgrader, pandas and matplotlib (seconds per command on a course server).
__all__ = [
    "course", "check_course", "import_roster", "roster", "release", "import_submissions",
    "submitted_count", "grade", "feedback", "export_grades", "serve", "import_attendance",
    "attendance_pending", "resolve_attendance", "completion", "issue_certificates",
    "new_certificate_key", "verify_certificate", "revoke_certificate", "write_report", "purge",
    "lti_keys", "lti_register", "import_roster_from_lms", "push_grades",
]  # fmt: skip

_COMPLETION = Catalogue.load("completion")


def course(*, course_root: Path | None = None) -> Course:
    """The loaded course (``course.toml``, syllabus, working folder)."""
    return load_course(course_root)


# -- the lecturer's chain ------------------------------------------------------------------------
def check_course(*, course_root: Path | None = None) -> tuple[list[str], int, Course | None]:
    """Problems (``file:line: message``), notebooks checked, and the course when it loads."""
    from c4c_lms.lms import course_check as _course_check

    return _course_check.check(course_root)


def import_roster(*, file: Path, course_root: Path | None = None) -> dict[str, object]:
    """Import participants from CSV/XLSX; every row valid or nothing changes."""
    from c4c_lms.lms import roster as _roster

    return _roster.import_roster(load_course(course_root), file)


def roster(*, course_root: Path | None = None) -> list[Participant]:
    """The roster as stored."""
    from c4c_lms.lms import roster as _roster

    return _roster.load_roster(load_course(course_root))


def release(*, exercises: list[str] | None = None, course_root: Path | None = None) -> list:
    """Generate the participants' version of the exercises (all when none are named)."""
    from c4c_lms.lms import release as _release

    return _release.release(load_course(course_root), list(exercises or []))


def import_submissions(*, source: Path, exercise: str | None = None,
                       course_root: Path | None = None) -> ImportReport:
    """Bring notebooks in from a folder or a ZIP (Moodle "download all" included)."""
    from c4c_lms.lms import submissions as _submissions

    return _submissions.import_submissions(load_course(course_root), source, exercise)


def submitted_count(*, exercises: list[str] | None = None, students: list[str] | None = None,
                    course_root: Path | None = None) -> int:
    """How many submissions :func:`grade` would look at."""
    from c4c_lms.lms.grading import batch as _batch

    c = load_course(course_root)
    return len(_batch.submitted_pairs(c, c.assignment_ids(list(exercises or [])), list(students or [])))


def grade(*, exercises: list[str] | None = None, students: list[str] | None = None,
          workers: int | None = None, force: bool = False, course_root: Path | None = None,
          on_result: Callable[[SubmissionResult], None] | None = None,
          on_stale_lock: Callable[[dict], None] | None = None) -> list[SubmissionResult]:
    """Autograde in the sandbox; ``workers`` defaults to twice the CPUs (at most 8). One run per
    course at a time (a second one raises ``BusyError``)."""
    from c4c_lms.lms.grading import batch as _batch

    return _batch.grade_all(load_course(course_root), list(exercises or []), list(students or []),
                            workers or _batch.default_workers(), force, on_result=on_result,
                            on_stale_lock=on_stale_lock)  # fmt: skip


def feedback(*, exercises: list[str] | None = None, students: list[str] | None = None,
             course_root: Path | None = None) -> tuple[list, Path]:
    """Write feedback HTML per participant; returns the results and the feedback folder."""
    from c4c_lms.lms import feedback as _feedback

    c = load_course(course_root)
    results = _feedback.generate_feedback(c, list(exercises or []), list(students or []))
    return results, c.workdir / "feedback"


def export_grades(*, output: Path, fmt: str = "csv", course_root: Path | None = None) -> int:
    """Write grades for Moodle, Canvas or nbgrader's long table; returns the number of rows."""
    from c4c_lms.lms import export as _export

    return _export.export_grades(load_course(course_root), fmt, output)


def serve(*, port: int = 8888, open_browser: bool = False, course_root: Path | None = None,
          echo: Callable[[dict[str, str]], None] = print) -> int:
    """Run JupyterLab, formgrader and the apps until stopped; returns the server's exit code."""
    from c4c_lms.lms import serve as _serve

    return _serve.serve(load_course(course_root), port=port, open_browser=open_browser, echo=echo)


# -- cohort completion ---------------------------------------------------------------------------
def import_attendance(*, file: Path, day: int, lang: str = "uk", course_root: Path | None = None) -> dict:
    """Import one day's attendance report (Zoom, Teams, CSV); nothing changes if a row is bad."""
    from c4c_lms.cohort import attendance as _attendance
    from c4c_lms.cohort.data import n_days
    from c4c_lms.lms import roster as _roster

    c = load_course(course_root)
    return _attendance.import_day(c.workdir, _roster.load_roster(c), file, day, n_days(c), lang=lang)


def attendance_pending(*, course_root: Path | None = None) -> list[tuple[str, dict]]:
    """Attendees waiting for the lecturer's decision, as ``(ref, attendee)``."""
    from c4c_lms.cohort import attendance as _attendance

    return _attendance.pending(_attendance.load_state(load_course(course_root).workdir))


def resolve_attendance(*, ref: str, participant_id: str | None, lang: str = "uk",
                       course_root: Path | None = None) -> dict:
    """Assign attendee ``ref`` to a participant, or ignore it (``participant_id=None``)."""
    from c4c_lms.cohort import attendance as _attendance
    from c4c_lms.lms import roster as _roster

    c = load_course(course_root)
    return _attendance.resolve(c.workdir, _roster.load_roster(c), ref, participant_id, lang=lang)


def completion(*, course_root: Path | None = None, participant_id: str | None = None,
               lang: str = "uk") -> tuple[object, Rules, CohortData]:
    """Completion outcomes per participant (a DataFrame), the rules and the cohort data."""
    from c4c_lms.cohort import completion as _completion
    from c4c_lms.cohort.data import load_cohort

    c = load_course(course_root)
    rules = _completion.rules_from_course(c)
    data = load_cohort(c)
    outcomes = _completion.evaluate(data, rules)
    if participant_id is not None and participant_id not in outcomes.index:
        raise C4CError(_COMPLETION.t("unknown_participant", lang, id=participant_id))
    return outcomes, rules, data


def issue_certificates(*, workers: int = 2, force: bool = False, today: dt.date | None = None,
                       lang: str = "uk", course_root: Path | None = None):
    """Issue one signed PDF per eligible participant (``None`` when nobody is eligible)."""
    from c4c_lms.cohort import certificates as _certificates

    c = load_course(course_root)
    _certificates.signing_key(c.config.certificates.signing_key_env, lang=lang)  # fail before any work
    outcomes, _rules, data = completion(course_root=course_root, lang=lang)
    people = data.participants.loc[outcomes.index[outcomes["eligible"]]].reset_index()
    if people.empty:
        return None
    return _certificates.issue(c, people.to_dict("records"), workers=workers, force=force, today=today,
                               lang=lang)  # fmt: skip


def new_certificate_key() -> str:
    """A new signing key for certificates (to put in the environment, never in a file)."""
    from c4c_lms.cohort.certificates import new_signing_key

    return new_signing_key()


def verify_certificate(*, code: str, lang: str = "uk", course_root: Path | None = None):
    """Valid, invalid or revoked, offline."""
    from c4c_lms.cohort import certificates as _certificates

    c = load_course(course_root)
    key = _certificates.signing_key(c.config.certificates.signing_key_env, lang=lang)
    return _certificates.verify(c.workdir, key, code)


def revoke_certificate(*, code_or_number: str, reason: str, lang: str = "uk",
                       course_root: Path | None = None) -> str:
    """Add a certificate to the revocation list; returns its number."""
    from c4c_lms.cohort import certificates as _certificates

    c = load_course(course_root)
    key = _certificates.signing_key(c.config.certificates.signing_key_env, lang=lang)
    return _certificates.revoke(c.workdir, key, code_or_number, reason, lang=lang)


def write_report(*, output: Path, pseudonymise: bool = False, lang: str = "uk",
                 course_root: Path | None = None) -> int:
    """Write the cohort report as one self-contained HTML file; returns its size in bytes."""
    from c4c_lms.cohort.data import load_cohort
    from c4c_lms.cohort.report import write_report as _write_report

    c = load_course(course_root)
    return _write_report(c, load_cohort(c), output, pseudonymise=pseudonymise, lang=lang)


def purge(*, participant_id: str, lang: str = "uk", course_root: Path | None = None) -> dict:
    """Remove one participant's personal data everywhere; anonymous statistics stay."""
    from c4c_lms.cohort.privacy import purge as _purge

    return _purge(load_course(course_root), participant_id, lang=lang)


# -- hub ---------------------------------------------------------------------------------------
from c4c_lms.hub import accounts as _hub_accounts  # noqa: E402 (the hub part stays together)
from c4c_lms.hub import exchange as _hub_exchange  # noqa: E402
from c4c_lms.hub import links as _hub_links  # noqa: E402
from c4c_lms.hub import run as _hub_run  # noqa: E402
from c4c_lms.hub.errors import HubError  # noqa: E402

def hub_sync_accounts(*, lang: str = "uk", course_root: Path | None = None) -> dict[str, list[str]]:
    """Create/lock OS accounts to match the roster and ``[staff]``; stop removed participants'
    servers if the hub runs (their files stay). Adds ``stopped`` to the result."""
    c = load_course(course_root)
    done = _hub_accounts.sync(c, lang)
    done["stopped"] = _hub_run.stop_servers(c, done["locked"])
    return done


def hub_links(*, output: Path, people: list[str] | None = None, valid_hours: float | None = None,
              lang: str = "uk", course_root: Path | None = None) -> dict[str, object]:
    """Write signed, expiring, single-use sign-in links to ``output`` (CSV)."""
    rows = _hub_links.links_for(load_course(course_root), lang, people, valid_hours)
    _hub_links.write_links(Path(output), rows)
    return {"count": len(rows), "until": rows[0]["valid_until"] if rows else ""}


def hub_set_password(*, user: str, password: str, lang: str = "uk", course_root: Path | None = None) -> None:
    """Store a staff member's password (scrypt hash only)."""
    c = load_course(course_root)
    messages = Catalogue.load("hub")
    if user not in [*c.config.staff.lecturers, *c.config.staff.graders]:
        raise HubError(messages.t("password_staff_only", lang, user=user))
    if len(password) < 12:
        raise HubError(messages.t("password_short", lang))
    _hub_links.set_password(_hub_accounts.state_dir(c) / "staff_passwords.json", user, password)


def hub_start(*, lang: str = "uk", course_root: Path | None = None):
    """Start PostgreSQL and JupyterHub for the course; returns the running hub (``.stop()``)."""
    return _hub_run.start(load_course(course_root), lang)


def hub_release(*, exercises: list[str] | None = None, course_root: Path | None = None) -> list[str]:
    """Release exercises into nbgrader's exchange (after ``c4c release``)."""
    return _hub_exchange.release(load_course(course_root), exercises)


def hub_collect(*, exercises: list[str] | None = None, course_root: Path | None = None) -> list[str]:
    """Collect submissions from nbgrader's exchange into the working folder (then ``c4c grade``)."""
    return _hub_exchange.collect(load_course(course_root), exercises)


def hub_k8s_values(*, output: Path, db_host: str = "postgres", db_port: int = 5432, secret_name: str = "",
                   storage_class: str = "", lang: str = "uk", course_root: Path | None = None) -> dict:
    """Write Zero to JupyterHub Helm values (YAML) for the course to ``output``; no secrets in it."""
    from c4c_lms.hub import k8s  # lazy: PyYAML only for this command

    return k8s.write_values(load_course(course_root), output=Path(output), lang=lang, db_host=db_host,
                            db_port=db_port, secret_name=secret_name, storage_class=storage_class)


# -- LMS (LTI 1.3) -----------------------------------------------------------------------------
def lti_keys(*, replace: bool = False, course_root: Path | None = None) -> dict[str, str]:
    """Create the tool's RSA key pair: private key at the path in ``[lti] private_key_env``,
    public keyset beside the gradebook (the hub serves it). ``private``, ``jwks``, ``kid``."""
    from c4c_lms.lms.lti import keys  # lazy: cryptography only for the LMS commands

    return keys.create_keys(load_course(course_root), replace=replace)


def lti_register(*, platform: str = "moodle", course_root: Path | None = None) -> dict:
    """What to paste into Moodle's External tool form or a Canvas developer key."""
    from c4c_lms.lms.lti import registration

    c = load_course(course_root)
    return {**registration.registration(c, platform),
            "endpoints": str(_hub_accounts.state_dir(c) / "lti_endpoints.json")}  # fmt: skip


def import_roster_from_lms(*, dry_run: bool = False, course_root: Path | None = None) -> dict:
    """Merge the LMS course's members (NRPS) into the roster; the lists of what changed."""
    from c4c_lms.lms.lti import nrps

    return nrps.import_from_lms(load_course(course_root), dry_run=dry_run)


def push_grades(*, exercises: list[str] | None = None, dry_run: bool = False,
                course_root: Path | None = None) -> list[dict]:
    """Post changed scores to the LMS gradebook (AGS); one row per exercise and participant."""
    from c4c_lms.lms.lti import ags

    return ags.push_grades(load_course(course_root), exercises=exercises, dry_run=dry_run)
