"""Matching a person's name as written in an export (Zoom, Teams, Moodle) to the roster.

Matching goes email → exact name (either script, either order) → close name (small typos,
other transliterations) with a confidence score. Anything not clearly one person is left for
the lecturer; nothing is guessed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from c4c_lms.core.romanise import has_cyrillic, romanise

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
