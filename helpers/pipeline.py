"""A ``tf.data`` input pipeline for ``fit``: the alternative to passing NumPy arrays.

``dataset(x, y, batch_size, shuffle_seed=...)`` builds
``from_tensor_slices((x, y)).cache().shuffle(len(x)).batch(batch_size).prefetch(AUTOTUNE)``:
the arrays are copied into TensorFlow once, every epoch sees a fresh full shuffle (seeded, so
a rerun sees the same orders), the last batch may be smaller, as with NumPy input. Pass the
result to ``model.fit(ds, epochs=..., shuffle=False)`` without ``batch_size`` (the dataset
shuffles itself; Keras warns that it ignores its own ``shuffle`` otherwise).
``docs/speed-notes.md`` says how it compares with NumPy arrays (measured in ``benchmarks``).

Inputs are NumPy arrays (or tensors) with the examples along the first axis, e.g. float32
``(N, 784)`` images and float32 ``(N, 10)`` one-hot labels; nothing is converted or scaled.
"""

from __future__ import annotations

from typing import Any

from helpers.session import import_tensorflow_quietly


def _tf() -> Any:
    """TensorFlow, imported quietly on first use (``import helpers`` stays cheap)."""
    import_tensorflow_quietly()
    import tensorflow as tf

    return tf


def _check(x: Any, y: Any, batch_size: int) -> int:
    if len(x) != len(y):
        raise ValueError(f"{len(x):,} inputs but {len(y):,} targets")
    if len(x) == 0:
        raise ValueError("no examples to train on")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    return len(x)


def dataset(
    x: Any,
    y: Any,
    batch_size: int,
    *,
    shuffle_seed: int | None,
    shuffle: bool = True,
    cache: bool = True,
) -> Any:
    """A batched ``tf.data.Dataset`` of ``(x, y)`` for ``model.fit``.

    Args:
        x, y: inputs and targets, the same number of examples along the first axis.
        batch_size: examples per batch (the last batch of an epoch holds the remainder).
        shuffle_seed: seed of the per-epoch shuffle; ``None`` draws one from TensorFlow's
            global seed (``helpers.set_seed`` sets it), so runs are still reproducible.
        shuffle: reshuffle every epoch (False: the original order, e.g. for evaluation).
        cache: keep the sliced examples in memory after the first epoch.

    Returns:
        ``tf.data.Dataset`` yielding ``(x_batch, y_batch)``; one pass is one epoch.
    """
    tf = _tf()
    count = _check(x, y, batch_size)
    data = tf.data.Dataset.from_tensor_slices((x, y))
    if cache:
        data = data.cache()
    if shuffle:
        data = data.shuffle(count, seed=shuffle_seed, reshuffle_each_iteration=True)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def steps_per_epoch(count: int, batch_size: int) -> int:
    """Batches in one epoch of ``count`` examples (the last one may be partial)."""
    if count < 1 or batch_size < 1:
        raise ValueError(f"count and batch_size must be positive, got {count}, {batch_size}")
    return -(-count // batch_size)
