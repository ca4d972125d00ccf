"""Reads and writes of the course gradebook through :class:`nbgrader.api.Gradebook`.

Everything here besides the conversions (which write the gradebook themselves): the
assignment's notebooks, a submission's score, the export rows, a student's row, and marking a
submission that could not be graded. The gradebook is ``grader.settings.gradebook_url(root)``.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbgrader.api import Gradebook, MissingEntry

from grader import settings
from grader.nbgrader.errors import NbgraderError
from grader.nbgrader.runtime import environment


@contextlib.contextmanager
def open_gradebook(root: Path, *, create: bool = False) -> Iterator[Any]:
    """The course's ``nbgrader.api.Gradebook``, closed on exit.

    Args:
        root: the course root.
        create: create a missing SQLite gradebook (and nbgrader's tables in an empty database).

    Yields:
        The open gradebook (untyped: nbgrader has no type stubs).

    Raises:
        NbgraderError: without ``create``, the SQLite gradebook file does not exist.
    """
    url = settings.gradebook_url(root)
    if url.startswith("sqlite:///") and not create:
        path = Path(url[len("sqlite:///") :])
        if not path.is_file():
            raise NbgraderError(
                f"no gradebook at {path}: run `python -m grader autograde <assignment>` first"
            )
    with environment(), Gradebook(url, settings.COURSE_ID) as gb:
        yield gb


def notebook_names(root: Path, assignment: str) -> list[str]:
    """Notebook names (file stems) of ``assignment`` recorded in the gradebook, sorted; ``[]``
    when the assignment is not recorded.

    Raises:
        NbgraderError: there is no gradebook.
    """
    with open_gradebook(root) as gb:
        try:
            return sorted(str(nb.name) for nb in gb.find_assignment(assignment).notebooks)
        except MissingEntry:
            return []


def submission_score(root: Path, assignment: str, student: str) -> tuple[float, float] | None:
    """(score, max score) of a submission in points, late penalty deducted (never below 0);
    ``None`` when the gradebook holds no such submission.

    Raises:
        NbgraderError: there is no gradebook.
    """
    with open_gradebook(root) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return None
        score = max(0.0, float(submission.score) - float(submission.late_submission_penalty or 0))
        return score, float(submission.max_score)


def ensure_student(root: Path, student: str) -> None:
    """Create the student's row in the gradebook (and the gradebook) if it is missing."""
    with open_gradebook(root, create=True) as gb:
        gb.update_or_create_student(student)


def record_not_graded(root: Path, assignment: str, student: str) -> None:
    """Mark a submission that could not be graded: every autograded cell without a score and
    flagged for the formgrader (never a plain 0), and its autograded copy removed.

    The student's row and the submission are created when missing.
    """
    with open_gradebook(root, create=True) as gb:
        gb.update_or_create_student(student)
        submission = gb.update_or_create_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = None
                grade.needs_manual_grade = True
        gb.db.commit()
    autograded = Path(root) / settings.AUTOGRADED_DIR / student / assignment
    if autograded.is_dir():
        shutil.rmtree(autograded)


@dataclass(frozen=True)
class GradebookRow:
    """One (assignment, student) pair of the gradebook, the fields of nbgrader's CSV export.

    Attributes:
        assignment: assignment name.
        duedate: due date as text, or ``""``.
        timestamp: submission time as text, or ``""`` (no submission).
        student_id, last_name, first_name, email: the student's row (``""`` when unknown).
        submitted: whether the gradebook holds a submission.
        raw_score: points before the late penalty (0 without a submission).
        late_submission_penalty: points deducted.
        score: ``max(0, raw_score - penalty)``, in points.
        max_score: the assignment's points.
        needs_manual_grade: some cell still waits for the formgrader.
    """

    assignment: str
    duedate: str
    timestamp: str
    student_id: str
    last_name: str
    first_name: str
    email: str
    submitted: bool
    raw_score: float
    late_submission_penalty: float
    score: float
    max_score: float
    needs_manual_grade: bool


def gradebook_rows(root: Path) -> list[GradebookRow]:
    """Every assignment x student of the gradebook, in nbgrader export's order.

    Raises:
        NbgraderError: there is no gradebook.
    """
    rows = []
    with open_gradebook(root) as gb:
        for assignment in gb.assignments:
            for student in gb.students:
                try:
                    submission = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    submission = None
                raw = float(submission.score) if submission else 0.0
                penalty = float(submission.late_submission_penalty or 0) if submission else 0.0
                rows.append(
                    GradebookRow(
                        assignment=assignment.name,
                        duedate=str(assignment.duedate or ""),
                        timestamp=str(submission.timestamp or "") if submission else "",
                        student_id=student.id,
                        last_name=student.last_name or "",
                        first_name=student.first_name or "",
                        email=student.email or "",
                        submitted=submission is not None,
                        raw_score=raw,
                        late_submission_penalty=penalty,
                        score=max(0.0, raw - penalty),
                        max_score=float(assignment.max_score),
                        needs_manual_grade=bool(submission and submission.needs_manual_grade),
                    )
                )
    return rows


@dataclass(frozen=True)
class CellScore:
    """One graded cell of a submission, as the gradebook holds it.

    Attributes:
        grade_id: the cell's nbgrader grade_id.
        notebook: the notebook's name (file stem).
        cell_type: ``"code"`` (autograded test) or ``"markdown"`` (manually graded answer).
        auto_score: the autograder's points, or ``None`` (not autograded).
        manual_score: the TA's points from the formgrader, or ``None``.
        score: what counts (manual score if any, else auto score), in points.
        max_score: the cell's points.
        needs_manual_grade: nbgrader's flag for the formgrader.
    """

    grade_id: str
    notebook: str
    cell_type: str
    auto_score: float | None
    manual_score: float | None
    score: float
    max_score: float
    needs_manual_grade: bool


def cell_scores(root: Path, assignment: str, student: str) -> dict[str, CellScore]:
    """grade_id -> :class:`CellScore` of every graded cell of a submission ({} when none)."""
    with open_gradebook(root) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return {}
        return {
            grade.name: CellScore(
                grade_id=grade.name,
                notebook=notebook.name,
                cell_type=grade.cell.cell_type,
                auto_score=None if grade.auto_score is None else float(grade.auto_score),
                manual_score=None if grade.manual_score is None else float(grade.manual_score),
                score=float(grade.score),
                max_score=float(grade.max_score),
                needs_manual_grade=bool(grade.needs_manual_grade),
            )
            for notebook in submission.notebooks
            for grade in notebook.grades
        }


def points_to_grade_by_hand(root: Path, assignment: str, student: str) -> float:
    """Points of the submission's cells that await manual grading in the formgrader (nbgrader's
    ``needs_manual_grade``), in points; 0 when none or no such submission.

    Raises:
        NbgraderError: there is no gradebook.
    """
    return sum(
        score.max_score
        for score in cell_scores(root, assignment, student).values()
        if score.needs_manual_grade
    )
