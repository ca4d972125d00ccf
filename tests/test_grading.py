"""End-to-end grading, the way nbgrader tests itself: a throwaway course directory, a release,
fake submissions under submitted/<student>/<assignment>/, then the TA command
(`python -m grader autograde / feedback / export`, through grader.cli.main) and scores read back
through the Gradebook API.

The batch runs through the grader pipeline (docs/grading.md): grader.run.worker (sandbox, seals,
evidence) with ``--sandbox auto``. The cell interrupted on its CPU budget and the batch under
``--sandbox require`` are checked in tests/grader/sandbox/test_bwrap.py and
tests/grader/test_hostile_batch.py.

Everything runs on the real graded practices (solutions/practice-*) in fast grading mode:

* one batch of every kind of submission a TA meets, on practice 1b (kernel sizes), graded in a
  single autograde run: each submission must get, cell by cell, the score it deserves;
* for every practice: the solution scores full marks, the untouched release 0, and a typical
  wrong answer partial credit.

Expected scores are written as "which test cells must fail"; the points come from the
gradebook, so a change of points in a practice does not need a change here.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from grader import cli
from grader.batch.autograde import autograde
from grader.batch.plan import AutogradeOptions
from grader.cells import grade_id, is_solution
from grader.commands.release import release
from grader.run.jobs import Limits

REPO = Path(__file__).resolve().parent.parent
PRACTICES = sorted(p.name for p in (REPO / "solutions").glob("practice-*") if p.is_dir())
BATCH = "practice-1b-kernel-sizes"
BATCH_NOTEBOOK = "kernel_sizes.ipynb"
# CPU seconds per cell: enough for a fast-mode training cell, short enough that the
# infinite-loop submission is interrupted quickly; wall seconds: the backstop on a busy machine
CELL_CPU_SECONDS = 30
TEST_TIMEOUT = 120
LIMIT_ARGS = ["--cell-cpu-seconds", str(CELL_CPU_SECONDS), "--timeout", str(TEST_TIMEOUT)]

pytestmark = pytest.mark.grading


# ---------------------------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------------------------


def make_course(tmp: Path, assignment_sources: dict[str, Path]) -> Path:
    """A temporary course: nbgrader_config.py plus solutions/<assignment>/ copies, released."""
    root = tmp / "course"
    (root / "solutions").mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    for name, source in assignment_sources.items():
        shutil.copytree(source, root / "solutions" / name)
    release(root)
    return root


def fill_solutions(released, solution):
    """The released notebook with every answer cell replaced by the instructor's solution."""
    answers = {grade_id(c): c.source for c in solution.cells if grade_id(c)}
    nb = copy.deepcopy(released)
    for cell in nb.cells:
        if is_solution(cell) and grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


def cell_index(nb, gid: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if grade_id(c) == gid)


def submit(root: Path, student: str, assignment: str, filename: str, nb_or_text) -> Path:
    folder = root / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    if isinstance(nb_or_text, str):
        path.write_text(nb_or_text, encoding="utf-8")
    else:
        nbformat.write(nb_or_text, path)
    return path


def hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def cell_scores(root: Path, assignment: str, student: str) -> dict[str, tuple[float, float]]:
    """grade_id -> (score, max_score) of every autograded test cell of a submission."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "nn-tricks") as gb:
        autograded = {
            cell.name
            for notebook in gb.find_assignment(assignment).notebooks
            for cell in notebook.grade_cells
            if cell.cell_type == "code"
        }
        submission = gb.find_submission(assignment, student)
        return {
            grade.name: (float(grade.score), float(grade.max_score))
            for notebook in submission.notebooks
            for grade in notebook.grades
            if grade.name in autograded
        }


EVERY_TEST = frozenset({"*"})


def assert_scores(root: Path, assignment: str, student: str, failing: frozenset[str], what: str):
    """Every autograded test cell in ``failing`` scores 0, every other one full marks."""
    scores = cell_scores(root, assignment, student)
    assert scores, f"{assignment} has no autograded test cell"
    unknown = failing - set(scores) - EVERY_TEST
    assert not unknown, f"no such test cells in {assignment}: {sorted(unknown)}"
    for gid, (score, max_score) in sorted(scores.items()):
        expected = 0.0 if failing == EVERY_TEST or gid in failing else max_score
        assert score == expected, f"{student} ({what}): {gid} scored {score}/{max_score}"


def expected_total(root: Path, assignment: str, student: str, failing: frozenset[str]) -> float:
    scores = cell_scores(root, assignment, student)
    if failing == EVERY_TEST:
        return 0.0
    return sum(max_score for gid, (_, max_score) in scores.items() if gid not in failing)


def edited(nb, gid: str, old: str, new: str):
    """A copy of ``nb`` with ``old`` replaced by ``new`` in cell ``gid``, which must hold it."""
    nb = copy.deepcopy(nb)
    cell = nb.cells[cell_index(nb, gid)]
    assert old in cell.source, f"{gid} no longer contains {old!r}: update the test's edit"
    cell.source = cell.source.replace(old, new)
    return nb


@dataclass(frozen=True)
class WrongAnswer:
    """A typical student mistake: ``old`` replaced by ``new`` in the answer cell ``grade_id``."""

    grade_id: str
    old: str
    new: str
    what: str
    failing: frozenset[str]  # the test cells that must catch it (and only those)


WRONG_ANSWERS = {
    "practice-1a-l1-vs-l2": WrongAnswer(
        "l1l2-build-l1",
        "keras.regularizers.L1(lam)",
        "keras.regularizers.L1(0.01)",
        "the L1 strength hard-coded to 0.01 instead of the argument lam",
        frozenset({"l1l2-test-l1-strength"}),
    ),
    "practice-1b-kernel-sizes": WrongAnswer(
        "kernels-build-cnn",
        "keras.layers.Conv2D(filters, kernel_size,",
        "keras.layers.Conv2D(filters, 5,",
        "the kernel size hard-coded to 5 instead of the argument kernel_size",
        frozenset({"kernels-test-cnn-other-sizes", "kernels-test-trained"}),
    ),
    "practice-2-rotated-test": WrongAnswer(
        "rotated-rotate-test-set",
        "angles = sizes * signs",
        "angles = sizes",
        "rotates every image the same way (no random sign)",
        frozenset({"rotated-test-rotate"}),
    ),
}


def wrong_submission(solved, assignment: str):
    wrong = WRONG_ANSWERS[assignment]
    return edited(solved, wrong.grade_id, wrong.old, wrong.new)


def test_every_practice_has_a_typical_wrong_answer():
    assert PRACTICES, "no solutions/practice-* assignment"
    assert sorted(WRONG_ANSWERS) == PRACTICES


# ---------------------------------------------------------------------------------------------
# the batch: every kind of submission, on practice 1b, in ONE autograde run
# ---------------------------------------------------------------------------------------------

SHAPES_TESTS = frozenset({"kernels-test-shapes", "kernels-test-params"})
BUILD_TESTS = frozenset(
    {"kernels-test-cnn-5x5", "kernels-test-cnn-other-sizes", "kernels-test-trained"}
)

# student -> (test cells that must score 0, what the submission does)
BATCH_CASES = {
    "solution": (frozenset(), "the instructor's answers"),
    "blank": (EVERY_TEST, "the untouched release"),
    "wrong": (WRONG_ANSWERS[BATCH].failing, WRONG_ANSWERS[BATCH].what),
    "deleted": (frozenset(), "correct, but a test cell deleted: restored and graded"),
    "duplicated": (frozenset(), "correct, with a copy-pasted answer cell and test cell"),
    "loop": (SHAPES_TESTS, "an infinite loop in the shapes cell: interrupted, function undefined"),
    "raises": (BUILD_TESTS, "the build_cnn cell raises before defining build_cnn"),
    "corrupt": (EVERY_TEST, "the notebook file is not valid JSON"),
    "renamed": (EVERY_TEST, f"the notebook was uploaded as '{BATCH_NOTEBOOK[:-6]} (1).ipynb'"),
    "warns": (frozenset(), "correct; a UserWarning on stderr (harmless, IgnorePattern)"),
    "stderr": (SHAPES_TESTS, "debugging prints on stderr: a test cell with real stderr scores 0"),
}
NO_FEEDBACK = {"corrupt", "renamed"}  # nothing was executed: no feedback page


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grading")
    root = make_course(tmp, {BATCH: REPO / "solutions" / BATCH})
    released = nbformat.read(root / "notebooks" / BATCH / BATCH_NOTEBOOK, as_version=4)
    solution = nbformat.read(REPO / "solutions" / BATCH / BATCH_NOTEBOOK, as_version=4)
    solved = fill_solutions(released, solution)

    def hand_in(student, nb_or_text, filename=BATCH_NOTEBOOK):
        submit(root, student, BATCH, filename, nb_or_text)

    hand_in("solution", solved)
    hand_in("blank", released)
    hand_in("wrong", wrong_submission(solved, BATCH))

    deleted = copy.deepcopy(solved)
    del deleted.cells[cell_index(deleted, "kernels-test-shapes")]
    hand_in("deleted", deleted)

    duplicated = copy.deepcopy(solved)
    for gid in ("kernels-shapes-and-params", "kernels-test-shapes"):
        index = cell_index(duplicated, gid)
        twin = copy.deepcopy(duplicated.cells[index])
        twin["id"] = f"{twin['id']}-copy"
        duplicated.cells.insert(index + 1, twin)
    hand_in("duplicated", duplicated)

    shapes_def = "def cnn_shapes_and_params("
    hand_in(
        "loop",
        edited(
            solved,
            "kernels-shapes-and-params",
            shapes_def,
            f"while True:\n    pass\n\n\n{shapes_def}",
        ),
    )
    build_def = "def build_cnn("
    hand_in(
        "raises",
        edited(
            solved, "kernels-build-cnn", build_def, f'raise RuntimeError("oops")\n\n\n{build_def}'
        ),
    )
    hand_in("corrupt", '{"cells": [ {"cell_type": "code", oops')
    hand_in("renamed", solved, filename=f"{BATCH_NOTEBOOK[:-6]} (1).ipynb")
    body = '    """Output shapes'
    hand_in(
        "warns",
        edited(
            solved,
            "kernels-shapes-and-params",
            body,
            '    import warnings\n\n    warnings.warn("check me", UserWarning)\n' + body,
        ),
    )
    hand_in(
        "stderr",
        edited(
            solved,
            "kernels-shapes-and-params",
            body,
            '    import sys\n\n    print("debugging", file=sys.stderr)\n' + body,
        ),
    )

    before = hashes(root / "submitted")
    started = time.perf_counter()
    status = cli.main(["--course-dir", str(root), "autograde", BATCH, *LIMIT_ARGS])
    seconds = time.perf_counter() - started
    print(f"\n{BATCH}: {len(BATCH_CASES)} submissions autograded in {seconds:.1f} s")
    return {"root": root, "status": status, "before": before}


# the corrupt and renamed notebooks are "not graded": the batch completes with exit status 1
NOT_GRADED = {"corrupt", "renamed"}


def test_batch_completes(batch):
    assert batch["status"] == 1


@pytest.mark.parametrize("student", list(BATCH_CASES))
def test_each_submission_gets_its_status(batch, student):
    from grader.batch.status import read_statuses

    status = read_statuses(batch["root"])[BATCH][student]
    expected = "not graded" if student in NOT_GRADED else "graded"
    assert status.status == expected, (student, status.reasons)
    if student in NOT_GRADED:
        assert any("resubmit" in reason for reason in status.reasons)


@pytest.mark.parametrize("student", list(BATCH_CASES))
def test_each_submission_gets_the_score_it_deserves(batch, student):
    failing, what = BATCH_CASES[student]
    assert_scores(batch["root"], BATCH, student, failing, what)


def test_wrong_answer_earns_partial_credit(batch):
    scores = cell_scores(batch["root"], BATCH, "wrong")
    earned = sum(score for score, _ in scores.values())
    assert 0 < earned < sum(max_score for _, max_score in scores.values())


def test_deleted_test_cell_is_restored_and_graded(batch):
    from grader.batch.status import read_statuses

    root = batch["root"]
    notes = read_statuses(root)[BATCH]["deleted"].notes
    assert any("kernels-test-shapes" in note and "restored" in note for note in notes)
    score, max_score = cell_scores(root, BATCH, "deleted")["kernels-test-shapes"]
    assert score == max_score > 0


def test_submitted_files_are_never_modified(batch):
    assert hashes(batch["root"] / "submitted") == batch["before"]


def test_feedback_and_export(batch, capsys):
    root = batch["root"]
    assert cli.main(["--course-dir", str(root), "feedback", BATCH]) == 0
    pages = sorted(p.parent.parent.name for p in (root / "feedback").glob(f"*/{BATCH}/*.html"))
    # every readable submission gets a feedback page; the corrupt and renamed ones have none
    assert pages == sorted(set(BATCH_CASES) - NO_FEEDBACK)
    csv_path = root / "grades.csv"
    assert cli.main(["--course-dir", str(root), "export", "--to", str(csv_path)]) == 0
    rows = list(csv.DictReader(csv_path.open()))
    exported = {row["student_id"]: row["score"] for row in rows}
    expected = {
        student: "" if student in NOT_GRADED else expected_total(root, BATCH, student, failing)
        for student, (failing, _) in BATCH_CASES.items()
    }
    assert {s: v if v == "" else float(v) for s, v in exported.items()} == expected
    statuses = {row["student_id"]: row["status"] for row in rows}
    assert {s for s, v in statuses.items() if v == "not graded"} == NOT_GRADED
    out = capsys.readouterr().out
    assert "feedback page(s)" in out and "exported" in out
    # the same grades as Canvas imports them: a number only where the status is graded
    argv = ["export", "--to", str(csv_path), "--lms", "canvas", "--assignment", BATCH]
    assert cli.main(["--course-dir", str(root), *argv]) == 0
    canvas = list(csv.DictReader((root / f"grades-canvas-{BATCH}.csv").open(encoding="utf-8")))
    assert {row["ID"]: row[BATCH] for row in canvas} == {
        student: exported[student] if statuses[student] == "graded" else "" for student in exported
    }
    held = list(csv.DictReader((root / f"grades-canvas-{BATCH}-held.csv").open(encoding="utf-8")))
    assert {row["student_id"] for row in held} == {s for s, v in statuses.items() if v != "graded"}


# ---------------------------------------------------------------------------------------------
# the other practices: solution, untouched release and a typical wrong answer
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("practice", [p for p in PRACTICES if p != BATCH])
def test_practice_solution_blank_and_wrong_answer(practice, tmp_path):
    """Solution: full marks; untouched release: 0; a typical wrong answer: partial credit."""
    source = REPO / "solutions" / practice
    root = make_course(tmp_path, {practice: source})
    (notebook,) = sorted(source.glob("*.ipynb"))
    released = nbformat.read(root / "notebooks" / practice / notebook.name, as_version=4)
    solved = fill_solutions(released, nbformat.read(notebook, as_version=4))
    submit(root, "solution", practice, notebook.name, solved)
    submit(root, "blank", practice, notebook.name, released)
    submit(root, "wrong", practice, notebook.name, wrong_submission(solved, practice))
    limits = Limits(cell_cpu_seconds=CELL_CPU_SECONDS, cell_wall_seconds=TEST_TIMEOUT)
    report = autograde(root, practice, AutogradeOptions(limits=limits))
    for outcome in report.outcomes:
        print(f"\n{practice}: {outcome.student} autograded in {outcome.wall_seconds:.1f} s")
        assert outcome.status == "graded", outcome.reasons
    wrong = WRONG_ANSWERS[practice]
    assert_scores(root, practice, "solution", frozenset(), "the instructor's answers")
    assert_scores(root, practice, "blank", EVERY_TEST, "the untouched release")
    assert_scores(root, practice, "wrong", wrong.failing, wrong.what)
