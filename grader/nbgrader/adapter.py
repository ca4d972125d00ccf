"""Everything the grading tools ask of nbgrader, in-process: the ONLY module that imports it.

nbgrader is used through its Python API, never by parsing what it prints:

* :func:`generate_assignment` (release, gradebook sync), :func:`generate_feedback`
  through :class:`nbgrader.apps.NbGraderAPI`;
* :func:`validate` through :class:`nbgrader.validator.Validator` (the engine of
  ``nbgrader validate``), which returns its findings as data;
* :func:`prepare`: nbgrader's own *sanitize* preprocessors of ``nbgrader autograde``
  (ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata), run on a
  notebook in memory against the gradebook, read-only: the notebook a worker executes, with
  locked cells and hidden tests restored and deleted test cells added back;
* :func:`finalize`: nbgrader's real ``Autograde`` converter records the grades of notebooks that
  were already executed elsewhere: its sanitize list without ClearOutput (the outputs survive;
  OverwriteCells still restores locked sources), its Execute step replaced by
  :class:`AlreadyExecuted`. It writes ``autograded/<student>/<assignment>/`` and the gradebook
  exactly as a normal autograde does, so ``nbgrader generate_feedback`` and the formgrader work
  unchanged;
* gradebook reads and the few writes that are not conversions (:func:`record_not_graded`,
  :func:`ensure_student`) through :class:`nbgrader.api.Gradebook`.

nbgrader's log goes into a private logger per call (never to the terminal); a failure raises
:class:`NbgraderError` with one line for the TA and the captured log in ``.log``. The gradebook
URL is ``grader.settings.gradebook_url(root)`` unless given.
"""

from __future__ import annotations

import contextlib
import copy
import io
import logging
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbformat import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    IgnorePattern,
    LimitOutput,
    NbGraderPreprocessor,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)
from nbgrader.validator import Validator
from traitlets.config.loader import PyFileConfigLoader

from grader import settings
from grader.errors import GraderError


class NbgraderError(GraderError):
    """nbgrader refused or failed; ``str()`` is one line for the TA, ``log`` its full log."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(message)
        self.log = log


# ---------------------------------------------------------------------------------------------
# configuration, environment, logging
# ---------------------------------------------------------------------------------------------


def course_config(root: Path, *, db_url: str | None = None) -> Any:
    """nbgrader's traitlets Config of the course: ``<root>/nbgrader_config.py`` and the root.

    Only the course's own file is read (not ``~/.jupyter``), so grading is reproducible.
    """
    root = Path(root).resolve()
    if not (root / settings.CONFIG_FILE).is_file():
        raise NbgraderError(f"no {settings.CONFIG_FILE} in {root}: not a course directory")
    try:
        config = PyFileConfigLoader(settings.CONFIG_FILE, path=str(root)).load_config()
    except Exception as exc:  # a broken config file is the TA's to fix: say where
        raise NbgraderError(
            f"{root / settings.CONFIG_FILE} cannot be loaded: {type(exc).__name__}: {exc}"
        ) from None
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = db_url or settings.gradebook_url(root)
    return config


@contextlib.contextmanager
def _environment(overrides: Mapping[str, str | None] | None = None) -> Iterator[None]:
    """This interpreter's ``bin/`` first on PATH (nbgrader shells out to ``alembic`` when it
    creates a gradebook) and ``overrides`` applied (``None`` removes), restored afterwards;
    Python warnings raised inside (nbgrader's SQLAlchemy noise) are not shown."""
    changes: dict[str, str | None] = dict(overrides or {})
    bin_dir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if path.split(os.pathsep)[:1] != [bin_dir]:
        changes["PATH"] = os.pathsep.join([bin_dir, path]) if path else bin_dir
    saved = {key: os.environ.get(key) for key in changes}
    try:
        for key, value in changes.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        with warnings.catch_warnings():
            # nbgrader's own use of SQLAlchemy trips harmless autoflush warnings (SAWarning)
            warnings.simplefilter("ignore")
            yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _captured_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A private logger (not registered, not propagating) writing into a string buffer."""
    buffer = io.StringIO()
    logger = logging.Logger("grader.nbgrader", level=logging.INFO)
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield logger, buffer
    finally:
        handler.close()


@contextlib.contextmanager
def _kernel_stderr() -> Iterator[Any]:
    """File descriptor 2 sent to a temporary file while nbgrader starts kernels (their start-up
    warnings would reach the TA's terminal); yields that file, rewound when read."""
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as sink:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):  # no usable fd 2: nothing to redirect
            yield _Rewinding(sink)
            return
        try:
            os.dup2(sink.fileno(), 2)
            yield _Rewinding(sink)
        finally:
            os.dup2(saved, 2)
            os.close(saved)


class _Rewinding:
    """A temporary file whose ``read`` returns everything written to it so far."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle

    def read(self) -> str:
        self._handle.flush()
        self._handle.seek(0)
        return self._handle.read()


def one_line(log: str, fallback: str = "nbgrader failed") -> str:
    """The most useful single line of an nbgrader log: its first specific error."""
    errors = []
    for line in log.splitlines():
        for level in ("[ERROR] ", "[CRITICAL] "):
            if line.startswith(level):
                errors.append(line[len(level) :].strip())
    errors = [e for e in errors if e and not e.startswith("Please see the")]
    specific = [e for e in errors if not e.startswith("There was an error processing")]
    traceback_tail = [
        line.strip()
        for line in log.splitlines()
        if line.strip() and not line.startswith(("[", " ", "Traceback"))
    ]
    for candidates in (specific, traceback_tail[-1:], errors):
        if candidates:
            return candidates[0][:300]
    return fallback


def _api(config: Any, logger: logging.Logger) -> Any:
    return NbGraderAPI(config=config, log=logger)


def _check(result: Mapping[str, Any], what: str) -> str:
    """The log of an NbGraderAPI call; NbgraderError when it did not succeed."""
    log = str(result.get("log", ""))
    if not result.get("success"):
        text = f"{log}\n{result.get('error', '')}"
        raise NbgraderError(f"{what}: {one_line(text)}", text)
    return log


# ---------------------------------------------------------------------------------------------
# release, gradebook sync, feedback
# ---------------------------------------------------------------------------------------------


def generate_assignment(
    root: Path, assignment: str, release_dir: Path, *, db_url: str | None = None
) -> str:
    """``nbgrader generate_assignment`` of ``assignment`` (a name or ``"*"``) into
    ``release_dir``, recording its cells in the gradebook at ``db_url`` (default: the course's).

    Returns nbgrader's log; raises :class:`NbgraderError` on failure.
    """
    config = course_config(root, db_url=db_url)
    config.CourseDirectory.release_directory = str(Path(release_dir).resolve())
    with _environment(), _captured_log() as (logger, _):
        result = _api(config, logger).generate_assignment(assignment, force=True, create=True)
    what = "release" if assignment == "*" else f"release of {assignment}"
    return _check(result, f"{what} failed")


def sync_gradebook(root: Path, assignment: str) -> str:
    """Record ``assignment``'s cells (tests, points, checksums) in the course gradebook.

    The release written on the way is thrown away. Returns nbgrader's log.
    """
    with tempfile.TemporaryDirectory(prefix="nn-tricks-sync-") as tmp:
        try:
            return generate_assignment(root, assignment, Path(tmp))
        except NbgraderError as exc:
            raise NbgraderError(
                f"could not record {assignment} in the gradebook: {exc}", exc.log
            ) from None


def generate_feedback(root: Path, assignment: str, student: str | None = None) -> str:
    """``nbgrader generate_feedback`` for every autograded submission of ``assignment`` (or one
    student's) into ``feedback/``. Returns nbgrader's log."""
    config = course_config(root)
    with _environment(), _captured_log() as (logger, _):
        result = _api(config, logger).generate_feedback(assignment, student, force=True)
    return _check(result, f"feedback for {assignment} failed")


# ---------------------------------------------------------------------------------------------
# validate
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Validation:
    """What ``nbgrader validate`` found in one notebook.

    Attributes:
        notebook: the validated file.
        ok: whether it is what was expected (all tests pass; with ``invert``, none passes).
        message: one line for the TA.
        log: nbgrader's log.
    """

    notebook: Path
    ok: bool
    message: str
    log: str = ""


def validate(
    root: Path, notebook: Path, *, invert: bool, environ: Mapping[str, str | None] | None = None
) -> Validation:
    """Execute ``notebook`` as ``nbgrader validate`` does (``--invert``: as a blank release).

    Args:
        root: the course root (its nbgrader_config.py sets timeouts and the stderr filter).
        notebook: the notebook to validate.
        invert: expect that no test passes (a blank release) instead of that all pass.
        environ: environment changes for the kernel (``None`` values remove a variable), e.g.
            ``{"NN_TRICKS_FAST": "1"}``.
    """
    config = course_config(root)
    config.Validator.invert = invert
    with (
        _environment(environ),
        _captured_log() as (logger, buffer),
        _kernel_stderr() as kernel_log,
    ):
        try:
            results = Validator(config=config, log=logger).validate(str(notebook))
        except Exception as exc:  # the kernel, the file or the metadata: one line, log kept
            log = buffer.getvalue() + kernel_log.read()
            return Validation(notebook, False, one_line(f"{log}\n{type(exc).__name__}: {exc}"), log)
        log = buffer.getvalue() + kernel_log.read()
    if results.get("type_changed"):
        return Validation(notebook, False, "a graded cell's type was changed", log)
    if results.get("changed"):
        return Validation(notebook, False, f"{len(results['changed'])} locked cell(s) changed", log)
    if invert:
        passed = results.get("passed", [])
        if passed:
            return Validation(notebook, False, f"{len(passed)} test(s) pass on the blank", log)
        return Validation(notebook, True, "no test passes on the blank release", log)
    failed = results.get("failed", [])
    if failed:
        error = (failed[0].get("raw_error") or "").strip().splitlines()
        detail = f": {error[-1][:200]}" if error else ""
        return Validation(notebook, False, f"{len(failed)} test cell(s) fail{detail}", log)
    return Validation(notebook, True, "all tests pass", log)


# ---------------------------------------------------------------------------------------------
# autograde: prepare (before execution) and finalize (after)
# ---------------------------------------------------------------------------------------------


class AlreadyExecuted(NbGraderPreprocessor):
    """Stands in for nbgrader's Execute in :func:`finalize`: the file nbgrader reads *is* the
    notebook a grading worker executed, so it is passed on as it is, outputs included."""

    def preprocess(
        self, nb: NotebookNode, resources: dict[str, Any]
    ) -> tuple[NotebookNode, dict[str, Any]]:
        return nb, resources


def _sanitize_preprocessors(*, clear_output: bool) -> list[type]:
    """nbgrader's ``Autograde.sanitize_preprocessors`` (converters/autograde.py, 0.9.x)."""
    head: list[type] = [ClearOutput] if clear_output else []
    return [*head, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata]


def _autograde_preprocessors() -> list[type]:
    """nbgrader's ``Autograde.autograde_preprocessors`` with Execute replaced."""
    return [
        AlreadyExecuted,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
    ]


def notebook_names(root: Path, assignment: str) -> list[str]:
    """Notebook names (file stems) of ``assignment`` recorded in the gradebook (sorted)."""
    with _gradebook(root) as gb:
        try:
            return sorted(nb.name for nb in gb.find_assignment(assignment).notebooks)
        except MissingEntry:
            return []


def _resources(
    root: Path, assignment: str, student: str, notebook_name: str, db_url: str
) -> dict[str, Any]:
    """The resources dict of nbgrader's BaseConverter.init_single_notebook_resources."""
    return {
        "unique_key": notebook_name,
        "output_files_dir": f"{notebook_name}_files",
        "nbgrader": {
            "student": student,
            "assignment": assignment,
            "notebook": notebook_name,
            "db_url": db_url,
        },
    }


def prepare(
    root: Path,
    assignment: str,
    student: str,
    notebook: NotebookNode,
    *,
    notebook_name: str | None = None,
) -> NotebookNode:
    """The notebook a worker should execute: nbgrader's autograde sanitize step, in memory.

    ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells (with the course's
    ``add_missing_cells``) and CheckCellMetadata run on a copy of ``notebook`` against the
    gradebook (read only): locked cells and hidden tests are restored, deleted test cells added
    back, the kernelspec is the release's. ``notebook`` itself is not modified.

    Args:
        root: the course root.
        assignment: the assignment (already recorded in the gradebook: :func:`sync_gradebook`).
        student: the student id (only carried in the resources, as nbgrader does).
        notebook: the staged submission (nbformat 4).
        notebook_name: the notebook's name (file stem) in the gradebook; by default the
            assignment's only notebook.

    Raises:
        NbgraderError: the assignment is not in the gradebook, or nbgrader rejects the
            notebook's metadata (one line).
    """
    config = course_config(root)
    name = notebook_name or _only_notebook(root, assignment)
    resources = _resources(root, assignment, student, name, config.CourseDirectory.db_url)
    nb = copy.deepcopy(notebook)
    with _environment(), _captured_log() as (logger, buffer):
        try:
            for cls in _sanitize_preprocessors(clear_output=True):
                nb, resources = cls(config=config, log=logger)(nb, resources)
        except Exception as exc:  # nbgrader's ValidationError, RuntimeError, MissingEntry ...
            log = buffer.getvalue()
            detail = one_line(log + "\n" + str(exc), str(exc))
            raise NbgraderError(f"nbgrader rejected the notebook: {detail}", log) from None
    return nb


def _only_notebook(root: Path, assignment: str) -> str:
    names = notebook_names(root, assignment)
    if len(names) != 1:
        found = ", ".join(names) or "none"
        raise NbgraderError(
            f"{assignment} has {len(names)} notebooks in the gradebook ({found}): "
            "pass notebook_name, or run `python -m grader release` first"
        )
    return names[0]


def finalize(
    root: Path,
    assignment: str,
    student: str,
    executed_notebooks: dict[str, NotebookNode],
) -> None:
    """Record the grades of already-executed notebooks through nbgrader's Autograde converter.

    Writes ``autograded/<student>/<assignment>/<name>.ipynb`` and the gradebook (scores,
    comments, late penalty) exactly as ``nbgrader autograde`` does; a notebook of the assignment
    missing from ``executed_notebooks`` scores 0, as nbgrader does for a missing file. The
    submission's ``timestamp.txt`` (if any) is carried over from ``submitted/``.

    Args:
        root: the course root.
        assignment: the assignment.
        student: the student id (created in the gradebook if new).
        executed_notebooks: notebook name (file stem) -> executed notebook, after the
            coordinator's verdicts were applied.

    Raises:
        NbgraderError: nbgrader could not record this submission (one line; log attached).
    """
    root = Path(root).resolve()
    config = course_config(root)
    config.Autograde.sanitize_preprocessors = _sanitize_preprocessors(clear_output=False)
    config.Autograde.autograde_preprocessors = _autograde_preprocessors()
    with tempfile.TemporaryDirectory(prefix="nn-tricks-finalize-") as tmp:
        staged = Path(tmp) / student / assignment
        staged.mkdir(parents=True)
        timestamp = root / settings.SUBMITTED_DIR / student / assignment / "timestamp.txt"
        if timestamp.is_file():
            shutil.copy2(timestamp, staged / "timestamp.txt")
        for name, nb in executed_notebooks.items():
            nbformat.write(nb, staged / f"{name}.ipynb")
        config.CourseDirectory.submitted_directory = tmp
        with _environment(), _captured_log() as (logger, _):
            result = _api(config, logger).autograde(assignment, student, force=True, create=True)
    _check(result, f"recording the grades of {student} failed")


# ---------------------------------------------------------------------------------------------
# gradebook reads and non-conversion writes
# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _gradebook(root: Path, *, create: bool = False) -> Iterator[Any]:
    """The course gradebook; without ``create``, a missing SQLite file is an error."""
    url = settings.gradebook_url(root)
    if url.startswith("sqlite:///") and not create:
        path = Path(url[len("sqlite:///") :])
        if not path.is_file():
            raise NbgraderError(
                f"no gradebook at {path}: run `python -m grader autograde <assignment>` first"
            )
    with _environment(), Gradebook(url, settings.COURSE_ID) as gb:
        yield gb


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
    with _gradebook(root) as gb:
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


def submission_score(root: Path, assignment: str, student: str) -> tuple[float, float] | None:
    """(score, max score) of a submission in points, late penalty deducted; None if absent."""
    with _gradebook(root) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return None
        score = max(0.0, float(submission.score) - float(submission.late_submission_penalty or 0))
        return score, float(submission.max_score)


def ensure_student(root: Path, student: str) -> None:
    """Create the student's row in the gradebook if it is missing."""
    with _gradebook(root, create=True) as gb:
        gb.update_or_create_student(student)


def record_not_graded(root: Path, assignment: str, student: str) -> None:
    """Mark a submission that could not be graded: every autograded cell without a score and
    flagged for the formgrader (never a plain 0), and its autograded copy removed."""
    with _gradebook(root, create=True) as gb:
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
    """Every assignment x student of the gradebook, in nbgrader export's order."""
    rows = []
    with _gradebook(root) as gb:
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
