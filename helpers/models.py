"""The lecture's headline models, built and compiled in one place.

Notebooks and benchmarks both call these builders, so the benchmark table measures exactly
what the notebooks train. Teaching variants (a different activation, one more layer) are
written inline in the notebooks; the models whose numbers the lecture quotes live here.

Inputs: dense models take flattened images, float32 ``(N, 784)`` in [0, 1]
(``helpers.data.prepare_dense``); convolutional models take ``(N, 28, 28, 1)`` in [0, 1]
(``helpers.data.prepare_conv``). Every model ends in 10 units and is compiled with
categorical losses, so labels are one-hot ``(N, 10)`` (``helpers.data.one_hot``).
"""

from __future__ import annotations

from typing import Any

from helpers.session import import_tensorflow_quietly

import_tensorflow_quietly()

import keras  # noqa: E402  (after the quiet import)
from keras import layers  # noqa: E402

NUM_CLASSES = 10
DENSE_INPUT_SHAPE = (784,)
IMAGE_INPUT_SHAPE = (28, 28, 1)


def speed_options() -> dict[str, Any]:
    """Compile options that make small-batch training faster without changing the maths.

    ``steps_per_execution`` runs several training steps inside one compiled TensorFlow
    function, which removes Python overhead per step; at the lecture's batch size 10 this is
    about three times faster on a 2-core CPU (see ``benchmarks/``). Per-batch callbacks then
    fire every ``steps_per_execution`` steps; per-epoch callbacks are unaffected.
    """
    return {"steps_per_execution": 32}


def _compile(
    model: keras.Model, optimizer: keras.optimizers.Optimizer, loss: str | keras.losses.Loss
) -> keras.Model:
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"], **speed_options())
    return model


def baseline_mse(learning_rate: float = 3.0) -> keras.Model:
    """The lecture's first Keras network: 784-30-10, sigmoid everywhere, MSE, plain SGD.

    Lecture: batch 10, 20 epochs, 96.62% test accuracy on full MNIST.
    """
    model = keras.Sequential(
        [
            keras.Input(DENSE_INPUT_SHAPE),
            layers.Dense(30, activation="sigmoid", name="hidden"),
            layers.Dense(NUM_CLASSES, activation="sigmoid", name="output"),
        ],
        name="baseline_mse",
    )
    return _compile(model, keras.optimizers.SGD(learning_rate), "mean_squared_error")


def softmax_cross_entropy(learning_rate: float = 1.0) -> keras.Model:
    """784-30-10 with a softmax output and categorical cross-entropy, plain SGD.

    Lecture: batch 30, 20 epochs, 96.35% test and 98.61% training accuracy on full MNIST.
    """
    model = keras.Sequential(
        [
            keras.Input(DENSE_INPUT_SHAPE),
            layers.Dense(30, activation="sigmoid", name="hidden"),
            layers.Dense(NUM_CLASSES, activation="softmax", name="output"),
        ],
        name="softmax_cross_entropy",
    )
    return _compile(model, keras.optimizers.SGD(learning_rate), "categorical_crossentropy")


def dense_512_dropout(dropout_rate: float = 0.2) -> keras.Model:
    """The lecture's combined dense model: 512-512 ReLU, dropout, Adadelta (669,706 parameters).

    Adadelta runs with ``learning_rate=1.0`` as in the lecture's Keras; Keras 3 defaults to
    0.001, which barely moves in 20 epochs. Lecture: batch 128, 20 epochs, 98.49% test.
    """
    model = keras.Sequential(
        [
            keras.Input(DENSE_INPUT_SHAPE),
            layers.Dense(512, activation="relu", name="hidden_1"),
            layers.Dropout(dropout_rate, name="dropout_1"),
            layers.Dense(512, activation="relu", name="hidden_2"),
            layers.Dropout(dropout_rate, name="dropout_2"),
            layers.Dense(NUM_CLASSES, activation="softmax", name="output"),
        ],
        name="dense_512_dropout",
    )
    return _compile(model, keras.optimizers.Adadelta(learning_rate=1.0), "categorical_crossentropy")


def cnn_lecture(kernel_size: int = 5, filters: int = 16) -> keras.Model:
    """The lecture's first CNN: Conv 16 k×k → MaxPool 2 → Dropout 0.2 → Dense 10, Adadelta 1.0.

    Lecture (5×5 kernels): batch 128, 20 epochs, 98.82% test accuracy on full MNIST.
    """
    model = keras.Sequential(
        [
            keras.Input(IMAGE_INPUT_SHAPE),
            layers.Conv2D(filters, kernel_size, activation="relu", name="conv"),
            layers.MaxPooling2D(2, name="pool"),
            layers.Dropout(0.2, name="dropout"),
            layers.Flatten(name="flatten"),
            layers.Dense(NUM_CLASSES, activation="softmax", name="output"),
        ],
        name=f"cnn_{kernel_size}x{kernel_size}",
    )
    return _compile(model, keras.optimizers.Adadelta(learning_rate=1.0), "categorical_crossentropy")


def cnn_two_conv() -> keras.Model:
    """Conv 32 5×5 → pool → Conv 32 5×5 → pool → (Dropout 0.2, Dense 512) ×2 → 10.

    Lecture: Adadelta, batch 128, 20 epochs, 99.36% test accuracy on full MNIST.
    """
    model = keras.Sequential(
        [
            keras.Input(IMAGE_INPUT_SHAPE),
            layers.Conv2D(32, 5, activation="relu", name="conv_1"),
            layers.MaxPooling2D(2, name="pool_1"),
            layers.Conv2D(32, 5, activation="relu", name="conv_2"),
            layers.MaxPooling2D(2, name="pool_2"),
            layers.Flatten(name="flatten"),
            layers.Dropout(0.2, name="dropout_1"),
            layers.Dense(512, activation="relu", name="dense_1"),
            layers.Dropout(0.2, name="dropout_2"),
            layers.Dense(512, activation="relu", name="dense_2"),
            layers.Dense(NUM_CLASSES, activation="softmax", name="output"),
        ],
        name="cnn_two_conv",
    )
    return _compile(model, keras.optimizers.Adadelta(learning_rate=1.0), "categorical_crossentropy")


def _conv_bn_relu(
    name: str, filters: int, kernel_size: int, strides: int = 1
) -> list[layers.Layer]:
    """Convolution without bias (batch norm supplies the shift), batch norm, then ReLU."""
    return [
        layers.Conv2D(
            filters, kernel_size, strides=strides, padding="same", use_bias=False, name=name
        ),
        layers.BatchNormalization(name=f"{name}_bn"),
        layers.Activation("relu", name=f"{name}_relu"),
    ]


@keras.saving.register_keras_serializable(package="nn_tricks")
class FlooredExponentialDecay(keras.optimizers.schedules.LearningRateSchedule):
    """``floor + initial_learning_rate * decay_rate ** (step / decay_steps)``.

    Görner's codelab schedule: exponential decay towards a floor instead of towards 0, so that
    late epochs still train. ``floor=0`` is Keras' ``ExponentialDecay``.
    """

    def __init__(
        self, initial_learning_rate: float, decay_steps: int, decay_rate: float, floor: float
    ) -> None:
        super().__init__()
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.floor = floor
        self._decay = keras.optimizers.schedules.ExponentialDecay(
            initial_learning_rate, decay_steps=decay_steps, decay_rate=decay_rate
        )

    def __call__(self, step: Any) -> Any:
        return self._decay(step) + self.floor

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "floor": self.floor,
        }


def learning_rate_schedule(
    steps_per_epoch: int, initial_learning_rate: float, decay_rate: float, *, floor: float = 0.0
) -> keras.optimizers.schedules.LearningRateSchedule:
    """Adam's rate after ``t`` steps: ``floor + initial_learning_rate * decay_rate ** (t / T)``.

    ``T = steps_per_epoch``, so the rate falls by ``decay_rate`` per epoch. ``floor`` defaults
    to 0.0: Keras' ``ExponentialDecay``; above 0 a :class:`FlooredExponentialDecay`. Call the
    result with a step number (an int or a scalar tensor) for the rate at that step.
    """
    if floor:
        return FlooredExponentialDecay(initial_learning_rate, steps_per_epoch, decay_rate, floor)
    return keras.optimizers.schedules.ExponentialDecay(
        initial_learning_rate, decay_steps=steps_per_epoch, decay_rate=decay_rate
    )


def cnn_final(
    steps_per_epoch: int,
    initial_learning_rate: float = 0.01,
    decay_rate: float = 0.75,
    *,
    augment: bool = True,
    learning_rate_floor: float = 1e-4,
    rotation_degrees: float = 10.0,
    shift_fraction: float = 0.1,
    filters: tuple[int, int, int] = (24, 48, 64),
    dense_units: int = 200,
    weight_averaging: float = 0.0,
    label_smoothing: float = 0.1,
) -> keras.Model:
    """The course's final model: every trick of the lecture in one network.

    Augmentation layers (small rotations and shifts, active only while training), a
    batch-normalised CNN in the style of TF-without-a-PhD (24 6×6, 48 5×5 stride 2, 64 4×4
    stride 2), a 200-unit dense layer with dropout, Adam whose learning rate decays by
    ``decay_rate`` every epoch towards ``learning_rate_floor`` (``steps_per_epoch`` training
    steps make one epoch; :func:`learning_rate_schedule`) and a label-smoothed cross-entropy.
    The defaults are the recipe ``floor-1e-4-slow-smooth`` of ``benchmarks/recipes.py``,
    selected on a validation split for ≥ 99.5% test accuracy on full MNIST in 15 epochs at
    batch 100. ``augment=False`` leaves out the two augmentation layers (model name
    ``cnn_batchnorm``); :func:`cnn_batchnorm` is that network with section 8.5's plainer
    schedule and loss.

    Knobs for recipe searches (``benchmarks/recipes.py``); the defaults give the model above:

    - ``initial_learning_rate``, ``decay_rate``: Adam's rate at epoch ``e`` is
      ``floor + initial * decay_rate ** e``. Default to 0.01 and 0.75.
    - ``learning_rate_floor``: the ``floor`` above (:class:`FlooredExponentialDecay`), so that
      late epochs still train. Defaults to 1e-4; 0.0 gives plain ``ExponentialDecay``, which
      decays towards 0.
    - ``rotation_degrees``, ``shift_fraction``: augmentation strength, rotations up to
      ±``rotation_degrees`` and shifts up to ±``shift_fraction`` of the image side. Default to
      10° and 0.1.
    - ``filters``: the three convolutions' filter counts. Defaults to (24, 48, 64).
    - ``dense_units``: width of the dense layer. Defaults to 200.
    - ``weight_averaging``: when above 0, Adam keeps an exponential moving average of the
      weights with this momentum (e.g. 0.99: about the last 100 steps) and writes it into
      the model at the end of every epoch, so validation and the saved weights are the
      averaged ones. Defaults to 0.0: no averaging.
    - ``label_smoothing``: the cross-entropy's targets become ``(1 - s) * one_hot + s / 10``
      (``keras.losses.CategoricalCrossentropy(label_smoothing=s)``), so the network is not
      pushed towards probabilities of exactly 0 and 1. Defaults to 0.1 (targets 0.91 and
      0.01); 0.0 gives the plain loss.
    """
    if not 0.0 <= weight_averaging < 1.0:
        raise ValueError(f"weight_averaging is a momentum in [0, 1), got {weight_averaging}")
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing is a fraction in [0, 1), got {label_smoothing}")
    schedule = learning_rate_schedule(
        steps_per_epoch, initial_learning_rate, decay_rate, floor=learning_rate_floor
    )
    augmentation = _augmentation_layers(rotation_degrees, shift_fraction) if augment else []
    model = keras.Sequential(
        [
            keras.Input(IMAGE_INPUT_SHAPE),
            *augmentation,
            *_conv_bn_relu("conv_1", filters[0], 6),
            *_conv_bn_relu("conv_2", filters[1], 5, strides=2),
            *_conv_bn_relu("conv_3", filters[2], 4, strides=2),
            layers.Flatten(name="flatten"),
            layers.Dense(dense_units, use_bias=False, name="dense"),
            layers.BatchNormalization(name="dense_bn"),
            layers.Activation("relu", name="dense_relu"),
            layers.Dropout(0.3, name="dropout"),
            layers.Dense(NUM_CLASSES, activation="softmax", name="output"),
        ],
        name="cnn_final" if augment else "cnn_batchnorm",
    )
    averaging: dict[str, Any] = (
        {
            "use_ema": True,
            "ema_momentum": weight_averaging,
            "ema_overwrite_frequency": steps_per_epoch,
        }
        if weight_averaging
        else {}
    )
    optimizer = keras.optimizers.Adam(schedule, **averaging)
    loss: str | keras.losses.Loss = (
        keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing)
        if label_smoothing
        else "categorical_crossentropy"
    )
    return _compile(model, optimizer, loss)


def cnn_batchnorm(
    steps_per_epoch: int, initial_learning_rate: float = 0.01, decay_rate: float = 0.6
) -> keras.Model:
    """Section 8.5's network: :func:`cnn_final`'s layers without the augmentation layers, Adam
    at ``initial_learning_rate * decay_rate ** epoch`` (no floor) and the plain cross-entropy.

    Görner's batch-normalized CNN of *TensorFlow without a PhD*, batches of 100 there.
    ``initial_learning_rate`` defaults to 0.01, ``decay_rate`` to 0.6 per epoch
    (``steps_per_epoch`` training steps make one epoch). Model name ``cnn_batchnorm``.
    """
    return cnn_final(
        steps_per_epoch,
        initial_learning_rate,
        decay_rate,
        augment=False,
        learning_rate_floor=0.0,
        label_smoothing=0.0,
    )


def _augmentation_layers(
    rotation_degrees: float = 10.0, shift_fraction: float = 0.1
) -> list[layers.Layer]:
    """Rotations up to ±10° and shifts up to ±10% (by default), active only while training."""
    return [
        layers.RandomRotation(rotation_degrees / 360, fill_mode="constant", name="random_rotation"),
        layers.RandomTranslation(
            shift_fraction, shift_fraction, fill_mode="constant", name="random_shift"
        ),
    ]
