"""End-to-end grading, the way nbgrader tests itself: a throwaway course directory, a release,
fake submissions under submitted/<student>/<assignment>/, then the TA command
(`helpers.course autograde / feedback / export`) and scores read back through the Gradebook API.

The batch runs on tests/fixtures/sample-assignment (no TensorFlow: fast). A second test does
the same for every graded practice in solutions/practice-* (solution: full marks, untouched
release: 0) in fast mode and prints the time per submission.
"""

from __future__ import annotations

import copy
import hashlib
import shutil
import time
from pathlib import Path

import nbformat
import pytest

from helpers import course

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "sample-assignment"
SAMPLE = "sample-assignment"
TEST_TIMEOUT = 20  # seconds per cell: the infinite-loop submission must be interrupted quickly

pytestmark = pytest.mark.grading


# ---------------------------------------------------------------------------------------------
# helpers shared by both tests
# ---------------------------------------------------------------------------------------------


def make_course(tmp: Path, assignment_sources: dict[str, Path]) -> Path:
    """A temporary course: nbgrader_config.py plus solutions/<assignment>/ copies, released."""
    root = tmp / "course"
    (root / "solutions").mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    for name, source in assignment_sources.items():
        shutil.copytree(source, root / "solutions" / name)
    course.release(root)
    return root


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def fill_solutions(released, solution):
    """The released notebook with every answer cell replaced by the instructor's solution."""
    answers = {grade_id(c): c.source for c in solution.cells if grade_id(c)}
    nb = copy.deepcopy(released)
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and grade_id(cell) in answers:
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
    """grade_id -> (score, max_score) of every graded cell of a submission."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "nn-tricks") as gb:
        submission = gb.find_submission(assignment, student)
        return {
            grade.name: (float(grade.score), float(grade.max_score))
            for notebook in submission.notebooks
            for grade in notebook.grades
        }


def total_score(root: Path, assignment: str, student: str) -> float:
    return sum(score for score, _ in cell_scores(root, assignment, student).values())


# ---------------------------------------------------------------------------------------------
# the sample batch: every kind of submission in ONE autograde run
# ---------------------------------------------------------------------------------------------

# student -> (expected total out of 5, what the submission does)
EXPECTED = {
    "solution": (5.0, "the instructor's answers"),
    "blank": (0.0, "the untouched release"),
    "wrong": (4.0, "add() subtracts: its 1-point test fails"),
    "deleted": (5.0, "correct, but the add test cell deleted: restored and graded"),
    "duplicated": (5.0, "correct, with a copy-pasted answer cell and test cell"),
    "loop": (1.0, "an infinite loop in the mean cell: interrupted, mean undefined"),
    "raises": (4.0, "the add cell raises before defining add"),
    "corrupt": (0.0, "the notebook file is not valid JSON"),
    "renamed": (0.0, "the notebook was uploaded as 'sample (1).ipynb'"),
    "warns": (5.0, "correct; add() emits a UserWarning (harmless stderr, IgnorePattern)"),
    "stderr": (1.0, "mean() prints to stderr: a test cell with real stderr scores 0"),
}
NO_FEEDBACK = {"corrupt", "renamed"}  # nothing was executed: no feedback page


@pytest.fixture(scope="module")
def sample_batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grading")
    root = make_course(tmp, {SAMPLE: FIXTURE})
    released = nbformat.read(root / "notebooks" / SAMPLE / "sample.ipynb", as_version=4)
    solution = nbformat.read(FIXTURE / "sample.ipynb", as_version=4)
    solved = fill_solutions(released, solution)

    submit(root, "solution", SAMPLE, "sample.ipynb", solved)
    submit(root, "blank", SAMPLE, "sample.ipynb", released)

    wrong = copy.deepcopy(solved)
    wrong.cells[cell_index(wrong, "sample-add")].source = "def add(a, b):\n    return a - b\n"
    submit(root, "wrong", SAMPLE, "sample.ipynb", wrong)

    deleted = copy.deepcopy(solved)
    del deleted.cells[cell_index(deleted, "sample-test-add")]
    submit(root, "deleted", SAMPLE, "sample.ipynb", deleted)

    duplicated = copy.deepcopy(solved)
    for gid in ("sample-mean", "sample-test-mean"):
        index = cell_index(duplicated, gid)
        twin = copy.deepcopy(duplicated.cells[index])
        twin["id"] = f"{twin['id']}-copy"
        duplicated.cells.insert(index + 1, twin)
    submit(root, "duplicated", SAMPLE, "sample.ipynb", duplicated)

    loop = copy.deepcopy(solved)
    index = cell_index(loop, "sample-mean")
    loop.cells[index].source = "while True:\n    pass\n\n" + loop.cells[index].source
    submit(root, "loop", SAMPLE, "sample.ipynb", loop)

    raises = copy.deepcopy(solved)
    index = cell_index(raises, "sample-add")
    raises.cells[index].source = 'raise RuntimeError("oops")\n' + raises.cells[index].source
    submit(root, "raises", SAMPLE, "sample.ipynb", raises)

    submit(root, "corrupt", SAMPLE, "sample.ipynb", '{"cells": [ {"cell_type": "code", oops')
    submit(root, "renamed", SAMPLE, "sample (1).ipynb", solved)

    warns = copy.deepcopy(solved)
    warns.cells[cell_index(warns, "sample-add")].source = (
        "import warnings\n\n\ndef add(a, b):\n"
        '    warnings.warn("add() will change", UserWarning)\n    return a + b\n'
    )
    submit(root, "warns", SAMPLE, "sample.ipynb", warns)

    stderr = copy.deepcopy(solved)
    stderr.cells[cell_index(stderr, "sample-mean")].source = (
        "import sys\n\n\ndef mean(values):\n"
        '    print("debugging mean", file=sys.stderr)\n'
        "    if not values:\n        raise ValueError\n    return sum(values) / len(values)\n"
    )
    submit(root, "stderr", SAMPLE, "sample.ipynb", stderr)

    before = hashes(root / "submitted")
    started = time.perf_counter()
    status = course.main(
        ["--course-dir", str(root), "autograde", SAMPLE, "--timeout", str(TEST_TIMEOUT)]
    )
    seconds = time.perf_counter() - started
    print(f"\nsample batch: {len(EXPECTED)} submissions autograded in {seconds:.1f} s")
    return {"root": root, "status": status, "before": before, "seconds": seconds}


def test_batch_completes(sample_batch):
    assert sample_batch["status"] == 0
    assert sample_batch["seconds"] < 240, "the sample batch should grade in about a minute"


@pytest.mark.parametrize("student", list(EXPECTED))
def test_each_submission_gets_the_score_it_deserves(sample_batch, student):
    expected, what = EXPECTED[student]
    got = total_score(sample_batch["root"], SAMPLE, student)
    assert got == expected, f"{student} ({what}): got {got}, expected {expected}"


def test_deleted_test_cell_is_restored_and_graded(sample_batch):
    root = sample_batch["root"]
    assert cell_scores(root, SAMPLE, "deleted")["sample-test-add"] == (1.0, 1.0)
    graded = (root / "autograded" / "deleted" / SAMPLE / "sample.ipynb").read_text()
    assert "was missing from the submission" in graded


def test_cell_scores_of_partial_submissions(sample_batch):
    root = sample_batch["root"]
    assert cell_scores(root, SAMPLE, "wrong")["sample-test-add"] == (0.0, 1.0)
    loop = cell_scores(root, SAMPLE, "loop")
    assert loop["sample-test-add"] == (1.0, 1.0)
    assert loop["sample-test-mean"] == (0.0, 2.0)


def test_submitted_files_are_never_modified(sample_batch):
    assert hashes(sample_batch["root"] / "submitted") == sample_batch["before"]


def test_feedback_and_export(sample_batch, capsys):
    root = sample_batch["root"]
    assert course.main(["--course-dir", str(root), "feedback", SAMPLE]) == 0
    pages = sorted(p.parent.parent.name for p in (root / "feedback").glob(f"*/{SAMPLE}/*.html"))
    # every readable submission gets a feedback page; the corrupt one has nothing to show
    assert pages == sorted(set(EXPECTED) - NO_FEEDBACK)
    csv_path = root / "grades.csv"
    assert course.main(["--course-dir", str(root), "export", "--to", str(csv_path)]) == 0
    import csv

    rows = list(csv.DictReader(csv_path.open()))
    scores = {row["student_id"]: float(row["score"]) for row in rows}
    assert scores == {student: expected for student, (expected, _) in EXPECTED.items()}
    out = capsys.readouterr().out
    assert "feedback page(s)" in out and "exported" in out


# ---------------------------------------------------------------------------------------------
# clear one-line errors
# ---------------------------------------------------------------------------------------------


def one_line_error(capsys, argv) -> str:
    assert course.main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err, err
    return err


def test_errors_are_one_clear_line(tmp_path, capsys):
    root = tmp_path / "course"
    (root / "solutions").mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(FIXTURE, root / "solutions" / SAMPLE)
    base = ["--course-dir", str(root)]
    assert "no assignment 'nope'" in one_line_error(capsys, [*base, "autograde", "nope"])
    assert "collect" in one_line_error(capsys, [*base, "autograde", SAMPLE])
    assert "autograde" in one_line_error(capsys, [*base, "feedback", SAMPLE])
    assert "not found" in one_line_error(capsys, [*base, "collect", str(tmp_path / "x.zip")])
    assert "nbgrader_config.py" in one_line_error(capsys, ["--course-dir", str(tmp_path), "check"])


def test_collect_unpacks_an_lms_zip(tmp_path, capsys):
    import zipfile

    root = tmp_path / "course"
    (root / "solutions").mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(FIXTURE, root / "solutions" / SAMPLE)
    course.release(root)
    archive = tmp_path / "lms.zip"
    released = (root / "notebooks" / SAMPLE / "sample.ipynb").read_bytes()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"s001_{SAMPLE}_sample.ipynb", released)
        zf.writestr(f"s002_{SAMPLE}_sample.ipynb", released)
        zf.writestr("readme.txt", "not a submission")
    assert course.main(["--course-dir", str(root), "collect", str(archive)]) == 0
    for student in ("s001", "s002"):
        path = root / "submitted" / student / SAMPLE / "sample.ipynb"
        assert path.read_bytes() == released
    assert "collected 2 submission(s)" in capsys.readouterr().out


def test_every_command_has_help_with_an_example(capsys):
    for command in ("release", "check", "collect", "autograde", "feedback", "export"):
        with pytest.raises(SystemExit) as exit_info:
            course.main([command, "--help"])
        assert exit_info.value.code == 0
        assert "Example: python -m helpers.course " + command in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# the real graded practices (written in solutions/practice-*), in fast mode
# ---------------------------------------------------------------------------------------------

PRACTICES = sorted(p.name for p in (REPO / "solutions").glob("practice-*") if p.is_dir())


def grade_solution_and_blank(tmp_path: Path, assignment: str, source: Path):
    """Release ``source`` in a temporary course, autograde its solution and its blank."""
    root = make_course(tmp_path, {assignment: source})
    for notebook in sorted(source.glob("*.ipynb")):
        released = nbformat.read(root / "notebooks" / assignment / notebook.name, as_version=4)
        solution = nbformat.read(notebook, as_version=4)
        submit(root, "solution", assignment, notebook.name, fill_solutions(released, solution))
        submit(root, "blank", assignment, notebook.name, released)
    reports = course.autograde(root, assignment)
    for report in reports:
        print(f"\n{assignment}: {report.student} autograded in {report.seconds:.1f} s")
        assert not report.failed, report.notes
    scores = {student: cell_scores(root, assignment, student) for student in ("solution", "blank")}
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "nn-tricks") as gb:
        autograded_ids = {
            cell.name
            for notebook in gb.find_assignment(assignment).notebooks
            for cell in notebook.grade_cells
            if cell.cell_type == "code"
        }
    assert autograded_ids, f"{assignment} has no autograded test cell"
    for gid in sorted(autograded_ids):
        score, max_score = scores["solution"][gid]
        assert score == max_score, f"the solution loses points on {gid}: {score}/{max_score}"
        assert scores["blank"][gid][0] == 0, f"the blank release scores on {gid}"


def test_sample_solution_full_marks_blank_zero(tmp_path):
    grade_solution_and_blank(tmp_path, SAMPLE, FIXTURE)


@pytest.mark.skipif(not PRACTICES, reason="no solutions/practice-* assignment yet")
@pytest.mark.parametrize("practice", PRACTICES or ["none"])
def test_practice_solution_full_marks_blank_zero(practice, tmp_path, monkeypatch):
    monkeypatch.setenv("NN_TRICKS_FAST", "1")
    grade_solution_and_blank(tmp_path, practice, REPO / "solutions" / practice)
