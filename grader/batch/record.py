"""Step 4 of a batch, *Record* (coordinator only): one result judged, stored and reported.

:func:`record_result` reads the executed notebook a worker gave back, drops library stderr
noise (:func:`grader.nbgrader.preprocessors.drop_stderr_noise`), decides every test cell's
verdict from the seals and the evidence (:func:`grader.batch.verdicts.decide`, against the
reference run's evidence), applies the verdicts, and has nbgrader write the autograded copy and
the gradebook (:func:`grader.nbgrader.conversions.finalize`); :func:`store_outcome` writes the
status to ``grading-status.json`` (:mod:`grader.batch.status`).

Statuses (:data:`grader.batch.status.Status`): **not graded** (the worker could not execute it,
or the file is unreadable, missing or renamed: the reason, and a request to resubmit where the
file is at fault), **needs review** (a verdict flag or an integrity finding: the reasons; the
earned score is kept), else **graded**.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import nbformat

from grader import settings
from grader.batch.plan import BatchPlan, PlannedSubmission
from grader.batch.status import Status, SubmissionStatus, mark_not_graded, write_status
from grader.batch.verdicts import CellEvidence, apply_verdicts, decide
from grader.errors import GraderError, format_exception_line
from grader.nbgrader.conversions import finalize
from grader.nbgrader.errors import NbgraderError
from grader.nbgrader.gradebook import points_to_grade_by_hand, submission_score
from grader.nbgrader.preprocessors import drop_stderr_noise
from grader.run.jobs import GradeResult

#: The reference run's evidence, by test cell grade_id
#: (:func:`grader.batch.verdicts.extract_evidence`).
Evidence = Mapping[str, CellEvidence]


@dataclass(frozen=True)
class SubmissionOutcome:
    """What the batch concluded for one submission.

    Attributes:
        student: the student id.
        status: ``"graded"``, ``"needs review"`` or ``"not graded"``.
        score: points recorded (late penalty deducted), or ``None`` when not graded.
        max_score: points available, or ``None`` when unknown.
        reasons: why it needs review / is not graded, one line each.
        notes: repairs, restorations, worker notes, one line each.
        wall_seconds: execution wall time, in seconds (0 when not run).
        sandboxed: whether the kernel ran inside bubblewrap.
        to_grade_by_hand: points that await manual grading in the formgrader (included in
            ``max_score``, not yet in ``score``).
    """

    student: str
    status: Status
    score: float | None = None
    max_score: float | None = None
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    wall_seconds: float = 0.0
    sandboxed: bool = False
    to_grade_by_hand: float = 0.0


def _log_failure(root: Path, assignment: str, student: str, log: str) -> str:
    path = root / settings.LOG_DIR / f"autograde-{assignment}-{student}.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(log, encoding="utf-8")
    except OSError:
        return ""
    return f" (details: {settings.LOG_DIR}/{path.name})"


def _not_graded(
    plan: BatchPlan, planned: PlannedSubmission, reason: str, notes: Iterable[str] = ()
) -> SubmissionOutcome:
    mark_not_graded(plan.root, plan.assignment, planned.student)
    return SubmissionOutcome(
        planned.student,
        "not graded",
        reasons=(reason, *planned.findings),
        notes=tuple(n for n in dict.fromkeys((*planned.notes, *notes)) if n != reason),
    )


def record_result(
    plan: BatchPlan, planned: PlannedSubmission, result: GradeResult | None, evidence: Evidence
) -> SubmissionOutcome:
    """Decide, record (gradebook, autograded copy) and return one submission's outcome.

    Args:
        plan: the batch.
        planned: the submission as planned (its nonces and findings).
        result: what the worker gave back, or ``None`` for a submission that had no job (its
            ``problem`` says why).
        evidence: the reference run's evidence.

    Raises nothing for a problem of the submission: that becomes a "not graded" outcome.
    """
    if result is None or planned.job is None:
        return _not_graded(plan, planned, planned.problem or "not run")
    worker_notes = tuple(result.notes)

    def timed(outcome: SubmissionOutcome) -> SubmissionOutcome:
        return replace(outcome, wall_seconds=result.wall_seconds, sandboxed=result.sandboxed)

    if result.status != "executed" or result.notebook is None:
        reason = result.reason or "the worker gave back no executed notebook"
        return timed(_not_graded(plan, planned, reason, worker_notes))
    try:
        executed = drop_stderr_noise(nbformat.reads(result.notebook, as_version=4))
        cell_verdicts = decide(executed, dict(planned.nonces), dict(evidence))
        final = apply_verdicts(executed, cell_verdicts)
    except Exception as exc:  # an executed notebook that cannot be read back is not graded
        reason = f"the executed notebook cannot be read back: {format_exception_line(exc)}"
        return timed(_not_graded(plan, planned, reason, worker_notes))
    try:
        finalize(plan.root, plan.assignment, planned.student, {plan.notebook_name: final})
    except NbgraderError as exc:
        where = _log_failure(plan.root, plan.assignment, planned.student, exc.log)
        return timed(_not_graded(plan, planned, f"{exc}{where}", worker_notes))
    score = submission_score(plan.root, plan.assignment, planned.student)
    flags = tuple(v.flag for v in cell_verdicts if v.flag)
    reasons = (*flags, *planned.findings)
    extra = (result.reason,) if result.reason else ()
    return SubmissionOutcome(
        planned.student,
        "needs review" if reasons else "graded",
        score=score[0] if score else None,
        max_score=score[1] if score else None,
        reasons=reasons,
        notes=tuple(dict.fromkeys((*planned.notes, *extra, *worker_notes))),  # once each
        wall_seconds=result.wall_seconds,
        sandboxed=result.sandboxed,
        to_grade_by_hand=points_to_grade_by_hand(plan.root, plan.assignment, planned.student),
    )


def record_safely(
    plan: BatchPlan, planned: PlannedSubmission, result: GradeResult | None, evidence: Evidence
) -> SubmissionOutcome:
    """:func:`record_result`, with an unexpected exception turned into a "not graded" outcome
    (recording one submission never ends the batch; a :class:`GraderError` still does)."""
    try:
        return record_result(plan, planned, result, evidence)
    except GraderError:
        raise
    except Exception as exc:  # recording one submission must not end the batch
        return SubmissionOutcome(
            planned.student,
            "not graded",
            reasons=(f"recording failed: {format_exception_line(exc)}",),
            notes=planned.notes,
        )


def store_outcome(plan: BatchPlan, outcome: SubmissionOutcome) -> None:
    """Write the outcome's status to the course's status file (:mod:`grader.batch.status`)."""
    status = SubmissionStatus(
        status=outcome.status,
        reasons=outcome.reasons,
        notes=outcome.notes,
        score=outcome.score,
        max_score=outcome.max_score,
    )
    write_status(plan.root, plan.assignment, outcome.student, status)
