"""The momentum bowl of notebook 5: gradient descent with heavy-ball momentum on an elongated
quadratic, :math:`L(w) = \\tfrac12 (w_1^2 + 20 w_2^2)`."""

from __future__ import annotations

import numpy as np

#: Curvatures of the two axes (the narrow valley runs along w_1).
BOWL_CURVATURE = np.array([1.0, 20.0])
#: Where every descent starts.
BOWL_START = np.array([-4.5, 1.0])


def bowl_loss(w: np.ndarray, curvature: np.ndarray = BOWL_CURVATURE) -> np.ndarray:
    """The loss at ``w`` (shape (..., 2)): half the curvature-weighted squared norm."""
    return 0.5 * np.sum(curvature * np.asarray(w) ** 2, axis=-1)


def descend(
    learning_rate: float,
    momentum: float = 0.0,
    steps: int = 100,
    *,
    start: np.ndarray = BOWL_START,
    curvature: np.ndarray = BOWL_CURVATURE,
) -> np.ndarray:
    """Gradient descent with heavy-ball momentum on the bowl: the path, shape (steps + 1, 2).

    ``v ← μ v − η ∇L(w)``, ``w ← w + v``, with ``v`` starting at 0 (``momentum=0``: plain GD).
    """
    w, v = np.array(start, dtype=float), np.zeros(2)
    path = [w.copy()]
    for _ in range(steps):
        v = momentum * v - learning_rate * curvature * w
        w = w + v
        path.append(w.copy())
    return np.array(path)


def steps_to_reach(path: np.ndarray, tolerance: float = 1e-3) -> int | None:
    """The first step whose loss is below ``tolerance``, or None if the path never gets there."""
    below = np.flatnonzero(bowl_loss(path) < tolerance)
    return int(below[0]) if below.size else None


def draw_descent(learning_rate: float = 0.02, momentum: float = 0.9, steps: int = 60) -> None:
    """Contours of the bowl with the paths of plain GD and of momentum ``momentum``."""
    import matplotlib.pyplot as plt

    w1, w2 = np.meshgrid(np.linspace(-5, 5, 200), np.linspace(-1.6, 1.6, 120))
    surface = bowl_loss(np.stack([w1, w2], axis=-1))
    _, ax = plt.subplots(figsize=(8, 3.2))
    ax.contour(w1, w2, surface, levels=np.geomspace(0.01, 60, 14), colors="0.75", linewidths=0.8)
    for mu, label in ((0.0, "plain GD"), (momentum, f"momentum {momentum:g}")):
        path = descend(learning_rate, mu, steps)
        ax.plot(
            path[:, 0],
            path[:, 1],
            ".-",
            markersize=3,
            linewidth=1,
            label=f"{label}: loss {bowl_loss(path[-1]):.2g} after {steps} steps",
        )
    ax.set(
        xlim=(-5, 5),
        ylim=(-1.6, 1.6),
        xlabel="$w_1$",
        ylabel="$w_2$",
        title=f"η = {learning_rate:.3g}",
    )
    ax.legend(loc="upper right", fontsize=8)
    plt.show()


def show_momentum_bowl(learning_rate: float = 0.02, momentum: float = 0.9, steps: int = 60):
    """Sliders for η (log scale), μ and the number of steps over :func:`draw_descent`."""
    import ipywidgets as widgets

    return widgets.interact(
        draw_descent,
        learning_rate=widgets.FloatLogSlider(
            value=learning_rate, base=10, min=-3, max=-0.9, step=0.05, description="η"
        ),
        momentum=widgets.FloatSlider(value=momentum, min=0.0, max=0.99, step=0.01, description="μ"),
        steps=widgets.IntSlider(value=steps, min=10, max=300, step=10, description="steps"),
    )
