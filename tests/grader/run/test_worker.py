"""grader.run.worker.execute_job: a job in, a result out, the scratch directory always gone, a
failed result (never an exception) for anything wrong, and the read-only copy of the course
packages."""

from __future__ import annotations

import dataclasses
import os
import pickle
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from grader.run import worker
from grader.run.jobs import GradeJob, Limits
from grader.run.worker import execute_job
from grader.sandbox import bwrap as sandbox
from tests.grader.sandbox_jobs import (
    REPO_ROOT,
    code_cells,
    describe,
    errors_of,
    make_job,
    needs_bwrap,
    text_of,
)

_LOCKED_SCRATCH = (
    "import os\n"
    "home = os.environ['HOME']\n"
    "os.makedirs(f'{home}/locked/deep')\n"
    "open(f'{home}/locked/deep/file', 'w').write('x')\n"
    "os.chmod(f'{home}/locked/deep', 0)\n"
    "os.chmod(f'{home}/locked', 0)\n"
    "print('locked')"
)


@needs_bwrap
def test_a_normal_notebook_comes_back_executed(tmp_path: Path) -> None:
    result = execute_job(make_job("print(1 + 1)", _LOCKED_SCRATCH), scratch_base=str(tmp_path))
    cells = code_cells(result.notebook)
    assert result.status == "executed" and result.reason == "", describe(result, cells)
    assert text_of(cells[0]) == "2\n" and text_of(cells[1]) == "locked\n"
    assert result.sandboxed and result.attempts == 1
    host, pid = result.worker.rsplit(":", 1)
    assert host == socket.gethostname() and int(pid) == os.getpid()
    assert result.wall_seconds > 0 and result.cpu_seconds > 0
    assert list(tmp_path.iterdir()) == []  # the job directory is gone, locked scratch and all


def test_sandbox_off_runs_the_plumbing_without_bwrap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NN_TRICKS_TEST_SECRET", "hunter2")
    result = execute_job(
        make_job(
            "import os\nprint(1 + 1, os.environ.get('NN_TRICKS_TEST_SECRET'))",
            _LOCKED_SCRATCH,
            sandbox_mode="off",
        ),
        scratch_base=str(tmp_path),
    )
    cells = code_cells(result.notebook)
    assert result.status == "executed", describe(result, cells)
    assert text_of(cells[0]) == "2 None\n"  # the environment is still an allowlist
    assert not result.sandboxed
    assert "not sandboxed: sandbox off (plumbing tests only)" in result.notes
    assert list(tmp_path.iterdir()) == []


def _missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        sandbox, "probe_bubblewrap", lambda: sandbox.BwrapProbe(None, None, sandbox.MISSING_REASON)
    )


def test_auto_without_bubblewrap_runs_with_rlimits_and_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _missing(monkeypatch)
    result = execute_job(
        make_job(
            "b = b'x' * (3 << 30)",
            "print(1 + 1)",
            sandbox_mode="auto",
            limits=Limits(memory_mb=1024),
        ),
        scratch_base=str(tmp_path),
    )
    cells = code_cells(result.notebook)
    assert result.status == "executed" and not result.sandboxed, describe(result, cells)
    assert [name for name, _ in errors_of(cells[0])] == ["MemoryError"]  # RLIMIT_DATA
    assert text_of(cells[1]) == "2\n"
    assert f"not sandboxed: {sandbox.MISSING_REASON} (Python rlimits only)" in result.notes


def test_require_without_bubblewrap_fails_without_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _missing(monkeypatch)
    result = execute_job(make_job("print(1)", sandbox_mode="require"), scratch_base=str(tmp_path))
    assert result.status == "failed" and result.notebook is None
    assert result.reason == (
        "bubblewrap is not installed: apt-get install bubblewrap, or pass --sandbox=auto"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"limits": Limits(memory_mb=0)}, "limit memory_mb must be a positive whole number"),
        ({"data_dir": "/no/such/data"}, "the data directory /no/such/data does not exist"),
        (
            {"env": {"PYTHONPATH": "/evil"}},
            "bad job environment: job environment may not set PYTHONPATH",
        ),
        ({"sandbox": "maybe"}, "unknown sandbox mode 'maybe'"),
    ],
)
def test_a_bad_job_fails_with_one_line(
    tmp_path: Path, change: dict[str, object], reason: str
) -> None:
    job = dataclasses.replace(make_job("print(1)"), **change)  # type: ignore[arg-type]  # bad on purpose
    result = execute_job(job, scratch_base=str(tmp_path))
    assert result.status == "failed" and result.reason.startswith(reason), result.reason
    assert "\n" not in result.reason and list(tmp_path.iterdir()) == []


def test_execute_job_pickles_and_imports_nothing_heavy() -> None:
    assert pickle.loads(pickle.dumps(execute_job)) is execute_job
    job = make_job("print(1)")
    assert GradeJob.from_json(job.to_json()) == job
    probe = (
        "import sys, grader.run.worker, grader.sandbox.bwrap\n"
        "print(sorted(m for m in ('tensorflow', 'nbgrader', 'nbclient', 'keras') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=str(REPO_ROOT),
        check=True,
    )
    assert done.stdout.strip() == "[]"


def test_the_package_copy_is_cached_read_only_and_holds_only_the_executor() -> None:
    holder = worker.package_copy()
    first = Path(holder.name)
    assert worker.package_copy() is holder
    assert (first / "helpers" / "__init__.py").read_bytes() == (
        REPO_ROOT / "helpers" / "__init__.py"
    ).read_bytes()
    assert (first / "grader" / "sandbox" / "executor.py").is_file()
    assert sorted(
        p.relative_to(first / "grader").as_posix() for p in (first / "grader").rglob("*")
    ) == [
        "__init__.py",
        "sandbox",
        "sandbox/__init__.py",
        "sandbox/executor.py",
    ]
    assert not (first / "helpers" / "__pycache__").exists()
    for path in [first, *first.rglob("*")]:
        assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH), path
    assert REPO_ROOT not in first.resolve().parents


def _run(**fields: object) -> sandbox.SandboxRun:
    base = {"returncode": 0, "sandboxed": True}
    base.update(fields)
    return sandbox.SandboxRun(**base)  # type: ignore[arg-type]  # test values


@pytest.mark.parametrize(
    "run, reason",
    [
        (
            _run(returncode=137),
            "the sandbox printed no result (exit status 137: killed by signal 9)",
        ),
        (
            _run(returncode=-9, sandboxed=False),
            "the sandbox printed no result (killed by signal 9)",
        ),
        (
            _run(
                returncode=1,
                stderr="bwrap: Can't mount proc on /newroot/proc: Operation not permitted\n",
            ),
            "the sandbox could not start: bwrap: Can't mount proc",
        ),
        (
            _run(returncode=137, oom_kills=1),
            "over the memory limit of 4096 MiB: the sandbox was killed",
        ),
        (
            _run(returncode=-9, killed="cpu"),
            "over the CPU budget of 1800 s: the sandbox was killed",
        ),
        (
            _run(returncode=None, refused="bubblewrap is not installed"),
            "bubblewrap is not installed",
        ),
        (
            _run(
                stdout=b'{"protocol": 1, "status": "failed", "reason": "the kernel died while '
                b'running cell 3 (exit signal 9)", "notes": [], "notebook": "{}"}\n',
                oom_kills=1,
            ),
            "over the memory limit of 4096 MiB (the kernel died while running cell 3 "
            "(exit signal 9))",
        ),
    ],
)
def test_reasons_of_a_sandbox_that_went_wrong(run: sandbox.SandboxRun, reason: str) -> None:
    result = worker.result_from_run(make_job("print(1)"), run, worker="h:1", wall_seconds=1.0)
    assert result.status == "failed" and result.reason.startswith(reason), result.reason


def test_an_altered_package_copy_is_made_again() -> None:
    first = Path(worker.package_copy().name)
    (first / "helpers").chmod(0o755)
    (first / "helpers" / "sitecustomize.py").write_text("print('planted')\n")
    second = worker.package_copy()
    assert Path(second.name) != first
    assert not (Path(second.name) / "helpers" / "sitecustomize.py").exists()
    assert not first.exists()  # the altered copy is removed once nothing holds it
    assert worker.package_copy() is second
