"""``python -m grader autograde <assignment>``: plan -> reference run -> run -> record.

The coordinator's side of docs/grading.md. Library functions return data and never print; the
command line (:mod:`grader.cli`) formats it with :mod:`grader.batch.report`.

1. **plan** (:func:`plan_batch`): the assignment is recorded in the gradebook (nbgrader
   generate_assignment; the release it writes on the way is the reference of the repairs), then
   for every ``submitted/<student>/<assignment>/``: the notebook is read (never modified) and
   repaired in memory (:mod:`grader.batch.staging`), scanned (``grader.batch.scan.scan``),
   prepared by nbgrader (:func:`grader.nbgrader_adapter.prepare`: locked cells and hidden tests restored),
   sealed (``grader.verdicts.add_seals``; the nonces stay here) and wrapped in a
   :class:`~grader.jobs.GradeJob`. A submission that cannot be read, is missing or renamed gets
   no job: it is "not graded" with the reason.
2. **reference run** (:func:`run_reference`): the solution notebook, prepared and sealed the same
   way, executed first by the same runner; its evidence is the expected evidence. If it fails,
   the batch stops with one error (:class:`~grader.errors.GraderError`).
3. **run**: ``grader.runners.make_runner(...)``.run(jobs, ``grader.worker.execute_job``) yields
   results in completion order.
4. **record** (:func:`record_result`, coordinator only): library stderr noise dropped (as
   nbgrader's IgnorePattern does), ``grader.verdicts.decide`` and ``apply_verdicts``, then
   :func:`grader.nbgrader_adapter.finalize` (autograded copy, gradebook) and the status in
   ``grading-status.json`` (:mod:`grader.batch.status`).

Statuses: **not graded** (the worker could not execute it, or the file is unreadable, missing or
renamed: the reason, and a request to resubmit where the file is at fault), **needs review**
(a verdict flag or an integrity finding: the reasons; the earned score is kept), else
**graded**. One submission's failure never ends the batch; temporary files are removed even on
Ctrl-C. :attr:`BatchReport.exit_status` is 0 only when every submission is graded.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import nbformat
from nbformat import NotebookNode

from grader import settings
from grader.batch.staging import grade_id, repair_ids, stage
from grader.batch.status import SubmissionStatus, mark_not_graded, write_status
from grader.errors import GraderError
from grader.layout import (
    require_assignment,
    source_notebooks,
    submission_dir,
    submitted_students,
)
from grader.run.jobs import GradeJob, GradeResult, Limits

#: the "student" id of the reference run (never written to the gradebook)
REFERENCE = "(reference)"
Sandbox = Literal["require", "auto", "off"]
Execute = Callable[[GradeJob], GradeResult]


@dataclass(frozen=True)
class AutogradeOptions:
    """How to run a batch (the command line's flags).

    Attributes:
        students: grade only these students (default: everyone in ``submitted/``).
        full: run the lecture's settings (default: fast mode, ``NN_TRICKS_FAST=1``).
        runner: ``"sequential"``, ``"processes"`` or ``"dask"``.
        workers: submissions in flight at once (``processes`` runner).
        scheduler: address of a Dask scheduler (``dask`` runner), e.g. ``"tcp://host:8786"``.
        dask_local: worker processes of a local Dask cluster (``dask`` runner, no scheduler).
        sandbox: ``"require"`` (refuse without bubblewrap), ``"auto"`` or ``"off"``.
        limits: resource limits of each sandbox (see :class:`grader.jobs.Limits` for units).
    """

    students: tuple[str, ...] = ()
    full: bool = False
    runner: str = "sequential"
    workers: int | None = None
    scheduler: str | None = None
    dask_local: int | None = None
    sandbox: Sandbox = "auto"
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class PlannedSubmission:
    """One submission after planning.

    Attributes:
        student: the student id.
        job: what a worker executes, or ``None`` when the submission cannot be run.
        nonces: grade_id -> seal nonce of the job (coordinator only).
        notes: repairs and restorations, one line each.
        findings: integrity findings, one line each (they mark the submission for review).
        problem: why it is not graded without running (one line), or ``None``.
    """

    student: str
    job: GradeJob | None
    nonces: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()
    problem: str | None = None


@dataclass(frozen=True)
class BatchPlan:
    """Everything a batch runs.

    Attributes:
        root: the course root.
        assignment: the assignment.
        notebook_name: the assignment's notebook (file stem).
        reference: the planned reference run (the solution notebook).
        submissions: the planned submissions, by student id.
        options: the batch's options.
    """

    root: Path
    assignment: str
    notebook_name: str
    reference: PlannedSubmission
    submissions: tuple[PlannedSubmission, ...]
    options: AutogradeOptions


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
    """

    student: str
    status: str
    score: float | None = None
    max_score: float | None = None
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    wall_seconds: float = 0.0
    sandboxed: bool = False


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


# ---------------------------------------------------------------------------------------------
# colleagues' modules, imported when a batch runs
# ---------------------------------------------------------------------------------------------


def _module(name: str, what: str) -> ModuleType:
    """``grader.<name>``, or a GraderError that says which part of the pipeline is missing."""
    try:
        return importlib.import_module(f"grader.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"grader.{name}":
            raise
        raise GraderError(
            f"grader/{name}.py is missing ({what}): this checkout cannot autograde yet"
        ) from None


def default_data_dir(environ: Mapping[str, str] | None = None) -> str | None:
    """Where workers find MNIST: ``$MNIST_DATA_DIR``, else the Keras cache folder when it
    holds ``mnist.npz``, else ``None``."""
    env = os.environ if environ is None else environ
    if env.get(settings.DATA_VARIABLE):
        return env[settings.DATA_VARIABLE]
    keras_home = env.get("KERAS_HOME") or str(Path.home() / ".keras")
    datasets = Path(keras_home).expanduser() / "datasets"
    return str(datasets) if (datasets / "mnist.npz").is_file() else None


def kernel_env(full: bool, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The allowlisted environment of a grading kernel (no secret, no gradebook URL): the run
    mode and TensorFlow's log level. The sandbox adds the fixed variables itself (HOME, PATH,
    ``NN_TRICKS_GRADING=1``, ``MNIST_DATA_DIR``; see ``grader.sandbox.RESERVED_VARIABLES``)."""
    env = os.environ if environ is None else environ
    result = {settings.TF_LOG_VARIABLE: env.get(settings.TF_LOG_VARIABLE) or "3"}
    if not full:
        result[settings.FAST_MODE_VARIABLE] = "1"
    return result


# ---------------------------------------------------------------------------------------------
# plan
# ---------------------------------------------------------------------------------------------


def _grade_ids(nb: NotebookNode) -> dict[str, str]:
    return {gid: cell.source for cell in nb.cells if (gid := grade_id(cell))}


def preparation_notes(
    staged: NotebookNode, prepared: NotebookNode, released: NotebookNode
) -> list[str]:
    """What nbgrader's preparation changed, for the TA: deleted cells it restored, and locked
    cells the student had edited (compared with the release) that it put back."""
    before, after, original = _grade_ids(staged), _grade_ids(prepared), _grade_ids(released)
    locked = {
        gid
        for cell in prepared.cells
        if (gid := grade_id(cell)) and cell.metadata["nbgrader"].get("locked")
    }
    restored = [gid for gid in after if gid not in before]
    edited = [
        gid
        for gid in after
        if gid in before and gid in locked and gid in original and before[gid] != original[gid]
    ]
    notes = []
    if restored:
        names = ", ".join(restored)
        notes.append(f"deleted cell(s) {names} restored from the gradebook and graded")
    if edited:
        notes.append(f"locked cell(s) {', '.join(edited)} had been edited: the release's put back")
    return notes


def _job(
    plan_context: _Context, student: str, notebook: NotebookNode
) -> tuple[GradeJob, dict[str, str]]:
    verdicts = _module("verdicts", "seals and verdicts")
    nonces = dict(verdicts.add_seals(notebook))
    job = GradeJob(
        job_id=f"{plan_context.assignment}/{student}",
        assignment=plan_context.assignment,
        student=student,
        notebook_name=plan_context.notebook_name,
        notebook=nbformat.writes(notebook),
        env=kernel_env(plan_context.options.full),
        data_dir=default_data_dir(),
        limits=plan_context.options.limits,
        sandbox=plan_context.options.sandbox,
    )
    return job, nonces


@dataclass(frozen=True)
class _Context:
    root: Path
    assignment: str
    notebook_name: str
    released: NotebookNode
    options: AutogradeOptions


def format_finding(finding: Any) -> str:
    """One line for an integrity finding: ``cell 7, line 3: <reason>``."""
    line = getattr(finding, "line", None)
    where = f"cell {finding.cell_index}" + (f", line {line}" if line else "")
    return f"{where}: {finding.reason}"


def _resubmit(problem: str) -> str:
    return f"{problem}: ask the student to resubmit"


def plan_submission(context: _Context, student: str) -> PlannedSubmission:
    """Plan one student's submission (never raises for a problem of the submission)."""
    from grader.nbgrader.adapter import NbgraderError, prepare

    folder = submission_dir(context.root, context.assignment, student)
    filename = f"{context.notebook_name}.ipynb"
    path = folder / filename
    if not path.is_file():
        found = sorted(p.name for p in folder.glob("*.ipynb")) if folder.is_dir() else []
        if found:
            problem = (
                f"no {filename} in the submission (found: {', '.join(found)}): "
                f"ask the student to resubmit it as {filename}"
            )
            return PlannedSubmission(student, None, problem=problem)
        return PlannedSubmission(student, None, problem=_resubmit(f"no {filename} submitted"))
    try:
        data = path.read_bytes()
    except OSError as exc:
        return PlannedSubmission(student, None, problem=f"{filename} cannot be read: {exc}")
    staged = stage(data, context.released)
    if staged.notebook is None:
        problem = _resubmit(f"{filename}: {staged.problem}")
        return PlannedSubmission(student, None, notes=staged.notes, problem=problem)
    integrity = _module("integrity", "the static scan of submissions")
    locked = {
        gid
        for cell in context.released.cells
        if (gid := grade_id(cell)) and cell.metadata["nbgrader"].get("locked")
    }
    findings = tuple(
        format_finding(finding) for finding in integrity.scan(staged.notebook, restored_ids=locked)
    )
    try:
        prepared = prepare(
            context.root,
            context.assignment,
            student,
            staged.notebook,
            notebook_name=context.notebook_name,
        )
    except NbgraderError as exc:
        return PlannedSubmission(
            student, None, notes=staged.notes, findings=findings, problem=str(exc)
        )
    notes = (*staged.notes, *preparation_notes(staged.notebook, prepared, context.released))
    repair_ids(prepared, [cell.get("id") for cell in prepared.cells], announce=False)
    job, nonces = _job(context, student, prepared)
    return PlannedSubmission(student, job, nonces, notes, findings)


def plan_reference(context: _Context) -> PlannedSubmission:
    """The reference run: the solution notebook, staged, prepared and sealed like a submission.

    Raises:
        GraderError: the solution notebook cannot be read or prepared.
    """
    from grader.nbgrader.adapter import NbgraderError, prepare

    source = context.root / settings.SOURCE_DIR / context.assignment
    path = source / f"{context.notebook_name}.ipynb"
    staged = stage(path.read_bytes(), context.released)
    if staged.notebook is None:
        raise GraderError(f"{path}: {staged.problem}")
    try:
        prepared = prepare(
            context.root,
            context.assignment,
            REFERENCE,
            staged.notebook,
            notebook_name=context.notebook_name,
        )
    except NbgraderError as exc:
        raise GraderError(f"the solution notebook {path.name} cannot be prepared: {exc}") from None
    repair_ids(prepared, [cell.get("id") for cell in prepared.cells], announce=False)
    job, nonces = _job(context, REFERENCE, prepared)
    return PlannedSubmission(REFERENCE, job, nonces)


def _notebook_name(root: Path, assignment: str) -> str:
    notebooks = source_notebooks(root, assignment)
    if len(notebooks) != 1:
        raise GraderError(
            f"{settings.SOURCE_DIR}/{assignment}/ holds {len(notebooks)} notebooks: "
            "autograde handles one notebook per assignment"
        )
    return notebooks[0].stem


def plan_batch(root: Path, assignment: str, options: AutogradeOptions) -> BatchPlan:
    """Record the assignment in the gradebook and plan the reference and every submission.

    Raises:
        GraderError: unknown assignment, no submissions, unknown students, nbgrader cannot
            record the assignment, or a pipeline module is missing.
    """
    from grader.nbgrader.adapter import NbgraderError, generate_assignment

    require_assignment(root, assignment)
    name = _notebook_name(root, assignment)
    available = submitted_students(root, assignment)
    if not available:
        raise GraderError(
            f"no submissions for {assignment} in {settings.SUBMITTED_DIR}/: "
            "run `python -m grader collect <lms.zip>` first"
        )
    unknown = [s for s in options.students if s not in available]
    if unknown:
        raise GraderError(
            f"no submission of {assignment} from {', '.join(unknown)} in {settings.SUBMITTED_DIR}/"
        )
    for module, what in (("integrity", "static scan"), ("verdicts", "seals and verdicts")):
        _module(module, what)
    with tempfile.TemporaryDirectory(prefix="nn-tricks-plan-") as tmp:
        try:
            generate_assignment(root, assignment, Path(tmp))
        except NbgraderError as exc:
            raise GraderError(f"could not record {assignment} in the gradebook: {exc}") from None
        released = nbformat.read(Path(tmp) / assignment / f"{name}.ipynb", as_version=4)
    context = _Context(Path(root), assignment, name, released, options)
    reference = plan_reference(context)
    submissions = []
    for student in options.students or available:
        try:
            submissions.append(plan_submission(context, student))
        except GraderError:
            raise
        except Exception as exc:  # one submission's surprise never ends the batch
            reason = f"could not be planned: {type(exc).__name__}: {exc}"
            submissions.append(PlannedSubmission(student, None, problem=reason))
    return BatchPlan(Path(root), assignment, name, reference, tuple(submissions), options)


# ---------------------------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------------------------


class _SequentialFallback:
    """Used only while grader/run/runners.py is absent: one job after another."""

    def run(self, jobs: Sequence[GradeJob], execute: Execute) -> Iterator[GradeResult]:
        for job in jobs:
            try:
                yield execute(job)
            except Exception as exc:  # a worker's failure is that job's, not the batch's
                yield GradeResult(job.job_id, "failed", reason=f"{type(exc).__name__}: {exc}")


def make_runner(options: AutogradeOptions) -> Any:
    """The runner the options ask for (``grader.runners.make_runner``).

    Raises:
        GraderError: an option that does not fit the runner, or its extra is not installed.
    """
    try:
        runners = importlib.import_module("grader.run.runners")
    except ModuleNotFoundError as exc:
        if exc.name != "grader.run.runners":
            raise
        if options.runner != "sequential":
            raise GraderError(
                f"grader/run/runners.py is missing: only the sequential runner, not {options.runner}"
            ) from None
        return _SequentialFallback()
    kind = options.runner
    given: dict[str, Any] = {
        "processes": {"workers": options.workers},
        "dask": {"scheduler": options.scheduler, "dask_local": options.dask_local},
    }.get(kind, {})
    try:
        return runners.make_runner(kind, **given)
    except (ValueError, runners.RunnerError) as exc:
        raise GraderError(str(exc)) from None


def default_execute() -> Execute:
    """``grader.worker.execute_job``."""
    return _module("worker", "executes a job in its sandbox").execute_job


def run_reference(plan: BatchPlan, runner: Any, execute: Execute) -> tuple[Any, float]:
    """Execute the reference job; its evidence and its wall time in seconds.

    Raises:
        GraderError: the reference did not execute, or its own tests do not all pass.
    """
    verdicts = _module("verdicts", "seals and verdicts")
    assert plan.reference.job is not None
    started = time.perf_counter()
    results = runner.run([plan.reference.job], execute)
    try:
        result = next(iter(results))
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()
    seconds = time.perf_counter() - started
    where = f"{settings.SOURCE_DIR}/{plan.assignment}/{plan.notebook_name}.ipynb"
    if result.status != "executed" or result.notebook is None:
        raise GraderError(
            f"the reference run of {where} failed: {result.reason or 'no executed notebook'}; "
            "fix the solution or the sandbox (`make check`) before grading"
        )
    executed = drop_stderr_noise(nbformat.reads(result.notebook, as_version=4))
    evidence = verdicts.extract_evidence(executed)
    try:
        verdicts.decide(executed, dict(plan.reference.nonces), evidence)
    except verdicts.ReferenceRunFailed as exc:
        earliest = verdicts.first_error(executed)
        hint = f" (the first cell that raised: {earliest})" if earliest else ""
        raise GraderError(f"the reference run of {where}: {exc}{hint}") from None
    return evidence, seconds


# ---------------------------------------------------------------------------------------------
# record
# ---------------------------------------------------------------------------------------------


def drop_stderr_noise(nb: NotebookNode) -> NotebookNode:
    """``nb`` without stderr outputs made only of library noise (nbgrader's IgnorePattern with
    ``grader.settings.STDERR_NOISE_PATTERN``), so that harmless warnings do not cost a test
    cell its points. Changes ``nb`` in place and returns it."""
    pattern = re.compile(settings.STDERR_NOISE_PATTERN)
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        cell.outputs = [
            output
            for output in cell.get("outputs", [])
            if not (
                output.get("output_type") == "stream"
                and output.get("name") == "stderr"
                and pattern.search(output.get("text", ""))
            )
        ]
    return nb


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
    plan: BatchPlan, planned: PlannedSubmission, result: GradeResult | None, evidence: Any
) -> SubmissionOutcome:
    """Decide, record (gradebook, autograded copy) and return one submission's outcome.

    ``result`` is ``None`` for a submission that had no job (its ``problem`` says why).
    Raises nothing for a problem of the submission: that becomes a "not graded" outcome.
    """
    from grader.nbgrader.adapter import NbgraderError, finalize, submission_score

    if result is None or planned.job is None:
        return _not_graded(plan, planned, planned.problem or "not run")
    worker_notes = tuple(result.notes)
    timing = {"wall_seconds": result.wall_seconds, "sandboxed": result.sandboxed}
    if result.status != "executed" or result.notebook is None:
        reason = result.reason or "the worker gave back no executed notebook"
        return replace(_not_graded(plan, planned, reason, worker_notes), **timing)
    verdicts = _module("verdicts", "seals and verdicts")
    try:
        executed = drop_stderr_noise(nbformat.reads(result.notebook, as_version=4))
        cell_verdicts = verdicts.decide(executed, dict(planned.nonces), evidence)
        final = verdicts.apply_verdicts(executed, cell_verdicts)
    except Exception as exc:  # an executed notebook that cannot be read back is not graded
        reason = f"the executed notebook cannot be read back: {type(exc).__name__}: {exc}"
        return replace(_not_graded(plan, planned, reason, worker_notes), **timing)
    try:
        finalize(plan.root, plan.assignment, planned.student, {plan.notebook_name: final})
    except NbgraderError as exc:
        where = _log_failure(plan.root, plan.assignment, planned.student, exc.log)
        return replace(_not_graded(plan, planned, f"{exc}{where}", worker_notes), **timing)
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
        **timing,
    )


def _store(plan: BatchPlan, outcome: SubmissionOutcome) -> None:
    status = SubmissionStatus(
        status=outcome.status,  # type: ignore[arg-type]
        reasons=outcome.reasons,
        notes=outcome.notes,
        score=outcome.score,
        max_score=outcome.max_score,
    )
    write_status(plan.root, plan.assignment, outcome.student, status)


# ---------------------------------------------------------------------------------------------
# the batch
# ---------------------------------------------------------------------------------------------


def run_batch(
    plan: BatchPlan,
    *,
    runner: Any | None = None,
    execute: Execute | None = None,
    on_outcome: Callable[[SubmissionOutcome], None] | None = None,
) -> BatchReport:
    """Reference run, then every job; record each result as it comes.

    Args:
        plan: from :func:`plan_batch`.
        runner: has ``.run(jobs, execute)`` (default: :func:`make_runner` of the plan's options).
        execute: executes one job (default: ``grader.worker.execute_job``).
        on_outcome: called with each submission's outcome as soon as it is recorded (the
            command line prints it).

    Raises:
        GraderError: the reference run failed (nothing was recorded).
    """
    started = time.perf_counter()
    runner = runner or make_runner(plan.options)
    execute = execute or default_execute()
    with runner_session(runner):
        return _run_batch(plan, runner, execute, on_outcome, started)


def runner_session(runner: Any) -> contextlib.AbstractContextManager[Any]:
    """The runner's ``session()`` (one cluster for the reference run and the batch), or
    nothing for a runner without one."""
    session = getattr(runner, "session", None)
    return session() if session is not None else contextlib.nullcontext()


def _run_batch(
    plan: BatchPlan,
    runner: Any,
    execute: Execute,
    on_outcome: Callable[[SubmissionOutcome], None] | None,
    started: float,
) -> BatchReport:
    evidence, reference_seconds = run_reference(plan, runner, execute)
    outcomes: list[SubmissionOutcome] = []

    def done(outcome: SubmissionOutcome) -> None:
        _store(plan, outcome)
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    planned_by_job = {p.job.job_id: p for p in plan.submissions if p.job is not None}
    for planned in plan.submissions:
        if planned.job is None:
            done(_safely(plan, planned, None, evidence))
    results = runner.run([p.job for p in planned_by_job.values()], execute)
    try:
        for result in results:
            planned = planned_by_job.pop(result.job_id, None)
            if planned is not None:
                done(_safely(plan, planned, result, evidence))
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()
    for planned in planned_by_job.values():  # a runner that lost a job without a result
        lost = GradeResult(planned.job.job_id, "failed", reason="the runner gave no result")
        done(_safely(plan, planned, lost, evidence))
    return BatchReport(
        plan.assignment,
        plan.options.full,
        tuple(outcomes),
        reference_seconds=reference_seconds,
        wall_seconds=time.perf_counter() - started,
    )


def _safely(
    plan: BatchPlan, planned: PlannedSubmission, result: GradeResult | None, evidence: Any
) -> SubmissionOutcome:
    try:
        return record_result(plan, planned, result, evidence)
    except GraderError:
        raise
    except Exception as exc:  # recording one submission must not end the batch
        return SubmissionOutcome(
            planned.student,
            "not graded",
            reasons=(f"recording failed: {type(exc).__name__}: {exc}",),
            notes=planned.notes,
        )


def autograde(
    root: Path,
    assignment: str,
    options: AutogradeOptions | None = None,
    *,
    runner: Any | None = None,
    execute: Execute | None = None,
    on_outcome: Callable[[SubmissionOutcome], None] | None = None,
) -> BatchReport:
    """Autograde every (or every selected) submission of ``assignment``: the whole pipeline.

    Args:
        root: the course root.
        assignment: the assignment to grade.
        options: see :class:`AutogradeOptions` (default: fast mode, sequential, sandbox auto).
        runner, execute, on_outcome: see :func:`run_batch`.

    Raises:
        GraderError: a problem of the batch (unknown assignment, no submissions, failed
            reference run, missing pipeline module); problems of single submissions are outcomes.
    """
    options = options or AutogradeOptions()
    plan = plan_batch(Path(root).resolve(), assignment, options)
    return run_batch(plan, runner=runner, execute=execute, on_outcome=on_outcome)
