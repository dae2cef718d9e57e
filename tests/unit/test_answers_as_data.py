"""Answers cross as data (``answers.py``) and what exercises declare (``declared.py``)."""

from __future__ import annotations

import contextlib
import math

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from c4c_lms.lms.grading import answers
from c4c_lms.lms.grading.declared import declarations, problems


def cross(values: dict, names: list[str] | None = None) -> dict:
    """Encode as P does (the encoder's own source, executed), parse as the trusted side, decode as T."""
    names = names or list(values)
    line = answers.encoder()(names, dict(values))
    parsed = answers.parse_capture(line, names)
    decoded = {}
    for name in names:
        with contextlib.suppress(answers.Missing):
            decoded[name] = answers.decode(parsed[name])
    return decoded


TABLE = pd.DataFrame({
    "city": ["Sindelfingen", "Lund", None], "population": [64_000, 94_000, 20_000],
    "share": [0.5, float("nan"), 1.0], "partner": [True, False, True],
    "year": pd.array([2027, None, 2026], dtype="Int64"),
    "when": pd.to_datetime(["2027-01-05", None, "2026-03-01"]),
    "kind": pd.Categorical(["a", "b", "a"]),
}, index=pd.Index([10, 3, 7], name="row"))  # fmt: skip


@pytest.mark.parametrize("value", [
    0, -5, 2**80, 3.25, "Сонячна", True, None, [1, "x", None], (1, 2), {"a": [1, {2}]}, frozenset({"x"}),
    np.int64(7), np.float64(0.5), np.array([[1, 2], [3, 4]]), TABLE, TABLE["population"],
    TABLE[TABLE["partner"]], TABLE.groupby("kind", observed=True)["population"].sum(), TABLE.columns,
])  # fmt: skip
def test_accepted_types_arrive_equal_and_of_the_same_type(value):
    """Does each accepted answer type arrive in T equal to P's value, with the same type and dtypes?"""
    got = cross({"x": value})["x"]
    assert type(got) is type(value)
    if isinstance(value, (pd.DataFrame, pd.Series)):
        assert got.equals(value) and got.index.equals(value.index)
        dtypes = (lambda x: list(x.dtypes) if isinstance(x, pd.DataFrame) else [x.dtype])
        assert dtypes(got) == dtypes(value) and got.index.dtype == value.index.dtype
    elif isinstance(value, (np.ndarray, pd.Index)):
        assert got.dtype == value.dtype and (np.asarray(got) == np.asarray(value)).all()
    else:
        assert got == value


def test_nan_and_infinities_survive():
    got = cross({"a": float("nan"), "b": float("-inf")})
    assert math.isnan(got["a"]) and got["b"] == float("-inf")


def test_anything_else_is_a_typed_marker_that_fails_every_comparison():
    """Is an object with a custom __eq__ (the classic bypass) refused, not carried over?"""
    class Anything:
        def __eq__(self, other):
            return True

    got = cross({"a": Anything(), "b": lambda: 1, "c": [1, Anything()]})
    for name in "abc":
        assert isinstance(got[name], answers.NotAnAnswer)
        assert got[name] != got[name] and not got[name]
    assert "Anything" in repr(got["a"]) and "not an accepted answer type" in repr(got["a"])


def test_an_undefined_name_stays_undefined():
    assert cross({"a": 1}, ["a", "never_set"]) == {"a": 1}


def test_malformed_or_oversized_lines_become_markers_for_exactly_the_declared_names():
    """Can P send extra names, broken JSON or an endless line? (markers, nothing else)"""
    assert set(answers.parse_capture('C4C-ANSWERS {"a": 1, "evil": 2}', ["a"])) == {"a"}
    for text in ("", "C4C-ANSWERS {not json", "C4C-ANSWERS [1]", "C4C-ANSWERS " + "1" * (answers.MAX_CAPTURE + 1)):
        parsed = answers.parse_capture(text, ["a"])
        assert parsed["a"]["__c4c__"] == "refused"
    assert isinstance(answers.decode({"__c4c__": "DataFrame", "v": "no"}), answers.NotAnAnswer)
    assert isinstance(answers.decode({"__c4c__": "np", "dtype": "object", "v": 1}), answers.NotAnAnswer)


def _exercise(test_source: str, setup: str = "import pandas as pd\ntable = pd.DataFrame()") -> nbformat.NotebookNode:
    setup_cell = new_code_cell(setup, metadata={"nbgrader": {"grade_id": "setup", "locked": True}, "c4c": {"setup": True}})
    answer = new_code_cell("### BEGIN SOLUTION\ntotal = 3\n### END SOLUTION",
                           metadata={"nbgrader": {"grade_id": "a1", "solution": True}, "c4c": {"answers": ["total"]}})  # fmt: skip
    test = new_code_cell(test_source, metadata={"nbgrader": {"grade_id": "t1", "grade": True, "locked": True, "points": 1}})
    return new_notebook(cells=[setup_cell, answer, test])


def test_tests_may_read_declared_answers_and_set_up_names_only():
    """Does the check refuse a test that reads a name no answer cell declares?"""
    assert problems(_exercise("import numpy as np\nassert total == len(table) + 3\nassert pd")) == []
    assert problems(_exercise("assert total == helper")) == ["test t1 reads helper, which no answer cell declares"]
    found = declarations(_exercise("assert total"))
    assert found.answers == {"a1": ["total"]} and list(found.setup) == ["setup"]


def test_undeclared_sources_are_inferred_from_the_source_itself():
    nb = _exercise("assert total == 3")
    for cell in nb.cells:
        cell.metadata.pop("c4c", None)
    found = declarations(nb)
    assert found.answers == {"a1": ["total"]} and found.setup == {}
