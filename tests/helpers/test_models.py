"""The headline models have the lecture's shapes and parameter counts and train."""

import itertools

import numpy as np
import pytest

from helpers import models, session


def dense_count(sizes):
    return sum(a * b + b for a, b in itertools.pairwise(sizes))


@pytest.mark.parametrize(
    ("builder", "expected_params"),
    [
        (models.baseline_mse, dense_count([784, 30, 10])),
        (models.softmax_cross_entropy, dense_count([784, 30, 10])),
        (models.dense_512_dropout, 669_706),
        # Conv 16 5x5 (16*25+16) + Dense over 12*12*16 features
        (models.cnn_lecture, 16 * 25 + 16 + 12 * 12 * 16 * 10 + 10),
    ],
)
def test_parameter_counts_match_the_lecture(builder, expected_params):
    assert builder().count_params() == expected_params


@pytest.mark.parametrize("kernel_size", [3, 5, 7])
def test_cnn_lecture_kernel_size_sets_kernel_and_output_shape(kernel_size):
    model = models.cnn_lecture(kernel_size)
    conv = model.layers[0]
    assert conv.kernel.shape == (kernel_size, kernel_size, 1, 16)
    pooled = (28 - kernel_size + 1) // 2
    assert model.layers[1].output.shape[1:] == (pooled, pooled, 16)


def test_two_conv_output_shapes():
    model = models.cnn_two_conv()
    assert model.layers[-1].output.shape[1:] == (10,)
    # 28 -> conv5 24 -> pool 12 -> conv5 8 -> pool 4; 4*4*32 features into Dense 512
    assert model.layers[4].output.shape[1:] == (4 * 4 * 32,)


@pytest.mark.parametrize(
    ("builder", "input_shape"),
    [
        (models.baseline_mse, (784,)),
        (models.softmax_cross_entropy, (784,)),
        (models.dense_512_dropout, (784,)),
        (models.cnn_lecture, (28, 28, 1)),
        (models.cnn_two_conv, (28, 28, 1)),
        (lambda: models.cnn_final(steps_per_epoch=2), (28, 28, 1)),
    ],
)
def test_every_model_trains_one_epoch_and_predicts_probabilities(builder, input_shape):
    rng = np.random.default_rng(0)
    x = rng.random((64, *input_shape), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 64)]
    model = builder()
    history = model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    probabilities = model.predict(x[:4], verbose=0)
    assert probabilities.shape == (4, 10)
    assert np.all(probabilities >= 0)


def test_adadelta_models_use_the_lecture_learning_rate():
    for model in (models.dense_512_dropout(), models.cnn_lecture(), models.cnn_two_conv()):
        assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(1.0)


def test_learning_rate_schedule_falls_by_the_decay_rate_per_epoch():
    import keras

    plain = models.learning_rate_schedule(100, 0.01, 0.6)
    assert type(plain) is keras.optimizers.schedules.ExponentialDecay
    assert float(plain(0)) == pytest.approx(0.01)
    assert float(plain(200)) == pytest.approx(0.01 * 0.6**2)
    floored = models.learning_rate_schedule(100, 0.01, 0.6, floor=1e-4)
    assert isinstance(floored, models.FlooredExponentialDecay)
    assert float(floored(200)) == pytest.approx(1e-4 + 0.01 * 0.6**2, rel=1e-5)


def test_tensorflow_python_warnings_are_silenced():
    import logging

    import tensorflow as tf

    assert tf.get_logger().getEffectiveLevel() >= logging.ERROR


def test_tensorflow_warnings_are_silenced_when_tensorflow_came_first():
    """A notebook that imports tensorflow before helpers still gets quiet cells."""
    import logging

    import tensorflow as tf

    from helpers import session

    logger = tf.get_logger()
    previous = logger.level
    try:
        logger.setLevel(logging.WARNING)
        session.import_tensorflow_quietly()
        assert logger.getEffectiveLevel() >= logging.ERROR
    finally:
        logger.setLevel(previous)


def test_cnn_final_without_augmentation_is_the_batch_normalized_cnn():
    with_layers = models.cnn_final(steps_per_epoch=10)
    without = models.cnn_final(steps_per_epoch=10, augment=False)
    names = [layer.name for layer in without.layers]
    assert without.name == "cnn_batchnorm" and with_layers.name == "cnn_final"
    assert "random_rotation" not in names and "random_shift" not in names
    assert names == [layer.name for layer in with_layers.layers][2:]
    assert without.count_params() == with_layers.count_params()


def test_cnn_batchnorm_is_section_8_5s_network_with_the_plain_schedule_and_loss():
    import keras

    section_8_5 = models.cnn_batchnorm(steps_per_epoch=50)
    final = models.cnn_final(steps_per_epoch=50)
    assert section_8_5.name == "cnn_batchnorm"
    final_names = [layer.name for layer in final.layers]
    assert [layer.name for layer in section_8_5.layers] == final_names[2:]  # no augmentation
    schedule = section_8_5.optimizer._learning_rate
    assert type(schedule) is keras.optimizers.schedules.ExponentialDecay
    assert float(schedule(50 * 15)) == pytest.approx(0.01 * 0.6**15)
    assert section_8_5.loss == "categorical_crossentropy"


def test_final_model_learning_rate_floor_follows_goerners_formula():
    model = models.cnn_final(steps_per_epoch=50, decay_rate=0.6, learning_rate_floor=1e-4)
    schedule = model.optimizer._learning_rate
    for step in (0, 49, 50, 300, 750):
        expected = 1e-4 + 0.01 * 0.6 ** (step / 50)
        assert float(schedule(step)) == pytest.approx(expected, rel=1e-5)
    assert float(schedule(50 * 40)) == pytest.approx(1e-4, rel=1e-3)  # the floor, not 0


def test_final_model_defaults_decay_by_three_quarters_per_epoch_to_the_floor():
    schedule = models.cnn_final(steps_per_epoch=50).optimizer._learning_rate
    assert isinstance(schedule, models.FlooredExponentialDecay)
    for epoch in (0, 1, 14):
        assert float(schedule(50 * epoch)) == pytest.approx(1e-4 + 0.01 * 0.75**epoch, rel=1e-5)
    plain = models.cnn_final(steps_per_epoch=50, learning_rate_floor=0.0).optimizer
    assert float(plain._learning_rate(50 * 60)) < 1e-8  # without the floor it decays to 0


def test_final_model_width_and_augmentation_knobs():
    default = models.cnn_final(steps_per_epoch=10)
    wide = models.cnn_final(
        steps_per_epoch=10,
        filters=(32, 64, 96),
        dense_units=300,
        rotation_degrees=8.0,
        shift_fraction=0.05,
    )
    assert default.get_layer("conv_3").kernel.shape == (4, 4, 48, 64)
    assert wide.get_layer("conv_1").kernel.shape == (6, 6, 1, 32)
    assert wide.get_layer("conv_3").kernel.shape == (4, 4, 64, 96)
    assert wide.get_layer("dense").kernel.shape == (7 * 7 * 96, 300)
    assert wide.get_layer("random_rotation").factor[1] == pytest.approx(8.0 / 360)
    assert wide.get_layer("random_shift").height_factor == 0.05
    assert default.get_layer("random_rotation").factor[1] == pytest.approx(10 / 360)
    assert default.get_layer("random_shift").width_factor == 0.1


def test_final_model_weight_averaging_writes_the_average_into_the_model_every_epoch():
    """Adam keeps a moving average of the weights and overwrites the model with it after each
    epoch (steps_per_epoch steps), so what validation sees is the average; off by default."""
    assert not models.cnn_final(steps_per_epoch=3).optimizer.use_ema
    session.set_seed(0)
    model = models.cnn_final(
        steps_per_epoch=3, weight_averaging=0.9, filters=(2, 2, 2), dense_units=4
    )
    optimizer = model.optimizer
    assert (optimizer.use_ema, optimizer.ema_momentum, optimizer.ema_overwrite_frequency) == (
        True,
        0.9,
        3,
    )
    x = np.random.default_rng(0).random((12, 28, 28, 1), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[np.arange(12) % 10]
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)  # exactly one epoch: 3 steps
    averages = optimizer._model_variables_moving_average
    for variable, average in zip(model.trainable_variables, averages, strict=True):
        np.testing.assert_allclose(variable.numpy(), average.numpy())
    with pytest.raises(ValueError, match="momentum in"):
        models.cnn_final(steps_per_epoch=3, weight_averaging=1.0)


def test_final_model_label_smoothing_softens_the_targets_of_the_loss():
    """With s = 0.1 (the default) the target of the true class is 0.91 and of every other
    class 0.01: a network that predicts exactly those probabilities has the smallest loss."""
    assert models.cnn_final(steps_per_epoch=3, label_smoothing=0.0).loss == (
        "categorical_crossentropy"
    )
    loss = models.cnn_final(steps_per_epoch=3).loss
    target = np.eye(10, dtype=np.float32)[[3]]
    smoothed = 0.9 * target + 0.01
    at_the_smoothed_target = float(loss(target, smoothed))
    for prediction in (target * 0.999 + 0.0001, np.full((1, 10), 0.1, dtype=np.float32)):
        assert float(loss(target, prediction)) > at_the_smoothed_target
    with pytest.raises(ValueError, match="fraction in"):
        models.cnn_final(steps_per_epoch=3, label_smoothing=1.0)
