"""Tests for helpers.plotting: curves, image grids, confusion matrix, activations, weights."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import plotting

ONE_RUN = {
    "loss": [1.0, 0.6, 0.4],
    "accuracy": [0.5, 0.7, 0.8],
    "val_loss": [1.1, 0.7, 0.6],
    "val_accuracy": [0.45, 0.65, 0.75],
}


def legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    return [] if legend is None else [text.get_text() for text in legend.get_texts()]


class FakeHistory:
    """Duck-typed stand-in for keras.callbacks.History."""

    def __init__(self, history: dict[str, list[float]]) -> None:
        self.history = history


def test_plot_history_one_run_draws_solid_training_and_dashed_validation():
    figure = plotting.plot_history(ONE_RUN, title="one run")

    assert isinstance(figure, Figure)
    assert [ax.get_title() for ax in figure.axes] == ["loss", "accuracy"]
    loss_ax = figure.axes[0]
    training, validation = loss_ax.get_lines()
    assert list(training.get_xdata()) == [1, 2, 3]  # epochs numbered from 1
    assert training.get_linestyle() == "-"
    assert validation.get_linestyle() == "--"
    assert training.get_color() == validation.get_color()
    assert legend_texts(loss_ax) == ["training", "validation"]
    assert figure.get_suptitle() == "one run"


_IMAGES = np.random.default_rng(0).random((4, 28, 28))
_LABELS = np.array([0, 1, 2, 3])
FIGURE_FUNCTIONS = {
    "plot_history": lambda: plotting.plot_history(ONE_RUN),
    "show_images": lambda: plotting.show_images(_IMAGES, _LABELS),
    "show_misclassified (some wrong)": lambda: plotting.show_misclassified(
        _IMAGES, _LABELS, np.array([0, 1, 3, 2])
    ),
    "show_misclassified (all right)": lambda: plotting.show_misclassified(
        _IMAGES, _LABELS, _LABELS
    ),
    "plot_confusion_matrix": lambda: plotting.plot_confusion_matrix(_LABELS, _LABELS),
    "plot_activation_functions": lambda: plotting.plot_activation_functions(),
    "plot_weight_histograms": lambda: plotting.plot_weight_histograms(
        {"dense": np.random.default_rng(1).normal(size=(30, 10))}
    ),
}


def test_does_every_public_figure_function_have_a_case():
    public = {
        name
        for name, value in vars(plotting).items()
        if callable(value) and (name.startswith("plot_") or name.startswith("show_"))
    }
    assert public == {name.split(" ")[0] for name in FIGURE_FUNCTIONS}


@pytest.mark.parametrize("name", sorted(FIGURE_FUNCTIONS))
def test_is_every_figure_returned_closed(name):
    figure = FIGURE_FUNCTIONS[name]()

    assert isinstance(figure, Figure)
    assert figure.number not in plt.get_fignums()  # shown once by Jupyter, never by pyplot


def test_plot_history_accepts_history_objects():
    figure = plotting.plot_history(FakeHistory(ONE_RUN))

    assert len(figure.axes) == 2


def test_plot_history_overlays_several_runs_with_one_legend_entry_per_run_and_split():
    runs = {
        "small": ONE_RUN,
        "large": FakeHistory({k: [v * 0.9 for v in vs] for k, vs in ONE_RUN.items()}),
    }

    figure = plotting.plot_history(runs)

    for ax in figure.axes:
        assert legend_texts(ax) == [
            "small (training)",
            "small (validation)",
            "large (training)",
            "large (validation)",
        ]
        colours = [line.get_color() for line in ax.get_lines()]
        assert colours[0] == colours[1] != colours[2] == colours[3]


def test_plot_history_without_validation_keys_draws_training_only():
    figure = plotting.plot_history(
        {"a": {"loss": [0.9, 0.5]}, "b": {"loss": [0.8, 0.4], "accuracy": [0.6, 0.7]}}
    )

    titles = [ax.get_title() for ax in figure.axes]
    assert titles == ["loss", "accuracy"]
    assert legend_texts(figure.axes[0]) == ["a (training)", "b (training)"]
    assert legend_texts(figure.axes[1]) == ["b (training)"]


def test_plot_history_skips_missing_metric_and_rejects_unknown_ones():
    figure = plotting.plot_history({"loss": [0.9, 0.5]})
    assert [ax.get_title() for ax in figure.axes] == ["loss"]

    with pytest.raises(ValueError, match="acc"):
        plotting.plot_history({"loss": [0.9]}, metrics=("acc",))


@pytest.mark.parametrize(
    ("count", "ncols", "rows", "columns"), [(23, 10, 3, 10), (4, 10, 1, 4), (6, 3, 2, 3)]
)
def test_show_images_grid_size(count, ncols, rows, columns):
    images = np.random.default_rng(0).random((count, 28, 28))

    figure = plotting.show_images(images, labels=list(range(count)), ncols=ncols)

    assert len(figure.axes) == rows * columns
    assert figure.axes[0].get_subplotspec().get_gridspec().get_geometry() == (rows, columns)
    shown = [ax for ax in figure.axes if ax.images]
    assert len(shown) == count
    assert [ax.get_title() for ax in shown] == [str(i) for i in range(count)]


def test_show_images_accepts_flat_and_channel_images():
    rng = np.random.default_rng(1)
    for images in (rng.random((3, 784)), rng.random((3, 28, 28, 1))):
        figure = plotting.show_images(images)
        assert figure.axes[0].images[0].get_array().shape == (28, 28)


@pytest.mark.parametrize("n", [2, 100])
def test_show_misclassified_captions_true_arrow_predicted(n):
    images = np.zeros((6, 28, 28), dtype=np.uint8)
    true_labels = np.array([5, 1, 2, 3, 7, 9])
    predicted = np.array([6, 1, 8, 3, 1, 9])  # wrong at 0, 2, 4

    figure = plotting.show_misclassified(images, true_labels, predicted, n=n)

    captions = [ax.get_title() for ax in figure.axes if ax.images]
    assert captions == ["5→6", "2→8", "7→1"][: min(n, 3)]


def test_show_misclassified_accepts_probabilities():
    probabilities = np.eye(3)[[0, 2, 1]]
    figure = plotting.show_misclassified(np.zeros((3, 784)), np.array([0, 1, 2]), probabilities)

    assert [ax.get_title() for ax in figure.axes if ax.images] == ["1→2", "2→1"]


def test_show_misclassified_says_so_when_all_are_right():
    labels = np.array([1, 2, 3])

    figure = plotting.show_misclassified(np.zeros((3, 28, 28)), labels, labels)

    texts = [text.get_text() for ax in figure.axes for text in ax.texts]
    assert any("No misclassified" in text for text in texts)


def test_confusion_matrix_counts_hand_example():
    true_labels = [0, 0, 1, 2, 2, 2]
    predicted = [0, 1, 1, 2, 0, 2]

    counts = plotting.confusion_matrix(true_labels, predicted, num_classes=3)

    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert counts.dtype.kind == "i"
    assert plotting.confusion_matrix(true_labels, predicted).shape == (10, 10)


def test_confusion_matrix_rejects_out_of_range_labels():
    with pytest.raises(ValueError):
        plotting.confusion_matrix([0, 3], [0, 1], num_classes=3)


def test_plot_confusion_matrix_writes_every_count():
    figure = plotting.plot_confusion_matrix([0, 1, 1], [0, 1, 0], num_classes=2)

    main_ax = figure.axes[0]
    assert sorted(text.get_text() for text in main_ax.texts) == ["0", "1", "1", "1"]


@pytest.mark.parametrize("name", plotting.ACTIVATION_NAMES)
def test_activation_derivatives_match_finite_differences(name):
    x = np.array([-3.0, -1.2, -0.3, 0.4, 1.1, 2.5])  # away from the kink at 0
    step = 1e-6

    _, derivatives = plotting.activation_values(name, x)
    above, _ = plotting.activation_values(name, x + step)
    below, _ = plotting.activation_values(name, x - step)

    np.testing.assert_allclose(derivatives, (above - below) / (2 * step), rtol=1e-5, atol=1e-7)


def test_activation_values_known_points():
    x = np.array([-2.0, 0.0, 2.0])
    np.testing.assert_allclose(plotting.activation_values("leaky_relu", x)[0], [-0.2, 0.0, 2.0])
    np.testing.assert_allclose(plotting.activation_values("sigmoid", np.array([0.0]))[0], [0.5])
    with pytest.raises(ValueError, match="unknown activation"):
        plotting.activation_values("swish", x)


def test_plot_activation_functions_has_function_and_derivative_panels():
    names = ("sigmoid", "relu", "elu")

    figure = plotting.plot_activation_functions(names)

    left, right = figure.axes
    assert legend_texts(left) == list(names) == legend_texts(right)
    assert "derivative" in right.get_title()


@pytest.mark.parametrize(("overlay", "panels"), [(True, 1), (False, 2)])
def test_plot_weight_histograms_overlaid_or_side_by_side(overlay, panels):
    rng = np.random.default_rng(2)
    weights = {
        "L1": rng.laplace(size=(30, 10)),
        "L2": [rng.normal(size=(30, 10)), rng.normal(size=10)],
    }

    figure = plotting.plot_weight_histograms(weights, bins=20, overlay=overlay)

    assert len(figure.axes) == panels
    texts = [text for ax in figure.axes for text in legend_texts(ax)]
    assert texts == ["L1 (300 weights)", "L2 (310 weights)"]
