"""Typed course configuration: ``course/course.toml`` and ``course/syllabus.toml``.

Every field carries a description; values are validated on load and errors are reported as
``file:line: message`` so the lecturer can jump to them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from c4c_lms.core.exceptions import ConfigError

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CourseInfo(_Strict):
    id: str = Field(description="Short course id used by nbgrader and in certificate numbers.")
    title_uk: str = Field(description="Course title in Ukrainian.")
    title_en: str = Field(description="Course title in English.")
    language: Literal["uk", "en"] = Field("uk", description="Default language of messages.")
    start: dt.date = Field(description="First day of the course.")
    end: dt.date = Field(description="Last day of the course.")
    hours: int = Field(gt=0, description="Contact hours printed on certificates.")
    organisers: list[str] = Field(description="Issuing organisations printed on certificates.")

    @model_validator(mode="after")
    def _dates_in_order(self) -> CourseInfo:
        if self.end < self.start:
            raise ValueError("course end is before its start")
        return self


class Paths(_Strict):
    workdir: str = Field("var/course", description="Lecturer's working folder (gradebook, submissions).")
    exercises: str = Field("exercises", description="nbgrader source folder: one folder per exercise.")
    modules: str = Field("modules", description="Course modules, one folder per module.")
    apps: str = Field("voila_apps", description="Voila apps, one folder per app.")
    syllabus: str = Field("course/syllabus.toml", description="Syllabus file, relative to the root.")


class Grading(_Strict):
    cell_timeout_s: int = Field(30, gt=0, description="Seconds one cell may run while grading.")
    submission_timeout_s: int = Field(300, gt=0, description="Seconds one whole submission may run.")
    max_notebook_mb: float = Field(5, gt=0, description="Larger submitted notebooks are refused.")
    memory_mb: int = Field(2048, ge=256, description="Memory (address space) one kernel may use, MiB.")
    max_processes: int = Field(64, ge=8, description="Processes one participant's kernel may run.")
    work_mb: int = Field(200, ge=16, description="Size of a participant's working folder while grading, MiB "
                         "(a capped tmpfs with bubblewrap; writing more fails inside the sandbox).")
    tmp_mb: int = Field(200, ge=16, description="Size of the grading sandbox's /tmp, MiB (a capped tmpfs with bubblewrap).")
    max_files: int = Field(20_000, ge=100, description="Files and folders the working folder and /tmp may each hold.")
    preload_modules: list[str] = Field(
        default_factory=lambda: ["numpy", "pandas"],
        description="Modules the grading sandbox imports once and shares with every kernel it forks.",
    )
    gradebook_wait_s: int = Field(
        120, ge=0, description="Seconds grading keeps retrying a busy or unreachable gradebook (the "
        "formgrader holding SQLite, PostgreSQL restarting) before it reports the submission; a re-run retries it.",
    )


class Lms(_Strict):
    moodle_identifier: Literal["email", "id"] = Field(
        "email", description="Roster column Moodle's grade import matches participants on."
    )
    canvas_token_env: str = Field(
        "C4C_CANVAS_TOKEN", description="Name of the environment variable holding a Canvas token."
    )


class Certificates(_Strict):
    signing_key_env: str = Field(
        "C4C_CERT_KEY", description="Name of the environment variable holding the signing key."
    )
    verify_url: str = Field("", description="Public verification page printed under the QR code.")


class Completion(_Strict):
    min_days_attended: int = Field(0, ge=0, le=31, description="Days a participant must attend.")
    min_minutes_per_day: int = Field(0, ge=0, description="Minutes that make a day count as attended.")
    min_score_percent: float = Field(0, ge=0, le=100, description="Share of all exercise points needed.")
    required_exercises: list[str] = Field(
        default_factory=list, description="Exercises that must be submitted and passed regardless."
    )
    exercise_pass_percent: float = Field(
        50, ge=0, le=100, description="Share of an exercise's points that counts as passing it."
    )


ACCOUNT_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class Staff(_Strict):
    lecturers: list[str] = Field(
        default_factory=list,
        description="Hub account names of lecturers (formgrader, cohort report; not hub admins).",
    )
    graders: list[str] = Field(
        default_factory=list, description="Hub account names of graders (formgrader only)."
    )

    @field_validator("lecturers", "graders")
    @classmethod
    def _account_names(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not ACCOUNT_NAME.match(v)]
        if bad:
            raise ValueError(
                f"not valid account names: {', '.join(map(repr, bad))} "
                "(lowercase Latin letters, digits, '-', '_'; start with a letter; at most 32)"
            )
        return value


class Hub(_Strict):
    ip: str = Field("127.0.0.1", description="Address the hub's proxy listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port participants open in the browser.")
    public_url: str = Field(
        "", description="Address written into sign-in links (default: http://<ip>:<port>)."
    )
    state_dir: str = Field(
        "var/hub", description="Hub's private folder: database cluster, exchange, generated config."
    )
    home_base: str = Field("/home", description="Folder holding the participants' home folders.")
    idle_timeout_min: float = Field(
        60, gt=0, description="Minutes without activity after which a participant's server stops."
    )
    cull_every_s: int = Field(
        60, ge=5, description="Seconds between two checks of the idle-culler service."
    )
    memory_limit_mb: int = Field(
        1024, ge=128, description="Memory one participant's server and kernels may use, MiB."
    )
    link_valid_hours: float = Field(
        72, gt=0, description="Hours a sign-in link stays valid (each link works once)."
    )
    db_port: int = Field(
        5433, ge=1, le=65535, description="Loopback port of the private PostgreSQL cluster."
    )
    db_url_env: str = Field(
        "C4C_HUB_DB_URL",
        description="Environment variable with an external PostgreSQL URL (private cluster if unset).",
    )
    db_password_env: str = Field(
        "C4C_HUB_DB_PASSWORD", description="Environment variable holding the database password."
    )
    link_secret_env: str = Field(
        "C4C_HUB_SECRET", description="Environment variable holding the key that signs sign-in links."
    )
    admin_token_env: str = Field(
        "C4C_HUB_ADMIN_TOKEN",
        description="Environment variable holding the token of the course's hub service (c4c-admin).",
    )
    image: str = Field(
        "c4c-workbench-singleuser:latest",
        description="Single-user container image for Zero to JupyterHub (k8s-values).",
    )
    memory_guarantee_mb: int = Field(
        256, ge=64, description="Memory reserved for each participant's server on Kubernetes, MiB."
    )
    cpu_guarantee: float = Field(
        0.05, gt=0, description="CPU cores reserved for each participant's server on Kubernetes."
    )
    cpu_limit: float = Field(
        1.0, gt=0, description="CPU cores one participant's server may use at most on Kubernetes."
    )
    home_storage_gb: int = Field(
        1, ge=1, description="Size of each participant's home volume on Kubernetes, GiB."
    )


class Lti(_Strict):
    """The LMS connection (LTI 1.3): what the platform told us when the tool was registered.
    Secrets are not here: the tool's private key is a file whose path is in ``private_key_env``."""

    enabled: bool = Field(False, description="The hub accepts LTI launches (beside sign-in links).")
    platform: Literal["moodle", "canvas"] = Field("moodle", description="Which LMS (registration text).")
    issuer: str = Field("", description="The platform's issuer (iss), e.g. https://moodle.example.ua.")
    client_id: str = Field("", description="Client id the platform gave the tool.")
    deployment_ids: list[str] = Field(default_factory=list, description="Deployment ids accepted at launch.")
    auth_login_url: str = Field("", description="The platform's OIDC authentication request URL.")
    keyset_url: str = Field("", description="The platform's public keyset (JWKS) URL.")
    token_url: str = Field("", description="The platform's OAuth2 access token URL (services).")
    memberships_url: str = Field("", description="NRPS context memberships URL of the course.")
    lineitems_url: str = Field("", description="AGS line items URL of the course.")
    private_key_env: str = Field(
        "C4C_LTI_PRIVATE_KEY", description="Variable holding the path of the tool's private key (PEM)."
    )
    staff_ids: dict[str, str] = Field(
        default_factory=dict, description="Staff account name -> their LMS user id or email."
    )
    retries: int = Field(4, ge=0, le=10, description="Retries of a service call answered 429/5xx or unreachable.")
    backoff_s: float = Field(1.0, ge=0, description="First wait before a retry; doubles each time.")


class Exercise(_Strict):
    id: str = Field(description="Exercise id used in grade exports (one column each).")
    module: str = Field(description="Module folder this exercise follows.")
    title_uk: str = Field(description="Title in Ukrainian.")
    title_en: str = Field(description="Title in English.")
    variants: dict[Literal["uk", "en"], str] = Field(
        description="nbgrader assignment id per language; the best-scored variant counts."
    )
    points: float = Field(gt=0, description="Maximum points; must match the notebook's graded cells.")

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not ID_PATTERN.match(value):
            raise ValueError("exercise ids are lowercase letters, digits and underscores")
        return value

    @field_validator("variants")
    @classmethod
    def _variant_ids(cls, value: dict[str, str]) -> dict[str, str]:
        for assignment in value.values():
            if not ID_PATTERN.match(assignment):
                raise ValueError(f"assignment id {assignment!r} must be lowercase snake_case")
        if not value:
            raise ValueError("at least one language variant is needed")
        return value


class CourseConfig(_Strict):
    course: CourseInfo
    paths: Paths = Paths()
    grading: Grading = Grading()
    lms: Lms = Lms()
    certificates: Certificates = Certificates()
    completion: Completion = Completion()
    staff: Staff = Staff()
    hub: Hub = Hub()
    lti: Lti = Lti()
    exercises: list[Exercise] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_and_known(self) -> CourseConfig:
        ids = [e.id for e in self.exercises]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate exercise ids: {', '.join(dupes)}")
        unknown = [r for r in self.completion.required_exercises if r not in ids]
        if unknown:
            raise ValueError(f"required exercises not declared: {', '.join(unknown)}")
        return self


class Day(_Strict):
    number: int = Field(ge=1, description="Day of the course, from 1.")
    date: dt.date | None = Field(None, description="Calendar date of the day.")
    module: str = Field(description="Module folder under modules/.")
    exercise: str | None = Field(None, description="Exercise id from course.toml.")
    apps: list[str] = Field(default_factory=list, description="Voila app folders, in order.")


class Syllabus(_Strict):
    day: list[Day]


class Course:
    """A loaded course: its root folder, typed configuration and syllabus."""

    def __init__(self, root: Path, config: CourseConfig, syllabus: Syllabus):
        self.root = root
        self.config = config
        self.syllabus = syllabus

    # Paths ---------------------------------------------------------------------------------
    def path(self, name: str) -> Path:
        """Absolute path of one of the folders named in ``[paths]``."""
        value = getattr(self.config.paths, name)
        return (self.root / value).resolve()

    @property
    def workdir(self) -> Path:
        override = os.environ.get("C4C_WORKDIR")
        return Path(override).resolve() if override else self.path("workdir")

    @property
    def gradebook_url(self) -> str:
        """SQLite in the working folder, unless ``C4C_GRADEBOOK_URL`` names another database
        (PostgreSQL on a course server; the URL, password included, never goes in course.toml)."""
        return os.environ.get("C4C_GRADEBOOK_URL") or f"sqlite:///{self.workdir / 'gradebook.db'}"

    # Exercises -----------------------------------------------------------------------------
    def exercise(self, exercise_id: str) -> Exercise:
        for exercise in self.config.exercises:
            if exercise.id == exercise_id:
                return exercise
        raise KeyError(exercise_id)

    def assignment_ids(self, exercises: list[str] | None = None) -> list[str]:
        """nbgrader assignment ids of the given exercises (or of all), every language variant.

        An id may name an exercise or directly one of its variants.
        """
        wanted = set(exercises or [])
        result: list[str] = []
        for ex in self.config.exercises:
            for assignment in ex.variants.values():
                if not wanted or ex.id in wanted or assignment in wanted:
                    result.append(assignment)
        unknown = wanted - {e.id for e in self.config.exercises} - set(result)
        if unknown:
            raise ConfigError([f"unknown exercise: {u}" for u in sorted(unknown)])
        return result

    def exercise_of_assignment(self, assignment_id: str) -> Exercise | None:
        for ex in self.config.exercises:
            if assignment_id in ex.variants.values():
                return ex
        return None


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` holding ``course/course.toml``."""
    env = os.environ.get("C4C_COURSE_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        if (folder / "course" / "course.toml").is_file():
            return folder
    raise ConfigError([f"{here}: no course/course.toml here or in any parent folder"])


def _line_of(text: str, loc: tuple[object, ...]) -> int:
    """Best-effort line number in TOML ``text`` for a pydantic error location."""
    lines = text.splitlines()
    start = 0
    table_items = [x for x in loc if isinstance(x, str)]
    # Array-of-tables: loc looks like ("exercises", 2, "points").
    if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
        header = f"[[{loc[0]}]]"
        seen = -1
        for i, line in enumerate(lines):
            if line.strip() == header:
                seen += 1
                if seen == loc[1]:
                    start = i
                    break
        table_items = [x for x in loc[2:] if isinstance(x, str)]
        if not table_items:
            return start + 1
    elif table_items:
        header = f"[{table_items[0]}]"
        for i, line in enumerate(lines):
            if line.strip() == header:
                start = i
                break
        table_items = table_items[1:] or table_items
    key = table_items[-1] if table_items else None
    if key:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for i in range(start, len(lines)):
            if pattern.match(lines[i]):
                return i + 1
    return start + 1


def _load_model(path: Path, model: type[_Strict]) -> _Strict:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError([f"{path}:1: file not found"]) from None
    except UnicodeDecodeError as err:
        raise ConfigError([f"{path}:1: not UTF-8 text ({err.reason})"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = getattr(err, "lineno", None) or re.search(r"line (\d+)", str(err))
        number = line if isinstance(line, int) else (int(line.group(1)) if line else 1)
        raise ConfigError([f"{path}:{number}: TOML syntax error: {err}"]) from None
    try:
        return model.model_validate(data)
    except ValidationError as err:
        problems = []
        for e in err.errors():
            where = ".".join(str(x) for x in e["loc"]) or "(top level)"
            problems.append(f"{path}:{_line_of(text, e['loc'])}: {where}: {e['msg']}")
        raise ConfigError(problems) from None


def load_course(root: Path | None = None) -> Course:
    """Load and validate ``course/course.toml`` and the syllabus it points to."""
    root = (root or find_root()).resolve()
    config = _load_model(root / "course" / "course.toml", CourseConfig)
    assert isinstance(config, CourseConfig)
    syllabus = _load_model(root / config.paths.syllabus, Syllabus)
    assert isinstance(syllabus, Syllabus)
    return Course(root, config, syllabus)
