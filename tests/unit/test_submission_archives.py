"""Submissions import (issue 13): ZIP names without the UTF-8 flag, two LMS accounts for one
participant, and a blank notebook never replacing an answered one."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from helpers import run_c4c

from c4c_lms.core.config import load_course
from c4c_lms.core.exceptions import ArchiveNamesError
from c4c_lms.lms.roster import import_roster
from c4c_lms.lms.submissions import import_submissions

FIXTURE = Path(__file__).resolve().parents[1] / "files" / "course101"
ANSWERED = (FIXTURE / "submissions" / "olena" / "ps1.ipynb").read_bytes()
MOODLE = "{name}_{id}_assignsubmission_file_ps1.ipynb"


class RawName(zipfile.ZipInfo):
    """An entry whose name is stored as given bytes with flag bit 11 cleared, as Info-ZIP and
    Windows archivers write it (Python itself would store UTF-8 and set the flag)."""

    def __init__(self, raw: bytes, date_time=(2024, 1, 19, 18, 0, 0)):
        super().__init__(raw.decode("cp437"), date_time)
        self.raw = raw

    def _encodeFilenameFlags(self):
        return self.raw, self.flag_bits & ~0x800


def write_zip(path: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return path


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "c"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("submissions"))
    course = load_course(root)
    import_roster(course, root / "roster.csv")
    return course


def roster_without_moodle_ids(course, **ids: str) -> None:
    """Re-import course101's roster with every ``lms_user_id`` empty except those given."""
    lines = (FIXTURE / "roster.csv").read_text("utf-8").splitlines()
    rows = [lines[0]] + [",".join([*line.split(",")[:-1], ids.get(line.split(",")[0], "")]) for line in lines[1:]]
    path = course.root / "roster_now.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    import_roster(course, path)


@pytest.mark.parametrize("encoding", ["cp866", "cp1251", "utf-8"])
def test_names_without_utf8_flag_are_decoded(course, tmp_path, encoding):
    """Are Cyrillic names stored without the UTF-8 flag (cp866 as Windows' OEM archivers write,
    cp1251, or raw UTF-8 as Info-ZIP on Linux writes) read back and matched to the roster?"""
    archive = write_zip(tmp_path / "in.zip", [
        (RawName("Олена Коваль/ps1.ipynb".encode(encoding)), ANSWERED),
        (RawName(MOODLE.format(name="Тарас Шевчук", id="102").encode(encoding)), ANSWERED),
    ])  # fmt: skip
    raw = zipfile.ZipFile(archive).infolist()
    assert all(not info.flag_bits & 0x800 for info in raw)  # really written without the flag
    assert "Олена" not in raw[0].filename  # what Python alone would make of it: mojibake
    report = import_submissions(course, archive)
    assert sorted(report.imported) == [("olena", "ps1", "Олена Коваль/ps1.ipynb"),
                                       ("taras", "ps1", MOODLE.format(name="Тарас Шевчук", id="102"))]  # fmt: skip
    assert report.unknown_student == [] and report.rejected == []
    assert (course.workdir / "submitted/olena/ps1/ps1.ipynb").read_bytes() == ANSWERED


def test_unreadable_names_are_refused_with_exit_2(course, tmp_path):
    """Is a ZIP whose names read as neither UTF-8, cp866 nor cp1251 refused as a whole (a clear
    message, exit 2, nothing imported), not reported as unknown participants with exit 0?"""
    archive = write_zip(tmp_path / "odd.zip", [
        (RawName(b"\xb0\xb1\xb2 \xdb/ps1.ipynb"), ANSWERED),
        (RawName("Олена Коваль/ps1.ipynb".encode("cp866")), ANSWERED),
    ])  # fmt: skip
    with pytest.raises(ArchiveNamesError) as err:
        import_submissions(course, archive)
    assert err.value.count == 2
    for lang, words in (("en", "are not stored as UTF-8"), ("uk", "записано не в UTF-8")):
        result = run_c4c(course.root, "submissions", "import", str(archive), lang=lang)
        assert result.exit_code == 2, result.output
        assert f"{archive}: " in result.output and words in result.output and "cp866" in result.output
    assert not any((course.workdir / "submitted").rglob("*.ipynb"))


def test_two_moodle_accounts_for_one_participant_import_neither(course, tmp_path):
    """Do two Moodle accounts whose names map to Olena import neither file, keep both, list both,
    and exit 1, until the roster names her account?"""
    roster_without_moodle_ids(course)
    blank = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()
    first, second = MOODLE.format(name="Олена Коваль", id="201"), MOODLE.format(name="Olena Koval", id="202")
    archive = write_zip(tmp_path / "moodle.zip", [
        (zipfile.ZipInfo(first, (2024, 1, 19, 17, 0, 0)), ANSWERED),  # answered, earlier
        (zipfile.ZipInfo(second, (2024, 1, 19, 18, 0, 0)), blank),  # blank, later
    ])  # fmt: skip
    report = import_submissions(course, archive)
    kept = course.workdir / "conflicts" / "olena" / "ps1"
    assert report.imported == [] and report.conflicts == [("olena", "ps1", sorted([first, second]), str(kept))]
    assert not (course.workdir / "submitted" / "olena").exists()
    assert sorted(p.read_bytes() for p in kept.iterdir()) == sorted([ANSWERED, blank])
    result = run_c4c(course.root, "submissions", "import", str(archive), lang="en")
    assert result.exit_code == 1
    assert "olena, ps1: 2 files from different LMS accounts map to one participant" in result.output
    assert first in result.output and second in result.output
    # resolved: the roster says 201 is Olena's account; 202 is then nobody on the roster
    roster_without_moodle_ids(course, olena="201")
    report = import_submissions(course, archive)
    assert report.imported == [("olena", "ps1", first)] and report.conflicts == []
    assert report.unknown_student == [(second, "'Olena Koval': Moodle account 202 is not olena's (201)")]
    assert (course.workdir / "submitted/olena/ps1/ps1.ipynb").read_bytes() == ANSWERED


def test_a_second_account_in_a_later_download_is_a_conflict(course, tmp_path):
    """Does a later ZIP from another Moodle account of the same person leave the imported
    notebook untouched and report the conflict?"""
    roster_without_moodle_ids(course)
    first = write_zip(tmp_path / "a.zip", [(zipfile.ZipInfo(MOODLE.format(name="Олена Коваль", id="201"),
                                                            (2024, 1, 19, 17, 0, 0)), ANSWERED)])  # fmt: skip
    assert import_submissions(course, first).imported
    later = write_zip(tmp_path / "b.zip", [(zipfile.ZipInfo(MOODLE.format(name="Olena Koval", id="202"),
                                                            (2024, 1, 20, 9, 0, 0)), b"{}")])  # fmt: skip
    report = import_submissions(course, later)
    assert report.imported == [] and [c[:2] for c in report.conflicts] == [("olena", "ps1")]
    assert (course.workdir / "submitted/olena/ps1/ps1.ipynb").read_bytes() == ANSWERED


def test_a_newer_blank_never_replaces_an_answered_notebook(course, tmp_path):
    """Is a newer notebook that still holds the released blanks kept out (and reported) when an
    answered one is already imported, while a newer answered one does replace it?"""
    run_c4c(course.root, "release", "ps1", check=True)
    blank = (course.workdir / "release/ps1/ps1.ipynb").read_bytes()
    answered = write_zip(tmp_path / "a.zip", [(zipfile.ZipInfo("olena/ps1.ipynb", (2024, 1, 19, 17, 0, 0)), ANSWERED)])
    assert import_submissions(course, answered).imported
    newer_blank = write_zip(tmp_path / "b.zip", [(zipfile.ZipInfo("olena/ps1.ipynb", (2024, 1, 20, 9, 0, 0)), blank)])
    report = import_submissions(course, newer_blank)
    assert report.imported == [] and report.kept_answered == [("olena", "ps1", "olena/ps1.ipynb")]
    assert (course.workdir / "submitted/olena/ps1/ps1.ipynb").read_bytes() == ANSWERED
    result = run_c4c(course.root, "submissions", "import", str(newer_blank), lang="uk")
    assert result.exit_code == 0 and "Не замінено заповнену роботу незаповненою" in result.output
    changed = ANSWERED.replace(b"answer1_1 = 42", b"answer1_1 = 43")
    assert changed != ANSWERED
    newer = write_zip(tmp_path / "c.zip", [(zipfile.ZipInfo("olena/ps1.ipynb", (2024, 1, 21, 9, 0, 0)), changed)])
    assert import_submissions(course, newer).imported == [("olena", "ps1", "olena/ps1.ipynb")]


def test_the_roster_breaks_a_tie_between_encodings(course, tmp_path):
    """When a name reads as Cyrillic in both cp866 and cp1251 (lower-case letters do), is the
    encoding chosen whose names are on the roster, and without such evidence is it refused?"""
    name = "олена коваль/ps1.ipynb"
    report = import_submissions(course, write_zip(tmp_path / "a.zip", [(RawName(name.encode("cp1251")), ANSWERED)]))
    assert report.imported == [("olena", "ps1", name)]
    stranger = write_zip(tmp_path / "b.zip", [(RawName("марко/ps1.ipynb".encode("cp1251")), ANSWERED)])
    with pytest.raises(ArchiveNamesError):
        import_submissions(course, stranger)
