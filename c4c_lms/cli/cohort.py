"""Cohort commands: attendance, completion, certificates, report, cohort purge.

Thin click wrappers over :mod:`attendance`, :mod:`completion`, :mod:`certificates`,
:mod:`report` and :mod:`cohort`; the root group in :mod:`c4c_lms.cli.main` registers ``COMMANDS``.
"""

from __future__ import annotations

import functools
import sys
import time
from pathlib import Path

import click

from c4c_lms.core.i18n import Catalogue

MA = Catalogue.load("attendance")
MC = Catalogue.load("completion")
MZ = Catalogue.load("certificates")
MR = Catalogue.load("report")


def _course():
    from c4c_lms.core.config import load_course

    ctx = click.get_current_context()
    root = (ctx.find_root().obj or {}).get("root")
    return load_course(root)


def _friendly(fn):
    """The root CLI's error handling (message, no traceback, exit 2), looked up at call time."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from c4c_lms.cli.main import friendly_errors

        return friendly_errors(fn)(*args, **kwargs)

    return wrapper


def _table(title: str | None, columns: list[str], rows: list[list[str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*[str(c) for c in row])
    Console(highlight=False, soft_wrap=True).print(table)


# -- attendance ----------------------------------------------------------------------------------
@click.group("attendance")
def attendance_group() -> None:
    """Import meeting attendance (Zoom, Teams, CSV) and resolve unmatched attendees."""


@attendance_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--day", type=int, required=True, help="Course day the file belongs to (1 = first day).")
@_friendly
def attendance_import(file: Path, day: int) -> None:
    """Import one day's attendance report; nothing changes if any row is bad."""
    from c4c_lms.cohort import attendance
    from c4c_lms.cohort.data import n_days
    from c4c_lms.core.exceptions import InputFileError
    from c4c_lms.lms.roster import load_roster

    course = _course()
    try:
        record = attendance.import_day(course.workdir, load_roster(course), file, day, n_days(course))
    except InputFileError as err:
        click.echo(MA.t("rejected"))
        for where, message in err.problems:
            click.echo(f"  {err.path}: {where}: {message}")
        sys.exit(2)
    click.echo(MA.t("imported", day=day, source=record["source"], format=record["format"],
                    encoding=record["encoding"], **attendance.counts(record)))  # fmt: skip
    if record["warnings"]:
        click.echo(MA.t("warnings"))
        for where, message in record["warnings"]:
            click.echo(f"  {where}: {message}")
    waiting = attendance.pending(attendance.load_state(course.workdir))
    if waiting:
        click.echo(MA.t("pending_hint", count=len(waiting)))


@attendance_group.command("resolve")
@click.argument("ref", required=False)
@click.argument("participant_id", required=False)
@click.option("--ignore", is_flag=True, help="Mark the attendee as not a participant (guest, host).")
@_friendly
def attendance_resolve(ref: str | None, participant_id: str | None, ignore: bool) -> None:
    """List attendees waiting for a decision, or assign REF (day:number) to PARTICIPANT_ID."""
    from c4c_lms.cohort import attendance
    from c4c_lms.lms.roster import load_roster

    course = _course()
    if ref is None:
        waiting = attendance.pending(attendance.load_state(course.workdir))
        if not waiting:
            click.echo(MA.t("nothing_pending"))
            return
        rows = [[r, a["name"] or a["email"], f"{a['minutes']:.0f}", MA.t(f"status_{a['status']}"),
                 ", ".join(f"{pid} ({score:g})" for pid, score in a["candidates"])] for r, a in waiting]  # fmt: skip
        _table(None, [MA.t(k) for k in ("col_ref", "col_attendee", "col_minutes", "col_status", "col_candidates")],
               rows)  # fmt: skip
        click.echo(MA.t("resolve_hint"))
        return
    if not ignore and not participant_id:
        raise click.UsageError(MA.t("need_id"))
    att = attendance.resolve(course.workdir, load_roster(course), ref, None if ignore else participant_id)
    click.echo(MA.t("ignored" if ignore else "resolved", ref=ref, name=att["name"], id=participant_id))


# -- completion ----------------------------------------------------------------------------------
@click.command("completion")
@click.option("--participant", "participant_id", help="Explain one participant's result rule by rule.")
@click.option("--all", "show_all", is_flag=True, help="List every participant, not only those missing something.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Also write the table as CSV.")
@_friendly
def completion_cmd(participant_id: str | None, show_all: bool, output: Path | None) -> None:
    """Show who meets the completion rules and, per participant, what is missing."""
    from c4c_lms.cohort import completion
    from c4c_lms.cohort.data import load_cohort
    from c4c_lms.core.exceptions import C4CError

    course = _course()
    rules = completion.rules_from_course(course)
    outcomes = completion.evaluate(load_cohort(course), rules)
    if participant_id:
        if participant_id not in outcomes.index:
            raise C4CError(MC.t("unknown_participant", id=participant_id))
        click.echo(participant_id)
        click.echo(completion.explain(outcomes.loc[participant_id], rules))
        return
    click.echo(MC.t("rules", days=rules.min_days_attended, minutes=rules.min_minutes_per_day,
                    score=rules.min_score_percent, required=", ".join(rules.required_exercises) or MC.t("none")))  # fmt: skip
    shown = outcomes if show_all else outcomes[~outcomes["eligible"]]
    rows = []
    for pid, row in shown.iterrows():
        missing = "; ".join(text for _k, met, text in completion.checks(row, rules) if not met)
        rows.append([pid, row["days_attended"], f"{row['score_percent']:.0f}",
                     MC.t("yes" if row["eligible"] else "no"), missing])  # fmt: skip
    if rows:
        _table(None, [MC.t(k) for k in ("col_participant", "col_days", "col_score", "col_result", "col_missing")],
               rows)  # fmt: skip
    click.echo(MC.t("summary", **completion.funnel(outcomes)))
    if output:
        shown_all = outcomes.copy()
        shown_all.to_csv(output, index_label="participant_id")
        click.echo(MC.t("csv_written", path=output))


# -- certificates --------------------------------------------------------------------------------
@click.group("certificates")
def certificates_group() -> None:
    """Issue, verify and revoke signed certificates (key from the environment)."""


@certificates_group.command("issue")
@click.option("--workers", type=int, default=2, show_default=True, help="Processes drawing PDFs.")
@click.option("--force", is_flag=True, help="Draw every PDF again, even when nothing on it changed.")
@_friendly
def certificates_issue(workers: int, force: bool) -> None:
    """Write one PDF per eligible participant; re-running keeps every number."""
    from c4c_lms.cohort import certificates
    from c4c_lms.cohort import completion
    from c4c_lms.cohort.data import load_cohort

    course = _course()
    certificates.signing_key(course.config.certificates.signing_key_env)  # fail before any work
    started = time.perf_counter()
    data = load_cohort(course)
    outcomes = completion.evaluate(data, completion.rules_from_course(course))
    people = data.participants.loc[outcomes.index[outcomes["eligible"]]].reset_index()
    if people.empty:
        click.echo(MZ.t("none_eligible"))
        return
    result = certificates.issue(course, people.to_dict("records"), workers=workers, force=force)
    click.echo(MZ.t("issued", count=len(result.issued), new=result.new, redrawn=result.redrawn,
                    unchanged=result.unchanged,
                    folder=result.folder, seconds=f"{time.perf_counter() - started:.1f}"))  # fmt: skip
    if result.skipped_revoked:
        click.echo(MZ.t("skipped_revoked", numbers=", ".join(result.skipped_revoked)))


@certificates_group.command("verify")
@click.argument("code")
@_friendly
def certificates_verify(code: str) -> None:
    """Say whether CODE (or the scanned QR text) is valid, invalid or revoked. Exit 1 unless valid."""
    from c4c_lms.cohort import certificates

    course = _course()
    key = certificates.signing_key(course.config.certificates.signing_key_env)
    result = certificates.verify(course.workdir, key, code)
    click.echo(result.message())
    sys.exit(0 if result.status == "valid" else 1)


@certificates_group.command("revoke")
@click.argument("code_or_number")
@click.option("--reason", required=True, help="Why (kept in the revocation list).")
@_friendly
def certificates_revoke(code_or_number: str, reason: str) -> None:
    """Add a certificate to the revocation list."""
    from c4c_lms.cohort import certificates

    course = _course()
    key = certificates.signing_key(course.config.certificates.signing_key_env)
    number = certificates.revoke(course.workdir, key, code_or_number, reason)
    click.echo(MZ.t("revoked", number=number))


# -- report and data protection ------------------------------------------------------------------
@click.command("report")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--pseudonymise", is_flag=True, help="No names, emails or communities; small groups merged.")
@_friendly
def report_cmd(output: Path, pseudonymise: bool) -> None:
    """Write the cohort report as one self-contained HTML file."""
    from c4c_lms.cohort.data import load_cohort
    from c4c_lms.core.i18n import current_language
    from c4c_lms.cohort.report import write_report

    started = time.perf_counter()
    course = _course()
    size = write_report(course, load_cohort(course), output, pseudonymise=pseudonymise, lang=current_language())
    click.echo(MR.t("written", path=output, kb=size // 1024, seconds=f"{time.perf_counter() - started:.1f}"))


@click.group("cohort")
def cohort_group() -> None:
    """Data protection: remove a participant's personal data on request."""


@cohort_group.command("purge")
@click.argument("participant_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_friendly
def cohort_purge(participant_id: str, yes: bool) -> None:
    """Remove PARTICIPANT_ID's personal data everywhere; anonymous statistics stay."""
    from c4c_lms.cohort.data import purge

    course = _course()
    if not yes:
        click.confirm(MR.t("purge_confirm", id=participant_id), abort=True)
    removed = purge(course, participant_id)
    click.echo(MR.t("purged", id=participant_id, **{k: v for k, v in removed.items() if k != "roster"}))


COMMANDS: list[click.Command] = [attendance_group, completion_cmd, certificates_group, report_cmd, cohort_group]
