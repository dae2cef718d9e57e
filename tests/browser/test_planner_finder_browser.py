"""End to end: both apps in headless Chromium against a real standalone Voilà server."""

from __future__ import annotations

import csv
import io
import json

import pytest
from helpers import voila_server

from c4c_lms.content import partners

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PLANNER = "/voila/render/voila_apps/project_planner/index.ipynb"
FINDER = "/voila/render/voila_apps/partner_finder/index.ipynb"
PROFILE = {"schema": "c4c-profile/1", "name_uk": "Жовківська громада", "name_en": "Zhovkva",
           "oblast": "UA-46", "raion": "Lvivskyi", "hromada_type": "town", "population": 33000,
           "area_km2": None, "status": ["hosting_idps"], "priority_sectors": ["energy"],
           "offers": "Experience in hosting displaced people.", "languages": ["uk", "en", "pl"],
           "existing_partners": [], "contact": {"name": "Olena Koval", "role": "Mayor's adviser",
                                                "email": "olena@example.org"},
           "priority_project": "Warm schools."}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A standalone Voilà server over the repository, autosaving into a temporary folder."""
    tmp = tmp_path_factory.mktemp("voila_apps2")
    with voila_server(log_path=tmp / "voila.log", C4C_AUTOSAVE_DIR=str(tmp / "autosave")) as base:
        yield base, tmp


@pytest.fixture
def page(browser, server):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(30000)
    yield pg
    context.close()


def open_app(page, base, path, english_marker):
    """Open an app, switch it to English and wait until the switch has redrawn it."""
    page.goto(base + path)
    page.wait_for_selector(".c4c-ready", timeout=90000)
    page.click(".c4c-lang button:has-text('English')")
    page.wait_for_selector(english_marker)
    assert "Traceback" not in page.content()


def upload(page, selector, name, data, mime="application/json"):
    """Choose a file through an ipywidgets FileUpload (its file input exists only on click)."""
    with page.expect_file_chooser() as chooser:
        page.click(selector)
    chooser.value.set_files(files=[{"name": name, "mimeType": mime, "buffer": data}])


def download(page, selector, folder):
    """Click a download link once it appears; return the saved file's path."""
    link = page.locator(selector)
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


def step(page, label):
    page.click(f".c4c-steps button:has-text('{label}')")


def fill_row(page, table, row, **values):
    """Fill row ``row`` (0-based) of a RowTable, adding rows as needed."""
    while page.locator(f".{table}-remove").count() <= row:
        before = page.locator(f".{table}-remove").count()
        page.click(f".{table}-add")
        page.wait_for_function(f"document.querySelectorAll('.{table}-remove').length > {before}")
    for key, value in values.items():
        cell = page.locator(f".{table}-{key}").nth(row)
        if cell.locator("select").count():
            cell.locator("select").select_option(label=value)
        else:
            cell.locator("input").fill(value)


def test_planner_builds_a_project_and_exports_the_concept_note(page, server, tmp_path):
    """Can a learner build a small project through every step and download an editable DOCX?"""
    from docx import Document

    base, tmp = server
    open_app(page, base, PLANNER, ".c4c-title label:has-text('Project title')")
    page.fill(".c4c-title input", "Warm schools")
    page.fill(".c4c-start input", "2026-13")
    page.wait_for_selector(".c4c-field-error:has-text('cannot be read')")  # inline, not a traceback
    page.fill(".c4c-start input", "2026-03")
    page.wait_for_selector(".c4c-field-error", state="detached")
    page.check(".c4c-theme-energy input")

    step(page, "1 Trees")
    page.fill(".c4c-core-problem input", "Low energy efficiency of schools")
    page.fill(".c4c-causes textarea", "Outdated windows\nLack of insulation")
    page.fill(".c4c-effects textarea", "High heating costs")
    page.click(".c4c-mirror")
    page.wait_for_function("document.querySelector('.c4c-means textarea').value.includes('Modern windows')")
    page.click(".c4c-to-logframe")

    step(page, "2 Logframe")
    page.wait_for_selector(".c4c-results-text input")
    assert page.locator(".c4c-results-id input").nth(1).input_value() == "R2"
    page.fill(".c4c-specific textarea", "Cut heat use of 3 schools by 30 % by 2027")
    fill_row(page, "c4c-activities", 0, id="A1.1", result="R1", text="Replace windows")
    fill_row(page, "c4c-activities", 1, id="A2.1", result="R2", text="Insulate roofs")
    fill_row(page, "c4c-indicators", 0, level="specific", text="Heat use MWh", baseline="900",
             target="630", source="meters")
    fill_row(page, "c4c-indicators", 1, level="R1", text="Windows replaced", baseline="0",
             target="120", source="acceptance report")
    issues = page.locator(".c4c-logframe-issues")
    assert "Result R2 has no indicator with a target" in issues.inner_text()
    fill_row(page, "c4c-indicators", 2, level="R2", text="Roofs insulated", baseline="0",
             target="3", source="acceptance report")
    page.wait_for_selector(".c4c-logframe-issues:has-text('No problems found')")

    step(page, "3 Work plan")
    fill_row(page, "c4c-workplan", 0, start="2", end="6", partner="Zhovkva")
    fill_row(page, "c4c-workplan", 1, start="5", end="14", partner="Sindelfingen")
    page.click(".c4c-gantt")
    page.wait_for_selector(".c4c-workplan-issues:has-text('runs to month 14')")

    step(page, "4 Partners")
    fill_row(page, "c4c-partners", 0, name="Zhovkva", country="UA", role="Lead applicant")
    # the second partner comes from a partner-finder shortlist file
    town = {"name": "Sindelfingen", "country": "DE", "population": 61311, "lat": 48.7,
            "lon": 9.01667, "geonameid": 2831580, "in_eu": True}
    found = partners.score_town(town, {"population": 33000, "lat": 50.1, "lon": 23.97}, ["uk"], [], {})
    upload(page, ".c4c-shortlist-upload", "shortlist.csv",
           partners.shortlist_csv([found], "en").encode("utf-8-sig"), mime="text/csv")
    page.wait_for_selector(".c4c-shortlist-status:has-text('Partners added: 1')")
    assert page.locator(".c4c-partners-name input").nth(1).input_value() == "Sindelfingen"
    page.wait_for_selector(".c4c-partner-issues:has-text('No problems found')")

    step(page, "5 Budget")
    fill_row(page, "c4c-budget", 0, partner="Zhovkva", category="Works", quantity="120",
             unit_cost="333,3x")
    page.wait_for_selector(".c4c-budget-errors:has-text('is not a number')")
    page.locator(".c4c-budget-unit_cost input").nth(0).fill("333,33")
    page.wait_for_selector(".c4c-budget-summary:has-text('42799.57')")  # 39 999.60 + 7 %

    step(page, "6 Funding")
    page.click(".c4c-match")
    page.wait_for_selector(".c4c-match-item")

    step(page, "7 Risks")
    fill_row(page, "c4c-risks", 0, risk="Prices rise", likelihood="4", impact="4",
             mitigation="10 % reserve")
    page.wait_for_selector(".c4c-risk-issues:has-text('No problems found')")

    step(page, "8 Export")
    page.click(".c4c-export-concept")
    path = download(page, ".c4c-export-links a.c4c-download[download$='.docx']", tmp_path)
    assert path.name == "Warm_schools_concept_note.docx"
    doc = Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "Warm schools" and "Logical framework" in headings
    cells = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    assert ["Budget", "EUR 42\u202f799.57"] in cells
    assert any(r[0] == "Result R2" and "Roofs insulated (0 → 3)" in r[2] for r in cells)
    assert any(r[0] == "Prices rise" for r in cells)
    saved = json.loads((tmp / "autosave" / "project_planner_autosave.json").read_text("utf-8"))
    assert saved["risks"][0]["mitigation"] == "10 % reserve"  # autosaved as typed


def test_partner_finder_search_and_shortlist(page, server, tmp_path):
    """Can a learner load a profile, search Polish towns and download the shortlist CSV?"""
    base, _ = server
    open_app(page, base, FINDER, ".c4c-search:has-text('Search')")
    page.fill(".c4c-population input", "many")
    page.wait_for_selector(".c4c-field-error:has-text('whole positive number')")
    upload(page, ".c4c-upload", "bad.json", b"{oops")
    page.wait_for_selector(".c4c-upload-status:has-text('not valid JSON')")
    upload(page, ".c4c-upload", "profile.json", json.dumps(PROFILE).encode())
    page.wait_for_selector(".c4c-profile-status:has-text('Zhovkva')")
    assert page.input_value(".c4c-population input") == "33000"
    page.select_option(".c4c-countries select", label=["Poland"])
    page.click(".c4c-search")
    page.wait_for_selector(".c4c-result", timeout=60000)
    table = page.locator(".c4c-results").inner_text()
    assert "You work in an official language of this country: Polish" in table and "35,475" in table
    first_rows = page.locator(".c4c-result").all_inner_texts()[:2]
    page.select_option(".c4c-pick select", index=[0, 1])
    page.click(".c4c-export-shortlist")
    path = download(page, ".c4c-shortlist-links a.c4c-download", tmp_path)
    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))
    assert [r["country"] for r in rows] == ["PL", "PL"]
    assert [r["name"] for r in rows] == [t.split("\t")[1] for t in first_rows]
    assert all(16500 <= int(r["population"]) <= 66000 for r in rows)
    page.click(".c4c-make-letter")
    page.wait_for_function(
        "document.querySelector('.c4c-letter textarea').value.startsWith('Dear Mayor of')")
    letter = page.input_value(".c4c-letter textarea")
    assert rows[0]["name"] in letter and "Olena Koval" in letter
