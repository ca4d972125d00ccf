"""Autograde time of one submission per graded practice, through the grading pipeline."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from grader.autograde import AutogradeOptions, autograde
from grader.layout import assignments_in
from grader.release import release

ROOT = Path(__file__).resolve().parents[1]


def time_autograde_per_practice() -> list[dict[str, Any]]:
    """Release every practice in a scratch course, submit its solution, autograde it, time it.

    Grading runs in fast grading conditions (``NN_TRICKS_FAST=1``), as ``autograde`` does by
    default. ``seconds`` is the execution of the one submission (kernel start included);
    ``batch_seconds`` the whole batch, planning and the reference run of the solution included.
    """
    practices = [name for name in assignments_in(ROOT / "solutions") if name.startswith("practice")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="nn-tricks-bench-grading-") as scratch:
        root = Path(scratch)
        shutil.copy(ROOT / "nbgrader_config.py", root)
        for practice in practices:
            shutil.copytree(ROOT / "solutions" / practice, root / "solutions" / practice)
        release(root)
        for practice in practices:
            submission = root / "submitted" / "solution" / practice
            shutil.copytree(ROOT / "solutions" / practice, submission)
            print(f"  autograde {practice} ...", flush=True)
            report = autograde(root, practice, AutogradeOptions(students=("solution",)))
            (outcome,) = report.outcomes
            rows.append(
                {
                    "assignment": practice,
                    "seconds": outcome.wall_seconds,
                    "batch_seconds": report.wall_seconds,
                    "score": outcome.score,
                    "max_score": outcome.max_score,
                    "status": outcome.status,
                }
            )
    return rows
