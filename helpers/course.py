"""Former home of the TA command line; it moved to the ``grader`` package.

``python -m helpers.course <command>`` still works and is the same as ``python -m grader
<command>`` (see :mod:`grader.cli`). The old names below are kept for scripts that import them;
new code imports from ``grader`` directly. Students' kernels never need this module.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from grader.cli import build_parser, main
from grader.errors import GraderError as CourseError
from grader.layout import (
    assignments_in,
    find_course_root,
    has_graded_cells,
    require_assignment,
    submitted_students,
)
from grader.settings import (
    AUTOGRADED_DIR,
    FAST_MODE_VARIABLE,
    FEEDBACK_DIR,
    GRADEBOOK_VARIABLE,
    HIDDEN_TEST_MARKERS,
    LMS_FILE_PATTERN,
    LOG_DIR,
    RELEASE_DIR,
    SOLUTION_MARKERS,
    SOURCE_DIR,
    SUBMITTED_DIR,
    TIMEOUT_VARIABLE,
)

__all__ = [
    "AUTOGRADED_DIR",
    "FAST_MODE_VARIABLE",
    "FEEDBACK_DIR",
    "GRADEBOOK_VARIABLE",
    "HIDDEN_TEST_MARKERS",
    "LMS_FILE_PATTERN",
    "LOG_DIR",
    "RELEASE_DIR",
    "SOLUTION_MARKERS",
    "SOURCE_DIR",
    "SUBMITTED_DIR",
    "TIMEOUT_VARIABLE",
    "CourseError",
    "assignments_in",
    "build_parser",
    "find_course_root",
    "has_graded_cells",
    "main",
    "release",
    "require_assignment",
    "submitted_students",
]


def release(root: Path, output: Path | None = None, assignments: Sequence[str] = ()) -> list[Path]:
    """:func:`grader.release.release`, returning the released notebooks as a list (old API)."""
    from grader.commands.release import release as _release

    return list(_release(root, output, assignments).written)


if __name__ == "__main__":
    sys.exit(main())
