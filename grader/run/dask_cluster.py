"""The Dask runner: grading jobs on a ``dask.distributed`` cluster (needs the ``cluster`` extra).

Jobs are self-contained (the notebook travels in the job, the executed notebook comes back in the
result), so the workers share no filesystem with the coordinator; they only need this project
installed (for ``grader.run.worker`` and the job classes) and the data directory the jobs name.

Jobs are handed out as worker threads free up, never queued behind a running job on a worker: a
worker that dies then takes only the job it was running with it. Such a job (``KilledWorker``
from the scheduler) is handed out once more, to whichever worker is free next; if that worker
dies too, the job is reported ``"failed"``: "not graded: its worker was lost twice
(KilledWorker)", ``attempts=2``. The retry is the runner's own, not the scheduler's: the
scheduler would put a lost job behind a running one on a busy worker, where another job's death
would count against it. The local cluster this runner starts therefore has
``distributed.scheduler.allowed-failures: 0``; start an existing cluster's scheduler with
``DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=0`` for the same behaviour (with its default, 3,
each attempt survives up to three worker losses, which the reasons then count).
"""

from __future__ import annotations

import itertools
import logging
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import dask.config
from distributed import Client, Future, LocalCluster, as_completed
from distributed.scheduler import KilledWorker

from grader.errors import format_exception_line
from grader.run.jobs import Execute, GradeJob, GradeResult
from grader.run.runners import (
    RunnerError,
    available_cores,
    check_unique_ids,
    failed_result,
    thread_limited,
)

#: How many workers may try one job: the first, and one retry after it was lost.
MAX_ATTEMPTS = 2

#: Scheduler settings of the local cluster: a lost worker's task fails at once (the runner
#: retries it itself, see the module's docstring).
LOCAL_CLUSTER_CONFIG = {"distributed.scheduler.allowed-failures": 0}


def start_local_cluster(n_workers: int) -> LocalCluster:
    """Start a cluster of ``n_workers`` worker processes on this machine, one thread each.

    The scheduler listens on 127.0.0.1 on free ports (a dashboard only if bokeh is installed, at
    ``cluster.dashboard_link``) and fails a lost worker's task at once
    (:data:`LOCAL_CLUSTER_CONFIG`) for the runner to retry. A dead worker process is restarted by
    its nanny. Worker processes inherit this process's environment and
    ``sys.path``. The caller closes the cluster (``cluster.close()`` or ``with``).

    Args:
        n_workers: worker processes, at least 1.
    """
    if n_workers < 1:
        raise ValueError(f"a local Dask cluster needs at least 1 worker, got {n_workers}")
    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        return LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            # Its HTTP server (health, and the dashboard if bokeh is installed) on a free port:
            # without an address it would take 8787 or warn when that is in use.
            dashboard_address="127.0.0.1:0",
            # Lost workers are reported in the results; the cluster's own log lines would only
            # interleave with the progress display.
            silence_logs=logging.CRITICAL,
        )


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


@dataclass
class _Attempt:
    """One job on the cluster: its task's future, which attempt this is, workers lost so far."""

    job: GradeJob
    future: Future[Any]  # a GradeResult, as far as the cluster's pickles can be trusted
    attempt: int
    lost_workers: int


class DaskRunner:
    """Runs the jobs on a Dask cluster: an existing one, or a local one started for the batch.

    Args:
        scheduler: address of an existing scheduler, e.g. ``"tcp://10.0.0.5:8786"``. Defaults to
            none: start a local cluster of ``local_workers`` processes for each :meth:`run` (or
            once for a :meth:`session`) and close it afterwards.
        local_workers: worker processes of the local cluster, at least 1 (not with
            ``scheduler``). Defaults to the available cores. Each job's kernel then gets
            ``max(1, cores // local_workers)`` TensorFlow / OpenMP threads; on an existing
            cluster the jobs' environments are left as they are.
        connect_timeout: how long to wait for an existing scheduler, in seconds. Defaults to 30.
    """

    def __init__(
        self,
        scheduler: str | None = None,
        *,
        local_workers: int | None = None,
        connect_timeout: float = 30.0,
    ) -> None:
        if scheduler is not None and local_workers is not None:
            raise ValueError("give a Dask scheduler address or a local worker count, not both")
        if scheduler is not None and "://" not in scheduler:
            raise ValueError(
                f"Dask scheduler address {scheduler!r} has no protocol; write e.g. tcp://HOST:8786"
            )
        if local_workers is not None and local_workers < 1:
            raise ValueError(f"a local Dask cluster needs at least 1 worker, got {local_workers}")
        self.scheduler = scheduler
        self.local_workers = None if scheduler is not None else local_workers or available_cores()
        self.connect_timeout = connect_timeout
        self._session_client: Client | None = None

    @contextmanager
    def session(self) -> Iterator[None]:
        """Keep one client (and, without ``scheduler``, one local cluster) for every
        :meth:`run` inside the ``with`` block: a batch's reference run and its jobs then share
        the cluster's start-up. Nested sessions reuse the outer one."""
        if self._session_client is not None:
            yield
            return
        with self._connect() as client:
            self._session_client = client
            try:
                yield
            finally:
                self._session_client = None

    def run(self, jobs: Sequence[GradeJob], execute: Execute) -> Iterator[GradeResult]:
        """See :meth:`grader.run.runners.Runner.run`; ``execute`` must be a top-level function
        importable on the workers. Stopping the iteration early cancels the running jobs (and
        closes the local cluster).

        Raises:
            RunnerError: the scheduler cannot be reached.
        """
        check_unique_ids(jobs)
        if not jobs:
            return
        with self._client() as client:
            if self.local_workers is not None:
                threads = max(1, available_cores() // self.local_workers)
                jobs = [thread_limited(job, threads) for job in jobs]
            yield from _run_on(client, jobs, execute)

    @contextmanager
    def _client(self) -> Iterator[Client]:
        if self._session_client is not None:
            yield self._session_client
            return
        with self._connect() as client:
            yield client

    @contextmanager
    def _connect(self) -> Iterator[Client]:
        if self.scheduler is None:
            assert self.local_workers is not None
            with start_local_cluster(self.local_workers) as cluster:
                with Client(cluster, set_as_default=False) as client:
                    yield client
            return
        try:
            client = Client(self.scheduler, timeout=self.connect_timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise RunnerError(
                f"cannot reach the Dask scheduler at {self.scheduler}: {format_exception_line(exc)}"
            ) from exc
        with client:
            yield client


def _run_on(client: Client, jobs: Sequence[GradeJob], execute: Execute) -> Iterator[GradeResult]:
    """Hand the jobs out to ``client``'s cluster, one per free worker thread; yield results."""
    batch = uuid.uuid4().hex[:12]
    serial = itertools.count()
    waiting: deque[tuple[GradeJob, int, int]] = deque((job, 1, 0) for job in jobs)
    running: dict[str, _Attempt] = {}
    pending = as_completed(loop=client.loop)

    def hand_out() -> None:
        slots = max(1, sum(client.nthreads().values()))
        while waiting and len(running) < slots:
            job, attempt, lost = waiting.popleft()
            key = f"grade-{batch}-{next(serial)}-{job.job_id}"
            future = client.submit(execute, job, key=key, pure=False)
            running[key] = _Attempt(job, future, attempt, lost)
            pending.add(future)

    try:
        hand_out()
        for future in pending:
            current = running.pop(future.key)
            result, lost = _outcome(future, current)
            future.release()  # the executed notebook need not stay in the worker's memory
            if result is None:  # its worker was lost: hand it out again, before the others
                waiting.appendleft((current.job, current.attempt + 1, lost))
                hand_out()
                continue
            hand_out()
            yield result
    finally:
        if running:  # stopped early: drop the jobs still running
            client.cancel([attempt.future for attempt in running.values()], force=True)


def _outcome(future: Future[Any], current: _Attempt) -> tuple[GradeResult | None, int]:
    """The result of a finished task (``None`` when its worker was lost and it may retry), and
    how many workers the job has lost so far."""
    job_id, attempt, lost = current.job.job_id, current.attempt, current.lost_workers
    if future.status == "finished":
        try:
            result = future.result()
        except Exception as exc:
            reason = f"not graded: its result could not be fetched ({format_exception_line(exc)})"
            return failed_result(job_id, reason, attempts=attempt), lost
        if not isinstance(result, GradeResult):
            reason = f"not graded: the worker returned a {type(result).__name__}, not a GradeResult"
            return failed_result(job_id, reason, attempts=attempt), lost
        return replace(result, attempts=attempt), lost
    if future.status == "error":
        error: BaseException
        try:
            error = future.exception()
        except Exception as fetch_error:
            error = fetch_error
        if isinstance(error, KilledWorker):
            lost += error.allowed_failures + 1
            if attempt < MAX_ATTEMPTS:
                return None, lost
            reason = f"not graded: its worker was lost {_times(lost)} (KilledWorker)"
            return failed_result(job_id, reason, attempts=attempt), lost
        reason = f"not graded: the worker raised {format_exception_line(error)}"
        return failed_result(job_id, reason, attempts=attempt), lost
    reason = f"not graded: the cluster dropped its task (status {future.status})"
    return failed_result(job_id, reason, attempts=attempt), lost
