"""Past one machine: a Zero to JupyterHub (Helm chart ``jupyterhub``) values file for the course.

The same course as ``make hub``, on Kubernetes:

- each participant's server is a pod from the single-user image (``Dockerfile``, ``[hub] image``)
  with the CPU and memory guarantees and limits of ``[hub]``, and their own home volume; the
  course material is copied into the home on start without overwriting (``cp -rn``);
- the hub database is PostgreSQL: the values name the server and role, the password reaches the
  hub only as ``PGPASSWORD`` from a Kubernetes Secret (libpq reads it; never in the file);
- sign-in is the course's own authenticator (links, staff passwords): the hub image carries this
  package; who may sign in comes from ``accounts.json`` (written into the values from the
  roster), used links are kept on the hub's state volume;
- nbgrader's exchange is a shared ``ReadWriteMany`` volume mounted in every server;
- staff reach the formgrader and the cohort report (hub services run in the hub pod by
  ``grader-<course>``'s configuration) through the role ``formgrade-<course>``; participants
  have no role for them;
- ``jupyterhub-idle-culler`` with the course's timeout (the chart's ``cull`` section).
"""

from __future__ import annotations

from pathlib import Path

from c4c_lms.core.config import Course
from c4c_lms.core.files import write_text_atomic
from c4c_lms.hub import hubconfig
from c4c_lms.hub.accounts import planned
from c4c_lms.lms.csp import SERVER_ARGUMENT

CHART_VERSION = "4.4.0"  # the Zero to JupyterHub chart these values are written (and tested) for
COURSE_IN_IMAGE = "/srv/course"
EXCHANGE = "/srv/nbgrader/exchange"
HUB_STATE = "/srv/c4c-hub"
FORMGRADER_PORT, REPORT_PORT = 10101, 10102


def _image(reference: str) -> tuple[str, str]:
    name, _, tag = reference.rpartition(":")
    return (name, tag) if name and "/" not in tag else (reference, "latest")


def _secret(secret_name: str, key: str) -> dict:
    return {"valueFrom": {"secretKeyRef": {"name": secret_name, "key": key}}}


def _extra_config(cid: str) -> str:
    """Python run by the hub at start: hand the database password (from the pod's environment)
    to the staff services only; participants' pods never receive it."""
    return (
        "import os\n"
        "for service in c.JupyterHub.services:\n"
        f"    if service.get('name') in ({cid!r}, {hubconfig.REPORT_SERVICE!r}):\n"
        "        service.setdefault('environment', {})['PGPASSWORD'] = os.environ.get('PGPASSWORD', '')\n"
    )


def values(course: Course, *, lang: str, db_host: str = "postgres", db_port: int = 5432,
           secret_name: str = "", storage_class: str = "") -> dict:  # fmt: skip
    """The Helm values (a dict) for ``course``; no secret in it, only the Secret's name."""
    hub, cid = course.config.hub, course.config.course.id
    secret_name = secret_name or f"{cid}-secrets"
    image, tag = _image(hub.image)
    by_role: dict[str, list[str]] = {"participant": [], "lecturer": [], "grader": [], "service": []}
    for account in planned(course, lang):  # invalid participant ids refused here, all at once
        by_role[account.role].append(account.name)
    staff = by_role["lecturer"] + by_role["grader"]
    gradebook = f"postgresql://c4c@{db_host}:{db_port}/gradebook"
    staff_env = {"C4C_COURSE_ROOT": COURSE_IN_IMAGE, "C4C_GRADEBOOK_URL": gradebook}
    exchange_claim = f"{cid}-exchange"
    copy = " ".join(f"{COURSE_IN_IMAGE}/{name}" for name in ("modules", "voila_apps"))
    return {
        "hub": {
            "image": {"name": f"{image}-hub", "tag": tag},
            "db": {"type": "postgres", "url": f"postgresql://c4c@{db_host}:{db_port}/jupyterhub"},
            "extraEnv": {
                "PGPASSWORD": {"name": "PGPASSWORD", **_secret(secret_name, "db-password")},
                hub.link_secret_env: {"name": hub.link_secret_env, **_secret(secret_name, "link-secret")},
            },
            "config": {
                "JupyterHub": {
                    "authenticator_class": "c4c_lms.hub.auth.C4CAuthenticator",
                    "load_groups": {f"formgrade-{cid}": {"users": staff}},
                },
                "C4CAuthenticator": {"state_dir": HUB_STATE, "link_secret_env": hub.link_secret_env},
                "Authenticator": {"any_allow_config": True},
            },
            "loadRoles": {
                f"formgrade-{cid}": {
                    "groups": [f"formgrade-{cid}"],
                    "scopes": [f"access:services!service={cid}",
                               f"access:services!service={hubconfig.REPORT_SERVICE}",
                               "list:services", f"read:services!service={cid}"],
                },
            },  # fmt: skip
            "services": {
                cid: {  # nbgrader's formgrader, as in its documented JupyterHub setup
                    "url": f"http://hub:{FORMGRADER_PORT}", "oauth_no_confirm": True,
                    "command": ["jupyterhub-singleuser", f"--ServerApp.root_dir={COURSE_IN_IMAGE}",
                                f"--port={FORMGRADER_PORT}", "--ip=0.0.0.0",
                                SERVER_ARGUMENT],  # a Content-Security-Policy on its pages
                    "environment": {**staff_env, "JUPYTERHUB_DEFAULT_URL": "/formgrader"},
                },
                hubconfig.REPORT_SERVICE: {  # the cohort report (personal data): staff only
                    "url": f"http://hub:{REPORT_PORT}", "oauth_no_confirm": True,
                    "command": ["python3", "-m", "c4c_lms.hub.report_service"],
                    "environment": staff_env,
                },
            },  # fmt: skip
            "service": {"extraPorts": [
                {"name": "formgrader", "port": FORMGRADER_PORT, "targetPort": FORMGRADER_PORT},
                {"name": "report", "port": REPORT_PORT, "targetPort": REPORT_PORT},
            ]},  # fmt: skip
            "networkPolicy": {"ingress": [{
                "ports": [{"port": FORMGRADER_PORT}, {"port": REPORT_PORT}],
                "from": [{"podSelector": {"matchLabels": {"hub.jupyter.org/network-access-hub": "true"}}}],
            }]},  # fmt: skip
            "extraConfig": {"c4c-staff-services": _extra_config(cid)},
            "extraFiles": {"c4c-accounts": {"mountPath": f"{HUB_STATE}/accounts.json", "data": by_role}},
            "extraVolumes": [{"name": "c4c-hub-state", "persistentVolumeClaim": {"claimName": f"{cid}-hub-state"}},
                             {"name": "exchange", "persistentVolumeClaim": {"claimName": exchange_claim}}],
            "extraVolumeMounts": [{"name": "c4c-hub-state", "mountPath": HUB_STATE},
                                  {"name": "exchange", "mountPath": EXCHANGE}],
        },  # fmt: skip
        "singleuser": {
            "image": {"name": image, "tag": tag, "pullPolicy": "IfNotPresent"},
            "cmd": "jupyterhub-singleuser",
            "defaultUrl": "/lab/tree/modules",
            "cpu": {"guarantee": hub.cpu_guarantee, "limit": hub.cpu_limit},
            "memory": {"guarantee": f"{hub.memory_guarantee_mb}M", "limit": f"{hub.memory_limit_mb}M"},
            "storage": {
                "type": "dynamic", "homeMountPath": "/home/jovyan", "capacity": f"{hub.home_storage_gb}Gi",
                **({"dynamic": {"storageClass": storage_class}} if storage_class else {}),
                "extraVolumes": [{"name": "exchange", "persistentVolumeClaim": {"claimName": exchange_claim}}],
                "extraVolumeMounts": [{"name": "exchange", "mountPath": EXCHANGE}],
            },  # fmt: skip
            "lifecycleHooks": {"postStart": {"exec": {"command": ["sh", "-c", f"cp -rn {copy} ~/ || true"]}}},
            "extraFiles": {"nbgrader-config": {
                "mountPath": "/etc/jupyter/nbgrader_config.py",
                "stringData": f"c = get_config()\nc.CourseDirectory.course_id = {cid!r}\n"
                              f"c.Exchange.root = {EXCHANGE!r}\n",
            }},  # fmt: skip
        },
        "cull": {"enabled": True, "timeout": int(hub.idle_timeout_min * 60), "every": hub.cull_every_s,
                 "users": False, "removeNamedServers": False},  # fmt: skip
    }


def write_values(course: Course, *, output: Path, lang: str, **options) -> dict:
    """Write the values as YAML to ``output``; returns them."""
    import yaml  # PyYAML, installed with Jupyter (jupyter-events)

    data = values(course, lang=lang, **options)
    header = (f"# Zero to JupyterHub (Helm chart jupyterhub {CHART_VERSION}) values for course "
              f"{course.config.course.id}.\n# Generated by `c4c hub k8s-values` from course/course.toml; "
              "no secrets: the Secret named below holds db-password and link-secret.\n")  # fmt: skip
    write_text_atomic(Path(output), header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110))
    return data
