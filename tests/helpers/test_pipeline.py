"""helpers.pipeline: the tf.data input of fit: every example once per epoch, seeded shuffles,
partial last batch, and a model trains from it."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers import pipeline


def _arrays(n: int = 23) -> tuple[np.ndarray, np.ndarray]:
    x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    y = np.arange(n, dtype=np.float32)
    return x, y


def _epoch(data) -> tuple[list[int], np.ndarray, np.ndarray]:
    xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in data], strict=True)
    return [len(x) for x in xs], np.concatenate(xs), np.concatenate(ys)


def test_every_example_once_per_epoch_in_aligned_pairs():
    x, y = _arrays()
    sizes, x_seen, y_seen = _epoch(pipeline.dataset(x, y, 5, shuffle_seed=1))
    assert sizes == [5, 5, 5, 5, 3]  # the last batch holds the remainder, as with NumPy input
    np.testing.assert_array_equal(np.sort(y_seen), y)
    np.testing.assert_array_equal(x_seen[:, 0] / 3, y_seen)  # rows stay with their labels


def test_each_epoch_is_a_new_order_and_a_rerun_repeats_them():
    x, y = _arrays(200)
    first = pipeline.dataset(x, y, 50, shuffle_seed=7)
    orders = [_epoch(first)[2] for _ in range(2)]
    assert not np.array_equal(orders[0], orders[1])
    assert not np.array_equal(orders[0], y)
    keras.utils.set_random_seed(0)  # the global seed as helpers.set_seed sets it
    again = pipeline.dataset(x, y, 50, shuffle_seed=7)
    rerun = [_epoch(again)[2] for _ in range(2)]
    keras.utils.set_random_seed(0)
    third = pipeline.dataset(x, y, 50, shuffle_seed=7)
    np.testing.assert_array_equal([_epoch(third)[2] for _ in range(2)], rerun)


def test_unshuffled_keeps_the_order():
    x, y = _arrays()
    _, _, y_seen = _epoch(pipeline.dataset(x, y, 4, shuffle_seed=None, shuffle=False))
    np.testing.assert_array_equal(y_seen, y)


def test_bad_input_is_refused():
    x, y = _arrays()
    with pytest.raises(ValueError, match="inputs but"):
        pipeline.dataset(x, y[:-1], 4, shuffle_seed=0)
    with pytest.raises(ValueError, match="batch_size"):
        pipeline.dataset(x, y, 0, shuffle_seed=0)


def test_steps_per_epoch_counts_the_partial_batch():
    assert pipeline.steps_per_epoch(60_000, 128) == 469
    assert pipeline.steps_per_epoch(60_000, 10) == 6_000
    with pytest.raises(ValueError):
        pipeline.steps_per_epoch(0, 10)


def test_a_model_trains_from_it():
    rng = np.random.default_rng(0)
    x = rng.random((64, 4), dtype=np.float32)
    y = np.eye(2, dtype=np.float32)[(x[:, 0] > 0.5).astype(int)]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy", steps_per_execution=4)
    history = model.fit(
        pipeline.dataset(x, y, 16, shuffle_seed=0), epochs=2, shuffle=False, verbose=0
    )
    assert len(history.history["loss"]) == 2
