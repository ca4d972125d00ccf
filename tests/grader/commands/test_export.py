"""grader.commands.export: grades.csv with status and reason; a not-graded submission is no 0."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.batch.status import SubmissionStatus, read_statuses, status_path, write_status
from grader.commands.export import COLUMNS, MANUAL_PENDING, export_row, write_csv
from grader.errors import GraderError


@dataclass(frozen=True)
class Row:
    """The fields of grader.nbgrader.gradebook.GradebookRow (without importing nbgrader)."""

    assignment: str = "practice-1b"
    duedate: str = ""
    timestamp: str = "2025-01-01 12:00:00"
    student_id: str = "s001"
    last_name: str = ""
    first_name: str = ""
    email: str = ""
    submitted: bool = True
    raw_score: float = 0.0
    late_submission_penalty: float = 0.0
    score: float = 0.0
    max_score: float = 10.0
    needs_manual_grade: bool = False


def test_a_not_graded_submission_has_no_score():
    status = SubmissionStatus("not graded", reasons=("kernel died: out of memory",))
    row = export_row(Row(), status)
    assert row["status"] == "not graded"
    assert row["score"] == row["raw_score"] == row["late_submission_penalty"] == ""
    assert row["max_score"] == "10"
    assert row["reason"] == "kernel died: out of memory"


def test_a_graded_zero_is_a_zero():
    row = export_row(Row(raw_score=0.0, score=0.0), SubmissionStatus("graded"))
    assert (row["status"], row["score"], row["reason"]) == ("graded", "0", "")


def test_needs_review_keeps_the_earned_score_and_lists_reasons():
    status = SubmissionStatus("needs review", reasons=("cell a: no seal", "cell b: values differ"))
    row = export_row(Row(raw_score=7.5, score=7.5), status)
    assert (row["status"], row["score"]) == ("needs review", "7.5")
    assert row["reason"] == "cell a: no seal | cell b: values differ"


def test_rows_without_a_recorded_status():
    assert export_row(Row(submitted=False), None)["status"] == "not graded"
    assert export_row(Row(submitted=False), None)["score"] == ""
    assert export_row(Row(submitted=False), None)["reason"] == "no submission"
    assert export_row(Row(score=8), None)["status"] == "graded"
    pending = export_row(Row(score=8, needs_manual_grade=True), None)
    assert (pending["status"], pending["reason"]) == ("needs review", MANUAL_PENDING)
    graded = export_row(Row(score=8, needs_manual_grade=True), SubmissionStatus("graded"))
    assert (graded["status"], graded["reason"]) == ("graded", MANUAL_PENDING)


def test_csv_has_the_columns(tmp_path: Path):
    rows = [export_row(Row(), SubmissionStatus("not graded", reasons=("x, with a comma",)))]
    assert write_csv(rows, tmp_path / "grades.csv") == 1
    with (tmp_path / "grades.csv").open(newline="") as fh:
        read = list(csv.DictReader(fh))
    assert tuple(read[0]) == COLUMNS
    assert read[0]["reason"] == "x, with a comma" and read[0]["score"] == ""


def test_status_file_round_trip_and_merge(tmp_path: Path):
    assert read_statuses(tmp_path) == {}
    first = SubmissionStatus("graded", score=8.0, max_score=10.0)
    write_status(tmp_path, "a1", "s001", first)
    write_status(tmp_path, "a1", "s002", SubmissionStatus("not graded", reasons=("r",)))
    write_status(tmp_path, "a2", "s001", SubmissionStatus("needs review", notes=("n",)))
    statuses = read_statuses(tmp_path)
    assert statuses["a1"]["s001"] == first
    assert statuses["a1"]["s002"].reasons == ("r",)
    assert statuses["a2"]["s001"].status == "needs review"
    assert [p.name for p in tmp_path.iterdir()] == [status_path(tmp_path).name]


def test_a_broken_status_file_is_one_clear_error(tmp_path: Path):
    status_path(tmp_path).write_text("{not json")
    with pytest.raises(GraderError, match="not a grading status file"):
        read_statuses(tmp_path)
