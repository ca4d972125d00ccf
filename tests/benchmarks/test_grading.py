"""benchmarks.grading: the batch's mix, the summary, the projection and the report, on made-up
measurements (nothing is graded here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks import grading


def scores(cell: float | None = 1.0) -> dict[str, Any]:
    return {
        "alice": {
            "status": "graded",
            "score": 2.0,
            "max_score": 2.0,
            "cells": {"t1": [cell, False]},
        },
        "bob": {
            "status": "not graded",
            "score": None,
            "max_score": 2.0,
            "cells": {"t1": [None, True]},
        },
    }


def run(label: str, wall: float, run_seconds: float, job: float, **extra: Any) -> dict[str, Any]:
    """A measured run of 12 submissions, 11 executed."""
    measured = {
        "runner": label,
        "submissions": 12,
        "jobs": 11,
        "wall_seconds": wall,
        "plan_seconds": 10.0,
        "generate_seconds": 2.0,
        "plan_reference_seconds": 0.5,
        "plan_submission_seconds": [0.5] * 12,
        "reference_seconds": 15.0,
        "reference_job_seconds": 14.0,
        "run_seconds": run_seconds,
        "record_seconds": [0.4] * 11,
        "job_wall_seconds": [job] * 11,
        "job_cpu_seconds": [12.0] * 11,
        "attempts": [1] * 11,
        "sandboxed": 11,
        "load_before": 1.0,
        "load_after": 2.5,
        "scores": scores(),
    }
    measured.update(extra)
    return measured


RUNS = [
    run("sequential", wall=200.0, run_seconds=170.0, job=15.0),
    run("processes --workers 2", wall=110.0, run_seconds=85.0, job=15.0),
    run("dask --dask-local 2", wall=125.0, run_seconds=95.0, job=15.0, reference_seconds=22.0),
]


def results(runs: list[dict[str, Any]]) -> dict[str, Any]:
    machine = {"cpu": "a CPU", "cores": 2, "python": "3.11", "system": "Linux", "date": "today"}
    return grading.results_of(
        runs, {"data": "/data/mnist-10k", "machine": machine, "seconds": 480.0}
    )


def test_the_mix_has_twelve_distinct_kinds_then_copies_under_new_ids():
    chosen = grading.choose_students(14)
    assert [entry for _, entry in chosen[:12]] == list(grading.CORPUS_MIX)
    assert chosen[12:] == [("ks-correct-2", "ks-correct"), ("ks-blank-2", "ks-blank")]
    assert len({student for student, _ in chosen}) == 14
    with pytest.raises(ValueError):
        grading.choose_students(0)


def test_the_mix_names_corpus_entries_of_the_assignment():
    from tests.grader.corpus import make_corpus

    names = {e.name for e in make_corpus.entries(grading.ASSIGNMENT)}
    assert set(grading.CORPUS_MIX) <= names


def test_summary_rates_and_speedups_over_sequential():
    rows = {row["runner"]: row for row in grading.summary_rows(RUNS)}
    assert rows["sequential"]["speedup"] == 1.0
    assert rows["sequential"]["per_minute"] == pytest.approx(60 * 12 / 200)
    assert rows["processes --workers 2"]["speedup"] == pytest.approx(200 / 110)
    assert rows["processes --workers 2"]["run_speedup"] == pytest.approx(170 / 85)
    assert rows["dask --dask-local 2"]["cpu_seconds"] == pytest.approx(132.0)
    assert rows["processes --workers 2"]["cores_used"] == pytest.approx(132 / 85)


def test_serial_parts_are_means_per_submission_and_totals():
    parts = grading.serial_parts(RUNS[2])
    assert parts["plan_per_submission"] == pytest.approx(0.5)
    assert parts["record_per_result"] == pytest.approx(0.4)
    assert parts["record_total"] == pytest.approx(4.4)
    assert parts["reference_overhead"] == pytest.approx(22.0 - 14.0)


def test_model_waves_of_jobs_unless_the_coordinator_is_slower():
    # 10 jobs of 10 s on 2 slots: 5 waves, coordinator 10 + 10 * 0.5 = 15 s
    assert grading.model_seconds(10, 2, 5.0, 1.0, 0.5, 10.0) == pytest.approx(5 + 10 + 50)
    # on 100 slots: one wave (10 s) < coordinator's 15 s
    assert grading.model_seconds(10, 100, 5.0, 1.0, 0.5, 10.0) == pytest.approx(5 + 10 + 15)
    # no job executed at all
    assert grading.model_seconds(3, 2, 5.0, 1.0, 0.5, 10.0, jobs=0) == pytest.approx(8.0)


def test_projection_levels_off_at_the_serial_limit():
    proj = grading.projection(RUNS)
    speedups = [row["speedup"] for row in proj["rows"]]
    assert speedups[0] == pytest.approx(1.0)
    assert speedups == sorted(speedups)  # more slots never hurt ...
    assert speedups[-1] <= proj["limit_speedup"] + 1e-9  # ... but the coordinator caps them
    assert proj["fixed_seconds"] == pytest.approx(2.0 + 0.5 + 15.0)  # processes' reference run
    assert proj["jobs"] == round(grading.PROJECTED_SUBMISSIONS * 11 / 12)
    assert proj["coordinator_per_minute"] == pytest.approx(60 / 0.9)
    assert 0 < proj["serial_fraction"] < 1


def test_identical_scores_give_no_differences_and_a_changed_cell_is_named():
    assert grading.differing_scores(RUNS) == []
    changed = [*RUNS[:2], {**RUNS[2], "scores": scores(cell=0.0)}]
    assert grading.differing_scores(changed) == [
        "dask --dask-local 2: alice graded differently from sequential"
    ]


def test_report_has_the_table_the_serial_parts_and_the_scaling_note(tmp_path: Path):
    md, js = grading.write_results(results(RUNS), tmp_path)
    text = md.read_text()
    assert "| `processes --workers 2` | 110.0 | 6.5 | 1.82× |" in text
    assert "| `sequential` | 200.0 | 3.6 | 1.00× |" in text
    assert "**yes** (asserted)" in text
    assert "the machine was shared with other work while it ran** (load up to 2.5)" in text
    assert (
        "| planning one submission (stage, scan, `prepare`, seals) | 0.50 | 0.50 | 0.50 |" in text
    )
    assert "T(S) = F + N·p + max(ceil(N/S)·e, e + N·r)" in text
    assert "Benchmark wall time: 8.0 minutes." in text
    assert json.loads(js.read_text())["summary"][1]["runner"] == "processes --workers 2"


def test_machine_note_says_whether_other_work_shared_the_machine():
    machine = {"cores": 2}
    busy = grading.machine_note(RUNS, machine)  # a load of 2.5 on 2 cores: more than the batch
    assert busy.startswith("**the machine was shared with other work")
    quiet = [{**run, "load_after": 1.9} for run in RUNS]
    assert grading.machine_note(quiet, machine).startswith("no other work on the machine")


def test_report_says_when_scores_differ(tmp_path: Path):
    changed = [*RUNS[:2], {**RUNS[2], "scores": scores(cell=0.0)}]
    text = grading.render_markdown(results(changed))
    assert "Scores identical across runners: **NO**" in text
    assert "alice graded differently" in text


def test_target_note_says_met_or_why_not():
    assert "**met** (best: `processes --workers 2`, 1.82×)" in grading.target_note(RUNS)
    slow = [
        RUNS[0],
        {**RUNS[1], "wall_seconds": 190.0},
        {**RUNS[2], "wall_seconds": 210.0, "load_after": 7.0},
    ]
    note = grading.target_note(slow)
    assert "**not met in this run** (best: `processes --workers 2`, 1.05×)" in note
    assert "load average was 1.0–7.0" in note
    assert "rerun on a quiet machine" in note


def test_render_only_rewrites_the_report_from_the_saved_runs(tmp_path: Path):
    grading.write_results(results(RUNS), tmp_path)
    (tmp_path / grading.MD_NAME).unlink()
    assert grading.main(["--render-only", "--output-dir", str(tmp_path)]) == 0
    assert "| `sequential` | 200.0 |" in (tmp_path / grading.MD_NAME).read_text()
