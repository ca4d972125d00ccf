"""Run the benchmarks and write ``benchmarks/results.md``, ``results.json`` and figures.

    python -m benchmarks                    # accuracy, speed and notebook sections
    python -m benchmarks --sections accuracy,speed --with-speed    # make bench
    python -m benchmarks --sections notebooks --resume             # make bench-notebooks
    python -m benchmarks --quick            # one seed, two epochs, fast-mode notebooks: minutes

The results are written after every step (every accuracy row, every notebook), with what is
not measured yet named at the top of the report; ``--resume`` continues from them, so a run
that stopped keeps its figures and sections can be measured one after another.

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


def accuracy_row(
    experiment: Experiment, quick: bool, data_dir: str | None = None
) -> dict[str, Any]:
    """Train one headline experiment (several seeds where cheap) on ``data_dir`` (None: the
    loader's default) and summarise it as one row of the accuracy table."""
    seeds = 1 if quick else experiment.seeds
    epochs = experiment.quick_epochs if quick else experiment.epochs
    runs = []
    for seed in range(seeds):
        print(f"  {experiment.name}: seed {seed}, {epochs} epochs ...", flush=True)
        settings = RunSettings(experiment.name, seed=seed, epochs=epochs, data_dir=data_dir)
        runs.append(measure(settings))
    accuracies = [100 * run["test_accuracy"] for run in runs]
    mean = statistics.mean(accuracies)
    return {
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
            None if experiment.lecture_accuracy is None else mean - experiment.lecture_accuracy
        ),
        "runs": runs,
    }


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


def solution_notebooks() -> list[Path]:
    """Every solution notebook, in course order."""
    return sorted((ROOT / "solutions").glob("*/*.ipynb"))


def notebook_row(notebook: Path, quick: bool, choice: DataChoice) -> dict[str, Any]:
    """Wall time of one solution notebook, executed top to bottom.

    ``quick``: fast mode on the 10k subset, as CI runs it; else default mode (the lecture's
    settings) on the benchmark data (``choice``). The executed copy is kept in
    benchmarks/out/notebooks-<mode>/ (not committed), so what a run printed can be read
    afterwards. The row has ``<mode>_seconds``, ``<mode>_ok`` and ``<mode>_load`` (the 1-minute
    load average before and after: another process sharing the cores shows there).
    """
    mode, flag = ("fast", "1") if quick else ("default", "0")
    data_dir = fast_mode_directory(ROOT, choice) if quick else choice.directory
    name = str(notebook.relative_to(ROOT))
    print(f"  {name} ({mode}) ...", flush=True)
    load_before = os.getloadavg()[0]
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
            str(ROOT / "benchmarks" / "out" / f"notebooks-{mode}"),
            str(notebook),
        ],
        capture_output=True,
        text=True,
        cwd=notebook.parent,
        check=False,
        env={**environment_with_data_dir(os.environ, data_dir), "NN_TRICKS_FAST": flag},
    )
    row: dict[str, Any] = {
        "notebook": name,
        f"{mode}_seconds": time.perf_counter() - start,
        f"{mode}_ok": completed.returncode == 0,
        f"{mode}_load": [load_before, os.getloadavg()[0]],
    }
    if completed.returncode != 0:
        print(completed.stderr.strip().splitlines()[-1:], flush=True)
    return row


def autograde_rows(data_dir: str | None) -> list[dict[str, Any]]:
    """Autograde time of one solution submission per practice (fast grading conditions, on
    the MNIST files in ``data_dir``); one line (SystemExit) when a practice cannot be graded."""
    from benchmarks.grading_time import time_autograde_per_practice
    from grader.errors import GraderError

    try:
        return time_autograde_per_practice(data_dir)
    except GraderError as error:
        raise SystemExit(f"autograde times: {error}") from None


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
    if not isinstance(results, dict) or "machine" not in results:
        raise SystemExit(f"{path} is not a results file written by python -m benchmarks")
    return write_results(with_current_reasons(results), path.parent, path.stem)


def with_current_reasons(results: dict[str, Any]) -> dict[str, Any]:
    """``results`` with every accuracy row's ``gap_reason`` taken from today's experiment
    definitions (an annotation, not a measurement: it may be written after the run)."""
    reasons = {e.name: e.gap_reason for e in headline_experiments()}
    rows = [
        {**row, "gap_reason": reasons.get(row["name"], row.get("gap_reason"))}
        for row in results.get("accuracy", [])
    ]
    return {**results, "accuracy": rows}


SECTIONS = ("accuracy", "speed", "notebooks", "test-suite")
DEFAULT_SECTIONS = ("accuracy", "speed", "notebooks")


def parse_sections(text: str) -> tuple[str, ...]:
    """``"accuracy,speed"`` → the sections in run order; ValueError names the valid ones."""
    chosen = {part.strip() for part in text.split(",") if part.strip()}
    unknown = sorted(chosen - set(SECTIONS))
    if unknown or not chosen:
        raise ValueError(
            f"unknown section(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(SECTIONS)}"
        )
    return tuple(section for section in SECTIONS if section in chosen)


def not_measured(results: dict[str, Any], sections: tuple[str, ...]) -> list[str]:
    """What of ``sections`` the results do not hold yet (empty when the run is complete)."""
    missing = []
    if "accuracy" in sections:
        done = {row["name"] for row in results.get("accuracy", [])}
        rows = [e.name for e in headline_experiments() if e.name not in done]
        if rows:
            missing.append("accuracy rows " + ", ".join(rows))
    if "speed" in sections and not ({"speed_comparison", "small_batch"} & results.keys()):
        missing.append("the speed comparison")
    if "notebooks" in sections:
        key = "fast_seconds" if results.get("quick") else "default_seconds"
        done = {row["notebook"] for row in results.get("notebooks", []) if key in row}
        names = [str(n.relative_to(ROOT)) for n in solution_notebooks()]
        left = [name for name in names if name not in done]
        if left:
            missing.append("notebooks " + ", ".join(f"`{name}`" for name in left))
        if "autograde" not in results:
            missing.append("the autograde times")
    if "test-suite" in sections and "test_suite" not in results:
        missing.append("the test suite")
    return missing


def previous_results(path: Path, fresh: dict[str, Any]) -> dict[str, Any]:
    """The results a ``--resume`` run continues (``{}`` when there are none yet); one clear
    line when they were measured in another mode, on other data or on another machine."""
    if not path.exists():
        return {}
    try:
        results = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise SystemExit(f"cannot resume from {path}: {error}; run without --resume") from None
    expected = json.loads(without_machine_paths(json.dumps(fresh)))
    for key, label in (("quick", "mode"), ("data", "data")):
        if not isinstance(results, dict) or results.get(key) != expected[key]:
            raise SystemExit(
                f"cannot resume from {path}: its {label} is not this run's; "
                "run without --resume to measure from the start"
            )
    machine, ours = results.get("machine", {}), expected["machine"]
    if (machine.get("cpu"), machine.get("cores")) != (ours["cpu"], ours["cores"]):
        raise SystemExit(
            f"cannot resume from {path}: it was measured on {machine.get('cpu')}, this is "
            f"{ours['cpu']}; run without --resume to measure from the start"
        )
    return results


class Recorder:
    """Holds the results of a run and writes them (``<name>.json`` and ``.md`` in
    ``directory``) after every step, so a run that stops keeps its figures and says what it
    did not measure.

    ``section_seconds`` adds up the wall time of every section, over resumed runs too.
    """

    def __init__(
        self,
        results: dict[str, Any],
        sections: tuple[str, ...],
        name: str,
        directory: Path = RESULTS_DIR,
    ) -> None:
        self.results = results
        self.sections = sections
        self.name = name
        self.directory = directory
        self._section: str | None = None
        self._started = 0.0
        self._base = 0.0

    def start(self, section: str) -> None:
        """Count the wall time from now on towards ``section``."""
        self._section = section
        self._started = time.perf_counter()
        self._base = self.results.setdefault("section_seconds", {}).get(section, 0.0)

    def save(self) -> str:
        """Write ``<name>.json`` and ``<name>.md`` as they stand; the report."""
        results = self.results
        if self._section is not None:
            elapsed = time.perf_counter() - self._started
            results.setdefault("section_seconds", {})[self._section] = self._base + elapsed
        results["benchmark_seconds"] = sum(results.get("section_seconds", {}).values())
        missing = not_measured(results, self.sections)
        if missing:
            listed = ",".join(self.sections)
            results["stopped_early"] = (
                "not measured (yet): " + "; ".join(missing) + ". Continue with "
                f"`python -m benchmarks --resume --sections {listed}`."
            )
        else:
            results.pop("stopped_early", None)
        return write_results(results, self.directory, self.name)


def sample_core_speeds(results: dict[str, Any], when: str) -> None:
    """Add the speed of every core now (``benchmarks.cores``) to ``results["core_speeds"]``."""
    from benchmarks.cores import core_speeds

    speeds = core_speeds()
    results.setdefault("core_speeds", []).append(
        {
            "when": when,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "speeds": {str(core): value for core, value in speeds.items()},
        }
    )


def forget_notebooks(results: dict[str, Any], patterns: list[str]) -> list[str]:
    """Drop the notebook rows whose path contains one of ``patterns``, so that a resumed run
    times them again; the names of the solution notebooks they match.

    ValueError when a pattern matches no solution notebook (a typo would else re-time nothing).
    """
    names = [str(notebook.relative_to(ROOT)) for notebook in solution_notebooks()]
    chosen = []
    for pattern in patterns:
        matching = [name for name in names if pattern in name]
        if not matching:
            raise ValueError(f"--retime {pattern!r} matches no solution notebook")
        chosen.extend(name for name in matching if name not in chosen)
    results["notebooks"] = [
        row for row in results.get("notebooks", []) if row["notebook"] not in chosen
    ]
    return chosen


def run_sections(recorder: Recorder, choice: DataChoice, quick: bool, with_speed: bool) -> None:
    """Measure whatever of the recorder's sections its results do not hold yet."""
    results = recorder.results
    if "matmul_peak_gflops" not in results:
        print("Matrix-multiply peak ...", flush=True)
        results["matmul_peak_gflops"] = matmul_peak_gflops()
    if "accuracy" in recorder.sections:
        print("Accuracy and speed of the headline experiments ...", flush=True)
        recorder.start("accuracy")
        rows = results.setdefault("accuracy", [])
        for experiment in headline_experiments():
            if any(row["name"] == experiment.name for row in rows):
                continue
            rows.append(accuracy_row(experiment, quick, choice.directory))
            order = [e.name for e in headline_experiments()]
            rows.sort(key=lambda row: order.index(row["name"]) if row["name"] in order else 99)
            results["speed"] = speed_rows(rows, results["matmul_peak_gflops"])
            recorder.save()
    if "speed" in recorder.sections and not ({"speed_comparison", "small_batch"} & results.keys()):
        recorder.start("speed")
        if with_speed:
            from benchmarks import speed

            # supersedes the small-batch table: plain fit, the course's settings and XLA are rows
            print("Speed against PyTorch eager ...", flush=True)
            results["speed_comparison"] = speed.collect(
                1 if quick else 2,
                choice.directory,
                lambda line: print(f"  {line} ...", flush=True),
                train_images=SPEED_TRAIN_IMAGES,
            )
        else:
            print("Small-batch overhead ...", flush=True)
            results["small_batch"] = small_batch_rows(quick, choice.directory)
        recorder.save()
    if "notebooks" in recorder.sections:
        print("Course run time ...", flush=True)
        recorder.start("notebooks")
        key = "fast_seconds" if quick else "default_seconds"
        rows = results.setdefault("notebooks", [])
        for notebook in solution_notebooks():
            name = str(notebook.relative_to(ROOT))
            if any(row["notebook"] == name and key in row for row in rows):
                continue
            rows[:] = [row for row in rows if row["notebook"] != name]
            rows.append(notebook_row(notebook, quick, choice))
            rows.sort(key=lambda row: row["notebook"])
            recorder.save()
        if "autograde" not in results:
            results["autograde"] = autograde_rows(fast_mode_directory(ROOT, choice))
            recorder.save()
    if "test-suite" in recorder.sections and "test_suite" not in results:
        print("Whole test suite (make test) ...", flush=True)
        recorder.start("test-suite")
        results["test_suite"] = test_suite_run()
        recorder.save()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one seed, two epochs, fast-mode notebooks (minutes)",
    )
    parser.add_argument(
        "--sections",
        default=",".join(DEFAULT_SECTIONS),
        help=(
            f"what to measure, comma-separated, from {', '.join(SECTIONS)} "
            f"(default: %(default)s); notebooks: every solution notebook in default mode "
            "(fast mode with --quick) and the autograde times"
        ),
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help=(
            "continue benchmarks/results.json (results-quick.json with --quick): keep what it "
            "holds, measure only what it lacks (same mode, data and machine)"
        ),
    )
    parser.add_argument(
        "--retime",
        action="append",
        default=[],
        metavar="NOTEBOOK",
        help=(
            "with --resume: time again the solution notebooks whose path contains NOTEBOOK "
            "(e.g. --retime 06-activations after changing that notebook); repeatable"
        ),
    )
    parser.add_argument(
        "--with-speed",
        action="store_true",
        help=(
            "speed section: compare with PyTorch eager (python -m benchmarks.speed, 2 epochs "
            "per row on the first 10,000 training images) instead of the small-batch table"
        ),
    )
    parser.add_argument(
        "--with-test-suite",
        action="store_true",
        help="add the section test-suite: time `make test` (about 25 minutes)",
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
    try:
        sections = parse_sections(args.sections + (",test-suite" if args.with_test_suite else ""))
    except ValueError as error:
        parser.error(str(error))

    choice = choose_data(ROOT, os.environ)
    print(f"Data: {choice.description}", flush=True)
    name = "results-quick" if args.quick else "results"
    fresh: dict[str, Any] = {
        "quick": args.quick,
        "machine": machine_description(),
        "data": asdict(choice),
    }
    results = previous_results(RESULTS_DIR / f"{name}.json", fresh) if args.resume else {}
    if args.retime:
        try:
            retimed = forget_notebooks(results, args.retime)
        except ValueError as error:
            parser.error(str(error))
        print("Timing again: " + ", ".join(retimed), flush=True)
    recorder = Recorder(results or fresh, sections, name, RESULTS_DIR)
    sample_core_speeds(recorder.results, "start")
    run_sections(recorder, choice, args.quick, args.with_speed)
    sample_core_speeds(recorder.results, "end")
    print(recorder.save())
    seconds = recorder.results["section_seconds"]
    spent = ", ".join(f"{section} {value / 60:.1f}" for section, value in seconds.items())
    print(f"Wrote benchmarks/{name}.md and benchmarks/{name}.json; minutes per section: {spent}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
