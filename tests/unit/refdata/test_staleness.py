"""`c4c refdata check --as-of DATE`: stale rows and past "upcoming" dates in the reference data."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import tomllib

import pytest
from click.testing import CliRunner

from c4c_lms.cli.main import cli
from c4c_lms.refdata.staleness import DEFAULT_MAX_AGE_DAYS, check_staleness
from c4c_lms.refdata.tables import DATA_DIR


def _course_start(repo) -> dt.date:
    with (repo / "course" / "course.toml").open("rb") as fh:
        return tomllib.load(fh)["course"]["start"]


def _run(repo, *args, lang="en"):
    """The real command through the root group (language through --lang and ctx.obj)."""
    return CliRunner().invoke(
        cli, ["--course-root", str(repo), "--lang", lang, "refdata", "check", *args],
        obj={"lang": lang},
    )


def _small_tables(tmp_path):
    """A copy of the reference data with one stale row and one past "upcoming" date in each kind."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)

    def edit(name, change):
        path = data / f"{name}.csv"
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            fields, rows = reader.fieldnames, list(reader)
        for row in rows:
            change(row)
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)

    def programmes(row):
        if row["id"] == "cerv_town_twinning":
            row["checked_on"] = "2025-01-10"           # stale by 2027-01-15
            row["next_deadline"] = "2026-09-23"          # upcoming when checked, past by then
        elif row["id"] == "interreg_next_pl_ua":
            row["next_deadline"] = "2027-03-31"          # still upcoming: not flagged

    def events(row):
        if row["id"] == "euregionsweek_2025":
            row["checked_on"] = "2025-06-01"             # announced while upcoming, now past (and stale)
        elif row["id"] == "urc_2027_estonia":
            row["year"] = "2026"                         # "dates not announced" for a year now over
            row["checked_on"] = "2026-02-01"

    edit("programmes", programmes)
    edit("events", events)
    return data


def test_findings_on_a_small_table(tmp_path):
    """Are a stale row, a past next_deadline, a past announced date and an ended
    "to be announced" year found, and nothing that is history or still ahead?"""
    data = _small_tables(tmp_path)
    got = {(f.table, f.row_id, f.kind, f.field) for f in
           check_staleness(as_of=dt.date(2027, 1, 15), data_dir=data)}
    assert got == {
        ("programmes", "cerv_town_twinning", "stale", "checked_on"),
        ("programmes", "cerv_town_twinning", "past_upcoming", "next_deadline"),
        ("events", "euregionsweek_2025", "stale", "checked_on"),
        ("events", "euregionsweek_2025", "past_upcoming", "date"),
        ("events", "urc_2027_estonia", "past_upcoming", "year"),
    }
    tight = check_staleness(as_of=dt.date(2027, 1, 15), max_age_days=30, data_dir=data)
    assert sum(f.kind == "stale" for f in tight) > 100  # every row checked in Nov 2026 is > 30 days
    with pytest.raises(ValueError):
        check_staleness(as_of=dt.date(2027, 1, 15), max_age_days=-1)


def test_shipped_data_is_current_for_the_course_start(repo):
    """Does the real command, run for the course's first day from course.toml, pass the shipped data?"""
    start = _course_start(repo)
    result = _run(repo, "--as-of", start.isoformat())
    assert result.exit_code == 0, result.output
    assert start.isoformat() in result.output and "All current" in result.output
    default = _run(repo)  # no --as-of: the course's first day is used
    assert default.exit_code == 0, default.output
    assert "course.toml" in default.output and start.isoformat() in default.output


def test_cli_lists_the_small_tables_problems(repo, tmp_path):
    """Does the command list each problem by table and row, count them and exit 1, in both languages?"""
    data = _small_tables(tmp_path)
    result = _run(repo, "--as-of", "2027-01-15", "--data-dir", str(data))
    assert result.exit_code == 1, result.output
    flat = " ".join(result.output.split())
    for row_id in ("cerv_town_twinning", "euregionsweek_2025", "urc_2027_estonia"):
        assert row_id in flat
    assert "2 stale rows, 3 past “upcoming” dates" in flat
    assert "2026-09-23" in flat and "2025-01-10" in flat
    uk = _run(repo, "--as-of", "2027-01-15", "--data-dir", str(data), lang="uk")
    assert uk.exit_code == 1 and "застарілих рядків — 2" in " ".join(uk.output.split())
    wide = _run(repo, "--as-of", "2027-01-15", "--data-dir", str(data), "--max-age-days", "1000")
    assert "0 stale rows, 3 past" in " ".join(wide.output.split())
    bad = _run(repo, "--as-of", "2027-01-15", "--max-age-days", "-5")
    assert bad.exit_code == 2


def test_default_age_is_a_course_cycle():
    """Is the default maximum age one year (one course cycle)?"""
    assert DEFAULT_MAX_AGE_DAYS == 365
