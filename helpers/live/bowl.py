"""The 2-D surfaces of notebook 5: gradient descent with heavy-ball momentum on an elongated
quadratic bowl, :math:`L(w) = \\tfrac12 (w_1^2 + 20 w_2^2)`, and on a saddle,
:math:`L(w) = \\tfrac12 w_1^2 - \\tfrac12 w_2^2 + \\tfrac14 w_2^4` (a saddle at the origin,
minima at :math:`(0, \\pm 1)`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

#: Curvatures of the two axes (the narrow valley runs along w_1).
BOWL_CURVATURE = np.array([1.0, 20.0])
#: Where every descent on the bowl starts.
BOWL_START = np.array([-4.5, 1.0])
#: Where a descent on the saddle starts: on its way to the saddle, a hair off the ridge w_2 = 0.
SADDLE_START = np.array([-2.0, 1e-6])


def bowl_loss(w: np.ndarray, curvature: np.ndarray = BOWL_CURVATURE) -> np.ndarray:
    """The loss at ``w`` (shape (..., 2)): half the curvature-weighted squared norm."""
    return 0.5 * np.sum(curvature * np.asarray(w) ** 2, axis=-1)


def saddle_loss(w: np.ndarray) -> np.ndarray:
    """The saddle's loss at ``w`` (shape (..., 2)), shape (...): 0 at the saddle (0, 0), -1/4 at
    the minima (0, ±1)."""
    w = np.asarray(w, dtype=float)
    w1, w2 = w[..., 0], w[..., 1]
    return 0.5 * w1**2 - 0.5 * w2**2 + 0.25 * w2**4


def saddle_gradient(w: np.ndarray) -> np.ndarray:
    """The gradient of :func:`saddle_loss` at ``w`` (shape (..., 2)), same shape as ``w``."""
    w = np.asarray(w, dtype=float)
    w1, w2 = w[..., 0], w[..., 1]
    return np.stack([w1, -w2 + w2**3], axis=-1)


def descend(
    learning_rate: float,
    momentum: float = 0.0,
    steps: int = 100,
    *,
    start: np.ndarray = BOWL_START,
    curvature: np.ndarray = BOWL_CURVATURE,
    gradient: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """Gradient descent with heavy-ball momentum: the path, shape (steps + 1, 2).

    ``v ← μ v − η ∇L(w)``, ``w ← w + v``, with ``v`` starting at 0 (``momentum=0``: plain GD).
    ``gradient`` maps a point (shape (2,)) to ∇L there; it defaults to the bowl's,
    ``curvature * w`` (``curvature`` is used only then). Use ``gradient=saddle_gradient,
    start=SADDLE_START`` for the saddle.
    """
    if gradient is None:

        def gradient(w: np.ndarray) -> np.ndarray:
            return curvature * w

    w, v = np.array(start, dtype=float), np.zeros(2)
    path = [w.copy()]
    for _ in range(steps):
        v = momentum * v - learning_rate * gradient(w)
        w = w + v
        path.append(w.copy())
    return np.array(path)


def steps_to_reach(path: np.ndarray, tolerance: float = 1e-3) -> int | None:
    """The first step whose bowl loss is below ``tolerance``, or None if the path never gets
    there."""
    below = np.flatnonzero(bowl_loss(path) < tolerance)
    return int(below[0]) if below.size else None


def steps_to_escape(path: np.ndarray, distance: float = 0.5) -> int | None:
    """The first step at which a path on the saddle is at least ``distance`` off the ridge
    (``|w_2| ≥ distance``; the minima are at distance 1), or None if it never gets there."""
    away = np.flatnonzero(np.abs(np.asarray(path)[:, 1]) >= distance)
    return int(away[0]) if away.size else None


def _draw_paths(
    ax,
    loss: Callable[[np.ndarray], np.ndarray],
    paths: Sequence[tuple[np.ndarray, str]],
    *,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    levels: np.ndarray,
) -> None:
    """Grey contours of ``loss`` over the box ``xlim`` × ``ylim`` and each (path, label) on top."""
    w1, w2 = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 120))
    surface = loss(np.stack([w1, w2], axis=-1))
    ax.contour(w1, w2, surface, levels=levels, colors="0.75", linewidths=0.8)
    for path, label in paths:
        ax.plot(path[:, 0], path[:, 1], ".-", markersize=3, linewidth=1, label=label)
    ax.set(xlim=xlim, ylim=ylim, xlabel="$w_1$", ylabel="$w_2$")


def draw_descent(learning_rate: float = 0.02, momentum: float = 0.9, steps: int = 60) -> None:
    """Contours of the bowl with the paths of plain GD and of momentum ``momentum``."""
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(8, 3.2))
    paths = []
    for mu, label in ((0.0, "plain GD"), (momentum, f"momentum {momentum:g}")):
        path = descend(learning_rate, mu, steps)
        paths.append((path, f"{label}: loss {bowl_loss(path[-1]):.2g} after {steps} steps"))
    _draw_paths(
        ax, bowl_loss, paths, xlim=(-5, 5), ylim=(-1.6, 1.6), levels=np.geomspace(0.01, 60, 14)
    )
    ax.set(title=f"η = {learning_rate:.3g}")
    ax.legend(loc="upper right", fontsize=8)
    plt.show()


def draw_saddle_descent(
    learning_rate: float = 0.1,
    momentum: float = 0.9,
    steps: int = 200,
    *,
    start: np.ndarray = SADDLE_START,
) -> None:
    """The saddle: contours with the paths of plain GD and of momentum ``momentum`` from
    ``start`` (left), and their loss per step (right), where the plateau at the saddle's loss 0
    shows as a flat stretch."""
    import matplotlib.pyplot as plt

    _, (ax, by_step) = plt.subplots(1, 2, figsize=(11, 3.6), width_ratios=(1.4, 1))
    paths = []
    for mu, label in ((0.0, "plain GD"), (momentum, f"momentum {momentum:g}")):
        path = descend(learning_rate, mu, steps, start=start, gradient=saddle_gradient)
        escaped = steps_to_escape(path)
        when = f"off the ridge at step {escaped}" if escaped is not None else "still on the ridge"
        paths.append((path, f"{label}: {when}"))
        by_step.plot(saddle_loss(path), label=label)
    _draw_paths(
        ax, saddle_loss, paths, xlim=(-2.5, 2.5), ylim=(-1.5, 1.5), levels=np.linspace(-0.2, 3, 17)
    )
    ax.plot([0], [0], "kx")
    ax.set(title=f"saddle, η = {learning_rate:.3g}, start w = ({start[0]:g}, {start[1]:g})")
    ax.legend(loc="lower left", fontsize=8)
    by_step.axhline(0.0, color="0.75", linewidth=0.8)
    by_step.set(xlabel="step", ylabel="loss", title="the plateau at the saddle (loss 0)")
    by_step.legend(fontsize=8)
    plt.tight_layout()
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
