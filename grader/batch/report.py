"""Formatting a batch for the TA: one line per submission, then a summary.

Pure text formatting of :class:`grader.batch.autograde.BatchReport` and
:class:`grader.batch.record.SubmissionOutcome`; nothing is printed here. Statuses come from the
coordinator (see :mod:`grader.batch.status` for where they are stored).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from grader.batch.status import STATUSES, Status

if TYPE_CHECKING:
    from grader.batch.autograde import BatchReport
    from grader.batch.record import SubmissionOutcome


def format_score(score: float | None, max_score: float | None) -> str:
    """``" 7.0 / 10.0 "``, or blanks of the same width when there is no score."""
    if score is None:
        return " " * 13
    total = "?" if max_score is None else f"{max_score:.1f}"
    return f"{score:5.1f} / {total:<5}"


def format_outcome(outcome: SubmissionOutcome, *, width: int = 20) -> str:
    """One line per submission (student, score, status, seconds), then its reasons and notes
    indented, one per line."""
    line = (
        f"{outcome.student:<{width}} {format_score(outcome.score, outcome.max_score)}  "
        f"{outcome.status:<12} {outcome.wall_seconds:6.1f} s"
    )
    if outcome.to_grade_by_hand:
        line += f"  ({outcome.to_grade_by_hand:g} point(s) to grade by hand)"
    details = [f"    ! {reason}" for reason in outcome.reasons]
    details += [f"      {note}" for note in outcome.notes]
    return "\n".join([line.rstrip(), *details])


def format_summary(report: BatchReport) -> str:
    """The batch's last lines: counts by status, time, and the submissions to look at."""
    outcomes: Sequence[SubmissionOutcome] = report.outcomes
    by_status: dict[Status, list[SubmissionOutcome]] = {}
    for outcome in outcomes:
        by_status.setdefault(outcome.status, []).append(outcome)
    mode = "full" if report.full else "fast"
    counts = ", ".join(f"{len(by_status.get(status, []))} {status}" for status in STATUSES)
    lines = [
        f"{report.assignment} ({mode} mode): {len(outcomes)} submission(s): {counts}; "
        f"{report.wall_seconds:.0f} s (reference run {report.reference_seconds:.0f} s)"
    ]
    lines += _listing(
        "needs review (see the reasons above; formgrader to adjust)", "needs review", by_status
    )
    lines += _listing("not graded (no score recorded)", "not graded", by_status)
    by_hand = [o for o in outcomes if o.to_grade_by_hand and o.status != "not graded"]
    if by_hand:
        points = sum(o.to_grade_by_hand for o in by_hand)
        lines.append(
            f"to grade by hand in the formgrader: {points:g} point(s) in {len(by_hand)} "
            "submission(s) (make formgrader)"
        )
    return "\n".join(lines)


def _listing(
    title: str, status: Status, by_status: dict[Status, list[SubmissionOutcome]]
) -> Iterable[str]:
    found = by_status.get(status, [])
    if not found:
        return []
    lines = [f"{title}:"]
    for outcome in sorted(found, key=lambda o: o.student):
        first = outcome.reasons[0] if outcome.reasons else "no reason recorded"
        lines.append(f"  {outcome.student}: {first}")
    return lines
