"""Sign-in links for courses without an LMS, and staff passwords.

A link carries ``<payload>.<signature>``: the payload is the account name, an expiry time and
a random nonce (base64url JSON); the signature is HMAC-SHA256 with the key from the
environment variable named in ``[hub] link_secret_env``. A link works once: its nonce is
recorded on first use in ``<state>/used_links`` (root-only) and refused afterwards.
Staff sign in with a password, stored only as an scrypt hash in ``<state>/staff_passwords.json``.
"""

from __future__ import annotations

import base64
import csv
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path

from c4c_lms.core.files import neutralise_formula, write_text_atomic
from c4c_lms.hub.errors import HubError

LOGIN_PATH = "/hub/c4c-signin"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_token(secret: str, user: str, valid_s: float, now: float | None = None) -> str:
    """A signed, expiring, single-use sign-in token for ``user``."""
    now = time.time() if now is None else now
    payload = _b64(json.dumps({"u": user, "x": int(now + valid_s), "n": secrets.token_urlsafe(12)},
                              separators=(",", ":")).encode())  # fmt: skip
    signature = _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())
    return f"{payload}.{signature}"


class LinkRefused(Exception):
    """Why a token was refused: ``code`` is ``malformed``, ``forged``, ``expired`` or ``used``."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


def check_token(secret: str, token: str, now: float | None = None) -> dict:
    """The token's payload (``u``, ``x``, ``n``) if its signature holds and it has not expired."""
    payload, _, signature = token.partition(".")
    if not payload or not signature:
        raise LinkRefused("malformed")
    expected = _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected, signature):
        raise LinkRefused("forged")
    try:
        data = json.loads(_unb64(payload))
        user, expiry, nonce = str(data["u"]), int(data["x"]), str(data["n"])
    except (ValueError, KeyError, TypeError):
        raise LinkRefused("malformed") from None
    if (time.time() if now is None else now) > expiry:
        raise LinkRefused("expired")
    return {"u": user, "x": expiry, "n": nonce}


def spend(used_file: Path, nonce: str) -> None:
    """Record ``nonce`` as used; ``LinkRefused('used')`` if it already was (file-locked)."""
    used_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(used_file, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "r+", encoding="ascii") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        if nonce in {line.strip() for line in fh}:
            raise LinkRefused("used")
        fh.write(nonce + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def require_secret(env_name: str, message: str) -> str:
    value = os.environ.get(env_name, "")
    if len(value) < 16:
        raise HubError(message)
    return value


def write_links(output: Path, rows: list[dict[str, str]]) -> None:
    """CSV of ``id, name, email, link, valid_until`` (UTF-8 with BOM for spreadsheet programs)."""
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["id", "name", "email", "link", "valid_until"])
    writer.writeheader()
    writer.writerows({key: neutralise_formula(value) for key, value in row.items()} for row in rows)
    write_text_atomic(output, "\ufeff" + buffer.getvalue())
    output.chmod(0o600)


# -- staff passwords ---------------------------------------------------------------------------
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **SCRYPT)
    return f"scrypt${_b64(salt)}${_b64(digest)}"


def check_password(stored: str, password: str) -> bool:
    try:
        kind, salt, digest = stored.split("$")
    except ValueError:
        return False
    if kind != "scrypt":
        return False
    attempt = hashlib.scrypt(password.encode(), salt=_unb64(salt), dklen=32, **SCRYPT)
    return hmac.compare_digest(_b64(attempt), digest)


def set_password(store: Path, user: str, password: str) -> None:
    data = json.loads(store.read_text(encoding="utf-8")) if store.is_file() else {}
    data[user] = hash_password(password)
    write_text_atomic(store, json.dumps(data, indent=1))
    store.chmod(0o600)


def password_ok(store: Path, user: str, password: str) -> bool:
    if not store.is_file() or not password:
        return False
    stored = json.loads(store.read_text(encoding="utf-8")).get(user)
    return bool(stored) and check_password(stored, password)


def links_for(course, lang: str, names: list[str] | None = None, valid_hours: float | None = None,
              now: float | None = None) -> list[dict[str, str]]:
    """One signed link per participant (or per name in ``names``: participants and staff)."""
    import datetime as dt

    from c4c_lms.core.i18n import Catalogue
    from c4c_lms.lms.roster import load_roster

    messages = Catalogue.load("hub")
    hub = course.config.hub
    secret = require_secret(hub.link_secret_env, messages.t("missing_secret", lang, name=hub.link_secret_env))
    roster = {p.id: p for p in load_roster(course)}
    staff = [*course.config.staff.lecturers, *course.config.staff.graders]
    wanted = list(roster) if names is None else names
    unknown = [n for n in wanted if n not in roster and n not in staff]
    if unknown:
        raise HubError(messages.t("unknown_people", lang, names=", ".join(unknown)))
    valid_s = (valid_hours or hub.link_valid_hours) * 3600
    now = time.time() if now is None else now
    base = hub.public_url.rstrip("/") or f"http://{hub.ip}:{hub.port}"
    until = dt.datetime.fromtimestamp(now + valid_s, dt.timezone.utc).isoformat(timespec="minutes")
    rows = []
    for name in wanted:
        person = roster.get(name)
        rows.append({"id": name, "name": person.name_uk or person.name_lat if person else name,
                     "email": person.email if person else "", "valid_until": until,
                     "link": f"{base}{LOGIN_PATH}?t={make_token(secret, name, valid_s, now)}"})  # fmt: skip
    return rows
