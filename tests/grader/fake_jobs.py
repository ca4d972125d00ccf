"""Fake grading jobs for the runner tests: a top-level ``execute`` that Dask workers can import.

A fake job says in its ``env`` what its execution does (read by :func:`execute`):

- ``FAKE_SLEEP``: seconds to sleep before returning (decides the completion order);
- ``FAKE_KILL``: ``"always"``: kill the worker process running it, every time;
  ``"once:<marker path>"``: kill it the first time (when the marker file does not exist yet,
  creating it), succeed afterwards;
- ``FAKE_RAISE``: raise a ``RuntimeError`` with this message.

The result's notebook echoes the job's notebook, so results are identical whichever runner ran
the job; :func:`echo_threads` instead returns the thread variables the job arrived with.
:func:`execute_job_killing_its_worker_once` executes *real* jobs (``grader.run.worker.execute_job``)
and kills the worker process under one of them, once (tests/grader/run/test_scale.py).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

from grader.run.jobs import GradeJob, GradeResult

#: Environment variables a runner may set on a job; echoed back in the fake result.
THREAD_VARS = ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")
#: ``<student>:<marker file>`` in the worker's environment: whose job
#: :func:`execute_job_killing_its_worker_once` kills its worker under, and the marker it writes
KILL_WORKER_VARIABLE = "NN_TRICKS_TEST_KILL_WORKER"
#: seconds into the victim's job (its sandbox running) at which its worker is killed
KILL_AFTER_SECONDS = 5.0


def make_job(name: str, **env: str) -> GradeJob:
    """A fake job ``"fake/<name>"`` whose ``env`` holds the given ``FAKE_*`` instructions."""
    return GradeJob(
        job_id=f"fake/{name}",
        assignment="fake",
        student=name,
        notebook_name="fake",
        notebook=json.dumps({"cells": [], "student": name}),
        env=dict(env),
        sandbox="off",
    )


def _kill_own_process() -> None:
    os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(60)  # never reached: SIGKILL is not deliverable later than now


def execute(job: GradeJob) -> GradeResult:
    """Do what the job's ``FAKE_*`` variables say, then return an ``"executed"`` result."""
    kill = job.env.get("FAKE_KILL", "")
    if kill == "always":
        _kill_own_process()
    elif kill.startswith("once:"):
        marker = Path(kill.removeprefix("once:"))
        if not marker.exists():
            marker.write_text("killed once\n")
            _kill_own_process()
    if "FAKE_RAISE" in job.env:
        raise RuntimeError(job.env["FAKE_RAISE"] + "\nsecond line of the message")
    time.sleep(float(job.env.get("FAKE_SLEEP", "0")))
    notebook = json.dumps({"ran": json.loads(job.notebook)})
    return GradeResult(job_id=job.job_id, status="executed", notebook=notebook)


def echo_threads(job: GradeJob) -> GradeResult:
    """An ``"executed"`` result whose notebook is the JSON of the job's thread variables."""
    seen = {name: job.env[name] for name in THREAD_VARS if name in job.env}
    return GradeResult(job_id=job.job_id, status="executed", notebook=json.dumps(seen))


def execute_job_killing_its_worker_once(job: GradeJob) -> GradeResult:
    """``grader.run.worker.execute_job(job)``, except that the first execution of the victim's job
    (``$NN_TRICKS_TEST_KILL_WORKER``) SIGKILLs the process running it
    :data:`KILL_AFTER_SECONDS` in, while its sandbox runs. The marker file then holds that
    process's pid; if the job finished first, it says so instead (and nothing is killed).
    """
    from grader.run.worker import execute_job

    victim, _, marker = os.environ.get(KILL_WORKER_VARIABLE, "").partition(":")
    if job.student != victim or not marker or Path(marker).exists():
        return execute_job(job)
    Path(marker).write_text(f"{os.getpid()}\n", encoding="utf-8")
    killer = threading.Timer(KILL_AFTER_SECONDS, os.kill, (os.getpid(), signal.SIGKILL))
    killer.daemon = True
    killer.start()
    result = execute_job(job)
    killer.cancel()
    Path(marker).write_text("the job finished before its worker was killed\n", encoding="utf-8")
    return result
