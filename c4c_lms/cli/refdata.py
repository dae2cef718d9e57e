"""``c4c refdata``: commands about the reference tables (c4c_lms/refdata/data).

A thin click layer over :func:`c4c_lms.refdata.staleness.check_staleness`; the root group in
:mod:`c4c_lms.cli.main` registers :data:`refdata`.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from c4c_lms.cli.common import console
from c4c_lms.core.i18n import Catalogue
from c4c_lms.refdata.schema import DEFAULT_MAX_AGE_DAYS

M = Catalogue.load("refdata")


def _course_start(root: Path | None) -> dt.date | None:
    """The first day of the course in course/course.toml, or None when no course is found."""
    from c4c_lms.core.config import load_course
    from c4c_lms.core.exceptions import C4CError

    try:
        return load_course(root).config.course.start
    except (C4CError, FileNotFoundError):
        return None


@click.group()
def refdata() -> None:
    """Reference data: programmes, events, cases, oblasts."""


@refdata.command("check")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Day to check for, YYYY-MM-DD (default: the course's first day in "
                   "course/course.toml, else today).")
@click.option("--max-age-days", type=int, default=DEFAULT_MAX_AGE_DAYS, show_default=True,
              help="A row checked more than this many days before the day is stale.")
@click.option("--data-dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder with the reference CSVs to check (default: the package's own).")
@click.pass_context
def check(ctx: click.Context, as_of: dt.datetime | None, max_age_days: int,
          data_dir: Path | None) -> None:
    """List stale rows and "upcoming" dates that are past on the day; exit 1 if any."""
    from rich.table import Table

    from c4c_lms.refdata.staleness import check_staleness, describe  # pandas: only when checking

    obj = ctx.find_root().obj or {}
    lang = obj.get("lang") or "uk"
    if max_age_days < 0:
        raise click.BadParameter(M.t("bad_max_age", lang), param_hint="--max-age-days")
    if as_of is not None:
        day = as_of.date()
    else:
        day = _course_start(obj.get("root"))
        console.print(M.t("as_of_source_course" if day else "as_of_source_today", lang))
        day = day or dt.date.today()
    findings = check_staleness(as_of=day, max_age_days=max_age_days, data_dir=data_dir)
    console.print(M.t("check_heading", lang, as_of=day.isoformat(), max=max_age_days))
    if not findings:
        console.print(M.t("check_ok", lang))
        return
    table = Table(M.t("col_table", lang), M.t("col_row", lang), M.t("col_problem", lang))
    for f in findings:
        table.add_row(f.table, f.row_id, describe(f, lang=lang, as_of=day, max_age_days=max_age_days))
    console.print(table)
    stale = sum(f.kind == "stale" for f in findings)
    console.print(M.t("check_found", lang, stale=stale, past=len(findings) - stale))
    sys.exit(1)
