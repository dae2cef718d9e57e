"""Matching meeting attendees to the roster: email, both scripts, reordered names, typos."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from c4c_lms.core.names import Matcher, normalise_name
from c4c_lms.core.romanise import romanise
from c4c_lms.lms.roster import Participant

FIRST = ["Олена", "Сергій", "Юлія", "Ярослав", "Григорій", "Євгенія", "Мар'яна", "Олександр", "Щасливий"]
LAST = ["Коваль", "Гнатюк", "Щербак", "Дзюба", "Згоранський", "Їжакевич", "Шевченко", "Яковенко"]


def roster(pairs):
    return [Participant(id=f"p{i}", first_name_uk=f, last_name_uk=l, email=f"u{i}@hromada.ua")
            for i, (f, l) in enumerate(pairs)]  # fmt: skip


PEOPLE = roster([("Олена", "Коваль"), ("Сергій", "Гнатюк"), ("Юлія", "Щербак"), ("Олена", "Коваль"),
                 ("Ярослав", "Дзюба"), ("Олександр", "Кравченко")])  # fmt: skip
MATCHER = Matcher(PEOPLE)


def test_email_wins_over_name():
    """Does an email on the roster decide the match even when the name points elsewhere?"""
    m = MATCHER.match("Сергій Гнатюк", "U4@hromada.ua")
    assert (m.status, m.participant_id, m.method, m.confidence) == ("matched", "p4", "email", 1.0)


def test_latin_reordered_and_other_transliterations_match():
    """Do Latin, reversed and passport-style spellings find the same participant?"""
    for name in ["Serhii Hnatiuk", "Hnatiuk Serhii", "SERGIY GNATYUK", "Гнатюк Сергій", "Serhiy Hnatyuk"]:
        m = MATCHER.match(name)
        assert (m.status, m.participant_id) == ("matched", "p1"), name
        assert 0.8 <= m.confidence <= 1.0


def test_small_typo_matches_with_lower_confidence():
    """Does one wrong letter still match, with a confidence below an exact match's?"""
    exact = MATCHER.match("Oleksandr Kravchenko")
    typo = MATCHER.match("Oleksandr Kravcheko")
    assert typo.status == "matched" and typo.participant_id == "p5" and typo.method == "fuzzy"
    assert typo.confidence < exact.confidence


def test_namesakes_are_ambiguous_not_guessed():
    """Are two participants with the same name left ambiguous, both offered as candidates?"""
    m = MATCHER.match("Olena Koval")
    assert m.status == "ambiguous" and m.participant_id is None
    assert {c[0] for c in m.candidates} == {"p0", "p3"}


def test_strangers_and_renamed_attendees():
    """Is a guest unmatched, and a Zoom 'New name (Original name)' matched via either part?"""
    assert MATCHER.match("SALAR International host").status == "unmatched"
    assert MATCHER.match("iPad").status == "unmatched"
    m = MATCHER.match("Kyiv office (Yulia Shcherbak)")
    assert (m.status, m.participant_id) == ("matched", "p2")


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(FIRST), st.sampled_from(LAST), st.booleans(), st.sampled_from(["uk", "lat", "upper"]))
def test_romanisation_round_trip(first, last, reverse, script):
    """Does any official romanisation, in either order and case, match the Cyrillic roster entry?"""
    people = roster([(first, last), ("Ганна", "Білоус")])
    name = f"{last} {first}" if reverse else f"{first} {last}"
    shown = {"uk": name, "lat": romanise(name), "upper": romanise(name).upper()}[script]
    m = Matcher(people).match(shown)
    assert (m.status, m.participant_id) == ("matched", "p0")
    assert normalise_name(shown).split() and set(normalise_name(shown).split()) == set(
        normalise_name(f"{first} {last}").split())  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(FIRST), st.sampled_from(["Згоранський", "Їжакевич", "Шевченко", "Яковенко"]),
       st.integers(min_value=1, max_value=5), st.sampled_from(["drop", "swap"]))  # fmt: skip
def test_one_typo_in_a_long_surname_still_matches(first, last, position, kind):
    """Does a single dropped or swapped letter inside a long surname still match the right person?"""
    people = roster([(first, last), ("Ганна", "Білоус"), ("Петро", "Мельник")])
    lat = romanise(last)
    i = min(position, len(lat) - 3)
    typo = lat[:i] + lat[i + 1:] if kind == "drop" else lat[:i] + lat[i + 1] + lat[i] + lat[i + 2:]
    m = Matcher(people).match(f"{romanise(first)} {typo}")
    assert (m.status, m.participant_id) == ("matched", "p0")
