"""Unit tests for the self-check logic and widgets (no kernel, no browser)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c4c_lms.core.i18n import Catalogue
from c4c_lms.widgets.selfcheck import (
    check_choice,
    check_numeric,
    check_order,
    choice_question,
    format_number,
    numeric_question,
    order_mistakes,
    ordering_task,
    parse_number,
    shuffled_order,
)

M = Catalogue.load("selfcheck")


def test_catalogue_complete():
    """Does every self-check message exist in Ukrainian and English?"""
    assert M.missing() == []


@pytest.mark.parametrize(
    ("selected", "correct", "expected"),
    [(1, 1, True), (0, 1, False), (None, 1, False), ({0, 2}, {0, 2}, True), ({0}, {0, 2}, False),
     ({0, 1, 2}, {0, 2}, False), ([2, 0], {0, 2}, True), (set(), {0}, False)],
)
def test_check_choice(selected, correct, expected):
    """Is a selection right exactly when it equals the correct option(s)?"""
    assert check_choice(selected, correct) is expected


def test_order_mistakes_names_positions():
    """Does the ordering check name the 1-based positions that are wrong?"""
    assert order_mistakes(["a", "c", "b", "d"], ["a", "b", "c", "d"]) == [2, 3]
    assert check_order(["a", "b"], ["a", "b"]) and not check_order(["b", "a"], ["a", "b"])


def test_order_rejects_foreign_items():
    """Does the ordering check refuse items that are not the task's items?"""
    with pytest.raises(ValueError):
        order_mistakes(["a", "x"], ["a", "b"])


@given(st.lists(st.text(min_size=1, max_size=5), min_size=2, max_size=8, unique=True),
       st.integers(0, 1000))
def test_shuffle_is_a_permutation_never_solved(items, seed):
    """Is the starting order a reproducible permutation that is never already correct?"""
    first = shuffled_order(items, seed)
    assert sorted(first) == sorted(items)
    assert first != items
    assert first == shuffled_order(items, seed)


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [("12 500,5", "uk", 12500.5), ("12,500.5", "en", 12500.5), ("12,5", "uk", 12.5),
     ("12,500", "en", 12500.0), ("12,500", "uk", 12.5), ("90 %", "uk", 90.0), ("8\u00a0455 €", "uk", 8455.0),
     ("1.234.567", "en", 1234567.0), ("-3", "en", -3.0), ("0.07", "uk", 0.07), ("abc", "uk", None),
     ("", "en", None), ("12 грн", "uk", 12.0), ("1,2,3", "uk", 123.0)],
)
def test_parse_number(text, lang, value):
    """Are numbers read the way Ukrainian and English learners type them?"""
    assert parse_number(text, lang) == value


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.sampled_from(["uk", "en"]))
def test_format_then_parse_round_trip(value, lang):
    """Does a number shown in the learner's format read back to (nearly) the same value?"""
    shown = format_number(round(value, 3), lang)
    assert parse_number(shown, lang) == pytest.approx(round(value, 3), abs=1e-3)


def test_check_numeric_tolerance():
    """Is a value inside the tolerance accepted and one outside rejected?"""
    assert check_numeric(45.0, 45, 0.5) and check_numeric(45.5, 45, 0.5)
    assert not check_numeric(45.6, 45, 0.5) and not check_numeric(None, 45, 1)


def test_single_choice_widget_feedback_in_language():
    """Does a single-choice widget explain the chosen option and say Correct in the right language?"""
    q = choice_question("m01_q1", "?", ["a", "b"], 1, ["why a is wrong", "why b is right"], lang="en")
    assert not q.check() and M.t("nothing_selected", "en") in q.feedback.value
    q.select(0)
    assert not q.check()
    assert "why a is wrong" in q.feedback.value and M.t("try_again", "en") in q.feedback.value
    assert "c4c-feedback-wrong" in q.feedback._dom_classes
    q.select(1)
    assert q.check() and M.t("correct", "en") in q.feedback.value
    assert "c4c-feedback-correct" in q.feedback._dom_classes
    assert "c4c-feedback-wrong" not in q.feedback._dom_classes
    assert {"c4c-selfcheck", "c4c-q-m01_q1"} <= set(q._dom_classes)
    assert q.button.description == M.t("check", "en")


def test_multi_choice_widget_reports_missing():
    """Does a multi-select question say how many correct options are still missing?"""
    q = choice_question("m02_q3", "?", ["a", "b", "c"], {0, 2}, ["fa", "fb", "fc"], lang="uk")
    q.select({0})
    assert not q.check()
    assert M.t("missed_some", "uk", count=1) in q.feedback.value
    q.select({0, 2})
    assert q.check() and q.solved


def test_choice_question_rejects_bad_authoring():
    """Are mismatched feedback lists, bad indices and bad ids refused with a clear error?"""
    with pytest.raises(ValueError, match="feedback"):
        choice_question("m01_q1", "?", ["a", "b"], 0, ["only one"])
    with pytest.raises(ValueError, match="not an option"):
        choice_question("m01_q1", "?", ["a", "b"], 5, ["x", "y"])
    with pytest.raises(ValueError, match="qid"):
        choice_question("q1", "?", ["a", "b"], 0, ["x", "y"])
    with pytest.raises(ValueError, match="lang"):
        choice_question("m01_q1", "?", ["a", "b"], 0, ["x", "y"], lang="de")


def test_ordering_widget_moves_and_checks():
    """Can the learner sort the items with Up/Down and get it marked correct?"""
    steps = ["decide", "search", "contact", "letter", "agreement"]
    task = ordering_task("m01_q2", "?", steps, lang="en", seed=3)
    assert not task.check()
    assert "Positions to reconsider" in task.feedback.value
    # sort by bubbling each item up with the same moves a learner would make
    for target, item in enumerate(steps):
        pos = task.order.index(item)
        while pos > target:
            task.move(pos, -1)
            pos -= 1
    assert task.order == steps and task.check()
    assert len(task.rows.children) == len(steps)


def test_numeric_widget_explains_after_two_tries():
    """Does a numeric question hint high/low first and show the working after a second miss?"""
    q = numeric_question("m02_q5", "?", 45000, 1, "90% of 50 000", lang="uk")
    q.entry.value = "40000"
    assert not q.check() and "90% of 50 000" not in q.feedback.value
    q.entry.value = "50 000"
    assert not q.check() and "90% of 50 000" in q.feedback.value
    q.entry.value = "сорок"
    assert not q.check() and "сорок" in q.feedback.value
    q.entry.value = "45 000"
    assert q.check()


def test_ordering_explains_why_each_step_comes_where_it_does():
    """Does an ordering task explain the steps in place, then the whole order after a second miss?"""
    steps, why = ["survey", "clear"], ["first find where", "then clear only there"]
    task = ordering_task("m05_q4", "?", steps, lang="en", seed=1, reasons=why)
    assert task.order == ["clear", "survey"]
    assert not task.check()
    assert "Positions to reconsider" in task.feedback.value and "then clear only there" not in task.feedback.value
    assert not task.check()  # second miss: the right order and every reason
    assert "The right order" in task.feedback.value
    assert all(r in task.feedback.value for r in why)
    task.move(0, +1)
    assert task.check() and "Why this order" in task.feedback.value
    assert task.feedback.value.index("first find where") < task.feedback.value.index("then clear only there")
    with pytest.raises(ValueError, match="reason"):
        ordering_task("m05_q4", "?", steps, lang="en", reasons=["one"])
