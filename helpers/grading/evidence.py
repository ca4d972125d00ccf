"""Evidence for the grader: :func:`record` and the JSON encoding of the recorded values.

A hidden test cell hands a value to the grader with :func:`record`; the grader, outside the
student's kernel, compares it with the value the reference solution produced (docs/grading.md,
"Evidence protocol"). Outside grading :func:`record` only checks that the value can be
recorded and shows nothing. The MIME type and the grading switch come from
:mod:`helpers.protocol`, which the grader reads too. Nothing here imports TensorFlow.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from helpers.protocol import EVIDENCE_MIME, GRADING_VARIABLE, is_grading

__all__ = ["EVIDENCE_MIME", "GRADING_ENV", "record"]

#: Environment variable the grading sandbox sets (:data:`helpers.protocol.GRADING_VARIABLE`);
#: without it :func:`record` stays silent.
GRADING_ENV = GRADING_VARIABLE
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

    While grading (``NN_TRICKS_GRADING=1``, set by the sandbox: :func:`helpers.protocol.is_grading`)
    this emits one ``display_data`` output of MIME type ``application/vnd.nn-tricks.evidence+json``
    (:data:`helpers.protocol.EVIDENCE_MIME`) with the payload ``{"name": name, "value": <JSON>,
    "tol": tol}``; the grader compares it, outside the kernel, with the reference solution's
    value of the same name. Otherwise it only checks that the value can be recorded and shows
    nothing.

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
    if not is_grading(os.environ):
        return
    from IPython.display import display  # the kernel has it; imported late to stay light

    display({EVIDENCE_MIME: payload}, raw=True)
