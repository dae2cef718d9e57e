"""`c4c hub k8s-values`: Zero to JupyterHub values for the course, checked against the chart's
own ``values.schema.json`` (vendored in tests/files/z2jh with its version and source), merged
with the chart's default values the way ``helm install --values`` does before it validates."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from helpers import run_c4c

FILES = Path(__file__).resolve().parents[1] / "files"
Z2JH = FILES / "z2jh"


def merged(defaults: dict, override: dict) -> dict:
    """Helm's merge of a values file over the chart's values.yaml (maps merge, the rest replaces)."""
    out = dict(defaults)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


@pytest.fixture
def course(tmp_path, monkeypatch):
    root = tmp_path / "course101"
    shutil.copytree(FILES / "course101", root)
    with open(root / "course" / "course.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[staff]\nlecturers = ["lect101"]\ngraders = ["tutor1"]\n\n[hub]\n'
                 'idle_timeout_min = 45\ncull_every_s = 120\nmemory_limit_mb = 900\nmemory_guarantee_mb = 300\n'
                 'cpu_guarantee = 0.1\ncpu_limit = 1.5\nimage = "registry.example.org/c4c/singleuser:2025.1"\n')
    for name in ("C4C_HUB_DB_PASSWORD", "C4C_HUB_SECRET", "C4C_HUB_ADMIN_TOKEN"):
        monkeypatch.setenv(name, f"never-in-the-file-{name}")
    run_c4c(root, "roster", "import", str(root / "roster.csv"), check=True)
    return root


def test_values_are_valid_for_the_chart_and_carry_the_course(course, tmp_path):
    """Do the written values pass the chart's schema (after Helm's merge with its defaults) and
    carry the course's image, resources, culling, database, authenticator, exchange and roles,
    with no secret in the file?"""
    out = tmp_path / "values.yaml"
    result = run_c4c(course, "hub", "k8s-values", "-o", str(out), "--db-host", "pg.example.internal", check=True)
    assert "course101-secrets" in result.output, result.output
    text = out.read_text(encoding="utf-8")
    values = yaml.safe_load(text)
    schema = json.loads((Z2JH / "values.schema.json").read_text())
    defaults = yaml.safe_load((Z2JH / "values.yaml").read_text())
    jsonschema.validate(merged(defaults, values), schema)  # what `helm install` checks

    assert "never-in-the-file" not in text  # none of the secrets in the environment
    su, hub = values["singleuser"], values["hub"]
    assert su["image"] == {"name": "registry.example.org/c4c/singleuser", "tag": "2025.1", "pullPolicy": "IfNotPresent"}
    assert su["cpu"] == {"guarantee": 0.1, "limit": 1.5}
    assert su["memory"] == {"guarantee": "300M", "limit": "900M"}
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] == 45 * 60 and values["cull"]["every"] == 120
    assert hub["db"] == {"type": "postgres", "url": "postgresql://c4c@pg.example.internal:5432/jupyterhub"}
    secret_ref = hub["extraEnv"]["PGPASSWORD"]["valueFrom"]["secretKeyRef"]
    assert secret_ref["key"] == "db-password"
    assert hub["config"]["JupyterHub"]["authenticator_class"] == "c4c_lms.hub.auth.C4CAuthenticator"
    assert hub["extraEnv"]["C4C_HUB_SECRET"]["valueFrom"]["secretKeyRef"]["key"] == "link-secret"
    accounts = hub["extraFiles"]["c4c-accounts"]["data"]
    assert "olena" in accounts["participant"] and accounts["lecturer"] == ["lect101"] and accounts["grader"] == ["tutor1"]
    cid = next(iter(hub["services"].keys() - {"report"}))
    assert hub["config"]["JupyterHub"]["load_groups"] == {f"formgrade-{cid}": {"users": ["lect101", "tutor1"]}}
    role = hub["loadRoles"][f"formgrade-{cid}"]
    assert role["groups"] == [f"formgrade-{cid}"]
    assert {f"access:services!service={cid}", "access:services!service=report"} <= set(role["scopes"])
    assert hub["services"][cid]["environment"]["JUPYTERHUB_DEFAULT_URL"] == "/formgrader"
    assert "--ServerApp.jpserver_extensions=c4c_lms.lms.csp=True" in hub["services"][cid]["command"]
    assert "PGPASSWORD" in hub["extraConfig"]["c4c-staff-services"]
    exchange = "/srv/nbgrader/exchange"
    assert {"name": "exchange", "mountPath": exchange} in su["storage"]["extraVolumeMounts"]
    nbgrader = su["extraFiles"]["nbgrader-config"]["stringData"]
    assert f"course_id = {cid!r}" in nbgrader and f"Exchange.root = {exchange!r}" in nbgrader


def test_the_schema_would_catch_a_wrong_value(course, tmp_path):
    """Is the check real: does the same schema refuse values the chart does not accept?"""
    out = tmp_path / "values.yaml"
    run_c4c(course, "hub", "k8s-values", "-o", str(out), check=True)
    values = yaml.safe_load(out.read_text(encoding="utf-8"))
    schema = json.loads((Z2JH / "values.schema.json").read_text())
    defaults = yaml.safe_load((Z2JH / "values.yaml").read_text())
    values["cull"]["timeout"] = "45 minutes"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(merged(defaults, values), schema)
    values["cull"]["timeout"] = 60
    values["singleuser"]["cpu"]["maximum"] = 2
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(merged(defaults, values), schema)


def test_an_invalid_participant_id_writes_nothing(course, tmp_path):
    """Is a roster id that cannot be an account name refused with a clear message, no file written?"""
    roster = (course / "roster.csv").read_text(encoding="utf-8")
    (course / "roster.csv").write_text(roster.replace("olena,", "Olena.K,", 1).replace("olena@", "olena.k@", 1), encoding="utf-8")
    run_c4c(course, "roster", "import", str(course / "roster.csv"), check=True)
    out = tmp_path / "values.yaml"
    result = run_c4c(course, "hub", "k8s-values", "-o", str(out))
    assert result.exit_code != 0 and "'Olena.K' cannot be an account name" in result.output, result.output
    assert not out.exists()
