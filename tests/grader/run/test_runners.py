"""The runners: one result per job in completion order, thread limits, Dask with lost workers.

The Dask tests run a real ``LocalCluster`` of two worker *processes* (shared by the module) and
fake jobs from ``tests.grader.fake_jobs`` (importable by the workers: they inherit ``sys.path``
and ``PYTHONPATH``). No verdict depends on speed: sleeps only make the completion order differ from
the submission order, with wide margins.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import psutil
import pytest

from grader.run import dask_cluster as dask_runner
from grader.run.dask_cluster import DaskRunner
from grader.run.jobs import GradeJob, GradeResult
from grader.run.runners import (
    ProcessRunner,
    RunnerError,
    SequentialRunner,
    available_cores,
    make_runner,
    thread_limited,
)
from tests.grader import fake_jobs

if TYPE_CHECKING:
    from distributed import LocalCluster

LOST_TWICE = "not graded: its worker was lost twice (KilledWorker)"
RAISED = "not graded: the worker raised RuntimeError: boom"


@pytest.fixture(scope="module")
def local_cluster() -> Iterator[LocalCluster]:
    """A local cluster of 2 worker processes, as :class:`DaskRunner` starts one."""
    root = str(Path(__file__).resolve().parents[3])  # for tests.grader.fake_jobs
    with pytest.MonkeyPatch.context() as patch:
        extra = [root, os.environ.get("PYTHONPATH", "")]
        patch.setenv("PYTHONPATH", os.pathsep.join(p for p in extra if p))
        with dask_runner.start_local_cluster(2) as local:
            yield local


@pytest.fixture
def cluster(local_cluster: LocalCluster) -> LocalCluster:
    """The module's cluster with both workers up (a killed worker's restart takes a moment)."""
    local_cluster.wait_for_workers(2, timeout=60)
    return local_cluster


def mixed_jobs(slow_seconds: float = 0.0) -> list[GradeJob]:
    """A slow job first, then quick ones, and one whose execute raises."""
    return [
        fake_jobs.make_job("slow", FAKE_SLEEP=str(slow_seconds)),
        fake_jobs.make_job("quick-1"),
        fake_jobs.make_job("quick-2"),
        fake_jobs.make_job("raises", FAKE_RAISE="boom"),
    ]


def by_id(results: list[GradeResult]) -> dict[str, GradeResult]:
    return {result.job_id: result for result in results}


def test_sequential_runner_runs_in_submission_order_and_survives_a_raising_job() -> None:
    jobs = mixed_jobs()
    results = list(SequentialRunner().run(jobs, fake_jobs.execute))
    assert [r.job_id for r in results] == [job.job_id for job in jobs]
    failed = by_id(results)["fake/raises"]
    assert (failed.status, failed.reason, failed.notebook) == ("failed", RAISED, None)
    assert by_id(results)["fake/quick-1"].status == "executed"


def test_process_runner_yields_in_completion_order() -> None:
    jobs = mixed_jobs(slow_seconds=1.5)
    results = list(ProcessRunner(workers=2).run(jobs, fake_jobs.execute))
    assert sorted(r.job_id for r in results) == sorted(job.job_id for job in jobs)
    assert results[-1].job_id == "fake/slow"  # submitted first, finished last
    assert by_id(results)["fake/raises"].reason == RAISED


def test_process_runner_gives_each_job_its_share_of_the_cores() -> None:
    job = fake_jobs.make_job("threads", KEEP="me", OMP_NUM_THREADS="99")
    for workers, cores, expected in [(2, 4, "2"), (4, 2, "1"), (3, 8, "2"), (1, 6, "6")]:
        runner = ProcessRunner(workers=workers, cores=cores)
        (result,) = runner.run([job], fake_jobs.echo_threads)
        assert result.notebook is not None
        seen = dict(json.loads(result.notebook))
        assert seen == {
            "OMP_NUM_THREADS": expected,
            "TF_NUM_INTRAOP_THREADS": expected,
            "TF_NUM_INTEROP_THREADS": "1",
        }
    assert job.env == {"KEEP": "me", "OMP_NUM_THREADS": "99"}  # the given job is unchanged
    assert thread_limited(job, 3).env["KEEP"] == "me"


def test_process_runner_defaults_to_one_job_per_core() -> None:
    runner = ProcessRunner()
    assert runner.workers == available_cores() >= 1
    assert runner.threads_per_job == 1


def test_dask_runner_yields_in_completion_order(cluster: LocalCluster) -> None:
    jobs = mixed_jobs(slow_seconds=1.5)
    results = list(DaskRunner(cluster.scheduler_address).run(jobs, fake_jobs.execute))
    assert sorted(r.job_id for r in results) == sorted(job.job_id for job in jobs)
    assert results[-1].job_id == "fake/slow"
    assert by_id(results)["fake/raises"].reason == RAISED


def test_all_runners_give_identical_results(cluster: LocalCluster) -> None:
    jobs = [*mixed_jobs(), *(fake_jobs.make_job(f"more-{i}") for i in range(3))]
    runners = {
        "sequential": SequentialRunner(),
        "processes": ProcessRunner(workers=2),
        "dask": DaskRunner(cluster.scheduler_address),
    }
    outcomes = {
        name: sorted(runner.run(jobs, fake_jobs.execute), key=lambda r: r.job_id)
        for name, runner in runners.items()
    }
    assert len(outcomes["sequential"]) == len(jobs)
    assert outcomes["processes"] == outcomes["sequential"]
    assert outcomes["dask"] == outcomes["sequential"]


def test_dask_retries_a_lost_worker_once_and_the_batch_finishes(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    jobs = [
        fake_jobs.make_job("killed-once", FAKE_KILL=f"once:{tmp_path / 'marker'}"),
        fake_jobs.make_job("killed-always", FAKE_KILL="always"),
        fake_jobs.make_job("innocent-1", FAKE_SLEEP="0.2"),
        fake_jobs.make_job("innocent-2"),
        fake_jobs.make_job("raises", FAKE_RAISE="boom"),
    ]
    results = by_id(list(DaskRunner(cluster.scheduler_address).run(jobs, fake_jobs.execute)))
    assert sorted(results) == sorted(job.job_id for job in jobs)

    retried = results["fake/killed-once"]
    assert (retried.status, retried.attempts) == ("executed", 2)
    assert (tmp_path / "marker").exists()

    lost = results["fake/killed-always"]
    assert (lost.status, lost.reason, lost.attempts, lost.notebook) == (
        "failed",
        LOST_TWICE,
        2,
        None,
    )
    for name in ("innocent-1", "innocent-2"):
        result = results[f"fake/{name}"]
        assert (result.status, result.attempts) == ("executed", 1)
        assert result == fake_jobs.execute(fake_jobs.make_job(name))
    assert results["fake/raises"].reason == RAISED


def test_dask_local_cluster_limits_threads_and_is_closed_afterwards() -> None:
    me = psutil.Process()
    before = {child.pid for child in me.children(recursive=True)}
    jobs = [fake_jobs.make_job(f"local-{i}") for i in range(3)]
    results = list(DaskRunner(local_workers=2).run(jobs, fake_jobs.echo_threads))
    assert sorted(r.job_id for r in results) == [job.job_id for job in jobs]
    share = str(max(1, available_cores() // 2))
    assert {r.notebook for r in results} == {
        json.dumps(
            {
                "OMP_NUM_THREADS": share,
                "TF_NUM_INTRAOP_THREADS": share,
                "TF_NUM_INTEROP_THREADS": "1",
            }
        )
    }
    deadline = time.monotonic() + 30
    while {c.pid for c in me.children(recursive=True)} - before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not {c.pid for c in me.children(recursive=True)} - before, "worker processes left"


def test_dask_session_starts_one_local_cluster_for_several_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[int] = []
    real_start = dask_runner.start_local_cluster

    def counting_start(n_workers: int) -> LocalCluster:
        started.append(n_workers)
        return real_start(n_workers)

    monkeypatch.setattr(dask_runner, "start_local_cluster", counting_start)
    me = psutil.Process()
    before = {child.pid for child in me.children(recursive=True)}
    runner = DaskRunner(local_workers=2)
    with runner.session():
        first = list(runner.run([fake_jobs.make_job("reference")], fake_jobs.execute))
        with runner.session():  # nested: the outer session's cluster
            rest = list(
                runner.run([fake_jobs.make_job(f"s-{i}") for i in range(2)], fake_jobs.execute)
            )
    assert started == [2], "one local cluster for the reference run and the batch"
    assert [r.status for r in first + rest] == ["executed"] * 3
    list(runner.run([fake_jobs.make_job("after")], fake_jobs.execute))
    assert started == [2, 2], "outside a session each run starts (and closes) its own cluster"
    deadline = time.monotonic() + 30
    while {c.pid for c in me.children(recursive=True)} - before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not {c.pid for c in me.children(recursive=True)} - before, "worker processes left"


def test_unreachable_scheduler_is_one_clear_error() -> None:
    runner = DaskRunner("tcp://127.0.0.1:9", connect_timeout=1)
    with pytest.raises(
        RunnerError, match=r"^cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9: "
    ) as info:
        list(runner.run([fake_jobs.make_job("x")], fake_jobs.execute))
    assert "\n" not in str(info.value)


def test_no_jobs_no_results(cluster: LocalCluster) -> None:
    for runner in (SequentialRunner(), ProcessRunner(2), DaskRunner(cluster.scheduler_address)):
        assert list(runner.run([], fake_jobs.execute)) == []


def test_duplicate_job_ids_are_refused() -> None:
    job = fake_jobs.make_job("twice")
    with pytest.raises(ValueError, match="'fake/twice' repeats"):
        list(ProcessRunner(2).run([job, job], fake_jobs.execute))


def test_make_runner_kinds_and_bad_options() -> None:
    assert isinstance(make_runner(), SequentialRunner)
    runner = make_runner("processes", workers=3)
    assert isinstance(runner, ProcessRunner) and runner.workers == 3
    remote = make_runner("dask", scheduler="tcp://10.0.0.5:8786")
    assert isinstance(remote, DaskRunner) and remote.local_workers is None
    assert make_runner("dask", dask_local=2).local_workers == 2
    assert make_runner("dask").local_workers == available_cores()
    bad = [
        (
            {"kind": "threads"},
            "unknown runner 'threads'; choose one of sequential, processes, dask",
        ),
        ({"kind": "sequential", "workers": 2}, "the sequential runner takes no workers option"),
        ({"kind": "processes", "scheduler": "tcp://h:1"}, "takes no scheduler option"),
        ({"kind": "processes", "workers": 0}, "workers must be at least 1, got 0"),
        ({"kind": "dask", "scheduler": "tcp://h:1", "dask_local": 2}, "not both"),
        ({"kind": "dask", "scheduler": "10.0.0.5:8786"}, "has no protocol; write e.g. tcp://"),
        ({"kind": "dask", "dask_local": 0}, "at least 1 worker, got 0"),
    ]
    for options, message in bad:
        with pytest.raises(ValueError, match=message.replace("(", r"\(")):
            make_runner(**options)
