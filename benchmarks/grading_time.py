"""Autograde time of one submission per graded practice, through the TA command line."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from helpers import course

ROOT = Path(__file__).resolve().parents[1]


def time_autograde_per_practice() -> list[dict[str, Any]]:
    """Release every practice in a scratch course, submit its solution, autograde it, time it.

    Grading runs in fast grading conditions (``NN_TRICKS_FAST=1``), as ``autograde`` does by
    default. Seconds cover the whole ``autograde`` of one student, kernel start included.
    """
    practices = [
        name for name in course.assignments_in(ROOT / "solutions") if name.startswith("practice")
    ]
    rows = []
    with tempfile.TemporaryDirectory(prefix="nn-tricks-bench-grading-") as scratch:
        root = Path(scratch)
        shutil.copy(ROOT / "nbgrader_config.py", root)
        for practice in practices:
            shutil.copytree(ROOT / "solutions" / practice, root / "solutions" / practice)
            submission = root / "submitted" / "solution" / practice
            shutil.copytree(ROOT / "solutions" / practice, submission)
            print(f"  autograde {practice} ...", flush=True)
            (report,) = course.autograde(root, practice, ["solution"])
            rows.append(
                {
                    "assignment": practice,
                    "seconds": report.seconds,
                    "score": report.score,
                    "max_score": report.max_score,
                }
            )
    return rows
