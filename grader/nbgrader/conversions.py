"""nbgrader's conversions of a course's notebooks, run in-process through its API.

* :func:`generate_assignment` and :func:`sync_gradebook`: the release, and the assignment's
  cells (tests, points, checksums) recorded in the gradebook;
* :func:`prepare`: nbgrader's autograde *sanitize* step on a notebook in memory, read-only
  against the gradebook: the notebook a worker executes, with locked cells and hidden tests
  restored and deleted test cells added back;
* :func:`finalize`: nbgrader's real ``Autograde`` converter records the grades of notebooks that
  were already executed elsewhere (:func:`grader.nbgrader.preprocessors.autograde_preprocessors`).
  It writes ``autograded/<student>/<assignment>/`` and the gradebook exactly as a normal
  autograde does, so ``nbgrader generate_feedback`` and the formgrader work unchanged;
* :func:`generate_feedback`: ``feedback/`` from the autograded copies.

nbgrader's log goes into a private logger per call (never to the terminal); every failure
raises :class:`NbgraderError` (re-exported here) with one line for the TA and the captured log
in ``.log``.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from grader import settings
from grader.nbgrader.config import course_config
from grader.nbgrader.errors import NbgraderError, one_line
from grader.nbgrader.gradebook import notebook_names
from grader.nbgrader.preprocessors import autograde_preprocessors, sanitize_preprocessors
from grader.nbgrader.runtime import api, captured_log, check, environment

__all__ = [
    "NbgraderError",
    "finalize",
    "generate_assignment",
    "generate_feedback",
    "prepare",
    "sync_gradebook",
]


def generate_assignment(
    root: Path, assignment: str, release_dir: Path, *, db_url: str | None = None
) -> str:
    """``nbgrader generate_assignment`` of ``assignment`` (a name or ``"*"``) into
    ``release_dir``, recording its cells in the gradebook at ``db_url`` (default: the course's).

    Returns:
        nbgrader's log.

    Raises:
        NbgraderError: nbgrader failed (one line; log attached).
    """
    config = course_config(root, db_url=db_url)
    config.CourseDirectory.release_directory = str(Path(release_dir).resolve())
    with environment(), captured_log() as (logger, _):
        result = api(config, logger).generate_assignment(assignment, force=True, create=True)
    what = "release" if assignment == "*" else f"release of {assignment}"
    return check(result, f"{what} failed")


def sync_gradebook(root: Path, assignment: str) -> str:
    """Record ``assignment``'s cells (tests, points, checksums) in the course gradebook.

    The release written on the way is thrown away.

    Returns:
        nbgrader's log.

    Raises:
        NbgraderError: the assignment could not be recorded (one line; log attached).
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
    student's) into ``feedback/``.

    Returns:
        nbgrader's log.

    Raises:
        NbgraderError: nbgrader failed (one line; log attached).
    """
    config = course_config(root)
    with environment(), captured_log() as (logger, _):
        result = api(config, logger).generate_feedback(assignment, student, force=True)
    return check(result, f"feedback for {assignment} failed")


def _resources(assignment: str, student: str, notebook_name: str, db_url: str) -> dict[str, Any]:
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


def _only_notebook(root: Path, assignment: str) -> str:
    """The name of the assignment's one notebook in the gradebook."""
    names = notebook_names(root, assignment)
    if len(names) != 1:
        found = ", ".join(names) or "none"
        raise NbgraderError(
            f"{assignment} has {len(names)} notebooks in the gradebook ({found}): "
            "pass notebook_name, or run `python -m grader release` first"
        )
    return names[0]


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
    resources = _resources(assignment, student, name, config.CourseDirectory.db_url)
    nb = copy.deepcopy(notebook)
    with environment(), captured_log() as (logger, buffer):
        try:
            for cls in sanitize_preprocessors(clear_output=True):
                nb, resources = cls(config=config, log=logger)(nb, resources)
        except Exception as exc:  # nbgrader's ValidationError, RuntimeError, MissingEntry ...
            log = buffer.getvalue()
            detail = one_line(log + "\n" + str(exc), str(exc))
            raise NbgraderError(f"nbgrader rejected the notebook: {detail}", log) from None
    return nb


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
    submission's ``timestamp.txt`` (if any) is carried over from ``submitted/``. The sanitize
    step runs without ClearOutput (the outputs survive; OverwriteCells still restores locked
    sources) and the Execute step is :class:`~grader.nbgrader.preprocessors.AlreadyExecuted`.

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
    config.Autograde.sanitize_preprocessors = sanitize_preprocessors(clear_output=False)
    config.Autograde.autograde_preprocessors = autograde_preprocessors()
    with tempfile.TemporaryDirectory(prefix="nn-tricks-finalize-") as tmp:
        staged = Path(tmp) / student / assignment
        staged.mkdir(parents=True)
        timestamp = root / settings.SUBMITTED_DIR / student / assignment / "timestamp.txt"
        if timestamp.is_file():
            shutil.copy2(timestamp, staged / "timestamp.txt")
        for name, nb in executed_notebooks.items():
            nbformat.write(nb, staged / f"{name}.ipynb")
        config.CourseDirectory.submitted_directory = tmp
        with environment(), captured_log() as (logger, _):
            result = api(config, logger).autograde(assignment, student, force=True, create=True)
    check(result, f"recording the grades of {student} failed")
