"""Attendance import: the three layouts, encodings, rejoins, and bad input that changes nothing."""

from __future__ import annotations

import codecs

import pytest

from c4c_lms.cohort import attendance
from c4c_lms.core.exceptions import InputFileError
from c4c_lms.lms.roster import load_roster
from conftest import invoke

ZOOM = """Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants
812 3456 7890,Day 1,01/15/2024 10:00:00 AM,01/15/2024 02:00:00 PM,host@example.org,240,4

Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest
Олена Коваль,olena@hromada.ua,01/15/2024 10:00:00 AM,01/15/2024 10:40:00 AM,40,No
Olena Koval,olena@hromada.ua,01/15/2024 10:50:00 AM,01/15/2024 11:30:00 AM,40,No
Olena phone,olena@hromada.ua,01/15/2024 10:10:00 AM,01/15/2024 10:20:00 AM,10,No
Hnatiuk Serhii,,01/15/2024 10:00:00 AM,01/15/2024 11:05:00 AM,65,Yes
+380 67 123 4567,,01/15/2024 10:00:00 AM,01/15/2024 11:00:00 AM,60,Yes
Olena Koval,,01/15/2024 10:00:00 AM,01/15/2024 11:00:00 AM,60,Yes
"""
TEAMS = ("1. Summary\nMeeting title\tDay 2\n\n2. Participants\n"
         "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\n"
         "Yulia Shcherbak\t1/16/24, 10:00:00 AM\t1/16/24, 12:00:00 PM\t1h 5m 30s\tyulia@hromada.ua\t\tAttendee\n"
         "Dziuba Yaroslav\t1/16/24, 10:00:00 AM\t1/16/24, 10:30:00 AM\t30m 0s\t\t\tAttendee\n"
         "\n3. In-Meeting Activities\nName\tJoin Time\tLeave Time\tDuration\tEmail\tRole\n")  # fmt: skip
PLAIN = "ПІБ;Email;Хвилини\nЩербак Юлія;;45,5\nЩербак Юлія;;30\nДзюба Ярослав;yaroslav@hromada.ua;90\n"


def write(path, text, encoding):
    data = codecs.BOM_UTF8 + text.encode() if encoding == "utf-8-bom" else text.encode(encoding)
    path.write_bytes(data)
    return path


def test_zoom_with_bom_rejoins_overlaps_phone_and_namesakes(small_course, tmp_path):
    """Does a Zoom report (BOM) merge rejoins, count overlap once, flag phones and leave namesakes open?"""
    f = write(tmp_path / "zoom.csv", ZOOM, "utf-8-bom")
    record = attendance.import_day(small_course.workdir, load_roster(small_course), f, 1, 5, lang="en")
    assert (record["format"], record["encoding"]) == ("zoom", "utf-8-bom")
    minutes = attendance.minutes_by_day(attendance.load_state(small_course.workdir))
    assert minutes["p1"] == {1: 80.0}  # 40 + 40, the 10 minutes on a phone overlap
    assert minutes["p2"] == {1: 65.0}
    by_status = {a["name"]: a["status"] for a in record["attendees"]}
    assert by_status["+380 67 123 4567"] == "phone"
    assert by_status["Olena Koval"] == "ambiguous"  # no email: p1 or p4
    assert any("+380 67 123 4567" in msg and where == "row 9" for where, msg in record["warnings"])


def test_teams_utf16_uses_in_meeting_duration(small_course, tmp_path):
    """Does a Teams report (UTF-16, tabs, sections) use In-Meeting Duration, not first-to-last span?"""
    f = write(tmp_path / "teams.csv", TEAMS, "utf-16")
    record = attendance.import_day(small_course.workdir, load_roster(small_course), f, 2, 5, lang="en")
    assert (record["format"], record["encoding"]) == ("teams", "utf-16")
    minutes = attendance.minutes_by_day(attendance.load_state(small_course.workdir))
    assert minutes["p3"] == {2: 65.5} and minutes["p5"] == {2: 30.0}


def test_plain_cp1251_sums_rows(small_course, tmp_path):
    """Does a cp1251 CSV with semicolons and decimal commas sum a person's rows?"""
    f = write(tmp_path / "plain.csv", PLAIN, "cp1251")
    record = attendance.import_day(small_course.workdir, load_roster(small_course), f, 3, 5, lang="en")
    assert (record["format"], record["encoding"]) == ("plain", "cp1251")
    minutes = attendance.minutes_by_day(attendance.load_state(small_course.workdir))
    assert minutes["p3"] == {3: 75.5} and minutes["p5"] == {3: 90.0}


def test_duplicate_rows_counted_once_with_row_numbers(small_course, tmp_path):
    """Is an exact duplicate row reported with both row numbers and counted once?"""
    f = write(tmp_path / "dup.csv", "name,email,minutes\nOlena,olena@hromada.ua,50\nOlena,olena@hromada.ua,50\n",
              "utf-8")  # fmt: skip
    record = attendance.import_day(small_course.workdir, load_roster(small_course), f, 1, 5, lang="en")
    assert record["warnings"][0][0] == "row 3" and "2" in record["warnings"][0][1]
    assert attendance.minutes_by_day(attendance.load_state(small_course.workdir))["p1"] == {1: 50.0}


@pytest.mark.parametrize("text, where", [
    ("name,email,minutes\nOlena,olena@hromada.ua,50\nSerhii,,fifty\n", "row 3"),
    ("name,email,minutes\nOlena,olena@hromada.ua,50\n,,20\n", "row 3"),
    ("name,email,minutes\nOlena,olena@hromada.ua,50,7,8\n", "row 2"),
    ("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\nA,,yesterday,today,5\n", "row 2"),
    ("who,when\nOlena,today\n", "row 1"),
    ('name,email,minutes\n"Olena,olena@hromada.ua,50\n', "row"),
])  # fmt: skip
def test_bad_files_change_nothing(small_course, tmp_path, text, where):
    """Does a malformed file give a row-numbered message and leave the stored state byte-identical?"""
    good = write(tmp_path / "good.csv", PLAIN, "cp1251")
    attendance.import_day(small_course.workdir, load_roster(small_course), good, 1, 5, lang="en")
    before = attendance.state_path(small_course.workdir).read_bytes()
    bad = write(tmp_path / "bad.csv", text, "utf-8")
    with pytest.raises(InputFileError) as err:
        attendance.import_day(small_course.workdir, load_roster(small_course), bad, 1, 5, lang="en")
    assert err.value.problems and err.value.problems[0][0].startswith(where)
    assert attendance.state_path(small_course.workdir).read_bytes() == before


def test_cli_import_reports_layout_and_rejects_with_rows(small_course, tmp_path):
    """Does ``c4c attendance import`` name the layout and, for a bad file, list rows and exit 2?"""
    root = small_course.root
    ok = invoke(root, "attendance", "import", str(write(tmp_path / "z.csv", ZOOM, "utf-8")), "--day", "1")
    assert ok.exit_code == 0, ok.output
    assert "format zoom, encoding utf-8" in ok.output and "phone only: 1" in ok.output
    bad = invoke(root, "attendance", "import", str(write(tmp_path / "b.csv", "name,minutes\nA,x\n", "utf-8")),
                 "--day", "2")  # fmt: skip
    assert bad.exit_code == 2 and "row 2" in bad.output and "unchanged" in bad.output
    uk = invoke(root, "attendance", "import", str(tmp_path / "b.csv"), "--day", "2", lang="uk")
    assert "рядок 2" in uk.output
    assert invoke(root, "attendance", "import", str(tmp_path / "z.csv"), "--day", "9").exit_code == 2


def test_cli_resolve_assigns_and_survives_reimport(small_course, tmp_path):
    """Can the lecturer assign a pending attendee, and does re-importing the day keep that decision?"""
    root = small_course.root
    f = write(tmp_path / "z.csv", ZOOM, "utf-8")
    invoke(root, "attendance", "import", str(f), "--day", "1")
    listing = invoke(root, "attendance", "resolve")
    assert "1:3" in listing.output and "1:4" in listing.output  # phone, namesake
    assert "p1 (100), p4 (100)" in listing.output
    assert invoke(root, "attendance", "resolve", "1:4", "p4").exit_code == 0
    assert invoke(root, "attendance", "resolve", "1:3", "--ignore").exit_code == 0
    assert invoke(root, "attendance", "resolve", "1:4", "nobody").exit_code == 2
    invoke(root, "attendance", "import", str(f), "--day", "1")
    state = attendance.load_state(small_course.workdir)
    assert attendance.minutes_by_day(state)["p4"] == {1: 60.0}
    assert attendance.pending(state) == []


@pytest.mark.parametrize("text, minutes", [("93", 93), ("93,5", 93.5), ("1h 32m 30s", 92.5), ("45s", 0.75),
                                           ("1:30:00", 90), ("32m", 32)])  # fmt: skip
def test_durations(text, minutes):
    """Are the duration spellings of Zoom, Teams and spreadsheets all read as minutes?"""
    assert attendance.parse_minutes(text) == pytest.approx(minutes)


def test_mixed_encoding_is_refused_with_rows(small_course, tmp_path):
    """Is a file that glues cp1251 and UTF-8 rows refused, naming the UTF-8 rows?"""
    data = "ПІБ;Email;Хвилини\nЩербак Юлія;;45\n".encode("cp1251") + "Дзюба Ярослав;;90\n".encode("utf-8")
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    with pytest.raises(InputFileError) as err:
        attendance.import_day(small_course.workdir, load_roster(small_course), path, 1, 5, lang="en")
    assert err.value.problems == [("row 3", err.value.problems[0][1])] and "rows 3 are UTF-8" in err.value.problems[0][1]
    assert not attendance.state_path(small_course.workdir).exists()


def test_every_cohort_message_has_both_languages():
    """Does every message of the cohort catalogues exist in Ukrainian and English?"""
    from c4c_lms.core.i18n import Catalogue

    for name in ("attendance", "completion", "certificates", "report"):
        assert Catalogue.load(name).missing() == [], name
