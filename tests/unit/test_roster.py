"""Roster import: encodings, validation with row numbers, all-or-nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c4c_lms.core.config import load_course
from c4c_lms.core.exceptions import InputFileError
from c4c_lms.lms.roster import STUDENT_ID, Participant, find_by_name, import_roster, load_roster

FIXTURE = Path(__file__).resolve().parents[1] / "files" / "course101"
HEADER = "id,first_name_uk,last_name_uk,email,community,oblast,role\n"


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "c"
    shutil.copytree(FIXTURE / "course", root / "course")
    return load_course(root)


def test_imports_utf8_with_bom_and_fills_latin_names(course, tmp_path):
    """Does a UTF-8-with-BOM roster import, with Latin names by the official romanisation?"""
    f = tmp_path / "r.csv"
    f.write_text(HEADER + "p1,Юрій,Згурський,Yu@Example.org,Ірпінська,UA-32,Голова\n", encoding="utf-8-sig")
    result = import_roster(course, f)
    assert result == {"added": 1, "updated": 0, "total": 1, "encoding": "utf-8-sig"}
    (p,) = load_roster(course)
    assert (p.first_name_lat, p.last_name_lat, p.email) == ("Yurii", "Zghurskyi", "yu@example.org")


def test_imports_cp1251_semicolon_excel_export(course, tmp_path):
    """Does an old Windows Excel export (cp1251, semicolons, Ukrainian headers) import?"""
    f = tmp_path / "r.csv"
    f.write_bytes("id;Ім'я;Прізвище;Пошта\nq7;Ганна;Їжак;h@x.org\n".encode("cp1251"))
    result = import_roster(course, f)
    assert result["encoding"] == "cp1251"
    assert load_roster(course)[0].name_uk == "Ганна Їжак"


def test_bad_rows_reported_and_nothing_imported(course, tmp_path):
    """Are bad ids, bad emails and duplicates reported by row, leaving the roster unchanged?"""
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "a1,Олена,Коваль,o@x.org,,,\n", encoding="utf-8")
    import_roster(course, good)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + "b1,Іван,Бойко,i@x.org,,,\n"
        + "../evil,Тарас,Шевчук,t@x.org,,,\n"
        + "with space,Петро,Мельник,p@x.org,,,\n"
        + "b2,Марія,Ткаченко,not-an-email,,,\n"
        + "b1,Інна,Бойко,inna@x.org,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as err:
        import_roster(course, bad)
    where = [w for w, _ in err.value.problems]
    assert where == ["row 3", "row 4", "row 5", "row 6"]
    assert "already used in row 2" in err.value.problems[-1][1]
    assert [p.id for p in load_roster(course)] == ["a1"]


def test_xlsx_roster(course, tmp_path):
    """Does an XLSX roster import like a CSV one?"""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["id", "first_name_uk", "last_name_uk", "email"])
    wb.active.append(["x1", "Оксана", "Савчук", "o@s.org"])
    wb.save(tmp_path / "r.xlsx")
    assert import_roster(course, tmp_path / "r.xlsx")["added"] == 1


def test_garbage_file_is_a_clear_error(course, tmp_path):
    """Is a file with no id column refused with a message about the header?"""
    f = tmp_path / "r.csv"
    f.write_bytes(b"\x00\x01name\nfoo\n")
    with pytest.raises(InputFileError, match="no 'id' column"):
        import_roster(course, f)


@given(st.text(min_size=1, max_size=20))
def test_student_ids_never_escape_folders(candidate):
    """Can any accepted student id contain a path separator or '..'?"""
    try:
        p = Participant(id=candidate)
    except ValueError:
        return
    assert "/" not in p.id and "\\" not in p.id and ".." not in p.id and STUDENT_ID.match(p.id)


def test_find_by_name_any_script_and_order():
    """Is a participant found by Cyrillic or Latin name, in either order?"""
    people = [Participant(id="a", first_name_uk="Олена", last_name_uk="Коваль")]
    for name in ("Олена Коваль", "коваль олена", "Olena Koval", "KOVAL OLENA"):
        assert [p.id for p in find_by_name(people, name)] == ["a"]
    assert find_by_name(people, "Olena Kovalenko") == []
