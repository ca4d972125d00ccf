"""Tests for helpers.callbacks.PlotTraining inside real (tiny) Keras fits."""

from __future__ import annotations

import IPython.display
import numpy as np
import pytest

import helpers  # first: imports TensorFlow and Keras quietly

# isort: split
import keras

from helpers.callbacks import PlotTraining, running_in_notebook
from helpers.plotting import plot_history

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def tiny_data(samples: int = 64) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.random((samples, 8), dtype=np.float32)
    y = (x[:, 0] > 0.5).astype("int64")
    return x, y


def tiny_model(with_accuracy: bool = True) -> keras.Model:
    helpers.set_seed(0)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(
        optimizer="sgd",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"] if with_accuracy else [],
    )
    return model


class FakeHandle:
    def __init__(self) -> None:
        self.updates: list[object] = []

    def update(self, obj: object) -> None:
        self.updates.append(obj)


@pytest.fixture
def fake_display(monkeypatch):
    """Replace IPython.display.display; records calls and returns one FakeHandle."""
    calls: list[tuple[object, dict]] = []
    handle = FakeHandle()

    def display(obj, **kwargs):
        calls.append((obj, kwargs))
        return handle

    monkeypatch.setattr(IPython.display, "display", display)
    return calls, handle


def test_headless_fit_is_quiet_and_saves_png(tmp_path, capsys, fake_display):
    x, y = tiny_data()
    path = tmp_path / "curves.png"
    plot = PlotTraining(save_path=path)

    history = tiny_model().fit(
        x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0, callbacks=[plot]
    )

    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert fake_display[0] == []  # not in a kernel: nothing displayed
    assert not running_in_notebook()
    assert path.stat().st_size > 0
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    assert sorted(plot.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert plot.history == history.history
    assert len(plot_history(history).axes) == 2  # a real keras History plots too


def test_x_axis_follows_params_epochs(tmp_path):
    x, y = tiny_data()
    plot = PlotTraining(save_path=tmp_path / "curves.png")

    tiny_model().fit(x, y, epochs=3, batch_size=32, verbose=0, callbacks=[plot])

    assert plot.params["epochs"] == 3
    for ax in plot.figure.axes:
        assert ax.get_xlim() == (0.5, 3.5)
    assert "epoch 3/3" in plot.figure.get_suptitle()
    assert "2 steps per epoch" in plot.figure.get_suptitle()


def test_live_displays_once_and_updates_in_place_each_epoch(fake_display):
    calls, handle = fake_display
    x, y = tiny_data()
    plot = PlotTraining(live=True)

    tiny_model().fit(
        x, y, epochs=2, batch_size=16, validation_data=(x, y), verbose=0, callbacks=[plot]
    )

    assert len(calls) == 1
    shown, options = calls[0]
    assert options == {"display_id": True}
    assert shown is plot.figure
    assert len(handle.updates) == 2  # one in-place update per epoch
    assert all(update is plot.figure for update in handle.updates)


def test_live_false_never_displays(fake_display, monkeypatch):
    monkeypatch.setattr("helpers.callbacks.running_in_notebook", lambda: True)
    x, y = tiny_data()

    tiny_model().fit(x, y, epochs=1, verbose=0, callbacks=[PlotTraining(live=False)])

    assert fake_display[0] == []


def test_auto_detects_a_kernel(fake_display, monkeypatch):
    monkeypatch.setattr("helpers.callbacks.running_in_notebook", lambda: True)
    x, y = tiny_data()

    tiny_model().fit(x, y, epochs=2, verbose=0, callbacks=[PlotTraining()])

    assert len(fake_display[0]) == 1
    assert len(fake_display[1].updates) == 2


def test_without_validation_or_accuracy_draws_training_loss_only(tmp_path, fake_display):
    x, y = tiny_data()
    plot = PlotTraining(save_path=tmp_path / "loss.png", live=True)

    tiny_model(with_accuracy=False).fit(x, y, epochs=2, verbose=0, callbacks=[plot])

    assert [ax.get_title() for ax in plot.figure.axes] == ["loss"]
    (line,) = plot.figure.axes[0].get_lines()
    assert list(line.get_ydata()) == plot.history["loss"]
    assert (tmp_path / "loss.png").read_bytes()[:8] == PNG_SIGNATURE


def test_metrics_default_is_an_immutable_tuple():
    assert PlotTraining().metrics == ("loss", "accuracy")
    assert PlotTraining(metrics=["loss"]).metrics == ("loss",)


def test_epoch_timer_records_every_epoch():
    from helpers.callbacks import EpochTimer

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    timer = EpochTimer()
    x = np.zeros((8, 3), dtype="float32")
    y = np.eye(2, dtype="float32")[np.arange(8) % 2]
    model.fit(x, y, epochs=3, verbose=0, callbacks=[timer])
    assert len(timer.seconds) == len(timer.cpu_seconds) == len(timer.elapsed) == 3
    assert all(s >= 0 for s in timer.seconds)
    assert timer.elapsed == sorted(timer.elapsed) and timer.elapsed[-1] >= sum(timer.seconds[1:])
