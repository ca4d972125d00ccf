"""helpers.repeats: one comparison per seed, summarised as mean ± std."""

import keras
import numpy as np
import pytest

from helpers.repeats import compare_over_seeds


def _tiny():
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def test_compare_over_seeds_collects_one_accuracy_per_seed():
    rng = np.random.default_rng(0)
    x = rng.random((40, 8), dtype=np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 40)]
    summary = compare_over_seeds(
        {"a": _tiny, "b": _tiny},
        (x, y),
        seeds=(1, 2),
        test_data=(x, y),
        epochs=1,
        batch_size=20,
        plot=False,
    )
    assert summary.seeds == (1, 2) and len(summary.comparisons) == 2
    assert set(summary.accuracies) == {"a", "b"}
    assert all(len(values) == 2 for values in summary.accuracies.values())
    assert summary.mean("a") == pytest.approx(np.mean(summary.accuracies["a"]))
    assert "± " in summary.describe("a") and "(2 seeds)" in summary.describe("a")
    assert len(summary.table().splitlines()) == 2


def test_a_single_seed_says_so_and_no_seed_is_rejected():
    x = np.zeros((6, 8), dtype=np.float32)
    y = np.eye(3, dtype=np.float32)[[0, 1, 2, 0, 1, 2]]
    summary = compare_over_seeds(
        {"a": _tiny}, (x, y), seeds=[3], test_data=(x, y), epochs=1, batch_size=6, plot=False
    )
    assert summary.std("a") == 0.0 and summary.describe("a").endswith("(1 seed)")
    with pytest.raises(ValueError):
        compare_over_seeds({"a": _tiny}, (x, y), seeds=[], test_data=(x, y), epochs=1, batch_size=6)
