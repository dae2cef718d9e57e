"""Text and test blocks shared by the five exercise specs."""

from __future__ import annotations

from exbuild import THEMES, Lang, code, md, tests

THEME_NAMES = {
    "energy": ("енергетика й енергоефективність", "energy and energy efficiency"),
    "water_waste": ("вода, стоки і відходи", "water, wastewater and waste"),
    "education_youth": ("освіта і молодь", "education and youth"),
    "health": ("охорона здоров'я і реабілітація", "health and rehabilitation"),
    "civil_protection": ("цивільний захист і стійкість", "civil protection and resilience"),
    "culture_heritage": ("культура і спадщина", "culture and heritage"),
    "local_economy": ("місцева економіка і МСП", "local economy and SMEs"),
    "digital": ("цифрове врядування", "digital governance"),
    "social_inclusion": ("соціальна інклюзія, ВПО, ветерани", "social inclusion, IDPs, veterans"),
    "environment_climate": ("довкілля і клімат", "environment and climate"),
    "mobility": ("транспорт і мобільність", "transport and mobility"),
    "democracy_participation": ("демократія й участь мешканців", "democracy and participation"),
    "reconstruction": ("відбудова", "reconstruction"),
    "demining": ("розмінування", "demining"),
}


def theme_table(t: Lang) -> str:
    head = t("| Код | Сектор |\n|---|---|", "| Code | Sector |\n|---|---|")
    rows = "\n".join(f"| `{s}` | {t(*THEME_NAMES[s])} |" for s in THEMES)
    return head + "\n" + rows


def intro(t: Lang, number: int, title: str, module: str, apps: str, aim: str):
    word = t("Вправа", "Exercise")
    points = t("10 балів", "10 points")
    follows = t(f"Ця вправа йде після модуля **{module}**. Застосунки до нього: {apps}. "
                f"Вправа оцінюється в {points}.",
                f"This exercise follows **{module}**. Apps for it: {apps}. "
                f"The exercise is worth {points}.")
    return md(f"# {word} {number}. {title}\n\n{follows}\n\n{aim}")


def howto(t: Lang):
    return md(t(
        "**Як виконувати вправу**\n\n"
        "1. Запускайте клітинки по черзі зверху вниз: клацніть клітинку і натисніть "
        "**Shift+Enter**.\n"
        "2. У клітинці з відповіддю видаліть рядок `raise NotImplementedError()` і напишіть "
        "замість нього відповідь за зразком у коментарі (рядки з `#` — коментарі). Текст "
        "пишіть у лапках (`\"B\"`), числа — без лапок і пробілів (`24000`).\n"
        "3. Запустіть клітинку з відповіддю і клітинку з перевіркою під нею. Якщо з'явилася "
        "помилка, прочитайте підказку в її останньому рядку, виправте відповідь і запустіть "
        "обидві клітинки знову. Перевірка лише підказує; бали рахує система оцінювання після "
        "здачі.\n"
        "4. Текстові відповіді (клітинки *YOUR ANSWER HERE*) оцінює викладач за критеріями, "
        "наведеними над ними. Щоб писати в такій клітинці, клацніть її двічі; щоб показати "
        "текст, натисніть Shift+Enter.\n"
        "5. Наприкінці виберіть **Run → Run All Cells**, збережіть зошит і надішліть його.",
        "**How to do this exercise**\n\n"
        "1. Run the cells one by one from top to bottom: click a cell and press "
        "**Shift+Enter**.\n"
        "2. In an answer cell, delete the line `raise NotImplementedError()` and write your "
        "answer in its place, following the example in the comment (lines starting with `#` "
        "are comments). Put text in quotes (`\"B\"`); write numbers without quotes or spaces "
        "(`24000`).\n"
        "3. Run the answer cell and the check cell below it. If an error appears, read the hint "
        "in its last line, correct your answer and run both cells again. The check only gives "
        "hints; points are counted by the grading system after you submit.\n"
        "4. Text answers (cells saying *YOUR ANSWER HERE*) are marked by the lecturer using the "
        "criteria shown above them. Double-click such a cell to write in it; press Shift+Enter "
        "to show the text.\n"
        "5. At the end, choose **Run → Run All Cells**, save the notebook and submit it."))


def mcq_tests(t: Lang, gid: str, points: int, var: str, letters: str, correct: str):
    """Tests for a one-letter multiple-choice answer."""
    options = ", ".join(letters)
    return tests(gid, points, f'''
"""{t("Перевіряє, що вибрано одну літеру.", "Checks that one letter was chosen.")}"""
assert type({var}) is str, {t(f'Напишіть літеру в лапках, наприклад "{letters[0]}".', f'Write the letter in quotes, for example "{letters[0]}".')!r}
assert {var}.strip().upper() in {tuple(letters)!r}, {t(f"Оберіть одну з літер: {options}.", f"Choose one of the letters: {options}.")!r}
''', f'''
assert type({var}) is str and str({var}).strip().upper() == {correct!r}
''')


def order_tests(t: Lang, gid: str, points: int, var: str, letters: str, correct: str):
    """Tests for an ordering answer written as a string of letters, e.g. "CADB"."""
    return tests(gid, points, f'''
"""{t("Перевіряє, що кожну літеру використано рівно один раз.", "Checks that each letter is used exactly once.")}"""
assert type({var}) is str, {t(f'Напишіть літери в лапках без пробілів, наприклад "{letters}".', f'Write the letters in quotes without spaces, for example "{letters}".')!r}
assert sorted({var}.replace(" ", "").upper()) == {sorted(letters)!r}, {t(f"Використайте кожну з літер {', '.join(letters)} рівно один раз.", f"Use each of the letters {', '.join(letters)} exactly once.")!r}
''', f'''
assert type({var}) is str and str({var}).replace(" ", "").upper() == {correct!r}
''')


def number_tests(t: Lang, gid: str, points: int, var: str, expected: float, *,
                 integer: bool = False, plausible: tuple[float, float] | None = None,
                 rel_tol: float = 1e-6):
    """Tests for a numeric answer: exact numeric types only, compared after conversion."""
    if integer:
        types = "(int, np.int64, np.int32)"
        hint_type = t("Відповідь — ціле число без лапок.", "The answer is a whole number without quotes.")
        hidden = f"assert type({var}) in {types} and int({var}) == {int(expected)}"
    else:
        types = "(int, float, np.int64, np.float64)"
        hint_type = t("Відповідь — число без лапок і пробілів (десяткову частину пишіть через крапку).",
                      "The answer is a number without quotes or spaces (use a point for decimals).")
        hidden = (f"assert type({var}) in {types}\n"
                  f"assert math.isclose(float({var}), {float(expected)!r}, rel_tol={rel_tol})")
    visible = f'''
"""{t("Перевіряє, що відповідь — число.", "Checks that the answer is a number.")}"""
import numpy as np
assert type({var}) in {types}, {hint_type!r}
'''
    if plausible:
        lo, hi = plausible
        msg = t(f"Число має бути від {lo} до {hi}: перевірте вираз.",
                f"The number should be between {lo} and {hi}: check your expression.")
        visible += f"assert {lo} <= {var} <= {hi}, {msg!r}\n"
    return tests(gid, points, visible, hidden)


def outro(t: Lang):
    return md(t("Готово! Виберіть **Run → Run All Cells**, переконайтеся, що остання клітинка "
                "надрукувала `C4C-CANARY-OK`, збережіть зошит і надішліть його.",
                "Done! Choose **Run → Run All Cells**, check that the last cell printed "
                "`C4C-CANARY-OK`, save the notebook and submit it."))


def member_tests(t: Lang, gid: str, points: int, var: str, csv: str, frame: str, column: str,
                 hint_type: str, hint_missing: str):
    """Tests for a text answer that must be one of the values of a table column.

    The visible check uses the participant's table ``frame``; the hidden one reads the shipped
    CSV again, so a changed table cannot help.
    """
    return tests(gid, points, f'''
"""{t("Перевіряє, що значення є в таблиці.", "Checks that the value is in the table.")}"""
assert type({var}) is str, {hint_type!r}
assert {var} in set({frame}["{column}"]), {hint_missing!r}
''', f'''
assert type({var}) is str
assert str({var}) in set(pd.read_csv("{csv}", keep_default_na=False)["{column}"].astype(str))
''')


# --- the participant's own work from the module (my_work/) ------------------------------------

_FIND_MY_WORK = '''from pathlib import Path as _Path


def _c4c_my_work(module, name):
    """The module's saved file my_work/<name>: next to this notebook, above it, or in modules/<module>/."""
    try:
        here = _Path.cwd().resolve()
        for base in [here, *list(here.parents)[:4]]:
            for folder in (base / "my_work", base / "modules" / module / "my_work"):
                if (folder / name).is_file():
                    return folder / name
    except OSError:  # a folder we may not read: as if nothing was saved
        return None
    return None'''


def my_work_cell(t: Lang, module: str, number: int, files: list[tuple[str, str, str | None]]):
    """A locked cell that shows what the module's "your community" task saved in ``my_work/``.

    ``files``: ``(file name, variable, example)`` where ``example`` is a pandas expression (in the
    notebook's language) shown when the file is missing or unreadable, or ``None``. The grading
    never reads these variables: hidden tests use the exercise's own data only.
    """
    lines = [f"# {t(f'Ваші збережені таблиці з модуля {number} (лише для вас: на оцінку вони не впливають).', f'Your saved tables from module {number} (for you only: they do not affect the grade).')}",
             _FIND_MY_WORK, ""]
    for name, var, example in files:
        found = t(f"Знайдено вашу таблицю з модуля {number}:", f"Found your table from module {number}:")
        bad = t(f"Файл {name} є, але його не вдалося прочитати.",
                f"The file {name} exists but could not be read.")
        if example is None:
            missing = t(f"Файла my_work/{name} з модуля {number} не знайдено (натисніть «Зберегти» в модулі, щоб він з'явився).",
                        f"No my_work/{name} from module {number} found (press Save in the module to create it).")
            fallback = f"    print({missing!r})"
        else:
            missing = t(f"Вашого файла my_work/{name} з модуля {number} немає, тому нижче ПРИКЛАД (вигадана громада), а не ваші дані. Збережіть таблицю в модулі {number}, і тут з'являться ваші.",
                        f"Your my_work/{name} from module {number} is not there, so below is an EXAMPLE (a made-up community), not your data. Save the table in module {number} to see yours here.")
            fallback = f"    {var} = {example}\n    print({missing!r})"
        lines.append(f'''_found = _c4c_my_work({module!r}, {name!r})
{var} = None
if _found is not None:
    try:
        {var} = pd.read_csv(_found, encoding="utf-8-sig", keep_default_na=False, dtype=str)
        print({found!r}, _found)
    except Exception:  # a damaged or half-written file
        print({bad!r})
if {var} is None:
{fallback}
if {var} is not None:
    display({var})''')
    return code("\n".join(lines), "my_work")
