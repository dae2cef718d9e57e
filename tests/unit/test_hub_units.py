"""The hub's pure parts, without a hub: sign-in link tokens, staff password hashes, account
names from the roster, and the JupyterHub configuration derived from course.toml."""

from __future__ import annotations

import multiprocessing
import os
import pwd
import shutil
import stat
from pathlib import Path

import pytest
from traitlets.config import Config

from c4c_lms.core.config import load_course
from c4c_lms.hub import accounts, hubconfig, links
from c4c_lms.hub.errors import HubError
from c4c_lms.hub.links import LinkRefused

FIXTURE = Path(__file__).resolve().parents[1] / "files" / "course101"
SECRET = "k" * 32


# -- link tokens ---------------------------------------------------------------------------------
def test_a_token_carries_its_user_and_expiry():
    token = links.make_token(SECRET, "olena", 3600, now=1_000_000)
    claim = links.check_token(SECRET, token, now=1_000_000 + 3599)
    assert claim["u"] == "olena" and claim["x"] == 1_000_000 + 3600 and len(claim["n"]) >= 16
    assert links.make_token(SECRET, "olena", 3600, now=1_000_000) != token  # a fresh nonce each time


@pytest.mark.parametrize("tamper", ["other key", "payload", "signature", "swap user"])
def test_a_tampered_or_foreign_token_is_forged(tamper):
    token = links.make_token(SECRET, "olena", 3600)
    payload, signature = token.split(".")
    other = links.make_token(SECRET, "taras", 3600)
    if tamper == "other key":
        token = links.make_token("x" * 32, "olena", 3600)
    elif tamper == "payload":
        token = f"{payload[:-1]}{'A' if payload[-1] != 'A' else 'B'}.{signature}"
    elif tamper == "signature":
        token = f"{payload}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"
    else:  # taras's payload under olena's signature
        token = f"{other.split('.')[0]}.{signature}"
    with pytest.raises(LinkRefused) as refused:
        links.check_token(SECRET, token)
    assert refused.value.code == "forged"


def test_an_expired_token_is_refused_and_garbage_is_malformed():
    token = links.make_token(SECRET, "olena", 60, now=1_000_000)
    with pytest.raises(LinkRefused, match="expired"):
        links.check_token(SECRET, token, now=1_000_061)
    for garbage in ("", "no-dot", ".sig", "payload."):
        with pytest.raises(LinkRefused, match="malformed"):
            links.check_token(SECRET, garbage)


def _spend(args) -> str:
    used, nonce = args
    try:
        links.spend(Path(used), nonce)
        return "ok"
    except LinkRefused as refused:
        return refused.code


def test_a_nonce_is_spent_once_even_by_racing_processes(tmp_path):
    """Eight processes spend the same link at once: exactly one wins; the file is root-only."""
    used = tmp_path / "state" / "used_links"
    with multiprocessing.get_context("fork").Pool(8) as pool:
        outcomes = pool.map(_spend, [(str(used), "nonce-1")] * 8)
    assert sorted(outcomes) == ["ok"] + ["used"] * 7
    assert links.spend(used, "nonce-2") is None
    assert stat.S_IMODE(used.stat().st_mode) == 0o600
    assert used.read_text().split() == ["nonce-1", "nonce-2"]


def test_require_secret_wants_sixteen_characters(monkeypatch):
    monkeypatch.setenv("C4C_TEST_SECRET", "short")
    with pytest.raises(HubError, match="too short"):
        links.require_secret("C4C_TEST_SECRET", "too short")
    monkeypatch.setenv("C4C_TEST_SECRET", "x" * 16)
    assert links.require_secret("C4C_TEST_SECRET", "unused") == "x" * 16


# -- staff passwords -------------------------------------------------------------------------
def test_password_hashes_are_salted_scrypt_and_checked_in_constant_time(tmp_path):
    first, second = links.hash_password("correct horse"), links.hash_password("correct horse")
    assert first != second and first.startswith("scrypt$") and "correct" not in first
    assert links.check_password(first, "correct horse") and not links.check_password(first, "correct hors")
    for stored in ("", "plain", "md5$a$b", "scrypt$only-two"):
        assert not links.check_password(stored, "correct horse")
    store = tmp_path / "staff_passwords.json"
    links.set_password(store, "lect101", "correct horse battery")
    assert stat.S_IMODE(store.stat().st_mode) == 0o600 and "battery" not in store.read_text()
    assert links.password_ok(store, "lect101", "correct horse battery")
    assert not links.password_ok(store, "lect101", "")
    assert not links.password_ok(store, "nobody", "correct horse battery")
    assert not links.password_ok(tmp_path / "missing.json", "lect101", "correct horse battery")


# -- account names ---------------------------------------------------------------------------
@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course101"
    shutil.copytree(FIXTURE, root)
    with open(root / "course" / "course.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[staff]\nlecturers = ["lect101"]\ngraders = ["tutor1"]\n\n[hub]\nport = 8123\n'
                 'idle_timeout_min = 2.5\ncull_every_s = 15\nmemory_limit_mb = 700\n'
                 f'home_base = "{tmp_path / "home"}"\n')
    return load_course(root)


def test_invalid_participant_ids_are_all_refused_with_a_clear_message(course):
    bad = ["Olena", "1taras", "iryna.k", "petro k", "x" * 33, "lect101"]
    with pytest.raises(HubError) as err:
        accounts.planned(course, "en", ["olena", *bad])
    text = str(err.value)
    for name in bad[:-1]:
        assert f"'{name}' cannot be an account name" in text
    assert "'lect101' is also a staff name" in text
    with pytest.raises(HubError, match="не може бути іменем облікового запису"):
        accounts.planned(course, "uk", ["Olena"])


def test_planned_accounts_have_their_roles(course):
    planned = accounts.planned(course, "en", ["olena", "taras"])
    assert [(a.name, a.role) for a in planned] == [
        ("olena", "participant"), ("taras", "participant"), ("lect101", "lecturer"),
        ("tutor1", "grader"), ("grader-course101", "service")]  # fmt: skip


@pytest.mark.skipif(os.geteuid() != 0, reason="sync creates OS accounts: root only")
def test_sync_with_an_invalid_id_creates_nothing(course):
    """One bad id among good ones: nothing is created, not even the good ones or the groups."""
    good = "zz-c4cunit-ok"
    with pytest.raises(HubError, match="'Bad.Name' cannot be an account name"):
        accounts.sync(course, "en", [good, "Bad.Name"])
    with pytest.raises(KeyError):
        pwd.getpwnam(good)
    assert not (Path(course.config.hub.home_base)).exists()


# -- JupyterHub configuration ------------------------------------------------------------------
def test_config_has_the_culler_timeout_roles_and_services(course):
    s = hubconfig.settings(course)
    assert s["idle_timeout_s"] == 150 and s["cull_every_s"] == 15 and s["memory_limit_mb"] == 700
    c = Config()
    env = {"C4C_HUB_DB_URL_RUNTIME": "postgresql://c4c:pw@127.0.0.1:5433/jupyterhub",
           "C4C_GRADEBOOK_URL": "postgresql://c4c:pw@127.0.0.1:5433/gradebook", "C4C_HUB_ADMIN_TOKEN": "t" * 20}
    hubconfig.apply(c, s, env)
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8123"
    assert c.JupyterHub.db_url == env["C4C_HUB_DB_URL_RUNTIME"]
    assert c.JupyterHub.authenticator_class == "c4c_lms.hub.auth.C4CAuthenticator"
    assert c.C4CSpawner.memory_limit_mb == 700
    assert c.JupyterHub.load_groups == {"formgrade-course101": {"users": ["lect101", "tutor1"]}}
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    staff = roles["formgrade-course101"]
    assert staff["groups"] == ["formgrade-course101"] and "users" not in staff
    assert {"access:services!service=course101", "access:services!service=report"} <= set(staff["scopes"])
    assert roles["idle-culler"]["services"] == ["idle-culler"]
    assert set(roles["idle-culler"]["scopes"]) >= {"read:users:activity", "delete:servers"}
    services = {sv["name"]: sv for sv in c.JupyterHub.services}
    assert set(services) == {"course101", "report", "idle-culler", "c4c-admin"}
    culler = services["idle-culler"]["command"]
    assert "--timeout=150" in culler and "--cull-every=15" in culler and "jupyterhub_idle_culler" in culler
    assert services["course101"]["user"] == services["report"]["user"] == "grader-course101"
    assert services["course101"]["environment"]["JUPYTERHUB_DEFAULT_URL"] == "/formgrader"
    assert services["course101"]["environment"]["C4C_GRADEBOOK_URL"] == env["C4C_GRADEBOOK_URL"]
    assert services["c4c-admin"]["api_token"] == env["C4C_HUB_ADMIN_TOKEN"]
    # activity is reported often enough for the 150 s timeout not to cull a server in use
    assert c.JupyterHub.last_activity_interval == 37 and c.Spawner.environment["JUPYTERHUB_ACTIVITY_INTERVAL"] == "37"
    # participants' servers get neither database nor staff secrets
    assert not any("C4C" in key or "PG" in key for key in c.Spawner.environment)


def test_generated_files_hold_no_secret(course, monkeypatch, tmp_path):
    """settings.json and jupyterhub_config.py name the variables, never their values."""
    for name in ("C4C_HUB_SECRET", "C4C_HUB_ADMIN_TOKEN", "C4C_HUB_DB_PASSWORD"):
        monkeypatch.setenv(name, f"secret-value-{name}")
    config = hubconfig.write(course)
    state = config.parent
    for path in (config, state / "settings.json", *(state / "participant-jupyter").rglob("*.*")):
        assert "secret-value" not in path.read_text(), path


def test_the_failure_tail_keeps_the_hubs_lines_and_drops_the_proxys_noise():
    from c4c_lms.hub.run import hub_lines

    log = ("[I 2026-11-30 02:01:30.000 JupyterHub app:1] Starting\n"
           "02:01:32.672 [ConfigProxy] error: 404 GET /hub/health \n"
           "02:01:32.673 [ConfigProxy] error: Failed to get custom error page: Error: connect ECONNREFUSED\n"
           "    at TCPConnectWrap.afterConnect (node:net:1611:16) {\n  errno: -111,\n}\n"
           "[E 2026-11-30 02:01:33.000 JupyterHub app:2] Port 47560 is in use\n"
           "Traceback (most recent call last):\n  File \"x.py\", line 1\nOSError: in use\n")
    assert hub_lines(log) == ["[I 2026-11-30 02:01:30.000 JupyterHub app:1] Starting",
                              "[E 2026-11-30 02:01:33.000 JupyterHub app:2] Port 47560 is in use",
                              "Traceback (most recent call last):", '  File "x.py", line 1', "OSError: in use"]
