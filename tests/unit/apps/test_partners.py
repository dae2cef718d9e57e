"""Partner finder: distances, languages, profile reading, scoring, shortlist and letter."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from c4c_lms.content import partners

PROFILE = {"schema": "c4c-profile/1", "name_uk": "Жовківська громада", "name_en": "Zhovkva",
           "oblast": "UA-46", "raion": "Lvivskyi", "hromada_type": "town", "population": 33000,
           "area_km2": 500.0, "status": ["hosting_idps"], "priority_sectors": ["energy"],
           "offers": "Experience in hosting displaced people.", "languages": ["uk", "en", "pl"],
           "existing_partners": ["Gniezno"],
           "contact": {"name": "Olena Koval", "role": "Head of international relations",
                       "email": "olena@example.org"},
           "priority_project": "Warm schools: insulate three schools."}


def town(name, country, pop, lat, lon):
    return {"name": name, "country": country, "population": pop, "lat": lat, "lon": lon,
            "geonameid": 1}


def test_haversine_kyiv_lviv():
    """Is the Kyiv–Lviv great-circle distance about 468 km?"""
    assert partners.haversine_km(50.4501, 30.5234, 49.8397, 24.0297) == pytest.approx(468, abs=3)
    assert partners.haversine_km(10, 10, 10, 10) == 0


def test_official_languages_from_cldr():
    """Are Poland's, Belgium's and Switzerland's official languages read from CLDR?"""
    assert partners.official_languages("PL") == ("pl",)
    assert set(partners.official_languages("BE")) == {"nl", "fr", "de"}
    assert {"de", "fr", "it"} <= set(partners.official_languages("CH"))


def test_read_profile_uses_oblast_centre_without_coordinates():
    """Without coordinates, is the community placed at its oblast's main town (UA-46 -> Lviv)?"""
    community, problems = partners.read_profile(PROFILE)
    assert problems == []
    assert (community["lat"], community["lon"]) == pytest.approx((49.84, 24.02), abs=0.05)
    with_coords, _ = partners.read_profile({**PROFILE, "latitude": 50.1, "longitude": 23.97})
    assert (with_coords["lat"], with_coords["lon"]) == (50.1, 23.97)


@pytest.mark.parametrize("change, field", [
    ({"schema": "other"}, "schema"), ({"population": "many"}, "population"),
    ({"population": -3}, "population"), ({"name_en": " "}, "name_en"),
    ({"oblast": "UA-99"}, "oblast"),
])
def test_read_profile_names_the_bad_field(change, field):
    """Does each kind of bad profile name the field at fault?"""
    _, problems = partners.read_profile({**PROFILE, **change})
    assert field in [f for f, _ in problems]


def test_search_filters_and_scores():
    """Are size band, country, distance and existing partners applied, and scores explained?"""
    community, _ = partners.read_profile({**PROFILE, "latitude": 50.0, "longitude": 24.0})
    towns = [town("Rzeszow-like", "PL", 30000, 50.04, 22.0),
             town("Far similar", "PT", 33000, 38.7, -9.1),
             town("Too big", "PL", 500000, 50.0, 20.0),
             town("Gniezno", "PL", 68000, 52.5, 17.6),
             town("Other", "DE", 40000, 48.7, 9.0)]
    found = partners.search(community, towns, band="similar", languages=["pl", "en"])
    names = [f["name"] for f in found]
    assert names[0] == "Rzeszow-like" and "Too big" not in names and "Gniezno" not in names
    assert partners.search(community, towns, countries=["DE"])[0]["name"] == "Other"
    assert [f["name"] for f in partners.search(community, towns, max_km=500)] == ["Rzeszow-like"]
    top = found[0]
    assert top["score"] == round(sum(top["parts"].values()))
    assert top["parts"]["language"] == 25 and found[-1]["parts"]["language"] == 0
    assert 0 <= min(f["score"] for f in found) and max(f["score"] for f in found) <= 100
    assert "You work in an official language of this country: Polish" in partners.explain(top["reasons"], "en")
    assert "мовою, офіційною в цій країні: польська" in partners.explain(top["reasons"], "uk")
    assert "Shared official" not in partners.explain(top["reasons"], "en")  # Polish is not official in UA


def test_sector_points_come_from_documented_cases():
    """Do documented cases with the town's country on the chosen themes add sector points?"""
    community, _ = partners.read_profile({**PROFILE, "latitude": 50.0, "longitude": 24.0})
    cases = pd.DataFrame({"partner_country": ["SE", "SE", "PL"],
                          "themes": ["energy;education_youth", "energy", "culture_heritage"]})
    towns = [town("Swedish", "SE", 33000, 59.0, 15.0), town("Polish", "PL", 33000, 50.0, 20.0)]
    found = {f["name"]: f for f in partners.search(community, towns, sectors=["energy"], cases=cases)}
    assert found["Swedish"]["parts"]["sectors"] == 15
    assert found["Polish"]["parts"]["sectors"] == 0


def test_real_municipalities_search_near_lviv():
    """Over the shipped GeoNames towns, do Polish towns of similar size near Lviv come first?"""
    towns = partners.municipalities()
    assert len(towns) > 10000 and {t["country"] for t in towns} <= set(partners.europe())
    community, _ = partners.read_profile(PROFILE)
    found = partners.search(community, towns, band="similar", languages=["pl"], limit=5)
    assert len(found) == 5 and all(f["country"] == "PL" for f in found)
    assert all(16500 <= f["population"] <= 66000 for f in found)


def test_shortlist_csv_and_letter():
    """Is the shortlist CSV readable with the planner's columns, and the letter filled from the profile?"""
    community, _ = partners.read_profile({**PROFILE, "latitude": 50.0, "longitude": 24.0})
    found = partners.search(community, [town("Łańcut", "PL", 18000, 50.07, 22.23)], band="any")
    rows = list(csv.DictReader(io.StringIO(partners.shortlist_csv(found, "uk"))))
    assert rows[0]["name"] == "Łańcut" and rows[0]["country"] == "PL"
    assert rows[0]["country_name"] == "Польща" and int(rows[0]["score"]) == found[0]["score"]
    text = partners.letter(PROFILE, found[0], ["Energy"])
    for part in ("Dear Mayor of Łańcut", "Zhovkva", "33,000", "Poland", "Energy",
                 "Experience in hosting", "Warm schools", "Olena Koval", "olena@example.org"):
        assert part in text
    assert "[name]" in partners.letter({"schema": "c4c-profile/1"}, found[0], [])


def test_scatter_png():
    """Is the suggestion plot a PNG?"""
    community, _ = partners.read_profile(PROFILE)
    found = partners.search(community, partners.municipalities(), limit=3)
    assert partners.scatter_png(found, community, "t", "you").startswith(b"\x89PNG")
