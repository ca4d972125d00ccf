"""Checks of Keras models: layers, units, activations, regularizers, kernels, parameters and
what ``compile`` was given (optimizer, loss, metrics).

Each check raises :class:`~helpers.grading.CheckFailed` with what was expected, what was
found and a hint. :func:`loss_name`, :func:`activation_name` and :func:`penalty` read a
model's settings as plain JSON values for :func:`~helpers.grading.record` in hidden tests.

Importing this module does not import TensorFlow: Keras is imported (quietly, see
:func:`helpers.session.import_tensorflow_quietly`) on the first check that needs it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from helpers.grading.checks import _fail
from helpers.session import import_tensorflow_quietly

if TYPE_CHECKING:
    import keras

__all__ = [
    "activation_name",
    "check_activation",
    "check_compiled",
    "check_kernel_size",
    "check_layer_types",
    "check_loss",
    "check_metric",
    "check_model",
    "check_optimizer",
    "check_param_count",
    "check_regularizer",
    "check_units",
    "loss_name",
    "model_layers",
    "penalty",
]


def _keras() -> ModuleType:
    """The ``keras`` module, imported quietly the first time."""
    import_tensorflow_quietly()
    import keras

    return keras


def check_model(model: Any, *, what: str = "your builder's return value") -> None:
    """``model`` is a Keras model (not ``None``, not a layer, not a History)."""
    keras = _keras()
    if not isinstance(model, keras.Model):
        raise _fail(
            what,
            "a keras.Model",
            "None" if model is None else type(model).__name__,
            "build the model (e.g. keras.Sequential([...])), compile it, and `return` it.",
        )


def model_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """The model's layers without the input layer (what ``model.summary()`` lists)."""
    check_model(model)
    input_layer = _keras().layers.InputLayer
    return [layer for layer in model.layers if not isinstance(layer, input_layer)]


def _type_name(expected: type | str) -> str:
    return expected if isinstance(expected, str) else expected.__name__


def check_layer_types(
    model: keras.Model,
    expected_types: Sequence[type | str],
    *,
    hint: str | None = None,
) -> None:
    """The model's layers (input layer excluded) have exactly these types, in this order.

    Types are classes (``keras.layers.Dense``) or class names (``"Dense"``).
    """
    layers = model_layers(model)
    found = [type(layer).__name__ for layer in layers]
    expected = [_type_name(t) for t in expected_types]
    matches = len(layers) == len(expected) and all(
        (type(layer).__name__ == t) if isinstance(t, str) else isinstance(layer, t)
        for layer, t in zip(layers, expected_types, strict=False)
    )
    if not matches:
        raise _fail(
            "the model's layers",
            " → ".join(expected) or "no layers",
            " → ".join(found) or "no layers",
            hint
            or "compare your keras.Sequential([...]) list with the architecture described above.",
        )


def _layer_label(layer: Any) -> str:
    return f"layer '{getattr(layer, 'name', '?')}'"


def check_units(layer: Any, units: int) -> None:
    """A Dense layer with ``units`` output units."""
    found = getattr(layer, "units", None)
    if found != units:
        raise _fail(f"number of units of {_layer_label(layer)}", str(units), str(found))


def activation_name(layer_or_activation: Any) -> str:
    """The name of an activation function, or of a layer's ``activation``: e.g. ``"relu"``.

    A layer (anything with an ``activation`` attribute, such as ``keras.layers.Dense``) gives
    its activation's name; a function gives its ``__name__`` (``keras.activations.softmax`` is
    ``"softmax"``, a layer built with ``activation=None`` has ``"linear"``); any other object
    gives its class name (e.g. ``"NoneType"`` for ``None``). Plain JSON, for
    :func:`~helpers.grading.record`.
    """
    activation = getattr(layer_or_activation, "activation", layer_or_activation)
    return getattr(activation, "__name__", None) or type(activation).__name__


def check_activation(layer: Any, name: str) -> None:
    """The layer's activation function is ``name`` (e.g. ``"softmax"``, ``"relu"``)."""
    found = activation_name(getattr(layer, "activation", None))
    if found != name:
        raise _fail(
            f"activation of {_layer_label(layer)}",
            f"'{name}'",
            f"'{found}'",
            f'pass activation="{name}" to that layer.',
        )


_REGULARIZER_CLASS = {"l1": "L1", "l2": "L2"}


def _describe_regularizer(regularizer: Any) -> tuple[str, dict[str, float]]:
    """(description, {"l1": strength, "l2": strength}) of a Keras regularizer."""
    if regularizer is None:
        return "no regularizer", {}
    strengths: dict[str, float] = {}
    for attribute in ("l1", "l2"):
        value = getattr(regularizer, attribute, None)
        if value is not None:
            try:
                strengths[attribute] = float(value)
            except (TypeError, ValueError):
                pass
    kinds = [f"{k.upper()} with strength {v:.6g}" for k, v in strengths.items() if v != 0.0]
    name = type(regularizer).__name__
    if not strengths:
        return f"a {name} (not an L1 or L2 penalty)", strengths
    return (" and ".join(kinds) if kinds else f"{name} with zero strength"), strengths


def penalty(layer: Any) -> list[float] | None:
    """``[L1 strength, L2 strength]`` of the layer's ``kernel_regularizer``, ``None`` without one.

    ``keras.regularizers.L1(0.01)`` gives ``[0.01, 0.0]``, ``L2(0.003)`` ``[0.0, 0.003]`` and
    ``L1L2(l1=a, l2=b)`` ``[a, b]``; a regularizer without ``l1``/``l2`` strengths (a custom
    penalty) gives ``[0.0, 0.0]``. Plain JSON, for :func:`~helpers.grading.record`; use
    :func:`check_regularizer` to check a layer with a message for the student.
    """
    regularizer = getattr(layer, "kernel_regularizer", None)
    if regularizer is None:
        return None
    return [float(getattr(regularizer, kind, None) or 0.0) for kind in ("l1", "l2")]


def check_regularizer(
    layer: Any, kind: str | None, strength: float | None = None, *, rel_tol: float = 1e-4
) -> None:
    """The layer's ``kernel_regularizer`` is of ``kind`` ("l1", "l2" or None) with ``strength``.

    ``keras.regularizers.L1(λ)`` and ``L1L2(l1=λ)`` both count as L1 with strength λ (and
    likewise for L2); a penalty of the other kind on the same layer fails the check.
    ``kind=None`` checks that the layer has no kernel regularizer.
    """
    regularizer = getattr(layer, "kernel_regularizer", None)
    found, strengths = _describe_regularizer(regularizer)
    what = f"kernel regularizer of {_layer_label(layer)}"
    if kind is None:
        if regularizer is not None:
            raise _fail(
                what, "no regularizer", found, "only the layer named in the task is penalized."
            )
        return
    kind = kind.lower()
    if kind not in _REGULARIZER_CLASS:
        raise ValueError(f"kind must be 'l1', 'l2' or None, not {kind!r}")
    other = "l2" if kind == "l1" else "l1"
    class_name = _REGULARIZER_CLASS[kind]
    expected = f"{class_name}" + (f" with strength {strength:.6g}" if strength is not None else "")
    argument = "λ" if strength is None else f"{strength:g}"
    usage = f"kernel_regularizer=keras.regularizers.{class_name}({argument})"
    value = strengths.get(kind, 0.0)
    if regularizer is None or value == 0.0 or strengths.get(other, 0.0) != 0.0:
        raise _fail(what, expected, found, f"use {usage} on that layer.")
    if strength is not None and not math.isclose(value, strength, rel_tol=rel_tol, abs_tol=1e-12):
        raise _fail(
            what,
            expected,
            found,
            "the strength λ is the argument of the regularizer; use the function's argument, "
            "not a fixed number.",
        )


def check_kernel_size(layer: Any, k: int) -> None:
    """A Conv2D layer whose kernels are ``k × k`` (both the setting and the weight shape)."""
    what = f"kernel size of {_layer_label(layer)}"
    if not isinstance(layer, _keras().layers.Conv2D):
        raise _fail(what, f"a Conv2D layer with {k}×{k} kernels", type(layer).__name__)
    if tuple(layer.kernel_size) != (k, k):
        found = "×".join(str(s) for s in layer.kernel_size)
        raise _fail(
            what,
            f"{k}×{k}",
            found,
            "pass the builder's kernel_size argument to Conv2D instead of a fixed number.",
        )
    kernel = getattr(layer, "kernel", None)
    if kernel is not None and tuple(kernel.shape[:2]) != (k, k):
        raise _fail(
            f"kernel weight shape of {_layer_label(layer)}",
            f"({k}, {k}, ...)",
            str(tuple(kernel.shape)),
        )


def check_param_count(
    model: keras.Model,
    expected: int,
    *,
    what: str = "number of parameters",
    hint: str | None = None,
) -> None:
    """``model.count_params()`` equals ``expected`` (all weights, trainable or not)."""
    check_model(model)
    try:
        found = model.count_params()
    except ValueError:  # a model without an input shape is not built yet
        raise _fail(
            what,
            f"{expected:,}",
            "a model that is not built yet (no input shape)",
            "start the keras.Sequential([...]) list with keras.Input(shape=...).",
        ) from None
    if found != expected:
        raise _fail(
            what,
            f"{expected:,}",
            f"{found:,}",
            hint
            or "print model.summary() and compare every layer with the architecture asked for.",
        )


def check_compiled(model: keras.Model) -> None:
    """The model has been compiled (``model.compile(...)`` was called)."""
    check_model(model)
    if not getattr(model, "compiled", False):
        raise _fail(
            "the model",
            "a compiled model",
            "a model that was never compiled",
            'call model.compile(optimizer=..., loss=..., metrics=["accuracy"]) '
            "before returning it.",
        )


def check_optimizer(
    model: keras.Model, optimizer_class: type | str, learning_rate: float | None = None
) -> None:
    """The compiled model uses ``optimizer_class`` (class or name) with ``learning_rate``."""
    check_compiled(model)
    optimizer = model.optimizer
    name = _type_name(optimizer_class)
    if isinstance(optimizer_class, str):
        ok = type(optimizer).__name__.lower() == optimizer_class.lower()
    else:
        ok = isinstance(optimizer, optimizer_class)
    if not ok:
        raise _fail(
            "the optimizer",
            name,
            type(optimizer).__name__,
            f"compile with optimizer=keras.optimizers.{name}(learning_rate=...).",
        )
    if learning_rate is not None:
        found = float(np.asarray(optimizer.learning_rate))
        if not math.isclose(found, learning_rate, rel_tol=1e-5):
            raise _fail(
                "the optimizer's learning rate",
                f"{learning_rate:g}",
                f"{found:.6g}",
                f"pass learning_rate={learning_rate:g} explicitly (Keras' default differs).",
            )


def loss_name(loss: Any) -> str:
    """The name of a loss as given to ``compile``: ``"categorical_crossentropy"`` for the string
    itself, for ``keras.losses.categorical_crossentropy`` and for
    ``keras.losses.CategoricalCrossentropy()`` (the function a Loss object wraps).

    Otherwise the object's ``__name__``, its ``name`` or its class name. Plain JSON, for
    :func:`~helpers.grading.record` (e.g. ``record("loss", loss_name(model.loss))``).
    """
    if isinstance(loss, str):
        return loss
    fn = getattr(loss, "fn", None)  # LossFunctionWrapper (e.g. CategoricalCrossentropy())
    if fn is not None and hasattr(fn, "__name__"):
        return fn.__name__
    if hasattr(loss, "__name__"):
        return loss.__name__
    name = getattr(loss, "name", None)
    return name if isinstance(name, str) else type(loss).__name__


def check_loss(model: keras.Model, name: str) -> None:
    """The compiled model's loss is ``name`` (as a string, a function or a Loss object)."""
    check_compiled(model)
    found = loss_name(model.loss)
    if found != name:
        raise _fail("the loss", f"'{name}'", f"'{found}'", f'compile with loss="{name}".')


def _metric_names(metrics: Any) -> list[str]:
    if metrics is None:
        return []
    if isinstance(metrics, dict):  # one list per output
        return [name for value in metrics.values() for name in _metric_names(value)]
    if isinstance(metrics, str) or not isinstance(metrics, list | tuple):
        metrics = [metrics]
    names = []
    for metric in metrics:
        if isinstance(metric, list | tuple | dict):
            names.extend(_metric_names(metric))
        elif isinstance(metric, str):
            names.append(metric)
        else:
            names.append(getattr(metric, "name", None) or getattr(metric, "__name__", "?"))
    return names


_ACCURACY_NAMES = {"accuracy", "acc", "categorical_accuracy"}
_MISSING = object()


def _unreadable_metrics(reason: str) -> RuntimeError:
    """The error :func:`check_metric` raises when it cannot read the compiled metrics."""
    keras = _keras()
    return RuntimeError(
        f"check_metric cannot check the compiled metrics on Keras {keras.__version__} "
        f"({reason}); helpers.grading.check_metric needs updating for this Keras version"
    )


def check_metric(model: keras.Model, name: str = "accuracy") -> None:
    """The model was compiled with the metric ``name`` (e.g. ``metrics=["accuracy"]``).

    Reads the metrics given to ``compile`` without running the model; any spelling of
    accuracy (``"accuracy"``, ``"acc"``, ``keras.metrics.CategoricalAccuracy()``) counts as
    ``"accuracy"``. The check never passes without looking: it reads Keras 3's record of the
    compiled metrics, and on a Keras that keeps them elsewhere it raises ``RuntimeError``
    (saying it cannot check on this Keras version), so that nbgrader fails the cell rather
    than the check passing unseen, and the message does not blame the student's answer.

    Raises:
        CheckFailed: the model is not compiled, or ``name`` is not among its metrics.
        RuntimeError: this Keras version does not let the compiled metrics be read.
    """
    check_compiled(model)
    if not hasattr(model, "_compile_metrics"):
        raise _unreadable_metrics("the model has no _compile_metrics")
    compiled = model._compile_metrics
    if compiled is None:  # compiled without metrics
        found: list[str] = []
    else:
        user_metrics = getattr(compiled, "_user_metrics", _MISSING)
        if user_metrics is _MISSING:
            raise _unreadable_metrics(f"{type(compiled).__name__} has no _user_metrics")
        found = _metric_names(user_metrics)
    wanted = _ACCURACY_NAMES if name in _ACCURACY_NAMES else {name}
    if not wanted & set(found):
        raise _fail(
            "the compiled metrics",
            f"'{name}' among them",
            ", ".join(repr(n) for n in found) or "no metrics",
            f'compile with metrics=["{name}"] so that fit() logs it.',
        )
