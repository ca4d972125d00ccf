"""helpers.probes: the per-layer error signal ∂C/∂b and the verdict drawn from it."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import helpers
from helpers import probes


def _batch(n=32, features=20, classes=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, features), dtype=np.float32)
    y = np.eye(classes, dtype=np.float32)[rng.integers(0, classes, n)]
    return x, y


def _mlp(depth, activation, init, width=16, features=20, classes=4):
    return keras.Sequential(
        [keras.Input((features,))]
        + [
            keras.layers.Dense(width, activation=activation, kernel_initializer=init)
            for _ in range(depth)
        ]
        + [keras.layers.Dense(classes, activation="softmax")]
    )


def test_delta_rms_equals_the_rms_of_the_bias_gradients():
    x, y = _batch()
    helpers.set_seed(0)
    model = _mlp(3, "sigmoid", "glorot_uniform")
    with tf.GradientTape() as tape:
        cost = tf.reduce_mean(keras.losses.categorical_crossentropy(y, model(x, training=True)))
    grads = tape.gradient(cost, [layer.bias for layer in model.layers])
    expected = [np.sqrt(np.mean(np.square(g.numpy()))) for g in grads]
    measured = probes.delta_rms(model, x, y)
    assert measured.shape == (4,)
    np.testing.assert_allclose(measured, expected, rtol=1e-5)


def _rms(gradient):
    return float(np.sqrt(np.mean(np.square(gradient.numpy()))))


def test_between_dense_and_activation_batch_norm_its_shift_is_measured():
    x, y = _batch()
    helpers.set_seed(0)
    norm = keras.layers.BatchNormalization()
    model = keras.Sequential(
        [
            keras.Input((20,)),
            keras.layers.Dense(16, use_bias=False),
            norm,
            keras.layers.Activation("sigmoid"),
            keras.layers.Dense(4, activation="softmax"),
        ]
    )
    values = probes.delta_rms(model, x, y)
    with tf.GradientTape() as tape:
        cost = tf.reduce_mean(keras.losses.categorical_crossentropy(y, model(x, training=True)))
    beta, output_bias = tape.gradient(cost, [norm.beta, model.layers[-1].bias])
    assert values.shape == (2,)
    np.testing.assert_allclose(values, [_rms(beta), _rms(output_bias)], rtol=1e-4)
    assert values[0] > 1e-6, "a bias before the batch norm would get ~0; β does not"


def test_a_linear_dense_layer_then_an_activation_layer_counts_as_one_layer():
    x, y = _batch()
    helpers.set_seed(0)
    model = keras.Sequential(
        [
            keras.Input((20,)),
            keras.layers.Dense(16),
            keras.layers.Activation("relu"),
            keras.layers.Dense(4, activation="softmax"),
        ]
    )
    with tf.GradientTape() as tape:
        cost = tf.reduce_mean(keras.losses.categorical_crossentropy(y, model(x, training=True)))
    grads = tape.gradient(cost, [model.layers[0].bias, model.layers[-1].bias])
    np.testing.assert_allclose(probes.delta_rms(model, x, y), [_rms(g) for g in grads], rtol=1e-5)


def test_deep_sigmoid_vanishes_and_large_relu_weights_explode():
    x, y = _batch(features=20)
    helpers.set_seed(0)
    sigmoid = probes.delta_rms(_mlp(6, "sigmoid", "glorot_uniform", width=32), x, y)
    helpers.set_seed(0)
    relu = probes.delta_rms(
        _mlp(6, "relu", keras.initializers.RandomNormal(stddev=1.0), width=32), x, y
    )
    assert probes.gradient_verdict(sigmoid).label == "vanishing"
    assert probes.gradient_verdict(relu).label == "exploding"


@pytest.mark.parametrize(
    ("values", "label"),
    [([1e-4, 1e-2, 1e-1], "vanishing"), ([0.5, 1.0], "stable"), ([50.0, 3.0, 1.0], "exploding")],
)
def test_gradient_verdict_labels(values, label):
    verdict = probes.gradient_verdict(values)
    assert verdict.label == label
    assert verdict.ratio == pytest.approx(values[0] / values[-1])
    assert verdict.per_layer ** (len(values) - 1) == pytest.approx(verdict.ratio)


def test_gradient_verdict_rejects_bad_input():
    with pytest.raises(ValueError):
        probes.gradient_verdict([1.0])
    with pytest.raises(ValueError):
        probes.gradient_verdict([1.0, 2.0], factor=1.0)


def test_format_delta_table_puts_the_output_layer_in_the_last_column():
    table = probes.format_delta_table({"deep": [1e-5, 1e-4, 1e-3, 1e-1], "shallow": [1e-2, 2e-2]})
    header, deep, shallow = table.splitlines()
    assert "output" in header and "verdict" in header
    assert deep.split()[-1] == "vanishing" and shallow.split()[-1] == "stable"
    assert deep.index("1.0e-01") == shallow.index("2.0e-02")


def test_kernel_gradient_rms_grows_with_the_input_scale():
    helpers.set_seed(0)
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(4, activation="relu"),
            keras.layers.Dense(3),  # linear output and MSE: no saturation hides the scale
        ]
    )
    x = np.random.default_rng(0).random((16, 6)).astype("float32")
    y = np.eye(3, dtype="float32")[np.arange(16) % 3]
    mse = keras.losses.mean_squared_error
    small = probes.kernel_gradient_rms(model, x, y, loss=mse)
    assert np.isfinite(small) and small > 0.0
    # the first kernel's gradient carries the inputs: scaled inputs, a larger gradient
    assert probes.kernel_gradient_rms(model, 100 * x, y, loss=mse) > 10 * small


# ---------------------------------------------------------------------------------------------
# dead_unit_fraction: units whose pre-activation is ≤ 0 on every input
# ---------------------------------------------------------------------------------------------


def _set_dense(layer, kernel, bias):
    layer.set_weights([np.asarray(kernel, dtype="float32"), np.asarray(bias, dtype="float32")])


def _known_model(hidden_activation="relu"):
    """2 inputs -> 3 hidden -> 2 hidden -> 2 outputs, with known weights: on inputs in [0, 1]
    hidden unit 3 of layer 1 (bias -100) and unit 2 of layer 2 (weights -1) are dead."""
    if hidden_activation == "relu":
        hidden = [
            keras.layers.Dense(3, activation="relu"),
            keras.layers.Dense(2, activation="relu"),
        ]
    else:  # a linear Dense followed by an activation layer, as notebook 06 builds LeakyReLU
        make = {
            "leaky_relu": lambda: keras.layers.LeakyReLU(negative_slope=0.1),
            "prelu": keras.layers.PReLU,
        }[hidden_activation]
        hidden = [keras.layers.Dense(3), make(), keras.layers.Dense(2), make()]
    model = keras.Sequential(
        [keras.Input((2,)), *hidden, keras.layers.Dense(2, activation="softmax")]
    )
    first, second, output = (
        layer for layer in model.layers if isinstance(layer, keras.layers.Dense)
    )
    _set_dense(first, [[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]], [0.1, 0.1, -100.0])
    _set_dense(second, [[1.0, -1.0], [1.0, -1.0], [1.0, -1.0]], [0.0, 0.0])
    _set_dense(output, [[1.0, -1.0], [-1.0, 1.0]], [0.0, 0.0])
    return model


def _inputs(n=50, seed=0):
    return np.random.default_rng(seed).random((n, 2), dtype=np.float32)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "prelu"])
def test_dead_unit_fraction_counts_the_units_that_are_negative_on_every_input(activation):
    fractions = probes.dead_unit_fraction(_known_model(activation), _inputs())
    assert fractions.shape == (2,), "one value per hidden Dense layer, not the output layer"
    np.testing.assert_allclose(fractions, [1 / 3, 1 / 2])


def test_a_unit_positive_on_a_single_input_is_alive_whatever_the_batch_size():
    model = _known_model()
    first = model.layers[0]
    kernel, bias = first.get_weights()
    bias[2] = -1.5  # z = x0 + x1 - 1.5 > 0 only for the input (1, 1)
    first.set_weights([kernel, bias])
    x = np.zeros((40, 2), dtype=np.float32)
    x[37] = 1.0
    for batch_size in (1, 7, 1024):
        assert probes.dead_unit_fraction(model, x, batch_size=batch_size)[0] == 0.0
    assert probes.dead_unit_fraction(model, np.delete(x, 37, axis=0))[0] == pytest.approx(1 / 3)


def test_a_dead_relu_unit_gets_no_gradient_a_leaky_one_does():
    x, y = _inputs(), np.eye(2, dtype=np.float32)[np.arange(50) % 2]
    for activation, dead_gradient_is_zero in (("relu", True), ("leaky_relu", False)):
        model = _known_model(activation)
        first = model.layers[0]
        with tf.GradientTape() as tape:
            cost = tf.reduce_mean(keras.losses.categorical_crossentropy(y, model(x)))
        kernel_gradient, bias_gradient = tape.gradient(cost, [first.kernel, first.bias])
        dead = np.abs(np.concatenate([kernel_gradient.numpy()[:, 2], bias_gradient.numpy()[2:]]))
        assert (dead.max() == 0.0) == dead_gradient_is_zero, activation
        assert np.abs(bias_gradient.numpy()[:2]).max() > 0.0, "the live units do learn"


def test_dead_unit_fraction_all_alive_all_dead_and_diverged():
    helpers.set_seed(0)
    model = _mlp(2, "relu", "glorot_uniform", width=8, features=20)
    x, _ = _batch(n=64)
    first = model.layers[0]
    kernel, bias = first.get_weights()
    first.set_weights([np.abs(kernel), np.ones_like(bias)])  # z > 0 for positive inputs
    assert probes.dead_unit_fraction(model, x)[0] == 0.0
    first.set_weights([-np.abs(kernel), -np.ones_like(bias)])
    fractions = probes.dead_unit_fraction(model, x)
    assert fractions[0] == 1.0
    # every unit of layer 1 outputs 0, so layer 2 sees only its bias (0 at initialization)
    assert fractions[1] == 1.0
    first.set_weights([np.full_like(kernel, np.nan), bias])
    assert np.isnan(probes.dead_unit_fraction(model, x)).all(), "NaN is not dead"


def test_dead_unit_fraction_rejects_bad_input():
    model = _known_model()
    with pytest.raises(ValueError):
        probes.dead_unit_fraction(model, np.zeros((0, 2), dtype=np.float32))
    with pytest.raises(ValueError):
        probes.dead_unit_fraction(model, _inputs(), batch_size=0)
