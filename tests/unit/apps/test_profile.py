"""Community profile logic and exports (c4c_lms.content.profile)."""

from __future__ import annotations

import io
import json

import pytest

from c4c_lms.content import profile as prof
from c4c_lms.core.i18n import Catalogue


def good_form(**changes):
    form = prof.empty_form()
    form.update(
        name_uk="Бучанська міська громада", name_en="Buchanska miska hromada", oblast="UA-32",
        raion="Buchanskyi raion", hromada_type="city", population="42 000", area_km2="26,6",
        status=["de_occupied", "hosting_idps"], priority_sectors=["energy", "reconstruction"],
        offers="Study visits on rebuilding schools after occupation.", languages=["uk", "en", "pl"],
        existing_partners="Bergen (Norway)\n\nAsker", contact_name="Olena Shevchenko",
        contact_role="Head of international relations", contact_email="olena@example.org",
        priority_project="Insulate five schools. Put solar panels on the hospital roof.",
    )  # fmt: skip
    form.update(changes)
    return form


def keys(problems):
    return {(field, p.key) for field, ps in problems.items() for p in ps}


def test_good_form_gives_contract_profile():
    """Does a complete form give a c4c-profile/1 profile with typed values and no problems?"""
    profile, problems = prof.profile_from_form(good_form())
    assert problems == {}
    assert profile["schema"] == "c4c-profile/1"
    assert profile["population"] == 42000 and profile["area_km2"] == 26.6
    assert profile["existing_partners"] == ["Bergen (Norway)", "Asker"]
    assert profile["contact"] == {"name": "Olena Shevchenko", "role": "Head of international relations",
                                  "email": "olena@example.org"}  # fmt: skip
    assert "latitude" not in profile


def test_latin_name_follows_official_romanisation():
    """Is the suggested Latin name the official romanisation (Zghurivska, not Zhurivska)?"""
    assert prof.suggest_latin_name(" Згурівська селищна громада ") == "Zghurivska selyshchna hromada"
    assert prof.suggest_latin_name("Юріївська") == "Yuriivska"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name_en": ""}, ("name_en", "required")),
        ({"population": "about 40k"}, ("population", "population_not_number")),
        ({"population": "0"}, ("population", "population_not_positive")),
        ({"population": "12.5"}, ("population", "population_not_number")),
        ({"area_km2": "-3"}, ("area_km2", "area_invalid")),
        ({"contact_email": "olena@"}, ("contact_email", "email_invalid")),
        ({"offers": "Досвід відбудови шкіл"}, ("offers", "cyrillic_in_english")),
        ({"name_en": "Бучанська"}, ("name_en", "cyrillic_in_english")),
        ({"existing_partners": "Бучач"}, ("existing_partners", "cyrillic_in_english")),
        ({"offers": "word " * 121}, ("offers", "too_many_words")),
        ({"priority_project": "One. Two. Three."}, ("priority_project", "too_many_sentences")),
        ({"latitude": "95"}, ("latitude", "coordinate_invalid")),
        ({"priority_sectors": []}, ("priority_sectors", "required")),
    ],
)
def test_problems_are_reported_per_field(changes, expected):
    """Is each kind of bad input reported on its own field, leaving the form untouched?"""
    form = good_form(**changes)
    before = json.dumps(form, sort_keys=True)
    _, problems = prof.profile_from_form(form)
    assert expected in keys(problems)
    assert json.dumps(form, sort_keys=True) == before


def test_every_problem_has_a_message_in_both_languages():
    """Does every problem the checks can raise have a Ukrainian and an English message?"""
    cat = Catalogue.load("community_profile")
    form = good_form(name_en="", population="x", area_km2="y", contact_email="z", offers="Привіт " * 130,
                     priority_project="A. B. C.", latitude="200", name_uk="Bucha")  # fmt: skip
    _, problems = prof.profile_from_form(form)
    for ps in problems.values():
        for p in ps:
            assert p.text(cat, "uk") and p.text(cat, "en")
    assert cat.missing() == []


def test_thousands_separators_and_decimal_comma():
    """Are 42 000, 42,000 and 42'000 the same population, and 26,6 km² a decimal?"""
    for typed in ("42 000", "42,000", "42'000", "42\u00a0000"):
        assert prof.profile_from_form(good_form(population=typed))[0]["population"] == 42000
    assert prof.profile_from_form(good_form(area_km2="26,6"))[0]["area_km2"] == 26.6


def test_warnings_do_not_block():
    """Is a third sentence in the project only a warning, not an error?"""
    _, problems = prof.profile_from_form(good_form(priority_project="One. Two. Three."))
    assert problems and prof.errors(problems) == {}


def test_json_round_trip_through_the_form():
    """Does saved JSON re-load into a form that gives the same profile back?"""
    profile, _ = prof.profile_from_form(good_form(latitude="50.54", longitude="30.21"))
    loaded = prof.profile_from_json(json.loads(prof.to_json(profile)))
    again, problems = prof.profile_from_form(prof.form_from_profile(loaded))
    assert again == profile and problems == {}
    assert again["latitude"] == 50.54


@pytest.mark.parametrize(
    ("change", "fragment"),
    [({"schema": "c4c-plan/1"}, "schema"), ({"population": "many"}, "population"),
     ({"status": "frontline"}, "status"), ({"hromada_type": "village"}, "hromada_type"),
     ({"contact": "Olena"}, "contact")],
)  # fmt: skip
def test_bad_profile_json_names_the_field(change, fragment):
    """Does a malformed profile JSON raise ValueError naming the field?"""
    profile, _ = prof.profile_from_form(good_form())
    with pytest.raises(ValueError, match=fragment):
        prof.profile_from_json({**profile, **change})


def test_markdown_export():
    """Does the Markdown hold the English name, the Ukrainian name, oblast and both texts?"""
    md = prof.to_markdown(prof.profile_from_form(good_form())[0])
    assert md.startswith("# Buchanska miska hromada\n")
    for expected in ("*Бучанська міська громада*", "**Oblast:** Kyivska oblast", "**Population:** 42,000",
                     "## What we offer partners", "## Priority project", "Energy, Reconstruction",
                     "Ukrainian, English, Polish"):  # fmt: skip
        assert expected in md


def test_pdf_export_one_page_cyrillic_and_latin():
    """Is the PDF one page whose extracted text has the Cyrillic and Latin names and the contact?"""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(prof.to_pdf(prof.profile_from_form(good_form())[0])))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in ("Buchanska miska hromada", "Бучанська міська громада", "Kyivska oblast",
                     "olena@example.org", "Insulate five schools."):  # fmt: skip
        assert expected in text


def test_pdf_long_texts_stay_on_one_page():
    """Do texts at their word limits still fit one PDF page?"""
    from pypdf import PdfReader

    form = good_form(offers=" ".join(["experience"] * 120), priority_project=" ".join(["school"] * 60),
                     existing_partners="\n".join(f"Partner town {i}" for i in range(20)))  # fmt: skip
    reader = PdfReader(io.BytesIO(prof.to_pdf(prof.profile_from_form(form)[0])))
    assert len(reader.pages) == 1
