"""Student-friendly checks for the graded practices.

Every check returns ``None`` when the answer is right and otherwise raises
:class:`CheckFailed` (an ``AssertionError``) whose message says *what* was checked, what was
*expected*, what was *found*, and a *hint*. nbgrader scores a test cell 0 when it raises, and
the student reads the message as immediate feedback (in Jupyter and in Colab alike)::

    from helpers.grading import check_regularizer
    check_regularizer(model.layers[-1], "l1", 0.01)
    # CheckFailed: kernel regularizer of layer 'dense_1': expected L1 with strength 0.01,
    # found L2 with strength 0.01.
    #   Hint: use kernel_regularizer=keras.regularizers.L1(0.01) on that layer.

The checks look at what the student built (layer types, regularizers, kernel shapes,
parameter counts, optimizers) rather than at training luck.

:func:`record` is for the hidden tests: it hands a value to the grader as *evidence* (see
docs/grading.md, "Evidence protocol"); the grader, outside the student's kernel, compares it
with the value the reference solution produced. It does nothing visible outside grading.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from helpers.session import BriefError, import_tensorflow_quietly

import_tensorflow_quietly()

import keras  # noqa: E402  (after the quiet import)
import numpy as np  # noqa: E402

__all__ = [
    "CheckFailed",
    "NotAnswered",
    "check",
    "check_activation",
    "check_close",
    "check_compiled",
    "check_dtype",
    "check_equal",
    "check_in_range",
    "check_kernel_size",
    "check_layer_types",
    "check_loss",
    "check_metric",
    "check_model",
    "check_optimizer",
    "check_param_count",
    "check_raises",
    "check_regularizer",
    "check_shape",
    "check_units",
    "grading_mode",
    "is_answered",
    "knowledge_check",
    "model_layers",
    "record",
    "require_answers",
]


class CheckFailed(BriefError, AssertionError):
    """A graded check failed; the message explains what was expected and what was found."""


def _fail(what: str, expected: str, found: str, hint: str | None = None) -> CheckFailed:
    message = f"{what}: expected {expected}, found {found}."
    if hint:
        message += f"\n  Hint: {hint}"
    return CheckFailed(message)


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _fmt(value: Any) -> str:
    """A compact rendering of numbers (floats to 6 significant digits) and other values."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        return f"{float(value):.6g}"
    return _short(value)


# --------------------------------------------------------------------------- generic values


def check(condition: Any, message: str, *, hint: str | None = None) -> None:
    """Fail with ``message`` (and the hint) unless ``condition`` is true."""
    if not condition:
        text = message + (f"\n  Hint: {hint}" if hint else "")
        raise CheckFailed(text)


def check_equal(actual: Any, expected: Any, *, what: str, hint: str | None = None) -> None:
    """Exact equality (``==``), for integers, strings, tuples of shapes and the like."""
    try:
        equal = bool(actual == expected)
    except Exception:  # e.g. comparing arrays of different shapes
        equal = False
    if not equal:
        raise _fail(what, _fmt(expected), _fmt(actual), hint)


def check_close(
    actual: Any,
    expected: Any,
    *,
    what: str,
    tol: float = 1e-6,
    hint: str | None = None,
) -> None:
    """``actual`` equals ``expected`` within the absolute tolerance ``tol`` (scalars or arrays).

    ``None``, strings and NaN never pass (unless ``expected`` is NaN too, for scalars).
    """
    if actual is None:
        raise _fail(what, _fmt(expected), "None", hint or "did your function `return` its result?")
    try:
        if isinstance(actual, str | bytes):
            raise TypeError("a string is not a number")
        actual_array = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        raise _fail(what, f"a number close to {_fmt(expected)}", _short(actual), hint) from None
    expected_array = np.asarray(expected, dtype=float)
    if actual_array.shape != expected_array.shape:
        raise _fail(
            what,
            f"shape {expected_array.shape}" if expected_array.ndim else "a single number",
            f"shape {actual_array.shape}",
            hint,
        )
    if expected_array.ndim == 0:
        a, e = float(actual_array), float(expected_array)
        if math.isnan(e) and math.isnan(a):
            return
        if math.isnan(a) or not abs(a - e) <= tol:
            raise _fail(what, f"{_fmt(e)} (± {tol:g})", _fmt(a), hint)
        return
    both_nan = np.isnan(actual_array) & np.isnan(expected_array)
    bad = ~(both_nan | (np.abs(actual_array - expected_array) <= tol))
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise _fail(
            what,
            f"all entries within ± {tol:g} of the expected values",
            f"{int(bad.sum()):,} of {bad.size:,} entries off, e.g. at index {index}: "
            f"{_fmt(actual_array[index])} instead of {_fmt(expected_array[index])}",
            hint,
        )


def check_in_range(
    values: Any,
    low: float,
    high: float,
    *,
    what: str,
    hint: str | None = None,
) -> None:
    """Every value lies in the closed interval ``[low, high]`` (NaN fails)."""
    if values is None:
        raise _fail(what, f"values in [{low:g}, {high:g}]", "None", hint)
    array = np.asarray(values, dtype=float)
    bad = ~((array >= low) & (array <= high))
    if bad.any():
        found = array[bad]
        raise _fail(
            what,
            f"values in [{low:g}, {high:g}]",
            f"{int(bad.sum()):,} of {array.size:,} outside, e.g. {_fmt(found.flat[0])}",
            hint,
        )


def check_shape(
    array: Any, expected: Sequence[int | None], *, what: str, hint: str | None = None
) -> None:
    """``array.shape`` equals ``expected``; ``None`` in ``expected`` matches any size."""
    shape = getattr(array, "shape", None)
    if shape is None:
        raise _fail(what, f"an array of shape {tuple(expected)}", f"{type(array).__name__}", hint)
    shape = tuple(shape)
    expected = tuple(expected)
    matches = len(shape) == len(expected) and all(
        e is None or s == e for s, e in zip(shape, expected, strict=True)
    )
    if not matches:
        raise _fail(what, f"shape {expected}", f"shape {shape}", hint)


def check_dtype(array: Any, expected: Any, *, what: str, hint: str | None = None) -> None:
    """``array.dtype`` equals ``expected`` (e.g. ``np.uint8``)."""
    dtype = getattr(array, "dtype", None)
    if dtype is None or np.dtype(dtype) != np.dtype(expected):
        raise _fail(what, f"dtype {np.dtype(expected)}", f"dtype {dtype}", hint)


def check_raises(
    exception: type[BaseException],
    function: Callable[..., Any],
    *args: Any,
    what: str,
    hint: str | None = None,
    **kwargs: Any,
) -> None:
    """Calling ``function(*args, **kwargs)`` raises ``exception`` (or a subclass)."""
    try:
        result = function(*args, **kwargs)
    except exception:
        return
    except NotImplementedError:
        raise
    except Exception as error:  # reported to the student
        raise _fail(
            what, f"{exception.__name__}", f"{type(error).__name__}: {error}", hint
        ) from None
    raise _fail(what, f"{exception.__name__} to be raised", f"it returned {_short(result)}", hint)


# --------------------------------------------------------------------------- evidence

#: MIME type of one piece of evidence in a test cell's outputs (docs/grading.md).
EVIDENCE_MIME = "application/vnd.nn-tricks.evidence+json"
#: Environment variable the grading sandbox sets to "1"; without it ``record`` stays silent.
GRADING_ENV = "NN_TRICKS_GRADING"
_MAX_DEPTH = 32


def _json_float(value: float) -> float | str:
    """A float, or the strings "NaN" / "Infinity" / "-Infinity" (JSON has no such numbers)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _evidence_value(value: Any, depth: int = 0) -> Any:
    """``value`` as plain JSON data (None, bool, int, float or str, lists, dicts).

    NumPy scalars and arrays become numbers and (nested) lists, tuples become lists,
    non-finite floats the strings "NaN", "Infinity" and "-Infinity". Subclasses of the
    built-in types are reduced to the built-in value (their own ``__eq__``, ``__float__`` or
    ``__iter__`` are not used), so an object cannot pose as the right answer.

    Raises:
        TypeError: for anything else (sets, bytes, complex numbers, objects, dicts with
            non-string keys, structures nested deeper than 32 levels).
    """
    if depth > _MAX_DEPTH:
        raise TypeError(f"nested more than {_MAX_DEPTH} levels deep (a list that contains itself?)")
    if value is None:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float):
        return _json_float(float.__float__(value))
    if isinstance(value, np.floating):
        return _json_float(float(value))
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, list | tuple):
        items = list.__iter__(value) if isinstance(value, list) else tuple.__iter__(value)
        return [_evidence_value(item, depth + 1) for item in items]
    if isinstance(value, dict):
        result = {}
        for key, item in dict.items(value):
            if not isinstance(key, str):
                raise TypeError(f"dict keys must be strings, not {type(key).__name__} ({key!r})")
            result[str.__str__(key)] = _evidence_value(item, depth + 1)
        return result
    if isinstance(value, np.ndarray) or (
        hasattr(value, "__array__") and not isinstance(value, np.generic)
    ):
        array = np.asarray(value)
        if array.dtype.kind not in "biufUO":
            raise TypeError(f"cannot record an array of dtype {array.dtype}")
        return _evidence_value(array.tolist(), depth + 1)
    raise TypeError(f"cannot record a value of type {type(value).__name__}")


def record(name: str, value: Any, *, tol: float = 0.0) -> None:
    """Hand ``value`` to the grader as evidence named ``name`` (for hidden test cells).

    While grading (environment variable ``NN_TRICKS_GRADING=1``, set by the sandbox) this
    emits one ``display_data`` output of MIME type ``application/vnd.nn-tricks.evidence+json``
    with the payload ``{"name": name, "value": <JSON>, "tol": tol}``; the grader compares it,
    outside the kernel, with the reference solution's value of the same name. Otherwise it
    only checks that the value can be recorded and shows nothing.

    Args:
        name: what the value is, unique within the test cell (e.g. ``"params of build_cnn(3)"``).
        value: a number, string, bool, None, NumPy scalar or array, or lists, tuples and dicts
            (string keys) of these; stored as JSON (tuples and arrays as lists, NaN and
            infinities as the strings "NaN", "Infinity", "-Infinity").
        tol: tolerance for numbers: the grader accepts ``math.isclose(value, reference,
            rel_tol=tol, abs_tol=tol)`` for every number in ``value`` (the reference run's
            ``tol`` counts). ``0.0`` (the default) means exact. Same unit as the value.

    Raises:
        TypeError: ``name`` is not a non-empty string, or ``value`` cannot be stored as JSON
            (the message says what was given).
        ValueError: ``tol`` is negative, NaN or infinite.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"grading.record needs a non-empty string name, not {name!r}")
    name = str.__str__(name)
    if isinstance(tol, bool) or not isinstance(tol, int | float | np.integer | np.floating):
        raise TypeError(f"grading.record({name!r}): tol must be a number, not {tol!r}")
    tol = float(tol)
    if not (math.isfinite(tol) and tol >= 0.0):
        raise ValueError(f"grading.record({name!r}): tol must be finite and >= 0, not {tol}")
    try:
        payload = {"name": name, "value": _evidence_value(value), "tol": tol}
    except TypeError as error:
        raise TypeError(
            f"grading.record({name!r}, ...): {error}; record numbers, strings, booleans, None, "
            "NumPy arrays, or lists, tuples and dicts (string keys) of these"
        ) from None
    if os.environ.get(GRADING_ENV) != "1":
        return
    from IPython.display import display  # the kernel has it; imported late to stay light

    display({EVIDENCE_MIME: payload}, raw=True)


# --------------------------------------------------------------------------- Keras models


def check_model(model: Any, *, what: str = "your builder's return value") -> None:
    """``model`` is a Keras model (not ``None``, not a layer, not a History)."""
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
    return [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


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


def check_activation(layer: Any, name: str) -> None:
    """The layer's activation function is ``name`` (e.g. ``"softmax"``, ``"relu"``)."""
    activation = getattr(layer, "activation", None)
    found = getattr(activation, "__name__", None) or type(activation).__name__
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
    if not isinstance(layer, keras.layers.Conv2D):
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


def _loss_name(loss: Any) -> str:
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
    found = _loss_name(model.loss)
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


def check_metric(model: keras.Model, name: str = "accuracy") -> None:
    """The model was compiled with the metric ``name`` (e.g. ``metrics=["accuracy"]``).

    Reads the metrics given to ``compile`` without running the model; any spelling of
    accuracy (``"accuracy"``, ``"acc"``, ``keras.metrics.CategoricalAccuracy()``) counts as
    ``"accuracy"``. If this Keras version hides the compiled metrics, the check passes.
    """
    check_compiled(model)
    compiled = getattr(model, "_compile_metrics", None)
    if compiled is None:
        found: list[str] = []
    else:
        user_metrics = getattr(compiled, "_user_metrics", None)
        if user_metrics is None:
            return  # unknown Keras internals: do not fail a right answer
        found = _metric_names(user_metrics)
    wanted = _ACCURACY_NAMES if name in _ACCURACY_NAMES else {name}
    if not wanted & set(found):
        raise _fail(
            "the compiled metrics",
            f"'{name}' among them",
            ", ".join(repr(n) for n in found) or "no metrics",
            f'compile with metrics=["{name}"] so that fit() logs it.',
        )


# --------------------------------------------------------------------------- blank answers


class NotAnswered(BriefError):
    """A cell needs an exercise that is still the release's stub; the message names it."""


def grading_mode() -> bool:
    """True while grading (``NN_TRICKS_GRADING=1``): every check raises as nbgrader expects."""
    return os.environ.get(GRADING_ENV) == "1"


def is_answered(function: Callable[..., Any]) -> bool:
    """False while ``function`` is still the release's stub (``raise NotImplementedError()``)."""
    from helpers.feedback import is_stub

    return not is_stub(function)


def _exercise(label: str) -> str:
    return label if label.lower().startswith("exercise") else f"Exercise {label}"


@contextlib.contextmanager
def knowledge_check(label: str) -> Iterator[None]:
    """Wrap a lecture notebook's test cell: a blank answer does not stop Run All.

    Outside grading mode a stub's ``NotImplementedError`` prints one line to stderr
    ("Exercise 1.3 is not answered yet: replace `raise NotImplementedError()` with your code")
    and the cell carries on, so the experiments below it run; in grading mode it is raised
    (nbgrader scores the cell 0, and the stderr line would score it 0 too). A wrong answer (a
    failed ``assert`` or check) fails the cell in both modes with one line,
    ``CheckFailed: Exercise 1.3: <what was wrong>``.
    """
    from helpers.feedback import STUB_HINT, check_failed_message

    try:
        yield
    except NotImplementedError as error:
        if grading_mode() or error.args:
            raise
        del error
        sys.stderr.write(f"{_exercise(label)} is not answered yet: {STUB_HINT}\n")
        sys.stderr.flush()
        return
    except CheckFailed as error:
        raise CheckFailed(f"{_exercise(label)}: {error}") from None
    except AssertionError as error:
        message = check_failed_message(error, error.__traceback__) or f"Check failed: {error}"
        raise CheckFailed(f"{_exercise(label)}: {message[0].lower()}{message[1:]}") from None


def require_answers(
    *answers: Callable[..., Any] | str | Mapping[str, Callable[..., Any] | str],
) -> None:
    """Stop a cell that needs the student's answers before it trains or computes anything.

    Give the answer functions, or a mapping ``{"P1b.1": build_cnn, ...}`` from exercise
    labels to them; an answer that is a variable (a task answered by top-level code) is given
    by its name, e.g. ``{"P2.3": "model_aug"}``, and looked up in the calling cell's globals.
    When one is still the release's stub (or the variable does not exist yet) this raises
    :class:`NotAnswered` in one line: "Exercise P1b.1 (`build_cnn`) is not answered yet:
    answer it, then run this cell again".
    """
    caller = sys._getframe(1).f_globals
    for answer in answers:
        items = answer.items() if isinstance(answer, Mapping) else [(None, answer)]
        for label, item in items:
            if isinstance(item, str):
                name, missing = item, item not in caller
            else:
                name = getattr(item, "__name__", "this answer")
                missing = not is_answered(item)
            if not missing:
                continue
            what = f"{_exercise(label)} (`{name}`)" if label else f"`{name}`"
            raise NotAnswered(f"{what} is not answered yet: answer it, then run this cell again")
