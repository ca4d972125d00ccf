"""Figures for the course: training curves, image grids, confusion matrices, activations.

Every function returns a :class:`matplotlib.figure.Figure` and never calls ``plt.show()``.
The figure is closed in pyplot before it is returned, so in Jupyter (and Colab) it appears
exactly once, as the value of the cell: end the cell with the call, or with ``fig`` after
``fig = plot_history(...)``. Outside Jupyter, save it with ``fig.savefig("curves.png")``.

Accuracies are fractions in [0, 1] (as Keras logs them); images are arrays shaped
``(N, 28, 28)``, ``(N, 28, 28, 1)`` or flattened ``(N, 784)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

ACTIVATION_NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus")
LEAKY_RELU_SLOPE = 0.1
ELU_ALPHA = 1.0
VALIDATION_PREFIX = "val_"

#: One run's logged values: metric name (``"loss"``, ``"val_accuracy"``, ...) -> value per epoch.
HistoryDict = dict[str, list[float]]
#: Runs to draw: run name -> history; the name is ``None`` for a single unnamed run.
Runs = dict[str | None, HistoryDict]


# --------------------------------------------------------------------------- training curves


def plot_history(
    history_or_histories: Any,
    metrics: Sequence[str] = ("loss", "accuracy"),
    *,
    title: str | None = None,
) -> Figure:
    """Plot training (solid) and validation (dashed) curves, one panel per metric.

    ``history_or_histories`` is a Keras ``History`` (what ``fit`` returns), a plain dict of
    lists like ``History.history``, or a mapping ``run name -> History or dict`` to overlay
    several runs (one colour per run, legend entries "name (training)"/"name (validation)").
    Epochs are numbered from 1. Metrics no run has logged are left out; a run without
    validation data contributes its training curve only.
    """
    runs = normalize_histories(history_or_histories)
    if not any(_logged_metrics(runs, metrics)):
        logged = sorted({key for history in runs.values() for key in history})
        raise ValueError(
            f"none of the metrics {tuple(metrics)} was logged; the histories contain {logged}"
        )
    panels = len(_logged_metrics(runs, metrics))
    figure = plt.figure(figsize=(5.0 * panels, 3.6))
    draw_history(figure, runs, metrics)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    plt.close(figure)
    return figure


def normalize_histories(history_or_histories: Any) -> Runs:
    """Turn a History, a dict of lists, or a mapping name -> either into :data:`Runs`.

    A single run gets the name ``None`` (its legend says just "training"/"validation").
    """
    if _is_single_history(history_or_histories):
        return {None: _as_history_dict(history_or_histories)}
    if isinstance(history_or_histories, Mapping) and history_or_histories:
        return {str(name): _as_history_dict(run) for name, run in history_or_histories.items()}
    raise TypeError(
        "expected a keras History, a dict of lists like History.history, or a mapping "
        f"name -> History/dict; got {type(history_or_histories).__name__}"
    )


def draw_history(
    figure: Figure,
    runs: Runs,
    metrics: Sequence[str] = ("loss", "accuracy"),
    *,
    max_epochs: int | None = None,
) -> None:
    """Draw ``runs`` into ``figure`` (cleared first): one panel per logged metric.

    When no metric has been logged yet every requested metric gets an empty panel, so that a
    live plot has its axes from the start. ``max_epochs`` fixes the x axis to 1..max_epochs.
    """
    figure.clear()
    panel_metrics = _logged_metrics(runs, metrics) or list(metrics)
    axes = figure.subplots(1, len(panel_metrics), squeeze=False)[0]
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, metric in zip(axes, panel_metrics, strict=True):
        for index, (name, history) in enumerate(runs.items()):
            colour = colours[index % len(colours)]
            for split, key, style in (
                ("training", metric, "-"),
                ("validation", VALIDATION_PREFIX + metric, "--"),
            ):
                values = history.get(key) or []
                if values:
                    epochs = np.arange(1, len(values) + 1)
                    label = split if name is None else f"{name} ({split})"
                    ax.plot(epochs, values, style, color=colour, label=label, marker=".")
        _style_metric_axes(ax, metric, max_epochs)


def _style_metric_axes(ax: Axes, metric: str, max_epochs: int | None) -> None:
    ax.set_title(metric)
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if max_epochs is not None:
        ax.set_xlim(0.5, max_epochs + 0.5)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[1]:
        ax.legend(fontsize="small")


def _logged_metrics(runs: Runs, metrics: Sequence[str]) -> list[str]:
    """The requested metrics that some run logged, for training or validation."""
    return [
        metric
        for metric in metrics
        if any(
            history.get(metric) or history.get(VALIDATION_PREFIX + metric)
            for history in runs.values()
        )
    ]


def _is_single_history(candidate: Any) -> bool:
    if _is_history_object(candidate):
        return True
    return isinstance(candidate, Mapping) and any(
        not (_is_history_object(value) or isinstance(value, Mapping))
        for value in candidate.values()
    )


def _is_history_object(candidate: Any) -> bool:
    return isinstance(getattr(candidate, "history", None), Mapping)


def _as_history_dict(run: Any) -> HistoryDict:
    logged = run.history if _is_history_object(run) else run
    if not isinstance(logged, Mapping):
        raise TypeError(
            f"a run must be a keras History or a dict of lists, not {type(run).__name__}"
        )
    return {str(key): [float(value) for value in values] for key, values in logged.items()}


# --------------------------------------------------------------------------- image grids


def show_images(
    images: np.ndarray,
    labels: Sequence[Any] | np.ndarray | None = None,
    *,
    ncols: int = 10,
    title: str | None = None,
) -> Figure:
    """Show ``images`` in a grid of ``ncols`` columns, each captioned with its label if given.

    ``images``: ``(N, 28, 28)``, ``(N, 28, 28, 1)`` or ``(N, 784)``, any numeric dtype.
    The grid has ``ceil(N / ncols)`` rows and ``min(N, ncols)`` columns.
    """
    pictures = _as_square_images(images)
    captions = None if labels is None else [str(label) for label in labels]
    if captions is not None and len(captions) != len(pictures):
        raise ValueError(f"got {len(pictures)} images but {len(captions)} labels")
    return _image_grid(pictures, captions, ncols=ncols, title=title)


def show_misclassified(
    images: np.ndarray,
    true_labels: np.ndarray,
    predicted_labels: np.ndarray,
    *,
    n: int = 100,
    ncols: int = 10,
) -> Figure:
    """Show the first ``n`` wrongly classified images, captioned "true→predicted" (e.g. "5→6").

    Labels may be class indices ``(N,)`` or one-hot/probability rows ``(N, classes)`` (argmax
    is taken). If every prediction is right, the figure says so instead.
    """
    true_classes = _as_class_labels(true_labels)
    predicted_classes = _as_class_labels(predicted_labels)
    if not len(true_classes) == len(predicted_classes) == len(images):
        raise ValueError(
            f"images, true and predicted labels differ in length: {len(images)}, "
            f"{len(true_classes)}, {len(predicted_classes)}"
        )
    wrong = np.flatnonzero(true_classes != predicted_classes)
    if len(wrong) == 0:
        return _message_figure(f"No misclassified images: all {len(images)} predictions are right.")
    shown = wrong[:n]
    captions = [f"{true_classes[i]}→{predicted_classes[i]}" for i in shown]
    title = f"First {len(shown)} of {len(wrong)} misclassified images (true→predicted)"
    return _image_grid(
        _as_square_images(np.asarray(images)[shown]), captions, ncols=ncols, title=title
    )


def _image_grid(
    pictures: np.ndarray, captions: list[str] | None, *, ncols: int, title: str | None
) -> Figure:
    if len(pictures) == 0:
        return _message_figure("No images to show.")
    columns = max(1, min(ncols, len(pictures)))
    rows = math.ceil(len(pictures) / columns)
    cell_height = 1.25 if captions else 1.0
    figure, axes = plt.subplots(
        rows,
        columns,
        figsize=(1.0 * columns, cell_height * rows + (0.4 if title else 0.0)),
        squeeze=False,
    )
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < len(pictures):
            ax.imshow(pictures[index], cmap="gray_r")
            if captions:
                ax.set_title(captions[index], fontsize="small", pad=2)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    plt.close(figure)
    return figure


def _as_square_images(images: np.ndarray) -> np.ndarray:
    """``(N, H, W)`` from ``(N, H, W)``, ``(N, H, W, 1)`` or flattened square ``(N, H*W)``."""
    pictures = np.asarray(images)
    if pictures.ndim == 4 and pictures.shape[-1] == 1:
        pictures = pictures[..., 0]
    if pictures.ndim == 2:
        side = math.isqrt(pictures.shape[1])
        if side * side != pictures.shape[1]:
            raise ValueError(f"flattened images of length {pictures.shape[1]} are not square")
        pictures = pictures.reshape(-1, side, side)
    if pictures.ndim != 3:
        raise ValueError(
            f"expected images shaped (N, H, W), (N, H, W, 1) or (N, H*W); got {pictures.shape}"
        )
    return pictures


def _as_class_labels(labels: np.ndarray) -> np.ndarray:
    """Class indices ``(N,)`` from indices or from one-hot/probability rows ``(N, classes)``."""
    array = np.asarray(labels)
    if array.ndim == 2:
        return array.argmax(axis=1)
    return array.astype(int).reshape(-1)


def _message_figure(message: str) -> Figure:
    figure, ax = plt.subplots(figsize=(6.0, 1.0))
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center")
    plt.close(figure)
    return figure


# --------------------------------------------------------------------------- confusion matrix


def confusion_matrix(
    true_labels: np.ndarray, predicted_labels: np.ndarray, num_classes: int = 10
) -> np.ndarray:
    """Counts ``(num_classes, num_classes)`` of int64: row = true class, column = predicted.

    Labels are class indices ``(N,)`` or one-hot/probability rows (argmax is taken).
    """
    true_classes = _as_class_labels(true_labels)
    predicted_classes = _as_class_labels(predicted_labels)
    if len(true_classes) != len(predicted_classes):
        raise ValueError(
            f"{len(true_classes)} true labels but {len(predicted_classes)} predictions"
        )
    for classes in (true_classes, predicted_classes):
        if classes.size and (classes.min() < 0 or classes.max() >= num_classes):
            raise ValueError(f"labels must lie in 0..{num_classes - 1}")
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (true_classes, predicted_classes), 1)
    return counts


def plot_confusion_matrix(
    true_labels: np.ndarray,
    predicted_labels: np.ndarray,
    *,
    num_classes: int = 10,
    title: str | None = None,
) -> Figure:
    """Heat map of :func:`confusion_matrix` with the count written in every cell."""
    counts = confusion_matrix(true_labels, predicted_labels, num_classes)
    figure, ax = plt.subplots(figsize=(0.55 * num_classes + 1.5, 0.55 * num_classes + 1.0))
    image = ax.imshow(counts, cmap="Blues")
    threshold = counts.max() / 2 if counts.size else 0
    for (row, column), count in np.ndenumerate(counts):
        colour = "white" if count > threshold else "black"
        ax.text(column, row, str(count), ha="center", va="center", color=colour, fontsize="x-small")
    ticks = np.arange(num_classes)
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    accuracy = np.trace(counts) / counts.sum() if counts.sum() else float("nan")
    ax.set_title(title or f"Confusion matrix (accuracy {accuracy:.2%})")
    figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    figure.tight_layout()
    plt.close(figure)
    return figure


# --------------------------------------------------------------------------- activations


def activation_values(name: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values and derivatives of activation ``name`` at ``x`` (same shape as ``x``), in NumPy.

    Names: sigmoid, tanh, relu, leaky_relu (slope 0.1 for x < 0), elu (alpha 1), softplus.
    At the kink x = 0 of relu/leaky_relu the derivative is taken from the left.
    """
    x = np.asarray(x, dtype=float)
    functions: dict[str, Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]] = {
        "sigmoid": _sigmoid_and_derivative,
        "tanh": lambda v: (np.tanh(v), 1.0 - np.tanh(v) ** 2),
        "relu": lambda v: (np.maximum(v, 0.0), (v > 0).astype(float)),
        "leaky_relu": lambda v: (
            np.where(v > 0, v, LEAKY_RELU_SLOPE * v),
            np.where(v > 0, 1.0, LEAKY_RELU_SLOPE),
        ),
        "elu": lambda v: (
            np.where(v > 0, v, ELU_ALPHA * np.expm1(np.minimum(v, 0.0))),
            np.where(v > 0, 1.0, ELU_ALPHA * np.exp(np.minimum(v, 0.0))),
        ),
        "softplus": lambda v: (np.logaddexp(0.0, v), _sigmoid_and_derivative(v)[0]),
    }
    if name not in functions:
        raise ValueError(f"unknown activation {name!r}; choose from {ACTIVATION_NAMES}")
    return functions[name](x)


def _sigmoid_and_derivative(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sigmoid = 0.5 * (1.0 + np.tanh(0.5 * x))  # numerically stable for large |x|
    return sigmoid, sigmoid * (1.0 - sigmoid)


def plot_activation_functions(
    names: Sequence[str] = ("sigmoid", "tanh", "relu", "leaky_relu"),
    *,
    x_range: tuple[float, float] = (-5.0, 5.0),
) -> Figure:
    """Left panel: the activation functions; right panel: their derivatives, over ``x_range``."""
    x = np.linspace(*x_range, 1001)
    figure, (functions_ax, derivatives_ax) = plt.subplots(1, 2, figsize=(10.0, 3.8))
    for name in names:
        values, derivatives = activation_values(name, x)
        functions_ax.plot(x, values, label=name)
        derivatives_ax.plot(x, derivatives, label=name)
    for ax, title in ((functions_ax, "activation f(x)"), (derivatives_ax, "derivative f'(x)")):
        ax.set_title(title)
        ax.set_xlabel("x")
        ax.axhline(0.0, color="grey", linewidth=0.6)
        ax.axvline(0.0, color="grey", linewidth=0.6)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    figure.tight_layout()
    plt.close(figure)
    return figure


# --------------------------------------------------------------------------- weights


def plot_weight_histograms(
    weights: Mapping[str, Any],
    *,
    bins: int = 100,
    overlay: bool = True,
    log_scale: bool = False,
) -> Figure:
    """Histograms of weight values, one per name (e.g. ``{"L1": w1, "L2": w2}``).

    Each value is an array of any shape or a list of arrays (e.g. ``model.get_weights()``);
    all entries are flattened. ``overlay=True`` draws all histograms in one panel with shared
    bin edges; ``overlay=False`` draws them side by side with a shared x axis.
    ``log_scale=True`` uses a logarithmic count axis (shows the tails).
    """
    if not weights:
        raise ValueError("no weights to plot")
    flattened = {name: _flatten_weights(values) for name, values in weights.items()}
    edges = np.histogram_bin_edges(np.concatenate(list(flattened.values())), bins=bins)
    panels = 1 if overlay else len(flattened)
    figure, axes = plt.subplots(
        1, panels, figsize=(6.0 if overlay else 4.0 * panels, 3.6), squeeze=False, sharex=True
    )
    for index, (name, values) in enumerate(flattened.items()):
        ax = axes[0, 0 if overlay else index]
        ax.hist(
            values,
            bins=edges,
            alpha=0.55 if overlay else 0.9,
            label=f"{name} ({values.size:,} weights)",
        )
        ax.set_xlabel("weight value")
        ax.set_ylabel("count")
        if log_scale:
            ax.set_yscale("log")
        ax.legend(fontsize="small")
        ax.grid(alpha=0.3)
    figure.tight_layout()
    plt.close(figure)
    return figure


def _flatten_weights(values: Any) -> np.ndarray:
    if isinstance(values, list | tuple):
        return np.concatenate([np.ravel(np.asarray(part, dtype=float)) for part in values])
    return np.ravel(np.asarray(values, dtype=float))
