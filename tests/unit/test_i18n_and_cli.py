"""Message catalogues are complete; the CLI lists every command with one-line help."""

from __future__ import annotations

import string

import pytest
from click.testing import CliRunner

from c4c_lms.cli.main import cli
from c4c_lms.core.i18n import Catalogue, catalogue_names


@pytest.mark.parametrize("name", catalogue_names())
def test_every_message_in_both_languages(name):
    """Does every message of every catalogue exist in Ukrainian and English with the same fields?"""
    catalogue = Catalogue.load(name)
    assert catalogue.missing() == []
    fields = string.Formatter()
    for key, texts in catalogue.entries.items():
        uk = {f for _, f, _, _ in fields.parse(texts["uk"]) if f}
        en = {f for _, f, _, _ in fields.parse(texts["en"]) if f}
        assert uk == en, f"{name}.{key}: placeholders differ"


def test_help_lists_every_command():
    """Does `c4c --help` list every lecturer command, each with a help line?"""
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("course", "roster", "release", "submissions", "grade", "feedback", "export", "serve"):
        line = next(ln for ln in result.output.splitlines() if ln.strip().startswith(command + " "))
        assert len(line.split(None, 1)[1]) > 10
    for name, command in cli.commands.items():
        assert command.get_short_help_str(), f"{name} has no help"


def test_messages_follow_language(tmp_path):
    """Does a configuration error read in Ukrainian by default and in English on request?"""
    empty = tmp_path / "nowhere"
    empty.mkdir()
    (empty / "course").mkdir()
    (empty / "course" / "course.toml").write_text("[course]\n")
    runner = CliRunner()
    uk = runner.invoke(cli, ["--course-root", str(empty), "--lang", "uk", "course", "check"])
    en = runner.invoke(cli, ["--course-root", str(empty), "--lang", "en", "course", "check"])
    assert uk.exit_code == en.exit_code == 1
    assert "Знайдено проблем" in uk.output and "Problems found" in en.output
    assert "course.toml:1: course.id: Field required" in en.output


def test_project_course_checks_clean(repo):
    """Does `c4c course check` pass on the project's own course, naming every notebook it checked?"""
    result = CliRunner().invoke(cli, ["--course-root", str(repo), "--lang", "en", "course", "check"])
    assert result.exit_code == 0, result.output
    # 5 days x 2 module languages + syllabus apps + 5 exercises x 2 languages
    assert "5 exercises, 5 days" in result.output


def test_course_check_reports_broken_notebooks(tmp_path):
    """Are a broken exercise notebook and a points mismatch reported as file:line problems?"""
    import shutil
    from pathlib import Path

    root = tmp_path / "c"
    shutil.copytree(Path(__file__).resolve().parents[1] / "files" / "course101", root)
    (root / "exercises" / "ps1_en" / "ps1_en.ipynb").write_text('{"cells": [', encoding="utf-8")
    toml = root / "course" / "course.toml"
    toml.write_text(toml.read_text().replace("points = 5", "points = 6"))
    result = CliRunner().invoke(cli, ["--course-root", str(root), "--lang", "en", "course", "check"])
    assert result.exit_code == 1
    assert "ps1_en.ipynb:1: not a valid notebook file" in result.output
    assert "declares 6 points but" in result.output and "has 5" in result.output
    assert "Problems found: 2" in result.output


def test_course_check_refuses_tests_reading_undeclared_names(tmp_path):
    """Is a test that reads a name no answer cell declares reported (it could never pass in T)?"""
    import json
    import shutil
    from pathlib import Path

    root = tmp_path / "c"
    shutil.copytree(Path(__file__).resolve().parents[1] / "files" / "course101", root)
    path = root / "exercises" / "ps1" / "ps1.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "answer1_1":
            cell["metadata"]["c4c"] = {"answers": ["answer1_1"]}
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "q1_2":
            cell["source"] = "assert answer1_2 == helper_total"
    path.write_text(json.dumps(nb), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--course-root", str(root), "--lang", "en", "course", "check"])
    assert result.exit_code == 1
    assert "test q1_2 reads answer1_2, helper_total, which no answer cell declares" in result.output


def test_grading_reasons_are_localised():
    """Are grading reason codes shown in Ukrainian and English, detail kept?"""
    from c4c_lms.cli.main import localise_reason
    from c4c_lms.lms.grading.outcomes import Reason, Status, SubmissionResult

    def shown(reason, detail, lang):
        return localise_reason(SubmissionResult("s", "a", Status.FAILED, reason=reason, detail=detail), lang)

    assert shown(Reason.INVALID_JSON, "", "uk") == "файл зошита пошкоджений (не JSON)"
    assert shown(Reason.TAMPERING, "canary cell removed", "uk").endswith("перегляньте: canary cell removed")
    assert shown(Reason.KERNEL_DIED, "", "en").startswith("kernel died")
    assert shown(Reason.TESTS_EDITED, "q1_1", "en") == "locked test cells edited (restored before grading): q1_1"
    assert shown(Reason.UNKNOWN, "something new", "en") == "something new"
    # every reason code has a text in both languages
    from c4c_lms.core.i18n import Catalogue

    cli_messages = Catalogue.load("cli")
    for reason in Reason:
        if reason not in (Reason.NONE, Reason.UNKNOWN):
            for lang in ("uk", "en"):
                assert cli_messages.t(f"reason_{reason}", lang, detail="")
