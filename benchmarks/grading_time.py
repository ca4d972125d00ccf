"""Autograde time of one submission per graded practice, through the grading pipeline."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from grader.batch.autograde import autograde
from grader.batch.plan import AutogradeOptions
from grader.commands.release import release
from grader.layout import assignments_in

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def data_dir_variable(data_dir: str | None) -> Iterator[None]:
    """``MNIST_DATA_DIR=data_dir`` while the block runs (the grader's workers read it), the
    previous value afterwards; nothing changes when ``data_dir`` is ``None``."""
    from helpers.data import DATA_DIR_VARIABLE

    previous = os.environ.get(DATA_DIR_VARIABLE)
    if data_dir is not None:
        os.environ[DATA_DIR_VARIABLE] = data_dir
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(DATA_DIR_VARIABLE, None)
        else:
            os.environ[DATA_DIR_VARIABLE] = previous


def time_autograde_per_practice(data_dir: str | None = None) -> list[dict[str, Any]]:
    """Release every practice in a scratch course, submit its solution, autograde it, time it.

    Grading runs in fast grading conditions (``NN_TRICKS_FAST=1``), as ``autograde`` does by
    default, on the MNIST files in ``data_dir`` (``None``: wherever ``MNIST_DATA_DIR`` or the
    Keras cache says). ``seconds`` is the execution of the one submission (kernel start
    included); ``batch_seconds`` the whole batch, planning and the reference run of the
    solution included. A practice that cannot be graded raises ``GraderError`` (one line).
    """
    with data_dir_variable(data_dir):
        return _time_every_practice()


def _time_every_practice() -> list[dict[str, Any]]:
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
