"""helpers.toys: the lecture's 1-1-1 toy starts where the lecture starts it."""

import numpy as np

from helpers import toys


def test_toy_data_is_standard_normal_with_zero_targets():
    x, y = toys.toy_data()
    assert x.shape == y.shape == (1_000, 1) and x.dtype == y.dtype == np.float32
    assert np.all(y == 0)
    assert abs(x.mean()) < 0.1 and abs(x.std() - 1) < 0.1
    np.testing.assert_array_equal(x, toys.toy_data()[0])  # seeded


def test_build_toy_sets_the_lecture_start_and_outputs_near_one():
    model = toys.build_toy("mean_squared_error")
    (w1, b1), (w2, b2) = (layer.get_weights() for layer in model.layers)
    assert (w1.item(), b1.item(), w2.item(), b2.item()) == (2.0, 3.0, 4.0, 5.0)
    x = np.array([[0.0]], dtype="float32")
    expected = 1 / (1 + np.exp(-(4 / (1 + np.exp(-3)) + 5)))
    np.testing.assert_allclose(model.predict(x, verbose=0), [[expected]], rtol=1e-5)
    assert float(model.optimizer.learning_rate) == 1.0


def test_cross_entropy_learns_at_once_and_mse_stalls():
    x, y = toys.toy_data(n=200)
    mse = toys.train_toy(toys.build_toy("mean_squared_error"), x, y, epochs=5, batch_size=100)
    ce = toys.train_toy(toys.build_toy("binary_crossentropy"), x, y, epochs=5, batch_size=100)
    assert len(mse) == len(ce) == 5
    assert min(mse) > 0.95, "MSE sits near 1 at the start"
    assert ce[-1] < 0.1 * ce[0], "cross-entropy drops at once"


def test_first_epoch_below():
    assert toys.first_epoch_below([1.0, 0.6, 0.4, 0.1], 0.5) == 3
    assert toys.first_epoch_below([1.0, 0.9], 0.5) is None
