"""helpers.grading.keras: each check of a Keras model passes on right answers and fails with a
helpful message; the evidence readers give plain values."""

import keras
import pytest

from helpers import grading
from helpers.grading import CheckFailed


def dense_model(
    regularizer=None, *, compile_model=True, optimizer=None, loss="categorical_crossentropy"
):
    model = keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Dense(30, activation="sigmoid"),
            keras.layers.Dense(10, activation="softmax", kernel_regularizer=regularizer),
        ]
    )
    if compile_model:
        model.compile(optimizer=optimizer or keras.optimizers.SGD(learning_rate=1.0), loss=loss)
    return model


def conv_model(kernel_size=5):
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(16, kernel_size, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def test_check_model_rejects_none_and_non_models():
    with pytest.raises(CheckFailed, match=r"expected a keras\.Model, found None"):
        grading.check_model(None)
    with pytest.raises(CheckFailed, match="found Dense"):
        grading.check_model(keras.layers.Dense(3))


def test_model_layers_skips_the_input_layer():
    assert [type(layer).__name__ for layer in grading.model_layers(dense_model())] == [
        "Dense",
        "Dense",
    ]


def test_check_layer_types_by_class_and_by_name():
    model = conv_model()
    grading.check_layer_types(
        model, [keras.layers.Conv2D, keras.layers.MaxPooling2D, "Flatten", keras.layers.Dense]
    )
    with pytest.raises(CheckFailed) as info:
        grading.check_layer_types(model, ["Conv2D", "MaxPooling2D", "Dropout", "Flatten", "Dense"])
    message = str(info.value)
    assert "expected Conv2D → MaxPooling2D → Dropout → Flatten → Dense" in message
    assert "found Conv2D → MaxPooling2D → Flatten → Dense" in message


def test_check_units_and_activation():
    hidden, output = grading.model_layers(dense_model())
    grading.check_units(hidden, 30)
    grading.check_activation(hidden, "sigmoid")
    grading.check_activation(output, "softmax")
    with pytest.raises(CheckFailed, match="expected 10, found 30"):
        grading.check_units(hidden, 10)
    with pytest.raises(CheckFailed, match="expected 'relu', found 'sigmoid'"):
        grading.check_activation(hidden, "relu")


@pytest.mark.parametrize(
    "regularizer",
    [keras.regularizers.L1(0.01), keras.regularizers.l1(0.01), keras.regularizers.L1L2(l1=0.01)],
)
def test_check_regularizer_accepts_every_spelling_of_l1(regularizer):
    grading.check_regularizer(dense_model(regularizer).layers[-1], "l1", 0.01)


def test_check_regularizer_l2_and_none():
    model = dense_model(keras.regularizers.L2(0.003))
    grading.check_regularizer(model.layers[-1], "l2", 0.003)
    grading.check_regularizer(model.layers[-1], "L2")  # any strength
    grading.check_regularizer(model.layers[0], None)
    with pytest.raises(
        CheckFailed, match=r"expected no regularizer, found L2 with strength 0\.003"
    ):
        grading.check_regularizer(model.layers[-1], None)


def test_check_regularizer_wrong_kind():
    layer = dense_model(keras.regularizers.L2(0.01)).layers[-1]
    with pytest.raises(CheckFailed) as info:
        grading.check_regularizer(layer, "l1", 0.01)
    message = str(info.value)
    assert "expected L1 with strength 0.01, found L2 with strength 0.01" in message
    assert "keras.regularizers.L1(0.01)" in message


def test_check_regularizer_both_penalties_is_not_l1():
    layer = dense_model(keras.regularizers.L1L2(l1=0.01, l2=0.01)).layers[-1]
    with pytest.raises(
        CheckFailed, match=r"found L1 with strength 0\.01 and L2 with strength 0\.01"
    ):
        grading.check_regularizer(layer, "l1", 0.01)


def test_check_regularizer_missing_or_wrong_strength():
    with pytest.raises(CheckFailed, match="found no regularizer"):
        grading.check_regularizer(dense_model().layers[-1], "l1", 0.01)
    layer = dense_model(keras.regularizers.L1(0.01)).layers[-1]
    with pytest.raises(
        CheckFailed, match=r"expected L1 with strength 0\.05, found L1 with strength 0\.01"
    ):
        grading.check_regularizer(layer, "l1", 0.05)


class AbsoluteSum(keras.regularizers.Regularizer):
    """A hand-written L1-like penalty: not keras.regularizers.L1, so the check must say so."""

    def __call__(self, weights):
        return 0.01 * keras.ops.sum(keras.ops.abs(weights))


def test_check_regularizer_custom_penalty_is_reported():
    layer = dense_model(AbsoluteSum()).layers[-1]
    with pytest.raises(CheckFailed, match=r"AbsoluteSum.*not an L1 or L2 penalty"):
        grading.check_regularizer(layer, "l1", 0.01)


def test_check_regularizer_plain_function_is_reported():
    try:
        layer = dense_model(lambda w: 0.01 * keras.ops.sum(keras.ops.abs(w))).layers[-1]
    except ValueError:
        pytest.skip(f"Keras {keras.__version__} rejects a plain function as a regularizer")
    with pytest.raises(CheckFailed, match=r"function.*not an L1 or L2 penalty"):
        grading.check_regularizer(layer, "l1", 0.01)


def test_check_regularizer_rejects_unknown_kind():
    with pytest.raises(ValueError):
        grading.check_regularizer(dense_model().layers[-1], "l3", 0.01)


@pytest.mark.parametrize("k", [3, 5, 7])
def test_check_kernel_size(k):
    grading.check_kernel_size(conv_model(k).layers[0], k)


def test_check_kernel_size_failures():
    model = conv_model(5)
    with pytest.raises(CheckFailed, match="expected 3×3, found 5×5"):
        grading.check_kernel_size(model.layers[0], 3)
    with pytest.raises(CheckFailed, match="found MaxPooling2D"):
        grading.check_kernel_size(model.layers[1], 5)


def test_check_param_count():
    model = conv_model(5)
    expected = 16 * (5 * 5 + 1) + 12 * 12 * 16 * 10 + 10
    grading.check_param_count(model, expected)
    with pytest.raises(CheckFailed, match=f"expected {expected + 1:,}, found {expected:,}"):
        grading.check_param_count(model, expected + 1)


def test_check_compiled_optimizer_and_loss():
    model = dense_model()
    grading.check_compiled(model)
    grading.check_optimizer(model, keras.optimizers.SGD, 1.0)
    grading.check_optimizer(model, "sgd")
    grading.check_loss(model, "categorical_crossentropy")
    with pytest.raises(CheckFailed, match="expected Adadelta, found SGD"):
        grading.check_optimizer(model, keras.optimizers.Adadelta, 1.0)
    with pytest.raises(CheckFailed, match=r"learning rate: expected 0\.5, found 1"):
        grading.check_optimizer(model, keras.optimizers.SGD, 0.5)
    with pytest.raises(CheckFailed, match="expected 'mean_squared_error'"):
        grading.check_loss(model, "mean_squared_error")


def test_check_loss_accepts_loss_objects_and_functions():
    grading.check_loss(
        dense_model(loss=keras.losses.CategoricalCrossentropy()), "categorical_crossentropy"
    )
    grading.check_loss(
        dense_model(loss=keras.losses.categorical_crossentropy), "categorical_crossentropy"
    )


def test_uncompiled_model_is_reported():
    model = dense_model(compile_model=False)
    with pytest.raises(CheckFailed, match="never compiled"):
        grading.check_compiled(model)
    with pytest.raises(CheckFailed, match="never compiled"):
        grading.check_optimizer(model, "sgd")


@pytest.mark.parametrize(
    "metrics",
    [["accuracy"], ["acc"], [keras.metrics.CategoricalAccuracy()], ["mae", "accuracy"]],
)
def test_check_metric_accepts_accuracy_spellings(metrics):
    model = dense_model(compile_model=False)
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=metrics)
    grading.check_metric(model, "accuracy")


def test_check_metric_reports_missing_metric():
    with pytest.raises(CheckFailed, match=r"found no metrics") as info:
        grading.check_metric(dense_model(), "accuracy")
    assert 'metrics=["accuracy"]' in str(info.value)
    model = dense_model(compile_model=False)
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["mae"])
    with pytest.raises(CheckFailed, match="found 'mae'"):
        grading.check_metric(model, "accuracy")


def test_check_param_count_on_a_model_without_input_shape():
    model = keras.Sequential([keras.layers.Dense(10)])
    with pytest.raises(CheckFailed, match="not built yet"):
        grading.check_param_count(model, 7850)


def test_do_the_evidence_readers_give_plain_values():
    model = dense_model(keras.regularizers.L1L2(l1=0.01, l2=0.002))
    hidden, output = grading.model_layers(model)
    assert grading.penalty(hidden) is None
    assert grading.penalty(output) == pytest.approx([0.01, 0.002])
    assert grading.activation_name(hidden) == "sigmoid"
    assert grading.activation_name(keras.activations.softmax) == "softmax"
    assert grading.activation_name(keras.layers.Dense(3)) == "linear"
    assert grading.loss_name(model.loss) == "categorical_crossentropy"
    assert grading.loss_name(keras.losses.CategoricalCrossentropy()) == "categorical_crossentropy"
    assert grading.loss_name(keras.losses.mean_squared_error) == "mean_squared_error"


def test_does_check_metric_refuse_when_it_cannot_read_the_metrics():
    model = dense_model()
    model._compile_metrics = object()  # a Keras whose compiled metrics look different
    with pytest.raises(RuntimeError, match="cannot check the compiled metrics"):
        grading.check_metric(model, "accuracy")
