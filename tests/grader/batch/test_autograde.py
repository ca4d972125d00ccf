"""grader.batch.autograde and grader.batch.record, steps 2-4 (reference run, run, record) with a
fake worker: the verdicts, nbgrader's finalize, the gradebook, the status file, export and
feedback, without a kernel."""

from __future__ import annotations

import contextlib
import copy
import csv
import html
import json
import re
import tempfile
from pathlib import Path

import nbformat
import pytest

from grader.batch.autograde import autograde, run_batch
from grader.batch.plan import REFERENCE, AutogradeOptions, plan_batch
from grader.batch.staging import grade_id
from grader.batch.status import read_statuses
from grader.cells import is_solution
from grader.commands.export import export
from grader.commands.feedback import feedback
from grader.errors import GraderError
from grader.nbgrader.gradebook import cell_scores
from grader.run.jobs import GradeResult
from grader.run.runners import SequentialRunner
from tests.grader.fake_course import (
    ASSIGNMENT,
    NOTEBOOK,
    REPO,
    fake_execute,
    make_course,
    solved,
    submit,
)

STUDENTS = ("solution", "fails", "unsealed", "crashes", "warns", "corrupt", "deleted")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("record")
    root = make_course(tmp)
    nb = solved(root)
    for student in ("solution", "fails", "unsealed", "crashes", "warns"):
        submit(root, student, nb)
    submit(root, "corrupt", b"\xff\xfe not a notebook")
    deleted = copy.deepcopy(nb)
    deleted.cells = [c for c in deleted.cells if grade_id(c) != "kernels-test-shapes"]
    submit(root, "deleted", deleted)
    seen = []
    report = autograde(
        root,
        ASSIGNMENT,
        AutogradeOptions(),
        runner=SequentialRunner(),
        execute=fake_execute,
        on_outcome=seen.append,
    )
    return {"root": root, "report": report, "seen": seen}


def outcome(batch, student):
    return next(o for o in batch["report"].outcomes if o.student == student)


def test_every_submission_has_an_outcome_reported_as_it_came(batch):
    assert sorted(o.student for o in batch["report"].outcomes) == sorted(STUDENTS)
    assert batch["seen"] == list(batch["report"].outcomes)
    assert batch["report"].exit_status == 1


@pytest.mark.parametrize(
    ("student", "status"),
    [
        ("solution", "graded"),
        ("warns", "graded"),
        ("deleted", "graded"),
        ("fails", "graded"),
        ("unsealed", "needs review"),
        ("crashes", "not graded"),
        ("corrupt", "not graded"),
    ],
)
def test_statuses(batch, student, status):
    assert outcome(batch, student).status == status
    stored = read_statuses(batch["root"])[ASSIGNMENT][student]
    assert stored.status == status and stored.reasons == outcome(batch, student).reasons


def test_scores_cell_by_cell(batch):
    root = batch["root"]
    full = cell_scores(root, ASSIGNMENT, "solution")
    tests = {g: s for g, s in full.items() if s.cell_type == "code"}
    assert tests and all(s.score == s.max_score > 0 for s in tests.values())
    for student, failing in (("fails", "kernels-test-shapes"), ("unsealed", "kernels-test-params")):
        scores = cell_scores(root, ASSIGNMENT, student)
        for gid, score in scores.items():
            if score.cell_type == "code":
                expected = 0.0 if gid == failing else score.max_score
                assert score.score == expected, (student, gid)
    warns = cell_scores(root, ASSIGNMENT, "warns")["kernels-test-table"]
    assert warns.score == warns.max_score, "library noise on stderr must not cost points"
    restored = cell_scores(root, ASSIGNMENT, "deleted")["kernels-test-shapes"]
    assert restored.score == restored.max_score
    assert any("restored" in note for note in outcome(batch, "deleted").notes)


def test_do_the_points_of_hand_graded_cells_await_the_formgrader(batch):
    source = nbformat.read(REPO / "solutions" / ASSIGNMENT / NOTEBOOK, as_version=4)
    manual = sum(
        cell.metadata["nbgrader"].get("points", 0)
        for cell in source.cells
        if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("grade")
    )
    assert manual > 0
    assert outcome(batch, "solution").to_grade_by_hand == manual
    assert outcome(batch, "crashes").to_grade_by_hand == 0


def test_reasons_say_what_to_do(batch):
    (reason,) = outcome(batch, "unsealed").reasons
    assert "kernels-test-params" in reason and "seal" in reason
    assert outcome(batch, "crashes").reasons == ("kernel died (fake)",)
    assert "resubmit" in outcome(batch, "corrupt").reasons[0]
    assert outcome(batch, "crashes").score is None


def test_not_graded_has_no_scores_and_no_autograded_copy(batch):
    root = batch["root"]
    for student in ("crashes", "corrupt"):
        assert not (root / "autograded" / student / ASSIGNMENT).exists()
        scores = cell_scores(root, ASSIGNMENT, student)
        assert scores and all(s.auto_score is None for s in scores.values())
        assert all(s.needs_manual_grade for s in scores.values())
    autograded = root / "autograded" / "solution" / ASSIGNMENT / "kernel_sizes.ipynb"
    text = autograded.read_text()
    assert "nn-tricks seal" not in text and "vnd.nn-tricks" not in text


def test_the_autograded_copy_keeps_the_workers_outputs(batch):
    """finalize records the executed notebook as it is: nbgrader does not execute again."""
    path = batch["root"] / "autograded" / "fails" / ASSIGNMENT / "kernel_sizes.ipynb"
    nb = nbformat.read(path, as_version=4)
    shapes = next(c for c in nb.cells if grade_id(c) == "kernels-test-shapes")
    assert [o.get("ename") for o in shapes.outputs] == ["AssertionError"]
    assert "BEGIN HIDDEN TESTS" in shapes.source  # locked source as the gradebook has it


def test_export_marks_status_and_never_a_plain_zero(batch):
    root = batch["root"]
    result = export(root, root / "grades.csv")
    with (root / "grades.csv").open(newline="") as fh:
        rows = {row["student_id"]: row for row in csv.DictReader(fh)}
    assert result.rows == len(rows) == len(STUDENTS)
    assert rows["crashes"]["status"] == "not graded" and rows["crashes"]["score"] == ""
    assert rows["corrupt"]["score"] == "" and "resubmit" in rows["corrupt"]["reason"]
    assert rows["unsealed"]["status"] == "needs review" and float(rows["unsealed"]["score"]) > 0
    assert rows["solution"]["status"] == "graded"
    total = sum(
        s.max_score
        for s in cell_scores(root, ASSIGNMENT, "solution").values()
        if s.cell_type == "code"
    )
    assert float(rows["solution"]["score"]) == total


def test_feedback_for_every_autograded_submission(batch):
    pages = feedback(batch["root"], ASSIGNMENT)
    students = sorted(p.parent.parent.name for p in pages)
    assert students == sorted(set(STUDENTS) - {"crashes", "corrupt"})


def test_does_feedback_keep_the_hidden_tests_hidden(batch):
    source = nbformat.read(REPO / "solutions" / ASSIGNMENT / NOTEBOOK, as_version=4)
    tests = [cell.source for cell in source.cells if "BEGIN HIDDEN TESTS" in cell.source]
    literals = re.compile(r'"([^"\\]{12,})"')
    visible = {t for cell in tests for t in literals.findall(cell.split("BEGIN HIDDEN TESTS")[0])}
    hidden_regions = [c.split("BEGIN HIDDEN TESTS", 1)[1].split("END HIDDEN")[0] for c in tests]
    elsewhere = "\n".join(cell.source for cell in source.cells)
    for region in hidden_regions:
        elsewhere = elsewhere.replace(region, "")
    hidden = {t for region in hidden_regions for t in literals.findall(region)}
    hidden = {t for t in hidden if t not in elsewhere}  # only in the hidden tests
    assert visible and hidden
    feedback(batch["root"], ASSIGNMENT)
    page = batch["root"] / "feedback" / "solution" / ASSIGNMENT / f"{Path(NOTEBOOK).stem}.html"
    text = html.unescape(page.read_text(encoding="utf-8"))
    assert visible & {t for t in visible if t in text}, "the visible tests are in the feedback"
    assert "HIDDEN TESTS" not in text
    assert sorted(t for t in hidden if t in text) == []


def test_does_a_students_stray_hidden_test_marker_leave_the_feedback_working(tmp_path):
    root = make_course(tmp_path)
    nb = solved(root)
    submit(root, "good", nb)
    stray = copy.deepcopy(nb)
    answer = next(c for c in stray.cells if is_solution(c) and c.cell_type == "code")
    answer.source += "\n### BEGIN HIDDEN TESTS\nx = 1\n"
    submit(root, "stray", stray)
    autograde(root, ASSIGNMENT, AutogradeOptions(), runner=SequentialRunner(), execute=fake_execute)
    pages = feedback(root, ASSIGNMENT)
    assert sorted(p.parent.parent.name for p in pages) == ["good", "stray"]


def test_a_failed_reference_run_stops_the_batch(batch, monkeypatch, tmp_path):
    root = batch["root"]
    before = json.loads((root / "grading-status.json").read_text())

    def broken(job):
        if job.student == REFERENCE:
            return GradeResult(job.job_id, "failed", reason="sandbox refused to start")
        return fake_execute(job)

    plan = plan_batch(root, ASSIGNMENT, AutogradeOptions(students=("solution",)))
    with pytest.raises(GraderError, match=r"reference run .* sandbox refused to start"):
        run_batch(plan, runner=SequentialRunner(), execute=broken)
    assert json.loads((root / "grading-status.json").read_text()) == before


def test_temporary_files_are_removed_even_on_ctrl_c(batch, monkeypatch, tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    calls = []

    def interrupted(job):
        calls.append(job.student)
        if job.student != REFERENCE:
            raise KeyboardInterrupt
        return fake_execute(job)

    with pytest.raises(KeyboardInterrupt):
        autograde(
            batch["root"],
            ASSIGNMENT,
            AutogradeOptions(students=("solution",)),
            runner=SequentialRunner(),
            execute=interrupted,
        )
    assert calls == [REFERENCE, "solution"]
    assert list(scratch.iterdir()) == []


class SessionRunner(SequentialRunner):
    """A sequential runner that logs its session and the runs inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[str] = []

    @contextlib.contextmanager
    def session(self):
        self.log.append("open")
        try:
            yield
        finally:
            self.log.append("close")

    def run(self, jobs, execute):
        self.log.append(f"run {len(jobs)}")
        yield from super().run(jobs, execute)


def test_the_reference_run_and_the_batch_share_one_runner_session(batch):
    runner = SessionRunner()
    plan = plan_batch(batch["root"], ASSIGNMENT, AutogradeOptions(students=("solution", "fails")))
    run_batch(plan, runner=runner, execute=fake_execute)
    assert runner.log == ["open", "run 1", "run 2", "close"]
