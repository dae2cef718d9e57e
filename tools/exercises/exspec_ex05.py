"""Exercise 5 (module m05_frontline): a joint application with a domestic and an EU partner."""

from __future__ import annotations

import io

import pandas as pd

from exbuild import (CHECKED_ON, REPO, Lang, answer, canary_cell, code, manual, md, question,
                     rubric, setup_cell, tests)
from excommon import howto, intro, mcq_tests, member_tests, my_work_cell, number_tests, outro

EXERCISE = "ex05_joint_application"
DATA = REPO / "c4c_lms" / "refdata" / "data"

# Ukrainian oblasts in each programme area, as the programme summaries in programmes.csv state them.
AREAS = {
    "interreg_next_pl_ua": ("UA-07", "UA-46", "UA-21", "UA-56", "UA-61", "UA-26"),
    "interreg_next_huskroua": ("UA-21", "UA-26", "UA-77"),
    "interreg_next_ro_ua": ("UA-26", "UA-21", "UA-77", "UA-51"),
    "interreg_danube": ("UA-77", "UA-26", "UA-21", "UA-51"),
    # Five Ukrainian regions (mrrb.bg, 2021-2027); the programme kept the 2014-2020 area, whose
    # Ukrainian part was these oblasts plus Crimea and Sevastopol (batti.eu; cbc.ab.gov.tr).
    "interreg_next_black_sea": ("UA-51", "UA-48", "UA-65", "UA-23", "UA-14"),
}
#: Where a programme's row in programmes.csv does not name the oblasts, the page that does.
AREA_SOURCES = {
    "interreg_next_black_sea": "https://batti.eu/black-sea-basin-joint-operational-programme-2014-2020/",
}


def areas() -> pd.DataFrame:
    programmes = pd.read_csv(DATA / "programmes.csv", keep_default_na=False).set_index("id")
    oblasts = pd.read_csv(DATA / "oblasts.csv", keep_default_na=False).set_index("iso_code")
    rows = []
    for programme, codes in AREAS.items():
        for iso in codes:
            rows.append({"programme": programme, "programme_en": programmes.loc[programme, "name_en"],
                         "iso_code": iso, "oblast_en": oblasts.loc[iso, "name_en"],
                         "oblast_uk": oblasts.loc[iso, "name_uk"],
                         "source_url": AREA_SOURCES.get(programme,
                                                        programmes.loc[programme, "source_url"]),
                         "checked_on": "2026-11-29" if programme in AREA_SOURCES else CHECKED_ON})
    return pd.DataFrame(rows)


def data_files() -> dict[str, bytes]:
    buf = io.StringIO()
    areas().to_csv(buf, index=False, lineterminator="\n")
    return {"data/programme_areas.csv": buf.getvalue().encode("utf-8"),
            "data/oblasts.csv": (DATA / "oblasts.csv").read_bytes()}


def cells(t: Lang) -> list:
    df = areas()
    n_pl = int((df["programme"] == "interreg_next_pl_ua").sum())
    n_ro = int((df["programme"] == "interreg_next_ro_ua").sum())
    obl = "oblast_uk" if t.lang == "uk" else "oblast_en"
    return [
        intro(t, 5, t("Спільна заявка: внутрішнє і міжнародне партнерство",
                      "Joint application: domestic and international partnership"),
              t("Модуль 5. Громади з окупованих і прифронтових територій; «суперсила» громади",
                "Module 5. Communities from the occupied and frontline territories; "
                "the community's “superpower”"),
              t("«Планувальник проєкту»", "“Project planner”"),
              t("Ви сплануєте спільну заявку: партнера в Україні (співробітництво "
                "територіальних громад) і партнера в ЄС, та перевірите, в які програми "
                "Interreg потрапляє ваша область.",
                "You will plan a joint application: a partner in Ukraine (cooperation of "
                "territorial communities) and a partner in the EU, and check which Interreg "
                "programme areas your oblast belongs to.")),
        howto(t),
        setup_cell(t, 'areas = pd.read_csv("data/programme_areas.csv")\n'
                      'oblasts = pd.read_csv("data/oblasts.csv", keep_default_na=False)\n'
                      f'areas[["programme", "iso_code", "{obl}"]]'),
        md(t("Таблиця `areas` показує, які області входять до території програм Interreg з "
             "Україною (за описами програм). Стовпці: `programme`, `iso_code` (код області за "
             "ISO 3166-2, наприклад `UA-46` — Львівська), `oblast_uk`. Таблиця `oblasts` "
             "містить усі 27 регіонів з кодами.",
             "The table `areas` shows which oblasts are in the area of Interreg programmes with "
             "Ukraine (from the programme descriptions). Columns: `programme`, `iso_code` (the "
             "oblast's ISO 3166-2 code, e.g. `UA-46` for Lviv oblast), `oblast_en`. The table "
             "`oblasts` lists all 27 regions with their codes.")),
        md(t("## Частина 1. Партнер в Україні", "## Part 1. A partner in Ukraine")),
        question(t, "1.1", 1, t(
            "Який закон регулює співробітництво українських громад між собою (наприклад, "
            "спільний проєкт прифронтової громади і громади, що приймає ВПО)?\n\n"
            "- A. Закон № 1508-VII «Про співробітництво територіальних громад».\n"
            "- B. Закон № 3668-IX «Про міжнародне територіальне співробітництво України».\n"
            "- C. Закон про ратифікацію угоди щодо програми CERV.\n"
            "- D. Жоден: громадам потрібен лише договір між головами.",
            "Which law governs cooperation between Ukrainian communities (for example a joint "
            "project of a frontline community and a community hosting IDPs)?\n\n"
            "- A. Law 1508-VII “On Cooperation of Territorial Communities”.\n"
            "- B. Law 3668-IX “On International Territorial Cooperation of Ukraine”.\n"
            "- C. The law ratifying the CERV agreement.\n"
            "- D. None: the heads of the communities only need a contract.")),
        answer("q1_1", '# answer1_1 = "A"', 'answer1_1 = "A"'),
        mcq_tests(t, "q1_1", 1, "answer1_1", "ABCD", "A"),
        question(t, "1.2", 1, t(
            "Скільки форм співробітництва громад визначає цей закон? Запишіть число.",
            "How many forms of cooperation between communities does this law set out? Write "
            "the number.")),
        answer("q1_2", "# answer1_2 = 0", "answer1_2 = 5"),
        number_tests(t, "q1_2", 1, "answer1_2", 5, integer=True, plausible=(1, 20)),
        question(t, "1.3", 1, t(
            "Рукшинська громада (Чернівецька область) і Миколаївська громада (Донецька "
            "область) разом будують житло для ВПО. Яка це форма співробітництва?\n\n"
            "- A. Делегування виконання завдань.\n"
            "- B. Реалізація спільного проєкту.\n"
            "- C. Утворення спільного комунального підприємства.\n"
            "- D. Утворення спільного органу управління.",
            "Rukshyn community (Chernivtsi oblast) and Mykolaivka community (Donetsk oblast) "
            "are building housing for IDPs together. Which form of cooperation is this?\n\n"
            "- A. Delegating tasks.\n"
            "- B. A joint project.\n"
            "- C. A joint communal enterprise.\n"
            "- D. A joint management body.")),
        answer("q1_3", '# answer1_3 = "A"', 'answer1_3 = "B"'),
        mcq_tests(t, "q1_3", 1, "answer1_3", "ABCD", "B"),
        md(t("## Частина 2. Партнер у ЄС і програма", "## Part 2. An EU partner and a programme")),
        md(t(f"**Приклад.** Області на території програми Interreg NEXT Польща–Україна ({n_pl}):",
             f"**Worked example.** Oblasts in the area of Interreg NEXT Poland–Ukraine ({n_pl}):")),
        code('pl_ua = areas[areas["programme"] == "interreg_next_pl_ua"]\nlen(pl_ua)', "example2_1"),
        question(t, "2.1", 1, t(
            "Скільки областей на території програми Interreg NEXT **Румунія–Україна** "
            "(`\"interreg_next_ro_ua\"`)?",
            "How many oblasts are in the area of Interreg NEXT **Romania–Ukraine** "
            "(`\"interreg_next_ro_ua\"`)?")),
        answer("q2_1", "# answer2_1 = len(...)",
               'answer2_1 = len(areas[areas["programme"] == "interreg_next_ro_ua"])'),
        number_tests(t, "q2_1", 1, "answer2_1", n_ro, integer=True, plausible=(0, len(df))),
        question(t, "2.2", 1, t(
            "Запишіть код **своєї** області з таблиці `oblasts` (стовпець `iso_code`), "
            "наприклад `\"UA-46\"`. Запустіть `oblasts[[\"iso_code\", \"name_uk\"]]`, якщо "
            "треба подивитися коди.",
            "Write the code of **your** oblast from the table `oblasts` (column `iso_code`), "
            "e.g. `\"UA-46\"`. Run `oblasts[[\"iso_code\", \"name_en\"]]` to look the codes up.")),
        answer("q2_2", '# my_oblast = "UA-46"', 'my_oblast = "UA-77"'),
        member_tests(t, "q2_2", 1, "my_oblast", "data/oblasts.csv", "oblasts", "iso_code",
                     t('Запишіть код у лапках, наприклад "UA-46".',
                       'Write the code in quotes, for example "UA-46".'),
                     t("Такого коду немає в таблиці oblasts: формат UA-дві цифри.",
                       "This code is not in the oblasts table: the format is UA- and two digits.")),
        md(t("**Приклад.** У скількох програмах є Львівська область (`UA-46`)?",
             "**Worked example.** In how many programme areas is Lviv oblast (`UA-46`)?")),
        code('len(areas[areas["iso_code"] == "UA-46"])', "example2_3"),
        question(t, "2.3", 1, t(
            "У скількох програмах з таблиці є **ваша** область (`my_oblast`)? Відповідь може "
            "бути й 0: тоді шукайте тематичні програми (CERV, LIFE, Horizon Europe).",
            "In how many programme areas of the table is **your** oblast (`my_oblast`)? The "
            "answer may be 0: then look at thematic programmes (CERV, LIFE, Horizon Europe).")),
        answer("q2_3", "# answer2_3 = len(...)",
               'answer2_3 = len(areas[areas["iso_code"] == my_oblast])'),
        tests("q2_3", 1, f'''
"""{t("Перевіряє кількість програм для вашої області.", "Checks the number of programmes for your oblast.")}"""
assert type(answer2_3) is int, {t("Відповідь — ціле число: порахуйте рядки за допомогою len(...).", "The answer is a whole number: count the rows with len(...).")!r}
''', '''
_c4c_a = pd.read_csv("data/programme_areas.csv")
assert type(my_oblast) is str and type(answer2_3) is int
assert int(answer2_3) == int((_c4c_a["iso_code"] == str(my_oblast)).sum())
'''),
        question(t, "2.4", 1, t(
            "Для CERV «Мережі міст» (Networks of Towns) потрібно щонайменше кілька заявників з "
            "різних країн. Скільки щонайменше? Запишіть число (це є в модулі 3 і в описі програми "
            "`cerv_networks_of_towns` у таблиці вправи 3).",
            "CERV Networks of Towns needs a minimum number of applicants from different "
            "countries. What is the minimum? Write the number (it is in module 3 and in the "
            "description of `cerv_networks_of_towns` in the table of exercise 3).")),
        answer("q2_4", "# answer2_4 = 0", "answer2_4 = 4"),
        number_tests(t, "q2_4", 1, "answer2_4", 4, integer=True, plausible=(1, 50)),
        my_work_cell(t, "m05_frontline", 5, [
            ("m05_joint_application.csv", "my_application",
             t('pd.DataFrame({"name": ["Сонячна (приклад)", "Громада-партнер (приклад)"], '
               '"role": ["заявник", "партнер"], "status": ["домовлено", "у перемовинах"], '
               '"benefits": ["досвід енергоаудиту від партнера", "обмін молоддю і досвід стійкості"]})',
               'pd.DataFrame({"name": ["Sonyachna (example)", "Partner community (example)"], '
               '"role": ["applicant", "partner"], "status": ["agreed", "in talks"], '
               '"benefits": ["energy-audit know-how from the partner", "youth exchange and resilience experience"]})')),
            ("m05_offer.csv", "my_offer", None)]),
        md(t("## Частина 3. План спільної заявки", "## Part 3. Plan of the joint application")),
        question(t, "3.1", 3, t(
            "Сплануйте спільну заявку для пріоритетного проєкту своєї громади:\n\n"
            "1. **Партнер в Україні**: яка громада і яка форма співробітництва за законом "
            "№ 1508-VII.\n"
            "2. **Партнер у ЄС** і **програма**: чому ця програма (територія, сектор, статус "
            "України) і коли кінцевий термін.\n"
            "3. **Ролі**: хто за що відповідає (заявник, партнери) і які перші три кроки.",
            "Plan a joint application for your community's priority project:\n\n"
            "1. **Partner in Ukraine**: which community and which form of cooperation under "
            "Law 1508-VII.\n"
            "2. **EU partner** and **programme**: why this programme (area, sector, Ukraine's "
            "status) and when the deadline is.\n"
            "3. **Roles**: who does what (applicant, partners) and the first three steps.")),
        rubric(t, "q3_1_rubric", [
            ("Внутрішній партнер і форма співробітництва названі та відповідають закону № 1508-VII",
             "The domestic partner and the form of cooperation are named and match Law 1508-VII", 1,
             "Партнера в Україні названо, але форму співробітництва не вказано або вона не з п'яти форм закону № 1508-VII.",
             'The Ukrainian partner is named, but the form of cooperation is missing or is not one of the five forms of Law 1508-VII.'),
            ("Програма відповідає території, сектору і статусу України; строк названо",
             "The programme fits the area, sector and Ukraine's status; the deadline is named", 1,
             'Програма відповідає сектору і статусу України, але не перевірено територію (область для Interreg NEXT) або не названо строк.',
             "The programme fits the sector and Ukraine's status, but the area (the oblast for Interreg NEXT) is not checked or the deadline is not named."),
            ("Ролі розподілено реалістично, громади зазначені бенефіціарами одна одної "
             "(кожна отримує користь), перші кроки конкретні",
             "Roles are shared realistically, the communities are each other's beneficiaries "
             "(each one gains), and the first steps are concrete", 1,
             'Громади — бенефіціари одна одної, але ролі чи перші кроки розмиті. Якщо користь одностороння — 0.',
             "The communities are each other's beneficiaries, but the roles or the first steps are vague. If the benefit runs one way only: 0."),
        ]),
        manual("q3_1", 3, t("Партнер в Україні і форма співробітництва: ...\n\nПартнер у ЄС і програма: "
                            "...\n\nРолі та перші кроки: ...",
                            "Partner in Ukraine and form: ...\n\nEU partner and programme: ...\n\n"
                            "Roles and first steps: ..."),
               t("*Заповніть: партнер в Україні і форма співробітництва; партнер у ЄС і програма; "
                 "ролі, яку користь отримує кожна громада (бенефіціари одна одної), і три перші "
                 "кроки.*",
                 "*Fill in: the partner in Ukraine and the form of cooperation; the EU partner and "
                 "the programme; roles, what each community gains (each other's beneficiaries), "
                 "and the first three steps.*")),
        outro(t),
        canary_cell(t),
    ]
