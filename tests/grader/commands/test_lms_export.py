"""grader.commands.lms_export: one assignment's grades as Canvas and Moodle import them; only
graded submissions get a number, the others are held back and listed for the TA.

Formats: Canvas Instructor Guide, "How do I import grades in the Gradebook?" (identity columns
Student, ID, SIS User ID, SIS Login ID, Section, then the assignment); Moodle docs, "Assignment:
grading", *Offline grading worksheets* (Identifier "Participant <id>", Grade, ...).
"""

from __future__ import annotations

import csv
from pathlib import Path

from grader.batch.status import SubmissionStatus
from grader.commands.export import export_row
from grader.commands.lms_export import CANVAS_IDENTITY, MOODLE_COLUMNS, write_lms_export
from tests.grader.commands.test_export import Row

A = "practice-1b-kernel-sizes"


def class_rows() -> list[dict[str, str]]:
    """A graded student, one to review, one not graded and one who handed in nothing."""
    return [
        export_row(
            Row(assignment=A, student_id="12345", first_name="Jan", last_name="Müller", score=8),
            SubmissionStatus("graded"),
        ),
        export_row(
            Row(assignment=A, student_id="23456", score=8),
            SubmissionStatus("needs review", reasons=("cell 7: values differ",)),
        ),
        export_row(
            Row(assignment=A, student_id="34567", score=0),
            SubmissionStatus("not graded", reasons=("kernel died",)),
        ),
        export_row(Row(assignment=A, student_id="45678", submitted=False), None),
    ]


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_does_canvas_get_a_number_only_for_graded_submissions(tmp_path):
    result = write_lms_export(
        class_rows(), "canvas", tmp_path / "canvas.csv", "Kernel sizes (67890)"
    )
    table = read(result.grades)
    assert table[0] == [*CANVAS_IDENTITY, "Kernel sizes (67890)"]
    assert table[1:] == [
        ["Müller, Jan", "12345", "", "", "", "8"],
        ["23456", "23456", "", "", "", ""],
        ["34567", "34567", "", "", "", ""],
        ["45678", "45678", "", "", "", ""],
    ]
    assert (result.exported, result.held_back) == (1, 3)
    assert result.held == tmp_path / "canvas-held.csv"
    assert read(result.held) == [
        ["student_id", "status", "reason"],
        ["23456", "needs review", "cell 7: values differ"],
        ["34567", "not graded", "kernel died"],
        ["45678", "not graded", "no submission"],
    ]


def test_does_moodle_get_its_grading_worksheet(tmp_path):
    result = write_lms_export(class_rows(), "moodle", tmp_path / "moodle.csv")
    table = read(result.grades)
    assert table[0] == list(MOODLE_COLUMNS)
    identifiers = [row[0] for row in table[1:]]
    grades = [row[MOODLE_COLUMNS.index("Grade")] for row in table[1:]]
    assert identifiers == [f"Participant {s}" for s in ("12345", "23456", "34567", "45678")]
    assert grades == ["8", "", "", ""]
    assert table[1][1] == "Jan Müller"
    assert {row[MOODLE_COLUMNS.index("Maximum Grade")] for row in table[1:]} == {"10"}


def test_is_the_canvas_column_the_assignment_by_default(tmp_path):
    result = write_lms_export(class_rows(), "canvas", tmp_path / "c.csv")
    assert read(result.grades)[0][-1] == A
