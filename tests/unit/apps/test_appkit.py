"""Shared app helpers (c4c_lms.widgets.appkit) and the apps' message catalogues."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
import re
import subprocess
import sys

import ipywidgets as widgets
import pytest

from c4c_lms.widgets import appkit
from c4c_lms.core.i18n import Catalogue
from c4c_lms.refdata.tables import THEMES, load_oblasts


def test_themes_match_reference_data():
    """Does appkit's copy of the theme slugs equal the reference-data contract, each with names?"""
    assert appkit.THEMES == THEMES
    for slug in THEMES:
        assert appkit.theme_label(slug, "uk") != slug and appkit.theme_label(slug, "en") != slug


def test_profile_oblast_names_match_refdata():
    """Does the profile's pandas-free oblast list equal refdata.load_oblasts()?"""
    from c4c_lms.content.profile import oblast_names

    frame = load_oblasts()
    assert oblast_names() == {r.iso_code: (r.name_uk, r.name_en) for r in frame.itertuples()}


def test_profile_module_starts_without_pandas():
    """Can the profile app's modules be imported without importing pandas (fast start)?"""
    code = ("import sys, c4c_lms.widgets.appkit, c4c_lms.content.profile; c4c_lms.content.profile.oblast_names(); "
            "print('pandas' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("name", ["appkit", "events_calendar", "community_profile"])
def test_catalogues_complete(name):
    """Does every message of the catalogue have Ukrainian and English text?"""
    assert Catalogue.load(name).missing() == []


@pytest.mark.parametrize("app", ["events_calendar", "community_profile"])
def test_notebook_keys_exist(app, repo):
    """Is every literal message key the app notebook asks for present in its catalogue?"""
    import nbformat

    nb = nbformat.read(repo / "voila_apps" / app / "index.ipynb", as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    keys = set(re.findall(r'\b(?:M|ui)\.t\(\s*"([a-z_0-9]+)"\s*[,)]', source))
    keys |= set(re.findall(r'\bui\.bind\(\w+, "([a-z_0-9]+)"', source))
    entries = Catalogue.load(app).entries
    assert keys and not [k for k in keys if k not in entries]


def test_language_switch_relabels_and_keeps_choices():
    """Does switching to English re-label widgets and options while keeping what was chosen?"""
    ui = appkit.Interface(Catalogue.load("events_calendar"))
    button = ui.bind(widgets.Button(), "add_selected")
    kinds = ui.bind_options(widgets.Dropdown(), [("kind_event", "event"), ("kind_deadline", "deadline")])
    themes = ui.bind_options(widgets.SelectMultiple(),
                             lambda lang: [(appkit.theme_label(t, lang), t) for t in THEMES])  # fmt: skip
    seen = []
    ui.on_change(seen.append)
    assert kinds.value == "event" and button.description == "Додати до мого плану"
    kinds.value, themes.value = "deadline", ("health", "energy")
    ui.switch.value = "en"
    assert button.description == "Add to my plan" and seen == ["en"]
    assert kinds.value == "deadline" and dict(kinds.options)["deadline"] == "deadline"
    assert set(themes.value) == {"health", "energy"} and themes.options[0][0] == "Energy"


def test_download_link_carries_the_bytes():
    """Does the download anchor hold the exact bytes, the file name and the media type?"""
    data = "Привіт, Lublin".encode()
    html = appkit.download_link(data, 'plan "2026".csv', "text/csv", "<Save>")
    href = re.search(r'href="data:text/csv;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(href) == data
    assert 'download="plan &quot;2026&quot;.csv"' in html and "&lt;Save&gt;" in html


@pytest.mark.parametrize(
    ("data", "key"),
    [(b"\xff\xfe\x00", "bad_encoding"), (b'{"a": 1,,}', "bad_json"), (b"[1, 2]", "not_object"),
     (b'{"schema": "c4c-profile/1"}', "wrong_schema")],
)  # fmt: skip
def test_bad_json_files_are_explained(data, key):
    """Does each kind of unusable upload raise BadFileError with a message in both languages?"""
    with pytest.raises(appkit.BadFileError) as info:
        appkit.parse_json_bytes(data, schema="c4c-calendar/1")
    assert info.value.key == key
    assert info.value.message("uk") and info.value.message("en")


def test_json_with_bom_is_accepted():
    """Is a JSON file saved with a UTF-8 BOM (Windows Notepad) accepted?"""
    assert appkit.parse_json_bytes('\ufeff{"schema": "x", "name": "Буча"}'.encode(), "x")["name"] == "Буча"


def test_json_upload_reports_and_keeps_state():
    """Does the upload widget show the loader's error and leave the app's data untouched?"""
    ui = appkit.Interface(Catalogue.load("community_profile"), lang="en")
    state = {"value": "typed"}

    def on_load(obj):
        if obj.get("bad"):
            raise ValueError("'population' must be a number")
        state["value"] = obj["v"]

    up = appkit.JsonUpload(ui, on_load)
    up.upload.value = ({"name": "bad.json", "type": "application/json", "size": 13, "last_modified": datetime.now(timezone.utc), "content": memoryview(b'{"bad": true}')},)
    assert "population" in up.status.value and state["value"] == "typed"
    assert "unchanged" in up.status.value
    up.upload.value = ({"name": "good.json", "type": "application/json", "size": 12, "last_modified": datetime.now(timezone.utc), "content": memoryview(b'{"v": "new"}')},)
    assert state["value"] == "new" and "c4c-upload-ok" in up.status.value
    assert up.upload.value == ()


def test_field_messages():
    """Does a Field show an error, then a warning, then nothing, without touching the value?"""
    text = widgets.Text(value="about 40k")
    field = appkit.Field(text)
    field.error("Not a number <b>")
    assert "c4c-field-error" in field.message.value and "&lt;b&gt;" in field.message.value
    field.warn("Words: 3 of 60")
    assert "c4c-field-warning" in field.message.value
    field.clear()
    assert field.message.value == "" and text.value == "about 40k"


def test_sort_key_follows_ukrainian_alphabet():
    """Do Ukrainian labels sort in alphabet order (Ґ after Г, Є after Е, І/Ї after И)?"""
    words = ["Ірландія", "Австрія", "Їжакевичі", "Євпаторія", "Ґалаґан", "Гданськ", "Естонія", "Италія"]
    assert sorted(words, key=appkit.sort_key) == [
        "Австрія", "Гданськ", "Ґалаґан", "Естонія", "Євпаторія", "Италія", "Ірландія", "Їжакевичі",
    ]  # fmt: skip
