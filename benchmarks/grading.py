"""Grading at scale: the same batch graded by each runner, and what stays serial.

    python -m benchmarks.grading                      # 12 submissions of practice 1b
    python -m benchmarks.grading --submissions 24 --output-dir /tmp/bench
    python -m benchmarks.grading --render-only        # the report again, from the saved JSON

One scratch course of practice 1b is released once and given ``--submissions`` submissions
(at least 12 by default) from the hostile corpus (``tests/grader/corpus``): correct, wrong and
blank answers, tampering, a dead kernel, an unreadable file. A copy of it is graded from scratch
by each runner, one after another, in this one run:

- ``sequential``;
- ``processes --workers 2`` (one single-threaded TensorFlow kernel per core);
- ``dask --dask-local 2`` (a local cluster of 2 worker processes, started by the runner).

The per-student statuses, totals and per-cell scores must be identical across runners (asserted:
the results are written, then the run fails). ``results-grading.md`` and ``results-grading.json``
(in ``benchmarks/`` unless ``--output-dir``) give per runner the batch's wall time, submissions
per minute and speed-up over sequential, and the phases that stay serial on the coordinator,
measured by timing the pipeline's own functions (``grader.batch.plan``'s planning functions and
nbgrader's ``generate_assignment``, wrapped for the run; a runner wrapper for the run phase):

- **plan**: nbgrader ``generate_assignment`` (gradebook sync), planning the reference run, and
  planning each submission (staging, integrity scan, nbgrader ``prepare``, seals);
- **reference run**: one job, executed alone before the batch (its runner's start-up included);
- **record**: per result, the coordinator's time between receiving it and asking for the next
  (verdicts, nbgrader ``finalize`` into the gradebook, status file); it overlaps the workers'
  execution of the other jobs but not the coordinator's own work.

From these the closing note projects the batch's wall time on more worker slots (Amdahl's law
with the coordinator's per-submission work as the serial part).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.machine import describe_machine
from benchmarks.processes import ROOT
from benchmarks.report import markdown_table
from benchmarks.results_files import write_report_and_json

ASSIGNMENT = "practice-1b-kernel-sizes"
RESULTS_DIR = ROOT / "benchmarks"
MD_NAME = "results-grading.md"
JSON_NAME = "results-grading.json"
DEFAULT_SUBMISSIONS = 12
#: the batch, in order; beyond these, copies under new ids (``<name>-2`` ...) are added
CORPUS_MIX = (
    "ks-correct",  # the instructor's answers
    "ks-blank",  # the untouched release
    "ks-wrong-kernel-size",  # a typical mistake
    "ks-wrong-shapes",  # another one
    "ks-deleted-test",  # a test cell deleted: restored and graded
    "ks-duplicated",  # copy-pasted answer and test cells
    "ks-stderr",  # debugging prints on stderr
    "ks-swallow-run-cell",  # run_cell wrapped to hide exceptions: needs review
    "ks-forged-seal",  # seal outputs displayed by the submission: needs review
    "ks-fake-module",  # a stand-in helpers.grading: needs review
    "ks-os-exit",  # the kernel ends itself: not graded
    "ks-corrupt-json",  # not a notebook: not graded, never executed
)
#: (label, AutogradeOptions fields), in the order they run
RUNNERS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("sequential", {"runner": "sequential"}),
    ("processes --workers 2", {"runner": "processes", "workers": 2}),
    ("dask --dask-local 2", {"runner": "dask", "dask_local": 2}),
)
#: worker slots of the projection (2 per machine on machines like this one)
PROJECTED_SLOTS = (1, 2, 4, 8, 16, 32, 64)
PROJECTED_SUBMISSIONS = 200


# ---------------------------------------------------------------------------------------------
# the batch
# ---------------------------------------------------------------------------------------------


def choose_students(count: int) -> list[tuple[str, str]]:
    """``count`` (student id, corpus entry) pairs: :data:`CORPUS_MIX`, then copies of it."""
    if count < 1:
        raise ValueError(f"a batch needs at least 1 submission, got {count}")
    chosen = []
    for i in range(count):
        entry = CORPUS_MIX[i % len(CORPUS_MIX)]
        copy = i // len(CORPUS_MIX)
        chosen.append((entry if copy == 0 else f"{entry}-{copy + 1}", entry))
    return chosen


def build_course(scratch: Path, count: int) -> Path:
    """A released scratch course of the assignment with ``count`` submissions."""
    from grader.commands.release import release
    from tests.grader.corpus import make_corpus

    root = scratch / "course"
    (root / "solutions").mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions" / ASSIGNMENT, root / "solutions" / ASSIGNMENT)
    release(root)
    materials = make_corpus.load_materials(ASSIGNMENT, root)
    entries = {e.name: e for e in make_corpus.entries(ASSIGNMENT, root)}
    for student, name in choose_students(count):
        entry = entries[name]
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / entry.filename).write_bytes(entry.build(materials))
    return root


# ---------------------------------------------------------------------------------------------
# timing the phases
# ---------------------------------------------------------------------------------------------


@dataclass
class RunTiming:
    """One ``runner.run(jobs, execute)`` call, seen from the coordinator.

    Attributes:
        jobs: jobs handed to the runner.
        seconds: from the call to the end of the iteration.
        coordinator_seconds: per result, the coordinator's time before it asked for the next.
        results: the results, in completion order.
    """

    jobs: int
    seconds: float = 0.0
    coordinator_seconds: list[float] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)


class TimingRunner:
    """Wraps a runner; records every ``run`` call as a :class:`RunTiming`."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.runs: list[RunTiming] = []

    def run(self, jobs: Sequence[Any], execute: Any) -> Iterator[Any]:
        timing = RunTiming(len(jobs))
        self.runs.append(timing)
        started = time.perf_counter()
        results = self.inner.run(jobs, execute)
        try:
            for result in results:
                timing.results.append(result)
                received = time.perf_counter()
                yield result
                timing.coordinator_seconds.append(time.perf_counter() - received)
        finally:
            close = getattr(results, "close", None)
            if close is not None:
                close()
            timing.seconds = time.perf_counter() - started

    def session(self) -> contextlib.AbstractContextManager[None]:
        """The wrapped runner's session (one Dask cluster for the reference run and the batch)."""
        return self.inner.session()


@contextlib.contextmanager
def timed(module: Any, name: str, sink: list[float]) -> Iterator[None]:
    """While active, every call of ``module.name`` appends its wall seconds to ``sink``."""
    original = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            sink.append(time.perf_counter() - started)

    setattr(module, name, wrapper)
    try:
        yield
    finally:
        setattr(module, name, original)


def machine_note(runs: list[dict[str, Any]], machine: dict[str, Any]) -> str:
    """How busy the machine was, read off the runs' load averages (one sentence)."""
    loads = [x for run in runs for x in (run["load_before"], run["load_after"]) if x is not None]
    cores = machine["cores"]
    explain = (
        f"the load average before/after each runner is in the table (on {cores} cores, a load "
        f"above {cores} means the batch competed with other work), and *cores used* says how "
        "much of the machine the batch's sandboxes actually got."
    )
    if loads and max(loads) > cores + 0.25:  # the batch itself keeps the load near `cores`
        return (
            f"**the machine was shared with other work while it ran** (load up to "
            f"{max(loads):.1f}): {explain} Where that load left the batch less than its "
            f"{cores} cores, the speed-ups understate what an idle machine gives."
        )
    peak = max(loads, default=0.0)
    return f"no other work on the machine to speak of (load at most {peak:.1f}): {explain}"


def load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def grade_with(course: Path, scratch: Path, label: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Grade a fresh copy of ``course`` with one runner; its measurements and its scores."""
    from grader.batch import autograde as ag
    from grader.batch import plan as batch_plan
    from grader.run.jobs import Limits

    root = scratch / label.split()[0] / "course"
    shutil.copytree(course, root)
    options = batch_plan.AutogradeOptions(
        limits=Limits(cell_cpu_seconds=60, cell_wall_seconds=300), **fields
    )
    generate: list[float] = []
    plan_reference: list[float] = []
    plan_submission: list[float] = []
    load_before = load_average()
    print(f"  {label}: planning ...", flush=True)
    started = time.perf_counter()
    with (
        timed(batch_plan, "generate_assignment", generate),
        timed(batch_plan, "plan_reference", plan_reference),
        timed(batch_plan, "plan_submission", plan_submission),
    ):
        plan = batch_plan.plan_batch(root.resolve(), ASSIGNMENT, options)
    plan_seconds = time.perf_counter() - started
    runner = TimingRunner(ag.make_runner(options))
    done = [0]

    def progress(outcome: Any) -> None:
        done[0] += 1
        print(f"  {label}: [{done[0]}/{len(plan.submissions)}] {outcome.student}", flush=True)

    report = ag.run_batch(plan, runner=runner, on_outcome=progress)
    wall = time.perf_counter() - started
    reference_run, main_run = runner.runs[0], runner.runs[-1]
    reference_job = reference_run.results[0]
    executed = main_run.results
    return {
        "runner": label,
        "submissions": len(plan.submissions),
        "jobs": main_run.jobs,
        "wall_seconds": wall,
        "plan_seconds": plan_seconds,
        "generate_seconds": sum(generate),
        "plan_reference_seconds": sum(plan_reference),
        "plan_submission_seconds": plan_submission,
        "reference_seconds": report.reference_seconds,
        "reference_job_seconds": reference_job.wall_seconds,
        "run_seconds": main_run.seconds,
        "record_seconds": main_run.coordinator_seconds,
        "job_wall_seconds": [r.wall_seconds for r in executed],
        "job_cpu_seconds": [r.cpu_seconds for r in executed],
        "attempts": [r.attempts for r in executed],
        "sandboxed": sum(1 for r in executed if r.sandboxed),
        "load_before": load_before,
        "load_after": load_average(),
        "scores": scores_of(root, report.outcomes),
    }


def scores_of(root: Path, outcomes: Sequence[Any]) -> dict[str, Any]:
    """student -> status, total and every autograded test cell's (auto score, needs manual)."""
    from nbgrader.api import Gradebook, MissingEntry

    from grader import settings

    found: dict[str, Any] = {}
    with Gradebook(settings.gradebook_url(root), settings.COURSE_ID) as gb:
        autograded = {
            cell.name
            for notebook in gb.find_assignment(ASSIGNMENT).notebooks
            for cell in notebook.grade_cells
            if cell.cell_type == "code"
        }
        for outcome in sorted(outcomes, key=lambda o: o.student):
            cells: dict[str, Any] = {}
            with contextlib.suppress(MissingEntry):
                submission = gb.find_submission(ASSIGNMENT, outcome.student)
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        if grade.name in autograded:
                            cells[grade.name] = [grade.auto_score, bool(grade.needs_manual_grade)]
            found[outcome.student] = {
                "status": outcome.status,
                "score": outcome.score,
                "max_score": outcome.max_score,
                "cells": dict(sorted(cells.items())),
            }
    return found


# ---------------------------------------------------------------------------------------------
# summary, projection, report (pure: tested with made-up numbers)
# ---------------------------------------------------------------------------------------------


def differing_scores(runs: Sequence[dict[str, Any]]) -> list[str]:
    """One line per (runner, student) whose grades differ from the first runner's."""
    first = runs[0]
    lines = []
    for run in runs[1:]:
        for student in sorted(set(first["scores"]) | set(run["scores"])):
            if first["scores"].get(student) != run["scores"].get(student):
                lines.append(
                    f"{run['runner']}: {student} graded differently from {first['runner']}"
                )
    return lines


def summary_rows(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per runner: wall seconds, submissions per minute, speed-up over the first (sequential)."""
    base = runs[0]["wall_seconds"]
    base_run = runs[0]["run_seconds"]
    rows = []
    for run in runs:
        rows.append(
            {
                "runner": run["runner"],
                "submissions": run["submissions"],
                "wall_seconds": run["wall_seconds"],
                "per_minute": 60.0 * run["submissions"] / run["wall_seconds"],
                "speedup": base / run["wall_seconds"],
                "run_seconds": run["run_seconds"],
                "run_speedup": base_run / run["run_seconds"],
                "cpu_seconds": sum(run["job_cpu_seconds"]),
                "cores_used": sum(run["job_cpu_seconds"]) / run["run_seconds"],
                "load": [run["load_before"], run["load_after"]],
            }
        )
    return rows


def serial_parts(run: dict[str, Any]) -> dict[str, float]:
    """The coordinator's serial work in one run, in seconds (means per submission / result)."""
    plan_each = run["plan_submission_seconds"]
    record_each = run["record_seconds"]
    return {
        "generate": run["generate_seconds"],
        "plan_reference": run["plan_reference_seconds"],
        "plan_total": run["plan_seconds"],
        "plan_per_submission": _mean(plan_each),
        "reference_run": run["reference_seconds"],
        "reference_overhead": run["reference_seconds"] - run["reference_job_seconds"],
        "record_per_result": _mean(record_each),
        "record_total": sum(record_each),
        "job_wall": _mean(run["job_wall_seconds"]),
        "job_cpu": _mean(run["job_cpu_seconds"]),
    }


def model_seconds(
    submissions: int, slots: int, fixed: float, plan: float, record: float, job: float, jobs=None
) -> float:
    """Projected batch wall time: the fixed serial part, planning every submission, then the
    run phase: the jobs in waves of ``slots`` (``ceil(jobs / slots)`` job times) unless the
    coordinator's recording is slower (the first result after one job time, then one record
    time per result)."""
    jobs = submissions if jobs is None else jobs
    execution = math.ceil(jobs / slots) * job if jobs else 0.0
    coordinator = (job + jobs * record) if jobs else 0.0
    return fixed + submissions * plan + max(execution, coordinator)


def projection(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Amdahl's law with the measured serial parts (see the module docstring).

    Per-submission planning and recording are averaged over the runners (they are the same
    coordinator code whatever the runner); a job's time is the process runner's (one
    single-threaded kernel per core, the way more machines would run it); the fixed part is
    ``generate_assignment`` + planning the reference + the reference run (process runner's).
    """
    processes = next((r for r in runs if r["runner"].startswith("processes")), runs[-1])
    parts = [serial_parts(r) for r in runs]
    plan = _mean([p["plan_per_submission"] for p in parts])
    record = _mean([p["record_per_result"] for p in parts])
    own = serial_parts(processes)
    fixed = own["generate"] + own["plan_reference"] + own["reference_run"]
    job = own["job_wall"]
    executed_share = processes["jobs"] / max(1, processes["submissions"])
    measured = processes["submissions"]
    check = model_seconds(measured, 2, fixed, plan, record, job, processes["jobs"])
    n = PROJECTED_SUBMISSIONS
    n_jobs = round(n * executed_share)
    one = model_seconds(n, 1, fixed, plan, record, job, n_jobs)
    rows = []
    for slots in PROJECTED_SLOTS:
        seconds = model_seconds(n, slots, fixed, plan, record, job, n_jobs)
        rows.append(
            {
                "slots": slots,
                "machines": max(1, slots // 2),
                "seconds": seconds,
                "per_minute": 60.0 * n / seconds,
                "speedup": one / seconds,
            }
        )
    limit = fixed + n * plan + (job + n_jobs * record if n_jobs else 0.0)
    serial = fixed + n * (plan + record)
    plans = [p["plan_per_submission"] for p in parts]
    records = [p["record_per_result"] for p in parts]
    fastest, slowest = min(plans) + min(records), max(plans) + max(records)
    return {
        "fixed_seconds": fixed,
        "plan_per_submission": plan,
        "record_per_result": record,
        "job_seconds": job,
        "model_check": {
            "runner": processes["runner"],
            "model": check,
            "measured": processes["wall_seconds"],
        },
        "submissions": n,
        "jobs": n_jobs,
        "rows": rows,
        "limit_seconds": limit,
        "limit_speedup": one / limit,
        "serial_fraction": serial / one,
        "coordinator_per_minute": 60.0 / (plan + record) if plan + record else None,
        "coordinator_per_minute_range": [
            60.0 / slowest if slowest else None,
            60.0 / fastest if fastest else None,
        ],
    }


#: the goal: speed-up of the 2-worker runners over sequential on this machine
TARGET_SPEEDUP = 1.5


def target_note(runs: Sequence[dict[str, Any]]) -> str:
    """Whether the 2-worker runners reached :data:`TARGET_SPEEDUP`, and how many cores they got."""
    rows = summary_rows(runs)
    parallel = rows[1:]
    if not parallel:
        return ""
    best = max(parallel, key=lambda row: row["speedup"])
    cores = ", ".join(f"`{row['runner']}` {row['cores_used']:.2f}" for row in parallel)
    loads = [x for row in parallel for x in row["load"] if x is not None]
    verdict = "**met**" if best["speedup"] >= TARGET_SPEEDUP else "**not met in this run**"
    text = (
        f"Target ≥ {TARGET_SPEEDUP}× over sequential with 2 workers: {verdict} (best: "
        f"`{best['runner']}`, {best['speedup']:.2f}×). Cores the sandboxes got: sequential "
        f"{rows[0]['cores_used']:.2f}, {cores} (of 2)"
    )
    if best["speedup"] < TARGET_SPEEDUP and loads:
        text += (
            f"; the machine's load average was {min(loads):.1f}–{max(loads):.1f} during the "
            "parallel runs, so two sandboxes at once got hardly more CPU than one: the "
            "parallel runners had no idle core to use. The speed-up needs the 2 cores free; "
            "rerun on a quiet machine to show it"
        )
    return text + "."


def _s(value: float) -> str:
    return f"{value:.1f}"


def _range(bounds: Sequence[float | None]) -> str:
    low, high = bounds
    if low is None or high is None:
        return "–"
    return f"{low:.0f}–{high:.0f}"


def render_markdown(results: dict[str, Any]) -> str:
    """The results as markdown (see :func:`main` for the fields of ``results``)."""
    runs = results["runs"]
    rows = summary_rows(runs)
    proj = results["projection"]
    machine = results["machine"]
    identical = not results["differences"]
    out = [
        "# Grading at scale: one batch, three runners",
        "",
        f"`python -m benchmarks.grading --submissions {runs[0]['submissions']}` on "
        f"{machine['date']}: {runs[0]['submissions']} submissions of `{ASSIGNMENT}` "
        f"({runs[0]['jobs']} executed, the rest unreadable), fast mode "
        f"(`NN_TRICKS_FAST=1`), data: {results['data']}. Machine: {machine['cpu']}, "
        f"{machine['cores']} cores, Python {machine['python']}; {machine_note(runs, machine)}",
        "",
        markdown_table(
            [
                "runner",
                "wall s",
                "submissions/min",
                "speed-up",
                "run phase s",
                "run-phase speed-up",
                "sandbox CPU s",
                "cores used",
                "load avg",
            ],
            [
                [
                    f"`{row['runner']}`",
                    _s(row["wall_seconds"]),
                    _s(row["per_minute"]),
                    f"{row['speedup']:.2f}×",
                    _s(row["run_seconds"]),
                    f"{row['run_speedup']:.2f}×",
                    _s(row["cpu_seconds"]),
                    f"{row['cores_used']:.2f}",
                    " → ".join("–" if x is None else f"{x:.1f}" for x in row["load"]),
                ]
                for row in rows
            ],
        ),
        "",
        target_note(runs),
        "",
        (
            "Scores identical across runners (status, total and every autograded cell of every "
            "student): **yes** (asserted)."
            if identical
            else "Scores identical across runners: **NO**: " + "; ".join(results["differences"])
        ),
        "",
        "*wall s*: the whole batch as `python -m grader autograde` runs it (plan, reference run, "
        "run and record); *speed-up*: sequential's wall time over the runner's; *run phase*: "
        "from handing the jobs to the runner to the last result recorded; *sandbox CPU s*: CPU "
        "time of all the batch's sandboxes (the work itself, the same whatever the runner); "
        "*cores used*: that CPU time over the run phase's wall time.",
        "",
        "## What stays serial (measured, seconds)",
        "",
    ]
    parts = [serial_parts(r) for r in runs]
    labels = [
        ("generate", "nbgrader `generate_assignment` (gradebook sync)"),
        ("plan_reference", "planning the reference run"),
        ("plan_per_submission", "planning one submission (stage, scan, `prepare`, seals)"),
        ("plan_total", "plan phase, total"),
        ("reference_run", "reference run (one job, alone)"),
        ("reference_overhead", "… of which the runner's start-up and hand-over"),
        ("record_per_result", "recording one result (verdicts, `finalize`, status)"),
        ("record_total", "recording, total"),
        ("job_wall", "one job's sandbox wall time (mean)"),
        ("job_cpu", "one job's sandbox CPU time (mean)"),
    ]
    out.append(
        markdown_table(
            ["", *[f"`{r['runner']}`" for r in runs]],
            [[text, *[f"{p[key]:.2f}" for p in parts]] for key, text in labels],
        )
    )
    check = proj["model_check"]
    out += [
        "",
        "## Scaling to more machines",
        "",
        "The coordinator plans every submission before the run, runs the reference alone, and "
        "records the results one at a time; only the jobs' execution is spread over the workers "
        "(and workers never see the gradebook). With the measured parts: fixed serial work "
        f"F = {proj['fixed_seconds']:.1f} s (`generate_assignment`, planning the reference, the "
        f"reference run), p = {proj['plan_per_submission']:.2f} s of planning and "
        f"r = {proj['record_per_result']:.2f} s of recording per submission, and "
        f"e = {proj['job_seconds']:.1f} s per job on one single-threaded slot, a batch of "
        "N submissions on S slots takes about",
        "",
        "    T(S) = F + N·p + max(ceil(N/S)·e, e + N·r)",
        "",
        f"(check: the model gives {check['model']:.0f} s for this batch on "
        f"`{check['runner']}`, measured {check['measured']:.0f} s). For a course-sized batch "
        f"of N = {proj['submissions']} ({proj['jobs']} executed), 2 slots per machine like this "
        "one (a remote cluster adds no start-up; each worker needs the data at the same path):",
        "",
        markdown_table(
            ["slots", "machines", "batch min", "submissions/min", "speed-up over 1 slot"],
            [
                [
                    str(row["slots"]),
                    str(row["machines"]),
                    f"{row['seconds'] / 60:.1f}",
                    _s(row["per_minute"]),
                    f"{row['speedup']:.1f}×",
                ]
                for row in proj["rows"]
            ],
        ),
        "",
        f"The serial fraction of the one-slot batch is {100 * proj['serial_fraction']:.1f} %, "
        f"so however many machines, the batch cannot go below {proj['limit_seconds'] / 60:.1f} "
        f"min (speed-up ≤ {proj['limit_speedup']:.0f}×): the coordinator alone handles about "
        + (
            f"{proj['coordinator_per_minute']:.0f} submissions per minute (planning + "
            f"recording; {_range(proj['coordinator_per_minute_range'])} per minute across the "
            "runs here, fastest when the coordinator had the CPU to itself), "
            if proj["coordinator_per_minute"]
            else "any number of submissions per minute, "
        )
        + "and beyond that more workers only wait. The next serial costs to attack are the "
        "per-submission ones (planning could overlap the run; recording is nbgrader's "
        "`finalize`, one gradebook transaction per submission), then the reference run "
        "(it runs alone while the other slots idle). "
        + (
            "`--dask-local` pays its cluster's start-up (the reference run's start-up row) once "
            "per batch: the reference run and the batch share one local cluster."
            if results.get("dask_local_clusters_per_batch", 2) == 1
            else "`--dask-local` paid its cluster's start-up (the reference run's start-up row) "
            "twice per batch in this run: the runner then started a local cluster for the "
            "reference run and another for the batch (now they share one)."
        ),
        "",
        f"Benchmark wall time: {results['seconds'] / 60:.1f} minutes.",
        "",
    ]
    return "\n".join(out)


def machine_description() -> dict[str, Any]:
    """What the figures were measured on."""
    return describe_machine()


def results_of(runs: Sequence[dict[str, Any]], context: dict[str, Any]) -> dict[str, Any]:
    """Everything the report shows: the measured ``runs`` and what follows from them, with
    ``context``'s ``data`` (description), ``machine`` and ``seconds`` (the benchmark's)."""
    return {
        "assignment": ASSIGNMENT,
        "data": context["data"],
        "machine": context["machine"],
        "runs": list(runs),
        "summary": summary_rows(runs),
        "serial": {run["runner"]: serial_parts(run) for run in runs},
        "projection": projection(runs),
        "differences": differing_scores(runs),
        "seconds": context["seconds"],
        # local Dask clusters started per batch: 2 before the runner kept one for the batch
        "dask_local_clusters_per_batch": context.get("dask_local_clusters_per_batch", 2),
    }


def write_results(results: dict[str, Any], directory: Path) -> tuple[Path, Path]:
    """Write ``results-grading.md`` and ``.json`` into ``directory``; their paths."""
    return write_report_and_json(results, directory, (MD_NAME, JSON_NAME), render_markdown)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.grading",
        description="Grade one batch with the sequential, process and Dask runners; compare.",
    )
    parser.add_argument(
        "--submissions",
        type=int,
        default=DEFAULT_SUBMISSIONS,
        help=f"submissions in the batch (default {DEFAULT_SUBMISSIONS})",
    )
    parser.add_argument(
        "--output-dir", type=Path, default=RESULTS_DIR, help="where the results go (benchmarks/)"
    )
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="grade nothing: rewrite the report from the results JSON in --output-dir",
    )
    args = parser.parse_args(None if argv is None else list(argv))
    if args.submissions < 1:
        parser.error("--submissions must be at least 1")
    if args.render_only:
        saved = json.loads((args.output_dir / JSON_NAME).read_text(encoding="utf-8"))
        md, js = write_results(results_of(saved["runs"], saved), args.output_dir)
        print(f"rewrote {md} and {js} from the measured runs")
        return 1 if saved["differences"] else 0
    from benchmarks.data_choice import choose_data, fast_mode_directory
    from benchmarks.grading_time import data_dir_variable

    choice = choose_data(ROOT, os.environ)
    data_dir = fast_mode_directory(ROOT, choice)  # the jobs' data reference (default_data_dir)
    os.environ.pop("NN_TRICKS_GRADEBOOK_URL", None)  # each runner: its own SQLite gradebook
    started = time.perf_counter()
    runs = []
    with (
        data_dir_variable(data_dir),
        tempfile.TemporaryDirectory(prefix="nn-tricks-bench-scale-") as scratch,
    ):
        print(f"building a course with {args.submissions} submissions ...", flush=True)
        course = build_course(Path(scratch), args.submissions)
        for label, fields in RUNNERS:
            runs.append(grade_with(course, Path(scratch), label, fields))
            print(f"  {label}: {runs[-1]['wall_seconds']:.0f} s", flush=True)
    context = {
        "data": os.path.relpath(data_dir, ROOT) if data_dir else choice.description,
        "machine": machine_description(),
        "seconds": time.perf_counter() - started,
        "dask_local_clusters_per_batch": 1,  # DaskRunner.session: one for the whole batch
    }
    results = results_of(runs, context)
    md, js = write_results(results, args.output_dir)
    print(md.read_text(encoding="utf-8"))
    print(f"wrote {md} and {js}")
    if results["differences"]:
        print("error: the runners graded differently:", *results["differences"], sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
