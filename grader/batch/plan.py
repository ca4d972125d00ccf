"""Step 1 of a batch, *Plan*: every submission read, repaired, scanned, prepared and sealed.

:func:`plan_batch` records the assignment in the gradebook (nbgrader generate_assignment; the
release it writes on the way is the reference of the repairs), then for every
``submitted/<student>/<assignment>/``: the notebook is read (never modified) and repaired in
memory (:mod:`grader.batch.staging`), scanned (:func:`grader.batch.scan.scan`), prepared by
nbgrader (:func:`grader.nbgrader.conversions.prepare`: locked cells and hidden tests restored),
sealed (:func:`grader.batch.verdicts.add_seals`; the nonces stay with the coordinator) and
wrapped in a :class:`~grader.run.jobs.GradeJob`. A submission that cannot be read, is missing or
renamed gets no job: it is planned with the problem, to be recorded as "not graded". The
solution notebook is planned the same way as the reference run (:data:`REFERENCE`).

Planning executes nothing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from grader import settings
from grader.batch.scan import scan
from grader.batch.staging import repair_ids, stage
from grader.batch.verdicts import add_seals
from grader.cells import grade_id, is_marked_locked
from grader.errors import GraderError, format_exception_line
from grader.layout import (
    assignments_in,
    require_assignment,
    source_notebooks,
    submission_dir,
    submitted_students,
)
from grader.nbgrader.conversions import generate_assignment, prepare
from grader.nbgrader.errors import NbgraderError
from grader.run.jobs import GradeJob, Limits
from grader.sandbox.modes import SandboxMode

#: The "student" id of the reference run (never written to the gradebook).
REFERENCE = "(reference)"


@dataclass(frozen=True)
class AutogradeOptions:
    """How to run a batch (the command line's flags).

    Attributes:
        students: grade only these students. Defaults to everyone in ``submitted/``.
        full: run the lecture's settings. Defaults to ``False`` (fast mode,
            ``NN_TRICKS_FAST=1``).
        runner: ``"sequential"``, ``"processes"`` or ``"dask"``. Defaults to ``"sequential"``.
        workers: submissions in flight at once (``processes`` runner). Defaults to ``None``
            (the runner's choice).
        scheduler: address of a Dask scheduler (``dask`` runner), e.g. ``"tcp://host:8786"``.
        dask_local: worker processes of a local Dask cluster (``dask`` runner, no scheduler).
        sandbox: ``"require"`` (refuse without bubblewrap), ``"auto"`` or ``"off"``. Defaults
            to ``"auto"``.
        limits: resource limits of each sandbox (see :class:`grader.run.jobs.Limits` for units).
    """

    students: tuple[str, ...] = ()
    full: bool = False
    runner: str = "sequential"
    workers: int | None = None
    scheduler: str | None = None
    dask_local: int | None = None
    sandbox: SandboxMode = "auto"
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
        submissions: the planned submissions, in the order of the students.
        options: the batch's options.
    """

    root: Path
    assignment: str
    notebook_name: str
    reference: PlannedSubmission
    submissions: tuple[PlannedSubmission, ...]
    options: AutogradeOptions


@dataclass(frozen=True)
class PlanContext:
    """What planning one submission needs to know about the batch.

    Attributes:
        root: the course root.
        assignment: the assignment.
        notebook_name: the assignment's notebook (file stem).
        released: the release notebook nbgrader generated (the reference of the repairs).
        options: the batch's options.
        owners: grade_id -> the other assignment of the course that uses it (a cell copied
            from another practice is recognised by it).
    """

    root: Path
    assignment: str
    notebook_name: str
    released: NotebookNode
    options: AutogradeOptions
    owners: Mapping[str, str] = field(default_factory=dict)


def default_data_dir(environ: Mapping[str, str] | None = None) -> str | None:
    """Where workers find MNIST: ``$MNIST_DATA_DIR``, else the Keras cache folder when it
    holds ``mnist.npz``, else ``None``.

    Args:
        environ: the environment to read. Defaults to ``os.environ``.
    """
    env = os.environ if environ is None else environ
    if env.get(settings.DATA_VARIABLE):
        return env[settings.DATA_VARIABLE]
    keras_home = env.get("KERAS_HOME") or str(Path.home() / ".keras")
    datasets = Path(keras_home).expanduser() / "datasets"
    return str(datasets) if (datasets / "mnist.npz").is_file() else None


def kernel_env(full: bool, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The allowlisted environment of a grading kernel (no secret, no gradebook URL): the run
    mode and TensorFlow's log level. The sandbox adds the fixed variables itself (HOME, PATH,
    ``NN_TRICKS_GRADING=1``, ``MNIST_DATA_DIR``; see
    :data:`grader.sandbox.bwrap.RESERVED_VARIABLES`).

    Args:
        full: the lecture's settings (no fast-mode variable).
        environ: the environment to read TensorFlow's log level from. Defaults to
            ``os.environ``.
    """
    env = os.environ if environ is None else environ
    result = {settings.TF_LOG_VARIABLE: env.get(settings.TF_LOG_VARIABLE) or "3"}
    if not full:
        result[settings.FAST_MODE_VARIABLE] = "1"
    return result


def _sources_by_grade_id(nb: NotebookNode) -> dict[str, str]:
    return {gid: cell.source for cell in nb.cells if (gid := grade_id(cell))}


def _locked_ids(nb: NotebookNode) -> set[str]:
    return {gid for cell in nb.cells if (gid := grade_id(cell)) and is_marked_locked(cell)}


def preparation_notes(
    staged: NotebookNode, prepared: NotebookNode, released: NotebookNode
) -> list[str]:
    """What nbgrader's preparation changed, for the TA: deleted cells it restored, and locked
    cells the student had edited (compared with the release) that it put back."""
    before = _sources_by_grade_id(staged)
    after = _sources_by_grade_id(prepared)
    original = _sources_by_grade_id(released)
    locked = _locked_ids(prepared)
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


def sealed_job(
    context: PlanContext, student: str, notebook: NotebookNode
) -> tuple[GradeJob, dict[str, str]]:
    """The job that executes the prepared ``notebook`` (sealed here, in place), and its seal
    nonces (grade_id -> nonce)."""
    nonces = dict(add_seals(notebook))
    job = GradeJob(
        job_id=f"{context.assignment}/{student}",
        assignment=context.assignment,
        student=student,
        notebook_name=context.notebook_name,
        notebook=nbformat.writes(notebook),
        env=kernel_env(context.options.full),
        data_dir=default_data_dir(),
        limits=context.options.limits,
        sandbox=context.options.sandbox,
    )
    return job, nonces


def _resubmit(problem: str) -> str:
    return f"{problem}: ask the student to resubmit"


def plan_submission(context: PlanContext, student: str) -> PlannedSubmission:
    """Plan one student's submission (never raises for a problem of the submission)."""
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
    staged = stage(data, context.released, context.owners)
    if staged.notebook is None:
        problem = _resubmit(f"{filename}: {staged.problem}")
        return PlannedSubmission(student, None, notes=staged.notes, problem=problem)
    restored_ids = _locked_ids(context.released)
    findings = tuple(str(f) for f in scan(staged.notebook, restored_ids=restored_ids))
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
    job, nonces = sealed_job(context, student, prepared)
    return PlannedSubmission(student, job, nonces, notes, findings)


def plan_reference(context: PlanContext) -> PlannedSubmission:
    """The reference run: the solution notebook, staged, prepared and sealed like a submission.

    Raises:
        GraderError: the solution notebook cannot be read or prepared.
    """
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
    job, nonces = sealed_job(context, REFERENCE, prepared)
    return PlannedSubmission(REFERENCE, job, nonces)


def notebook_name(root: Path, assignment: str) -> str:
    """The stem of the assignment's one source notebook.

    Raises:
        GraderError: the assignment's source folder holds no notebook or several.
    """
    notebooks = source_notebooks(root, assignment)
    if len(notebooks) != 1:
        raise GraderError(
            f"{settings.SOURCE_DIR}/{assignment}/ holds {len(notebooks)} notebooks: "
            "autograde handles one notebook per assignment"
        )
    return notebooks[0].stem


def other_grade_ids(root: Path, assignment: str) -> dict[str, str]:
    """grade_id -> assignment, for every graded or locked cell of the course's other
    assignments (their source notebooks in ``solutions/``); unreadable notebooks are skipped."""
    owners: dict[str, str] = {}
    for other in assignments_in(root / settings.SOURCE_DIR):
        if other == assignment:
            continue
        for path in source_notebooks(root, other):
            try:
                nb = nbformat.read(path, as_version=4)
            except (OSError, ValueError):
                continue
            for cell in nb.cells:
                gid = grade_id(cell)
                if gid is not None:
                    owners.setdefault(gid, other)
    return owners


def plan_batch(root: Path, assignment: str, options: AutogradeOptions) -> BatchPlan:
    """Record the assignment in the gradebook and plan the reference and every submission.

    Raises:
        GraderError: unknown assignment, no submissions, unknown students, or nbgrader cannot
            record the assignment.
    """
    require_assignment(root, assignment)
    name = notebook_name(root, assignment)
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
    with tempfile.TemporaryDirectory(prefix="nn-tricks-plan-") as tmp:
        try:
            generate_assignment(root, assignment, Path(tmp))
        except NbgraderError as exc:
            raise GraderError(f"could not record {assignment} in the gradebook: {exc}") from None
        released = nbformat.read(Path(tmp) / assignment / f"{name}.ipynb", as_version=4)
    context = PlanContext(
        Path(root), assignment, name, released, options, other_grade_ids(root, assignment)
    )
    reference = plan_reference(context)
    submissions = []
    for student in options.students or available:
        try:
            submissions.append(plan_submission(context, student))
        except GraderError:
            raise
        except Exception as exc:  # one submission's surprise never ends the batch
            reason = f"could not be planned: {format_exception_line(exc)}"
            submissions.append(PlannedSubmission(student, None, problem=reason))
    return BatchPlan(Path(root), assignment, name, reference, tuple(submissions), options)
