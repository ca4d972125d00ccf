"""The nbgrader preprocessor chains of the grading steps, and the stderr noise filter.

* :func:`sanitize_preprocessors`: nbgrader's autograde sanitize step (locked cells and hidden
  tests restored, deleted test cells added back), optionally without ClearOutput;
* :func:`autograde_preprocessors`: nbgrader's autograde step with its Execute replaced by
  :class:`AlreadyExecuted`, for notebooks a grading worker already executed;
* :func:`drop_stderr_noise`: nbgrader's IgnorePattern with ``grader.settings.STDERR_NOISE_PATTERN``;
* :class:`CutHiddenTests`: the hidden tests cut from the test cells of the feedback pages.
"""

from __future__ import annotations

from typing import Any

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbformat import NotebookNode
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    IgnorePattern,
    LimitOutput,
    NbGraderPreprocessor,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from grader import settings
from grader.cells import is_graded_test


class AlreadyExecuted(NbGraderPreprocessor):  # type: ignore[misc]  # nbgrader has no stubs
    """The Execute step of :func:`autograde_preprocessors`: the notebook nbgrader reads *is* the
    notebook a grading worker executed, so it is passed on as it is, outputs included."""

    def preprocess(
        self, nb: NotebookNode, resources: dict[str, Any]
    ) -> tuple[NotebookNode, dict[str, Any]]:
        """``nb`` and ``resources``, unchanged."""
        return nb, resources


def cut_hidden_tests(source: str) -> str:
    """``source`` without its hidden-test regions (``### BEGIN HIDDEN TESTS`` to ``### END HIDDEN
    TESTS``, both lines included); a region that is never closed runs to the end. Never raises,
    whatever the text (unlike nbgrader's ClearHiddenTests)."""
    begin, end = settings.HIDDEN_TEST_MARKERS
    kept: list[str] = []
    hidden = False
    for line in source.split("\n"):
        if not hidden and begin in line:
            hidden = True
        elif hidden and end in line:
            hidden = False
        elif not hidden:
            kept.append(line)
    return "\n".join(kept)


class CutHiddenTests(NbGraderPreprocessor):  # type: ignore[misc]  # nbgrader has no stubs
    """The feedback step's cut of the hidden tests (``nbgrader_config.py`` lists it in
    ``GenerateFeedback.preprocessors``): every autograder test cell
    (:func:`grader.cells.is_graded_test`) loses its hidden-test regions, so the page a student
    gets shows each test's score and messages but not the hidden source. Other cells, the
    student's included, are left as they are, whatever they contain."""

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict[str, Any], index: int
    ) -> tuple[NotebookNode, dict[str, Any]]:
        """``cell`` with :func:`cut_hidden_tests` applied when it is a test cell."""
        if is_graded_test(cell):
            cell.source = cut_hidden_tests(cell.source)
        return cell, resources


def sanitize_preprocessors(*, clear_output: bool) -> list[type]:
    """nbgrader's ``Autograde.sanitize_preprocessors`` (nbgrader 0.9.x), in order.

    Args:
        clear_output: start with ClearOutput (a submission about to be executed); without it,
            the outputs of an already-executed notebook survive.

    Returns:
        [ClearOutput,] DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata.
    """
    head: list[type] = [ClearOutput] if clear_output else []
    return [*head, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata]


def autograde_preprocessors() -> list[type]:
    """nbgrader's ``Autograde.autograde_preprocessors`` (nbgrader 0.9.x) with Execute replaced
    by :class:`AlreadyExecuted`, in order."""
    return [
        AlreadyExecuted,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
    ]


def drop_stderr_noise(nb: NotebookNode) -> NotebookNode:
    """``nb`` without the stderr outputs made only of library noise, so that harmless warnings
    do not cost a test cell its points.

    nbgrader's own IgnorePattern preprocessor runs with ``grader.settings.STDERR_NOISE_PATTERN``
    (the pattern the course's ``nbgrader_config.py`` gives it): in every code cell, a stream
    output named ``stderr`` whose text the pattern matches (``re.search``) is removed; other
    outputs, and stderr mixing noise with any other line, are kept.

    Args:
        nb: an executed notebook (nbformat 4); changed in place.

    Returns:
        ``nb`` itself.

    Raises:
        AttributeError: a code cell without ``outputs``, or a stream output without ``name`` or
            ``text`` (not valid nbformat 4).
    """
    ignore = IgnorePattern(pattern=settings.STDERR_NOISE_PATTERN, enabled=True)
    nb, _ = ignore.preprocess(nb, {})
    return nb
