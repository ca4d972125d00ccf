"""A temporary course for the pipeline tests, and a fake worker that executes nothing.

:func:`make_course` copies ``nbgrader_config.py`` and one assignment into a temporary folder and
releases it. :func:`fake_execute` stands in for ``grader.run.worker.execute_job``: it "executes" a
job by giving every code cell the outputs a real kernel would give a passing cell (the seal of
each sealed test cell, nothing else), so the coordinator's record step can be tested without a
kernel; a job's behaviour is chosen by its student id (see :data:`BEHAVIOUR`).
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_output

from grader.cells import grade_id, is_solution
from grader.commands.release import release
from grader.run.jobs import GradeJob, GradeResult

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = "practice-1b-kernel-sizes"
NOTEBOOK = "kernel_sizes.ipynb"
_SEAL = re.compile(r"display\.display\((\{.*\}), raw=True\)")

#: student id -> (what the fake worker does, the grade id it does it to)
BEHAVIOUR: dict[str, tuple[str, str]] = {
    "fails": ("error", "kernels-test-shapes"),  # the test raises: ordinary 0
    "unsealed": ("no seal", "kernels-test-params"),  # ends without its seal: needs review
    "crashes": ("failed", ""),  # the worker could not execute it: not graded
    "warns": ("noise", "kernels-test-table"),  # harmless library noise on stderr
}


def make_course(tmp: Path, assignment: str = ASSIGNMENT) -> Path:
    """A course with ``nbgrader_config.py`` and ``solutions/<assignment>/``, released."""
    root = tmp / "course"
    (root / "solutions").mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(REPO / "solutions" / assignment, root / "solutions" / assignment)
    release(root)
    return root


def released(root: Path) -> nbformat.NotebookNode:
    return nbformat.read(root / "notebooks" / ASSIGNMENT / NOTEBOOK, as_version=4)


def solved(root: Path) -> nbformat.NotebookNode:
    """The release with the instructor's answers filled in."""
    solution = nbformat.read(root / "solutions" / ASSIGNMENT / NOTEBOOK, as_version=4)
    answers = {grade_id(c): c.source for c in solution.cells if grade_id(c)}
    nb = copy.deepcopy(released(root))
    for cell in nb.cells:
        if is_solution(cell) and grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


def submit(root: Path, student: str, nb_or_text, filename: str = NOTEBOOK) -> Path:
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    if isinstance(nb_or_text, str | bytes):
        path.write_bytes(nb_or_text if isinstance(nb_or_text, bytes) else nb_or_text.encode())
    else:
        nbformat.write(nb_or_text, path)
    return path


def fake_execute(job: GradeJob) -> GradeResult:
    """A passing run of every cell, except what :data:`BEHAVIOUR` says for the student."""
    what, target = BEHAVIOUR.get(job.student, ("ok", ""))
    if what == "failed":
        return GradeResult(job.job_id, "failed", reason="kernel died (fake)", worker="fake")
    nb = nbformat.reads(job.notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        mine = grade_id(cell) == target
        if mine and what == "error":
            cell.outputs.append(
                new_output("error", ename="AssertionError", evalue="wrong", traceback=["wrong"])
            )
            continue
        if mine and what == "noise":
            text = "/x/keras/layer.py:12: UserWarning: Do not pass `input_shape`\n  super()\n"
            cell.outputs.append(new_output("stream", name="stderr", text=text))
        match = _SEAL.search(cell.source)
        if match and not (mine and what == "no seal"):
            cell.outputs.append(new_output("display_data", data=json.loads(match.group(1))))
    return GradeResult(
        job.job_id, "executed", nbformat.writes(nb), wall_seconds=0.01, worker="fake"
    )
