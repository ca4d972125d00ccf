"""The nbgrader preprocessor chains of the grading steps, and the stderr noise filter.

* :func:`sanitize_preprocessors`: nbgrader's autograde sanitize step (locked cells and hidden
  tests restored, deleted test cells added back), optionally without ClearOutput;
* :func:`autograde_preprocessors`: nbgrader's autograde step with its Execute replaced by
  :class:`AlreadyExecuted`, for notebooks a grading worker already executed;
* :func:`drop_stderr_noise`: nbgrader's IgnorePattern with ``grader.settings.STDERR_NOISE_PATTERN``.
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


class AlreadyExecuted(NbGraderPreprocessor):  # type: ignore[misc]  # nbgrader has no stubs
    """The Execute step of :func:`autograde_preprocessors`: the notebook nbgrader reads *is* the
    notebook a grading worker executed, so it is passed on as it is, outputs included."""

    def preprocess(
        self, nb: NotebookNode, resources: dict[str, Any]
    ) -> tuple[NotebookNode, dict[str, Any]]:
        """``nb`` and ``resources``, unchanged."""
        return nb, resources


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
