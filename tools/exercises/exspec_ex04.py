"""Exercise 4 (module m04_cases): analysing real cooperation cases of Ukrainian communities."""

from __future__ import annotations

import pandas as pd

from exbuild import REPO, Lang, answer, canary_cell, code, manual, md, question, rubric, setup_cell, tests
from excommon import howto, intro, mcq_tests, my_work_cell, number_tests, order_tests, outro

EXERCISE = "ex04_case_analysis"
SOURCE = REPO / "c4c_lms" / "refdata" / "data" / "cases.csv"


def data_files() -> dict[str, bytes]:
    return {"data/cases.csv": SOURCE.read_bytes()}


def cells(t: Lang) -> list:
    df = pd.read_csv(SOURCE, keep_default_na=False)
    n_pl = int((df["partner_country"] == "PL").sum())
    n_se = int((df["partner_country"] == "SE").sum())
    counts = df.loc[df["partner_country"] != "", "partner_country"].value_counts()
    top = str(counts.index[0])
    assert counts.iloc[0] > counts.iloc[1], "the most frequent country must be unique"
    n_energy = int(df["themes"].str.split(";").apply(lambda xs: "energy" in xs).sum())
    n_social = int(df["themes"].str.split(";").apply(lambda xs: "social_inclusion" in xs).sum())
    wojnowice = df[df["id"] == "wojnowice_forum_partnerships"]["result"].iloc[0]
    n_woj = int(wojnowice.split()[0])
    return [
        intro(t, 4, t("Аналіз успішного кейсу співпраці", "Analysing a successful cooperation case"),
              t("Модуль 4. Успішні кейси співпраці громад", "Module 4. Successful cooperation cases"),
              t("«Пошук партнерів»", "“Partner finder”"),
              t("Ви дослідите таблицю реальних партнерств українських громад, з'ясуєте, як "
                "вони починалися, і проаналізуєте один кейс з погляду своєї громади.",
                "You will explore a table of real partnerships of Ukrainian communities, find "
                "out how they started and analyse one case from your community's point of view.")),
        howto(t),
        setup_cell(t, 'cases = pd.read_csv("data/cases.csv", keep_default_na=False)\n'
                      + t('cases[["id", "ua_community_uk", "partner_uk", "partner_country", "year", "themes"]]',
                          'cases[["id", "ua_community", "partner", "partner_country", "year", "themes"]]')),
        md(t(f"Таблиця `cases` містить {len(df)} кейсів з відкритих джерел (стовпець "
             "`source_url`). Стовпці: `ua_community`, `partner`, `partner_country` (код країни; "
             "порожньо, якщо партнерів кілька або країна не названа), `year`, `how_found` (як "
             "знайшли партнера), `what_done` (що зробили), `result`, `themes`. Ці тексти "
             "англійською, а поруч ті самі відомості українською: `ua_community_uk`, `partner_uk`, "
             "`how_found_uk`, `what_done_uk`, `result_uk`.",
             f"The table `cases` holds {len(df)} cases from public sources (column "
             "`source_url`). Columns: `ua_community`, `partner`, `partner_country` (country "
             "code; empty when there are several partners or the country is not named), "
             "`year`, `how_found`, `what_done`, `result`, `themes`.")),
        md(t("## Частина 1. Що показує таблиця", "## Part 1. What the table shows")),
        md(t(f"**Приклад.** Кейси з партнером із Польщі ({n_pl}):",
             f"**Worked example.** Cases with a partner from Poland ({n_pl}):")),
        code('len(cases[cases["partner_country"] == "PL"])', "example1_1"),
        question(t, "1.1", 1, t("Скільки кейсів мають партнера зі **Швеції** (`\"SE\"`)?",
                                "How many cases have a partner from **Sweden** (`\"SE\"`)?")),
        answer("q1_1", "# answer1_1 = len(...)",
               'answer1_1 = len(cases[cases["partner_country"] == "SE"])'),
        number_tests(t, "q1_1", 1, "answer1_1", n_se, integer=True, plausible=(0, len(df))),
        md(t("**Приклад.** `value_counts()` рахує, скільки разів трапляється кожне значення "
             "(найчастіше — згори):",
             "**Worked example.** `value_counts()` counts how often each value occurs (most "
             "frequent first):")),
        code('cases["partner_country"].value_counts()', "example1_2"),
        question(t, "1.2", 1, t(
            "З якої країни партнери трапляються найчастіше **в цій таблиці** (не враховуючи "
            "порожніх клітинок)? Запишіть код країни в лапках.\n\n"
            "*Обережно з висновками:* таблиця — добірка кейсів із джерел курсу, а не перелік "
            "усіх партнерств. Вісім французьких пар узято з однієї статті про Конгрес мерів "
            "Франції, тому відповідь говорить про вибірку, а не про те, з якою країною українські "
            "громади співпрацюють найчастіше. Перш ніж робити висновок із таблиці, перевірте, "
            "звідки взято рядки (`source_url`).",
            "Which country do partners come from most often **in this table** (ignoring empty "
            "cells)? Write the country code in quotes.\n\n"
            "*Careful with conclusions:* the table is a selection of cases from the course "
            "sources, not a list of all partnerships. Eight French pairs come from one article "
            "about the Congress of Mayors of France, so the answer describes the sample, not the "
            "country Ukrainian communities cooperate with most. Before drawing a conclusion from "
            "a table, check where its rows come from (`source_url`).")),
        answer("q1_2", '# answer1_2 = "PL"', f'answer1_2 = "{top}"'),
        tests("q1_2", 1, f'''
"""{t("Перевіряє, що відповідь — код країни.", "Checks that the answer is a country code.")}"""
assert type(answer1_2) is str, {t('Запишіть код країни в лапках, наприклад "PL".', 'Write the country code in quotes, for example "PL".')!r}
assert len(answer1_2.strip()) == 2, {t("Код країни складається з двох літер.", "A country code has two letters.")!r}
''', f'''
assert type(answer1_2) is str and str(answer1_2).strip().upper() == {top!r}
'''),
        md(t(f"**Приклад.** Кейси, де серед секторів є `energy` ({n_energy}):",
             f"**Worked example.** Cases whose sectors include `energy` ({n_energy}):")),
        code('cases[cases["themes"].str.contains("energy")]', "example1_3"),
        question(t, "1.3", 1, t("Скільки кейсів мають сектор `social_inclusion`?",
                                "How many cases have the sector `social_inclusion`?")),
        answer("q1_3", "# answer1_3 = len(...)",
               'answer1_3 = len(cases[cases["themes"].str.contains("social_inclusion")])'),
        number_tests(t, "q1_3", 1, "answer1_3", n_social, integer=True, plausible=(0, len(df))),
        md(t("## Частина 2. Як починаються партнерства", "## Part 2. How partnerships start")),
        question(t, "2.1", 1, t(
            "Де Овруч познайомився з польською громадою Цедри-Вельке (Cedry Wielkie), яка потім "
            "подарувала йому пожежний автомобіль? Подивіться стовпець `how_found_uk`.\n\n"
            "- A. На Конференції з відновлення України.\n"
            "- B. На форумі «Світ для України» в Ряшеві.\n"
            "- C. На форумі у Войновіце.\n"
            "- D. На Конгресі мерів у Парижі.",
            "Where did Ovruch meet the Polish community of Cedry Wielkie, which later gave it "
            "a fire truck? Look at the `how_found` column.\n\n"
            "- A. At the Ukraine Recovery Conference.\n"
            "- B. At the World for Ukraine forum in Rzeszów.\n"
            "- C. At the forum in Wojnowice.\n"
            "- D. At the Congress of Mayors in Paris.")),
        answer("q2_1", '# answer2_1 = "A"', 'answer2_1 = "B"'),
        mcq_tests(t, "q2_1", 1, "answer2_1", "ABCD", "B"),
        question(t, "2.2", 1, t(
            "Скільки партнерств започаткували мери на форумі у Войновіце в січні 2024 року? "
            "Знайдіть рядок `wojnowice_forum_partnerships` і запишіть число.",
            "How many partnerships did mayors launch at the Wojnowice forum in January 2024? "
            "Find the row `wojnowice_forum_partnerships` and write the number.")),
        answer("q2_2", "# answer2_2 = 0", f"answer2_2 = {n_woj}"),
        number_tests(t, "q2_2", 1, "answer2_2", n_woj, integer=True, plausible=(1, 1000)),
        question(t, "2.3", 2, t(
            "Розставте етапи партнерства в тому порядку, в якому вони зазвичай відбуваються, і "
            "запишіть літери одним рядком.\n\n"
            "- A. Лист про наміри.\n"
            "- B. Пошук партнера на платформі чи форумі.\n"
            "- C. Меморандум або угода, схвалена радою (і погоджена Мінрозвитку).\n"
            "- D. Перший контакт, ознайомчий візит.",
            "Put the stages of a partnership in the order in which they usually happen and "
            "write the letters as one string.\n\n"
            "- A. Letter of intent.\n"
            "- B. Search for a partner on a platform or at a forum.\n"
            "- C. Memorandum or agreement approved by the council (and by the Ministry).\n"
            "- D. First contact, exploratory visit.")),
        answer("q2_3", '# answer2_3 = "ABCD"', 'answer2_3 = "BDAC"'),
        order_tests(t, "q2_3", 2, "answer2_3", "ABCD", "BDAC"),
        my_work_cell(t, "m04_cases", 4, [(
            "m04_partnership_plan.csv", "my_plan",
            t('pd.DataFrame({"Етап": ["Самооцінка і рішення ради", "Пошук партнера", "Перший контакт"], '
              '"Наш крок": ["Рішення виконкому про сфери: енергетика, молодь", "Профіль на cities4cities.eu", '
              '"Онлайн-зустріч з двома громадами"], "До коли": ["березень", "квітень", "травень"]})',
              'pd.DataFrame({"Stage": ["Self-assessment and council decision", "Partner search", "First contact"], '
              '"Our step": ["Executive committee decision on fields: energy, youth", "Profile on cities4cities.eu", '
              '"Online meeting with two communities"], "By when": ["March", "April", "May"]})'))]),
        md(t("## Частина 3. Аналіз одного кейсу", "## Part 3. Analysing one case")),
        question(t, "3.1", 3, t(
            "Оберіть у таблиці один кейс (назвіть його `id`) і проаналізуйте його: як громади "
            "знайшли одна одну, що зробили, який результат; що з цього досвіду ваша громада "
            "може повторити і що треба зробити інакше у ваших умовах. Спирайтеся лише на те, що "
            "є в таблиці й за посиланням `source_url`.",
            "Choose one case in the table (give its `id`) and analyse it: how the communities "
            "found each other, what they did, what came of it; what your community could repeat "
            "and what it would need to do differently. Rely only on what the table and its "
            "`source_url` say.")),
        rubric(t, "q3_1_rubric", [
            ("Кейс названо; як знайшли партнера, що зробили і результат переказано точно за джерелом",
             "The case is named; how the partner was found, what was done and the result are reported accurately from the source", 1,
             'Кейс названо, переказ точний, але бракує одного з трьох: як познайомилися, що зробили, результат. Якщо щось вигадано — 0.',
             'The case is named and the account accurate, but one of how they met, what they did and the result is missing. Anything invented: 0.'),
            ("Визначено, що можна перенести у свою громаду, з прив'язкою до її потреб",
             "What can be transferred to the participant's community is identified and tied to its needs", 1,
             "Крок, який можна повторити, названо, але не пов'язано з потребами своєї громади.",
             "A step to repeat is named but not tied to the community's own needs."),
            ("Названо щонайменше одну відмінність умов і як її врахувати",
             "At least one difference in conditions is named, with how to deal with it", 1,
             'Відмінність умов названо, але без того, як її врахувати.',
             'A difference in conditions is named, but not how to deal with it.'),
        ]),
        manual("q3_1", 3, t("Id кейсу: ...\n\nЯк познайомилися, що зробили, результат: ...\n\n"
                            "Що ми можемо повторити: ...\n\nЩо нам треба робити інакше: ...",
                            "Case id: ...\n\nHow they met, what they did, result: ...\n\n"
                            "What we can repeat: ...\n\nWhat we must do differently: ..."),
               t("*Заповніть: id кейсу; як партнери познайомилися, що зробили і що вийшло; що ваша "
                 "громада може повторити; що треба робити інакше.*",
                 "*Fill in: case id; how the partners met, what they did and the result; what your "
                 "community can repeat; what it must do differently.*")),
        outro(t),
        canary_cell(t),
    ]
