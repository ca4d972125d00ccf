"""Per-layer gradient probes: how strong is the error signal that reaches each layer?

The lecture measures the speed of learning of a layer by the gradient of the cost with
respect to its biases, ``∂C/∂b^l``, which is the back-propagated error signal
``δ^l = ∂C/∂z^l`` summed over the mini-batch (``z^l`` is the layer's pre-activation).
Unlike ``‖∂C/∂W^l‖`` it does not depend on the size of the weight matrix or on the scale
of the layer's inputs (``∂C/∂W^l = a^{l-1} δ^l`` mixes both in), so comparing it between
the first and the last layer says whether the signal vanishes or explodes on its way back.

``delta_rms(model, x, y)`` returns, for every ``Dense`` layer of a ``Sequential`` model
(input side first), the root mean square over the layer's units of ``∂C/∂b``, with ``C``
the loss averaged over the batch; ``b`` is the bias that feeds the layer's nonlinearity.
Layers built without a bias get the gradient a bias at that place would get, so every
variant of a network is measured in the same way; when a batch normalization sits between a
Dense layer and its activation, a bias before it would get no gradient at all (the batch
mean removes it), so the probe measures the bias that feeds the nonlinearity, the batch
normalization's shift ``β``. ``gradient_verdict`` turns the ratio
first / last layer into "vanishing", "stable" or "exploding".

``dead_unit_fraction(model, x)`` counts, for every hidden Dense layer, the units whose
pre-activation is ``≤ 0`` on every input of a batch: under ReLU such a unit outputs 0 and
gets a zero gradient for all of these inputs (a *dead* unit); under LeakyReLU or PReLU the
same unit still passes the gradient times its slope ``α``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from helpers.session import import_tensorflow_quietly

import_tensorflow_quietly()

import keras  # noqa: E402  (after the quiet import)
import tensorflow as tf  # noqa: E402

LossFunction = Callable[[Any, Any], Any]

#: A ratio first/last layer beyond this factor (or below its inverse) is called exploding
#: (vanishing). A factor 10 over a network is one order of magnitude.
DEFAULT_FACTOR = 10.0


#: Layers that apply a nonlinearity to their input (besides a Dense layer's own activation).
ACTIVATION_LAYERS = (
    keras.layers.Activation,
    keras.layers.ReLU,
    keras.layers.LeakyReLU,
    keras.layers.PReLU,
    keras.layers.ELU,
    keras.layers.Softmax,
)


def _forward_with_pre_activations(
    model: keras.Sequential,
    x: Any,
    tape: tf.GradientTape | None,
    training: bool = True,
) -> tuple[Any, list[Any]]:
    """Run ``model`` on ``x`` layer by layer and return the output and, per Dense layer, the
    tensor that enters its nonlinearity (watched by ``tape`` unless it is None). The layers
    in between run with ``training`` (defaults to True: dropout and batch statistics on).

    That tensor is ``z = a W + b`` for a Dense layer with its own activation; for a linear
    Dense layer it is the input of the next activation layer, i.e. after any layers in
    between such as batch normalization (``z = γ ẑ + β``), so that its gradient summed over
    the batch is the gradient of the bias that feeds the nonlinearity (``b``, or ``β``).
    """
    pre_activations: list[Any] = []
    a = tf.convert_to_tensor(x, dtype=tf.float32)
    pending = None  # the watched output of a linear Dense layer (or what followed it)
    watch = tape.watch if tape is not None else (lambda tensor: None)
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            if pending is not None:
                pre_activations.append(pending)
            z = tf.matmul(a, layer.kernel)
            if layer.use_bias:
                z = z + layer.bias
            watch(z)
            if layer.activation in (None, keras.activations.linear):
                pending, a = z, z
            else:
                pending = None
                pre_activations.append(z)
                a = layer.activation(z)
            continue
        if pending is not None:
            watch(a)
            pending = a
            if isinstance(layer, ACTIVATION_LAYERS):
                pre_activations.append(a)
                pending = None
        a = layer(a, training=training)
    if pending is not None:
        pre_activations.append(pending)
    return a, pre_activations


def delta_rms(
    model: keras.Sequential,
    x: Any,
    y: Any,
    loss: LossFunction | None = None,
) -> np.ndarray:
    """RMS over units of ``∂C/∂b`` for every Dense layer, input side first.

    Args:
        model: a ``keras.Sequential`` model (built); any layers between the Dense layers
            (activations, batch normalization, dropout) are run in training mode.
        x: one mini-batch of inputs, shape ``(batch, features)``.
        y: its targets, in the form ``loss`` expects (one-hot ``(batch, classes)`` for the
            default categorical cross-entropy).
        loss: per-example loss ``loss(y_true, y_pred) -> (batch,)``; default
            ``keras.losses.categorical_crossentropy``. ``C`` is its mean over the batch.

    Returns:
        float64 array of shape ``(number of Dense layers,)``: for layer ``l`` the value
        ``sqrt(mean_j (∂C/∂b^l_j)^2)``, in units of the loss per unit of pre-activation.
    """
    loss = loss or keras.losses.categorical_crossentropy
    with tf.GradientTape() as tape:
        output, pre_activations = _forward_with_pre_activations(model, x, tape)
        cost = tf.reduce_mean(loss(tf.convert_to_tensor(y, dtype=tf.float32), output))
    deltas = tape.gradient(cost, pre_activations)  # each (batch, units): ∂C/∂z per example
    bias_gradients = [tf.reduce_sum(delta, axis=0) for delta in deltas]
    return np.array([float(tf.sqrt(tf.reduce_mean(tf.square(g)))) for g in bias_gradients])


def kernel_gradient_rms(
    model: keras.Model,
    x: Any,
    y: Any,
    layer: int = 0,
    loss: LossFunction | None = None,
) -> float:
    """RMS of ``∂C/∂W`` over the kernel of ``model.layers[layer]`` (default: the first Dense).

    Unlike :func:`delta_rms` this weight gradient carries the layer's inputs
    (``∂C/∂W^1 = δ^1 x^T``): it shows what the scale of the inputs (raw pixels 0..255
    against [0, 1]) does to the size of an SGD step. ``C`` is the mean batch loss, the model
    runs in training mode; ``loss`` as in :func:`delta_rms`.
    """
    loss = loss or keras.losses.categorical_crossentropy
    with tf.GradientTape() as tape:
        output = model(x, training=True)
        cost = tf.reduce_mean(loss(tf.convert_to_tensor(y, dtype=tf.float32), output))
    gradient = tape.gradient(cost, model.layers[layer].kernel)
    return float(tf.sqrt(tf.reduce_mean(tf.square(gradient))))


def dead_unit_fraction(model: keras.Sequential, x: Any, batch_size: int = 1024) -> np.ndarray:
    """Fraction of dead units in every hidden Dense layer, input side first.

    A unit counts as dead when its pre-activation ``z = a W + b`` (the value that enters
    its nonlinearity, as in :func:`delta_rms`) is ``≤ 0`` for every input in ``x``. Under
    ReLU it then outputs 0 and its gradient ``f'(z)`` is 0 for all of them, so no update
    from these inputs can revive it; under LeakyReLU or PReLU the same unit is only "dead
    as a ReLU would be": it still passes the gradient times its slope ``α``.

    Args:
        model: a built ``keras.Sequential`` model; every Dense layer except the last (the
            output layer) is a hidden layer. Layers in between run in inference mode.
        x: inputs, shape ``(examples, features)``, e.g. the training set.
        batch_size: examples per forward pass (only memory, not the result, depends on
            it). Defaults to 1024.

    Returns:
        float64 array of shape ``(number of Dense layers - 1,)``: for each hidden layer the
        number of dead units divided by its number of units, between 0 and 1; NaN for a
        layer whose pre-activations hold a NaN (a diverged network is not a dead one).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    x = np.asarray(x, dtype=np.float32)
    if len(x) == 0:
        raise ValueError("x holds no examples")
    alive: list[np.ndarray] = []  # per hidden layer, (units,): positive for some input
    diverged: list[bool] = []  # per hidden layer: a NaN pre-activation seen
    for start in range(0, len(x), batch_size):
        _, pre_activations = _forward_with_pre_activations(
            model, x[start : start + batch_size], tape=None, training=False
        )
        hidden = [np.asarray(z) for z in pre_activations[:-1]]
        positive = [np.any(z > 0, axis=0) for z in hidden]
        nan = [bool(np.isnan(z).any()) for z in hidden]
        if alive:
            positive = [a | p for a, p in zip(alive, positive, strict=True)]
            nan = [a or b for a, b in zip(diverged, nan, strict=True)]
        alive, diverged = positive, nan
    return np.array(
        [
            np.nan if bad else 1.0 - float(np.mean(ok))
            for ok, bad in zip(alive, diverged, strict=True)
        ]
    )


@dataclass(frozen=True)
class Verdict:
    """The strength of the error signal at the first layer relative to the last.

    Attributes:
        ratio: ``rms[0] / rms[-1]`` (first Dense layer over the output layer).
        per_layer: the geometric-mean factor per layer step, ``ratio ** (1 / (L - 1))``.
        label: "vanishing" (ratio < 1 / factor), "exploding" (ratio > factor) or "stable".
    """

    ratio: float
    per_layer: float
    label: str


def gradient_verdict(rms: Sequence[float], factor: float = DEFAULT_FACTOR) -> Verdict:
    """Classify per-layer signal strengths (input side first, at least two layers)."""
    values = np.asarray(rms, dtype=float)
    if values.ndim != 1 or values.size < 2:
        raise ValueError("need the values of at least two layers, input side first")
    if factor <= 1:
        raise ValueError("factor must be larger than 1")
    ratio = float(values[0] / values[-1])
    per_layer = float(ratio ** (1 / (values.size - 1)))
    if ratio < 1 / factor:
        label = "vanishing"
    elif ratio > factor:
        label = "exploding"
    else:
        label = "stable"
    return Verdict(ratio=ratio, per_layer=per_layer, label=label)


def format_delta_table(
    rms_by_name: dict[str, Sequence[float]], factor: float = DEFAULT_FACTOR
) -> str:
    """A plain-text table: one row per configuration, the RMS of ``∂C/∂b`` per hidden layer
    (input side first; shallower networks leave the right-most hidden columns empty), the
    output layer, the ratio first/output and the verdict."""
    hidden = max(len(values) for values in rms_by_name.values()) - 1
    name_width = max(len("configuration"), *(len(name) for name in rms_by_name))
    header = (
        f"{'configuration':<{name_width}} "
        + " ".join(f"{f'layer {i}':>8}" for i in range(1, hidden + 1))
        + f" {'output':>8} {'first/out':>9}  verdict"
    )
    lines = [header]
    for name, values in rms_by_name.items():
        verdict = gradient_verdict(values, factor)
        cells = [f"{value:>8.1e}" for value in values[:-1]]
        cells += [" " * 8] * (hidden - len(cells)) + [f"{values[-1]:>8.1e}"]
        lines.append(
            f"{name:<{name_width}} " + " ".join(cells) + f" {verdict.ratio:>9.1e}  {verdict.label}"
        )
    return "\n".join(lines)
