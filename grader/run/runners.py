"""Step 3 of a batch, *Run*: hand :class:`~grader.run.jobs.GradeJob`\\ s to an ``execute``
function.

A runner (:class:`Runner`) takes the jobs and the function that executes one of them
(:data:`grader.run.jobs.Execute`; in production ``grader.run.worker.execute_job``) and yields
one :class:`~grader.run.jobs.GradeResult` per job **in completion order**, so that the
coordinator can record and report each submission as soon as it is done. Three runners:

- :class:`SequentialRunner`: one job after another, in this process;
- :class:`ProcessRunner`: ``workers`` jobs in flight at once on this machine;
- :class:`~grader.run.dask_cluster.DaskRunner`: on a ``dask.distributed`` cluster (an existing
  one, or a local one it starts and closes), with a lost worker's job retried once.

A job that ``execute`` raises on becomes a ``"failed"`` result with a one-line reason: the batch
always finishes. A runner never opens the gradebook and never receives its URL.

Why threads in :class:`ProcessRunner`: ``execute_job`` already runs every submission in its own
sandboxed subprocess and only waits for it, so a thread per job in flight is all the parallelism
needed. Threads need no pickling of ``execute`` or of the jobs, start at once, cannot be lost like
a pool process (a sandbox crash kills only its own subprocess), and do not fork a coordinator
that holds database connections and threads. Each job thread stays alive until its subprocess has
ended, which matters for bubblewrap's ``--die-with-parent`` (tied to the thread that started it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import Protocol

from grader.errors import GraderError, format_exception_line
from grader.run.jobs import Execute, GradeJob, GradeResult

#: The runner kinds :func:`make_runner` knows.
RUNNER_KINDS = ("sequential", "processes", "dask")


class RunnerError(GraderError):
    """A runner cannot run at all (missing extra, unreachable cluster): one line for the TA."""


class Runner(Protocol):
    """Something that executes a batch of jobs and yields their results as they finish."""

    def run(self, jobs: Sequence[GradeJob], execute: Execute) -> Iterator[GradeResult]:
        """Execute every job once (a lost Dask worker's job: at most twice).

        Args:
            jobs: the batch; job ids are unique within it.
            execute: executes one job; for the process and Dask runners it must be safe to call
                concurrently, and for Dask a top-level (picklable) function.

        Yields:
            One result per job, in completion order. Closing the iterator early stops the jobs
            not yet finished.
        """
        ...

    def session(self) -> contextlib.AbstractContextManager[None]:
        """A ``with`` block in which every :meth:`run` shares what the runner sets up (a Dask
        cluster and its client); nothing for a runner that sets nothing up."""
        ...


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, else the machine's count), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


def thread_limited(job: GradeJob, threads: int) -> GradeJob:
    """The job with TensorFlow and OpenMP thread limits in its kernel environment.

    Args:
        job: the job; its ``env`` is kept, these three variables are set over it.
        threads: intra-op (and OpenMP) threads of the kernel, at least 1. TensorFlow reads
            ``TF_NUM_INTRAOP_THREADS`` / ``TF_NUM_INTEROP_THREADS`` when it starts; inter-op is
            always 1 (a notebook runs one op at a time).

    Returns:
        A new job; the given one is not changed.
    """
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    env = {
        **job.env,
        "OMP_NUM_THREADS": str(threads),
        "TF_NUM_INTRAOP_THREADS": str(threads),
        "TF_NUM_INTEROP_THREADS": "1",
    }
    return dataclasses.replace(job, env=env)


def failed_result(job_id: str, reason: str, *, attempts: int = 1) -> GradeResult:
    """The ``"failed"`` result of a job the runner could not get a result for.

    Args:
        job_id: the job's id.
        reason: one line for the TA, starting with ``"not graded: "``.
        attempts: how many workers tried the job. Defaults to 1.
    """
    return GradeResult(job_id=job_id, status="failed", reason=reason, attempts=attempts)


def call_safely(execute: Execute, job: GradeJob) -> GradeResult:
    """``execute(job)``, or a ``"failed"`` result with the exception's line if it raised."""
    try:
        return execute(job)
    except Exception as exc:  # the batch always finishes
        reason = f"not graded: the worker raised {format_exception_line(exc)}"
        return failed_result(job.job_id, reason)


def check_unique_ids(jobs: Sequence[GradeJob]) -> None:
    """Raise ``ValueError`` when two jobs of the batch share a job id."""
    seen: set[str] = set()
    for job in jobs:
        if job.job_id in seen:
            raise ValueError(f"job ids must be unique within a batch; {job.job_id!r} repeats")
        seen.add(job.job_id)


class SequentialRunner:
    """Executes the jobs one after another in this process (completion = submission order)."""

    def run(self, jobs: Sequence[GradeJob], execute: Execute) -> Iterator[GradeResult]:
        """See :meth:`Runner.run`."""
        check_unique_ids(jobs)
        for job in jobs:
            yield call_safely(execute, job)

    def session(self) -> contextlib.AbstractContextManager[None]:
        """See :meth:`Runner.session`: nothing to share."""
        return contextlib.nullcontext()


class ProcessRunner:
    """Keeps ``workers`` jobs in flight at once on this machine (one thread waits on each).

    Every job's kernel gets ``max(1, cores // workers)`` TensorFlow intra-op and OpenMP threads
    and one inter-op thread, so that the jobs together use the machine's cores without
    oversubscribing them.

    Args:
        workers: jobs in flight at once, at least 1. Defaults to the number of available cores:
            one single-threaded TensorFlow kernel per core gets more notebooks done than fewer
            kernels with more threads each (small models scale poorly over threads). Lower it
            when the machine's memory cannot hold that many sandboxes (``Limits.memory_mb``).
        cores: cores to share among the jobs. Defaults to :func:`available_cores`.
    """

    def __init__(self, workers: int | None = None, *, cores: int | None = None) -> None:
        self.cores = available_cores() if cores is None else cores
        if self.cores < 1:
            raise ValueError(f"cores must be at least 1, got {self.cores}")
        self.workers = self.cores if workers is None else workers
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")

    @property
    def threads_per_job(self) -> int:
        """TensorFlow intra-op / OpenMP threads each job's kernel gets."""
        return max(1, self.cores // self.workers)

    def run(self, jobs: Sequence[GradeJob], execute: Execute) -> Iterator[GradeResult]:
        """See :meth:`Runner.run`. Stopping the iteration early cancels the jobs not yet started."""
        check_unique_ids(jobs)
        if not jobs:
            return
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="grade-job")
        try:
            futures: list[Future[GradeResult]] = [
                pool.submit(call_safely, execute, thread_limited(job, self.threads_per_job))
                for job in jobs
            ]
            for future in as_completed(futures):
                yield future.result()  # call_safely never raises
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def session(self) -> contextlib.AbstractContextManager[None]:
        """See :meth:`Runner.session`: nothing to share (each run makes its own threads)."""
        return contextlib.nullcontext()


def make_runner(
    kind: str = "sequential",
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
) -> Runner:
    """The runner of the given kind.

    Args:
        kind: ``"sequential"``, ``"processes"`` or ``"dask"``. Defaults to ``"sequential"``.
        workers: for ``"processes"``: jobs in flight at once. Defaults to the available cores.
        scheduler: for ``"dask"``: address of an existing scheduler, e.g.
            ``"tcp://10.0.0.5:8786"``. Defaults to none (start a local cluster).
        dask_local: for ``"dask"`` without ``scheduler``: worker processes of the local cluster.
            Defaults to the available cores.

    Raises:
        ValueError: an unknown kind, or an option that does not belong to the kind.
        RunnerError: ``"dask"`` without the cluster extra installed.
    """
    if kind not in RUNNER_KINDS:
        raise ValueError(f"unknown runner {kind!r}; choose one of {', '.join(RUNNER_KINDS)}")
    given = {"workers": workers, "scheduler": scheduler, "dask_local": dask_local}
    allowed = {"sequential": set(), "processes": {"workers"}, "dask": {"scheduler", "dask_local"}}
    stray = [
        name for name, value in given.items() if value is not None and name not in allowed[kind]
    ]
    if stray:
        raise ValueError(f"the {kind} runner takes no {' or '.join(stray)} option")
    if kind == "sequential":
        return SequentialRunner()
    if kind == "processes":
        return ProcessRunner(workers)
    try:
        from grader.run.dask_cluster import DaskRunner
    except ImportError as exc:
        raise RunnerError(
            f"the dask runner needs dask.distributed ({format_exception_line(exc)}); "
            "install the cluster extra: pip install -e '.[cluster]'"
        ) from exc
    return DaskRunner(scheduler=scheduler, local_workers=dask_local)
