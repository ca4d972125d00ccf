"""Tests for helpers.experiments.compare_models on tiny synthetic data."""

from __future__ import annotations

import numpy as np
import pytest

import helpers  # noqa: F401  (first: imports TensorFlow and Keras quietly)

# isort: split
import keras

from helpers.experiments import Comparison, RunResult, compare_models, evaluate


def synthetic_data(samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.random((samples, 8), dtype=np.float32)
    y = (x[:, 0] + x[:, 1] > 1.0).astype("int64")
    return x, y


def builder(hidden: int, dropout: float = 0.0):
    def build() -> keras.Model:
        layers = [keras.Input((8,)), keras.layers.Dense(hidden, activation="relu")]
        if dropout:
            layers.append(keras.layers.Dropout(dropout))
        layers.append(keras.layers.Dense(2, activation="softmax"))
        model = keras.Sequential(layers)
        model.compile(
            optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
        )
        return model

    return build


BUILDERS = {"small": builder(4), "dropout 0.2": builder(16, dropout=0.2)}
TRAIN = synthetic_data(96, seed=1)
TEST = synthetic_data(32, seed=2)


def run(**options) -> Comparison:
    settings = {"test_data": TEST, "epochs": 2, "batch_size": 16, "plot": False} | options
    return compare_models(BUILDERS, TRAIN, **settings)


def test_compare_models_one_row_and_history_per_variant(capsys):
    comparison = run(validation_data=TEST)

    assert [result.name for result in comparison.results] == list(BUILDERS)
    assert list(comparison.histories) == list(BUILDERS)
    assert list(comparison.models) == list(BUILDERS)
    for result in comparison.results:
        assert isinstance(result, RunResult)
        assert result.epochs_run == 2
        assert 1 <= result.best_epoch <= 2
        assert 0.0 <= result.test_accuracy <= 1.0
        assert 0.0 <= result.train_accuracy <= 1.0
        assert result.seconds_per_epoch > 0
        assert result.params == comparison.models[result.name].count_params()
    assert set(comparison.histories["small"]) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("[2/2] dropout 0.2: test accuracy ")
    assert lines[1].endswith(" s/epoch")


def test_table_has_header_rule_and_one_aligned_row_per_variant():
    comparison = run()

    table_lines = comparison.table().splitlines()
    assert len(table_lines) == 2 + len(BUILDERS)
    assert table_lines[0].startswith("model")
    assert set(table_lines[1]) <= {"-", " "}
    assert "dropout 0.2" in table_lines[3]
    assert "%" in table_lines[2]
    assert len({len(line) for line in table_lines[1:]}) == 1  # rows as wide as the rule
    assert str(comparison) == comparison.table()
    assert repr(comparison) == "Comparison(runs=['small', 'dropout 0.2'])"
    rows = comparison.as_rows()
    assert [row["name"] for row in rows] == list(BUILDERS)
    assert rows[0]["test_accuracy"] == comparison.results[0].test_accuracy


def test_same_seed_gives_identical_test_accuracy():
    first = run(seed=7)
    second = run(seed=7)

    assert [r.test_accuracy for r in first.results] == [r.test_accuracy for r in second.results]
    assert first.histories["small"]["loss"] == second.histories["small"]["loss"]


def test_best_epoch_uses_training_loss_without_validation():
    comparison = run(epochs=3)

    for name, history in comparison.histories.items():
        assert "val_loss" not in history
        result = next(r for r in comparison.results if r.name == name)
        assert result.best_epoch == int(np.argmin(history["loss"])) + 1


def test_callbacks_factory_gives_each_run_fresh_callbacks():
    made: list[keras.callbacks.Callback] = []

    def fresh_callbacks() -> list[keras.callbacks.Callback]:
        made.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=1))
        return [made[-1]]

    run(validation_split=0.25, callbacks=fresh_callbacks)

    assert len(made) == len(BUILDERS)
    assert made[0] is not made[1]


def test_rejects_a_callback_list_and_two_validation_sources():
    with pytest.raises(TypeError, match="fresh list"):
        run(callbacks=[keras.callbacks.EarlyStopping()])
    with pytest.raises(ValueError, match="not both"):
        run(validation_data=TEST, validation_split=0.2)


def test_plot_overlays_all_runs_and_plot_true_is_quiet_headless(capsys):
    comparison = run(plot=True)

    figure = comparison.plot()
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert labels == ["small (training)", "dropout 0.2 (training)"]
    assert len(capsys.readouterr().out.splitlines()) == 2  # progress lines only


def test_evaluate_returns_floats():
    model = builder(4)()

    scores = evaluate(model, *TEST)

    assert set(scores) == {"loss", "accuracy"}
    assert all(isinstance(value, float) for value in scores.values())
