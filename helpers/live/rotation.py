"""The rotation slider of notebooks 4 and 8: turn one digit, watch the models change their mind."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from helpers.data import rotate_image


def rotated_probabilities(
    models: Mapping[str, Any],
    image: np.ndarray,
    degrees: float,
    prepare: Callable[[np.ndarray], np.ndarray],
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The image turned by ``degrees`` and each model's ten predicted probabilities for it.

    ``prepare`` turns a batch of raw images into the models' input (e.g.
    ``helpers.data.prepare_dense`` or ``prepare_conv``); the models run in inference mode.
    """
    import keras

    rotated = rotate_image(image, degrees)
    batch = prepare(rotated[None])
    probabilities = {
        name: np.asarray(keras.ops.convert_to_numpy(model(batch, training=False)))[0]
        for name, model in models.items()
    }
    return rotated, probabilities


def draw_rotated(
    models: Mapping[str, Any],
    image: np.ndarray,
    label: int,
    degrees: float,
    prepare: Callable[[np.ndarray], np.ndarray],
) -> None:
    """The turned digit beside one bar chart of probabilities per model (true class in orange)."""
    import matplotlib.pyplot as plt

    rotated, probabilities = rotated_probabilities(models, image, degrees, prepare)
    figure, axes = plt.subplots(1, 1 + len(models), figsize=(3.4 * (1 + len(models)), 2.6))
    axes[0].imshow(rotated, cmap="gray_r")
    axes[0].set_title(f"label {label}, turned {degrees:+.0f}°")
    axes[0].axis("off")
    for ax, (name, values) in zip(axes[1:], probabilities.items(), strict=True):
        ax.bar(range(10), values, color=["C1" if d == label else "C0" for d in range(10)])
        ax.set(xticks=range(10), ylim=(0, 1))
        ax.set_title(f"{name}: {int(values.argmax())} ({values.max():.0%})", fontsize=9)
    figure.tight_layout()
    plt.show()


def show_rotation_slider(
    models: Mapping[str, Any],
    image: np.ndarray,
    label: int,
    prepare: Callable[[np.ndarray], np.ndarray],
    *,
    degrees: int = 0,
    limit: int = 180,
):
    """A slider (-limit..limit degrees, steps of 5) that turns ``image`` under the models."""
    import ipywidgets as widgets

    def draw(angle: int) -> None:
        draw_rotated(models, image, int(label), angle, prepare)

    return widgets.interact(
        draw,
        angle=widgets.IntSlider(value=degrees, min=-limit, max=limit, step=5, description="angle"),
    )
