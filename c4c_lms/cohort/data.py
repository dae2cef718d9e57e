"""The cohort as one object: roster matching, the data every cohort view needs, and purging.

Matching an attendee to the roster goes email → exact name (either script, either order) →
close name (small typos, other transliterations) with a confidence score. Anything not clearly
one person is left for the lecturer; nothing is guessed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process

from c4c_lms.core.exceptions import C4CError
from c4c_lms.core.i18n import Catalogue
from c4c_lms.core.romanise import has_cyrillic, romanise

M = Catalogue.load("report")

# Spellings of the same Ukrainian sound in passports and e-mail handles (Serhiy/Sergii/Serhii).
_VARIANTS = (("shch", "sch"), ("x", "ks"), ("w", "v"), ("ph", "f"), ("kh", "h"), ("gh", "h"),
             ("g", "h"), ("j", "i"), ("y", "i"), ("ts", "c"))  # fmt: skip
FUZZY_MIN = 86.0  # rapidfuzz ratio (0-100) a close name must reach
FUZZY_MARGIN = 5.0  # ... and by how much it must beat the next participant


def normalise_name(text: str) -> str:
    """Latin, lower-case, letters only, variant spellings folded: the matching key of a name."""
    if has_cyrillic(text):
        text = romanise(text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch if ch.isalpha() and ch.isascii() else (" " if not unicodedata.combining(ch) else "")
                   for ch in text.lower())  # fmt: skip
    words = []
    for word in text.split():
        for old, new in _VARIANTS:
            word = word.replace(old, new)
        words.append("".join(ch for i, ch in enumerate(word) if i == 0 or ch != word[i - 1]))
    return " ".join(words)


def _sorted_key(key: str) -> str:
    return " ".join(sorted(key.split()))


@dataclass
class Match:
    status: str  # matched | ambiguous | unmatched
    participant_id: str | None = None
    method: str = ""
    confidence: float = 0.0
    candidates: list[list] = field(default_factory=list)


class Matcher:
    """Finds roster participants by email and by name; built once per import."""

    def __init__(self, participants: list):
        self.by_email = {p.email.lower(): p.id for p in participants if p.email}
        self.exact: dict[str, set[str]] = {}
        self.choices: list[str] = []
        self.owner: list[str] = []
        for p in participants:
            for first, last in ((p.first_name_uk, p.last_name_uk), (p.first_name_lat, p.last_name_lat)):
                full = normalise_name(f"{first} {last}")
                if not full:
                    continue
                self.exact.setdefault(_sorted_key(full), set()).add(p.id)
                reverse = normalise_name(f"{last} {first}")
                for variant in {full, reverse}:
                    self.choices.append(variant)
                    self.owner.append(p.id)

    def _by_name(self, name: str) -> Match:
        key = normalise_name(name)
        if not key:
            return Match("unmatched")
        ids = self.exact.get(_sorted_key(key), set())
        if len(ids) == 1:
            return Match("matched", next(iter(ids)), "name", 0.97)
        if len(ids) > 1:
            return Match("ambiguous", method="name", candidates=[[i, 100.0] for i in sorted(ids)])
        best: dict[str, float] = {}
        for _choice, score, index in process.extract(key, self.choices, scorer=fuzz.ratio, limit=12):
            pid = self.owner[index]
            best[pid] = max(best.get(pid, 0.0), float(score))
        ranked = sorted(best.items(), key=lambda kv: -kv[1])[:3]
        candidates = [[pid, round(score, 1)] for pid, score in ranked]
        if ranked and ranked[0][1] >= FUZZY_MIN:
            second = ranked[1][1] if len(ranked) > 1 else 0.0
            if ranked[0][1] - second >= FUZZY_MARGIN:
                return Match("matched", ranked[0][0], "fuzzy", round(0.9 * ranked[0][1] / 100, 3), candidates)
            return Match("ambiguous", method="fuzzy", candidates=candidates)
        return Match("unmatched", candidates=candidates)

    def match(self, name: str, email: str = "") -> Match:
        """The participant an attendee is, with method and confidence (0-1), or why not."""
        if email and email.lower() in self.by_email:
            return Match("matched", self.by_email[email.lower()], "email", 1.0)
        # Zoom shows a renamed attendee as "New name (Original name)": try both.
        names = [name]
        if "(" in name and name.rstrip().endswith(")"):
            outer, inner = name.rstrip()[:-1].split("(", 1)
            names = [outer, inner, name]
        results = [self._by_name(n) for n in names if n.strip()]
        order = {"matched": 0, "ambiguous": 1, "unmatched": 2}
        return min(results, key=lambda m: (order[m.status], -m.confidence))

    def apply(self, attendee) -> None:
        """Fill an :class:`~c4c_lms.cohort.attendance.Attendee`'s match fields."""
        m = self.match(attendee.name, attendee.email)
        attendee.status, attendee.participant_id = m.status, m.participant_id
        attendee.method, attendee.confidence, attendee.candidates = m.method, m.confidence, m.candidates


# -- the cohort's data ---------------------------------------------------------------------------
@dataclass
class CohortData:
    """Everything the completion rules, certificates and report read, as plain tables."""

    participants: pd.DataFrame  # index id; first/last names, email, community, oblast, community_type
    minutes: pd.DataFrame  # index id; one column per day (1..n), minutes (0 if absent)
    scores: pd.DataFrame  # index id; one column per exercise, points or NaN
    cells: pd.DataFrame  # long: student_id, exercise, grade_id, score, max_score
    points: dict[str, float]  # exercise id -> maximum points
    anonymous: pd.DataFrame = field(default_factory=pd.DataFrame)  # purged participants' statistics


def participants_frame(participants: list) -> pd.DataFrame:
    columns = ["id", "first_name_uk", "last_name_uk", "first_name_lat", "last_name_lat", "email",
               "community", "oblast", "role", "community_type"]  # fmt: skip
    rows = [{c: getattr(p, c, "") for c in columns} for p in participants]
    return pd.DataFrame(rows, columns=columns).set_index("id")


def minutes_frame(ids: list[str], minutes: dict[str, dict[int, float]], n_days: int) -> pd.DataFrame:
    """Participants × days table of minutes from :func:`attendance.minutes_by_day`."""
    table = pd.DataFrame.from_dict(minutes, orient="index").reindex(index=ids, columns=range(1, n_days + 1))
    return table.fillna(0.0).astype(float)


def n_days(course) -> int:
    return len(course.syllabus.day) or (course.config.course.end - course.config.course.start).days + 1


def gradebook_frames(course, ids: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(participants × exercises best-variant points, long per-cell grades) from the gradebook."""
    from c4c_lms.lms.scores import cell_grades, exercise_scores

    columns = [e.id for e in course.config.exercises]
    scores = exercise_scores(course).reindex(index=ids, columns=columns).astype(float)
    scores.index.name = "student_id"
    return scores, cell_grades(course)


def load_cohort(course, scores: pd.DataFrame | None = None, cells: pd.DataFrame | None = None) -> CohortData:
    """Roster, attendance, scores and per-cell grades of ``course`` (scores from nbgrader)."""
    from c4c_lms.cohort.attendance import load_state, minutes_by_day
    from c4c_lms.lms.roster import load_roster

    people = participants_frame(load_roster(course))
    ids = list(people.index)
    days = n_days(course)
    minutes = minutes_frame(ids, minutes_by_day(load_state(course.workdir)), days)
    points = {e.id: float(e.points) for e in course.config.exercises}
    if scores is None or cells is None:
        db_scores, db_cells = gradebook_frames(course, ids)
        scores = db_scores if scores is None else scores
        cells = db_cells if cells is None else cells
    scores = scores.reindex(index=ids, columns=list(points)).astype(float)
    anon_path = course.workdir / "cohort" / "anonymous.json"
    anonymous = pd.DataFrame(json.loads(anon_path.read_text("utf-8"))) if anon_path.is_file() else pd.DataFrame()
    return CohortData(people, minutes, scores, cells, points, anonymous)


# -- pseudonyms and purging ----------------------------------------------------------------------
def pseudonym_salt(workdir: Path) -> bytes:
    """A random salt kept in the working folder, so pseudonyms are stable but not reversible."""
    path = Path(workdir) / "cohort" / "pseudonym.salt"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="ascii")
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


def pseudonym(participant_id: str, salt: bytes) -> str:
    return "P-" + hmac.new(salt, participant_id.encode(), hashlib.sha256).hexdigest()[:8].upper()


def purge(course, participant_id: str) -> dict:
    """Remove one participant's personal data everywhere; keep an anonymous statistics record.

    The roster entry, names and emails in the attendance state, the certificate's holder
    names and PDF (its number still verifies), nbgrader's student record and the
    participant's submitted/autograded/feedback folders go; oblast, community type, minutes
    per day, scores and eligibility are appended to ``cohort/anonymous.json``.

    Parameters
    ----------
    course : Course
        The loaded course.
    participant_id : str
        Whose data to remove.

    Returns
    -------
    dict
        Counts per place: ``roster``, ``attendance``, ``certificates``, ``files``.
    """
    from c4c_lms.cohort.attendance import load_state, state_path, write_json_atomic
    from c4c_lms.cohort.completion import evaluate, rules_from_course
    from c4c_lms.lms.roster import load_roster, save_roster

    people = load_roster(course)
    if participant_id not in {p.id for p in people}:
        raise C4CError(M.t("purge_unknown", None, id=participant_id))
    data = load_cohort(course)
    outcome = evaluate(data, rules_from_course(course)).loc[participant_id]
    row = data.participants.loc[participant_id]
    record = {"oblast": row["oblast"], "community_type": row["community_type"],
              "eligible": bool(outcome["eligible"]),
              "days": {str(d): float(m) for d, m in data.minutes.loc[participant_id].items()},
              "scores": {k: (None if pd.isna(v) else float(v)) for k, v in data.scores.loc[participant_id].items()}}  # fmt: skip
    anon_path = course.workdir / "cohort" / "anonymous.json"
    anonymous = json.loads(anon_path.read_text("utf-8")) if anon_path.is_file() else []
    write_json_atomic(anon_path, [*anonymous, record])
    removed = {"roster": 1, "attendance": 0, "certificates": 0, "files": 0}
    state = load_state(course.workdir)
    for day in state["days"].values():
        for a in day["attendees"]:
            if a["participant_id"] == participant_id or participant_id in {c[0] for c in a["candidates"]}:
                if a["participant_id"] == participant_id:
                    removed["attendance"] += 1
                    a.update(name="", email="", key=f"purged:{secrets.token_hex(4)}", participant_id=None,
                             status="ignored", method="purged")  # fmt: skip
                a["candidates"] = [c for c in a["candidates"] if c[0] != participant_id]
    write_json_atomic(state_path(course.workdir), state)
    from c4c_lms.cohort.certificates import forget_holder

    removed["certificates"] = forget_holder(course.workdir, participant_id)
    _purge_gradebook(course, participant_id)
    for step in ("submitted", "autograded", "feedback"):
        folder = course.workdir / step / participant_id
        if folder.is_dir():
            shutil.rmtree(folder)
            removed["files"] += 1
    save_roster(course, [p for p in people if p.id != participant_id])
    return removed


def _purge_gradebook(course, participant_id: str) -> None:
    if not (course.workdir / "gradebook.db").is_file():
        return
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.gradebook_url, course_id=course.config.course.id) as gb:
        try:
            gb.remove_student(participant_id)
        except MissingEntry:
            pass
