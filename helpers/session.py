"""Session set-up shared by every notebook: a quiet TensorFlow import, seeds and the run mode.

The run mode is one switch, the environment variable ``NN_TRICKS_FAST``: when it is ``1``
(CI, autograding) notebooks shrink epochs and data so that they run in about a minute; when
it is unset or ``0`` they reproduce the lecture.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from typing import TypeVar

FAST_MODE_VARIABLE = "NN_TRICKS_FAST"
DEFAULT_SEED = 42

T = TypeVar("T")


class BriefError(Exception):
    """An error whose message says everything: what went wrong and what to do.

    IPython (Jupyter, Colab) shows such an error as its name and message, without a
    traceback through ``helpers/``; the cell still fails with an error output, so nbgrader
    still scores a failed check as 0. Plain Python shows the usual traceback.
    """

    def _render_traceback_(self) -> list[str]:
        """IPython's hook for exceptions that format themselves: one red name, the message."""
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Send whatever native code writes to file descriptor 2 to /dev/null, then restore it.

    TensorFlow's C++ runtime prints start-up lines (oneDNN, CUDA probing) straight to the
    process's stderr, before ``TF_CPP_MIN_LOG_LEVEL`` takes effect; Jupyter would show them
    as red stderr in the cell. Python-level ``sys.stderr`` is left alone.
    """
    try:
        sys.stderr.flush()
    except (AttributeError, ValueError):
        pass
    try:
        saved = os.dup(2)
    except OSError:  # no fd 2 (some embedded interpreters): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_tensorflow_quietly() -> None:
    """Import TensorFlow and Keras once, with their native start-up logging silenced, and
    keep TensorFlow's Python warnings out of cells (also when it was imported before us)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" not in sys.modules:
        with native_stderr_silenced():
            import keras  # noqa: F401
    import tensorflow

    # Python-side TensorFlow warnings (e.g. "5 out of the last 5 calls ... triggered
    # tf.function retracing" when a notebook trains many small models) would show as stderr.
    tensorflow.get_logger().setLevel(logging.ERROR)


def is_fast_mode() -> bool:
    """True when ``NN_TRICKS_FAST`` is set to a true value (1, true, yes, on)."""
    value = os.environ.get(FAST_MODE_VARIABLE, "").strip().lower()
    return value in {"1", "true", "yes", "on"}


def fast_or_full(fast: T, full: T) -> T:
    """Pick ``fast`` in fast mode and ``full`` otherwise, e.g. ``epochs = fast_or_full(2, 20)``."""
    return fast if is_fast_mode() else full


def run_mode_summary() -> str:
    """One line that says which mode this session runs in and how to switch."""
    if is_fast_mode():
        return (
            f"Fast mode ({FAST_MODE_VARIABLE}=1): fewer epochs and less data, for CI and grading."
        )
    return f"Full mode: the lecture's settings (set {FAST_MODE_VARIABLE}=1 for a quick run)."


def set_seed(seed: int = DEFAULT_SEED, *, deterministic_ops: bool = False) -> None:
    """Seed Python, NumPy, TensorFlow and Keras so that a rerun gives the same numbers.

    ``deterministic_ops=True`` also asks TensorFlow for deterministic kernels (slower; the
    same results run to run on the same machine).
    """
    import_tensorflow_quietly()
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    if deterministic_ops:
        tf.config.experimental.enable_op_determinism()
