"""Step 4 of a batch, *Execute*, worker side: :func:`execute_job` makes a GradeResult of a GradeJob.

Runs on the coordinator (sequential or process runner) or on a Dask worker: a top-level,
picklable function that imports neither TensorFlow nor nbgrader. For one job it

1. checks the job (limits, data directory, environment) and makes a per-process read-only copy
   of the course packages the sandbox needs (``helpers`` and ``grader.sandbox.executor``), cached
   by a hash of their content (:func:`package_copy`);
2. makes a private job directory (scratch inside) under ``/tmp`` or a given base, never inside
   the course tree;
3. runs ``python -m grader.sandbox.executor`` in the job's sandbox
   (:func:`grader.sandbox.bwrap.run_sandboxed`) with the prepared notebook on stdin, and parses
   the one JSON line it writes on stdout
   (protocol: :mod:`grader.sandbox.executor`);
4. always removes the job directory, and never raises for a hostile submission: whatever
   happened becomes a ``"failed"`` result with a one-line reason.

Only the ``grader/sandbox/executor.py`` module of the TA package is copied into the sandbox (with
an empty ``grader/__init__.py`` and the import-free ``grader/sandbox/__init__.py``): the student's
kernel does not see the rest of the grading code.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import shutil
import socket
import stat
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from grader.run.jobs import ExecutionStatus, GradeJob, GradeResult, Limits
from grader.sandbox import bwrap as sb
from grader.sandbox.modes import SANDBOX_MODES

#: The executor's package in the copy: an empty ``__init__`` (no TA code) and the executor.
_GRADER_INIT = '"""The sandbox\'s copy of the grader package: only the executor."""\n'
#: Wall seconds a sandbox may take besides its cells (start, kernel start, shut-down).
STARTUP_WALL_SECONDS = 300
#: Extra wall seconds per code cell besides ``Limits.cell_wall_seconds`` (interrupt grace).
CELL_WALL_SLACK_SECONDS = 60


def execute_job(job: GradeJob, *, scratch_base: str | None = None) -> GradeResult:
    """Execute one job in its sandbox and say what happened; never raises for the submission.

    Args:
        job: the job (prepared notebook, allowlisted environment, limits, data reference).
        scratch_base: directory in which the job's private directory is made. Defaults to the
            system temporary directory (``/tmp``), or ``/tmp`` when that lies inside the course.

    Returns:
        ``"executed"`` with the executed notebook, or ``"failed"`` with a one-line reason (and
        the partial notebook when one came back).
    """
    start = time.monotonic()
    worker = f"{socket.gethostname()}:{os.getpid()}"

    def failed(reason: str, **extra: Any) -> GradeResult:
        return GradeResult(
            job_id=str(getattr(job, "job_id", "?")),
            status="failed",
            reason=reason,
            worker=worker,
            wall_seconds=round(time.monotonic() - start, 3),
            **extra,
        )

    problem = check_job(job)
    if problem:
        return failed(problem)
    try:
        packages = package_copy()  # held until the sandbox has ended
    except (OSError, LookupError) as exc:
        return failed(f"the course packages could not be copied for the sandbox: {exc}")
    try:
        job_dir = Path(tempfile.mkdtemp(prefix="nn-tricks-job-", dir=_scratch_base(scratch_base)))
    except OSError as exc:
        return failed(f"no scratch directory could be made: {exc}")
    try:
        run = sb.run_sandboxed(
            python=sys.executable,
            stdin=job.notebook.encode("utf-8"),
            job_dir=job_dir,
            packages_dir=Path(packages.name),
            limits=job.limits,
            env=job.env,
            sandbox=job.sandbox,
            data_dir=str(Path(job.data_dir).resolve()) if job.data_dir else None,
            wall_seconds=wall_backstop(job),
        )
    except Exception as exc:  # a result, never an exception, whatever the submission did
        return failed(f"the sandbox could not run: {_one_line(exc)}")
    finally:
        remove_tree(job_dir)
    try:
        return result_from_run(job, run, worker=worker, wall_seconds=time.monotonic() - start)
    except Exception as exc:
        return failed(f"the sandbox's result could not be read: {_one_line(exc)}")


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return text[:300]


def check_job(job: object) -> str:
    """What is wrong with a job before anything runs (one line), or ``""``."""
    if not isinstance(job, GradeJob):
        return f"not a GradeJob: {type(job).__name__}"
    # a job may come from another process (Dask): its fields are checked, not trusted
    sandbox: object = job.sandbox
    notebook: object = job.notebook
    limits: object = job.limits
    if sandbox not in SANDBOX_MODES:
        return f"unknown sandbox mode {sandbox!r}: use {', '.join(SANDBOX_MODES)}"
    if not isinstance(notebook, str):
        return "the job's notebook must be JSON text"
    if not isinstance(limits, Limits):
        return "the job's limits must be a Limits"
    for item in fields(Limits):
        value = getattr(limits, item.name)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            return f"limit {item.name} must be a positive whole number, got {value!r}"
    if job.data_dir is not None and not Path(job.data_dir).is_dir():
        return f"the data directory {job.data_dir} does not exist on this worker"
    try:
        sb.sandbox_env(job.env, python_bin="/bin")
    except (ValueError, AttributeError) as exc:
        return f"bad job environment: {exc}"
    return ""


def wall_backstop(job: GradeJob) -> float:
    """Wall-clock seconds after which the whole sandbox is killed: generous (the executor
    enforces the per-cell limits itself)."""
    try:
        cells = json.loads(job.notebook).get("cells", [])
        code = sum(1 for cell in cells if cell.get("cell_type") == "code")
    except (ValueError, AttributeError):
        code = 1
    per_cell = job.limits.cell_wall_seconds + CELL_WALL_SLACK_SECONDS
    return STARTUP_WALL_SECONDS + max(1, code) * per_cell


def result_from_run(
    job: GradeJob, run: sb.SandboxRun, *, worker: str, wall_seconds: float
) -> GradeResult:
    """The job's result from what the sandbox gave back (see :mod:`grader.sandbox.executor`)."""
    common: dict[str, Any] = {
        "job_id": job.job_id,
        "worker": worker,
        "wall_seconds": round(wall_seconds, 3),
        "sandboxed": run.sandboxed,
    }
    notes = list(run.notes)
    if run.refused:
        return GradeResult(status="failed", reason=run.refused, notes=tuple(notes), **common)
    report = parse_report(run.stdout)
    memory = f"over the memory limit of {job.limits.memory_mb} MiB"
    cpu = run.cpu_seconds
    if report is None:
        reason = no_result_reason(run, job.limits)
        return GradeResult(
            status="failed", reason=reason, notes=tuple(notes), cpu_seconds=round(cpu, 3), **common
        )
    notes.extend(str(note) for note in report.get("notes", []))
    status: ExecutionStatus = "executed" if report.get("status") == "executed" else "failed"
    reason = str(report.get("reason", ""))
    if run.oom_kills:
        if status == "failed":
            reason = f"{memory} ({reason})" if reason else memory
        else:
            notes.append(
                f"{memory}: the OOM killer killed {run.oom_kills} process(es) of the sandbox"
            )
    if run.killed:
        status = "failed"
        reason = _killed_reason(run.killed, job.limits)
    notebook = report.get("notebook")
    return GradeResult(
        status=status,
        reason=reason,
        notebook=notebook if isinstance(notebook, str) else None,
        notes=tuple(dict.fromkeys(notes)),
        cpu_seconds=round(cpu or float(report.get("cpu_seconds", 0.0)), 3),
        **common,
    )


def parse_report(stdout: bytes) -> dict[str, Any] | None:
    """The executor's report: the last line of its stdout that is a protocol-1 JSON object."""
    for line in reversed(stdout.splitlines()):
        if not line.strip():
            continue
        try:
            report = json.loads(line)
        except ValueError:
            return None
        if isinstance(report, dict) and report.get("protocol") == 1:
            return report
        return None
    return None


def no_result_reason(run: sb.SandboxRun, limits: Limits) -> str:
    """Why a sandbox that printed no report ended (one line)."""
    if run.killed:
        return _killed_reason(run.killed, limits)
    if run.oom_kills:
        return f"over the memory limit of {limits.memory_mb} MiB: the sandbox was killed"
    last = [line.strip() for line in run.stderr.splitlines() if line.strip()]
    detail = last[-1][:300] if last else ""
    code = run.returncode
    if detail.startswith(("bwrap:", "sandbox launcher:", "setpriv:")):
        return f"the sandbox could not start: {detail}"
    if code is not None and code < 0:
        how = f"killed by signal {-code}"
    elif code is not None and code > 128 and run.sandboxed:
        how = f"exit status {code}: killed by signal {code - 128}"
    else:
        how = f"exit status {code}"
    return f"the sandbox printed no result ({how}){': ' + detail if detail else ''}"


def _killed_reason(killed: str, limits: Limits) -> str:
    if killed == "cpu":
        return f"over the CPU budget of {limits.cpu_seconds} s: the sandbox was killed"
    return "over the wall-clock limit of the whole notebook: the sandbox was killed"


# --- the read-only package copy -----------------------------------------------------------------


def package_sources() -> tuple[tuple[str, str], ...]:
    """``(name in the copy, source file)`` of everything the sandbox needs on its PYTHONPATH.

    Raises:
        LookupError: the ``helpers`` package is not installed in this environment.
    """
    spec = importlib.util.find_spec("helpers")
    if spec is None or not spec.submodule_search_locations:
        raise LookupError("the helpers package is not installed (pip install -e .)")
    helpers = Path(next(iter(spec.submodule_search_locations)))
    found: list[tuple[str, str]] = []
    for path in sorted(helpers.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            found.append((f"helpers/{path.relative_to(helpers).as_posix()}", str(path)))
    sandbox = Path(__file__).resolve().parents[1] / "sandbox"
    found.append(("grader/sandbox/__init__.py", str(sandbox / "__init__.py")))
    found.append(("grader/sandbox/executor.py", str(sandbox / "executor.py")))
    return tuple(found)


def _digest(files: Sequence[tuple[str, str]]) -> str:
    digest = hashlib.sha256()
    for name, source in sorted(files):
        digest.update(name.encode() + b"\0" + Path(source).read_bytes() + b"\0")
    return digest.hexdigest()


def _copy_digest(copy: Path) -> str:
    """Digest of everything in a copy, as :func:`_digest` of its sources would be."""
    found = [
        (path.relative_to(copy).as_posix(), str(path)) for path in copy.rglob("*") if path.is_file()
    ]
    return _digest(found)


def package_copy() -> tempfile.TemporaryDirectory[str]:
    """The read-only copy of the course packages for this process (made once per content).

    Returns:
        A temporary directory (``.name``: its path, removed once the last reference is dropped
        or the process exits) holding ``helpers/``, ``grader/__init__.py`` and
        ``grader/sandbox/{__init__,executor}.py``. Keep the object while the copy is in use. It
        is made again if the sources changed or anything in the copy was altered or added.
    """
    files = package_sources()
    digest = _digest(files)
    holder = _copy_for(digest, files)
    if _copy_digest(Path(holder.name)) != _copy_digest_expected(Path(holder.name), files):
        _copy_for.cache_clear()  # altered (only possible without bubblewrap): copy again
        holder = _copy_for(digest, files)
    return holder


def _copy_digest_expected(copy: Path, files: Sequence[tuple[str, str]]) -> str:
    """What :func:`_copy_digest` of an unaltered copy of ``files`` is ("" if it cannot be)."""
    init = copy / "grader" / "__init__.py"
    try:
        if init.read_bytes() != _GRADER_INIT.encode():
            return ""
    except OSError:
        return ""
    return _digest([*files, ("grader/__init__.py", str(init))])


@functools.lru_cache(maxsize=4)
def _copy_for(digest: str, files: tuple[tuple[str, str], ...]) -> tempfile.TemporaryDirectory[str]:
    """Copy ``files`` into a new temporary directory (kept alive by the cache)."""
    holder = tempfile.TemporaryDirectory(prefix=f"nn-tricks-packages-{digest[:12]}-")
    root = Path(holder.name)
    for name, source in files:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    (root / "grader" / "__init__.py").write_text(_GRADER_INIT)
    for path in sorted(root.rglob("*"), reverse=True):
        path.chmod(0o555 if path.is_dir() else 0o444)
    root.chmod(0o555)
    return holder


# --- scratch -------------------------------------------------------------------------------------


def _scratch_base(base: str | None) -> str:
    """Where job directories go: ``base``, else the temporary directory unless it lies inside the
    course tree (then ``/tmp``)."""
    if base is not None:
        return base
    chosen = Path(tempfile.gettempdir()).resolve()
    course = Path(__file__).resolve().parent.parent
    if chosen == course or course in chosen.parents:
        return "/tmp"
    return str(chosen)


def remove_tree(path: Path) -> None:
    """Remove a job directory whatever the sandbox left in it (read-only dirs, odd modes)."""

    def retry(function: Any, name: str, _exc: Any) -> None:
        try:
            parent = os.path.dirname(name)
            os.chmod(parent, stat.S_IRWXU)
            if os.path.isdir(name) and not os.path.islink(name):
                os.chmod(name, stat.S_IRWXU)
            function(name)
        except OSError:
            pass

    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=retry)
    else:
        shutil.rmtree(path, onerror=retry)
    if path.exists():  # a second pass after the modes were reset
        shutil.rmtree(path, ignore_errors=True)
