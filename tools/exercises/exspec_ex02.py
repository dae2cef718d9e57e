"""Exercise 2 (module m02_projects): logframe logic and the participant's priority project."""

from __future__ import annotations

import io

import pandas as pd

from exbuild import CHECKED_ON, Lang, answer, canary_cell, code, manual, md, question, rubric, setup_cell
from excommon import howto, intro, mcq_tests, my_work_cell, number_tests, order_tests, outro

EXERCISE = "ex02_project_design"
METHOD_URL = "https://www.docsity.com/en/docs/guide-to-the-logical-framework-approach/11212001/"
MEASURES_URL = "https://nefco.int/news/new-energy-efficiency-initiative-in-ukraine-financed-by-norway"

# An illustrative logframe: the levels follow the logical framework approach; the measures are the
# typical energy-efficiency measures NEFCO lists; durations and costs are made up for practice.
ROWS = [
    ("G", "goal", "", "Lower energy costs and better learning conditions in the community's schools",
     "Нижчі витрати на енергію і кращі умови навчання в школах громади", "", ""),
    ("P", "purpose", "G", "School No. 3 uses 30% less heat and stays warm all winter",
     "Школа № 3 споживає на 30% менше тепла і взимку в ній тепло", "", ""),
    ("O1", "output", "P", "Walls and roof insulated, windows replaced",
     "Утеплено стіни й дах, замінено вікна", "", ""),
    ("O2", "output", "P", "Individual heating substation and LED lighting installed",
     "Встановлено індивідуальний тепловий пункт і LED-освітлення", "", ""),
    ("O3", "output", "P", "Caretakers trained to run the building efficiently",
     "Завгоспів навчено ощадливо експлуатувати будівлю", "", ""),
    ("A1.1", "activity", "O1", "Energy audit of the building", "Енергоаудит будівлі", 2, 6000),
    ("A1.2", "activity", "O1", "Design and public tender", "Проєктування і тендер", 3, 9000),
    ("A1.3", "activity", "O1", "Insulation and window works", "Роботи з утеплення і заміни вікон", 6, 310000),
    ("A2.1", "activity", "O2", "Install the heating substation", "Встановлення теплового пункту", 2, 45000),
    ("A2.2", "activity", "O2", "Replace lighting with LED", "Заміна освітлення на LED", 2, 28000),
    ("A3.1", "activity", "O3", "Training for caretakers", "Навчання завгоспів", 1, 4000),
    ("A3.2", "activity", "O3", "Energy-monitoring plan", "План моніторингу енергоспоживання", 1, 3000),
]


def logframe() -> pd.DataFrame:
    df = pd.DataFrame(ROWS, columns=["id", "level", "parent", "text_en", "text_uk", "months",
                                     "cost_eur"])
    df["source_url"] = [MEASURES_URL if lvl in ("output", "activity") else METHOD_URL
                        for lvl in df["level"]]
    df["checked_on"] = CHECKED_ON
    return df


def data_files() -> dict[str, bytes]:
    buf = io.StringIO()
    logframe().to_csv(buf, index=False, lineterminator="\n")
    return {"data/logframe_example.csv": buf.getvalue().encode("utf-8")}


def cells(t: Lang) -> list:
    df = logframe()
    acts = [r for r in ROWS if r[1] == "activity"]
    n_act = len(acts)
    o1 = sum(r[6] for r in acts if r[2] == "O1")
    o2 = sum(r[6] for r in acts if r[2] == "O2")
    total = sum(r[6] for r in acts)
    text = "text_uk" if t.lang == "uk" else "text_en"
    return [
        intro(t, 2, t("Дерево проблем і логічна матриця пріоритетного проєкту",
                      "Problem tree and logframe of the priority project"),
              t("Модуль 2. Робота з проєктами", "Module 2. Working with projects"),
              t("«Планувальник проєкту»", "“Project planner”"),
              t("Ви потренуєтеся в логіці логічної матриці (logframe) на навчальному прикладі "
                "енергоефективної школи, а потім опишете дерево проблем і коротке резюме "
                "пріоритетного проєкту своєї громади.",
                "You will practise the logic of the logical framework matrix (logframe) on a "
                "training example, an energy-efficient school, then describe the problem tree "
                "and a short summary of your own community's priority project.")),
        howto(t),
        setup_cell(t, f'logframe = pd.read_csv("data/logframe_example.csv")\n'
                      f'logframe[["id", "level", "parent", "{text}", "months", "cost_eur"]]'),
        md(t("Таблиця `logframe` — **навчальний приклад** (тривалість і вартість вигадані). "
             "Рівні: `goal` (загальна ціль), `purpose` (конкретна ціль), `output` (результат), "
             "`activity` (діяльність). Стовпець `parent` показує, до якого рівня вище належить "
             "рядок; `cost_eur` — вартість діяльності в євро.",
             "The table `logframe` is a **training example** (durations and costs are made up). "
             "Levels: `goal` (overall objective), `purpose` (specific objective), `output` "
             "(result), `activity`. The `parent` column shows which row above a row belongs "
             "to; `cost_eur` is the cost of an activity in euros.")),
        md(t("## Частина 1. Логіка матриці", "## Part 1. The logic of the matrix")),
        question(t, "1.1", 2, t(
            "Логічна матриця читається згори вниз: загальна ціль → конкретна ціль → результати "
            "→ діяльності. Розставте твердження про проєкт водопостачання в цьому порядку "
            "і запишіть літери одним рядком.\n\n"
            "- A. Домогосподарства села щодня мають безпечну питну воду.\n"
            "- B. Прокласти 4 км водогону.\n"
            "- C. Кращі здоров'я й умови життя в громаді.\n"
            "- D. Новий водогін і насосна станція працюють.",
            "A logframe reads from top to bottom: overall objective → specific objective → "
            "outputs → activities. Put these statements about a water-supply project in that "
            "order and write the letters as one string.\n\n"
            "- A. The village's households have safe drinking water every day.\n"
            "- B. Lay 4 km of water pipes.\n"
            "- C. Better health and living conditions in the community.\n"
            "- D. The new water main and pumping station are in operation.")),
        answer("q1_1", '# answer1_1 = "ABCD"', 'answer1_1 = "CADB"'),
        order_tests(t, "q1_1", 2, "answer1_1", "ABCD", "CADB"),
        question(t, "1.2", 1, t(
            "Матриця має чотири стовпці: логіка втручання, індикатори, джерела перевірки і "
            "припущення. Що записують у стовпець **припущень**?\n\n"
            "- A. Бюджет кожної діяльності.\n"
            "- B. Зовнішні умови, яких проєкт не контролює, але від яких залежить успіх.\n"
            "- C. Документи, з яких видно, що індикатор досягнуто.\n"
            "- D. Імена відповідальних працівників.",
            "The matrix has four columns: intervention logic, indicators, sources of "
            "verification and assumptions. What goes into the **assumptions** column?\n\n"
            "- A. The budget of each activity.\n"
            "- B. External conditions the project does not control but its success depends on.\n"
            "- C. Documents that show an indicator was reached.\n"
            "- D. The names of the staff in charge.")),
        answer("q1_2", '# answer1_2 = "A"', 'answer1_2 = "B"'),
        mcq_tests(t, "q1_2", 1, "answer1_2", "ABCD", "B"),
        question(t, "1.3", 1, t(
            "Який індикатор конкретної цілі відповідає критеріям SMART (конкретний, "
            "вимірюваний, досяжний, доречний, обмежений у часі)?\n\n"
            "- A. Школи стануть кращими.\n"
            "- B. Споживання тепла школою № 3 до грудня 2027 року зменшиться на 30% порівняно з "
            "2025 роком (за показами лічильника).\n"
            "- C. Багато людей будуть задоволені.\n"
            "- D. Максимально можлива економія енергії.",
            "Which indicator of the specific objective is SMART (specific, measurable, "
            "achievable, relevant, time-bound)?\n\n"
            "- A. Schools will become better.\n"
            "- B. School No. 3's heat use falls by 30% by December 2027 compared with 2025 "
            "(meter readings).\n"
            "- C. Many people will be satisfied.\n"
            "- D. As much energy saving as possible.")),
        answer("q1_3", '# answer1_3 = "A"', 'answer1_3 = "B"'),
        mcq_tests(t, "q1_3", 1, "answer1_3", "ABCD", "B"),
        md(t("## Частина 2. Діяльності і бюджет", "## Part 2. Activities and budget")),
        md(t("**Приклад.** Залишимо лише результати (`output`) і порахуємо їх:",
             "**Worked example.** Keep only the outputs (`output`) and count them:")),
        code('outputs = logframe[logframe["level"] == "output"]\nlen(outputs)', "example2_1"),
        question(t, "2.1", 1, t("Скільки **діяльностей** (`activity`) у навчальній матриці?",
                                "How many **activities** (`activity`) are in the training matrix?")),
        answer("q2_1", t("# Змініть приклад: answer2_1 = len(...)",
                         "# Change the example: answer2_1 = len(...)"),
               'answer2_1 = len(logframe[logframe["level"] == "activity"])'),
        number_tests(t, "q2_1", 1, "answer2_1", n_act, integer=True, plausible=(0, len(df))),
        md(t(f"**Приклад.** Вартість усіх діяльностей результату O1 — сума стовпця `cost_eur` "
             f"для рядків, де `parent` дорівнює `\"O1\"` (вийде {o1:,} євро):".replace(",", " "),
             f"**Worked example.** The cost of all activities of output O1 is the sum of "
             f"`cost_eur` over the rows whose `parent` is `\"O1\"` (EUR {o1:,}):")),
        code('logframe[logframe["parent"] == "O1"]["cost_eur"].sum()', "example2_2"),
        question(t, "2.2", 2, t("Скільки коштують усі діяльності результату **O2**, у євро?",
                                "What do all activities of output **O2** cost, in euros?")),
        answer("q2_2", t("# answer2_2 = ...  (змініть приклад)", "# answer2_2 = ...  (change the example)"),
               'answer2_2 = logframe[logframe["parent"] == "O2"]["cost_eur"].sum()'),
        number_tests(t, "q2_2", 2, "answer2_2", o2, plausible=(0, total)),
        my_work_cell(t, "m02_projects", 2, [
            ("m02_logframe.csv", "my_logframe", 'pd.read_csv("data/logframe_example.csv")'),
            ("m02_risks.csv", "my_risks", None)]),
        md(t("## Частина 3. Ваш пріоритетний проєкт", "## Part 3. Your priority project")),
        question(t, "3.1", 3, t(
            "Опишіть пріоритетний проєкт своєї громади:\n\n"
            "1. **Дерево проблем** (українською або англійською): основна проблема, три "
            "причини і три наслідки — списком.\n"
            "2. **Конкретна ціль** з одним SMART-індикатором.\n"
            "3. **Резюме англійською** (3–5 речень): що, де, хто отримає користь, орієнтовний "
            "бюджет і якого партнера ви шукаєте.",
            "Describe your community's priority project:\n\n"
            "1. **Problem tree**: the core problem, three causes and three effects, as a list.\n"
            "2. **Specific objective** with one SMART indicator.\n"
            "3. **Summary in English** (3–5 sentences): what, where, who benefits, an estimated "
            "budget and what kind of partner you are looking for.")),
        rubric(t, "q3_1_rubric", [
            ("Проблему сформульовано як негативний стан; три причини і три наслідки логічно з нею пов'язані",
             "The problem is stated as a negative condition; three causes and three effects follow from it logically", 1,
             'Проблема — негативний стан, але причин чи наслідків менше трьох або вони з неї не випливають; чи проблему подано як відсутнє рішення, а причини й наслідки логічні.',
             'The problem is a negative condition but there are fewer than three causes or effects, or they do not follow from it; or the problem is stated as a missing solution while causes and effects are sound.'),
            ("Конкретна ціль випливає з проблеми і має SMART-індикатор (число, строк, джерело перевірки)",
             "The specific objective mirrors the problem and has a SMART indicator (figure, deadline, source of verification)", 1,
             'Ціль випливає з проблеми, але в індикаторі бракує одного з трьох: числа, строку чи джерела перевірки.',
             'The objective mirrors the problem, but the indicator lacks one of figure, deadline or source of verification.'),
            ("Резюме англійською зрозуміле і називає що, де, для кого, бюджет і потрібного партнера",
             "The English summary is clear and names what, where, for whom, the budget and the partner needed", 1,
             'Резюме зрозуміле, але бракує двох чи більше з: що, де, для кого, бюджет, потрібний партнер.',
             'The summary is understandable but two or more of what, where, for whom, budget and partner needed are missing.'),
        ]),
        manual("q3_1", 3, t("Основна проблема: ...\n\nПричини: ...\n\nНаслідки: ...\n\nЦіль та "
                            "індикатор: ...\n\nSummary (англійською): ...",
                            "Core problem: ...\n\nCauses: ...\n\nEffects: ...\n\nObjective and "
                            "indicator: ...\n\nSummary: ..."),
               t("*Заповніть: основна проблема; три причини; три наслідки; конкретна ціль з "
                 "індикатором; резюме англійською (3–5 речень).*",
                 "*Fill in: core problem; three causes; three effects; specific objective with its "
                 "indicator; English summary (3–5 sentences).*")),
        outro(t),
        canary_cell(t),
    ]
