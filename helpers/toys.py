"""The lecture's 1-1-1 sigmoid toy network, which shows slow learning with mean squared error.

One input, one hidden and one output sigmoid neuron:
``a1 = σ(w1 x + b1)``, ``a2 = σ(w2 a1 + b2)``. The lecture starts the hidden neuron at
``w1 = 2, b1 = 3`` and the output neuron at ``w2 = 4, b2 = 5``, feeds 1,000 inputs drawn
from N(0, 1) with target 0 for every input, and trains with plain SGD, learning rate 1.0,
batch 100 (10 steps per epoch), 100 epochs. The output starts near 1 (confidently wrong):
with mean squared error the loss stays near 1.0 for tens of epochs, with cross-entropy it
drops at once.
"""

from __future__ import annotations

import numpy as np

from helpers.session import import_tensorflow_quietly, set_seed

import_tensorflow_quietly()

import keras  # noqa: E402  (after the quiet import)

LECTURE_HIDDEN = (2.0, 3.0)  # (w1, b1)
LECTURE_OUTPUT = (4.0, 5.0)  # (w2, b2)
LECTURE_INPUTS = 1_000
LECTURE_BATCH = 100
LECTURE_EPOCHS = 100
LECTURE_LEARNING_RATE = 1.0


def toy_data(n: int = LECTURE_INPUTS, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` inputs from N(0, 1) and their targets, all 0: float32 arrays of shape (n, 1)."""
    x = np.random.default_rng(seed).normal(size=(n, 1)).astype("float32")
    return x, np.zeros((n, 1), dtype="float32")


def build_toy(
    loss: str,
    hidden: tuple[float, float] = LECTURE_HIDDEN,
    output: tuple[float, float] = LECTURE_OUTPUT,
    learning_rate: float = LECTURE_LEARNING_RATE,
) -> keras.Model:
    """The 1-1-1 sigmoid network with hand-set ``(weight, bias)`` per neuron, compiled with
    plain SGD and ``loss`` (a Keras loss name, e.g. "mean_squared_error" or
    "binary_crossentropy")."""
    model = keras.Sequential(
        [
            keras.Input(shape=(1,), name="x"),
            keras.layers.Dense(1, activation="sigmoid", name="hidden"),
            keras.layers.Dense(1, activation="sigmoid", name="output"),
        ],
        name="toy_1_1_1",
    )
    for layer, (w, b) in zip(model.layers, (hidden, output), strict=True):
        layer.set_weights([np.full((1, 1), w, "float32"), np.full((1,), b, "float32")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=learning_rate), loss=loss)
    return model


def train_toy(
    model: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int = LECTURE_EPOCHS,
    batch_size: int = LECTURE_BATCH,
    seed: int = 42,
) -> list[float]:
    """Train with ``fit`` (shuffled mini-batches, seeded) and return the loss per epoch
    (the mean over the epoch's mini-batches, as Keras logs it), ``epochs`` floats."""
    set_seed(seed)
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0)
    return [float(value) for value in history.history["loss"]]


def first_epoch_below(losses: list[float], threshold: float) -> int | None:
    """1-based first epoch whose loss is below ``threshold``, or None if none is."""
    for epoch, value in enumerate(losses, start=1):
        if value < threshold:
            return epoch
    return None
