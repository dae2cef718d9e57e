"""`c4c --help` follows --lang and C4C_LANG."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from c4c_lms.cli.main import cli


@pytest.mark.parametrize(("args", "env", "words", "absent"), [
    (["--lang", "en", "--help"], {}, ["Options:", "Commands:", "Autograde submitted notebooks"], "Команди"),
    (["--help"], {"C4C_LANG": "en"}, ["Commands:", "Write feedback HTML per participant."], "Команди"),
    (["--lang", "uk", "--help"], {"C4C_LANG": "en"}, ["Параметри:", "Команди:", "Показати цю довідку"], "Commands:"),
    (["--help"], {"C4C_LANG": "uk"}, ["Команди:", "Створити відгуки HTML"], "Autograde"),
])  # fmt: skip
def test_help_in_the_chosen_language(args, env, words, absent):
    """Is the root help (description, options, every command) in the chosen language only?"""
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    for word in words:
        assert word in result.output
    assert absent not in result.output
    commands = result.output.split(words[1] if "Commands:" in words[1] or "Команди:" in words[1] else words[0])[-1]
    assert all(len(line.split(None, 1)) == 2 for line in commands.strip().splitlines() if line.startswith("  ") and not line.startswith("   "))
