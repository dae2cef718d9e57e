"""``c4c lti keys|register`` and ``c4c lms push-grades``: the LMS connection (LTI 1.3). Thin
wrappers over :mod:`c4c_lms.api`; ``c4c roster import --from-lms`` prints through
:func:`print_lms_import`."""

from __future__ import annotations

import click

from c4c_lms import api
from c4c_lms.cli.common import console, course_root, friendly_errors, lang, print_table
from c4c_lms.core.i18n import Catalogue

L = Catalogue.load("lti")


@click.group()
def lti() -> None:
    """Connect the course to Moodle or Canvas (LTI 1.3): tool keys, registration."""


@lti.command()
@click.option("--replace", is_flag=True, help="Replace an existing key (the LMS reads the new keyset).")
@friendly_errors
def keys(replace: bool) -> None:
    """Create the tool's RSA key pair (private key path from [lti] private_key_env)."""
    console.print(L.t("keys_written", lang(), **api.lti_keys(replace=replace, course_root=course_root())),
                  markup=False)  # fmt: skip


@lti.command()
@click.option("--platform", type=click.Choice(["moodle", "canvas"]),
              default=api.lti_register.__kwdefaults__["platform"], show_default=True)  # fmt: skip
@friendly_errors
def register(platform: str) -> None:
    """Print what to paste into the LMS to register the tool."""
    done = api.lti_register(platform=platform, course_root=course_root())
    console.print(L.t(f"register_{platform}", lang()), markup=False)
    if platform == "canvas":
        console.print(done["json"], markup=False)
    else:
        for label, value in done["fields"]:
            console.print(f"  {label}: {value}", markup=False)
    console.print(L.t("register_then", lang(), endpoints=done["endpoints"]), markup=False)


def print_lms_import(report: dict, dry_run: bool) -> None:
    counts = {k: len(v) for k, v in report.items() if k not in ("total", "not_in_lms", "conflicts")}
    console.print(L.t("import_report", lang(), total=report["total"][0], **counts), markup=False)
    for key in ("added", "linked", "updated"):
        if report[key]:
            console.print(f"  {key}: {', '.join(report[key])}", markup=False)
    if report["not_in_lms"]:
        console.print(L.t("import_not_in_lms", lang(), names=", ".join(report["not_in_lms"])), markup=False)
    if dry_run:
        console.print(L.t("import_dry_run", lang()))


@click.group()
def lms() -> None:
    """Grades back to the LMS gradebook (LTI Assignment and Grade Services)."""


def reason_text(reason: str, language: str) -> str:
    if not reason:
        return ""
    if f"reason_{reason}" in L.entries:
        return L.t(f"reason_{reason}", language)
    return L.t("reason_http", language, status=reason.removeprefix("http_"))


@lms.command("push-grades")
@click.argument("exercises", nargs=-1)
@click.option("--dry-run", is_flag=True, help="Show what would be posted; send nothing.")
@friendly_errors
def push_grades(exercises: tuple[str, ...], dry_run: bool) -> None:
    """Post each participant's score per exercise to the LMS (only what changed)."""
    language = lang()
    rows = api.push_grades(exercises=list(exercises) or None, dry_run=dry_run, course_root=course_root())
    columns = [L.t(k, language) for k in ("col_exercise", "col_participant", "col_score", "col_status")]
    print_table(L.t("push_title", language), columns, [
        [r["exercise"], r["student"], f"{r['score']:g}/{r['max']:g}", L.t(f"status_{r['status']}", language)]
        for r in rows])  # fmt: skip
    for r in rows:  # reasons on their own lines: whole sentences, not squeezed into a column
        if r["status"] == "failed":
            console.print(f"  {r['exercise']} {r['student']}: {reason_text(r['reason'], language)}", markup=False)
    count = {s: sum(1 for r in rows if r["status"] == s) for s in ("posted", "unchanged", "failed", "would_post")}
    if dry_run:
        console.print(L.t("push_dry_run", language, count=count["would_post"]), markup=False)
    else:
        console.print(L.t("push_summary", language, **{k: v for k, v in count.items() if k != "would_post"}),
                      markup=False)  # fmt: skip
    if count["failed"]:
        raise SystemExit(1)
