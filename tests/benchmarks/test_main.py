"""benchmarks.__main__: results written without machine paths, and the report rendered again
from a saved results file (with one clear line for a missing or foreign file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.__main__ import rewrite_report, write_results
from benchmarks.results_files import ROOT


def saved_results() -> dict:
    return {
        "quick": False,
        "machine": {
            "date": "d",
            "cpu": "c",
            "cores": 2,
            "system": "s",
            "python": "3",
            "tensorflow": "2",
        },
        "data": {"description": f"full MNIST from {ROOT.parent}/shared/data/mnist-full"},
        "matmul_peak_gflops": 80.0,
        "accuracy": [
            {
                "name": "baseline_mse",
                "description": "784-30-10",
                "data_is_full": True,
                "train_images": 60_000,
                "test_images": 10_000,
                "epochs": 20,
                "epochs_run": [20],
                "seeds": 1,
                "test_accuracy_mean": 96.5,
                "test_accuracy_std": None,
                "train_accuracy_mean": 97.5,
                "lecture_accuracy": 96.62,
                "lecture_data": "full 60k/10k",
                "difference": 96.5 - 96.62,
            }
        ],
        "speed": [],
        "benchmark_seconds": 60.0,
    }


def test_results_and_report_name_the_data_relative_to_the_checkout(tmp_path: Path):
    text = write_results(saved_results(), tmp_path, "results")
    saved = (tmp_path / "results.json").read_text()
    assert "Data: full MNIST from ../shared/data/mnist-full." in text
    assert str(ROOT.parent) + "/" not in saved + text
    assert json.loads(saved)["data"]["description"].endswith("../shared/data/mnist-full")


def test_the_report_is_rendered_again_from_a_saved_results_file(tmp_path: Path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps(saved_results()))
    text = rewrite_report(path)
    assert (tmp_path / "results.md").read_text() == text
    assert "Benchmark wall time: 1.0 minutes." in text


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read benchmark results"), ("{not json", "cannot read"), ("[]", "is not")],
)
def test_a_missing_or_foreign_results_file_is_one_clear_line(tmp_path, content, message):
    path = tmp_path / "results.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SystemExit, match=message):
        rewrite_report(path)
