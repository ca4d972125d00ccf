"""``python -m grader check``: nbgrader validate both ways.

Every solution notebook must pass all its tests, and every released notebook with graded cells
must pass none of them (a blank release that passes a test means the test checks nothing). Runs
in fast mode (``NN_TRICKS_FAST=1``) unless ``full``, and in grading mode (``NN_TRICKS_GRADING=1``),
as the grading sandbox runs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader import settings
from grader.errors import GraderError
from grader.layout import assignments_in, has_graded_cells, require_assignment, source_notebooks


@dataclass(frozen=True)
class CheckResult:
    """One validated notebook.

    Attributes:
        notebook: the notebook (a solution, or a release validated inverted).
        ok: whether it is what it should be.
        message: one line for the TA.
    """

    notebook: Path
    ok: bool
    message: str


def check(root: Path, assignments: Sequence[str] = (), *, full: bool = False) -> list[CheckResult]:
    """Validate every solution notebook (must pass) and every graded release (must not).

    Args:
        root: the course root.
        assignments: assignment names (default: all in ``solutions/``).
        full: run the notebooks in full mode (default: fast mode).

    Raises:
        GraderError: no or unknown assignments.
    """
    from grader.nbgrader.validation import validate

    # grading mode: a blank answer raises (in a student's lab it prints one line and goes on)
    environ = {settings.FAST_MODE_VARIABLE: None if full else "1", settings.GRADING_VARIABLE: "1"}
    names = list(assignments) or assignments_in(root / settings.SOURCE_DIR)
    if not names:
        raise GraderError(f"no assignments in {root / settings.SOURCE_DIR}: nothing to check")
    results: list[CheckResult] = []
    for name in names:
        require_assignment(root, name)
        for notebook in source_notebooks(root, name):
            found = validate(root, notebook, invert=False, environ=environ)
            results.append(CheckResult(notebook, found.ok, found.message))
            released = root / settings.RELEASE_DIR / name / notebook.name
            if not released.is_file():
                results.append(CheckResult(released, False, "missing: run `make release`"))
            elif has_graded_cells(released):
                found = validate(root, released, invert=True, environ=environ)
                results.append(CheckResult(released, found.ok, found.message))
    return results
