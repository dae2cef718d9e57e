"""Plural-aware messages: babel's CLDR rules pick the Ukrainian and English forms."""

from __future__ import annotations

import string

import pytest

from c4c_lms.core.i18n import LANGUAGES, PLURAL_FORMS, Catalogue, catalogue_names, plural_form


@pytest.mark.parametrize(("count", "form"), [(1, "one"), (21, "one"), (3, "few"), (24, "few"),
                                             (5, "many"), (11, "many"), (14, "many"), (0, "many"),
                                             (2.5, "other")])  # fmt: skip
def test_ukrainian_plural_categories(count, form):
    """Are counts mapped to CLDR's Ukrainian categories (1 бал, 3 бали, 5 балів, 2,5 бала)?"""
    assert plural_form(count, "uk") == form


DEMO = {"n": {"uk": "{count} бала", "en": "{count} points",
              "plural": {"uk": {"one": "{count} бал", "few": "{count} бали", "many": "{count} балів"},
                         "en": {"one": "{count} point"}}}}  # fmt: skip


def test_plural_message_picks_the_form():
    """Does a plural entry give the grammatical form for the count, through the usual t()?"""
    cat = Catalogue("demo", DEMO)
    assert [cat.t("n", "uk", count=c) for c in (1, 3, 5, 1.5)] == ["1 бал", "3 бали", "5 балів", "1.5 бала"]
    assert [cat.t("n", "en", count=c) for c in (1, 3)] == ["1 point", "3 points"]
    with pytest.raises(KeyError):
        cat.t("n", "uk")  # a plural message needs its count


def test_a_missing_plural_form_is_reported():
    broken = {"n": {**DEMO["n"], "plural": {"uk": {"one": "a", "few": "b"}, "en": {"one": "c"}}}}
    assert Catalogue("demo", broken).missing() == ["n:uk:many"]


@pytest.mark.parametrize("name", catalogue_names())
def test_every_catalogue_has_every_plural_form(name):
    """Does every plural entry hold the forms its language needs, with the same placeholders?"""
    cat = Catalogue.load(name)
    assert cat.missing() == []
    fields = string.Formatter()
    for key, texts in cat.entries.items():
        for lang in LANGUAGES:
            forms = texts.get("plural", {}).get(lang, {})
            assert set(forms) <= set(PLURAL_FORMS[lang]) - {"other"}, key
            want = {f for _, f, _, _ in fields.parse(texts[lang]) if f}
            for form in forms.values():
                assert {f for _, f, _, _ in fields.parse(form) if f} == want, key


@pytest.mark.parametrize(("component", "key", "values", "count", "want"), [
    ("cli", "export_written", {"path": "g.csv", "fmt": "moodle"}, 3, "Записано оцінки 3 учасників"),
    ("cli", "export_written", {"path": "g.csv", "fmt": "moodle"}, 21, "Записано оцінки 21 учасника"),
    ("completion", "rules", {"minutes": 60, "score": 60, "required": "—"}, 4, "щонайменше 4 дні по"),
    ("completion", "rules", {"minutes": 60, "score": 60, "required": "—"}, 5, "щонайменше 5 днів по"),
    ("community_profile", "problems_left", {"fields": "x"}, 1, "Виправте ще 1 поле,"),
    ("community_profile", "problems_left", {"fields": "x"}, 3, "Виправте ще 3 поля,"),
    ("community_profile", "problems_left", {"fields": "x"}, 7, "Виправте ще 7 полів,"),
])  # fmt: skip
def test_learner_and_lecturer_texts_agree_with_their_numbers(component, key, values, count, want):
    """Do the texts the issue names read grammatically for each count (no "поле(-ів)")?"""
    extra = {"rows": count} if key == "export_written" else {"days": count} if key == "rules" else {}
    text = Catalogue.load(component).t(key, "uk", count=count, **values, **extra)
    assert want in text and "(-" not in text and "(и)" not in text
