"""grader.cells: nbgrader's cell predicates on plain-dict cells (and one NotebookNode)."""

from __future__ import annotations

from typing import Any

import nbformat
import pytest

from grader import cells


def cell(cell_type: str = "code", **nbgrader: Any) -> dict[str, Any]:
    """A plain-dict cell; nbgrader metadata only when flags are given."""
    metadata: dict[str, Any] = {"nbgrader": nbgrader} if nbgrader else {}
    return {"cell_type": cell_type, "metadata": metadata, "source": ""}


#: the cells nbgrader's assignment toolbar creates, and a few malformed ones
PLAIN = cell()
TEST = cell(grade=True, solution=False, locked=True, grade_id="test-a", points=2)
TEST_UNLOCKED = cell(grade=True, solution=False, locked=False, grade_id="test-b", points=1)
ANSWER = cell(grade=False, solution=True, locked=False, grade_id="answer-a")
WRITTEN = cell("markdown", grade=True, solution=True, locked=False, grade_id="written", points=3)
READ_ONLY = cell("markdown", grade=False, solution=False, locked=True, grade_id="intro")
TASK = cell(
    "markdown", task=True, grade=False, solution=False, locked=True, grade_id="task", points=4
)
SOLUTION_MARKED_LOCKED = cell(solution=True, locked=True, grade_id="odd")
GRADED_MARKDOWN = cell("markdown", grade=True, solution=False, grade_id="graded-md", points=1)
NO_METADATA: dict[str, Any] = {"cell_type": "code", "source": ""}
METADATA_NOT_A_MAPPING: dict[str, Any] = {"cell_type": "code", "metadata": [], "source": ""}
NBGRADER_NOT_A_MAPPING: dict[str, Any] = {"cell_type": "code", "metadata": {"nbgrader": None}}
BLANK_ID = cell(grade=True, grade_id="   ")
NUMBER_ID = cell(grade=True, grade_id=7)
PADDED_ID = cell(grade=True, grade_id=" test-a ")


def test_is_the_nbgrader_metadata_of_a_test_cell_its_own_mapping() -> None:
    assert cells.nbgrader_metadata(TEST) is TEST["metadata"]["nbgrader"]


@pytest.mark.parametrize(
    "bad", [PLAIN, NO_METADATA, METADATA_NOT_A_MAPPING, NBGRADER_NOT_A_MAPPING]
)
def test_is_the_nbgrader_metadata_of_a_cell_without_any_empty(bad: dict[str, Any]) -> None:
    assert cells.nbgrader_metadata(bad) == {}


def test_is_the_grade_id_of_a_test_cell_its_id() -> None:
    assert cells.grade_id(TEST) == "test-a"


@pytest.mark.parametrize("bad", [PLAIN, NO_METADATA, NBGRADER_NOT_A_MAPPING, BLANK_ID, NUMBER_ID])
def test_is_the_grade_id_of_a_cell_without_a_usable_one_none(bad: dict[str, Any]) -> None:
    assert cells.grade_id(bad) is None


def test_is_a_padded_grade_id_kept_as_stored() -> None:
    assert cells.grade_id(PADDED_ID) == " test-a "


def test_which_cells_are_graded() -> None:
    graded = [TEST, TEST_UNLOCKED, WRITTEN, GRADED_MARKDOWN]
    assert all(cells.is_graded(c) for c in graded)
    assert not any(cells.is_graded(c) for c in [PLAIN, ANSWER, READ_ONLY, TASK, NO_METADATA])


def test_which_cells_are_solutions() -> None:
    assert all(cells.is_solution(c) for c in [ANSWER, WRITTEN, SOLUTION_MARKED_LOCKED])
    assert not any(cells.is_solution(c) for c in [PLAIN, TEST, READ_ONLY, TASK, NO_METADATA])


def test_is_a_task_cell_a_task() -> None:
    assert cells.is_task(TASK)
    assert not any(cells.is_task(c) for c in [PLAIN, TEST, ANSWER, WRITTEN, READ_ONLY])


def test_is_a_locked_markdown_cell_locked() -> None:
    assert cells.is_locked(READ_ONLY)


def test_is_a_test_cell_locked_even_when_not_marked_locked() -> None:
    assert cells.is_locked(TEST) and cells.is_locked(TEST_UNLOCKED)


def test_is_a_solution_cell_never_locked() -> None:
    assert not any(cells.is_locked(c) for c in [ANSWER, WRITTEN, SOLUTION_MARKED_LOCKED])


def test_which_cells_are_marked_locked() -> None:
    assert all(cells.is_marked_locked(c) for c in [TEST, READ_ONLY, TASK, SOLUTION_MARKED_LOCKED])
    assert not any(cells.is_marked_locked(c) for c in [PLAIN, TEST_UNLOCKED, ANSWER, WRITTEN])


def test_is_a_cell_without_nbgrader_metadata_unlocked() -> None:
    assert not any(cells.is_locked(c) for c in [PLAIN, NO_METADATA, METADATA_NOT_A_MAPPING])


def test_which_cells_are_graded_or_locked() -> None:
    kept = [TEST, TEST_UNLOCKED, WRITTEN, READ_ONLY, TASK, GRADED_MARKDOWN]
    assert all(cells.is_graded_or_locked(c) for c in kept)
    assert not any(cells.is_graded_or_locked(c) for c in [PLAIN, ANSWER, SOLUTION_MARKED_LOCKED])


def test_is_only_a_graded_code_cell_that_is_not_a_solution_a_test() -> None:
    assert cells.is_graded_test(TEST) and cells.is_graded_test(TEST_UNLOCKED)
    others = [PLAIN, ANSWER, WRITTEN, READ_ONLY, TASK, GRADED_MARKDOWN, NO_METADATA]
    assert not any(cells.is_graded_test(c) for c in others)


def test_is_a_graded_cell_worth_its_points() -> None:
    assert cells.max_points(TEST) == 2.0
    assert cells.max_points(WRITTEN) == 3.0
    assert cells.max_points(cell(grade=True, points="1.5")) == 1.5


@pytest.mark.parametrize(
    "bad",
    [
        TASK,
        READ_ONLY,
        cell(grade=True),
        cell(grade=True, points="x"),
        cell(grade=True, points=True),
    ],
)
def test_is_a_cell_without_usable_points_worth_none(bad: dict[str, Any]) -> None:
    assert cells.max_points(bad) is None


def test_do_the_predicates_agree_on_a_notebook_node() -> None:
    node = nbformat.from_dict(TEST)
    assert cells.grade_id(node) == "test-a"
    assert cells.is_graded_test(node) and cells.is_locked(node) and not cells.is_solution(node)


def test_do_the_predicates_agree_with_nbgrader() -> None:
    from nbgrader import utils

    for raw in [
        PLAIN,
        TEST,
        TEST_UNLOCKED,
        ANSWER,
        WRITTEN,
        READ_ONLY,
        TASK,
        SOLUTION_MARKED_LOCKED,
    ]:
        node = nbformat.from_dict(raw)
        assert cells.is_graded(node) == bool(utils.is_grade(node))
        assert cells.is_solution(node) == bool(utils.is_solution(node))
        assert cells.is_locked(node) == bool(utils.is_locked(node))
        assert cells.is_task(node) == bool(utils.is_task(node))
