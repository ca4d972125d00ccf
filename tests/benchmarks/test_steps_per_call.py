"""benchmarks.steps_per_call: both settings train the same arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import steps_per_call


def tiny_model():
    import keras

    model = keras.Sequential(
        [
            keras.Input((6, 6, 1)),
            keras.layers.Conv2D(2, 3),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy")
    return model


def test_one_step_per_call_and_32_give_the_same_training_loss():
    rng = np.random.default_rng(0)
    x = rng.random((320, 6, 6, 1), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 320)]
    rows = [steps_per_call.one_epoch(tiny_model, x, y, 10, setting) for setting in (32, 1)]
    assert rows[0]["loss"] == pytest.approx(rows[1]["loss"], rel=1e-6)
    assert all(row["seconds"] > 0 and row["cores_busy"] > 0 for row in rows)


def test_the_command_refuses_zero_repeats():
    with pytest.raises(SystemExit):
        steps_per_call.main(["cnn_final", "--repeats", "0"])
