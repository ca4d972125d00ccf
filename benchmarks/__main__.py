"""Run the benchmarks and write ``benchmarks/results.md``, ``results.json`` and figures.

    python -m benchmarks            # everything, default (lecture) settings: about an hour
    python -m benchmarks --quick    # one seed, two epochs, fast-mode notebooks: minutes

Data: ``MNIST_DATA_DIR`` when set, else ``../shared/data/mnist-full`` beside the repository
when it exists, else the 10k subset (``benchmarks.data_choice``); the results say which.
Fast-mode notebook runs read the 10k subset, as CI does.

Every training run happens in its own process (``benchmarks.measure``), one after another,
so that runs do not compete for the two cores and each one's peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from benchmarks.data_choice import (
    DataChoice,
    choose_data,
    environment_with_data_dir,
    fast_mode_directory,
)
from benchmarks.experiments import Experiment, headline_experiments
from benchmarks.machine import describe_machine
from benchmarks.measure import RunSettings, matmul_peak_gflops
from benchmarks.processes import ROOT, run_json_module
from benchmarks.report import write_report
from benchmarks.results_files import without_machine_paths

RESULTS_DIR = ROOT / "benchmarks"
SMALL_BATCH_VARIANTS = (
    ("plain fit", {"steps_per_execution": 1, "jit_compile": False}),
    ("steps_per_execution=32", {"steps_per_execution": 32, "jit_compile": False}),
    ("jit_compile", {"steps_per_execution": 1, "jit_compile": True}),
    ("both", {"steps_per_execution": 32, "jit_compile": True}),
)
SMALL_BATCH_CASES = (("baseline_mse", 10), ("softmax_cross_entropy", 30))
# The speed comparison trains every row on the first 10,000 training images: the work per
# sample does not depend on the data size (docs/speed-notes.md) and 28 rows on all 60,000
# would take a third of the 90-minute budget.
SPEED_TRAIN_IMAGES = 10_000


def measure(settings: RunSettings) -> dict[str, Any]:
    """Train one run in a fresh process and return its measurement as a dict."""
    return run_json_module("benchmarks.measure", asdict(settings))


def machine_description() -> dict[str, Any]:
    """What the figures were measured on, TensorFlow's version included."""
    import tensorflow as tf

    return {**describe_machine(), "tensorflow": tf.__version__}


def accuracy_rows(
    experiments: list[Experiment], quick: bool, data_dir: str | None = None
) -> list[dict[str, Any]]:
    """Train every headline experiment (several seeds where cheap) on ``data_dir`` (None:
    the loader's default) and summarise."""
    rows = []
    for experiment in experiments:
        seeds = 1 if quick else experiment.seeds
        epochs = experiment.quick_epochs if quick else experiment.epochs
        runs = []
        for seed in range(seeds):
            print(f"  {experiment.name}: seed {seed}, {epochs} epochs ...", flush=True)
            settings = RunSettings(experiment.name, seed=seed, epochs=epochs, data_dir=data_dir)
            runs.append(measure(settings))
        accuracies = [100 * run["test_accuracy"] for run in runs]
        mean = statistics.mean(accuracies)
        rows.append(
            {
                "name": experiment.name,
                "description": experiment.description,
                "data": runs[0]["data_description"],
                "data_is_full": runs[0]["data_is_full"],
                "validation": runs[0].get("validation_description", ""),
                "train_images": runs[0]["train_images"],
                "test_images": runs[0]["test_images"],
                "epochs": epochs,
                "epochs_run": [run["epochs_run"] for run in runs],
                "seeds": seeds,
                "test_accuracy_mean": mean,
                "test_accuracy_std": statistics.stdev(accuracies) if seeds > 1 else None,
                "train_accuracy_mean": statistics.mean(100 * r["train_accuracy"] for r in runs),
                "lecture_accuracy": experiment.lecture_accuracy,
                "lecture_train_accuracy": experiment.lecture_train_accuracy,
                "lecture_data": experiment.lecture_data,
                "gap_reason": experiment.gap_reason,
                "difference": (
                    None
                    if experiment.lecture_accuracy is None
                    else mean - experiment.lecture_accuracy
                ),
                "runs": runs,
            }
        )
    return rows


def speed_rows(accuracy: list[dict[str, Any]], peak_gflops: float) -> list[dict[str, Any]]:
    """Speed figures of the first seed of every experiment, against the matmul peak."""
    rows = []
    for row in accuracy:
        run = row["runs"][0]
        rows.append(
            {
                "name": row["name"],
                "batch_size": next(
                    e.batch_size for e in headline_experiments() if e.name == row["name"]
                ),
                "seconds_per_epoch": run["seconds_per_epoch"],
                "first_epoch_seconds": run["first_epoch_seconds"],
                "samples_per_second": run["samples_per_second"],
                "forward_flops_per_sample": run["forward_flops_per_sample"],
                "achieved_gflops": run["achieved_gflops"],
                "fraction_of_peak": run["achieved_gflops"] / peak_gflops,
                "peak_memory_mb": run["peak_memory_mb"],
            }
        )
    return rows


def small_batch_rows(quick: bool, data_dir: str | None = None) -> list[dict[str, Any]]:
    """Plain fit against steps_per_execution and XLA at the lecture's small batch sizes."""
    seeds, epochs = (1, 2) if quick else (3, 5)
    rows = []
    for experiment, batch_size in SMALL_BATCH_CASES:
        plain_seconds = None
        for label, options in SMALL_BATCH_VARIANTS:
            print(f"  {experiment} batch {batch_size}: {label} ...", flush=True)
            base = RunSettings(experiment, 0, epochs, batch_size=batch_size, data_dir=data_dir)
            runs = [measure(replace(base, seed=seed, **options)) for seed in range(seeds)]
            seconds = statistics.mean(r["seconds_per_epoch"] for r in runs)
            accuracies = [100 * r["test_accuracy"] for r in runs]
            plain_seconds = plain_seconds or seconds
            rows.append(
                {
                    "experiment": experiment,
                    "batch_size": batch_size,
                    "setting": label,
                    "seeds": seeds,
                    "epochs": epochs,
                    "seconds_per_epoch": seconds,
                    "speed_up": plain_seconds / seconds,
                    "test_accuracy_mean": statistics.mean(accuracies),
                    "test_accuracy_std": statistics.stdev(accuracies) if seeds > 1 else None,
                }
            )
    return rows


def notebook_rows(fast_only: bool, choice: DataChoice | None = None) -> list[dict[str, Any]]:
    """Wall time of every solution notebook, executed top to bottom, per run mode.

    Default mode reads the benchmark data (``choice``), fast mode the 10k subset as CI does.
    The executed copies are kept in benchmarks/out/notebooks-<mode>/ (not committed), so the
    numbers a full run printed can be read afterwards.
    """
    modes = [("fast", "1")] if fast_only else [("fast", "1"), ("default", "0")]
    choice = choice or choose_data(ROOT, os.environ)
    data_dirs = {"fast": fast_mode_directory(ROOT, choice), "default": choice.directory}
    out = ROOT / "benchmarks" / "out"
    rows = []
    for notebook in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        row: dict[str, Any] = {"notebook": str(notebook.relative_to(ROOT))}
        for mode, flag in modes:
            print(f"  {row['notebook']} ({mode}) ...", flush=True)
            start = time.perf_counter()
            completed = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "jupyter",
                    "nbconvert",
                    "--to",
                    "notebook",
                    "--execute",
                    "--ExecutePreprocessor.timeout=-1",
                    "--output-dir",
                    str(out / f"notebooks-{mode}"),
                    str(notebook),
                ],
                capture_output=True,
                text=True,
                cwd=notebook.parent,
                check=False,
                env={
                    **environment_with_data_dir(os.environ, data_dirs[mode]),
                    "NN_TRICKS_FAST": flag,
                },
            )
            row[f"{mode}_seconds"] = time.perf_counter() - start
            row[f"{mode}_ok"] = completed.returncode == 0
            if not row[f"{mode}_ok"]:
                print(completed.stderr.strip().splitlines()[-1:], flush=True)
        rows.append(row)
    return rows


def autograde_rows() -> list[dict[str, Any]]:
    """Autograde time of one solution submission per practice (fast grading conditions)."""
    from benchmarks.grading_time import time_autograde_per_practice

    return time_autograde_per_practice()


def test_suite_run() -> dict[str, Any]:
    """Wall time and outcome of the whole test suite, as `make test` runs it."""
    start = time.perf_counter()
    completed = subprocess.run(
        ["make", "--no-print-directory", "test"],
        cwd=ROOT,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return {"seconds": time.perf_counter() - start, "passed": completed.returncode == 0}


def write_results(results: dict[str, Any], directory: Path, name: str) -> str:
    """Write ``<name>.json`` and the report ``<name>.md`` (and its figure) into
    ``directory``, with this machine's paths written relative to the checkout; the report."""
    clean = json.loads(without_machine_paths(json.dumps(results)))
    (directory / f"{name}.json").write_text(json.dumps(clean, indent=1) + "\n")
    return write_report(clean, directory, name)


def rewrite_report(path: Path) -> str:
    """Render the report again from a saved ``results.json`` (e.g. after the report's format
    changed), beside it; the report. Exits with one line when the file is missing or broken."""
    try:
        results = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise SystemExit(f"cannot read benchmark results from {path}: {error}") from None
    if not isinstance(results, dict) or "accuracy" not in results:
        raise SystemExit(f"{path} is not a results file written by python -m benchmarks")
    return write_results(results, path.parent, path.stem)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one seed, two epochs, fast-mode notebooks only (minutes)",
    )
    parser.add_argument(
        "--skip-notebooks", action="store_true", help="do not time the notebooks and autograding"
    )
    parser.add_argument(
        "--with-speed",
        action="store_true",
        help=(
            "compare with PyTorch eager (python -m benchmarks.speed, 2 epochs per row on the "
            "first 10,000 training images) instead of the small-batch table"
        ),
    )
    parser.add_argument(
        "--with-test-suite",
        action="store_true",
        help="also time the whole test suite, `make test` (adds about 10 minutes)",
    )
    parser.add_argument(
        "--report-from",
        type=Path,
        metavar="RESULTS_JSON",
        help="measure nothing: render the report again from a saved results file",
    )
    args = parser.parse_args(argv)
    if args.report_from is not None:
        print(rewrite_report(args.report_from))
        return 0

    started = time.perf_counter()
    choice = choose_data(ROOT, os.environ)
    print(f"Data: {choice.description}", flush=True)
    results: dict[str, Any] = {
        "quick": args.quick,
        "machine": machine_description(),
        "data": asdict(choice),
    }
    print("Matrix-multiply peak ...", flush=True)
    results["matmul_peak_gflops"] = matmul_peak_gflops()
    print("Accuracy and speed of the headline experiments ...", flush=True)
    results["accuracy"] = accuracy_rows(headline_experiments(), args.quick, choice.directory)
    results["speed"] = speed_rows(results["accuracy"], results["matmul_peak_gflops"])
    if args.with_speed:
        from benchmarks import speed

        # supersedes the small-batch table: plain fit, the course's settings and XLA are rows
        print("Speed against PyTorch eager ...", flush=True)
        results["speed_comparison"] = speed.collect(
            1 if args.quick else 2,
            choice.directory,
            lambda line: print(f"  {line} ...", flush=True),
            train_images=SPEED_TRAIN_IMAGES,
        )
    else:
        print("Small-batch overhead ...", flush=True)
        results["small_batch"] = small_batch_rows(args.quick, choice.directory)
    if not args.skip_notebooks:
        print("Course run time ...", flush=True)
        results["notebooks"] = notebook_rows(fast_only=args.quick, choice=choice)
        results["autograde"] = autograde_rows()
    if args.with_test_suite:
        print("Whole test suite (make test) ...", flush=True)
        results["test_suite"] = test_suite_run()
    results["benchmark_seconds"] = time.perf_counter() - started

    name = "results-quick" if args.quick else "results"
    print(write_results(results, RESULTS_DIR, name))
    print(
        f"Wrote benchmarks/{name}.md and benchmarks/{name}.json "
        f"in {results['benchmark_seconds'] / 60:.1f} minutes."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
