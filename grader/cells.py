"""What nbgrader makes of a notebook cell: its grade id and its grade / solution / locked flags.

One set of predicates for the whole grading package, with nbgrader's own semantics
(``nbgrader.utils.is_grade``, ``is_solution``, ``is_locked``, ``is_task``): a cell's nbgrader
metadata is ``cell["metadata"]["nbgrader"]``, and a flag is set when its value there is truthy.

Every function takes a cell as a plain ``dict`` (JSON read with :mod:`json`) or as an nbformat
``NotebookNode`` alike, never raises on malformed metadata (a missing or non-mapping
``metadata`` or ``nbgrader`` reads as "no nbgrader metadata") and never changes the cell.
Standard library only, so that tools and tests can import it without nbgrader or nbformat.

The cell kinds nbgrader's assignment toolbar creates, and what the predicates say of them:

===========================  ============  ===========  =========  ==============
cell                         is_graded     is_solution  is_locked  is_graded_test
===========================  ============  ===========  =========  ==============
manually graded answer       yes           yes          no         no
autograded answer            no            yes          no         no
autograder tests (code)      yes           no           yes        yes
read-only                    no            no           yes        no
manually graded task         no            no           if marked  no
===========================  ============  ===========  =========  ==============
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "grade_id",
    "is_graded",
    "is_graded_or_locked",
    "is_graded_test",
    "is_locked",
    "is_marked_locked",
    "is_solution",
    "is_task",
    "max_points",
    "nbgrader_metadata",
]


def nbgrader_metadata(cell: Mapping[str, Any]) -> Mapping[str, Any]:
    """The cell's ``metadata["nbgrader"]`` mapping, or ``{}`` when absent or not a mapping.

    The mapping returned is the cell's own (not a copy) when present: read it, do not change it.
    """
    metadata = cell.get("metadata")
    meta = metadata.get("nbgrader") if isinstance(metadata, Mapping) else None
    return meta if isinstance(meta, Mapping) else {}


def grade_id(cell: Mapping[str, Any]) -> str | None:
    """The cell's nbgrader ``grade_id`` exactly as stored, or ``None`` when it has none.

    ``None`` when the id is absent, not a string, or blank (empty or only whitespace): such a
    cell cannot be matched with the gradebook. A non-blank id is returned unchanged, because
    nbgrader compares ids as stored (``" a"`` and ``"a"`` are two different cells to it).
    """
    value = nbgrader_metadata(cell).get("grade_id")
    if not isinstance(value, str) or not value.strip():
        return None
    return value


def is_graded(cell: Mapping[str, Any]) -> bool:
    """Whether nbgrader grades the cell (``grade`` set; nbgrader's ``is_grade``).

    True for autograder test cells and for manually graded answers (which are solutions too).
    """
    return bool(nbgrader_metadata(cell).get("grade"))


def is_solution(cell: Mapping[str, Any]) -> bool:
    """Whether the cell holds the student's answer (``solution`` set; nbgrader ``is_solution``)."""
    return bool(nbgrader_metadata(cell).get("solution"))


def is_task(cell: Mapping[str, Any]) -> bool:
    """Whether the cell is a manually graded task (``task`` set; nbgrader's ``is_task``)."""
    return bool(nbgrader_metadata(cell).get("task"))


def is_locked(cell: Mapping[str, Any]) -> bool:
    """Whether nbgrader restores the cell's source from the gradebook (nbgrader's ``is_locked``).

    nbgrader's rule, in this order: a solution cell is never locked (whatever its ``locked``
    flag says); otherwise a graded cell is always locked (an autograder test, even with
    ``locked`` false); otherwise the cell is locked when its ``locked`` flag is set.
    """
    if is_solution(cell):
        return False
    if is_graded(cell):
        return True
    return is_marked_locked(cell)


def is_marked_locked(cell: Mapping[str, Any]) -> bool:
    """Whether the cell's metadata sets ``locked``: the flag alone, as the assignment toolbar
    writes it (read-only cells and autograder tests), not nbgrader's rule (:func:`is_locked`).
    """
    return bool(nbgrader_metadata(cell).get("locked"))


def is_graded_or_locked(cell: Mapping[str, Any]) -> bool:
    """Whether nbgrader grades the cell or restores its source: :func:`is_graded` or
    :func:`is_locked`.

    True for test cells, manually graded answers, read-only and locked task cells; false for
    autograded answers and for ordinary cells.
    """
    return is_graded(cell) or is_locked(cell)


def is_graded_test(cell: Mapping[str, Any]) -> bool:
    """Whether the cell is an autograder test: a graded code cell that is not a solution.

    nbgrader runs such a cell and awards its points when it raises nothing. A graded markdown
    cell and a manually graded answer (graded and a solution) are not tests.
    """
    return cell.get("cell_type") == "code" and is_graded(cell) and not is_solution(cell)


def max_points(cell: Mapping[str, Any]) -> float | None:
    """The points a graded cell is worth (nbgrader's ``float(points)``), else ``None``.

    ``None`` for a cell that is not graded and for points that are missing or not a number
    (nbgrader would refuse such a cell). A boolean is not a number here.
    """
    if not is_graded(cell):
        return None
    value = nbgrader_metadata(cell).get("points")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return float(value)
    except ValueError:
        return None
