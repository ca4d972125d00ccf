"""grader.batch.staging: the pure repairs of a submitted notebook (no nbgrader, no kernel)."""

from __future__ import annotations

import copy
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from grader.batch.staging import StagedNotebook, grade_id, stage


def meta(gid: str, **flags) -> dict:
    base = {"grade": False, "solution": False, "locked": False, "task": False}
    return {"nbgrader": {**base, **flags, "grade_id": gid, "schema_version": 3}}


def released_notebook():
    setup = new_code_cell("import helpers", id="setup-id", metadata=meta("setup", locked=True))
    answer = new_code_cell(
        "def f():\n    raise NotImplementedError()",
        id="answer-id",
        metadata=meta("ans", solution=True),
    )
    test = new_code_cell(
        "assert f() == 1",
        id="test-id",
        metadata={**meta("test-a", grade=True, locked=True, points=1), "deletable": False},
    )
    interpretation = new_markdown_cell(
        "YOUR ANSWER HERE",
        id="interp-id",
        metadata=meta("interp", grade=True, solution=True, points=2),
    )
    return new_notebook(cells=[setup, answer, test, interpretation])


RELEASED = released_notebook()


def submitted(nb) -> bytes:
    return nbformat.writes(nb).encode()


def solved():
    nb = copy.deepcopy(RELEASED)
    nb.cells[1].source = "def f():\n    return 1"
    return nb


def by_gid(nb, gid):
    return next(cell for cell in nb.cells if grade_id(cell) == gid)


def test_a_clean_submission_needs_no_repair():
    staged = stage(submitted(solved()), RELEASED)
    assert isinstance(staged, StagedNotebook)
    assert staged.problem is None and staged.notes == ()
    assert staged.notebook.cells == solved().cells


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xfe\x00not text", "not UTF-8"),
        (b'{"cells": [ {"cell_type": "code", oops', "invalid JSON at line 1"),
        (b"[1, 2, 3]", "without an nbformat version"),
        (json.dumps({"nbformat": 5, "cells": []}).encode(), "nbformat 5"),
        (json.dumps({"nbformat": 4, "cells": "x"}).encode(), "no list of cells"),
    ],
)
def test_unreadable_files_are_a_problem(data, expected):
    staged = stage(data, RELEASED)
    assert staged.notebook is None
    assert expected in staged.problem
    assert "\n" not in staged.problem


def test_nbformat_3_is_upgraded():
    raw = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {},
        "worksheets": [
            {"cells": [{"cell_type": "code", "input": "x = 1", "outputs": [], "metadata": {}}]}
        ],
    }
    staged = stage(json.dumps(raw).encode(), RELEASED)
    assert staged.problem is None
    assert staged.notes == ("nbformat 3 notebook: upgraded to nbformat 4",)
    assert staged.notebook.nbformat == 4 and staged.notebook.nbformat_minor >= 5
    assert staged.notebook.cells[0].source == "x = 1" and staged.notebook.cells[0].id


def test_missing_and_duplicated_cell_ids_are_regenerated_deterministically():
    raw = json.loads(submitted(solved()))
    del raw["cells"][0]["id"]
    raw["cells"][2]["id"] = raw["cells"][1]["id"]  # duplicated: the first keeps it
    data = json.dumps(raw).encode()
    first, second = stage(data, RELEASED), stage(data, RELEASED)
    ids = [cell.id for cell in first.notebook.cells]
    assert len(set(ids)) == len(ids)
    assert ids[1] == "answer-id" and ids[2] != "answer-id"
    assert ids == [cell.id for cell in second.notebook.cells]
    assert first.notes == ("2 cell id(s) missing or duplicated: regenerated",)


def test_a_duplicated_graded_cell_keeps_metadata_on_the_first_only():
    nb = solved()
    nb.cells.insert(3, copy.deepcopy(nb.cells[2]))
    nb.cells[3].id = "test-copy"
    staged = stage(submitted(nb), RELEASED)
    cells = staged.notebook.cells
    assert grade_id(cells[2]) == "test-a" and "deletable" in cells[2].metadata
    assert "nbgrader" not in cells[3].metadata and "deletable" not in cells[3].metadata
    (note,) = staged.notes
    assert "test-a" in note and "first occurrence" in note


def test_a_blank_grade_id_loses_its_nbgrader_metadata():
    nb = solved()
    extra = new_code_cell("print(1)", id="extra", metadata=meta("  ", solution=True))
    nb.cells.append(extra)
    staged = stage(submitted(nb), RELEASED)
    assert "nbgrader" not in staged.notebook.cells[-1].metadata
    assert staged.notes == ("1 cell(s) with a blank grade_id: their nbgrader metadata removed",)


def test_a_changed_cell_type_is_restored():
    nb = solved()
    test = nb.cells[2]
    nb.cells[2] = new_markdown_cell(test.source, id=test.id, metadata=test.metadata)
    interpretation = nb.cells[3]
    nb.cells[3] = new_code_cell(
        interpretation.source, id="interp-id", metadata=interpretation.metadata
    )
    nb.cells[3].outputs = [new_output("stream", name="stdout", text="x")]
    staged = stage(submitted(nb), RELEASED)
    test, interpretation = staged.notebook.cells[2], staged.notebook.cells[3]
    assert test.cell_type == "code" and test.outputs == [] and test.execution_count is None
    assert interpretation.cell_type == "markdown" and "outputs" not in interpretation
    nbformat.validate(staged.notebook)
    (note,) = staged.notes
    assert "test-a (markdown -> code)" in note and "interp (code -> markdown)" in note


def test_dropped_metadata_of_a_locked_cell_is_restored_by_id():
    nb = solved()
    nb.cells[2].metadata = {}
    staged = stage(submitted(nb), RELEASED)
    cell = staged.notebook.cells[2]
    assert cell.metadata["nbgrader"] == RELEASED.cells[2].metadata["nbgrader"]
    assert cell.metadata["deletable"] is False
    assert staged.notes == ("nbgrader metadata missing on test-a: restored from the release",)


def test_dropped_metadata_is_restored_by_source_when_the_id_changed():
    nb = solved()
    nb.cells[0].metadata, nb.cells[0].id = {}, "new-id"
    staged = stage(submitted(nb), RELEASED)
    assert grade_id(staged.notebook.cells[0]) == "setup"
    assert "setup" in staged.notes[0]


def test_an_edited_answer_cell_without_metadata_is_left_to_nbgrader():
    """Only locked/graded cells are restored, and never onto a cell with other source."""
    nb = solved()
    nb.cells[1].metadata = {}  # an answer cell: neither locked nor graded
    nb.cells[2].metadata, nb.cells[2].id = {}, "other-id"
    nb.cells[2].source = "assert True  # the student's own test"
    staged = stage(submitted(nb), RELEASED)
    assert "nbgrader" not in staged.notebook.cells[1].metadata
    assert "nbgrader" not in staged.notebook.cells[2].metadata
    assert staged.notes == ()


def test_the_reference_is_never_modified():
    before = copy.deepcopy(RELEASED)
    nb = solved()
    nb.cells[2].metadata = {}
    stage(submitted(nb), RELEASED)
    assert before == RELEASED


OTHER = "practice-1a-l1-vs-l2"
OWNERS = {"l1-test": OTHER, "l1-answer": OTHER, "setup": OTHER}  # "setup" is shared


def test_a_cell_copied_from_another_practice_is_graded_as_the_students_own():
    nb = solved()
    nb.cells.insert(2, new_code_cell("assert True", metadata=meta("l1-test", grade=True, points=3)))
    staged = stage(submitted(nb), RELEASED, OWNERS)
    assert staged.problem is None
    assert staged.notes == (
        f"cell 3 carries {OTHER}'s grade_id l1-test: graded as the student's own cell(s)",
    )
    assert "nbgrader" not in staged.notebook.cells[2].metadata
    assert grade_id(staged.notebook.cells[3]) == "test-a"  # this practice's test is kept


def test_another_practices_notebook_is_a_problem_that_names_it():
    other = new_notebook(
        cells=[
            new_code_cell("import helpers", metadata=meta("setup", locked=True)),
            new_code_cell("def g():\n    return 2", metadata=meta("l1-answer", solution=True)),
            new_code_cell("assert g() == 2", metadata=meta("l1-test", grade=True, locked=True)),
        ]
    )
    staged = stage(submitted(other), RELEASED, OWNERS)
    assert staged.notebook is None
    assert staged.problem == (
        f"this is {OTHER}'s notebook (its graded cells carry that assignment's grade ids)"
    )


def test_without_the_courses_other_grade_ids_nothing_is_foreign():
    nb = solved()
    nb.cells.insert(2, new_code_cell("assert True", metadata=meta("l1-test", grade=True, points=3)))
    assert stage(submitted(nb), RELEASED).notes == ()
