"""Running nbgrader inside this process without it touching the terminal or the environment.

* :func:`environment`: ``PATH`` and environment changes for one call, restored afterwards;
* :func:`captured_log`: a private logger whose output is kept as text (never printed);
* :func:`kernel_stderr`: file descriptor 2 captured while nbgrader starts kernels;
* :func:`api` and :func:`check`: one :class:`nbgrader.apps.NbGraderAPI` call and its result,
  a failure raised as :class:`~grader.nbgrader.errors.NbgraderError` with the log attached.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from nbgrader.apps import NbGraderAPI

from grader.nbgrader.errors import NbgraderError, one_line


@contextlib.contextmanager
def environment(overrides: Mapping[str, str | None] | None = None) -> Iterator[None]:
    """The process environment for one nbgrader call, restored on exit.

    This interpreter's ``bin/`` comes first on ``PATH`` (nbgrader shells out to ``alembic`` when
    it creates a gradebook) and ``overrides`` are applied (a ``None`` value removes the
    variable). Python warnings raised inside (nbgrader's SQLAlchemy noise) are not shown.

    Args:
        overrides: variable -> value (``None``: unset) while the block runs.
    """
    changes: dict[str, str | None] = dict(overrides or {})
    bin_dir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if path.split(os.pathsep)[:1] != [bin_dir]:
        changes["PATH"] = os.pathsep.join([bin_dir, path]) if path else bin_dir
    saved = {key: os.environ.get(key) for key in changes}
    try:
        for key, value in changes.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        with warnings.catch_warnings():
            # nbgrader's own use of SQLAlchemy trips harmless autoflush warnings (SAWarning)
            warnings.simplefilter("ignore")
            yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def captured_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A private logger (not registered, not propagating) and the buffer it writes
    ``[LEVEL] message`` lines into."""
    buffer = io.StringIO()
    logger = logging.Logger("grader.nbgrader", level=logging.INFO)
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield logger, buffer
    finally:
        handler.close()


class CapturedStream:
    """Text written to a temporary file; :meth:`read` returns all of it so far."""

    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle

    def read(self) -> str:
        """Everything written to the file so far."""
        self._handle.flush()
        self._handle.seek(0)
        return self._handle.read()


@contextlib.contextmanager
def kernel_stderr() -> Iterator[CapturedStream]:
    """File descriptor 2 sent to a temporary file while the block runs (the start-up warnings
    of the kernels nbgrader starts would reach the TA's terminal), restored on exit.

    Yields:
        What was written to file descriptor 2 (empty when the process has no usable one).
    """
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as sink:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):  # no usable fd 2: nothing to redirect
            yield CapturedStream(sink)
            return
        try:
            os.dup2(sink.fileno(), 2)
            yield CapturedStream(sink)
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def api(config: Any, logger: logging.Logger) -> Any:
    """nbgrader's ``NbGraderAPI`` with ``config`` (a course's Config) logging to ``logger``."""
    return NbGraderAPI(config=config, log=logger)


def check(result: Mapping[str, Any], what: str) -> str:
    """The log of an ``NbGraderAPI`` call's result.

    Args:
        result: the call's result dict (``success``, ``log``, ``error``).
        what: the start of the error message, e.g. ``"release failed"``.

    Raises:
        NbgraderError: ``result`` is not a success: ``"<what>: <one line>"``, with the log.
    """
    log = str(result.get("log", ""))
    if not result.get("success"):
        text = f"{log}\n{result.get('error', '')}"
        raise NbgraderError(f"{what}: {one_line(text)}", text)
    return log
