"""Events calendar logic and exports (c4c_lms.content.calendar), checked with independent parsers."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pandas as pd
import pytest

from c4c_lms.content import calendar as cal
from c4c_lms.content import calendar_export as cal_export
from c4c_lms.refdata.tables import load_events, load_programmes

EVENT_COLUMNS = ["id", "kind", "name_en", "name_uk", "programme_id", "themes", "country", "year",
                 "month", "day", "date", "recurrence", "url", "source_url", "checked_on"]  # fmt: skip


def events(*rows):
    return pd.DataFrame([dict(zip(EVENT_COLUMNS, r)) for r in rows], columns=EVENT_COLUMNS)


NO_PROGRAMMES = pd.DataFrame(columns=["id", "name_en", "name_uk", "themes", "next_deadline", "url",
                                      "source_url"])  # fmt: skip


def small_plan():
    return cal.Plan(2026, ["PL"], [
        cal.Entry("cerv_tt", "CERV: побратимство", "CERV town twinning", date(2026, 9, 23),
                  "deadline", remind_weeks=8, url="https://example.org/cerv"),
        cal.Entry("own_1", "Фестиваль у Любліні", "Lublin festival", date(2026, 5, 3), "own",
                  remind_weeks=2),
        cal.Entry("europe_day", "День Європи", "Europe Day", date(2026, 5, 9), "event"),
    ])  # fmt: skip


def test_yearly_dated_and_superseded_rows():
    """Are yearly rows placed in the chosen year, and replaced by that year's dated row?"""
    ev = events(
        ("tt", "deadline", "TT", "ТТ", "cerv", "", "EU", None, 9, None, "", "yearly", "", "s", "2026-01-01"),
        ("tt_2026", "deadline", "TT 2026", "ТТ 2026", "cerv", "", "EU", 2026, 9, 23, "2026-09-23", "once", "", "s", "2026-01-01"),
        ("eday", "event", "Europe Day", "День Європи", "", "democracy_participation", "EU", None, 5, 9, "", "yearly", "", "s", "2026-01-01"),
        ("forum", "event", "Forum", "Форум", "", "", "PL", None, 3, 19, "", "unknown", "", "s", "2026-01-01"),
        ("nomonth", "event", "Somewhen", "Колись", "", "", "EU", None, None, None, "", "yearly", "", "s", "2026-01-01"),
    )  # fmt: skip
    got = cal.reference_items(ev, NO_PROGRAMMES, 2026).set_index("uid")
    assert list(got.index) == ["eday", "tt_2026"]
    assert got.loc["tt_2026", "start"] == date(2026, 9, 23)
    got_2027 = cal.reference_items(ev, NO_PROGRAMMES, 2027).set_index("uid")
    assert got_2027.loc["tt", "start"] == date(2027, 9, 1)
    assert got_2027.loc["tt", "certainty"] == "month"
    assert "tt_2026" not in got_2027.index


def test_unknown_recurrence_is_not_projected():
    """Is a past edition of unknown or one-off recurrence kept out of other years?"""
    ev = events(
        ("forum", "event", "Forum", "Форум", "", "", "PL", None, 3, 19, "", "unknown", "", "s", "2026-01-01"),
        ("course", "event", "Course", "Курс", "", "", "online", None, 1, 15, "", "once", "", "s", "2026-01-01"),
        ("fair_2025", "event", "Fair 2025", "Ярмарок 2025", "", "", "PL", 2025, 9, None, "", "once", "", "s", "2026-01-01"),
    )  # fmt: skip
    for year in (2025, 2026, 2027):
        uids = set(cal.reference_items(ev, NO_PROGRAMMES, year)["uid"])
        assert not uids & {"forum", "course"}, year
        assert cal.to_be_announced(ev, year).empty
    in_2025 = cal.reference_items(ev, NO_PROGRAMMES, 2025).set_index("uid")
    assert in_2025.loc["fair_2025", "start"] == date(2025, 9, 1)
    assert in_2025.loc["fair_2025", "certainty"] == "month"


def test_rows_without_month_are_announced_later_not_dropped():
    """Are rows without a month listed as "date to be announced" with their source, unless a
    row of that year gives the date?"""
    ev = events(
        ("urc", "event", "URC", "URC", "", "", "", None, None, None, "", "yearly", "", "https://a.eu/urc", "2026-01-01"),
        ("urc_2026", "event", "URC 2026", "URC 2026", "", "", "PL", 2026, 6, 25, "2026-06-25", "once", "", "https://b.eu", "2026-01-01"),
        ("urc_2027", "event", "URC 2027", "URC 2027", "", "", "EE", 2027, None, None, "", "once", "", "https://c.eu", "2026-01-01"),
        ("nt", "deadline", "NT", "NT", "cerv_nt", "", "EU", None, None, None, "", "yearly", "", "https://d.eu", "2026-01-01"),
    )  # fmt: skip
    tba_2026 = cal.to_be_announced(ev, 2026).set_index("uid")
    assert list(tba_2026.index) == ["nt"]  # the URC of 2026 has its date
    assert tba_2026.loc["nt", "source_url"] == "https://d.eu" and tba_2026.loc["nt", "certainty"] == "tba"
    tba_2027 = cal.to_be_announced(ev, 2027).set_index("uid")
    assert set(tba_2027.index) == {"nt", "urc_2027"}  # the yearly URC row gives way to 2027's
    assert tba_2027.loc["urc_2027", "source_url"] == "https://c.eu"
    tba_2028 = cal.to_be_announced(ev, 2028).set_index("uid")
    assert set(tba_2028.index) == {"nt", "urc"}
    for year in (2026, 2027, 2028):
        assert not {"urc", "nt", "urc_2027"} & set(cal.reference_items(ev, NO_PROGRAMMES, year)["uid"])


def test_default_year_is_the_coming_year():
    """Does a plan made in late autumn open on the next year, and one made in January on this?"""
    assert cal.default_year(date(2026, 11, 29)) == 2027
    assert cal.default_year(date(2026, 10, 1)) == 2027
    assert cal.default_year(date(2027, 1, 15)) == 2027
    assert cal.default_year(date(2027, 9, 30)) == 2027


def test_reference_data_2027_is_honest():
    """For 2027, are the CERV NT deadline and the URC in Estonia shown as "to be announced"
    (not dropped), and are no past one-off forums projected into 2027?"""
    tba = cal.to_be_announced(load_events(), 2027)
    assert {"cerv_nt_deadline", "urc_2027_estonia"} <= set(tba["uid"])
    assert tba["source_url"].str.startswith("http").all()
    items = cal.reference_items(load_events(), load_programmes(), 2027)
    unknown = set(load_events().query("recurrence != 'yearly'")["id"])
    assert not unknown & set(items["uid"])
    assert "urc_2026_gdansk" in set(cal.reference_items(load_events(), load_programmes(), 2026)["uid"])


def test_real_reference_data_places_known_events():
    """Does the shipped reference data give Europe Day on 9 May and CERV TT on 23 Sep 2026?"""
    items = cal.reference_items(load_events(), load_programmes(), 2026)
    by_name = dict(zip(items["name_en"], items["start"]))
    assert by_name["Europe Day"] == date(2026, 5, 9)
    assert date(2026, 9, 23) in set(items.loc[items["programme_id"] == "cerv_town_twinning", "start"])
    assert items["start"].map(lambda d: d.year).eq(2026).all()


def test_filters_combine():
    """Do theme, place and month filters narrow the list together, and empty filters not at all?"""
    items = cal.reference_items(load_events(), load_programmes(), 2026)
    assert len(cal.filter_items(items)) == len(items)
    may = cal.filter_items(items, months=[5])
    assert len(may) and may["start"].map(lambda d: d.month).eq(5).all()
    demo_ua = cal.filter_items(items, themes=["democracy_participation"], countries=["UA"])
    assert len(demo_ua) and demo_ua["country"].eq("UA").all()
    assert all("democracy_participation" in t for t in demo_ua["themes"])


def test_reminder_and_sorting():
    """Is the reminder N weeks before, and does sorting by reminder put the earliest first?"""
    plan = small_plan()
    assert plan.entries[0].reminder == date(2026, 9, 23) - timedelta(weeks=8)
    assert plan.entries[2].reminder is None
    assert [e.uid for e in cal.sort_entries(plan.entries, "start")] == ["own_1", "europe_day", "cerv_tt"]
    assert [e.uid for e in cal.sort_entries(plan.entries, "reminder")][0] == "own_1"
    assert [e.uid for e in cal.sort_entries(plan.entries, "title", "en")][0] == "cerv_tt"


def test_clashes_same_day_and_partner_holiday():
    """Are two entries on one day and an entry on a partner's public holiday flagged?"""
    plan = small_plan()
    plan.entries.append(cal.Entry("own_2", "Сесія ради", "Council session", date(2026, 5, 9)))
    plan.entries.append(cal.Entry("pl_day", "Свято", "Holiday test", date(2026, 5, 3)))
    hol = cal.public_holidays(["PL"], 2026)
    assert (date(2026, 5, 3), "PL", "National Day of the Third of May") in hol
    reasons = {(e.uid, key) for e, key, _ in cal.find_clashes(plan, hol)}
    assert ("europe_day", "clash_same_day") in reasons and ("own_2", "clash_same_day") in reasons
    assert ("own_1", "clash_holiday") in reasons
    assert ("cerv_tt", "clash_same_day") not in reasons


def test_month_only_dates_do_not_clash():
    """Do two month-only placeholders on the 1st stay unflagged?"""
    plan = cal.Plan(2026, [], [cal.Entry("a", "А", "A", date(2026, 10, 1), certainty="month"),
                               cal.Entry("b", "Б", "B", date(2026, 10, 1), certainty="month")])
    assert cal.find_clashes(plan) == []


def test_ukraine_holidays_suspended_and_names_in_ukrainian():
    """Does Ukraine give no public holidays in 2026 while Poland's names come in Ukrainian?"""
    hol = cal.public_holidays(["UA", "PL", "XX"], 2026, "uk")
    assert {c for _, c, _ in hol} == {"PL"}
    assert (date(2026, 1, 1), "PL", "Новий рік") in hol


def test_ics_parsed_back_by_vobject():
    """Does vobject read back every event, its all-day date, title, UID and VALARM reminder?"""
    vobject = pytest.importorskip("vobject")
    data = cal_export.to_ics(small_plan(), "uk")
    text = data.decode("utf-8")
    assert "PRODID:" in text and "VERSION:2.0" in text
    parsed = vobject.readOne(text)
    vevents = sorted(parsed.vevent_list, key=lambda v: v.dtstart.value)
    assert [v.dtstart.value for v in vevents] == [date(2026, 5, 3), date(2026, 5, 9), date(2026, 9, 23)]
    assert [v.summary.value for v in vevents] == ["Фестиваль у Любліні", "День Європи", "CERV: побратимство"]
    assert all(v.dtend.value - v.dtstart.value == timedelta(days=1) for v in vevents)
    assert len({v.uid.value for v in vevents}) == 3 and all(hasattr(v, "dtstamp") for v in vevents)
    alarms = {v.summary.value: [a.trigger.value for a in getattr(v, "valarm_list", [])] for v in vevents}
    assert alarms["CERV: побратимство"] == [-timedelta(weeks=8)]
    assert alarms["Фестиваль у Любліні"] == [-timedelta(weeks=2)]
    assert alarms["День Європи"] == []
    cerv = vevents[2]
    assert cerv.url.value == "https://example.org/cerv"
    assert cerv.valarm.action.value == "DISPLAY"


def test_ics_uids_stable_between_exports():
    """Do two exports of the same plan carry the same UIDs (so re-import updates, not duplicates)?"""
    from icalendar import Calendar

    uids = [[str(c["uid"]) for c in Calendar.from_ical(cal_export.to_ics(small_plan())).walk("VEVENT")]
            for _ in range(2)]  # fmt: skip
    assert uids[0] == uids[1]


def test_csv_export_reads_back():
    """Does the CSV (with BOM for Excel) hold one dated row per entry with the reminder day?"""
    rows = list(csv.reader(io.StringIO(cal_export.to_csv(small_plan(), "uk").decode("utf-8-sig"))))
    assert rows[0][0] == "Дата"
    assert [r[0] for r in rows[1:]] == ["2026-05-03", "2026-05-09", "2026-09-23"]
    assert rows[3][1] == "CERV: побратимство" and rows[3][3] == "2026-07-29"


def test_pdf_is_the_wall_planner_with_cyrillic_and_latin():
    """Is the PDF the one-page A4 landscape wall planner, with the community's name, the month
    names and the titles in the chosen language?"""
    from pypdf import PdfReader

    plan = small_plan()
    plan.community = "Жовківська громада"
    for lang, words in (("uk", ["День Європи", "Фестиваль у Любліні", "Травень", "Вересень", "Жовківська громада"]),
                        ("en", ["Europe Day", "Lublin festival", "May", "September", "Жовківська громада"])):
        reader = PdfReader(io.BytesIO(cal_export.to_pdf(plan, lang)))
        assert len(reader.pages) == 1
        box = reader.pages[0].mediabox
        assert float(box.width) > float(box.height)  # landscape
        text = " ".join(reader.pages[0].extract_text().split())
        for word in words:
            assert word in text, (lang, word)
        assert "2026" in text


def test_png_export_is_the_wall_planner_image():
    """Is the PNG export an A4 landscape image of the wall planner at the requested resolution?"""
    from PIL import Image

    image = Image.open(io.BytesIO(cal_export.to_png(small_plan(), "uk", dpi=100)))
    assert image.format == "PNG"
    assert abs(image.width - 11.69 * 100) < 2 and abs(image.height - 8.27 * 100) < 2


def test_glance_png_is_an_image():
    """Is the on-screen year-at-a-glance (with holidays) a real PNG image?"""
    data = cal_export.glance_png(small_plan(), cal.public_holidays(["PL"], 2026), "en")
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_json_round_trip():
    """Does a plan survive saving to JSON text and loading back unchanged?"""
    plan = small_plan()
    plan.community = "Жовківська громада"
    again = cal.plan_from_json(json.loads(json.dumps(cal.plan_to_json(plan), ensure_ascii=False)))
    assert again == plan and again.community == "Жовківська громада"
    older = {k: v for k, v in cal.plan_to_json(plan).items() if k != "community"}  # saved before it existed
    assert cal.plan_from_json(older).community == ""


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"schema": "other/1"}, "schema"),
        ({"year": "2026"}, "year"),
        ({"entries": [{"title_en": "X", "start": "2026-13-01"}]}, "entry 1: 'start'"),
        ({"entries": [{"title_en": "X", "start": "2026-01-01", "remind_weeks": -1}]}, "remind_weeks"),
        ({"entries": [{"start": "2026-01-01"}]}, "title"),
        ({"community": ["Жовква"]}, "community"),
    ],
)
def test_bad_plan_json_names_the_problem(change, fragment):
    """Does a broken saved plan raise ValueError naming the field at fault?"""
    obj = {**cal.plan_to_json(small_plan()), **change}
    with pytest.raises(ValueError, match=fragment):
        cal.plan_from_json(obj)


def test_pdf_full_reference_year_stays_one_page():
    """Does a plan holding every reference item of a year still print on one page?"""
    from pypdf import PdfReader

    items = cal.reference_items(load_events(), load_programmes(), 2024)
    entries = [cal.entry_from_reference(r, 8) for r in items.to_dict("records")]
    entries += [cal.Entry(f"own_{i}", f"Засідання {i}", f"Meeting {i}", date(2024, 1 + i % 12, 10))
                for i in range(40)]  # fmt: skip
    reader = PdfReader(io.BytesIO(cal_export.to_pdf(cal.Plan(2024, [], entries), "en")))
    assert len(reader.pages) == 1
    assert "more entries (see the CSV or .ics)" in " ".join(reader.pages[0].extract_text().split())
