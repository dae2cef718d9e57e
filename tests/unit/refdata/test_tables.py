"""The curated reference tables: sourced, dated, typed and consistent."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pycountry
import pytest

from c4c_lms.refdata import tables as refdata

TABLE_NAMES = sorted(refdata.TABLES)


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_table_passes_checker(name):
    """Does every shipped table pass the checker with no problems at all?"""
    assert refdata.check_table(name) == []


def test_cross_references():
    """Does every events.programme_id point at a programme that exists?"""
    assert refdata.check_all() == {name: [] for name in TABLE_NAMES}


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_every_row_sourced_and_dated(name):
    """Has every row a complete http(s) source_url and a checked_on date not in the future?"""
    df = getattr(refdata, f"load_{name}")()
    assert len(df) > 0
    for url in df["source_url"]:
        assert isinstance(url, str) and re.match(r"^https?://\S+\.\S+$", url), url
        assert "..." not in url and "…" not in url, url
    assert df["checked_on"].notna().all()
    assert (df["checked_on"] <= pd.Timestamp(dt.date.today())).all()


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_ids_unique(name):
    """Are the row ids of each table unique?"""
    key = refdata.TABLES[name].key
    df = getattr(refdata, f"load_{name}")()
    assert df[key].is_unique and df[key].notna().all()


def test_programmes_enums_and_ranges():
    """Do programmes use only allowed statuses, applicant types, themes, months and rates?"""
    df = refdata.load_programmes()
    assert set(df["ukraine_status"]) <= set(refdata.UKRAINE_STATUSES)
    assert all(set(t) <= set(refdata.THEMES) for t in df["themes"])
    assert all(set(t) <= set(refdata.APPLICANT_TYPES) for t in df["applicant_types"])
    assert all(all(1 <= m <= 12 for m in ms) for ms in df["call_months"])
    rate = df["max_cofinancing_rate"].dropna()
    assert ((rate >= 0) & (rate <= 1)).all()
    both = df.dropna(subset=["grant_min_eur", "grant_max_eur"])
    assert (both["grant_min_eur"] <= both["grant_max_eur"]).all()


def test_required_programmes_present():
    """Are the programmes the course names all in the table?"""
    ids = set(refdata.load_programmes()["id"])
    for pid in ("cerv_town_twinning", "cerv_networks_of_towns", "interreg_next_pl_ua", "interreg_europe",
                "horizon_europe", "horizon_cities_mission", "life", "erasmus_plus", "creative_europe",
                "single_market_programme", "digital_europe", "connecting_europe_facility",
                "covenant_of_mayors", "urbact", "u_lead", "house_of_europe", "ukraine_facility",
                "e5p", "nefco_green_recovery"):
        assert pid in ids, pid


def test_cerv_town_twinning_facts():
    """Does the CERV Town Twinning row carry the published lump-sum band and September deadline?"""
    row = refdata.load_programmes().set_index("id").loc["cerv_town_twinning"]
    assert (row["grant_min_eur"], row["grant_max_eur"]) == (8455, 50745)
    assert row["call_months"] == [9]
    assert pd.isna(row["max_cofinancing_rate"])
    assert row["ukraine_since"] == pd.Timestamp("2024-01-09")


def test_events_enums_and_dates():
    """Do events use valid kinds, recurrences, countries and month/day values that match the date?"""
    df = refdata.load_events()
    assert set(df["kind"]) <= set(refdata.EVENT_KINDS)
    assert set(df["recurrence"]) <= set(refdata.RECURRENCES)
    assert all(set(t) <= set(refdata.THEMES) for t in df["themes"])
    for code in df["country"].dropna():
        assert code in ("EU", "online") or pycountry.countries.get(alpha_2=code), code
    assert df["month"].dropna().between(1, 12).all()
    assert df["day"].dropna().between(1, 31).all()
    assert df.loc[df["day"].notna(), "month"].notna().all()
    dated = df.dropna(subset=["date"])
    assert (dated["date"].dt.month == dated["month"]).all()
    assert (dated["date"].dt.day == dated["day"]).all()
    assert {"event", "deadline", "session"} <= set(df["kind"])


def test_cases_codes_valid():
    """Do cases use valid UA oblast codes, ISO partner countries and known themes?"""
    df = refdata.load_cases()
    ua = {s.code for s in pycountry.subdivisions.get(country_code="UA")}
    assert set(df["ua_oblast_iso"].dropna()) <= ua
    for code in df["partner_country"].dropna():
        assert pycountry.countries.get(alpha_2=code), code
    assert all(set(t) <= set(refdata.THEMES) for t in df["themes"])


def test_oblasts_match_pycountry():
    """Are the oblasts exactly pycountry's 27 UA subdivisions, named as pycountry names them?"""
    df = refdata.load_oblasts()
    subs = {s.code: s.name for s in pycountry.subdivisions.get(country_code="UA")}
    assert len(df) == 27 == len(subs)
    assert dict(zip(df["iso_code"], df["name_en"])) == subs
    assert df["name_uk"].str.contains(r"[А-Яа-яІіЇїЄєҐґ]").all()
    assert df["geonames_admin1"].str.fullmatch(r"\d{2}").all() and df["geonames_admin1"].is_unique


def test_hromada_total_documented():
    """Is the official total of 1,469 hromadas documented next to the 1,470 Interfax breakdown?"""
    df = refdata.load_oblasts()
    assert refdata.OFFICIAL_HROMADAS_2020 == 1469
    assert int(df["hromadas_2020"].sum()) == 1470
    assert df["hromadas_2020"].notna().sum() == 24
    assert df.loc[df["hromadas_2020"].notna(), "notes"].str.contains("1,469").all()
    readme = (refdata.DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert "1,469" in readme


def test_loader_dtypes():
    """Do the loaders return parsed dates, nullable integers, floats and Python lists?"""
    p = refdata.load_programmes()
    assert str(p["grant_min_eur"].dtype) == "Int64"
    assert p["max_cofinancing_rate"].dtype == "float64"
    for col in ("ukraine_since", "next_deadline", "checked_on"):
        assert pd.api.types.is_datetime64_any_dtype(p[col]), col
    assert all(isinstance(v, list) for v in p["themes"])
    assert all(all(isinstance(m, int) for m in ms) for ms in p["call_months"])
    e = refdata.load_events()
    assert str(e["month"].dtype) == "Int64" and pd.api.types.is_datetime64_any_dtype(e["date"])
    assert str(refdata.load_cases()["year"].dtype) == "Int64"
    assert pd.isna(p.set_index("id").loc["interreg_europe", "grant_max_eur"])


def test_loader_returns_copies():
    """Does changing a loaded frame leave the next load untouched?"""
    df = refdata.load_programmes()
    df.loc[0, "name_en"] = "changed"
    assert refdata.load_programmes().loc[0, "name_en"] != "changed"


def test_data_version_is_a_date():
    """Is DATA_VERSION an ISO date no later than today?"""
    assert dt.date.fromisoformat(refdata.DATA_VERSION) <= dt.date.today()


def test_data_version_covers_rows():
    """Is DATA_VERSION at least as recent as the latest checked_on of any row?"""
    latest = max(getattr(refdata, f"load_{n}")()["checked_on"].max() for n in TABLE_NAMES)
    assert pd.Timestamp(refdata.DATA_VERSION) >= latest
