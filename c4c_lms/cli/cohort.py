"""Cohort commands: attendance, completion, certificates, report, cohort purge.

Thin click wrappers over :mod:`c4c_lms.api`; the root group in :mod:`c4c_lms.cli.main`
registers ``COMMANDS``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from c4c_lms import api
from c4c_lms.cli.common import course_root, friendly_errors, lang, print_table
from c4c_lms.core.exceptions import InputFileError
from c4c_lms.core.files import neutralise_formula, write_text_atomic
from c4c_lms.core.i18n import Catalogue

MA = Catalogue.load("attendance")
MC = Catalogue.load("completion")
MZ = Catalogue.load("certificates")
MR = Catalogue.load("report")


# -- attendance ----------------------------------------------------------------------------------
@click.group("attendance")
def attendance_group() -> None:
    """Import meeting attendance (Zoom, Teams, CSV) and resolve unmatched attendees."""


@attendance_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--day", type=int, required=True, help="Course day the file belongs to (1 = first day).")
@friendly_errors
def attendance_import(file: Path, day: int) -> None:
    """Import one day's attendance report; nothing changes if any row is bad."""
    from c4c_lms.cohort import attendance  # here, not at the top: `c4c --help` stays fast

    language = lang()
    try:
        record = api.import_attendance(file=file, day=day, lang=language, course_root=course_root())
    except InputFileError as err:
        click.echo(MA.t("rejected", language))
        for where, message in err.problems:
            click.echo(f"  {err.path}: {where}: {message}")
        sys.exit(2)
    click.echo(MA.t("imported", language, day=day, source=record["source"], format=record["format"],
                    encoding=record["encoding"], **attendance.counts(record)))  # fmt: skip
    if record["warnings"]:
        click.echo(MA.t("warnings", language))
        for where, message in record["warnings"]:
            click.echo(f"  {where}: {message}")
    waiting = api.attendance_pending(course_root=course_root())
    if waiting:
        click.echo(MA.t("pending_hint", language, count=len(waiting)))


@attendance_group.command("resolve")
@click.argument("ref", required=False)
@click.argument("participant_id", required=False)
@click.option("--ignore", is_flag=True, help="Mark the attendee as not a participant (guest, host).")
@friendly_errors
def attendance_resolve(ref: str | None, participant_id: str | None, ignore: bool) -> None:
    """List attendees waiting for a decision, or assign REF (day:number) to PARTICIPANT_ID."""
    language = lang()
    if ref is None:
        waiting = api.attendance_pending(course_root=course_root())
        if not waiting:
            click.echo(MA.t("nothing_pending", language))
            return
        rows = [[r, a["name"] or a["email"], f"{a['minutes']:.0f}", MA.t(f"status_{a['status']}", language),
                 ", ".join(f"{pid} ({score:g})" for pid, score in a["candidates"])] for r, a in waiting]  # fmt: skip
        columns = ("col_ref", "col_attendee", "col_minutes", "col_status", "col_candidates")
        print_table(None, [MA.t(k, language) for k in columns], rows)
        click.echo(MA.t("resolve_hint", language))
        return
    if not ignore and not participant_id:
        raise click.UsageError(MA.t("need_id", language))
    att = api.resolve_attendance(ref=ref, participant_id=None if ignore else participant_id, lang=language,
                                 course_root=course_root())  # fmt: skip
    click.echo(MA.t("ignored" if ignore else "resolved", language, ref=ref, name=att["name"], id=participant_id))


# -- completion ----------------------------------------------------------------------------------
@click.command("completion")
@click.option("--participant", "participant_id", help="Explain one participant's result rule by rule.")
@click.option("--all", "show_all", is_flag=True, help="List every participant, not only those missing something.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Also write the table as CSV.")
@friendly_errors
def completion_cmd(participant_id: str | None, show_all: bool, output: Path | None) -> None:
    """Show who meets the completion rules and, per participant, what is missing."""
    from c4c_lms.cohort import completion  # here, not at the top: `c4c --help` stays fast

    language = lang()
    outcomes, rules, _data = api.completion(course_root=course_root(), participant_id=participant_id, lang=language)
    if participant_id:
        click.echo(participant_id)
        click.echo(completion.explain(outcomes.loc[participant_id], rules, lang=language))
        return
    click.echo(MC.t("rules", language, count=rules.min_days_attended, days=rules.min_days_attended, minutes=rules.min_minutes_per_day,
                    score=rules.min_score_percent,
                    required=", ".join(rules.required_exercises) or MC.t("none", language)))  # fmt: skip
    shown = outcomes if show_all else outcomes[~outcomes["eligible"]]
    rows = []
    for pid, row in shown.iterrows():
        missing = "; ".join(text for _k, met, text in completion.checks(row, rules, lang=language) if not met)
        rows.append([pid, row["days_attended"], f"{row['score_percent']:.0f}",
                     MC.t("yes" if row["eligible"] else "no", language), missing])  # fmt: skip
    if rows:
        columns = ("col_participant", "col_days", "col_score", "col_result", "col_missing")
        print_table(None, [MC.t(k, language) for k in columns], rows)
    click.echo(MC.t("summary", language, **completion.funnel(outcomes)))
    if output:
        write_text_atomic(output, outcomes.map(neutralise_formula).to_csv(index_label="participant_id"))
        click.echo(MC.t("csv_written", language, path=output))


# -- certificates --------------------------------------------------------------------------------
@click.group("certificates")
def certificates_group() -> None:
    """Issue, verify and revoke signed certificates (key from the environment)."""


@certificates_group.command("issue")
@click.option("--workers", type=int, default=api.issue_certificates.__kwdefaults__["workers"], show_default=True,
              help="Processes drawing PDFs.")
@click.option("--force", is_flag=True, help="Draw every PDF again, even when nothing on it changed.")
@friendly_errors
def certificates_issue(workers: int, force: bool) -> None:
    """Write one PDF per eligible participant; re-running keeps every number."""
    language = lang()
    started = time.perf_counter()
    result = api.issue_certificates(workers=workers, force=force, lang=language, course_root=course_root())
    if result is None:
        click.echo(MZ.t("none_eligible", language))
        return
    click.echo(MZ.t("issued", language, count=len(result.issued), new=result.new, redrawn=result.redrawn,
                    unchanged=result.unchanged,
                    folder=result.folder, seconds=f"{time.perf_counter() - started:.1f}"))  # fmt: skip
    if result.skipped_revoked:
        click.echo(MZ.t("skipped_revoked", language, numbers=", ".join(result.skipped_revoked)))


@certificates_group.command("key")
def certificates_key() -> None:
    """Print a new random signing key: export C4C_CERT_KEY=$(c4c certificates key)."""
    click.echo(api.new_certificate_key())


@certificates_group.command("verify")
@click.argument("code")
@friendly_errors
def certificates_verify(code: str) -> None:
    """Say whether CODE (or the scanned QR text) is valid, invalid or revoked. Exit 1 unless valid."""
    result = api.verify_certificate(code=code, lang=lang(), course_root=course_root())
    click.echo(result.message(lang()))
    sys.exit(0 if result.status == "valid" else 1)


@certificates_group.command("revoke")
@click.argument("code_or_number")
@click.option("--reason", required=True, help="Why (kept in the revocation list).")
@friendly_errors
def certificates_revoke(code_or_number: str, reason: str) -> None:
    """Add a certificate to the revocation list."""
    number = api.revoke_certificate(code_or_number=code_or_number, reason=reason, lang=lang(),
                                    course_root=course_root())  # fmt: skip
    click.echo(MZ.t("revoked", lang(), number=number))


# -- report and data protection ------------------------------------------------------------------
@click.command("report")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--pseudonymise", is_flag=True, help="No names, emails or communities; small groups merged.")
@friendly_errors
def report_cmd(output: Path, pseudonymise: bool) -> None:
    """Write the cohort report as one self-contained HTML file."""
    started = time.perf_counter()
    size = api.write_report(output=output, pseudonymise=pseudonymise, lang=lang(), course_root=course_root())
    click.echo(MR.t("written", lang(), path=output, kb=size // 1024, seconds=f"{time.perf_counter() - started:.1f}"))


@click.group("cohort")
def cohort_group() -> None:
    """Data protection: remove a participant's personal data on request."""


@cohort_group.command("purge")
@click.argument("participant_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@friendly_errors
def cohort_purge(participant_id: str, yes: bool) -> None:
    """Remove PARTICIPANT_ID's personal data everywhere; anonymous statistics stay."""
    if not yes:
        click.confirm(MR.t("purge_confirm", lang(), id=participant_id), abort=True)
    removed = api.purge(participant_id=participant_id, lang=lang(), course_root=course_root())
    click.echo(MR.t("purged", lang(), id=participant_id, **{k: v for k, v in removed.items() if k != "roster"}))


COMMANDS: list[click.Command] = [attendance_group, completion_cmd, certificates_group, report_cmd, cohort_group]
