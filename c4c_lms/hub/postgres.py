"""A private PostgreSQL cluster (Debian's ``postgresql``) for the hub database and the gradebook.

The cluster lives in ``<state>/pg``, is owned by the ``postgres`` OS account (PostgreSQL
refuses to run as root), listens only on 127.0.0.1 and asks every TCP client for a password
(scram-sha-256). The role ``c4c`` owns the databases ``jupyterhub`` and ``gradebook``; its
password is set from the environment at every start, so the environment is the only place
that holds it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

from c4c_lms.core.i18n import Catalogue
from c4c_lms.hub.errors import HubError

M = Catalogue.load("hub")
ROLE = "c4c"
DATABASES = ("jupyterhub", "gradebook")


def pg_bin(lang: str) -> Path:
    """The folder of the newest installed PostgreSQL server programs."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if not versions:
        raise HubError(M.t("no_postgres", lang))
    return versions[-1].parent


def url(password: str, port: int, database: str) -> str:
    return f"postgresql://{ROLE}:{quote(password, safe='')}@127.0.0.1:{port}/{database}"


def redact(db_url: str) -> str:
    head, at, tail = db_url.rpartition("@")
    return f"{head.split(':')[0]}:{head.split(':')[1]}:***@{tail}" if at and head.count(":") >= 2 else db_url


class Cluster:
    def __init__(self, folder: Path, port: int, lang: str, os_user: str = "postgres"):
        self.folder, self.port, self.lang, self.os_user = folder, port, lang, os_user
        self.bin = pg_bin(lang)
        try:
            pwd.getpwnam(os_user)
        except KeyError:
            raise HubError(M.t("no_postgres", lang)) from None

    def _as_owner(self, *command: str, input: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(["runuser", "-u", self.os_user, "--", *command], input=input,
                              capture_output=True, text=True, cwd="/")  # fmt: skip

    def init(self) -> None:
        if (self.folder / "PG_VERSION").exists():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        entry = pwd.getpwnam(self.os_user)
        os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self.folder.chmod(0o700)
        done = self._as_owner(str(self.bin / "initdb"), "-D", str(self.folder), "-U", "postgres",
                              "--auth-local=peer", "--auth-host=scram-sha-256", "-E", "UTF8")  # fmt: skip
        if done.returncode:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise HubError(M.t("db_init_failed", self.lang, error=done.stderr.strip()[-500:]))

    def running(self) -> bool:
        return self._as_owner(str(self.bin / "pg_ctl"), "-D", str(self.folder), "status").returncode == 0

    def start(self, password: str) -> None:
        self.init()
        if not self.running():
            options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c max_connections=400"
            done = self._as_owner(str(self.bin / "pg_ctl"), "-D", str(self.folder), "-l",
                                  str(self.folder / "server.log"), "-o", options, "-w", "-t", "60", "start")  # fmt: skip
            if done.returncode:
                log = (self.folder / "server.log").read_text(errors="replace")[-800:] \
                    if (self.folder / "server.log").exists() else done.stderr  # fmt: skip
                raise HubError(M.t("db_start_failed", self.lang, port=self.port, error=log.strip()))
        literal = password.replace("'", "''")
        sql = (f"SELECT 'CREATE ROLE {ROLE} LOGIN' WHERE NOT EXISTS "
               f"(SELECT FROM pg_roles WHERE rolname = '{ROLE}')\\gexec\n"
               f"ALTER ROLE {ROLE} LOGIN PASSWORD '{literal}';\n")  # fmt: skip
        for db in DATABASES:
            sql += (f"SELECT 'CREATE DATABASE {db} OWNER {ROLE}' WHERE NOT EXISTS "
                    f"(SELECT FROM pg_database WHERE datname = '{db}')\\gexec\n")  # fmt: skip
        done = self._as_owner(str(self.bin / "psql"), "-h", str(self.folder), "-p", str(self.port),
                              "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-f", "-",
                              input=sql)  # fmt: skip
        if done.returncode:
            raise HubError(M.t("db_start_failed", self.lang, port=self.port, error=done.stderr.strip()))

    def stop_command(self) -> list[str]:
        """The command that shuts the cluster down cleanly (for a watchdog to run later)."""
        return ["runuser", "-u", self.os_user, "--", str(self.bin / "pg_ctl"), "-D", str(self.folder),
                "-m", "fast", "-w", "stop"]  # fmt: skip

    def stop(self) -> None:
        if (self.folder / "PG_VERSION").exists() and self.running():
            self._as_owner(str(self.bin / "pg_ctl"), "-D", str(self.folder), "-m", "fast", "-w", "stop")


def check(db_url: str, lang: str) -> None:
    """Connect once; a clear message (password hidden) when the database cannot be reached."""
    import psycopg

    try:
        psycopg.connect(db_url, connect_timeout=5).close()
    except psycopg.Error as err:
        raise HubError(M.t("db_down", lang, url=redact(db_url), error=str(err).strip())) from None
