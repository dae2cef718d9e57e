"""End to end: both apps in a real headless Chromium against a real Voilà server."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from c4c_lms.content.calendar import default_year

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CALENDAR = "/voila/render/voila_apps/events_calendar/index.ipynb"
PROFILE = "/voila/render/voila_apps/community_profile/index.ipynb"


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def open_app(page, base: str, path: str) -> None:
    page.goto(base + path)
    page.locator(".c4c-ready").first.wait_for(state="visible", timeout=120_000)
    page.get_by_role("button", name="English", exact=True).click()
    page.locator("h2", has_text="Your community's").wait_for()  # both app titles start so


def select_by_text(page, selector: str, fragments: list[str]) -> None:
    """Select the options of a <select> whose text contains each fragment (ipywidgets uses nbsp)."""
    texts = [t.replace("\xa0", " ") for t in page.locator(f"{selector} option").all_inner_texts()]
    indexes = [next(i for i, t in enumerate(texts) if f in t) for f in fragments]
    page.locator(selector).select_option(index=indexes)


def download(page, name_suffix: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.locator(f"a.c4c-download[download$='{name_suffix}']").first.click()
    dl = info.value
    return dl.suggested_filename, Path(dl.path()).read_bytes()


def upload(page, path: Path) -> None:
    """Choose ``path`` in the app's upload button, as a person would."""
    with page.expect_file_chooser() as chooser:
        page.locator(".c4c-upload").first.click()
    chooser.value.set_files(str(path))


def test_calendar_plan_exports_ics_and_json(page, voila_url):
    """Can a learner build a plan (reference items, reminder, own entry) and download it as .ics and JSON?"""
    vobject = pytest.importorskip("vobject")
    year = default_year(date.today())  # the year the app opens on
    open_app(page, voila_url, CALENDAR)
    select_by_text(page, ".c4c-items select", ["· Europe Day", "CERV Town Twinning"])
    page.locator(".c4c-weeks input").fill("6")
    page.locator(".c4c-weeks input").press("Tab")
    page.locator("button.c4c-add").click()
    page.locator(".c4c-plan", has_text="Europe Day").wait_for()

    page.get_by_role("tab", name="Own entry").click()
    page.locator("button.c4c-add-own").click()
    page.locator(".c4c-field-error", has_text="Enter a title").wait_for()
    page.locator(".c4c-own-title input").fill("Lublin partner festival")
    page.locator(".c4c-own-date input").fill(f"{year + 1}-05-20")
    page.locator("button.c4c-add-own").click()
    page.get_by_text(f"The date must be in {year}").wait_for()
    assert page.locator(".c4c-own-title input").input_value() == "Lublin partner festival"
    page.locator(".c4c-own-date input").fill(f"{year}-05-20")
    page.locator(".c4c-own-weeks input").fill("3")
    page.locator(".c4c-own-weeks input").press("Tab")
    page.locator("button.c4c-add-own").click()
    page.locator(".c4c-plan", has_text="Lublin partner festival").wait_for()

    page.get_by_role("tab", name="Year at a glance").click()
    page.wait_for_function("(document.querySelector('.c4c-glance') || {}).naturalWidth > 500")

    page.get_by_role("tab", name="Files").click()
    page.locator(".c4c-community input").fill("Zhovkva")
    page.locator("button.c4c-make-files").click()
    page.locator("a.c4c-download").first.wait_for()
    # Each file once, in place under the button (a cell's stray last value showed them again
    # above the language switch).
    names = page.locator("a.c4c-download").evaluate_all("links => links.map(a => a.download)")
    assert sorted(names) == sorted(f"c4c_calendar_{year}.{ext}" for ext in ("ics", "csv", "pdf", "png", "json"))
    assert page.locator(".c4c-links").count() == 1
    in_tab = page.locator(".jupyter-widgets.widget-tab .c4c-links a.c4c-download")
    assert in_tab.count() == 5
    name, data = download(page, ".ics")
    assert name == f"c4c_calendar_{year}.ics"
    events = {v.summary.value: v for v in vobject.readOne(data.decode("utf-8")).vevent_list}
    assert "Europe Day" in events and "Lublin partner festival" in events
    assert any(s.startswith("CERV Town Twinning") for s in events)
    assert events["Europe Day"].dtstart.value == date(year, 5, 9)
    assert [a.trigger.value for a in events["Europe Day"].valarm_list] == [-timedelta(weeks=6)]
    assert events["Lublin partner festival"].dtstart.value == date(year, 5, 20)
    assert [a.trigger.value for a in events["Lublin partner festival"].valarm_list] == [-timedelta(weeks=3)]

    _, saved = download(page, ".json")
    plan = json.loads(saved)
    assert plan["schema"] == "c4c-calendar/1" and plan["year"] == year and plan["community"] == "Zhovkva"
    from pypdf import PdfReader

    _, pdf = download(page, ".pdf")  # the 12-month wall planner, titled with the community
    wall = PdfReader(io.BytesIO(pdf)).pages
    assert len(wall) == 1 and float(wall[0].mediabox.width) > float(wall[0].mediabox.height)
    text = " ".join(wall[0].extract_text().split())
    assert f"Zhovkva: events plan for {year}" in text and "January" in text and "December" in text
    assert {e["title_en"] for e in plan["entries"]} >= {"Europe Day", "Lublin partner festival"}


def test_calendar_bad_upload_keeps_plan(page, voila_url, tmp_path):
    """Does a broken JSON upload explain the problem and leave the plan as it was?"""
    open_app(page, voila_url, CALENDAR)
    select_by_text(page, ".c4c-items select", ["· Europe Day"])
    page.locator("button.c4c-add").click()
    page.locator(".c4c-plan", has_text="Europe Day").wait_for()
    page.get_by_role("tab", name="Files").click()
    bad = tmp_path / "broken.json"
    bad.write_text('{"schema": "c4c-calendar/1", "year": 2026, "entries": [{"title_en": "X", "start": "31.02.2026"}]}')
    upload(page, bad)
    message = page.locator(".c4c-upload-status .c4c-field-error")
    message.wait_for()
    assert "entry 1" in message.inner_text() and "unchanged" in message.inner_text()
    assert "Europe Day" in page.locator(".c4c-plan").inner_text()

    # The plan list edits: a new reminder for the selected entry, then removing it.
    year = default_year(date.today())  # the year the app opens on
    page.get_by_role("tab", name="European events").click()
    page.locator(".c4c-weeks input").fill("4")
    page.locator(".c4c-weeks input").press("Tab")
    page.locator(".c4c-plan-entries select").select_option(index=[0])
    page.locator("button.c4c-set-reminder").click()
    page.locator(".c4c-plan", has_text=f"{date(year, 5, 9) - timedelta(weeks=4):%d.%m.%Y}").wait_for()
    page.locator(".c4c-plan-entries select").select_option(index=[0])
    page.locator("button.c4c-remove").click()
    page.locator(".c4c-plan", has_text="The plan is empty").wait_for()


def test_profile_form_checks_and_exports(page, voila_url, tmp_path):
    """Does the profile form flag bad input without losing it, and export a PDF and JSON that read back?"""
    from pypdf import PdfReader

    open_app(page, voila_url, PROFILE)
    page.locator(".c4c-name-uk input").fill("Бучанська міська громада")
    name_en = page.locator(".c4c-name-en input")
    page.wait_for_function("document.querySelector('.c4c-name-en input').value.length > 0")
    assert name_en.input_value() == "Buchanska miska hromada"
    page.locator(".c4c-oblast select").select_option(label="Kyivska oblast")
    page.locator(".c4c-hromada-type select").select_option(label="city")
    page.locator(".c4c-population input").fill("about 40k")
    page.get_by_text("is not a whole number").wait_for()
    assert page.locator(".c4c-population input").input_value() == "about 40k"
    page.locator(".c4c-population input").fill("42 000")

    page.get_by_text("Offer and partners").click()
    select_by_text(page, ".c4c-priority-sectors select", ["Energy", "Reconstruction"])
    page.locator(".c4c-offers textarea").fill("Досвід відбудови")
    page.get_by_text("Cyrillic found").wait_for()
    page.locator(".c4c-offers textarea").fill("Study visits on rebuilding schools after occupation.")
    page.get_by_text("Contact and priority project").click()
    page.locator(".c4c-contact-name input").fill("Olena Shevchenko")
    page.locator(".c4c-contact-email input").fill("olena@")
    page.get_by_text("does not look like an email").wait_for()
    page.locator(".c4c-contact-email input").fill("olena@example.org")
    page.locator(".c4c-priority-project textarea").fill(
        "Insulate five schools. Put solar panels on the hospital roof."
    )
    page.get_by_text("All checks passed.").wait_for()
    assert "Buchanska miska hromada" in page.locator(".c4c-preview").inner_text()

    page.locator("button.c4c-make-files").click()
    name, pdf = download(page, ".pdf")
    assert name == "community_profile_buchanska_miska_hromada.pdf"
    reader = PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1
    for expected in ("Buchanska miska hromada", "Бучанська міська громада", "Kyivska oblast",
                     "42,000", "Energy, Reconstruction", "olena@example.org"):  # fmt: skip
        assert expected in text
    _, raw = download(page, ".json")
    profile = json.loads(raw)
    assert profile["schema"] == "c4c-profile/1"
    assert profile["oblast"] == "UA-32" and profile["population"] == 42000
    assert profile["priority_sectors"] == ["energy", "reconstruction"]
    assert profile["contact"]["email"] == "olena@example.org"

    # Re-load: a bad file changes nothing, a good one fills the form.
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**profile, "population": "many"}))
    upload(page, bad)
    page.locator(".c4c-upload-status .c4c-field-error").wait_for()
    assert "population" in page.locator(".c4c-upload-status").inner_text()
    assert name_en.input_value() == "Buchanska miska hromada"
    good = tmp_path / "good.json"
    good.write_text(json.dumps({**profile, "name_en": "Bucha city hromada"}, ensure_ascii=False))
    upload(page, good)
    page.locator(".c4c-upload-status .c4c-upload-ok").wait_for()
    assert name_en.input_value() == "Bucha city hromada"
    assert page.locator(".c4c-population input").input_value() == "42000"
