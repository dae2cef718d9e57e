"""The ``c4c`` command line: a thin layer over the plain functions of ``c4c_lms``.

Commands appear in the order a lecturer uses them: course check → roster → release →
submissions → grade → feedback → export → (attendance, completion, certificates, report).
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import warnings
from collections import Counter
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from c4c_lms.cli import cohort as cli_cohort
from c4c_lms.core.config import load_course
from c4c_lms.core.exceptions import C4CError, InputFileError
from c4c_lms.core.i18n import Catalogue, current_language

M = Catalogue.load("cli")
console = Console(highlight=False, soft_wrap=True)


# Stable beginnings of the reasons grading records (c4c_lms.lms.grading.batch, c4c_lms.lms.grading.runner),
# shown to the lecturer in their language; the rest of the text is kept as technical detail.
REASONS = [
    ("tampering: ", "reason_tampering"),
    ("test cells edited (restored before grading): ", "reason_tests_edited"),
    ("invalid notebook file (not JSON)", "reason_invalid_json"),
    ("invalid notebook file", "reason_invalid_notebook"),
    ("notebook failed to validate", "reason_invalid_notebook"),
    ("nbgrader metadata corrupted", "reason_metadata"),
    ("kernel died", "reason_kernel_died"),
    ("the sandbox ended early", "reason_kernel_died"),
    ("submission time limit reached", "reason_submission_timeout"),
    ("a cell ignored the interrupt", "reason_unresponsive"),
    ("timed out", "reason_timed_out"),
]


def localise_reason(reason: str) -> str:
    """The recorded grading reason in the lecturer's language (unknown reasons as recorded)."""
    for prefix, key in REASONS:
        if reason.startswith(prefix):
            detail = reason[len(prefix):].strip()
            if key == "reason_kernel_died":
                detail = ""  # the catalogue text already says what the runner's detail says
            elif key not in ("reason_tampering", "reason_tests_edited"):
                detail = f"({detail.strip('() ')})" if detail.strip("() ") else ""
            return M.t(key, detail=detail).strip()
    return reason


def _course(ctx: click.Context):
    return load_course(ctx.obj.get("root"))


def friendly_errors(fn):
    """Print a C4CError as a message (no traceback) and exit with status 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InputFileError as err:
            console.print(M.t("roster_rejected") if "roster" in fn.__name__ else M.t("error", message=err.path))
            for where, message in err.problems:
                console.print(f"  {err.path}: {where}: {message}", markup=False)
            sys.exit(2)
        except C4CError as err:
            console.print(M.t("error", message=str(err)), markup=False)
            sys.exit(2)

    return wrapper


class LecturerOrder(click.Group):
    """Lists commands in the order a lecturer uses them, not alphabetically."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(cls=LecturerOrder, help=M.t("cli_help", "en") + "\n\n" + M.t("cli_help", "uk"))
@click.option("--course-root", type=click.Path(file_okay=False, path_type=Path),
              help="Folder holding course/course.toml (default: found from the current folder).")
@click.option("--lang", type=click.Choice(["uk", "en"]), help="Language of messages (default uk, or C4C_LANG).")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.pass_context
def cli(ctx: click.Context, course_root: Path | None, lang: str | None, verbose: int) -> None:
    ctx.ensure_object(dict)
    ctx.obj["root"] = course_root
    if lang:
        os.environ["C4C_LANG"] = lang
    if verbose:
        logging.basicConfig(level=logging.DEBUG if verbose > 1 else logging.INFO)
    else:  # nbgrader/SQLAlchemy chatter is not for lecturers; failures reach the status table
        warnings.filterwarnings("ignore")
        quiet = logging.getLogger("traitlets")
        quiet.addHandler(logging.NullHandler())
        quiet.propagate = False


# -- course ------------------------------------------------------------------------------------
@cli.group()
def course() -> None:
    """Check the course configuration, syllabus and notebooks."""


@course.command("check")
@click.pass_context
def course_check(ctx: click.Context) -> None:
    """Validate course.toml, the syllabus and every notebook they name (file:line errors)."""
    from c4c_lms.lms.course_check import check

    problems, checked, loaded = check(ctx.obj.get("root"))
    if problems:
        for p in problems:
            console.print(p, markup=False)
        console.print(M.t("course_problems", count=len(problems)))
        sys.exit(1)
    cfg = loaded.config
    title = cfg.course.title_uk if current_language() == "uk" else cfg.course.title_en
    console.print(M.t("course_ok", title=title, exercises=len(cfg.exercises),
                      days=len(loaded.syllabus.day), notebooks=checked))  # fmt: skip


# -- roster ------------------------------------------------------------------------------------
@cli.group()
def roster() -> None:
    """Participants: import from CSV/XLSX, list."""


@roster.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_context
@friendly_errors
def roster_import(ctx: click.Context, file: Path) -> None:
    """Import participants from CSV or XLSX (all rows valid, or nothing changes)."""
    from c4c_lms.lms.roster import import_roster

    result = import_roster(_course(ctx), file)
    console.print(M.t("roster_imported", **result))


@roster.command("list")
@click.pass_context
@friendly_errors
def roster_list(ctx: click.Context) -> None:
    """Show the roster."""
    from c4c_lms.lms.roster import load_roster

    people = load_roster(_course(ctx))
    if not people:
        console.print(M.t("roster_empty"))
        return
    table = Table("id", "ПІБ / name", "email", "community", "oblast")
    for p in people:
        table.add_row(p.id, f"{p.name_uk} / {p.name_lat}", p.email, p.community, p.oblast)
    console.print(table)


# -- release and submissions -------------------------------------------------------------------
@cli.command()
@click.argument("exercises", nargs=-1)
@click.pass_context
@friendly_errors
def release(ctx: click.Context, exercises: tuple[str, ...]) -> None:
    """Generate the participants' version of exercises (all when none are named)."""
    from c4c_lms.lms.release import release as do_release

    results = do_release(_course(ctx), list(exercises))
    for r in results:
        if r.ok:
            console.print(M.t("released", assignment=r.assignment_id))
        else:
            console.print(M.t("release_failed", assignment=r.assignment_id, message=r.message), markup=False)
    if not all(r.ok for r in results):
        sys.exit(1)


@cli.group()
def submissions() -> None:
    """Participants' notebooks: import from a folder or an LMS ZIP."""


@submissions.command("import")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--exercise", help="Exercise (or variant) for files whose name does not say it.")
@click.pass_context
@friendly_errors
def submissions_import(ctx: click.Context, source: Path, exercise: str | None) -> None:
    """Bring notebooks in from ZIP_OR_DIR (Moodle 'download all' ZIPs included)."""
    from c4c_lms.lms.submissions import import_submissions

    report = import_submissions(_course(ctx), source, exercise)
    console.print(M.t("submissions_imported", count=len(report.imported)))
    if report.skipped_older:
        console.print(M.t("submissions_older", count=len(report.skipped_older)))
    if report.unknown_student:
        console.print(M.t("submissions_unknown_student", count=len(report.unknown_student)))
        for origin, why in report.unknown_student:
            console.print(f"  {origin}: {why}", markup=False)
    if report.unknown_exercise:
        console.print(M.t("submissions_unknown_exercise", count=len(report.unknown_exercise)))
        for origin in report.unknown_exercise:
            console.print(f"  {origin}", markup=False)
    if report.rejected:
        console.print(M.t("submissions_rejected", count=len(report.rejected)))
        for origin, why in report.rejected:
            console.print(f"  {origin}: {why}", markup=False)


# -- grading -----------------------------------------------------------------------------------
@cli.command()
@click.argument("exercises", nargs=-1)
@click.option("--student", "students", multiple=True, help="Only this participant (repeatable).")
@click.option("--workers", type=int, default=None, help="Parallel grading processes (default: CPUs).")
@click.option("--force", is_flag=True, help="Re-grade submissions already graded.")
@click.pass_context
@friendly_errors
def grade(ctx, exercises, students, workers, force) -> None:
    """Autograde submitted notebooks; prints a status table. Exit 1 only if grading itself broke."""
    from c4c_lms.lms.grading.batch import default_workers, grade_all, submitted_pairs

    course_ = _course(ctx)
    total = len(submitted_pairs(course_, course_.assignment_ids(list(exercises)), list(students)))
    if total == 0:
        console.print(M.t("grade_nothing"))
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(M.t("grading"), total=total)
        results = grade_all(course_, list(exercises), list(students), workers or default_workers(), force,
                            on_result=lambda _r: progress.advance(task))  # fmt: skip
    table = Table(title=M.t("grade_table_title"))
    for key in ("col_student", "col_exercise", "col_status", "col_score", "col_reason"):
        table.add_column(M.t(key))
    for r in results:
        table.add_row(r.student_id, r.assignment_id, M.t(f"status_{r.status}"),
                      f"{r.score:g}/{r.max_score:g}", localise_reason(r.reason))  # fmt: skip
    console.print(table)
    counts = Counter(r.status for r in results)
    console.print(M.t("grade_summary", graded=counts["graded"], manual=counts["needs_manual"],
                      failed=counts["failed"], flagged=counts["flagged"]))  # fmt: skip
    if counts["infrastructure"]:
        sys.exit(1)


@cli.command()
@click.argument("exercises", nargs=-1)
@click.option("--student", "students", multiple=True, help="Only this participant (repeatable).")
@click.pass_context
@friendly_errors
def feedback(ctx, exercises, students) -> None:
    """Write feedback HTML per participant (hidden tests removed, content sanitised)."""
    from c4c_lms.lms.feedback import generate_feedback

    course_ = _course(ctx)
    results = generate_feedback(course_, list(exercises), list(students))
    failed = [r for r in results if not r.ok]
    for r in failed:
        console.print(f"  {r.student_id}/{r.assignment_id}: {r.message}", markup=False)
    console.print(M.t("feedback_written", ok=len(results) - len(failed), failed=len(failed),
                      folder=course_.workdir / "feedback"))  # fmt: skip


# -- export ------------------------------------------------------------------------------------
@cli.group()
def export() -> None:
    """Export grades for an LMS."""


@export.command("grades")
@click.option("--format", "fmt", type=click.Choice(["csv", "moodle", "canvas"]), default="csv",
              show_default=True, help="csv = nbgrader's long table; moodle/canvas = their import layouts.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.pass_context
@friendly_errors
def export_grades_cmd(ctx, fmt: str, output: Path) -> None:
    """Write grades as CSV for Moodle, Canvas or nbgrader's long format."""
    from c4c_lms.lms.export import export_grades

    rows = export_grades(_course(ctx), fmt, output)
    console.print(M.t("export_written", rows=rows, path=output, fmt=fmt))


# -- serve -------------------------------------------------------------------------------------
@cli.command()
@click.option("--port", type=int, default=8888, show_default=True)
@click.option("--open-browser", is_flag=True, help="Open JupyterLab in the default browser.")
@click.pass_context
@friendly_errors
def serve(ctx, port: int, open_browser: bool) -> None:
    """Start JupyterLab (modules, exercises, formgrader) and the Voila apps; Ctrl-C stops."""
    from c4c_lms.lms.serve import serve as run_server

    course_ = _course(ctx)

    def show(urls: dict[str, str]) -> None:
        console.print(M.t("serve_urls"))
        console.print(f"  {M.t('serve_lab')}: {urls.pop('lab')}", markup=False)
        console.print(f"  {M.t('serve_formgrader')}: {urls.pop('formgrader')}", markup=False)
        for app, url in urls.items():
            console.print(f"  {M.t('serve_app', app=app)}: {url}", markup=False)

    code = run_server(course_, port=port, open_browser=open_browser, echo=show)
    console.print(M.t("serve_stopped"))
    sys.exit(code or 0)


for _command in cli_cohort.COMMANDS:
    cli.add_command(_command)

from c4c_lms.cli import refdata as refdata_cli  # noqa: E402

cli.add_command(refdata_cli.refdata)
