"""The checker itself: it must catch unsourced, undated and malformed rows."""

from __future__ import annotations

import csv
import shutil

import pytest

from c4c_lms.refdata import tables as refdata
from c4c_lms.core.exceptions import InputFileError


def _copy_with(tmp_path, name, edit):
    """Copy the shipped table to tmp_path, change its first row with `edit`, return the path."""
    src = refdata.DATA_DIR / f"{name}.csv"
    with src.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    edit(rows[0])
    out = tmp_path / f"{name}.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=refdata.TABLES[name].columns)
        writer.writeheader()
        writer.writerows(rows)
    return out


@pytest.mark.parametrize("name", sorted(refdata.TABLES))
def test_row_without_source_is_caught(tmp_path, name):
    """Does a row added without a source fail the check, naming the row?"""
    path = _copy_with(tmp_path, name, lambda r: r.update(source_url=""))
    problems = refdata.check_table(name, path, lang="en")
    assert len(problems) == 1 and "row 2" in problems[0] and "source_url" in problems[0]


@pytest.mark.parametrize(
    ("name", "field", "value", "fragment"),
    [
        ("programmes", "checked_on", "2999-01-01", "future"),
        ("programmes", "checked_on", "28.11.2026", "YYYY-MM-DD"),
        ("programmes", "source_url", "https://example.org/news/...", "http(s)"),
        ("programmes", "source_url", "www.example.org", "http(s)"),
        ("programmes", "ukraine_status", "member", "allowed values"),
        ("programmes", "themes", "energy;space", "space"),
        ("programmes", "call_months", "9;13", "13"),
        ("programmes", "grant_min_eur", "60000", "larger than"),
        ("programmes", "max_cofinancing_rate", "90", "between"),
        ("events", "kind", "party", "allowed values"),
        ("events", "country", "XX", "ISO 3166-1"),
        ("events", "month", "13", "between"),
        ("events", "date", "2024-02-30", "YYYY-MM-DD"),
        ("cases", "year", "23", "between"),
        ("cases", "ua_oblast_iso", "UA-99", "allowed values"),
        ("cases", "partner_country", "Poland", "ISO 3166-1"),
        ("oblasts", "iso_code", "UA-00", "allowed values"),
    ],
)
def test_bad_values_are_caught(tmp_path, name, field, value, fragment):
    """Does the checker report a wrong value with its row and field?"""
    path = _copy_with(tmp_path, name, lambda r: r.update({field: value}))
    problems = refdata.check_table(name, path, lang="en")
    assert problems and any("row 2" in p and fragment in p for p in problems), problems


def test_event_date_must_match_month_day(tmp_path):
    """Does an event whose date disagrees with its month fail the check?"""
    def edit(row):
        row.update(month="5", day="9", date="2024-06-09")
    problems = refdata.check_table("events", _copy_with(tmp_path, "events", edit), lang="en")
    assert any("does not match" in p for p in problems)


def test_case_without_ukrainian_text_is_caught(tmp_path):
    """Does a case whose English text lacks its Ukrainian twin fail the check, naming both?"""
    path = _copy_with(tmp_path, "cases", lambda r: r.update(what_done_uk=""))
    problems = refdata.check_table("cases", path, lang="en")
    assert len(problems) == 1 and "what_done_uk" in problems[0] and "what_done" in problems[0]
    assert refdata.check_table("cases") == []


def test_duplicate_id_is_caught(tmp_path):
    """Does a repeated id fail the check?"""
    src = refdata.DATA_DIR / "cases.csv"
    path = tmp_path / "cases.csv"
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines + [lines[1]]), encoding="utf-8")
    problems = refdata.check_table("cases", path, lang="en")
    assert any("used twice" in p for p in problems)


def test_wrong_header_is_caught(tmp_path):
    """Does a table with a renamed column fail with one header message?"""
    path = tmp_path / "oblasts.csv"
    text = (refdata.DATA_DIR / "oblasts.csv").read_text(encoding="utf-8")
    path.write_text(text.replace("hromadas_2020", "hromadas", 1), encoding="utf-8")
    problems = refdata.check_table("oblasts", path, lang="en")
    assert len(problems) == 1 and problems[0].startswith("header")


def test_unknown_programme_reference_is_caught(tmp_path):
    """Does check_all report an event pointing at a programme that does not exist?"""
    for name in refdata.TABLES:
        shutil.copy(refdata.DATA_DIR / f"{name}.csv", tmp_path)
    _copy_with(tmp_path, "events", lambda r: r.update(programme_id="no_such_programme"))
    found = refdata.check_all(tmp_path, lang="en")
    assert any("no_such_programme" in p for p in found["events"])


def test_messages_in_both_languages(tmp_path):
    """Is a problem reported in Ukrainian by default and in English on request?"""
    path = _copy_with(tmp_path, "cases", lambda r: r.update(source_url=""))
    assert "немає source_url" in refdata.check_table("cases", path, lang="uk")[0]
    assert "is empty" in refdata.check_table("cases", path, lang="en")[0]
    from c4c_lms.core.i18n import Catalogue
    assert Catalogue.load("refdata").missing() == []


def test_loader_refuses_bad_table(tmp_path, monkeypatch):
    """Does the loader raise InputFileError listing the problem instead of loading a bad table?"""
    _copy_with(tmp_path, "cases", lambda r: r.update(source_url=""))
    for name in ("programmes", "events", "oblasts"):
        shutil.copy(refdata.DATA_DIR / f"{name}.csv", tmp_path)
    monkeypatch.setattr(refdata, "DATA_DIR", tmp_path)
    refdata._load.cache_clear()
    try:
        with pytest.raises(InputFileError) as err:
            refdata.load_cases()
        assert "source_url" in str(err.value)
    finally:
        monkeypatch.undo()
        refdata._load.cache_clear()
