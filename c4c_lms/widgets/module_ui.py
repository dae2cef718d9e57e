"""Shared layout pieces of the module tools: labels, result areas, tables, Save buttons.

Used by :mod:`c4c_lms.widgets.module_widgets` and :mod:`c4c_lms.widgets.project_widgets`; labels come from
``c4c_lms/core/messages/module_widgets.toml``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

import ipywidgets as widgets
import pandas as pd

from c4c_lms.core.i18n import Catalogue
from c4c_lms.content.module_tools import save_keepsake

M = Catalogue.load("module_widgets")
WIDE = widgets.Layout(width="95%")


def tool_box(children: Sequence[widgets.Widget]) -> widgets.VBox:
    box = widgets.VBox(list(children))
    box.add_class("c4c-tool")
    return box


def result_area() -> widgets.HTML:
    out = widgets.HTML("")
    out.add_class("c4c-tool-result")
    return out


def table_html(df: pd.DataFrame) -> str:
    return df.to_html(index=False, escape=True, border=0, classes="c4c-table")


def save_controls(make_df: Callable[[], pd.DataFrame], name: str, lang: str) -> widgets.VBox:
    """A Save button writing ``my_work/<name>.csv|.md`` and echoing the table for copying."""
    button = widgets.Button(description=M.t("save", lang), icon="save", button_style="success",
                            layout=widgets.Layout(width="auto"))
    button.add_class("c4c-save")
    note = result_area()

    def save(_b: widgets.Button) -> None:
        df = make_df()
        try:
            csv_path, md_path = save_keepsake(df, name)
        except OSError as exc:  # read-only folder: keep the text on screen so nothing is lost
            note.value = html.escape(M.t("save_failed", lang, error=exc)) + table_html(df)
            return
        note.value = html.escape(M.t("saved", lang, csv=csv_path.name, md=md_path.name)) + (
            f"<pre>{html.escape(md_path.read_text(encoding='utf-8'))}</pre>")

    button.on_click(save)
    return widgets.VBox([button, note])
