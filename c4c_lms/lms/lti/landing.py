"""Where a launch lands: ``module:<id>``, ``exercise:<id>`` or ``app:<id>`` (the activity's
custom parameter ``c4c_target``) as a path in the participant's own server.

A module opens its notebook in the launch's language (``locale`` claim, Ukrainian by default);
an exercise opens the participant's fetched copy, or the folder of released exercises when
they have not fetched it yet (nbgrader's assignment list fetches it); an app opens in Voilà.
An unknown target lands on the server's default page rather than refusing the person.
"""

from __future__ import annotations

import pwd
from pathlib import Path

from c4c_lms.core.config import Course


def _home(name: str) -> Path | None:
    try:
        return Path(pwd.getpwnam(name).pw_dir)
    except KeyError:
        return None


def landing_path(course: Course, name: str, target: str, locale: str = "") -> str | None:
    """``/user/<name>/…`` for ``target``; ``None`` for the default page."""
    what, _, ident = (target or "").partition(":")
    english = locale.lower().startswith("en")
    user = f"/user/{name}"
    if what == "module" and (course.path("modules") / ident).is_dir():
        notebook = f"{ident}_en.ipynb" if english and (course.path("modules") / ident / f"{ident}_en.ipynb").is_file() \
            else f"{ident}.ipynb"  # fmt: skip
        return f"{user}/lab/tree/modules/{ident}/{notebook}"
    exercise = next((e for e in course.config.exercises if e.id == ident), None)
    if what == "exercise" and exercise is not None:
        variant = exercise.variants.get("en" if english else "uk") or next(iter(exercise.variants.values()))
        home = _home(name)
        if home is not None and (home / variant / f"{variant}.ipynb").is_file():
            return f"{user}/lab/tree/{variant}/{variant}.ipynb"
        return f"{user}/lab"
    if what == "app" and (course.path("apps") / ident / "index.ipynb").is_file():
        return f"{user}/voila/render/voila_apps/{ident}/index.ipynb"
    return None
