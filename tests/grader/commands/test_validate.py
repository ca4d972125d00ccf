"""grader.commands.validate (`python -m grader check`): nbgrader validate both ways, in fast mode.

Executes every notebook, hence marked `grading` (minutes).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.commands.validate import check
from grader.layout import assignments_in, has_graded_cells

REPO = Path(__file__).resolve().parents[3]
SOLUTIONS = REPO / "solutions"
RELEASED = REPO / "notebooks"
ASSIGNMENTS = assignments_in(SOLUTIONS)


@pytest.mark.grading
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_check_command_validates_both_ways(assignment):
    """`python -m grader check <assignment>` in fast mode, on the repository itself:
    `nbgrader validate` passes for every solution notebook, and `nbgrader validate --invert`
    passes for every released notebook with graded cells (no test passes on a blank)."""
    results = check(REPO, [assignment])
    expected = [
        SOLUTIONS / assignment / nb.name for nb in sorted(SOLUTIONS.glob(f"{assignment}/*.ipynb"))
    ]
    graded = [RELEASED / assignment / p.name for p in expected if has_graded_cells(p)]
    assert sorted(r.notebook for r in results) == sorted(expected + graded)
    failed = [f"{r.notebook.relative_to(REPO)}: {r.message}" for r in results if not r.ok]
    assert not failed, "\n".join(failed)
