"""Session set-up shared by every notebook: a quiet TensorFlow import, seeds and the run mode.

``import helpers`` does not import TensorFlow: it sets the quiet-logging variables and installs
:class:`QuietImportFinder`, so that whoever imports TensorFlow or Keras first (a notebook's
``import keras``, :func:`set_seed`, a module of this package) does so without native start-up
lines on stderr.

The run mode is one switch, the environment variable ``NN_TRICKS_FAST``: when it is ``1``
(CI, autograding) notebooks shrink epochs and data so that they run in about a minute; when
it is unset or ``0`` they reproduce the lecture.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import logging
import os
import sys
import types
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from helpers.protocol import FAST_MODE_VARIABLE, is_true

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


#: Environment variables that keep TensorFlow's native logging out of cells (set only when the
#: user has not set them): errors only.
QUIET_ENVIRONMENT = (("TF_CPP_MIN_LOG_LEVEL", "3"),)
#: Top-level modules whose first import prints native start-up lines to stderr.
NOISY_MODULES = frozenset({"tensorflow", "keras"})


def set_quiet_environment() -> None:
    """Set the quiet-logging variables of :data:`QUIET_ENVIRONMENT` unless already set."""
    for name, value in QUIET_ENVIRONMENT:
        os.environ.setdefault(name, value)


class _QuietLoader(importlib.abc.Loader):
    """Runs the real loader of a noisy module with native stderr silenced."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        # the module sees its real loader (importlib.resources and friends ask it)
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        with native_stderr_silenced():
            self._loader.exec_module(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class QuietImportFinder(importlib.abc.MetaPathFinder):
    """Makes the first ``import tensorflow`` / ``import keras`` (by anyone, e.g. a notebook's
    ``import keras`` right after ``import helpers``) run with native stderr silenced.

    It only wraps the loader that the other finders return; nothing is imported early.
    """

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in NOISY_MODULES:
            return None
        for finder in sys.meta_path:
            if isinstance(finder, QuietImportFinder):
                continue
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _QuietLoader(spec.loader)
        return spec


def install_quiet_imports() -> None:
    """Set the quiet-logging variables and make later TensorFlow/Keras imports quiet, without
    importing them (idempotent). ``import helpers`` calls this."""
    set_quiet_environment()
    if not any(isinstance(finder, QuietImportFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, QuietImportFinder())


def import_tensorflow_quietly() -> None:
    """Import TensorFlow and Keras once, with their native start-up logging silenced, and
    keep TensorFlow's Python warnings out of cells (also when it was imported before us)."""
    set_quiet_environment()
    if "tensorflow" not in sys.modules:
        with native_stderr_silenced():
            import keras  # noqa: F401
    import tensorflow

    # Python-side TensorFlow warnings (e.g. "5 out of the last 5 calls ... triggered
    # tf.function retracing" when a notebook trains many small models) would show as stderr.
    tensorflow.get_logger().setLevel(logging.ERROR)


def is_fast_mode() -> bool:
    """True when ``NN_TRICKS_FAST`` is set to a true value (1, true, yes, on; see
    :func:`helpers.protocol.is_true`)."""
    return is_true(os.environ.get(FAST_MODE_VARIABLE))


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


def set_seed(seed: int = DEFAULT_SEED) -> None:
    """Seed Python, NumPy, TensorFlow and Keras with ``seed`` so that a rerun gives the same
    numbers (imports TensorFlow quietly on the first call)."""
    import_tensorflow_quietly()
    import keras

    keras.utils.set_random_seed(seed)
