"""grader.nbgrader.config and grader.nbgrader.gradebook: a missing course or gradebook is one
clear error (the gradebook's reads on a real course are exercised by
tests/grader/batch/test_autograde.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.nbgrader.config import course_config
from grader.nbgrader.errors import NbgraderError
from grader.nbgrader.gradebook import cell_scores, gradebook_rows

ROOT = Path(__file__).resolve().parents[3]


def test_a_missing_course_or_gradebook_is_one_clear_error(tmp_path):
    with pytest.raises(NbgraderError, match=r"nbgrader_config\.py"):
        course_config(tmp_path)
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    with pytest.raises(NbgraderError, match="no gradebook"):
        gradebook_rows(tmp_path)
    with pytest.raises(NbgraderError, match="no gradebook"):
        cell_scores(tmp_path, "anything", "someone")
