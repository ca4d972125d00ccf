"""benchmarks.report: markdown tables, the accuracy table's labels, the whole report."""

from benchmarks.report import (
    GAP_POINTS,
    accuracy_table,
    gap_notes,
    markdown_table,
    validation_notes,
    write_report,
)


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
    assert "| 96.00 | – | 96.62 (full 60k/10k) |" in text  # no lecture train figure: a dash


def test_report_shows_course_run_time_and_failures(tmp_path):
    """A full report renders every section; failed notebooks and suites are flagged."""
    results = {
        "quick": False,
        "data": {"description": "full MNIST (60,000/10,000) from /shared/data/mnist-full"},
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
    assert "| `solutions/a/a.ipynb` | 30 (0.5 min) | 300 (5.0 min) (failed) |" in text
    assert "| `practice-x` | 12 | 8 / 10 |" in text
    assert "`make test`, fast mode): 600 s, FAILED." in text
    assert "90.00 ± 0.50" in text
    assert "Data: full MNIST (60,000/10,000) from /shared/data/mnist-full." in text


def test_ten_k_rows_on_the_full_set_say_first_10k_and_their_validation():
    row = {
        **accuracy_row(),
        "name": "early_stopping_10k",
        "data_is_full": True,
        "validation": "lecture's split: training on images 1-10,000, validation on the last "
        "10,000 (50,001-60,000) of 60,000",
    }
    full = {**accuracy_row(), "data_is_full": True, "train_images": 60_000}
    text = accuracy_table({"accuracy": [row, full]})
    assert "first 10,000/10,000 of the full set" in text
    assert "| full 60,000/10,000 |" in text
    (note,) = validation_notes({"accuracy": [row, full]})
    assert note.startswith("- `early_stopping_10k`: lecture's split") and "50,001-60,000" in note


def test_rows_far_from_the_lecture_are_named_with_their_reason():
    """Full-data rows more than GAP_POINTS from the lecture are listed with the reason the
    experiment records (or a to-do); close rows and subset rows are not listed."""
    far = {**accuracy_row(), "data_is_full": True, "train_images": 60_000, "gap_reason": "why"}
    unexplained = {**far, "name": "softmax_cross_entropy", "gap_reason": None}
    close = {**far, "name": "cnn_5x5x16", "difference": -GAP_POINTS / 2}
    subset = {**accuracy_row(), "name": "cnn_two_conv"}  # far, but not the lecture's data
    lines = gap_notes({"accuracy": [far, unexplained, close, subset]})
    assert lines[0] == f"Rows more than {GAP_POINTS} points from the lecture, and why:"
    assert lines[2:] == [
        "- `baseline_mse`: -1.62 points. why.",
        "- `softmax_cross_entropy`: -1.62 points. no reason recorded yet: to be investigated.",
    ]
    assert gap_notes({"accuracy": [close, subset]}) == []


def test_report_without_a_small_batch_table_leaves_the_section_out(tmp_path):
    results = {
        "quick": False,
        "machine": {
            "date": "d",
            "cpu": "c",
            "cores": 2,
            "system": "s",
            "python": "3",
            "tensorflow": "2",
        },
        "matmul_peak_gflops": 80.0,
        "accuracy": [{**accuracy_row(), "data_is_full": True, "train_images": 60_000}],
        "speed": [],
        "benchmark_seconds": 60.0,
    }
    text = write_report(results, tmp_path, "results")
    assert "Small-batch overhead" not in text
    assert "- `baseline_mse`: -1.62 points." in text


def test_the_wall_time_line_tells_every_run_from_the_rows_kept():
    """A resumed or re-timed run adds to section_seconds; the rows kept are counted once."""
    from benchmarks.report import kept_minutes, wall_time_line

    row = {**accuracy_row(), "runs": [{"epoch_seconds": [30.0, 30.0]}, {"epoch_seconds": [60.0]}]}
    results = {
        "accuracy": [row],
        "notebooks": [{"notebook": "a", "default_seconds": 300.0}, {"notebook": "b"}],
        "section_seconds": {"accuracy": 600.0, "notebooks": 900.0},  # b was timed twice
        "benchmark_seconds": 1500.0,
    }
    assert kept_minutes(results) == {"accuracy": 2.0, "notebooks": 5.0}
    line = wall_time_line(results)
    assert line.startswith("Benchmark wall time: 25.0 minutes, every run that wrote these")
    assert "(minutes per section: accuracy 10.0, notebooks 15.0)." in line
    assert "the rows kept took, in minutes: accuracy 2.0, notebooks 5.0" in line
    assert wall_time_line({"benchmark_seconds": 60.0}) == "Benchmark wall time: 1.0 minutes."
