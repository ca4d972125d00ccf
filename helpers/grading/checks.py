"""Checks of plain values: numbers, arrays, shapes, dtypes, conditions and raised errors.

Every check returns ``None`` when the answer is right and otherwise raises :class:`CheckFailed`
(an ``AssertionError``) whose message says *what* was checked, what was *expected*, what was
*found*, and a *hint*. Nothing here imports TensorFlow.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from helpers.session import BriefError

__all__ = [
    "CheckFailed",
    "check",
    "check_close",
    "check_dtype",
    "check_equal",
    "check_in_range",
    "check_raises",
    "check_shape",
]


class CheckFailed(BriefError, AssertionError):
    """A graded check failed; the message explains what was expected and what was found."""


def _fail(what: str, expected: str, found: str, hint: str | None = None) -> CheckFailed:
    """The :class:`CheckFailed` "<what>: expected <expected>, found <found>." (plus the hint on
    its own line), to be raised by the caller."""
    message = f"{what}: expected {expected}, found {found}."
    if hint:
        message += f"\n  Hint: {hint}"
    return CheckFailed(message)


def _short(value: Any, limit: int = 80) -> str:
    """``repr(value)`` cut to at most ``limit`` characters (ending in "...")."""
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
    """``actual`` equals ``expected`` within the absolute tolerance ``tol`` (scalars or arrays;
    ``tol`` in the unit of the values).

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
    """Calling ``function(*args, **kwargs)`` raises ``exception`` (or a subclass).

    A ``NotImplementedError`` (a blank answer) is raised again as it is, not reported.
    """
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
