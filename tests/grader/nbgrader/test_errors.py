"""grader.nbgrader.errors: nbgrader's failures as one line and a kept log."""

from __future__ import annotations

from grader.errors import GraderError
from grader.nbgrader.errors import NbgraderError, one_line


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
