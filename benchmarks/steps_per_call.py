"""Does ``steps_per_execution`` change a CNN's speed or its numbers? One epoch per setting,
alternating, from the same seed.

    python -m benchmarks.steps_per_call cnn_final cnn_two_conv          # 12,000 images
    python -m benchmarks.steps_per_call cnn_two_conv --images 6000 --repeats 3

For every model and repeat it prints, for ``steps_per_execution`` 32 (the course's
``helpers.models.speed_options()``) and 1 (plain Keras): the epoch's wall time, the cores the
process kept busy (CPU seconds / wall seconds) and the epoch's training loss. The same loss
for both settings means the same arithmetic; a wall time that follows the cores busy, not the
setting, points at the machine (``python -m benchmarks.cores``).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from typing import Any

SETTINGS = (32, 1)


def builders(images: int) -> dict[str, tuple[Callable[[], Any], int]]:
    """Model name -> (builder of the compiled course model, the lecture's batch size)."""
    from helpers import models

    return {
        "cnn_final": (lambda: models.cnn_final(math.ceil(images / 100)), 100),
        "cnn_two_conv": (models.cnn_two_conv, 128),
        "cnn_lecture": (models.cnn_lecture, 128),
    }


def one_epoch(
    build: Callable[[], Any], x: Any, y: Any, batch_size: int, steps_per_execution: int
) -> dict[str, float]:
    """Build the model from seed 3, recompile it with ``steps_per_execution``, warm it up on
    the first batches, then time one epoch over ``x``: seconds, cores busy, training loss."""
    import helpers

    helpers.set_seed(3)
    model = build()
    model.compile(
        optimizer=model.optimizer,
        loss=model.loss,
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )
    warm = min(len(x), 4 * batch_size)
    model.fit(x[:warm], y[:warm], epochs=1, batch_size=batch_size, verbose=0)
    started, cpu = time.perf_counter(), time.process_time()
    history = model.fit(x, y, epochs=1, batch_size=batch_size, verbose=0)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cores_busy": (time.process_time() - cpu) / seconds,
        "loss": float(history.history["loss"][0]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.steps_per_call",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("models", nargs="+", choices=("cnn_final", "cnn_two_conv", "cnn_lecture"))
    parser.add_argument("--images", type=int, default=12_000, help="default: %(default)s")
    parser.add_argument("--repeats", type=int, default=2, help="default: %(default)s")
    args = parser.parse_args(argv)
    if args.images < 1 or args.repeats < 1:
        parser.error("--images and --repeats must be at least 1")
    from helpers import data

    (train_images, train_labels), _ = data.load_mnist()
    x = data.prepare_conv(train_images[: args.images])
    y = data.one_hot(train_labels[: args.images])
    table = builders(args.images)
    print("model, steps_per_execution: epoch wall s, cores busy, training loss")
    for name in args.models:
        build, batch_size = table[name]
        for _ in range(args.repeats):
            for setting in SETTINGS:
                row = one_epoch(build, x, y, batch_size, setting)
                print(
                    f"{name:<13} {setting:>2}: {row['seconds']:6.2f} s, "
                    f"{row['cores_busy']:.2f} cores, loss {row['loss']:.6f}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
