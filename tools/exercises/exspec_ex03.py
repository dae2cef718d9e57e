"""Exercise 3 (module m03_eu_programmes): EU programmes, co-financing and indirect costs."""

from __future__ import annotations

import pandas as pd

from exbuild import REPO, THEMES, Lang, answer, canary_cell, code, manual, md, question, rubric, setup_cell, tests
from excommon import howto, intro, mcq_tests, my_work_cell, number_tests, outro, theme_table

EXERCISE = "ex03_funding"
SOURCE = REPO / "c4c_lms" / "refdata" / "data" / "programmes.csv"
EVENTS = REPO / "c4c_lms" / "refdata" / "data" / "events.csv"
CALENDAR_YEAR = 2027
EVENT_TYPES = {"year": "Int64", "month": "Int64", "day": "Int64"}


def data_files() -> dict[str, bytes]:
    return {"data/programmes.csv": SOURCE.read_bytes(), "data/events.csv": EVENTS.read_bytes()}


def calendar_ids(events: pd.DataFrame, year: int = CALENDAR_YEAR) -> set[str]:
    """The rows a calendar of ``year`` places: that year's editions and yearly rows without a
    year, each with a known month (the rule of the events calendar app, content.calendar)."""
    in_year = (events["year"] == year) | ((events["recurrence"] == "yearly") & events["year"].isna())
    return set(events[(in_year & events["month"].notna()).fillna(False)]["id"])


def calendar_visible_tests(t: Lang, year: int) -> str:
    """Visible checks of the calendar task, each failing with a plain-language hint."""
    v = f"calendar{year}"
    checks = [
        (f"type({v}) is pd.DataFrame",
         t(f"{v} має бути таблицею: відфільтруйте events, як у прикладі (events[...]).",
           f"{v} must be a table: filter events as in the example (events[...]).")),
        (f'"id" in {v}.columns and "month" in {v}.columns',
         t("Залиште всі стовпці events (не вибирайте лише деякі).",
           "Keep all the columns of events (do not select only some).")),
        (f"len({v}) > 0",
         t("Календар порожній: перевірте умови фільтра.", "The calendar is empty: check the filter conditions.")),
        (f'{v}["month"].notna().all()',
         t('У календарі є рядки без місяця: їх не можна поставити на дату, приберіть їх '
           '(events["month"].notna()).',
           'The calendar has rows without a month: they cannot be placed on a date; drop them '
           '(events["month"].notna()).')),
        (f'{v}["year"].dropna().eq({year}).all()',
         t(f"У календарі є випуски інших років (наприклад, 2024): залиште лише рядки {year} року "
           "і щорічні без року.",
           f"The calendar has editions of other years (e.g. 2024): keep only rows of {year} and "
           "yearly ones without a year.")),
        (f'set({v}["recurrence"]) <= {{"yearly", "once"}}',
         t("Події невідомої повторюваності (unknown) не переносять на наступні роки.",
           "Events of unknown recurrence (unknown) are not carried over to later years.")),
        (f'{v}["month"].is_monotonic_increasing',
         t('Відсортуйте календар за місяцем і днем: .sort_values(["month", "day"]).',
           'Sort the calendar by month and day: .sort_values(["month", "day"]).')),
    ]
    doc = t("Перевіряє календар: таблиця, лише рядки цього року, з місяцем, за порядком.",
            "Checks the calendar: a table, rows of this year only, with a month, in order.")
    return f'"""{doc}"""\n' + "\n".join(f"assert {cond}, {hint!r}" for cond, hint in checks) + "\n"


def cells(t: Lang) -> list:
    df = pd.read_csv(SOURCE, keep_default_na=False)
    n_assoc = int((df["ukraine_status"] == "associated").sum())
    n_partner = int((df["ukraine_status"] == "partner_country").sum())
    name = "name_uk" if t.lang == "uk" else "name_en"
    events = pd.read_csv(EVENTS, dtype=EVENT_TYPES)
    year = CALENDAR_YEAR
    want = calendar_ids(events)
    n_yearly = int(((events["recurrence"] == "yearly") & events["year"].isna()
                    & events["month"].notna()).sum())
    tba = events[(events["year"] == year).fillna(False) & events["month"].isna()]
    assert len(tba) >= 1 and len(want) > n_yearly - 1
    return [
        intro(t, 3, t("Європейські програми і співфінансування", "EU programmes and co-financing"),
              t("Модуль 3. Європейські програми для громад", "Module 3. European programmes for communities"),
              t("«Календар подій» і «Планувальник проєкту»", "“Events calendar” and “Project planner”"),
              t("Ви знайдете в таблиці програми, відкриті для громад, підберете програму під "
                "свій сектор, порахуєте співфінансування та непрямі витрати і складете календар "
                f"європейських подій на {CALENDAR_YEAR} рік.",
                "You will find programmes open to communities in a table, match a programme to "
                "your sector, calculate co-financing and indirect costs and build a calendar of "
                f"European events for {CALENDAR_YEAR}.")),
        howto(t),
        setup_cell(t, 'programmes = pd.read_csv("data/programmes.csv", keep_default_na=False)\n'
                      f'events = pd.read_csv("data/events.csv", dtype={EVENT_TYPES!r})\n'
                      f'programmes[["id", "{name}", "ukraine_status", "applicant_types", "themes"]]'),
        md(t(f"Таблиця `programmes` містить {len(df)} програм і фондів. Головні стовпці: "
             "`ukraine_status` (`associated` — Україна асоційована з програмою; "
             "`partner_country` — бере участь як країна-партнер; `eligible` — може брати участь; "
             "`national` — програма для України), `applicant_types` (хто може подавати заявку, "
             "через `;`), `themes` (сектори), `max_cofinancing_rate` (найбільша частка ЄС, "
             "0–1), `call_months` (місяці кінцевих термінів), `summary_uk` (опис). Порожня "
             "клітинка означає, що джерело цього не називає.",
             f"The table `programmes` lists {len(df)} programmes and funds. Main columns: "
             "`ukraine_status` (`associated`: Ukraine is associated to the programme; "
             "`partner_country`: takes part as a partner country; `eligible`: may take part; "
             "`national`: a programme for Ukraine), `applicant_types` (who may apply, separated "
             "by `;`), `themes` (sectors), `max_cofinancing_rate` (the largest EU share, 0–1), "
             "`call_months` (months of the deadlines), `summary_en`. An empty cell means the "
             "source does not give the value.")),
        my_work_cell(t, "m03_eu_programmes", 3, [(
            "m03_programme_shortlist.csv", "my_shortlist",
            'programmes[programmes["applicant_types"].str.contains("municipality")].head(3)')]),
        md(t("## Частина 1. Які програми вам відкриті", "## Part 1. Which programmes are open to you")),
        md(t(f"**Приклад.** Програми, з якими Україна асоційована ({n_assoc}):",
             f"**Worked example.** Programmes Ukraine is associated to ({n_assoc}):")),
        code('associated = programmes[programmes["ukraine_status"] == "associated"]\nlen(associated)',
             "example1_1"),
        question(t, "1.1", 1, t("У скількох програмах таблиці Україна бере участь як "
                                "**країна-партнер** (`\"partner_country\"`)?",
                                "In how many programmes of the table does Ukraine take part as a "
                                "**partner country** (`\"partner_country\"`)?")),
        answer("q1_1", "# answer1_1 = len(...)",
               'answer1_1 = len(programmes[programmes["ukraine_status"] == "partner_country"])'),
        number_tests(t, "q1_1", 1, "answer1_1", n_partner, integer=True, plausible=(0, len(df))),
        md(t("**Приклад.** `str.contains(...)` знаходить текст усередині клітинки, а `&` "
             "означає «і». Програми з сектором `energy`, у яких заявником може бути громада "
             "(`municipality`):",
             "**Worked example.** `str.contains(...)` finds text inside a cell, and `&` means "
             "“and”. Programmes with the sector `energy` that a municipality may apply to:")),
        code('programmes[programmes["themes"].str.contains("energy") & '
             'programmes["applicant_types"].str.contains("municipality")]', "example1_2"),
        question(t, "1.2", 2, t(
            "Оберіть **один** пріоритетний сектор своєї громади (код зі списку) і запишіть у "
            "`my_theme`. Потім порахуйте, скільки програм таблиці мають цей сектор **і** "
            "приймають заявки від громад (`municipality`). Відповідь залежить від вашого "
            "вибору.\n\n" + theme_table(t),
            "Choose **one** priority sector of your community (a code from the list) and store "
            "it in `my_theme`. Then count how many programmes in the table have this sector "
            "**and** accept applications from municipalities (`municipality`). The answer "
            "depends on your choice.\n\n" + theme_table(t))),
        answer("q1_2", '# my_theme = "energy"\n# answer1_2 = len(...)',
               'my_theme = "water_waste"\nanswer1_2 = len(programmes[programmes["themes"].str.contains(my_theme) & programmes["applicant_types"].str.contains("municipality")])'),
        tests("q1_2", 2, f'''
"""{t("Перевіряє сектор і кількість програм.", "Checks the sector and the number of programmes.")}"""
THEMES = {THEMES!r}
assert type(my_theme) is str and my_theme in THEMES, {t("my_theme має бути одним кодом зі списку, у лапках.", "my_theme must be one code from the list, in quotes.")!r}
assert type(answer1_2) is int, {t("answer1_2 — ціле число: порахуйте рядки за допомогою len(...).", "answer1_2 is a whole number: count the rows with len(...).")!r}
''', '''
_c4c_p = pd.read_csv("data/programmes.csv", keep_default_na=False)
_c4c_want = int((_c4c_p["themes"].str.split(";").apply(lambda xs: str(my_theme) in xs)
                 & _c4c_p["applicant_types"].str.split(";").apply(lambda xs: "municipality" in xs)).sum())
assert type(answer1_2) is int and int(answer1_2) == _c4c_want
'''),
        md(t("## Частина 2. Співфінансування і непрямі витрати",
             "## Part 2. Co-financing and indirect costs")),
        md(t("**Приклад.** Interreg NEXT Польща–Україна фінансує до 90% бюджету проєкту "
             "(`max_cofinancing_rate` = 0.9). Для проєкту на 250 000 євро частка ЄС — "
             "`250000 * 0.9`, а власний внесок партнерів — решта:",
             "**Worked example.** Interreg NEXT Poland–Ukraine funds up to 90% of a project's "
             "budget (`max_cofinancing_rate` = 0.9). For a EUR 250,000 project the EU share is "
             "`250000 * 0.9` and the partners' own contribution is the rest:")),
        code("eu_share = 250000 * 0.9\nown_contribution = 250000 - eu_share\n"
             "eu_share, own_contribution", "example2_1"),
        question(t, "2.1", 1, t(
            "Бюджет вашого проєкту в цій програмі — **400 000 євро**, ставка та сама (90%). "
            "Який **власний внесок** партнерів, у євро?",
            "Your project in this programme has a budget of **EUR 400,000** at the same rate "
            "(90%). What is the partners' **own contribution**, in euros?")),
        answer("q2_1", "# answer2_1 = ...", "answer2_1 = 400000 - 400000 * 0.9"),
        number_tests(t, "q2_1", 1, "answer2_1", 40000.0, plausible=(0, 400000)),
        md(t("**Приклад.** Непрямі витрати часто покривають фіксованою ставкою від прямих "
             "витрат. У Horizon Europe ставка 25%: для прямих витрат 80 000 євро непрямі — "
             "`80000 * 0.25`, а разом — `80000 + 80000 * 0.25` = 100 000 євро.",
             "**Worked example.** Indirect costs are often covered by a flat rate on direct "
             "costs. In Horizon Europe the rate is 25%: for EUR 80,000 of direct costs the "
             "indirect costs are `80000 * 0.25`, and the total is `80000 + 80000 * 0.25` = "
             "EUR 100,000.")),
        code("80000 + 80000 * 0.25", "example2_2"),
        question(t, "2.2", 1, t(
            "Звичайні гранти ЄС на дії дозволяють непрямі витрати до **7%** від прямих. Прямі "
            "витрати проєкту — **120 000 євро**. Яка **загальна** сума прямих і непрямих "
            "витрат, у євро?",
            "Ordinary EU action grants allow indirect costs of up to **7%** of direct costs. "
            "The project's direct costs are **EUR 120,000**. What is the **total** of direct and "
            "indirect costs, in euros?")),
        answer("q2_2", "# answer2_2 = ...", "answer2_2 = 120000 + 120000 * 0.07"),
        number_tests(t, "q2_2", 1, "answer2_2", 128400.0, plausible=(120000, 240000)),
        question(t, "2.3", 1, t(
            "Що правильно про CERV «Побратимство міст» (Town Twinning)? Подивіться рядок "
            "`cerv_town_twinning` у таблиці.\n\n"
            "- A. ЄС покриває до 90% бюджету, решту дає громада.\n"
            "- B. Фіксована сума від 8 455 до 50 745 євро; щонайменше 50 учасників, з них 25 "
            "запрошених з-за кордону.\n"
            "- C. Подавати можуть лише міста з країн ЄС.\n"
            "- D. Кінцевий термін — щороку в березні.",
            "What is true of CERV Town Twinning? Look at the row `cerv_town_twinning` in the "
            "table.\n\n"
            "- A. The EU covers up to 90% of the budget; the community pays the rest.\n"
            "- B. A lump sum of EUR 8,455 to 50,745; at least 50 participants, 25 of them "
            "invited from abroad.\n"
            "- C. Only towns in EU countries may apply.\n"
            "- D. The deadline is every March.")),
        answer("q2_3", '# answer2_3 = "A"', 'answer2_3 = "B"'),
        mcq_tests(t, "q2_3", 1, "answer2_3", "ABCD", "B"),
        md(t("## Частина 3. Програма для вашого проєкту", "## Part 3. A programme for your project")),
        question(t, "3.1", 2, t(
            "Оберіть у таблиці програму для пріоритетного проєкту своєї громади. Напишіть: яку "
            "програму і чому вона підходить (сектор, хто може подавати, статус України); у "
            "якому місяці кінцевий термін (якщо відомо); і простий фінансовий план — загальний "
            "бюджет, частка ЄС і власний внесок (або фіксована сума).",
            "Choose a programme in the table for your community's priority project. Write "
            "which programme and why it fits (sector, who may apply, Ukraine's status); the "
            "deadline month (if known); and a simple funding plan: total budget, EU share and "
            "own contribution (or the lump sum).")),
        rubric(t, "q3_1_rubric", [
            ("Програма відповідає проєкту: сектор, тип заявника і статус України перевірено за таблицею",
             "The programme fits the project: sector, applicant type and Ukraine's status checked in the table", 1,
             'Програма є в таблиці й відповідає сектору, але тип заявника або статус України не перевірено чи перевірено хибно.',
             "The programme is in the table and fits the sector, but the applicant type or Ukraine's status is not checked or is wrong."),
            ("Фінансовий план узгоджений із правилами програми (ставка або фіксована сума), названо строк",
             "The funding plan follows the programme's rules (rate or lump sum) and names the deadline", 1,
             'План є, але суми не сходяться або правило програми (ставка чи фіксована сума) застосовано хибно; або не сказано про строк.',
             "There is a plan, but the sums do not add up or the programme's rule (rate or lump sum) is misapplied; or the deadline is not addressed."),
        ]),
        manual("q3_1", 2, t("Програма: ...\n\nЧому підходить: ...\n\nКінцевий термін: ...\n\n"
                            "План фінансування: ...",
                            "Programme: ...\n\nWhy it fits: ...\n\nDeadline: ...\n\nFunding plan: ..."),
               t("*Заповніть: програма; чому вона підходить; кінцевий термін; план фінансування.*",
                 "*Fill in: programme; why it fits; deadline; funding plan.*")),
        md(t(f"## Частина 4. Календар європейських подій громади на {year} рік",
             f"## Part 4. Your community's calendar of European events for {year}")),
        md(t(f"Другий перший крок, який радить курс, — календар європейських подій і кінцевих "
             f"термінів на рік уперед. Таблиця `events` містить події та кінцеві терміни з "
             f"джерелами. Стовпці: `{name}` (назва), `year` (рік конкретного випуску; порожньо, "
             f"якщо подія щорічна), `month`, `day` (порожньо, якщо джерело не дає), `recurrence` "
             f"(`yearly` — щороку, `once` — одноразово, `unknown` — невідомо), `kind` (`event`, "
             f"`deadline`, `session`).\n\n"
             f"**Приклад.** Щорічні події без прив'язки до року, у яких відомий місяць "
             f"({n_yearly}). `isna()` означає «порожньо», `notna()` — «заповнено»:",
             f"The course's second first step is a calendar of European events and deadlines "
             f"for the year ahead. The table `events` holds events and deadlines with sources. "
             f"Columns: `{name}`, `year` (the year of a specific edition; empty when the event "
             f"is yearly), `month`, `day` (empty when the source does not give it), `recurrence` "
             f"(`yearly`, `once`, `unknown`), `kind` (`event`, `deadline`, `session`).\n\n"
             f"**Worked example.** Yearly events not tied to one year whose month is known "
             f"({n_yearly}). `isna()` means “empty”, `notna()` means “filled in”:")),
        code('yearly = events[(events["recurrence"] == "yearly") & events["year"].isna() '
             '& events["month"].notna()]\n'
             f'yearly[["id", "{name}", "month", "day"]]', "example4_1"),
        md(t(f"**Приклад.** Рядки {year} року, дату яких ще не оголошено (немає місяця): їх "
             f"не можна поставити в календар, тож стежте за джерелом (`source_url`):",
             f"**Worked example.** Rows of {year} whose date is not announced yet (no month): "
             f"they cannot go on the calendar, so follow their source (`source_url`):")),
        code(f'events[(events["year"] == {year}) & events["month"].isna()][["id", "{name}", "source_url"]]',
             "example4_2"),
        question(t, "4.1", 2, t(
            f"Складіть календар на **{year}** рік і збережіть його в `calendar{year}`: рядки "
            f"`events`, які припадають на {year} рік, — тобто випуски саме {year} року "
            f"(`year` = {year}) **і** щорічні події без року (`recurrence` = `\"yearly\"`, "
            f"`year` порожній), — але лише ті, де відомий місяць. Відсортуйте за місяцем і "
            f"днем: `.sort_values([\"month\", \"day\"])`. Минулі одноразові випуски (2024, "
            f"2025…) і події невідомої повторюваності в календар на {year} не потрапляють.\n\n"
            f"Потім відкрийте застосунок «Календар подій», виберіть {year} рік, додайте свої "
            f"події і збережіть календар громади (на оцінку це не впливає).",
            f"Build the calendar for **{year}** and store it in `calendar{year}`: the rows of "
            f"`events` that fall in {year}, that is, editions of {year} itself (`year` = {year}) "
            f"**and** yearly events without a year (`recurrence` = `\"yearly\"`, `year` "
            f"empty), but only those whose month is known. Sort them by month and day: "
            f"`.sort_values([\"month\", \"day\"])`. Past one-off editions (2024, 2025…) and "
            f"events of unknown recurrence do not go into a calendar for {year}.\n\n"
            f"Then open the “Events calendar” app, choose {year}, add your own events and save "
            f"your community's calendar (this does not affect the grade).")),
        answer("q4_1", f"# calendar{year} = events[...].sort_values([\"month\", \"day\"])",
               f'calendar{year} = events[((events["year"] == {year}) | ((events["recurrence"] == "yearly") '
               f'& events["year"].isna())) & events["month"].notna()].sort_values(["month", "day"])'),
        tests("q4_1", 2, calendar_visible_tests(t, year), f'''
_c4c_e = pd.read_csv("data/events.csv", dtype={EVENT_TYPES!r})
_c4c_in = (_c4c_e["year"] == {year}) | ((_c4c_e["recurrence"] == "yearly") & _c4c_e["year"].isna())
_c4c_want = set(_c4c_e[(_c4c_in & _c4c_e["month"].notna()).fillna(False)]["id"])
assert type(calendar{year}) is pd.DataFrame and len(calendar{year}) == len(_c4c_want)
assert set(calendar{year}["id"]) == _c4c_want
assert list(calendar{year}["month"]) == sorted(int(m) for m in calendar{year}["month"])
'''),
        outro(t),
        canary_cell(t),
    ]
