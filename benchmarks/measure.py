"""Measurements behind the benchmark tables: one training run, FLOP counts, the matmul peak.

``python -m benchmarks.measure RUN_JSON`` trains one run in its own process and prints one
JSON line, so that each run's peak memory is its own and a crash cannot take the suite down.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

import keras
import numpy as np

import helpers  # imports TensorFlow quietly before Keras is used
from benchmarks.experiments import experiment_by_name
from helpers import data

BACKWARD_TO_FORWARD_COST = 2.0  # backward pass ≈ twice the forward FLOPs (two matmuls per one)


@dataclass(frozen=True)
class RunSettings:
    """What one measured run trains: an experiment, a seed, and how it is compiled."""

    experiment: str
    seed: int
    epochs: int
    steps_per_execution: int | None = None  # None: the course default (helpers.models)
    jit_compile: bool | None = None  # None: Keras' default ("auto": no XLA on a CPU)
    batch_size: int | None = None  # None: the experiment's own


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


def forward_flops_per_sample(model: keras.Model) -> int:
    """Multiply-adds ×2 of the dense and convolution layers for one input (other layers ≈ 0)."""
    flops = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            inputs, units = layer.kernel.shape
            flops += 2 * int(inputs) * int(units)
        elif isinstance(layer, keras.layers.Conv2D):
            height, width, in_channels, filters = (int(d) for d in layer.kernel.shape)
            out_height, out_width = (int(d) for d in layer.output.shape[1:3])
            flops += 2 * height * width * in_channels * filters * out_height * out_width
    return flops


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
    """Records the wall time of every epoch, in seconds."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []
        self._start = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.seconds.append(time.perf_counter() - self._start)


def run(settings: RunSettings) -> RunMeasurement:
    """Train one experiment as the notebooks do and measure it."""
    experiment = experiment_by_name(settings.experiment)
    dataset = data.load_mnist_dataset(verbose=False)
    x_train, y_train = dataset.x_train, dataset.y_train
    if experiment.train_images is not None:
        x_train, y_train = data.first_n(x_train, y_train, experiment.train_images)
    prepare = data.prepare_dense if experiment.input_kind == "dense" else data.prepare_conv
    batch_size = settings.batch_size or experiment.batch_size

    callbacks: list[keras.callbacks.Callback] = []
    validation_data = None
    if experiment.early_stopping_patience is not None:
        (x_train, y_train), (x_val, y_val) = data.train_validation_split(
            x_train, y_train, validation_size=0.1, seed=settings.seed
        )
        validation_data = (prepare(x_val), data.one_hot(y_val))
        callbacks.append(
            keras.callbacks.EarlyStopping(
                patience=experiment.early_stopping_patience, restore_best_weights=True
            )
        )
    x, y = prepare(x_train), data.one_hot(y_train)
    x_test, y_test = prepare(dataset.x_test), data.one_hot(dataset.y_test)

    helpers.set_seed(settings.seed)
    steps_per_epoch = int(np.ceil(len(x) / batch_size))
    model = experiment.build(steps_per_epoch)
    if settings.steps_per_execution is not None or settings.jit_compile is not None:
        compile_options: dict[str, Any] = {}
        if settings.steps_per_execution is not None:
            compile_options["steps_per_execution"] = settings.steps_per_execution
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
        x,
        y,
        batch_size=batch_size,
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
    achieved = flops * (1 + BACKWARD_TO_FORWARD_COST) * samples_per_second / 1e9
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
        achieved_gflops=achieved,
        peak_memory_mb=peak_kb / 1024,
    )


def main(argv: list[str]) -> int:
    settings = RunSettings(**json.loads(argv[0]))
    print(json.dumps(asdict(run(settings))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
