"""``python -m grader export``: ``grades.csv`` with every assignment x student of the gradebook,
nbgrader's columns plus ``status`` and ``reason``.

Columns: assignment, duedate, timestamp, student_id, last_name, first_name, email, raw_score,
late_submission_penalty, score, max_score (as ``nbgrader export``), status (``graded`` /
``needs review`` / ``not graded``) and reason (one line; several joined with `` | ``).

The status comes from ``grading-status.json`` (see :mod:`grader.batch.status`); a submission the
coordinator never recorded is ``graded`` unless the gradebook flags it for the formgrader
(``needs review``), and a student without a submission is ``not graded`` (reason "no
submission"). A not-graded submission never appears as a plain 0: its scores are left empty.

With ``lms``, one assignment's grades are also written as Canvas or Moodle imports them
(:mod:`grader.commands.lms_export`), only graded submissions with a number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.batch.status import SubmissionStatus, read_statuses
from grader.commands.lms_export import Lms, LmsExport, atomic_csv, write_lms_export
from grader.errors import GraderError

COLUMNS = (
    "assignment",
    "duedate",
    "timestamp",
    "student_id",
    "last_name",
    "first_name",
    "email",
    "raw_score",
    "late_submission_penalty",
    "score",
    "max_score",
    "status",
    "reason",
)
MANUAL_PENDING = "manual grading pending in the formgrader"


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote.

    Attributes:
        path: the CSV file.
        rows: data rows written.
        by_status: rows per status.
        lms: the LMS import file and its held rows, when one was asked for.
    """

    path: Path
    rows: int
    by_status: Mapping[str, int]
    lms: LmsExport | None = None


def _number(value: float) -> str:
    return f"{value:g}"


def export_row(row: Any, status: SubmissionStatus | None) -> dict[str, str]:
    """One CSV row from a gradebook row (``grader.nbgrader.gradebook.GradebookRow``) and the
    coordinator's status of that submission (or ``None``)."""
    reasons: list[str] = []
    if not row.submitted:
        state, reasons = "not graded", ["no submission"]
    elif status is None:
        state = "needs review" if row.needs_manual_grade else "graded"
        reasons = [MANUAL_PENDING] if row.needs_manual_grade else []
    else:
        state, reasons = status.status, list(status.reasons)
        if state == "graded" and row.needs_manual_grade:
            reasons.append(MANUAL_PENDING)
    scored = state != "not graded"
    return {
        "assignment": row.assignment,
        "duedate": row.duedate,
        "timestamp": row.timestamp,
        "student_id": row.student_id,
        "last_name": row.last_name,
        "first_name": row.first_name,
        "email": row.email,
        "raw_score": _number(row.raw_score) if scored else "",
        "late_submission_penalty": _number(row.late_submission_penalty) if scored else "",
        "score": _number(row.score) if scored else "",
        "max_score": _number(row.max_score),
        "status": state,
        "reason": " | ".join(reasons),
    }


def write_csv(rows: Iterable[Mapping[str, str]], to: Path) -> int:
    """Write ``rows`` (dicts with :data:`COLUMNS`) to ``to`` atomically; the rows written."""
    count = 0
    with atomic_csv(to) as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def export(
    root: Path,
    to: Path,
    *,
    lms: Lms | None = None,
    assignment: str | None = None,
    column: str | None = None,
) -> ExportResult:
    """Export every grade of the gradebook with its status to the CSV file ``to``.

    Args:
        root: the course root.
        to: the CSV file.
        lms: also write ``assignment``'s grades as this LMS imports them, to
            ``<to's stem>-<lms>-<assignment>.csv`` beside ``to`` (see
            :mod:`grader.commands.lms_export`).
        assignment: the assignment of the LMS import file; needed with ``lms``.
        column: Canvas's assignment column (e.g. ``"Kernel sizes (67890)"``). Defaults to the
            assignment's name.

    Raises:
        GraderError: no gradebook yet, the status file is broken, or ``lms`` without a known
            ``assignment``.
    """
    from grader.nbgrader.errors import NbgraderError
    from grader.nbgrader.gradebook import gradebook_rows

    try:
        rows = gradebook_rows(root)
    except NbgraderError as exc:
        raise GraderError(str(exc)) from None
    statuses = read_statuses(root)
    out = [export_row(r, statuses.get(r.assignment, {}).get(r.student_id)) for r in rows]
    by_status: dict[str, int] = {}
    for row in out:
        by_status[row["status"]] = by_status.get(row["status"], 0) + 1
    if lms is not None:
        known = sorted({row["assignment"] for row in out})
        if assignment not in known:
            raise GraderError(
                f"an {lms} import file is for one assignment: pass --assignment "
                f"(graded so far: {', '.join(known) or 'none'})"
            )
    count = write_csv(out, to)
    imported = None
    if lms is not None and assignment is not None:
        mine = [row for row in out if row["assignment"] == assignment]
        target = to.with_name(f"{to.stem}-{lms}-{assignment}.csv")
        imported = write_lms_export(mine, lms, target, column)
    return ExportResult(to, count, by_status, imported)
