"""What the coordinator records besides nbgrader's conversions: submission statuses and the
gradebook rows of submissions that could not be graded.

**Where the status lives.** nbgrader's gradebook has no column for "graded / needs review / not
graded" or for the reasons, so the coordinator keeps them in one JSON file at the course root,
``grading-status.json`` (``grader.settings.STATUS_FILE``)::

    {"version": 1,
     "assignments": {"practice-1b-kernel-sizes": {
         "s1234567": {"status": "needs review", "reasons": ["..."], "notes": ["..."],
                      "score": 7.0, "max_score": 10.0, "updated": "2025-01-01T12:00:00+00:00"}}}}

Only the coordinator writes it (:func:`grader.batch.record.store_outcome`, after each submission
is recorded; the file is replaced atomically, so an interrupted batch leaves the previous or the
new version); ``grader.commands.export`` and ``grader.batch.report`` read it. Workers never see it.

The gradebook itself is written through :mod:`grader.nbgrader.gradebook` (imported when used).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from grader import settings
from grader.errors import GraderError

Status = Literal["graded", "needs review", "not graded"]
STATUSES: tuple[Status, ...] = ("graded", "needs review", "not graded")
_FORMAT_VERSION = 1


@dataclass(frozen=True)
class SubmissionStatus:
    """The coordinator's verdict on one submission.

    Attributes:
        status: ``"graded"``, ``"needs review"`` or ``"not graded"``.
        reasons: why it needs review or is not graded (one line each); empty when graded.
        notes: repairs and other remarks for the TA (one line each).
        score: points recorded in the gradebook, or ``None`` when not graded.
        max_score: points available, or ``None`` when unknown.
        updated: when it was recorded, ISO 8601 in UTC.
    """

    status: Status
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    score: float | None = None
    max_score: float | None = None
    updated: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat())

    def to_dict(self) -> dict[str, Any]:
        raw = asdict(self)
        raw["reasons"], raw["notes"] = list(self.reasons), list(self.notes)
        return raw

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> SubmissionStatus:
        status = raw.get("status")
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        return cls(
            status=status,
            reasons=tuple(str(r) for r in raw.get("reasons", ())),
            notes=tuple(str(n) for n in raw.get("notes", ())),
            score=None if raw.get("score") is None else float(raw["score"]),
            max_score=None if raw.get("max_score") is None else float(raw["max_score"]),
            updated=str(raw.get("updated", "")),
        )


def status_path(root: Path) -> Path:
    """``<root>/grading-status.json``."""
    return Path(root) / settings.STATUS_FILE


def read_statuses(root: Path) -> dict[str, dict[str, SubmissionStatus]]:
    """assignment -> student -> :class:`SubmissionStatus` ({} when no batch ran yet).

    Raises:
        GraderError: the file exists but is not a status file (say how to fix it).
    """
    path = status_path(root)
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {
            assignment: {
                student: SubmissionStatus.from_dict(entry) for student, entry in students.items()
            }
            for assignment, students in raw["assignments"].items()
        }
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        raise GraderError(
            f"{path} is not a grading status file: restore it from a backup, or delete it and "
            "autograde again"
        ) from None


def write_status(root: Path, assignment: str, student: str, status: SubmissionStatus) -> None:
    """Record one submission's status (read-modify-replace, atomic)."""
    statuses = read_statuses(root)
    statuses.setdefault(assignment, {})[student] = status
    raw = {
        "version": _FORMAT_VERSION,
        "assignments": {
            name: {sid: entry.to_dict() for sid, entry in sorted(students.items())}
            for name, students in sorted(statuses.items())
        },
    }
    path = status_path(root)
    fd, tmp = tempfile.mkstemp(prefix=".grading-status-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(raw, out, indent=1, sort_keys=True)
            out.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def mark_not_graded(root: Path, assignment: str, student: str) -> None:
    """The gradebook side of a "not graded" submission: the student's row, the submission
    without scores and flagged for the formgrader (never a plain 0), no autograded copy."""
    from grader.nbgrader.gradebook import record_not_graded

    record_not_graded(root, assignment, student)


def ensure_student(root: Path, student: str) -> None:
    """The student's row in the gradebook (created when missing)."""
    from grader.nbgrader.gradebook import ensure_student as _ensure

    _ensure(root, student)
