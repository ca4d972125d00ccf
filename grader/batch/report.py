"""Formatting a batch for the TA: one line per submission, then a summary.

Pure text formatting of :class:`grader.autograde.BatchReport` / ``SubmissionOutcome`` values (or
anything with the same attributes); nothing is printed here. Statuses come from the coordinator
(see :mod:`grader.batch.status` for where they are stored).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol


class Outcome(Protocol):
    """What a line of the report needs (``grader.autograde.SubmissionOutcome`` has it)."""

    student: str
    status: str
    score: float | None
    max_score: float | None
    reasons: Sequence[str]
    notes: Sequence[str]
    wall_seconds: float


def format_score(score: float | None, max_score: float | None) -> str:
    """``" 7.0 / 10.0 "``, or blanks of the same width when there is no score."""
    if score is None:
        return " " * 13
    total = "?" if max_score is None else f"{max_score:.1f}"
    return f"{score:5.1f} / {total:<5}"


def format_outcome(outcome: Outcome, *, width: int = 20) -> str:
    """One line per submission (student, score, status, seconds), then its reasons and notes
    indented, one per line."""
    line = (
        f"{outcome.student:<{width}} {format_score(outcome.score, outcome.max_score)}  "
        f"{outcome.status:<12} {outcome.wall_seconds:6.1f} s"
    )
    details = [f"    ! {reason}" for reason in outcome.reasons]
    details += [f"      {note}" for note in outcome.notes]
    return "\n".join([line.rstrip(), *details])


def format_summary(report: Any) -> str:
    """The batch's last lines: counts by status, time, and the submissions to look at."""
    outcomes: Sequence[Outcome] = report.outcomes
    by_status: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_status.setdefault(outcome.status, []).append(outcome)
    mode = "full" if report.full else "fast"
    counts = ", ".join(
        f"{len(by_status.get(status, []))} {status}"
        for status in ("graded", "needs review", "not graded")
    )
    lines = [
        f"{report.assignment} ({mode} mode): {len(outcomes)} submission(s): {counts}; "
        f"{report.wall_seconds:.0f} s (reference run {report.reference_seconds:.0f} s)"
    ]
    lines += _listing("needs review (see the reasons above; formgrader to adjust)", by_status)
    lines += _listing("not graded (no score recorded)", by_status)
    return "\n".join(lines)


def _listing(title: str, by_status: dict[str, list[Outcome]]) -> Iterable[str]:
    status = title.split(" (")[0]
    found = by_status.get(status, [])
    if not found:
        return []
    lines = [f"{title}:"]
    for outcome in sorted(found, key=lambda o: o.student):
        first = outcome.reasons[0] if outcome.reasons else "no reason recorded"
        lines.append(f"  {outcome.student}: {first}")
    return lines
