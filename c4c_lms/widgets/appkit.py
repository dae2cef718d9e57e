"""Small widget helpers shared by the Voilà apps (calendar, profile, planner, partner finder).

The whole API::

    from c4c_lms.widgets.appkit import Interface, Field, download_link, JsonUpload, parse_json_bytes

    ui = Interface(Catalogue.load("events_calendar"))      # uk/en switch: ui.switch
    title = ui.bind(widgets.Text(), "title")               # description re-labelled on switch
    kind = ui.bind_options(widgets.Dropdown(), [("kind_event", "event"), ("kind_deadline", "deadline")])
    ui.on_change(lambda lang: ...)                         # anything else to redraw
    name = Field(widgets.Text(), hint_key="name_hint", ui=ui)   # widget + hint + inline message
    name.error(ui.t("required"))  /  name.clear()
    out = widgets.HTML(); out.value = download_link(data, "plan.ics", "text/calendar", "Download")
    up = JsonUpload(ui, on_load=lambda obj: ..., schema="c4c-profile/1")

CSS classes a browser test (or the benchmark) can rely on: ``c4c-ready`` on an app's first
interactive widget (:data:`READY_CLASS`), ``c4c-field-error`` on an inline error,
``c4c-download`` on a download anchor, ``c4c-lang`` on the language switch.
Texts of this module live in ``c4c_lms/core/messages/appkit.toml``; theme names in ``themes.toml``
(:mod:`c4c_lms.content.themes`, re-exported here with ``new_pdf`` for the apps).
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from c4c_lms.content.pdf import new_pdf
from c4c_lms.content.themes import THEMES, theme_label
from c4c_lms.core.i18n import LANGUAGES, Catalogue, format_number

__all__ = [
    "READY_CLASS",
    "Catalogue",
    "format_number",
    "THEMES",
    "BadFileError",
    "Field",
    "Interface",
    "JsonUpload",
    "download_link",
    "new_pdf",
    "parse_json_bytes",
    "sort_key",
    "theme_label",
]

A = Catalogue.load("appkit")

#: Class put on the first interactive widget of every app; the benchmark waits for it.
READY_CLASS = "c4c-ready"



_UK_ALPHABET = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
_UK_ORDER = {ch: i for i, ch in enumerate(_UK_ALPHABET)}


def sort_key(text: str) -> tuple:
    """Key that sorts Ukrainian words in alphabet order (plain ``sorted`` puts І, Ї, Є, Ґ first)
    and Latin text as usual; use it for country, oblast and other option labels."""
    return tuple((0, _UK_ORDER[ch], "") if ch in _UK_ORDER else (1, 0, ch) for ch in text.lower())


class BadFileError(ValueError):
    """A file the learner uploaded cannot be used; ``key``/``values`` name the appkit message."""

    def __init__(self, key: str, **values: object):
        self.key = key
        self.values = values
        super().__init__(A.t(key, "en", **values))

    def message(self, lang: str) -> str:
        """The explanation in the learner's language."""
        return A.t(self.key, lang, **self.values)


class Interface:
    """The app's language (uk/en) and every widget text that follows it.

    Parameters
    ----------
    catalogue : Catalogue
        The app's message catalogue.
    lang : {"uk", "en"}
        Starting language (Ukrainian by default).
    """

    def __init__(self, catalogue: Catalogue, lang: str = "uk"):
        self.M = catalogue
        self.lang = lang if lang in LANGUAGES else "uk"
        self._bindings: list[Callable[[], None]] = []
        self._callbacks: list[Callable[[str], None]] = []
        self.switch = widgets.ToggleButtons(
            options=[(A.t("lang_name", code), code) for code in LANGUAGES],
            value=self.lang,
            style={"button_width": "8em"},
        )
        self.switch.add_class("c4c-lang")
        self.switch.observe(self._on_switch, "value")

    def t(self, key: str, /, **values: object) -> str:
        """Message ``key`` of the app's catalogue in the current language."""
        return self.M.t(key, self.lang, **values)

    def bind(self, widget: widgets.Widget, key: str, attr: str = "description", **values: object):
        """Set ``widget.<attr>`` from ``key`` now and on every language switch; returns the widget."""

        def apply() -> None:
            setattr(widget, attr, self.t(key, **values))

        apply()
        self._bindings.append(apply)
        return widget

    def bind_options(self, widget: widgets.Widget, options: Sequence[tuple[str, Any]] | Callable):
        """Labelled options ``[(key, value), ...]`` re-labelled on switch; the selection is kept.

        ``options`` may also be a function ``lang -> [(label, value), ...]`` for data-driven
        labels (themes, countries).
        """

        def apply() -> None:
            if callable(options):
                labelled = list(options(self.lang))
            else:
                labelled = [(self.t(key), value) for key, value in options]
            old = widget.value
            values = [v for _, v in labelled]
            widget.options = labelled
            if isinstance(old, tuple):  # SelectMultiple keeps every still-offered choice
                widget.value = tuple(v for v in old if v in values)
            elif old in values:
                widget.value = old
            elif values:  # a fresh single-choice widget starts on its first option
                widget.value = values[0]

        apply()
        self._bindings.append(apply)
        return widget

    def on_change(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(lang)`` after every switch (to redraw previews, plots, messages)."""
        self._callbacks.append(callback)

    def _on_switch(self, change: dict) -> None:
        self.lang = change["new"]
        for apply in self._bindings:
            apply()
        for callback in self._callbacks:
            callback(self.lang)


class Field(widgets.VBox):
    """A form widget with its hint underneath and room for an inline message.

    The message sits next to the field it is about (``role="alert"`` so screen readers
    announce it); the widget's value is never touched, so nothing typed is lost.
    """

    def __init__(self, widget: widgets.Widget, hint_key: str | None = None,
                 ui: Interface | None = None):
        self.widget = widget
        self.hint = widgets.HTML()
        self.message = widgets.HTML()
        self.message.add_class("c4c-field-message")
        if hint_key and ui is not None:
            ui.bind(self.hint, hint_key, attr="value")
            self.hint.add_class("c4c-hint")
        super().__init__([widget, self.hint, self.message] if hint_key else [widget, self.message])

    def error(self, text: str) -> None:
        """Show ``text`` as an error under the field."""
        self.message.value = (
            f'<span class="c4c-field-error" role="alert" style="color:#b00020">'
            f"⚠ {html.escape(text)}</span>"
        )
        self.widget.add_class("c4c-invalid")

    def warn(self, text: str) -> None:
        """Show ``text`` as a non-blocking warning under the field."""
        self.message.value = (
            f'<span class="c4c-field-warning" style="color:#8a5300">{html.escape(text)}</span>'
        )
        self.widget.remove_class("c4c-invalid")

    def clear(self) -> None:
        """Remove the message."""
        self.message.value = ""
        self.widget.remove_class("c4c-invalid")


def download_link(data: bytes, filename: str, mime: str, label: str) -> str:
    """HTML of an anchor that saves ``data`` as ``filename`` (put it in a ``widgets.HTML``).

    A ``data:`` URI with the ``download`` attribute needs no server route, so it works the
    same in Voilà, JupyterLab and a browser test (Playwright's ``expect_download``).

    Parameters
    ----------
    data : bytes
        File content.
    filename : str
        Name the browser proposes.
    mime : str
        Media type, e.g. ``"text/calendar"``.
    label : str
        Link text.
    """
    b64 = base64.b64encode(data).decode("ascii")
    return (
        f'<a class="c4c-download" download="{html.escape(filename)}" '
        f'href="data:{mime};base64,{b64}" '
        f'style="display:inline-block;padding:4px 12px;border:1px solid #1976d2;'
        f'border-radius:4px;text-decoration:none;color:#1976d2">'
        f"⬇ {html.escape(label)}</a>"
    )


def parse_json_bytes(data: bytes, schema: str | None = None) -> dict:
    """The JSON object in ``data``; :class:`BadFileError` explains why a file cannot be used.

    Parameters
    ----------
    data : bytes
        Uploaded file content (UTF-8, a BOM is tolerated).
    schema : str, optional
        Required value of the ``"schema"`` key (e.g. ``"c4c-profile/1"``).
    """
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadFileError("bad_encoding") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadFileError("bad_json", line=exc.lineno, column=exc.colno) from None
    if not isinstance(obj, dict):
        raise BadFileError("not_object")
    if schema is not None and obj.get("schema") != schema:
        raise BadFileError("wrong_schema", expected=schema, found=obj.get("schema", "—"))
    return obj


class JsonUpload(widgets.VBox):
    """Upload button that re-loads a saved JSON file and says clearly what went wrong.

    Parameters
    ----------
    ui : Interface
        For the language of labels and messages.
    on_load : callable
        Called with the parsed dict; it may raise :class:`BadFileError` or ``ValueError``
        (its text is shown) — the app's current state must stay untouched in that case.
    schema : str, optional
        Required ``"schema"`` value.
    """

    def __init__(self, ui: Interface, on_load: Callable[[dict], None], schema: str | None = None):
        self.ui = ui
        self.on_load = on_load
        self.schema = schema
        self.upload = widgets.FileUpload(accept=".json,application/json", multiple=False)
        self.upload.add_class("c4c-upload")
        self.status = widgets.HTML()
        self.status.add_class("c4c-upload-status")
        ui.on_change(lambda lang: self._relabel())
        self._relabel()
        self.upload.observe(self._on_upload, "value")
        super().__init__([self.upload, self.status])

    def _relabel(self) -> None:
        self.upload.description = A.t("upload_json", self.ui.lang)

    def _say(self, text: str, ok: bool) -> None:
        colour, css = ("#1b5e20", "c4c-upload-ok") if ok else ("#b00020", "c4c-field-error")
        self.status.value = (
            f'<span class="{css}" role="alert" style="color:{colour}">{html.escape(text)}</span>'
        )

    def _on_upload(self, change: dict) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0]
        name = item.get("name", "") if isinstance(item, dict) else getattr(item, "name", "")
        content = item["content"] if isinstance(item, dict) else item.content
        lang = self.ui.lang
        try:
            obj = parse_json_bytes(bytes(content), self.schema)
            self.on_load(obj)
        except BadFileError as exc:
            self._say(A.t("upload_failed", lang, name=name, reason=exc.message(lang)), ok=False)
        except (ValueError, TypeError, KeyError) as exc:
            self._say(A.t("upload_failed", lang, name=name, reason=str(exc)), ok=False)
        else:
            self._say(A.t("upload_ok", lang, name=name), ok=True)
        finally:
            # Clearing lets the same file be chosen again after a fix.
            self.upload.unobserve(self._on_upload, "value")
            self.upload.value = ()
            self.upload.observe(self._on_upload, "value")
