"""grader.batch.plan, step 1 of a batch, on a temporary course: nothing is executed.

Planning runs the real pipeline up to the job: staging, the static scan, nbgrader's preparation
(gradebook and sanitize preprocessors) and the seals.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import nbformat
import pytest

from grader.batch.plan import REFERENCE, AutogradeOptions, other_grade_ids, plan_batch
from grader.cells import grade_id, is_graded_test
from grader.errors import GraderError
from tests.grader.fake_course import (
    ASSIGNMENT,
    NOTEBOOK,
    REPO,
    make_course,
    released,
    solved,
    submit,
)

HIDDEN = "### BEGIN HIDDEN TESTS"

SUSPICIOUS_CELL = 5


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = make_course(tmp_path_factory.mktemp("plan"))
    nb = solved(root)
    submit(root, "solution", nb)
    submit(root, "blank", released(root))
    submit(root, "corrupt", '{"cells": [ oops')
    submit(root, "renamed", nb, filename="kernel_sizes (1).ipynb")
    deleted = copy.deepcopy(nb)
    deleted.cells = [c for c in deleted.cells if grade_id(c) != "kernels-test-shapes"]
    submit(root, "deleted", deleted)
    twice = copy.deepcopy(nb)
    index = next(i for i, c in enumerate(twice.cells) if grade_id(c) == "kernels-test-shapes")
    twin = copy.deepcopy(twice.cells[index])
    twin["id"] = "copy-of-shapes"
    twice.cells.insert(index + 1, twin)
    submit(root, "duplicated", twice)
    edited = copy.deepcopy(nb)
    edited.cells[index].source = "pass  # tests? what tests"
    submit(root, "edited", edited)
    suspicious = copy.deepcopy(nb)
    suspicious.cells[SUSPICIOUS_CELL].source += "\nopen('/proc/self/environ')"
    submit(root, "suspicious", suspicious)
    return root


def hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def plan(course):
    before = hashes(course / "submitted")
    plan = plan_batch(course, ASSIGNMENT, AutogradeOptions())
    assert hashes(course / "submitted") == before, "planning modified a submitted file"
    return plan


def planned(plan, student):
    return next(p for p in plan.submissions if p.student == student)


def test_every_submission_is_planned(plan):
    assert plan.notebook_name == NOTEBOOK.removesuffix(".ipynb")
    assert [p.student for p in plan.submissions] == sorted(
        ["solution", "blank", "corrupt", "renamed", "deleted", "duplicated", "edited", "suspicious"]
    )


def test_a_job_carries_the_prepared_sealed_notebook(plan):
    job = planned(plan, "blank").job
    assert job.job_id == f"{ASSIGNMENT}/blank" and job.notebook_name == "kernel_sizes"
    nb = nbformat.reads(job.notebook, as_version=4)
    tests = [c for c in nb.cells if is_graded_test(c)]
    assert tests and all("nn-tricks seal" in c.source for c in tests)
    assert any(HIDDEN in c.source for c in tests), "hidden tests were not restored"
    assert set(planned(plan, "blank").nonces) == {grade_id(c) for c in tests}
    assert all(c.get("outputs", []) == [] for c in nb.cells if c.cell_type == "code")


def test_the_kernel_environment_is_an_allowlist(plan, monkeypatch):
    env = planned(plan, "solution").job.env
    assert env["NN_TRICKS_FAST"] == "1" and "TF_CPP_MIN_LOG_LEVEL" in env
    # the sandbox sets NN_TRICKS_GRADING, HOME, PATH and MNIST_DATA_DIR itself
    assert set(env) == {"NN_TRICKS_FAST", "TF_CPP_MIN_LOG_LEVEL"}
    assert all("gradebook" not in value.lower() for value in env.values())


def test_nonces_differ_between_jobs(plan):
    a, b = planned(plan, "solution").nonces, planned(plan, "blank").nonces
    assert set(a) == set(b) and all(a[g] != b[g] for g in a)


def test_the_reference_is_the_solution_prepared_the_same_way(plan):
    assert plan.reference.student == REFERENCE and plan.reference.problem is None
    nb = nbformat.reads(plan.reference.job.notebook, as_version=4)
    assert any("### BEGIN SOLUTION" in c.source for c in nb.cells)
    assert set(plan.reference.nonces) == set(planned(plan, "solution").nonces)


@pytest.mark.parametrize(
    ("student", "expected"),
    [
        ("corrupt", "invalid JSON"),
        ("renamed", "kernel_sizes (1).ipynb"),
    ],
)
def test_unreadable_or_renamed_files_get_no_job(plan, student, expected):
    p = planned(plan, student)
    assert p.job is None and expected in p.problem and "resubmit" in p.problem


def test_repairs_and_restorations_are_noted(plan):
    assert any(
        "kernels-test-shapes" in n and "restored" in n for n in planned(plan, "deleted").notes
    )
    assert any("first occurrence" in n for n in planned(plan, "duplicated").notes)
    assert any("had been edited" in n for n in planned(plan, "edited").notes)
    edited = nbformat.reads(planned(plan, "edited").job.notebook, as_version=4)
    shapes = next(c for c in edited.cells if grade_id(c) == "kernels-test-shapes")
    assert "what tests" not in shapes.source
    assert planned(plan, "solution").notes == () and planned(plan, "blank").notes == ()


def test_integrity_findings_are_kept_for_the_record_numbered_from_1_with_the_grade_id(plan, course):
    cell = solved(course).cells[SUSPICIOUS_CELL]
    line = cell.source.count("\n") + 2  # the appended line
    (finding,) = planned(plan, "suspicious").findings
    assert finding.startswith(f"cell {SUSPICIOUS_CELL + 1} ({grade_id(cell)}), line {line}: ")
    assert "/proc" in finding
    assert planned(plan, "suspicious").job is not None
    assert planned(plan, "solution").findings == ()


def test_options_select_students_mode_and_limits(course, monkeypatch):
    monkeypatch.setenv("MNIST_DATA_DIR", "/data/mnist")
    options = AutogradeOptions(students=("blank",), full=True, sandbox="require")
    plan = plan_batch(course, ASSIGNMENT, options)
    (only,) = plan.submissions
    assert only.student == "blank"
    assert "NN_TRICKS_FAST" not in only.job.env
    assert only.job.data_dir == "/data/mnist" and only.job.sandbox == "require"
    with pytest.raises(GraderError, match=r"no submission of .* from nobody"):
        plan_batch(course, ASSIGNMENT, AutogradeOptions(students=("nobody",)))


def test_batch_errors_are_one_line(course, tmp_path):
    with pytest.raises(GraderError, match="no assignment 'nope'"):
        plan_batch(course, "nope", AutogradeOptions())
    empty = make_course(tmp_path)
    with pytest.raises(GraderError, match="collect"):
        plan_batch(empty, ASSIGNMENT, AutogradeOptions())


def test_is_another_practices_notebook_not_graded_and_named(tmp_path):
    root = make_course(tmp_path)
    other = "practice-1a-l1-vs-l2"
    source = REPO / "solutions" / other / "l1_vs_l2.ipynb"
    (root / "solutions" / other).mkdir()
    (root / "solutions" / other / source.name).write_bytes(source.read_bytes())
    owners = other_grade_ids(root, ASSIGNMENT)
    ids_1a = {grade_id(c) for c in nbformat.read(source, as_version=4).cells} - {None}
    assert set(owners) == ids_1a and set(owners.values()) == {other}
    submit(root, "wrong-practice", nbformat.read(source, as_version=4))
    (planned,) = plan_batch(root, ASSIGNMENT, AutogradeOptions()).submissions
    assert planned.job is None
    assert planned.problem is not None and f"this is {other}'s notebook" in planned.problem
