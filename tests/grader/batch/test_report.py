"""grader.batch.report: one line per submission with score, status and notes; a summary."""

from __future__ import annotations

from grader.batch.autograde import BatchReport
from grader.batch.record import SubmissionOutcome
from grader.batch.report import format_outcome, format_score, format_summary

GRADED = SubmissionOutcome("alice", "graded", 8.0, 10.0, notes=("2 cell id(s) regenerated",))
REVIEW = SubmissionOutcome(
    "bob", "needs review", 10.0, 10.0, reasons=("cell t1 finished without its seal",)
)
NOT_GRADED = SubmissionOutcome(
    "carol", "not graded", reasons=("kernel_sizes.ipynb: not a notebook: ask to resubmit",)
)


def test_score_column_keeps_its_width_without_a_score():
    assert format_score(8.0, 10.0) == "  8.0 / 10.0 "
    assert len(format_score(None, None)) == len(format_score(8.0, 10.0))


def test_one_line_per_submission_then_reasons_and_notes():
    lines = format_outcome(GRADED).splitlines()
    assert lines[0].startswith("alice") and "8.0 / 10.0" in lines[0] and "graded" in lines[0]
    assert lines[1].strip() == "2 cell id(s) regenerated"
    lines = format_outcome(REVIEW).splitlines()
    assert "needs review" in lines[0]
    assert lines[1].strip() == "! cell t1 finished without its seal"
    first = format_outcome(NOT_GRADED).splitlines()[0]
    assert "not graded" in first and "/" not in first.split("not graded")[0].split("carol")[1]


def test_summary_counts_and_lists_what_to_look_at():
    report = BatchReport("practice-1b", False, (GRADED, REVIEW, NOT_GRADED), 12.0, 60.0)
    text = format_summary(report)
    first, *rest = text.splitlines()
    assert "practice-1b (fast mode)" in first
    assert "3 submission(s): 1 graded, 1 needs review, 1 not graded" in first
    assert any(line.startswith("needs review") for line in rest)
    assert "  bob: cell t1 finished without its seal" in rest
    assert any(line.startswith("not graded") for line in rest)
    assert any(line.startswith("  carol: kernel_sizes.ipynb") for line in rest)
    assert report.exit_status == 1


def test_all_graded_has_no_listing_and_exit_status_0():
    report = BatchReport("practice-1b", True, (GRADED,), 1.0, 2.0)
    assert format_summary(report).count("\n") == 0
    assert "(full mode)" in format_summary(report)
    assert report.exit_status == 0


def test_do_points_awaiting_manual_grading_show_on_the_line_and_in_the_summary():
    manual = SubmissionOutcome("dan", "graded", 8.0, 10.0, to_grade_by_hand=2.0)
    assert format_outcome(manual).splitlines()[0].endswith("(2 point(s) to grade by hand)")
    assert "to grade by hand" not in format_outcome(GRADED)
    summary = format_summary(BatchReport("practice-1b", False, (manual, GRADED), 12.0, 60.0))
    assert summary.splitlines()[-1] == (
        "to grade by hand in the formgrader: 2 point(s) in 1 submission(s) (make formgrader)"
    )
