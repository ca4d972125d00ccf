"""Speed against a peer and the limit: the lecture's models at the lecture's batch sizes.

In ONE run, on the benchmark data (``benchmarks.data_choice``): the fp32 matmul peak of this
machine, then for every model plain Keras ``fit``, the course's compiled settings
(``helpers.models``), the course's settings fed by ``helpers.pipeline``'s tf.data pipeline,
a whole epoch per compiled call, and the same model and loop in PyTorch eager
(``benchmarks.peers``; a "skipped" row when torch is not installed).

    python -m benchmarks.speed                # 2 epochs per row (the first one is tracing)
    python -m benchmarks.speed --epochs 1     # smoke run: a few minutes on the 10k subset

Writes ``<name>.md`` and ``<name>.json`` into ``--output-dir`` (defaults: ``results-speed``,
``benchmarks/``); none is committed: the speed table in the tree is ``make bench``'s, in
``benchmarks/results.md``.
Every row trains in its own process, one after another (``benchmarks.processes``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from benchmarks.data_choice import choose_data
from benchmarks.measure import RunSettings
from benchmarks.peers import SKIP_MESSAGE, PeerSettings, torch_available
from benchmarks.processes import ROOT, run_json_module

PEER_LABEL = "PyTorch eager"
COURSE_LABEL = "course settings"
PEAK_GOAL = 0.5  # dense and conv rows should reach half of the matmul peak


@dataclass(frozen=True)
class SpeedCase:
    """One model at the lecture's batch size; ``input_kind`` "dense" or "conv"."""

    experiment: str
    batch_size: int
    description: str
    input_kind: str


@dataclass(frozen=True)
class KerasVariant:
    """How Keras trains a case: compile options and input pipeline (see RunSettings).

    ``input_kinds``: the models it is measured on ("dense", "conv"); XLA is left out of the
    conv rows, where TensorFlow's XLA CPU convolutions ran about 20× slower than oneDNN's
    (docs/speed-notes.md) and would take most of the benchmark's time.
    """

    label: str
    steps_per_execution: int | Literal["epoch"] | None
    jit_compile: bool | None
    pipeline: str
    input_kinds: tuple[str, ...] = ("dense", "conv")


SPEED_CASES: tuple[SpeedCase, ...] = (
    SpeedCase("baseline_mse", 10, "784-30-10 sigmoid, MSE, SGD", "dense"),
    SpeedCase("softmax_cross_entropy", 30, "784-30-10 softmax, cross-entropy, SGD", "dense"),
    SpeedCase("dense_512_dropout", 128, "784-512-512-10 ReLU, dropout, Adadelta", "dense"),
    SpeedCase("cnn_5x5x16", 128, "Conv 16 5×5, pool, dropout, Dense 10, Adadelta", "conv"),
    SpeedCase("cnn_two_conv", 128, "Conv 32 5×5 ×2, Dense 512 ×2, Adadelta", "conv"),
)

KERAS_VARIANTS: tuple[KerasVariant, ...] = (
    KerasVariant("Keras plain fit", 1, False, "numpy"),
    KerasVariant(COURSE_LABEL, None, None, "numpy"),
    KerasVariant("course + tf.data", None, None, "tf.data"),
    KerasVariant("whole epoch per call + tf.data", "epoch", None, "tf.data"),
    KerasVariant("course + XLA (jit_compile)", None, True, "numpy", ("dense",)),
)

KerasRunner = Callable[[RunSettings], dict[str, Any]]
PeerRunner = Callable[[PeerSettings], dict[str, Any]]


def run_keras(settings: RunSettings) -> dict[str, Any]:
    """One Keras run in its own process (``benchmarks.measure``)."""
    return run_json_module("benchmarks.measure", asdict(settings))


def run_peer(settings: PeerSettings) -> dict[str, Any]:
    """One PyTorch run in its own process (``benchmarks.peers``)."""
    return run_json_module("benchmarks.peers", asdict(settings))


def _row(case: SpeedCase, label: str, framework: str, run: dict[str, Any] | None) -> dict:
    row: dict[str, Any] = {
        "experiment": case.experiment,
        "description": case.description,
        "batch_size": case.batch_size,
        "setting": label,
        "framework": framework,
        "skipped": None,
    }
    if run is None:
        return row
    wall, cpu = run["epoch_seconds"], run["epoch_cpu_seconds"]
    later = slice(1, None) if len(wall) > 1 else slice(None)
    row.update(
        samples_per_second=run["samples_per_second"],
        achieved_gflops=run["achieved_gflops"],
        forward_flops_per_sample=run["forward_flops_per_sample"],
        test_accuracy=run["test_accuracy"],
        train_images=run["train_images"],
        epoch_seconds=wall,
        # cores this run actually had: CPU seconds per wall second of the timed epochs
        cores_used=sum(cpu[later]) / max(sum(wall[later]), 1e-9),
        peak_memory_mb=run["peak_memory_mb"],
    )
    return row


def speed_rows(
    epochs: int,
    *,
    data_dir: str | None,
    seed: int = 0,
    threads: int | None = None,
    train_images: int | None = None,
    cases: Sequence[SpeedCase] = SPEED_CASES,
    variants: Sequence[KerasVariant] = KERAS_VARIANTS,
    keras_runner: KerasRunner = run_keras,
    peer_runner: PeerRunner = run_peer,
    torch_installed: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Train every case in every Keras variant and in PyTorch; one row per (case, setting).

    ``torch_installed`` None: ask :func:`benchmarks.peers.torch_available`. Without torch
    the peer row carries ``skipped`` = :data:`benchmarks.peers.SKIP_MESSAGE`. ``progress``
    receives one line before each run (the command line prints it). ``train_images``: train
    every row on the first that many training images (None: all); the work per sample does
    not depend on the data size (docs/speed-notes.md), so a smaller set keeps the run short.
    """
    has_torch = torch_available() if torch_installed is None else torch_installed
    rows = []
    for case in cases:
        for variant in variants:
            if case.input_kind not in variant.input_kinds:
                continue
            if progress:
                progress(f"{case.experiment} batch {case.batch_size}: {variant.label}")
            settings = RunSettings(
                case.experiment,
                seed,
                epochs,
                steps_per_execution=variant.steps_per_execution,
                jit_compile=variant.jit_compile,
                batch_size=case.batch_size,
                pipeline=variant.pipeline,
                data_dir=data_dir,
                threads=threads,
                train_images=train_images,
            )
            rows.append(_row(case, variant.label, "keras", keras_runner(settings)))
        if not has_torch:
            row = _row(case, PEER_LABEL, "torch", None)
            row["skipped"] = SKIP_MESSAGE
            rows.append(row)
            continue
        if progress:
            progress(f"{case.experiment} batch {case.batch_size}: {PEER_LABEL}")
        peer = PeerSettings(
            case.experiment,
            seed,
            epochs,
            case.batch_size,
            data_dir=data_dir,
            threads=threads,
            train_images=train_images,
        )
        rows.append(_row(case, PEER_LABEL, "torch", peer_runner(peer)))
    return rows


def add_comparisons(rows: list[dict[str, Any]], peak_gflops: float) -> list[dict[str, Any]]:
    """Each measured row gets ``fraction_of_peak`` and ``vs_peer`` (samples/s ÷ PyTorch's,
    None when the peer was skipped); returns the same list."""
    peers = {
        row["experiment"]: row
        for row in rows
        if row["framework"] == "torch" and row["skipped"] is None
    }
    for row in rows:
        if row["skipped"] is not None:
            continue
        row["fraction_of_peak"] = row["achieved_gflops"] / peak_gflops
        peer = peers.get(row["experiment"])
        row["vs_peer"] = (
            None if peer is None else row["samples_per_second"] / peer["samples_per_second"]
        )
    return rows


def shortfalls(rows: list[dict[str, Any]]) -> list[str]:
    """One sentence per goal the course's settings miss: slower than PyTorch eager, or
    under half the matmul peak."""
    sentences = []
    for row in rows:
        if row["setting"] != COURSE_LABEL or row["skipped"] is not None:
            continue
        name = f"`{row['experiment']}` (batch {row['batch_size']})"
        if row.get("vs_peer") is not None and row["vs_peer"] < 1:
            sentences.append(
                f"{name}: the course's settings run at {row['vs_peer']:.2f}× PyTorch eager "
                f"({100 * (1 - row['vs_peer']):.0f}% slower)."
            )
        if row["fraction_of_peak"] < PEAK_GOAL:
            sentences.append(
                f"{name}: {100 * row['fraction_of_peak']:.1f}% of the matmul peak, "
                f"{100 * (PEAK_GOAL - row['fraction_of_peak']):.1f} points under the 50% goal."
            )
    return sentences


WHOLE_EPOCH_LABEL = "whole epoch per call + tf.data"
PLAIN_LABEL = "Keras plain fit"


def shortfall_reasons(rows: list[dict[str, Any]], peak_gflops: float) -> list[str]:
    """Why each row with a missed goal falls short, from the row's own figures: the time of
    one training step against the time its arithmetic would take at the matmul peak, what
    one compiled call per epoch leaves of the step, and how many cores each setting kept
    busy. One sentence per row whose course settings miss a goal."""
    by_setting = {(r["experiment"], r["setting"]): r for r in rows if r["skipped"] is None}
    sentences = []
    for row in rows:
        if row["setting"] != COURSE_LABEL or row["skipped"] is not None:
            continue
        slower = row.get("vs_peer") is not None and row["vs_peer"] < 1
        if not slower and row["fraction_of_peak"] >= PEAK_GOAL:
            continue
        batch = row["batch_size"]
        step_us = 1e6 * batch / row["samples_per_second"]
        compute_us = 1e6 * 3 * row["forward_flops_per_sample"] * batch / (peak_gflops * 1e9)
        text = (
            f"`{row['experiment']}` (batch {batch}): a step takes {step_us:,.0f} µs; its "
            f"dense and convolution arithmetic would take {compute_us:,.0f} µs at the matmul "
            "peak"
        )
        whole = by_setting.get((row["experiment"], WHOLE_EPOCH_LABEL))
        if whole is not None:
            whole_us = 1e6 * batch / whole["samples_per_second"]
            text += (
                f"; with one compiled call per epoch a step takes {whole_us:,.0f} µs, so "
                f"{max(0.0, step_us - whole_us):,.0f} µs of it is per-call overhead and "
                f"{max(0.0, whole_us - compute_us):,.0f} µs is the kernels: arithmetic on "
                "matrices too small or too thin to run at the peak rate, and the work the FLOP "
                "count leaves out (optimizer update, activations, dropout, pooling)"
            )
        plain = by_setting.get((row["experiment"], PLAIN_LABEL))
        if plain is not None and plain["cores_used"] - row["cores_used"] > 0.3:
            text += (
                f"; the course's settings kept {row['cores_used']:.2f} cores busy against "
                f"{plain['cores_used']:.2f} for plain fit, which ran at "
                f"{plain['samples_per_second']:,.0f} samples/s (the same arithmetic; on a "
                "virtual machine whose cores change speed, `python -m benchmarks.steps_per_call` "
                "alternates both settings to tell the setting from the moment)"
            )
        sentences.append(text + ".")
    return sentences


def collect(
    epochs: int,
    data_dir: str | None,
    progress: Callable[[str], None] | None = None,
    threads: int | None = None,
    train_images: int | None = None,
) -> dict[str, Any]:
    """The whole speed comparison: peak, rows with comparisons, shortfalls.

    ``threads``: TensorFlow's intra- and inter-op threads and PyTorch's threads in every
    run; None: TensorFlow's default and one PyTorch thread per core. ``train_images``: the
    first that many training images per row (None: all of them).
    """
    from benchmarks.measure import matmul_peak_gflops

    peak = matmul_peak_gflops()
    rows = add_comparisons(
        speed_rows(
            epochs,
            data_dir=data_dir,
            threads=threads,
            train_images=train_images,
            progress=progress,
        ),
        peak,
    )
    return {
        "epochs": epochs,
        "threads": threads,
        "train_images": train_images,
        "matmul_peak_gflops": peak,
        "rows": rows,
        "shortfalls": shortfalls(rows),
        "load_average_at_end": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: measure, then write ``benchmarks/<name>.md`` and ``.json``."""
    from benchmarks.__main__ import machine_description
    from benchmarks.report import write_speed_report

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.speed",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--epochs", type=int, default=2, help="epochs per row (default 2)")
    parser.add_argument("--name", default="results-speed", help="output file name stem")
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=ROOT / "benchmarks",
        help="where the .md and .json go (default benchmarks/; smoke runs: benchmarks/out/)",
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="threads per run in both frameworks"
    )
    parser.add_argument(
        "--train-images",
        type=int,
        default=None,
        help="train every row on the first N training images (default: all)",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    choice = choose_data(ROOT, os.environ)
    print(f"Data: {choice.description}", flush=True)
    results: dict[str, Any] = {"machine": machine_description(), "data": asdict(choice)}
    results["speed_comparison"] = collect(
        args.epochs,
        choice.directory,
        lambda line: print(f"  {line} ...", flush=True),
        threads=args.threads,
        train_images=args.train_images,
    )
    results["benchmark_seconds"] = time.perf_counter() - started
    directory = args.output_dir
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{args.name}.json").write_text(json.dumps(results, indent=1) + "\n")
    print(write_speed_report(results, directory, args.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
