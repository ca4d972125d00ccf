"""Turn benchmark results into ``results.md`` tables and a figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from benchmarks.speed import shortfall_reasons

FULL_TRAIN_IMAGES = 60_000
GAP_POINTS = 0.3  # a row further than this from the lecture's figure is named with its reason


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _percent(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:+.2f}" if signed else f"{value:.2f}"


def _data_label(row: dict[str, Any]) -> str:
    size = f"{row['train_images']:,}/{row['test_images']:,}"
    if not row["data_is_full"]:
        return f"**subset** {size}"
    if row["train_images"] < FULL_TRAIN_IMAGES:  # the lecture's 10k settings
        return f"first {size} of the full set"
    return f"full {size}"


def validation_notes(results: dict[str, Any]) -> list[str]:
    """One line per row that validated on held-out training images, saying which."""
    return [
        f"- `{row['name']}`: {row['validation']}."
        for row in results["accuracy"]
        if row.get("validation")
    ]


def gap_notes(results: dict[str, Any], points: float = GAP_POINTS) -> list[str]:
    """One line per row more than ``points`` from the lecture's figure, with its reason.

    Rows trained on the offline subset are not compared (not the lecture's data).
    """
    lines = []
    for row in results["accuracy"]:
        difference = row.get("difference")
        if difference is None or abs(difference) <= points or not row["data_is_full"]:
            continue
        reason = row.get("gap_reason") or "no reason recorded yet: to be investigated"
        lines.append(f"- `{row['name']}`: {difference:+.2f} points. {reason}.")
    if not lines:
        return []
    return [f"Rows more than {points} points from the lecture, and why:", "", *lines]


def accuracy_table(results: dict[str, Any]) -> str:
    rows = []
    for row in results["accuracy"]:
        spread = row["test_accuracy_std"]
        accuracy = _percent(row["test_accuracy_mean"])
        if spread is not None:
            accuracy += f" ± {spread:.2f}"
        epochs = str(row["epochs"])
        if any(run != row["epochs"] for run in row["epochs_run"]):
            epochs = f"{row['epochs']} (stopped at {', '.join(map(str, row['epochs_run']))})"
        rows.append(
            [
                f"`{row['name']}`: {row['description']}",
                _data_label(row),
                epochs,
                str(row["seeds"]),
                accuracy,
                _percent(row["train_accuracy_mean"]),
                _percent(row.get("lecture_train_accuracy")),
                f"{_percent(row['lecture_accuracy'])} ({row['lecture_data']})",
                _percent(row["difference"], signed=True),
            ]
        )
    header = [
        "model",
        "data used (train/test)",
        "epochs",
        "seeds",
        "test acc. %",
        "train acc. %",
        "lecture train acc. %",
        "lecture %",
        "difference (points)",
    ]
    return markdown_table(header, rows)


def speed_table(results: dict[str, Any]) -> str:
    rows = [
        [
            f"`{row['name']}`",
            str(row["batch_size"]),
            f"{row['seconds_per_epoch']:.2f}",
            f"{row['first_epoch_seconds']:.2f}",
            f"{row['samples_per_second']:,.0f}",
            f"{row['forward_flops_per_sample'] / 1e6:.2f}",
            f"{row['achieved_gflops']:.1f}",
            f"{100 * row['fraction_of_peak']:.1f}%",
            f"{row['peak_memory_mb']:,.0f}",
        ]
        for row in results["speed"]
    ]
    header = [
        "model",
        "batch",
        "s/epoch",
        "first epoch s",
        "samples/s",
        "forward MFLOP/sample",
        "GFLOP/s (fwd+bwd)",
        "of matmul peak",
        "peak memory MB",
    ]
    return markdown_table(header, rows)


def small_batch_table(results: dict[str, Any]) -> str:
    rows = []
    for row in results["small_batch"]:
        accuracy = _percent(row["test_accuracy_mean"])
        if row["test_accuracy_std"] is not None:
            accuracy += f" ± {row['test_accuracy_std']:.2f}"
        rows.append(
            [
                f"`{row['experiment']}`",
                str(row["batch_size"]),
                row["setting"],
                f"{row['seconds_per_epoch']:.2f}",
                f"×{row['speed_up']:.2f}",
                accuracy,
            ]
        )
    header = [
        "model",
        "batch",
        "setting",
        "s/epoch",
        "speed-up",
        f"test acc. % after {results['small_batch'][0]['epochs']} epochs",
    ]
    return markdown_table(header, rows)


def _times(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}×"


def speed_comparison_table(comparison: dict[str, Any]) -> str:
    """One row per model and setting: speed, share of the matmul peak, ratio to PyTorch."""
    rows = []
    for row in comparison["rows"]:
        model = f"`{row['experiment']}`"
        if row["skipped"] is not None:
            rows.append([model, str(row["batch_size"]), row["setting"], row["skipped"]])
            rows[-1] += ["–"] * 7
            continue
        rows.append(
            [
                model,
                str(row["batch_size"]),
                row["setting"],
                f"{row['samples_per_second']:,.0f}",
                f"{row['samples_per_second'] / max(row['cores_used'], 1e-9):,.0f}",
                f"{row['achieved_gflops']:.1f}",
                f"{100 * row['fraction_of_peak']:.1f}%",
                _times(row["vs_peer"]),
                f"{100 * row['test_accuracy']:.2f}",
                f"{row['cores_used']:.2f}",
                f"{row['peak_memory_mb']:,.0f}",
            ]
        )
    header = [
        "model",
        "batch",
        "setting",
        "samples/s",
        "samples per CPU-s",
        "GFLOP/s (fwd+bwd)",
        "of matmul peak",
        "vs PyTorch eager",
        f"test acc. % after {comparison['epochs']} epoch(s)",
        "cores used",
        "peak memory MB",
    ]
    return markdown_table(header, rows)


def speed_comparison_section(comparison: dict[str, Any]) -> list[str]:
    """The speed-against-a-peer section: explanation, table and the goals missed."""
    epochs = comparison["epochs"]
    timed = "the epochs after the first" if epochs > 1 else "the only epoch (tracing included)"
    threads = comparison.get("threads")
    thread_text = (
        f"{threads} thread(s) per run in both frameworks"
        if threads
        else "TensorFlow's default threads, PyTorch one thread per core"
    )
    images = comparison.get("train_images")
    images_text = f" on the first {images:,} training images" if images else ""
    parts = [
        "## Speed against PyTorch and the matmul peak",
        "",
        f"Lecture models at the lecture's batch sizes, {epochs} epoch(s) each{images_text}, "
        f"seed 0, {thread_text}; samples/s "
        f"over {timed}. fp32 matmul peak in the same run: "
        f'{comparison["matmul_peak_gflops"]:.1f} GFLOP/s. "cores used" is process CPU time '
        "per wall second: below the core count means the process waited, for other processes "
        "(a loaded machine) or, on a virtual machine, for the slower of its cores while the "
        "faster one idled (`python -m benchmarks.cores`); samples per CPU-second divides that "
        "out and is the steadier figure there. "
        "Settings: plain `fit` "
        "(steps_per_execution 1, no XLA); the course's `helpers.models` compile options "
        "(steps_per_execution 32) with NumPy arrays; the same fed by `helpers.pipeline.dataset`; "
        "one compiled call per epoch; XLA; PyTorch eager (`benchmarks.peers`, same model, loss, "
        "optimizer and batch, pre-shuffled tensors).",
        "",
        speed_comparison_table(comparison),
    ]
    if comparison["shortfalls"]:
        parts += ["", "Goals missed by the course's settings:", ""]
        parts += [f"- {sentence}" for sentence in comparison["shortfalls"]]
        reasons = shortfall_reasons(comparison["rows"], comparison["matmul_peak_gflops"])
        parts += ["", "Why, from the same rows:", ""]
        parts += [f"- {sentence}" for sentence in reasons]
    return parts


def write_speed_report(results: dict[str, Any], directory: Path, name: str) -> str:
    """Write ``<name>.md`` with the speed comparison of ``python -m benchmarks.speed``."""
    machine = results["machine"]
    parts = [
        "# Speed against a peer and the limit",
        "",
        f"Measured {machine['date']} on {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['system']}, Python {machine['python']}, TensorFlow {machine['tensorflow']}. "
        f"Data: {results['data']['description']}.",
        "",
        "Generated by `python -m benchmarks.speed`; do not edit by hand.",
        "",
        *speed_comparison_section(results["speed_comparison"]),
        "",
        f"Benchmark wall time: {results['benchmark_seconds'] / 60:.1f} minutes.",
        "",
    ]
    text = "\n".join(parts)
    (directory / f"{name}.md").write_text(text)
    return text


NOTEBOOK_GOAL_MINUTES = 10


def notebook_table(results: dict[str, Any]) -> str:
    """One row per notebook: its fast and default-mode wall time, the 1-minute load average
    before → after the run (the default-mode one when there are both), and whether the
    default-mode run kept the goal of ``NOTEBOOK_GOAL_MINUTES`` minutes."""
    rows = []
    for row in results.get("notebooks", []):
        cells = [f"`{row['notebook']}`"]
        for mode in ("fast", "default"):
            if f"{mode}_seconds" not in row:
                cells.append("–")
                continue
            seconds = row[f"{mode}_seconds"]
            failed = "" if row[f"{mode}_ok"] else " (failed)"
            cells.append(f"{seconds:.0f} ({seconds / 60:.1f} min){failed}")
        load = row.get("default_load") or row.get("fast_load")
        cells.append(f"{load[0]:.2f} → {load[1]:.2f}" if load else "–")
        if "default_seconds" in row:
            kept = row["default_seconds"] <= NOTEBOOK_GOAL_MINUTES * 60
            cells.append("yes" if kept else "**no**")
        else:
            cells.append("–")
        rows.append(cells)
    return markdown_table(
        [
            "notebook",
            "fast mode s",
            "default mode s",
            "load (1 min) before → after",
            f"default ≤ {NOTEBOOK_GOAL_MINUTES} min",
        ],
        rows,
    )


def kept_minutes(results: dict[str, Any]) -> dict[str, float]:
    """Minutes measured by the rows the results hold now: ``"accuracy"``, the training epochs
    of every run of every accuracy row; ``"notebooks"``, every notebook row's run time. Unlike
    ``section_seconds`` these leave out rows that were measured again, so they are what one
    fresh run of those sections spends training and executing (process start-up, data loading
    and evaluation not included)."""
    kept: dict[str, float] = {}
    accuracy = results.get("accuracy") or []
    if accuracy:
        kept["accuracy"] = (
            sum(
                sum(run.get("epoch_seconds", [])) for row in accuracy for run in row.get("runs", [])
            )
            / 60
        )
    notebooks = results.get("notebooks") or []
    if notebooks:
        kept["notebooks"] = (
            sum(
                row.get(f"{mode}_seconds", 0.0) for row in notebooks for mode in ("fast", "default")
            )
            / 60
        )
    return kept


def wall_time_line(results: dict[str, Any]) -> str:
    """The benchmark's wall time, per section when the results say it, and what the rows kept
    took (:func:`kept_minutes`) when rows were measured again (``--resume``, ``--retime``)."""
    total = f"Benchmark wall time: {results['benchmark_seconds'] / 60:.1f} minutes"
    sections = results.get("section_seconds") or {}
    if not sections:
        return total + "."
    parts = ", ".join(f"{name} {seconds / 60:.1f}" for name, seconds in sections.items())
    line = f"{total}, every run that wrote these results (minutes per section: {parts})."
    kept = kept_minutes(results)
    if kept:
        listed = ", ".join(f"{name} {minutes:.1f}" for name, minutes in kept.items())
        line += (
            " Rows measured again count once per run there; the rows kept took, in minutes: "
            f"{listed} (accuracy: training epochs only)."
        )
    return line


def autograde_table(results: dict[str, Any]) -> str:
    rows = [
        [
            f"`{row['assignment']}`",
            f"{row['seconds']:.0f}",
            f"{row['score']:g} / {row['max_score']:g}",
        ]
        for row in results.get("autograde", [])
    ]
    return markdown_table(
        [
            "practice",
            "autograde s (one submission)",
            "solution score (manual answers not yet graded)",
        ],
        rows,
    )


def accuracy_figure(results: dict[str, Any], path: Path) -> None:
    """Bar chart: our test accuracy against the lecture's, per headline experiment."""
    rows = [row for row in results["accuracy"] if row["lecture_accuracy"] is not None]
    names = [row["name"] for row in rows]
    positions = range(len(rows))
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.bar(
        [p - 0.2 for p in positions],
        [r["test_accuracy_mean"] for r in rows],
        0.4,
        yerr=[r["test_accuracy_std"] or 0 for r in rows],
        label="this course (data in table)",
    )
    ax.bar(
        [p + 0.2 for p in positions], [r["lecture_accuracy"] for r in rows], 0.4, label="lecture"
    )
    ax.set_xticks(list(positions), names, rotation=20, ha="right")
    low = min(min(r["test_accuracy_mean"] for r in rows), 90)
    ax.set_ylim(low - 1, 100)
    ax.set_ylabel("test accuracy (%)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def accuracy_and_speed_section(results: dict[str, Any], figure: str) -> list[str]:
    """The accuracy table against the lecture, its notes and figure, and the speed table."""
    return [
        "",
        "## Accuracy against the lecture",
        "",
        "Rows marked **subset** were trained on fewer images than the lecture used (the offline "
        "copy has the first 10,000 training images); their difference to the lecture is not a "
        "like-for-like comparison.",
        "",
        accuracy_table(results),
        "",
        *validation_notes(results),
        "",
        *gap_notes(results),
        "",
        f"![accuracy against the lecture]({figure})",
        "",
        "## Speed",
        "",
        "Seconds per epoch exclude the first epoch (tracing and compilation), shown apart. "
        "GFLOP/s count dense and convolution layers, forward plus backward (≈ 3× forward). "
        "The reference is one large fp32 matmul; a share near or above 100% means the model "
        "runs as fast as that reference (the 3× estimate over-counts the first layer, whose "
        "input needs no gradient, and oneDNN's convolutions can beat a single matmul call).",
        "",
        speed_table(results),
    ]


def core_speed_lines(results: dict[str, Any]) -> list[str]:
    """The per-core speeds sampled at the start and end of each run (``benchmarks.cores``)."""
    samples = results.get("core_speeds") or []
    if not samples:
        return []
    from benchmarks.cores import describe_speeds

    lines = [
        "",
        "Speed of each core when the run started and ended (`python -m benchmarks.cores`: a "
        "counting loop on every core at once, million iterations/s). On a virtual machine "
        "they can differ; work split evenly over both cores then waits for the slower one.",
        "",
    ]
    for sample in samples:
        speeds = {int(core): value for core, value in sample["speeds"].items()}
        lines.append(f"- {sample['when']} ({sample['date']}): {describe_speeds(speeds)}")
    return lines


def write_report(results: dict[str, Any], directory: Path, name: str) -> str:
    """Write ``<name>.md`` and ``<name>-accuracy.png`` into ``directory``; return the text.

    Every section is optional but the machine: a run of some sections (``--sections``)
    reports those.
    """
    machine = results["machine"]
    figure = f"{name}-accuracy.png"
    if any(row["lecture_accuracy"] is not None for row in results.get("accuracy", [])):
        accuracy_figure(results, directory / figure)
    mode = (
        "quick variant (1 seed, 2 epochs: NOT the lecture's settings)"
        if results["quick"]
        else "default mode (the lecture's settings)"
    )
    peak = results.get("matmul_peak_gflops")
    parts = [
        f"# Benchmark results ({mode})",
        "",
        f"Measured {machine['date']} on {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['system']}, Python {machine['python']}, TensorFlow {machine['tensorflow']}. "
        + (f"fp32 matmul peak measured in the same run: {peak:.1f} GFLOP/s." if peak else ""),
        "",
        "Generated by `make bench` (or `make bench-quick`); do not edit by hand.",
        "",
        *(
            [f"**Stopped before the end:** {results['stopped_early']}", ""]
            if results.get("stopped_early")
            else []
        ),
        f"Data: {results['data']['description']}." if "data" in results else "",
        *core_speed_lines(results),
    ]
    if results.get("accuracy"):
        parts += accuracy_and_speed_section(results, figure)
    if "small_batch" in results:
        parts += [
            "",
            "## Small-batch overhead",
            "",
            "At the lecture's batch sizes each step does little work, so Keras' per-step "
            "overhead dominates. Same models, same seeds; only the compile settings differ.",
            "",
            small_batch_table(results),
        ]
    if "speed_comparison" in results:
        parts += ["", *speed_comparison_section(results["speed_comparison"])]
    if "notebooks" in results:
        parts += ["", "## Course run time", "", notebook_table(results)]
    if results.get("autograde"):
        parts += ["", autograde_table(results)]
    if "test_suite" in results:
        suite = results["test_suite"]
        outcome = "passed" if suite["passed"] else "FAILED"
        parts += [
            "",
            f"Whole test suite (`make test`, fast mode): {suite['seconds']:.0f} s, {outcome}.",
        ]
    parts += ["", wall_time_line(results), ""]
    text = "\n".join(parts)
    (directory / f"{name}.md").write_text(text)
    return text
