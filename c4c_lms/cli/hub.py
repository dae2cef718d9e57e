"""``c4c hub …``: the hosted course (JupyterHub). Thin wrappers over the ``hub_*`` functions
of :mod:`c4c_lms.api`; ``make hub`` runs ``c4c hub start``."""

from __future__ import annotations

import getpass
import os
import signal
import sys
from pathlib import Path

import click

from c4c_lms import api
from c4c_lms.cli.common import console, course_root, friendly_errors, lang
from c4c_lms.core.i18n import Catalogue

H = Catalogue.load("hub")


@click.group()
def hub() -> None:
    """Host the course on JupyterHub (accounts, sign-in links, start)."""


@hub.group()
def accounts() -> None:
    """OS accounts of participants and staff."""


@accounts.command("sync")
@friendly_errors
def accounts_sync() -> None:
    """Create accounts from the roster; lock removed participants (files kept), stop their servers."""
    done = api.hub_sync_accounts(lang=lang(), course_root=course_root())
    console.print(H.t("accounts_synced", lang(), **{k: len(v) for k, v in done.items() if k != "stopped"}))
    if done["stopped"]:
        console.print(H.t("servers_stopped", lang(), names=", ".join(done["stopped"])), markup=False)


@hub.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--person", "people", multiple=True, help="Only these ids (participants or staff).")
@click.option("--valid-hours", type=float, default=None, help="Default: [hub] link_valid_hours.")
@friendly_errors
def links(output: Path, people: tuple[str, ...], valid_hours: float | None) -> None:
    """Write signed, expiring, single-use sign-in links (CSV) for the roster."""
    done = api.hub_links(output=output, people=list(people) or None, valid_hours=valid_hours,
                         lang=lang(), course_root=course_root())  # fmt: skip
    console.print(H.t("links_written", lang(), count=done["count"], path=output, until=done["until"]), markup=False)


@hub.command()
@click.argument("user")
@friendly_errors
def password(user: str) -> None:
    """Set a staff member's password (from C4C_STAFF_PASSWORD or asked for)."""
    secret = os.environ.get("C4C_STAFF_PASSWORD") or getpass.getpass(f"{user}: ")
    api.hub_set_password(user=user, password=secret, lang=lang(), course_root=course_root())
    console.print(H.t("password_set", lang(), user=user), markup=False)


@hub.command()
@click.option("--exercise", "exercises", multiple=True)
@friendly_errors
def release(exercises: tuple[str, ...]) -> None:
    """Release exercises into nbgrader's exchange (participants fetch them)."""
    for assignment in api.hub_release(exercises=list(exercises) or None, course_root=course_root()):
        console.print(f"  {assignment}", markup=False)


@hub.command()
@click.option("--exercise", "exercises", multiple=True)
@friendly_errors
def collect(exercises: tuple[str, ...]) -> None:
    """Collect submissions from nbgrader's exchange (then `c4c grade`)."""
    for assignment in api.hub_collect(exercises=list(exercises) or None, course_root=course_root()):
        console.print(f"  {assignment}", markup=False)


@hub.command("k8s-values")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--db-host", default=api.hub_k8s_values.__kwdefaults__["db_host"], help="PostgreSQL server.")
@click.option("--db-port", type=int, default=api.hub_k8s_values.__kwdefaults__["db_port"])
@click.option("--secret", "secret_name", default="", help="Kubernetes Secret (default: <course id>-secrets).")
@click.option("--storage-class", default="", help="Storage class of the home volumes (default: the cluster's).")
@friendly_errors
def k8s_values(output: Path, db_host: str, db_port: int, secret_name: str, storage_class: str) -> None:
    """Write Zero to JupyterHub Helm values for this course (Kubernetes, past one machine)."""
    data = api.hub_k8s_values(output=output, db_host=db_host, db_port=db_port, secret_name=secret_name,
                              storage_class=storage_class, lang=lang(), course_root=course_root())  # fmt: skip
    secret = data["hub"]["extraEnv"]["PGPASSWORD"]["valueFrom"]["secretKeyRef"]["name"]
    console.print(H.t("k8s_written", lang(), path=output, secret=secret), markup=False)


@hub.command()
@friendly_errors
def start() -> None:
    """Start PostgreSQL and JupyterHub; Ctrl-C (or SIGTERM) stops both."""
    running = api.hub_start(lang=lang(), course_root=course_root())
    console.print(H.t("hub_running", lang(), url=running.url), markup=False)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        running.process.wait()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        running.stop()
        console.print(H.t("hub_stopped", lang()))
