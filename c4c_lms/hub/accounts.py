"""One OS account per roster participant and staff member, created from the roster.

The hub runs as root and starts each participant's server as that participant's own account
(JupyterHub's ``LocalProcessSpawner``), so the kernel has exactly the rights of that account:

- homes are ``0700``: nobody but the owner (and root) reads a participant's files;
- ``exercises/`` (sources with solutions and hidden tests) and the working folder (submissions,
  autograded copies) belong to ``root:staff-<course>`` with no rights for others;
- the hub's own folder (cookie secret, database cluster, used links) is ``0711``/``0700``.

Accounts are tagged in their GECOS field (``c4c/<course>/<role>``) so a sync recognises its
own accounts and never touches a system account that happens to share a name.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from c4c_lms.core.config import ACCOUNT_NAME, Course
from c4c_lms.core.files import write_text_atomic
from c4c_lms.core.i18n import Catalogue
from c4c_lms.hub.errors import HubError
from c4c_lms.lms.roster import load_roster

M = Catalogue.load("hub")


@dataclass(frozen=True)
class Account:
    name: str
    role: str  # participant | lecturer | grader | service


def learners_group(course: Course) -> str:
    return f"learners-{course.config.course.id}"[:32]


def staff_group(course: Course) -> str:
    return f"staff-{course.config.course.id}"[:32]


def grader_account(course: Course) -> str:
    """The identity the formgrader service runs as (nbgrader's ``grader-<course>``)."""
    return f"grader-{course.config.course.id}"[:32]


def state_dir(course: Course) -> Path:
    path = Path(course.config.hub.state_dir)
    return path if path.is_absolute() else (course.root / path).resolve()


def home_base(course: Course) -> Path:
    return Path(course.config.hub.home_base)


def tag(course: Course, role: str) -> str:
    return f"c4c/{course.config.course.id}/{role}"


def planned(course: Course, lang: str, participant_ids: list[str] | None = None) -> list[Account]:
    """Every account the course needs; all invalid names reported at once (nothing created)."""
    ids = [p.id for p in load_roster(course)] if participant_ids is None else participant_ids
    staff = course.config.staff
    problems = [M.t("bad_account_name", lang, id=i) for i in ids if not ACCOUNT_NAME.match(i)]
    staff_names = set(staff.lecturers) | set(staff.graders) | {grader_account(course)}
    problems += [M.t("account_clash", lang, id=i) for i in ids if i in staff_names]
    if problems:
        raise HubError("\n".join(problems))
    accounts = [Account(i, "participant") for i in ids]
    accounts += [Account(n, "lecturer") for n in staff.lecturers]
    accounts += [Account(n, "grader") for n in staff.graders if n not in staff.lecturers]
    accounts.append(Account(grader_account(course), "service"))
    return accounts


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, text=True)


def _ensure_group(name: str) -> None:
    try:
        grp.getgrnam(name)
    except KeyError:
        _run("groupadd", name)


def _gecos(name: str) -> str | None:
    try:
        return pwd.getpwnam(name).pw_gecos
    except KeyError:
        return None


def sync(course: Course, lang: str, participant_ids: list[str] | None = None) -> dict[str, list[str]]:
    """Create missing accounts, unlock returning ones, lock the ones no longer on the roster.

    Idempotent: a second run changes nothing. Files of removed participants are kept.
    Returns the names ``created``, ``unchanged``, ``locked`` and ``unlocked``.
    """
    if os.geteuid() != 0:
        raise HubError(M.t("needs_root", lang))
    accounts = planned(course, lang, participant_ids)
    foreign = [a.name for a in accounts
               if (g := _gecos(a.name)) is not None and not g.startswith(f"c4c/{course.config.course.id}/")]
    if foreign:
        raise HubError("\n".join(M.t("account_foreign", lang, id=n) for n in foreign))
    learners, staff = learners_group(course), staff_group(course)
    for group in (learners, staff):
        _ensure_group(group)
    base = home_base(course)
    base.mkdir(parents=True, exist_ok=True)
    done: dict[str, list[str]] = {"created": [], "unchanged": [], "locked": [], "unlocked": []}
    for account in accounts:
        group = learners if account.role == "participant" else staff
        gecos = _gecos(account.name)
        if gecos is None:
            _run("useradd", "--create-home", "--base-dir", str(base), "--gid", group,
                 "--shell", "/bin/bash", "--comment", tag(course, account.role), account.name)
            done["created"].append(account.name)
        elif _locked(account.name):
            _run("usermod", "--expiredate", "", account.name)
            done["unlocked"].append(account.name)
        else:
            done["unchanged"].append(account.name)
        home = Path(pwd.getpwnam(account.name).pw_dir)
        if home.is_dir() and stat.S_IMODE(home.stat().st_mode) != 0o700:
            home.chmod(0o700)
    wanted = {a.name for a in accounts}
    for entry in pwd.getpwall():
        if entry.pw_gecos == tag(course, "participant") and entry.pw_name not in wanted \
                and not _locked(entry.pw_name):  # fmt: skip
            _run("usermod", "--expiredate", "1", entry.pw_name)
            done["locked"].append(entry.pw_name)
    write_accounts_file(course, accounts)
    secure_course_folders(course)
    return done


def _locked(name: str) -> bool:
    """Locked by us = account expired (field 8 of /etc/shadow is 1); accounts never have passwords."""
    for line in Path("/etc/shadow").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == name:
            return len(fields) > 7 and fields[7] == "1"
    return False


def accounts_file(course: Course) -> Path:
    return state_dir(course) / "accounts.json"


def write_accounts_file(course: Course, accounts: list[Account]) -> None:
    """Who may sign in, by role; the authenticator re-reads it at each login."""
    by_role: dict[str, list[str]] = {"participant": [], "lecturer": [], "grader": [], "service": []}
    for account in accounts:
        by_role[account.role].append(account.name)
    state = state_dir(course)
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o711)
    write_text_atomic(accounts_file(course), json.dumps(by_role, indent=1))
    accounts_file(course).chmod(0o600)


def read_accounts_file(path: Path) -> dict[str, list[str]]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"participant": [], "lecturer": [], "grader": [], "service": []}


def _chmod_tree(root: Path, group: str, dir_mode: int, file_mode: int) -> None:
    gid = grp.getgrnam(group).gr_gid
    for folder, dirs, files in os.walk(root):
        os.chown(folder, 0, gid)
        os.chmod(folder, dir_mode)
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chown(path, 0, gid)
                os.chmod(path, file_mode)


def secure_course_folders(course: Course) -> None:
    """Solutions and the working folder: staff group only, nothing for others."""
    staff = staff_group(course)
    exercises = course.path("exercises")
    if exercises.is_dir():
        _chmod_tree(exercises, staff, 0o2770, 0o660)
    work = course.workdir
    work.mkdir(parents=True, exist_ok=True)
    _chmod_tree(work, staff, 0o2770, 0o660)


def remove_accounts(course: Course, names: list[str]) -> None:
    """Delete accounts of this course (tests and a finished course); homes are deleted too."""
    for name in names:
        gecos = _gecos(name)
        if gecos is not None and gecos.startswith(f"c4c/{course.config.course.id}/"):
            for _ in range(50):  # userdel refuses while the account still has processes
                subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
                if subprocess.run(["userdel", "--remove", name], capture_output=True).returncode != 8:
                    break
                time.sleep(0.2)
