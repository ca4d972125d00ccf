"""Grading at scale: ONE real batch of practice 1b, graded four ways, with identical grades.

The batch (four submissions of the hostile corpus, ``tests/grader/corpus``): the instructor's
answers, the untouched release, a typical wrong answer, and a kernel that ends itself
(``os._exit``: not graded). One released course with those submissions is built once and copied
for every variant, which then grades it from scratch:

(a) the sequential runner, SQLite gradebook (the baseline, also checked against the corpus's
    expectations);
(b) the process runner with 2 workers, SQLite;
(c) the Dask runner on a real local cluster of 2 worker *processes* (``--dask-local 2``), SQLite,
    with the Dask worker process that runs the correct submission killed while its sandbox runs
    (SIGKILL, 5 s into the job, before it can finish): the runner hands the job out again and it
    is graded as usual;
(d) the process runner with 2 workers, PostgreSQL: a fresh schema of the server at
    ``NN_TRICKS_TEST_POSTGRES_URL`` (``make test`` sets it), passed to the pipeline through
    ``NN_TRICKS_GRADEBOOK_URL`` and migrated with ``python -m grader db upgrade``; skipped with
    the reason where the variable is unset or the server does not answer.

Every variant must give every student the same status, the same total and the same score for
every autograded test cell. A submission that kills its Dask worker *itself* cannot be written
(the sandbox keeps the student away from the worker: a dead kernel is a "not graded" job, never a
lost worker), hence the test's execute function (``tests.grader.fake_jobs``) that kills the worker
around a real job. The runner-level cases (a worker lost once and retried, lost twice and "not
graded") are in ``tests/grader/run/test_runners.py``.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.run.jobs import Limits
from tests.grader import fake_jobs, postgres

REPO = Path(__file__).resolve().parents[3]
BATCH = "practice-1b-kernel-sizes"
#: corpus entries of the batch: correct, blank, wrong answer, kernel that dies (not graded)
STUDENTS = ("ks-correct", "ks-blank", "ks-wrong-kernel-size", "ks-os-exit")
#: the submission whose Dask worker is killed mid-job in variant (c)
VICTIM = "ks-correct"
# per-cell CPU budget and wall backstop, as in tests/test_grading.py
LIMITS = Limits(cell_cpu_seconds=30, cell_wall_seconds=120)

pytestmark = pytest.mark.grading


#: (auto score, max score, needs manual grade) of one test cell; a "not graded" submission's
#: cells have no auto score and need a manual grade (never a plain 0)
Cell = tuple[float | None, float, bool]


@dataclass(frozen=True)
class Graded:
    """What one variant gave one student: status, total, and every autograded test cell's
    :data:`Cell`."""

    status: str
    score: float | None
    max_score: float | None
    cells: dict[str, Cell]


def cell_scores(url: str, student: str) -> dict[str, Cell]:
    """grade_id -> :data:`Cell` of every autograded test cell of the student's submission in
    the gradebook at ``url`` ({} when it holds no submission)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(url, "nn-tricks") as gb:
        autograded = {
            cell.name
            for notebook in gb.find_assignment(BATCH).notebooks
            for cell in notebook.grade_cells
            if cell.cell_type == "code"
        }
        try:
            submission = gb.find_submission(BATCH, student)
        except MissingEntry:
            return {}
        return {
            grade.name: (
                None if grade.auto_score is None else float(grade.auto_score),
                float(grade.max_score),
                bool(grade.needs_manual_grade),
            )
            for notebook in submission.notebooks
            for grade in notebook.grades
            if grade.name in autograded
        }


def grade(root: Path, url: str, runner: str, **options) -> dict[str, Graded]:
    """Autograde the course at ``root`` (gradebook at ``url``) with ``runner``; per student."""
    from grader.batch.autograde import autograde
    from grader.batch.plan import AutogradeOptions

    execute = options.pop("execute", None)
    opts = AutogradeOptions(runner=runner, limits=LIMITS, **options)
    started = time.perf_counter()
    report = autograde(root, BATCH, opts, execute=execute)
    seconds = time.perf_counter() - started
    print(f"\n{BATCH}, {runner} {options or ''}: {len(report.outcomes)} in {seconds:.0f} s")
    assert sorted(o.student for o in report.outcomes) == sorted(STUDENTS)
    return {
        o.student: Graded(o.status, o.score, o.max_score, cell_scores(url, o.student))
        for o in report.outcomes
    }


def sqlite_url(root: Path) -> str:
    return f"sqlite:///{root / 'gradebook.db'}"


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A released course of practice 1b with the batch's submissions (copied per variant)."""
    from grader.commands.release import release
    from tests.grader.corpus import make_corpus

    root = tmp_path_factory.mktemp("scale") / "course"
    (root / "solutions").mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(REPO / "solutions" / BATCH, root / "solutions" / BATCH)
    release(root)
    materials = make_corpus.load_materials(BATCH, root)  # this course's release and solution
    for entry in make_corpus.entries(BATCH, root):
        if entry.name in STUDENTS:
            folder = root / "submitted" / entry.name / BATCH
            folder.mkdir(parents=True)
            (folder / entry.filename).write_bytes(entry.build(materials))
    assert sorted(p.name for p in (root / "submitted").iterdir()) == sorted(STUDENTS)
    return root


def copy_of(course: Path, tmp_path: Path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(course, root)
    return root


@pytest.fixture(scope="module")
def baseline(course: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Graded]:
    """Variant (a): sequential runner, SQLite gradebook."""
    root = copy_of(course, tmp_path_factory.mktemp("sequential"))
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("NN_TRICKS_GRADEBOOK_URL", raising=False)
        return grade(root, sqlite_url(root), "sequential")


def assert_identical(variant: dict[str, Graded], baseline: dict[str, Graded], what: str) -> None:
    for student in STUDENTS:
        assert variant[student] == baseline[student], f"{what}: {student} graded differently"


def test_sequential_baseline_gives_what_the_corpus_expects(baseline: dict[str, Graded]) -> None:
    from tests.grader.corpus import make_corpus

    expected = {e.name: e.expect for e in make_corpus.entries(BATCH) if e.name in STUDENTS}
    for student, expect in expected.items():
        graded = baseline[student]
        assert graded.status == expect.status, student
        if expect.failing is None:  # not graded: no cell carries a score, never a plain 0
            assert graded.score is None and graded.cells, student
            assert all(s is None and manual for s, _, manual in graded.cells.values()), student
            continue
        assert graded.cells, f"{student}: no autograded test cell in the gradebook"
        for gid, (score, max_score, manual) in graded.cells.items():
            assert score == (0.0 if gid in expect.failing else max_score), (student, gid)
            assert not manual, (student, gid)
    assert 0 < baseline["ks-wrong-kernel-size"].score < baseline["ks-correct"].score


def test_processes_with_two_workers_grade_identically(
    course: Path, baseline: dict[str, Graded], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NN_TRICKS_GRADEBOOK_URL", raising=False)
    root = copy_of(course, tmp_path)
    assert_identical(grade(root, sqlite_url(root), "processes", workers=2), baseline, "(b)")


def test_dask_local_cluster_grades_identically_though_a_worker_is_killed_mid_job(
    course: Path, baseline: dict[str, Graded], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NN_TRICKS_GRADEBOOK_URL", raising=False)
    marker = tmp_path / "worker-killed"
    monkeypatch.setenv(fake_jobs.KILL_WORKER_VARIABLE, f"{VICTIM}:{marker}")
    # the workers import tests.grader.fake_jobs from the repository
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    )
    root = copy_of(course, tmp_path)
    execute = fake_jobs.execute_job_killing_its_worker_once
    graded = grade(root, sqlite_url(root), "dask", dask_local=2, execute=execute)
    assert marker.is_file(), "the victim's job never ran: no worker was killed"
    killed = marker.read_text().strip()
    assert killed.isdigit(), killed  # the pid of the killed worker, not "finished before"
    assert int(killed) != os.getpid()  # a Dask worker process, not this one
    assert_identical(graded, baseline, "(c)")


@pytest.fixture
def postgres_gradebook(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh schema of the test PostgreSQL server as NN_TRICKS_GRADEBOOK_URL, dropped after;
    skips with the reason where NN_TRICKS_TEST_POSTGRES_URL is unset or does not answer."""

    url, drop = postgres.fresh_schema(postgres.base_url(), prefix="nntricks_scale")
    monkeypatch.setenv("NN_TRICKS_GRADEBOOK_URL", url)
    try:
        yield url
    finally:
        drop()


@postgres.needs_postgres  # before the module's batch fixtures run
def test_postgresql_gradebook_grades_identically(
    course: Path, baseline: dict[str, Graded], postgres_gradebook: str, tmp_path: Path
) -> None:
    from sqlalchemy import create_engine, text

    from grader import cli
    from grader.nbgrader.database import head_revision

    root = copy_of(course, tmp_path)
    assert cli.main(["--course-dir", str(root), "db", "upgrade"]) == 0  # the URL from the env
    engine = create_engine(postgres_gradebook)
    try:
        with engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version"))
            assert revision.scalar_one() == head_revision()
    finally:
        engine.dispose()
    graded = grade(root, postgres_gradebook, "processes", workers=2)
    assert not (root / "gradebook.db").exists(), "the batch wrote a SQLite gradebook instead"
    assert_identical(graded, baseline, "(d)")
