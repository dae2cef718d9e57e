"""What a grading worker reuses across submissions changes nothing nbgrader checks or stores."""

from __future__ import annotations

import jsonschema
import pytest
from nbformat.v4 import new_code_cell

from c4c_lms.lms.grading.reuse import install, read_notebook


def _cell(**nbgrader):
    cell = new_code_cell("x = 1")
    cell.metadata["nbgrader"] = {"schema_version": 3, "grade_id": "a", "grade": False, "solution": True,
                                 "locked": False, **nbgrader}  # fmt: skip
    return cell


def test_cell_metadata_still_checked_against_nbgrader_schema():
    from nbgrader.nbgraderformat import MetadataValidator

    install()
    validator = MetadataValidator()
    validator.validate_cell(_cell())  # valid: no error
    for _ in range(2):  # the second time uses the kept validator
        with pytest.raises(jsonschema.ValidationError):
            validator.validate_cell(_cell(grade="yes"))
        with pytest.raises(jsonschema.ValidationError):
            validator.validate_cell(_cell(points=1, grade=True, grade_id=None))


def test_gradebook_in_a_new_database_gets_its_tables(tmp_path):
    from nbgrader.api import Gradebook

    install()
    for name in ("one.db", "two.db"):  # the second database is a new engine: tables created again
        url = f"sqlite:///{tmp_path / name}"
        with Gradebook(url, course_id="c") as gb:
            gb.add_student("s1")
        with Gradebook(url, course_id="c") as gb:  # the shared engine, after close() disposed it
            assert [s.id for s in gb.students] == ["s1"]


def test_changed_notebook_file_is_read_again(tmp_path):
    import nbformat
    from nbformat.v4 import new_notebook

    path = tmp_path / "n.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("a = 1")]), str(path))
    assert read_notebook(path).cells[0].source == "a = 1"
    nbformat.write(new_notebook(cells=[new_code_cell("a = 22")]), str(path))
    assert read_notebook(path).cells[0].source == "a = 22"
