"""helpers.formulas: the reference formulas the lecture experiments use, against Keras."""

import numpy as np
import pytest

from helpers import formulas


def test_conv_and_pool_sizes_match_keras():
    import keras

    for size in (6, 14, 28, 29):
        for kernel in (1, 3, 5):
            for stride in (1, 2):
                for padding in ("valid", "same"):
                    layer = keras.layers.Conv2D(1, kernel, strides=stride, padding=padding)
                    expected = layer.compute_output_shape((None, size, size, 1))[1]
                    assert formulas.conv_output_size(size, kernel, stride, padding) == expected
            pool = keras.layers.MaxPooling2D(kernel + 1)
            assert (
                formulas.pooled_size(size, kernel + 1)
                == pool.compute_output_shape((None, size, size, 1))[1]
            )
    with pytest.raises(ValueError):
        formulas.conv_output_size(28, 3, padding="full")


def test_conv_params_match_keras():
    import keras

    layer = keras.layers.Conv2D(8, 3)
    layer.build((None, 10, 10, 4))
    assert formulas.conv_params(3, 4, 8) == layer.count_params() == (9 * 4 + 1) * 8


def test_ewa_with_and_without_bias_correction():
    assert np.allclose(
        formulas.ewa([1.0, 1.0, 1.0], 0.5, bias_correction=False), [0.5, 0.75, 0.875]
    )
    assert np.allclose(formulas.ewa([1.0, 1.0, 1.0], 0.5), [1.0, 1.0, 1.0])


def test_sample_log_uniform_is_seeded_and_in_range():
    values = formulas.sample_log_uniform(1e-4, 1.0, 2_000, seed=1)
    assert values.shape == (2_000,) and values.min() >= 1e-4 and values.max() <= 1.0
    assert np.allclose(values, formulas.sample_log_uniform(1e-4, 1.0, 2_000, seed=1))
    assert abs(np.mean(np.log10(values) < -2) - 0.5) < 0.05


def test_numerical_gradient_leaves_x_alone():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    copy = x.copy()
    assert np.allclose(formulas.numerical_gradient(lambda v: np.sum(v**2), x), 2 * x, atol=1e-5)
    assert np.array_equal(x, copy)
