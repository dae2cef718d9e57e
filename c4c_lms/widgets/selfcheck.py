"""Self-check questions for the course modules: instant, explanatory feedback in the learner's language.

Module notebooks call :func:`self_check` with a question id: the prompt, the options and the
answer key come from the module's ``data/selfchecks.json`` (see :mod:`c4c_lms.content.selfchecks`),
so the key is not readable in the notebook's code. The three builders underneath::

    from c4c_lms.widgets.selfcheck import choice_question, ordering_task, numeric_question

    choice_question("m01_q1", "Which step comes first?", ["Search", "Council decision"], 1,
                    ["Search needs a mandate first.", "Yes: the council sets the fields first."])

The checking logic lives in plain functions (:func:`check_choice`, :func:`order_mistakes`,
:func:`check_order`, :func:`parse_number`, :func:`check_numeric`) so that it is unit-tested
without a kernel. Each widget carries the CSS classes ``c4c-selfcheck`` and ``c4c-q-<qid>``;
its button ``c4c-check`` and its feedback area ``c4c-feedback`` (plus ``c4c-feedback-correct`` or
``c4c-feedback-wrong`` after a check), so a browser test can find them.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Iterable, Sequence

import ipywidgets as widgets

from c4c_lms.content.selfchecks import DEFAULT_PATH, self_check_spec
from c4c_lms.core.i18n import LANGUAGES, Catalogue, format_number  # noqa: F401  (modules use it from here)

__all__ = [
    "ChoiceQuestion",
    "NumericQuestion",
    "OrderingTask",
    "check_choice",
    "check_numeric",
    "check_order",
    "choice_question",
    "format_number",
    "numeric_question",
    "order_mistakes",
    "ordering_task",
    "parse_number",
    "self_check",
    "shuffled_order",
]

M = Catalogue.load("selfcheck")

_QID = re.compile(r"^m\d{2}_q\d+$")
# Units a learner may type after a number; they do not change its value.
_UNITS = re.compile(r"(%|€|eur|євро|грн|uah)$", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f'’]")


# --------------------------------------------------------------------------- checking logic


def check_choice(selected: int | Iterable[int] | None, correct: int | set[int]) -> bool:
    """Whether the selection is exactly the correct answer.

    Parameters
    ----------
    selected : int, iterable of int or None
        Index of the chosen option (single choice) or indices of ticked options (multi-select).
    correct : int or set of int
        The correct index, or the set of correct indices.

    Returns
    -------
    bool
    """
    if selected is None:
        return False
    chosen = {selected} if isinstance(selected, int) else set(selected)
    wanted = {correct} if isinstance(correct, int) else set(correct)
    return chosen == wanted


def order_mistakes(submitted: Sequence[str], items_in_order: Sequence[str]) -> list[int]:
    """Positions (1-based) where the submitted order differs from the correct one.

    Parameters
    ----------
    submitted : sequence of str
        The items in the order the learner put them.
    items_in_order : sequence of str
        The same items in the correct order.

    Returns
    -------
    list of int
        Empty when the order is right.
    """
    if sorted(submitted) != sorted(items_in_order):
        raise ValueError("the submitted items are not the items of the task")
    return [i + 1 for i, (a, b) in enumerate(zip(submitted, items_in_order)) if a != b]


def check_order(submitted: Sequence[str], items_in_order: Sequence[str]) -> bool:
    """Whether the learner's order equals the correct one."""
    return not order_mistakes(submitted, items_in_order)


def shuffled_order(items_in_order: Sequence[str], seed: int = 0) -> list[str]:
    """A reproducible shuffle that never starts out already solved (for two or more items)."""
    items = list(items_in_order)
    if len(set(items)) < 2:
        return items
    rng = random.Random(seed)
    shuffled = items[:]
    while shuffled == items:
        rng.shuffle(shuffled)
    return shuffled


def parse_number(text: str, lang: str = "uk") -> float | None:
    """Read a number as a learner types it: ``12 500,5``, ``12,500.5``, ``90 %``, ``8 455 €``.

    A lone comma is a decimal comma in Ukrainian and in English unless it groups
    thousands (``12,500``). Returns ``None`` when the text is not a number.
    """
    s = _SPACES.sub("", str(text)).strip()
    s = _UNITS.sub("", s)
    if not s:
        return None
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        s = s.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif "," in s:
        groups_thousands = re.fullmatch(r"-?\d{1,3}(,\d{3})+", s) is not None
        if lang == "en" and groups_thousands or s.count(",") > 1:
            s = s.replace(",", "")
        else:
            s = s.replace(",", ".")
    elif s.count(".") > 1:
        s = s.replace(".", "")
    try:
        return float(s)
    except ValueError:
        return None


def check_numeric(value: float | None, answer: float, tolerance: float) -> bool:
    """Whether ``value`` lies within ``tolerance`` of ``answer`` (``None`` is never right)."""
    return value is not None and abs(value - answer) <= tolerance + 1e-9


# --------------------------------------------------------------------------- widgets


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
    return lang


def _check_qid(qid: str) -> str:
    if not _QID.match(qid):
        raise ValueError(f"qid {qid!r} must look like 'm01_q1'")
    return qid


def _frame(prompt: str, children: list[widgets.Widget]) -> list[widgets.Widget]:
    head = widgets.HTML(f"<b>{html.escape(prompt)}</b>")
    head.add_class("c4c-prompt")
    return [head, *children]


def _feedback_area() -> widgets.HTML:
    area = widgets.HTML("")
    area.add_class("c4c-feedback")
    return area


def _check_button(lang: str) -> widgets.Button:
    button = widgets.Button(description=M.t("check", lang), button_style="primary", icon="check")
    button.add_class("c4c-check")
    return button


class _SelfCheck(widgets.VBox):
    """Common part: classes, feedback area and a record of the last result."""

    def __init__(self, qid: str, kind: str, lang: str, prompt: str, body: list[widgets.Widget]):
        self.qid = _check_qid(qid)
        self.lang = _check_lang(lang)
        self.feedback = _feedback_area()
        self.button = _check_button(lang)
        self.button.on_click(lambda _b: self.check())
        self.attempts = 0
        self.solved = False
        super().__init__(_frame(prompt, body) + [self.button, self.feedback])
        for cls in ("c4c-selfcheck", f"c4c-{kind}", f"c4c-q-{qid}"):
            self.add_class(cls)

    def _show(self, ok: bool, lines: list[str]) -> None:
        self.attempts += 1
        self.solved = self.solved or ok
        status = M.t("correct" if ok else "try_again", self.lang)
        colour = "#1b7a35" if ok else "#a4460b"
        body = "".join(f"<div>{line}</div>" for line in lines)
        self.feedback.value = f'<div style="color:{colour}"><b>{status}</b></div>{body}'
        self.feedback.remove_class("c4c-feedback-wrong" if ok else "c4c-feedback-correct")
        self.feedback.add_class("c4c-feedback-correct" if ok else "c4c-feedback-wrong")

    def _hint(self, text: str) -> None:
        self.feedback.value = f"<i>{html.escape(text)}</i>"

    def check(self) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError


class ChoiceQuestion(_SelfCheck):
    """Single- or multi-select question; ``feedback[i]`` explains option ``i``."""

    def __init__(self, qid, prompt, options, correct, feedback, lang="uk"):
        _check_lang(lang)
        options = list(options)
        if len(options) < 2 or len(feedback) != len(options):
            raise ValueError(f"{qid}: need at least two options and one feedback text per option")
        self.multi = isinstance(correct, (set, frozenset))
        wanted = set(correct) if self.multi else {correct}
        if not wanted or not wanted <= set(range(len(options))):
            raise ValueError(f"{qid}: correct answer {correct!r} is not an option index")
        self.options, self.correct, self.explanations = options, correct, list(feedback)
        if self.multi:
            self.boxes = [widgets.Checkbox(value=False, description=o, indent=False,
                                           layout=widgets.Layout(width="auto")) for o in options]
            selector = widgets.VBox(self.boxes)
            hint = M.t("select_some", lang)
        else:
            selector = widgets.RadioButtons(options=[(o, i) for i, o in enumerate(options)],
                                            value=None, layout=widgets.Layout(width="auto"))
            self.radio = selector
            hint = M.t("select_one", lang)
        selector.add_class("c4c-options")
        note = widgets.HTML(f"<i>{html.escape(hint)}</i>")
        super().__init__(qid, "choice", lang, prompt, [note, selector])

    def selected(self) -> int | set[int] | None:
        """The learner's current selection."""
        if self.multi:
            return {i for i, box in enumerate(self.boxes) if box.value}
        return self.radio.value

    def select(self, choice: int | Iterable[int]) -> None:
        """Set the selection (used by tests and by the 'show me' buttons of a notebook)."""
        if self.multi:
            ticks = {choice} if isinstance(choice, int) else set(choice)
            for i, box in enumerate(self.boxes):
                box.value = i in ticks
        else:
            self.radio.value = choice

    def check(self) -> bool:
        """Mark the current selection and show why each chosen option is right or wrong."""
        chosen = self.selected()
        if chosen is None or chosen == set():
            self._hint(M.t("nothing_selected", self.lang))
            return False
        ok = check_choice(chosen, self.correct)
        picks = sorted(chosen) if self.multi else [chosen]
        wanted = set(self.correct) if self.multi else {self.correct}
        lines = [f"{'✔' if i in wanted else '✘'} {html.escape(self.explanations[i])}" for i in picks]
        missing = len(wanted - set(picks))
        if not ok and missing and set(picks) <= wanted:
            lines.append(html.escape(M.t("missed_some", self.lang, count=missing)))
        self._show(ok, lines)
        return ok


class OrderingTask(_SelfCheck):
    """Put items in order with Up/Down buttons, then Check."""

    def __init__(self, qid, prompt, items_in_order, lang="uk", seed=0, reasons=None):
        _check_lang(lang)
        items = list(items_in_order)
        if len(items) < 2 or len(set(items)) != len(items):
            raise ValueError(f"{qid}: need at least two distinct items to order")
        if reasons is not None and len(reasons) != len(items):
            raise ValueError(f"{qid}: one reason per item is needed")
        self.items_in_order = items
        self.reasons = dict(zip(items, reasons)) if reasons else {}
        self.order = shuffled_order(items, seed)
        self.rows = widgets.VBox()
        self.rows.add_class("c4c-order-list")
        note = widgets.HTML(f"<i>{html.escape(M.t('order_hint', lang))}</i>")
        self._lang = lang
        self._render()
        super().__init__(qid, "ordering", lang, prompt, [note, self.rows])

    def _render(self) -> None:
        rows = []
        last = len(self.order) - 1
        for pos, item in enumerate(self.order):
            up = widgets.Button(icon="arrow-up", tooltip=M.t("move_up", self._lang),
                                layout=widgets.Layout(width="36px"), disabled=pos == 0)
            down = widgets.Button(icon="arrow-down", tooltip=M.t("move_down", self._lang),
                                  layout=widgets.Layout(width="36px"), disabled=pos == last)
            up.add_class("c4c-up")
            down.add_class("c4c-down")
            up.on_click(lambda _b, p=pos: self.move(p, -1))
            down.on_click(lambda _b, p=pos: self.move(p, +1))
            label = widgets.HTML(f"{pos + 1}. {html.escape(item)}")
            row = widgets.HBox([up, down, label])
            row.add_class("c4c-order-row")
            rows.append(row)
        self.rows.children = rows

    def move(self, position: int, step: int) -> None:
        """Swap the item at ``position`` (0-based) with its neighbour above (-1) or below (+1)."""
        other = position + step
        if 0 <= other < len(self.order):
            self.order[position], self.order[other] = self.order[other], self.order[position]
            self._render()

    def _why(self, heading: str, items: Sequence[str]) -> str:
        """An ordered list of steps, each with why it comes where it does."""
        rows = "".join(
            f"<li value='{self.items_in_order.index(i) + 1}'><b>{html.escape(i)}</b>"
            f"{' — ' + html.escape(self.reasons[i]) if i in self.reasons else ''}</li>"
            for i in items)
        return f"{html.escape(heading)}<ol class='c4c-order-why'>{rows}</ol>"

    def check(self) -> bool:
        """Mark the order; explain why each step comes where it does.

        A right order shows every step's reason. A wrong one names the positions to reconsider
        and explains the steps already in place; from the second wrong try on, the right order
        is shown with its reasons.
        """
        wrong = order_mistakes(self.order, self.items_in_order)
        if not wrong:
            lines = [html.escape(M.t("order_correct", self.lang))]
            if self.reasons:
                lines.append(self._why(M.t("order_why", self.lang), self.items_in_order))
            self._show(True, lines)
            return True
        total = len(self.order)
        message = M.t("order_wrong", self.lang, right=total - len(wrong), total=total,
                      positions=", ".join(map(str, wrong)))
        lines = [html.escape(message)]
        if self.reasons and self.attempts >= 1:
            lines.append(self._why(M.t("order_solution", self.lang), self.items_in_order))
        elif self.reasons:
            placed = [i for p, i in enumerate(self.order) if p + 1 not in wrong]
            if placed:
                lines.append(self._why(M.t("order_in_place", self.lang), placed))
        self._show(False, lines)
        return False


class NumericQuestion(_SelfCheck):
    """A number to calculate; the explanation appears once solved or after two tries."""

    def __init__(self, qid, prompt, answer, tolerance, explanation, lang="uk"):
        _check_lang(lang)
        if tolerance < 0:
            raise ValueError(f"{qid}: tolerance must not be negative")
        self.answer, self.tolerance, self.explanation = float(answer), float(tolerance), explanation
        self.entry = widgets.Text(placeholder=M.t("numeric_placeholder", lang),
                                  layout=widgets.Layout(width="260px"))
        self.entry.add_class("c4c-number")
        super().__init__(qid, "numeric", lang, prompt, [self.entry])

    def check(self) -> bool:
        """Read the typed number, mark it and explain."""
        value = parse_number(self.entry.value, self.lang)
        if value is None:
            self._hint(M.t("not_a_number", self.lang, text=self.entry.value.strip()))
            return False
        ok = check_numeric(value, self.answer, self.tolerance)
        shown = format_number(value, self.lang)
        if ok:
            lines = [html.escape(self.explanation)]
        else:
            key = "numeric_too_high" if value > self.answer else "numeric_too_low"
            lines = [html.escape(M.t(key, self.lang, value=shown))]
            if self.attempts >= 1:  # second wrong try: explain the way to the answer
                lines.append(html.escape(self.explanation))
        self._show(ok, lines)
        return ok


# --------------------------------------------------------------------------- public builders


def choice_question(qid: str, prompt: str, options: list[str], correct: int | set[int],
                    feedback: list[str], lang: str = "uk") -> ChoiceQuestion:
    """A multiple-choice self-check; multi-select when ``correct`` is a set.

    Parameters
    ----------
    qid : str
        Question id like ``"m01_q1"``, identical in the Ukrainian and English notebooks.
    prompt : str
        The question.
    options : list of str
        Answer options.
    correct : int or set of int
        Index of the correct option, or the set of correct indices (multi-select).
    feedback : list of str
        ``feedback[i]`` explains why option ``i`` is right or wrong.
    lang : {"uk", "en"}
        Language of the buttons and status messages.

    Returns
    -------
    ChoiceQuestion
        An ``ipywidgets.VBox``; call ``.check()`` to mark it programmatically.
    """
    return ChoiceQuestion(qid, prompt, options, correct, feedback, lang)


def ordering_task(qid: str, prompt: str, items_in_order: list[str], lang: str = "uk",
                  seed: int = 0, reasons: list[str] | None = None) -> OrderingTask:
    """An ordering task: the items appear shuffled (reproducibly, by ``seed``) and the learner
    sorts them with Up/Down buttons, then presses Check. ``reasons[i]`` says why item ``i``
    comes where it does; it is shown after checking.

    Returns
    -------
    OrderingTask
        An ``ipywidgets.VBox``; ``.order`` is the current order, ``.move(pos, ±1)`` moves an item.
    """
    return OrderingTask(qid, prompt, items_in_order, lang, seed, reasons)


def numeric_question(qid: str, prompt: str, answer: float, tolerance: float, explanation: str,
                     lang: str = "uk") -> NumericQuestion:
    """A calculation question accepting ``answer ± tolerance``; ``explanation`` shows the working.

    Returns
    -------
    NumericQuestion
        An ``ipywidgets.VBox``; ``.entry.value`` is the typed text.
    """
    return NumericQuestion(qid, prompt, answer, tolerance, explanation, lang)


def self_check(qid: str, *, lang: str, path=DEFAULT_PATH) -> _SelfCheck:
    """The self-check ``qid`` of the module, built from its data file in the learner's language.

    Parameters
    ----------
    qid : str
        Question id like ``"m01_q1"``.
    lang : {"uk", "en"}
        The notebook's language.
    path : str or Path
        The module's self-check file; by default ``data/selfchecks.json`` next to the notebook.
    """
    kind, kwargs = self_check_spec(qid, lang=lang, path=path)
    builder = {"choice": choice_question, "numeric": numeric_question, "ordering": ordering_task}[kind]
    return builder(**kwargs)
