"""grader.nbgrader.adapter: the one door to nbgrader (prepare/finalize are exercised on a real
gradebook by test_autograde_plan.py and test_autograde_record.py)."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from grader.errors import GraderError
from grader.nbgrader import adapter as nbgrader_adapter
from grader.nbgrader.adapter import NbgraderError, one_line

GRADER = Path(__file__).resolve().parents[3] / "grader"


def test_does_only_the_nbgrader_package_import_nbgrader():
    importers = sorted(
        path.relative_to(GRADER).parts[0]
        for path in GRADER.rglob("*.py")
        if re.search(r"^\s*(from|import) nbgrader\b", path.read_text(), flags=re.MULTILINE)
    )
    assert "nbgrader" in importers
    assert set(importers) == {"nbgrader"}, importers


def test_nbgrader_finds_alembic_and_the_environment_is_restored(monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("NN_TRICKS_FAST", "1")
    with nbgrader_adapter._environment({"NN_TRICKS_FAST": None, "EXTRA": "x"}):
        first = os.environ["PATH"].split(os.pathsep)[0]
        assert Path(first) == Path(sys.executable).parent
        assert shutil.which("alembic"), "alembic must be next to this python"
        assert "NN_TRICKS_FAST" not in os.environ and os.environ["EXTRA"] == "x"
    assert os.environ["PATH"] == "/usr/bin:/bin"
    assert os.environ["NN_TRICKS_FAST"] == "1" and "EXTRA" not in os.environ


def test_one_line_prefers_the_specific_error():
    log = (
        "[INFO] Converting notebook x\n"
        "[ERROR] There was an error processing assignment: /x\n"
        "[ERROR] Notebook failed to validate; the nbgrader metadata may be corrupted.\n"
        "[ERROR] Please see the error log above\n"
    )
    assert one_line(log) == "Notebook failed to validate; the nbgrader metadata may be corrupted."
    assert one_line("Traceback (most recent call last):\n  File x\nValueError: bad\n") == (
        "ValueError: bad"
    )
    assert one_line("", "fallback") == "fallback"


def test_errors_are_grader_errors_with_the_log():
    error = NbgraderError("release failed: x", "full log")
    assert isinstance(error, GraderError) and error.log == "full log"


def test_a_missing_course_or_gradebook_is_one_clear_error(tmp_path):
    with pytest.raises(NbgraderError, match=r"nbgrader_config\.py"):
        nbgrader_adapter.course_config(tmp_path)
    shutil.copy(Path(__file__).resolve().parents[3] / "nbgrader_config.py", tmp_path)
    with pytest.raises(NbgraderError, match="no gradebook"):
        nbgrader_adapter.gradebook_rows(tmp_path)
