"""benchmarks.__main__: results written without machine paths, and the report rendered again
from a saved results file (with one clear line for a missing or foreign file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.__main__ import (
    forget_notebooks,
    not_measured,
    rewrite_report,
    solution_notebooks,
    write_results,
)
from benchmarks.data_choice import DataChoice
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


def test_rendering_again_takes_the_reasons_from_todays_experiments(tmp_path: Path):
    from benchmarks.experiments import experiment_by_name

    results = saved_results()
    results["accuracy"][0].update(difference=-0.5, gap_reason=None)
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results))
    text = rewrite_report(path)
    reason = experiment_by_name("baseline_mse").gap_reason
    assert reason and f"- `baseline_mse`: -0.50 points. {reason}." in text


def test_a_run_stopped_early_says_so_at_the_top(tmp_path: Path):
    results = {**saved_results(), "stopped_early": "the notebooks after 06 were not timed."}
    text = write_results(results, tmp_path, "results")
    assert "**Stopped before the end:** the notebooks after 06 were not timed." in text
    assert "Stopped before the end" not in write_results(saved_results(), tmp_path, "results")


CHOICE = DataChoice(directory=None, kind="loader-default", description="the loader's default")


def measured_row(name: str) -> dict:
    """An accuracy row as accuracy_row() returns it (no training)."""
    run = {
        "seconds_per_epoch": 1.0,
        "first_epoch_seconds": 2.0,
        "samples_per_second": 100.0,
        "forward_flops_per_sample": 1e5,
        "achieved_gflops": 8.0,
        "peak_memory_mb": 500.0,
    }
    return {**saved_results()["accuracy"][0], "name": name, "runs": [run]}


def test_sections_are_run_in_course_order_and_unknown_ones_named():
    from benchmarks.__main__ import parse_sections

    assert parse_sections("speed, accuracy") == ("accuracy", "speed")
    with pytest.raises(ValueError, match=r"unknown section.*speeed.*choose from accuracy"):
        parse_sections("accuracy,speeed")


def test_a_stopped_run_keeps_every_row_it_measured_and_says_what_is_missing(
    tmp_path: Path, monkeypatch
):
    import benchmarks.__main__ as bench
    from benchmarks.experiments import headline_experiments

    names = [e.name for e in headline_experiments()]
    trained = []

    def fake_row(experiment, quick, data_dir):
        if len(trained) == 2:
            raise KeyboardInterrupt  # the run is stopped while training the third row
        trained.append(experiment.name)
        return measured_row(experiment.name)

    monkeypatch.setattr(bench, "accuracy_row", fake_row)
    recorder = bench.Recorder(
        {**saved_results(), "accuracy": []}, ("accuracy",), "results", tmp_path
    )
    with pytest.raises(KeyboardInterrupt):
        bench.run_sections(recorder, CHOICE, quick=False, with_speed=False)
    saved = json.loads((tmp_path / "results.json").read_text())
    assert [row["name"] for row in saved["accuracy"]] == names[:2]
    assert ", ".join(names[2:]) in saved["stopped_early"]
    assert "--resume --sections accuracy" in saved["stopped_early"]
    assert "**Stopped before the end:**" in (tmp_path / "results.md").read_text()

    # resumed: only the rows it lacks are trained, and the note goes once nothing is missing
    trained.clear()
    monkeypatch.setattr(bench, "accuracy_row", lambda e, q, d: measured_row(e.name))
    resumed = bench.Recorder(saved, ("accuracy",), "results", tmp_path)
    bench.run_sections(resumed, CHOICE, quick=False, with_speed=False)
    final = json.loads((tmp_path / "results.json").read_text())
    assert [row["name"] for row in final["accuracy"]] == names
    assert "stopped_early" not in final
    assert set(final["section_seconds"]) == {"accuracy"}


def test_resuming_results_of_other_data_or_another_machine_is_refused(tmp_path: Path):
    from benchmarks.__main__ import previous_results

    fresh = saved_results()
    assert previous_results(tmp_path / "results.json", fresh) == {}
    path = tmp_path / "results.json"
    path.write_text(json.dumps({**fresh, "data": {"description": "the 10k subset"}}))
    with pytest.raises(SystemExit, match="its data is not this run's; run without --resume"):
        previous_results(path, fresh)
    other = {**fresh, "machine": {**fresh["machine"], "cpu": "another CPU"}}
    path.write_text(json.dumps(json.loads(without_paths(other))))
    with pytest.raises(SystemExit, match="measured on another CPU"):
        previous_results(path, fresh)
    path.write_text(without_paths(fresh))
    assert previous_results(path, fresh)["accuracy"][0]["name"] == "baseline_mse"


def without_paths(results: dict) -> str:
    from benchmarks.results_files import without_machine_paths

    return without_machine_paths(json.dumps(results))


def test_a_notebooks_only_run_reports_its_times_without_an_accuracy_table(tmp_path: Path):
    results = {
        key: value
        for key, value in saved_results().items()
        if key not in {"accuracy", "speed", "matmul_peak_gflops"}
    }
    results["notebooks"] = [
        {"notebook": "solutions/01/a.ipynb", "default_seconds": 150.0, "default_ok": True},
        {
            "notebook": "solutions/02/b.ipynb",
            "default_seconds": 601.0,
            "default_ok": True,
            "default_load": [0.25, 1.875],
        },
    ]
    results["section_seconds"] = {"notebooks": 751.0}
    text = write_results(results, tmp_path, "results")
    # a row saved before loads were recorded, and one over the 10-minute goal
    assert "| `solutions/01/a.ipynb` | – | 150 (2.5 min) | – | yes |" in text
    assert "| `solutions/02/b.ipynb` | – | 601 (10.0 min) | 0.25 → 1.88 | **no** |" in text
    assert "Accuracy against the lecture" not in text
    assert "(minutes per section: notebooks 12.5)" in text


def test_retime_forgets_the_matching_notebooks_and_refuses_a_pattern_matching_none():
    names = [str(notebook.relative_to(ROOT)) for notebook in solution_notebooks()]
    results = {"notebooks": [{"notebook": name, "default_seconds": 1.0} for name in names]}
    chosen = forget_notebooks(results, ["06-activations", "practice-1"])
    assert [name.split("/")[1] for name in chosen] == [
        "06-activations-and-depth",
        "practice-1a-l1-vs-l2",
        "practice-1b-kernel-sizes",
    ]
    kept = [row["notebook"] for row in results["notebooks"]]
    assert kept == [name for name in names if name not in chosen]
    assert not_measured(results, ("notebooks",))[0].count("`") == 2 * len(chosen)
    with pytest.raises(ValueError, match="'09-nothing' matches no solution notebook"):
        forget_notebooks(results, ["09-nothing"])


def test_the_command_writes_after_every_row_and_resumes(tmp_path: Path, monkeypatch, capsys):
    import benchmarks.__main__ as bench

    monkeypatch.setattr(bench, "RESULTS_DIR", tmp_path)
    monkeypatch.setattr(bench, "matmul_peak_gflops", lambda: 80.0)
    monkeypatch.setattr(bench, "accuracy_row", lambda e, q, d: measured_row(e.name))
    monkeypatch.setattr("benchmarks.cores.core_speeds", lambda seconds=2.0: {0: 12.0, 1: 6.0})
    monkeypatch.setenv("MNIST_DATA_DIR", str(tmp_path))
    assert bench.main(["--quick", "--sections", "accuracy"]) == 0
    first = json.loads((tmp_path / "results-quick.json").read_text())
    assert "stopped_early" not in first and len(first["accuracy"]) == 7
    assert [sample["when"] for sample in first["core_speeds"]] == ["start", "end"]
    report = (tmp_path / "results-quick.md").read_text()
    assert "core 0: 12.0, core 1: 6.0 (slowest/fastest 0.50)" in report
    assert "minutes per section: accuracy" in capsys.readouterr().out

    monkeypatch.setattr(bench, "accuracy_row", lambda e, q, d: pytest.fail("measured again"))
    assert bench.main(["--quick", "--sections", "accuracy", "--resume"]) == 0
    resumed = json.loads((tmp_path / "results-quick.json").read_text())
    assert [sample["when"] for sample in resumed["core_speeds"]] == ["start", "end"] * 2
    monkeypatch.setenv("MNIST_DATA_DIR", str(tmp_path / "elsewhere"))
    with pytest.raises(SystemExit, match="its data is not this run's"):
        bench.main(["--quick", "--sections", "accuracy", "--resume"])
