"""Reference implementations of the small formulas the lecture notebooks ask for.

The experiments of a lecture notebook use these, not the student's answer to the exercise
above them, so that *Run All* on a fresh notebook runs every experiment while the exercises
are still blank (see ``helpers.grading.knowledge_check``). Each function is the plain textbook
formula; the notebooks explain it before asking for it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "conv_output_size",
    "conv_params",
    "ewa",
    "numerical_gradient",
    "pooled_size",
    "sample_log_uniform",
]


def ewa(series: Any, beta: float, bias_correction: bool = True) -> np.ndarray:
    """Exponentially weighted average ``v_t = β v_{t-1} + (1-β) x_t`` with ``v_0 = 0``
    (divided by ``1 - β^t`` when ``bias_correction``), one value per element of ``series``."""
    series = np.asarray(series, dtype=float)
    averages = np.empty_like(series)
    v = 0.0
    for t, x in enumerate(series, start=1):
        v = beta * v + (1 - beta) * x
        averages[t - 1] = v / (1 - beta**t) if bias_correction else v
    return averages


def sample_log_uniform(low: float, high: float, n: int, seed: int = 0) -> np.ndarray:
    """``n`` values in ``[low, high]`` whose base-10 logarithms are uniform (seeded)."""
    rng = np.random.default_rng(seed)
    return 10.0 ** rng.uniform(np.log10(low), np.log10(high), size=n)


def numerical_gradient(f: Callable[[np.ndarray], float], x: Any, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f`` at ``x`` (any shape)."""
    x = np.array(x, dtype=float)
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        f_plus = f(x)
        x[index] = original - eps
        f_minus = f(x)
        x[index] = original
        gradient[index] = (f_plus - f_minus) / (2 * eps)
    return gradient


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: str = "valid") -> int:
    """Side of a convolution's output for a square input, as Keras computes it."""
    if padding == "valid":
        return (size - kernel) // stride + 1
    if padding == "same":
        return math.ceil(size / stride)
    raise ValueError(f"padding must be 'valid' or 'same', not {padding!r}")


def conv_params(kernel_size: int, in_channels: int, filters: int) -> int:
    """Weights plus biases of a Conv2D layer with square kernels."""
    return (kernel_size * kernel_size * in_channels + 1) * filters


def pooled_size(size: int, pool_size: int = 2, stride: int | None = None) -> int:
    """Side after ``MaxPooling2D(pool_size, strides=stride)`` on a square input."""
    stride = pool_size if stride is None else stride
    return (size - pool_size) // stride + 1
