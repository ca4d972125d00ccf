"""The softmax slider of notebook 2: change one logit, watch the distribution shift."""

from __future__ import annotations

import numpy as np


def logits_from_probabilities(probabilities: np.ndarray, floor: float = 1e-12) -> np.ndarray:
    """``ln p`` (clipped at ``floor``): the logits up to a common constant."""
    return np.log(np.clip(np.asarray(probabilities, dtype=float), floor, None))


def softmax_with_logit(logits: np.ndarray, index: int, value: float) -> np.ndarray:
    """The softmax of ``logits`` with the logit at ``index`` replaced by ``value`` (stable)."""
    changed = np.array(logits, dtype=float)
    changed[index] = value
    exps = np.exp(changed - changed.max())
    return exps / exps.sum()


def draw_softmax(logits: np.ndarray, true_class: int, chosen_class: int, value: float) -> None:
    """Bar chart of :func:`softmax_with_logit` (green: true class, red: the class chosen)."""
    import matplotlib.pyplot as plt

    probabilities = softmax_with_logit(logits, true_class, value)
    colours = [
        "tab:green" if j == true_class else "tab:red" if j == chosen_class else "tab:gray"
        for j in range(len(probabilities))
    ]
    _, ax = plt.subplots(figsize=(6, 2.8))
    ax.bar(range(len(probabilities)), probabilities, color=colours)
    ax.set_xticks(range(len(probabilities)))
    ax.set_ylim(0, 1)
    ax.set_xlabel("class (green: true, red: chosen before)")
    ax.set_ylabel("softmax probability")
    ax.set_title(
        f"p(true {true_class}) = {probabilities[true_class]:.2f}, "
        f"p({chosen_class}) = {probabilities[chosen_class]:.2f}"
    )
    plt.show()


def show_softmax_slider(logits: np.ndarray, true_class: int, chosen_class: int):
    """A slider for the logit of ``true_class``, from the smallest logit to the largest + 5."""
    import ipywidgets as widgets

    logits = np.asarray(logits, dtype=float)

    def draw(true_class_logit: float) -> None:
        draw_softmax(logits, true_class, chosen_class, true_class_logit)

    return widgets.interact(
        draw,
        true_class_logit=widgets.FloatSlider(
            value=float(logits[true_class]),
            min=float(logits.min()),
            max=float(logits.max()) + 5.0,
            step=0.1,
            description="true logit",
        ),
    )
