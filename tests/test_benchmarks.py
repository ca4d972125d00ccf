"""The benchmark suite's own logic: FLOP counts, experiment table, report rendering."""

import keras
import pytest

from benchmarks.experiments import experiment_by_name, headline_experiments
from benchmarks.measure import forward_flops_per_sample
from benchmarks.report import accuracy_table, markdown_table, write_report
from helpers import models


def test_dense_flops_are_two_per_weight():
    model = models.baseline_mse()
    assert forward_flops_per_sample(model) == 2 * (784 * 30 + 30 * 10)


def test_conv_flops_count_every_output_position():
    model = keras.Sequential([keras.Input((6, 6, 2)), keras.layers.Conv2D(4, 3)])
    # 4x4 output positions, each a 3x3x2 dot product per filter
    assert forward_flops_per_sample(model) == 2 * (3 * 3 * 2) * 4 * (4 * 4)


def test_headline_experiments_cover_the_lecture_table():
    names = [e.name for e in headline_experiments()]
    assert len(names) == len(set(names)) == 7
    figures = {e.name: e.lecture_accuracy for e in headline_experiments()}
    assert figures["baseline_mse"] == 96.62
    assert figures["early_stopping_10k"] == 93.48
    assert experiment_by_name("early_stopping_10k").train_images == 10_000


def test_unknown_experiment_lists_the_known_ones():
    with pytest.raises(KeyError, match="baseline_mse"):
        experiment_by_name("nope")


def test_every_experiment_builds_its_model():
    for experiment in headline_experiments():
        assert experiment.build(10).count_params() > 0


def test_markdown_table_shape():
    text = markdown_table(["a", "b"], [["1", "2"], ["3", "4"]])
    assert text.splitlines() == ["| a | b |", "|---|---|", "| 1 | 2 |", "| 3 | 4 |"]


def accuracy_row() -> dict:
    return {
        "name": "baseline_mse",
        "description": "784-30-10",
        "data_is_full": False,
        "train_images": 10_000,
        "test_images": 10_000,
        "epochs": 20,
        "epochs_run": [20],
        "seeds": 1,
        "test_accuracy_mean": 95.0,
        "test_accuracy_std": None,
        "train_accuracy_mean": 96.0,
        "lecture_accuracy": 96.62,
        "lecture_data": "full 60k/10k",
        "difference": 95.0 - 96.62,
    }


def test_accuracy_table_marks_subset_rows_and_signs_the_difference():
    text = accuracy_table({"accuracy": [accuracy_row()]})
    assert "**subset** 10,000/10,000" in text
    assert "-1.62" in text


def test_report_shows_course_run_time_and_failures(tmp_path):
    """A full report renders every section; failed notebooks and suites are flagged."""
    results = {
        "quick": False,
        "machine": {
            "date": "today",
            "cpu": "a CPU",
            "cores": 2,
            "system": "Linux",
            "python": "3.11",
            "tensorflow": "2.21",
        },
        "matmul_peak_gflops": 80.0,
        "accuracy": [accuracy_row()],
        "speed": [
            {
                "name": "baseline_mse",
                "batch_size": 10,
                "seconds_per_epoch": 0.5,
                "first_epoch_seconds": 2.0,
                "samples_per_second": 20_000.0,
                "forward_flops_per_sample": 47_640.0,
                "achieved_gflops": 2.9,
                "fraction_of_peak": 0.036,
                "peak_memory_mb": 800.0,
            }
        ],
        "small_batch": [
            {
                "experiment": "baseline_mse",
                "batch_size": 10,
                "setting": "plain fit",
                "seconds_per_epoch": 1.0,
                "speed_up": 1.0,
                "epochs": 5,
                "test_accuracy_mean": 90.0,
                "test_accuracy_std": 0.5,
            }
        ],
        "notebooks": [
            {
                "notebook": "solutions/a/a.ipynb",
                "fast_seconds": 30.0,
                "fast_ok": True,
                "default_seconds": 300.0,
                "default_ok": False,
            }
        ],
        "autograde": [
            {"assignment": "practice-x", "seconds": 12.0, "score": 8.0, "max_score": 10.0}
        ],
        "test_suite": {"seconds": 600.0, "passed": False},
        "benchmark_seconds": 3600.0,
    }
    text = write_report(results, tmp_path, "results")
    assert (tmp_path / "results.md").read_text() == text
    assert (tmp_path / "results-accuracy.png").stat().st_size > 0
    assert "| `solutions/a/a.ipynb` | 30 | 300 (failed) |" in text
    assert "| `practice-x` | 12 | 8 / 10 |" in text
    assert "`make test`, fast mode): 600 s, FAILED." in text
    assert "90.00 ± 0.50" in text
