"""Generate a fixture cohort with the real course's shape, deterministically.

900 participants, five days of attendance exported by Zoom (days 1 and 4), Teams (day 2: the
2022+ attendance report; day 5: the older Joined/Left event list) and a plain cp1251 CSV (day 3),
and nbgrader grades for five exercises of four graded questions each. Participants are drawn in
designed groups, so the number meeting the fixture's completion rules is known in advance:
``EXPECTED_CERTIFIED`` (572, the real course's figure).

Run ``python tests/cohort/make_cohort.py DIR`` to write a course folder; tests call :func:`build`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))

from c4c_lms.core.romanise import romanise  # noqa: E402

EXPECTED_CERTIFIED = 572
GROUPS = {  # name: (count, what it tests)
    "eligible": (572, "meets every rule"),
    "day_short": (60, "3 days of 60+ minutes"),
    "required_missing": (40, "ex01_partners not submitted"),
    "points_short": (50, "50-59 % of the points"),
    "absent": (80, "never attended, nothing submitted"),
    "dropout": (60, "1-2 days, little submitted"),
    "minutes_short": (38, "one of four days lasts 55 minutes"),
}
EXERCISES = ["ex01_partners", "ex02_project_design", "ex03_funding", "ex04_case_analysis",
             "ex05_joint_application"]  # fmt: skip
QUESTIONS = [("q1", 2.0), ("q2", 2.0), ("q3", 3.0), ("q4", 3.0)]
DAY_START = dt.datetime(2024, 1, 15, 10, 0, 0)
FIRST_F = ["Олена", "Ірина", "Наталія", "Оксана", "Тетяна", "Юлія", "Світлана", "Людмила", "Галина",
           "Вікторія", "Катерина", "Мар'яна", "Ганна", "Христина", "Лариса", "Зоряна", "Надія", "Софія",
           "Дарина", "Євгенія", "Інна", "Алла", "Богдана", "Ярослава", "Валентина"]  # fmt: skip
FIRST_M = ["Олександр", "Сергій", "Андрій", "Юрій", "Василь", "Микола", "Богдан", "Тарас", "Ігор",
           "Дмитро", "Віталій", "Олег", "Роман", "Євген", "Петро", "Григорій", "Ярослав", "Максим",
           "Володимир", "Степан", "Іван", "Михайло", "Анатолій", "Віктор", "Остап"]  # fmt: skip
LAST = ["Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Олійник", "Шевчук",
        "Поліщук", "Бойко", "Мельник", "Гриценко", "Мороз", "Лисенко", "Руденко", "Савченко",
        "Петренко", "Клименко", "Павленко", "Марченко", "Кузьменко", "Левченко", "Харченко",
        "Карпенко", "Гончаренко", "Тимошенко", "Литвиненко", "Кравчук", "Яковенко", "Зінченко",
        "Дяченко", "Гавриленко", "Пономаренко", "Білоус", "Щербак", "Юрченко", "Остапчук",
        "Дорошенко", "Панченко", "Хоменко", "Захарченко", "Кириленко", "Вовк", "Ярошенко",
        "Чорновол", "Гуменюк", "Федорук", "Стельмах", "Заїка", "Головко", "Нестеренко", "Юзвяк",
        "Жук", "Сидоренко", "Цимбалюк", "Гнатюк", "Фещенко", "Щербина", "Єременко", "Іващенко",
        "Ющенко", "Приходько", "Костенко", "Мацюк", "Дзюба", "Бабич", "Загородній", "Куліш"]  # fmt: skip
OBLASTS = ["UA-46", "UA-32", "UA-12", "UA-05", "UA-18", "UA-21", "UA-26", "UA-35", "UA-48", "UA-53",
           "UA-56", "UA-59", "UA-61", "UA-63", "UA-65", "UA-68", "UA-71", "UA-74", "UA-77", "UA-07",
           "UA-23", "UA-51", "UA-14", "UA-09"]  # fmt: skip
TYPES = ["city", "town", "rural"]
NAMESAKE_PAIRS = 6


@dataclass
class Person:
    id: str
    first_uk: str
    last_uk: str
    email: str
    group: str
    oblast: str
    community_type: str
    minutes: dict[int, int] = field(default_factory=dict)  # intended minutes per day
    cells: dict[str, dict[str, float]] = field(default_factory=dict)  # exercise -> question -> points

    @property
    def first_lat(self) -> str:
        return romanise(self.first_uk)

    @property
    def last_lat(self) -> str:
        return romanise(self.last_uk)


def _people(rng: random.Random, n: int) -> list[Person]:
    pairs = sorted({(f, last) for f in FIRST_F + FIRST_M for last in LAST})
    rng.shuffle(pairs)
    groups = [g for g, (count, _) in GROUPS.items() for _ in range(count)]
    assert len(groups) == n, "group sizes must add up to the cohort size"
    rng.shuffle(groups)
    people = []
    for i, (group, (first, last)) in enumerate(zip(groups, pairs), start=1):
        pid = f"p{i:04d}"
        people.append(Person(pid, first, last, f"{romanise(first).lower()}.{pid}@hromada.example.ua", group,
                             rng.choice(OBLASTS), rng.choice(TYPES)))  # fmt: skip
    # Namesakes: the same name twice, told apart only by email (ambiguous on the email-less day 5).
    eligible = [p for p in people if p.group == "eligible"]
    for a, b in zip(eligible[:NAMESAKE_PAIRS], eligible[NAMESAKE_PAIRS : 2 * NAMESAKE_PAIRS]):
        b.first_uk, b.last_uk = a.first_uk, a.last_uk
    return people


def _attendance(rng: random.Random, p: Person) -> None:
    present = {
        "eligible": rng.choice([[1, 2, 3, 4, 5]] * 3 + [[1, 2, 3, 4], [1, 2, 4, 5], [2, 3, 4, 5]]),
        "day_short": rng.sample(range(1, 6), 3), "required_missing": [1, 2, 3, 4, 5],
        "points_short": [1, 2, 3, 4, 5], "absent": [], "dropout": rng.sample(range(1, 6), rng.choice([1, 2])),
        "minutes_short": [1, 2, 3, 4],
    }[p.group]  # fmt: skip
    if p.group == "eligible" and p in _NAMESAKES:
        present = [1, 2, 3, 4, 5]
    for day in present:
        p.minutes[day] = rng.randint(65, 170)
    for day in set(range(1, 6)) - set(present):
        if p.group != "absent" and rng.random() < 0.3:
            p.minutes[day] = rng.randint(5, 45)  # a short visit that does not count
    if p.group == "minutes_short":
        p.minutes[rng.choice(present)] = 55


_NAMESAKES: list[Person] = []


def _scores(rng: random.Random, p: Person) -> None:
    """Draw per-question points from an ability level until the group's condition holds."""
    want = {"eligible": (60, 100), "day_short": (60, 100), "required_missing": (60, 100),
            "minutes_short": (60, 100), "points_short": (50, 59.99), "absent": None, "dropout": (0, 40)}[p.group]  # fmt: skip
    if want is None:
        return
    for _ in range(1000):
        ability = rng.uniform(0.3, 1.0)
        cells: dict[str, dict[str, float]] = {}
        for ex in EXERCISES:
            if p.group == "dropout" and rng.random() < 0.6:
                continue
            if p.group == "required_missing" and ex == "ex01_partners":
                continue
            cells[ex] = {q: float(min(pts, max(0, round(pts * (ability + rng.gauss(0, 0.25))))))
                         for q, pts in QUESTIONS}  # fmt: skip
        percent = 100 * sum(sum(c.values()) for c in cells.values()) / (10 * len(EXERCISES))
        ex01_ok = sum(cells.get("ex01_partners", {}).values()) >= 5
        needs_ex01 = p.group in ("eligible", "day_short", "minutes_short", "points_short")
        if want[0] <= percent <= want[1] and (ex01_ok or not needs_ex01):
            p.cells = cells
            return
    raise RuntimeError(f"could not draw scores for {p.id}")


# -- how attendees show up in the exports --------------------------------------------------------
_VARIANT_LATIN = (("ii", "iy"), ("kh", "h"), ("h", "g"), ("ia", "ya"), ("iu", "yu"), ("ks", "x"))


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :] if rng.random() < 0.5 else word[:i] + word[i + 1 :]


def _display_name(rng: random.Random, p: Person, others: dict[str, str], allow_fuzzy: bool) -> str:
    """A name as the person typed it into the meeting tool."""
    style = rng.choice(["uk", "lat", "uk_rev", "lat_rev", "upper"] + (["variant", "typo"] if allow_fuzzy else []))
    if style == "uk":
        return f"{p.first_uk} {p.last_uk}"
    if style == "uk_rev":
        return f"{p.last_uk} {p.first_uk}"
    if style == "lat_rev":
        return f"{p.last_lat} {p.first_lat}"
    if style == "upper":
        return f"{p.first_lat} {p.last_lat}".upper()
    if style == "lat":
        return f"{p.first_lat} {p.last_lat}"
    candidate = f"{p.first_lat} {p.last_lat}"
    for _ in range(10):
        if style == "variant":
            old, new = rng.choice(_VARIANT_LATIN)
            name = candidate.replace(old, new, 1)
        else:
            name = f"{p.first_lat} {_typo(rng, p.last_lat)}" if len(p.last_lat) >= 6 else candidate
        # Keep only spellings a person would clearly recognise as this participant and no other.
        mine = fuzz.ratio(name.lower(), candidate.lower())
        nearest = process.extract(name.lower(), others, scorer=fuzz.ratio, limit=3)
        closest_other = max((score for _o, score, pid in nearest if pid != p.id), default=0)
        if mine >= 88 and closest_other <= 72:
            return name
    return candidate


def _segments(rng: random.Random, minutes: int) -> list[tuple[int, int]]:
    """Split a stay into 1-3 sessions (start offset, length) in seconds, with gaps between."""
    total = minutes * 60
    parts = rng.choice([1, 1, 1, 2, 3]) if minutes >= 30 else 1
    cuts = sorted(rng.sample(range(300, total - 300), parts - 1)) if parts > 1 else []
    lengths = [b - a for a, b in zip([0, *cuts], [*cuts, total])]
    out, t = [], rng.randint(0, 900)
    for length in lengths:
        out.append((t, length))
        t += length + rng.randint(60, 600)
    return out


def _fmt_zoom(t: dt.datetime) -> str:
    return t.strftime("%m/%d/%Y %I:%M:%S %p")


def _write(path: Path, text: str, encoding: str) -> None:
    data = codecs.BOM_UTF8 + text.encode("utf-8") if encoding == "utf-8-bom" else text.encode(encoding)
    path.write_bytes(data)


def _attendance_files(rng: random.Random, people: list[Person], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    others = {p.id: f"{p.first_lat} {p.last_lat}".lower() for p in people}  # rapidfuzz: dict keys come back
    namesake_ids = {p.id for p in _NAMESAKES}
    guests = ["SALAR International host", "Interpreter UA-EN", "iPad", "Guest speaker Lund"]
    phones = ["+380 67 123 4567", "+38050***1234", "380931112233"]
    for day in range(1, 6):
        start = DAY_START + dt.timedelta(days=day - 1)
        present = [p for p in people if p.minutes.get(day)]
        rng.shuffle(present)
        rows = []  # (display name, email, [(offset, seconds)])
        for p in present:
            # Namesakes always come with their email (except on day 5, which has no emails).
            with_email = p.id in namesake_ids or rng.random() < 0.55
            name = _display_name(rng, p, others, allow_fuzzy=p.id not in namesake_ids)
            rows.append((name, p.email if with_email else "", _segments(rng, p.minutes[day])))
        for g in guests + phones:
            rows.append((g, "", _segments(rng, rng.randint(20, 120))))
        if day == 1:  # Zoom with the meeting block on top, UTF-8 with BOM
            out = io.StringIO()
            w = csv.writer(out, lineterminator="\n")
            w.writerow(["Meeting ID", "Topic", "Start Time", "End Time", "User Email", "Duration (Minutes)", "Participants"])
            w.writerow(["812 3456 7890", "Day 1", _fmt_zoom(start), _fmt_zoom(start + dt.timedelta(hours=4)),
                        "host@example.org", 240, len(rows)])  # fmt: skip
            w.writerow([])
            w.writerow(["Name (Original Name)", "User Email", "Join Time", "Leave Time", "Duration (Minutes)", "Guest"])
            for name, email, segs in rows:
                for off, length in segs:
                    t0 = start + dt.timedelta(seconds=off)
                    w.writerow([name, email, _fmt_zoom(t0), _fmt_zoom(t0 + dt.timedelta(seconds=length)),
                                -(-length // 60), "No" if email else "Yes"])  # fmt: skip
            _write(folder / "day1_zoom.csv", out.getvalue(), "utf-8-bom")
        elif day == 4:  # Zoom without the meeting block, plain UTF-8, one device overlap
            out = io.StringIO()
            w = csv.writer(out, lineterminator="\n")
            w.writerow(["Name (Original Name)", "User Email", "Join Time", "Leave Time", "Duration (Minutes)", "Guest"])
            for k, (name, email, segs) in enumerate(rows):
                if k % 50 == 0 and email:  # the same person on a phone at the same time
                    off, length = segs[0]
                    segs = [*segs, (off + 60, min(600, length - 60))]
                for off, length in segs:
                    t0 = start + dt.timedelta(seconds=off)
                    w.writerow([name, email, _fmt_zoom(t0), _fmt_zoom(t0 + dt.timedelta(seconds=length)),
                                -(-length // 60), "No"])  # fmt: skip
            _write(folder / "day4_zoom.csv", out.getvalue(), "utf-8")
        elif day == 2:  # Teams attendance report (2022+): UTF-16, tab-separated sections
            lines = ["1. Summary", "Meeting title\tDay 2", f"Attended participants\t{len(rows)}",
                     f"Start time\t{start:%m/%d/%y, %I:%M:%S %p}", "", "2. Participants",
                     "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole"]  # fmt: skip
            for name, email, segs in rows:
                secs = sum(length for _, length in segs)
                first = start + dt.timedelta(seconds=segs[0][0])
                last = start + dt.timedelta(seconds=segs[-1][0] + segs[-1][1])
                lines.append(f"{name}\t{first:%m/%d/%y, %I:%M:%S %p}\t{last:%m/%d/%y, %I:%M:%S %p}\t"
                             f"{secs // 3600}h {secs % 3600 // 60}m {secs % 60}s\t{email}\t{email}\tAttendee")  # fmt: skip
            lines += ["", "3. In-Meeting Activities", "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole"]
            _write(folder / "day2_teams.csv", "\n".join(lines) + "\n", "utf-16")
        elif day == 3:  # plain CSV from a Ukrainian Excel: cp1251, semicolons, rejoins as rows
            out = io.StringIO()
            w = csv.writer(out, delimiter=";", lineterminator="\r\n")
            w.writerow(["ПІБ", "Email", "Хвилини"])
            for name, email, segs in rows:
                for _, length in segs:
                    w.writerow([name, email, f"{length / 60:.2f}".replace(".", ",")])
            _write(folder / "day3_plain.csv", out.getvalue(), "cp1251")
        else:  # older Teams list of Joined/Left events: no emails at all
            events = []
            for name, _email, segs in rows:
                for off, length in segs:
                    events.append((off, name, "Joined"))
                    events.append((off + length, name, "Left"))
            events.sort(key=lambda e: (e[0], e[2] != "Left"))
            lines = ["Full Name\tUser Action\tTimestamp"]
            for off, name, action in events:
                lines.append(f"{name}\t{action}\t{start + dt.timedelta(seconds=off):%m/%d/%Y, %I:%M:%S %p}")
            _write(folder / "day5_teams_events.csv", "\n".join(lines) + "\n", "utf-16")


# -- course, roster, gradebook -------------------------------------------------------------------
COURSE_TOML = """\
[course]
id = "c4c-icc"
title_uk = "Міжнародна співпраця для громад"
title_en = "International Cooperation for Communities"
start = 2024-01-15
end = 2024-01-19
hours = 15
organisers = ["Cities4Cities | United4Ukraine", "SALAR International"]

[paths]
workdir = "work"

[certificates]
signing_key_env = "C4C_TEST_CERT_KEY"
verify_url = "{verify_url}"

[completion]
min_days_attended = 4
min_minutes_per_day = 60
min_score_percent = 60
required_exercises = ["ex01_partners"]
exercise_pass_percent = 50
"""


def _course_files(root: Path, verify_url: str) -> None:
    (root / "course").mkdir(parents=True, exist_ok=True)
    text = COURSE_TOML.replace("{verify_url}", verify_url)
    for i, ex in enumerate(EXERCISES, start=1):
        text += (f'\n[[exercises]]\nid = "{ex}"\nmodule = "m0{i}"\ntitle_uk = "Вправа {i}"\n'
                 f'title_en = "Exercise {i}"\nvariants = {{ uk = "{ex}", en = "{ex}_en" }}\npoints = 10\n')  # fmt: skip
    (root / "course" / "course.toml").write_text(text, encoding="utf-8")
    days = "".join(f'[[day]]\nnumber = {d}\nmodule = "m0{d}"\nexercise = "{EXERCISES[d - 1]}"\n\n' for d in range(1, 6))
    (root / "course" / "syllabus.toml").write_text(days, encoding="utf-8")


def _gradebook(course, people: list[Person]) -> None:
    """nbgrader's gradebook through its own tables (bulk inserts: the ORM takes minutes here)."""
    from nbgrader.api import (Assignment, BaseCell, Grade, Gradebook, GradeCell, Notebook, Student,
                              SubmittedAssignment, SubmittedNotebook, new_uuid)  # fmt: skip
    from sqlalchemy import insert

    with Gradebook(course.gradebook_url, course_id=course.config.course.id) as gb:
        cells, ids = {}, {}
        source = {Assignment: [], Notebook: [], BaseCell: [], GradeCell: []}
        for ex in EXERCISES:
            for variant in (ex, f"{ex}_en"):
                ids[variant] = (new_uuid(), new_uuid())
                source[Assignment].append({"id": ids[variant][0], "name": variant, "course_id": course.config.course.id})
                source[Notebook].append({"id": ids[variant][1], "name": variant, "assignment_id": ids[variant][0]})
                for q, pts in QUESTIONS:
                    cells[(variant, q)] = new_uuid()
                    source[BaseCell].append({"id": cells[(variant, q)], "name": q, "notebook_id": ids[variant][1],
                                             "type": "GradeCell"})  # fmt: skip
                    source[GradeCell].append({"id": cells[(variant, q)], "max_score": pts, "cell_type": "code"})
        for table, rows in source.items():
            gb.db.execute(insert(table.__table__), rows)
        students, assignments, notebooks, grades = [], [], [], []
        for i, p in enumerate(people):
            students.append({"id": p.id, "first_name": p.first_lat, "last_name": p.last_lat, "email": p.email})
            for ex, qs in p.cells.items():
                variant = ex if i % 3 else f"{ex}_en"  # a third work in English
                sa_id, snb_id = new_uuid(), new_uuid()
                assignments.append({"id": sa_id, "assignment_id": ids[variant][0], "student_id": p.id,
                                    "timestamp": DAY_START})  # fmt: skip
                notebooks.append({"id": snb_id, "assignment_id": sa_id, "notebook_id": ids[variant][1],
                                  "flagged": False})  # fmt: skip
                grades += [{"id": new_uuid(), "notebook_id": snb_id, "cell_id": cells[(variant, q)],
                            "auto_score": score, "needs_manual_grade": False} for q, score in qs.items()]  # fmt: skip
        for table, rows in ((Student, students), (SubmittedAssignment, assignments),
                            (SubmittedNotebook, notebooks), (Grade, grades)):  # fmt: skip
            gb.db.execute(insert(table.__table__), rows)
        gb.db.commit()


def build(root: Path, seed: int = 20240115, verify_url: str = "") -> dict:
    """Write the fixture course to ``root``; returns the designed truth for assertions."""
    from c4c_lms.core.config import load_course
    from c4c_lms.lms.roster import Participant, save_roster

    rng = random.Random(seed)
    people = _people(rng, sum(c for c, _ in GROUPS.values()))
    _NAMESAKES[:] = [p for p in people if p.group == "eligible"][: 2 * NAMESAKE_PAIRS]
    for p in people:
        _attendance(rng, p)
        _scores(rng, p)
    _course_files(root, verify_url)
    course = load_course(root)
    course.workdir.mkdir(parents=True, exist_ok=True)
    save_roster(course, [Participant(id=p.id, first_name_uk=p.first_uk, last_name_uk=p.last_uk, email=p.email,
                                     community=f"Громада {p.id}", oblast=p.oblast, role="фахівець",
                                     community_type=p.community_type) for p in people])  # fmt: skip
    _gradebook(course, people)
    _attendance_files(rng, people, root / "attendance")
    return {
        "certified": sorted(p.id for p in people if p.group == "eligible"),
        "groups": {p.id: p.group for p in people},
        "minutes": {p.id: dict(p.minutes) for p in people},
        "namesakes": [p.id for p in _NAMESAKES],
        "files": sorted((root / "attendance").iterdir()),
    }


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "var/fixture_cohort")
    truth = build(target)
    print(f"fixture cohort in {target}: {len(truth['groups'])} participants, {len(truth['certified'])} to certify")
