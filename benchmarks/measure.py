"""Measurements behind the benchmark tables: one training run, FLOP counts, the matmul peak.

``python -m benchmarks.measure RUN_JSON`` trains one run in its own process and prints one
JSON line, so that each run's peak memory is its own and a crash cannot take the suite down.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import keras
import numpy as np

import helpers  # imports TensorFlow quietly before Keras is used
from benchmarks.experiments import experiment_by_name
from benchmarks.flops import achieved_gflops, keras_forward_flops
from helpers import data, pipeline
from helpers.splits import tail_validation_split

WHOLE_EPOCH: Literal["epoch"] = "epoch"  # steps_per_execution: one call runs a whole epoch
PIPELINES = ("numpy", "tf.data")
LECTURE_VALIDATION_IMAGES = 10_000  # early stopping: validate on the LAST 10k training images


@dataclass(frozen=True)
class RunSettings:
    """What one measured run trains: an experiment, a seed, and how it is compiled."""

    experiment: str
    seed: int
    epochs: int
    # None: the course default (helpers.models); "epoch": one call per epoch
    steps_per_execution: int | Literal["epoch"] | None = None
    jit_compile: bool | None = None  # None: Keras' default ("auto": no XLA on a CPU)
    batch_size: int | None = None  # None: the experiment's own
    # "numpy": arrays into fit (Keras' adapter); "tf.data": helpers.pipeline.dataset
    pipeline: str = "numpy"
    data_dir: str | None = None  # None: helpers.data's own order (MNIST_DATA_DIR first)
    train_images: int | None = None  # None: the experiment's own (its 10k setting, or all)
    threads: int | None = None  # TensorFlow intra- and inter-op threads; None: TF's default


@dataclass(frozen=True)
class RunMeasurement:
    """Figures of one run. Accuracies are fractions in [0, 1]; times are seconds."""

    settings: dict[str, Any]
    data_description: str
    data_is_full: bool
    train_images: int
    test_images: int
    epochs_run: int
    test_accuracy: float
    train_accuracy: float
    first_epoch_seconds: float
    seconds_per_epoch: float  # mean over epochs after the first (which includes tracing)
    samples_per_second: float
    forward_flops_per_sample: int
    achieved_gflops: float  # forward + backward, at samples_per_second
    peak_memory_mb: float  # maximum resident set size of the process
    epoch_seconds: list[float] = field(default_factory=list)  # wall time of every epoch
    # process CPU time (user + system, all threads) of every epoch: near 2× the wall time when
    # the run had both cores to itself, lower when other processes took them
    epoch_cpu_seconds: list[float] = field(default_factory=list)
    load_average: float = 0.0  # 1-minute load average of the machine when the run ended
    validation_description: str = ""  # which images validated (early stopping), else ""


def forward_flops_per_sample(model: keras.Model) -> int:
    """Multiply-adds ×2 of the dense and convolution layers for one input (other layers ≈ 0)."""
    return keras_forward_flops(model)


def matmul_peak_gflops(sizes: tuple[int, ...] = (1024, 2048), repeats: int = 10) -> float:
    """Best observed fp32 matrix-multiply rate of this machine, in GFLOP/s (TensorFlow):
    the fastest of ``repeats`` square products for each size in ``sizes``."""
    import tensorflow as tf

    best_rate = 0.0
    for size in sizes:
        a = tf.random.normal((size, size), seed=1)
        b = tf.random.normal((size, size), seed=2)
        tf.matmul(a, b).numpy()  # warm-up
        for _ in range(repeats):
            start = time.perf_counter()
            tf.matmul(a, b).numpy()
            best_rate = max(best_rate, 2 * size**3 / (time.perf_counter() - start) / 1e9)
    return best_rate


class EpochTimer(keras.callbacks.Callback):
    """Records the wall time and the process CPU time of every epoch, in seconds."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []
        self.cpu_seconds: list[float] = []
        self._start = 0.0
        self._cpu_start = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start = time.perf_counter()
        self._cpu_start = time.process_time()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.seconds.append(time.perf_counter() - self._start)
        self.cpu_seconds.append(time.process_time() - self._cpu_start)


def configure_threads(threads: int | None) -> None:
    """Set TensorFlow's intra- and inter-op thread counts (before any op runs); None: default."""
    if threads is None:
        return
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)


def training_data(
    settings: RunSettings,
) -> tuple[data.MnistDataset, tuple[Any, Any], tuple[Any, Any] | None, str]:
    """The raw images and labels a run trains on, its validation data, and their description.

    Experiments with the lecture's 10k setting train on the first ``train_images`` images;
    with early stopping they validate on the LAST 10,000 training images as the lecture did
    (``helpers.splits.tail_validation_split``; on a smaller set its stated fallback).
    Arrays are uint8 images (N, 28, 28) and uint8 labels (N,).
    """
    experiment = experiment_by_name(settings.experiment)
    dataset = data.load_mnist_dataset(settings.data_dir, verbose=False)
    x_train, y_train = dataset.x_train, dataset.y_train
    limit = settings.train_images or experiment.train_images
    if experiment.early_stopping_patience is not None:
        split = tail_validation_split(
            x_train, y_train, n_train=limit or len(x_train), n_validation=LECTURE_VALIDATION_IMAGES
        )
        return dataset, split.train, split.validation, split.description
    if limit is not None:
        x_train, y_train = data.first_n(x_train, y_train, min(limit, len(x_train)))
    return dataset, (x_train, y_train), None, ""


def resolved_steps_per_execution(
    requested: int | Literal["epoch"] | None, steps_per_epoch: int
) -> int | None:
    """``"epoch"`` becomes the number of steps in one epoch; other values pass through."""
    return steps_per_epoch if requested == WHOLE_EPOCH else requested


def input_data(pipeline_name: str, x: Any, y: Any, batch_size: int, seed: int) -> dict[str, Any]:
    """Keyword arguments of ``fit`` that feed ``x``, ``y`` through the named pipeline."""
    if pipeline_name == "numpy":
        return {"x": x, "y": y, "batch_size": batch_size}
    if pipeline_name == "tf.data":  # shuffles itself: fit's own shuffle would only warn
        return {"x": pipeline.dataset(x, y, batch_size, shuffle_seed=seed), "shuffle": False}
    raise ValueError(f"unknown pipeline {pipeline_name!r}; there are: {', '.join(PIPELINES)}")


def run(settings: RunSettings) -> RunMeasurement:
    """Train one experiment as the notebooks do and measure it."""
    configure_threads(settings.threads)
    experiment = experiment_by_name(settings.experiment)
    dataset, (x_train, y_train), validation, validation_description = training_data(settings)
    prepare = data.prepare_dense if experiment.input_kind == "dense" else data.prepare_conv
    batch_size = settings.batch_size or experiment.batch_size

    callbacks: list[keras.callbacks.Callback] = []
    validation_data = None
    if validation is not None:
        validation_data = (prepare(validation[0]), data.one_hot(validation[1]))
        callbacks.append(
            keras.callbacks.EarlyStopping(
                patience=experiment.early_stopping_patience, restore_best_weights=True
            )
        )
    x, y = prepare(x_train), data.one_hot(y_train)
    x_test, y_test = prepare(dataset.x_test), data.one_hot(dataset.y_test)

    helpers.set_seed(settings.seed)
    steps_per_epoch = pipeline.steps_per_epoch(len(x), batch_size)
    model = experiment.build(steps_per_epoch)
    steps_per_execution = resolved_steps_per_execution(
        settings.steps_per_execution, steps_per_epoch
    )
    if steps_per_execution is not None or settings.jit_compile is not None:
        compile_options: dict[str, Any] = {}
        if steps_per_execution is not None:
            compile_options["steps_per_execution"] = steps_per_execution
        if settings.jit_compile is not None:
            compile_options["jit_compile"] = settings.jit_compile
        model.compile(
            optimizer=model.optimizer.__class__.from_config(model.optimizer.get_config()),
            loss=model.loss,
            metrics=["accuracy"],
            **compile_options,
        )
    timer = EpochTimer()
    model.fit(
        **input_data(settings.pipeline, x, y, batch_size, settings.seed),
        epochs=settings.epochs,
        validation_data=validation_data,
        callbacks=[*callbacks, timer],
        verbose=0,
    )
    _, test_accuracy = model.evaluate(x_test, y_test, verbose=0, batch_size=1000)
    _, train_accuracy = model.evaluate(x, y, verbose=0, batch_size=1000)
    later = timer.seconds[1:] or timer.seconds
    seconds_per_epoch = float(np.mean(later))
    samples_per_second = len(x) / seconds_per_epoch
    flops = forward_flops_per_sample(model)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return RunMeasurement(
        settings=asdict(settings),
        data_description=dataset.source.description,
        data_is_full=dataset.source.is_full,
        train_images=len(x),
        test_images=len(x_test),
        epochs_run=len(timer.seconds),
        test_accuracy=float(test_accuracy),
        train_accuracy=float(train_accuracy),
        first_epoch_seconds=timer.seconds[0],
        seconds_per_epoch=seconds_per_epoch,
        samples_per_second=samples_per_second,
        forward_flops_per_sample=flops,
        achieved_gflops=achieved_gflops(flops, samples_per_second),
        peak_memory_mb=peak_kb / 1024,
        epoch_seconds=timer.seconds,
        epoch_cpu_seconds=timer.cpu_seconds,
        load_average=os.getloadavg()[0],
        validation_description=validation_description,
    )


def main(argv: list[str]) -> int:
    """Entry point: train the run described by the JSON in ``argv[0]``, print one JSON line."""
    settings = RunSettings(**json.loads(argv[0]))
    print(json.dumps(asdict(run(settings))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
