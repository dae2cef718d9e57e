"""The ``c4c`` command line: thin click wrappers over :mod:`c4c_lms.api`.

Commands appear in the order a lecturer uses them: course check → roster → release →
submissions → grade → feedback → export → serve, then the cohort commands
(:mod:`c4c_lms.cli.cohort`). Each command reads its arguments, calls one API function and
prints the result in the chosen language; defaults come from the API functions themselves.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections import Counter
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from c4c_lms import api
from c4c_lms.cli import cohort as cli_cohort
from c4c_lms.cli import hub as hub_cli
from c4c_lms.cli import lti as lti_cli
from c4c_lms.cli import refdata as refdata_cli
from c4c_lms.cli.common import LecturerOrder, M, console, course_root, friendly_errors, lang
from c4c_lms.core.i18n import LANGUAGES
from c4c_lms.lms.grading.outcomes import Reason, Status, SubmissionResult
from c4c_lms.lms.serve import PortInUse


def localise_reason(result: SubmissionResult, language: str) -> str:
    """A grading result's reason in the lecturer's language, with its technical detail and,
    when the submission did not grade cleanly, where its full log is."""
    log = f"; {M.t('see_log', language, path=result.log)}" if result.log else ""
    if result.reason == Reason.NONE:
        return result.detail + log
    if result.reason == Reason.UNKNOWN:
        return (result.detail or M.t("reason_unknown", language, detail="").strip()) + log
    if result.reason in (Reason.TAMPERING, Reason.TESTS_EDITED):
        detail = result.detail
    else:
        detail = f"({result.detail.strip('() ')})" if result.detail.strip("() ") else ""
    return M.t(f"reason_{result.reason}", language, detail=detail).strip() + log


@click.group(cls=LecturerOrder, help=M.t("cli_help", "en") + "\n\n" + M.t("cli_help", "uk"))
@click.option("--course-root", type=click.Path(file_okay=False, path_type=Path),
              help="Folder holding course/course.toml (default: found from the current folder).")
@click.option("--lang", type=click.Choice(LANGUAGES), envvar="C4C_LANG", default="uk", show_default=True,
              is_eager=True, help="Language of messages (or set C4C_LANG).")  # eager: read before --help
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.pass_context
def cli(ctx: click.Context, course_root: Path | None, lang: str, verbose: int) -> None:
    ctx.ensure_object(dict)
    ctx.obj["root"] = course_root
    ctx.obj["lang"] = lang
    if verbose:
        logging.basicConfig(level=logging.DEBUG if verbose > 1 else logging.INFO)
    else:  # nbgrader/SQLAlchemy chatter is not for lecturers; failures reach the status table
        warnings.filterwarnings("ignore")
        for name in ("traitlets", "tornado.application"):  # nbgrader's gradebook logs through tornado's
            quiet = logging.getLogger(name)
            quiet.addHandler(logging.NullHandler())
            quiet.propagate = False


# -- course ------------------------------------------------------------------------------------
@cli.group()
def course() -> None:
    """Check the course configuration, syllabus and notebooks."""


@course.command("check")
def course_check() -> None:
    """Validate course.toml, the syllabus and every notebook they name (file:line errors)."""
    problems, checked, loaded = api.check_course(course_root=course_root())
    if problems:
        for p in problems:
            console.print(p, markup=False)
        console.print(M.t("course_problems", lang(), count=len(problems)))
        sys.exit(1)
    cfg = loaded.config
    title = cfg.course.title_uk if lang() == "uk" else cfg.course.title_en
    console.print(M.t("course_ok", lang(), title=title, exercises=len(cfg.exercises),
                      days=len(loaded.syllabus.day), notebooks=checked))  # fmt: skip


# -- roster ------------------------------------------------------------------------------------
@cli.group()
def roster() -> None:
    """Participants: import from CSV/XLSX, list."""


@roster.command("import")
@click.argument("file", type=click.Path(path_type=Path), required=False)
@click.option("--from-lms", is_flag=True, help="Read the LMS course's members (LTI NRPS) instead of a file.")
@click.option("--dry-run", is_flag=True, help="With --from-lms: report, change nothing.")
@friendly_errors
def roster_import(file: Path | None, from_lms: bool, dry_run: bool) -> None:
    """Import participants from CSV or XLSX (all rows valid, or nothing changes), or from the LMS."""
    if from_lms:
        lti_cli.print_lms_import(api.import_roster_from_lms(dry_run=dry_run, course_root=course_root()), dry_run)
        return
    if file is None:
        raise click.UsageError("FILE or --from-lms")
    console.print(M.t("roster_imported", lang(), **api.import_roster(file=file, course_root=course_root())))


@roster.command("list")
@friendly_errors
def roster_list() -> None:
    """Show the roster."""
    people = api.roster(course_root=course_root())
    if not people:
        console.print(M.t("roster_empty", lang()))
        return
    table = Table("id", "ПІБ / name", "email", "community", "oblast")
    for p in people:
        table.add_row(p.id, f"{p.name_uk} / {p.name_lat}", p.email, p.community, p.oblast)
    console.print(table)


# -- release and submissions -------------------------------------------------------------------
@cli.command()
@click.argument("exercises", nargs=-1)
@friendly_errors
def release(exercises: tuple[str, ...]) -> None:
    """Generate the participants' version of exercises (all when none are named)."""
    results = api.release(exercises=list(exercises), course_root=course_root())
    for r in results:
        if r.ok:
            console.print(M.t("released", lang(), assignment=r.assignment_id))
        else:
            console.print(M.t("release_failed", lang(), assignment=r.assignment_id, message=r.message),
                          markup=False)  # fmt: skip
    if not all(r.ok for r in results):
        sys.exit(1)


@cli.group()
def submissions() -> None:
    """Participants' notebooks: import from a folder or an LMS ZIP."""


@submissions.command("import")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--exercise", help="Exercise (or variant) for files whose name does not say it.")
@friendly_errors
def submissions_import(source: Path, exercise: str | None) -> None:
    """Bring notebooks in from ZIP_OR_DIR (Moodle 'download all' ZIPs included)."""
    report = api.import_submissions(source=source, exercise=exercise, course_root=course_root())
    console.print(M.t("submissions_imported", lang(), count=len(report.imported)))
    if report.skipped_older:
        console.print(M.t("submissions_older", lang(), count=len(report.skipped_older)))
    listed = (("submissions_unknown_student", report.unknown_student),
              ("submissions_unknown_exercise", [(origin, "") for origin in report.unknown_exercise]),
              ("submissions_rejected", report.rejected))  # fmt: skip
    for key, items in listed:
        if items:
            console.print(M.t(key, lang(), count=len(items)))
            for origin, why in items:
                console.print(f"  {origin}: {why}" if why else f"  {origin}", markup=False)
    if report.kept_answered:
        console.print(M.t("submissions_blank_kept", lang(), count=len(report.kept_answered)))
        for student, assignment, origin in report.kept_answered:
            console.print(f"  {student}/{assignment}: {origin}", markup=False)
    for student, assignment, origins, kept in report.conflicts:
        console.print(M.t("submissions_conflict", lang(), student=student, assignment=assignment,
                          count=len(origins), kept=kept), markup=False)  # fmt: skip
        for origin in origins:
            console.print(f"  {origin}", markup=False)
    if report.conflicts:
        sys.exit(1)


# -- grading -----------------------------------------------------------------------------------
_GRADE = api.grade.__kwdefaults__


@cli.command()
@click.argument("exercises", nargs=-1)
@click.option("--student", "students", multiple=True, help="Only this participant (repeatable).")
@click.option("--workers", type=int, default=_GRADE["workers"], help="Parallel grading processes (default: 2 x CPUs, at most 8).")
@click.option("--force", is_flag=True, default=_GRADE["force"], help="Re-grade submissions already graded.")
@friendly_errors
def grade(exercises, students, workers, force) -> None:
    """Autograde submitted notebooks; prints a status table. Exit 1 only if grading itself broke."""
    chosen = dict(exercises=list(exercises), students=list(students), course_root=course_root())
    total = api.submitted_count(**chosen)
    if total == 0:
        console.print(M.t("grade_nothing", lang()))
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task(M.t("grading", lang()), total=total)
            results = api.grade(**chosen, workers=workers, force=force, on_result=lambda _r: progress.advance(task),
                                on_stale_lock=lambda old: console.print(M.t("stale_lock", lang(), **old), markup=False))
    except KeyboardInterrupt:
        console.print(M.t("grade_interrupted", lang()))
        sys.exit(130)
    table = Table(title=M.t("grade_table_title", lang()))
    for key in ("col_student", "col_exercise", "col_status", "col_score", "col_reason"):
        table.add_column(M.t(key, lang()))
    for r in results:
        table.add_row(r.student_id, r.assignment_id, M.t(f"status_{r.status}", lang()),
                      f"{r.score:g}/{r.max_score:g}", localise_reason(r, lang()))  # fmt: skip
    console.print(table)
    counts = Counter(r.status for r in results)
    console.print(M.t("grade_summary", lang(), graded=counts[Status.GRADED], manual=counts[Status.NEEDS_MANUAL],
                      failed=counts[Status.FAILED], flagged=counts[Status.FLAGGED]))  # fmt: skip
    if counts[Status.INFRASTRUCTURE]:
        sys.exit(1)


@cli.command()
@click.argument("exercises", nargs=-1)
@click.option("--student", "students", multiple=True, help="Only this participant (repeatable).")
@friendly_errors
def feedback(exercises, students) -> None:
    """Write feedback HTML per participant (hidden tests removed, content sanitised)."""
    results, folder = api.feedback(exercises=list(exercises), students=list(students), course_root=course_root())
    failed = [r for r in results if not r.ok]
    for r in failed:
        console.print(f"  {r.student_id}/{r.assignment_id}: {r.message}", markup=False)
    console.print(M.t("feedback_written", lang(), ok=len(results) - len(failed), failed=len(failed), folder=folder))


# -- export ------------------------------------------------------------------------------------
@cli.group()
def export() -> None:
    """Export grades for an LMS."""


@export.command("grades")
@click.option("--format", "fmt", type=click.Choice(["csv", "moodle", "canvas"]),
              default=api.export_grades.__kwdefaults__["fmt"], show_default=True,
              help="csv = nbgrader's long table; moodle/canvas = their import layouts.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@friendly_errors
def export_grades_cmd(fmt: str, output: Path) -> None:
    """Write grades as CSV for Moodle, Canvas or nbgrader's long format."""
    rows = api.export_grades(output=output, fmt=fmt, course_root=course_root())
    console.print(M.t("export_written", lang(), count=rows, rows=rows, path=output, fmt=fmt))


# -- serve -------------------------------------------------------------------------------------
@cli.command()
@click.option("--port", type=int, default=api.serve.__kwdefaults__["port"], show_default=True)
@click.option("--open-browser", is_flag=True, help="Open JupyterLab in the default browser.")
@friendly_errors
def serve(port: int, open_browser: bool) -> None:
    """Start JupyterLab (modules, exercises, formgrader) and the Voila apps; Ctrl-C stops."""
    language = lang()

    def show(urls: dict[str, str]) -> None:
        console.print(M.t("serve_urls", language))
        console.print(f"  {M.t('serve_lab', language)}: {urls.pop('lab')}", markup=False)
        console.print(f"  {M.t('serve_formgrader', language)}: {urls.pop('formgrader')}", markup=False)
        for app, url in urls.items():
            console.print(f"  {M.t('serve_app', language, app=app)}: {url}", markup=False)

    try:
        code = api.serve(port=port, open_browser=open_browser, course_root=course_root(), echo=show)
    except PortInUse as err:
        console.print(M.t("serve_port_taken", language, port=err.port, free=err.free), markup=False)
        sys.exit(2)
    console.print(M.t("serve_stopped", language))
    sys.exit(code or 0)


for _command in cli_cohort.COMMANDS:
    cli.add_command(_command)
cli.add_command(refdata_cli.refdata)
cli.add_command(hub_cli.hub)
cli.add_command(lti_cli.lti)
cli.add_command(lti_cli.lms)
