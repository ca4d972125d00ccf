"""``python -m grader autograde <assignment>``: plan -> reference run -> run -> record.

The coordinator's side of docs/grading.md. Library functions return data and never print; the
command line (:mod:`grader.cli`) formats it with :mod:`grader.batch.report`.

1. **plan** (:func:`grader.batch.plan.plan_batch`): every submission read, repaired, scanned,
   prepared by nbgrader and sealed into a job; nothing executed.
2. **reference run** (:func:`run_reference`): the solution notebook, prepared and sealed the same
   way, executed first by the same runner; its evidence is the expected evidence. If it fails,
   the batch stops with one error (:class:`~grader.errors.GraderError`).
3. **run**: the runner (:func:`make_runner`, a :class:`grader.run.runners.Runner`) hands the
   jobs to :func:`grader.run.worker.execute_job` and yields results in completion order.
4. **record** (:func:`grader.batch.record.record_result`, coordinator only): verdicts decided
   outside the kernel, nbgrader's autograded copy and gradebook, the status file.

One submission's failure never ends the batch; temporary files are removed even on Ctrl-C.
:attr:`BatchReport.exit_status` is 0 only when every submission is graded.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader import settings
from grader.batch.plan import AutogradeOptions, BatchPlan, plan_batch
from grader.batch.record import (
    Evidence,
    SubmissionOutcome,
    record_safely,
    store_outcome,
)
from grader.batch.verdicts import ReferenceRunFailed, decide, extract_evidence, first_error
from grader.errors import GraderError
from grader.nbgrader.preprocessors import drop_stderr_noise
from grader.run import runners
from grader.run.jobs import Execute, GradeResult
from grader.run.runners import Runner
from grader.run.worker import execute_job

#: Called with each submission's outcome as soon as it is recorded.
OnOutcome = Callable[[SubmissionOutcome], None]


@dataclass(frozen=True)
class BatchReport:
    """A finished batch.

    Attributes:
        assignment: the assignment.
        full: whether it ran in full mode.
        outcomes: one per submission, in completion order.
        reference_seconds: wall time of the reference run, in seconds.
        wall_seconds: wall time of the whole batch, in seconds.
    """

    assignment: str
    full: bool
    outcomes: tuple[SubmissionOutcome, ...]
    reference_seconds: float = 0.0
    wall_seconds: float = 0.0

    @property
    def exit_status(self) -> int:
        """0 when every submission is graded, else 1."""
        return 0 if all(o.status == "graded" for o in self.outcomes) else 1


def make_runner(options: AutogradeOptions) -> Runner:
    """The runner the options ask for (:func:`grader.run.runners.make_runner`).

    Raises:
        GraderError: an option that does not fit the runner, or its extra is not installed.
    """
    try:
        if options.runner == "processes":
            return runners.make_runner("processes", workers=options.workers)
        if options.runner == "dask":
            return runners.make_runner(
                "dask", scheduler=options.scheduler, dask_local=options.dask_local
            )
        return runners.make_runner(options.runner)
    except (ValueError, runners.RunnerError) as exc:
        raise GraderError(str(exc)) from None


def _close(results: Iterable[GradeResult]) -> None:
    """Stop a runner's iteration (its jobs not yet finished) when it can be closed."""
    close = getattr(results, "close", None)
    if callable(close):
        close()


def run_reference(plan: BatchPlan, runner: Runner, execute: Execute) -> tuple[Evidence, float]:
    """Execute the reference job; its evidence and its wall time in seconds.

    Raises:
        GraderError: the reference did not execute, or its own tests do not all pass.
    """
    job = plan.reference.job
    if job is None:
        raise GraderError(f"the reference run of {plan.assignment} was not planned")
    started = time.perf_counter()
    results = runner.run([job], execute)
    try:
        result = next(iter(results), None)
    finally:
        _close(results)
    seconds = time.perf_counter() - started
    where = f"{settings.SOURCE_DIR}/{plan.assignment}/{plan.notebook_name}.ipynb"
    if result is None or result.status != "executed" or result.notebook is None:
        reason = (result.reason if result is not None else None) or "no executed notebook"
        raise GraderError(
            f"the reference run of {where} failed: {reason}; "
            "fix the solution or the sandbox (`make check`) before grading"
        )
    executed = drop_stderr_noise(nbformat.reads(result.notebook, as_version=4))
    evidence = extract_evidence(executed)
    try:
        decide(executed, dict(plan.reference.nonces), evidence)
    except ReferenceRunFailed as exc:
        earliest = first_error(executed)
        hint = f" (the first cell that raised: {earliest})" if earliest else ""
        raise GraderError(f"the reference run of {where}: {exc}{hint}") from None
    return evidence, seconds


def run_batch(
    plan: BatchPlan,
    *,
    runner: Runner | None = None,
    execute: Execute | None = None,
    on_outcome: OnOutcome | None = None,
) -> BatchReport:
    """Reference run, then every job; record each result as it comes.

    Args:
        plan: from :func:`grader.batch.plan.plan_batch`.
        runner: runs the jobs. Defaults to :func:`make_runner` of the plan's options.
        execute: executes one job. Defaults to :func:`grader.run.worker.execute_job`.
        on_outcome: called with each submission's outcome as soon as it is recorded (the
            command line prints it).

    Raises:
        GraderError: the reference run failed (nothing was recorded).
    """
    started = time.perf_counter()
    chosen = runner if runner is not None else make_runner(plan.options)
    with chosen.session():
        evidence, reference_seconds = run_reference(plan, chosen, execute or execute_job)
        outcomes = tuple(_record_all(plan, chosen, execute or execute_job, evidence, on_outcome))
    return BatchReport(
        plan.assignment,
        plan.options.full,
        outcomes,
        reference_seconds=reference_seconds,
        wall_seconds=time.perf_counter() - started,
    )


def _record_all(
    plan: BatchPlan,
    runner: Runner,
    execute: Execute,
    evidence: Evidence,
    on_outcome: OnOutcome | None,
) -> Iterator[SubmissionOutcome]:
    """Every submission's outcome, stored and announced: those without a job first, then the
    jobs' in completion order, then any job the runner gave no result for."""

    def done(outcome: SubmissionOutcome) -> SubmissionOutcome:
        store_outcome(plan, outcome)
        if on_outcome is not None:
            on_outcome(outcome)
        return outcome

    planned_by_job = {p.job.job_id: p for p in plan.submissions if p.job is not None}
    for planned in plan.submissions:
        if planned.job is None:
            yield done(record_safely(plan, planned, None, evidence))
    jobs = [job for p in planned_by_job.values() if (job := p.job) is not None]
    results = runner.run(jobs, execute)
    try:
        for result in results:
            if result.job_id in planned_by_job:  # a result for a job of this batch, once
                planned = planned_by_job.pop(result.job_id)
                yield done(record_safely(plan, planned, result, evidence))
    finally:
        _close(results)
    for job_id, planned in planned_by_job.items():  # a runner that lost a job without a result
        lost = GradeResult(job_id, "failed", reason="the runner gave no result")
        yield done(record_safely(plan, planned, lost, evidence))


def autograde(
    root: Path,
    assignment: str,
    options: AutogradeOptions | None = None,
    *,
    runner: Runner | None = None,
    execute: Execute | None = None,
    on_outcome: OnOutcome | None = None,
) -> BatchReport:
    """Autograde every (or every selected) submission of ``assignment``: the whole pipeline.

    Args:
        root: the course root.
        assignment: the assignment to grade.
        options: see :class:`grader.batch.plan.AutogradeOptions`. Defaults to fast mode,
            sequential, sandbox ``"auto"``.
        runner, execute, on_outcome: see :func:`run_batch`.

    Raises:
        GraderError: a problem of the batch (unknown assignment, no submissions, failed
            reference run); problems of single submissions are outcomes.
    """
    plan = plan_batch(Path(root).resolve(), assignment, options or AutogradeOptions())
    return run_batch(plan, runner=runner, execute=execute, on_outcome=on_outcome)
